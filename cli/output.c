#include "output.h"

#include <ctype.h>
#include <errno.h>
#include <langinfo.h>
#include <locale.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "calendar.h"
#include "macro.h"
#include "timeutil.h"

bool output_want_color(void) {
        const char *e;

        if (!isatty(STDOUT_FILENO))
                return false;
        e = getenv("NO_COLOR");
        if (e && *e)
                return false;
        e = getenv("TERM");
        return e && *e && strcmp(e, "dumb") != 0;
}

unsigned output_columns(void) {
        const char *e = getenv("COLUMNS");
        struct winsize ws;

        if (e && *e) {
                char *end;
                errno = 0;
                long v = strtol(e, &end, 10);
                if (errno == 0 && *end == '\0' && v >= 1 && v <= 10000)
                        return (unsigned) v;
        }
        if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
                return ws.ws_col;
        return 80;
}

int output_format_day(char *buf, size_t size, int64_t day) {
        return output_bucket_time(buf, size, day, 0, "%Y-%m-%d");
}

static bool glyphs_ascii;

void output_set_ascii(bool ascii) {
        glyphs_ascii = ascii;
}

const char *output_glyph(OutputGlyph g) {
        static const char *const glyphs[_GLYPH_MAX][2] = {
                [GLYPH_UP] = { "↑", "^" },     [GLYPH_DOWN] = { "↓", "v" },  [GLYPH_SAME] = { "→", "=" },
                [GLYPH_ELLIPSIS] = { "…", "..." }, [GLYPH_FULL] = { "█", "#" }, [GLYPH_DARK] = { "▓", "=" },
                [GLYPH_MEDIUM] = { "▒", "-" }, [GLYPH_LIGHT] = { "░", "." }, [GLYPH_MISSING] = { "·", "~" },
        };
        return (unsigned) g < _GLYPH_MAX ? glyphs[g][glyphs_ascii] : "?";
}

bool output_locale_utf8(void) {
        _cleanup_free_ char *saved = NULL;
        const char *cur = setlocale(LC_CTYPE, NULL);
        bool utf8 = false;

        if (cur)
                saved = strdup(cur);
        if (setlocale(LC_CTYPE, "")) {
                const char *codeset = nl_langinfo(CODESET);
                utf8 = codeset && (strcasecmp(codeset, "UTF-8") == 0 || strcasecmp(codeset, "utf8") == 0);
        }
        (void) setlocale(LC_CTYPE, saved ? saved : "C");
        return utf8;
}

const char *output_color(bool color, const char *ansi) {
        return color ? ansi : "";
}

char *output_duration(char *buf, size_t size, int64_t s) {
        if (s < 0)
                s = 0;
        if (s < 60)
                snprintf(buf, size, "%" PRId64 "s", s);
        else if (s < 3600)
                snprintf(buf, size, "%" PRId64 "m", s / 60);
        else if (s % 3600 < 60)
                snprintf(buf, size, "%" PRId64 "h", s / 3600);
        else
                snprintf(buf, size, "%" PRId64 "h %02" PRId64 "m", s / 3600, s % 3600 / 60);
        return buf;
}

/* A signed figure, "+11%" or "-3%"; no sign when it rounds to zero ("0%"). */
void output_signed(char *buf, size_t size, double v, int decimals, const char *unit) {
        double scale = pow(10, decimals);
        double rounded = round(v * scale) / scale;
        if (rounded == 0)
                snprintf(buf, size, "%.*f%s", decimals, 0.0, unit);
        else
                snprintf(buf, size, "%+.*f%s", decimals, rounded, unit);
}

/* "+1h 05m", "-20m", "0m". */
void output_signed_minutes(char *buf, size_t size, double minutes) {
        char d[OUTPUT_DURATION_MAX];
        long m = lround(minutes);
        if (m == 0)
                snprintf(buf, size, "0m");
        else
                snprintf(buf, size, "%c%s", m < 0 ? '-' : '+', output_duration(d, sizeof d, labs(m) * 60));
}

char *output_hours(char *buf, size_t size, double hours) {
        if (isnan(hours) || hours > 1e9 || hours < -1e9) {
                snprintf(buf, size, "-");
                return buf;
        }
        int64_t s = (int64_t) llround(hours * 3600.0);
        if (s < 60) { /* a day's figure: no seconds */
                snprintf(buf, size, "0m");
                return buf;
        }
        return output_duration(buf, size, s);
}

char *output_clock(char *buf, size_t size, int minutes) {
        if (minutes < 0)
                snprintf(buf, size, "-");
        else
                snprintf(buf, size, "%02d:%02d", minutes / 60 % 24, minutes % 60);
        return buf;
}

int output_parse_clock(const char *s, int *ret) {
        if (!s || strlen(s) != 5 || s[2] != ':')
                return -EINVAL;
        for (size_t i = 0; i < 5; i++)
                if (i != 2 && (s[i] < '0' || s[i] > '9'))
                        return -EINVAL;
        int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
        if (h > 23 || m > 59)
                return -EINVAL;
        *ret = h * 60 + m;
        return 0;
}

/* Real offsets lie within ±14 h; anything beyond a day is nonsense. */
static bool offset_valid(int32_t utc_offset) {
        return utc_offset > -86400 && utc_offset < 86400;
}

int output_offset(char *buf, size_t size, int32_t utc_offset) {
        if (!offset_valid(utc_offset))
                return -ERANGE;
        int32_t a = utc_offset < 0 ? -utc_offset : utc_offset;
        int n = snprintf(buf, size, "%c%02d:%02d", utc_offset < 0 ? '-' : '+',
                         (int) (a / 3600), (int) (a % 3600 / 60));
        return n < 0 || (size_t) n >= size ? -ENOBUFS : 0;
}

static int format_tm(char *buf, size_t size, const struct tm *tm, const char *fmt) {
        if (size == 0)
                return -ENOBUFS;
        buf[0] = '\0';
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        size_t n = strftime(buf, size, fmt, tm);
#pragma GCC diagnostic pop
        return n == 0 && *fmt ? -ENOBUFS : 0;
}

int output_bucket_time(char *buf, size_t size, int64_t start, int32_t utc_offset, const char *fmt) {
        int64_t local;
        struct tm tm;

        if (!offset_valid(utc_offset) || __builtin_add_overflow(start, (int64_t) utc_offset, &local))
                return -ERANGE;
        time_t t = (time_t) local;
        if (!gmtime_r(&t, &tm))
                return -ERANGE;
        return format_tm(buf, size, &tm, fmt);
}

int output_iso8601(char *buf, size_t size, int64_t start, int32_t utc_offset) {
        char off[8];
        int r;

        r = output_offset(off, sizeof off, utc_offset);
        if (r < 0)
                return r;
        r = output_bucket_time(buf, size, start, utc_offset, "%Y-%m-%dT%H:%M:%S");
        if (r < 0)
                return r;
        size_t len = strlen(buf);
        int n = snprintf(buf + len, size - len, "%s", off);
        return n < 0 || (size_t) n >= size - len ? -ENOBUFS : 0;
}

int output_local_time(char *buf, size_t size, int64_t t, const char *fmt) {
        time_t tt = (time_t) t;
        struct tm tm;

        if ((int64_t) tt != t || !localtime_r(&tt, &tm))
                return -ERANGE;
        return format_tm(buf, size, &tm, fmt);
}

int output_local_when(char *buf, size_t size, int64_t t) {
        char day[16], today[16];
        int r;

        r = output_local_time(day, sizeof day, t, "%Y-%m-%d");
        if (r < 0)
                return r;
        r = output_local_time(today, sizeof today, (int64_t) time(NULL), "%Y-%m-%d");
        if (r < 0)
                return r;
        return output_local_time(buf, size, t, strcmp(day, today) == 0 ? "%H:%M" : "%Y-%m-%d %H:%M");
}

char *output_size(char *buf, size_t size, int64_t bytes) {
        static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
        double v = (double) bytes;
        size_t i = 0;

        if (bytes < 1024) {
                snprintf(buf, size, "%" PRId64 " B", bytes < 0 ? 0 : bytes);
                return buf;
        }
        v /= 1024;
        while (v >= 1024 && i + 1 < sizeof units / sizeof units[0]) {
                v /= 1024;
                i++;
        }
        snprintf(buf, size, "%.1f %s", v, units[i]);
        return buf;
}

char *output_bar(char *buf, size_t size, double fraction, unsigned width) {
        /* U+258F … U+2588: one eighth to a full block. */
        static const char *const blocks[] = { "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█" };
        size_t len = 0;

        if (size == 0)
                return buf;
        if (!(fraction > 0)) /* also NaN */
                fraction = 0;
        if (fraction > 1)
                fraction = 1;
        unsigned long eighths = (unsigned long) (fraction * width * 8 + 0.5);
        if (eighths == 0 && fraction > 0 && width > 0)
                eighths = 1;
        if (glyphs_ascii) {
                for (unsigned long i = 0; i < eighths / 8 && len + 1 < size; i++)
                        buf[len++] = '#';
                if (eighths % 8 != 0 && len + 1 < size)
                        buf[len++] = eighths % 8 >= 4 ? '=' : '-';
                buf[len] = '\0';
                return buf;
        }
        for (unsigned long i = 0; i < eighths / 8 && len + 3 < size; i++, len += 3)
                memcpy(buf + len, blocks[7], 3);
        if (eighths % 8 != 0 && len + 3 < size) {
                memcpy(buf + len, blocks[eighths % 8 - 1], 3);
                len += 3;
        }
        buf[len] = '\0';
        return buf;
}

const char *output_safe(char *buf, size_t size, const char *s) {
        size_t j = 0;

        if (size == 0)
                return "";
        for (size_t i = 0; s[i] && j + 1 < size; i++) {
                unsigned char c = (unsigned char) s[i];
                /* C1 controls are U+0080–U+009F: 0xC2 0x80–0x9F in UTF-8. */
                if (c == 0xc2 && (unsigned char) s[i + 1] >= 0x80 && (unsigned char) s[i + 1] <= 0x9f) {
                        buf[j++] = '?';
                        i++;
                } else
                        buf[j++] = c < 0x20 || c == 0x7f ? '?' : (char) c;
        }
        buf[j] = '\0';
        return buf;
}

const char *output_spark(double fraction) {
        static const char *const levels[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
        static const char *const ascii[] = { "_", ".", ":", "-", "=", "+", "*", "#" };

        if (isnan(fraction))
                return " ";
        if (fraction < 0)
                fraction = 0;
        if (fraction > 1)
                fraction = 1;
        return (glyphs_ascii ? ascii : levels)[(int) lround(fraction * 7)];
}

size_t output_width(const char *s) {
        size_t n = 0;

        for (; *s; s++)
                if (((unsigned char) *s & 0xc0) != 0x80)
                        n++;
        return n;
}

json_object *output_json_double(double v) {
        char buf[40];

        if (!isfinite(v))
                return NULL;
        /* The shortest form that reads back exactly. Any double whose shortest
         * form has at most DBL_DIG (15) digits prints as that form under %.15g
         * (%g drops the trailing zeros), so start there: it is also the form
         * without a needless exponent (100, not 1e+02). */
        for (int prec = DBL_DIG; prec <= 17; prec++) {
                snprintf(buf, sizeof buf, "%.*g", prec, v);
                if (strtod(buf, NULL) == v)
                        break;
        }
        if (!strpbrk(buf, ".eE")) {
                size_t len = strlen(buf);
                snprintf(buf + len, sizeof buf - len, ".0");
        }
        return json_object_new_double_s(v, buf);
}

int output_json(json_object *o) {
        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s)
                return -ENOMEM;
        if (puts(s) == EOF)
                return -errno;
        return 0;
}

typedef struct TableCell {
        char *text;       /* NULL: empty */
        const char *ansi; /* NULL: the row's */
} TableCell;

struct OutputTable {
        const OutputColumn *cols;
        size_t n_cols;
        TableCell *cells; /* n_rows × n_cols */
        const char **row_ansi;
        size_t n_rows, cap_rows;
};

int output_table_new(const OutputColumn *cols, size_t n_cols, OutputTable **ret) {
        return NEW(ret, OutputTable, .cols = cols, .n_cols = n_cols);
}

OutputTable *output_table_free(OutputTable *t) {
        if (!t)
                return NULL;
        for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
                free(t->cells[i].text);
        FREE_ALL(t->cells, t->row_ansi, t);
        return NULL;
}

int output_table_row(OutputTable *t, const char *ansi) {
        if (t->n_rows == t->cap_rows) {
                size_t cap = t->cap_rows ? t->cap_rows * 2 : 16;
                TableCell *cells = reallocarray(t->cells, cap * t->n_cols, sizeof *cells);
                if (!cells)
                        return -ENOMEM;
                t->cells = cells;
                const char **ra = reallocarray(t->row_ansi, cap, sizeof *ra);
                if (!ra)
                        return -ENOMEM;
                t->row_ansi = ra;
                t->cap_rows = cap;
        }
        for (size_t i = 0; i < t->n_cols; i++)
                t->cells[t->n_rows * t->n_cols + i] = (TableCell) {};
        t->row_ansi[t->n_rows++] = ansi;
        return 0;
}

int output_table_cell(OutputTable *t, size_t col, const char *ansi, const char *fmt, ...) {
        va_list ap;
        char *text;
        int n;

        if (t->n_rows == 0 || col >= t->n_cols)
                return -EINVAL;
        va_start(ap, fmt);
        n = vasprintf(&text, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -ENOMEM;
        TableCell *c = &t->cells[(t->n_rows - 1) * t->n_cols + col];
        free(c->text);
        *c = (TableCell) { .text = text, .ansi = ansi };
        return 0;
}

/* The columns' widths and which of them are shown within columns cells
 * (output_table_print()'s rule); width and shown have t->n_cols entries. */
static void table_layout(const OutputTable *t, unsigned columns, size_t *width, bool *shown) {
        size_t total = 0;

        for (size_t c = 0; c < t->n_cols; c++) {
                shown[c] = false;
                width[c] = output_width(t->cols[c].header);
                for (size_t r = 0; r < t->n_rows; r++) {
                        const char *text = t->cells[r * t->n_cols + c].text;
                        if (text && *text) {
                                shown[c] = true;
                                size_t w = output_width(text);
                                if (w > width[c])
                                        width[c] = w;
                        }
                }
        }
        for (;;) {
                unsigned worst = 0;
                total = 0;
                for (size_t c = 0; c < t->n_cols; c++)
                        if (shown[c]) {
                                total += (total > 0 ? 2 : 0) + width[c];
                                if (t->cols[c].drop > worst)
                                        worst = t->cols[c].drop;
                        }
                if (total <= columns || worst == 0)
                        break;
                for (size_t c = 0; c < t->n_cols; c++)
                        if (t->cols[c].drop == worst)
                                shown[c] = false;
        }
}

int output_table_shown(const OutputTable *t, size_t col, unsigned columns) {
        _cleanup_free_ size_t *width = calloc(t->n_cols ? t->n_cols : 1, sizeof *width);
        _cleanup_free_ bool *shown = calloc(t->n_cols ? t->n_cols : 1, sizeof *shown);

        if (!width || !shown)
                return -ENOMEM;
        if (col >= t->n_cols)
                return -EINVAL;
        table_layout(t, columns, width, shown);
        return shown[col];
}

int output_table_print(const OutputTable *t, FILE *f, bool color, unsigned columns) {
        _cleanup_free_ size_t *width = calloc(t->n_cols ? t->n_cols : 1, sizeof *width);
        _cleanup_free_ bool *shown = calloc(t->n_cols ? t->n_cols : 1, sizeof *shown);

        if (!width || !shown)
                return -ENOMEM;
        table_layout(t, columns, width, shown);
        /* Padding is held back until text follows: no trailing blanks. */
        for (size_t r = 0; r <= t->n_rows; r++) {
                size_t pending = 0;
                bool first = true;
                for (size_t c = 0; c < t->n_cols; c++) {
                        if (!shown[c])
                                continue;
                        const char *text, *ansi;
                        if (r == 0) {
                                text = t->cols[c].header;
                                ansi = ANSI_BOLD;
                        } else {
                                const TableCell *cell = &t->cells[(r - 1) * t->n_cols + c];
                                text = cell->text ? cell->text : "";
                                ansi = cell->ansi ? cell->ansi : t->row_ansi[r - 1];
                        }
                        size_t pad = width[c] - output_width(text), len = strlen(text), trail = 0;
                        /* Trailing blanks of a cell (a right-aligned column's spare marker place) are padding too. */
                        while (trail < len && text[len - trail - 1] == ' ')
                                trail++;
                        pending += first ? 0 : 2;
                        first = false;
                        if (t->cols[c].right)
                                pending += pad;
                        if (len > trail) {
                                fprintf(f, "%*s", (int) pending, "");
                                pending = trail;
                                if (color && ansi && *ansi)
                                        fprintf(f, "%s%.*s" ANSI_RESET, ansi, (int) (len - trail), text);
                                else
                                        fprintf(f, "%.*s", (int) (len - trail), text);
                        } else
                                pending += trail;
                        if (!t->cols[c].right)
                                pending += pad;
                }
                fputc('\n', f);
        }
        return 0;
}

/* Bytes of the first n code points of s (all of s when shorter). */
static size_t utf8_prefix(const char *s, size_t n) {
        size_t i = 0, cps = 0;

        for (; s[i]; i++)
                if (((unsigned char) s[i] & 0xc0) != 0x80 && cps++ == n)
                        break;
        return i;
}

const char *output_truncate(char *buf, size_t size, const char *s, unsigned cells) {
        const char *ellipsis = output_glyph(GLYPH_ELLIPSIS);
        size_t e_len = strlen(ellipsis) + 1, e_cells = output_width(ellipsis);

        output_safe(buf, size, s);
        if (cells == 0 || output_width(buf) <= cells)
                return buf;
        size_t cut = utf8_prefix(buf, cells > e_cells ? cells - e_cells : 0);
        /* Room for the ellipsis: step back over whole code points. */
        while (cut > 0 && cut + e_len > size)
                do
                        cut--;
                while (cut > 0 && ((unsigned char) buf[cut] & 0xc0) == 0x80);
        if (cut + e_len <= size)
                memcpy(buf + cut, ellipsis, e_len);
        return buf;
}

/* At p, after a space that follows a digit: a unit that must stay on the
 * number's line ("29 %", "9.1 h", "+18 pp", "20 min"), then the word's end. */
static bool unit_at(const char *p) {
        static const char *const units[] = { "%", "h", "pp", "m", "min", "h/day" };

        for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                size_t n = strlen(units[i]);
                if (strncmp(p, units[i], n) == 0 && (!p[n] || strchr(" ,.;:)", p[n])))
                        return true;
        }
        return false;
}

/* The words of text (made safe as output_wrap() says) on f from cell col of
 * a line begun (after a space unless first), lines wrapped at columns cells
 * and continued at cell hang; then a newline. */
static int wrap_words(FILE *f, const char *text, unsigned col, unsigned hang, bool first, unsigned columns) {
        size_t n = strlen(text);
        _cleanup_free_ char *plain = malloc(n + 1), *safe = malloc(n + 1);

        if (!plain || !safe)
                return -ENOMEM;
        for (size_t i = 0; i <= n; i++)
                plain[i] = strchr(" \t\n\r\v\f", text[i]) && text[i] ? ' ' : text[i];
        output_safe(safe, n + 1, plain);
        for (char *p = safe; *p;) {
                if (*p == ' ') {
                        p++;
                        continue;
                }
                char *end = strchr(p, ' ');
                /* a number and its unit are one word */
                while (end && end > p && isdigit((unsigned char) end[-1]) && unit_at(end + 1))
                        end = strchr(end + 1, ' ');
                char saved = end ? *end : '\0';
                if (end)
                        *end = '\0';
                unsigned w = (unsigned) output_width(p);
                if (!first && col + 1 + w > columns) {
                        fprintf(f, "\n%*s", (int) hang, "");
                        col = hang;
                } else if (!first) {
                        fputc(' ', f);
                        col++;
                }
                fputs(p, f);
                col += w;
                first = false;
                if (!end)
                        break;
                *end = saved;
                p = end;
        }
        fputc('\n', f);
        return 0;
}

int output_wrap(FILE *f, unsigned indent, const char *prefix, const char *text, unsigned columns) {
        unsigned hang = indent + (unsigned) output_width(prefix);

        if (strspn(text, " \t\n\r\v\f") == strlen(text))
                return 0;
        if (columns < hang + 20)
                columns = hang + 20;
        fprintf(f, "%*s%s", (int) indent, "", prefix);
        return wrap_words(f, text, hang, hang, true, columns);
}

int output_wrap_on(FILE *f, unsigned col, const char *text, unsigned columns) {
        return wrap_words(f, text, col, 0, false, columns < 20 ? 20 : columns);
}

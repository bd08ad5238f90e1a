/* kizukid.conf: a table of known keys, each with a type and a range. Parsed with
 * inih through our own line reader, so every message carries the right line:
 * Debian's inih 55 is built without INI_HANDLER_LINENO and only returns the
 * first syntax error. Problems are reported through the caller's function,
 * counted, and leave the value as it was. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "macro.h"

/* Far above any sensible configuration; bounds what a stray path makes us read. */
#define CONFIG_MAX_SIZE (1024 * 1024)

#define SEC_PER_MIN INT64_C(60)
#define SEC_PER_HOUR INT64_C(3600)
#define SEC_PER_DAY INT64_C(86400)

typedef enum ConfigType {
        CONFIG_DURATION, /* int64_t seconds */
        CONFIG_BOOL,     /* bool */
        CONFIG_CLOCK,    /* int minutes after midnight */
        CONFIG_INT,      /* int */
        CONFIG_NOTIFY,   /* ConfigNotify */
} ConfigType;

typedef struct ConfigKey {
        const char *section;
        const char *name;
        ConfigType type;
        int64_t min, max; /* inclusive, for durations and integers */
        size_t offset;    /* of the field in Config */
} ConfigKey;

static const ConfigKey config_keys[] = {
        { "recording", "flush_interval", CONFIG_DURATION, 10, SEC_PER_HOUR, offsetof(Config, flush_interval_s) },
        { "recording", "hint_expiry", CONFIG_DURATION, 10, SEC_PER_DAY, offsetof(Config, hint_expiry_s) },
        { "recording", "logind", CONFIG_BOOL, 0, 1, offsetof(Config, logind) },
        { "day", "day_start", CONFIG_CLOCK, 0, 0, offsetof(Config, day_start_min) },
        { "day", "night_start", CONFIG_CLOCK, 0, 0, offsetof(Config, night_start_min) },
        { "day", "night_end", CONFIG_CLOCK, 0, 0, offsetof(Config, night_end_min) },
        { "day", "min_coverage_hours", CONFIG_INT, 0, 24, offsetof(Config, min_coverage_h) },
        { "store", "retention_days", CONFIG_INT, 1, 36500, offsetof(Config, retention_days) },
        { "store", "share_log_days", CONFIG_INT, 1, 36500, offsetof(Config, share_log_days) },
        { "nudges", "notify", CONFIG_NOTIFY, 0, 0, offsetof(Config, notify) },
};

typedef struct ConfigParser {
        Config *config;
        ConfigReport report;
        ConfigLines in;
} ConfigParser;

void config_defaults(Config *c) {
        *c = (Config) {
                .flush_interval_s = 300,
                .hint_expiry_s = 600,
                .logind = true,
                .day_start_min = 0,
                .night_start_min = 0,
                .night_end_min = 6 * 60,
                .min_coverage_h = 18,
                .retention_days = 365,
                .share_log_days = 730,
                .notify = CONFIG_NOTIFY_DISCREET,
        };
}

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

/* Accumulate a run of decimal digits at *s into *v; false on overflow. */
static bool parse_digits(const char **s, int64_t *v) {
        int64_t n = 0;

        for (; is_digit(**s); (*s)++) {
                int d = **s - '0';
                if (n > (INT64_MAX - d) / 10)
                        return false;
                n = n * 10 + d;
        }
        *v = n;
        return true;
}

/* Units, largest first; within a value they must come in this order, each once. */
static const struct {
        const char *name;
        int64_t seconds;
} duration_units[] = {
        { "d", SEC_PER_DAY },      { "day", SEC_PER_DAY },          { "days", SEC_PER_DAY },
        { "h", SEC_PER_HOUR },     { "hour", SEC_PER_HOUR },        { "hours", SEC_PER_HOUR },
        { "m", SEC_PER_MIN },      { "min", SEC_PER_MIN },          { "minute", SEC_PER_MIN },
        { "minutes", SEC_PER_MIN }, { "s", 1 },                     { "sec", 1 },
        { "second", 1 },           { "seconds", 1 },
};

/* Grammar: a bare number of seconds, or one or more "<number>[ ]<unit>" with
 * units in decreasing size ("1h30min", "1h 30min", "90 s"). */
int parse_duration(const char *s, int64_t *ret) {
        int64_t total = 0, last_unit = INT64_MAX;

        if (!s || !ret || !is_digit(*s))
                return -EINVAL;

        for (;;) {
                int64_t n, unit = 0;
                size_t len;

                if (!parse_digits(&s, &n))
                        return -EINVAL;
                if (*s == '\0' && last_unit == INT64_MAX) {
                        unit = 1; /* bare seconds */
                        len = 0;
                } else {
                        if (*s == ' ')
                                s++;
                        for (len = 0; s[len] >= 'a' && s[len] <= 'z'; len++)
                                ;
                        for (size_t i = 0; i < ELEMENTSOF(duration_units); i++)
                                if (strlen(duration_units[i].name) == len &&
                                    strncmp(duration_units[i].name, s, len) == 0)
                                        unit = duration_units[i].seconds;
                        if (unit == 0 || unit >= last_unit)
                                return -EINVAL;
                }
                if (n > INT64_MAX / unit || total > INT64_MAX - n * unit)
                        return -EINVAL;
                total += n * unit;
                last_unit = unit;
                s += len;

                if (*s == '\0')
                        break;
                if (*s == ' ')
                        s++;
                if (!is_digit(*s))
                        return -EINVAL;
        }

        *ret = total;
        return 0;
}

/* "HH:MM" or "H:MM". */
int parse_clock(const char *s, int *ret) {
        int h, m;

        if (!s || !ret || !is_digit(s[0]))
                return -EINVAL;
        h = s[0] - '0';
        s++;
        if (is_digit(*s)) {
                h = h * 10 + (*s - '0');
                s++;
        }
        if (s[0] != ':' || !is_digit(s[1]) || !is_digit(s[2]) || s[3] != '\0')
                return -EINVAL;
        m = (s[1] - '0') * 10 + (s[2] - '0');
        if (h > 23 || m > 59)
                return -EINVAL;
        *ret = h * 60 + m;
        return 0;
}

int parse_bool(const char *s, bool *ret) {
        static const char *const yes[] = { "yes", "true", "on", "1" };
        static const char *const no[] = { "no", "false", "off", "0" };

        for (size_t i = 0; i < ELEMENTSOF(yes); i++) {
                if (strcasecmp(s, yes[i]) == 0) {
                        *ret = true;
                        return 0;
                }
                if (strcasecmp(s, no[i]) == 0) {
                        *ret = false;
                        return 0;
                }
        }
        return -EINVAL;
}

static const char *const notify_names[] = {
        [CONFIG_NOTIFY_NO] = "no",
        [CONFIG_NOTIFY_DISCREET] = "discreet",
        [CONFIG_NOTIFY_FULL] = "full",
};

const char *config_notify_name(ConfigNotify n) {
        return (unsigned) n < ELEMENTSOF(notify_names) ? notify_names[n] : "no";
}

/* "yes" (and true/on/1) is the discreet kind: it meant "on" when notify was a
 * boolean, and what a notification says beyond a neutral line is the person's
 * explicit choice (full). */
int parse_notify(const char *s, ConfigNotify *ret) {
        bool b;

        for (size_t i = 0; i < ELEMENTSOF(notify_names); i++)
                if (strcasecmp(s, notify_names[i]) == 0) {
                        *ret = (ConfigNotify) i;
                        return 0;
                }
        if (parse_bool(s, &b) < 0)
                return -EINVAL;
        *ret = b ? CONFIG_NOTIFY_DISCREET : CONFIG_NOTIFY_NO;
        return 0;
}

/* Decimal digits only: no sign, no spaces, no base prefixes. */
static int parse_int(const char *s, int64_t *ret) {
        long long v;
        char *end;

        if (!is_digit(*s))
                return -EINVAL;
        errno = 0;
        v = strtoll(s, &end, 10);
        if (errno != 0 || *end != '\0')
                return -EINVAL;
        *ret = v;
        return 0;
}

/* "1h30min", "10s", "1d": the shortest spelling in our own grammar. */
static void format_duration(int64_t s, char *buf, size_t size) {
        static const struct {
                const char *unit;
                int64_t seconds;
        } parts[] = { { "d", SEC_PER_DAY }, { "h", SEC_PER_HOUR }, { "min", SEC_PER_MIN }, { "s", 1 } };
        size_t n = 0;

        if (s <= 0) {
                snprintf(buf, size, "%" PRId64 "s", s);
                return;
        }
        buf[0] = '\0';
        for (size_t i = 0; i < ELEMENTSOF(parts); i++) {
                int k;

                if (s < parts[i].seconds)
                        continue;
                k = snprintf(buf + n, size - n, "%" PRId64 "%s", s / parts[i].seconds, parts[i].unit);
                if (k < 0 || (size_t) k >= size - n)
                        return; /* truncated, still terminated */
                n += (size_t) k;
                s %= parts[i].seconds;
        }
}

static void format_value(const Config *c, const ConfigKey *k, char *buf, size_t size) {
        const char *field = (const char *) c + k->offset;

        switch (k->type) {
        case CONFIG_DURATION:
                format_duration(*(const int64_t *) field, buf, size);
                break;
        case CONFIG_BOOL:
                snprintf(buf, size, "%s", *(const bool *) field ? "yes" : "no");
                break;
        case CONFIG_CLOCK: {
                int m = *(const int *) field;
                snprintf(buf, size, "%02d:%02d", m / 60, m % 60);
                break;
        }
        case CONFIG_INT:
                snprintf(buf, size, "%d", *(const int *) field);
                break;
        case CONFIG_NOTIFY:
                snprintf(buf, size, "%s", config_notify_name(*(const ConfigNotify *) field));
                break;
        }
}

static void format_expected(const ConfigKey *k, char *buf, size_t size) {
        char lo[32], hi[32];

        switch (k->type) {
        case CONFIG_DURATION:
                format_duration(k->min, lo, sizeof lo);
                format_duration(k->max, hi, sizeof hi);
                snprintf(buf, size, "a duration from %s to %s", lo, hi);
                break;
        case CONFIG_BOOL:
                snprintf(buf, size, "yes or no");
                break;
        case CONFIG_CLOCK:
                snprintf(buf, size, "a time of day from 00:00 to 23:59");
                break;
        case CONFIG_INT:
                snprintf(buf, size, "an integer from %" PRId64 " to %" PRId64, k->min, k->max);
                break;
        case CONFIG_NOTIFY:
                snprintf(buf, size, "no, discreet or full");
                break;
        }
}

/* Parse value for k and store it in c; -EINVAL (c untouched) if it is not valid. */
static int config_set(Config *c, const ConfigKey *k, const char *value) {
        char *field = (char *) c + k->offset;
        int64_t v;
        bool b;
        int m;

        switch (k->type) {
        case CONFIG_DURATION:
                if (parse_duration(value, &v) < 0 || v < k->min || v > k->max)
                        return -EINVAL;
                *(int64_t *) field = v;
                return 0;
        case CONFIG_BOOL:
                if (parse_bool(value, &b) < 0)
                        return -EINVAL;
                *(bool *) field = b;
                return 0;
        case CONFIG_CLOCK:
                if (parse_clock(value, &m) < 0)
                        return -EINVAL;
                *(int *) field = m;
                return 0;
        case CONFIG_INT:
                if (parse_int(value, &v) < 0 || v < k->min || v > k->max)
                        return -EINVAL;
                *(int *) field = (int) v;
                return 0;
        case CONFIG_NOTIFY:
                return parse_notify(value, (ConfigNotify *) field);
        }
        return -EINVAL;
}

/* Text from the file, quoted into a message: control and non-ASCII bytes as
 * \xNN, cut short (with "...") when it does not fit. */
const char *config_escape(const char *s, char *buf, size_t size) {
        size_t n = 0;

        for (; *s; s++) {
                unsigned char c = (unsigned char) *s;

                if (n + 8 >= size) {
                        memcpy(buf + n, "...", 3);
                        n += 3;
                        break;
                }
                if (c >= 0x20 && c < 0x7f && c != '\\')
                        buf[n++] = (char) c;
                else
                        n += (size_t) snprintf(buf + n, size - n, "\\x%02x", c);
        }
        buf[n] = '\0';
        return buf;
}

void config_format_problem(char *buf, size_t size, const char *file, int line, const char *fmt, va_list ap) {
        int n = line > 0 ? snprintf(buf, size, "%s:%d: ", file, line) : snprintf(buf, size, "%s: ", file);

        if (n >= 0 && (size_t) n < size)
                vsnprintf(buf + n, size - (size_t) n, fmt, ap);
}

void config_report(ConfigReport *r, int line, const char *fmt, ...) {
        char msg[2048];
        va_list ap;

        r->problems++;
        if (!r->warn)
                return;
        va_start(ap, fmt);
        config_format_problem(msg, sizeof msg, r->file, line, fmt, ap);
        va_end(ap);
        r->warn(msg, r->userdata);
}

const char *config_ini_find(const char *s, const char *e, const char *chars) {
        bool was_space = false;

        for (; s < e; s++) {
                if ((chars && strchr(chars, *s)) || (was_space && *s == ';'))
                        return s;
                was_space = isspace((unsigned char) *s);
        }
        return e;
}

/* What inih will make of line (ini_parse_stream() of inih r55, multi-line
 * values on): a blank line or comment, a continuation of the last key's
 * value, a section header (text after its ']' is a problem: inih drops it),
 * a key line or an error; the last three go on to in->classify. */
static void config_lines_classify(ConfigLines *in, const char *line, size_t len) {
        const char *s = line, *e = line + len, *q;
        char what[160], text[64];

        in->continuation = false;
        if (in->line == 1 && len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
                s += 3;
        while (e > s && isspace((unsigned char) e[-1]))
                e--;
        while (s < e && isspace((unsigned char) *s))
                s++;
        if (s == e || *s == ';' || *s == '#')
                return; /* blank or comment */
        if (in->prev_name && s > line) {
                in->continuation = true;
                return;
        }
        if (in->classify)
                in->classify(in->userdata, s, e);
        if (*s == '[') {
                q = config_ini_find(s + 1, e, "]");
                if (q == e || *q != ']')
                        return; /* a syntax error, the parser's to report */
                in->prev_name = false;
                for (q++; q < e && isspace((unsigned char) *q); q++)
                        ;
                if (q < e && *q != ';') {
                        char raw[256]; /* escaped, as much of it as fits in text */
                        size_t n = (size_t) (e - q) < sizeof raw ? (size_t) (e - q) : sizeof raw - 1;
                        memcpy(raw, q, n);
                        raw[n] = '\0';
                        snprintf(what, sizeof what, "text '%s' after the section header",
                                 config_escape(raw, text, sizeof text));
                        in->problem(in->userdata, in->line, what);
                }
                return;
        }
        q = config_ini_find(s, e, "=:");
        if (q < e && (*q == '=' || *q == ':'))
                in->prev_name = q > s; /* the name is empty when the line starts with '=' */
}

char *config_lines_read(char *str, int num, void *stream) {
        ConfigLines *in = stream;
        const char *eol;
        size_t len;
        char what[64];

        if (in->p >= in->end || num <= in->spare)
                return NULL;
        eol = memchr(in->p, '\n', (size_t) (in->end - in->p));
        len = (size_t) ((eol ? eol : in->end) - in->p);
        in->line++;

        if (len > (size_t) (num - in->spare)) {
                snprintf(what, sizeof what, "line longer than %d characters", num - in->spare);
                in->problem(in->userdata, in->line, what);
                str[0] = '\0';
                len = 0;
        } else if (memchr(in->p, '\0', len)) {
                in->problem(in->userdata, in->line, "NUL byte in line");
                str[0] = '\0';
                len = 0;
        } else {
                memcpy(str, in->p, len);
                str[len] = '\0';
        }
        in->p += (size_t) ((eol ? eol + 1 : in->end) - in->p);
        config_lines_classify(in, str, len);
        return str;
}

/* A line the reader could not hand over is skipped, and says so. */
static void config_line_problem(void *userdata, int line, const char *what) {
        ConfigParser *p = userdata;

        config_report(&p->report, line, "%s, ignored", what);
}

static const ConfigKey *config_find_key(const char *section, const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(config_keys); i++)
                if (strcmp(config_keys[i].section, section) == 0 && strcmp(config_keys[i].name, name) == 0)
                        return &config_keys[i];
        return NULL;
}

/* Always "success" to inih: we report problems ourselves, so that its return
 * value is left meaning "first syntax error". Duplicate keys: the last wins. */
static int config_handler(void *userdata, const char *section, const char *name, const char *value) {
        ConfigParser *p = userdata;
        char ename[256], esection[256], evalue[1024], expected[128], current[64];
        const ConfigKey *k = config_find_key(section, name);

        if (!k) {
                if (*section)
                        config_report(&p->report, p->in.line, "unknown key '%s' in section [%s]",
                                      config_escape(name, ename, sizeof ename), config_escape(section, esection, sizeof esection));
                else
                        config_report(&p->report, p->in.line, "key '%s' outside any section", config_escape(name, ename, sizeof ename));
                return 1;
        }
        value = value ?: ""; /* only with INI_ALLOW_NO_VALUE */
        if (config_set(p->config, k, value) < 0) {
                format_expected(k, expected, sizeof expected);
                format_value(p->config, k, current, sizeof current);
                config_report(&p->report, p->in.line, "invalid value '%s' for %s (expected %s), keeping %s",
                              config_escape(value, evalue, sizeof evalue), k->name, expected, current);
        }
        return 1;
}

static int config_parse(Config *c, const char *text, size_t size, const char *name, ConfigWarnFn warn, void *userdata) {
        ConfigParser p = {
                .config = c,
                .report = { .file = name ?: "kizukid.conf", .warn = warn, .userdata = userdata },
        };
        int r;

        p.in = (ConfigLines) {
                .p = text,
                .end = text + size,
                .spare = 1,
                .problem = config_line_problem,
                .userdata = &p,
        };
        r = ini_parse_stream(config_lines_read, &p.in, config_handler, &p);
        if (r == -2)
                return -ENOMEM;
        if (r > 0)
                config_report(&p.report, r, "syntax error");
        return p.report.problems;
}

int config_parse_string(Config *c, const char *text, const char *name, ConfigWarnFn warn, void *userdata) {
        if (!c || !text)
                return -EINVAL;
        return config_parse(c, text, strlen(text), name, warn, userdata);
}

int config_read_file(const char *path, size_t max, char **ret, size_t *ret_len) {
        _cleanup_free_ char *buf = NULL;
        _cleanup_close_ int fd = -1;
        struct stat st;
        size_t n;
        FILE *f;

        if (!path || !ret || !ret_len)
                return -EINVAL;
        /* O_NONBLOCK: a FIFO in place of the file must not hang us; only a
         * regular file is read. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0)
                return -errno;
        if (fstat(fd, &st) < 0)
                return -errno;
        if (!S_ISREG(st.st_mode))
                return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
        buf = malloc(max + 1);
        if (!buf)
                return -ENOMEM;
        f = fdopen(fd, "r");
        if (!f)
                return -errno;
        fd = -1; /* f owns it now */
        n = fread(buf, 1, max + 1, f);
        if (ferror(f)) {
                int r = errno > 0 ? -errno : -EIO;
                fclose(f);
                return r;
        }
        fclose(f);
        if (n > max)
                return -EFBIG;
        buf[n] = '\0';
        *ret = TAKE_PTR(buf);
        *ret_len = n;
        return 0;
}

int config_load(Config *c, const char *path, ConfigWarnFn warn, void *userdata) {
        _cleanup_free_ char *buf = NULL;
        size_t n;

        if (!c || !path)
                return -EINVAL;
        /* Read it all first: a file that cannot be read changes nothing. */
        int r = config_read_file(path, CONFIG_MAX_SIZE, &buf, &n);
        if (r < 0)
                return r;
        return config_parse(c, buf, n, path, warn, userdata);
}

#include "output.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

int output_json(json_object *o) {
        const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s)
                return -ENOMEM;
        if (puts(s) == EOF)
                return -errno;
        return 0;
}

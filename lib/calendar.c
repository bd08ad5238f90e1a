#include "calendar.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int parse_date(const char *s, int64_t *ret) {
        int y, m, d, n = 0;
        if (!s || strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10)
                return -EINVAL;
        if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
                return -EINVAL;
        struct tm tm = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d };
        time_t t = timegm(&tm);
        /* timegm normalises 2026-02-30 to March: refuse what it had to change. */
        if (tm.tm_year != y - 1900 || tm.tm_mon != m - 1 || tm.tm_mday != d)
                return -EINVAL;
        *ret = (int64_t) t;
        return 0;
}

int format_date(int64_t local, char ret[static DATE_MAX]) {
        time_t t = (time_t) local;
        struct tm tm;
        if (!gmtime_r(&t, &tm) || strftime(ret, DATE_MAX, "%Y-%m-%d", &tm) == 0)
                return -ERANGE;
        return 0;
}

int64_t local_midnight(int64_t t, int32_t off) {
        return floor_div(t + off, DAY_SECONDS) * DAY_SECONDS;
}

/* ISO 8601: the week belongs to the year of its Thursday; week 1 holds that
 * year's first Thursday (and so 4 January). */
int iso_week_of(int64_t day, char ret[static ISO_WEEK_MAX], int64_t *ret_monday) {
        int64_t n = floor_div(day, DAY_SECONDS);
        int64_t monday = n - weekday_of(n), thursday = monday + 3;
        time_t t = (time_t) (thursday * DAY_SECONDS);
        struct tm tm;
        if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 1 || tm.tm_year + 1900 > 9999)
                return -ERANGE;
        int week = tm.tm_yday / 7 + 1; /* the yday of a Thursday: week 1 has days 0..6 */
        snprintf(ret, ISO_WEEK_MAX, "%04d-W%02d", tm.tm_year + 1900, week);
        if (ret_monday)
                *ret_monday = monday * DAY_SECONDS;
        return 0;
}

int iso_week_parse(const char *s, int64_t *ret_monday) {
        /* Digits exactly where they belong: sscanf's %d would also take a sign
         * or skip white space (a newline too), and the week is echoed back. */
        if (!s || strlen(s) != 8 || s[4] != '-' || s[5] != 'W')
                return -EINVAL;
        for (size_t i = 0; i < 8; i++)
                if (i != 4 && i != 5 && (s[i] < '0' || s[i] > '9'))
                        return -EINVAL;
        int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
        int w = (s[6] - '0') * 10 + (s[7] - '0');
        if (y < 1971 || y > 9998 || w < 1 || w > 53)
                return -EINVAL;
        char jan4[16], again[ISO_WEEK_MAX];
        int64_t j4, monday;
        snprintf(jan4, sizeof jan4, "%04d-01-04", y);
        if (parse_date(jan4, &j4) < 0)
                return -EINVAL;
        monday = j4 + (7 * (int64_t) (w - 1) - weekday_of(j4 / DAY_SECONDS)) * DAY_SECONDS;
        /* W53 of a year with 52 weeks is week 1 of the next: refuse it. */
        if (iso_week_of(monday, again, NULL) < 0 || strcmp(again, s) != 0)
                return -EINVAL;
        *ret_monday = monday;
        return 0;
}

double time_of_day_diff(double a, double b) {
        double d = fmod(a - b, 1440.0);
        if (d > 720)
                d -= 1440;
        if (d <= -720)
                d += 1440;
        return d;
}

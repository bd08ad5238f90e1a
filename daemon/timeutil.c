#include "timeutil.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "macro.h"

int32_t tz_offset_at(int64_t t, void *userdata) {
        (void) userdata;
        time_t tt = (time_t) t;
        struct tm tm;
        if (!localtime_r(&tt, &tm))
                return 0;
        return (int32_t) tm.tm_gmtoff;
}

static int64_t clock_us(clockid_t id) {
        struct timespec ts;
        if (clock_gettime(id, &ts) < 0)
                return 0;
        return (int64_t) ts.tv_sec * USEC_PER_SEC + ts.tv_nsec / 1000;
}

void acct_time_now(AcctTime *ret) {
        ret->boot_us = clock_us(CLOCK_BOOTTIME);
        ret->mono_us = clock_us(CLOCK_MONOTONIC);
        ret->wall_us = clock_us(CLOCK_REALTIME);
}

static int64_t floor_div(int64_t a, int64_t b) {
        int64_t q = a / b;
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

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

int64_t local_midnight(int64_t t, int32_t off) {
        return floor_div(t + off, 86400) * 86400;
}

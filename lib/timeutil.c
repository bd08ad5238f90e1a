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


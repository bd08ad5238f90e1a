/* Local time helpers around localtime_r/timegm for the daemon's shell. */
#pragma once

#include <stdint.h>

#include "accountant.h"

/* The offset (seconds east of UTC) of the process's time zone at UTC instant t.
 * An AcctOffsetFn; userdata is unused. */
int32_t tz_offset_at(int64_t t, void *userdata);

/* The three clocks now. */
void acct_time_now(AcctTime *ret);

/* "YYYY-MM-DD" → local seconds of its 00:00 (the date-time read as UTC). -EINVAL if invalid. */
int parse_date(const char *s, int64_t *ret);

/* The local date (as local seconds of 00:00) of UTC instant t under offset off. */
int64_t local_midnight(int64_t t, int32_t off);

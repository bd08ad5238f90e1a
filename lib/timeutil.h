/* The clocks and the process's time zone (calendar arithmetic: calendar.h). */
#pragma once

#include <stdint.h>

#include "accountant.h"
#include "calendar.h"

/* The offset (seconds east of UTC) of the process's time zone at UTC instant t.
 * An AcctOffsetFn; userdata is unused. */
int32_t tz_offset_at(int64_t t, void *userdata);

/* The three clocks now. */
void acct_time_now(AcctTime *ret);

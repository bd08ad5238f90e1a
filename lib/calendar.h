/* Calendar arithmetic on "local seconds" (a local date-time read as if it were
 * UTC): days, weekdays and ISO 8601 weeks; and times of day in minutes. Pure:
 * no clock, no time zone. */
#pragma once

#include <stdint.h>

#define DAY_SECONDS INT64_C(86400)
#define ISO_WEEK_MAX 32 /* "YYYY-Www" and its NUL, with room the compiler can see */
#define DATE_MAX 16     /* "YYYY-MM-DD" and its NUL, with room */

/* a / b rounded toward minus infinity (b > 0): days and hours before 1970. */
static inline int64_t floor_div(int64_t a, int64_t b) {
        int64_t q = a / b;
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* a mod b in [0, b) for b > 0. */
static inline int64_t floor_mod(int64_t a, int64_t b) {
        return a - floor_div(a, b) * b;
}

/* Monday 0 … Sunday 6 of day number dn (days since 1970-01-01, a Thursday). */
static inline int64_t weekday_of(int64_t dn) {
        return floor_mod(dn + 3, 7);
}

/* "YYYY-MM-DD" → local seconds of its 00:00 (the date-time read as UTC).
 * Years 1970..9999 and real dates only; -EINVAL otherwise. */
int parse_date(const char *s, int64_t *ret);

/* Local seconds (any time of the day) → "YYYY-MM-DD", the date read as UTC;
 * the reverse of parse_date(). -ERANGE when it cannot be written. */
int format_date(int64_t local, char ret[static DATE_MAX]);

/* The local date (as local seconds of 00:00) of UTC instant t under offset off. */
int64_t local_midnight(int64_t t, int32_t off);

/* The ISO 8601 week "YYYY-Www" that day (local seconds, any time of the day)
 * falls in, and the local seconds of its Monday (ret_monday may be NULL).
 * -ERANGE for a day outside years 1..9999. */
int iso_week_of(int64_t day, char ret[static ISO_WEEK_MAX], int64_t *ret_monday);

/* "YYYY-Www" exactly as iso_week_of() spells it (a capital W, two-digit week),
 * for a week that exists (W53 only in years that have one), years 1971..9998
 * → the local seconds of its Monday. -EINVAL otherwise. */
int iso_week_parse(const char *s, int64_t *ret_monday);

/* The change from time of day b to time of day a, in minutes after midnight
 * (either may lie outside 0..1439, as a mean of times can), brought into
 * (-720, +720]: from 23:30 to 00:30 is +60, not -1380. */
double time_of_day_diff(double a, double b);

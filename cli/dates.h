/* The days and weeks people name on the command line: dates, weeks, and the
 * relative words (today, yesterday, -7d, -2w, this-week, last-week) counted
 * from today as kizuki counts days, from day_start to day_start (signals.h).
 * Days are "local seconds" of their 00:00 (calendar.h). */
#pragma once

#include <stdint.h>

#include "output.h"

/* arg as a day, relative words counted from today (the local seconds of
 * kizuki's today): "YYYY-MM-DD"; "today"; "yesterday" (today - 1 day); "-Nd"
 * (N days before today) and "-Nw" (7N days before), N from 0 to 36500;
 * "this-week" and "last-week" (the Monday of the ISO week that holds today,
 * or of the week before). Pure. -EINVAL for anything else or a day before
 * 1970 or after 9999. */
int dates_parse_day_at(const char *arg, int64_t today, int64_t *ret_day);

/* arg as an ISO week, the local seconds of its Monday: "YYYY-Www" (also
 * "YYYY-wWW"); "this-week" (the week that holds today), "last-week" and "-Nw"
 * (the week N weeks before this one, N from 0 to 36500). Pure. -EDOM for week 53 of a year that has 52 (see dates_weeks_in_year()),
 * -EINVAL for anything else. */
int dates_parse_week_at(const char *arg, int64_t today, int64_t *ret_monday);

/* The number of ISO weeks of year (1971..9998): 52 or 53. */
int dates_weeks_in_year(int year);

/* Today as kizuki counts days: the local date of now less day_start, as
 * kizukid.conf sets it in its default place ($XDG_CONFIG_HOME/kizuki/, else
 * ~/.config/kizuki/; 00:00 when it is absent or unreadable). With day_start
 * 04:00, today at 02:00 is the calendar day before. -ERANGE when the clock
 * cannot be read as a local time. */
int dates_today(int64_t *ret_today);

/* dates_parse_day_at() from dates_today() (read only for a relative word);
 * NULL is today. ret_date gets "YYYY-MM-DD". -EINVAL for a bad day, -ERANGE
 * when the clock fails. */
int dates_parse_day(const char *arg, char ret_date[static OUTPUT_DATE_MAX], int64_t *ret_day);

/* dates_parse_week_at() from dates_today() (read only for a relative word).
 * -EDOM, -EINVAL as there, -ERANGE when the clock fails. */
int dates_parse_week(const char *arg, int64_t *ret_monday);

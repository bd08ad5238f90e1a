/* History: the stored and pending hours turned into what the person asks
 * about: daily signals and check-ins, the week model (GetWeek, GetDigest,
 * the policies' history), the digest's nudges and grid. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "daemon-state.h"

/* Signals and check-ins of the local days first..last (local seconds of
 * 00:00), after accounting the time so far. */
int history_days(Daemon *d, int64_t first, int64_t last, DaySignals **ret, size_t *ret_n, Checkin **ret_c,
                 size_t *ret_nc);

/* What GetWeek and GetDigest tell of the week starting on mon: the signals
 * of the weeks weeks ending with it (at least 5: the baseline), their
 * check-ins, the week's mean, the week before's mean and the baseline
 * (medians of the 28 days before). */
typedef struct WeekModel {
        DaySignals *days; /* weeks × 7, oldest first: the week is the last 7 */
        size_t n_days;
        Checkin *checkins;
        size_t n_checkins;
        Figures mean, previous, baseline;
} WeekModel;

#define HISTORY_WEEKS_MIN 5
int history_week(Daemon *d, int64_t mon, size_t weeks, WeekModel *ret);
/* The 7 days of the week itself. */
static inline const DaySignals *history_week_days(const WeekModel *w) {
        return w->days + w->n_days - 7;
}
void history_week_done(WeekModel *w);
/* The check-in of a day among c (sorted by date, as the store gives them), or NULL. */
const Checkin *history_find_checkin(const Checkin *c, size_t n, int64_t date);

/* The nudges raised for days of the week starting on mon, oldest first. */
int history_week_nudges(Daemon *d, int64_t mon, NudgeRecord **ret, size_t *ret_n);
/* The week's active minutes per hour, rows from the day start (see
 * digest_model_hours()). */
int history_week_grid(Daemon *d, int64_t mon, int ret[7][24]);

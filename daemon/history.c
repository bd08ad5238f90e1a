/* History (history.h). Calls the recorder (to account the time so far and
 * for the hours, stored plus pending), the store and lib/ (signals, summary,
 * digest model); nothing above it. */
#include "history.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "digest-model.h"
#include "macro.h"
#include "recorder.h"
#include "signals.h"

#define DAY INT64_C(86400)

int history_days(Daemon *d, int64_t first, int64_t last, DaySignals **ret, size_t *ret_n, Checkin **ret_c,
                 size_t *ret_nc) {
        _cleanup_free_ AcctBucket *b = NULL;
        size_t n = 0;
        recorder_update(d);
        /* Rhythm looks 6 days back; sleep from noon the day before; the day start
         * and the widest offsets shift local days by up to a day either way. */
        int r = recorder_hours(d, first - 8 * DAY, last + 3 * DAY, &b, &n);
        if (r < 0)
                return r;
        SignalsConfig cfg = {
                .day_start_min = d->config.day_start_min,
                .night_start_min = d->config.night_start_min,
                .night_end_min = d->config.night_end_min,
        };
        r = signals_days(b, n, &cfg, first, last, ret, ret_n);
        if (r < 0)
                return r;
        r = store_get_checkins(d->store, first, last + DAY, ret_c, ret_nc);
        if (r < 0) {
                free(*ret);
                *ret = NULL;
        }
        return r;
}

const Checkin *history_find_checkin(const Checkin *c, size_t n, int64_t date) {
        size_t i = LOWER_BOUND(c, n, date, date);
        return i < n && c[i].date == date ? &c[i] : NULL;
}

void history_week_done(WeekModel *w) {
        free(TAKE_PTR(w->days));
        free(TAKE_PTR(w->checkins));
}

int history_week(Daemon *d, int64_t mon, size_t weeks, WeekModel *ret) {
        *ret = (WeekModel) {};
        if (weeks < HISTORY_WEEKS_MIN)
                return -EINVAL;
        int q = history_days(d, mon - (int64_t) (weeks - 1) * 7 * DAY, mon + 6 * DAY, &ret->days, &ret->n_days,
                             &ret->checkins, &ret->n_checkins);
        if (q < 0)
                return q;
        if (ret->n_days != weeks * 7) {
                history_week_done(ret);
                return -EIO;
        }
        double cov = d->config.min_coverage_h;
        int ds = d->config.day_start_min;
        const DaySignals *week = history_week_days(ret);
        summary_figures(week, 7, ret->checkins, ret->n_checkins, cov, ds, FIGURES_MEAN, &ret->mean);
        summary_figures(week - 7, 7, ret->checkins, ret->n_checkins, cov, ds, FIGURES_MEAN, &ret->previous);
        summary_figures(week - 28, 28, ret->checkins, ret->n_checkins, cov, ds, FIGURES_MEDIAN, &ret->baseline);
        return 0;
}

int history_week_nudges(Daemon *d, int64_t mon, NudgeRecord **ret, size_t *ret_n) {
        NudgeRecord *v = NULL;
        size_t n = 0;
        int q = store_get_nudges(d->store, true, (int64_t) time(NULL), &v, &n);
        if (q < 0)
                return q;
        NudgeRecord *week = calloc(n + 1, sizeof *week);
        if (!week) {
                nudge_records_free(v, n);
                return -ENOMEM;
        }
        /* The store gives the newest first. */
        size_t k = 0;
        for (size_t i = n; i > 0; i--)
                if (digest_model_in_week(v[i - 1].date, mon)) {
                        week[k++] = v[i - 1];
                        v[i - 1] = (NudgeRecord) {};
                }
        nudge_records_free(v, n);
        *ret = week;
        *ret_n = k;
        return 0;
}

int history_week_grid(Daemon *d, int64_t mon, int ret[7][24]) {
        _cleanup_free_ AcctBucket *b = NULL;
        size_t nb = 0;
        int64_t start = mon + (int64_t) d->config.day_start_min * 60;
        /* A day start shifts the window; offsets are in the buckets themselves,
         * so read a day more on either side and let the grid pick. */
        int q = recorder_hours(d, start - DAY, start + 8 * DAY, &b, &nb);
        if (q < 0)
                return q;
        digest_model_hours(b, nb, start, ret);
        return 0;
}

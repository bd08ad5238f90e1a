/* Policies: which history judges a day (policy.h "Replay window"), and every
 * day of a range judged on its own. kizukid (one day at a time, as days become
 * complete) and kizuki policy test / explain (a range) both call
 * policy_judge(), so what the daemon raises for a day is what the CLI shows
 * for it, given the same stored history. Pure.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "macro.h"
#include "policy-internal.h"

int64_t policy_replay_start(int64_t day) {
        /* Day numbers counted from a Monday (1970-01-05 is day 4), so the grid
         * starts on Mondays. */
        int64_t dn = floor_div(day, DAY_SECONDS) - 4;
        int64_t start = floor_div(dn - POLICY_REPLAY_LEAD_DAYS, POLICY_REPLAY_GRID_DAYS) * POLICY_REPLAY_GRID_DAYS;
        return (start + 4) * DAY_SECONDS;
}

/* Index of the first day of days[0..n) on or after date. */
static size_t day_at_or_after(const DaySignals *days, size_t n, int64_t date) {
        return LOWER_BOUND(days, n, date, date);
}

int policy_judge(Policy *const *p, size_t n_p, const DaySignals *days, size_t n_days, const Checkin *c, size_t n_c,
                 double min_coverage_h, int day_start_min, size_t first, PolicyEval **ret) {
        PolicyEval *out = NULL;

        if (!ret || (n_days > 0 && !days) || first > n_days)
                return -EINVAL;
        *ret = NULL;
        for (size_t d = 1; d < n_days; d++)
                if (days[d].date != days[d - 1].date + DAY_SECONDS)
                        return -EINVAL; /* consecutive days only: the windows count days by index */
        if (n_p > 0 && n_days > SIZE_MAX / sizeof(PolicyEval) / n_p)
                return -ENOMEM;
        out = calloc(MAX(n_p * n_days, (size_t) 1), sizeof *out);
        if (!out)
                return -ENOMEM;
        for (size_t i = 0; i < n_p; i++)
                for (size_t d = 0; d < n_days; d++)
                        out[i * n_days + d] = (PolicyEval) {
                                .date = days[d].date,
                                .value = NAN,
                                .baseline = NAN,
                                .spread = NAN,
                                .score = NAN,
                        };

        /* Days that share a window start share one replay: the replay of a
         * window ends on the last day that belongs to it. The first group's
         * replay also fills the days of its lead-in, so a caller can look back
         * at how the first day's state came about. */
        for (size_t d = first; d < n_days;) {
                int64_t start = policy_replay_start(days[d].date);
                size_t s = day_at_or_after(days, n_days, start), e = d;
                PolicyEval *ev = NULL;

                while (e + 1 < n_days && policy_replay_start(days[e + 1].date) == start)
                        e++;
                int r = policy_replay(p, n_p, days + s, e - s + 1, c, n_c, min_coverage_h, day_start_min, &ev);
                if (r < 0) {
                        free(out);
                        return r;
                }
                size_t from = d == first ? s : d;
                for (size_t i = 0; i < n_p; i++)
                        memcpy(&out[i * n_days + from], &ev[i * (e - s + 1) + (from - s)],
                               (e - from + 1) * sizeof *out);
                free(ev);
                d = e + 1;
        }
        *ret = out;
        return 0;
}

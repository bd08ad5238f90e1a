/* Daily signals from hourly buckets: see signals.h for the contract and
 * docs/signals.md for the formulas in plain words.
 *
 * Buckets are sorted by UTC start, but their local starts (start + utc_offset)
 * are not quite monotonic: on an autumn day the local clock goes back an hour.
 * Since every offset is below a day in size, the buckets whose local start lies
 * in [lo, hi) all have a UTC start in (lo - 1 day, hi + 1 day): each figure binary
 * searches that span and filters it by local start, which keeps the buckets in
 * real-time order and needs no allocation besides the result.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "calendar.h"
#include "macro.h"
#include "signals.h"

#define DAY_S INT64_C(86400)
#define HOUR_S INT64_C(3600)
#define MIN_PER_DAY 1440

/* Offsets are refused from a day on (real ones stay within ±14 h), which bounds
 * the search span described above. */
#define OFFSET_LIMIT_S 86400

/* Times and dates beyond ±2^50 s (±35 million years) are refused, so that no sum
 * or difference below can overflow. */
#define TIME_LIMIT_S (INT64_C(1) << 50)

#define DAYS_MAX 3700
#define RHYTHM_DAYS 7
#define RHYTHM_DAYS_MIN 3
#define SRI_PAIRS_MIN 72 /* of 144 possible over 7 days: half the week */

#define VALID_OBSERVED_S 1800 /* an hour with at least this much observed is valid */
#define ACTIVE_HOUR_S 300     /* first/last active: at least 5 active minutes */
#define QUIET_HOUR_S 300      /* sleep: at most 5 active minutes */
#define NIGHT_RATIO_MIN_S 1800

/* Window means closer than this (active minutes per hour) are ties; so are sums of
 * squares of deviations for a standard deviation below it (constant data): both
 * only absorb rounding. */
#define EPSILON_MIN 1e-9

static int64_t bucket_local(const AcctBucket *b) {
        return b->start + b->utc_offset;
}

/* Minutes after local midnight of local seconds t. */
static int minute_of_day(int64_t t) {
        return (int) (floor_mod(t, DAY_S) / 60);
}

static int hour_of_day(int64_t t) {
        return (int) (floor_mod(t, DAY_S) / HOUR_S);
}

static bool bucket_valid(const AcctBucket *b) {
        return b->observed_s >= VALID_OBSERVED_S;
}

/* Whether minute m of the day is inside [start, end), which may wrap past
 * midnight; empty when start == end. */
static bool in_window(int m, int start, int end) {
        if (start <= end)
                return m >= start && m < end;
        return m >= start || m < end;
}

/* The buckets whose local start lies in [lo, hi), in the order of their UTC
 * start: iterate i from span_begin() while i < span_end, skipping those for which
 * local_in() is false. */
typedef struct Span {
        const AcctBucket *b;
        size_t begin, end;
        int64_t lo, hi;
} Span;

static void span_init(Span *s, const AcctBucket *b, size_t n, int64_t lo, int64_t hi) {
        *s = (Span) {
                .b = b,
                .begin = LOWER_BOUND(b, n, start, lo - OFFSET_LIMIT_S),
                .end = LOWER_BOUND(b, n, start, hi + OFFSET_LIMIT_S),
                .lo = lo,
                .hi = hi,
        };
}

static bool span_has(const Span *s, size_t i) {
        int64_t l = bucket_local(&s->b[i]);

        return l >= s->lo && l < s->hi;
}

static bool config_valid(const SignalsConfig *cfg) {
        return cfg->day_start_min >= 0 && cfg->day_start_min < MIN_PER_DAY && cfg->night_start_min >= 0 &&
               cfg->night_start_min < MIN_PER_DAY && cfg->night_end_min >= 0 &&
               cfg->night_end_min < MIN_PER_DAY;
}

/* Sorted by start, sane amounts and offsets, no two buckets for the same local
 * hour (same start and offset). Buckets with the same start and different
 * offsets can exist where the offset changes in the middle of a UTC hour. */
static bool buckets_valid(const AcctBucket *b, size_t n) {
        for (size_t i = 0; i < n; i++) {
                const AcctBucket *x = &b[i];

                if (x->start < -TIME_LIMIT_S || x->start > TIME_LIMIT_S)
                        return false;
                if (x->utc_offset <= -OFFSET_LIMIT_S || x->utc_offset >= OFFSET_LIMIT_S)
                        return false;
                if (x->observed_s < 0 || x->observed_s > HOUR_S || x->active_s < 0 ||
                    x->active_s > x->observed_s)
                        return false;
                if (i == 0)
                        continue;
                if (x->start < b[i - 1].start)
                        return false;
                for (size_t j = i; j > 0 && b[j - 1].start == x->start; j--)
                        if (b[j - 1].utc_offset == x->utc_offset)
                                return false;
        }
        return true;
}

/* screen_h, coverage_h, night_ratio, first_active, last_active. */
static void day_amounts(const AcctBucket *b, size_t n, const SignalsConfig *cfg, int64_t date, DaySignals *ret) {
        int64_t lo = date + (int64_t) cfg->day_start_min * 60;
        int64_t active = 0, observed = 0, night = 0;
        Span s;

        ret->first_active = ret->last_active = -1;

        span_init(&s, b, n, lo, lo + DAY_S);
        for (size_t i = s.begin; i < s.end; i++) {
                int m;

                if (!span_has(&s, i))
                        continue;
                m = minute_of_day(bucket_local(&b[i]));
                active += b[i].active_s;
                observed += b[i].observed_s;
                if (in_window(m, cfg->night_start_min, cfg->night_end_min))
                        night += b[i].active_s;
                if (b[i].active_s >= ACTIVE_HOUR_S) {
                        if (ret->first_active < 0)
                                ret->first_active = m;
                        ret->last_active = m;
                }
        }

        ret->screen_h = (double) active / HOUR_S;
        ret->coverage_h = (double) observed / HOUR_S;
        ret->night_ratio = active >= NIGHT_RATIO_MIN_S ? (double) night / (double) active : NAN;
}

/* The rest window of a date, in real time: the longest run of consecutive quiet
 * hours between noon of the previous date and noon of this one (calendar noon,
 * whatever the day start). Consecutive means adjacent in real time, so a run
 * goes straight through a DST change. */
typedef struct Rest {
        size_t first; /* index of its first bucket */
        size_t len;   /* hours; 0: none */
} Rest;

static Rest rest_window(const AcctBucket *b, size_t n, int64_t date) {
        size_t run_first = 0, run_len = 0, prev = 0;
        Rest best = { 0, 0 };
        Span s;

        span_init(&s, b, n, date - DAY_S / 2, date + DAY_S / 2);
        for (size_t i = s.begin; i < s.end; i++) {
                if (!span_has(&s, i))
                        continue;
                if (!bucket_valid(&b[i]) || b[i].active_s > QUIET_HOUR_S) {
                        run_len = 0;
                        continue;
                }
                if (run_len > 0 && b[i].start == b[prev].start + HOUR_S)
                        run_len++;
                else {
                        run_first = i;
                        run_len = 1;
                }
                prev = i;
                /* strictly longer: a tie keeps the earlier run */
                if (run_len > best.len)
                        best = (Rest) { run_first, run_len };
        }
        return best;
}

static int64_t rest_start(const AcctBucket *b, Rest r) {
        return b[r.first].start;
}

static int64_t rest_end(const AcctBucket *b, Rest r) {
        return b[r.first].start + (int64_t) r.len * HOUR_S;
}

/* sleep_onset, sleep_offset, sleep_mid, sleep_h: the rest window. */
static void day_sleep(const AcctBucket *b, size_t n, int64_t date, DaySignals *ret) {
        Rest r = rest_window(b, n, date);

        if (r.len == 0) {
                ret->sleep_onset = ret->sleep_offset = ret->sleep_mid = -1;
                ret->sleep_h = NAN;
                return;
        }
        ret->sleep_onset = minute_of_day(bucket_local(&b[r.first]));
        ret->sleep_offset = minute_of_day(bucket_local(&b[r.first + r.len - 1]) + HOUR_S);
        ret->sleep_h = (double) r.len;
        /* On the onset's clock: off by the shift on a night with a DST change. */
        ret->sleep_mid = (int) ((ret->sleep_onset + (int64_t) r.len * 30) % MIN_PER_DAY);
}

/* up, down: the active hours between this date's rest window and the next
 * date's, in real time. The next one counts only once the data reaches the end
 * of its window (noon of the next date): before that, a quiet afternoon hour
 * would pass for it. Without it, up looks until noon of the next date and down
 * stays null. */
static void day_waking(const AcctBucket *b, size_t n, int64_t date, DaySignals *ret) {
        Rest r = rest_window(b, n, date), next = { 0, 0 };
        size_t i, end;

        ret->up = ret->down = NAN;
        if (r.len == 0)
                return;
        if (n > 0 && bucket_local(&b[n - 1]) + HOUR_S >= date + DAY_S + DAY_S / 2)
                next = rest_window(b, n, date + DAY_S);
        end = LOWER_BOUND(b, n, start, next.len > 0 ? rest_start(b, next) : INT64_MAX);
        for (i = r.first + r.len; i < end; i++) {
                int64_t l = bucket_local(&b[i]);

                if (next.len == 0 && l >= date + DAY_S + DAY_S / 2)
                        break;
                if (b[i].active_s < ACTIVE_HOUR_S)
                        continue;
                if (isnan(ret->up))
                        ret->up = (double) (l - date) / 60;
                if (next.len > 0)
                        ret->down = (double) (l + HOUR_S - date) / 60;
        }
}

/* sri, social_jet_lag_h over the 7 days ending on this date (see signals.h). */
static void day_regularity(const AcctBucket *b, size_t n, int64_t date, DaySignals *ret) {
        int64_t lo = date - (RHYTHM_DAYS - 1) * DAY_S - DAY_S / 2, hi = date + DAY_S / 2;
        Rest rest[RHYTHM_DAYS];
        double mid_sum[2] = { 0, 0 };
        int mid_n[2] = { 0, 0 };
        size_t same = 0, pairs = 0;
        Span s;

        for (int k = 0; k < RHYTHM_DAYS; k++) {
                int64_t d = date - (RHYTHM_DAYS - 1 - k) * DAY_S;
                bool free_day = weekday_of(floor_div(d, DAY_S)) >= 5; /* Saturday, Sunday */

                rest[k] = rest_window(b, n, d);
                if (rest[k].len == 0)
                        continue;
                /* the midpoint in minutes after the window's noon, on the onset's clock */
                mid_sum[free_day] += (double) (bucket_local(&b[rest[k].first]) - (d - DAY_S / 2)) / 60 +
                                     (double) rest[k].len * 30;
                mid_n[free_day]++;
        }
        ret->social_jet_lag_h = mid_n[0] > 0 && mid_n[1] > 0 ? (mid_sum[1] / mid_n[1] - mid_sum[0] / mid_n[0]) / 60
                                                              : NAN;

        /* state of a valid hour: inside its noon-to-noon window's rest window */
#define RESTING(i, k) (rest[k].len > 0 && b[i].start >= rest_start(b, rest[k]) && b[i].start < rest_end(b, rest[k]))
        span_init(&s, b, n, lo, hi);
        for (size_t i = s.begin; i < s.end; i++) {
                int k = (int) floor_div(bucket_local(&b[i]) - lo, DAY_S);
                size_t j;

                if (!span_has(&s, i) || !bucket_valid(&b[i]) || k + 1 >= RHYTHM_DAYS)
                        continue;
                /* its partner 24 h later in real time, inside the next window */
                for (j = LOWER_BOUND(b, n, start, b[i].start + DAY_S); j < n && b[j].start == b[i].start + DAY_S;
                     j++) {
                        int kj = (int) floor_div(bucket_local(&b[j]) - lo, DAY_S);

                        if (!span_has(&s, j) || !bucket_valid(&b[j]) || kj != k + 1)
                                continue;
                        pairs++;
                        same += RESTING(i, k) == RESTING(j, kj);
                        break;
                }
        }
#undef RESTING
        ret->sri = pairs >= SRI_PAIRS_MIN ? 200.0 * (double) same / (double) pairs - 100 : NAN;
}

static double hour_value(const AcctBucket *b) {
        return 60.0 * b->active_s / b->observed_s;
}

/* L5 (len 5, least) or M10 (len 10, most) on the hour-of-day means: the window of
 * len consecutive hours-of-day, wrapping past midnight, with the least / most
 * mean; windows with an hour-of-day without data are skipped; ties go to the
 * earliest onset counted from 00:00. */
static void rhythm_window(const double mean[24], const bool have[24], int len, bool most, double *ret,
                          int *ret_onset) {
        double best = NAN;
        int onset = -1;

        for (int h = 0; h < 24; h++) {
                double sum = 0;
                bool ok = true;

                for (int k = 0; k < len && ok; k++) {
                        ok = have[(h + k) % 24];
                        if (ok)
                                sum += mean[(h + k) % 24];
                }
                if (!ok)
                        continue;
                sum /= len;
                if (onset < 0 || (most ? sum > best + EPSILON_MIN : sum < best - EPSILON_MIN)) {
                        best = sum;
                        onset = h * 60;
                }
        }
        *ret = best;
        *ret_onset = onset;
}

/* IS, IV, RA, L5, M10 over the valid hours of the 7 days ending on this one
 * (van Someren et al. 1999, population form of Witting et al. 1990):
 *   IS = n·Σ_h(x̄_h − x̄)² / (p·Σ_i(x_i − x̄)²)
 *   IV = n·Σ(x_i − x_{i−1})² / (pairs·Σ_i(x_i − x̄)²)
 * where missing hours are left out rather than taken as zero: n counts valid
 * hours, p the hours-of-day with data, and a successive difference counts only
 * between two valid hours adjacent in real time. Two passes, for accuracy. */
static void day_rhythm(const AcctBucket *b, size_t n, const SignalsConfig *cfg, int64_t date, DaySignals *ret) {
        int64_t lo = date - (RHYTHM_DAYS - 1) * DAY_S + (int64_t) cfg->day_start_min * 60;
        double hour_sum[24] = { 0 }, hour_mean[24] = { 0 };
        size_t hour_n[24] = { 0 };
        bool have_hour[24] = { false }, have_day[RHYTHM_DAYS] = { false };
        double sum = 0, mean, ss = 0, ss_hours = 0, ss_diff = 0;
        size_t count = 0, pairs = 0, prev = 0, p = 0;
        int days = 0;
        bool have_prev = false;
        Span s;

        ret->is = ret->iv = ret->ra = ret->l5 = ret->m10 = NAN;
        ret->l5_onset = ret->m10_onset = -1;

        span_init(&s, b, n, lo, lo + RHYTHM_DAYS * DAY_S);
        for (size_t i = s.begin; i < s.end; i++) {
                int64_t l = bucket_local(&b[i]);
                double x;
                int h;

                if (!span_has(&s, i) || !bucket_valid(&b[i]))
                        continue;
                x = hour_value(&b[i]);
                h = hour_of_day(l);
                sum += x;
                count++;
                hour_sum[h] += x;
                hour_n[h]++;
                have_day[floor_div(l - lo, DAY_S)] = true;
        }
        for (int k = 0; k < RHYTHM_DAYS; k++)
                days += have_day[k];
        if (days < RHYTHM_DAYS_MIN)
                return;

        mean = sum / (double) count;
        for (size_t i = s.begin; i < s.end; i++) {
                double x;

                if (!span_has(&s, i) || !bucket_valid(&b[i]))
                        continue;
                x = hour_value(&b[i]);
                ss += (x - mean) * (x - mean);
                if (have_prev && b[i].start == b[prev].start + HOUR_S) {
                        double d = x - hour_value(&b[prev]);

                        ss_diff += d * d;
                        pairs++;
                }
                prev = i;
                have_prev = true;
        }
        for (int h = 0; h < 24; h++) {
                if (hour_n[h] == 0)
                        continue;
                have_hour[h] = true;
                hour_mean[h] = hour_sum[h] / (double) hour_n[h];
                ss_hours += (hour_mean[h] - mean) * (hour_mean[h] - mean);
                p++;
        }

        if (ss > (double) count * EPSILON_MIN * EPSILON_MIN) {
                ret->is = (double) count * ss_hours / ((double) p * ss);
                if (pairs > 0)
                        ret->iv = (double) count * ss_diff / ((double) pairs * ss);
        }

        rhythm_window(hour_mean, have_hour, 5, false, &ret->l5, &ret->l5_onset);
        rhythm_window(hour_mean, have_hour, 10, true, &ret->m10, &ret->m10_onset);
        if (!isnan(ret->l5) && !isnan(ret->m10) && ret->l5 + ret->m10 > 0)
                ret->ra = (ret->m10 - ret->l5) / (ret->m10 + ret->l5);
}

int signals_days(const AcctBucket *b, size_t n, const SignalsConfig *cfg, int64_t first_date, int64_t last_date,
                 DaySignals **ret, size_t *ret_n) {
        _cleanup_free_ DaySignals *days = NULL;
        size_t n_days;

        if ((!b && n > 0) || !cfg || !ret || !ret_n)
                return -EINVAL;
        if (!config_valid(cfg))
                return -EINVAL;
        if (first_date < -TIME_LIMIT_S || last_date > TIME_LIMIT_S || last_date < first_date)
                return -EINVAL;
        if (floor_mod(first_date, DAY_S) != 0 || floor_mod(last_date, DAY_S) != 0)
                return -EINVAL;
        if ((last_date - first_date) / DAY_S >= DAYS_MAX)
                return -EINVAL;
        if (!buckets_valid(b, n))
                return -EINVAL;

        n_days = (size_t) ((last_date - first_date) / DAY_S) + 1;
        days = calloc(n_days, sizeof(DaySignals));
        if (!days)
                return -ENOMEM;

        for (size_t k = 0; k < n_days; k++) {
                DaySignals *d = &days[k];

                d->date = first_date + (int64_t) k * DAY_S;
                day_amounts(b, n, cfg, d->date, d);
                day_sleep(b, n, d->date, d);
                day_waking(b, n, d->date, d);
                day_regularity(b, n, d->date, d);
                day_rhythm(b, n, cfg, d->date, d);
        }

        *ret = TAKE_PTR(days);
        *ret_n = n_days;
        return 0;
}

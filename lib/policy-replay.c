/* Policies: replay over a history of days, the evaluation policy.h
 * describes. Builds each policy's daily series x_d from DaySignals and
 * check-ins, then walks the days: window aggregate, the detector (threshold,
 * baseline, cusum, trend, composite), the pending/firing state machine and the
 * cooldown of nudges. Pure and deterministic given the history.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "macro.h"
#include "policy-internal.h"

#define CUSUM_Z_CLAMP 3.0
/* S stops at this many times h: past the bar, more only delays the end of a
 * long episode (an exam period, an illness) by weeks, while each day further
 * adds at most CUSUM_Z_CLAMP − k. */
#define CUSUM_S_CAP 1.5
/* Days of a weekday the baseline needs for that weekday's own usual: with
 * fewer, its median sits so close to its few days that their residuals, and
 * with them the spread, come out too small. */
#define WEEKDAY_MIN_DAYS 4

typedef struct Run {
        const Policy *p;
        const double *x;   /* the daily series, n_days values */
        int anchor;        /* times of day: origin of the series' line */
        int wd0;           /* weekday of day index 0, Monday 0 */
        double threshold;  /* on the series' line */
        double count_value;
        size_t *members; /* composite: indices of the named policies; SIZE_MAX: missing */

        PolicyState state;
        int n_true, n_false; /* known days true while pending, false while firing */
        int64_t last_nudge;  /* day index, -1: none yet */
        double cusum_s;
        double m, s, eff[7]; /* the usual of the last baseline: median, spread, weekday effects */
        bool frozen;         /* cusum: m, s and eff stay while firing */
} Run;

typedef struct Scratch {
        double *a;    /* window / baseline values, pairwise slopes */
        double *b;    /* by_weekday: the baseline's values, weekday by weekday */
        double *t, *v; /* trend: day offsets and values */
        const PolicyEval *evals; /* composite: the evaluations so far, as policy_replay() returns them */
} Scratch;

/* x <op> v, op as in Policy.count_op. */
static bool count_matches(char op, double x, double v) {
        switch (op) {
        case '<':
                return x < v;
        case '>':
                return x > v;
        case '=':
                return x == v;
        case 'l':
                return x <= v;
        case 'g':
                return x >= v;
        default:
                return false;
        }
}

/* The valid values of x over days [from, to] (days before the first are missing). */
static size_t gather(const double *x, size_t n_days, int64_t from, int64_t to, double *out, double *out_t) {
        size_t n = 0;

        for (int64_t d = MAX(from, INT64_C(0)); d <= to && d < (int64_t) n_days; d++)
                if (!isnan(x[d])) {
                        if (out_t)
                                out_t[n] = (double) d;
                        out[n++] = x[d];
                }
        return n;
}

static double aggregate(const Run *r, double *a, size_t n) {
        double sum = 0;
        size_t c = 0;

        switch (r->p->aggregate) {
        case POLICY_MEDIAN:
                return policy_median(a, n);
        case POLICY_COUNT:
                for (size_t i = 0; i < n; i++)
                        c += count_matches(r->p->count_op, a[i], r->count_value);
                return (double) c;
        case POLICY_SUM:
        case POLICY_MEAN:
        default:
                for (size_t i = 0; i < n; i++)
                        sum += a[i];
                return r->p->aggregate == POLICY_SUM ? sum : sum / (double) n;
        }
}

static int weekday_at(const Run *r, int64_t d) {
        return (int) floor_mod(r->wd0 + d, 7);
}

/* The valid values of x over days [from, to], less eff of their weekday
 * (eff NULL: as they are). */
static size_t gather_adjusted(const Run *r, size_t n_days, int64_t from, int64_t to, const double *eff, double *out) {
        int64_t d = MAX(from, INT64_C(0));
        size_t n = 0;

        for (int w = weekday_at(r, d); d <= to && d < (int64_t) n_days; d++, w = w == 6 ? 0 : w + 1)
                if (!isnan(r->x[d]))
                        out[n++] = r->x[d] - (eff ? eff[w] : 0);
        return n;
}

/* The usual over days [from, to] into r->m, r->s, r->eff (policy.h baseline:
 * the weekday effects with by_weekday, else 0); false with too few days. */
static bool usual(Run *r, Scratch *sc, size_t n_days, int64_t from, int64_t to) {
        const Policy *p = r->p;
        size_t n = gather_adjusted(r, n_days, from, to, NULL, sc->a);
        double all;

        if (n < (size_t) p->baseline_min_days || n == 0)
                return false;
        memset(r->eff, 0, sizeof r->eff);
        if (p->by_weekday) {
                /* The values sorted by weekday into b: start[w] .. start[w + 1]. */
                size_t start[8] = { 0 }, fill[7];
                int64_t first = MAX(from, INT64_C(0)), last = MIN(to, (int64_t) n_days - 1);

                for (int64_t d = first, w = weekday_at(r, first); d <= last; d++, w = w == 6 ? 0 : w + 1)
                        start[w + 1] += !isnan(r->x[d]);
                for (int w = 0; w < 7; w++)
                        fill[w] = start[w + 1] += start[w];
                for (int64_t d = last, w = weekday_at(r, last); d >= first; d--, w = w == 0 ? 6 : w - 1)
                        if (!isnan(r->x[d]))
                                sc->b[--fill[w]] = r->x[d];
                /* Each weekday's median against the median of those medians
                 * (every weekday weighs the same, however many days it has). */
                double med[7];
                size_t k = 0;
                for (int w = 0; w < 7; w++)
                        if (start[w + 1] - start[w] >= WEEKDAY_MIN_DAYS)
                                med[k++] = r->eff[w] = policy_median(sc->b + start[w], start[w + 1] - start[w]);
                all = policy_median(med, k);
                for (int w = 0; w < 7; w++)
                        if (start[w + 1] - start[w] >= WEEKDAY_MIN_DAYS)
                                r->eff[w] -= all;
                n = gather_adjusted(r, n_days, from, to, r->eff, sc->a);
        }
        r->s = policy_robust_spread(sc->a, n, &r->m);
        if (p->by_weekday) {
                /* The residuals lie around medians fitted to the very days
                 * (k of each weekday, here k = n/7 on average): their spread
                 * is about √(1 − 1/k) of the true one, while a new day also
                 * carries its weekday median's own error, ≈ (π/2)σ²/k: widen
                 * s by the ratio so z keeps its meaning. */
                double k = fmax((double) n / 7, WEEKDAY_MIN_DAYS);
                r->s *= sqrt((1 + M_PI / (2 * k)) / (1 - 1 / k));
        }
        r->s = fmax(r->s, p->min_spread);
        return true;
}

/* The window aggregate on day d into e->value; false when unknown. */
static bool window_value(const Run *r, Scratch *sc, size_t n_days, int64_t d, PolicyEval *e) {
        size_t n = gather_adjusted(r, n_days, d - r->p->window_days + 1, d, r->p->by_weekday ? r->eff : NULL, sc->a);

        if (n < (size_t) r->p->min_valid_days || n == 0)
                return false;
        e->value = aggregate(r, sc->a, n);
        return true;
}

static bool eval_threshold(Run *r, Scratch *sc, size_t n_days, int64_t d, PolicyEval *e, bool *cond) {
        e->baseline = r->threshold;
        if (!window_value(r, sc, n_days, d, e))
                return false;
        *cond = r->p->up ? e->value > r->threshold : e->value < r->threshold;
        return true;
}

static bool eval_baseline(Run *r, Scratch *sc, size_t n_days, int64_t d, PolicyEval *e, bool *cond) {
        const Policy *p = r->p;
        int64_t end = d - p->window_days;
        double diff;

        /* The weekday effects adjust the window too: the baseline comes first. */
        bool have_usual = usual(r, sc, n_days, end - p->baseline_days + 1, end);
        if (!window_value(r, sc, n_days, d, e) || !have_usual)
                return false;
        e->baseline = r->m;
        e->spread = r->s;
        diff = e->value - e->baseline;
        if (e->spread > 0)
                e->score = diff / e->spread;
        else
                e->score = diff > 0 ? INFINITY : diff < 0 ? -INFINITY : 0;
        if (p->up)
                *cond = e->score >= p->z_min && diff >= p->min_change;
        else
                *cond = e->score <= -p->z_min && -diff >= p->min_change;
        return true;
}

/* One CUSUM step; the baseline used (frozen or today's) is left in e. */
static bool eval_cusum(Run *r, Scratch *sc, size_t n_days, int64_t d, PolicyEval *e, bool *cond) {
        const Policy *p = r->p;
        double x = r->x[d], z;

        e->score = r->cusum_s;
        if (r->frozen || usual(r, sc, n_days, d - p->baseline_days, d - 1)) {
                e->baseline = r->m + r->eff[weekday_at(r, d)];
                e->spread = r->s;
        }
        if (isnan(x) || isnan(e->baseline))
                return false; /* S unchanged */

        z = e->spread > 0 ? fmin(fmax((x - e->baseline) / e->spread, -CUSUM_Z_CLAMP), CUSUM_Z_CLAMP) : 0;
        r->cusum_s = fmax(0, r->cusum_s + (p->up ? z : -z) - p->cusum_k);
        r->cusum_s = fmin(r->cusum_s, CUSUM_S_CAP * p->cusum_h);
        e->value = x;
        e->score = r->cusum_s;
        *cond = r->cusum_s > p->cusum_h;
        return true;
}

static bool eval_trend(Run *r, Scratch *sc, size_t n_days, int64_t d, PolicyEval *e, bool *cond) {
        const Policy *p = r->p;
        size_t n = gather(r->x, n_days, d - p->window_days + 1, d, sc->v, sc->t);

        if (n < (size_t) p->trend_min_days || n < 2)
                return false;
        e->score = policy_theil_sen(sc->t, sc->v, n, sc->a);
        e->value = aggregate(r, sc->v, n);
        /* min_slope = 0 asks for any slope in the direction, not a flat line. */
        if (p->up)
                *cond = e->score >= p->min_slope && e->score > 0;
        else
                *cond = e->score <= -p->min_slope && e->score < 0;
        return true;
}

static bool eval_composite(Run *r, Scratch *sc, size_t n_days, int64_t d, PolicyEval *e, bool *cond) {
        int firing = 0;

        for (size_t i = 0; i < r->p->n_composite; i++)
                if (r->members[i] != SIZE_MAX && sc->evals[r->members[i] * n_days + (size_t) d].state == POLICY_FIRING)
                        firing++;
        e->score = firing;
        *cond = firing >= r->p->composite_min;
        return true;
}

/* Each detector's day d: its figures into e, its condition into *cond; false
 * when not known. */
static bool (*const detectors[])(Run *r, Scratch *sc, size_t n_days, int64_t d, PolicyEval *e, bool *cond) = {
        [POLICY_THRESHOLD] = eval_threshold, [POLICY_BASELINE] = eval_baseline, [POLICY_CUSUM] = eval_cusum,
        [POLICY_TREND] = eval_trend,         [POLICY_COMPOSITE] = eval_composite,
};

/* The state machine of policy.h, and the nudge. */
static void run_step(Run *r, int64_t d, bool known, bool cond, PolicyEval *e) {
        const Policy *p = r->p;
        PolicyState was = r->state;

        e->known = known;
        e->condition = known && cond;
        if (known) {
                switch (r->state) {
                case POLICY_INACTIVE:
                        if (cond) {
                                r->n_true = 1;
                                r->state = p->for_days <= 1 ? POLICY_FIRING : POLICY_PENDING;
                        }
                        break;
                case POLICY_PENDING:
                        if (!cond)
                                r->state = POLICY_INACTIVE;
                        else if (++r->n_true >= p->for_days)
                                r->state = POLICY_FIRING;
                        break;
                case POLICY_FIRING:
                        if (cond)
                                r->n_false = 0;
                        else if (++r->n_false > p->keep_firing_for_days)
                                r->state = POLICY_INACTIVE;
                        break;
                }
                if (was != POLICY_FIRING && r->state == POLICY_FIRING)
                        r->n_false = 0;
        }
        e->state = r->state;
        /* Nudges only on known days: they carry the figures behind them. */
        e->nudge = known && r->state == POLICY_FIRING &&
                   (r->last_nudge < 0 || d - r->last_nudge >= p->cooldown_days);
        if (e->nudge)
                r->last_nudge = d;
}

/* Index of the day with this date in days (sorted), -1 if none. */
static int64_t day_index(const DaySignals *days, size_t n, int64_t date) {
        size_t i = LOWER_BOUND(days, n, date, date);

        return i < n && days[i].date == date ? (int64_t) i : -1;
}

static double finite_or_nan(double v) {
        return isfinite(v) ? v : NAN;
}

/* A time of day t (minutes, NAN when none) on the line anchored at anchor. */
static double time_on_line(double t, int anchor) {
        if (!(t >= 0 && t < MIN_PER_DAY))
                return NAN;
        return (double) ((((int) t - anchor) % MIN_PER_DAY + MIN_PER_DAY) % MIN_PER_DAY);
}

/* x_d of policy.h. */
static double day_value(const DaySignals *day, const Checkin *ck, PolicySignal s, int anchor, double min_coverage_h) {
        double v;

        if (policy_signal_is_checkin(s)) {
                v = policy_signal_recorded(day, ck, s);
                if (s == POLICY_SIGNAL_MOOD)
                        return v >= 1 && v <= 5 ? v : NAN;
                return v == 0 || v == 1 ? v : NAN;
        }
        if (!(day->coverage_h >= min_coverage_h))
                return NAN;
        v = policy_signal_recorded(day, ck, s);
        if (policy_signal_unit(s) == UNIT_TIME)
                return time_on_line(v, anchor);
        return finite_or_nan(v);
}

/* Is p something replay can evaluate? Parsed policies always are; this
 * guards against hand-made ones with out-of-range fields. */
static bool policy_sane(const Policy *p) {
        return (unsigned) p->signal < _POLICY_SIGNAL_MAX && (unsigned) p->aggregate <= POLICY_COUNT &&
               (unsigned) p->detector <= POLICY_COMPOSITE && p->window_days >= 1 &&
               p->window_days <= POLICY_MAX_DAYS && p->min_valid_days >= 1 && p->baseline_days >= 1 &&
               p->baseline_days <= POLICY_MAX_DAYS && p->baseline_min_days >= 1 && p->trend_min_days >= 2 &&
               (p->n_composite == 0 || p->composite);
}

typedef struct Replay {
        Run *runs;
        double *series;
        const Checkin **checkins;
        Scratch scratch;
} Replay;

static void replay_done(Replay *rp, size_t n_p) {
        if (rp->runs)
                for (size_t i = 0; i < n_p; i++)
                        free(rp->runs[i].members);
        free(rp->runs);
        free(rp->series);
        free(rp->checkins);
        free(rp->scratch.a);
        free(rp->scratch.b);
        free(rp->scratch.t);
        free(rp->scratch.v);
}

/* Runs, series and scratch space for the replay. */
static int replay_setup(Replay *rp, Policy *const *p, size_t n_p, const DaySignals *days, size_t n_days,
                        const Checkin *c, size_t n_c, double min_coverage_h, int day_start_min) {
        size_t scratch_n = 1, window_n = 1;
        bool need_checkins = false;

        rp->runs = calloc(MAX(n_p, (size_t) 1), sizeof *rp->runs);
        if (n_days > SIZE_MAX / sizeof(double) / MAX(n_p, (size_t) 1))
                return -ENOMEM;
        rp->series = malloc(MAX(n_p * n_days, (size_t) 1) * sizeof(double));
        if (!rp->runs || !rp->series)
                return -ENOMEM;

        for (size_t i = 0; i < n_p; i++) {
                const Policy *pol = p[i];
                size_t w = (size_t) pol->window_days;

                need_checkins = need_checkins || (pol->enabled && policy_signal_is_checkin(pol->signal));
                scratch_n = MAX(scratch_n, MAX(w, (size_t) pol->baseline_days));
                if (pol->detector == POLICY_TREND)
                        scratch_n = MAX(scratch_n, w * (w - 1) / 2);
                window_n = MAX(window_n, w);
        }
        rp->scratch.a = malloc(scratch_n * sizeof(double));
        rp->scratch.b = malloc(scratch_n * sizeof(double));
        rp->scratch.t = malloc(window_n * sizeof(double));
        rp->scratch.v = malloc(window_n * sizeof(double));
        if (!rp->scratch.a || !rp->scratch.b || !rp->scratch.t || !rp->scratch.v)
                return -ENOMEM;

        /* Check-ins by day; the last one in c wins when a date repeats. */
        if (need_checkins) {
                rp->checkins = calloc(MAX(n_days, (size_t) 1), sizeof *rp->checkins);
                if (!rp->checkins)
                        return -ENOMEM;
                for (size_t j = 0; j < n_c; j++) {
                        int64_t d = day_index(days, n_days, c[j].date);

                        if (d >= 0)
                                rp->checkins[d] = &c[j];
                }
        }

        for (size_t i = 0; i < n_p; i++) {
                Run *r = &rp->runs[i];
                const Policy *pol = p[i];
                double *x = rp->series + i * n_days;

                r->p = pol;
                r->x = x;
                r->last_nudge = -1;
                r->anchor = policy_signal_anchor(pol->signal, day_start_min);
                r->wd0 = n_days > 0 ? (int) weekday_of(floor_div(days[0].date, DAY_SECONDS)) : 0;
                r->threshold = pol->threshold;
                r->count_value = pol->count_value;
                if (policy_signal_unit(pol->signal) == UNIT_TIME) {
                        r->count_value = policy_clock_to_line(pol->count_value, r->anchor);
                        if (!policy_aggregate_counts_days(pol->aggregate, pol->signal))
                                r->threshold = policy_clock_to_line(pol->threshold, r->anchor);
                }
                for (size_t d = 0; d < n_days; d++)
                        x[d] = pol->detector == POLICY_COMPOSITE
                                       ? NAN
                                       : day_value(&days[d], rp->checkins ? rp->checkins[d] : NULL, pol->signal,
                                                   r->anchor, min_coverage_h);

                if (pol->detector != POLICY_COMPOSITE || pol->n_composite == 0)
                        continue;
                r->members = malloc(pol->n_composite * sizeof *r->members);
                if (!r->members)
                        return -ENOMEM;
                /* The closest earlier policy of that name: only those are
                 * evaluated before this one on the same day. */
                for (size_t k = 0; k < pol->n_composite; k++) {
                        r->members[k] = SIZE_MAX;
                        for (size_t j = 0; j < i; j++)
                                if (pol->composite[k] && p[j]->name && strcmp(p[j]->name, pol->composite[k]) == 0)
                                        r->members[k] = j;
                }
        }
        return 0;
}

int policy_replay(Policy *const *p, size_t n_p, const DaySignals *days, size_t n_days, const Checkin *c,
                  size_t n_c, double min_coverage_h, int day_start_min, PolicyEval **ret) {
        Replay rp = { 0 };
        PolicyEval *evals = NULL;
        int r;

        if (!ret || (n_p > 0 && !p) || (n_days > 0 && !days) || (n_c > 0 && !c))
                return -EINVAL;
        *ret = NULL;
        for (size_t i = 0; i < n_p; i++)
                if (!p[i] || !policy_sane(p[i]))
                        return -EINVAL;
        if (n_p > 0 && n_days > SIZE_MAX / sizeof(PolicyEval) / n_p)
                return -ENOMEM;

        evals = calloc(MAX(n_p * n_days, (size_t) 1), sizeof *evals);
        if (!evals)
                return -ENOMEM;
        r = replay_setup(&rp, p, n_p, days, n_days, c, n_c, min_coverage_h, day_start_min);
        if (r < 0)
                goto out;
        rp.scratch.evals = evals;

        for (size_t d = 0; d < n_days; d++)
                for (size_t i = 0; i < n_p; i++) {
                        Run *run = &rp.runs[i];
                        const Policy *pol = p[i];
                        PolicyEval *e = &evals[i * n_days + d];
                        bool known = false, cond = false;
                        PolicyState was = run->state;

                        *e = (PolicyEval) {
                                .date = days[d].date,
                                .value = NAN,
                                .baseline = NAN,
                                .spread = NAN,
                                .score = NAN,
                                .state = POLICY_INACTIVE,
                                .anchor_min = run->anchor,
                        };
                        if (!pol->enabled)
                                continue;
                        known = detectors[pol->detector](run, &rp.scratch, n_days, (int64_t) d, e, &cond);
                        if (!known)
                                e->value = NAN;
                        run_step(run, (int64_t) d, known, cond, e);

                        /* CUSUM: the usual stays what it was when firing began
                         * (run->m, s, eff: that day's). */
                        if (pol->detector == POLICY_CUSUM) {
                                if (was != POLICY_FIRING && run->state == POLICY_FIRING)
                                        run->frozen = true;
                                else if (run->state != POLICY_FIRING)
                                        run->frozen = false;
                        }
                }

        *ret = TAKE_PTR(evals);
        r = 0;
out:
        replay_done(&rp, n_p);
        free(evals);
        return r;
}

/* Weekly figures over daily signals: see summary.h for the contract and
 * docs/signals.md for the conventions.
 *
 * No allocation, so summary_figures() cannot fail: a median is selected in place
 * by bisection on the values' bit patterns instead of sorting a copy.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "calendar.h"
#include "summary.h"

#define MIN_PER_DAY 1440
#define NOON_MIN 720

/* Figures are taken over a filtered subset of the days; Values describes it. */
typedef struct Values {
        const DaySignals *d;
        size_t n;
        double min_coverage_h;
        int anchor_min; /* times of day: origin of the line */
        double (*get)(const DaySignals *d, int anchor_min); /* NAN: null on that day */
} Values;

static bool day_counted(const Values *v, size_t i) {
        return v->d[i].coverage_h >= v->min_coverage_h;
}

/* The value of day i, NAN when the day is not counted or the figure is null. */
static double value_at(const Values *v, size_t i) {
        if (!day_counted(v, i))
                return NAN;
        return v->get(&v->d[i], v->anchor_min);
}

static size_t values_count(const Values *v) {
        size_t m = 0;

        for (size_t i = 0; i < v->n; i++)
                m += !isnan(value_at(v, i));
        return m;
}

/* Doubles mapped to unsigned integers in the same order (for non-NAN values). */
static uint64_t order_key(double x) {
        uint64_t u;

        memcpy(&u, &x, sizeof(u));
        return u >> 63 ? ~u : u | UINT64_C(1) << 63;
}

static double order_value(uint64_t k) {
        uint64_t u = k >> 63 ? k & ~(UINT64_C(1) << 63) : ~k;
        double x;

        memcpy(&x, &u, sizeof(x));
        return x;
}

/* The k-th smallest (from 0) of the non-null values, k < values_count(): the
 * smallest key with more than k values at or below it, found by bisection over
 * the 64-bit keys (64 passes; the smallest such key is always a value's). */
static double values_select(const Values *v, size_t k) {
        uint64_t lo = 0, hi = UINT64_MAX;

        while (lo < hi) {
                uint64_t mid = lo + (hi - lo) / 2;
                size_t at_or_below = 0;

                for (size_t i = 0; i < v->n; i++) {
                        double x = value_at(v, i);

                        at_or_below += !isnan(x) && order_key(x) <= mid;
                }
                if (at_or_below > k)
                        hi = mid;
                else
                        lo = mid + 1;
        }
        return order_value(lo);
}

/* The mean, or the median (the mean of the two middle values for an even count),
 * of the non-null values; NAN when there are none. */
static double values_figure(const Values *v, FiguresKind kind) {
        size_t m = values_count(v);
        double sum = 0;

        if (m == 0)
                return NAN;
        if (kind == FIGURES_MEDIAN) {
                if (m % 2 == 1)
                        return values_select(v, m / 2);
                return (values_select(v, m / 2 - 1) + values_select(v, m / 2)) / 2;
        }
        for (size_t i = 0; i < v->n; i++) {
                double x = value_at(v, i);

                if (!isnan(x))
                        sum += x;
        }
        return sum / (double) m;
}

/* A time of day as minutes after anchor (0..1439); NAN when null or out of range. */
static double time_shifted(int t, int anchor_min) {
        if (t < 0 || t >= MIN_PER_DAY)
                return NAN;
        return (double) (((t - anchor_min) % MIN_PER_DAY + MIN_PER_DAY) % MIN_PER_DAY);
}

/* Back from minutes after anchor to a time of day, to the nearest minute (halves
 * up); -1 for NAN. */
static int time_unshift(double t, int anchor_min) {
        if (isnan(t))
                return -1;
        return (int) (((long) lround(t) + anchor_min) % MIN_PER_DAY);
}

#define FIGURE_GETTER(name)                                                       \
        static double get_##name(const DaySignals *d, int anchor_min) {          \
                (void) anchor_min;                                                \
                return d->name;                                                   \
        }
FIGURE_GETTER(screen_h)
FIGURE_GETTER(night_ratio)
FIGURE_GETTER(sleep_h)
FIGURE_GETTER(coverage_h)
FIGURE_GETTER(is)
FIGURE_GETTER(iv)
FIGURE_GETTER(ra)
FIGURE_GETTER(l5)
FIGURE_GETTER(m10)
FIGURE_GETTER(up)
FIGURE_GETTER(down)
FIGURE_GETTER(sri)
FIGURE_GETTER(social_jet_lag_h)

#define TIME_GETTER(name)                                                         \
        static double get_##name(const DaySignals *d, int anchor_min) {          \
                return time_shifted(d->name, anchor_min);                         \
        }
TIME_GETTER(first_active)
TIME_GETTER(last_active)
TIME_GETTER(sleep_onset)
TIME_GETTER(sleep_offset)
TIME_GETTER(sleep_mid)

static double figure(const DaySignals *d, size_t n, double min_coverage_h, FiguresKind kind,
                     double (*get)(const DaySignals *, int)) {
        Values v = { .d = d, .n = n, .min_coverage_h = min_coverage_h, .get = get };

        return values_figure(&v, kind);
}

static int time_figure(const DaySignals *d, size_t n, double min_coverage_h, FiguresKind kind, int anchor_min,
                       double (*get)(const DaySignals *, int)) {
        Values v = { .d = d, .n = n, .min_coverage_h = min_coverage_h, .anchor_min = anchor_min, .get = get };

        return time_unshift(values_figure(&v, kind), anchor_min);
}

/* The check-in for date, NULL if none; the last one in c when a date repeats. */
static const Checkin *checkin_find(const Checkin *c, size_t n_c, int64_t date) {
        const Checkin *found = NULL;

        for (size_t j = 0; j < n_c; j++)
                if (c[j].date == date)
                        found = &c[j];
        return found;
}

static bool answer_yes_no(int x) {
        return x == 0 || x == 1;
}

static bool answer_mood(int x) {
        return x >= 1 && x <= 5;
}

/* The mood answered for day d, 0 when none. */
static int day_mood(const Checkin *c, size_t n_c, const DaySignals *d) {
        const Checkin *e = checkin_find(c, n_c, d->date);

        return e && answer_mood(e->mood) ? e->mood : 0;
}

/* The smallest mood with more than k answers at or below it. */
static int mood_rank(const size_t at_or_below[6], size_t k) {
        for (int v = 1; v < 5; v++)
                if (at_or_below[v] > k)
                        return v;
        return 5;
}

/* Mean or median of the moods over all days of d (coverage does not matter).
 * Moods are 1..5, so a cumulative histogram gives the median. */
static double mood_figure(const DaySignals *d, size_t n, const Checkin *c, size_t n_c, FiguresKind kind) {
        size_t at_or_below[6] = { 0 }, m = 0;
        double sum = 0;

        for (size_t i = 0; i < n; i++) {
                int mood = day_mood(c, n_c, &d[i]);

                if (mood == 0)
                        continue;
                sum += mood;
                m++;
                for (int v = mood; v <= 5; v++)
                        at_or_below[v]++;
        }
        if (m == 0)
                return NAN;
        if (kind == FIGURES_MEDIAN)
                return (mood_rank(at_or_below, (m - 1) / 2) + mood_rank(at_or_below, m / 2)) / 2.0;
        return sum / (double) m;
}

void summary_figures(const DaySignals *d, size_t n, const Checkin *c, size_t n_c, double min_coverage_h,
                     int day_start_min, FiguresKind kind, Figures *ret) {
        int day_anchor;

        if (!ret)
                return;
        if (!d)
                n = 0;
        if (!c)
                n_c = 0;
        day_anchor = ((day_start_min % MIN_PER_DAY) + MIN_PER_DAY) % MIN_PER_DAY;

        *ret = (Figures) { 0 };
        for (size_t i = 0; i < n; i++)
                ret->days += d[i].coverage_h >= min_coverage_h;

        ret->screen_h = figure(d, n, min_coverage_h, kind, get_screen_h);
        ret->night_ratio = figure(d, n, min_coverage_h, kind, get_night_ratio);
        ret->sleep_h = figure(d, n, min_coverage_h, kind, get_sleep_h);
        ret->coverage_h = figure(d, n, min_coverage_h, kind, get_coverage_h);
        ret->is = figure(d, n, min_coverage_h, kind, get_is);
        ret->iv = figure(d, n, min_coverage_h, kind, get_iv);
        ret->ra = figure(d, n, min_coverage_h, kind, get_ra);
        ret->l5 = figure(d, n, min_coverage_h, kind, get_l5);
        ret->m10 = figure(d, n, min_coverage_h, kind, get_m10);
        ret->up = figure(d, n, min_coverage_h, kind, get_up);
        ret->down = figure(d, n, min_coverage_h, kind, get_down);
        ret->sri = figure(d, n, min_coverage_h, kind, get_sri);
        ret->social_jet_lag_h = figure(d, n, min_coverage_h, kind, get_social_jet_lag_h);

        ret->first_active = time_figure(d, n, min_coverage_h, kind, day_anchor, get_first_active);
        ret->last_active = time_figure(d, n, min_coverage_h, kind, day_anchor, get_last_active);
        ret->sleep_onset = time_figure(d, n, min_coverage_h, kind, NOON_MIN, get_sleep_onset);
        /* The window ends at noon, so an offset can be 12:00 itself: put the
         * line a minute later, or 11:00 and 12:00 would average to 23:30. */
        ret->sleep_offset = time_figure(d, n, min_coverage_h, kind, NOON_MIN + 1, get_sleep_offset);
        ret->sleep_mid = time_figure(d, n, min_coverage_h, kind, NOON_MIN, get_sleep_mid);

        for (size_t i = 0; i < n; i++) {
                const Checkin *e = checkin_find(c, n_c, d[i].date);

                if (!e)
                        continue;
                ret->went_out_days += e->went_out == 1;
                ret->went_out_answered += answer_yes_no(e->went_out);
                ret->met_someone_days += e->met_someone == 1;
                ret->met_someone_answered += answer_yes_no(e->met_someone);
                ret->checkin_days += answer_yes_no(e->went_out) || answer_yes_no(e->met_someone) ||
                                     answer_mood(e->mood);
        }
        ret->mood = mood_figure(d, n, c, n_c, kind);
}

int summary_change(ChangeKind kind, double v, double ref, Change *ret) {
        Change c = {};

        if (isnan(v) || isnan(ref))
                return -ENODATA;
        switch (kind) {
        case CHANGE_AMOUNT:
                /* No percent of nothing: from 0, the difference itself, the same only when there is none. */
                c.relative = fabs(ref) >= 1e-9;
                c.delta = c.relative ? (v - ref) / fabs(ref) * 100 : v - ref;
                c.same = fabs(c.delta) < (c.relative ? 5 : 1e-9);
                break;
        case CHANGE_SHARE:
                c.delta = (v - ref) * 100;
                c.same = fabs(c.delta) < 2;
                break;
        case CHANGE_TIME:
        case CHANGE_MINUTES:
                c.delta = kind == CHANGE_TIME ? time_of_day_diff(v, ref) : v - ref;
                c.same = fabs(c.delta) < 15;
                break;
        case CHANGE_POINTS:
                c.delta = v - ref;
                c.same = fabs(c.delta) < 5;
                break;
        default:
                return -EINVAL;
        }
        *ret = c;
        return 0;
}

/* The digest's trend and headline: see digest-trend.h for the contract and
 * docs/digest.md for what the person and their therapist read.
 *
 * The headline's score is a robust z: how far the week's mean is from the
 * usual median, in units of the person's own day-to-day variation (see
 * day_to_day_spread()).
 * A spread can be tiny (a very regular person, or a synthetic one: 0), which
 * would make any change look huge, so each signal has a floor under its
 * spread, about the smallest change that means something in that measure:
 *   - rest window middle 30 min: the rest window is found in whole hours, so
 *     its middle moves in steps of half an hour; a smaller spread is the
 *     measure's resolution, not the person's steadiness;
 *   - rest window length 0.5 h, for the same reason (whole hours a day,
 *     averaged over a week);
 *   - hours at this computer 0.5 h: half an hour a day, above the 5 % that
 *     the weekly table calls "about the same" for a usual day of 6–8 h;
 *   - night share 5 percentage points: about 20 minutes of a 7 h day moving
 *     into the night, above the 2 pp the weekly table calls the same;
 *   - regularity (SRI) 5 points: what the weekly table calls the same.
 * With the bar at 1.5, a change is headlined only when it is at least 1.5
 * floors (45 min, 0.75 h, 7.5 pp, 7.5 points) and 1.5 of the person's own
 * spreads: both an absolute and a relative size. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "calendar.h"
#include "digest-trend.h"

#define DAY INT64_C(86400)
#define MIN_PER_DAY 1440
#define NOON_MIN 720

static const char *const signal_names[_TREND_SIGNAL_MAX] = {
        [TREND_SCREEN_H] = "screen_h", [TREND_NIGHT_RATIO] = "night_ratio", [TREND_SLEEP_MID] = "sleep_mid",
        [TREND_SLEEP_H] = "sleep_h",   [TREND_SRI] = "sri",
};

static const double spread_floor[_TREND_SIGNAL_MAX] = {
        [TREND_SCREEN_H] = 0.5, [TREND_NIGHT_RATIO] = 0.05, [TREND_SLEEP_MID] = 30, [TREND_SLEEP_H] = 0.5,
        [TREND_SRI] = 5,
};

const char *trend_signal_to_string(TrendSignal s) {
        return (unsigned) s < _TREND_SIGNAL_MAX ? signal_names[s] : NULL;
}

int trend_signal_from_string(const char *s) {
        for (int i = 0; s && i < _TREND_SIGNAL_MAX; i++)
                if (strcmp(s, signal_names[i]) == 0)
                        return i;
        return -EINVAL;
}

double trend_spread_floor(TrendSignal s) {
        return (unsigned) s < _TREND_SIGNAL_MAX ? spread_floor[s] : NAN;
}

double trend_figure_value(const Figures *f, TrendSignal s) {
        switch (s) {
        case TREND_SCREEN_H: return f->screen_h;
        case TREND_NIGHT_RATIO: return f->night_ratio;
        case TREND_SLEEP_MID: return f->sleep_mid < 0 ? NAN : f->sleep_mid;
        case TREND_SLEEP_H: return f->sleep_h;
        case TREND_SRI: return f->sri;
        default: return NAN;
        }
}

/* A day's value of s; sleep_mid as minutes after noon (0..1439), so that a
 * rest window's middle never wraps; NAN when null. */
static double day_value(const DaySignals *d, TrendSignal s) {
        switch (s) {
        case TREND_SCREEN_H: return d->screen_h;
        case TREND_NIGHT_RATIO: return d->night_ratio;
        case TREND_SLEEP_MID:
                if (d->sleep_mid < 0 || d->sleep_mid >= MIN_PER_DAY)
                        return NAN;
                return (double) floor_mod(d->sleep_mid - NOON_MIN, MIN_PER_DAY);
        case TREND_SLEEP_H: return d->sleep_h;
        case TREND_SRI: return d->sri;
        default: return NAN;
        }
}

static void sort_doubles(double *x, size_t n) {
        for (size_t i = 1; i < n; i++)
                for (size_t j = i; j > 0 && x[j - 1] > x[j]; j--) {
                        double t = x[j];
                        x[j] = x[j - 1];
                        x[j - 1] = t;
                }
}

/* The p-quantile of sorted x[0..n), n > 0: linear between the order
 * statistics at (n − 1)·p (Hyndman and Fan's type 7, R's and numpy's default). */
static double quantile(const double *x, size_t n, double p) {
        double h = (double) (n - 1) * p;
        size_t lo = (size_t) floor(h);
        if (lo + 1 >= n)
                return x[n - 1];
        return x[lo] + (h - (double) lo) * (x[lo + 1] - x[lo]);
}

/* Back from minutes after noon to minutes after midnight, to the minute, as
 * summary_figures() does for the baseline's median. */
static double from_noon(double t) {
        return (double) ((lround(t) + NOON_MIN) % MIN_PER_DAY);
}

/* The person's day-to-day variation of the values x[0..n) of consecutive days
 * (NAN: no value): 1.4826 · median |x_i − x_{i−1}| / √2 over the pairs of
 * neighbouring days that both have a value; NAN with fewer than
 * DIGEST_SPREAD_MIN_PAIRS pairs. For independent daily values of standard
 * deviation σ, x_i − x_{i−1} has deviation σ·√2, and 1.4826 · its median
 * absolute value is that deviation: so this is σ, robustly (the noise
 * estimate of change-point methods, e.g. Fryzlewicz 2014). Unlike the IQR or
 * the MAD of the values, a slow drift inside the baseline hardly widens it:
 * a baseline that is itself drifting must not hide how far the week went. */
static double day_to_day_spread(const double *x, size_t n) {
        double d[DIGEST_BASELINE_DAYS];
        size_t m = 0;

        for (size_t i = 1; i < n && m < DIGEST_BASELINE_DAYS; i++)
                if (isfinite(x[i]) && isfinite(x[i - 1]))
                        d[m++] = fabs(x[i] - x[i - 1]);
        if (m < DIGEST_SPREAD_MIN_PAIRS)
                return NAN;
        sort_doubles(d, m);
        return 1.4826 * quantile(d, m, 0.5) / M_SQRT2;
}

static void usual_range(const DaySignals *d, size_t n, double min_coverage_h, TrendSignal s, TrendUsual *ret) {
        double x[DIGEST_BASELINE_DAYS], by_day[DIGEST_BASELINE_DAYS];
        size_t m = 0;

        *ret = (TrendUsual) { NAN, NAN, NAN, NAN, 0 };
        if (n > DIGEST_BASELINE_DAYS)
                n = DIGEST_BASELINE_DAYS;
        for (size_t i = 0; i < n; i++) {
                by_day[i] = d[i].coverage_h >= min_coverage_h ? day_value(&d[i], s) : NAN;
                if (isfinite(by_day[i]))
                        x[m++] = by_day[i];
        }
        ret->days = (int) m;
        if (m < DIGEST_USUAL_MIN_DAYS)
                return;
        sort_doubles(x, m);
        /* The median as summary_figures() computes it, to the last bit. */
        ret->median = m % 2 ? x[m / 2] : (x[m / 2 - 1] + x[m / 2]) / 2;
        ret->low = quantile(x, m, 0.25);
        ret->high = quantile(x, m, 0.75);
        ret->spread = day_to_day_spread(by_day, n);
        if (s == TREND_SLEEP_MID) {
                ret->median = from_noon(ret->median);
                ret->low = from_noon(ret->low);
                ret->high = from_noon(ret->high);
        }
}

int digest_trend(const DaySignals *d, size_t n, double min_coverage_h, int day_start_min, DigestTrend *ret) {
        if (!d || !ret || n != DIGEST_TREND_WEEKS * 7)
                return -EINVAL;
        *ret = (DigestTrend) {};
        for (size_t w = 0; w < DIGEST_TREND_WEEKS; w++) {
                ret->weeks[w].monday = d[w * 7].date;
                summary_figures(d + w * 7, 7, NULL, 0, min_coverage_h, day_start_min, FIGURES_MEAN, &ret->weeks[w].mean);
        }
        const DaySignals *base = d + n - 7 - DIGEST_BASELINE_DAYS;
        for (int s = 0; s < _TREND_SIGNAL_MAX; s++)
                usual_range(base, DIGEST_BASELINE_DAYS, min_coverage_h, (TrendSignal) s, &ret->usual[s]);
        return 0;
}

size_t digest_headline_pick(const DigestTrend *t, HeadlineEntry ret[static DIGEST_HEADLINE_MAX]) {
        const TrendWeek *week = &t->weeks[DIGEST_TREND_WEEKS - 1];
        HeadlineEntry c[_TREND_SIGNAL_MAX];
        size_t m = 0;

        if (week->mean.days < DIGEST_HEADLINE_MIN_DAYS)
                return 0;
        for (int s = 0; s < _TREND_SIGNAL_MAX; s++) {
                const TrendUsual *u = &t->usual[s];
                double v = trend_figure_value(&week->mean, (TrendSignal) s);
                if (!isfinite(v) || !isfinite(u->median) || !isfinite(u->spread))
                        continue;
                double change = s == TREND_SLEEP_MID ? time_of_day_diff(v, u->median) : v - u->median;
                double score = fabs(change) / fmax(u->spread, spread_floor[s]);
                if (score >= DIGEST_HEADLINE_BAR)
                        c[m++] = (HeadlineEntry) { (TrendSignal) s, v, u->median, change, score };
        }
        /* Largest score first; a stable sort keeps ties in signal order. */
        for (size_t i = 1; i < m; i++)
                for (size_t j = i; j > 0 && c[j - 1].score < c[j].score; j--) {
                        HeadlineEntry x = c[j];
                        c[j] = c[j - 1];
                        c[j - 1] = x;
                }
        if (m > DIGEST_HEADLINE_MAX)
                m = DIGEST_HEADLINE_MAX;
        memcpy(ret, c, m * sizeof *c);
        return m;
}

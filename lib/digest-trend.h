/* The digest's trend and headline (docs/digest.md "Trend, usual range and
 * headline"): the weekly means of five signals over the last 12 weeks, the
 * person's usual range of each (from the baseline days), and the one or two
 * changes of the week that are largest against the person's own usual
 * variation. Pure: no clock, no I/O, no allocation. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "summary.h"

#define DIGEST_TREND_WEEKS 12
/* The baseline: the 28 days before the digest's week, as for its figures. */
#define DIGEST_BASELINE_DAYS 28
/* A usual range needs this many baseline days with a value (as the baseline
 * detector of the policies); with fewer, there is none, and no headline. */
#define DIGEST_USUAL_MIN_DAYS 14
/* A week's mean is headlined only when it is over at least this many days
 * (most of the week): one odd day is not a change. */
#define DIGEST_HEADLINE_MIN_DAYS 4
/* A change is headlined from this score on (robust z, see digest_headline_pick()). */
#define DIGEST_HEADLINE_BAR 1.5
#define DIGEST_HEADLINE_MAX 2

typedef enum TrendSignal {
        TREND_SCREEN_H,    /* hours a day at this computer */
        TREND_NIGHT_RATIO, /* share 0..1 of that time in the night window */
        TREND_SLEEP_MID,   /* middle of the rest window, minutes after midnight */
        TREND_SLEEP_H,     /* length of the rest window, hours */
        TREND_SRI,         /* regularity of the rest window, points -100..100 */
        _TREND_SIGNAL_MAX,
} TrendSignal;

/* "screen_h", "night_ratio", "sleep_mid", "sleep_h", "sri" (the model's keys)
 * and back; NULL / -EINVAL for anything else. */
const char *trend_signal_to_string(TrendSignal s);
int trend_signal_from_string(const char *s);
/* The signal's value in f: a number, sleep_mid as minutes (0..1439); NAN for null. */
double trend_figure_value(const Figures *f, TrendSignal s);

typedef struct TrendWeek {
        int64_t monday; /* local seconds of its Monday 00:00 */
        Figures mean;   /* summary_figures(FIGURES_MEAN) of its 7 days, as the digest's mean */
} TrendWeek;

/* The day-to-day spread needs this many pairs of neighbouring baseline days
 * that both have a value. */
#define DIGEST_SPREAD_MIN_PAIRS 7

/* One signal's usual range over the baseline days that are counted (coverage)
 * and have a value: the median and the middle half (25th to 75th percentile,
 * linear between order statistics); and the person's day-to-day variation,
 * robustly (1.4826 · the median absolute change from one day to the next /
 * √2; NAN with too few pairs), which the headline's score is in units of.
 * sleep_mid is taken on the line from noon to noon, as the baseline's
 * median is (a rest window lies within it, so it never breaks there), and
 * given back as minutes after midnight rounded to the minute: low may then be
 * larger than high (22:50 to 01:10). All NAN when fewer than
 * DIGEST_USUAL_MIN_DAYS days have a value. The median is the baseline's. */
typedef struct TrendUsual {
        double median, low, high, spread;
        int days; /* baseline days with a value */
} TrendUsual;

typedef struct DigestTrend {
        TrendWeek weeks[DIGEST_TREND_WEEKS]; /* oldest first; the last is the digest's week */
        TrendUsual usual[_TREND_SIGNAL_MAX];
} DigestTrend;

/* The trend of the week whose days are the last 7 of d: d holds
 * DIGEST_TREND_WEEKS × 7 consecutive days (signals_days()), oldest first,
 * starting on a Monday. -EINVAL when n is not that. */
int digest_trend(const DaySignals *d, size_t n, double min_coverage_h, int day_start_min, DigestTrend *ret);

typedef struct HeadlineEntry {
        TrendSignal signal;
        double value;  /* the week's mean (sleep_mid: minutes after midnight) */
        double usual;  /* the usual median */
        double change; /* value − usual: hours, a share, points; for sleep_mid
                        * minutes, the shorter way round the clock (+ later) */
        double score;  /* |change| / max(usual spread, the signal's floor) */
} HeadlineEntry;

/* The spread a usual variation is taken to have at least (see the .c file). */
double trend_spread_floor(TrendSignal s);

/* The changes of the digest's week (its last week) against the usual range
 * that score at least DIGEST_HEADLINE_BAR, the largest score first (ties in
 * signal order), at most DIGEST_HEADLINE_MAX of them, in ret; returns how
 * many. Only a week mean over DIGEST_HEADLINE_MIN_DAYS days or more and a
 * usual range count. */
size_t digest_headline_pick(const DigestTrend *t, HeadlineEntry ret[static DIGEST_HEADLINE_MAX]);

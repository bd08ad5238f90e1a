/* Daily signals from hourly buckets (DESIGN.md "Signals"). Pure: no clock, no I/O.
 *
 * Conventions, fixed here so figures are comparable with the literature:
 * - A bucket's local start is start + utc_offset (its own offset: the local day
 *   in force at the time). A bucket belongs to day D when its local start lies in
 *   [D + day_start, D + 1 day + day_start). Dates are "local seconds": the local
 *   date-time of 00:00 read as if it were UTC (so date / 86400 is a day number).
 * - An hour is *valid* (observed) when observed_s >= 1800. Its value for the
 *   rhythm figures is its active minutes scaled to the hour,
 *   60 * active_s / observed_s. Invalid and missing hours are missing, not zero.
 * - Times of day are minutes after local midnight (0..1439); -1 means null.
 *   Figures are doubles; NAN means null.
 */
#pragma once

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "accountant.h"

typedef struct SignalsConfig {
        int day_start_min;   /* a day runs from this local time to the same time next day */
        int night_start_min; /* night window [start, end), may wrap past midnight */
        int night_end_min;
} SignalsConfig;

typedef struct DaySignals {
        int64_t date; /* local seconds of the date's 00:00 */

        double screen_h;   /* active hours on D */
        double coverage_h; /* observed hours on D */
        double night_ratio; /* share of D's active time in hours whose local start is
                             * inside the night window; NAN below 30 active minutes */
        int first_active;   /* local start of the first / last hour of D with >= 5 */
        int last_active;    /* active minutes; -1 when none */

        /* The longest run of consecutive valid hours with <= 5 active minutes each
         * in the noon-to-noon window ending at noon of D's date (ties: the earliest).
         * onset = local start of its first hour, offset = local end of its last,
         * sleep_h = its length in hours, mid = onset + sleep_h / 2 (mod 24 h). */
        int sleep_onset, sleep_offset, sleep_mid;
        double sleep_h;

        /* The waking day between D's rest window and the next one (D + 1's):
         * up = local start of the first hour with >= 5 active minutes after D's rest
         * window ends, down = local end of the last such hour before D + 1's rest
         * window begins, both in minutes after D's local 00:00, so that they may
         * pass midnight (down 26:30 is 02:30 the next morning) and average and
         * compare without wrapping. up is NAN without a rest window on D; down is
         * NAN until D + 1 has one and the buckets reach noon of D + 1 (the end of
         * its window). */
        double up, down;

        /* Regularity over the 7 days ending on D (the noon-to-noon windows of
         * D − 6 … D). sri: Sleep Regularity Index (Phillips et al. 2017) of the rest
         * window: each valid hour is "rest" when inside its day's rest window, else
         * "awake"; SRI = 200 · (pairs of valid hours 24 h apart in the same state /
         * pairs) − 100, in −100 … 100; NAN under 72 pairs. social_jet_lag_h: the mean
         * rest-window midpoint of the free nights (the windows of Saturdays and
         * Sundays) minus that of the work nights (Monday … Friday), in hours,
         * positive when later on free days (after Wittmann et al. 2006); NAN without
         * both kinds. */
        double sri, social_jet_lag_h;

        /* Over the 7 days ending on D (van Someren et al. 1999; Witting 1990), on the
         * values of valid hours; NAN (-1) with fewer than 3 days that have a valid hour.
         * IS = n·Σ_h(x̄_h − x̄)² / (p·Σ_i(x_i − x̄)²), p = hours-of-day with data;
         * IV = n·Σ(x_i − x_{i−1})² / (pairs·Σ_i(x_i − x̄)²) over pairs of valid hours
         * adjacent in time; both NAN when Σ_i(x_i − x̄)² is 0.
         * L5/M10: least / most active 5 / 10 consecutive hours of the average day
         * (24 hour-of-day means), windows wrapping past midnight, skipping windows
         * with an hour-of-day without data, ties to the earliest onset from 00:00.
         * RA = (M10 − L5)/(M10 + L5), NAN when both are 0. */
        double is, iv, ra, l5, m10;
        int l5_onset, m10_onset;
} DaySignals;

/* Signals for the days first_date..last_date (inclusive, local seconds of 00:00,
 * first_date <= last_date, at most 3700 days). b: the buckets sorted by start,
 * covering at least [first_date - 7 days, last_date + 2 days) in local time (more
 * is fine). *ret: one entry per day, malloc'ed. */
int signals_days(const AcctBucket *b, size_t n, const SignalsConfig *cfg, int64_t first_date, int64_t last_date,
                 DaySignals **ret, size_t *ret_n);

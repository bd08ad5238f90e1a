/* Weekly figures over daily signals: means for a week, medians for a baseline.
 * Pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "signals.h"

/* The person's own answers for a day; -1 where not answered. */
typedef struct Checkin {
        int64_t date; /* local seconds of 00:00 */
        int went_out, met_someone; /* 0/1 */
        int mood; /* 1..5 */
} Checkin;

typedef struct Figures {
        int days; /* days counted (not low coverage) */
        double screen_h, night_ratio, sleep_h, coverage_h, is, iv, ra, l5, m10; /* NAN: null */
        int first_active, last_active, sleep_onset, sleep_offset, sleep_mid;  /* minutes, -1: null */
        double up, down;                 /* minutes after the day's 00:00 (DaySignals); NAN: null */
        double sri, social_jet_lag_h;    /* NAN: null */
        /* Check-ins per question: days answered "yes", days answered at all; a
         * day not answered is unknown, never "no". checkin_days: days with any answer. */
        int went_out_days, went_out_answered, met_someone_days, met_someone_answered, checkin_days;
        double mood; /* NAN: null */
} Figures;

typedef enum FiguresKind {
        FIGURES_MEAN,
        FIGURES_MEDIAN,
} FiguresKind;

/* Figures over the days with coverage_h >= min_coverage_h, each figure over the
 * days where it is not null. Times of day are averaged on a line that does not
 * break inside their usual range: first/last active as minutes after the day
 * start (day_start_min), sleep times as minutes after noon; the result is
 * brought back to 0..1439. Check-in counts and mood cover all days in
 * [first day, last day] of d that have a check-in (coverage does not matter). */
void summary_figures(const DaySignals *d, size_t n, const Checkin *c, size_t n_c, double min_coverage_h,
                     int day_start_min, FiguresKind kind, Figures *ret);

/* How a figure changed from ref to v, judged as kizuki shows it (the digest;
 * kizuki week judges the same way). */
typedef enum ChangeKind {
        CHANGE_AMOUNT, /* hours, indices: in percent of ref; the difference itself when ref is 0 */
        CHANGE_SHARE,  /* a share 0..1: in percentage points */
        CHANGE_TIME,   /* a time of day in minutes: the shorter way round the clock */
        CHANGE_MINUTES, /* minutes on a line that does not wrap (up, down): the difference */
        CHANGE_POINTS,  /* a score (SRI): the difference in points */
} ChangeKind;

typedef struct Change {
        double delta;  /* percent when relative; else the difference (pp for shares, minutes for times) */
        bool relative; /* delta is in percent of ref */
        bool same;     /* about the same: under 5 %, 2 pp or 15 min (or exactly, from 0) */
} Change;

/* -ENODATA when v or ref is NaN (null). */
int summary_change(ChangeKind kind, double v, double ref, Change *ret);

/* Policies: INI files that say which daily signal to watch, how to aggregate
 * it over a window, how to compare it (fixed threshold, the person's own
 * baseline, CUSUM, trend, or other policies firing together), for how long it
 * must hold, and what nudge to raise. Pure: parsing from text, evaluation by
 * replaying a history of days. Deterministic given the history, so the daemon
 * and "kizuki policy test" get the same answers.
 *
 * Semantics (DESIGN.md "Policies"; docs/policies.md and kizuki.policy(5) are
 * the reference for people):
 *
 * Daily series. x_d is the policy's signal on day d: NAN when null, or when the
 * day has coverage_h < min_coverage_h (check-in signals ignore coverage:
 * went_out / met_someone as 1/0, mood 1..5, NAN when not answered). Times of day
 * are minutes on a line anchored like summary.h (first/last active from the day
 * start, sleep times from noon) so that "later" is "larger".
 *
 * Window aggregate on day D: over x_{D-window+1..D}, the valid (non-NAN) values;
 * fewer than min_valid_days → unknown. mean | median | sum | count (the number
 * of valid days where x <op> count_value).
 *
 * Detectors (direction up: larger is the problem; down: smaller):
 *  threshold  condition: agg > threshold (up) / agg < threshold (down).
 *  baseline   B = x over the baseline_days days before the window
 *             (D-window-baseline_days+1 .. D-window); fewer than
 *             baseline_min_days valid → unknown. m = median(B),
 *             s = max(1.4826·MAD(B), min_spread). With by_weekday, every
 *             x_j (window and B) is first replaced by the residual
 *             y_j = x_j − e_{w(j)}, e_w = M_w − median of the M_v, M_w the
 *             median of B's days of weekday w (only weekdays with at least 4
 *             days in B have one; the others have e_w = 0), and
 *             agg, m and s are taken over y, s widened by √((1 + π/(2k)) /
 *             (1 − 1/k)), k = max(4, |B|/7): the residuals lie around medians
 *             fitted to those very days, a new day's around an estimate. z = (agg − m)/s (±INFINITY when s = 0 and
 *             agg ≠ m, 0 when equal). condition: z ≥ z_min and agg − m ≥
 *             min_change (up); z ≤ −z_min and m − agg ≥ min_change (down).
 *  cusum      one-sided tabular CUSUM on daily robust z: z_d = clamp((x_d −
 *             m)/s, −3, 3) with m, s from the baseline_days before d (s = 0 →
 *             z_d = 0; s as for baseline, min_spread and by_weekday too: then
 *             m is d's weekday's usual, m + e_{w(d)}, and PolicyEval.baseline
 *             holds it); S_d = min(max(0, S_{d−1} + z_d − k), 1.5·h) (up; −z_d
 *             for down);
 *             missing days leave S unchanged; condition: S_d > h. While the
 *             policy is firing, m, s (and e) stay frozen at their values on the day
 *             it began firing. The window/aggregate are not used.
 *  trend      Theil–Sen slope (median of pairwise slopes, per day) over the
 *             window's valid days; fewer than trend_min_days → unknown.
 *             condition: slope ≥ min_slope (up) / slope ≤ −min_slope (down).
 *  composite  condition: at least composite_min of the named policies are
 *             firing on D (evaluated before it on the same day); unknown never.
 *
 * State machine per day (like Prometheus alerting rules): unknown days change
 * nothing. inactive + true → pending (since D); pending + true for for_days
 * consecutive known days (D − since + 1 ≥ for_days; for_days ≤ 1 fires at once)
 * → firing; pending + false → inactive; firing + false → stays firing until the
 * condition has been false for keep_firing_for_days days since it was last
 * true, then inactive. A nudge is raised on a day the policy is firing when no
 * nudge of this policy was raised in the cooldown_days before it (so: when it
 * starts firing, and again every cooldown while it keeps firing).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "signals.h"
#include "summary.h"

/* A policy file larger than this is refused (by kizukid and kizuki alike). */
#define POLICY_FILE_MAX (256 * 1024)

typedef enum PolicySignal {
        POLICY_SIGNAL_SCREEN_H,
        POLICY_SIGNAL_NIGHT_RATIO,
        POLICY_SIGNAL_FIRST_ACTIVE,
        POLICY_SIGNAL_LAST_ACTIVE,
        POLICY_SIGNAL_SLEEP_ONSET,
        POLICY_SIGNAL_SLEEP_OFFSET,
        POLICY_SIGNAL_SLEEP_MID,
        POLICY_SIGNAL_SLEEP_H,
        POLICY_SIGNAL_COVERAGE_H,
        POLICY_SIGNAL_IS,
        POLICY_SIGNAL_IV,
        POLICY_SIGNAL_RA,
        POLICY_SIGNAL_L5,
        POLICY_SIGNAL_M10,
        POLICY_SIGNAL_WENT_OUT,
        POLICY_SIGNAL_MET_SOMEONE,
        POLICY_SIGNAL_MOOD,
        _POLICY_SIGNAL_MAX,
} PolicySignal;

typedef enum PolicyAggregate { POLICY_MEAN, POLICY_MEDIAN, POLICY_SUM, POLICY_COUNT } PolicyAggregate;
typedef enum PolicyDetector {
        POLICY_THRESHOLD,
        POLICY_BASELINE,
        POLICY_CUSUM,
        POLICY_TREND,
        POLICY_COMPOSITE,
} PolicyDetector;
typedef enum PolicySeverity { POLICY_GENTLE, POLICY_NOTICE, POLICY_CONCERN } PolicySeverity;
typedef enum PolicyState { POLICY_INACTIVE, POLICY_PENDING, POLICY_FIRING } PolicyState;

typedef struct Policy {
        char *name;    /* [policy] name, default: the file name without ".policy" */
        bool enabled;  /* enabled, default true */
        PolicySignal signal;
        PolicyAggregate aggregate; /* default mean */
        int window_days;           /* window, default 7d */
        char count_op;             /* count_when: one of '<' '>' '=' 'l' (<=) 'g' (>=) */
        double count_value;
        int min_valid_days; /* default: half the window, rounded up */
        PolicyDetector detector;
        bool up; /* direction = up (default) | down */

        double threshold;                         /* [threshold] value */
        int baseline_days, baseline_min_days;     /* [baseline] days (28), min_days (14) */
        double z_min, min_change;                 /* [baseline] z (2.5), min_change (0) */
        double min_spread;                        /* [baseline]/[cusum] min_spread (0): the least s */
        bool by_weekday;                          /* by_weekday (no): the usual per day of the week */
        double cusum_k, cusum_h;                  /* [cusum] k (0.5), h (5) */
        double min_slope;                         /* [trend] min_slope (0: any slope) */
        int trend_min_days;                       /* [trend] min_days (14) */
        char **composite;                         /* [composite] policies = a, b, c */
        size_t n_composite;
        int composite_min;                        /* [composite] min_firing (2) */

        int for_days;             /* for (default 1d) */
        int keep_firing_for_days; /* keep_firing_for (default 0) */
        int cooldown_days;        /* cooldown (default 14d) */
        PolicySeverity severity;  /* default notice */

        char *title, *body, *step; /* [nudge]; placeholders, see policy_format() */
} Policy;

/* Called once per problem: file:line and a message. */
typedef void (*PolicyErrorFn)(const char *file, unsigned line, const char *message, void *userdata);

/* Parse one policy file's text. name: the file name (for messages and the
 * default policy name). Returns the number of problems (> 0: *ret is NULL), or
 * -ENOMEM. Unknown sections/keys, bad values, missing required keys (signal,
 * detector, the detector's own required key, [nudge] title and body) are
 * problems. */
int policy_parse(const char *text, size_t len, const char *name, PolicyErrorFn err, void *userdata, Policy **ret);
Policy *policy_free(Policy *p);

/* Parse "late-nights" → the signal's name table etc., for callers. */
const char *policy_signal_name(PolicySignal s);
const char *policy_aggregate_name(PolicyAggregate a);
const char *policy_severity_name(PolicySeverity s);
const char *policy_detector_name(PolicyDetector d);
const char *policy_state_name(PolicyState s);

/* Signal s as one day recorded it, before coverage and the anchor: hours, a
 * share, minutes after midnight, a check-in answer; NAN where the day has none
 * (a time or answer of -1, no check-in ck). Only ck is read for check-in
 * signals, only day for the others. */
double policy_signal_recorded(const DaySignals *day, const Checkin *ck, PolicySignal s);

typedef struct PolicyEval {
        int64_t date;
        int known;          /* 0: not enough data */
        bool condition;
        double value;       /* window aggregate (or daily x for cusum); NAN if unknown */
        double baseline;    /* m (baseline, cusum), threshold (threshold); NAN otherwise */
        double spread;      /* s = 1.4826·MAD (baseline, cusum) */
        double score;       /* z (baseline), S_d (cusum), slope (trend), count firing (composite) */
        PolicyState state;  /* after this day */
        bool nudge;         /* a nudge is raised on this day */
        int anchor_min;     /* times of day: origin of the line value/baseline are on
                             * (minutes after midnight); 0 for other signals */
} PolicyEval;

/* Replay policies p[0..n_p) over days[0..n_days) (consecutive local days, in
 * order, as signals_days() returns them) with check-ins c (any order). A
 * composite policy must come after the policies it names (callers sort; names
 * that are missing count as not firing). *ret: n_p × n_days evaluations,
 * row-major by policy (ret[i * n_days + d]). */
int policy_replay(Policy *const *p, size_t n_p, const DaySignals *days, size_t n_days, const Checkin *c,
                  size_t n_c, double min_coverage_h, int day_start_min, PolicyEval **ret);

/* Replay window. Replay carries state from day to day (pending, firing,
 * cooldowns, CUSUM sums), so a day's verdict depends on where the replay
 * begins. Day D (local seconds of its 00:00) is judged by replaying the days
 * policy_replay_start(D) .. D: the latest Monday on a fixed 28-day grid that
 * lies at least POLICY_REPLAY_LEAD_DAYS days before D (so 366 to 393 days
 * of history: longer than any one window, baseline, for or cooldown, each at
 * most 366 days; a baseline behind a long window may reach further, and
 * is then cut at the window's start, the same way for everyone).
 * Days missing from the history are simply unknown. kizukid and kizuki policy
 * test / explain use this one definition, through policy_judge(). */
#define POLICY_REPLAY_LEAD_DAYS 366
#define POLICY_REPLAY_GRID_DAYS 28
#define POLICY_REPLAY_MAX_DAYS (POLICY_REPLAY_LEAD_DAYS + POLICY_REPLAY_GRID_DAYS)
int64_t policy_replay_start(int64_t day);

/* Judge each day of days[first..n_days) on its own replay window: row d of
 * policy i (ret[i * n_days + d]) is what policy_replay() over
 * policy_replay_start(days[d].date) .. days[d].date gives on its last day.
 * The rows from the first day's window start up to first come from the first
 * day's replay (its lead-in); rows before that are unknown and inactive.
 * days: consecutive, in order; days of a window missing before days[0] count
 * as days without data (callers fetch from policy_replay_start() of the first
 * day; a history that begins later is the same). Arguments otherwise as
 * policy_replay(). */
int policy_judge(Policy *const *p, size_t n_p, const DaySignals *days, size_t n_days, const Checkin *c, size_t n_c,
                 double min_coverage_h, int day_start_min, size_t first, PolicyEval **ret);

/* Fill a nudge template: {value} {baseline} {change} (value − baseline, signed,
 * or a percentage of the baseline for hours and rhythm figures: "+22 %")
 * {usual} {unusual} (policy_format_usual/unusual()) {window} ("7 days")
 * {threshold} {z} {name}; values formatted by the signal's unit (hours
 * "7.1 h", ratios "31 %", times "01:30", rhythm figures as a share of their
 * scale "62 %", counts "3 days", mood "3.2"); unknown placeholders stay as
 * they are; NAN → "—". *ret malloc'ed. */
int policy_format(const Policy *p, const PolicyEval *e, const char *tmpl, char **ret);

/* The figures of policy_format(), for other views (kizuki explain); each
 * writes at most size bytes into out, "—" for what is not known. */
/* A window aggregate, baseline or threshold of p ({value}, {baseline}); a time
 * of day on e's anchored line (e NULL: minutes after midnight). */
void policy_format_level(const Policy *p, const PolicyEval *e, double v, char *out, size_t size);
/* One day's value of p's signal: "7.1 h", "31 %", "01:30", "yes". */
void policy_format_daily(const Policy *p, double v, char *out, size_t size);
/* {usual}: the usual range, the baseline ± its spread ("0–5 %", "7.2–8.4 h";
 * one figure when it does not vary), or the threshold. */
void policy_format_usual(const Policy *p, const PolicyEval *e, char *out, size_t size);
/* {unusual}: how unusual the day is, in words ("well above your usual range",
 * "within the limit", "rising (+9 min/day)", "2 of 5 active", "not enough
 * data"); the statistic itself is e->score. */
void policy_format_unusual(const Policy *p, const PolicyEval *e, char *out, size_t size);

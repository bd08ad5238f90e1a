/* kizuki explain ID|POLICY|FILE [--days N] [--to DATE] [--verbose] [--json]:
 * the figures behind a nudge or a policy, in the person's units. The policy
 * is replayed locally over the stored days (GetDays), as kizuki policy test
 * does and as kizukid evaluates it; for a nudge, its policy as of the nudge's
 * day. By default: what the policy watches, in words; per day the day's
 * value, the window's, your usual range (or the limit), how unusual in words
 * and whether it was watching, active or raised a nudge; one sentence why.
 * The statistics (spread, z, CUSUM sum, known, condition, the engine's own
 * sentence) come with --verbose and --json. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "client.h"
#include "days.h"
#include "kizuki.h"
#include "macro.h"
#include "nudge-view.h"
#include "output.h"
#include "explain.h"
#include "policy-common.h"

#define EXPLAIN_DAYS_DEFAULT 14
#define EXPLAIN_DAYS_MAX 366


/* The policy file's name of a window's aggregate. */
static const char *aggregate_name(PolicyAggregate a) {
        const char *name = policy_aggregate_name(a);
        return name ? name : "mean";
}

/* What a detector's score is called; NULL for a threshold (it has none). */
static const char *const score_names[] = {
        [POLICY_BASELINE] = "z",
        [POLICY_CUSUM] = "CUSUM",
        [POLICY_TREND] = "slope/day",
        [POLICY_COMPOSITE] = "firing",
};

static const char *score_name(PolicyDetector d) {
        return (unsigned) d < ELEMENTSOF(score_names) ? score_names[d] : NULL;
}

static bool is_checkin_signal(PolicySignal s) {
        return s == POLICY_SIGNAL_WENT_OUT || s == POLICY_SIGNAL_MET_SOMEONE || s == POLICY_SIGNAL_MOOD;
}

/* A number that is not on the time-of-day line (spread, score): "%.2f", or
 * whole; "-" for NaN, "∞" for infinities. */
static const char *format_number(double v, char *buf, size_t size) {
        if (isnan(v))
                snprintf(buf, size, "-");
        else if (isinf(v))
                snprintf(buf, size, "%s∞", v < 0 ? "-" : "");
        else if (fabs(v - round(v)) < 1e-9 && fabs(v) < 1e15)
                snprintf(buf, size, "%.0f", v);
        else
                snprintf(buf, size, "%.2f", v);
        return buf;
}

/* The daily value as the replay sees it: NAN when null or on a low-coverage day. */
static double valid_daily(const Policy *p, const Day *d) {
        if (!is_checkin_signal(p->signal) && d->low_coverage)
                return NAN;
        return policy_common_daily(p, d);
}

/* Valid days among days (i - from_back) .. (i - to_back) that exist. */
static unsigned count_valid(const Explain *x, size_t i, size_t from_back, size_t to_back, unsigned *ret_span) {
        unsigned n = 0, span = 0;
        for (size_t k = to_back; k <= from_back; k++) {
                if (k > i)
                        break;
                span++;
                if (!isnan(valid_daily(x->p, &x->days[i - k])))
                        n++;
        }
        if (ret_span)
                *ret_span = span;
        return n;
}

/* The condition of the detector on the last day, as words. */
static void why_condition(const Explain *x, const PolicyEval *e, char *buf, size_t size) {
        const Policy *p = x->p;
        char a[32], b[32], c[32], d[32];

        switch (p->detector) {
        case POLICY_THRESHOLD:
                snprintf(buf, size, "the window %s %s is %s the threshold %s", aggregate_name(p->aggregate),
                         policy_common_format(p, e, e->value, a, sizeof a),
                         e->condition ? (p->up ? "above" : "below") : (p->up ? "not above" : "not below"),
                         policy_common_format(p, e, e->baseline, b, sizeof b));
                break;
        case POLICY_BASELINE: {
                double change = p->up ? e->value - e->baseline : e->baseline - e->value;
                bool z_ok = p->up ? e->score >= p->z_min : e->score <= -p->z_min;
                if (z_ok && !e->condition)
                        snprintf(buf, size, "z = %s reaches %s%s, but the change of %s is below min_change %s",
                                 format_number(e->score, a, sizeof a), p->up ? "" : "-",
                                 format_number(p->z_min, b, sizeof b), format_number(change, c, sizeof c),
                                 format_number(p->min_change, d, sizeof d));
                else
                        snprintf(buf, size, "z = %s %s %s%s", format_number(e->score, a, sizeof a),
                                 z_ok ? "reaches" : p->up ? "is below" : "is above", p->up ? "" : "-",
                                 format_number(p->z_min, b, sizeof b));
                break;
        }
        case POLICY_CUSUM:
                snprintf(buf, size, "the CUSUM sum %s is %s h = %s", format_number(e->score, a, sizeof a),
                         e->condition ? "above" : "not above", format_number(p->cusum_h, b, sizeof b));
                break;
        case POLICY_TREND:
                snprintf(buf, size, "the slope of %s per day %s %s%s", format_number(e->score, a, sizeof a),
                         e->condition ? "reaches" : p->up ? "is below" : "is above", p->up ? "" : "-",
                         format_number(p->min_slope, b, sizeof b));
                break;
        case POLICY_COMPOSITE:
                snprintf(buf, size, "%s of the named policies %s firing, %d needed",
                         format_number(e->score, a, sizeof a), e->score == 1 ? "is" : "are", p->composite_min);
                break;
        }
}

/* An unknown day changes nothing: say what stays. */
static const char *unchanged(const PolicyEval *e) {
        return e->state == POLICY_FIRING ? "; it stays firing" : e->state == POLICY_PENDING ? "; it stays pending" : "";
}

/* What both sentences why (the engine's and the person's) rest on. */
typedef enum WhyMissing {
        WHY_KNOWN,
        WHY_WINDOW,   /* too few valid days in the window */
        WHY_BASELINE, /* too few valid days in the baseline */
        WHY_DAY_LOW,  /* CUSUM: the day itself observed too little (coverage_h of need hours) */
        WHY_DAY_NONE, /* CUSUM: the day itself has no value */
        WHY_OTHER,
} WhyMissing;
typedef struct WhyFacts {
        WhyMissing missing;
        unsigned valid;         /* WHY_WINDOW, WHY_BASELINE: the days with enough data */
        double coverage_h;      /* WHY_DAY_LOW: the hours observed */
        int of, need;           /* of how many, how many needed */
        char since[OUTPUT_DATE_MAX];      /* where the current state began */
        char last_nudge[OUTPUT_DATE_MAX]; /* the last nudge in the replay, or "" */
} WhyFacts;

static void why_facts(const Explain *x, size_t i, WhyFacts *f) {
        const Policy *p = x->p;
        const PolicyEval *e = &x->ev[i];
        unsigned span;

        *f = (WhyFacts) { .missing = WHY_KNOWN };
        if (!e->known) {
                f->missing = WHY_OTHER;
                /* CUSUM steps on the day's own value: without it nothing else matters. */
                if (p->detector == POLICY_CUSUM && isnan(valid_daily(p, &x->days[i]))) {
                        bool low = !is_checkin_signal(p->signal) && x->days[i].low_coverage;
                        f->missing = low ? WHY_DAY_LOW : WHY_DAY_NONE;
                        f->coverage_h = x->days[i].coverage_h;
                        f->need = x->min_coverage_h;
                        return;
                }
                if (p->detector != POLICY_CUSUM && p->detector != POLICY_COMPOSITE) {
                        f->need = p->detector == POLICY_TREND ? p->trend_min_days : p->min_valid_days;
                        f->of = p->window_days;
                        f->valid = count_valid(x, i, (size_t) p->window_days - 1, 0, &span);
                        if (f->valid < (unsigned) f->need) {
                                f->missing = WHY_WINDOW;
                                return;
                        }
                }
                if (p->detector == POLICY_BASELINE || p->detector == POLICY_CUSUM) {
                        size_t off = p->detector == POLICY_BASELINE ? (size_t) p->window_days : 1;
                        f->missing = WHY_BASELINE;
                        f->valid = count_valid(x, i, off + (size_t) p->baseline_days - 1, off, &span);
                        f->of = p->baseline_days;
                        f->need = p->baseline_min_days;
                }
                return;
        }
        size_t start = i;
        while (start > 0 && x->ev[start - 1].state == e->state)
                start--;
        (void) output_format_day(f->since, sizeof f->since, x->days[start].day);
        for (size_t k = i + 1; k-- > 0;)
                if (x->ev[k].nudge) {
                        (void) output_format_day(f->last_nudge, sizeof f->last_nudge, x->days[k].day);
                        break;
                }
}

/* One sentence why the policy fired or did not on day i. */
static void why(const Explain *x, size_t i, char *buf, size_t size) {
        const Policy *p = x->p;
        const PolicyEval *e = &x->ev[i];
        char cond[256];
        WhyFacts f;

        why_facts(x, i, &f);
        switch (f.missing) {
        case WHY_WINDOW:
                snprintf(buf, size, "not enough data: %u valid day%s in the %d-day window, %d needed%s", f.valid,
                         f.valid == 1 ? "" : "s", f.of, f.need, unchanged(e));
                return;
        case WHY_BASELINE:
                snprintf(buf, size, "not enough data for the baseline: %u valid day%s of %d, %d needed%s", f.valid,
                         f.valid == 1 ? "" : "s", f.of, f.need, unchanged(e));
                return;
        case WHY_DAY_LOW:
                snprintf(buf, size,
                         "no value for this day: %.1f hours observed, under the %d-hour minimum (a day counts once "
                         "complete)%s",
                         f.coverage_h, f.need, unchanged(e));
                return;
        case WHY_DAY_NONE:
                snprintf(buf, size, "no value for this day%s", unchanged(e));
                return;
        case WHY_OTHER:
                snprintf(buf, size, "not enough data%s", unchanged(e));
                return;
        case WHY_KNOWN:
                break;
        }
        why_condition(x, e, cond, sizeof cond);
        switch (e->state) {
        case POLICY_INACTIVE:
                snprintf(buf, size, "%s", cond);
                break;
        case POLICY_PENDING:
                snprintf(buf, size, "%s; pending since %s, it fires once that has held for %d days", cond, f.since,
                         p->for_days);
                break;
        case POLICY_FIRING:
                if (e->nudge)
                        snprintf(buf, size, "%s; firing since %s (for %d day%s reached): a nudge was raised", cond,
                                 f.since, p->for_days, p->for_days == 1 ? "" : "s");
                else if (!e->condition)
                        snprintf(buf, size, "%s, but it keeps firing (since %s) for keep_firing_for %d day%s", cond,
                                 f.since, p->keep_firing_for_days, p->keep_firing_for_days == 1 ? "" : "s");
                else if (*f.last_nudge)
                        snprintf(buf, size, "%s; firing since %s, in cooldown since the nudge of %s (%d days)", cond,
                                 f.since, f.last_nudge, p->cooldown_days);
                else
                        snprintf(buf, size, "%s; firing since %s", cond, f.since);
                break;
        }
}

/* ---- in the person's words ------------------------------------------------ */

/* What each signal is, for people. */
static const char *const signal_words[_POLICY_SIGNAL_MAX] = {
        [POLICY_SIGNAL_SCREEN_H] = "hours at the computer",
        [POLICY_SIGNAL_NIGHT_RATIO] = "the share of computer time at night",
        [POLICY_SIGNAL_FIRST_ACTIVE] = "when the computer was first used",
        [POLICY_SIGNAL_LAST_ACTIVE] = "when the computer was last used",
        [POLICY_SIGNAL_SLEEP_ONSET] = "when the longest night-time break from the computer began",
        [POLICY_SIGNAL_SLEEP_OFFSET] = "when the longest night-time break from the computer ended",
        [POLICY_SIGNAL_SLEEP_MID] = "the middle of the longest night-time break from the computer",
        [POLICY_SIGNAL_SLEEP_H] = "the length of the longest night-time break from the computer",
        [POLICY_SIGNAL_COVERAGE_H] = "hours kizuki could observe",
        [POLICY_SIGNAL_IS] = "how alike the days are, hour by hour",
        [POLICY_SIGNAL_IV] = "how scattered computer time is across the day",
        [POLICY_SIGNAL_RA] = "the contrast between busy and quiet hours",
        [POLICY_SIGNAL_L5] = "computer time in the quietest five hours",
        [POLICY_SIGNAL_M10] = "computer time in the busiest ten hours",
        [POLICY_SIGNAL_WENT_OUT] = "days you went out",
        [POLICY_SIGNAL_MET_SOMEONE] = "days you met someone",
        [POLICY_SIGNAL_MOOD] = "your mood",
};

static const char *signal_word(PolicySignal s) {
        return (unsigned) s < ELEMENTSOF(signal_words) && signal_words[s] ? signal_words[s] : policy_signal_name(s);
}

static const char *plural(int n) {
        return n == 1 ? "" : "s";
}

/* A difference of the signal (min_change): a duration for times of day, else
 * in the unit of the window's figures. */
static const char *format_delta(const Policy *p, double v, char *buf, size_t size) {
        if (policy_common_is_time(p))
                output_duration(buf, size, (int64_t) llround(v * 60));
        else
                policy_format_level(p, NULL, v, buf, size);
        return buf;
}

/* "the last 7 days" or "that day": what the window covers. */
static const char *window_words(const Policy *p, char *buf, size_t size) {
        if (p->window_days == 1)
                snprintf(buf, size, "that day");
        else
                snprintf(buf, size, "the last %d days", p->window_days);
        return buf;
}

/* One sentence of the summary, wrapped to the terminal under indent. */
static void say(const Ctx *ctx, unsigned indent, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(const Ctx *ctx, unsigned indent, const char *fmt, ...) {
        char line[1024];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(line, sizeof line, fmt, ap);
        va_end(ap);
        (void) output_wrap(stdout, indent, "", line, ctx->columns);
}

/* What the policy watches, compared with what, and when it nudges. */
static void print_summary(const Ctx *ctx, const Policy *p) {
        char a[64], b[64], w[32];

        if (p->detector == POLICY_COMPOSITE)
                say(ctx, 0, "%s: several policies at once. Severity: %s.", p->name, policy_severity_name(p->severity));
        else
                say(ctx, 0, "%s: %s, watching for a %s. Severity: %s.", p->name, signal_word(p->signal),
                       p->up ? "rise" : "fall", policy_severity_name(p->severity));
        if (p->detector != POLICY_COMPOSITE && p->detector != POLICY_CUSUM) {
                window_words(p, w, sizeof w);
                if (p->aggregate == POLICY_COUNT)
                        say(ctx, 2, "Each day it counts the days, of %s, that count (at least %d answered).", w,
                               p->min_valid_days);
                else if (p->window_days == 1)
                        say(ctx, 2, "Each day on its own.");
                else
                        say(ctx, 2, "Each day it takes %s of %s (when at least %d have enough data).",
                               p->aggregate == POLICY_MEDIAN ? "the typical day (median)"
                               : p->aggregate == POLICY_SUM  ? "the total"
                                                             : "the average",
                               w, p->min_valid_days);
        }
        switch (p->detector) {
        case POLICY_THRESHOLD:
                policy_format_level(p, NULL, p->threshold, a, sizeof a);
                say(ctx, 2, "It counts when that is %s %s.", p->up ? "above" : "below", a);
                break;
        case POLICY_BASELINE:
                /* The words of policy_format_unusual() for |z| = z_min. */
                say(ctx, 2, "Your usual: the %d days before (at least %d with data). It counts when it is at least "
                       "%s %s your usual, and %soutside your usual range.",
                       p->baseline_days, p->baseline_min_days, format_delta(p, p->min_change, a, sizeof a),
                       p->up ? "above" : "below", p->z_min < 2 ? "" : p->z_min < 4 ? "well " : "far ");
                break;
        case POLICY_CUSUM:
                say(ctx, 2, "Your usual: the %d days before (at least %d with data). Days %s your usual range "
                       "add up, the further the more; it counts once they have added up enough.",
                       p->baseline_days, p->baseline_min_days, p->up ? "above" : "below");
                break;
        case POLICY_TREND: {
                _cleanup_free_ char *slope = NULL;
                if (policy_format(p, NULL, "{threshold}", &slope) >= 0)
                        say(ctx, 2, "It counts when that %s by at least %s (at least %d days with data).",
                               p->up ? "rises" : "falls", slope, p->trend_min_days);
                break;
        }
        case POLICY_COMPOSITE: {
                char names[512] = "";
                for (size_t i = 0, n = 0; i < p->n_composite && n < sizeof names; i++) {
                        int k = snprintf(names + n, sizeof names - n, "%s%s", i == 0 ? "" : ", ", p->composite[i]);
                        n += k > 0 ? (size_t) k : 0;
                }
                say(ctx, 2, "It counts when at least %d of these are active: %s.", p->composite_min, names);
                break;
        }
        }
        if (p->by_weekday)
                say(ctx, 2, "Each day is compared with your usual for that day of the week (Saturdays with "
                       "Saturdays, once there are four of them).");
        snprintf(b, sizeof b, " It stays active %d day%s longer.", p->keep_firing_for_days,
                 plural(p->keep_firing_for_days));
        say(ctx, 2, "A nudge when that lasts %d day%s; then quiet for %d day%s.%s", p->for_days, plural(p->for_days),
               p->cooldown_days, plural(p->cooldown_days), p->keep_firing_for_days > 0 ? b : "");
}

static const char *const state_words[] = {
        [POLICY_INACTIVE] = "",
        [POLICY_PENDING] = "watching",
        [POLICY_FIRING] = "active",
};

static const char *state_word(PolicyState s) {
        return (unsigned) s < ELEMENTSOF(state_words) ? state_words[s] : "";
}

/* What a CUSUM sum is, for people: the share of h it has reached. */
static const char *added_up(const Policy *p, const PolicyEval *e, char *buf, size_t size) {
        if (!e->known || !isfinite(e->score) || p->cusum_h <= 0)
                snprintf(buf, size, "-");
        else
                snprintf(buf, size, "%.0f %%", 100 * e->score / p->cusum_h);
        return buf;
}

static const char *const weekday_names[7] = {
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday",
};

/* The last day's condition, in words. */
static void why_words_condition(const Explain *x, const PolicyEval *e, char *buf, size_t size) {
        const Policy *p = x->p;
        char v[64], u[64], how[96], w[32], c[64], m[64];

        policy_format_level(p, e, e->value, v, sizeof v);
        policy_format_usual(p, e, u, sizeof u);
        policy_format_unusual(p, e, how, sizeof how);
        window_words(p, w, sizeof w);
        switch (p->detector) {
        case POLICY_THRESHOLD:
                snprintf(buf, size, "%s (%s) %s %s (the limit: %s)", w, v, p->window_days == 1 ? "was" : "were", how,
                         u);
                break;
        case POLICY_BASELINE: {
                double change = p->up ? e->value - e->baseline : e->baseline - e->value;
                bool z_ok = p->up ? e->score >= p->z_min : e->score <= -p->z_min;
                int n = snprintf(buf, size, "%s (%s%s) %s %s (your usual: %s)", w, v,
                                 p->by_weekday ? ", allowing for the day of the week" : "",
                                 p->window_days == 1 ? "was" : "were", how, u);
                if (z_ok && !e->condition && n > 0 && (size_t) n < size)
                        snprintf(buf + n, size - (size_t) n, ", but only %s from it, less than the %s that counts",
                                 format_delta(p, fabs(change), c, sizeof c), format_delta(p, p->min_change, m, sizeof m));
                break;
        }
        case POLICY_CUSUM:
                snprintf(buf, size, "that day (%s) was %s (your usual%s%s: %s); the days %s your usual have added up "
                         "to %s of what counts", v, how, p->by_weekday ? " for a " : "",
                         p->by_weekday ? weekday_names[weekday_of(floor_div(e->date, DAY_SECONDS))] : "", u,
                         p->up ? "above" : "below", added_up(p, e, c, sizeof c));
                break;
        case POLICY_TREND: {
                _cleanup_free_ char *slope = NULL;
                (void) policy_format(p, NULL, "{threshold}", &slope);
                snprintf(buf, size, "over %s it was %s; it counts from %s%s", w, how, p->up ? "+" : "-",
                         slope ? slope : "?");
                break;
        }
        case POLICY_COMPOSITE:
                snprintf(buf, size, "%s, %d needed", how, p->composite_min);
                break;
        }
}

/* One sentence why the policy nudged or did not on day i, in words. */
static void why_words(const Explain *x, size_t i, char *buf, size_t size) {
        const Policy *p = x->p;
        const PolicyEval *e = &x->ev[i];
        const char *stays = e->state == POLICY_FIRING ? "; it stays active" : e->state == POLICY_PENDING ? "; it keeps watching" : "";
        char cond[384];
        WhyFacts f;

        why_facts(x, i, &f);
        switch (f.missing) {
        case WHY_WINDOW:
                snprintf(buf, size, "not enough data: %u of the last %d days had enough, %d needed%s.", f.valid, f.of,
                         f.need, stays);
                return;
        case WHY_BASELINE:
                snprintf(buf, size, "not enough data to know your usual: %u of the %d days before had enough, %d needed%s.",
                         f.valid, f.of, f.need, stays);
                return;
        case WHY_DAY_LOW:
                snprintf(buf, size,
                         "this day has no figure yet: %.1f hours observed, under the %d-hour minimum (a day counts "
                         "once it is over)%s.",
                         f.coverage_h, f.need, stays);
                return;
        case WHY_DAY_NONE:
                snprintf(buf, size, "this day has no figure%s.", stays);
                return;
        case WHY_OTHER:
                snprintf(buf, size, "not enough data%s.", stays);
                return;
        case WHY_KNOWN:
                break;
        }
        why_words_condition(x, e, cond, sizeof cond);
        switch (e->state) {
        case POLICY_INACTIVE:
                snprintf(buf, size, "%s.", cond);
                break;
        case POLICY_PENDING:
                snprintf(buf, size, "%s; watching since %s, a nudge once that has lasted %d day%s.", cond, f.since,
                         p->for_days, plural(p->for_days));
                break;
        case POLICY_FIRING:
                if (e->nudge)
                        snprintf(buf, size, "%s; active since %s: a nudge was raised.", cond, f.since);
                else if (!e->condition)
                        snprintf(buf, size, "%s, but it stays active (since %s) for %d day%s after.", cond, f.since,
                                 p->keep_firing_for_days, plural(p->keep_firing_for_days));
                else if (*f.last_nudge)
                        snprintf(buf, size, "%s; active since %s, quiet for %d days after the nudge of %s.", cond,
                                 f.since, p->cooldown_days, f.last_nudge);
                else
                        snprintf(buf, size, "%s; active since %s.", cond, f.since);
                break;
        }
}

/* ---- the statistics (--verbose) -------------------------------------------- */

static void print_parameters(const Policy *p) {
        char a[32], b[32];

        printf("Policy %s: %s, %s, %s.\n", p->name, policy_detector_name(p->detector), p->up ? "up" : "down",
               policy_severity_name(p->severity));
        if (p->detector != POLICY_COMPOSITE)
                printf("  Signal %s, window %d days (%s, at least %d valid).\n", policy_signal_name(p->signal),
                       p->window_days, aggregate_name(p->aggregate), p->min_valid_days);
        switch (p->detector) {
        case POLICY_THRESHOLD:
                printf("  Threshold %s.\n", policy_common_format(p, NULL, p->threshold, a, sizeof a));
                break;
        case POLICY_BASELINE:
                printf("  Baseline %d days before the window (at least %d valid); z %s, min_change %s.\n",
                       p->baseline_days, p->baseline_min_days, format_number(p->z_min, a, sizeof a),
                       format_number(p->min_change, b, sizeof b));
                break;
        case POLICY_CUSUM:
                printf("  Baseline %d days (at least %d valid); k %s, h %s.\n", p->baseline_days, p->baseline_min_days,
                       format_number(p->cusum_k, a, sizeof a), format_number(p->cusum_h, b, sizeof b));
                break;
        case POLICY_TREND:
                printf("  Trend: min_slope %s per day, at least %d days.\n", format_number(p->min_slope, a, sizeof a),
                       p->trend_min_days);
                break;
        case POLICY_COMPOSITE:
                printf("  At least %d of:", p->composite_min);
                for (size_t i = 0; i < p->n_composite; i++)
                        printf(" %s", p->composite[i]);
                printf(".\n");
                break;
        }
        if ((p->detector == POLICY_BASELINE || p->detector == POLICY_CUSUM) && (p->min_spread > 0 || p->by_weekday))
                printf("  min_spread %s, by_weekday %s.\n", format_number(p->min_spread, a, sizeof a),
                       p->by_weekday ? "yes" : "no");
        printf("  for %d day%s, keep_firing_for %d day%s, cooldown %d day%s.\n", p->for_days,
               p->for_days == 1 ? "" : "s", p->keep_firing_for_days, p->keep_firing_for_days == 1 ? "" : "s",
               p->cooldown_days, p->cooldown_days == 1 ? "" : "s");
}

enum {
        COL_DATE,
        COL_DAY,
        COL_WINDOW,
        COL_USUAL,
        COL_UNUSUAL,
        COL_SPREAD, /* COL_SPREAD..COL_COND: --verbose only */
        COL_SCORE,
        COL_KNOWN,
        COL_COND,
        COL_STATE,
        COL_NUDGE,
        N_COLS,
};
#define CELL_MAX 128

/* One day's cells, all of them; print_human() shows those it has columns for. */
static void day_cells(const Explain *x, size_t i, char cells[N_COLS][CELL_MAX]) {
        const Policy *p = x->p;
        const PolicyEval *e = &x->ev[i];
        const Day *d = &x->days[i];
        bool lowc = !is_checkin_signal(p->signal) && d->low_coverage;
        bool composite = p->detector == POLICY_COMPOSITE;
        char v[64];

        output_safe(cells[COL_DATE], CELL_MAX, d->date);
        policy_format_daily(p, policy_common_daily(p, d), v, sizeof v);
        snprintf(cells[COL_DAY], CELL_MAX, "%s%s", composite ? "" : v, lowc && !composite ? "*" : "");
        if (p->detector == POLICY_CUSUM)
                added_up(p, e, cells[COL_WINDOW], CELL_MAX);
        else if (composite)
                cells[COL_WINDOW][0] = '\0';
        else
                policy_format_level(p, e, e->value, cells[COL_WINDOW], CELL_MAX);
        if (composite || p->detector == POLICY_TREND)
                cells[COL_USUAL][0] = '\0';
        else
                policy_format_usual(p, e, cells[COL_USUAL], CELL_MAX);
        policy_format_unusual(p, e, cells[COL_UNUSUAL], CELL_MAX);
        if ((p->detector == POLICY_BASELINE || p->detector == POLICY_CUSUM) && isfinite(e->spread))
                format_number(e->spread, cells[COL_SPREAD], CELL_MAX);
        else
                cells[COL_SPREAD][0] = '\0';
        snprintf(cells[COL_SCORE], CELL_MAX, "%s", score_name(p->detector) ? format_number(e->score, v, sizeof v) : "");
        snprintf(cells[COL_KNOWN], CELL_MAX, "%s", e->known ? "yes" : "no");
        snprintf(cells[COL_COND], CELL_MAX, "%s", !e->known ? "-" : e->condition ? "true" : "false");
        snprintf(cells[COL_STATE], CELL_MAX, "%s", state_word(e->state));
        snprintf(cells[COL_NUDGE], CELL_MAX, "%s", e->nudge ? "raised" : "");
}

/* The person's view; with verbose also the statistics: the parameters as
 * the policy file has them, spread, score, known, condition, and the
 * engine's own sentence (reason). */
static int print_human(const Ctx *ctx, const Explain *x, const char *reason, bool verbose) {
        const Policy *p = x->p;
        const char *score = score_name(p->detector);
        char window_head[32], date_last[OUTPUT_DATE_MAX], head[64], words[WHY_MAX];
        if (p->detector == POLICY_CUSUM)
                snprintf(window_head, sizeof window_head, "Added up");
        else
                snprintf(window_head, sizeof window_head, p->window_days == 1 ? "Window" : "Last %d days",
                         p->window_days);
        const OutputColumn all[N_COLS] = {
                [COL_DATE] = { .header = "Date" },
                [COL_DAY] = { .header = "Day", .right = true },
                [COL_WINDOW] = { .header = window_head, .right = true },
                [COL_USUAL] = { .header = p->detector == POLICY_THRESHOLD ? "Limit" : "Your usual", .right = true },
                [COL_UNUSUAL] = { .header = "How unusual" },
                [COL_SPREAD] = { .header = "Spread", .right = true, .drop = 2 },
                [COL_SCORE] = { .header = score ? score : "Score", .right = true },
                [COL_KNOWN] = { .header = "Known", .drop = 1 },
                [COL_COND] = { .header = "Cond" },
                [COL_STATE] = { .header = "State" },
                [COL_NUDGE] = { .header = "Nudge" },
        };
        OutputColumn cols[N_COLS];
        size_t shown[N_COLS], n_cols = 0;
        _cleanup_(output_table_freep) OutputTable *t = NULL;
        char cells[N_COLS][CELL_MAX];
        bool low = false;
        int r;

        for (size_t k = 0; k < N_COLS; k++)
                if (verbose || k < COL_SPREAD || k > COL_COND) {
                        shown[n_cols] = k;
                        cols[n_cols++] = all[k];
                        /* With the statistics, the words give way first. */
                        if (verbose && k == COL_UNUSUAL)
                                cols[n_cols - 1].drop = 3;
                }
        print_summary(ctx, p);
        if (verbose) {
                putchar('\n');
                print_parameters(p);
        }
        putchar('\n');
        r = output_table_new(cols, n_cols, &t);
        if (r < 0)
                return r;
        for (size_t i = x->first; i <= x->last; i++) {
                const PolicyEval *e = &x->ev[i];
                low = low || (!is_checkin_signal(p->signal) && p->detector != POLICY_COMPOSITE && x->days[i].low_coverage);
                day_cells(x, i, cells);
                if (output_table_row(t, e->nudge ? output_color(ctx->color, ANSI_BOLD) : NULL) < 0)
                        return -ENOMEM;
                for (size_t c = 0; c < n_cols; c++)
                        if (output_table_cell(t, c, shown[c] == COL_NUDGE && e->nudge ? output_color(ctx->color, ANSI_CYAN) : NULL,
                                              "%s", cells[shown[c]]) < 0)
                                return -ENOMEM;
        }
        r = output_table_print(t, stdout, ctx->color, ctx->columns);
        if (r < 0)
                return r;
        if (low)
                printf("* low coverage: the day does not count.\n");
        putchar('\n');
        output_safe(date_last, sizeof date_last, x->days[x->last].date);
        snprintf(head, sizeof head, "On %s: ", date_last);
        why_words(x, x->last, words, sizeof words);
        r = output_wrap(stdout, 0, head, words, ctx->columns);
        if (r >= 0 && verbose)
                r = output_wrap(stdout, 0, "Statistics: ", reason, ctx->columns);
        return r;
}

/* A nudge ID: digits only. */
static bool is_id(const char *s) {
        return *s && strspn(s, "0123456789") == strlen(s);
}

typedef struct ExplainArgs {
        long days;      /* --days */
        const char *to; /* --to */
        bool verbose;   /* --verbose */
} ExplainArgs;

static const CmdOption explain_options[] = {
        CMD_OPTION_NUMBER("days", 'd', 0, ExplainArgs, days, EXPLAIN_DAYS_MAX, "invalid --days",
                          CMD_HELP("--days N", "Days to show (default: 14).")),
        CMD_OPTION_STRING("to", 't', ExplainArgs, to, CMD_HELP("--to DATE", "The last day (default: today).")),
        CMD_OPTION_BOOL("verbose", 'v', ExplainArgs, verbose,
                        CMD_HELP("--verbose", "Also the statistics: spread, score, condition.")),
        CMD_OPTION_JSON_HELP("{\"policy\":{...},\"days\":[{\"date\",\"value\",...}],\n\"why\":\"...\"}"),
        {},
};

static int explain_exec(const Command *cmd, Ctx *ctx) {
        _cleanup_(policyset_freep) PolicySet *set = NULL;
        _cleanup_json_ json_object *nudges_reply = NULL;
        _cleanup_free_ Nudge *nudges = NULL;
        _cleanup_free_ Policy **active = NULL, **list = NULL;
        _cleanup_free_ Day *days = NULL;
        _cleanup_free_ PolicyEval *ev = NULL;
        Policy *owned = NULL, *target = NULL;
        PolicyProblems problems = {};
        const ExplainArgs *args = ctx->userdata;
        const char *what;
        char to[OUTPUT_DATE_MAX], reason[WHY_MAX];
        size_t n_nudges = 0, n_active = 0, n_days = 0, n_list, idx;
        int64_t to_day;
        int r;

        what = ctx->argv[0];
        r = cmd_parse_day(cmd, ctx, args->to, to, &to_day);
        if (r < 0)
                return r;
        if (is_id(what) && (strlen(what) > 18 || strtoll(what, NULL, 10) <= 0))
                return cmd_usage_error(cmd, ctx, "invalid nudge ID '%s'", what);

        /* A nudge: its policy, as of its day. */
        if (is_id(what)) {
                long long id = strtoll(what, NULL, 10);
                const Nudge *found = NULL;
                r = nudges_fetch(ctx, true, &nudges_reply, &nudges, &n_nudges);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < n_nudges; i++)
                        if (nudges[i].id == id)
                                found = &nudges[i];
                if (!found) {
                        fprintf(stderr, "kizuki: no nudge %lld (see 'kizuki nudges --all')\n", id);
                        return -ENOENT;
                }
                if (dates_parse_day(found->date, to, &to_day) < 0) {
                        fprintf(stderr, "kizuki: kizukid sent a malformed nudge\n");
                        return -EBADMSG;
                }
                what = found->policy;
        }

        r = policy_common_load_set(&set, &problems);
        if (r < 0)
                return r;
        if (!is_id(ctx->argv[0]) && policy_common_is_file(what)) {
                r = policy_common_parse_file(what, &problems, &owned);
                if (r < 0)
                        goto out;
                target = owned;
        } else {
                for (size_t j = 0; j < set->n; j++)
                        if (strcmp(set->entries[j].name, what) == 0)
                                target = set->entries[j].policy;
                if (!target) {
                        char safe[256];
                        fprintf(stderr, "kizuki: no policy '%s' in force (see 'kizuki policy list')\n",
                                output_safe(safe, sizeof safe, what));
                        r = -ENOENT;
                        goto out;
                }
        }

        /* Replay it with the enabled policies, so a composite sees the ones it names. */
        r = policyset_active(set, &active, &n_active);
        if (r < 0)
                goto out;
        list = calloc(n_active + 1, sizeof *list);
        if (!list) {
                r = -ENOMEM;
                goto out;
        }
        n_list = 0;
        idx = SIZE_MAX;
        for (size_t i = 0; i < n_active; i++) {
                if (active[i] == target)
                        idx = n_list;
                list[n_list++] = active[i];
        }
        if (idx == SIZE_MAX) {
                idx = n_list;
                list[n_list++] = target;
        }

        int64_t first_shown = to_day - (args->days - 1) * DAY_S;
        DaySettings settings;
        r = policy_common_fetch_days(ctx, first_shown, to_day, &days, &n_days, &settings);
        if (r < 0)
                goto out;
        /* The days up to the last one asked for. */
        while (n_days > 0 && days[n_days - 1].day > to_day)
                n_days--;
        if (n_days == 0) {
                fprintf(stderr, "kizuki: no stored days up to %s\n", to);
                r = -ENODATA;
                goto out;
        }
        r = policy_common_judge(list, n_list, days, n_days, first_shown, &settings, &ev);
        if (r < 0) {
                fprintf(stderr, "kizuki explain: cannot replay: %s\n", strerror(-r));
                goto out;
        }

        Explain x = { .p = target, .days = days, .ev = ev + idx * n_days, .n_days = n_days, .last = n_days - 1,
                      .min_coverage_h = settings.min_coverage_h };
        x.first = x.last;
        while (x.first > 0 && days[x.first - 1].day >= first_shown)
                x.first--;
        why(&x, x.last, reason, sizeof reason);
        if (ctx->json) {
                char words[WHY_MAX];
                why_words(&x, x.last, words, sizeof words);
                r = explain_print_json(&x, reason, words);
        } else
                r = print_human(ctx, &x, reason, args->verbose);
out:
        policy_free(owned);
        return r;
}

COMMAND(explain,
        .usage = "ID|POLICY|FILE [--days N] [--to DATE] [--verbose] [--json]",
        .summary = "Show the figures behind a nudge or policy", .pager = true,
        .help = "  ID                    A nudge: its policy as of the day it was raised.\n"
                "  POLICY                A policy in force (see 'kizuki policy list').\n"
                "  FILE                  A policy file (a path, or a name ending in .policy).\n",
        .args = { 1, 1 },
        .options = explain_options,
        CMD_USERDATA_INIT(ExplainArgs, .days = EXPLAIN_DAYS_DEFAULT));

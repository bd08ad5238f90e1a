/* Unit tests for policies: the parser (every key, every problem with its
 * line), each detector on hand-made series, the state machine, and nudge
 * templates. Expected values are worked out by hand in the comments. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "macro.h"
#include "policy.h"

#define DAY INT64_C(86400)
#define JUN1 INT64_C(1780272000) /* 2026-06-01 as local seconds of 00:00 */
#define S 1.4826                 /* 1.4826·MAD with MAD = 1 */

/* cmocka 1.1.5 (Debian 12) has no assert_double_equal. NAN never matches. */
static void check_near(double got, double want, double eps, const char *expr, int line) {
        if (!(fabs(got - want) <= eps))
                fail_msg("line %d: %s = %.17g, expected %.17g (± %g)", line, expr, got, want, eps);
}
#define ASSERT_NEAR_EPS(a, b, eps) check_near((a), (b), (eps), #a, __LINE__)
#define ASSERT_NEAR(a, b) ASSERT_NEAR_EPS((a), (b), 1e-9)

/* ---- helpers --------------------------------------------------------------- */

typedef struct Problems {
        size_t n;
        unsigned line[32];
        char msg[32][512];
        char file[32][128];
} Problems;

static void collect(const char *file, unsigned line, const char *message, void *userdata) {
        Problems *pr = userdata;

        assert_true(pr->n < ELEMENTSOF(pr->msg));
        pr->line[pr->n] = line;
        snprintf(pr->file[pr->n], sizeof pr->file[0], "%s", file);
        snprintf(pr->msg[pr->n], sizeof pr->msg[0], "%s", message);
        pr->n++;
}

static int parse(const char *text, Problems *pr, Policy **ret) {
        memset(pr, 0, sizeof *pr);
        return policy_parse(text, strlen(text), "test.policy", collect, pr, ret);
}

static void print_problems(const Problems *pr) {
        for (size_t i = 0; i < pr->n; i++)
                print_message("  %s:%u: %s\n", pr->file[i], pr->line[i], pr->msg[i]);
}

/* Problem i is on line and its message contains what. */
static void check_problem(const Problems *pr, size_t i, unsigned line, const char *what, int at) {
        if (i >= pr->n || pr->line[i] != line || !strstr(pr->msg[i], what)) {
                print_problems(pr);
                fail_msg("line %d: expected problem %zu at line %u containing \"%s\"", at, i, line, what);
        }
}
#define ASSERT_PROBLEM(pr, i, line, what) check_problem((pr), (i), (line), (what), __LINE__)

/* Parses text that must be free of problems. */
static Policy *must_parse(const char *text) {
        Problems pr;
        Policy *p = NULL;
        int r = parse(text, &pr, &p);

        if (r != 0) {
                print_problems(&pr);
                fail_msg("policy_parse() = %d", r);
        }
        assert_non_null(p);
        return p;
}

/* text must give exactly one problem, on line, mentioning what. */
static void check_one_problem(const char *text, unsigned line, const char *what, int at) {
        Problems pr;
        Policy *p = (Policy *) 1;
        int r = parse(text, &pr, &p);

        if (r != 1 || pr.n != 1) {
                print_problems(&pr);
                fail_msg("line %d: policy_parse() = %d, expected 1 problem", at, r);
        }
        assert_null(p);
        check_problem(&pr, 0, line, what, at);
}
#define ASSERT_ONE_PROBLEM(text, line, what) check_one_problem((text), (line), (what), __LINE__)

/* A fully covered day with every figure null, dated Jun 1 + k. */
static DaySignals day_blank(int k) {
        return (DaySignals) {
                .date = JUN1 + k * DAY,
                .screen_h = NAN,
                .coverage_h = 24,
                .night_ratio = NAN,
                .first_active = -1,
                .last_active = -1,
                .sleep_onset = -1,
                .sleep_offset = -1,
                .sleep_mid = -1,
                .sleep_h = NAN,
                .is = NAN,
                .iv = NAN,
                .ra = NAN,
                .l5 = NAN,
                .m10 = NAN,
                .l5_onset = -1,
                .m10_onset = -1,
        };
}

/* n days with the given screen hours (NAN: null) and full coverage. */
static DaySignals *days_screen(const double *screen_h, size_t n) {
        DaySignals *d = calloc(n, sizeof *d);

        assert_non_null(d);
        for (size_t i = 0; i < n; i++) {
                d[i] = day_blank((int) i);
                d[i].screen_h = screen_h[i];
        }
        return d;
}

/* Days from a pattern for a policy "screen_h > 5 over 1 day": T = true (10 h),
 * F = false (0 h), U = unknown (null). */
static DaySignals *days_pattern(const char *pattern) {
        size_t n = strlen(pattern);
        DaySignals *d = calloc(n, sizeof *d);

        assert_non_null(d);
        for (size_t i = 0; i < n; i++) {
                d[i] = day_blank((int) i);
                d[i].screen_h = pattern[i] == 'T' ? 10 : pattern[i] == 'F' ? 0 : NAN;
        }
        return d;
}

static PolicyEval *replay_full(Policy **p, size_t n_p, const DaySignals *d, size_t n, const Checkin *c, size_t n_c,
                               int day_start_min) {
        PolicyEval *e = NULL;

        assert_int_equal(policy_replay(p, n_p, d, n, c, n_c, 18, day_start_min, &e), 0);
        assert_non_null(e);
        for (size_t i = 0; i < n_p; i++)
                for (size_t k = 0; k < n; k++) {
                        assert_true(e[i * n + k].date == d[k].date);
                        if (e[i * n + k].nudge)
                                assert_int_equal(e[i * n + k].state, POLICY_FIRING);
                }
        return e;
}

static PolicyEval *replay1(Policy *p, const DaySignals *d, size_t n) {
        return replay_full(&p, 1, d, n, NULL, 0, 0);
}

/* states: one letter per day, I(nactive) P(ending) F(iring); nudges: N where a
 * nudge is raised, '.' elsewhere. */
static void check_states(const PolicyEval *e, const char *states, const char *nudges, int at) {
        size_t n = strlen(states);
        char got_s[128] = "", got_n[128] = "";

        assert_true(n < sizeof got_s);
        for (size_t i = 0; i < n; i++) {
                got_s[i] = "IPF"[e[i].state];
                got_n[i] = e[i].nudge ? 'N' : '.';
        }
        if (strcmp(got_s, states) != 0 || (nudges && strcmp(got_n, nudges) != 0))
                fail_msg("line %d: states %s nudges %s, expected %s %s", at, got_s, got_n, states, nudges ?: "");
}
#define ASSERT_STATES(e, states, nudges) check_states((e), (states), (nudges), __LINE__)

/* "screen_h > 5 over 1 day" with extra [policy] lines. */
static Policy *policy_pattern(const char *extra) {
        char text[1024];

        snprintf(text, sizeof text,
                 "[policy]\nsignal = screen_h\nwindow = 1d\ndetector = threshold\n%s\n"
                 "[threshold]\nvalue = 5\n[nudge]\ntitle = t\nbody = b\n",
                 extra);
        return must_parse(text);
}

static void check_format(const Policy *p, const PolicyEval *e, const char *tmpl, const char *want, int at) {
        char *got = NULL;

        assert_int_equal(policy_format(p, e, tmpl, &got), 0);
        if (strcmp(got, want) != 0)
                fail_msg("line %d: \"%s\" → \"%s\", expected \"%s\"", at, tmpl, got, want);
        free(got);
}
#define ASSERT_FORMAT(p, e, tmpl, want) check_format((p), (e), (tmpl), (want), __LINE__)

#define NUDGE "[nudge]\ntitle = Later nights\nbody = {value} against {baseline}\n"

/* ---- parser ---------------------------------------------------------------- */

static void test_parse_defaults(void **state) {
        Problems pr;
        Policy *p = NULL;

        (void) state;
        assert_int_equal(policy_parse("[policy]\nsignal = screen_h\ndetector = baseline\n" NUDGE,
                                      strlen("[policy]\nsignal = screen_h\ndetector = baseline\n" NUDGE),
                                      "/usr/share/kizuki/policies/late-nights.policy", collect, &pr, &p),
                         0);
        assert_non_null(p);
        assert_string_equal(p->name, "late-nights");
        assert_true(p->enabled);
        assert_int_equal(p->signal, POLICY_SIGNAL_SCREEN_H);
        assert_int_equal(p->aggregate, POLICY_MEAN);
        assert_int_equal(p->window_days, 7);
        assert_int_equal(p->min_valid_days, 4); /* half of 7, rounded up */
        assert_int_equal(p->detector, POLICY_BASELINE);
        assert_true(p->up);
        assert_int_equal(p->baseline_days, 28);
        assert_int_equal(p->baseline_min_days, 14);
        ASSERT_NEAR(p->z_min, 2.5);
        ASSERT_NEAR(p->min_change, 0);
        ASSERT_NEAR(p->cusum_k, 0.5);
        ASSERT_NEAR(p->cusum_h, 5);
        ASSERT_NEAR(p->min_slope, 0);
        assert_int_equal(p->trend_min_days, 14);
        assert_int_equal(p->n_composite, 0);
        assert_int_equal(p->composite_min, 2);
        assert_int_equal(p->for_days, 1);
        assert_int_equal(p->keep_firing_for_days, 0);
        assert_int_equal(p->cooldown_days, 14);
        assert_int_equal(p->severity, POLICY_NOTICE);
        assert_string_equal(p->title, "Later nights");
        assert_string_equal(p->body, "{value} against {baseline}");
        assert_null(p->step);
        policy_free(p);

        /* The default name from other file names. */
        assert_int_equal(policy_parse("[policy]\nsignal = is\ndetector = trend\nwindow = 2w\n" NUDGE,
                                      strlen("[policy]\nsignal = is\ndetector = trend\nwindow = 2w\n" NUDGE), "plain",
                                      NULL, NULL, &p),
                         0);
        assert_string_equal(p->name, "plain");
        assert_int_equal(p->min_valid_days, 7);
        policy_free(p);
        assert_int_equal(policy_parse("[policy]\nsignal = is\ndetector = cusum\n" NUDGE,
                                      strlen("[policy]\nsignal = is\ndetector = cusum\n" NUDGE), NULL, NULL, NULL, &p),
                         0);
        assert_string_equal(p->name, "policy");
        p = policy_free(p);
        assert_null(p);
        assert_null(policy_free(NULL));
}

static void test_parse_every_key(void **state) {
        Policy *p;

        (void) state;
        p = must_parse("# every key with a value other than its default\n"
                       "[policy]\n"
                       "name = every-key_2.0\n"
                       "enabled = no\n"
                       "signal = night_ratio\n"
                       "aggregate = count\n"
                       "window = 2w\n"
                       "count_when = >= 30%\n"
                       "min_valid_days = 10\n"
                       "detector = threshold\n"
                       "direction = down\n"
                       "for = 3d\n"
                       "keep_firing_for = 2d\n"
                       "cooldown = 1w\n"
                       "severity = concern\n"
                       "[threshold]\n"
                       "value = 3\n"
                       "[baseline]\n"
                       "days = 6w\n"
                       "min_days = 20\n"
                       "z = 3\n"
                       "min_change = 10%\n"
                       "[cusum]\n"
                       "k = 0.25\n"
                       "h = 4\n"
                       "days = 21d\n"
                       "min_days = 7\n"
                       "[trend]\n"
                       "min_slope = 0.01\n"
                       "min_days = 10\n"
                       "[composite]\n"
                       "policies = late-nights ,screen-creep,  few-outings\n"
                       "min_firing = 3\n"
                       "[nudge]\n"
                       "title = Title\n"
                       "body = Body\n"
                       "step = Step\n");
        assert_string_equal(p->name, "every-key_2.0");
        assert_false(p->enabled);
        assert_int_equal(p->signal, POLICY_SIGNAL_NIGHT_RATIO);
        assert_int_equal(p->aggregate, POLICY_COUNT);
        assert_int_equal(p->window_days, 14);
        assert_int_equal(p->count_op, 'g');
        ASSERT_NEAR(p->count_value, 0.3);
        assert_int_equal(p->min_valid_days, 10);
        assert_int_equal(p->detector, POLICY_THRESHOLD);
        assert_false(p->up);
        assert_int_equal(p->for_days, 3);
        assert_int_equal(p->keep_firing_for_days, 2);
        assert_int_equal(p->cooldown_days, 7);
        assert_int_equal(p->severity, POLICY_CONCERN);
        ASSERT_NEAR(p->threshold, 3); /* days, with aggregate = count */
        assert_int_equal(p->baseline_days, 42);
        assert_int_equal(p->baseline_min_days, 20);
        ASSERT_NEAR(p->z_min, 3);
        ASSERT_NEAR(p->min_change, 0.1);
        ASSERT_NEAR(p->cusum_k, 0.25);
        ASSERT_NEAR(p->cusum_h, 4);
        ASSERT_NEAR(p->min_slope, 0.01);
        assert_int_equal(p->trend_min_days, 10);
        assert_int_equal(p->n_composite, 3);
        assert_string_equal(p->composite[0], "late-nights");
        assert_string_equal(p->composite[1], "screen-creep");
        assert_string_equal(p->composite[2], "few-outings");
        assert_int_equal(p->composite_min, 3);
        assert_string_equal(p->title, "Title");
        assert_string_equal(p->body, "Body");
        assert_string_equal(p->step, "Step");
        policy_free(p);

        /* With detector = cusum, [cusum] days and min_days are the baseline. */
        p = must_parse("[policy]\nsignal = screen_h\ndetector = cusum\n"
                       "[baseline]\ndays = 60\nmin_days = 30\n"
                       "[cusum]\ndays = 21d\nmin_days = 7\n" NUDGE);
        assert_int_equal(p->baseline_days, 21);
        assert_int_equal(p->baseline_min_days, 7);
        policy_free(p);
        p = must_parse("[policy]\nsignal = screen_h\ndetector = baseline\n"
                       "[baseline]\ndays = 60\nmin_days = 30\n"
                       "[cusum]\ndays = 21d\nmin_days = 7\n" NUDGE);
        assert_int_equal(p->baseline_days, 60);
        assert_int_equal(p->baseline_min_days, 30);
        policy_free(p);

        /* Enumerations in any case; booleans in every spelling. */
        p = must_parse("[policy]\nsignal = mood\ndetector = x\n" NUDGE "[policy]\ndetector = TREND\nwindow = 14\n"
                       "direction = Up\nseverity = gentle\nenabled = ON\naggregate = Median\n");
        assert_int_equal(p->detector, POLICY_TREND);
        assert_int_equal(p->severity, POLICY_GENTLE);
        assert_int_equal(p->aggregate, POLICY_MEDIAN);
        assert_true(p->enabled);
        policy_free(p);
}

static void test_parse_names(void **state) {
        (void) state;
        assert_string_equal(policy_signal_name(POLICY_SIGNAL_SCREEN_H), "screen_h");
        assert_string_equal(policy_signal_name(POLICY_SIGNAL_SLEEP_MID), "sleep_mid");
        assert_string_equal(policy_signal_name(POLICY_SIGNAL_MOOD), "mood");
        assert_null(policy_signal_name(_POLICY_SIGNAL_MAX));
        assert_string_equal(policy_severity_name(POLICY_GENTLE), "gentle");
        assert_string_equal(policy_severity_name(POLICY_CONCERN), "concern");
        assert_null(policy_severity_name((PolicySeverity) 3));
        assert_string_equal(policy_detector_name(POLICY_CUSUM), "cusum");
        assert_string_equal(policy_detector_name(POLICY_COMPOSITE), "composite");
        assert_null(policy_detector_name((PolicyDetector) 5));
        assert_string_equal(policy_state_name(POLICY_INACTIVE), "inactive");
        assert_string_equal(policy_state_name(POLICY_PENDING), "pending");
        assert_string_equal(policy_state_name(POLICY_FIRING), "firing");
        assert_null(policy_state_name((PolicyState) -1));

        /* Every signal name parses back to its signal. */
        for (int s = 0; s < _POLICY_SIGNAL_MAX; s++) {
                char text[256];
                Policy *p;

                snprintf(text, sizeof text, "[policy]\nsignal = %s\ndetector = cusum\n" NUDGE,
                         policy_signal_name((PolicySignal) s));
                p = must_parse(text);
                assert_int_equal(p->signal, s);
                policy_free(p);
        }
}

static void test_parse_durations(void **state) {
        static const struct {
                const char *text;
                int days;
        } good[] = {
                { "7d", 7 },     { "14d", 14 },    { "1w", 7 },     { "2w", 14 },       { "21d", 21 },
                { "1d", 1 },     { "30", 30 },     { "1 week", 7 }, { "3 days", 3 },    { "366d", 366 },
                { "52w", 364 },  { "1day", 1 },    { "2weeks", 14 },
        };
        Policy *p;

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                char text[256];

                snprintf(text, sizeof text,
                         "[policy]\nsignal = screen_h\ndetector = cusum\nwindow = %s\nfor = %s\n" NUDGE,
                         good[i].text, good[i].text);
                p = must_parse(text);
                assert_int_equal(p->window_days, good[i].days);
                assert_int_equal(p->for_days, good[i].days);
                policy_free(p);
        }

        /* 0d is fine where "none" makes sense. */
        p = must_parse("[policy]\nsignal = screen_h\ndetector = cusum\nfor = 0d\nkeep_firing_for = 0\n"
                       "cooldown = 0d\n" NUDGE);
        assert_int_equal(p->for_days, 0);
        assert_int_equal(p->keep_firing_for_days, 0);
        assert_int_equal(p->cooldown_days, 0);
        policy_free(p);

        /* Hours and minutes are refused with a clear message. */
        ASSERT_ONE_PROBLEM("[policy]\nsignal = screen_h\ndetector = cusum\nwindow = 3h\n" NUDGE, 4,
                           "invalid value '3h' for window (expected whole days such as 7d or 2w; hours and minutes "
                           "are not allowed here)");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = screen_h\ndetector = cusum\ncooldown = 90min\n" NUDGE, 4,
                           "hours and minutes are not allowed");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = screen_h\ndetector = cusum\nfor = 1h30min\n" NUDGE, 4,
                           "hours and minutes are not allowed");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = screen_h\ndetector = cusum\nwindow = 0d\n" NUDGE, 4,
                           "invalid value '0d' for window (expected whole days from 1d to 366d");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = screen_h\ndetector = cusum\nwindow = 367d\n" NUDGE, 4,
                           "from 1d to 366d");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = screen_h\ndetector = cusum\nwindow = 1.5d\n" NUDGE, 4,
                           "invalid value '1.5d' for window");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = screen_h\ndetector = cusum\nwindow = -7d\n" NUDGE, 4,
                           "invalid value '-7d'");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = screen_h\ndetector = cusum\nwindow = d\n" NUDGE, 4,
                           "invalid value 'd'");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = screen_h\ndetector = cusum\nwindow = 7 fortnights\n" NUDGE, 4,
                           "invalid value '7 fortnights'");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = screen_h\ndetector = cusum\nwindow = 1w3d\n" NUDGE, 4,
                           "invalid value '1w3d'");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = screen_h\ndetector = cusum\nwindow = 99999999999d\n" NUDGE, 4,
                           "from 1d to 366d");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = screen_h\ndetector = cusum\nkeep_firing_for = 400d\n" NUDGE, 4,
                           "from 0d to 366d");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = screen_h\ndetector = cusum\n[cusum]\ndays = 3h\n" NUDGE, 5,
                           "invalid value '3h' for [cusum] days");
}

/* Values read in the signal's own units. */
static void test_parse_signal_units(void **state) {
        Policy *p;

        (void) state;
        /* A time threshold is kept as minutes after midnight. */
        p = must_parse("[policy]\nsignal = sleep_mid\ndetector = threshold\n[threshold]\nvalue = 01:30\n" NUDGE);
        ASSERT_NEAR(p->threshold, 90);
        policy_free(p);
        p = must_parse("[policy]\nsignal = first_active\ndetector = threshold\n[threshold]\nvalue = 630\n" NUDGE);
        ASSERT_NEAR(p->threshold, 630);
        policy_free(p);
        /* The signal may come after the value that depends on it. */
        p = must_parse("[threshold]\nvalue = 9:05\n[policy]\ndetector = threshold\nsignal = last_active\n" NUDGE);
        ASSERT_NEAR(p->threshold, 545);
        policy_free(p);
        /* Time differences in minutes, or durations. */
        p = must_parse("[policy]\nsignal = sleep_onset\ndetector = baseline\n[baseline]\nmin_change = 45min\n"
                       "[trend]\nmin_slope = 10\n" NUDGE);
        ASSERT_NEAR(p->min_change, 45);
        ASSERT_NEAR(p->min_slope, 10);
        policy_free(p);
        p = must_parse("[policy]\nsignal = sleep_onset\ndetector = baseline\n[baseline]\nmin_change = 1h30min\n"
                       "[trend]\nmin_slope = 10min\n" NUDGE);
        ASSERT_NEAR(p->min_change, 90);
        ASSERT_NEAR(p->min_slope, 10);
        policy_free(p);
        /* Hours: a number, or a duration. */
        p = must_parse("[policy]\nsignal = screen_h\ndetector = threshold\n[threshold]\nvalue = 7h30min\n"
                       "[baseline]\nmin_change = 0.75\n[trend]\nmin_slope = 6min\n" NUDGE);
        ASSERT_NEAR(p->threshold, 7.5);
        ASSERT_NEAR(p->min_change, 0.75);
        ASSERT_NEAR(p->min_slope, 0.1);
        policy_free(p);
        /* Ratios: a fraction or a percentage. */
        p = must_parse("[policy]\nsignal = night_ratio\ndetector = threshold\n[threshold]\nvalue = 35 %\n"
                       "[baseline]\nmin_change = 0.1\n" NUDGE);
        ASSERT_NEAR(p->threshold, 0.35);
        ASSERT_NEAR(p->min_change, 0.1);
        policy_free(p);
        /* Plain numbers elsewhere; signs and fractions. */
        p = must_parse("[policy]\nsignal = mood\ndetector = threshold\ndirection = down\n[threshold]\nvalue = 2.5\n"
                       NUDGE);
        ASSERT_NEAR(p->threshold, 2.5);
        policy_free(p);
        p = must_parse("[policy]\nsignal = ra\ndetector = threshold\n[threshold]\nvalue = -.5\n" NUDGE);
        ASSERT_NEAR(p->threshold, -0.5);
        policy_free(p);

        ASSERT_ONE_PROBLEM("[policy]\nsignal = sleep_mid\ndetector = threshold\n[threshold]\nvalue = 25:00\n" NUDGE, 5,
                           "invalid value '25:00' for [threshold] value (expected a time of day HH:MM)");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = sleep_mid\ndetector = threshold\n[threshold]\nvalue = 1440\n" NUDGE, 5,
                           "expected a time of day HH:MM");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = screen_h\ndetector = threshold\n[threshold]\nvalue = 01:30\n" NUDGE, 5,
                           "invalid value '01:30' for [threshold] value (expected hours, or a duration such as 1h30min)");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = is\ndetector = threshold\n[threshold]\nvalue = 30%\n" NUDGE, 5,
                           "(expected a number)");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = is\ndetector = threshold\n[threshold]\nvalue = 1e3\n" NUDGE, 5,
                           "invalid value '1e3'");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = is\ndetector = threshold\n[threshold]\nvalue = nan\n" NUDGE, 5,
                           "invalid value 'nan'");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = is\ndetector = threshold\n[threshold]\nvalue = 1234567890123456\n" NUDGE,
                           5, "invalid value '1234567890123456'");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = sleep_h\ndetector = baseline\n[baseline]\nmin_change = -1\n" NUDGE, 5,
                           "invalid value '-1' for [baseline] min_change (expected hours, or a duration such as "
                           "1h30min, 0 or more)");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = sleep_mid\ndetector = trend\nwindow = 2w\n[trend]\nmin_slope = 3h?\n"
                           NUDGE, 6, "expected minutes, or a duration such as 45min, 0 or more");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = is\ndetector = baseline\n[baseline]\nz = -1\n" NUDGE, 5,
                           "invalid value '-1' for [baseline] z (expected a number, 0 or more)");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = is\ndetector = cusum\n[cusum]\nk = x\n" NUDGE, 5,
                           "invalid value 'x' for [cusum] k");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = is\ndetector = cusum\n[cusum]\nh = 1,5\n" NUDGE, 5,
                           "invalid value '1,5' for [cusum] h");
}

static void test_parse_count_when(void **state) {
        static const struct {
                const char *text;
                char op;
                double value;
        } good[] = {
                { "> 0.3", '>', 0.3 }, { ">= 1", 'g', 1 },   { "< 2", '<', 2 },     { "<= 0.5", 'l', 0.5 },
                { "= 0", '=', 0 },     { "==1", '=', 1 },    { ">30%", '>', 0.3 },  { "<=\t0", 'l', 0 },
        };
        Policy *p;

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                char text[256];

                snprintf(text, sizeof text,
                         "[policy]\nsignal = went_out\naggregate = count\ncount_when = %s\ndetector = threshold\n"
                         "[threshold]\nvalue = 2\n" NUDGE,
                         good[i].text);
                p = must_parse(text);
                assert_int_equal(p->count_op, good[i].op);
                ASSERT_NEAR(p->count_value, good[i].value);
                policy_free(p);
        }
        /* Times of day compare as times. */
        p = must_parse("[policy]\nsignal = last_active\naggregate = count\ncount_when = > 23:00\n"
                       "detector = threshold\n[threshold]\nvalue = 3\n" NUDGE);
        assert_int_equal(p->count_op, '>');
        ASSERT_NEAR(p->count_value, 1380);
        ASSERT_NEAR(p->threshold, 3);
        policy_free(p);

        ASSERT_ONE_PROBLEM("[policy]\nsignal = went_out\naggregate = count\ncount_when = 1\ndetector = threshold\n"
                           "[threshold]\nvalue = 2\n" NUDGE,
                           4, "invalid value '1' for count_when (expected a comparison: >, >=, <, <= or =");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = went_out\naggregate = count\ncount_when = != 1\ndetector = threshold\n"
                           "[threshold]\nvalue = 2\n" NUDGE,
                           4, "invalid value '!= 1' for count_when");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = went_out\naggregate = count\ncount_when = >\ndetector = threshold\n"
                           "[threshold]\nvalue = 2\n" NUDGE,
                           4, "invalid value '>' for count_when");
        /* count without count_when: reported at the aggregate line. */
        ASSERT_ONE_PROBLEM("[policy]\nsignal = went_out\ndetector = threshold\naggregate = count\n"
                           "[threshold]\nvalue = 2\n" NUDGE,
                           4, "aggregate = count needs count_when");
}

/* Every kind of problem, each on its own line, in one file. */
static void test_parse_errors_lines(void **state) {
        Problems pr;
        Policy *p = (Policy *) 1;
        const char *text = "# a broken policy\n"              /* 1 */
                           "colour = blue\n"                  /* 2: outside any section */
                           "[policy]\n"                       /* 3 */
                           "signal = screen_hours\n"          /* 4: unknown signal */
                           "detector = threshold\n"           /* 5 */
                           "windw = 7d\n"                     /* 6: unknown key */
                           "window = 3h\n"                    /* 7: hours */
                           "this is not ini\n"                /* 8: syntax */
                           "[alerts]\n"                       /* 9: unknown section */
                           "email = me@example.org\n"         /* 10: ignored, section reported */
                           "[threshold\n"                     /* 11: syntax */
                           "[threshold]\n"                    /* 12 */
                           "value = 5\n"                      /* 13 */
                           "[nudge]\n"                        /* 14 */
                           "title = t\n"                      /* 15 */
                           "body = b\n"                       /* 16 */
                           "severity = high\n"                /* 17: unknown key in [nudge] */
                           "[policy]\n"                       /* 18 */
                           "severity = high\n"                /* 19: invalid */
                           "enabled = maybe\n"                /* 20: invalid */
                           "min_valid_days = -1\n"            /* 21: invalid */
                           "name = two words\n";              /* 22: invalid */

        (void) state;
        assert_int_equal(parse(text, &pr, &p), 12);
        assert_null(p);
        assert_int_equal(pr.n, 12);
        for (size_t i = 0; i < pr.n; i++)
                assert_string_equal(pr.file[i], "test.policy");
        /* In line order. */
        ASSERT_PROBLEM(&pr, 0, 2, "key 'colour' outside any section");
        ASSERT_PROBLEM(&pr, 1, 4, "invalid value 'screen_hours' for signal (expected one of screen_h, night_ratio,");
        ASSERT_PROBLEM(&pr, 2, 6, "unknown key 'windw' in section [policy]");
        ASSERT_PROBLEM(&pr, 3, 7, "invalid value '3h' for window");
        ASSERT_PROBLEM(&pr, 4, 8, "syntax error: expected 'key = value'");
        ASSERT_PROBLEM(&pr, 5, 9, "unknown section [alerts]");
        ASSERT_PROBLEM(&pr, 6, 11, "syntax error: section header without ']'");
        ASSERT_PROBLEM(&pr, 7, 17, "unknown key 'severity' in section [nudge]");
        ASSERT_PROBLEM(&pr, 8, 19, "invalid value 'high' for severity (expected one of gentle, notice, concern)");
        ASSERT_PROBLEM(&pr, 9, 20, "invalid value 'maybe' for enabled (expected yes or no)");
        ASSERT_PROBLEM(&pr, 10, 21, "invalid value '-1' for min_valid_days (expected an integer from 1 to 366)");
        ASSERT_PROBLEM(&pr, 11, 22, "invalid value 'two words' for name");
        /* The signal is unknown, so [threshold] value is not read: no more. */

        ASSERT_ONE_PROBLEM("[policy]\nsignal = steps\ndetector = cusum\n" NUDGE, 2,
                           "invalid value 'steps' for signal (expected one of screen_h,");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = is\ndetector = random\n" NUDGE, 3,
                           "invalid value 'random' for detector (expected one of threshold, baseline, cusum, trend, "
                           "composite)");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = is\ndetector = cusum\naggregate = mode\n" NUDGE, 4,
                           "invalid value 'mode' for aggregate (expected one of mean, median, sum, count)");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = is\ndetector = cusum\ndirection = sideways\n" NUDGE, 4,
                           "invalid value 'sideways' for direction (expected one of down, up)");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = is\ndetector = cusum\nname = caf\xc3\xa9\n" NUDGE, 4,
                           "invalid value 'caf\\xc3\\xa9' for name");
}

static void test_parse_missing_required(void **state) {
        Problems pr;
        Policy *p = (Policy *) 1;

        (void) state;
        /* Nothing at all: the end of the file (line 1 of an empty one). */
        assert_int_equal(parse("", &pr, &p), 4);
        assert_null(p);
        ASSERT_PROBLEM(&pr, 0, 1, "missing key 'detector' in [policy]");
        ASSERT_PROBLEM(&pr, 1, 1, "missing key 'signal' in [policy]");
        ASSERT_PROBLEM(&pr, 2, 1, "missing key 'title' in [nudge]");
        ASSERT_PROBLEM(&pr, 3, 1, "missing key 'body' in [nudge]");

        /* At the section's header when it is there, else at the last line. */
        assert_int_equal(parse("# comment\n\n[policy]\nenabled = yes\n[nudge]\nstep = s\n\n# end", &pr, &p), 4);
        ASSERT_PROBLEM(&pr, 0, 3, "missing key 'detector'");
        ASSERT_PROBLEM(&pr, 1, 3, "missing key 'signal'");
        ASSERT_PROBLEM(&pr, 2, 5, "missing key 'title'");
        ASSERT_PROBLEM(&pr, 3, 5, "missing key 'body'");
        assert_int_equal(parse("[policy]\nsignal = is\ndetector = trend\nwindow = 14d\n\n", &pr, &p), 2);
        ASSERT_PROBLEM(&pr, 0, 5, "missing key 'title' in [nudge]");
        ASSERT_PROBLEM(&pr, 1, 5, "missing key 'body' in [nudge]");

        /* The detector's own required keys, at the detector line. */
        ASSERT_ONE_PROBLEM("[policy]\nsignal = screen_h\n\ndetector = threshold\n" NUDGE, 4,
                           "detector = threshold needs [threshold] value");
        ASSERT_ONE_PROBLEM("[policy]\ndetector = composite\n" NUDGE, 2,
                           "detector = composite needs [composite] policies");
        /* An empty title is there, but not a title. */
        ASSERT_ONE_PROBLEM("[policy]\nsignal = is\ndetector = cusum\n[nudge]\ntitle =\nbody = b\n", 5,
                           "invalid value '' for [nudge] title (expected some text)");
        /* An empty step is no step. */
        {
                Policy *p2 = must_parse("[policy]\nsignal = is\ndetector = cusum\n" NUDGE "step =\n");

                assert_null(p2->step);
                policy_free(p2);
        }
}

static void test_parse_composite(void **state) {
        Policy *p;

        (void) state;
        /* No signal needed. */
        p = must_parse("[policy]\nname = withdrawal\ndetector = composite\nfor = 3d\n"
                       "[composite]\npolicies = a,b\n" NUDGE);
        assert_int_equal(p->detector, POLICY_COMPOSITE);
        assert_int_equal(p->n_composite, 2);
        assert_int_equal(p->composite_min, 2);
        policy_free(p);

        ASSERT_ONE_PROBLEM("[policy]\ndetector = composite\n[composite]\npolicies = a\n" NUDGE, 4,
                           "[composite] min_firing (2) is more than the 1 policies named");
        ASSERT_ONE_PROBLEM("[policy]\ndetector = composite\n[composite]\npolicies = a, b\nmin_firing = 3\n" NUDGE, 5,
                           "[composite] min_firing (3) is more than the 2 policies named");
        ASSERT_ONE_PROBLEM("[policy]\ndetector = composite\n[composite]\npolicies = a, b\nmin_firing = 0\n" NUDGE, 5,
                           "invalid value '0' for [composite] min_firing (expected an integer from 1 to 32)");
        ASSERT_ONE_PROBLEM("[policy]\ndetector = composite\n[composite]\npolicies = a, , b\n" NUDGE, 4,
                           "invalid value 'a, , b' for [composite] policies (expected policy names separated by commas)");
        ASSERT_ONE_PROBLEM("[policy]\ndetector = composite\n[composite]\npolicies = a, b, a\n" NUDGE, 4,
                           "(expected each policy named once)");
        ASSERT_ONE_PROBLEM("[policy]\ndetector = composite\n[composite]\npolicies = a b, c\n" NUDGE, 4,
                           "invalid value 'a b, c'");
        ASSERT_ONE_PROBLEM("[policy]\nname = me\ndetector = composite\n[composite]\npolicies = a, me\n" NUDGE, 5,
                           "[composite] policies names this policy itself");
}

static void test_parse_combinations(void **state) {
        (void) state;
        ASSERT_ONE_PROBLEM("[policy]\nsignal = is\ndetector = cusum\nwindow = 7d\nmin_valid_days = 8\n" NUDGE, 5,
                           "min_valid_days (8) is more than the window (7 days)");
        /* trend's own min_days (14) against the default window (7d): at the detector. */
        ASSERT_ONE_PROBLEM("[policy]\nsignal = is\ndetector = trend\n" NUDGE, 3,
                           "[trend] min_days (14) is more than the window (7 days)");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = is\ndetector = trend\nwindow = 10d\n" NUDGE, 4,
                           "[trend] min_days (14) is more than the window (10 days)");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = is\ndetector = trend\nwindow = 10d\n[trend]\nmin_days = 11\n" NUDGE, 6,
                           "[trend] min_days (11) is more than the window (10 days)");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = is\ndetector = trend\nwindow = 10d\n[trend]\nmin_days = 1\n" NUDGE, 6,
                           "invalid value '1' for [trend] min_days (expected an integer from 2 to 366)");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = is\ndetector = baseline\n[baseline]\ndays = 10d\n" NUDGE, 5,
                           "[baseline] min_days (14) is more than its days (10)");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = is\ndetector = cusum\n[cusum]\nmin_days = 40\n" NUDGE, 5,
                           "[cusum] min_days (40) is more than its days (28)");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = went_out\naggregate = sum\ndetector = baseline\n" NUDGE, 3,
                           "aggregate = sum cannot be compared with a baseline of daily values");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = sleep_onset\naggregate = sum\ndetector = cusum\n" NUDGE, 3,
                           "aggregate = sum does not apply to times of day");
}

static void test_parse_ini_details(void **state) {
        Problems pr;
        Policy *p;
        char *text;
        int r;

        (void) state;
        /* Duplicate sections and keys: the last value wins, also over a bad one. */
        p = must_parse("[policy]\nsignal = is\nwindow = 3h\ndetector = cusum\n[nudge]\ntitle = first\nbody = b\n"
                       "[policy]\nwindow = 10d\n[nudge]\ntitle = second\n");
        assert_int_equal(p->window_days, 10);
        assert_string_equal(p->title, "second");
        policy_free(p);

        /* Text keys continue on indented lines; comments and "key: value" work. */
        p = must_parse("\xef\xbb\xbf; a comment\n[policy]\nsignal: sleep_mid   ; inline comment\ndetector = cusum\n"
                       "[nudge]\ntitle = Your nights have moved later # not a comment\n"
                       "body = Your midpoint of sleep was {value},\n"
                       "\n"
                       "    {change} against your usual {baseline}.\n"
                       "\tMaybe dim the screen an hour earlier.\n"
                       "# end\n");
        assert_string_equal(p->title, "Your nights have moved later # not a comment");
        assert_string_equal(p->body, "Your midpoint of sleep was {value}, {change} against your usual {baseline}. "
                                     "Maybe dim the screen an hour earlier.");
        policy_free(p);

        /* An indented line under a key that takes one value. */
        ASSERT_ONE_PROBLEM("[policy]\nsignal = is\ndetector = cusum\nwindow = 7d\n  14d\n" NUDGE, 5,
                           "indented line continues window, which takes a single value");

        /* Text after a section header: inih drops it, we say so. Not in an
         * indented line that continues a text, nor an inline comment. */
        ASSERT_ONE_PROBLEM("[policy] signal = is\nsignal = is\ndetector = cusum\n" NUDGE, 1,
                           "text 'signal = is' after the section header, ignored");
        p = must_parse("[policy] ; sleep\nsignal = is\ndetector = cusum\n[nudge]\ntitle = t\nbody = b\n"
                       "  [see] the notes\n");
        assert_string_equal(p->body, "b [see] the notes");
        policy_free(p);

        /* Over-long lines and NUL bytes are reported on their line. */
        r = asprintf(&text, "[policy]\nsignal = is\ndetector = cusum\n[nudge]\ntitle = %0198d\nbody = b\ntitle = t\n", 0);
        assert_true(r > 0);
        ASSERT_ONE_PROBLEM(text, 5, "line longer than 198 characters, ignored");
        free(text);
        r = asprintf(&text, "[policy]\nsignal = is\ndetector = cusum\n[nudge]\ntitle = %0190d\nbody = b\n", 0);
        assert_true(r > 0);
        p = must_parse(text); /* 198 characters */
        assert_int_equal(strlen(p->title), 190);
        policy_free(p);
        free(text);
        {
                static const char nul[] = "[policy]\nsignal = is\ndetector = cusum\n[nudge]\ntitle = a\0b\nbody = b\n"
                                          "title = c\n";

                memset(&pr, 0, sizeof pr);
                assert_int_equal(policy_parse(nul, sizeof nul - 1, "nul.policy", collect, &pr, &p), 1);
                ASSERT_PROBLEM(&pr, 0, 5, "NUL byte in line, ignored");
                assert_string_equal(pr.file[0], "nul.policy");
        }

        /* Texts: control characters and broken UTF-8 are refused. */
        ASSERT_ONE_PROBLEM("[policy]\nsignal = is\ndetector = cusum\n[nudge]\ntitle = \x1b[31mred\nbody = b\n", 5,
                           "invalid value '\\x1b[31mred' for [nudge] title (expected UTF-8 text without control");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = is\ndetector = cusum\n[nudge]\ntitle = t\nbody = caf\xc3\n", 6,
                           "invalid value 'caf\\xc3' for [nudge] body");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = is\ndetector = cusum\n[nudge]\ntitle = t\nbody = b\nstep = \xed\xa0\x80\n",
                           7, "[nudge] step");
        p = must_parse("[policy]\nsignal = is\ndetector = cusum\n[nudge]\ntitle = Caf\xc3\xa9 \xe2\x98\x95\nbody = b\n");
        assert_string_equal(p->title, "Caf\xc3\xa9 \xe2\x98\x95");
        policy_free(p);

        /* Too big, and bad arguments. */
        memset(&pr, 0, sizeof pr);
        text = calloc(1024 * 1024 + 2, 1);
        assert_non_null(text);
        memset(text, '\n', 1024 * 1024 + 1);
        assert_int_equal(policy_parse(text, 1024 * 1024 + 1, "big.policy", collect, &pr, &p), 1);
        ASSERT_PROBLEM(&pr, 0, 1, "file larger than 1 MiB");
        free(text);
        assert_int_equal(policy_parse(NULL, 1, "x", NULL, NULL, &p), -EINVAL);
        assert_int_equal(policy_parse("", 0, "x", NULL, NULL, NULL), -EINVAL);
        assert_int_equal(policy_parse(NULL, 0, "x", NULL, NULL, &p), 4);
        assert_null(p);
}

/* ---- detectors ------------------------------------------------------------- */

static void test_threshold(void **state) {
        static const double x[] = { 4, 5, 6, NAN, 5.5 };
        DaySignals *d = days_screen(x, ELEMENTSOF(x));
        Policy *p = policy_pattern("");
        PolicyEval *e;

        (void) state;
        e = replay1(p, d, ELEMENTSOF(x));
        /* Equal is not above: 4 and 5 are false, 6 true; the null day unknown. */
        assert_int_equal(e[0].known, 1);
        assert_false(e[0].condition);
        assert_false(e[1].condition);
        ASSERT_NEAR(e[1].value, 5);
        ASSERT_NEAR(e[1].baseline, 5);
        assert_true(isnan(e[1].spread));
        assert_true(isnan(e[1].score));
        assert_true(e[2].condition);
        assert_int_equal(e[3].known, 0);
        assert_true(isnan(e[3].value));
        assert_true(e[4].condition);
        ASSERT_STATES(e, "IIFFF", "..N..");
        free(e);
        policy_free(p);

        /* A 3-day mean with min_valid_days = 2, and a low-coverage day. */
        p = policy_pattern("window = 3d\nmin_valid_days = 2\naggregate = mean");
        d[1].coverage_h = 17.9; /* under 18 h: as if null */
        e = replay1(p, d, ELEMENTSOF(x));
        assert_int_equal(e[0].known, 0);  /* {4}: one valid day */
        assert_int_equal(e[1].known, 0);  /* {4, –} */
        ASSERT_NEAR(e[2].value, 5);       /* {4, –, 6} */
        assert_false(e[2].condition);
        assert_int_equal(e[3].known, 0);  /* {–, 6, –} */
        ASSERT_NEAR(e[4].value, 5.75);    /* {6, –, 5.5} */
        assert_true(e[4].condition);
        free(e);
        policy_free(p);

        /* Sum and median. */
        p = policy_pattern("window = 3d\nmin_valid_days = 1\naggregate = sum");
        e = replay1(p, d, ELEMENTSOF(x));
        ASSERT_NEAR(e[2].value, 10);
        ASSERT_NEAR(e[4].value, 11.5);
        free(e);
        policy_free(p);
        d[1].coverage_h = 24;
        p = policy_pattern("window = 4d\nmin_valid_days = 1\naggregate = median");
        e = replay1(p, d, ELEMENTSOF(x));
        ASSERT_NEAR(e[1].value, 4.5); /* {4, 5} */
        ASSERT_NEAR(e[2].value, 5);   /* {4, 5, 6} */
        ASSERT_NEAR(e[4].value, 5.5); /* {5, 6, –, 5.5} */
        free(e);
        policy_free(p);
        free(d);
}

static void test_direction_down(void **state) {
        static const double x[] = { 3, 2, 1, 2.5 };
        DaySignals *d = days_screen(x, ELEMENTSOF(x));
        Policy *p = must_parse("[policy]\nsignal = screen_h\nwindow = 1d\ndetector = threshold\ndirection = down\n"
                               "[threshold]\nvalue = 2\n" NUDGE);
        PolicyEval *e = replay1(p, d, ELEMENTSOF(x));

        (void) state;
        /* Below 2: equal is not below. */
        assert_false(e[0].condition);
        assert_false(e[1].condition);
        assert_true(e[2].condition);
        assert_false(e[3].condition);
        ASSERT_STATES(e, "IIFI", "..N.");
        free(e);
        policy_free(p);
        free(d);
}

/* Baseline: median and 1.4826·MAD of the days before the window. */
static void test_baseline(void **state) {
        static const double x[] = { 4, 5, 6, 5, 7, 9, 10, 5, NAN, NAN, NAN, NAN };
        DaySignals *d = days_screen(x, ELEMENTSOF(x));
        Policy *p = must_parse("[policy]\nsignal = screen_h\nwindow = 2d\nmin_valid_days = 2\ndetector = baseline\n"
                               "[baseline]\ndays = 5d\nmin_days = 5\nz = 2\nmin_change = 1\n" NUDGE);
        PolicyEval *e = replay1(p, d, ELEMENTSOF(x));

        (void) state;
        /* Day 5: window {7, 9}, baseline days 0..3 only (4 < 5): unknown. */
        assert_int_equal(e[5].known, 0);
        /* Day 6: window {9, 10} → 9.5; baseline days 0..4 {4, 5, 6, 5, 7}: m = 5,
         * |x − m| = {1, 0, 1, 0, 2} → MAD 1, s = 1.4826; z = 4.5/1.4826 ≈ 3.035. */
        assert_int_equal(e[6].known, 1);
        ASSERT_NEAR(e[6].value, 9.5);
        ASSERT_NEAR(e[6].baseline, 5);
        ASSERT_NEAR(e[6].spread, S);
        ASSERT_NEAR(e[6].score, 4.5 / S);
        assert_true(e[6].condition);
        /* Day 7: window {10, 5} → 7.5; baseline days 1..5 {5, 6, 5, 7, 9}: m = 6,
         * deviations {1, 0, 1, 1, 3} → MAD 1; z = 1.5/1.4826 ≈ 1.01 < 2. */
        ASSERT_NEAR(e[7].value, 7.5);
        ASSERT_NEAR(e[7].baseline, 6);
        ASSERT_NEAR(e[7].score, 1.5 / S);
        assert_false(e[7].condition);
        /* Day 8: window {5, –} has one valid day < 2: unknown. */
        assert_int_equal(e[8].known, 0);
        /* Day 11: the window is empty. */
        assert_int_equal(e[11].known, 0);
        ASSERT_STATES(e, "IIIIIIFIIIII", "......N.....");
        free(e);
        policy_free(p);
        free(d);
}

/* MAD = 0: z is infinite as soon as the value differs; min_change decides. */
static void test_baseline_mad_zero(void **state) {
        static const double x[] = { 5, 5, 5, 5, 5, 5.2, 6, 5 };
        DaySignals *d = days_screen(x, ELEMENTSOF(x));
        Policy *p = must_parse("[policy]\nsignal = screen_h\nwindow = 1d\ndetector = baseline\n"
                               "[baseline]\ndays = 5d\nmin_days = 5\nmin_change = 30min\n" NUDGE);
        PolicyEval *e = replay1(p, d, ELEMENTSOF(x));

        (void) state;
        /* Day 5: 5.2 against {5 ×5}: s = 0, z = +∞, but 0.2 h < 0.5 h. */
        ASSERT_NEAR(e[5].spread, 0);
        assert_true(isinf(e[5].score) && e[5].score > 0);
        assert_false(e[5].condition);
        /* Day 6: 6 against {5, 5, 5, 5, 5.2}: m = 5, MAD 0, change 1 h ≥ 0.5 h. */
        ASSERT_NEAR(e[6].baseline, 5);
        assert_true(isinf(e[6].score));
        assert_true(e[6].condition);
        /* Day 7: 5 against {5, 5, 5, 5.2, 6}: equal to m, z = 0. */
        ASSERT_NEAR(e[7].score, 0);
        assert_false(e[7].condition);
        free(e);
        policy_free(p);

        /* Down: z = −∞ and the drop must be at least min_change. */
        p = must_parse("[policy]\nsignal = screen_h\nwindow = 1d\ndetector = baseline\ndirection = down\n"
                       "[baseline]\ndays = 5d\nmin_days = 5\nmin_change = 0.5\n" NUDGE);
        d[5].screen_h = 4.6;
        d[6].screen_h = 4;
        e = replay1(p, d, ELEMENTSOF(x));
        assert_true(isinf(e[5].score) && e[5].score < 0);
        assert_false(e[5].condition); /* 0.4 < 0.5 */
        assert_true(e[6].condition);
        free(e);
        policy_free(p);
        free(d);
}

/* CUSUM with a 3-day baseline, k = 0.5, h = 4, written out day by day. */
static void test_cusum_path(void **state) {
        static const double x[] = { 0, 1, 2, 3, 4, 20, 3, 3, 3, 4, 5, -100 };
        DaySignals *d = days_screen(x, ELEMENTSOF(x));
        Policy *p = must_parse("[policy]\nsignal = screen_h\ndetector = cusum\nkeep_firing_for = 2d\n"
                               "[cusum]\ndays = 3d\nmin_days = 3\nk = 0.5\nh = 4\n" NUDGE);
        PolicyEval *e = replay1(p, d, ELEMENTSOF(x));
        const double z1 = 2 / S; /* (x − m)/s = 2/1.4826 ≈ 1.3490 */

        (void) state;
        /* Days 0–2: fewer than 3 baseline days: unknown, S stays 0. */
        for (int i = 0; i < 3; i++) {
                assert_int_equal(e[i].known, 0);
                ASSERT_NEAR(e[i].score, 0);
        }
        /* Day 3: B = {0, 1, 2}: m = 1, MAD 1; z = 2/s; S = 0 + z − 0.5. */
        ASSERT_NEAR(e[3].baseline, 1);
        ASSERT_NEAR(e[3].spread, S);
        ASSERT_NEAR(e[3].value, 3);
        ASSERT_NEAR(e[3].score, z1 - 0.5);
        /* Day 4: B = {1, 2, 3}: m = 2; z = 2/s again. */
        ASSERT_NEAR(e[4].baseline, 2);
        ASSERT_NEAR(e[4].score, 2 * z1 - 1);
        assert_false(e[4].condition);
        /* Day 5: B = {2, 3, 4}: m = 3; z = 17/s ≈ 11.5, clamped to 3;
         * S = 2z − 1 + 3 − 0.5 ≈ 4.198 > 4: firing, m = 3 and s frozen. */
        ASSERT_NEAR(e[5].baseline, 3);
        ASSERT_NEAR(e[5].score, 2 * z1 - 1 + 2.5);
        assert_true(e[5].condition);
        /* Day 6: unfrozen, B = {3, 4, 20} would give m = 4 (and z = −1/s);
         * frozen at m = 3: z = 0, S − 0.5 ≈ 3.698, not above h. */
        ASSERT_NEAR(e[6].baseline, 3);
        ASSERT_NEAR(e[6].spread, S);
        ASSERT_NEAR(e[6].score, 2 * z1 + 1);
        assert_false(e[6].condition);
        /* Days 7, 8: still frozen (keep_firing_for 2 keeps it firing on day 7;
         * day 8 is the third false day and resolves it). */
        ASSERT_NEAR(e[7].baseline, 3);
        ASSERT_NEAR(e[7].score, 2 * z1 + 0.5);
        ASSERT_NEAR(e[8].baseline, 3);
        ASSERT_NEAR(e[8].score, 2 * z1);
        /* Day 9: free again, B = {3, 3, 3}: s = 0 → z = 0. */
        ASSERT_NEAR(e[9].baseline, 3);
        ASSERT_NEAR(e[9].spread, 0);
        ASSERT_NEAR(e[9].score, 2 * z1 - 0.5);
        /* Day 10: B = {3, 3, 4}: m = 3, MAD 0 → z = 0. */
        ASSERT_NEAR(e[10].score, 2 * z1 - 1);
        /* Day 11: B = {3, 4, 5}: m = 4, MAD 1; z = −104/s clamped to −3;
         * S = max(0, 2z − 1 − 3 − 0.5) = 0. */
        ASSERT_NEAR(e[11].baseline, 4);
        ASSERT_NEAR(e[11].score, 0);
        ASSERT_STATES(e, "IIIIIFFFIIII", ".....N......");
        free(e);
        policy_free(p);

        /* Down: the same path mirrored. */
        for (size_t i = 0; i < ELEMENTSOF(x); i++)
                d[i].screen_h = -x[i];
        p = must_parse("[policy]\nsignal = screen_h\ndetector = cusum\ndirection = down\nkeep_firing_for = 2d\n"
                       "[cusum]\ndays = 3d\nmin_days = 3\nk = 0.5\nh = 4\n" NUDGE);
        e = replay1(p, d, ELEMENTSOF(x));
        ASSERT_NEAR(e[5].score, 2 * z1 - 1 + 2.5);
        ASSERT_NEAR(e[6].baseline, -3);
        ASSERT_NEAR(e[6].score, 2 * z1 + 1);
        ASSERT_STATES(e, "IIIIIFFFIIII", ".....N......");
        free(e);
        policy_free(p);
        free(d);
}

/* A missing day leaves S as it was and is unknown. */
static void test_cusum_missing(void **state) {
        static const double x[] = { 0, 1, 2, 3, NAN, 4 };
        DaySignals *d = days_screen(x, ELEMENTSOF(x));
        Policy *p = must_parse("[policy]\nsignal = screen_h\ndetector = cusum\n"
                               "[cusum]\ndays = 3d\nmin_days = 3\n" NUDGE);
        PolicyEval *e = replay1(p, d, ELEMENTSOF(x));

        (void) state;
        ASSERT_NEAR(e[3].score, 2 / S - 0.5);
        assert_int_equal(e[4].known, 0);
        assert_true(isnan(e[4].value));
        ASSERT_NEAR(e[4].score, 2 / S - 0.5);
        /* Day 5: the 3 days before are {2, 3, –}: 2 valid < 3, unknown again. */
        assert_int_equal(e[5].known, 0);
        ASSERT_NEAR(e[5].score, 2 / S - 0.5);
        free(e);
        policy_free(p);
        free(d);
}

/* Theil–Sen on days 0, 1, 3, 4, 5 (day 2 missing) with an outlier on day 5:
 * slopes 2, 1, 1.75, 5.8, 0.5, 1.667, 6.75, 4, 13, 22 → sorted, the middle two
 * are 2 and 4: slope 3 (least squares would say ≈ 5.2). */
static void test_trend(void **state) {
        static const double x[] = { 1, 3, NAN, 4, 8, 30 };
        DaySignals *d = days_screen(x, ELEMENTSOF(x));
        Policy *p = must_parse("[policy]\nsignal = screen_h\nwindow = 6d\ndetector = trend\naggregate = median\n"
                               "[trend]\nmin_days = 5\nmin_slope = 2.5\n" NUDGE);
        PolicyEval *e = replay1(p, d, ELEMENTSOF(x));

        (void) state;
        for (int i = 0; i < 5; i++)
                assert_int_equal(e[i].known, 0);
        assert_int_equal(e[5].known, 1);
        ASSERT_NEAR(e[5].score, 3);
        ASSERT_NEAR(e[5].value, 4); /* the median of {1, 3, 4, 8, 30} */
        assert_true(isnan(e[5].baseline));
        assert_true(e[5].condition);
        free(e);
        policy_free(p);
        free(d);

        /* An odd number of slopes (3 points: 3 pairs) and direction down. */
        {
                static const double y[] = { 10, 7, 6 }; /* slopes −3, −2, −1 → −2 */
                DaySignals *dy = days_screen(y, ELEMENTSOF(y));

                p = must_parse("[policy]\nsignal = screen_h\nwindow = 3d\ndetector = trend\ndirection = down\n"
                               "[trend]\nmin_days = 3\nmin_slope = 2\n" NUDGE);
                e = replay1(p, dy, ELEMENTSOF(y));
                ASSERT_NEAR(e[2].score, -2);
                ASSERT_NEAR(e[2].value, 23.0 / 3);
                assert_true(e[2].condition); /* −2 ≤ −2 */
                free(e);
                policy_free(p);
                free(dy);
        }

        /* A flat line is no trend, even with min_slope = 0. */
        {
                static const double y[] = { 5, 5, 5, 5 };
                DaySignals *dy = days_screen(y, ELEMENTSOF(y));

                p = must_parse("[policy]\nsignal = screen_h\nwindow = 4d\ndetector = trend\n"
                               "[trend]\nmin_days = 2\n" NUDGE);
                e = replay1(p, dy, ELEMENTSOF(y));
                ASSERT_NEAR(e[3].score, 0);
                assert_false(e[3].condition);
                free(e);
                policy_free(p);
                free(dy);
        }
}

/* Three policies and a composite that needs 2 of them for 2 days. */
static void test_composite(void **state) {
        static const double x[] = { 0, 1.5, 2.5, 3.5, 2.5, 2.5, 0 };
        DaySignals *d = days_screen(x, ELEMENTSOF(x));
        Policy *p[5];
        PolicyEval *e;
        const size_t n = ELEMENTSOF(x);

        (void) state;
        p[0] = must_parse("[policy]\nname = a\nsignal = screen_h\nwindow = 1d\ndetector = threshold\n"
                          "[threshold]\nvalue = 1\n" NUDGE);
        p[1] = must_parse("[policy]\nname = b\nsignal = screen_h\nwindow = 1d\ndetector = threshold\n"
                          "[threshold]\nvalue = 2\n" NUDGE);
        p[2] = must_parse("[policy]\nname = c\nsignal = screen_h\nwindow = 1d\ndetector = threshold\n"
                          "[threshold]\nvalue = 3\n" NUDGE);
        p[3] = must_parse("[policy]\nname = two-of-three\ndetector = composite\nfor = 2d\n"
                          "[composite]\npolicies = a, b, c\n" NUDGE);
        /* Names a policy that does not exist and one that comes after it. */
        p[4] = must_parse("[policy]\ndetector = composite\n[composite]\npolicies = c, nobody, later\nmin_firing = 1\n"
                          NUDGE);
        e = replay_full(p, 5, d, n, NULL, 0, 0);
        ASSERT_STATES(&e[0 * n], "IFFFFFI", NULL);
        ASSERT_STATES(&e[1 * n], "IIFFFFI", NULL);
        ASSERT_STATES(&e[2 * n], "IIIFIII", NULL);
        /* Firing counts 0 1 2 3 2 2 0: true on days 2–5, firing from the 2nd. */
        for (size_t i = 0; i < n; i++)
                assert_int_equal(e[3 * n + i].known, 1);
        ASSERT_NEAR(e[3 * n + 0].score, 0);
        ASSERT_NEAR(e[3 * n + 1].score, 1);
        ASSERT_NEAR(e[3 * n + 2].score, 2);
        ASSERT_NEAR(e[3 * n + 3].score, 3);
        ASSERT_NEAR(e[3 * n + 6].score, 0);
        assert_true(isnan(e[3 * n + 3].value));
        ASSERT_STATES(&e[3 * n], "IIPFFFI", "...N...");
        ASSERT_STATES(&e[4 * n], "IIIFIII", "...N...");
        free(e);

        /* A composite before the policies it names sees none of them firing. */
        {
                Policy *q[4] = { p[3], p[0], p[1], p[2] };

                e = replay_full(q, 4, d, n, NULL, 0, 0);
                ASSERT_STATES(e, "IIIIIII", ".......");
                ASSERT_NEAR(e[3].score, 0);
                free(e);
        }
        /* A disabled member is never firing. */
        p[1]->enabled = false;
        e = replay_full(p, 4, d, n, NULL, 0, 0);
        ASSERT_STATES(&e[1 * n], "IIIIIII", ".......");
        assert_int_equal(e[1 * n + 3].known, 0);
        ASSERT_STATES(&e[3 * n], "IIIPIII", ".......");
        ASSERT_NEAR(e[3 * n + 3].score, 2);
        free(e);

        for (size_t i = 0; i < ELEMENTSOF(p); i++)
                policy_free(p[i]);
        free(d);
}

/* Each signal reads its own field, times on their own line. */
static void test_signal_fields(void **state) {
        static const double want[_POLICY_SIGNAL_MAX] = {
                [POLICY_SIGNAL_SCREEN_H] = 1,       [POLICY_SIGNAL_NIGHT_RATIO] = 0.2,
                [POLICY_SIGNAL_FIRST_ACTIVE] = 540, [POLICY_SIGNAL_LAST_ACTIVE] = 1380,
                [POLICY_SIGNAL_SLEEP_ONSET] = 690,  /* 23:30 − 12:00 */
                [POLICY_SIGNAL_SLEEP_OFFSET] = 1139, /* 07:00 − 12:01 + 24 h */
                [POLICY_SIGNAL_SLEEP_MID] = 915,    /* 03:15 − 12:00 + 24 h */
                [POLICY_SIGNAL_SLEEP_H] = 7.5,      [POLICY_SIGNAL_COVERAGE_H] = 23,
                [POLICY_SIGNAL_IS] = 0.6,           [POLICY_SIGNAL_IV] = 0.8,
                [POLICY_SIGNAL_RA] = 0.9,           [POLICY_SIGNAL_L5] = 1.5,
                [POLICY_SIGNAL_M10] = 30,           [POLICY_SIGNAL_WENT_OUT] = 1,
                [POLICY_SIGNAL_MET_SOMEONE] = 0,    [POLICY_SIGNAL_MOOD] = 4,
        };
        DaySignals d = day_blank(0);
        Checkin c = { JUN1, 1, 0, 4 };

        (void) state;
        d.screen_h = 1;
        d.night_ratio = 0.2;
        d.first_active = 540;
        d.last_active = 1380;
        d.sleep_onset = 1410;
        d.sleep_offset = 420;
        d.sleep_mid = 195;
        d.sleep_h = 7.5;
        d.coverage_h = 23;
        d.is = 0.6;
        d.iv = 0.8;
        d.ra = 0.9;
        d.l5 = 1.5;
        d.m10 = 30;
        for (int s = 0; s < _POLICY_SIGNAL_MAX; s++) {
                char text[256];
                Policy *p;
                PolicyEval *e;

                snprintf(text, sizeof text,
                         "[policy]\nsignal = %s\nwindow = 1d\ndetector = threshold\n[threshold]\nvalue = 0\n" NUDGE,
                         policy_signal_name((PolicySignal) s));
                p = must_parse(text);
                e = replay_full(&p, 1, &d, 1, &c, 1, 0);
                ASSERT_NEAR(e[0].value, want[s]);
                free(e);

                /* Under the minimum coverage only check-ins are left. */
                d.coverage_h = 17;
                e = replay_full(&p, 1, &d, 1, &c, 1, 0);
                if (s >= POLICY_SIGNAL_WENT_OUT)
                        ASSERT_NEAR(e[0].value, want[s]);
                else
                        assert_int_equal(e[0].known, 0);
                d.coverage_h = 23;
                free(e);
                policy_free(p);
        }
}

/* ---- the state machine ---------------------------------------------------- */

/* policy_pattern(extra) replayed over days_pattern(days): its states and
 * nudges as check_states() spells them. */
static void check_pattern(const char *extra, const char *days, const char *states, const char *nudges, int at) {
        DaySignals *d = days_pattern(days);
        Policy *p = policy_pattern(extra);
        PolicyEval *e = replay1(p, d, strlen(days));

        check_states(e, states, nudges, at);
        free(e);
        policy_free(p);
        free(d);
}
#define ASSERT_PATTERN(extra, days, states, nudges) check_pattern((extra), (days), (states), (nudges), __LINE__)

static void test_for(void **state) {
        (void) state;
        /* Fires on the third consecutive true day, not before. */
        ASSERT_PATTERN("for = 3d", "FTTTTF", "IPPFFI", "...N..");
        /* A false day resets pending. */
        ASSERT_PATTERN("for = 3d", "TTFTTTF", "PPIPPFI", ".....N.");
        /* for = 0d and 1d both fire at once. */
        ASSERT_PATTERN("for = 0d", "FTF", "IFI", ".N.");
        ASSERT_PATTERN("for = 1d", "FTF", "IFI", ".N.");
}

static void test_keep_firing_for(void **state) {
        DaySignals *d = days_pattern("TFFFTFFT");
        Policy *p = policy_pattern("keep_firing_for = 2d");
        PolicyEval *e = replay1(p, d, 8);

        (void) state;
        /* Stays firing two false days, resolves on the third; a true day in
         * between starts the count again. */
        ASSERT_STATES(e, "FFFIFFFF", "N.......");
        assert_true(e[0].condition);
        assert_false(e[1].condition);
        free(e);
        policy_free(p);
        free(d);
}

static void test_unknown_days(void **state) {
        DaySignals *d = days_pattern("TUTUTUU");
        Policy *p = policy_pattern("for = 3d");
        PolicyEval *e = replay1(p, d, 7);

        (void) state;
        /* Unknown days neither count towards for nor reset it. */
        ASSERT_STATES(e, "PPPPFFF", "....N..");
        assert_int_equal(e[1].known, 0);
        assert_false(e[1].condition);
        free(e);
        free(d);
        policy_free(p);
        /* Nor towards keep_firing_for. */
        ASSERT_PATTERN("keep_firing_for = 1d", "TFUUFUF", "FFFFIII", "N......");
        /* And no nudge on an unknown day: the next known firing day gets it. */
        ASSERT_PATTERN("cooldown = 1d", "TTUT", "FFFF", "NN.N");
}

static void test_cooldown(void **state) {
        (void) state;
        /* Firing all along: a nudge when it starts, then every 3 days. */
        ASSERT_PATTERN("cooldown = 3d", "TTTTTTTT", "FFFFFFFF", "N..N..N.");
        /* Across episodes: firing again within the cooldown raises nothing
         * until the cooldown is over. */
        ASSERT_PATTERN("cooldown = 5d", "TFTFFFFTFT", "FIFIIIIFIF", "N......N..");
        /* cooldown = 0: every known firing day. */
        ASSERT_PATTERN("cooldown = 0d", "TTUT", "FFFF", "NN.N");
}

/* Nights with more than 30 % of the activity, 3 or more in a week. */
static void test_count_aggregate(void **state) {
        static const double ratio[] = { 0.1, 0.4, NAN, 0.31, 0.3, 0.5, 0.2, 0.1 };
        DaySignals *d = days_screen(ratio, ELEMENTSOF(ratio));
        Policy *p = must_parse("[policy]\nsignal = night_ratio\naggregate = count\ncount_when = > 30%\n"
                               "window = 7d\ndetector = threshold\n[threshold]\nvalue = 2\n" NUDGE);
        PolicyEval *e;

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(ratio); i++)
                d[i].night_ratio = ratio[i];
        e = replay1(p, d, ELEMENTSOF(ratio));
        /* min_valid_days 4: day 4 is the first with 4 valid days {.1, .4, .31, .3}: 2. */
        assert_int_equal(e[3].known, 0);
        ASSERT_NEAR(e[4].value, 2);
        assert_false(e[4].condition);
        /* Day 5 adds 0.5: 3 > 2. Day 7: {.4, –, .31, .3, .5, .2, .1}: still 3. */
        ASSERT_NEAR(e[5].value, 3);
        assert_true(e[5].condition);
        ASSERT_NEAR(e[7].value, 3);
        free(e);
        policy_free(p);
        free(d);
}

/* sleep_mid from 23:30 to 01:30 is later, not 22 hours earlier. */
static void test_time_midnight(void **state) {
        static const int mid[] = { 23 * 60 + 30, 23 * 60 + 45, 30, 90, 60 };
        DaySignals *d = days_screen((const double[]) { 1, 1, 1, 1, 1 }, 5);
        Policy *p;
        PolicyEval *e;

        (void) state;
        for (int i = 0; i < 5; i++)
                d[i].sleep_mid = mid[i];
        p = must_parse("[policy]\nsignal = sleep_mid\nwindow = 1d\ndetector = threshold\n"
                       "[threshold]\nvalue = 00:15\n" NUDGE);
        e = replay1(p, d, 5);
        /* On the line from noon: 23:30 → 690, 23:45 → 705, 00:30 → 750,
         * 01:30 → 810, 01:00 → 780; the threshold 00:15 → 735. */
        ASSERT_NEAR(e[0].value, 690);
        ASSERT_NEAR(e[0].baseline, 735);
        assert_int_equal(e[0].anchor_min, 720);
        assert_false(e[0].condition);
        assert_false(e[1].condition);
        assert_true(e[2].condition);
        assert_true(e[3].condition);
        ASSERT_NEAR(e[3].value, 810);
        free(e);
        policy_free(p);

        /* The trend across midnight is +30 min a day and then some: up. */
        p = must_parse("[policy]\nsignal = sleep_mid\nwindow = 4d\ndetector = trend\n"
                       "[trend]\nmin_days = 4\nmin_slope = 20min\n" NUDGE);
        e = replay1(p, d, 5);
        /* Days 0–3: 690, 705, 750, 810; slopes 15, 30, 40, 45, 52.5, 60 → 42.5. */
        ASSERT_NEAR(e[3].score, 42.5);
        assert_true(e[3].condition);
        free(e);
        policy_free(p);

        /* Baseline: a mean of 00:45 against a usual 23:45 is +60 min, up. */
        p = must_parse("[policy]\nsignal = sleep_mid\nwindow = 2d\ndetector = baseline\n"
                       "[baseline]\ndays = 2d\nmin_days = 2\nz = 1\nmin_change = 45min\n" NUDGE);
        d[2].sleep_mid = 23 * 60 + 45;
        d[3].sleep_mid = 30;
        d[4].sleep_mid = 60;
        e = replay1(p, d, 5);
        /* Day 4: window {00:30, 01:00} → 765 (00:45); B = {23:45, 23:45} → 705. */
        ASSERT_NEAR(e[4].value, 765);
        ASSERT_NEAR(e[4].baseline, 705);
        assert_true(e[4].condition);
        free(e);
        policy_free(p);
        free(d);
}

/* first_active is on a line from the day start. */
static void test_time_day_start(void **state) {
        DaySignals *d = days_screen((const double[]) { 1, 1, 1 }, 3);
        Policy *p = must_parse("[policy]\nsignal = first_active\nwindow = 1d\ndetector = threshold\n"
                               "[threshold]\nvalue = 10:00\n" NUDGE);
        PolicyEval *e;

        (void) state;
        d[0].first_active = 9 * 60;
        d[1].first_active = 11 * 60;
        d[2].first_active = 3 * 60; /* the very end of a day that starts at 04:00 */
        e = replay_full(&p, 1, d, 3, NULL, 0, 4 * 60);
        assert_int_equal(e[0].anchor_min, 240);
        ASSERT_NEAR(e[0].baseline, 360);
        ASSERT_NEAR(e[0].value, 300);
        assert_false(e[0].condition);
        assert_true(e[1].condition);
        ASSERT_NEAR(e[2].value, 1380);
        assert_true(e[2].condition);
        free(e);
        policy_free(p);
        free(d);
}

static void test_checkins(void **state) {
        DaySignals *d = days_screen((const double[]) { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 }, 10);
        Policy *p = must_parse("[policy]\nsignal = went_out\naggregate = count\ncount_when = = 1\nwindow = 7d\n"
                               "detector = threshold\ndirection = down\n[threshold]\nvalue = 2\n" NUDGE);
        PolicyEval *e;
        Checkin c[] = {
                /* any order; the last of a repeated date wins; coverage does not matter */
                { JUN1 + 3 * DAY, 0, 0, 2 }, { JUN1 + 0 * DAY, 1, 1, 4 }, { JUN1 + 1 * DAY, 1, -1, -1 },
                { JUN1 + 2 * DAY, 0, 1, 3 },  { JUN1 + 3 * DAY, 1, 0, 2 }, { JUN1 + 5 * DAY, 0, 0, 1 },
                { JUN1 + 6 * DAY, 0, 0, 1 },  { JUN1 + 7 * DAY, 0, -1, 9 }, { JUN1 + 8 * DAY, 7, 0, 1 },
                { JUN1 + 50 * DAY, 1, 1, 5 }, { JUN1 + 9 * DAY + 3600, 1, 1, 5 },
        };

        (void) state;
        d[5].coverage_h = 0;

        /* No check-ins at all: unknown every day, never fires. */
        e = replay_full(&p, 1, d, 10, NULL, 0, 0);
        for (int i = 0; i < 10; i++)
                assert_int_equal(e[i].known, 0);
        ASSERT_STATES(e, "IIIIIIIIII", "..........");
        free(e);

        /* went_out: 1 1 0 1 – 0 0 0 – – (day 8's 7 is not an answer; day 9's
         * check-in is not at 00:00). Days out over the last 7:
         * day 3 {1,1,0,1} = 3; day 5 {1,1,0,1,–,0} = 3; day 6 = 3;
         * day 7 {1,0,1,–,0,0,0} = 2; day 8 {0,1,–,0,0,0,–} = 1 < 2;
         * day 9 {1,–,0,0,0,–,–}: 4 valid days, 1. */
        e = replay_full(&p, 1, d, 10, c, ELEMENTSOF(c), 0);
        assert_int_equal(e[2].known, 0);
        ASSERT_NEAR(e[3].value, 3);
        ASSERT_NEAR(e[7].value, 2);
        assert_false(e[7].condition);
        ASSERT_NEAR(e[8].value, 1);
        assert_true(e[8].condition);
        ASSERT_NEAR(e[9].value, 1);
        ASSERT_STATES(e, "IIIIIIIIFF", "........N.");
        free(e);
        policy_free(p);

        /* mood, mean over 3 days; 9 and -1 are not answers. */
        p = must_parse("[policy]\nsignal = mood\nwindow = 3d\nmin_valid_days = 1\ndetector = threshold\n"
                       "direction = down\n[threshold]\nvalue = 2\n" NUDGE);
        e = replay_full(&p, 1, d, 10, c, ELEMENTSOF(c), 0);
        ASSERT_NEAR(e[2].value, 3.5);         /* {4, –, 3} */
        ASSERT_NEAR(e[5].value, 1.5);         /* {2, –, 1} */
        ASSERT_NEAR(e[7].value, 1);           /* {1, 1, –} */
        ASSERT_NEAR(e[9].value, 1);           /* {–, 1, –} */
        ASSERT_STATES(e, "IIIIIFFFFF", ".....N....");
        free(e);
        policy_free(p);
        free(d);
}

static void test_disabled_and_args(void **state) {
        DaySignals *d = days_pattern("TTT");
        Policy *p = policy_pattern("enabled = no");
        PolicyEval *e = replay1(p, d, 3);

        (void) state;
        /* A file that only says "enabled = false" switches a default of its
         * name off: it needs none of the keys an enabled policy needs. */
        {
                Policy *off = must_parse("[policy]\nenabled = false\n");
                assert_false(off->enabled);
                policy_free(off);
                check_one_problem("[policy]\nenabled = true\nsignal = screen_h\ndetector = threshold\n"
                                  "[threshold]\nvalue = 1\n[nudge]\nbody = b\n",
                                  7, "missing key 'title'", __LINE__);
        }
        ASSERT_STATES(e, "III", "...");
        assert_int_equal(e[0].known, 0);
        assert_true(isnan(e[0].value));
        free(e);

        assert_int_equal(policy_replay(&p, 1, d, 3, NULL, 0, 18, 0, NULL), -EINVAL);
        assert_int_equal(policy_replay(NULL, 1, d, 3, NULL, 0, 18, 0, &e), -EINVAL);
        assert_int_equal(policy_replay(&p, 1, NULL, 3, NULL, 0, 18, 0, &e), -EINVAL);
        assert_int_equal(policy_replay(&p, 1, d, 3, NULL, 2, 18, 0, &e), -EINVAL);
        {
                Policy *none = NULL;

                assert_int_equal(policy_replay(&none, 1, d, 3, NULL, 0, 18, 0, &e), -EINVAL);
        }
        p->window_days = 0;
        assert_int_equal(policy_replay(&p, 1, d, 3, NULL, 0, 18, 0, &e), -EINVAL);
        p->window_days = 1;

        /* Nothing to replay. */
        assert_int_equal(policy_replay(&p, 1, d, 0, NULL, 0, 18, 0, &e), 0);
        free(e);
        assert_int_equal(policy_replay(NULL, 0, d, 3, NULL, 0, 18, 0, &e), 0);
        free(e);
        policy_free(p);
        free(d);
}

/* ---- templates ------------------------------------------------------------- */

static PolicyEval eval_of(double value, double baseline, double score, int anchor) {
        return (PolicyEval) {
                .known = 1, .value = value, .baseline = baseline, .spread = 1, .score = score,
                .state = POLICY_FIRING, .anchor_min = anchor,
        };
}

/* {usual} and {unusual}: the usual range and how unusual, in words. */
static void test_format_usual(void **state) {
        Policy *p;
        PolicyEval e;

        (void) state;
        p = must_parse("[policy]\nsignal = night_ratio\ndetector = baseline\n" NUDGE);
        e = eval_of(0.31, 0.02, 9, 0);
        e.spread = 0.03;
        ASSERT_FORMAT(p, &e, "{unusual} (your usual: {usual})", "far above your usual range (your usual: 0\u20135 %)");
        e.value = 0.06;
        ASSERT_FORMAT(p, &e, "{unusual}", "a little above your usual range");
        e.value = 0.1;
        ASSERT_FORMAT(p, &e, "{unusual}", "well above your usual range");
        e.value = 0.03;
        ASSERT_FORMAT(p, &e, "{unusual}", "within your usual range");
        /* A spread of 0: one figure, no infinity. */
        e.spread = 0;
        e.score = INFINITY;
        ASSERT_FORMAT(p, &e, "{unusual}; {usual}", "above your usual, which hardly varies; 2 %");
        e.known = 0;
        ASSERT_FORMAT(p, &e, "{unusual}", "not enough data");
        policy_free(p);

        /* Times: the range on the clock, across midnight. */
        p = must_parse("[policy]\nsignal = sleep_mid\ndetector = baseline\n" NUDGE);
        e = eval_of(885, 840, 1.5, 720); /* 02:45 against 02:00 */
        e.spread = 30;
        ASSERT_FORMAT(p, &e, "{usual}: {unusual}", "01:30\u201302:30: a little above your usual range");
        policy_free(p);
        p = must_parse("[policy]\nsignal = screen_h\ndetector = threshold\n[threshold]\nvalue = 5\n" NUDGE);
        e = eval_of(6, 5, NAN, 0);
        e.condition = true;
        ASSERT_FORMAT(p, &e, "{unusual} ({usual})", "above the limit (5.0 h)");
        policy_free(p);
        p = must_parse("[policy]\nsignal = screen_h\nwindow = 14d\ndetector = trend\n" NUDGE);
        e = eval_of(6, NAN, 0.15, 0);
        ASSERT_FORMAT(p, &e, "{unusual}", "rising (+0.15 h/day)");
        policy_free(p);
}

static void test_format_units(void **state) {
        Policy *p;
        PolicyEval e;

        (void) state;
        /* Hours, and a percentage against the baseline. */
        p = must_parse("[policy]\nname = screen\nsignal = screen_h\ndetector = baseline\n" NUDGE);
        e = eval_of(7.1, 5.8, 2.66, 0);
        ASSERT_FORMAT(p, &e, "{name}: {value} vs {baseline} ({change}), z {z} ≥ {threshold}, {window}",
                      "screen: 7.1 h vs 5.8 h (+22 %), z 2.7 ≥ 2.5, 7 days");
        e = eval_of(5, 6, -INFINITY, 0);
        ASSERT_FORMAT(p, &e, "{change} {z}", "-17 % -\u221e");
        e = eval_of(5, 0, INFINITY, 0);
        ASSERT_FORMAT(p, &e, "{change} {z}", "\u2014 \u221e");
        e = eval_of(6, 6, 0, 0);
        ASSERT_FORMAT(p, &e, "{change}", "0 %");
        policy_free(p);

        /* Ratios: percent and percentage points. */
        p = must_parse("[policy]\nsignal = night_ratio\ndetector = baseline\nwindow = 1d\n" NUDGE);
        e = eval_of(0.31, 0.13, 3, 0);
        ASSERT_FORMAT(p, &e, "{value} {baseline} {change} {window}", "31 % 13 % +18 pp 1 day");
        e = eval_of(0.1, 0.25, 3, 0);
        ASSERT_FORMAT(p, &e, "{change}", "-15 pp");
        policy_free(p);

        /* Times: back from the anchored line, a signed duration. */
        p = must_parse("[policy]\nsignal = sleep_mid\ndetector = baseline\n" NUDGE);
        e = eval_of(775, 690, 4, 720); /* 00:55 against 23:30 */
        ASSERT_FORMAT(p, &e, "{value} {baseline} {change}", "00:55 23:30 +1 h 25 min");
        e = eval_of(690, 750, 4, 720);
        ASSERT_FORMAT(p, &e, "{value} {change}", "23:30 -1 h");
        e = eval_of(700, 740, 4, 720);
        ASSERT_FORMAT(p, &e, "{change}", "-40 min");
        e = eval_of(700.4, 700, 4, 720);
        ASSERT_FORMAT(p, &e, "{change}", "0 min");
        policy_free(p);
        /* A time threshold is shown as the time of day it was given as. */
        p = must_parse("[policy]\nsignal = first_active\ndetector = threshold\n[threshold]\nvalue = 10:30\n" NUDGE);
        e = eval_of(400, 390, NAN, 240); /* day start 04:00: 10:40 against 10:30 */
        ASSERT_FORMAT(p, &e, "{value} {baseline} {threshold} {change} {z}", "10:40 10:30 10:30 +10 min \u2014");
        policy_free(p);

        /* Rhythm figures as a share of their scale (IS and RA of 1, IV of 2),
         * a change as a share of the baseline: never a raw index. */
        p = must_parse("[policy]\nsignal = is\ndetector = baseline\n" NUDGE);
        e = eval_of(0.6234, 0.5, 2.5, 0);
        ASSERT_FORMAT(p, &e, "{value} {baseline} {change}", "62 % 50 % +25 %");
        policy_free(p);
        p = must_parse("[policy]\nsignal = iv\ndetector = baseline\n" NUDGE);
        e = eval_of(0.63, 0.42, 2.5, 0);
        ASSERT_FORMAT(p, &e, "{value} {baseline} {change}", "32 % 21 % +50 %");
        policy_free(p);
        p = must_parse("[policy]\nsignal = m10\ndetector = baseline\n" NUDGE);
        e = eval_of(12.34, 10, 2.5, 0);
        ASSERT_FORMAT(p, &e, "{value} {baseline} {change}", "12.3 min/h 10.0 min/h +23 %");
        policy_free(p);
        p = must_parse("[policy]\nsignal = mood\ndetector = baseline\ndirection = down\n" NUDGE);
        e = eval_of(3.24, 3.74, -2.5, 0);
        ASSERT_FORMAT(p, &e, "{value} {baseline} {change}", "3.2 3.7 -0.5");
        policy_free(p);

        /* Check-ins: days when counted or summed, a share for a mean. */
        p = must_parse("[policy]\nsignal = went_out\naggregate = count\ncount_when = = 1\ndetector = threshold\n"
                       "direction = down\n[threshold]\nvalue = 2\n" NUDGE);
        e = eval_of(1, 2, NAN, 0);
        ASSERT_FORMAT(p, &e, "{value} {baseline} {threshold} {change}", "1 day 2 days 2 days -1 day");
        e = eval_of(3, 5, NAN, 0);
        ASSERT_FORMAT(p, &e, "{value} {change}", "3 days -2 days");
        policy_free(p);
        p = must_parse("[policy]\nsignal = met_someone\naggregate = sum\ndetector = threshold\n"
                       "[threshold]\nvalue = 4\n" NUDGE);
        e = eval_of(5, 4, NAN, 0);
        ASSERT_FORMAT(p, &e, "{value} {change}", "5 days +1 day");
        policy_free(p);
        p = must_parse("[policy]\nsignal = went_out\ndetector = threshold\ndirection = down\n[threshold]\nvalue = 50%\n"
                       NUDGE);
        e = eval_of(3.0 / 7, 0.5, NAN, 0);
        ASSERT_FORMAT(p, &e, "{value} {threshold} {change}", "43 % 50 % -7 pp");
        policy_free(p);

        /* Trend: the slope per day; cusum: S and h; composite: counts. */
        p = must_parse("[policy]\nsignal = screen_h\nwindow = 14d\ndetector = trend\n[trend]\nmin_slope = 0.1\n" NUDGE);
        e = eval_of(6.04, NAN, 0.123, 0);
        ASSERT_FORMAT(p, &e, "{value} {z} {threshold} {baseline} {change}", "6.0 h +0.12 h/day 0.10 h/day \u2014 \u2014");
        policy_free(p);
        p = must_parse("[policy]\nsignal = sleep_onset\nwindow = 14d\ndetector = trend\n[trend]\nmin_slope = 10min\n"
                       NUDGE);
        e = eval_of(700, NAN, 12.4, 720);
        ASSERT_FORMAT(p, &e, "{value} {z} {threshold}", "23:40 +12 min/day 10 min/day");
        policy_free(p);
        p = must_parse("[policy]\nsignal = screen_h\ndetector = cusum\n" NUDGE);
        e = eval_of(9, 6, 5.56, 0);
        ASSERT_FORMAT(p, &e, "{value} {baseline} {change} {z} {threshold}", "9.0 h 6.0 h +50 % 5.6 5.0");
        policy_free(p);
        p = must_parse("[policy]\ndetector = composite\n[composite]\npolicies = a, b, c\n" NUDGE);
        e = eval_of(NAN, NAN, 2, 0);
        ASSERT_FORMAT(p, &e, "{z} of {threshold} needed; {value}", "2 of 2 needed; \u2014");
        policy_free(p);
}

static void test_format_text(void **state) {
        Policy *p = must_parse("[policy]\nname = n\nsignal = screen_h\ndetector = baseline\n" NUDGE);
        PolicyEval e = eval_of(NAN, NAN, NAN, 0);
        char *s;

        (void) state;
        /* NAN → an em dash; unknown placeholders stay; "{{" is a brace. */
        ASSERT_FORMAT(p, &e, "{value} {baseline} {change} {z}", "\u2014 \u2014 \u2014 \u2014");
        ASSERT_FORMAT(p, &e, "{unknown} {Value} { value} {}", "{unknown} {Value} { value} {}");
        ASSERT_FORMAT(p, &e, "{{value} {{{name}} {{{{", "{value} {n} {{");
        ASSERT_FORMAT(p, &e, "a { b } c {name", "a { b } c {name");
        ASSERT_FORMAT(p, &e, "{abcdefghijklmnopqrstuvwxyz} {name}", "{abcdefghijklmnopqrstuvwxyz} n");
        ASSERT_FORMAT(p, &e, "{", "{");
        ASSERT_FORMAT(p, &e, "}", "}");
        ASSERT_FORMAT(p, &e, "", "");
        ASSERT_FORMAT(p, &e, "Caf\xc3\xa9 {name}", "Caf\xc3\xa9 n");
        /* Without an evaluation, the figures are not known. */
        ASSERT_FORMAT(p, NULL, "{name} {value} {window}", "n \u2014 7 days");

        assert_int_equal(policy_format(NULL, &e, "x", &s), -EINVAL);
        assert_int_equal(policy_format(p, &e, NULL, &s), -EINVAL);
        assert_int_equal(policy_format(p, &e, "x", NULL), -EINVAL);
        policy_free(p);
}

/* A realistic replay, formatted: what a nudge reads like. */
static void test_replay_and_format(void **state) {
        double x[40];
        DaySignals *d;
        Policy *p;
        PolicyEval *e;
        char *s = NULL;
        size_t fired = SIZE_MAX;

        (void) state;
        for (int i = 0; i < 40; i++)
                x[i] = i < 30 ? 5 + (i % 3) * 0.5 : 8; /* 5, 5.5, 6, … then 8 */
        d = days_screen(x, 40);
        p = must_parse("[policy]\nname = screen-up\nsignal = screen_h\ndetector = baseline\n"
                       "[baseline]\nmin_change = 1\n"
                       "[nudge]\ntitle = More screen time\n"
                       "body = {value} a day over the last {window}, against your usual {baseline} ({change}).\n");
        e = replay1(p, d, 40);
        for (size_t i = 0; i < 40 && fired == SIZE_MAX; i++)
                if (e[i].nudge)
                        fired = i;
        /* The baseline (days D−34 … D−7, only 5, 5.5 and 6 in equal shares) has
         * median 5.5 and MAD 0.5: s = 0.7413. Day 33: window days 27–33
         * {5, 5.5, 6, 8, 8, 8, 8} → 6.929, z = 1.93: not yet. Day 34:
         * {5.5, 6, 8, 8, 8, 8, 8} → 7.357, z = 1.857/0.7413 = 2.505 ≥ 2.5 and
         * 1.857 h ≥ 1 h; the change is 1.857/5.5 = +33.8 %. */
        assert_int_equal(fired, 34);
        ASSERT_NEAR_EPS(e[fired].score, 2.5053, 1e-4);
        assert_int_equal(policy_format(p, &e[fired], p->body, &s), 0);
        assert_string_equal(s, "7.4 h a day over the last 7 days, against your usual 5.5 h (+34 %).");
        free(s);
        free(e);
        policy_free(p);
        free(d);
}

/* Three years, six policies: a smoke test that the replay is linear enough. */
static void test_long_history(void **state) {
        enum { N = 1100 };
        DaySignals *d = calloc(N, sizeof *d);
        Policy *p[6];
        PolicyEval *e;

        (void) state;
        assert_non_null(d);
        for (int i = 0; i < N; i++) {
                d[i] = day_blank(i);
                d[i].screen_h = 4 + (i % 7) * 0.3 + i * 0.002;
                d[i].sleep_mid = (180 + i / 10) % 1440;
                d[i].night_ratio = (i % 11) / 20.0;
        }
        p[0] = must_parse("[policy]\nname = a\nsignal = screen_h\ndetector = baseline\n" NUDGE);
        p[1] = must_parse("[policy]\nname = b\nsignal = sleep_mid\ndetector = cusum\n" NUDGE);
        p[2] = must_parse("[policy]\nname = c\nsignal = screen_h\nwindow = 28d\ndetector = trend\n" NUDGE);
        p[3] = must_parse("[policy]\nname = d\nsignal = night_ratio\naggregate = median\ndetector = threshold\n"
                          "[threshold]\nvalue = 0.2\n" NUDGE);
        p[4] = must_parse("[policy]\nname = e\nsignal = night_ratio\naggregate = count\ncount_when = > 0.3\n"
                          "window = 14d\ndetector = threshold\n[threshold]\nvalue = 5\n" NUDGE);
        p[5] = must_parse("[policy]\ndetector = composite\n[composite]\npolicies = a, b, c, d, e\nmin_firing = 2\n"
                          NUDGE);
        e = replay_full(p, 6, d, N, NULL, 0, 0);
        /* The trend is known from the 14th day on. */
        assert_int_equal(e[2 * N + 12].known, 0);
        assert_int_equal(e[2 * N + 13].known, 1);
        assert_true(isfinite(e[2 * N + 13].score));
        free(e);
        for (int i = 0; i < 6; i++)
                policy_free(p[i]);
        free(d);
}

/* ---- by_weekday and min_spread ---------------------------------------------- */

/* n days of screen hours from Monday Jun 1: weekdays 3 h, weekends 6 h. */
static DaySignals *weeks(size_t n) {
        DaySignals *d = calloc(n, sizeof *d);

        assert_non_null(d);
        for (size_t i = 0; i < n; i++) {
                d[i] = day_blank((int) i);
                d[i].screen_h = i % 7 >= 5 ? 6 : 3;
        }
        return d;
}

static void test_parse_by_weekday(void **state) {
        Policy *p;

        (void) state;
        p = must_parse("[policy]\nsignal = screen_h\ndetector = baseline\n[baseline]\nmin_spread = 1h30min\n" NUDGE);
        assert_false(p->by_weekday);
        ASSERT_NEAR(p->min_spread, 1.5);
        policy_free(p);
        /* A time of day: a difference in minutes. [baseline]'s is checked but
         * not used by a cusum policy, as its days are. */
        p = must_parse("[policy]\nsignal = sleep_mid\ndetector = cusum\nby_weekday = yes\n[cusum]\nmin_spread = 30min\n"
                  "[baseline]\nmin_spread = 2h\n" NUDGE);
        assert_true(p->by_weekday);
        ASSERT_NEAR(p->min_spread, 30);
        policy_free(p);
        p = must_parse("[policy]\nsignal = night_ratio\ndetector = baseline\nby_weekday = no\n[baseline]\nmin_spread = 5%\n"
                  NUDGE);
        ASSERT_NEAR(p->min_spread, 0.05);
        policy_free(p);

        ASSERT_ONE_PROBLEM("[policy]\nsignal = screen_h\ndetector = cusum\nby_weekday = sometimes\n" NUDGE, 4,
              "invalid value 'sometimes' for by_weekday (expected yes or no)");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = screen_h\ndetector = threshold\nby_weekday = yes\n[threshold]\nvalue = 3\n" NUDGE, 4,
              "by_weekday applies to detector = baseline or cusum");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = screen_h\ndetector = cusum\n[cusum]\nmin_spread = -1\n" NUDGE, 5,
              "[cusum] min_spread");
        ASSERT_ONE_PROBLEM("[policy]\nsignal = screen_h\ndetector = baseline\n[baseline]\nmin_spread = lots\n" NUDGE, 5,
              "[baseline] min_spread");
}

/* Four weeks of usual days, then a week to judge, each day on its own. */
static void test_baseline_by_weekday(void **state) {
        DaySignals *d = weeks(35);
        Policy *by = must_parse("[policy]\nsignal = screen_h\nwindow = 1d\ndetector = baseline\nby_weekday = yes\n"
                           "[baseline]\ndays = 28d\nmin_days = 28\nz = 2\nmin_change = 0.5\nmin_spread = 0.25\n" NUDGE);
        Policy *mixed = must_parse("[policy]\nsignal = screen_h\nwindow = 1d\ndetector = baseline\n"
                              "[baseline]\ndays = 28d\nmin_days = 28\nz = 2\nmin_change = 0.5\n" NUDGE);
        PolicyEval *e, *f;

        (void) state;
        d[29].screen_h = 4; /* a Tuesday an hour above its usual */
        e = replay1(by, d, 35);
        f = replay1(mixed, d, 35);
        /* Day 28, a Monday: every weekday's own median is 3 and the weekend's
         * 6, the median of those seven 3 (the weekend's effect +3): every
         * residual is 3, MAD 0, raised to min_spread. */
        assert_true(e[28].known);
        ASSERT_NEAR(e[28].baseline, 3);
        ASSERT_NEAR(e[28].spread, 0.25);
        ASSERT_NEAR(e[28].score, 0);
        /* Day 29: 4 − 0 against 3: z = 1/0.25 = 4, a change of 1 h. */
        ASSERT_NEAR(e[29].value, 4);
        ASSERT_NEAR(e[29].score, 4);
        assert_true(e[29].condition);
        /* Day 33, a Saturday of 6 h: 6 − 3 = 3, its usual. Mixed with the
         * weekdays, the usual is 3 with a spread of 0: +∞ and 3 h up. */
        ASSERT_NEAR(e[33].value, 3);
        ASSERT_NEAR(e[33].score, 0);
        assert_false(e[33].condition);
        ASSERT_NEAR(f[33].value, 6);
        assert_true(isinf(f[33].score) && f[33].condition);
        free(e);
        free(f);
        policy_free(mixed);
        policy_free(by);

        /* Three Saturdays in the usual days are too few for their own usual:
         * no adjustment, so the Saturday is judged against the mixed usual. */
        by = must_parse("[policy]\nsignal = screen_h\nwindow = 1d\ndetector = baseline\nby_weekday = yes\n"
                   "[baseline]\ndays = 21d\nmin_days = 21\nz = 2\nmin_change = 0.5\n" NUDGE);
        e = replay1(by, d, 35);
        ASSERT_NEAR(e[33].value, 6);
        assert_true(e[33].condition);
        /* Day 34, a Sunday: days 13 .. 33 hold three Sundays, too few again. */
        ASSERT_NEAR(e[34].value, 6);
        free(e);
        policy_free(by);
        free(d);
}

/* The spread of residuals around medians fitted to the same few days is
 * widened by √((1 + π/(2k)) / (1 − 1/k)), k days of each weekday. */
static void test_by_weekday_spread(void **state) {
        DaySignals *d = weeks(29);
        Policy *p = must_parse("[policy]\nsignal = screen_h\nwindow = 1d\ndetector = baseline\nby_weekday = yes\n"
                               "[baseline]\ndays = 28d\nmin_days = 28\n" NUDGE);
        PolicyEval *e;

        (void) state;
        /* Week j adds j/10: each weekday's median is its own + 0.15, the
         * median of those seven medians 3.15, so the effects are 0 (weekdays)
         * and +3 (weekends), and the residuals 3.0, 3.1, 3.2, 3.3 seven
         * times each: m = 3.15, MAD 0.1, k = 4. */
        for (size_t i = 0; i < 29; i++)
                d[i].screen_h += 0.1 * (double) (i / 7);
        e = replay1(p, d, 29);
        ASSERT_NEAR(e[28].baseline, 3.15);
        ASSERT_NEAR(e[28].spread, 0.14826 * sqrt((1 + M_PI / 8) / 0.75));
        ASSERT_NEAR(e[28].value, 3.4);
        free(e);
        policy_free(p);
        free(d);
}

/* CUSUM: each day against its weekday's usual, which {baseline} shows; the
 * usual, weekday effects included, stays frozen while firing. */
static void test_cusum_by_weekday(void **state) {
        DaySignals *d = weeks(42);
        Policy *p = must_parse("[policy]\nsignal = screen_h\ndetector = cusum\nby_weekday = yes\nkeep_firing_for = 7d\n"
                          "[cusum]\ndays = 28d\nmin_days = 28\nmin_spread = 0.5\nk = 0.5\nh = 2\n" NUDGE);
        PolicyEval *e;

        (void) state;
        d[28].screen_h = 4; /* Monday and Tuesday an hour above the usual */
        d[29].screen_h = 4;
        for (size_t i = 30; i < 42; i++)
                d[i].screen_h = i % 7 >= 5 ? 8 : 5; /* then every day two hours more */
        e = replay1(p, d, 42);
        assert_false(e[27].known);
        /* Day 28: z = (4 − 3)/0.5 = 2, S = 1.5; day 29: S = 3 > 2: firing. */
        ASSERT_NEAR(e[28].baseline, 3);
        ASSERT_NEAR(e[28].spread, 0.5);
        ASSERT_NEAR(e[28].score, 1.5);
        ASSERT_NEAR(e[29].score, 3);
        assert_int_equal(e[29].state, POLICY_FIRING);
        assert_true(e[29].nudge);
        /* Days 30 .. 32 are 2 h up (z = 4, clamped to 3), but S stops at
         * 1.5·h = 3. Saturday, day 33, frozen: its usual is 6. */
        ASSERT_NEAR(e[33].baseline, 6);
        ASSERT_NEAR(e[33].spread, 0.5);
        ASSERT_NEAR(e[32].baseline, 3);
        ASSERT_NEAR(e[33].score, 3); /* capped at 1.5·h */
        free(e);
        policy_free(p);
        free(d);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_defaults),
                cmocka_unit_test(test_parse_every_key),
                cmocka_unit_test(test_parse_names),
                cmocka_unit_test(test_parse_durations),
                cmocka_unit_test(test_parse_signal_units),
                cmocka_unit_test(test_parse_count_when),
                cmocka_unit_test(test_parse_errors_lines),
                cmocka_unit_test(test_parse_missing_required),
                cmocka_unit_test(test_parse_composite),
                cmocka_unit_test(test_parse_combinations),
                cmocka_unit_test(test_parse_ini_details),
                cmocka_unit_test(test_threshold),
                cmocka_unit_test(test_direction_down),
                cmocka_unit_test(test_baseline),
                cmocka_unit_test(test_baseline_mad_zero),
                cmocka_unit_test(test_cusum_path),
                cmocka_unit_test(test_cusum_missing),
                cmocka_unit_test(test_trend),
                cmocka_unit_test(test_composite),
                cmocka_unit_test(test_signal_fields),
                cmocka_unit_test(test_for),
                cmocka_unit_test(test_keep_firing_for),
                cmocka_unit_test(test_unknown_days),
                cmocka_unit_test(test_cooldown),
                cmocka_unit_test(test_count_aggregate),
                cmocka_unit_test(test_time_midnight),
                cmocka_unit_test(test_time_day_start),
                cmocka_unit_test(test_checkins),
                cmocka_unit_test(test_disabled_and_args),
                cmocka_unit_test(test_format_units),
                cmocka_unit_test(test_format_usual),
                cmocka_unit_test(test_format_text),
                cmocka_unit_test(test_replay_and_format),
                cmocka_unit_test(test_long_history),
                cmocka_unit_test(test_parse_by_weekday),
                cmocka_unit_test(test_baseline_by_weekday),
                cmocka_unit_test(test_by_weekday_spread),
                cmocka_unit_test(test_cusum_by_weekday),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

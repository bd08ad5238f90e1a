/* Unit tests for the weekly figures. Every expected value is worked out by hand
 * in the comment next to it. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "summary.h"

#define DAY INT64_C(86400)
#define JUN1 INT64_C(1780272000) /* 2026-06-01 as local seconds of 00:00 */

/* cmocka 1.1.5 (Debian 12) has no assert_double_equal. NAN never matches. */
static void check_near(double got, double want, double eps, const char *expr, int line) {
        if (!(fabs(got - want) <= eps))
                fail_msg("line %d: %s = %.17g, expected %.17g (± %g)", line, expr, got, want, eps);
}
#define ASSERT_NEAR_EPS(a, b, eps) check_near((a), (b), (eps), #a, __LINE__)
#define ASSERT_NEAR(a, b) ASSERT_NEAR_EPS((a), (b), 1e-12)
#define ASSERT_NULL_FIGURE(x) assert_true(isnan(x))

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

/* Days with screen_h and the rhythm figures set from one value each. */
static DaySignals day_screen(int k, double screen_h) {
        DaySignals d = day_blank(k);

        d.screen_h = screen_h;
        d.night_ratio = screen_h / 100;
        d.sleep_h = screen_h + 1;
        d.is = screen_h / 10;
        d.iv = screen_h / 5;
        d.ra = screen_h / 20;
        d.l5 = screen_h / 2;
        d.m10 = screen_h * 2;
        return d;
}

static Figures figures(const DaySignals *d, size_t n, const Checkin *c, size_t n_c, int day_start_min,
                       FiguresKind kind) {
        Figures f;

        memset(&f, 0xaa, sizeof(f)); /* every field must be written */
        summary_figures(d, n, c, n_c, 18, day_start_min, kind, &f);
        return f;
}

static void expect_all_null(const Figures *f) {
        ASSERT_NULL_FIGURE(f->screen_h);
        ASSERT_NULL_FIGURE(f->night_ratio);
        ASSERT_NULL_FIGURE(f->sleep_h);
        ASSERT_NULL_FIGURE(f->is);
        ASSERT_NULL_FIGURE(f->iv);
        ASSERT_NULL_FIGURE(f->ra);
        ASSERT_NULL_FIGURE(f->l5);
        ASSERT_NULL_FIGURE(f->m10);
        assert_int_equal(f->first_active, -1);
        assert_int_equal(f->last_active, -1);
        assert_int_equal(f->sleep_onset, -1);
        assert_int_equal(f->sleep_offset, -1);
        assert_int_equal(f->sleep_mid, -1);
        assert_int_equal(f->went_out_days, 0);
        assert_int_equal(f->met_someone_days, 0);
        assert_int_equal(f->checkin_days, 0);
        ASSERT_NULL_FIGURE(f->mood);
}

static void test_empty(void **state) {
        Figures f;

        (void) state;
        f = figures(NULL, 0, NULL, 0, 0, FIGURES_MEAN);
        assert_int_equal(f.days, 0);
        ASSERT_NULL_FIGURE(f.coverage_h);
        expect_all_null(&f);

        f = figures(NULL, 0, NULL, 0, 0, FIGURES_MEDIAN);
        assert_int_equal(f.days, 0);
        expect_all_null(&f);

        /* days whose figures are all null */
        DaySignals d[2] = { day_blank(0), day_blank(1) };
        f = figures(d, 2, NULL, 0, 0, FIGURES_MEDIAN);
        assert_int_equal(f.days, 2);
        ASSERT_NEAR(f.coverage_h, 24);
        expect_all_null(&f);
}

static void test_mean_median_odd(void **state) {
        DaySignals d[3] = { day_screen(0, 9), day_screen(1, 2), day_screen(2, 4) };
        Figures f;

        (void) state;
        /* 2, 4, 9: mean 5, median 4 */
        f = figures(d, 3, NULL, 0, 0, FIGURES_MEAN);
        assert_int_equal(f.days, 3);
        ASSERT_NEAR(f.screen_h, 5);
        ASSERT_NEAR(f.night_ratio, 0.05);
        ASSERT_NEAR(f.sleep_h, 6);
        ASSERT_NEAR(f.is, 0.5);
        ASSERT_NEAR(f.iv, 1);
        ASSERT_NEAR(f.ra, 0.25);
        ASSERT_NEAR(f.l5, 2.5);
        ASSERT_NEAR(f.m10, 10);
        ASSERT_NEAR(f.coverage_h, 24);

        f = figures(d, 3, NULL, 0, 0, FIGURES_MEDIAN);
        assert_int_equal(f.days, 3);
        ASSERT_NEAR(f.screen_h, 4);
        ASSERT_NEAR(f.night_ratio, 0.04);
        ASSERT_NEAR(f.sleep_h, 5);
        ASSERT_NEAR(f.is, 0.4);
        ASSERT_NEAR(f.iv, 0.8);
        ASSERT_NEAR(f.ra, 0.2);
        ASSERT_NEAR(f.l5, 2);
        ASSERT_NEAR(f.m10, 8);
}

static void test_median_even_and_ties(void **state) {
        DaySignals d[4] = { day_screen(0, 9), day_screen(1, 2), day_screen(2, 6), day_screen(3, 4) };
        DaySignals e[4] = { day_screen(0, 3), day_screen(1, 3), day_screen(2, 1), day_screen(3, 3) };
        Figures f;

        (void) state;
        /* 2, 4, 6, 9: the mean of the middle two, 5 */
        f = figures(d, 4, NULL, 0, 0, FIGURES_MEDIAN);
        ASSERT_NEAR(f.screen_h, 5);
        ASSERT_NEAR(f.m10, 10);
        /* mean 21/4 */
        f = figures(d, 4, NULL, 0, 0, FIGURES_MEAN);
        ASSERT_NEAR(f.screen_h, 5.25);

        /* repeated values: 1, 3, 3, 3 → 3 */
        f = figures(e, 4, NULL, 0, 0, FIGURES_MEDIAN);
        ASSERT_NEAR(f.screen_h, 3);

        /* negative and zero values order as numbers: -2, -0.5, 0, 3, 7 → 0;
         * without the 0: (-0.5 + 3)/2 */
        DaySignals g[5] = { day_screen(0, 7), day_screen(1, -0.5), day_screen(2, 3), day_screen(3, -2),
                            day_screen(4, 0) };
        f = figures(g, 5, NULL, 0, 0, FIGURES_MEDIAN);
        ASSERT_NEAR(f.screen_h, 0);
        f = figures(g, 4, NULL, 0, 0, FIGURES_MEDIAN);
        ASSERT_NEAR(f.screen_h, 1.25);
}

static void test_low_coverage_and_nulls(void **state) {
        DaySignals d[5] = { day_screen(0, 2), day_screen(1, 100), day_screen(2, 4), day_screen(3, 6),
                            day_screen(4, 50) };
        Figures f;

        (void) state;
        d[1].coverage_h = 17.9; /* under 18 h: skipped */
        d[4].coverage_h = NAN;  /* no coverage known: skipped */
        d[2].coverage_h = 18;   /* exactly the minimum counts */
        d[3].night_ratio = NAN; /* this figure null on that day */
        d[3].is = NAN;

        f = figures(d, 5, NULL, 0, 0, FIGURES_MEAN);
        assert_int_equal(f.days, 3);
        ASSERT_NEAR(f.screen_h, 4);                /* 2, 4, 6 */
        ASSERT_NEAR(f.coverage_h, (24 + 18 + 24) / 3.0);
        ASSERT_NEAR(f.night_ratio, 0.03);          /* 0.02, 0.04 */
        ASSERT_NEAR(f.is, 0.3);                    /* 0.2, 0.4 */

        f = figures(d, 5, NULL, 0, 0, FIGURES_MEDIAN);
        assert_int_equal(f.days, 3);
        ASSERT_NEAR(f.screen_h, 4);
        ASSERT_NEAR(f.night_ratio, 0.03); /* two values: their mean */
        ASSERT_NEAR(f.coverage_h, 24);

        /* a higher minimum leaves no day */
        summary_figures(d, 5, NULL, 0, 25, 0, FIGURES_MEAN, &f);
        assert_int_equal(f.days, 0);
        ASSERT_NULL_FIGURE(f.screen_h);
        ASSERT_NULL_FIGURE(f.coverage_h);
        expect_all_null(&f);
}

static void test_sleep_times_across_midnight(void **state) {
        DaySignals d[2] = { day_blank(0), day_blank(1) };
        DaySignals e[4] = { day_blank(0), day_blank(1), day_blank(2), day_blank(3) };
        Figures f;

        (void) state;
        /* mid 23:30 and 00:30: as minutes after noon 690 and 750, mean 720 →
         * 00:00, not 12:00. Onsets 22:00 and 01:00: 600 and 780 → 690 → 23:30.
         * Offsets 06:00 and 08:00 → 07:00. */
        d[0].sleep_mid = 23 * 60 + 30;
        d[1].sleep_mid = 30;
        d[0].sleep_onset = 22 * 60;
        d[1].sleep_onset = 60;
        d[0].sleep_offset = 6 * 60;
        d[1].sleep_offset = 8 * 60;
        f = figures(d, 2, NULL, 0, 0, FIGURES_MEAN);
        assert_int_equal(f.sleep_mid, 0);
        assert_int_equal(f.sleep_onset, 23 * 60 + 30);
        assert_int_equal(f.sleep_offset, 7 * 60);
        f = figures(d, 2, NULL, 0, 0, FIGURES_MEDIAN);
        assert_int_equal(f.sleep_mid, 0);
        assert_int_equal(f.sleep_onset, 23 * 60 + 30);

        /* The sleep window ends at noon, so an offset may be 12:00 itself:
         * 11:00 and 12:00 average to 11:30 (not 23:30). */
        d[0].sleep_offset = 11 * 60;
        d[1].sleep_offset = 12 * 60;
        f = figures(d, 2, NULL, 0, 0, FIGURES_MEAN);
        assert_int_equal(f.sleep_offset, 11 * 60 + 30);

        /* Median of onsets 23:00, 01:00, 00:30, 02:00 (after noon: 660, 780, 750,
         * 840): the middle two 750 and 780 → 765 → 00:45. Mean: 3030/4 = 757.5,
         * rounded half up to 758 → 00:38. A null onset is skipped. */
        e[0].sleep_onset = 23 * 60;
        e[1].sleep_onset = 60;
        e[2].sleep_onset = 30;
        e[3].sleep_onset = 2 * 60;
        f = figures(e, 4, NULL, 0, 0, FIGURES_MEDIAN);
        assert_int_equal(f.sleep_onset, 45);
        f = figures(e, 4, NULL, 0, 0, FIGURES_MEAN);
        assert_int_equal(f.sleep_onset, 38);
        e[3].sleep_onset = -1;
        /* 660, 780, 750: median 750 → 00:30 */
        f = figures(e, 4, NULL, 0, 0, FIGURES_MEDIAN);
        assert_int_equal(f.sleep_onset, 30);
        assert_int_equal(f.sleep_mid, -1);
}

static void test_active_times_day_start(void **state) {
        DaySignals d[2] = { day_blank(0), day_blank(1) };
        Figures f;

        (void) state;
        /* With the day starting at 04:00, a last activity at 23:00 and at 01:00
         * are 1140 and 1260 minutes into the day: mean 1200 → 00:00. First
         * activity at 05:00 and 07:00 → 06:00. */
        d[0].last_active = 23 * 60;
        d[1].last_active = 60;
        d[0].first_active = 5 * 60;
        d[1].first_active = 7 * 60;
        f = figures(d, 2, NULL, 0, 4 * 60, FIGURES_MEAN);
        assert_int_equal(f.last_active, 0);
        assert_int_equal(f.first_active, 6 * 60);
        f = figures(d, 2, NULL, 0, 4 * 60, FIGURES_MEDIAN);
        assert_int_equal(f.last_active, 0);

        /* The same with a day from 00:00: 23:00 and 01:00 average to 12:00, which
         * is why the day start matters. */
        f = figures(d, 2, NULL, 0, 0, FIGURES_MEAN);
        assert_int_equal(f.last_active, 12 * 60);

        /* A first activity at 03:30 with the day starting at 04:00 is late at
         * night (1410 into the day); with 05:00: 1410 and 60 → 735 → 16:15. */
        d[0].first_active = 3 * 60 + 30;
        d[1].first_active = 5 * 60;
        f = figures(d, 2, NULL, 0, 4 * 60, FIGURES_MEAN);
        assert_int_equal(f.first_active, 16 * 60 + 15);

        /* out-of-range day start is taken modulo a day */
        f = figures(d, 2, NULL, 0, 4 * 60 + 1440, FIGURES_MEAN);
        assert_int_equal(f.first_active, 16 * 60 + 15);
}

static void test_checkins(void **state) {
        DaySignals d[4] = { day_blank(0), day_blank(1), day_blank(2), day_blank(3) };
        /* unsorted, one date outside d, one entry with nothing answered */
        Checkin c[] = {
                { .date = JUN1 + 2 * DAY, .went_out = 1, .met_someone = 0, .mood = 2 },
                { .date = JUN1 + 9 * DAY, .went_out = 1, .met_someone = 1, .mood = 5 }, /* not in d */
                { .date = JUN1, .went_out = 1, .met_someone = 1, .mood = 4 },
                { .date = JUN1 + 3 * DAY, .went_out = -1, .met_someone = -1, .mood = -1 },
                { .date = JUN1 + DAY, .went_out = 0, .met_someone = -1, .mood = 5 },
        };
        Figures f;

        (void) state;
        d[1].coverage_h = 3; /* low coverage: the check-in still counts */
        f = figures(d, 4, c, sizeof(c) / sizeof(c[0]), 0, FIGURES_MEAN);
        assert_int_equal(f.days, 3);
        assert_int_equal(f.went_out_days, 2);    /* Jun 1, Jun 3 */
        assert_int_equal(f.met_someone_days, 1); /* Jun 1 */
        assert_int_equal(f.checkin_days, 3);     /* Jun 1, 2, 3; Jun 4 answered nothing */
        ASSERT_NEAR(f.mood, 11.0 / 3.0);         /* 4, 5, 2 */

        f = figures(d, 4, c, sizeof(c) / sizeof(c[0]), 0, FIGURES_MEDIAN);
        assert_int_equal(f.went_out_days, 2);
        assert_int_equal(f.checkin_days, 3);
        ASSERT_NEAR(f.mood, 4); /* 2, 4, 5 */

        /* Even count: moods 4, 5, 2, 3 → median (3 + 4)/2 */
        c[3].mood = 3;
        f = figures(d, 4, c, sizeof(c) / sizeof(c[0]), 0, FIGURES_MEDIAN);
        ASSERT_NEAR(f.mood, 3.5);
        assert_int_equal(f.checkin_days, 4);
        f = figures(d, 4, c, sizeof(c) / sizeof(c[0]), 0, FIGURES_MEAN);
        ASSERT_NEAR(f.mood, 3.5);

        /* out-of-range answers are not answers */
        Checkin bad[] = { { .date = JUN1, .went_out = 2, .met_someone = 7, .mood = 6 } };
        f = figures(d, 4, bad, 1, 0, FIGURES_MEAN);
        assert_int_equal(f.went_out_days, 0);
        assert_int_equal(f.met_someone_days, 0);
        assert_int_equal(f.checkin_days, 0);
        ASSERT_NULL_FIGURE(f.mood);
}

static void test_checkin_repeated_date(void **state) {
        DaySignals d[1] = { day_blank(0) };
        Checkin c[] = {
                { .date = JUN1, .went_out = 1, .met_someone = 1, .mood = 1 },
                { .date = JUN1, .went_out = 0, .met_someone = -1, .mood = 3 },
        };
        Figures f;

        (void) state;
        /* the last entry for a date wins; the day counts once */
        f = figures(d, 1, c, 2, 0, FIGURES_MEAN);
        assert_int_equal(f.checkin_days, 1);
        assert_int_equal(f.went_out_days, 0);
        assert_int_equal(f.met_someone_days, 0);
        ASSERT_NEAR(f.mood, 3);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_mean_median_odd),
                cmocka_unit_test(test_median_even_and_ties),
                cmocka_unit_test(test_low_coverage_and_nulls),
                cmocka_unit_test(test_sleep_times_across_midnight),
                cmocka_unit_test(test_active_times_day_start),
                cmocka_unit_test(test_checkins),
                cmocka_unit_test(test_checkin_repeated_date),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for the digest's trend and headline (lib/digest-trend.c): the
 * usual range on hand-made baselines (worked out in the comments), the floors,
 * the bar, the order, the minimum days; and the bundled sample's 2026-W13,
 * whose largest change against the person's usual variation is the rest
 * window's middle, 3 h 34 min later (tests/fixtures/sample-history.csv, read
 * here into hourly buckets and through signals_days() as kizukid does). */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "calendar.h"
#include "digest-trend.h"
#include "signals.h"
#include "summary.h"

#define DAY INT64_C(86400)
#define N_DAYS (DIGEST_TREND_WEEKS * 7)
#define D2026_01_05 (INT64_C(20458) * DAY) /* a Monday: 2026-W02 */
#define BASE (N_DAYS - 7 - DIGEST_BASELINE_DAYS) /* index of the first baseline day */
#define WEEK (N_DAYS - 7)                        /* index of the digest week's Monday */

/* cmocka 1.1.5 (Debian 12) has no assert_double_equal. NAN never matches. */
static void check_near(double got, double want, double eps, const char *expr, int line) {
        if (!(fabs(got - want) <= eps))
                fail_msg("line %d: %s = %.17g, expected %.17g (± %g)", line, expr, got, want, eps);
}
#define assert_near(a, b, eps) check_near((a), (b), (eps), #a, __LINE__)

/* 12 weeks from 2026-W02, nothing observed. */
static void empty_days(DaySignals d[N_DAYS]) {
        for (size_t i = 0; i < N_DAYS; i++)
                d[i] = (DaySignals) { .date = D2026_01_05 + (int64_t) i * DAY, .screen_h = NAN, .night_ratio = NAN,
                                      .first_active = -1, .last_active = -1, .sleep_onset = -1, .sleep_offset = -1,
                                      .sleep_mid = -1, .sleep_h = NAN, .up = NAN, .down = NAN, .sri = NAN,
                                      .social_jet_lag_h = NAN, .is = NAN, .iv = NAN, .ra = NAN, .l5 = NAN,
                                      .m10 = NAN };
}

static void observed(DaySignals *d, double screen, double night, int mid, double sleep, double sri) {
        d->coverage_h = 24;
        d->screen_h = screen;
        d->night_ratio = night;
        d->sleep_mid = mid;
        d->sleep_h = sleep;
        d->sri = sri;
}

/* Baseline: screen 6, 7, 8, 9 h (7 days each); night share 0; rest window
 * middle 23:30, 00:00, 00:30 (9, 10, 9 days); length 8 h; SRI 80. The week:
 * 10 h, 29 %, 02:00, 8.2 h, 80. */
static void hand_made(DaySignals d[N_DAYS]) {
        static const int mids[3] = { 1410, 0, 30 };
        empty_days(d);
        for (size_t i = 0; i < DIGEST_BASELINE_DAYS; i++)
                observed(&d[BASE + i], 6 + (double) (i % 4), 0, mids[i < 9 ? 0 : i < 19 ? 1 : 2], 8, 80);
        for (size_t i = 0; i < 7; i++)
                observed(&d[WEEK + i], 10, 0.29, 120, 8.2, 80);
}

static void test_usual_range(void **state) {
        DaySignals d[N_DAYS];
        DigestTrend t;
        (void) state;

        hand_made(d);
        assert_int_equal(digest_trend(d, N_DAYS, 18, 0, &t), 0);
        /* Screen, sorted: 6×7, 7×7, 8×7, 9×7. Median (x13 + x14)/2 = 7.5;
         * p25 at 27·0.25 = 6.75: x6 + 0.75·(x7 − x6) = 6.75; p75 at 20.25: 8.25. */
        const TrendUsual *u = &t.usual[TREND_SCREEN_H];
        assert_int_equal(u->days, 28);
        assert_near(u->median, 7.5, 1e-12);
        assert_near(u->low, 6.75, 1e-12);
        assert_near(u->high, 8.25, 1e-12);
        /* Day to day it goes 6, 7, 8, 9, 6, …: 21 steps of 1 h and 6 of 3 h;
         * the median step 1 h, σ = 1.4826 · 1 / √2. */
        assert_near(u->spread, 1.4826 / M_SQRT2, 1e-12);
        /* The middle passes midnight: minutes after noon 690×9, 720×10, 750×9;
         * median 720 (00:00), p25 690 (23:30), p75 750 (00:30): low > high. */
        u = &t.usual[TREND_SLEEP_MID];
        assert_near(u->median, 0, 0);
        assert_near(u->low, 1410, 0);
        assert_near(u->high, 30, 0);
        /* It changes on two days only: the median step is 0. */
        assert_near(u->spread, 0, 0);
        assert_near(t.usual[TREND_SLEEP_H].spread, 0, 0);

        /* The usual median is the baseline's median, to the bit. */
        Figures base;
        summary_figures(d + BASE, DIGEST_BASELINE_DAYS, NULL, 0, 18, 0, FIGURES_MEDIAN, &base);
        for (int s = 0; s < _TREND_SIGNAL_MAX; s++)
                assert_true(trend_figure_value(&base, (TrendSignal) s) == t.usual[s].median);

        /* Weeks: Mondays from 2026-01-05; the empty ones null; the last is the
         * digest's mean. */
        for (size_t w = 0; w < DIGEST_TREND_WEEKS; w++)
                assert_int_equal(t.weeks[w].monday, D2026_01_05 + (int64_t) w * 7 * DAY);
        assert_int_equal(t.weeks[0].mean.days, 0);
        assert_true(isnan(t.weeks[0].mean.screen_h));
        assert_int_equal(t.weeks[0].mean.sleep_mid, -1);
        Figures mean;
        summary_figures(d + WEEK, 7, NULL, 0, 18, 0, FIGURES_MEAN, &mean);
        assert_memory_equal(&mean, &t.weeks[DIGEST_TREND_WEEKS - 1].mean, sizeof mean);
        assert_int_equal(t.weeks[DIGEST_TREND_WEEKS - 1].mean.sleep_mid, 120);

        assert_int_equal(digest_trend(d, N_DAYS - 1, 18, 0, &t), -EINVAL);
        assert_int_equal(digest_trend(NULL, N_DAYS, 18, 0, &t), -EINVAL);
}

static void test_headline_order_and_floors(void **state) {
        DaySignals d[N_DAYS];
        DigestTrend t;
        HeadlineEntry h[DIGEST_HEADLINE_MAX];
        (void) state;

        hand_made(d);
        assert_int_equal(digest_trend(d, N_DAYS, 18, 0, &t), 0);
        /* Night share: spread 0, floor 5 pp: 0.29 / 0.05 = 5.8. Middle: +120 min
         * over the 30 min floor: 4. Screen: +2.5 h over 1.048 h: 2.38, third,
         * left out. Length: +0.2 h over the 0.5 h floor: 0.4, under the bar.
         * SRI unchanged. */
        assert_int_equal(digest_headline_pick(&t, h), 2);
        assert_int_equal(h[0].signal, TREND_NIGHT_RATIO);
        assert_near(h[0].score, 5.8, 1e-9);
        assert_near(h[0].change, 0.29, 1e-12);
        assert_int_equal(h[1].signal, TREND_SLEEP_MID);
        assert_near(h[1].change, 120, 0);
        assert_near(h[1].value, 120, 0);
        assert_near(h[1].usual, 0, 0);
        assert_near(h[1].score, 4, 1e-12);

        /* Without those two, the screen time is the headline, alone. */
        for (size_t i = 0; i < 7; i++) {
                d[WEEK + i].night_ratio = 0.01;
                d[WEEK + i].sleep_mid = 1430; /* 23:50: 10 min earlier than usual */
        }
        assert_int_equal(digest_trend(d, N_DAYS, 18, 0, &t), 0);
        assert_int_equal(digest_headline_pick(&t, h), 1);
        assert_int_equal(h[0].signal, TREND_SCREEN_H);
        assert_near(h[0].change, 2.5, 1e-12);
        assert_near(h[0].score, 2.5 / (1.4826 / M_SQRT2), 1e-9);

        /* A spread of 0 does not make a trivial change huge: 8 → 7.4 h is 1.2
         * floors, not headlined; 8 → 7.2 h is 1.6, headlined. */
        for (size_t i = 0; i < 7; i++) {
                d[WEEK + i].screen_h = 7.5;
                d[WEEK + i].sleep_h = 7.4;
        }
        assert_int_equal(digest_trend(d, N_DAYS, 18, 0, &t), 0);
        assert_int_equal(digest_headline_pick(&t, h), 0);
        for (size_t i = 0; i < 7; i++)
                d[WEEK + i].sleep_h = 7.2;
        assert_int_equal(digest_trend(d, N_DAYS, 18, 0, &t), 0);
        assert_int_equal(digest_headline_pick(&t, h), 1);
        assert_int_equal(h[0].signal, TREND_SLEEP_H);
        assert_near(h[0].change, -0.8, 1e-12);
        assert_near(h[0].score, 1.6, 1e-9);
}

static void test_headline_needs_data(void **state) {
        DaySignals d[N_DAYS];
        DigestTrend t;
        HeadlineEntry h[DIGEST_HEADLINE_MAX];
        (void) state;

        /* 3 days of the week observed: no headline, though the change is large. */
        hand_made(d);
        for (size_t i = 3; i < 7; i++)
                d[WEEK + i].coverage_h = 10;
        assert_int_equal(digest_trend(d, N_DAYS, 18, 0, &t), 0);
        assert_int_equal(t.weeks[DIGEST_TREND_WEEKS - 1].mean.days, 3);
        assert_int_equal(digest_headline_pick(&t, h), 0);
        /* 4 days: enough. */
        d[WEEK + 3].coverage_h = 18;
        assert_int_equal(digest_trend(d, N_DAYS, 18, 0, &t), 0);
        assert_int_equal(digest_headline_pick(&t, h), 2);

        /* 13 baseline days with a value: no usual range, no headline. */
        hand_made(d);
        for (size_t i = 13; i < DIGEST_BASELINE_DAYS; i++)
                d[BASE + i].coverage_h = 0;
        assert_int_equal(digest_trend(d, N_DAYS, 18, 0, &t), 0);
        assert_int_equal(t.usual[TREND_SCREEN_H].days, 13);
        assert_true(isnan(t.usual[TREND_SCREEN_H].median) && isnan(t.usual[TREND_SCREEN_H].low) &&
                    isnan(t.usual[TREND_SCREEN_H].high) && isnan(t.usual[TREND_SCREEN_H].spread));
        assert_int_equal(digest_headline_pick(&t, h), 0);
        d[BASE + 13].coverage_h = 24;
        assert_int_equal(digest_trend(d, N_DAYS, 18, 0, &t), 0);
        assert_int_equal(t.usual[TREND_SCREEN_H].days, 14);
        assert_false(isnan(t.usual[TREND_SCREEN_H].median));

        /* Every other baseline day: a usual range, but no two neighbouring
         * days, so no day-to-day spread, and no headline. */
        hand_made(d);
        for (size_t i = 1; i < DIGEST_BASELINE_DAYS; i += 2)
                d[BASE + i].coverage_h = 0;
        assert_int_equal(digest_trend(d, N_DAYS, 18, 0, &t), 0);
        assert_int_equal(t.usual[TREND_SCREEN_H].days, 14);
        assert_false(isnan(t.usual[TREND_SCREEN_H].median));
        assert_true(isnan(t.usual[TREND_SCREEN_H].spread));
        assert_int_equal(digest_headline_pick(&t, h), 0);
}

static void test_names(void **state) {
        (void) state;
        for (int s = 0; s < _TREND_SIGNAL_MAX; s++)
                assert_int_equal(trend_signal_from_string(trend_signal_to_string((TrendSignal) s)), s);
        assert_string_equal(trend_signal_to_string(TREND_SLEEP_MID), "sleep_mid");
        assert_null(trend_signal_to_string(_TREND_SIGNAL_MAX));
        assert_int_equal(trend_signal_from_string("sleep_onset"), -EINVAL);
        assert_int_equal(trend_signal_from_string(NULL), -EINVAL);
        assert_near(trend_spread_floor(TREND_SLEEP_MID), 30, 0);
        assert_true(isnan(trend_spread_floor(_TREND_SIGNAL_MAX)));
}

/* --- The bundled sample ------------------------------------------------- */

/* "2026-01-05T08:23:00+09:00" → UTC seconds and the offset. */
static int parse_instant(const char *s, int64_t *ret, int32_t *ret_off) {
        char date[11], sign;
        int h, m, sec, oh, om;
        int64_t day;
        if (sscanf(s, "%10[0-9-]T%2d:%2d:%2d%c%2d:%2d", date, &h, &m, &sec, &sign, &oh, &om) != 7 ||
            (sign != '+' && sign != '-') || parse_date(date, &day) < 0)
                return -EINVAL;
        *ret_off = (int32_t) ((sign == '-' ? -1 : 1) * (oh * 3600 + om * 60));
        *ret = day + h * 3600 + m * 60 + sec - *ret_off;
        return 0;
}

/* The sample's rows (start,end,state, one offset, no overlaps) as hourly
 * buckets: every second of a row observed, active ones active. */
static AcctBucket *sample_buckets(size_t *ret_n) {
        FILE *f = fopen(KIZUKI_SAMPLE, "r");
        char line[160], a[40], b[40], state[16];
        AcctBucket *v = NULL;
        int64_t first = 0;
        size_t n = 0;

        assert_non_null(f);
        assert_non_null(fgets(line, sizeof line, f)); /* the header */
        while (fgets(line, sizeof line, f)) {
                int64_t s, e;
                int32_t off, off_e;
                assert_int_equal(sscanf(line, "%39[^,],%39[^,],%15s", a, b, state), 3);
                assert_int_equal(parse_instant(a, &s, &off), 0);
                assert_int_equal(parse_instant(b, &e, &off_e), 0);
                assert_int_equal(off, off_e);
                if (!v)
                        first = floor_div(s, 3600) * 3600;
                for (int64_t t = s; t < e;) {
                        int64_t hour = floor_div(t, 3600) * 3600, end = hour + 3600 < e ? hour + 3600 : e;
                        size_t k = (size_t) ((hour - first) / 3600);
                        if (k >= n) {
                                v = realloc(v, (k + 1) * sizeof *v);
                                assert_non_null(v);
                                for (; n <= k; n++)
                                        v[n] = (AcctBucket) { first + (int64_t) n * 3600, off, 0, 0 };
                        }
                        v[k].observed_s += (int32_t) (end - t);
                        if (strcmp(state, "active") == 0)
                                v[k].active_s += (int32_t) (end - t);
                        t = end;
                }
        }
        fclose(f);
        *ret_n = n;
        return v;
}

static void test_sample_w13(void **state) {
        const SignalsConfig cfg = { .day_start_min = 0, .night_start_min = 0, .night_end_min = 360 };
        const int64_t w13 = INT64_C(20535) * DAY; /* Monday 2026-03-23 */
        HeadlineEntry h[DIGEST_HEADLINE_MAX];
        DaySignals *d = NULL;
        DigestTrend t;
        size_t nb, nd;
        (void) state;

        AcctBucket *b = sample_buckets(&nb);
        assert_int_equal(signals_days(b, nb, &cfg, w13 - 77 * DAY, w13 + 6 * DAY, &d, &nd), 0);
        assert_int_equal(nd, N_DAYS);
        assert_int_equal(digest_trend(d, nd, 18, 0, &t), 0);
        /* 2026-W02 is the sample's first week, W13 the digest's. */
        assert_int_equal(t.weeks[0].monday, D2026_01_05);
        assert_int_equal(t.weeks[DIGEST_TREND_WEEKS - 1].monday, w13);
        for (size_t w = 0; w < DIGEST_TREND_WEEKS; w++)
                assert_int_equal(t.weeks[w].mean.days, 7);
        /* What the W13 digest shows: mean middle 07:34, baseline 04:00. */
        assert_int_equal(t.weeks[DIGEST_TREND_WEEKS - 1].mean.sleep_mid, 7 * 60 + 34);
        assert_near(t.usual[TREND_SLEEP_MID].median, 4 * 60, 0);

        /* The headline names the rest window's middle first: 3 h 34 min later. */
        size_t m = digest_headline_pick(&t, h);
        assert_true(m >= 1);
        assert_int_equal(h[0].signal, TREND_SLEEP_MID);
        assert_near(h[0].change, 214, 0);
        assert_true(h[0].score > 5);
        for (size_t i = 1; i < m; i++)
                assert_true(h[i].score <= h[i - 1].score && h[i].signal != TREND_SLEEP_MID);
        print_message("sample W13: %zu headline(s):", m);
        for (size_t i = 0; i < m; i++)
                print_message(" %s %+.2f score %.2f;", trend_signal_to_string(h[i].signal), h[i].change, h[i].score);
        print_message("\n");
        free(d);
        free(b);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_usual_range),
                cmocka_unit_test(test_headline_order_and_floors),
                cmocka_unit_test(test_headline_needs_data),
                cmocka_unit_test(test_names),
                cmocka_unit_test(test_sample_w13),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Unit tests for the daily signals. Expected figures are worked out by hand in
 * the comments next to them, or, for the rhythm figures on irregular data, by a
 * direct textbook computation over the test's own list of hours (ref_rhythm). */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "signals.h"

#define H INT64_C(3600)
#define DAY INT64_C(86400)

/* Dates as local seconds of 00:00 */
#define MAY31 INT64_C(1780185600)
#define JUN1 INT64_C(1780272000)
#define MAR28 INT64_C(1774656000)
#define MAR29 INT64_C(1774742400)
#define OCT19 INT64_C(1792368000)
#define OCT25 INT64_C(1792886400)
#define DEC31_1969 INT64_C(-86400)

/* EU 2026: CET (+01:00), CEST (+02:00) from 2026-03-29 01:00 UTC to 2026-10-25 01:00 UTC */
#define SPRING_CHANGE INT64_C(1774746000)
#define AUTUMN_CHANGE INT64_C(1792890000)

static int32_t off_eu(int64_t t) {
        return t >= SPRING_CHANGE && t < AUTUMN_CHANGE ? 7200 : 3600;
}

/* cmocka 1.1.5 (Debian 12) has no assert_double_equal. NAN never matches. */
static void check_near(double got, double want, double eps, const char *expr, int line) {
        if (!(fabs(got - want) <= eps))
                fail_msg("line %d: %s = %.17g, expected %.17g (± %g)", line, expr, got, want, eps);
}
#define ASSERT_NEAR_EPS(a, b, eps) check_near((a), (b), (eps), #a, __LINE__)
#define ASSERT_NEAR(a, b) ASSERT_NEAR_EPS((a), (b), 1e-9)
#define ASSERT_NULL_FIGURE(x) assert_true(isnan(x))

static const SignalsConfig CFG_DEFAULT = { .day_start_min = 0, .night_start_min = 0, .night_end_min = 360 };

/* ---- building timelines ---- */

#define TL_MAX (24 * 40)

typedef struct Timeline {
        AcctBucket b[TL_MAX];
        size_t n;
} Timeline;

static Timeline *tl_new(void) {
        Timeline *t = calloc(1, sizeof(Timeline));

        assert_non_null(t);
        return t;
}

/* Appends the bucket starting at UTC second start. */
static void tl_add_utc(Timeline *t, int64_t start, int32_t off, int32_t active, int32_t observed) {
        assert_true(t->n < TL_MAX);
        if (t->n > 0)
                assert_true(t->b[t->n - 1].start < start);
        t->b[t->n++] = (AcctBucket) { .start = start, .utc_offset = off, .active_s = active, .observed_s = observed };
}

/* Appends the bucket for the local hour starting at local seconds `local`. */
static void tl_add(Timeline *t, int64_t local, int32_t off, int32_t active, int32_t observed) {
        tl_add_utc(t, local - off, off, active, observed);
}

/* Appends a fully observed local day with these active seconds per hour. */
static void tl_add_day(Timeline *t, int64_t date, int32_t off, const int32_t active[24]) {
        for (int h = 0; h < 24; h++)
                tl_add(t, date + h * H, off, active[h], 3600);
}

static DaySignals one_day(const Timeline *t, const SignalsConfig *cfg, int64_t date) {
        DaySignals *d = NULL, ret;
        size_t n = 0;

        assert_int_equal(signals_days(t->b, t->n, cfg, date, date, &d, &n), 0);
        assert_int_equal(n, 1);
        assert_non_null(d);
        assert_true(d[0].date == date);
        ret = d[0];
        free(d);
        return ret;
}

/* Active 09:00–17:00: the eight hours 09..16 fully active. */
static const int32_t OFFICE_DAY[24] = { [9] = 3600, [10] = 3600, [11] = 3600, [12] = 3600,
                                        [13] = 3600, [14] = 3600, [15] = 3600, [16] = 3600 };

static void expect_rhythm_null(const DaySignals *d) {
        ASSERT_NULL_FIGURE(d->is);
        ASSERT_NULL_FIGURE(d->iv);
        ASSERT_NULL_FIGURE(d->ra);
        ASSERT_NULL_FIGURE(d->l5);
        ASSERT_NULL_FIGURE(d->m10);
        assert_int_equal(d->l5_onset, -1);
        assert_int_equal(d->m10_onset, -1);
}

static void expect_sleep_null(const DaySignals *d) {
        assert_int_equal(d->sleep_onset, -1);
        assert_int_equal(d->sleep_offset, -1);
        assert_int_equal(d->sleep_mid, -1);
        ASSERT_NULL_FIGURE(d->sleep_h);
}

/* The office day alone: the figures of test_regular_day, whatever the offset. */
static void expect_office_day(const DaySignals *d) {
        ASSERT_NEAR(d->screen_h, 8);
        ASSERT_NEAR(d->coverage_h, 24);
        assert_int_equal(d->first_active, 9 * 60);
        assert_int_equal(d->last_active, 16 * 60); /* the local start of the last active hour */
        ASSERT_NEAR(d->night_ratio, 0);             /* nothing active 00:00–06:00 */
        /* Only D's morning is in the noon-to-noon window: quiet 00:00–09:00. */
        assert_int_equal(d->sleep_onset, 0);
        assert_int_equal(d->sleep_offset, 9 * 60);
        ASSERT_NEAR(d->sleep_h, 9);
        assert_int_equal(d->sleep_mid, 4 * 60 + 30);
        expect_rhythm_null(d); /* one day with data */
}

/* ---- the independent reference for the rhythm figures ---- */

/* One valid hour, in real-time order: its hour of day, its value (active minutes
 * per hour) and whether it directly follows the previous entry in real time. */
typedef struct RefHour {
        int hod;
        double x;
        bool follows;
} RefHour;

typedef struct RefRhythm {
        double is, iv, l5, m10;
        int l5_onset, m10_onset;
} RefRhythm;

/* The textbook formulas (van Someren 1999, population form), written out plainly. */
static RefRhythm ref_rhythm(const RefHour *r, size_t n) {
        RefRhythm out = { NAN, NAN, NAN, NAN, -1, -1 };
        double mean = 0, var_total = 0, var_hours = 0, diffs = 0, hmean[24] = { 0 };
        int hcount[24] = { 0 }, p = 0, pairs = 0;

        for (size_t i = 0; i < n; i++)
                mean += r[i].x;
        mean /= (double) n;
        for (size_t i = 0; i < n; i++) {
                var_total += (r[i].x - mean) * (r[i].x - mean);
                hmean[r[i].hod] += r[i].x;
                hcount[r[i].hod]++;
                if (i > 0 && r[i].follows) {
                        diffs += (r[i].x - r[i - 1].x) * (r[i].x - r[i - 1].x);
                        pairs++;
                }
        }
        for (int h = 0; h < 24; h++)
                if (hcount[h] > 0) {
                        hmean[h] /= hcount[h];
                        var_hours += (hmean[h] - mean) * (hmean[h] - mean);
                        p++;
                }
        out.is = (double) n * var_hours / (p * var_total);
        out.iv = (double) n * diffs / (pairs * var_total);

        for (int h = 0; h < 24; h++) {
                double s5 = 0, s10 = 0;
                int k5 = 0, k10 = 0;

                for (int k = 0; k < 10; k++) {
                        int hh = (h + k) % 24;

                        if (hcount[hh] == 0)
                                continue;
                        if (k < 5) {
                                s5 += hmean[hh];
                                k5++;
                        }
                        s10 += hmean[hh];
                        k10++;
                }
                if (k5 == 5 && (out.l5_onset < 0 || s5 / 5 < out.l5)) {
                        out.l5 = s5 / 5;
                        out.l5_onset = h * 60;
                }
                if (k10 == 10 && (out.m10_onset < 0 || s10 / 10 > out.m10)) {
                        out.m10 = s10 / 10;
                        out.m10_onset = h * 60;
                }
        }
        return out;
}

static void expect_rhythm_ref(const DaySignals *d, const RefHour *r, size_t n) {
        RefRhythm ref = ref_rhythm(r, n);

        ASSERT_NEAR_EPS(d->is, ref.is, 1e-12);
        ASSERT_NEAR_EPS(d->iv, ref.iv, 1e-12);
        ASSERT_NEAR_EPS(d->l5, ref.l5, 1e-12);
        ASSERT_NEAR_EPS(d->m10, ref.m10, 1e-12);
        assert_int_equal(d->l5_onset, ref.l5_onset);
        assert_int_equal(d->m10_onset, ref.m10_onset);
        ASSERT_NEAR_EPS(d->ra, (ref.m10 - ref.l5) / (ref.m10 + ref.l5), 1e-12);
}

/* ---- per-day figures ---- */

static void test_regular_day(void **state) {
        Timeline *t = tl_new();
        DaySignals d;

        (void) state;
        tl_add_day(t, JUN1, 0, OFFICE_DAY);
        d = one_day(t, &CFG_DEFAULT, JUN1);
        expect_office_day(&d);
        free(t);
}

static void test_empty(void **state) {
        DaySignals *d = NULL;
        size_t n = 0;

        (void) state;
        assert_int_equal(signals_days(NULL, 0, &CFG_DEFAULT, JUN1, JUN1 + DAY, &d, &n), 0);
        assert_int_equal(n, 2);
        for (size_t i = 0; i < n; i++) {
                assert_true(d[i].date == JUN1 + (int64_t) i * DAY);
                ASSERT_NEAR(d[i].screen_h, 0);
                ASSERT_NEAR(d[i].coverage_h, 0);
                ASSERT_NULL_FIGURE(d[i].night_ratio);
                assert_int_equal(d[i].first_active, -1);
                assert_int_equal(d[i].last_active, -1);
                expect_sleep_null(&d[i]);
                expect_rhythm_null(&d[i]);
        }
        free(d);
}

static void test_missing_hours(void **state) {
        Timeline *t = tl_new();
        DaySignals d;

        (void) state;
        /* The office day without 03:00, 04:00 and 12:00. */
        for (int h = 0; h < 24; h++)
                if (h != 3 && h != 4 && h != 12)
                        tl_add(t, JUN1 + h * H, 0, OFFICE_DAY[h], 3600);
        d = one_day(t, &CFG_DEFAULT, JUN1);
        ASSERT_NEAR(d.screen_h, 7);
        ASSERT_NEAR(d.coverage_h, 21);
        assert_int_equal(d.first_active, 9 * 60);
        assert_int_equal(d.last_active, 16 * 60);
        /* Quiet runs 00–03 (3 h) and 05–09 (4 h): the gap breaks the night. */
        assert_int_equal(d.sleep_onset, 5 * 60);
        assert_int_equal(d.sleep_offset, 9 * 60);
        ASSERT_NEAR(d.sleep_h, 4);
        assert_int_equal(d.sleep_mid, 7 * 60);

        /* The next day has no buckets; its night is Jun 1 17:00–24:00. */
        d = one_day(t, &CFG_DEFAULT, JUN1 + DAY);
        ASSERT_NEAR(d.screen_h, 0);
        ASSERT_NEAR(d.coverage_h, 0);
        ASSERT_NULL_FIGURE(d.night_ratio);
        assert_int_equal(d.first_active, -1);
        assert_int_equal(d.last_active, -1);
        assert_int_equal(d.sleep_onset, 17 * 60);
        assert_int_equal(d.sleep_offset, 0);
        ASSERT_NEAR(d.sleep_h, 7);
        free(t);
}

static void test_partial_hours(void **state) {
        Timeline *t = tl_new();
        DaySignals d;

        (void) state;
        for (int h = 0; h < 24; h++) {
                int32_t active = OFFICE_DAY[h], observed = 3600;

                if (h == 2)
                        observed = 1800; /* just valid */
                if (h == 5)
                        observed = 1799; /* just invalid: breaks the quiet run */
                if (h == 20) {
                        observed = 1700; /* invalid, but its active time is real */
                        active = 600;
                }
                tl_add(t, JUN1 + h * H, 0, active, observed);
        }
        d = one_day(t, &CFG_DEFAULT, JUN1);
        ASSERT_NEAR(d.screen_h, (8 * 3600 + 600) / 3600.0);
        ASSERT_NEAR(d.coverage_h, (21 * 3600 + 1800 + 1799 + 1700) / 3600.0);
        assert_int_equal(d.first_active, 9 * 60);
        assert_int_equal(d.last_active, 20 * 60); /* >= 5 active minutes counts, valid or not */
        /* Quiet valid hours 00–05 (5 h, with the half-observed 02:00) and 06–09 (3 h). */
        assert_int_equal(d.sleep_onset, 0);
        assert_int_equal(d.sleep_offset, 5 * 60);
        ASSERT_NEAR(d.sleep_h, 5);
        assert_int_equal(d.sleep_mid, 2 * 60 + 30);
        free(t);
}

static void test_first_last_threshold(void **state) {
        Timeline *t = tl_new();
        DaySignals d;

        (void) state;
        for (int h = 0; h < 24; h++) {
                int32_t active = 0;

                if (h == 7 || h == 22)
                        active = 299; /* under 5 minutes */
                if (h == 8 || h == 21)
                        active = 300; /* exactly 5 minutes */
                tl_add(t, JUN1 + h * H, 0, active, 3600);
        }
        d = one_day(t, &CFG_DEFAULT, JUN1);
        assert_int_equal(d.first_active, 8 * 60);
        assert_int_equal(d.last_active, 21 * 60);
        free(t);
}

/* Active: 01:00 20 min, 05:00 10 min, 06:00 10 min, 10:00 and 11:00 full,
 * 22:00 and 23:00 30 min: 13 200 s in all. */
static Timeline *night_timeline(void) {
        Timeline *t = tl_new();
        int32_t active[24] = { [1] = 1200, [5] = 600, [6] = 600, [10] = 3600, [11] = 3600, [22] = 1800, [23] = 1800 };

        tl_add_day(t, JUN1, 0, active);
        return t;
}

static void test_night_ratio_default(void **state) {
        Timeline *t = night_timeline();
        DaySignals d;

        (void) state;
        /* [00:00, 06:00): 01:00 and 05:00 = 1800 s; the 06:00 hour starts outside. */
        d = one_day(t, &CFG_DEFAULT, JUN1);
        ASSERT_NEAR(d.night_ratio, 1800.0 / 13200.0);
        free(t);
}

static void test_night_ratio_wrapping(void **state) {
        SignalsConfig cfg = { .day_start_min = 0, .night_start_min = 22 * 60, .night_end_min = 6 * 60 };
        Timeline *t = night_timeline();
        DaySignals d;

        (void) state;
        /* [22:00, 06:00): 22:00, 23:00, 01:00, 05:00 = 5400 s */
        d = one_day(t, &cfg, JUN1);
        ASSERT_NEAR(d.night_ratio, 5400.0 / 13200.0);

        /* start == end: an empty window */
        cfg.night_start_min = cfg.night_end_min = 3 * 60;
        d = one_day(t, &cfg, JUN1);
        ASSERT_NEAR(d.night_ratio, 0);
        free(t);
}

static void test_night_ratio_threshold(void **state) {
        Timeline *t = tl_new();
        DaySignals d;

        (void) state;
        /* 29 min 59 s of activity: null */
        tl_add(t, JUN1 + 2 * H, 0, 1799, 3600);
        d = one_day(t, &CFG_DEFAULT, JUN1);
        ASSERT_NULL_FIGURE(d.night_ratio);
        assert_int_equal(d.first_active, 2 * 60);

        /* 30 min: all of it at night */
        t->b[0].active_s = 1800;
        d = one_day(t, &CFG_DEFAULT, JUN1);
        ASSERT_NEAR(d.night_ratio, 1);
        free(t);
}

/* ---- sleep ---- */

static void test_sleep_wrapping_midnight(void **state) {
        Timeline *t = tl_new();
        DaySignals d;

        (void) state;
        /* May 31: quiet all morning (outside the window: before noon of D-1) */
        for (int h = 0; h < 12; h++)
                tl_add(t, MAY31 + h * H, 0, 0, 3600);
        /* May 31 12:00 – Jun 1 24:00: active, except 23:00–07:00 (<= 5 min each) */
        for (int h = 12; h < 48; h++) {
                int64_t local = MAY31 + h * H;
                int32_t active = 3600;

                if (h >= 23 && h < 31)
                        active = h == 27 ? 300 : 0; /* 300 s is still quiet */
                if (h == 31)
                        active = 301; /* 07:00: not quiet */
                if (h >= 36)
                        active = 0; /* Jun 1 12:00 onwards: quiet, but after noon of D */
                tl_add(t, local, 0, active, 3600);
        }
        d = one_day(t, &CFG_DEFAULT, JUN1);
        assert_int_equal(d.sleep_onset, 23 * 60);
        assert_int_equal(d.sleep_offset, 7 * 60);
        ASSERT_NEAR(d.sleep_h, 8);
        assert_int_equal(d.sleep_mid, 3 * 60);
        free(t);
}

static void test_sleep_tie(void **state) {
        Timeline *t = tl_new();
        DaySignals d;

        (void) state;
        /* Two quiet runs of 3 h: May 31 13:00–16:00 and Jun 1 02:00–05:00. */
        for (int h = 12; h < 36; h++) {
                bool quiet = (h >= 13 && h < 16) || (h >= 26 && h < 29);

                tl_add(t, MAY31 + h * H, 0, quiet ? 0 : 3600, 3600);
        }
        d = one_day(t, &CFG_DEFAULT, JUN1);
        assert_int_equal(d.sleep_onset, 13 * 60); /* the earlier one */
        assert_int_equal(d.sleep_offset, 16 * 60);
        ASSERT_NEAR(d.sleep_h, 3);
        assert_int_equal(d.sleep_mid, 14 * 60 + 30);
        free(t);
}

/* ---- day start, offsets ---- */

static void test_day_start(void **state) {
        SignalsConfig cfg = { .day_start_min = 4 * 60, .night_start_min = 0, .night_end_min = 6 * 60 };
        Timeline *t = tl_new();
        DaySignals *d = NULL;
        size_t n = 0;

        (void) state;
        /* Observed from Jun 1 00:00 to Jun 2 06:00. Active: Jun 1 01:00 30 min,
         * Jun 1 09:00 full, Jun 2 02:00 20 min, Jun 2 05:00 10 min. */
        for (int h = 0; h < 30; h++) {
                int32_t active = h == 1 ? 1800 : h == 9 ? 3600 : h == 26 ? 1200 : h == 29 ? 600 : 0;

                tl_add(t, JUN1 + h * H, 0, active, 3600);
        }
        assert_int_equal(signals_days(t->b, t->n, &cfg, MAY31, JUN1 + DAY, &d, &n), 0);
        assert_int_equal(n, 3);

        /* May 31 04:00 – Jun 1 04:00: Jun 1 00:00..03:00 */
        assert_true(d[0].date == MAY31);
        ASSERT_NEAR(d[0].coverage_h, 4);
        ASSERT_NEAR(d[0].screen_h, 0.5);
        assert_int_equal(d[0].first_active, 60);
        assert_int_equal(d[0].last_active, 60);

        /* Jun 1 04:00 – Jun 2 04:00: the small hours of Jun 2 belong to Jun 1 */
        assert_true(d[1].date == JUN1);
        ASSERT_NEAR(d[1].coverage_h, 24);
        ASSERT_NEAR(d[1].screen_h, 4800.0 / 3600.0);
        assert_int_equal(d[1].first_active, 9 * 60);
        assert_int_equal(d[1].last_active, 2 * 60);
        ASSERT_NEAR(d[1].night_ratio, 1200.0 / 4800.0);
        /* Sleep stays noon to noon by the calendar: May 31 12:00 – Jun 1 12:00 holds
         * Jun 1 00:00..11:00, quiet but for 01:00 and 09:00: 02:00–09:00. */
        assert_int_equal(d[1].sleep_onset, 2 * 60);
        assert_int_equal(d[1].sleep_offset, 9 * 60);
        ASSERT_NEAR(d[1].sleep_h, 7);

        /* Jun 2 04:00 – : Jun 2 04:00 and 05:00 */
        assert_true(d[2].date == JUN1 + DAY);
        ASSERT_NEAR(d[2].coverage_h, 2);
        ASSERT_NEAR(d[2].screen_h, 600.0 / 3600.0);
        assert_int_equal(d[2].first_active, 5 * 60);
        /* Jun 1 12:00 – Jun 2 12:00: quiet Jun 1 12:00 – Jun 2 02:00 (14 h) */
        assert_int_equal(d[2].sleep_onset, 12 * 60);
        assert_int_equal(d[2].sleep_offset, 2 * 60);
        ASSERT_NEAR(d[2].sleep_h, 14);
        assert_int_equal(d[2].sleep_mid, 19 * 60);
        free(d);
        free(t);
}

static void test_offset_half_hour(void **state) {
        Timeline *t = tl_new();
        DaySignals d;

        (void) state;
        /* +05:30: local 23:00 on May 31 (active, not D) then the office day. */
        tl_add(t, MAY31 + 23 * H, 19800, 3600, 3600);
        tl_add_day(t, JUN1, 19800, OFFICE_DAY);
        /* Local midnight of Jun 1 is May 31 18:30 UTC: buckets start at :30 UTC. */
        assert_true(t->b[1].start == JUN1 - 19800);
        assert_int_equal(t->b[1].start % 3600, 1800);
        d = one_day(t, &CFG_DEFAULT, JUN1);
        expect_office_day(&d);
        free(t);
}

static void test_negative_dates(void **state) {
        Timeline *t = tl_new();
        DaySignals *d = NULL;
        size_t n = 0;

        (void) state;
        /* 1969-12-31 at -03:00, and the days around it across the epoch */
        tl_add_day(t, DEC31_1969, -10800, OFFICE_DAY);
        assert_int_equal(signals_days(t->b, t->n, &CFG_DEFAULT, DEC31_1969 - DAY, DEC31_1969 + DAY, &d, &n), 0);
        assert_int_equal(n, 3);
        assert_true(d[0].date == DEC31_1969 - DAY);
        ASSERT_NEAR(d[0].coverage_h, 0);
        expect_office_day(&d[1]);
        assert_true(d[2].date == 0);
        ASSERT_NEAR(d[2].coverage_h, 0);
        /* Jan 1's window: Dec 31 12:00 – Jan 1 12:00, quiet from 17:00 to 24:00 */
        assert_int_equal(d[2].sleep_onset, 17 * 60);
        assert_int_equal(d[2].sleep_offset, 0);
        ASSERT_NEAR(d[2].sleep_h, 7);
        free(d);
        free(t);
}

/* ---- DST (EU rules, 2026) ---- */

/* Buckets for every real hour from local date `from` to local date `to` (both at
 * 00:00, in the zone's offset then), with active seconds by local date and hour. */
static void tl_add_eu(Timeline *t, int64_t from, int64_t to, int32_t (*active)(int64_t local)) {
        int64_t u = from - off_eu(from - 3600), end = to - off_eu(to - 7200);

        assert_int_equal(off_eu(u), (int32_t) (from - u));
        for (; u < end; u += H)
                tl_add_utc(t, u, off_eu(u), active(u + off_eu(u)), 3600);
}

/* Half an hour of activity every hour, except 22:00 Mar 28 – 06:00 Mar 29. */
static int32_t spring_active(int64_t local) {
        return local >= MAR28 + 22 * H && local < MAR29 + 6 * H ? 0 : 1800;
}

static void test_dst_spring(void **state) {
        Timeline *t = tl_new();
        DaySignals *d = NULL;
        size_t n = 0, on_29 = 0;

        (void) state;
        tl_add_eu(t, MAR28, MAR29 + 2 * DAY, spring_active);
        for (size_t i = 0; i < t->n; i++)
                if (t->b[i].start + t->b[i].utc_offset >= MAR29 && t->b[i].start + t->b[i].utc_offset < MAR29 + DAY)
                        on_29++;
        assert_int_equal(on_29, 23);

        assert_int_equal(signals_days(t->b, t->n, &CFG_DEFAULT, MAR28, MAR29 + DAY, &d, &n), 0);
        assert_int_equal(n, 3);
        /* Mar 28: 24 h, 22 of them with half an hour */
        ASSERT_NEAR(d[0].coverage_h, 24);
        ASSERT_NEAR(d[0].screen_h, 11);
        /* Mar 29: 23 h (no 02:00); quiet 00, 01, 03, 04, 05, so 18 half hours */
        ASSERT_NEAR(d[1].coverage_h, 23);
        ASSERT_NEAR(d[1].screen_h, 9);
        assert_int_equal(d[1].first_active, 6 * 60);
        assert_int_equal(d[1].last_active, 23 * 60);
        ASSERT_NEAR(d[1].night_ratio, 0);
        /* The night 22:00–06:00 is 7 real hours; consecutive in real time across
         * the change. The midpoint is on the onset's clock: 22:00 + 3.5 h. */
        assert_int_equal(d[1].sleep_onset, 22 * 60);
        assert_int_equal(d[1].sleep_offset, 6 * 60);
        ASSERT_NEAR(d[1].sleep_h, 7);
        assert_int_equal(d[1].sleep_mid, 1 * 60 + 30);
        /* Mar 30: 24 h again */
        ASSERT_NEAR(d[2].coverage_h, 24);
        ASSERT_NEAR(d[2].screen_h, 12);
        free(d);
        free(t);
}

/* Full activity in the two 02:00 hours of Oct 25 and 30 min at 15:00. */
static int32_t autumn_active(int64_t local) {
        if (local == OCT25 + 2 * H)
                return 3600;
        return local == OCT25 + 15 * H ? 1800 : 0;
}

/* Active everywhere except Oct 25 00:00–06:00 (7 real hours). */
static int32_t autumn_sleep_active(int64_t local) {
        return local >= OCT25 && local < OCT25 + 6 * H ? 0 : 3600;
}

static void test_dst_autumn(void **state) {
        Timeline *t = tl_new();
        DaySignals *d = NULL;
        size_t n = 0;

        (void) state;
        tl_add_eu(t, OCT25 - DAY, OCT25 + 2 * DAY, autumn_active);
        assert_int_equal(signals_days(t->b, t->n, &CFG_DEFAULT, OCT25 - DAY, OCT25 + DAY, &d, &n), 0);
        assert_int_equal(n, 3);
        ASSERT_NEAR(d[0].coverage_h, 24);
        /* Oct 25: 25 buckets, 02:00 twice (+02:00 then +01:00), both counted */
        ASSERT_NEAR(d[1].coverage_h, 25);
        ASSERT_NEAR(d[1].screen_h, 2.5);
        assert_int_equal(d[1].first_active, 2 * 60);
        assert_int_equal(d[1].last_active, 15 * 60);
        ASSERT_NEAR(d[1].night_ratio, 7200.0 / 9000.0);
        ASSERT_NEAR(d[2].coverage_h, 24);
        free(d);
        free(t);

        t = tl_new();
        tl_add_eu(t, OCT25 - DAY, OCT25 + 2 * DAY, autumn_sleep_active);
        d = NULL;
        assert_int_equal(signals_days(t->b, t->n, &CFG_DEFAULT, OCT25, OCT25, &d, &n), 0);
        assert_int_equal(n, 1);
        ASSERT_NEAR(d[0].screen_h, 18); /* 25 - 7 */
        assert_int_equal(d[0].sleep_onset, 0);
        assert_int_equal(d[0].sleep_offset, 6 * 60);
        ASSERT_NEAR(d[0].sleep_h, 7);
        assert_int_equal(d[0].sleep_mid, 3 * 60 + 30);
        free(d);
        free(t);
}

/* ---- rhythm ---- */

/* Active 09:00–18:00 (hours 9..17, full), every day from `from` for `days` days. */
static void tl_add_nine_to_six(Timeline *t, int64_t from, int days) {
        int32_t active[24] = { 0 };

        for (int h = 9; h < 18; h++)
                active[h] = 3600;
        for (int k = 0; k < days; k++)
                tl_add_day(t, from + k * DAY, 0, active);
}

static void test_rhythm_regular_week(void **state) {
        Timeline *t = tl_new();
        DaySignals *d = NULL;
        size_t n = 0;

        (void) state;
        tl_add_nine_to_six(t, JUN1, 7);
        assert_int_equal(signals_days(t->b, t->n, &CFG_DEFAULT, JUN1, JUN1 + 11 * DAY, &d, &n), 0);
        assert_int_equal(n, 12);

        /* Jun 7: all 7 days. Every day the same: the hour-of-day means explain all
         * the variance, IS = 1. Values 0 or 60, mean 22.5, population variance
         * 60²·(9/24)·(15/24) = 843.75, so Σ(x−x̄)² = 168·843.75 = 141 750; 167 pairs,
         * 14 of them steps of 60 (08→09 and 17→18 each day): Σd² = 50 400. */
        ASSERT_NEAR_EPS(d[6].is, 1, 1e-12);
        ASSERT_NEAR_EPS(d[6].iv, 168.0 * 50400.0 / (167.0 * 141750.0), 1e-12);
        assert_true(d[6].iv < 0.4);
        /* L5: 0, first at 00:00 (ties with 01:00.. and the evening windows).
         * M10: 54 (nine 60s and a 0), onsets 08:00 and 09:00 tie: 08:00. */
        ASSERT_NEAR(d[6].l5, 0);
        assert_int_equal(d[6].l5_onset, 0);
        ASSERT_NEAR(d[6].m10, 54);
        assert_int_equal(d[6].m10_onset, 8 * 60);
        ASSERT_NEAR(d[6].ra, 1);

        /* Jun 1, Jun 2: fewer than 3 days with data */
        expect_rhythm_null(&d[0]);
        expect_rhythm_null(&d[1]);
        /* Jun 3: 3 days, the same regular pattern */
        ASSERT_NEAR_EPS(d[2].is, 1, 1e-12);
        ASSERT_NEAR(d[2].m10, 54);
        /* Jun 11: Jun 5..11, data on Jun 5, 6, 7 */
        ASSERT_NEAR_EPS(d[10].is, 1, 1e-12);
        /* Jun 12: Jun 6..12, two days */
        expect_rhythm_null(&d[11]);
        free(d);
        free(t);
}

/* A night owl (with the default 00:00 day start): rests 04:00–11:00, active
 * 11:00–04:00. The calendar day reads first 00:00, last 23:00; the waking day
 * reads up 11:00, down 04:00 the next morning (28:00 after the date's 00:00). */
static void test_waking_day_night_owl(void **state) {
        Timeline *t = tl_new();
        int32_t active[24];
        DaySignals *d = NULL;
        size_t n = 0;

        (void) state;
        for (int h = 0; h < 24; h++)
                active[h] = h >= 4 && h < 11 ? 0 : 3600;
        for (int k = 0; k < 10; k++)
                tl_add_day(t, JUN1 + k * DAY, 0, active);
        assert_int_equal(signals_days(t->b, t->n, &CFG_DEFAULT, JUN1 + DAY, JUN1 + 9 * DAY, &d, &n), 0);
        assert_int_equal(d[0].first_active, 0);
        assert_int_equal(d[0].last_active, 23 * 60);
        ASSERT_NEAR(d[0].up, 11 * 60);
        ASSERT_NEAR(d[0].down, 28 * 60);
        /* Every day alike: SRI 100 once 72 pairs exist (Jun 2: 24 pairs; Jun 5: 96). */
        ASSERT_NULL_FIGURE(d[0].sri);
        ASSERT_NEAR(d[3].sri, 100);
        ASSERT_NEAR(d[7].social_jet_lag_h, 0);
        /* The last date: the data ends at midnight, before noon of the next date,
         * so the next rest window is not known yet and down is null. */
        ASSERT_NEAR(d[8].up, 11 * 60);
        ASSERT_NULL_FIGURE(d[8].down);
        free(d);
        free(t);
}

/* Rest 23:00–07:00 on work nights, 01:00–10:00 before Saturday and Sunday.
 * Midpoints 03:00 and 05:30: social jet lag +2.5 h; the days differ, so SRI is
 * below 100, and exactly: of the 144 pairs 24 h apart, the hours whose state
 * differs between a work night and a free night (or back) are counted here. */
static void test_social_jet_lag(void **state) {
        Timeline *t = tl_new();
        DaySignals *d = NULL;
        size_t n = 0;

        (void) state;
        /* Jun 1 2026 is a Monday; the nights before Jun 6 (Sat) and Jun 7 (Sun) are free. */
        for (int64_t h = JUN1 - 2 * DAY; h < JUN1 + 10 * DAY; h += H) {
                int64_t date = (h + 12 * H) / DAY * DAY; /* the date whose noon-to-noon window holds h */
                int wd = (int) ((date / DAY + 3) % 7);    /* 0: Monday */
                int hod = (int) (h % DAY / H);
                bool free_night = wd >= 5;
                bool rest = free_night ? hod >= 1 && hod < 10 : hod >= 23 || hod < 7;

                tl_add(t, h, 0, rest ? 0 : 3600, 3600);
        }
        assert_int_equal(signals_days(t->b, t->n, &CFG_DEFAULT, JUN1, JUN1 + 8 * DAY, &d, &n), 0);
        /* Jun 7 (Sunday): windows of Jun 1..7, free: Jun 6, 7. */
        ASSERT_NEAR(d[6].social_jet_lag_h, 2.5);
        assert_int_equal(d[6].sleep_mid, 5 * 60 + 30);
        ASSERT_NEAR(d[6].up, 10 * 60);
        ASSERT_NEAR(d[4].up, 7 * 60);
        ASSERT_NEAR(d[4].down, 25 * 60); /* Friday: down 01:00, the free night's start */
        /* Pairs Jun 5→6 and Jun 7→8 differ in 5 hours (23:00–01:00 and 07:00–10:00);
         * Jun 6→7 and the work nights match: Jun 7's window (Jun 1..7) has 144 pairs,
         * 5 differing (Jun 5→6), 0 (Jun 6→7): SRI = 200·139/144 − 100. */
        ASSERT_NEAR(d[6].sri, 200.0 * 139 / 144 - 100);
        free(d);
        free(t);
}

static void test_rhythm_fewer_than_three_days(void **state) {
        Timeline *t = tl_new();
        DaySignals d;

        (void) state;
        tl_add_nine_to_six(t, JUN1, 2);
        /* Jun 3 and Jun 4 observed, but under half of each hour: no valid hour */
        for (int h = 0; h < 48; h++)
                tl_add(t, JUN1 + 2 * DAY + h * H, 0, 0, 1799);
        d = one_day(t, &CFG_DEFAULT, JUN1 + 3 * DAY);
        expect_rhythm_null(&d);

        /* One valid hour on Jun 5 makes the third day. */
        tl_add(t, JUN1 + 4 * DAY + 10 * H, 0, 1800, 1800);
        d = one_day(t, &CFG_DEFAULT, JUN1 + 4 * DAY);
        assert_false(isnan(d.is));
        assert_false(isnan(d.iv));
        free(t);
}

static void test_rhythm_hand_computed(void **state) {
        Timeline *t = tl_new();
        DaySignals d;

        (void) state;
        /* Only 10:00 and 11:00 each day: 60/0, 60/0, 30/30 (active minutes).
         * n = 6, mean 30, Σ(x−x̄)² = 4·900 = 3600; hour means 50 and 10:
         * Σ_h(x̄_h−x̄)² = 400 + 400 = 800, p = 2: IS = 6·800/(2·3600) = 2/3.
         * Pairs only within a day (10→11): diffs 60, 60, 0: IV = 6·7200/(3·3600) = 4.
         * No 5 consecutive hours-of-day with data: L5, M10, RA null. */
        tl_add(t, JUN1 + 10 * H, 0, 3600, 3600);
        tl_add(t, JUN1 + 11 * H, 0, 0, 3600);
        tl_add(t, JUN1 + DAY + 10 * H, 0, 1800, 1800); /* 30 of 30 observed minutes: 60 */
        tl_add(t, JUN1 + DAY + 11 * H, 0, 0, 1800);
        tl_add(t, JUN1 + 2 * DAY + 10 * H, 0, 1800, 3600);
        tl_add(t, JUN1 + 2 * DAY + 11 * H, 0, 900, 1800); /* 15 of 30: 30 */
        d = one_day(t, &CFG_DEFAULT, JUN1 + 2 * DAY);
        ASSERT_NEAR(d.is, 2.0 / 3.0);
        ASSERT_NEAR(d.iv, 4);
        ASSERT_NULL_FIGURE(d.l5);
        ASSERT_NULL_FIGURE(d.m10);
        ASSERT_NULL_FIGURE(d.ra);
        assert_int_equal(d.l5_onset, -1);
        assert_int_equal(d.m10_onset, -1);
        free(t);
}

static void test_rhythm_constant(void **state) {
        Timeline *t = tl_new();
        int32_t active[24];
        DaySignals d;

        (void) state;
        /* 1000 s of every hour: 16.67 minutes, not exact in binary */
        for (int h = 0; h < 24; h++)
                active[h] = 1000;
        for (int k = 0; k < 7; k++)
                tl_add_day(t, JUN1 + k * DAY, 0, active);
        d = one_day(t, &CFG_DEFAULT, JUN1 + 6 * DAY);
        ASSERT_NULL_FIGURE(d.is);
        ASSERT_NULL_FIGURE(d.iv);
        ASSERT_NEAR(d.l5, 1000.0 / 60.0);
        ASSERT_NEAR(d.m10, 1000.0 / 60.0);
        assert_int_equal(d.l5_onset, 0);
        assert_int_equal(d.m10_onset, 0);
        ASSERT_NEAR(d.ra, 0);
        free(t);

        /* Nothing active at all: RA is 0/0 */
        t = tl_new();
        memset(active, 0, sizeof(active));
        for (int k = 0; k < 7; k++)
                tl_add_day(t, JUN1 + k * DAY, 0, active);
        d = one_day(t, &CFG_DEFAULT, JUN1 + 6 * DAY);
        ASSERT_NULL_FIGURE(d.is);
        ASSERT_NULL_FIGURE(d.iv);
        ASSERT_NEAR(d.l5, 0);
        ASSERT_NEAR(d.m10, 0);
        ASSERT_NULL_FIGURE(d.ra);
        free(t);
}

static void test_rhythm_night_owl(void **state) {
        Timeline *t = tl_new();
        int32_t active[24];
        DaySignals d;

        (void) state;
        /* 2 min/h 03:00–08:00, 50 min/h 16:00–02:00, 10 min/h otherwise */
        for (int h = 0; h < 24; h++)
                active[h] = h >= 3 && h < 8 ? 120 : h >= 16 || h < 2 ? 3000 : 600;
        for (int k = 0; k < 7; k++)
                tl_add_day(t, JUN1 + k * DAY, 0, active);
        d = one_day(t, &CFG_DEFAULT, JUN1 + 6 * DAY);
        ASSERT_NEAR(d.l5, 2);
        assert_int_equal(d.l5_onset, 3 * 60);
        ASSERT_NEAR(d.m10, 50);
        assert_int_equal(d.m10_onset, 16 * 60); /* wraps past midnight */
        ASSERT_NEAR(d.ra, 48.0 / 52.0);
        ASSERT_NEAR_EPS(d.is, 1, 1e-12);
        free(t);
}

static void test_rhythm_window_tie(void **state) {
        Timeline *t = tl_new();
        int32_t active[24];
        DaySignals d;

        (void) state;
        /* 1 min/h 22:00–03:00 and 10:00–15:00, 30 min/h otherwise. L5 = 1 at
         * 22:00 (wrapping) and at 10:00: the earliest from 00:00 is 10:00. M10:
         * every window holds at least 3 low hours, exactly 3 for the onsets
         * 00:00–03:00 and 12:00–15:00 (mean (3 + 7·30)/10 = 21.3): 00:00. */
        for (int h = 0; h < 24; h++)
                active[h] = h >= 22 || h < 3 || (h >= 10 && h < 15) ? 60 : 1800;
        for (int k = 0; k < 7; k++)
                tl_add_day(t, JUN1 + k * DAY, 0, active);
        d = one_day(t, &CFG_DEFAULT, JUN1 + 6 * DAY);
        ASSERT_NEAR(d.l5, 1);
        assert_int_equal(d.l5_onset, 10 * 60);
        ASSERT_NEAR(d.m10, 21.3);
        assert_int_equal(d.m10_onset, 0);
        free(t);
}

static void test_rhythm_day_start(void **state) {
        SignalsConfig cfg = { .day_start_min = 4 * 60, .night_start_min = 0, .night_end_min = 6 * 60 };
        Timeline *t = tl_new();
        DaySignals d;

        (void) state;
        /* Jun 1 and Jun 2 as 9-to-6 days, and one valid hour at 02:00 on Jun 4. */
        tl_add_nine_to_six(t, JUN1, 2);
        tl_add(t, JUN1 + 3 * DAY + 2 * H, 0, 1800, 3600);
        /* From 00:00, Jun 3's week (May 28..Jun 3) has two days with data. */
        d = one_day(t, &CFG_DEFAULT, JUN1 + 2 * DAY);
        expect_rhythm_null(&d);
        /* From 04:00, 02:00 on Jun 4 belongs to Jun 3: a third day. */
        d = one_day(t, &cfg, JUN1 + 2 * DAY);
        assert_false(isnan(d.is));
        /* Jun 4 (from 04:00) runs May 29 04:00 – Jun 5 04:00: the same hours. */
        d = one_day(t, &cfg, JUN1 + 3 * DAY);
        assert_false(isnan(d.is));
        free(t);
}

/* The longest range, 3700 days, all of them 9-to-6 days: every figure as on one. */
static void test_long_range(void **state) {
        size_t n_b = (3700 + 6) * 24, n = 0;
        AcctBucket *b = calloc(n_b, sizeof(AcctBucket));
        int64_t first = JUN1 + 6 * DAY;
        DaySignals *d = NULL;

        (void) state;
        assert_non_null(b);
        for (size_t i = 0; i < n_b; i++) {
                int h = (int) (i % 24);

                b[i] = (AcctBucket) { .start = JUN1 + (int64_t) i * H, .utc_offset = 0,
                                      .active_s = h >= 9 && h < 18 ? 3600 : 0, .observed_s = 3600 };
        }
        assert_int_equal(signals_days(b, n_b, &CFG_DEFAULT, first, first + 3699 * DAY, &d, &n), 0);
        assert_int_equal(n, 3700);
        for (size_t k = 0; k < n; k++) {
                assert_true(d[k].date == first + (int64_t) k * DAY);
                ASSERT_NEAR(d[k].screen_h, 9);
                ASSERT_NEAR(d[k].coverage_h, 24);
                assert_int_equal(d[k].sleep_onset, 18 * 60);
                assert_int_equal(d[k].sleep_offset, 9 * 60);
                ASSERT_NEAR_EPS(d[k].is, 1, 1e-12);
                ASSERT_NEAR_EPS(d[k].iv, 168.0 * 50400.0 / (167.0 * 141750.0), 1e-12);
                assert_int_equal(d[k].m10_onset, 8 * 60);
        }
        free(d);
        free(b);
}

/* A small deterministic generator (an LCG; the high bits). */
static uint32_t lcg_next(uint64_t *s) {
        *s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
        return (uint32_t) (*s >> 33);
}

static void test_rhythm_random_gaps(void **state) {
        RefHour ref[7 * 24];
        Timeline *t = tl_new();
        uint64_t seed = 42;
        size_t n_ref = 0;
        bool prev_valid = false;
        DaySignals d;

        (void) state;
        /* +02:00, Jun 1..7, random amounts; 15 % of hours missing, 5 % under half
         * observed, and 04:00 never observed (L5/M10 windows across it skipped). */
        for (int k = 0; k < 7; k++)
                for (int h = 0; h < 24; h++) {
                        uint32_t r = lcg_next(&seed) % 100;
                        int32_t observed, active;

                        if (r < 15 || h == 4) {
                                prev_valid = false;
                                continue;
                        }
                        observed = r < 20 ? (int32_t) (lcg_next(&seed) % 1800) : 1800 + (int32_t) (lcg_next(&seed) % 1801);
                        active = observed > 0 ? (int32_t) (lcg_next(&seed) % (uint32_t) (observed + 1)) : 0;
                        tl_add(t, JUN1 + k * DAY + h * H, 7200, active, observed);
                        if (observed < 1800) {
                                prev_valid = false;
                                continue;
                        }
                        ref[n_ref++] = (RefHour) { .hod = h, .x = 60.0 * active / observed, .follows = prev_valid };
                        prev_valid = true;
                }
        /* hours on Jun 8 outside D's 7 days must not count */
        tl_add(t, JUN1 + 7 * DAY + 3 * H, 7200, 3600, 3600);

        d = one_day(t, &CFG_DEFAULT, JUN1 + 6 * DAY);
        assert_false(isnan(d.is));
        expect_rhythm_ref(&d, ref, n_ref);
        free(t);
}

/* The week Oct 19..25 in the EU zone: the last day has 02:00 twice, and both
 * count for that hour of day. */
static void test_rhythm_dst_week(void **state) {
        RefHour ref[7 * 24 + 1];
        Timeline *t = tl_new();
        uint64_t seed = 7;
        size_t n_ref = 0;
        DaySignals d;

        (void) state;
        for (int64_t u = OCT19 - 7200; u < OCT25 + DAY - 3600; u += H) {
                int32_t off = off_eu(u), active = (int32_t) (lcg_next(&seed) % 3601);
                int64_t local = u + off;
                bool follows = n_ref > 0; /* every real hour is there */

                tl_add_utc(t, u, off, active, 3600);
                ref[n_ref++] = (RefHour) {
                        .hod = (int) ((local - OCT19) % DAY / H),
                        .x = active / 60.0,
                        .follows = follows,
                };
        }
        assert_int_equal(n_ref, 7 * 24 + 1);
        d = one_day(t, &CFG_DEFAULT, OCT25);
        expect_rhythm_ref(&d, ref, n_ref);
        free(t);
}

/* ---- arguments ---- */

static void test_bad_arguments(void **state) {
        AcctBucket b[2] = {
                { .start = JUN1, .utc_offset = 0, .active_s = 10, .observed_s = 3600 },
                { .start = JUN1 + H, .utc_offset = 0, .active_s = 10, .observed_s = 3600 },
        };
        DaySignals dummy, *d = &dummy;
        SignalsConfig cfg = CFG_DEFAULT;
        size_t n = 77;

        (void) state;
        assert_int_equal(signals_days(b, 2, &cfg, JUN1, JUN1 - DAY, &d, &n), -EINVAL);
        assert_int_equal(signals_days(b, 2, &cfg, JUN1, JUN1 + 3700 * DAY, &d, &n), -EINVAL);
        assert_int_equal(signals_days(b, 2, &cfg, JUN1 + 1, JUN1 + DAY, &d, &n), -EINVAL);
        assert_int_equal(signals_days(b, 2, &cfg, JUN1, JUN1 + DAY + 60, &d, &n), -EINVAL);
        assert_int_equal(signals_days(NULL, 2, &cfg, JUN1, JUN1, &d, &n), -EINVAL);
        assert_int_equal(signals_days(b, 2, NULL, JUN1, JUN1, &d, &n), -EINVAL);
        assert_int_equal(signals_days(b, 2, &cfg, JUN1, JUN1, NULL, &n), -EINVAL);
        assert_int_equal(signals_days(b, 2, &cfg, JUN1, JUN1, &d, NULL), -EINVAL);
        assert_int_equal(signals_days(b, 2, &cfg, INT64_MIN / DAY * DAY, JUN1, &d, &n), -EINVAL);

        cfg.day_start_min = 1440;
        assert_int_equal(signals_days(b, 2, &cfg, JUN1, JUN1, &d, &n), -EINVAL);
        cfg = CFG_DEFAULT;
        cfg.night_start_min = -1;
        assert_int_equal(signals_days(b, 2, &cfg, JUN1, JUN1, &d, &n), -EINVAL);
        cfg = CFG_DEFAULT;
        cfg.night_end_min = 1440;
        assert_int_equal(signals_days(b, 2, &cfg, JUN1, JUN1, &d, &n), -EINVAL);
        cfg = CFG_DEFAULT;

        /* hostile buckets */
        b[1].start = JUN1 - H; /* not sorted */
        assert_int_equal(signals_days(b, 2, &cfg, JUN1, JUN1, &d, &n), -EINVAL);
        b[1].start = JUN1; /* the same local hour twice */
        assert_int_equal(signals_days(b, 2, &cfg, JUN1, JUN1, &d, &n), -EINVAL);
        b[1].start = JUN1 + H;
        b[1].active_s = 3601;
        assert_int_equal(signals_days(b, 2, &cfg, JUN1, JUN1, &d, &n), -EINVAL);
        b[1].observed_s = 3601;
        assert_int_equal(signals_days(b, 2, &cfg, JUN1, JUN1, &d, &n), -EINVAL);
        b[1].observed_s = 3600;
        b[1].active_s = -1;
        assert_int_equal(signals_days(b, 2, &cfg, JUN1, JUN1, &d, &n), -EINVAL);
        b[1].active_s = 10;
        b[1].utc_offset = 86400;
        assert_int_equal(signals_days(b, 2, &cfg, JUN1, JUN1, &d, &n), -EINVAL);
        b[1].utc_offset = 0;
        b[1].start = INT64_MAX;
        assert_int_equal(signals_days(b, 2, &cfg, JUN1, JUN1, &d, &n), -EINVAL);

        /* nothing was returned */
        assert_ptr_equal(d, &dummy);
        assert_int_equal(n, 77);

        /* The same start with another offset is a different local hour (an
         * offset change in the middle of a UTC hour): fine. */
        b[1].start = JUN1;
        b[1].utc_offset = 3600;
        assert_int_equal(signals_days(b, 2, &cfg, JUN1, JUN1, &d, &n), 0);
        assert_int_equal(n, 1);
        ASSERT_NEAR(d[0].screen_h, 20.0 / 3600.0);
        free(d);

        /* 3700 days is the most */
        assert_int_equal(signals_days(NULL, 0, &cfg, JUN1, JUN1 + 3699 * DAY, &d, &n), 0);
        assert_int_equal(n, 3700);
        assert_true(d[3699].date == JUN1 + 3699 * DAY);
        free(d);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_regular_day),
                cmocka_unit_test(test_waking_day_night_owl),
                cmocka_unit_test(test_social_jet_lag),
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_missing_hours),
                cmocka_unit_test(test_partial_hours),
                cmocka_unit_test(test_first_last_threshold),
                cmocka_unit_test(test_night_ratio_default),
                cmocka_unit_test(test_night_ratio_wrapping),
                cmocka_unit_test(test_night_ratio_threshold),
                cmocka_unit_test(test_sleep_wrapping_midnight),
                cmocka_unit_test(test_sleep_tie),
                cmocka_unit_test(test_day_start),
                cmocka_unit_test(test_offset_half_hour),
                cmocka_unit_test(test_negative_dates),
                cmocka_unit_test(test_dst_spring),
                cmocka_unit_test(test_dst_autumn),
                cmocka_unit_test(test_rhythm_regular_week),
                cmocka_unit_test(test_rhythm_fewer_than_three_days),
                cmocka_unit_test(test_rhythm_hand_computed),
                cmocka_unit_test(test_rhythm_constant),
                cmocka_unit_test(test_rhythm_night_owl),
                cmocka_unit_test(test_rhythm_window_tie),
                cmocka_unit_test(test_rhythm_day_start),
                cmocka_unit_test(test_rhythm_random_gaps),
                cmocka_unit_test(test_rhythm_dst_week),
                cmocka_unit_test(test_long_range),
                cmocka_unit_test(test_bad_arguments),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

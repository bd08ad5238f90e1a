/* Unit tests for the digest model's pure parts: levels, ISO weeks of days and
 * the week's grid of active minutes. Expected values are worked out by hand in
 * the comments. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "calendar.h"
#include "digest-model.h"

#define DAY INT64_C(86400)
/* Local seconds of 00:00 on a date: days since 1970-01-01 × 86400. */
#define D2026_03_23 (INT64_C(20535) * DAY) /* a Monday */

static void test_levels(void **state) {
        (void) state;
        assert_int_equal(digest_level_from_string("summary"), DIGEST_LEVEL_SUMMARY);
        assert_int_equal(digest_level_from_string("daily"), DIGEST_LEVEL_DAILY);
        assert_int_equal(digest_level_from_string("hourly"), DIGEST_LEVEL_HOURLY);
        assert_int_equal(digest_level_from_string("Hourly"), -EINVAL);
        assert_int_equal(digest_level_from_string(""), -EINVAL);
        assert_int_equal(digest_level_from_string(NULL), -EINVAL);
        assert_string_equal(digest_level_to_string(DIGEST_LEVEL_DAILY), "daily");
        assert_null(digest_level_to_string(_DIGEST_LEVEL_MAX));
}

static void check_week(int64_t day, const char *want, int64_t want_monday) {
        char w[ISO_WEEK_MAX];
        int64_t mon = -1;
        assert_int_equal(iso_week_of(day, w, &mon), 0);
        assert_string_equal(w, want);
        assert_int_equal(mon, want_monday);
}

static void test_iso_weeks(void **state) {
        (void) state;
        /* 2026-03-23 (Mon) .. 2026-03-29 (Sun) is 2026-W13. */
        for (int i = 0; i < 7; i++)
                check_week(D2026_03_23 + i * DAY, "2026-W13", D2026_03_23);
        check_week(D2026_03_23 + 7 * DAY, "2026-W14", D2026_03_23 + 7 * DAY);
        /* 1970-01-01 was a Thursday: 1970-W01, Monday 1969-12-29 (-3 days). */
        check_week(0, "1970-W01", -3 * DAY);
        /* 2021-01-03 (Sun, day 18630) still belongs to 2020-W53 (2020 has 53
         * weeks: it began on a Wednesday and was a leap year). */
        check_week(INT64_C(18630) * DAY, "2020-W53", INT64_C(18624) * DAY);
        /* 2024-12-30 (Mon, day 20087) is already 2025-W01. */
        check_week(INT64_C(20087) * DAY, "2025-W01", INT64_C(20087) * DAY);
        /* 2026-01-01 (Thu, day 20454) is 2026-W01, Monday 2025-12-29. */
        check_week(INT64_C(20454) * DAY, "2026-W01", INT64_C(20451) * DAY);
        char w[ISO_WEEK_MAX];
        assert_int_equal(iso_week_of(INT64_C(3000000) * DAY, w, NULL), -ERANGE);
}

static void test_hours_grid(void **state) {
        (void) state;
        int g[7][24];
        int64_t first = D2026_03_23; /* day start 00:00 */
        /* Local times at +09:00: the bucket starting at UTC first - 9 h is local
         * Monday 00:00. */
        const int32_t off = 9 * 3600;
        AcctBucket b[] = {
                { first - off, off, 1800, 3600 },                      /* Mon 00:00: 30 min */
                { first - off + 3600, off, 89, 3600 },                 /* Mon 01:00: 1.48 → 1 min */
                { first - off + 2 * 3600, off, 90, 3600 },             /* Mon 02:00: 1.5 → 2 min (half up) */
                { first - off + 3 * 3600, off, 0, 3600 },              /* Mon 03:00: observed, 0 */
                { first - off + 4 * 3600, off, 0, 0 },                 /* Mon 04:00: not observed */
                { first - off + 6 * DAY + 23 * 3600, off, 3600, 3600 }, /* Sun 23:00: 60 min */
                { first - off - 3600, off, 3600, 3600 },               /* Sunday before: outside */
                { first - off + 7 * DAY, off, 3600, 3600 },            /* Monday after: outside */
                /* Clocks going back: local Tue 02:00 twice (+02:00 then +01:00). */
                { first + DAY + 2 * 3600 - 7200, 7200, 600, 3600 },
                { first + DAY + 2 * 3600 - 3600, 3600, 1200, 3600 },
        };
        digest_model_hours(b, sizeof b / sizeof b[0], first, g);
        assert_int_equal(g[0][0], 30);
        assert_int_equal(g[0][1], 1);
        assert_int_equal(g[0][2], 2);
        assert_int_equal(g[0][3], 0);
        assert_int_equal(g[0][4], -1);
        assert_int_equal(g[0][5], -1);
        assert_int_equal(g[6][23], 60);
        assert_int_equal(g[1][2], 20); /* the larger of 10 and 20 */
        int set = 0;
        for (int d = 0; d < 7; d++)
                for (int h = 0; h < 24; h++)
                        set += g[d][h] >= 0;
        assert_int_equal(set, 6);

        /* A day start of 04:00: the grid starts at Monday 04:00 local. */
        digest_model_hours(b, sizeof b / sizeof b[0], first + 4 * 3600, g);
        assert_int_equal(g[0][0], -1); /* Mon 04:00 not observed */
        assert_int_equal(g[6][0], -1);
        assert_int_equal(g[6][19], 60); /* Sun 23:00 is hour 19 from 04:00 */
        assert_int_equal(g[0][22], 20); /* Tue 02:00 is hour 22 of Monday's day */
        /* Mon 00:00..03:00 belong to the day before the grid. */
        assert_int_equal(g[0][23], -1);
}

static void test_in_week(void **state) {
        (void) state;
        assert_true(digest_model_in_week(D2026_03_23, D2026_03_23));
        assert_true(digest_model_in_week(D2026_03_23 + 6 * DAY, D2026_03_23));
        assert_false(digest_model_in_week(D2026_03_23 + 7 * DAY, D2026_03_23));
        assert_false(digest_model_in_week(D2026_03_23 - DAY, D2026_03_23));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_levels),
                cmocka_unit_test(test_iso_weeks),
                cmocka_unit_test(test_hours_grid),
                cmocka_unit_test(test_in_week),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

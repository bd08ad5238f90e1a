/* Unit tests for the days and weeks people type (cli/dates.c): dates, the
 * relative words counted from a given today, ISO weeks and week 53. The
 * expected days are worked out by hand in the comments. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "dates.h"

#define DAY INT64_C(86400)
#define MAR4 INT64_C(1772582400) /* Wed 2026-03-04, ISO 2026-W10 */
#define MAR2 INT64_C(1772409600) /* Mon 2026-03-02, its Monday */

static int64_t day_of(const char *arg, int64_t today) {
        int64_t day = -1;
        assert_int_equal(dates_parse_day_at(arg, today, &day), 0);
        return day;
}

static void test_days(void **state) {
        (void) state;
        assert_true(day_of("2026-03-04", 0) == MAR4);
        assert_true(day_of("today", MAR4) == MAR4);
        assert_true(day_of("yesterday", MAR4) == MAR4 - DAY);
        assert_true(day_of("-0d", MAR4) == MAR4);
        assert_true(day_of("-7d", MAR4) == MAR4 - 7 * DAY);
        assert_true(day_of("-2w", MAR4) == MAR4 - 14 * DAY);
        assert_true(day_of("this-week", MAR4) == MAR2);
        assert_true(day_of("last-week", MAR4) == MAR2 - 7 * DAY);
        /* On a Monday, this week starts today; on a Sunday, six days before. */
        assert_true(day_of("this-week", MAR2) == MAR2);
        assert_true(day_of("this-week", MAR2 + 6 * DAY) == MAR2);
        assert_true(day_of("last-week", MAR2 + 6 * DAY) == MAR2 - 7 * DAY);
}

static void test_bad_days(void **state) {
        static const char *const bad[] = {
                "", "Today", "today ", "-d", "-7", "7d", "+7d", "-7x", "-7dd", "--7d", "- 7d", "-36501d",
                "-99999999999999999999d", "2026-02-30", "2026-3-4", "this_week", "lastweek", "-1w ", "-0x1d",
        };
        int64_t day = 42;
        (void) state;
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                assert_int_equal(dates_parse_day_at(bad[i], MAR4, &day), -EINVAL);
                assert_true(day == 42);
        }
        assert_int_equal(dates_parse_day_at(NULL, MAR4, &day), -EINVAL);
        /* Nothing before 1970-01-01: 1970-01-08 less 8 days. */
        assert_int_equal(dates_parse_day_at("-8d", 7 * DAY, &day), -EINVAL);
        assert_int_equal(dates_parse_day_at("-7d", 7 * DAY, &day), 0);
        assert_true(day == 0);
}

static int64_t week_of(const char *arg, int64_t today) {
        int64_t monday = -1;
        assert_int_equal(dates_parse_week_at(arg, today, &monday), 0);
        return monday;
}

static void test_weeks(void **state) {
        (void) state;
        assert_true(week_of("2026-W10", 0) == MAR2);
        assert_true(week_of("2026-w10", 0) == MAR2);
        assert_true(week_of("this-week", MAR4) == MAR2);
        assert_true(week_of("last-week", MAR4) == MAR2 - 7 * DAY);
        assert_true(week_of("-0w", MAR4) == MAR2);
        assert_true(week_of("-9w", MAR4) == MAR2 - 63 * DAY); /* 2025-12-29, 2026-W01 */
        assert_true(week_of("-10w", MAR4) == MAR2 - 70 * DAY); /* 2025-12-22, 2025-W52 */
        /* 2026 has 53 weeks: W53 is Mon 2026-12-28. */
        assert_true(week_of("2026-W53", 0) == INT64_C(1798416000));
}

static void test_bad_weeks(void **state) {
        int64_t monday = 42;
        (void) state;
        /* Week 53 of a year with 52: its own error. */
        assert_int_equal(dates_parse_week_at("2025-W53", MAR4, &monday), -EDOM);
        assert_int_equal(dates_parse_week_at("2027-w53", MAR4, &monday), -EDOM);
        assert_int_equal(dates_weeks_in_year(2025), 52);
        assert_int_equal(dates_weeks_in_year(2026), 53);
        assert_int_equal(dates_weeks_in_year(2020), 53);
        static const char *const bad[] = {
                "2026-W00", "2026-W54", "2026-W99", "1970-W53", "1969-W01", "9999-W01", "2026-W2", "2026W10", "26-W10",
                "2026-02", "2026-01-05", "today", "yesterday", "-7d", "-w", "-1", "+1w", "2026-X10", "2O26-W10", "",
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                assert_int_equal(dates_parse_week_at(bad[i], MAR4, &monday), -EINVAL);
                assert_true(monday == 42);
        }
        /* ISO weeks kizukid takes start in 1971: 1970's weeks are not named. */
        assert_int_equal(dates_parse_week_at("this-week", 3 * DAY, &monday), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_days),
                cmocka_unit_test(test_bad_days),
                cmocka_unit_test(test_weeks),
                cmocka_unit_test(test_bad_weeks),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

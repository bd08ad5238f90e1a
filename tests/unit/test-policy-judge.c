/* Unit tests for the replay window and policy_judge(): the window start is a
 * Monday 366..393 days back and shared by 28 consecutive days, and judging a
 * range gives, day by day, exactly what a replay over that day's own window
 * gives on its last day (what kizukid computes when it decides the day). */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "calendar.h"
#include "macro.h"
#include "policy.h"

#define DAY INT64_C(86400)
#define JUN1 INT64_C(1780272000) /* 2026-06-01, a Monday, as local seconds of 00:00 */

static void test_window_start(void **state) {
        (void) state;
        int64_t prev = 0;
        size_t changes = 0;
        for (int64_t day = JUN1 - 800 * DAY; day <= JUN1 + 800 * DAY; day += DAY) {
                int64_t s = policy_replay_start(day);
                int64_t lead = (day - s) / DAY;
                assert_int_equal(floor_mod(s, DAY), 0);
                assert_int_equal(weekday_of(s / DAY), 0); /* a Monday */
                assert_true(lead >= POLICY_REPLAY_LEAD_DAYS && lead < POLICY_REPLAY_MAX_DAYS);
                if (prev && s != prev) {
                        assert_int_equal(s - prev, POLICY_REPLAY_GRID_DAYS * DAY);
                        changes++;
                }
                prev = s;
        }
        assert_true(changes >= 1600 / POLICY_REPLAY_GRID_DAYS - 1);
        /* Before 1970 too (floor, not truncation). */
        assert_int_equal(weekday_of(policy_replay_start(-3 * DAY) / DAY), 0);
}

static Policy *parse(const char *text) {
        Policy *p = NULL;
        assert_int_equal(policy_parse(text, strlen(text), "t.policy", NULL, NULL, &p), 0);
        assert_non_null(p);
        return p;
}

/* A history with drifts: screen hours that creep up, nights that grow, a
 * check-in habit that fades, and gaps. */
static void history(DaySignals *d, Checkin *c, size_t n) {
        uint32_t seed = 12345;
        for (size_t i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                double noise = (double) ((seed >> 16) % 1000) / 1000.0;
                d[i] = (DaySignals) {
                        .date = JUN1 - 700 * DAY + (int64_t) i * DAY,
                        .coverage_h = (seed >> 8) % 17 == 0 ? 10 : 24,
                        .screen_h = 5 + 2 * noise + (i % 300 > 200 ? (double) (i % 300 - 200) / 20 : 0),
                        .night_ratio = 0.1 * noise + (i % 250 > 180 ? 0.3 : 0),
                        /* No times of day or rhythm: these policies do not read them. */
                        .first_active = -1, .last_active = -1, .sleep_onset = -1, .sleep_offset = -1, .sleep_mid = -1,
                        .sleep_h = NAN, .is = NAN, .iv = NAN, .ra = NAN, .l5 = NAN, .m10 = NAN,
                };
                c[i] = (Checkin) { .date = d[i].date, .went_out = i % 400 < 300 ? (int) (seed >> 20) % 2 : 0,
                                   .met_someone = -1, .mood = -1 };
        }
}

static void test_judge_equals_own_window(void **state) {
        (void) state;
        enum { N = 900 };
        DaySignals *d = calloc(N, sizeof *d);
        Checkin *c = calloc(N, sizeof *c);
        assert_true(d && c);
        history(d, c, N);
        Policy *p[] = {
                parse("[policy]\nsignal = screen_h\ndetector = cusum\nkeep_firing_for = 7d\ncooldown = 10d\n"
                      "[cusum]\nk = 0.5\nh = 4\n[nudge]\ntitle = t\nbody = b\n"),
                parse("[policy]\nname = nights\nsignal = night_ratio\ndetector = baseline\nfor = 2d\n"
                      "[baseline]\ndays = 28d\nz = 2\n[nudge]\ntitle = t\nbody = b\n"),
                parse("[policy]\nname = out\nsignal = went_out\naggregate = sum\nwindow = 7d\nmin_valid_days = 5\n"
                      "detector = threshold\ndirection = down\ncooldown = 7d\n[threshold]\nvalue = 1\n"
                      "[nudge]\ntitle = t\nbody = b\n"),
                parse("[policy]\nname = both\ndetector = composite\n[composite]\npolicies = t, nights\n"
                      "min_firing = 2\n[nudge]\ntitle = t\nbody = b\n"),
        };
        size_t n_p = ELEMENTSOF(p);
        size_t first = 450; /* well after the history's own start */
        PolicyEval *judged = NULL;
        assert_int_equal(policy_judge(p, n_p, d, N, c, N, 18, 0, first, &judged), 0);

        size_t nudges = 0;
        for (size_t day = first; day < N; day++) {
                size_t s = (size_t) ((policy_replay_start(d[day].date) - d[0].date) / DAY), len = day - s + 1;
                PolicyEval *own = NULL;
                assert_int_equal(policy_replay(p, n_p, d + s, len, c, N, 18, 0, &own), 0);
                for (size_t i = 0; i < n_p; i++) {
                        const PolicyEval *a = &judged[i * N + day], *b = &own[i * len + len - 1];
                        assert_int_equal(a->date, d[day].date);
                        assert_int_equal(a->nudge, b->nudge);
                        assert_int_equal(a->state, b->state);
                        assert_int_equal(a->known, b->known);
                        assert_memory_equal(&a->score, &b->score, sizeof a->score);
                        nudges += a->nudge;
                }
                free(own);
        }
        /* The drifts make each of the first three fire somewhere. */
        for (size_t i = 0; i < 3; i++) {
                bool any = false;
                for (size_t day = first; day < N; day++)
                        any = any || judged[i * N + day].nudge;
                assert_true(any);
        }
        assert_true(nudges > 3);
        /* The first day's lead-in is filled from its own replay; before it, nothing. */
        size_t s0 = (size_t) ((policy_replay_start(d[first].date) - d[0].date) / DAY);
        assert_true(s0 > 0);
        assert_int_equal(judged[s0 - 1].known, 0);
        assert_true(judged[s0 + 40].known);
        free(judged);

        /* A history that begins after the first day's window start: those days
         * are days without data. Here the history has none before day 200. */
        for (size_t day = 0; day < 200; day++)
                d[day] = (DaySignals) { .date = d[day].date, .screen_h = NAN, .night_ratio = NAN,
                                        .first_active = -1, .last_active = -1, .sleep_onset = -1,
                                        .sleep_offset = -1, .sleep_mid = -1, .sleep_h = NAN,
                                        .is = NAN, .iv = NAN, .ra = NAN, .l5 = NAN, .m10 = NAN };
        for (size_t day = 0; day < 200; day++)
                c[day].went_out = -1;
        PolicyEval *whole = NULL, *late = NULL;
        assert_int_equal(policy_judge(p, n_p, d, N, c, N, 18, 0, 450, &whole), 0);
        assert_int_equal(policy_judge(p, n_p, d + 200, N - 200, c, N, 18, 0, 250, &late), 0);
        for (size_t i = 0; i < n_p; i++)
                for (size_t day = 450; day < N; day++) {
                        assert_int_equal(whole[i * N + day].nudge, late[i * (N - 200) + day - 200].nudge);
                        assert_int_equal(whole[i * N + day].state, late[i * (N - 200) + day - 200].state);
                }
        free(whole);
        free(late);
        /* Days that are not consecutive. */
        DaySignals gap[2] = { d[0], d[2] };
        assert_int_equal(policy_judge(p, n_p, gap, 2, c, N, 18, 0, 2, &judged), -EINVAL);
        assert_int_equal(policy_judge(p, n_p, d, N, c, N, 18, 0, N + 1, &judged), -EINVAL);
        /* Nothing to judge. */
        assert_int_equal(policy_judge(p, n_p, d, N, c, N, 18, 0, N, &judged), 0);
        free(judged);

        for (size_t i = 0; i < n_p; i++)
                policy_free(p[i]);
        free(d);
        free(c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_window_start),
                cmocka_unit_test(test_judge_equals_own_window),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

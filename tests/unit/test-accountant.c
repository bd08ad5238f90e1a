/* Unit tests for the accountant, driven by a fake clock and fake time zones.
 * Expected amounts are worked out by hand in the comments next to them. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "accountant.h"
#include "macro.h"

#define SEC USEC_PER_SEC
#define MINUTE (60 * SEC)
#define HOUR (3600 * SEC)
#define H INT64_C(3600) /* an hour in seconds, for bucket starts */
#define M INT64_C(60)

/* 2026-06-01 00:00:00 UTC */
#define JUN1 INT64_C(1780272000)
/* 2026-03-28 23:00 UTC: 2026-03-29 00:00 CET, the start of the EU spring-forward day */
#define SPRING_DAY INT64_C(1774738800)
/* 2026-03-29 01:00 UTC: clocks go 02:00 CET → 03:00 CEST */
#define SPRING_CHANGE INT64_C(1774746000)
/* 2026-10-24 22:00 UTC: 2026-10-25 00:00 CEST, the start of the fall-back day */
#define AUTUMN_DAY INT64_C(1792879200)
/* 2026-10-25 01:00 UTC: clocks go 03:00 CEST → 02:00 CET */
#define AUTUMN_CHANGE INT64_C(1792890000)

/* UTC second of JUN1 + h:m */
static int64_t at(int64_t h, int64_t m) {
        return JUN1 + h * H + m * M;
}

/* ---- fake time zones ---- */

static int32_t off_utc(int64_t t, void *userdata) {
        (void) t;
        (void) userdata;
        return 0;
}

/* userdata points to the fixed offset */
static int32_t off_fixed(int64_t t, void *userdata) {
        (void) t;
        return *(const int32_t *) userdata;
}

static int32_t OFF_IST = 19800;     /* +05:30 */
static int32_t OFF_NPT = 20700;     /* +05:45 */
static int32_t OFF_BRT = -10800;    /* -03:00 */

/* EU rule for 2026 only: CET (+01:00), CEST (+02:00) between the two changes. */
static int32_t off_eu(int64_t t, void *userdata) {
        (void) userdata;
        return t >= SPRING_CHANGE && t < AUTUMN_CHANGE ? 7200 : 3600;
}

/* A traveller: `before` until UTC second `at`, `after` from then on. */
typedef struct ZoneChange {
        int64_t at;
        int32_t before;
        int32_t after;
} ZoneChange;

static int32_t off_change(int64_t t, void *userdata) {
        const ZoneChange *z = userdata;

        return t < z->at ? z->before : z->after;
}

/* ---- fake clock ---- */

typedef struct FakeClock {
        AcctTime t;
} FakeClock;

/* Boot and monotonic clocks start at unrelated values, as on a real machine. */
static FakeClock clock_at_us(int64_t wall_us) {
        return (FakeClock) { .t = { .boot_us = 5000 * SEC, .mono_us = 4000 * SEC, .wall_us = wall_us } };
}

static FakeClock clock_at(int64_t wall_s) {
        return clock_at_us(wall_s * SEC);
}

static void update(Accountant *a, FakeClock *c, AcctState state) {
        assert_true(accountant_update(a, &c->t, state) >= 0);
        assert_int_equal(accountant_state(a), state);
}

/* Time passes normally for `us`, then the state becomes `state`. */
static void step(Accountant *a, FakeClock *c, int64_t us, AcctState state) {
        c->t.boot_us += us;
        c->t.mono_us += us;
        c->t.wall_us += us;
        update(a, c, state);
}

/* The machine sleeps for `us` (the monotonic clock stops), then resumes in `state`. */
static void suspend(Accountant *a, FakeClock *c, int64_t us, AcctState state) {
        c->t.boot_us += us;
        c->t.wall_us += us;
        update(a, c, state);
}

static Accountant *acct_new(AcctOffsetFn fn, void *userdata) {
        Accountant *a = NULL;

        assert_int_equal(accountant_new(&a, fn, userdata), 0);
        assert_non_null(a);
        return a;
}

/* ---- checking pending() ---- */

static void expect_pending(const Accountant *a, const AcctBucket *exp, size_t n_exp) {
        AcctBucket *b = NULL;
        size_t n = 12345;

        assert_int_equal(accountant_pending(a, &b, &n), 0);
        if (n != n_exp)
                for (size_t i = 0; i < n; i++)
                        print_message("  got start=%lld off=%d active=%d observed=%d\n",
                                      (long long) b[i].start, b[i].utc_offset, b[i].active_s,
                                      b[i].observed_s);
        assert_int_equal(n, n_exp);
        for (size_t i = 0; i < n; i++) {
                assert_int_equal(b[i].start, exp[i].start);
                assert_int_equal(b[i].utc_offset, exp[i].utc_offset);
                assert_int_equal(b[i].active_s, exp[i].active_s);
                assert_int_equal(b[i].observed_s, exp[i].observed_s);
        }
        if (n == 0)
                assert_null(b);
        free(b);
}

#define EXPECT_PENDING(a, ...)                                          \
        do {                                                            \
                const AcctBucket _exp[] = { __VA_ARGS__ };              \
                expect_pending((a), _exp, ELEMENTSOF(_exp));            \
        } while (0)

static void expect_none(const Accountant *a) {
        expect_pending(a, NULL, 0);
}

/* ---- a fake store: adds what pending() hands out and caps each hour at its
 * length, as the real one does (an hour lived twice after the wall clock went
 * back is handed out again; the store keeps at most 3600 s of it) ---- */

typedef struct Store {
        AcctBucket *b; /* in order of first appearance */
        size_t n;
        size_t n_max;
} Store;

static Store *store_new(size_t n_max) {
        Store *st = calloc(1, sizeof(Store));

        assert_non_null(st);
        st->b = calloc(n_max, sizeof(AcctBucket));
        assert_non_null(st->b);
        st->n_max = n_max;
        return st;
}

static void store_free(Store *st) {
        free(st->b);
        free(st);
}

static AcctBucket *store_find(Store *st, int64_t start, int32_t off) {
        /* backwards: recent hours are at the end */
        for (size_t i = st->n; i > 0; i--)
                if (st->b[i - 1].start == start && st->b[i - 1].utc_offset == off)
                        return &st->b[i - 1];
        return NULL;
}

static int64_t store_observed(const Store *st) {
        int64_t sum = 0;

        for (size_t i = 0; i < st->n; i++)
                sum += st->b[i].observed_s;
        return sum;
}

/* pending() → store → commit(), checking the contract on the way. */
static void flush(Accountant *a, Store *st) {
        AcctBucket *b = NULL;
        size_t n = 0;

        assert_int_equal(accountant_pending(a, &b, &n), 0);
        if (n == 0)
                assert_null(b);

        for (size_t i = 0; i < n; i++) {
                AcctBucket *s;

                assert_true(b[i].active_s >= 0);
                assert_true(b[i].observed_s >= 0);
                assert_true(b[i].active_s > 0 || b[i].observed_s > 0);
                if (i > 0)
                        assert_true(b[i - 1].start < b[i].start ||
                                    (b[i - 1].start == b[i].start && b[i - 1].utc_offset < b[i].utc_offset));

                s = store_find(st, b[i].start, b[i].utc_offset);
                if (!s) {
                        assert_true(st->n < st->n_max);
                        s = &st->b[st->n++];
                        *s = (AcctBucket) { .start = b[i].start, .utc_offset = b[i].utc_offset };
                }
                assert_true(b[i].active_s <= b[i].observed_s || s->observed_s > 0);
                assert_true(b[i].observed_s <= 3600);
                s->observed_s = s->observed_s + b[i].observed_s > 3600 ? 3600 : s->observed_s + b[i].observed_s;
                s->active_s = s->active_s + b[i].active_s > s->observed_s ? s->observed_s
                                                                          : s->active_s + b[i].active_s;
        }
        free(b);

        accountant_commit(a);
}

static void expect_stored(Store *st, int64_t start, int32_t off, int32_t active, int32_t observed) {
        AcctBucket *s = store_find(st, start, off);

        if (!s)
                fail_msg("no bucket start=%lld off=%d", (long long) start, off);
        assert_int_equal(s->active_s, active);
        assert_int_equal(s->observed_s, observed);
}

/* ---- tests ---- */

static void test_new_free(void **state) {
        Accountant *a = NULL;

        (void) state;
        assert_int_equal(accountant_new(&a, NULL, NULL), -EINVAL);
        assert_null(a);
        assert_int_equal(accountant_new(NULL, off_utc, NULL), -EINVAL);
        assert_null(accountant_free(NULL));

        a = acct_new(off_utc, NULL);
        assert_int_equal(accountant_state(a), ACCT_UNOBSERVED);
        assert_true(accountant_next_boundary(a) == INT64_MAX);
        expect_none(a);
        accountant_commit(a); /* nothing to commit is fine */
        assert_null(accountant_free(a));
}

static void test_invalid_input(void **state) {
        Accountant *a = acct_new(off_utc, NULL);
        FakeClock c = clock_at(at(10, 0));
        AcctTime bad;

        (void) state;
        assert_int_equal(accountant_update(a, &c.t, (AcctState) 42), -EINVAL);
        assert_int_equal(accountant_update(a, NULL, ACCT_ACTIVE), -EINVAL);
        bad = c.t;
        bad.wall_us = INT64_MAX;
        assert_int_equal(accountant_update(a, &bad, ACCT_ACTIVE), -EINVAL);
        bad = c.t;
        bad.boot_us = INT64_MIN;
        assert_int_equal(accountant_update(a, &bad, ACCT_ACTIVE), -EINVAL);
        /* refused input changed nothing: still not started */
        assert_int_equal(accountant_state(a), ACCT_UNOBSERVED);
        assert_true(accountant_next_boundary(a) == INT64_MAX);

        update(a, &c, ACCT_ACTIVE);
        c.t.boot_us += 10 * MINUTE;
        c.t.mono_us += 10 * MINUTE;
        c.t.wall_us += 10 * MINUTE;
        assert_int_equal(accountant_update(a, &c.t, (AcctState) -1), -EINVAL);
        assert_int_equal(accountant_state(a), ACCT_ACTIVE);
        assert_int_equal(accountant_fill_inactive(a, INT64_MIN, at(9, 0)), -EINVAL);
        assert_int_equal(accountant_fill_inactive(a, at(9, 0), INT64_MAX), -EINVAL);
        expect_none(a);

        /* the refused step is simply accounted by the next good one: 10:00–10:10 */
        update(a, &c, ACCT_ACTIVE);
        EXPECT_PENDING(a, { at(10, 0), 0, 600, 600 });
        accountant_free(a);
}

static void test_first_update_records_nothing(void **state) {
        Accountant *a = acct_new(off_utc, NULL);
        FakeClock c = clock_at(at(10, 20));

        (void) state;
        update(a, &c, ACCT_ACTIVE);
        expect_none(a);
        assert_true(accountant_next_boundary(a) == at(11, 0) * SEC);
        accountant_free(a);
}

/* 08:30–09:30 active → 1800 s in the 08:00 hour, 1800 s in the 09:00 hour. */
static void test_hour_split(void **state) {
        Accountant *a = acct_new(off_utc, NULL);
        FakeClock c = clock_at(at(8, 30));

        (void) state;
        update(a, &c, ACCT_ACTIVE);
        step(a, &c, HOUR, ACCT_ACTIVE);
        EXPECT_PENDING(a,
                       { at(8, 0), 0, 1800, 1800 },
                       { at(9, 0), 0, 1800, 1800 });
        accountant_free(a);
}

/* One step 08:30–10:30 crosses two boundaries: 1800 + 3600 + 1800. */
static void test_hour_split_two_boundaries(void **state) {
        Accountant *a = acct_new(off_utc, NULL);
        FakeClock c = clock_at(at(8, 30));

        (void) state;
        update(a, &c, ACCT_INACTIVE);
        step(a, &c, 2 * HOUR, ACCT_INACTIVE);
        EXPECT_PENDING(a,
                       { at(8, 0), 0, 0, 1800 },
                       { at(9, 0), 0, 0, 3600 },
                       { at(10, 0), 0, 0, 1800 });
        accountant_free(a);
}

/* 10:00–10:10 active, 10:10–10:30 inactive, 10:30–10:45 unobserved,
 * 10:45–11:10 active, 11:10–11:15 inactive.
 *   10:00: active 600 + 900 = 1500, observed 600 + 1200 + 900 = 2700
 *   11:00: active 600, observed 600 + 300 = 900 */
static void test_transitions(void **state) {
        Accountant *a = acct_new(off_utc, NULL);
        FakeClock c = clock_at(at(10, 0));

        (void) state;
        update(a, &c, ACCT_ACTIVE);
        step(a, &c, 10 * MINUTE, ACCT_INACTIVE);
        step(a, &c, 20 * MINUTE, ACCT_UNOBSERVED);
        step(a, &c, 15 * MINUTE, ACCT_ACTIVE);
        EXPECT_PENDING(a, { at(10, 0), 0, 600, 1800 });
        step(a, &c, 25 * MINUTE, ACCT_INACTIVE);
        step(a, &c, 5 * MINUTE, ACCT_INACTIVE);
        EXPECT_PENDING(a,
                       { at(10, 0), 0, 1500, 2700 },
                       { at(11, 0), 0, 600, 900 });
        accountant_free(a);
}

/* Unobserved all along: the cursor moves, nothing is recorded. */
static void test_unobserved(void **state) {
        Accountant *a = acct_new(off_utc, NULL);
        FakeClock c = clock_at(at(10, 0));

        (void) state;
        update(a, &c, ACCT_UNOBSERVED);
        for (int i = 0; i < 12; i++)
                step(a, &c, 10 * MINUTE, ACCT_UNOBSERVED);
        expect_none(a);
        assert_true(accountant_next_boundary(a) == at(13, 0) * SEC);
        accountant_free(a);
}

/* +05:30: 03:00–05:00 UTC is local 08:30–10:30; local hours start at :30 UTC.
 *   local 08:00 = 02:30 UTC: 1800; local 09:00 = 03:30 UTC: 3600; local 10:00 = 04:30 UTC: 1800 */
static void test_half_hour_zone(void **state) {
        Accountant *a = acct_new(off_fixed, &OFF_IST);
        FakeClock c = clock_at(at(3, 0));
        AcctBucket *b = NULL;
        size_t n = 0;

        (void) state;
        update(a, &c, ACCT_ACTIVE);
        for (int i = 0; i < 8; i++)
                step(a, &c, 15 * MINUTE, ACCT_ACTIVE);
        EXPECT_PENDING(a,
                       { at(2, 30), 19800, 1800, 1800 },
                       { at(3, 30), 19800, 3600, 3600 },
                       { at(4, 30), 19800, 1800, 1800 });

        assert_int_equal(accountant_pending(a, &b, &n), 0);
        for (size_t i = 0; i < n; i++)
                assert_int_equal(b[i].start % 3600, 1800);
        free(b);
        accountant_free(a);
}

/* +05:45: 03:00–04:00 UTC is local 08:45–09:45.
 *   local 08:00 = 02:15 UTC: 900; local 09:00 = 03:15 UTC: 2700 */
static void test_45_minute_zone(void **state) {
        Accountant *a = acct_new(off_fixed, &OFF_NPT);
        FakeClock c = clock_at(at(3, 0));

        (void) state;
        update(a, &c, ACCT_ACTIVE);
        step(a, &c, HOUR, ACCT_ACTIVE);
        EXPECT_PENDING(a,
                       { at(2, 15), 20700, 900, 900 },
                       { at(3, 15), 20700, 2700, 2700 });
        accountant_free(a);
}

/* -03:00: 02:30–03:30 UTC is local May 31 23:30 – Jun 1 00:30.
 *   local 23:00 = 02:00 UTC: 1800; local 00:00 = 03:00 UTC: 1800 */
static void test_negative_offset(void **state) {
        Accountant *a = acct_new(off_fixed, &OFF_BRT);
        FakeClock c = clock_at(at(2, 30));

        (void) state;
        update(a, &c, ACCT_INACTIVE);
        step(a, &c, HOUR, ACCT_INACTIVE);
        EXPECT_PENDING(a,
                       { at(2, 0), -10800, 0, 1800 },
                       { at(3, 0), -10800, 0, 1800 });
        accountant_free(a);
}

/* Before 1970 bucket starts need floor division, not C's truncation. */
static void test_negative_times(void **state) {
        Accountant *a;
        FakeClock c;

        (void) state;

        /* UTC, 1969-12-31 22:30–23:30: buckets at -7200 and -3600 */
        a = acct_new(off_utc, NULL);
        c = clock_at(-5400);
        update(a, &c, ACCT_ACTIVE);
        step(a, &c, HOUR, ACCT_ACTIVE);
        EXPECT_PENDING(a,
                       { -7200, 0, 1800, 1800 },
                       { -3600, 0, 1800, 1800 });
        accountant_free(a);

        /* +05:30 at -1800 s is local 05:00 Jan 1 1970: its hour starts at -1800 UTC */
        a = acct_new(off_fixed, &OFF_IST);
        c = clock_at(-1800);
        update(a, &c, ACCT_ACTIVE);
        assert_true(accountant_next_boundary(a) == 1800 * SEC);
        step(a, &c, 30 * MINUTE, ACCT_ACTIVE);
        EXPECT_PENDING(a, { -1800, 19800, 1800, 1800 });
        accountant_free(a);

        /* Sub-second: -0.75 s … -0.25 s lies in the hour [-3600, 0). */
        a = acct_new(off_fixed, &OFF_BRT);
        c = clock_at_us(-750000);
        update(a, &c, ACCT_ACTIVE);
        step(a, &c, SEC / 2, ACCT_ACTIVE);
        assert_true(accountant_next_boundary(a) == 0);
        expect_none(a); /* open hour, 0.5 s: floor 0 */
        /* to +0.75 s: the closed hour holds 0.75 s → 1; the new one 0.75 s → 0 so far */
        step(a, &c, SEC, ACCT_ACTIVE);
        EXPECT_PENDING(a, { -3600, -10800, 1, 1 });
        assert_true(accountant_next_boundary(a) == 3600 * SEC);
        accountant_free(a);
}

/* The local day 2026-03-29 in the EU lasts 23 hours: 00:00 and 01:00 CET, then
 * 03:00 … 23:00 CEST; 02:00 does not exist. */
static void test_dst_spring(void **state) {
        Accountant *a = acct_new(off_eu, NULL);
        FakeClock c = clock_at(SPRING_DAY);
        Store *st = store_new(64);
        const int64_t local_midnight = SPRING_DAY + 3600; /* 2026-03-29 00:00 read as UTC */

        (void) state;
        update(a, &c, ACCT_INACTIVE);
        for (int i = 0; i < 23 * 6; i++)
                step(a, &c, 10 * MINUTE, ACCT_INACTIVE);
        assert_int_equal(c.t.wall_us, (SPRING_DAY + 23 * H) * SEC); /* local 24:00 CEST */
        flush(a, st);

        assert_int_equal(st->n, 23);
        for (size_t i = 0; i < st->n; i++) {
                int64_t local_hour = (st->b[i].start + st->b[i].utc_offset - local_midnight) / H;

                assert_int_equal(st->b[i].start, SPRING_DAY + (int64_t) i * H);
                assert_int_equal(st->b[i].utc_offset, i < 2 ? 3600 : 7200);
                assert_int_equal(local_hour, i < 2 ? (int64_t) i : (int64_t) i + 1);
                assert_int_equal(st->b[i].observed_s, 3600);
                assert_int_equal(st->b[i].active_s, 0);
        }
        expect_stored(st, SPRING_CHANGE - H, 3600, 0, 3600);    /* 01:00 CET */
        expect_stored(st, SPRING_CHANGE, 7200, 0, 3600);        /* 03:00 CEST */
        assert_int_equal(store_observed(st), 23 * 3600);
        store_free(st);
        accountant_free(a);
}

/* The local day 2026-10-25 lasts 25 hours: 02:00 happens twice, as two buckets
 * with contiguous UTC starts, +02:00 then +01:00. */
static void test_dst_autumn(void **state) {
        Accountant *a = acct_new(off_eu, NULL);
        FakeClock c = clock_at(AUTUMN_DAY);
        Store *st = store_new(64);
        const int64_t local_midnight = AUTUMN_DAY + 7200; /* 2026-10-25 00:00 read as UTC */

        (void) state;
        update(a, &c, ACCT_ACTIVE);
        for (int i = 0; i < 25 * 4; i++)
                step(a, &c, 15 * MINUTE, ACCT_ACTIVE);
        assert_int_equal(c.t.wall_us, (AUTUMN_DAY + 25 * H) * SEC); /* local 24:00 CET */
        flush(a, st);

        assert_int_equal(st->n, 25);
        for (size_t i = 0; i < st->n; i++) {
                int64_t local_hour = (st->b[i].start + st->b[i].utc_offset - local_midnight) / H;

                assert_int_equal(st->b[i].start, AUTUMN_DAY + (int64_t) i * H);
                assert_int_equal(st->b[i].utc_offset, i < 3 ? 7200 : 3600);
                assert_int_equal(local_hour, i < 3 ? (int64_t) i : (int64_t) i - 1);
                assert_int_equal(st->b[i].active_s, 3600);
                assert_int_equal(st->b[i].observed_s, 3600);
        }
        /* the repeated 02:00 */
        expect_stored(st, AUTUMN_CHANGE - H, 7200, 3600, 3600);
        expect_stored(st, AUTUMN_CHANGE, 3600, 3600, 3600);
        store_free(st);
        accountant_free(a);
}

/* Flying from +09:00 to +05:30, the zone changes at 10:10 UTC (local 19:10 →
 * 15:40). Active 09:50–10:50 UTC:
 *   (09:00 UTC, +9)    [09:50, 10:00)  600
 *   (10:00 UTC, +9)    [10:00, 10:10)  600   local 19:00, cut short by the change
 *   (09:30 UTC, +5:30) [10:10, 10:30) 1200   local 15:00, starts before the change
 *   (10:30 UTC, +5:30) [10:30, 10:50) 1200 */
static void test_zone_change_mid_hour(void **state) {
        ZoneChange z = { .at = at(10, 10), .before = 32400, .after = 19800 };
        Accountant *a = acct_new(off_change, &z);
        FakeClock c = clock_at(at(9, 50));

        (void) state;
        update(a, &c, ACCT_ACTIVE);
        assert_true(accountant_next_boundary(a) == at(10, 0) * SEC);
        step(a, &c, 15 * MINUTE, ACCT_ACTIVE);
        assert_true(accountant_next_boundary(a) == at(10, 10) * SEC);
        for (int i = 0; i < 9; i++)
                step(a, &c, 5 * MINUTE, ACCT_ACTIVE);
        assert_true(accountant_next_boundary(a) == at(11, 30) * SEC);
        EXPECT_PENDING(a,
                       { at(9, 0), 32400, 600, 600 },
                       { at(9, 30), 19800, 1200, 1200 },
                       { at(10, 0), 32400, 600, 600 },
                       { at(10, 30), 19800, 1200, 1200 });
        accountant_free(a);
}

/* The other way, +05:30 → +09:00 at 10:10 UTC (local 15:40 → 19:10), starting
 * at 09:50:00.4: the hour (09:30, +5:30) gets [09:50:00.4, 10:10) = 1199.6 s and
 * is closed as soon as the zone has changed (it rounds to 1200, not 1199), then
 * (10:00, +9) runs to 11:00. */
static void test_zone_change_closes_hour(void **state) {
        ZoneChange z = { .at = at(10, 10), .before = 19800, .after = 32400 };
        Accountant *a = acct_new(off_change, &z);
        FakeClock c = clock_at_us(at(9, 50) * SEC + 400000);

        (void) state;
        update(a, &c, ACCT_ACTIVE);
        assert_true(accountant_next_boundary(a) == at(10, 10) * SEC);
        step(a, &c, 20 * MINUTE + 4 * MINUTE, ACCT_ACTIVE); /* to 10:14:00.4 */
        assert_true(accountant_next_boundary(a) == at(11, 0) * SEC);
        EXPECT_PENDING(a,
                       { at(9, 30), 19800, 1200, 1200 },
                       { at(10, 0), 32400, 240, 240 });
        accountant_free(a);
}

/* Suspend: the boot clock advances, the monotonic clock does not. */
static void test_suspend(void **state) {
        Accountant *a;
        FakeClock c;

        (void) state;

        /* active at 10:00, asleep until 12:00: all observed-inactive */
        a = acct_new(off_utc, NULL);
        c = clock_at(at(10, 0));
        update(a, &c, ACCT_ACTIVE);
        suspend(a, &c, 2 * HOUR, ACCT_ACTIVE);
        EXPECT_PENDING(a,
                       { at(10, 0), 0, 0, 3600 },
                       { at(11, 0), 0, 0, 3600 });
        accountant_free(a);

        /* 10:00–10:30 active, asleep 10:30–11:30, 11:30–12:00 active */
        a = acct_new(off_utc, NULL);
        c = clock_at(at(10, 0));
        update(a, &c, ACCT_ACTIVE);
        step(a, &c, 30 * MINUTE, ACCT_ACTIVE);
        suspend(a, &c, HOUR, ACCT_ACTIVE);
        step(a, &c, 30 * MINUTE, ACCT_ACTIVE);
        EXPECT_PENDING(a,
                       { at(10, 0), 0, 1800, 3600 },
                       { at(11, 0), 0, 1800, 3600 });
        accountant_free(a);

        /* One step of 40 min of which the monotonic clock saw 10: the awake part
         * comes first, 10:00–10:10 active, then 10:10–10:40 inactive. */
        a = acct_new(off_utc, NULL);
        c = clock_at(at(10, 0));
        update(a, &c, ACCT_ACTIVE);
        c.t.boot_us += 40 * MINUTE;
        c.t.mono_us += 10 * MINUTE;
        c.t.wall_us += 40 * MINUTE;
        update(a, &c, ACCT_ACTIVE);
        EXPECT_PENDING(a, { at(10, 0), 0, 600, 2400 });
        accountant_free(a);
}

/* The boot clock is read before the monotonic one: a process preempted
 * between the two reads sees less boot than monotonic time, and at the next
 * step that lag comes back as boot time the monotonic clock did not see. It is
 * no suspend: thousands of such steps under load lost seconds of activity. */
static void test_clock_read_lag(void **state) {
        (void) state;
        Accountant *a = acct_new(off_utc, NULL);
        FakeClock c = clock_at(at(10, 0));
        update(a, &c, ACCT_ACTIVE);
        for (int i = 0; i < 600; i++) {
                /* 1 s apart; every other step preempted for 80 ms between the reads. */
                int64_t lag = i % 2 ? 80000 : 0, before = i % 2 ? 0 : 80000;
                c.t.boot_us += SEC;
                c.t.mono_us += SEC + lag - before;
                c.t.wall_us += SEC;
                update(a, &c, ACCT_ACTIVE);
        }
        EXPECT_PENDING(a, { at(10, 0), 0, 600, 600 });
        /* A real suspend of a second or more still counts as away. */
        suspend(a, &c, 2 * SEC, ACCT_ACTIVE);
        EXPECT_PENDING(a, { at(10, 0), 0, 600, 602 });
        accountant_free(a);
}

/* Asleep while unobserved records nothing; only the time after resume counts. */
static void test_suspend_unobserved(void **state) {
        Accountant *a = acct_new(off_utc, NULL);
        FakeClock c = clock_at(at(10, 0));

        (void) state;
        update(a, &c, ACCT_UNOBSERVED);
        suspend(a, &c, 2 * HOUR, ACCT_ACTIVE);
        expect_none(a);
        step(a, &c, 30 * MINUTE, ACCT_ACTIVE);
        EXPECT_PENDING(a, { at(12, 0), 0, 1800, 1800 });
        accountant_free(a);
}

/* Clocks misbehaving: the monotonic clock running ahead of the boot clock is
 * clamped; a boot clock going backwards accounts nothing. */
static void test_clock_oddities(void **state) {
        Accountant *a = acct_new(off_utc, NULL);
        FakeClock c = clock_at(at(10, 0));

        (void) state;
        update(a, &c, ACCT_ACTIVE);
        c.t.boot_us += 10 * MINUTE;
        c.t.mono_us += 20 * MINUTE;
        c.t.wall_us += 10 * MINUTE;
        update(a, &c, ACCT_ACTIVE);
        EXPECT_PENDING(a, { at(10, 0), 0, 600, 600 });

        c.t.boot_us -= 5 * MINUTE;
        c.t.mono_us -= 5 * MINUTE;
        c.t.wall_us += 10 * MINUTE;
        update(a, &c, ACCT_ACTIVE);
        EXPECT_PENDING(a, { at(10, 0), 0, 600, 600 });

        /* back to normal from the new readings: 10:20–10:30 */
        step(a, &c, 10 * MINUTE, ACCT_ACTIVE);
        EXPECT_PENDING(a, { at(10, 0), 0, 1200, 1200 });
        accountant_free(a);
}

/* The wall clock jumps 1 h forward during a 10-minute step (real time 60 min):
 *   10:00–10:30 normal, then the step ends at 11:40 and covers 11:30–11:40,
 *   11:40–12:00 normal; 10:30–11:30 was never lived and is not recorded. */
static void test_wall_jump_forward(void **state) {
        Accountant *a = acct_new(off_utc, NULL);
        FakeClock c = clock_at(at(10, 0));
        Store *st = store_new(16);

        (void) state;
        update(a, &c, ACCT_ACTIVE);
        step(a, &c, 30 * MINUTE, ACCT_ACTIVE);
        c.t.wall_us += HOUR;
        step(a, &c, 10 * MINUTE, ACCT_ACTIVE);
        step(a, &c, 20 * MINUTE, ACCT_ACTIVE);
        EXPECT_PENDING(a,
                       { at(10, 0), 0, 1800, 1800 },
                       { at(11, 0), 0, 1800, 1800 });
        flush(a, st);
        assert_int_equal(store_observed(st), 3600); /* == real elapsed */
        store_free(st);
        accountant_free(a);
}

/* No bucket handed out starts after the wall clock of the last step. */
static void expect_no_future(const Accountant *a, const FakeClock *c) {
        AcctBucket *b = NULL;
        size_t n = 0;

        assert_int_equal(accountant_pending(a, &b, &n), 0);
        for (size_t i = 0; i < n; i++)
                if (b[i].start * SEC > c->t.wall_us)
                        fail_msg("bucket start=%lld lies after the wall clock %lld", (long long) b[i].start,
                                 (long long) (c->t.wall_us / SEC));
        free(b);
}

/* The wall clock jumps 1 h back at 10:40 (to 09:40). Recording goes on under
 * the new wall time at once: the step 09:30–09:40 lands in the 09:00 hour. The
 * 10:00 hour (1800 s stored, nothing pending) now lies in the future and leaves
 * memory; lived again 10:00–11:00 it holds at most 3600 s (the second pass of
 * 10:00–10:30 is lost, never doubled). Real elapsed: 120 min; stored 90 min. */
static void test_wall_jump_backward(void **state) {
        Accountant *a = acct_new(off_utc, NULL);
        FakeClock c = clock_at(at(10, 0));
        Store *st = store_new(16);

        (void) state;
        update(a, &c, ACCT_ACTIVE);
        step(a, &c, 30 * MINUTE, ACCT_ACTIVE);
        flush(a, st);
        c.t.wall_us -= HOUR;
        c.t.boot_us += 10 * MINUTE;
        c.t.mono_us += 10 * MINUTE;
        c.t.wall_us += 10 * MINUTE;
        assert_int_equal(accountant_update(a, &c.t, ACCT_ACTIVE), 1); /* wall 09:40 */
        assert_true(accountant_last_jump(a) == -HOUR);
        EXPECT_PENDING(a, { at(9, 0), 0, 600, 600 });
        assert_true(accountant_next_boundary(a) == at(10, 0) * SEC);
        for (int i = 0; i < 8; i++) {
                step(a, &c, 10 * MINUTE, ACCT_ACTIVE); /* 09:40 → 11:00 */
                expect_no_future(a, &c);
                flush(a, st);
        }
        assert_int_equal(st->n, 2);
        expect_stored(st, at(9, 0), 0, 1800, 1800);
        expect_stored(st, at(10, 0), 0, 3600, 3600);
        assert_true(store_observed(st) <= 120 * 60);
        store_free(st);
        accountant_free(a);
}

/* Issue #17: the wall clock leaps a year ahead for 15 s and comes back. The
 * 15 s (and the 5 s before the leap, in the same step) were lived: held under
 * the year-ahead hour while the clock said so, they move into the current hour
 * when it comes back, and recording goes on at 1 s/s. Nothing is ever handed
 * out for an hour after the wall clock; the total is what was lived. */
static void test_wall_jump_year_and_back(void **state) {
        const int64_t year = INT64_C(365) * 24 * HOUR;
        Accountant *a = acct_new(off_utc, NULL);
        FakeClock c = clock_at(at(10, 0));
        Store *st = store_new(16);

        (void) state;
        update(a, &c, ACCT_ACTIVE);
        step(a, &c, 30 * MINUTE, ACCT_ACTIVE);
        flush(a, st);
        c.t.wall_us += year;
        step(a, &c, 5 * SEC, ACCT_ACTIVE);
        assert_true(accountant_last_jump(a) == year);
        step(a, &c, 10 * SEC, ACCT_ACTIVE);
        EXPECT_PENDING(a, { (at(10, 30) * SEC + year) / SEC - 30 * M, 0, 15, 15 });
        c.t.wall_us -= year;
        step(a, &c, 5 * SEC, ACCT_ACTIVE); /* 10:30:20 */
        expect_no_future(a, &c);
        EXPECT_PENDING(a, { at(10, 0), 0, 20, 20 });
        for (int i = 0; i < 3; i++) {
                step(a, &c, 10 * MINUTE, ACCT_ACTIVE); /* to 11:00:20 */
                expect_no_future(a, &c);
        }
        flush(a, st);
        assert_int_equal(st->n, 2);
        expect_stored(st, at(10, 0), 0, 3600, 3600);
        expect_stored(st, at(11, 0), 0, 20, 20);
        assert_int_equal(store_observed(st), 60 * 60 + 20); /* == lived */
        store_free(st);
        accountant_free(a);
}

/* The same leap with a flush while the clock is ahead: what was stored under
 * the future hour is the store's matter (the daemon drops stored hours that
 * start after now); what was not stored yet moves to the current hour. */
static void test_wall_jump_flushed_while_ahead(void **state) {
        const int64_t ahead = HOUR;
        Accountant *a = acct_new(off_utc, NULL);
        FakeClock c = clock_at(at(10, 50));
        Store *st = store_new(16);

        (void) state;
        update(a, &c, ACCT_ACTIVE);
        step(a, &c, 5 * MINUTE, ACCT_ACTIVE); /* 10:55 */
        c.t.wall_us += ahead;
        step(a, &c, 8 * SEC, ACCT_ACTIVE); /* 11:55:08 */
        flush(a, st);
        expect_stored(st, at(11, 0), 0, 8, 8);
        step(a, &c, 7 * SEC, ACCT_ACTIVE);
        c.t.wall_us -= ahead;
        step(a, &c, 5 * SEC, ACCT_ACTIVE); /* 10:55:20 */
        expect_no_future(a, &c);
        EXPECT_PENDING(a, { at(10, 0), 0, 7 + 5, 7 + 5 });
        flush(a, st);
        expect_stored(st, at(10, 0), 0, 300 + 12, 300 + 12);
        store_free(st);
        accountant_free(a);
}

/* The wall clock goes back an hour for 15 s, then forward again. The latest
 * clock is taken to be right: at 09:40:15 the 10:00 hour lies in the future,
 * so its 600 s (not stored yet) move into the 09:00 hour with the 15 s; forward
 * again, the 10:00 hour starts afresh. Labels shift, the total is what was
 * lived: nothing lost or doubled. */
static void test_wall_jump_back_and_forth(void **state) {
        Accountant *a = acct_new(off_utc, NULL);
        FakeClock c = clock_at(at(10, 30));
        Store *st = store_new(16);

        (void) state;
        update(a, &c, ACCT_INACTIVE);
        step(a, &c, 10 * MINUTE, ACCT_ACTIVE); /* 10:40 */
        c.t.wall_us -= HOUR;
        step(a, &c, 15 * SEC, ACCT_ACTIVE); /* 09:40:15 */
        expect_no_future(a, &c);
        EXPECT_PENDING(a, { at(9, 0), 0, 15, 615 });
        c.t.wall_us += HOUR;
        step(a, &c, 45 * SEC, ACCT_ACTIVE); /* 10:41 */
        flush(a, st);
        expect_stored(st, at(9, 0), 0, 15, 615);
        expect_stored(st, at(10, 0), 0, 45, 45);
        assert_int_equal(store_observed(st), 11 * 60); /* == lived */
        store_free(st);
        accountant_free(a);
}

/* Issue #17: a forget drops what the accountant holds of the forgotten hours,
 * the fractions of the open hour included, so nothing of them is written
 * later. 10:00:00–10:30:00.7 active is stored as 1800 s (floor, open hour),
 * the forget deletes it, then 0.1 s more is accounted (the step to the
 * forget's update, consent gone). Without the discard, closing the hour hands
 * out round(1800.8) - 1800 = 1 s; with it, nothing. */
static void forget_open_hour(Accountant *a, bool discard) {
        FakeClock c = clock_at(at(10, 0));
        Store *st = store_new(16);

        update(a, &c, ACCT_ACTIVE);
        step(a, &c, 30 * MINUTE + 700000, ACCT_ACTIVE);
        flush(a, st);
        expect_stored(st, at(10, 0), 0, 1800, 1800);
        step(a, &c, 100000, ACCT_UNOBSERVED);
        if (discard)
                accountant_discard(a, at(10, 0), at(11, 0));
        step(a, &c, 30 * MINUTE, ACCT_UNOBSERVED); /* the hour closes */
        if (discard)
                expect_none(a);
        else
                EXPECT_PENDING(a, { at(10, 0), 0, 1, 1 });
        store_free(st);
}

static void test_discard(void **state) {
        Accountant *a = acct_new(off_utc, NULL);
        FakeClock c = clock_at(at(10, 0));

        (void) state;
        forget_open_hour(a, false);
        accountant_free(a);
        a = acct_new(off_utc, NULL);
        forget_open_hour(a, true);

        /* Only the range goes; time accounted later starts afresh. */
        accountant_free(a);
        a = acct_new(off_utc, NULL);
        update(a, &c, ACCT_ACTIVE);
        step(a, &c, 90 * MINUTE, ACCT_ACTIVE); /* 10:00–11:30 */
        accountant_discard(a, at(11, 0), at(12, 0));
        EXPECT_PENDING(a, { at(10, 0), 0, 3600, 3600 });
        step(a, &c, 10 * MINUTE, ACCT_ACTIVE);
        EXPECT_PENDING(a, { at(10, 0), 0, 3600, 3600 }, { at(11, 0), 0, 600, 600 });
        accountant_free(a);
}

/* 7200 steps of 0.5 s active from 10:30:00.3 to 11:30:00.3, committed every 7
 * steps: 10:00 holds 1799.7 s → 1800 once closed, 11:00 holds 1800.3 s → 1800
 * while open. Another 7200 steps to 12:30:00.3: 11:00 closes at exactly 3600,
 * 12:00 holds 1800. Nothing lost or doubled: 7200 s stored for 7200 s lived. */
static void test_rounding_many_steps(void **state) {
        Accountant *a = acct_new(off_utc, NULL);
        FakeClock c = clock_at_us(at(10, 30) * SEC + 300000);
        Store *st = store_new(16);

        (void) state;
        update(a, &c, ACCT_ACTIVE);
        for (int i = 1; i <= 7200; i++) {
                step(a, &c, SEC / 2, ACCT_ACTIVE);
                if (i % 7 == 0)
                        flush(a, st);
        }
        flush(a, st);
        expect_stored(st, at(10, 0), 0, 1800, 1800);
        expect_stored(st, at(11, 0), 0, 1800, 1800);

        for (int i = 1; i <= 7200; i++) {
                step(a, &c, SEC / 2, ACCT_ACTIVE);
                if (i % 5 == 0)
                        flush(a, st);
        }
        flush(a, st);
        assert_int_equal(st->n, 3);
        expect_stored(st, at(10, 0), 0, 1800, 1800);
        expect_stored(st, at(11, 0), 0, 3600, 3600);
        expect_stored(st, at(12, 0), 0, 1800, 1800);
        assert_int_equal(store_observed(st), 7200);
        store_free(st);
        accountant_free(a);
}

/* 12000 steps of 0.3 s inactive from 10:00:00.1 to 11:00:00.1, committed every
 * 3 steps: 10:00 holds 3599.9 s → 3600; 11:00 holds 0.1 s → nothing yet. */
static void test_rounding_short_steps(void **state) {
        Accountant *a = acct_new(off_utc, NULL);
        FakeClock c = clock_at_us(at(10, 0) * SEC + 100000);
        Store *st = store_new(16);

        (void) state;
        update(a, &c, ACCT_INACTIVE);
        for (int i = 1; i <= 12000; i++) {
                step(a, &c, 300000, ACCT_INACTIVE);
                if (i % 3 == 0)
                        flush(a, st);
        }
        flush(a, st);
        assert_int_equal(st->n, 1);
        expect_stored(st, at(10, 0), 0, 0, 3600);
        store_free(st);
        accountant_free(a);
}

/* The open hour hands out whole seconds (floor); once closed the rest is rounded. */
static void test_open_floor_closed_round(void **state) {
        Accountant *a;
        FakeClock c;

        (void) state;

        /* 10:59:00.4 → 10:59:59.9 is 59.5 s: 59 while open; at 11:00:00.0 the hour
         * is closed with 59.6 s → 60, so 1 more. */
        a = acct_new(off_utc, NULL);
        c = clock_at_us(at(10, 59) * SEC + 400000);
        update(a, &c, ACCT_ACTIVE);
        step(a, &c, 59500000, ACCT_ACTIVE);
        EXPECT_PENDING(a, { at(10, 0), 0, 59, 59 });
        accountant_commit(a);
        expect_none(a);
        step(a, &c, 100000, ACCT_ACTIVE);
        assert_int_equal(c.t.wall_us, at(11, 0) * SEC);
        EXPECT_PENDING(a, { at(10, 0), 0, 1, 1 });
        accountant_commit(a);
        expect_none(a);
        step(a, &c, 400000, ACCT_ACTIVE); /* 0.4 s into the open 11:00 hour */
        expect_none(a);
        accountant_free(a);

        /* 10:59:00.6 → 10:59:59.9 is 59.3 s: 59; closed at 59.4 s it stays 59. */
        a = acct_new(off_utc, NULL);
        c = clock_at_us(at(10, 59) * SEC + 600000);
        update(a, &c, ACCT_INACTIVE);
        step(a, &c, 59300000, ACCT_INACTIVE);
        EXPECT_PENDING(a, { at(10, 0), 0, 0, 59 });
        accountant_commit(a);
        step(a, &c, 100000, ACCT_INACTIVE);
        expect_none(a);
        accountant_commit(a);
        expect_none(a);
        accountant_free(a);

        /* Not committing: pending keeps answering the whole amount. */
        a = acct_new(off_utc, NULL);
        c = clock_at_us(at(10, 59) * SEC + 400000);
        update(a, &c, ACCT_ACTIVE);
        step(a, &c, 59500000, ACCT_ACTIVE);
        EXPECT_PENDING(a, { at(10, 0), 0, 59, 59 });
        step(a, &c, 100000, ACCT_ACTIVE);
        EXPECT_PENDING(a, { at(10, 0), 0, 60, 60 });
        accountant_free(a);
}

/* The timeline starts at 10:20; the daemon had stopped cleanly at 08:40.
 *   fill 08:40–10:20: 08:00 1200, 09:00 3600, 10:00 1200
 *   then 10:20–11:00 active: 10:00 is 2400 active of 3600 observed */
static void test_fill_inactive(void **state) {
        Accountant *a = acct_new(off_utc, NULL);
        FakeClock c = clock_at(at(10, 20));

        (void) state;
        update(a, &c, ACCT_ACTIVE);
        assert_int_equal(accountant_fill_inactive(a, at(8, 40), at(10, 20)), 0);
        EXPECT_PENDING(a,
                       { at(8, 0), 0, 0, 1200 },
                       { at(9, 0), 0, 0, 3600 },
                       { at(10, 0), 0, 0, 1200 });
        /* the same again, and an overlap: only 08:30–08:40 is new */
        assert_int_equal(accountant_fill_inactive(a, at(8, 40), at(10, 20)), 0);
        assert_int_equal(accountant_fill_inactive(a, at(8, 30), at(8, 50)), 0);
        EXPECT_PENDING(a,
                       { at(8, 0), 0, 0, 1800 },
                       { at(9, 0), 0, 0, 3600 },
                       { at(10, 0), 0, 0, 1200 });
        step(a, &c, 40 * MINUTE, ACCT_ACTIVE);
        EXPECT_PENDING(a,
                       { at(8, 0), 0, 0, 1800 },
                       { at(9, 0), 0, 0, 3600 },
                       { at(10, 0), 0, 2400, 3600 });

        /* Already accounted: nothing. Empty or reversed: nothing. */
        assert_int_equal(accountant_fill_inactive(a, at(10, 0), at(11, 0)), 0);
        assert_int_equal(accountant_fill_inactive(a, at(8, 30), at(8, 45)), 0);
        assert_int_equal(accountant_fill_inactive(a, at(6, 0), at(5, 0)), 0);
        assert_int_equal(accountant_fill_inactive(a, at(6, 0), at(6, 0)), 0);
        EXPECT_PENDING(a,
                       { at(8, 0), 0, 0, 1800 },
                       { at(9, 0), 0, 0, 3600 },
                       { at(10, 0), 0, 2400, 3600 });

        /* 07:00–09:00 overlaps what was filled: only 07:00–08:30 is new. */
        assert_int_equal(accountant_fill_inactive(a, at(7, 0), at(9, 0)), 0);
        EXPECT_PENDING(a,
                       { at(7, 0), 0, 0, 3600 },
                       { at(8, 0), 0, 0, 3600 },
                       { at(9, 0), 0, 0, 3600 },
                       { at(10, 0), 0, 2400, 3600 });
        assert_int_equal(accountant_fill_inactive(a, at(7, 0), at(8, 30)), 0);
        EXPECT_PENDING(a,
                       { at(7, 0), 0, 0, 3600 },
                       { at(8, 0), 0, 0, 3600 },
                       { at(9, 0), 0, 0, 3600 },
                       { at(10, 0), 0, 2400, 3600 });
        accountant_free(a);
}

/* A fill before the first update; the timeline then starts behind it (the wall
 * clock went back). Updates still count under the wall clock: 09:30–10:00
 * active lands in the 09:00 hour, already full of fill, so it stays at 3600 s
 * observed, 1800 of them active (lived twice: capped, never doubled). */
static void test_fill_before_start(void **state) {
        Accountant *a = acct_new(off_utc, NULL);
        FakeClock c = clock_at(at(9, 30));

        (void) state;
        assert_int_equal(accountant_fill_inactive(a, at(8, 0), at(10, 0)), 0);
        assert_true(accountant_next_boundary(a) == INT64_MAX);
        update(a, &c, ACCT_ACTIVE);
        step(a, &c, 30 * MINUTE, ACCT_ACTIVE); /* 09:30–10:00: filled already */
        EXPECT_PENDING(a,
                       { at(8, 0), 0, 0, 3600 },
                       { at(9, 0), 0, 1800, 3600 });
        step(a, &c, 30 * MINUTE, ACCT_ACTIVE); /* 10:00–10:30 */
        assert_int_equal(accountant_fill_inactive(a, at(7, 0), at(9, 0)), 0); /* 07:00–08:00 */
        EXPECT_PENDING(a,
                       { at(7, 0), 0, 0, 3600 },
                       { at(8, 0), 0, 0, 3600 },
                       { at(9, 0), 0, 1800, 3600 },
                       { at(10, 0), 0, 1800, 1800 });
        accountant_free(a);
}

/* The timeline starts at 10:20:00.5 and its 10:00 hour (2399.5 s → 2400) is
 * stored and dropped before the fill arrives; the fill stops at whole seconds
 * (10:20:00), so the hour adds up to 3600, not 3601. */
static void test_fill_after_commit(void **state) {
        Accountant *a = acct_new(off_utc, NULL);
        FakeClock c = clock_at_us(at(10, 20) * SEC + 500000);
        Store *st = store_new(16);

        (void) state;
        update(a, &c, ACCT_INACTIVE);
        step(a, &c, 70 * MINUTE, ACCT_INACTIVE); /* to 11:30:00.5 */
        flush(a, st);
        expect_stored(st, at(10, 0), 0, 0, 2400);
        expect_stored(st, at(11, 0), 0, 0, 1800);
        assert_int_equal(accountant_fill_inactive(a, at(9, 0), at(11, 0)), 0);
        flush(a, st);
        expect_stored(st, at(9, 0), 0, 0, 3600);
        expect_stored(st, at(10, 0), 0, 0, 3600);
        store_free(st);
        accountant_free(a);
}

/* Three weeks stopped cleanly: one full observed-inactive bucket per hour. */
static void test_fill_long(void **state) {
        Accountant *a = acct_new(off_utc, NULL);
        FakeClock c = clock_at(JUN1);
        Store *st = store_new(1024);

        (void) state;
        update(a, &c, ACCT_INACTIVE);
        assert_int_equal(accountant_fill_inactive(a, JUN1 - 21 * 24 * H, JUN1 + 5 * H), 0);
        flush(a, st);
        assert_int_equal(st->n, 21 * 24);
        for (size_t i = 0; i < st->n; i++) {
                assert_int_equal(st->b[i].start, JUN1 - 21 * 24 * H + (int64_t) i * H);
                assert_int_equal(st->b[i].observed_s, 3600);
                assert_int_equal(st->b[i].active_s, 0);
        }
        expect_none(a);
        store_free(st);
        accountant_free(a);
}

static void test_next_boundary(void **state) {
        ZoneChange lord_howe = { .at = at(10, 15), .before = 37800, .after = 39600 };
        Accountant *a;
        FakeClock c;

        (void) state;

        a = acct_new(off_utc, NULL);
        assert_true(accountant_next_boundary(a) == INT64_MAX);
        c = clock_at(at(10, 20));
        update(a, &c, ACCT_UNOBSERVED);
        assert_true(accountant_next_boundary(a) == at(11, 0) * SEC);
        step(a, &c, 40 * MINUTE, ACCT_UNOBSERVED); /* exactly 11:00: the next hour */
        assert_true(accountant_next_boundary(a) == at(12, 0) * SEC);
        accountant_free(a);

        /* +05:30: 10:20 UTC is local 15:50, which ends at 10:30 UTC */
        a = acct_new(off_fixed, &OFF_IST);
        c = clock_at(at(10, 20));
        update(a, &c, ACCT_ACTIVE);
        assert_true(accountant_next_boundary(a) == at(10, 30) * SEC);
        accountant_free(a);

        /* +05:45: 10:20 UTC is local 16:05, which ends at 11:15 UTC */
        a = acct_new(off_fixed, &OFF_NPT);
        c = clock_at(at(10, 20));
        update(a, &c, ACCT_ACTIVE);
        assert_true(accountant_next_boundary(a) == at(11, 15) * SEC);
        accountant_free(a);

        /* Spring: 00:30 UTC is 01:30 CET, ending at 01:00 UTC = 03:00 CEST, whose
         * hour ends at 02:00 UTC. */
        a = acct_new(off_eu, NULL);
        c = clock_at(SPRING_CHANGE - 30 * M);
        update(a, &c, ACCT_ACTIVE);
        assert_true(accountant_next_boundary(a) == SPRING_CHANGE * SEC);
        step(a, &c, 30 * MINUTE, ACCT_ACTIVE);
        assert_true(accountant_next_boundary(a) == (SPRING_CHANGE + H) * SEC);
        accountant_free(a);

        /* Autumn: 02:30 CEST ends at 01:00 UTC; 02:30 CET at 02:00 UTC. */
        a = acct_new(off_eu, NULL);
        c = clock_at(AUTUMN_CHANGE - 30 * M);
        update(a, &c, ACCT_ACTIVE);
        assert_true(accountant_next_boundary(a) == AUTUMN_CHANGE * SEC);
        step(a, &c, HOUR, ACCT_ACTIVE);
        assert_true(accountant_next_boundary(a) == (AUTUMN_CHANGE + H) * SEC);
        accountant_free(a);

        /* Lord Howe style half-hour DST: +10:30 → +11:00 at 10:15 UTC (local 20:45
         * → 21:15). At 10:00 UTC (local 20:30) the hour ends at the change; then
         * local 21:15 belongs to 21:00 = 10:00 UTC, ending at 11:00 UTC. */
        a = acct_new(off_change, &lord_howe);
        c = clock_at(at(10, 0));
        update(a, &c, ACCT_ACTIVE);
        assert_true(accountant_next_boundary(a) == at(10, 15) * SEC);
        step(a, &c, 30 * MINUTE, ACCT_ACTIVE);
        assert_true(accountant_next_boundary(a) == at(11, 0) * SEC);
        EXPECT_PENDING(a,
                       { at(9, 30), 37800, 900, 900 },  /* local 20:00, [10:00, 10:15) */
                       { at(10, 0), 39600, 900, 900 }); /* local 21:00, [10:15, 10:30) */
        accountant_free(a);
}

/* A suspend of 500 days: one step accounts at most its last 400 days
 * (9600 hours), all observed-inactive. */
static void test_long_suspend(void **state) {
        Accountant *a = acct_new(off_utc, NULL);
        FakeClock c = clock_at(JUN1);
        AcctBucket *b = NULL;
        size_t n = 0;

        (void) state;
        update(a, &c, ACCT_ACTIVE);
        suspend(a, &c, 500 * 24 * HOUR, ACCT_ACTIVE);
        assert_int_equal(accountant_pending(a, &b, &n), 0);
        assert_int_equal(n, 400 * 24);
        for (size_t i = 0; i < n; i++) {
                assert_int_equal(b[i].start, JUN1 + 100 * 24 * H + (int64_t) i * H);
                assert_int_equal(b[i].active_s, 0);
                assert_int_equal(b[i].observed_s, 3600);
        }
        free(b);
        accountant_free(a);
}

/* Too many uncommitted hours: the step is refused and changes nothing; once
 * the backlog is committed the same step goes through. */
static void test_too_many_buckets(void **state) {
        Accountant *a = acct_new(off_utc, NULL);
        FakeClock c = clock_at(JUN1);
        AcctTime later;
        AcctBucket *b = NULL;
        size_t n = 0;

        (void) state;
        update(a, &c, ACCT_ACTIVE);
        assert_int_equal(accountant_fill_inactive(a, JUN1 - 400 * 24 * H, JUN1), 0);
        later = c.t;
        later.boot_us += 400 * 24 * HOUR;
        later.wall_us += 400 * 24 * HOUR;
        assert_int_equal(accountant_update(a, &later, ACCT_INACTIVE), -ENOBUFS);
        assert_int_equal(accountant_state(a), ACCT_ACTIVE);
        assert_true(accountant_next_boundary(a) == (JUN1 + H) * SEC);

        assert_int_equal(accountant_pending(a, &b, &n), 0);
        assert_int_equal(n, 400 * 24);
        free(b);
        accountant_commit(a);
        expect_none(a);

        assert_int_equal(accountant_update(a, &later, ACCT_INACTIVE), 0);
        assert_int_equal(accountant_pending(a, &b, &n), 0);
        assert_int_equal(n, 400 * 24);
        assert_int_equal(b[0].start, JUN1);
        free(b);
        accountant_free(a);
}

/* ---- property-style: random steps ---- */

static uint64_t xorshift64(uint64_t *s) {
        uint64_t x = *s;

        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return *s = x;
}

static int64_t rnd(uint64_t *s, int64_t n) {
        return (int64_t) (xorshift64(s) % (uint64_t) n);
}

#define PROP_HOURS 2200

/* UTC, no jumps, no suspend. The test keeps its own µs per hour; every closed
 * hour must be stored as exactly round(µs), the open one within a second, and
 * the total observed equals the time lived in observed states. */
static void run_property(uint64_t seed, bool with_unobserved) {
        static int64_t exp_act[PROP_HOURS], exp_obs[PROP_HOURS];
        const int64_t base = JUN1 - 7 * H;
        Accountant *a = acct_new(off_utc, NULL);
        FakeClock c = clock_at_us(base * SEC + 123457);
        Store *st = store_new(PROP_HOURS);
        AcctState s = ACCT_ACTIVE;
        int64_t lived_obs = 0, stored_act = 0, stored_obs = 0;
        int64_t last_hour;

        memset(exp_act, 0, sizeof(exp_act));
        memset(exp_obs, 0, sizeof(exp_obs));

        update(a, &c, s);
        for (int i = 0; i < 12000; i++) {
                int64_t dt = rnd(&seed, 4) == 0 ? rnd(&seed, 3 * SEC)
                                                : rnd(&seed, 20 * MINUTE) + rnd(&seed, SEC);
                int64_t t0 = c.t.wall_us, t1 = t0 + dt;
                AcctState next = (AcctState) rnd(&seed, 3);

                if (!with_unobserved && next == ACCT_UNOBSERVED)
                        next = ACCT_INACTIVE;

                /* the model: split [t0, t1) at whole UTC hours */
                if (s != ACCT_UNOBSERVED) {
                        lived_obs += dt;
                        for (int64_t t = t0; t < t1;) {
                                int64_t h = t / HOUR - base / H;
                                int64_t e = (t / HOUR + 1) * HOUR;

                                if (e > t1)
                                        e = t1;
                                assert_true(h >= 0 && h < PROP_HOURS);
                                exp_obs[h] += e - t;
                                if (s == ACCT_ACTIVE)
                                        exp_act[h] += e - t;
                                t = e;
                        }
                }

                step(a, &c, dt, next);
                s = next;
                if (rnd(&seed, 5) == 0)
                        flush(a, st);
        }
        flush(a, st);

        last_hour = c.t.wall_us / HOUR - base / H;
        for (int64_t h = 0; h <= last_hour; h++) {
                AcctBucket *b = store_find(st, base + h * H, 0);
                int64_t act = b ? b->active_s : 0, obs = b ? b->observed_s : 0;

                assert_true(act <= obs && obs <= 3600);
                if (h < last_hour) {
                        assert_int_equal(obs, (exp_obs[h] + SEC / 2) / SEC);
                        assert_int_equal(act, (exp_act[h] + SEC / 2) / SEC);
                } else {
                        assert_int_equal(obs, exp_obs[h] / SEC);
                        assert_int_equal(act, exp_act[h] / SEC);
                }
                stored_act += act;
                stored_obs += obs;
        }
        assert_true(stored_act <= stored_obs);
        assert_int_equal(store_observed(st), stored_obs); /* nothing outside the range */
        assert_true(llabs(stored_obs - lived_obs / SEC) <= last_hour + 1);
        if (!with_unobserved)
                assert_true(llabs(stored_obs - (c.t.boot_us - 5000 * SEC) / SEC) <= last_hour + 1);

        store_free(st);
        accountant_free(a);
}

static void test_property_observed(void **state) {
        (void) state;
        run_property(UINT64_C(0x9e3779b97f4a7c15), false);
        run_property(UINT64_C(42), false);
}

static void test_property_with_unobserved(void **state) {
        (void) state;
        run_property(UINT64_C(0xdeadbeefcafe), true);
        run_property(UINT64_C(7), true);
}

/* Anything goes: suspends, wall jumps both ways, odd clocks, DST and a
 * half-hour zone. Whatever happens: never more than an hour in a bucket,
 * active <= observed, and never more recorded than lived (boot clock), up to
 * half a second of rounding per bucket. */
static void run_chaos(uint64_t seed, AcctOffsetFn fn, void *userdata, int64_t start) {
        Accountant *a = acct_new(fn, userdata);
        FakeClock c = clock_at(start);
        Store *st = store_new(4096);
        int64_t lived = 0;

        update(a, &c, ACCT_ACTIVE);
        for (int i = 0; i < 8000; i++) {
                int64_t dt = rnd(&seed, 15 * MINUTE) + rnd(&seed, SEC);
                AcctState next = (AcctState) rnd(&seed, 3);

                switch (rnd(&seed, 12)) {
                case 0: /* suspend */
                        c.t.boot_us += dt * 4;
                        c.t.wall_us += dt * 4;
                        lived += dt * 4;
                        break;
                case 1: /* wall jumps back */
                        c.t.wall_us -= rnd(&seed, 2 * HOUR);
                        break;
                case 2: /* wall jumps forward */
                        c.t.wall_us += rnd(&seed, 2 * HOUR);
                        break;
                case 3: /* partly asleep */
                        c.t.boot_us += dt;
                        c.t.mono_us += dt / 3;
                        c.t.wall_us += dt;
                        lived += dt;
                        break;
                default:
                        c.t.boot_us += dt;
                        c.t.mono_us += dt;
                        c.t.wall_us += dt;
                        lived += dt;
                }
                if (i % 7 != 3) {
                        update(a, &c, next);
                        expect_no_future(a, &c);
                }
                if (rnd(&seed, 4) == 0)
                        flush(a, st);
                assert_true(accountant_next_boundary(a) > 0);
        }
        flush(a, st);

        assert_true(st->n > 100);
        for (size_t i = 0; i < st->n; i++) {
                assert_true(st->b[i].observed_s <= 3600);
                assert_true(st->b[i].active_s >= 0);
                assert_true(st->b[i].active_s <= st->b[i].observed_s);
        }
        assert_true(store_observed(st) * 2 <= lived / SEC * 2 + (int64_t) st->n + 2);

        store_free(st);
        accountant_free(a);
}

static void test_property_chaos(void **state) {
        (void) state;
        run_chaos(UINT64_C(1), off_utc, NULL, at(0, 0));
        run_chaos(UINT64_C(0x1234567), off_eu, NULL, SPRING_DAY - 10 * 24 * H);
        run_chaos(UINT64_C(0xabcdef), off_eu, NULL, AUTUMN_DAY - 10 * 24 * H);
        run_chaos(UINT64_C(99), off_fixed, &OFF_IST, at(0, 0));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_new_free),
                cmocka_unit_test(test_invalid_input),
                cmocka_unit_test(test_first_update_records_nothing),
                cmocka_unit_test(test_hour_split),
                cmocka_unit_test(test_hour_split_two_boundaries),
                cmocka_unit_test(test_transitions),
                cmocka_unit_test(test_unobserved),
                cmocka_unit_test(test_half_hour_zone),
                cmocka_unit_test(test_45_minute_zone),
                cmocka_unit_test(test_negative_offset),
                cmocka_unit_test(test_negative_times),
                cmocka_unit_test(test_dst_spring),
                cmocka_unit_test(test_dst_autumn),
                cmocka_unit_test(test_zone_change_mid_hour),
                cmocka_unit_test(test_zone_change_closes_hour),
                cmocka_unit_test(test_suspend),
                cmocka_unit_test(test_clock_read_lag), cmocka_unit_test(test_suspend_unobserved),
                cmocka_unit_test(test_clock_oddities),
                cmocka_unit_test(test_wall_jump_forward),
                cmocka_unit_test(test_wall_jump_backward),
                cmocka_unit_test(test_wall_jump_year_and_back),
                cmocka_unit_test(test_wall_jump_flushed_while_ahead),
                cmocka_unit_test(test_wall_jump_back_and_forth),
                cmocka_unit_test(test_discard),
                cmocka_unit_test(test_rounding_many_steps),
                cmocka_unit_test(test_rounding_short_steps),
                cmocka_unit_test(test_open_floor_closed_round),
                cmocka_unit_test(test_fill_inactive),
                cmocka_unit_test(test_fill_before_start),
                cmocka_unit_test(test_fill_after_commit),
                cmocka_unit_test(test_fill_long),
                cmocka_unit_test(test_next_boundary),
                cmocka_unit_test(test_long_suspend),
                cmocka_unit_test(test_too_many_buckets),
                cmocka_unit_test(test_property_observed),
                cmocka_unit_test(test_property_with_unobserved),
                cmocka_unit_test(test_property_chaos),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

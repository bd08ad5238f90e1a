/* Unit tests for the import parsers and the interval → bucket conversion.
 * Expected buckets are written out; the comments next to them show the local
 * hours and how the seconds add up. All data is made up. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "import.h"
#include "macro.h"

#define H INT64_C(3600)
#define M INT64_C(60)
#define DAY INT64_C(86400)
/* 2026-01-05 00:00:00 UTC, a Monday */
#define JAN5 INT64_C(1767571200)

/* ---- helpers ---- */

typedef struct Capture {
        size_t n;
        uint64_t line[64];
        char reason[64][160];
} Capture;

static void capture(uint64_t line, const char *reason, void *userdata) {
        Capture *c = userdata;

        if (c->n < ELEMENTSOF(c->line)) {
                c->line[c->n] = line;
                snprintf(c->reason[c->n], sizeof c->reason[c->n], "%s", reason);
        }
        c->n++;
}

static void assert_reject(const Capture *c, size_t i, uint64_t line, const char *reason) {
        assert_true(i < c->n);
        assert_int_equal(c->line[i], line);
        assert_string_equal(c->reason[i], reason);
}

/* Options without a time zone or "now", reporting to capture in c, or not at all. */
#define CSV_OPTS(is_strict, c) (&(ImportOptions) { .strict = (is_strict), .reject = capture, .userdata = (c) })
#define CSV_QUIET(is_strict) (&(ImportOptions) { .strict = (is_strict) })

static int parse_csv(const char *text, bool strict, Capture *c, ImportParsed *p) {
        return import_parse_csv(text, strlen(text), CSV_OPTS(strict, c), p);
}

static int32_t off_fixed(int64_t t, void *userdata) {
        (void) t;
        return *(const int32_t *) userdata;
}

static int32_t OFF_CET = 3600;

/* As CSV_OPTS, in a fixed +01:00. */
#define AW_OPTS(is_strict, c)                                                                                      \
        (&(ImportOptions) {                                                                                        \
                .strict = (is_strict), .offset_fn = off_fixed, .offset_userdata = &OFF_CET, .reject = capture,       \
                .userdata = (c) })

static int parse_aw(const char *text, bool strict, Capture *c, ImportParsed *p) {
        return import_parse_activitywatch(text, strlen(text), AW_OPTS(strict, c), p);
}

static void assert_buckets_equal(const AcctBucket *got, size_t n, const AcctBucket *want, size_t want_n) {
        for (size_t i = 0; i < n && i < want_n; i++) {
                if (got[i].start != want[i].start || got[i].utc_offset != want[i].utc_offset ||
                    got[i].active_s != want[i].active_s || got[i].observed_s != want[i].observed_s)
                        fail_msg("bucket %zu: got {JAN5%+" PRId64 ", %d, %d, %d}, want {JAN5%+" PRId64
                                 ", %d, %d, %d}",
                                 i, got[i].start - JAN5, got[i].utc_offset, got[i].active_s, got[i].observed_s,
                                 want[i].start - JAN5, want[i].utc_offset, want[i].active_s, want[i].observed_s);
        }
        assert_int_equal(n, want_n);
}

static void assert_buckets(const ImportInterval *iv, size_t n, const AcctBucket *want, size_t want_n) {
        _cleanup_free_ AcctBucket *b = NULL;
        size_t bn = 0;

        assert_int_equal(import_to_buckets(iv, n, &b, &bn), 0);
        assert_buckets_equal(b, bn, want, want_n);
}

/* Parse CSV text without problems and check its buckets. */
static void assert_csv_buckets(const char *text, const AcctBucket *want, size_t want_n) {
        ImportParsed p = {};
        Capture c = {};

        assert_int_equal(parse_csv(text, true, &c, &p), 0);
        assert_int_equal(c.n, 0);
        assert_buckets(p.intervals, p.n, want, want_n);
        import_parsed_done(&p);
}

/* The tree's fixtures, found from this file's path (CMake compiles it by its
 * absolute path) or from $KIZUKI_SOURCE_DIR. */
static char *read_fixture(const char *name, size_t *ret_len) {
        const char *src = getenv("KIZUKI_SOURCE_DIR");
        char path[4096];
        FILE *f;
        char *buf;
        long len;

        if (src)
                snprintf(path, sizeof path, "%s/tests/fixtures/import/%s", src, name);
        else {
                const char *me = __FILE__, *slash = strrchr(me, '/');
                int dir = slash ? (int) (slash - me) : 0;

                snprintf(path, sizeof path, "%.*s/../fixtures/import/%s", dir, me, name);
        }
        f = fopen(path, "rb");
        if (!f)
                fail_msg("cannot open fixture %s", path);
        assert_int_equal(fseek(f, 0, SEEK_END), 0);
        len = ftell(f);
        assert_true(len >= 0);
        rewind(f);
        buf = malloc((size_t) len + 1);
        assert_non_null(buf);
        assert_int_equal(fread(buf, 1, (size_t) len, f), (size_t) len);
        buf[len] = '\0';
        fclose(f);
        *ret_len = (size_t) len;
        return buf;
}

/* ---- timestamps ---- */

static void assert_ts(const char *s, int want_r, int64_t want_t, int32_t want_frac, int32_t want_off) {
        int64_t t = -1;
        int32_t frac = -1, off = -1;
        int r = import_parse_timestamp(s, strlen(s), &t, &frac, &off);

        if (r != want_r)
                fail_msg("\"%s\": returned %d, want %d", s, r, want_r);
        if (r < 0)
                return;
        if (t != want_t)
                fail_msg("\"%s\": t = %" PRId64 ", want %" PRId64, s, t, want_t);
        assert_int_equal(frac, want_frac);
        assert_int_equal(off, want_off);
}

static void test_timestamp_valid(void **state) {
        (void) state;
        assert_ts("1970-01-01T00:00:00Z", 1, 0, 0, 0);
        assert_ts("9999-12-31T23:59:59Z", 1, INT64_C(253402300799), 0, 0);
        assert_ts("2026-01-05T08:00:00Z", 1, JAN5 + 8 * H, 0, 0);
        assert_ts("2026-01-05t08:00:00z", 1, JAN5 + 8 * H, 0, 0);
        assert_ts("2026-01-05 08:00:00+00:00", 1, JAN5 + 8 * H, 0, 0);
        assert_ts("2026-01-05T08:00:00-00:00", 1, JAN5 + 8 * H, 0, 0);
        assert_ts("2026-01-05T08:00:00+01:00", 1, JAN5 + 7 * H, 0, 3600);
        assert_ts("2026-01-05T08:00:00+0100", 1, JAN5 + 7 * H, 0, 3600);
        assert_ts("2026-01-05T08:00:00+05:30", 1, JAN5 + 2 * H + 30 * M, 0, 19800);
        assert_ts("2026-01-05T08:00:00-03:30", 1, JAN5 + 11 * H + 30 * M, 0, -12600);
        assert_ts("2026-01-05T08:00:00+18:00", 1, JAN5 - 10 * H, 0, 64800);
        assert_ts("2026-01-05T08:00:00-1800", 1, JAN5 + 26 * H, 0, -64800);
        /* fractions: truncated, the first nine digits kept */
        assert_ts("2026-01-05T08:00:00.5Z", 1, JAN5 + 8 * H, 500000000, 0);
        assert_ts("2026-01-05T08:00:00,25Z", 1, JAN5 + 8 * H, 250000000, 0);
        assert_ts("2026-01-05T08:00:59.999999999999+00:00", 1, JAN5 + 8 * H + 59, 999999999, 0);
        assert_ts("2026-01-05T08:00:00.123456+00:00", 1, JAN5 + 8 * H, 123456000, 0);
        /* a leap second counts as :59 */
        assert_ts("2016-12-31T23:59:60Z", 1, INT64_C(1483228799), 0, 0);
        /* leap years */
        assert_ts("2000-02-29T00:00:00Z", 1, INT64_C(951782400), 0, 0);
        assert_ts("2024-02-29T12:00:00Z", 1, INT64_C(1709208000), 0, 0);
        assert_ts("2400-02-29T00:00:00Z", 1, INT64_C(13574563200), 0, 0);
        assert_ts("2026-12-31T23:59:59Z", 1, INT64_C(1798761599), 0, 0);
        /* the earliest instant: before 1970 in UTC */
        assert_ts("1970-01-01T00:00:00+01:00", 1, -3600, 0, 3600);
        /* no offset: read as UTC, returns 0 */
        assert_ts("2026-01-05T08:00:00", 0, JAN5 + 8 * H, 0, 0);
        assert_ts("2026-01-05T08:00:00.75", 0, JAN5 + 8 * H, 750000000, 0);
}

static void test_timestamp_invalid(void **state) {
        static const char *bad[] = {
                "",
                "2026-01-05",
                "2026-01-05T08:00",
                "2026-01-05T08:00Z",
                "2026-1-05T08:00:00Z",
                "2026-01-5T08:00:00Z",
                "2026/01/05T08:00:00Z",
                "2026-01-05X08:00:00Z",
                "2026-01-05T08-00-00Z",
                "+026-01-05T08:00:00Z",
                "20260-01-05T08:00:00Z",
                "1969-12-31T23:59:59Z",
                "0000-01-01T00:00:00Z",
                "2026-00-05T08:00:00Z",
                "2026-13-05T08:00:00Z",
                "2026-01-00T08:00:00Z",
                "2026-01-32T08:00:00Z",
                "2026-02-29T08:00:00Z",
                "2100-02-29T08:00:00Z",
                "2026-04-31T08:00:00Z",
                "2026-01-05T24:00:00Z",
                "2026-01-05T08:60:00Z",
                "2026-01-05T08:00:61Z",
                "2026-01-05T08:00:00.Z",
                "2026-01-05T08:00:00.",
                "2026-01-05T08:00:00+01",
                "2026-01-05T08:00:00+1:00",
                "2026-01-05T08:00:00+01:0",
                "2026-01-05T08:00:00+01:000",
                "2026-01-05T08:00:00+01:60",
                "2026-01-05T08:00:00+18:01",
                "2026-01-05T08:00:00+19:00",
                "2026-01-05T08:00:00-99:99",
                "2026-01-05T08:00:00ZZ",
                "2026-01-05T08:00:00Z ",
                " 2026-01-05T08:00:00Z",
                "2026-01-05T08:00:00 +01:00",
                "2026-01-05T08:00:00+01:00 ",
                "2026-01-05T08:00:00UTC",
                "2026-01-05T08:00:00.5.5Z",
                "2026-01-05T08:00:00.-5Z",
                "yesterday at noon, roughly",
        };

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_ts(bad[i], -EINVAL, 0, 0, 0);

        /* A NUL byte inside is just an invalid byte; nothing past len is read. */
        assert_int_equal(import_parse_timestamp("2026-01-05T08:00:00\0Z", 21, NULL, NULL, NULL), -EINVAL);
        assert_int_equal(import_parse_timestamp("2026-01-05T08:00:00Zjunk", 20, NULL, NULL, NULL), 1);
        assert_int_equal(import_parse_timestamp("2026-01-05T08:00:00+01:00", 22, NULL, NULL, NULL), -EINVAL);
}

/* ---- CSV: format and rows ---- */

static void test_csv_one_row(void **state) {
        static const AcctBucket want[] = {
                /* 08:00-09:00 local +01:00 = 07:00 UTC; 08:15-08:45 active */
                { JAN5 + 7 * H, 3600, 1800, 1800 },
        };
        ImportParsed p = {};
        Capture c = {};

        (void) state;
        assert_int_equal(parse_csv("start,end,state\n"
                                   "2026-01-05T08:15:00+01:00,2026-01-05T08:45:00+01:00,active\n",
                                   false, &c, &p),
                         0);
        assert_int_equal(p.rows_read, 1);
        assert_int_equal(p.rows_rejected, 0);
        assert_int_equal(p.n, 1);
        assert_int_equal(p.intervals[0].start, JAN5 + 7 * H + 15 * M);
        assert_int_equal(p.intervals[0].end, JAN5 + 7 * H + 45 * M);
        assert_int_equal(p.intervals[0].utc_offset, 3600);
        assert_true(p.intervals[0].active);
        assert_int_equal(p.intervals[0].line, 2);
        assert_buckets(p.intervals, p.n, want, ELEMENTSOF(want));
        import_parsed_done(&p);
        import_parsed_done(&p); /* twice is fine */
}

static void test_csv_not_csv(void **state) {
        static const char *other[] = {
                "",
                "\xEF\xBB\xBF",
                "\n\n  \n",
                "end,start,state\n",
                "start,end\n",
                "start,end,state,comment\n",
                "start;end;state\n",
                "begin,end,state\n",
                "2026-01-05T08:00:00Z,2026-01-05T09:00:00Z,active\n",
                "{\"buckets\":{}}\n",
                "[]",
                "start,end,state\"\n",
        };
        ImportParsed p = {};
        Capture c = {};

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(other); i++) {
                if (parse_csv(other[i], false, &c, &p) != -EMEDIUMTYPE)
                        fail_msg("input %zu was taken for CSV", i);
                assert_null(p.intervals);
                assert_int_equal(p.n, 0);
        }
        /* 0 bytes, not even a NUL */
        assert_int_equal(import_parse_csv("", 0, CSV_OPTS(true, &c), &p), -EMEDIUMTYPE);
        /* a header longer than a line may be */
        {
                static char big[6000];

                memset(big, ' ', sizeof big);
                memcpy(big + 5000, "start,end,state\n", 16);
                assert_int_equal(import_parse_csv(big, 5016, CSV_OPTS(true, &c), &p), -EMEDIUMTYPE);
                assert_int_equal(import_parse_csv(big + 1000, 4016, CSV_OPTS(true, &c), &p), 0);
                assert_int_equal(p.rows_read, 0);
        }
        assert_int_equal(c.n, 0);
}

static void test_csv_header_variants(void **state) {
        static const char *ok[] = {
                "start,end,state",
                "start,end,state\n",
                "START,End,sTaTe\r\n",
                "  start , end\t,state  \n",
                "\"start\",\"end\",\"state\"\n",
                "\xEF\xBB\xBFstart,end,state\n",
                "\n\r\n   \nstart,end,state\n\n",
        };
        ImportParsed p = {};
        Capture c = {};

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
                if (parse_csv(ok[i], true, &c, &p) != 0)
                        fail_msg("header %zu refused", i);
                assert_int_equal(p.rows_read, 0);
                assert_int_equal(p.n, 0);
                import_parsed_done(&p);
        }
        assert_int_equal(c.n, 0);
}

static void test_csv_field_forms(void **state) {
        /* Each row is the same half hour, written differently; they collapse to one. */
        static const char text[] = "start,end,state\n"
                                   "2026-01-05T08:00:00+01:00,2026-01-05T08:30:00+01:00,active\n"
                                   "\"2026-01-05T08:00:00+01:00\",\"2026-01-05T08:30:00+01:00\",\"inactive\"\n"
                                   "  2026-01-05T08:00:00+01:00 ,\t2026-01-05T08:30:00+01:00\t, ACTIVE \n"
                                   " \"2026-01-05 08:00:00+0100\" , \"2026-01-05T08:30:00.999+01:00\" ,InActive\n";
        static const AcctBucket want[] = {
                { JAN5 + 7 * H, 3600, 1800, 1800 },
        };
        ImportParsed p = {};
        Capture c = {};

        (void) state;
        assert_int_equal(parse_csv(text, true, &c, &p), 0);
        assert_int_equal(c.n, 0);
        assert_int_equal(p.rows_read, 4);
        assert_int_equal(p.n, 4);
        assert_true(p.intervals[0].active);
        assert_false(p.intervals[1].active);
        assert_true(p.intervals[2].active);
        assert_false(p.intervals[3].active);
        for (size_t i = 0; i < p.n; i++) {
                assert_int_equal(p.intervals[i].start, JAN5 + 7 * H);
                assert_int_equal(p.intervals[i].end, JAN5 + 7 * H + 30 * M);
                assert_int_equal(p.intervals[i].line, i + 2);
        }
        assert_buckets(p.intervals, p.n, want, ELEMENTSOF(want));
        import_parsed_done(&p);
}

static void test_csv_fractions_truncate(void **state) {
        ImportParsed p = {};
        Capture c = {};

        (void) state;
        /* Both ends rounded down: [08:00:00.999, 08:00:10.999) → [08:00:00, 08:00:10);
         * [08:00:20.2, 08:00:20.9) → [08:00:20, 08:00:20), empty: rejected. */
        assert_int_equal(parse_csv("start,end,state\n"
                                   "2026-01-05T08:00:00.999Z,2026-01-05T08:00:10.999Z,active\n"
                                   "2026-01-05T08:00:20.2Z,2026-01-05T08:00:20.9Z,active\n",
                                   false, &c, &p),
                         0);
        assert_int_equal(p.n, 1);
        assert_int_equal(p.intervals[0].start, JAN5 + 8 * H);
        assert_int_equal(p.intervals[0].end, JAN5 + 8 * H + 10);
        assert_int_equal(c.n, 1);
        assert_reject(&c, 0, 3, "end is not after start");
        import_parsed_done(&p);
}

static void test_csv_reject_reasons(void **state) {
        static char text[16384];
        ImportParsed p = {};
        Capture c = {};
        int k;

        (void) state;
        k = snprintf(text, sizeof text,
                     "start,end,state\n"
                     /* 2 */ "2026-01-05T08:00:00Z,2026-01-05T09:00:00Z\n"
                     /* 3 */ "2026-01-05T08:00:00Z,2026-01-05T09:00:00Z,active,extra\n"
                     /* 4 */ "2026-01-05T08:00:00Z\n"
                     /* 5 */ "2026-01-05T08:00:00Z,2026-01-05T09:00:00Z,x\n"
                     /* 6 */ "2026-01-05T08:00:00Z,2026-01-05T09:00:00Z,\n"
                     /* 7 */ "2026-01-05T08:00:00Z,2026-01-05T09:00:00Z,\x1b[31mred\x07\n"
                     /* 8 */ "2026-01-05T08:00:00Z,2026-01-05T09:00:00Z,activeactiveactiveactiveactiveactive\n"
                     /* 9 */ "2026-01-05T08:00:00Z,2026-01-05T25:00:00Z,active\n"
                     /* 10 */ "2026-01-05T08:00,2026-01-05T09:00:00Z,active\n"
                     /* 11 */ "2026-01-05T08:00:00,2026-01-05T09:00:00,active\n"
                     /* 12 */ "2026-01-05T08:00:00Z,2026-01-05T09:00:00,active\n"
                     /* 13 */ "2026-01-05T08:00:00+01:00,2026-01-05T09:00:00+02:00,active\n"
                     /* 14 */ "2026-01-05T08:00:00Z,2026-01-05T08:00:00Z,active\n"
                     /* 15 */ "2026-01-05T09:00:00Z,2026-01-05T08:00:00Z,inactive\n"
                     /* 16 */ "2026-01-05T00:00:00Z,2026-02-05T00:00:01Z,active\n"
                     /* 17 */ "\"2026-01-05T08:00:00Z,2026-01-05T09:00:00Z,active\n"
                     /* 18 */ "\"2026-01-05T08:00:00Z\"x,2026-01-05T09:00:00Z,active\n"
                     /* 19 */ ",,\n"
                     /* 20 */ "2026-01-05T00:00:00Z,2026-02-05T00:00:00Z,active\n"
                     /* 21 */ "2026-01-05T08:00:00Z,\"2026-01-05T09:00:00Z,active\",\n"
                     /* 22 */ "2026-01-05T08:00:00Z,2026-01-05T09:00:00Z,\"act\"\"ive\"\n"
                     /* 23 */);
        assert_true(k > 0 && (size_t) k < sizeof text - 8300);
        /* 23: a row of 4097 bytes */
        memset(text + k, 'a', 4097);
        text[k + 4097] = '\n';
        text[k + 4098] = '\0';
        /* 24: a row of exactly 4096 bytes is a row like any other */
        k += 4098;
        memset(text + k, 'b', 4096);
        memcpy(text + k + 4096, "\n", 2);

        assert_int_equal(parse_csv(text, false, &c, &p), 0);
        assert_reject(&c, 0, 2, "3 fields expected, got 2");
        assert_reject(&c, 1, 3, "3 fields expected, got 4");
        assert_reject(&c, 2, 4, "3 fields expected, got 1");
        assert_reject(&c, 3, 5, "unknown state 'x'");
        assert_reject(&c, 4, 6, "unknown state ''");
        assert_reject(&c, 5, 7, "unknown state '?[31mred?'");
        assert_reject(&c, 6, 8, "unknown state 'activeactiveactiveactiveactiveac...'");
        assert_reject(&c, 7, 9, "bad end timestamp");
        assert_reject(&c, 8, 10, "bad start timestamp");
        assert_reject(&c, 9, 11, "start has no UTC offset");
        assert_reject(&c, 10, 12, "end has no UTC offset");
        assert_reject(&c, 11, 13, "start and end have different UTC offsets");
        assert_reject(&c, 12, 14, "end is not after start");
        assert_reject(&c, 13, 15, "end is not after start");
        assert_reject(&c, 14, 16, "row spans more than 31 days");
        assert_reject(&c, 15, 17, "unterminated quote");
        assert_reject(&c, 16, 18, "text after closing quote");
        assert_reject(&c, 17, 19, "bad start timestamp");
        /* 20: exactly 31 days is allowed */
        /* 21: the comma inside quotes does not split (else 4 fields) */
        assert_reject(&c, 18, 21, "bad end timestamp");
        assert_reject(&c, 19, 22, "unknown state 'act\"\"ive'");
        assert_reject(&c, 20, 23, "line longer than 4096 bytes");
        assert_reject(&c, 21, 24, "3 fields expected, got 1");
        assert_int_equal(c.n, 22);
        assert_int_equal(p.rows_read, 23);
        assert_int_equal(p.rows_rejected, 22);
        assert_int_equal(p.n, 1);
        assert_int_equal(p.intervals[0].line, 20);
        assert_int_equal(p.intervals[0].end - p.intervals[0].start, 31 * DAY);
        import_parsed_done(&p);
}

static void test_csv_embedded_nul(void **state) {
        static const char text[] = "start,end,state\n"
                                   "2026-01-05T08:00:00Z,2026-01-05T09:00:00Z,active\0\n"
                                   "2026-01-05T08:00\0:00Z,2026-01-05T09:00:00Z,active\n"
                                   "2026-01-05T10:00:00Z,2026-01-05T11:00:00Z,inactive\n";
        ImportParsed p = {};
        Capture c = {};

        (void) state;
        assert_int_equal(import_parse_csv(text, sizeof text - 1, CSV_OPTS(false, &c), &p), 0);
        assert_int_equal(c.n, 2);
        assert_reject(&c, 0, 2, "unknown state 'active?'");
        assert_reject(&c, 1, 3, "bad start timestamp");
        assert_int_equal(p.n, 1);
        assert_int_equal(p.intervals[0].line, 4);
        import_parsed_done(&p);
}

static void test_csv_fixture_bad_rows(void **state) {
        static const AcctBucket want[] = {
                { JAN5 + 7 * H, 3600, 3600, 3600 },  /* line 2: 08:00-09:00 local active */
                { JAN5 + 13 * H, 3600, 0, 3600 },    /* line 10: 14:00-15:00 inactive */
                { JAN5 + 16 * H, 3600, 2700, 2700 }, /* line 13: 17:00-17:45 "Active" */
        };
        _cleanup_free_ char *text = NULL;
        ImportParsed p = {};
        Capture c = {};
        size_t len;

        (void) state;
        /* BOM, CRLF and a blank line (line 4): lines are still physical lines. */
        text = read_fixture("bad-rows.csv", &len);
        assert_int_equal(import_parse_csv(text, len, CSV_OPTS(false, &c), &p), 0);
        assert_int_equal(p.rows_read, 11);
        assert_int_equal(p.rows_rejected, 8);
        assert_int_equal(c.n, 8);
        assert_reject(&c, 0, 3, "end is not after start");
        assert_reject(&c, 1, 5, "unknown state 'asleep'");
        assert_reject(&c, 2, 6, "start has no UTC offset");
        assert_reject(&c, 3, 7, "start and end have different UTC offsets");
        assert_reject(&c, 4, 8, "bad start timestamp");
        assert_reject(&c, 5, 9, "3 fields expected, got 2");
        assert_reject(&c, 6, 11, "row spans more than 31 days");
        assert_reject(&c, 7, 12, "bad end timestamp");
        assert_int_equal(p.n, 3);
        assert_int_equal(p.intervals[0].line, 2);
        assert_int_equal(p.intervals[1].line, 10);
        assert_int_equal(p.intervals[2].line, 13);
        assert_buckets(p.intervals, p.n, want, ELEMENTSOF(want));
        import_parsed_done(&p);

        /* Strict: stops at line 3, having reported only that. */
        memset(&c, 0, sizeof c);
        assert_int_equal(import_parse_csv(text, len, CSV_OPTS(true, &c), &p), -EBADMSG);
        assert_int_equal(c.n, 1);
        assert_reject(&c, 0, 3, "end is not after start");
        assert_null(p.intervals);
        assert_int_equal(p.n, 0);
}

static void test_csv_strict(void **state) {
        static const char text[] = "start,end,state\r\n"
                                   "2026-01-05T08:00:00Z,2026-01-05T09:00:00Z,active\r\n"
                                   "\r\n"
                                   "2026-01-05T09:00:00Z,2026-01-05T10:00:00Z,sleeping\r\n"
                                   "2026-01-05T10:00:00Z,2026-01-05T09:00:00Z,active\r\n";
        ImportParsed p = {};
        Capture c = {};

        (void) state;
        assert_int_equal(parse_csv(text, true, &c, &p), -EBADMSG);
        assert_int_equal(c.n, 1);
        assert_reject(&c, 0, 4, "unknown state 'sleeping'");
        assert_null(p.intervals);

        memset(&c, 0, sizeof c);
        assert_int_equal(parse_csv(text, false, &c, &p), 0);
        assert_int_equal(c.n, 2);
        assert_reject(&c, 0, 4, "unknown state 'sleeping'");
        assert_reject(&c, 1, 5, "end is not after start");
        assert_int_equal(p.rows_read, 3);
        assert_int_equal(p.rows_rejected, 2);
        assert_int_equal(p.n, 1);
        import_parsed_done(&p);

        /* No callback: still counted. */
        assert_int_equal(import_parse_csv(text, sizeof text - 1, CSV_QUIET(false), &p), 0);
        assert_int_equal(p.rows_rejected, 2);
        import_parsed_done(&p);
        assert_int_equal(import_parse_csv(text, sizeof text - 1, CSV_QUIET(true), &p), -EBADMSG);
}

static void test_csv_line_numbers(void **state) {
        /* LF, CRLF, a last line without newline, blank lines of spaces, and a
         * lone CR inside a line (part of the field, not a line end). */
        static const char text[] = "\xEF\xBB\xBF\n"
                                   "start,end,state\r\n"
                                   "\r\n"
                                   "   \n"
                                   "2026-01-05T08:00:00Z,2026-01-05T09:00:00Z,bad\n"
                                   "2026-01-05T08:00:00Z,2026-01-05T09:00:00Z,active\r\n"
                                   "\t\r\n"
                                   "2026-01-05T08:00:00Z,2026-01-05T09:00:00Z,act\rive\n"
                                   "2026-01-05T08:00:00Z,2026-01-05T09:00:00Z,nope";
        ImportParsed p = {};
        Capture c = {};

        (void) state;
        assert_int_equal(parse_csv(text, false, &c, &p), 0);
        assert_int_equal(p.rows_read, 4);
        assert_int_equal(c.n, 3);
        assert_reject(&c, 0, 5, "unknown state 'bad'");
        assert_reject(&c, 1, 8, "unknown state 'act?ive'");
        assert_reject(&c, 2, 9, "unknown state 'nope'");
        assert_int_equal(p.n, 1);
        assert_int_equal(p.intervals[0].line, 6);
        import_parsed_done(&p);
}

static void test_csv_fixture_valid(void **state) {
        /* A made-up person over three days in +01:00, worked out second by
         * second by an independent script; local hours in the comments. */
        static const AcctBucket want[] = {
                { JAN5 + 6 * H, 3600, 2880, 2880 },  /* 01-05 07:00: 07:12-08:00 active */
                { JAN5 + 7 * H, 3600, 2850, 3600 },  /* 08:00: active to 08:47:30, then away */
                { JAN5 + 8 * H, 3600, 3300, 3600 },  /* 09:00: away to 09:05 */
                { JAN5 + 9 * H, 3600, 3600, 3600 },  /* 10:00 */
                { JAN5 + 10 * H, 3600, 3600, 3600 }, /* 11:00 */
                { JAN5 + 11 * H, 3600, 1200, 3600 }, /* 12:00: lunch from 12:20 */
                { JAN5 + 12 * H, 3600, 3000, 3600 }, /* 13:00: back at 13:10 */
                { JAN5 + 13 * H, 3600, 3600, 3600 }, /* 14:00 */
                { JAN5 + 14 * H, 3600, 3600, 3600 }, /* 15:00 */
                { JAN5 + 15 * H, 3600, 3600, 3600 }, /* 16:00 */
                { JAN5 + 16 * H, 3600, 2715, 2715 }, /* 17:00: to 17:45:15(.750, truncated) */
                { JAN5 + 20 * H, 3600, 1800, 1800 }, /* 21:00: from 21:30 */
                { JAN5 + 21 * H, 3600, 3600, 3600 }, /* 22:00 */
                { JAN5 + 22 * H, 3600, 900, 900 },   /* 23:00: to 23:15 */
                { JAN5 + 31 * H, 3600, 3480, 3480 }, /* 01-06 08:00: from 08:02 */
                { JAN5 + 32 * H, 3600, 3600, 3600 }, /* 09:00 */
                { JAN5 + 33 * H, 3600, 1800, 3600 }, /* 10:00: active to 10:30 overlaps away 10:00-11:00 */
                { JAN5 + 34 * H, 3600, 3600, 3600 }, /* 11:00 */
                { JAN5 + 35 * H, 3600, 2700, 2700 }, /* 12:00: to 12:45 */
                { JAN5 + 37 * H, 3600, 3600, 3600 }, /* 14:00 */
                { JAN5 + 38 * H, 3600, 3600, 3600 }, /* 15:00 */
                { JAN5 + 39 * H, 3600, 3600, 3600 }, /* 16:00 */
                { JAN5 + 40 * H, 3600, 3600, 3600 }, /* 17:00 */
                { JAN5 + 41 * H, 3600, 1800, 1800 }, /* 18:00: to 18:30 */
                { JAN5 + 46 * H, 3600, 1200, 1200 }, /* 23:00: from 23:40, over midnight */
                { JAN5 + 47 * H, 3600, 1500, 1500 }, /* 01-07 00:00: to 00:25 */
                { JAN5 + 56 * H, 3600, 2700, 2700 }, /* 09:00: from 09:15 */
                { JAN5 + 57 * H, 3600, 3600, 3600 }, /* 10:00 */
                { JAN5 + 58 * H, 3600, 2400, 3600 }, /* 11:00: away 11:40-12:00 */
                { JAN5 + 59 * H, 3600, 3600, 3600 }, /* 12:00 */
                { JAN5 + 60 * H, 3600, 3600, 3600 }, /* 13:00 */
                { JAN5 + 61 * H, 3600, 3600, 3600 }, /* 14:00 */
                { JAN5 + 62 * H, 3600, 3600, 3600 }, /* 15:00 */
                { JAN5 + 63 * H, 3600, 1200, 1200 }, /* 16:00: to 16:20 */
        };
        _cleanup_free_ char *text = NULL;
        _cleanup_free_ AcctBucket *b = NULL;
        ImportParsed p = {};
        Capture c = {};
        size_t len, n;
        int64_t observed = 0, active = 0;

        (void) state;
        text = read_fixture("valid.csv", &len);
        assert_int_equal(import_parse_csv(text, len, CSV_OPTS(true, &c), &p), 0);
        assert_int_equal(c.n, 0);
        assert_int_equal(p.rows_read, 14);
        assert_int_equal(p.n, 14);
        assert_int_equal(import_to_buckets(p.intervals, p.n, &b, &n), 0);
        assert_buckets_equal(b, n, want, ELEMENTSOF(want));
        for (size_t i = 0; i < n; i++) {
                observed += b[i].observed_s;
                active += b[i].active_s;
        }
        assert_int_equal(observed, 105675);
        assert_int_equal(active, 98625);
        import_parsed_done(&p);
}

/* ---- buckets ---- */

static void test_buckets_hours_and_midnight(void **state) {
        static const AcctBucket want[] = {
                /* 23:40 → 01:10 local (+01:00), i.e. 22:40 → 00:10 UTC */
                { JAN5 + 22 * H, 3600, 1200, 1200 }, /* 23:00 local: 23:40-24:00 */
                { JAN5 + 23 * H, 3600, 3600, 3600 }, /* 00:00 local, Jan 6 */
                { JAN5 + 24 * H, 3600, 600, 600 },   /* 01:00 local: 01:00-01:10 */
        };

        (void) state;
        assert_csv_buckets("start,end,state\n"
                           "2026-01-05T23:40:00+01:00,2026-01-06T01:10:00+01:00,active\n",
                           want, ELEMENTSOF(want));
}

static void test_buckets_half_hour_offset(void **state) {
        static const AcctBucket want[] = {
                /* 09:10 → 10:45 at +05:30 = 03:40 → 05:15 UTC; hours start at :30 UTC */
                { JAN5 + 3 * H + 30 * M, 19800, 0, 3000 }, /* 09:00 local: 09:10-10:00 */
                { JAN5 + 4 * H + 30 * M, 19800, 0, 2700 }, /* 10:00 local: 10:00-10:45 */
        };

        (void) state;
        assert_csv_buckets("start,end,state\n"
                           "2026-01-05T09:10:00+05:30,2026-01-05T10:45:00+05:30,inactive\n",
                           want, ELEMENTSOF(want));
}

static void test_buckets_negative_offset(void **state) {
        static const AcctBucket want[] = {
                /* 22:30 Jan 5 → 00:15 Jan 6 at -03:00 = 01:30 → 03:15 UTC Jan 6 */
                { JAN5 + 25 * H, -10800, 1800, 1800 }, /* 22:00 local */
                { JAN5 + 26 * H, -10800, 3600, 3600 }, /* 23:00 local */
                { JAN5 + 27 * H, -10800, 900, 900 },   /* 00:00 local, Jan 6 */
        };

        (void) state;
        assert_csv_buckets("start,end,state\n"
                           "2026-01-05T22:30:00-03:00,2026-01-06T00:15:00-03:00,active\n",
                           want, ELEMENTSOF(want));
}

static void test_buckets_overlap_active_wins(void **state) {
        static const AcctBucket want[] = {
                { JAN5 + 8 * H, 0, 3600, 3600 }, /* active 08:00-09:00 covers the away 08:30-09:00 */
                { JAN5 + 9 * H, 0, 0, 1800 },    /* away 09:00-09:30 */
        };
        static const AcctBucket want_inside[] = {
                { JAN5 + 8 * H, 0, 1800, 3600 }, /* away 08:00-10:00, active 08:15-08:45 inside */
                { JAN5 + 9 * H, 0, 0, 3600 },
        };

        (void) state;
        assert_csv_buckets("start,end,state\n"
                           "2026-01-05T08:00:00Z,2026-01-05T09:00:00Z,active\n"
                           "2026-01-05T08:30:00Z,2026-01-05T09:30:00Z,inactive\n",
                           want, ELEMENTSOF(want));
        /* the other way round in the file: same */
        assert_csv_buckets("start,end,state\n"
                           "2026-01-05T08:30:00Z,2026-01-05T09:30:00Z,inactive\n"
                           "2026-01-05T08:00:00Z,2026-01-05T09:00:00Z,active\n",
                           want, ELEMENTSOF(want));
        assert_csv_buckets("start,end,state\n"
                           "2026-01-05T08:00:00Z,2026-01-05T10:00:00Z,inactive\n"
                           "2026-01-05T08:15:00Z,2026-01-05T08:45:00Z,active\n",
                           want_inside, ELEMENTSOF(want_inside));
}

static void test_buckets_overlap_no_double(void **state) {
        static const AcctBucket dup[] = {
                { JAN5 + 8 * H, 0, 1800, 1800 }, /* the same half hour three times */
        };
        static const AcctBucket partial[] = {
                { JAN5 + 8 * H, 0, 3600, 3600 }, /* 08:00-08:40 and 08:20-09:10 */
                { JAN5 + 9 * H, 0, 600, 600 },
        };
        static const AcctBucket away[] = {
                { JAN5 + 8 * H, 0, 0, 1800 }, /* 08:00-08:30 away, 08:10-08:20 away */
        };
        static const AcctBucket chain[] = {
                /* 08:00-08:20 A, 08:10-08:50 I, 08:40-09:05 A, 08:45-08:46 I */
                { JAN5 + 8 * H, 0, 2400, 3600 }, /* active 08:00-08:20 and 08:40-09:00 */
                { JAN5 + 9 * H, 0, 300, 300 },
        };

        (void) state;
        assert_csv_buckets("start,end,state\n"
                           "2026-01-05T08:00:00Z,2026-01-05T08:30:00Z,active\n"
                           "2026-01-05T08:00:00Z,2026-01-05T08:30:00Z,active\n"
                           "2026-01-05T08:00:00Z,2026-01-05T08:30:00Z,active\n",
                           dup, ELEMENTSOF(dup));
        assert_csv_buckets("start,end,state\n"
                           "2026-01-05T08:20:00Z,2026-01-05T09:10:00Z,active\n"
                           "2026-01-05T08:00:00Z,2026-01-05T08:40:00Z,active\n",
                           partial, ELEMENTSOF(partial));
        assert_csv_buckets("start,end,state\n"
                           "2026-01-05T08:00:00Z,2026-01-05T08:30:00Z,inactive\n"
                           "2026-01-05T08:10:00Z,2026-01-05T08:20:00Z,inactive\n",
                           away, ELEMENTSOF(away));
        assert_csv_buckets("start,end,state\n"
                           "2026-01-05T08:45:00Z,2026-01-05T08:46:00Z,inactive\n"
                           "2026-01-05T08:40:00Z,2026-01-05T09:05:00Z,active\n"
                           "2026-01-05T08:10:00Z,2026-01-05T08:50:00Z,inactive\n"
                           "2026-01-05T08:00:00Z,2026-01-05T08:20:00Z,active\n",
                           chain, ELEMENTSOF(chain));
}

static void test_buckets_dup_other_offset(void **state) {
        static const AcctBucket want[] = {
                { JAN5 + 8 * H, 0, 1800, 1800 },
        };
        ImportParsed p = {};
        Capture c = {};

        (void) state;
        /* The same UTC half hour written in +00:00 (line 2) and in +01:00 (line
         * 3): the tie goes to line 2, the seconds count once. */
        assert_int_equal(parse_csv("start,end,state\n"
                                   "2026-01-05T08:00:00Z,2026-01-05T08:30:00Z,active\n"
                                   "2026-01-05T09:00:00+01:00,2026-01-05T09:30:00+01:00,active\n",
                                   true, &c, &p),
                         0);
        assert_buckets(p.intervals, p.n, want, ELEMENTSOF(want));
        import_parsed_done(&p);
}

static void test_buckets_offset_of_earliest(void **state) {
        static const AcctBucket want[] = {
                { JAN5 + 8 * H, 0, 3600, 3600 },             /* A owns 08:00-09:00 UTC */
                { JAN5 + 8 * H + 30 * M, 5400, 0, 1800 },    /* B owns 09:00-09:30 UTC = 10:30-11:00 local */
        };
        static const AcctBucket want_tie[] = {
                /* A (line 2) wins the tie for 08:00-08:30; B has 08:30-08:45 UTC =
                 * 09:30-09:45 local: the same UTC hour, one bucket, under the
                 * offset of its first second (A's). */
                { JAN5 + 8 * H, 0, 1800, 2700 },
        };
        static const AcctBucket want_tie_swapped[] = {
                { JAN5 + 8 * H, 3600, 1800, 2700 }, /* B (now line 2) owns it all; A's half hour makes it active */
        };

        (void) state;
        /* A: 08:00-09:00 UTC active in +00:00. B: 08:30-09:30 UTC away in +01:30. */
        assert_csv_buckets("start,end,state\n"
                           "2026-01-05T08:00:00+00:00,2026-01-05T09:00:00+00:00,active\n"
                           "2026-01-05T10:00:00+01:30,2026-01-05T11:00:00+01:30,inactive\n",
                           want, ELEMENTSOF(want));
        assert_csv_buckets("start,end,state\n"
                           "2026-01-05T10:00:00+01:30,2026-01-05T11:00:00+01:30,inactive\n"
                           "2026-01-05T08:00:00+00:00,2026-01-05T09:00:00+00:00,active\n",
                           want, ELEMENTSOF(want));
        /* Same start: the lower line decides. */
        assert_csv_buckets("start,end,state\n"
                           "2026-01-05T08:00:00Z,2026-01-05T08:30:00Z,active\n"
                           "2026-01-05T09:00:00+01:00,2026-01-05T09:45:00+01:00,inactive\n",
                           want_tie, ELEMENTSOF(want_tie));
        assert_csv_buckets("start,end,state\n"
                           "2026-01-05T09:00:00+01:00,2026-01-05T09:45:00+01:00,inactive\n"
                           "2026-01-05T08:00:00Z,2026-01-05T08:30:00Z,active\n",
                           want_tie_swapped, ELEMENTSOF(want_tie_swapped));
}

static void test_buckets_interleaved_offsets(void **state) {
        /* 10:00-10:10 UTC in +00:00, 10:10-10:20 in +00:30, 10:20-10:30 in +00:00:
         * the two +00:00 pieces share one bucket, sorted before 09:30's. */
        static const ImportInterval iv[] = {
                { JAN5 + 10 * H + 20 * M, JAN5 + 10 * H + 30 * M, 0, false, 3 },
                { JAN5 + 10 * H, JAN5 + 10 * H + 10 * M, 0, true, 1 },
                { JAN5 + 10 * H + 10 * M, JAN5 + 10 * H + 20 * M, 1800, true, 2 },
        };
        static const AcctBucket want[] = {
                { JAN5 + 9 * H + 30 * M, 1800, 600, 600 },
                { JAN5 + 10 * H, 0, 600, 1200 },
        };

        (void) state;
        assert_buckets(iv, ELEMENTSOF(iv), want, ELEMENTSOF(want));
}

static void test_buckets_edge_cases(void **state) {
        ImportInterval bad = { JAN5, JAN5, 0, true, 1 };
        AcctBucket sentinel, *b = &sentinel;
        size_t n = 99;

        (void) state;
        assert_int_equal(import_to_buckets(NULL, 0, &b, &n), 0);
        assert_null(b);
        assert_int_equal(n, 0);

        assert_int_equal(import_to_buckets(&bad, 1, &b, &n), -EINVAL);
        bad.end = JAN5 - 1;
        assert_int_equal(import_to_buckets(&bad, 1, &b, &n), -EINVAL);
        bad.end = JAN5 + 1;
        bad.utc_offset = 18 * 3600 + 1;
        assert_int_equal(import_to_buckets(&bad, 1, &b, &n), -EINVAL);
        bad.utc_offset = 0;
        bad.end = INT64_MAX;
        assert_int_equal(import_to_buckets(&bad, 1, &b, &n), -EINVAL);
        bad.start = INT64_MIN;
        bad.end = JAN5;
        assert_int_equal(import_to_buckets(&bad, 1, &b, &n), -EINVAL);

        /* Same start and line (only a caller other than the parsers can do
         * that): still one answer whatever the order. The shorter sorts first
         * and owns 08:00-08:30; the other 08:30-08:45, in +01:00: one UTC
         * hour, so one bucket, in the offset of its first second. */
        {
                ImportInterval two[2] = {
                        { JAN5 + 8 * H, JAN5 + 8 * H + 45 * M, 3600, false, 1 },
                        { JAN5 + 8 * H, JAN5 + 8 * H + 30 * M, 0, true, 1 },
                };
                static const AcctBucket want[] = {
                        { JAN5 + 8 * H, 0, 1800, 2700 },
                };
                ImportInterval x;

                assert_buckets(two, 2, want, ELEMENTSOF(want));
                x = two[0];
                two[0] = two[1];
                two[1] = x;
                assert_buckets(two, 2, want, ELEMENTSOF(want));
                two[1].end = two[0].end;
                two[1].utc_offset = 0; /* now equal but for the state */
                assert_buckets(two, 2, (const AcctBucket[]) { { JAN5 + 8 * H, 0, 1800, 1800 } }, 1);
        }

        /* One second, at the very start of 1970 local in +18:00. */
        bad = (ImportInterval) { -64800, -64799, 64800, true, 1 };
        assert_int_equal(import_to_buckets(&bad, 1, &b, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(b[0].start, -64800);
        assert_int_equal(b[0].observed_s, 1);
        free(b);
}

/* A tiny deterministic generator: the tests must not depend on the run. */
static uint64_t rng_next(uint64_t *s) {
        *s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
        return *s >> 33;
}

static int cmp_bucket_key(const void *x, const void *y) {
        const AcctBucket *a = x, *b = y;

        if (a->start != b->start)
                return a->start < b->start ? -1 : 1;
        return a->utc_offset < b->utc_offset ? -1 : a->utc_offset > b->utc_offset;
}

/* The rules applied second by second: slow and obviously right. A UTC hour is
 * one bucket, under the offset of its first second. */
static size_t brute_force(const ImportInterval *iv, size_t n, int64_t from, int64_t to, AcctBucket *out) {
        size_t k = 0;

        for (int64_t t = from; t < to; t++) {
                const ImportInterval *owner = NULL;
                bool active = false;
                int64_t hs;
                size_t j;

                for (size_t i = 0; i < n; i++) {
                        if (t < iv[i].start || t >= iv[i].end)
                                continue;
                        active = active || iv[i].active;
                        if (!owner || iv[i].start < owner->start ||
                            (iv[i].start == owner->start && iv[i].line < owner->line))
                                owner = &iv[i];
                }
                if (!owner)
                        continue;
                hs = ((t + owner->utc_offset) / 3600) * 3600 - owner->utc_offset;
                for (j = 0; j < k; j++)
                        if (out[j].start == hs)
                                break;
                if (j == k)
                        out[k++] = (AcctBucket) { hs, owner->utc_offset, 0, 0 };
                out[j].observed_s++;
                out[j].active_s += active;
        }
        qsort(out, k, sizeof *out, cmp_bucket_key);
        return k;
}

static void test_buckets_random_vs_brute_force(void **state) {
        static const int32_t offsets[] = { 0, 3600, 19800, 20700, -10800, -34200 };
        ImportInterval iv[40];
        AcctBucket want[400];
        uint64_t seed = 42;

        (void) state;
        for (int round = 0; round < 30; round++) {
                size_t n = 1 + rng_next(&seed) % ELEMENTSOF(iv), wn;

                for (size_t i = 0; i < n; i++) {
                        int64_t s = JAN5 + (int64_t) (rng_next(&seed) % (6 * 3600));
                        int64_t len = 1 + (int64_t) (rng_next(&seed) % (round % 3 == 0 ? 120 : 5400));

                        /* some identical starts, to exercise the tie-break */
                        if (i > 0 && rng_next(&seed) % 5 == 0)
                                s = iv[i - 1].start;
                        iv[i] = (ImportInterval) {
                                .start = s,
                                .end = s + len,
                                .utc_offset = offsets[rng_next(&seed) % ELEMENTSOF(offsets)],
                                .active = rng_next(&seed) % 2,
                                .line = i + 2,
                        };
                }
                wn = brute_force(iv, n, JAN5, JAN5 + 8 * 3600, want);
                assert_true(wn <= ELEMENTSOF(want));
                assert_buckets(iv, n, want, wn);

                /* shuffled: the same buckets */
                for (size_t i = n; i > 1; i--) {
                        size_t j = rng_next(&seed) % i;
                        ImportInterval x = iv[i - 1];

                        iv[i - 1] = iv[j];
                        iv[j] = x;
                }
                assert_buckets(iv, n, want, wn);
        }
}

/* ---- ActivityWatch ---- */

#define AW_EVENTS                                                                                                  \
        "[{\"id\": 2, \"timestamp\": \"2026-01-05T08:30:00.000000+00:00\", \"duration\": 900.0,"                 \
        " \"data\": {\"status\": \"afk\"}},"                                                                       \
        " {\"id\": 1, \"timestamp\": \"2026-01-05T08:00:00.000000+00:00\", \"duration\": 1800.0,"                \
        " \"data\": {\"status\": \"not-afk\"}}]"

static void test_aw_shapes(void **state) {
        static const char *shapes[] = {
                /* aw-server export */
                "{\"buckets\": {\"aw-watcher-afk_host\": {\"id\": \"aw-watcher-afk_host\", \"type\": \"afkstatus\","
                " \"client\": \"aw-watcher-afk\", \"hostname\": \"host\", \"events\": " AW_EVENTS "}}}",
                /* one bucket */
                "{\"id\": \"aw-watcher-afk_host\", \"events\": " AW_EVENTS "}",
                /* bare events, with a BOM and whitespace after */
                "\xEF\xBB\xBF" AW_EVENTS " \r\n\t\n",
                /* an export with a lone bucket of another type */
                "{\"buckets\": {\"mine\": {\"type\": \"something\", \"events\": " AW_EVENTS "}}}",
                /* two buckets: picked by id prefix, the window watcher left out */
                "{\"buckets\": {\"aw-watcher-window_host\": {\"type\": \"currentwindow\", \"events\": [{}]},"
                " \"aw-watcher-afk_laptop\": {\"events\": " AW_EVENTS "}}}",
                /* picked by type */
                "{\"buckets\": {\"x\": {\"type\": \"currentwindow\", \"events\": [1]},"
                " \"y\": {\"type\": \"afkstatus\", \"events\": " AW_EVENTS "}}}",
        };
        static const AcctBucket want[] = {
                /* +01:00: 08:00-08:30 UTC active, 08:30-08:45 away */
                { JAN5 + 8 * H, 3600, 1800, 2700 },
        };

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(shapes); i++) {
                ImportParsed p = {};
                Capture c = {};

                if (parse_aw(shapes[i], true, &c, &p) != 0)
                        fail_msg("shape %zu refused", i);
                assert_int_equal(c.n, 0);
                assert_int_equal(p.rows_read, 2);
                assert_int_equal(p.n, 2);
                assert_false(p.intervals[0].active);
                assert_int_equal(p.intervals[0].line, 1);
                assert_true(p.intervals[1].active);
                assert_int_equal(p.intervals[1].line, 2);
                assert_int_equal(p.intervals[1].utc_offset, 3600);
                assert_buckets(p.intervals, p.n, want, ELEMENTSOF(want));
                import_parsed_done(&p);
        }
}

static void test_aw_not_aw(void **state) {
        static const char *other[] = {
                "",
                "\xEF\xBB\xBF",
                "   ",
                "null",
                "42",
                "\"events\"",
                "{}",
                "{\"events\": {}}",
                "{\"buckets\": {}}",
                "{\"buckets\": []}",
                "{\"buckets\": {\"a\": {\"events\": []}, \"b\": {\"events\": []}}}",
                "{\"buckets\": {\"a\": {\"type\": \"afkstatus\"}}}",
                "{\"buckets\": {\"a\": {\"type\": \"afkstatus\", \"events\": {}}}}",
                "{\"buckets\": {\"only\": 5}}",
                "[] []",
                "[],",
                "[1, 2",
                "[1, 2,]",
                "start,end,state\n2026-01-05T08:00:00Z,2026-01-05T09:00:00Z,active\n",
        };
        ImportParsed p = {};
        Capture c = {};

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(other); i++) {
                if (parse_aw(other[i], false, &c, &p) != -EMEDIUMTYPE)
                        fail_msg("input %zu (%s) was taken for ActivityWatch", i, other[i]);
                assert_null(p.intervals);
        }
        /* a NUL after the document is not whitespace */
        assert_int_equal(import_parse_activitywatch("[]\0", 3, AW_OPTS(false, &c), &p),
                         -EMEDIUMTYPE);
        assert_int_equal(import_parse_activitywatch("[]\0[1]", 6, AW_OPTS(false, &c), &p),
                         -EMEDIUMTYPE);
        assert_int_equal(import_parse_activitywatch("[]", 2, CSV_OPTS(false, &c), &p), -EINVAL);
        assert_int_equal(c.n, 0);
}

static void test_aw_bad_events(void **state) {
        static const char text[] =
                "[{\"timestamp\": \"2026-01-05T08:00:00+00:00\", \"duration\": 60, \"data\": {\"status\": \"not-afk\"}},"
                " 42,"
                " {\"duration\": 60, \"data\": {\"status\": \"afk\"}},"
                " {\"timestamp\": \"yesterday\", \"duration\": 60, \"data\": {\"status\": \"afk\"}},"
                " {\"timestamp\": \"2026-01-05T08:05:00Z\", \"duration\": \"60\", \"data\": {\"status\": \"afk\"}},"
                " {\"timestamp\": \"2026-01-05T08:05:00Z\", \"duration\": -1, \"data\": {\"status\": \"afk\"}},"
                " {\"timestamp\": \"2026-01-05T08:05:00Z\", \"duration\": 2678400.5, \"data\": {\"status\": \"afk\"}},"
                " {\"timestamp\": \"2026-01-05T08:05:00Z\", \"duration\": 60, \"data\": {\"status\": \"away\"}},"
                " {\"timestamp\": \"2026-01-05T08:05:00Z\", \"duration\": 60},"
                " {\"timestamp\": \"2026-01-05T08:05:00Z\", \"duration\": 0, \"data\": {\"status\": \"afk\"}},"
                " {\"timestamp\": \"2026-01-05T10:00:00\", \"duration\": 30.9, \"data\": {\"status\": \"afk\"}},"
                " {\"timestamp\": \"2026-01-05T08:05:00Z\", \"duration\": 60, \"data\": {\"status\": 1}},"
                " {\"timestamp\": \"2026-01-05T08:05:00Z\", \"duration\": 0.5, \"data\": {\"status\": \"afk\"}},"
                " {\"timestamp\": \"2026-01-05T08:05:00Z\", \"duration\": 60, \"data\": {\"status\": \"AFK\"}},"
                " {\"timestamp\": 1767600000, \"duration\": 60, \"data\": {\"status\": \"afk\"}},"
                " {\"timestamp\": \"2026-01-05T08:05:00Z\", \"duration\": null, \"data\": {\"status\": \"afk\"}}]";
        ImportParsed p = {};
        Capture c = {};

        (void) state;
        assert_int_equal(parse_aw(text, false, &c, &p), 0);
        assert_int_equal(p.rows_read, 16);
        assert_int_equal(p.rows_rejected, 12);
        assert_reject(&c, 0, 2, "event is not an object");
        assert_reject(&c, 1, 3, "missing timestamp");
        assert_reject(&c, 2, 4, "bad timestamp");
        assert_reject(&c, 3, 5, "duration is not a number");
        assert_reject(&c, 4, 6, "negative duration");
        assert_reject(&c, 5, 7, "event spans more than 31 days");
        assert_reject(&c, 6, 8, "unknown status 'away'");
        assert_reject(&c, 7, 9, "missing data.status");
        /* 10: zero duration, read and ignored; 11: no offset, read as UTC */
        assert_reject(&c, 8, 12, "missing data.status");
        /* 13: half a second rounds to nothing: ignored */
        assert_reject(&c, 9, 14, "unknown status 'AFK'");
        assert_reject(&c, 10, 15, "bad timestamp");
        assert_reject(&c, 11, 16, "duration is not a number");
        assert_int_equal(c.n, 12);
        assert_int_equal(p.n, 2);
        assert_int_equal(p.intervals[0].line, 1);
        assert_int_equal(p.intervals[0].end - p.intervals[0].start, 60);
        assert_int_equal(p.intervals[1].line, 11);
        assert_int_equal(p.intervals[1].start, JAN5 + 10 * H);
        assert_int_equal(p.intervals[1].end, JAN5 + 10 * H + 30);
        assert_false(p.intervals[1].active);
        import_parsed_done(&p);

        memset(&c, 0, sizeof c);
        assert_int_equal(parse_aw(text, true, &c, &p), -EBADMSG);
        assert_int_equal(c.n, 1);
        assert_reject(&c, 0, 2, "event is not an object");
        assert_null(p.intervals);
}

static void test_aw_fraction_and_index(void **state) {
        /* Two buckets used: indexes run on across them. 08:00:00.25 + 2999.75 s
         * ends at 08:50:00 exactly; 09:00:00.9 + 0.2 s ends at 09:00:01.1 → 1 s. */
        static const char text[] =
                "{\"buckets\": {"
                "\"aw-watcher-afk_a\": {\"events\": ["
                "{\"timestamp\": \"2026-01-05T08:00:00.250000+00:00\", \"duration\": 2999.75, \"data\": {\"status\": \"not-afk\"}}]},"
                "\"aw-watcher-afk_b\": {\"events\": ["
                "{\"timestamp\": \"2026-01-05T09:00:00.900000+00:00\", \"duration\": 0.2, \"data\": {\"status\": \"not-afk\"}},"
                "{\"timestamp\": \"2026-01-05T09:00:00+00:00\", \"duration\": 1, \"data\": {\"status\": \"sleeping\"}}]}}}";
        ImportParsed p = {};
        Capture c = {};

        (void) state;
        assert_int_equal(parse_aw(text, false, &c, &p), 0);
        assert_int_equal(p.rows_read, 3);
        assert_int_equal(p.n, 2);
        assert_int_equal(p.intervals[0].start, JAN5 + 8 * H);
        assert_int_equal(p.intervals[0].end, JAN5 + 8 * H + 50 * M);
        assert_int_equal(p.intervals[1].start, JAN5 + 9 * H);
        assert_int_equal(p.intervals[1].end, JAN5 + 9 * H + 1);
        assert_int_equal(p.intervals[1].line, 2);
        assert_int_equal(c.n, 1);
        assert_reject(&c, 0, 3, "unknown status 'sleeping'");
        import_parsed_done(&p);
}

static void test_aw_nonfinite_duration(void **state) {
        /* json-c reads NaN, Infinity and 1e999 even in strict mode. */
        static const char text[] =
                "[{\"timestamp\": \"2026-01-05T08:00:00Z\", \"duration\": NaN, \"data\": {\"status\": \"afk\"}},"
                " {\"timestamp\": \"2026-01-05T08:00:00Z\", \"duration\": Infinity, \"data\": {\"status\": \"afk\"}},"
                " {\"timestamp\": \"2026-01-05T08:00:00Z\", \"duration\": -Infinity, \"data\": {\"status\": \"afk\"}},"
                " {\"timestamp\": \"2026-01-05T08:00:00Z\", \"duration\": 1e999, \"data\": {\"status\": \"afk\"}},"
                " {\"timestamp\": \"2026-01-05T08:00:00Z\", \"duration\": 1e300, \"data\": {\"status\": \"afk\"}},"
                " {\"timestamp\": \"2026-01-05T08:00:00Z\", \"duration\": 99999999999999999999, \"data\": {\"status\": \"afk\"}}]";
        ImportParsed p = {};
        Capture c = {};

        (void) state;
        assert_int_equal(parse_aw(text, false, &c, &p), 0);
        assert_int_equal(p.rows_read, 6);
        assert_int_equal(p.n, 0);
        assert_int_equal(c.n, 6);
        assert_reject(&c, 0, 1, "duration is not a number");
        assert_reject(&c, 1, 2, "duration is not a number");
        assert_reject(&c, 2, 3, "duration is not a number");
        assert_reject(&c, 3, 4, "duration is not a number");
        assert_reject(&c, 4, 5, "event spans more than 31 days");
        assert_reject(&c, 5, 6, "event spans more than 31 days");
        import_parsed_done(&p);
}

/* +05:30 from 2026-01-05 09:00 UTC on, UTC before: each event's offset is the
 * one in force at its start. */
static int32_t off_travel(int64_t t, void *userdata) {
        int *calls = userdata;

        (*calls)++;
        return t >= JAN5 + 9 * H ? 19800 : 0;
}

static void test_aw_offset_per_event(void **state) {
        static const char text[] =
                "{\"events\": ["
                "{\"timestamp\": \"2026-01-05T08:40:00Z\", \"duration\": 1800, \"data\": {\"status\": \"not-afk\"}},"
                "{\"timestamp\": \"2026-01-05T09:10:00Z\", \"duration\": 1800, \"data\": {\"status\": \"afk\"}}]}";
        static const AcctBucket want[] = {
                /* 08:40-09:10 UTC active in +00:00, then 09:10-09:40 UTC away in +05:30 */
                { JAN5 + 8 * H, 0, 1200, 1200 },           /* 08:40-09:00 */
                { JAN5 + 8 * H + 30 * M, 19800, 0, 1200 }, /* 14:40-15:00 local */
                { JAN5 + 9 * H, 0, 600, 600 },             /* 09:00-09:10 */
                { JAN5 + 9 * H + 30 * M, 19800, 0, 600 },  /* 15:00-15:10 local */
        };
        ImportParsed p = {};
        int calls = 0;

        (void) state;
        const ImportOptions travel = { .strict = true, .offset_fn = off_travel, .offset_userdata = &calls };
        assert_int_equal(import_parse_activitywatch(text, strlen(text), &travel, &p), 0);
        assert_int_equal(calls, 2);
        assert_buckets(p.intervals, p.n, want, ELEMENTSOF(want));
        import_parsed_done(&p);
}

static int32_t off_broken(int64_t t, void *userdata) {
        (void) t;
        (void) userdata;
        return 100000;
}

static void test_aw_bad_offset_fn(void **state) {
        ImportParsed p = {};
        Capture c = {};

        (void) state;
        assert_int_equal(import_parse_activitywatch(AW_EVENTS, strlen(AW_EVENTS),
                                                    &(ImportOptions) { .offset_fn = off_broken, .reject = capture,
                                                                       .userdata = &c },
                                                    &p),
                         0);
        assert_int_equal(p.n, 0);
        assert_int_equal(c.n, 2);
        assert_reject(&c, 0, 1, "time zone offset out of range");
        import_parsed_done(&p);
}

static void test_aw_fixtures(void **state) {
        static const AcctBucket want[] = {
                /* offset +01:00; the window watcher's bucket is not used */
                { JAN5 + 8 * H, 3600, 1800, 3600 },  /* 08:00-08:30 not-afk, 08:30-09:00 afk */
                { JAN5 + 9 * H, 3600, 1800, 3600 },  /* 09:00-09:30 afk, 09:30-10:00 not-afk */
                { JAN5 + 10 * H, 3600, 3000, 3600 }, /* not-afk to 10:50 (4800.5 s, rounded down), afk */
                { JAN5 + 11 * H, 3600, 2400, 3600 }, /* afk to 11:20, not-afk from 11:20:00.25 */
                { JAN5 + 12 * H, 3600, 600, 600 },   /* ...to 12:10:00 exactly; the 0 s event adds nothing */
        };
        _cleanup_free_ char *aw = NULL, *notaw = NULL, *csvaw = NULL, *csv = NULL;
        ImportParsed p = {};
        Capture c = {};
        size_t len, nlen, clen, vlen;

        (void) state;
        aw = read_fixture("aw-afk-export.json", &len);
        assert_int_equal(import_parse_activitywatch(aw, len, AW_OPTS(true, &c), &p), 0);
        assert_int_equal(c.n, 0);
        assert_int_equal(p.rows_read, 6);
        assert_int_equal(p.n, 5);
        assert_buckets(p.intervals, p.n, want, ELEMENTSOF(want));
        import_parsed_done(&p);

        /* AW passed as CSV, CSV passed as AW, other JSON as AW: not this format. */
        assert_int_equal(import_parse_csv(aw, len, CSV_OPTS(false, &c), &p), -EMEDIUMTYPE);
        notaw = read_fixture("not-aw.json", &nlen);
        assert_int_equal(import_parse_activitywatch(notaw, nlen, AW_OPTS(false, &c), &p),
                         -EMEDIUMTYPE);
        assert_int_equal(import_parse_csv(notaw, nlen, CSV_OPTS(false, &c), &p), -EMEDIUMTYPE);
        csvaw = read_fixture("csv-named-as-aw.json", &clen);
        assert_int_equal(import_parse_activitywatch(csvaw, clen, AW_OPTS(false, &c), &p),
                         -EMEDIUMTYPE);
        csv = read_fixture("valid.csv", &vlen);
        assert_int_equal(import_parse_activitywatch(csv, vlen, AW_OPTS(false, &c), &p),
                         -EMEDIUMTYPE);
        assert_int_equal(c.n, 0);
        assert_null(p.intervals);
}

/* ---- size ---- */

/* Civil date of a day count (Hinnant's civil_from_days), for writing rows. */
static void format_utc(int64_t t, char *buf, size_t size) {
        int64_t days = t / DAY, secs = t % DAY, z, era, doe, yoe, y, doy, mp, d, m;

        z = days + 719468;
        era = (z >= 0 ? z : z - 146096) / 146097;
        doe = z - era * 146097;
        yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        y = yoe + era * 400;
        doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        mp = (5 * doy + 2) / 153;
        d = doy - (153 * mp + 2) / 5 + 1;
        m = mp < 10 ? mp + 3 : mp - 9;
        y += m <= 2;
        /* Narrow types tell gcc's -Wformat-truncation the real ranges (t >= 0 here). */
        snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int) (y % 10000), (int) m, (int) d,
                 (int) (secs / 3600), (int) (secs / 60 % 60), (int) (secs % 60));
}

static void test_large_input(void **state) {
        const size_t rows = 200000;
        _cleanup_free_ char *text = NULL;
        _cleanup_free_ AcctBucket *b = NULL;
        size_t cap = rows * 72 + 64, len = 0, n;
        int64_t t = JAN5, want_observed = 0, want_active = 0, observed = 0, active = 0;
        uint64_t seed = 7;
        ImportParsed p = {};
        Capture c = {};
        struct timespec t0, t1;

        (void) state;
        text = malloc(cap);
        assert_non_null(text);
        len = (size_t) snprintf(text, cap, "start,end,state\n");
        /* Back-to-back rows of 1-40 minutes with occasional gaps; every fifth row
         * is an extra away row inside the previous one, which changes nothing. */
        for (size_t i = 0; i < rows; i++) {
                char a[32], e[32];
                int64_t len_s, s = t;
                bool act;

                if (i % 5 == 4) {
                        format_utc(t - 30, a, sizeof a);
                        format_utc(t - 10, e, sizeof e);
                        len += (size_t) snprintf(text + len, cap - len, "%s,%s,inactive\n", a, e);
                        continue;
                }
                if (rng_next(&seed) % 10 == 0)
                        s = t + 60 + (int64_t) (rng_next(&seed) % 20000);
                len_s = 60 + (int64_t) (rng_next(&seed) % 2340);
                act = rng_next(&seed) % 3 != 0;
                format_utc(s, a, sizeof a);
                format_utc(s + len_s, e, sizeof e);
                len += (size_t) snprintf(text + len, cap - len, "%s,%s,%s\n", a, e, act ? "active" : "inactive");
                want_observed += len_s;
                want_active += act ? len_s : 0;
                t = s + len_s;
                assert_true(len < cap);
        }

        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_int_equal(import_parse_csv(text, len, CSV_OPTS(true, &c), &p), 0);
        assert_int_equal(p.rows_read, rows);
        assert_int_equal(p.n, rows);
        assert_int_equal(import_to_buckets(p.intervals, p.n, &b, &n), 0);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        for (size_t i = 0; i < n; i++) {
                assert_true(b[i].active_s >= 0 && b[i].active_s <= b[i].observed_s && b[i].observed_s <= 3600);
                if (i > 0)
                        assert_true(b[i - 1].start < b[i].start);
                observed += b[i].observed_s;
                active += b[i].active_s;
        }
        assert_int_equal(observed, want_observed);
        assert_int_equal(active, want_active);
        print_message("%zu rows, %zu buckets: parse + buckets %.0f ms\n", rows, n,
                      (double) (t1.tv_sec - t0.tv_sec) * 1e3 + (double) (t1.tv_nsec - t0.tv_nsec) / 1e6);
        import_parsed_done(&p);
}

/* The first pass reads a bucket whole before choosing it: its "type" and "id"
 * may come after its events. Objects are read the way json-c reads them: a
 * repeated name keeps its first place and takes its last value, names are
 * decoded and end at a NUL, and may be in single quotes. */
static void test_aw_bucket_fields_anywhere(void **state) {
        static const char *texts[] = {
                "{\"buckets\": {\"x\": {\"events\": [1], \"type\": \"currentwindow\"},"
                " \"y\": {\"events\": " AW_EVENTS ", \"type\": \"afkstatus\"}}}",
                "{\"buckets\": {\"x\": {\"events\": [1]},"
                " \"y\": {\"events\": " AW_EVENTS ", \"id\": \"aw-watcher-afk_h\"}}}",
                /* the last "events" counts */
                "{\"buckets\": {\"y\": {\"type\": \"afkstatus\", \"events\": [1], \"events\": " AW_EVENTS "}}}",
                /* a repeated bucket: its first place, its last value */
                "{\"buckets\": {\"y\": {\"type\": \"afkstatus\", \"events\": [1]}, \"x\": {\"events\": [2]},"
                " \"y\": {\"events\": " AW_EVENTS ", \"type\": \"afkstatus\"}}}",
                "{\"buckets\": {\"y\": {\"events\": [1]}, \"y\": {\"events\": " AW_EVENTS "}}}",
                /* the last "type" counts, and the last "buckets" */
                "{\"buckets\": {\"x\": {\"type\": \"afkstatus\", \"type\": \"currentwindow\", \"events\": [1]},"
                " \"y\": {\"type\": \"currentwindow\", \"type\": \"afkstatus\", \"events\": " AW_EVENTS "}}}",
                "{\"buckets\": {\"aw-watcher-afk\": {\"events\": [1]}},"
                " \"buckets\": {\"z\": {\"events\": " AW_EVENTS "}}}",
                /* "buckets" not an object: "events" is used, the last one */
                "{\"events\": [1], \"buckets\": {\"z\": {\"events\": [2]}}, \"buckets\": 5, \"events\": " AW_EVENTS "}",
                /* names decoded, cut at a NUL, in single quotes */
                "{\"buck\\u0065ts\": {\"aw-watcher-afk\\u0000x\": {'events': " AW_EVENTS "}}}",
                "{'buckets': {\"x\": {\"events\": [1]},"
                " \"y\": {\"ty\\u0070e\\u0000\": \"af\\u006bstatus\", \"events\": " AW_EVENTS "}}}",
                "{\"buckets\": {\"x\": {\"events\": [1], \"id\": \"aw-watcher-afk\\u0000x\"},"
                " \"x\\u0000\": {\"events\": " AW_EVENTS "}}}",
        };
        static const char *other[] = {
                /* the repeat's value is not a bucket */
                "{\"buckets\": {\"a\": {\"type\": \"afkstatus\", \"events\": []}, \"a\": 5}}",
                "{\"buckets\": {\"aw-watcher-afk\": {\"events\": []}, \"aw-watcher-afk\\u0000\": {}}}",
                "{\"buckets\": {\"a\": {\"events\": []}, \"a\": {\"events\": []}, \"b\": {\"events\": []}}}",
                /* a NUL inside a value is kept: not "afkstatus" */
                "{\"buckets\": {\"x\": {\"type\": \"afkstatus\\u0000\", \"events\": []}, \"y\": {\"events\": []}}}",
                "{\"buckets\": {\"aw-watcher-afk_a\": {\"events\": []}, \"aw-watcher-afk_b\": {\"events\": {}}}}",
                "{\"buckets\": {\"aw-watcher-afk\": {\"events\": []}}, \"buckets\": {}}",
        };
        ImportParsed p = {};
        Capture c = {};

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(texts); i++) {
                memset(&c, 0, sizeof c);
                if (parse_aw(texts[i], true, &c, &p) != 0)
                        fail_msg("text %zu refused", i);
                assert_int_equal(c.n, 0);
                assert_int_equal(p.rows_read, 2);
                assert_int_equal(p.n, 2);
                assert_false(p.intervals[0].active);
                assert_int_equal(p.intervals[1].line, 2);
                import_parsed_done(&p);
        }
        for (size_t i = 0; i < ELEMENTSOF(other); i++) {
                if (parse_aw(other[i], false, &c, &p) != -EMEDIUMTYPE)
                        fail_msg("input %zu (%s) was taken for ActivityWatch", i, other[i]);
                assert_null(p.intervals);
        }
}

/* A document of n0 arrays, then what, then their ends, after prefix and before
 * suffix. */
static char *nested(const char *prefix, size_t n, const char *what, const char *suffix) {
        size_t len = strlen(prefix) + 2 * n + strlen(what) + strlen(suffix) + 1, k;
        char *s = malloc(len);

        assert_non_null(s);
        k = (size_t) snprintf(s, len, "%s", prefix);
        memset(s + k, '[', n);
        k += n;
        k += (size_t) snprintf(s + k, len - k, "%s", what);
        memset(s + k, ']', n);
        k += n;
        snprintf(s + k, len - k, "%s", suffix);
        return s;
}

/* JSON is checked everywhere, also in what is only skipped, and as json-c's
 * strict mode has it; nothing is reported from a document that is not good. */
static void test_aw_json_checked_everywhere(void **state) {
        static const char *bad[] = {
                /* in a bucket not used */
                "{\"buckets\": {\"w\": {\"events\": [01]}, \"aw-watcher-afk\": {\"events\": " AW_EVENTS "}}}",
                "{\"buckets\": {\"w\": {\"data\": {\"a\": [1,]}}, \"aw-watcher-afk\": {\"events\": " AW_EVENTS "}}}",
                "{\"buckets\": {\"w\": {\"x\": [1 2]}, \"aw-watcher-afk\": {\"events\": " AW_EVENTS "}}}",
                "{\"buckets\": {\"aw-watcher-afk\": {\"events\": " AW_EVENTS "}, \"w\": {\"a\": \"\\x\"}}}",
                "{\"buckets\": {\"aw-watcher-afk\": {\"events\": " AW_EVENTS "}, \"w\": {\"a\": \"\\u12\"}}}",
                "{\"buckets\": {\"aw-watcher-afk\": {\"events\": " AW_EVENTS "}, \"w\": {\"a\": 'single'}}}",
                "{\"buckets\": {\"aw-watcher-afk\": {\"events\": " AW_EVENTS "}, \"w\": {\"a\": [-]}}}",
                "{\"buckets\": {\"aw-watcher-afk\": {\"events\": " AW_EVENTS "}, \"w\": {\"a\": [1e]}}}",
                "{\"buckets\": {\"aw-watcher-afk\": {\"events\": " AW_EVENTS "}, \"w\": {\"a\": [.5]}}}",
                "{\"buckets\": {\"aw-watcher-afk\": {\"events\": " AW_EVENTS "}, \"w\": {\"a\": [+1]}}}",
                "{\"buckets\": {\"aw-watcher-afk\": {\"events\": " AW_EVENTS "}, \"w\": {\"a\": [1.+5]}}}",
                "{\"buckets\": {\"aw-watcher-afk\": {\"events\": " AW_EVENTS "}, \"w\": {\"a\": [nan]}}}",
                "{\"buckets\": {\"aw-watcher-afk\": {\"events\": " AW_EVENTS "}, \"w\": {\"a\": [-infinity]}}}",
                "{\"buckets\": {\"aw-watcher-afk\": {\"events\": " AW_EVENTS "}, \"w\": {\"a\": [True]}}}",
                "{\"buckets\": {\"aw-watcher-afk\": {\"events\": " AW_EVENTS "}, \"w\": {\"a\": [nulll]}}}",
                "{\"buckets\": {\"aw-watcher-afk\": {\"events\": " AW_EVENTS "}, \"w\": {\"a\": [1] /* c */}}}",
                "{\"buckets\": {\"aw-watcher-afk\": {\"events\": " AW_EVENTS "}, \"w\": {\"a\":\v1}}}",
                /* a bad event first, then something wrong: still nothing reported */
                "[42, {\"timestamp\": 1}] x",
                "{\"events\": [42], \"x\": [1 2]}",
                "{\"events\": [42, {\"a\": 1,}]}",
                "{\"events\": [42]",
        };
        ImportParsed p = {};
        Capture c = {};
        char *s;

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                if (parse_aw(bad[i], false, &c, &p) != -EMEDIUMTYPE)
                        fail_msg("input %zu (%s) was taken", i, bad[i]);
                assert_null(p.intervals);
        }
        /* a NUL anywhere before the end */
        assert_int_equal(import_parse_activitywatch("[42, \"a\0b\"]", 11, AW_OPTS(false, &c), &p),
                         -EMEDIUMTYPE);
        assert_int_equal(import_parse_activitywatch("[42, 1\0]", 8, AW_OPTS(false, &c), &p),
                         -EMEDIUMTYPE);
        assert_int_equal(c.n, 0);

        /* What json-c's strict mode takes: odd numbers, control characters in
         * strings, names in single quotes. */
        assert_int_equal(parse_aw("{\"events\": [42], 'x': [NaN, -Infinity, Infinity, 1., -.5, -01, 00, 1e999, 1.e5,"
                                  " 99999999999999999999, -0.0E-0, \"\x01\\ud800\", \"\\ud800\\\"\","
                                  " true, false, null]}",
                                  false, &c, &p),
                         0);
        assert_int_equal(c.n, 1);
        assert_reject(&c, 0, 1, "event is not an object");
        import_parsed_done(&p);

        /* Nesting as deep as json-c goes (31 levels below the root), and one more. */
        s = nested("{\"events\": [42], \"x\": ", 30, "1", "}");
        memset(&c, 0, sizeof c);
        assert_int_equal(parse_aw(s, false, &c, &p), 0);
        assert_int_equal(c.n, 1);
        import_parsed_done(&p);
        free(s);
        s = nested("{\"events\": [42], \"x\": ", 31, "", "}");
        assert_int_equal(parse_aw(s, false, &c, &p), 0);
        import_parsed_done(&p);
        free(s);
        s = nested("{\"events\": [42], \"x\": ", 31, "1", "}");
        memset(&c, 0, sizeof c);
        assert_int_equal(parse_aw(s, false, &c, &p), -EMEDIUMTYPE);
        free(s);
        s = nested("{\"events\": [42], \"x\": ", 32, "", "}");
        assert_int_equal(parse_aw(s, false, &c, &p), -EMEDIUMTYPE);
        free(s);
        s = nested("{\"events\": [42, ", 29, "1", "]}"); /* events are 2 levels down */
        assert_int_equal(parse_aw(s, false, &c, &p), 0);
        assert_int_equal(p.rows_read, 2);
        import_parsed_done(&p);
        free(s);
        memset(&c, 0, sizeof c);
        s = nested("{\"events\": [42, ", 30, "1", "]}");
        assert_int_equal(parse_aw(s, false, &c, &p), -EMEDIUMTYPE);
        free(s);
        s = nested("", 10000, "", ""); /* hostile: no recursion, stops at the limit */
        assert_int_equal(parse_aw(s, false, &c, &p), -EMEDIUMTYPE);
        free(s);
        assert_int_equal(c.n, 0);
}

/* Events are read one at a time: a long export gives every row, in order. */
static void test_aw_many_events(void **state) {
        const size_t rows = 50000;
        _cleanup_free_ char *text = NULL;
        size_t cap = rows * 120 + 64, len = 0;
        ImportParsed p = {};
        Capture c = {};
        struct timespec t0, t1;

        (void) state;
        text = malloc(cap);
        assert_non_null(text);
        len = (size_t) snprintf(text, cap, "{\"buckets\": {\"aw-watcher-afk_h\": {\"events\": [");
        for (size_t i = 0; i < rows; i++) {
                char ts[32];

                format_utc(JAN5 + (int64_t) i * 120, ts, sizeof ts);
                len += (size_t) snprintf(text + len, cap - len,
                                         "%s\n{\"id\": %zu, \"timestamp\": \"%s\", \"duration\": 60.5,"
                                         " \"data\": {\"status\": \"%s\"}}",
                                         i ? "," : "", rows - i, ts, i % 3 ? "afk" : "not-afk");
                assert_true(len < cap);
        }
        len += (size_t) snprintf(text + len, cap - len, "], \"type\": \"afkstatus\"}}}");
        assert_true(len < cap);

        clock_gettime(CLOCK_MONOTONIC, &t0);
        assert_int_equal(import_parse_activitywatch(text, len, AW_OPTS(true, &c), &p), 0);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        assert_int_equal(c.n, 0);
        assert_int_equal(p.rows_read, rows);
        assert_int_equal(p.n, rows);
        for (size_t i = 0; i < rows; i++) {
                assert_int_equal(p.intervals[i].line, i + 1);
                assert_int_equal(p.intervals[i].start, JAN5 + (int64_t) i * 120);
                assert_int_equal(p.intervals[i].end - p.intervals[i].start, 60);
                assert_int_equal(p.intervals[i].active, i % 3 == 0);
        }
        print_message("%zu events (%zu bytes): parse %.0f ms\n", rows, len,
                      (double) (t1.tv_sec - t0.tv_sec) * 1e3 + (double) (t1.tv_nsec - t0.tv_nsec) / 1e6);
        import_parsed_done(&p);
}

/* ---- rows across a DST change, rows in the future ---- */

#define MAR29 INT64_C(1774742400) /* 2026-03-29T00:00:00Z */
#define OCT25 INT64_C(1792886400) /* 2026-10-25T00:00:00Z */

/* Central European time in 2026: +02:00 from 2026-03-29T01:00Z to
 * 2026-10-25T01:00Z, else +01:00. */
static int32_t off_berlin(int64_t t, void *userdata) {
        (void) userdata;
        return t >= MAR29 + H && t < OCT25 + H ? 7200 : 3600;
}

static int parse_csv_tz(const char *text, bool strict, int64_t now, Capture *c, ImportParsed *p) {
        const ImportOptions o = {
                .strict = strict, .now = now, .offset_fn = off_berlin, .reject = capture, .userdata = c,
        };
        return import_parse_csv(text, strlen(text), &o, p);
}

static void test_csv_dst_split(void **state) {
        static const char text[] = "start,end,state\n"
                                   "2026-03-29T01:30:00+01:00,2026-03-29T03:30:00+02:00,active\n"
                                   "2026-10-25T01:30:00+02:00,2026-10-25T02:30:00+01:00,inactive\n"
                                   "2026-03-29T01:30:00+01:00,2026-03-29T09:30:00+05:30,active\n"
                                   "2026-06-01T10:00:00+02:00,2026-06-01T11:00:00+01:00,active\n";
        ImportParsed p = {};
        Capture c = {};

        (void) state;
        assert_int_equal(parse_csv_tz(text, false, 0, &c, &p), 0);
        assert_int_equal(p.rows_read, 4);
        assert_int_equal(p.rows_rejected, 2);
        assert_int_equal(p.n, 4);
        /* 01:30 CET to 03:30 CEST: the real hour from 00:30Z, cut at 01:00Z. */
        assert_int_equal(p.intervals[0].start, MAR29 + 30 * M);
        assert_int_equal(p.intervals[0].end, MAR29 + H);
        assert_int_equal(p.intervals[0].utc_offset, 3600);
        assert_int_equal(p.intervals[1].start, MAR29 + H);
        assert_int_equal(p.intervals[1].end, MAR29 + H + 30 * M);
        assert_int_equal(p.intervals[1].utc_offset, 7200);
        assert_int_equal(p.intervals[0].line, 2);
        assert_int_equal(p.intervals[1].line, 2);
        /* 01:30 CEST to 02:30 CET: two hours from 23:30Z, cut at 01:00Z. */
        assert_int_equal(p.intervals[2].start, OCT25 - 30 * M);
        assert_int_equal(p.intervals[2].end, OCT25 + H);
        assert_int_equal(p.intervals[2].utc_offset, 7200);
        assert_int_equal(p.intervals[3].start, OCT25 + H);
        assert_int_equal(p.intervals[3].end, OCT25 + H + 30 * M);
        assert_int_equal(p.intervals[3].utc_offset, 3600);
        assert_reject(&c, 0, 4, "start and end have different UTC offsets, and the time zone (TZ) has no such change "
                                "between them");
        assert_reject(&c, 1, 5, "start and end have different UTC offsets, and the time zone (TZ) has no such change "
                                "between them");
        {
                /* Each hour under the offset in force: 01:00 CET and 03:00 CEST. */
                static const AcctBucket spring[] = {
                        { MAR29, 3600, 1800, 1800 },
                        { MAR29 + H, 7200, 1800, 1800 },
                };
                assert_buckets(p.intervals, 2, spring, ELEMENTSOF(spring));
        }
        import_parsed_done(&p);

        /* Without a time zone, such a row is refused as before. */
        c = (Capture) {};
        assert_int_equal(parse_csv(text, true, &c, &p), -EBADMSG);
        assert_reject(&c, 0, 2, "start and end have different UTC offsets");
        assert_null(p.intervals);
}

/* Rows across the change already checked are taken without asking the zone
 * again, and only those: the same offsets a year later are still refused. */
static void test_csv_dst_rows_repeat(void **state) {
        static const char text[] = "start,end,state\n"
                                   "2026-03-29T00:00:00+01:00,2026-03-29T05:00:00+02:00,active\n"
                                   "2026-03-29T01:30:00+01:00,2026-03-29T03:30:00+02:00,active\n"
                                   "2026-03-28T01:30:00+01:00,2026-03-29T03:30:00+02:00,inactive\n"
                                   "2027-03-28T01:30:00+01:00,2027-03-28T03:30:00+02:00,active\n";
        ImportParsed p = {};
        Capture c = {};

        (void) state;
        assert_int_equal(parse_csv_tz(text, false, 0, &c, &p), 0);
        assert_int_equal(p.n, 6);
        for (size_t i = 0; i < 6; i += 2) {
                assert_int_equal(p.intervals[i].end, MAR29 + H);
                assert_int_equal(p.intervals[i].utc_offset, 3600);
                assert_int_equal(p.intervals[i + 1].start, MAR29 + H);
                assert_int_equal(p.intervals[i + 1].utc_offset, 7200);
        }
        assert_int_equal(c.n, 1);
        assert_int_equal(c.line[0], 5);
        import_parsed_done(&p);
}

/* One bucket per UTC start: the seconds of one start under two offsets are
 * added up (capped), under the offset that comes first. */
static void test_merge_hours(void **state) {
        AcctBucket b[] = {
                { JAN5 + H, 3600, 0, 60 },
                { JAN5, 0, 600, 900 },
                { JAN5, 3600, 300, 1200 },
                { JAN5 + 2 * H, 0, 3000, 3000 },
                { JAN5 + 2 * H, -3600, 1000, 1000 },
        };
        static const AcctBucket want[] = {
                { JAN5, 0, 900, 2100 },
                { JAN5 + H, 3600, 0, 60 },
                { JAN5 + 2 * H, 0, 3600, 3600 },
        };
        size_t n = 0;

        (void) state;
        assert_int_equal(import_merge_hours(b, ELEMENTSOF(b), &n), 0);
        assert_buckets_equal(b, n, want, ELEMENTSOF(want));
        assert_int_equal(import_merge_hours(b, 0, &n), 0);
        assert_int_equal(n, 0);
}

static void test_csv_future_rows(void **state) {
        /* "Now" is 2026-03-29T02:00Z: the third row ends a second after it. */
        static const char text[] = "start,end,state\n"
                                   "2026-03-29T01:30:00+01:00,2026-03-29T03:30:00+02:00,active\n"
                                   "2026-03-29T03:30:00+02:00,2026-03-29T04:00:00+02:00,active\n"
                                   "2026-03-29T03:30:00+02:00,2026-03-29T04:00:01+02:00,active\n"
                                   "2027-03-29T03:30:00+02:00,2027-03-29T04:00:00+02:00,inactive\n";
        const int64_t now = MAR29 + 2 * H;
        ImportParsed p = {};
        Capture c = {};

        (void) state;
        assert_int_equal(parse_csv_tz(text, false, now, &c, &p), 0);
        assert_int_equal(p.rows_read, 4);
        assert_int_equal(p.rows_rejected, 2);
        assert_int_equal(p.rows_future, 2);
        assert_int_equal(p.n, 3);
        assert_reject(&c, 0, 4, "ends in the future");
        assert_reject(&c, 1, 5, "ends in the future");
        import_parsed_done(&p);

        /* --strict: the first one ends the parse, nothing is taken. */
        c = (Capture) {};
        assert_int_equal(parse_csv_tz(text, true, now, &c, &p), -EBADMSG);
        assert_int_equal(c.n, 1);
        assert_reject(&c, 0, 4, "ends in the future");
        assert_null(p.intervals);
}

static void test_aw_future_events(void **state) {
        /* Events of 08:00-08:30 and 08:30-08:45 UTC; now is 08:40. */
        ImportParsed p = {};
        Capture c = {};
        ImportOptions o = {
                .now = JAN5 + 8 * H + 40 * M, .offset_fn = off_fixed, .offset_userdata = &OFF_CET,
                .reject = capture, .userdata = &c,
        };
        ImportOptions strict = o;

        (void) state;
        assert_int_equal(import_parse_activitywatch(AW_EVENTS, strlen(AW_EVENTS), &o, &p), 0);
        assert_int_equal(p.rows_future, 1);
        assert_int_equal(p.n, 1);
        assert_reject(&c, 0, 1, "ends in the future");
        import_parsed_done(&p);

        c = (Capture) {};
        strict.strict = true;
        strict.userdata = &c;
        assert_int_equal(import_parse_activitywatch(AW_EVENTS, strlen(AW_EVENTS), &strict, &p), -EBADMSG);
        assert_reject(&c, 0, 1, "ends in the future");
        assert_null(p.intervals);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_timestamp_valid),
                cmocka_unit_test(test_timestamp_invalid),
                cmocka_unit_test(test_csv_one_row),
                cmocka_unit_test(test_csv_not_csv),
                cmocka_unit_test(test_csv_header_variants),
                cmocka_unit_test(test_csv_field_forms),
                cmocka_unit_test(test_csv_fractions_truncate),
                cmocka_unit_test(test_csv_reject_reasons),
                cmocka_unit_test(test_csv_embedded_nul),
                cmocka_unit_test(test_csv_fixture_bad_rows),
                cmocka_unit_test(test_csv_strict),
                cmocka_unit_test(test_csv_line_numbers),
                cmocka_unit_test(test_csv_fixture_valid),
                cmocka_unit_test(test_buckets_hours_and_midnight),
                cmocka_unit_test(test_buckets_half_hour_offset),
                cmocka_unit_test(test_buckets_negative_offset),
                cmocka_unit_test(test_buckets_overlap_active_wins),
                cmocka_unit_test(test_buckets_overlap_no_double),
                cmocka_unit_test(test_buckets_dup_other_offset),
                cmocka_unit_test(test_buckets_offset_of_earliest),
                cmocka_unit_test(test_buckets_interleaved_offsets),
                cmocka_unit_test(test_buckets_edge_cases),
                cmocka_unit_test(test_buckets_random_vs_brute_force),
                cmocka_unit_test(test_csv_dst_split),
                cmocka_unit_test(test_csv_dst_rows_repeat),
                cmocka_unit_test(test_merge_hours),
                cmocka_unit_test(test_csv_future_rows),
                cmocka_unit_test(test_aw_future_events),
                cmocka_unit_test(test_aw_shapes),
                cmocka_unit_test(test_aw_not_aw),
                cmocka_unit_test(test_aw_bad_events),
                cmocka_unit_test(test_aw_fraction_and_index),
                cmocka_unit_test(test_aw_nonfinite_duration),
                cmocka_unit_test(test_aw_offset_per_event),
                cmocka_unit_test(test_aw_bad_offset_fn),
                cmocka_unit_test(test_aw_fixtures),
                cmocka_unit_test(test_aw_bucket_fields_anywhere),
                cmocka_unit_test(test_aw_json_checked_everywhere),
                cmocka_unit_test(test_large_input),
                cmocka_unit_test(test_aw_many_events),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

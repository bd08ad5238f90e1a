/* The reader of kizuki's own export (import --format kizuki): a valid file is
 * read whole; every kind of damage is refused with a message that names the
 * table and row, and nothing is returned. */
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

#include "import.h"

#define HEAD "{\"format\":\"kizuki-export\",\"version\":1,\"schema_version\":4,\"tables\":{"
#define BUCKET(start, off, local, a, o) \
        "{\"start\":" #start ",\"utc_offset\":" #off ",\"local_start\":\"" local "\",\"active_s\":" #a ",\"observed_s\":" #o "}"
#define NUDGE(sev, state) \
        "{\"id\":3,\"policy\":\"late\",\"date\":\"2026-03-25\",\"raised_at\":5,\"severity\":\"" sev "\"," \
        "\"title\":\"T\",\"body\":\"B\\nC\",\"step\":null,\"rule\":\"baseline\",\"value\":1.5,\"baseline\":null," \
        "\"score\":2,\"state\":\"" state "\",\"snoozed_until\":null,\"helpful\":1}"

static int parse(const char *text, ImportKizuki *k, char *err, size_t n) {
        return import_parse_kizuki(text, strlen(text), k, err, n);
}

static void test_valid(void **state) {
        (void) state;
        ImportKizuki k;
        char err[256];
        const char *text = HEAD "\"bucket\":{\"columns\":[],\"rows\":["
                BUCKET(1767538800, 32400, "2026-01-05T00:00:00+09:00", 1200, 3600) ","
                BUCKET(1767562200, -16200, "2026-01-04T17:00:00-04:30", 5, 10) "]},"
                "\"checkin\":{\"rows\":[{\"date\":\"2026-01-05\",\"went_out\":1,\"met_someone\":null,\"mood\":4,"
                "\"updated_at\":7},{\"date\":\"2026-01-06\",\"went_out\":false}]},"
                "\"nudge\":{\"rows\":[" NUDGE("gentle", "acked") "]},"
                "\"consent\":{\"rows\":[{},{}]},\"share_log\":{\"rows\":[{}]},\"meta\":{\"rows\":[]},"
                "\"notes\":{\"rows\":[{\"x\":1}]}}}\n";

        assert_int_equal(parse(text, &k, err, sizeof err), 0);
        assert_string_equal(err, "");
        assert_int_equal(k.n_buckets, 2);
        assert_int_equal(k.buckets[1].utc_offset, -16200);
        assert_int_equal(k.buckets[0].active_s, 1200);
        assert_int_equal(k.n_checkins, 2);
        assert_int_equal(k.checkins[0].went_out, 1);
        assert_int_equal(k.checkins[0].met_someone, -1);
        assert_int_equal(k.checkins[0].mood, 4);
        assert_int_equal(k.checkin_updated[0], 7);
        assert_int_equal(k.checkins[1].went_out, 0);
        assert_int_equal(k.checkins[1].mood, -1);
        assert_int_equal(k.n_nudges, 1);
        assert_string_equal(k.nudges[0].body, "B\nC");
        assert_null(k.nudges[0].step);
        assert_true(isnan(k.nudges[0].baseline));
        assert_int_equal(k.nudges[0].helpful, 1);
        assert_int_equal(k.n_consent, 2);
        assert_int_equal(k.n_share_log, 1);
        assert_int_equal(k.n_unknown, 1);
        assert_int_equal(k.schema_version, 4);
        import_kizuki_done(&k);
}

static void test_refused(void **state) {
        (void) state;
        static const struct {
                const char *text;
                int error;
                const char *message;
        } cases[] = {
                { "", -EMEDIUMTYPE, "not valid JSON" },
                { "{\"format\":\"kizuki-export\"", -EMEDIUMTYPE, "end of file" },
                { "[]", -EMEDIUMTYPE, "not a kizuki export" },
                { "{\"format\":\"other\",\"version\":1,\"tables\":{}}", -EMEDIUMTYPE, "not a kizuki export" },
                { "{\"format\":\"kizuki-export\",\"version\":2,\"tables\":{}}", -EPROTONOSUPPORT, "version 2" },
                { "{\"format\":\"kizuki-export\",\"version\":\"1\",\"tables\":{}}", -EBADMSG, "version must be an integer" },
                { "{\"format\":\"kizuki-export\",\"version\":1}", -EBADMSG, "\"tables\" must be an object" },
                { HEAD "}} x", -EMEDIUMTYPE, "after the end" },
                { HEAD "\"bucket\":{\"rows\":{}}}}", -EBADMSG, "table bucket has no array of rows" },
                { HEAD "\"bucket\":{\"rows\":[" BUCKET(1767538800, 32400, "2026-01-05T00:00:00+09:00", 3601, 3600)
                  "]}}}", -EBADMSG, "table bucket, row 1: active_s must be" },
                { HEAD "\"bucket\":{\"rows\":[" BUCKET(1767538800, 32400, "2026-01-05T00:00:00+09:00", 100, 50)
                  "]}}}", -EBADMSG, "more than observed_s" },
                { HEAD "\"bucket\":{\"rows\":[" BUCKET(1767538801, 32400, "2026-01-05T00:00:01+09:00", 1, 1)
                  "]}}}", -EBADMSG, "local hour" },
                { HEAD "\"bucket\":{\"rows\":[" BUCKET(1767538800, 32400, "2026-01-05T01:00:00+09:00", 1, 1)
                  "]}}}", -EBADMSG, "does not match" },
                { HEAD "\"bucket\":{\"rows\":[" BUCKET(1767538800, 90000, "x", 1, 1) "]}}}", -EBADMSG,
                  "utc_offset must be" },
                { HEAD "\"bucket\":{\"rows\":[1]}}}", -EBADMSG, "row 1: a row must be an object" },
                { HEAD "\"checkin\":{\"rows\":[{\"date\":\"2026-02-30\",\"mood\":1}]}}}", -EBADMSG, "date" },
                { HEAD "\"checkin\":{\"rows\":[{\"date\":\"2026-02-03\"}]}}}", -EBADMSG, "without any answer" },
                { HEAD "\"checkin\":{\"rows\":[{\"date\":\"2026-02-03\",\"went_out\":2}]}}}", -EBADMSG, "0, 1 or null" },
                { HEAD "\"nudge\":{\"rows\":[" NUDGE("doom", "acked") "]}}}", -EBADMSG, "severity must be" },
                { HEAD "\"nudge\":{\"rows\":[" NUDGE("gentle", "lost") "]}}}", -EBADMSG, "state must be" },
                { HEAD "\"nudge\":{\"rows\":[{\"policy\":\"a\\u001b\"}]}}}", -EBADMSG, "control characters" },
                { HEAD "\"nudge\":{\"rows\":[{\"policy\":\"a\\u0000b\"}]}}}", -EBADMSG, "policy must be" },
        };
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                ImportKizuki k;
                char err[256];
                int r = parse(cases[i].text, &k, err, sizeof err);
                if (r != cases[i].error || !strstr(err, cases[i].message))
                        fail_msg("case %zu: %d '%s'", i, r, err);
                assert_null(k.buckets);
                assert_null(k.checkins);
                assert_null(k.nudges);
                assert_int_equal(k.n_buckets + k.n_checkins + k.n_nudges, 0);
        }
}

/* A file whose parse tree would take gigabytes is refused before it is parsed. */
static void test_too_many_values(void **state) {
        (void) state;
        ImportKizuki k;
        char err[256];
        size_t n = 6000001, len = 0;
        char *buf = malloc(2 * n + 2);

        assert_non_null(buf);
        buf[len++] = '[';
        for (size_t i = 0; i < n; i++) {
                buf[len++] = '0';
                buf[len++] = i + 1 < n ? ',' : ']';
        }
        assert_int_equal(import_parse_kizuki(buf, len, &k, err, sizeof err), -EFBIG);
        assert_non_null(strstr(err, "too large"));
        /* Objects cost more: a million and one empty ones are refused as well. */
        len = 0;
        buf[len++] = '[';
        for (size_t i = 0; i < 1000001; i++) {
                memcpy(buf + len, i ? ",{}" : "{}", i ? 3 : 2);
                len += i ? 3 : 2;
                if (len + 4 > 2 * n)
                        break;
        }
        buf[len++] = ']';
        assert_int_equal(import_parse_kizuki(buf, len, &k, err, sizeof err), -EFBIG);
        /* Commas and brackets inside strings do not count. */
        const char *text = HEAD "\"notes\":{\"rows\":[{\"x\":\"[,,,:\\\",[\"}]}}}";
        assert_int_equal(import_parse_kizuki(text, strlen(text), &k, err, sizeof err), 0);
        assert_int_equal(k.n_unknown, 1);
        import_kizuki_done(&k);
        free(buf);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_valid),
                cmocka_unit_test(test_refused),
                cmocka_unit_test(test_too_many_values),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

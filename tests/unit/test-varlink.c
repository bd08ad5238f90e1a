/* Varlink message parsing and replies: what a hostile peer can send. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "varlink.h"

static int parse(const char *s, VarlinkCall *c, const char **err) {
        return varlink_call_parse(s, strlen(s), c, err);
}

static void test_valid_call(void **state) {
        (void) state;
        VarlinkCall c;
        const char *err;
        assert_int_equal(parse("{\"method\":\"io.kizuki.Daemon.GetHours\",\"parameters\":{\"date\":\"2026-01-05\"}}",
                               &c, &err),
                         0);
        assert_string_equal(c.method, "io.kizuki.Daemon.GetHours");
        const char *date = NULL;
        assert_int_equal(varlink_param_string(c.parameters, "date", &date), 1);
        assert_string_equal(date, "2026-01-05");
        assert_false(c.oneway);
        varlink_call_done(&c);

        assert_int_equal(parse("{\"method\":\"a.B\",\"oneway\":true}", &c, &err), 0);
        assert_true(c.oneway);
        assert_true(json_object_is_type(c.parameters, json_type_object));
        varlink_call_done(&c);

        assert_int_equal(parse("{\"method\":\"a.B\",\"parameters\":null}", &c, &err), 0);
        assert_int_equal(json_object_object_length(c.parameters), 0);
        varlink_call_done(&c);
}

static void test_malformed(void **state) {
        (void) state;
        static const char *bad[] = {
                "", "garbage", "[1,2]", "\"str\"", "{}", "{\"method\":5}", "{\"method\":\"\"}",
                "{\"method\":\"NoDot\"}", "{\"method\":\"a..b\"}", "{\"method\":\".a.b\"}", "{\"method\":\"a.b.\"}",
                "{\"method\":\"a.b c\"}", "{\"method\":\"a.B\",\"parameters\":[]}",
                "{\"method\":\"a.B\",\"parameters\":\"x\"}", "{\"method\":\"a.B\",\"oneway\":1}",
                "{\"method\":\"a.B\",\"more\":\"yes\"}", "{\"method\":\"a.B\"", "{\"method\":\"a.B\"} trailing",
                "{\"method\":\"a.B\"}{\"method\":\"a.B\"}", "{\"method\":\"a.B\\u0000x\"}",
        };
        for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
                VarlinkCall c;
                const char *err = NULL;
                assert_true(parse(bad[i], &c, &err) < 0);
                assert_non_null(err);
                assert_null(c.method);
                assert_null(c.parameters);
        }
}

static void test_embedded_nul_and_size(void **state) {
        (void) state;
        VarlinkCall c;
        const char *err;
        const char msg[] = "{\"method\":\"a.B\"}\0x";
        assert_true(varlink_call_parse(msg, sizeof msg - 1, &c, &err) < 0);

        size_t big = VARLINK_MESSAGE_MAX + 1;
        char *buf = malloc(big);
        memset(buf, ' ', big);
        memcpy(buf, "{\"method\":\"a.B\"}", 16);
        assert_true(varlink_call_parse(buf, big, &c, &err) < 0);
        /* Exactly at the limit, padding is only whitespace: accepted. */
        assert_int_equal(varlink_call_parse(buf, VARLINK_MESSAGE_MAX, &c, &err), 0);
        varlink_call_done(&c);
        free(buf);
}

static void test_params(void **state) {
        (void) state;
        json_object *p = json_tokener_parse(
                "{\"s\":\"x\",\"i\":42,\"neg\":-5,\"big\":99999999999999999999,\"f\":1.5,\"n\":null,\"str\":\"7\"}");
        const char *s;
        int64_t i;
        assert_int_equal(varlink_param_string(p, "s", &s), 1);
        assert_int_equal(varlink_param_string(p, "missing", &s), 0);
        assert_int_equal(varlink_param_string(p, "n", &s), 0);
        assert_int_equal(varlink_param_string(p, "i", &s), -EINVAL);
        assert_int_equal(varlink_param_int(p, "i", 0, 100, &i), 1);
        assert_int_equal(i, 42);
        assert_int_equal(varlink_param_int(p, "i", 0, 10, &i), -EINVAL);
        assert_int_equal(varlink_param_int(p, "neg", 1, 100, &i), -EINVAL);
        assert_int_equal(varlink_param_int(p, "big", 0, INT64_MAX - 1, &i), -EINVAL);
        assert_int_equal(varlink_param_int(p, "f", 0, 100, &i), -EINVAL);
        assert_int_equal(varlink_param_int(p, "str", 0, 100, &i), -EINVAL);
        assert_int_equal(varlink_param_int(p, "n", 0, 100, &i), 0);
        json_object_object_add(p, "nul", json_object_new_string_len("a\0b", 3));
        assert_int_equal(varlink_param_string(p, "nul", &s), -EINVAL);
        json_object_put(p);
}

static void test_replies(void **state) {
        (void) state;
        char *msg;
        size_t len;
        json_object *p = json_object_new_object();
        json_object_object_add(p, "a", json_object_new_string("x/y"));
        assert_int_equal(varlink_reply(p, &msg, &len), 0);
        assert_string_equal(msg, "{\"parameters\":{\"a\":\"x/y\"}}");
        assert_int_equal(len, strlen(msg) + 1);
        free(msg);

        assert_int_equal(varlink_error("io.kizuki.Daemon.NoConsent", NULL, &msg, &len), 0);
        assert_string_equal(msg, "{\"error\":\"io.kizuki.Daemon.NoConsent\",\"parameters\":{}}");
        free(msg);

        assert_int_equal(varlink_error_invalid_parameter("date", &msg, &len), 0);
        assert_string_equal(msg, "{\"error\":\"org.varlink.service.InvalidParameter\",\"parameters\":{\"parameter\":\"date\"}}");
        free(msg);
}

static void test_method_split(void **state) {
        (void) state;
        char iface[64];
        const char *m;
        assert_int_equal(varlink_method_split("io.kizuki.Daemon.GetStatus", iface, sizeof iface, &m), 0);
        assert_string_equal(iface, "io.kizuki.Daemon");
        assert_string_equal(m, "GetStatus");
        assert_true(varlink_method_split("nodot", iface, sizeof iface, &m) < 0);
        assert_true(varlink_method_split("a.very.long.interface.Name", iface, 4, &m) < 0);
}

/* One item of a streamed array: what a day looks like, with the values that
 * json-c writes with care (doubles, escapes, slashes, null, nesting). */
static json_object *item(int i) {
        json_object *o = json_object_new_object(), *a = json_object_new_array();
        json_object_object_add(o, "date", json_object_new_string(i % 2 ? "2026-01-05" : "a/b \"q\" \u00e9\n"));
        json_object_object_add(o, "h", json_object_new_double(i / 3.0));
        json_object_object_add(o, "n", i % 3 ? json_object_new_int64(-i) : NULL);
        json_object_array_add(a, json_object_new_boolean(i % 2));
        json_object_array_add(a, json_object_new_double(1e-7 * i));
        json_object_object_add(o, "x", a);
        return o;
}

static json_object *params(json_object *arr) {
        json_object *p = json_object_new_object(), *st = json_object_new_object();
        json_object_object_add(p, "days", arr);
        json_object_object_add(st, "path", json_object_new_string("/tmp/x"));
        json_object_object_add(st, "min", json_object_new_double(2.5));
        json_object_object_add(p, "settings", st);
        return p;
}

/* A reply written item by item is byte for byte the reply built whole. */
static void test_stream(void **state) {
        (void) state;
        for (int n = 0; n < 40; n += 13) {
                json_object *arr = json_object_new_array();
                for (int i = 0; i < n; i++)
                        json_object_array_add(arr, item(i));
                char *whole = NULL, *streamed = NULL;
                size_t whole_len = 0, streamed_len = 0;
                assert_int_equal(varlink_reply(params(arr), &whole, &whole_len), 0);

                VarlinkStream s;
                assert_int_equal(varlink_stream_begin(&s, params(json_object_new_array()), "days"), 0);
                for (int i = 0; i < n; i++)
                        assert_int_equal(varlink_stream_add(&s, item(i)), 0);
                assert_int_equal(varlink_stream_end(&s, &streamed, &streamed_len), 0);
                assert_int_equal(streamed_len, whole_len);
                assert_memory_equal(streamed, whole, whole_len);
                assert_null(s.buf);
                free(whole);
                free(streamed);
        }

        /* The member must be the first, and an empty array. */
        VarlinkStream s;
        json_object *p = json_object_new_object();
        json_object_object_add(p, "settings", json_object_new_object());
        json_object_object_add(p, "days", json_object_new_array());
        assert_int_equal(varlink_stream_begin(&s, p, "days"), -EINVAL);
        p = params(json_object_new_array());
        assert_int_equal(varlink_stream_begin(&s, p, "settings"), -EINVAL);
        json_object *full = json_object_new_array();
        json_object_array_add(full, item(1));
        assert_int_equal(varlink_stream_begin(&s, params(full), "days"), -EINVAL);
        /* Given up half-way: nothing leaks. */
        assert_int_equal(varlink_stream_begin(&s, params(json_object_new_array()), "days"), 0);
        assert_int_equal(varlink_stream_add(&s, item(2)), 0);
        varlink_stream_done(&s);
        varlink_stream_done(&s);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_valid_call),   cmocka_unit_test(test_malformed),
                cmocka_unit_test(test_embedded_nul_and_size), cmocka_unit_test(test_params),
                cmocka_unit_test(test_replies),      cmocka_unit_test(test_stream),      cmocka_unit_test(test_method_split),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

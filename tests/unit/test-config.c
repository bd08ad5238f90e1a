/* Config tests: parsing, messages with file:line, and the value parsers. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "macro.h"

/* Warnings collected from the parser. */
typedef struct Warnings {
        char msg[16][512];
        size_t n;
} Warnings;

static void collect(const char *message, void *userdata) {
        Warnings *w = userdata;

        assert_true(w->n < ELEMENTSOF(w->msg));
        snprintf(w->msg[w->n++], sizeof w->msg[0], "%s", message);
}

static int parse(Config *c, const char *text, Warnings *w) {
        memset(w, 0, sizeof *w);
        config_defaults(c);
        return config_parse_string(c, text, "test.conf", collect, w);
}

/* Field by field: the padding of Config is not defined. */
static void assert_config_equal(const Config *a, const Config *b) {
        assert_int_equal(a->flush_interval_s, b->flush_interval_s);
        assert_int_equal(a->hint_expiry_s, b->hint_expiry_s);
        assert_int_equal(a->logind, b->logind);
        assert_int_equal(a->day_start_min, b->day_start_min);
        assert_int_equal(a->night_start_min, b->night_start_min);
        assert_int_equal(a->night_end_min, b->night_end_min);
        assert_int_equal(a->min_coverage_h, b->min_coverage_h);
        assert_int_equal(a->retention_days, b->retention_days);
        assert_int_equal(a->notify, b->notify);
}

static void assert_defaults(const Config *c) {
        Config d;

        config_defaults(&d);
        assert_config_equal(c, &d);
}

static void test_defaults(void **state) {
        Config c;

        (void) state;
        memset(&c, 0xff, sizeof c);
        config_defaults(&c);
        assert_int_equal(c.flush_interval_s, 300);
        assert_int_equal(c.hint_expiry_s, 600);
        assert_true(c.logind);
        assert_int_equal(c.day_start_min, 0);
        assert_int_equal(c.night_start_min, 0);
        assert_int_equal(c.night_end_min, 360);
        assert_int_equal(c.min_coverage_h, 18);
        assert_int_equal(c.retention_days, 365);
        assert_int_equal(c.notify, CONFIG_NOTIFY_DISCREET);
}

static void test_empty(void **state) {
        Warnings w;
        Config c;

        (void) state;
        assert_int_equal(parse(&c, "", &w), 0);
        assert_int_equal(parse(&c, "\n\n; just a comment\n# another\n[recording]\n[day]\n", &w), 0);
        assert_int_equal(w.n, 0);
        assert_defaults(&c);
}

static void test_all_keys(void **state) {
        Warnings w;
        Config c;

        (void) state;
        assert_int_equal(parse(&c,
                               "\xef\xbb\xbf# kizukid.conf\r\n"
                               "[recording]\r\n"
                               "flush_interval = 1min ; inline comment\n"
                               "hint_expiry=1h30min\n"
                               "logind = OFF\n"
                               "\n"
                               "[day]\n"
                               "day_start = 4:00\n"
                               "night_start = 23:30\n"
                               "night_end = 07:15\n"
                               "min_coverage_hours = 0\n"
                               "[store]\n"
                               "retention_days : 36500\n",
                               &w),
                         0);
        assert_int_equal(w.n, 0);
        assert_int_equal(c.flush_interval_s, 60);
        assert_int_equal(c.hint_expiry_s, 5400);
        assert_false(c.logind);
        assert_int_equal(c.day_start_min, 240);
        assert_int_equal(c.night_start_min, 23 * 60 + 30);
        assert_int_equal(c.night_end_min, 7 * 60 + 15);
        assert_int_equal(c.min_coverage_h, 0);
        assert_int_equal(c.retention_days, 36500);

        /* Range ends are included. */
        assert_int_equal(parse(&c,
                               "[recording]\nflush_interval = 10\nhint_expiry = 1d\nlogind = true\n"
                               "[day]\nmin_coverage_hours = 24\n[store]\nretention_days = 1\n",
                               &w),
                         0);
        assert_int_equal(c.flush_interval_s, 10);
        assert_int_equal(c.hint_expiry_s, 86400);
        assert_true(c.logind);
        assert_int_equal(c.min_coverage_h, 24);
        assert_int_equal(c.retention_days, 1);
        assert_int_equal(parse(&c, "[recording]\nflush_interval = 1h\nhint_expiry = 10 s\n", &w), 0);
        assert_int_equal(c.flush_interval_s, 3600);
        assert_int_equal(c.hint_expiry_s, 10);
}

/* notify: no|discreet|full; the yes/no words of the boolean it was are discreet or no. */
static void test_notify(void **state) {
        static const struct {
                const char *value;
                ConfigNotify want;
        } cases[] = {
                { "no", CONFIG_NOTIFY_NO },       { "off", CONFIG_NOTIFY_NO },     { "FALSE", CONFIG_NOTIFY_NO },
                { "0", CONFIG_NOTIFY_NO },        { "discreet", CONFIG_NOTIFY_DISCREET }, { "Discreet", CONFIG_NOTIFY_DISCREET },
                { "yes", CONFIG_NOTIFY_DISCREET }, { "on", CONFIG_NOTIFY_DISCREET }, { "1", CONFIG_NOTIFY_DISCREET },
                { "full", CONFIG_NOTIFY_FULL },   { "FULL", CONFIG_NOTIFY_FULL },
        };
        char text[64];
        Warnings w;
        Config c;

        (void) state;
        for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
                snprintf(text, sizeof text, "[nudges]\nnotify = %s\n", cases[i].value);
                assert_int_equal(parse(&c, text, &w), 0);
                assert_int_equal(c.notify, cases[i].want);
        }
        /* A bad value keeps what was there. */
        assert_int_equal(parse(&c, "[nudges]\nnotify = full\nnotify = fullish\n", &w), 1);
        assert_int_equal(c.notify, CONFIG_NOTIFY_FULL);
        assert_string_equal(config_notify_name(CONFIG_NOTIFY_NO), "no");
        assert_string_equal(config_notify_name(CONFIG_NOTIFY_FULL), "full");
}

static void test_bad_values(void **state) {
        static const struct {
                const char *text;
                const char *message;
        } cases[] = {
                { "[recording]\nflush_interval = 9s\n",
                  "test.conf:2: invalid value '9s' for flush_interval (expected a duration from 10s to 1h), keeping 5min" },
                { "[recording]\nflush_interval = 1h1s\n",
                  "test.conf:2: invalid value '1h1s' for flush_interval (expected a duration from 10s to 1h), keeping 5min" },
                { "[recording]\nflush_interval = -300\n",
                  "test.conf:2: invalid value '-300' for flush_interval (expected a duration from 10s to 1h), keeping 5min" },
                { "[recording]\nflush_interval =\n",
                  "test.conf:2: invalid value '' for flush_interval (expected a duration from 10s to 1h), keeping 5min" },
                { "[recording]\n\nhint_expiry = 2d\n",
                  "test.conf:3: invalid value '2d' for hint_expiry (expected a duration from 10s to 1d), keeping 10min" },
                { "[recording]\nhint_expiry = 5 minutes please\n",
                  "test.conf:2: invalid value '5 minutes please' for hint_expiry (expected a duration from 10s to 1d), keeping 10min" },
                { "[recording]\nlogind = maybe\n",
                  "test.conf:2: invalid value 'maybe' for logind (expected yes or no), keeping yes" },
                { "[nudges]\nnotify = loud\n",
                  "test.conf:2: invalid value 'loud' for notify (expected no, discreet or full), keeping discreet" },
                { "[day]\nday_start = 24:00\n",
                  "test.conf:2: invalid value '24:00' for day_start (expected a time of day from 00:00 to 23:59), keeping 00:00" },
                { "[day]\nnight_start = noon\n",
                  "test.conf:2: invalid value 'noon' for night_start (expected a time of day from 00:00 to 23:59), keeping 00:00" },
                { "[day]\nnight_end = 6\n",
                  "test.conf:2: invalid value '6' for night_end (expected a time of day from 00:00 to 23:59), keeping 06:00" },
                { "[day]\nmin_coverage_hours = 25\n",
                  "test.conf:2: invalid value '25' for min_coverage_hours (expected an integer from 0 to 24), keeping 18" },
                { "[day]\nmin_coverage_hours = 1.5\n",
                  "test.conf:2: invalid value '1.5' for min_coverage_hours (expected an integer from 0 to 24), keeping 18" },
                { "[store]\nretention_days = 0\n",
                  "test.conf:2: invalid value '0' for retention_days (expected an integer from 1 to 36500), keeping 365" },
                { "[store]\nretention_days = +30\n",
                  "test.conf:2: invalid value '+30' for retention_days (expected an integer from 1 to 36500), keeping 365" },
                { "[store]\nretention_days = 99999999999999999999\n",
                  "test.conf:2: invalid value '99999999999999999999' for retention_days (expected an integer from 1 to 36500), keeping 365" },
                { "[store]\nretention_days = 3\x01\n",
                  "test.conf:2: invalid value '3\\x01' for retention_days (expected an integer from 1 to 36500), keeping 365" },
        };
        Warnings w;
        Config c;

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                assert_int_equal(parse(&c, cases[i].text, &w), 1);
                assert_int_equal(w.n, 1);
                assert_string_equal(w.msg[0], cases[i].message);
                assert_defaults(&c);
        }
}

/* The last value wins; a bad one keeps what was there before it. */
static void test_duplicates(void **state) {
        Warnings w;
        Config c;

        (void) state;
        assert_int_equal(parse(&c,
                               "[recording]\nflush_interval = 1min\n[day]\n[recording]\n"
                               "flush_interval = 2min\nflush_interval = nope\n",
                               &w),
                         1);
        assert_int_equal(c.flush_interval_s, 120);
        assert_string_equal(w.msg[0], "test.conf:6: invalid value 'nope' for flush_interval "
                                      "(expected a duration from 10s to 1h), keeping 2min");
}

static void test_unknown(void **state) {
        Warnings w;
        Config c;

        (void) state;
        assert_int_equal(parse(&c,
                               "stray = 1\n"
                               "[recording]\n"
                               "flush_intervall = 60\n"
                               "; comment\n"
                               "[Recording]\n"
                               "flush_interval = 60\n"
                               "[store]\n"
                               "retention_days = 30\n",
                               &w),
                         3);
        assert_int_equal(w.n, 3);
        assert_string_equal(w.msg[0], "test.conf:1: key 'stray' outside any section");
        assert_string_equal(w.msg[1], "test.conf:3: unknown key 'flush_intervall' in section [recording]");
        assert_string_equal(w.msg[2], "test.conf:6: unknown key 'flush_interval' in section [Recording]");
        assert_int_equal(c.flush_interval_s, 300);
        assert_int_equal(c.retention_days, 30);
}

static void test_syntax_error(void **state) {
        Warnings w;
        Config c;

        (void) state;
        /* inih reports its first syntax error; the lines after it still count. */
        assert_int_equal(parse(&c,
                               "[recording]\n"
                               "flush_interval = 60\n"
                               "\n"
                               "this line has no equals sign\n"
                               "[day\n"
                               "logind = no\n"
                               "hint_expiry = x\n",
                               &w),
                         2);
        assert_int_equal(w.n, 2);
        assert_string_equal(w.msg[0], "test.conf:7: invalid value 'x' for hint_expiry "
                                      "(expected a duration from 10s to 1d), keeping 10min");
        assert_string_equal(w.msg[1], "test.conf:4: syntax error");
        assert_int_equal(c.flush_interval_s, 60);
        assert_false(c.logind);

        assert_int_equal(parse(&c, "[store\nretention_days = 5\n", &w), 2);
        assert_string_equal(w.msg[0], "test.conf:2: key 'retention_days' outside any section");
        assert_string_equal(w.msg[1], "test.conf:1: syntax error");
        assert_int_equal(c.retention_days, 365); /* the section never opened */
}

/* Lines inih cannot take whole are dropped and reported; the count stays right. */
static void test_long_line(void **state) {
        char text[1024];
        Warnings w;
        Config c;
        int n;

        (void) state;
        n = snprintf(text, sizeof text, "[store]\nretention_days = 1%0250d\nretention_days = x\n", 0);
        assert_true(n > 0 && (size_t) n < sizeof text);
        assert_int_equal(parse(&c, text, &w), 2);
        assert_string_equal(w.msg[0], "test.conf:2: line longer than 199 characters, ignored");
        assert_string_equal(w.msg[1], "test.conf:3: invalid value 'x' for retention_days "
                                      "(expected an integer from 1 to 36500), keeping 365");
        assert_int_equal(c.retention_days, 365);
}

/* inih reads "[store] retention_days = 5" as "[store]" and drops the rest:
 * said, not silently lost. An inline comment after the header is fine, and
 * an indented line under a key continues its value, not a header. */
static void test_text_after_section(void **state) {
        Warnings w;
        Config c;

        (void) state;
        assert_int_equal(parse(&c, "[store] retention_days = 5\n", &w), 1);
        assert_string_equal(w.msg[0], "test.conf:1: text 'retention_days = 5' after the section header, ignored");
        assert_int_equal(c.retention_days, 365);
        assert_int_equal(parse(&c, "[store] ; how long\nretention_days = 5\n", &w), 0);
        assert_int_equal(c.retention_days, 5);
        assert_int_equal(parse(&c, "[store]]\n", &w), 1);
        assert_string_equal(w.msg[0], "test.conf:1: text ']' after the section header, ignored");
}

static void test_load(void **state) {
        char dir[] = "/tmp/test-config-XXXXXX", path[64];
        Warnings w = { 0 };
        Config c, before;
        FILE *f;

        (void) state;
        assert_non_null(mkdtemp(dir));
        snprintf(path, sizeof path, "%s/kizukid.conf", dir);

        config_defaults(&c);
        c.retention_days = 7;
        before = c;
        assert_int_equal(config_load(&c, path, collect, &w), -ENOENT);
        assert_config_equal(&c, &before);
        assert_int_equal(config_load(&c, dir, collect, &w), -EISDIR);
        assert_config_equal(&c, &before);
        /* A FIFO is refused, not waited on (the alarm fails the test instead
         * of hanging it). */
        assert_int_equal(mkfifo(path, 0600), 0);
        alarm(10);
        assert_int_equal(config_load(&c, path, collect, &w), -EINVAL);
        alarm(0);
        assert_config_equal(&c, &before);
        assert_int_equal(unlink(path), 0);

        /* Values in the file go over what c held; a NUL byte spoils only its line. */
        f = fopen(path, "w");
        assert_non_null(f);
        fputs("[day]\nday_start = 04:00\n[store]\nretention_days = 3", f);
        fputc('\0', f);
        fputs("0\nmin_coverage_hours = 20\n", f);
        fclose(f);
        assert_int_equal(config_load(&c, path, collect, &w), 2);
        assert_int_equal(w.n, 2);
        assert_memory_equal(w.msg[0], dir, strlen(dir));
        assert_string_equal(w.msg[0] + strlen(dir), "/kizukid.conf:4: NUL byte in line, ignored");
        assert_string_equal(w.msg[1] + strlen(dir), "/kizukid.conf:5: unknown key 'min_coverage_hours' in section [store]");
        assert_int_equal(c.day_start_min, 240);
        assert_int_equal(c.retention_days, 7);

        assert_int_equal(unlink(path), 0);
        assert_int_equal(rmdir(dir), 0);
}

static void test_durations(void **state) {
        static const struct {
                const char *s;
                int64_t v;
        } good[] = {
                { "0", 0 },
                { "300", 300 },
                { "300s", 300 },
                { "90 s", 90 },
                { "5min", 300 },
                { "5m", 300 },
                { "5 minutes", 300 },
                { "2h", 7200 },
                { "1d", 86400 },
                { "2 days", 172800 },
                { "1h30min", 5400 },
                { "1h 30min", 5400 },
                { "1d2h3m4s", 93784 },
                { "007s", 7 },
                { "9223372036854775807", INT64_MAX },
                { "9223372036854775807s", INT64_MAX },
        };
        static const char *const bad[] = {
                "",
                " ",
                "s",
                "-5",
                "-5min",
                "+5",
                " 5",
                "5 ",
                "5  s",
                "5x",
                "5 mins",
                "5S",
                "1h30",
                "30min1h",
                "1h1h",
                "1h  30min",
                "1.5h",
                "5min!",
                "9223372036854775808",
                "106751991167301d",
                "9223372036854775807s1",
                "2562047788015216h",
                "106751991167300d86400s",
        };
        int64_t v;

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                v = -1;
                assert_int_equal(parse_duration(good[i].s, &v), 0);
                assert_true(v == good[i].v);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                v = -1;
                if (parse_duration(bad[i], &v) != -EINVAL)
                        fail_msg("'%s' was accepted", bad[i]);
                assert_int_equal(v, -1);
        }
        assert_int_equal(parse_duration(NULL, &v), -EINVAL);
}

static void test_clocks(void **state) {
        static const struct {
                const char *s;
                int v;
        } good[] = {
                { "00:00", 0 }, { "0:00", 0 }, { "4:00", 240 }, { "06:00", 360 },
                { "12:34", 754 }, { "23:59", 1439 }, { "9:05", 545 },
        };
        static const char *const bad[] = {
                "", "24:00", "23:60", "1:0", "01:000", "001:00", "1", "12", "12:", ":30",
                " 1:00", "1:00 ", "+1:00", "-1:00", "1:-0", "1h00", "12:3a", "aa:bb", "12.30",
        };
        int v;

        (void) state;
        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                v = -1;
                assert_int_equal(parse_clock(good[i].s, &v), 0);
                assert_int_equal(v, good[i].v);
        }
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                v = -1;
                if (parse_clock(bad[i], &v) != -EINVAL)
                        fail_msg("'%s' was accepted", bad[i]);
                assert_int_equal(v, -1);
        }
        assert_int_equal(parse_clock(NULL, &v), -EINVAL);
}

static void test_no_warn_function(void **state) {
        Config c;

        (void) state;
        config_defaults(&c);
        assert_int_equal(config_parse_string(&c, "[x]\ny=1\nz\n", NULL, NULL, NULL), 2);
        assert_int_equal(config_parse_string(NULL, "", NULL, NULL, NULL), -EINVAL);
        assert_int_equal(config_parse_string(&c, NULL, NULL, NULL, NULL), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_defaults),
                cmocka_unit_test(test_empty),
                cmocka_unit_test(test_all_keys),
                cmocka_unit_test(test_notify),
                cmocka_unit_test(test_bad_values),
                cmocka_unit_test(test_duplicates),
                cmocka_unit_test(test_unknown),
                cmocka_unit_test(test_syntax_error),
                cmocka_unit_test(test_long_line),
                cmocka_unit_test(test_text_after_section),
                cmocka_unit_test(test_load),
                cmocka_unit_test(test_durations),
                cmocka_unit_test(test_clocks),
                cmocka_unit_test(test_no_warn_function),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

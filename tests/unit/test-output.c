/* Unit tests for the CLI's word wrapping (cli/output.c): lines within the
 * width, a long word alone on its line, control characters made safe, and a
 * number never parted from its unit at a line end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output.h"

static char *wrapped(const char *text, unsigned columns) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        assert_non_null(f);
        assert_int_equal(output_wrap(f, 0, "", text, columns), 0);
        assert_int_equal(fclose(f), 0);
        return buf;
}

static void test_wrap(void **state) {
        char *s;

        (void) state;
        s = wrapped("one two three four five six seven eight nine ten eleven", 20);
        assert_string_equal(s, "one two three four\nfive six seven eight\nnine ten eleven\n");
        free(s);
        s = wrapped("a supercalifragilisticexpialidocious b", 20);
        assert_string_equal(s, "a\nsupercalifragilisticexpialidocious\nb\n");
        free(s);
        s = wrapped("tab\tand\nnewline \x1b[2J", 40);
        assert_string_equal(s, "tab and newline ?[2J\n");
        free(s);
        s = wrapped(" \n\t", 40);
        assert_string_equal(s, "");
        free(s);
}

/* "(29 %," would have ended a line at "29" with "%," on the next. */
static void test_units_stay(void **state) {
        char *s;

        (void) state;
        s = wrapped("far more of the time at night than usual (29 %, usually 0 %).", 45);
        assert_string_equal(s, "far more of the time at night than usual\n(29 %, usually 0 %).\n");
        free(s);
        s = wrapped("screen time at this computer 9.1 h a day", 33);
        assert_string_equal(s, "screen time at this computer\n9.1 h a day\n");
        free(s);
        s = wrapped("night share up by +18 pp, rest 20 min", 24);
        assert_string_equal(s, "night share up by\n+18 pp, rest 20 min\n");
        free(s);
        /* a word that only begins like a unit is not one */
        s = wrapped("waited 3 hours, then 3 more", 20);
        assert_string_equal(s, "waited 3 hours, then\n3 more\n");
        free(s);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_wrap),
                cmocka_unit_test(test_units_stay),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

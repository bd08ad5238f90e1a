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

static void expect_wrap(const char *text, unsigned columns, const char *expected) {
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);

        assert_non_null(f);
        assert_int_equal(output_wrap(f, 0, "", text, columns), 0);
        assert_int_equal(fclose(f), 0);
        assert_string_equal(buf, expected);
        free(buf);
}

static void test_wrap(void **state) {
        (void) state;
        expect_wrap("one two three four five six seven eight nine ten eleven", 20,
                    "one two three four\nfive six seven eight\nnine ten eleven\n");
        expect_wrap("a supercalifragilisticexpialidocious b", 20, "a\nsupercalifragilisticexpialidocious\nb\n");
        expect_wrap("tab\tand\nnewline \x1b[2J", 40, "tab and newline ?[2J\n");
        expect_wrap(" \n\t", 40, "");
}

/* "(29 %," would have ended a line at "29" with "%," on the next. */
static void test_units_stay(void **state) {
        (void) state;
        expect_wrap("far more of the time at night than usual (29 %, usually 0 %).", 45,
                    "far more of the time at night than usual\n(29 %, usually 0 %).\n");
        expect_wrap("screen time at this computer 9.1 h a day", 33, "screen time at this computer\n9.1 h a day\n");
        expect_wrap("night share up by +18 pp, rest 20 min", 24, "night share up by\n+18 pp, rest 20 min\n");
        /* a word that only begins like a unit is not one */
        expect_wrap("waited 3 hours, then 3 more", 20, "waited 3 hours, then\n3 more\n");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_wrap),
                cmocka_unit_test(test_units_stay),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* libFuzzer target for kizukid.conf: whatever the text, parsing never crashes,
 * every problem is reported once, and every value stays in its documented range. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void count_warning(const char *message, void *userdata) {
        size_t *n = userdata;

        if (!message || strncmp(message, "fuzz.conf:", strlen("fuzz.conf:")) != 0)
                abort();
        (*n)++;
}

static void check_range(int64_t v, int64_t min, int64_t max) {
        if (v < min || v > max)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        size_t warnings = 0;
        char *text;
        int64_t d;
        Config c;
        int r, m;

        text = malloc(size + 1);
        if (!text)
                return 0;
        if (size > 0)
                memcpy(text, data, size);
        text[size] = '\0';

        config_defaults(&c);
        r = config_parse_string(&c, text, "fuzz.conf", count_warning, &warnings);
        if (r < 0 || (size_t) r != warnings)
                abort();
        check_range(c.flush_interval_s, 10, 3600);
        check_range(c.hint_expiry_s, 10, 86400);
        check_range(c.logind, 0, 1);
        check_range(c.day_start_min, 0, 23 * 60 + 59);
        check_range(c.night_start_min, 0, 23 * 60 + 59);
        check_range(c.night_end_min, 0, 23 * 60 + 59);
        check_range(c.min_coverage_h, 0, 24);
        check_range(c.retention_days, 1, 36500);

        /* The value parsers on their own, with the whole input as the value. */
        if (parse_duration(text, &d) >= 0)
                check_range(d, 0, INT64_MAX);
        if (parse_clock(text, &m) >= 0)
                check_range(m, 0, 23 * 60 + 59);

        free(text);
        return 0;
}

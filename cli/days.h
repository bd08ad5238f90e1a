/* The days kizukid sends (GetDays, GetWeek, the lead-in of explain): checked,
 * as a table and as JSON. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "command.h"

/* A Day of the interface. Figures NAN and times of day (minutes after local
 * midnight) -1 where null; check-ins -1 where not answered. */
typedef struct Day {
        char date[11];
        int64_t day; /* local seconds of its 00:00 */
        double screen_h, night_ratio, sleep_h, coverage_h, is, iv, ra, l5, m10;
        double up, down; /* minutes after the date's 00:00, may pass midnight; NAN: null */
        double sri, social_jet_lag_h;
        int first_active, last_active, sleep_onset, sleep_offset, sleep_mid, l5_onset, m10_onset;
        bool low_coverage;
        int went_out, met_someone, mood;
} Day;

/* The array `key` of Day objects in reply, checked and copied.
 * Says so on stderr when it is malformed. */
int days_parse(json_object *reply, const char *key, Day **ret, size_t *ret_n);

/* The daemon's settings the days were computed with (GetDays' settings);
 * kizukid's defaults when an older daemon does not send them. */
typedef struct DaySettings {
        int day_start_min;
        int min_coverage_h;
} DaySettings;

/* GetDays(from, to): the days of the reply, and its settings when
 * ret_settings is not NULL. Errors are said on stderr. */
int days_fetch(const Ctx *ctx, const char *from, const char *to, Day **ret, size_t *ret_n, DaySettings *ret_settings);

/* The days as an aligned table on stdout (rhythm: with IS, IV, RA),
 * low-coverage days marked, and a footnote when there are any. */
int days_print_table(const Ctx *ctx, const Day *days, size_t n, bool rhythm);

/* {"days":[{…}, …]} on stdout, each day in the order of the contract. */
int days_print_json(const Day *days, size_t n);

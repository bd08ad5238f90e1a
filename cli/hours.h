/* The hours kizukid sends (GetHours, GetRange, GetWeek): checked, and as
 * JSON for "--json". */
#pragma once

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>

#include "command.h"

/* An Hour of the interface. */
typedef struct Hour {
        int64_t start;
        int32_t utc_offset;
        int64_t active_s;
        int64_t observed_s;
} Hour;

/* The array `key` of Hour objects in reply, checked and copied (*ret
 * malloc'ed, NULL when empty). Says so on stderr when it is malformed. */
int hours_parse(json_object *reply, const char *key, Hour **ret, size_t *ret_n);

/* Call method with string parameters (pairs of a key and a value, ended by
 * NULL) and parse the "hours" of its reply; with --json also print them:
 * {"hours":[{"start":"2026-01-05T08:00:00+01:00","active_s":…,"observed_s":…}, …]}.
 * Returns 1 when the command is to show them itself, 0 when they were shown
 * as JSON, < 0 on failure (said on stderr). */
int hours_fetch(const Ctx *ctx, const char *method, Hour **ret, size_t *ret_n, ...) __attribute__((sentinel));

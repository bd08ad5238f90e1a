/* The weekly digest's pure parts (DESIGN.md "Weekly summary and digest"): its
 * levels, the ISO week of a local day, the week's hours as a grid of active
 * minutes, and which nudges belong to a week. No clock, no I/O. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "accountant.h"

/* Each level adds to the one before: summary (weekly figures, nudges,
 * check-in counts), daily (plus one row per day), hourly (plus the grid). */
typedef enum DigestModelLevel {
        DIGEST_MODEL_SUMMARY,
        DIGEST_MODEL_DAILY,
        DIGEST_MODEL_HOURLY,
        _DIGEST_MODEL_LEVEL_MAX,
} DigestModelLevel;

#define DIGEST_MODEL_SCHEMA "kizuki-digest/1"
#define DIGEST_MODEL_WEEK_MAX 32 /* "YYYY-Www" and its NUL, with room the compiler can see */

/* "summary", "daily", "hourly" → the level; -EINVAL otherwise (NULL too). */
int digest_model_level_from_string(const char *s);
const char *digest_model_level_to_string(DigestModelLevel l);

/* The ISO 8601 week "YYYY-Www" that day (local seconds of a 00:00) falls in,
 * and the local seconds of its Monday (ret_monday may be NULL). -ERANGE for a
 * day outside years 1..9999. */
int digest_model_week_of(int64_t day, char ret[static DIGEST_MODEL_WEEK_MAX], int64_t *ret_monday);

/* Active minutes per hour for the 7 days from first (local seconds at which
 * the first day starts, i.e. Monday + day start): cell [d][h] is the rounded
 * active minutes of the bucket whose local start (start + utc_offset) lies in
 * hour h of day d; -1 where no bucket there was observed. A local hour that
 * occurs twice (clocks going back) shows the larger of the two, as kizuki
 * actogram does; one that is skipped stays -1. b need not be sorted. */
void digest_model_hours(const AcctBucket *b, size_t n, int64_t first, int ret[7][24]);

/* Whether a nudge dated date (local seconds of 00:00) belongs to the week
 * starting on monday. */
static inline int digest_model_in_week(int64_t date, int64_t monday) {
        return date >= monday && date < monday + 7 * INT64_C(86400);
}

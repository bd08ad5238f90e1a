/* The weekly digest's pure parts (DESIGN.md "Weekly summary and digest"): its
 * levels and formats, the week's hours as a grid of active minutes, and which
 * nudges belong to a week. No clock, no I/O. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "accountant.h"

/* Each level adds to the one before: summary (weekly figures, nudges,
 * check-in counts), daily (plus one row per day), hourly (plus the grid). */
typedef enum DigestLevel {
        DIGEST_LEVEL_SUMMARY,
        DIGEST_LEVEL_DAILY,
        DIGEST_LEVEL_HOURLY,
        _DIGEST_LEVEL_MAX,
} DigestLevel;

#define DIGEST_SCHEMA "kizuki-digest/3"

/* How a digest is written out: plain text, the model as JSON, one
 * self-contained HTML file, a FHIR R4 Bundle. Rendering is the CLI's; the
 * names travel (recipient files, the share log). */
typedef enum DigestFormat {
        DIGEST_FORMAT_TEXT,
        DIGEST_FORMAT_JSON,
        DIGEST_FORMAT_HTML,
        DIGEST_FORMAT_FHIR,
        _DIGEST_FORMAT_MAX,
} DigestFormat;

/* "summary", "daily", "hourly" → the level; -EINVAL otherwise (NULL too). */
int digest_level_from_string(const char *s);
const char *digest_level_to_string(DigestLevel l);
/* "text"/"json"/"html"/"fhir" and back; -EINVAL for anything else. */
int digest_format_from_string(const char *s);
const char *digest_format_to_string(DigestFormat f);
/* The MIME type of a rendering: text/plain; charset=utf-8, application/json,
 * text/html; charset=utf-8, application/fhir+json. */
const char *digest_content_type(DigestFormat f);

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

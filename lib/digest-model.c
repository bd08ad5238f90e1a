/* The weekly digest's pure parts. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "digest-model.h"

#define DAY INT64_C(86400)

static const char *const level_names[_DIGEST_LEVEL_MAX] = { "summary", "daily", "hourly" };
static const char *const format_names[_DIGEST_FORMAT_MAX] = { "text", "json", "html", "fhir" };

/* The index of s in names[0..n), -EINVAL when it is not there (or NULL). */
static int name_index(const char *const *names, int n, const char *s) {
        for (int i = 0; s && i < n; i++)
                if (strcmp(s, names[i]) == 0)
                        return i;
        return -EINVAL;
}

int digest_level_from_string(const char *s) {
        return name_index(level_names, _DIGEST_LEVEL_MAX, s);
}

const char *digest_level_to_string(DigestLevel l) {
        return (unsigned) l < _DIGEST_LEVEL_MAX ? level_names[l] : NULL;
}

int digest_format_from_string(const char *s) {
        return name_index(format_names, _DIGEST_FORMAT_MAX, s);
}

const char *digest_format_to_string(DigestFormat f) {
        return (unsigned) f < _DIGEST_FORMAT_MAX ? format_names[f] : NULL;
}

const char *digest_content_type(DigestFormat f) {
        switch (f) {
        case DIGEST_FORMAT_TEXT: return "text/plain; charset=utf-8";
        case DIGEST_FORMAT_JSON: return "application/json";
        case DIGEST_FORMAT_HTML: return "text/html; charset=utf-8";
        case DIGEST_FORMAT_FHIR: return "application/fhir+json";
        default: return NULL;
        }
}

void digest_model_hours(const AcctBucket *b, size_t n, int64_t first, int ret[7][24]) {
        for (size_t d = 0; d < 7; d++)
                for (size_t h = 0; h < 24; h++)
                        ret[d][h] = -1;
        for (size_t i = 0; i < n; i++) {
                int64_t local = b[i].start + b[i].utc_offset - first;
                if (local < 0 || local >= 7 * DAY || b[i].observed_s <= 0)
                        continue;
                int64_t d = local / DAY, h = (local % DAY) / 3600;
                int minutes = (b[i].active_s + 30) / 60;
                if (minutes > ret[d][h])
                        ret[d][h] = minutes;
        }
}

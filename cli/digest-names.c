/* The digest's level and format names and MIME types: shared by the
 * renderers and the recipient parser (both in the kizuki-share library's
 * reach), so there is one list of each. */
#include <errno.h>
#include <string.h>

#include "digest.h"

static const char *const level_names[_DIGEST_LEVEL_MAX] = { "summary", "daily", "hourly" };
static const char *const format_names[_DIGEST_FORMAT_MAX] = { "text", "json", "html", "fhir" };

int digest_level_from_string(const char *s) {
        for (int i = 0; s && i < _DIGEST_LEVEL_MAX; i++)
                if (strcmp(s, level_names[i]) == 0)
                        return i;
        return -EINVAL;
}

const char *digest_level_to_string(DigestLevel l) {
        return l < _DIGEST_LEVEL_MAX ? level_names[l] : NULL;
}

int digest_format_from_string(const char *s) {
        for (int i = 0; s && i < _DIGEST_FORMAT_MAX; i++)
                if (strcmp(s, format_names[i]) == 0)
                        return i;
        return -EINVAL;
}

const char *digest_format_to_string(DigestFormat f) {
        return f < _DIGEST_FORMAT_MAX ? format_names[f] : NULL;
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

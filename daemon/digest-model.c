/* The weekly digest's pure parts. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "digest-model.h"

#define DAY INT64_C(86400)

static const char *const level_names[_DIGEST_MODEL_LEVEL_MAX] = {
        [DIGEST_MODEL_SUMMARY] = "summary",
        [DIGEST_MODEL_DAILY] = "daily",
        [DIGEST_MODEL_HOURLY] = "hourly",
};

int digest_model_level_from_string(const char *s) {
        for (int i = 0; s && i < _DIGEST_MODEL_LEVEL_MAX; i++)
                if (strcmp(s, level_names[i]) == 0)
                        return i;
        return -EINVAL;
}

const char *digest_model_level_to_string(DigestModelLevel l) {
        return (unsigned) l < _DIGEST_MODEL_LEVEL_MAX ? level_names[l] : NULL;
}

/* Floor division for days before 1970. */
static int64_t floor_div(int64_t a, int64_t b) {
        int64_t q = a / b;
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* ISO 8601: the week belongs to the year of its Thursday; week 1 holds that
 * year's first Thursday. */
int digest_model_week_of(int64_t day, char ret[static DIGEST_MODEL_WEEK_MAX], int64_t *ret_monday) {
        int64_t n = floor_div(day, DAY);
        int64_t weekday = ((n + 3) % 7 + 7) % 7; /* Monday 0: 1970-01-01 was a Thursday */
        int64_t monday = n - weekday, thursday = monday + 3;
        time_t t = (time_t) (thursday * DAY);
        struct tm tm;
        if (!gmtime_r(&t, &tm) || tm.tm_year + 1900 < 1 || tm.tm_year + 1900 > 9999)
                return -ERANGE;
        int week = tm.tm_yday / 7 + 1; /* the yday of a Thursday: week 1 has days 0..6 */
        snprintf(ret, DIGEST_MODEL_WEEK_MAX, "%04d-W%02d", tm.tm_year + 1900, week);
        if (ret_monday)
                *ret_monday = monday * DAY;
        return 0;
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

/* The bottom of the CLI's digest (digest-common.h): checking a model from
 * kizukid, reading it, the wording the renderers share and the order of the
 * body's parts. Pure. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "digest-common.h"
#include "macro.h"
#include "output.h"
#include "summary.h"

const DigestFigure digest_figures[] = {
        { "screen_h", "At this computer", DIGEST_KIND_HOURS },
        { "night_ratio", "Night share", DIGEST_KIND_SHARE },
        { "up", "Up (first active)", DIGEST_KIND_CLOCK },
        { "down", "Down (last active)", DIGEST_KIND_CLOCK },
        { "sleep_onset", "Rest window start", DIGEST_KIND_TIME },
        { "sleep_offset", "Rest window end", DIGEST_KIND_TIME },
        { "sleep_mid", "Rest window middle", DIGEST_KIND_TIME },
        { "sleep_h", "Rest window length", DIGEST_KIND_HOURS },
        { "coverage_h", "Observed", DIGEST_KIND_HOURS },
        { "is", "Stability (IS)", DIGEST_KIND_INDEX },
        { "iv", "Fragmentation (IV)", DIGEST_KIND_INDEX },
        { "sri", "Regularity (SRI)", DIGEST_KIND_POINTS },
        { "social_jet_lag_h", "Social jet lag", DIGEST_KIND_OFFSET },
};
const size_t digest_n_figures = ELEMENTSOF(digest_figures);

static bool is_number(json_object *v) {
        return (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)) &&
               isfinite(json_object_get_double(v));
}

/* key in o: absent or null (when nullable), or of the type check accepts. */
static bool field_ok(json_object *o, const char *key, bool nullable, bool (*check)(json_object *)) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !v)
                return nullable;
        return check(v);
}

static bool is_clock(json_object *v) {
        int m;
        return json_object_is_type(v, json_type_string) && output_parse_clock(json_object_get_string(v), &m) >= 0;
}

static bool is_string(json_object *v) {
        return json_object_is_type(v, json_type_string);
}

static bool is_bool(json_object *v) {
        return json_object_is_type(v, json_type_boolean);
}

static bool is_date(json_object *v) {
        int64_t d;
        return is_string(v) && parse_date(json_object_get_string(v), &d) >= 0;
}

/* "YYYY-MM-DDTHH:MM:SSZ". */
static bool is_instant(json_object *v) {
        if (!is_string(v))
                return false;
        const char *s = json_object_get_string(v);
        if (strlen(s) != 20)
                return false;
        for (size_t i = 0; i < 20; i++) {
                char want = i == 4 || i == 7 ? '-' : i == 10 ? 'T' : i == 13 || i == 16 ? ':' : i == 19 ? 'Z' : '0';
                if (want == '0' ? (s[i] < '0' || s[i] > '9') : s[i] != want)
                        return false;
        }
        return true;
}

static bool is_count(json_object *v) {
        return json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0 &&
               json_object_get_int64(v) <= 10000;
}

static bool figures_ok(json_object *o, bool day) {
        if (!json_object_is_type(o, json_type_object))
                return false;
        for (size_t i = 0; i < digest_n_figures; i++)
                if (!field_ok(o, digest_figures[i].key, true,
                              digest_figures[i].kind == DIGEST_KIND_TIME ? is_clock : is_number))
                        return false;
        if (day)
                return field_ok(o, "date", false, is_date) && field_ok(o, "low_coverage", false, is_bool);
        return field_ok(o, "days", false, is_count) && field_ok(o, "checkin_days", false, is_count) &&
               field_ok(o, "went_out_days", false, is_count) && field_ok(o, "met_someone_days", false, is_count) &&
               field_ok(o, "went_out_answered", false, is_count) &&
               field_ok(o, "met_someone_answered", false, is_count) &&
               field_ok(o, "mood", true, is_number);
}

int digest_check(json_object *model, DigestLevel *ret_level) {
        json_object *v, *days = NULL, *hours = NULL, *settings;
        int64_t from, to;

        if (!json_object_is_type(model, json_type_object) || !field_ok(model, "schema", false, is_string) ||
            strcmp(digest_string(model, "schema"), DIGEST_SCHEMA) != 0 || !field_ok(model, "level", false, is_string) ||
            !field_ok(model, "week", false, is_string) || !field_ok(model, "from", false, is_date) ||
            !field_ok(model, "to", false, is_date) || !field_ok(model, "generated_at", false, is_instant))
                return -EBADMSG;
        int level = digest_level_from_string(digest_string(model, "level"));
        if (level < 0 || iso_week_parse(digest_string(model, "week"), &from) < 0 ||
            parse_date(digest_string(model, "from"), &to) < 0 || from != to ||
            parse_date(digest_string(model, "to"), &to) < 0 || to - from != 6 * DAY_S)
                return -EBADMSG;
        if (!json_object_object_get_ex(model, "settings", &settings) ||
            !json_object_is_type(settings, json_type_object) || !field_ok(settings, "day_start", false, is_clock) ||
            !field_ok(settings, "night_start", false, is_clock) || !field_ok(settings, "night_end", false, is_clock) ||
            !field_ok(settings, "min_coverage_h", false, is_count))
                return -EBADMSG;
        for (const char *const *k = (const char *const[]) { "mean", "previous", "baseline", NULL }; *k; k++)
                if (!json_object_object_get_ex(model, *k, &v) || !figures_ok(v, false))
                        return -EBADMSG;
        if (!json_object_object_get_ex(model, "nudges", &v) || !json_object_is_type(v, json_type_array))
                return -EBADMSG;
        for (size_t i = 0; i < json_object_array_length(v); i++) {
                json_object *n = json_object_array_get_idx(v, i);
                if (!json_object_is_type(n, json_type_object) || !field_ok(n, "policy", false, is_string) ||
                    !field_ok(n, "date", false, is_date) || !field_ok(n, "severity", false, is_string) ||
                    !field_ok(n, "title", false, is_string))
                        return -EBADMSG;
        }
        /* Exactly what the level has: no finer data hides in a coarser digest. */
        json_object_object_get_ex(model, "days", &days);
        json_object_object_get_ex(model, "hours", &hours);
        if ((level >= DIGEST_LEVEL_DAILY) != (days != NULL) || (level >= DIGEST_LEVEL_HOURLY) != (hours != NULL))
                return -EBADMSG;
        if (days) {
                if (!json_object_is_type(days, json_type_array) || json_object_array_length(days) != 7)
                        return -EBADMSG;
                for (size_t i = 0; i < 7; i++)
                        if (!figures_ok(json_object_array_get_idx(days, i), true))
                                return -EBADMSG;
        }
        if (hours) {
                if (!json_object_is_type(hours, json_type_array) || json_object_array_length(hours) != 7)
                        return -EBADMSG;
                for (size_t i = 0; i < 7; i++) {
                        json_object *row = json_object_array_get_idx(hours, i);
                        if (!json_object_is_type(row, json_type_array) || json_object_array_length(row) != 24)
                                return -EBADMSG;
                        for (size_t h = 0; h < 24; h++) {
                                json_object *c = json_object_array_get_idx(row, h);
                                if (c && (!json_object_is_type(c, json_type_int) || json_object_get_int(c) < 0 ||
                                          json_object_get_int(c) > 60))
                                        return -EBADMSG;
                        }
                }
        }
        if (ret_level)
                *ret_level = level;
        return 0;
}

double digest_number(json_object *o, const char *key) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !is_number(v))
                return NAN;
        return json_object_get_double(v);
}

int digest_clock(json_object *o, const char *key) {
        json_object *v;
        int m;
        if (!json_object_object_get_ex(o, key, &v) || !is_string(v) ||
            output_parse_clock(json_object_get_string(v), &m) < 0)
                return -1;
        return m;
}

const char *digest_string(json_object *o, const char *key) {
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || !is_string(v))
                return NULL;
        return json_object_get_string(v);
}

double digest_value(json_object *o, const DigestFigure *f) {
        if (f->kind == DIGEST_KIND_TIME) {
                int m = digest_clock(o, f->key);
                return m < 0 ? NAN : m;
        }
        return digest_number(o, f->key);
}

void digest_format_value(char *buf, size_t size, const DigestFigure *f, double v) {
        if (isnan(v)) {
                snprintf(buf, size, "–");
                return;
        }
        switch (f->kind) {
        case DIGEST_KIND_HOURS:
                snprintf(buf, size, "%.1f h", v);
                break;
        case DIGEST_KIND_SHARE:
                snprintf(buf, size, "%.0f %%", v * 100);
                break;
        case DIGEST_KIND_TIME:
        case DIGEST_KIND_CLOCK:
                output_clock(buf, size, (int) floor_mod(lround(v), 1440));
                break;
        case DIGEST_KIND_INDEX:
                snprintf(buf, size, "%.2f", v);
                break;
        case DIGEST_KIND_POINTS:
                snprintf(buf, size, "%.0f", v);
                break;
        case DIGEST_KIND_OFFSET:
                output_signed_minutes(buf, size, v * 60);
                break;
        }
}

void digest_format_change(char *buf, size_t size, const DigestFigure *f, double v, double ref) {
        static const ChangeKind change_kind[] = {
                [DIGEST_KIND_HOURS] = CHANGE_AMOUNT,
                [DIGEST_KIND_SHARE] = CHANGE_SHARE,
                [DIGEST_KIND_TIME] = CHANGE_TIME,
                [DIGEST_KIND_INDEX] = CHANGE_AMOUNT,
                [DIGEST_KIND_CLOCK] = CHANGE_MINUTES,
                [DIGEST_KIND_POINTS] = CHANGE_POINTS,
                [DIGEST_KIND_OFFSET] = CHANGE_MINUTES,
        };
        double scale = f->kind == DIGEST_KIND_OFFSET ? 60 : 1; /* hours to minutes */
        char text[32];
        Change c;

        buf[0] = '\0';
        if ((size_t) f->kind >= ELEMENTSOF(change_kind) ||
            summary_change(change_kind[f->kind], v * scale, ref * scale, &c) < 0)
                return;
        /* One notation: the arrow, then the signed change ("↓ -2 %", "↑ +1 h 26 min"). */
        if (c.relative)
                output_signed(text, sizeof text, c.delta, 0, " %");
        else
                switch (f->kind) {
                case DIGEST_KIND_HOURS:
                        output_signed(text, sizeof text, c.delta, 1, " h");
                        break;
                case DIGEST_KIND_INDEX:
                        output_signed(text, sizeof text, c.delta, 2, "");
                        break;
                case DIGEST_KIND_SHARE:
                        output_signed(text, sizeof text, c.delta, 0, " pp");
                        break;
                case DIGEST_KIND_POINTS:
                        output_signed(text, sizeof text, c.delta, 0, "");
                        break;
                case DIGEST_KIND_TIME:
                case DIGEST_KIND_CLOCK:
                case DIGEST_KIND_OFFSET:
                        output_signed_minutes(text, sizeof text, c.delta);
                        break;
                }
        snprintf(buf, size, "%s %s", c.same ? "→" : c.delta > 0 ? "↑" : "↓", text);
}

void digest_figure_row(json_object *model, const DigestFigure *f, DigestFigureRow *ret) {
        double x = digest_value(json_object_object_get(model, "mean"), f),
               p = digest_value(json_object_object_get(model, "previous"), f),
               b = digest_value(json_object_object_get(model, "baseline"), f);

        digest_format_value(ret->value, sizeof ret->value, f, x);
        digest_format_value(ret->previous, sizeof ret->previous, f, p);
        digest_format_value(ret->baseline, sizeof ret->baseline, f, b);
        digest_format_change(ret->previous_change, sizeof ret->previous_change, f, x, p);
        digest_format_change(ret->baseline_change, sizeof ret->baseline_change, f, x, b);
}

/* "04:00–11:00"; "12:00–…" when only the end is null (not known yet); "–"
 * when the start is null. */
static void format_span(char *buf, size_t size, int a, int b) {
        char x[16], y[16];
        if (a < 0) {
                snprintf(buf, size, "–");
                return;
        }
        snprintf(buf, size, "%s–%s", output_clock(x, sizeof x, a), b < 0 ? "…" : output_clock(y, sizeof y, b));
}

void digest_day_row(json_object *day, DigestDayRow *ret) {
        digest_format_value(ret->screen, sizeof ret->screen, &digest_figures[0], digest_number(day, "screen_h"));
        digest_format_value(ret->night, sizeof ret->night, &digest_figures[1], digest_number(day, "night_ratio"));
        format_span(ret->sleep, sizeof ret->sleep, digest_clock(day, "sleep_onset"), digest_clock(day, "sleep_offset"));
        digest_format_value(ret->sleep_len, sizeof ret->sleep_len, &digest_figures[7], digest_number(day, "sleep_h"));
        double up = digest_number(day, "up"), down = digest_number(day, "down");
        format_span(ret->active, sizeof ret->active, isnan(up) ? -1 : (int) floor_mod(lround(up), 1440),
                    isnan(down) ? -1 : (int) floor_mod(lround(down), 1440));
        ret->low = json_object_get_boolean(json_object_object_get(day, "low_coverage"));
}

void digest_headline(json_object *model, char *buf, size_t size) {
        json_object *mean = NULL, *base = NULL;
        char change[32];

        json_object_object_get_ex(model, "mean", &mean);
        json_object_object_get_ex(model, "baseline", &base);
        double screen = digest_number(mean, "screen_h"), ref = digest_number(base, "screen_h");
        double night = digest_number(mean, "night_ratio");
        if (isnan(screen)) {
                snprintf(buf, size, "No day of this week was recorded well enough for weekly figures");
                return;
        }
        digest_format_change(change, sizeof change, &digest_figures[0], screen, ref);
        int n = snprintf(buf, size, "Screen %.1f h/day%s%s%s", screen, *change ? ", " : "", change,
                         *change ? " vs baseline" : "");
        if (n > 0 && (size_t) n < size && !isnan(night))
                snprintf(buf + n, size - (size_t) n, "; nights %.0f %% of screen time", night * 100);
}

/* "yes on 1 of 2 days answered (1 day not answered)" for one question. */
static int checkin_answer(char *buf, size_t size, const char *question, int yes, int answered, int days) {
        int n = snprintf(buf, size, " %s: ", question);
        if (answered == 0)
                return n + snprintf(buf + n, size - (size_t) n, "not answered.");
        n += snprintf(buf + n, size - (size_t) n, "yes on %d of %d day%s answered", yes, answered,
                      answered == 1 ? "" : "s");
        if (days > answered)
                n += snprintf(buf + n, size - (size_t) n, " (%d day%s not answered)", days - answered,
                              days - answered == 1 ? "" : "s");
        return n + snprintf(buf + n, size - (size_t) n, ".");
}

void digest_checkins_sentence(json_object *model, char *buf, size_t size) {
        json_object *mean = json_object_object_get(model, "mean");
        int days = json_object_get_int(json_object_object_get(mean, "checkin_days"));
        char went[96], met[96];

        checkin_answer(went, sizeof went, "Went out", json_object_get_int(json_object_object_get(mean, "went_out_days")),
                       json_object_get_int(json_object_object_get(mean, "went_out_answered")), days);
        checkin_answer(met, sizeof met, "Met someone",
                       json_object_get_int(json_object_object_get(mean, "met_someone_days")),
                       json_object_get_int(json_object_object_get(mean, "met_someone_answered")), days);
        snprintf(buf, size, "Checked in on %d day%s.%s%s", days, days == 1 ? "" : "s", went, met);
}

void digest_format_day(char *buf, size_t size, const char *date, bool with_year) {
        int64_t day;
        buf[0] = '\0';
        if (!date || parse_date(date, &day) < 0 ||
            output_bucket_time(buf, size, day, 0, with_year ? "%a %Y-%m-%d" : "%a %m-%d") < 0)
                buf[0] = '\0';
}

void digest_write_parts(FILE *f, json_object *model, DigestLevel level, const DigestParts *parts) {
        parts->figures(f, model);
        parts->checkins(f, model);
        if (parts->nudges)
                parts->nudges(f, model);
        if (level >= DIGEST_LEVEL_DAILY)
                parts->days(f, model);
        if (level >= DIGEST_LEVEL_HOURLY)
                parts->hours(f, model);
}

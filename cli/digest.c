/* The weekly digest in the CLI: fetching the model (GetDigest), checking it,
 * what the renderers share, and the text and JSON renderings. HTML is in
 * digest-html.c, FHIR in digest-fhir.c. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "digest-render.h"
#include "digest.h"
#include "kizuki.h"
#include "macro.h"
#include "output.h"
#include "protocol.h"
#include "timeutil.h"

/* --- the model ------------------------------------------------------------ */

const DigestFigure digest_figures[] = {
        { "screen_h", "Screen time", DIGEST_KIND_HOURS },
        { "night_ratio", "Night share", DIGEST_KIND_SHARE },
        { "first_active", "First active", DIGEST_KIND_TIME },
        { "last_active", "Last active", DIGEST_KIND_TIME },
        { "sleep_onset", "Sleep start", DIGEST_KIND_TIME },
        { "sleep_offset", "Sleep end", DIGEST_KIND_TIME },
        { "sleep_mid", "Sleep midpoint", DIGEST_KIND_TIME },
        { "sleep_h", "Sleep length", DIGEST_KIND_HOURS },
        { "coverage_h", "Observed", DIGEST_KIND_HOURS },
        { "is", "Stability (IS)", DIGEST_KIND_INDEX },
        { "iv", "Fragmentation (IV)", DIGEST_KIND_INDEX },
        { "ra", "Amplitude (RA)", DIGEST_KIND_INDEX },
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
        if (level < 0 || output_parse_week(digest_string(model, "week"), &from) < 0 ||
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
                output_clock(buf, size, (int) lround(v) % 1440);
                break;
        case DIGEST_KIND_INDEX:
                snprintf(buf, size, "%.2f", v);
                break;
        }
}

/* A difference of times of day, brought into (-12 h, +12 h]. */
static double clock_diff(double a, double b) {
        double d = fmod(a - b, 1440.0);
        if (d > 720)
                d -= 1440;
        if (d <= -720)
                d += 1440;
        return d;
}

void digest_format_change(char *buf, size_t size, const DigestFigure *f, double v, double ref) {
        char text[32];
        double delta;
        bool same;

        buf[0] = '\0';
        if (isnan(v) || isnan(ref))
                return;
        switch (f->kind) {
        case DIGEST_KIND_HOURS:
        case DIGEST_KIND_INDEX:
                delta = v - ref;
                if (fabs(ref) < 1e-9) {
                        /* No percent of nothing: the difference itself. */
                        same = fabs(delta) < 1e-9;
                        if (f->kind == DIGEST_KIND_HOURS)
                                snprintf(text, sizeof text, "%.1f h", fabs(delta));
                        else
                                snprintf(text, sizeof text, "%.2f", fabs(delta));
                } else {
                        double pct = delta / fabs(ref) * 100;
                        same = fabs(pct) < 5;
                        snprintf(text, sizeof text, "%.0f %%", fabs(pct));
                }
                break;
        case DIGEST_KIND_SHARE:
                delta = (v - ref) * 100;
                same = fabs(delta) < 2;
                snprintf(text, sizeof text, "%.0f pp", fabs(delta));
                break;
        case DIGEST_KIND_TIME: {
                delta = clock_diff(v, ref);
                same = fabs(delta) < 15;
                long m = labs(lround(delta));
                if (m < 60)
                        snprintf(text, sizeof text, "%ld min", m);
                else
                        snprintf(text, sizeof text, "%ld:%02ld h", m / 60, m % 60);
                break;
        }
        default:
                return;
        }
        snprintf(buf, size, "%s %s", same ? "→" : delta > 0 ? "↑" : "↓", text);
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

void digest_headline(json_object *model, char *buf, size_t size) {
        json_object *mean = NULL, *base = NULL;
        char change[32];

        json_object_object_get_ex(model, "mean", &mean);
        json_object_object_get_ex(model, "baseline", &base);
        double screen = digest_number(mean, "screen_h"), ref = digest_number(base, "screen_h");
        double night = digest_number(mean, "night_ratio");
        if (isnan(screen)) {
                snprintf(buf, size, "no day of this week was recorded well enough for weekly figures");
                return;
        }
        digest_format_change(change, sizeof change, &digest_figures[0], screen, ref);
        int n = snprintf(buf, size, "screen %.1f h/day%s%s%s", screen, *change ? ", " : "", change,
                         *change ? " vs baseline" : "");
        if (n > 0 && (size_t) n < size && !isnan(night))
                snprintf(buf + n, size - (size_t) n, "; nights %.0f %% of screen time", night * 100);
}

void digest_format_day(char *buf, size_t size, const char *date, bool with_year) {
        int64_t day;
        buf[0] = '\0';
        if (!date || parse_date(date, &day) < 0 ||
            output_bucket_time(buf, size, day, 0, with_year ? "%a %Y-%m-%d" : "%a %m-%d") < 0)
                buf[0] = '\0';
}

/* --- fetching --------------------------------------------------------------- */

int digest_parse_week(const char *s, char *ret, size_t size) {
        int64_t monday;

        if (size < ISO_WEEK_MAX || output_parse_week(s, &monday) < 0 || iso_week_of(monday, ret, NULL) < 0)
                return -EINVAL;
        return 0;
}

int digest_fetch(const char *socket_path, const char *week, DigestLevel level, json_object **ret_model) {
        _cleanup_json_ json_object *params = NULL, *reply = NULL;
        json_object *model;
        DigestLevel got;
        int r;

        if (level >= _DIGEST_LEVEL_MAX) {
                fprintf(stderr, "kizuki: invalid digest level %d\n", (int) level);
                return -EINVAL;
        }
        params = json_object_new_object();
        if (!params ||
            json_object_object_add(params, "level", json_object_new_string(digest_level_to_string(level))) < 0 ||
            (week && json_object_object_add(params, "week", json_object_new_string(week)) < 0))
                return -ENOMEM;
        r = client_invoke(socket_path, KIZUKI_NAME("GetDigest"), params, &reply);
        if (r < 0)
                return r;
        if (client_get_object(reply, "digest", &model) < 0 || digest_check(model, &got) < 0 || got != level ||
            (week && strcmp(digest_string(model, "week"), week) != 0)) {
                fprintf(stderr, "kizuki: kizukid sent a malformed digest\n");
                return -EBADMSG;
        }
        *ret_model = json_object_get(model);
        return 0;
}

/* --- text ----------------------------------------------------------------------- */

#define TEXT_COLUMNS 72

/* s padded with spaces to width display cells (left or right aligned). */
static void put_cell(FILE *f, const char *s, size_t width, bool right) {
        size_t w = output_width(s);
        if (right)
                for (size_t i = w; i < width; i++)
                        fputc(' ', f);
        fputs(s, f);
        if (!right)
                for (size_t i = w; i < width; i++)
                        fputc(' ', f);
}

/* A heading and the rule under it. */
static void text_heading(FILE *f, const char *title) {
        fprintf(f, "\n%s\n", title);
        for (size_t i = output_width(title); i > 0; i--)
                fputc('-', f);
        fputc('\n', f);
}

static void text_figures(FILE *f, json_object *model) {
        json_object *mean, *prev, *base;
        json_object_object_get_ex(model, "mean", &mean);
        json_object_object_get_ex(model, "previous", &prev);
        json_object_object_get_ex(model, "baseline", &base);

        text_heading(f, "Weekly figures");
        fprintf(f, "Means over %d day%s of this week; the week before: %d day%s;\n"
                   "baseline: medians of the 28 days before, %d counted.\n\n",
                json_object_get_int(json_object_object_get(mean, "days")),
                json_object_get_int(json_object_object_get(mean, "days")) == 1 ? "" : "s",
                json_object_get_int(json_object_object_get(prev, "days")),
                json_object_get_int(json_object_object_get(prev, "days")) == 1 ? "" : "s",
                json_object_get_int(json_object_object_get(base, "days")));
        put_cell(f, "", 19, false);
        put_cell(f, "This week", 10, true);
        put_cell(f, "Week before", 12, true);
        put_cell(f, "", 10, false);
        put_cell(f, "Baseline", 10, true);
        fputc('\n', f);
        for (size_t i = 0; i < digest_n_figures; i++) {
                DigestFigureRow row;
                digest_figure_row(model, &digest_figures[i], &row);
                put_cell(f, digest_figures[i].label, 19, false);
                put_cell(f, row.value, 10, true);
                put_cell(f, row.previous, 12, true);
                fputc(' ', f);
                put_cell(f, row.previous_change, 9, false);
                put_cell(f, row.baseline, 10, true);
                fprintf(f, "%s%s\n", *row.baseline_change ? " " : "", row.baseline_change);
        }
        fprintf(f, "\n↑ higher or later, ↓ lower or earlier, → about the same.\n");
}

static void text_checkins(FILE *f, json_object *model) {
        json_object *mean;
        json_object_object_get_ex(model, "mean", &mean);
        int days = json_object_get_int(json_object_object_get(mean, "checkin_days"));
        double mood = digest_number(mean, "mood");

        text_heading(f, "Check-ins");
        if (days == 0) {
                fprintf(f, "No check-ins this week.\n");
                return;
        }
        fprintf(f, "Answered on %d day%s: went out on %d, met someone on %d.\n", days, days == 1 ? "" : "s",
                json_object_get_int(json_object_object_get(mean, "went_out_days")),
                json_object_get_int(json_object_object_get(mean, "met_someone_days")));
        if (!isnan(mood))
                fprintf(f, "Mean mood %.1f (1 low to 5 good).\n", mood);
}

static void text_nudges(FILE *f, json_object *model) {
        json_object *nudges = json_object_object_get(model, "nudges");
        size_t n = json_object_array_length(nudges);

        text_heading(f, "Nudges raised this week");
        if (n == 0) {
                fprintf(f, "None.\n");
                return;
        }
        for (size_t i = 0; i < n; i++) {
                json_object *x = json_object_array_get_idx(nudges, i);
                char sev[16], title[256], policy[128];
                output_truncate(sev, sizeof sev, digest_string(x, "severity"), 8);
                output_truncate(policy, sizeof policy, digest_string(x, "policy"), 40);
                /* "2026-03-25  concern   " is 22 cells. */
                output_truncate(title, sizeof title, digest_string(x, "title"), TEXT_COLUMNS - 22);
                fprintf(f, "%s  ", digest_string(x, "date"));
                put_cell(f, sev, 8, false);
                fprintf(f, "  %s\n", title);
                put_cell(f, "", 22, false);
                fprintf(f, "(policy %s)\n", policy);
        }
}

static void text_days(FILE *f, json_object *model) {
        json_object *days = json_object_object_get(model, "days");
        bool low = false;

        text_heading(f, "Day by day");
        fprintf(f, "Day          Screen  Night  Sleep        Length  Active       Obs.\n");
        for (size_t i = 0; i < 7; i++) {
                json_object *d = json_object_array_get_idx(days, i);
                char day[32], v[32], a[16], b[16], cell[48];
                digest_format_day(day, sizeof day, digest_string(d, "date"), false);
                put_cell(f, day, 9, false);
                digest_format_value(v, sizeof v, &digest_figures[0], digest_number(d, "screen_h"));
                put_cell(f, v, 10, true);
                digest_format_value(v, sizeof v, &digest_figures[1], digest_number(d, "night_ratio"));
                put_cell(f, v, 7, true);
                fputs("  ", f);
                output_clock(a, sizeof a, digest_clock(d, "sleep_onset"));
                output_clock(b, sizeof b, digest_clock(d, "sleep_offset"));
                snprintf(cell, sizeof cell, "%s–%s", a, b);
                put_cell(f, digest_clock(d, "sleep_onset") < 0 ? "–" : cell, 11, false);
                digest_format_value(v, sizeof v, &digest_figures[7], digest_number(d, "sleep_h"));
                put_cell(f, v, 7, true);
                fputs("  ", f);
                output_clock(a, sizeof a, digest_clock(d, "first_active"));
                output_clock(b, sizeof b, digest_clock(d, "last_active"));
                snprintf(cell, sizeof cell, "%s–%s", a, b);
                put_cell(f, digest_clock(d, "first_active") < 0 ? "–" : cell, 11, false);
                bool lc = json_object_get_boolean(json_object_object_get(d, "low_coverage"));
                low |= lc;
                snprintf(cell, sizeof cell, "%.0f h%s", digest_number(d, "coverage_h"), lc ? "*" : "");
                put_cell(f, cell, 7, true);
                fputc('\n', f);
        }
        if (low)
                fprintf(f, "* Observed too little of the day: left out of the weekly figures.\n");
}

/* One character per hour by active minutes: ' ' none, '.' under 15, ':'
 * under 30, '+' under 45, '#' 45 or more; '-' not observed. */
static void text_hours(FILE *f, json_object *model) {
        json_object *hours = json_object_object_get(model, "hours"), *days = json_object_object_get(model, "days");
        json_object *settings = json_object_object_get(model, "settings");
        int start = digest_clock(settings, "day_start") / 60;

        text_heading(f, "Activity by hour");
        fprintf(f, "%-11s%-6d%-6d%-6d%d\n", "", start % 24, (start + 6) % 24, (start + 12) % 24, (start + 18) % 24);
        for (size_t i = 0; i < 7; i++) {
                json_object *row = json_object_array_get_idx(hours, i);
                char day[32];
                digest_format_day(day, sizeof day, digest_string(json_object_array_get_idx(days, i), "date"), false);
                put_cell(f, day, 11, false);
                for (size_t h = 0; h < 24; h++) {
                        json_object *c = json_object_array_get_idx(row, h);
                        int m = c ? json_object_get_int(c) : -1;
                        fputc(m < 0 ? '-' : m == 0 ? ' ' : m < 15 ? '.' : m < 30 ? ':' : m < 45 ? '+' : '#', f);
                }
                fputs("|\n", f);
        }
        fprintf(f, "Active minutes per hour: ' ' none, '.' 1-14, ':' 15-29, '+' 30-44,\n"
                   "'#' 45-60, '-' not observed.\n");
}

int digest_render_text(json_object *model, DigestLevel level, FILE *f) {
        json_object *settings = json_object_object_get(model, "settings");
        char from[32], to[32], headline[256], week[16];

        digest_format_day(from, sizeof from, digest_string(model, "from"), true);
        digest_format_day(to, sizeof to, digest_string(model, "to"), true);
        output_safe(week, sizeof week, digest_string(model, "week"));
        digest_headline(model, headline, sizeof headline);
        if (headline[0] >= 'a' && headline[0] <= 'z')
                headline[0] = (char) (headline[0] - 'a' + 'A');
        size_t hl = strlen(headline);
        if (hl + 1 < sizeof headline)
                memcpy(headline + hl, ".", 2);

        fprintf(f, "kizuki weekly digest, %s: %s to %s\n", week, from, to);
        fprintf(f, "Level: %s. Generated %s.\n\n", digest_level_to_string(level),
                digest_string(model, "generated_at"));
        output_wrap(f, 0, "", headline, TEXT_COLUMNS);
        text_figures(f, model);
        text_checkins(f, model);
        text_nudges(f, model);
        if (level >= DIGEST_LEVEL_DAILY)
                text_days(f, model);
        if (level >= DIGEST_LEVEL_HOURLY)
                text_hours(f, model);
        fprintf(f, "\nScreen time is time active at the computer, as recorded by kizuki on\n"
                   "the person's own machine.\nNights run %s to %s; days start at %s.\n",
                digest_string(settings, "night_start"), digest_string(settings, "night_end"),
                digest_string(settings, "day_start"));
        return 0;
}

/* --- JSON ------------------------------------------------------------------------ */

/* A copy of o with every number written in its shortest exact form (json-c
 * would print 9.1071428571428577 for what kizukid sent as 9.107142857142858). */
static json_object *json_tidy(json_object *o) {
        switch (json_object_get_type(o)) {
        case json_type_double:
                return output_json_double(json_object_get_double(o));
        case json_type_object: {
                json_object *copy = json_object_new_object();
                json_object_object_foreach(o, k, v) json_object_object_add(copy, k, json_tidy(v));
                return copy;
        }
        case json_type_array: {
                size_t n = json_object_array_length(o);
                json_object *copy = json_object_new_array_ext((int) n);
                for (size_t i = 0; i < n; i++)
                        json_object_array_add(copy, json_tidy(json_object_array_get_idx(o, i)));
                return copy;
        }
        default:
                return json_object_get(o);
        }
}

/* The model itself, pretty-printed (two spaces), with a final newline. */
static int digest_render_json(json_object *model, FILE *f) {
        _cleanup_json_ json_object *copy = json_tidy(model);
        const char *s = json_object_to_json_string_ext(copy, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                                     JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s)
                return -ENOMEM;
        return fprintf(f, "%s\n", s) < 0 ? -EIO : 0;
}

/* --- rendering ------------------------------------------------------------------ */

int digest_render(json_object *model, DigestFormat f, const DigestOptions *o, char **ret, size_t *ret_len) {
        static const DigestOptions defaults = {};
        DigestLevel level;
        char *buf = NULL;
        size_t len = 0;
        int r;

        if (f >= _DIGEST_FORMAT_MAX)
                return -EINVAL;
        r = digest_check(model, &level);
        if (r < 0)
                return r;
        FILE *out = open_memstream(&buf, &len);
        if (!out)
                return -errno;
        switch (f) {
        case DIGEST_FORMAT_TEXT:
                r = digest_render_text(model, level, out);
                break;
        case DIGEST_FORMAT_JSON:
                r = digest_render_json(model, out);
                break;
        case DIGEST_FORMAT_HTML:
                r = digest_render_html(model, level, o ? o : &defaults, out);
                break;
        case DIGEST_FORMAT_FHIR:
                r = digest_render_fhir(model, level, o ? o : &defaults, out);
                break;
        default:
                r = -EINVAL;
        }
        if (fclose(out) != 0 && r >= 0)
                r = -ENOMEM;
        if (r < 0) {
                free(buf);
                return r;
        }
        *ret = buf;
        if (ret_len)
                *ret_len = len;
        return 0;
}

/* The days of the interface: parsed from a reply, printed as a table or as JSON. */
#include "days.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "config.h"
#include "macro.h"
#include "output.h"
#include "protocol.h"
#include "timeutil.h"

/* A local time of day "HH:MM", -1 for null. */
static int day_get_clock(json_object *o, const char *key, int *ret) {
        const char *s;
        int r = client_get_string(o, key, &s);

        *ret = -1;
        if (r < 0)
                return r == -ENODATA ? 0 : r;
        return output_parse_clock(s, ret) < 0 ? -EBADMSG : 0;
}

/* A yes/no answer: 1/0, -1 for null. */
static int day_get_answer(json_object *o, const char *key, int *ret) {
        bool b;
        int r = client_get_bool(o, key, &b);

        *ret = r < 0 ? -1 : b;
        return r == -ENODATA ? 0 : r;
}

static int day_parse(json_object *o, void *ret) {
        Day *d = ret;
        const char *date;
        int64_t mood;
        int r;

        *d = (Day) {};
        if (!json_object_is_type(o, json_type_object) || client_get_string(o, "date", &date) < 0 ||
            parse_date(date, &d->day) < 0 || client_get_bool(o, "low_coverage", &d->low_coverage) < 0)
                return -EBADMSG;
        memcpy(d->date, date, sizeof d->date);

        if (client_get_figure(o, "screen_h", true, &d->screen_h) < 0 ||
            client_get_figure(o, "coverage_h", true, &d->coverage_h) < 0 ||
            client_get_figure(o, "night_ratio", false, &d->night_ratio) < 0 ||
            client_get_figure(o, "sleep_h", false, &d->sleep_h) < 0 ||
            client_get_figure(o, "is", false, &d->is) < 0 || client_get_figure(o, "iv", false, &d->iv) < 0 ||
            client_get_figure(o, "ra", false, &d->ra) < 0 || client_get_figure(o, "l5", false, &d->l5) < 0 ||
            client_get_figure(o, "m10", false, &d->m10) < 0 || client_get_figure(o, "up", false, &d->up) < 0 ||
            client_get_figure(o, "down", false, &d->down) < 0 || client_get_figure(o, "sri", false, &d->sri) < 0 ||
            client_get_figure(o, "social_jet_lag_h", false, &d->social_jet_lag_h) < 0)
                return -EBADMSG;
        if (day_get_clock(o, "first_active", &d->first_active) < 0 ||
            day_get_clock(o, "last_active", &d->last_active) < 0 ||
            day_get_clock(o, "sleep_onset", &d->sleep_onset) < 0 ||
            day_get_clock(o, "sleep_offset", &d->sleep_offset) < 0 ||
            day_get_clock(o, "sleep_mid", &d->sleep_mid) < 0 ||
            day_get_clock(o, "l5_onset", &d->l5_onset) < 0 || day_get_clock(o, "m10_onset", &d->m10_onset) < 0)
                return -EBADMSG;
        if (day_get_answer(o, "went_out", &d->went_out) < 0 || day_get_answer(o, "met_someone", &d->met_someone) < 0)
                return -EBADMSG;
        d->mood = -1;
        r = client_get_int(o, "mood", &mood);
        if (r == -ENODATA)
                return 0;
        if (r < 0 || mood < 1 || mood > 5)
                return -EBADMSG;
        d->mood = (int) mood;
        return 0;
}

int days_parse(json_object *reply, const char *key, Day **ret, size_t *ret_n) {
        return CLIENT_GET_ARRAY_OF(reply, key, Day, day_parse, "days", ret, ret_n);
}

enum {
        COL_DATE,
        COL_ACTIVE,
        COL_NIGHT,
        COL_UP,
        COL_DOWN,
        COL_REST,
        COL_REST_H,
        COL_OBSERVED,
        COL_OUT,
        COL_MET,
        COL_MOOD,
        COL_IS,
        COL_IV,
        COL_SRI,
        N_COLS,
};

/* When the width is short, the rhythm figures go first, then the rest window
 * (its length stays); check-ins stay. */
static const OutputColumn day_columns[N_COLS] = {
        [COL_DATE] = { .header = "Date" },
        [COL_ACTIVE] = { .header = "Active", .right = true },
        [COL_NIGHT] = { .header = "Night", .right = true },
        [COL_UP] = { .header = "Up" },
        [COL_DOWN] = { .header = "Down" },
        [COL_REST] = { .header = "Rest window", .drop = 1 },
        [COL_REST_H] = { .header = "Rest", .right = true },
        [COL_OBSERVED] = { .header = "Observed", .right = true },
        [COL_OUT] = { .header = "Out" },
        [COL_MET] = { .header = "Met" },
        [COL_MOOD] = { .header = "Mood", .right = true },
        [COL_IS] = { .header = "IS", .right = true, .drop = 2 },
        [COL_IV] = { .header = "IV", .right = true, .drop = 2 },
        [COL_SRI] = { .header = "SRI", .right = true, .drop = 2 },
};

static const char *answer_text(int a) {
        return a < 0 ? "" : a ? "yes" : "no";
}

/* A cell that may be null: "-", dimmed. */
static int cell_maybe(OutputTable *t, size_t col, bool null, const char *text) {
        return output_table_cell(t, col, null ? ANSI_DIM : NULL, "%s", null ? "-" : text);
}

static int cell_sri(OutputTable *t, double v) {
        char buf[32];
        snprintf(buf, sizeof buf, "%.0f", v);
        return cell_maybe(t, COL_SRI, isnan(v), buf);
}

/* Up or down (minutes after the date's 00:00, may pass midnight) as a time of day. */
static const char *waking_clock(char *buf, size_t size, double minutes) {
        if (isnan(minutes))
                return "";
        return output_clock(buf, size, (int) floor_mod(lround(minutes), 1440));
}

static int cell_index(OutputTable *t, size_t col, double v) {
        char buf[32];
        snprintf(buf, sizeof buf, "%.2f", v);
        return cell_maybe(t, col, isnan(v), buf);
}

static int day_row(OutputTable *t, const Day *d, bool rhythm) {
        char date[32], a[OUTPUT_DURATION_MAX], b[OUTPUT_DURATION_MAX], buf[64];
        int r;

        r = output_table_row(t, d->low_coverage ? ANSI_DIM : NULL);
        if (r < 0)
                return r;
        if (output_bucket_time(date, sizeof date, d->day, 0, "%a %Y-%m-%d") < 0)
                return -ERANGE;
        snprintf(buf, sizeof buf, "%.0f%%", d->night_ratio * 100.0);
        if (output_table_cell(t, COL_DATE, NULL, "%s", date) < 0 ||
            output_table_cell(t, COL_ACTIVE, NULL, "%s", output_hours(a, sizeof a, d->screen_h)) < 0 ||
            cell_maybe(t, COL_NIGHT, isnan(d->night_ratio), buf) < 0 ||
            cell_maybe(t, COL_UP, isnan(d->up), waking_clock(a, sizeof a, d->up)) < 0 ||
            cell_maybe(t, COL_DOWN, isnan(d->down), waking_clock(a, sizeof a, d->down)) < 0)
                return -ENOMEM;
        output_clock(a, sizeof a, d->sleep_onset);
        output_clock(b, sizeof b, d->sleep_offset);
        snprintf(buf, sizeof buf, "%s-%s", a, b);
        /* Low coverage: a "*" after the figure; a blank in its place keeps the column aligned. */
        if (cell_maybe(t, COL_REST, d->sleep_onset < 0 || d->sleep_offset < 0, buf) < 0 ||
            cell_maybe(t, COL_REST_H, isnan(d->sleep_h), output_hours(a, sizeof a, d->sleep_h)) < 0 ||
            output_table_cell(t, COL_OBSERVED, NULL, "%s%s", output_hours(b, sizeof b, d->coverage_h),
                              d->low_coverage ? "*" : " ") < 0 ||
            output_table_cell(t, COL_OUT, NULL, "%s", answer_text(d->went_out)) < 0 ||
            output_table_cell(t, COL_MET, NULL, "%s", answer_text(d->met_someone)) < 0)
                return -ENOMEM;
        if (d->mood > 0 && output_table_cell(t, COL_MOOD, NULL, "%d", d->mood) < 0)
                return -ENOMEM;
        if (rhythm && (cell_index(t, COL_IS, d->is) < 0 || cell_index(t, COL_IV, d->iv) < 0 ||
                       cell_sri(t, d->sri) < 0))
                return -ENOMEM;
        return 0;
}

/* GetDays' settings: absent from older daemons (their defaults apply), else
 * checked. */
static int settings_parse(json_object *reply, DaySettings *ret) {
        json_object *s = NULL;
        int64_t cov = 0;
        Config defaults;
        config_defaults(&defaults);
        *ret = (DaySettings) { .day_start_min = defaults.day_start_min, .min_coverage_h = defaults.min_coverage_h };
        if (!json_object_object_get_ex(reply, "settings", &s))
                return 0;
        if (!json_object_is_type(s, json_type_object) || day_get_clock(s, "day_start", &ret->day_start_min) < 0 ||
            ret->day_start_min < 0 || client_get_int(s, "min_coverage_h", &cov) < 0 || cov < 0 || cov > 24) {
                fprintf(stderr, "kizuki: kizukid sent malformed settings with the days\n");
                return -EBADMSG;
        }
        ret->min_coverage_h = (int) cov;
        return 0;
}

int days_fetch(const Ctx *ctx, const char *from, const char *to, Day **ret, size_t *ret_n, DaySettings *ret_settings) {
        _cleanup_json_ json_object *reply = NULL;
        int r = client_invoke_strings(ctx->socket_path, KIZUKI_NAME("GetDays"), &reply, "from", from, "to", to, NULL);
        if (r < 0)
                return r;
        if (ret_settings && (r = settings_parse(reply, ret_settings)) < 0)
                return r;
        return days_parse(reply, "days", ret, ret_n);
}

int days_print_table(const Ctx *ctx, const Day *days, size_t n, bool rhythm) {
        _cleanup_(output_table_freep) OutputTable *t = NULL;
        bool low = false;
        int r;

        r = output_table_new(day_columns, ELEMENTSOF(day_columns), &t);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                r = day_row(t, days + i, rhythm);
                if (r < 0)
                        return r;
                low = low || days[i].low_coverage;
        }
        r = output_table_print(t, stdout, ctx->color, ctx->columns);
        if (r < 0)
                return r;
        if (low)
                r = output_wrap(stdout, 0, "* ", "Low coverage: too few hours observed; weekly figures leave the day out.",
                                output_prose_columns(ctx->columns));
        return r;
}

/* The JSON value of a figure, unrounded, or null. */
static json_object *figure_json(double v) {
        return output_json_double(v);
}

static json_object *clock_json(int minutes) {
        char buf[8];
        return minutes < 0 ? NULL : json_object_new_string(output_clock(buf, sizeof buf, minutes));
}

static json_object *answer_json(int a) {
        return a < 0 ? NULL : json_object_new_boolean(a);
}

/* One day in the order of the contract (docs/man/kizuki.1.scd); json-c keeps insertion order. */
static int day_to_json(const Day *d, json_object **ret) {
        _cleanup_json_ json_object *o = json_object_new_object();
        struct {
                const char *key;
                json_object *value;
        } f[] = {
                { "date", json_object_new_string(d->date) },
                { "screen_h", figure_json(d->screen_h) },
                { "night_ratio", figure_json(d->night_ratio) },
                { "first_active", clock_json(d->first_active) },
                { "last_active", clock_json(d->last_active) },
                { "sleep_onset", clock_json(d->sleep_onset) },
                { "sleep_offset", clock_json(d->sleep_offset) },
                { "sleep_mid", clock_json(d->sleep_mid) },
                { "sleep_h", figure_json(d->sleep_h) },
                { "up", figure_json(d->up) },
                { "down", figure_json(d->down) },
                { "coverage_h", figure_json(d->coverage_h) },
                { "low_coverage", json_object_new_boolean(d->low_coverage) },
                { "is", figure_json(d->is) },
                { "iv", figure_json(d->iv) },
                { "ra", figure_json(d->ra) },
                { "l5", figure_json(d->l5) },
                { "l5_onset", clock_json(d->l5_onset) },
                { "m10", figure_json(d->m10) },
                { "m10_onset", clock_json(d->m10_onset) },
                { "sri", figure_json(d->sri) },
                { "social_jet_lag_h", figure_json(d->social_jet_lag_h) },
                { "went_out", answer_json(d->went_out) },
                { "met_someone", answer_json(d->met_someone) },
                { "mood", d->mood > 0 ? json_object_new_int(d->mood) : NULL },
        };
        int r = o ? 0 : -ENOMEM;

        /* Add every value, also after a failure, so that each is owned and freed. */
        for (size_t i = 0; i < ELEMENTSOF(f); i++)
                if (!o || json_object_object_add(o, f[i].key, f[i].value) < 0) {
                        json_object_put(f[i].value);
                        r = -ENOMEM;
                }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(o);
        return 0;
}

int days_print_json(const Day *days, size_t n) {
        _cleanup_json_ json_object *root = json_object_new_object();
        json_object *array = json_object_new_array();

        if (!root || !array || json_object_object_add(root, "days", array) < 0) {
                json_object_put(array);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                json_object *o;
                int r = day_to_json(days + i, &o);
                if (r < 0)
                        return r;
                if (json_object_array_add(array, o) < 0) {
                        json_object_put(o);
                        return -ENOMEM;
                }
        }
        return output_json(root);
}


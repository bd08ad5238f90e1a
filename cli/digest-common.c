/* The bottom of the CLI's digest (digest-common.h): checking a model from
 * kizukid, reading it, the wording the renderers share and the order of the
 * body's parts. Pure. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "digest-common.h"
#include "digest-trend.h"
#include "macro.h"
#include "output.h"
#include "summary.h"

/* The figures both tables show, spelled once. */
#define FIGURE_SCREEN { "screen_h", "At this computer", DIGEST_KIND_HOURS }
#define FIGURE_NIGHT { "night_ratio", "Night share", DIGEST_KIND_SHARE }
#define FIGURE_REST_MIDDLE { "sleep_mid", "Rest window middle", DIGEST_KIND_TIME }
#define FIGURE_REST_LENGTH { "sleep_h", "Rest window length", DIGEST_KIND_HOURS }
#define FIGURE_SRI { "sri", "Regularity (SRI)", DIGEST_KIND_POINTS }

const DigestFigure digest_figures[] = {
        FIGURE_SCREEN,
        FIGURE_NIGHT,
        { "up", "Up (first active)", DIGEST_KIND_CLOCK },
        { "down", "Down (last active)", DIGEST_KIND_CLOCK },
        { "sleep_onset", "Rest window start", DIGEST_KIND_TIME },
        { "sleep_offset", "Rest window end", DIGEST_KIND_TIME },
        FIGURE_REST_MIDDLE,
        FIGURE_REST_LENGTH,
        { "coverage_h", "Observed", DIGEST_KIND_HOURS },
        { "is", "Stability (IS)", DIGEST_KIND_INDEX },
        { "iv", "Fragmentation (IV)", DIGEST_KIND_INDEX },
        FIGURE_SRI,
        { "social_jet_lag_h", "Social jet lag", DIGEST_KIND_OFFSET },
};
const size_t digest_n_figures = ELEMENTSOF(digest_figures);

/* In lib/digest-trend.h's order (TrendSignal). */
const DigestFigure digest_trend_figures[] = {
        FIGURE_SCREEN, FIGURE_NIGHT, FIGURE_REST_MIDDLE, FIGURE_REST_LENGTH, FIGURE_SRI,
};
const size_t digest_n_trend_figures = ELEMENTSOF(digest_trend_figures);

const DigestFigure *digest_trend_figure(const char *key) {
        for (size_t i = 0; key && i < digest_n_trend_figures; i++)
                if (strcmp(key, digest_trend_figures[i].key) == 0)
                        return &digest_trend_figures[i];
        return NULL;
}

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

void digest_kind_range(DigestKind kind, double *lo, double *hi) {
        switch (kind) {
        case DIGEST_KIND_TIME: /* minutes of the day */
                *lo = 0, *hi = 1440;
                break;
        case DIGEST_KIND_HOURS:
                *lo = 0, *hi = 25; /* a day of 25 hours in autumn */
                break;
        case DIGEST_KIND_SHARE:
                *lo = 0, *hi = 1;
                break;
        case DIGEST_KIND_INDEX: /* IS 0..1, IV 0..2 */
                *lo = 0, *hi = 2;
                break;
        case DIGEST_KIND_CLOCK: /* minutes after the day's 00:00, past midnight too */
                *lo = -1440, *hi = 2880;
                break;
        case DIGEST_KIND_POINTS:
                *lo = -100, *hi = 100;
                break;
        case DIGEST_KIND_OFFSET:
                *lo = -24, *hi = 24;
                break;
        default:
                *lo = *hi = 0;
                break;
        }
}

/* key in o: a number in lo..hi, or absent or null (when nullable). */
static bool number_ok(json_object *o, const char *key, bool nullable, double lo, double hi) {
        json_object *v;
        double d;

        if (!field_ok(o, key, nullable, is_number))
                return false;
        if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
                return true;
        d = json_object_get_double(v);
        return d >= lo && d <= hi;
}

/* A figure's value in o: "HH:MM" for a time of day, else a number in its
 * kind's range. */
static bool figure_value_ok(json_object *o, const char *key, const DigestFigure *f, bool nullable) {
        double lo, hi;

        if (f->kind == DIGEST_KIND_TIME)
                return field_ok(o, key, nullable, is_clock);
        digest_kind_range(f->kind, &lo, &hi);
        return number_ok(o, key, nullable, lo, hi);
}

/* A change or a spread of a figure: at most the width of its range. */
static bool figure_change_ok(json_object *o, const char *key, const DigestFigure *f, bool nullable, bool spread) {
        double lo, hi;

        digest_kind_range(f->kind, &lo, &hi);
        return number_ok(o, key, nullable, spread ? 0 : lo - hi, hi - lo);
}

static bool is_up_down(json_object *v) {
        return is_string(v) && (strcmp(json_object_get_string(v), "up") == 0 ||
                                strcmp(json_object_get_string(v), "down") == 0);
}

static bool is_score(json_object *v) {
        return is_number(v) && json_object_get_double(v) >= 0;
}

/* A change of a time of day in minutes, the shorter way round the clock. */
static bool is_change_min(json_object *v) {
        return json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= -720 &&
               json_object_get_int64(v) <= 720;
}

/* trend: exactly DIGEST_TREND_WEEKS consecutive weeks ending with the
 * digest's (monday), each {week, from, days, the trend figures}; usual: each
 * trend figure {median, low, high, spread, days}. */
static bool trend_ok(json_object *trend, int64_t monday) {
        json_object *weeks, *usual, *u;
        if (!json_object_is_type(trend, json_type_object) || !json_object_object_get_ex(trend, "weeks", &weeks) ||
            !json_object_is_type(weeks, json_type_array) ||
            json_object_array_length(weeks) != DIGEST_TREND_WEEKS ||
            !json_object_object_get_ex(trend, "usual", &usual) || !json_object_is_type(usual, json_type_object))
                return false;
        for (size_t i = 0; i < DIGEST_TREND_WEEKS; i++) {
                json_object *w = json_object_array_get_idx(weeks, i);
                int64_t mon, from;
                if (!json_object_is_type(w, json_type_object) || !field_ok(w, "week", false, is_string) ||
                    iso_week_parse(digest_string(w, "week"), &mon) < 0 ||
                    mon != monday - (int64_t) (DIGEST_TREND_WEEKS - 1 - i) * 7 * DAY_S ||
                    !field_ok(w, "from", false, is_date) || parse_date(digest_string(w, "from"), &from) < 0 ||
                    from != mon || !field_ok(w, "days", false, is_count) ||
                    json_object_get_int(json_object_object_get(w, "days")) > 7)
                        return false;
                for (size_t k = 0; k < digest_n_trend_figures; k++)
                        if (!figure_value_ok(w, digest_trend_figures[k].key, &digest_trend_figures[k], true))
                                return false;
        }
        for (size_t k = 0; k < digest_n_trend_figures; k++) {
                const DigestFigure *f = &digest_trend_figures[k];
                if (!json_object_object_get_ex(usual, f->key, &u) || !json_object_is_type(u, json_type_object) ||
                    !figure_value_ok(u, "median", f, true) || !figure_value_ok(u, "low", f, true) ||
                    !figure_value_ok(u, "high", f, true) || !figure_change_ok(u, "spread", f, true, true) ||
                    !field_ok(u, "days", false, is_count))
                        return false;
        }
        return true;
}

/* headline: at most DIGEST_HEADLINE_MAX entries {signal, value, usual,
 * change_min (a time of day) or change, direction, score}. */
static bool headline_ok(json_object *headline) {
        if (!json_object_is_type(headline, json_type_array) ||
            json_object_array_length(headline) > DIGEST_HEADLINE_MAX)
                return false;
        for (size_t i = 0; i < json_object_array_length(headline); i++) {
                json_object *e = json_object_array_get_idx(headline, i);
                const DigestFigure *f;
                if (!json_object_is_type(e, json_type_object) || !field_ok(e, "signal", false, is_string) ||
                    !(f = digest_trend_figure(digest_string(e, "signal"))) || !figure_value_ok(e, "value", f, false) ||
                    !figure_value_ok(e, "usual", f, false) || !field_ok(e, "direction", false, is_up_down) ||
                    !field_ok(e, "score", false, is_score) ||
                    !(f->kind == DIGEST_KIND_TIME ? field_ok(e, "change_min", false, is_change_min)
                                                  : figure_change_ok(e, "change", f, false, false)))
                        return false;
        }
        return true;
}

static bool figures_ok(json_object *o, bool day) {
        if (!json_object_is_type(o, json_type_object))
                return false;
        for (size_t i = 0; i < digest_n_figures; i++)
                if (!figure_value_ok(o, digest_figures[i].key, &digest_figures[i], true))
                        return false;
        if (day)
                return field_ok(o, "date", false, is_date) && field_ok(o, "low_coverage", false, is_bool);
        return field_ok(o, "days", false, is_count) && field_ok(o, "checkin_days", false, is_count) &&
               field_ok(o, "went_out_days", false, is_count) && field_ok(o, "met_someone_days", false, is_count) &&
               field_ok(o, "went_out_answered", false, is_count) &&
               field_ok(o, "met_someone_answered", false, is_count) &&
               number_ok(o, "mood", true, 1, 5);
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
        if (!json_object_object_get_ex(model, "trend", &v) || !trend_ok(v, from) ||
            !json_object_object_get_ex(model, "headline", &v) || !headline_ok(v))
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

/* How long minutes (≥ 0) are, roughly: "20 min" (to 5 min) under an hour,
 * else to the half hour: "1 h", "3½ h". */
static void words_duration(char *buf, size_t size, double minutes) {
        minutes = fmin(minutes, 1e7); /* a hostile model's change still prints */
        if (minutes < 57.5) {
                snprintf(buf, size, "%ld min", 5 * lround(fmax(minutes, 5) / 5));
                return;
        }
        long halves = lround(minutes / 30);
        snprintf(buf, size, "%ld%s h", halves / 2, halves % 2 ? "½" : "");
}

json_object *digest_usual(json_object *model, const char *key) {
        json_object *trend = json_object_object_get(model, "trend");
        return json_object_object_get(json_object_object_get(trend, "usual"), key);
}

/* Member key of o read as figure f's kind: minutes for a time of day. */
static double kind_value(json_object *o, const char *key, const DigestFigure *f) {
        return digest_value(o, &(DigestFigure) { key, f->label, f->kind });
}

/* How each trend signal's change is put: "<head>[<amount> ][far ]<more|less><tail>
 * than usual (<label><value>, usually <usual>)", capitalised. */
typedef struct HeadlineWords {
        const char *head, *up, *down, *tail, *label;
        bool amount, far; /* says how much; says "far" for a score of 3 or more */
} HeadlineWords;
static const HeadlineWords headline_words[_TREND_SIGNAL_MAX] = {
        [TREND_SCREEN_H] = { "about ", "more", "less", " a day at this computer", "", true, false },
        [TREND_NIGHT_RATIO] = { "", "more", "less", " of the time at this computer at night", "", false, true },
        [TREND_SLEEP_MID] = { "the rest window about ", "later", "earlier", "", "its middle at ", true, false },
        [TREND_SLEEP_H] = { "the rest window about ", "longer", "shorter", "", "", true, false },
        [TREND_SRI] = { "the rest window ", "more", "less", " regular from day to day", "regularity ", false, true },
};

void digest_headline_words(json_object *entry, char *buf, size_t size) {
        const DigestFigure *f = digest_trend_figure(digest_string(entry, "signal"));
        char value[32], usual[32], amount[48] = "";
        buf[0] = '\0';
        if (!f || size == 0)
                return;
        double v = kind_value(entry, "value", f), u = kind_value(entry, "usual", f);
        double change = digest_number(entry, f->kind == DIGEST_KIND_TIME ? "change_min" : "change");
        if (isnan(v) || isnan(u) || isnan(change))
                return;
        const HeadlineWords *w = &headline_words[trend_signal_from_string(f->key)];
        bool far = w->far && digest_number(entry, "score") >= 3;
        digest_format_value(value, sizeof value, f, v);
        digest_format_value(usual, sizeof usual, f, u);
        if (w->amount) {
                char d[32];
                words_duration(d, sizeof d, fabs(change) * (f->kind == DIGEST_KIND_TIME ? 1 : 60));
                snprintf(amount, sizeof amount, "%s ", d);
        }
        snprintf(buf, size, "%s%s%s%s%s than usual (%s%s, usually %s)", w->head, amount, far ? "far " : "",
                 change > 0 ? w->up : w->down, w->tail, w->label, value, usual);
        if (buf[0] >= 'a' && buf[0] <= 'z')
                buf[0] = (char) (buf[0] - 'a' + 'A');
}

void digest_usual_words(json_object *model, const DigestFigure *f, char *buf, size_t size) {
        json_object *usual = digest_usual(model, f->key);
        double lo = kind_value(usual, "low", f), hi = kind_value(usual, "high", f);
        char a[32], b[32];
        if (isnan(lo) || isnan(hi)) {
                snprintf(buf, size, "no usual range yet");
                return;
        }
        switch (f->kind) {
        case DIGEST_KIND_HOURS:
                snprintf(buf, size, "usually %.1f–%.1f h", lo, hi);
                break;
        case DIGEST_KIND_SHARE:
                snprintf(buf, size, "usually %.0f–%.0f %%", lo * 100, hi * 100);
                break;
        default:
                digest_format_value(a, sizeof a, f, lo);
                digest_format_value(b, sizeof b, f, hi);
                snprintf(buf, size, "usually %s–%s", a, b);
        }
}

void digest_headline(json_object *model, char *buf, size_t size) {
        json_object *mean = json_object_object_get(model, "mean"), *headline = json_object_object_get(model, "headline");
        double screen = digest_number(mean, "screen_h"), night = digest_number(mean, "night_ratio");
        size_t n = json_object_array_length(headline), len = 0;

        buf[0] = '\0';
        if (isnan(screen)) {
                snprintf(buf, size, "No day of this week was recorded well enough for weekly figures");
                return;
        }
        for (size_t i = 0; i < n && len + 3 < size; i++) {
                if (i > 0)
                        len += (size_t) snprintf(buf + len, size - len, "; ");
                digest_headline_words(json_object_array_get_idx(headline, i), buf + len, size - len);
                if (i > 0 && buf[len] >= 'A' && buf[len] <= 'Z')
                        buf[len] = (char) (buf[len] - 'A' + 'a');
                len += strlen(buf + len);
        }
        if (n > 0)
                return;
        /* Why there is nothing to headline, then the week in brief. */
        const char *why = "Nothing far from usual";
        if (json_object_get_int(json_object_object_get(mean, "days")) < DIGEST_HEADLINE_MIN_DAYS)
                why = "Too few days to compare with usual";
        else if (isnan(digest_number(digest_usual(model, "screen_h"), "median")))
                why = "No usual range yet to compare with";
        int k = snprintf(buf, size, "%s: at this computer %.1f h a day", why, screen);
        if (k > 0 && (size_t) k < size && !isnan(night))
                snprintf(buf + k, size - (size_t) k, ", %.0f %% of it at night", night * 100);
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

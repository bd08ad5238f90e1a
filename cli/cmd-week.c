/* kizuki week [YYYY-Www] [--this] [--json]: the weekly summary of an ISO week
 * (GetWeek): per-day rows, the week's means against the week before and the
 * baseline (medians of the 28 days before), a sparkline per signal and the
 * week's actogram. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "actogram.h"
#include "client.h"
#include "days.h"
#include "hours.h"
#include "kizuki.h"
#include "macro.h"
#include "output.h"
#include "timeutil.h"

typedef enum SignalKind {
        KIND_HOURS,   /* a duration in hours: change in percent */
        KIND_SHARE,   /* 0..1: change in percentage points */
        KIND_TIME,    /* a time of day (minutes): change in hours and minutes, ↑ later */
        KIND_CLOCK,   /* minutes after the day's 00:00, may pass midnight (up, down): the
                       * difference in hours and minutes, ↑ later */
        KIND_POINTS,  /* a score (SRI, -100..100): change in points */
        KIND_OFFSET,  /* a signed duration in hours (social jet lag): change in hours and minutes */
        KIND_INDEX,   /* a rhythm figure: change in percent */
        KIND_MINUTES, /* active minutes per hour (L5, M10): change in percent */
        KIND_MOOD,    /* 1..5: change in points */
        KIND_ANSWER,  /* a yes/no check-in: days answered yes of days answered */
} SignalKind;

typedef enum Signal {
        SIG_SCREEN,
        SIG_NIGHT,
        SIG_UP,
        SIG_DOWN,
        SIG_ONSET,
        SIG_OFFSET,
        SIG_MID,
        SIG_SLEEP,
        SIG_COVERAGE,
        SIG_IS,
        SIG_IV,
        SIG_SRI,
        SIG_SJL,
        SIG_M10,
        SIG_WENT_OUT,
        SIG_MET,
        SIG_MOOD,
        N_SIGNALS,
} Signal;

static const struct {
        const char *key; /* in Figures */
        const char *label;
        SignalKind kind;
        const char *answered_key; /* check-ins: days answered, in Figures */
        size_t day_field; /* its offset in Day: an int (null: -1) for times, answers and
                           * the mood, else a double */
} signals[N_SIGNALS] = {
        [SIG_SCREEN] = { "screen_h", "Active", KIND_HOURS, NULL, offsetof(Day, screen_h) },
        [SIG_NIGHT] = { "night_ratio", "Night share", KIND_SHARE, NULL, offsetof(Day, night_ratio) },
        [SIG_UP] = { "up", "Up (first active)", KIND_CLOCK, NULL, offsetof(Day, up) },
        [SIG_DOWN] = { "down", "Down (last active)", KIND_CLOCK, NULL, offsetof(Day, down) },
        [SIG_ONSET] = { "sleep_onset", "Rest window start", KIND_TIME, NULL, offsetof(Day, sleep_onset) },
        [SIG_OFFSET] = { "sleep_offset", "Rest window end", KIND_TIME, NULL, offsetof(Day, sleep_offset) },
        [SIG_MID] = { "sleep_mid", "Rest window middle", KIND_TIME, NULL, offsetof(Day, sleep_mid) },
        [SIG_SLEEP] = { "sleep_h", "Rest window length", KIND_HOURS, NULL, offsetof(Day, sleep_h) },
        [SIG_COVERAGE] = { "coverage_h", "Observed", KIND_HOURS, NULL, offsetof(Day, coverage_h) },
        [SIG_IS] = { "is", "Stability (IS)", KIND_INDEX, NULL, offsetof(Day, is) },
        [SIG_IV] = { "iv", "Fragmentation (IV)", KIND_INDEX, NULL, offsetof(Day, iv) },
        [SIG_SRI] = { "sri", "Regularity (SRI)", KIND_POINTS, NULL, offsetof(Day, sri) },
        [SIG_SJL] = { "social_jet_lag_h", "Social jet lag", KIND_OFFSET, NULL, offsetof(Day, social_jet_lag_h) },
        [SIG_M10] = { "m10", "Busiest 10 h (M10)", KIND_MINUTES, NULL, offsetof(Day, m10) },
        [SIG_WENT_OUT] = { "went_out_days", "Went out", KIND_ANSWER, "went_out_answered", offsetof(Day, went_out) },
        [SIG_MET] = { "met_someone_days", "Met someone", KIND_ANSWER, "met_someone_answered", offsetof(Day, met_someone) },
        [SIG_MOOD] = { "mood", "Mood", KIND_MOOD, NULL, offsetof(Day, mood) },
};

/* Figures of the interface: values by signal (times in minutes), NAN for null. */
typedef struct WeekFigures {
        int64_t days;
        double v[N_SIGNALS];
        int64_t answered[N_SIGNALS]; /* check-ins: days answered */
        int64_t checkin_days;
} WeekFigures;

static int figures_parse(json_object *reply, const char *key, WeekFigures *ret) {
        json_object *o, *v;

        *ret = (WeekFigures) {};
        if (client_get_object(reply, key, &o) < 0 || client_get_int(o, "days", &ret->days) < 0 ||
            client_get_int(o, "checkin_days", &ret->checkin_days) < 0 || ret->days < 0 || ret->checkin_days < 0)
                return -EBADMSG;
        for (size_t s = 0; s < N_SIGNALS; s++) {
                ret->v[s] = NAN;
                if (signals[s].answered_key) {
                        /* absent from a kizukid older than this CLI: "-1", shown without it */
                        int r = client_get_int(o, signals[s].answered_key, &ret->answered[s]);
                        if (r == -ENODATA)
                                ret->answered[s] = -1;
                        else if (r < 0 || ret->answered[s] < 0)
                                return -EBADMSG;
                }
                if (!json_object_object_get_ex(o, signals[s].key, &v) || !v)
                        continue; /* null */
                if (signals[s].kind == KIND_TIME) {
                        int m;
                        if (!json_object_is_type(v, json_type_string) ||
                            output_parse_clock(json_object_get_string(v), &m) < 0)
                                return -EBADMSG;
                        ret->v[s] = m;
                } else if (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)) {
                        ret->v[s] = json_object_get_double(v);
                        if (!isfinite(ret->v[s]) || (signals[s].kind == KIND_ANSWER && ret->v[s] < 0))
                                return -EBADMSG;
                } else
                        return -EBADMSG;
        }
        return 0;
}

/* The value of a signal on a day, NAN when null. */
static double day_value(const Day *d, Signal s) {
        const char *field = (const char *) d + signals[s].day_field;

        switch (signals[s].kind) {
        case KIND_TIME:
        case KIND_ANSWER:
        case KIND_MOOD: {
                int m = *(const int *) field;
                return m < 0 ? NAN : m;
        }
        default:
                return *(const double *) field;
        }
}

/* A figure as shown. */
static void format_value(char *buf, size_t size, Signal s, const WeekFigures *f) {
        double v = f->v[s];

        if (signals[s].kind == KIND_ANSWER) {
                /* Of the days answered: a day not answered is unknown, not "no". */
                if (f->answered[s] == 0 || isnan(v) || (f->answered[s] < 0 && f->checkin_days <= 0))
                        snprintf(buf, size, "-");
                else if (f->answered[s] < 0)
                        snprintf(buf, size, "%.0f yes", v);
                else
                        snprintf(buf, size, "%.0f of %" PRId64 " answered", v, f->answered[s]);
                return;
        }
        if (isnan(v)) {
                snprintf(buf, size, "-");
                return;
        }
        switch (signals[s].kind) {
        case KIND_HOURS:
                output_hours(buf, size, v);
                break;
        case KIND_SHARE:
                snprintf(buf, size, "%.0f%%", v * 100);
                break;
        case KIND_TIME:
        case KIND_CLOCK:
                output_clock(buf, size, (int) floor_mod(lround(v), 1440));
                break;
        case KIND_POINTS:
                snprintf(buf, size, "%.0f", v);
                break;
        case KIND_OFFSET:
                output_signed_minutes(buf, size, v * 60);
                break;
        case KIND_INDEX:
                snprintf(buf, size, "%.2f", v);
                break;
        case KIND_MINUTES:
                snprintf(buf, size, "%.1f min/h", v);
                break;
        case KIND_MOOD:
                snprintf(buf, size, "%.1f", v);
                break;
        case KIND_ANSWER:
                break;
        }
}

/* The change from ref to v with an arrow: ↑ higher (or later), ↓ lower (or
 * earlier), → about the same. Empty when either is null or for check-in counts. */
static void format_change(char *buf, size_t size, Signal s, double v, double ref) {
        char text[32];
        double delta;
        bool same;

        buf[0] = '\0';
        if (isnan(v) || isnan(ref))
                return;
        switch (signals[s].kind) {
        case KIND_HOURS:
        case KIND_INDEX:
        case KIND_MINUTES:
                delta = v - ref;
                if (fabs(ref) < 1e-9) {
                        /* No percent of nothing: the difference itself. */
                        same = fabs(delta) < 1e-9;
                        if (signals[s].kind == KIND_HOURS)
                                output_signed_minutes(text, sizeof text, delta * 60);
                        else
                                output_signed(text, sizeof text, delta, signals[s].kind == KIND_INDEX ? 2 : 1, "");
                } else {
                        double pct = delta / fabs(ref) * 100;
                        same = fabs(pct) < 5;
                        output_signed(text, sizeof text, pct, 0, "%");
                }
                break;
        case KIND_SHARE:
                delta = (v - ref) * 100;
                same = fabs(delta) < 2;
                output_signed(text, sizeof text, delta, 0, " pp");
                break;
        case KIND_TIME:
        case KIND_CLOCK:
        case KIND_OFFSET:
                delta = signals[s].kind == KIND_TIME     ? time_of_day_diff(v, ref)
                        : signals[s].kind == KIND_OFFSET ? (v - ref) * 60
                                                         : v - ref;
                same = fabs(delta) < 15;
                output_signed_minutes(text, sizeof text, delta);
                break;
        case KIND_POINTS:
                delta = v - ref;
                same = fabs(delta) < 5;
                output_signed(text, sizeof text, delta, 0, "");
                break;
        case KIND_MOOD:
                delta = v - ref;
                same = fabs(delta) < 0.25;
                output_signed(text, sizeof text, delta, 1, "");
                break;
        case KIND_ANSWER:
        default:
                return;
        }
        snprintf(buf, size, "%s %s", output_glyph(same ? GLYPH_SAME : delta > 0 ? GLYPH_UP : GLYPH_DOWN), text);
}

/* One glyph per day of the week (▁ … █), a space where there is no value.
 * Amounts are scaled from 0 to the week's largest, times of day from the
 * earliest to the latest (read around their circular mean), mood 1..5, answers no/yes. */
static void format_sparkline(char *buf, size_t size, Signal s, const double v[static 7]) {
        double lo = 0, hi = 0, x[7], sx = 0, cx = 0, center = 0;
        bool any = false;
        size_t len = 0;

        for (size_t i = 0; i < 7; i++) {
                x[i] = v[i];
                if (isnan(v[i]))
                        continue;
                sx += sin(v[i] / 1440 * 2 * M_PI);
                cx += cos(v[i] / 1440 * 2 * M_PI);
                any = true;
        }
        if (signals[s].kind == KIND_TIME && any) {
                center = atan2(sx, cx) / (2 * M_PI) * 1440;
                for (size_t i = 0; i < 7; i++)
                        x[i] = center + time_of_day_diff(v[i], center);
        }
        bool first = true;
        for (size_t i = 0; i < 7; i++) {
                if (isnan(x[i]))
                        continue;
                if (first || x[i] < lo)
                        lo = x[i];
                if (first || x[i] > hi)
                        hi = x[i];
                first = false;
        }
        switch (signals[s].kind) {
        case KIND_TIME:
        case KIND_CLOCK:
        case KIND_POINTS:
        case KIND_OFFSET:
                break; /* from the week's lowest to its highest */
        case KIND_MOOD:
                lo = 1;
                hi = 5;
                break;
        case KIND_ANSWER:
                lo = 0;
                hi = 1;
                break;
        default:
                lo = 0;
                break;
        }

        buf[0] = '\0';
        for (size_t i = 0; i < 7; i++) {
                double frac = NAN;
                if (!isnan(x[i]))
                        frac = hi - lo > 1e-9 ? (x[i] - lo) / (hi - lo) : signals[s].kind == KIND_TIME ? 0.5 : 0;
                const char *g = output_spark(frac);
                size_t k = strlen(g);
                if (len + k >= size)
                        break;
                memcpy(buf + len, g, k + 1);
                len += k;
        }
}

enum {
        FCOL_LABEL,
        FCOL_WEEK,
        FCOL_PREVIOUS,
        FCOL_PREVIOUS_CHANGE,
        FCOL_BASELINE,
        FCOL_BASELINE_CHANGE,
        FCOL_SPARK,
        N_FCOLS,
};

static const OutputColumn figure_columns[N_FCOLS] = {
        [FCOL_LABEL] = { .header = "" },
        [FCOL_WEEK] = { .header = "This week", .right = true },
        [FCOL_PREVIOUS] = { .header = "Week before", .right = true },
        [FCOL_PREVIOUS_CHANGE] = { .header = "" },
        [FCOL_BASELINE] = { .header = "Baseline", .right = true, .drop = 1 },
        [FCOL_BASELINE_CHANGE] = { .header = "", .drop = 1 },
        [FCOL_SPARK] = { .header = "MTWTFSS", .drop = 2 },
};

/* The table of the week's figures against the week before and the baseline. */
static int figures_table(const WeekFigures *mean, const WeekFigures *previous, const WeekFigures *baseline,
                         const Day *days, size_t n_days, int64_t monday, OutputTable **ret) {
        _cleanup_(output_table_freep) OutputTable *t = NULL;
        bool checkins = mean->checkin_days > 0 || previous->checkin_days > 0 || baseline->checkin_days > 0;
        int r;

        r = output_table_new(figure_columns, ELEMENTSOF(figure_columns), &t);
        if (r < 0)
                return r;
        for (Signal s = 0; s < N_SIGNALS; s++) {
                char week[48], prev[48], prev_change[48], base[48], base_change[48], spark[8 * 4 + 1];
                double daily[7];
                bool answer = signals[s].kind == KIND_ANSWER;

                if ((answer || s == SIG_MOOD) && !checkins)
                        continue;
                /* The week's days: low-coverage days are left out as in the means, except check-ins. */
                for (size_t i = 0; i < 7; i++)
                        daily[i] = NAN;
                for (size_t i = 0; i < n_days; i++) {
                        int64_t k = (days[i].day - monday) / DAY_S;
                        if (days[i].day < monday || k >= 7)
                                continue;
                        if (days[i].low_coverage && !answer && s != SIG_MOOD)
                                continue;
                        daily[k] = day_value(days + i, s);
                }
                format_value(week, sizeof week, s, mean);
                format_value(prev, sizeof prev, s, previous);
                format_value(base, sizeof base, s, baseline);
                format_change(prev_change, sizeof prev_change, s, mean->v[s], previous->v[s]);
                format_change(base_change, sizeof base_change, s, mean->v[s], baseline->v[s]);
                format_sparkline(spark, sizeof spark, s, daily);

                if (output_table_row(t, NULL) < 0 ||
                    output_table_cell(t, FCOL_LABEL, NULL, "%s", signals[s].label) < 0 ||
                    output_table_cell(t, FCOL_WEEK, strcmp(week, "-") == 0 ? ANSI_DIM : ANSI_BOLD, "%s", week) < 0 ||
                    output_table_cell(t, FCOL_PREVIOUS, strcmp(prev, "-") == 0 ? ANSI_DIM : NULL, "%s", prev) < 0 ||
                    output_table_cell(t, FCOL_PREVIOUS_CHANGE, NULL, "%s", prev_change) < 0 ||
                    output_table_cell(t, FCOL_BASELINE, strcmp(base, "-") == 0 ? ANSI_DIM : NULL, "%s", base) < 0 ||
                    output_table_cell(t, FCOL_BASELINE_CHANGE, NULL, "%s", base_change) < 0 ||
                    output_table_cell(t, FCOL_SPARK, ANSI_GREEN, "%s", spark) < 0)
                        return -ENOMEM;
        }
        *ret = TAKE_PTR(t);
        return 0;
}

/* The week's figures: what they are compared with, as far as the terminal
 * is wide enough to show it (the baseline columns go first), then the table. */
static int print_figures(const Ctx *ctx, const WeekFigures *mean, const WeekFigures *previous,
                         const WeekFigures *baseline, const Day *days, size_t n_days, int64_t monday, size_t low) {
        _cleanup_(output_table_freep) OutputTable *t = NULL;
        _cleanup_free_ char *text = NULL;
        int r;

        r = figures_table(mean, previous, baseline, days, n_days, monday, &t);
        if (r < 0)
                return r;
        int base = output_table_shown(t, FCOL_BASELINE, ctx->columns);
        if (base < 0)
                return base;
        char lows[64] = "", base_text[96];
        if (low > 0)
                snprintf(lows, sizeof lows, " (%zu with low coverage left out)", low);
        if (base)
                snprintf(base_text, sizeof base_text, " and your baseline (medians of the 28 days before, %" PRId64
                         " counted)", baseline->days);
        else
                snprintf(base_text, sizeof base_text, " (your baseline needs a wider terminal)");
        if (asprintf(&text, "over %" PRId64 " day%s%s, against the week before (%" PRId64 " day%s)%s:",
                     mean->days, mean->days == 1 ? "" : "s", lows, previous->days, previous->days == 1 ? "" : "s",
                     base_text) < 0) {
                text = NULL;
                return -ENOMEM;
        }
        const char *bold = output_color(ctx->color, ANSI_BOLD), *reset = output_color(ctx->color, ANSI_RESET);
        printf("\n%sWeekly means%s", bold, reset);
        r = output_wrap_on(stdout, (unsigned) strlen("Weekly means"), text, output_prose_columns(ctx->columns));
        if (r < 0)
                return r;
        putchar('\n');
        return output_table_print(t, stdout, ctx->color, ctx->columns);
}

static int week_print(const Ctx *ctx, json_object *reply) {
        _cleanup_free_ Day *days = NULL;
        _cleanup_free_ Hour *hours = NULL;
        WeekFigures mean, previous, baseline;
        const char *week, *from, *to;
        const char *bold = output_color(ctx->color, ANSI_BOLD), *reset = output_color(ctx->color, ANSI_RESET);
        char from_label[32], to_label[32], week_safe[ISO_WEEK_MAX + 8];
        int64_t monday, sunday, check;
        size_t n_days = 0, n_hours = 0, low = 0;
        int r;

        if (client_get_string(reply, "week", &week) < 0 || client_get_string(reply, "from", &from) < 0 ||
            client_get_string(reply, "to", &to) < 0 || parse_date(from, &monday) < 0 || parse_date(to, &sunday) < 0 ||
            sunday - monday != 6 * DAY_S || iso_week_parse(week, &check) < 0 || check != monday ||
            figures_parse(reply, "mean", &mean) < 0 || figures_parse(reply, "previous", &previous) < 0 ||
            figures_parse(reply, "baseline", &baseline) < 0) {
                fprintf(stderr, "kizuki: kizukid sent a malformed week\n");
                return -EBADMSG;
        }
        r = days_parse(reply, "days", &days, &n_days);
        if (r < 0)
                return r;
        r = hours_parse(reply, "hours", &hours, &n_hours);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_days; i++)
                low += days[i].low_coverage;

        if (output_bucket_time(from_label, sizeof from_label, monday, 0, "%a %Y-%m-%d") < 0 ||
            output_bucket_time(to_label, sizeof to_label, sunday, 0, "%a %Y-%m-%d") < 0)
                return -ERANGE;
        printf("%sWeek %s%s: %s to %s\n\n", bold, output_safe(week_safe, sizeof week_safe, week), reset, from_label,
               to_label);

        if (n_days == 0)
                printf("No days recorded in this week.\n");
        else {
                r = days_print_table(ctx, days, n_days, false);
                if (r < 0)
                        return r;
        }

        r = print_figures(ctx, &mean, &previous, &baseline, days, n_days, monday, low);
        if (r < 0)
                return r;
        printf("%s higher or later   %s lower or earlier   %s about the same\n", output_glyph(GLYPH_UP),
               output_glyph(GLYPH_DOWN), output_glyph(GLYPH_SAME));
        r = output_wrap(stdout, 0, "",
                        "Rest window: the longest break from this computer around the night, an upper "
                        "bound on sleep, not sleep. Up and down: the first and the last activity between "
                        "two rest windows (down may pass midnight). Regularity (SRI): how alike the days "
                        "are, -100 to 100. Social jet lag: rest window middle on weekends minus weekdays.",
                        output_prose_columns(ctx->columns));
        if (r < 0)
                return r;

        printf("\n%sActivity%s\n", bold, reset);
        return actogram_print(ctx, hours, n_hours, monday, 7, false);
}

/* --this into the bool at userdata. */
static const CmdOption week_options[] = {
        CMD_OPTION("this", 't', CMD_STORE, CMD_HELP("--this", "The current week, so far.")),
        CMD_OPTION_JSON_HELP("Print kizukid's answer (GetWeek) as JSON."),
        {},
};

static int week_exec(const Command *cmd, Ctx *ctx) {
        _cleanup_json_ json_object *reply = NULL;
        char week[ISO_WEEK_MAX], today[OUTPUT_DATE_MAX];
        bool this_week = *(bool *) ctx->userdata;
        int64_t day;
        int r;

        if (ctx->argc > 0) {
                if (this_week)
                        return cmd_usage_error(cmd, ctx, "give either a week or --this");
                r = cmd_parse_week(cmd, ctx, ctx->argv[0], week, &day);
                if (r < 0)
                        return r;
        } else {
                r = cmd_parse_day(cmd, ctx, NULL, today, &day);
                if (r < 0)
                        return r;
                /* The last complete week: the one a week ago. */
                if (!this_week)
                        day -= 7 * DAY_S;
        }
        if (iso_week_of(day, week, NULL) < 0)
                return -ERANGE;

        r = client_invoke_strings(ctx->socket_path, KIZUKI_NAME("GetWeek"), &reply, "week", week, NULL);
        if (r < 0)
                return r;
        if (ctx->json)
                return output_json(reply);
        return week_print(ctx, reply);
}

COMMAND(week,
        .usage = "[WEEK] [--this] [--json]",
        .summary = "Show a week's summary and its changes",
        .pager = true,
        .help = "  WEEK                  The ISO week: YYYY-Www (e.g. 2026-W02), this-week,\n"
                "                        last-week or -Nw (default: the last complete week).\n",
        .args = { 0, 1 },
        .options = week_options,
        CMD_USERDATA(bool));

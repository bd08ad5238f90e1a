/* The digest as plain text (digest-text.h): 72 columns, UTF-8, the same
 * sections as the HTML. Pure. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "digest-common.h"
#include "digest-text.h"
#include "digest-trend.h"
#include "output.h"

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

/* One glyph per week (output_spark(): ▁ … █, or ASCII), the gap glyph (·)
 * for a week without a value. From the lowest to the highest week; times of
 * day around the usual median (or the first week's), so that they do not
 * break at midnight; a flat line low for amounts, in the middle for times and
 * points. */
static void text_sparkline(FILE *f, json_object *model, json_object *weeks, const DigestFigure *fig) {
        size_t n = json_object_array_length(weeks);
        double x[DIGEST_TREND_WEEKS], lo = NAN, hi = NAN, ref = NAN;

        if (n > DIGEST_TREND_WEEKS)
                n = DIGEST_TREND_WEEKS;
        if (fig->kind == DIGEST_KIND_TIME)
                ref = digest_value(digest_usual(model, fig->key), &(DigestFigure) { "median", fig->label, fig->kind });
        for (size_t i = 0; i < n; i++) {
                x[i] = digest_value(json_object_array_get_idx(weeks, i), fig);
                if (isnan(x[i]))
                        continue;
                if (fig->kind == DIGEST_KIND_TIME) {
                        if (isnan(ref))
                                ref = x[i];
                        x[i] = ref + time_of_day_diff(x[i], ref);
                }
                lo = isnan(lo) || x[i] < lo ? x[i] : lo;
                hi = isnan(hi) || x[i] > hi ? x[i] : hi;
        }
        bool amount = fig->kind == DIGEST_KIND_HOURS || fig->kind == DIGEST_KIND_SHARE;
        for (size_t i = 0; i < n; i++)
                fputs(isnan(x[i]) ? output_glyph(GLYPH_MISSING)
                                  : output_spark(hi - lo > 1e-9 ? (x[i] - lo) / (hi - lo) : amount ? 0 : 0.5),
                      f);
}

/* The last 12 weeks: per trend figure a sparkline, the digest week's value
 * and the usual range in words. */
static void text_trend(FILE *f, json_object *model) {
        json_object *weeks = json_object_object_get(json_object_object_get(model, "trend"), "weeks");
        size_t n = json_object_array_length(weeks);
        json_object *last = json_object_array_get_idx(weeks, n - 1);
        char first[16], usual[64], value[32];

        text_heading(f, "Last 12 weeks");
        output_safe(first, sizeof first, digest_string(json_object_array_get_idx(weeks, 0), "week"));
        fprintf(f, "Weekly means from %s, this week last (%s: no data). The usual\n"
                   "range is the middle half of the 28 days before this week.\n\n",
                first, output_glyph(GLYPH_MISSING));
        for (size_t i = 0; i < digest_n_trend_figures; i++) {
                const DigestFigure *fig = &digest_trend_figures[i];
                put_cell(f, fig->label, 20, false);
                text_sparkline(f, model, weeks, fig);
                digest_format_value(value, sizeof value, fig, digest_value(last, fig));
                fputs("  ", f);
                put_cell(f, value, 7, true);
                digest_usual_words(model, fig, usual, sizeof usual);
                fprintf(f, "  %s\n", usual);
        }
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
        text_trend(f, model);
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
        char sentence[320];
        digest_checkins_sentence(model, sentence, sizeof sentence);
        output_wrap(f, 0, "", sentence, TEXT_COLUMNS);
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
        fprintf(f, "Day          Screen  Night  Rest window  Length  Up–down      Obs.\n");
        for (size_t i = 0; i < 7; i++) {
                json_object *d = json_object_array_get_idx(days, i);
                char day[32], cell[48];
                DigestDayRow row;
                digest_day_row(d, &row);
                low |= row.low;
                digest_format_day(day, sizeof day, digest_string(d, "date"), false);
                put_cell(f, day, 9, false);
                put_cell(f, row.screen, 10, true);
                put_cell(f, row.night, 7, true);
                fputs("  ", f);
                put_cell(f, row.sleep, 11, false);
                put_cell(f, row.sleep_len, 7, true);
                fputs("  ", f);
                put_cell(f, row.active, 11, false);
                snprintf(cell, sizeof cell, "%.0f h%s", digest_number(d, "coverage_h"), row.low ? "*" : "");
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
        char from[32], to[32], headline[512], week[16];

        digest_format_day(from, sizeof from, digest_string(model, "from"), true);
        digest_format_day(to, sizeof to, digest_string(model, "to"), true);
        output_safe(week, sizeof week, digest_string(model, "week"));
        digest_headline(model, headline, sizeof headline);
        size_t hl = strlen(headline);
        if (hl + 1 < sizeof headline)
                memcpy(headline + hl, ".", 2);

        fprintf(f, "kizuki weekly digest, %s: %s to %s\n", week, from, to);
        fprintf(f, "Level: %s. Generated %s.\n\n", digest_level_to_string(level),
                digest_string(model, "generated_at"));
        output_wrap(f, 0, "", headline, TEXT_COLUMNS);
        digest_write_parts(f, model, level,
                           &(DigestParts) { text_figures, text_checkins, text_nudges, text_days, text_hours });
        fprintf(f, "\nScreen time is time active at the computer, as recorded by kizuki on\n"
                   "the person's own machine. The rest window is the longest break from this\n"
                   "computer around the night: an upper bound on sleep, not a sleep measure.\n"
                   "Up and down are the first and last activity between two rest windows.\n"
                   "Nights run %s to %s; days start at %s.\n",
                digest_string(settings, "night_start"), digest_string(settings, "night_end"),
                digest_string(settings, "day_start"));
        return 0;
}

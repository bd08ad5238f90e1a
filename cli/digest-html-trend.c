/* The HTML digest's trend (digest-html-trend.h): the last 12
 * weeks as small multiples, each a line of weekly means over the person's
 * usual range (a shaded band) and usual median (a dashed line), the digest's
 * own week highlighted, a week without data a gap; and the same values as a
 * table. The model is hostile: every value is checked for type and range and
 * re-formatted from the number read, so no string of the model is written. */
#include <assert.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>

#include "calendar.h"
#include "digest-common.h"
#include "digest-html-trend.h"
#include "macro.h"
#include "output.h"

#define TREND_WEEKS 12
#define TREND_MAX_ENTRIES 520 /* ten years of weeks; a longer list is not a trend: left out */
#define WEEK_SECONDS (7 * DAY_SECONDS)
#define BAR "#1f4e79"         /* as digest-html.c's bars: 8.6:1 on white */
#define BAND "#cfdceb"        /* the usual range, light behind the line */
#define TIME_SPAN 360         /* the rest window's middle: ±6 h around the usual one */

/* The trend's figures (digest_trend_figures[], found by key), each with its
 * chart's title. */
typedef struct TrendSignal {
        const char *key;   /* in each week and in "usual" */
        const char *title; /* the chart's; the figure's label heads the table's column */
} TrendSignal;

static const TrendSignal signals[] = {
        { "screen_h", "At this computer, hours per day" },
        { "night_ratio", "Night share of the time at this computer" },
        { "sleep_mid", "Rest window middle, clock time" },
        { "sleep_h", "Rest window length, hours" },
        { "sri", "Regularity of the rest window (SRI)" },
};
#define N_SIGNALS ELEMENTSOF(signals)

/* Twelve slots, one a week, the last the digest's own week. */
typedef struct Trend {
        char name[TREND_WEEKS][ISO_WEEK_MAX]; /* "2026-W13" */
        int days[TREND_WEEKS];                /* days counted, -1 unknown */
        double v[N_SIGNALS][TREND_WEEKS];     /* NAN: a gap */
        double median[N_SIGNALS], low[N_SIGNALS], high[N_SIGNALS]; /* NAN: unknown */
        const DigestFigure *fig[N_SIGNALS]; /* of each signal: HOURS, SHARE, TIME (minutes of the day) or POINTS */
} Trend;

typedef struct TrendScale {
        double lo, hi, center; /* center: TIME only, the clock time drawn as 0 */
        double ticks[5];
        size_t n_ticks;
} TrendScale;

/* key of o as a value of figure f: a number in its kind's range, or "HH:MM"
 * for a time; NAN for anything else (absent, null, wrong type, NaN, out of
 * range: digest_check() lets none through, this is a second line). */
static double trend_value(json_object *o, const char *key, const DigestFigure *f) {
        double x, lo, hi;
        if (f->kind == DIGEST_KIND_TIME) {
                int m = digest_clock(o, key);
                x = m < 0 ? NAN : m;
        } else
                x = digest_number(o, key);
        digest_kind_range(f->kind, &lo, &hi);
        return x >= lo && x <= hi ? x : NAN;
}

static int trend_parse(json_object *model, Trend *t) {
        json_object *trend, *weeks, *usual = NULL;
        int64_t first, last;

        if (!json_object_object_get_ex(model, "trend", &trend) || !json_object_object_get_ex(trend, "weeks", &weeks) ||
            !json_object_is_type(weeks, json_type_array) || json_object_array_length(weeks) > TREND_MAX_ENTRIES ||
            iso_week_parse(digest_string(model, "week"), &last) < 0)
                return -ENODATA;
        *t = (Trend) {};
        for (size_t s = 0; s < N_SIGNALS; s++) {
                t->fig[s] = digest_trend_figure(signals[s].key);
                assert(t->fig[s]);
        }
        first = last - (TREND_WEEKS - 1) * WEEK_SECONDS;
        for (size_t i = 0; i < TREND_WEEKS; i++) {
                if (iso_week_of(first + (int64_t) i * WEEK_SECONDS, t->name[i], NULL) < 0)
                        return -ERANGE;
                t->days[i] = -1;
                for (size_t s = 0; s < N_SIGNALS; s++)
                        t->v[s][i] = NAN;
        }
        bool any = false;
        for (size_t j = 0; j < json_object_array_length(weeks); j++) {
                json_object *w = json_object_array_get_idx(weeks, j);
                int64_t monday;
                /* Another week than the 12 (or not a week): not drawn. */
                if (iso_week_parse(digest_string(w, "week"), &monday) < 0 || monday < first || monday > last)
                        continue;
                size_t k = (size_t) ((monday - first) / WEEK_SECONDS);
                double days = digest_number(w, "days");
                t->days[k] = days >= 0 && days <= 7 && days == floor(days) ? (int) days : -1;
                for (size_t s = 0; s < N_SIGNALS; s++) {
                        t->v[s][k] = trend_value(w, signals[s].key, t->fig[s]);
                        any |= !isnan(t->v[s][k]);
                }
        }
        json_object_object_get_ex(trend, "usual", &usual);
        for (size_t s = 0; s < N_SIGNALS; s++) {
                json_object *u = json_object_object_get(usual, signals[s].key);
                const DigestFigure *fig = t->fig[s];
                t->median[s] = trend_value(u, "median", fig);
                t->low[s] = trend_value(u, "low", fig);
                t->high[s] = trend_value(u, "high", fig);
                if (fig->kind != DIGEST_KIND_TIME && !(t->low[s] <= t->high[s]))
                        t->low[s] = t->high[s] = NAN; /* a band upside down is no band */
        }
        return any ? 0 : -ENODATA;
}

/* v as drawn: itself, or for a time the minutes from the scale's center,
 * within ±TIME_SPAN (a middle further away is drawn at the edge). */
static double trend_plotted(const DigestFigure *f, const TrendScale *sc, double v) {
        if (isnan(v) || f->kind != DIGEST_KIND_TIME)
                return v;
        return fmin(fmax(time_of_day_diff(v, sc->center), -TIME_SPAN), TIME_SPAN);
}

/* The scale of signal s: from 0 (hours, share) or a round number below the
 * lowest value (SRI) to a round number above the highest; for a time ±6 h
 * around the usual median (else the latest week's value). */
static void trend_scale(const Trend *t, size_t s, TrendScale *ret) {
        const DigestFigure *fig = t->fig[s];
        double lo = INFINITY, hi = -INFINITY;

        *ret = (TrendScale) { .center = NAN };
        if (fig->kind == DIGEST_KIND_TIME) {
                ret->center = t->median[s];
                for (size_t i = 0; isnan(ret->center) && i < TREND_WEEKS; i++)
                        ret->center = t->v[s][TREND_WEEKS - 1 - i];
                if (isnan(ret->center))
                        ret->center = 0; /* nothing to draw: an empty chart around 00:00 */
                *ret = (TrendScale) { -TIME_SPAN, TIME_SPAN, ret->center, { -360, -180, 0, 180, 360 }, 5 };
                return;
        }
        for (size_t i = 0; i < TREND_WEEKS + 3; i++) {
                double v = i < TREND_WEEKS ? t->v[s][i] : i == TREND_WEEKS ? t->median[s] :
                           i == TREND_WEEKS + 1 ? t->low[s] : t->high[s];
                if (!isnan(v)) {
                        lo = fmin(lo, v);
                        hi = fmax(hi, v);
                }
        }
        if (lo > hi)
                lo = hi = 0; /* nothing to draw */
        switch (fig->kind) {
        case DIGEST_KIND_HOURS: {
                double step = hi > 12 ? 4 : 2;
                ret->hi = fmax(step, ceil(hi / step) * step);
                break;
        }
        case DIGEST_KIND_SHARE:
                ret->hi = fmax(0.1, ceil(hi * 10 - 1e-9) / 10);
                break;
        default:
                ret->lo = fmax(-100, floor(lo / 10) * 10);
                ret->hi = fmin(100, ceil(hi / 10) * 10);
                if (ret->hi - ret->lo < 20)
                        ret->lo = fmax(-100, ret->hi - 20), ret->hi = ret->lo + 20;
        }
        ret->n_ticks = 3;
        ret->ticks[0] = ret->lo;
        ret->ticks[1] = (ret->lo + ret->hi) / 2;
        ret->ticks[2] = ret->hi;
}

static void trend_tick_label(char *buf, size_t size, const DigestFigure *f, const TrendScale *sc, double tick) {
        if (f->kind == DIGEST_KIND_HOURS)
                snprintf(buf, size, "%.0f h", tick); /* whole hours on the axis */
        else /* a time as the clock time it stands for */
                digest_format_value(buf, size, f, f->kind == DIGEST_KIND_TIME ? sc->center + tick : tick);
}

/* One small chart: 12 slots left to right, the last the digest's week. */
static void trend_chart(FILE *f, json_object *model, const Trend *t, size_t s) {
        const TrendSignal *sig = &signals[s];
        const DigestFigure *fig = t->fig[s];
        const int w = 300, h = 150, left = 44, right = 294, top = 24, bottom = 124;
        const double slot = (right - left) / (double) TREND_WEEKS;
        const size_t own = TREND_WEEKS - 1;
        TrendScale sc;
        char label[32], usual[128];

        trend_scale(t, s, &sc);
#define Y(v) (bottom - ((v) - sc.lo) / (sc.hi - sc.lo) * (bottom - top))
#define X(i) (left + ((double) (i) + 0.5) * slot)
        fprintf(f, "<figure>\n<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
                   "aria-labelledby=\"trend-%s\">\n<title id=\"trend-%s\">%s: weekly means of the 12 weeks to %s "
                   "(the last highlighted), the usual range shaded</title>\n",
                w, h, w, h, sig->key, sig->key, sig->title, t->name[own]);
        fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"#ececec\"/>\n", X(own) - slot / 2,
                top - 4, slot, bottom - top + 4);
        double lo = trend_plotted(fig, &sc, t->low[s]), hi = trend_plotted(fig, &sc, t->high[s]);
        if (!isnan(lo) && !isnan(hi) && lo <= hi)
                fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"/>\n", left, Y(hi),
                        right - left, fmax(Y(lo) - Y(hi), 1), BAND);
        for (size_t i = 0; i < sc.n_ticks; i++) {
                trend_tick_label(label, sizeof label, fig, &sc, sc.ticks[i]);
                fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#c8c8c8\" stroke-width=\"0.5\"/>"
                           "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>\n",
                        left, Y(sc.ticks[i]), right, Y(sc.ticks[i]), left - 4, Y(sc.ticks[i]) + 4, label);
        }
        double median = trend_plotted(fig, &sc, t->median[s]);
        if (!isnan(median))
                fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#404040\" "
                           "stroke-dasharray=\"5 3\"/>\n",
                        left, Y(median), right, Y(median));
        /* The line, broken where a week has no value. */
        for (size_t i = 0; i < TREND_WEEKS;) {
                size_t j = i;
                while (j < TREND_WEEKS && !isnan(t->v[s][j]))
                        j++;
                if (j - i >= 2) {
                        fputs("<polyline fill=\"none\" stroke=\"" BAR "\" stroke-width=\"1.5\" points=\"", f);
                        for (size_t k = i; k < j; k++)
                                fprintf(f, "%s%.1f,%.1f", k > i ? " " : "", X(k), Y(trend_plotted(fig, &sc, t->v[s][k])));
                        fputs("\"/>\n", f);
                }
                i = j + 1;
        }
        for (size_t i = 0; i < TREND_WEEKS; i++) {
                if (isnan(t->v[s][i]))
                        continue;
                digest_format_value(label, sizeof label, fig, t->v[s][i]);
                double y = Y(trend_plotted(fig, &sc, t->v[s][i]));
                fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" fill=\"%s\"><title>%s: %s</title></circle>\n",
                        X(i), y, i == own ? "4" : "2.5", BAR, t->name[i], label);
                if (i == own) /* at the top right, above the chart: it never hides a dot */
                        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" style=\"font-weight:bold\">%s %s</text>\n",
                                right, top - 8, t->name[i] + 5, label);
        }
        fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#404040\"/>\n", left, bottom, right, bottom);
        for (size_t i = own % 3; i < TREND_WEEKS; i += 3)
                fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\"%s>W%s</text>\n", X(i), bottom + 16,
                        i == own ? " style=\"font-weight:bold\"" : "", t->name[i] + 6);
#undef X
#undef Y
        digest_format_value(label, sizeof label, fig, t->v[s][own]);
        /* The usual range in the words the text digest uses, when there is
         * none or it is one the chart could draw (not one out of range). */
        json_object *u = digest_usual(model, sig->key);
        usual[0] = '\0';
        if (((!isnan(t->low[s]) && !isnan(t->high[s])) ||
                      (!json_object_object_get(u, "low") && !json_object_object_get(u, "high"))))
                digest_usual_words(model, fig, usual, sizeof usual);
        fprintf(f, "</svg>\n<figcaption>%s: %s %s%s%s", sig->title, t->name[own], label, *usual ? "; " : "", usual);
        if (!isnan(t->median[s])) {
                digest_format_value(label, sizeof label, fig, t->median[s]);
                fprintf(f, ", median %s", label);
        }
        fputs(".</figcaption>\n</figure>\n", f);
}

static void trend_table(FILE *f, const Trend *t) {
        char v[128];

        fputs("<details>\n<summary>The same weeks as a table</summary>\n<table class=\"stack\">\n"
              "<caption>Weekly means of the last 12 weeks, the usual median and range below.</caption>\n"
              "<thead><tr><th scope=\"col\">Week</th><th scope=\"col\">Days</th>",
              f);
        for (size_t s = 0; s < N_SIGNALS; s++)
                fprintf(f, "<th scope=\"col\">%s</th>", t->fig[s]->label);
        fputs("</tr></thead>\n<tbody>\n", f);
        for (size_t i = 0; i < TREND_WEEKS; i++) {
                bool own = i == TREND_WEEKS - 1, none = true;
                for (size_t s = 0; s < N_SIGNALS; s++)
                        none &= isnan(t->v[s][i]);
                if (t->days[i] >= 0)
                        snprintf(v, sizeof v, "%d", t->days[i]);
                else
                        snprintf(v, sizeof v, "–");
                fprintf(f, "<tr><th scope=\"row\">%s%s%s%s</th><td data-label=\"Days\">%s</td>", own ? "<strong>" : "",
                        t->name[i], own ? " (this week)</strong>" : "", none ? " (no data)" : "", v);
                for (size_t s = 0; s < N_SIGNALS; s++) {
                        const DigestFigure *fig = t->fig[s];
                        digest_format_value(v, sizeof v, fig, t->v[s][i]);
                        fprintf(f, "<td data-label=\"%s\">%s</td>", fig->label, v);
                }
                fputs("</tr>\n", f);
        }
        fputs("</tbody>\n<tfoot>\n", f);
        for (size_t r = 0; r < 3; r++) {
                fprintf(f, "<tr><th scope=\"row\">%s</th><td data-label=\"Days\"></td>",
                        (const char *[]) { "Usual median", "Usual range, low", "Usual range, high" }[r]);
                for (size_t s = 0; s < N_SIGNALS; s++) {
                        const DigestFigure *fig = t->fig[s];
                        digest_format_value(v, sizeof v, fig, (r == 0 ? t->median : r == 1 ? t->low : t->high)[s]);
                        fprintf(f, "<td data-label=\"%s\">%s</td>", fig->label, v);
                }
                fputs("</tr>\n", f);
        }
        fputs("</tfoot>\n</table>\n</details>\n", f);
}

void digest_html_trend(FILE *f, json_object *model) {
        Trend t;

        if (trend_parse(model, &t) < 0)
                return;
        fprintf(f, "<section class=\"trend\">\n<h2>The last 12 weeks</h2>\n<p class=\"note\">Weekly means from %s to "
                   "%s, oldest on the left, this week highlighted. The shaded band is the usual range, the dashed "
                   "line the usual median; a gap is a week without enough data. The rest window's middle is drawn "
                   "against its usual median, up to 6 hours earlier (down) or later (up).</p>\n"
                   "<div class=\"trend-charts\">\n",
                t.name[0], t.name[TREND_WEEKS - 1]);
        for (size_t s = 0; s < N_SIGNALS; s++)
                trend_chart(f, model, &t, s);
        fputs("</div>\n", f);
        trend_table(f, &t);
        fputs("</section>\n", f);
}

/* The digest as one self-contained HTML file: inline CSS and SVG, no scripts,
 * no external resources. Real text throughout (the charts repeat figures that
 * are also in the tables), table headers with scope, SVGs with a <title> and
 * aria-labelledby, and shades that differ in lightness and come with text, so
 * colour never carries meaning alone. Prints on A4. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "digest-common.h"
#include "digest-html-trend.h"
#include "digest-html.h"
#include "output.h"

static const char css[] =
        ":root{color-scheme:light}\n"
        "body{font:15px/1.45 system-ui,\"Segoe UI\",Roboto,\"DejaVu Sans\",sans-serif;color:#1a1a1a;"
        "background:#fff;max-width:52rem;margin:1.5rem auto;padding:0 1rem}\n"
        "h1{font-size:1.5rem;margin:0 0 .25rem}\n"
        "h2{font-size:1.15rem;margin:1.4rem 0 .5rem;padding-bottom:.15rem;border-bottom:1px solid #767676}\n"
        ".meta,.note,figcaption{color:#404040}\n"
        ".meta{margin:0}\n"
        ".headline{font-size:1.2rem;font-weight:600;margin:1rem 0;padding:.5rem .8rem;"
        "border-left:4px solid #1f4e79;background:#eef3f8}\n"
        "table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}\n"
        "caption{text-align:left;color:#404040;padding-bottom:.3rem}\n"
        "th,td{padding:.2rem .45rem;text-align:right;border-bottom:1px solid #c8c8c8}\n"
        "th:first-child,td:first-child{text-align:left}\n"
        "thead th{border-bottom:2px solid #404040;vertical-align:bottom}\n"
        "tbody th{font-weight:normal}\n"
        "tbody th,tbody td{white-space:nowrap}\n"
        ".charts{display:flex;flex-wrap:wrap;gap:1rem;margin-top:1rem}\n"
        "figure{margin:0;flex:1 1 14rem}\n"
        "figcaption{font-size:.85rem}\n"
        "svg{display:block;max-width:100%;height:auto}\n"
        "svg text{font-size:11px;fill:#1a1a1a}\n"
        ".note{font-size:.85rem}\n"
        "ul.nudges{padding-left:1.2rem}\n"
        ".trend-charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(15rem,1fr));gap:.75rem 1rem}\n"
        "details{margin-top:.75rem}\n"
        "summary{cursor:pointer;color:#1f4e79}\n"
        /* Narrow screens: each row of a wide table becomes a block, its
         * header on a line of its own and its cells three abreast, each
         * labelled; nothing is dropped and nothing overflows. */
        "@media screen and (max-width:40rem){"
        "body{padding:0 .6rem}"
        "table.stack,table.stack tbody,table.stack tfoot{display:block}"
        "table.stack caption{display:block}"
        "table.stack thead{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}"
        "table.stack tr{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));"
        "border-bottom:1px solid #c8c8c8;padding:.25rem 0}"
        "table.stack th,table.stack td{border:0;text-align:left;white-space:normal;padding:.1rem .3rem}"
        "table.stack th[scope=row]{grid-column:1/-1;font-weight:600}"
        "table.stack td::before{content:attr(data-label);display:block;font-size:.75rem;color:#404040}}\n"
        "@media print{@page{size:A4;margin:14mm}"
        "body{margin:0;max-width:none;font-size:10pt}"
        "figcaption,.note{font-size:8.5pt}"
        "th,td{padding:.1rem .45rem}"
        "section,figure,table{break-inside:avoid}"
        "section.trend{break-before:page;break-inside:auto}"
        ".trend-charts{grid-template-columns:repeat(3,minmax(0,1fr))}"
        "h2{break-after:avoid}"
        ".page{break-before:page}"
        "summary{display:none}"
        "details::details-content{content-visibility:visible;display:contents}"
        ".headline{background:none}}\n";

#define BAR "#1f4e79"  /* 8.6:1 on white */
#define BAND "#cfdceb" /* the baseline's range or window, light behind the bars */

/* s with &, <, >, " and ' escaped, and control characters as U+FFFD. */
static void put_escaped(FILE *f, const char *s) {
        for (; s && *s; s++)
                switch (*s) {
                case '&': fputs("&amp;", f); break;
                case '<': fputs("&lt;", f); break;
                case '>': fputs("&gt;", f); break;
                case '"': fputs("&quot;", f); break;
                case '\'': fputs("&#39;", f); break;
                default:
                        if ((unsigned char) *s < 0x20 || *s == 0x7f)
                                fputs("\xef\xbf\xbd", f);
                        else
                                fputc(*s, f);
                }
}

/* fmt with each "%s" replaced by the next argument, escaped (put_escaped()):
 * markup around text from the model. No other conversions. */
__attribute__((format(printf, 2, 3))) static void put_html(FILE *f, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        for (const char *p = fmt; *p; p++)
                if (p[0] == '%' && p[1] == 's') {
                        put_escaped(f, va_arg(ap, const char *));
                        p++;
                } else
                        fputc(*p, f);
        va_end(ap);
}

static void html_head(FILE *f, json_object *model) {
        put_html(f,
                 "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                 "<meta name=\"generator\" content=\"kizuki\">\n<title>Weekly digest, %s",
                 digest_string(model, "week"));
        fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n", css);
}

static void html_header(FILE *f, json_object *model, DigestLevel level, const DigestOptions *o) {
        char from[32], to[32], headline[512];

        digest_format_day(from, sizeof from, digest_string(model, "from"), true);
        digest_format_day(to, sizeof to, digest_string(model, "to"), true);
        digest_headline(model, headline, sizeof headline);
        put_html(f, "<header>\n<h1>Weekly digest, %s</h1>\n<p class=\"meta\">", digest_string(model, "week"));
        if (o->patient_name)
                put_html(f, "%s · ", o->patient_name);
        fprintf(f, "%s to %s · level %s · generated ", from, to, digest_level_to_string(level));
        put_html(f, "%s</p>\n</header>\n<main>\n<p class=\"headline\">%s</p>\n", digest_string(model, "generated_at"),
                 headline);
}

static void html_figures(FILE *f, json_object *model) {
        json_object *mean = json_object_object_get(model, "mean"), *prev = json_object_object_get(model, "previous"),
                    *base = json_object_object_get(model, "baseline");

        fprintf(f, "<section>\n<h2>Weekly figures</h2>\n<table class=\"stack\">\n<caption>Means over %d day%s of this week "
                   "(%d the week before); baseline: medians of the 28 days before (%d counted).</caption>\n"
                   "<thead><tr><th scope=\"col\">Figure</th><th scope=\"col\">This week</th>"
                   "<th scope=\"col\">Week before</th><th scope=\"col\">Change vs week before</th>"
                   "<th scope=\"col\">Baseline</th><th scope=\"col\">Change vs baseline</th></tr></thead>\n<tbody>\n",
                json_object_get_int(json_object_object_get(mean, "days")),
                json_object_get_int(json_object_object_get(mean, "days")) == 1 ? "" : "s",
                json_object_get_int(json_object_object_get(prev, "days")),
                json_object_get_int(json_object_object_get(base, "days")));
        for (size_t i = 0; i < digest_n_figures; i++) {
                DigestFigureRow row;
                digest_figure_row(model, &digest_figures[i], &row);
                fprintf(f, "<tr><th scope=\"row\">%s</th><td data-label=\"This week\"><strong>%s</strong></td>"
                           "<td data-label=\"Week before\">%s</td><td data-label=\"vs week before\">%s</td>"
                           "<td data-label=\"Baseline\">%s</td><td data-label=\"vs baseline\">%s</td></tr>\n",
                        digest_figures[i].label, row.value, row.previous, row.previous_change, row.baseline,
                        row.baseline_change);
        }
        fputs("</tbody>\n</table>\n<p class=\"note\">↑ higher or later, ↓ lower or earlier, → about the same. "
              "pp: percentage points.</p>\n</section>\n",
              f);
}

static void html_checkins_nudges(FILE *f, json_object *model) {
        json_object *mean = json_object_object_get(model, "mean"), *nudges = json_object_object_get(model, "nudges");
        int days = json_object_get_int(json_object_object_get(mean, "checkin_days"));
        double mood = digest_number(mean, "mood");
        size_t n = json_object_array_length(nudges);

        fputs("<section>\n<h2>Check-ins</h2>\n", f);
        if (days == 0)
                fputs("<p>No check-ins this week.</p>\n", f);
        else {
                char sentence[320];
                digest_checkins_sentence(model, sentence, sizeof sentence);
                fprintf(f, "<p>%s", sentence);
                if (!isnan(mood))
                        fprintf(f, " Mean mood %.1f (1 low to 5 good).", mood);
                fputs("</p>\n", f);
        }
        fputs("</section>\n<section>\n<h2>Nudges raised this week</h2>\n", f);
        if (n == 0)
                fputs("<p>None.</p>\n", f);
        else {
                fputs("<ul class=\"nudges\">\n", f);
                for (size_t i = 0; i < n; i++) {
                        json_object *x = json_object_array_get_idx(nudges, i);
                        put_html(f, "<li>%s, <strong>%s</strong>: %s <span class=\"note\">(policy %s)</span></li>\n",
                                 digest_string(x, "date"), digest_string(x, "severity"), digest_string(x, "title"),
                                 digest_string(x, "policy"));
                }
                fputs("</ul>\n", f);
        }
        fputs("</section>\n", f);
        /* After the week's own parts: in print the trend is a page of its own. */
        digest_html_trend(f, model);
}

static void html_days_table(FILE *f, json_object *days) {
        bool low = false;

        fputs("<table class=\"stack\">\n<caption>Each day of the week.</caption>\n<thead><tr><th scope=\"col\">Day</th>"
              "<th scope=\"col\">At this computer</th><th scope=\"col\">Night share</th>"
              "<th scope=\"col\">Rest window</th><th scope=\"col\">Rest length</th>"
              "<th scope=\"col\">Up–down</th><th scope=\"col\">Observed</th></tr></thead>\n<tbody>\n",
              f);
        for (size_t i = 0; i < 7; i++) {
                json_object *d = json_object_array_get_idx(days, i);
                char day[32];
                DigestDayRow row;
                digest_day_row(d, &row);
                low |= row.low;
                digest_format_day(day, sizeof day, digest_string(d, "date"), true);
                fprintf(f, "<tr><th scope=\"row\">%s</th><td data-label=\"At this computer\">%s</td>"
                           "<td data-label=\"Night share\">%s</td><td data-label=\"Rest window\">%s</td>"
                           "<td data-label=\"Rest length\">%s</td><td data-label=\"Up–down\">%s</td>"
                           "<td data-label=\"Observed\">%.0f h%s</td></tr>\n",
                        day, row.screen, row.night, row.sleep, row.sleep_len, row.active,
                        digest_number(d, "coverage_h"), row.low ? " (low)" : "");
        }
        fputs("</tbody>\n</table>\n", f);
        if (low)
                fputs("<p class=\"note\">(low): too little of the day was observed; the day is left out of "
                      "the weekly figures.</p>\n",
                      f);
}

/* A column chart of one value per day, with the baseline (NAN: none) as a
 * dashed line across it, labelled at its right. max: the top of the scale. */
static void svg_columns(FILE *f, json_object *days, const char *id, const char *title, const char *key,
                        const DigestFigure *fig, double max, double base) {
        const int w = 344, h = 170, top = 18, bottom = 150, left = 8, col = 40, end = left + 4 + 7 * col;
        char base_label[32];

        fprintf(f, "<figure>\n<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
                   "aria-labelledby=\"%s\">\n<title id=\"%s\">%s</title>\n",
                w, h, w, h, id, id, title);
        fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#404040\"/>\n", left, bottom, w - 4, bottom);
        for (size_t i = 0; i < 7; i++) {
                json_object *d = json_object_array_get_idx(days, i);
                double v = digest_number(d, key);
                char label[32], day[32];
                int x = left + 4 + (int) i * col;
                digest_format_day(day, sizeof day, digest_string(d, "date"), false);
                day[3] = '\0'; /* "Mon" */
                if (!isnan(v)) {
                        double bh = fmin(fmax(v / max, 0), 1) * (bottom - top);
                        fprintf(f, "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\" fill=\"%s\"/>\n", x,
                                bottom - bh, col - 10, bh, BAR);
                        digest_format_value(label, sizeof label, fig, v);
                        fprintf(f, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"middle\">%s</text>\n", x + (col - 10) / 2,
                                bottom - bh - 4, label);
                } else
                        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">–</text>\n", x + (col - 10) / 2,
                                bottom - 4);
                fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x + (col - 10) / 2,
                        bottom + 14, day);
        }
        if (!isnan(base)) {
                /* Dark dashes on a white line: seen on the bars and between them. */
                double y = bottom - fmin(fmax(base / max, 0), 1) * (bottom - top);
                digest_format_value(base_label, sizeof base_label, fig, base);
                fprintf(f, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ffffff\" stroke-width=\"3\"/>"
                           "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#1a1a1a\" stroke-width=\"1.5\" "
                           "stroke-dasharray=\"5 3\"/>\n<text x=\"%d\" y=\"%.1f\">baseline</text>"
                           "<text x=\"%d\" y=\"%.1f\">%s</text>\n",
                        left, y, end, y, left, y, end, y, end + 2, y - 2, end + 2, y + 11, base_label);
        }
        fprintf(f, "</svg>\n<figcaption>%s; the dashed line is the baseline (%s).</figcaption>\n</figure>\n", title,
                isnan(base) ? "none yet" : base_label);
}

/* Rest windows on a noon-to-noon axis, one bar per day, over the baseline
 * rest window (its median start to its median end) as a shaded band. */
static void svg_sleep(FILE *f, json_object *days, json_object *baseline) {
        const int w = 300, left = 34, right = 280, row = 18, top = 22;
        int base_on = digest_clock(baseline, "sleep_onset"), base_off = digest_clock(baseline, "sleep_offset");
        char usual[40] = "none yet", a[16], b[16];
        const int h = top + 7 * row + 24;
        const double scale = (right - left) / 1440.0;

        fprintf(f, "<figure>\n<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" "
                   "aria-labelledby=\"chart-sleep\">\n<title id=\"chart-sleep\">Rest window (longest break from "
                   "this computer) per night, noon to noon</title>\n",
                w, h, w, h);
        if (base_on >= 0 && base_off >= 0) {
                double x0 = left + ((base_on - 720 + 1440) % 1440) * scale,
                       x1 = left + ((base_off - 720 + 1440) % 1440) * scale;
                if (x1 < x0) /* past noon: to the end of the axis */
                        x1 = right;
                snprintf(usual, sizeof usual, "%s–%s", output_clock(a, sizeof a, base_on), output_clock(b, sizeof b, base_off));
                fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\" stroke=\"#404040\" "
                           "stroke-dasharray=\"3 2\"/>\n<text x=\"%d\" y=\"%d\">baseline rest window %s (shaded)</text>\n",
                        x0, top - 2, fmax(x1 - x0, 1), 7 * row + 2, BAND, left, top - 8, usual);
        }
        for (int t = 0; t <= 4; t++) {
                int x = left + (int) lround(t * 360 * scale);
                fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#c8c8c8\"/>\n", x, top, x,
                        top + 7 * row);
                fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%02d:00</text>\n", x, top + 7 * row + 14,
                        (12 + t * 6) % 24);
        }
        for (size_t i = 0; i < 7; i++) {
                json_object *d = json_object_array_get_idx(days, i);
                int on = digest_clock(d, "sleep_onset");
                double len = digest_number(d, "sleep_h");
                char day[32];
                int y = top + (int) i * row;
                digest_format_day(day, sizeof day, digest_string(d, "date"), false);
                day[3] = '\0';
                fprintf(f, "<text x=\"0\" y=\"%d\">%s</text>\n", y + 13, day);
                if (on < 0 || isnan(len))
                        continue;
                double x = left + ((on - 720 + 1440) % 1440) * scale;
                fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"/>\n", x, y + 3,
                        fmin(len * 60 * scale, right - x), row - 6, BAR);
        }
        fprintf(f, "</svg>\n<figcaption>Rest window per night, noon to noon: the longest break from this computer, an "
                   "upper bound on sleep (the times are in the table); shaded: the baseline rest window (%s).</figcaption>\n"
                   "</figure>\n",
                usual);
}

static void html_days(FILE *f, json_object *model) {
        json_object *days = json_object_object_get(model, "days"), *base = json_object_object_get(model, "baseline");
        double max = fmax(1, digest_number(base, "screen_h"));

        for (size_t i = 0; i < 7; i++) {
                double v = digest_number(json_object_array_get_idx(days, i), "screen_h");
                if (!isnan(v) && v > max)
                        max = v;
        }
        /* In print each level adds a page: summary 1, daily 2, hourly 3. */
        fputs("<section class=\"page\">\n<h2>Day by day</h2>\n", f);
        html_days_table(f, days);
        fputs("<div class=\"charts\">\n", f);
        svg_columns(f, days, "chart-screen", "Hours at this computer per day", "screen_h", &digest_figures[0], ceil(max),
                    digest_number(base, "screen_h"));
        svg_columns(f, days, "chart-night", "Night share of the time at this computer", "night_ratio",
                    &digest_figures[1], 1, digest_number(base, "night_ratio"));
        svg_sleep(f, days, base);
        fputs("</div>\n</section>\n", f);
}

/* Shades by active minutes, darker for more; each with its range in words. */
static const struct {
        int below;
        const char *fill, *words;
} shades[] = {
        { 1, "#ffffff", "none" },     { 15, "#d4d4d4", "1–14 min" },  { 30, "#9a9a9a", "15–29 min" },
        { 45, "#5e5e5e", "30–44 min" }, { 1000, "#1a1a1a", "45–60 min" },
};

static size_t shade_of(int minutes) {
        size_t i = 0;
        while (i + 1 < sizeof shades / sizeof shades[0] && minutes >= shades[i].below)
                i++;
        return i;
}

static void html_hours(FILE *f, json_object *model) {
        json_object *hours = json_object_object_get(model, "hours"), *days = json_object_object_get(model, "days");
        int start = digest_clock(json_object_object_get(model, "settings"), "day_start") / 60;
        const int left = 34, cw = 18, rh = 18, top = 16;
        const int w = left + 24 * cw + 4, h = top + 7 * rh + 52;

        fputs("<section class=\"page\">\n<h2>Activity by hour</h2>\n<figure>\n", f);
        fprintf(f, "<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" aria-labelledby=\"chart-hours\">\n"
                   "<title id=\"chart-hours\">Actogram: active minutes in each hour of the week</title>\n",
                w, h, w, h);
        for (int t = 0; t < 24; t += 6)
                fprintf(f, "<text x=\"%d\" y=\"%d\">%02d</text>\n", left + t * cw, top - 4, (start + t) % 24);
        for (size_t i = 0; i < 7; i++) {
                json_object *row = json_object_array_get_idx(hours, i);
                char day[32];
                int y = top + (int) i * rh;
                digest_format_day(day, sizeof day, digest_string(json_object_array_get_idx(days, i), "date"), false);
                day[3] = '\0';
                fprintf(f, "<text x=\"0\" y=\"%d\">%s</text>\n", y + 12, day);
                for (int hr = 0; hr < 24; hr++) {
                        json_object *c = json_object_array_get_idx(row, (size_t) hr);
                        int x = left + hr * cw;
                        if (!c) {
                                fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#ffffff\" "
                                           "stroke=\"#9a9a9a\" stroke-dasharray=\"2 2\"><title>%s %02d:00 not "
                                           "observed</title></rect>\n",
                                        x + 1, y + 1, cw - 2, rh - 2, day, (start + hr) % 24);
                                continue;
                        }
                        int m = json_object_get_int(c);
                        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" stroke=\"#c8c8c8\">"
                                   "<title>%s %02d:00 %d min</title></rect>\n",
                                x, y, cw, rh, shades[shade_of(m)].fill, day, (start + hr) % 24, m);
                }
        }
        int y = top + 7 * rh + 12;
        for (size_t i = 0; i < sizeof shades / sizeof shades[0]; i++) {
                int x = left + (int) i * 80;
                fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\" stroke=\"#9a9a9a\"/>"
                           "<text x=\"%d\" y=\"%d\" style=\"font-size:10px\">%s</text>\n",
                        x, y, cw, rh - 4, shades[i].fill, x + cw + 2, y + 10, shades[i].words);
        }
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#ffffff\" stroke=\"#9a9a9a\" "
                   "stroke-dasharray=\"2 2\"/><text x=\"%d\" y=\"%d\" style=\"font-size:10px\">not observed</text>\n",
                left, y + 18, cw, rh - 4, left + cw + 2, y + 28);
        fputs("</svg>\n<figcaption>Each row is a day, each cell an hour from the day start; the darker the cell, "
              "the more active minutes (legend below the chart).</figcaption>\n</figure>\n</section>\n",
              f);
}

int digest_render_html(json_object *model, DigestLevel level, const DigestOptions *o, FILE *f) {
        json_object *settings = json_object_object_get(model, "settings");

        html_head(f, model);
        html_header(f, model, level, o);
        digest_write_parts(f, model, level,
                           &(DigestParts) { .figures = html_figures, .checkins = html_checkins_nudges,
                                            .days = html_days, .hours = html_hours });
        put_html(f,
                 "</main>\n<footer>\n<p class=\"note\">At this computer: time active at this computer (not phones or "
                 "other devices), as recorded by kizuki on the person's own machine. The rest window is the longest break from this computer "
                 "around the night: an upper bound on sleep, not a sleep measure. Up and down are the first and "
                 "last activity between two rest windows. Nights run %s to %s; days start at %s.</p>\n</footer>\n"
                 "</body>\n</html>\n",
                 digest_string(settings, "night_start"), digest_string(settings, "night_end"),
                 digest_string(settings, "day_start"));
        return ferror(f) ? -EIO : 0;
}

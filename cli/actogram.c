/* The actogram that kizuki actogram and kizuki week print.
 *
 * Each hour is placed by its local hour of day, start + utc_offset: the offset
 * recorded with it, not the process's time zone. On a 25-hour day (DST ends)
 * the repeated local hour shows the larger of its two hours (active and
 * observed separately); on a 23-hour day the local hour that does not exist
 * stays blank. A missing hour is known not to exist when the two hours around
 * it are adjacent in UTC; without them it shows as not observed. */
#include "actogram.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "output.h"

#define LABEL_WIDTH 16 /* "Mon 2026-01-05  " */
#define CELL_MAX 3

typedef enum CellState {
        CELL_MISSING,     /* no hour recorded */
        CELL_RECORDED,
        CELL_NONEXISTENT, /* skipped by a DST change */
        CELL_UNFETCHED,   /* after the last day asked for (the double plot's last half row) */
} CellState;

typedef struct Cell {
        CellState state;
        int64_t active_s, observed_s;
} Cell;

static int hour_cmp(const void *a, const void *b) {
        const Hour *x = a, *y = b;
        return x->start < y->start ? -1 : x->start > y->start;
}

/* The cell of local instant t, or NULL outside the grid of n_days days. */
static Cell *grid_cell(Cell *grid, size_t n_days, int64_t first_day, int64_t t) {
        int64_t d = floor_div(t - first_day, DAY_S);
        if (d < 0 || (uint64_t) d >= n_days)
                return NULL;
        return &grid[d * 24 + (t - first_day - d * DAY_S) / 3600];
}

/* Fill the grid: n_days fetched days from first_day, then unfetched ones up to n_grid. */
static int grid_build(const Hour *hours, size_t n, int64_t first_day, size_t n_days, size_t n_grid, Cell **ret) {
        _cleanup_free_ Cell *grid = calloc(n_grid * 24, sizeof *grid);
        _cleanup_free_ Hour *sorted = NULL;

        if (!grid)
                return -ENOMEM;
        for (size_t i = n_days * 24; i < n_grid * 24; i++)
                grid[i].state = CELL_UNFETCHED;
        if (n > 0) {
                sorted = malloc(n * sizeof *sorted);
                if (!sorted)
                        return -ENOMEM;
                memcpy(sorted, hours, n * sizeof *sorted);
                qsort(sorted, n, sizeof *sorted, hour_cmp);
        }

        for (size_t i = 0; i < n; i++) {
                Cell *c = grid_cell(grid, n_days, first_day, sorted[i].start + sorted[i].utc_offset);
                if (!c)
                        continue;
                c->state = CELL_RECORDED;
                if (sorted[i].active_s > c->active_s)
                        c->active_s = sorted[i].active_s;
                if (sorted[i].observed_s > c->observed_s)
                        c->observed_s = sorted[i].observed_s;
        }
        /* Two hours adjacent in UTC whose local starts are more than an hour
         * apart: the local hours between them do not exist. */
        for (size_t i = 1; i < n; i++) {
                int64_t a = sorted[i - 1].start + sorted[i - 1].utc_offset, b = sorted[i].start + sorted[i].utc_offset;
                if (sorted[i].start - sorted[i - 1].start != 3600 || b - a <= 3600 || b - a > 4 * 3600)
                        continue;
                for (int64_t t = a + 3600; t < b; t += 3600) {
                        Cell *c = grid_cell(grid, n_days, first_day, t);
                        if (c && c->state == CELL_MISSING)
                                c->state = CELL_NONEXISTENT;
                }
        }
        *ret = TAKE_PTR(grid);
        return 0;
}

/* The glyph of a cell and its colour (NULL for none). */
static const char *cell_glyph(const Cell *c, const char **ret_ansi) {
        *ret_ansi = NULL;
        switch (c->state) {
        case CELL_NONEXISTENT:
        case CELL_UNFETCHED:
                return " ";
        case CELL_MISSING:
                *ret_ansi = ANSI_DIM;
                return output_glyph(GLYPH_MISSING);
        case CELL_RECORDED:
                break;
        }
        if (c->observed_s <= 0) {
                *ret_ansi = ANSI_DIM;
                return output_glyph(GLYPH_MISSING);
        }
        if (c->active_s <= 0)
                return " ";
        *ret_ansi = ANSI_GREEN;
        if (c->active_s < 15 * 60)
                return output_glyph(GLYPH_LIGHT);
        if (c->active_s < 30 * 60)
                return output_glyph(GLYPH_MEDIUM);
        if (c->active_s < 45 * 60)
                return output_glyph(GLYPH_DARK);
        return output_glyph(GLYPH_FULL);
}

/* The hour axis: the hour of day every 3 hours, at the first cell of that hour. */
static void print_axis(unsigned hours, unsigned width) {
        char line[2 * 24 * CELL_MAX + 8];
        size_t len = (size_t) hours * width;

        memset(line, ' ', len);
        line[len] = '\0';
        for (unsigned h = 0; h < hours; h += 3) {
                char num[4];
                int k = snprintf(num, sizeof num, "%u", h % 24);
                size_t at = (size_t) h * width;
                if (k > 0 && at + (size_t) k <= len)
                        memcpy(line + at, num, (size_t) k);
        }
        while (len > 0 && line[len - 1] == ' ')
                line[--len] = '\0';
        printf("%*s%s\n", LABEL_WIDTH, "", line);
}

/* What the glyphs mean, items wrapped (under the label's end) to fit columns. */
static void print_legend(bool color, unsigned columns) {
        static const struct {
                OutputGlyph glyph; /* _GLYPH_MAX: none */
                const char *ansi, *text;
        } items[] = {
                { GLYPH_FULL, ANSI_GREEN, "45+" },  { GLYPH_DARK, ANSI_GREEN, "30-44" },
                { GLYPH_MEDIUM, ANSI_GREEN, "15-29" }, { GLYPH_LIGHT, ANSI_GREEN, "1-14" },
                { _GLYPH_MAX, NULL, "blank 0" },    { GLYPH_MISSING, ANSI_DIM, "not observed" },
        };
        static const char label[] = "Active minutes/hour:";
        unsigned hang = (unsigned) strlen(label), col = hang;

        fputs(label, stdout);
        for (size_t i = 0; i < ELEMENTSOF(items); i++) {
                bool glyph = items[i].glyph != _GLYPH_MAX;
                unsigned sep = i == 0 ? 1 : 2, w = (unsigned) strlen(items[i].text) + (glyph ? 2 : 0);
                if (i > 0 && col + sep + w > columns) {
                        printf("\n%*s", (int) hang, "");
                        col = hang;
                        sep = 1;
                }
                printf("%*s", (int) sep, "");
                if (glyph)
                        printf("%s%s%s ", output_color(color, items[i].ansi), output_glyph(items[i].glyph),
                               output_color(color, ANSI_RESET));
                fputs(items[i].text, stdout);
                col += sep + w;
        }
        putchar('\n');
}

int actogram_print(const Ctx *ctx, const Hour *hours, size_t n, int64_t first_day, size_t n_days, bool double_plot) {
        _cleanup_free_ Cell *grid = NULL;
        unsigned per_row = double_plot ? 48 : 24, width;
        int r;

        r = grid_build(hours, n, first_day, n_days, n_days + 1, &grid);
        if (r < 0)
                return r;

        /* As wide as the terminal allows, up to CELL_MAX characters per hour. */
        width = ctx->columns > LABEL_WIDTH ? (ctx->columns - LABEL_WIDTH) / per_row : 1;
        if (width < 1)
                width = 1;
        if (width > CELL_MAX)
                width = CELL_MAX;

        print_axis(per_row, width);
        for (size_t d = 0; d < n_days; d++) {
                char label[32];
                const char *current = NULL;

                if (output_bucket_time(label, sizeof label, first_day + (int64_t) d * DAY_S, 0, "%a %Y-%m-%d") < 0)
                        return -ERANGE;
                printf("%-*s", LABEL_WIDTH, label);

                /* The row's cells, with the colour switched only where it changes and trailing blanks dropped. */
                const Cell *row = grid + d * 24;
                size_t blanks = 0;
                for (unsigned h = 0; h < per_row; h++) {
                        const char *ansi, *glyph = cell_glyph(row + h, &ansi);
                        if (!ctx->color)
                                ansi = NULL;
                        for (unsigned k = 0; k < width; k++) {
                                if (strcmp(glyph, " ") == 0) {
                                        blanks++;
                                        continue;
                                }
                                printf("%*s", (int) blanks, "");
                                blanks = 0;
                                if (ansi != current) {
                                        printf("%s%s", current ? ANSI_RESET : "", ansi ? ansi : "");
                                        current = ansi;
                                }
                                fputs(glyph, stdout);
                        }
                }
                printf("%s\n", current ? ANSI_RESET : "");
        }
        print_legend(ctx->color, ctx->columns);
        return 0;
}

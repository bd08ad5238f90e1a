/* Terminal rendering for kizuki: colour decision, terminal width, dates and
 * ISO weeks, durations, times, sizes, bars, sparklines, aligned tables and
 * JSON. Pure formatting into caller buffers, except where a function says it
 * prints or reads the clock. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "calendar.h"

#define ANSI_BOLD "\033[1m"
#define ANSI_DIM "\033[2m"
#define ANSI_RED "\033[31m"
#define ANSI_GREEN "\033[32m"
#define ANSI_YELLOW "\033[33m"
#define ANSI_CYAN "\033[36m"
#define ANSI_RESET "\033[0m"

/* Buffer sizes that always suffice. */
#define OUTPUT_DURATION_MAX 32
#define OUTPUT_TIME_MAX 40
#define OUTPUT_SIZE_MAX 32
/* A bar of width cells: 3 bytes per cell plus NUL. */
#define OUTPUT_BAR_MAX(width) ((size_t) (width) * 3 + 1)
/* "YYYY-MM-DD" and "YYYY-Www" with their NUL. */
#define OUTPUT_DATE_MAX 11
#define DAY_S INT64_C(86400)

/* Colour on stdout: it is a terminal, NO_COLOR is unset or empty, TERM is set and not "dumb". */
bool output_want_color(void);

/* The width of the terminal: $COLUMNS when it is a number (1..10000), else the
 * width of the terminal on stdout (TIOCGWINSZ), else 80. */
unsigned output_columns(void);

/* "YYYY-MM-DD" of a day in local seconds. */
int output_format_day(char *buf, size_t size, int64_t day);

/* The glyphs of the charts and arrows: Unicode, or ASCII after
 * output_set_ascii(true) (--ascii, or a locale that is not UTF-8). */
typedef enum OutputGlyph {
        GLYPH_UP,       /* ↑ ^: higher or later */
        GLYPH_DOWN,     /* ↓ v: lower or earlier */
        GLYPH_SAME,     /* → =: about the same */
        GLYPH_ELLIPSIS, /* … ...: text cut short */
        GLYPH_FULL,     /* █ #: the actogram's shades, darkest first */
        GLYPH_DARK,     /* ▓ = */
        GLYPH_MEDIUM,   /* ▒ - */
        GLYPH_LIGHT,    /* ░ . */
        GLYPH_MISSING,  /* · ~: not observed */
        _GLYPH_MAX,
} OutputGlyph;

void output_set_ascii(bool ascii);
const char *output_glyph(OutputGlyph g);

/* Whether the locale (LC_ALL, LC_CTYPE, LANG) is UTF-8. Leaves the process's
 * locale as it was. */
bool output_locale_utf8(void);

/* ansi when color is on, else "". */
const char *output_color(bool color, const char *ansi);

/* "2h 05m", "16h", "45m", "30s" (whole units, rounded down; negative counts as 0). */
char *output_duration(char *buf, size_t size, int64_t seconds);

/* A signed change: "+11%", "-3 pp"; no sign when it rounds to zero ("0%").
 * kizuki week and the digest write every change this way. */
void output_signed(char *buf, size_t size, double v, int decimals, const char *unit);
/* A signed change in minutes: "+1h 05m", "+1h", "-20m", "0m". */
void output_signed_minutes(char *buf, size_t size, double minutes);

/* Hours as a duration ("7h", "5h 15m"; output_duration() of the rounded
 * seconds, "0m" under a minute), "-" for NaN. */
char *output_hours(char *buf, size_t size, double hours);

/* "HH:MM" for minutes after midnight (0..1439), "-" when negative (null). */
char *output_clock(char *buf, size_t size, int minutes);

/* "HH:MM" (00:00..23:59) → minutes after midnight. -EINVAL otherwise. */
int output_parse_clock(const char *s, int *ret);

/* "+05:30", "-03:00", "+00:00" for an offset in seconds east of UTC. */
int output_offset(char *buf, size_t size, int32_t utc_offset);

/* The local time of a bucket, from its UTC start and the offset recorded with
 * it (never the process's time zone), formatted with strftime fmt. */
int output_bucket_time(char *buf, size_t size, int64_t start, int32_t utc_offset, const char *fmt);

/* "2026-01-05T08:00:00+01:00" for a bucket. */
int output_iso8601(char *buf, size_t size, int64_t start, int32_t utc_offset);

/* An instant in the process's time zone, for times near now (pauses, consent). */
int output_local_time(char *buf, size_t size, int64_t t, const char *fmt);

/* "HH:MM" if t falls on today's local date, else "YYYY-MM-DD HH:MM". */
int output_local_when(char *buf, size_t size, int64_t t);

/* "812 B", "12.5 KiB", "3.4 MiB", "1.2 GiB". */
char *output_size(char *buf, size_t size, int64_t bytes);

/* fraction (clamped to 0..1) of width cells in Unicode eighth blocks; a
 * non-zero fraction shows at least one eighth. No padding. In ASCII: '#'
 * per cell, the last part cell '=' from a half, '-' below. */
char *output_bar(char *buf, size_t size, double fraction, unsigned width);

/* s with control characters (C0, DEL, C1) replaced by '?', truncated to fit:
 * for strings that came from the daemon. Returns buf. */
const char *output_safe(char *buf, size_t size, const char *s);

/* s made safe (as output_safe()) and cut to at most cells display cells,
 * ending in "…" when it was cut. Returns buf. */
const char *output_truncate(char *buf, size_t size, const char *s, unsigned cells);

/* Prose is wrapped at most this wide, however wide the terminal. */
#define OUTPUT_PROSE_MAX 80u

/* The width to wrap prose at on a terminal of columns cells. */
static inline unsigned output_prose_columns(unsigned columns) {
        return columns < OUTPUT_PROSE_MAX ? columns : OUTPUT_PROSE_MAX;
}

/* text word-wrapped on f, for text from the daemon: control characters show
 * as '?', runs of whitespace (newlines too) as one space. The first line
 * starts with indent spaces and prefix, the others with indent spaces and as
 * many more as prefix is wide; lines are at most columns cells (at least 20
 * cells of text) unless a word is longer; a number and its unit ("29 %",
 * "7.7 h", "+18 pp") stay on one line. Prints nothing for empty text. */
int output_wrap(FILE *f, unsigned indent, const char *prefix, const char *text, unsigned columns);

/* text word-wrapped as by output_wrap(), continuing a line that has reached
 * cell col: a space, the words, continuation lines from cell 0 (lines of at
 * least 20 cells). */
int output_wrap_on(FILE *f, unsigned col, const char *text, unsigned columns);

/* One of ▁▂▃▄▅▆▇█ (in ASCII _.:-=+*#) for fraction 0..1 (clamped), " " for NaN. */
const char *output_spark(double fraction);

/* Display cells of UTF-8 text: code points (every glyph kizuki prints is one cell wide). */
size_t output_width(const char *s);

/* A JSON number for a finite double: the shortest text that reads back as
 * exactly v, with ".0" when it would look integral ("7.0", "5.25", "0.12").
 * NULL (JSON null) for NaN and infinities, and when out of memory. */
json_object *output_json_double(double v);

/* Pretty JSON (two-space indent, no "\/") and a newline on stdout. */
int output_json(json_object *o);

/* Aligned tables: columns are sized to their widest cell, two spaces apart.
 * Columns whose cells are all empty are left out; then, while the table is
 * wider than the terminal, the columns with the highest nonzero drop rank. */
typedef struct OutputColumn {
        const char *header;
        bool right;    /* right-aligned */
        unsigned drop; /* 0: always shown; else left out (highest first) to fit */
} OutputColumn;

typedef struct OutputTable OutputTable;

/* cols is borrowed and must outlive the table. */
int output_table_new(const OutputColumn *cols, size_t n_cols, OutputTable **ret);
OutputTable *output_table_free(OutputTable *t);
static inline void output_table_freep(OutputTable **t) {
        output_table_free(*t);
}

/* Start a row; ansi (NULL for none) colours its cells that have no colour of their own. */
int output_table_row(OutputTable *t, const char *ansi);

/* Set a cell of the last row; ansi as for rows. */
int output_table_cell(OutputTable *t, size_t col, const char *ansi, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));

/* Whether column col is shown when the table is printed within columns
 * cells: 1 or 0 (-ENOMEM, -EINVAL for no such column). For text that
 * describes a column that may be left out. */
int output_table_shown(const OutputTable *t, size_t col, unsigned columns);

/* Print the header (bold) and the rows; colours only when color. */
int output_table_print(const OutputTable *t, FILE *f, bool color, unsigned columns);

/* Terminal rendering for kizuki: colour decision, durations, times, sizes,
 * bars and JSON. Pure formatting into caller buffers, except output_json(). */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ANSI_BOLD "\033[1m"
#define ANSI_DIM "\033[2m"
#define ANSI_RED "\033[31m"
#define ANSI_GREEN "\033[32m"
#define ANSI_YELLOW "\033[33m"
#define ANSI_RESET "\033[0m"

/* Buffer sizes that always suffice. */
#define OUTPUT_DURATION_MAX 32
#define OUTPUT_TIME_MAX 40
#define OUTPUT_SIZE_MAX 32
/* A bar of width cells: 3 bytes per cell plus NUL. */
#define OUTPUT_BAR_MAX(width) ((size_t) (width) * 3 + 1)

/* Colour on stdout: it is a terminal, NO_COLOR is unset or empty, TERM is set and not "dumb". */
bool output_want_color(void);

/* ansi when color is on, else "". */
const char *output_color(bool color, const char *ansi);

/* "2h 05m", "16h", "45m", "30s" (whole units, rounded down; negative counts as 0). */
char *output_duration(char *buf, size_t size, int64_t seconds);

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
 * non-zero fraction shows at least one eighth. No padding. */
char *output_bar(char *buf, size_t size, double fraction, unsigned width);

/* s with control characters (C0, DEL, C1) replaced by '?', truncated to fit:
 * for strings that came from the daemon. Returns buf. */
const char *output_safe(char *buf, size_t size, const char *s);

/* Pretty JSON (two-space indent, no "\/") and a newline on stdout. */
int output_json(json_object *o);

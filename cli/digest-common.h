/* The bottom of the CLI's digest: what the renderers (digest-text.c,
 * digest-json.c, digest-html.c, digest-fhir.c) share. Checking a model from
 * kizukid, reading it, the weekly figures it shows, the wording of values,
 * changes, days and the headline, and the order of the body's parts. Pure:
 * no clock, no I/O of its own (the parts write through the renderer's
 * functions); it includes no other digest file of the CLI. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "digest-model.h"

typedef struct DigestOptions {
        const char *patient_id;   /* FHIR Patient reference id chosen by the person; NULL: "kizuki-person" */
        const char *patient_name; /* only when the person entered one; NULL: no name anywhere */
} DigestOptions;

typedef enum DigestKind {
        DIGEST_KIND_HOURS, /* hours: change in percent */
        DIGEST_KIND_SHARE, /* 0..1: shown in percent, change in percentage points */
        DIGEST_KIND_TIME,  /* a time of day "HH:MM": change in minutes, ↑ later */
        DIGEST_KIND_INDEX, /* a rhythm figure: change in percent */
        DIGEST_KIND_CLOCK, /* minutes after the day's 00:00 that may pass midnight (up,
                            * down): shown as a time of day, change in minutes, ↑ later */
        DIGEST_KIND_POINTS, /* a score (SRI, -100..100): change in points */
        DIGEST_KIND_OFFSET, /* a signed duration in hours (social jet lag): change in minutes */
} DigestKind;

/* The values a figure of this kind can take: hours 0..25 a day (a day of 25
 * hours in autumn), shares 0..1, indices 0..2, clock -1440..2880 minutes,
 * points -100..100, offsets -24..24 h, a time of day 0..1440 minutes (written
 * "HH:MM"). digest_check() refuses a model with any figure outside it (one
 * with a screen time of 1e308 h a day is not one kizukid made), so the
 * renderers need no bounds of their own. */
void digest_kind_range(DigestKind kind, double *lo, double *hi);

typedef struct DigestFigure {
        const char *key;   /* in Figures and Day */
        const char *label; /* for people */
        DigestKind kind;
} DigestFigure;

/* The weekly figures a digest shows, in order. */
extern const DigestFigure digest_figures[];
extern const size_t digest_n_figures;

/* Check that model is a digest this CLI can render: the schema, the level,
 * week/from/to, the three Figures, the nudges, and the days and hours that
 * the level has (and only those). -EBADMSG otherwise. *ret_level: its level. */
int digest_check(json_object *model, DigestLevel *ret_level);

/* A number of o (NAN when null or absent), a time of day "HH:MM" (minutes,
 * -1 when null), a string (NULL when null). Valid after digest_check(). */
double digest_number(json_object *o, const char *key);
int digest_clock(json_object *o, const char *key);
const char *digest_string(json_object *o, const char *key);
/* A figure's value as a number: times of day as minutes, NAN for null. */
double digest_value(json_object *o, const DigestFigure *f);

/* The value as shown: "7.1 h", "31 %", "23:40", "0.62"; "–" for null. */
void digest_format_value(char *buf, size_t size, const DigestFigure *f, double v);
/* The change from ref to v, arrow and signed value in one notation: "↑ +22 %",
 * "↓ -3 pp", "↑ +1h 05m", "↓ -20m", "→ -2 %" (→: about the same); ""
 * when either is null. */
void digest_format_change(char *buf, size_t size, const DigestFigure *f, double v, double ref);
/* One figure's row of the weekly table, as shown: this week, the week before
 * and the change from it, the baseline and the change from it. */
typedef struct DigestFigureRow {
        char value[32], previous[32], previous_change[40], baseline[32], baseline_change[40];
} DigestFigureRow;
void digest_figure_row(json_object *model, const DigestFigure *f, DigestFigureRow *ret);
/* One day's row of the day by day table, as shown: screen time, night share,
 * rest window ("00:30–07:45", "–" when unknown) and length, up to down (the
 * waking day); low when too little of the day was observed. */
typedef struct DigestDayRow {
        char screen[32], night[32], sleep[40], sleep_len[32], active[40];
        bool low;
} DigestDayRow;
void digest_day_row(json_object *day, DigestDayRow *ret);
/* The signals of the model's trend (trend.weeks[], trend.usual) and
 * headline, in order: screen_h, night_ratio, sleep_mid, sleep_h, sri. */
extern const DigestFigure digest_trend_figures[];
extern const size_t digest_n_trend_figures;
/* The trend figure named key, NULL when there is none. */
const DigestFigure *digest_trend_figure(const char *key);

/* The model's trend.usual of the trend figure key: {median, low, high,
 * spread, days}; NULL when absent. */
json_object *digest_usual(json_object *model, const char *key);
/* One entry of the model's "headline" in words, what is measured named as
 * kizuki sees it (one computer; the rest window is not sleep), a sentence
 * without its full stop, plain text without markup (UTF-8, no glyph that
 * depends on --ascii): "The rest window about 3½ h later than usual (its
 * middle at 07:34, usually 04:00)", "About 2 h more a day at this computer
 * than usual (9.1 h, usually 7.3 h)", "Far more of the time at this computer
 * at night than usual (29 %, usually 0 %)" ("far": a score of 3 or more).
 * "" for an entry that is not a headline entry (digest_check() accepts only
 * those). */
void digest_headline_words(json_object *entry, char *buf, size_t size);
/* The person's usual range of a trend figure in words: "usually 6.0–7.8 h",
 * "usually 02:53–05:30", "usually 0–1 %"; "no usual range yet" when the
 * model has none. */
void digest_usual_words(json_object *model, const DigestFigure *f, char *buf, size_t size);
/* The digest's headline, a sentence without its full stop: the headline
 * entries in words (digest_headline_words(), joined by "; "); without any,
 * why ("Nothing far from usual", "No usual range yet to compare with", "Too
 * few days to compare with usual") and the week in brief: ": at this
 * computer 7.1 h a day, 31 % of it at night". */
void digest_headline(json_object *model, char *buf, size_t size);
/* "Checked in on 3 days. Went out: yes on 1 of 2 days answered (1 day not
 * answered). Met someone: …" — per question, of the days answered; a day not
 * answered is unknown, never "no". Plain text without markup. */
void digest_checkins_sentence(json_object *model, char *buf, size_t size);
/* "Mon 2026-03-23" for "2026-03-23"; "" when malformed. */
void digest_format_day(char *buf, size_t size, const char *date, bool with_year);

/* How a renderer writes each part of the digest's body. */
typedef struct DigestParts {
        void (*figures)(FILE *f, json_object *model);
        void (*checkins)(FILE *f, json_object *model); /* with the nudges when nudges is NULL */
        void (*nudges)(FILE *f, json_object *model);
        void (*days)(FILE *f, json_object *model);
        void (*hours)(FILE *f, json_object *model);
} DigestParts;
/* The body of a digest of this level, in order: the figures, check-ins and
 * nudges; the days from the daily level up; the hours at the hourly level. */
void digest_write_parts(FILE *f, json_object *model, DigestLevel level, const DigestParts *parts);

/* kizuki, the CLI: the command table and what commands share.
 *
 * Each command is an entry in its own cli/cmd-*.c; cli/kizuki.c holds the
 * table, parses the global options, looks the command up and maps the result
 * of exec() to the exit status: ≥ 0 → 0, usage error → 2, other failure → 1.
 * A command prints its own errors (once, where it decides) before returning. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "command.h"
#include "output.h"
#include "protocol.h"

extern const Command cmd_status;
extern const Command cmd_consent;
extern const Command cmd_pause;
extern const Command cmd_resume;
extern const Command cmd_hint;
extern const Command cmd_hours;
extern const Command cmd_days;
extern const Command cmd_week;
extern const Command cmd_actogram;
extern const Command cmd_import;
extern const Command cmd_checkin;
extern const Command cmd_policy;
extern const Command cmd_nudges;
extern const Command cmd_nudge;
extern const Command cmd_explain;
extern const Command cmd_reload;
extern const Command cmd_digest;
extern const Command cmd_recipients;
extern const Command cmd_share;
extern const Command cmd_shares;
extern const Command cmd_privacy;
extern const Command cmd_export;
extern const Command cmd_forget;

/* Data the daemon sends, checked, and what several commands render from it. */

/* An Hour of the interface. */
typedef struct Hour {
        int64_t start;
        int32_t utc_offset;
        int64_t active_s;
        int64_t observed_s;
} Hour;

/* A Day of the interface. Figures NAN and times of day (minutes after local
 * midnight) -1 where null; check-ins -1 where not answered. */
typedef struct Day {
        char date[11];
        int64_t day; /* local seconds of its 00:00 */
        double screen_h, night_ratio, sleep_h, coverage_h, is, iv, ra, l5, m10;
        int first_active, last_active, sleep_onset, sleep_offset, sleep_mid, l5_onset, m10_onset;
        bool low_coverage;
        int went_out, met_someone, mood;
} Day;

/* cmd-hours.c: the array `key` of Hour objects in reply, checked and copied
 * (*ret malloc'ed, NULL when empty). Says so on stderr when it is malformed. */
int hours_parse(json_object *reply, const char *key, Hour **ret, size_t *ret_n);

/* cmd-hours.c: {"hours":[{"start":"2026-01-05T08:00:00+01:00","active_s":…,"observed_s":…}, …]} on stdout. */
int hours_print_json(const Hour *hours, size_t n);

/* cmd-days.c: the array `key` of Day objects in reply, checked and copied.
 * Says so on stderr when it is malformed. */
int days_parse(json_object *reply, const char *key, Day **ret, size_t *ret_n);

/* cmd-days.c: the days as an aligned table on stdout (rhythm: with IS, IV, RA),
 * low-coverage days marked, and a footnote when there are any. */
int days_print_table(const Ctx *ctx, const Day *days, size_t n, bool rhythm);

/* cmd-actogram.c: an actogram of n_days days from first_day (local seconds) on
 * stdout: one row per day, optionally double-plotted, fitted to ctx->columns. */
int actogram_print(const Ctx *ctx, const Hour *hours, size_t n, int64_t first_day, size_t n_days, bool double_plot);

/* A Nudge of the interface. Strings are borrowed from the reply it was parsed
 * from; step NULL when null; figures NAN where null; snoozed_until -1 when
 * null; helpful -1 (not said), 0 or 1. */
typedef struct Nudge {
        int64_t id, raised_at, snoozed_until;
        const char *policy, *date, *severity, *title, *body, *step, *rule, *state;
        double value, baseline, score;
        int helpful;
} Nudge;

/* cmd-nudges.c: one Nudge object, checked. -EBADMSG when malformed. */
int nudge_parse(json_object *o, Nudge *ret);

/* cmd-nudges.c: GetNudges(all). *ret_reply is the reply (owned by the caller;
 * the nudges borrow from it), *ret the nudges (malloc'ed, NULL when none).
 * Errors, a malformed reply included, are said on stderr. */
int nudges_fetch(const Ctx *ctx, bool all, json_object **ret_reply, Nudge **ret, size_t *ret_n);

/* cmd-nudges.c: "#12  2026-03-10  concern  Title" on stdout after indent
 * spaces, the severity coloured (concern bold red, notice yellow) and the
 * title cut to fit ctx->columns. */
void nudge_print_line(const Ctx *ctx, const Nudge *n, unsigned indent);

/* cmd-reload.c: the problems (policy files that did not parse) of a Reload or
 * EvalPolicies reply, one a line on stderr. Returns their number (0 when the
 * reply has none) and in *ret_files the number of files they name, or
 * -EBADMSG for a malformed list. */
int problems_print(json_object *reply, size_t *ret_files);

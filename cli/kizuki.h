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

#include "output.h"
#include "protocol.h"


typedef struct Ctx {
        const char *socket_path; /* --socket, else $KIZUKI_SOCKET, else the default */
        bool color;              /* colour on stdout: --color, else tty, NO_COLOR unset, TERM not dumb */
        unsigned columns;        /* terminal width, for commands that fit their output to it */
        bool json;               /* the running command was asked for --json */
        bool usage_error;        /* set by cmd_usage_error(): exit status 2 */
} Ctx;

typedef struct Command {
        const char *name;
        const char *alias;   /* another exact name, or NULL */
        const char *usage;   /* arguments after the name, "" when none */
        const char *summary; /* one line for the command list */
        const char *help;    /* option lines for "kizuki CMD --help", or NULL */
        int min_args, max_args; /* positional arguments after options; max < 0: no limit */
        int (*exec)(const struct Command *cmd, int argc, char **argv, Ctx *ctx);
} Command;

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

/* "Usage: kizuki NAME USAGE" on f. */
void cmd_print_usage(const Command *cmd, FILE *f);

/* The full help of a command on stdout. Returns 0. */
int cmd_print_help(const Command *cmd);

/* Report a wrong command line: "kizuki NAME: message" (when fmt is not NULL)
 * and the usage line, on stderr. Marks ctx for exit status 2; returns -EINVAL. */
int cmd_usage_error(const Command *cmd, Ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Check the number of positional arguments against the entry. */
int cmd_check_args(const Command *cmd, Ctx *ctx, int n);

/* output_parse_day() for a command's date argument (NULL: today), reporting a
 * bad date as a usage error and a failing clock once, on stderr. */
int cmd_parse_day(const Command *cmd, Ctx *ctx, const char *arg, char ret_date[static OUTPUT_DATE_MAX],
                  int64_t *ret_day);

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

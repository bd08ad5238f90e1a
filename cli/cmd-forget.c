/* kizuki forget --all | --before DATE | --from DATE --to DATE [--yes]
 * [--dry-run] [--include-share-log] [--json]: delete for real (Forget), after
 * saying how much and asking on a terminal, and say what was removed; or with
 * --dry-run only say what would be. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "kizuki.h"
#include "macro.h"
#include "output.h"

/* "yes" on the terminal: 1; anything else or end of input: 0. */
static int forget_ask(const char *what) {
        char line[64];

        printf("This deletes %s for good; it cannot be undone.\n"
               "Save a copy first with 'kizuki export' if you may want it back.\n"
               "Type 'yes' to delete: ",
               what);
        fflush(stdout);
        if (!fgets(line, sizeof line, stdin))
                return 0;
        line[strcspn(line, "\r\n")] = '\0';
        return strcasecmp(line, "yes") == 0;
}

static int format_day(char *buf, size_t size, int64_t day) {
        time_t t = (time_t) day;
        struct tm tm;

        if (!gmtime_r(&t, &tm) || strftime(buf, size, "%Y-%m-%d", &tm) == 0)
                return -ERANGE;
        return 0;
}

static const char *plural(int64_t n, const char *one, const char *many) {
        return n == 1 ? one : many;
}

/* The counts of a Forget reply, in the order of keys. */
static const char *const forget_keys[] = { "buckets", "checkins", "nudges", "consents", "shares", "meta" };
enum { FORGET_KEYS = ELEMENTSOF(forget_keys), FORGET_TEXT_MAX = 320 };

/* "5 hours, 1 check-in, 0 nudges[, ...]" of the counts into buf: the kinds
 * asked for (consent and daemon state with --all, the share log with
 * --include-share-log), and the files of damaged databases set aside. */
static void forget_counts(char *buf, size_t size, const int64_t counts[static FORGET_KEYS], bool all, bool shares,
                          int64_t set_aside) {
        size_t n = 0;
#define ADD(...) (n += (size_t) snprintf(buf + n, n < size ? size - n : 0, __VA_ARGS__))
        ADD("%" PRId64 " %s, %" PRId64 " %s, %" PRId64 " %s", counts[0], plural(counts[0], "hour", "hours"), counts[1],
            plural(counts[1], "check-in", "check-ins"), counts[2], plural(counts[2], "nudge", "nudges"));
        if (all)
                ADD(", %" PRId64 " consent %s and %" PRId64 " daemon %s", counts[3],
                    plural(counts[3], "record", "records"), counts[5], plural(counts[5], "value", "values"));
        if (shares)
                ADD(", %" PRId64 " share log %s", counts[4], plural(counts[4], "entry", "entries"));
        if (all && set_aside > 0)
                ADD(", and %" PRId64 " %s of damaged databases set aside", set_aside,
                    plural(set_aside, "file", "files"));
#undef ADD
}

/* Forget with params (and dry_run): its reply, and in how_much what it
 * deleted, or would, as forget_counts() says it. */
static int forget_call(const Ctx *ctx, json_object *params, bool dry_run, bool all, bool shares,
                       char how_much[static FORGET_TEXT_MAX], json_object **ret_reply) {
        int64_t counts[FORGET_KEYS], set_aside = 0;
        int r;

        if (dry_run && json_object_object_add(params, "dry_run", json_object_new_boolean(true)) < 0)
                return -ENOMEM;
        r = client_invoke(ctx->socket_path, KIZUKI_NAME("Forget"), params, ret_reply);
        json_object_object_del(params, "dry_run");
        if (r < 0)
                return r;
        for (size_t i = 0; i < FORGET_KEYS; i++)
                if (client_get_int(*ret_reply, forget_keys[i], &counts[i]) < 0 || counts[i] < 0) {
                        fprintf(stderr, "kizuki: kizukid sent a malformed answer to Forget\n");
                        return -EBADMSG;
                }
        (void) client_get_int(*ret_reply, "set_aside_files", &set_aside);
        forget_counts(how_much, FORGET_TEXT_MAX, counts, all, shares, set_aside);
        return 0;
}

enum { OPT_BEFORE = 256, OPT_FROM, OPT_TO, OPT_SHARES, OPT_DRY_RUN };

typedef struct ForgetArgs {
        const char *before, *from, *to;
        bool all, yes, shares, dry_run;
} ForgetArgs;

static const CmdOption forget_options[] = {
        CMD_OPTION("all", 'a', CMD_SHORT | CMD_STORE, .offset = offsetof(ForgetArgs, all),
                   CMD_HELP("--all", "Everything: hours, check-ins, nudges, consent (recording\n"
                                     "stops at once) and daemon state. Not the share log unless\n"
                                     "--include-share-log.")),
        CMD_OPTION_STRING("before", OPT_BEFORE, ForgetArgs, before,
                          CMD_HELP("--before DATE", "Hours, check-ins and nudges of local days before DATE.")),
        CMD_OPTION_STRING("from", OPT_FROM, ForgetArgs, from,
                          CMD_HELP("--from DATE --to DATE", "Those of the local days DATE to DATE, both included.")),
        CMD_OPTION_STRING("to", OPT_TO, ForgetArgs, to),
        CMD_OPTION_BOOL("include-share-log", OPT_SHARES, ForgetArgs, shares,
                        CMD_HELP("--include-share-log", "Also the share log (with a range: the shares sent in it).")),
        CMD_OPTION("yes", 'y', CMD_SHORT | CMD_STORE, .offset = offsetof(ForgetArgs, yes),
                   CMD_HELP("-y, --yes", "Do not ask (needed when not on a terminal).")),
        CMD_OPTION_BOOL("dry-run", OPT_DRY_RUN, ForgetArgs, dry_run,
                        CMD_HELP("--dry-run", "Only say what would be deleted; delete nothing.")),
        CMD_OPTION("json", CMD_OPT_JSON, CMD_SHORT, CMD_HELP("--json", "Print the counts as JSON.")),
        {},
};

static int forget_exec(const Command *cmd, Ctx *ctx) {
        _cleanup_json_ json_object *params = NULL, *reply = NULL;
        const ForgetArgs *args = ctx->userdata;
        char from_date[OUTPUT_DATE_MAX], to_date[OUTPUT_DATE_MAX], what[160], how_much[FORGET_TEXT_MAX];
        int64_t day;
        int r;

        if (args->all + (args->before != NULL) + (args->from != NULL || args->to != NULL) != 1)
                return cmd_usage_error(cmd, ctx, "say what to forget: --all, --before DATE, or --from DATE --to DATE");
        if ((args->from != NULL) != (args->to != NULL))
                return cmd_usage_error(cmd, ctx, "--from and --to go together");

        params = json_object_new_object();
        if (!params)
                return -ENOMEM;
        if (args->all) {
                snprintf(what, sizeof what, "everything kizuki stored, consent included%s",
                         args->shares ? ", and the share log" : " (the share log stays)");
                json_object_object_add(params, "all", json_object_new_boolean(true));
        } else if (args->before) {
                r = cmd_parse_day(cmd, ctx, args->before, from_date, &day);
                if (r < 0)
                        return r;
                if (format_day(to_date, sizeof to_date, day - DAY_S) < 0)
                        return cmd_usage_error(cmd, ctx, "--before: date out of range");
                snprintf(what, sizeof what, "all hours, check-ins and nudges before %s%s", from_date,
                         args->shares ? ", and the shares sent before then" : "");
                json_object_object_add(params, "to", json_object_new_string(to_date));
        } else {
                int64_t d_from, d_to;
                r = cmd_parse_day(cmd, ctx, args->from, from_date, &d_from);
                if (r >= 0)
                        r = cmd_parse_day(cmd, ctx, args->to, to_date, &d_to);
                if (r < 0)
                        return r;
                if (d_from > d_to)
                        return cmd_usage_error(cmd, ctx, "--from %s is after --to %s", from_date, to_date);
                snprintf(what, sizeof what, "the hours, check-ins and nudges of %s to %s%s", from_date, to_date,
                         args->shares ? ", and the shares sent in those days" : "");
                json_object_object_add(params, "from", json_object_new_string(from_date));
                json_object_object_add(params, "to", json_object_new_string(to_date));
        }
        if (args->shares)
                json_object_object_add(params, "include_share_log", json_object_new_boolean(true));

        if (args->dry_run) {
                r = forget_call(ctx, params, true, args->all, args->shares, how_much, &reply);
                if (r < 0 || ctx->json)
                        return r < 0 ? r : output_json(reply);
                printf("Would delete %s (%s). Nothing was deleted.\n", how_much, what);
                return 0;
        }
        if (!args->yes) {
                if (!isatty(STDIN_FILENO)) {
                        fprintf(stderr, "kizuki forget: this deletes %s.\n"
                                        "It needs your answer on a terminal, or --yes. Nothing was deleted.\n",
                                what);
                        return -ENOTTY;
                }
                /* How much, before asking: the daemon counts what it would delete. */
                r = forget_call(ctx, params, true, args->all, args->shares, how_much, &reply);
                if (r < 0)
                        return r;
                json_object_put(TAKE_PTR(reply));
                printf("Stored there: %s.\n", how_much);
                if (!forget_ask(what)) {
                        printf("Nothing was deleted.\n");
                        return -ECANCELED;
                }
        }

        r = forget_call(ctx, params, false, args->all, args->shares, how_much, &reply);
        if (r < 0 || ctx->json)
                return r < 0 ? r : output_json(reply);
        printf("Deleted %s.\nThe database was vacuumed and its write-ahead log truncated: the deleted rows are gone "
               "from disk.\n",
               how_much);
        if (args->all)
                printf("Consent is gone too, so nothing is recorded until you run 'kizuki consent grant' again.\n");
        return 0;
}

COMMAND(forget,
        .usage = "--all | --before DATE | --from DATE --to DATE [OPTION]...",
        .summary = "Delete stored data for real",
        .help_after = "DATE: YYYY-MM-DD, today, yesterday, -Nd, -Nw, this-week or last-week.\n"
                "Deleting is for real: SQLite's secure_delete, a WAL checkpoint, VACUUM and\n"
                "another checkpoint. Save a copy first with 'kizuki export'.\n",
        .options = forget_options,
        CMD_USERDATA(ForgetArgs));

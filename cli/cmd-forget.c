/* kizuki forget --all | --before DATE | --from DATE --to DATE [--yes]
 * [--include-share-log] [--json]: delete for real (Forget), after asking on a
 * terminal, and say what was removed. */
#include <errno.h>
#include <getopt.h>
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

static int forget_exec(const Command *cmd, int argc, char **argv, Ctx *ctx) {
        enum { OPT_BEFORE = 256, OPT_FROM, OPT_TO, OPT_SHARES };
        static const struct option options[] = {
                { "all", no_argument, NULL, 'a' },
                { "before", required_argument, NULL, OPT_BEFORE },
                { "from", required_argument, NULL, OPT_FROM },
                { "to", required_argument, NULL, OPT_TO },
                { "include-share-log", no_argument, NULL, OPT_SHARES },
                { "yes", no_argument, NULL, 'y' },
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        _cleanup_json_ json_object *params = NULL, *reply = NULL;
        const char *before = NULL, *from = NULL, *to = NULL;
        char from_date[OUTPUT_DATE_MAX], to_date[OUTPUT_DATE_MAX], what[160];
        bool all = false, yes = false, shares = false;
        int64_t day, counts[6];
        int c, r;

        while ((c = getopt_long(argc, argv, "ayjh", options, NULL)) >= 0)
                switch (c) {
                case 'a':
                        all = true;
                        break;
                case OPT_BEFORE:
                        before = optarg;
                        break;
                case OPT_FROM:
                        from = optarg;
                        break;
                case OPT_TO:
                        to = optarg;
                        break;
                case OPT_SHARES:
                        shares = true;
                        break;
                case 'y':
                        yes = true;
                        break;
                case 'j':
                        ctx->json = true;
                        break;
                case 'h':
                        return cmd_print_help(cmd);
                default:
                        return cmd_usage_error(cmd, ctx, NULL);
                }
        r = cmd_check_args(cmd, ctx, argc - optind);
        if (r < 0)
                return r;
        if (all + (before != NULL) + (from != NULL || to != NULL) != 1)
                return cmd_usage_error(cmd, ctx, "say what to forget: --all, --before DATE, or --from DATE --to DATE");
        if ((from != NULL) != (to != NULL))
                return cmd_usage_error(cmd, ctx, "--from and --to go together");

        params = json_object_new_object();
        if (!params)
                return -ENOMEM;
        if (all) {
                snprintf(what, sizeof what, "everything kizuki stored, consent included%s",
                         shares ? ", and the share log" : " (the share log stays)");
                json_object_object_add(params, "all", json_object_new_boolean(true));
        } else if (before) {
                if (output_parse_day(before, from_date, &day) < 0)
                        return cmd_usage_error(cmd, ctx, "--before: not a date (YYYY-MM-DD): '%s'", before);
                if (format_day(to_date, sizeof to_date, day - DAY_S) < 0)
                        return cmd_usage_error(cmd, ctx, "--before: date out of range");
                snprintf(what, sizeof what, "all hours, check-ins and nudges before %s%s", from_date,
                         shares ? ", and the shares sent before then" : "");
                json_object_object_add(params, "to", json_object_new_string(to_date));
        } else {
                int64_t d_from, d_to;
                if (output_parse_day(from, from_date, &d_from) < 0)
                        return cmd_usage_error(cmd, ctx, "--from: not a date (YYYY-MM-DD): '%s'", from);
                if (output_parse_day(to, to_date, &d_to) < 0)
                        return cmd_usage_error(cmd, ctx, "--to: not a date (YYYY-MM-DD): '%s'", to);
                if (d_from > d_to)
                        return cmd_usage_error(cmd, ctx, "--from %s is after --to %s", from_date, to_date);
                snprintf(what, sizeof what, "the hours, check-ins and nudges of %s to %s%s", from_date, to_date,
                         shares ? ", and the shares sent in those days" : "");
                json_object_object_add(params, "from", json_object_new_string(from_date));
                json_object_object_add(params, "to", json_object_new_string(to_date));
        }
        if (shares)
                json_object_object_add(params, "include_share_log", json_object_new_boolean(true));

        if (!yes) {
                if (!isatty(STDIN_FILENO)) {
                        fprintf(stderr, "kizuki forget: this deletes %s.\n"
                                        "It needs your answer on a terminal, or --yes. Nothing was deleted.\n",
                                what);
                        return -ENOTTY;
                }
                if (!forget_ask(what)) {
                        printf("Nothing was deleted.\n");
                        return -ECANCELED;
                }
        }

        r = client_invoke(ctx->socket_path, KIZUKI_NAME("Forget"), params, &reply);
        if (r < 0)
                return r;
        static const char *const keys[] = { "buckets", "checkins", "nudges", "consents", "shares", "meta" };
        for (size_t i = 0; i < ELEMENTSOF(keys); i++)
                if (client_get_int(reply, keys[i], &counts[i]) < 0 || counts[i] < 0) {
                        fprintf(stderr, "kizuki: kizukid sent a malformed answer to Forget\n");
                        return -EBADMSG;
                }
        if (ctx->json)
                return output_json(reply);

        printf("Deleted %" PRId64 " %s, %" PRId64 " %s, %" PRId64 " %s", counts[0],
               plural(counts[0], "hour", "hours"), counts[1], plural(counts[1], "check-in", "check-ins"), counts[2],
               plural(counts[2], "nudge", "nudges"));
        if (all)
                printf(", %" PRId64 " consent %s and %" PRId64 " daemon %s", counts[3],
                       plural(counts[3], "record", "records"), counts[5], plural(counts[5], "value", "values"));
        if (shares)
                printf(", %" PRId64 " share log %s", counts[4], plural(counts[4], "entry", "entries"));
        int64_t set_aside = 0;
        if (all && client_get_int(reply, "set_aside_files", &set_aside) >= 0 && set_aside > 0)
                printf(", and %" PRId64 " %s of damaged databases set aside", set_aside,
                       plural(set_aside, "file", "files"));
        printf(".\nThe database was vacuumed and its write-ahead log truncated: the deleted rows are gone "
               "from disk.\n");
        if (all)
                printf("Consent is gone too, so nothing is recorded until you run 'kizuki consent grant' again.\n");
        return 0;
}

const Command cmd_forget = {
        .name = "forget",
        .usage = "--all | --before DATE | --from DATE --to DATE [OPTION]...",
        .summary = "Delete stored data for real",
        .help = "  --all                 Everything: hours, check-ins, nudges, consent (recording\n"
                "                        stops at once) and daemon state. Not the share log unless\n"
                "                        --include-share-log.\n"
                "  --before DATE         Hours, check-ins and nudges of local days before DATE.\n"
                "  --from DATE --to DATE Those of the local days DATE to DATE, both included.\n"
                "  --include-share-log   Also the share log (with a range: the shares sent in it).\n"
                "  -y, --yes             Do not ask (needed when not on a terminal).\n"
                "  --json                Print the counts as JSON.\n"
                "DATE is YYYY-MM-DD, today or yesterday. Deleting is for real: SQLite's secure_delete,\n"
                "a WAL checkpoint, VACUUM and another checkpoint. Save a copy first with 'kizuki export'.\n",
        .min_args = 0,
        .max_args = 0,
        .exec = forget_exec,
};

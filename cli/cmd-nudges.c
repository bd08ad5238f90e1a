/* kizuki nudges [--all] [--json]: the nudges policies raised (GetNudges).
 * kizuki nudge ack ID | snooze DURATION ID | dismiss ID [--helpful yes|no]:
 * act on one (NudgeAction). Also the parser and the one-line form of a nudge
 * that kizuki status and kizuki explain share. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "config.h"
#include "kizuki.h"
#include "macro.h"
#include "nudge-view.h"
#include "output.h"

#define SNOOZE_MIN_S INT64_C(60)
#define SNOOZE_MAX_S (30 * INT64_C(86400))

/* "Tue 14:00" within a week from now, else "2026-03-12 14:00". */
static int format_until(char *buf, size_t size, int64_t t) {
        int64_t now = (int64_t) time(NULL);
        return output_local_time(buf, size, t, t >= now && t - now < 6 * 86400 ? "%a %H:%M" : "%Y-%m-%d %H:%M");
}

static void nudge_print_state(const Nudge *n) {
        char when[OUTPUT_TIME_MAX], state[32];
        const char *helpful = n->helpful == 1 ? "; helpful" : n->helpful == 0 ? "; not helpful" : "";

        if (strcmp(n->state, "snoozed") == 0 && n->snoozed_until >= 0 &&
            format_until(when, sizeof when, n->snoozed_until) >= 0)
                printf("    State: snoozed until %s%s\n", when, helpful);
        else
                printf("    State: %s%s\n",
                       strcmp(n->state, "acked") == 0 ? "acknowledged" : output_safe(state, sizeof state, n->state),
                       helpful);
}

/* --all into the bool at userdata. */
static const CmdOption nudges_options[] = {
        CMD_OPTION("all", 'a', CMD_SHORT | CMD_STORE, CMD_HELP("-a, --all", "Every stored nudge, read or not, with its state.")),
        CMD_OPTION_JSON_HELP("{\"nudges\":[...]}: the daemon's Nudge objects."),
        {},
};

static int nudges_exec(const Command *cmd, Ctx *ctx) {
        _cleanup_json_ json_object *reply = NULL;
        _cleanup_free_ Nudge *v = NULL;
        bool all = *(bool *) ctx->userdata;
        size_t n = 0;
        int r;

        (void) cmd;
        r = nudges_fetch(ctx, all, &reply, &v, &n);
        if (r < 0)
                return r;
        if (ctx->json) {
                json_object *arr, *root = json_object_new_object();
                if (!root || client_get_array(reply, "nudges", &arr) < 0 ||
                    json_object_object_add(root, "nudges", json_object_get(arr)) < 0) {
                        json_object_put(root);
                        return -ENOMEM;
                }
                r = output_json(root);
                json_object_put(root);
                return r;
        }
        if (n == 0) {
                printf(all ? "No nudges.\n" : "No unread nudges.\n");
                return 0;
        }
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        putchar('\n');
                if (nudge_print_full(ctx, &v[i]) < 0)
                        return -ENOMEM;
                if (all)
                        nudge_print_state(&v[i]);
        }
        return 0;
}

COMMAND(nudges,
        .usage = "[--all] [--json]",
        .summary = "Show the nudges your policies raised",
        .pager = true,
        .options = nudges_options,
        CMD_USERDATA(bool));

/* A nudge ID: a positive decimal integer, with or without the '#' that
 * 'kizuki nudges' shows before it. */
static int parse_id(const char *s, int64_t *ret) {
        char *end;

        if (*s == '#')
                s++;
        if (!*s || *s < '0' || *s > '9')
                return -EINVAL;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno != 0 || *end || v <= 0)
                return -EINVAL;
        *ret = v;
        return 0;
}

/* A snooze: parse_duration() from SNOOZE_MIN_S to SNOOZE_MAX_S. */
static int snooze_duration(const char *s, int64_t *ret) {
        if (parse_duration(s, ret) < 0 || *ret < SNOOZE_MIN_S || *ret > SNOOZE_MAX_S)
                return -EINVAL;
        return 0;
}

/* --helpful into the const char * at userdata. */
static const CmdOption nudge_options[] = {
        CMD_OPTION("helpful", 'H', CMD_ARG | CMD_STORE, CMD_HELP("--helpful yes|no", "Say whether the nudge was helpful.")),
        CMD_OPTION_JSON_HELP("Print the nudge as the daemon now has it."),
        {},
};

static int nudge_exec(const Command *cmd, Ctx *ctx) {
        _cleanup_json_ json_object *params = NULL, *reply = NULL;
        const char *helpful_arg = *(const char **) ctx->userdata;
        const char *id_arg;
        int64_t id, duration = 0;
        int helpful = -1, r;

        const char *action = ctx->argv[0];
        char **rest = ctx->argv + 1;
        int n_rest = ctx->argc - 1;

        if (strcmp(action, "snooze") == 0) {
                if (n_rest != 2)
                        return cmd_usage_error(cmd, ctx, "'snooze' needs a DURATION and a nudge ID");
                /* Either order: "snooze 2h 1" or "snooze 1 2h". Only when the
                 * first reads as an ID and the second as a duration, but not
                 * the other way round (a bare "120" is both), is it ID first. */
                int first = rest[0][0] == '#' || (snooze_duration(rest[1], &duration) >= 0 &&
                                                  snooze_duration(rest[0], &duration) < 0 && parse_id(rest[0], &id) >= 0);
                const char *d_arg = rest[first ? 1 : 0];
                if (snooze_duration(d_arg, &duration) < 0)
                        return cmd_usage_error(cmd, ctx, "invalid duration '%s' (60s to 30d, for example 2h or 1d)",
                                               d_arg);
                id_arg = rest[first ? 0 : 1];
        } else if (strcmp(action, "ack") == 0 || strcmp(action, "dismiss") == 0) {
                if (n_rest != 1)
                        return cmd_usage_error(cmd, ctx, n_rest == 0 ? "'%s' needs a nudge ID" : "'%s' takes one nudge ID",
                                               action);
                id_arg = rest[0];
        } else
                return cmd_usage_error(cmd, ctx, "unknown action '%s' (ack, snooze or dismiss)", action);
        if (parse_id(id_arg, &id) < 0)
                return cmd_usage_error(cmd, ctx, "invalid nudge ID '%s' (see 'kizuki nudges')", id_arg);
        if (helpful_arg) {
                helpful = cmd_parse_yes_no(helpful_arg);
                if (helpful < 0)
                        return cmd_usage_error(cmd, ctx, "invalid answer '%s' to --helpful (yes or no)", helpful_arg);
        }

        params = json_object_new_object();
        if (!params || json_object_object_add(params, "id", json_object_new_int64(id)) < 0 ||
            json_object_object_add(params, "action", json_object_new_string(action)) < 0 ||
            (duration > 0 && json_object_object_add(params, "duration_s", json_object_new_int64(duration)) < 0) ||
            (helpful >= 0 && json_object_object_add(params, "helpful", json_object_new_boolean(helpful)) < 0))
                return -ENOMEM;
        r = client_invoke(ctx->socket_path, KIZUKI_NAME("NudgeAction"), params, &reply);
        if (r < 0)
                return r;
        if (ctx->json)
                return output_json(reply);

        if (strcmp(action, "ack") == 0)
                printf("Nudge %lld acknowledged.\n", (long long) id);
        else if (strcmp(action, "dismiss") == 0)
                printf("Nudge %lld dismissed.\n", (long long) id);
        else {
                json_object *o;
                Nudge n;
                int64_t until = (int64_t) time(NULL) + duration;
                char when[OUTPUT_TIME_MAX];
                if (client_get_object(reply, "nudge", &o) >= 0 && nudge_parse(o, &n) >= 0 && n.snoozed_until >= 0)
                        until = n.snoozed_until;
                if (format_until(when, sizeof when, until) < 0)
                        return -ERANGE;
                printf("Nudge %lld snoozed until %s.\n", (long long) id, when);
        }
        if (helpful >= 0)
                printf("Thanks for the feedback.\n");
        return 0;
}

COMMAND(nudge,
        .usage = "ack ID | snooze DURATION ID | dismiss ID [--helpful yes|no]",
        .summary = "Acknowledge, snooze or dismiss a nudge",
        .help = "  ack ID                Mark the nudge as read.\n"
                "  snooze DURATION ID    Hide it for DURATION (60s to 30d: 90min, 2h, 1d);\n"
                "                        also 'snooze ID DURATION'.\n"
                "  ID                    As 'kizuki nudges' shows it, with or without '#'.\n"
                "  dismiss ID            Put it away for good.\n",
        .args = { 1, 3 },
        .options = nudge_options,
        CMD_USERDATA(const char *));

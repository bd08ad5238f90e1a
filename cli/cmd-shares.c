/* kizuki shares [--json] [--limit N]: the share log (GetShares): what left the
 * machine, when, to whom, and whether it was accepted. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "kizuki.h"
#include "macro.h"
#include "output.h"

enum { COL_WHEN, COL_TO, COL_WEEK, COL_LEVEL, COL_FORMAT, COL_VIA, COL_SIZE, COL_RESULT, COL_SHA };

static const OutputColumn columns[] = {
        [COL_WHEN] = { .header = "When" },
        [COL_TO] = { .header = "Recipient" },
        [COL_WEEK] = { .header = "Week" },
        [COL_LEVEL] = { .header = "Level", .drop = 2 },
        [COL_FORMAT] = { .header = "Format", .drop = 3 },
        [COL_VIA] = { .header = "Via", .drop = 4 },
        [COL_SIZE] = { .header = "Size", .right = true, .drop = 5 },
        [COL_RESULT] = { .header = "Result" },
        [COL_SHA] = { .header = "SHA-256", .drop = 1 },
};

static const CmdOption shares_options[] = {
        CMD_OPTION_JSON_HELP("{\"shares\":[...]}: the daemon's Share objects, newest first."),
        CMD_OPTION("limit", 'n', CMD_ARG | CMD_SHORT, CMD_HELP("-n, --limit N", "Only the N newest entries.")),
        {},
};

/* --limit N: 1 to 10000, written without a sign or leading zeros. */
static int shares_option(const Command *cmd, Ctx *ctx, int id, const char *arg, void *userdata) {
        long *limit = userdata;
        char *end;

        (void) id;
        errno = 0;
        *limit = strtol(arg, &end, 10);
        if (errno || *end || arg[0] < '1' || arg[0] > '9' || *limit > 10000)
                return cmd_usage_error(cmd, ctx, "invalid limit '%s' (1 to 10000)", arg);
        return 0;
}

static int shares_exec(const Command *cmd, Ctx *ctx) {
        _cleanup_json_ json_object *params = json_object_new_object(), *reply = NULL;
        _cleanup_(output_table_freep) OutputTable *t = NULL;
        json_object *arr;
        long limit = *(long *) ctx->userdata;
        int r;

        (void) cmd;
        if (!params || (limit > 0 && json_object_object_add(params, "limit", json_object_new_int64(limit)) < 0))
                return -ENOMEM;
        r = client_invoke_array(ctx->socket_path, KIZUKI_NAME("GetShares"), params, "shares", "share log", &reply,
                                &arr);
        if (r < 0)
                return r;
        if (ctx->json) {
                _cleanup_json_ json_object *root = json_object_new_object();
                if (!root || json_object_object_add(root, "shares", json_object_get(arr)) < 0)
                        return -ENOMEM;
                return output_json(root);
        }
        size_t n = json_object_array_length(arr);
        if (n == 0) {
                printf("Nothing has been shared.\n");
                return 0;
        }
        r = output_table_new(columns, ELEMENTSOF(columns), &t);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_array_get_idx(arr, i);
                const char *recipient, *transport, *week, *level, *format, *sha, *result, *detail = NULL;
                int64_t at, size;
                char when[OUTPUT_TIME_MAX], sz[OUTPUT_SIZE_MAX], b[8][128];
                if (client_get_int(o, "at", &at) < 0 || client_get_string(o, "recipient", &recipient) < 0 ||
                    client_get_string(o, "transport", &transport) < 0 || client_get_string(o, "week", &week) < 0 ||
                    client_get_string(o, "level", &level) < 0 || client_get_string(o, "format", &format) < 0 ||
                    client_get_int(o, "size", &size) < 0 || client_get_string(o, "sha256", &sha) < 0 ||
                    client_get_string(o, "result", &result) < 0 ||
                    client_get_string(o, "detail", &detail) == -EBADMSG) {
                        fprintf(stderr, "kizuki: kizukid sent a malformed share log\n");
                        return -EBADMSG;
                }
                bool ok = strcmp(result, "sent") == 0;
                if (output_local_time(when, sizeof when, at, "%Y-%m-%d %H:%M") < 0)
                        return -ERANGE;
                if (output_table_row(t, NULL) < 0 || output_table_cell(t, COL_WHEN, NULL, "%s", when) < 0 ||
                    output_table_cell(t, COL_TO, NULL, "%s", output_safe(b[0], sizeof b[0], recipient)) < 0 ||
                    output_table_cell(t, COL_WEEK, NULL, "%s", output_safe(b[1], sizeof b[1], week)) < 0 ||
                    output_table_cell(t, COL_LEVEL, NULL, "%s", output_safe(b[2], sizeof b[2], level)) < 0 ||
                    output_table_cell(t, COL_FORMAT, NULL, "%s", output_safe(b[3], sizeof b[3], format)) < 0 ||
                    output_table_cell(t, COL_VIA, NULL, "%s", output_safe(b[4], sizeof b[4], transport)) < 0 ||
                    output_table_cell(t, COL_SIZE, NULL, "%s", output_size(sz, sizeof sz, size)) < 0 ||
                    output_table_cell(t, COL_RESULT, ok ? ANSI_GREEN : ANSI_BOLD ANSI_RED, "%s",
                                      output_safe(b[5], sizeof b[5], result)) < 0 ||
                    output_table_cell(t, COL_SHA, ANSI_DIM, "%.12s", output_safe(b[6], sizeof b[6], sha)) < 0)
                        return -ENOMEM;
        }
        r = output_table_print(t, stdout, ctx->color, ctx->columns);
        if (r < 0)
                return r;
        /* The reasons of failures, below the table (the newest first, as listed). */
        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_array_get_idx(arr, i);
                const char *result, *detail, *week, *recipient;
                if (client_get_string(o, "result", &result) < 0 || strcmp(result, "failed") != 0 ||
                    client_get_string(o, "detail", &detail) < 0 || client_get_string(o, "week", &week) < 0 ||
                    client_get_string(o, "recipient", &recipient) < 0)
                        continue;
                char prefix[160], w[16], rc[80];
                snprintf(prefix, sizeof prefix, "%s to %s failed: ", output_safe(w, sizeof w, week),
                         output_safe(rc, sizeof rc, recipient));
                if (output_wrap(stdout, 0, prefix, detail, ctx->columns) < 0)
                        return -ENOMEM;
        }
        return 0;
}

COMMAND(shares,
        .usage = "[--json] [--limit N]",
        .summary = "List what was shared, with whom, when",
        .pager = true,
        .options = shares_options,
        .option = shares_option,
        CMD_USERDATA(long));

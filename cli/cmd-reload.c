/* kizuki reload [--json]: kizukid re-reads kizukid.conf and the policy files
 * (Reload, as SIGHUP does). Broken policy files are reported; their previous
 * good versions stay in force, so this still succeeds. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "kizuki.h"
#include "macro.h"
#include "output.h"

/* Files among the problems: "FILE:LINE: message" or "FILE: message" name
 * FILE; the problems of one file come together. */
static size_t count_files(json_object *problems) {
        size_t n = json_object_array_length(problems), files = 0;
        const char *prev = NULL;
        size_t prev_len = 0;

        for (size_t i = 0; i < n; i++) {
                const char *s = json_object_get_string(json_object_array_get_idx(problems, i));
                if (!s)
                        continue;
                const char *colon = strchr(s, ':');
                size_t len = colon ? (size_t) (colon - s) : strlen(s);
                if (!prev || len != prev_len || strncmp(s, prev, len) != 0)
                        files++;
                prev = s;
                prev_len = len;
        }
        return files;
}

int problems_print(json_object *reply, size_t *ret_files) {
        json_object *problems;
        char safe[1024];
        int r;

        r = client_get_array(reply, "problems", &problems);
        if (r == -ENODATA) {
                *ret_files = 0;
                return 0;
        }
        if (r < 0)
                return -EBADMSG;
        size_t n = json_object_array_length(problems);
        for (size_t i = 0; i < n; i++) {
                json_object *p = json_object_array_get_idx(problems, i);
                if (!p || !json_object_is_type(p, json_type_string))
                        return -EBADMSG;
        }
        for (size_t i = 0; i < n; i++)
                fprintf(stderr, "%s\n",
                        output_safe(safe, sizeof safe, json_object_get_string(json_object_array_get_idx(problems, i))));
        *ret_files = count_files(problems);
        return (int) (n > INT32_MAX ? INT32_MAX : n);
}

static int reload_exec(const Command *cmd, int argc, char **argv, Ctx *ctx) {
        _cleanup_json_ json_object *reply = NULL;
        size_t files = 0;
        int r;

        r = cmd_parse_options(cmd, argc, argv, ctx, NULL);
        if (r <= 0)
                return r;

        r = client_invoke(ctx->socket_path, KIZUKI_NAME("Reload"), NULL, &reply);
        if (r < 0)
                return r;
        if (ctx->json)
                return output_json(reply);
        printf("Reloaded.\n");
        fflush(stdout);
        r = problems_print(reply, &files);
        if (r < 0) {
                fprintf(stderr, "kizuki: kizukid sent a malformed list of problems\n");
                return r;
        }
        if (r > 0)
                fprintf(stderr, "%zu policy file%s with problems; previous good versions stay in force.\n", files,
                        files == 1 ? "" : "s");
        return 0;
}

const Command cmd_reload = {
        .name = "reload",
        .usage = "[--json]",
        .summary = "Re-read the configuration and policies",
        .help = "  --json                {\"problems\":[...]}: the policy files that did not parse.\n",
        .min_args = 0,
        .max_args = 0,
        .options = cmd_options_json,
        .exec = reload_exec,
};

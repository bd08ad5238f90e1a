/* kizuki pause [DURATION] and kizuki resume. */
#include <errno.h>
#include <stdio.h>

#include "client.h"
#include "config.h"
#include "kizuki.h"
#include "output.h"

static int pause_exec(const Command *cmd, Ctx *ctx) {
        _cleanup_json_ json_object *params = NULL, *reply = NULL;
        int64_t duration = 0, until;
        char when[OUTPUT_TIME_MAX];
        int r;

        if (ctx->argc > 0) {
                r = parse_duration(ctx->argv[0], &duration);
                if (r < 0 || duration <= 0)
                        return cmd_usage_error(cmd, ctx, "invalid duration '%s' (e.g. 30m, 2h, 1h30min)", ctx->argv[0]);
        }

        params = json_object_new_object();
        if (!params ||
            json_object_object_add(params, "duration_s", duration > 0 ? json_object_new_int64(duration) : NULL) < 0)
                return -ENOMEM;
        r = client_invoke(ctx->socket_path, KIZUKI_NAME("Pause"), params, &reply);
        if (r < 0)
                return r;

        r = client_get_int(reply, "paused_until", &until);
        if (r >= 0 && output_local_when(when, sizeof when, until) >= 0)
                printf("Recording paused until %s (local).\n", when);
        else
                printf("Recording paused until 'kizuki resume'.\n");
        return 0;
}

static int resume_exec(const Command *cmd, Ctx *ctx) {
        _cleanup_json_ json_object *reply = NULL;
        int r;

        (void) cmd;
        r = client_invoke(ctx->socket_path, KIZUKI_NAME("Resume"), NULL, &reply);
        if (r < 0)
                return r;
        printf("Recording resumed.\n");
        return 0;
}

COMMAND(pause,
        .usage = "[DURATION]",
        .summary = "Pause recording (for DURATION)",
        .args = { 0, 1 });

COMMAND(resume,
        .usage = "",
        .summary = "Resume recording after a pause");

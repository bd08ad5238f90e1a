/* kizuki hint active|idle|locked|unlocked: the person's state, for desktops
 * that do not tell logind (e.g. from swayidle hooks). Quiet on success. */
#include <errno.h>
#include <string.h>

#include "client.h"
#include "kizuki.h"

static int hint_exec(const Command *cmd, Ctx *ctx) {
        static const char *const states[] = { "active", "idle", "locked", "unlocked" };
        _cleanup_json_ json_object *reply = NULL;
        const char *state = ctx->argv[0];
        bool known = false;

        for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
                known = known || strcmp(state, states[i]) == 0;
        if (!known)
                return cmd_usage_error(cmd, ctx, "unknown state '%s'", state);

        return client_invoke_strings(ctx->socket_path, KIZUKI_NAME("Hint"), &reply, "state", state, NULL);
}

COMMAND(hint,
        .usage = "active|idle|locked|unlocked",
        .summary = "Report your state (for swayidle hooks)",
        .args = { 1, 1 });

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
#include "problems.h"

static int reload_exec(const Command *cmd, Ctx *ctx) {
        _cleanup_json_ json_object *reply = NULL;
        size_t files = 0;
        int r;

        (void) cmd;
        r = cmd_invoke(ctx, KIZUKI_NAME("Reload"), NULL, &reply);
        if (r <= 0)
                return r;
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

COMMAND(reload,
        .usage = "[--json]",
        .summary = "Re-read the configuration and policies",
        .options = CMD_OPTIONS_JSON("{\"problems\":[...]}: the policy files that did not parse."));

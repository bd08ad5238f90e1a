/* kizuki reload [--json]: kizukid re-reads kizukid.conf and the policy files
 * (Reload, as SIGHUP does). Problems in them are printed: a broken policy
 * file's previous good version stays in force and a bad kizukid.conf value
 * keeps its default, so this still succeeds; a kizukid.conf that could not
 * be read at all (config_kept) is a failure. */
#include <errno.h>
#include <stdbool.h>
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
        bool kept = false;
        int r, printed;

        (void) cmd;
        printed = cmd_invoke(ctx, KIZUKI_NAME("Reload"), NULL, &reply);
        if (printed < 0)
                return printed;
        r = client_get_bool(reply, "config_kept", &kept);
        if (r < 0 && r != -ENODATA) {
                fprintf(stderr, "kizuki: kizukid sent a malformed reply\n");
                return r;
        }
        if (printed == 0) /* --json: the reply is the output */
                return kept ? -EIO : 0;
        if (!kept)
                printf("Reloaded.\n");
        fflush(stdout);
        r = problems_print(reply, &files);
        if (r < 0) {
                fprintf(stderr, "kizuki: kizukid sent a malformed list of problems\n");
                return r;
        }
        if (kept) {
                fprintf(stderr, "kizukid.conf could not be read; the settings in force stay.\n");
                return -EIO;
        }
        if (r > 0)
                fprintf(stderr, "%zu file%s with problems; a policy file's previous good version stays in force, "
                        "a bad setting keeps its default.\n",
                        files, files == 1 ? "" : "s");
        return 0;
}

COMMAND(reload,
        .usage = "[--json]",
        .summary = "Re-read the configuration and policies",
        .options = CMD_OPTIONS_JSON("{\"problems\":[...],\"config_kept\":BOOL}: the reply."));

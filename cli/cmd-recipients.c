/* kizuki recipients: not built yet (work in progress). */
#include <errno.h>
#include <stdio.h>

#include "kizuki.h"

static int recipients_exec(const Command *cmd, int argc, char **argv, Ctx *ctx) {
        (void) cmd;
        (void) argc;
        (void) argv;
        (void) ctx;
        fprintf(stderr, "kizuki recipients: not available yet\n");
        return -ENOSYS;
}

const Command cmd_recipients = {
        .name = "recipients",
        .usage = "list|show NAME|check NAME",
        .summary = "List, show or check recipients",
        .min_args = 0,
        .max_args = -1,
        .exec = recipients_exec,
};

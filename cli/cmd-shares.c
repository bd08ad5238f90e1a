/* kizuki shares: not built yet (work in progress). */
#include <errno.h>
#include <stdio.h>

#include "kizuki.h"

static int shares_exec(const Command *cmd, int argc, char **argv, Ctx *ctx) {
        (void) cmd;
        (void) argc;
        (void) argv;
        (void) ctx;
        fprintf(stderr, "kizuki shares: not available yet\n");
        return -ENOSYS;
}

const Command cmd_shares = {
        .name = "shares",
        .usage = "",
        .summary = "List what was shared, with whom, when",
        .min_args = 0,
        .max_args = -1,
        .exec = shares_exec,
};

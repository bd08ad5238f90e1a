/* kizuki privacy: not built yet (work in progress). */
#include <errno.h>
#include <stdio.h>

#include "kizuki.h"

static int privacy_exec(const Command *cmd, int argc, char **argv, Ctx *ctx) {
        (void) cmd;
        (void) argc;
        (void) argv;
        (void) ctx;
        fprintf(stderr, "kizuki privacy: not available yet\n");
        return -ENOSYS;
}

const Command cmd_privacy = {
        .name = "privacy",
        .usage = "",
        .summary = "What is kept, where, how long, shared",
        .min_args = 0,
        .max_args = -1,
        .exec = privacy_exec,
};

/* kizuki forget: not built yet (work in progress). */
#include <errno.h>
#include <stdio.h>

#include "kizuki.h"

static int forget_exec(const Command *cmd, int argc, char **argv, Ctx *ctx) {
        (void) cmd;
        (void) argc;
        (void) argv;
        (void) ctx;
        fprintf(stderr, "kizuki forget: not available yet\n");
        return -ENOSYS;
}

const Command cmd_forget = {
        .name = "forget",
        .usage = "--all | --before D | --from D --to D",
        .summary = "Delete stored data for real",
        .min_args = 0,
        .max_args = -1,
        .exec = forget_exec,
};

/* kizuki share: not built yet (work in progress). */
#include <errno.h>
#include <stdio.h>

#include "kizuki.h"

static int share_exec(const Command *cmd, int argc, char **argv, Ctx *ctx) {
        (void) cmd;
        (void) argc;
        (void) argv;
        (void) ctx;
        fprintf(stderr, "kizuki share: not available yet\n");
        return -ENOSYS;
}

const Command cmd_share = {
        .name = "share",
        .usage = "--to NAME [--week W] [--dry-run]",
        .summary = "Show, then send, a digest to a recipient",
        .min_args = 0,
        .max_args = -1,
        .exec = share_exec,
};

/* kizuki digest: not built yet (work in progress). */
#include <errno.h>
#include <stdio.h>

#include "kizuki.h"

static int digest_exec(const Command *cmd, int argc, char **argv, Ctx *ctx) {
        (void) cmd;
        (void) argc;
        (void) argv;
        (void) ctx;
        fprintf(stderr, "kizuki digest: not available yet\n");
        return -ENOSYS;
}

const Command cmd_digest = {
        .name = "digest",
        .usage = "[--week W] [--format F] [-o FILE]",
        .summary = "Write a weekly digest for a therapist",
        .min_args = 0,
        .max_args = -1,
        .exec = digest_exec,
};

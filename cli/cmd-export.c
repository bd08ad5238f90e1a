/* kizuki export: not built yet (work in progress). */
#include <errno.h>
#include <stdio.h>

#include "kizuki.h"

static int export_exec(const Command *cmd, int argc, char **argv, Ctx *ctx) {
        (void) cmd;
        (void) argc;
        (void) argv;
        (void) ctx;
        fprintf(stderr, "kizuki export: not available yet\n");
        return -ENOSYS;
}

const Command cmd_export = {
        .name = "export",
        .usage = "[-o FILE] [--format F]",
        .summary = "Export everything, in open formats",
        .min_args = 0,
        .max_args = -1,
        .exec = export_exec,
};

/* kizuki, the CLI: the command table and what commands share.
 *
 * Each command is an entry in its own cli/cmd-*.c; cli/kizuki.c holds the
 * table, parses the global options, looks the command up and maps the result
 * of exec() to the exit status: ≥ 0 → 0, usage error → 2, other failure → 1.
 * A command prints its own errors (once, where it decides) before returning. */
#pragma once

#include <stdbool.h>
#include <stdio.h>

#define KIZUKI_INTERFACE "io.kizuki.Daemon"

typedef struct Ctx {
        const char *socket_path; /* --socket, else $KIZUKI_SOCKET, else the default */
        bool color;              /* colour on stdout (tty, NO_COLOR unset, TERM not dumb) */
        bool json;               /* the running command was asked for --json */
        bool usage_error;        /* set by cmd_usage_error(): exit status 2 */
} Ctx;

typedef struct Command {
        const char *name;
        const char *alias;   /* another exact name, or NULL */
        const char *usage;   /* arguments after the name, "" when none */
        const char *summary; /* one line for the command list */
        const char *help;    /* option lines for "kizuki CMD --help", or NULL */
        int min_args, max_args; /* positional arguments after options; max < 0: no limit */
        int (*exec)(const struct Command *cmd, int argc, char **argv, Ctx *ctx);
} Command;

extern const Command cmd_status;
extern const Command cmd_consent;
extern const Command cmd_pause;
extern const Command cmd_resume;
extern const Command cmd_hint;
extern const Command cmd_hours;

/* "Usage: kizuki NAME USAGE" on f. */
void cmd_print_usage(const Command *cmd, FILE *f);

/* The full help of a command on stdout. Returns 0. */
int cmd_print_help(const Command *cmd);

/* Report a wrong command line: "kizuki NAME: message" (when fmt is not NULL)
 * and the usage line, on stderr. Marks ctx for exit status 2; returns -EINVAL. */
int cmd_usage_error(const Command *cmd, Ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Check the number of positional arguments against the entry. */
int cmd_check_args(const Command *cmd, Ctx *ctx, int n);

/* What every command of kizuki shares: the context, the Command entry with its
 * option table, and the helpers that parse a command line from the entry, run
 * the command, and report usage errors (exit status 2) and help. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "client.h"
#include "dates.h"
#include "output.h"

typedef struct Ctx {
        const char *socket_path; /* --socket, else $KIZUKI_SOCKET, else the default */
        bool color;              /* colour on stdout: --color, else tty, NO_COLOR unset, TERM not dumb */
        unsigned columns;        /* terminal width, for commands that fit their output to it */
        bool json;               /* the running command was asked for --json */
        bool pager;              /* page long output on a terminal (no --no-pager) */
        bool usage_error;        /* set by cmd_usage_error(): exit status 2 */
        bool home;               /* "kizuki" without a command: status leads with the unread nudges */
        void *userdata;          /* the running command's options, as cmd_run() parsed them */
        int argc;                /* its positional arguments, after the options */
        char **argv;
} Ctx;

/* CmdOption.flags */
#define CMD_ARG 1   /* takes an argument */
#define CMD_SHORT 2 /* also -ID */
#define CMD_STORE 4 /* no option() call: the argument (a const char *), or true
                     * (a bool) without CMD_ARG, goes to the field at offset in
                     * the userdata of cmd_parse_options() */
#define CMD_PARSE 8 /* with CMD_STORE and CMD_ARG: parse(argument) goes to the
                     * int at offset instead; a negative one is the usage error
                     * "INVALID 'ARGUMENT'HINT" */
#define CMD_NUMBER 16 /* with CMD_STORE and CMD_ARG: a whole number from 1 to max
                       * goes to the long at offset; another argument is the
                       * usage error "INVALID 'ARGUMENT' (1 to MAX)" */

/* The lines of an option in "kizuki CMD --help", as further initializers of
 * an option (the "..." of the macros below): the option as written there
 * ("--to DATE") and what it does, continued under itself after each '\n'. */
#define CMD_HELP(synopsis_, text_) .synopsis = synopsis_, .help = text_

/* An option with the flags given, and further initializers. */
#define CMD_OPTION(name_, id_, flags_, ...) { .name = name_, .id = id_, .flags = flags_, __VA_ARGS__ }
/* An option stored in field of the struct type: its argument, or true. */
#define CMD_OPTION_STRING(name_, id_, type, field, ...) \
        { .name = name_, .id = id_, .flags = CMD_ARG | CMD_STORE, .offset = offsetof(type, field), __VA_ARGS__ }
#define CMD_OPTION_BOOL(name_, id_, type, field, ...) \
        { .name = name_, .id = id_, .flags = CMD_STORE, .offset = offsetof(type, field), __VA_ARGS__ }
/* An option whose argument parse() turns into the int field of type; an
 * invalid one is the usage error "INVALID 'ARGUMENT'HINT". flags: 0 or CMD_SHORT. */
#define CMD_OPTION_PARSE(name_, id_, flags_, type, field, parse_, invalid_, hint_, ...)                            \
        {                                                                                                          \
                .name = name_, .id = id_, .flags = (flags_) | CMD_ARG | CMD_STORE | CMD_PARSE,                     \
                .offset = offsetof(type, field), .parse = parse_, .invalid = invalid_, .hint = hint_, __VA_ARGS__  \
        }

/* An option whose argument is a whole number from 1 to max_, for the long
 * field of type. flags: 0 or CMD_SHORT. */
#define CMD_OPTION_NUMBER(name_, id_, flags_, type, field, max_, invalid_, ...)                                 \
        {                                                                                                          \
                .name = name_, .id = id_, .flags = (flags_) | CMD_ARG | CMD_STORE | CMD_NUMBER,                    \
                .offset = offsetof(type, field), .max = max_, .invalid = invalid_, __VA_ARGS__                     \
        }

/* The id of --json: cmd_parse_options() sets ctx->json itself. */
#define CMD_OPT_JSON 'j'
#define CMD_OPTION_JSON(...) CMD_OPTION("json", CMD_OPT_JSON, 0, __VA_ARGS__)
/* --json described as text in --help. */
#define CMD_OPTION_JSON_HELP(text_) CMD_OPTION_JSON(CMD_HELP("--json", text_))
/* The table of a command whose only option (besides --help) is --json. */
#define CMD_OPTIONS_JSON(text_) ((const CmdOption[]) { CMD_OPTION_JSON_HELP(text_), {} })

/* One option of a command. Tables end with an entry whose name is NULL;
 * -h/--help comes after the table's options, for every command. */
typedef struct CmdOption {
        const char *name; /* the long name, without "--" */
        int id;           /* what option() gets: the short letter, or ≥ 256 for a long-only option */
        int flags;        /* CMD_ARG, CMD_SHORT, CMD_STORE, CMD_PARSE, CMD_NUMBER */
        size_t offset;    /* with CMD_STORE */
        int (*parse)(const char *arg); /* with CMD_PARSE: ≥ 0, or < 0 for an invalid argument */
        long max;                      /* with CMD_NUMBER */
        const char *invalid, *hint;    /* with CMD_PARSE or CMD_NUMBER: the usage error's words */
        const char *synopsis, *help;   /* see CMD_HELP(); NULL: the command's help describes it */
} CmdOption;

/* --from DATE, --to DATE and --json: the options of commands over a range of
 * days, stored in a CmdRange, with what each means to the command. */
typedef struct CmdRange {
        const char *from, *to;
} CmdRange;
#define CMD_OPTIONS_RANGE(from_help, to_help, json_help)                                    \
        CMD_OPTION_STRING("from", 'f', CmdRange, from, CMD_HELP("--from DATE", from_help)), \
        CMD_OPTION_STRING("to", 't', CmdRange, to, CMD_HELP("--to DATE", to_help)),         \
        CMD_OPTION_JSON_HELP(json_help)

typedef struct Command {
        const char *name;
        const char *alias;   /* another exact name, or NULL */
        const char *usage;   /* arguments after the name, "" when none */
        const char *summary; /* one line for the command list */
        /* "kizuki CMD --help" lists, under "Options:", the lines of help
         * (positional arguments, or options that are not CMD_HELP()), then
         * each option's CMD_HELP(), then help_after and -h, --help. */
        const char *help, *help_after; /* NULL: none */
        struct {
                int min, max; /* max < 0: no limit */
        } args;               /* positional arguments after options: none unless given */
        const CmdOption *options; /* besides --help; NULL when none */
        bool pager;               /* its output may be long: page it (pager.h) when ctx->pager */
        /* Called for each option in the order given, with its argument (NULL
         * when it takes none) and the userdata of cmd_parse_options(). Returns
         * ≥ 0, or a usage error from cmd_usage_error(). NULL when every option
         * is --json or CMD_STORE. */
        int (*option)(const struct Command *cmd, Ctx *ctx, int id, const char *arg, void *userdata);
        /* The userdata cmd_run() parses the options into: its size (0: none)
         * and its initial value (NULL: all zero). */
        size_t userdata_size;
        const void *userdata_init;
        /* Runs the command, with its options in ctx->userdata and its
         * positional arguments in ctx->argv[0..ctx->argc-1]. */
        int (*exec)(const struct Command *cmd, Ctx *ctx);
} Command;

/* The userdata of an entry: a type, and optionally its initial value. */
#define CMD_USERDATA(type) .userdata_size = sizeof(type)
#define CMD_USERDATA_INIT(type, ...) CMD_USERDATA(type), .userdata_init = &(const type) { __VA_ARGS__ }

/* The entry of the command NAME: cmd_NAME, named "NAME", run by NAME_exec(),
 * with the other fields given as designated initializers. */
#define COMMAND(NAME, ...) const Command cmd_##NAME = { .name = #NAME, .exec = NAME##_exec, __VA_ARGS__ }

/* Run cmd with its command line (argv[0] is "kizuki NAME"): a userdata from
 * the entry, cmd_parse_options() into it, then cmd->exec() with the userdata
 * and the positional arguments in ctx. Returns 0 also
 * when --help was shown, < 0 on failure or a usage error. */
int cmd_run(const Command *cmd, int argc, char **argv, Ctx *ctx);

/* "Usage: kizuki NAME USAGE" on f. */
void cmd_print_usage(const Command *cmd, FILE *f);

/* The full help of a command on stdout. Returns 0. */
int cmd_print_help(const Command *cmd);

/* Report a wrong command line: "kizuki NAME: message" (when fmt is not NULL)
 * and the usage line, on stderr. Marks ctx for exit status 2; returns -EINVAL. */
int cmd_usage_error(const Command *cmd, Ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The command line of cmd (argv[0] is "kizuki NAME"), by its entry: getopt_long
 * over cmd->options and -h/--help, --json into ctx->json, CMD_STORE options
 * (parsed with CMD_PARSE or CMD_NUMBER) into the struct at userdata, the others to cmd->option() with userdata, then the number of positional arguments.
 * Returns 1 when the command is to run (its arguments start at argv[optind]),
 * 0 when --help was shown, < 0 after a usage error. */
int cmd_parse_options(const Command *cmd, int argc, char **argv, Ctx *ctx, void *userdata);

/* A range of days: "YYYY-MM-DD" and the local 00:00 of the first and last. */
typedef struct CmdDays {
        char from[OUTPUT_DATE_MAX], to[OUTPUT_DATE_MAX];
        int64_t from_day, to_day;
} CmdDays;

/* The last day from range->to (today when NULL), the first from range->from
 * or else the n_days that end with the last, with cmd_parse_day()'s errors. */
int cmd_parse_range(const Command *cmd, Ctx *ctx, const CmdRange *range, int64_t n_days, CmdDays *ret);

/* A whole number from min to max in strtol()'s decimal syntax, for an
 * option's argument. -EINVAL for anything else. */
int cmd_parse_number(const char *arg, long min, long max, long *ret);

/* "yes"/"y" → 1, "no"/"n" → 0 (any case), else -EINVAL: an option's answer. */
int cmd_parse_yes_no(const char *arg);

/* client_invoke() at ctx->socket_path; with --json also the reply on stdout.
 * Returns 1 when the command is to show the reply itself, 0 when it was
 * shown as JSON, < 0 on failure (said on stderr). */
int cmd_invoke(const Ctx *ctx, const char *method, json_object *params, json_object **ret_reply);

/* dates_parse_day() for a command's date argument (NULL: today), reporting a
 * bad date as a usage error and a failing clock once, on stderr. */
int cmd_parse_day(const Command *cmd, Ctx *ctx, const char *arg, char ret_date[static OUTPUT_DATE_MAX],
                  int64_t *ret_day);

/* dates_parse_week() for a command's week argument: ret_week as kizukid
 * spells it ("2026-W02"), ret_monday (may be NULL) its Monday; a bad week is
 * a usage error ("2025 has 52 weeks" for 2025-W53), a failing clock is said
 * once. */
int cmd_parse_week(const Command *cmd, Ctx *ctx, const char *arg, char ret_week[static ISO_WEEK_MAX],
                   int64_t *ret_monday);

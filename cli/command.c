/* The helpers of command.h: usage, help and the options of a command, parsed
 * from its entry, and running it. */
#include "command.h"

#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "macro.h"
#include "pager.h"

/* Options a command may have besides --help (the most now is 7). */
#define CMD_OPTIONS_MAX 15

void cmd_print_usage(const Command *cmd, FILE *f) {
        fprintf(f, "Usage: kizuki %s%s%s\n", cmd->name, *cmd->usage ? " " : "", cmd->usage);
}

/* An option's lines in --help: the synopsis, and the text from column 24 on,
 * each of its lines there. */
static void cmd_print_option_help(const char *synopsis, const char *text) {
        printf("  %-21s ", synopsis);
        for (const char *p = text; *p; p++) {
                putchar(*p);
                if (*p == '\n')
                        printf("%24s", "");
        }
        putchar('\n');
}

int cmd_print_help(const Command *cmd) {
        cmd_print_usage(cmd, stdout);
        printf("\n%s.\n", cmd->summary);
        if (cmd->alias)
                printf("Also available as 'kizuki %s'.\n", cmd->alias);
        printf("\nOptions:\n%s", cmd->help ? cmd->help : "");
        for (const CmdOption *o = cmd->options; o && o->name; o++)
                if (o->synopsis)
                        cmd_print_option_help(o->synopsis, o->help);
        fputs(cmd->help_after ? cmd->help_after : "", stdout);
        cmd_print_option_help("-h, --help", "Show this help.");
        return 0;
}

int cmd_usage_error(const Command *cmd, Ctx *ctx, const char *fmt, ...) {
        if (fmt) {
                va_list ap;
                fprintf(stderr, "kizuki %s: ", cmd->name);
                va_start(ap, fmt);
                vfprintf(stderr, fmt, ap);
                va_end(ap);
                fputc('\n', stderr);
        }
        cmd_print_usage(cmd, stderr);
        fprintf(stderr, "Run 'kizuki %s --help' for more.\n", cmd->name);
        ctx->usage_error = true;
        return -EINVAL;
}

/* Check the number of positional arguments against the entry. */
static int cmd_check_args(const Command *cmd, Ctx *ctx, int n) {
        if (n < cmd->args.min)
                return cmd_usage_error(cmd, ctx, "missing argument");
        if (cmd->args.max >= 0 && n > cmd->args.max)
                return cmd_usage_error(cmd, ctx, "too many arguments");
        return 0;
}

int cmd_parse_options(const Command *cmd, int argc, char **argv, Ctx *ctx, void *userdata) {
        struct option options[CMD_OPTIONS_MAX + 2] = {};
        char shorts[2 * CMD_OPTIONS_MAX + 2] = "";
        size_t n = 0, len = 0;
        int c, r;

        /* The table's order is getopt's order (it lists ambiguous abbreviations in it). */
        for (const CmdOption *o = cmd->options; o && o->name; o++, n++) {
                assert(n < CMD_OPTIONS_MAX);
                options[n] = (struct option) {
                        o->name, o->flags & CMD_ARG ? required_argument : no_argument, NULL, o->id
                };
                if (o->flags & CMD_SHORT) {
                        shorts[len++] = (char) o->id;
                        if (o->flags & CMD_ARG)
                                shorts[len++] = ':';
                }
        }
        options[n] = (struct option) { "help", no_argument, NULL, 'h' };
        shorts[len] = 'h';

        while ((c = getopt_long(argc, argv, shorts, options, NULL)) >= 0) {
                if (c == 'h')
                        return cmd_print_help(cmd);
                if (c == '?' || c == ':')
                        return cmd_usage_error(cmd, ctx, NULL);
                if (c == CMD_OPT_JSON) {
                        ctx->json = true;
                        continue;
                }
                const CmdOption *o = cmd->options;
                while (o->id != c)
                        o++;
                if (o->flags & CMD_PARSE) {
                        int v = o->parse(optarg);
                        if (v < 0)
                                return cmd_usage_error(cmd, ctx, "%s '%s'%s", o->invalid, optarg, o->hint);
                        *(int *) ((char *) userdata + o->offset) = v;
                        continue;
                }
                if (o->flags & CMD_NUMBER) {
                        if (cmd_parse_number(optarg, 1, o->max, (long *) ((char *) userdata + o->offset)) < 0)
                                return cmd_usage_error(cmd, ctx, "%s '%s' (1 to %ld)", o->invalid, optarg, o->max);
                        continue;
                }
                if (o->flags & CMD_STORE) {
                        if (o->flags & CMD_ARG)
                                *(const char **) ((char *) userdata + o->offset) = optarg;
                        else
                                *(bool *) ((char *) userdata + o->offset) = true;
                        continue;
                }
                r = cmd->option(cmd, ctx, c, optarg, userdata);
                if (r < 0)
                        return r;
        }
        r = cmd_check_args(cmd, ctx, argc - optind);
        return r < 0 ? r : 1;
}

/* Whether arg is an option of cmd that takes the next argument as its own:
 * "--NAME" (or a prefix of it) or "-X" (or a cluster ending in X) for an
 * option with CMD_ARG. */
static bool cmd_takes_next(const Command *cmd, const char *arg) {
        if (arg[0] != '-' || arg[1] == '\0')
                return false;
        for (const CmdOption *o = cmd->options; o && o->name; o++) {
                if (!(o->flags & CMD_ARG))
                        continue;
                if (arg[1] == '-' ? !strchr(arg, '=') && arg[2] && strncmp(o->name, arg + 2, strlen(arg + 2)) == 0
                                  : (o->flags & CMD_SHORT) && arg[strlen(arg) - 1] == (char) o->id)
                        return true;
        }
        return false;
}

/* A relative day or week ("-7d", "-2w"): "-", digits and 'd' or 'w', which
 * getopt would take for options when it stands as an argument of its own
 * ("kizuki week -2w"). */
static bool cmd_is_relative(const char *arg) {
        size_t n = strlen(arg);
        return n >= 3 && arg[0] == '-' && strspn(arg + 1, "0123456789") == n - 2 &&
               (arg[n - 1] == 'd' || arg[n - 1] == 'w');
}

/* Whether argv[i] is a relative day or week standing as an argument of its own. */
static bool cmd_relative_arg(const Command *cmd, char **argv, int i) {
        return i > 0 && cmd_is_relative(argv[i]) && !(i > 1 && cmd_takes_next(cmd, argv[i - 1]));
}

/* argv with the relative days and weeks that stand as arguments of their own
 * moved behind a "--", after the other positional arguments (no command takes
 * a date beside others). *ret is malloc'ed and borrows argv's strings;
 * *ret_argc is its length. */
static int cmd_protect_relative(const Command *cmd, int argc, char **argv, char ***ret, int *ret_argc) {
        _cleanup_free_ char **v = calloc((size_t) argc + 2, sizeof *v);
        int n = 0, end = 0;

        if (!v)
                return -ENOMEM;
        while (end < argc && strcmp(argv[end], "--") != 0)
                end++;
        for (int i = 0; i < end; i++)
                if (!cmd_relative_arg(cmd, argv, i))
                        v[n++] = argv[i];
        v[n++] = (char *) "--";
        for (int i = 0; i < end; i++)
                if (cmd_relative_arg(cmd, argv, i))
                        v[n++] = argv[i];
        for (int i = end + 1; i < argc; i++)
                v[n++] = argv[i];
        *ret_argc = n;
        *ret = TAKE_PTR(v);
        return 0;
}

int cmd_run(const Command *cmd, int argc, char **argv, Ctx *ctx) {
        _cleanup_free_ void *userdata = NULL;
        _cleanup_free_ char **protected = NULL;
        int r;

        r = cmd_protect_relative(cmd, argc, argv, &protected, &argc);
        if (r < 0)
                return r;
        argv = protected;

        if (cmd->userdata_size > 0) {
                userdata = calloc(1, cmd->userdata_size);
                if (!userdata)
                        return -ENOMEM;
                if (cmd->userdata_init)
                        memcpy(userdata, cmd->userdata_init, cmd->userdata_size);
        }
        r = cmd_parse_options(cmd, argc, argv, ctx, userdata);
        if (r <= 0)
                return r;
        if (cmd->pager && ctx->pager)
                (void) pager_open(); /* without one, the output goes to the terminal */
        ctx->userdata = userdata;
        ctx->argc = argc - optind;
        ctx->argv = argv + optind;
        r = cmd->exec(cmd, ctx);
        ctx->userdata = NULL;
        return r;
}

int cmd_parse_range(const Command *cmd, Ctx *ctx, const CmdRange *range, int64_t n_days, CmdDays *ret) {
        int r = cmd_parse_day(cmd, ctx, range->to, ret->to, &ret->to_day);
        if (r < 0)
                return r;
        if (range->from)
                return cmd_parse_day(cmd, ctx, range->from, ret->from, &ret->from_day);
        ret->from_day = ret->to_day - (n_days - 1) * DAY_S;
        return output_format_day(ret->from, sizeof ret->from, ret->from_day) < 0 ? -ERANGE : 0;
}

int cmd_parse_number(const char *arg, long min, long max, long *ret) {
        char *end;
        long v;

        errno = 0;
        v = strtol(arg, &end, 10);
        if (errno != 0 || end == arg || *end != '\0' || v < min || v > max)
                return -EINVAL;
        *ret = v;
        return 0;
}

int cmd_parse_yes_no(const char *arg) {
        if (strcasecmp(arg, "yes") == 0 || strcasecmp(arg, "y") == 0)
                return 1;
        if (strcasecmp(arg, "no") == 0 || strcasecmp(arg, "n") == 0)
                return 0;
        return -EINVAL;
}

int cmd_invoke(const Ctx *ctx, const char *method, json_object *params, json_object **ret_reply) {
        int r = client_invoke(ctx->socket_path, method, params, ret_reply);
        if (r < 0)
                return r;
        if (!ctx->json)
                return 1;
        r = output_json(*ret_reply);
        return r < 0 ? r : 0;
}

/* r, said on stderr when it is the clock's failure. */
static int cmd_clock_failed(int r) {
        if (r < 0)
                fprintf(stderr, "kizuki: cannot tell today's local date: %s\n", strerror(-r));
        return r;
}

int cmd_parse_day(const Command *cmd, Ctx *ctx, const char *arg, char ret_date[static OUTPUT_DATE_MAX],
                  int64_t *ret_day) {
        int r = dates_parse_day(arg, ret_date, ret_day);
        if (r == -EINVAL)
                return cmd_usage_error(cmd, ctx,
                                       "invalid date '%s' (expected YYYY-MM-DD, today, yesterday, -Nd, -Nw, "
                                       "this-week or last-week)", arg);
        return cmd_clock_failed(r);
}

int cmd_parse_week(const Command *cmd, Ctx *ctx, const char *arg, char ret_week[static ISO_WEEK_MAX],
                   int64_t *ret_monday) {
        int64_t monday;
        int r = dates_parse_week(arg, &monday);
        if (r >= 0) {
                if (ret_monday)
                        *ret_monday = monday;
                return iso_week_of(monday, ret_week, NULL);
        }
        if (r == -EDOM)
                return cmd_usage_error(cmd, ctx, "invalid week '%s': %.4s has 52 weeks", arg, arg);
        if (r == -EINVAL)
                return cmd_usage_error(cmd, ctx,
                                       "invalid week '%s' (expected YYYY-Www such as 2026-W02, this-week, "
                                       "last-week or -Nw)", arg);
        return cmd_clock_failed(r);
}

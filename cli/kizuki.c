/* kizuki: the command-line client of kizukid. Global options, the command
 * table, lookup, usage and help, and the exit status. */
#include "kizuki.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "macro.h"
#include "output.h"
#include "pager.h"
#include "version.h"

#define EXIT_USAGE 2

static int help_exec(const Command *cmd, Ctx *ctx);

static const Command cmd_help = {
        .name = "help",
        .usage = "[COMMAND]",
        .summary = "Show help for all or one command",
        .args = { 0, 1 },
        .pager = true,
        .exec = help_exec,
};

/* In the order of "kizuki --help". */
static const Command *const commands[] = {
        &cmd_status,   &cmd_nudges,  &cmd_nudge,  &cmd_explain, &cmd_consent, &cmd_pause,  &cmd_resume,
        &cmd_hint,     &cmd_hours,   &cmd_days,   &cmd_week,    &cmd_actogram, &cmd_checkin,
        &cmd_import,   &cmd_policy,  &cmd_reload, &cmd_digest,  &cmd_share,   &cmd_shares,
        &cmd_recipients, &cmd_resources, &cmd_privacy, &cmd_export, &cmd_forget, &cmd_help,
};

/* The optimal string alignment distance of a and b: insertions, deletions,
 * substitutions and swaps of neighbours ("statsu" is one swap from "status").
 * Names longer than 31 bytes count as far from everything. */
static unsigned edit_distance(const char *a, const char *b) {
        enum { MAX = 32 };
        size_t n = strlen(a), m = strlen(b);
        unsigned d[MAX + 1][MAX + 1];

        if (n >= MAX || m >= MAX)
                return UINT_MAX;
        for (size_t i = 0; i <= n; i++)
                d[i][0] = (unsigned) i;
        for (size_t j = 0; j <= m; j++)
                d[0][j] = (unsigned) j;
        for (size_t i = 1; i <= n; i++)
                for (size_t j = 1; j <= m; j++) {
                        unsigned v = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
                        if (d[i - 1][j] + 1 < v)
                                v = d[i - 1][j] + 1;
                        if (d[i][j - 1] + 1 < v)
                                v = d[i][j - 1] + 1;
                        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                                v = d[i - 2][j - 2] + 1;
                        d[i][j] = v;
                }
        return d[n][m];
}

/* "Did you mean" the commands nearest to an unknown name: those within one
 * edit (two for names of five letters or more), nearest first. */
static void command_suggest(const char *name) {
        unsigned limit = strlen(name) >= 5 ? 2 : 1, best = UINT_MAX;

        for (size_t i = 0; i < ELEMENTSOF(commands); i++) {
                unsigned dist = edit_distance(name, commands[i]->name);
                if (dist < best)
                        best = dist;
        }
        if (best > limit)
                return;
        fprintf(stderr, "Did you mean");
        const char *sep = " ";
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                if (edit_distance(name, commands[i]->name) == best) {
                        fprintf(stderr, "%s'kizuki %s'", sep, commands[i]->name);
                        sep = " or ";
                }
        fprintf(stderr, "?\n");
}

/* Exact name or alias, then a unique prefix of a name. Prints why it failed. */
static int command_find(const char *name, const Command **ret) {
        const Command *found = NULL;
        size_t n = strlen(name), matches = 0;

        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                if (strcmp(commands[i]->name, name) == 0 ||
                    (commands[i]->alias && strcmp(commands[i]->alias, name) == 0)) {
                        *ret = commands[i];
                        return 0;
                }
        if (n > 0)
                for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                        if (strncmp(commands[i]->name, name, n) == 0) {
                                found = commands[i];
                                matches++;
                        }
        if (matches == 1) {
                *ret = found;
                return 0;
        }
        if (matches > 1) {
                fprintf(stderr, "kizuki: ambiguous command '%s': could be", name);
                const char *sep = " ";
                for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                        if (strncmp(commands[i]->name, name, n) == 0) {
                                fprintf(stderr, "%s%s", sep, commands[i]->name);
                                sep = ", ";
                        }
                fputc('\n', stderr);
                return -EINVAL;
        }
        fprintf(stderr, "kizuki: unknown command '%s'\n", name);
        command_suggest(name);
        fprintf(stderr, "Run 'kizuki --help' for a list of commands.\n");
        return -ENOENT;
}

static void help_main(void) {
        int width = 0;

        for (size_t i = 0; i < ELEMENTSOF(commands); i++) {
                int w = (int) (strlen(commands[i]->name) + 1 + strlen(commands[i]->usage));
                if (w > width)
                        width = w;
        }
        if (width > 34)
                width = 34;

        printf("Usage: kizuki [OPTION]... [COMMAND [ARGS...]]\n"
               "\n"
               "Show and control what kizukid records: the seconds you were active and the\n"
               "seconds it observed, per local hour, nothing else. Without a command: your\n"
               "unread nudges, then the status.\n"
               "\n"
               "Commands:\n");
        for (size_t i = 0; i < ELEMENTSOF(commands); i++) {
                const Command *c = commands[i];
                char line[128];
                snprintf(line, sizeof line, "%s%s%s", c->name, *c->usage ? " " : "", c->usage);
                if ((int) strlen(line) > width)
                        printf("  %s\n  %-*s  %s\n", line, width, "", c->summary);
                else
                        printf("  %-*s  %s\n", width, line, c->summary);
        }
        printf("\n"
               "Options:\n"
               "  --socket PATH  Talk to kizukid at PATH (default: $KIZUKI_SOCKET, else\n"
               "                 $XDG_RUNTIME_DIR/kizuki/io.kizuki.Daemon)\n"
               "  --color WHEN   Colour the output: auto (default: on a terminal, unless\n"
               "                 NO_COLOR is set), always or never; also after the command\n"
               "  --no-pager     Do not page long output on a terminal ($KIZUKI_PAGER, else\n"
               "                 $PAGER, else less -FRX); also after the command\n"
               "  --ascii        Draw charts and arrows in ASCII (the default when the\n"
               "                 locale is not UTF-8); also after the command\n"
               "  -h, --help     Show this help\n"
               "  --version      Show the version\n"
               "\n"
               "Commands may be abbreviated to a unique prefix. 'kizuki COMMAND --help' shows\n"
               "the options of a command; kizuki(1) has the details.\n");
}

static int help_exec(const Command *cmd, Ctx *ctx) {
        const Command *target;
        int r;

        (void) cmd;
        if (ctx->argc == 0) {
                help_main();
                return 0;
        }
        r = command_find(ctx->argv[0], &target);
        if (r < 0) {
                ctx->usage_error = true;
                return r;
        }
        return cmd_print_help(target);
}

static bool color_valid(const char *when) {
        return strcmp(when, "auto") == 0 || strcmp(when, "always") == 0 || strcmp(when, "never") == 0;
}

/* --color, --no-pager and --ascii are global but may also follow the command
 * ("kizuki week --color=never"): take "--color[=| ]WHEN" (or --colour),
 * --no-pager and --ascii out of the command's arguments, up to a "--".
 * Returns the number of arguments left, or -EINVAL for a missing or bad WHEN. */
static int global_extract(int argc, char **argv, const char **color, bool *no_pager, bool *ascii) {
        int n = 1;

        for (int i = 1; i < argc; i++) {
                const char *a = argv[i], *when = NULL;
                if (strcmp(a, "--") == 0) {
                        while (i < argc)
                                argv[n++] = argv[i++];
                        break;
                }
                if (strcmp(a, "--no-pager") == 0 || strcmp(a, "--ascii") == 0) {
                        *(a[2] == 'n' ? no_pager : ascii) = true;
                        continue;
                }
                if (strncmp(a, "--color=", 8) == 0)
                        when = a + 8;
                else if (strncmp(a, "--colour=", 9) == 0)
                        when = a + 9;
                else if (strcmp(a, "--color") == 0 || strcmp(a, "--colour") == 0) {
                        if (i + 1 >= argc)
                                return -EINVAL;
                        when = argv[++i];
                } else {
                        argv[n++] = argv[i];
                        continue;
                }
                if (!color_valid(when))
                        return -EINVAL;
                *color = when;
        }
        argv[n] = NULL;
        return n;
}

int main(int argc, char **argv) {
        static const struct option options[] = {
                { "socket", required_argument, NULL, 's' },
                { "color", required_argument, NULL, 'c' },
                { "colour", required_argument, NULL, 'c' },
                { "no-pager", no_argument, NULL, 'P' },
                { "ascii", no_argument, NULL, 'A' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, 'V' },
                {},
        };
        static char progname[] = "kizuki";
        _cleanup_free_ char *socket_default = NULL, *cmd_argv0 = NULL;
        _cleanup_free_ char **cmd_argv = NULL;
        const char *socket_path = NULL, *color = "auto";
        const Command *cmd = &cmd_status;
        bool no_pager = false, help = false, ascii = false;
        Ctx ctx = {};
        int c, r;

        if (argc > 0)
                argv[0] = progname; /* getopt's messages start with it */

        /* "+": stop at the command, whose options are its own. */
        while ((c = getopt_long(argc, argv, "+h", options, NULL)) >= 0)
                switch (c) {
                case 's':
                        socket_path = optarg;
                        break;
                case 'c':
                        if (!color_valid(optarg)) {
                                fprintf(stderr, "kizuki: invalid --color '%s' (expected auto, always or never)\n"
                                        "Run 'kizuki --help' for usage.\n", optarg);
                                return EXIT_USAGE;
                        }
                        color = optarg;
                        break;
                case 'P':
                        no_pager = true;
                        break;
                case 'A':
                        ascii = true;
                        break;
                case 'h':
                        help = true;
                        break;
                case 'V':
                        printf("kizuki %s\n", KIZUKI_VERSION);
                        return EXIT_SUCCESS;
                default:
                        fprintf(stderr, "Run 'kizuki --help' for usage.\n");
                        return EXIT_USAGE;
                }

        if (help) {
                if (!no_pager)
                        (void) pager_open();
                help_main();
                pager_close();
                return EXIT_SUCCESS;
        }

        if (!socket_path || !*socket_path) {
                const char *e = getenv("KIZUKI_SOCKET");
                if (e && *e)
                        socket_path = e;
                else {
                        if (protocol_socket_path(&socket_default) < 0) {
                                fprintf(stderr, "kizuki: out of memory\n");
                                return EXIT_FAILURE;
                        }
                        socket_path = socket_default;
                }
        }
        ctx.socket_path = socket_path;

        if (optind < argc && command_find(argv[optind], &cmd) < 0)
                return EXIT_USAGE;
        ctx.home = optind >= argc;

        /* The command's own argv: "kizuki NAME" (for getopt's messages) and its arguments. */
        int cmd_argc = optind < argc ? argc - optind : 1;
        cmd_argv = calloc((size_t) cmd_argc + 1, sizeof *cmd_argv);
        if (!cmd_argv || asprintf(&cmd_argv0, "kizuki %s", cmd->name) < 0) {
                cmd_argv0 = NULL;
                fprintf(stderr, "kizuki: out of memory\n");
                return EXIT_FAILURE;
        }
        cmd_argv[0] = cmd_argv0;
        for (int i = 1; i < cmd_argc; i++)
                cmd_argv[i] = argv[optind + i];
        cmd_argc = global_extract(cmd_argc, cmd_argv, &color, &no_pager, &ascii);
        if (cmd_argc < 0) {
                fprintf(stderr, "kizuki: invalid --color (expected auto, always or never)\n"
                        "Run 'kizuki --help' for usage.\n");
                return EXIT_USAGE;
        }

        /* "always" wins over NO_COLOR: it is asked for explicitly (tests, pagers). */
        if (strcmp(color, "auto") == 0)
                ctx.color = output_want_color();
        else
                ctx.color = strcmp(color, "always") == 0;
        ctx.columns = output_columns();
        ctx.pager = !no_pager;
        output_set_ascii(ascii || !output_locale_utf8());

        optind = 0; /* glibc: 0 re-initialises getopt completely */
        r = cmd_run(cmd, cmd_argc, cmd_argv, &ctx);

        if (fflush(stdout) == EOF || ferror(stdout)) {
                fprintf(stderr, "kizuki: cannot write output: %s\n", strerror(errno));
                pager_close();
                return EXIT_FAILURE;
        }
        pager_close();
        if (r >= 0)
                return EXIT_SUCCESS;
        return ctx.usage_error ? EXIT_USAGE : EXIT_FAILURE;
}

/* kizuki actogram [--weeks N] [--to D] [--double] [--json]: hours × days heat
 * map of active minutes (GetRange), one row per local day, optionally
 * double-plotted as in circadian research (cli/actogram.c draws it). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "actogram.h"
#include "client.h"
#include "hours.h"
#include "kizuki.h"
#include "macro.h"
#include "output.h"

#define WEEKS_DEFAULT 4
#define WEEKS_MAX 104 /* GetRange serves at most 800 days */

typedef struct ActogramArgs {
        long weeks;       /* --weeks */
        const char *to;   /* --to */
        bool double_plot; /* --double */
} ActogramArgs;

static const CmdOption actogram_options[] = {
        CMD_OPTION_NUMBER("weeks", 'w', 0, ActogramArgs, weeks, WEEKS_MAX, "invalid number of weeks",
                          CMD_HELP("--weeks N", "How many weeks (default 4, at most 104).")),
        CMD_OPTION_STRING("to", 't', ActogramArgs, to,
                          CMD_HELP("--to DATE", "The last day: YYYY-MM-DD, today (default), yesterday,\n-Nd, -Nw, this-week or last-week.")),
        CMD_OPTION_BOOL("double", 'd', ActogramArgs, double_plot,
                        CMD_HELP("--double", "Double-plot: each row shows a day and the next (48 hours).")),
        CMD_OPTION_JSON_HELP("Print the hours as 'kizuki hours --json' does."),
        {},
};

static int actogram_exec(const Command *cmd, Ctx *ctx) {
        _cleanup_free_ Hour *hours = NULL;
        const ActogramArgs *args = ctx->userdata;
        CmdDays d;
        size_t n = 0;
        int r;

        r = cmd_parse_range(cmd, ctx, &(CmdRange) { .to = args->to }, 7 * args->weeks, &d);
        if (r < 0)
                return r;

        r = hours_fetch(ctx, KIZUKI_NAME("GetRange"), &hours, &n, "from", d.from, "to", d.to, NULL);
        if (r <= 0)
                return r;
        printf("%sActivity from %s to %s%s%s\n", output_color(ctx->color, ANSI_BOLD), d.from, d.to,
               args->double_plot ? ", double-plotted (each row: a day and the next)" : "",
               output_color(ctx->color, ANSI_RESET));
        return actogram_print(ctx, hours, n, d.from_day, (size_t) (7 * args->weeks), args->double_plot);
}

COMMAND(actogram,
        .usage = "[--weeks N] [--to DATE] [--double] [--json]",
        .summary = "Show active minutes as hours × days",
        .pager = true,
        .options = actogram_options,
        CMD_USERDATA_INIT(ActogramArgs, .weeks = WEEKS_DEFAULT));

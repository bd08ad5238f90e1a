/* kizuki days [--from D] [--to D] [--json]: the daily signals of a range of
 * local days (GetDays), as a table or as JSON (cli/days.c). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "days.h"
#include "kizuki.h"
#include "macro.h"
#include "output.h"
#include "timeutil.h"

#define DAYS_DEFAULT 14
#define DAYS_MAX 3700 /* GetDays' limit */

static const CmdOption days_options[] = {
        CMD_OPTIONS_RANGE("The first day (default: 13 days before --to).",
                          "The last day (default: today).\nDATE: YYYY-MM-DD, today, yesterday, -Nd, -Nw,\nthis-week or last-week.",
                          "{\"days\":[{\"date\",\"screen_h\",…}, …]} (see kizuki(1))."),
        {},
};

static int days_exec(const Command *cmd, Ctx *ctx) {
        _cleanup_free_ Day *days = NULL;
        const CmdRange *args = ctx->userdata;
        CmdDays d;
        size_t n = 0;
        int r;

        r = cmd_parse_range(cmd, ctx, args, DAYS_DEFAULT, &d);
        if (r < 0)
                return r;
        if (d.from_day > d.to_day)
                return cmd_usage_error(cmd, ctx, "--from %s is after --to %s", d.from, d.to);
        if ((d.to_day - d.from_day) / DAY_S + 1 > DAYS_MAX)
                return cmd_usage_error(cmd, ctx, "at most %d days at a time", DAYS_MAX);

        r = days_fetch(ctx, d.from, d.to, &days, &n, NULL);
        if (r < 0)
                return r;
        if (ctx->json)
                return days_print_json(days, n);
        if (n == 0) {
                printf("No days from %s to %s.\n", d.from, d.to);
                return 0;
        }
        r = days_print_table(ctx, days, n, true);
        if (r < 0)
                return r;
        return output_wrap(stdout, 0, "",
                           "Up and Down: the first and the last activity between two rest windows (Down may pass "
                           "midnight). Rest window: the longest break from this computer around the night, an "
                           "upper bound on sleep, not sleep. SRI: how alike the last 7 days were (-100 to 100).",
                           output_prose_columns(ctx->columns));
}

COMMAND(days,
        .usage = "[--from DATE] [--to DATE] [--json]",
        .summary = "Show the daily signals of a range of days",
        .pager = true,
        .options = days_options,
        CMD_USERDATA(CmdRange));

/* kizuki hours [--date YYYY-MM-DD] [--json]: active and observed time per
 * local hour of one day. Bucket times are shown in the offset recorded with
 * each bucket, never in the process's time zone. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "hours.h"
#include "kizuki.h"
#include "macro.h"
#include "output.h"

#define BAR_WIDTH 20 /* at most; less on a narrow terminal, none under BAR_MIN */
#define BAR_MIN 4

static int hours_print(const Ctx *ctx, const char *date, int64_t day, const Hour *hours, size_t n) {
        const char *bold = output_color(ctx->color, ANSI_BOLD), *reset = output_color(ctx->color, ANSI_RESET);
        const char *green = output_color(ctx->color, ANSI_GREEN);
        char weekday[16], label[24], off[8], a[OUTPUT_DURATION_MAX], o[OUTPUT_DURATION_MAX];
        char bar[OUTPUT_BAR_MAX(BAR_WIDTH)];
        int64_t total_active = 0, total_observed = 0;
        bool mixed = false;

        if (n == 0) {
                printf("No hours recorded on %s.\n", date);
                return 0;
        }
        for (size_t i = 1; i < n; i++)
                mixed = mixed || hours[i].utc_offset != hours[0].utc_offset;
        /* The bar takes what the terminal has left after the figures. */
        unsigned used = (mixed ? 12 : 5) + 2 + 6 + 2 + 8 + 2;
        unsigned bar_width = ctx->columns > used ? ctx->columns - used : 0;
        if (bar_width > BAR_WIDTH)
                bar_width = BAR_WIDTH;
        if (bar_width < BAR_MIN)
                bar_width = 0;

        /* parse_date() gives the date's 00:00 read as UTC: its weekday is the local one. */
        if (output_bucket_time(weekday, sizeof weekday, day, 0, "%A") < 0)
                weekday[0] = '\0';
        printf("%s%s %s%s\n", bold, weekday, date, reset);
        printf("%s%-*s  %6s  %8s%s\n", bold, mixed ? 12 : 5, "Hour", "Active", "Observed", reset);

        for (size_t i = 0; i < n; i++) {
                const Hour *h = hours + i;
                if (output_bucket_time(label, sizeof label, h->start, h->utc_offset, "%H:%M") < 0)
                        return -ERANGE;
                if (mixed && output_offset(off, sizeof off, h->utc_offset) >= 0) {
                        size_t len = strlen(label);
                        snprintf(label + len, sizeof label - len, " %s", off);
                }
                output_bar(bar, sizeof bar, (double) h->active_s / 3600.0, bar_width);
                printf("%-*s  %6s  %8s", mixed ? 12 : 5, label,
                       output_duration(a, sizeof a, h->active_s), output_duration(o, sizeof o, h->observed_s));
                if (*bar)
                        printf("  %s%s%s", green, bar, *green ? reset : "");
                putchar('\n');
                total_active += h->active_s;
                total_observed += h->observed_s;
        }
        printf("%sTotal:%s %s active, %s observed\n", bold, reset,
               output_duration(a, sizeof a, total_active), output_duration(o, sizeof o, total_observed));
        return 0;
}

/* --date into the const char * at userdata. */
static const CmdOption hours_options[] = {
        CMD_OPTION("date", 'd', CMD_ARG | CMD_STORE,
                   CMD_HELP("--date DATE", "The local day: YYYY-MM-DD, today (default), yesterday,\n-Nd, -Nw, this-week or last-week.")),
        CMD_OPTION_JSON_HELP("Print {\"hours\":[{\"start\",\"active_s\",\"observed_s\"}, …]}."),
        {},
};

static int hours_exec(const Command *cmd, Ctx *ctx) {
        _cleanup_free_ Hour *hours = NULL;
        const char *date_arg = *(const char **) ctx->userdata;
        char date[OUTPUT_DATE_MAX];
        int64_t day;
        size_t n = 0;
        int r;

        r = cmd_parse_day(cmd, ctx, date_arg, date, &day);
        if (r < 0)
                return r;
        r = hours_fetch(ctx, KIZUKI_NAME("GetHours"), &hours, &n, "date", date, NULL);
        if (r <= 0)
                return r;
        return hours_print(ctx, date, day, hours, n);
}

COMMAND(hours,
        .usage = "[--date DATE] [--json]",
        .summary = "Show active time per hour of a day",
        .pager = true,
        .options = hours_options,
        CMD_USERDATA(const char *));

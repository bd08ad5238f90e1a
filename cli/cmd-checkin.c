/* kizuki checkin [--went-out yes|no] [--met-someone yes|no] [--mood 1-5]
 * [--date D]: the person's own answers for a day (Checkin). Without answers on
 * the command line it asks three short questions on the terminal; every one
 * can be skipped. It never reminds or insists. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "client.h"
#include "kizuki.h"
#include "macro.h"
#include "output.h"

#define ASK_TRIES 3

/* "1".."5" → the mood, else -EINVAL. */
static int parse_mood(const char *s) {
        return strlen(s) == 1 && s[0] >= '1' && s[0] <= '5' ? s[0] - '0' : -EINVAL;
}

/* Ask a question until an answer parse() takes or a skip (empty, "s",
 * "skip", end of input, or ASK_TRIES answers it did not take). The answer, or
 * -1 when skipped; *eof is set at the end of input. */
static int ask(FILE *out, const char *question, int (*parse)(const char *), bool *eof) {
        _cleanup_free_ char *line = NULL;
        size_t size = 0;

        if (*eof)
                return -1;
        for (int i = 0; i < ASK_TRIES; i++) {
                fputs(question, out);
                fflush(out);
                if (getline(&line, &size, stdin) < 0) {
                        fputc('\n', out);
                        *eof = true;
                        return -1;
                }
                line[strcspn(line, "\r\n")] = '\0';
                char *s = line + strspn(line, " \t");
                s[strcspn(s, " \t")] = '\0';
                if (*s == '\0' || strcasecmp(s, "s") == 0 || strcasecmp(s, "skip") == 0)
                        return -1;
                int v = parse(s);
                if (v >= 0)
                        return v;
        }
        fprintf(out, "Skipped.\n");
        return -1;
}

static void checkin_ask(const char *when, int *went_out, int *met_someone, int *mood) {
        /* The questions go where the person looks: stdout, unless that is redirected. */
        FILE *out = isatty(STDOUT_FILENO) ? stdout : stderr;
        char q[160];
        bool eof = false;

        snprintf(q, sizeof q, "Did you go outside %s? [y/n/skip] ", when);
        *went_out = ask(out, q, cmd_parse_yes_no, &eof);
        snprintf(q, sizeof q, "Did you meet or talk with someone (not online)%s%s? [y/n/skip] ",
                 strcmp(when, "today") == 0 ? "" : " ", strcmp(when, "today") == 0 ? "" : when);
        *met_someone = ask(out, q, cmd_parse_yes_no, &eof);
        snprintf(q, sizeof q, "Mood %s, 1 (low) to 5 (good)? [1-5/skip] ", when);
        *mood = ask(out, q, parse_mood, &eof);
}

typedef struct CheckinArgs {
        int went_out, met_someone, mood; /* -1: not given */
        const char *date;                /* --date */
} CheckinArgs;

static const CmdOption checkin_options[] = {
        CMD_OPTION_PARSE("went-out", 'o', 0, CheckinArgs, went_out, cmd_parse_yes_no, "invalid answer",
                         " to --went-out (yes or no)", CMD_HELP("--went-out yes|no", "Whether you went outside.")),
        CMD_OPTION_PARSE("met-someone", 'm', 0, CheckinArgs, met_someone, cmd_parse_yes_no, "invalid answer",
                         " to --met-someone (yes or no)",
                         CMD_HELP("--met-someone yes|no", "Whether you met or talked with someone (not online).")),
        CMD_OPTION_PARSE("mood", 'M', 0, CheckinArgs, mood, parse_mood, "invalid mood", " (1, low, to 5, good)",
                         CMD_HELP("--mood 1-5", "Your mood, 1 (low) to 5 (good).")),
        CMD_OPTION_STRING("date", 'd', CheckinArgs, date,
                          CMD_HELP("--date DATE", "The day: YYYY-MM-DD, today (default), yesterday, -Nd,\n-Nw, this-week or last-week.")),
        {},
};

static int checkin_exec(const Command *cmd, Ctx *ctx) {
        _cleanup_json_ json_object *params = NULL, *reply = NULL;
        CheckinArgs *args = ctx->userdata;
        char date[OUTPUT_DATE_MAX], today[OUTPUT_DATE_MAX], when[48];
        int64_t day, today_day;
        int r;

        r = cmd_parse_day(cmd, ctx, args->date, date, &day);
        if (r >= 0)
                r = cmd_parse_day(cmd, ctx, NULL, today, &today_day);
        if (r < 0)
                return r;

        if (args->went_out < 0 && args->met_someone < 0 && args->mood < 0) {
                if (!isatty(STDIN_FILENO))
                        return cmd_usage_error(cmd, ctx, "give --went-out, --met-someone or --mood "
                                               "(or run it on a terminal to be asked)");
                if (day == today_day)
                        snprintf(when, sizeof when, "today");
                else if (day == today_day - DAY_S)
                        snprintf(when, sizeof when, "yesterday");
                else if (output_bucket_time(when, sizeof when, day, 0, "on %a %Y-%m-%d") < 0)
                        return -ERANGE;
                checkin_ask(when, &args->went_out, &args->met_someone, &args->mood);
                if (args->went_out < 0 && args->met_someone < 0 && args->mood < 0) {
                        printf("Nothing to save.\n");
                        return 0;
                }
        }

        params = json_object_new_object();
        if (!params || json_object_object_add(params, "date", json_object_new_string(date)) < 0 ||
            (args->went_out >= 0 &&
             json_object_object_add(params, "went_out", json_object_new_boolean(args->went_out)) < 0) ||
            (args->met_someone >= 0 &&
             json_object_object_add(params, "met_someone", json_object_new_boolean(args->met_someone)) < 0) ||
            (args->mood >= 0 && json_object_object_add(params, "mood", json_object_new_int(args->mood)) < 0))
                return -ENOMEM;
        r = client_invoke(ctx->socket_path, KIZUKI_NAME("Checkin"), params, &reply);
        if (r < 0)
                return r;
        printf("Saved your check-in for %s.\n", date);
        return 0;
}

COMMAND(checkin,
        .usage = "[--went-out yes|no] [--met-someone yes|no] [--mood 1-5] [--date DATE]",
        .summary = "Note how your day went",
        .options = checkin_options,
        CMD_USERDATA_INIT(CheckinArgs, .went_out = -1, .met_someone = -1, .mood = -1));

/* kizuki explain ID|POLICY|FILE [--days N] [--to DATE] [--json]: the figures
 * behind a nudge or a policy. The policy is replayed locally over the stored
 * days (GetDays), as kizuki policy test does and as kizukid evaluates it; for
 * a nudge, its policy as of the nudge's day. Shows the last days' daily value,
 * window aggregate, baseline (or threshold) and spread, score, condition and
 * state, one sentence why it fired or did not on the last day, and the
 * policy's parameters. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "days.h"
#include "kizuki.h"
#include "macro.h"
#include "nudge-view.h"
#include "output.h"
#include "policy-common.h"

#define EXPLAIN_DAYS_DEFAULT 14
#define EXPLAIN_DAYS_MAX 366
#define WHY_MAX 512

typedef struct Explain {
        const Policy *p;
        const Day *days;
        const PolicyEval *ev; /* the policy's row: one per day */
        size_t n_days;
        size_t first, last;   /* the days shown: [first, last] */
} Explain;

/* The policy file's name of a window's aggregate. */
static const char *aggregate_name(PolicyAggregate a) {
        const char *name = policy_aggregate_name(a);
        return name ? name : "mean";
}

/* What a detector's score is called; NULL for a threshold (it has none). */
static const char *const score_names[] = {
        [POLICY_BASELINE] = "z",
        [POLICY_CUSUM] = "CUSUM",
        [POLICY_TREND] = "slope/day",
        [POLICY_COMPOSITE] = "firing",
};

static const char *score_name(PolicyDetector d) {
        return (unsigned) d < ELEMENTSOF(score_names) ? score_names[d] : NULL;
}

static bool is_checkin_signal(PolicySignal s) {
        return s == POLICY_SIGNAL_WENT_OUT || s == POLICY_SIGNAL_MET_SOMEONE || s == POLICY_SIGNAL_MOOD;
}

/* A number that is not on the time-of-day line (spread, score): "%.2f", or
 * whole; "-" for NaN, "∞" for infinities. */
static const char *format_number(double v, char *buf, size_t size) {
        if (isnan(v))
                snprintf(buf, size, "-");
        else if (isinf(v))
                snprintf(buf, size, "%s∞", v < 0 ? "-" : "");
        else if (fabs(v - round(v)) < 1e-9 && fabs(v) < 1e15)
                snprintf(buf, size, "%.0f", v);
        else
                snprintf(buf, size, "%.2f", v);
        return buf;
}

/* The daily value as the replay sees it: NAN when null or on a low-coverage day. */
static double valid_daily(const Policy *p, const Day *d) {
        if (!is_checkin_signal(p->signal) && d->coverage_h < POLICY_MIN_COVERAGE_H)
                return NAN;
        return policy_common_daily(p, d);
}

/* Valid days among days (i - from_back) .. (i - to_back) that exist. */
static unsigned count_valid(const Explain *x, size_t i, size_t from_back, size_t to_back, unsigned *ret_span) {
        unsigned n = 0, span = 0;
        for (size_t k = to_back; k <= from_back; k++) {
                if (k > i)
                        break;
                span++;
                if (!isnan(valid_daily(x->p, &x->days[i - k])))
                        n++;
        }
        if (ret_span)
                *ret_span = span;
        return n;
}

/* The condition of the detector on the last day, as words. */
static void why_condition(const Explain *x, const PolicyEval *e, char *buf, size_t size) {
        const Policy *p = x->p;
        char a[32], b[32], c[32], d[32];

        switch (p->detector) {
        case POLICY_THRESHOLD:
                snprintf(buf, size, "the window %s %s is %s the threshold %s", aggregate_name(p->aggregate),
                         policy_common_format(p, e, e->value, a, sizeof a),
                         e->condition ? (p->up ? "above" : "below") : (p->up ? "not above" : "not below"),
                         policy_common_format(p, e, e->baseline, b, sizeof b));
                break;
        case POLICY_BASELINE: {
                double change = p->up ? e->value - e->baseline : e->baseline - e->value;
                bool z_ok = p->up ? e->score >= p->z_min : e->score <= -p->z_min;
                if (z_ok && !e->condition)
                        snprintf(buf, size, "z = %s reaches %s%s, but the change of %s is below min_change %s",
                                 format_number(e->score, a, sizeof a), p->up ? "" : "-",
                                 format_number(p->z_min, b, sizeof b), format_number(change, c, sizeof c),
                                 format_number(p->min_change, d, sizeof d));
                else
                        snprintf(buf, size, "z = %s %s %s%s", format_number(e->score, a, sizeof a),
                                 z_ok ? "reaches" : p->up ? "is below" : "is above", p->up ? "" : "-",
                                 format_number(p->z_min, b, sizeof b));
                break;
        }
        case POLICY_CUSUM:
                snprintf(buf, size, "the CUSUM sum %s is %s h = %s", format_number(e->score, a, sizeof a),
                         e->condition ? "above" : "not above", format_number(p->cusum_h, b, sizeof b));
                break;
        case POLICY_TREND:
                snprintf(buf, size, "the slope of %s per day %s %s%s", format_number(e->score, a, sizeof a),
                         e->condition ? "reaches" : p->up ? "is below" : "is above", p->up ? "" : "-",
                         format_number(p->min_slope, b, sizeof b));
                break;
        case POLICY_COMPOSITE:
                snprintf(buf, size, "%s of the named policies %s firing, %d needed",
                         format_number(e->score, a, sizeof a), e->score == 1 ? "is" : "are", p->composite_min);
                break;
        }
}

/* An unknown day changes nothing: say what stays. */
static const char *unchanged(const PolicyEval *e) {
        return e->state == POLICY_FIRING ? "; it stays firing" : e->state == POLICY_PENDING ? "; it stays pending" : "";
}

/* One sentence why the policy fired or did not on day i. */
static void why(const Explain *x, size_t i, char *buf, size_t size) {
        const Policy *p = x->p;
        const PolicyEval *e = &x->ev[i];
        char cond[256], since[OUTPUT_DATE_MAX] = "", last_nudge[OUTPUT_DATE_MAX] = "";
        unsigned span;

        if (!e->known) {
                if (p->detector != POLICY_CUSUM && p->detector != POLICY_COMPOSITE) {
                        int need = p->detector == POLICY_TREND ? p->trend_min_days : p->min_valid_days;
                        unsigned k = count_valid(x, i, (size_t) p->window_days - 1, 0, &span);
                        if (k < (unsigned) need) {
                                snprintf(buf, size, "not enough data: %u valid day%s in the %d-day window, %d needed%s",
                                         k, k == 1 ? "" : "s", p->window_days, need, unchanged(e));
                                return;
                        }
                }
                if (p->detector == POLICY_BASELINE || p->detector == POLICY_CUSUM) {
                        size_t off = p->detector == POLICY_BASELINE ? (size_t) p->window_days : 1;
                        unsigned k = count_valid(x, i, off + (size_t) p->baseline_days - 1, off, &span);
                        snprintf(buf, size, "not enough data for the baseline: %u valid day%s of %d, %d needed%s", k,
                                 k == 1 ? "" : "s", p->baseline_days, p->baseline_min_days, unchanged(e));
                        return;
                }
                snprintf(buf, size, "not enough data%s", unchanged(e));
                return;
        }

        why_condition(x, e, cond, sizeof cond);
        /* Where the current state began, and the last nudge in the replay. */
        size_t start = i;
        while (start > 0 && x->ev[start - 1].state == e->state)
                start--;
        (void) output_format_day(since, sizeof since, x->days[start].day);
        for (size_t k = i + 1; k-- > 0;)
                if (x->ev[k].nudge) {
                        (void) output_format_day(last_nudge, sizeof last_nudge, x->days[k].day);
                        break;
                }

        switch (e->state) {
        case POLICY_INACTIVE:
                snprintf(buf, size, "%s", cond);
                break;
        case POLICY_PENDING:
                snprintf(buf, size, "%s; pending since %s, it fires once that has held for %d days", cond, since,
                         p->for_days);
                break;
        case POLICY_FIRING:
                if (e->nudge)
                        snprintf(buf, size, "%s; firing since %s (for %d day%s reached): a nudge was raised", cond,
                                 since, p->for_days, p->for_days == 1 ? "" : "s");
                else if (!e->condition)
                        snprintf(buf, size, "%s, but it keeps firing (since %s) for keep_firing_for %d day%s", cond,
                                 since, p->keep_firing_for_days, p->keep_firing_for_days == 1 ? "" : "s");
                else if (*last_nudge)
                        snprintf(buf, size, "%s; firing since %s, in cooldown since the nudge of %s (%d days)", cond,
                                 since, last_nudge, p->cooldown_days);
                else
                        snprintf(buf, size, "%s; firing since %s", cond, since);
                break;
        }
}

static void print_parameters(const Policy *p) {
        char a[32], b[32];

        printf("Policy %s: %s, %s, %s.\n", p->name, policy_detector_name(p->detector), p->up ? "up" : "down",
               policy_severity_name(p->severity));
        if (p->detector != POLICY_COMPOSITE)
                printf("  Signal %s, window %d days (%s, at least %d valid).\n", policy_signal_name(p->signal),
                       p->window_days, aggregate_name(p->aggregate), p->min_valid_days);
        switch (p->detector) {
        case POLICY_THRESHOLD:
                printf("  Threshold %s.\n", policy_common_format(p, NULL, p->threshold, a, sizeof a));
                break;
        case POLICY_BASELINE:
                printf("  Baseline %d days before the window (at least %d valid); z %s, min_change %s.\n",
                       p->baseline_days, p->baseline_min_days, format_number(p->z_min, a, sizeof a),
                       format_number(p->min_change, b, sizeof b));
                break;
        case POLICY_CUSUM:
                printf("  Baseline %d days (at least %d valid); k %s, h %s.\n", p->baseline_days, p->baseline_min_days,
                       format_number(p->cusum_k, a, sizeof a), format_number(p->cusum_h, b, sizeof b));
                break;
        case POLICY_TREND:
                printf("  Trend: min_slope %s per day, at least %d days.\n", format_number(p->min_slope, a, sizeof a),
                       p->trend_min_days);
                break;
        case POLICY_COMPOSITE:
                printf("  At least %d of:", p->composite_min);
                for (size_t i = 0; i < p->n_composite; i++)
                        printf(" %s", p->composite[i]);
                printf(".\n");
                break;
        }
        printf("  for %d day%s, keep_firing_for %d day%s, cooldown %d day%s.\n", p->for_days,
               p->for_days == 1 ? "" : "s", p->keep_firing_for_days, p->keep_firing_for_days == 1 ? "" : "s",
               p->cooldown_days, p->cooldown_days == 1 ? "" : "s");
}

static int print_human(const Ctx *ctx, const Explain *x, const char *reason) {
        const Policy *p = x->p;
        const char *score = score_name(p->detector);
        bool spread = p->detector == POLICY_BASELINE || p->detector == POLICY_CUSUM, low = false;
        const OutputColumn cols[] = {
                { .header = "Date" },
                { .header = "Value", .right = true },
                { .header = p->detector == POLICY_CUSUM ? "Daily x" : "Window", .right = true },
                { .header = p->detector == POLICY_THRESHOLD ? "Threshold" : "Baseline", .right = true },
                { .header = "Spread", .right = true, .drop = 2 },
                { .header = score ? score : "Score", .right = true },
                { .header = "Known", .drop = 1 },
                { .header = "Cond" },
                { .header = "State" },
                { .header = "Nudge" },
        };
        _cleanup_(output_table_freep) OutputTable *t = NULL;
        char v[32], a[32], b[32], s[32], z[32], date[OUTPUT_DATE_MAX];
        int r;

        print_parameters(p);
        putchar('\n');
        r = output_table_new(cols, ELEMENTSOF(cols), &t);
        if (r < 0)
                return r;
        for (size_t i = x->first; i <= x->last; i++) {
                const PolicyEval *e = &x->ev[i];
                const Day *d = &x->days[i];
                bool lowc = !is_checkin_signal(p->signal) && d->low_coverage;
                low = low || lowc;
                policy_common_format(p, NULL, policy_common_daily(p, d), v, sizeof v);
                if (spread && isfinite(e->spread))
                        format_number(e->spread, s, sizeof s);
                else
                        s[0] = '\0';
                if (output_table_row(t, e->nudge ? output_color(ctx->color, ANSI_BOLD) : NULL) < 0 ||
                    output_table_cell(t, 0, NULL, "%s", output_safe(date, sizeof date, d->date)) < 0 ||
                    output_table_cell(t, 1, NULL, "%s%s", p->detector == POLICY_COMPOSITE ? "" : v, lowc ? "*" : "") < 0 ||
                    output_table_cell(t, 2, NULL, "%s", policy_common_format(p, e, e->value, a, sizeof a)) < 0 ||
                    output_table_cell(t, 3, NULL, "%s", policy_common_format(p, e, e->baseline, b, sizeof b)) < 0 ||
                    output_table_cell(t, 4, NULL, "%s", s) < 0 ||
                    output_table_cell(t, 5, NULL, "%s", score ? format_number(e->score, z, sizeof z) : "") < 0 ||
                    output_table_cell(t, 6, NULL, "%s", e->known ? "yes" : "no") < 0 ||
                    output_table_cell(t, 7, NULL, "%s", !e->known ? "-" : e->condition ? "true" : "false") < 0 ||
                    output_table_cell(t, 8, NULL, "%s", policy_state_name(e->state)) < 0 ||
                    output_table_cell(t, 9, e->nudge ? output_color(ctx->color, ANSI_YELLOW) : NULL, "%s",
                                      e->nudge ? "raised" : "") < 0)
                        return -ENOMEM;
        }
        r = output_table_print(t, stdout, ctx->color, ctx->columns);
        if (r < 0)
                return r;
        if (low)
                printf("* low coverage: the day does not count.\n");
        putchar('\n');
        char date_last[OUTPUT_DATE_MAX];
        output_safe(date_last, sizeof date_last, x->days[x->last].date);
        char head[64];
        snprintf(head, sizeof head, "On %s: ", date_last);
        return output_wrap(stdout, 0, head, reason, ctx->columns);
}

static void add(json_object *o, const char *key, json_object *v) {
        json_object_object_add(o, key, v);
}

static int print_json(const Explain *x, const char *reason) {
        const Policy *p = x->p;
        _cleanup_json_ json_object *root = json_object_new_object();
        json_object *po = json_object_new_object(), *arr = json_object_new_array();

        if (!root || !po || !arr) {
                json_object_put(po);
                json_object_put(arr);
                return -ENOMEM;
        }
        add(root, "policy", po);
        add(po, "name", json_object_new_string(p->name));
        add(po, "detector", json_object_new_string(policy_detector_name(p->detector)));
        add(po, "direction", json_object_new_string(p->up ? "up" : "down"));
        add(po, "severity", json_object_new_string(policy_severity_name(p->severity)));
        if (p->detector != POLICY_COMPOSITE) {
                add(po, "signal", json_object_new_string(policy_signal_name(p->signal)));
                add(po, "aggregate", json_object_new_string(aggregate_name(p->aggregate)));
                add(po, "window_days", json_object_new_int(p->window_days));
                add(po, "min_valid_days", json_object_new_int(p->min_valid_days));
        }
        switch (p->detector) {
        case POLICY_THRESHOLD: {
                PolicyEval e0 = { .anchor_min = 0 };
                add(po, "threshold", policy_common_value_json(p, &e0, p->threshold));
                break;
        }
        case POLICY_BASELINE:
        case POLICY_CUSUM: /* both against a baseline */
                add(po, "baseline_days", json_object_new_int(p->baseline_days));
                add(po, "baseline_min_days", json_object_new_int(p->baseline_min_days));
                if (p->detector == POLICY_BASELINE) {
                        add(po, "z", output_json_double(p->z_min));
                        add(po, "min_change", output_json_double(p->min_change));
                } else {
                        add(po, "k", output_json_double(p->cusum_k));
                        add(po, "h", output_json_double(p->cusum_h));
                }
                break;
        case POLICY_TREND:
                add(po, "min_slope", output_json_double(p->min_slope));
                add(po, "trend_min_days", json_object_new_int(p->trend_min_days));
                break;
        case POLICY_COMPOSITE: {
                json_object *names = json_object_new_array();
                for (size_t i = 0; names && i < p->n_composite; i++)
                        json_object_array_add(names, json_object_new_string(p->composite[i]));
                add(po, "policies", names);
                add(po, "min_firing", json_object_new_int(p->composite_min));
                break;
        }
        }
        add(po, "for_days", json_object_new_int(p->for_days));
        add(po, "keep_firing_for_days", json_object_new_int(p->keep_firing_for_days));
        add(po, "cooldown_days", json_object_new_int(p->cooldown_days));

        add(root, "days", arr);
        for (size_t i = x->first; i <= x->last; i++) {
                const PolicyEval *e = &x->ev[i];
                const Day *d = &x->days[i];
                PolicyEval e0 = { .anchor_min = 0 };
                json_object *o = json_object_new_object();
                if (!o)
                        return -ENOMEM;
                json_object_array_add(arr, o);
                add(o, "date", json_object_new_string(d->date));
                add(o, "value", p->detector == POLICY_COMPOSITE ? NULL
                                                                 : policy_common_value_json(p, &e0, policy_common_daily(p, d)));
                add(o, "low_coverage", json_object_new_boolean(d->low_coverage));
                add(o, "aggregate", policy_common_value_json(p, e, e->value));
                add(o, "baseline", policy_common_value_json(p, e, e->baseline));
                add(o, "spread", output_json_double(e->spread));
                add(o, "score", output_json_double(e->score));
                add(o, "known", json_object_new_boolean(e->known));
                add(o, "condition", json_object_new_boolean(e->condition));
                add(o, "state", json_object_new_string(policy_state_name(e->state)));
                add(o, "nudge", json_object_new_boolean(e->nudge));
        }
        add(root, "why", json_object_new_string(reason));
        return output_json(root);
}

/* A nudge ID: digits only. */
static bool is_id(const char *s) {
        return *s && strspn(s, "0123456789") == strlen(s);
}

typedef struct ExplainArgs {
        long days;      /* --days */
        const char *to; /* --to */
} ExplainArgs;

static const CmdOption explain_options[] = {
        CMD_OPTION_NUMBER("days", 'd', 0, ExplainArgs, days, EXPLAIN_DAYS_MAX, "invalid --days",
                          CMD_HELP("--days N", "Days to show (default: 14).")),
        CMD_OPTION_STRING("to", 't', ExplainArgs, to, CMD_HELP("--to DATE", "The last day (default: today).")),
        CMD_OPTION_JSON_HELP("{\"policy\":{...},\"days\":[{\"date\",\"value\",...}],\n\"why\":\"...\"}"),
        {},
};

static int explain_exec(const Command *cmd, Ctx *ctx) {
        _cleanup_(policyset_freep) PolicySet *set = NULL;
        _cleanup_json_ json_object *nudges_reply = NULL;
        _cleanup_free_ Nudge *nudges = NULL;
        _cleanup_free_ Policy **active = NULL, **list = NULL;
        _cleanup_free_ Day *days = NULL;
        _cleanup_free_ PolicyEval *ev = NULL;
        Policy *owned = NULL, *target = NULL;
        PolicyProblems problems = {};
        const ExplainArgs *args = ctx->userdata;
        const char *what;
        char to[OUTPUT_DATE_MAX], reason[WHY_MAX];
        size_t n_nudges = 0, n_active = 0, n_days = 0, n_list, idx;
        int64_t to_day;
        int r;

        what = ctx->argv[0];
        r = cmd_parse_day(cmd, ctx, args->to, to, &to_day);
        if (r < 0)
                return r;
        if (is_id(what) && (strlen(what) > 18 || strtoll(what, NULL, 10) <= 0))
                return cmd_usage_error(cmd, ctx, "invalid nudge ID '%s'", what);

        /* A nudge: its policy, as of its day. */
        if (is_id(what)) {
                long long id = strtoll(what, NULL, 10);
                const Nudge *found = NULL;
                r = nudges_fetch(ctx, true, &nudges_reply, &nudges, &n_nudges);
                if (r < 0)
                        return r;
                for (size_t i = 0; i < n_nudges; i++)
                        if (nudges[i].id == id)
                                found = &nudges[i];
                if (!found) {
                        fprintf(stderr, "kizuki: no nudge %lld (see 'kizuki nudges --all')\n", id);
                        return -ENOENT;
                }
                if (dates_parse_day(found->date, to, &to_day) < 0) {
                        fprintf(stderr, "kizuki: kizukid sent a malformed nudge\n");
                        return -EBADMSG;
                }
                what = found->policy;
        }

        r = policy_common_load_set(&set, &problems);
        if (r < 0)
                return r;
        if (!is_id(ctx->argv[0]) && policy_common_is_file(what)) {
                r = policy_common_parse_file(what, &problems, &owned);
                if (r < 0)
                        goto out;
                target = owned;
        } else {
                for (size_t j = 0; j < set->n; j++)
                        if (strcmp(set->entries[j].name, what) == 0)
                                target = set->entries[j].policy;
                if (!target) {
                        char safe[256];
                        fprintf(stderr, "kizuki: no policy '%s' in force (see 'kizuki policy list')\n",
                                output_safe(safe, sizeof safe, what));
                        r = -ENOENT;
                        goto out;
                }
        }

        /* Replay it with the enabled policies, so a composite sees the ones it names. */
        r = policyset_active(set, &active, &n_active);
        if (r < 0)
                goto out;
        list = calloc(n_active + 1, sizeof *list);
        if (!list) {
                r = -ENOMEM;
                goto out;
        }
        n_list = 0;
        idx = SIZE_MAX;
        for (size_t i = 0; i < n_active; i++) {
                if (active[i] == target)
                        idx = n_list;
                list[n_list++] = active[i];
        }
        if (idx == SIZE_MAX) {
                idx = n_list;
                list[n_list++] = target;
        }

        int64_t first_shown = to_day - (args->days - 1) * DAY_S;
        r = policy_common_fetch_days(ctx, first_shown - POLICY_LEAD_IN_DAYS * DAY_S, to_day, &days, &n_days);
        if (r < 0)
                goto out;
        /* The days up to the last one asked for. */
        while (n_days > 0 && days[n_days - 1].day > to_day)
                n_days--;
        if (n_days == 0) {
                fprintf(stderr, "kizuki: no stored days up to %s\n", to);
                r = -ENODATA;
                goto out;
        }
        r = policy_common_replay(list, n_list, days, n_days, &ev);
        if (r < 0) {
                fprintf(stderr, "kizuki explain: cannot replay: %s\n", strerror(-r));
                goto out;
        }

        Explain x = { .p = target, .days = days, .ev = ev + idx * n_days, .n_days = n_days, .last = n_days - 1 };
        x.first = x.last;
        while (x.first > 0 && days[x.first - 1].day >= first_shown)
                x.first--;
        why(&x, x.last, reason, sizeof reason);
        r = ctx->json ? print_json(&x, reason) : print_human(ctx, &x, reason);
out:
        policy_free(owned);
        return r;
}

COMMAND(explain,
        .usage = "ID|POLICY|FILE [--days N] [--to DATE] [--json]",
        .summary = "Show the figures behind a nudge or policy",
        .pager = true,
        .help = "  ID                    A nudge: its policy as of the day it was raised.\n"
                "  POLICY                A policy in force (see 'kizuki policy list').\n"
                "  FILE                  A policy file (a path, or a name ending in .policy).\n",
        .args = { 1, 1 },
        .options = explain_options,
        CMD_USERDATA_INIT(ExplainArgs, .days = EXPLAIN_DAYS_DEFAULT));

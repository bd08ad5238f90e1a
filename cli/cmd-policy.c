/* kizuki policy list | check FILE... | test [NAME|FILE...] [--from D] [--to D] [--json] | eval
 *
 * check parses files only (like promtool check rules: 0 when all are good, 1
 * when any has problems). test judges each day on its replay window exactly as
 * the daemon decides it (policy_judge(), the daemon's settings), and lists the
 * days each would have nudged. eval has kizukid decide the newest complete
 * day now (EvalPolicies). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "kizuki.h"
#include "macro.h"
#include "nudge-view.h"
#include "output.h"
#include "policy-common.h"
#include "problems.h"

#define TEST_DAYS_DEFAULT 365
#define TEST_DAYS_MAX 3300 /* plus the lead-in, within GetDays' 3700 */

/* --- list ---------------------------------------------------------------- */

/* What list shows of a policy file: its state ("broken (previous version)"
 * when the file is broken and its last good version stays in force). */
static const char *policy_state(const PolicyEntry *e) {
        return !e->policy ? "broken" : e->stale ? "broken (previous version)" : e->policy->enabled ? "enabled" : "disabled";
}

/* {"policies":[{"name","path","state","stale","detector","severity"}]}: state
 * "enabled", "disabled" or "broken"; stale when broken and its previous
 * version stays in force (whose detector and severity these are, else null). */
static int policy_list_json(const PolicySet *set) {
        _cleanup_json_ json_object *root = json_object_new_object();
        json_object *arr = json_object_new_array();

        if (!root || !arr || json_object_object_add(root, "policies", arr) < 0) {
                json_object_put(arr);
                return -ENOMEM;
        }
        for (size_t i = 0; i < set->n; i++) {
                const PolicyEntry *e = &set->entries[i];
                const Policy *p = e->policy;
                json_object *o = json_object_new_object();
                if (!o || json_object_array_add(arr, o) < 0) {
                        json_object_put(o);
                        return -ENOMEM;
                }
                json_object_object_add(o, "name", json_object_new_string(e->name));
                json_object_object_add(o, "path", json_object_new_string(e->path));
                json_object_object_add(o, "state", json_object_new_string(!p || e->stale ? "broken"
                                                                           : p->enabled ? "enabled" : "disabled"));
                json_object_object_add(o, "stale", json_object_new_boolean(p && e->stale));
                json_object_object_add(o, "detector", p ? json_object_new_string(policy_detector_name(p->detector)) : NULL);
                json_object_object_add(o, "severity", p ? json_object_new_string(policy_severity_name(p->severity)) : NULL);
        }
        return output_json(root);
}

static int policy_list(Ctx *ctx) {
        _cleanup_(policyset_freep) PolicySet *set = NULL;
        PolicyProblems problems = {};
        int r = policy_common_load_set(&set, &problems);
        if (r < 0)
                return r;
        if (ctx->json)
                return policy_list_json(set);
        if (set->n == 0) {
                printf("No policy files found.\n");
                return 0;
        }
        static const OutputColumn cols[] = {
                { .header = "Policy" }, { .header = "State" }, { .header = "Detector" },
                { .header = "Severity" }, { .header = "File", .drop = 1 },
        };
        _cleanup_(output_table_freep) OutputTable *t = NULL;
        r = output_table_new(cols, ELEMENTSOF(cols), &t);
        if (r < 0)
                return r;
        for (size_t i = 0; i < set->n; i++) {
                const PolicyEntry *e = &set->entries[i];
                const Policy *p = e->policy;
                if (output_table_row(t, NULL) < 0 || output_table_cell(t, 0, NULL, "%s", e->name) < 0 ||
                    output_table_cell(t, 1, NULL, "%s", policy_state(e)) < 0 ||
                    output_table_cell(t, 2, NULL, "%s", p ? policy_detector_name(p->detector) : "-") < 0 ||
                    output_table_cell(t, 3, NULL, "%s", p ? policy_severity_name(p->severity) : "-") < 0 ||
                    output_table_cell(t, 4, NULL, "%s", e->path) < 0)
                        return -ENOMEM;
        }
        return output_table_print(t, stdout, ctx->color, ctx->columns);
}

/* --- check --------------------------------------------------------------- */

static int policy_check(int argc, char **argv) {
        PolicyProblems problems = {};
        unsigned bad = 0;
        for (int i = 0; i < argc; i++) {
                Policy *p = NULL;
                int r = policy_common_parse_file(argv[i], &problems, &p);
                if (r == -ENOMEM)
                        return r;
                if (r < 0 || !p) {
                        bad++;
                        continue;
                }
                printf("%s: OK (%s, %s, %s)\n", argv[i], p->name, policy_detector_name(p->detector),
                       p->enabled ? "enabled" : "disabled");
                policy_free(p);
        }
        if (bad > 0) {
                fprintf(stderr, "%u of %d file%s with problems\n", bad, argc, argc == 1 ? "" : "s");
                return -EINVAL;
        }
        return 0;
}

/* --- test ---------------------------------------------------------------- */

static int policy_test(const Command *cmd, Ctx *ctx, int argc, char **argv, const CmdRange *range) {
        _cleanup_(policyset_freep) PolicySet *set = NULL;
        PolicyProblems problems = {};
        Policy **chosen = NULL;
        Policy **owned = NULL; /* parsed from FILE arguments */
        size_t n_chosen = 0, n_owned = 0;
        _cleanup_free_ Day *days = NULL;
        _cleanup_free_ PolicyEval *ev = NULL;
        CmdDays range_days;
        size_t n_days = 0;
        int r;

        r = cmd_parse_range(cmd, ctx, range, TEST_DAYS_DEFAULT, &range_days);
        if (r < 0)
                return r;
        int64_t from_day = range_days.from_day, to_day = range_days.to_day;
        if (from_day > to_day || (to_day - from_day) / DAY_S + 1 > TEST_DAYS_MAX) {
                fprintf(stderr, "kizuki policy test: --from must not be after --to, and at most %d days\n",
                        TEST_DAYS_MAX);
                ctx->usage_error = true;
                return -EINVAL;
        }

        r = policy_common_load_set(&set, &problems);
        if (r < 0)
                return r;
        if (argc == 0) {
                r = policyset_active(set, &chosen, &n_chosen);
                if (r < 0)
                        return r;
        } else {
                chosen = calloc((size_t) argc + 1, sizeof *chosen);
                owned = calloc((size_t) argc + 1, sizeof *owned);
                if (!chosen || !owned) {
                        r = -ENOMEM;
                        goto out;
                }
                for (int i = 0; i < argc; i++) {
                        Policy *p = NULL;
                        if (policy_common_is_file(argv[i])) {
                                r = policy_common_parse_file(argv[i], &problems, &p);
                                if (r < 0)
                                        goto out;
                                owned[n_owned++] = p;
                        } else {
                                for (size_t j = 0; j < set->n; j++)
                                        if (strcmp(set->entries[j].name, argv[i]) == 0)
                                                p = set->entries[j].policy;
                                if (!p) {
                                        fprintf(stderr, "kizuki policy test: no policy '%s' (see 'kizuki policy list')\n",
                                                argv[i]);
                                        r = -ENOENT;
                                        goto out;
                                }
                        }
                        chosen[n_chosen++] = p;
                }
        }

        DaySettings settings;
        r = policy_common_fetch_days(ctx, from_day, to_day, &days, &n_days, &settings);
        if (r < 0)
                goto out;
        r = policy_common_judge(chosen, n_chosen, days, n_days, from_day, &settings, &ev);
        if (r < 0) {
                fprintf(stderr, "kizuki policy test: cannot replay: %s\n", strerror(-r));
                goto out;
        }

        if (ctx->json) {
                json_object *root = json_object_new_object(), *arr = json_object_new_array();
                if (!root || !arr) {
                        json_object_put(root);
                        json_object_put(arr);
                        r = -ENOMEM;
                        goto out;
                }
                json_object_object_add(root, "policies", arr);
                for (size_t i = 0; i < n_chosen; i++) {
                        const Policy *p = chosen[i];
                        json_object *po = json_object_new_object(), *fired = json_object_new_array();
                        json_object_object_add(po, "name", json_object_new_string(p->name));
                        for (size_t d = 0; d < n_days; d++) {
                                const PolicyEval *e = &ev[i * n_days + d];
                                if (!e->nudge || days[d].day < from_day)
                                        continue;
                                json_object *f = json_object_new_object();
                                json_object_object_add(f, "date", json_object_new_string(days[d].date));
                                json_object_object_add(f, "severity",
                                                       json_object_new_string(policy_severity_name(p->severity)));
                                json_object_object_add(f, "value", policy_common_value_json(p, e, e->value));
                                json_object_object_add(f, "baseline", policy_common_value_json(p, e, e->baseline));
                                json_object_array_add(fired, f);
                        }
                        json_object_object_add(po, "fired", fired);
                        json_object_array_add(arr, po);
                }
                r = output_json(root);
                json_object_put(root);
                goto out;
        }

        for (size_t i = 0; i < n_chosen; i++) {
                const Policy *p = chosen[i];
                unsigned count = 0;
                printf("%s (%s, %s):", p->name, policy_detector_name(p->detector), policy_severity_name(p->severity));
                for (size_t d = 0; d < n_days; d++) {
                        const PolicyEval *e = &ev[i * n_days + d];
                        if (!e->nudge || days[d].day < from_day)
                                continue;
                        _cleanup_free_ char *title = NULL;
                        if (policy_format(p, e, p->title, &title) < 0) {
                                r = -ENOMEM;
                                goto out;
                        }
                        char safe[256];
                        printf("\n  %s  %s", days[d].date, output_safe(safe, sizeof safe, title));
                        count++;
                }
                printf(count ? "\n" : " no nudge from %s to %s\n", count ? "" : range_days.from, range_days.to);
        }
        if (n_chosen == 0)
                printf("No enabled policies.\n");
        r = 0;
out:
        free(chosen);
        for (size_t i = 0; i < n_owned; i++)
                policy_free(owned[i]);
        free(owned);
        return r;
}

/* --- eval ---------------------------------------------------------------- */

static int policy_eval(Ctx *ctx) {
        _cleanup_json_ json_object *reply = NULL;
        _cleanup_free_ Nudge *raised = NULL;
        const char *date;
        char safe[OUTPUT_DATE_MAX];
        int64_t evaluated;
        size_t files, n;
        int r;

        r = cmd_invoke(ctx, KIZUKI_NAME("EvalPolicies"), NULL, &reply);
        if (r <= 0)
                return r;
        if (client_get_string(reply, "date", &date) < 0 || client_get_int(reply, "evaluated", &evaluated) < 0)
                goto bad;
        r = nudges_parse(reply, "raised", NULL, &raised, &n);
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                goto bad;
        /* The problems first: they may explain a policy that is missing. */
        if (problems_print(reply, &files) < 0)
                goto bad;

        printf("Evaluated %lld %s for %s: raised %zu %s.\n", (long long) evaluated,
               evaluated == 1 ? "policy" : "policies", output_safe(safe, sizeof safe, date), n,
               n == 1 ? "nudge" : "nudges");
        for (size_t i = 0; i < n; i++)
                nudge_print_line(ctx, &raised[i], 2);
        return 0;
bad:
        fprintf(stderr, "kizuki: kizukid sent a malformed reply to EvalPolicies\n");
        return -EBADMSG;
}

static const CmdOption policy_options[] = {
        CMD_OPTIONS_RANGE("First day to report (default: 364 days before --to).", "Last day (default: today).",
                          "list: {\"policies\":[{\"name\",\"path\",\"state\",\"stale\",\n"
                          "\"detector\",\"severity\"}]}; test: {\"policies\":[{\"name\",\n"
                          "\"fired\":[{\"date\",\"severity\",\"value\",\"baseline\"}]}]};\n"
                          "eval: the daemon's reply."),
        {},
};

static int policy_exec(const Command *cmd, Ctx *ctx) {
        const CmdRange *args = ctx->userdata;

        const char *verb = ctx->argv[0];
        char **rest = ctx->argv + 1;
        int n_rest = ctx->argc - 1;

        if (strcmp(verb, "list") == 0) {
                if (n_rest > 0)
                        return cmd_usage_error(cmd, ctx, "'list' takes no arguments");
                return policy_list(ctx);
        }
        if (strcmp(verb, "check") == 0) {
                if (n_rest == 0)
                        return cmd_usage_error(cmd, ctx, "'check' needs policy files");
                return policy_check(n_rest, rest);
        }
        if (strcmp(verb, "test") == 0)
                return policy_test(cmd, ctx, n_rest, rest, args);
        if (strcmp(verb, "eval") == 0) {
                if (n_rest > 0)
                        return cmd_usage_error(cmd, ctx, "'eval' takes no arguments");
                return policy_eval(ctx);
        }
        return cmd_usage_error(cmd, ctx, "unknown action '%s' (list, check, test or eval)", verb);
}

COMMAND(policy,
        .usage = "list | check FILE... | test [OPTION]... [POLICY...] | eval",
        .summary = "List, check, test or run drift policies",
        .pager = true,
        .help = "  list                  The policy files in force, where from, enabled or not.\n"
                "  check FILE...         Check files, problems as FILE:LINE; exit 1 if any.\n"
                "  test [POLICY...]      Replay policies (names or files; default: all enabled)\n"
                "                        over the stored history as the daemon would, and list\n"
                "                        the days each would have nudged.\n"
                "  eval                  Have kizukid decide the newest complete day now, as it\n"
                "                        does when a day ends, and show the nudges it raised.\n",
        .args = { 1, -1 },
        .options = policy_options,
        CMD_USERDATA(CmdRange));

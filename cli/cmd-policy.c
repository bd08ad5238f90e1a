/* kizuki policy list | check FILE... | test [NAME|FILE...] [--from D] [--to D] [--json]
 *
 * check parses files only (like promtool check rules: 0 when all are good, 1
 * when any has problems). test replays policies over the stored history, day by
 * day, exactly as the daemon evaluates them (the same pure module), and lists
 * the days each would have nudged. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "kizuki.h"
#include "macro.h"
#include "output.h"
#include "policy.h"
#include "policyset.h"
#include "signals.h"

#define DAY_S INT64_C(86400)
/* Days replayed before --from so windows, baselines and CUSUM sums have their
 * history, as they had for the daemon. */
#define LEAD_IN_DAYS 120
#define TEST_DAYS_DEFAULT 365
#define TEST_DAYS_MAX 3700

typedef struct Problems {
        unsigned n;
} Problems;

static void print_problem(const char *file, unsigned line, const char *message, void *userdata) {
        Problems *p = userdata;
        char safe[512];
        if (line > 0)
                fprintf(stderr, "%s:%u: %s\n", file, line, output_safe(safe, sizeof safe, message));
        else
                fprintf(stderr, "%s: %s\n", file, output_safe(safe, sizeof safe, message));
        if (p)
                p->n++;
}

static int load_set(PolicySet **ret, Problems *problems) {
        char **dirs = NULL;
        int r = policyset_default_dirs(&dirs);
        if (r < 0)
                return r;
        r = policyset_load(dirs, NULL, print_problem, problems, ret);
        policyset_dirs_free(dirs);
        return r;
}

static bool is_file_arg(const char *s) {
        size_t n = strlen(s);
        return strchr(s, '/') || (n > 7 && strcmp(s + n - 7, ".policy") == 0);
}

/* Parse one file given on the command line. */
static int parse_file(const char *path, Problems *problems, Policy **ret) {
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        FILE *f = fopen(path, "re");
        if (!f) {
                int r = -errno;
                fprintf(stderr, "%s: %s\n", path, strerror(-r));
                problems->n++;
                return r;
        }
        int r = 0;
        size_t cap = 0;
        for (;;) {
                if (len + 4096 + 1 > cap) {
                        cap = cap ? cap * 2 : 8192;
                        if (cap > 1024 * 1024) {
                                fprintf(stderr, "%s: larger than 1 MiB, not a policy file\n", path);
                                problems->n++;
                                r = -EFBIG;
                                break;
                        }
                        char *nt = realloc(text, cap);
                        if (!nt) {
                                r = -ENOMEM;
                                break;
                        }
                        text = nt;
                }
                size_t k = fread(text + len, 1, cap - len - 1, f);
                len += k;
                if (k == 0)
                        break;
        }
        if (ferror(f) && r == 0) {
                fprintf(stderr, "%s: read error\n", path);
                problems->n++;
                r = -EIO;
        }
        fclose(f);
        if (r < 0)
                return r;
        text[len] = '\0';
        unsigned before = problems->n;
        r = policy_parse(text, len, path, print_problem, problems, ret);
        if (r < 0)
                return r;
        return problems->n > before ? -EINVAL : 0;
}

/* --- list ---------------------------------------------------------------- */

static int policy_list(Ctx *ctx) {
        _cleanup_(policyset_freep) PolicySet *set = NULL;
        Problems problems = {};
        int r = load_set(&set, &problems);
        if (r < 0)
                return r;
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
                const char *state = !p ? "broken" : e->stale ? "broken (previous version)"
                                                  : p->enabled ? "enabled" : "disabled";
                if (output_table_row(t, NULL) < 0 || output_table_cell(t, 0, NULL, "%s", e->name) < 0 ||
                    output_table_cell(t, 1, NULL, "%s", state) < 0 ||
                    output_table_cell(t, 2, NULL, "%s", p ? policy_detector_name(p->detector) : "-") < 0 ||
                    output_table_cell(t, 3, NULL, "%s", p ? policy_severity_name(p->severity) : "-") < 0 ||
                    output_table_cell(t, 4, NULL, "%s", e->path) < 0)
                        return -ENOMEM;
        }
        return output_table_print(t, stdout, ctx->color, ctx->columns);
}

/* --- check --------------------------------------------------------------- */

static int policy_check(int argc, char **argv) {
        Problems problems = {};
        unsigned bad = 0;
        for (int i = 0; i < argc; i++) {
                Policy *p = NULL;
                int r = parse_file(argv[i], &problems, &p);
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

static void day_to_signals(const Day *d, DaySignals *ret, Checkin *ret_c) {
        *ret = (DaySignals) {
                .date = d->day,
                .screen_h = d->screen_h,
                .coverage_h = d->coverage_h,
                .night_ratio = d->night_ratio,
                .first_active = d->first_active,
                .last_active = d->last_active,
                .sleep_onset = d->sleep_onset,
                .sleep_offset = d->sleep_offset,
                .sleep_mid = d->sleep_mid,
                .sleep_h = d->sleep_h,
                .is = d->is,
                .iv = d->iv,
                .ra = d->ra,
                .l5 = d->l5,
                .m10 = d->m10,
                .l5_onset = d->l5_onset,
                .m10_onset = d->m10_onset,
        };
        *ret_c = (Checkin) { .date = d->day, .went_out = d->went_out, .met_someone = d->met_someone, .mood = d->mood };
}

static bool is_time_signal(PolicySignal s) {
        return s == POLICY_SIGNAL_FIRST_ACTIVE || s == POLICY_SIGNAL_LAST_ACTIVE || s == POLICY_SIGNAL_SLEEP_ONSET ||
               s == POLICY_SIGNAL_SLEEP_OFFSET || s == POLICY_SIGNAL_SLEEP_MID;
}

/* A measured value for JSON: times of day as "HH:MM" (the replay works on a
 * line anchored at anchor_min), other figures as numbers. */
static json_object *value_json(const Policy *p, const PolicyEval *e, double v) {
        if (!isfinite(v))
                return NULL;
        if (p->detector != POLICY_COMPOSITE && is_time_signal(p->signal)) {
                char buf[8];
                long m = ((lround(v) + e->anchor_min) % 1440 + 1440) % 1440;
                snprintf(buf, sizeof buf, "%02ld:%02ld", m / 60, m % 60);
                return json_object_new_string(buf);
        }
        return output_json_double(v);
}

static int fetch_days(Ctx *ctx, int64_t first, int64_t last, Day **ret, size_t *ret_n) {
        char from[OUTPUT_DATE_MAX], to[OUTPUT_DATE_MAX];
        _cleanup_json_ json_object *params = json_object_new_object(), *reply = NULL;
        if (!params || output_format_day(from, sizeof from, first) < 0 || output_format_day(to, sizeof to, last) < 0 ||
            json_object_object_add(params, "from", json_object_new_string(from)) < 0 ||
            json_object_object_add(params, "to", json_object_new_string(to)) < 0)
                return -ENOMEM;
        int r = client_invoke(ctx->socket_path, KIZUKI_INTERFACE ".GetDays", params, &reply);
        if (r < 0)
                return r;
        return days_parse(reply, "days", ret, ret_n);
}

static int policy_test(Ctx *ctx, int argc, char **argv, const char *from_arg, const char *to_arg) {
        _cleanup_(policyset_freep) PolicySet *set = NULL;
        Problems problems = {};
        Policy **chosen = NULL;
        Policy **owned = NULL; /* parsed from FILE arguments */
        size_t n_chosen = 0, n_owned = 0;
        _cleanup_free_ Day *days = NULL;
        _cleanup_free_ DaySignals *ds = NULL;
        _cleanup_free_ Checkin *cs = NULL;
        _cleanup_free_ PolicyEval *ev = NULL;
        char from[OUTPUT_DATE_MAX], to[OUTPUT_DATE_MAX];
        int64_t from_day, to_day;
        size_t n_days = 0;
        int r;

        r = output_parse_day(to_arg, to, &to_day);
        if (r >= 0 && from_arg)
                r = output_parse_day(from_arg, from, &from_day);
        else if (r >= 0)
                from_day = to_day - (TEST_DAYS_DEFAULT - 1) * DAY_S;
        if (r < 0) {
                fprintf(stderr, "kizuki policy test: invalid date (expected YYYY-MM-DD, today or yesterday)\n");
                ctx->usage_error = true;
                return -EINVAL;
        }
        if (from_day > to_day || (to_day - from_day) / DAY_S + 1 > TEST_DAYS_MAX) {
                fprintf(stderr, "kizuki policy test: --from must not be after --to, and at most %d days\n",
                        TEST_DAYS_MAX);
                ctx->usage_error = true;
                return -EINVAL;
        }

        r = load_set(&set, &problems);
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
                        if (is_file_arg(argv[i])) {
                                r = parse_file(argv[i], &problems, &p);
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

        int64_t first = from_day - LEAD_IN_DAYS * DAY_S;
        r = fetch_days(ctx, first, to_day, &days, &n_days);
        if (r < 0)
                goto out;
        ds = calloc(n_days + 1, sizeof *ds);
        cs = calloc(n_days + 1, sizeof *cs);
        if (!ds || !cs) {
                r = -ENOMEM;
                goto out;
        }
        for (size_t i = 0; i < n_days; i++)
                day_to_signals(&days[i], &ds[i], &cs[i]);
        /* The daemon's defaults (kizukid.conf is the daemon's to read). */
        r = policy_replay(chosen, n_chosen, ds, n_days, cs, n_days, 18.0, 0, &ev);
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
                                if (!e->nudge || ds[d].date < from_day)
                                        continue;
                                json_object *f = json_object_new_object();
                                json_object_object_add(f, "date", json_object_new_string(days[d].date));
                                json_object_object_add(f, "severity",
                                                       json_object_new_string(policy_severity_name(p->severity)));
                                json_object_object_add(f, "value", value_json(p, e, e->value));
                                json_object_object_add(f, "baseline", value_json(p, e, e->baseline));
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
                        if (!e->nudge || ds[d].date < from_day)
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
                printf(count ? "\n" : " no nudge from %s to %s\n", count ? "" : from, to);
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

static int policy_exec(const Command *cmd, int argc, char **argv, Ctx *ctx) {
        static const struct option options[] = {
                { "from", required_argument, NULL, 'f' },
                { "to", required_argument, NULL, 't' },
                { "json", no_argument, NULL, 'j' },
                { "help", no_argument, NULL, 'h' },
                {},
        };
        const char *from = NULL, *to = NULL;
        int c;

        /* getopt permutes: options may come before or after the action. */
        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'f':
                        from = optarg;
                        break;
                case 't':
                        to = optarg;
                        break;
                case 'j':
                        ctx->json = true;
                        break;
                case 'h':
                        return cmd_print_help(cmd);
                default:
                        return cmd_usage_error(cmd, ctx, NULL);
                }
        int r = cmd_check_args(cmd, ctx, argc - optind);
        if (r < 0)
                return r;
        const char *verb = argv[optind];
        char **rest = argv + optind + 1;
        int n_rest = argc - optind - 1;

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
                return policy_test(ctx, n_rest, rest, from, to);
        return cmd_usage_error(cmd, ctx, "unknown action '%s' (list, check or test)", verb);
}

const Command cmd_policy = {
        .name = "policy",
        .usage = "list | check FILE... | test [OPTION]... [NAME|FILE...]",
        .summary = "List, check and test drift policies",
        .help = "  list                  The policy files in force, where each comes from, enabled or not.\n"
                "  check FILE...         Check policy files; problems as FILE:LINE. Exit 1 if any.\n"
                "  test [NAME|FILE...]   Replay policies (default: all enabled) over the stored history\n"
                "                        as the daemon would, and list the days each would have nudged.\n"
                "  --from DATE           First day to report (default: 364 days before --to).\n"
                "  --to DATE             Last day (default: today).\n"
                "  --json                {\"policies\":[{\"name\",\"fired\":[{\"date\",\"severity\",\"value\",\"baseline\"}]}]}\n",
        .min_args = 1,
        .max_args = -1,
        .exec = policy_exec,
};

/* What the policy commands share (kizuki policy test, kizuki explain): loading
 * the policy files in force or one given on the command line, fetching the
 * stored days and replaying policies over them exactly as kizukid does (the
 * pure lib/policy.c), and showing the figures a replay gives. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "days.h"
#include "kizuki.h"
#include "policy.h"
#include "policyset.h"

/* Days replayed before the first reported one so windows, baselines and CUSUM
 * sums have their history, as they had for the daemon. */
#define POLICY_LEAD_IN_DAYS 400 /* as daemon/evaluate.c replays */
/* The daemon's defaults (kizukid.conf is the daemon's to read). */
#define POLICY_MIN_COVERAGE_H 18.0
#define POLICY_DAY_START_MIN 0
/* "HH:MM" and its NUL. */
#define POLICY_CLOCK_MAX 8

/* Counts the problems reported by policy_common_print_problem(). */
typedef struct PolicyProblems {
        unsigned n;
} PolicyProblems;

/* A PolicyErrorFn: "FILE:LINE: message" on stderr; userdata a PolicyProblems (or NULL). */
void policy_common_print_problem(const char *file, unsigned line, const char *message, void *userdata);

/* The policy files in force (policyset_default_dirs()); problems on stderr. */
int policy_common_load_set(PolicySet **ret, PolicyProblems *problems);

/* A command-line argument names a file (has a '/' or ends in ".policy"), not a policy. */
bool policy_common_is_file(const char *s);

/* Parse one file given on the command line (at most 1 MiB); problems on stderr.
 * -EINVAL when it has problems. */
int policy_common_parse_file(const char *path, PolicyProblems *problems, Policy **ret);

/* Whether the policy's figures are times of day (on a line anchored at
 * PolicyEval.anchor_min). */
bool policy_common_is_time(const Policy *p);

/* A figure of a replay as text: "HH:MM" for times of day, else "%.*g"-style
 * with up to 3 decimals; "-" for NaN. Returns buf. */
const char *policy_common_format(const Policy *p, const PolicyEval *e, double v, char *buf, size_t size);

/* A figure for JSON: "HH:MM" for times of day, else a number; NULL for NaN. */
json_object *policy_common_value_json(const Policy *p, const PolicyEval *e, double v);

/* A daily signal value of a day for the policy's signal: NAN when null (or,
 * for check-in signals, not answered); times of day as minutes after midnight.
 * Coverage is not applied. */
double policy_common_daily(const Policy *p, const Day *d);

/* GetDays for the local days first..last (local seconds). Errors on stderr. */
int policy_common_fetch_days(const Ctx *ctx, int64_t first, int64_t last, Day **ret, size_t *ret_n);

/* Replay p[0..n_p) over days[0..n_days) (as policy_replay()). *ret malloc'ed. */
int policy_common_replay(Policy *const *p, size_t n_p, const Day *days, size_t n_days, PolicyEval **ret);

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

/* The stored days a judgement of the days first..last needs: GetDays from the
 * replay window start of first (policy_replay_start()) to last, with the
 * daemon's settings. Errors on stderr. */
int policy_common_fetch_days(const Ctx *ctx, int64_t first, int64_t last, Day **ret, size_t *ret_n,
                             DaySettings *ret_settings);

/* Judge p[0..n_p) on each of days from the date first on, as kizukid decides
 * a day (policy_judge() with the daemon's settings): ret[i * n_days + d].
 * *ret malloc'ed. */
int policy_common_judge(Policy *const *p, size_t n_p, const Day *days, size_t n_days, int64_t first,
                        const DaySettings *settings, PolicyEval **ret);

/* Policies in the daemon: loading the policy files, and deciding each day
 * once it is complete, raising the nudges policy_judge() gives for it. */
#pragma once

#include <json-c/json.h>

#include "daemon-state.h"

/* (Re)load the policy files; problems are logged and, when problems is not
 * NULL, appended to it as strings. */
int evaluate_load_policies(Daemon *d, json_object *problems);
/* Decide the newest complete day (*ret_day) now, even when it was decided
 * already: the nudges it has that are not stored yet are raised and appended
 * to raised (may be NULL) as Nudge objects. -EPERM without consent. */
int evaluate_policies(Daemon *d, int64_t *ret_day, json_object *raised, int *ret_evaluated);
/* Decide the newest complete day if it is not decided yet (at start, on the
 * timer, on waking from sleep) and arm d->eval_timer for the next time. */
void evaluate_if_due(Daemon *d);

/* Policies in the daemon: loading the policy files and evaluating them once a
 * day, raising the nudges due today. */
#pragma once

#include <json-c/json.h>

#include "daemon-state.h"

/* (Re)load the policy files; problems are logged and, when problems is not
 * NULL, appended to it as strings. */
int evaluate_load_policies(Daemon *d, json_object *problems);
/* Evaluate the policies for today, appending the nudges raised to raised
 * (may be NULL) as Nudge objects. -EPERM without consent. */
int evaluate_policies(Daemon *d, json_object *raised, int *ret_evaluated);
/* Evaluate when due (after noon, once a day) and arm d->eval_timer for the
 * next time. */
void evaluate_if_due(Daemon *d);

/* What kizukid's modules call in each other (the state: daemon-state.h). */
#pragma once

#include <json-c/json.h>

#include "daemon-state.h"
#include "varlink.h"

/* kizukid.c: re-read kizukid.conf and the policies (problems: see daemon_load_policies). */
int daemon_reload(Daemon *d, json_object *problems);
/* methods.c: daily signals and check-ins of the local days first..last (local seconds). */
int daemon_days(Daemon *d, int64_t first, int64_t last, DaySignals **ret, size_t *ret_n, Checkin **ret_c,
                size_t *ret_nc);

/* evaluate.c: (re)load the policy files (problems logged and, when problems is
 * not NULL, appended to it as strings); evaluate them for today, appending the
 * nudges raised to raised (may be NULL); evaluate when due and arm the timer. */
int daemon_load_policies(Daemon *d, json_object *problems);
int daemon_eval_policies(Daemon *d, json_object *raised, int *ret_evaluated);
void daemon_eval_if_due(Daemon *d);

/* methods.c: answer a Varlink call (a ControlHandler). */
int daemon_method(const VarlinkCall *call, char **ret, size_t *ret_len, void *userdata);

/* What kizukid.c offers the other modules (the state: daemon-state.h). */
#pragma once

#include <json-c/json.h>

#include "daemon-state.h"

/* Re-read kizukid.conf and the policies (problems: see
 * evaluate_load_policies()). */
int daemon_reload(Daemon *d, json_object *problems);

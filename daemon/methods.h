/* The methods of io.kizuki.Daemon and org.varlink.service: the dispatcher
 * kizukid.c hands to the control server. It looks a call up in the one
 * table of methods (methods.c): the core ones and each area's (methods-*.c). */
#pragma once

#include "control.h"
#include "varlink.h"

/* Answer a Varlink call (a ControlHandler; userdata is the Daemon). */
int methods_dispatch(const VarlinkCall *call, char **ret, size_t *ret_len, ControlSteps *ret_steps, void *userdata);

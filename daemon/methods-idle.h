/* The idle helper methods of io.kizuki.Daemon (kizuki-idle): their handlers,
 * for the table in methods.c, and what GetStatus says about the sources. */
#pragma once

#include "method.h"

MethodHandler method_attach_idle_source, method_set_idle_state;

/* Add activity_source, idle_sources and idle_unreported to GetStatus's reply p. */
void methods_idle_status(Daemon *d, json_object *p);

/* An attached connection closed: its source is lost (unless it said goodbye). */
void methods_idle_detached(uint64_t peer, void *userdata);

/* The daemon's life: setting up the state (config, store, event loop, the
 * services and their timers), listening, starting, reloading and stopping.
 * Called by kizukid.c (main) and, for Reload, by methods.c. */
#pragma once

#include <json-c/json.h>

#include "control.h"
#include "daemon-state.h"

/* Read the configuration, open the store in the state directory, create the
 * event loop, the recorder and the timers, and restore the saved state.
 * Logs what fails. */
int daemon_open(Daemon *d);
/* Listen on the socket the service manager passed, or on socket_path; each
 * call goes to handler (with d as userdata); detached hears of attached
 * connections that closed. Logs what fails. */
int daemon_listen(Daemon *d, ControlHandler handler, ControlDetached detached);
/* Expire old data, follow logind, arm the timers, load and evaluate the
 * policies; tell the service manager we are ready. */
void daemon_start(Daemon *d);
/* Re-read kizukid.conf and the policies. Problems of both (a bad value:
 * "FILE:LINE: ...", its default kept; see evaluate_load_policies()) are logged
 * and added to problems when it is not NULL. A kizukid.conf that cannot be
 * read (not a regular file, over 1 MiB) is a problem too: the settings in
 * force stay, the policies are still reloaded, and the result is its -errno. */
int daemon_reload(Daemon *d, json_object *problems);
/* After the loop: account and save the last minutes; logged. */
int daemon_stop(Daemon *d);
/* Free everything daemon_open() and the arguments set up (a half-built d too). */
void daemon_done(Daemon *d);

/* Idle helpers (kizuki-idle): sources of the person's state on desktops that
 * never set logind's IdleHint. Each is an attached control connection; while
 * it is, its state replaces IdleHint for its session (a lock from logind still
 * counts). A helper whose connection closes without saying goodbye leaves its
 * session's state unknown (unobserved), never active. Calls logind's getters
 * and lib/; the recorder asks it for the presence. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "daemon-state.h"

/* "active", "idle", "locked" (and "lost", for status) ↔ IdleState. */
const char *idle_state_name(IdleState s);
/* -EINVAL for anything but "active", "idle" or "locked". */
int idle_state_parse(const char *name, IdleState *ret);

/* Attach (or re-attach) connection peer as a source for session ("" or NULL:
 * all of the person's sessions), starting active. A lost source of the same
 * session is replaced. -EBUSY when IDLE_SOURCES_MAX live sources are attached. */
int idle_source_attach(Daemon *d, uint64_t peer, const char *protocol, const char *session, int64_t timeout_s);
/* A report of peer's source: 1 when the state changed, 0 when not, -ENOENT
 * when peer is not attached. */
int idle_source_set(Daemon *d, uint64_t peer, IdleState state);
/* Forget peer's source (clean: a goodbye) or mark it lost (its connection
 * closed without one). 1 when peer had a source. */
int idle_source_detach(Daemon *d, uint64_t peer, bool clean);

/* logind's sessions changed: when the person has none left (logged out), a
 * lost helper's unknown ends with the sessions it reported for. */
void idle_source_sessions_changed(Daemon *d);

/* The person's presence from logind, with the sources' states in place of
 * IdleHint where they are attached. */
LogindPresence idle_source_presence(const Daemon *d);
/* Some source (live or lost) takes part in the presence right now. */
bool idle_source_deciding(const Daemon *d);
/* No live source is attached, and none of the person's active sessions has
 * reported IdleHint since kizukid began following it: the desktop probably
 * never does. */
bool idle_source_unreported(const Daemon *d);

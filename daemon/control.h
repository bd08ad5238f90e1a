/* The control server: Varlink over a Unix stream socket, in the libevent loop.
 * Owns framing and limits (peer uid, message size, client count, timeouts);
 * hands each parsed call to a handler and sends what it returns. */
#pragma once

#include <event2/event.h>

#include "varlink.h"

#define CONTROL_CLIENTS_MAX 64
#define CONTROL_IDLE_TIMEOUT_S 30
/* A client that sends no byte for this long before its first request is dropped. */
#define CONTROL_FIRST_REQUEST_S 3
#define CONTROL_WRITE_TIMEOUT_S 10
/* Unread replies a client may leave queued: a few years of days fit. */
#define CONTROL_OUTPUT_MAX (8 * 1024 * 1024)
/* Unread replies all clients together may leave queued: past it, clients with
 * replies pending are not read until theirs drain (or the write timeout drops
 * them); a client with none is still served. */
#define CONTROL_OUTPUT_TOTAL_MAX (64 * 1024 * 1024)

/* Event priorities of the daemon's loop (event_base_priority_init): libevent
 * gives every event the middle one, 1, by default (timers, logind, the
 * listener, new clients); a client whose call took longer than
 * CONTROL_SLOW_CALL_US, and the steps of calls answered in steps
 * (ControlSteps), are served at 2, one callback a turn, only when nothing
 * else is ready. So the person's `kizuki status` waits for at most one turn
 * of heavy work (a page of Export, a few weeks of GetDays: milliseconds, tens
 * under load), not for a heavy call to end nor a queue of them. */
#define CONTROL_PRIORITIES 3
#define CONTROL_PRIORITY_SLOW 2
#define CONTROL_SLOW_CALL_US 20000

/* The daemon's loop: CONTROL_PRIORITIES priorities, and one callback of the
 * last priority per turn (libevent otherwise runs every ready callback of a
 * priority before it looks for new events): what became ready at a higher
 * priority meanwhile runs before the next slow one. */
int control_base_new(struct event_base **ret);

/* A call answered over several turns of the loop, so that no turn is long
 * (GetDays over years): step does a little of the work each time it is
 * called and returns 0 while more is to come, 1 when done with the reply in
 * *ret and *ret_len (as a handler's), < 0 to close the connection. free
 * releases state, also when the connection goes first. Steps run at
 * CONTROL_PRIORITY_SLOW, one call at a time in the order the calls came, for
 * about CONTROL_STEP_BUDGET_US a turn: what is ready at a higher priority
 * (the person's `kizuki status`, recording) runs between two turns. */
typedef struct ControlSteps {
        int (*step)(void *state, char **ret, size_t *ret_len);
        void (*free)(void *state);
        void *state;
} ControlSteps;
#define CONTROL_STEP_BUDGET_US 5000

/* Answer one call: set *ret (malloc'ed, NUL included in *ret_len) to the reply
 * message, or leave it NULL for a oneway call; or set *ret_steps and return
 * CONTROL_STEPS. A negative return closes the connection. */
typedef int (*ControlHandler)(const VarlinkCall *call, char **ret, size_t *ret_len, ControlSteps *ret_steps,
                              void *userdata);
/* A handler's return: the reply comes from *ret_steps. The connection's next
 * request is read once it is sent (Varlink answers in order). */
#define CONTROL_STEPS 2
/* A handler's return that attaches the connection (call->peer) as a source:
 * it is neither timed out when quiet nor evicted, and its close is reported. */
#define CONTROL_ATTACH 1
/* An attached connection closed (the peer went, or was killed). */
typedef void (*ControlDetached)(uint64_t peer, void *userdata);

typedef struct Control Control;

/* Listen on fd, a bound and listening Unix stream socket (taken over). */
int control_new(Control **ret, struct event_base *base, int fd, ControlHandler handler, void *userdata);
Control *control_free(Control *c);
/* Call detached (with the handler's userdata) when an attached connection closes. */
void control_on_detached(Control *c, ControlDetached detached);

/* Create the socket at path: the directory is created 0700 (or tightened to
 * it), a stale socket replaced, the new one chmod 0600. -EADDRINUSE when
 * another daemon answers there. */
int control_bind(const char *path, int *ret_fd);

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
 * CONTROL_SLOW_CALL_US is served at 2, only when nothing else is ready. So
 * the person's `kizuki status` waits for at most the one heavy call in
 * progress, not for a queue of them. */
#define CONTROL_PRIORITIES 3
#define CONTROL_PRIORITY_SLOW 2
#define CONTROL_SLOW_CALL_US 20000

/* Answer one call: set *ret (malloc'ed, NUL included in *ret_len) to the reply
 * message, or leave it NULL for a oneway call. A negative return closes the
 * connection. */
typedef int (*ControlHandler)(const VarlinkCall *call, char **ret, size_t *ret_len, void *userdata);
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

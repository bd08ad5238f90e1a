/* The logind source: follows the person's sessions on the system bus over
 * sd-bus, integrated into the libevent loop. No polling: it reacts to signals
 * and property changes, and reconnects with backoff when the bus or logind
 * goes away. */
#pragma once

#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum LogindPresence {
        LOGIND_UNKNOWN, /* not connected or logind not there: no source of truth */
        LOGIND_AWAY,    /* no session that is active, not idle, not locked */
        LOGIND_PRESENT,
} LogindPresence;

typedef struct LogindSession {
        char *id;
        char *path;
        bool active, idle, locked;
        bool known;     /* properties have arrived */
        bool ever_idle; /* IdleHint has been true since we follow it */
} LogindSession;

typedef struct Logind Logind;

/* Called whenever presence, sleep state or the session list may have changed.
 * Called synchronously on PrepareForSleep(true) before the delay inhibitor is
 * released, so the callee can flush. */
typedef void (*LogindChanged)(void *userdata);

int logind_new(Logind **ret, struct event_base *base, LogindChanged changed, void *userdata);
Logind *logind_free(Logind *l);

LogindPresence logind_presence(const Logind *l);
/* Some active session is locked. */
bool logind_locked(const Logind *l);
/* The machine is preparing for sleep or shutdown. */
bool logind_sleeping(const Logind *l);
/* "connected" or "connecting"; *ret_error explains the latter (may be NULL). */
const char *logind_state(const Logind *l, const char **ret_error);
size_t logind_n_sessions(const Logind *l);
const LogindSession *logind_session(const Logind *l, size_t i);

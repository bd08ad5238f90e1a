/* Idle helpers as sources of the person's state (idle-source.h). */
#include "idle-source.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "log.h"

static const char *const state_names[] = {
        [IDLE_SOURCE_ACTIVE] = "active",
        [IDLE_SOURCE_IDLE] = "idle",
        [IDLE_SOURCE_LOCKED] = "locked",
        [IDLE_SOURCE_LOST] = "lost",
};

const char *idle_state_name(IdleState s) {
        return s <= IDLE_SOURCE_LOST ? state_names[s] : "lost";
}

int idle_state_parse(const char *name, IdleState *ret) {
        for (IdleState s = IDLE_SOURCE_ACTIVE; s < IDLE_SOURCE_LOST; s++)
                if (strcmp(name, state_names[s]) == 0) {
                        *ret = s;
                        return 0;
                }
        return -EINVAL;
}

static IdleSource *source_of(Daemon *d, uint64_t peer) {
        for (size_t i = 0; i < IDLE_SOURCES_MAX; i++)
                if (d->idle_sources[i].used && d->idle_sources[i].peer == peer)
                        return &d->idle_sources[i];
        return NULL;
}

int idle_source_attach(Daemon *d, uint64_t peer, const char *protocol, const char *session, int64_t timeout_s) {
        session = session ? session : "";
        IdleSource *src = source_of(d, peer), *lost = NULL, *empty = NULL;
        for (size_t i = 0; i < IDLE_SOURCES_MAX; i++) {
                IdleSource *s = &d->idle_sources[i];
                if (!s->used)
                        empty = empty ? empty : s;
                else if (s->state == IDLE_SOURCE_LOST && strcmp(s->session, session) == 0)
                        lost = lost ? lost : s;
        }
        /* The helper came back: its lost predecessor's place is its own. */
        if (!src)
                src = lost ? lost : empty;
        if (!src)
                return -EBUSY;
        *src = (IdleSource) { .used = true, .peer = peer, .state = IDLE_SOURCE_ACTIVE, .timeout_s = timeout_s,
                              .since = (int64_t) time(NULL) };
        snprintf(src->protocol, sizeof src->protocol, "%s", protocol);
        snprintf(src->session, sizeof src->session, "%s", session);
        log_info("Idle helper attached (%s, timeout %llds%s%s)", src->protocol, (long long) timeout_s,
                 *session ? ", session " : "", session);
        return 0;
}

int idle_source_set(Daemon *d, uint64_t peer, IdleState state) {
        IdleSource *src = source_of(d, peer);
        if (!src)
                return -ENOENT;
        if (src->state == state)
                return 0;
        src->state = state;
        src->since = (int64_t) time(NULL);
        return 1;
}

int idle_source_detach(Daemon *d, uint64_t peer, bool clean) {
        IdleSource *src = source_of(d, peer);
        if (!src)
                return 0;
        if (clean) {
                log_info("Idle helper (%s) detached", src->protocol);
                *src = (IdleSource) {};
        } else {
                log_warning("Idle helper (%s) went away without a goodbye: the person's state is unknown "
                            "until it is back",
                            src->protocol);
                src->peer = 0;
                src->state = IDLE_SOURCE_LOST;
                src->since = (int64_t) time(NULL);
        }
        return 1;
}

/* How much a source says someone is there: a live report beats a lost one. */
static int rank(IdleState s) {
        return s == IDLE_SOURCE_ACTIVE ? 3 : s == IDLE_SOURCE_LOST ? 1 : 2;
}

static bool session_known(const Logind *l, const char *id) {
        for (size_t i = 0; i < logind_n_sessions(l); i++) {
                const LogindSession *s = logind_session(l, i);
                if (s->known && strcmp(s->id, id) == 0)
                        return true;
        }
        return false;
}

/* The state that decides for session id (NULL: any session): its own
 * sources if it has some, else those for all sessions. A live source naming
 * a session logind does not know (a stale XDG_SESSION_ID) counts for all; a
 * lost one for a session logind dropped counts no more. -1 when none. */
static int source_state(const Daemon *d, const char *id) {
        int keyed = -1, all = -1;
        for (size_t i = 0; i < IDLE_SOURCES_MAX; i++) {
                const IdleSource *s = &d->idle_sources[i];
                if (!s->used)
                        continue;
                bool unkeyed = s->session[0] == '\0';
                if (!unkeyed && !session_known(d->logind, s->session)) {
                        if (s->state == IDLE_SOURCE_LOST)
                                continue;
                        unkeyed = true;
                }
                int *best = !id || unkeyed ? &all : strcmp(s->session, id) == 0 ? &keyed : NULL;
                if (best && (*best < 0 || rank(s->state) > rank((IdleState) *best)))
                        *best = (int) s->state;
        }
        return keyed >= 0 ? keyed : all;
}

static LogindPresence presence_of(int state) {
        return state == IDLE_SOURCE_ACTIVE ? LOGIND_PRESENT : state == IDLE_SOURCE_LOST ? LOGIND_UNKNOWN : LOGIND_AWAY;
}

static bool any_session_known(const Logind *l) {
        for (size_t i = 0; i < logind_n_sessions(l); i++)
                if (logind_session(l, i)->known)
                        return true;
        return false;
}

void idle_source_sessions_changed(Daemon *d) {
        if (logind_presence(d->logind) == LOGIND_UNKNOWN || any_session_known(d->logind))
                return;
        for (size_t i = 0; i < IDLE_SOURCES_MAX; i++)
                if (d->idle_sources[i].used && d->idle_sources[i].state == IDLE_SOURCE_LOST) {
                        log_info("No session left: forgetting the lost idle helper (%s)", d->idle_sources[i].protocol);
                        d->idle_sources[i] = (IdleSource) {};
                }
}

bool idle_source_deciding(const Daemon *d) {
        return source_state(d, NULL) >= 0;
}

LogindPresence idle_source_presence(const Daemon *d) {
        LogindPresence logind = logind_presence(d->logind);
        if (!idle_source_deciding(d))
                return logind;
        /* Without logind, or when it knows no session of the person (a helper
         * in a session logind does not track), the sources alone decide. */
        if (logind == LOGIND_UNKNOWN || !any_session_known(d->logind))
                return presence_of(source_state(d, NULL));

        bool present = false, unknown = false;
        for (size_t i = 0; i < logind_n_sessions(d->logind); i++) {
                const LogindSession *s = logind_session(d->logind, i);
                if (!s->known || !s->active || s->locked)
                        continue;
                int state = source_state(d, s->id);
                LogindPresence p = state < 0 ? (s->idle ? LOGIND_AWAY : LOGIND_PRESENT) : presence_of(state);
                present |= p == LOGIND_PRESENT;
                unknown |= p == LOGIND_UNKNOWN;
        }
        return present ? LOGIND_PRESENT : unknown ? LOGIND_UNKNOWN : LOGIND_AWAY;
}

bool idle_source_unreported(const Daemon *d) {
        for (size_t i = 0; i < IDLE_SOURCES_MAX; i++)
                if (d->idle_sources[i].used && d->idle_sources[i].peer != 0)
                        return false;
        if (logind_presence(d->logind) == LOGIND_UNKNOWN)
                return false;
        bool any_active = false;
        for (size_t i = 0; i < logind_n_sessions(d->logind); i++) {
                const LogindSession *s = logind_session(d->logind, i);
                if (s->known && s->ever_idle)
                        return false;
                any_active |= s->known && s->active;
        }
        return any_active;
}

#include "logind.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"

#define LOGIND_NAME "org.freedesktop.login1"
#define LOGIND_PATH "/org/freedesktop/login1"
#define MANAGER_IFACE "org.freedesktop.login1.Manager"
#define SESSION_IFACE "org.freedesktop.login1.Session"
#define DISPATCH_BATCH 64
#define BACKOFF_MIN_S 1
#define BACKOFF_MAX_S 30

typedef struct Session {
        LogindSession pub;
        Logind *logind;
        sd_bus_slot *props_call; /* pending GetAll; freeing it cancels the call */
} Session;

struct Logind {
        struct event_base *base;
        LogindChanged changed;
        void *userdata;

        sd_bus *bus;
        struct event *io_event;
        short io_flags;
        struct event *time_event;
        struct event *retry_event;
        int backoff_s;

        sd_bus_slot *list_call;
        sd_bus_slot *inhibit_call;
        int inhibit_fd;

        Session **sessions;
        size_t n_sessions;

        bool enumerated; /* ListSessions answered: we know the sessions */
        bool sleeping;
        char error[256];
};

static void bus_dispatch(Logind *l);
static void bus_rearm(Logind *l);
static void schedule_reconnect(Logind *l);

static void notify(Logind *l) {
        if (l->changed)
                l->changed(l->userdata);
}

static void set_error(Logind *l, const char *what, const char *why) {
        snprintf(l->error, sizeof l->error, "%s: %s", what, why);
}

static uint64_t now_mono_usec(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000000u + (uint64_t) ts.tv_nsec / 1000u;
}

/* --- sessions ------------------------------------------------------------ */

static Session *session_find(Logind *l, const char *path) {
        for (size_t i = 0; i < l->n_sessions; i++)
                if (strcmp(l->sessions[i]->pub.path, path) == 0)
                        return l->sessions[i];
        return NULL;
}

static void session_free(Session *s) {
        if (!s)
                return;
        sd_bus_slot_unref(s->props_call);
        free(s->pub.id);
        free(s->pub.path);
        free(s);
}

static void session_remove(Logind *l, Session *s) {
        for (size_t i = 0; i < l->n_sessions; i++)
                if (l->sessions[i] == s) {
                        memmove(l->sessions + i, l->sessions + i + 1, (l->n_sessions - i - 1) * sizeof *l->sessions);
                        l->n_sessions--;
                        break;
                }
        session_free(s);
}

static void sessions_clear(Logind *l) {
        for (size_t i = 0; i < l->n_sessions; i++)
                session_free(l->sessions[i]);
        free(l->sessions);
        l->sessions = NULL;
        l->n_sessions = 0;
}

/* Read an a{sv} of session properties into s. Returns the uid from "User" in
 * *ret_uid when present (else leaves it). */
static int read_session_props(sd_bus_message *m, Session *s, uid_t *ret_uid) {
        int r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *name;
                r = sd_bus_message_read(m, "s", &name);
                if (r < 0)
                        return r;
                bool *flag = strcmp(name, "Active") == 0       ? &s->pub.active
                             : strcmp(name, "IdleHint") == 0   ? &s->pub.idle
                             : strcmp(name, "LockedHint") == 0 ? &s->pub.locked
                                                               : NULL;
                if (flag) {
                        int b;
                        r = sd_bus_message_read(m, "v", "b", &b);
                        if (r < 0)
                                return r;
                        *flag = b;
                        s->pub.ever_idle |= flag == &s->pub.idle && b;
                } else if (strcmp(name, "User") == 0 && ret_uid) {
                        uint32_t uid;
                        const char *upath;
                        r = sd_bus_message_read(m, "v", "(uo)", &uid, &upath);
                        if (r < 0)
                                return r;
                        *ret_uid = uid;
                } else {
                        r = sd_bus_message_skip(m, "v");
                        if (r < 0)
                                return r;
                }
                r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

static int on_session_props(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Session *s = userdata;
        Logind *l = s->logind;
        (void) ret_error;

        s->props_call = sd_bus_slot_unref(s->props_call);
        if (sd_bus_message_is_method_error(m, NULL)) {
                /* The session vanished between the signal and our question. */
                log_debug("Session %s: %s", s->pub.id, sd_bus_message_get_error(m)->message);
                session_remove(l, s);
                notify(l);
                return 0;
        }
        uid_t uid = getuid();
        if (read_session_props(m, s, &uid) < 0) {
                log_warning("Session %s: unreadable properties, ignoring it", s->pub.id);
                session_remove(l, s);
        } else if (uid != getuid()) {
                session_remove(l, s); /* another person's session */
        } else
                s->pub.known = true;
        notify(l);
        return 0;
}

static int session_fetch(Logind *l, Session *s) {
        s->props_call = sd_bus_slot_unref(s->props_call);
        return sd_bus_call_method_async(l->bus, &s->props_call, LOGIND_NAME, s->pub.path,
                                        "org.freedesktop.DBus.Properties", "GetAll", on_session_props, s, "s",
                                        SESSION_IFACE);
}

static int session_add(Logind *l, const char *id, const char *path) {
        if (session_find(l, path))
                return 0;
        Session **n = realloc(l->sessions, (l->n_sessions + 1) * sizeof *n);
        if (!n)
                return -ENOMEM;
        l->sessions = n;
        Session *s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        s->logind = l;
        s->pub.id = strdup(id);
        s->pub.path = strdup(path);
        if (!s->pub.id || !s->pub.path) {
                session_free(s);
                return -ENOMEM;
        }
        l->sessions[l->n_sessions++] = s;
        int r = session_fetch(l, s);
        if (r < 0) {
                session_remove(l, s);
                return r;
        }
        return 1;
}

/* --- manager ------------------------------------------------------------- */

static int on_inhibit(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Logind *l = userdata;
        (void) ret_error;
        l->inhibit_call = sd_bus_slot_unref(l->inhibit_call);
        if (sd_bus_message_is_method_error(m, NULL)) {
                log_warning("Could not take a sleep delay inhibitor (%s): a suspend may lose the last minutes",
                            sd_bus_message_get_error(m)->message);
                return 0;
        }
        int fd;
        if (sd_bus_message_read(m, "h", &fd) < 0)
                return 0;
        /* The message owns fd: keep a duplicate. */
        if (l->inhibit_fd >= 0)
                close(l->inhibit_fd);
        l->inhibit_fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        return 0;
}

static void inhibitor_take(Logind *l) {
        if (l->inhibit_fd >= 0 || l->inhibit_call)
                return;
        int r = sd_bus_call_method_async(l->bus, &l->inhibit_call, LOGIND_NAME, LOGIND_PATH, MANAGER_IFACE, "Inhibit",
                                         on_inhibit, l, "ssss", "sleep", "kizuki",
                                         "Save the activity record before sleep", "delay");
        if (r < 0)
                log_warning("Failed to ask for a sleep inhibitor: %s", strerror(-r));
}

static void inhibitor_release(Logind *l) {
        l->inhibit_call = sd_bus_slot_unref(l->inhibit_call);
        if (l->inhibit_fd >= 0) {
                close(l->inhibit_fd);
                l->inhibit_fd = -1;
        }
}

static int on_list_sessions(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Logind *l = userdata;
        (void) ret_error;
        l->list_call = sd_bus_slot_unref(l->list_call);

        if (sd_bus_message_is_method_error(m, NULL)) {
                /* Typically ServiceUnknown: logind is not running. NameOwnerChanged tells us when it is. */
                set_error(l, "logind not available", sd_bus_message_get_error(m)->message);
                log_warning("Cannot list sessions: %s", l->error);
                notify(l);
                return 0;
        }

        sessions_clear(l);
        int r = sd_bus_message_enter_container(m, 'a', "(susso)");
        while (r >= 0) {
                const char *id, *user, *seat, *path;
                uint32_t uid;
                r = sd_bus_message_read(m, "(susso)", &id, &uid, &user, &seat, &path);
                if (r <= 0)
                        break;
                if (uid == getuid())
                        r = session_add(l, id, path);
        }
        if (r < 0) {
                set_error(l, "bad ListSessions reply", strerror(-r));
                log_warning("%s", l->error);
                notify(l);
                return 0;
        }
        l->enumerated = true;
        l->error[0] = '\0';
        l->backoff_s = BACKOFF_MIN_S;
        log_info("Following logind: %zu session(s) of this user", l->n_sessions);
        inhibitor_take(l);
        notify(l);
        return 0;
}

static void enumerate(Logind *l) {
        l->list_call = sd_bus_slot_unref(l->list_call);
        int r = sd_bus_call_method_async(l->bus, &l->list_call, LOGIND_NAME, LOGIND_PATH, MANAGER_IFACE,
                                         "ListSessions", on_list_sessions, l, "");
        if (r < 0)
                log_warning("Failed to list sessions: %s", strerror(-r));
}

/* SessionNew and SessionRemoved: both carry the session's id and path. */
static int on_session_signal(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Logind *l = userdata;
        const char *id, *path;
        (void) ret_error;
        if (sd_bus_message_read(m, "so", &id, &path) < 0)
                return 0;
        if (sd_bus_message_is_signal(m, MANAGER_IFACE, "SessionNew")) {
                /* The uid is not in the signal: GetAll tells, and drops others' sessions. */
                if (l->enumerated)
                        (void) session_add(l, id, path);
                return 0;
        }
        Session *s = session_find(l, path);
        if (s) {
                session_remove(l, s);
                notify(l);
        }
        return 0;
}

static int on_properties_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Logind *l = userdata;
        const char *iface;
        (void) ret_error;

        Session *s = session_find(l, sd_bus_message_get_path(m));
        if (!s || sd_bus_message_read(m, "s", &iface) < 0 || strcmp(iface, SESSION_IFACE) != 0)
                return 0;
        if (read_session_props(m, s, NULL) < 0) {
                (void) session_fetch(l, s);
                return 0;
        }
        /* Properties that were only invalidated: ask again. */
        bool refetch = false;
        if (sd_bus_message_enter_container(m, 'a', "s") > 0) {
                const char *name;
                while (sd_bus_message_read(m, "s", &name) > 0)
                        if (strcmp(name, "Active") == 0 || strcmp(name, "IdleHint") == 0 ||
                            strcmp(name, "LockedHint") == 0)
                                refetch = true;
        }
        if (refetch)
                (void) session_fetch(l, s);
        notify(l);
        return 0;
}

/* PrepareForSleep and PrepareForShutdown: the machine goes down (1) or came
 * back (0), now in l->sleeping; < 0 for a malformed signal. */
static int read_prepare(sd_bus_message *m, Logind *l) {
        int start;
        if (sd_bus_message_read(m, "b", &start) < 0)
                return -EBADMSG;
        l->sleeping = start;
        return start;
}

static int on_prepare_for_sleep(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Logind *l = userdata;
        (void) ret_error;
        int start = read_prepare(m, l);
        if (start < 0)
                return 0;
        if (start) {
                log_info("The machine is going to sleep");
                notify(l); /* the daemon flushes here, while we still hold the delay */
                inhibitor_release(l);
        } else {
                log_info("The machine woke up");
                inhibitor_take(l);
                notify(l);
        }
        return 0;
}

static int on_prepare_for_shutdown(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Logind *l = userdata;
        (void) ret_error;
        if (read_prepare(m, l) >= 0)
                notify(l);
        return 0;
}

static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        Logind *l = userdata;
        const char *name, *old_owner, *new_owner;
        (void) ret_error;
        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0 || strcmp(name, LOGIND_NAME) != 0)
                return 0;
        if (new_owner[0] == '\0') {
                log_warning("logind left the bus");
                set_error(l, "logind not available", "it left the bus");
                sessions_clear(l);
                inhibitor_release(l);
                l->enumerated = false;
                l->sleeping = false;
                notify(l);
        } else {
                log_info("logind is on the bus, enumerating sessions");
                enumerate(l);
        }
        return 0;
}

/* --- bus in the libevent loop -------------------------------------------- */

static void bus_drop(Logind *l) {
        sessions_clear(l);
        l->list_call = sd_bus_slot_unref(l->list_call);
        inhibitor_release(l);
        if (l->io_event) {
                event_free(l->io_event);
                l->io_event = NULL;
        }
        l->io_flags = 0;
        if (l->time_event)
                evtimer_del(l->time_event);
        l->bus = sd_bus_flush_close_unref(l->bus);
        l->enumerated = false;
        l->sleeping = false;
}

static void on_bus_io(evutil_socket_t fd, short what, void *userdata) {
        (void) fd, (void) what;
        bus_dispatch(userdata);
}

static void on_bus_time(evutil_socket_t fd, short what, void *userdata) {
        (void) fd, (void) what;
        bus_dispatch(userdata);
}

static void arm_now(Logind *l) {
        struct timeval tv = { 0, 0 };
        evtimer_add(l->time_event, &tv);
}

/* Map sd-bus's wishes (fd events, absolute monotonic timeout) onto libevent. */
static void bus_rearm(Logind *l) {
        if (!l->bus)
                return;
        int events = sd_bus_get_events(l->bus);
        uint64_t until;
        if (events < 0 || sd_bus_get_timeout(l->bus, &until) < 0) {
                /* Closed underneath us: let dispatch see the error. */
                arm_now(l);
                return;
        }

        short flags = (short) (EV_PERSIST | ((events & POLLIN) ? EV_READ : 0) | ((events & POLLOUT) ? EV_WRITE : 0));
        if (flags != l->io_flags) {
                if (l->io_event)
                        event_free(l->io_event);
                l->io_event = event_new(l->base, sd_bus_get_fd(l->bus), flags, on_bus_io, l);
                if (l->io_event)
                        event_add(l->io_event, NULL);
                l->io_flags = flags;
        }

        if (until == UINT64_MAX)
                evtimer_del(l->time_event);
        else {
                uint64_t now = now_mono_usec(), d = until > now ? until - now : 0;
                struct timeval tv = { (time_t) (d / 1000000u), (suseconds_t) (d % 1000000u) };
                evtimer_add(l->time_event, &tv);
        }
}

static void bus_dispatch(Logind *l) {
        if (!l->bus)
                return;
        int i, r = 0;
        for (i = 0; i < DISPATCH_BATCH; i++) {
                r = sd_bus_process(l->bus, NULL);
                if (r <= 0)
                        break;
        }
        if (r < 0) {
                set_error(l, "system bus connection lost", strerror(-r));
                log_warning("%s, reconnecting", l->error);
                bus_drop(l);
                notify(l);
                schedule_reconnect(l);
                return;
        }
        bus_rearm(l);
        if (i == DISPATCH_BATCH) /* more queued: come straight back */
                arm_now(l);
}

static int bus_connect(Logind *l) {
        sd_bus *bus = NULL;
        int r = sd_bus_open_system(&bus);
        if (r < 0) {
                set_error(l, "cannot connect to the system bus", strerror(-r));
                return r;
        }
        l->bus = bus;
        (void) sd_bus_set_description(bus, "logind");

        /* Floating matches: they live as long as the connection. */
        struct {
                const char *sender, *path, *iface, *member;
                sd_bus_message_handler_t cb;
        } matches[] = {
                { LOGIND_NAME, LOGIND_PATH, MANAGER_IFACE, "SessionNew", on_session_signal },
                { LOGIND_NAME, LOGIND_PATH, MANAGER_IFACE, "SessionRemoved", on_session_signal },
                { LOGIND_NAME, LOGIND_PATH, MANAGER_IFACE, "PrepareForSleep", on_prepare_for_sleep },
                { LOGIND_NAME, LOGIND_PATH, MANAGER_IFACE, "PrepareForShutdown", on_prepare_for_shutdown },
                { "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameOwnerChanged",
                  on_name_owner_changed },
        };
        for (size_t i = 0; i < ELEMENTSOF(matches); i++) {
                r = sd_bus_match_signal_async(bus, NULL, matches[i].sender, matches[i].path, matches[i].iface,
                                              matches[i].member, matches[i].cb, NULL, l);
                if (r < 0)
                        goto fail;
        }
        r = sd_bus_add_match_async(bus, NULL,
                                   "type='signal',sender='" LOGIND_NAME "',"
                                   "interface='org.freedesktop.DBus.Properties',member='PropertiesChanged',"
                                   "path_namespace='" LOGIND_PATH "/session'",
                                   on_properties_changed, NULL, l);
        if (r < 0)
                goto fail;

        int fd = sd_bus_get_fd(bus);
        if (fd < 0) {
                r = fd;
                goto fail;
        }
        enumerate(l);
        bus_rearm(l);
        bus_dispatch(l); /* dispatch once before the loop takes over */
        return 0;
fail:
        set_error(l, "cannot watch logind", strerror(-r));
        bus_drop(l);
        return r;
}

static void on_retry(evutil_socket_t fd, short what, void *userdata) {
        Logind *l = userdata;
        (void) fd, (void) what;
        if (bus_connect(l) < 0) {
                log_debug("logind: %s", l->error);
                schedule_reconnect(l);
        }
        notify(l);
}

static void schedule_reconnect(Logind *l) {
        struct timeval tv = { l->backoff_s, 0 };
        evtimer_add(l->retry_event, &tv);
        l->backoff_s = l->backoff_s * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S : l->backoff_s * 2;
}

/* --- public -------------------------------------------------------------- */

int logind_new(Logind **ret, struct event_base *base, LogindChanged changed, void *userdata) {
        Logind *l;
        if (NEW(&l, Logind, .base = base, .changed = changed, .userdata = userdata, .inhibit_fd = -1,
                .backoff_s = BACKOFF_MIN_S) < 0)
                return -ENOMEM;
        l->time_event = evtimer_new(base, on_bus_time, l);
        l->retry_event = evtimer_new(base, on_retry, l);
        if (!l->time_event || !l->retry_event) {
                logind_free(l);
                return -ENOMEM;
        }
        if (bus_connect(l) < 0) {
                log_warning("logind: %s; retrying in the background", l->error);
                schedule_reconnect(l);
        }
        *ret = l;
        return 0;
}

Logind *logind_free(Logind *l) {
        if (!l)
                return NULL;
        bus_drop(l);
        if (l->time_event)
                event_free(l->time_event);
        if (l->retry_event)
                event_free(l->retry_event);
        free(l);
        return NULL;
}

LogindPresence logind_presence(const Logind *l) {
        if (!l || !l->bus || !l->enumerated)
                return LOGIND_UNKNOWN;
        for (size_t i = 0; i < l->n_sessions; i++) {
                const LogindSession *s = &l->sessions[i]->pub;
                if (s->known && s->active && !s->idle && !s->locked)
                        return LOGIND_PRESENT;
        }
        return LOGIND_AWAY;
}

bool logind_locked(const Logind *l) {
        if (!l || !l->enumerated)
                return false;
        for (size_t i = 0; i < l->n_sessions; i++) {
                const LogindSession *s = &l->sessions[i]->pub;
                if (s->known && s->active && s->locked)
                        return true;
        }
        return false;
}

bool logind_sleeping(const Logind *l) {
        return l && l->sleeping;
}

const char *logind_state(const Logind *l, const char **ret_error) {
        bool ok = l && l->bus && l->enumerated;
        if (ret_error)
                *ret_error = ok || !l || l->error[0] == '\0' ? NULL : l->error;
        return ok ? "connected" : "connecting";
}

size_t logind_n_sessions(const Logind *l) {
        return l ? l->n_sessions : 0;
}

const LogindSession *logind_session(const Logind *l, size_t i) {
        return i < l->n_sessions ? &l->sessions[i]->pub : NULL;
}

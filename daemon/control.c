#include "control.h"

#include <errno.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "protocol.h"

typedef struct Client Client;
struct Client {
        Control *control;
        struct bufferevent *bev;
        uint64_t serial;
        int64_t last_activity; /* CLOCK_MONOTONIC µs of accept or the last bytes read, for eviction */
        bool spoke;            /* sent at least one byte */
        bool answered;         /* sent at least one complete message */
        bool closing;          /* flush what is queued, then close */
        bool throttled;        /* not read until its replies drain (total output bound) */
        bool slow;             /* made a slow call: served after everything else (CONTROL_PRIORITY_SLOW) */
        bool attached;         /* a source (CONTROL_ATTACH): never timed out or evicted */
        ControlSteps job;      /* a call answered in steps (CONTROL_STEPS), or all NULL */
        bool job_oneway;       /* ... whose reply is not sent */
        char *job_method;      /* ... and its name, for the debug log */
        int64_t job_began;     /* CLOCK_MONOTONIC µs when it was read */
        int64_t job_turn_max;  /* µs of its longest turn */
        unsigned job_turns;
        Client *job_next;      /* the queue of calls answered in steps */
        Client *prev, *next;
};

struct Control {
        struct event_base *base;
        struct evconnlistener *listener;
        ControlHandler handler;
        ControlDetached detached;
        void *userdata;
        Client *clients;
        unsigned n_clients;
        uint64_t next_serial;
        struct event *resume;  /* re-enables the listener after running out of fds */
        struct event *step;    /* runs the first job's steps (CONTROL_PRIORITY_SLOW) */
        Client *jobs;          /* calls answered in steps, in the order they came */
        int64_t starved_at;    /* CLOCK_MONOTONIC µs of the last accept that ran out, 0 = never */
};

static int64_t now_mono_us(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * USEC_PER_SEC + ts.tv_nsec / 1000;
}

static void control_resume(Control *c);

/* Whether the client's next bytes are read: not while it is closing or
 * paused for the total output bound. (While a call of its is answered in
 * steps, its bytes are read, so that its close is seen, but not handled; the
 * read high watermark bounds them.) */
static void client_update_read(Client *cl) {
        if (cl->closing || cl->throttled)
                bufferevent_disable(cl->bev, EV_READ);
        else
                bufferevent_enable(cl->bev, EV_READ);
}

/* The read deadline from the client's state: a short one for its first
 * request; none while it is attached, or waiting for a call answered in steps
 * (it waits for us, however long the queue); the idle timeout otherwise. */
static void client_update_timeouts(Client *cl) {
        struct timeval first = { CONTROL_FIRST_REQUEST_S, 0 }, idle = { CONTROL_IDLE_TIMEOUT_S, 0 },
                       wt = { CONTROL_WRITE_TIMEOUT_S, 0 };
        bufferevent_set_timeouts(cl->bev, cl->attached || cl->job.step ? NULL : cl->answered ? &idle : &first, &wt);
}

/* Take cl's job off the queue and release it. */
static void client_job_end(Client *cl) {
        Control *c = cl->control;
        if (!cl->job.step)
                return;
        for (Client **p = &c->jobs; *p; p = &(*p)->job_next)
                if (*p == cl) {
                        *p = cl->job_next;
                        break;
                }
        cl->job_next = NULL;
        if (cl->job.free)
                cl->job.free(cl->job.state);
        cl->job = (ControlSteps) {};
        free(TAKE_PTR(cl->job_method));
}

static void client_free(Client *cl) {
        if (!cl)
                return;
        Control *c = cl->control;
        client_job_end(cl);
        if (cl->prev)
                cl->prev->next = cl->next;
        else
                c->clients = cl->next;
        if (cl->next)
                cl->next->prev = cl->prev;
        c->n_clients--;
        bufferevent_free(cl->bev);
        if (cl->attached && c->detached)
                c->detached(cl->serial, c->userdata);
        free(cl);
        /* A descriptor came free: a listener paused for want of one may go on. */
        control_resume(c);
}

/* Queue a reply; past CONTROL_OUTPUT_MAX unread bytes the client is not reading
 * its answers: drop it. */
static int client_send(Client *cl, const char *msg, size_t len) {
        struct evbuffer *out = bufferevent_get_output(cl->bev);
        if (evbuffer_get_length(out) + len > CONTROL_OUTPUT_MAX) {
                log_warning("Control client %" PRIu64 " does not read its replies, disconnecting", cl->serial);
                return -ENOBUFS;
        }
        return evbuffer_add(out, msg, len) < 0 ? -ENOMEM : 0;
}

/* Send a final error and close once it is written. */
static void client_fail(Client *cl, const char *error, json_object *params) {
        _cleanup_free_ char *msg = NULL;
        size_t len;
        if (varlink_error(error, params, &msg, &len) >= 0)
                (void) client_send(cl, msg, len);
        cl->closing = true;
        client_update_read(cl);
        if (evbuffer_get_length(bufferevent_get_output(cl->bev)) == 0)
                client_free(cl);
}

/* Queue a call answered in steps; the connection's next requests wait for its reply. */
static int client_job_start(Client *cl, VarlinkCall *call, ControlSteps *steps) {
        Control *c = cl->control;
        cl->job = *steps;
        cl->job_oneway = call->oneway;
        cl->job_method = TAKE_PTR(call->method);
        cl->job_began = now_mono_us();
        cl->job_turn_max = 0;
        cl->job_turns = 0;
        varlink_call_done(call);
        Client **p = &c->jobs;
        while (*p)
                p = &(*p)->job_next;
        *p = cl;
        client_update_timeouts(cl);
        event_active(c->step, EV_TIMEOUT, 0);
        return 0;
}

/* Handle one complete message. Returns < 0 when the client was freed. */
static int client_handle(Client *cl, const char *buf, size_t len) {
        Control *c = cl->control;
        VarlinkCall call;
        const char *error;

        if (varlink_call_parse(buf, len, &call, &error) < 0) {
                json_object *p = json_object_new_object();
                json_object_object_add(p, "parameter", json_object_new_string("message"));
                client_fail(cl, error, p);
                return -1;
        }

        if (!cl->answered) {
                /* Past the first request, the ordinary idle timeout. */
                cl->answered = true;
                client_update_timeouts(cl);
        }

        _cleanup_free_ char *reply = NULL;
        size_t reply_len = 0;
        ControlSteps steps = {};
        call.peer = cl->serial;
        int64_t began = now_mono_us();
        int r = c->handler(&call, &reply, &reply_len, &steps, c->userdata);
        if (r == CONTROL_STEPS && steps.step)
                return client_job_start(cl, &call, &steps);
        if (steps.free)
                steps.free(steps.state);
        int64_t took = now_mono_us() - began;
        if (took > CONTROL_SLOW_CALL_US) {
                /* Served after everything else from now on. */
                log_debug("Control client %" PRIu64 ": %s took %" PRId64 " ms", cl->serial, call.method,
                          took / 1000);
                if (!cl->slow) {
                        cl->slow = true;
                        bufferevent_priority_set(cl->bev, CONTROL_PRIORITY_SLOW);
                }
        }
        if (r == CONTROL_ATTACH && !cl->attached) {
                cl->attached = true;
                client_update_timeouts(cl);
        }
        bool oneway = call.oneway;
        varlink_call_done(&call);
        if (r < 0) {
                client_free(cl);
                return -1;
        }
        if (reply && !oneway && client_send(cl, reply, reply_len) < 0) {
                client_free(cl);
                return -1;
        }
        return 0;
}

/* Bytes of replies queued for all clients together. */
static size_t control_output_total(Control *c) {
        size_t total = 0;
        for (Client *cl = c->clients; cl; cl = cl->next)
                total += evbuffer_get_length(bufferevent_get_output(cl->bev));
        return total;
}

/* Past CONTROL_OUTPUT_TOTAL_MAX queued for everyone, a client that has replies
 * of its own pending is not read (nor its buffered requests answered) until
 * they are written: many clients that never read cannot add up to clients ×
 * CONTROL_OUTPUT_MAX. One with nothing pending, like a fresh `kizuki status`,
 * is still served. */
static bool client_throttle(Client *cl) {
        if (evbuffer_get_length(bufferevent_get_output(cl->bev)) == 0 ||
            control_output_total(cl->control) <= CONTROL_OUTPUT_TOTAL_MAX)
                return false;
        if (!cl->throttled)
                log_debug("Control replies over %d bytes in all, pausing client %" PRIu64,
                          CONTROL_OUTPUT_TOTAL_MAX, cl->serial);
        cl->throttled = true;
        client_update_read(cl);
        return true;
}

static void client_read_cb(struct bufferevent *bev, void *userdata) {
        Client *cl = userdata;
        struct evbuffer *in = bufferevent_get_input(bev);

        cl->last_activity = now_mono_us();
        cl->spoke = cl->spoke || evbuffer_get_length(in) > 0;
        while (!cl->closing && !cl->job.step) {
                if (client_throttle(cl))
                        return;
                struct evbuffer_ptr nul = evbuffer_search(in, "", 1, NULL);
                if (nul.pos < 0) {
                        if (evbuffer_get_length(in) > VARLINK_MESSAGE_MAX) {
                                json_object *p = json_object_new_object();
                                json_object_object_add(p, "limit", json_object_new_int(VARLINK_MESSAGE_MAX));
                                client_fail(cl, KIZUKI_NAME("MessageTooLarge"), p);
                        }
                        return;
                }
                size_t len = (size_t) nul.pos;
                if (len > VARLINK_MESSAGE_MAX) {
                        json_object *p = json_object_new_object();
                        json_object_object_add(p, "limit", json_object_new_int(VARLINK_MESSAGE_MAX));
                        client_fail(cl, KIZUKI_NAME("MessageTooLarge"), p);
                        return;
                }
                _cleanup_free_ char *msg = malloc(len + 1);
                if (!msg) {
                        client_free(cl);
                        return;
                }
                evbuffer_remove(in, msg, len + 1);
                if (client_handle(cl, msg, len) < 0)
                        return;
        }
}

/* Called when the output has drained (write low watermark 0). */
static void client_write_cb(struct bufferevent *bev, void *userdata) {
        Client *cl = userdata;
        if (evbuffer_get_length(bufferevent_get_output(bev)) > 0)
                return;
        if (cl->closing) {
                client_free(cl);
                return;
        }
        if (cl->throttled) {
                /* Answer what was already read, then read more. */
                cl->throttled = false;
                client_update_read(cl);
                client_read_cb(bev, cl);
        }
}

/* Run the first queued job's steps for about CONTROL_STEP_BUDGET_US, then
 * yield to the loop; once it is done, send its reply and read its client
 * again. One callback of the lowest priority per turn (daemon.c), so what
 * became ready meanwhile at a higher one runs before the next turn. */
static void control_step_cb(evutil_socket_t fd, short what, void *userdata) {
        Control *c = userdata;
        Client *cl = c->jobs;
        (void) fd, (void) what;
        if (!cl)
                return;

        _cleanup_free_ char *reply = NULL;
        size_t reply_len = 0;
        int64_t began = now_mono_us(), now;
        int r;
        do {
                r = cl->job.step(cl->job.state, &reply, &reply_len);
                now = now_mono_us();
        } while (r == 0 && now - began < CONTROL_STEP_BUDGET_US);
        cl->job_turns++;
        if (now - began > cl->job_turn_max)
                cl->job_turn_max = now - began;
        if (r == 0) {
                event_active(c->step, EV_TIMEOUT, 0);
                return;
        }

        log_debug("Control client %" PRIu64 ": %s answered in %" PRId64 " ms, %u turns, the longest %" PRId64
                  " ms",
                  cl->serial, cl->job_method, (now - cl->job_began) / 1000, cl->job_turns, cl->job_turn_max / 1000);
        bool oneway = cl->job_oneway;
        client_job_end(cl);
        if (c->jobs)
                event_active(c->step, EV_TIMEOUT, 0);
        if (r < 0 || (reply && !oneway && client_send(cl, reply, reply_len) < 0)) {
                client_free(cl);
                return;
        }
        cl->last_activity = now;
        client_update_timeouts(cl);
        /* Requests that came meanwhile, in order. */
        client_read_cb(cl->bev, cl);
}

static void client_event_cb(struct bufferevent *bev, short what, void *userdata) {
        Client *cl = userdata;
        (void) bev;
        if (what & BEV_EVENT_TIMEOUT)
                log_debug("Control client %" PRIu64 " timed out", cl->serial);
        client_free(cl);
}

/* Bytes the peer sent that we have not read yet (0 when unknown). */
static int client_unread(const Client *cl) {
        int n = 0;
        if (ioctl(bufferevent_getfd(cl->bev), FIONREAD, &n) < 0)
                return 0;
        return n;
}

/* Whether cl goes before best when room is needed: first a client that never
 * sent a byte and has none waiting (an idle connection of a flood), the one
 * accepted longest ago first; then the one quiet the longest. */
static bool client_evict_before(const Client *cl, bool cl_silent, const Client *best, bool best_silent) {
        if (!best)
                return true;
        if (cl_silent != best_silent)
                return cl_silent;
        /* One waiting for a reply in steps is busy, not idle. */
        int64_t a = cl->job.step ? INT64_MAX : cl->last_activity, b = best->job.step ? INT64_MAX : best->last_activity;
        if (a != b)
                return a < b;
        return cl->serial < best->serial;
}

/* Past the client limit, make room by dropping one client. Never the newest:
 * it has had no chance to speak yet. A flood of idle connections must not lock
 * the person out: those go first, and the person's own clients, which send
 * their request at once, are kept (a request waiting unread counts). Attached
 * sources are quiet by design and stay (bounded in number by their handler). */
static void control_evict_one(Control *c) {
        Client *newest = NULL;
        for (Client *cl = c->clients; cl; cl = cl->next)
                if (!newest || cl->serial > newest->serial)
                        newest = cl;
        for (;;) {
                Client *victim = NULL;
                bool victim_silent = false;
                for (Client *cl = c->clients; cl; cl = cl->next) {
                        if ((cl == newest && c->n_clients > 1) || cl->attached)
                                continue;
                        bool silent = !cl->spoke && !cl->closing;
                        if (client_evict_before(cl, silent, victim, victim_silent)) {
                                victim = cl;
                                victim_silent = silent;
                        }
                }
                if (!victim)
                        return;
                /* Bytes waiting unread: it has spoken, we have not read it yet. */
                if (victim_silent && client_unread(victim) > 0) {
                        victim->spoke = true;
                        continue;
                }
                log_debug("Too many control clients, dropping client %" PRIu64 " (%s)", victim->serial,
                          victim_silent ? "never spoke" : "the idlest");
                client_free(victim);
                return;
        }
}

static bool peer_allowed(int fd) {
        struct ucred cred;
        socklen_t n = sizeof cred;
        if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &n) < 0 || n != sizeof cred)
                return false;
        return cred.uid == getuid();
}

static void refuse_peer(int fd) {
        _cleanup_free_ char *msg = NULL;
        size_t len;
        if (varlink_error(KIZUKI_NAME("PermissionDenied"), NULL, &msg, &len) >= 0)
                (void) send(fd, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL);
        close(fd);
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int salen, void *userdata) {
        Control *c = userdata;
        (void) l, (void) sa, (void) salen;
        if (!peer_allowed(fd)) {
                log_warning("Refused a control connection from another user");
                refuse_peer(fd);
                return;
        }
        if (c->n_clients >= CONTROL_CLIENTS_MAX)
                control_evict_one(c);

        Client *cl = calloc(1, sizeof *cl);
        if (!cl) {
                close(fd);
                return;
        }
        evutil_make_socket_nonblocking(fd);
        cl->bev = bufferevent_socket_new(c->base, fd, BEV_OPT_CLOSE_ON_FREE);
        if (!cl->bev) {
                close(fd);
                free(cl);
                return;
        }
        cl->control = c;
        cl->serial = ++c->next_serial;
        cl->last_activity = now_mono_us();
        cl->next = c->clients;
        if (c->clients)
                c->clients->prev = cl;
        c->clients = cl;
        c->n_clients++;

        /* A short deadline for the first request: an idle connection holds a
         * place only briefly. Unhandled input is bounded (a message and a
         * byte: what tells a message too large). */
        bufferevent_setcb(cl->bev, client_read_cb, client_write_cb, client_event_cb, cl);
        bufferevent_setwatermark(cl->bev, EV_READ, 0, VARLINK_MESSAGE_MAX + 1);
        client_update_timeouts(cl);
        bufferevent_enable(cl->bev, EV_READ | EV_WRITE);

        /* At the limit, accept one connection per turn of the loop, so the
         * clients already accepted are read (and answered) before the next
         * accept makes room again: a flood cannot push a request out before it
         * was read. */
        if (c->n_clients >= CONTROL_CLIENTS_MAX && !evtimer_pending(c->resume, NULL)) {
                struct timeval now = { 0, 0 };
                evconnlistener_disable(c->listener);
                evtimer_add(c->resume, &now);
        }
}

/* Re-enable a listener paused by accept_error_cb; a no-op when it runs. */
static void control_resume(Control *c) {
        if (!evtimer_pending(c->resume, NULL))
                return;
        evtimer_del(c->resume);
        evconnlistener_enable(c->listener);
}

static void resume_cb(evutil_socket_t fd, short what, void *userdata) {
        Control *c = userdata;
        (void) fd, (void) what;
        evconnlistener_enable(c->listener);
}

/* The listener is level-triggered: out of descriptors (EMFILE, ENFILE) or
 * memory, the pending connection stays and accept would fail again at once,
 * forever. Pause the listener until a client goes or a second has passed, make
 * room by dropping the idlest client (as past the client limit), and log once
 * per episode (failures less than a minute apart), not per attempt. */
static void accept_error_cb(struct evconnlistener *l, void *userdata) {
        Control *c = userdata;
        int e = EVUTIL_SOCKET_ERROR();
        (void) l;

        if (e != EMFILE && e != ENFILE && e != ENOBUFS && e != ENOMEM) {
                log_warning("Failed to accept a control connection: %s", strerror(e));
                return;
        }
        int64_t now = now_mono_us();
        if (c->starved_at == 0 || now - c->starved_at > 60 * USEC_PER_SEC)
                log_warning("Failed to accept a control connection: %s; pausing new connections "
                            "until a descriptor is free",
                            strerror(e));
        c->starved_at = now;
        evconnlistener_disable(c->listener);
        struct timeval tv = { 1, 0 };
        evtimer_add(c->resume, &tv);
        if (c->n_clients > 0)
                control_evict_one(c); /* resumes the listener */
}

int control_base_new(struct event_base **ret) {
        struct event_config *cfg = event_config_new();
        if (!cfg)
                return -ENOMEM;
        struct event_base *base = NULL;
        if (event_config_set_max_dispatch_interval(cfg, NULL, 1, CONTROL_PRIORITY_SLOW) >= 0)
                base = event_base_new_with_config(cfg);
        event_config_free(cfg);
        if (!base)
                return -ENOMEM;
        if (event_base_priority_init(base, CONTROL_PRIORITIES) < 0) {
                event_base_free(base);
                return -EINVAL;
        }
        *ret = base;
        return 0;
}

int control_new(Control **ret, struct event_base *base, int fd, ControlHandler handler, void *userdata) {
        Control *c;
        if (NEW(&c, Control, .base = base, .handler = handler, .userdata = userdata) < 0)
                return -ENOMEM;

        /* A socket passed by systemd-socket-activate is blocking: accept would stall the loop. */
        if (evutil_make_socket_nonblocking(fd) < 0 || evutil_make_socket_closeonexec(fd) < 0) {
                free(c);
                return -errno;
        }
        c->listener = evconnlistener_new(base, accept_cb, c, LEV_OPT_CLOSE_ON_FREE, 0, fd);
        if (!c->listener) {
                free(c);
                return -ENOMEM;
        }
        evconnlistener_set_error_cb(c->listener, accept_error_cb);
        c->resume = evtimer_new(base, resume_cb, c);
        c->step = event_new(base, -1, 0, control_step_cb, c);
        if (!c->resume || !c->step || event_priority_set(c->step, CONTROL_PRIORITY_SLOW) < 0) {
                if (c->step)
                        event_free(c->step);
                if (c->resume)
                        event_free(c->resume);
                evconnlistener_free(c->listener);
                free(c);
                return -ENOMEM;
        }
        *ret = c;
        return 0;
}

void control_on_detached(Control *c, ControlDetached detached) {
        c->detached = detached;
}

Control *control_free(Control *c) {
        if (!c)
                return NULL;
        c->detached = NULL; /* the daemon is going: nothing to report */
        if (c->resume)
                evtimer_del(c->resume);
        while (c->clients)
                client_free(c->clients);
        event_free(c->step);
        event_free(c->resume);
        evconnlistener_free(c->listener);
        free(c);
        return NULL;
}

/* Is someone answering on path? */
static bool socket_alive(const struct sockaddr_un *sa) {
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return false;
        return connect(fd, (const struct sockaddr *) sa, sizeof *sa) == 0;
}

static int mkdir_private(const char *dir) {
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return -errno;
        struct stat st;
        if (stat(dir, &st) < 0)
                return -errno;
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        if (st.st_uid != getuid())
                return -EPERM;
        if ((st.st_mode & 07777) != 0700 && chmod(dir, 0700) < 0)
                return -errno;
        return 0;
}

int control_bind(const char *path, int *ret_fd) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof sa.sun_path)
                return -ENAMETOOLONG;
        memcpy(sa.sun_path, path, strlen(path) + 1);

        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash && slash != dir) {
                *slash = '\0';
                int r = mkdir_private(dir);
                if (r < 0)
                        return r;
        }

        struct stat st;
        if (lstat(path, &st) == 0) {
                if (!S_ISSOCK(st.st_mode))
                        return -EEXIST;
                if (socket_alive(&sa))
                        return -EADDRINUSE;
                if (unlink(path) < 0)
                        return -errno;
        }

        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return -errno;
        if (bind(fd, (struct sockaddr *) &sa, sizeof sa) < 0)
                return -errno;
        /* bind() creates the node 0755 & ~umask whatever we ask: tighten it. */
        if (chmod(path, 0600) < 0 || listen(fd, SOMAXCONN) < 0) {
                int r = -errno;
                unlink(path);
                return r;
        }
        *ret_fd = TAKE_FD(fd);
        return 0;
}

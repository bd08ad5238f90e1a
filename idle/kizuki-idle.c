/* kizuki-idle: a per-user helper in the graphical session that turns the
 * desktop's own idle events into kizukid's activity state, for desktops that
 * never set logind's IdleHint. It picks the protocol the session offers
 * (Wayland ext-idle-notify-v1, then org_kde_kwin_idle, then GNOME's Mutter
 * IdleMonitor on the session bus; X11 XSync IDLETIME),
 * follows the screen savers' ActiveChanged on the session bus (a lock), attaches to kizukid's control socket and reports each change there. While
 * connected it sleeps in poll() with no timeout: no wakeups while nothing
 * changes. When kizukid goes (a restart), it reconnects with backoff. */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "idle-client.h"
#include "idle-lock.h"
#include "idle.h"
#include "protocol.h"
#include "version.h"

#define BACKOFF_MIN_MS 1000
#define BACKOFF_MAX_MS 60000
/* A connection that lived this long was a good one: start the backoff again. */
#define STABLE_MS 60000

typedef struct Options {
        uint32_t timeout_s;
        const char *socket;
        const char *session;
        const char *backend; /* "auto", "wayland", "x11", "mutter" */
        bool force, verbose;
} Options;

static const char *const report_names[] = { "active", "idle", "locked" };

static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void usage(FILE *f) {
        fprintf(f, "Usage: kizuki-idle [OPTIONS]\n"
                   "Report the desktop's idle state to kizukid (see kizuki-idle(1)).\n\n"
                   "  -t, --timeout SECONDS  idle after this long without input (default 300)\n"
                   "      --socket PATH      kizukid's control socket\n"
                   "      --session ID       the logind session reported for (default $XDG_SESSION_ID)\n"
                   "      --backend NAME     auto, wayland, x11 or mutter (default auto)\n"
                   "      --force            run even on desktops that set logind's IdleHint themselves\n"
                   "  -v, --verbose          say each change on stderr\n"
                   "      --version\n"
                   "  -h, --help\n");
}

static int parse_options(int argc, char **argv, Options *o) {
        static const struct option longopts[] = {
                { "timeout", required_argument, NULL, 't' }, { "socket", required_argument, NULL, 'S' },
                { "session", required_argument, NULL, 's' }, { "backend", required_argument, NULL, 'b' },
                { "force", no_argument, NULL, 'f' },         { "verbose", no_argument, NULL, 'v' },
                { "version", no_argument, NULL, 'V' },       { "help", no_argument, NULL, 'h' },
                {},
        };
        int c;
        while ((c = getopt_long(argc, argv, "t:vh", longopts, NULL)) >= 0) {
                char *end;
                long v;
                switch (c) {
                case 't':
                        errno = 0;
                        v = strtol(optarg, &end, 10);
                        if (errno || end == optarg || *end || v < 1 || v > 86400) {
                                fprintf(stderr, "kizuki-idle: --timeout wants 1..86400 seconds, not '%s'\n", optarg);
                                return -EINVAL;
                        }
                        o->timeout_s = (uint32_t) v;
                        break;
                case 'S':
                        o->socket = optarg;
                        break;
                case 's':
                        o->session = *optarg ? optarg : NULL;
                        break;
                case 'b':
                        if (strcmp(optarg, "auto") != 0 && strcmp(optarg, "wayland") != 0 && strcmp(optarg, "x11") != 0 &&
                            strcmp(optarg, "mutter") != 0) {
                                fprintf(stderr, "kizuki-idle: --backend is auto, wayland, x11 or mutter, not '%s'\n",
                                        optarg);
                                return -EINVAL;
                        }
                        o->backend = optarg;
                        break;
                case 'f':
                        o->force = true;
                        break;
                case 'v':
                        o->verbose = true;
                        break;
                case 'V':
                        printf("kizuki-idle %s\n", KIZUKI_VERSION);
                        exit(0);
                case 'h':
                        usage(stdout);
                        exit(0);
                default:
                        usage(stderr);
                        return -EINVAL;
                }
        }
        if (optind < argc) {
                fprintf(stderr, "kizuki-idle: unexpected argument '%s'\n", argv[optind]);
                return -EINVAL;
        }
        return 0;
}

/* GNOME (gnome-session), Cinnamon and MATE set logind's IdleHint after their
 * own idle delay: kizukid follows that already, and a second source would
 * only disagree with the desktop's setting. */
static const char *desktop_sets_idle_hint(void) {
        static const char *const desktops[] = { "GNOME", "Cinnamon", "X-Cinnamon", "MATE" };
        const char *env = getenv("XDG_CURRENT_DESKTOP");
        if (!env)
                return NULL;
        char buf[256];
        snprintf(buf, sizeof buf, "%s", env);
        char *save = NULL;
        for (char *t = strtok_r(buf, ":", &save); t; t = strtok_r(NULL, ":", &save))
                for (size_t i = 0; i < sizeof desktops / sizeof *desktops; i++)
                        if (strcmp(t, desktops[i]) == 0)
                                return desktops[i];
        return NULL;
}

/* Wayland first (under Wayland, X11's IDLETIME sees only Xwayland clients'
 * input), then X11. */
static int open_backend(const Options *o, IdleBackend **ret) {
        uint32_t ms = o->timeout_s * 1000;
        bool auto_ = strcmp(o->backend, "auto") == 0;
        const char *wl = getenv("WAYLAND_DISPLAY"), *x = getenv("DISPLAY");
        if (strcmp(o->backend, "mutter") == 0) {
                int r = idle_mutter_open(ret, ms);
                if (r < 0)
                        fprintf(stderr, "kizuki-idle: no org.gnome.Mutter.IdleMonitor on the session bus\n");
                return r;
        }
        if ((auto_ && wl && *wl) || strcmp(o->backend, "wayland") == 0) {
                int r = idle_wayland_open(ret, ms, o->verbose);
                /* GNOME's Mutter has neither protocol, but its own D-Bus monitor. */
                if (r == -ENODEV && auto_ && idle_mutter_open(ret, ms) >= 0)
                        return 0;
                if (r == -ENODEV)
                        fprintf(stderr, "kizuki-idle: the Wayland compositor offers neither ext-idle-notify-v1 nor "
                                        "org_kde_kwin_idle (nor is there GNOME's Mutter IdleMonitor); it cannot "
                                        "tell when you are idle\n");
                else if (r < 0)
                        fprintf(stderr, "kizuki-idle: cannot connect to the Wayland display: %s\n", strerror(-r));
                return r;
        }
        if ((auto_ && x && *x) || strcmp(o->backend, "x11") == 0) {
                int r = idle_x11_open(ret, ms);
                if (r == -ENODEV)
                        fprintf(stderr, "kizuki-idle: cannot use the X display '%s' (not there, or no SYNC "
                                        "extension with an IDLETIME counter)\n",
                                x ? x : "");
                else if (r < 0)
                        fprintf(stderr, "kizuki-idle: X11 failed: %s\n", strerror(-r));
                return r;
        }
        fprintf(stderr, "kizuki-idle: neither WAYLAND_DISPLAY nor DISPLAY is set: not in a graphical session\n");
        return -ENXIO;
}

static int signal_fd(void) {
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
                return -errno;
        signal(SIGPIPE, SIG_IGN);
        int fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        return fd < 0 ? -errno : fd;
}

typedef struct Link {
        IdleClient *client;
        int reported; /* the state kizukid has; -1: none yet */
        int64_t next_try_ms, backoff_ms, since_ms;
        bool said_down;
} Link;

/* The connection went (or never came): try again after the backoff. */
static void link_lost(Link *l, const Options *o, const char *why) {
        int64_t now = now_ms();
        if (l->client && now - l->since_ms >= STABLE_MS)
                l->backoff_ms = 0;
        l->client = idle_client_free(l->client);
        l->backoff_ms = l->backoff_ms ? l->backoff_ms * 2 : BACKOFF_MIN_MS;
        if (l->backoff_ms > BACKOFF_MAX_MS)
                l->backoff_ms = BACKOFF_MAX_MS;
        l->next_try_ms = now + l->backoff_ms;
        if (!l->said_down || o->verbose)
                fprintf(stderr, "kizuki-idle: kizukid: %s; trying again in %llds\n", why,
                        (long long) l->backoff_ms / 1000);
        l->said_down = true;
}

static void link_try(Link *l, const Options *o, const char *path, const char *protocol) {
        if (l->client || now_ms() < l->next_try_ms)
                return;
        int r = idle_client_connect(&l->client, path, protocol, o->timeout_s, o->session);
        if (r < 0) {
                link_lost(l, o, strerror(-r)); /* not there (yet) */
                return;
        }
        l->reported = -1;
        l->since_ms = now_ms();
        if (l->said_down || o->verbose)
                fprintf(stderr, "kizuki-idle: attached to kizukid (%s, idle after %us)\n", protocol, o->timeout_s);
        l->said_down = false;
}

/* Tell kizukid the state when it differs from what it has. */
static void link_sync(Link *l, const Options *o, IdleReport state) {
        if (!l->client || l->reported == (int) state)
                return;
        if (idle_client_report(l->client, state) < 0) {
                link_lost(l, o, "went away");
                return;
        }
        if (o->verbose)
                fprintf(stderr, "kizuki-idle: %s\n", report_names[state]);
        l->reported = (int) state;
}

/* The shorter of two poll timeouts, -1 being none. */
static int min_timeout(int64_t a, int b) {
        if (a < 0)
                return b;
        if (a > 60000)
                a = 60000;
        return b < 0 || a < b ? (int) a : b;
}

static int run(const Options *o, const char *path, IdleBackend *b, IdleLock *lock, int sfd) {
        Link l = { .reported = -1 };
        for (;;) {
                link_try(&l, o, path, b->protocol);
                link_sync(&l, o, lock && idle_lock_locked(lock) ? IDLE_REPORT_LOCKED : b->state);
                if (b->prepare(b) < 0) {
                        fprintf(stderr, "kizuki-idle: the display connection closed\n");
                        break;
                }
                struct pollfd p[4] = { { .fd = b->fd, .events = POLLIN }, { .fd = sfd, .events = POLLIN },
                                       { .fd = l.client ? idle_client_fd(l.client) : -1, .events = POLLIN },
                                       { .fd = lock ? idle_lock_fd(lock) : -1,
                                         .events = lock ? idle_lock_events(lock) : 0 } };
                int64_t wait = l.client ? -1 : l.next_try_ms - now_ms();
                if (!l.client && wait < 0)
                        wait = 0;
                int n = poll(p, 4, min_timeout(wait, lock ? idle_lock_timeout_ms(lock) : -1));
                if (n < 0 && errno != EINTR) {
                        fprintf(stderr, "kizuki-idle: poll: %s\n", strerror(errno));
                        (void) b->dispatch(b, 0);
                        break;
                }
                if (b->dispatch(b, n > 0 ? p[0].revents : 0) < 0) {
                        fprintf(stderr, "kizuki-idle: the display connection closed\n");
                        break;
                }
                if (n > 0 && p[1].revents) {
                        struct signalfd_siginfo si;
                        (void) !read(sfd, &si, sizeof si);
                        break;
                }
                if (lock && idle_lock_dispatch(lock) < 0) {
                        fprintf(stderr, "kizuki-idle: lost the session bus; screen saver signals no longer followed\n");
                        lock = idle_lock_free(lock);
                }
                if (n > 0 && l.client && p[2].revents) {
                        int r = idle_client_read(l.client);
                        if (r < 0)
                                link_lost(&l, o, r == -ECONNRESET ? "closed the connection" : "refused the helper");
                }
        }
        /* Leaving cleanly (logout, stop): a goodbye, so kizukid does not treat
         * the session as unknown. */
        if (l.client)
                idle_client_detach(l.client);
        idle_client_free(l.client);
        idle_lock_free(lock);
        return 0;
}

int main(int argc, char **argv) {
        Options o = { .timeout_s = 300, .backend = "auto" };
        o.session = getenv("XDG_SESSION_ID");
        if (o.session && !*o.session)
                o.session = NULL;
        if (parse_options(argc, argv, &o) < 0)
                return 2;

        const char *desktop = desktop_sets_idle_hint();
        if (desktop && !o.force) {
                fprintf(stderr, "kizuki-idle: %s sets logind's IdleHint itself; kizukid follows it. Nothing to do.\n",
                        desktop);
                return 0;
        }

        char *path = NULL;
        if (!o.socket && protocol_socket_path(&path) < 0)
                return 1;
        IdleBackend *b = NULL;
        int sfd = signal_fd();
        int r = sfd < 0 ? sfd : open_backend(&o, &b);
        if (r >= 0) {
                if (o.verbose)
                        fprintf(stderr, "kizuki-idle: using %s, idle after %us\n", b->protocol, o.timeout_s);
                IdleLock *lock = NULL;
                (void) idle_lock_open(&lock, o.verbose); /* optional: no session bus, no lock signals */
                r = run(&o, o.socket ? o.socket : path, b, lock, sfd);
                b->free(b);
        }
        if (sfd >= 0)
                close(sfd);
        free(path);
        /* No graphical session or no idle protocol: exit 0 is not a failure to retry. */
        return r == -ENXIO ? 0 : r < 0 ? 1 : 0;
}

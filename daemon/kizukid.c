/* kizukid: records, per local hour, how long the person was active at the
 * computer — only with their consent, only on this machine. Setup, timers,
 * reload and signals; the recording itself is recorder.c's. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "daemon.h"
#include "evaluate.h"
#include "log.h"
#include "macro.h"
#include "methods.h"
#include "protocol.h"
#include "recorder.h"
#include "retention.h"
#include "timeutil.h"
#include "version.h"

/* --- timers and signals -------------------------------------------------- */

static void on_eval_timer(evutil_socket_t fd, short what, void *userdata) {
        (void) fd, (void) what;
        evaluate_if_due(userdata);
}

static void on_retention_timer(evutil_socket_t fd, short what, void *userdata) {
        (void) fd, (void) what;
        (void) retention_expire(userdata);
}

static void on_logind_changed(void *userdata) {
        Daemon *d = userdata;
        recorder_update(d);
        if (logind_sleeping(d->logind))
                recorder_flush(d); /* before the delay inhibitor goes */
}

static void config_warn(const char *message, void *userdata) {
        (void) userdata;
        log_warning("%s", message);
}

static void apply_logind(Daemon *d) {
        bool want = d->config.logind && !d->no_logind;
        if (want && !d->logind) {
                if (logind_new(&d->logind, d->base, on_logind_changed, d) < 0)
                        log_error("Failed to set up the logind source");
        } else if (!want && d->logind)
                d->logind = logind_free(d->logind);
}

int daemon_reload(Daemon *d, json_object *problems) {
        Config c;
        config_defaults(&c);
        int r = config_load(&c, d->config_path, config_warn, NULL);
        if (r < 0 && r != -ENOENT) {
                log_error("Failed to read %s: %s; keeping the current settings", d->config_path, strerror(-r));
                return r;
        }
        recorder_update(d);
        d->config = c;
        recorder_arm_flush(d);
        apply_logind(d);
        recorder_update(d);
        r = evaluate_load_policies(d, problems);
        if (r < 0)
                log_error("Failed to load the policies: %s", strerror(-r));
        (void) retention_expire(d); /* the retention may have become shorter */
        log_info("Configuration reloaded");
        return 0;
}

static void on_signal(evutil_socket_t sig, short what, void *userdata) {
        Daemon *d = userdata;
        (void) what;
        if (sig == SIGHUP) {
                sd_notify(0, "RELOADING=1");
                daemon_reload(d, NULL);
                sd_notify(0, "READY=1");
                return;
        }
        log_info("Received %s, stopping", strsignal((int) sig));
        event_base_loopbreak(d->base);
}

/* --- setup and teardown -------------------------------------------------- */

static int mkdir_parents_private(const char *path) {
        char buf[PATH_MAX];
        if (snprintf(buf, sizeof buf, "%s", path) >= (int) sizeof buf)
                return -ENAMETOOLONG;
        for (char *p = buf + 1; *p; p++)
                if (*p == '/') {
                        *p = '\0';
                        if (mkdir(buf, 0700) < 0 && errno != EEXIST)
                                return -errno;
                        *p = '/';
                }
        if (mkdir(buf, 0700) < 0 && errno != EEXIST)
                return -errno;
        struct stat st;
        if (stat(buf, &st) < 0)
                return -errno;
        if ((st.st_mode & 07777) != 0700 && chmod(buf, 0700) < 0)
                return -errno;
        return 0;
}

/* $XDG_xxx/kizuki[/leaf], else $HOME/fallback/kizuki[/leaf]. */
static char *xdg_path(const char *var, const char *fallback, const char *leaf) {
        const char *base = getenv(var);
        char *s = NULL;
        int n;
        if (base && base[0] == '/')
                n = asprintf(&s, "%s/kizuki%s%s", base, leaf ? "/" : "", leaf ? leaf : "");
        else {
                const char *home = getenv("HOME");
                if (!home || home[0] != '/')
                        return NULL;
                n = asprintf(&s, "%s/%s/kizuki%s%s", home, fallback, leaf ? "/" : "", leaf ? leaf : "");
        }
        return n < 0 ? NULL : s;
}

static void help(void) {
        printf("Usage: kizukid [OPTION]...\n"
               "Record, per local hour, how long you are active at this computer (with your consent).\n\n"
               "  -c, --config FILE     configuration (default $XDG_CONFIG_HOME/kizuki/kizukid.conf)\n"
               "  -s, --state-dir DIR   where the database lives (default $XDG_STATE_HOME/kizuki)\n"
               "      --socket PATH     control socket (default $XDG_RUNTIME_DIR/kizuki/io.kizuki.Daemon)\n"
               "      --no-logind       do not follow logind sessions (hints only)\n"
               "  -d, --debug           log debug messages\n"
               "  -h, --help            show this help\n"
               "      --version         show the version\n\n"
               "Usually started by systemd (kizukid.socket). See kizukid(8) and kizuki(1).\n");
}

static int parse_args(Daemon *d, int argc, char **argv) {
        enum { OPT_SOCKET = 256, OPT_NO_LOGIND, OPT_VERSION };
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "state-dir", required_argument, NULL, 's' },
                { "socket", required_argument, NULL, OPT_SOCKET },
                { "no-logind", no_argument, NULL, OPT_NO_LOGIND },
                { "debug", no_argument, NULL, 'd' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, OPT_VERSION },
                {},
        };
        int c;
        while ((c = getopt_long(argc, argv, "c:s:dh", options, NULL)) >= 0)
                switch (c) {
                case 'c':
                        free(d->config_path);
                        d->config_path = strdup(optarg);
                        break;
                case 's':
                        free(d->state_dir);
                        d->state_dir = strdup(optarg);
                        break;
                case OPT_SOCKET:
                        free(d->socket_path);
                        d->socket_path = strdup(optarg);
                        break;
                case OPT_NO_LOGIND:
                        d->no_logind = true;
                        break;
                case 'd':
                        log_max_priority = 7;
                        break;
                case 'h':
                        help();
                        return 0;
                case OPT_VERSION:
                        printf("kizukid %s\n", KIZUKI_VERSION);
                        return 0;
                default:
                        fprintf(stderr, "Try 'kizukid --help'.\n");
                        return -EINVAL;
                }
        if (optind < argc) {
                fprintf(stderr, "kizukid: unexpected argument '%s'\nTry 'kizukid --help'.\n", argv[optind]);
                return -EINVAL;
        }
        if (!d->config_path)
                d->config_path = xdg_path("XDG_CONFIG_HOME", ".config", "kizukid.conf");
        if (!d->state_dir)
                d->state_dir = xdg_path("XDG_STATE_HOME", ".local/state", NULL);
        if (!d->socket_path)
                (void) protocol_socket_path(&d->socket_path);
        if (!d->config_path || !d->state_dir || !d->socket_path) {
                fprintf(stderr, "kizukid: cannot find my directories: set HOME or the XDG_* variables\n");
                return -EINVAL;
        }
        if (asprintf(&d->db_path, "%s/kizuki.db", d->state_dir) < 0)
                return -ENOMEM;
        return 1;
}

static int open_socket(Daemon *d, int *ret_fd) {
        int n = sd_listen_fds(true);
        if (n < 0)
                return n;
        if (n > 1) {
                log_error("Expected one socket from the service manager, got %d", n);
                return -EINVAL;
        }
        if (n == 1) {
                if (sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_STREAM, 1, NULL, 0) <= 0) {
                        log_error("The passed socket is not a listening Unix stream socket");
                        return -EINVAL;
                }
                *ret_fd = SD_LISTEN_FDS_START;
                return 0;
        }
        int r = control_bind(d->socket_path, ret_fd);
        if (r == -EADDRINUSE) {
                log_error("Another kizukid already answers at %s", d->socket_path);
                return r;
        }
        if (r < 0) {
                log_error("Failed to create the control socket %s: %s", d->socket_path, strerror(-r));
                return r;
        }
        d->socket_bound = true;
        return 0;
}

static void daemon_done(Daemon *d) {
        for (size_t i = 0; i < ELEMENTSOF(d->signals); i++)
                if (d->signals[i])
                        event_free(d->signals[i]);
        struct event *timers[] = { d->eval_timer, d->retention_timer };
        for (size_t i = 0; i < ELEMENTSOF(timers); i++)
                if (timers[i])
                        event_free(timers[i]);
        recorder_done(d);
        control_free(d->control);
        logind_free(d->logind);
        policyset_free(d->policies);
        store_free(d->store);
        if (d->socket_bound)
                unlink(d->socket_path);
        if (d->base)
                event_base_free(d->base);
        free(d->config_path);
        free(d->state_dir);
        free(d->db_path);
        free(d->socket_path);
}

int main(int argc, char **argv) {
        Daemon d = {};
        int r, fd = -1;

        r = parse_args(&d, argc, argv);
        if (r <= 0) {
                daemon_done(&d);
                return r < 0 ? 2 : 0;
        }
        umask(0077);
        signal(SIGPIPE, SIG_IGN);

        config_defaults(&d.config);
        r = config_load(&d.config, d.config_path, config_warn, NULL);
        if (r < 0 && r != -ENOENT)
                log_warning("Failed to read %s: %s; using defaults", d.config_path, strerror(-r));

        r = mkdir_parents_private(d.state_dir);
        if (r < 0) {
                log_error("Failed to create %s: %s", d.state_dir, strerror(-r));
                goto out;
        }
        _cleanup_free_ char *moved = NULL;
        r = store_open(&d.store, d.db_path, &moved);
        if (r == -EPROTO) {
                log_error("%s was written by a newer kizuki; refusing to touch it", d.db_path);
                goto out;
        }
        if (r < 0) {
                log_error("Failed to open %s: %s", d.db_path, strerror(-r));
                goto out;
        }
        if (moved)
                log_error("The database failed its integrity check: moved to %s (kept, not deleted); "
                          "started a new one",
                          moved);

        d.base = event_base_new();
        if (!d.base || recorder_new(&d) < 0) {
                r = -ENOMEM;
                goto out;
        }
        d.eval_timer = evtimer_new(d.base, on_eval_timer, &d);
        d.retention_timer = event_new(d.base, -1, EV_PERSIST, on_retention_timer, &d);
        if (!d.eval_timer || !d.retention_timer) {
                r = -ENOMEM;
                goto out;
        }
        int sigs[] = { SIGTERM, SIGINT, SIGHUP };
        for (size_t i = 0; i < ELEMENTSOF(sigs); i++) {
                d.signals[i] = evsignal_new(d.base, sigs[i], on_signal, &d);
                if (!d.signals[i] || evsignal_add(d.signals[i], NULL) < 0) {
                        r = -ENOMEM;
                        goto out;
                }
        }

        r = recorder_restore(&d);
        if (r < 0) {
                log_error("Failed to read the saved state: %s", store_last_error(d.store));
                goto out;
        }

        r = open_socket(&d, &fd);
        if (r < 0)
                goto out;
        r = control_new(&d.control, d.base, fd, methods_dispatch, &d);
        if (r < 0) {
                log_error("Failed to listen on the control socket: %s", strerror(-r));
                goto out;
        }

        /* Retention: at start, then once a day. */
        (void) retention_expire(&d);
        struct timeval retention_period = { 86400, 0 };
        event_add(d.retention_timer, &retention_period);

        apply_logind(&d);
        recorder_arm_flush(&d);
        recorder_update(&d);
        if (evaluate_load_policies(&d, NULL) < 0)
                log_error("Failed to load the policies; no nudges until a reload");
        evaluate_if_due(&d);

        log_info("kizukid %s started: %s, store %s", KIZUKI_VERSION, recorder_recording(&d), d.db_path);
        sd_notify(0, "READY=1");
        recorder_notify_status(&d);

        event_base_dispatch(d.base);

        sd_notify(0, "STOPPING=1");
        r = recorder_stop(&d);
        log_info("Stopped%s", r < 0 ? ", but the last minutes could not be saved" : "");
        r = r < 0 ? r : 0;
out:
        daemon_done(&d);
        return r < 0 ? 1 : 0;
}

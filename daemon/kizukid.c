/* kizukid: records, per local hour, how long the person was active at the
 * computer — only with their consent, only on this machine. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "consent-text.h"
#include "daemon.h"
#include "log.h"
#include "macro.h"
#include "protocol.h"
#include "timeutil.h"
#include "version.h"

/* --- recording state ----------------------------------------------------- */

bool daemon_consented(const Daemon *d) {
        return d->have_consent && d->consent.revoked_at == 0 &&
               strcmp(d->consent.text_sha256, consent_text_SHA256) == 0 &&
               strcmp(d->consent.text_version, KIZUKI_CONSENT_VERSION) == 0;
}

const char *daemon_recording(const Daemon *d) {
        if (!d->have_consent || d->consent.revoked_at != 0)
                return "no-consent";
        if (!daemon_consented(d))
                return "consent-outdated";
        return d->paused ? "paused" : "recording";
}

static bool hint_live(const Daemon *d, const AcctTime *now) {
        return d->hint != HINT_NONE && now->mono_us < d->hint_expires_mono_us;
}

/* The rule: observed only with consent, not paused, and with a source of
 * truth (logind, or a live hint). Asleep is inactive. A locked screen is away
 * whatever a hint says; otherwise a live hint beats logind's IdleHint, for
 * desktops that never set it. */
static AcctState compute_state(const Daemon *d, const AcctTime *now) {
        if (!daemon_consented(d) || d->paused)
                return ACCT_UNOBSERVED;
        LogindPresence presence = logind_presence(d->logind);
        if (logind_sleeping(d->logind))
                return ACCT_INACTIVE;
        if (hint_live(d, now)) {
                if (d->hint == HINT_IDLE || d->hint == HINT_LOCKED || logind_locked(d->logind))
                        return ACCT_INACTIVE;
                return ACCT_ACTIVE;
        }
        switch (presence) {
        case LOGIND_PRESENT:
                return ACCT_ACTIVE;
        case LOGIND_AWAY:
                return ACCT_INACTIVE;
        default:
                return ACCT_UNOBSERVED;
        }
}

static void timer_in(struct event *ev, int64_t usec) {
        if (usec < 0)
                usec = 0;
        struct timeval tv = { (time_t) (usec / USEC_PER_SEC), (suseconds_t) (usec % USEC_PER_SEC) };
        evtimer_add(ev, &tv);
}

static void notify_status(Daemon *d) {
        char status[128];
        snprintf(status, sizeof status, "STATUS=%s, %s", daemon_recording(d),
                 accountant_state(d->acct) == ACCT_ACTIVE     ? "active"
                 : accountant_state(d->acct) == ACCT_INACTIVE ? "away"
                                                              : "unobserved");
        if (strcmp(status, d->status) != 0) {
                memcpy(d->status, status, sizeof status);
                sd_notify(0, status);
        }
}

void daemon_update(Daemon *d) {
        tzset(); /* follow time zone changes */
        AcctTime now;
        acct_time_now(&now);

        if (d->hint != HINT_NONE && !hint_live(d, &now))
                d->hint = HINT_NONE;
        AcctState before = accountant_state(d->acct);
        AcctState state = compute_state(d, &now);
        int r = accountant_update(d->acct, &now, state);
        if (r == -ENOBUFS && daemon_flush(d) >= 0) /* too much unsaved: save, then go on */
                r = accountant_update(d->acct, &now, state);
        if (r < 0)
                log_warning("Failed to account the last interval: %s; it is retried", strerror(-r));
        if (state != before)
                log_debug("State: %d -> %d", before, state);

        /* Wake at the next hour boundary to close the hour. */
        int64_t boundary = accountant_next_boundary(d->acct);
        if (boundary != INT64_MAX)
                timer_in(d->hour_timer, boundary - now.wall_us + USEC_PER_SEC);
        if (d->hint != HINT_NONE)
                timer_in(d->hint_timer, d->hint_expires_mono_us - now.mono_us);
        else
                evtimer_del(d->hint_timer);
        notify_status(d);
}

int daemon_flush(Daemon *d) {
        _cleanup_free_ AcctBucket *b = NULL;
        size_t n = 0;
        int r = accountant_pending(d->acct, &b, &n);
        if (r < 0)
                return r;
        if (n == 0)
                return 0;
        r = store_add_buckets(d->store, b, n);
        if (r < 0) {
                /* Keep the seconds in memory; the next flush tries again. */
                if (!d->flush_failing)
                        log_error("Failed to save activity (%s), keeping it in memory and retrying",
                                  store_last_error(d->store));
                d->flush_failing = true;
                return r;
        }
        accountant_commit(d->acct);
        if (d->flush_failing)
                log_notice("Saving activity works again");
        d->flush_failing = false;
        return 0;
}

int daemon_set_paused(Daemon *d, bool paused, int64_t until) {
        int r;
        if (paused) {
                r = store_set_meta(d->store, "paused_until", until);
        } else
                r = store_delete_meta(d->store, "paused_until");
        if (r < 0)
                return r;
        d->paused = paused;
        d->paused_until = paused ? until : 0;
        if (paused && until > 0)
                timer_in(d->pause_timer, (until - (int64_t) time(NULL)) * USEC_PER_SEC);
        else
                evtimer_del(d->pause_timer);
        log_info(paused ? "Recording paused" : "Recording resumed");
        daemon_update(d);
        return 0;
}

static int bucket_cmp(const void *a, const void *b) {
        const AcctBucket *x = a, *y = b;
        if (x->start != y->start)
                return x->start < y->start ? -1 : 1;
        return (x->utc_offset > y->utc_offset) - (x->utc_offset < y->utc_offset);
}

int daemon_hours(Daemon *d, int64_t local_from, int64_t local_to, AcctBucket **ret, size_t *ret_n) {
        _cleanup_free_ AcctBucket *stored = NULL, *pending = NULL;
        size_t n_stored = 0, n_pending = 0;
        int r = store_get_buckets(d->store, local_from, local_to, &stored, &n_stored);
        if (r < 0)
                return r;
        r = accountant_pending(d->acct, &pending, &n_pending);
        if (r < 0)
                return r;

        AcctBucket *all = calloc(n_stored + n_pending + 1, sizeof *all);
        if (!all)
                return -ENOMEM;
        size_t n = 0;
        if (n_stored)
                memcpy(all, stored, n_stored * sizeof *all);
        n = n_stored;
        for (size_t i = 0; i < n_pending; i++) {
                const AcctBucket *p = &pending[i];
                int64_t local = p->start + p->utc_offset;
                if (local < local_from || local >= local_to)
                        continue;
                AcctBucket *hit = NULL;
                for (size_t j = 0; j < n_stored; j++)
                        if (all[j].start == p->start && all[j].utc_offset == p->utc_offset)
                                hit = &all[j];
                if (!hit) {
                        hit = &all[n++];
                        *hit = (AcctBucket) { .start = p->start, .utc_offset = p->utc_offset };
                }
                /* The same caps the store applies on write. */
                hit->observed_s = hit->observed_s + p->observed_s > 3600 ? 3600 : hit->observed_s + p->observed_s;
                hit->active_s = hit->active_s + p->active_s > hit->observed_s ? hit->observed_s
                                                                              : hit->active_s + p->active_s;
        }
        /* The store returns its rows in order; only pending hours new to the
         * range need sorting in. */
        if (n > n_stored)
                qsort(all, n, sizeof *all, bucket_cmp);
        *ret = all;
        *ret_n = n;
        return 0;
}

/* --- timers and signals -------------------------------------------------- */

static void on_flush_timer(evutil_socket_t fd, short what, void *userdata) {
        Daemon *d = userdata;
        (void) fd, (void) what;
        daemon_update(d);
        daemon_flush(d);
}

static void on_pause_timer(evutil_socket_t fd, short what, void *userdata) {
        Daemon *d = userdata;
        (void) fd, (void) what;
        int64_t now = time(NULL);
        if (!d->paused || d->paused_until == 0)
                return;
        if (now < d->paused_until) { /* the wall clock moved: wait on */
                timer_in(d->pause_timer, (d->paused_until - now) * USEC_PER_SEC);
                return;
        }
        if (daemon_set_paused(d, false, 0) < 0) {
                log_warning("Failed to end the pause in the store; resuming anyway");
                d->paused = false;
                daemon_update(d);
        }
}

static void on_state_timer(evutil_socket_t fd, short what, void *userdata) {
        Daemon *d = userdata;
        (void) fd, (void) what;
        daemon_update(d);
        daemon_flush(d);
}

static void on_eval_timer(evutil_socket_t fd, short what, void *userdata) {
        (void) fd, (void) what;
        daemon_eval_if_due(userdata);
}

static void on_retention_timer(evutil_socket_t fd, short what, void *userdata) {
        (void) fd, (void) what;
        (void) daemon_expire(userdata);
}

static void on_logind_changed(void *userdata) {
        Daemon *d = userdata;
        daemon_update(d);
        if (logind_sleeping(d->logind))
                daemon_flush(d); /* before the delay inhibitor goes */
}

static void config_warn(const char *message, void *userdata) {
        (void) userdata;
        log_warning("%s", message);
}

static void arm_flush_timer(Daemon *d) {
        struct timeval tv = { (time_t) d->config.flush_interval_s, 0 };
        evtimer_del(d->flush_timer);
        event_add(d->flush_timer, &tv);
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
        daemon_update(d);
        d->config = c;
        arm_flush_timer(d);
        apply_logind(d);
        daemon_update(d);
        r = daemon_load_policies(d, problems);
        if (r < 0)
                log_error("Failed to load the policies: %s", strerror(-r));
        (void) daemon_expire(d); /* the retention may have become shorter */
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

/* Restore consent and pause, and after a clean stop count the time since
 * as observed-inactive (the person logged out or shut down). */
static int restore_state(Daemon *d) {
        int r = store_get_consent(d->store, &d->consent);
        if (r < 0)
                return r;
        d->have_consent = r > 0;

        int64_t until;
        r = store_get_meta(d->store, "paused_until", &until);
        if (r < 0)
                return r;
        if (r > 0) {
                d->paused = true;
                d->paused_until = until;
                if (until > 0)
                        timer_in(d->pause_timer, (until - (int64_t) time(NULL)) * USEC_PER_SEC);
        }
        daemon_update(d); /* starts the timeline */

        int64_t stopped;
        r = store_get_meta(d->store, "clean_stop_at", &stopped);
        if (r < 0)
                return r;
        if (r > 0) {
                int64_t now = time(NULL), oldest = now - (int64_t) d->config.retention_days * 86400;
                if (daemon_consented(d) && !d->paused)
                        accountant_fill_inactive(d->acct, stopped > oldest ? stopped : oldest, now);
                r = store_delete_meta(d->store, "clean_stop_at");
                if (r < 0)
                        return r;
        }
        return 0;
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
        struct event *timers[] = { d->flush_timer,   d->hour_timer, d->pause_timer,
                                   d->hint_timer,    d->eval_timer, d->retention_timer };
        for (size_t i = 0; i < ELEMENTSOF(timers); i++)
                if (timers[i])
                        event_free(timers[i]);
        control_free(d->control);
        logind_free(d->logind);
        policyset_free(d->policies);
        accountant_free(d->acct);
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
        r = accountant_new(&d.acct, tz_offset_at, NULL);
        if (!d.base || r < 0) {
                r = -ENOMEM;
                goto out;
        }
        d.flush_timer = event_new(d.base, -1, EV_PERSIST, on_flush_timer, &d);
        d.hour_timer = evtimer_new(d.base, on_state_timer, &d);
        d.pause_timer = evtimer_new(d.base, on_pause_timer, &d);
        d.hint_timer = evtimer_new(d.base, on_state_timer, &d);
        d.eval_timer = evtimer_new(d.base, on_eval_timer, &d);
        d.retention_timer = event_new(d.base, -1, EV_PERSIST, on_retention_timer, &d);
        if (!d.retention_timer) {
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

        r = restore_state(&d);
        if (r < 0) {
                log_error("Failed to read the saved state: %s", store_last_error(d.store));
                goto out;
        }

        r = open_socket(&d, &fd);
        if (r < 0)
                goto out;
        r = control_new(&d.control, d.base, fd, daemon_method, &d);
        if (r < 0) {
                log_error("Failed to listen on the control socket: %s", strerror(-r));
                goto out;
        }

        /* Retention: at start, then once a day. */
        (void) daemon_expire(&d);
        struct timeval retention_period = { 86400, 0 };
        event_add(d.retention_timer, &retention_period);

        apply_logind(&d);
        arm_flush_timer(&d);
        daemon_update(&d);
        if (daemon_load_policies(&d, NULL) < 0)
                log_error("Failed to load the policies; no nudges until a reload");
        daemon_eval_if_due(&d);

        log_info("kizukid %s started: %s, store %s", KIZUKI_VERSION, daemon_recording(&d), d.db_path);
        sd_notify(0, "READY=1");
        notify_status(&d);

        event_base_dispatch(d.base);

        sd_notify(0, "STOPPING=1");
        AcctState last = accountant_state(d.acct);
        daemon_update(&d);
        r = daemon_flush(&d);
        if (r >= 0 && last != ACCT_UNOBSERVED)
                (void) store_set_meta(d.store, "clean_stop_at", (int64_t) time(NULL));
        log_info("Stopped%s", r < 0 ? ", but the last minutes could not be saved" : "");
        r = r < 0 ? r : 0;
out:
        daemon_done(&d);
        return r < 0 ? 1 : 0;
}

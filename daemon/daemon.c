/* The daemon's life (daemon.h). Calls the services below it: recorder,
 * evaluate, retention, the logind source, the idle sources, the control
 * server, the store and lib/; never the method handlers (kizukid.c passes their dispatcher in). */
#include "daemon.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include "control.h"
#include "evaluate.h"
#include "idle-source.h"
#include "log.h"
#include "macro.h"
#include "recorder.h"
#include "retention.h"
#include "version.h"

/* A problem in kizukid.conf: logged, and added to problems (a JSON array, the
 * Reload reply's) when there is one. */
static void config_warn(const char *message, void *userdata) {
        json_object *problems = userdata;
        log_warning("%s", message);
        if (problems)
                json_object_array_add(problems, json_object_new_string(message));
}

/* Why config_load() could not read the file, as people say it. */
static const char *config_read_error(int r) {
        switch (r) {
        case -EINVAL:
                return "not a regular file";
        case -EFBIG:
                return "larger than 1 MiB";
        case -EISDIR:
                return "a directory";
        default:
                return strerror(-r);
        }
}

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
        bool sleeping = logind_sleeping(d->logind);
        idle_source_sessions_changed(d);
        recorder_update(d);
        if (sleeping)
                recorder_flush(d); /* before the delay inhibitor goes */
        else if (d->sleeping)
                evaluate_if_due(d); /* the eval timer stood still while the machine slept */
        d->sleeping = sleeping;
}

static void apply_logind(Daemon *d) {
        bool want = d->config.logind && !d->no_logind;
        if (want && !d->logind) {
                if (logind_new(&d->logind, d->base, on_logind_changed, d) < 0)
                        log_error("Failed to set up the logind source");
        } else if (!want && d->logind)
                d->logind = logind_free(d->logind);
}

int daemon_open(Daemon *d) {
        config_defaults(&d->config);
        int r = config_load(&d->config, d->config_path, config_warn, NULL);
        if (r < 0 && r != -ENOENT)
                log_warning("%s: cannot be read (%s), using the defaults", d->config_path, config_read_error(r));

        r = mkdir_parents_private(d->state_dir);
        if (r < 0)
                return log_error_errno(r, "Failed to create %s: %s", d->state_dir, strerror(-r));
        _cleanup_free_ char *moved = NULL;
        r = store_open(&d->store, d->db_path, &moved);
        if (r == -EPROTO)
                return log_error_errno(r, "%s was written by a newer kizuki; refusing to touch it", d->db_path);
        if (r < 0)
                return log_error_errno(r, "Failed to open %s: %s", d->db_path, strerror(-r));
        if (moved)
                log_error("The database failed its integrity check: moved to %s (kept, not deleted); "
                          "started a new one",
                          moved);

        /* Three priorities (control.h): recording and the person's quick
         * calls never wait behind a queue of heavy ones. */
        r = control_base_new(&d->base);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the event loop: %s", strerror(-r));
        if (recorder_new(d) < 0)
                return -ENOMEM;
        d->eval_timer = evtimer_new(d->base, on_eval_timer, d);
        d->retention_timer = event_new(d->base, -1, EV_PERSIST, on_retention_timer, d);
        if (!d->eval_timer || !d->retention_timer)
                return -ENOMEM;

        r = recorder_restore(d);
        if (r < 0)
                return log_error_errno(r, "Failed to read the saved state: %s", store_last_error(d->store));
        return 0;
}

static int open_socket(Daemon *d, int *ret_fd) {
        int n = sd_listen_fds(true);
        if (n < 0)
                return n;
        if (n > 1)
                return log_error_errno(-EINVAL, "Expected one socket from the service manager, got %d", n);
        if (n == 1) {
                if (sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_STREAM, 1, NULL, 0) <= 0)
                        return log_error_errno(-EINVAL, "The passed socket is not a listening Unix stream socket");
                *ret_fd = SD_LISTEN_FDS_START;
                return 0;
        }
        int r = control_bind(d->socket_path, ret_fd);
        if (r == -EADDRINUSE)
                return log_error_errno(r, "Another kizukid already answers at %s", d->socket_path);
        if (r < 0)
                return log_error_errno(r, "Failed to create the control socket %s: %s", d->socket_path, strerror(-r));
        d->socket_bound = true;
        return 0;
}

int daemon_listen(Daemon *d, ControlHandler handler, ControlDetached detached) {
        int fd = -1;
        int r = open_socket(d, &fd);
        if (r < 0)
                return r;
        r = control_new(&d->control, d->base, fd, handler, d);
        if (r < 0)
                return log_error_errno(r, "Failed to listen on the control socket: %s", strerror(-r));
        control_on_detached(d->control, detached);
        return 0;
}

void daemon_start(Daemon *d) {
        /* Retention: at start, then once a day. */
        (void) retention_expire(d);
        struct timeval retention_period = { 86400, 0 };
        event_add(d->retention_timer, &retention_period);

        apply_logind(d);
        recorder_arm_flush(d);
        recorder_update(d);
        if (evaluate_load_policies(d, NULL) < 0)
                log_error("Failed to load the policies; no nudges until a reload");
        evaluate_if_due(d);

        log_info("kizukid %s started: %s, store %s", KIZUKI_VERSION, recorder_recording(d), d->db_path);
        sd_notify(0, "READY=1");
        recorder_notify_status(d);
}

int daemon_reload(Daemon *d, json_object *problems) {
        Config c;
        config_defaults(&c);
        int ret = config_load(&c, d->config_path, config_warn, problems);
        if (ret < 0 && ret != -ENOENT) {
                /* A FIFO, a device, a huge file: nothing of it is used; the
                 * settings in force stay, the policies are still reloaded. */
                char msg[PATH_MAX + 128];
                snprintf(msg, sizeof msg, "%s: cannot be read (%s), keeping the current settings", d->config_path,
                         config_read_error(ret));
                log_error("%s", msg);
                if (problems)
                        json_object_array_add(problems, json_object_new_string(msg));
        } else {
                ret = 0;
                recorder_update(d);
                d->config = c;
                recorder_arm_flush(d);
                apply_logind(d);
                recorder_update(d);
        }
        int r = evaluate_load_policies(d, problems);
        if (r < 0)
                log_error("Failed to load the policies: %s", strerror(-r));
        (void) retention_expire(d); /* the retention may have become shorter */
        log_info(ret < 0 ? "Policies reloaded, kizukid.conf kept" : "Configuration reloaded");
        return ret;
}

int daemon_stop(Daemon *d) {
        sd_notify(0, "STOPPING=1");
        int r = recorder_stop(d);
        log_info("Stopped%s", r < 0 ? ", but the last minutes could not be saved" : "");
        return r;
}

void daemon_done(Daemon *d) {
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
        FREE_ALL(d->config_path, d->state_dir, d->db_path, d->socket_path);
}

/* GNOME's Mutter: org.gnome.Mutter.IdleMonitor on the session bus, for a
 * GNOME session where IdleHint is not maintained (kizuki-idle --force) and
 * Wayland offers no idle protocol. An idle watch (persistent) fires after the
 * timeout; then a user-active watch (one-shot, added anew each time) fires at
 * the next input. WatchFired signals; nothing is polled. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-bus.h>

#include "idle.h"

#define MUTTER_NAME "org.gnome.Mutter.IdleMonitor"
#define MUTTER_PATH "/org/gnome/Mutter/IdleMonitor/Core"

typedef struct IdleMutter {
        IdleBackend pub;
        sd_bus *bus;
        uint32_t idle_watch, active_watch;
        bool want_active_watch; /* idle fired: add a user-active watch after processing */
} IdleMutter;

static int on_watch_fired(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        IdleMutter *w = userdata;
        uint32_t id;
        (void) error;
        if (sd_bus_message_read(m, "u", &id) < 0)
                return 0;
        if (id == w->idle_watch && w->idle_watch) {
                w->pub.state = IDLE_REPORT_IDLE;
                w->want_active_watch = true; /* not from inside sd_bus_process */
        } else if (id == w->active_watch && w->active_watch) {
                w->pub.state = IDLE_REPORT_ACTIVE;
                w->active_watch = 0; /* one-shot: Mutter removed it */
        }
        return 0;
}

static int add_watch(IdleMutter *w, const char *method, uint64_t ms, uint32_t *ret) {
        sd_bus_message *reply = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        int r = ms ? sd_bus_call_method(w->bus, MUTTER_NAME, MUTTER_PATH, MUTTER_NAME, method, &error, &reply, "t", ms)
                   : sd_bus_call_method(w->bus, MUTTER_NAME, MUTTER_PATH, MUTTER_NAME, method, &error, &reply, "");
        if (r >= 0)
                r = sd_bus_message_read(reply, "u", ret);
        sd_bus_error_free(&error);
        sd_bus_message_unref(reply);
        return r;
}

static int mutter_prepare(IdleBackend *b) {
        IdleMutter *w = (IdleMutter *) b;
        int r = sd_bus_flush(w->bus);
        return r < 0 ? r : 0;
}

static int mutter_dispatch(IdleBackend *b, short revents) {
        IdleMutter *w = (IdleMutter *) b;
        int r;
        (void) revents;
        while ((r = sd_bus_process(w->bus, NULL)) > 0)
                ;
        if (r < 0)
                return r;
        if (w->want_active_watch) {
                w->want_active_watch = false;
                r = add_watch(w, "AddUserActiveWatch", 0, &w->active_watch);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void mutter_free(IdleBackend *b) {
        IdleMutter *w = (IdleMutter *) b;
        if (!w)
                return;
        sd_bus_flush_close_unref(w->bus);
        free(w);
}

int idle_mutter_open(IdleBackend **ret, uint32_t timeout_ms) {
        IdleMutter *w = calloc(1, sizeof *w);
        if (!w)
                return -ENOMEM;
        w->pub = (IdleBackend) { .protocol = "mutter-idle-monitor", .prepare = mutter_prepare,
                                 .dispatch = mutter_dispatch, .free = mutter_free };
        int r = sd_bus_open_user(&w->bus);
        if (r >= 0)
                r = sd_bus_match_signal(w->bus, NULL, MUTTER_NAME, MUTTER_PATH, MUTTER_NAME, "WatchFired",
                                        on_watch_fired, w);
        if (r >= 0)
                r = add_watch(w, "AddIdleWatch", timeout_ms, &w->idle_watch);
        if (r < 0) {
                mutter_free(&w->pub);
                /* No session bus, or no Mutter on it. */
                return -ENODEV;
        }
        w->pub.fd = sd_bus_get_fd(w->bus);
        *ret = &w->pub;
        return 0;
}

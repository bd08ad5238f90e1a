/* Screen locks from the session bus (idle-lock.h), with sd-bus in our poll
 * loop: the fd, events and timeout it asks for, processed until it has
 * nothing left. */
#include "idle-lock.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <systemd/sd-bus.h>
#include <time.h>

struct IdleLock {
        sd_bus *bus;
        bool locked;
};

static const char *const screensavers[] = {
        "org.freedesktop.ScreenSaver",
        "org.gnome.ScreenSaver",
        "org.xfce.ScreenSaver",
};

static int on_active_changed(sd_bus_message *m, void *userdata, sd_bus_error *error) {
        IdleLock *l = userdata;
        int active;
        (void) error;
        if (sd_bus_message_read(m, "b", &active) >= 0)
                l->locked = active;
        return 0;
}

int idle_lock_open(IdleLock **ret, bool verbose) {
        IdleLock *l = calloc(1, sizeof *l);
        if (!l)
                return -ENOMEM;
        int r = sd_bus_open_user(&l->bus);
        for (size_t i = 0; r >= 0 && i < sizeof screensavers / sizeof *screensavers; i++) {
                char match[160];
                snprintf(match, sizeof match, "type='signal',interface='%s',member='ActiveChanged'", screensavers[i]);
                r = sd_bus_add_match(l->bus, NULL, match, on_active_changed, l);
        }
        if (r < 0) {
                if (verbose)
                        fprintf(stderr, "kizuki-idle: no screen saver signals (session bus: %s)\n", strerror(-r));
                idle_lock_free(l);
                return r;
        }
        *ret = l;
        return 0;
}

IdleLock *idle_lock_free(IdleLock *l) {
        if (!l)
                return NULL;
        sd_bus_flush_close_unref(l->bus);
        free(l);
        return NULL;
}

int idle_lock_fd(const IdleLock *l) {
        return sd_bus_get_fd(l->bus);
}

short idle_lock_events(const IdleLock *l) {
        int e = sd_bus_get_events(l->bus);
        return e < 0 ? POLLIN : (short) e;
}

int idle_lock_timeout_ms(const IdleLock *l) {
        uint64_t until;
        if (sd_bus_get_timeout(l->bus, &until) < 0 || until == UINT64_MAX)
                return -1;
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        uint64_t now = (uint64_t) ts.tv_sec * 1000000 + (uint64_t) ts.tv_nsec / 1000;
        if (until <= now)
                return 0;
        uint64_t ms = (until - now + 999) / 1000;
        return ms > 60000 ? 60000 : (int) ms;
}

int idle_lock_dispatch(IdleLock *l) {
        int r;
        while ((r = sd_bus_process(l->bus, NULL)) > 0)
                ;
        return r;
}

bool idle_lock_locked(const IdleLock *l) {
        return l->locked;
}

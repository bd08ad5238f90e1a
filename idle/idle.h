/* kizuki-idle: the backends that hear of idleness from the desktop, and the
 * connection that reports it to kizukid. Event-driven: each backend gives the
 * main loop one descriptor to poll and never asks for a timeout. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

typedef enum IdleReport {
        IDLE_REPORT_ACTIVE,
        IDLE_REPORT_IDLE,
        IDLE_REPORT_LOCKED,
} IdleReport;

typedef struct IdleBackend IdleBackend;
struct IdleBackend {
        const char *protocol; /* "x11-sync", "ext-idle-notify", "kde-idle", "mutter-idle-monitor" */
        int fd;               /* to poll for POLLIN */
        IdleReport state;
        /* Before each poll: flush requests (and, for Wayland, prepare to read). */
        int (*prepare)(IdleBackend *b);
        /* After the poll (revents of fd, maybe 0): read and handle events,
         * updating state. < 0: the display connection is gone. */
        int (*dispatch)(IdleBackend *b, short revents);
        void (*free)(IdleBackend *b);
};

/* Open a backend with an idle timeout in milliseconds. -ENODEV when the
 * display is not there or lacks the protocol; other -errno on failure. With
 * verbose, say what was found on stderr. */
int idle_x11_open(IdleBackend **ret, uint32_t timeout_ms);
int idle_wayland_open(IdleBackend **ret, uint32_t timeout_ms, bool verbose);
/* GNOME's org.gnome.Mutter.IdleMonitor on the session bus. */
int idle_mutter_open(IdleBackend **ret, uint32_t timeout_ms);

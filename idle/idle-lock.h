/* Screen locks on the session bus: the screen savers' ActiveChanged signal
 * (org.freedesktop.ScreenSaver: KDE's locker, light-locker; org.gnome,
 * org.xfce.ScreenSaver). Optional: without a session bus there is none. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

typedef struct IdleLock IdleLock;

/* Connect to the session bus and listen. -errno when there is no bus. */
int idle_lock_open(IdleLock **ret, bool verbose);
IdleLock *idle_lock_free(IdleLock *l);
/* What to poll, and for how long at most (-1: no timeout). */
int idle_lock_fd(const IdleLock *l);
short idle_lock_events(const IdleLock *l);
int idle_lock_timeout_ms(const IdleLock *l);
/* After the poll: process what came. < 0: the bus connection is gone. */
int idle_lock_dispatch(IdleLock *l);
/* A screen saver says it is active. */
bool idle_lock_locked(const IdleLock *l);

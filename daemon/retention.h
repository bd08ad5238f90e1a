/* Retention and forgetting: what is deleted, when. Daily expiry of what is
 * older than retention_days (buckets, check-ins, nudges) and share_log_days
 * (the share log), a forget the person asks for, and the damaged databases
 * set aside next to the store (copies of the data too). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "daemon-state.h"

/* The local seconds of the first day within retention_days; data of earlier
 * days is deleted daily (retention_expire) and not imported. */
int64_t retention_first_day(const Daemon *d);
/* Delete what is past its retention, as a forget does; logged. */
int retention_expire(Daemon *d);

/* Forget f: save what the recorder holds first (it is deleted with the
 * rest), delete, and with all also remove the databases set aside and drop
 * consent and pause; logged. *ret_set_aside: files of set-aside databases
 * removed. A negative return is a store error. With f->dry_run: what it
 * would delete (set-aside files counted), changing nothing but saving the
 * recorder's seconds. */
int retention_forget(Daemon *d, const StoreForget *f, bool all, StoreForgotten *ret, int64_t *ret_set_aside);

/* Call fn for each database set aside as damaged ("<db>.corrupt-<time>" and
 * its -wal/-shm, store.h) in the store's directory; stops at a negative
 * return of fn and returns it. */
int retention_for_each_set_aside(Daemon *d, int (*fn)(int dfd, const char *dir, const char *name, void *userdata),
                                 void *userdata);

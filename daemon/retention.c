/* Retention and forgetting (retention.h). Calls the recorder (save before a
 * forget, drop consent after one), the store and lib/; nothing above it. */
#include "retention.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "macro.h"
#include "recorder.h"
#include "timeutil.h"

#define DAY INT64_C(86400)

int64_t retention_first_day(const Daemon *d) {
        int64_t now = time(NULL);
        return local_midnight(now, tz_offset_at(now, NULL)) - (int64_t) d->config.retention_days * DAY;
}

int retention_expire(Daemon *d) {
        int64_t now = time(NULL);
        StoreForget f = {
                .local_from = INT64_MIN,
                .local_to = retention_first_day(d),
                .day_start = (int64_t) d->config.day_start_min * 60,
                .shares = true,
                .shares_from = INT64_MIN,
                .shares_to = now - (int64_t) d->config.share_log_days * DAY,
        };
        StoreForgotten got;
        int r = store_forget(d->store, &f, &got);

        if (r < 0) {
                log_warning("Failed to delete data past its retention (%s); trying again tomorrow",
                            store_last_error(d->store));
                return r;
        }
        if (got.buckets + got.checkins + got.nudges + got.shares > 0)
                log_info("Retention: deleted %lld hours, %lld check-ins and %lld nudges older than %d days, "
                         "%lld shares older than %d days",
                         (long long) got.buckets, (long long) got.checkins, (long long) got.nudges,
                         d->config.retention_days, (long long) got.shares, d->config.share_log_days);
        /* Also a cleanup an earlier forget left due. */
        r = store_cleanup(d->store);
        if (r < 0) {
                log_warning("Retention: %s", store_last_error(d->store));
                return r;
        }
        return 0;
}

int retention_for_each_set_aside(Daemon *d, int (*fn)(int dfd, const char *dir, const char *name, void *userdata),
                                 void *userdata) {
        const char *db = store_path(d->store), *slash = strrchr(db, '/');
        _cleanup_free_ char *dir = slash ? strndup(db, (size_t) (slash - db)) : strdup("."), *prefix = NULL;
        DIR *dp;
        struct dirent *de;
        int q = 0;

        if (!dir || asprintf(&prefix, "%s.corrupt-", slash ? slash + 1 : db) < 0)
                return -ENOMEM;
        dp = opendir(*dir ? dir : "/");
        if (!dp)
                return -errno;
        while ((de = readdir(dp)))
                if (strncmp(de->d_name, prefix, strlen(prefix)) == 0) {
                        q = fn(dirfd(dp), dir, de->d_name, userdata);
                        if (q < 0)
                                break;
                }
        closedir(dp);
        return q < 0 ? q : 0;
}

static int remove_set_aside(int dfd, const char *dir, const char *name, void *userdata) {
        int64_t *n = userdata;

        if (unlinkat(dfd, name, 0) < 0) {
                log_warning("Failed to remove %s/%s: %s", dir, name, strerror(errno));
                return 0;
        }
        (*n)++;
        return 0;
}

static int count_set_aside(int dfd, const char *dir, const char *name, void *userdata) {
        (void) dfd, (void) dir, (void) name;
        (*(int64_t *) userdata)++;
        return 0;
}

int retention_forget(Daemon *d, const StoreForget *f, bool all, StoreForgotten *ret, int64_t *ret_set_aside) {
        /* The accountant's unsaved seconds go to the store first and are
         * deleted with the rest: nothing of the range is written back later. */
        int q = recorder_save(d);
        if (q < 0)
                return q;

        q = store_forget(d->store, f, ret);
        if (q < 0)
                return q;
        if (f->dry_run) {
                *ret_set_aside = 0;
                return all ? retention_for_each_set_aside(d, count_set_aside, ret_set_aside) : 0;
        }
        /* From here the rows are gone: the daemon follows the store whatever
         * the cleanup below does (without consent it must stop recording). */
        *ret_set_aside = 0;
        if (all) {
                /* Damaged databases set aside hold the person's data as well. */
                (void) retention_for_each_set_aside(d, remove_set_aside, ret_set_aside);
                recorder_forgotten(d);
        }
        recorder_update(d);
        /* The accountant still holds the range's open hour: the fractions of
         * seconds not yet handed out (a closed hour is stored rounded) and the
         * time since the save. Drop them, or they would be written after the
         * forget. */
        recorder_discard(d, f);
        log_info("Forgot %s: %lld hours, %lld check-ins, %lld nudges, %lld consent records, %lld shares, "
                 "%lld meta values, %lld files of damaged databases set aside",
                 all ? "everything" : "a range", (long long) ret->buckets, (long long) ret->checkins,
                 (long long) ret->nudges, (long long) ret->consents, (long long) ret->shares, (long long) ret->meta,
                 (long long) *ret_set_aside);
        /* Also finishes a cleanup an earlier forget or retention left due. */
        return store_cleanup(d->store);
}

/* The SQLite store: hourly buckets, consent records, check-ins, nudges, the
 * share log and small key/value meta.
 * Only kizukid opens it. WAL, synchronous=FULL, schema in PRAGMA user_version. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "accountant.h"
#include "nudge.h"
#include "summary.h"

#define STORE_SCHEMA_VERSION 4

typedef struct Store Store;

typedef struct StoreConsent {
        int64_t id;
        int64_t granted_at;
        int64_t revoked_at; /* 0: not revoked */
        char text_version[64];
        char text_sha256[65];
} StoreConsent;

/* Open (create) the database at path; its directory must exist. Runs quick_check;
 * a database that fails it (or is not a database) is renamed to
 * "<path>.corrupt-<unix time>" (with its -wal/-shm), never deleted, and a new one
 * is created; then *ret_moved_to (if not NULL) receives the new name (malloc'ed),
 * else NULL. A database with a newer schema than this build knows: -EPROTO. */
int store_open(Store **ret, const char *path, char **ret_moved_to);
Store *store_free(Store *s);

const char *store_path(const Store *s);
/* What went wrong in the last failed call on s (SQLite's message or the reason
 * the input was refused), for the caller's log; "" if nothing failed yet. */
const char *store_last_error(const Store *s);
/* Bytes of the database file plus its WAL. */
int64_t store_size(const Store *s);

/* Add seconds to buckets in one transaction. Each bucket is capped at 3600 s
 * observed and active at observed. A bucket whose UTC start is stored already
 * under another offset is added to that one (the label stored first wins, as
 * in store_merge_buckets). All or nothing. */
int store_add_buckets(Store *s, const AcctBucket *b, size_t n);

/* Merge imported buckets: per bucket the larger of stored and given seconds
 * (active and observed separately; capped as above), so a repeated import
 * changes nothing. One instant is never in two buckets, whatever offset it was
 * written with: a bucket goes into the stored one of the same UTC start (the
 * same instants), which keeps its offset (the label already stored wins; its
 * own label first when there are several); a bucket that overlaps part of a
 * stored one (offsets a part of an hour apart: +05:30 and +01:00) is left out,
 * unless it changes nothing. All or nothing; with dry_run nothing is written.
 * *ret_changed (may be NULL): buckets that were (or would be) created or raised;
 * *ret_conflicts (may be NULL): buckets left out. */
int store_merge_buckets(Store *s, const AcctBucket *b, size_t n, bool dry_run, size_t *ret_changed,
                        size_t *ret_conflicts);

/* Buckets whose local start (start + utc_offset) lies in [local_from, local_to)
 * (both "local seconds": a local date-time read as if it were UTC), by start.
 * *ret malloc'ed, NULL when *ret_n is 0. */
int store_get_buckets(Store *s, int64_t local_from, int64_t local_to, AcctBucket **ret, size_t *ret_n);

/* Newest consent record: 1 and *ret filled, or 0 if there is none. */
int store_get_consent(Store *s, StoreConsent *ret);
int store_grant_consent(Store *s, int64_t at, const char *text_version, const char *text_sha256);
/* Revoke the newest grant if it is not revoked yet. 0 if there was nothing to revoke, 1 if revoked. */
int store_revoke_consent(Store *s, int64_t at);

/* Record a check-in for c->date (local seconds of 00:00); fields that are -1
 * keep what was stored. went_out/met_someone 0 or 1, mood 1..5. */
int store_set_checkin(Store *s, const Checkin *c, int64_t at);
/* Check-ins with date in [from, to), by date; -1 where not answered. */
int store_get_checkins(Store *s, int64_t from, int64_t to, Checkin **ret, size_t *ret_n);


/* 1 and *ret_id when stored, 0 when that policy already has a nudge that day. */
int store_add_nudge(Store *s, const NudgeRecord *n, int64_t *ret_id);
/* Newest first; without all only unread ones and snoozed ones due by now. */
int store_get_nudges(Store *s, bool all, int64_t now, NudgeRecord **ret, size_t *ret_n);
/* 1 and *ret filled, 0 when there is no such nudge. */
int store_get_nudge(Store *s, int64_t id, NudgeRecord *ret);
/* Set the state (snoozed_until 0: none; helpful -1: keep). 0 when no such nudge. */
int store_nudge_action(Store *s, int64_t id, const char *state, int64_t snoozed_until, int helpful);
/* Unread nudges, snoozed ones due by now included. */
int store_count_unread(Store *s, int64_t now);

/* One entry of the share log. Strings malloc'ed; detail may be NULL. result is
 * "sent" (the recipient accepted it: HTTP 2xx, SMTP 250) or "failed". */
typedef struct StoreShare {
        int64_t id;
        int64_t at;       /* wall seconds */
        char *recipient;  /* recipient file name, without .conf */
        char *transport;  /* https, http, smtp, smtps */
        char *week;       /* YYYY-Www */
        char *level;      /* summary, daily, hourly */
        char *format;     /* text, json, html, fhir */
        int64_t size;     /* bytes sent */
        char *sha256;     /* hex SHA-256 of the bytes sent */
        char *result;
        char *detail;     /* the transport's reason on failure */
} StoreShare;

/* Append to the share log; *ret_id (may be NULL) gets the new id. */
int store_add_share(Store *s, const StoreShare *sh, int64_t *ret_id);
/* Newest first, at most limit entries (limit <= 0: all). */
int store_get_shares(Store *s, int64_t limit, StoreShare **ret, size_t *ret_n);
void store_shares_free(StoreShare *v, size_t n);
void store_share_done(StoreShare *sh);

/* Integer meta values: 1 and *ret set, 0 when missing. */
int store_get_meta(Store *s, const char *key, int64_t *ret);
int store_set_meta(Store *s, const char *key, int64_t value);
int store_delete_meta(Store *s, const char *key);

/* --- privacy: inventory, export, forget, retention ---------------------- */

/* The tables of the database, from sqlite_master (SQLite's own excluded), by
 * name: every table there is, also ones this build does not know. *ret is a
 * malloc'ed array of malloc'ed names (free with store_strv_free). */
int store_list_tables(Store *s, char ***ret, size_t *ret_n);
void store_strv_free(char **v, size_t n);

/* Rows of a table, and the range of its time column (for tables this build
 * knows that have one; has_range false otherwise). first/last are local
 * seconds for bucket (start + utc_offset), check-in and nudge dates, and UTC
 * seconds for consent grants and shares. */
typedef struct StoreTableStats {
        int64_t rows;
        bool has_range;
        bool range_utc; /* first/last are UTC instants, not local seconds */
        int64_t first, last;
} StoreTableStats;
int store_table_stats(Store *s, const char *table, StoreTableStats *ret);

/* One value of a row being read. */
typedef enum StoreType { STORE_NULL, STORE_INT, STORE_REAL, STORE_TEXT } StoreType;
typedef struct StoreValue {
        StoreType type;
        int64_t i;
        double d;
        const char *s; /* valid during the callback only */
} StoreValue;
/* Called per row; a negative return stops the read and is returned. */
typedef int (*StoreRowFn)(const StoreValue *v, size_t n, void *userdata);

/* The column names of table (any table in store_list_tables). *ret as there. */
int store_table_columns(Store *s, const char *table, char ***ret, size_t *ret_n);
/* Rows [offset, offset + limit) of table, every column as stored, in primary
 * key order (rowid order for a table without one). A row added or deleted
 * between two calls shifts the offsets after it: page by key where the table
 * has one (store_read_table_after). -ENOENT when there is no such table. */
int store_read_table(Store *s, const char *table, int64_t offset, int64_t limit, StoreRowFn fn, void *userdata);

/* The primary key columns of table, in key order; *ret_n 0 (and *ret NULL)
 * when it declares none, or one that may hold NULL (a rowid table's key
 * other than INTEGER PRIMARY KEY, without NOT NULL). *ret as in
 * store_table_columns. */
int store_table_key(Store *s, const char *table, char ***ret, size_t *ret_n);

/* At most limit rows of table whose primary key comes after `after` (one
 * value per key column; n_after 0: from the first row), in key order. Paging
 * by key returns each row that exists throughout the paging exactly once,
 * whatever is added or deleted between pages. -ENOENT: no such table;
 * -EINVAL: the table has no key or after does not match it. */
int store_read_table_after(Store *s, const char *table, const StoreValue *after, size_t n_after, int64_t limit,
                           StoreRowFn fn, void *userdata);

/* What to delete. Check-ins and nudges whose date lies in [local_from,
 * local_to) (local seconds of 00:00); buckets of those days, that is whose
 * local start lies in [local_from + day_start, local_to + day_start) (a day
 * runs from day_start to day_start, signals.h); with shares the share log
 * entries sent in [shares_from, shares_to) (UTC seconds); with
 * consent_and_meta every consent record and meta value. INT64_MIN/INT64_MAX
 * bounds are open ends. */
typedef struct StoreForget {
        int64_t local_from, local_to;
        int64_t day_start; /* seconds after local midnight, 0..86399 */
        bool shares;
        int64_t shares_from, shares_to;
        bool consent_and_meta;
        bool dry_run; /* count only: the transaction is rolled back */
} StoreForget;

typedef struct StoreForgotten {
        int64_t buckets, checkins, nudges, consents, shares, meta;
} StoreForgotten;

/* The local starts [*ret_from, *ret_to) of the hours f covers (saturated). */
void store_forget_hours(const StoreForget *f, int64_t *ret_from, int64_t *ret_to);

/* Delete in one transaction (secure_delete is on): all or nothing. When rows
 * were deleted, a cleanup is due (store_cleanup), and stays due until it
 * succeeds. *ret (may be NULL) gets the counts. With f->dry_run the same
 * deletes are counted and rolled back: nothing changes. */
int store_forget(Store *s, const StoreForget *f, StoreForgotten *ret);

typedef struct StoreFolded {
        int64_t hours, observed_s, active_s;
} StoreFolded;

/* Hours that start after `after` (UTC s) were labelled by a wall clock that
 * ran ahead: in one transaction, delete them and add their seconds to the
 * hour (into_start, into_offset) (which must not start after `after`), capped
 * as every write is. *ret: the hours folded and their seconds. A cleanup is
 * due afterwards, as after a forget. */
int store_fold_future(Store *s, int64_t after, int64_t into_start, int32_t into_offset, StoreFolded *ret);

/* When a cleanup is due: wal_checkpoint(TRUNCATE), VACUUM and
 * wal_checkpoint(TRUNCATE) again, so no deleted row survives in the
 * database, its free pages or the WAL. 0 when nothing was due, 1 when done;
 * on failure (busy, disk full) the cleanup stays due, the data is intact, and
 * store_last_error says so. */
int store_cleanup(Store *s);

/* Transactions spanning several calls (an import that is all or nothing).
 * Calls that open their own transaction (store_add_buckets,
 * store_merge_buckets) must not be made inside one. */
int store_begin(Store *s);
int store_commit(Store *s);
void store_rollback(Store *s);

/* Insert a nudge as exported (state, snooze and helpful included); 1 when
 * stored, 0 when that policy already has a nudge that day. */
int store_import_nudge(Store *s, const NudgeRecord *n);

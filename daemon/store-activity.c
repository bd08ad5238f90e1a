/* The store: activity buckets (written by the accountant, merged by imports,
 * read back by local day), consent, check-ins and meta values. The tables
 * the daemon's own record lives in.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "store-internal.h"

#define STORE_BUCKET_MAX_S 3600
#define SIZEOF_FIELD(type, field) sizeof(((type *) NULL)->field)

static int bucket_from_row(Store *s, sqlite3_stmt *st, void *elem) {
        int64_t start = sqlite3_column_int64(st, 0);
        int64_t offset = sqlite3_column_int64(st, 1);
        int64_t active = sqlite3_column_int64(st, 2);
        int64_t observed = sqlite3_column_int64(st, 3);

        /* The CHECKs hold these for rows we wrote; another writer may not have. */
        if (offset < INT32_MIN || offset > INT32_MAX || active < 0 || observed < 0 ||
            observed > STORE_BUCKET_MAX_S || active > observed) {
                store_set_error(s, "bucket at %" PRId64 " holds impossible values", start);
                return -EBADMSG;
        }
        *(AcctBucket *) elem = (AcctBucket) {
                .start = start,
                .utc_offset = (int32_t) offset,
                .active_s = (int32_t) active,
                .observed_s = (int32_t) observed,
        };
        return 0;
}

/* Where a bucket b goes: into the stored one of the same UTC start (the same
 * instants) with b's offset, else the first stored one of that start (the
 * label already stored wins), else a bucket of its own; *ret_offset says
 * which. *ret_conflict: b overlaps part of a stored hour of another grid (a
 * +05:30 hour and a +01:00 one) and would change something. */
static int bucket_target(Store *s, const AcctBucket *b, int32_t *ret_offset, bool *ret_conflict) {
        static const StoreRows rows = { .elem_size = sizeof(AcctBucket), .from_row = bucket_from_row };
        const StoreParam p[] = { STORE_INT(b->start) };
        _cleanup_free_ AcctBucket *near = NULL;
        const AcctBucket *target = NULL;
        bool partial = false;
        size_t n = 0;
        int r;

        r = store_select(s, STMT_NEAR_BUCKETS, p, ELEMENTSOF(p), &rows, &near, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if (near[i].start != b->start)
                        partial = true;
                else if (near[i].utc_offset == b->utc_offset || !target)
                        target = &near[i];
        *ret_conflict = partial && !(target && b->observed_s <= target->observed_s && b->active_s <= target->active_s);
        *ret_offset = target ? target->utc_offset : b->utc_offset;
        return 0;
}

/* Write buckets with one of the bucket statements in one transaction, all or
 * nothing; with dry_run roll back at the end, having counted the changes. Each
 * goes where bucket_target says; a merge (an import) in conflict is left out
 * and counted in *ret_conflicts. The recorder's seconds are never left out. */
static int store_write_buckets(Store *s, StoreStmt which, const AcctBucket *b, size_t n, bool dry_run,
                               size_t *ret_changed, size_t *ret_conflicts) {
        sqlite3_stmt *st;
        size_t changed = 0, conflicts = 0;
        int r;

        if (!s || (!b && n > 0))
                return -EINVAL;
        /* Refuse the whole batch before writing anything. */
        for (size_t i = 0; i < n; i++)
                if (b[i].active_s < 0 || b[i].observed_s < 0) {
                        store_set_error(s, "bucket %zu: negative seconds", i);
                        return -EINVAL;
                }
        if (ret_changed)
                *ret_changed = 0;
        if (ret_conflicts)
                *ret_conflicts = 0;
        if (n == 0)
                return 0;

        r = store_run(s, s->stmt[STMT_BEGIN]);
        if (r < 0)
                return r;

        st = s->stmt[which];
        for (size_t i = 0; i < n; i++) {
                int32_t offset;
                bool conflict;

                r = bucket_target(s, &b[i], &offset, &conflict);
                if (r < 0)
                        goto fail;
                if (conflict && which == STMT_MERGE_BUCKET) {
                        conflicts++;
                        continue;
                }
                const StoreParam p[] = { STORE_INT(b[i].start), STORE_INT(offset), STORE_INT(b[i].active_s),
                                         STORE_INT(b[i].observed_s) };
                int rc = store_bind(st, 1, p, ELEMENTSOF(p));
                if (rc != SQLITE_OK) {
                        r = store_fail(s, rc);
                        sqlite3_clear_bindings(st);
                        goto fail;
                }
                r = store_run(s, st);
                if (r < 0)
                        goto fail;
                changed += (size_t) sqlite3_changes(s->db);
        }

        if (dry_run) {
                store_rollback(s);
        } else {
                r = store_run(s, s->stmt[STMT_COMMIT]);
                if (r < 0)
                        goto fail;
                (void) store_fix_side_modes(s); /* the data is committed; this is a re-check */
        }
        if (ret_changed)
                *ret_changed = changed;
        if (ret_conflicts)
                *ret_conflicts = conflicts;
        return 0;

fail:
        store_rollback(s);
        return r;
}

int store_add_buckets(Store *s, const AcctBucket *b, size_t n) {
        return store_write_buckets(s, STMT_UPSERT_BUCKET, b, n, false, NULL, NULL);
}

int store_merge_buckets(Store *s, const AcctBucket *b, size_t n, bool dry_run, size_t *ret_changed,
                        size_t *ret_conflicts) {
        return store_write_buckets(s, STMT_MERGE_BUCKET, b, n, dry_run, ret_changed, ret_conflicts);
}

int store_get_buckets(Store *s, int64_t local_from, int64_t local_to, AcctBucket **ret, size_t *ret_n) {
        static const StoreRows rows = { .elem_size = sizeof(AcctBucket), .from_row = bucket_from_row };
        const StoreParam p[] = { STORE_INT(local_from), STORE_INT(local_to) };
        return store_select(s, STMT_GET_BUCKETS, p, ELEMENTSOF(p), &rows, ret, ret_n);
}

static void text_copy(char *dst, size_t size, const unsigned char *src) {
        snprintf(dst, size, "%s", src ? (const char *) src : "");
}

int store_get_consent(Store *s, StoreConsent *ret) {
        if (!s || !ret)
                return -EINVAL;

        _cleanup_reset_ sqlite3_stmt *st = s->stmt[STMT_GET_CONSENT];
        int r = store_step_row(s, st, SQLITE_OK);

        if (r <= 0)
                return r;

        *ret = (StoreConsent) {
                .id = sqlite3_column_int64(st, 0),
                .granted_at = sqlite3_column_int64(st, 1),
                .revoked_at = sqlite3_column_int64(st, 2), /* NULL reads as 0 */
        };
        text_copy(ret->text_version, sizeof ret->text_version, sqlite3_column_text(st, 3));
        text_copy(ret->text_sha256, sizeof ret->text_sha256, sqlite3_column_text(st, 4));
        return 1;
}

int store_grant_consent(Store *s, int64_t at, const char *text_version, const char *text_sha256) {
        char sha[SIZEOF_FIELD(StoreConsent, text_sha256)];
        size_t len;

        if (!s || !text_version || !text_sha256)
                return -EINVAL;

        /* Both must fit StoreConsent unchanged; refuse rather than store a cut value. */
        len = strnlen(text_version, SIZEOF_FIELD(StoreConsent, text_version));
        if (len == 0 || len >= SIZEOF_FIELD(StoreConsent, text_version)) {
                store_set_error(s, "consent text version must be 1 to 63 characters");
                return -EINVAL;
        }
        for (size_t i = 0; i < len; i++)
                if ((unsigned char) text_version[i] < 0x20 || text_version[i] == 0x7f) {
                        store_set_error(s, "consent text version holds control characters");
                        return -EINVAL;
                }
        for (len = 0; len < sizeof sha - 1 && text_sha256[len]; len++) {
                char c = text_sha256[len];
                if (c >= 'A' && c <= 'F')
                        c = (char) (c - 'A' + 'a');
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
                        break;
                sha[len] = c;
        }
        if (len != sizeof sha - 1 || text_sha256[len]) {
                store_set_error(s, "consent text hash must be 64 hexadecimal digits");
                return -EINVAL;
        }
        sha[len] = '\0';

        const StoreParam p[] = { STORE_INT(at), STORE_TEXT(text_version), STORE_TEXT(sha) };
        return store_write(s, STMT_GRANT_CONSENT, p, ELEMENTSOF(p));
}

int store_revoke_consent(Store *s, int64_t at) {
        int rc;

        if (!s)
                return -EINVAL;
        /* revoked_at 0 reads as "not revoked". */
        if (at <= 0) {
                store_set_error(s, "revocation time must be positive");
                return -EINVAL;
        }

        _cleanup_reset_ sqlite3_stmt *st = s->stmt[STMT_REVOKE_CONSENT];
        rc = sqlite3_bind_int64(st, 1, at);
        int r = store_step_done(s, st, rc);

        return r < 0 ? r : sqlite3_changes(s->db) > 0;
}

int store_get_meta(Store *s, const char *key, int64_t *ret) {
        int rc;

        if (!s || !key || !*key || !ret)
                return -EINVAL;

        _cleanup_reset_ sqlite3_stmt *st = s->stmt[STMT_GET_META];
        rc = sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
        int r = store_step_row(s, st, rc);

        if (r <= 0)
                return r;
        *ret = sqlite3_column_int64(st, 0);
        return 1;
}

int store_set_meta(Store *s, const char *key, int64_t value) {
        if (!s || !key || !*key)
                return -EINVAL;

        const StoreParam p[] = { STORE_TEXT(key), STORE_INT(value) };
        return store_write(s, STMT_SET_META, p, ELEMENTSOF(p));
}

/* 1 if the key was there, 0 if not. */
int store_delete_meta(Store *s, const char *key) {
        int rc;

        if (!s || !key || !*key)
                return -EINVAL;

        _cleanup_reset_ sqlite3_stmt *st = s->stmt[STMT_DELETE_META];
        rc = sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
        int r = store_step_done(s, st, rc);

        return r < 0 ? r : sqlite3_changes(s->db) > 0;
}

int store_set_checkin(Store *s, const Checkin *c, int64_t at) {
        if (!s || !c || c->went_out > 1 || c->met_someone > 1 || c->mood == 0 || c->mood > 5)
                return -EINVAL;

        const StoreParam p[] = { STORE_INT(c->date), STORE_ANSWER(c->went_out), STORE_ANSWER(c->met_someone),
                                 STORE_ANSWER(c->mood), STORE_INT(at) };
        return store_write(s, STMT_SET_CHECKIN, p, ELEMENTSOF(p));
}

int store_get_checkins(Store *s, int64_t from, int64_t to, Checkin **ret, size_t *ret_n) {
        static const StoreColumn columns[] = {
                COL_INT64(Checkin, date), COL_ANSWER(Checkin, went_out), COL_ANSWER(Checkin, met_someone),
                COL_ANSWER(Checkin, mood),
        };
        static const StoreRows rows = {
                .elem_size = sizeof(Checkin),
                .columns = columns,
                .n_columns = ELEMENTSOF(columns),
        };
        const StoreParam p[] = { STORE_INT(from), STORE_INT(to) };
        return store_select(s, STMT_GET_CHECKINS, p, ELEMENTSOF(p), &rows, ret, ret_n);
}

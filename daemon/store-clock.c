/* Hours a wall clock that ran ahead labelled (store.h: store_fold_future).
 * Calls store.c's helpers and SQLite; nothing above it. */
#include <errno.h>
#include <stdint.h>

#include "store-internal.h"

int store_fold_future(Store *s, int64_t after, int64_t into_start, int32_t into_offset, StoreFolded *ret) {
        _cleanup_finalize_ sqlite3_stmt *sum = NULL, *del = NULL;
        StoreFolded f = {};
        int r;

        if (!s || !ret || into_start > after)
                return -EINVAL;
        *ret = f;

        r = store_run(s, s->stmt[STMT_BEGIN]);
        if (r < 0)
                return r;
        int rc = sqlite3_prepare_v2(s->db,
                                    "SELECT COUNT(*), COALESCE(SUM(observed_s), 0), COALESCE(SUM(active_s), 0) "
                                    "FROM bucket WHERE start > ?1",
                                    -1, &sum, NULL);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_int64(sum, 1, after);
        r = store_step_row(s, sum, rc);
        if (r > 0) {
                f.hours = sqlite3_column_int64(sum, 0);
                f.observed_s = sqlite3_column_int64(sum, 1);
                f.active_s = sqlite3_column_int64(sum, 2);
        }
        sqlite3_reset(sum);
        if (r > 0 && f.hours > 0) {
                rc = sqlite3_prepare_v2(s->db, "DELETE FROM bucket WHERE start > ?1", -1, &del, NULL);
                if (rc == SQLITE_OK)
                        rc = sqlite3_bind_int64(del, 1, after);
                r = store_step_write(s, del, rc);
                /* Into the hour: observed up to its length, active up to observed
                 * (the kept upsert caps both). */
                if (r >= 0) {
                        _cleanup_reset_ sqlite3_stmt *up = s->stmt[STMT_UPSERT_BUCKET];

                        rc = sqlite3_bind_int64(up, 1, into_start);
                        if (rc == SQLITE_OK)
                                rc = sqlite3_bind_int64(up, 2, into_offset);
                        if (rc == SQLITE_OK)
                                rc = sqlite3_bind_int64(up, 3, f.active_s < 3600 ? f.active_s : 3600);
                        if (rc == SQLITE_OK)
                                rc = sqlite3_bind_int64(up, 4, f.observed_s < 3600 ? f.observed_s : 3600);
                        r = store_step_write(s, up, rc);
                }
        }
        if (r >= 0 && f.hours > 0)
                r = store_set_meta(s, STORE_CLEANUP_DUE_KEY, 1);
        if (r >= 0)
                r = store_run(s, s->stmt[STMT_COMMIT]);
        if (r < 0) {
                store_rollback(s);
                return r;
        }
        if (f.hours > 0)
                s->cleanup_due = true;
        *ret = f;
        return 0;
}

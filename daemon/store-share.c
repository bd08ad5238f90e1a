/* The store: the share log, one row per digest sent (or tried) to a
 * recipient, newest first when read back.
 */
#include <errno.h>
#include <stdlib.h>

#include "store-internal.h"

int store_add_share(Store *s, const StoreShare *sh, int64_t *ret_id) {
        if (!s || !sh || !sh->recipient || !sh->transport || !sh->week || !sh->level || !sh->format ||
            !sh->sha256 || !sh->result || sh->size < 0)
                return -EINVAL;
        _cleanup_reset_ sqlite3_stmt *st = s->stmt[STMT_ADD_SHARE];
        int rc = sqlite3_bind_int64(st, 1, sh->at);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_text(st, 2, sh->recipient, -1, SQLITE_TRANSIENT);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_text(st, 3, sh->transport, -1, SQLITE_TRANSIENT);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_text(st, 4, sh->week, -1, SQLITE_TRANSIENT);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_text(st, 5, sh->level, -1, SQLITE_TRANSIENT);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_text(st, 6, sh->format, -1, SQLITE_TRANSIENT);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_int64(st, 7, sh->size);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_text(st, 8, sh->sha256, -1, SQLITE_TRANSIENT);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_text(st, 9, sh->result, -1, SQLITE_TRANSIENT);
        if (rc == SQLITE_OK)
                rc = store_bind_text_or_null(st, 10, sh->detail);
        int r = store_step_write(s, st, rc);

        if (r < 0)
                return r;
        if (ret_id)
                *ret_id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

void store_share_done(StoreShare *sh) {
        if (!sh)
                return;
        free(sh->recipient);
        free(sh->transport);
        free(sh->week);
        free(sh->level);
        free(sh->format);
        free(sh->sha256);
        free(sh->result);
        free(sh->detail);
        *sh = (StoreShare) {};
}

void store_shares_free(StoreShare *v, size_t n) {
        for (size_t i = 0; i < n; i++)
                store_share_done(&v[i]);
        free(v);
}

static int share_from_row(Store *s, sqlite3_stmt *st, void *elem) {
        StoreShare *sh = elem;

        (void) s;
        *sh = (StoreShare) {
                .id = sqlite3_column_int64(st, 0),
                .at = sqlite3_column_int64(st, 1),
                .recipient = store_column_strdup(st, 2),
                .transport = store_column_strdup(st, 3),
                .week = store_column_strdup(st, 4),
                .level = store_column_strdup(st, 5),
                .format = store_column_strdup(st, 6),
                .size = sqlite3_column_int64(st, 7),
                .sha256 = store_column_strdup(st, 8),
                .result = store_column_strdup(st, 9),
                .detail = store_column_strdup(st, 10),
        };
        if (!sh->recipient || !sh->transport || !sh->week || !sh->level || !sh->format || !sh->sha256 ||
            !sh->result) {
                store_share_done(sh);
                return -ENOMEM;
        }
        return 0;
}

static void share_done(void *elem) {
        store_share_done(elem);
}

int store_get_shares(Store *s, int64_t limit, StoreShare **ret, size_t *ret_n) {
        if (!s || !ret || !ret_n)
                return -EINVAL;
        _cleanup_reset_ sqlite3_stmt *st = s->stmt[STMT_GET_SHARES];
        int rc = sqlite3_bind_int64(st, 1, limit);
        void *v;
        int r = store_collect_rows(s, st, rc, sizeof **ret, share_from_row, share_done, &v, ret_n);
        if (r >= 0)
                *ret = v;
        return r;
}

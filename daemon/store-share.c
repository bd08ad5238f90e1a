/* The store: the share log, one row per digest sent (or tried) to a
 * recipient, newest first when read back.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "store-internal.h"

/* StoreShare's strings, each malloc'ed in a record read back: all required
 * but the last, detail. */
static const size_t share_strings[] = {
        offsetof(StoreShare, recipient), offsetof(StoreShare, transport), offsetof(StoreShare, week),
        offsetof(StoreShare, level),     offsetof(StoreShare, format),    offsetof(StoreShare, sha256),
        offsetof(StoreShare, result),    offsetof(StoreShare, detail),
};

static char *const *share_string(const StoreShare *sh, size_t i) {
        return (char *const *) ((const char *) sh + share_strings[i]);
}

/* Whether every required string is there. */
static bool share_complete(const StoreShare *sh) {
        for (size_t i = 0; i < ELEMENTSOF(share_strings) - 1; i++)
                if (!*share_string(sh, i))
                        return false;
        return true;
}

int store_add_share(Store *s, const StoreShare *sh, int64_t *ret_id) {
        if (!s || !sh || !share_complete(sh) || sh->size < 0)
                return -EINVAL;
        const StoreParam p[] = {
                STORE_INT(sh->at), STORE_TEXT(sh->recipient), STORE_TEXT(sh->transport), STORE_TEXT(sh->week),
                STORE_TEXT(sh->level), STORE_TEXT(sh->format), STORE_INT(sh->size), STORE_TEXT(sh->sha256),
                STORE_TEXT(sh->result), STORE_TEXT_OR_NULL(sh->detail),
        };
        int r = store_write(s, STMT_ADD_SHARE, p, ELEMENTSOF(p));

        if (r < 0)
                return r;
        if (ret_id)
                *ret_id = sqlite3_last_insert_rowid(s->db);
        return 0;
}

void store_share_done(StoreShare *sh) {
        if (!sh)
                return;
        for (size_t i = 0; i < ELEMENTSOF(share_strings); i++)
                free(*share_string(sh, i));
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
        if (!share_complete(sh)) {
                store_share_done(sh);
                return -ENOMEM;
        }
        return 0;
}

static void share_done(void *elem) {
        store_share_done(elem);
}

int store_get_shares(Store *s, int64_t limit, StoreShare **ret, size_t *ret_n) {
        static const StoreRows rows = { sizeof(StoreShare), share_from_row, share_done };
        const StoreParam p[] = { STORE_INT(limit) };
        return store_select(s, STMT_GET_SHARES, p, ELEMENTSOF(p), &rows, ret, ret_n);
}

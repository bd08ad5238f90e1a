/* The store: the share log, one row per digest sent (or tried) to a
 * recipient, newest first when read back.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>

#include "store-internal.h"

/* A share row, in the order the statement selects it; its strings are the
 * record's, each malloc'ed in a record read back. */
static const StoreColumn share_columns[] = {
        COL_INT64(StoreShare, id), COL_INT64(StoreShare, at), COL_TEXT(StoreShare, recipient),
        COL_TEXT(StoreShare, transport), COL_TEXT(StoreShare, week), COL_TEXT(StoreShare, level),
        COL_TEXT(StoreShare, format), COL_INT64(StoreShare, size), COL_TEXT(StoreShare, sha256),
        COL_TEXT(StoreShare, result), COL_TEXT_OR_NULL(StoreShare, detail),
};

static char *const *share_string(const StoreShare *sh, size_t i) {
        return (char *const *) ((const char *) sh + share_columns[i].offset);
}

/* Whether every required string is there. */
static bool share_complete(const StoreShare *sh) {
        for (size_t i = 0; i < ELEMENTSOF(share_columns); i++)
                if (share_columns[i].kind == COLUMN_TEXT && !*share_string(sh, i))
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
        for (size_t i = 0; i < ELEMENTSOF(share_columns); i++)
                if (share_columns[i].kind == COLUMN_TEXT || share_columns[i].kind == COLUMN_TEXT_OR_NULL)
                        free(*share_string(sh, i));
        *sh = (StoreShare) {};
}

void store_shares_free(StoreShare *v, size_t n) {
        for (size_t i = 0; i < n; i++)
                store_share_done(&v[i]);
        free(v);
}

static void share_done(void *elem) {
        store_share_done(elem);
}

static const StoreRows share_rows = {
        .elem_size = sizeof(StoreShare),
        .done = share_done,
        .columns = share_columns,
        .n_columns = ELEMENTSOF(share_columns),
};

int store_get_shares(Store *s, int64_t limit, StoreShare **ret, size_t *ret_n) {
        const StoreParam p[] = { STORE_INT(limit) };
        return store_select(s, STMT_GET_SHARES, p, ELEMENTSOF(p), &share_rows, ret, ret_n);
}

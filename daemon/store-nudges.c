/* The store: nudges. Raised once per policy and day, read back unread or
 * all, acted on (read, snoozed, dismissed, helpful), counted, and imported
 * whole from an export.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"

/* A nudge insert binds ?1..?11 (policy, date, raised_at, severity, title,
 * body, step, rule, value, baseline, score); an import adds ?12..?14 (state,
 * snoozed_until, helpful). */
enum { NUDGE_NEW_PARAMS = 11, NUDGE_IMPORT_PARAMS = 14 };

static void nudge_params(const NudgeRecord *n, StoreParam ret[NUDGE_IMPORT_PARAMS]) {
        const StoreParam p[NUDGE_IMPORT_PARAMS] = {
                STORE_TEXT(n->policy), STORE_INT(n->date), STORE_INT(n->raised_at), STORE_TEXT(n->severity),
                STORE_TEXT(n->title), STORE_TEXT(n->body), STORE_TEXT_OR_NULL(n->step), STORE_TEXT(n->rule),
                STORE_DOUBLE_OR_NULL(n->value), STORE_DOUBLE_OR_NULL(n->baseline), STORE_DOUBLE_OR_NULL(n->score),
                STORE_TEXT(n->state), STORE_TIME_OR_NULL(n->snoozed_until), STORE_ANSWER(n->helpful),
        };
        memcpy(ret, p, sizeof p);
}

int store_add_nudge(Store *s, const NudgeRecord *n, int64_t *ret_id) {
        StoreParam p[NUDGE_IMPORT_PARAMS];

        if (!s || !n || !n->policy || !n->severity || !n->title || !n->body || !n->rule)
                return -EINVAL;
        nudge_params(n, p);
        int r = store_write(s, STMT_ADD_NUDGE, p, NUDGE_NEW_PARAMS);

        if (r < 0)
                return r;
        if (sqlite3_changes(s->db) == 0)
                return 0; /* already raised for that policy and day */
        if (ret_id)
                *ret_id = sqlite3_last_insert_rowid(s->db);
        return 1;
}

static void nudge_done(void *elem) {
        nudge_record_done(elem);
}

/* A nudge row, in the order the statements select it. */
static const StoreColumn nudge_columns[] = {
        COL_INT64(NudgeRecord, id), COL_TEXT(NudgeRecord, policy), COL_INT64(NudgeRecord, date),
        COL_INT64(NudgeRecord, raised_at), COL_TEXT(NudgeRecord, severity), COL_TEXT(NudgeRecord, title),
        COL_TEXT(NudgeRecord, body), COL_TEXT_OR_NULL(NudgeRecord, step), COL_TEXT(NudgeRecord, rule),
        COL_DOUBLE_OR_NAN(NudgeRecord, value), COL_DOUBLE_OR_NAN(NudgeRecord, baseline),
        COL_DOUBLE_OR_NAN(NudgeRecord, score), COL_TEXT(NudgeRecord, state), COL_INT64(NudgeRecord, snoozed_until),
        COL_ANSWER(NudgeRecord, helpful),
};
static const StoreRows nudge_rows = {
        .elem_size = sizeof(NudgeRecord),
        .done = nudge_done,
        .columns = nudge_columns,
        .n_columns = ELEMENTSOF(nudge_columns),
};

int store_get_nudges(Store *s, bool all, int64_t now, NudgeRecord **ret, size_t *ret_n) {
        const StoreParam p[] = { STORE_INT(all), STORE_INT(now) };
        return store_select(s, STMT_GET_NUDGES, p, ELEMENTSOF(p), &nudge_rows, ret, ret_n);
}

int store_get_nudge(Store *s, int64_t id, NudgeRecord *ret) {
        if (!s || !ret)
                return -EINVAL;
        _cleanup_reset_ sqlite3_stmt *st = s->stmt[STMT_GET_NUDGE];
        int rc = sqlite3_bind_int64(st, 1, id);
        int r = store_step_row(s, st, rc);

        if (r <= 0)
                return r;
        r = store_read_columns(st, &nudge_rows, ret);
        return r < 0 ? r : 1;
}

int store_nudge_action(Store *s, int64_t id, const char *state, int64_t snoozed_until, int helpful) {
        if (!s || !state)
                return -EINVAL;
        const StoreParam p[] = { STORE_INT(id), STORE_TEXT(state), STORE_TIME_OR_NULL(snoozed_until),
                                 STORE_ANSWER(helpful) };
        int r = store_write(s, STMT_NUDGE_ACTION, p, ELEMENTSOF(p));

        return r < 0 ? r : sqlite3_changes(s->db) > 0;
}

int store_count_unread(Store *s, int64_t now) {
        if (!s)
                return -EINVAL;
        _cleanup_reset_ sqlite3_stmt *st = s->stmt[STMT_COUNT_UNREAD];
        int rc = sqlite3_bind_int64(st, 1, now);
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return store_fail(s, rc);
        int64_t c = sqlite3_column_int64(st, 0);
        return c > INT32_MAX ? INT32_MAX : (int) c;
}

int store_import_nudge(Store *s, const NudgeRecord *n) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        StoreParam p[NUDGE_IMPORT_PARAMS];
        int rc;

        if (!s || !n || !n->policy || !n->severity || !n->title || !n->body || !n->rule || !n->state)
                return -EINVAL;
        rc = sqlite3_prepare_v2(s->db,
                                "INSERT INTO nudge (policy, date, raised_at, severity, title, body, step, rule, "
                                "value, baseline, score, state, snoozed_until, helpful) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
                                "ON CONFLICT (policy, date) DO NOTHING",
                                -1, &st, NULL);
        nudge_params(n, p);
        if (rc == SQLITE_OK)
                rc = store_bind(st, 1, p, NUDGE_IMPORT_PARAMS);
        int r = store_step_write(s, st, rc);

        return r < 0 ? r : sqlite3_changes(s->db) > 0;
}

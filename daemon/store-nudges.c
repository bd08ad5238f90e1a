/* The store: nudges. Raised once per policy and day, read back unread or
 * all, acted on (read, snoozed, dismissed, helpful), counted, and imported
 * whole from an export.
 */
#include <errno.h>
#include <math.h>
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

static double column_double_or_nan(sqlite3_stmt *st, int i) {
        return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

static int nudge_from_row(Store *s, sqlite3_stmt *st, void *elem) {
        NudgeRecord *n = elem;

        (void) s;
        *n = (NudgeRecord) {
                .id = sqlite3_column_int64(st, 0),
                .policy = store_column_strdup(st, 1),
                .date = sqlite3_column_int64(st, 2),
                .raised_at = sqlite3_column_int64(st, 3),
                .severity = store_column_strdup(st, 4),
                .title = store_column_strdup(st, 5),
                .body = store_column_strdup(st, 6),
                .step = store_column_strdup(st, 7),
                .rule = store_column_strdup(st, 8),
                .value = column_double_or_nan(st, 9),
                .baseline = column_double_or_nan(st, 10),
                .score = column_double_or_nan(st, 11),
                .state = store_column_strdup(st, 12),
                .snoozed_until = sqlite3_column_int64(st, 13),
                .helpful = store_column_answer(st, 14),
        };
        if (!n->policy || !n->severity || !n->title || !n->body || !n->rule || !n->state) {
                nudge_record_done(n);
                return -ENOMEM;
        }
        return 0;
}

static void nudge_done(void *elem) {
        nudge_record_done(elem);
}

int store_get_nudges(Store *s, bool all, int64_t now, NudgeRecord **ret, size_t *ret_n) {
        static const StoreRows rows = { sizeof(NudgeRecord), nudge_from_row, nudge_done };
        const StoreParam p[] = { STORE_INT(all), STORE_INT(now) };
        return store_select(s, STMT_GET_NUDGES, p, ELEMENTSOF(p), &rows, ret, ret_n);
}

int store_get_nudge(Store *s, int64_t id, NudgeRecord *ret) {
        if (!s || !ret)
                return -EINVAL;
        _cleanup_reset_ sqlite3_stmt *st = s->stmt[STMT_GET_NUDGE];
        int rc = sqlite3_bind_int64(st, 1, id);
        int r = store_step_row(s, st, rc);

        if (r <= 0)
                return r;
        r = nudge_from_row(s, st, ret);
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

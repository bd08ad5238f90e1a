/* The store: nudges. Raised once per policy and day, read back unread or
 * all, acted on (read, snoozed, dismissed, helpful), counted, and imported
 * whole from an export.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"

static int bind_double_or_null(sqlite3_stmt *st, int i, double v) {
        return isfinite(v) ? sqlite3_bind_double(st, i, v) : sqlite3_bind_null(st, i);
}

/* Bind ?1..?11 of a nudge insert: policy, date, raised_at, severity, title,
 * body, step, rule, value, baseline, score. An SQLite result code. */
static int store_bind_nudge(sqlite3_stmt *st, const NudgeRecord *n) {
        int rc;

        rc = sqlite3_bind_text(st, 1, n->policy, -1, SQLITE_TRANSIENT);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_int64(st, 2, n->date);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_int64(st, 3, n->raised_at);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_text(st, 4, n->severity, -1, SQLITE_TRANSIENT);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_text(st, 5, n->title, -1, SQLITE_TRANSIENT);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_text(st, 6, n->body, -1, SQLITE_TRANSIENT);
        if (rc == SQLITE_OK)
                rc = store_bind_text_or_null(st, 7, n->step);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_text(st, 8, n->rule, -1, SQLITE_TRANSIENT);
        if (rc == SQLITE_OK)
                rc = bind_double_or_null(st, 9, n->value);
        if (rc == SQLITE_OK)
                rc = bind_double_or_null(st, 10, n->baseline);
        if (rc == SQLITE_OK)
                rc = bind_double_or_null(st, 11, n->score);
        return rc;
}

int store_add_nudge(Store *s, const NudgeRecord *n, int64_t *ret_id) {
        int rc;

        if (!s || !n || !n->policy || !n->severity || !n->title || !n->body || !n->rule)
                return -EINVAL;
        _cleanup_reset_ sqlite3_stmt *st = s->stmt[STMT_ADD_NUDGE];
        rc = store_bind_nudge(st, n);
        int r = store_step_write(s, st, rc);

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
        if (!s || !ret || !ret_n)
                return -EINVAL;
        _cleanup_reset_ sqlite3_stmt *st = s->stmt[STMT_GET_NUDGES];
        int rc = sqlite3_bind_int(st, 1, all);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_int64(st, 2, now);
        void *v;
        int r = store_collect_rows(s, st, rc, sizeof **ret, nudge_from_row, nudge_done, &v, ret_n);
        if (r >= 0)
                *ret = v;
        return r;
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
        _cleanup_reset_ sqlite3_stmt *st = s->stmt[STMT_NUDGE_ACTION];
        int rc = sqlite3_bind_int64(st, 1, id);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_text(st, 2, state, -1, SQLITE_TRANSIENT);
        if (rc == SQLITE_OK)
                rc = snoozed_until > 0 ? sqlite3_bind_int64(st, 3, snoozed_until) : sqlite3_bind_null(st, 3);
        if (rc == SQLITE_OK)
                rc = store_bind_answer(st, 4, helpful);
        int r = store_step_write(s, st, rc);

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
        int rc;

        if (!s || !n || !n->policy || !n->severity || !n->title || !n->body || !n->rule || !n->state)
                return -EINVAL;
        rc = sqlite3_prepare_v2(s->db,
                                "INSERT INTO nudge (policy, date, raised_at, severity, title, body, step, rule, "
                                "value, baseline, score, state, snoozed_until, helpful) "
                                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
                                "ON CONFLICT (policy, date) DO NOTHING",
                                -1, &st, NULL);
        if (rc == SQLITE_OK)
                rc = store_bind_nudge(st, n);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_text(st, 12, n->state, -1, SQLITE_TRANSIENT);
        if (rc == SQLITE_OK)
                rc = n->snoozed_until > 0 ? sqlite3_bind_int64(st, 13, n->snoozed_until) : sqlite3_bind_null(st, 13);
        if (rc == SQLITE_OK)
                rc = store_bind_answer(st, 14, n->helpful);
        int r = store_step_write(s, st, rc);

        return r < 0 ? r : sqlite3_changes(s->db) > 0;
}

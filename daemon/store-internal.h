/* Shared only between the daemon/store*.c files: the Store itself, its kept
 * statements, and the helpers every table group uses. The public contract is
 * store.h; nothing here logs (errors are -errno, SQLite's message is kept for
 * store_last_error()).
 */
#pragma once

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "macro.h"
#include "store.h"

/* The kept statements (their SQL is store_sql in store.c). */
typedef enum StoreStmt {
        STMT_BEGIN,
        STMT_COMMIT,
        STMT_ROLLBACK,
        STMT_UPSERT_BUCKET,
        STMT_GET_BUCKETS,
        STMT_GET_CONSENT,
        STMT_GRANT_CONSENT,
        STMT_REVOKE_CONSENT,
        STMT_GET_META,
        STMT_SET_META,
        STMT_DELETE_META,
        STMT_MERGE_BUCKET,
        STMT_SET_CHECKIN,
        STMT_GET_CHECKINS,
        STMT_ADD_NUDGE,
        STMT_GET_NUDGES,
        STMT_GET_NUDGE,
        STMT_NUDGE_ACTION,
        STMT_COUNT_UNREAD,
        STMT_ADD_SHARE,
        STMT_GET_SHARES,
        STMT_NEAR_BUCKETS,
        _STMT_MAX,
} StoreStmt;

/* One open database. stmt: the kept statements, prepared at open from the
 * SQL in store.c. */
struct Store {
        sqlite3 *db;
        char *path;
        sqlite3_stmt *stmt[_STMT_MAX];
        bool side_modes_fixed; /* -wal and -shm seen and made 0600 */
        bool cleanup_due;      /* rows were deleted; their old pages may survive (store_cleanup);
                                * kept in meta too (STORE_CLEANUP_DUE_KEY), written in the
                                * delete's own transaction, so that a crash before the wipe
                                * does not forget it */
        char last_error[256];
};

/* Scope guard for a kept statement: ready for the next call, no dangling bindings. */
static inline void stmt_resetp(sqlite3_stmt **st) {
        if (*st) {
                sqlite3_reset(*st);
                sqlite3_clear_bindings(*st);
        }
}
#define _cleanup_reset_ _cleanup_(stmt_resetp)

/* Scope guard for a statement prepared for one call. */
static inline void finalizep(sqlite3_stmt **st) {
        sqlite3_finalize(*st);
}
#define _cleanup_finalize_ _cleanup_(finalizep)

/* Keep a message for store_last_error(). */
void store_set_error(Store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Keep SQLite's message for rc and return rc as -errno. */
int store_fail(Store *s, int rc);
/* Run SQL without results. */
int store_exec(Store *s, const char *sql);
/* Step a kept statement that returns no rows, then reset it. */
int store_run(Store *s, sqlite3_stmt *st);
/* Step st, whose parameters were bound with result rc (SQLITE_OK, or the
 * first failure, which is then reported), through a statement without rows:
 * 0 or -errno. store_step_write also re-checks the -wal and -shm modes. */
int store_step_done(Store *s, sqlite3_stmt *st, int rc);
int store_step_write(Store *s, sqlite3_stmt *st, int rc);
/* As store_step_done, to the first row: 1 with a row to read, 0 without. */
int store_step_row(Store *s, sqlite3_stmt *st, int rc);
/* Make the -wal and -shm files 0600 once they exist; call after writes. */
int store_fix_side_modes(Store *s);

/* One parameter of a statement, bound by store_bind: STORE_INT(v),
 * STORE_TEXT(s), and the NULL-able kinds, which bind NULL for a NULL string
 * (STORE_TEXT_OR_NULL), a non-finite number (STORE_DOUBLE_OR_NULL), a
 * negative answer (STORE_ANSWER: 0/1 or 1..5, -1 for none) or a time that is not
 * positive (STORE_TIME_OR_NULL). */
typedef struct StoreParam {
        enum { PARAM_INT, PARAM_TEXT, PARAM_TEXT_OR_NULL, PARAM_DOUBLE_OR_NULL, PARAM_ANSWER, PARAM_TIME_OR_NULL } kind;
        union {
                int64_t i;
                double d;
                const char *s;
        };
} StoreParam;
/* meta key: a wipe of deleted rows is due (store_cleanup) */
#define STORE_CLEANUP_DUE_KEY "cleanup_due"

#define STORE_INT(v) ((StoreParam) { .kind = PARAM_INT, .i = (v) })
#define STORE_TEXT(v) ((StoreParam) { .kind = PARAM_TEXT, .s = (v) })
#define STORE_TEXT_OR_NULL(v) ((StoreParam) { .kind = PARAM_TEXT_OR_NULL, .s = (v) })
#define STORE_DOUBLE_OR_NULL(v) ((StoreParam) { .kind = PARAM_DOUBLE_OR_NULL, .d = (v) })
#define STORE_ANSWER(v) ((StoreParam) { .kind = PARAM_ANSWER, .i = (v) })
#define STORE_TIME_OR_NULL(v) ((StoreParam) { .kind = PARAM_TIME_OR_NULL, .i = (v) })

/* Bind p[0..n) to ?first, ?first + 1, …: SQLITE_OK or the first failure. */
int store_bind(sqlite3_stmt *st, int first, const StoreParam *p, size_t n);
/* Bind p[0..n) to ?1… of the kept statement which and step it through a
 * write (store_step_write), leaving it reset: 0 or -errno. */
int store_write(Store *s, StoreStmt which, const StoreParam *p, size_t n);

/* Fill one element from the current row of st; -errno refuses the row. */
typedef int (*StoreRowToFn)(Store *s, sqlite3_stmt *st, void *elem);
/* Where column i of a row goes in an element, and how it is read: an integer,
 * a NULL-able answer (NULL reads as -1), a number (NULL reads as NAN), a
 * malloc'ed string that must be there (COLUMN_TEXT) or may be NULL. */
typedef struct StoreColumn {
        size_t offset;
        enum { COLUMN_INT64, COLUMN_ANSWER, COLUMN_DOUBLE_OR_NAN, COLUMN_TEXT, COLUMN_TEXT_OR_NULL } kind;
} StoreColumn;
/* The _Generic refuses a field of another type than the kind writes. */
#define STORE_COLUMN(type, field, kind, ctype) \
        { offsetof(type, field) + 0 * sizeof(_Generic(((type *) NULL)->field, ctype: 1)), kind }
#define COL_INT64(type, field) STORE_COLUMN(type, field, COLUMN_INT64, int64_t)
#define COL_ANSWER(type, field) STORE_COLUMN(type, field, COLUMN_ANSWER, int)
#define COL_DOUBLE_OR_NAN(type, field) STORE_COLUMN(type, field, COLUMN_DOUBLE_OR_NAN, double)
#define COL_TEXT(type, field) STORE_COLUMN(type, field, COLUMN_TEXT, char *)
#define COL_TEXT_OR_NULL(type, field) STORE_COLUMN(type, field, COLUMN_TEXT_OR_NULL, char *)

/* How a select's rows become elements: their size; from_row, or without it
 * the columns in order; and done (may be NULL) to release one. */
typedef struct StoreRows {
        size_t elem_size;
        StoreRowToFn from_row;
        void (*done)(void *elem);
        const StoreColumn *columns;
        size_t n_columns;
} StoreRows;
/* Fill elem from the current row of st by rows->columns: 0, or -ENOMEM with
 * elem released when a string could not be copied. */
int store_read_columns(sqlite3_stmt *st, const StoreRows *rows, void *elem);
/* Bind p[0..n) to ?1… of the kept statement which and read its rows into a
 * malloc'ed array: ret is the address of the caller's element pointer. */
int store_select(Store *s, StoreStmt which, const StoreParam *p, size_t n, const StoreRows *rows, void *ret,
                 size_t *ret_n);

/* The store, for privacy: the inventory of tables (any table, also those a
 * newer version made), reading them whole or page by page for export,
 * forgetting a range of days, and the cleanup that wipes deleted rows from
 * the database files.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store-internal.h"

/* The tables this build knows: their order for export and their time column.
 * Anything else in the database is still listed, counted and exported. */
typedef struct StoreTableDef {
        const char *name;
        const char *order;      /* ORDER BY */
        const char *range;      /* expression of the time column, or NULL */
        bool range_utc;
} StoreTableDef;

static const StoreTableDef store_tables[] = {
        { "bucket", "start, utc_offset", "start + utc_offset", false },
        { "checkin", "date", "date", false },
        { "nudge", "id", "date", false },
        { "consent", "id", "granted_at", true },
        { "share_log", "id", "at", true },
        { "meta", "key", NULL, false },
};

static const StoreTableDef *store_table_def(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(store_tables); i++)
                if (strcmp(store_tables[i].name, name) == 0)
                        return &store_tables[i];
        return NULL;
}

void store_strv_free(char **v, size_t n) {
        for (size_t i = 0; v && i < n; i++)
                free(v[i]);
        free(v);
}

static void strv_freep(char ***v) {
        /* NULL-terminated while being built */
        for (char **p = *v; p && *p; p++)
                free(*p);
        free(*v);
}

/* Run sql (one parameter-free query) and collect column 0 of each row as text. */
static int store_collect(Store *s, sqlite3_stmt *st, int column, char ***ret, size_t *ret_n) {
        _cleanup_(strv_freep) char **v = NULL;
        size_t n = 0;
        int rc;

        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                const unsigned char *t = sqlite3_column_text(st, column);
                char **nv = reallocarray(v, n + 2, sizeof *v);
                if (!nv)
                        return -ENOMEM;
                v = nv;
                v[n] = strdup(t ? (const char *) t : "");
                v[n + 1] = NULL;
                if (!v[n])
                        return -ENOMEM;
                n++;
        }
        if (rc != SQLITE_DONE)
                return store_fail(s, rc);
        *ret = TAKE_PTR(v);
        *ret_n = n;
        return 0;
}

int store_list_tables(Store *s, char ***ret, size_t *ret_n) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int rc;

        if (!s || !ret || !ret_n)
                return -EINVAL;
        rc = sqlite3_prepare_v2(s->db,
                                "SELECT name FROM sqlite_master WHERE type = 'table' "
                                "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
                                -1, &st, NULL);
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        return store_collect(s, st, 0, ret, ret_n);
}

/* 0 when name is a table of the database, -ENOENT when it is not (names from
 * outside are checked against sqlite_master before they are quoted into SQL). */
static int store_check_table(Store *s, const char *name) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int rc;

        rc = sqlite3_prepare_v2(s->db,
                                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1 "
                                "AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
                                -1, &st, NULL);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_text(st, 1, name, -1, SQLITE_TRANSIENT);
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW)
                return 0;
        if (rc == SQLITE_DONE) {
                store_set_error(s, "no table named %s", name);
                return -ENOENT;
        }
        return store_fail(s, rc);
}

/* Prepare "SELECT <what> FROM "<table>" <tail>" with the name quoted as an
 * identifier (double quotes doubled). */
static int store_prepare_on(Store *s, const char *what, const char *table, const char *tail, sqlite3_stmt **ret) {
        _cleanup_free_ char *sql = NULL;
        size_t cap = strlen(what) + 2 * strlen(table) + strlen(tail) + 32, k;
        int rc;

        sql = malloc(cap);
        if (!sql)
                return -ENOMEM;
        k = (size_t) snprintf(sql, cap, "SELECT %s FROM \"", what);
        for (const char *p = table; *p; p++) {
                if (*p == '"')
                        sql[k++] = '"';
                sql[k++] = *p;
        }
        snprintf(sql + k, cap - k, "\" %s", tail);
        rc = sqlite3_prepare_v2(s->db, sql, -1, ret, NULL);
        return rc == SQLITE_OK ? 0 : store_fail(s, rc);
}

int store_table_stats(Store *s, const char *table, StoreTableStats *ret) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        const StoreTableDef *def;
        char what[160];
        int r, rc;

        if (!s || !table || !ret)
                return -EINVAL;
        r = store_check_table(s, table);
        if (r < 0)
                return r;
        def = store_table_def(table);
        if (def && def->range)
                snprintf(what, sizeof what, "COUNT(*), MIN(%s), MAX(%s)", def->range, def->range);
        else
                snprintf(what, sizeof what, "COUNT(*), NULL, NULL");
        r = store_prepare_on(s, what, table, "", &st);
        if (r < 0)
                return r;
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return store_fail(s, rc);
        *ret = (StoreTableStats) {
                .rows = sqlite3_column_int64(st, 0),
                .has_range = sqlite3_column_type(st, 1) != SQLITE_NULL,
                .range_utc = def && def->range_utc,
                .first = sqlite3_column_int64(st, 1),
                .last = sqlite3_column_int64(st, 2),
        };
        return 0;
}

/* Column names of table from sql, a query on pragma_table_info(?1). */
static int store_table_info(Store *s, const char *table, const char *sql, char ***ret, size_t *ret_n) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int r, rc;

        if (!s || !table || !ret || !ret_n)
                return -EINVAL;
        r = store_check_table(s, table);
        if (r < 0)
                return r;
        rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_text(st, 1, table, -1, SQLITE_TRANSIENT);
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        return store_collect(s, st, 0, ret, ret_n);
}

int store_table_columns(Store *s, const char *table, char ***ret, size_t *ret_n) {
        return store_table_info(s, table, "SELECT name FROM pragma_table_info(?1) ORDER BY cid", ret, ret_n);
}

/* Step st and hand each row to fn. */
static int store_each_row(Store *s, sqlite3_stmt *st, StoreRowFn fn, void *userdata) {
        _cleanup_free_ StoreValue *v = NULL;
        int r, rc, ncol = sqlite3_column_count(st);

        v = calloc((size_t) ncol + 1, sizeof *v);
        if (!v)
                return -ENOMEM;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                for (int i = 0; i < ncol; i++) {
                        switch (sqlite3_column_type(st, i)) {
                        case SQLITE_INTEGER:
                                v[i] = (StoreValue) { .type = STORE_INT, .i = sqlite3_column_int64(st, i) };
                                break;
                        case SQLITE_FLOAT:
                                v[i] = (StoreValue) { .type = STORE_REAL, .d = sqlite3_column_double(st, i) };
                                break;
                        case SQLITE_NULL:
                                v[i] = (StoreValue) { .type = STORE_NULL };
                                break;
                        default: /* text; a blob is read as text too */
                                v[i] = (StoreValue) { .type = STORE_TEXT,
                                                      .s = (const char *) sqlite3_column_text(st, i) };
                                if (!v[i].s) { /* out of memory, or a zero-length blob */
                                        if (sqlite3_errcode(s->db) == SQLITE_NOMEM)
                                                return -ENOMEM;
                                        v[i].s = "";
                                }
                        }
                }
                r = fn(v, (size_t) ncol, userdata);
                if (r < 0)
                        return r;
        }
        if (rc != SQLITE_DONE)
                return store_fail(s, rc);
        return 0;
}

int store_read_table(Store *s, const char *table, int64_t offset, int64_t limit, StoreRowFn fn, void *userdata) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        const StoreTableDef *def;
        char tail[96];
        int r, rc;

        if (!s || !table || !fn || offset < 0 || limit < 0)
                return -EINVAL;
        r = store_check_table(s, table);
        if (r < 0)
                return r;
        def = store_table_def(table);
        snprintf(tail, sizeof tail, "ORDER BY %s LIMIT ?1 OFFSET ?2", def ? def->order : "rowid");
        r = store_prepare_on(s, "*", table, tail, &st);
        if (r < 0)
                return r;
        rc = sqlite3_bind_int64(st, 1, limit);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_int64(st, 2, offset);
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        return store_each_row(s, st, fn, userdata);
}

int store_table_key(Store *s, const char *table, char ***ret, size_t *ret_n) {
        /* Only a key that cannot be NULL orders every row: a WITHOUT ROWID
         * table's, an INTEGER PRIMARY KEY (the rowid), or NOT NULL columns.
         * (A NULL in another key compares as nothing, so its row would be
         * lost between pages: such a table is paged by offset.) */
        return store_table_info(s, table,
                                "SELECT name FROM pragma_table_info(?1) WHERE pk > 0 "
                                "AND ((SELECT wr FROM pragma_table_list(?1) WHERE schema = 'main') "
                                "OR (SELECT COUNT(*) FROM pragma_table_info(?1) WHERE pk > 0 AND \"notnull\" = 0 "
                                "AND NOT (upper(type) = 'INTEGER' "
                                "AND (SELECT COUNT(*) FROM pragma_table_info(?1) WHERE pk > 0) = 1)) = 0) "
                                "ORDER BY pk",
                                ret, ret_n);
}

/* name as an SQL identifier: in double quotes, quotes doubled. */
static void put_ident(FILE *f, const char *name) {
        fputc('"', f);
        for (const char *p = name; *p; p++) {
                if (*p == '"')
                        fputc('"', f);
                fputc(*p, f);
        }
        fputc('"', f);
}

static void memstream_freep(char **p) {
        free(*p);
}

int store_read_table_after(Store *s, const char *table, const StoreValue *after, size_t n_after, int64_t limit,
                           StoreRowFn fn, void *userdata) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        _cleanup_(memstream_freep) char *sql = NULL;
        char **key = NULL;
        size_t n_key = 0, len = 0;
        FILE *m;
        int r, rc;

        if (!s || !table || !fn || limit < 0 || (n_after > 0 && !after))
                return -EINVAL;
        r = store_table_key(s, table, &key, &n_key);
        if (r < 0)
                return r;
        if (n_key == 0 || (n_after != 0 && n_after != n_key)) {
                store_strv_free(key, n_key);
                store_set_error(s, "table %s cannot be read after a key of %zu values", table, n_after);
                return -EINVAL;
        }
        /* SELECT * FROM "t" WHERE ("k1", "k2") > (?2, ?3) ORDER BY "k1", "k2" LIMIT ?1 */
        m = open_memstream(&sql, &len);
        if (!m) {
                store_strv_free(key, n_key);
                return -ENOMEM;
        }
        fputs("SELECT * FROM ", m);
        put_ident(m, table);
        for (size_t pass = n_after > 0 ? 0 : 1; pass < 2; pass++) {
                fputs(pass == 0 ? " WHERE (" : " ORDER BY ", m);
                for (size_t i = 0; i < n_key; i++) {
                        if (i > 0)
                                fputs(", ", m);
                        put_ident(m, key[i]);
                }
                if (pass == 0) {
                        fputs(") > (", m);
                        for (size_t i = 0; i < n_key; i++)
                                fprintf(m, "%s?%zu", i > 0 ? ", " : "", i + 2);
                        fputc(')', m);
                }
        }
        fputs(" LIMIT ?1", m);
        store_strv_free(key, n_key);
        if (fclose(m) != 0 || !sql)
                return -ENOMEM;

        rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_int64(st, 1, limit);
        for (size_t i = 0; rc == SQLITE_OK && i < n_after; i++) {
                int k = (int) i + 2;
                switch (after[i].type) {
                case STORE_INT:
                        rc = sqlite3_bind_int64(st, k, after[i].i);
                        break;
                case STORE_REAL:
                        rc = sqlite3_bind_double(st, k, after[i].d);
                        break;
                case STORE_TEXT:
                        rc = sqlite3_bind_text(st, k, after[i].s ? after[i].s : "", -1, SQLITE_TRANSIENT);
                        break;
                default:
                        rc = sqlite3_bind_null(st, k);
                }
        }
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        return store_each_row(s, st, fn, userdata);
}

/* Run one statement with up to two integer parameters; the rows it changed. */
static int store_delete(Store *s, const char *sql, int nparams, int64_t a, int64_t b, int64_t *ret_changes) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

        if (rc == SQLITE_OK && nparams > 0)
                rc = sqlite3_bind_int64(st, 1, a);
        if (rc == SQLITE_OK && nparams > 1)
                rc = sqlite3_bind_int64(st, 2, b);
        int r = store_step_done(s, st, rc);

        if (r < 0)
                return r;
        *ret_changes = sqlite3_changes64(s->db);
        return 0;
}

/* PRAGMA wal_checkpoint(TRUNCATE): -EBUSY unless the whole WAL was copied back
 * and the file truncated. */
static int store_checkpoint_truncate(Store *s) {
        _cleanup_finalize_ sqlite3_stmt *st = NULL;
        int rc = sqlite3_prepare_v2(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", -1, &st, NULL);

        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        rc = sqlite3_step(st);
        if (rc != SQLITE_ROW)
                return store_fail(s, rc);
        if (sqlite3_column_int(st, 0) != 0) {
                store_set_error(s, "the WAL could not be checkpointed (busy)");
                return -EBUSY;
        }
        return 0;
}

/* a + b, held within [INT64_MIN, INT64_MAX]; an open end stays open. */
static int64_t add_sat(int64_t a, int64_t b) {
        if (a == INT64_MIN || a == INT64_MAX)
                return a;
        if (b > 0 && a > INT64_MAX - b)
                return INT64_MAX;
        if (b < 0 && a < INT64_MIN - b)
                return INT64_MIN;
        return a + b;
}

void store_forget_hours(const StoreForget *f, int64_t *ret_from, int64_t *ret_to) {
        /* A bucket belongs to the day in which its local start lies, and a day
         * begins at day_start: the same hours `kizuki days` shows for them. */
        *ret_from = add_sat(f->local_from, f->day_start);
        *ret_to = add_sat(f->local_to, f->day_start);
}

int store_forget(Store *s, const StoreForget *f, StoreForgotten *ret) {
        StoreForgotten c = {};
        int64_t b_from, b_to;
        int r;

        if (!s || !f || f->local_from > f->local_to || f->day_start < 0 || f->day_start >= 86400 ||
            (f->shares && f->shares_from > f->shares_to))
                return -EINVAL;
        if (ret)
                *ret = c;
        store_forget_hours(f, &b_from, &b_to);

        r = store_run(s, s->stmt[STMT_BEGIN]);
        if (r < 0)
                return r;
        /* The range of the primary key first (offsets are within ±18 h), then
         * the exact local bounds, as in STMT_GET_BUCKETS. */
        r = store_delete(s,
                         "DELETE FROM bucket WHERE start >= ?1 - 64800 AND start < ?2 + 64800 "
                         "AND start + utc_offset >= ?1 AND start + utc_offset < ?2",
                         2, b_from > INT64_MIN + 64800 ? b_from : INT64_MIN + 64800,
                         b_to < INT64_MAX - 64800 ? b_to : INT64_MAX - 64800, &c.buckets);
        if (r >= 0)
                r = store_delete(s, "DELETE FROM checkin WHERE date >= ?1 AND date < ?2", 2, f->local_from,
                                 f->local_to, &c.checkins);
        if (r >= 0)
                r = store_delete(s, "DELETE FROM nudge WHERE date >= ?1 AND date < ?2", 2, f->local_from,
                                 f->local_to, &c.nudges);
        if (r >= 0 && f->shares)
                r = store_delete(s, "DELETE FROM share_log WHERE at >= ?1 AND at < ?2", 2, f->shares_from,
                                 f->shares_to, &c.shares);
        if (r >= 0 && f->consent_and_meta)
                r = store_delete(s, "DELETE FROM consent", 0, 0, 0, &c.consents);
        if (r >= 0 && f->consent_and_meta)
                r = store_delete(s, "DELETE FROM meta", 0, 0, 0, &c.meta);
        if (r >= 0 && !f->dry_run && c.buckets + c.checkins + c.nudges + c.shares + c.consents + c.meta > 0)
                r = store_set_meta(s, STORE_CLEANUP_DUE_KEY, 1);
        if (r >= 0 && !f->dry_run)
                r = store_run(s, s->stmt[STMT_COMMIT]);
        if (r < 0 || f->dry_run) {
                store_rollback(s);
                if (r < 0)
                        return r;
        }

        if (!f->dry_run && c.buckets + c.checkins + c.nudges + c.shares + c.consents + c.meta > 0)
                s->cleanup_due = true;
        if (ret)
                *ret = c;
        return 0;
}

int store_cleanup(Store *s) {
        int r;

        if (!s)
                return -EINVAL;
        if (!s->cleanup_due)
                return 0;
        /* Deleted rows are overwritten in the database (secure_delete), but
         * their old pages stay in the WAL until it is checkpointed and
         * truncated; VACUUM rebuilds the file without free pages, through the
         * WAL, so truncate once more after it. Until all three succeed the
         * cleanup stays due: a retry after a busy or full disk finishes it. */
        r = store_checkpoint_truncate(s);
        if (r >= 0)
                r = store_exec(s, "VACUUM");
        /* The flag goes before the last truncate, which then leaves the WAL
         * empty; should that truncate fail, the flag is set again. */
        if (r >= 0)
                r = store_delete_meta(s, STORE_CLEANUP_DUE_KEY);
        if (r >= 0) {
                r = store_checkpoint_truncate(s);
                if (r < 0)
                        (void) store_set_meta(s, STORE_CLEANUP_DUE_KEY, 1);
        }
        if (r < 0) {
                char why[sizeof s->last_error];

                snprintf(why, sizeof why, "%s", s->last_error);
                store_set_error(s,
                                "the rows were deleted, but their old copies could not yet be wiped from the "
                                "database files (%s); kizukid tries again daily and at the next forget",
                                why);
                return r;
        }
        s->cleanup_due = false;
        return 1;
}

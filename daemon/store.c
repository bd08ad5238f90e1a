/* The SQLite store: one connection, prepared statements, schema versioned with
 * PRAGMA user_version and moved forward by the migration table below; opening
 * (and setting a damaged database aside), transactions, and the helpers the
 * table groups share (store-internal.h). The tables themselves are read and
 * written in store-activity.c (buckets, consent, check-ins, meta),
 * store-nudges.c, store-share.c and store-privacy.c (inventory, export,
 * forget, cleanup).
 *
 * Nothing here logs: errors are returned as -errno and SQLite's message is kept
 * for store_last_error(). SQLite result codes map to errno as follows: FULL ->
 * ENOSPC, BUSY/LOCKED -> EBUSY, NOMEM -> ENOMEM, READONLY -> EROFS, PERM/AUTH ->
 * EACCES, CONSTRAINT/MISMATCH/RANGE/TOOBIG -> EINVAL, CORRUPT/NOTADB -> EBADMSG,
 * everything else (IOERR_*, CANTOPEN, ...) -> EIO. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "store-internal.h"

#define STORE_FILE_MODE 0600
#define STORE_BUSY_TIMEOUT_MS 1000

#ifdef SQLITE_OPEN_EXRESCODE
#define STORE_OPEN_EXRESCODE SQLITE_OPEN_EXRESCODE
#else
#define STORE_OPEN_EXRESCODE 0
#endif
#define STORE_OPEN_FLAGS \
        (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | STORE_OPEN_EXRESCODE)

/* Files SQLite keeps beside the database; they move with it when it is set aside. */
static const char *const store_side_suffixes[] = { "-wal", "-shm", "-journal" };

/* Migration step i takes the schema from version i to i + 1. Each runs in one
 * transaction together with the user_version update. Append only. */
static const char *const store_migrations[] = {
        /* 1: hourly buckets, consent records, meta values. The expression index
         * serves queries by local date (start + utc_offset). */
        "CREATE TABLE bucket ("
        "  start INTEGER NOT NULL,"
        "  utc_offset INTEGER NOT NULL,"
        "  active_s INTEGER NOT NULL CHECK (active_s BETWEEN 0 AND 3600),"
        "  observed_s INTEGER NOT NULL CHECK (observed_s BETWEEN 0 AND 3600),"
        "  CHECK (active_s <= observed_s),"
        "  PRIMARY KEY (start, utc_offset)"
        ") WITHOUT ROWID;"
        "CREATE INDEX bucket_local ON bucket (start + utc_offset);"
        "CREATE TABLE consent ("
        "  id INTEGER PRIMARY KEY,"
        "  granted_at INTEGER NOT NULL,"
        "  revoked_at INTEGER,"
        "  text_version TEXT NOT NULL,"
        "  text_sha256 TEXT NOT NULL"
        ");"
        "CREATE TABLE meta ("
        "  key TEXT PRIMARY KEY,"
        "  value INTEGER NOT NULL"
        ") WITHOUT ROWID;",
        /* 2: the person's own daily check-ins; NULL where not answered. */
        "CREATE TABLE checkin ("
        "  date INTEGER PRIMARY KEY,"
        "  went_out INTEGER CHECK (went_out IN (0, 1)),"
        "  met_someone INTEGER CHECK (met_someone IN (0, 1)),"
        "  mood INTEGER CHECK (mood BETWEEN 1 AND 5),"
        "  updated_at INTEGER NOT NULL"
        ") WITHOUT ROWID;",
        /* 3: nudges, with the figures and rule that raised them; one per policy
         * and day, so evaluating a day twice raises nothing new. */
        "CREATE TABLE nudge ("
        "  id INTEGER PRIMARY KEY,"
        "  policy TEXT NOT NULL,"
        "  date INTEGER NOT NULL,"
        "  raised_at INTEGER NOT NULL,"
        "  severity TEXT NOT NULL,"
        "  title TEXT NOT NULL,"
        "  body TEXT NOT NULL,"
        "  step TEXT,"
        "  rule TEXT NOT NULL,"
        "  value REAL,"
        "  baseline REAL,"
        "  score REAL,"
        "  state TEXT NOT NULL DEFAULT 'unread' CHECK (state IN ('unread', 'acked', 'snoozed', 'dismissed')),"
        "  snoozed_until INTEGER,"
        "  helpful INTEGER CHECK (helpful IN (0, 1)),"
        "  UNIQUE (policy, date)"
        ");",
        /* 4: the share log: what left the machine, when, to whom, and whether
         * the recipient accepted it. result is 'sent' only on acceptance. */
        "CREATE TABLE share_log ("
        "  id INTEGER PRIMARY KEY,"
        "  at INTEGER NOT NULL,"
        "  recipient TEXT NOT NULL,"
        "  transport TEXT NOT NULL,"
        "  week TEXT NOT NULL,"
        "  level TEXT NOT NULL CHECK (level IN ('summary', 'daily', 'hourly')),"
        "  format TEXT NOT NULL CHECK (format IN ('text', 'json', 'html', 'fhir')),"
        "  size INTEGER NOT NULL CHECK (size >= 0),"
        "  sha256 TEXT NOT NULL,"
        "  result TEXT NOT NULL CHECK (result IN ('sent', 'failed')),"
        "  detail TEXT"
        ");",
};
_Static_assert(ELEMENTSOF(store_migrations) == STORE_SCHEMA_VERSION,
               "one migration step per schema version");

/* Prepared once at open. Values are always bound, never formatted into SQL. */
static const char *const store_sql[_STMT_MAX] = {
        [STMT_BEGIN] = "BEGIN IMMEDIATE",
        [STMT_COMMIT] = "COMMIT",
        [STMT_ROLLBACK] = "ROLLBACK",
        /* In the UPDATE, bare column names are the old row: observed grows up to
         * the hour's length, active up to the new observed. */
        [STMT_UPSERT_BUCKET] =
                "INSERT INTO bucket (start, utc_offset, active_s, observed_s) "
                "VALUES (?1, ?2, MIN(?3, MIN(?4, 3600)), MIN(?4, 3600)) "
                "ON CONFLICT (start, utc_offset) DO UPDATE SET "
                "observed_s = MIN(3600, observed_s + excluded.observed_s), "
                "active_s = MIN(MIN(3600, observed_s + excluded.observed_s), "
                "active_s + excluded.active_s)",
        /* A range of the primary key (offsets are within ±18 h), already in
         * the order asked for, then the exact local bounds: several times
         * faster than the expression index, which needs a lookup and a sort. */
        [STMT_GET_BUCKETS] =
                "SELECT start, utc_offset, active_s, observed_s FROM bucket "
                "WHERE start >= ?1 - 64800 AND start < ?2 + 64800 "
                "AND start + utc_offset >= ?1 AND start + utc_offset < ?2 "
                "ORDER BY start, utc_offset",
        [STMT_GET_CONSENT] =
                "SELECT id, granted_at, revoked_at, text_version, text_sha256 "
                "FROM consent ORDER BY id DESC LIMIT 1",
        [STMT_GRANT_CONSENT] =
                "INSERT INTO consent (granted_at, revoked_at, text_version, text_sha256) "
                "VALUES (?1, NULL, ?2, ?3)",
        [STMT_REVOKE_CONSENT] =
                "UPDATE consent SET revoked_at = ?1 "
                "WHERE id = (SELECT MAX(id) FROM consent) AND revoked_at IS NULL",
        [STMT_GET_META] = "SELECT value FROM meta WHERE key = ?1",
        [STMT_SET_META] =
                "INSERT INTO meta (key, value) VALUES (?1, ?2) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [STMT_DELETE_META] = "DELETE FROM meta WHERE key = ?1",
        /* Imports keep the larger of stored and imported seconds, so importing
         * the same data twice changes nothing; the WHERE makes an unchanged row
         * count as no change. */
        [STMT_MERGE_BUCKET] =
                "INSERT INTO bucket (start, utc_offset, active_s, observed_s) "
                "VALUES (?1, ?2, MIN(?3, MIN(?4, 3600)), MIN(?4, 3600)) "
                "ON CONFLICT (start, utc_offset) DO UPDATE SET "
                "observed_s = MAX(observed_s, excluded.observed_s), "
                "active_s = MIN(MAX(observed_s, excluded.observed_s), MAX(active_s, excluded.active_s)) "
                "WHERE excluded.observed_s > observed_s OR excluded.active_s > active_s",
        /* NULL answers keep what was there. */
        [STMT_SET_CHECKIN] =
                "INSERT INTO checkin (date, went_out, met_someone, mood, updated_at) "
                "VALUES (?1, ?2, ?3, ?4, ?5) "
                "ON CONFLICT (date) DO UPDATE SET "
                "went_out = COALESCE(excluded.went_out, went_out), "
                "met_someone = COALESCE(excluded.met_someone, met_someone), "
                "mood = COALESCE(excluded.mood, mood), updated_at = excluded.updated_at",
        [STMT_GET_CHECKINS] =
                "SELECT date, went_out, met_someone, mood FROM checkin "
                "WHERE date >= ?1 AND date < ?2 ORDER BY date",
        [STMT_ADD_NUDGE] =
                "INSERT INTO nudge (policy, date, raised_at, severity, title, body, step, rule, value, baseline, score) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) ON CONFLICT (policy, date) DO NOTHING",
        /* Without "all": unread, and snoozed whose time has come (?2 = now). */
        [STMT_GET_NUDGES] =
                "SELECT id, policy, date, raised_at, severity, title, body, step, rule, value, baseline, score, "
                "state, snoozed_until, helpful FROM nudge "
                "WHERE ?1 OR state = 'unread' OR (state = 'snoozed' AND snoozed_until <= ?2) "
                "ORDER BY date DESC, id DESC",
        [STMT_GET_NUDGE] =
                "SELECT id, policy, date, raised_at, severity, title, body, step, rule, value, baseline, score, "
                "state, snoozed_until, helpful FROM nudge WHERE id = ?1",
        [STMT_NUDGE_ACTION] =
                "UPDATE nudge SET state = ?2, snoozed_until = ?3, helpful = COALESCE(?4, helpful) WHERE id = ?1",
        [STMT_COUNT_UNREAD] =
                "SELECT COUNT(*) FROM nudge WHERE state = 'unread' OR (state = 'snoozed' AND snoozed_until <= ?1)",
        [STMT_ADD_SHARE] =
                "INSERT INTO share_log (at, recipient, transport, week, level, format, size, sha256, result, detail) "
                "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        /* ?1 <= 0: no limit. */
        [STMT_GET_SHARES] =
                "SELECT id, at, recipient, transport, week, level, format, size, sha256, result, detail "
                "FROM share_log ORDER BY at DESC, id DESC LIMIT CASE WHEN ?1 > 0 THEN ?1 ELSE -1 END",
        /* The buckets whose hour overlaps the hour from ?1 (a range of the
         * primary key). */
        [STMT_NEAR_BUCKETS] =
                "SELECT start, utc_offset, active_s, observed_s FROM bucket "
                "WHERE start > ?1 - 3600 AND start < ?1 + 3600 ORDER BY start, utc_offset",
};

static void store_freep(Store **s) {
        store_free(*s);
}

static int store_errno(int rc) {
        switch (rc & 0xff) {
        case SQLITE_OK:
        case SQLITE_ROW:
        case SQLITE_DONE:
                return 0;
        case SQLITE_FULL:
                return -ENOSPC;
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
                return -EBUSY;
        case SQLITE_NOMEM:
                return -ENOMEM;
        case SQLITE_READONLY:
                return -EROFS;
        case SQLITE_PERM:
        case SQLITE_AUTH:
                return -EACCES;
        case SQLITE_CONSTRAINT:
        case SQLITE_MISMATCH:
        case SQLITE_RANGE:
        case SQLITE_TOOBIG:
                return -EINVAL;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
                return -EBADMSG;
        default:
                return -EIO;
        }
}

void store_set_error(Store *s, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(s->last_error, sizeof s->last_error, fmt, ap);
        va_end(ap);
}

/* Keep SQLite's message for rc and return rc as -errno. */
int store_fail(Store *s, int rc) {
        store_set_error(s, "%s", s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        return store_errno(rc) ?: -EIO;
}

/* Run SQL without results (schema, pragmas, transaction control at open). */
int store_exec(Store *s, const char *sql) {
        int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
        return rc == SQLITE_OK ? 0 : store_fail(s, rc);
}

/* First column of the first row of sql, as text (truncated to size) or integer. */
static int store_query_one(Store *s, const char *sql, char *ret_text, size_t size, int64_t *ret_int) {
        sqlite3_stmt *st = NULL;
        int rc, r = 0;

        rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
                if (ret_text) {
                        const char *t = (const char *) sqlite3_column_text(st, 0);
                        snprintf(ret_text, size, "%s", t ?: "");
                }
                if (ret_int)
                        *ret_int = sqlite3_column_int64(st, 0);
        } else if (rc == SQLITE_DONE) {
                store_set_error(s, "%s: no result", sql);
                r = -EIO;
        } else
                r = store_fail(s, rc);
        sqlite3_finalize(st);
        return r;
}

/* Step a kept statement that returns no rows, then reset it. */
int store_run(Store *s, sqlite3_stmt *st) {
        int rc = sqlite3_step(st);
        int r = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store_fail(s, rc);

        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return r;
}

/* Step st, whose parameters were bound with result rc, through a statement
 * that returns no rows (the kept ones are reset by their scope guard). */
int store_step_done(Store *s, sqlite3_stmt *st, int rc) {
        if (rc == SQLITE_OK)
                rc = sqlite3_step(st);
        return rc == SQLITE_DONE ? 0 : store_fail(s, rc);
}

/* store_step_done() for a write: afterwards the -wal and -shm modes are
 * checked again (store_fix_side_modes). */
int store_step_write(Store *s, sqlite3_stmt *st, int rc) {
        int r = store_step_done(s, st, rc);

        if (r >= 0)
                (void) store_fix_side_modes(s);
        return r;
}

/* Step st, bound with result rc, to its first row: 1 with a row to read, 0
 * when there is none. */
int store_step_row(Store *s, sqlite3_stmt *st, int rc) {
        if (rc == SQLITE_OK)
                rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return 0;
        return rc == SQLITE_ROW ? 1 : store_fail(s, rc);
}

/* Undo an open transaction, keeping the error that made us undo it. SQLite may
 * already have rolled back by itself (FULL, IOERR, NOMEM, BUSY). */
void store_rollback(Store *s) {
        if (!s || sqlite3_get_autocommit(s->db))
                return;
        sqlite3_step(s->stmt[STMT_ROLLBACK]);
        sqlite3_reset(s->stmt[STMT_ROLLBACK]);
}

int store_begin(Store *s) {
        return s ? store_run(s, s->stmt[STMT_BEGIN]) : -EINVAL;
}

int store_commit(Store *s) {
        int r;

        if (!s)
                return -EINVAL;
        r = store_run(s, s->stmt[STMT_COMMIT]);
        if (r < 0)
                store_rollback(s);
        return r;
}

/* --- shared by the table files (store-internal.h) ------------------------ */

int store_bind(sqlite3_stmt *st, int first, const StoreParam *p, size_t n) {
        int rc = SQLITE_OK;

        for (size_t k = 0; k < n && rc == SQLITE_OK; k++) {
                int i = first + (int) k;
                switch (p[k].kind) {
                case PARAM_INT:
                        rc = sqlite3_bind_int64(st, i, p[k].i);
                        break;
                case PARAM_TEXT:
                        rc = sqlite3_bind_text(st, i, p[k].s, -1, SQLITE_TRANSIENT);
                        break;
                case PARAM_TEXT_OR_NULL:
                        rc = p[k].s ? sqlite3_bind_text(st, i, p[k].s, -1, SQLITE_TRANSIENT)
                                    : sqlite3_bind_null(st, i);
                        break;
                case PARAM_DOUBLE_OR_NULL:
                        rc = isfinite(p[k].d) ? sqlite3_bind_double(st, i, p[k].d) : sqlite3_bind_null(st, i);
                        break;
                case PARAM_ANSWER:
                        rc = p[k].i < 0 ? sqlite3_bind_null(st, i) : sqlite3_bind_int64(st, i, p[k].i);
                        break;
                case PARAM_TIME_OR_NULL:
                        rc = p[k].i > 0 ? sqlite3_bind_int64(st, i, p[k].i) : sqlite3_bind_null(st, i);
                        break;
                }
        }
        return rc;
}

int store_write(Store *s, StoreStmt which, const StoreParam *p, size_t n) {
        _cleanup_reset_ sqlite3_stmt *st = s->stmt[which];
        return store_step_write(s, st, store_bind(st, 1, p, n));
}

/* Step the statement to its end, appending one element per row, filled by
 * rows->from_row (which may refuse a row: -errno). On failure the elements
 * made so far are released with rows->done and nothing is returned. */
int store_select(Store *s, StoreStmt which, const StoreParam *p, size_t n_params, const StoreRows *rows, void *ret,
                 size_t *ret_n) {
        char *v = NULL;
        size_t n = 0, cap = 0;
        int r = 0;

        if (!s || !ret || !ret_n)
                return -EINVAL;
        _cleanup_reset_ sqlite3_stmt *st = s->stmt[which];
        int rc = store_bind(st, 1, p, n_params);
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                if (n == cap) {
                        size_t ncap = cap ? cap * 2 : 16;
                        char *nv = reallocarray(v, ncap, rows->elem_size);
                        if (!nv) {
                                r = -ENOMEM;
                                break;
                        }
                        v = nv;
                        cap = ncap;
                }
                void *elem = v + n * rows->elem_size;
                r = rows->from_row ? rows->from_row(s, st, elem) : store_read_columns(st, rows, elem);
                if (r < 0)
                        break;
                n++;
        }
        if (r >= 0 && rc != SQLITE_DONE)
                r = store_fail(s, rc);
        if (r < 0) {
                for (size_t i = 0; rows->done && i < n; i++)
                        rows->done(v + i * rows->elem_size);
                free(v);
                return r;
        }
        /* ret is a T **: store the array through it without naming T. */
        void *array = v;
        memcpy(ret, &array, sizeof array);
        *ret_n = n;
        return 0;
}

int store_read_columns(sqlite3_stmt *st, const StoreRows *rows, void *elem) {
        bool missing = false;

        memset(elem, 0, rows->elem_size);
        for (size_t k = 0; k < rows->n_columns; k++) {
                void *field = (char *) elem + rows->columns[k].offset;
                int i = (int) k;
                bool null = sqlite3_column_type(st, i) == SQLITE_NULL;

                switch (rows->columns[k].kind) {
                case COLUMN_INT64:
                        *(int64_t *) field = sqlite3_column_int64(st, i);
                        break;
                case COLUMN_ANSWER:
                        *(int *) field = null ? -1 : sqlite3_column_int(st, i);
                        break;
                case COLUMN_DOUBLE_OR_NAN:
                        *(double *) field = null ? NAN : sqlite3_column_double(st, i);
                        break;
                case COLUMN_TEXT:
                case COLUMN_TEXT_OR_NULL: {
                        const unsigned char *t = sqlite3_column_text(st, i);
                        char *copy = t ? strdup((const char *) t) : NULL;
                        *(char **) field = copy;
                        missing = missing || (!copy && rows->columns[k].kind == COLUMN_TEXT);
                        break;
                }
                }
        }
        if (missing) {
                if (rows->done)
                        rows->done(elem);
                return -ENOMEM;
        }
        return 0;
}

static int rename_noreplace(const char *from, const char *to) {
        if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) >= 0)
                return 0;
        if (errno != EINVAL && errno != ENOSYS)
                return -errno;

        /* The file system cannot refuse to replace: check first. The directory
         * is private to us, so nobody races us for the name. */
        struct stat st;
        if (lstat(to, &st) >= 0)
                return -EEXIST;
        if (errno != ENOENT)
                return -errno;
        return rename(from, to) < 0 ? -errno : 0;
}

/* malloc'ed a followed by b, NULL when out of memory. */
static char *strjoin(const char *a, const char *b) {
        size_t la = strlen(a), lb = strlen(b);
        char *p = malloc(la + lb + 1);

        if (!p)
                return NULL;
        memcpy(p, a, la);
        memcpy(p + la, b, lb + 1);
        return p;
}

static bool path_exists(const char *path) {
        struct stat st;
        return lstat(path, &st) >= 0 || errno != ENOENT;
}

/* Whether the database name base or any of its side files exists. */
static int store_name_taken(const char *base) {
        if (path_exists(base))
                return 1;
        for (size_t i = 0; i < ELEMENTSOF(store_side_suffixes); i++) {
                _cleanup_free_ char *side = strjoin(base, store_side_suffixes[i]);

                if (!side)
                        return -ENOMEM;
                if (path_exists(side))
                        return 1;
        }
        return 0;
}

/* Move a damaged database aside as "<path>.corrupt-<unix time>" (".N" added if
 * that name is taken), its -wal/-shm/-journal as that name plus the same
 * suffix, so the set still opens together with the sqlite3 shell for recovery.
 * Nothing is ever deleted. The side files go first: a WAL left behind would be
 * replayed into the fresh database. */
static int store_move_aside(const char *path, char **ret_moved_to) {
        _cleanup_free_ char *base = NULL;
        long long now = (long long) time(NULL);
        int r;

        for (unsigned attempt = 0;; attempt++) {
                if (attempt >= 100)
                        return -EEXIST;
                char suffix[64];

                if (attempt == 0)
                        snprintf(suffix, sizeof suffix, ".corrupt-%lld", now);
                else
                        snprintf(suffix, sizeof suffix, ".corrupt-%lld.%u", now, attempt);
                free(base);
                base = strjoin(path, suffix);
                if (!base)
                        return -ENOMEM;
                r = store_name_taken(base);
                if (r < 0)
                        return r;
                if (r == 0)
                        break;
        }

        for (size_t i = 0; i < ELEMENTSOF(store_side_suffixes); i++) {
                _cleanup_free_ char *from = strjoin(path, store_side_suffixes[i]);
                _cleanup_free_ char *to = strjoin(base, store_side_suffixes[i]);

                if (!from || !to)
                        return -ENOMEM;
                if (!path_exists(from))
                        continue;
                r = rename_noreplace(from, to);
                if (r < 0)
                        return r;
        }
        r = rename_noreplace(path, base);
        if (r < 0)
                return r;

        *ret_moved_to = TAKE_PTR(base);
        return 0;
}

/* Create the database file if it is missing, mode 0600 whatever the umask;
 * SQLite gives its -wal and -shm the mode of the database. */
static int store_create_file(const char *path) {
        _cleanup_close_ int fd = -1;
        struct stat st;

        fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, STORE_FILE_MODE);
        if (fd >= 0)
                return fchmod(fd, STORE_FILE_MODE) < 0 ? -errno : 1;
        if (errno != EEXIST)
                return -errno;
        if (stat(path, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (!S_ISREG(st.st_mode))
                return -EINVAL;
        return 0;
}

/* Make path 0600 if it exists and is not. */
static int store_fix_mode(const char *path) {
        struct stat st;

        if (stat(path, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        if ((st.st_mode & 07777) == STORE_FILE_MODE)
                return 1;
        return chmod(path, STORE_FILE_MODE) < 0 ? -errno : 1;
}

/* The -wal and -shm appear at the first access in WAL mode; check them until
 * both were seen. SQLite already copies the database's mode, this makes sure. */
int store_fix_side_modes(Store *s) {
        int seen = 0;

        if (s->side_modes_fixed)
                return 0;
        for (size_t i = 0; i < 2; i++) { /* -wal, -shm */
                _cleanup_free_ char *p = strjoin(s->path, store_side_suffixes[i]);
                int r;

                if (!p)
                        return -ENOMEM;
                r = store_fix_mode(p);
                if (r < 0)
                        return r;
                seen += r;
        }
        s->side_modes_fixed = seen == 2;
        return 0;
}

/* SQLite deletes a WAL found beside an empty database file as stale. It may
 * hold the only copy of the data (the database lost or truncated), so such a
 * pair counts as damaged and is moved aside whole. */
static int store_check_orphan_wal(Store *s) {
        _cleanup_free_ char *wal = strjoin(s->path, "-wal");
        struct stat st;

        if (!wal)
                return -ENOMEM;
        if (stat(s->path, &st) < 0)
                return -errno;
        if (st.st_size > 0)
                return 0;
        if (stat(wal, &st) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (st.st_size == 0)
                return 0;
        store_set_error(s, "empty database beside a non-empty WAL");
        return -EBADMSG;
}

/* Run a PRAGMA that answers one text: 0 when it answers want, else err with
 * fmt (its one %s is the answer) kept as the error. */
__attribute__((format(printf, 5, 0))) static int store_pragma_expect(Store *s, const char *sql, const char *want,
                                                                     int err, const char *fmt) {
        char result[128];
        int r;

        r = store_query_one(s, sql, result, sizeof result, NULL);
        if (r < 0)
                return r;
        if (strcmp(result, want) != 0) {
                /* fmt is checked where it is written (the format attribute above). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
                store_set_error(s, fmt, result);
#pragma GCC diagnostic pop
                return err;
        }
        return 0;
}

/* 0 when the database passes quick_check, -EBADMSG when it is not a database
 * or is damaged, other -errno when it could not be checked. */
static int store_quick_check(Store *s) {
        return store_pragma_expect(s, "PRAGMA quick_check", "ok", -EBADMSG, "quick_check: %s");
}

/* The schema version of the database; -EPROTO when this build does not know it. */
static int store_schema_version(Store *s, int64_t *ret) {
        int r = store_query_one(s, "PRAGMA user_version", NULL, 0, ret);
        if (r < 0)
                return r;
        if (*ret < 0 || *ret > STORE_SCHEMA_VERSION) {
                store_set_error(s, "schema version %" PRId64 " is unknown to this build", *ret);
                return -EPROTO;
        }
        return 0;
}

/* One migration transaction: 1 if a step was applied, 0 if the schema is
 * current. The version is read inside the write transaction, so two openers
 * cannot apply a step twice. */
static int store_migrate_step(Store *s) {
        char sql[64];
        int64_t v;
        int r;

        r = store_exec(s, "BEGIN IMMEDIATE");
        if (r < 0)
                return r;
        r = store_schema_version(s, &v);
        if (r < 0)
                goto fail;
        if (v == STORE_SCHEMA_VERSION) {
                r = store_exec(s, "COMMIT");
                if (r < 0)
                        goto fail;
                return 0;
        }

        r = store_exec(s, store_migrations[v]);
        if (r < 0)
                goto fail;
        /* PRAGMA takes no parameters; the value is our own counter. */
        snprintf(sql, sizeof sql, "PRAGMA user_version = %d", (int) v + 1);
        r = store_exec(s, sql);
        if (r < 0)
                goto fail;
        r = store_exec(s, "COMMIT");
        if (r < 0)
                goto fail;
        return 1;

fail:
        if (!sqlite3_get_autocommit(s->db))
                sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
        return r;
}

static int store_migrate(Store *s) {
        int r;

        while ((r = store_migrate_step(s)) > 0)
                ;
        return r;
}

/* 1 when meta says a wipe is due, 0 when not. */
static int store_cleanup_due_at_open(Store *s) {
        sqlite3_stmt *st = NULL;
        int r, rc = sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL);

        if (rc == SQLITE_OK)
                rc = sqlite3_bind_text(st, 1, STORE_CLEANUP_DUE_KEY, -1, SQLITE_STATIC);
        if (rc == SQLITE_OK)
                rc = sqlite3_step(st);
        r = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) != 0 : rc == SQLITE_DONE ? 0 : store_fail(s, rc);
        sqlite3_finalize(st);
        return r;
}

/* One attempt at opening path. -EBADMSG: the file is not a healthy database. */
static int store_open_one(Store **ret, const char *path) {
        _cleanup_(store_freep) Store *s = NULL;
        int64_t version;
        int rc, r;

        s = calloc(1, sizeof *s);
        if (!s)
                return -ENOMEM;
        s->path = strdup(path);
        if (!s->path)
                return -ENOMEM;

        r = store_create_file(path);
        if (r < 0)
                return r;

        r = store_check_orphan_wal(s);
        if (r < 0)
                return r;

        rc = sqlite3_open_v2(path, &s->db, STORE_OPEN_FLAGS, NULL);
        if (rc != SQLITE_OK)
                return s->db ? store_fail(s, rc) : -ENOMEM;
        sqlite3_extended_result_codes(s->db, 1);
        sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT_MS);

        /* Read-only checks first: a file we refuse must be left as it is. Until
         * the open succeeds, closing must not checkpoint the WAL into the
         * database and delete it, as the last connection otherwise does. */
        rc = sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        r = store_quick_check(s);
        if (r < 0)
                return r;
        r = store_schema_version(s, &version);
        if (r < 0)
                return r;

        r = store_fix_mode(path);
        if (r < 0)
                return r;
        r = store_pragma_expect(s, "PRAGMA journal_mode = WAL", "wal", -EIO,
                                "cannot use WAL mode (journal mode is %s)");
        if (r < 0)
                return r;
        /* temp_store = MEMORY: should SQLite ever need a temporary file (a
         * large sort, a statement journal), the person's data stays in memory
         * rather than in /var/tmp or /tmp; the store is a few MB a year. */
        r = store_exec(s, "PRAGMA synchronous = FULL;"
                          "PRAGMA foreign_keys = ON;"
                          "PRAGMA secure_delete = ON;"
                          "PRAGMA temp_store = MEMORY;");
        if (r < 0)
                return r;

        r = store_migrate(s);
        if (r < 0)
                return r;

        for (size_t i = 0; i < _STMT_MAX; i++) {
                rc = sqlite3_prepare_v3(s->db, store_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                                        &s->stmt[i], NULL);
                if (rc != SQLITE_OK)
                        return store_fail(s, rc);
        }

        r = store_fix_side_modes(s);
        if (r < 0)
                return r;
        rc = sqlite3_db_config(s->db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0, NULL);
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        /* A wipe a delete left due before a crash is still due. */
        r = store_cleanup_due_at_open(s);
        if (r < 0)
                return r;
        s->cleanup_due = r > 0;

        *ret = TAKE_PTR(s);
        return 0;
}

int store_open(Store **ret, const char *path, char **ret_moved_to) {
        _cleanup_free_ char *moved_to = NULL;
        Store *s = NULL;
        int r;

        if (!ret || !path || !*path)
                return -EINVAL;

        r = store_open_one(&s, path);
        if (r == -EBADMSG) {
                r = store_move_aside(path, &moved_to);
                if (r < 0)
                        return r;
                r = store_open_one(&s, path);
                if (r == -EBADMSG) /* a fresh database cannot be damaged */
                        r = -EIO;
        }
        if (r < 0)
                return r;

        *ret = s;
        if (ret_moved_to)
                *ret_moved_to = TAKE_PTR(moved_to);
        return 0;
}

Store *store_free(Store *s) {
        if (!s)
                return NULL;
        for (size_t i = 0; i < _STMT_MAX; i++)
                sqlite3_finalize(s->stmt[i]);
        /* The last connection to close checkpoints and removes the WAL. */
        sqlite3_close_v2(s->db);
        free(s->path);
        free(s);
        return NULL;
}

const char *store_path(const Store *s) {
        return s ? s->path : NULL;
}

const char *store_last_error(const Store *s) {
        return s ? s->last_error : "";
}

int64_t store_size(const Store *s) {
        _cleanup_free_ char *wal = NULL;
        struct stat st;
        int64_t size;

        if (!s)
                return -EINVAL;
        if (stat(s->path, &st) < 0)
                return -errno;
        size = st.st_size;
        wal = strjoin(s->path, "-wal");
        if (!wal)
                return -ENOMEM;
        if (stat(wal, &st) >= 0)
                size += st.st_size;
        else if (errno != ENOENT)
                return -errno;
        return size;
}


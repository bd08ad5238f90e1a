/* The SQLite store: one connection, prepared statements, schema versioned with
 * PRAGMA user_version and moved forward by the migration table below.
 *
 * Nothing here logs: errors are returned as -errno and SQLite's message is kept
 * for store_last_error(). SQLite result codes map to errno as follows: FULL ->
 * ENOSPC, BUSY/LOCKED -> EBUSY, NOMEM -> ENOMEM, READONLY -> EROFS, PERM/AUTH ->
 * EACCES, CONSTRAINT/MISMATCH/RANGE/TOOBIG -> EINVAL, CORRUPT/NOTADB -> EBADMSG,
 * everything else (IOERR_*, CANTOPEN, ...) -> EIO. */
#include <errno.h>
#include <math.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "store.h"

#define STORE_FILE_MODE 0600
#define STORE_BUSY_TIMEOUT_MS 1000
#define STORE_BUCKET_MAX_S 3600
#define SIZEOF_FIELD(type, field) sizeof(((type *) NULL)->field)

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
        _STMT_MAX,
} StoreStmt;

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
};

struct Store {
        sqlite3 *db;
        char *path;
        sqlite3_stmt *stmt[_STMT_MAX];
        bool side_modes_fixed; /* -wal and -shm seen and made 0600 */
        bool cleanup_due;      /* rows were deleted; their old pages may survive (store_cleanup) */
        char last_error[256];
};

static void store_freep(Store **s) {
        store_free(*s);
}

/* Scope guard for a kept statement: ready for the next call, no dangling bindings. */
static void stmt_resetp(sqlite3_stmt **st) {
        if (*st) {
                sqlite3_reset(*st);
                sqlite3_clear_bindings(*st);
        }
}
#define _cleanup_reset_ _cleanup_(stmt_resetp)

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

static void store_set_error(Store *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void store_set_error(Store *s, const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(s->last_error, sizeof s->last_error, fmt, ap);
        va_end(ap);
}

/* Keep SQLite's message for rc and return rc as -errno. */
static int store_fail(Store *s, int rc) {
        store_set_error(s, "%s", s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        return store_errno(rc) ?: -EIO;
}

/* Run SQL without results (schema, pragmas, transaction control at open). */
static int store_exec(Store *s, const char *sql) {
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
static int store_run(Store *s, sqlite3_stmt *st) {
        int rc = sqlite3_step(st);
        int r = rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : store_fail(s, rc);

        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return r;
}

/* Undo an open transaction, keeping the error that made us undo it. SQLite may
 * already have rolled back by itself (FULL, IOERR, NOMEM, BUSY). */
void store_rollback(Store *s) {
        if (!s || sqlite3_get_autocommit(s->db))
                return;
        sqlite3_step(s->stmt[STMT_ROLLBACK]);
        sqlite3_reset(s->stmt[STMT_ROLLBACK]);
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
static int store_fix_side_modes(Store *s) {
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

/* 0 when the database passes quick_check, -EBADMSG when it is not a database
 * or is damaged, other -errno when it could not be checked. */
static int store_quick_check(Store *s) {
        char result[128];
        int r;

        r = store_query_one(s, "PRAGMA quick_check", result, sizeof result, NULL);
        if (r < 0)
                return r;
        if (strcmp(result, "ok") != 0) {
                store_set_error(s, "quick_check: %s", result);
                return -EBADMSG;
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
        r = store_query_one(s, "PRAGMA user_version", NULL, 0, &v);
        if (r < 0)
                goto fail;
        if (v < 0 || v > STORE_SCHEMA_VERSION) {
                store_set_error(s, "schema version %" PRId64 " is unknown to this build", v);
                r = -EPROTO;
                goto fail;
        }
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

/* One attempt at opening path. -EBADMSG: the file is not a healthy database. */
static int store_open_one(Store **ret, const char *path) {
        _cleanup_(store_freep) Store *s = NULL;
        char mode[16];
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
        r = store_query_one(s, "PRAGMA user_version", NULL, 0, &version);
        if (r < 0)
                return r;
        if (version < 0 || version > STORE_SCHEMA_VERSION) {
                store_set_error(s, "schema version %" PRId64 " is unknown to this build", version);
                return -EPROTO;
        }

        r = store_fix_mode(path);
        if (r < 0)
                return r;
        r = store_query_one(s, "PRAGMA journal_mode = WAL", mode, sizeof mode, NULL);
        if (r < 0)
                return r;
        if (strcmp(mode, "wal") != 0) {
                store_set_error(s, "cannot use WAL mode (journal mode is %s)", mode);
                return -EIO;
        }
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

/* Write buckets with one of the bucket statements in one transaction, all or
 * nothing; with dry_run roll back at the end, having counted the changes. */
static int store_write_buckets(Store *s, StoreStmt which, const AcctBucket *b, size_t n, bool dry_run,
                               size_t *ret_changed) {
        sqlite3_stmt *st;
        size_t changed = 0;
        int r;

        if (!s || (!b && n > 0))
                return -EINVAL;
        /* Refuse the whole batch before writing anything. */
        for (size_t i = 0; i < n; i++)
                if (b[i].active_s < 0 || b[i].observed_s < 0) {
                        store_set_error(s, "bucket %zu: negative seconds", i);
                        return -EINVAL;
                }
        if (ret_changed)
                *ret_changed = 0;
        if (n == 0)
                return 0;

        r = store_run(s, s->stmt[STMT_BEGIN]);
        if (r < 0)
                return r;

        st = s->stmt[which];
        for (size_t i = 0; i < n; i++) {
                int rc = sqlite3_bind_int64(st, 1, b[i].start);
                if (rc == SQLITE_OK)
                        rc = sqlite3_bind_int64(st, 2, b[i].utc_offset);
                if (rc == SQLITE_OK)
                        rc = sqlite3_bind_int64(st, 3, b[i].active_s);
                if (rc == SQLITE_OK)
                        rc = sqlite3_bind_int64(st, 4, b[i].observed_s);
                if (rc != SQLITE_OK) {
                        r = store_fail(s, rc);
                        sqlite3_clear_bindings(st);
                        goto fail;
                }
                r = store_run(s, st);
                if (r < 0)
                        goto fail;
                changed += (size_t) sqlite3_changes(s->db);
        }

        if (dry_run) {
                store_rollback(s);
        } else {
                r = store_run(s, s->stmt[STMT_COMMIT]);
                if (r < 0)
                        goto fail;
                (void) store_fix_side_modes(s); /* the data is committed; this is a re-check */
        }
        if (ret_changed)
                *ret_changed = changed;
        return 0;

fail:
        store_rollback(s);
        return r;
}

int store_add_buckets(Store *s, const AcctBucket *b, size_t n) {
        return store_write_buckets(s, STMT_UPSERT_BUCKET, b, n, false, NULL);
}

int store_merge_buckets(Store *s, const AcctBucket *b, size_t n, bool dry_run, size_t *ret_changed) {
        return store_write_buckets(s, STMT_MERGE_BUCKET, b, n, dry_run, ret_changed);
}

/* Step st to its end, appending one element of elem_size per row, filled by
 * from_row (which may refuse a row: -errno). On failure the elements made so
 * far are released with done (may be NULL) and nothing is returned. */
typedef int (*StoreRowToFn)(Store *s, sqlite3_stmt *st, void *elem);
static int store_collect_rows(Store *s, sqlite3_stmt *st, size_t elem_size, StoreRowToFn from_row,
                         void (*done)(void *elem), void **ret, size_t *ret_n) {
        char *v = NULL;
        size_t n = 0, cap = 0;
        int rc, r = 0;

        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                if (n == cap) {
                        size_t ncap = cap ? cap * 2 : 16;
                        char *nv = reallocarray(v, ncap, elem_size);
                        if (!nv) {
                                r = -ENOMEM;
                                break;
                        }
                        v = nv;
                        cap = ncap;
                }
                r = from_row(s, st, v + n * elem_size);
                if (r < 0)
                        break;
                n++;
        }
        if (r >= 0 && rc != SQLITE_DONE)
                r = store_fail(s, rc);
        if (r < 0) {
                for (size_t i = 0; done && i < n; i++)
                        done(v + i * elem_size);
                free(v);
                return r;
        }
        *ret = v;
        *ret_n = n;
        return 0;
}

static int bucket_from_row(Store *s, sqlite3_stmt *st, void *elem) {
        int64_t start = sqlite3_column_int64(st, 0);
        int64_t offset = sqlite3_column_int64(st, 1);
        int64_t active = sqlite3_column_int64(st, 2);
        int64_t observed = sqlite3_column_int64(st, 3);

        /* The CHECKs hold these for rows we wrote; another writer may not have. */
        if (offset < INT32_MIN || offset > INT32_MAX || active < 0 || observed < 0 ||
            observed > STORE_BUCKET_MAX_S || active > observed) {
                store_set_error(s, "bucket at %" PRId64 " holds impossible values", start);
                return -EBADMSG;
        }
        *(AcctBucket *) elem = (AcctBucket) {
                .start = start,
                .utc_offset = (int32_t) offset,
                .active_s = (int32_t) active,
                .observed_s = (int32_t) observed,
        };
        return 0;
}

int store_get_buckets(Store *s, int64_t local_from, int64_t local_to, AcctBucket **ret, size_t *ret_n) {
        if (!s || !ret || !ret_n)
                return -EINVAL;
        _cleanup_reset_ sqlite3_stmt *st = s->stmt[STMT_GET_BUCKETS];
        int rc = sqlite3_bind_int64(st, 1, local_from);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_int64(st, 2, local_to);
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        void *v;
        int r = store_collect_rows(s, st, sizeof **ret, bucket_from_row, NULL, &v, ret_n);
        if (r >= 0)
                *ret = v;
        return r;
}

static void text_copy(char *dst, size_t size, const unsigned char *src) {
        snprintf(dst, size, "%s", src ? (const char *) src : "");
}

int store_get_consent(Store *s, StoreConsent *ret) {
        int rc;

        if (!s || !ret)
                return -EINVAL;

        _cleanup_reset_ sqlite3_stmt *st = s->stmt[STMT_GET_CONSENT];
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return 0;
        if (rc != SQLITE_ROW)
                return store_fail(s, rc);

        *ret = (StoreConsent) {
                .id = sqlite3_column_int64(st, 0),
                .granted_at = sqlite3_column_int64(st, 1),
                .revoked_at = sqlite3_column_int64(st, 2), /* NULL reads as 0 */
        };
        text_copy(ret->text_version, sizeof ret->text_version, sqlite3_column_text(st, 3));
        text_copy(ret->text_sha256, sizeof ret->text_sha256, sqlite3_column_text(st, 4));
        return 1;
}

int store_grant_consent(Store *s, int64_t at, const char *text_version, const char *text_sha256) {
        char sha[SIZEOF_FIELD(StoreConsent, text_sha256)];
        size_t len;
        int rc;

        if (!s || !text_version || !text_sha256)
                return -EINVAL;

        /* Both must fit StoreConsent unchanged; refuse rather than store a cut value. */
        len = strnlen(text_version, SIZEOF_FIELD(StoreConsent, text_version));
        if (len == 0 || len >= SIZEOF_FIELD(StoreConsent, text_version)) {
                store_set_error(s, "consent text version must be 1 to 63 characters");
                return -EINVAL;
        }
        for (size_t i = 0; i < len; i++)
                if ((unsigned char) text_version[i] < 0x20 || text_version[i] == 0x7f) {
                        store_set_error(s, "consent text version holds control characters");
                        return -EINVAL;
                }
        for (len = 0; len < sizeof sha - 1 && text_sha256[len]; len++) {
                char c = text_sha256[len];
                if (c >= 'A' && c <= 'F')
                        c = (char) (c - 'A' + 'a');
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
                        break;
                sha[len] = c;
        }
        if (len != sizeof sha - 1 || text_sha256[len]) {
                store_set_error(s, "consent text hash must be 64 hexadecimal digits");
                return -EINVAL;
        }
        sha[len] = '\0';

        _cleanup_reset_ sqlite3_stmt *st = s->stmt[STMT_GRANT_CONSENT];
        rc = sqlite3_bind_int64(st, 1, at);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_text(st, 2, text_version, -1, SQLITE_TRANSIENT);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_text(st, 3, sha, -1, SQLITE_TRANSIENT);
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
                return store_fail(s, rc);
        (void) store_fix_side_modes(s);
        return 0;
}

int store_revoke_consent(Store *s, int64_t at) {
        int rc;

        if (!s)
                return -EINVAL;
        /* revoked_at 0 reads as "not revoked". */
        if (at <= 0) {
                store_set_error(s, "revocation time must be positive");
                return -EINVAL;
        }

        _cleanup_reset_ sqlite3_stmt *st = s->stmt[STMT_REVOKE_CONSENT];
        rc = sqlite3_bind_int64(st, 1, at);
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
                return store_fail(s, rc);
        return sqlite3_changes(s->db) > 0;
}

int store_get_meta(Store *s, const char *key, int64_t *ret) {
        int rc;

        if (!s || !key || !*key || !ret)
                return -EINVAL;

        _cleanup_reset_ sqlite3_stmt *st = s->stmt[STMT_GET_META];
        rc = sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return 0;
        if (rc != SQLITE_ROW)
                return store_fail(s, rc);
        *ret = sqlite3_column_int64(st, 0);
        return 1;
}

int store_set_meta(Store *s, const char *key, int64_t value) {
        int rc;

        if (!s || !key || !*key)
                return -EINVAL;

        _cleanup_reset_ sqlite3_stmt *st = s->stmt[STMT_SET_META];
        rc = sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_int64(st, 2, value);
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
                return store_fail(s, rc);
        (void) store_fix_side_modes(s);
        return 0;
}

/* 1 if the key was there, 0 if not. */
int store_delete_meta(Store *s, const char *key) {
        int rc;

        if (!s || !key || !*key)
                return -EINVAL;

        _cleanup_reset_ sqlite3_stmt *st = s->stmt[STMT_DELETE_META];
        rc = sqlite3_bind_text(st, 1, key, -1, SQLITE_TRANSIENT);
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
                return store_fail(s, rc);
        return sqlite3_changes(s->db) > 0;
}

/* A NULL-able 0/1 or 1..5 answer: -1 binds NULL. */
static int bind_answer(sqlite3_stmt *st, int i, int v) {
        return v < 0 ? sqlite3_bind_null(st, i) : sqlite3_bind_int(st, i, v);
}

int store_set_checkin(Store *s, const Checkin *c, int64_t at) {
        int rc;

        if (!s || !c || c->went_out > 1 || c->met_someone > 1 || c->mood == 0 || c->mood > 5)
                return -EINVAL;

        _cleanup_reset_ sqlite3_stmt *st = s->stmt[STMT_SET_CHECKIN];
        rc = sqlite3_bind_int64(st, 1, c->date);
        if (rc == SQLITE_OK)
                rc = bind_answer(st, 2, c->went_out);
        if (rc == SQLITE_OK)
                rc = bind_answer(st, 3, c->met_someone);
        if (rc == SQLITE_OK)
                rc = bind_answer(st, 4, c->mood);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_int64(st, 5, at);
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
                return store_fail(s, rc);
        (void) store_fix_side_modes(s);
        return 0;
}

static int column_answer(sqlite3_stmt *st, int i) {
        return sqlite3_column_type(st, i) == SQLITE_NULL ? -1 : sqlite3_column_int(st, i);
}

static int checkin_from_row(Store *s, sqlite3_stmt *st, void *elem) {
        (void) s;
        *(Checkin *) elem = (Checkin) {
                .date = sqlite3_column_int64(st, 0),
                .went_out = column_answer(st, 1),
                .met_someone = column_answer(st, 2),
                .mood = column_answer(st, 3),
        };
        return 0;
}

int store_get_checkins(Store *s, int64_t from, int64_t to, Checkin **ret, size_t *ret_n) {
        if (!s || !ret || !ret_n)
                return -EINVAL;
        _cleanup_reset_ sqlite3_stmt *st = s->stmt[STMT_GET_CHECKINS];
        int rc = sqlite3_bind_int64(st, 1, from);
        if (rc == SQLITE_OK)
                rc = sqlite3_bind_int64(st, 2, to);
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        void *v;
        int r = store_collect_rows(s, st, sizeof **ret, checkin_from_row, NULL, &v, ret_n);
        if (r >= 0)
                *ret = v;
        return r;
}

/* --- nudges -------------------------------------------------------------- */

static int bind_double_or_null(sqlite3_stmt *st, int i, double v) {
        return isfinite(v) ? sqlite3_bind_double(st, i, v) : sqlite3_bind_null(st, i);
}

static int bind_text_or_null(sqlite3_stmt *st, int i, const char *v) {
        return v ? sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT) : sqlite3_bind_null(st, i);
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
                rc = bind_text_or_null(st, 7, n->step);
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
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
                return store_fail(s, rc);
        (void) store_fix_side_modes(s);
        if (sqlite3_changes(s->db) == 0)
                return 0; /* already raised for that policy and day */
        if (ret_id)
                *ret_id = sqlite3_last_insert_rowid(s->db);
        return 1;
}

static char *column_strdup(sqlite3_stmt *st, int i) {
        const unsigned char *t = sqlite3_column_text(st, i);
        return t ? strdup((const char *) t) : NULL;
}

static double column_double_or_nan(sqlite3_stmt *st, int i) {
        return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

static int nudge_from_row(sqlite3_stmt *st, NudgeRecord *n) {
        *n = (NudgeRecord) {
                .id = sqlite3_column_int64(st, 0),
                .policy = column_strdup(st, 1),
                .date = sqlite3_column_int64(st, 2),
                .raised_at = sqlite3_column_int64(st, 3),
                .severity = column_strdup(st, 4),
                .title = column_strdup(st, 5),
                .body = column_strdup(st, 6),
                .step = column_strdup(st, 7),
                .rule = column_strdup(st, 8),
                .value = column_double_or_nan(st, 9),
                .baseline = column_double_or_nan(st, 10),
                .score = column_double_or_nan(st, 11),
                .state = column_strdup(st, 12),
                .snoozed_until = sqlite3_column_int64(st, 13),
                .helpful = column_answer(st, 14),
        };
        if (!n->policy || !n->severity || !n->title || !n->body || !n->rule || !n->state) {
                nudge_record_done(n);
                return -ENOMEM;
        }
        return 0;
}

static int nudge_row(Store *s, sqlite3_stmt *st, void *elem) {
        (void) s;
        return nudge_from_row(st, elem);
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
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        void *v;
        int r = store_collect_rows(s, st, sizeof **ret, nudge_row, nudge_done, &v, ret_n);
        if (r >= 0)
                *ret = v;
        return r;
}

int store_get_nudge(Store *s, int64_t id, NudgeRecord *ret) {
        if (!s || !ret)
                return -EINVAL;
        _cleanup_reset_ sqlite3_stmt *st = s->stmt[STMT_GET_NUDGE];
        int rc = sqlite3_bind_int64(st, 1, id);
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        rc = sqlite3_step(st);
        if (rc == SQLITE_DONE)
                return 0;
        if (rc != SQLITE_ROW)
                return store_fail(s, rc);
        int r = nudge_from_row(st, ret);
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
                rc = bind_answer(st, 4, helpful);
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
                return store_fail(s, rc);
        (void) store_fix_side_modes(s);
        return sqlite3_changes(s->db) > 0;
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

/* --- share log ----------------------------------------------------------- */

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
                rc = bind_text_or_null(st, 10, sh->detail);
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
                return store_fail(s, rc);
        (void) store_fix_side_modes(s);
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

static int share_from_row(sqlite3_stmt *st, StoreShare *sh) {
        *sh = (StoreShare) {
                .id = sqlite3_column_int64(st, 0),
                .at = sqlite3_column_int64(st, 1),
                .recipient = column_strdup(st, 2),
                .transport = column_strdup(st, 3),
                .week = column_strdup(st, 4),
                .level = column_strdup(st, 5),
                .format = column_strdup(st, 6),
                .size = sqlite3_column_int64(st, 7),
                .sha256 = column_strdup(st, 8),
                .result = column_strdup(st, 9),
                .detail = column_strdup(st, 10),
        };
        if (!sh->recipient || !sh->transport || !sh->week || !sh->level || !sh->format || !sh->sha256 ||
            !sh->result) {
                store_share_done(sh);
                return -ENOMEM;
        }
        return 0;
}

static int share_row(Store *s, sqlite3_stmt *st, void *elem) {
        (void) s;
        return share_from_row(st, elem);
}

static void share_done(void *elem) {
        store_share_done(elem);
}

int store_get_shares(Store *s, int64_t limit, StoreShare **ret, size_t *ret_n) {
        if (!s || !ret || !ret_n)
                return -EINVAL;
        _cleanup_reset_ sqlite3_stmt *st = s->stmt[STMT_GET_SHARES];
        int rc = sqlite3_bind_int64(st, 1, limit);
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        void *v;
        int r = store_collect_rows(s, st, sizeof **ret, share_row, share_done, &v, ret_n);
        if (r >= 0)
                *ret = v;
        return r;
}

/* --- privacy: inventory, export, forget, retention ---------------------- */

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

static void finalizep(sqlite3_stmt **st) {
        sqlite3_finalize(*st);
}
#define _cleanup_finalize_ _cleanup_(finalizep)

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
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
                return store_fail(s, rc);
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

int store_forget(Store *s, const StoreForget *f, StoreForgotten *ret) {
        StoreForgotten c = {};
        int64_t b_from, b_to;
        int r;

        if (!s || !f || f->local_from > f->local_to || f->day_start < 0 || f->day_start >= 86400 ||
            (f->shares && f->shares_from > f->shares_to))
                return -EINVAL;
        if (ret)
                *ret = c;
        /* A bucket belongs to the day in which its local start lies, and a day
         * begins at day_start: the same hours `kizuki days` shows for them. */
        b_from = add_sat(f->local_from, f->day_start);
        b_to = add_sat(f->local_to, f->day_start);

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
        if (r >= 0)
                r = store_run(s, s->stmt[STMT_COMMIT]);
        if (r < 0) {
                store_rollback(s);
                return r;
        }

        if (c.buckets + c.checkins + c.nudges + c.shares + c.consents + c.meta > 0)
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
        if (r >= 0)
                r = store_checkpoint_truncate(s);
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
                rc = bind_answer(st, 14, n->helpful);
        if (rc != SQLITE_OK)
                return store_fail(s, rc);
        rc = sqlite3_step(st);
        if (rc != SQLITE_DONE)
                return store_fail(s, rc);
        (void) store_fix_side_modes(s);
        return sqlite3_changes(s->db) > 0;
}

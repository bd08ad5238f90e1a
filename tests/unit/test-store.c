/* Store tests: each test gets its own mkdtemp directory under /tmp. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "macro.h"
#include "store.h"

#define SHA_A "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define SHA_B "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

typedef struct Fixture {
        char dir[64];
        char path[128];
} Fixture;

static int setup(void **state) {
        Fixture *f = calloc(1, sizeof *f);

        assert_non_null(f);
        snprintf(f->dir, sizeof f->dir, "/tmp/test-store-XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->path, sizeof f->path, "%s/kizuki.db", f->dir);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        Fixture *f = *state;
        DIR *d = opendir(f->dir);
        struct dirent *de;

        assert_non_null(d);
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        assert_int_equal(unlinkat(dirfd(d), de->d_name, 0), 0);
        closedir(d);
        assert_int_equal(rmdir(f->dir), 0);
        free(f);
        return 0;
}

static char *path_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *path_printf(const char *fmt, ...) {
        static char buf[256];
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        return buf;
}

static size_t read_file(const char *path, char *buf, size_t size) {
        FILE *fp = fopen(path, "rb");
        size_t n;

        assert_non_null(fp);
        n = fread(buf, 1, size, fp);
        fclose(fp);
        return n;
}

static void write_file(const char *path, const void *data, size_t n) {
        FILE *fp = fopen(path, "wb");

        assert_non_null(fp);
        assert_int_equal(fwrite(data, 1, n, fp), n);
        assert_int_equal(fclose(fp), 0);
}

static mode_t file_mode(const char *path) {
        struct stat st;

        assert_int_equal(stat(path, &st), 0);
        return st.st_mode & 07777;
}

/* Run SQL on the file through a second, independent connection. */
static void sql_exec(const char *path, const char *sql) {
        sqlite3 *db = NULL;

        assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static Store *open_store(const char *path) {
        Store *s = NULL;
        char *moved = (char *) "unset";

        assert_int_equal(store_open(&s, path, &moved), 0);
        assert_null(moved);
        assert_non_null(s);
        return s;
}

static void assert_bucket(const AcctBucket *b, int64_t start, int32_t off, int32_t active, int32_t observed) {
        assert_int_equal(b->start, start);
        assert_int_equal(b->utc_offset, off);
        assert_int_equal(b->active_s, active);
        assert_int_equal(b->observed_s, observed);
}

/* 2024-03-10 00:00 read as UTC. */
#define DAY0 INT64_C(1710028800)
#define H 3600

static void test_create_add_reopen(void **state) {
        Fixture *f = *state;
        AcctBucket in[] = {
                { .start = DAY0, .utc_offset = 0, .active_s = 100, .observed_s = 3600 },
                { .start = DAY0 + H, .utc_offset = 0, .active_s = 0, .observed_s = 10 },
        };
        _cleanup_free_ AcctBucket *out = NULL;
        size_t n = 0;
        Store *s;

        s = open_store(f->path);
        assert_string_equal(store_path(s), f->path);
        assert_string_equal(store_last_error(s), "");
        assert_int_equal(store_add_buckets(s, in, ELEMENTSOF(in)), 0);
        assert_int_equal(store_add_buckets(s, in, 0), 0);
        assert_int_equal(store_add_buckets(s, NULL, 1), -EINVAL);
        assert_true(store_size(s) > 0);
        assert_null(store_free(s));
        assert_null(store_free(NULL));
        /* A clean close checkpoints: everything is in the database file. */
        assert_int_equal(access(path_printf("%s-wal", f->path), F_OK), -1);

        s = open_store(f->path);
        assert_int_equal(store_get_buckets(s, DAY0, DAY0 + 24 * H, &out, &n), 0);
        assert_int_equal(n, 2);
        assert_bucket(&out[0], DAY0, 0, 100, 3600);
        assert_bucket(&out[1], DAY0 + H, 0, 0, 10);
        free(out);
        out = NULL;

        /* Empty and inverted ranges. */
        assert_int_equal(store_get_buckets(s, DAY0 - 24 * H, DAY0, &out, &n), 0);
        assert_int_equal(n, 0);
        assert_null(out);
        assert_int_equal(store_get_buckets(s, DAY0 + H, DAY0, &out, &n), 0);
        assert_int_equal(n, 0);
        store_free(s);
}

static void test_upsert_caps(void **state) {
        Fixture *f = *state;
        AcctBucket a = { .start = DAY0, .utc_offset = 3600, .active_s = 1000, .observed_s = 2000 };
        AcctBucket b = { .start = DAY0, .utc_offset = 3600, .active_s = 1500, .observed_s = 1500 };
        AcctBucket big = { .start = DAY0 + H, .utc_offset = 3600, .active_s = 5000, .observed_s = 4000 };
        AcctBucket more = { .start = DAY0, .utc_offset = 3600, .active_s = 900, .observed_s = 900 };
        _cleanup_free_ AcctBucket *out = NULL;
        size_t n;
        Store *s = open_store(f->path);

        assert_int_equal(store_add_buckets(s, &a, 1), 0);
        assert_int_equal(store_add_buckets(s, &b, 1), 0);
        /* Accumulated: 2500 active of 3500 observed. */
        assert_int_equal(store_get_buckets(s, DAY0, DAY0 + 2 * H + 3600, &out, &n), 0);
        assert_int_equal(n, 1);
        assert_bucket(&out[0], DAY0, 3600, 2500, 3500);
        free(out);
        out = NULL;

        /* Observed capped at the hour, active at observed. */
        assert_int_equal(store_add_buckets(s, &more, 1), 0);
        /* A single oversized input is capped too. */
        assert_int_equal(store_add_buckets(s, &big, 1), 0);
        assert_int_equal(store_get_buckets(s, DAY0, DAY0 + 2 * H + 3600, &out, &n), 0);
        assert_int_equal(n, 2);
        assert_bucket(&out[0], DAY0, 3600, 3400, 3600);
        assert_bucket(&out[1], DAY0 + H, 3600, 3600, 3600);
        store_free(s);
}

/* Hours after `after` leave the store; their seconds join the given hour,
 * capped as every write is; nothing else changes. */
static void test_fold_future(void **state) {
        Fixture *f = *state;
        AcctBucket in[] = {
                { .start = DAY0, .utc_offset = 0, .active_s = 100, .observed_s = 3000 },
                { .start = DAY0 + H, .utc_offset = 0, .active_s = 10, .observed_s = 20 },
                { .start = DAY0 + 400 * 24 * H, .utc_offset = 0, .active_s = 300, .observed_s = 500 },
                { .start = DAY0 + 401 * 24 * H, .utc_offset = 7200, .active_s = 0, .observed_s = 200 },
        };
        _cleanup_free_ AcctBucket *out = NULL;
        StoreFolded got = { 1, 1, 1 };
        size_t n;
        Store *s = open_store(f->path);

        assert_int_equal(store_add_buckets(s, in, ELEMENTSOF(in)), 0);
        assert_int_equal(store_fold_future(s, DAY0 + H - 1, DAY0 + H, 0, &got), -EINVAL); /* into after `after` */
        assert_int_equal(store_fold_future(NULL, DAY0, DAY0, 0, &got), -EINVAL);

        /* Nothing after: nothing changes. */
        assert_int_equal(store_fold_future(s, DAY0 + 402 * 24 * H, DAY0, 0, &got), 0);
        assert_int_equal(got.hours, 0);

        /* 700 s observed, 300 active into the 00:00 hour: 3000 + 700 caps at 3600. */
        assert_int_equal(store_fold_future(s, DAY0 + 2 * H, DAY0, 0, &got), 0);
        assert_int_equal(got.hours, 2);
        assert_int_equal(got.observed_s, 700);
        assert_int_equal(got.active_s, 300);
        assert_int_equal(store_get_buckets(s, DAY0 - 24 * H, DAY0 + 500 * 24 * H, &out, &n), 0);
        assert_int_equal(n, 2);
        assert_bucket(&out[0], DAY0, 0, 400, 3600);
        assert_bucket(&out[1], DAY0 + H, 0, 10, 20);
        free(out);
        out = NULL;

        /* Into an hour not stored yet. */
        AcctBucket late = { .start = DAY0 + 5 * H, .utc_offset = 0, .active_s = 1, .observed_s = 2 };
        assert_int_equal(store_add_buckets(s, &late, 1), 0);
        assert_int_equal(store_fold_future(s, DAY0 + 3 * H, DAY0 + 2 * H, 0, &got), 0);
        assert_int_equal(got.hours, 1);
        assert_int_equal(store_get_buckets(s, DAY0 + 2 * H, DAY0 + 6 * H, &out, &n), 0);
        assert_int_equal(n, 1);
        assert_bucket(&out[0], DAY0 + 2 * H, 0, 1, 2);
        store_free(s);
}

static void test_active_capped_at_observed(void **state) {
        Fixture *f = *state;
        AcctBucket a = { .start = DAY0, .utc_offset = 0, .active_s = 3000, .observed_s = 3000 };
        AcctBucket b = { .start = DAY0, .utc_offset = 0, .active_s = 3000, .observed_s = 3000 };
        _cleanup_free_ AcctBucket *out = NULL;
        size_t n;
        Store *s = open_store(f->path);

        assert_int_equal(store_add_buckets(s, &a, 1), 0);
        assert_int_equal(store_add_buckets(s, &b, 1), 0);
        assert_int_equal(store_get_buckets(s, DAY0, DAY0 + H, &out, &n), 0);
        assert_int_equal(n, 1);
        assert_bucket(&out[0], DAY0, 0, 3600, 3600);
        store_free(s);
}

static void test_all_or_nothing(void **state) {
        Fixture *f = *state;
        AcctBucket in[] = {
                { .start = DAY0, .utc_offset = 0, .active_s = 10, .observed_s = 20 },
                { .start = DAY0 + H, .utc_offset = 0, .active_s = -1, .observed_s = 20 },
        };
        AcctBucket boom[] = {
                { .start = DAY0, .utc_offset = 0, .active_s = 10, .observed_s = 20 },
                { .start = 666, .utc_offset = 0, .active_s = 1, .observed_s = 1 },
        };
        _cleanup_free_ AcctBucket *out = NULL;
        size_t n;
        Store *s = open_store(f->path);

        /* Refused by validation. */
        assert_int_equal(store_add_buckets(s, in, ELEMENTSOF(in)), -EINVAL);
        assert_non_null(strstr(store_last_error(s), "negative"));
        in[1].active_s = 0;
        in[1].observed_s = -5;
        assert_int_equal(store_add_buckets(s, in, ELEMENTSOF(in)), -EINVAL);
        assert_int_equal(store_get_buckets(s, 0, INT64_MAX / 2, &out, &n), 0);
        assert_int_equal(n, 0);

        /* Refused by SQLite half-way: a trigger makes the second row fail, and the
         * first one must be rolled back. */
        sql_exec(f->path, "CREATE TRIGGER boom BEFORE INSERT ON bucket WHEN NEW.start = 666 "
                          "BEGIN SELECT RAISE(ABORT, 'boom'); END;");
        assert_int_equal(store_add_buckets(s, boom, ELEMENTSOF(boom)), -EINVAL);
        assert_non_null(strstr(store_last_error(s), "boom"));
        assert_int_equal(store_get_buckets(s, 0, INT64_MAX / 2, &out, &n), 0);
        assert_int_equal(n, 0);

        /* The store is still usable: the transaction is closed. */
        assert_int_equal(store_add_buckets(s, boom, 1), 0);
        assert_int_equal(store_get_buckets(s, 0, INT64_MAX / 2, &out, &n), 0);
        assert_int_equal(n, 1);
        store_free(s);
}

static void test_busy(void **state) {
        Fixture *f = *state;
        AcctBucket b = { .start = DAY0, .utc_offset = 0, .active_s = 1, .observed_s = 1 };
        Store *s = open_store(f->path);
        sqlite3 *other = NULL;

        assert_int_equal(sqlite3_open(f->path, &other), SQLITE_OK);
        assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
        assert_int_equal(store_add_buckets(s, &b, 1), -EBUSY);
        assert_int_equal(sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_close(other), SQLITE_OK);
        assert_int_equal(store_add_buckets(s, &b, 1), 0);
        store_free(s);
}

/* Local dates: buckets are found by start + utc_offset, in start order. */
static void test_local_date(void **state) {
        Fixture *f = *state;
        const int32_t ist = 5 * H + 1800, brt = -3 * H, edt = -4 * H, est = -5 * H;
        /* 2024-11-03 00:00 read as UTC: the US falls back at 02:00 EDT. */
        const int64_t nov3 = INT64_C(1730592000);
        AcctBucket in[] = {
                /* +05:30: 2024-03-10 00:00 and 23:00 local are in, 2024-03-09 23:00 is not. */
                { .start = DAY0 - ist, .utc_offset = ist, .active_s = 1, .observed_s = 1 },
                { .start = DAY0 + 23 * H - ist, .utc_offset = ist, .active_s = 2, .observed_s = 2 },
                { .start = DAY0 - H - ist, .utc_offset = ist, .active_s = 3, .observed_s = 3 },
                /* -03:00: 2024-03-10 12:00 local in; 2024-03-11 00:00 local out. */
                { .start = DAY0 + 12 * H - brt, .utc_offset = brt, .active_s = 4, .observed_s = 4 },
                { .start = DAY0 + 24 * H - brt, .utc_offset = brt, .active_s = 5, .observed_s = 5 },
                /* 01:00 local twice on 2024-11-03: first in EDT, then in EST. */
                { .start = nov3 + H - est, .utc_offset = est, .active_s = 7, .observed_s = 7 },
                { .start = nov3 + H - edt, .utc_offset = edt, .active_s = 6, .observed_s = 6 },
                { .start = nov3 + 2 * H - est, .utc_offset = est, .active_s = 8, .observed_s = 8 },
        };
        _cleanup_free_ AcctBucket *out = NULL;
        size_t n;
        Store *s = open_store(f->path);

        assert_int_equal(store_add_buckets(s, in, ELEMENTSOF(in)), 0);

        assert_int_equal(store_get_buckets(s, DAY0, DAY0 + 24 * H, &out, &n), 0);
        assert_int_equal(n, 3);
        assert_bucket(&out[0], DAY0 - ist, ist, 1, 1);
        assert_bucket(&out[1], DAY0 + 12 * H - brt, brt, 4, 4);
        assert_bucket(&out[2], DAY0 + 23 * H - ist, ist, 2, 2);
        free(out);
        out = NULL;

        assert_int_equal(store_get_buckets(s, nov3, nov3 + 24 * H, &out, &n), 0);
        assert_int_equal(n, 3);
        assert_bucket(&out[0], nov3 + H - edt, edt, 6, 6);
        assert_bucket(&out[1], nov3 + H - est, est, 7, 7);
        assert_bucket(&out[2], nov3 + 2 * H - est, est, 8, 8);
        assert_int_equal(out[0].start + out[0].utc_offset, out[1].start + out[1].utc_offset);
        store_free(s);
}

/* The local-date query uses the expression index rather than scanning. */
static void test_query_uses_index(void **state) {
        Fixture *f = *state;
        sqlite3 *db = NULL;
        sqlite3_stmt *st = NULL;
        bool indexed = false;

        store_free(open_store(f->path));
        assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db,
                                            "EXPLAIN QUERY PLAN SELECT start, utc_offset, active_s, observed_s "
                                            "FROM bucket WHERE start + utc_offset >= 1 AND start + utc_offset < 2 "
                                            "ORDER BY start, utc_offset",
                                            -1, &st, NULL),
                         SQLITE_OK);
        while (sqlite3_step(st) == SQLITE_ROW)
                if (strstr((const char *) sqlite3_column_text(st, 3), "bucket_local"))
                        indexed = true;
        sqlite3_finalize(st);
        sqlite3_close(db);
        assert_true(indexed);
}

static void test_consent(void **state) {
        Fixture *f = *state;
        char long_version[80];
        StoreConsent c;
        Store *s = open_store(f->path);

        assert_int_equal(store_get_consent(s, &c), 0);
        assert_int_equal(store_revoke_consent(s, 50), 0);

        assert_int_equal(store_grant_consent(s, 100, "1", SHA_A), 0);
        assert_int_equal(store_get_consent(s, &c), 1);
        assert_int_equal(c.granted_at, 100);
        assert_int_equal(c.revoked_at, 0);
        assert_string_equal(c.text_version, "1");
        assert_string_equal(c.text_sha256, SHA_A);

        assert_int_equal(store_revoke_consent(s, 200), 1);
        assert_int_equal(store_revoke_consent(s, 300), 0); /* already revoked */
        assert_int_equal(store_get_consent(s, &c), 1);
        assert_int_equal(c.revoked_at, 200);

        /* A new grant is the newest record, the old one keeps its revocation. The
         * hash is stored in lower case. */
        assert_int_equal(store_grant_consent(s, 400, "2-beta", "FEDCBA9876543210FEDCBA9876543210FEDCBA9876543210FEDCBA9876543210"), 0);
        assert_int_equal(store_get_consent(s, &c), 1);
        assert_true(c.id > 1);
        assert_int_equal(c.granted_at, 400);
        assert_int_equal(c.revoked_at, 0);
        assert_string_equal(c.text_version, "2-beta");
        assert_string_equal(c.text_sha256, SHA_B);

        /* Refused input changes nothing. */
        memset(long_version, 'v', sizeof long_version - 1);
        long_version[sizeof long_version - 1] = '\0';
        assert_int_equal(store_grant_consent(s, 500, long_version, SHA_A), -EINVAL);
        long_version[64] = '\0';
        assert_int_equal(store_grant_consent(s, 500, long_version, SHA_A), -EINVAL);
        assert_int_equal(store_grant_consent(s, 500, "", SHA_A), -EINVAL);
        assert_int_equal(store_grant_consent(s, 500, "a\nb", SHA_A), -EINVAL);
        assert_int_equal(store_grant_consent(s, 500, "1", "abc"), -EINVAL);
        assert_int_equal(store_grant_consent(s, 500, "1", SHA_A "0"), -EINVAL);
        assert_int_equal(store_grant_consent(s, 500, "1", "g123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"), -EINVAL);
        assert_int_equal(store_grant_consent(s, 500, NULL, SHA_A), -EINVAL);
        assert_int_equal(store_revoke_consent(s, 0), -EINVAL);
        assert_int_equal(store_get_consent(s, &c), 1);
        assert_int_equal(c.granted_at, 400);

        /* 63 characters fit exactly. */
        long_version[63] = '\0';
        assert_int_equal(store_grant_consent(s, 600, long_version, SHA_A), 0);
        assert_int_equal(store_get_consent(s, &c), 1);
        assert_string_equal(c.text_version, long_version);
        store_free(s);

        /* Survives a reopen. */
        s = open_store(f->path);
        assert_int_equal(store_get_consent(s, &c), 1);
        assert_int_equal(c.granted_at, 600);
        store_free(s);
}

static void test_meta(void **state) {
        Fixture *f = *state;
        int64_t v = 0;
        Store *s = open_store(f->path);

        assert_int_equal(store_get_meta(s, "x", &v), 0);
        assert_int_equal(store_set_meta(s, "x", 42), 0);
        assert_int_equal(store_get_meta(s, "x", &v), 1);
        assert_int_equal(v, 42);
        assert_int_equal(store_set_meta(s, "x", INT64_MIN), 0);
        assert_int_equal(store_get_meta(s, "x", &v), 1);
        assert_true(v == INT64_MIN);
        assert_int_equal(store_set_meta(s, "y", 7), 0);
        assert_int_equal(store_delete_meta(s, "x"), 1);
        assert_int_equal(store_delete_meta(s, "x"), 0);
        assert_int_equal(store_get_meta(s, "x", &v), 0);
        assert_int_equal(store_get_meta(s, "y", &v), 1);
        assert_int_equal(v, 7);
        assert_int_equal(store_set_meta(s, "", 1), -EINVAL);
        assert_int_equal(store_set_meta(s, NULL, 1), -EINVAL);
        store_free(s);
}

static void test_garbage_moved_aside(void **state) {
        Fixture *f = *state;
        char garbage[8192], wal[1000], back[sizeof garbage + 1];
        char *moved = NULL;
        AcctBucket b = { .start = DAY0, .utc_offset = 0, .active_s = 5, .observed_s = 6 };
        _cleanup_free_ AcctBucket *out = NULL;
        size_t n;
        Store *s = NULL;

        for (size_t i = 0; i < sizeof garbage; i++)
                garbage[i] = (char) (i * 7 + 3);
        memset(wal, 'w', sizeof wal);
        write_file(f->path, garbage, sizeof garbage);
        write_file(path_printf("%s-wal", f->path), wal, sizeof wal);

        assert_int_equal(store_open(&s, f->path, &moved), 0);
        assert_non_null(moved);
        assert_non_null(strstr(moved, "/kizuki.db.corrupt-"));
        assert_int_equal(read_file(moved, back, sizeof back), sizeof garbage);
        assert_memory_equal(back, garbage, sizeof garbage);
        assert_int_equal(read_file(path_printf("%s-wal", moved), back, sizeof back), sizeof wal);
        assert_memory_equal(back, wal, sizeof wal);

        /* The new store works. */
        assert_int_equal(store_add_buckets(s, &b, 1), 0);
        assert_int_equal(store_get_buckets(s, DAY0, DAY0 + H, &out, &n), 0);
        assert_int_equal(n, 1);
        store_free(s);
        free(moved);
        moved = NULL;

        /* A second bad file in the same second gets another name. */
        write_file(f->path, garbage, sizeof garbage);
        assert_int_equal(store_open(&s, f->path, &moved), 0);
        assert_non_null(moved);
        assert_int_equal(read_file(moved, back, sizeof back), sizeof garbage);
        store_free(s);
        free(moved);
        moved = NULL;

        /* A WAL without its database is kept too (SQLite would delete it). */
        assert_int_equal(unlink(f->path), 0);
        write_file(path_printf("%s-wal", f->path), wal, sizeof wal);
        assert_int_equal(store_open(&s, f->path, &moved), 0);
        assert_non_null(moved);
        assert_int_equal(read_file(path_printf("%s-wal", moved), back, sizeof back), sizeof wal);
        store_free(s);
        free(moved);
}

/* A database that opens but fails quick_check is moved aside too. */
static void test_damaged_moved_aside(void **state) {
        Fixture *f = *state;
        AcctBucket b[200];
        char page[4096];
        char *moved = NULL;
        Store *s;
        int fd;

        s = open_store(f->path);
        for (size_t i = 0; i < ELEMENTSOF(b); i++)
                b[i] = (AcctBucket) { .start = DAY0 + (int64_t) i * H, .active_s = 1, .observed_s = 2 };
        assert_int_equal(store_add_buckets(s, b, ELEMENTSOF(b)), 0);
        store_free(s);

        /* Scribble over every page but the header page. */
        memset(page, 0x5a, sizeof page);
        fd = open(f->path, O_WRONLY | O_CLOEXEC);
        assert_true(fd >= 0);
        for (off_t off = 4096; off < 4096 * 3; off += 4096)
                assert_int_equal(pwrite(fd, page, sizeof page, off), (ssize_t) sizeof page);
        close(fd);

        s = NULL;
        assert_int_equal(store_open(&s, f->path, &moved), 0);
        assert_non_null(moved);
        assert_int_equal(access(moved, F_OK), 0);
        store_free(s);
        free(moved);
}

static void test_newer_schema_untouched(void **state) {
        Fixture *f = *state;
        char before[16384], after[sizeof before];
        size_t n_before, n_after;
        char *moved = (char *) "unset";
        Store *s = NULL;
        DIR *d;
        struct dirent *de;
        int files = 0;

        sql_exec(f->path, "CREATE TABLE future (x); PRAGMA user_version = 99;");
        assert_int_equal(chmod(f->path, 0644), 0);
        n_before = read_file(f->path, before, sizeof before);

        assert_int_equal(store_open(&s, f->path, &moved), -EPROTO);
        assert_null(s);

        n_after = read_file(f->path, after, sizeof after);
        assert_int_equal(n_before, n_after);
        assert_memory_equal(before, after, n_before);
        assert_int_equal(file_mode(f->path), 0644);

        /* Nothing was moved or added beside it. */
        d = opendir(f->dir);
        assert_non_null(d);
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        files++;
        closedir(d);
        assert_int_equal(files, 1);
}

static void test_file_modes(void **state) {
        Fixture *f = *state;
        AcctBucket b = { .start = DAY0, .utc_offset = 0, .active_s = 1, .observed_s = 1 };
        mode_t old = umask(0377); /* would make a plain open(…, 0600) give 0400 */
        Store *s = open_store(f->path);

        umask(old);
        assert_int_equal(file_mode(f->path), 0600);
        assert_int_equal(store_add_buckets(s, &b, 1), 0);
        assert_int_equal(file_mode(path_printf("%s-wal", f->path)), 0600);
        assert_int_equal(file_mode(path_printf("%s-shm", f->path)), 0600);
        store_free(s);

        /* An existing database that is too open is tightened. */
        assert_int_equal(chmod(f->path, 0644), 0);
        s = open_store(f->path);
        assert_int_equal(file_mode(f->path), 0600);
        store_free(s);
}

static void test_migrate_from_v0(void **state) {
        Fixture *f = *state;
        AcctBucket b = { .start = DAY0, .utc_offset = 0, .active_s = 1, .observed_s = 1 };
        struct stat st;
        sqlite3 *db = NULL;
        sqlite3_stmt *st_v = NULL;
        Store *s;

        /* A real database file with no tables, user_version 0, rollback journal. */
        sql_exec(f->path, "CREATE TABLE t (x); DROP TABLE t;");
        assert_int_equal(stat(f->path, &st), 0);
        assert_true(st.st_size > 0);

        s = open_store(f->path);
        assert_int_equal(store_add_buckets(s, &b, 1), 0);
        assert_int_equal(store_set_meta(s, "k", 1), 0);
        assert_int_equal(store_grant_consent(s, 1, "1", SHA_A), 0);
        store_free(s);

        assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st_v, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st_v), SQLITE_ROW);
        assert_int_equal(sqlite3_column_int(st_v, 0), STORE_SCHEMA_VERSION);
        sqlite3_finalize(st_v);
        assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st_v, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st_v), SQLITE_ROW);
        assert_string_equal((const char *) sqlite3_column_text(st_v, 0), "wal");
        sqlite3_finalize(st_v);
        sqlite3_close(db);
}


static void test_merge_keeps_larger(void **state) {
        Fixture *f = *state;
        AcctBucket live[] = { { .start = DAY0, .utc_offset = 0, .active_s = 600, .observed_s = 3600 } };
        AcctBucket imp[] = {
                { .start = DAY0, .utc_offset = 0, .active_s = 1800, .observed_s = 1800 }, /* raises active */
                { .start = DAY0 + H, .utc_offset = 0, .active_s = 60, .observed_s = 120 },  /* new */
        };
        _cleanup_free_ AcctBucket *out = NULL;
        size_t n = 0, changed = 99;
        Store *s = open_store(f->path);

        assert_int_equal(store_add_buckets(s, live, 1), 0);
        /* A dry run counts but writes nothing. */
        assert_int_equal(store_merge_buckets(s, imp, 2, true, &changed, NULL), 0);
        assert_int_equal(changed, 2);
        assert_int_equal(store_get_buckets(s, DAY0, DAY0 + 24 * H, &out, &n), 0);
        assert_int_equal(n, 1);
        assert_bucket(&out[0], DAY0, 0, 600, 3600);
        free(out);
        out = NULL;

        assert_int_equal(store_merge_buckets(s, imp, 2, false, &changed, NULL), 0);
        assert_int_equal(changed, 2);
        assert_int_equal(store_get_buckets(s, DAY0, DAY0 + 24 * H, &out, &n), 0);
        assert_int_equal(n, 2);
        /* max(600, 1800) active, max(3600, 1800) observed */
        assert_bucket(&out[0], DAY0, 0, 1800, 3600);
        assert_bucket(&out[1], DAY0 + H, 0, 60, 120);
        free(out);
        out = NULL;

        /* The same import again: nothing changes, nothing doubles. */
        assert_int_equal(store_merge_buckets(s, imp, 2, false, &changed, NULL), 0);
        assert_int_equal(changed, 0);
        assert_int_equal(store_get_buckets(s, DAY0, DAY0 + 24 * H, &out, &n), 0);
        assert_bucket(&out[0], DAY0, 0, 1800, 3600);
        assert_bucket(&out[1], DAY0 + H, 0, 60, 120);

        AcctBucket bad[] = { { .start = DAY0 + 2 * H, .active_s = -1, .observed_s = 5 } };
        assert_int_equal(store_merge_buckets(s, bad, 1, false, &changed, NULL), -EINVAL);
        store_free(s);
}

/* Observed seconds of the stored buckets that start in [from, to) (UTC). */
static int64_t observed_between(Store *s, int64_t from, int64_t to) {
        _cleanup_free_ AcctBucket *out = NULL;
        int64_t sum = 0;
        size_t n = 0;

        assert_int_equal(store_get_buckets(s, from - 18 * H, to + 18 * H, &out, &n), 0);
        for (size_t i = 0; i < n; i++)
                if (out[i].start >= from && out[i].start < to)
                        sum += out[i].observed_s;
        return sum;
}

/* One instant is stored once whatever offset it was written with: the same
 * UTC hour goes into the stored bucket (its label wins), a bucket of another
 * grid that overlaps part of a stored one is left out and counted. */
static void test_merge_one_instant_once(void **state) {
        Fixture *f = *state;
        const int32_t IST = 19800; /* +05:30 */
        AcctBucket live[] = {
                { .start = DAY0, .utc_offset = 0, .active_s = 600, .observed_s = 3600 },
                { .start = DAY0 + H, .utc_offset = 0, .active_s = 0, .observed_s = 1800 },
        };
        AcctBucket day[3][3];
        size_t changed = 99, conflicts = 99;
        Store *s = open_store(f->path);

        assert_int_equal(store_add_buckets(s, live, 2), 0);
        /* The hours DAY0 .. DAY0 + 3 h written as Z, +01:00 and +05:30, all observed. */
        for (int k = 0; k < 3; k++) {
                day[0][k] = (AcctBucket) { DAY0 + k * H, 0, 3600, 3600 };
                day[1][k] = (AcctBucket) { DAY0 + k * H, 3600, 3600, 3600 };
                day[2][k] = (AcctBucket) { DAY0 + k * H - 1800, IST, 3600, 3600 };
        }
        /* +05:30 first, as a dry run: each overlaps part of a stored Z hour. */
        assert_int_equal(store_merge_buckets(s, day[2], 3, true, &changed, &conflicts), 0);
        assert_int_equal(conflicts, 3);
        assert_int_equal(changed, 0);
        assert_int_equal(store_merge_buckets(s, day[0], 3, false, &changed, &conflicts), 0);
        assert_int_equal(conflicts, 0);
        assert_int_equal(changed, 3);
        assert_int_equal(store_merge_buckets(s, day[1], 3, false, &changed, &conflicts), 0);
        assert_int_equal(conflicts, 0);
        assert_int_equal(changed, 0); /* the same instants, already there */
        assert_int_equal(store_merge_buckets(s, day[2], 3, false, &changed, &conflicts), 0);
        assert_int_equal(conflicts, 3);
        assert_int_equal(changed, 0);
        assert_int_equal(observed_between(s, DAY0 - H, DAY0 + 4 * H), 3 * 3600);
        {
                _cleanup_free_ AcctBucket *out = NULL;
                size_t n = 0;

                assert_int_equal(store_get_buckets(s, DAY0 - 18 * H, DAY0 + 24 * H, &out, &n), 0);
                assert_int_equal(n, 3);
                for (size_t i = 0; i < n; i++)
                        assert_bucket(&out[i], DAY0 + (int64_t) i * H, 0, 3600, 3600); /* the live label */
        }

        /* Where nothing is stored the first grid wins, within one batch too;
         * the same import again changes nothing. */
        AcctBucket mixed[] = {
                { DAY0 + 10 * H - 1800, IST, 60, 600 },
                { DAY0 + 10 * H, 0, 60, 600 },
                { DAY0 + 12 * H, 0, 60, 600 },
        };
        assert_int_equal(store_merge_buckets(s, mixed, 3, false, &changed, &conflicts), 0);
        assert_int_equal(changed, 2);
        assert_int_equal(conflicts, 1);
        assert_int_equal(store_merge_buckets(s, mixed, 3, false, &changed, &conflicts), 0);
        assert_int_equal(changed, 0);
        assert_int_equal(conflicts, 1);
        assert_int_equal(observed_between(s, DAY0 + 9 * H, DAY0 + 13 * H), 1200);

        /* The recorder's seconds of an hour stored under another offset (it
         * travelled, or an import came first) go into that bucket. */
        AcctBucket later = { DAY0 + 12 * H, 3600, 30, 60 };
        assert_int_equal(store_add_buckets(s, &later, 1), 0);
        {
                _cleanup_free_ AcctBucket *out = NULL;
                size_t n = 0;

                assert_int_equal(store_get_buckets(s, DAY0 + 11 * H, DAY0 + 14 * H, &out, &n), 0);
                assert_int_equal(n, 1);
                assert_bucket(&out[0], DAY0 + 12 * H, 0, 90, 660);
        }
        store_free(s);
}

static void test_checkins(void **state) {
        Fixture *f = *state;
        _cleanup_free_ Checkin *out = NULL;
        size_t n = 0;
        Store *s = open_store(f->path);

        assert_int_equal(store_set_checkin(s, &(Checkin) { DAY0, 1, -1, -1 }, 100), 0);
        assert_int_equal(store_set_checkin(s, &(Checkin) { DAY0, -1, 0, 4 }, 200), 0);
        assert_int_equal(store_set_checkin(s, &(Checkin) { DAY0 + 86400, -1, -1, 2 }, 300), 0);
        assert_int_equal(store_set_checkin(s, &(Checkin) { DAY0, 2, -1, -1 }, 1), -EINVAL);
        assert_int_equal(store_set_checkin(s, &(Checkin) { DAY0, -1, -1, 6 }, 1), -EINVAL);
        assert_int_equal(store_set_checkin(s, &(Checkin) { DAY0, -1, -1, 0 }, 1), -EINVAL);

        assert_int_equal(store_get_checkins(s, DAY0, DAY0 + 2 * 86400, &out, &n), 0);
        assert_int_equal(n, 2);
        /* Later answers fill in, absent ones keep the earlier answer. */
        assert_int_equal(out[0].date, DAY0);
        assert_int_equal(out[0].went_out, 1);
        assert_int_equal(out[0].met_someone, 0);
        assert_int_equal(out[0].mood, 4);
        assert_int_equal(out[1].went_out, -1);
        assert_int_equal(out[1].met_someone, -1);
        assert_int_equal(out[1].mood, 2);
        free(out);
        out = NULL;
        assert_int_equal(store_get_checkins(s, DAY0 + 86400, DAY0 + 2 * 86400, &out, &n), 0);
        assert_int_equal(n, 1);
        store_free(s);
}

/* A version 1 database (as the walking skeleton wrote it) gains the check-in
 * table and keeps its rows. */
static void test_migrate_from_v1(void **state) {
        Fixture *f = *state;
        sql_exec(f->path,
                 "CREATE TABLE bucket (start INTEGER NOT NULL, utc_offset INTEGER NOT NULL,"
                 " active_s INTEGER NOT NULL, observed_s INTEGER NOT NULL, PRIMARY KEY (start, utc_offset))"
                 " WITHOUT ROWID;"
                 "CREATE INDEX bucket_local ON bucket (start + utc_offset);"
                 "CREATE TABLE consent (id INTEGER PRIMARY KEY, granted_at INTEGER NOT NULL, revoked_at INTEGER,"
                 " text_version TEXT NOT NULL, text_sha256 TEXT NOT NULL);"
                 "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;"
                 "INSERT INTO bucket VALUES (1710028800, 0, 5, 60);"
                 "PRAGMA user_version = 1;");
        chmod(f->path, 0600);
        _cleanup_free_ AcctBucket *out = NULL;
        _cleanup_free_ Checkin *c = NULL;
        size_t n = 0;
        Store *s = open_store(f->path);
        assert_int_equal(store_get_buckets(s, DAY0, DAY0 + H, &out, &n), 0);
        assert_int_equal(n, 1);
        assert_bucket(&out[0], DAY0, 0, 5, 60);
        assert_int_equal(store_set_checkin(s, &(Checkin) { DAY0, 0, 0, 3 }, 1), 0);
        assert_int_equal(store_get_checkins(s, DAY0, DAY0 + 86400, &c, &n), 0);
        assert_int_equal(n, 1);
        store_free(s);
}

static void test_bad_paths(void **state) {
        Fixture *f = *state;
        Store *s = NULL;

        assert_int_equal(store_open(&s, path_printf("%s/missing/kizuki.db", f->dir), NULL), -ENOENT);
        assert_int_equal(store_open(&s, f->dir, NULL), -EISDIR);
        assert_int_equal(store_open(&s, "", NULL), -EINVAL);
        assert_null(s);
}

static void test_share_log(void **state) {
        Fixture *f = *state;
        Store *s = NULL;
        StoreShare *v = NULL;
        size_t n = 0;
        int64_t id = 0;

        assert_int_equal(store_open(&s, f->path, NULL), 0);
        StoreShare a = { .at = 1000, .recipient = "dr-mori", .transport = "https", .week = "2026-W13",
                         .level = "daily", .format = "html", .size = 4096, .sha256 = SHA_A, .result = "sent" };
        StoreShare b = a;
        b.at = 2000;
        b.result = "failed";
        b.detail = "Timeout was reached";
        assert_int_equal(store_add_share(s, &a, &id), 0);
        assert_true(id > 0);
        assert_int_equal(store_add_share(s, &b, NULL), 0);
        StoreShare bad = a;
        bad.level = "minutely"; /* only the three digest levels */
        assert_int_equal(store_add_share(s, &bad, NULL), -EINVAL);
        bad = a;
        bad.result = "maybe";
        assert_int_equal(store_add_share(s, &bad, NULL), -EINVAL);

        assert_int_equal(store_get_shares(s, 0, &v, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(v[0].at, 2000); /* newest first */
        assert_string_equal(v[0].result, "failed");
        assert_string_equal(v[0].detail, "Timeout was reached");
        assert_string_equal(v[1].sha256, SHA_A);
        assert_null(v[1].detail);
        assert_int_equal(v[1].size, 4096);
        store_shares_free(v, n);

        assert_int_equal(store_get_shares(s, 1, &v, &n), 0);
        assert_int_equal(n, 1);
        store_shares_free(v, n);
        store_free(s);
}

/* --- privacy: inventory, export, forget ---------------------------------- */

static int collect_row(const StoreValue *v, size_t n, void *userdata) {
        int64_t *sum = userdata;
        assert_true(n >= 1);
        assert_int_equal(v[0].type, STORE_INT);
        sum[0]++;
        sum[1] += v[0].i;
        return 0;
}

static bool file_contains(const char *path, const char *needle) {
        static char buf[4 << 20];
        struct stat st;

        if (stat(path, &st) < 0)
                return false;
        size_t n = read_file(path, buf, sizeof buf);
        return memmem(buf, n, needle, strlen(needle)) != NULL;
}

static void test_tables_and_stats(void **state) {
        Fixture *f = *state;
        Store *s = open_store(f->path);
        char **names = NULL, **cols = NULL;
        size_t n = 0, nc = 0;
        StoreTableStats st;

        assert_int_equal(store_list_tables(s, &names, &n), 0);
        assert_int_equal(n, 6);
        const char *want[] = { "bucket", "checkin", "consent", "meta", "nudge", "share_log" };
        for (size_t i = 0; i < n; i++)
                assert_string_equal(names[i], want[i]);
        store_strv_free(names, n);

        AcctBucket b[] = { { DAY0 + 2 * H, 3600, 60, 120 }, { DAY0 + 30 * H, -18000, 0, 60 } };
        assert_int_equal(store_add_buckets(s, b, 2), 0);
        assert_int_equal(store_table_stats(s, "bucket", &st), 0);
        assert_int_equal(st.rows, 2);
        assert_true(st.has_range);
        assert_false(st.range_utc);
        assert_int_equal(st.first, DAY0 + 2 * H + 3600);
        assert_int_equal(st.last, DAY0 + 30 * H - 18000);
        assert_int_equal(store_table_stats(s, "meta", &st), 0);
        assert_int_equal(st.rows, 0);
        assert_false(st.has_range);
        assert_int_equal(store_table_stats(s, "nope", &st), -ENOENT);
        assert_int_equal(store_table_stats(s, "sqlite_master", &st), -ENOENT);

        assert_int_equal(store_table_columns(s, "bucket", &cols, &nc), 0);
        assert_int_equal(nc, 4);
        assert_string_equal(cols[0], "start");
        assert_string_equal(cols[3], "observed_s");
        store_strv_free(cols, nc);

        int64_t acc[2] = {};
        assert_int_equal(store_read_table(s, "bucket", 0, 10, collect_row, acc), 0);
        assert_int_equal(acc[0], 2);
        assert_int_equal(acc[1], 2 * DAY0 + 32 * H);
        int64_t acc2[2] = {};
        assert_int_equal(store_read_table(s, "bucket", 1, 10, collect_row, acc2), 0);
        assert_int_equal(acc2[0], 1);
        assert_int_equal(acc2[1], DAY0 + 30 * H);
        assert_int_equal(store_read_table(s, "bucket\" --", 0, 10, collect_row, acc2), -ENOENT);
        store_free(s);

        /* A table another writer added is listed, counted and read like any other. */
        sql_exec(f->path, "CREATE TABLE \"we\"\"ird\" (x INTEGER); INSERT INTO \"we\"\"ird\" VALUES (7);");
        s = open_store(f->path);
        assert_int_equal(store_list_tables(s, &names, &n), 0);
        assert_int_equal(n, 7);
        store_strv_free(names, n);
        assert_int_equal(store_table_stats(s, "we\"ird", &st), 0);
        assert_int_equal(st.rows, 1);
        int64_t acc3[2] = {};
        assert_int_equal(store_read_table(s, "we\"ird", 0, 10, collect_row, acc3), 0);
        assert_int_equal(acc3[1], 7);
        store_free(s);
}

static void add_marked_nudge(Store *s, int64_t date, const char *marker) {
        NudgeRecord nu = { .policy = (char *) marker, .date = date, .raised_at = 5, .severity = (char *) "gentle",
                          .title = (char *) marker, .body = (char *) "b", .rule = (char *) "threshold",
                          .value = NAN, .baseline = NAN, .score = NAN };
        assert_int_equal(store_add_nudge(s, &nu, NULL), 1);
}

static void test_forget_range_and_all(void **state) {
        Fixture *f = *state;
        Store *s = open_store(f->path);
        StoreForgotten got;
        char wal[160];

        snprintf(wal, sizeof wal, "%s-wal", f->path);
        /* Three local days at +01:00, and a bucket at -05:00 whose UTC start is
         * inside day 1 but whose local date is day 0. */
        AcctBucket b[] = {
                { DAY0 - 3600, 3600, 10, 10 },             /* day 0, 00:00 local */
                { DAY0 + 86400 - 3600, 3600, 20, 20 },     /* day 1, 00:00 */
                { DAY0 + 86400 + 2 * H, -18000, 30, 30 },  /* UTC day 1, local day 0 21:00 */
                { DAY0 + 2 * 86400 - 3600, 3600, 40, 40 }, /* day 2 */
        };
        assert_int_equal(store_add_buckets(s, b, 4), 0);
        for (int d = 0; d < 3; d++) {
                Checkin c = { .date = DAY0 + d * 86400, .went_out = 1, .met_someone = -1, .mood = 3 };
                assert_int_equal(store_set_checkin(s, &c, 1), 0);
        }
        add_marked_nudge(s, DAY0 + 86400, "marker-day-one");
        add_marked_nudge(s, DAY0 + 2 * 86400, "marker-day-two");
        assert_int_equal(store_grant_consent(s, 1, "1", SHA_A), 0);
        assert_int_equal(store_set_meta(s, "paused_until", 9), 0);
        StoreShare sh = { .at = 1000, .recipient = "marker-share", .transport = "https", .week = "2026-W13",
                          .level = "daily", .format = "html", .size = 1, .sha256 = SHA_A, .result = "sent" };
        assert_int_equal(store_add_share(s, &sh, NULL), 0);
        assert_true(file_contains(wal, "marker-day-one"));

        /* Day 1 only. */
        StoreForget one = { .local_from = DAY0 + 86400, .local_to = DAY0 + 2 * 86400 };
        assert_int_equal(store_forget(s, &one, &got), 0);
        assert_int_equal(got.buckets, 1);
        assert_int_equal(got.checkins, 1);
        assert_int_equal(got.nudges, 1);
        assert_int_equal(got.consents + got.shares + got.meta, 0);
        assert_int_equal(store_cleanup(s), 1);
        assert_false(file_contains(f->path, "marker-day-one"));
        assert_false(file_contains(wal, "marker-day-one"));
        assert_true(file_contains(f->path, "marker-day-two"));
        AcctBucket *v = NULL;
        size_t n = 0;
        assert_int_equal(store_get_buckets(s, DAY0 - 86400, DAY0 + 3 * 86400, &v, &n), 0);
        assert_int_equal(n, 3);
        assert_int_equal(v[0].active_s, 10);
        assert_int_equal(v[1].active_s, 30);
        assert_int_equal(v[2].active_s, 40);
        free(v);

        /* Nothing matches: nothing changes, no error, no cleanup due. */
        assert_int_equal(store_forget(s, &one, &got), 0);
        assert_int_equal(got.buckets + got.checkins + got.nudges, 0);
        assert_int_equal(store_cleanup(s), 0);
        StoreForget backwards = { .local_from = 2, .local_to = 1 };
        assert_int_equal(store_forget(s, &backwards, NULL), -EINVAL);

        /* Everything, share log included. */
        StoreForget all = { .local_from = INT64_MIN, .local_to = INT64_MAX, .shares = true,
                            .shares_from = INT64_MIN, .shares_to = INT64_MAX, .consent_and_meta = true };
        assert_int_equal(store_forget(s, &all, &got), 0);
        assert_int_equal(got.buckets, 3);
        assert_int_equal(got.checkins, 2);
        assert_int_equal(got.nudges, 1);
        assert_int_equal(got.consents, 1);
        assert_int_equal(got.shares, 1);
        assert_int_equal(got.meta, 1);
        assert_int_equal(store_cleanup(s), 1);
        StoreConsent c;
        assert_int_equal(store_get_consent(s, &c), 0);
        store_free(s);
        const char *markers[] = { "marker-day-two", "marker-share", "threshold" };
        for (size_t i = 0; i < ELEMENTSOF(markers); i++) {
                assert_false(file_contains(f->path, markers[i]));
                assert_false(file_contains(wal, markers[i]));
        }
}

static void test_import_nudge(void **state) {
        Fixture *f = *state;
        Store *s = open_store(f->path);
        NudgeRecord nu = { .policy = (char *) "p", .date = DAY0, .raised_at = 5, .severity = (char *) "notice",
                          .title = (char *) "t", .body = (char *) "b", .step = (char *) "s", .rule = (char *) "cusum",
                          .value = 1.5, .baseline = NAN, .score = 2, .state = (char *) "snoozed",
                          .snoozed_until = 99, .helpful = 0 };
        NudgeRecord got;

        assert_int_equal(store_import_nudge(s, &nu), 1);
        assert_int_equal(store_import_nudge(s, &nu), 0); /* that policy's nudge of that day is kept */
        assert_int_equal(store_get_nudge(s, 1, &got), 1);
        assert_string_equal(got.state, "snoozed");
        assert_int_equal(got.snoozed_until, 99);
        assert_int_equal(got.helpful, 0);
        assert_true(isnan(got.baseline));
        nudge_record_done(&got);
        nu.state = (char *) "gone";
        nu.date += 86400;
        assert_int_equal(store_import_nudge(s, &nu), -EINVAL);
        store_free(s);
}

/* A day that starts at 04:00 (day_start): forgetting day 1 takes the hours
 * from day 1 04:00 to day 2 04:00, local, the hours `kizuki days` shows as
 * day 1, and leaves day 1 00:00-04:00 (day 0's night) alone. */
static void test_forget_day_start(void **state) {
        Fixture *f = *state;
        Store *s = open_store(f->path);
        StoreForgotten got;
        AcctBucket *v = NULL;
        size_t n = 0;

        AcctBucket b[] = {
                { DAY0 + 86400 + 2 * H - 3600, 3600, 10, 10 },     /* day 1 02:00 local: day 0 */
                { DAY0 + 86400 + 5 * H - 3600, 3600, 20, 20 },     /* day 1 05:00: day 1 */
                { DAY0 + 2 * 86400 + 3 * H + 18000, -18000, 30, 30 }, /* day 2 03:00 at -05:00: day 1 */
                { DAY0 + 2 * 86400 + 4 * H - 3600, 3600, 40, 40 }, /* day 2 04:00: day 2 */
        };
        assert_int_equal(store_add_buckets(s, b, 4), 0);
        Checkin c = { .date = DAY0 + 86400, .went_out = 1, .met_someone = -1, .mood = 3 };
        assert_int_equal(store_set_checkin(s, &c, 1), 0);

        StoreForget one = { .local_from = DAY0 + 86400, .local_to = DAY0 + 2 * 86400, .day_start = 4 * H };
        assert_int_equal(store_forget(s, &one, &got), 0);
        assert_int_equal(got.buckets, 2);
        assert_int_equal(got.checkins, 1);
        assert_int_equal(store_get_buckets(s, DAY0, DAY0 + 4 * 86400, &v, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(v[0].active_s, 10);
        assert_int_equal(v[1].active_s, 40);
        free(v);

        /* Open ends stay open with a day start. */
        StoreForget before = { .local_from = INT64_MIN, .local_to = INT64_MAX, .day_start = 86399 };
        assert_int_equal(store_forget(s, &before, &got), 0);
        assert_int_equal(got.buckets, 2);
        StoreForget bad = { .local_from = 0, .local_to = 1, .day_start = 86400 };
        assert_int_equal(store_forget(s, &bad, NULL), -EINVAL);
        store_free(s);
}

/* A cleanup that cannot run (a reader holds an old snapshot, as a backup
 * tool might) stays due: the deletion stands, the error says what happened,
 * and a later call wipes the old pages even though nothing new matched. */
static void test_forget_cleanup_retried(void **state) {
        Fixture *f = *state;
        Store *s = open_store(f->path);
        StoreForgotten got;
        sqlite3 *reader = NULL;
        sqlite3_stmt *st = NULL;
        char wal[160];

        snprintf(wal, sizeof wal, "%s-wal", f->path);
        add_marked_nudge(s, DAY0, "marker-kept-busy");
        assert_true(file_contains(wal, "marker-kept-busy"));

        assert_int_equal(sqlite3_open(f->path, &reader), SQLITE_OK);
        assert_int_equal(sqlite3_exec(reader, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_prepare_v2(reader, "SELECT COUNT(*) FROM nudge", -1, &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        sqlite3_finalize(st);

        StoreForget all = { .local_from = INT64_MIN, .local_to = INT64_MAX };
        assert_int_equal(store_forget(s, &all, &got), 0);
        assert_int_equal(got.nudges, 1);
        assert_int_equal(store_cleanup(s), -EBUSY);
        assert_non_null(strstr(store_last_error(s), "deleted"));

        assert_int_equal(sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_close(reader), SQLITE_OK);
        /* Nothing more to delete, but the cleanup is still due. */
        assert_int_equal(store_forget(s, &all, &got), 0);
        assert_int_equal(got.nudges, 0);
        assert_int_equal(store_cleanup(s), 1);
        assert_false(file_contains(f->path, "marker-kept-busy"));
        assert_false(file_contains(wal, "marker-kept-busy"));
        assert_int_equal(store_cleanup(s), 0);
        store_free(s);
}

/* secure_delete is really on: a deleted row's bytes are gone from its page as
 * soon as the page is checkpointed, before any VACUUM. */
static void test_secure_delete(void **state) {
        Fixture *f = *state;
        Store *s = open_store(f->path);
        StoreForgotten got;

        add_marked_nudge(s, DAY0, "marker-secure-delete");
        add_marked_nudge(s, DAY0 + 86400, "marker-stays");
        store_free(s); /* the last connection checkpoints: the rows are in the database file */
        assert_true(file_contains(f->path, "marker-secure-delete"));
        s = open_store(f->path);
        StoreForget one = { .local_from = DAY0, .local_to = DAY0 + 86400 };
        assert_int_equal(store_forget(s, &one, &got), 0);
        assert_int_equal(got.nudges, 1);
        sql_exec(f->path, "PRAGMA wal_checkpoint(TRUNCATE)"); /* no VACUUM */
        assert_false(file_contains(f->path, "marker-secure-delete"));
        assert_true(file_contains(f->path, "marker-stays"));
        store_free(s);
}

/* store_begin/store_commit/store_rollback: several calls, all or nothing. */
static void test_transaction(void **state) {
        Fixture *f = *state;
        Store *s = open_store(f->path);
        Checkin c = { .date = DAY0, .went_out = 1, .met_someone = -1, .mood = 3 };
        Checkin *v = NULL;
        size_t n = 0;

        assert_int_equal(store_begin(s), 0);
        assert_int_equal(store_set_checkin(s, &c, 1), 0);
        add_marked_nudge(s, DAY0, "marker-rolled-back");
        store_rollback(s);
        assert_int_equal(store_get_checkins(s, 0, INT64_MAX / 2, &v, &n), 0);
        assert_int_equal(n, 0);
        free(v);
        assert_int_equal(store_count_unread(s, 0), 0);

        assert_int_equal(store_begin(s), 0);
        assert_int_equal(store_set_checkin(s, &c, 1), 0);
        assert_int_equal(store_commit(s), 0);
        assert_int_equal(store_get_checkins(s, 0, INT64_MAX / 2, &v, &n), 0);
        assert_int_equal(n, 1);
        free(v);
        store_rollback(s); /* nothing open: nothing happens */
        store_free(s);
}

static int count_row(const StoreValue *v, size_t n, void *userdata) {
        (void) v, (void) n;
        ++*(int64_t *) userdata;
        return 0;
}

/* Paging by key: composite (bucket) and text (meta) keys; a row inserted
 * before the cursor does not shift the next page. */
static void test_read_table_after(void **state) {
        Fixture *f = *state;
        Store *s = open_store(f->path);
        char **key = NULL;
        size_t n_key = 0;
        int64_t acc[2] = {};

        assert_int_equal(store_table_key(s, "bucket", &key, &n_key), 0);
        assert_int_equal(n_key, 2);
        assert_string_equal(key[0], "start");
        assert_string_equal(key[1], "utc_offset");
        store_strv_free(key, n_key);
        assert_int_equal(store_table_key(s, "nope", &key, &n_key), -ENOENT);

        AcctBucket b[] = { { DAY0, 0, 1, 1 }, { DAY0 + H, 0, 1, 1 } };
        assert_int_equal(store_add_buckets(s, b, 2), 0);
        /* Two offsets of one start, as a store written before one UTC hour
         * had one bucket may hold: paging goes by the whole key. */
        store_free(s);
        sql_exec(f->path, "INSERT INTO bucket VALUES (1710028800, 3600, 1, 1);");
        s = open_store(f->path);
        StoreValue after[] = { { .type = STORE_INT, .i = DAY0 }, { .type = STORE_INT, .i = 0 } };
        assert_int_equal(store_read_table_after(s, "bucket", after, 2, 10, collect_row, acc), 0);
        assert_int_equal(acc[0], 2); /* (DAY0, 3600) and (DAY0 + H, 0) */
        assert_int_equal(acc[1], 2 * DAY0 + H);
        AcctBucket early = { DAY0 - H, 0, 1, 1 };
        assert_int_equal(store_add_buckets(s, &early, 1), 0);
        int64_t acc2[2] = {};
        assert_int_equal(store_read_table_after(s, "bucket", after, 2, 10, collect_row, acc2), 0);
        assert_int_equal(acc2[0], 2);
        int64_t acc3[2] = {};
        assert_int_equal(store_read_table_after(s, "bucket", NULL, 0, 1, collect_row, acc3), 0);
        assert_int_equal(acc3[1], DAY0 - H);
        assert_int_equal(store_read_table_after(s, "bucket", after, 1, 10, collect_row, acc3), -EINVAL);

        assert_int_equal(store_set_meta(s, "a", 1), 0);
        assert_int_equal(store_set_meta(s, "b\"c", 2), 0);
        StoreValue ka = { .type = STORE_TEXT, .s = "a" };
        int64_t acc4[2] = {};
        assert_int_equal(store_read_table_after(s, "meta", &ka, 1, 10, count_row, acc4), 0);
        assert_int_equal(acc4[0], 1);

        /* A table without a declared key pages by offset only. */
        store_free(s);
        sql_exec(f->path, "CREATE TABLE \"no\"\"key\" (x INTEGER); INSERT INTO \"no\"\"key\" VALUES (7);");
        s = open_store(f->path);
        assert_int_equal(store_table_key(s, "no\"key", &key, &n_key), 0);
        assert_int_equal(n_key, 0);
        assert_null(key);
        assert_int_equal(store_read_table_after(s, "no\"key", NULL, 0, 10, collect_row, acc4), -EINVAL);
        /* Every known table has a key; a rowid table's TEXT key may hold NULL
         * (no key then), a NOT NULL one may not. */
        const char *keyed[] = { "bucket", "checkin", "consent", "meta", "nudge", "share_log" };
        for (size_t i = 0; i < ELEMENTSOF(keyed); i++) {
                assert_int_equal(store_table_key(s, keyed[i], &key, &n_key), 0);
                assert_true(n_key >= 1);
                store_strv_free(key, n_key);
        }
        store_free(s);
        sql_exec(f->path, "CREATE TABLE nullable (k TEXT PRIMARY KEY, v); INSERT INTO nullable VALUES (NULL, 1);"
                          "CREATE TABLE textkey (k TEXT NOT NULL PRIMARY KEY, v);");
        s = open_store(f->path);
        assert_int_equal(store_table_key(s, "nullable", &key, &n_key), 0);
        assert_int_equal(n_key, 0);
        assert_int_equal(store_table_key(s, "textkey", &key, &n_key), 0);
        assert_int_equal(n_key, 1);
        store_strv_free(key, n_key);
        store_free(s);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_create_add_reopen, setup, teardown),
                cmocka_unit_test_setup_teardown(test_upsert_caps, setup, teardown),
                cmocka_unit_test_setup_teardown(test_fold_future, setup, teardown),
                cmocka_unit_test_setup_teardown(test_active_capped_at_observed, setup, teardown),
                cmocka_unit_test_setup_teardown(test_all_or_nothing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_busy, setup, teardown),
                cmocka_unit_test_setup_teardown(test_local_date, setup, teardown),
                cmocka_unit_test_setup_teardown(test_query_uses_index, setup, teardown),
                cmocka_unit_test_setup_teardown(test_consent, setup, teardown),
                cmocka_unit_test_setup_teardown(test_meta, setup, teardown),
                cmocka_unit_test_setup_teardown(test_garbage_moved_aside, setup, teardown),
                cmocka_unit_test_setup_teardown(test_damaged_moved_aside, setup, teardown),
                cmocka_unit_test_setup_teardown(test_newer_schema_untouched, setup, teardown),
                cmocka_unit_test_setup_teardown(test_file_modes, setup, teardown),
                cmocka_unit_test_setup_teardown(test_migrate_from_v0, setup, teardown),
                cmocka_unit_test_setup_teardown(test_merge_one_instant_once, setup, teardown),
                cmocka_unit_test_setup_teardown(test_merge_keeps_larger, setup, teardown),
                cmocka_unit_test_setup_teardown(test_checkins, setup, teardown),
                cmocka_unit_test_setup_teardown(test_migrate_from_v1, setup, teardown),
                cmocka_unit_test_setup_teardown(test_bad_paths, setup, teardown),
                cmocka_unit_test_setup_teardown(test_share_log, setup, teardown),
                cmocka_unit_test_setup_teardown(test_tables_and_stats, setup, teardown),
                cmocka_unit_test_setup_teardown(test_forget_range_and_all, setup, teardown),
                cmocka_unit_test_setup_teardown(test_import_nudge, setup, teardown),
                cmocka_unit_test_setup_teardown(test_forget_day_start, setup, teardown),
                cmocka_unit_test_setup_teardown(test_forget_cleanup_retried, setup, teardown),
                cmocka_unit_test_setup_teardown(test_secure_delete, setup, teardown),
                cmocka_unit_test_setup_teardown(test_transaction, setup, teardown),
                cmocka_unit_test_setup_teardown(test_read_table_after, setup, teardown),
        };

        return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Methods of io.kizuki.Daemon: privacy. The inventory of what is stored
 * (GetPrivacy), export in pages (Export), deletion for real (Forget), and the
 * restore of check-ins and nudges from an export (ImportRecords). Calls:
 * method.c, the recorder (consent, save before export), retention (forget,
 * what is past retention, set-aside databases), store, wire, lib/. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "methods-privacy.h"
#include "recorder.h"
#include "retention.h"
#include "timeutil.h"
#include "version.h"
#include "wire.h"

#define DAY INT64_C(86400)
#define EXPORT_LIMIT_DEFAULT 5000
#define EXPORT_LIMIT_MAX 50000
/* A page stops growing past this many bytes (counted generously: text as if
 * every byte were escaped): about 2000 hours, built in a few ms (tens under
 * load), during which the loop serves no one else; far under the 8 MiB a
 * reply may take. */
#define EXPORT_PAGE_BYTES (512 * 1024)
#define IMPORT_RECORDS_MAX 500
#define NUDGE_TEXT_MAX 4096

/* Every table this build creates, in plain words. A table found in the
 * database that is not here is reported as unknown (and tests fail on it):
 * nothing stored may go undescribed. */
typedef struct TableDescription {
        const char *name, *kind, *description;
} TableDescription;

static const TableDescription table_descriptions[] = {
        { "bucket", "hourly activity",
          "Per local hour: seconds you were active at the computer and seconds kizuki could observe, "
          "with the UTC offset in force. Nothing else about what you did." },
        { "checkin", "check-ins",
          "Your own daily answers, only when you gave them: went out, met someone (yes/no), mood (1-5)." },
        { "nudge", "nudges",
          "Nudges the policies raised: the day, the text shown, the figures behind it, and whether you "
          "read, snoozed or dismissed it and found it helpful." },
        { "consent", "consent records",
          "When you granted or revoked consent, and the version and SHA-256 of the consent text you saw." },
        { "share_log", "share log",
          "Each digest sent: when, to which recipient (by file name), transport, week, level, format, "
          "size, SHA-256 of what was sent and whether it was accepted. Not the content." },
        { "meta", "daemon state",
          "Small values the daemon keeps between runs: when a pause ends, the time of the last clean stop, "
          "the last day the policies were evaluated." },
};

static const TableDescription *table_description(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(table_descriptions); i++)
                if (strcmp(table_descriptions[i].name, name) == 0)
                        return &table_descriptions[i];
        return NULL;
}

static int64_t wall_now(void) {
        return (int64_t) time(NULL);
}

/* "2026-01-05T08:00:00+01:00": UTC instant t shown in offset off. */
static json_object *json_local_time(int64_t t, int32_t off) {
        time_t lt = (time_t) (t + off);
        struct tm tm;
        char buf[48];
        int a = off < 0 ? -off : off;

        if (!gmtime_r(&lt, &tm) || strftime(buf, 24, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
                return NULL;
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%c%02d:%02d", off < 0 ? '-' : '+', a / 3600,
                 a % 3600 / 60);
        return json_object_new_string(buf);
}

/* --- GetPrivacy ---------------------------------------------------------- */

static json_object *file_json(const char *what, const char *path) {
        json_object *o = json_object_new_object();
        struct stat st;
        bool exists = path && lstat(path, &st) >= 0;

        json_object_object_add(o, "what", json_object_new_string(what));
        json_object_object_add(o, "path", json_object_new_string(path ? path : ""));
        json_object_object_add(o, "exists", json_object_new_boolean(exists));
        json_object_object_add(o, "mode", exists ? json_object_new_int((int) (st.st_mode & 07777)) : NULL);
        json_object_object_add(o, "size", exists && S_ISREG(st.st_mode) ? json_object_new_int64(st.st_size) : NULL);
        return o;
}

static int add_file(json_object *files, const char *what, const char *path, const char *suffix) {
        _cleanup_free_ char *p = NULL;

        if (asprintf(&p, "%s%s", path, suffix) < 0)
                return -ENOMEM;
        return json_object_array_add(files, file_json(what, p)) < 0 ? -ENOMEM : 0;
}

static json_object *table_json(Daemon *d, const char *name, int *ret_error) {
        const TableDescription *desc = table_description(name);
        StoreTableStats st;
        int r = store_table_stats(d->store, name, &st);

        if (r < 0) {
                *ret_error = r;
                return NULL;
        }
        json_object *o = json_object_new_object();
        json_object_object_add(o, "name", json_object_new_string(name));
        json_object_object_add(o, "known", json_object_new_boolean(desc != NULL));
        json_object_object_add(o, "kind", json_object_new_string(desc ? desc->kind : "unknown"));
        json_object_object_add(o, "description",
                               json_object_new_string(desc ? desc->description
                                                           : "A table this version of kizuki does not describe."));
        json_object_object_add(o, "rows", json_object_new_int64(st.rows));
        if (st.has_range && st.range_utc) {
                json_object_object_add(o, "first", wire_date(st.first + tz_offset_at(st.first, NULL)));
                json_object_object_add(o, "last", wire_date(st.last + tz_offset_at(st.last, NULL)));
        } else if (st.has_range) {
                json_object_object_add(o, "first", wire_date(st.first));
                json_object_object_add(o, "last", wire_date(st.last));
        } else {
                json_object_object_add(o, "first", NULL);
                json_object_object_add(o, "last", NULL);
        }
        return o;
}

static int add_set_aside(int dfd, const char *dir, const char *name, void *userdata) {
        _cleanup_free_ char *p = NULL;

        (void) dfd;
        if (asprintf(&p, "%s/%s", dir, name) < 0)
                return -ENOMEM;
        return json_object_array_add(userdata, file_json("damaged database set aside", p)) < 0 ? -ENOMEM : 0;
}

int method_get_privacy(Daemon *d, json_object *params, Reply *r) {
        char **names = NULL;
        size_t n = 0;
        int q;

        (void) params;
        q = store_list_tables(d->store, &names, &n);
        if (q < 0)
                return method_store_fail(r, d, q);

        json_object *p = json_object_new_object(), *tables = json_object_new_array(), *files = json_object_new_array();
        json_object_object_add(p, "tables", tables);
        json_object_object_add(p, "files", files);
        for (size_t i = 0; i < n; i++) {
                json_object *t = table_json(d, names[i], &q);
                if (!t) {
                        store_strv_free(names, n);
                        json_object_put(p);
                        return method_store_fail(r, d, q);
                }
                json_object_array_add(tables, t);
        }
        store_strv_free(names, n);

        const char *db = store_path(d->store);
        if (add_file(files, "state directory", d->state_dir, "") < 0 || add_file(files, "database", db, "") < 0 ||
            add_file(files, "database write-ahead log", db, "-wal") < 0 ||
            add_file(files, "database shared memory index", db, "-shm") < 0 ||
            add_file(files, "daemon configuration", d->config_path, "") < 0 ||
            add_file(files, "control socket", d->socket_path, "") < 0 ||
            retention_for_each_set_aside(d, add_set_aside, files) == -ENOMEM) {
                json_object_put(p);
                return -ENOMEM;
        }
        json_object_object_add(p, "retention_days", json_object_new_int(d->config.retention_days));
        json_object_object_add(p, "share_log_days", json_object_new_int(d->config.share_log_days));
        json_object_object_add(p, "recording", json_object_new_string(recorder_recording(d)));
        json_object_object_add(p, "consent_version", json_object_new_string(KIZUKI_CONSENT_VERSION));
        json_object_object_add(p, "schema_version", json_object_new_int(STORE_SCHEMA_VERSION));
        return method_ok(r, p);
}

/* --- Export -------------------------------------------------------------- */

#define EXPORT_KEY_MAX 4 /* key columns followed when paging by key */

static void json_putp(json_object **o) {
        json_object_put(*o);
}
#define _cleanup_json_ _cleanup_(json_putp)

/* How a known table's columns are shown: local dates as "YYYY-MM-DD", and a
 * bucket's start also as local time with its offset. */
typedef struct ExportPage {
        const char *table;
        char **columns;
        size_t n_columns;
        int date_column;  /* index of a local-seconds date column, or -1 */
        bool bucket;      /* add local_start after start (columns 0 and 1 are start, utc_offset) */
        json_object *rows;
        size_t bytes;
        bool full;
        /* Paging by key: the key's columns, and the key of the last row taken. */
        size_t n_key;
        int key_column[EXPORT_KEY_MAX];
        StoreValue last[EXPORT_KEY_MAX];
        char *last_text[EXPORT_KEY_MAX];
} ExportPage;

static void export_page_done(ExportPage *pg) {
        store_strv_free(pg->columns, pg->n_columns);
        json_object_put(pg->rows);
        for (size_t i = 0; i < EXPORT_KEY_MAX; i++)
                free(pg->last_text[i]);
}

static json_object *value_json(const StoreValue *v) {
        switch (v->type) {
        case STORE_INT:
                return json_object_new_int64(v->i);
        case STORE_REAL:
                return isfinite(v->d) ? json_object_new_double(v->d) : NULL;
        case STORE_TEXT:
                return json_object_new_string(v->s);
        default:
                return NULL;
        }
}

/* Keep row v's key as the page's last (its text outlives the callback). */
static int export_keep_key(ExportPage *pg, const StoreValue *v) {
        for (size_t k = 0; k < pg->n_key; k++) {
                const StoreValue *x = &v[pg->key_column[k]];

                free(pg->last_text[k]);
                pg->last_text[k] = NULL;
                pg->last[k] = *x;
                if (x->type == STORE_TEXT) {
                        pg->last_text[k] = strdup(x->s);
                        if (!pg->last_text[k])
                                return -ENOMEM;
                        pg->last[k].s = pg->last_text[k];
                }
        }
        return 0;
}

static int export_row(const StoreValue *v, size_t n, void *userdata) {
        ExportPage *pg = userdata;
        json_object *row;

        if (pg->full)
                return -ECANCELED; /* the page is as large as it may get: stop reading */
        if (n != pg->n_columns)
                return -EBADMSG;
        row = json_object_new_object();
        if (!row)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                json_object *val;
                if ((int) i == pg->date_column && v[i].type == STORE_INT)
                        val = wire_date(v[i].i);
                else
                        val = value_json(&v[i]);
                json_object_object_add(row, pg->columns[i], val);
                pg->bytes += 16 + strlen(pg->columns[i]) + (v[i].type == STORE_TEXT ? 6 * strlen(v[i].s) : 24);
                if (pg->bucket && i == 1 && v[0].type == STORE_INT && v[1].type == STORE_INT) {
                        json_object_object_add(row, "local_start", json_local_time(v[0].i, (int32_t) v[1].i));
                        pg->bytes += 64;
                }
        }
        if (json_object_array_add(pg->rows, row) < 0) {
                json_object_put(row);
                return -ENOMEM;
        }
        if (pg->bytes >= EXPORT_PAGE_BYTES)
                pg->full = true;
        return export_keep_key(pg, v);
}

/* The "after" parameter: a JSON array of the key's values, as a previous page
 * returned it. Its strings point into *ret_doc. */
static int export_parse_after(const char *text, size_t n_key, StoreValue *ret, json_object **ret_doc) {
        json_object *doc = json_tokener_parse(text);

        if (!doc || !json_object_is_type(doc, json_type_array) || json_object_array_length(doc) != n_key) {
                json_object_put(doc);
                return -EINVAL;
        }
        for (size_t i = 0; i < n_key; i++) {
                json_object *x = json_object_array_get_idx(doc, i);

                if (json_object_is_type(x, json_type_int)) {
                        errno = 0;
                        ret[i] = (StoreValue) { .type = STORE_INT, .i = json_object_get_int64(x) };
                        if (errno != 0)
                                goto bad;
                } else if (json_object_is_type(x, json_type_double) && isfinite(json_object_get_double(x)))
                        ret[i] = (StoreValue) { .type = STORE_REAL, .d = json_object_get_double(x) };
                else if (json_object_is_type(x, json_type_string))
                        ret[i] = (StoreValue) { .type = STORE_TEXT, .s = json_object_get_string(x) };
                else
                        goto bad;
        }
        *ret_doc = doc;
        return 0;
bad:
        json_object_put(doc);
        return -EINVAL;
}

static json_object *export_after_json(const ExportPage *pg) {
        _cleanup_json_ json_object *a = json_object_new_array();

        if (!a)
                return NULL;
        for (size_t k = 0; k < pg->n_key; k++)
                if (json_object_array_add(a, value_json(&pg->last[k])) < 0)
                        return NULL;
        return json_object_new_string(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN));
}

/* A table is paged by its primary key (after: the key of the last row of the
 * previous page), so rows added or deleted while an export runs (the flush
 * below, retention, a forget, a check-in) are neither skipped nor repeated.
 * A table without a key, or a caller that passes offset, pages by offset. */
int method_export(Daemon *d, json_object *params, Reply *r) {
        _cleanup_json_ json_object *after_doc = NULL;
        const char *table = NULL, *after = NULL;
        int64_t offset = 0, limit = EXPORT_LIMIT_DEFAULT;
        ExportPage pg = { .date_column = -1 };
        StoreValue after_key[EXPORT_KEY_MAX] = {};
        char **key = NULL;
        size_t n_key = 0;
        int has_offset, q;

        if (varlink_param_string(params, "table", &table) <= 0)
                return method_bad_param(r, "table");
        has_offset = varlink_param_int(params, "offset", 0, INT64_MAX, &offset);
        if (has_offset < 0)
                return method_bad_param(r, "offset");
        if (varlink_param_int(params, "limit", 1, EXPORT_LIMIT_MAX, &limit) < 0)
                return method_bad_param(r, "limit");
        q = varlink_param_string(params, "after", &after);
        if (q < 0 || (q > 0 && has_offset > 0))
                return method_bad_param(r, "after");

        /* What the accountant holds goes to the store first, so the export has it. */
        (void) recorder_save(d);

        q = store_table_columns(d->store, table, &pg.columns, &pg.n_columns);
        if (q == -ENOENT)
                return method_bad_param(r, "table");
        if (q < 0)
                return method_store_fail(r, d, q);
        q = store_table_key(d->store, table, &key, &n_key);
        if (q < 0) {
                export_page_done(&pg);
                return method_store_fail(r, d, q);
        }
        /* Key columns by name among the columns (SELECT * has their order). */
        if (n_key <= EXPORT_KEY_MAX && has_offset == 0) {
                for (size_t k = 0; k < n_key; k++)
                        for (size_t i = 0; i < pg.n_columns; i++)
                                if (strcmp(key[k], pg.columns[i]) == 0)
                                        pg.key_column[pg.n_key++] = (int) i;
                if (pg.n_key != n_key)
                        pg.n_key = 0;
        }
        store_strv_free(key, n_key);
        if (after && (pg.n_key == 0 || export_parse_after(after, pg.n_key, after_key, &after_doc) < 0)) {
                export_page_done(&pg);
                return method_bad_param(r, "after");
        }

        pg.table = table;
        pg.bucket = strcmp(table, "bucket") == 0 && pg.n_columns >= 2 && strcmp(pg.columns[0], "start") == 0 &&
                    strcmp(pg.columns[1], "utc_offset") == 0;
        if (strcmp(table, "checkin") == 0 || strcmp(table, "nudge") == 0)
                for (size_t i = 0; i < pg.n_columns; i++)
                        if (strcmp(pg.columns[i], "date") == 0)
                                pg.date_column = (int) i;
        pg.rows = json_object_new_array();
        if (!pg.rows) {
                export_page_done(&pg);
                return -ENOMEM;
        }
        if (pg.n_key > 0)
                q = store_read_table_after(d->store, table, after_key, after ? pg.n_key : 0, limit, export_row, &pg);
        else
                q = store_read_table(d->store, table, offset, limit, export_row, &pg);
        if (q < 0 && q != -ECANCELED) {
                export_page_done(&pg);
                return method_store_fail(r, d, q);
        }

        size_t got = json_object_array_length(pg.rows);
        bool more = pg.full || (int64_t) got == limit;
        json_object *p = json_object_new_object(), *cols = json_object_new_array();
        for (size_t i = 0; i < pg.n_columns; i++) {
                json_object_array_add(cols, json_object_new_string(pg.columns[i]));
                if (pg.bucket && i == 1)
                        json_object_array_add(cols, json_object_new_string("local_start"));
        }
        json_object_object_add(p, "table", json_object_new_string(table));
        json_object_object_add(p, "columns", cols);
        json_object_object_add(p, "rows", json_object_get(pg.rows));
        if (pg.n_key > 0) {
                json_object_object_add(p, "next", NULL);
                json_object_object_add(p, "after", more && got > 0 ? export_after_json(&pg) : NULL);
        } else {
                json_object_object_add(p, "next", more ? json_object_new_int64(offset + (int64_t) got) : NULL);
                json_object_object_add(p, "after", NULL);
        }
        export_page_done(&pg);
        return method_ok(r, p);
}

/* --- Forget ------------------------------------------------ */

static void forgotten_add(json_object *p, const StoreForgotten *f) {
        json_object_object_add(p, "buckets", json_object_new_int64(f->buckets));
        json_object_object_add(p, "checkins", json_object_new_int64(f->checkins));
        json_object_object_add(p, "nudges", json_object_new_int64(f->nudges));
        json_object_object_add(p, "consents", json_object_new_int64(f->consents));
        json_object_object_add(p, "shares", json_object_new_int64(f->shares));
        json_object_object_add(p, "meta", json_object_new_int64(f->meta));
}

/* A date parameter: 1 and *ret (local seconds of 00:00), 0 when absent, < 0 malformed. */
static int date_param(json_object *params, const char *name, int64_t *ret) {
        const char *s = NULL;
        int q = varlink_param_string(params, name, &s);

        if (q <= 0)
                return q;
        return parse_date(s, ret) < 0 ? -EINVAL : 1;
}

/* The UTC instant of local seconds l, in the zone the daemon runs in. */
static int64_t local_to_utc(int64_t l) {
        return l - tz_offset_at(l - tz_offset_at(l, NULL), NULL);
}

int method_forget(Daemon *d, json_object *params, Reply *r) {
        int64_t from = 0, to = 0;
        int has_from, has_to, q;

        int all_param = method_answer_bool(params, "all");
        if (all_param < -1)
                return method_bad_param(r, "all");
        int shares = method_answer_bool(params, "include_share_log");
        if (shares < -1)
                return method_bad_param(r, "include_share_log");
        int dry_run = method_answer_bool(params, "dry_run");
        if (dry_run < -1)
                return method_bad_param(r, "dry_run");
        bool all = all_param > 0;
        has_from = date_param(params, "from", &from);
        if (has_from < 0)
                return method_bad_param(r, "from");
        has_to = date_param(params, "to", &to);
        if (has_to < 0)
                return method_bad_param(r, "to");
        if (all && (has_from || has_to))
                return method_bad_param(r, "all");
        if (!all && !has_from && !has_to)
                return method_bad_param(r, "to");
        if (has_from && has_to && from > to)
                return method_bad_param(r, "from");

        /* A day runs from day_start to day_start (signals.h): the shares of
         * a range are those sent in its days, as its hours are. */
        int64_t ds = (int64_t) d->config.day_start_min * 60;
        StoreForget f = {
                .local_from = has_from ? from : INT64_MIN,
                .local_to = has_to ? to + DAY : INT64_MAX,
                .day_start = ds,
                .shares = shares > 0,
                .shares_from = has_from ? local_to_utc(from + ds) : INT64_MIN,
                .shares_to = has_to ? local_to_utc(to + DAY + ds) : INT64_MAX,
                .consent_and_meta = all,
                .dry_run = dry_run > 0,
        };
        if (f.shares_from > f.shares_to)
                f.shares_from = f.shares_to;

        StoreForgotten got;
        int64_t set_aside;
        q = retention_forget(d, &f, all, &got, &set_aside);
        if (q < 0)
                return method_store_fail(r, d, q);

        json_object *p = json_object_new_object();
        forgotten_add(p, &got);
        json_object_object_add(p, "set_aside_files", json_object_new_int64(set_aside));
        json_object_object_add(p, "recording", json_object_new_string(recorder_recording(d)));
        return method_ok(r, p);
}

/* --- ImportRecords ------------------------------------------------------- */

static int opt_figure(json_object *o, const char *name, double *ret) {
        json_object *v;

        *ret = NAN;
        if (!json_object_object_get_ex(o, name, &v) || json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
                return -EINVAL;
        *ret = json_object_get_double(v);
        return isfinite(*ret) ? 0 : -EINVAL;
}

/* A string of 1..max bytes without control characters other than newlines. */
static int text_param(json_object *o, const char *name, size_t max, bool optional, const char **ret) {
        int q = varlink_param_string(o, name, ret);

        if (q < 0 || (q == 0 && !optional))
                return -EINVAL;
        if (q == 0) {
                *ret = NULL;
                return 0;
        }
        size_t len = strlen(*ret);
        if (len == 0 || len > max)
                return -EINVAL;
        for (const unsigned char *p = (const unsigned char *) *ret; *p; p++)
                if ((*p < 0x20 && *p != '\n') || *p == 0x7f)
                        return -EINVAL;
        return 0;
}

static int checkin_record(json_object *o, int64_t today, Checkin *ret, int64_t *ret_at) {
        int64_t date, mood = -1, at = 0;
        int went_out, met;

        if (!json_object_is_type(o, json_type_object) || date_param(o, "date", &date) <= 0 || date > today + DAY)
                return -EINVAL;
        went_out = method_answer_bool(o, "went_out");
        met = method_answer_bool(o, "met_someone");
        if (went_out < -1 || met < -1)
                return -EINVAL;
        int q = varlink_param_int(o, "mood", 1, 5, &mood);
        if (q < 0)
                return -EINVAL;
        if (q == 0)
                mood = -1;
        if (varlink_param_int(o, "updated_at", 0, INT64_C(253402300799), &at) < 0)
                return -EINVAL;
        if (went_out < 0 && met < 0 && mood < 0)
                return -EINVAL;
        *ret = (Checkin) { .date = date, .went_out = went_out, .met_someone = met, .mood = (int) mood };
        *ret_at = at;
        return 0;
}

static int nudge_record(json_object *o, NudgeRecord *ret) {
        const char *policy, *severity, *title, *body, *step, *rule, *state;
        int64_t date, raised_at, snoozed_until = 0;
        double value, baseline, score;
        int helpful;

        if (!json_object_is_type(o, json_type_object) || text_param(o, "policy", 128, false, &policy) < 0 ||
            date_param(o, "date", &date) <= 0 ||
            varlink_param_int(o, "raised_at", 0, INT64_C(253402300799), &raised_at) <= 0 ||
            text_param(o, "severity", 16, false, &severity) < 0 || !nudge_severity_valid(severity) ||
            text_param(o, "title", NUDGE_TEXT_MAX, false, &title) < 0 ||
            text_param(o, "body", NUDGE_TEXT_MAX, false, &body) < 0 ||
            text_param(o, "step", NUDGE_TEXT_MAX, true, &step) < 0 || text_param(o, "rule", 64, false, &rule) < 0 ||
            opt_figure(o, "value", &value) < 0 || opt_figure(o, "baseline", &baseline) < 0 ||
            opt_figure(o, "score", &score) < 0 || text_param(o, "state", 16, false, &state) < 0 ||
            !nudge_state_valid(state) ||
            varlink_param_int(o, "snoozed_until", 1, INT64_C(253402300799), &snoozed_until) < 0 ||
            (helpful = method_answer_bool(o, "helpful")) < -1)
                return -EINVAL;
        *ret = (NudgeRecord) {
                .policy = (char *) policy, .date = date, .raised_at = raised_at, .severity = (char *) severity,
                .title = (char *) title, .body = (char *) body, .step = (char *) step, .rule = (char *) rule,
                .value = value, .baseline = baseline, .score = score, .state = (char *) state,
                .snoozed_until = snoozed_until, .helpful = helpful,
        };
        return 0;
}

int method_import_records(Daemon *d, json_object *params, Reply *r) {
        json_object *checkins = NULL, *nudges = NULL;
        int64_t now = wall_now(), today = local_midnight(now, tz_offset_at(now, NULL));
        int64_t first_day = retention_first_day(d);
        int64_t n_checkins = 0, n_nudges = 0, expired = 0;
        size_t nc = 0, nn = 0;
        int q;

        if (json_object_object_get_ex(params, "checkins", &checkins) &&
            !json_object_is_type(checkins, json_type_null)) {
                if (!json_object_is_type(checkins, json_type_array))
                        return method_bad_param(r, "checkins");
                nc = json_object_array_length(checkins);
        }
        if (json_object_object_get_ex(params, "nudges", &nudges) && !json_object_is_type(nudges, json_type_null)) {
                if (!json_object_is_type(nudges, json_type_array))
                        return method_bad_param(r, "nudges");
                nn = json_object_array_length(nudges);
        }
        if (nc > IMPORT_RECORDS_MAX || nn > IMPORT_RECORDS_MAX)
                return method_range_too_large(r, IMPORT_RECORDS_MAX);
        if (!recorder_consented(d))
                return method_no_consent(r);

        /* Check everything before writing anything. */
        _cleanup_free_ Checkin *c = calloc(nc + 1, sizeof *c);
        _cleanup_free_ int64_t *at = calloc(nc + 1, sizeof *at);
        _cleanup_free_ NudgeRecord *nv = calloc(nn + 1, sizeof *nv);
        if (!c || !at || !nv)
                return -ENOMEM;
        for (size_t i = 0; i < nc; i++)
                if (checkin_record(json_object_array_get_idx(checkins, i), today, &c[i], &at[i]) < 0)
                        return method_bad_param(r, "checkins");
        for (size_t i = 0; i < nn; i++)
                if (nudge_record(json_object_array_get_idx(nudges, i), &nv[i]) < 0)
                        return method_bad_param(r, "nudges");

        /* One transaction: a store error halfway leaves nothing of the call behind. */
        q = store_begin(d->store);
        if (q < 0)
                return method_store_fail(r, d, q);
        /* Records of days past the retention are not stored: they would be
         * deleted by the next daily pass anyway. */
        for (size_t i = 0; q >= 0 && i < nc; i++) {
                if (c[i].date < first_day) {
                        expired++;
                        continue;
                }
                q = store_set_checkin(d->store, &c[i], at[i] > 0 ? at[i] : now);
                if (q >= 0)
                        n_checkins++;
        }
        for (size_t i = 0; q >= 0 && i < nn; i++) {
                if (nv[i].date < first_day) {
                        expired++;
                        continue;
                }
                q = store_import_nudge(d->store, &nv[i]);
                if (q >= 0)
                        n_nudges += q;
        }
        if (q >= 0)
                q = store_commit(d->store);
        if (q < 0) {
                store_rollback(d->store);
                return method_store_fail(r, d, q);
        }
        json_object *p = json_object_new_object();
        json_object_object_add(p, "checkins", json_object_new_int64(n_checkins));
        json_object_object_add(p, "nudges", json_object_new_int64(n_nudges));
        json_object_object_add(p, "expired", json_object_new_int64(expired));
        return method_ok(r, p);
}

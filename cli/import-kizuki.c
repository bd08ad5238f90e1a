/* Reading kizuki's own JSON export back (docs/export.md, docs/export.schema.json).
 * Pure: the caller reads the file. Everything is checked before anything is
 * returned; the first problem ends the parse with a message naming the table
 * and row, so a damaged or hostile file changes nothing. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "import.h"
#include "macro.h"
#include "timeutil.h"

#define KIZUKI_EXPORT_VERSION 1
#define TIME_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z */
#define OFFSET_MAX_S (18 * 3600)
#define TEXT_MAX 4096
#define DEPTH_MAX 16
/* The parse tree costs some 60 bytes per value and 500 per object: these keep
 * a hostile file under about 1 GB, and an honest one of a century of hours
 * (876 600 rows of 6 values) fits. */
#define VALUES_MAX 6000000
#define OBJECTS_MAX 1000000

typedef struct Parser {
        char *err;
        size_t err_size;
        const char *table;
        size_t row;
} Parser;

static int fail(Parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(Parser *p, const char *fmt, ...) {
        va_list ap;
        int k = 0;

        if (p->table)
                k = snprintf(p->err, p->err_size, "table %s, row %zu: ", p->table, p->row + 1);
        if (k < 0 || (size_t) k >= p->err_size)
                k = 0;
        va_start(ap, fmt);
        vsnprintf(p->err + k, p->err_size - (size_t) k, fmt, ap);
        va_end(ap);
        return -EBADMSG;
}

void import_kizuki_done(ImportKizuki *k) {
        if (!k)
                return;
        FREE_ALL(k->buckets, k->checkins, k->checkin_updated);
        nudge_records_free(k->nudges, k->n_nudges);
        *k = (ImportKizuki) {};
}

static json_object *field(json_object *o, const char *name) {
        json_object *v = NULL;
        return json_object_object_get_ex(o, name, &v) ? v : NULL;
}

/* A member of the given type (what: the type in words): 1; absent or null: 0
 * (an error unless optional). */
static int get_typed(Parser *p, json_object *o, const char *name, json_type type, const char *what, bool optional,
                     json_object **ret) {
        json_object *v = field(o, name);

        if (!v) {
                if (optional)
                        return 0;
                return fail(p, "%s is missing", name);
        }
        if (!json_object_is_type(v, type))
                return fail(p, "%s must be %s", name, what);
        *ret = v;
        return 1;
}

/* An integer in [min, max]: 1; absent or null: 0 (an error unless optional). */
static int get_int(Parser *p, json_object *o, const char *name, int64_t min, int64_t max, bool optional,
                   int64_t *ret) {
        json_object *v;
        int r = get_typed(p, o, name, json_type_int, "an integer", optional, &v);

        if (r <= 0)
                return r;
        errno = 0;
        int64_t i = json_object_get_int64(v);
        if (errno != 0 || i < min || i > max)
                return fail(p, "%s must be an integer from %lld to %lld", name, (long long) min, (long long) max);
        *ret = i;
        return 1;
}

/* 0/1 or false/true, or null: -1. */
static int get_answer(Parser *p, json_object *o, const char *name, int *ret) {
        json_object *v = field(o, name);

        *ret = -1;
        if (!v)
                return 0;
        if (json_object_is_type(v, json_type_boolean)) {
                *ret = json_object_get_boolean(v);
                return 0;
        }
        if (json_object_is_type(v, json_type_int)) {
                int64_t i = json_object_get_int64(v);
                if (i == 0 || i == 1) {
                        *ret = (int) i;
                        return 0;
                }
        }
        return fail(p, "%s must be 0, 1 or null", name);
}

static int get_figure(Parser *p, json_object *o, const char *name, double *ret) {
        json_object *v = field(o, name);

        *ret = NAN;
        if (!v)
                return 0;
        if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
                return fail(p, "%s must be a number or null", name);
        *ret = json_object_get_double(v);
        if (!isfinite(*ret))
                return fail(p, "%s must be a finite number", name);
        return 0;
}

/* A string of 1..max bytes, no control characters but newlines; *ret borrowed. */
static int get_text(Parser *p, json_object *o, const char *name, size_t max, bool optional, const char **ret) {
        json_object *v;
        int r;

        *ret = NULL;
        r = get_typed(p, o, name, json_type_string, "a string", optional, &v);
        if (r <= 0)
                return r;
        const char *s = json_object_get_string(v);
        size_t n = (size_t) json_object_get_string_len(v);
        if (n == 0 || n > max || strlen(s) != n)
                return fail(p, "%s must be 1 to %zu characters", name, max);
        for (size_t i = 0; i < n; i++)
                if (((unsigned char) s[i] < 0x20 && s[i] != '\n') || s[i] == 0x7f)
                        return fail(p, "%s holds control characters", name);
        *ret = s;
        return 1;
}

static int get_date(Parser *p, json_object *o, const char *name, int64_t *ret) {
        const char *s;
        int r = get_text(p, o, name, 10, false, &s);

        if (r < 0)
                return r;
        if (parse_date(s, ret) < 0)
                return fail(p, "%s must be a date YYYY-MM-DD", name);
        return 0;
}

/* The rows array of a table object; NULL (and an error) when malformed. */
static json_object *table_rows(Parser *p, const char *name, json_object *t, int *ret_error) {
        json_object *rows = field(t, "rows");

        *ret_error = 0;
        if (!json_object_is_type(t, json_type_object) || !rows || !json_object_is_type(rows, json_type_array)) {
                *ret_error = fail(p, "table %s has no array of rows", name);
                return NULL;
        }
        return rows;
}

/* Room for a table of n rows in k: the array its rows go to. */
static int bucket_start(ImportKizuki *k, size_t n) {
        k->buckets = calloc(n + 1, sizeof *k->buckets);
        return k->buckets ? 0 : -ENOMEM;
}

/* One row, checked, into the next place in k. */
static int bucket_row(Parser *p, json_object *o, ImportKizuki *k) {
        int64_t start, off, active, observed;
        const char *local;
        int r;

        if ((r = get_int(p, o, "start", 0, TIME_MAX, false, &start)) < 0 ||
            (r = get_int(p, o, "utc_offset", -OFFSET_MAX_S, OFFSET_MAX_S, false, &off)) < 0 ||
            (r = get_int(p, o, "active_s", 0, 3600, false, &active)) < 0 ||
            (r = get_int(p, o, "observed_s", 0, 3600, false, &observed)) < 0 ||
            (r = get_text(p, o, "local_start", 64, true, &local)) < 0)
                return r;
        if (active > observed)
                return fail(p, "active_s (%lld) is more than observed_s (%lld)", (long long) active,
                            (long long) observed);
        if ((start + off) % 3600 != 0)
                return fail(p, "start and utc_offset do not name the start of a local hour");
        if (local) {
                /* When present, it must say the same as start and utc_offset. */
                time_t t = (time_t) (start + off);
                struct tm tm;
                char want[48];
                int64_t a = off < 0 ? -off : off;
                if (!gmtime_r(&t, &tm) || strftime(want, 24, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
                        return fail(p, "start out of range");
                snprintf(want + strlen(want), sizeof want - strlen(want), "%c%02lld:%02lld", off < 0 ? '-' : '+',
                         (long long) (a / 3600), (long long) (a % 3600 / 60));
                if (strcmp(local, want) != 0)
                        return fail(p, "local_start '%.40s' does not match start and utc_offset (%s)", local, want);
        }
        k->buckets[k->n_buckets++] = (AcctBucket) { start, (int32_t) off, (int32_t) active, (int32_t) observed };
        return 0;
}

static int checkin_start(ImportKizuki *k, size_t n) {
        k->checkins = calloc(n + 1, sizeof *k->checkins);
        k->checkin_updated = calloc(n + 1, sizeof *k->checkin_updated);
        return k->checkins && k->checkin_updated ? 0 : -ENOMEM;
}

static int checkin_row(Parser *p, json_object *o, ImportKizuki *k) {
        int64_t date, mood = -1, updated = 0;
        int went_out, met, r;

        if ((r = get_date(p, o, "date", &date)) < 0 || (r = get_answer(p, o, "went_out", &went_out)) < 0 ||
            (r = get_answer(p, o, "met_someone", &met)) < 0 ||
            (r = get_int(p, o, "mood", 1, 5, true, &mood)) < 0 ||
            (r = get_int(p, o, "updated_at", 0, TIME_MAX, true, &updated)) < 0)
                return r;
        if (went_out < 0 && met < 0 && mood < 0)
                return fail(p, "a check-in without any answer");
        k->checkins[k->n_checkins] = (Checkin) { .date = date, .went_out = went_out, .met_someone = met, .mood = (int) mood };
        k->checkin_updated[k->n_checkins++] = updated;
        return 0;
}

static int dup_text(const char *s, char **ret) {
        *ret = NULL;
        if (!s)
                return 0;
        *ret = strdup(s);
        return *ret ? 0 : -ENOMEM;
}

static int nudge_start(ImportKizuki *k, size_t n) {
        k->nudges = calloc(n + 1, sizeof *k->nudges);
        return k->nudges ? 0 : -ENOMEM;
}

static int nudge_row(Parser *p, json_object *o, ImportKizuki *k) {
        const char *policy, *severity, *title, *body, *step, *rule, *state;
        int64_t date, raised_at, snoozed = 0, id = 0;
        double value, baseline, score;
        int helpful, r;

        if ((r = get_int(p, o, "id", 1, INT64_MAX, true, &id)) < 0 ||
            (r = get_text(p, o, "policy", 128, false, &policy)) < 0 || (r = get_date(p, o, "date", &date)) < 0 ||
            (r = get_int(p, o, "raised_at", 0, TIME_MAX, false, &raised_at)) < 0 ||
            (r = get_text(p, o, "severity", 16, false, &severity)) < 0 ||
            (r = get_text(p, o, "title", TEXT_MAX, false, &title)) < 0 ||
            (r = get_text(p, o, "body", TEXT_MAX, false, &body)) < 0 ||
            (r = get_text(p, o, "step", TEXT_MAX, true, &step)) < 0 ||
            (r = get_text(p, o, "rule", 64, false, &rule)) < 0 || (r = get_figure(p, o, "value", &value)) < 0 ||
            (r = get_figure(p, o, "baseline", &baseline)) < 0 || (r = get_figure(p, o, "score", &score)) < 0 ||
            (r = get_text(p, o, "state", 16, false, &state)) < 0 ||
            (r = get_int(p, o, "snoozed_until", 1, TIME_MAX, true, &snoozed)) < 0 ||
            (r = get_answer(p, o, "helpful", &helpful)) < 0)
                return r;
        if (!nudge_severity_valid(severity))
                return fail(p, "severity must be gentle, notice or concern");
        if (!nudge_state_valid(state))
                return fail(p, "state must be unread, acked, snoozed or dismissed");

        NudgeRecord n = { .id = id, .date = date, .raised_at = raised_at, .value = value, .baseline = baseline,
                         .score = score, .snoozed_until = snoozed, .helpful = helpful };
        if (dup_text(policy, &n.policy) < 0 || dup_text(severity, &n.severity) < 0 || dup_text(title, &n.title) < 0 ||
            dup_text(body, &n.body) < 0 || dup_text(step, &n.step) < 0 || dup_text(rule, &n.rule) < 0 ||
            dup_text(state, &n.state) < 0) {
                nudge_record_done(&n);
                return -ENOMEM;
        }
        k->nudges[k->n_nudges++] = n;
        return 0;
}

/* The tables whose rows are imported. */
static const struct {
        const char *name;
        int (*start)(ImportKizuki *k, size_t n);
        int (*row)(Parser *p, json_object *o, ImportKizuki *k);
} row_tables[] = {
        { "bucket", bucket_start, bucket_row },
        { "checkin", checkin_start, checkin_row },
        { "nudge", nudge_start, nudge_row },
};

/* The n rows of row_tables[t] (named in p->table), each an object, into k. */
static int read_rows(Parser *p, size_t t, json_object *rows, size_t n, ImportKizuki *k) {
        int r = row_tables[t].start(k, n);

        if (r < 0)
                return r;
        for (p->row = 0; p->row < n; p->row++) {
                json_object *o = json_object_array_get_idx(rows, p->row);
                if (!json_object_is_type(o, json_type_object))
                        return fail(p, "a row must be an object");
                r = row_tables[t].row(p, o, k);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int parse_tables(Parser *p, json_object *tables, ImportKizuki *k) {
        bool seen[ELEMENTSOF(row_tables)] = {};

        json_object_object_foreach(tables, name, t) {
                json_object *rows;
                size_t n, i;
                int r;

                p->table = NULL;
                rows = table_rows(p, name, t, &r);
                if (!rows)
                        return r;
                n = json_object_array_length(rows);
                p->table = name;
                for (i = 0; i < ELEMENTSOF(row_tables) && strcmp(name, row_tables[i].name) != 0; i++)
                        ;
                if (i < ELEMENTSOF(row_tables)) {
                        if (seen[i])
                                return fail(p, "table %s appears twice", name);
                        seen[i] = true;
                        r = read_rows(p, i, rows, n, k);
                        if (r < 0)
                                return r;
                } else if (strcmp(name, "consent") == 0)
                        k->n_consent += n;
                else if (strcmp(name, "share_log") == 0)
                        k->n_share_log += n;
                else if (strcmp(name, "meta") == 0)
                        k->n_meta += n;
                else
                        k->n_unknown += n;
        }
        p->table = NULL;
        return 0;
}

static void tokener_freep(json_tokener **t) {
        if (*t)
                json_tokener_free(*t);
}

static void json_putp(json_object **o) {
        json_object_put(*o);
}

/* Count the values and objects of a JSON text without parsing it (an upper
 * bound: every value follows '[', ':' or ','), so the tree's memory can be
 * bounded before it is built. */
static void json_count(const char *buf, size_t len, size_t *ret_values, size_t *ret_objects) {
        size_t values = 1, objects = 0;
        bool in_string = false;

        for (size_t i = 0; i < len; i++) {
                char c = buf[i];
                if (in_string) {
                        if (c == '\\')
                                i++;
                        else if (c == '"')
                                in_string = false;
                } else if (c == '"')
                        in_string = true;
                else if (c == '[' || c == ':' || c == ',')
                        values++;
                else if (c == '{')
                        objects++;
        }
        *ret_values = values;
        *ret_objects = objects;
}

int import_parse_kizuki(const char *buf, size_t len, ImportKizuki *ret, char *err, size_t err_size) {
        _cleanup_(tokener_freep) json_tokener *tok = NULL;
        _cleanup_(json_putp) json_object *root = NULL;
        ImportKizuki k = {};
        Parser p = { .err = err, .err_size = err_size };
        json_object *v, *tables;
        int64_t version;
        int r;

        if (!buf || !ret || !err || err_size == 0)
                return -EINVAL;
        *ret = (ImportKizuki) {};
        err[0] = '\0';
        if (len > INT32_MAX) {
                fail(&p, "the file is too large");
                return -EFBIG;
        }
        size_t values, objects;
        json_count(buf, len, &values, &objects);
        if (values > VALUES_MAX || objects > OBJECTS_MAX) {
                snprintf(err, err_size, "the file holds more than %d values or %d objects: too large to be "
                         "a kizuki export", VALUES_MAX, OBJECTS_MAX);
                return -EFBIG;
        }
        tok = json_tokener_new_ex(DEPTH_MAX);
        if (!tok)
                return -ENOMEM;
        root = json_tokener_parse_ex(tok, buf, (int) len);
        if (!root || json_tokener_get_error(tok) != json_tokener_success) {
                enum json_tokener_error e = json_tokener_get_error(tok);
                snprintf(err, err_size, "not valid JSON: %s",
                         e == json_tokener_continue ? "unexpected end of file" : json_tokener_error_desc(e));
                return -EMEDIUMTYPE;
        }
        /* Only white space may follow the document. */
        for (size_t i = json_tokener_get_parse_end(tok); i < len; i++)
                if (!strchr(" \t\r\n", buf[i]) || buf[i] == '\0') {
                        snprintf(err, err_size, "not valid JSON: data after the end of the document");
                        return -EMEDIUMTYPE;
                }
        if (!json_object_is_type(root, json_type_object) || !(v = field(root, "format")) ||
            !json_object_is_type(v, json_type_string) || strcmp(json_object_get_string(v), "kizuki-export") != 0) {
                snprintf(err, err_size, "not a kizuki export (no \"format\": \"kizuki-export\")");
                return -EMEDIUMTYPE;
        }
        r = get_int(&p, root, "version", 1, INT32_MAX, false, &version);
        if (r < 0)
                return r;
        if (version != KIZUKI_EXPORT_VERSION) {
                snprintf(err, err_size, "export format version %lld is not supported (this kizuki reads version %d)",
                         (long long) version, KIZUKI_EXPORT_VERSION);
                return -EPROTONOSUPPORT;
        }
        r = get_int(&p, root, "schema_version", 1, INT32_MAX, true, &k.schema_version);
        if (r < 0)
                return r;
        tables = field(root, "tables");
        if (!tables || !json_object_is_type(tables, json_type_object))
                return fail(&p, "\"tables\" must be an object");
        r = parse_tables(&p, tables, &k);
        if (r < 0) {
                import_kizuki_done(&k);
                return r;
        }
        *ret = k;
        return 0;
}

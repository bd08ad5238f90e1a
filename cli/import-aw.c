/* Import from an ActivityWatch export of aw-watcher-afk (see import.h).
 *
 * The whole buffer is one JSON document (json-c's strict mode; only whitespace
 * may follow it). Shapes, tried in this order:
 *   {"buckets":{"<id>":{"type":"afkstatus","events":[...]}, ...}}  aw-server export
 *   {"events":[...]}                                               one bucket
 *   [...]                                                          bare events
 * In an aw-server export the buckets used are those of type "afkstatus" or whose
 * id starts with "aw-watcher-afk" (window and web watchers say nothing about
 * presence); when none is, a lone bucket is used whatever it is. Events are
 * numbered from 1 across the buckets used, in file order.
 *
 * An event's end is its timestamp plus its duration, rounded down to the second
 * like the start. A timestamp without offset is read as UTC, as aw-core does.
 * Events of zero duration (or under a second once rounded) are read but give
 * nothing.
 *
 * Streaming, so that memory follows the intervals made and not the file (a tree
 * of a 500,000-event export takes a gigabyte): a first pass walks the document
 * with a small scanner that checks it is JSON exactly as json-c's strict mode
 * takes it (nesting limit included) and notes where the events arrays are and
 * what each bucket says about itself, which may come after its events; nothing
 * is reported before the whole document is known to be good. A second pass hands
 * the events of the arrays used to json-c one at a time. Objects keep json-c's
 * rules: a repeated name keeps the place of its first occurrence and the value of
 * its last, and a name ends at its first NUL ("a\u0000b" is "a"). */
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "json-scan.h"
#include "macro.h"

#define SPAN_MAX (31 * INT64_C(86400))
#define OFFSET_MAX (18 * 3600)
#define AFK_PREFIX "aw-watcher-afk"

#define NO_EVENTS SIZE_MAX

typedef struct AwParser {
        ImportParsed p;
        const ImportOptions *o;
        uint64_t index;
} AwParser;

/* ---- first pass: the document's shape ---- */

typedef struct AwBucket {
        size_t name, name_len; /* in AwScan.names, up to the name's first NUL */
        size_t events;         /* offset of its "events" array, or NO_EVENTS */
        bool object;
        bool afk; /* by its "type" or "id"; the name is looked at later */
        bool gone; /* a later repeat of a name: its value went to the first */
} AwBucket;

typedef struct AwScan {
        const char *s;
        size_t len;

        char *scratch; /* decoded strings */
        size_t scratch_size;

        /* The root object's last "buckets" if an object, its last "events"
         * (NO_EVENTS when not an array), or the root array. */
        bool root_array, root_buckets;
        size_t root_events;

        char *names;
        size_t names_len, names_size;
        AwBucket *buckets;
        size_t n_buckets, buckets_size;
} AwScan;

static void aw_scan_done(AwScan *sc) {
        free(sc->scratch);
        free(sc->names);
        free(sc->buckets);
}

/* Decode the string content s[a..b) into sc->scratch; *ret_len its length. */
static int aw_decode(AwScan *sc, size_t a, size_t b, size_t *ret_len) {
        int r = import_grow((void **) &sc->scratch, &sc->scratch_size, b - a + 1, 1);

        if (r < 0)
                return r;
        *ret_len = json_string_decode(sc->s, a, b, sc->scratch);
        return 0;
}

/* The name s[a..b) as json-c keeps names, up to its first NUL, into
 * sc->scratch; *ret_len its length. */
static int aw_name(AwScan *sc, size_t a, size_t b, size_t *ret_len) {
        size_t n;
        int r = aw_decode(sc, a, b, &n);

        if (r < 0)
                return r;
        *ret_len = strnlen(sc->scratch, n);
        return 0;
}

static bool bytes_are(const char *s, size_t n, const char *word) {
        return n == strlen(word) && memcmp(s, word, n) == 0;
}

static bool bytes_start(const char *s, size_t n, const char *prefix) {
        return n >= strlen(prefix) && memcmp(s, prefix, strlen(prefix)) == 0;
}

/* A bucket's value at *pos: what its "type", "id" and "events" say (the last
 * of each counts), the rest only checked. */
static int aw_scan_bucket(AwScan *sc, size_t *pos, AwBucket *b) {
        const char *s = sc->s;
        size_t len = sc->len, na, nb, n;
        bool first = true, type_afk = false, id_afk = false;
        int r;

        if (s[*pos] != '{')
                return json_scan_value(s, len, pos, 2);

        b->object = true;
        while ((r = json_scan_member(s, len, pos, &first, &na, &nb)) > 0) {
                bool is_type, is_id, is_events;
                size_t v = *pos;

                r = aw_name(sc, na, nb, &n);
                if (r < 0)
                        return r;
                is_type = bytes_are(sc->scratch, n, "type");
                is_id = bytes_are(sc->scratch, n, "id");
                is_events = bytes_are(sc->scratch, n, "events");

                r = json_scan_value(s, len, pos, 3);
                if (r < 0)
                        return r;
                if (is_events)
                        b->events = s[v] == '[' ? v : NO_EVENTS;
                else if (is_type || is_id) {
                        bool string = s[v] == '"';

                        /* a string's value: its content decoded, NULs and all */
                        n = 0;
                        if (string && (r = aw_decode(sc, v + 1, *pos - 1, &n)) < 0)
                                return r;
                        if (is_type)
                                type_afk = string && bytes_are(sc->scratch, n, "afkstatus");
                        else
                                id_afk = string && bytes_start(sc->scratch, n, AFK_PREFIX);
                }
        }
        b->afk = type_afk || id_afk;
        return r;
}

/* The "buckets" object at *pos: one AwBucket per member, in file order. */
static int aw_scan_buckets(AwScan *sc, size_t *pos) {
        const char *s = sc->s;
        size_t len = sc->len, na, nb, n;
        bool first = true;
        int r;

        sc->n_buckets = 0;
        sc->names_len = 0;
        while ((r = json_scan_member(s, len, pos, &first, &na, &nb)) > 0) {
                AwBucket *b;

                r = aw_name(sc, na, nb, &n);
                if (r < 0)
                        return r;
                /* (one byte more: never empty, never NULL) */
                if (n >= SIZE_MAX - sc->names_len ||
                    (r = import_grow((void **) &sc->names, &sc->names_size, sc->names_len + n + 1, 1)) < 0 ||
                    (r = import_grow((void **) &sc->buckets, &sc->buckets_size, sc->n_buckets + 1, sizeof(AwBucket))) < 0)
                        return r < 0 ? r : -ENOMEM;
                memcpy(sc->names + sc->names_len, sc->scratch, n);
                b = &sc->buckets[sc->n_buckets++];
                *b = (AwBucket) {
                        .name = sc->names_len,
                        .name_len = n,
                        .events = NO_EVENTS,
                };
                sc->names_len += n;
                r = aw_scan_bucket(sc, pos, b);
                if (r < 0)
                        return r;
        }
        return r;
}

/* The whole document: -EMEDIUMTYPE unless it is one JSON array or object, json-c
 * would take it, and only whitespace follows. */
static int aw_scan(AwScan *sc) {
        const char *s = sc->s;
        size_t len = sc->len, i = json_scan_ws(s, len, 0), na, nb;
        bool first = true;
        int r;

        sc->root_events = NO_EVENTS;
        if (i >= len)
                return -EMEDIUMTYPE;
        if (s[i] == '[') {
                sc->root_array = true;
                sc->root_events = i;
                r = json_scan_value(s, len, &i, 0);
        } else if (s[i] == '{') {
                while ((r = json_scan_member(s, len, &i, &first, &na, &nb)) > 0) {
                        bool is_buckets, is_events;
                        size_t v = i, n;

                        r = aw_name(sc, na, nb, &n);
                        if (r < 0)
                                return r;
                        is_buckets = bytes_are(sc->scratch, n, "buckets");
                        is_events = bytes_are(sc->scratch, n, "events");
                        if (is_buckets && s[v] == '{') {
                                sc->root_buckets = true;
                                r = aw_scan_buckets(sc, &i);
                        } else {
                                if (is_buckets)
                                        sc->root_buckets = false;
                                else if (is_events)
                                        sc->root_events = s[v] == '[' ? v : NO_EVENTS;
                                r = json_scan_value(s, len, &i, 1);
                        }
                        if (r < 0)
                                break;
                }
        } else
                return -EMEDIUMTYPE;
        if (r == -ENOMEM)
                return r;
        if (r < 0)
                return -EMEDIUMTYPE;

        /* json-c stops at a NUL byte: whatever follows the document, NUL
         * included, must be whitespace. */
        for (; i < len; i++)
                if (!json_is_ws(s[i]))
                        return -EMEDIUMTYPE;
        return 0;
}

typedef struct NameRef {
        const char *name;
        size_t len, index;
} NameRef;

static int name_ref_cmp(const void *x, const void *y) {
        const NameRef *a = x, *b = y;
        int c = memcmp(a->name, b->name, a->len < b->len ? a->len : b->len);

        if (c != 0)
                return c;
        if (a->len != b->len)
                return a->len < b->len ? -1 : 1;
        return a->index < b->index ? -1 : a->index > b->index;
}

/* A repeated bucket name, as in json-c: the first keeps its place and takes the
 * value of the last; the others go. */
static int aw_merge_repeats(AwScan *sc) {
        _cleanup_free_ NameRef *refs = NULL;
        size_t n = sc->n_buckets;

        if (n < 2)
                return 0;
        refs = malloc(n * sizeof *refs);
        if (!refs)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                refs[i] = (NameRef) { sc->names + sc->buckets[i].name, sc->buckets[i].name_len, i };
        qsort(refs, n, sizeof *refs, name_ref_cmp);
        for (size_t i = 0, j; i < n; i = j) {
                AwBucket *first = &sc->buckets[refs[i].index], *last;

                for (j = i + 1; j < n && refs[j].len == refs[i].len &&
                                memcmp(refs[j].name, refs[i].name, refs[i].len) == 0;
                     j++)
                        sc->buckets[refs[j].index].gone = true;
                last = &sc->buckets[refs[j - 1].index];
                first->events = last->events;
                first->object = last->object;
                first->afk = last->afk;
        }
        return 0;
}

static bool bucket_is_afk(const AwScan *sc, const AwBucket *b) {
        return bytes_start(sc->names + b->name, b->name_len, AFK_PREFIX) || b->afk;
}

/* ---- second pass: the events, one at a time ---- */

static bool string_is(json_object *o, const char *s) {
        size_t n = strlen(s);

        return json_object_is_type(o, json_type_string) && (size_t) json_object_get_string_len(o) == n &&
               memcmp(json_object_get_string(o), s, n) == 0;
}

static int aw_reject(AwParser *a, const char *reason, const char *quoted, size_t quoted_len) {
        return import_reject(&a->p, a->o, a->index, reason, quoted, quoted_len);
}

/* One event; 0 when it was taken, ignored, or rejected without strict. */
static int aw_event(AwParser *a, json_object *ev) {
        json_object *ts, *dur, *data, *status;
        const char *s;
        size_t sn;
        int64_t start, end;
        int32_t frac_ns, off;
        double d;
        bool active;
        int r;

        a->index++;
        a->p.rows_read++;

        if (!json_object_is_type(ev, json_type_object))
                return aw_reject(a, "event is not an object", NULL, 0);

        if (!json_object_object_get_ex(ev, "timestamp", &ts))
                return aw_reject(a, "missing timestamp", NULL, 0);
        if (!json_object_is_type(ts, json_type_string))
                return aw_reject(a, "bad timestamp", NULL, 0);
        s = json_object_get_string(ts);
        sn = (size_t) json_object_get_string_len(ts);
        if (import_parse_timestamp(s, sn, &start, &frac_ns, NULL) < 0)
                return aw_reject(a, "bad timestamp", NULL, 0);

        if (!json_object_object_get_ex(ev, "duration", &dur))
                return aw_reject(a, "missing duration", NULL, 0);
        if (!json_object_is_type(dur, json_type_double) && !json_object_is_type(dur, json_type_int))
                return aw_reject(a, "duration is not a number", NULL, 0);
        d = json_object_get_double(dur);
        if (!isfinite(d))
                return aw_reject(a, "duration is not a number", NULL, 0);
        if (d < 0)
                return aw_reject(a, "negative duration", NULL, 0);
        if (d > (double) SPAN_MAX)
                return aw_reject(a, "event spans more than 31 days", NULL, 0);

        if (!json_object_object_get_ex(ev, "data", &data) || !json_object_is_type(data, json_type_object) ||
            !json_object_object_get_ex(data, "status", &status) || !json_object_is_type(status, json_type_string))
                return aw_reject(a, "missing data.status", NULL, 0);
        if (string_is(status, "not-afk"))
                active = true;
        else if (string_is(status, "afk"))
                active = false;
        else
                return aw_reject(a, "unknown status", json_object_get_string(status),
                                 (size_t) json_object_get_string_len(status));

        /* 0 <= frac + d < 1 + 31 days: exact enough in a double, and floor()
         * rounds the end down like the start. */
        end = start + (int64_t) floor((double) frac_ns / 1e9 + d);
        if (end <= start)
                return 0;

        r = import_check_future(&a->p, a->o, a->index, end);
        if (r <= 0)
                return r;
        off = a->o->offset_fn(start, a->o->offset_userdata);
        if (off < -OFFSET_MAX || off > OFFSET_MAX)
                return aw_reject(a, "time zone offset out of range", NULL, 0);

        return import_parsed_add(&a->p, &(ImportInterval) {
                .start = start,
                .end = end,
                .utc_offset = off,
                .active = active,
                .line = a->index,
        });
}

/* The event s[0..n), which the first pass found good: an object goes through
 * json-c on its own and is freed straight after. */
static int aw_event_text(AwParser *a, json_tokener *tok, const char *s, size_t n) {
        json_object *ev;
        int r;

        if (s[0] != '{')
                return aw_event(a, NULL);

        json_tokener_reset(tok);
        ev = json_tokener_parse_ex(tok, s, (int) n);
        if (!ev || json_tokener_get_error(tok) != json_tokener_success ||
            json_tokener_get_parse_end(tok) != n) {
                /* Only when out of memory (the scanner takes what json-c
                 * takes); say "not this format" rather than guess. */
                json_object_put(ev);
                return -EMEDIUMTYPE;
        }
        r = aw_event(a, ev);
        json_object_put(ev);
        return r;
}

/* The events array whose '[' is at pos, depth levels below the root. */
static int aw_events(AwParser *a, json_tokener *tok, const char *s, size_t len, size_t pos, unsigned depth) {
        size_t i = json_scan_ws(s, len, pos + 1);
        int r;

        if (i < len && s[i] == ']')
                return 0;
        for (;;) {
                size_t start = i;

                if (json_scan_value(s, len, &i, depth + 1) < 0)
                        return -EMEDIUMTYPE; /* the first pass checked it */
                r = aw_event_text(a, tok, s + start, i - start);
                if (r < 0)
                        return r;
                i = json_scan_ws(s, len, i);
                if (i >= len)
                        return -EMEDIUMTYPE;
                if (s[i] == ']')
                        return 0;
                i = json_scan_ws(s, len, i + 1); /* past the ',' */
        }
}

/* The aw-server export shape: check every bucket used before reading any. */
static int aw_buckets(AwParser *a, json_tokener *tok, AwScan *sc) {
        size_t total = 0, used = 0;
        const AwBucket *only = NULL;
        int r;

        r = aw_merge_repeats(sc);
        if (r < 0)
                return r;

        for (size_t i = 0; i < sc->n_buckets; i++) {
                const AwBucket *b = &sc->buckets[i];

                if (b->gone)
                        continue;
                total++;
                only = b;
                if (!bucket_is_afk(sc, b))
                        continue;
                if (!b->object || b->events == NO_EVENTS)
                        return -EMEDIUMTYPE;
                used++;
        }

        if (used == 0) {
                if (total != 1 || !only->object || only->events == NO_EVENTS)
                        return -EMEDIUMTYPE;
                return aw_events(a, tok, sc->s, sc->len, only->events, 3);
        }

        for (size_t i = 0; i < sc->n_buckets; i++) {
                const AwBucket *b = &sc->buckets[i];

                if (b->gone || !bucket_is_afk(sc, b))
                        continue;
                r = aw_events(a, tok, sc->s, sc->len, b->events, 3);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int aw_root(AwParser *a, json_tokener *tok, AwScan *sc) {
        if (sc->root_array)
                return aw_events(a, tok, sc->s, sc->len, sc->root_events, 0);
        if (sc->root_buckets)
                return aw_buckets(a, tok, sc);
        if (sc->root_events != NO_EVENTS)
                return aw_events(a, tok, sc->s, sc->len, sc->root_events, 1);
        return -EMEDIUMTYPE;
}

static void tokener_freep(json_tokener **t) {
        if (*t)
                json_tokener_free(*t);
}

int import_parse_activitywatch(const char *buf, size_t len, const ImportOptions *o, ImportParsed *ret) {
        _cleanup_(tokener_freep) json_tokener *tok = NULL;
        _cleanup_(aw_scan_done) AwScan sc = {};
        AwParser a = { .o = o };
        int r;

        if (!ret || !o || !o->offset_fn || (len > 0 && !buf))
                return -EINVAL;
        *ret = (ImportParsed) {};

        if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
                buf += 3;
                len -= 3;
        }
        if (len == 0)
                return -EMEDIUMTYPE;
        if (len > INT_MAX) /* as when json-c read it whole (it takes an int) */
                return -EFBIG;

        sc.s = buf;
        sc.len = len;
        r = aw_scan(&sc);
        if (r < 0)
                return r;

        tok = json_tokener_new();
        if (!tok)
                return -ENOMEM;
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);

        r = aw_root(&a, tok, &sc);
        if (r < 0) {
                import_parsed_done(&a.p);
                return r;
        }
        *ret = a.p;
        return 0;
}

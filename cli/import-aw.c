/* Import from an ActivityWatch export of aw-watcher-afk (see import.h).
 *
 * The whole buffer is one JSON document (json-c, strict mode; only whitespace
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
 * nothing. */
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <math.h>
#include <string.h>

#include "import.h"
#include "macro.h"

#define SPAN_MAX (31 * INT64_C(86400))
#define OFFSET_MAX (18 * 3600)
#define AFK_PREFIX "aw-watcher-afk"

typedef struct AwParser {
        ImportParsed p;
        bool strict;
        AcctOffsetFn offset_fn;
        void *offset_userdata;
        ImportRejectFn reject;
        void *userdata;
        uint64_t index;
} AwParser;

static bool string_is(json_object *o, const char *s) {
        size_t n = strlen(s);

        return json_object_is_type(o, json_type_string) && (size_t) json_object_get_string_len(o) == n &&
               memcmp(json_object_get_string(o), s, n) == 0;
}

static bool string_has_prefix(const char *s, size_t n, const char *prefix) {
        size_t pn = strlen(prefix);

        return n >= pn && memcmp(s, prefix, pn) == 0;
}

static json_object *events_of(json_object *bucket) {
        json_object *events;

        if (!json_object_is_type(bucket, json_type_object) ||
            !json_object_object_get_ex(bucket, "events", &events) || !json_object_is_type(events, json_type_array))
                return NULL;
        return events;
}

static bool bucket_is_afk(const char *key, json_object *bucket) {
        json_object *v;

        if (string_has_prefix(key, strlen(key), AFK_PREFIX))
                return true;
        if (!json_object_is_type(bucket, json_type_object))
                return false;
        if (json_object_object_get_ex(bucket, "type", &v) && string_is(v, "afkstatus"))
                return true;
        if (json_object_object_get_ex(bucket, "id", &v) && json_object_is_type(v, json_type_string) &&
            string_has_prefix(json_object_get_string(v), (size_t) json_object_get_string_len(v), AFK_PREFIX))
                return true;
        return false;
}

static int aw_reject(AwParser *a, const char *reason, const char *quoted, size_t quoted_len) {
        return import_reject(&a->p, a->strict, a->reject, a->userdata, a->index, reason, quoted, quoted_len);
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

        off = a->offset_fn(start, a->offset_userdata);
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

static int aw_events(AwParser *a, json_object *events) {
        size_t n = json_object_array_length(events);

        for (size_t i = 0; i < n; i++) {
                int r = aw_event(a, json_object_array_get_idx(events, i));
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The aw-server export shape: check every bucket used before reading any. */
static int aw_buckets(AwParser *a, json_object *buckets) {
        size_t total = 0, used = 0;
        json_object *only = NULL;
        int r;

        json_object_object_foreach(buckets, key, bucket) {
                total++;
                only = bucket;
                if (!bucket_is_afk(key, bucket))
                        continue;
                if (!events_of(bucket))
                        return -EMEDIUMTYPE;
                used++;
        }

        if (used == 0) {
                if (total != 1 || !events_of(only))
                        return -EMEDIUMTYPE;
                return aw_events(a, events_of(only));
        }

        json_object_object_foreach(buckets, key2, bucket2) {
                if (!bucket_is_afk(key2, bucket2))
                        continue;
                r = aw_events(a, events_of(bucket2));
                if (r < 0)
                        return r;
        }
        return 0;
}

static int aw_root(AwParser *a, json_object *root) {
        json_object *v;

        if (json_object_is_type(root, json_type_array))
                return aw_events(a, root);
        if (!json_object_is_type(root, json_type_object))
                return -EMEDIUMTYPE;
        if (json_object_object_get_ex(root, "buckets", &v) && json_object_is_type(v, json_type_object))
                return aw_buckets(a, v);
        if (json_object_object_get_ex(root, "events", &v) && json_object_is_type(v, json_type_array))
                return aw_events(a, v);
        return -EMEDIUMTYPE;
}

static void tokener_freep(json_tokener **t) {
        if (*t)
                json_tokener_free(*t);
}

static void json_putp(json_object **o) {
        json_object_put(*o);
}

int import_parse_activitywatch(const char *buf, size_t len, bool strict, AcctOffsetFn offset_fn, void *offset_userdata,
                               ImportRejectFn reject, void *userdata, ImportParsed *ret) {
        _cleanup_(tokener_freep) json_tokener *tok = NULL;
        _cleanup_(json_putp) json_object *root = NULL;
        AwParser a = {
                .strict = strict,
                .offset_fn = offset_fn,
                .offset_userdata = offset_userdata,
                .reject = reject,
                .userdata = userdata,
        };
        size_t used;
        int r;

        if (!ret || !offset_fn || (len > 0 && !buf))
                return -EINVAL;
        *ret = (ImportParsed) {};

        if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
                buf += 3;
                len -= 3;
        }
        if (len == 0)
                return -EMEDIUMTYPE;
        if (len > INT_MAX) /* json-c takes an int */
                return -EFBIG;

        tok = json_tokener_new();
        if (!tok)
                return -ENOMEM;
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        root = json_tokener_parse_ex(tok, buf, (int) len);
        if (!root || json_tokener_get_error(tok) != json_tokener_success)
                return -EMEDIUMTYPE;
        /* json-c stops at a NUL byte: whatever follows the document, NUL
         * included, must be whitespace. */
        for (used = json_tokener_get_parse_end(tok); used < len; used++)
                if (!strchr(" \t\r\n", buf[used]) || buf[used] == '\0')
                        return -EMEDIUMTYPE;

        r = aw_root(&a, root);
        if (r < 0) {
                import_parsed_done(&a.p);
                return r;
        }
        *ret = a.p;
        return 0;
}

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
#include "macro.h"

#define SPAN_MAX (31 * INT64_C(86400))
#define OFFSET_MAX (18 * 3600)
#define AFK_PREFIX "aw-watcher-afk"

/* json-c's default nesting limit (JSON_TOKENER_DEFAULT_DEPTH): values sit at
 * most 31 levels below the root. */
#define DEPTH_MAX 32

#define NO_EVENTS SIZE_MAX

typedef struct AwParser {
        ImportParsed p;
        bool strict;
        AcctOffsetFn offset_fn;
        void *offset_userdata;
        ImportRejectFn reject;
        void *userdata;
        uint64_t index;
} AwParser;

/* ---- the scanner: json-c's strict grammar, without building anything ----
 *
 * Each function takes the buffer s[0..len) and a position; they never read at
 * or past len, and return -EBADMSG for anything json-c would refuse. Strictness
 * as json-c 0.16 has it: whitespace is space, tab, CR and LF; no comments, no
 * trailing commas; strings in double quotes, but names may also be in single
 * quotes; control characters are taken inside strings, a NUL is not; numbers as
 * json-c reads them (NaN, Infinity, -Infinity, "1.", "-.5", "-01", "00" and 1e999
 * are numbers, "01", "+1", ".5" and "1e" are not). */

static bool is_ws(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t scan_ws(const char *s, size_t len, size_t i) {
        while (i < len && is_ws(s[i]))
                i++;
        return i;
}

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

static bool is_hex(char c) {
        return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A string from its opening quote at *pos; *pos goes past the closing one. */
static int scan_string(const char *s, size_t len, size_t *pos, char quote) {
        size_t i = *pos + 1;

        for (;;) {
                while (i < len && s[i] != quote && s[i] != '\\' && s[i] != '\0')
                        i++;
                if (i >= len || s[i] == '\0')
                        return -EBADMSG;
                if (s[i] == quote) {
                        *pos = i + 1;
                        return 0;
                }
                if (++i >= len)
                        return -EBADMSG;
                switch (s[i]) {
                case '"':
                case '\\':
                case '/':
                case 'b':
                case 'f':
                case 'n':
                case 'r':
                case 't':
                        i++;
                        break;
                case 'u':
                        if (len - i < 5)
                                return -EBADMSG;
                        for (size_t k = 1; k <= 4; k++)
                                if (!is_hex(s[i + k]))
                                        return -EBADMSG;
                        i += 5;
                        break;
                default:
                        return -EBADMSG;
                }
        }
}

/* Exactly the bytes of word at *pos. Like json-c we do not look at what comes
 * next: the enclosing array or object checks that. */
static int scan_word(const char *s, size_t len, size_t *pos, const char *word) {
        size_t n = strlen(word);

        if (len - *pos < n || memcmp(s + *pos, word, n) != 0)
                return -EBADMSG;
        *pos += n;
        return 0;
}

/* A number from its first character (a digit or '-'). The characters json-c
 * gathers into a number, then its checks: a double must be all read by strtod,
 * an integer with a leading zero must be zero, a '-' alone must start
 * -Infinity. Out-of-range values are taken (json-c saturates them). */
static int scan_number(const char *s, size_t len, size_t *pos) {
        size_t start = *pos, i = start, j;
        bool is_double = false, is_exp = false, neg_ok = true, pos_ok = false;
        size_t digits = 0;

        while (i < len) {
                char c = s[i];

                if (!(is_digit(c) || (!is_exp && (c == 'e' || c == 'E')) || (neg_ok && c == '-') ||
                      (pos_ok && c == '+') || (!is_double && c == '.')))
                        break;
                neg_ok = pos_ok = false;
                if (c == '.')
                        is_double = neg_ok = pos_ok = true;
                else if (c == 'e' || c == 'E')
                        is_exp = is_double = neg_ok = pos_ok = true;
                i++;
        }
        if (i >= len) /* a number is never the whole document here */
                return -EBADMSG;

        if (i - start == 1 && s[start] == '-' && (s[i] == 'I' || s[i] == 'i')) {
                *pos = i;
                return scan_word(s, len, pos, "Infinity");
        }

        j = start + (s[start] == '-');
        if (!is_double) {
                /* '-' only comes first here, the rest are digits */
                if (j == i)
                        return -EBADMSG;
                if (s[start] == '0')
                        for (size_t k = start + 1; k < i; k++)
                                if (s[k] != '0')
                                        return -EBADMSG;
                *pos = i;
                return 0;
        }

        /* What strtod reads in full: digits, '.', digits (at least one digit
         * in all), then e, a sign, at least one digit. */
        while (j < i && is_digit(s[j]))
                j++, digits++;
        if (j < i && s[j] == '.')
                for (j++; j < i && is_digit(s[j]); j++)
                        digits++;
        if (digits == 0)
                return -EBADMSG;
        if (j < i && (s[j] == 'e' || s[j] == 'E')) {
                size_t e;

                j++;
                if (j < i && (s[j] == '+' || s[j] == '-'))
                        j++;
                for (e = j; j < i && is_digit(s[j]); j++)
                        ;
                if (j == e)
                        return -EBADMSG;
        }
        if (j != i)
                return -EBADMSG;
        *pos = i;
        return 0;
}

/* A member's name and the ':' after it; *pos goes from the name's quote
 * (whitespace before it already skipped) to the value's first character, which
 * is there (< len). The name's content is s[*ret_a..*ret_b). */
static int scan_name(const char *s, size_t len, size_t *pos, size_t *ret_a, size_t *ret_b) {
        size_t i = *pos;
        int r;

        if (i >= len || (s[i] != '"' && s[i] != '\''))
                return -EBADMSG;
        r = scan_string(s, len, &i, s[i]);
        if (r < 0)
                return r;
        *ret_a = *pos + 1;
        *ret_b = i - 1;
        i = scan_ws(s, len, i);
        if (i >= len || s[i] != ':')
                return -EBADMSG;
        i = scan_ws(s, len, i + 1);
        if (i >= len)
                return -EBADMSG;
        *pos = i;
        return 0;
}

/* One value of any kind, at *pos or after whitespace, that sits depth levels
 * below the root; *pos goes past it. Nesting is followed with a fixed stack,
 * not recursion: DEPTH_MAX bounds it. */
static int scan_value(const char *s, size_t len, size_t *pos, unsigned depth) {
        bool in_object[DEPTH_MAX];
        unsigned n = 0; /* containers open */
        size_t i = scan_ws(s, len, *pos), a, b;
        int r;

        if (depth >= DEPTH_MAX)
                return -EBADMSG;

        for (;;) {
                /* A value starts at i, depth + n below the root. */
                if (i >= len)
                        return -EBADMSG;
                switch (s[i]) {
                case '{':
                case '[': {
                        bool obj = s[i] == '{';

                        i = scan_ws(s, len, i + 1);
                        if (i < len && s[i] == (obj ? '}' : ']')) {
                                i++;
                                r = 0;
                                break;
                        }
                        /* Its members would be depth + n + 1 below the root. */
                        if (depth + n + 1 >= DEPTH_MAX)
                                return -EBADMSG;
                        in_object[n++] = obj;
                        if (obj) {
                                r = scan_name(s, len, &i, &a, &b);
                                if (r < 0)
                                        return r;
                        }
                        continue;
                }
                case '"':
                        r = scan_string(s, len, &i, '"');
                        break;
                case 't':
                        r = scan_word(s, len, &i, "true");
                        break;
                case 'f':
                        r = scan_word(s, len, &i, "false");
                        break;
                case 'n':
                        r = scan_word(s, len, &i, "null");
                        break;
                case 'N':
                        r = scan_word(s, len, &i, "NaN");
                        break;
                case 'I':
                        r = scan_word(s, len, &i, "Infinity");
                        break;
                case '-':
                case '0' ... '9':
                        r = scan_number(s, len, &i);
                        break;
                default:
                        return -EBADMSG;
                }
                if (r < 0)
                        return r;

                /* After a value: close what ends here, then go on to the next
                 * member of the innermost container still open. */
                for (;;) {
                        if (n == 0) {
                                *pos = i;
                                return 0;
                        }
                        i = scan_ws(s, len, i);
                        if (i >= len)
                                return -EBADMSG;
                        if (s[i] == ',') {
                                i = scan_ws(s, len, i + 1);
                                if (in_object[n - 1]) {
                                        r = scan_name(s, len, &i, &a, &b);
                                        if (r < 0)
                                                return r;
                                }
                                break;
                        }
                        if (s[i] != (in_object[n - 1] ? '}' : ']'))
                                return -EBADMSG;
                        i++;
                        n--;
                }
        }
}

/* The members of the object whose '{' is at *pos, one a call: 1 with the name's
 * content in s[*ret_a..*ret_b) and *pos at the value (the caller moves it past);
 * 0 once past the closing '}'. *first is true on the first call. */
static int scan_member(const char *s, size_t len, size_t *pos, bool *first, size_t *ret_a, size_t *ret_b) {
        size_t i = *pos;
        int r;

        if (*first) {
                *first = false;
                i = scan_ws(s, len, i + 1);
                if (i < len && s[i] == '}') {
                        *pos = i + 1;
                        return 0;
                }
        } else {
                i = scan_ws(s, len, i);
                if (i >= len)
                        return -EBADMSG;
                if (s[i] == '}') {
                        *pos = i + 1;
                        return 0;
                }
                if (s[i] != ',')
                        return -EBADMSG;
                i = scan_ws(s, len, i + 1);
        }
        r = scan_name(s, len, &i, ret_a, ret_b);
        if (r < 0)
                return r;
        *pos = i;
        return 1;
}

/* ---- strings as json-c decodes them ---- */

#define IS_HIGH_SURROGATE(u) (((u) & 0xFC00) == 0xD800)
#define IS_LOW_SURROGATE(u) (((u) & 0xFC00) == 0xDC00)
#define DECODE_SURROGATE_PAIR(hi, lo) ((((hi) & 0x3FF) << 10) + ((lo) & 0x3FF) + 0x10000)

static unsigned hex_value(char c) {
        return is_digit(c) ? (unsigned) (c - '0') : ((unsigned) c & 7) + 9;
}

static size_t put_replacement(char *out, size_t k) {
        memcpy(out + k, "\xEF\xBF\xBD", 3);
        return k + 3;
}

/* The content s[a..b) of a string scan_string() took, decoded into out (room
 * for b - a bytes: nothing decodes longer); returns the length. Byte for byte
 * what json-c makes of it, down to its quirks: a surrogate not in a pair
 * becomes U+FFFD, and so does a code point whose low 16 bits look like one
 * (json-c tests them with a 16-bit mask). */
static size_t string_decode(const char *s, size_t a, size_t b, char *out) {
        unsigned high = 0;
        size_t k = 0;

        for (size_t i = a; i < b;) {
                unsigned u;

                if (s[i] != '\\' || s[i + 1] != 'u') {
                        if (high) {
                                k = put_replacement(out, k);
                                high = 0;
                        }
                        if (s[i] != '\\') {
                                out[k++] = s[i++];
                                continue;
                        }
                        switch (s[i + 1]) {
                        case 'b':
                                out[k++] = '\b';
                                break;
                        case 'f':
                                out[k++] = '\f';
                                break;
                        case 'n':
                                out[k++] = '\n';
                                break;
                        case 'r':
                                out[k++] = '\r';
                                break;
                        case 't':
                                out[k++] = '\t';
                                break;
                        default: /* '"', '\\', '/' */
                                out[k++] = s[i + 1];
                        }
                        i += 2;
                        continue;
                }

                u = hex_value(s[i + 2]) << 12 | hex_value(s[i + 3]) << 8 | hex_value(s[i + 4]) << 4 |
                    hex_value(s[i + 5]);
                i += 6;
                if (high) {
                        if (IS_LOW_SURROGATE(u))
                                u = DECODE_SURROGATE_PAIR(high, u);
                        else
                                k = put_replacement(out, k);
                        high = 0;
                }
                if (u < 0x80)
                        out[k++] = (char) u;
                else if (u < 0x800) {
                        out[k++] = (char) (0xC0 | (u >> 6));
                        out[k++] = (char) (0x80 | (u & 0x3F));
                } else if (IS_HIGH_SURROGATE(u))
                        high = u;
                else if (IS_LOW_SURROGATE(u))
                        k = put_replacement(out, k);
                else if (u < 0x10000) {
                        out[k++] = (char) (0xE0 | (u >> 12));
                        out[k++] = (char) (0x80 | ((u >> 6) & 0x3F));
                        out[k++] = (char) (0x80 | (u & 0x3F));
                } else {
                        /* at most 0x10FFFF from a pair */
                        out[k++] = (char) (0xF0 | ((u >> 18) & 0x07));
                        out[k++] = (char) (0x80 | ((u >> 12) & 0x3F));
                        out[k++] = (char) (0x80 | ((u >> 6) & 0x3F));
                        out[k++] = (char) (0x80 | (u & 0x3F));
                }
        }
        if (high)
                k = put_replacement(out, k);
        return k;
}

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

static int grow(void **p, size_t *size, size_t need, size_t elem) {
        size_t n = *size ? *size : 16;
        void *q;

        if (need <= *size)
                return 0;
        while (n < need) {
                if (n > SIZE_MAX / 2)
                        return -ENOMEM;
                n *= 2;
        }
        if (n > SIZE_MAX / elem)
                return -ENOMEM;
        q = realloc(*p, n * elem);
        if (!q)
                return -ENOMEM;
        *p = q;
        *size = n;
        return 0;
}

/* Decode the string content s[a..b) into sc->scratch; *ret_len its length. */
static int aw_decode(AwScan *sc, size_t a, size_t b, size_t *ret_len) {
        int r = grow((void **) &sc->scratch, &sc->scratch_size, b - a + 1, 1);

        if (r < 0)
                return r;
        *ret_len = string_decode(sc->s, a, b, sc->scratch);
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
                return scan_value(s, len, pos, 2);

        b->object = true;
        while ((r = scan_member(s, len, pos, &first, &na, &nb)) > 0) {
                bool is_type, is_id, is_events;
                size_t v = *pos;

                r = aw_name(sc, na, nb, &n);
                if (r < 0)
                        return r;
                is_type = bytes_are(sc->scratch, n, "type");
                is_id = bytes_are(sc->scratch, n, "id");
                is_events = bytes_are(sc->scratch, n, "events");

                r = scan_value(s, len, pos, 3);
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
        while ((r = scan_member(s, len, pos, &first, &na, &nb)) > 0) {
                AwBucket *b;

                r = aw_name(sc, na, nb, &n);
                if (r < 0)
                        return r;
                /* (one byte more: never empty, never NULL) */
                if (n >= SIZE_MAX - sc->names_len ||
                    (r = grow((void **) &sc->names, &sc->names_size, sc->names_len + n + 1, 1)) < 0 ||
                    (r = grow((void **) &sc->buckets, &sc->buckets_size, sc->n_buckets + 1, sizeof(AwBucket))) < 0)
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
        size_t len = sc->len, i = scan_ws(s, len, 0), na, nb;
        bool first = true;
        int r;

        sc->root_events = NO_EVENTS;
        if (i >= len)
                return -EMEDIUMTYPE;
        if (s[i] == '[') {
                sc->root_array = true;
                sc->root_events = i;
                r = scan_value(s, len, &i, 0);
        } else if (s[i] == '{') {
                while ((r = scan_member(s, len, &i, &first, &na, &nb)) > 0) {
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
                                r = scan_value(s, len, &i, 1);
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
                if (!is_ws(s[i]))
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
        size_t i = scan_ws(s, len, pos + 1);
        int r;

        if (i < len && s[i] == ']')
                return 0;
        for (;;) {
                size_t start = i;

                if (scan_value(s, len, &i, depth + 1) < 0)
                        return -EMEDIUMTYPE; /* the first pass checked it */
                r = aw_event_text(a, tok, s + start, i - start);
                if (r < 0)
                        return r;
                i = scan_ws(s, len, i);
                if (i >= len)
                        return -EMEDIUMTYPE;
                if (s[i] == ']')
                        return 0;
                i = scan_ws(s, len, i + 1); /* past the ',' */
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

int import_parse_activitywatch(const char *buf, size_t len, bool strict, AcctOffsetFn offset_fn, void *offset_userdata,
                               ImportRejectFn reject, void *userdata, ImportParsed *ret) {
        _cleanup_(tokener_freep) json_tokener *tok = NULL;
        _cleanup_(aw_scan_done) AwScan sc = {};
        AwParser a = {
                .strict = strict,
                .offset_fn = offset_fn,
                .offset_userdata = offset_userdata,
                .reject = reject,
                .userdata = userdata,
        };
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

/* Import from CSV: "start,end,state" rows (see import.h).
 *
 * The text is hostile: it is walked by length (a NUL byte is just a byte that
 * makes a field invalid), lines are bounded, and every message names the
 * physical line (1-based, the header counts, blank lines count; a BOM does not
 * make a line). Blank lines are skipped and are not rows. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "import.h"
#include "macro.h"

#define CSV_LINE_MAX 4096
#define CSV_FIELDS 3
#define SPAN_MAX (31 * INT64_C(86400))

typedef struct Field {
        const char *p;
        size_t n;
} Field;

static bool is_blank(char c) {
        return c == ' ' || c == '\t';
}

static bool line_is_blank(const char *s, size_t n) {
        for (size_t i = 0; i < n; i++)
                if (!is_blank(s[i]))
                        return false;
        return true;
}

/* Split a line at commas. A field may be wrapped in double quotes (a comma
 * inside them does not split; "" stays as it is, no valid value has one);
 * blanks around fields and quotes are dropped. Stores up to CSV_FIELDS fields
 * and returns how many there are, or -EINVAL with *ret_reason. */
static int csv_split(const char *s, size_t n, Field *f, const char **ret_reason) {
        size_t i = 0;
        int count = 0;

        for (;;) {
                const char *p;
                size_t fn;

                while (i < n && is_blank(s[i]))
                        i++;
                if (i < n && s[i] == '"') {
                        size_t j = i + 1;

                        for (;;) {
                                if (j >= n) {
                                        *ret_reason = "unterminated quote";
                                        return -EINVAL;
                                }
                                if (s[j] == '"') {
                                        if (j + 1 < n && s[j + 1] == '"') {
                                                j += 2;
                                                continue;
                                        }
                                        break;
                                }
                                j++;
                        }
                        p = s + i + 1;
                        fn = j - i - 1;
                        i = j + 1;
                        while (i < n && is_blank(s[i]))
                                i++;
                        if (i < n && s[i] != ',') {
                                *ret_reason = "text after closing quote";
                                return -EINVAL;
                        }
                } else {
                        const char *c = i < n ? memchr(s + i, ',', n - i) : NULL;
                        size_t e = c ? (size_t) (c - s) : n;

                        p = s + i;
                        fn = e - i;
                        while (fn > 0 && is_blank(p[fn - 1]))
                                fn--;
                        i = e;
                }
                if (count < CSV_FIELDS)
                        f[count] = (Field) { p, fn };
                count++;
                if (i >= n)
                        return count;
                i++; /* the comma */
        }
}

static bool field_is(const Field *f, const char *word) {
        size_t n = strlen(word);

        return f->n == n && strncasecmp(f->p, word, n) == 0;
}

/* The last change of the time zone that a row was checked against: offset a
 * on [from, at), b on [at, to]. Rows across the same change are common (a log
 * of every day); they are checked against it without asking the zone again. */
typedef struct CsvChange {
        int64_t from, at, to;
        int32_t a, b;
        bool known;
} CsvChange;

/* Where the time zone changes from offset a to offset b within (start, end]:
 * its offset is a at start and b at end, and it changes once, at *ret_t (a
 * binary search, then a check at every hour on both sides; or *c, the change
 * checked last, when the row lies within its span). -ESRCH when the zone says
 * otherwise. */
static int csv_offset_change(const ImportOptions *o, CsvChange *c, int64_t start, int64_t end, int32_t a, int32_t b,
                             int64_t *ret_t) {
        int64_t lo = start, hi = end;

        if (c->known && c->a == a && c->b == b && c->from <= start && start < c->at && c->at <= end && end <= c->to) {
                *ret_t = c->at;
                return 0;
        }
        if (o->offset_fn(start, o->offset_userdata) != a || o->offset_fn(end, o->offset_userdata) != b)
                return -ESRCH;
        while (hi - lo > 1) {
                int64_t mid = lo + (hi - lo) / 2;
                int32_t m = o->offset_fn(mid, o->offset_userdata);

                if (m == a)
                        lo = mid;
                else if (m == b)
                        hi = mid;
                else
                        return -ESRCH;
        }
        for (int64_t t = start; t < hi; t += 3600)
                if (o->offset_fn(t, o->offset_userdata) != a)
                        return -ESRCH;
        for (int64_t t = hi; t < end; t += 3600)
                if (o->offset_fn(t, o->offset_userdata) != b)
                        return -ESRCH;
        *c = (CsvChange) { .from = start, .at = hi, .to = end, .a = a, .b = b, .known = true };
        *ret_t = hi;
        return 0;
}

/* [start, end) in one state, split at t into a part with offset a and one with b. */
static int csv_add(ImportParsed *p, int64_t start, int64_t t, int64_t end, int32_t a, int32_t b, bool active,
                   uint64_t line) {
        int r = 0;

        if (start < t)
                r = import_parsed_add(p, &(ImportInterval) { start, t, a, active, line });
        if (r >= 0 && t < end)
                r = import_parsed_add(p, &(ImportInterval) { t, end, b, active, line });
        return r;
}

/* One data row; 0 when it was taken or rejected without strict. */
static int csv_row(ImportParsed *p, const char *s, size_t n, uint64_t line, const ImportOptions *o, CsvChange *c) {
        Field f[CSV_FIELDS];
        const char *reason = NULL;
        int64_t start, end;
        int64_t change;
        int32_t off_start, off_end;
        bool active;
        int r;

        p->rows_read++;
        if (n > CSV_LINE_MAX)
                return import_reject(p, o, line, "line longer than 4096 bytes", NULL, 0);

        r = csv_split(s, n, f, &reason);
        if (r < 0)
                return import_reject(p, o, line, reason, NULL, 0);
        if (r != CSV_FIELDS) {
                char msg[64];

                snprintf(msg, sizeof msg, "%d fields expected, got %d", CSV_FIELDS, r);
                return import_reject(p, o, line, msg, NULL, 0);
        }

        r = import_parse_timestamp(f[0].p, f[0].n, &start, NULL, &off_start);
        if (r < 0)
                return import_reject(p, o, line, "bad start timestamp", NULL, 0);
        if (r == 0)
                return import_reject(p, o, line, "start has no UTC offset", NULL, 0);
        r = import_parse_timestamp(f[1].p, f[1].n, &end, NULL, &off_end);
        if (r < 0)
                return import_reject(p, o, line, "bad end timestamp", NULL, 0);
        if (r == 0)
                return import_reject(p, o, line, "end has no UTC offset", NULL, 0);

        if (field_is(&f[2], "active"))
                active = true;
        else if (field_is(&f[2], "inactive"))
                active = false;
        else
                return import_reject(p, o, line, "unknown state", f[2].p, f[2].n);

        if (off_start != off_end && !o->offset_fn)
                return import_reject(p, o, line, "start and end have different UTC offsets", NULL, 0);
        if (end <= start)
                return import_reject(p, o, line, "end is not after start", NULL, 0);
        if (end - start > SPAN_MAX)
                return import_reject(p, o, line, "row spans more than 31 days", NULL, 0);
        r = import_check_future(p, o, line, end);
        if (r <= 0)
                return r;

        change = end;
        if (off_start != off_end) {
                if (csv_offset_change(o, c, start, end, off_start, off_end, &change) < 0)
                        return import_reject(p, o, line,
                                             "start and end have different UTC offsets, and the time zone "
                                             "(TZ) has no such change between them", NULL, 0);
        }
        return csv_add(p, start, change, end, off_start, off_end, active, line);
}

int import_parse_csv(const char *buf, size_t len, const ImportOptions *o, ImportParsed *ret) {
        ImportParsed p = {};
        CsvChange change = {};
        const char *s = buf, *end = buf + len;
        bool header = false;
        uint64_t line = 0;
        int r;

        if (!ret || !o || (len > 0 && !buf))
                return -EINVAL;
        *ret = (ImportParsed) {};

        if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
                s += 3;

        while (s < end) {
                const char *nl = memchr(s, '\n', (size_t) (end - s));
                const char *next = nl ? nl + 1 : end;
                size_t n = (size_t) ((nl ? nl : end) - s);

                line++;
                if (n > 0 && s[n - 1] == '\r')
                        n--;

                if (!header) {
                        Field f[CSV_FIELDS];
                        const char *reason;

                        /* Blank lines before the header are allowed; anything
                         * else that is not our header means another format. */
                        if (n <= CSV_LINE_MAX && line_is_blank(s, n)) {
                                s = next;
                                continue;
                        }
                        if (n > CSV_LINE_MAX || csv_split(s, n, f, &reason) != CSV_FIELDS ||
                            !field_is(&f[0], "start") || !field_is(&f[1], "end") || !field_is(&f[2], "state"))
                                return -EMEDIUMTYPE;
                        header = true;
                } else if (n > CSV_LINE_MAX || !line_is_blank(s, n)) {
                        r = csv_row(&p, s, n, line, o, &change);
                        if (r < 0) {
                                import_parsed_done(&p);
                                return r;
                        }
                }
                s = next;
        }

        if (!header)
                return -EMEDIUMTYPE;
        *ret = p;
        return 0;
}

/* Import: what the parsers share (timestamps, growing arrays, the interval list,
 * rejections) and the conversion of intervals into local-hour buckets.
 *
 * Timestamps are computed with our own days-from-civil arithmetic, not timegm():
 * no time zone state, nothing that depends on the machine. Fractional seconds are
 * truncated, so a start and an end are both rounded down to the whole second
 * (an interval [08:00:00.7, 08:00:01.2) becomes [08:00:00, 08:00:01)). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "import.h"
#include "macro.h"

#define SEC_PER_HOUR INT64_C(3600)
#define SEC_PER_DAY INT64_C(86400)
#define OFFSET_MAX (18 * 3600)

/* Far beyond year 9999 + 31 days, far below where t + offset could overflow. */
#define TIME_LIMIT (INT64_C(1) << 40)

/* How much of a quoted value a message shows. */
#define QUOTED_MAX 32

void import_parsed_done(ImportParsed *p) {
        if (!p)
                return;
        free(p->intervals);
        *p = (ImportParsed) {};
}

int import_grow(void **p, size_t *size, size_t need, size_t elem) {
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

int import_parsed_add(ImportParsed *p, const ImportInterval *iv) {
        int r = import_grow((void **) &p->intervals, &p->cap, p->n + 1, sizeof *p->intervals);

        if (r < 0)
                return r;
        p->intervals[p->n++] = *iv;
        return 0;
}

int import_reject(ImportParsed *p, const ImportOptions *o, uint64_t line, const char *reason, const char *quoted,
                  size_t quoted_len) {
        char msg[128];

        p->rows_rejected++;
        if (o->reject) {
                if (quoted) {
                        /* The value comes from the file: printable ASCII only, so a
                         * message cannot carry terminal escapes or a line break. */
                        char shown[QUOTED_MAX + 4];
                        size_t i, k = 0;

                        for (i = 0; i < quoted_len && i < QUOTED_MAX; i++) {
                                unsigned char c = (unsigned char) quoted[i];
                                shown[k++] = c >= 0x20 && c < 0x7f ? (char) c : '?';
                        }
                        if (quoted_len > QUOTED_MAX) {
                                memcpy(shown + k, "...", 3);
                                k += 3;
                        }
                        shown[k] = '\0';
                        snprintf(msg, sizeof msg, "%s '%s'", reason, shown);
                        reason = msg;
                }
                o->reject(line, reason, o->userdata);
        }
        return o->strict ? -EBADMSG : 0;
}

int import_check_future(ImportParsed *p, const ImportOptions *o, uint64_t line, int64_t end) {
        int r;

        if (o->now == 0 || end <= o->now)
                return 1;
        p->rows_future++;
        r = import_reject(p, o, line, "ends in the future", NULL, 0);
        return r < 0 ? r : 0;
}

/* ---- timestamps ---- */

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant,
 * "chrono-Compatible Low-Level Date Algorithms", days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d) {
        int64_t era, yoe, doy, doe;

        y -= m <= 2;
        era = (y >= 0 ? y : y - 399) / 400;
        yoe = y - era * 400;
        doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
        doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m) {
        static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

        return m == 2 && leap ? 29 : days[m - 1];
}

/* Exactly n decimal digits at s. */
static int parse_digits(const char *s, size_t n, int *ret) {
        int v = 0;

        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                v = v * 10 + (s[i] - '0');
        }
        *ret = v;
        return 0;
}

int import_parse_timestamp(const char *s, size_t len, int64_t *ret_t, int32_t *ret_frac_ns, int32_t *ret_offset) {
        int y, mo, d, h, mi, sec, oh = 0, om = 0, frac = 0, sign = 0;
        int32_t off = 0;
        size_t i;

        /* YYYY-MM-DDTHH:MM:SS is 19 characters */
        if (len < 19)
                return -EINVAL;
        if (parse_digits(s, 4, &y) < 0 || s[4] != '-' || parse_digits(s + 5, 2, &mo) < 0 || s[7] != '-' ||
            parse_digits(s + 8, 2, &d) < 0 || !(s[10] == 'T' || s[10] == 't' || s[10] == ' ') ||
            parse_digits(s + 11, 2, &h) < 0 || s[13] != ':' || parse_digits(s + 14, 2, &mi) < 0 ||
            s[16] != ':' || parse_digits(s + 17, 2, &sec) < 0)
                return -EINVAL;
        if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
                return -EINVAL;
        if (sec == 60) /* a leap second: the last second of its minute */
                sec = 59;

        i = 19;
        if (i < len && (s[i] == '.' || s[i] == ',')) {
                size_t digits = 0;

                for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++, digits++)
                        if (digits < 9)
                                frac = frac * 10 + (s[i] - '0');
                if (digits == 0)
                        return -EINVAL;
                for (; digits < 9; digits++)
                        frac *= 10;
        }

        if (i < len) {
                if (s[i] == 'Z' || s[i] == 'z') {
                        i++;
                        sign = 1;
                } else if (s[i] == '+' || s[i] == '-') {
                        sign = s[i] == '+' ? 1 : -1;
                        i++;
                        if (len - i == 5 && s[i + 2] == ':') {
                                if (parse_digits(s + i, 2, &oh) < 0 || parse_digits(s + i + 3, 2, &om) < 0)
                                        return -EINVAL;
                        } else if (len - i == 4) {
                                if (parse_digits(s + i, 2, &oh) < 0 || parse_digits(s + i + 2, 2, &om) < 0)
                                        return -EINVAL;
                        } else
                                return -EINVAL;
                        i = len;
                        if (om > 59 || oh * 3600 + om * 60 > OFFSET_MAX)
                                return -EINVAL;
                        off = sign * (oh * 3600 + om * 60);
                } else
                        return -EINVAL;
                if (i != len)
                        return -EINVAL;
        }

        if (ret_t)
                *ret_t = days_from_civil(y, mo, d) * SEC_PER_DAY + h * SEC_PER_HOUR + mi * 60 + sec - off;
        if (ret_frac_ns)
                *ret_frac_ns = frac;
        if (ret_offset)
                *ret_offset = off;
        return sign != 0;
}

/* ---- intervals → buckets ----
 *
 * 1. Sort a copy by (start, line, then the rest, so that even identical keys sort
 *    the same way whatever the input order).
 * 2. Merge the active intervals into disjoint active ranges.
 * 3. Walk the sorted intervals keeping the furthest end seen so far: interval i
 *    owns [max(start_i, furthest), end_i). Every earlier interval starts no later,
 *    so the part before `furthest` is covered by one of them; the part after is
 *    covered by none. The owned pieces are disjoint, in time order, and cover the
 *    union; each second's owner is the covering row that starts earliest (ties:
 *    lower line), whose offset it takes.
 * 4. Cut each piece by the active ranges (one forward pointer: pieces only move
 *    forward) and then at local hour boundaries of its offset, summing into
 *    buckets keyed by (start, offset); sort and merge those of one UTC start,
 *    which cover the same instants, under the offset that came first in time.
 * O(n log n) time, memory linear in n plus the number of hours covered. */

typedef struct Range {
        int64_t start, end;
} Range;

typedef struct BucketList {
        AcctBucket *b;
        size_t n, cap;
} BucketList;

static int cmp_interval(const void *x, const void *y) {
        const ImportInterval *a = x, *b = y;

        return CMP(a->start, b->start) ?: CMP(a->line, b->line) ?: CMP(a->end, b->end) ?:
               CMP(a->utc_offset, b->utc_offset) ?: CMP(a->active, b->active);
}

/* A bucket and its place in time order, for a stable sort by start. */
typedef struct Ordered {
        AcctBucket b;
        size_t pos;
} Ordered;

static int cmp_ordered(const void *x, const void *y) {
        const Ordered *a = x, *b = y;

        return CMP(a->b.start, b->b.start) ?: CMP(a->pos, b->pos);
}

static int bucket_add(BucketList *l, int64_t start, int32_t off, int32_t active, int32_t observed) {
        AcctBucket *last = l->n > 0 ? &l->b[l->n - 1] : NULL;
        int r;

        /* Consecutive pieces usually fall into the same hour. */
        if (last && last->start == start && last->utc_offset == off) {
                last->active_s += active;
                last->observed_s += observed;
                return 0;
        }
        r = import_grow((void **) &l->b, &l->cap, l->n + 1, sizeof *l->b);
        if (r < 0)
                return r;
        l->b[l->n++] = (AcctBucket) { .start = start, .utc_offset = off, .active_s = active, .observed_s = observed };
        return 0;
}

/* [a, e) in one state under one offset, cut at local hour boundaries. */
static int piece_add(BucketList *l, int64_t a, int64_t e, int32_t off, bool active) {
        while (a < e) {
                int64_t hs = floor_div(a + off, SEC_PER_HOUR) * SEC_PER_HOUR - off;
                int64_t x = e < hs + SEC_PER_HOUR ? e : hs + SEC_PER_HOUR;
                int32_t s = (int32_t) (x - a);
                int r;

                r = bucket_add(l, hs, off, active ? s : 0, s);
                if (r < 0)
                        return r;
                a = x;
        }
        return 0;
}

int import_merge_hours(AcctBucket *b, size_t n, size_t *ret_n) {
        _cleanup_free_ Ordered *order = NULL;
        size_t k = 0;

        if (n > SIZE_MAX / sizeof *order)
                return -ENOMEM;
        order = malloc((n ? n : 1) * sizeof *order);
        if (!order)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                order[i] = (Ordered) { b[i], i };
        qsort(order, n, sizeof *order, cmp_ordered);
        for (size_t i = 0; i < n; i++) {
                const AcctBucket *x = &order[i].b;

                if (k > 0 && b[k - 1].start == x->start) {
                        int64_t o = (int64_t) b[k - 1].observed_s + x->observed_s;
                        int64_t a = (int64_t) b[k - 1].active_s + x->active_s;

                        b[k - 1].observed_s = (int32_t) (o > SEC_PER_HOUR ? SEC_PER_HOUR : o);
                        b[k - 1].active_s = (int32_t) (a > b[k - 1].observed_s ? b[k - 1].observed_s : a);
                } else
                        b[k++] = *x;
        }
        *ret_n = k;
        return 0;
}

int import_to_buckets(const ImportInterval *iv, size_t n, AcctBucket **ret, size_t *ret_n) {
        _cleanup_free_ ImportInterval *sorted = NULL;
        _cleanup_free_ Range *act = NULL;
        BucketList l = {};
        size_t m = 0, ai = 0, k;
        int64_t furthest = INT64_MIN;
        int r;

        if (n > 0 && !iv)
                return -EINVAL;
        for (size_t i = 0; i < n; i++)
                if (iv[i].start >= iv[i].end || iv[i].start < -TIME_LIMIT || iv[i].end > TIME_LIMIT ||
                    iv[i].utc_offset < -OFFSET_MAX || iv[i].utc_offset > OFFSET_MAX)
                        return -EINVAL;
        if (n == 0) {
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }
        if (n > SIZE_MAX / sizeof *sorted)
                return -ENOMEM;

        sorted = malloc(n * sizeof *sorted);
        act = malloc(n * sizeof *act);
        if (!sorted || !act)
                return -ENOMEM;
        memcpy(sorted, iv, n * sizeof *sorted);
        qsort(sorted, n, sizeof *sorted, cmp_interval);

        for (size_t i = 0; i < n; i++) {
                if (!sorted[i].active)
                        continue;
                if (m > 0 && sorted[i].start <= act[m - 1].end) {
                        if (sorted[i].end > act[m - 1].end)
                                act[m - 1].end = sorted[i].end;
                } else
                        act[m++] = (Range) { sorted[i].start, sorted[i].end };
        }

        for (size_t i = 0; i < n; i++) {
                int64_t a = sorted[i].start > furthest ? sorted[i].start : furthest;
                int64_t b = sorted[i].end;
                int32_t off = sorted[i].utc_offset;

                if (b > furthest)
                        furthest = b;
                while (a < b) {
                        int64_t e;
                        bool active;

                        while (ai < m && act[ai].end <= a)
                                ai++;
                        if (ai < m && act[ai].start <= a) {
                                e = act[ai].end < b ? act[ai].end : b;
                                active = true;
                        } else {
                                e = ai < m && act[ai].start < b ? act[ai].start : b;
                                active = false;
                        }
                        r = piece_add(&l, a, e, off, active);
                        if (r < 0)
                                goto fail;
                        a = e;
                }
        }

        /* Pieces with different offsets interleave their buckets. The pieces are
         * disjoint, so no bucket can exceed its hour; the cap only guards the
         * invariant. */
        r = import_merge_hours(l.b, l.n, &k);
        if (r < 0)
                goto fail;

        *ret = l.b;
        *ret_n = k;
        return 0;

fail:
        free(l.b);
        return r;
}

/* Checks shared by the import fuzz targets: rejections reported once, in order
 * and printable; buckets that keep the store's invariants, add up to exactly the
 * seconds covered and do not depend on the order of the rows. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"

#define SPAN_MAX (31 * INT64_C(86400))
#define OFFSET_MAX (18 * 3600)

typedef struct Rejects {
        uint64_t n, first_line, last_line;
} Rejects;

static void on_reject(uint64_t line, const char *reason, void *userdata) {
        Rejects *r = userdata;

        if (line == 0 || !reason || !reason[0] || strlen(reason) > 127)
                abort();
        for (const char *c = reason; *c; c++)
                if ((unsigned char) *c < 0x20 || *c == 0x7f)
                        abort();
        if (r->n > 0 && line <= r->last_line)
                abort();
        if (r->n == 0)
                r->first_line = line;
        r->last_line = line;
        r->n++;
}

static int cmp_start(const void *x, const void *y) {
        const ImportInterval *a = x, *b = y;

        return a->start < b->start ? -1 : a->start > b->start;
}

/* The length of the union of the intervals (active ones only if only_active),
 * worked out the plain way. */
static int64_t union_length(const ImportInterval *iv, size_t n, bool only_active) {
        ImportInterval *c = malloc((n ? n : 1) * sizeof *c);
        int64_t total = 0, s = 0, e = 0;
        size_t m = 0;
        bool open = false;

        if (!c)
                abort();
        for (size_t i = 0; i < n; i++)
                if (!only_active || iv[i].active)
                        c[m++] = iv[i];
        qsort(c, m, sizeof *c, cmp_start);
        for (size_t i = 0; i < m; i++) {
                if (open && c[i].start <= e) {
                        if (c[i].end > e)
                                e = c[i].end;
                        continue;
                }
                if (open)
                        total += e - s;
                s = c[i].start;
                e = c[i].end;
                open = true;
        }
        if (open)
                total += e - s;
        free(c);
        return total;
}

static void check_buckets(const ImportParsed *p) {
        AcctBucket *b = NULL, *b2 = NULL;
        ImportInterval *rev;
        size_t n = 0, n2 = 0;
        int64_t observed = 0, active = 0;

        if (import_to_buckets(p->intervals, p->n, &b, &n) < 0)
                abort();
        for (size_t i = 0; i < n; i++) {
                if (b[i].active_s < 0 || b[i].active_s > b[i].observed_s || b[i].observed_s <= 0 ||
                    b[i].observed_s > 3600)
                        abort();
                if (b[i].utc_offset < -OFFSET_MAX || b[i].utc_offset > OFFSET_MAX ||
                    (((b[i].start + b[i].utc_offset) % 3600) + 3600) % 3600 != 0)
                        abort();
                if (i > 0 && b[i - 1].start >= b[i].start) /* one bucket per UTC hour */
                        abort();
                observed += b[i].observed_s;
                active += b[i].active_s;
        }
        if (observed != union_length(p->intervals, p->n, false) || active != union_length(p->intervals, p->n, true))
                abort();

        /* The same rows backwards give the same buckets. */
        rev = malloc((p->n ? p->n : 1) * sizeof *rev);
        if (!rev)
                abort();
        for (size_t i = 0; i < p->n; i++)
                rev[i] = p->intervals[p->n - 1 - i];
        if (import_to_buckets(rev, p->n, &b2, &n2) < 0 || n2 != n)
                abort();
        for (size_t i = 0; i < n; i++)
                if (b[i].start != b2[i].start || b[i].utc_offset != b2[i].utc_offset ||
                    b[i].active_s != b2[i].active_s || b[i].observed_s != b2[i].observed_s)
                        abort();
        free(rev);
        free(b);
        free(b2);
}

static bool same_intervals(const ImportParsed *a, const ImportParsed *b) {
        if (a->n != b->n)
                return false;
        for (size_t i = 0; i < a->n; i++) {
                const ImportInterval *x = &a->intervals[i], *y = &b->intervals[i];

                if (x->start != y->start || x->end != y->end || x->utc_offset != y->utc_offset ||
                    x->active != y->active || x->line != y->line)
                        return false;
        }
        return true;
}

/* libFuzzer target for the CSV import: whatever the bytes, parsing never crashes
 * and never reads outside them; every rejection is reported once, with a line
 * and a printable reason; strict and non-strict agree; a row across an offset
 * change is split exactly where the (fake) time zone changes; nothing taken
 * ends after "now"; and the buckets made from what was accepted keep every
 * invariant of the store (0 <= active <= observed <= 3600, sorted and unique by
 * start), add up to exactly the seconds covered, and do not depend on the order
 * of the rows. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "import-checks.h"
#include "import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* "Now" for the parser: rows ending later are in the future. */
#define NOW INT64_C(1798761600) /* 2027-01-01T00:00:00Z */

/* A zone with summer time in 2026 only: +02:00 from 2026-03-29T01:00Z to
 * 2026-10-25T01:00Z, +01:00 otherwise. */
static int32_t offset_at(int64_t t, void *userdata) {
        (void) userdata;
        return t >= INT64_C(1774746000) && t < INT64_C(1792890000) ? 7200 : 3600;
}

static void check_parsed(const ImportParsed *p, const Rejects *rj) {
        uint64_t taken = 0;

        if (p->rows_rejected > p->rows_read || rj->n != p->rows_rejected || p->rows_future > p->rows_rejected)
                abort();
        if (p->n > 0 && !p->intervals)
                abort();
        for (size_t i = 0; i < p->n; i++) {
                const ImportInterval *v = &p->intervals[i], *prev = i > 0 ? v - 1 : NULL;

                if (v->start >= v->end || v->end - v->start > SPAN_MAX || v->utc_offset < -OFFSET_MAX ||
                    v->utc_offset > OFFSET_MAX || v->line < 2 || v->end > NOW || (prev && v->line < prev->line))
                        abort();
                if (!prev || v->line != prev->line) {
                        taken++;
                        continue;
                }
                /* The second part of a row split at the zone's change: it
                 * continues the first, and each part is in the zone's offset. */
                if (v->start != prev->end || v->active != prev->active || v->utc_offset == prev->utc_offset ||
                    offset_at(prev->start, NULL) != prev->utc_offset ||
                    offset_at(prev->end - 1, NULL) != prev->utc_offset || offset_at(v->start, NULL) != v->utc_offset ||
                    offset_at(v->end - 1, NULL) != v->utc_offset)
                        abort();
        }
        if (taken + p->rows_rejected != p->rows_read) /* CSV: every row taken or rejected */
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *buf = (const char *) data;
        ImportParsed lax = {}, strict = {};
        Rejects rl = {}, rs = {};
        ImportOptions o = { .now = NOW, .offset_fn = offset_at, .reject = on_reject, .userdata = &rl };
        int r, rstrict;

        r = import_parse_csv(buf, size, &o, &lax);
        if (r == -ENOMEM)
                return 0;
        if (r != 0 && r != -EMEDIUMTYPE)
                abort();
        if (size == 0 && r != -EMEDIUMTYPE)
                abort();
        if (r == 0) {
                check_parsed(&lax, &rl);
                check_buckets(&lax);
        } else if (lax.n != 0 || lax.intervals || rl.n != 0)
                abort();

        o.strict = true;
        o.userdata = &rs;
        rstrict = import_parse_csv(buf, size, &o, &strict);
        if (rstrict == -ENOMEM)
                goto out;
        if (r == -EMEDIUMTYPE) {
                if (rstrict != -EMEDIUMTYPE)
                        abort();
        } else if (lax.rows_rejected == 0) {
                /* Nothing bad: strict takes the same rows. */
                if (rstrict != 0 || rs.n != 0 || !same_intervals(&strict, &lax))
                        abort();
        } else {
                /* Strict stops at the first bad row, having reported it alone. */
                if (rstrict != -EBADMSG || rs.n != 1 || rs.first_line != rl.first_line || strict.intervals)
                        abort();
        }

out:
        import_parsed_done(&lax);
        import_parsed_done(&strict);
        return 0;
}

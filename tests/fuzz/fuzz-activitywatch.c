/* libFuzzer target for the ActivityWatch import: whatever the bytes, parsing
 * never crashes and never reads outside them; every rejected event is reported
 * once, with its index and a printable reason; strict and non-strict agree; and
 * nothing taken ends after "now"; the buckets made from what was accepted keep
 * every invariant of the store (0 <= active <= observed <= 3600, sorted and
 * unique by start), add up to exactly the seconds covered, and do not depend
 * on the order of the rows. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "import-checks.h"
#include "import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* "Now" for the parser: events ending later are in the future. */
#define NOW INT64_C(1798761600) /* 2027-01-01T00:00:00Z */

static void check_parsed(const ImportParsed *p, const Rejects *rj) {
        if (p->rows_rejected > p->rows_read || rj->n != p->rows_rejected)
                abort();
        if (p->n + p->rows_rejected > p->rows_read) /* events of zero length are only read */
                abort();
        if (p->n > 0 && !p->intervals)
                abort();
        for (size_t i = 0; i < p->n; i++) {
                const ImportInterval *v = &p->intervals[i];

                if (v->start >= v->end || v->end - v->start > SPAN_MAX || v->utc_offset < -OFFSET_MAX ||
                    v->utc_offset > OFFSET_MAX || v->line < 1 || v->line > p->rows_read || v->end > NOW ||
                    (i > 0 && v->line <= p->intervals[i - 1].line))
                        abort();
        }
}

/* A machine that travels: six offsets, a different one every two hours. */
static int32_t offset_at(int64_t t, void *userdata) {
        static const int32_t offsets[] = { 0, 3600, 19800, -36000, 50400, -34200 };
        int64_t slot = t / 7200 - (t % 7200 < 0);

        (void) userdata;
        return offsets[((slot % 6) + 6) % 6];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *buf = (const char *) data;
        ImportParsed lax = {}, strict = {};
        Rejects rl = {}, rs = {};
        ImportOptions o = { .now = NOW, .offset_fn = offset_at, .reject = on_reject, .userdata = &rl };
        int r, rstrict;

        r = import_parse_activitywatch(buf, size, &o, &lax);
        if (r == -ENOMEM)
                return 0;
        if (r != 0 && r != -EMEDIUMTYPE && r != -EFBIG)
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
        rstrict = import_parse_activitywatch(buf, size, &o, &strict);
        if (rstrict == -ENOMEM)
                goto out;
        if (r < 0) {
                if (rstrict != r)
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

/* libFuzzer target for reading kizuki's own export back (import --format
 * kizuki): whatever the bytes, parsing never crashes and never reads outside
 * them; it either fails with one of its documented errors, a message and
 * nothing returned, or returns only what the store and the daemon accept:
 * buckets on a local hour with 0 <= active <= observed <= 3600, check-ins with
 * an answer, answers in range, and nudges whose texts are printable. */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_text(const char *s, size_t max, bool optional) {
        if (!s) {
                if (!optional)
                        abort();
                return;
        }
        size_t n = strlen(s);
        if (n == 0 || n > max)
                abort();
        for (size_t i = 0; i < n; i++)
                if (((unsigned char) s[i] < 0x20 && s[i] != '\n') || s[i] == 0x7f)
                        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        ImportKizuki k;
        char err[256];
        int r;

        memset(err, 'x', sizeof err);
        r = import_parse_kizuki((const char *) data, size, &k, err, sizeof err);
        if (r == -ENOMEM)
                return 0;
        if (r < 0) {
                if (r != -EBADMSG && r != -EMEDIUMTYPE && r != -EPROTONOSUPPORT && r != -EFBIG)
                        abort();
                if (memchr(err, '\0', sizeof err) == NULL || err[0] == '\0')
                        abort();
                if (k.buckets || k.checkins || k.nudges || k.n_buckets || k.n_checkins || k.n_nudges)
                        abort();
                return 0;
        }
        if (r != 0 || err[0] != '\0')
                abort();
        for (size_t i = 0; i < k.n_buckets; i++) {
                const AcctBucket *b = &k.buckets[i];
                if (b->active_s < 0 || b->active_s > b->observed_s || b->observed_s > 3600 ||
                    b->utc_offset < -18 * 3600 || b->utc_offset > 18 * 3600 || b->start < 0 ||
                    (b->start + b->utc_offset) % 3600 != 0)
                        abort();
        }
        for (size_t i = 0; i < k.n_checkins; i++) {
                const Checkin *c = &k.checkins[i];
                if (c->went_out < -1 || c->went_out > 1 || c->met_someone < -1 || c->met_someone > 1 ||
                    c->mood == 0 || c->mood < -1 || c->mood > 5 || c->date % 86400 != 0 ||
                    (c->went_out < 0 && c->met_someone < 0 && c->mood < 0) || k.checkin_updated[i] < 0)
                        abort();
        }
        for (size_t i = 0; i < k.n_nudges; i++) {
                const NudgeRecord *n = &k.nudges[i];
                check_text(n->policy, 128, false);
                check_text(n->title, 4096, false);
                check_text(n->body, 4096, false);
                check_text(n->step, 4096, true);
                check_text(n->rule, 64, false);
                check_text(n->severity, 16, false);
                check_text(n->state, 16, false);
                if (n->date % 86400 != 0 || n->helpful < -1 || n->helpful > 1 || n->snoozed_until < 0 ||
                    isinf(n->value) || isinf(n->baseline) || isinf(n->score))
                        abort();
        }
        import_kizuki_done(&k);
        return 0;
}

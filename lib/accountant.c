/* The accountant: see accountant.h for the contract.
 *
 * Internally all times are µs. The cursor is the wall time of the last step
 * (where the timeline stands now), lo the earliest wall instant accounted:
 * fills only add time before lo, so a fill never overlaps the timeline.
 *
 * Per bucket the accountant keeps the µs accounted so far and the whole seconds
 * already handed out by accountant_pending() and committed. The open bucket
 * hands out floor(total), a closed one round(total): so a bucket that ends at
 * 3599.6 s is stored as 3600 s, and nothing is ever taken back.
 */
#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "accountant.h"
#include "calendar.h"
#include "macro.h"

#define HOUR_S INT64_C(3600)
#define BUCKET_CAP_US (HOUR_S * USEC_PER_SEC)

/* Clock values beyond ±2^60 µs (±36 000 years) are refused, so that no sum or
 * difference below can overflow. */
#define WALL_LIMIT_US (INT64_C(1) << 60)

/* One step or fill accounts at most this much (the most recent part): a clock
 * that leaps decades must not make us allocate a bucket per hour of it. */
#define SPAN_MAX_US (INT64_C(400) * 24 * HOUR_S * USEC_PER_SEC)

/* Buckets held at once (about two years of hours when nothing is committed). */
#define SLOTS_MAX ((size_t) 2 * 366 * 24)

typedef struct Slot {
        int64_t start;      /* UTC second at which the local hour starts */
        int32_t utc_offset;
        int64_t end;        /* UTC second at which it ends (earlier on an offset change) */
        int64_t active_us;
        int64_t observed_us;
        int64_t active_s_done;
        int64_t observed_s_done;
} Slot;

struct Accountant {
        AcctOffsetFn offset_fn;
        void *userdata;

        bool started;
        AcctTime prev;
        AcctState state;

        bool have_region;
        int64_t lo_us;
        int64_t cursor_us;

        int64_t last_jump_us; /* the last wall-clock jump seen by an update */

        Slot *slots; /* sorted by (start, utc_offset) */
        size_t n_slots;
        size_t n_allocated;
};

/* Where the instant t_us falls: the local hour's key and the end of its segment. */
typedef struct Segment {
        int64_t start;
        int32_t utc_offset;
        int64_t end;
} Segment;

static int64_t clamp64(int64_t x, int64_t lo, int64_t hi) {
        return x < lo ? lo : x > hi ? hi : x;
}

static int64_t max64(int64_t a, int64_t b) {
        return a > b ? a : b;
}

static int64_t min64(int64_t a, int64_t b) {
        return a < b ? a : b;
}

/* Rounds half up; x >= 0. */
static int64_t us_round_s(int64_t x) {
        return (x + USEC_PER_SEC / 2) / USEC_PER_SEC;
}

/* The local hour containing t_us. It ends at start + 1 h, or at the first second
 * with a different offset if the offset changes within the hour (found by
 * bisection: we assume at most one change per hour, as every real zone does). */
static void segment_at(const Accountant *a, int64_t t_us, Segment *ret) {
        int64_t t = floor_div(t_us, USEC_PER_SEC);
        int32_t off = a->offset_fn(t, a->userdata);
        int64_t start = floor_div(t + off, HOUR_S) * HOUR_S - off;
        int64_t end = start + HOUR_S;

        if (a->offset_fn(end - 1, a->userdata) != off) {
                /* offset(lo) == off, offset(hi) != off */
                int64_t lo = t, hi = end - 1;

                while (hi - lo > 1) {
                        int64_t mid = lo + (hi - lo) / 2;

                        if (a->offset_fn(mid, a->userdata) == off)
                                lo = mid;
                        else
                                hi = mid;
                }
                end = hi;
        }

        *ret = (Segment) { .start = start, .utc_offset = off, .end = end };
}

static int slot_cmp(const Slot *s, int64_t start, int32_t off) {
        if (s->start != start)
                return s->start < start ? -1 : 1;
        if (s->utc_offset != off)
                return s->utc_offset < off ? -1 : 1;
        return 0;
}

/* Index of the slot with this key, or where it would be inserted. */
static size_t slot_search(const Accountant *a, int64_t start, int32_t off, bool *ret_found) {
        size_t lo = 0, hi = a->n_slots;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                int c = slot_cmp(&a->slots[mid], start, off);

                if (c == 0) {
                        *ret_found = true;
                        return mid;
                }
                if (c < 0)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        *ret_found = false;
        return lo;
}

static int slots_reserve(Accountant *a, size_t extra) {
        size_t want, n;
        Slot *p;

        if (extra > SLOTS_MAX - a->n_slots)
                return -ENOBUFS;
        want = a->n_slots + extra;
        if (want <= a->n_allocated)
                return 0;

        n = a->n_allocated < 16 ? 16 : a->n_allocated * 2;
        while (n < want)
                n *= 2;
        if (n > SLOTS_MAX)
                n = SLOTS_MAX;

        p = reallocarray(a->slots, n, sizeof(Slot));
        if (!p)
                return -ENOMEM;
        a->slots = p;
        a->n_allocated = n;
        return 0;
}

/* Slots that accounting [from_us, to_us) would add. Stops counting past the
 * limit, which is all the caller needs to know then. */
static size_t span_count_new(const Accountant *a, int64_t from_us, int64_t to_us) {
        size_t n = 0;

        for (int64_t t = from_us; t < to_us && n <= SLOTS_MAX;) {
                Segment seg;
                bool found;

                segment_at(a, t, &seg);
                (void) slot_search(a, seg.start, seg.utc_offset, &found);
                if (!found)
                        n++;
                t = seg.end * USEC_PER_SEC;
        }
        return n;
}

/* The slot of seg, inserted if missing; capacity for one more slot
 * must have been reserved. */
static Slot *slot_get(Accountant *a, const Segment *seg) {
        bool found;
        size_t i = slot_search(a, seg->start, seg->utc_offset, &found);

        if (!found) {
                assert(a->n_slots < a->n_allocated);
                memmove(a->slots + i + 1, a->slots + i, (a->n_slots - i) * sizeof(Slot));
                a->slots[i] = (Slot) { .start = seg->start, .utc_offset = seg->utc_offset, .end = seg->end };
                a->n_slots++;
        }
        return &a->slots[i];
}

/* Adds [from_us, to_us) to its buckets. Capacity must have been reserved. */
static void span_add(Accountant *a, int64_t from_us, int64_t to_us, bool active) {
        for (int64_t t = from_us; t < to_us;) {
                int64_t seg_end_us, d;
                Segment seg;
                Slot *s;

                segment_at(a, t, &seg);
                seg_end_us = min64(seg.end * USEC_PER_SEC, to_us);
                d = seg_end_us - t;

                s = slot_get(a, &seg);
                s->end = max64(s->end, seg.end);

                /* An hour lived twice (the wall clock went back) holds at most
                 * its length: the rest of the second pass is lost, never doubled. */
                s->observed_us = min64(s->observed_us + d, BUCKET_CAP_US);
                if (active)
                        s->active_us = min64(s->active_us + d, s->observed_us);

                t = seg_end_us;
        }
}

int accountant_new(Accountant **ret, AcctOffsetFn offset_fn, void *userdata) {
        if (!ret || !offset_fn)
                return -EINVAL;
        return NEW(ret, Accountant, .offset_fn = offset_fn, .userdata = userdata, .state = ACCT_UNOBSERVED);
}

Accountant *accountant_free(Accountant *a) {
        if (!a)
                return NULL;
        FREE_ALL(a->slots, a);
        return NULL;
}

static bool time_valid(const AcctTime *t) {
        return t->boot_us >= -WALL_LIMIT_US && t->boot_us <= WALL_LIMIT_US &&
               t->mono_us >= -WALL_LIMIT_US && t->mono_us <= WALL_LIMIT_US &&
               t->wall_us >= -WALL_LIMIT_US && t->wall_us <= WALL_LIMIT_US;
}

/* Some hour held starts after now_us (the slots are sorted by start). */
static bool slots_future(const Accountant *a, int64_t now_us) {
        return a->n_slots > 0 && a->slots[a->n_slots - 1].start > floor_div(now_us, USEC_PER_SEC);
}

/* After the wall clock went back to now_us, hours that start after it hold
 * seconds that were lived, under a label that is now in the future. Their
 * seconds not yet handed out move into the hour of now_us (up to its length);
 * the hours leave memory. What of them was stored already is the store's
 * matter (the daemon drops stored future hours). Capacity for one more slot
 * must have been reserved. */
static void slots_pull_future(Accountant *a, int64_t now_us) {
        int64_t now_s = floor_div(now_us, USEC_PER_SEC), act = 0, obs = 0;
        size_t k = 0;
        Segment seg;

        if (!slots_future(a, now_us))
                return;
        for (size_t i = 0; i < a->n_slots; i++) {
                Slot *s = &a->slots[i];

                if (s->start <= now_s) {
                        a->slots[k++] = *s;
                        continue;
                }
                obs += max64(0, s->observed_us - s->observed_s_done * USEC_PER_SEC);
                act += max64(0, s->active_us - s->active_s_done * USEC_PER_SEC);
        }
        a->n_slots = k;
        if (obs == 0)
                return;

        segment_at(a, now_us, &seg);
        Slot *s = slot_get(a, &seg);
        s->observed_us = min64(s->observed_us + obs, BUCKET_CAP_US);
        s->active_us = min64(s->active_us + min64(act, obs), s->observed_us);
}

/* The elapsed boot time L is labelled with the wall clock of this step: it is
 * placed to end at the new wall time, first the part the monotonic clock saw
 * (in the previous state), then the rest (suspend, observed-inactive unless we
 * were not observing). Nothing else depends on the wall clock, so a jump
 * either way neither stops the count nor adds to it. Fails without changing
 * anything. */
int accountant_update(Accountant *a, const AcctTime *now, AcctState state) {
        int64_t elapsed, awake, end, floor_us, awake_from, asleep_from, jump;
        bool awake_counts, asleep_counts;
        int r;

        assert(a);

        if (!now || !time_valid(now))
                return -EINVAL;
        if (state != ACCT_UNOBSERVED && state != ACCT_INACTIVE && state != ACCT_ACTIVE)
                return -EINVAL;

        if (!a->started) {
                if (a->have_region) {
                        a->lo_us = min64(a->lo_us, now->wall_us);
                        a->cursor_us = max64(a->cursor_us, now->wall_us);
                } else {
                        a->lo_us = a->cursor_us = now->wall_us;
                        a->have_region = true;
                }
                a->started = true;
                a->prev = *now;
                a->state = state;
                return 0;
        }

        elapsed = max64(0, now->boot_us - a->prev.boot_us);
        awake = clamp64(now->mono_us - a->prev.mono_us, 0, elapsed);
        if (elapsed - awake < ACCT_SUSPEND_MIN_US)
                awake = elapsed; /* a lag between the clock reads (ACCT_SUSPEND_MIN_US) */
        end = now->wall_us;
        floor_us = end - SPAN_MAX_US;
        /* How far the wall clock moved beside the boot clock (both within
         * ±2^60, so no overflow). */
        jump = end - (a->prev.wall_us + elapsed);

        awake_from = max64(end - elapsed, floor_us);
        asleep_from = max64(end - elapsed + awake, floor_us);
        awake_counts = a->state != ACCT_UNOBSERVED && awake_from < asleep_from;
        asleep_counts = a->state != ACCT_UNOBSERVED && asleep_from < end;

        {
                /* One more for the hour that future seconds move into. */
                size_t n = slots_future(a, end) ? 1 : 0;

                if (awake_counts)
                        n += span_count_new(a, awake_from, asleep_from);
                if (asleep_counts)
                        n += span_count_new(a, asleep_from, end);
                r = slots_reserve(a, n);
                if (r < 0)
                        return r;
        }
        if (awake_counts)
                span_add(a, awake_from, asleep_from, a->state == ACCT_ACTIVE);
        if (asleep_counts)
                span_add(a, asleep_from, end, false);
        slots_pull_future(a, end);

        if (awake_counts || asleep_counts)
                a->lo_us = min64(a->lo_us, awake_counts ? awake_from : asleep_from);
        a->cursor_us = end;
        if (jump > ACCT_JUMP_US || jump < -ACCT_JUMP_US)
                a->last_jump_us = jump;
        a->prev = *now;
        a->state = state;
        return jump > ACCT_JUMP_US || jump < -ACCT_JUMP_US ? 1 : 0;
}

/* Only wall time before everything accounted so far is filled, so a fill never
 * overlaps the timeline nor an earlier fill. */
int accountant_fill_inactive(Accountant *a, int64_t from_s, int64_t to_s) {
        const int64_t limit_s = WALL_LIMIT_US / USEC_PER_SEC;
        int64_t from_us, to_us;
        int r;

        assert(a);

        if (from_s < -limit_s || from_s > limit_s || to_s < -limit_s || to_s > limit_s)
                return -EINVAL;

        /* Whole seconds only, so that the part of the first bucket filled and the
         * part accounted by updates round to at most the hour together. */
        from_us = from_s * USEC_PER_SEC;
        to_us = to_s * USEC_PER_SEC;
        if (a->have_region)
                to_us = min64(to_us, floor_div(a->lo_us, USEC_PER_SEC) * USEC_PER_SEC);
        from_us = max64(from_us, to_us - SPAN_MAX_US);
        if (from_us >= to_us)
                return 0;

        r = slots_reserve(a, span_count_new(a, from_us, to_us));
        if (r < 0)
                return r;
        span_add(a, from_us, to_us, false);

        /* to_us <= lo already, so this extends the region downwards. */
        a->lo_us = from_us;
        if (!a->have_region) {
                a->cursor_us = to_us;
                a->have_region = true;
        }
        return 0;
}

static bool slot_closed(const Accountant *a, const Slot *s) {
        return a->have_region && a->cursor_us >= s->end * USEC_PER_SEC;
}

/* Whole seconds of the slot that may be handed out so far. */
static void slot_due(const Accountant *a, const Slot *s, int64_t *ret_active, int64_t *ret_observed) {
        if (slot_closed(a, s)) {
                *ret_active = us_round_s(s->active_us);
                *ret_observed = us_round_s(s->observed_us);
        } else {
                *ret_active = s->active_us / USEC_PER_SEC;
                *ret_observed = s->observed_us / USEC_PER_SEC;
        }
}

int accountant_pending(const Accountant *a, AcctBucket **ret, size_t *ret_n) {
        _cleanup_free_ AcctBucket *b = NULL;
        size_t n = 0;

        assert(a);
        assert(ret);
        assert(ret_n);

        if (a->n_slots > 0) {
                b = calloc(a->n_slots, sizeof(AcctBucket));
                if (!b)
                        return -ENOMEM;
        }

        for (size_t i = 0; i < a->n_slots; i++) {
                const Slot *s = &a->slots[i];
                int64_t act, obs, d_act, d_obs;

                slot_due(a, s, &act, &obs);
                d_act = max64(0, act - s->active_s_done);
                d_obs = max64(0, obs - s->observed_s_done);
                if (d_act == 0 && d_obs == 0)
                        continue;

                b[n++] = (AcctBucket) {
                        .start = s->start,
                        .utc_offset = s->utc_offset,
                        .active_s = (int32_t) d_act,
                        .observed_s = (int32_t) d_obs,
                };
        }

        if (n == 0) {
                free(b);
                b = NULL;
        }

        *ret = TAKE_PTR(b);
        *ret_n = n;
        return 0;
}

void accountant_commit(Accountant *a) {
        size_t k = 0;

        assert(a);

        /* Same computation as accountant_pending(), which is what was stored. */
        for (size_t i = 0; i < a->n_slots; i++) {
                Slot *s = &a->slots[i];
                int64_t act, obs;

                slot_due(a, s, &act, &obs);
                s->active_s_done = max64(s->active_s_done, act);
                s->observed_s_done = max64(s->observed_s_done, obs);

                /* A closed slot is now fully stored (its due amounts are final). */
                if (slot_closed(a, s))
                        continue;
                if (k != i)
                        a->slots[k] = *s;
                k++;
        }
        a->n_slots = k;

        if (a->n_slots == 0) {
                free(a->slots);
                a->slots = NULL;
                a->n_allocated = 0;
        }
}

void accountant_discard(Accountant *a, int64_t local_from, int64_t local_to) {
        size_t k = 0;

        assert(a);

        for (size_t i = 0; i < a->n_slots; i++) {
                const Slot *s = &a->slots[i];
                int64_t local = s->start + s->utc_offset;

                if (local >= local_from && local < local_to)
                        continue;
                a->slots[k++] = *s;
        }
        a->n_slots = k;
}

int64_t accountant_next_boundary(const Accountant *a) {
        Segment seg;

        assert(a);

        if (!a->started)
                return INT64_MAX;

        segment_at(a, a->cursor_us, &seg);
        return seg.end * USEC_PER_SEC;
}

int64_t accountant_last_jump(const Accountant *a) {
        assert(a);
        return a->last_jump_us;
}

AcctState accountant_state(const Accountant *a) {
        assert(a);
        return a->state;
}

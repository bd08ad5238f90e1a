/* The accountant: turns a timeline of (time, state) into seconds per local hour.
 *
 * Pure: no clock, no I/O. The caller passes the three clocks at every step and a
 * function that tells the UTC offset in force at an instant, so tests drive it
 * with a fake clock and fake time zones.
 *
 * Amounts come from the boot clock (CLOCK_BOOTTIME, which counts suspend); the
 * part of an interval the monotonic clock did not see is suspend and counts as
 * observed-inactive. Labels come from the wall clock: the elapsed time is placed
 * so that it ends at the wall time of the step. So a wall-clock jump either way
 * neither stops the count nor invents or doubles seconds: a forward jump leaves
 * the skipped wall span unobserved; after a backward jump recording goes on
 * under the new wall time, and the seconds held for hours that now lie in the
 * future move into the current hour (they were lived; only their label was
 * wrong), so no future hour is ever handed out. An hour lived twice holds at
 * most its length. No bucket ever holds more than its length, and active time
 * is never more than observed time.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

typedef struct AcctTime {
        int64_t boot_us; /* CLOCK_BOOTTIME */
        int64_t mono_us; /* CLOCK_MONOTONIC */
        int64_t wall_us; /* CLOCK_REALTIME */
} AcctTime;

typedef enum AcctState {
        ACCT_UNOBSERVED, /* no consent, paused, no source of truth: nothing recorded */
        ACCT_INACTIVE,   /* observed, person away */
        ACCT_ACTIVE,     /* observed, person at the computer */
} AcctState;

/* One local hour: the UTC instant (s) at which it starts and the offset in force. */
typedef struct AcctBucket {
        int64_t start;
        int32_t utc_offset; /* seconds east of UTC */
        int32_t active_s;
        int32_t observed_s;
} AcctBucket;

/* The UTC offset (seconds east) in force at UTC instant t (seconds). */
typedef int32_t (*AcctOffsetFn)(int64_t t, void *userdata);

typedef struct Accountant Accountant;

int accountant_new(Accountant **ret, AcctOffsetFn offset_fn, void *userdata);
Accountant *accountant_free(Accountant *a);

/* A step whose wall clock moved more than this beside the boot clock is a jump. */
#define ACCT_JUMP_US (INT64_C(2) * 1000000)
/* Boot time past monotonic time in a step shorter than this is not a suspend:
 * the clocks are read one after the other, and a process preempted between the
 * two reads (a loaded machine: tens of ms) sees the boot clock behind; counted
 * as a suspend, that lag was lost from the active time at every such step. */
#define ACCT_SUSPEND_MIN_US (INT64_C(1) * 1000000)

/* Account the time since the previous step in the previous state, then continue
 * in `state`. The first call only starts the timeline. Returns 1 when the wall
 * clock jumped (by more than ACCT_JUMP_US against the boot clock) since the
 * previous step, 0 otherwise. */
int accountant_update(Accountant *a, const AcctTime *now, AcctState state);

/* Record wall span [from_s, to_s) as observed-inactive (the time after a clean
 * stop of the daemon). Clipped to wall time before anything accounted so far. */
int accountant_fill_inactive(Accountant *a, int64_t from_s, int64_t to_s);

/* Whole seconds accounted and not yet committed, per bucket, sorted by start:
 * closed hours rounded, the open hour's whole seconds so far. *ret is malloc'ed
 * (NULL when *ret_n is 0). Used both to flush and to answer queries. */
int accountant_pending(const Accountant *a, AcctBucket **ret, size_t *ret_n);

/* The amounts accountant_pending() returned are stored: forget them, and drop
 * closed hours that are fully stored. Call only with nothing in between. */
void accountant_commit(Accountant *a);

/* Forget the hours whose local start (start + utc_offset, seconds) lies in
 * [local_from, local_to): all they hold, handed out or not, including the
 * open hour's fractions. The timeline goes on: time accounted later starts
 * those hours afresh. */
void accountant_discard(Accountant *a, int64_t local_from, int64_t local_to);

/* The wall time (µs) at which the hour containing the timeline's current wall
 * position ends; INT64_MAX before the first update. */
int64_t accountant_next_boundary(const Accountant *a);

/* How far (µs, + forward) the wall clock jumped at the last jump an update
 * saw; 0 when none was seen. */
int64_t accountant_last_jump(const Accountant *a);

/* Current state. */
AcctState accountant_state(const Accountant *a);

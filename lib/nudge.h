/* A nudge as a record: what the store keeps, the daemon raises and an export
 * carries. Plain data, shared by kizukid and kizuki. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Strings malloc'ed (step may be NULL); figures NAN when null; helpful -1 when
 * not said. */
typedef struct NudgeRecord {
        int64_t id;
        char *policy;
        int64_t date; /* local seconds of the day's 00:00 */
        int64_t raised_at;
        char *severity, *title, *body, *step, *rule;
        double value, baseline, score;
        char *state; /* unread, acked, snoozed, dismissed */
        int64_t snoozed_until; /* 0: none */
        int helpful;
} NudgeRecord;

/* Free the strings of one record (NULL is fine) and clear it. */
void nudge_record_done(NudgeRecord *n);
/* Free n records and the array. */
void nudge_records_free(NudgeRecord *v, size_t n);

/* One of the severities a nudge can have: gentle, notice, concern. */
bool nudge_severity_valid(const char *s);
/* One of the states a nudge can be in: unread, acked, snoozed, dismissed. */
bool nudge_state_valid(const char *s);

/* The record as the interface spells it: with_id, a Nudge (what the daemon
 * answers); without, a NudgeRecord (what ImportRecords takes). Dates as
 * "YYYY-MM-DD" (null when it cannot be written), NAN figures, a missing step,
 * snooze or answer as null. NULL only when out of memory. */
json_object *nudge_record_json(const NudgeRecord *n, bool with_id);

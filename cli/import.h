/* Import of activity history from files: parsers and the conversion of their
 * intervals into hourly buckets. Pure: the file is read by the caller.
 *
 * Overlapping rows are resolved so that the result does not depend on their
 * order: a second covered by several rows counts once, it is active when any
 * of them says active, and it takes the UTC offset of the covering row that
 * starts earliest (ties: the one that comes first in the file); an hour keeps
 * one offset (see import_to_buckets). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "accountant.h"
#include "nudge.h"
#include "summary.h"

typedef struct ImportInterval {
        int64_t start, end;  /* UTC seconds, start < end */
        int32_t utc_offset;  /* local offset of its buckets */
        bool active;
        uint64_t line;       /* where it came from, for messages and tie-breaks */
} ImportInterval;

/* Called once per rejected row with its line (CSV) or event index (1-based,
 * ActivityWatch) and a short reason. */
typedef void (*ImportRejectFn)(uint64_t line, const char *reason, void *userdata);

typedef struct ImportParsed {
        ImportInterval *intervals; /* malloc'ed */
        size_t n, cap;
        uint64_t rows_read;     /* data rows / events seen */
        uint64_t rows_rejected;
        uint64_t rows_future;   /* of those rejected: ending in the future */
} ImportParsed;

void import_parsed_done(ImportParsed *p);

/* Room for need elements of elem bytes in the array *p of *size: doubled from
 * 16 as far as needed. -ENOMEM leaves *p and *size as they were. */
int import_grow(void **p, size_t *size, size_t need, size_t elem);

/* What the parsers are told besides the bytes. Zero-initialised: not strict,
 * no limit in time, no time zone, no reports. */
typedef struct ImportOptions {
        /* The first bad row ends the parse: -EBADMSG (after reporting it). */
        bool strict;
        /* Rows (events) that end after now (UTC seconds) are rejected as in the
         * future; 0: no limit. */
        int64_t now;
        /* The time zone: ActivityWatch's offsets, and where a CSV row crosses an
         * offset change. */
        AcctOffsetFn offset_fn;
        void *offset_userdata;
        ImportRejectFn reject;
        void *userdata;
} ImportOptions;

/* CSV: a header line "start,end,state" (any column order is NOT accepted; a
 * UTF-8 BOM and CRLF line ends are), then rows of ISO 8601 timestamps with a UTC
 * offset ("2026-01-05T08:00:00+01:00", "Z" = +00:00, optional fractional
 * seconds, which are truncated) and state "active" or "inactive". Rows with
 * end <= start, a bad timestamp or state, the wrong number of fields, or an
 * end in the future are rejected. A row whose start and end have different
 * offsets (across a DST change: 01:30+01:00 to 03:30+02:00) is split where
 * the time zone (o->offset_fn) changes from the one offset to the other, each
 * part labelled with its own; it is rejected when there is no time zone, or
 * the zone is not at the start's offset at the start and the end's at the end
 * with one change between them. A missing or wrong header: -EMEDIUMTYPE (not
 * this format). */
int import_parse_csv(const char *buf, size_t len, const ImportOptions *o, ImportParsed *ret);

/* ActivityWatch: the JSON export of an aw-watcher-afk bucket: either
 * {"buckets":{"<id>":{"events":[...]}}} (aw-server export) or an object with
 * "events", or a bare array of events. Each event: "timestamp" (ISO 8601 with
 * offset or Z), "duration" (seconds, number), "data":{"status":"afk"|"not-afk"}.
 * not-afk is active, afk inactive. Offsets of the buckets come from
 * o->offset_fn (required) at each event's start (the machine's time zone).
 * Events that end in the future are rejected. Not JSON or no events array:
 * -EMEDIUMTYPE. */
int import_parse_activitywatch(const char *buf, size_t len, const ImportOptions *o, ImportParsed *ret);

/* Resolve overlaps (see above) and split into local-hour buckets: *ret sorted by
 * start, one bucket per UTC start (hours written with offsets a whole number of
 * hours apart cover the same instants: one bucket, labelled with the offset of
 * its earliest second), each at most 3600 s observed, active <= observed.
 * Offsets a part of an hour apart (+05:30 and +01:00) give buckets that
 * overlap in part; kizukid stores the first of those (docs/import.md). */
int import_to_buckets(const ImportInterval *iv, size_t n, AcctBucket **ret, size_t *ret_n);

/* Make b[0..n) one bucket per UTC start, in place, sorted by start: buckets of
 * one start (the same instants under offsets a whole number of hours apart,
 * each with its own seconds) are added up, capped at the hour, under the
 * offset of the first of them in b. *ret_n: how many are left. -ENOMEM. */
int import_merge_hours(AcctBucket *b, size_t n, size_t *ret_n);

/* Shared by the parsers in import-*.c (and tested on their own). */

/* An ISO 8601 timestamp, exactly s[0..len): "YYYY-MM-DDTHH:MM:SS[.frac][Z|±HH:MM|±HHMM]"
 * ('T' or a space). *ret_t: UTC seconds, the fraction truncated; *ret_frac_ns: the
 * fraction's first nine digits; *ret_offset: the offset written (0 without one); each
 * may be NULL. 1 with an offset, 0 without (read as UTC), -EINVAL if invalid. */
int import_parse_timestamp(const char *s, size_t len, int64_t *ret_t, int32_t *ret_frac_ns, int32_t *ret_offset);

/* Append a copy of *iv to p->intervals. -ENOMEM. */
int import_parsed_add(ImportParsed *p, const ImportInterval *iv);

/* Count a rejected row and report it: reason, followed by " 'quoted'" (made
 * printable, shortened) when quoted is not NULL. -EBADMSG with strict, else 0. */
int import_reject(ImportParsed *p, const ImportOptions *o, uint64_t line, const char *reason, const char *quoted,
                  size_t quoted_len);

/* Reject (as import_reject) a row ending at end after o->now; 1 when it is
 * not in the future. */
int import_check_future(ImportParsed *p, const ImportOptions *o, uint64_t line, int64_t end);

/* kizuki's own JSON export (docs/export.md), read back for a restore. */
typedef struct ImportKizuki {
        AcctBucket *buckets;      /* as exported, in file order */
        size_t n_buckets;
        Checkin *checkins;        /* -1 where not answered */
        int64_t *checkin_updated; /* per check-in: updated_at, 0 when absent */
        size_t n_checkins;
        NudgeRecord *nudges;       /* strings malloc'ed */
        size_t n_nudges;
        /* In the file but not imported: consent, share log, meta, and tables
         * this version does not know (rows counted). */
        size_t n_consent, n_share_log, n_meta, n_unknown;
        int64_t schema_version;
} ImportKizuki;

void import_kizuki_done(ImportKizuki *k);

/* Parse and check a whole export: {"format":"kizuki-export","version":1,
 * "tables":{...}}. All or nothing: the first problem ends the parse with a
 * message in err ("table bucket, row 3: ...") and -EBADMSG; a file that is not
 * a kizuki export: -EMEDIUMTYPE; another export version: -EPROTONOSUPPORT;
 * more than 6 million values or a million objects (memory): -EFBIG. */
int import_parse_kizuki(const char *buf, size_t len, ImportKizuki *ret, char *err, size_t err_size);

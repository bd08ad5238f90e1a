/* kizuki import [--format csv|activitywatch|kizuki] [--dry-run] [--strict] FILE:
 * backfill activity from a CSV file of intervals or an ActivityWatch export,
 * or restore kizuki's own export (hours, check-ins, nudges).
 * The file is parsed and cut into local hours here (cli/import.h); the hours
 * go to the daemon in Import calls, which merge them (the larger seconds win,
 * so importing twice changes nothing). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "import.h"
#include "kizuki.h"
#include "macro.h"
#include "output.h"
#include "timeutil.h"

#define IMPORT_FILE_MAX ((size_t) 1 << 30) /* 1 GiB */
#define IMPORT_BATCH 500                   /* hours per Import call (the daemon takes 1000) */
#define IMPORT_MESSAGE_MAX 60000           /* bytes of parameters per call: under the 64 KiB bound */
#define REJECTS_SHOWN 20

typedef enum ImportFormat {
        FORMAT_GUESS,
        FORMAT_CSV,
        FORMAT_ACTIVITYWATCH,
        FORMAT_KIZUKI,
} ImportFormat;

typedef struct Rejects {
        const char *name; /* printable file name */
        ImportFormat format;
        uint64_t count;
        uint64_t first; /* the first rejected line or event */
} Rejects;

static void reject_print(uint64_t line, const char *reason, void *userdata) {
        Rejects *rj = userdata;
        char safe[256];

        if (rj->count == 0)
                rj->first = line;
        if (++rj->count > REJECTS_SHOWN)
                return;
        if (rj->format == FORMAT_ACTIVITYWATCH)
                fprintf(stderr, "%s: event %" PRIu64 ": %s\n", rj->name, line, output_safe(safe, sizeof safe, reason));
        else
                fprintf(stderr, "%s:%" PRIu64 ": %s\n", rj->name, line, output_safe(safe, sizeof safe, reason));
}

/* The whole file (or stdin for "-"), at most IMPORT_FILE_MAX bytes. -EFBIG beyond. */
static int import_read(const char *path, char **ret, size_t *ret_len) {
        _cleanup_close_ int fd_owned = -1;
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0;
        struct stat st;
        int fd;

        if (strcmp(path, "-") == 0)
                fd = STDIN_FILENO;
        else {
                fd = fd_owned = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
                if (fd < 0)
                        return -errno;
        }
        if (fstat(fd, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EISDIR;
        if (S_ISREG(st.st_mode) && (uint64_t) st.st_size > IMPORT_FILE_MAX)
                return -EFBIG;

        for (;;) {
                if (len == cap) {
                        if (cap > IMPORT_FILE_MAX)
                                return -EFBIG;
                        size_t ncap = cap ? cap * 2 : 64 * 1024;
                        if (ncap > IMPORT_FILE_MAX + 1)
                                ncap = IMPORT_FILE_MAX + 1;
                        char *b = realloc(buf, ncap + 1); /* + a NUL, for parsers that like one */
                        if (!b)
                                return -ENOMEM;
                        buf = b;
                        cap = ncap;
                }
                ssize_t k = read(fd, buf + len, cap - len);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (k == 0)
                        break;
                len += (size_t) k;
                if (len > IMPORT_FILE_MAX)
                        return -EFBIG;
        }
        if (!buf && !(buf = malloc(1)))
                return -ENOMEM;
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

/* By the file name's extension, else by the first byte that is not blank (after a BOM). */
static ImportFormat import_guess(const char *path, const char *buf, size_t len) {
        const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
        size_t i = 0;

        if (dot && (!slash || dot > slash)) {
                if (strcasecmp(dot, ".csv") == 0)
                        return FORMAT_CSV;
                if (strcasecmp(dot, ".json") == 0)
                        return FORMAT_ACTIVITYWATCH;
        }
        if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
                i = 3;
        for (; i < len && strchr(" \t\r\n", buf[i]) && buf[i]; i++)
                ;
        return i < len && (buf[i] == '{' || buf[i] == '[') ? FORMAT_ACTIVITYWATCH : FORMAT_CSV;
}

static json_object *bucket_json(const AcctBucket *b) {
        json_object *o = json_object_new_object();

        if (!o || json_object_object_add(o, "start", json_object_new_int64(b->start)) < 0 ||
            json_object_object_add(o, "utc_offset", json_object_new_int(b->utc_offset)) < 0 ||
            json_object_object_add(o, "active_s", json_object_new_int(b->active_s)) < 0 ||
            json_object_object_add(o, "observed_s", json_object_new_int(b->observed_s)) < 0) {
                json_object_put(o);
                return NULL;
        }
        return o;
}

/* Import parameters for buckets b[0..n). */
static int batch_params(const AcctBucket *b, size_t n, bool dry_run, json_object **ret, size_t *ret_size) {
        _cleanup_json_ json_object *params = json_object_new_object();
        json_object *array = json_object_new_array_ext((int) n);
        size_t size;

        if (!params || !array || json_object_object_add(params, "hours", array) < 0) {
                json_object_put(array);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                json_object *o = bucket_json(b + i);
                if (!o || json_object_array_add(array, o) < 0) {
                        json_object_put(o);
                        return -ENOMEM;
                }
        }
        if (json_object_object_add(params, "dry_run", json_object_new_boolean(dry_run)) < 0 ||
            !json_object_to_json_string_length(params, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &size))
                return -ENOMEM;
        *ret = TAKE_PTR(params);
        *ret_size = size;
        return 0;
}

/* An optional count in a reply (0 when absent): -EBADMSG when malformed. */
static int reply_count(json_object *reply, const char *key, int64_t *ret) {
        int r = client_get_int(reply, key, ret);
        if (r == -ENODATA) {
                *ret = 0;
                return 0;
        }
        return r < 0 || *ret < 0 ? -EBADMSG : 0;
}

/* What the daemon said about the hours sent. */
typedef struct ImportTotals {
        int64_t received, changed;
        int64_t expired;   /* past retention_days: not stored */
        int64_t conflicts; /* overlapping an hour stored with another UTC offset: not stored */
} ImportTotals;

/* Send the buckets in batches, adding what the daemon answered to *t. On
 * failure, says how many hours earlier batches merged. */
static int import_send(const Ctx *ctx, const AcctBucket *b, size_t n, bool dry_run, ImportTotals *t) {
        size_t done = 0;
        int r;

        while (done < n) {
                _cleanup_json_ json_object *params = NULL, *reply = NULL;
                size_t k = n - done < IMPORT_BATCH ? n - done : IMPORT_BATCH, size;
                int64_t rec, chg, exp, con;

                /* A batch of 500 hours is some 40 KB; should it grow past the bound, halve it. */
                for (;;) {
                        r = batch_params(b + done, k, dry_run, &params, &size);
                        if (r < 0)
                                return r;
                        if (size <= IMPORT_MESSAGE_MAX || k == 1)
                                break;
                        json_object_put(TAKE_PTR(params));
                        k /= 2;
                }
                r = client_invoke(ctx->socket_path, KIZUKI_NAME("Import"), params, &reply);
                if (r < 0)
                        goto partial;
                if (client_get_int(reply, "received", &rec) < 0 || client_get_int(reply, "changed", &chg) < 0 ||
                    reply_count(reply, "expired", &exp) < 0 || reply_count(reply, "conflicts", &con) < 0 || rec < 0 ||
                    chg < 0 || chg > rec || exp > rec || con > rec) {
                        fprintf(stderr, "kizuki: kizukid sent a malformed answer to Import\n");
                        r = -EBADMSG;
                        goto partial;
                }
                t->received += rec;
                t->changed += chg;
                t->expired += exp;
                t->conflicts += con;
                done += k;
        }
        return 0;

partial:
        if (done > 0 && !dry_run)
                fprintf(stderr, "kizuki: %zu of %zu hours were merged before that; importing the file again "
                        "is safe (hours already merged do not change)\n", done, n);
        return r;
}

static int cmp_start(const void *x, const void *y) {
        const AcctBucket *a = x, *b = y;

        return CMP(a->start, b->start);
}

/* Two of the buckets that overlap in part, on different grids of hours (a
 * +05:30 hour covers halves of two +01:00 hours): kizukid would store one and
 * not the other. 1 and the two in ret, 0 if none, -ENOMEM. */
static int import_find_overlap(const AcctBucket *b, size_t n, AcctBucket ret[static 2]) {
        _cleanup_free_ AcctBucket *c = NULL;

        if (n < 2)
                return 0;
        c = malloc(n * sizeof *b);
        if (!c)
                return -ENOMEM;
        memcpy(c, b, n * sizeof *b);
        qsort(c, n, sizeof *c, cmp_start);
        for (size_t i = 1; i < n; i++)
                if (c[i].start != c[i - 1].start && c[i].start - c[i - 1].start < 3600) {
                        ret[0] = c[i - 1];
                        ret[1] = c[i];
                        return 1;
                }
        return 0;
}

/* Send the hours. With --strict all or nothing across every batch: hours
 * that overlap each other in part are refused here, and a dry run of all
 * batches comes first, so nothing is written when kizukid would refuse a batch
 * or leave an hour out for a stored one of another UTC offset. */
static int import_hours(const Ctx *ctx, const char *name, const AcctBucket *b, size_t n, bool dry_run, bool strict,
                        ImportTotals *t) {
        ImportTotals probe = {};
        AcctBucket two[2];
        int r = strict ? import_find_overlap(b, n, two) : 0;

        if (r < 0)
                return r;
        if (r > 0) {
                char x[40], y[40];

                (void) output_iso8601(x, sizeof x, two[0].start, two[0].utc_offset);
                (void) output_iso8601(y, sizeof y, two[1].start, two[1].utc_offset);
                fprintf(stderr, "kizuki import: %s: the hours starting %s and %s overlap in part (their UTC offsets "
                        "differ by a part of an hour); nothing was imported (--strict)\n", name, x, y);
                return -EBADMSG;
        }
        if (strict && !dry_run) {
                r = import_send(ctx, b, n, true, &probe);
                if (r < 0) {
                        fprintf(stderr, "kizuki import: %s: nothing was imported (--strict)\n", name);
                        return r;
                }
                if (probe.conflicts > 0) {
                        fprintf(stderr, "kizuki import: %s: %" PRId64 " %s overlap hours stored with another UTC "
                                "offset; nothing was imported (--strict)\n", name, probe.conflicts,
                                probe.conflicts == 1 ? "hour" : "hours");
                        return -EBADMSG;
                }
        }
        return import_send(ctx, b, n, dry_run, t);
}

static const char *plural(int64_t n, const char *one, const char *many) {
        return n == 1 ? one : many;
}

static json_object *answer_json(int v) {
        return v < 0 ? NULL : json_object_new_boolean(v);
}

static json_object *checkin_json(const Checkin *c, int64_t updated) {
        json_object *o = json_object_new_object();
        char date[16];

        if (!o || output_format_day(date, sizeof date, c->date) < 0) {
                json_object_put(o);
                return NULL;
        }
        json_object_object_add(o, "date", json_object_new_string(date));
        json_object_object_add(o, "went_out", answer_json(c->went_out));
        json_object_object_add(o, "met_someone", answer_json(c->met_someone));
        json_object_object_add(o, "mood", c->mood > 0 ? json_object_new_int(c->mood) : NULL);
        json_object_object_add(o, "updated_at", updated > 0 ? json_object_new_int64(updated) : NULL);
        return o;
}

static json_object *checkin_at(const ImportKizuki *k, size_t i) {
        return checkin_json(&k->checkins[i], k->checkin_updated[i]);
}

static json_object *nudge_at(const ImportKizuki *k, size_t i) {
        return nudge_record_json(&k->nudges[i], false);
}

/* Add the records from, from + 1, … (below n) that json() makes of k to array,
 * at most IMPORT_BATCH, while the message (*size bytes so far) stays within
 * IMPORT_MESSAGE_MAX; a message has at least one record (before: those it has
 * already). *ret_added counts them. */
static int batch_fill(const ImportKizuki *k, json_object *(*json)(const ImportKizuki *k, size_t i), size_t from,
                      size_t n, json_object *array, size_t *size, size_t *ret_added, size_t before) {
        size_t added = 0;

        while (from + added < n && added < IMPORT_BATCH) {
                json_object *o = json(k, from + added);
                size_t len;
                if (!o || !json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN, &len)) {
                        json_object_put(o);
                        return -ENOMEM;
                }
                if (*size + len + 1 > IMPORT_MESSAGE_MAX && before + added > 0) {
                        json_object_put(o);
                        break;
                }
                json_object_array_add(array, o);
                *size += len + 1;
                added++;
        }
        *ret_added = added;
        return 0;
}

/* Check-ins and nudges in ImportRecords calls, each under the message bound
 * and each all or nothing. On failure, says what earlier calls restored. */
static int records_send(const Ctx *ctx, const ImportKizuki *k, int64_t *ret_checkins, int64_t *ret_nudges,
                        int64_t *ret_expired) {
        size_t ci = 0, ni = 0;
        int64_t checkins = 0, nudges = 0;
        int r;

        while (ci < k->n_checkins || ni < k->n_nudges) {
                _cleanup_json_ json_object *params = json_object_new_object(), *reply = NULL;
                json_object *ca = json_object_new_array(), *na = json_object_new_array();
                size_t size = 0, nc = 0, nn = 0;
                int64_t gc, gn, ge;

                if (!params || !ca || !na || json_object_object_add(params, "checkins", ca) < 0) {
                        json_object_put(ca);
                        json_object_put(na);
                        return -ENOMEM;
                }
                if (json_object_object_add(params, "nudges", na) < 0) {
                        json_object_put(na);
                        return -ENOMEM;
                }
                /* Fill up to the bound: each record's size is counted as it goes in. */
                r = batch_fill(k, checkin_at, ci, k->n_checkins, ca, &size, &nc, 0);
                if (r >= 0)
                        r = batch_fill(k, nudge_at, ni, k->n_nudges, na, &size, &nn, nc);
                if (r < 0)
                        return r;
                r = client_invoke(ctx->socket_path, KIZUKI_NAME("ImportRecords"), params, &reply);
                if (r >= 0 && (client_get_int(reply, "checkins", &gc) < 0 || client_get_int(reply, "nudges", &gn) < 0 ||
                               reply_count(reply, "expired", &ge) < 0)) {
                        fprintf(stderr, "kizuki: kizukid sent a malformed answer to ImportRecords\n");
                        r = -EBADMSG;
                }
                if (r < 0) {
                        fprintf(stderr, "kizuki: %zu of %zu check-ins and %zu of %zu nudges were restored before that%s; "
                                "importing the file again is safe (what is restored already does not change)\n",
                                ci, k->n_checkins, ni, k->n_nudges, k->n_buckets > 0 ? ", all hours merged" : "");
                        return r;
                }
                checkins += gc;
                nudges += gn;
                *ret_expired += ge;
                ci += nc;
                ni += nn;
        }
        *ret_checkins = checkins;
        *ret_nudges = nudges;
        return 0;
}

static void print_not_stored(const ImportTotals *t) {
        if (t->expired > 0)
                printf("Not stored: %" PRId64 " %s older than retention_days (kizukid.conf(5)).\n", t->expired,
                       plural(t->expired, "record", "records"));
        if (t->conflicts > 0)
                printf("Not stored: %" PRId64 " %s overlapping hours stored with another UTC offset (an instant "
                       "is stored once; see kizuki(1)).\n", t->conflicts, plural(t->conflicts, "hour", "hours"));
}

/* kizuki import --format kizuki: everything checked first, then hours, check-ins, nudges. */
static int import_kizuki(const Ctx *ctx, const char *name, const char *buf, size_t len, bool dry_run, bool strict) {
        ImportKizuki k = {};
        ImportTotals t = {};
        char err[512];
        int64_t checkins = 0, nudges = 0;
        int r;

        r = import_parse_kizuki(buf, len, &k, err, sizeof err);
        if (r == -ENOMEM) {
                fprintf(stderr, "kizuki import: out of memory reading %s\n", name);
                return r;
        }
        if (r < 0) {
                char safe[600];
                fprintf(stderr, "kizuki import: %s: %s; nothing was imported\n", name,
                        output_safe(safe, sizeof safe, err));
                return r == -EMEDIUMTYPE || r == -EPROTONOSUPPORT ? -EBADMSG : r;
        }
        /* What the daemon would refuse halfway is refused here, before anything is sent. */
        int64_t now = (int64_t) time(NULL), today = local_midnight(now, tz_offset_at(now, NULL));
        for (size_t i = 0; i < k.n_buckets; i++)
                if (k.buckets[i].start > now) {
                        fprintf(stderr, "kizuki import: %s: table bucket, row %zu: an hour in the future; "
                                "nothing was imported\n", name, i + 1);
                        r = -EBADMSG;
                        goto out;
                }
        for (size_t i = 0; i < k.n_checkins; i++)
                if (k.checkins[i].date > today + DAY_S) {
                        fprintf(stderr, "kizuki import: %s: table checkin, row %zu: a day in the future; "
                                "nothing was imported\n", name, i + 1);
                        r = -EBADMSG;
                        goto out;
                }
        /* A store may hold one hour under two offsets a whole number of hours
         * apart (a time zone change within the hour, or an older kizuki): each
         * has its own seconds, so they are added up here, rather than the
         * daemon keeping the larger. */
        r = import_merge_hours(k.buckets, k.n_buckets, &k.n_buckets);
        if (r < 0)
                goto out;
        r = import_hours(ctx, name, k.buckets, k.n_buckets, dry_run, strict, &t);
        if (r >= 0 && !dry_run)
                r = records_send(ctx, &k, &checkins, &nudges, &t.expired);
        if (r < 0)
                goto out;
        if (dry_run)
                printf("Would merge %" PRId64 " %s (%" PRId64 " would change) and restore %zu %s and %zu %s.\n",
                       t.received, plural(t.received, "hour", "hours"), t.changed, k.n_checkins,
                       plural((int64_t) k.n_checkins, "check-in", "check-ins"), k.n_nudges,
                       plural((int64_t) k.n_nudges, "nudge", "nudges"));
        else
                printf("Merged %" PRId64 " %s (%" PRId64 " changed), restored %" PRId64 " %s and %" PRId64
                       " new %s.\n",
                       t.received, plural(t.received, "hour", "hours"), t.changed, checkins,
                       plural(checkins, "check-in", "check-ins"), nudges, plural(nudges, "nudge", "nudges"));
        print_not_stored(&t);
        if (k.n_consent > 0)
                printf("Consent is not imported: grant it on this machine with 'kizuki consent grant'.\n");
        if (k.n_share_log > 0)
                printf("The share log (%zu %s) is not imported: it records what left the machine that "
                       "exported it, and stays in the file.\n",
                       k.n_share_log, plural((int64_t) k.n_share_log, "entry", "entries"));
        if (k.n_unknown > 0)
                printf("%zu %s of tables this version does not know %s skipped.\n", k.n_unknown,
                       plural((int64_t) k.n_unknown, "row", "rows"), k.n_unknown == 1 ? "was" : "were");
        r = 0;
out:
        import_kizuki_done(&k);
        return r;
}

/* "csv", "activitywatch" (or "aw") or "kizuki": an ImportFormat, else -EINVAL. */
static int import_format_from_string(const char *s) {
        if (strcmp(s, "csv") == 0)
                return FORMAT_CSV;
        if (strcmp(s, "activitywatch") == 0 || strcmp(s, "aw") == 0)
                return FORMAT_ACTIVITYWATCH;
        if (strcmp(s, "kizuki") == 0)
                return FORMAT_KIZUKI;
        return -EINVAL;
}

typedef struct ImportArgs {
        int format;           /* --format (an ImportFormat), else guessed */
        bool dry_run, strict; /* --dry-run, --strict */
} ImportArgs;

static const CmdOption import_options[] = {
        CMD_OPTION_PARSE("format", 'f', 0, ImportArgs, format, import_format_from_string, "unknown format",
                         " (csv, activitywatch or kizuki)",
                         CMD_HELP("--format FORMAT",
                                  "csv (start,end,state rows) or activitywatch (an AFK bucket's\n"
                                  "JSON export). Default: by the extension .csv or .json, else\n"
                                  "by the first character ('{' or '[': activitywatch).\n"
                                  "kizuki: a 'kizuki export' JSON file (hours, check-ins and\n"
                                  "nudges; consent and the share log are not imported).")),
        CMD_OPTION_BOOL("dry-run", 'n', ImportArgs, dry_run,
                        CMD_HELP("--dry-run", "Count what would change; write nothing.")),
        CMD_OPTION_BOOL("strict", 's', ImportArgs, strict,
                        CMD_HELP("--strict", "All or nothing: import nothing if a row cannot be imported\n"
                                             "or kizukid would refuse an hour (kizuki(1)).")),
        {},
};

static int import_exec(const Command *cmd, Ctx *ctx) {
        _cleanup_free_ char *buf = NULL;
        _cleanup_free_ AcctBucket *buckets = NULL;
        ImportParsed parsed = {};
        ImportArgs *args = ctx->userdata;
        const char *path;
        char name[256];
        ImportTotals t = {};
        size_t len = 0, n = 0;
        int r;

        (void) cmd;
        path = ctx->argv[0];
        output_safe(name, sizeof name, strcmp(path, "-") == 0 ? "stdin" : path);

        r = import_read(path, &buf, &len);
        if (r == -EFBIG) {
                fprintf(stderr, "kizuki import: %s is larger than 1 GiB; split it and import the parts\n", name);
                return r;
        }
        if (r < 0) {
                fprintf(stderr, "kizuki import: cannot read %s: %s\n", name, strerror(-r));
                return r;
        }
        if (args->format == FORMAT_GUESS)
                args->format = import_guess(path, buf, len);
        if (args->format == FORMAT_KIZUKI)
                return import_kizuki(ctx, name, buf, len, args->dry_run, args->strict);

        Rejects rj = { .name = name, .format = args->format };
        const ImportOptions opts = {
                .strict = args->strict,
                .now = (int64_t) time(NULL),
                .offset_fn = tz_offset_at,
                .reject = reject_print,
                .userdata = &rj,
        };
        if (args->format == FORMAT_CSV)
                r = import_parse_csv(buf, len, &opts, &parsed);
        else
                r = import_parse_activitywatch(buf, len, &opts, &parsed);
        if (rj.count > REJECTS_SHOWN)
                fprintf(stderr, "%s: … and %" PRIu64 " more rejected %s\n", name, rj.count - REJECTS_SHOWN,
                        plural((int64_t) (rj.count - REJECTS_SHOWN), "row", "rows"));
        if (r == -EMEDIUMTYPE) {
                if (args->format == FORMAT_CSV)
                        fprintf(stderr, "kizuki import: %s is not a CSV file of intervals (its first line must be "
                                "\"start,end,state\"); for an ActivityWatch export use --format activitywatch\n", name);
                else
                        fprintf(stderr, "kizuki import: %s is not an ActivityWatch export (JSON with an array of "
                                "events); for a CSV file use --format csv\n", name);
                goto out;
        }
        if (r == -EBADMSG && args->strict) {
                if (args->format == FORMAT_CSV)
                        fprintf(stderr, "kizuki import: %s:%" PRIu64 ": this row cannot be imported; nothing was "
                                "imported (--strict)\n", name, rj.first);
                else
                        fprintf(stderr, "kizuki import: %s: event %" PRIu64 " cannot be imported; nothing was "
                                "imported (--strict)\n", name, rj.first);
                goto out;
        }
        if (r < 0) {
                fprintf(stderr, "kizuki import: cannot parse %s: %s\n", name, strerror(-r));
                goto out;
        }
        /* Rows, all rejected: nothing to import, and a script must see that. */
        if (parsed.rows_read > 0 && parsed.rows_rejected == parsed.rows_read) {
                fprintf(stderr, "kizuki import: all %" PRIu64 " %s of %s rejected; nothing was imported\n",
                        parsed.rows_read, parsed.rows_read == 1 ? "row" : "rows", name);
                r = -EBADMSG;
                goto out;
        }

        r = import_to_buckets(parsed.intervals, parsed.n, &buckets, &n);
        if (r < 0) {
                fprintf(stderr, "kizuki import: cannot sort %s into hours: %s\n", name, strerror(-r));
                goto out;
        }
        r = import_hours(ctx, name, buckets, n, args->dry_run, args->strict, &t);
        if (r < 0)
                goto out;

        printf("Read %" PRIu64 " %s (%" PRIu64 " rejected", parsed.rows_read,
               plural((int64_t) parsed.rows_read, "row", "rows"), parsed.rows_rejected);
        if (parsed.rows_future > 0)
                printf(", %" PRIu64 " of them ending in the future", parsed.rows_future);
        printf("); ");
        if (args->dry_run)
                printf("would merge %" PRId64 " %s, %" PRId64 " would change.\n", t.received,
                       plural(t.received, "hour", "hours"), t.changed);
        else
                printf("merged %" PRId64 " %s, %" PRId64 " changed.\n", t.received,
                       plural(t.received, "hour", "hours"), t.changed);
        print_not_stored(&t);
        r = 0;
out:
        import_parsed_done(&parsed);
        return r;
}

COMMAND(import,
        .usage = "[--format csv|activitywatch|kizuki] [--dry-run] [--strict] FILE",
        .summary = "Import activity, or restore an export",
        .help = "  FILE                  The file to import; - reads standard input.\n",
        .args = { 1, 1 },
        .options = import_options,
        CMD_USERDATA_INIT(ImportArgs, .format = FORMAT_GUESS));

/* run-scenarios: replay the policies over synthetic people and report how
 * often they nudge people who did not drift and how soon they notice the ones
 * who did. The benchmark behind the shipped defaults (docs/policies.md).
 *
 *   run-scenarios [--check] [--json] [--verbose] [--policies DIR] [--only NAME]
 *                 [--dump NAME] PEOPLEDIR
 *
 * PEOPLEDIR is what tests/scenarios/gen_people.py writes: people.json (name →
 * {"kind": "stable" | "drift", "onset": "YYYY-MM-DD" | null, ...}), NAME.csv
 * (kizuki's CSV import format) and, for people who answer check-ins,
 * NAME.checkins.csv (date,went_out,met_someone,mood). Each person goes the way
 * of real data: import_parse_csv, import_to_buckets, signals_days over the
 * whole span, then policy_judge of every enabled *.policy in DIR (default
 * "policies"), composites sorted after the policies they name.
 *
 * False nudges: every nudge of a stable person, and the nudges of a drifting
 * person before the onset; the rate is per person-year of the days they could
 * fall on (observed days: coverage >= MIN_COVERAGE_H; for drifting people only
 * those before the onset). Detection delay: days from the onset to the first
 * nudge on or after it, of any policy (or, per policy, of that policy), if it
 * comes within DETECTION_HORIZON_DAYS; a later one is not counted as noticing
 * this drift, and nudges after the onset are never false.
 *
 * --check fails (exit 1) when a stable person gets more than
 * STABLE_NUDGES_PER_YEAR_MAX nudges per person-year in total, or a drifting
 * person is not nudged within DETECTION_DAYS_MAX days of the onset. --dump
 * prints a person's daily signals and every policy's evaluation, for tuning.
 * Exit status: 0 fine, 1 check failed, 2 usage or data problem.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "import.h"
#include "macro.h"
#include "policy.h"
#include "signals.h"
#include "summary.h"

/* The limits of --check. A stable person may get a handful of nudges a year:
 * more than three (all policies together) means the defaults nag. A drifting
 * person must hear from kizuki within three weeks of the onset. */
#define STABLE_NUDGES_PER_YEAR_MAX 3.0
#define DETECTION_DAYS_MAX 21

/* A first nudge this long after the onset is no longer taken as noticing the
 * drift (it only says the person is still different from months ago). */
#define DETECTION_HORIZON_DAYS 60

/* How the people are evaluated: the daemon's defaults. */
#define MIN_COVERAGE_H 18.0
#define DAY_START_MIN 0
#define NIGHT_START_MIN 0
#define NIGHT_END_MIN 360

#define DAY_S INT64_C(86400)
#define DAYS_PER_YEAR 365.25
#define FILE_MAX ((size_t) 256 << 20)
#define POLICIES_MAX 256
#define NO_DATE INT64_MIN

typedef struct Policies {
        Policy **p; /* in evaluation order */
        size_t n;
} Policies;

typedef struct Person {
        char *name;
        bool drift;
        int64_t onset; /* local seconds of 00:00; NO_DATE for stable people */

        DaySignals *days;
        size_t n_days;
        PolicyEval *evals; /* n_policies × n_days */

        double false_years;  /* observed days on which a nudge is false, in years */
        int false_nudges;    /* all policies */
        int *policy_false;   /* per policy */
        int *policy_delay;   /* per policy: days from the onset to its first nudge, -1: none */
        int delay;           /* any policy, -1: none */
} Person;

typedef struct Options {
        bool check, json, verbose;
        const char *policies_dir;
        const char *only;
        const char *dump;
        const char *people_dir;
} Options;

static void policies_done(Policies *ps) {
        for (size_t i = 0; i < ps->n; i++)
                policy_free(ps->p[i]);
        free(ps->p);
        ps->p = NULL;
        ps->n = 0;
}

static void person_done(Person *p) {
        free(p->name);
        free(p->days);
        free(p->evals);
        free(p->policy_false);
        free(p->policy_delay);
        memset(p, 0, sizeof *p);
}

/* A whole file, NUL-terminated, at most FILE_MAX bytes. */
static int read_file(const char *path, char **ret, size_t *ret_len) {
        FILE *f = fopen(path, "re");
        _cleanup_free_ char *buf = NULL;
        size_t len = 0, cap = 0;

        if (!f)
                return -errno;
        for (;;) {
                if (cap - len < 4096) {
                        size_t ncap = cap ? cap * 2 : 64 * 1024;
                        if (ncap > FILE_MAX + 1) {
                                fclose(f);
                                return -EFBIG;
                        }
                        char *b = realloc(buf, ncap + 1);
                        if (!b) {
                                fclose(f);
                                return -ENOMEM;
                        }
                        buf = b;
                        cap = ncap;
                }
                size_t k = fread(buf + len, 1, cap - len, f);
                len += k;
                if (k == 0)
                        break;
        }
        int r = ferror(f) ? -EIO : 0;
        fclose(f);
        if (r < 0)
                return r;
        buf[len] = '\0';
        *ret = TAKE_PTR(buf);
        *ret_len = len;
        return 0;
}

static int join(char *buf, size_t size, const char *dir, const char *name, const char *suffix) {
        int k = snprintf(buf, size, "%s/%s%s", dir, name, suffix);
        return k < 0 || (size_t) k >= size ? -ENAMETOOLONG : 0;
}

/* "YYYY-MM-DD" → local seconds of its 00:00. */
static int parse_date(const char *s, size_t len, int64_t *ret) {
        struct tm tm = { 0 };
        char buf[11];
        char *end;

        if (len != 10 || s[4] != '-' || s[7] != '-')
                return -EINVAL;
        for (size_t i = 0; i < 10; i++)
                if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
                        return -EINVAL;
        memcpy(buf, s, 10);
        buf[10] = '\0';
        long y = strtol(buf, &end, 10), m = strtol(buf + 5, &end, 10), d = strtol(buf + 8, &end, 10);
        if (m < 1 || m > 12 || d < 1 || d > 31)
                return -EINVAL;
        tm.tm_year = (int) y - 1900;
        tm.tm_mon = (int) m - 1;
        tm.tm_mday = (int) d;
        time_t t = timegm(&tm);
        if (tm.tm_mday != (int) d) /* 2025-02-30 */
                return -EINVAL;
        *ret = (int64_t) t;
        return 0;
}

static const char *date_str(int64_t date, char buf[static 16]) {
        time_t t = (time_t) date;
        struct tm tm;

        if (!gmtime_r(&t, &tm) || strftime(buf, 16, "%Y-%m-%d", &tm) == 0)
                snprintf(buf, 16, "?");
        return buf;
}

/* ---- policies ---- */

typedef struct ParseCtx {
        const char *dir;
        unsigned problems;
} ParseCtx;

static void policy_problem(const char *file, unsigned line, const char *message, void *userdata) {
        ParseCtx *ctx = userdata;

        ctx->problems++;
        fprintf(stderr, "%s/%s:%u: %s\n", ctx->dir, file, line, message);
}

static int name_cmp(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* Whether a policy in p[0..n) is called name. */
static bool named(Policy *const *p, size_t n, const char *name) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(p[i]->name, name) == 0)
                        return true;
        return false;
}

/* Order p[0..n) so that every composite comes after the policies it names
 * (names that are not there do not hold anything up), keeping the file order
 * otherwise. -ELOOP on a cycle. */
static int policies_sort(Policy **p, size_t n) {
        _cleanup_free_ Policy **order = calloc(n ? n : 1, sizeof *order);
        _cleanup_free_ bool *done = calloc(n ? n : 1, sizeof *done);
        size_t k = 0;

        if (!order || !done)
                return -ENOMEM;
        while (k < n) {
                bool progress = false;
                for (size_t i = 0; i < n; i++) {
                        if (done[i])
                                continue;
                        bool ready = true;
                        for (size_t j = 0; j < p[i]->n_composite && ready; j++) {
                                const char *dep = p[i]->composite[j];
                                if (strcmp(dep, p[i]->name) == 0 || (named(p, n, dep) && !named(order, k, dep)))
                                        ready = false;
                        }
                        if (ready) {
                                order[k++] = p[i];
                                done[i] = true;
                                progress = true;
                        }
                }
                if (!progress) {
                        for (size_t i = 0; i < n; i++)
                                if (!done[i])
                                        fprintf(stderr, "Policy %s names policies that name it back.\n", p[i]->name);
                        return -ELOOP;
                }
        }
        memcpy(p, order, n * sizeof *p);
        return 0;
}

/* Every enabled DIR/ *.policy, parsed, in evaluation order. A file with
 * problems is an error here: the defaults must be clean. */
static int policies_load(const char *dir, Policies *ret) {
        _cleanup_free_ char **names = NULL;
        size_t n_names = 0;
        Policies ps = { 0 };
        int r = 0;

        DIR *d = opendir(dir);
        if (!d) {
                r = -errno;
                fprintf(stderr, "Failed to open policy directory %s: %s\n", dir, strerror(-r));
                return r;
        }
        names = calloc(POLICIES_MAX, sizeof *names);
        if (!names) {
                closedir(d);
                return -ENOMEM;
        }
        for (struct dirent *de; (de = readdir(d));) {
                size_t len = strlen(de->d_name);
                if (de->d_name[0] == '.' || len <= 7 || strcmp(de->d_name + len - 7, ".policy") != 0)
                        continue;
                if (n_names == POLICIES_MAX) {
                        fprintf(stderr, "More than %d policies in %s.\n", POLICIES_MAX, dir);
                        r = -E2BIG;
                        break;
                }
                if (!(names[n_names] = strdup(de->d_name))) {
                        r = -ENOMEM;
                        break;
                }
                n_names++;
        }
        closedir(d);
        if (r >= 0)
                qsort(names, n_names, sizeof *names, name_cmp);

        if (r >= 0 && !(ps.p = calloc(n_names ? n_names : 1, sizeof *ps.p)))
                r = -ENOMEM;
        for (size_t i = 0; r >= 0 && i < n_names; i++) {
                char path[4096];
                _cleanup_free_ char *text = NULL;
                size_t len;
                ParseCtx ctx = { .dir = dir };
                Policy *p = NULL;

                r = join(path, sizeof path, dir, names[i], "");
                if (r >= 0)
                        r = read_file(path, &text, &len);
                if (r < 0) {
                        fprintf(stderr, "Failed to read %s/%s: %s\n", dir, names[i], strerror(-r));
                        break;
                }
                int q = policy_parse(text, len, names[i], policy_problem, &ctx, &p);
                if (q < 0) {
                        r = q;
                        fprintf(stderr, "Failed to parse %s/%s: %s\n", dir, names[i], strerror(-q));
                        break;
                }
                if (q > 0 || !p) {
                        fprintf(stderr, "%s/%s: %d problem(s).\n", dir, names[i], q);
                        r = -EINVAL;
                        break;
                }
                if (!p->enabled) {
                        policy_free(p);
                        continue;
                }
                if (named(ps.p, ps.n, p->name)) {
                        fprintf(stderr, "%s/%s: a second policy named %s.\n", dir, names[i], p->name);
                        policy_free(p);
                        r = -EEXIST;
                        break;
                }
                ps.p[ps.n++] = p;
        }
        for (size_t i = 0; i < n_names; i++)
                free(names[i]);
        if (r >= 0)
                r = policies_sort(ps.p, ps.n);
        if (r < 0) {
                policies_done(&ps);
                return r;
        }
        *ret = ps;
        return 0;
}

/* ---- a person's data ---- */

static void import_reject_print(uint64_t line, const char *reason, void *userdata) {
        fprintf(stderr, "%s:%" PRIu64 ": %s\n", (const char *) userdata, line, reason);
}

static int load_buckets(const char *path, AcctBucket **ret, size_t *ret_n) {
        _cleanup_free_ char *buf = NULL;
        size_t len;
        ImportParsed parsed = { 0 };

        int r = read_file(path, &buf, &len);
        if (r < 0) {
                fprintf(stderr, "Failed to read %s: %s\n", path, strerror(-r));
                return r;
        }
        const ImportOptions o = { .strict = true, .reject = import_reject_print, .userdata = (void *) path };
        r = import_parse_csv(buf, len, &o, &parsed);
        if (r < 0) {
                fprintf(stderr, "Failed to parse %s: %s\n", path, strerror(-r));
                import_parsed_done(&parsed);
                return r;
        }
        r = import_to_buckets(parsed.intervals, parsed.n, ret, ret_n);
        import_parsed_done(&parsed);
        if (r < 0)
                fprintf(stderr, "Failed to cut %s into hours: %s\n", path, strerror(-r));
        else if (*ret_n == 0) {
                fprintf(stderr, "%s: no activity.\n", path);
                free(*ret);
                *ret = NULL;
                r = -ENODATA;
        }
        return r;
}

/* "yes"/"1" → 1, "no"/"0" → 0, "" → -1. */
static int parse_yes_no(const char *s, size_t len, int *ret) {
        if (len == 0)
                *ret = -1;
        else if ((len == 3 && memcmp(s, "yes", 3) == 0) || (len == 1 && s[0] == '1'))
                *ret = 1;
        else if ((len == 2 && memcmp(s, "no", 2) == 0) || (len == 1 && s[0] == '0'))
                *ret = 0;
        else
                return -EINVAL;
        return 0;
}

static int parse_checkin_line(const char *line, size_t len, Checkin *ret) {
        const char *f[4];
        size_t flen[4], nf = 0;
        const char *s = line, *end = line + len;

        while (nf < 4) {
                const char *comma = memchr(s, ',', (size_t) (end - s));
                const char *e = comma ? comma : end;
                f[nf] = s;
                flen[nf++] = (size_t) (e - s);
                if (!comma)
                        break;
                s = comma + 1;
        }
        if (nf != 4 || memchr(f[3], ',', flen[3]))
                return -EINVAL;
        if (parse_date(f[0], flen[0], &ret->date) < 0 || parse_yes_no(f[1], flen[1], &ret->went_out) < 0 ||
            parse_yes_no(f[2], flen[2], &ret->met_someone) < 0)
                return -EINVAL;
        if (flen[3] == 0)
                ret->mood = -1;
        else if (flen[3] == 1 && f[3][0] >= '1' && f[3][0] <= '5')
                ret->mood = f[3][0] - '0';
        else
                return -EINVAL;
        return 0;
}

/* NAME.checkins.csv, when there is one. */
static int load_checkins(const char *path, Checkin **ret, size_t *ret_n) {
        _cleanup_free_ char *buf = NULL;
        _cleanup_free_ Checkin *c = NULL;
        size_t len, n = 0, cap = 0;
        unsigned lineno = 0;

        int r = read_file(path, &buf, &len);
        if (r == -ENOENT) {
                *ret = NULL;
                *ret_n = 0;
                return 0;
        }
        if (r < 0) {
                fprintf(stderr, "Failed to read %s: %s\n", path, strerror(-r));
                return r;
        }
        for (const char *s = buf, *end = buf + len; s < end;) {
                const char *nl = memchr(s, '\n', (size_t) (end - s));
                const char *e = nl ? nl : end;
                size_t l = (size_t) (e - s);
                if (l > 0 && s[l - 1] == '\r')
                        l--;
                lineno++;
                if (lineno == 1) {
                        if (l != 30 || memcmp(s, "date,went_out,met_someone,mood", 30) != 0) {
                                fprintf(stderr, "%s:1: expected the header date,went_out,met_someone,mood\n", path);
                                return -EINVAL;
                        }
                } else if (l > 0) {
                        if (n == cap) {
                                size_t ncap = cap ? cap * 2 : 256;
                                Checkin *nc = realloc(c, ncap * sizeof *c);
                                if (!nc)
                                        return -ENOMEM;
                                c = nc;
                                cap = ncap;
                        }
                        if (parse_checkin_line(s, l, &c[n]) < 0) {
                                fprintf(stderr, "%s:%u: bad check-in row\n", path, lineno);
                                return -EINVAL;
                        }
                        n++;
                }
                s = nl ? nl + 1 : end;
        }
        *ret = TAKE_PTR(c);
        *ret_n = n;
        return 0;
}

static int64_t local_date(const AcctBucket *b) {
        int64_t t = b->start + b->utc_offset - (int64_t) DAY_START_MIN * 60;
        int64_t q = t / DAY_S;
        if (t % DAY_S != 0 && t < 0)
                q--;
        return q * DAY_S;
}

/* Signals over the person's whole span, and every policy replayed on them. */
static int person_run(Person *pe, const Options *o, const Policies *ps) {
        _cleanup_free_ AcctBucket *b = NULL;
        _cleanup_free_ Checkin *c = NULL;
        size_t n_b = 0, n_c = 0;
        char path[4096];
        int r;

        r = join(path, sizeof path, o->people_dir, pe->name, ".csv");
        if (r < 0)
                return r;
        r = load_buckets(path, &b, &n_b);
        if (r < 0)
                return r;
        r = join(path, sizeof path, o->people_dir, pe->name, ".checkins.csv");
        if (r < 0)
                return r;
        r = load_checkins(path, &c, &n_c);
        if (r < 0)
                return r;

        SignalsConfig cfg = {
                .day_start_min = DAY_START_MIN,
                .night_start_min = NIGHT_START_MIN,
                .night_end_min = NIGHT_END_MIN,
        };
        int64_t first = local_date(&b[0]), last = local_date(&b[n_b - 1]);
        for (size_t i = 0; i < n_b; i++) {
                int64_t d = local_date(&b[i]);
                first = d < first ? d : first;
                last = d > last ? d : last;
        }
        r = signals_days(b, n_b, &cfg, first, last, &pe->days, &pe->n_days);
        if (r < 0) {
                fprintf(stderr, "%s: failed to compute daily signals: %s\n", pe->name, strerror(-r));
                return r;
        }
        /* Each day on its own replay window, as kizukid decides it and kizuki
         * policy test shows it (for a history shorter than a window, one replay). */
        r = policy_judge(ps->p, ps->n, pe->days, pe->n_days, c, n_c, MIN_COVERAGE_H, DAY_START_MIN, 0, &pe->evals);
        if (r < 0) {
                fprintf(stderr, "%s: failed to replay the policies: %s\n", pe->name, strerror(-r));
                return r;
        }

        pe->policy_false = calloc(ps->n ? ps->n : 1, sizeof *pe->policy_false);
        pe->policy_delay = calloc(ps->n ? ps->n : 1, sizeof *pe->policy_delay);
        if (!pe->policy_false || !pe->policy_delay)
                return -ENOMEM;

        size_t false_days = 0;
        for (size_t d = 0; d < pe->n_days; d++)
                if (pe->days[d].coverage_h >= MIN_COVERAGE_H && (!pe->drift || pe->days[d].date < pe->onset))
                        false_days++;
        pe->false_years = (double) false_days / DAYS_PER_YEAR;
        pe->delay = -1;
        for (size_t i = 0; i < ps->n; i++) {
                pe->policy_delay[i] = -1;
                for (size_t d = 0; d < pe->n_days; d++) {
                        const PolicyEval *e = &pe->evals[i * pe->n_days + d];
                        if (!e->nudge)
                                continue;
                        if (!pe->drift || pe->days[d].date < pe->onset) {
                                pe->policy_false[i]++;
                                pe->false_nudges++;
                        } else if (pe->policy_delay[i] < 0) {
                                int64_t delay = (pe->days[d].date - pe->onset) / DAY_S;
                                if (delay <= DETECTION_HORIZON_DAYS)
                                        pe->policy_delay[i] = (int) delay;
                        }
                }
                if (pe->policy_delay[i] >= 0 && (pe->delay < 0 || pe->policy_delay[i] < pe->delay))
                        pe->delay = pe->policy_delay[i];
        }
        return 0;
}

/* ---- output ---- */

static void print_nudge_text(const Policy *p, const PolicyEval *e) {
        const char *t[3] = { p->title, p->body, p->step };
        for (size_t k = 0; k < 3; k++) {
                _cleanup_free_ char *s = NULL;
                if (!t[k])
                        continue;
                if (policy_format(p, e, t[k], &s) < 0)
                        fprintf(stderr, "%s: failed to format the nudge.\n", p->name);
                else
                        printf("            %s\n", s);
        }
}

static void print_person(const Person *pe, const Policies *ps, bool verbose) {
        char buf[16];

        printf("%s (%s", pe->name, pe->drift ? "drift" : "stable");
        if (pe->drift)
                printf(", onset %s", date_str(pe->onset, buf));
        printf("): %zu days, %s .. ", pe->n_days, date_str(pe->days[0].date, buf));
        printf("%s\n", date_str(pe->days[pe->n_days - 1].date, buf));
        for (size_t i = 0; i < ps->n; i++) {
                int count = 0;
                printf("  %-16s", ps->p[i]->name);
                for (size_t d = 0; d < pe->n_days; d++) {
                        const PolicyEval *e = &pe->evals[i * pe->n_days + d];
                        if (!e->nudge)
                                continue;
                        bool is_false = !pe->drift || e->date < pe->onset;
                        printf(" %s%s", date_str(e->date, buf), is_false ? "*" : "");
                        count++;
                }
                printf("%s\n", count ? "" : " -");
                if (!verbose)
                        continue;
                for (size_t d = 0; d < pe->n_days; d++) {
                        const PolicyEval *e = &pe->evals[i * pe->n_days + d];
                        if (!e->nudge)
                                continue;
                        printf("    %s value %.3g baseline %.3g spread %.3g score %.3g\n", date_str(e->date, buf),
                               e->value, e->baseline, e->spread, e->score);
                        print_nudge_text(ps->p[i], e);
                }
        }
        printf("  false nudges: %d in %.2f person-years (%.1f a year)", pe->false_nudges, pe->false_years,
               pe->false_years > 0 ? pe->false_nudges / pe->false_years : 0.0);
        if (pe->drift) {
                if (pe->delay >= 0)
                        printf("; first nudge %d days after the onset", pe->delay);
                else
                        printf("; not nudged within %d days of the onset", DETECTION_HORIZON_DAYS);
        }
        printf("\n\n");
}

static double sig_value(const DaySignals *s, PolicySignal sig) {
        switch (sig) {
        case POLICY_SIGNAL_SCREEN_H:
                return s->screen_h;
        case POLICY_SIGNAL_NIGHT_RATIO:
                return s->night_ratio;
        case POLICY_SIGNAL_SLEEP_MID:
                return s->sleep_mid < 0 ? NAN : s->sleep_mid / 60.0;
        case POLICY_SIGNAL_SLEEP_H:
                return s->sleep_h;
        case POLICY_SIGNAL_IS:
                return s->is;
        case POLICY_SIGNAL_IV:
                return s->iv;
        default:
                return NAN;
        }
}

/* One line a day: the signals the defaults watch, then per policy the
 * evaluation's state (. inactive, p pending, F firing, ! nudge, ? unknown)
 * and score. */
static void dump_person(const Person *pe, const Policies *ps) {
        static const PolicySignal shown[] = {
                POLICY_SIGNAL_SCREEN_H, POLICY_SIGNAL_NIGHT_RATIO, POLICY_SIGNAL_SLEEP_MID,
                POLICY_SIGNAL_SLEEP_H,  POLICY_SIGNAL_IS,          POLICY_SIGNAL_IV,
        };
        char buf[16];

        printf("date       cov ");
        for (size_t k = 0; k < ELEMENTSOF(shown); k++)
                printf(" %11.11s", policy_signal_name(shown[k]));
        for (size_t i = 0; i < ps->n; i++)
                printf(" %14.14s", ps->p[i]->name);
        printf("\n");
        for (size_t d = 0; d < pe->n_days; d++) {
                const DaySignals *s = &pe->days[d];
                printf("%s %4.1f", date_str(s->date, buf), s->coverage_h);
                for (size_t k = 0; k < ELEMENTSOF(shown); k++)
                        printf(" %11.3f", sig_value(s, shown[k]));
                for (size_t i = 0; i < ps->n; i++) {
                        const PolicyEval *e = &pe->evals[i * pe->n_days + d];
                        char st = !e->known         ? '?'
                                  : e->nudge         ? '!'
                                  : e->state == POLICY_FIRING  ? 'F'
                                  : e->state == POLICY_PENDING ? 'p'
                                                               : '.';
                        printf(" %c %6.2f/%5.2f", st, e->score, e->value);
                }
                printf("%s\n", pe->drift && s->date == pe->onset ? "  <- onset" : "");
        }
}

static int int_cmp(const void *a, const void *b) {
        int x = *(const int *) a, y = *(const int *) b;
        return (x > y) - (x < y);
}

/* Median of the delays that are >= 0 (the people caught); -1 when none. */
static double median_delay(const int *delays, size_t n, int *ret_worst, size_t *ret_caught) {
        _cleanup_free_ int *v = calloc(n ? n : 1, sizeof *v);
        size_t k = 0;

        *ret_worst = -1;
        *ret_caught = 0;
        if (!v)
                return NAN;
        for (size_t i = 0; i < n; i++)
                if (delays[i] >= 0)
                        v[k++] = delays[i];
        *ret_caught = k;
        if (k == 0)
                return NAN;
        qsort(v, k, sizeof *v, int_cmp);
        *ret_worst = v[k - 1];
        return k % 2 ? v[k / 2] : (v[k / 2 - 1] + v[k / 2]) / 2.0;
}

typedef struct PolicyFigures {
        int false_nudges;
        double false_years;
        size_t caught, within, drifting;
        double median;
        int worst;
} PolicyFigures;

static int policy_figures(const Person *people, size_t n, size_t policy, PolicyFigures *ret) {
        _cleanup_free_ int *delays = calloc(n ? n : 1, sizeof *delays);
        size_t k = 0;

        if (!delays)
                return -ENOMEM;
        *ret = (PolicyFigures) { 0 };
        for (size_t i = 0; i < n; i++) {
                const Person *pe = &people[i];
                ret->false_years += pe->false_years;
                if (policy == SIZE_MAX) {
                        ret->false_nudges += pe->false_nudges;
                        if (pe->drift)
                                delays[k++] = pe->delay;
                } else {
                        ret->false_nudges += pe->policy_false[policy];
                        if (pe->drift)
                                delays[k++] = pe->policy_delay[policy];
                }
        }
        ret->drifting = k;
        for (size_t i = 0; i < k; i++)
                if (delays[i] >= 0 && delays[i] <= DETECTION_DAYS_MAX)
                        ret->within++;
        ret->median = median_delay(delays, k, &ret->worst, &ret->caught);
        return 0;
}

static void print_figures_line(const char *name, const PolicyFigures *f) {
        printf("  %-16s %6d %8.2f   %3zu/%-3zu %4zu/%-3zu", name, f->false_nudges,
               f->false_years > 0 ? f->false_nudges / f->false_years : 0.0, f->caught, f->drifting, f->within,
               f->drifting);
        if (f->caught)
                printf(" %8.1f %6d\n", f->median, f->worst);
        else
                printf(" %8s %6s\n", "-", "-");
}

static json_object *json_double(double v) {
        return isfinite(v) ? json_object_new_double(v) : NULL;
}

static json_object *figures_json(const PolicyFigures *f) {
        json_object *o = json_object_new_object();
        if (!o)
                return NULL;
        json_object_object_add(o, "false_nudges", json_object_new_int(f->false_nudges));
        json_object_object_add(o, "false_person_years", json_object_new_double(f->false_years));
        json_object_object_add(o, "false_per_person_year",
                               json_double(f->false_years > 0 ? f->false_nudges / f->false_years : 0.0));
        json_object_object_add(o, "drifting", json_object_new_int((int) f->drifting));
        json_object_object_add(o, "caught", json_object_new_int((int) f->caught));
        json_object_object_add(o, "caught_within_limit", json_object_new_int((int) f->within));
        json_object_object_add(o, "median_delay_days", f->caught ? json_double(f->median) : NULL);
        json_object_object_add(o, "worst_delay_days", f->caught ? json_object_new_int(f->worst) : NULL);
        return o;
}

static json_object *person_json(const Person *pe, const Policies *ps) {
        json_object *o = json_object_new_object(), *pol = json_object_new_object();
        char buf[16];

        if (!o || !pol) {
                json_object_put(o);
                json_object_put(pol);
                return NULL;
        }
        json_object_object_add(o, "kind", json_object_new_string(pe->drift ? "drift" : "stable"));
        json_object_object_add(o, "onset", pe->drift ? json_object_new_string(date_str(pe->onset, buf)) : NULL);
        json_object_object_add(o, "days", json_object_new_int((int) pe->n_days));
        json_object_object_add(o, "false_nudges", json_object_new_int(pe->false_nudges));
        json_object_object_add(o, "false_person_years", json_object_new_double(pe->false_years));
        json_object_object_add(o, "false_per_person_year",
                               json_double(pe->false_years > 0 ? pe->false_nudges / pe->false_years : 0.0));
        json_object_object_add(o, "delay_days", pe->drift && pe->delay >= 0 ? json_object_new_int(pe->delay) : NULL);
        for (size_t i = 0; i < ps->n; i++) {
                json_object *a = json_object_new_array();
                if (!a)
                        continue;
                for (size_t d = 0; d < pe->n_days; d++)
                        if (pe->evals[i * pe->n_days + d].nudge)
                                json_object_array_add(a, json_object_new_string(date_str(pe->days[d].date, buf)));
                json_object_object_add(pol, ps->p[i]->name, a);
        }
        json_object_object_add(o, "nudges", pol);
        return o;
}

/* The --check verdict; with report, prints what fails to stderr. */
static bool check_people(const Person *people, size_t n, bool report) {
        bool ok = true;
        for (size_t i = 0; i < n; i++) {
                const Person *pe = &people[i];
                if (!pe->drift) {
                        double rate = pe->false_years > 0 ? pe->false_nudges / pe->false_years : 0.0;
                        if (rate > STABLE_NUDGES_PER_YEAR_MAX) {
                                if (report)
                                        fprintf(stderr, "FAIL %s: %d nudges in %.2f years (%.1f a year > %.1f)\n", pe->name,
                                                pe->false_nudges, pe->false_years, rate, STABLE_NUDGES_PER_YEAR_MAX);
                                ok = false;
                        }
                } else if (pe->delay < 0 || pe->delay > DETECTION_DAYS_MAX) {
                        if (report && pe->delay < 0)
                                fprintf(stderr, "FAIL %s: not nudged within %d days of the onset\n", pe->name,
                                        DETECTION_HORIZON_DAYS);
                        else if (report)
                                fprintf(stderr, "FAIL %s: first nudge %d days after the onset (> %d)\n", pe->name,
                                        pe->delay, DETECTION_DAYS_MAX);
                        ok = false;
                }
        }
        return ok;
}

/* ---- people.json ---- */

static bool name_ok(const char *s) {
        if (!*s || *s == '.' || strlen(s) > 200)
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' ||
                      *s == '_' || *s == '.'))
                        return false;
        return true;
}

static int people_load(const char *dir, Person **ret, size_t *ret_n) {
        char path[4096];
        _cleanup_free_ char *text = NULL;
        size_t len;
        int r;

        r = join(path, sizeof path, dir, "people", ".json");
        if (r >= 0)
                r = read_file(path, &text, &len);
        if (r < 0) {
                fprintf(stderr, "Failed to read %s/people.json: %s\n", dir, strerror(-r));
                return r;
        }
        json_object *root = json_tokener_parse(text);
        if (!root || !json_object_is_type(root, json_type_object)) {
                fprintf(stderr, "%s: not a JSON object\n", path);
                json_object_put(root);
                return -EINVAL;
        }
        size_t n = (size_t) json_object_object_length(root), k = 0;
        Person *people = calloc(n ? n : 1, sizeof *people);
        if (!people) {
                json_object_put(root);
                return -ENOMEM;
        }
        r = 0;
        json_object_object_foreach(root, key, val) {
                json_object *kind, *onset;
                Person *pe = &people[k];
                if (!name_ok(key) || !json_object_is_type(val, json_type_object) ||
                    !json_object_object_get_ex(val, "kind", &kind) || !json_object_is_type(kind, json_type_string)) {
                        fprintf(stderr, "%s: bad entry \"%s\"\n", path, key);
                        r = -EINVAL;
                        break;
                }
                pe->drift = strcmp(json_object_get_string(kind), "drift") == 0;
                if (!pe->drift && strcmp(json_object_get_string(kind), "stable") != 0) {
                        fprintf(stderr, "%s: %s: kind is \"stable\" or \"drift\"\n", path, key);
                        r = -EINVAL;
                        break;
                }
                pe->onset = NO_DATE;
                if (json_object_object_get_ex(val, "onset", &onset) && onset) {
                        const char *s = json_object_get_string(onset);
                        if (!json_object_is_type(onset, json_type_string) || parse_date(s, strlen(s), &pe->onset) < 0) {
                                fprintf(stderr, "%s: %s: onset is \"YYYY-MM-DD\" or null\n", path, key);
                                r = -EINVAL;
                                break;
                        }
                }
                if (pe->drift != (pe->onset != NO_DATE)) {
                        fprintf(stderr, "%s: %s: a drifting person has an onset, a stable one none\n", path, key);
                        r = -EINVAL;
                        break;
                }
                if (!(pe->name = strdup(key))) {
                        r = -ENOMEM;
                        break;
                }
                k++;
        }
        json_object_put(root);
        if (r < 0) {
                for (size_t i = 0; i < n; i++)
                        person_done(&people[i]);
                free(people);
                return r;
        }
        *ret = people;
        *ret_n = k;
        return 0;
}

static void usage(FILE *f) {
        fprintf(f, "usage: run-scenarios [--check] [--json] [--verbose] [--policies DIR] [--only NAME]\n"
                   "                     [--dump NAME] PEOPLEDIR\n");
}

static int parse_options(int argc, char **argv, Options *o) {
        static const struct option longopts[] = {
                { "check", no_argument, NULL, 'c' },       { "json", no_argument, NULL, 'j' },
                { "verbose", no_argument, NULL, 'v' },     { "policies", required_argument, NULL, 'p' },
                { "only", required_argument, NULL, 'o' },  { "dump", required_argument, NULL, 'd' },
                { "help", no_argument, NULL, 'h' },        { NULL, 0, NULL, 0 },
        };
        int c;

        *o = (Options) { .policies_dir = "policies" };
        while ((c = getopt_long(argc, argv, "cjvp:o:d:h", longopts, NULL)) != -1) {
                switch (c) {
                case 'c':
                        o->check = true;
                        break;
                case 'j':
                        o->json = true;
                        break;
                case 'v':
                        o->verbose = true;
                        break;
                case 'p':
                        o->policies_dir = optarg;
                        break;
                case 'o':
                        o->only = optarg;
                        break;
                case 'd':
                        o->dump = optarg;
                        break;
                case 'h':
                        usage(stdout);
                        exit(0);
                default:
                        usage(stderr);
                        return -EINVAL;
                }
        }
        if (optind + 1 != argc) {
                usage(stderr);
                return -EINVAL;
        }
        o->people_dir = argv[optind];
        return 0;
}

int main(int argc, char **argv) {
        Options o;
        Policies ps = { 0 };
        Person *people = NULL;
        size_t n_people = 0, n_run = 0;
        int status = 2;

        if (parse_options(argc, argv, &o) < 0)
                return 2;
        if (policies_load(o.policies_dir, &ps) < 0)
                return 2;
        if (people_load(o.people_dir, &people, &n_people) < 0)
                goto out;

        /* The people to run, first in the array. */
        for (size_t i = 0; i < n_people; i++) {
                const char *only = o.dump ? o.dump : o.only;
                if (only && strcmp(people[i].name, only) != 0)
                        continue;
                if (i != n_run) {
                        Person tmp = people[n_run];
                        people[n_run] = people[i];
                        people[i] = tmp;
                }
                if (person_run(&people[n_run], &o, &ps) < 0)
                        goto out;
                n_run++;
        }
        if (n_run == 0) {
                fprintf(stderr, "No such person.\n");
                goto out;
        }
        if (o.dump) {
                dump_person(&people[0], &ps);
                status = 0;
                goto out;
        }

        bool ok = check_people(people, n_run, false);
        PolicyFigures all;
        if (policy_figures(people, n_run, SIZE_MAX, &all) < 0)
                goto out;

        if (o.json) {
                json_object *root = json_object_new_object(), *jp = json_object_new_object(),
                            *jpol = json_object_new_object(), *limits = json_object_new_object();
                if (!root || !jp || !jpol || !limits) {
                        json_object_put(root);
                        json_object_put(jp);
                        json_object_put(jpol);
                        json_object_put(limits);
                        goto out;
                }
                for (size_t i = 0; i < n_run; i++)
                        json_object_object_add(jp, people[i].name, person_json(&people[i], &ps));
                for (size_t i = 0; i < ps.n; i++) {
                        PolicyFigures f;
                        if (policy_figures(people, n_run, i, &f) < 0) {
                                json_object_put(root);
                                goto out;
                        }
                        json_object_object_add(jpol, ps.p[i]->name, figures_json(&f));
                }
                json_object_object_add(limits, "stable_nudges_per_year_max",
                                       json_object_new_double(STABLE_NUDGES_PER_YEAR_MAX));
                json_object_object_add(limits, "detection_days_max", json_object_new_int(DETECTION_DAYS_MAX));
                json_object_object_add(root, "limits", limits);
                json_object_object_add(root, "people", jp);
                json_object_object_add(root, "policies", jpol);
                json_object_object_add(root, "all", figures_json(&all));
                json_object_object_add(root, "ok", json_object_new_boolean(ok));
                printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY |
                                                                            JSON_C_TO_STRING_NOSLASHESCAPE));
                json_object_put(root);
        } else {
                for (size_t i = 0; i < n_run; i++)
                        print_person(&people[i], &ps, o.verbose);
                printf("(* false nudge: a stable person, or before the onset)\n\n");
                printf("  %-16s %6s %8s   %7s %8s %8s %6s\n", "policy", "false", "/p-year", "caught",
                       "in time", "median", "worst");
                for (size_t i = 0; i < ps.n; i++) {
                        PolicyFigures f;
                        if (policy_figures(people, n_run, i, &f) < 0)
                                goto out;
                        print_figures_line(ps.p[i]->name, &f);
                }
                print_figures_line("(any)", &all);
                printf("\nFalse nudges are counted over %.2f person-years; delays in days from the onset;\n"
                       "\"in time\": within %d days.\n",
                       all.false_years, DETECTION_DAYS_MAX);
        }
        fflush(stdout);
        if (o.check && !ok)
                check_people(people, n_run, true);
        status = o.check && !ok ? 1 : 0;
out:
        for (size_t i = 0; i < n_people; i++)
                person_done(&people[i]);
        free(people);
        policies_done(&ps);
        return status;
}

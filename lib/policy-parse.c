/* Policies: the names policy files use, and the parser from INI text to a
 * Policy. The contract is policy.h; kizuki.policy(5) is the reference for
 * people. One value is read by policy-values.c.
 *
 * Parsing first collects the raw text of every known key (the last occurrence
 * wins) and interprets the values at the end, because how a value reads
 * depends on keys that may come later in the file: "01:30" is a time only for
 * a time-of-day signal, "3" counts days with aggregate = count. Lines go to
 * inih one at a time through our own reader, as in config.c, so every message
 * carries the right line number; the reader also classifies each line the way
 * inih will (comment, continuation, section, key, error) so that unknown
 * sections and every syntax error are reported on their own line.
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "macro.h"
#include "policy-internal.h"

#define POLICY_MAX_SIZE (1024 * 1024) /* far above any sensible policy */
#define POLICY_MAX_TEXT 4096          /* a nudge's title, body or step */
#define POLICY_MAX_MEMBERS 32 /* policies named by a composite */

/* ---- names ------------------------------------------------------------- */

static const char *const signal_names[_POLICY_SIGNAL_MAX] = {
        [POLICY_SIGNAL_SCREEN_H] = "screen_h",       [POLICY_SIGNAL_NIGHT_RATIO] = "night_ratio",
        [POLICY_SIGNAL_FIRST_ACTIVE] = "first_active", [POLICY_SIGNAL_LAST_ACTIVE] = "last_active",
        [POLICY_SIGNAL_SLEEP_ONSET] = "sleep_onset", [POLICY_SIGNAL_SLEEP_OFFSET] = "sleep_offset",
        [POLICY_SIGNAL_SLEEP_MID] = "sleep_mid",     [POLICY_SIGNAL_SLEEP_H] = "sleep_h",
        [POLICY_SIGNAL_COVERAGE_H] = "coverage_h",   [POLICY_SIGNAL_IS] = "is",
        [POLICY_SIGNAL_IV] = "iv",                   [POLICY_SIGNAL_RA] = "ra",
        [POLICY_SIGNAL_L5] = "l5",                   [POLICY_SIGNAL_M10] = "m10",
        [POLICY_SIGNAL_WENT_OUT] = "went_out",       [POLICY_SIGNAL_MET_SOMEONE] = "met_someone",
        [POLICY_SIGNAL_MOOD] = "mood",
};
static const char *const aggregate_names[] = {
        [POLICY_MEAN] = "mean", [POLICY_MEDIAN] = "median", [POLICY_SUM] = "sum", [POLICY_COUNT] = "count",
};
static const char *const detector_names[] = {
        [POLICY_THRESHOLD] = "threshold", [POLICY_BASELINE] = "baseline", [POLICY_CUSUM] = "cusum",
        [POLICY_TREND] = "trend",         [POLICY_COMPOSITE] = "composite",
};
static const char *const severity_names[] = {
        [POLICY_GENTLE] = "gentle", [POLICY_NOTICE] = "notice", [POLICY_CONCERN] = "concern",
};
static const char *const state_names[] = {
        [POLICY_INACTIVE] = "inactive", [POLICY_PENDING] = "pending", [POLICY_FIRING] = "firing",
};
static const char *const direction_names[] = { "down", "up" }; /* index: Policy.up */

const char *policy_signal_name(PolicySignal s) {
        return (unsigned) s < ELEMENTSOF(signal_names) ? signal_names[s] : NULL;
}

const char *policy_aggregate_name(PolicyAggregate a) {
        return (unsigned) a < ELEMENTSOF(aggregate_names) ? aggregate_names[a] : NULL;
}

const char *policy_severity_name(PolicySeverity s) {
        return (unsigned) s < ELEMENTSOF(severity_names) ? severity_names[s] : NULL;
}

const char *policy_detector_name(PolicyDetector d) {
        return (unsigned) d < ELEMENTSOF(detector_names) ? detector_names[d] : NULL;
}

const char *policy_state_name(PolicyState s) {
        return (unsigned) s < ELEMENTSOF(state_names) ? state_names[s] : NULL;
}

/* Index of s in names (any case), -EINVAL if it is not there. */
static int name_lookup(const char *const *names, size_t n, const char *s) {
        for (size_t i = 0; i < n; i++)
                if (names[i] && strcasecmp(names[i], s) == 0)
                        return (int) i;
        return -EINVAL;
}

/* ---- the parser ---------------------------------------------------------- */

typedef enum Section {
        SECTION_POLICY,
        SECTION_THRESHOLD,
        SECTION_BASELINE,
        SECTION_CUSUM,
        SECTION_TREND,
        SECTION_COMPOSITE,
        SECTION_NUDGE,
        _SECTION_MAX,
} Section;

static const char *const section_names[_SECTION_MAX] = {
        "policy", "threshold", "baseline", "cusum", "trend", "composite", "nudge",
};

typedef enum Key {
        KEY_NAME,
        KEY_ENABLED,
        KEY_SIGNAL,
        KEY_AGGREGATE,
        KEY_WINDOW,
        KEY_COUNT_WHEN,
        KEY_MIN_VALID_DAYS,
        KEY_DETECTOR,
        KEY_DIRECTION,
        KEY_FOR,
        KEY_KEEP_FIRING_FOR,
        KEY_COOLDOWN,
        KEY_SEVERITY,
        KEY_BY_WEEKDAY,
        KEY_THRESHOLD_VALUE,
        KEY_BASELINE_DAYS,
        KEY_BASELINE_MIN_DAYS,
        KEY_BASELINE_Z,
        KEY_BASELINE_MIN_CHANGE,
        KEY_BASELINE_MIN_SPREAD,
        KEY_CUSUM_K,
        KEY_CUSUM_H,
        KEY_CUSUM_DAYS,
        KEY_CUSUM_MIN_DAYS,
        KEY_CUSUM_MIN_SPREAD,
        KEY_TREND_MIN_SLOPE,
        KEY_TREND_MIN_DAYS,
        KEY_COMPOSITE_POLICIES,
        KEY_COMPOSITE_MIN_FIRING,
        KEY_TITLE,
        KEY_BODY,
        KEY_STEP,
        _KEY_MAX,
} Key;

static const struct {
        Section section;
        const char *name;
        bool text; /* indented lines continue it */
} policy_keys[_KEY_MAX] = {
        [KEY_NAME] = { SECTION_POLICY, "name", false },
        [KEY_ENABLED] = { SECTION_POLICY, "enabled", false },
        [KEY_SIGNAL] = { SECTION_POLICY, "signal", false },
        [KEY_AGGREGATE] = { SECTION_POLICY, "aggregate", false },
        [KEY_WINDOW] = { SECTION_POLICY, "window", false },
        [KEY_COUNT_WHEN] = { SECTION_POLICY, "count_when", false },
        [KEY_MIN_VALID_DAYS] = { SECTION_POLICY, "min_valid_days", false },
        [KEY_DETECTOR] = { SECTION_POLICY, "detector", false },
        [KEY_DIRECTION] = { SECTION_POLICY, "direction", false },
        [KEY_FOR] = { SECTION_POLICY, "for", false },
        [KEY_KEEP_FIRING_FOR] = { SECTION_POLICY, "keep_firing_for", false },
        [KEY_COOLDOWN] = { SECTION_POLICY, "cooldown", false },
        [KEY_SEVERITY] = { SECTION_POLICY, "severity", false },
        [KEY_BY_WEEKDAY] = { SECTION_POLICY, "by_weekday", false },
        [KEY_THRESHOLD_VALUE] = { SECTION_THRESHOLD, "value", false },
        [KEY_BASELINE_DAYS] = { SECTION_BASELINE, "days", false },
        [KEY_BASELINE_MIN_DAYS] = { SECTION_BASELINE, "min_days", false },
        [KEY_BASELINE_Z] = { SECTION_BASELINE, "z", false },
        [KEY_BASELINE_MIN_CHANGE] = { SECTION_BASELINE, "min_change", false },
        [KEY_BASELINE_MIN_SPREAD] = { SECTION_BASELINE, "min_spread", false },
        [KEY_CUSUM_K] = { SECTION_CUSUM, "k", false },
        [KEY_CUSUM_H] = { SECTION_CUSUM, "h", false },
        [KEY_CUSUM_DAYS] = { SECTION_CUSUM, "days", false },
        [KEY_CUSUM_MIN_DAYS] = { SECTION_CUSUM, "min_days", false },
        [KEY_CUSUM_MIN_SPREAD] = { SECTION_CUSUM, "min_spread", false },
        [KEY_TREND_MIN_SLOPE] = { SECTION_TREND, "min_slope", false },
        [KEY_TREND_MIN_DAYS] = { SECTION_TREND, "min_days", false },
        [KEY_COMPOSITE_POLICIES] = { SECTION_COMPOSITE, "policies", false },
        [KEY_COMPOSITE_MIN_FIRING] = { SECTION_COMPOSITE, "min_firing", false },
        [KEY_TITLE] = { SECTION_NUDGE, "title", true },
        [KEY_BODY] = { SECTION_NUDGE, "body", true },
        [KEY_STEP] = { SECTION_NUDGE, "step", true },
};

/* A problem found, held back to be reported in line order. */
typedef struct ParserProblem {
        unsigned line;
        size_t seq; /* order found, for problems on one line */
        char *message;
} ParserProblem;

/* inih keeps at most this many bytes of a section name (MAX_SECTION - 1). */
#define INIH_SECTION_MAX 49

typedef struct Parser {
        const char *file; /* for messages */
        PolicyErrorFn err;
        void *userdata;
        ConfigLines in;      /* the text, handed to inih line by line */
        unsigned last_line;  /* the file's last line, ≥ 1 */

        int last_key; /* Key of the last key line, -1 if unknown */
        char unknown_section[INIH_SECTION_MAX + 1]; /* reported at its header */
        bool in_unknown_section;
        unsigned syntax_errors;

        unsigned section_line[_SECTION_MAX]; /* first header line, 0: none */
        char *raw[_KEY_MAX];                 /* last value of each key */
        unsigned raw_line[_KEY_MAX];
        bool bad[_KEY_MAX]; /* its value was reported: no more messages about it */

        ParserProblem *problem; /* handed to err in line order at the end */
        size_t n_problem, cap_problem;
        int problems;
        bool oom;
} Parser;


static void parser_error(Parser *p, unsigned line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void parser_error(Parser *p, unsigned line, const char *fmt, ...) {
        char msg[1024];
        va_list ap;

        p->problems++;
        if (!p->err || p->oom)
                return;
        if (p->n_problem == p->cap_problem) {
                size_t cap = p->cap_problem ? p->cap_problem * 2 : 16;
                void *n = reallocarray(p->problem, cap, sizeof *p->problem);

                if (!n) {
                        p->oom = true;
                        return;
                }
                p->problem = n;
                p->cap_problem = cap;
        }
        va_start(ap, fmt);
        vsnprintf(msg, sizeof msg, fmt, ap);
        va_end(ap);
        p->problem[p->n_problem].line = line;
        p->problem[p->n_problem].seq = p->n_problem;
        p->problem[p->n_problem].message = strdup(msg);
        if (!p->problem[p->n_problem].message) {
                p->oom = true;
                return;
        }
        p->n_problem++;
}

static int problem_compare(const void *a, const void *b) {
        const ParserProblem *x = a, *y = b;

        if (x->line != y->line)
                return x->line < y->line ? -1 : 1;
        return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Report the problems in line order (those of one line in the order found). */
static void parser_flush(Parser *p) {
        if (p->n_problem > 1)
                qsort(p->problem, p->n_problem, sizeof *p->problem, problem_compare);
        for (size_t i = 0; i < p->n_problem; i++) {
                if (!p->oom)
                        p->err(p->file, p->problem[i].line, p->problem[i].message, p->userdata);
                free(p->problem[i].message);
        }
        free(p->problem);
        p->problem = NULL;
        p->n_problem = 0;
}

/* "window", or "[baseline] days" for keys outside [policy]. */
static const char *key_display(Key k, char *buf, size_t size) {
        if (policy_keys[k].section == SECTION_POLICY)
                snprintf(buf, size, "%s", policy_keys[k].name);
        else
                snprintf(buf, size, "[%s] %s", section_names[policy_keys[k].section], policy_keys[k].name);
        return buf;
}

static int section_lookup(const char *name, size_t len) {
        for (size_t i = 0; i < _SECTION_MAX; i++)
                if (strlen(section_names[i]) == len && strncmp(section_names[i], name, len) == 0)
                        return (int) i;
        return -1;
}

/* A line that the reader (config_lines_read(), which mirrors inih r55 with
 * multi-line values and inline ';' comments) takes for a section header, a
 * key line or an error, trimmed: record section headers, report unknown
 * sections and syntax errors here, on their own line. */
static void parser_classify(void *userdata, const char *s, const char *e) {
        Parser *p = userdata;
        const char *q;
        char ename[256];

        if (*s == '[') {
                char name[INIH_SECTION_MAX + 1];
                size_t n;
                int i;

                q = config_ini_find(s + 1, e, "]");
                if (q == e || *q != ']') {
                        p->syntax_errors++;
                        parser_error(p, p->in.line, "syntax error: section header without ']'");
                        return;
                }
                p->in_unknown_section = false;
                n = MIN((size_t) (q - s - 1), sizeof name - 1);
                memcpy(name, s + 1, n);
                name[n] = '\0';
                i = section_lookup(s + 1, (size_t) (q - s - 1));
                if (i < 0) {
                        parser_error(p, p->in.line, "unknown section [%s]", config_escape(name, ename, sizeof ename));
                        memcpy(p->unknown_section, name, n + 1);
                        p->in_unknown_section = true;
                } else if (p->section_line[i] == 0)
                        p->section_line[i] = p->in.line;
                return;
        }
        q = config_ini_find(s, e, "=:");
        if (q == e || (*q != '=' && *q != ':')) {
                p->syntax_errors++;
                parser_error(p, p->in.line, "syntax error: expected 'key = value'");
                return;
        }
}

/* A line the reader could not hand over (config_lines_read) is skipped. */
static void parser_line_problem(void *userdata, int line, const char *what) {
        parser_error(userdata, (unsigned) line, "%s, ignored", what);
}

static int key_lookup(const char *section, const char *name) {
        for (size_t i = 0; i < _KEY_MAX; i++)
                if (strcmp(section_names[policy_keys[i].section], section) == 0 &&
                    strcmp(policy_keys[i].name, name) == 0)
                        return (int) i;
        return -1;
}

/* Append an indented line to a text key's value, with a space between. */
static void parser_append(Parser *p, Key k, const char *value) {
        size_t a = p->raw[k] ? strlen(p->raw[k]) : 0, b = strlen(value);
        char *s;

        /* Keep no more than it takes to tell, at the end, that it is too long. */
        if (b == 0 || a > POLICY_MAX_TEXT)
                return;
        b = MIN(b, POLICY_MAX_TEXT + 1 - a);
        s = realloc(p->raw[k], a + b + 2);
        if (!s) {
                p->oom = true;
                return;
        }
        if (a > 0)
                s[a++] = ' ';
        memcpy(s + a, value, b);
        s[a + b] = '\0';
        p->raw[k] = s;
}

/* Always "success" to inih: problems are reported here and in the reader. */
static int parser_handler(void *userdata, const char *section, const char *name, const char *value) {
        Parser *p = userdata;
        char ename[256], esection[256], kname[64];
        int k;

        if (p->oom)
                return 1;
        value = value ?: "";
        if (p->in.continuation) {
                if (p->last_key < 0)
                        return 1; /* continues a key reported already */
                if (!policy_keys[p->last_key].text) {
                        parser_error(p, p->in.line, "indented line continues %s, which takes a single value",
                                     key_display(p->last_key, kname, sizeof kname));
                        return 1;
                }
                parser_append(p, p->last_key, value);
                return 1;
        }

        k = key_lookup(section, name);
        p->last_key = k;
        if (k >= 0) {
                char *v = strdup(value);

                if (!v) {
                        p->oom = true;
                        return 1;
                }
                free(p->raw[k]);
                p->raw[k] = v;
                p->raw_line[k] = p->in.line;
                return 1;
        }
        if (!*section)
                parser_error(p, p->in.line, "key '%s' outside any section", config_escape(name, ename, sizeof ename));
        else if (!p->in_unknown_section || strcmp(section, p->unknown_section) != 0)
                parser_error(p, p->in.line, "unknown key '%s' in section [%s]", config_escape(name, ename, sizeof ename),
                             config_escape(section, esection, sizeof esection));
        return 1;
}

/* Where to report that something is missing from a section: its header, or
 * the end of the file when the section is not there at all. */
static unsigned parser_section_line(const Parser *p, Section s) {
        return p->section_line[s] ?: p->last_line;
}

static void parser_invalid(Parser *p, Key k, const char *expected) {
        char ev[256], kname[64];

        p->bad[k] = true;
        parser_error(p, p->raw_line[k], "invalid value '%s' for %s (expected %s)", config_escape(p->raw[k], ev, sizeof ev),
                     key_display(k, kname, sizeof kname), expected);
}

static void parser_enum(Parser *p, Key k, const char *const *names, size_t n, int *field) {
        char expected[256];
        size_t len = 0;
        int r;

        if (!p->raw[k])
                return;
        r = name_lookup(names, n, p->raw[k]);
        if (r >= 0) {
                *field = r;
                return;
        }
        len = (size_t) snprintf(expected, sizeof expected, "one of");
        for (size_t i = 0; i < n && len < sizeof expected; i++)
                len += (size_t) snprintf(expected + len, sizeof expected - len, "%s %s", i ? "," : "", names[i]);
        parser_invalid(p, k, expected);
}

static void parser_days(Parser *p, Key k, int min, int max, int *field) {
        char expected[128];
        int v = 0, r;

        if (!p->raw[k])
                return;
        r = policy_parse_days(p->raw[k], &v);
        if (r == -EDOM) {
                parser_invalid(p, k, "whole days such as 7d or 2w; hours and minutes are not allowed here");
                return;
        }
        if (r >= 0 && v >= min && v <= max) {
                *field = v;
                return;
        }
        snprintf(expected, sizeof expected, "whole days from %dd to %dd, such as 7d or 2w", min, max);
        parser_invalid(p, k, expected);
}

static void parser_int(Parser *p, Key k, int min, int max, int *field) {
        char expected[64];
        int v;

        if (!p->raw[k])
                return;
        if (policy_parse_uint(p->raw[k], &v) >= 0 && v >= min && v <= max) {
                *field = v;
                return;
        }
        snprintf(expected, sizeof expected, "an integer from %d to %d", min, max);
        parser_invalid(p, k, expected);
}

/* A plain number ≥ 0 (or > 0 when positive). */
static void parser_number(Parser *p, Key k, bool positive, double *field) {
        double v;

        if (!p->raw[k])
                return;
        if (policy_parse_number(p->raw[k], &v) >= 0 && (positive ? v > 0 : v >= 0)) {
                *field = v;
                return;
        }
        parser_invalid(p, k, positive ? "a number above 0" : "a number, 0 or more");
}

static void parser_signal_value(Parser *p, Key k, PolicySignal s, bool level, bool nonnegative, double *field) {
        char expected[128];
        double v;

        if (!p->raw[k])
                return;
        if (policy_parse_signal_value(s, level, p->raw[k], &v) >= 0 && (!nonnegative || v >= 0)) {
                *field = v;
                return;
        }
        snprintf(expected, sizeof expected, "%s%s", policy_signal_value_expected(s, level), nonnegative ? ", 0 or more" : "");
        parser_invalid(p, k, expected);
}

/* count_when: "> 0.3", ">= 1", "< 2", "<= 01:30", "= 0". */
static void parser_count_when(Parser *p, PolicySignal s, Policy *pol) {
        const char *v = p->raw[KEY_COUNT_WHEN];
        char expected[160];
        char op;

        if (!v)
                return;
        if ((v[0] == '>' || v[0] == '<' || v[0] == '=') && v[1] == '=') {
                op = v[0] == '>' ? 'g' : v[0] == '<' ? 'l' : '=';
                v += 2;
        } else if (v[0] == '>' || v[0] == '<' || v[0] == '=')
                op = *v++;
        else
                op = 0;
        while (*v == ' ' || *v == '\t')
                v++;
        if (op && policy_parse_signal_value(s, true, v, &pol->count_value) >= 0) {
                pol->count_op = op;
                return;
        }
        snprintf(expected, sizeof expected, "a comparison: >, >=, <, <= or = and %s", policy_signal_value_expected(s, true));
        parser_invalid(p, KEY_COUNT_WHEN, expected);
}

/* [composite] policies = a, b, c */
static void parser_composite(Parser *p, Policy *pol) {
        const char *s = p->raw[KEY_COMPOSITE_POLICIES];
        char **list = NULL;
        size_t n = 0;

        if (!s)
                return;
        list = calloc(POLICY_MAX_MEMBERS, sizeof *list);
        if (!list) {
                p->oom = true;
                return;
        }
        for (;;) {
                const char *e = strchr(s, ',') ?: s + strlen(s), *a = s, *b = e;
                bool dup = false;

                while (a < b && isspace((unsigned char) *a))
                        a++;
                while (b > a && isspace((unsigned char) b[-1]))
                        b--;
                if (!policy_name_valid(a, (size_t) (b - a)) || n == POLICY_MAX_MEMBERS) {
                        parser_invalid(p, KEY_COMPOSITE_POLICIES,
                                       n == POLICY_MAX_MEMBERS ? "at most 32 policy names"
                                                               : "policy names separated by commas");
                        goto fail;
                }
                for (size_t i = 0; i < n; i++)
                        dup = dup || (strlen(list[i]) == (size_t) (b - a) && strncmp(list[i], a, (size_t) (b - a)) == 0);
                if (dup) {
                        parser_invalid(p, KEY_COMPOSITE_POLICIES, "each policy named once");
                        goto fail;
                }
                list[n] = strndup(a, (size_t) (b - a));
                if (!list[n]) {
                        p->oom = true;
                        goto fail;
                }
                n++;
                if (!*e)
                        break;
                s = e + 1;
        }
        pol->composite = list;
        pol->n_composite = n;
        return;
fail:
        for (size_t i = 0; i < n; i++)
                free(list[i]);
        free(list);
}

/* A nudge text; an empty step is no step. */
static void parser_text(Parser *p, Key k, char **field) {
        if (!p->raw[k] || (k == KEY_STEP && !*p->raw[k]))
                return;
        if (!*p->raw[k])
                parser_invalid(p, k, "some text");
        else if (strlen(p->raw[k]) > POLICY_MAX_TEXT)
                parser_invalid(p, k, "at most 4096 bytes");
        else if (!policy_text_valid(p->raw[k]))
                parser_invalid(p, k, "UTF-8 text without control characters");
        else
                *field = TAKE_PTR(p->raw[k]);
}

/* The default name: the file name without its directory and ".policy". */
static char *default_name(const char *file) {
        const char *base = file ? strrchr(file, '/') : NULL;
        size_t len;

        base = base ? base + 1 : file ? file : "";
        len = strlen(base);
        if (len > 7 && strcmp(base + len - 7, ".policy") == 0)
                len -= 7;
        if (len == 0)
                return strdup("policy");
        return strndup(base, len);
}

/* The first key of list that was given, for messages about combinations. */
static unsigned parser_first_line(const Parser *p, const Key *keys, size_t n, unsigned fallback) {
        for (size_t i = 0; i < n; i++)
                if (p->raw_line[keys[i]] > 0)
                        return p->raw_line[keys[i]];
        return fallback;
}

/* Neither key had a bad value (already reported), so combining them makes sense. */
static bool parser_both_good(const Parser *p, Key a, Key b) {
        return !p->bad[a] && !p->bad[b];
}

/* Interpret the collected values into pol; problems are counted in p. */
static void parser_finish(Parser *p, Policy *pol) {
        bool have_signal = false, have_detector = false, have_aggregate = true, cusum;
        int v, unused_days;
        double unused_spread;
        Key days_key, min_days_key;

        if (p->raw[KEY_NAME]) {
                if (policy_name_valid(p->raw[KEY_NAME], strlen(p->raw[KEY_NAME]))) {
                        free(pol->name);
                        pol->name = TAKE_PTR(p->raw[KEY_NAME]);
                } else
                        parser_invalid(p, KEY_NAME, "letters, digits, '-', '_' and '.', at most 64");
        }
        if (p->raw[KEY_ENABLED] && parse_bool(p->raw[KEY_ENABLED], &pol->enabled) < 0)
                parser_invalid(p, KEY_ENABLED, "yes or no");
        if (p->raw[KEY_BY_WEEKDAY] && parse_bool(p->raw[KEY_BY_WEEKDAY], &pol->by_weekday) < 0)
                parser_invalid(p, KEY_BY_WEEKDAY, "yes or no");

        v = -1;
        parser_enum(p, KEY_SIGNAL, signal_names, ELEMENTSOF(signal_names), &v);
        if (v >= 0) {
                pol->signal = (PolicySignal) v;
                have_signal = true;
        }
        v = -1;
        parser_enum(p, KEY_DETECTOR, detector_names, ELEMENTSOF(detector_names), &v);
        if (v >= 0) {
                pol->detector = (PolicyDetector) v;
                have_detector = true;
        }
        v = -1;
        parser_enum(p, KEY_AGGREGATE, aggregate_names, ELEMENTSOF(aggregate_names), &v);
        if (v >= 0)
                pol->aggregate = (PolicyAggregate) v;
        else if (p->raw[KEY_AGGREGATE])
                have_aggregate = false;
        v = -1;
        parser_enum(p, KEY_DIRECTION, direction_names, ELEMENTSOF(direction_names), &v);
        if (v >= 0)
                pol->up = v == 1;
        v = -1;
        parser_enum(p, KEY_SEVERITY, severity_names, ELEMENTSOF(severity_names), &v);
        if (v >= 0)
                pol->severity = (PolicySeverity) v;

        parser_days(p, KEY_WINDOW, 1, POLICY_MAX_DAYS, &pol->window_days);
        pol->min_valid_days = (pol->window_days + 1) / 2;
        parser_int(p, KEY_MIN_VALID_DAYS, 1, POLICY_MAX_DAYS, &pol->min_valid_days);
        parser_days(p, KEY_FOR, 0, POLICY_MAX_DAYS, &pol->for_days);
        parser_days(p, KEY_KEEP_FIRING_FOR, 0, POLICY_MAX_DAYS, &pol->keep_firing_for_days);
        parser_days(p, KEY_COOLDOWN, 0, POLICY_MAX_DAYS, &pol->cooldown_days);

        /* [baseline] and [cusum] share the baseline fields: the detector's own
         * section is the one that counts; the other is checked, not used. */
        cusum = have_detector && pol->detector == POLICY_CUSUM;
        days_key = cusum ? KEY_CUSUM_DAYS : KEY_BASELINE_DAYS;
        min_days_key = cusum ? KEY_CUSUM_MIN_DAYS : KEY_BASELINE_MIN_DAYS;
        parser_days(p, KEY_BASELINE_DAYS, 1, POLICY_MAX_DAYS, cusum ? &unused_days : &pol->baseline_days);
        parser_int(p, KEY_BASELINE_MIN_DAYS, 1, POLICY_MAX_DAYS, cusum ? &unused_days : &pol->baseline_min_days);
        parser_days(p, KEY_CUSUM_DAYS, 1, POLICY_MAX_DAYS, cusum ? &pol->baseline_days : &unused_days);
        parser_int(p, KEY_CUSUM_MIN_DAYS, 1, POLICY_MAX_DAYS, cusum ? &pol->baseline_min_days : &unused_days);
        parser_number(p, KEY_BASELINE_Z, false, &pol->z_min);
        parser_number(p, KEY_CUSUM_K, false, &pol->cusum_k);
        parser_number(p, KEY_CUSUM_H, false, &pol->cusum_h);
        parser_int(p, KEY_TREND_MIN_DAYS, 2, POLICY_MAX_DAYS, &pol->trend_min_days);
        parser_int(p, KEY_COMPOSITE_MIN_FIRING, 1, POLICY_MAX_MEMBERS, &pol->composite_min);
        parser_composite(p, pol);
        parser_text(p, KEY_TITLE, &pol->title);
        parser_text(p, KEY_BODY, &pol->body);
        parser_text(p, KEY_STEP, &pol->step);

        /* Values read in the signal's units; with a bad or missing signal
         * (reported) they cannot be read. */
        if (have_signal && have_aggregate) {
                if (policy_aggregate_counts_days(pol->aggregate, pol->signal))
                        parser_number(p, KEY_THRESHOLD_VALUE, false, &pol->threshold);
                else
                        parser_signal_value(p, KEY_THRESHOLD_VALUE, pol->signal, true, false, &pol->threshold);
                parser_count_when(p, pol->signal, pol);
                parser_signal_value(p, KEY_BASELINE_MIN_CHANGE, pol->signal, false, true, &pol->min_change);
                parser_signal_value(p, KEY_BASELINE_MIN_SPREAD, pol->signal, false, true,
                                    cusum ? &unused_spread : &pol->min_spread);
                parser_signal_value(p, KEY_CUSUM_MIN_SPREAD, pol->signal, false, true,
                                    cusum ? &pol->min_spread : &unused_spread);
                parser_signal_value(p, KEY_TREND_MIN_SLOPE, pol->signal, false, true, &pol->min_slope);
        }

        /* Required keys (values taken over are no longer in raw: look at the lines).
         * A disabled policy needs none: "[policy] enabled = false" alone is how
         * a person switches off a default of the same name. */
        if (!pol->enabled)
                ;
        else if (!p->raw_line[KEY_DETECTOR])
                parser_error(p, parser_section_line(p, SECTION_POLICY), "missing key 'detector' in [policy]");
        if (pol->enabled && !p->raw_line[KEY_SIGNAL] && !(have_detector && pol->detector == POLICY_COMPOSITE))
                parser_error(p, parser_section_line(p, SECTION_POLICY), "missing key 'signal' in [policy]");
        if (pol->enabled && !p->raw_line[KEY_TITLE])
                parser_error(p, parser_section_line(p, SECTION_NUDGE), "missing key 'title' in [nudge]");
        if (pol->enabled && !p->raw_line[KEY_BODY])
                parser_error(p, parser_section_line(p, SECTION_NUDGE), "missing key 'body' in [nudge]");
        if (have_aggregate && pol->aggregate == POLICY_COUNT && !p->raw_line[KEY_COUNT_WHEN])
                parser_error(p, p->raw_line[KEY_AGGREGATE], "aggregate = count needs count_when (such as '> 0.3')");
        if (pol->enabled && have_detector && pol->detector == POLICY_THRESHOLD && !p->raw_line[KEY_THRESHOLD_VALUE])
                parser_error(p, p->raw_line[KEY_DETECTOR], "detector = threshold needs [threshold] value");
        if (pol->enabled && have_detector && pol->detector == POLICY_COMPOSITE &&
            !p->raw_line[KEY_COMPOSITE_POLICIES])
                parser_error(p, p->raw_line[KEY_DETECTOR], "detector = composite needs [composite] policies");

        /* Combinations that could never give an answer. */
        if (pol->min_valid_days > pol->window_days && parser_both_good(p, KEY_MIN_VALID_DAYS, KEY_WINDOW))
                parser_error(p, parser_first_line(p, (const Key[]) { KEY_MIN_VALID_DAYS, KEY_WINDOW }, 2, 1),
                             "min_valid_days (%d) is more than the window (%d days)", pol->min_valid_days,
                             pol->window_days);
        if (have_detector && (pol->detector == POLICY_BASELINE || pol->detector == POLICY_CUSUM) &&
            pol->baseline_min_days > pol->baseline_days && parser_both_good(p, min_days_key, days_key))
                parser_error(p, parser_first_line(p, (const Key[]) { min_days_key, days_key }, 2, p->raw_line[KEY_DETECTOR]),
                             "[%s] min_days (%d) is more than its days (%d)", detector_names[pol->detector],
                             pol->baseline_min_days, pol->baseline_days);
        if (have_detector && pol->detector == POLICY_TREND && pol->trend_min_days > pol->window_days &&
            parser_both_good(p, KEY_TREND_MIN_DAYS, KEY_WINDOW))
                parser_error(p,
                             parser_first_line(p, (const Key[]) { KEY_TREND_MIN_DAYS, KEY_WINDOW }, 2,
                                               p->raw_line[KEY_DETECTOR]),
                             "[trend] min_days (%d) is more than the window (%d days)", pol->trend_min_days,
                             pol->window_days);
        if (have_detector && pol->detector == POLICY_COMPOSITE && pol->n_composite > 0) {
                if ((size_t) pol->composite_min > pol->n_composite && !p->bad[KEY_COMPOSITE_MIN_FIRING])
                        parser_error(p,
                                     parser_first_line(p, (const Key[]) { KEY_COMPOSITE_MIN_FIRING, KEY_COMPOSITE_POLICIES },
                                                       2, 1),
                                     "[composite] min_firing (%d) is more than the %zu policies named",
                                     pol->composite_min, pol->n_composite);
                for (size_t i = 0; i < pol->n_composite; i++)
                        if (strcmp(pol->composite[i], pol->name) == 0)
                                parser_error(p, p->raw_line[KEY_COMPOSITE_POLICIES],
                                             "[composite] policies names this policy itself");
        }
        if (have_detector && pol->by_weekday && pol->detector != POLICY_BASELINE && pol->detector != POLICY_CUSUM)
                parser_error(p, p->raw_line[KEY_BY_WEEKDAY], "by_weekday applies to detector = baseline or cusum");
        if (have_detector && have_aggregate && pol->detector == POLICY_BASELINE &&
            (pol->aggregate == POLICY_SUM || pol->aggregate == POLICY_COUNT))
                parser_error(p, p->raw_line[KEY_AGGREGATE],
                             "aggregate = %s cannot be compared with a baseline of daily values (use mean or median)",
                             aggregate_names[pol->aggregate]);
        if (have_signal && have_aggregate && pol->aggregate == POLICY_SUM && policy_signal_unit(pol->signal) == UNIT_TIME)
                parser_error(p, p->raw_line[KEY_AGGREGATE], "aggregate = sum does not apply to times of day");
}

Policy *policy_free(Policy *p) {
        if (!p)
                return NULL;
        for (size_t i = 0; i < p->n_composite; i++)
                free(p->composite[i]);
        FREE_ALL(p->name, p->composite, p->title, p->body, p->step, p);
        return NULL;
}

int policy_parse(const char *text, size_t len, const char *name, PolicyErrorFn err, void *userdata, Policy **ret) {
        Parser p = {
                .file = name ?: "policy",
                .err = err,
                .userdata = userdata,
                .last_key = -1,
        };
        Policy *pol;
        int r;

        if (!ret || (!text && len > 0))
                return -EINVAL;
        *ret = NULL;
        /* The limit leaves room for a newline too, so that no inih version
         * takes a line for a truncated one. */
        p.in = (ConfigLines) {
                .p = text ?: "",
                .end = (text ?: "") + len,
                .spare = 2,
                .problem = parser_line_problem,
                .classify = parser_classify,
                .userdata = &p,
        };

        pol = calloc(1, sizeof *pol);
        if (!pol)
                return -ENOMEM;
        *pol = (Policy) {
                .name = default_name(name),
                .enabled = true,
                .aggregate = POLICY_MEAN,
                .window_days = 7,
                .up = true,
                .baseline_days = 28,
                .baseline_min_days = 14,
                .z_min = 2.5,
                .cusum_k = 0.5,
                .cusum_h = 5,
                .trend_min_days = 14,
                .composite_min = 2,
                .for_days = 1,
                .cooldown_days = 14,
                .severity = POLICY_NOTICE,
        };
        if (!pol->name) {
                free(pol);
                return -ENOMEM;
        }

        for (const char *c = p.in.p; c < p.in.end; c++)
                p.last_line += *c == '\n';
        if (p.in.end > p.in.p && p.in.end[-1] != '\n')
                p.last_line++;
        p.last_line = MAX(p.last_line, 1u);

        if (len > POLICY_MAX_SIZE)
                parser_error(&p, 1, "file larger than 1 MiB, ignored");
        else {
                r = ini_parse_stream(config_lines_read, &p.in, parser_handler, &p);
                if (r == -2)
                        p.oom = true;
                else if (r > 0 && p.syntax_errors == 0)
                        parser_error(&p, (unsigned) r, "syntax error"); /* our mirror of inih missed it */
                if (!p.oom)
                        parser_finish(&p, pol);
        }

        for (size_t i = 0; i < _KEY_MAX; i++)
                free(p.raw[i]);
        parser_flush(&p);
        if (p.oom) {
                policy_free(pol);
                return -ENOMEM;
        }
        if (p.problems > 0) {
                policy_free(pol);
                return p.problems;
        }
        *ret = pol;
        return 0;
}


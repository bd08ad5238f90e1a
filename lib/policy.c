/* Policies: parse INI text into a Policy, replay policies over daily signals,
 * fill nudge templates. The contract is policy.h; kizuki.policy(5) is the
 * reference for people.
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
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "macro.h"
#include "policy.h"

#define MIN_PER_DAY 1440
#define NOON_MIN 720

#define POLICY_MAX_SIZE (1024 * 1024) /* far above any sensible policy */
#define POLICY_MAX_DAYS 366           /* window, baseline, for, cooldown … */
#define POLICY_MAX_TEXT 4096          /* a nudge's title, body or step */
#define POLICY_MAX_NAME 64
#define POLICY_MAX_MEMBERS 32 /* policies named by a composite */
#define POLICY_MAX_DIGITS 15  /* exact in a double, so parsing needs no strtod */

#define MAD_SCALE 1.4826 /* MAD → σ for normal data (Rousseeuw & Croux 1993) */
#define CUSUM_Z_CLAMP 3.0

#define DASH "\u2014" /* a figure that is not known */

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

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

/* ---- signals and their units ------------------------------------------- */

typedef enum Unit {
        UNIT_HOURS,     /* "7.1 h" */
        UNIT_RATIO,     /* 0..1, shown as "31 %" */
        UNIT_TIME,      /* minutes on an anchored line, shown as "01:30" */
        UNIT_RHYTHM,    /* "0.62" */
        UNIT_MIN_PER_H, /* "12.3 min/h" */
        UNIT_DAYS,      /* "3 days" */
        UNIT_MOOD,      /* "3.2" */
        UNIT_NUMBER,    /* "12.5" */
} Unit;

/* The unit of the daily value x_d. */
static Unit signal_unit(PolicySignal s) {
        switch (s) {
        case POLICY_SIGNAL_SCREEN_H:
        case POLICY_SIGNAL_SLEEP_H:
        case POLICY_SIGNAL_COVERAGE_H:
                return UNIT_HOURS;
        case POLICY_SIGNAL_NIGHT_RATIO:
        case POLICY_SIGNAL_WENT_OUT:
        case POLICY_SIGNAL_MET_SOMEONE:
                return UNIT_RATIO;
        case POLICY_SIGNAL_FIRST_ACTIVE:
        case POLICY_SIGNAL_LAST_ACTIVE:
        case POLICY_SIGNAL_SLEEP_ONSET:
        case POLICY_SIGNAL_SLEEP_OFFSET:
        case POLICY_SIGNAL_SLEEP_MID:
                return UNIT_TIME;
        case POLICY_SIGNAL_IS:
        case POLICY_SIGNAL_IV:
        case POLICY_SIGNAL_RA:
                return UNIT_RHYTHM;
        case POLICY_SIGNAL_L5:
        case POLICY_SIGNAL_M10:
                return UNIT_MIN_PER_H;
        case POLICY_SIGNAL_MOOD:
                return UNIT_MOOD;
        default:
                return UNIT_NUMBER;
        }
}

static bool signal_is_yes_no(PolicySignal s) {
        return s == POLICY_SIGNAL_WENT_OUT || s == POLICY_SIGNAL_MET_SOMEONE;
}

static bool signal_is_checkin(PolicySignal s) {
        return signal_is_yes_no(s) || s == POLICY_SIGNAL_MOOD;
}

/* Does the window aggregate count days (count, or the sum of yes/no answers)? */
static bool aggregate_counts_days(PolicyAggregate a, PolicySignal s) {
        return a == POLICY_COUNT || (a == POLICY_SUM && signal_is_yes_no(s));
}

/* The unit of PolicyEval.value and .baseline: the window aggregate's, or the
 * daily value's for cusum. */
static Unit value_unit(const Policy *p) {
        Unit u = signal_unit(p->signal);

        if (p->detector == POLICY_CUSUM)
                return u;
        if (aggregate_counts_days(p->aggregate, p->signal))
                return UNIT_DAYS;
        if (p->aggregate == POLICY_SUM && u != UNIT_HOURS)
                return UNIT_NUMBER;
        return u;
}

/* Origin of the line a time of day is put on, as in summary.c: first/last
 * active from the day start, sleep times from noon (the offset a minute
 * later, since the sleep window ends at noon). */
static int signal_anchor(PolicySignal s, int day_start_min) {
        switch (s) {
        case POLICY_SIGNAL_FIRST_ACTIVE:
        case POLICY_SIGNAL_LAST_ACTIVE:
                return ((day_start_min % MIN_PER_DAY) + MIN_PER_DAY) % MIN_PER_DAY;
        case POLICY_SIGNAL_SLEEP_ONSET:
        case POLICY_SIGNAL_SLEEP_MID:
                return NOON_MIN;
        case POLICY_SIGNAL_SLEEP_OFFSET:
                return NOON_MIN + 1;
        default:
                return 0;
        }
}

/* Minutes after midnight → minutes after anchor, 0 ≤ result < 1440. */
static double clock_to_line(double clock_min, int anchor_min) {
        double t = fmod(clock_min - anchor_min, MIN_PER_DAY);

        return t < 0 ? t + MIN_PER_DAY : t;
}

/* ---- value parsers ------------------------------------------------------ */

static bool is_digit(char c) {
        return c >= '0' && c <= '9';
}

/* A decimal number: optional sign, digits with an optional fraction, at most
 * 15 digits. No exponent, hex, inf or nan; exact (the mantissa and the power
 * of ten are exact doubles, so one division rounds correctly) and independent
 * of the locale, unlike strtod. */
static int parse_number(const char *s, double *ret) {
        static const double pow10[] = { 1e0, 1e1, 1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                        1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15 };
        int64_t m = 0;
        int digits = 0, frac = 0;
        bool neg = false, dot = false;
        double v;

        if (*s == '+' || *s == '-')
                neg = *s++ == '-';
        for (; *s; s++) {
                if (*s == '.' && !dot) {
                        dot = true;
                        continue;
                }
                if (!is_digit(*s) || ++digits > POLICY_MAX_DIGITS)
                        return -EINVAL;
                m = m * 10 + (*s - '0');
                frac += dot;
        }
        if (digits == 0)
                return -EINVAL;
        v = (double) m / pow10[frac];
        *ret = neg && v != 0 ? -v : v;
        return 0;
}

/* Decimal digits only, at most 9 (no sign, no spaces). */
static int parse_uint(const char *s, int *ret) {
        int v = 0, n = 0;

        for (; is_digit(*s); s++, n++) {
                if (n >= 9)
                        return -ERANGE;
                v = v * 10 + (*s - '0');
        }
        if (n == 0 || *s)
                return -EINVAL;
        *ret = v;
        return 0;
}

/* Whole days: "7", "7d", "7 days", "2w", "1 week". -EDOM for a unit shorter
 * than a day ("3h", "90min"), -ERANGE for absurdly many digits. */
static int parse_days(const char *s, int *ret) {
        static const struct {
                const char *name;
                int days; /* 0: shorter than a day */
        } units[] = {
                { "", 1 },      { "d", 1 },       { "day", 1 },     { "days", 1 },    { "w", 7 },
                { "week", 7 },  { "weeks", 7 },   { "h", 0 },       { "hour", 0 },    { "hours", 0 },
                { "m", 0 },     { "min", 0 },     { "minute", 0 },  { "minutes", 0 }, { "s", 0 },
                { "sec", 0 },   { "second", 0 },  { "seconds", 0 },
        };
        int n = 0, digits = 0;
        size_t len;

        for (; is_digit(*s); s++) {
                if (++digits > 6)
                        return -ERANGE;
                n = n * 10 + (*s - '0');
        }
        if (digits == 0)
                return -EINVAL;
        if (*s == ' ')
                s++;
        for (len = 0; s[len] >= 'a' && s[len] <= 'z'; len++)
                ;
        for (size_t i = 0; i < ELEMENTSOF(units); i++) {
                if (strlen(units[i].name) != len || strncmp(units[i].name, s, len) != 0)
                        continue;
                if (units[i].days == 0)
                        return -EDOM;
                if (s[len] != '\0')
                        return -EINVAL;
                *ret = n * units[i].days;
                return 0;
        }
        return -EINVAL;
}

/* A number followed by an optional space and "%": the fraction (30% → 0.3). */
static int parse_percent(const char *s, double *ret) {
        char buf[64];
        size_t len = strlen(s);
        double v;

        if (len == 0 || s[len - 1] != '%' || len >= sizeof buf)
                return -EINVAL;
        len--;
        if (len > 0 && s[len - 1] == ' ')
                len--;
        memcpy(buf, s, len);
        buf[len] = '\0';
        if (parse_number(buf, &v) < 0)
                return -EINVAL;
        *ret = v / 100;
        return 0;
}

/* A value of the signal's daily quantity (a level: threshold, count_when) or a
 * difference of it (min_change, min_slope), in the units the series uses:
 * hours for hours signals (a duration such as "7h30min" works too), fractions
 * for ratios ("30%" works too), minutes for times of day (levels as "HH:MM" or
 * minutes after midnight; differences as minutes or a duration such as
 * "45min"). A level of a time is left as minutes after midnight: replay puts
 * it on the anchored line, whose origin depends on the day start. */
static int parse_signal_value(PolicySignal s, bool level, const char *v, double *ret) {
        int64_t sec;
        double x;
        int m;

        switch (signal_unit(s)) {
        case UNIT_HOURS:
                if (parse_number(v, ret) >= 0)
                        return 0;
                if (parse_duration(v, &sec) < 0 || sec > INT64_C(1) << 40)
                        return -EINVAL;
                *ret = (double) sec / 3600;
                return 0;
        case UNIT_RATIO:
                if (parse_number(v, ret) >= 0)
                        return 0;
                return parse_percent(v, ret);
        case UNIT_TIME:
                if (level) {
                        if (parse_clock(v, &m) >= 0) {
                                *ret = m;
                                return 0;
                        }
                        if (parse_number(v, &x) < 0 || x < 0 || x >= MIN_PER_DAY)
                                return -EINVAL;
                        *ret = x;
                        return 0;
                }
                if (parse_number(v, ret) >= 0)
                        return 0;
                if (parse_duration(v, &sec) < 0 || sec > INT64_C(1) << 40)
                        return -EINVAL;
                *ret = (double) sec / 60;
                return 0;
        default:
                return parse_number(v, ret);
        }
}

static const char *signal_value_expected(PolicySignal s, bool level) {
        switch (signal_unit(s)) {
        case UNIT_HOURS:
                return "hours, or a duration such as 1h30min";
        case UNIT_RATIO:
                return "a fraction such as 0.3, or a percentage such as 30%";
        case UNIT_TIME:
                return level ? "a time of day HH:MM" : "minutes, or a duration such as 45min";
        default:
                return "a number";
        }
}

/* ASCII letters, digits, '-', '_', '.' (whatever the locale); what
 * composite policies can name. */
static bool name_valid(const char *s, size_t len) {
        if (len == 0 || len > POLICY_MAX_NAME)
                return false;
        for (size_t i = 0; i < len; i++) {
                char c = s[i];

                if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z') && !is_digit(c) && c != '-' && c != '_' &&
                    c != '.')
                        return false;
        }
        return true;
}

/* Well-formed UTF-8 without control characters (nudge texts reach terminals,
 * notifications and JSON). */
static bool text_valid(const char *s) {
        const unsigned char *u = (const unsigned char *) s;

        while (*u) {
                unsigned c = *u;
                size_t n;
                uint32_t cp;

                if (c < 0x20 || c == 0x7f)
                        return false;
                if (c < 0x80) {
                        u++;
                        continue;
                }
                if (c >= 0xc2 && c <= 0xdf) {
                        n = 1;
                        cp = c & 0x1f;
                } else if (c >= 0xe0 && c <= 0xef) {
                        n = 2;
                        cp = c & 0x0f;
                } else if (c >= 0xf0 && c <= 0xf4) {
                        n = 3;
                        cp = c & 0x07;
                } else
                        return false;
                for (size_t i = 1; i <= n; i++) {
                        if ((u[i] & 0xc0) != 0x80)
                                return false;
                        cp = cp << 6 | (u[i] & 0x3f);
                }
                if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
                    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp < 0xa0))
                        return false;
                u += n + 1;
        }
        return true;
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
        KEY_THRESHOLD_VALUE,
        KEY_BASELINE_DAYS,
        KEY_BASELINE_MIN_DAYS,
        KEY_BASELINE_Z,
        KEY_BASELINE_MIN_CHANGE,
        KEY_CUSUM_K,
        KEY_CUSUM_H,
        KEY_CUSUM_DAYS,
        KEY_CUSUM_MIN_DAYS,
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
        [KEY_THRESHOLD_VALUE] = { SECTION_THRESHOLD, "value", false },
        [KEY_BASELINE_DAYS] = { SECTION_BASELINE, "days", false },
        [KEY_BASELINE_MIN_DAYS] = { SECTION_BASELINE, "min_days", false },
        [KEY_BASELINE_Z] = { SECTION_BASELINE, "z", false },
        [KEY_BASELINE_MIN_CHANGE] = { SECTION_BASELINE, "min_change", false },
        [KEY_CUSUM_K] = { SECTION_CUSUM, "k", false },
        [KEY_CUSUM_H] = { SECTION_CUSUM, "h", false },
        [KEY_CUSUM_DAYS] = { SECTION_CUSUM, "days", false },
        [KEY_CUSUM_MIN_DAYS] = { SECTION_CUSUM, "min_days", false },
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

        /* inih's view, mirrored: it has a key name that an indented line
         * continues; the current line is such a continuation. */
        bool prev_name, continuation;
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

/* inih's find_chars_or_comment() over [s, e): the first of chars, or an
 * inline comment (';' after whitespace), or e. */
static const char *ini_find(const char *s, const char *e, const char *chars) {
        bool was_space = false;

        for (; s < e; s++) {
                if ((chars && strchr(chars, *s)) || (was_space && *s == ';'))
                        return s;
                was_space = isspace((unsigned char) *s);
        }
        return e;
}

static int section_lookup(const char *name, size_t len) {
        for (size_t i = 0; i < _SECTION_MAX; i++)
                if (strlen(section_names[i]) == len && strncmp(section_names[i], name, len) == 0)
                        return (int) i;
        return -1;
}

/* Classify a line as inih will (ini_parse_stream() of inih r55 with
 * multi-line values and inline ';' comments): record section headers,
 * report unknown sections and syntax errors here, on their own line. */
static void parser_classify(void *userdata, const char *line, size_t len) {
        Parser *p = userdata;
        const char *s = line, *e = line + len, *q;
        char ename[256];

        p->continuation = false;
        if (p->in.line == 1 && len >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
                s += 3;
        while (e > s && isspace((unsigned char) e[-1]))
                e--;
        while (s < e && isspace((unsigned char) *s))
                s++;
        if (s == e || *s == ';' || *s == '#')
                return; /* blank or comment */
        if (p->prev_name && s > line) {
                p->continuation = true;
                return;
        }
        if (*s == '[') {
                char name[INIH_SECTION_MAX + 1];
                size_t n;
                int i;

                q = ini_find(s + 1, e, "]");
                if (q == e || *q != ']') {
                        p->syntax_errors++;
                        parser_error(p, p->in.line, "syntax error: section header without ']'");
                        return;
                }
                p->prev_name = false;
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
        q = ini_find(s, e, "=:");
        if (q == e || (*q != '=' && *q != ':')) {
                p->syntax_errors++;
                parser_error(p, p->in.line, "syntax error: expected 'key = value'");
                return;
        }
        p->prev_name = q > s; /* the name is empty when the line starts with '=' */
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
        if (p->continuation) {
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
        r = parse_days(p->raw[k], &v);
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
        if (parse_uint(p->raw[k], &v) >= 0 && v >= min && v <= max) {
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
        if (parse_number(p->raw[k], &v) >= 0 && (positive ? v > 0 : v >= 0)) {
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
        if (parse_signal_value(s, level, p->raw[k], &v) >= 0 && (!nonnegative || v >= 0)) {
                *field = v;
                return;
        }
        snprintf(expected, sizeof expected, "%s%s", signal_value_expected(s, level), nonnegative ? ", 0 or more" : "");
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
        if (op && parse_signal_value(s, true, v, &pol->count_value) >= 0) {
                pol->count_op = op;
                return;
        }
        snprintf(expected, sizeof expected, "a comparison: >, >=, <, <= or = and %s", signal_value_expected(s, true));
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
                if (!name_valid(a, (size_t) (b - a)) || n == POLICY_MAX_MEMBERS) {
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
        else if (!text_valid(p->raw[k]))
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
        Key days_key, min_days_key;

        if (p->raw[KEY_NAME]) {
                if (name_valid(p->raw[KEY_NAME], strlen(p->raw[KEY_NAME]))) {
                        free(pol->name);
                        pol->name = TAKE_PTR(p->raw[KEY_NAME]);
                } else
                        parser_invalid(p, KEY_NAME, "letters, digits, '-', '_' and '.', at most 64");
        }
        if (p->raw[KEY_ENABLED] && parse_bool(p->raw[KEY_ENABLED], &pol->enabled) < 0)
                parser_invalid(p, KEY_ENABLED, "yes or no");

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
                if (aggregate_counts_days(pol->aggregate, pol->signal))
                        parser_number(p, KEY_THRESHOLD_VALUE, false, &pol->threshold);
                else
                        parser_signal_value(p, KEY_THRESHOLD_VALUE, pol->signal, true, false, &pol->threshold);
                parser_count_when(p, pol->signal, pol);
                parser_signal_value(p, KEY_BASELINE_MIN_CHANGE, pol->signal, false, true, &pol->min_change);
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
        if (have_detector && have_aggregate && pol->detector == POLICY_BASELINE &&
            (pol->aggregate == POLICY_SUM || pol->aggregate == POLICY_COUNT))
                parser_error(p, p->raw_line[KEY_AGGREGATE],
                             "aggregate = %s cannot be compared with a baseline of daily values (use mean or median)",
                             aggregate_names[pol->aggregate]);
        if (have_signal && have_aggregate && pol->aggregate == POLICY_SUM && signal_unit(pol->signal) == UNIT_TIME)
                parser_error(p, p->raw_line[KEY_AGGREGATE], "aggregate = sum does not apply to times of day");
}

Policy *policy_free(Policy *p) {
        if (!p)
                return NULL;
        free(p->name);
        for (size_t i = 0; i < p->n_composite; i++)
                free(p->composite[i]);
        free(p->composite);
        free(p->title);
        free(p->body);
        free(p->step);
        free(p);
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

/* ---- statistics ---------------------------------------------------------- */

static void swap_d(double *a, size_t i, size_t j) {
        double t = a[i];

        a[i] = a[j];
        a[j] = t;
}

static double median3(double a, double b, double c) {
        if (a > b) {
                double t = a;
                a = b;
                b = t;
        }
        return c <= a ? a : c >= b ? b : c;
}

/* The k-th smallest of a[0..n) (no NANs), k < n; afterwards a[0..k) ≤ a[k].
 * Quickselect with a three-way partition, so runs of equal values (0/1
 * answers, whole minutes) stay linear. */
static double select_kth(double *a, size_t n, size_t k) {
        size_t lo = 0, hi = n;

        while (hi - lo > 1) {
                double pivot = median3(a[lo], a[lo + (hi - lo) / 2], a[hi - 1]);
                size_t lt = lo, i = lo, gt = hi;

                while (i < gt) {
                        if (a[i] < pivot)
                                swap_d(a, lt++, i++);
                        else if (a[i] > pivot)
                                swap_d(a, i, --gt);
                        else
                                i++;
                }
                if (k < lt)
                        hi = lt;
                else if (k >= gt)
                        lo = gt;
                else
                        return pivot;
        }
        return a[k];
}

/* The median of a[0..n) (reordered), the mean of the two middle values for an
 * even n as in summary.c; NAN for n = 0. */
static double median(double *a, size_t n) {
        double hi, lo;

        if (n == 0)
                return NAN;
        hi = select_kth(a, n, n / 2);
        if (n % 2 == 1)
                return hi;
        lo = a[0];
        for (size_t i = 1; i < n / 2; i++)
                lo = MAX(lo, a[i]);
        return (lo + hi) / 2;
}

/* m = median(a), returns s = 1.4826·MAD(a); a is overwritten. */
static double robust_spread(double *a, size_t n, double *ret_m) {
        double m = median(a, n);

        for (size_t i = 0; i < n; i++)
                a[i] = fabs(a[i] - m);
        *ret_m = m;
        return MAD_SCALE * median(a, n);
}

/* Theil–Sen: the median of the pairwise slopes (v_j − v_i)/(t_j − t_i), t
 * distinct (Sen 1968). slopes: room for n(n−1)/2. */
static double theil_sen(const double *t, const double *v, size_t n, double *slopes) {
        size_t m = 0;

        for (size_t i = 0; i < n; i++)
                for (size_t j = i + 1; j < n; j++)
                        slopes[m++] = (v[j] - v[i]) / (t[j] - t[i]);
        return median(slopes, m);
}

static bool count_matches(char op, double x, double v) {
        switch (op) {
        case '<':
                return x < v;
        case '>':
                return x > v;
        case '=':
                return x == v;
        case 'l':
                return x <= v;
        case 'g':
                return x >= v;
        default:
                return false;
        }
}

/* ---- replay -------------------------------------------------------------- */

typedef struct Run {
        const Policy *p;
        const double *x;   /* the daily series, n_days values */
        int anchor;        /* times of day: origin of the series' line */
        double threshold;  /* on the series' line */
        double count_value;
        size_t *members; /* composite: indices of the named policies; SIZE_MAX: missing */

        PolicyState state;
        int n_true, n_false; /* known days true while pending, false while firing */
        int64_t last_nudge;  /* day index, -1: none yet */
        double cusum_s;
        bool frozen;
        double frozen_m, frozen_s;
} Run;

typedef struct Scratch {
        double *a;    /* window / baseline values, pairwise slopes */
        double *t, *v; /* trend: day offsets and values */
} Scratch;

/* The valid values of x over days [from, to] (days before the first are missing). */
static size_t gather(const double *x, size_t n_days, int64_t from, int64_t to, double *out, double *out_t) {
        size_t n = 0;

        for (int64_t d = MAX(from, INT64_C(0)); d <= to && d < (int64_t) n_days; d++)
                if (!isnan(x[d])) {
                        if (out_t)
                                out_t[n] = (double) d;
                        out[n++] = x[d];
                }
        return n;
}

static double aggregate(const Run *r, double *a, size_t n) {
        double sum = 0;
        size_t c = 0;

        switch (r->p->aggregate) {
        case POLICY_MEDIAN:
                return median(a, n);
        case POLICY_COUNT:
                for (size_t i = 0; i < n; i++)
                        c += count_matches(r->p->count_op, a[i], r->count_value);
                return (double) c;
        case POLICY_SUM:
        case POLICY_MEAN:
        default:
                for (size_t i = 0; i < n; i++)
                        sum += a[i];
                return r->p->aggregate == POLICY_SUM ? sum : sum / (double) n;
        }
}

/* The window aggregate on day d into e->value; false when unknown. */
static bool window_value(const Run *r, Scratch *sc, size_t n_days, int64_t d, PolicyEval *e) {
        size_t n = gather(r->x, n_days, d - r->p->window_days + 1, d, sc->a, NULL);

        if (n < (size_t) r->p->min_valid_days || n == 0)
                return false;
        e->value = aggregate(r, sc->a, n);
        return true;
}

static bool eval_threshold(const Run *r, Scratch *sc, size_t n_days, int64_t d, PolicyEval *e, bool *cond) {
        e->baseline = r->threshold;
        if (!window_value(r, sc, n_days, d, e))
                return false;
        *cond = r->p->up ? e->value > r->threshold : e->value < r->threshold;
        return true;
}

static bool eval_baseline(const Run *r, Scratch *sc, size_t n_days, int64_t d, PolicyEval *e, bool *cond) {
        const Policy *p = r->p;
        int64_t end = d - p->window_days;
        size_t n;
        double diff;

        if (!window_value(r, sc, n_days, d, e))
                return false;
        n = gather(r->x, n_days, end - p->baseline_days + 1, end, sc->a, NULL);
        if (n < (size_t) p->baseline_min_days || n == 0)
                return false;
        e->spread = robust_spread(sc->a, n, &e->baseline);
        diff = e->value - e->baseline;
        if (e->spread > 0)
                e->score = diff / e->spread;
        else
                e->score = diff > 0 ? INFINITY : diff < 0 ? -INFINITY : 0;
        if (p->up)
                *cond = e->score >= p->z_min && diff >= p->min_change;
        else
                *cond = e->score <= -p->z_min && -diff >= p->min_change;
        return true;
}

/* One CUSUM step; the baseline used (frozen or today's) is left in e. */
static bool eval_cusum(Run *r, Scratch *sc, size_t n_days, int64_t d, PolicyEval *e, bool *cond) {
        const Policy *p = r->p;
        double x = r->x[d], z;

        e->score = r->cusum_s;
        if (r->frozen) {
                e->baseline = r->frozen_m;
                e->spread = r->frozen_s;
        } else {
                size_t n = gather(r->x, n_days, d - p->baseline_days, d - 1, sc->a, NULL);

                if (n >= (size_t) p->baseline_min_days && n > 0)
                        e->spread = robust_spread(sc->a, n, &e->baseline);
        }
        if (isnan(x) || isnan(e->baseline))
                return false; /* S unchanged */

        z = e->spread > 0 ? fmin(fmax((x - e->baseline) / e->spread, -CUSUM_Z_CLAMP), CUSUM_Z_CLAMP) : 0;
        r->cusum_s = fmax(0, r->cusum_s + (p->up ? z : -z) - p->cusum_k);
        e->value = x;
        e->score = r->cusum_s;
        *cond = r->cusum_s > p->cusum_h;
        return true;
}

static bool eval_trend(const Run *r, Scratch *sc, size_t n_days, int64_t d, PolicyEval *e, bool *cond) {
        const Policy *p = r->p;
        size_t n = gather(r->x, n_days, d - p->window_days + 1, d, sc->v, sc->t);

        if (n < (size_t) p->trend_min_days || n < 2)
                return false;
        e->score = theil_sen(sc->t, sc->v, n, sc->a);
        e->value = aggregate(r, sc->v, n);
        /* min_slope = 0 asks for any slope in the direction, not a flat line. */
        if (p->up)
                *cond = e->score >= p->min_slope && e->score > 0;
        else
                *cond = e->score <= -p->min_slope && e->score < 0;
        return true;
}

static bool eval_composite(const Run *r, const PolicyEval *evals, size_t n_days, int64_t d, PolicyEval *e,
                           bool *cond) {
        int firing = 0;

        for (size_t i = 0; i < r->p->n_composite; i++)
                if (r->members[i] != SIZE_MAX && evals[r->members[i] * n_days + (size_t) d].state == POLICY_FIRING)
                        firing++;
        e->score = firing;
        *cond = firing >= r->p->composite_min;
        return true;
}

/* The state machine of policy.h, and the nudge. */
static void run_step(Run *r, int64_t d, bool known, bool cond, PolicyEval *e) {
        const Policy *p = r->p;
        PolicyState was = r->state;

        e->known = known;
        e->condition = known && cond;
        if (known) {
                switch (r->state) {
                case POLICY_INACTIVE:
                        if (cond) {
                                r->n_true = 1;
                                r->state = p->for_days <= 1 ? POLICY_FIRING : POLICY_PENDING;
                        }
                        break;
                case POLICY_PENDING:
                        if (!cond)
                                r->state = POLICY_INACTIVE;
                        else if (++r->n_true >= p->for_days)
                                r->state = POLICY_FIRING;
                        break;
                case POLICY_FIRING:
                        if (cond)
                                r->n_false = 0;
                        else if (++r->n_false > p->keep_firing_for_days)
                                r->state = POLICY_INACTIVE;
                        break;
                }
                if (was != POLICY_FIRING && r->state == POLICY_FIRING)
                        r->n_false = 0;
        }
        e->state = r->state;
        /* Nudges only on known days: they carry the figures behind them. */
        e->nudge = known && r->state == POLICY_FIRING &&
                   (r->last_nudge < 0 || d - r->last_nudge >= p->cooldown_days);
        if (e->nudge)
                r->last_nudge = d;
}

/* Index of the day with this date in days (sorted), -1 if none. */
static int64_t day_index(const DaySignals *days, size_t n, int64_t date) {
        size_t lo = 0, hi = n;

        while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;

                if (days[mid].date < date)
                        lo = mid + 1;
                else
                        hi = mid;
        }
        return lo < n && days[lo].date == date ? (int64_t) lo : -1;
}

static double finite_or_nan(double v) {
        return isfinite(v) ? v : NAN;
}

static double time_on_line(int t, int anchor) {
        if (t < 0 || t >= MIN_PER_DAY)
                return NAN;
        return (double) (((t - anchor) % MIN_PER_DAY + MIN_PER_DAY) % MIN_PER_DAY);
}

/* x_d of policy.h. */
static double day_value(const DaySignals *day, const Checkin *ck, PolicySignal s, int anchor, double min_coverage_h) {
        if (signal_is_checkin(s)) {
                int a;

                if (!ck)
                        return NAN;
                a = s == POLICY_SIGNAL_WENT_OUT ? ck->went_out : s == POLICY_SIGNAL_MET_SOMEONE ? ck->met_someone : ck->mood;
                if (s == POLICY_SIGNAL_MOOD)
                        return a >= 1 && a <= 5 ? a : NAN;
                return a == 0 || a == 1 ? a : NAN;
        }
        if (!(day->coverage_h >= min_coverage_h))
                return NAN;
        switch (s) {
        case POLICY_SIGNAL_SCREEN_H:
                return finite_or_nan(day->screen_h);
        case POLICY_SIGNAL_NIGHT_RATIO:
                return finite_or_nan(day->night_ratio);
        case POLICY_SIGNAL_FIRST_ACTIVE:
                return time_on_line(day->first_active, anchor);
        case POLICY_SIGNAL_LAST_ACTIVE:
                return time_on_line(day->last_active, anchor);
        case POLICY_SIGNAL_SLEEP_ONSET:
                return time_on_line(day->sleep_onset, anchor);
        case POLICY_SIGNAL_SLEEP_OFFSET:
                return time_on_line(day->sleep_offset, anchor);
        case POLICY_SIGNAL_SLEEP_MID:
                return time_on_line(day->sleep_mid, anchor);
        case POLICY_SIGNAL_SLEEP_H:
                return finite_or_nan(day->sleep_h);
        case POLICY_SIGNAL_COVERAGE_H:
                return finite_or_nan(day->coverage_h);
        case POLICY_SIGNAL_IS:
                return finite_or_nan(day->is);
        case POLICY_SIGNAL_IV:
                return finite_or_nan(day->iv);
        case POLICY_SIGNAL_RA:
                return finite_or_nan(day->ra);
        case POLICY_SIGNAL_L5:
                return finite_or_nan(day->l5);
        case POLICY_SIGNAL_M10:
                return finite_or_nan(day->m10);
        default:
                return NAN;
        }
}

/* Is p something replay can evaluate? Parsed policies always are; this
 * guards against hand-made ones with out-of-range fields. */
static bool policy_sane(const Policy *p) {
        return (unsigned) p->signal < _POLICY_SIGNAL_MAX && (unsigned) p->aggregate <= POLICY_COUNT &&
               (unsigned) p->detector <= POLICY_COMPOSITE && p->window_days >= 1 &&
               p->window_days <= POLICY_MAX_DAYS && p->min_valid_days >= 1 && p->baseline_days >= 1 &&
               p->baseline_days <= POLICY_MAX_DAYS && p->baseline_min_days >= 1 && p->trend_min_days >= 2 &&
               (p->n_composite == 0 || p->composite);
}

typedef struct Replay {
        Run *runs;
        double *series;
        const Checkin **checkins;
        Scratch scratch;
} Replay;

static void replay_done(Replay *rp, size_t n_p) {
        if (rp->runs)
                for (size_t i = 0; i < n_p; i++)
                        free(rp->runs[i].members);
        free(rp->runs);
        free(rp->series);
        free(rp->checkins);
        free(rp->scratch.a);
        free(rp->scratch.t);
        free(rp->scratch.v);
}

/* Runs, series and scratch space for the replay. */
static int replay_setup(Replay *rp, Policy *const *p, size_t n_p, const DaySignals *days, size_t n_days,
                        const Checkin *c, size_t n_c, double min_coverage_h, int day_start_min) {
        size_t scratch_n = 1, window_n = 1;
        bool need_checkins = false;

        rp->runs = calloc(MAX(n_p, (size_t) 1), sizeof *rp->runs);
        if (n_days > SIZE_MAX / sizeof(double) / MAX(n_p, (size_t) 1))
                return -ENOMEM;
        rp->series = malloc(MAX(n_p * n_days, (size_t) 1) * sizeof(double));
        if (!rp->runs || !rp->series)
                return -ENOMEM;

        for (size_t i = 0; i < n_p; i++) {
                const Policy *pol = p[i];
                size_t w = (size_t) pol->window_days;

                need_checkins = need_checkins || (pol->enabled && signal_is_checkin(pol->signal));
                scratch_n = MAX(scratch_n, MAX(w, (size_t) pol->baseline_days));
                if (pol->detector == POLICY_TREND)
                        scratch_n = MAX(scratch_n, w * (w - 1) / 2);
                window_n = MAX(window_n, w);
        }
        rp->scratch.a = malloc(scratch_n * sizeof(double));
        rp->scratch.t = malloc(window_n * sizeof(double));
        rp->scratch.v = malloc(window_n * sizeof(double));
        if (!rp->scratch.a || !rp->scratch.t || !rp->scratch.v)
                return -ENOMEM;

        /* Check-ins by day; the last one in c wins when a date repeats. */
        if (need_checkins) {
                rp->checkins = calloc(MAX(n_days, (size_t) 1), sizeof *rp->checkins);
                if (!rp->checkins)
                        return -ENOMEM;
                for (size_t j = 0; j < n_c; j++) {
                        int64_t d = day_index(days, n_days, c[j].date);

                        if (d >= 0)
                                rp->checkins[d] = &c[j];
                }
        }

        for (size_t i = 0; i < n_p; i++) {
                Run *r = &rp->runs[i];
                const Policy *pol = p[i];
                double *x = rp->series + i * n_days;

                r->p = pol;
                r->x = x;
                r->last_nudge = -1;
                r->anchor = signal_anchor(pol->signal, day_start_min);
                r->threshold = pol->threshold;
                r->count_value = pol->count_value;
                if (signal_unit(pol->signal) == UNIT_TIME) {
                        r->count_value = clock_to_line(pol->count_value, r->anchor);
                        if (!aggregate_counts_days(pol->aggregate, pol->signal))
                                r->threshold = clock_to_line(pol->threshold, r->anchor);
                }
                for (size_t d = 0; d < n_days; d++)
                        x[d] = pol->detector == POLICY_COMPOSITE
                                       ? NAN
                                       : day_value(&days[d], rp->checkins ? rp->checkins[d] : NULL, pol->signal,
                                                   r->anchor, min_coverage_h);

                if (pol->detector != POLICY_COMPOSITE || pol->n_composite == 0)
                        continue;
                r->members = malloc(pol->n_composite * sizeof *r->members);
                if (!r->members)
                        return -ENOMEM;
                /* The closest earlier policy of that name: only those are
                 * evaluated before this one on the same day. */
                for (size_t k = 0; k < pol->n_composite; k++) {
                        r->members[k] = SIZE_MAX;
                        for (size_t j = 0; j < i; j++)
                                if (pol->composite[k] && p[j]->name && strcmp(p[j]->name, pol->composite[k]) == 0)
                                        r->members[k] = j;
                }
        }
        return 0;
}

int policy_replay(Policy *const *p, size_t n_p, const DaySignals *days, size_t n_days, const Checkin *c,
                  size_t n_c, double min_coverage_h, int day_start_min, PolicyEval **ret) {
        Replay rp = { 0 };
        PolicyEval *evals = NULL;
        int r;

        if (!ret || (n_p > 0 && !p) || (n_days > 0 && !days) || (n_c > 0 && !c))
                return -EINVAL;
        *ret = NULL;
        for (size_t i = 0; i < n_p; i++)
                if (!p[i] || !policy_sane(p[i]))
                        return -EINVAL;
        if (n_p > 0 && n_days > SIZE_MAX / sizeof(PolicyEval) / n_p)
                return -ENOMEM;

        evals = calloc(MAX(n_p * n_days, (size_t) 1), sizeof *evals);
        if (!evals)
                return -ENOMEM;
        r = replay_setup(&rp, p, n_p, days, n_days, c, n_c, min_coverage_h, day_start_min);
        if (r < 0)
                goto out;

        for (size_t d = 0; d < n_days; d++)
                for (size_t i = 0; i < n_p; i++) {
                        Run *run = &rp.runs[i];
                        const Policy *pol = p[i];
                        PolicyEval *e = &evals[i * n_days + d];
                        bool known = false, cond = false;
                        PolicyState was = run->state;

                        *e = (PolicyEval) {
                                .date = days[d].date,
                                .value = NAN,
                                .baseline = NAN,
                                .spread = NAN,
                                .score = NAN,
                                .state = POLICY_INACTIVE,
                                .anchor_min = run->anchor,
                        };
                        if (!pol->enabled)
                                continue;
                        switch (pol->detector) {
                        case POLICY_THRESHOLD:
                                known = eval_threshold(run, &rp.scratch, n_days, (int64_t) d, e, &cond);
                                break;
                        case POLICY_BASELINE:
                                known = eval_baseline(run, &rp.scratch, n_days, (int64_t) d, e, &cond);
                                break;
                        case POLICY_CUSUM:
                                known = eval_cusum(run, &rp.scratch, n_days, (int64_t) d, e, &cond);
                                break;
                        case POLICY_TREND:
                                known = eval_trend(run, &rp.scratch, n_days, (int64_t) d, e, &cond);
                                break;
                        case POLICY_COMPOSITE:
                                known = eval_composite(run, evals, n_days, (int64_t) d, e, &cond);
                                break;
                        }
                        if (!known)
                                e->value = NAN;
                        run_step(run, (int64_t) d, known, cond, e);

                        /* CUSUM: the baseline stays where it was when firing began. */
                        if (pol->detector == POLICY_CUSUM) {
                                if (was != POLICY_FIRING && run->state == POLICY_FIRING) {
                                        run->frozen = true;
                                        run->frozen_m = e->baseline;
                                        run->frozen_s = e->spread;
                                } else if (run->state != POLICY_FIRING)
                                        run->frozen = false;
                        }
                }

        *ret = TAKE_PTR(evals);
        r = 0;
out:
        replay_done(&rp, n_p);
        free(evals);
        return r;
}

/* ---- nudge templates ----------------------------------------------------- */

#define PLACEHOLDER_MAX 16 /* longer than any placeholder name */

typedef struct Buf {
        char *s;
        size_t n, cap;
        bool oom;
} Buf;

static void buf_add(Buf *b, const char *s, size_t len) {
        if (b->oom)
                return;
        if (b->n + len + 1 > b->cap) {
                size_t cap = MAX(b->cap * 2, b->n + len + 1);
                char *t = realloc(b->s, MAX(cap, (size_t) 64));

                if (!t) {
                        b->oom = true;
                        return;
                }
                b->s = t;
                b->cap = MAX(cap, (size_t) 64);
        }
        memcpy(b->s + b->n, s, len);
        b->n += len;
        b->s[b->n] = '\0';
}

/* v rounded to `decimals`, with -0 made 0 so nothing prints as "-0". */
static double rounded(double v, int decimals) {
        double f = decimals == 0 ? 1 : decimals == 1 ? 10 : decimals == 2 ? 100 : 1000;
        double r = round(v * f) / f;

        return r == 0 ? 0 : r;
}

static void format_inf(double v, char *out, size_t size) {
        snprintf(out, size, "%s", v > 0 ? "\u221e" : "-\u221e");
}

/* A time of day from a value on a line that starts at anchor. */
static void format_clock(double v, int anchor, char *out, size_t size) {
        long m;

        if (fabs(v) > 1e9) {
                snprintf(out, size, DASH);
                return;
        }
        m = ((lround(v) + anchor) % MIN_PER_DAY + MIN_PER_DAY) % MIN_PER_DAY;
        snprintf(out, size, "%02ld:%02ld", m / 60, m % 60);
}

static void format_days(double v, char *out, size_t size, bool sign) {
        double r = rounded(v, 0);

        snprintf(out, size, sign && r > 0 ? "+%.0f %s" : "%.0f %s", r, fabs(r) == 1 ? "day" : "days");
}

/* A level (value, baseline, threshold) in its unit. */
static void format_level(Unit u, double v, int anchor, char *out, size_t size) {
        if (isnan(v)) {
                snprintf(out, size, DASH);
                return;
        }
        if (isinf(v)) {
                format_inf(v, out, size);
                return;
        }
        switch (u) {
        case UNIT_HOURS:
                snprintf(out, size, "%.1f h", rounded(v, 1));
                break;
        case UNIT_RATIO:
                snprintf(out, size, "%.0f %%", rounded(v * 100, 0));
                break;
        case UNIT_TIME:
                format_clock(v, anchor, out, size);
                break;
        case UNIT_RHYTHM:
                snprintf(out, size, "%.2f", rounded(v, 2));
                break;
        case UNIT_MIN_PER_H:
                snprintf(out, size, "%.1f min/h", rounded(v, 1));
                break;
        case UNIT_DAYS:
                format_days(v, out, size, false);
                break;
        case UNIT_MOOD:
                snprintf(out, size, "%.1f", rounded(v, 1));
                break;
        case UNIT_NUMBER:
        default:
                snprintf(out, size, "%.2f", rounded(v, 2));
                break;
        }
}

/* "+1 h 25 min", "-40 min", "0 min". */
static void format_minutes_signed(double v, char *out, size_t size) {
        long m = lround(fabs(v));
        const char *sign = m == 0 ? "" : v > 0 ? "+" : "-";

        if (m >= 60 && m % 60)
                snprintf(out, size, "%s%ld h %ld min", sign, m / 60, m % 60);
        else if (m >= 60)
                snprintf(out, size, "%s%ld h", sign, m / 60);
        else
                snprintf(out, size, "%s%ld min", sign, m);
}

/* value − baseline: a percentage of the baseline for hours and min/h figures,
 * percentage points for ratios, a duration for times, else a signed number. */
static void format_change(Unit u, double v, double b, char *out, size_t size) {
        double c = v - b, r;

        if (isnan(c) || isinf(c) || ((u == UNIT_HOURS || u == UNIT_MIN_PER_H) && b == 0)) {
                snprintf(out, size, DASH);
                return;
        }
        switch (u) {
        case UNIT_HOURS:
        case UNIT_MIN_PER_H:
                r = rounded(c / fabs(b) * 100, 0);
                snprintf(out, size, r > 0 ? "+%.0f %%" : "%.0f %%", r);
                break;
        case UNIT_RATIO:
                r = rounded(c * 100, 0);
                snprintf(out, size, r > 0 ? "+%.0f pp" : "%.0f pp", r);
                break;
        case UNIT_TIME:
                if (fabs(c) > 1e9)
                        snprintf(out, size, DASH);
                else
                        format_minutes_signed(c, out, size);
                break;
        case UNIT_DAYS:
                format_days(c, out, size, true);
                break;
        case UNIT_MOOD:
                r = rounded(c, 1);
                snprintf(out, size, r > 0 ? "+%.1f" : "%.1f", r);
                break;
        case UNIT_RHYTHM:
        case UNIT_NUMBER:
        default:
                r = rounded(c, 2);
                snprintf(out, size, r > 0 ? "+%.2f" : "%.2f", r);
                break;
        }
}

/* A slope of the daily value, per day ("+0.12 h/day", "+9 min/day"). */
static void format_slope(Unit u, double v, bool sign, char *out, size_t size) {
        double r;

        if (isnan(v)) {
                snprintf(out, size, DASH);
                return;
        }
        if (isinf(v)) {
                format_inf(v, out, size);
                return;
        }
        switch (u) {
        case UNIT_HOURS:
                r = rounded(v, 2);
                snprintf(out, size, sign && r > 0 ? "+%.2f h/day" : "%.2f h/day", r);
                break;
        case UNIT_TIME:
                r = rounded(v, 0);
                snprintf(out, size, sign && r > 0 ? "+%.0f min/day" : "%.0f min/day", r);
                break;
        case UNIT_RATIO:
                r = rounded(v * 100, 1);
                snprintf(out, size, sign && r > 0 ? "+%.1f pp/day" : "%.1f pp/day", r);
                break;
        case UNIT_MIN_PER_H:
                r = rounded(v, 2);
                snprintf(out, size, sign && r > 0 ? "+%.2f min/h per day" : "%.2f min/h per day", r);
                break;
        default:
                r = rounded(v, 3);
                snprintf(out, size, sign && r > 0 ? "+%.3f/day" : "%.3f/day", r);
                break;
        }
}

static void format_plain(double v, char *out, size_t size) {
        if (isnan(v))
                snprintf(out, size, DASH);
        else if (isinf(v))
                format_inf(v, out, size);
        else
                snprintf(out, size, "%.1f", rounded(v, 1));
}

/* Fill one placeholder; false when the name is not one of ours. */
static bool format_placeholder(const Policy *p, const PolicyEval *e, const char *name, size_t len, Buf *b) {
        Unit u = value_unit(p), daily = signal_unit(p->signal);
        double value = e ? e->value : NAN, baseline = e ? e->baseline : NAN, score = e ? e->score : NAN;
        int anchor = e ? e->anchor_min : 0;
        char out[96];

#define IS(s) (len == strlen(s) && strncmp(name, s, len) == 0)
        if (IS("name")) {
                buf_add(b, p->name ?: "", p->name ? strlen(p->name) : 0);
                return true;
        }
        if (IS("value"))
                format_level(u, value, anchor, out, sizeof out);
        else if (IS("baseline"))
                format_level(u, baseline, anchor, out, sizeof out);
        else if (IS("change"))
                format_change(u, value, baseline, out, sizeof out);
        else if (IS("window"))
                snprintf(out, sizeof out, "%d %s", p->window_days, p->window_days == 1 ? "day" : "days");
        else if (IS("threshold")) {
                switch (p->detector) {
                case POLICY_THRESHOLD:
                        /* A time threshold is kept as a time of day. */
                        format_level(u, p->threshold, 0, out, sizeof out);
                        break;
                case POLICY_BASELINE:
                        format_plain(p->z_min, out, sizeof out);
                        break;
                case POLICY_CUSUM:
                        format_plain(p->cusum_h, out, sizeof out);
                        break;
                case POLICY_TREND:
                        format_slope(daily, p->min_slope, false, out, sizeof out);
                        break;
                case POLICY_COMPOSITE:
                default:
                        snprintf(out, sizeof out, "%d", p->composite_min);
                        break;
                }
        } else if (IS("z")) {
                if (p->detector == POLICY_TREND)
                        format_slope(daily, score, true, out, sizeof out);
                else if (p->detector == POLICY_COMPOSITE && !isnan(score))
                        snprintf(out, sizeof out, "%.0f", score);
                else
                        format_plain(score, out, sizeof out);
        } else
                return false;
#undef IS
        buf_add(b, out, strlen(out));
        return true;
}

int policy_format(const Policy *p, const PolicyEval *e, const char *tmpl, char **ret) {
        Buf b = { 0 };
        const char *s = tmpl;

        if (!p || !tmpl || !ret)
                return -EINVAL;
        buf_add(&b, "", 0);
        while (*s && !b.oom) {
                size_t len = 0;

                if (s[0] == '{' && s[1] == '{') {
                        buf_add(&b, "{", 1);
                        s += 2;
                        continue;
                }
                /* Placeholder names are short: look no further for the brace. */
                if (s[0] == '{')
                        while (len < PLACEHOLDER_MAX && s[1 + len] && s[1 + len] != '}')
                                len++;
                if (s[0] == '{' && s[1 + len] == '}' && format_placeholder(p, e, s + 1, len, &b)) {
                        s += len + 2;
                        continue;
                }
                buf_add(&b, s, 1);
                s++;
        }
        if (b.oom) {
                free(b.s);
                return -ENOMEM;
        }
        *ret = b.s;
        return 0;
}

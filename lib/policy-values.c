/* Policies: what a policy's numbers mean. The unit of each signal (hours,
 * ratios, times of day on an anchored line, …), and reading one value of a
 * policy file: numbers, days, percentages, a value in the signal's unit,
 * names and nudge texts. Locale-independent and exact, so that a policy
 * reads the same everywhere. The parser that uses them is policy-parse.c.
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "macro.h"
#include "policy-internal.h"

#define POLICY_MAX_DIGITS 15 /* exact in a double, so parsing needs no strtod */

/* ---- signals and their units ------------------------------------------- */

/* The unit of the daily value x_d. */
Unit policy_signal_unit(PolicySignal s) {
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
        case POLICY_SIGNAL_RA:
                return UNIT_RHYTHM;
        case POLICY_SIGNAL_IV:
                return UNIT_SCATTER;
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

bool policy_signal_is_checkin(PolicySignal s) {
        return signal_is_yes_no(s) || s == POLICY_SIGNAL_MOOD;
}

static double recorded_or_nan(int v) {
        return v < 0 ? NAN : (double) v;
}

double policy_signal_recorded(const DaySignals *day, const Checkin *ck, PolicySignal s) {
        if (policy_signal_is_checkin(s)) {
                if (!ck)
                        return NAN;
                return recorded_or_nan(s == POLICY_SIGNAL_WENT_OUT      ? ck->went_out
                                       : s == POLICY_SIGNAL_MET_SOMEONE ? ck->met_someone
                                                                        : ck->mood);
        }
        switch (s) {
        case POLICY_SIGNAL_SCREEN_H:
                return day->screen_h;
        case POLICY_SIGNAL_NIGHT_RATIO:
                return day->night_ratio;
        case POLICY_SIGNAL_FIRST_ACTIVE:
                return recorded_or_nan(day->first_active);
        case POLICY_SIGNAL_LAST_ACTIVE:
                return recorded_or_nan(day->last_active);
        case POLICY_SIGNAL_SLEEP_ONSET:
                return recorded_or_nan(day->sleep_onset);
        case POLICY_SIGNAL_SLEEP_OFFSET:
                return recorded_or_nan(day->sleep_offset);
        case POLICY_SIGNAL_SLEEP_MID:
                return recorded_or_nan(day->sleep_mid);
        case POLICY_SIGNAL_SLEEP_H:
                return day->sleep_h;
        case POLICY_SIGNAL_COVERAGE_H:
                return day->coverage_h;
        case POLICY_SIGNAL_IS:
                return day->is;
        case POLICY_SIGNAL_IV:
                return day->iv;
        case POLICY_SIGNAL_RA:
                return day->ra;
        case POLICY_SIGNAL_L5:
                return day->l5;
        case POLICY_SIGNAL_M10:
                return day->m10;
        default:
                return NAN;
        }
}

/* Does the window aggregate count days (count, or the sum of yes/no answers)? */
bool policy_aggregate_counts_days(PolicyAggregate a, PolicySignal s) {
        return a == POLICY_COUNT || (a == POLICY_SUM && signal_is_yes_no(s));
}

/* The unit of PolicyEval.value and .baseline: the window aggregate's, or the
 * daily value's for cusum. */
Unit policy_value_unit(const Policy *p) {
        Unit u = policy_signal_unit(p->signal);

        if (p->detector == POLICY_CUSUM)
                return u;
        if (policy_aggregate_counts_days(p->aggregate, p->signal))
                return UNIT_DAYS;
        if (p->aggregate == POLICY_SUM && u != UNIT_HOURS)
                return UNIT_NUMBER;
        return u;
}

/* Origin of the line a time of day is put on, as in summary.c: first/last
 * active from the day start, sleep times from noon (the offset a minute
 * later, since the sleep window ends at noon). */
int policy_signal_anchor(PolicySignal s, int day_start_min) {
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
double policy_clock_to_line(double clock_min, int anchor_min) {
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
int policy_parse_number(const char *s, double *ret) {
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
int policy_parse_uint(const char *s, int *ret) {
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
int policy_parse_days(const char *s, int *ret) {
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
        if (policy_parse_number(buf, &v) < 0)
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
int policy_parse_signal_value(PolicySignal s, bool level, const char *v, double *ret) {
        int64_t sec;
        double x;
        int m;

        switch (policy_signal_unit(s)) {
        case UNIT_HOURS:
                if (policy_parse_number(v, ret) >= 0)
                        return 0;
                if (parse_duration(v, &sec) < 0 || sec > INT64_C(1) << 40)
                        return -EINVAL;
                *ret = (double) sec / 3600;
                return 0;
        case UNIT_RATIO:
                if (policy_parse_number(v, ret) >= 0)
                        return 0;
                return parse_percent(v, ret);
        case UNIT_TIME:
                if (level) {
                        if (parse_clock(v, &m) >= 0) {
                                *ret = m;
                                return 0;
                        }
                        if (policy_parse_number(v, &x) < 0 || x < 0 || x >= MIN_PER_DAY)
                                return -EINVAL;
                        *ret = x;
                        return 0;
                }
                if (policy_parse_number(v, ret) >= 0)
                        return 0;
                if (parse_duration(v, &sec) < 0 || sec > INT64_C(1) << 40)
                        return -EINVAL;
                *ret = (double) sec / 60;
                return 0;
        default:
                return policy_parse_number(v, ret);
        }
}

const char *policy_signal_value_expected(PolicySignal s, bool level) {
        switch (policy_signal_unit(s)) {
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
bool policy_name_valid(const char *s, size_t len) {
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
bool policy_text_valid(const char *s) {
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

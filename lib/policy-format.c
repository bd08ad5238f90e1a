/* Policies: how figures read for people. policy_format() fills {value},
 * {baseline}, {change}, {usual}, {unusual}, {window}, {threshold}, {z} and
 * {name} from a policy and one day's evaluation, each figure in its signal's
 * unit ("7.1 h", "31 %", "01:30", "+22 %", "+9 min/day"; rhythm figures as a
 * share of their scale, never a raw index); what is not known prints as a
 * dash. kizuki explain writes its figures with the same functions.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "policy-internal.h"

#define DASH "\u2014" /* a figure that is not known */

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

/* A figure that is not a number: NAN as a dash, ±INFINITY as "∞"/"-∞".
 * Returns whether v was one (and written). */
static bool format_not_finite(double v, char *out, size_t size) {
        if (isnan(v))
                snprintf(out, size, DASH);
        else if (isinf(v))
                snprintf(out, size, "%s", v > 0 ? "\u221e" : "-\u221e");
        else
                return false;
        return true;
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

/* How a figure is written: v·scale rounded to decimals, then the suffix. */
typedef struct Figure {
        double scale;
        int decimals;
        const char *suffix; /* NULL: the unit writes it its own way */
} Figure;

/* Each unit's level (value, baseline, threshold), change (of a level; hours and
 * min/h as a share of the baseline) and slope (per day). */
typedef struct UnitFigures {
        Figure level, change, slope;
} UnitFigures;

static const UnitFigures unit_figures[] = {
        [UNIT_HOURS] = { { 1, 1, " h" }, { 100, 0, " %" }, { 1, 2, " h/day" } },
        [UNIT_RATIO] = { { 100, 0, " %" }, { 100, 0, " pp" }, { 100, 1, " pp/day" } },
        [UNIT_TIME] = { { 0, 0, NULL }, { 0, 0, NULL }, { 1, 0, " min/day" } },
        [UNIT_RHYTHM] = { { 100, 0, " %" }, { 100, 0, " %" }, { 100, 1, " pp/day" } },
        [UNIT_SCATTER] = { { 50, 0, " %" }, { 100, 0, " %" }, { 50, 1, " pp/day" } },
        [UNIT_MIN_PER_H] = { { 1, 1, " min/h" }, { 100, 0, " %" }, { 1, 2, " min/h per day" } },
        [UNIT_DAYS] = { { 0, 0, NULL }, { 0, 0, NULL }, { 1, 3, "/day" } },
        [UNIT_MOOD] = { { 1, 1, "" }, { 1, 1, "" }, { 1, 3, "/day" } },
        [UNIT_NUMBER] = { { 1, 2, "" }, { 1, 2, "" }, { 1, 3, "/day" } },
};

/* The figures of unit u; an unknown unit's are UNIT_NUMBER's. */
static const UnitFigures *figures_of(Unit u) {
        return &unit_figures[(unsigned) u < ELEMENTSOF(unit_figures) ? u : UNIT_NUMBER];
}

/* v as f says, with a "+" first when sign and it is above 0. */
static void format_figure(const Figure *f, double v, bool sign, char *out, size_t size) {
        double r = rounded(v * f->scale, f->decimals);

        snprintf(out, size, "%s%.*f%s", sign && r > 0 ? "+" : "", f->decimals, r, f->suffix);
}

/* A level (value, baseline, threshold) in its unit. */
static void format_level(Unit u, double v, int anchor, char *out, size_t size) {
        if (format_not_finite(v, out, size))
                return;
        if (u == UNIT_TIME)
                format_clock(v, anchor, out, size);
        else if (u == UNIT_DAYS)
                format_days(v, out, size, false);
        else
                format_figure(&figures_of(u)->level, v, false, out, size);
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

/* Changes of these are a share of the baseline ("+22 %"): an index has no unit
 * of its own to tell a difference in. */
static bool change_is_relative(Unit u) {
        return u == UNIT_HOURS || u == UNIT_MIN_PER_H || u == UNIT_RHYTHM || u == UNIT_SCATTER;
}

/* value − baseline: a percentage of the baseline for hours, min/h and rhythm
 * figures, percentage points for ratios, a duration for times, else a signed
 * number. */
static void format_change(Unit u, double v, double b, char *out, size_t size) {
        double c = v - b;

        if (isnan(c) || isinf(c) || (change_is_relative(u) && b == 0)) {
                snprintf(out, size, DASH);
                return;
        }
        if (u == UNIT_TIME) {
                if (fabs(c) > 1e9)
                        snprintf(out, size, DASH);
                else
                        format_minutes_signed(c, out, size);
        } else if (u == UNIT_DAYS)
                format_days(c, out, size, true);
        else
                format_figure(&figures_of(u)->change, change_is_relative(u) ? c / fabs(b) : c, true, out, size);
}

/* A slope of the daily value, per day ("+0.12 h/day", "+9 min/day"). */
static void format_slope(Unit u, double v, bool sign, char *out, size_t size) {
        if (!format_not_finite(v, out, size))
                format_figure(&figures_of(u)->slope, v, sign, out, size);
}

static void format_plain(double v, char *out, size_t size) {
        if (!format_not_finite(v, out, size))
                snprintf(out, size, "%.1f", rounded(v, 1));
}

void policy_format_level(const Policy *p, const PolicyEval *e, double v, char *out, size_t size) {
        format_level(policy_value_unit(p), v, e ? e->anchor_min : 0, out, size);
}

void policy_format_daily(const Policy *p, double v, char *out, size_t size) {
        if ((p->signal == POLICY_SIGNAL_WENT_OUT || p->signal == POLICY_SIGNAL_MET_SOMEONE) && !isnan(v))
                snprintf(out, size, "%s", v > 0 ? "yes" : "no");
        else
                format_level(policy_signal_unit(p->signal), v, 0, out, size);
}

/* The upper end a level of unit u can reach (shares and IS/RA: 1). */
static double unit_ceiling(Unit u) {
        return u == UNIT_RATIO || u == UNIT_RHYTHM ? 1 : INFINITY;
}

/* "lo–hi", the unit written once when both end in it ("0–5 %"). */
static void format_range(const char *lo, const char *hi, char *out, size_t size) {
        const char *unit = strrchr(hi, ' ');
        size_t lo_len = strlen(lo);

        if (unit && lo_len > strlen(unit) && strcmp(lo + lo_len - strlen(unit), unit) == 0)
                lo_len -= strlen(unit);
        if (strcmp(lo, hi) == 0)
                snprintf(out, size, "%s", hi);
        else
                snprintf(out, size, "%.*s\u2013%s", (int) lo_len, lo, hi);
}

void policy_format_usual(const Policy *p, const PolicyEval *e, char *out, size_t size) {
        Unit u = policy_value_unit(p);
        char lo[48], hi[48];

        if (!e || isnan(e->baseline)) {
                snprintf(out, size, DASH);
                return;
        }
        if (p->detector != POLICY_BASELINE && p->detector != POLICY_CUSUM) {
                policy_format_level(p, e, e->baseline, out, size);
                return;
        }
        /* Median ± one robust standard deviation: about two days in three. */
        double s = isfinite(e->spread) && e->spread > 0 ? e->spread : 0;
        double a = e->baseline - s, b = e->baseline + s;
        if (u != UNIT_TIME) {
                a = MAX(a, 0.0);
                b = b < unit_ceiling(u) ? b : unit_ceiling(u);
        }
        policy_format_level(p, e, a, lo, sizeof lo);
        policy_format_level(p, e, b, hi, sizeof hi);
        format_range(lo, hi, out, size);
}

/* How far v is from the usual m with spread s, in words. */
static void format_distance(double v, double m, double s, char *out, size_t size) {
        double d = v - m;
        const char *side = d > 0 ? "above" : "below";
        double z = s > 0 ? fabs(d) / s : INFINITY;

        if (isnan(d))
                snprintf(out, size, DASH);
        else if (d == 0 || z < 1)
                snprintf(out, size, "within your usual range");
        else if (!(s > 0))
                snprintf(out, size, "%s your usual, which hardly varies", side);
        else
                snprintf(out, size, "%s %s your usual range", z < 2 ? "a little" : z < 4 ? "well" : "far", side);
}

void policy_format_unusual(const Policy *p, const PolicyEval *e, char *out, size_t size) {
        char a[48];

        if (!e || !e->known) {
                snprintf(out, size, "not enough data");
                return;
        }
        switch (p->detector) {
        case POLICY_BASELINE:
        case POLICY_CUSUM:
                format_distance(e->value, e->baseline, e->spread, out, size);
                break;
        case POLICY_THRESHOLD:
                snprintf(out, size, "%s", !e->condition ? "within the limit" : p->up ? "above the limit" : "below the limit");
                break;
        case POLICY_TREND:
                format_slope(policy_signal_unit(p->signal), e->score, true, a, sizeof a);
                snprintf(out, size, "%s (%s)", e->score > 0 ? "rising" : e->score < 0 ? "falling" : "steady", a);
                break;
        case POLICY_COMPOSITE:
        default:
                snprintf(out, size, "%.0f of %zu active", isnan(e->score) ? 0 : e->score, p->n_composite);
                break;
        }
}

/* Fill one placeholder; false when the name is not one of ours. */
static bool format_placeholder(const Policy *p, const PolicyEval *e, const char *name, size_t len, Buf *b) {
        Unit u = policy_value_unit(p), daily = policy_signal_unit(p->signal);
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
        else if (IS("usual"))
                policy_format_usual(p, e, out, sizeof out);
        else if (IS("unusual"))
                policy_format_unusual(p, e, out, sizeof out);
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

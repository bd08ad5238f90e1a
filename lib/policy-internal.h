/* Shared only between the lib/policy-*.c files: limits, the units of the
 * signals, the value readers the parser uses, and the statistics replay uses.
 * The public contract is policy.h. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

#define MIN_PER_DAY 1440
#define NOON_MIN 720

#define POLICY_MAX_DAYS 366 /* window, baseline, for, cooldown … */
#define POLICY_MAX_NAME 64

#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* ---- signals and their units (policy-values.c) -------------------------- */

typedef enum Unit {
        UNIT_HOURS,     /* "7.1 h" */
        UNIT_RATIO,     /* 0..1, shown as "31 %" */
        UNIT_TIME,      /* minutes on an anchored line, shown as "01:30" */
        UNIT_RHYTHM,    /* 0..1 (IS, RA), shown as "62 %" */
        UNIT_SCATTER,   /* IV, 0 (smooth) .. 2 (as scattered as noise), shown as a share of 2: "31 %" */
        UNIT_MIN_PER_H, /* "12.3 min/h" */
        UNIT_DAYS,      /* "3 days" */
        UNIT_MOOD,      /* "3.2" */
        UNIT_NUMBER,    /* "12.5" */
} Unit;

/* The unit of the daily value x_d. */
Unit policy_signal_unit(PolicySignal s);
/* went_out, met_someone and mood come from check-ins, not from activity. */
bool policy_signal_is_checkin(PolicySignal s);
/* Does the window aggregate count days (count, or the sum of yes/no answers)? */
bool policy_aggregate_counts_days(PolicyAggregate a, PolicySignal s);
/* The unit of PolicyEval.value and .baseline: the window aggregate's, or the
 * daily value's for cusum. */
Unit policy_value_unit(const Policy *p);
/* Origin of the line a time of day is put on (minutes after midnight). */
int policy_signal_anchor(PolicySignal s, int day_start_min);
/* Minutes after midnight → minutes after anchor, 0 ≤ result < 1440. */
double policy_clock_to_line(double clock_min, int anchor_min);

/* ---- reading one value (policy-values.c); 0 or -errno ------------------- */

/* A decimal number without exponent, exact and independent of the locale. */
int policy_parse_number(const char *s, double *ret);
/* Decimal digits only, at most 9. */
int policy_parse_uint(const char *s, int *ret);
/* Whole days ("7", "7d", "2w"); -EDOM for a unit shorter than a day. */
int policy_parse_days(const char *s, int *ret);
/* A level (level = true) or a difference of the signal's daily quantity. */
int policy_parse_signal_value(PolicySignal s, bool level, const char *v, double *ret);
/* What policy_parse_signal_value() accepts, for messages. */
const char *policy_signal_value_expected(PolicySignal s, bool level);
/* What a composite policy can name: ASCII letters, digits, '-', '_', '.'. */
bool policy_name_valid(const char *s, size_t len);
/* Well-formed UTF-8 without control characters. */
bool policy_text_valid(const char *s);

/* ---- statistics (policy-stats.c) ----------------------------------------- */

/* The median of a[0..n) (reordered); NAN for n = 0. */
double policy_median(double *a, size_t n);
/* m = median(a), returns s = 1.4826·MAD(a); a is overwritten. */
double policy_robust_spread(double *a, size_t n, double *ret_m);
/* Theil–Sen slope of v over t; slopes: room for n(n−1)/2. */
double policy_theil_sen(const double *t, const double *v, size_t n, double *slopes);

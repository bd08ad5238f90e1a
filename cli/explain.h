/* kizuki explain (cmd-explain.c) and its JSON (explain-json.c): what both
 * share. */
#pragma once

#include <stddef.h>

#include "days.h"
#include "policy-common.h"

#define WHY_MAX 512

typedef struct Explain {
        const Policy *p;
        const Day *days;
        const PolicyEval *ev; /* the policy's row: one per day */
        size_t n_days;
        size_t first, last;   /* the days shown: [first, last] */
        int min_coverage_h;   /* the daemon's */
} Explain;

/* The explanation as JSON on stdout: every statistic, the engine's sentence
 * (reason) and the person's (words) for the last day. */
int explain_print_json(const Explain *x, const char *reason, const char *words);

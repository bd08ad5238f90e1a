/* The nudges kizukid sends (GetNudges, EvalPolicies, NudgeAction): checked,
 * and the one-line form that kizuki nudges, status, policy eval and explain
 * print. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "command.h"

/* A Nudge of the interface. Strings are borrowed from the reply it was parsed
 * from; step NULL when null; figures NAN where null; snoozed_until -1 when
 * null; helpful -1 (not said), 0 or 1. */
typedef struct Nudge {
        int64_t id, raised_at, snoozed_until;
        const char *policy, *date, *severity, *title, *body, *step, *rule, *state;
        double value, baseline, score;
        int helpful;
} Nudge;

/* One Nudge object, checked. -EBADMSG when malformed. */
int nudge_parse(json_object *o, Nudge *ret);

/* The array `key` of Nudge objects in reply (*ret malloc'ed, NULL when none;
 * the nudges borrow from reply). A malformed one is said on stderr as "a
 * malformed list of WHAT" unless what is NULL. */
int nudges_parse(json_object *reply, const char *key, const char *what, Nudge **ret, size_t *ret_n);

/* GetNudges(all). *ret_reply is the reply (owned by the caller; the nudges
 * borrow from it), *ret the nudges (malloc'ed, NULL when none). Errors, a
 * malformed reply included, are said on stderr. */
int nudges_fetch(const Ctx *ctx, bool all, json_object **ret_reply, Nudge **ret, size_t *ret_n);

/* "#12  2026-03-10  concern  Title" on stdout after indent spaces, the
 * severity in a calm colour (cyan for notice and concern: never red, nothing
 * that looks like an alarm) and the title cut to fit ctx->columns. */
void nudge_print_line(const Ctx *ctx, const Nudge *n, unsigned indent);

/* The one-line form, then the body and "One small step: STEP" wrapped to
 * ctx->columns under it. -ENOMEM. */
int nudge_print_full(const Ctx *ctx, const Nudge *n);

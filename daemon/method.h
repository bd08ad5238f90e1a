/* What every method handler (methods*.c) shares: the reply it fills, the
 * handler and table entry types, and the small helpers that check parameters
 * and build replies and errors. Below the handlers: calls the store (its last error)
 * and lib/ (Varlink framing) only. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "daemon-state.h"
#include "protocol.h"
#include "varlink.h"

typedef struct Reply {
        char **msg;
        size_t *len;
        uint64_t peer; /* the connection the call came on */
        bool attach;   /* set by a handler: keep the connection as a source */
        /* Set by a handler that answers in steps, instead of *msg
         * (ControlSteps: no turn of the loop long, replies in order). */
        ControlSteps *steps;
} Reply;

/* A method handler; the areas declare theirs with it (methods-*.h). */
typedef int MethodHandler(Daemon *d, json_object *params, Reply *r);

typedef struct MethodEntry {
        const char *name; /* KIZUKI_NAME("Name") */
        MethodHandler *fn;
} MethodEntry;

/* Each takes ownership of params (may be NULL) and returns what varlink_reply does. */
int method_ok(Reply *r, json_object *params);
int method_fail(Reply *r, const char *error, json_object *params);
int method_bad_param(Reply *r, const char *name);
/* A StoreError with SQLite's message (or strerror(-err)), logged once. */
int method_store_fail(Reply *r, Daemon *d, int err);
/* After a store write that answers nothing: an empty reply, or the StoreError for err < 0. */
int method_store_done(Reply *r, Daemon *d, int err);
/* NoConsent; RangeTooLarge with its limit. */
int method_no_consent(Reply *r);
int method_range_too_large(Reply *r, int limit);

/* An optional yes/no member: 1/0, or -1 when absent or null; -2 when not a boolean. */
int method_answer_bool(json_object *params, const char *name);
/* A required date member "YYYY-MM-DD" → local seconds of its 00:00. On
 * failure -EINVAL, and *ret_reply is the reply sent: InvalidParameter when
 * missing, InvalidDate when not a date. */
int method_date(json_object *params, const char *name, int64_t *ret, Reply *r, int *ret_reply);

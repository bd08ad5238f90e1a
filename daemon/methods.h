/* What the method files (methods*.c) share: the reply a handler fills, the
 * table entry type, and the small helpers that build replies and errors. */
#pragma once

#include <json-c/json.h>

#include "daemon.h"
#include "protocol.h"


typedef struct Reply {
        char **msg;
        size_t *len;
} Reply;

typedef int (*MethodFn)(Daemon *d, json_object *params, Reply *r);

typedef struct MethodEntry {
        const char *name; /* KIZUKI_NAME("Name"); NULL ends a table */
        MethodFn fn;
} MethodEntry;

/* Each takes ownership of params (may be NULL) and returns what varlink_reply does. */
int method_ok(Reply *r, json_object *params);
int method_fail(Reply *r, const char *error, json_object *params);
int method_bad_param(Reply *r, const char *name);
/* A StoreError with SQLite's message (or strerror(-err)), logged once. */
int method_store_fail(Reply *r, Daemon *d, int err);

/* "YYYY-MM-DD" of local seconds (the date read as UTC); NULL if out of range. */
json_object *method_json_date(int64_t local);
/* An optional yes/no member: 1/0, or -1 when absent or null; -2 when not a boolean. */
int method_answer_bool(json_object *params, const char *name);

/* methods-privacy.c: inventory, export, forget. */
extern const MethodEntry privacy_methods[];
/* methods-share.c: the share log. */
extern const MethodEntry share_methods[];

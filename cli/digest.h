/* The weekly digest in the CLI: fetch the model from kizukid (GetDigest) and
 * render it as text, JSON, self-contained HTML or a FHIR R4 Bundle. Rendering
 * is pure: the same model and options give the same bytes. */
#pragma once

#include <json-c/json.h>
#include <stddef.h>

#include "digest-model.h"

typedef struct DigestOptions {
        const char *patient_id;   /* FHIR Patient reference id chosen by the person; NULL: "kizuki-person" */
        const char *patient_name; /* only when the person entered one; NULL: no name anywhere */
} DigestOptions;

/* s ("2026-W13", or "2026-w13") as kizukid spells a week, into ret (size
 * bytes, at least 9). -EINVAL when s is no ISO week. */
int digest_parse_week(const char *s, char *ret, size_t size);

/* Ask kizukid at socket_path for the digest of week ("YYYY-Www"; NULL: the last
 * complete week) at level. Prints one clear error on failure. *ret_model is
 * owned by the caller. */
int digest_fetch(const char *socket_path, const char *week, DigestLevel level, json_object **ret_model);

/* Render model as f; *ret (malloc'ed, NUL-terminated) and *ret_len (without
 * the NUL). o may be NULL. */
int digest_render(json_object *model, DigestFormat f, const DigestOptions *o, char **ret, size_t *ret_len);

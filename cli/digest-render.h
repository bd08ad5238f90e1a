/* Rendering a digest model in any format: the top of the digest's pure part
 * (the kizuki-digest library). The same model and options give the same
 * bytes; no clock, no socket. */
#pragma once

#include <json-c/json.h>
#include <stddef.h>

#include "digest-common.h"

/* Check model (digest_check()) and render it as f; *ret (malloc'ed,
 * NUL-terminated) and *ret_len (without the NUL; may be NULL). o may be NULL.
 * -EBADMSG for a model that fails the check. */
int digest_render(json_object *model, DigestFormat f, const DigestOptions *o, char **ret, size_t *ret_len);

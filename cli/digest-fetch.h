/* Asking kizukid for a digest over the control socket (client layer, with
 * client.c): not part of the pure kizuki-digest library. */
#pragma once

#include <json-c/json.h>
#include <stddef.h>

#include "digest-model.h"

/* s ("2026-W13", or "2026-w13") as kizukid spells a week, into ret (size
 * bytes, at least ISO_WEEK_MAX). -EINVAL when s is no ISO week. */
int digest_parse_week(const char *s, char *ret, size_t size);

/* Ask kizukid at socket_path for the digest of week ("YYYY-Www"; NULL: the last
 * complete week) at level, and check it (digest_check()). Prints one clear
 * error on failure. *ret_model is owned by the caller. */
int digest_fetch(const char *socket_path, const char *week, DigestLevel level, json_object **ret_model);

/* Asking kizukid for a digest over the control socket (client layer, with
 * client.c): not part of the pure kizuki-digest library. */
#pragma once

#include <json-c/json.h>
#include <stddef.h>

#include "digest-model.h"

/* Ask kizukid at socket_path for the digest of week ("YYYY-Www"; NULL: the last
 * complete week) at level, and check it (digest_check()). Prints one clear
 * error on failure. *ret_model is owned by the caller. */
int digest_fetch(const char *socket_path, const char *week, DigestLevel level, json_object **ret_model);

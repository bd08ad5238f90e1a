/* The problems of a Reload or EvalPolicies reply: policy files that did not parse. */
#pragma once

#include <json-c/json.h>
#include <stddef.h>

/* The problems of reply, one a line on stderr. Returns their number (0 when
 * the reply has none) and in *ret_files the number of files they name, or
 * -EBADMSG for a malformed list. */
int problems_print(json_object *reply, size_t *ret_files);

/* Scope cleanup for json-c objects in the CLI: a variable declared
 * _cleanup_json_ is put (json_object_put) when it goes out of scope. Header
 * only, so that pure code can use it without the socket client. */
#pragma once

#include <json-c/json.h>

static inline void json_object_putp(json_object **o) {
        json_object_put(*o);
}
#define _cleanup_json_ __attribute__((cleanup(json_object_putp)))

/* Varlink messages: parsing a call, building replies, reading typed parameters.
 * Pure: no I/O. A message is one JSON object; on the wire it ends with a NUL. */
#pragma once

#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VARLINK_MESSAGE_MAX 65536

#define VARLINK_ERROR_INVALID_PARAMETER "org.varlink.service.InvalidParameter"
#define VARLINK_ERROR_METHOD_NOT_FOUND "org.varlink.service.MethodNotFound"
#define VARLINK_ERROR_INTERFACE_NOT_FOUND "org.varlink.service.InterfaceNotFound"

typedef struct VarlinkCall {
        char *method;            /* "interface.Method" */
        json_object *parameters; /* always an object (empty when absent) */
        bool oneway;
        bool more;
        uint64_t peer;           /* set by the server: the connection it came on */
} VarlinkCall;

/* Parse one message of len bytes (without its NUL terminator). On failure the
 * call is left empty and *ret_error names the problem for the peer. */
int varlink_call_parse(const char *buf, size_t len, VarlinkCall *ret, const char **ret_error);
void varlink_call_done(VarlinkCall *c);

/* Split "a.b.C" into interface "a.b" (copied into iface, size n) and method "C". */
int varlink_method_split(const char *method, char *iface, size_t n, const char **ret_member);

/* Serialize {"parameters": params} or {"error": name, "parameters": params};
 * params is consumed (NULL: empty object). *ret is malloc'ed, NUL-terminated,
 * and *ret_len counts the terminating NUL (it goes on the wire). */
int varlink_reply(json_object *params, char **ret, size_t *ret_len);
int varlink_error(const char *name, json_object *params, char **ret, size_t *ret_len);
/* A reply too long to build in one go (GetDays over years): its one array
 * member written item by item, over several turns of a loop, to the very
 * bytes varlink_reply() would give for the whole. */
typedef struct VarlinkStream {
        char *buf; /* the reply so far: head, then the items */
        size_t len, size;
        char *tail; /* what follows the array: "]" and the members after it */
        size_t n_items;
} VarlinkStream;

/* Start a reply of params (consumed), whose first member must be an empty
 * array named member: the items go there. -EINVAL when it is not. */
int varlink_stream_begin(VarlinkStream *s, json_object *params, const char *member);
/* Append one item (consumed) to the array. */
int varlink_stream_add(VarlinkStream *s, json_object *item);
/* The whole reply as varlink_reply() gives it (*ret malloc'ed, the NUL
 * counted in *ret_len); s is left empty. */
int varlink_stream_end(VarlinkStream *s, char **ret, size_t *ret_len);
void varlink_stream_done(VarlinkStream *s);

/* An InvalidParameter error naming the parameter. */
int varlink_error_invalid_parameter(const char *parameter, char **ret, size_t *ret_len);

/* Typed parameter access. 1: present and well-typed; 0: absent or null (only
 * allowed when optional); -EINVAL: wrong type or out of range. */
int varlink_param_string(json_object *params, const char *name, const char **ret);
int varlink_param_int(json_object *params, const char *name, int64_t min, int64_t max, int64_t *ret);

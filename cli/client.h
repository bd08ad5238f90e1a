/* A blocking Varlink client for kizukid's control socket.
 *
 * One call at a time: the request {"method": …, "parameters": {…}} and a NUL
 * go out, the reply is read up to its NUL. Replies are bounded in size and
 * each call in time. */
#pragma once

#include <json-c/json.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "json-cleanup.h"

#define CLIENT_REPLY_MAX (16u * 1024 * 1024)
#define CLIENT_TIMEOUT_S 30

typedef struct Client Client;

/* Connect to the Unix socket at path. -ENAMETOOLONG for a path that does not
 * fit sockaddr_un, else the -errno of socket()/connect(). */
int client_connect(const char *path, Client **ret);
Client *client_free(Client *c);
static inline void client_freep(Client **c) {
        client_free(*c);
}

/* Call method with params (borrowed; NULL sends an empty object).
 * 0: *ret_params is the reply's parameters (always an object, owned by the
 * caller). -EREMOTEIO: the daemon answered an error; *ret_error is its name
 * (malloc'ed) and *ret_params its parameters. Otherwise: -ETIMEDOUT,
 * -ECONNRESET (closed before a reply), -EMSGSIZE (reply too large), -EBADMSG
 * (not a Varlink reply) or another -errno; outputs stay NULL.
 * ret_params and ret_error may be NULL. */
int client_call(Client *c, const char *method, json_object *params, json_object **ret_params, char **ret_error);

/* Connect, call, and on any failure print one clear message to stderr (the
 * daemon's Varlink errors as friendly sentences). For commands. */
int client_invoke(const char *path, const char *method, json_object *params, json_object **ret_params);

/* client_invoke() with the parameters given as pairs of a key and a string
 * value, ended by NULL: client_invoke_strings(path, method, &reply, "date",
 * date, NULL). */
int client_invoke_strings(const char *path, const char *method, json_object **ret_params, ...)
        __attribute__((sentinel));
int client_invoke_stringsv(const char *path, const char *method, json_object **ret_params, va_list ap);

/* client_invoke(), then the array key of the reply (*ret_array borrows from
 * *ret_reply). A reply without it is -EBADMSG, said on stderr as "kizukid
 * sent a malformed WHAT". */
int client_invoke_array(const char *path, const char *method, json_object *params, const char *key,
                        const char *what, json_object **ret_reply, json_object **ret_array);

/* Print the message for a Varlink error the daemon answered. */
void client_log_varlink_error(const char *error, json_object *params);

/* Typed reply fields. 0: present and of the type; -ENODATA: absent or null;
 * -EBADMSG: another type. *ret is borrowed from o. */
int client_get_int(json_object *o, const char *key, int64_t *ret);
int client_get_bool(json_object *o, const char *key, bool *ret);
int client_get_string(json_object *o, const char *key, const char **ret);
int client_get_object(json_object *o, const char *key, json_object **ret);
int client_get_array(json_object *o, const char *key, json_object **ret);

/* A figure: a number (an integer too) that is finite. *ret NAN when absent or
 * null, which is -EBADMSG when required, else 0. */
int client_get_figure(json_object *o, const char *key, bool required, double *ret);

/* The array key of o, each element checked and copied by parse() into the
 * element at ret (of size bytes) of a new array: *ret malloc'ed (NULL when
 * empty), *ret_n elements. -EBADMSG when the array is missing or parse()
 * fails on an element, said on stderr as "a malformed list of WHAT" unless
 * what is NULL; -ENOMEM. */
int client_get_array_of(json_object *o, const char *key, size_t size, int (*parse)(json_object *e, void *ret),
                        const char *what, void **ret, size_t *ret_n);

/* client_get_array_of() for an array of type: ret is a type **. */
#define CLIENT_GET_ARRAY_OF(o, key, type, parse, what, ret, ret_n)                                    \
        ({                                                                                            \
                void *_v = NULL;                                                                      \
                int _r = client_get_array_of((o), (key), sizeof(type), (parse), (what), &_v, (ret_n)); \
                if (_r >= 0)                                                                          \
                        *(ret) = (type *) _v;                                                         \
                _r;                                                                                   \
        })

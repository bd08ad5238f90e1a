/* A blocking Varlink client for kizukid's control socket.
 *
 * One call at a time: the request {"method": …, "parameters": {…}} and a NUL
 * go out, the reply is read up to its NUL. Replies are bounded in size and
 * each call in time. */
#pragma once

#include <json-c/json.h>
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

/* Print the message for a Varlink error the daemon answered. */
void client_log_varlink_error(const char *error, json_object *params);

/* Typed reply fields. 0: present and of the type; -ENODATA: absent or null;
 * -EBADMSG: another type. *ret is borrowed from o. */
int client_get_int(json_object *o, const char *key, int64_t *ret);
int client_get_bool(json_object *o, const char *key, bool *ret);
int client_get_string(json_object *o, const char *key, const char **ret);
int client_get_object(json_object *o, const char *key, json_object **ret);
int client_get_array(json_object *o, const char *key, json_object **ret);

#include "client.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "output.h"
#include "protocol.h"

struct Client {
        int fd;
        char *buf;   /* bytes received and not yet consumed */
        size_t len;  /* bytes in buf */
        size_t cap;  /* allocated size of buf */
};

int client_connect(const char *path, Client **ret) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_close_ int fd = -1;
        size_t n = strlen(path);

        if (n == 0 || n >= sizeof sa.sun_path)
                return -ENAMETOOLONG;
        memcpy(sa.sun_path, path, n + 1);

        fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        /* A blocking connect: on a Unix socket it completes at once (the
         * listener's backlog holds it even while a socket-activated daemon starts). */
        while (connect(fd, (const struct sockaddr *) &sa, sizeof sa) < 0)
                if (errno != EINTR)
                        return -errno;

        Client *c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        c->fd = TAKE_FD(fd);
        *ret = c;
        return 0;
}

Client *client_free(Client *c) {
        if (!c)
                return NULL;
        if (c->fd >= 0)
                close(c->fd);
        free(c->buf);
        free(c);
        return NULL;
}

static int64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is ready for events or the deadline (monotonic ms) passed. */
static int wait_fd(int fd, short events, int64_t deadline) {
        for (;;) {
                int64_t left = deadline - now_ms();
                if (left <= 0)
                        return -ETIMEDOUT;
                struct pollfd p = { .fd = fd, .events = events };
                int r = poll(&p, 1, (int) (left > 60000 ? 60000 : left));
                if (r < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (r > 0)
                        return 0; /* ready, or POLLHUP/POLLERR: the next send/recv says which */
        }
}

static int send_all(int fd, const char *p, size_t n, int64_t deadline) {
        while (n > 0) {
                ssize_t k = send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN || errno == EWOULDBLOCK) {
                                int r = wait_fd(fd, POLLOUT, deadline);
                                if (r < 0)
                                        return r;
                                continue;
                        }
                        return errno == EPIPE ? -ECONNRESET : -errno;
                }
                p += k;
                n -= (size_t) k;
        }
        return 0;
}

/* Read until c->buf holds a NUL; *ret_end is its index. */
static int recv_message(Client *c, int64_t deadline, size_t *ret_end) {
        size_t scanned = 0;

        for (;;) {
                char *nul = c->len > scanned ? memchr(c->buf + scanned, '\0', c->len - scanned) : NULL;
                if (nul) {
                        *ret_end = (size_t) (nul - c->buf);
                        return 0;
                }
                scanned = c->len;
                if (c->len > CLIENT_REPLY_MAX) /* the message alone is longer than the bound */
                        return -EMSGSIZE;

                if (c->len == c->cap) {
                        size_t cap = c->cap ? c->cap * 2 : 4096;
                        if (cap > CLIENT_REPLY_MAX + 1)
                                cap = CLIENT_REPLY_MAX + 1;
                        char *b = realloc(c->buf, cap);
                        if (!b)
                                return -ENOMEM;
                        c->buf = b;
                        c->cap = cap;
                }

                ssize_t k = recv(c->fd, c->buf + c->len, c->cap - c->len, MSG_DONTWAIT);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN || errno == EWOULDBLOCK) {
                                int r = wait_fd(c->fd, POLLIN, deadline);
                                if (r < 0)
                                        return r;
                                continue;
                        }
                        return -errno;
                }
                if (k == 0)
                        return -ECONNRESET;
                c->len += (size_t) k;
        }
}

/* Parse one reply of len bytes: a JSON object and nothing but whitespace after it. */
static int parse_reply(const char *s, size_t len, json_object **ret) {
        _cleanup_json_ json_object *o = NULL;
        struct json_tokener *tok;

        if (len > INT32_MAX)
                return -EMSGSIZE;
        tok = json_tokener_new();
        if (!tok)
                return -ENOMEM;
        o = json_tokener_parse_ex(tok, s, (int) len);
        enum json_tokener_error e = json_tokener_get_error(tok);
        size_t end = json_tokener_get_parse_end(tok);
        json_tokener_free(tok);
        if (!o || e != json_tokener_success || !json_object_is_type(o, json_type_object))
                return -EBADMSG;
        for (; end < len; end++)
                if (!strchr(" \t\r\n", s[end]))
                        return -EBADMSG;
        *ret = TAKE_PTR(o);
        return 0;
}

int client_call(Client *c, const char *method, json_object *params, json_object **ret_params, char **ret_error) {
        _cleanup_json_ json_object *req = NULL, *reply = NULL;
        int64_t deadline = now_ms() + CLIENT_TIMEOUT_S * 1000;
        size_t end = 0;
        int r;

        if (ret_params)
                *ret_params = NULL;
        if (ret_error)
                *ret_error = NULL;

        req = json_object_new_object();
        if (!req)
                return -ENOMEM;
        if (json_object_object_add(req, "method", json_object_new_string(method)) < 0 ||
            json_object_object_add(req, "parameters",
                                   params ? json_object_get(params) : json_object_new_object()) < 0)
                return -ENOMEM;
        size_t n;
        const char *s = json_object_to_json_string_length(req, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
        if (!s)
                return -ENOMEM;
        r = send_all(c->fd, s, n + 1, deadline); /* the NUL that ends the message */
        if (r < 0)
                return r;

        r = recv_message(c, deadline, &end);
        if (r < 0)
                return r;
        r = parse_reply(c->buf, end, &reply);
        /* Consume the message whatever it held; keep what followed it. */
        memmove(c->buf, c->buf + end + 1, c->len - end - 1);
        c->len -= end + 1;
        if (r < 0)
                return r;

        json_object *p = NULL, *e = NULL;
        if (json_object_object_get_ex(reply, "parameters", &p) && p &&
            !json_object_is_type(p, json_type_object))
                return -EBADMSG;
        if (json_object_object_get_ex(reply, "error", &e) && e && !json_object_is_type(e, json_type_string))
                return -EBADMSG;

        if (ret_params)
                *ret_params = p ? json_object_get(p) : json_object_new_object();
        if (e) {
                if (ret_error) {
                        *ret_error = strdup(json_object_get_string(e));
                        if (!*ret_error)
                                return -ENOMEM;
                }
                return -EREMOTEIO;
        }
        if (ret_params && !*ret_params)
                return -ENOMEM;
        return 0;
}


/* A string parameter of an error, made safe to print; "?" when absent. */
static const char *param_str(json_object *params, const char *key, char *buf, size_t size) {
        const char *s;
        if (client_get_string(params, key, &s) < 0)
                return "?";
        return output_safe(buf, size, s);
}

void client_log_varlink_error(const char *error, json_object *params) {
        char a[256], b[256];

        if (strcmp(error, KIZUKI_NAME("NoConsent")) == 0)
                fprintf(stderr, "kizuki: recording needs consent: run 'kizuki consent grant'\n");
        else if (strcmp(error, KIZUKI_NAME("ConsentMismatch")) == 0)
                fprintf(stderr,
                        "kizuki: kizukid requires consent to another text (version %s, SHA-256 %s);\n"
                        "this kizuki and the running kizukid come from different releases: update or restart them\n",
                        param_str(params, "text_version", a, sizeof a),
                        param_str(params, "text_sha256", b, sizeof b));
        else if (strcmp(error, KIZUKI_NAME("InvalidDate")) == 0)
                fprintf(stderr, "kizuki: kizukid rejected the date '%s' (expected YYYY-MM-DD)\n",
                        param_str(params, "date", a, sizeof a));
        else if (strcmp(error, KIZUKI_NAME("NoSuchNudge")) == 0) {
                int64_t id;
                if (client_get_int(params, "id", &id) >= 0)
                        fprintf(stderr, "kizuki: no nudge %lld (see 'kizuki nudges --all')\n", (long long) id);
                else
                        fprintf(stderr, "kizuki: no such nudge (see 'kizuki nudges --all')\n");
        } else if (strcmp(error, KIZUKI_NAME("StoreError")) == 0)
                fprintf(stderr, "kizuki: kizukid cannot use its store: %s\n"
                        "See 'journalctl --user -u kizukid' for details.\n",
                        param_str(params, "message", a, sizeof a));
        else if (strcmp(error, KIZUKI_NAME("PermissionDenied")) == 0 ||
                 strcmp(error, "org.varlink.service.PermissionDenied") == 0)
                fprintf(stderr, "kizuki: kizukid refused the request: permission denied\n");
        else if (strcmp(error, KIZUKI_NAME("FutureHour")) == 0) {
                int64_t index, start, offset;
                if (client_get_int(params, "index", &index) >= 0 && client_get_int(params, "start", &start) >= 0 &&
                    client_get_int(params, "utc_offset", &offset) >= 0 && offset >= -18 * 3600 &&
                    offset <= 18 * 3600 && output_iso8601(a, sizeof a, start, (int32_t) offset) >= 0)
                        fprintf(stderr, "kizuki: kizukid refused the batch: its hour %lld, starting %s, is in the "
                                "future by kizukid's clock; nothing of the batch was stored\n",
                                (long long) index + 1, a);
                else
                        fprintf(stderr, "kizuki: kizukid refused the batch: an hour in it is in the future\n");
        } else if (strcmp(error, KIZUKI_NAME("MessageTooLarge")) == 0)
                fprintf(stderr, "kizuki: the request was too large for kizukid\n");
        else if (strcmp(error, "org.varlink.service.MethodNotFound") == 0 ||
                 strcmp(error, "org.varlink.service.MethodNotImplemented") == 0)
                fprintf(stderr, "kizuki: the running kizukid is older than this kizuki (it does not know %s); "
                        "restart it after an upgrade\n", param_str(params, "method", a, sizeof a));
        else if (strcmp(error, "org.varlink.service.InterfaceNotFound") == 0)
                fprintf(stderr, "kizuki: the service at the socket is not kizukid (it does not know %s)\n",
                        param_str(params, "interface", a, sizeof a));
        else if (strcmp(error, "org.varlink.service.InvalidParameter") == 0)
                fprintf(stderr, "kizuki: kizukid rejected the parameter '%s' (is the running kizukid another version?)\n",
                        param_str(params, "parameter", a, sizeof a));
        else {
                /* json-c escapes control characters in JSON text. */
                const char *p = params ? json_object_to_json_string_ext(params, JSON_C_TO_STRING_PLAIN) : NULL;
                bool show = p && strcmp(p, "{}") != 0;
                fprintf(stderr, "kizuki: kizukid answered with the error %s%s%s\n",
                        output_safe(a, sizeof a, error), show ? " " : "", show ? p : "");
        }
}

/* How to start kizukid: it lives in libexec, off PATH, and its socket unit
 * starts it on the first request. */
static void client_advise_start(const char *path) {
        _cleanup_free_ char *standard = NULL;

        if (protocol_socket_path(&standard) >= 0 && strcmp(path, standard) == 0)
                fprintf(stderr, "kizukid is not running. Start it (and at every login) with\n"
                        "  systemctl --user enable --now kizukid.socket\n");
        else
                fprintf(stderr, "Is a kizukid listening there? The usual one is started with\n"
                        "  systemctl --user enable --now kizukid.socket\n"
                        "and listens at %s.\n", standard ? standard : "$XDG_RUNTIME_DIR/kizuki/io.kizuki.Daemon");
}

int client_invoke(const char *path, const char *method, json_object *params, json_object **ret_params) {
        _cleanup_(client_freep) Client *c = NULL;
        _cleanup_json_ json_object *reply = NULL;
        _cleanup_free_ char *error = NULL;
        int r;

        r = client_connect(path, &c);
        if (r < 0) {
                fprintf(stderr, "kizuki: cannot reach kizukid at %s: %s\n", path, strerror(-r));
                if (r == -ENOENT || r == -ECONNREFUSED)
                        client_advise_start(path);
                return r;
        }

        r = client_call(c, method, params, &reply, &error);
        switch (r) {
        case 0:
                break;
        case -EREMOTEIO:
                client_log_varlink_error(error, reply);
                return r;
        case -ETIMEDOUT:
                fprintf(stderr, "kizuki: kizukid at %s did not answer within %d s\n", path, CLIENT_TIMEOUT_S);
                return r;
        case -ECONNRESET:
                fprintf(stderr, "kizuki: kizukid at %s closed the connection without answering\n", path);
                return r;
        case -EMSGSIZE:
                fprintf(stderr, "kizuki: the reply of kizukid at %s is larger than %u MiB\n", path,
                        CLIENT_REPLY_MAX / (1024 * 1024));
                return r;
        case -EBADMSG:
                fprintf(stderr, "kizuki: the service at %s sent a malformed reply\n", path);
                return r;
        default:
                fprintf(stderr, "kizuki: talking to kizukid at %s failed: %s\n", path, strerror(-r));
                return r;
        }

        if (ret_params)
                *ret_params = TAKE_PTR(reply);
        return 0;
}

int client_invoke_array(const char *path, const char *method, json_object *params, const char *key,
                        const char *what, json_object **ret_reply, json_object **ret_array) {
        _cleanup_json_ json_object *reply = NULL;
        int r = client_invoke(path, method, params, &reply);
        if (r < 0)
                return r;
        if (client_get_array(reply, key, ret_array) < 0) {
                fprintf(stderr, "kizuki: kizukid sent a malformed %s\n", what);
                return -EBADMSG;
        }
        *ret_reply = TAKE_PTR(reply);
        return 0;
}

int client_invoke_stringsv(const char *path, const char *method, json_object **ret_params, va_list ap) {
        _cleanup_json_ json_object *params = json_object_new_object();
        const char *key;

        if (!params)
                return -ENOMEM;
        while ((key = va_arg(ap, const char *)))
                if (json_object_object_add(params, key, json_object_new_string(va_arg(ap, const char *))) < 0)
                        return -ENOMEM;
        return client_invoke(path, method, params, ret_params);
}

int client_invoke_strings(const char *path, const char *method, json_object **ret_params, ...) {
        va_list ap;
        int r;

        va_start(ap, ret_params);
        r = client_invoke_stringsv(path, method, ret_params, ap);
        va_end(ap);
        return r;
}

/* Member key of o, of the given type, into *ret as its C type: int64_t, bool,
 * const char *, or the json_object * of an object or array. Absent or null:
 * -ENODATA; another type, or an integer json-c saturated: -EBADMSG. */
static int get_typed(json_object *o, const char *key, json_type type, void *ret) {
        json_object *v = NULL;

        if (!o || !json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, key, &v) || !v)
                return -ENODATA; /* absent or null */
        if (!json_object_is_type(v, type))
                return -EBADMSG;
        switch (type) {
        case json_type_int: {
                /* json-c saturates integers that do not fit int64: refuse the limits. */
                int64_t i = json_object_get_int64(v);
                if (i == INT64_MAX || i == INT64_MIN)
                        return -EBADMSG;
                *(int64_t *) ret = i;
                break;
        }
        case json_type_boolean:
                *(bool *) ret = json_object_get_boolean(v);
                break;
        case json_type_string:
                *(const char **) ret = json_object_get_string(v);
                break;
        default:
                *(json_object **) ret = v;
                break;
        }
        return 0;
}

int client_get_int(json_object *o, const char *key, int64_t *ret) {
        return get_typed(o, key, json_type_int, ret);
}

int client_get_bool(json_object *o, const char *key, bool *ret) {
        return get_typed(o, key, json_type_boolean, ret);
}

int client_get_string(json_object *o, const char *key, const char **ret) {
        return get_typed(o, key, json_type_string, ret);
}

int client_get_object(json_object *o, const char *key, json_object **ret) {
        return get_typed(o, key, json_type_object, ret);
}

int client_get_array(json_object *o, const char *key, json_object **ret) {
        return get_typed(o, key, json_type_array, ret);
}

int client_get_figure(json_object *o, const char *key, bool required, double *ret) {
        json_object *v = NULL;

        *ret = NAN;
        if (!json_object_object_get_ex(o, key, &v) || !v)
                return required ? -EBADMSG : 0;
        if (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int))
                return -EBADMSG;
        double d = json_object_get_double(v);
        if (!isfinite(d))
                return -EBADMSG;
        *ret = d;
        return 0;
}

int client_get_array_of(json_object *o, const char *key, size_t size, int (*parse)(json_object *e, void *ret),
                        const char *what, void **ret, size_t *ret_n) {
        _cleanup_free_ char *v = NULL;
        json_object *array;
        size_t n;

        if (client_get_array(o, key, &array) < 0)
                goto bad;
        n = json_object_array_length(array);
        if (n > 0) {
                v = calloc(n, size);
                if (!v)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++)
                if (parse(json_object_array_get_idx(array, i), v + i * size) < 0)
                        goto bad;
        *ret = TAKE_PTR(v);
        *ret_n = n;
        return 0;
bad:
        if (what)
                fprintf(stderr, "kizuki: kizukid sent a malformed list of %s\n", what);
        return -EBADMSG;
}

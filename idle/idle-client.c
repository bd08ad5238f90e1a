/* kizuki-idle's connection to kizukid (idle-client.h). */
#include "idle-client.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "protocol.h"

/* Replies are tiny; a longer one is not kizukid's. */
#define REPLY_MAX 4096

struct IdleClient {
        int fd;
        char buf[REPLY_MAX];
        size_t len;
};

static const char *const report_names[] = {
        [IDLE_REPORT_ACTIVE] = "active",
        [IDLE_REPORT_IDLE] = "idle",
        [IDLE_REPORT_LOCKED] = "locked",
};

/* Send {"method": KIZUKI_NAME(method), "parameters": params} and its NUL
 * (params consumed). Messages are small: a blocking send. */
static int client_send(IdleClient *c, const char *method, json_object *params) {
        json_object *m = json_object_new_object();
        if (!m) {
                json_object_put(params);
                return -ENOMEM;
        }
        json_object_object_add(m, "method", json_object_new_string(method));
        json_object_object_add(m, "parameters", params);
        size_t n;
        const char *s = json_object_to_json_string_length(m, JSON_C_TO_STRING_PLAIN, &n);
        int r = 0;
        if (!s)
                r = -ENOMEM;
        else if (send(c->fd, s, n + 1, MSG_NOSIGNAL) != (ssize_t) (n + 1))
                r = -EPIPE;
        json_object_put(m);
        return r;
}

int idle_client_connect(IdleClient **ret, const char *path, const char *protocol, uint32_t timeout_s,
                        const char *session) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(path) >= sizeof sa.sun_path)
                return -ENAMETOOLONG;
        memcpy(sa.sun_path, path, strlen(path) + 1);
        IdleClient *c = calloc(1, sizeof *c);
        if (!c)
                return -ENOMEM;
        c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (c->fd < 0 || connect(c->fd, (struct sockaddr *) &sa, sizeof sa) < 0) {
                int r = -errno;
                idle_client_free(c);
                return r;
        }
        json_object *p = json_object_new_object();
        json_object_object_add(p, "protocol", json_object_new_string(protocol));
        json_object_object_add(p, "timeout_s", json_object_new_int64(timeout_s));
        if (session)
                json_object_object_add(p, "session", json_object_new_string(session));
        int r = client_send(c, KIZUKI_NAME("AttachIdleSource"), p);
        if (r < 0) {
                idle_client_free(c);
                return r;
        }
        *ret = c;
        return 0;
}

IdleClient *idle_client_free(IdleClient *c) {
        if (!c)
                return NULL;
        if (c->fd >= 0)
                close(c->fd);
        free(c);
        return NULL;
}

int idle_client_fd(const IdleClient *c) {
        return c->fd;
}

int idle_client_report(IdleClient *c, IdleReport state) {
        json_object *p = json_object_new_object();
        json_object_object_add(p, "state", json_object_new_string(report_names[state]));
        return client_send(c, KIZUKI_NAME("SetIdleState"), p);
}

void idle_client_detach(IdleClient *c) {
        json_object *p = json_object_new_object();
        json_object_object_add(p, "state", json_object_new_string("detach"));
        (void) client_send(c, KIZUKI_NAME("SetIdleState"), p);
}

/* One reply: an error is said; a refused attach ends the connection. */
static int handle_reply(const char *msg, size_t len) {
        json_object *o = json_tokener_parse(msg);
        json_object *e;
        int r = 0;
        (void) len;
        if (!o || !json_object_is_type(o, json_type_object))
                r = -EBADMSG;
        else if (json_object_object_get_ex(o, "error", &e)) {
                const char *name = json_object_get_string(e);
                fprintf(stderr, "kizuki-idle: kizukid answered %s\n", name ? name : "an error");
                r = -EPROTO;
        }
        json_object_put(o);
        return r;
}

int idle_client_read(IdleClient *c) {
        ssize_t n = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, MSG_DONTWAIT);
        if (n == 0)
                return -ECONNRESET;
        if (n < 0)
                return errno == EAGAIN || errno == EINTR ? 0 : -errno;
        c->len += (size_t) n;
        char *nul;
        while ((nul = memchr(c->buf, '\0', c->len))) {
                size_t len = (size_t) (nul - c->buf);
                int r = handle_reply(c->buf, len);
                memmove(c->buf, nul + 1, c->len - len - 1);
                c->len -= len + 1;
                if (r < 0)
                        return r;
        }
        return c->len == sizeof c->buf ? -EMSGSIZE : 0;
}

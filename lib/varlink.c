#include "varlink.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "macro.h"

/* A method name is "reverse.domain.Interface.Method": ASCII letters, digits,
 * dots and dashes, with at least one dot, no empty parts. */
static bool method_name_valid(const char *s) {
        size_t n = strlen(s);
        if (n == 0 || n > 255 || s[0] == '.' || s[n - 1] == '.' || !strchr(s, '.'))
                return false;
        for (size_t i = 0; i < n; i++) {
                char c = s[i];
                bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                          c == '.' || c == '-' || c == '_';
                if (!ok || (c == '.' && s[i + 1] == '.'))
                        return false;
        }
        return true;
}

void varlink_call_done(VarlinkCall *c) {
        free(c->method);
        json_object_put(c->parameters);
        *c = (VarlinkCall) {};
}

int varlink_call_parse(const char *buf, size_t len, VarlinkCall *ret, const char **ret_error) {
        *ret = (VarlinkCall) {};
        *ret_error = VARLINK_ERROR_INVALID_PARAMETER;

        if (len == 0 || len > VARLINK_MESSAGE_MAX || memchr(buf, '\0', len))
                return -EBADMSG;

        json_tokener *tok = json_tokener_new_ex(32);
        if (!tok)
                return -ENOMEM;
        json_object *o = json_tokener_parse_ex(tok, buf, (int) len);
        bool complete = json_tokener_get_error(tok) == json_tokener_success &&
                        json_tokener_get_parse_end(tok) == len;
        json_tokener_free(tok);
        if (!o || !complete || !json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                return -EBADMSG;
        }

        int r = -EBADMSG;
        json_object *m, *p, *b;
        if (!json_object_object_get_ex(o, "method", &m) || !json_object_is_type(m, json_type_string) ||
            strlen(json_object_get_string(m)) != (size_t) json_object_get_string_len(m) ||
            !method_name_valid(json_object_get_string(m)))
                goto out;

        if (json_object_object_get_ex(o, "parameters", &p) && !json_object_is_type(p, json_type_null)) {
                if (!json_object_is_type(p, json_type_object))
                        goto out;
                ret->parameters = json_object_get(p);
        } else
                ret->parameters = json_object_new_object();
        if (!ret->parameters) {
                r = -ENOMEM;
                goto out;
        }

        if (json_object_object_get_ex(o, "oneway", &b)) {
                if (!json_object_is_type(b, json_type_boolean))
                        goto out;
                ret->oneway = json_object_get_boolean(b);
        }
        if (json_object_object_get_ex(o, "more", &b)) {
                if (!json_object_is_type(b, json_type_boolean))
                        goto out;
                ret->more = json_object_get_boolean(b);
        }

        ret->method = strdup(json_object_get_string(m));
        if (!ret->method) {
                r = -ENOMEM;
                goto out;
        }
        r = 0;
        *ret_error = NULL;
out:
        if (r < 0)
                varlink_call_done(ret);
        json_object_put(o);
        return r;
}

int varlink_method_split(const char *method, char *iface, size_t n, const char **ret_member) {
        const char *dot = strrchr(method, '.');
        if (!dot || dot == method || (size_t) (dot - method) >= n)
                return -EINVAL;
        memcpy(iface, method, (size_t) (dot - method));
        iface[dot - method] = '\0';
        *ret_member = dot + 1;
        return 0;
}

#define SERIALIZE_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

static int serialize(json_object *msg, char **ret, size_t *ret_len) {
        size_t len;
        const char *s = json_object_to_json_string_length(msg, SERIALIZE_FLAGS, &len);
        char *copy = s ? malloc(len + 1) : NULL;
        if (!copy) {
                json_object_put(msg);
                return -ENOMEM;
        }
        memcpy(copy, s, len + 1);
        json_object_put(msg);
        *ret = copy;
        *ret_len = len + 1;
        return 0;
}

static int build(const char *error, json_object *params, char **ret, size_t *ret_len) {
        json_object *msg = json_object_new_object();
        if (!params)
                params = json_object_new_object();
        if (!msg || !params) {
                json_object_put(msg);
                json_object_put(params);
                return -ENOMEM;
        }
        if (error)
                json_object_object_add(msg, "error", json_object_new_string(error));
        json_object_object_add(msg, "parameters", params);
        return serialize(msg, ret, ret_len);
}

int varlink_reply(json_object *params, char **ret, size_t *ret_len) {
        return build(NULL, params, ret, ret_len);
}

void varlink_stream_done(VarlinkStream *s) {
        free(s->buf);
        free(s->tail);
        *s = (VarlinkStream) {};
}

static int stream_append(VarlinkStream *s, const char *p, size_t n) {
        if (s->size - s->len <= n) {
                size_t size = s->size ? s->size : 4096;
                while (size - s->len <= n) {
                        if (size > SIZE_MAX / 2)
                                return -ENOMEM;
                        size *= 2;
                }
                char *b = realloc(s->buf, size);
                if (!b)
                        return -ENOMEM;
                s->buf = b;
                s->size = size;
        }
        memcpy(s->buf + s->len, p, n);
        s->len += n;
        s->buf[s->len] = '\0';
        return 0;
}

int varlink_stream_begin(VarlinkStream *s, json_object *params, const char *member) {
        _cleanup_free_ char *whole = NULL, *head = NULL;
        size_t len;
        *s = (VarlinkStream) {};
        /* The whole reply with the array empty, cut at its brackets: json-c
         * writes an array as "[" items joined by "," "]" (no spaces, PLAIN),
         * and each item as it would alone. */
        int r = varlink_reply(params, &whole, &len);
        if (r < 0)
                return r;
        if (asprintf(&head, "{\"parameters\":{\"%s\":[]", member) < 0)
                return -ENOMEM;
        size_t n = strlen(head);
        if (len < n || strncmp(whole, head, n) != 0)
                return -EINVAL;
        s->tail = strdup(whole + n - 1);
        if (!s->tail || stream_append(s, head, n - 1) < 0) {
                varlink_stream_done(s);
                return -ENOMEM;
        }
        return 0;
}

int varlink_stream_add(VarlinkStream *s, json_object *item) {
        size_t len;
        const char *p = json_object_to_json_string_length(item, SERIALIZE_FLAGS, &len);
        int r = !p ? -ENOMEM : s->n_items > 0 ? stream_append(s, ",", 1) : 0;
        if (r >= 0 && p)
                r = stream_append(s, p, len);
        json_object_put(item);
        if (r >= 0)
                s->n_items++;
        return r;
}

int varlink_stream_end(VarlinkStream *s, char **ret, size_t *ret_len) {
        int r = stream_append(s, s->tail, strlen(s->tail));
        if (r < 0)
                return r;
        *ret_len = s->len + 1;
        *ret = TAKE_PTR(s->buf);
        varlink_stream_done(s);
        return 0;
}

int varlink_error(const char *name, json_object *params, char **ret, size_t *ret_len) {
        return build(name, params, ret, ret_len);
}

int varlink_error_invalid_parameter(const char *parameter, char **ret, size_t *ret_len) {
        json_object *p = json_object_new_object();
        if (!p)
                return -ENOMEM;
        json_object_object_add(p, "parameter", json_object_new_string(parameter));
        return varlink_error(VARLINK_ERROR_INVALID_PARAMETER, p, ret, ret_len);
}

int varlink_param_string(json_object *params, const char *name, const char **ret) {
        json_object *v;
        if (!json_object_object_get_ex(params, name, &v) || json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_is_type(v, json_type_string))
                return -EINVAL;
        /* "\u0000" decodes to a NUL inside the string: C would see a shorter one. */
        const char *s = json_object_get_string(v);
        if (strlen(s) != (size_t) json_object_get_string_len(v))
                return -EINVAL;
        *ret = s;
        return 1;
}

int varlink_param_int(json_object *params, const char *name, int64_t min, int64_t max, int64_t *ret) {
        json_object *v;
        if (!json_object_object_get_ex(params, name, &v) || json_object_is_type(v, json_type_null))
                return 0;
        if (!json_object_is_type(v, json_type_int))
                return -EINVAL;
        errno = 0;
        int64_t x = json_object_get_int64(v);
        /* json-c saturates out-of-range numbers and sets errno. */
        if (errno != 0 || x < min || x > max)
                return -EINVAL;
        *ret = x;
        return 1;
}

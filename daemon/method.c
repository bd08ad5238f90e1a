/* Helpers of the method handlers (method.h). */
#include "method.h"

#include <errno.h>
#include <string.h>

#include "calendar.h"
#include "log.h"

int method_ok(Reply *r, json_object *params) {
        return varlink_reply(params, r->msg, r->len);
}

int method_fail(Reply *r, const char *error, json_object *params) {
        return varlink_error(error, params, r->msg, r->len);
}

int method_bad_param(Reply *r, const char *name) {
        return varlink_error_invalid_parameter(name, r->msg, r->len);
}

int method_store_fail(Reply *r, Daemon *d, int err) {
        json_object *p = json_object_new_object();
        const char *why = store_last_error(d->store);
        json_object_object_add(p, "message", json_object_new_string(why && *why ? why : strerror(-err)));
        log_warning("Store error: %s", json_object_get_string(json_object_object_get(p, "message")));
        return method_fail(r, KIZUKI_NAME("StoreError"), p);
}

int method_store_done(Reply *r, Daemon *d, int err) {
        return err < 0 ? method_store_fail(r, d, err) : method_ok(r, NULL);
}

int method_no_consent(Reply *r) {
        return method_fail(r, KIZUKI_NAME("NoConsent"), NULL);
}

int method_range_too_large(Reply *r, int limit) {
        json_object *p = json_object_new_object();
        json_object_object_add(p, "limit", json_object_new_int(limit));
        return method_fail(r, KIZUKI_NAME("RangeTooLarge"), p);
}

int method_answer_bool(json_object *params, const char *name) {
        json_object *v;
        if (!json_object_object_get_ex(params, name, &v) || json_object_is_type(v, json_type_null))
                return -1;
        if (!json_object_is_type(v, json_type_boolean))
                return -2;
        return json_object_get_boolean(v);
}

int method_date(json_object *params, const char *name, int64_t *ret, Reply *r, int *ret_reply) {
        const char *s = NULL;
        if (varlink_param_string(params, name, &s) <= 0) {
                *ret_reply = method_bad_param(r, name);
                return -EINVAL;
        }
        if (parse_date(s, ret) < 0) {
                json_object *p = json_object_new_object();
                json_object_object_add(p, "date", json_object_new_string(s));
                *ret_reply = method_fail(r, KIZUKI_NAME("InvalidDate"), p);
                return -EINVAL;
        }
        return 0;
}

/* The hours of the interface: fetched, parsed from a reply, printed as JSON. */
#include "hours.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "client.h"
#include "output.h"

static int hour_parse(json_object *h, void *ret) {
        Hour *hour = ret;
        int64_t off;

        if (client_get_int(h, "start", &hour->start) < 0 || client_get_int(h, "utc_offset", &off) < 0 ||
            client_get_int(h, "active_s", &hour->active_s) < 0 ||
            client_get_int(h, "observed_s", &hour->observed_s) < 0 || off <= -86400 || off >= 86400 ||
            hour->active_s < 0 || hour->observed_s < 0 || hour->start < -((int64_t) 1 << 50) ||
            hour->start > ((int64_t) 1 << 50))
                return -EBADMSG;
        hour->utc_offset = (int32_t) off;
        return 0;
}

int hours_parse(json_object *reply, const char *key, Hour **ret, size_t *ret_n) {
        return CLIENT_GET_ARRAY_OF(reply, key, Hour, hour_parse, "hours", ret, ret_n);
}

/* The hours as JSON on stdout. */
static int hours_print_json(const Hour *hours, size_t n) {
        _cleanup_json_ json_object *root = json_object_new_object();
        json_object *array = json_object_new_array();
        char iso[OUTPUT_TIME_MAX];

        if (!root || !array || json_object_object_add(root, "hours", array) < 0) {
                json_object_put(array);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                json_object *o = json_object_new_object();
                if (!o || json_object_array_add(array, o) < 0) {
                        json_object_put(o);
                        return -ENOMEM;
                }
                if (output_iso8601(iso, sizeof iso, hours[i].start, hours[i].utc_offset) < 0)
                        return -ERANGE; /* cannot happen after hours_parse() */
                if (json_object_object_add(o, "start", json_object_new_string(iso)) < 0 ||
                    json_object_object_add(o, "active_s", json_object_new_int64(hours[i].active_s)) < 0 ||
                    json_object_object_add(o, "observed_s", json_object_new_int64(hours[i].observed_s)) < 0)
                        return -ENOMEM;
        }
        return output_json(root);
}

int hours_fetch(const Ctx *ctx, const char *method, Hour **ret, size_t *ret_n, ...) {
        _cleanup_json_ json_object *reply = NULL;
        va_list ap;
        int r;

        va_start(ap, ret_n);
        r = client_invoke_stringsv(ctx->socket_path, method, &reply, ap);
        va_end(ap);
        if (r < 0)
                return r;
        r = hours_parse(reply, "hours", ret, ret_n);
        if (r < 0)
                return r;
        if (!ctx->json)
                return 1;
        r = hours_print_json(*ret, *ret_n);
        return r < 0 ? r : 0;
}


/* Methods of io.kizuki.Daemon: the share log. The CLI sends the digests (the
 * daemon has no network); the daemon keeps the record of what left the
 * machine, when, to whom and whether it was accepted. Calls: method.c, store,
 * wire, lib/. */
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "calendar.h"
#include "digest-model.h"
#include "log.h"
#include "macro.h"
#include "methods-share.h"
#include "wire.h"

#define SHARE_DETAIL_MAX 1024
#define SHARE_NAME_MAX 64
#define SHARES_LIMIT_MAX 10000
#define SHARES_STATUS 200
#define SHARES_STATUS_RECIPIENTS 32

static bool one_of(const char *s, const char *const *set) {
        for (; *set; set++)
                if (strcmp(s, *set) == 0)
                        return true;
        return false;
}

/* A recipient file name: [A-Za-z0-9_-]{1,64}. */
static bool name_valid(const char *s) {
        size_t n = strlen(s);
        if (n < 1 || n > SHARE_NAME_MAX)
                return false;
        for (; *s; s++)
                if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
                      *s == '-'))
                        return false;
        return true;
}

/* "YYYY-Www", a week that exists. */
static bool week_valid(const char *s) {
        int64_t monday;
        return iso_week_parse(s, &monday) >= 0;
}

static bool sha256_valid(const char *s) {
        if (strlen(s) != 64)
                return false;
        for (; *s; s++)
                if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
                        return false;
        return true;
}

/* Printable text on one line (UTF-8 allowed), bounded. */
static bool detail_valid(const char *s) {
        if (strlen(s) > SHARE_DETAIL_MAX)
                return false;
        for (; *s; s++)
                if ((unsigned char) *s < 0x20 || *s == 0x7f)
                        return false;
        return true;
}

int method_log_share(Daemon *d, json_object *params, Reply *r) {
        static const char *const transports[] = { "https", "http", "smtp", "smtps", NULL };
        static const char *const results[] = { "sent", "failed", NULL };
        StoreShare sh = {};
        const char *recipient, *transport, *week, *level, *format, *sha256, *result, *detail = NULL;
        int64_t size, id;

        if (varlink_param_string(params, "recipient", &recipient) <= 0 || !name_valid(recipient))
                return method_bad_param(r, "recipient");
        if (varlink_param_string(params, "transport", &transport) <= 0 || !one_of(transport, transports))
                return method_bad_param(r, "transport");
        if (varlink_param_string(params, "week", &week) <= 0 || !week_valid(week))
                return method_bad_param(r, "week");
        if (varlink_param_string(params, "level", &level) <= 0 || digest_level_from_string(level) < 0)
                return method_bad_param(r, "level");
        if (varlink_param_string(params, "format", &format) <= 0 || digest_format_from_string(format) < 0)
                return method_bad_param(r, "format");
        if (varlink_param_int(params, "size", 0, INT64_C(1) << 40, &size) <= 0)
                return method_bad_param(r, "size");
        if (varlink_param_string(params, "sha256", &sha256) <= 0 || !sha256_valid(sha256))
                return method_bad_param(r, "sha256");
        if (varlink_param_string(params, "result", &result) <= 0 || !one_of(result, results))
                return method_bad_param(r, "result");
        if (varlink_param_string(params, "detail", &detail) < 0 || (detail && !detail_valid(detail)))
                return method_bad_param(r, "detail");

        sh = (StoreShare) {
                .at = (int64_t) time(NULL),
                .recipient = (char *) recipient,
                .transport = (char *) transport,
                .week = (char *) week,
                .level = (char *) level,
                .format = (char *) format,
                .size = size,
                .sha256 = (char *) sha256,
                .result = (char *) result,
                .detail = (char *) detail,
        };
        int q = store_add_share(d->store, &sh, &id);
        if (q < 0)
                return method_store_fail(r, d, q);
        log_info("Share %lld logged: %s to %s, %s", (long long) id, week, recipient, result);
        json_object *p = json_object_new_object();
        json_object_object_add(p, "id", json_object_new_int64(id));
        json_object_object_add(p, "at", json_object_new_int64(sh.at));
        return method_ok(r, p);
}

void methods_share_status(Daemon *d, json_object *p) {
        json_object *failed = json_object_new_array();
        const char *seen[SHARES_STATUS_RECIPIENTS];
        size_t n_seen = 0;
        StoreShare *v = NULL;
        size_t n = 0;

        /* A failure stands until a later share to that recipient succeeds. */
        if (store_get_shares(d->store, SHARES_STATUS, &v, &n) < 0)
                n = 0;
        for (size_t i = 0; i < n && n_seen < ELEMENTSOF(seen); i++) {
                bool known = !v[i].recipient || !v[i].result;
                for (size_t k = 0; k < n_seen && !known; k++)
                        known = strcmp(seen[k], v[i].recipient) == 0;
                if (known)
                        continue;
                seen[n_seen++] = v[i].recipient;
                if (strcmp(v[i].result, "failed") == 0)
                        json_object_array_add(failed, wire_share(&v[i]));
        }
        store_shares_free(v, n);
        json_object_object_add(p, "failed_shares", failed);
}

int method_get_shares(Daemon *d, json_object *params, Reply *r) {
        int64_t limit = 0;
        StoreShare *v = NULL;
        size_t n = 0;

        if (varlink_param_int(params, "limit", 1, SHARES_LIMIT_MAX, &limit) < 0)
                return method_bad_param(r, "limit");
        int q = store_get_shares(d->store, limit, &v, &n);
        if (q < 0)
                return method_store_fail(r, d, q);
        json_object *arr = json_object_new_array_ext((int) n);
        for (size_t i = 0; i < n; i++)
                json_object_array_add(arr, wire_share(&v[i]));
        store_shares_free(v, n);
        json_object *p = json_object_new_object();
        json_object_object_add(p, "shares", arr);
        return method_ok(r, p);
}

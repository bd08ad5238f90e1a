/* The methods of io.kizuki.Daemon and org.varlink.service. Each handler checks
 * its parameters (hostile until proven otherwise), acts, and builds a reply. */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "consent-text.h"
#include "daemon.h"
#include "log.h"
#include "macro.h"
#include "timeutil.h"
#include "varlink-interface.h"
#include "version.h"

#define IFACE "io.kizuki.Daemon"
#define SERVICE_IFACE "org.varlink.service"

typedef struct Reply {
        char **msg;
        size_t *len;
} Reply;

typedef int (*MethodFn)(Daemon *d, json_object *params, Reply *r);

static int ok(Reply *r, json_object *params) {
        return varlink_reply(params, r->msg, r->len);
}

static int fail(Reply *r, const char *error, json_object *params) {
        return varlink_error(error, params, r->msg, r->len);
}

static int bad_param(Reply *r, const char *name) {
        return varlink_error_invalid_parameter(name, r->msg, r->len);
}

static int store_fail(Reply *r, Daemon *d, int err) {
        json_object *p = json_object_new_object();
        const char *why = store_last_error(d->store);
        json_object_object_add(p, "message", json_object_new_string(why && *why ? why : strerror(-err)));
        log_warning("Store error: %s", json_object_get_string(json_object_object_get(p, "message")));
        return fail(r, IFACE ".StoreError", p);
}

static int64_t wall_now(void) {
        return (int64_t) time(NULL);
}

static json_object *consent_json(const Daemon *d) {
        if (!d->have_consent)
                return NULL;
        json_object *c = json_object_new_object();
        json_object_object_add(c, "granted_at", json_object_new_int64(d->consent.granted_at));
        json_object_object_add(c, "text_version", json_object_new_string(d->consent.text_version));
        json_object_object_add(c, "text_sha256", json_object_new_string(d->consent.text_sha256));
        json_object_object_add(c, "revoked_at",
                               d->consent.revoked_at ? json_object_new_int64(d->consent.revoked_at) : NULL);
        json_object_object_add(c, "current",
                               json_object_new_boolean(strcmp(d->consent.text_sha256, consent_text_SHA256) == 0 &&
                                                       strcmp(d->consent.text_version, KIZUKI_CONSENT_VERSION) == 0));
        return c;
}

static const char *hint_names[] = {
        [HINT_NONE] = "none", [HINT_ACTIVE] = "active", [HINT_IDLE] = "idle",
        [HINT_LOCKED] = "locked", [HINT_UNLOCKED] = "unlocked",
};

static int method_get_status(Daemon *d, json_object *params, Reply *r) {
        (void) params;
        daemon_update(d);

        int64_t now = wall_now();
        int32_t off = tz_offset_at(now, NULL);
        int64_t day = local_midnight(now, off);
        _cleanup_free_ AcctBucket *b = NULL;
        size_t n = 0;
        int q = daemon_hours(d, day, day + 86400, &b, &n);
        if (q < 0)
                return store_fail(r, d, q);
        int64_t active = 0, observed = 0;
        for (size_t i = 0; i < n; i++) {
                active += b[i].active_s;
                observed += b[i].observed_s;
        }

        json_object *p = json_object_new_object();
        json_object_object_add(p, "version", json_object_new_string(KIZUKI_VERSION));
        json_object_object_add(p, "recording", json_object_new_string(daemon_recording(d)));
        json_object_object_add(p, "paused_until",
                               d->paused && d->paused_until ? json_object_new_int64(d->paused_until) : NULL);
        json_object_object_add(p, "consent", consent_json(d));
        json_object_object_add(p, "consent_version", json_object_new_string(KIZUKI_CONSENT_VERSION));
        json_object_object_add(p, "consent_sha256", json_object_new_string(consent_text_SHA256));

        json_object *lj = json_object_new_object(), *sessions = json_object_new_array();
        const char *error = NULL;
        json_object_object_add(lj, "state",
                               json_object_new_string(d->logind ? logind_state(d->logind, &error) : "disabled"));
        json_object_object_add(lj, "error", error ? json_object_new_string(error) : NULL);
        for (size_t i = 0; i < logind_n_sessions(d->logind); i++) {
                const LogindSession *s = logind_session(d->logind, i);
                json_object *sj = json_object_new_object();
                json_object_object_add(sj, "id", json_object_new_string(s->id));
                json_object_object_add(sj, "active", json_object_new_boolean(s->active));
                json_object_object_add(sj, "idle", json_object_new_boolean(s->idle));
                json_object_object_add(sj, "locked", json_object_new_boolean(s->locked));
                json_object_array_add(sessions, sj);
        }
        json_object_object_add(lj, "sessions", sessions);
        json_object_object_add(lj, "sleeping", json_object_new_boolean(logind_sleeping(d->logind)));
        json_object_object_add(p, "logind", lj);

        if (d->hint != HINT_NONE) {
                json_object *h = json_object_new_object();
                json_object_object_add(h, "state", json_object_new_string(hint_names[d->hint]));
                json_object_object_add(h, "expires_at", json_object_new_int64(d->hint_expires_wall));
                json_object_object_add(p, "hint", h);
        } else
                json_object_object_add(p, "hint", NULL);

        json_object_object_add(p, "active", json_object_new_boolean(accountant_state(d->acct) == ACCT_ACTIVE));
        json_object_object_add(p, "today_active_s", json_object_new_int64(active));
        json_object_object_add(p, "today_observed_s", json_object_new_int64(observed));
        json_object_object_add(p, "store_path", json_object_new_string(store_path(d->store)));
        json_object_object_add(p, "store_size", json_object_new_int64(store_size(d->store)));
        json_object_object_add(p, "now", json_object_new_int64(now));
        json_object_object_add(p, "utc_offset", json_object_new_int(off));
        return ok(r, p);
}

/* Reload the newest consent row into the daemon. */
static int consent_refresh(Daemon *d) {
        int q = store_get_consent(d->store, &d->consent);
        if (q < 0)
                return q;
        d->have_consent = q > 0;
        return 0;
}

static int method_grant_consent(Daemon *d, json_object *params, Reply *r) {
        const char *version = NULL, *sha = NULL;
        if (varlink_param_string(params, "text_version", &version) <= 0)
                return bad_param(r, "text_version");
        if (varlink_param_string(params, "text_sha256", &sha) <= 0)
                return bad_param(r, "text_sha256");
        if (strcmp(version, KIZUKI_CONSENT_VERSION) != 0 || strcmp(sha, consent_text_SHA256) != 0) {
                json_object *p = json_object_new_object();
                json_object_object_add(p, "text_version", json_object_new_string(KIZUKI_CONSENT_VERSION));
                json_object_object_add(p, "text_sha256", json_object_new_string(consent_text_SHA256));
                return fail(r, IFACE ".ConsentMismatch", p);
        }
        if (!daemon_consented(d)) {
                int q = store_grant_consent(d->store, wall_now(), version, sha);
                if (q < 0)
                        return store_fail(r, d, q);
                q = consent_refresh(d);
                if (q < 0)
                        return store_fail(r, d, q);
                log_info("Consent granted (text version %s): recording", version);
                daemon_update(d);
        }
        json_object *p = json_object_new_object();
        json_object_object_add(p, "consent", consent_json(d));
        return ok(r, p);
}

static int method_revoke_consent(Daemon *d, json_object *params, Reply *r) {
        (void) params;
        int q = store_revoke_consent(d->store, wall_now());
        if (q < 0)
                return store_fail(r, d, q);
        bool revoked = q > 0;
        q = consent_refresh(d);
        if (q < 0)
                return store_fail(r, d, q);
        if (revoked)
                log_info("Consent revoked: recording stopped");
        daemon_update(d);
        daemon_flush(d);
        json_object *p = json_object_new_object();
        json_object_object_add(p, "consent", consent_json(d));
        return ok(r, p);
}

static int method_get_consent(Daemon *d, json_object *params, Reply *r) {
        (void) params;
        json_object *p = json_object_new_object();
        json_object_object_add(p, "consent", consent_json(d));
        json_object_object_add(p, "consent_version", json_object_new_string(KIZUKI_CONSENT_VERSION));
        json_object_object_add(p, "consent_sha256", json_object_new_string(consent_text_SHA256));
        return ok(r, p);
}

static int method_pause(Daemon *d, json_object *params, Reply *r) {
        int64_t duration = 0;
        /* Up to a year; anything longer is better said as a revoke. */
        int q = varlink_param_int(params, "duration_s", 1, 366 * 86400, &duration);
        if (q < 0)
                return bad_param(r, "duration_s");
        int64_t until = q > 0 ? wall_now() + duration : 0;
        q = daemon_set_paused(d, true, until);
        if (q < 0)
                return store_fail(r, d, q);
        json_object *p = json_object_new_object();
        json_object_object_add(p, "paused_until", until ? json_object_new_int64(until) : NULL);
        return ok(r, p);
}

static int method_resume(Daemon *d, json_object *params, Reply *r) {
        (void) params;
        int q = daemon_set_paused(d, false, 0);
        if (q < 0)
                return store_fail(r, d, q);
        return ok(r, NULL);
}

static int method_hint(Daemon *d, json_object *params, Reply *r) {
        const char *state = NULL;
        if (varlink_param_string(params, "state", &state) <= 0)
                return bad_param(r, "state");
        HintState h = HINT_NONE;
        for (size_t i = HINT_ACTIVE; i < ELEMENTSOF(hint_names); i++)
                if (strcmp(state, hint_names[i]) == 0)
                        h = (HintState) i;
        if (h == HINT_NONE)
                return bad_param(r, "state");

        AcctTime now;
        acct_time_now(&now);
        /* Account the time so far under the old hint before switching. */
        daemon_update(d);
        d->hint = h;
        d->hint_expires_mono_us = now.mono_us + d->config.hint_expiry_s * USEC_PER_SEC;
        d->hint_expires_wall = now.wall_us / USEC_PER_SEC + d->config.hint_expiry_s;
        daemon_update(d);

        json_object *p = json_object_new_object();
        json_object_object_add(p, "expires_at", json_object_new_int64(d->hint_expires_wall));
        return ok(r, p);
}

static int method_get_hours(Daemon *d, json_object *params, Reply *r) {
        const char *date = NULL;
        int64_t day;
        if (varlink_param_string(params, "date", &date) <= 0)
                return bad_param(r, "date");
        if (parse_date(date, &day) < 0) {
                json_object *p = json_object_new_object();
                json_object_object_add(p, "date", json_object_new_string(date));
                return fail(r, IFACE ".InvalidDate", p);
        }
        daemon_update(d);
        _cleanup_free_ AcctBucket *b = NULL;
        size_t n = 0;
        int q = daemon_hours(d, day, day + 86400, &b, &n);
        if (q < 0)
                return store_fail(r, d, q);

        json_object *hours = json_object_new_array_ext((int) n);
        for (size_t i = 0; i < n; i++) {
                json_object *h = json_object_new_object();
                json_object_object_add(h, "start", json_object_new_int64(b[i].start));
                json_object_object_add(h, "utc_offset", json_object_new_int(b[i].utc_offset));
                json_object_object_add(h, "active_s", json_object_new_int(b[i].active_s));
                json_object_object_add(h, "observed_s", json_object_new_int(b[i].observed_s));
                json_object_array_add(hours, h);
        }
        json_object *p = json_object_new_object();
        json_object_object_add(p, "hours", hours);
        return ok(r, p);
}

static int method_reload(Daemon *d, json_object *params, Reply *r) {
        (void) params;
        daemon_reload(d);
        return ok(r, NULL);
}

static int method_get_info(Daemon *d, json_object *params, Reply *r) {
        (void) d, (void) params;
        json_object *p = json_object_new_object(), *ifaces = json_object_new_array();
        json_object_object_add(p, "vendor", json_object_new_string("kizuki"));
        json_object_object_add(p, "product", json_object_new_string("kizukid"));
        json_object_object_add(p, "version", json_object_new_string(KIZUKI_VERSION));
        json_object_object_add(p, "url", json_object_new_string("man:kizukid(8)"));
        json_object_array_add(ifaces, json_object_new_string(SERVICE_IFACE));
        json_object_array_add(ifaces, json_object_new_string(IFACE));
        json_object_object_add(p, "interfaces", ifaces);
        return ok(r, p);
}

/* The standard interface every Varlink service implements. */
static const char service_interface[] =
        "# The Varlink Service Interface is provided by every varlink service. It\n"
        "# describes the service and the interfaces it implements.\n"
        "interface org.varlink.service\n\n"
        "# Get a list of all the interfaces a service provides and information\n"
        "# about the implementation.\n"
        "method GetInfo() -> (\n  vendor: string,\n  product: string,\n  version: string,\n"
        "  url: string,\n  interfaces: []string\n)\n\n"
        "# Get the description of an interface that is implemented by this service.\n"
        "method GetInterfaceDescription(interface: string) -> (description: string)\n\n"
        "# The requested interface was not found.\nerror InterfaceNotFound (interface: string)\n\n"
        "# The requested method was not found\nerror MethodNotFound (method: string)\n\n"
        "# The interface defines the requested method, but the service does not\n# implement it.\n"
        "error MethodNotImplemented (method: string)\n\n"
        "# One of the passed parameters is invalid.\nerror InvalidParameter (parameter: string)\n\n"
        "# Client is denied access\nerror PermissionDenied ()\n\n"
        "# Method is expected to be called with 'more' set to true, but wasn't\nerror ExpectedMore ()\n";

static int method_get_interface_description(Daemon *d, json_object *params, Reply *r) {
        (void) d;
        const char *iface = NULL;
        if (varlink_param_string(params, "interface", &iface) <= 0)
                return bad_param(r, "interface");
        const char *description = strcmp(iface, IFACE) == 0           ? varlink_interface
                                  : strcmp(iface, SERVICE_IFACE) == 0 ? service_interface
                                                                      : NULL;
        json_object *p = json_object_new_object();
        if (!description) {
                json_object_object_add(p, "interface", json_object_new_string(iface));
                return fail(r, VARLINK_ERROR_INTERFACE_NOT_FOUND, p);
        }
        json_object_object_add(p, "description", json_object_new_string(description));
        return ok(r, p);
}

static const struct {
        const char *name;
        MethodFn fn;
} methods[] = {
        { IFACE ".GetStatus", method_get_status },
        { IFACE ".GrantConsent", method_grant_consent },
        { IFACE ".RevokeConsent", method_revoke_consent },
        { IFACE ".GetConsent", method_get_consent },
        { IFACE ".Pause", method_pause },
        { IFACE ".Resume", method_resume },
        { IFACE ".Hint", method_hint },
        { IFACE ".GetHours", method_get_hours },
        { IFACE ".Reload", method_reload },
        { SERVICE_IFACE ".GetInfo", method_get_info },
        { SERVICE_IFACE ".GetInterfaceDescription", method_get_interface_description },
};

int daemon_method(const VarlinkCall *call, char **ret, size_t *ret_len, void *userdata) {
        Daemon *d = userdata;
        Reply r = { ret, ret_len };

        for (size_t i = 0; i < ELEMENTSOF(methods); i++)
                if (strcmp(call->method, methods[i].name) == 0)
                        return methods[i].fn(d, call->parameters, &r);

        char iface[256];
        const char *member;
        json_object *p = json_object_new_object();
        if (varlink_method_split(call->method, iface, sizeof iface, &member) >= 0 &&
            strcmp(iface, IFACE) != 0 && strcmp(iface, SERVICE_IFACE) != 0) {
                json_object_object_add(p, "interface", json_object_new_string(iface));
                return fail(&r, VARLINK_ERROR_INTERFACE_NOT_FOUND, p);
        }
        json_object_object_add(p, "method", json_object_new_string(call->method));
        return fail(&r, VARLINK_ERROR_METHOD_NOT_FOUND, p);
}

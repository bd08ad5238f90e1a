/* Methods of io.kizuki.Daemon: the core (status, consent, pause, hints,
 * check-ins, reload, nudges, policy evaluation) and org.varlink.service; and
 * the one table of all methods, with its dispatcher. Each handler checks its parameters
 * (hostile until proven otherwise), asks a service, and builds a reply.
 * Calls: the areas' handlers (methods-*.c), method.c, daemon.c (reload only),
 * recorder, evaluate, logind (its getters), store, wire, lib/. */
#include "methods.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "consent-text.h"
#include "daemon.h"
#include "evaluate.h"
#include "macro.h"
#include "method.h"
#include "methods-history.h"
#include "methods-idle.h"
#include "methods-privacy.h"
#include "methods-share.h"
#include "recorder.h"
#include "timeutil.h"
#include "varlink-interface.h"
#include "version.h"
#include "wire.h"

#define DAY INT64_C(86400)

static int64_t wall_now(void) {
        return (int64_t) time(NULL);
}

static const char *hint_names[] = {
        [HINT_NONE] = "none", [HINT_ACTIVE] = "active", [HINT_IDLE] = "idle",
        [HINT_LOCKED] = "locked", [HINT_UNLOCKED] = "unlocked",
};

static json_object *logind_json(const Logind *l) {
        json_object *lj = json_object_new_object(), *sessions = json_object_new_array();
        const char *error = NULL;
        json_object_object_add(lj, "state", json_object_new_string(l ? logind_state(l, &error) : "disabled"));
        json_object_object_add(lj, "error", error ? json_object_new_string(error) : NULL);
        for (size_t i = 0; i < logind_n_sessions(l); i++) {
                const LogindSession *s = logind_session(l, i);
                /* Until its properties arrive, a session is not known to be
                 * this person's, nor in which state: it is not listed yet. */
                if (!s->known)
                        continue;
                json_object *sj = json_object_new_object();
                json_object_object_add(sj, "id", json_object_new_string(s->id));
                json_object_object_add(sj, "active", json_object_new_boolean(s->active));
                json_object_object_add(sj, "idle", json_object_new_boolean(s->idle));
                json_object_object_add(sj, "locked", json_object_new_boolean(s->locked));
                json_object_array_add(sessions, sj);
        }
        json_object_object_add(lj, "sessions", sessions);
        json_object_object_add(lj, "sleeping", json_object_new_boolean(logind_sleeping(l)));
        return lj;
}

static int method_get_status(Daemon *d, json_object *params, Reply *r) {
        (void) params;
        recorder_update(d);

        int64_t now = wall_now();
        int32_t off = tz_offset_at(now, NULL);
        int64_t day = local_midnight(now, off);
        _cleanup_free_ AcctBucket *b = NULL;
        size_t n = 0;
        int q = recorder_hours(d, day, day + DAY, &b, &n);
        if (q < 0)
                return method_store_fail(r, d, q);
        int64_t active = 0, observed = 0;
        for (size_t i = 0; i < n; i++) {
                active += b[i].active_s;
                observed += b[i].observed_s;
        }

        int64_t paused_until = recorder_paused_until(d), hint_expires;
        HintState hint = recorder_hint(d, &hint_expires);
        json_object *p = json_object_new_object();
        json_object_object_add(p, "version", json_object_new_string(KIZUKI_VERSION));
        json_object_object_add(p, "recording", json_object_new_string(recorder_recording(d)));
        json_object_object_add(p, "paused_until", paused_until != 0 ? json_object_new_int64(paused_until) : NULL);
        json_object_object_add(p, "consent", wire_consent(recorder_consent(d)));
        json_object_object_add(p, "consent_version", json_object_new_string(KIZUKI_CONSENT_VERSION));
        json_object_object_add(p, "consent_sha256", json_object_new_string(consent_text_SHA256));
        json_object_object_add(p, "logind", logind_json(d->logind));
        if (hint != HINT_NONE) {
                json_object *h = json_object_new_object();
                json_object_object_add(h, "state", json_object_new_string(hint_names[hint]));
                json_object_object_add(h, "expires_at", json_object_new_int64(hint_expires));
                json_object_object_add(p, "hint", h);
        } else
                json_object_object_add(p, "hint", NULL);

        json_object_object_add(p, "active", json_object_new_boolean(recorder_active(d)));
        json_object_object_add(p, "today_active_s", json_object_new_int64(active));
        json_object_object_add(p, "today_observed_s", json_object_new_int64(observed));
        json_object_object_add(p, "store_path", json_object_new_string(store_path(d->store)));
        json_object_object_add(p, "store_size", json_object_new_int64(store_size(d->store)));
        json_object_object_add(p, "now", json_object_new_int64(now));
        json_object_object_add(p, "utc_offset", json_object_new_int(off));
        int unread = store_count_unread(d->store, now);
        json_object_object_add(p, "unread_nudges", json_object_new_int(unread < 0 ? 0 : unread));
        methods_idle_status(d, p);
        methods_share_status(d, p);
        return method_ok(r, p);
}

/* The reply of the consent methods: the consent record (null when none). */
static int consent_reply(Daemon *d, Reply *r) {
        json_object *p = json_object_new_object();
        json_object_object_add(p, "consent", wire_consent(recorder_consent(d)));
        return method_ok(r, p);
}

static int method_grant_consent(Daemon *d, json_object *params, Reply *r) {
        const char *version = NULL, *sha = NULL;
        if (varlink_param_string(params, "text_version", &version) <= 0)
                return method_bad_param(r, "text_version");
        if (varlink_param_string(params, "text_sha256", &sha) <= 0)
                return method_bad_param(r, "text_sha256");
        if (strcmp(version, KIZUKI_CONSENT_VERSION) != 0 || strcmp(sha, consent_text_SHA256) != 0) {
                json_object *p = json_object_new_object();
                json_object_object_add(p, "text_version", json_object_new_string(KIZUKI_CONSENT_VERSION));
                json_object_object_add(p, "text_sha256", json_object_new_string(consent_text_SHA256));
                return method_fail(r, KIZUKI_NAME("ConsentMismatch"), p);
        }
        int q = recorder_grant_consent(d, version, sha);
        if (q < 0)
                return method_store_fail(r, d, q);
        return consent_reply(d, r);
}

static int method_revoke_consent(Daemon *d, json_object *params, Reply *r) {
        (void) params;
        int q = recorder_revoke_consent(d);
        if (q < 0)
                return method_store_fail(r, d, q);
        return consent_reply(d, r);
}

static int method_get_consent(Daemon *d, json_object *params, Reply *r) {
        (void) params;
        json_object *p = json_object_new_object();
        json_object_object_add(p, "consent", wire_consent(recorder_consent(d)));
        json_object_object_add(p, "consent_version", json_object_new_string(KIZUKI_CONSENT_VERSION));
        json_object_object_add(p, "consent_sha256", json_object_new_string(consent_text_SHA256));
        return method_ok(r, p);
}

static int method_pause(Daemon *d, json_object *params, Reply *r) {
        int64_t duration = 0;
        /* Up to a year; anything longer is better said as a revoke. */
        int q = varlink_param_int(params, "duration_s", 1, 366 * 86400, &duration);
        if (q < 0)
                return method_bad_param(r, "duration_s");
        int64_t until = q > 0 ? wall_now() + duration : 0;
        q = recorder_set_paused(d, true, until);
        if (q < 0)
                return method_store_fail(r, d, q);
        json_object *p = json_object_new_object();
        json_object_object_add(p, "paused_until", until ? json_object_new_int64(until) : NULL);
        return method_ok(r, p);
}

static int method_resume(Daemon *d, json_object *params, Reply *r) {
        (void) params;
        return method_store_done(r, d, recorder_set_paused(d, false, 0));
}

static int method_hint(Daemon *d, json_object *params, Reply *r) {
        const char *state = NULL;
        if (varlink_param_string(params, "state", &state) <= 0)
                return method_bad_param(r, "state");
        HintState h = HINT_NONE;
        for (size_t i = HINT_ACTIVE; i < ELEMENTSOF(hint_names); i++)
                if (strcmp(state, hint_names[i]) == 0)
                        h = (HintState) i;
        if (h == HINT_NONE)
                return method_bad_param(r, "state");

        int64_t expires = recorder_set_hint(d, h);
        json_object *p = json_object_new_object();
        json_object_object_add(p, "expires_at", json_object_new_int64(expires));
        return method_ok(r, p);
}

static int method_checkin(Daemon *d, json_object *params, Reply *r) {
        int64_t date, mood = -1;
        int reply;
        if (method_date(params, "date", &date, r, &reply) < 0)
                return reply;
        int went_out = method_answer_bool(params, "went_out"), met = method_answer_bool(params, "met_someone");
        if (went_out < -1)
                return method_bad_param(r, "went_out");
        if (met < -1)
                return method_bad_param(r, "met_someone");
        int q = varlink_param_int(params, "mood", 1, 5, &mood);
        if (q < 0)
                return method_bad_param(r, "mood");
        if (q == 0)
                mood = -1;
        /* A day that has not begun yet cannot be answered for. */
        int64_t now = wall_now();
        if (date > local_midnight(now, tz_offset_at(now, NULL)) + DAY)
                return method_bad_param(r, "date");
        if (!recorder_consented(d))
                return method_no_consent(r);
        Checkin c = { .date = date, .went_out = went_out, .met_someone = met, .mood = (int) mood };
        return method_store_done(r, d, store_set_checkin(d->store, &c, now));
}

static int method_reload(Daemon *d, json_object *params, Reply *r) {
        (void) params;
        json_object *problems = json_object_new_array();
        if (!problems)
                return -ENOMEM;
        int q = daemon_reload(d, problems);
        json_object *p = json_object_new_object();
        json_object_object_add(p, "problems", problems);
        json_object_object_add(p, "config_kept", json_object_new_boolean(q < 0));
        return method_ok(r, p);
}

static int method_get_nudges(Daemon *d, json_object *params, Reply *r) {
        int all = method_answer_bool(params, "all");
        if (all < -1)
                return method_bad_param(r, "all");
        NudgeRecord *v = NULL;
        size_t n = 0;
        int q = store_get_nudges(d->store, all > 0, wall_now(), &v, &n);
        if (q < 0)
                return method_store_fail(r, d, q);
        json_object *arr = json_object_new_array_ext((int) n);
        for (size_t i = 0; i < n; i++)
                json_object_array_add(arr, nudge_record_json(&v[i], true));
        nudge_records_free(v, n);
        json_object *p = json_object_new_object();
        json_object_object_add(p, "nudges", arr);
        return method_ok(r, p);
}

static int method_nudge_action(Daemon *d, json_object *params, Reply *r) {
        int64_t id, duration = 0;
        const char *action = NULL;
        if (varlink_param_int(params, "id", 1, INT64_MAX, &id) <= 0)
                return method_bad_param(r, "id");
        if (varlink_param_string(params, "action", &action) <= 0)
                return method_bad_param(r, "action");
        int q = varlink_param_int(params, "duration_s", 60, 30 * 86400, &duration);
        if (q < 0)
                return method_bad_param(r, "duration_s");
        int helpful = method_answer_bool(params, "helpful");
        if (helpful < -1)
                return method_bad_param(r, "helpful");

        const char *state;
        int64_t until = 0;
        if (strcmp(action, "ack") == 0)
                state = "acked";
        else if (strcmp(action, "dismiss") == 0)
                state = "dismissed";
        else if (strcmp(action, "snooze") == 0) {
                if (q == 0)
                        return method_bad_param(r, "duration_s");
                state = "snoozed";
                until = wall_now() + duration;
        } else
                return method_bad_param(r, "action");

        q = store_nudge_action(d->store, id, state, until, helpful);
        if (q < 0)
                return method_store_fail(r, d, q);
        NudgeRecord n;
        if (q > 0)
                q = store_get_nudge(d->store, id, &n);
        if (q < 0)
                return method_store_fail(r, d, q);
        if (q == 0) {
                json_object *p = json_object_new_object();
                json_object_object_add(p, "id", json_object_new_int64(id));
                return method_fail(r, KIZUKI_NAME("NoSuchNudge"), p);
        }
        json_object *p = json_object_new_object();
        json_object_object_add(p, "nudge", nudge_record_json(&n, true));
        nudge_record_done(&n);
        return method_ok(r, p);
}

static int method_eval_policies(Daemon *d, json_object *params, Reply *r) {
        (void) params;
        if (!recorder_consented(d))
                return method_no_consent(r);
        json_object *problems = json_object_new_array(), *raised = json_object_new_array();
        if (!problems || !raised) {
                json_object_put(problems);
                json_object_put(raised);
                return -ENOMEM;
        }
        int q = evaluate_load_policies(d, problems);
        int evaluated = 0;
        int64_t day = 0;
        if (q >= 0)
                q = evaluate_policies(d, &day, raised, &evaluated);
        if (q < 0) {
                json_object_put(problems);
                json_object_put(raised);
                return method_store_fail(r, d, q);
        }
        json_object *p = json_object_new_object();
        json_object_object_add(p, "date", wire_date(day));
        json_object_object_add(p, "evaluated", json_object_new_int(evaluated));
        json_object_object_add(p, "raised", raised);
        json_object_object_add(p, "problems", problems);
        return method_ok(r, p);
}

static int method_get_info(Daemon *d, json_object *params, Reply *r) {
        (void) d, (void) params;
        json_object *p = json_object_new_object(), *ifaces = json_object_new_array();
        json_object_object_add(p, "vendor", json_object_new_string("kizuki"));
        json_object_object_add(p, "product", json_object_new_string("kizukid"));
        json_object_object_add(p, "version", json_object_new_string(KIZUKI_VERSION));
        json_object_object_add(p, "url", json_object_new_string("man:kizukid(8)"));
        json_object_array_add(ifaces, json_object_new_string(VARLINK_SERVICE_INTERFACE));
        json_object_array_add(ifaces, json_object_new_string(KIZUKI_INTERFACE));
        json_object_object_add(p, "interfaces", ifaces);
        return method_ok(r, p);
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
                return method_bad_param(r, "interface");
        const char *description = strcmp(iface, KIZUKI_INTERFACE) == 0           ? varlink_interface
                                  : strcmp(iface, VARLINK_SERVICE_INTERFACE) == 0 ? service_interface
                                                                      : NULL;
        json_object *p = json_object_new_object();
        if (!description) {
                json_object_object_add(p, "interface", json_object_new_string(iface));
                return method_fail(r, VARLINK_ERROR_INTERFACE_NOT_FOUND, p);
        }
        json_object_object_add(p, "description", json_object_new_string(description));
        return method_ok(r, p);
}

/* Every method: the core ones above, then the areas' (methods-*.h). */
static const MethodEntry methods[] = {
        { KIZUKI_NAME("GetStatus"), method_get_status },
        { KIZUKI_NAME("GrantConsent"), method_grant_consent },
        { KIZUKI_NAME("RevokeConsent"), method_revoke_consent },
        { KIZUKI_NAME("GetConsent"), method_get_consent },
        { KIZUKI_NAME("Pause"), method_pause },
        { KIZUKI_NAME("Resume"), method_resume },
        { KIZUKI_NAME("Hint"), method_hint },
        { KIZUKI_NAME("Checkin"), method_checkin },
        { KIZUKI_NAME("Reload"), method_reload },
        { KIZUKI_NAME("GetNudges"), method_get_nudges },
        { KIZUKI_NAME("NudgeAction"), method_nudge_action },
        { KIZUKI_NAME("EvalPolicies"), method_eval_policies },
        { KIZUKI_NAME("GetHours"), method_get_hours },
        { KIZUKI_NAME("GetDays"), method_get_days },
        { KIZUKI_NAME("GetRange"), method_get_range },
        { KIZUKI_NAME("GetWeek"), method_get_week },
        { KIZUKI_NAME("GetDigest"), method_get_digest },
        { KIZUKI_NAME("Import"), method_import },
        { KIZUKI_NAME("GetPrivacy"), method_get_privacy },
        { KIZUKI_NAME("Export"), method_export },
        { KIZUKI_NAME("Forget"), method_forget },
        { KIZUKI_NAME("ImportRecords"), method_import_records },
        { KIZUKI_NAME("LogShare"), method_log_share },
        { KIZUKI_NAME("GetShares"), method_get_shares },
        { KIZUKI_NAME("AttachIdleSource"), method_attach_idle_source },
        { KIZUKI_NAME("SetIdleState"), method_set_idle_state },
        { VARLINK_SERVICE_INTERFACE ".GetInfo", method_get_info },
        { VARLINK_SERVICE_INTERFACE ".GetInterfaceDescription", method_get_interface_description },
};

int methods_dispatch(const VarlinkCall *call, char **ret, size_t *ret_len, ControlSteps *ret_steps, void *userdata) {
        Daemon *d = userdata;
        Reply r = { ret, ret_len, .peer = call->peer, .steps = ret_steps };

        for (size_t i = 0; i < ELEMENTSOF(methods); i++)
                if (strcmp(call->method, methods[i].name) == 0) {
                        int q = methods[i].fn(d, call->parameters, &r);
                        if (q < 0)
                                return q;
                        return ret_steps->step ? CONTROL_STEPS : r.attach ? CONTROL_ATTACH : q;
                }

        char iface[256];
        const char *member;
        json_object *p = json_object_new_object();
        if (varlink_method_split(call->method, iface, sizeof iface, &member) >= 0 &&
            strcmp(iface, KIZUKI_INTERFACE) != 0 && strcmp(iface, VARLINK_SERVICE_INTERFACE) != 0) {
                json_object_object_add(p, "interface", json_object_new_string(iface));
                return method_fail(&r, VARLINK_ERROR_INTERFACE_NOT_FOUND, p);
        }
        json_object_object_add(p, "method", json_object_new_string(call->method));
        return method_fail(&r, VARLINK_ERROR_METHOD_NOT_FOUND, p);
}

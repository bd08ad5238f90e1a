/* The idle helper methods (methods-idle.h). Calls the idle sources, the
 * recorder, logind's getters and lib/. */
#include "methods-idle.h"

#include <errno.h>
#include <string.h>

#include "idle-source.h"
#include "recorder.h"

#define IDLE_TIMEOUT_MAX_S 86400

/* [a-z0-9-] (protocol) or [A-Za-z0-9_-] (session), 1..max-1 characters. */
static bool name_valid(const char *s, size_t max, bool upper) {
        size_t n = strlen(s);
        if (n == 0 || n >= max)
                return false;
        for (const char *p = s; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' ||
                      (upper && ((*p >= 'A' && *p <= 'Z') || *p == '_'))))
                        return false;
        return true;
}

int method_attach_idle_source(Daemon *d, json_object *params, Reply *r) {
        const char *protocol = NULL, *session = NULL;
        int64_t timeout = 0;
        if (varlink_param_string(params, "protocol", &protocol) <= 0 ||
            !name_valid(protocol, sizeof d->idle_sources[0].protocol, false))
                return method_bad_param(r, "protocol");
        if (varlink_param_int(params, "timeout_s", 1, IDLE_TIMEOUT_MAX_S, &timeout) <= 0)
                return method_bad_param(r, "timeout_s");
        int q = varlink_param_string(params, "session", &session);
        if (q < 0 || (q > 0 && !name_valid(session, sizeof d->idle_sources[0].session, true)))
                return method_bad_param(r, "session");

        recorder_update(d); /* account the time so far under the old state */
        if (idle_source_attach(d, r->peer, protocol, session, timeout) < 0) {
                json_object *p = json_object_new_object();
                json_object_object_add(p, "limit", json_object_new_int(IDLE_SOURCES_MAX));
                return method_fail(r, KIZUKI_NAME("TooManyIdleSources"), p);
        }
        recorder_update(d);
        r->attach = true;
        return method_ok(r, NULL);
}

int method_set_idle_state(Daemon *d, json_object *params, Reply *r) {
        const char *name = NULL;
        IdleState state = IDLE_SOURCE_ACTIVE;
        if (varlink_param_string(params, "state", &name) <= 0)
                return method_bad_param(r, "state");
        bool detach = strcmp(name, "detach") == 0;
        if (!detach && idle_state_parse(name, &state) < 0)
                return method_bad_param(r, "state");

        recorder_update(d);
        int q = detach ? idle_source_detach(d, r->peer, true) : idle_source_set(d, r->peer, state);
        if (q == -ENOENT || (detach && q == 0))
                return method_fail(r, KIZUKI_NAME("NotAttached"), NULL);
        recorder_update(d);
        return method_ok(r, NULL);
}

void methods_idle_detached(uint64_t peer, void *userdata) {
        Daemon *d = userdata;
        recorder_update(d);
        if (idle_source_detach(d, peer, false) > 0)
                recorder_update(d);
}

void methods_idle_status(Daemon *d, json_object *p) {
        int64_t expires;
        const char *source = recorder_hint(d, &expires) != HINT_NONE      ? "hint"
                             : idle_source_deciding(d)                     ? "idle-helper"
                             : logind_presence(d->logind) != LOGIND_UNKNOWN ? "logind"
                                                                           : "none";
        json_object_object_add(p, "activity_source", json_object_new_string(source));
        json_object *list = json_object_new_array();
        for (size_t i = 0; i < IDLE_SOURCES_MAX; i++) {
                const IdleSource *s = &d->idle_sources[i];
                if (!s->used)
                        continue;
                json_object *o = json_object_new_object();
                json_object_object_add(o, "protocol", json_object_new_string(s->protocol));
                json_object_object_add(o, "session", s->session[0] ? json_object_new_string(s->session) : NULL);
                json_object_object_add(o, "state", json_object_new_string(idle_state_name(s->state)));
                json_object_object_add(o, "timeout_s", json_object_new_int64(s->timeout_s));
                json_object_object_add(o, "since", json_object_new_int64(s->since));
                json_object_array_add(list, o);
        }
        json_object_object_add(p, "idle_sources", list);
        json_object_object_add(p, "idle_unreported", json_object_new_boolean(idle_source_unreported(d)));
}

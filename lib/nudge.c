#include "nudge.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "calendar.h"
#include "macro.h"

void nudge_record_done(NudgeRecord *n) {
        if (!n)
                return;
        FREE_ALL(n->policy, n->severity, n->title, n->body, n->step, n->rule, n->state);
        *n = (NudgeRecord) {};
}

void nudge_records_free(NudgeRecord *v, size_t n) {
        for (size_t i = 0; i < n; i++)
                nudge_record_done(&v[i]);
        free(v);
}

static bool one_of(const char *s, const char *const *set) {
        for (; *set; set++)
                if (strcmp(s, *set) == 0)
                        return true;
        return false;
}

bool nudge_severity_valid(const char *s) {
        static const char *const severities[] = { "gentle", "notice", "concern", NULL };
        return one_of(s, severities);
}

bool nudge_state_valid(const char *s) {
        static const char *const states[] = { "unread", "acked", "snoozed", "dismissed", NULL };
        return one_of(s, states);
}

static json_object *figure_json(double v) {
        return isfinite(v) ? json_object_new_double(v) : NULL;
}

json_object *nudge_record_json(const NudgeRecord *n, bool with_id) {
        json_object *o = json_object_new_object();
        char date[DATE_MAX];

        if (!o)
                return NULL;
        if (with_id)
                json_object_object_add(o, "id", json_object_new_int64(n->id));
        json_object_object_add(o, "policy", json_object_new_string(n->policy));
        json_object_object_add(o, "date", format_date(n->date, date) < 0 ? NULL : json_object_new_string(date));
        json_object_object_add(o, "raised_at", json_object_new_int64(n->raised_at));
        json_object_object_add(o, "severity", json_object_new_string(n->severity));
        json_object_object_add(o, "title", json_object_new_string(n->title));
        json_object_object_add(o, "body", json_object_new_string(n->body));
        json_object_object_add(o, "step", n->step ? json_object_new_string(n->step) : NULL);
        json_object_object_add(o, "rule", json_object_new_string(n->rule));
        json_object_object_add(o, "value", figure_json(n->value));
        json_object_object_add(o, "baseline", figure_json(n->baseline));
        json_object_object_add(o, "score", figure_json(n->score));
        json_object_object_add(o, "state", json_object_new_string(n->state));
        json_object_object_add(o, "snoozed_until",
                               n->snoozed_until > 0 ? json_object_new_int64(n->snoozed_until) : NULL);
        json_object_object_add(o, "helpful", n->helpful < 0 ? NULL : json_object_new_boolean(n->helpful));
        return o;
}

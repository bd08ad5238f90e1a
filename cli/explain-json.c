/* kizuki explain --json: every statistic of the replay, the person's words
 * and the engine's sentence (explain.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "explain.h"
#include "macro.h"
#include "output.h"

static void add(json_object *o, const char *key, json_object *v) {
        json_object_object_add(o, key, v);
}

int explain_print_json(const Explain *x, const char *reason, const char *words) {
        const Policy *p = x->p;
        _cleanup_json_ json_object *root = json_object_new_object();
        json_object *po = json_object_new_object(), *arr = json_object_new_array();

        if (!root || !po || !arr) {
                json_object_put(po);
                json_object_put(arr);
                return -ENOMEM;
        }
        add(root, "policy", po);
        add(po, "name", json_object_new_string(p->name));
        add(po, "detector", json_object_new_string(policy_detector_name(p->detector)));
        add(po, "direction", json_object_new_string(p->up ? "up" : "down"));
        add(po, "severity", json_object_new_string(policy_severity_name(p->severity)));
        if (p->detector != POLICY_COMPOSITE) {
                add(po, "signal", json_object_new_string(policy_signal_name(p->signal)));
                add(po, "aggregate", json_object_new_string(policy_aggregate_name(p->aggregate) ? policy_aggregate_name(p->aggregate) : "mean"));
                add(po, "window_days", json_object_new_int(p->window_days));
                add(po, "min_valid_days", json_object_new_int(p->min_valid_days));
        }
        switch (p->detector) {
        case POLICY_THRESHOLD: {
                PolicyEval e0 = { .anchor_min = 0 };
                add(po, "threshold", policy_common_value_json(p, &e0, p->threshold));
                break;
        }
        case POLICY_BASELINE:
        case POLICY_CUSUM: /* both against a baseline */
                add(po, "baseline_days", json_object_new_int(p->baseline_days));
                add(po, "baseline_min_days", json_object_new_int(p->baseline_min_days));
                add(po, "min_spread", output_json_double(p->min_spread));
                add(po, "by_weekday", json_object_new_boolean(p->by_weekday));
                if (p->detector == POLICY_BASELINE) {
                        add(po, "z", output_json_double(p->z_min));
                        add(po, "min_change", output_json_double(p->min_change));
                } else {
                        add(po, "k", output_json_double(p->cusum_k));
                        add(po, "h", output_json_double(p->cusum_h));
                }
                break;
        case POLICY_TREND:
                add(po, "min_slope", output_json_double(p->min_slope));
                add(po, "trend_min_days", json_object_new_int(p->trend_min_days));
                break;
        case POLICY_COMPOSITE: {
                json_object *names = json_object_new_array();
                for (size_t i = 0; names && i < p->n_composite; i++)
                        json_object_array_add(names, json_object_new_string(p->composite[i]));
                add(po, "policies", names);
                add(po, "min_firing", json_object_new_int(p->composite_min));
                break;
        }
        }
        add(po, "for_days", json_object_new_int(p->for_days));
        add(po, "keep_firing_for_days", json_object_new_int(p->keep_firing_for_days));
        add(po, "cooldown_days", json_object_new_int(p->cooldown_days));

        add(root, "days", arr);
        for (size_t i = x->first; i <= x->last; i++) {
                const PolicyEval *e = &x->ev[i];
                const Day *d = &x->days[i];
                PolicyEval e0 = { .anchor_min = 0 };
                json_object *o = json_object_new_object();
                if (!o)
                        return -ENOMEM;
                json_object_array_add(arr, o);
                add(o, "date", json_object_new_string(d->date));
                add(o, "value", p->detector == POLICY_COMPOSITE ? NULL
                                                                 : policy_common_value_json(p, &e0, policy_common_daily(p, d)));
                add(o, "low_coverage", json_object_new_boolean(d->low_coverage));
                add(o, "aggregate", policy_common_value_json(p, e, e->value));
                add(o, "baseline", policy_common_value_json(p, e, e->baseline));
                add(o, "spread", output_json_double(e->spread));
                add(o, "score", output_json_double(e->score));
                add(o, "known", json_object_new_boolean(e->known));
                add(o, "condition", json_object_new_boolean(e->condition));
                add(o, "state", json_object_new_string(policy_state_name(e->state)));
                add(o, "nudge", json_object_new_boolean(e->nudge));
                char usual[64], unusual[96];
                policy_format_usual(p, e, usual, sizeof usual);
                policy_format_unusual(p, e, unusual, sizeof unusual);
                add(o, "usual", json_object_new_string(usual));
                add(o, "unusual", json_object_new_string(unusual));
        }
        add(root, "why", json_object_new_string(reason));
        add(root, "in_words", json_object_new_string(words));
        return output_json(root);
}

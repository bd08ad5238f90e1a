/* Policies in the daemon: loading the policy files, and deciding each day
 * once its signals are complete (docs/policies.md "When a day is decided"):
 * the day's nudges are those policy_judge() gives for it, the function
 * kizuki policy test and explain call, over the same stored history and
 * settings. The newest day decided is kept in the store (meta
 * policy_eval_day), so a restart decides nothing twice; after sleep, a stop
 * or a first start only the newest complete day is decided, never a backlog,
 * and the store keeps one nudge per policy and day.
 * Calls history (the days to replay), the recorder (consent), the store and
 * lib/ (policies, nudge records); nothing above it. */
#include <errno.h>
#include <math.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <time.h>

#include "evaluate.h"
#include "history.h"
#include "log.h"
#include "macro.h"
#include "recorder.h"
#include "timeutil.h"

#define DAY INT64_C(86400)
/* The timer fires a second after a day ends (when it fires a little early,
 * the day is not complete yet and it is armed again), and at least once an
 * hour: the wall clock, the time zone and the day
 * start can change while it waits on the monotonic clock, and an hourly look
 * at one stored value costs nothing. */
#define EVAL_LATE_S 1
#define EVAL_RECHECK_S 3600
#define DECIDED_KEY "policy_eval_day"

static void collect_problem(const char *file, unsigned line, const char *message, void *userdata) {
        json_object *problems = userdata;
        char buf[1024];
        if (line > 0)
                snprintf(buf, sizeof buf, "%s:%u: %s", file, line, message);
        else
                snprintf(buf, sizeof buf, "%s: %s", file, message);
        log_warning("Policy %s, skipping it", buf);
        if (problems)
                json_object_array_add(problems, json_object_new_string(buf));
}

int evaluate_load_policies(Daemon *d, json_object *problems) {
        char **dirs = NULL;
        PolicySet *set = NULL;
        int r = policyset_default_dirs(&dirs);
        if (r < 0)
                return r;
        r = policyset_load(dirs, d->policies, collect_problem, problems, &set);
        policyset_dirs_free(dirs);
        if (r < 0)
                return r;
        policyset_free(d->policies);
        d->policies = set;
        size_t enabled = 0;
        for (size_t i = 0; i < set->n; i++)
                enabled += set->entries[i].policy && set->entries[i].policy->enabled;
        log_info("Loaded %zu policies (%zu enabled)", set->n, enabled);
        return 0;
}

/* The local day (local seconds of its 00:00) now falls in, the configured day
 * start counted, and now as local seconds. */
static int64_t current_day(const Daemon *d, int64_t *ret_now_local) {
        int64_t now = time(NULL);
        int64_t local = now + tz_offset_at(now, NULL);
        if (ret_now_local)
                *ret_now_local = local;
        return floor_div(local - (int64_t) d->config.day_start_min * 60, DAY) * DAY;
}

/* Fill a stored nudge from the evaluation of p on its last day. */
static int nudge_fill(const Policy *p, const PolicyEval *e, int64_t date, NudgeRecord *n) {
        *n = (NudgeRecord) {
                .date = date,
                .raised_at = time(NULL),
                .value = e->value,
                .baseline = e->baseline,
                .score = e->score,
                .helpful = -1,
        };
        /* Times of day are kept as minutes after midnight, not on the anchored line. */
        if (e->anchor_min != 0) {
                if (isfinite(n->value))
                        n->value = fmod(fmod(n->value + e->anchor_min, 1440) + 1440, 1440);
                if (isfinite(n->baseline))
                        n->baseline = fmod(fmod(n->baseline + e->anchor_min, 1440) + 1440, 1440);
        }
        n->policy = strdup(p->name);
        n->severity = strdup(policy_severity_name(p->severity));
        n->rule = strdup(policy_detector_name(p->detector));
        if (!n->policy || !n->severity || !n->rule)
                return -ENOMEM;
        int r = policy_format(p, e, p->title, &n->title);
        if (r >= 0)
                r = policy_format(p, e, p->body, &n->body);
        if (r >= 0 && p->step && *p->step)
                r = policy_format(p, e, p->step, &n->step);
        return r;
}

/* What a discreet notification says, whatever the nudge: anyone may be
 * looking at the screen, so no figures and no word about sleep, hours or going
 * out; the nudge itself waits in kizuki. */
#define NOTIFY_DISCREET_TITLE "kizuki"
#define NOTIFY_DISCREET_BODY "A new note is waiting for you. Run \"kizuki\" in a terminal to read it."

/* Show a new nudge on the desktop: discreet (a neutral title and line) or full
 * (its title, body and step). Normal urgency always: a nudge is never an
 * alarm, and a critical notification stays on the screen for others to see.
 * A short synchronous call: nudges come at most once a day per policy, and a
 * missing session bus or notification server only costs a log line (the nudge
 * stays unread in kizuki status). */
static void notify_desktop(ConfigNotify mode, const NudgeRecord *n) {
        sd_bus *bus = NULL;
        sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *full = NULL;
        const char *title = NOTIFY_DISCREET_TITLE, *body = NOTIFY_DISCREET_BODY;
        int r;

        if (mode == CONFIG_NOTIFY_NO)
                return;
        if (mode == CONFIG_NOTIFY_FULL) {
                title = n->title;
                if (asprintf(&full, "%s%s%s", n->body, n->step ? "\n\n" : "", n->step ? n->step : "") < 0)
                        full = NULL;
                body = full ? full : n->body;
        }
        r = sd_bus_open_user(&bus);
        if (r < 0) {
                log_warning("Cannot show the nudge as a desktop notification (no session bus: %s); it waits in 'kizuki status'",
                            strerror(-r));
                return;
        }
        (void) sd_bus_set_method_call_timeout(bus, 2 * USEC_PER_SEC);
        r = sd_bus_call_method(bus, "org.freedesktop.Notifications", "/org/freedesktop/Notifications",
                               "org.freedesktop.Notifications", "Notify", &error, NULL, "susssasa{sv}i", "kizuki", 0,
                               "", title, body, 0, 1, "urgency", "y", (uint8_t) 1, -1);
        if (r < 0)
                log_warning("Cannot show the nudge as a desktop notification (%s); it waits in 'kizuki status'",
                            error.message ? error.message : strerror(-r));
        sd_bus_error_free(&error);
        sd_bus_flush_close_unref(bus);
}

/* Raise the nudge e says policy p has on day (once: the store keeps one per
 * policy and day), show it, and append it to raised. */
static int raise_nudge(Daemon *d, const Policy *p, const PolicyEval *e, int64_t day, json_object *raised) {
        NudgeRecord n;
        int64_t id = 0;
        int r = nudge_fill(p, e, day, &n);
        if (r >= 0)
                r = store_add_nudge(d->store, &n, &id);
        if (r > 0) {
                /* The policy's name only: the figures stay out of logs. */
                log_info("Policy %s raised a %s nudge", n.policy, n.severity);
                notify_desktop(d->config.notify, &n);
                NudgeRecord stored;
                if (raised && store_get_nudge(d->store, id, &stored) > 0) {
                        json_object_array_add(raised, nudge_record_json(&stored, true));
                        nudge_record_done(&stored);
                }
        }
        nudge_record_done(&n);
        return r;
}

/* Decide day: judge the active policies on its replay window and raise the
 * nudges they have on it; then remember it as decided. */
static int decide_day(Daemon *d, int64_t day, json_object *raised, int *ret_evaluated) {
        _cleanup_free_ Policy **active = NULL;
        _cleanup_free_ DaySignals *days = NULL;
        _cleanup_free_ Checkin *c = NULL;
        _cleanup_free_ PolicyEval *ev = NULL;
        size_t n_active = 0, n_days = 0, n_c = 0;
        int64_t decided = 0;

        int r = policyset_active(d->policies, &active, &n_active);
        if (r < 0)
                return r;
        r = history_days(d, policy_replay_start(day), day, &days, &n_days, &c, &n_c);
        if (r < 0)
                return r;
        if (n_days == 0)
                return -EIO;
        r = policy_judge(active, n_active, days, n_days, c, n_c, d->config.min_coverage_h, d->config.day_start_min,
                         n_days - 1, &ev);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_active; i++) {
                const PolicyEval *e = &ev[i * n_days + n_days - 1];
                if (e->nudge && (r = raise_nudge(d, active[i], e, day, raised)) < 0)
                        return r;
        }
        *ret_evaluated = (int) n_active;
        /* Deciding an older day again (EvalPolicies after the clock went back)
         * does not move the mark back. */
        r = store_get_meta(d->store, DECIDED_KEY, &decided);
        if (r >= 0 && (r == 0 || decided < day))
                r = store_set_meta(d->store, DECIDED_KEY, day);
        return r < 0 ? r : 0;
}

int evaluate_policies(Daemon *d, int64_t *ret_day, json_object *raised, int *ret_evaluated) {
        *ret_evaluated = 0;
        *ret_day = current_day(d, NULL) - DAY;
        if (!recorder_consented(d))
                return -EPERM;
        if (!d->policies)
                return 0;
        return decide_day(d, *ret_day, raised, ret_evaluated);
}

/* Decide the newest complete day when it is not decided yet (the days
 * between it and the last one decided are skipped: their moment has passed),
 * then wake when the current day ends. */
void evaluate_if_due(Daemon *d) {
        int64_t now_local, decided = 0;
        int64_t today = current_day(d, &now_local);
        int64_t complete = today - DAY;
        int evaluated, r = 0;

        if (recorder_consented(d) && d->policies) {
                r = store_get_meta(d->store, DECIDED_KEY, &decided);
                if (r == 0 || (r > 0 && decided < complete))
                        r = decide_day(d, complete, NULL, &evaluated);
                if (r < 0)
                        log_warning("Failed to decide the policies for the day that ended: %s", strerror(-r));
        }
        int64_t wait = today + DAY + (int64_t) d->config.day_start_min * 60 - now_local + EVAL_LATE_S;
        struct timeval tv = { (time_t) (wait < 1 ? 1 : wait > EVAL_RECHECK_S ? EVAL_RECHECK_S : wait), 0 };
        evtimer_add(d->eval_timer, &tv);
}

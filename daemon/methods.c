/* The methods of io.kizuki.Daemon and org.varlink.service. Each handler checks
 * its parameters (hostile until proven otherwise), acts, and builds a reply. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "consent-text.h"
#include "daemon.h"
#include "digest-model.h"
#include "methods.h"
#include "recorder.h"
#include "retention.h"
#include "wire.h"
#include "signals.h"
#include "summary.h"
#include "log.h"
#include "macro.h"
#include "timeutil.h"
#include "varlink-interface.h"
#include "version.h"

#define ok method_ok
#define fail method_fail
#define bad_param method_bad_param
#define store_fail method_store_fail

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
        int q = recorder_set_paused(d, false, 0);
        if (q < 0)
                return method_store_fail(r, d, q);
        return method_ok(r, NULL);
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

static int method_get_hours(Daemon *d, json_object *params, Reply *r) {
        const char *date = NULL;
        int64_t day;
        if (varlink_param_string(params, "date", &date) <= 0)
                return bad_param(r, "date");
        if (parse_date(date, &day) < 0) {
                json_object *p = json_object_new_object();
                json_object_object_add(p, "date", json_object_new_string(date));
                return fail(r, KIZUKI_NAME("InvalidDate"), p);
        }
        recorder_update(d);
        _cleanup_free_ AcctBucket *b = NULL;
        size_t n = 0;
        int q = recorder_hours(d, day, day + 86400, &b, &n);
        if (q < 0)
                return store_fail(r, d, q);

        json_object *p = json_object_new_object();
        json_object_object_add(p, "hours", wire_hours(b, n));
        return ok(r, p);
}

/* --- days, weeks, ranges ------------------------------------------------- */

#define DAYS_MAX 3700
#define RANGE_DAYS_MAX 800
#define IMPORT_HOURS_MAX 500

static SignalsConfig signals_config(const Daemon *d) {
        return (SignalsConfig) {
                .day_start_min = d->config.day_start_min,
                .night_start_min = d->config.night_start_min,
                .night_end_min = d->config.night_end_min,
        };
}

/* Signals and check-ins for the days first..last (local seconds of 00:00). */
int daemon_days(Daemon *d, int64_t first, int64_t last, DaySignals **ret, size_t *ret_n, Checkin **ret_c,
                        size_t *ret_nc) {
        _cleanup_free_ AcctBucket *b = NULL;
        size_t n = 0;
        recorder_update(d);
        /* Rhythm looks 6 days back; sleep from noon the day before; the day start
         * and the widest offsets shift local days by up to a day either way. */
        int r = recorder_hours(d, first - 8 * DAY, last + 3 * DAY, &b, &n);
        if (r < 0)
                return r;
        SignalsConfig cfg = signals_config(d);
        r = signals_days(b, n, &cfg, first, last, ret, ret_n);
        if (r < 0)
                return r;
        r = store_get_checkins(d->store, first, last + DAY, ret_c, ret_nc);
        if (r < 0) {
                free(*ret);
                *ret = NULL;
        }
        return r;
}

static const Checkin *find_checkin(const Checkin *c, size_t n, int64_t date) {
        for (size_t i = 0; i < n; i++)
                if (c[i].date == date)
                        return &c[i];
        return NULL;
}

static int method_get_days(Daemon *d, json_object *params, Reply *r) {
        int64_t from, to;
        int reply;
        if (method_date(params, "from", &from, r, &reply) < 0 || method_date(params, "to", &to, r, &reply) < 0)
                return reply;
        if (to < from)
                return bad_param(r, "to");
        if ((to - from) / DAY + 1 > DAYS_MAX)
                return method_range_too_large(r, DAYS_MAX);

        _cleanup_free_ DaySignals *days = NULL;
        _cleanup_free_ Checkin *c = NULL;
        size_t n = 0, nc = 0;
        int q = daemon_days(d, from, to, &days, &n, &c, &nc);
        if (q < 0)
                return store_fail(r, d, q);
        json_object *arr = json_object_new_array_ext((int) n);
        for (size_t i = 0; i < n; i++)
                json_object_array_add(arr, wire_day(&days[i], find_checkin(c, nc, days[i].date), d->config.min_coverage_h));
        json_object *p = json_object_new_object();
        json_object_object_add(p, "days", arr);
        return ok(r, p);
}

static int method_get_range(Daemon *d, json_object *params, Reply *r) {
        int64_t from, to;
        int reply;
        if (method_date(params, "from", &from, r, &reply) < 0 || method_date(params, "to", &to, r, &reply) < 0)
                return reply;
        if (to < from)
                return bad_param(r, "to");
        if ((to - from) / DAY + 1 > RANGE_DAYS_MAX)
                return method_range_too_large(r, RANGE_DAYS_MAX);
        recorder_update(d);
        _cleanup_free_ AcctBucket *b = NULL;
        size_t n = 0;
        int q = recorder_hours(d, from, to + DAY, &b, &n);
        if (q < 0)
                return store_fail(r, d, q);
        json_object *p = json_object_new_object();
        json_object_object_add(p, "hours", wire_hours(b, n));
        return ok(r, p);
}

/* What GetWeek and GetDigest tell of the week starting on mon: the signals
 * of its days and of the 28 before, their check-ins, the week's mean, the
 * week before's mean and the baseline (medians of the 28 days before). */
typedef struct WeekModel {
        DaySignals *days; /* 35: the 28 days before, then the week */
        size_t n_days;
        Checkin *checkins;
        size_t n_checkins;
        Figures mean, previous, baseline;
} WeekModel;

static void week_model_done(WeekModel *w) {
        free(TAKE_PTR(w->days));
        free(TAKE_PTR(w->checkins));
}

static int week_model(Daemon *d, int64_t mon, WeekModel *ret) {
        *ret = (WeekModel) {};
        int q = daemon_days(d, mon - 28 * DAY, mon + 6 * DAY, &ret->days, &ret->n_days, &ret->checkins,
                            &ret->n_checkins);
        if (q < 0)
                return q;
        if (ret->n_days != 35) {
                week_model_done(ret);
                return -EIO;
        }
        double cov = d->config.min_coverage_h;
        int ds = d->config.day_start_min;
        summary_figures(ret->days + 28, 7, ret->checkins, ret->n_checkins, cov, ds, FIGURES_MEAN, &ret->mean);
        summary_figures(ret->days + 21, 7, ret->checkins, ret->n_checkins, cov, ds, FIGURES_MEAN, &ret->previous);
        summary_figures(ret->days, 28, ret->checkins, ret->n_checkins, cov, ds, FIGURES_MEDIAN, &ret->baseline);
        return 0;
}

static int invalid_week(Reply *r, const char *week) {
        json_object *p = json_object_new_object();
        json_object_object_add(p, "week", json_object_new_string(week));
        return fail(r, KIZUKI_NAME("InvalidWeek"), p);
}

static int method_get_week(Daemon *d, json_object *params, Reply *r) {
        const char *week = NULL;
        int64_t mon;
        if (varlink_param_string(params, "week", &week) <= 0)
                return bad_param(r, "week");
        if (iso_week_parse(week, &mon) < 0)
                return invalid_week(r, week);

        _cleanup_(week_model_done) WeekModel w = {};
        int q = week_model(d, mon, &w);
        if (q < 0)
                return store_fail(r, d, q);

        _cleanup_free_ AcctBucket *b = NULL;
        size_t nb = 0;
        int64_t start = mon + (int64_t) d->config.day_start_min * 60;
        q = recorder_hours(d, start, start + 7 * DAY, &b, &nb);
        if (q < 0)
                return store_fail(r, d, q);

        json_object *arr = json_object_new_array_ext(7);
        for (size_t i = 28; i < 35; i++)
                json_object_array_add(arr, wire_day(&w.days[i],
                                                    find_checkin(w.checkins, w.n_checkins, w.days[i].date),
                                                    d->config.min_coverage_h));
        json_object *p = json_object_new_object();
        json_object_object_add(p, "week", json_object_new_string(week));
        json_object_object_add(p, "from", wire_date(mon));
        json_object_object_add(p, "to", wire_date(mon + 6 * DAY));
        json_object_object_add(p, "days", arr);
        json_object_object_add(p, "mean", wire_figures(&w.mean));
        json_object_object_add(p, "previous", wire_figures(&w.previous));
        json_object_object_add(p, "baseline", wire_figures(&w.baseline));
        json_object_object_add(p, "hours", wire_hours(b, nb));
        return ok(r, p);
}

/* --- digest (#5) ---------------------------------------------------------- */

/* The nudges raised for a day of the week, oldest first: what a policy said
 * (policy, date, severity, title), not its body nor what the person did. */
static int digest_nudges_json(Daemon *d, int64_t mon, json_object **ret) {
        NudgeRecord *v = NULL;
        size_t n = 0;
        int q = store_get_nudges(d->store, true, wall_now(), &v, &n);
        if (q < 0)
                return q;
        json_object *arr = json_object_new_array();
        for (size_t i = n; i > 0; i--) {
                const NudgeRecord *x = &v[i - 1];
                if (!digest_model_in_week(x->date, mon))
                        continue;
                json_object_array_add(arr, wire_digest_nudge(x));
        }
        nudge_records_free(v, n);
        *ret = arr;
        return 0;
}

/* The week's active minutes per hour, rows from the day start. */
static int digest_wire_hours(Daemon *d, int64_t mon, json_object **ret) {
        _cleanup_free_ AcctBucket *b = NULL;
        size_t nb = 0;
        int64_t start = mon + (int64_t) d->config.day_start_min * 60;
        /* A day start shifts the window; offsets are in the buckets themselves,
         * so read a day more on either side and let the grid pick. */
        int q = recorder_hours(d, start - DAY, start + 8 * DAY, &b, &nb);
        if (q < 0)
                return q;
        int grid[7][24];
        digest_model_hours(b, nb, start, grid);
        *ret = wire_grid(grid);
        return 0;
}

static int method_get_digest(Daemon *d, json_object *params, Reply *r) {
        const char *week = NULL, *level_s = NULL;
        char week_buf[ISO_WEEK_MAX];
        int64_t mon, now = wall_now();

        if (varlink_param_string(params, "level", &level_s) <= 0)
                return bad_param(r, "level");
        int level = digest_level_from_string(level_s);
        if (level < 0)
                return bad_param(r, "level");
        int q = varlink_param_string(params, "week", &week);
        if (q < 0)
                return bad_param(r, "week");
        if (q == 0) {
                /* The last complete week: the one a week before today's. */
                if (iso_week_of(local_midnight(now, tz_offset_at(now, NULL)) - 7 * DAY, week_buf, &mon) < 0)
                        return store_fail(r, d, -ERANGE);
                week = week_buf;
        } else if (iso_week_parse(week, &mon) < 0)
                return invalid_week(r, week);

        _cleanup_(week_model_done) WeekModel w = {};
        q = week_model(d, mon, &w);
        if (q < 0)
                return store_fail(r, d, q);
        json_object *nudges = NULL, *hours = NULL;
        q = digest_nudges_json(d, mon, &nudges);
        if (q >= 0 && level >= DIGEST_LEVEL_HOURLY)
                q = digest_wire_hours(d, mon, &hours);
        if (q < 0) {
                json_object_put(nudges);
                return store_fail(r, d, q);
        }

        json_object *settings = json_object_new_object();
        json_object_object_add(settings, "day_start", wire_minutes(d->config.day_start_min));
        json_object_object_add(settings, "night_start", wire_minutes(d->config.night_start_min));
        json_object_object_add(settings, "night_end", wire_minutes(d->config.night_end_min));
        json_object_object_add(settings, "min_coverage_h", json_object_new_int(d->config.min_coverage_h));

        json_object *g = json_object_new_object();
        json_object_object_add(g, "schema", json_object_new_string(DIGEST_SCHEMA));
        json_object_object_add(g, "generated_at", wire_utc(now));
        json_object_object_add(g, "level", json_object_new_string(digest_level_to_string(level)));
        json_object_object_add(g, "week", json_object_new_string(week));
        json_object_object_add(g, "from", wire_date(mon));
        json_object_object_add(g, "to", wire_date(mon + 6 * DAY));
        json_object_object_add(g, "settings", settings);
        json_object_object_add(g, "mean", wire_figures(&w.mean));
        json_object_object_add(g, "previous", wire_figures(&w.previous));
        json_object_object_add(g, "baseline", wire_figures(&w.baseline));
        json_object_object_add(g, "nudges", nudges);
        /* Nothing finer than asked leaves the daemon: no rows at summary, no
         * hours below hourly. */
        if (level >= DIGEST_LEVEL_DAILY) {
                json_object *arr = json_object_new_array_ext(7);
                for (size_t i = 28; i < 35; i++)
                        json_object_array_add(arr, wire_digest_day(&w.days[i], d->config.min_coverage_h));
                json_object_object_add(g, "days", arr);
        }
        if (hours)
                json_object_object_add(g, "hours", hours);

        json_object *p = json_object_new_object();
        json_object_object_add(p, "digest", g);
        return ok(r, p);
}

/* One imported hour, checked like anything else from a peer: a real local
 * hour (its local start on the hour), sane seconds, not in the future. */
static int import_hour(json_object *h, int64_t now, AcctBucket *ret) {
        int64_t start, off, active, observed;
        if (!json_object_is_type(h, json_type_object) ||
            varlink_param_int(h, "start", 0, INT64_C(253402300799), &start) <= 0 ||
            varlink_param_int(h, "utc_offset", -18 * 3600, 18 * 3600, &off) <= 0 ||
            varlink_param_int(h, "active_s", 0, 3600, &active) <= 0 ||
            varlink_param_int(h, "observed_s", 0, 3600, &observed) <= 0 || active > observed ||
            (start + off) % 3600 != 0 || start > now)
                return -EINVAL;
        *ret = (AcctBucket) { start, (int32_t) off, (int32_t) active, (int32_t) observed };
        return 0;
}

static int method_import(Daemon *d, json_object *params, Reply *r) {
        json_object *hours;
        if (!json_object_object_get_ex(params, "hours", &hours) || !json_object_is_type(hours, json_type_array))
                return bad_param(r, "hours");
        int dry_run = method_answer_bool(params, "dry_run");
        if (dry_run < -1)
                return bad_param(r, "dry_run");
        size_t n = json_object_array_length(hours);
        if (n > IMPORT_HOURS_MAX)
                return method_range_too_large(r, IMPORT_HOURS_MAX);
        if (!recorder_consented(d))
                return method_no_consent(r);

        _cleanup_free_ AcctBucket *b = calloc(n + 1, sizeof *b);
        if (!b)
                return -ENOMEM;
        int64_t now = wall_now();
        for (size_t i = 0; i < n; i++)
                if (import_hour(json_object_array_get_idx(hours, i), now, &b[i]) < 0)
                        return bad_param(r, "hours");
        /* Hours of days past the retention are not stored: the next daily
         * pass would delete them (a day begins at day_start, as in forget). */
        int64_t first = retention_first_day(d) + (int64_t) d->config.day_start_min * 60;
        size_t kept = 0;
        for (size_t i = 0; i < n; i++)
                if (b[i].start + b[i].utc_offset >= first)
                        b[kept++] = b[i];
        size_t changed = 0;
        int q = store_merge_buckets(d->store, b, kept, dry_run > 0, &changed);
        if (q < 0)
                return store_fail(r, d, q);
        json_object *p = json_object_new_object();
        json_object_object_add(p, "received", json_object_new_int64((int64_t) n));
        json_object_object_add(p, "changed", json_object_new_int64((int64_t) changed));
        json_object_object_add(p, "expired", json_object_new_int64((int64_t) (n - kept)));
        return ok(r, p);
}

static int method_checkin(Daemon *d, json_object *params, Reply *r) {
        int64_t date, mood = -1;
        int reply;
        if (method_date(params, "date", &date, r, &reply) < 0)
                return reply;
        int went_out = method_answer_bool(params, "went_out"), met = method_answer_bool(params, "met_someone");
        if (went_out < -1)
                return bad_param(r, "went_out");
        if (met < -1)
                return bad_param(r, "met_someone");
        int q = varlink_param_int(params, "mood", 1, 5, &mood);
        if (q < 0)
                return bad_param(r, "mood");
        if (q == 0)
                mood = -1;
        /* A day that has not begun yet cannot be answered for. */
        int64_t now = wall_now();
        if (date > local_midnight(now, tz_offset_at(now, NULL)) + DAY)
                return bad_param(r, "date");
        if (!recorder_consented(d))
                return method_no_consent(r);
        Checkin c = { .date = date, .went_out = went_out, .met_someone = met, .mood = (int) mood };
        q = store_set_checkin(d->store, &c, now);
        if (q < 0)
                return store_fail(r, d, q);
        return ok(r, NULL);
}

static int method_reload(Daemon *d, json_object *params, Reply *r) {
        (void) params;
        json_object *problems = json_object_new_array();
        if (!problems)
                return -ENOMEM;
        daemon_reload(d, problems);
        json_object *p = json_object_new_object();
        json_object_object_add(p, "problems", problems);
        return ok(r, p);
}

/* --- nudges -------------------------------------------------------------- */

static int method_get_nudges(Daemon *d, json_object *params, Reply *r) {
        int all = method_answer_bool(params, "all");
        if (all < -1)
                return bad_param(r, "all");
        NudgeRecord *v = NULL;
        size_t n = 0;
        int q = store_get_nudges(d->store, all > 0, wall_now(), &v, &n);
        if (q < 0)
                return store_fail(r, d, q);
        json_object *arr = json_object_new_array_ext((int) n);
        for (size_t i = 0; i < n; i++)
                json_object_array_add(arr, nudge_record_json(&v[i], true));
        nudge_records_free(v, n);
        json_object *p = json_object_new_object();
        json_object_object_add(p, "nudges", arr);
        return ok(r, p);
}

static int method_nudge_action(Daemon *d, json_object *params, Reply *r) {
        int64_t id, duration = 0;
        const char *action = NULL;
        if (varlink_param_int(params, "id", 1, INT64_MAX, &id) <= 0)
                return bad_param(r, "id");
        if (varlink_param_string(params, "action", &action) <= 0)
                return bad_param(r, "action");
        int q = varlink_param_int(params, "duration_s", 60, 30 * 86400, &duration);
        if (q < 0)
                return bad_param(r, "duration_s");
        int helpful = method_answer_bool(params, "helpful");
        if (helpful < -1)
                return bad_param(r, "helpful");

        const char *state;
        int64_t until = 0;
        if (strcmp(action, "ack") == 0)
                state = "acked";
        else if (strcmp(action, "dismiss") == 0)
                state = "dismissed";
        else if (strcmp(action, "snooze") == 0) {
                if (q == 0)
                        return bad_param(r, "duration_s");
                state = "snoozed";
                until = wall_now() + duration;
        } else
                return bad_param(r, "action");

        q = store_nudge_action(d->store, id, state, until, helpful);
        if (q < 0)
                return store_fail(r, d, q);
        NudgeRecord n;
        if (q > 0)
                q = store_get_nudge(d->store, id, &n);
        if (q < 0)
                return store_fail(r, d, q);
        if (q == 0) {
                json_object *p = json_object_new_object();
                json_object_object_add(p, "id", json_object_new_int64(id));
                return fail(r, KIZUKI_NAME("NoSuchNudge"), p);
        }
        json_object *p = json_object_new_object();
        json_object_object_add(p, "nudge", nudge_record_json(&n, true));
        nudge_record_done(&n);
        return ok(r, p);
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
        int q = daemon_load_policies(d, problems);
        int evaluated = 0;
        if (q >= 0)
                q = daemon_eval_policies(d, raised, &evaluated);
        if (q < 0) {
                json_object_put(problems);
                json_object_put(raised);
                return store_fail(r, d, q);
        }
        int64_t now = wall_now();
        json_object *p = json_object_new_object();
        json_object_object_add(p, "date", wire_date(local_midnight(now, tz_offset_at(now, NULL))));
        json_object_object_add(p, "evaluated", json_object_new_int(evaluated));
        json_object_object_add(p, "raised", raised);
        json_object_object_add(p, "problems", problems);
        return ok(r, p);
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
        const char *description = strcmp(iface, KIZUKI_INTERFACE) == 0           ? varlink_interface
                                  : strcmp(iface, VARLINK_SERVICE_INTERFACE) == 0 ? service_interface
                                                                      : NULL;
        json_object *p = json_object_new_object();
        if (!description) {
                json_object_object_add(p, "interface", json_object_new_string(iface));
                return fail(r, VARLINK_ERROR_INTERFACE_NOT_FOUND, p);
        }
        json_object_object_add(p, "description", json_object_new_string(description));
        return ok(r, p);
}

static const MethodEntry core_methods[] = {
        { KIZUKI_NAME("GetStatus"), method_get_status },
        { KIZUKI_NAME("GrantConsent"), method_grant_consent },
        { KIZUKI_NAME("RevokeConsent"), method_revoke_consent },
        { KIZUKI_NAME("GetConsent"), method_get_consent },
        { KIZUKI_NAME("Pause"), method_pause },
        { KIZUKI_NAME("Resume"), method_resume },
        { KIZUKI_NAME("Hint"), method_hint },
        { KIZUKI_NAME("GetHours"), method_get_hours },
        { KIZUKI_NAME("GetDays"), method_get_days },
        { KIZUKI_NAME("GetRange"), method_get_range },
        { KIZUKI_NAME("GetWeek"), method_get_week },
        { KIZUKI_NAME("GetDigest"), method_get_digest },
        { KIZUKI_NAME("Import"), method_import },
        { KIZUKI_NAME("Checkin"), method_checkin },
        { KIZUKI_NAME("Reload"), method_reload },
        { KIZUKI_NAME("GetNudges"), method_get_nudges },
        { KIZUKI_NAME("NudgeAction"), method_nudge_action },
        { KIZUKI_NAME("EvalPolicies"), method_eval_policies },
        { VARLINK_SERVICE_INTERFACE ".GetInfo", method_get_info },
        { VARLINK_SERVICE_INTERFACE ".GetInterfaceDescription", method_get_interface_description },
        {},
};

/* One table per area; each ends with an empty entry. */
static const MethodEntry *const method_tables[] = { core_methods, privacy_methods, share_methods };

int daemon_method(const VarlinkCall *call, char **ret, size_t *ret_len, void *userdata) {
        Daemon *d = userdata;
        Reply r = { ret, ret_len };

        for (size_t t = 0; t < ELEMENTSOF(method_tables); t++)
                for (const MethodEntry *m = method_tables[t]; m->name; m++)
                        if (strcmp(call->method, m->name) == 0)
                                return m->fn(d, call->parameters, &r);

        char iface[256];
        const char *member;
        json_object *p = json_object_new_object();
        if (varlink_method_split(call->method, iface, sizeof iface, &member) >= 0 &&
            strcmp(iface, KIZUKI_INTERFACE) != 0 && strcmp(iface, VARLINK_SERVICE_INTERFACE) != 0) {
                json_object_object_add(p, "interface", json_object_new_string(iface));
                return fail(&r, VARLINK_ERROR_INTERFACE_NOT_FOUND, p);
        }
        json_object_object_add(p, "method", json_object_new_string(call->method));
        return fail(&r, VARLINK_ERROR_METHOD_NOT_FOUND, p);
}

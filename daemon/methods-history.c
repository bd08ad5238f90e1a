/* Methods of io.kizuki.Daemon: history. Hours of a day or range (GetHours,
 * GetRange), daily signals (GetDays), the week (GetWeek) and its digest
 * (GetDigest), and hours imported from elsewhere (Import). Each handler checks
 * its parameters, asks history or the recorder, and builds the reply with
 * wire.c. Calls: method.c, history, recorder, retention, store, wire, lib/. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "digest-model.h"
#include "digest-trend.h"
#include "history.h"
#include "macro.h"
#include "methods-history.h"
#include "recorder.h"
#include "retention.h"
#include "timeutil.h"
#include "wire.h"

#define DAYS_MAX 3700
#define RANGE_DAYS_MAX 800
#define IMPORT_HOURS_MAX 500
#define DAY INT64_C(86400)

/* Reply with the hours of local seconds [from, to), after accounting the time so far. */
static int hours_reply(Daemon *d, int64_t from, int64_t to, Reply *r) {
        recorder_update(d);
        _cleanup_free_ AcctBucket *b = NULL;
        size_t n = 0;
        int q = recorder_hours(d, from, to, &b, &n);
        if (q < 0)
                return method_store_fail(r, d, q);
        json_object *p = json_object_new_object();
        json_object_object_add(p, "hours", wire_hours(b, n));
        return method_ok(r, p);
}

int method_get_hours(Daemon *d, json_object *params, Reply *r) {
        int64_t day;
        int reply;
        if (method_date(params, "date", &day, r, &reply) < 0)
                return reply;
        return hours_reply(d, day, day + DAY, r);
}

/* The from and to members: two dates, from ≤ to, at most max days. */
static int range_params(json_object *params, int max, int64_t *ret_from, int64_t *ret_to, Reply *r, int *ret_reply) {
        if (method_date(params, "from", ret_from, r, ret_reply) < 0 ||
            method_date(params, "to", ret_to, r, ret_reply) < 0)
                return -EINVAL;
        if (*ret_to < *ret_from) {
                *ret_reply = method_bad_param(r, "to");
                return -EINVAL;
        }
        if ((*ret_to - *ret_from) / DAY + 1 > max) {
                *ret_reply = method_range_too_large(r, max);
                return -EINVAL;
        }
        return 0;
}

/* GetDays over years takes long (5 years: ~0.1 s alone, seconds under
 * load), so it answers in steps (ControlSteps): each computes and writes
 * DAYS_STEP days, reading their hours and check-ins then. The bytes are those
 * of the reply built whole (VarlinkStream). A day's figures are read at once;
 * a write while the steps go on (an import, a forget) shows in the days not
 * yet written. A reload that changes the settings the days depend on starts
 * the answer again, so that all its days and its settings agree. */
#define DAYS_STEP 28

typedef struct DaysJob {
        Daemon *d;
        int64_t from, to;
        int64_t next; /* the first day not written yet */
        bool started; /* the reply is begun, with these settings: */
        int day_start_min, night_start_min, night_end_min, min_coverage_h;
        VarlinkStream out;
} DaysJob;

static void days_job_free(void *state) {
        DaysJob *j = state;
        varlink_stream_done(&j->out);
        free(j);
}

static bool days_job_settings_changed(const DaysJob *j) {
        const Config *c = &j->d->config;
        return c->day_start_min != j->day_start_min || c->night_start_min != j->night_start_min ||
               c->night_end_min != j->night_end_min || c->min_coverage_h != j->min_coverage_h;
}

static int days_job_begin(DaysJob *j) {
        const Config *c = &j->d->config;
        varlink_stream_done(&j->out);
        json_object *p = json_object_new_object();
        json_object_object_add(p, "days", json_object_new_array());
        json_object_object_add(p, "settings", wire_settings(c));
        int q = varlink_stream_begin(&j->out, p, "days");
        if (q < 0)
                return q;
        j->day_start_min = c->day_start_min;
        j->night_start_min = c->night_start_min;
        j->night_end_min = c->night_end_min;
        j->min_coverage_h = c->min_coverage_h;
        j->next = j->from;
        j->started = true;
        return 0;
}

static int days_job_step(void *state, char **ret, size_t *ret_len) {
        DaysJob *j = state;
        if (!j->started || days_job_settings_changed(j)) {
                int q = days_job_begin(j);
                if (q < 0)
                        return q;
        }

        int64_t last = j->next + (DAYS_STEP - 1) * DAY < j->to ? j->next + (DAYS_STEP - 1) * DAY : j->to;
        _cleanup_free_ DaySignals *days = NULL;
        _cleanup_free_ Checkin *c = NULL;
        size_t n = 0, nc = 0;
        int q = history_days(j->d, j->next, last, &days, &n, &c, &nc);
        if (q < 0) {
                Reply r = { .msg = ret, .len = ret_len };
                q = method_store_fail(&r, j->d, q);
                return q < 0 ? q : 1;
        }
        for (size_t i = 0; i < n; i++) {
                q = varlink_stream_add(&j->out, wire_day(&days[i], history_find_checkin(c, nc, days[i].date),
                                                         j->min_coverage_h));
                if (q < 0)
                        return q;
        }
        j->next = last + DAY;
        if (j->next <= j->to)
                return 0;
        q = varlink_stream_end(&j->out, ret, ret_len);
        return q < 0 ? q : 1;
}

int method_get_days(Daemon *d, json_object *params, Reply *r) {
        int64_t from, to;
        int reply;
        if (range_params(params, DAYS_MAX, &from, &to, r, &reply) < 0)
                return reply;

        DaysJob *j;
        if (NEW(&j, DaysJob, .d = d, .from = from, .to = to) < 0)
                return -ENOMEM;
        *r->steps = (ControlSteps) { .step = days_job_step, .free = days_job_free, .state = j };
        return 0;
}

int method_get_range(Daemon *d, json_object *params, Reply *r) {
        int64_t from, to;
        int reply;
        if (range_params(params, RANGE_DAYS_MAX, &from, &to, r, &reply) < 0)
                return reply;
        return hours_reply(d, from, to + DAY, r);
}

static int invalid_week(Reply *r, const char *week) {
        json_object *p = json_object_new_object();
        json_object_object_add(p, "week", json_object_new_string(week));
        return method_fail(r, KIZUKI_NAME("InvalidWeek"), p);
}

/* The week's figures as GetWeek and GetDigest give them. */
static void add_figures(json_object *p, const WeekModel *w) {
        json_object_object_add(p, "mean", wire_figures(&w->mean));
        json_object_object_add(p, "previous", wire_figures(&w->previous));
        json_object_object_add(p, "baseline", wire_figures(&w->baseline));
}

int method_get_week(Daemon *d, json_object *params, Reply *r) {
        const char *week = NULL;
        int64_t mon;
        if (varlink_param_string(params, "week", &week) <= 0)
                return method_bad_param(r, "week");
        if (iso_week_parse(week, &mon) < 0)
                return invalid_week(r, week);

        _cleanup_(history_week_done) WeekModel w = {};
        int q = history_week(d, mon, HISTORY_WEEKS_MIN, &w);
        if (q < 0)
                return method_store_fail(r, d, q);

        _cleanup_free_ AcctBucket *b = NULL;
        size_t nb = 0;
        int64_t start = mon + (int64_t) d->config.day_start_min * 60;
        q = recorder_hours(d, start, start + 7 * DAY, &b, &nb);
        if (q < 0)
                return method_store_fail(r, d, q);

        json_object *arr = json_object_new_array_ext(7);
        const DaySignals *days = history_week_days(&w);
        for (size_t i = 0; i < 7; i++)
                json_object_array_add(arr, wire_day(&days[i],
                                                    history_find_checkin(w.checkins, w.n_checkins, days[i].date),
                                                    d->config.min_coverage_h));
        json_object *p = json_object_new_object();
        json_object_object_add(p, "week", json_object_new_string(week));
        json_object_object_add(p, "from", wire_date(mon));
        json_object_object_add(p, "to", wire_date(mon + 6 * DAY));
        json_object_object_add(p, "days", arr);
        add_figures(p, &w);
        json_object_object_add(p, "hours", wire_hours(b, nb));
        return method_ok(r, p);
}

/* The digest's nudges (oldest first) and, at the hourly level, its grid. */
static int digest_parts(Daemon *d, int64_t mon, int level, json_object **ret_nudges, json_object **ret_hours) {
        NudgeRecord *v = NULL;
        size_t n = 0;
        int q = history_week_nudges(d, mon, &v, &n);
        if (q < 0)
                return q;
        json_object *nudges = json_object_new_array();
        for (size_t i = 0; i < n; i++)
                json_object_array_add(nudges, wire_digest_nudge(&v[i]));
        nudge_records_free(v, n);
        if (level >= DIGEST_LEVEL_HOURLY) {
                int grid[7][24];
                q = history_week_grid(d, mon, grid);
                if (q < 0) {
                        json_object_put(nudges);
                        return q;
                }
                *ret_hours = wire_grid(grid);
        }
        *ret_nudges = nudges;
        return 0;
}

int method_get_digest(Daemon *d, json_object *params, Reply *r) {
        const char *week = NULL, *level_s = NULL;
        char week_buf[ISO_WEEK_MAX];
        int64_t mon, now = (int64_t) time(NULL);

        if (varlink_param_string(params, "level", &level_s) <= 0)
                return method_bad_param(r, "level");
        int level = digest_level_from_string(level_s);
        if (level < 0)
                return method_bad_param(r, "level");
        int q = varlink_param_string(params, "week", &week);
        if (q < 0)
                return method_bad_param(r, "week");
        if (q == 0) {
                /* The last complete week: the one a week before today's. */
                if (iso_week_of(local_midnight(now, tz_offset_at(now, NULL)) - 7 * DAY, week_buf, &mon) < 0)
                        return method_store_fail(r, d, -ERANGE);
                week = week_buf;
        } else if (iso_week_parse(week, &mon) < 0)
                return invalid_week(r, week);

        _cleanup_(history_week_done) WeekModel w = {};
        q = history_week(d, mon, DIGEST_TREND_WEEKS, &w);
        if (q < 0)
                return method_store_fail(r, d, q);
        DigestTrend trend;
        HeadlineEntry headline[DIGEST_HEADLINE_MAX];
        q = digest_trend(w.days, w.n_days, d->config.min_coverage_h, d->config.day_start_min, &trend);
        if (q < 0)
                return method_store_fail(r, d, q);
        size_t n_headline = digest_headline_pick(&trend, headline);
        json_object *nudges = NULL, *hours = NULL;
        q = digest_parts(d, mon, level, &nudges, &hours);
        if (q < 0)
                return method_store_fail(r, d, q);

        json_object *settings = wire_settings(&d->config);

        /* As of the end of the week (its next Monday 00:00, local), or now for a
         * week not over yet: the same week with the same data gives the same
         * bytes, so the hash a dry run shows is the hash of what a share sends. */
        int64_t week_end = mon + 7 * DAY, as_of = week_end - tz_offset_at(week_end - 12 * 3600, NULL);
        json_object *g = json_object_new_object();
        json_object_object_add(g, "schema", json_object_new_string(DIGEST_SCHEMA));
        json_object_object_add(g, "generated_at", wire_utc(as_of < now ? as_of : now));
        json_object_object_add(g, "level", json_object_new_string(digest_level_to_string(level)));
        json_object_object_add(g, "week", json_object_new_string(week));
        json_object_object_add(g, "from", wire_date(mon));
        json_object_object_add(g, "to", wire_date(mon + 6 * DAY));
        json_object_object_add(g, "settings", settings);
        add_figures(g, &w);
        /* Weekly means and the baseline's range: no finer than the summary. */
        json_object_object_add(g, "trend", wire_trend(&trend));
        json_object_object_add(g, "headline", wire_headline(headline, n_headline));
        json_object_object_add(g, "nudges", nudges);
        /* Nothing finer than asked leaves the daemon: no rows at summary, no
         * hours below hourly. */
        if (level >= DIGEST_LEVEL_DAILY) {
                json_object *arr = json_object_new_array_ext(7);
                const DaySignals *days = history_week_days(&w);
                for (size_t i = 0; i < 7; i++)
                        json_object_array_add(arr, wire_digest_day(&days[i], d->config.min_coverage_h));
                json_object_object_add(g, "days", arr);
        }
        if (hours)
                json_object_object_add(g, "hours", hours);

        json_object *p = json_object_new_object();
        json_object_object_add(p, "digest", g);
        return method_ok(r, p);
}

/* One imported hour, checked like anything else from a peer: a real local
 * hour (its local start on the hour), sane seconds. -EINVAL when malformed. */
static int import_hour(json_object *h, AcctBucket *ret) {
        int64_t start, off, active, observed;
        if (!json_object_is_type(h, json_type_object) ||
            varlink_param_int(h, "start", 0, INT64_C(253402300799), &start) <= 0 ||
            varlink_param_int(h, "utc_offset", -18 * 3600, 18 * 3600, &off) <= 0 ||
            varlink_param_int(h, "active_s", 0, 3600, &active) <= 0 ||
            varlink_param_int(h, "observed_s", 0, 3600, &observed) <= 0 || active > observed ||
            (start + off) % 3600 != 0)
                return -EINVAL;
        *ret = (AcctBucket) { start, (int32_t) off, (int32_t) active, (int32_t) observed };
        return 0;
}

/* The batch is refused for an hour that starts in the future: the client
 * checks that before it sends anything, so this is a defence in depth, and
 * the error names the hour. */
static int future_hour(Reply *r, size_t index, const AcctBucket *b, int64_t now) {
        json_object *p = json_object_new_object();
        json_object_object_add(p, "index", json_object_new_int64((int64_t) index));
        json_object_object_add(p, "start", json_object_new_int64(b->start));
        json_object_object_add(p, "utc_offset", json_object_new_int(b->utc_offset));
        json_object_object_add(p, "now", json_object_new_int64(now));
        return method_fail(r, KIZUKI_NAME("FutureHour"), p);
}

int method_import(Daemon *d, json_object *params, Reply *r) {
        json_object *hours;
        if (!json_object_object_get_ex(params, "hours", &hours) || !json_object_is_type(hours, json_type_array))
                return method_bad_param(r, "hours");
        int dry_run = method_answer_bool(params, "dry_run");
        if (dry_run < -1)
                return method_bad_param(r, "dry_run");
        size_t n = json_object_array_length(hours);
        if (n > IMPORT_HOURS_MAX)
                return method_range_too_large(r, IMPORT_HOURS_MAX);
        if (!recorder_consented(d))
                return method_no_consent(r);

        _cleanup_free_ AcctBucket *b = calloc(n + 1, sizeof *b);
        if (!b)
                return -ENOMEM;
        /* The live seconds so far go to the store first, so that the imported
         * hours meet them there (store_merge_buckets: an instant once). A
         * failure is the recorder's to log; its seconds stay pending. */
        (void) recorder_save(d);
        int64_t now = (int64_t) time(NULL);
        for (size_t i = 0; i < n; i++)
                if (import_hour(json_object_array_get_idx(hours, i), &b[i]) < 0)
                        return method_bad_param(r, "hours");
        for (size_t i = 0; i < n; i++)
                if (b[i].start > now)
                        return future_hour(r, i, &b[i], now);
        /* Hours of days past the retention are not stored: the next daily
         * pass would delete them (a day begins at day_start, as in forget). */
        int64_t first = retention_first_day(d) + (int64_t) d->config.day_start_min * 60;
        size_t kept = 0;
        for (size_t i = 0; i < n; i++)
                if (b[i].start + b[i].utc_offset >= first)
                        b[kept++] = b[i];
        size_t changed = 0, conflicts = 0;
        int q = store_merge_buckets(d->store, b, kept, dry_run > 0, &changed, &conflicts);
        if (q < 0)
                return method_store_fail(r, d, q);
        json_object *p = json_object_new_object();
        json_object_object_add(p, "received", json_object_new_int64((int64_t) n));
        json_object_object_add(p, "changed", json_object_new_int64((int64_t) changed));
        json_object_object_add(p, "expired", json_object_new_int64((int64_t) (n - kept)));
        json_object_object_add(p, "conflicts", json_object_new_int64((int64_t) conflicts));
        return method_ok(r, p);
}

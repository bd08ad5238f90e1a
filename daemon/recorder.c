/* The recorder (recorder.h): consent, pause, hints and accounting. Calls the
 * store, the logind source (its getters), the idle sources and lib/ (accountant, clocks);
 * nothing above it. */
#include "recorder.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include "consent-text.h"
#include "idle-source.h"
#include "log.h"
#include "macro.h"
#include "timeutil.h"
#include "version.h"

/* 9999-12-31T23:59:59Z: no later time is taken from the store. */
#define TIME_MAX_S INT64_C(253402300799)

/* --- recording state ----------------------------------------------------- */

bool recorder_consented(const Daemon *d) {
        return d->have_consent && d->consent.revoked_at == 0 &&
               strcmp(d->consent.text_sha256, consent_text_SHA256) == 0 &&
               strcmp(d->consent.text_version, KIZUKI_CONSENT_VERSION) == 0;
}

const char *recorder_recording(const Daemon *d) {
        if (!d->have_consent || d->consent.revoked_at != 0)
                return "no-consent";
        if (!recorder_consented(d))
                return "consent-outdated";
        return d->paused ? "paused" : "recording";
}

static bool hint_live(const Daemon *d, const AcctTime *now) {
        return d->hint != HINT_NONE && now->mono_us < d->hint_expires_mono_us;
}

/* The rule: observed only with consent, not paused, and with a source of
 * truth (logind, a live hint, or an idle helper). Asleep is inactive. A locked
 * screen is away whatever a hint says; otherwise a live hint beats logind's
 * IdleHint, for desktops that never set it. An attached idle helper's state
 * stands in for IdleHint of its session (idle-source.c). */
static AcctState compute_state(const Daemon *d, const AcctTime *now) {
        if (!recorder_consented(d) || d->paused)
                return ACCT_UNOBSERVED;
        LogindPresence presence = idle_source_presence(d); /* logind, idle helpers in place of IdleHint */
        if (logind_sleeping(d->logind))
                return ACCT_INACTIVE;
        if (hint_live(d, now)) {
                if (d->hint == HINT_IDLE || d->hint == HINT_LOCKED || logind_locked(d->logind))
                        return ACCT_INACTIVE;
                return ACCT_ACTIVE;
        }
        switch (presence) {
        case LOGIND_PRESENT:
                return ACCT_ACTIVE;
        case LOGIND_AWAY:
                return ACCT_INACTIVE;
        default:
                return ACCT_UNOBSERVED;
        }
}

static void timer_in(struct event *ev, int64_t usec) {
        if (usec < 0)
                usec = 0;
        struct timeval tv = { (time_t) (usec / USEC_PER_SEC), (suseconds_t) (usec % USEC_PER_SEC) };
        evtimer_add(ev, &tv);
}

void recorder_notify_status(Daemon *d) {
        char status[128];
        snprintf(status, sizeof status, "STATUS=%s, %s", recorder_recording(d),
                 accountant_state(d->acct) == ACCT_ACTIVE     ? "active"
                 : accountant_state(d->acct) == ACCT_INACTIVE ? "away"
                                                              : "unobserved");
        if (strcmp(status, d->status) != 0) {
                memcpy(d->status, status, sizeof status);
                sd_notify(0, status);
        }
}

void recorder_update(Daemon *d) {
        tzset(); /* follow time zone changes */
        AcctTime now;
        acct_time_now(&now);

        if (d->hint != HINT_NONE && !hint_live(d, &now))
                d->hint = HINT_NONE;
        AcctState before = accountant_state(d->acct);
        AcctState state = compute_state(d, &now);
        int r = accountant_update(d->acct, &now, state);
        if (r == -ENOBUFS && recorder_flush(d) >= 0) /* too much unsaved: save, then go on */
                r = accountant_update(d->acct, &now, state);
        if (r < 0)
                log_warning("Failed to account the last interval: %s; it is retried", strerror(-r));
        if (r > 0) {
                int64_t jump = accountant_last_jump(d->acct);
                log_notice("The wall clock jumped %s by %lld s; recording goes on under the new time",
                           jump > 0 ? "forward" : "back",
                           (long long) (((jump < 0 ? -jump : jump) + USEC_PER_SEC / 2) / USEC_PER_SEC));
                /* Hours stored while the clock was ahead now lie in the future. */
                if (jump < 0) {
                        d->fold_due = true;
                        (void) recorder_flush(d);
                }
        }
        if (state != before)
                log_debug("State: %d -> %d", before, state);

        /* Wake at the next hour boundary to close the hour. */
        int64_t boundary = accountant_next_boundary(d->acct);
        if (boundary != INT64_MAX)
                timer_in(d->hour_timer, boundary - now.wall_us + USEC_PER_SEC);
        if (d->hint != HINT_NONE)
                timer_in(d->hint_timer, d->hint_expires_mono_us - now.mono_us);
        else
                evtimer_del(d->hint_timer);
        recorder_notify_status(d);
}

/* The local hour containing UTC second t: its start and offset. */
static void hour_of(int64_t t, int64_t *ret_start, int32_t *ret_offset) {
        int32_t off = tz_offset_at(t, NULL);
        *ret_start = t - floor_mod(t + off, 3600);
        *ret_offset = off;
}

/* Where a wall-clock jump's seconds go: every step is labelled with the wall
 * clock at that step (accountant.h), and the latest wall clock is taken to be
 * right. So after the clock went back, hours stored that start after `after`
 * were labelled by a clock that ran ahead: their seconds were lived, before
 * now, so they are folded into the hour of `into` (capped at its length, the
 * store's rule), and no hour in the future stays in the store, where it would
 * make the person's own export impossible to import. Logged once per fold. */
static int recorder_fold_future(Daemon *d, int64_t after, int64_t into) {
        int64_t start;
        int32_t off;
        StoreFolded f;
        hour_of(into, &start, &off);
        int r = store_fold_future(d->store, after, start, off, &f);
        if (r < 0) {
                log_warning("Failed to move hours that start in the future (%s); trying again at the next save",
                            store_last_error(d->store));
                return r;
        }
        if (f.hours > 0) {
                char when[32] = "?";
                struct tm tm;
                time_t t = (time_t) start;
                if (localtime_r(&t, &tm))
                        strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
                log_warning("%lld stored hours started in the future (the wall clock had run ahead); their "
                            "%lld s observed, %lld s active moved into the hour of %s",
                            (long long) f.hours, (long long) f.observed_s, (long long) f.active_s, when);
        }
        return 0;
}

int recorder_flush(Daemon *d) {
        _cleanup_free_ AcctBucket *b = NULL;
        size_t n = 0;
        int r = accountant_pending(d->acct, &b, &n);
        if (r < 0)
                return r;
        if (d->fold_due && n == 0) {
                int64_t now = time(NULL);
                if (recorder_fold_future(d, now, now) >= 0)
                        d->fold_due = false;
        }
        if (n == 0)
                return 0;
        r = store_add_buckets(d->store, b, n);
        if (r < 0) {
                /* Keep the seconds in memory; the next flush tries again. */
                if (!d->flush_failing)
                        log_error("Failed to save activity (%s), keeping it in memory and retrying",
                                  store_last_error(d->store));
                d->flush_failing = true;
                return r;
        }
        accountant_commit(d->acct);
        if (d->fold_due) {
                int64_t now = time(NULL);
                if (recorder_fold_future(d, now, now) >= 0)
                        d->fold_due = false;
        }
        if (d->flush_failing)
                log_notice("Saving activity works again");
        d->flush_failing = false;
        return 0;
}

int recorder_save(Daemon *d) {
        recorder_update(d);
        return recorder_flush(d);
}

bool recorder_active(const Daemon *d) {
        return accountant_state(d->acct) == ACCT_ACTIVE;
}

/* --- consent ------------------------------------------------------------- */

const StoreConsent *recorder_consent(const Daemon *d) {
        return d->have_consent ? &d->consent : NULL;
}

/* Reload the newest consent row. */
static int consent_refresh(Daemon *d) {
        int q = store_get_consent(d->store, &d->consent);
        if (q < 0)
                return q;
        d->have_consent = q > 0;
        return 0;
}

int recorder_grant_consent(Daemon *d, const char *text_version, const char *text_sha256) {
        if (recorder_consented(d))
                return 0;
        int q = store_grant_consent(d->store, (int64_t) time(NULL), text_version, text_sha256);
        if (q < 0)
                return q;
        q = consent_refresh(d);
        if (q < 0)
                return q;
        log_info("Consent granted (text version %s): recording", text_version);
        recorder_update(d);
        return 0;
}

int recorder_revoke_consent(Daemon *d) {
        int q = store_revoke_consent(d->store, (int64_t) time(NULL));
        if (q < 0)
                return q;
        bool revoked = q > 0;
        q = consent_refresh(d);
        if (q < 0)
                return q;
        if (revoked)
                log_info("Consent revoked: recording stopped");
        (void) recorder_save(d);
        return 0;
}

void recorder_discard(Daemon *d, const StoreForget *f) {
        int64_t from, to;
        store_forget_hours(f, &from, &to);
        accountant_discard(d->acct, from, to);
}

void recorder_forgotten(Daemon *d) {
        d->have_consent = false;
        d->consent = (StoreConsent) {};
        d->paused = false;
        d->paused_until = 0;
        evtimer_del(d->pause_timer);
}

/* --- pause and hints ----------------------------------------------------- */

int recorder_set_paused(Daemon *d, bool paused, int64_t until) {
        int r;
        if (paused) {
                r = store_set_meta(d->store, "paused_until", until);
        } else
                r = store_delete_meta(d->store, "paused_until");
        if (r < 0)
                return r;
        d->paused = paused;
        d->paused_until = paused ? until : 0;
        if (paused && until > 0)
                timer_in(d->pause_timer, (until - (int64_t) time(NULL)) * USEC_PER_SEC);
        else
                evtimer_del(d->pause_timer);
        log_info(paused ? "Recording paused" : "Recording resumed");
        recorder_update(d);
        return 0;
}

int64_t recorder_paused_until(const Daemon *d) {
        return d->paused ? d->paused_until : 0;
}

int64_t recorder_set_hint(Daemon *d, HintState h) {
        AcctTime now;
        acct_time_now(&now);
        /* Account the time so far under the old hint before switching. */
        recorder_update(d);
        d->hint = h;
        d->hint_expires_mono_us = now.mono_us + d->config.hint_expiry_s * USEC_PER_SEC;
        d->hint_expires_wall = now.wall_us / USEC_PER_SEC + d->config.hint_expiry_s;
        recorder_update(d);
        return d->hint_expires_wall;
}

HintState recorder_hint(const Daemon *d, int64_t *ret_expires_wall) {
        *ret_expires_wall = d->hint_expires_wall;
        return d->hint;
}

/* --- hours --------------------------------------------------------------- */

static int bucket_cmp(const void *a, const void *b) {
        const AcctBucket *x = a, *y = b;
        if (x->start != y->start)
                return x->start < y->start ? -1 : 1;
        return (x->utc_offset > y->utc_offset) - (x->utc_offset < y->utc_offset);
}

int recorder_hours(Daemon *d, int64_t local_from, int64_t local_to, AcctBucket **ret, size_t *ret_n) {
        _cleanup_free_ AcctBucket *stored = NULL, *pending = NULL;
        size_t n_stored = 0, n_pending = 0;
        int r = store_get_buckets(d->store, local_from, local_to, &stored, &n_stored);
        if (r < 0)
                return r;
        r = accountant_pending(d->acct, &pending, &n_pending);
        if (r < 0)
                return r;

        AcctBucket *all = calloc(n_stored + n_pending + 1, sizeof *all);
        if (!all)
                return -ENOMEM;
        size_t n = 0;
        if (n_stored)
                memcpy(all, stored, n_stored * sizeof *all);
        n = n_stored;
        for (size_t i = 0; i < n_pending; i++) {
                const AcctBucket *p = &pending[i];
                int64_t local = p->start + p->utc_offset;
                if (local < local_from || local >= local_to)
                        continue;
                AcctBucket *hit = NULL;
                for (size_t j = 0; j < n_stored; j++)
                        if (all[j].start == p->start && all[j].utc_offset == p->utc_offset)
                                hit = &all[j];
                if (!hit) {
                        hit = &all[n++];
                        *hit = (AcctBucket) { .start = p->start, .utc_offset = p->utc_offset };
                }
                /* The same caps the store applies on write. */
                hit->observed_s = hit->observed_s + p->observed_s > 3600 ? 3600 : hit->observed_s + p->observed_s;
                hit->active_s = hit->active_s + p->active_s > hit->observed_s ? hit->observed_s
                                                                              : hit->active_s + p->active_s;
        }
        /* The store returns its rows in order; only pending hours new to the
         * range need sorting in. */
        if (n > n_stored)
                qsort(all, n, sizeof *all, bucket_cmp);
        *ret = all;
        *ret_n = n;
        return 0;
}

/* --- timers, setup and teardown ------------------------------------------ */

/* The flush interval: account and save, then count the next interval from now. */
static void on_flush_timer(evutil_socket_t fd, short what, void *userdata) {
        Daemon *d = userdata;
        (void) fd, (void) what;
        (void) recorder_save(d);
        d->flush_due_mono_us = 0;
        recorder_arm_flush(d);
}

/* An hour boundary, a hint's expiry: account and save. */
static void on_save_timer(evutil_socket_t fd, short what, void *userdata) {
        (void) fd, (void) what;
        (void) recorder_save(userdata);
}

static void on_pause_timer(evutil_socket_t fd, short what, void *userdata) {
        Daemon *d = userdata;
        (void) fd, (void) what;
        int64_t now = time(NULL);
        if (!d->paused || d->paused_until == 0)
                return;
        if (now < d->paused_until) { /* the wall clock moved: wait on */
                timer_in(d->pause_timer, (d->paused_until - now) * USEC_PER_SEC);
                return;
        }
        if (recorder_set_paused(d, false, 0) < 0) {
                log_warning("Failed to end the pause in the store; resuming anyway");
                d->paused = false;
                recorder_update(d);
        }
}

int recorder_new(Daemon *d) {
        int r = accountant_new(&d->acct, tz_offset_at, NULL);
        if (r < 0)
                return r;
        d->flush_timer = evtimer_new(d->base, on_flush_timer, d);
        d->hour_timer = evtimer_new(d->base, on_save_timer, d);
        d->pause_timer = evtimer_new(d->base, on_pause_timer, d);
        d->hint_timer = evtimer_new(d->base, on_save_timer, d);
        if (!d->flush_timer || !d->hour_timer || !d->pause_timer || !d->hint_timer)
                return -ENOMEM;
        return 0;
}

void recorder_done(Daemon *d) {
        struct event *timers[] = { d->flush_timer, d->hour_timer, d->pause_timer, d->hint_timer };
        for (size_t i = 0; i < ELEMENTSOF(timers); i++)
                if (timers[i])
                        event_free(timers[i]);
        accountant_free(d->acct);
}

/* The interval is a promise: a crash loses at most flush_interval_s of
 * activity. So a re-arm (a reload) may bring the next flush closer (a shorter
 * interval) but never push it later than it was already due. */
void recorder_arm_flush(Daemon *d) {
        AcctTime now;
        acct_time_now(&now);
        int64_t due = now.mono_us + (int64_t) d->config.flush_interval_s * USEC_PER_SEC;
        if (d->flush_due_mono_us != 0 && d->flush_due_mono_us < due)
                due = d->flush_due_mono_us;
        d->flush_due_mono_us = due;
        timer_in(d->flush_timer, due - now.mono_us);
}

int recorder_restore(Daemon *d) {
        int r = consent_refresh(d);
        if (r < 0)
                return r;

        int64_t until;
        r = store_get_meta(d->store, "paused_until", &until);
        if (r < 0)
                return r;
        if (r > 0) {
                d->paused = true;
                d->paused_until = until;
                if (until > 0)
                        timer_in(d->pause_timer, (until - (int64_t) time(NULL)) * USEC_PER_SEC);
        }
        recorder_update(d); /* starts the timeline */

        int64_t stopped;
        r = store_get_meta(d->store, "clean_stop_at", &stopped);
        if (r < 0)
                return r;
        /* A store may hold hours a clock that ran ahead labelled (an older
         * kizukid kept them). After a clean stop, hours that start after both
         * the stop and now cannot be true: their seconds were lived before the
         * stop, into whose hour they go (the true hours of a clock that is
         * behind now stay). Without one, the current wall clock is all we have. */
        int64_t now_s = time(NULL);
        if (r > 0 && stopped > 0 && stopped <= TIME_MAX_S) /* else not a time we wrote */
                (void) recorder_fold_future(d, stopped > now_s ? stopped : now_s, stopped);
        else
                (void) recorder_fold_future(d, now_s, now_s);
        if (r > 0) {
                int64_t now = time(NULL), oldest = now - (int64_t) d->config.retention_days * 86400;
                if (recorder_consented(d) && !d->paused)
                        accountant_fill_inactive(d->acct, stopped > oldest ? stopped : oldest, now);
                r = store_delete_meta(d->store, "clean_stop_at");
                if (r < 0)
                        return r;
        }
        return 0;
}

int recorder_stop(Daemon *d) {
        AcctState last = accountant_state(d->acct);
        int r = recorder_save(d);
        if (r >= 0 && last != ACCT_UNOBSERVED)
                (void) store_set_meta(d->store, "clean_stop_at", (int64_t) time(NULL));
        return r;
}

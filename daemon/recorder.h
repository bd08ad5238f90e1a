/* The recorder: whether the person is recorded (consent, pause), what state
 * they are in (logind, hints), and the accounting of that state into hourly
 * buckets, saved to the store. It owns its timers (flush, hour boundary,
 * pause end, hint expiry) and the recorder fields of Daemon. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "daemon-state.h"

/* Create the accountant and the timers; recorder_done() frees them. */
int recorder_new(Daemon *d);
void recorder_done(Daemon *d);
/* Restore consent and pause from the store, start the timeline, and after a
 * clean stop count the time since as observed-inactive. */
int recorder_restore(Daemon *d);
/* (Re)arm the periodic flush with the configured interval, never later than
 * the flush already due. */
void recorder_arm_flush(Daemon *d);
/* At the end: account, save, and mark a clean stop (when something was
 * observed). Returns what the last flush returned. */
int recorder_stop(Daemon *d);

/* Recompute the person's state from consent, pause, logind and hints, account
 * the time since the last step, and re-arm the timers that depend on it. */
void recorder_update(Daemon *d);
/* Write the accountant's pending seconds to the store; on failure they stay
 * pending in memory and the next flush tries again. */
int recorder_flush(Daemon *d);
/* recorder_update(), then recorder_flush(). */
int recorder_save(Daemon *d);
/* Tell the service manager the state when it changed (STATUS=). */
void recorder_notify_status(Daemon *d);

/* Consent granted for the text this daemon requires, and not revoked. */
bool recorder_consented(const Daemon *d);
/* "recording", "paused", "no-consent" or "consent-outdated". */
const char *recorder_recording(const Daemon *d);
/* The newest consent record, or NULL when there is none. */
const StoreConsent *recorder_consent(const Daemon *d);
/* Grant consent for text_version (already checked to be this daemon's) unless
 * it is in force; revoke it. A negative return is a store error. */
int recorder_grant_consent(Daemon *d, const char *text_version, const char *text_sha256);
int recorder_revoke_consent(Daemon *d);
/* After store_forget(f): drop what the accountant holds of the hours it
 * deleted, so nothing of them is written later. */
void recorder_discard(Daemon *d, const StoreForget *f);
/* After a forget of everything: no consent, no pause. */
void recorder_forgotten(Daemon *d);

int recorder_set_paused(Daemon *d, bool paused, int64_t until);
/* Wall seconds at which the pause ends; 0 when not paused, or paused until resumed. */
int64_t recorder_paused_until(const Daemon *d);

/* Take a hint (not HINT_NONE) for hint_expiry_s; returns when it expires
 * (wall seconds). */
int64_t recorder_set_hint(Daemon *d, HintState h);
/* The live hint (HINT_NONE when none) and when it expires. */
HintState recorder_hint(const Daemon *d, int64_t *ret_expires_wall);
/* The person counts as active now. */
bool recorder_active(const Daemon *d);

/* Seconds per bucket for local seconds [from, to), stored plus pending. */
int recorder_hours(Daemon *d, int64_t local_from, int64_t local_to, AcctBucket **ret, size_t *ret_n);

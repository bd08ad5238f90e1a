/* kizukid's shared state: the event loop and the modules it wires together. */
#pragma once

#include <event2/event.h>
#include <stdbool.h>

#include "accountant.h"
#include "config.h"
#include "control.h"
#include "logind.h"
#include "store.h"

typedef enum HintState {
        HINT_NONE,
        HINT_ACTIVE,
        HINT_IDLE,
        HINT_LOCKED,
        HINT_UNLOCKED,
} HintState;

typedef struct Daemon {
        struct event_base *base;
        Config config;
        char *config_path;
        char *state_dir;
        char *db_path;
        char *socket_path;
        bool socket_bound; /* we created socket_path (not socket activation) */
        bool no_logind;    /* --no-logind */

        Store *store;
        Accountant *acct;
        Control *control;
        Logind *logind;

        StoreConsent consent;
        bool have_consent;
        bool paused;
        int64_t paused_until; /* wall seconds; 0: until resumed */
        HintState hint;
        int64_t hint_expires_mono_us;
        int64_t hint_expires_wall;
        bool flush_failing;
        char status[128];

        struct event *flush_timer;
        struct event *hour_timer;
        struct event *pause_timer;
        struct event *hint_timer;
        struct event *signals[4];
} Daemon;

/* Recompute the person's state from consent, pause, logind and hints, account
 * the time since the last step, and re-arm the timers that depend on it. */
void daemon_update(Daemon *d);
/* Write the accountant's pending seconds to the store; on failure they stay
 * pending in memory and the next flush tries again. */
int daemon_flush(Daemon *d);
int daemon_reload(Daemon *d);
/* Consent granted for the text this daemon requires, and not revoked. */
bool daemon_consented(const Daemon *d);
/* "recording", "paused", "no-consent" or "consent-outdated". */
const char *daemon_recording(const Daemon *d);
int daemon_set_paused(Daemon *d, bool paused, int64_t until);
/* Seconds per bucket for local seconds [from, to), stored plus pending. */
int daemon_hours(Daemon *d, int64_t local_from, int64_t local_to, AcctBucket **ret, size_t *ret_n);

/* methods.c: answer a Varlink call (a ControlHandler). */
int daemon_method(const VarlinkCall *call, char **ret, size_t *ret_len, void *userdata);

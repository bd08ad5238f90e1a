/* kizukid's state: the record every module of the daemon takes. Types only,
 * no functions. */
#pragma once

#include <event2/event.h>
#include <stdbool.h>

#include "accountant.h"
#include "config.h"
#include "control.h"
#include "logind.h"
#include "policyset.h"
#include "store.h"
#include "summary.h"

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
        PolicySet *policies;

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
        struct event *eval_timer;
        struct event *retention_timer;
        struct event *signals[4];
} Daemon;

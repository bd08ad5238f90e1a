/* kizukid's state: the record every module of the daemon takes. Types only,
 * no functions: each field says which module writes it; the others read it
 * (or, better, ask that module). What includes this calls nothing by it. */
#pragma once

#include <event2/event.h>
#include <stdbool.h>
#include <stdint.h>

#include "accountant.h"
#include "config.h"
#include "control.h"
#include "logind.h"
#include "policyset.h"
#include "store.h"

typedef enum HintState {
        HINT_NONE,
        HINT_ACTIVE,
        HINT_IDLE,
        HINT_LOCKED,
        HINT_UNLOCKED,
} HintState;

/* An idle helper's report (kizuki-idle, over an attached control connection). */
typedef enum IdleState {
        IDLE_SOURCE_ACTIVE,
        IDLE_SOURCE_IDLE,
        IDLE_SOURCE_LOCKED,
        IDLE_SOURCE_LOST, /* its connection closed without a detach: state unknown */
} IdleState;

#define IDLE_SOURCES_MAX 8

typedef struct IdleSource {
        bool used;
        uint64_t peer;   /* the control connection; 0 once lost */
        char protocol[32];
        char session[64]; /* logind session id; "" for all of the person's sessions */
        IdleState state;
        int64_t timeout_s;
        int64_t since;   /* wall seconds of the last change */
} IdleSource;

typedef struct Daemon {
        /* kizukid.c (arguments) */
        char *config_path;
        char *state_dir;
        char *db_path;
        char *socket_path;
        bool no_logind; /* --no-logind */

        /* daemon.c: setup, reload, teardown */
        struct event_base *base;
        Config config;
        bool socket_bound; /* we created socket_path (not socket activation) */
        bool sleeping;     /* logind said the machine sleeps, as last seen */
        Store *store;
        Control *control;
        Logind *logind;
        struct event *eval_timer; /* armed by evaluate.c */
        struct event *retention_timer;

        /* evaluate.c */
        PolicySet *policies;

        /* recorder.c: consent, pause, hints, accounting */
        Accountant *acct;
        StoreConsent consent;
        bool have_consent;
        bool paused;
        int64_t paused_until; /* wall seconds; 0: until resumed */
        HintState hint;
        int64_t hint_expires_mono_us;
        int64_t hint_expires_wall;
        bool flush_failing;
        bool fold_due; /* the wall clock went back: fold stored future hours at the next flush */
        int64_t flush_due_mono_us; /* when flush_timer fires; 0: not armed */
        char status[128];
        struct event *flush_timer;
        struct event *hour_timer;
        struct event *pause_timer;
        struct event *hint_timer;

        /* idle-source.c: attached idle helpers */
        IdleSource idle_sources[IDLE_SOURCES_MAX];
} Daemon;

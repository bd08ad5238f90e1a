/* What kizukid's modules call in each other (the state: daemon-state.h). */
#pragma once

#include <json-c/json.h>

#include "daemon-state.h"
#include "varlink.h"

/* methods-privacy.c: the local seconds of the first day within retention_days;
 * data of earlier days is deleted daily (daemon_expire) and not imported. */
int64_t daemon_retention_first_day(const Daemon *d);

/* Recompute the person's state from consent, pause, logind and hints, account
 * the time since the last step, and re-arm the timers that depend on it. */
void daemon_update(Daemon *d);
/* Write the accountant's pending seconds to the store; on failure they stay
 * pending in memory and the next flush tries again. */
int daemon_flush(Daemon *d);
/* Re-read kizukid.conf and the policies (problems: see daemon_load_policies). */
int daemon_reload(Daemon *d, json_object *problems);
/* Consent granted for the text this daemon requires, and not revoked. */
bool daemon_consented(const Daemon *d);
/* "recording", "paused", "no-consent" or "consent-outdated". */
const char *daemon_recording(const Daemon *d);
int daemon_set_paused(Daemon *d, bool paused, int64_t until);
/* Seconds per bucket for local seconds [from, to), stored plus pending. */
int daemon_hours(Daemon *d, int64_t local_from, int64_t local_to, AcctBucket **ret, size_t *ret_n);

/* Daily signals and check-ins of the local days first..last (local seconds). */
int daemon_days(Daemon *d, int64_t first, int64_t last, DaySignals **ret, size_t *ret_n, Checkin **ret_c,
                size_t *ret_nc);

/* evaluate.c: (re)load the policy files (problems logged and, when problems is
 * not NULL, appended to it as strings); evaluate them for today, appending the
 * nudges raised to raised (may be NULL); evaluate when due and arm the timer. */
int daemon_load_policies(Daemon *d, json_object *problems);
int daemon_eval_policies(Daemon *d, json_object *raised, int *ret_evaluated);
void daemon_eval_if_due(Daemon *d);

/* methods-privacy.c: delete what is older than retention_days (buckets,
 * check-ins, nudges) and share_log_days (the share log), as forget does. */
int daemon_expire(Daemon *d);

/* methods.c: answer a Varlink call (a ControlHandler). */
int daemon_method(const VarlinkCall *call, char **ret, size_t *ret_len, void *userdata);

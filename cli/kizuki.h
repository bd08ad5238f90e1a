/* kizuki, the CLI: the command table.
 *
 * Each command is an entry in its own cli/cmd-*.c (Command, command.h) and
 * calls no other command: what several share lives in modules of its own
 * (hours.c, days.c, actogram.c, nudge-view.c, problems.c, client.c).
 * cli/kizuki.c holds the table, parses the global options, looks the command
 * up and maps the result of exec() to the exit status: ≥ 0 → 0, usage error
 * → 2, other failure → 1. A command prints its own errors (once, where it
 * decides) before returning. */
#pragma once

#include "command.h"
#include "output.h"
#include "protocol.h"

extern const Command cmd_status;
extern const Command cmd_consent;
extern const Command cmd_pause;
extern const Command cmd_resume;
extern const Command cmd_hint;
extern const Command cmd_hours;
extern const Command cmd_days;
extern const Command cmd_week;
extern const Command cmd_actogram;
extern const Command cmd_import;
extern const Command cmd_checkin;
extern const Command cmd_policy;
extern const Command cmd_nudges;
extern const Command cmd_nudge;
extern const Command cmd_explain;
extern const Command cmd_reload;
extern const Command cmd_digest;
extern const Command cmd_recipients;
extern const Command cmd_share;
extern const Command cmd_shares;
extern const Command cmd_privacy;
extern const Command cmd_resources;
extern const Command cmd_export;
extern const Command cmd_forget;

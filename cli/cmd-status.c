/* kizuki status: recording state, consent, sources, today's totals and the
 * unread nudges. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "kizuki.h"
#include "macro.h"
#include "nudge-view.h"
#include "output.h"

/* "Label:    value" with the labels aligned; the value in color (may be ""). */
static void status_line(const Ctx *ctx, const char *label, const char *color, const char *fmt, ...)
        __attribute__((format(printf, 4, 5)));
static void status_line(const Ctx *ctx, const char *label, const char *color, const char *fmt, ...) {
        va_list ap;

        printf("%s%s:%s%*s%s", output_color(ctx->color, ANSI_BOLD), label, output_color(ctx->color, ANSI_RESET),
               (int) (10 - strlen(label)), "", output_color(ctx->color && *color, color));
        va_start(ap, fmt);
        vprintf(fmt, ap);
        va_end(ap);
        printf("%s\n", output_color(ctx->color && *color, ANSI_RESET));
}

static void status_recording(const Ctx *ctx, json_object *st) {
        const char *rec;
        int64_t until;
        char when[OUTPUT_TIME_MAX], safe[64];

        if (client_get_string(st, "recording", &rec) < 0)
                return;
        if (strcmp(rec, "recording") == 0)
                status_line(ctx, "Recording", ANSI_GREEN, "on");
        else if (strcmp(rec, "paused") == 0) {
                if (client_get_int(st, "paused_until", &until) >= 0 &&
                    output_local_time(when, sizeof when, until, "%Y-%m-%d %H:%M") >= 0)
                        status_line(ctx, "Recording", ANSI_YELLOW, "paused until %s (local)", when);
                else
                        status_line(ctx, "Recording", ANSI_YELLOW, "paused until 'kizuki resume'");
        } else if (strcmp(rec, "no-consent") == 0)
                status_line(ctx, "Recording", ANSI_RED, "no consent (run 'kizuki consent grant')");
        else if (strcmp(rec, "consent-outdated") == 0)
                status_line(ctx, "Recording", ANSI_RED,
                            "consent outdated (the consent text changed; run 'kizuki consent grant')");
        else
                status_line(ctx, "Recording", "", "%s", output_safe(safe, sizeof safe, rec));
}

static void status_consent(const Ctx *ctx, json_object *st) {
        json_object *consent;
        int64_t granted, revoked;
        const char *version;
        bool current = true;
        char g[OUTPUT_TIME_MAX], rv[OUTPUT_TIME_MAX], v[64];
        int r;

        r = client_get_object(st, "consent", &consent);
        if (r == -ENODATA) {
                status_line(ctx, "Consent", "", "none");
                return;
        }
        if (r < 0 || client_get_int(consent, "granted_at", &granted) < 0 ||
            client_get_string(consent, "text_version", &version) < 0 ||
            output_local_time(g, sizeof g, granted, "%Y-%m-%d %H:%M") < 0)
                return;
        (void) client_get_bool(consent, "current", &current);
        output_safe(v, sizeof v, version);

        if (client_get_int(consent, "revoked_at", &revoked) >= 0 &&
            output_local_time(rv, sizeof rv, revoked, "%Y-%m-%d %H:%M") >= 0)
                status_line(ctx, "Consent", "", "revoked %s (granted %s, text v%s)", rv, g, v);
        else
                status_line(ctx, "Consent", "", "granted %s, text v%s%s", g, v,
                            current ? "" : " (an older text)");
}

static const char *session_state(json_object *s) {
        bool active = false, idle = false, locked = false;

        (void) client_get_bool(s, "active", &active);
        (void) client_get_bool(s, "idle", &idle);
        (void) client_get_bool(s, "locked", &locked);
        return locked ? "locked" : idle ? "idle" : active ? "active" : "in the background";
}

static void status_logind(const Ctx *ctx, json_object *st) {
        json_object *logind, *sessions;
        const char *state, *error;
        bool sleeping = false;
        char safe[256];

        if (client_get_object(st, "logind", &logind) < 0 || client_get_string(logind, "state", &state) < 0)
                return;

        if (strcmp(state, "connecting") == 0) {
                if (client_get_string(logind, "error", &error) >= 0)
                        status_line(ctx, "Logind", ANSI_YELLOW, "connecting (%s)", output_safe(safe, sizeof safe, error));
                else
                        status_line(ctx, "Logind", ANSI_YELLOW, "connecting");
                return;
        }
        if (strcmp(state, "connected") != 0) {
                status_line(ctx, "Logind", "", "%s", output_safe(safe, sizeof safe, state));
                return;
        }

        /* connected, 2 sessions: 3 active, 7 locked */
        char line[1024];
        size_t n = 0, count = 0;
        if (client_get_array(logind, "sessions", &sessions) >= 0)
                count = json_object_array_length(sessions);
        (void) client_get_bool(logind, "sleeping", &sleeping);

        int k = snprintf(line, sizeof line, "connected, %zu session%s", count, count == 1 ? "" : "s");
        n = k > 0 ? (size_t) k : 0;
        for (size_t i = 0; i < count && n < sizeof line; i++) {
                json_object *s = json_object_array_get_idx(sessions, i);
                const char *id;
                if (client_get_string(s, "id", &id) < 0)
                        continue;
                k = snprintf(line + n, sizeof line - n, "%s%s %s", i == 0 ? ": " : ", ",
                             output_safe(safe, sizeof safe, id), session_state(s));
                n += k > 0 ? (size_t) k : 0;
        }
        if (sleeping && n < sizeof line)
                snprintf(line + n, sizeof line - n, "; going to sleep");
        status_line(ctx, "Logind", "", "%s", line);
}

static void status_hint(const Ctx *ctx, json_object *st) {
        json_object *hint;
        const char *state;
        int64_t expires;
        char when[OUTPUT_TIME_MAX], safe[64];
        int r;

        r = client_get_object(st, "hint", &hint);
        if (r == -ENODATA) {
                status_line(ctx, "Hint", "", "none");
                return;
        }
        if (r < 0 || client_get_string(hint, "state", &state) < 0)
                return;
        if (client_get_int(hint, "expires_at", &expires) >= 0 && output_local_when(when, sizeof when, expires) >= 0)
                status_line(ctx, "Hint", "", "%s (until %s)", output_safe(safe, sizeof safe, state), when);
        else
                status_line(ctx, "Hint", "", "%s", output_safe(safe, sizeof safe, state));
}

/* "Source:" what decides "active" now (the idle helpers by protocol and
 * state), and a warning when the desktop never reports idle and no helper
 * runs. A daemon older than this kizuki sends neither: no line. */
static void status_source(const Ctx *ctx, json_object *st) {
        json_object *sources;
        const char *source;
        bool unreported = false;
        char line[512], safe[64], safe2[64];
        size_t n = 0;

        if (client_get_string(st, "activity_source", &source) < 0)
                return;
        if (strcmp(source, "idle-helper") == 0 && client_get_array(st, "idle_sources", &sources) >= 0) {
                int k = snprintf(line, sizeof line, "idle helper");
                n = k > 0 ? (size_t) k : 0;
                for (size_t i = 0; i < json_object_array_length(sources) && n < sizeof line; i++) {
                        json_object *s = json_object_array_get_idx(sources, i);
                        const char *protocol, *state;
                        if (client_get_string(s, "protocol", &protocol) < 0 || client_get_string(s, "state", &state) < 0)
                                continue;
                        k = snprintf(line + n, sizeof line - n, "%s%s %s", i == 0 ? ": " : ", ",
                                     output_safe(safe, sizeof safe, protocol),
                                     strcmp(state, "lost") == 0 ? "gone (time unobserved until it is back)"
                                                                : output_safe(safe2, sizeof safe2, state));
                        n += k > 0 ? (size_t) k : 0;
                }
                status_line(ctx, "Source", "", "%s", line);
        } else
                status_line(ctx, "Source", "", "%s",
                            strcmp(source, "hint") == 0     ? "kizuki hint"
                            : strcmp(source, "logind") == 0 ? "logind (the desktop's idle and lock hints)"
                                                            : "none (nothing tells kizukid whether you are there)");
        if (client_get_bool(st, "idle_unreported", &unreported) >= 0 && unreported)
                status_line(ctx, "Warning", ANSI_YELLOW,
                            "your desktop has not reported idle time since kizukid started, so all "
                            "logged-in time may count as active; enable the idle helper: "
                            "systemctl --user enable --now kizuki-idle");
}

static void status_print(const Ctx *ctx, json_object *st) {
        int64_t a, o, size;
        bool active;
        const char *path;
        char da[OUTPUT_DURATION_MAX], dob[OUTPUT_DURATION_MAX], sz[OUTPUT_SIZE_MAX], safe[4096];

        status_recording(ctx, st);
        status_consent(ctx, st);
        status_logind(ctx, st);
        status_hint(ctx, st);
        status_source(ctx, st);
        if (client_get_bool(st, "active", &active) >= 0)
                status_line(ctx, "Now", "", "%s", active ? "active" : "away");
        if (client_get_int(st, "today_active_s", &a) >= 0 && client_get_int(st, "today_observed_s", &o) >= 0)
                status_line(ctx, "Today", "", "%s active of %s observed",
                            output_duration(da, sizeof da, a), output_duration(dob, sizeof dob, o));
        if (client_get_string(st, "store_path", &path) >= 0) {
                if (client_get_int(st, "store_size", &size) >= 0)
                        status_line(ctx, "Store", "", "%s (%s)", output_safe(safe, sizeof safe, path),
                                    output_size(sz, sizeof sz, size));
                else
                        status_line(ctx, "Store", "", "%s", output_safe(safe, sizeof safe, path));
        }
}

/* Plain "kizuki" leads with the unread nudges, in full: what the person
 * opened it for. Returns 1 when it printed any, else 0. */
static int status_lead(const Ctx *ctx, json_object *st) {
        _cleanup_json_ json_object *reply = NULL;
        _cleanup_free_ Nudge *v = NULL;
        int64_t unread;
        size_t n = 0;
        int r;

        if (!ctx->home || client_get_int(st, "unread_nudges", &unread) < 0 || unread <= 0)
                return 0;
        r = nudges_fetch(ctx, false, &reply, &v, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                r = nudge_print_full(ctx, &v[i]);
                if (r < 0)
                        return r;
                putchar('\n');
        }
        return n > 0;
}

/* "Nudges:   2 unread" and one line per nudge (GetNudges), or only the count
 * when status_lead() showed them. A daemon that does not count nudges (older
 * than this kizuki) gets no line. */
static int status_nudges(const Ctx *ctx, json_object *st, bool shown) {
        _cleanup_json_ json_object *reply = NULL;
        _cleanup_free_ Nudge *v = NULL;
        int64_t unread;
        size_t n = 0;
        int r;

        if (client_get_int(st, "unread_nudges", &unread) < 0)
                return 0;
        if (unread <= 0) {
                status_line(ctx, "Nudges", "", "0 unread");
                return 0;
        }
        if (shown) {
                status_line(ctx, "Nudges", "", "%lld unread (above)", (long long) unread);
                printf("  'kizuki nudge ack ID' marks one read; 'kizuki explain ID' shows why.\n");
                return 0;
        }
        r = nudges_fetch(ctx, false, &reply, &v, &n);
        if (r < 0)
                return r;
        status_line(ctx, "Nudges", "", "%lld unread", (long long) unread);
        for (size_t i = 0; i < n; i++)
                nudge_print_line(ctx, &v[i], 2);
        printf("  Read them with 'kizuki nudges'; 'kizuki explain ID' shows why.\n");
        return 0;
}

/* "Sharing:  the digest of 2026-W13 did not reach therapist (…)" for one
 * failed share (an entry of the share log). */
static void status_share_failed(const Ctx *ctx, json_object *e) {
        const char *rc, *week, *detail = NULL;
        char r_safe[128], w_safe[32], d_safe[256], when[32];
        int64_t at;

        if (client_get_string(e, "recipient", &rc) < 0 || client_get_string(e, "week", &week) < 0 ||
            client_get_int(e, "at", &at) < 0)
                return;
        (void) client_get_string(e, "detail", &detail);
        if (output_bucket_time(when, sizeof when, at, 0, "%Y-%m-%d %H:%M") < 0)
                snprintf(when, sizeof when, "?");
        status_line(ctx, "Sharing", ANSI_YELLOW, "the digest of %s did not reach %s (%s UTC: %s)",
                    output_safe(w_safe, sizeof w_safe, week), output_safe(r_safe, sizeof r_safe, rc), when,
                    detail ? output_safe(d_safe, sizeof d_safe, detail) : "failed");
        printf("  Try again: kizuki share --to %s --week %s\n", r_safe, w_safe);
}

/* Each recipient whose newest share failed, until a later one succeeds:
 * GetStatus's failed_shares, or, from an older kizukid without it, the share
 * log (GetShares, newest first). Says nothing when all went well or the log
 * is empty. */
static void status_shares(const Ctx *ctx, json_object *status) {
        _cleanup_json_ json_object *params = NULL, *reply = NULL;
        json_object *shares;
        char seen[32][64];
        size_t n_seen = 0;

        if (client_get_array(status, "failed_shares", &shares) >= 0) {
                for (size_t i = 0; i < json_object_array_length(shares); i++)
                        status_share_failed(ctx, json_object_array_get_idx(shares, i));
                return;
        }
        params = json_object_new_object();
        if (!params || json_object_object_add(params, "limit", json_object_new_int(200)) < 0 ||
            client_invoke(ctx->socket_path, KIZUKI_NAME("GetShares"), params, &reply) < 0 ||
            client_get_array(reply, "shares", &shares) < 0)
                return;
        for (size_t i = 0; i < json_object_array_length(shares) && n_seen < ELEMENTSOF(seen); i++) {
                json_object *e = json_object_array_get_idx(shares, i);
                const char *rc, *result;
                bool known = false;

                if (client_get_string(e, "recipient", &rc) < 0 || client_get_string(e, "result", &result) < 0)
                        continue;
                for (size_t k = 0; k < n_seen && !known; k++)
                        known = strcmp(seen[k], rc) == 0;
                if (known)
                        continue;
                snprintf(seen[n_seen++], sizeof seen[0], "%s", rc);
                if (strcmp(result, "failed") == 0)
                        status_share_failed(ctx, e);
        }
}

static int status_exec(const Command *cmd, Ctx *ctx) {
        _cleanup_json_ json_object *reply = NULL;
        const char *rec;
        int r;

        (void) cmd;
        r = cmd_invoke(ctx, KIZUKI_NAME("GetStatus"), NULL, &reply);
        if (r <= 0)
                return r;
        if (client_get_string(reply, "recording", &rec) < 0) {
                fprintf(stderr, "kizuki: the reply of kizukid lacks 'recording'\n");
                return -EBADMSG;
        }
        r = status_lead(ctx, reply);
        if (r < 0)
                return r;
        status_print(ctx, reply);
        status_shares(ctx, reply);
        return status_nudges(ctx, reply, r > 0);
}

COMMAND(status,
        .usage = "[--json]",
        .summary = "Show recording state and unread nudges",
        .options = CMD_OPTIONS_JSON("Print the daemon's status as JSON."));

/* kizuki consent grant|revoke|show: the person's consent to recording. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "client.h"
#include "consent-text.h"
#include "kizuki.h"
#include "macro.h"
#include "output.h"
#include "version.h"

typedef struct ConsentInfo {
        bool present;
        int64_t granted_at;
        const char *text_version;
        const char *text_sha256;
        bool revoked;
        int64_t revoked_at;
        bool current;
} ConsentInfo;

/* Read a Consent object (null/absent → present = false). */
static int consent_parse(json_object *params, const char *key, ConsentInfo *ret) {
        json_object *c;
        int r;

        *ret = (ConsentInfo) {};
        r = client_get_object(params, key, &c);
        if (r == -ENODATA)
                return 0;
        if (r < 0 || client_get_int(c, "granted_at", &ret->granted_at) < 0 ||
            client_get_string(c, "text_version", &ret->text_version) < 0 ||
            client_get_string(c, "text_sha256", &ret->text_sha256) < 0 ||
            client_get_bool(c, "current", &ret->current) < 0)
                goto bad;
        r = client_get_int(c, "revoked_at", &ret->revoked_at);
        if (r < 0 && r != -ENODATA)
                goto bad;
        ret->revoked = r >= 0;
        ret->present = true;
        return 0;
bad:
        fprintf(stderr, "kizuki: kizukid sent a malformed consent record\n");
        return -EBADMSG;
}

/* GetConsent: the reply (owned by the caller) and its current record. */
static int consent_fetch(const Ctx *ctx, json_object **ret_reply, ConsentInfo *ret) {
        int r = client_invoke(ctx->socket_path, KIZUKI_NAME("GetConsent"), NULL, ret_reply);
        if (r < 0)
                return r;
        return consent_parse(*ret_reply, "consent", ret);
}

/* The consent text, with the real data directory for the variable it names
 * (the SHA-256 the daemon checks is that of the text as shipped). */
static void consent_print_text(FILE *f) {
        static const char var[] = "$XDG_STATE_HOME/kizuki";
        _cleanup_free_ char *dir = protocol_xdg_path("XDG_STATE_HOME", ".local/state", NULL);
        const char *at = strstr(consent_text, var);
        size_t n = strlen(consent_text);

        if (dir && at) {
                fwrite(consent_text, 1, (size_t) (at - consent_text), f);
                fputs(dir, f);
                fputs(at + strlen(var), f);
        } else
                fputs(consent_text, f);
        if (n > 0 && consent_text[n - 1] != '\n')
                fputc('\n', f);
}

/* Ask on the terminal. 1: yes, 0: anything else (or end of input). */
static int consent_ask(void) {
        _cleanup_free_ char *line = NULL;
        size_t size = 0;
        /* The question goes where the person looks: stdout, unless that is redirected. */
        FILE *out = isatty(STDOUT_FILENO) ? stdout : stderr;

        fputs("Do you consent to recording? [y/N] ", out);
        fflush(out);
        ssize_t n = getline(&line, &size, stdin);
        if (n < 0) {
                fputc('\n', out);
                return 0;
        }
        line[strcspn(line, "\r\n")] = '\0';
        return strcasecmp(line, "y") == 0 || strcasecmp(line, "yes") == 0;
}

static int consent_grant(const Ctx *ctx, bool yes) {
        _cleanup_json_ json_object *current = NULL, *params = NULL, *reply = NULL;
        const char *version, *sha;
        ConsentInfo info;
        char g[OUTPUT_TIME_MAX], safe[128], safe2[128];
        int r;

        /* Ask only when there is something to grant, and for the text the daemon requires. */
        r = consent_fetch(ctx, &current, &info);
        if (r < 0)
                return r;
        if (client_get_string(current, "consent_version", &version) >= 0 &&
            client_get_string(current, "consent_sha256", &sha) >= 0 &&
            (strcmp(version, KIZUKI_CONSENT_VERSION) != 0 || strcmp(sha, consent_text_SHA256) != 0)) {
                fprintf(stderr,
                        "kizuki: kizukid requires consent to another text than this kizuki shows:\n"
                        "  kizukid: version %s, SHA-256 %s\n"
                        "  kizuki:  version %s, SHA-256 %s\n"
                        "They come from different releases; update or restart them.\n",
                        output_safe(safe, sizeof safe, version), output_safe(safe2, sizeof safe2, sha),
                        KIZUKI_CONSENT_VERSION, consent_text_SHA256);
                return -EPROTO;
        }
        if (info.present && !info.revoked && info.current) {
                if (output_local_time(g, sizeof g, info.granted_at, "%Y-%m-%d %H:%M") < 0)
                        g[0] = '\0';
                printf("Consent is already granted (%s, text v%s).\n", g,
                       output_safe(safe, sizeof safe, info.text_version));
                return 0;
        }

        if (!yes && !isatty(STDIN_FILENO)) {
                fprintf(stderr,
                        "kizuki: consent needs your answer on a terminal: run 'kizuki consent grant' in one,\n"
                        "or add --yes once you have read the text ('kizuki consent show --text').\n"
                        "Consent was not granted.\n");
                return -ENOTTY;
        }

        consent_print_text(stdout);
        fputc('\n', stdout);
        if (!yes) {
                if (!isatty(STDOUT_FILENO)) /* the person must have seen what they agree to */
                        consent_print_text(stderr);
                if (consent_ask() <= 0) {
                        printf("Consent not granted: nothing is recorded.\n");
                        return -ECANCELED;
                }
        }

        params = json_object_new_object();
        if (!params ||
            json_object_object_add(params, "text_version", json_object_new_string(KIZUKI_CONSENT_VERSION)) < 0 ||
            json_object_object_add(params, "text_sha256", json_object_new_string(consent_text_SHA256)) < 0)
                return -ENOMEM;
        r = client_invoke(ctx->socket_path, KIZUKI_NAME("GrantConsent"), params, &reply);
        if (r < 0)
                return r;
        printf("Consent granted. kizukid records your active time per hour from now on. "
               "'kizuki consent revoke' stops it.\n");
        return 0;
}

static int consent_revoke(const Ctx *ctx) {
        _cleanup_json_ json_object *current = NULL, *reply = NULL;
        ConsentInfo info;
        char rv[OUTPUT_TIME_MAX];
        int r;

        /* RevokeConsent answers with the newest record even when it was revoked
         * before: look first, so a second revoke does not claim to stop anything. */
        r = consent_fetch(ctx, &current, &info);
        if (r < 0)
                return r;
        if (info.present && info.revoked) {
                if (output_local_time(rv, sizeof rv, info.revoked_at, "%Y-%m-%d %H:%M") < 0)
                        rv[0] = '\0';
                printf("No consent to revoke: it was revoked on %s.\n", rv);
                return 0;
        }

        r = client_invoke(ctx->socket_path, KIZUKI_NAME("RevokeConsent"), NULL, &reply);
        if (r < 0)
                return r;
        r = consent_parse(reply, "consent", &info);
        if (r < 0)
                return r;
        if (!info.present)
                printf("No consent to revoke.\n");
        else
                printf("Consent revoked: recording stopped. Data already recorded is kept "
                       "('kizuki forget' deletes it).\n");
        return 0;
}

static int consent_show(const Ctx *ctx) {
        _cleanup_json_ json_object *reply = NULL;
        const char *version = "?", *sha = "?";
        ConsentInfo info;
        char g[OUTPUT_TIME_MAX], rv[OUTPUT_TIME_MAX], s1[128], s2[128];
        int r;

        r = cmd_invoke(ctx, KIZUKI_NAME("GetConsent"), NULL, &reply);
        if (r <= 0)
                return r;

        r = consent_parse(reply, "consent", &info);
        if (r < 0)
                return r;
        (void) client_get_string(reply, "consent_version", &version);
        (void) client_get_string(reply, "consent_sha256", &sha);

        const char *bold = output_color(ctx->color, ANSI_BOLD), *reset = output_color(ctx->color, ANSI_RESET);
        if (!info.present)
                printf("%sConsent:%s  not granted (run 'kizuki consent grant')\n", bold, reset);
        else {
                if (output_local_time(g, sizeof g, info.granted_at, "%Y-%m-%d %H:%M") < 0)
                        g[0] = '\0';
                if (info.revoked) {
                        if (output_local_time(rv, sizeof rv, info.revoked_at, "%Y-%m-%d %H:%M") < 0)
                                rv[0] = '\0';
                        printf("%sConsent:%s  revoked %s (granted %s)\n", bold, reset, rv, g);
                } else if (!info.current)
                        printf("%sConsent:%s  granted %s for an older text: run 'kizuki consent grant'\n",
                               bold, reset, g);
                else
                        printf("%sConsent:%s  granted %s\n", bold, reset, g);
                printf("%sShown:%s    text v%s, SHA-256 %s\n", bold, reset,
                       output_safe(s1, sizeof s1, info.text_version), output_safe(s2, sizeof s2, info.text_sha256));
        }
        printf("%sRequired:%s text v%s, SHA-256 %s\n", bold, reset,
               output_safe(s1, sizeof s1, version), output_safe(s2, sizeof s2, sha));
        return 0;
}

typedef struct ConsentArgs {
        bool yes, text; /* --yes, --text */
} ConsentArgs;

static const CmdOption consent_options[] = {
        { .name = "yes", .id = 'y', .flags = CMD_SHORT | CMD_STORE, .offset = offsetof(ConsentArgs, yes) },
        CMD_OPTION_JSON(),
        CMD_OPTION_BOOL("text", 't', ConsentArgs, text),
        {},
};

static int consent_exec(const Command *cmd, Ctx *ctx) {
        const ConsentArgs *args = ctx->userdata;
        const char *sub = ctx->argc > 0 ? ctx->argv[0] : "show";

        if (strcmp(sub, "grant") == 0) {
                if (ctx->json || args->text)
                        return cmd_usage_error(cmd, ctx, "--json and --text go with 'show'");
                return consent_grant(ctx, args->yes);
        }
        if (args->yes)
                return cmd_usage_error(cmd, ctx, "--yes goes with 'grant'");
        if (strcmp(sub, "revoke") == 0) {
                if (ctx->json || args->text)
                        return cmd_usage_error(cmd, ctx, "--json and --text go with 'show'");
                return consent_revoke(ctx);
        }
        if (strcmp(sub, "show") == 0) {
                if (ctx->json && args->text)
                        return cmd_usage_error(cmd, ctx, "--json and --text exclude each other");
                if (args->text) {
                        consent_print_text(stdout);
                        return 0;
                }
                return consent_show(ctx);
        }
        return cmd_usage_error(cmd, ctx, "unknown subcommand '%s'", sub);
}

COMMAND(consent,
        .usage = "grant [--yes] | revoke | show [--json|--text]",
        .summary = "Grant, revoke or show consent to recording",
        .help = "  grant                 Show the consent text, ask, and grant consent.\n"
                "    -y, --yes           Grant without asking (the text is still printed).\n"
                "  revoke                Revoke consent: recording stops at once; data is kept.\n"
                "  show                  Show the consent on record (the default).\n"
                "    --json              Print it as JSON.\n"
                "    --text              Print the consent text of this kizuki.\n",
        .args = { 0, 1 },
        .options = consent_options,
        CMD_USERDATA(ConsentArgs));

/* kizuki share --to NAME [--week W] [--dry-run] [--yes]: fetch the digest at
 * the recipient's level, render it in the recipient's format, show exactly
 * what will be sent, ask, send (cli/share.c) and record it (LogShare).
 * kizuki share --scheduled: last week's digest to every recipient with
 * schedule = weekly that has not had it yet (kizuki-share.service). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "kizuki.h"
#include "macro.h"
#include "output.h"
#include "recipients.h"
#include "sha256.h"
#include "share.h"

typedef struct Rendering {
        char *data;
        size_t len;
} Rendering;

static void rendering_done(Rendering *r) {
        free(r->data);
        *r = (Rendering) {};
}

/* Everything that goes out for one share, rendered from one model. */
typedef struct Outgoing {
        char week[ISO_WEEK_MAX];
        Rendering main, text, html, attachment;
        DigestFormat attachment_format;
        char sha256[SHA256_HEX_SIZE];
} Outgoing;

static void outgoing_done(Outgoing *o) {
        rendering_done(&o->main);
        rendering_done(&o->text);
        rendering_done(&o->html);
        rendering_done(&o->attachment);
}

static void on_problem(const char *message, void *userdata) {
        fprintf(stderr, "kizuki: %s/%s\n", (const char *) userdata, message);
}

static int render(json_object *model, DigestFormat f, const DigestOptions *o, Rendering *ret) {
        int r = digest_render(model, f, o, &ret->data, &ret->len);
        if (r < 0)
                fprintf(stderr, "kizuki share: cannot render the digest as %s: %s\n", digest_format_to_string(f),
                        strerror(-r));
        return r;
}

static int outgoing_build(const Recipient *rc, json_object *model, Outgoing *o) {
        DigestOptions opts = { .patient_id = rc->patient_id };
        json_object *w;
        int r;

        if (!json_object_object_get_ex(model, "week", &w) || !json_object_is_type(w, json_type_string) ||
            json_object_get_string_len(w) != 8) {
                fprintf(stderr, "kizuki share: the digest names no week\n");
                return -EBADMSG;
        }
        memcpy(o->week, json_object_get_string(w), 9);
        if ((r = render(model, rc->format, &opts, &o->main)) < 0 || (r = render(model, DIGEST_FORMAT_TEXT, &opts, &o->text)) < 0)
                return r;
        if (rc->transport != RECIPIENT_HTTPS) {
                o->attachment_format = rc->format == DIGEST_FORMAT_FHIR ? DIGEST_FORMAT_FHIR : DIGEST_FORMAT_JSON;
                if ((rc->format != DIGEST_FORMAT_TEXT && (r = render(model, DIGEST_FORMAT_HTML, &opts, &o->html)) < 0) ||
                    (r = render(model, o->attachment_format, &opts, &o->attachment)) < 0)
                        return r;
        }
        sha256_hex(o->main.data, o->main.len, o->sha256);
        return 0;
}

static void print_preview(const Recipient *rc, const Outgoing *o) {
        char size[OUTPUT_SIZE_MAX], b[512];

        printf("To:        %s (%s)\n", output_safe(b, sizeof b, rc->display_name), rc->name);
        if (rc->transport == RECIPIENT_HTTPS)
                printf("Via:       %s POST to %s port %d\n", rc->scheme, rc->host, rc->port);
        else {
                printf("Via:       %s mail through %s port %d to", rc->scheme, rc->host, rc->port);
                for (size_t i = 0; i < rc->n_to; i++)
                        printf("%s %s", i > 0 ? "," : "", rc->to[i]);
                putchar('\n');
        }
        printf("Week:      %s\n", o->week);
        printf("Level:     %s\n", digest_level_to_string(rc->level));
        printf("Format:    %s (%s), %s\n", digest_format_to_string(rc->format), digest_content_type(rc->format),
               output_size(size, sizeof size, (int64_t) o->main.len));
        if (rc->transport != RECIPIENT_HTTPS)
                printf("Mail:      %s body%s, %s attached\n", rc->format == DIGEST_FORMAT_TEXT ? "text" : "HTML",
                       rc->format == DIGEST_FORMAT_TEXT ? "" : " with a text alternative",
                       digest_format_to_string(o->attachment_format));
        printf("SHA-256:   %s\n", o->sha256);
        printf("\n---- the digest, as text ----\n");
        fwrite(o->text.data, 1, o->text.len, stdout);
        if (o->text.len > 0 && o->text.data[o->text.len - 1] != '\n')
                putchar('\n');
        printf("---- end ----\n\n");
        fflush(stdout);
}

/* y/yes on the terminal: 1; anything else: 0. */
static int confirm(const Recipient *rc) {
        char line[64], b[256];

        printf("Send this to %s? [y/N] ", output_safe(b, sizeof b, rc->display_name));
        fflush(stdout);
        if (!fgets(line, sizeof line, stdin))
                return 0;
        line[strcspn(line, "\r\n")] = '\0';
        return strcmp(line, "y") == 0 || strcmp(line, "Y") == 0 || strcmp(line, "yes") == 0;
}

static int log_share(const Ctx *ctx, const Recipient *rc, const Outgoing *o, const ShareResult *res, int64_t *ret_id) {
        _cleanup_json_ json_object *params = json_object_new_object(), *reply = NULL;

        if (!params ||
            json_object_object_add(params, "recipient", json_object_new_string(rc->name)) < 0 ||
            json_object_object_add(params, "transport", json_object_new_string(recipient_log_transport(rc))) < 0 ||
            json_object_object_add(params, "week", json_object_new_string(o->week)) < 0 ||
            json_object_object_add(params, "level", json_object_new_string(digest_level_to_string(rc->level))) < 0 ||
            json_object_object_add(params, "format", json_object_new_string(digest_format_to_string(rc->format))) < 0 ||
            json_object_object_add(params, "size", json_object_new_int64((int64_t) o->main.len)) < 0 ||
            json_object_object_add(params, "sha256", json_object_new_string(o->sha256)) < 0 ||
            json_object_object_add(params, "result", json_object_new_string(res->accepted ? "sent" : "failed")) < 0 ||
            json_object_object_add(params, "detail", json_object_new_string(res->detail)) < 0)
                return -ENOMEM;
        int r = client_invoke(ctx->socket_path, KIZUKI_NAME("LogShare"), params, &reply);
        if (r >= 0 && client_get_int(reply, "id", ret_id) < 0)
                *ret_id = 0;
        return r;
}

/* Whether the share log says week already went to name. */
static bool already_sent(json_object *shares, const char *name, const char *week) {
        size_t n = shares ? json_object_array_length(shares) : 0;

        for (size_t i = 0; i < n; i++) {
                json_object *s = json_object_array_get_idx(shares, i);
                const char *rn, *wk, *res;
                if (client_get_string(s, "recipient", &rn) >= 0 && client_get_string(s, "week", &wk) >= 0 &&
                    client_get_string(s, "result", &res) >= 0 && strcmp(rn, name) == 0 && strcmp(wk, week) == 0 &&
                    strcmp(res, "sent") == 0)
                        return true;
        }
        return false;
}

typedef struct ShareArgs {
        const char *to;   /* --to */
        const char *week; /* NULL: the last complete week */
        bool dry_run, yes, scheduled;
        json_object *log; /* --scheduled: the share log, to skip weeks already sent */
} ShareArgs;

static int share_one(const Ctx *ctx, const char *dir, const char *name, const ShareArgs *a) {
        _cleanup_recipient_ Recipient *rc = NULL;
        _cleanup_json_ json_object *model = NULL;
        _cleanup_(outgoing_done) Outgoing o = {};
        ShareResult res;
        int64_t id = 0;
        int r;

        r = recipient_load(dir, name, on_problem, (void *) dir, &rc);
        if (r == -ENOENT)
                fprintf(stderr, "kizuki share: no recipient '%s' (no file %s/%s.conf)\n", name, dir, name);
        else if (r == -EBADMSG)
                fprintf(stderr, "kizuki share: %s/%s.conf is not valid; nothing was sent\n", dir, name);
        else if (r < 0)
                fprintf(stderr, "kizuki share: cannot read %s/%s.conf: %s\n", dir, name, strerror(-r));
        if (r < 0)
                return r;

        r = digest_fetch(ctx->socket_path, a->week, rc->level, &model);
        if (r < 0)
                return r;
        r = outgoing_build(rc, model, &o);
        if (r < 0)
                return r;
        if (a->scheduled && already_sent(a->log, rc->name, o.week)) {
                printf("%s: the digest of %s was already sent; skipping.\n", rc->name, o.week);
                return 0;
        }
        print_preview(rc, &o);
        if (a->dry_run) {
                printf("Dry run: nothing was sent and nothing was logged.\n");
                return 0;
        }
        if (!a->yes && !confirm(rc)) {
                printf("Not sent.\n");
                return 0;
        }

        SharePayload p = {
                .week = o.week,
                .format = rc->format,
                .main = o.main.data,
                .main_len = o.main.len,
                .text = o.text.data,
                .text_len = o.text.len,
                .html = o.html.data,
                .html_len = o.html.len,
                .attachment = o.attachment.data,
                .attachment_len = o.attachment.len,
                .attachment_format = o.attachment_format,
        };
        r = share_send(rc, &p, &res);
        if (r < 0 && res.attempts == 0) {
                /* Nothing left the machine: the secret file or the setup was refused. */
                fprintf(stderr, "kizuki share: %s: %s; nothing was sent\n", rc->name, res.detail);
                return r;
        }
        int q = log_share(ctx, rc, &o, &res, &id);
        if (r < 0) {
                fprintf(stderr, "kizuki share: sending to %s failed after %d attempt%s: %s\n", rc->name, res.attempts,
                        res.attempts == 1 ? "" : "s", res.detail);
                if (q < 0)
                        fprintf(stderr, "kizuki share: and the failure could not be logged\n");
                return r;
        }
        if (q < 0) {
                fprintf(stderr, "kizuki share: the digest WAS sent to %s (%s), but the share could not be logged\n",
                        rc->name, res.detail);
                return q;
        }
        printf("Sent %s to %s (%s); logged as share %lld.\n", o.week, rc->name, res.detail, (long long) id);
        return 0;
}

static int share_scheduled(const Ctx *ctx, const char *dir, ShareArgs *a) {
        _cleanup_json_ json_object *reply = NULL;
        char **names = NULL;
        size_t n = 0, weekly = 0, failed = 0;
        int r;

        r = recipients_list(dir, &names, &n);
        if (r < 0) {
                fprintf(stderr, "kizuki share: cannot list %s: %s\n", dir, strerror(-r));
                return r;
        }
        r = client_invoke(ctx->socket_path, KIZUKI_NAME("GetShares"), NULL, &reply);
        if (r < 0 || client_get_array(reply, "shares", &a->log) < 0) {
                recipients_names_free(names, n);
                return r < 0 ? r : -EBADMSG;
        }
        for (size_t i = 0; i < n; i++) {
                _cleanup_recipient_ Recipient *rc = NULL;
                r = recipient_load(dir, names[i], on_problem, (void *) dir, &rc);
                if (r < 0) {
                        fprintf(stderr, "kizuki share: skipping %s: its file is not valid\n", names[i]);
                        failed++;
                        continue;
                }
                if (!rc->weekly)
                        continue;
                weekly++;
                if (share_one(ctx, dir, names[i], a) < 0)
                        failed++;
        }
        recipients_names_free(names, n);
        if (weekly == 0)
                printf("No recipient has schedule = weekly; nothing to send.\n");
        return failed > 0 ? -EIO : 0;
}

static const CmdOption share_options[] = {
        CMD_OPTION("to", 't', CMD_ARG | CMD_SHORT | CMD_STORE, .offset = offsetof(ShareArgs, to),
                   CMD_HELP("-t, --to NAME", "The recipient (recipients.d/NAME.conf, see kizuki-recipient(5)).")),
        CMD_OPTION("week", 'w', CMD_ARG | CMD_SHORT | CMD_STORE, .offset = offsetof(ShareArgs, week),
                   CMD_HELP("-w, --week WEEK", "The week to share: YYYY-Www, this-week, last-week\n"
                                                 "or -Nw (default: the last complete week).")),
        CMD_OPTION("dry-run", 'n', CMD_SHORT | CMD_STORE, .offset = offsetof(ShareArgs, dry_run),
                   CMD_HELP("-n, --dry-run", "Show what would be sent; send nothing, log nothing.")),
        CMD_OPTION("yes", 'y', CMD_SHORT | CMD_STORE, .offset = offsetof(ShareArgs, yes),
                   CMD_HELP("-y, --yes", "Send without asking (needed when stdin is not a terminal).")),
        CMD_OPTION_BOOL("scheduled", 'S', ShareArgs, scheduled,
                        CMD_HELP("--scheduled", "Send last week's digest to every recipient with\n"
                                                "schedule = weekly that has not had it yet (kizuki-share.timer).")),
        {},
};

static int share_exec(const Command *cmd, Ctx *ctx) {
        _cleanup_free_ char *dir = NULL;
        ShareArgs *a = ctx->userdata;
        const char *to;
        char week_buf[ISO_WEEK_MAX];
        int r;

        to = a->to;
        if (a->scheduled && (to || a->week || a->dry_run))
                return cmd_usage_error(cmd, ctx, "--scheduled takes no --to, --week or --dry-run");
        if (!a->scheduled && !to)
                return cmd_usage_error(cmd, ctx, "say who to share with: --to NAME (see 'kizuki recipients')");
        if (to && !recipient_name_valid(to))
                return cmd_usage_error(cmd, ctx, "invalid recipient name '%s' (letters, digits, '-' and '_')", to);
        if (a->week) {
                /* As the daemon spells it ("2026-w13" is accepted here, not there). */
                r = cmd_parse_week(cmd, ctx, a->week, week_buf, NULL);
                if (r < 0)
                        return r;
                a->week = week_buf;
        }
        if (!a->dry_run && !a->yes && !a->scheduled && !isatty(STDIN_FILENO)) {
                fprintf(stderr, "kizuki share: not asking for confirmation without a terminal; pass --yes to send "
                                "(or --dry-run to see what would be sent)\n");
                return -EPERM;
        }
        a->yes = a->yes || a->scheduled;

        r = recipients_dir(&dir);
        if (r < 0) {
                fprintf(stderr, "kizuki share: cannot find the configuration directory (set HOME or XDG_CONFIG_HOME)\n");
                return r;
        }
        if (a->scheduled)
                return share_scheduled(ctx, dir, a);
        return share_one(ctx, dir, to, a);
}

COMMAND(share,
        .usage = "--to NAME [--week WEEK] [--dry-run] [--yes] | --scheduled",
        .summary = "Show, then send, a digest to a recipient",
        .options = share_options,
        CMD_USERDATA(ShareArgs));

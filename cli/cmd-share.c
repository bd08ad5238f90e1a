/* kizuki share --to NAME [--week W] [--dry-run] [--yes]: fetch the digest at
 * the recipient's level, render it in the recipient's format, show exactly
 * what will be sent, ask, send (cli/share.c) and record it (LogShare).
 * kizuki share --scheduled: last week's digest to every recipient with
 * schedule = weekly that has not had it yet (kizuki-share.service). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "calendar.h"
#include "timeutil.h"

#include "client.h"
#include "kizuki.h"
#include "macro.h"
#include "output.h"
#include "recipients.h"
#include "sha256.h"
#include "share-view.h"
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

/* Who, how, what and its hash: above the content, and again just above the
 * question, so that a long preview does not scroll it out of sight. */
static void print_header(const Recipient *rc, const Outgoing *o) {
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
        printf("SHA-256:   %s (of the %s bytes that are sent)\n", o->sha256, digest_format_to_string(rc->format));
}

/* The header, then a view of exactly the bytes that are sent (share-view.h). */
static int print_preview(const Recipient *rc, const Outgoing *o) {
        print_header(rc, o);
        printf("\n---- exactly what is sent (%s%s) ----\n", digest_format_to_string(rc->format),
               rc->format == DIGEST_FORMAT_HTML   ? ", shown as its text"
               : rc->format == DIGEST_FORMAT_FHIR ? ", shown as its identifiers and observations"
                                                  : "");
        if (share_view(stdout, rc->format, o->main.data, o->main.len) < 0) {
                fprintf(stderr, "kizuki share: cannot show the %s digest; nothing was sent\n",
                        digest_format_to_string(rc->format));
                return -EBADMSG;
        }
        if (rc->transport != RECIPIENT_HTTPS)
                printf("(and attached: the same digest as %s, %zu bytes)\n",
                       digest_format_to_string(o->attachment_format), o->attachment.len);
        printf("---- end ----\n\n");
        fflush(stdout);
        return 0;
}

/* Days the week's figures could use: 0 means nothing was recorded well enough. */
static int64_t model_days(json_object *model) {
        json_object *mean;
        int64_t days = 0;

        if (client_get_object(model, "mean", &mean) < 0 || client_get_int(mean, "days", &days) < 0)
                return 0;
        return days;
}

/* y/yes on the terminal: 1; anything else: 0. */
static int confirm(const Recipient *rc, bool empty) {
        char line[64], b[256];

        printf("Send this%s to %s? [y/N] ", empty ? " empty digest" : "", output_safe(b, sizeof b, rc->display_name));
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
        r = print_preview(rc, &o);
        if (r < 0)
                return r;
        bool empty = model_days(model) == 0;
        if (empty)
                printf("Note: %s has no day recorded well enough for weekly figures; the digest is empty.\n",
                       o.week);
        if (a->dry_run) {
                printf("Dry run: nothing was sent and nothing was logged.\n");
                return 0;
        }
        if (empty && a->yes) {
                /* Without a person to ask, an empty digest is not worth sending. */
                fprintf(stderr, "kizuki share: not sending an empty digest of %s to %s without asking; run it "
                                "without --yes to decide\n",
                        o.week, rc->name);
                return -ENODATA;
        }
        if (!a->yes) {
                print_header(rc, &o);
                if (!confirm(rc, empty)) {
                        printf("Not sent.\n");
                        return 0;
                }
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

#define CATCH_UP_WEEKS 4

/* The Monday of the newest week the log says went to name; -1 when none did. */
static int64_t newest_sent(json_object *shares, const char *name) {
        size_t n = shares ? json_object_array_length(shares) : 0;
        int64_t newest = -1, mon;

        for (size_t i = 0; i < n; i++) {
                json_object *s = json_object_array_get_idx(shares, i);
                const char *rn, *wk, *res;
                if (client_get_string(s, "recipient", &rn) >= 0 && client_get_string(s, "week", &wk) >= 0 &&
                    client_get_string(s, "result", &res) >= 0 && strcmp(rn, name) == 0 &&
                    strcmp(res, "sent") == 0 && iso_week_parse(wk, &mon) >= 0 && mon > newest)
                        newest = mon;
        }
        return newest;
}

/* The weekly rule: every complete week after the newest one the recipient
 * has had, oldest first, at most the CATCH_UP_WEEKS newest of them (a
 * machine that was off for a while catches up, without flooding); a
 * recipient that never had one gets the last complete week only. An empty
 * week is skipped (and tried again next time). */
static int share_weekly(const Ctx *ctx, const char *dir, const char *name, const ShareArgs *a) {
        int64_t now = (int64_t) time(NULL), last, first, newest = newest_sent(a->log, name);
        char week[ISO_WEEK_MAX];
        int failed = 0;

        if (iso_week_of(local_midnight(now, tz_offset_at(now, NULL)) - 7 * DAY_S, week, &last) < 0)
                return -ERANGE;
        first = newest < 0 ? last : newest + 7 * DAY_S;
        if (first > last) {
                printf("%s: the digest of %s was already sent; nothing to send.\n", name, week);
                return 0;
        }
        if (first < last - (CATCH_UP_WEEKS - 1) * 7 * DAY_S)
                first = last - (CATCH_UP_WEEKS - 1) * 7 * DAY_S;
        for (int64_t mon = first; mon <= last; mon += 7 * DAY_S) {
                ShareArgs one = *a;
                int r;

                if (iso_week_of(mon, week, NULL) < 0)
                        return -ERANGE;
                one.week = week;
                r = share_one(ctx, dir, name, &one);
                if (r == -ENODATA)
                        printf("%s: %s has no recorded day; not sent, tried again next time.\n", name, week);
                else if (r < 0)
                        failed++;
        }
        return failed > 0 ? -EIO : 0;
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
                if (share_weekly(ctx, dir, names[i], a) < 0)
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

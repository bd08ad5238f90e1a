/* kizuki recipients [list] | show NAME | check NAME: the recipient files in
 * $XDG_CONFIG_HOME/kizuki/recipients.d. list and show read the files only
 * (secret files are checked for owner and mode, never read); check also
 * reads the secret and connects without sending anything. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "kizuki.h"
#include "macro.h"
#include "output.h"
#include "recipients.h"
#include "share.h"

typedef struct Problems {
        const char *dir;
        json_object *list; /* NULL: print them */
        size_t n;
} Problems;

static void on_problem(const char *message, void *userdata) {
        Problems *p = userdata;

        p->n++;
        if (p->list)
                json_object_array_add(p->list, json_object_new_string(message));
        else
                fprintf(stderr, "kizuki: %s/%s\n", p->dir, message);
}

/* Load NAME, saying why not on stderr (or into problems). */
static int load(const char *dir, const char *name, json_object *problems, Recipient **ret) {
        Problems p = { .dir = dir, .list = problems };
        int r = recipient_load(dir, name, on_problem, &p, ret);

        if (r == -ENOENT) {
                if (problems)
                        json_object_array_add(problems, json_object_new_string("no such file"));
                else
                        fprintf(stderr, "kizuki: no recipient '%s' (no file %s/%s.conf)\n", name, dir, name);
        } else if (r == -EBADMSG) {
                if (!problems)
                        fprintf(stderr, "kizuki: %s/%s.conf has %zu problem%s; fix %s first\n", dir, name, p.n,
                                p.n == 1 ? "" : "s", p.n == 1 ? "it" : "them");
        } else if (r < 0) {
                char msg[512];
                snprintf(msg, sizeof msg, "cannot read %s/%s.conf: %s", dir, name, strerror(-r));
                if (problems)
                        json_object_array_add(problems, json_object_new_string(msg));
                else
                        fprintf(stderr, "kizuki: %s\n", msg);
        }
        return r;
}

/* "ok" or why the secret file would be refused (only stat'ed, not read). */
static const char *secret_state(const char *path, char *why, size_t size) {
        if (!path)
                return NULL;
        if (secret_read(path, NULL, NULL, why, size) < 0)
                return why;
        return "ok";
}

static const char *secret_path(const Recipient *r) {
        return r->transport == RECIPIENT_HTTPS ? r->token_file : r->password_file;
}

static json_object *recipient_json(const Recipient *r) {
        json_object *o = json_object_new_object(), *to = json_object_new_array();
        char why[256];
        const char *state = secret_state(secret_path(r), why, sizeof why);

        for (size_t i = 0; i < r->n_to; i++)
                json_object_array_add(to, json_object_new_string(r->to[i]));
        json_object_object_add(o, "name", json_object_new_string(r->name));
        json_object_object_add(o, "display_name", json_object_new_string(r->display_name));
        json_object_object_add(o, "transport", json_object_new_string(recipient_transport_to_string(r->transport)));
        json_object_object_add(o, "url", json_object_new_string(r->url));
        json_object_object_add(o, "host", json_object_new_string(r->host));
        json_object_object_add(o, "port", json_object_new_int(r->port));
        json_object_object_add(o, "level", json_object_new_string(digest_level_to_string(r->level)));
        json_object_object_add(o, "format", json_object_new_string(digest_format_to_string(r->format)));
        json_object_object_add(o, "schedule", json_object_new_string(r->weekly ? "weekly" : "manual"));
        json_object_object_add(o, "token_file", r->token_file ? json_object_new_string(r->token_file) : NULL);
        json_object_object_add(o, "username", r->username ? json_object_new_string(r->username) : NULL);
        json_object_object_add(o, "password_file", r->password_file ? json_object_new_string(r->password_file) : NULL);
        json_object_object_add(o, "secret_file_ok", state ? json_object_new_boolean(strcmp(state, "ok") == 0) : NULL);
        json_object_object_add(o, "from", r->from ? json_object_new_string(r->from) : NULL);
        json_object_object_add(o, "to", to);
        json_object_object_add(o, "ca_file", r->ca_file ? json_object_new_string(r->ca_file) : NULL);
        json_object_object_add(o, "proxy", r->proxy ? json_object_new_string(r->proxy) : NULL);
        json_object_object_add(o, "patient_id", r->patient_id ? json_object_new_string(r->patient_id) : NULL);
        json_object_object_add(o, "timeout_s", json_object_new_int64(r->timeout_s));
        json_object_object_add(o, "attempts", json_object_new_int(r->attempts));
        return o;
}

enum { COL_NAME, COL_DISPLAY, COL_VIA, COL_HOST, COL_LEVEL, COL_FORMAT, COL_SCHEDULE };

static const OutputColumn list_columns[] = {
        [COL_NAME] = { .header = "Name" },
        [COL_DISPLAY] = { .header = "Display name", .drop = 1 },
        [COL_VIA] = { .header = "Via" },
        [COL_HOST] = { .header = "Host", .drop = 2 },
        [COL_LEVEL] = { .header = "Level" },
        [COL_FORMAT] = { .header = "Format" },
        [COL_SCHEDULE] = { .header = "Schedule", .drop = 3 },
};

static int recipients_list_exec(Ctx *ctx, const char *dir) {
        _cleanup_(output_table_freep) OutputTable *t = NULL;
        _cleanup_json_ json_object *root = NULL;
        json_object *arr = NULL;
        char **names = NULL;
        size_t n = 0, bad = 0;
        int r;

        r = recipients_list(dir, &names, &n);
        if (r < 0) {
                fprintf(stderr, "kizuki: cannot list %s: %s\n", dir, strerror(-r));
                return r;
        }
        if (ctx->json) {
                root = json_object_new_object();
                arr = json_object_new_array();
                if (!root || !arr || json_object_object_add(root, "recipients", arr) < 0) {
                        json_object_put(arr);
                        recipients_names_free(names, n);
                        return -ENOMEM;
                }
        } else if (n == 0) {
                printf("No recipients. Create one in %s/NAME.conf (see kizuki-recipient(5)).\n", dir);
                return 0;
        } else if ((r = output_table_new(list_columns, ELEMENTSOF(list_columns), &t)) < 0) {
                recipients_names_free(names, n);
                return r;
        }
        for (size_t i = 0; i < n; i++) {
                _cleanup_recipient_ Recipient *rc = NULL;
                json_object *problems = ctx->json ? json_object_new_array() : NULL;
                char b[2][256];
                r = load(dir, names[i], problems, &rc);
                if (ctx->json) {
                        json_object *o = r >= 0 ? recipient_json(rc) : json_object_new_object();
                        if (r < 0)
                                json_object_object_add(o, "name", json_object_new_string(names[i]));
                        json_object_object_add(o, "valid", json_object_new_boolean(r >= 0));
                        json_object_object_add(o, "problems", problems);
                        json_object_array_add(arr, o);
                        continue;
                }
                if (output_table_row(t, r < 0 ? ANSI_RED : NULL) < 0 ||
                    output_table_cell(t, COL_NAME, NULL, "%s", names[i]) < 0) {
                        recipients_names_free(names, n);
                        return -ENOMEM;
                }
                if (r < 0) {
                        bad++;
                        (void) output_table_cell(t, COL_DISPLAY, NULL, "(invalid: not used)");
                        continue;
                }
                if (output_table_cell(t, COL_DISPLAY, NULL, "%s",
                                      output_truncate(b[0], sizeof b[0], rc->display_name, 30)) < 0 ||
                    output_table_cell(t, COL_VIA, NULL, "%s", recipient_log_transport(rc)) < 0 ||
                    output_table_cell(t, COL_HOST, NULL, "%s", output_safe(b[1], sizeof b[1], rc->host)) < 0 ||
                    output_table_cell(t, COL_LEVEL, NULL, "%s", digest_level_to_string(rc->level)) < 0 ||
                    output_table_cell(t, COL_FORMAT, NULL, "%s", digest_format_to_string(rc->format)) < 0 ||
                    output_table_cell(t, COL_SCHEDULE, NULL, "%s", rc->weekly ? "weekly" : "manual") < 0) {
                        recipients_names_free(names, n);
                        return -ENOMEM;
                }
        }
        recipients_names_free(names, n);
        if (ctx->json)
                return output_json(root);
        r = output_table_print(t, stdout, ctx->color, ctx->columns);
        if (r < 0)
                return r;
        /* An invalid file is a problem the person should fix: exit 1. */
        return bad > 0 ? -EBADMSG : 0;
}

static void show_line(const char *key, const char *value) {
        char b[1024];
        if (value)
                printf("%-15s %s\n", key, output_safe(b, sizeof b, value));
}

static int recipients_show_exec(Ctx *ctx, const char *dir, const char *name) {
        _cleanup_recipient_ Recipient *rc = NULL;
        char why[256], to[RECIPIENT_TO_MAX * 260] = "", num[32];
        size_t n = 0;
        int r;

        r = load(dir, name, NULL, &rc);
        if (r < 0)
                return r;
        if (ctx->json) {
                _cleanup_json_ json_object *o = recipient_json(rc);
                return output_json(o);
        }
        for (size_t i = 0; i < rc->n_to && n < sizeof to; i++)
                n += (size_t) snprintf(to + n, sizeof to - n, "%s%s", i > 0 ? ", " : "", rc->to[i]);
        show_line("Recipient:", rc->name);
        show_line("Name:", rc->display_name);
        show_line("Transport:", recipient_log_transport(rc));
        show_line("URL:", rc->url);
        show_line("From:", rc->from);
        show_line("To:", rc->n_to ? to : NULL);
        show_line("Username:", rc->username);
        const char *secret = secret_path(rc);
        if (secret) {
                char line[1024];
                snprintf(line, sizeof line, "%s (%s)", secret, secret_state(secret, why, sizeof why));
                show_line(rc->transport == RECIPIENT_HTTPS ? "Token file:" : "Password file:", line);
        }
        show_line("Level:", digest_level_to_string(rc->level));
        show_line("Format:", digest_format_to_string(rc->format));
        show_line("Schedule:", rc->weekly ? "weekly (kizuki-share.timer, when enabled)" : "manual");
        show_line("CA file:", rc->ca_file ? rc->ca_file : "(the system's CA certificates)");
        show_line("Proxy:", rc->proxy ? rc->proxy : "(none)");
        show_line("Patient id:", rc->patient_id);
        snprintf(num, sizeof num, "%llds, %d attempt%s", (long long) rc->timeout_s, rc->attempts,
                 rc->attempts == 1 ? "" : "s");
        show_line("Timeout:", num);
        return 0;
}

static int recipients_check_exec(const char *dir, const char *name) {
        _cleanup_recipient_ Recipient *rc = NULL;
        ShareResult res;
        int r;

        r = load(dir, name, NULL, &rc);
        if (r < 0)
                return r;
        printf("%s/%s.conf: valid.\n", dir, name);
        fflush(stdout);
        r = share_check(rc, &res);
        if (r < 0) {
                fprintf(stderr, "kizuki: %s: %s\n", name, res.detail[0] ? res.detail : strerror(-r));
                return r;
        }
        if (secret_path(rc))
                printf("%s: readable, owned by you, private.\n", secret_path(rc));
        if (rc->transport == RECIPIENT_HTTPS)
                printf("%s port %d: %s; no request was made.\n", rc->host, rc->port,
                       strcmp(rc->scheme, "https") == 0 ? "connected, TLS certificate verified"
                                                        : "connected (plain HTTP on a loopback address)");
        else
                printf("%s port %d: connected, TLS certificate verified%s, NOOP answered %ld; no mail was sent.\n",
                       rc->host, rc->port, rc->username ? ", logged in" : "", res.code);
        return 0;
}

static int recipients_exec(const Command *cmd, Ctx *ctx) {
        _cleanup_free_ char *dir = NULL;
        const char *action = "list";
        int r, n;

        n = ctx->argc;
        if (n > 0)
                action = ctx->argv[0];
        if (strcmp(action, "list") == 0) {
                if (n > 1)
                        return cmd_usage_error(cmd, ctx, "'list' takes no arguments");
        } else if (strcmp(action, "show") == 0 || strcmp(action, "check") == 0) {
                if (n != 2)
                        return cmd_usage_error(cmd, ctx, "'%s' needs one recipient NAME", action);
                if (!recipient_name_valid(ctx->argv[1]))
                        return cmd_usage_error(cmd, ctx, "invalid recipient name (letters, digits, '-' and '_')");
        } else
                return cmd_usage_error(cmd, ctx, "unknown action '%s' (list, show or check)", action);

        r = recipients_dir(&dir);
        if (r < 0) {
                fprintf(stderr, "kizuki: cannot find the configuration directory (set HOME or XDG_CONFIG_HOME)\n");
                return r;
        }
        if (strcmp(action, "list") == 0)
                return recipients_list_exec(ctx, dir);
        if (strcmp(action, "show") == 0)
                return recipients_show_exec(ctx, dir, ctx->argv[1]);
        return recipients_check_exec(dir, ctx->argv[1]);
}

COMMAND(recipients,
        .usage = "[list] | show NAME | check NAME [--json]",
        .summary = "List, show or check recipients",
        .help = "  list                  The recipient files and what each gets (invalid ones in red).\n"
                "  show NAME             One recipient, with the state of its secret file.\n"
                "  check NAME            Validate the file and the secret file and connect without\n"
                "                        sending: TLS handshake (https), or EHLO, STARTTLS, AUTH and\n"
                "                        NOOP (smtp, smtps).\n",
        .args = { 0, -1 }, /* 0 to 2, checked for each action */
        .options = CMD_OPTIONS_JSON("list and show as JSON."));

/* kizuki privacy [--json]: what kizuki keeps, in plain words, from the live
 * store (GetPrivacy): each kind of data with its rows and dates, the files and
 * their permissions, retention, the recipients configured and the last shares. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "client.h"
#include "kizuki.h"
#include "macro.h"
#include "output.h"
#include "recipients.h"
#include "version.h"

#define LAST_SHARES 5

static int strcmp_p(const void *a, const void *b) {
        return strcmp(*(char *const *) a, *(char *const *) b);
}

/* A directory of the person's files: its mode and the names in it ending in suffix. */
static json_object *dir_json(const char *what, const char *path, const char *suffix) {
        json_object *o = json_object_new_object(), *names = json_object_new_array();
        struct stat st;
        bool exists = path && stat(path, &st) >= 0 && S_ISDIR(st.st_mode);
        char **v = NULL;
        size_t n = 0;

        json_object_object_add(o, "what", json_object_new_string(what));
        json_object_object_add(o, "path", json_object_new_string(path ? path : ""));
        json_object_object_add(o, "exists", json_object_new_boolean(exists));
        json_object_object_add(o, "mode", exists ? json_object_new_int((int) (st.st_mode & 07777)) : NULL);
        if (exists) {
                DIR *d = opendir(path);
                struct dirent *de;
                while (d && (de = readdir(d))) {
                        size_t len = strlen(de->d_name), sl = strlen(suffix);
                        if (de->d_name[0] == '.' || len <= sl || strcmp(de->d_name + len - sl, suffix) != 0)
                                continue;
                        char **nv = reallocarray(v, n + 1, sizeof *v);
                        if (!nv)
                                break;
                        v = nv;
                        v[n] = strdup(de->d_name);
                        if (v[n])
                                n++;
                }
                if (d)
                        closedir(d);
                if (n > 1)
                        qsort(v, n, sizeof *v, strcmp_p);
        }
        for (size_t i = 0; i < n; i++) {
                json_object_array_add(names, json_object_new_string(v[i]));
                free(v[i]);
        }
        free(v);
        json_object_object_add(o, "files", names);
        return o;
}

static void recipient_warn(const char *message, void *userdata) {
        (void) message, (void) userdata; /* counted as "has problems"; 'kizuki recipients' details them */
}

/* The recipients (cli/recipients.h): who may get what, never their secrets. */
static json_object *recipients_json(void) {
        _cleanup_free_ char *dir = NULL;
        json_object *arr = json_object_new_array();
        char **names = NULL;
        size_t n = 0;

        if (!arr || recipients_dir(&dir) < 0 || recipients_list(dir, &names, &n) < 0)
                return arr;
        for (size_t i = 0; i < n; i++) {
                _cleanup_recipient_ Recipient *rc = NULL;
                json_object *o = json_object_new_object();
                int r = recipient_load(dir, names[i], recipient_warn, NULL, &rc);

                json_object_object_add(o, "name", json_object_new_string(names[i]));
                json_object_object_add(o, "valid", json_object_new_boolean(r >= 0));
                if (r >= 0) {
                        json_object_object_add(o, "transport", json_object_new_string(recipient_log_transport(rc)));
                        json_object_object_add(o, "host", json_object_new_string(rc->host ? rc->host : ""));
                        json_object_object_add(o, "level", json_object_new_string(digest_level_to_string(rc->level)));
                        json_object_object_add(o, "format",
                                               json_object_new_string(digest_format_to_string(rc->format)));
                        json_object_object_add(o, "weekly", json_object_new_boolean(rc->weekly));
                }
                json_object_array_add(arr, o);
        }
        recipients_names_free(names, n);
        return arr;
}

/* The newest shares, read with Export from the share log (newest first). */
static int last_shares(const Ctx *ctx, int64_t rows, json_object **ret) {
        _cleanup_json_ json_object *params = json_object_new_object(), *reply = NULL;
        json_object *arr, *out;
        int64_t offset = rows > LAST_SHARES ? rows - LAST_SHARES : 0;
        int r;

        *ret = json_object_new_array();
        if (!*ret || !params)
                return -ENOMEM;
        if (rows <= 0)
                return 0;
        json_object_object_add(params, "table", json_object_new_string("share_log"));
        json_object_object_add(params, "offset", json_object_new_int64(offset));
        json_object_object_add(params, "limit", json_object_new_int(LAST_SHARES));
        r = client_invoke_array(ctx->socket_path, KIZUKI_NAME("Export"), params, "rows", "page of the share log",
                                &reply, &arr);
        if (r < 0)
                return r;
        out = *ret;
        for (size_t i = json_object_array_length(arr); i > 0; i--)
                json_object_array_add(out, json_object_get(json_object_array_get_idx(arr, i - 1)));
        return 0;
}

static const char *str_or(json_object *o, const char *key, const char *fallback) {
        const char *s = NULL;
        return client_get_string(o, key, &s) >= 0 ? s : fallback;
}

static void print_mode(json_object *f) {
        int64_t mode;
        bool exists = false;

        (void) client_get_bool(f, "exists", &exists);
        if (!exists)
                printf("  ----  ");
        else if (client_get_int(f, "mode", &mode) >= 0)
                printf("  %04llo  ", (unsigned long long) mode);
        else
                printf("  ????  ");
}

static int privacy_print(const Ctx *ctx, json_object *reply, json_object *extra_dirs, json_object *recipients,
                         json_object *shares) {
        json_object *tables, *files;
        char safe[1024], size[OUTPUT_SIZE_MAX];
        int64_t retention = 0, share_days = 0;

        (void) ctx;
        if (client_get_array(reply, "tables", &tables) < 0 || client_get_array(reply, "files", &files) < 0)
                return -EBADMSG;
        (void) client_get_int(reply, "retention_days", &retention);
        (void) client_get_int(reply, "share_log_days", &share_days);

        printf("What kizuki keeps (recording: %s)\n\n",
               output_safe(safe, sizeof safe, str_or(reply, "recording", "?")));
        for (size_t i = 0; i < json_object_array_length(tables); i++) {
                json_object *t = json_object_array_get_idx(tables, i);
                int64_t rows = 0;
                bool known = false;
                const char *first = NULL, *last = NULL;
                char name[128], kind[128], a[16], b[16];

                (void) client_get_int(t, "rows", &rows);
                (void) client_get_bool(t, "known", &known);
                output_safe(name, sizeof name, str_or(t, "name", "?"));
                output_safe(kind, sizeof kind, str_or(t, "kind", "?"));
                printf("  %s (table %s): %" PRId64 " %s", kind, name, rows, rows == 1 ? "row" : "rows");
                if (client_get_string(t, "first", &first) >= 0 && client_get_string(t, "last", &last) >= 0)
                        printf(", %s to %s", output_safe(a, sizeof a, first), output_safe(b, sizeof b, last));
                printf("%s\n", known ? "" : "  <- NOT DESCRIBED by this version of kizuki");
                output_wrap(stdout, 6, "", output_safe(safe, sizeof safe, str_or(t, "description", "")),
                            ctx->columns);
        }

        printf("\nWhere it is\n");
        for (size_t i = 0; i < json_object_array_length(files); i++) {
                json_object *f = json_object_array_get_idx(files, i);
                int64_t sz;
                print_mode(f);
                printf("%s", output_safe(safe, sizeof safe, str_or(f, "path", "?")));
                printf("  (%s", str_or(f, "what", ""));
                if (client_get_int(f, "size", &sz) >= 0)
                        printf(", %s", output_size(size, sizeof size, sz));
                printf(")\n");
        }
        for (size_t i = 0; i < json_object_array_length(extra_dirs); i++) {
                json_object *d = json_object_array_get_idx(extra_dirs, i), *names;
                print_mode(d);
                printf("%s/  (%s", output_safe(safe, sizeof safe, str_or(d, "path", "?")), str_or(d, "what", ""));
                if (client_get_array(d, "files", &names) >= 0) {
                        size_t n = json_object_array_length(names);
                        printf(": %zu %s", n, n == 1 ? "file" : "files");
                }
                printf(")\n");
        }

        printf("\nHow long\n"
               "  Hours, check-ins and nudges: %" PRId64 " days (retention_days); older ones are deleted daily,\n"
               "  for real, like 'kizuki forget'. The share log: %" PRId64 " days (share_log_days).\n",
               retention, share_days);

        printf("\nWho may get it (recipients)\n");
        if (json_object_array_length(recipients) == 0)
                printf("  No recipients: nothing leaves this machine.\n");
        for (size_t i = 0; i < json_object_array_length(recipients); i++) {
                json_object *rc = json_object_array_get_idx(recipients, i);
                bool valid = false, weekly = false;
                char r1[80], r2[16], r3[256], r4[16], r5[16];
                (void) client_get_bool(rc, "valid", &valid);
                (void) client_get_bool(rc, "weekly", &weekly);
                output_safe(r1, sizeof r1, str_or(rc, "name", "?"));
                if (!valid) {
                        printf("  %s: the file has problems ('kizuki recipients' shows them); nothing is sent to it\n",
                               r1);
                        continue;
                }
                printf("  %s: %s level, %s, by %s to %s%s\n", r1, output_safe(r2, sizeof r2, str_or(rc, "level", "?")),
                       output_safe(r4, sizeof r4, str_or(rc, "format", "?")),
                       output_safe(r5, sizeof r5, str_or(rc, "transport", "?")),
                       output_safe(r3, sizeof r3, str_or(rc, "host", "?")),
                       weekly ? "; sent weekly when the share timer is on" : "; only when you run kizuki share");
        }

        printf("\nLast shares\n");
        if (json_object_array_length(shares) == 0)
                printf("  None.\n");
        for (size_t i = 0; i < json_object_array_length(shares); i++) {
                json_object *s = json_object_array_get_idx(shares, i);
                int64_t at = 0, bytes = 0;
                char when[OUTPUT_TIME_MAX], r1[64], r2[32], r3[32], r4[32], r5[16];
                (void) client_get_int(s, "at", &at);
                (void) client_get_int(s, "size", &bytes);
                if (output_local_time(when, sizeof when, at, "%Y-%m-%d %H:%M") < 0)
                        snprintf(when, sizeof when, "?");
                printf("  %s  %s  %s %s %s  %s  %s\n", when, output_safe(r1, sizeof r1, str_or(s, "recipient", "?")),
                       output_safe(r2, sizeof r2, str_or(s, "week", "?")),
                       output_safe(r3, sizeof r3, str_or(s, "level", "?")),
                       output_safe(r4, sizeof r4, str_or(s, "format", "?")), output_size(size, sizeof size, bytes),
                       output_safe(r5, sizeof r5, str_or(s, "result", "?")));
        }
        printf("\n'kizuki export' gives you all of it; 'kizuki forget' deletes it. More in kizuki(1)\n"
               "and " KIZUKI_DOCDIR "/privacy.md.\n");
        return 0;
}

static const CmdOption privacy_options[] = {
        CMD_OPTION("json", CMD_OPT_JSON, CMD_SHORT, CMD_HELP("--json", "The inventory as JSON.")),
        {},
};

static int privacy_exec(const Command *cmd, Ctx *ctx) {
        _cleanup_json_ json_object *reply = NULL, *dirs = NULL, *shares = NULL, *recipients = NULL;
        _cleanup_free_ char *policies = NULL, *recipients_path = NULL;
        json_object *tables;
        int64_t share_rows = 0;
        int r;

        (void) cmd;
        r = client_invoke_array(ctx->socket_path, KIZUKI_NAME("GetPrivacy"), NULL, "tables", "inventory", &reply,
                                &tables);
        if (r < 0)
                return r;
        for (size_t i = 0; i < json_object_array_length(tables); i++) {
                json_object *t = json_object_array_get_idx(tables, i);
                const char *name;
                if (client_get_string(t, "name", &name) >= 0 && strcmp(name, "share_log") == 0)
                        (void) client_get_int(t, "rows", &share_rows);
        }
        r = last_shares(ctx, share_rows, &shares);
        if (r < 0)
                return r;

        policies = protocol_xdg_path("XDG_CONFIG_HOME", ".config", "policies");
        recipients_path = protocol_xdg_path("XDG_CONFIG_HOME", ".config", "recipients.d");
        dirs = json_object_new_array();
        if (!dirs)
                return -ENOMEM;
        json_object_array_add(dirs, dir_json("policies", policies, ".policy"));
        json_object_array_add(dirs, dir_json("recipients", recipients_path, ".conf"));
        recipients = recipients_json();
        if (!recipients)
                return -ENOMEM;

        if (ctx->json) {
                json_object_object_add(reply, "config_dirs", json_object_get(dirs));
                json_object_object_add(reply, "last_shares", json_object_get(shares));
                json_object_object_add(reply, "recipients", json_object_get(recipients));
                return output_json(reply);
        }
        r = privacy_print(ctx, reply, dirs, recipients, shares);
        if (r == -EBADMSG)
                fprintf(stderr, "kizuki: kizukid sent a malformed inventory\n");
        return r;
}

COMMAND(privacy,
        .usage = "[--json]",
        .summary = "What is kept, where, how long, shared",
        .options = privacy_options);

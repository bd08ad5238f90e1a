/* kizuki digest [--week YYYY-Www] [--level L] [--format F] [-o FILE]
 * [--patient-id ID] [--patient-name NAME]: the weekly digest (GetDigest)
 * rendered as text, JSON, HTML or FHIR, on stdout or written to FILE through
 * outfile.h (a regular file replaced atomically, mode 0600). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "client.h"
#include "digest.h"
#include "kizuki.h"
#include "macro.h"
#include "outfile.h"
#include "output.h"

/* A FHIR id: 1..64 of A-Z a-z 0-9 - . (FHIR R4 "id" datatype). */
static bool patient_id_valid(const char *s) {
        size_t n = strlen(s);
        if (n < 1 || n > 64)
                return false;
        return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.") == n;
}

typedef struct DigestArgs {
        const char *week, *path; /* --week (normalized in week_buf), --output */
        char week_buf[ISO_WEEK_MAX];
        DigestOptions opts; /* --patient-id, --patient-name */
        int level, format;  /* --level, --format */
} DigestArgs;

static const CmdOption digest_options[] = {
        CMD_OPTION("week", 'w', CMD_ARG | CMD_SHORT,
                   CMD_HELP("--week WEEK", "The ISO week: YYYY-Www, this-week, last-week or -Nw\n"
                                            "(default: the last complete week).")),
        CMD_OPTION_PARSE("level", 'l', CMD_SHORT, DigestArgs, level, digest_level_from_string, "invalid level",
                         " (summary, daily or hourly)",
                         CMD_HELP("--level L", "summary (weekly figures, default), daily (plus a row\n"
                                               "per day) or hourly (plus active minutes per hour).")),
        CMD_OPTION_PARSE("format", 'f', CMD_SHORT, DigestArgs, format, digest_format_from_string, "invalid format",
                         " (text, json, html or fhir)",
                         CMD_HELP("--format F", "text (default), json, html or fhir (a FHIR R4 Bundle).")),
        CMD_OPTION("output", 'o', CMD_ARG | CMD_SHORT,
                   CMD_HELP("-o, --output FILE", "Write to FILE (mode 0600, replaced atomically).")),
        CMD_OPTION("patient-id", 'p', CMD_ARG,
                   CMD_HELP("--patient-id ID", "FHIR: the Patient id to refer to (default kizuki-person).")),
        CMD_OPTION("patient-name", 'n', CMD_ARG,
                   CMD_HELP("--patient-name NAME", "FHIR and HTML: a name to show; none unless given.")),
        {},
};

static int digest_option(const Command *cmd, Ctx *ctx, int id, const char *arg, void *userdata) {
        DigestArgs *args = userdata;
        int r;

        switch (id) {
        case 'w':
                /* Normalized, so "2026-w2" is not sent as such. */
                r = cmd_parse_week(cmd, ctx, arg, args->week_buf, NULL);
                if (r < 0)
                        return r;
                args->week = args->week_buf;
                break;
        case 'o':
                if (!*arg)
                        return cmd_usage_error(cmd, ctx, "empty output file name");
                args->path = arg;
                break;
        case 'p':
                if (!patient_id_valid(arg))
                        return cmd_usage_error(cmd, ctx, "invalid patient id '%s' (1 to 64 of A-Z, a-z, 0-9, '-', '.')",
                                               arg);
                args->opts.patient_id = arg;
                break;
        case 'n':
                if (!*arg || strlen(arg) > 200)
                        return cmd_usage_error(cmd, ctx, "the patient name must be 1 to 200 bytes");
                args->opts.patient_name = arg;
                break;
        }
        return 0;
}

static int digest_exec(const Command *cmd, Ctx *ctx) {
        _cleanup_json_ json_object *model = NULL;
        _cleanup_free_ char *out = NULL;
        const DigestArgs *args = ctx->userdata;
        size_t len = 0;
        int r;

        (void) cmd;
        const char *week = args->week, *path = args->path;
        DigestOptions opts = args->opts;
        int level = args->level, format = args->format;

        r = digest_fetch(ctx->socket_path, week, level, &model);
        if (r < 0)
                return r;
        r = digest_render(model, format, &opts, &out, &len);
        if (r < 0) {
                fprintf(stderr, "kizuki: cannot render the digest as %s: %s\n", digest_format_to_string(format),
                        strerror(-r));
                return r;
        }
        if (!path) {
                if (fwrite(out, 1, len, stdout) != len || fflush(stdout) != 0) {
                        r = -errno;
                        fprintf(stderr, "kizuki: cannot write the digest: %m\n");
                        return r;
                }
                return 0;
        }
        return outfile_write(path, out, len); /* says why it failed */
}

COMMAND(digest,
        .usage = "[--week W] [--level L] [--format F] [-o FILE] [--patient-id ID]",
        .summary = "Write a weekly digest for a therapist",
        .pager = true,
        .options = digest_options,
        .option = digest_option,
        CMD_USERDATA_INIT(DigestArgs, .level = DIGEST_LEVEL_SUMMARY, .format = DIGEST_FORMAT_TEXT));

/* kizuki export [-o FILE|DIR] [--format json|csv]: everything the store holds,
 * every table the daemon lists (GetPrivacy), read page by page (Export) so any
 * size fits the socket's reply bound. JSON: one document (docs/export.md,
 * docs/export.schema.json). CSV: one TABLE.csv per table in a directory.
 * Files are written through outfile.h: a regular file 0600 under a temporary
 * name, renamed when complete; a FIFO or a device (-o /dev/stdout) directly. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "kizuki.h"
#include "macro.h"
#include "outfile.h"
#include "output.h"
#include "version.h"

#define EXPORT_VERSION 1
#define PAGE_ROWS 20000

typedef enum ExportFormat { EXPORT_JSON, EXPORT_CSV } ExportFormat;

/* A CSV field: empty for null; quoted when it holds a comma, quote, CR, LF or
 * leading/trailing blanks; quotes doubled. */
static void csv_field(FILE *f, json_object *v) {
        const char *s;

        if (!v)
                return;
        if (json_object_is_type(v, json_type_string)) {
                s = json_object_get_string(v);
                size_t n = strlen(s);
                bool quote = n > 0 && (strpbrk(s, ",\"\r\n") || s[0] == ' ' || s[n - 1] == ' ');
                if (!quote) {
                        fputs(s, f);
                        return;
                }
                fputc('"', f);
                for (; *s; s++) {
                        if (*s == '"')
                                fputc('"', f);
                        fputc(*s, f);
                }
                fputc('"', f);
                return;
        }
        fputs(json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN), f);
}

typedef struct Exporter {
        const Ctx *ctx;
        ExportFormat format;
        FILE *f; /* JSON: the document; CSV: the current table's file */
        size_t rows;
        bool write_failed; /* f failed: the caller says so, naming the file */
} Exporter;

/* Every page of table: the columns (on the first page) and rows go to e->f. */
static int export_table(Exporter *e, const char *table, bool first_table) {
        _cleanup_free_ char *after = NULL;
        int64_t offset = 0;
        bool first_page = true, first_row = true;

        for (;;) {
                _cleanup_json_ json_object *params = json_object_new_object(), *reply = NULL;
                json_object *columns, *rows, *next, *after_next;
                int r;

                if (!params || json_object_object_add(params, "table", json_object_new_string(table)) < 0 ||
                    json_object_object_add(params, "limit", json_object_new_int(PAGE_ROWS)) < 0)
                        return -ENOMEM;
                /* The first page names neither: the daemon pages by key (after)
                 * where the table has one, so rows written meanwhile are neither
                 * skipped nor repeated, else by offset (next). */
                r = 0;
                if (after)
                        r = json_object_object_add(params, "after", json_object_new_string(after));
                else if (offset > 0)
                        r = json_object_object_add(params, "offset", json_object_new_int64(offset));
                if (r < 0)
                        return -ENOMEM;
                r = client_invoke(e->ctx->socket_path, KIZUKI_NAME("Export"), params, &reply);
                if (r < 0)
                        return r;
                errno = 0;
                if (client_get_array(reply, "columns", &columns) < 0 || client_get_array(reply, "rows", &rows) < 0)
                        goto bad;
                size_t nc = json_object_array_length(columns), nr = json_object_array_length(rows);
                for (size_t i = 0; i < nc; i++)
                        if (!json_object_is_type(json_object_array_get_idx(columns, i), json_type_string))
                                goto bad;

                if (first_page) {
                        if (e->format == EXPORT_JSON) {
                                _cleanup_json_ json_object *name = json_object_new_string(table);
                                if (!name)
                                        return -ENOMEM;
                                fprintf(e->f, "%s\n    %s: {\n      \"columns\": %s,\n      \"rows\": [",
                                        first_table ? "" : ",", json_object_to_json_string(name),
                                        json_object_to_json_string_ext(columns, JSON_C_TO_STRING_PLAIN |
                                                                                        JSON_C_TO_STRING_NOSLASHESCAPE));
                        } else {
                                for (size_t i = 0; i < nc; i++) {
                                        if (i > 0)
                                                fputc(',', e->f);
                                        csv_field(e->f, json_object_array_get_idx(columns, i));
                                }
                                fputs("\r\n", e->f);
                        }
                }
                for (size_t i = 0; i < nr; i++) {
                        json_object *row = json_object_array_get_idx(rows, i);
                        if (!json_object_is_type(row, json_type_object))
                                goto bad;
                        if (e->format == EXPORT_JSON) {
                                fprintf(e->f, "%s\n        %s", first_row ? "" : ",",
                                        json_object_to_json_string_ext(row, JSON_C_TO_STRING_PLAIN |
                                                                                    JSON_C_TO_STRING_NOSLASHESCAPE));
                        } else {
                                for (size_t j = 0; j < nc; j++) {
                                        const char *col = json_object_get_string(json_object_array_get_idx(columns, j));
                                        if (j > 0)
                                                fputc(',', e->f);
                                        csv_field(e->f, json_object_object_get(row, col));
                                }
                                fputs("\r\n", e->f);
                        }
                        first_row = false;
                }
                e->rows += nr;
                if (ferror(e->f)) {
                        e->write_failed = true;
                        return errno ? -errno : -EIO;
                }
                first_page = false;
                if (json_object_object_get_ex(reply, "after", &after_next) && after_next) {
                        const char *a = json_object_get_string(after_next);
                        if (!json_object_is_type(after_next, json_type_string) || nr == 0 ||
                            (after && strcmp(a, after) == 0))
                                goto bad;
                        free(after);
                        after = strdup(a);
                        if (!after)
                                return -ENOMEM;
                        continue;
                }
                if (!json_object_object_get_ex(reply, "next", &next) || !next)
                        break;
                if (after || !json_object_is_type(next, json_type_int) || json_object_get_int64(next) <= offset)
                        goto bad;
                offset = json_object_get_int64(next);
        }
        if (e->format == EXPORT_JSON)
                fprintf(e->f, "%s]\n    }", first_row ? "" : "\n      ");
        return 0;
bad:
        fprintf(stderr, "kizuki: kizukid sent a malformed page of table %s\n", table);
        return -EBADMSG;
}

/* The table names from GetPrivacy. */
static int export_tables(const Ctx *ctx, json_object **ret_reply, json_object **ret_tables) {
        _cleanup_json_ json_object *reply = NULL;
        json_object *tables;
        int r = client_invoke_array(ctx->socket_path, KIZUKI_NAME("GetPrivacy"), NULL, "tables", "inventory", &reply,
                                    &tables);
        if (r < 0)
                return r;
        for (size_t i = 0; i < json_object_array_length(tables); i++) {
                const char *name;
                if (client_get_string(json_object_array_get_idx(tables, i), "name", &name) < 0 || !*name ||
                    strchr(name, '/') || name[0] == '.')
                        goto bad;
        }
        *ret_tables = tables;
        *ret_reply = TAKE_PTR(reply);
        return 0;
bad:
        fprintf(stderr, "kizuki: kizukid sent a malformed inventory\n");
        return -EBADMSG;
}

static const char *table_name(json_object *tables, size_t i) {
        const char *name = NULL;
        (void) client_get_string(json_object_array_get_idx(tables, i), "name", &name);
        return name;
}

static int export_json(const Ctx *ctx, const char *path, json_object *inventory, json_object *tables,
                       size_t *ret_rows) {
        _cleanup_(outfile_freep) OutFile *o = NULL;
        Exporter e = { .ctx = ctx, .format = EXPORT_JSON };
        char when[64], local[64];
        time_t now = time(NULL);
        struct tm tm;
        int64_t schema = 0;
        int r;

        /* Standard output too, through a dup of fd 1: its errors are ours to
         * report, once, and not again by main's check of stdout. */
        r = path ? outfile_open(path, &o) : outfile_open_stdout(&o);
        if (r < 0)
                return r;
        e.f = o->f;

        (void) client_get_int(inventory, "schema_version", &schema);
        if (!gmtime_r(&now, &tm) || strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
                when[0] = '\0';
        /* The local time with its offset as in local_start: "+01:00". */
        if (!localtime_r(&now, &tm) || strftime(local, sizeof local, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
                local[0] = '\0';
        else {
                long off = tm.tm_gmtoff, a = off < 0 ? -off : off;
                snprintf(local + strlen(local), sizeof local - strlen(local), "%c%02ld:%02ld", off < 0 ? '-' : '+',
                         a / 3600, a % 3600 / 60);
        }
        fprintf(e.f,
                "{\n  \"format\": \"kizuki-export\",\n  \"version\": %d,\n  \"kizuki_version\": \"%s\",\n"
                "  \"schema_version\": %lld,\n  \"exported_at\": \"%s\",\n  \"exported_at_local\": \"%s\",\n"
                "  \"utc_offset\": %ld,\n"
                "  \"tables\": {",
                EXPORT_VERSION, KIZUKI_VERSION, (long long) schema, when, local, (long) tm.tm_gmtoff);
        for (size_t i = 0; i < json_object_array_length(tables); i++) {
                r = export_table(&e, table_name(tables, i), i == 0);
                if (r < 0) {
                        if (e.write_failed)
                                fprintf(stderr, "kizuki: cannot write %s: %s\n", o->path, strerror(-r));
                        return r; /* o's temporary file goes with it */
                }
        }
        fprintf(e.f, "\n  }\n}\n");
        r = outfile_commit(o);
        if (r < 0)
                return r;
        *ret_rows = e.rows;
        return 0;
}

/* One TABLE.csv per table. All are written under temporary names first and
 * renamed only when every table is complete, so an export that fails halfway
 * (kizukid gone, a full disk) leaves no file that looks like a part of it. */
static int export_csv(const Ctx *ctx, const char *dir, json_object *tables, size_t *ret_rows) {
        Exporter e = { .ctx = ctx, .format = EXPORT_CSV };
        size_t n = json_object_array_length(tables), done = 0;
        _cleanup_free_ OutFile **files = NULL;
        int r = 0;

        if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
                r = -errno;
                fprintf(stderr, "kizuki export: cannot create the directory %s: %s\n", dir, strerror(-r));
                return r;
        }
        struct stat st;
        if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
                fprintf(stderr, "kizuki export: %s is not a directory (CSV export writes one file per table)\n", dir);
                return -ENOTDIR;
        }
        files = calloc(n + 1, sizeof *files);
        if (!files)
                return -ENOMEM;
        for (; done < n; done++) {
                const char *name = table_name(tables, done);
                _cleanup_free_ char *path = NULL;

                if (asprintf(&path, "%s/%s.csv", dir, name) < 0) {
                        path = NULL;
                        r = -ENOMEM;
                        break;
                }
                r = outfile_open(path, &files[done]);
                if (r < 0)
                        break;
                e.f = files[done]->f;
                r = export_table(&e, name, true);
                if (r < 0) {
                        if (e.write_failed)
                                fprintf(stderr, "kizuki: cannot write %s: %s\n", path, strerror(-r));
                        break;
                }
                r = outfile_close(files[done]);
                if (r < 0)
                        break;
        }
        for (size_t i = 0; i < n; i++) {
                if (r >= 0)
                        r = outfile_commit(files[i]);
                outfile_free(files[i]);
        }
        if (r < 0)
                return r;
        *ret_rows = e.rows;
        return 0;
}

/* "json" or "csv": an ExportFormat, else -EINVAL. */
static int export_format_from_string(const char *s) {
        if (strcmp(s, "json") == 0)
                return EXPORT_JSON;
        if (strcmp(s, "csv") == 0)
                return EXPORT_CSV;
        return -EINVAL;
}

typedef struct ExportArgs {
        const char *out; /* --output */
        int format;      /* --format: an ExportFormat */
} ExportArgs;

static const CmdOption export_options[] = {
        CMD_OPTION("output", 'o', CMD_ARG | CMD_SHORT | CMD_STORE, .offset = offsetof(ExportArgs, out),
                   CMD_HELP("-o, --output FILE", "Write to FILE (mode 0600) instead of standard output; with\n"
                                                 "--format csv, a directory (made 0700) with one TABLE.csv\n"
                                                 "per table.")),
        CMD_OPTION_PARSE("format", 'f', CMD_SHORT, ExportArgs, format, export_format_from_string, "unknown format",
                         " (json or csv)",
                         CMD_HELP("-f, --format FORMAT", "json (default; see docs/export.md) or csv.")),
        {},
};

static int export_exec(const Command *cmd, Ctx *ctx) {
        _cleanup_json_ json_object *inventory = NULL;
        json_object *tables = NULL;
        ExportArgs *args = ctx->userdata;
        size_t rows = 0;
        int r;

        if (args->format == EXPORT_CSV && !args->out)
                return cmd_usage_error(cmd, ctx,
                                       "--format csv writes one file per table: give a directory with -o DIR");
        if (args->out && strcmp(args->out, "-") == 0) {
                if (args->format == EXPORT_CSV)
                        return cmd_usage_error(cmd, ctx, "--format csv needs a directory, not standard output");
                args->out = NULL;
        }

        r = export_tables(ctx, &inventory, &tables);
        if (r < 0)
                return r;
        r = args->format == EXPORT_JSON ? export_json(ctx, args->out, inventory, tables, &rows)
                                  : export_csv(ctx, args->out, tables, &rows);
        if (r < 0)
                return r;
        if (args->out)
                fprintf(stderr, "Exported %zu rows of %zu tables to %s.\n", rows, json_object_array_length(tables),
                        args->out);
        return 0;
}

COMMAND(export,
        .usage = "[-o FILE|DIR] [--format json|csv]",
        .summary = "Export everything, in open formats",
        .help_after = "The export holds every table of the store: hours, check-ins, nudges, consent\n"
                "records, the share log and the daemon's small state. Restore it on another\n"
                "machine with 'kizuki import --format kizuki FILE'.\n",
        .options = export_options,
        CMD_USERDATA_INIT(ExportArgs, .format = EXPORT_JSON));

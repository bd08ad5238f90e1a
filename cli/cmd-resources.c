/* kizuki resources [--crisis]: where to find help, from the installed
 * resources.md ($datadir/kizuki, or $KIZUKI_DATA_DIR), the crisis lines
 * first and apart from the information. The file's light Markdown (headings,
 * "- " items, **bold**, *emphasis*, [text](url)) is shown as plain text
 * wrapped to the terminal. Works without the daemon. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "kizuki.h"
#include "macro.h"
#include "output.h"
#include "version.h"

#define RESOURCES_FILE "resources.md"
#define RESOURCES_MAX (256 * 1024)
#define CRISIS_HEADING "In a crisis"

typedef struct Block {
        char *text;   /* the words of a paragraph or item, markup taken out */
        size_t n;
        unsigned indent;
        bool item;    /* a "- " item */
} Block;

/* Append line (len bytes) to b: markup out, a link as "text (url)". */
static int block_add(Block *b, const char *line, size_t len) {
        char *t = realloc(b->text, b->n + 2 * len + 2);

        if (!t)
                return -ENOMEM;
        b->text = t;
        if (b->n > 0)
                t[b->n++] = ' ';
        for (size_t i = 0; i < len; i++) {
                const char *close, *paren;
                if (line[i] == '*')
                        continue;
                /* [text](url): "text (url)"; the url is shorter than its markup. */
                if (line[i] == '[' && (close = memchr(line + i, ']', len - i)) && (size_t) (close - line) + 1 < len &&
                    close[1] == '(' && (paren = memchr(close, ')', len - (size_t) (close - line)))) {
                        for (const char *c = line + i + 1; c < close; c++)
                                if (*c != '*')
                                        t[b->n++] = *c;
                        t[b->n++] = ' ';
                        memcpy(t + b->n, close + 1, (size_t) (paren - close));
                        b->n += (size_t) (paren - close);
                        i = (size_t) (paren - line);
                        continue;
                }
                t[b->n++] = line[i];
        }
        t[b->n] = '\0';
        return 0;
}

/* Print b (if any) and empty it. */
static int block_flush(const Ctx *ctx, Block *b) {
        int r = 0;

        if (b->n > 0)
                r = output_wrap(stdout, b->indent, b->item ? "- " : "", b->text, ctx->columns);
        b->n = 0;
        b->item = false;
        return r;
}

/* The headings: "# " the title, "## " a part, "### " a place within it. */
static unsigned heading_level(const char *line, size_t len) {
        size_t k = 0;

        while (k < len && k < 4 && line[k] == '#')
                k++;
        return k > 0 && k < 4 && k < len && line[k] == ' ' ? (unsigned) k : 0;
}

/* Blank lines of the file separate paragraphs and lists, as on the page. */
static int resources_print(const Ctx *ctx, const char *text, size_t size, bool crisis_only) {
        Block b = {};
        unsigned indent = 0;
        bool shown = !crisis_only, first = true, gap = false;
        const char *p = text, *end = text + size;
        int r = 0;

        while (r >= 0 && p < end) {
                const char *eol = memchr(p, '\n', (size_t) (end - p));
                size_t len = (size_t) ((eol ? eol : end) - p);
                const char *line = p;

                p = eol ? eol + 1 : end;
                if (len > 0 && line[len - 1] == '\r')
                        len--;
                unsigned level = heading_level(line, len);
                if (level > 0) {
                        r = block_flush(ctx, &b);
                        const char *h = line + level + 1;
                        size_t hlen = len - level - 1;
                        if (crisis_only && level <= 2)
                                shown = level == 2 && hlen == strlen(CRISIS_HEADING) &&
                                        strncmp(h, CRISIS_HEADING, hlen) == 0;
                        if (!shown || r < 0)
                                continue;
                        indent = level == 3 ? 2 : 0;
                        printf("%s%s%*s%.*s%s\n", first ? "" : "\n", output_color(ctx->color, ANSI_BOLD), (int) indent,
                               "", (int) hlen, h, output_color(ctx->color, ANSI_RESET));
                        first = gap = false;
                        continue;
                }
                if (!shown)
                        continue;
                if (len == 0) {
                        r = block_flush(ctx, &b);
                        gap = !first;
                        continue;
                }
                bool item = len >= 2 && line[0] == '-' && line[1] == ' ';
                if (item || b.n == 0) {
                        r = block_flush(ctx, &b);
                        if (gap)
                                putchar('\n');
                        first = gap = false;
                        b.item = item;
                        b.indent = indent;
                }
                if (item) {
                        line += 2;
                        len -= 2;
                }
                if (r >= 0)
                        r = block_add(&b, line, len);
        }
        if (r >= 0)
                r = block_flush(ctx, &b);
        free(b.text);
        return r;
}

static const CmdOption resources_options[] = {
        CMD_OPTION("crisis", 'c', CMD_STORE, CMD_HELP("--crisis", "Only what to do in a crisis.")),
        {},
};

static int resources_exec(const Command *cmd, Ctx *ctx) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        const char *dir = getenv("KIZUKI_DATA_DIR");
        bool crisis = *(bool *) ctx->userdata;
        size_t size = 0;
        int r;

        (void) cmd;
        if (!dir || dir[0] != '/')
                dir = KIZUKI_DATADIR;
        if (asprintf(&path, "%s/%s", dir, RESOURCES_FILE) < 0) {
                path = NULL;
                return -ENOMEM;
        }
        r = config_read_file(path, RESOURCES_MAX, &text, &size);
        if (r < 0) {
                char safe[4096];
                fprintf(stderr,
                        "kizuki: cannot read %s: %s\n"
                        "If you are in danger, contact your local emergency services now.\n",
                        output_safe(safe, sizeof safe, path), strerror(-r));
                return r;
        }
        return resources_print(ctx, text, size, crisis);
}

COMMAND(resources,
        .usage = "[--crisis]",
        .summary = "Where to find help, crisis lines first",
        .pager = true,
        .options = resources_options,
        CMD_USERDATA(bool));

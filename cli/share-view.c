/* A person-readable view of the exact bytes a share sends (share-view.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "json-cleanup.h"
#include "output.h"
#include "share-view.h"

/* Bytes as they are, control characters and invalid UTF-8 made harmless. */
static void view_plain(FILE *f, const char *data, size_t len) {
        char line[1024];
        size_t start = 0;

        while (start < len) {
                const char *nl = memchr(data + start, '\n', len - start);
                size_t end = nl ? (size_t) (nl - data) : len, n = end - start;
                char raw[1024];

                /* long lines are cut into pieces */
                if (n >= sizeof raw) {
                        n = sizeof raw - 1;
                        end = start + n;
                        nl = NULL;
                }
                memcpy(raw, data + start, n);
                raw[n] = '\0';
                fprintf(f, "%s%s", output_safe(line, sizeof line, raw), nl || end == len ? "\n" : "");
                start = nl ? end + 1 : end;
        }
}

/* ---- HTML: the text of the elements, in reading order ---- */

typedef struct HtmlText {
        FILE *f;
        char line[4096];
        size_t len;
        bool cell; /* a table cell was written on this line */
} HtmlText;

static void html_flush(HtmlText *h) {
        char safe[sizeof h->line];
        size_t n = h->len;

        while (n > 0 && h->line[n - 1] == ' ')
                n--;
        h->line[n] = '\0';
        if (n > 0)
                fprintf(h->f, "%s\n", output_safe(safe, sizeof safe, h->line));
        h->len = 0;
        h->cell = false;
}

static void html_put(HtmlText *h, const char *s, size_t n) {
        for (size_t i = 0; i < n; i++) {
                char c = isspace((unsigned char) s[i]) ? ' ' : s[i];
                if (c == ' ' && (h->len == 0 || h->line[h->len - 1] == ' '))
                        continue;
                if (h->len + 1 >= sizeof h->line)
                        html_flush(h);
                h->line[h->len++] = c;
        }
}

/* The entity at s (after '&'), written out; returns how much it used. */
static size_t html_entity(HtmlText *h, const char *s, size_t n) {
        static const struct {
                const char *name, *text;
        } named[] = { { "lt;", "<" }, { "gt;", ">" }, { "amp;", "&" }, { "quot;", "\"" }, { "#39;", "'" },
                      { "nbsp;", " " } };

        for (size_t i = 0; i < sizeof named / sizeof named[0]; i++) {
                size_t k = strlen(named[i].name);
                if (n >= k && memcmp(s, named[i].name, k) == 0) {
                        html_put(h, named[i].text, strlen(named[i].text));
                        return k;
                }
        }
        html_put(h, "&", 1);
        return 0;
}

static bool tag_is(const char *tag, size_t n, const char *name) {
        size_t k = strlen(name);
        return n >= k && strncasecmp(tag, name, k) == 0 && (n == k || !isalnum((unsigned char) tag[k]));
}

/* Everything between <name ...> and its </name>, skipped; returns the offset after it. */
static size_t html_skip_element(const char *data, size_t len, size_t i, const char *name) {
        char close[32];
        snprintf(close, sizeof close, "</%s", name);
        for (size_t k = strlen(close); i + k <= len; i++)
                if (strncasecmp(data + i, close, k) == 0) {
                        const char *gt = memchr(data + i, '>', len - i);
                        return gt ? (size_t) (gt - data) + 1 : len;
                }
        return len;
}

static void view_html(FILE *f, const char *data, size_t len) {
        static const char *const blocks[] = { "p",  "h1", "h2",     "h3",     "tr",     "li",     "br",  "table",
                                              "caption", "section", "figure", "figcaption", "header", "footer",
                                              "div", "title", "main" };
        HtmlText h = { .f = f };
        size_t i = 0;

        while (i < len) {
                if (data[i] == '&') {
                        i++;
                        i += html_entity(&h, data + i, len - i);
                        continue;
                }
                if (data[i] != '<') {
                        const char *lt = memchr(data + i, '<', len - i), *amp = memchr(data + i, '&', len - i);
                        size_t end = lt ? (size_t) (lt - data) : len;
                        if (amp && (size_t) (amp - data) < end)
                                end = (size_t) (amp - data);
                        html_put(&h, data + i, end - i);
                        i = end;
                        continue;
                }
                const char *gt = memchr(data + i, '>', len - i);
                size_t end = gt ? (size_t) (gt - data) + 1 : len;
                const char *tag = data + i + 1;
                size_t n = end - i - 1;
                bool closing = n > 0 && tag[0] == '/';
                if (closing)
                        tag++, n--;
                if (!closing && (tag_is(tag, n, "style") || tag_is(tag, n, "script"))) {
                        i = html_skip_element(data, len, end, tag_is(tag, n, "style") ? "style" : "script");
                        continue;
                }
                if (!closing && tag_is(tag, n, "svg")) {
                        /* A chart: its title only (its figures are in the tables). */
                        size_t stop = html_skip_element(data, len, end, "svg");
                        const char *t = NULL;
                        for (size_t k = end; k + 6 < stop && !t; k++)
                                if (strncasecmp(data + k, "<title", 6) == 0)
                                        t = memchr(data + k, '>', stop - k);
                        html_flush(&h);
                        html_put(&h, "[chart: ", 8);
                        if (t) {
                                const char *te = memchr(t, '<', (size_t) (data + stop - t));
                                if (te)
                                        html_put(&h, t + 1, (size_t) (te - t - 1));
                        }
                        html_put(&h, "]", 1);
                        html_flush(&h);
                        i = stop;
                        continue;
                }
                if (tag_is(tag, n, "td") || tag_is(tag, n, "th")) {
                        if (!closing && h.cell)
                                html_put(&h, " | ", 3);
                        h.cell = true;
                } else
                        for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; b++)
                                if (tag_is(tag, n, blocks[b])) {
                                        html_flush(&h);
                                        break;
                                }
                i = end;
        }
        html_flush(&h);
}

/* ---- FHIR: the Bundle's identifiers and each Observation on a line ---- */

static const char *jstr(json_object *o, const char *key) {
        json_object *v;
        return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
                       ? json_object_get_string(v)
                       : "";
}

static json_object *jget(json_object *o, const char *key) {
        json_object *v = NULL;
        json_object_object_get_ex(o, key, &v);
        return v;
}

static int view_fhir(FILE *f, const char *data, size_t len) {
        _cleanup_json_ json_object *b = NULL;
        json_tokener *tok = json_tokener_new();
        char s1[256], s2[256], s3[256], s4[256], s5[64], s6[64];

        if (!tok)
                return -ENOMEM;
        b = json_tokener_parse_ex(tok, data, (int) len);
        json_tokener_free(tok);
        json_object *entries = jget(b, "entry");
        if (!b || !json_object_is_type(entries, json_type_array))
                return -EBADMSG;

        fprintf(f, "FHIR R4 %s, id %s, timestamp %s, %zu entries:\n", output_safe(s1, sizeof s1, jstr(b, "resourceType")),
                output_safe(s2, sizeof s2, jstr(b, "id")), output_safe(s3, sizeof s3, jstr(b, "timestamp")),
                json_object_array_length(entries));
        const char *last_subject = NULL, *last_display = NULL;
        for (size_t i = 0; i < json_object_array_length(entries); i++) {
                json_object *e = json_object_array_get_idx(entries, i), *o = jget(e, "resource");
                json_object *subject = jget(o, "subject"), *coding = jget(jget(o, "code"), "coding");
                json_object *c = json_object_is_type(coding, json_type_array) ? json_object_array_get_idx(coding, 0)
                                                                               : NULL;
                json_object *q = jget(o, "valueQuantity"), *period = jget(o, "effectivePeriod");
                const char *subj = jstr(subject, "reference"), *disp = jstr(subject, "display");

                /* The subject, each time it changes (it never does: one person). */
                if (!last_subject || strcmp(subj, last_subject) != 0 || strcmp(disp, last_display) != 0) {
                        fprintf(f, "  subject: %s%s%s%s\n", output_safe(s1, sizeof s1, subj), *disp ? " (" : "",
                                output_safe(s2, sizeof s2, disp), *disp ? ")" : "");
                        last_subject = subj;
                        last_display = disp;
                }
                const char *value = q ? json_object_get_string(jget(q, "value")) : jstr(o, "valueTime");
                fprintf(f, "  %s  %s..%s  %s: %s %s\n", output_safe(s1, sizeof s1, jstr(o, "id")),
                        output_safe(s2, sizeof s2, jstr(period, "start")),
                        output_safe(s3, sizeof s3, jstr(period, "end")), output_safe(s4, sizeof s4, jstr(c, "display")),
                        output_safe(s6, sizeof s6, value ? value : "(none)"),
                        output_safe(s5, sizeof s5, jstr(q, "unit")));
                if (*jstr(e, "fullUrl"))
                        fprintf(f, "      fullUrl %s\n", output_safe(s1, sizeof s1, jstr(e, "fullUrl")));
        }
        return 0;
}

int share_view(FILE *f, DigestFormat format, const char *data, size_t len) {
        switch (format) {
        case DIGEST_FORMAT_HTML:
                view_html(f, data, len);
                return 0;
        case DIGEST_FORMAT_FHIR:
                return view_fhir(f, data, len);
        default:
                view_plain(f, data, len);
                return 0;
        }
}

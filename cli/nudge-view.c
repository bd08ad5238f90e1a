/* Nudges of the interface: parsed from a reply, fetched, and printed on one line. */
#include "nudge-view.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "macro.h"
#include "output.h"
#include "protocol.h"

/* An optional field: absent or null is fine, another type is not. */
static int optional(int r) {
        return r == -ENODATA ? 0 : r;
}

int nudge_parse(json_object *o, Nudge *ret) {
        Nudge n = { .snoozed_until = -1, .helpful = -1 };
        bool helpful;
        int r;

        if (!o || !json_object_is_type(o, json_type_object))
                return -EBADMSG;
        if (client_get_int(o, "id", &n.id) < 0 || client_get_string(o, "policy", &n.policy) < 0 ||
            client_get_string(o, "date", &n.date) < 0 || client_get_int(o, "raised_at", &n.raised_at) < 0 ||
            client_get_string(o, "severity", &n.severity) < 0 || client_get_string(o, "title", &n.title) < 0 ||
            client_get_string(o, "body", &n.body) < 0 || client_get_string(o, "rule", &n.rule) < 0 ||
            client_get_string(o, "state", &n.state) < 0)
                return -EBADMSG;
        if (optional(client_get_string(o, "step", &n.step)) < 0 ||
            optional(client_get_int(o, "snoozed_until", &n.snoozed_until)) < 0 ||
            client_get_figure(o, "value", false, &n.value) < 0 || client_get_figure(o, "baseline", false, &n.baseline) < 0 ||
            client_get_figure(o, "score", false, &n.score) < 0)
                return -EBADMSG;
        r = client_get_bool(o, "helpful", &helpful);
        if (r >= 0)
                n.helpful = helpful;
        else if (r != -ENODATA)
                return -EBADMSG;
        *ret = n;
        return 0;
}

static int nudge_parse_any(json_object *o, void *ret) {
        return nudge_parse(o, ret);
}

int nudges_parse(json_object *reply, const char *key, const char *what, Nudge **ret, size_t *ret_n) {
        return CLIENT_GET_ARRAY_OF(reply, key, Nudge, nudge_parse_any, what, ret, ret_n);
}

int nudges_fetch(const Ctx *ctx, bool all, json_object **ret_reply, Nudge **ret, size_t *ret_n) {
        _cleanup_json_ json_object *params = json_object_new_object(), *reply = NULL;
        int r;

        if (!params || (all && json_object_object_add(params, "all", json_object_new_boolean(true)) < 0))
                return -ENOMEM;
        r = client_invoke(ctx->socket_path, KIZUKI_NAME("GetNudges"), params, &reply);
        if (r < 0)
                return r;
        r = nudges_parse(reply, "nudges", "nudges", ret, ret_n);
        if (r < 0)
                return r;
        *ret_reply = TAKE_PTR(reply);
        return 0;
}

/* Calm colours: a nudge is a note to oneself, and the screen may be seen by
 * others; red or bold would read as an alarm. */
static const char *severity_color(const Ctx *ctx, const char *severity) {
        if (strcmp(severity, "concern") == 0 || strcmp(severity, "notice") == 0)
                return output_color(ctx->color, ANSI_CYAN);
        return "";
}

void nudge_print_line(const Ctx *ctx, const Nudge *n, unsigned indent) {
        char head[96], date[OUTPUT_DATE_MAX], sev[16], title[1024];
        const char *color = severity_color(ctx, n->severity);

        snprintf(head, sizeof head, "%*s#%lld  %s  ", (int) indent, "", (long long) n->id,
                 output_safe(date, sizeof date, n->date));
        output_safe(sev, sizeof sev, n->severity);
        unsigned used = (unsigned) (strlen(head) + 9);
        output_truncate(title, sizeof title, n->title, ctx->columns > used + 10 ? ctx->columns - used : 10);
        printf("%s%s%-7s%s  %s\n", head, color, sev, *color ? output_color(ctx->color, ANSI_RESET) : "", title);
}

int nudge_print_full(const Ctx *ctx, const Nudge *n) {
        nudge_print_line(ctx, n, 0);
        if (output_wrap(stdout, 4, "", n->body, ctx->columns) < 0 ||
            (n->step && output_wrap(stdout, 4, "One small step: ", n->step, ctx->columns) < 0))
                return -ENOMEM;
        return 0;
}

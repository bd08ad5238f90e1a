/* X11: two XSync alarms on the server's IDLETIME counter, so the server
 * tells us when idle time crosses the timeout and when input resets it; no
 * polling of XScreenSaverQueryInfo. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <xcb/sync.h>
#include <xcb/xcb.h>

#include "idle.h"

typedef struct IdleX11 {
        IdleBackend pub;
        xcb_connection_t *conn;
        uint8_t first_event;
        xcb_sync_alarm_t idle_alarm, reset_alarm;
} IdleX11;

static xcb_sync_int64_t sync_int64(int64_t v) {
        return (xcb_sync_int64_t) { .hi = (int32_t) (v >> 32), .lo = (uint32_t) v };
}

static int64_t int64_of(xcb_sync_int64_t v) {
        return (int64_t) ((uint64_t) (uint32_t) v.hi << 32 | v.lo);
}

/* The IDLETIME system counter, or 0 when the server has none. The list is
 * read by hand: on the wire an entry is 14 bytes (counter, resolution,
 * name_len) then the name, padded to 4; libxcb's iterator uses its 16-byte
 * struct and reads each name 2 bytes late. */
static xcb_sync_counter_t find_idletime(xcb_connection_t *c) {
        xcb_sync_list_system_counters_reply_t *r =
                xcb_sync_list_system_counters_reply(c, xcb_sync_list_system_counters(c), NULL);
        if (!r)
                return 0;
        const uint8_t *p = (const uint8_t *) (r + 1), *end = p + (size_t) r->length * 4;
        xcb_sync_counter_t found = 0;
        for (uint32_t i = 0; i < r->counters_len && !found && p + 14 <= end; i++) {
                uint32_t counter;
                uint16_t len;
                memcpy(&counter, p, sizeof counter);
                memcpy(&len, p + 12, sizeof len);
                if (p + 14 + len > end)
                        break;
                if (len == 8 && memcmp(p + 14, "IDLETIME", 8) == 0)
                        found = counter;
                p += (14 + len + 3) & ~(size_t) 3;
        }
        free(r);
        return found;
}

static int x11_prepare(IdleBackend *b) {
        IdleX11 *x = (IdleX11 *) b;
        return xcb_flush(x->conn) > 0 ? 0 : -EPIPE;
}

static int x11_dispatch(IdleBackend *b, short revents) {
        IdleX11 *x = (IdleX11 *) b;
        xcb_generic_event_t *ev;
        (void) revents;
        while ((ev = xcb_poll_for_event(x->conn))) {
                if ((ev->response_type & 0x7f) == x->first_event + XCB_SYNC_ALARM_NOTIFY) {
                        xcb_sync_alarm_notify_event_t *a = (xcb_sync_alarm_notify_event_t *) ev;
                        if (a->alarm == x->idle_alarm)
                                b->state = IDLE_REPORT_IDLE;
                        else if (a->alarm == x->reset_alarm)
                                b->state = IDLE_REPORT_ACTIVE;
                }
                free(ev);
        }
        return xcb_connection_has_error(x->conn) ? -EPIPE : 0;
}

static void x11_free(IdleBackend *b) {
        IdleX11 *x = (IdleX11 *) b;
        if (!x)
                return;
        if (x->conn)
                xcb_disconnect(x->conn);
        free(x);
}

/* One alarm on counter: fires each time the idle time crosses value upwards
 * (positive) or downwards (negative transition). Transitions, not
 * comparisons, so a delta of 0 keeps it armed. */
static xcb_sync_alarm_t create_alarm(xcb_connection_t *c, xcb_sync_counter_t counter, int64_t value, bool up) {
        xcb_sync_alarm_t id = xcb_generate_id(c);
        xcb_sync_create_alarm_value_list_t v = {
                .counter = counter,
                .valueType = XCB_SYNC_VALUETYPE_ABSOLUTE,
                .value = sync_int64(value),
                .testType = up ? XCB_SYNC_TESTTYPE_POSITIVE_TRANSITION : XCB_SYNC_TESTTYPE_NEGATIVE_TRANSITION,
                .delta = sync_int64(0),
                .events = 1,
        };
        xcb_sync_create_alarm_aux(c, id,
                                  XCB_SYNC_CA_COUNTER | XCB_SYNC_CA_VALUE_TYPE | XCB_SYNC_CA_VALUE |
                                          XCB_SYNC_CA_TEST_TYPE | XCB_SYNC_CA_DELTA | XCB_SYNC_CA_EVENTS,
                                  &v);
        return id;
}

int idle_x11_open(IdleBackend **ret, uint32_t timeout_ms) {
        if (timeout_ms < 2)
                return -EINVAL;
        IdleX11 *x = calloc(1, sizeof *x);
        if (!x)
                return -ENOMEM;
        x->pub = (IdleBackend) { .protocol = "x11-sync", .prepare = x11_prepare, .dispatch = x11_dispatch,
                                 .free = x11_free };
        int r = -ENODEV;
        x->conn = xcb_connect(NULL, NULL);
        if (xcb_connection_has_error(x->conn))
                goto fail;
        const xcb_query_extension_reply_t *ext = xcb_get_extension_data(x->conn, &xcb_sync_id);
        if (!ext || !ext->present)
                goto fail;
        x->first_event = ext->first_event;
        xcb_sync_initialize_reply_t *init = xcb_sync_initialize_reply(
                x->conn, xcb_sync_initialize(x->conn, XCB_SYNC_MAJOR_VERSION, XCB_SYNC_MINOR_VERSION), NULL);
        if (!init)
                goto fail;
        free(init);
        xcb_sync_counter_t idletime = find_idletime(x->conn);
        if (!idletime)
                goto fail;

        x->idle_alarm = create_alarm(x->conn, idletime, timeout_ms, true);
        x->reset_alarm = create_alarm(x->conn, idletime, timeout_ms - 1, false);
        /* Where we start: already idle past the timeout or not. */
        xcb_sync_query_counter_reply_t *q =
                xcb_sync_query_counter_reply(x->conn, xcb_sync_query_counter(x->conn, idletime), NULL);
        if (!q) {
                r = -EIO;
                goto fail;
        }
        x->pub.state = int64_of(q->counter_value) >= timeout_ms ? IDLE_REPORT_IDLE : IDLE_REPORT_ACTIVE;
        free(q);
        x->pub.fd = xcb_get_file_descriptor(x->conn);
        /* Events that arrived with the replies are read by the first dispatch. */
        (void) x11_dispatch(&x->pub, 0);
        *ret = &x->pub;
        return 0;
fail:
        x11_free(&x->pub);
        return r;
}

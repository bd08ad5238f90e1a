/* idle-poke: tell a Wayland compositor that the user is active, for the
 * tests of kizuki-idle on compositors without a virtual keyboard (KWin has
 * none without an input method, so wtype cannot type there). It asks for an
 * org_kde_kwin_idle timeout and calls simulate_user_activity, which KWin
 * applies to all its idle timers, ext-idle-notify-v1 ones included. Exit 0
 * when the request went out, 1 otherwise. */
#include <stdio.h>
#include <string.h>
#include <wayland-client.h>

#include "kde-idle-client-protocol.h"

static struct wl_seat *seat;
static struct org_kde_kwin_idle *idle;

static void global(void *data, struct wl_registry *reg, uint32_t name, const char *iface, uint32_t version) {
        (void) data, (void) version;
        if (strcmp(iface, wl_seat_interface.name) == 0 && !seat)
                seat = wl_registry_bind(reg, name, &wl_seat_interface, 1);
        else if (strcmp(iface, org_kde_kwin_idle_interface.name) == 0 && !idle)
                idle = wl_registry_bind(reg, name, &org_kde_kwin_idle_interface, 1);
}

static void global_remove(void *data, struct wl_registry *reg, uint32_t name) {
        (void) data, (void) reg, (void) name;
}

static const struct wl_registry_listener listener = { global, global_remove };

int main(void) {
        struct wl_display *d = wl_display_connect(NULL);
        if (!d) {
                fprintf(stderr, "idle-poke: cannot connect to the Wayland display\n");
                return 1;
        }
        struct wl_registry *reg = wl_display_get_registry(d);
        wl_registry_add_listener(reg, &listener, NULL);
        if (wl_display_roundtrip(d) < 0 || !seat || !idle) {
                fprintf(stderr, "idle-poke: the compositor offers no org_kde_kwin_idle\n");
                if (idle)
                        org_kde_kwin_idle_destroy(idle);
                if (seat)
                        wl_seat_destroy(seat);
                wl_registry_destroy(reg);
                wl_display_disconnect(d);
                return 1;
        }
        struct org_kde_kwin_idle_timeout *t = org_kde_kwin_idle_get_idle_timeout(idle, seat, 3600 * 1000);
        org_kde_kwin_idle_timeout_simulate_user_activity(t);
        int r = wl_display_roundtrip(d);
        org_kde_kwin_idle_timeout_release(t);
        org_kde_kwin_idle_destroy(idle);
        wl_seat_destroy(seat);
        wl_registry_destroy(reg);
        wl_display_roundtrip(d);
        wl_display_disconnect(d);
        return r < 0 ? 1 : 0;
}

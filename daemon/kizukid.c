/* kizukid: records, per local hour, how long the person was active at the
 * computer — only with their consent, only on this machine.
 * This file is main: the arguments, the signals, and the wiring of the daemon
 * (daemon.c) to the method handlers (methods.c). Nothing calls into it. */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>

#include "daemon.h"
#include "log.h"
#include "macro.h"
#include "methods.h"
#include "methods-idle.h"
#include "protocol.h"
#include "version.h"

static void on_signal(evutil_socket_t sig, short what, void *userdata) {
        Daemon *d = userdata;
        (void) what;
        if (sig == SIGHUP) {
                sd_notify(0, "RELOADING=1");
                daemon_reload(d, NULL);
                sd_notify(0, "READY=1");
                return;
        }
        log_info("Received %s, stopping", strsignal((int) sig));
        event_base_loopbreak(d->base);
}

static void help(void) {
        printf("Usage: kizukid [OPTION]...\n"
               "Record, per local hour, how long you are active at this computer (with your consent).\n\n"
               "  -c, --config FILE     configuration (default $XDG_CONFIG_HOME/kizuki/kizukid.conf)\n"
               "  -s, --state-dir DIR   where the database lives (default $XDG_STATE_HOME/kizuki)\n"
               "      --socket PATH     control socket (default $XDG_RUNTIME_DIR/kizuki/io.kizuki.Daemon)\n"
               "      --no-logind       do not follow logind sessions (hints only)\n"
               "  -d, --debug           log debug messages\n"
               "  -h, --help            show this help\n"
               "      --version         show the version\n\n"
               "Usually started by systemd (kizukid.socket). See kizukid(8) and kizuki(1).\n");
}

static int parse_args(Daemon *d, int argc, char **argv) {
        enum { OPT_SOCKET = 256, OPT_NO_LOGIND, OPT_VERSION };
        static const struct option options[] = {
                { "config", required_argument, NULL, 'c' },
                { "state-dir", required_argument, NULL, 's' },
                { "socket", required_argument, NULL, OPT_SOCKET },
                { "no-logind", no_argument, NULL, OPT_NO_LOGIND },
                { "debug", no_argument, NULL, 'd' },
                { "help", no_argument, NULL, 'h' },
                { "version", no_argument, NULL, OPT_VERSION },
                {},
        };
        int c;
        while ((c = getopt_long(argc, argv, "c:s:dh", options, NULL)) >= 0)
                switch (c) {
                case 'c':
                        free(d->config_path);
                        d->config_path = strdup(optarg);
                        break;
                case 's':
                        free(d->state_dir);
                        d->state_dir = strdup(optarg);
                        break;
                case OPT_SOCKET:
                        free(d->socket_path);
                        d->socket_path = strdup(optarg);
                        break;
                case OPT_NO_LOGIND:
                        d->no_logind = true;
                        break;
                case 'd':
                        log_max_priority = 7;
                        break;
                case 'h':
                        help();
                        return 0;
                case OPT_VERSION:
                        printf("kizukid %s\n", KIZUKI_VERSION);
                        return 0;
                default:
                        fprintf(stderr, "Try 'kizukid --help'.\n");
                        return -EINVAL;
                }
        if (optind < argc) {
                fprintf(stderr, "kizukid: unexpected argument '%s'\nTry 'kizukid --help'.\n", argv[optind]);
                return -EINVAL;
        }
        if (!d->config_path)
                d->config_path = protocol_xdg_path("XDG_CONFIG_HOME", ".config", "kizukid.conf");
        if (!d->state_dir)
                d->state_dir = protocol_xdg_path("XDG_STATE_HOME", ".local/state", NULL);
        if (!d->socket_path)
                (void) protocol_socket_path(&d->socket_path);
        if (!d->config_path || !d->state_dir || !d->socket_path) {
                fprintf(stderr, "kizukid: cannot find my directories: set HOME or the XDG_* variables\n");
                return -EINVAL;
        }
        if (asprintf(&d->db_path, "%s/kizuki.db", d->state_dir) < 0)
                return -ENOMEM;
        return 1;
}

int main(int argc, char **argv) {
        Daemon d = {};
        struct event *signals[3] = {};
        int r;

        r = parse_args(&d, argc, argv);
        if (r <= 0) {
                daemon_done(&d);
                return r < 0 ? 2 : 0;
        }
        umask(0077);
        signal(SIGPIPE, SIG_IGN);

        r = daemon_open(&d);
        if (r < 0)
                goto out;
        int sigs[] = { SIGTERM, SIGINT, SIGHUP };
        for (size_t i = 0; i < ELEMENTSOF(sigs); i++) {
                signals[i] = evsignal_new(d.base, sigs[i], on_signal, &d);
                if (!signals[i] || evsignal_add(signals[i], NULL) < 0) {
                        r = -ENOMEM;
                        goto out;
                }
        }
        r = daemon_listen(&d, methods_dispatch, methods_idle_detached);
        if (r < 0)
                goto out;
        daemon_start(&d);

        event_base_dispatch(d.base);

        r = daemon_stop(&d);
        r = r < 0 ? r : 0;
out:
        for (size_t i = 0; i < ELEMENTSOF(signals); i++)
                if (signals[i])
                        event_free(signals[i]);
        daemon_done(&d);
        return r < 0 ? 1 : 0;
}

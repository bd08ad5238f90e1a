/* The control protocol's names, shared by kizukid (the server) and kizuki (its
 * client): the Varlink interface, its errors and where the socket lives. The
 * messages themselves are described in io.kizuki.Daemon.varlink. */
#pragma once

#define KIZUKI_INTERFACE "io.kizuki.Daemon"
/* A method or error name of the interface: KIZUKI_NAME("GetStatus"). */
#define KIZUKI_NAME(name) KIZUKI_INTERFACE "." name
#define VARLINK_SERVICE_INTERFACE "org.varlink.service"

/* The socket's default place: $XDG_RUNTIME_DIR/kizuki/io.kizuki.Daemon, or
 * under /run/user/UID when XDG_RUNTIME_DIR is unset or not absolute. *ret is
 * malloc'ed. -ENOMEM. */
int protocol_socket_path(char **ret);

/* The places kizukid uses by default, as the client must find them too:
 * $VAR/kizuki[/leaf] when VAR (XDG_STATE_HOME, XDG_CONFIG_HOME) is absolute,
 * else ~/FALLBACK/kizuki[/leaf] (".local/state", ".config"). leaf may be NULL.
 * malloc'ed; NULL when neither is set or out of memory. */
char *protocol_xdg_path(const char *var, const char *fallback, const char *leaf);

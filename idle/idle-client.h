/* kizuki-idle's connection to kizukid: attach as an idle source, report
 * changes, notice when the daemon goes. Replies are read and dropped (an
 * error is said once on stderr); nothing here waits on a timer. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "idle.h"

typedef struct IdleClient IdleClient;

/* Connect to path and attach with protocol, timeout and session (NULL: none).
 * -errno of socket()/connect() when the daemon is not there. */
int idle_client_connect(IdleClient **ret, const char *path, const char *protocol, uint32_t timeout_s,
                        const char *session);
IdleClient *idle_client_free(IdleClient *c);
int idle_client_fd(const IdleClient *c);
/* Report a state; -EPIPE when the daemon is gone. */
int idle_client_report(IdleClient *c, IdleReport state);
/* Say goodbye ("detach"): the daemon goes back to logind's IdleHint. */
void idle_client_detach(IdleClient *c);
/* The socket is readable: drop replies, say errors. -ECONNRESET at EOF;
 * -EPROTO when the daemon refused the attach. */
int idle_client_read(IdleClient *c);

/* The share methods of io.kizuki.Daemon (the share log): their handlers, for the table in methods.c. */
#pragma once

#include "method.h"

MethodHandler method_log_share, method_get_shares;

/* GetStatus's failed_shares (added to p): the newest share to each recipient
 * where it failed, among the newest SHARES_STATUS ones; [] when the log cannot
 * be read (GetStatus answers regardless). */
void methods_share_status(Daemon *d, json_object *p);

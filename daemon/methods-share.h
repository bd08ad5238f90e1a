/* The share methods of io.kizuki.Daemon (the share log): their handlers, for the table in methods.c. */
#pragma once

#include "method.h"

MethodHandler method_log_share, method_get_shares;

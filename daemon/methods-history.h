/* The history methods of io.kizuki.Daemon (hours, days, weeks, the digest, imports of hours): their handlers, for the table in methods.c. */
#pragma once

#include "method.h"

MethodHandler method_get_hours, method_get_days, method_get_range, method_get_week, method_get_digest, method_import;

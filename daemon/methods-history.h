/* The history methods of io.kizuki.Daemon (hours, days, weeks, the digest, imports of hours), for the dispatcher in methods.c. */
#pragma once

#include "method.h"

extern const MethodEntry history_methods[];

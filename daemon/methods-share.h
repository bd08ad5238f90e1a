/* The share methods of io.kizuki.Daemon (the share log), for the dispatcher in methods.c. */
#pragma once

#include "method.h"

extern const MethodEntry share_methods[];

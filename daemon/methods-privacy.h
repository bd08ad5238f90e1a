/* The privacy methods of io.kizuki.Daemon (inventory, export, forget, imports of records), for the dispatcher in methods.c. */
#pragma once

#include "method.h"

extern const MethodEntry privacy_methods[];

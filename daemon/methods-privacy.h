/* The privacy methods of io.kizuki.Daemon (inventory, export, forget, imports of records): their handlers, for the table in methods.c. */
#pragma once

#include "method.h"

MethodHandler method_get_privacy, method_export, method_forget, method_import_records;

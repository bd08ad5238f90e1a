/* The method tables of the area files (methods-*.c), for the dispatcher in
 * methods.c; what handlers share is in method.h. */
#pragma once

#include "method.h"

/* methods-privacy.c: inventory, export, forget. */
extern const MethodEntry privacy_methods[];
/* methods-share.c: the share log. */
extern const MethodEntry share_methods[];

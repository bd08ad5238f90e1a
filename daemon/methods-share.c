/* Methods of io.kizuki.Daemon: share. */
#include "methods.h"

const MethodEntry share_methods[] = {
        {},
};

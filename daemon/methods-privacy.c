/* Methods of io.kizuki.Daemon: privacy. */
#include "methods.h"

const MethodEntry privacy_methods[] = {
        {},
};

#include "protocol.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int protocol_socket_path(char **ret) {
        const char *rt = getenv("XDG_RUNTIME_DIR");
        int n;

        if (rt && rt[0] == '/')
                n = asprintf(ret, "%s/kizuki/" KIZUKI_INTERFACE, rt);
        else
                n = asprintf(ret, "/run/user/%u/kizuki/" KIZUKI_INTERFACE, (unsigned) getuid());
        if (n < 0) {
                *ret = NULL;
                return -ENOMEM;
        }
        return 0;
}

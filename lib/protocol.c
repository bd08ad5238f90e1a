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

char *protocol_xdg_path(const char *var, const char *fallback, const char *leaf) {
        const char *base = getenv(var);
        char *s = NULL;
        int n;

        if (base && base[0] == '/')
                n = asprintf(&s, "%s/kizuki%s%s", base, leaf ? "/" : "", leaf ? leaf : "");
        else {
                const char *home = getenv("HOME");
                if (!home || home[0] != '/')
                        return NULL;
                n = asprintf(&s, "%s/%s/kizuki%s%s", home, fallback, leaf ? "/" : "", leaf ? leaf : "");
        }
        return n < 0 ? NULL : s;
}

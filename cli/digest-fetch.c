/* Asking kizukid for a digest (digest-fetch.h): the week as kizukid spells
 * it, and the GetDigest call over the control socket. The client layer: the
 * only digest file that talks to the socket. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "digest-common.h"
#include "digest-fetch.h"
#include "output.h"
#include "protocol.h"

int digest_fetch(const char *socket_path, const char *week, DigestLevel level, json_object **ret_model) {
        _cleanup_json_ json_object *params = NULL, *reply = NULL;
        json_object *model;
        DigestLevel got;
        int r;

        if (level >= _DIGEST_LEVEL_MAX) {
                fprintf(stderr, "kizuki: invalid digest level %d\n", (int) level);
                return -EINVAL;
        }
        params = json_object_new_object();
        if (!params ||
            json_object_object_add(params, "level", json_object_new_string(digest_level_to_string(level))) < 0 ||
            (week && json_object_object_add(params, "week", json_object_new_string(week)) < 0))
                return -ENOMEM;
        r = client_invoke(socket_path, KIZUKI_NAME("GetDigest"), params, &reply);
        if (r < 0)
                return r;
        if (client_get_object(reply, "digest", &model) < 0 || digest_check(model, &got) < 0 || got != level ||
            (week && strcmp(digest_string(model, "week"), week) != 0)) {
                fprintf(stderr, "kizuki: kizukid sent a malformed digest\n");
                return -EBADMSG;
        }
        *ret_model = json_object_get(model);
        return 0;
}

/* Fuzz the control-message parser and the typed parameter readers: whatever
 * bytes a peer sends, parsing never crashes and a parsed call is well-formed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "varlink.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        VarlinkCall call;
        const char *error;

        if (varlink_call_parse((const char *) data, size, &call, &error) < 0) {
                if (!error || call.method || call.parameters)
                        abort();
                return 0;
        }
        if (!call.method || !strchr(call.method, '.') || !json_object_is_type(call.parameters, json_type_object))
                abort();

        const char *s;
        int64_t i;
        (void) varlink_param_string(call.parameters, "date", &s);
        (void) varlink_param_string(call.parameters, "state", &s);
        if (varlink_param_int(call.parameters, "duration_s", 1, 86400, &i) > 0 && (i < 1 || i > 86400))
                abort();

        char iface[256];
        const char *member;
        (void) varlink_method_split(call.method, iface, sizeof iface, &member);

        char *reply;
        size_t len;
        if (varlink_reply(json_object_get(call.parameters), &reply, &len) < 0 || reply[len - 1] != '\0' ||
            strlen(reply) + 1 != len)
                abort();
        free(reply);
        varlink_call_done(&call);
        return 0;
}

/* The problems of Reload and EvalPolicies replies, printed. */
#include "problems.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "client.h"
#include "output.h"

/* Files among the problems: "FILE:LINE: message" or "FILE: message" name
 * FILE; the problems of one file come together. */
static size_t count_files(json_object *problems) {
        size_t n = json_object_array_length(problems), files = 0;
        const char *prev = NULL;
        size_t prev_len = 0;

        for (size_t i = 0; i < n; i++) {
                const char *s = json_object_get_string(json_object_array_get_idx(problems, i));
                if (!s)
                        continue;
                const char *colon = strchr(s, ':');
                size_t len = colon ? (size_t) (colon - s) : strlen(s);
                if (!prev || len != prev_len || strncmp(s, prev, len) != 0)
                        files++;
                prev = s;
                prev_len = len;
        }
        return files;
}

int problems_print(json_object *reply, size_t *ret_files) {
        json_object *problems;
        char safe[1024];
        int r;

        r = client_get_array(reply, "problems", &problems);
        if (r == -ENODATA) {
                *ret_files = 0;
                return 0;
        }
        if (r < 0)
                return -EBADMSG;
        size_t n = json_object_array_length(problems);
        for (size_t i = 0; i < n; i++) {
                json_object *p = json_object_array_get_idx(problems, i);
                if (!p || !json_object_is_type(p, json_type_string))
                        return -EBADMSG;
        }
        for (size_t i = 0; i < n; i++)
                fprintf(stderr, "%s\n",
                        output_safe(safe, sizeof safe, json_object_get_string(json_object_array_get_idx(problems, i))));
        *ret_files = count_files(problems);
        return (int) (n > INT32_MAX ? INT32_MAX : n);
}

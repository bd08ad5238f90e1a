/* The digest as JSON (digest-json.h): the model itself. Pure. */
#include <errno.h>
#include <stdio.h>

#include "digest-json.h"
#include "json-cleanup.h"
#include "output.h"

/* A copy of o with every number written in its shortest exact form (json-c
 * would print 9.1071428571428577 for what kizukid sent as 9.107142857142858). */
static json_object *json_tidy(json_object *o) {
        switch (json_object_get_type(o)) {
        case json_type_double:
                return output_json_double(json_object_get_double(o));
        case json_type_object: {
                json_object *copy = json_object_new_object();
                json_object_object_foreach(o, k, v) json_object_object_add(copy, k, json_tidy(v));
                return copy;
        }
        case json_type_array: {
                size_t n = json_object_array_length(o);
                json_object *copy = json_object_new_array_ext((int) n);
                for (size_t i = 0; i < n; i++)
                        json_object_array_add(copy, json_tidy(json_object_array_get_idx(o, i)));
                return copy;
        }
        default:
                return json_object_get(o);
        }
}

/* The model itself, pretty-printed (two spaces), with a final newline. */
int digest_render_json(json_object *model, FILE *f) {
        _cleanup_json_ json_object *copy = json_tidy(model);
        const char *s = json_object_to_json_string_ext(copy, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
                                                                     JSON_C_TO_STRING_NOSLASHESCAPE);
        if (!s)
                return -ENOMEM;
        return fprintf(f, "%s\n", s) < 0 ? -EIO : 0;
}

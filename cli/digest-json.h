/* The digest as JSON: the model as kizukid sent it, pretty-printed. Beside
 * the other renderers; digest-render.c calls it. */
#pragma once

#include <json-c/json.h>
#include <stdio.h>

/* Write model, pretty-printed (two spaces) with numbers in their shortest
 * exact form and a final newline, to f. */
int digest_render_json(json_object *model, FILE *f);

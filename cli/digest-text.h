/* The digest as plain text. Above digest-common.h, beside the other
 * renderers; digest-render.c calls it. */
#pragma once

#include <json-c/json.h>
#include <stdio.h>

#include "digest-common.h"

/* Write the text of a model that passed digest_check() at level to f. */
int digest_render_text(json_object *model, DigestLevel level, FILE *f);

/* The digest as one self-contained HTML file. Above digest-common.h, beside
 * the other renderers; digest-render.c calls it. */
#pragma once

#include <json-c/json.h>
#include <stdio.h>

#include "digest-common.h"

/* Write the HTML of a model that passed digest_check() at level to f; o
 * gives the person's name, if any. */
int digest_render_html(json_object *model, DigestLevel level, const DigestOptions *o, FILE *f);

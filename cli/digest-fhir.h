/* The digest as a FHIR R4 Bundle. Above digest-common.h, beside the other
 * renderers; digest-render.c calls it. */
#pragma once

#include <json-c/json.h>
#include <stdio.h>

#include "digest-common.h"

/* Write the Bundle of a model that passed digest_check() at level to f; o
 * gives the Patient id and name. -EINVAL for a patient id that is no FHIR id. */
int digest_render_fhir(json_object *model, DigestLevel level, const DigestOptions *o, FILE *f);

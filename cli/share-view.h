/* What kizuki share shows before asking: a faithful, person-readable view of
 * the exact bytes that will be sent, never a second rendering of the model.
 * Text and JSON as they are; HTML as the text of its elements in reading
 * order (tables a row per line, charts by their title); FHIR as the Bundle's
 * identifiers, its subject (Patient reference and any display name) and each
 * Observation with its id, period, code display, value and unit. Control
 * characters are made harmless. */
#pragma once

#include <stddef.h>
#include <stdio.h>

#include "digest-model.h"

/* -EBADMSG when FHIR bytes do not parse as a Bundle. */
int share_view(FILE *f, DigestFormat format, const char *data, size_t len);

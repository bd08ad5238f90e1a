/* The HTML digest's trend section: the last 12 weeks as small multiples of
 * inline SVG, against the person's usual range.
 * Below digest-html.c, above digest-common.h; pure. */
#pragma once

#include <json-c/json.h>
#include <stdio.h>

/* Write the trend section of model's "trend" to f: one chart per signal
 * (hours at this computer, night share, rest-window middle and length, SRI)
 * and a table of the same values. A missing or malformed trend writes
 * nothing; a week that is not one of the 12 ending with the digest's week,
 * or a value of the wrong type or out of range, is left out (a gap). Only
 * numbers from the model reach f, never its strings. */
void digest_html_trend(FILE *f, json_object *model);

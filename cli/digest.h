/* The weekly digest as the commands use it: fetch the model from kizukid
 * (digest-fetch.h, the client layer) and render it as text, JSON,
 * self-contained HTML or a FHIR R4 Bundle (digest-render.h, the pure
 * kizuki-digest library). Only for commands: no digest file includes it. */
#pragma once

#include "digest-fetch.h"
#include "digest-render.h"

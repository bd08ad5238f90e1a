/* A scanner that checks JSON exactly as json-c's strict mode takes it (its
 * nesting limit included) without building anything, and decodes strings
 * byte for byte as json-c does: what lets the ActivityWatch importer stream a
 * large export (import-aw.c). Every function reads s[0..len) only and returns
 * -EBADMSG for what json-c would refuse. Pure. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* json-c's default nesting limit (JSON_TOKENER_DEFAULT_DEPTH): values sit at
 * most 31 levels below the root. */
#define JSON_DEPTH_MAX 32

/* Space, tab, CR and LF: json-c's whitespace. */
bool json_is_ws(char c);
/* The first position at or after i that is not whitespace (len at the end). */
size_t json_scan_ws(const char *s, size_t len, size_t i);

/* One value of any kind, at *pos or after whitespace, that sits depth levels
 * below the root; *pos goes past it. */
int json_scan_value(const char *s, size_t len, size_t *pos, unsigned depth);

/* The members of the object whose '{' is at *pos, one a call: 1 with the name's
 * content in s[*ret_a..*ret_b) and *pos at the value (the caller moves it past);
 * 0 once past the closing '}'. *first is true on the first call. */
int json_scan_member(const char *s, size_t len, size_t *pos, bool *first, size_t *ret_a, size_t *ret_b);

/* The content s[a..b) of a string the scanner took, decoded into out (room for
 * b - a bytes: nothing decodes longer); returns the length. */
size_t json_string_decode(const char *s, size_t a, size_t b, char *out);

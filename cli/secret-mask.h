/* Masking a secret (bearer token, SMTP password) out of text a server sent
 * back, before kizuki prints or logs it. Pure; no allocation. */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* A piece of the secret this long or longer is masked wherever it appears:
 * a whole copy, a copy cut short, a half echoed. */
#define SECRET_MASK_PIECE 8

/* Copy in[0..n) to out (at most out_size - 1 bytes, NUL-terminated), each
 * run of bytes that belongs to a piece of secret at least
 * min(SECRET_MASK_PIECE, strlen(secret)) long replaced by "***". complete:
 * in is all there is; otherwise in was cut at n, and its last bytes, which
 * could be the start of a piece that went on, are left out. NUL bytes in in
 * end it. With secret NULL or "", a plain truncating copy. Returns the
 * length written. */
size_t secret_mask(const char *in, size_t n, bool complete, const char *secret, char *out, size_t out_size);

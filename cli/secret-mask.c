/* Masking a secret out of a server's answer (see secret-mask.h). */
#include <string.h>

#include "secret-mask.h"

/* Whether s[i..i+m) occurs anywhere in secret (of length sn >= m). */
static bool piece_of(const char *s, size_t m, const char *secret, size_t sn) {
        for (size_t j = 0; j + m <= sn; j++)
                if (memcmp(s, secret + j, m) == 0)
                        return true;
        return false;
}

size_t secret_mask(const char *in, size_t n, bool complete, const char *secret, char *out, size_t out_size) {
        size_t sn = secret ? strlen(secret) : 0;
        size_t m = sn < SECRET_MASK_PIECE ? sn : SECRET_MASK_PIECE;
        size_t end, o = 0, masked_until = 0;
        bool in_mask = false;

        if (out_size == 0)
                return 0;
        end = strnlen(in, n);
        if (end < n)
                complete = true; /* a NUL ends the text; nothing after it is shown */
        n = end;
        /* Cut off: a byte is decided only with the m - 1 bytes after it seen. */
        end = complete || m == 0 ? n : n > m - 1 ? n - (m - 1) : 0;

        for (size_t i = 0; i < end && o + 1 < out_size; i++) {
                /* Every window of m bytes that is a piece of the secret masks
                 * its bytes; together they cover every longer piece. */
                if (m > 0 && i + m <= n && piece_of(in + i, m, secret, sn))
                        masked_until = i + m;
                if (i < masked_until) {
                        if (!in_mask) {
                                for (const char *star = "***"; *star && o + 1 < out_size; star++)
                                        out[o++] = *star;
                                in_mask = true;
                        }
                        continue;
                }
                in_mask = false;
                out[o++] = in[i];
        }
        out[o] = '\0';
        return o;
}

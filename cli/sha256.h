/* SHA-256 (FIPS 180-4), self-contained: the share log records the hash of the
 * bytes that left the machine. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_SIZE 32
#define SHA256_HEX_SIZE (2 * SHA256_DIGEST_SIZE + 1)

typedef struct Sha256 {
        uint32_t h[8];
        uint64_t length; /* bytes so far */
        uint8_t block[64];
        size_t used;
} Sha256;

void sha256_init(Sha256 *s);
void sha256_update(Sha256 *s, const void *data, size_t size);
void sha256_final(Sha256 *s, uint8_t ret[static SHA256_DIGEST_SIZE]);

/* The lower-case hex SHA-256 of data, NUL-terminated. */
void sha256_hex(const void *data, size_t size, char ret[static SHA256_HEX_SIZE]);

/* SPDX-License-Identifier: ISC */
/*
 * sha256.h: SHA-256 of a short string, as hex (FIPS 180-4). supd names a
 * ref record of the image store by the hash of its REF (docs/design.md,
 * "Images") and links no crypto library: supd-image hashes blobs with
 * nettle, supd only these few bytes.
 */
#ifndef SUPD_SHA256_H
#define SUPD_SHA256_H

#include <stddef.h>

#define SHA256_HEX_LEN	64

/* hex gets 64 lowercase hex digits and a NUL. */
void	sha256_hex(const void *data, size_t len, char hex[SHA256_HEX_LEN + 1]);

#endif

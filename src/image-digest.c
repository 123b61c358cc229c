/* SPDX-License-Identifier: ISC */
/*
 * image-digest.c: sha256 of blobs and layer streams for supd-image
 * (nettle), in the lowercase hex the OCI digests write.
 */
#include <string.h>

#include "image-private.h"

void
imgdig_init(struct imgdig *d)
{
	sha256_init(&d->ctx);
}

void
imgdig_update(struct imgdig *d, const void *p, size_t n)
{
	sha256_update(&d->ctx, n, p);
}

void
imgdig_hex(struct imgdig *d, char out[IMG_HEX_LEN + 1])
{
	static const char hx[] = "0123456789abcdef";
	uint8_t md[SHA256_DIGEST_SIZE];
	size_t i;

	sha256_digest(&d->ctx, sizeof md, md);
	for (i = 0; i < sizeof md; i++) {
		out[2 * i] = hx[md[i] >> 4];
		out[2 * i + 1] = hx[md[i] & 15];
	}
	out[IMG_HEX_LEN] = '\0';
}

void
imgdig_buf(const void *p, size_t n, char out[IMG_HEX_LEN + 1])
{
	struct imgdig d;

	imgdig_init(&d);
	imgdig_update(&d, p, n);
	imgdig_hex(&d, out);
}

int
imgdig_is_hex(const char *s)
{
	size_t i;

	for (i = 0; i < IMG_HEX_LEN; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[IMG_HEX_LEN] == '\0';
}

int
imgdig_parse(const char *s, char out[IMG_HEX_LEN + 1])
{
	if (s == NULL || strncmp(s, "sha256:", 7) != 0 || !imgdig_is_hex(s + 7))
		return -1;
	memcpy(out, s + 7, IMG_HEX_LEN + 1);
	return 0;
}

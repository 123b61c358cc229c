/* SPDX-License-Identifier: ISC */
/* fuzz-sources: util.c imgdb.c sha256.c image-ref.c */
/*
 * fuzz_imgdb.c: imgdb_load (src/imgdb.c) on the input as an image's
 * `defaults` file and, from its first line break on, as its `layers` file
 * too; then imgdb_current with the input as the ref record of a REF. supd
 * reads what supd-image wrote, but a store may be damaged: nothing read
 * may crash supd or hand on a layer that is not 64 hex digits.
 */
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "imgdb.h"
#include "sha256.h"
#include "util.h"

#define HEX1	"1111111111111111111111111111111111111111111111111111111111111111"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		 hex[SHA256_HEX_LEN + 1], name[128], *store, *dir,
			*id = NULL, *cause = NULL;
	const char	*nl = memchr(data, '\n', size);
	struct img	 im;
	size_t		 i;

	store = xasprintf("%s/images", fuzz_dir());
	dir = xasprintf("%s/images/%s", store, HEX1);
	(void)mkdir_p(dir, 0700);
	free(dir);
	snprintf(name, sizeof name, "images/images/%s/defaults", HEX1);
	fuzz_write_file(name, data, size);
	snprintf(name, sizeof name, "images/images/%s/layers", HEX1);
	fuzz_write_file(name, nl != NULL ? (const uint8_t *)nl + 1 : data,
	    nl != NULL ?
	    size - (size_t)((const uint8_t *)nl + 1 - data) : size);
	if (imgdb_load(store, HEX1, &im, &cause) == 0) {
		FUZZ_CHECK(im.nlayers > 0);
		for (i = 0; i < im.nlayers; i++)
			FUZZ_CHECK(strlen(im.layers[i]) == SHA256_HEX_LEN &&
			    strspn(im.layers[i], "0123456789abcdef") ==
			    SHA256_HEX_LEN);
		imgdb_free(&im);
	} else {
		FUZZ_CHECK(cause != NULL);
		free(cause);
	}
	dir = xasprintf("%s/refs", store);
	(void)mkdir_p(dir, 0700);
	free(dir);
	sha256_hex("/nowhere:x", 10, hex);
	snprintf(name, sizeof name, "images/refs/%s", hex);
	fuzz_write_file(name, data, size);
	if (imgdb_current(store, "/nowhere:x", &id) == 1)
		free(id);	/* (its source does not exist: never) */
	free(store);
	return 0;
}

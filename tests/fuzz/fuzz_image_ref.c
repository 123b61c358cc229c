/* SPDX-License-Identifier: ISC */
/* fuzz-sources: image-ref.c util.c */
/*
 * fuzz_image_ref.c: imgref_parse (src/image-ref.c), supd-image's REF
 * syntax, on the input as a string. An accepted REF has an absolute path
 * without the tag's ':' where the rule splits, a non-empty tag or none,
 * and prefix + path (+ ':' + tag) gives the input back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "image-ref.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const prefixes[] = {
	"", "oci-archive:", "docker-archive:", "oci:",
};

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_cstr(data, size), *back;
	struct imgref r;
	const char *e = NULL;

	if (imgref_parse(s, &r, &e) == -1) {
		FUZZ_CHECK(e != NULL && *e != '\0');
		free(s);
		return 0;
	}
	FUZZ_CHECK(r.path != NULL && r.path[0] == '/');
	FUZZ_CHECK(r.tag == NULL || r.tag[0] != '\0');
	if (r.kind == IMGREF_DOCKER_ARCHIVE)
		FUZZ_CHECK(strchr(r.path, ':') == NULL);
	else
		FUZZ_CHECK(strchr(strrchr(r.path, '/'), ':') == NULL);
	back = xasprintf("%s%s%s%s", prefixes[r.kind == IMGREF_AUTO ? 0 :
	    r.kind == IMGREF_OCI_ARCHIVE ? 1 : r.kind ==
	    IMGREF_DOCKER_ARCHIVE ? 2 : 3], r.path, r.tag ? ":" : "",
	    r.tag ? r.tag : "");
	FUZZ_CHECK(strcmp(back, s) == 0);
	free(back);
	imgref_free(&r);
	free(s);
	return 0;
}

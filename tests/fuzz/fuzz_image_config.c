/* SPDX-License-Identifier: ISC */
/* fuzz-sources: image-config.c image-digest.c util.c */
/*
 * fuzz_image_config.c: imgcfg_defaults and imgcfg_info
 * (src/image-config.c) on the input as an image config, the JSON an image
 * brings. Every defaults line is KEY<TAB>VALUE with a known key and a
 * VALUE without a raw tab or newline, whose escapes undo to text without
 * NUL; info is `key value` lines ending with size and skipped_nodes, or
 * a refusal (a NUL in created, architecture or os); a failure is one
 * line.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "image-private.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const keys[] = {
	"entrypoint", "cmd", "env", "workdir", "user", "stop_signal", "port",
};

/* VALUE's escapes are \\, \t, \n only. */
static void
check_value(const char *v, const char *end)
{
	for (; v < end; v++) {
		FUZZ_CHECK(*v != '\t' && *v != '\n' && *v != '\0');
		if (*v == '\\') {
			v++;
			FUZZ_CHECK(v < end &&
			    (*v == '\\' || *v == 't' || *v == 'n'));
		}
	}
}

static void
check_defaults(const struct buf *out)
{
	const char *l = out->p, *nl, *tab;
	size_t i;

	for (; l != NULL && *l != '\0'; l = nl + 1) {
		FUZZ_CHECK((nl = strchr(l, '\n')) != NULL);
		FUZZ_CHECK((tab = memchr(l, '\t', (size_t)(nl - l))) != NULL);
		for (i = 0; i < sizeof keys / sizeof keys[0]; i++)
			if (strlen(keys[i]) == (size_t)(tab - l) &&
			    strncmp(l, keys[i], (size_t)(tab - l)) == 0)
				break;
		FUZZ_CHECK(i < sizeof keys / sizeof keys[0]);
		check_value(tab + 1, nl);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf in = { 0 }, out = { 0 }, info = { 0 };
	char *cause = NULL;

	buf_add(&in, data, size);
	if (imgcfg_defaults(&in, &out, &cause) == 0) {
		FUZZ_CHECK(cause == NULL);
		check_defaults(&out);
		/* info takes other keys (created, architecture, os): a NUL
		 * in one of them refuses the image there. */
		if (imgcfg_info(&in, 1, 2, &info, &cause) == 0) {
			FUZZ_CHECK(cause == NULL);
			FUZZ_CHECK(info.len > 0 &&
			    info.p[info.len - 1] == '\n');
			FUZZ_CHECK(strstr(info.p,
			    "size 1\nskipped_nodes 2\n") != NULL);
		} else
			FUZZ_CHECK(cause != NULL &&
			    strchr(cause, '\n') == NULL);
	} else
		FUZZ_CHECK(cause != NULL && strchr(cause, '\n') == NULL);
	free(cause);
	buf_free(&in);
	buf_free(&out);
	buf_free(&info);
	return 0;
}

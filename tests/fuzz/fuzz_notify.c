/* SPDX-License-Identifier: ISC */
/* fuzz-sources: notify.c util.c */
/*
 * fuzz_notify.c: notify_parse (src/notify.c) on the input as one sd_notify
 * datagram (as notify_recv hands it over: NUL-terminated, cut at the first
 * NUL). READY=1 on a line of its own must set ready; the last STATUS= line
 * must be the status; nothing else may.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "notify.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*msg, *copy, *line, *nl, *status = NULL;
	const char *want = NULL;
	bool	 ready = false, want_ready = false;

	msg = malloc(size + 1);
	memcpy(msg, data, size);
	msg[size] = '\0';
	copy = strdup(msg);
	/* The reference: the same lines, read the plain way. */
	for (line = copy; line != NULL; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		if (strcmp(line, "READY=1") == 0)
			want_ready = true;
		else if (strncmp(line, "STATUS=", 7) == 0)
			want = line + 7;
	}
	notify_parse(msg, &ready, &status);
	FUZZ_CHECK(ready == want_ready);
	FUZZ_CHECK((status == NULL) == (want == NULL));
	FUZZ_CHECK(status == NULL || strcmp(status, want) == 0);
	free(status);
	free(copy);
	free(msg);
	return 0;
}

/* SPDX-License-Identifier: ISC */
/* fuzz-sources: cgroup-kill.c util.c log.c values.c */
/*
 * fuzz_cgroup_events.c: cgk_events_value (src/cgroup-kill.c) on the input as the
 * text of a cgroup.events or memory.events file (cut at the first NUL), for
 * the keys supd reads. The reference: the first line that starts with
 * "KEY " gives the value if the rest of it is decimal digits that fit in a
 * long long, else -1; no such line, -1.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-kill.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static long long
reference(const char *text, const char *key)
{
	size_t		 klen = strlen(key);
	const char	*line = text, *p;
	long long	 v = 0;

	for (; line != NULL && *line != '\0'; line = strchr(line, '\n'),
	    line = line != NULL ? line + 1 : NULL) {
		if (strncmp(line, key, klen) != 0 || line[klen] != ' ')
			continue;
		p = line + klen + 1;
		if (*p < '0' || *p > '9')
			return -1;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (v > (INT64_MAX - (*p - '0')) / 10)
				return -1;
			v = v * 10 + (*p - '0');
		}
		return *p == '\n' || *p == '\0' ? v : -1;
	}
	return -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const keys[] = { "populated", "frozen", "oom",
	    "oom_kill" };
	char	*text = malloc(size + 1);
	size_t	 i;

	memcpy(text, data, size);
	text[size] = '\0';
	for (i = 0; i < sizeof keys / sizeof *keys; i++)
		FUZZ_CHECK(cgk_events_value(text, keys[i]) ==
		    reference(text, keys[i]));
	free(text);
	return 0;
}

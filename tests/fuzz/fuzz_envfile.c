/* SPDX-License-Identifier: ISC */
/* fuzz-sources: util.c values.c */
/*
 * fuzz_envfile.c: env_load_file (src/values.c) on the input written to a file.
 * A good file gives KEY=VALUE items with valid keys, in order, and env_set
 * takes each; a bad one gives "PATH:LINE: message" and leaves the output
 * untouched (all or nothing).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util.h"
#include "values.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strv	 out = { 0 }, env = { 0 };
	const char	*path, *eq;
	char		*cause = NULL;
	size_t		 i, len;

	path = fuzz_write_file("fuzz.env", data, size);
	len = strlen(path);
	strv_push(&out, "KEEP=1");
	if (env_load_file(path, &out, &cause) == -1) {
		FUZZ_CHECK(cause != NULL);
		FUZZ_CHECK(strncmp(cause, path, len) == 0 &&
		    cause[len] == ':');
		FUZZ_CHECK(out.n == 1 && strcmp(out.v[0], "KEEP=1") == 0);
		free(cause);
	} else {
		FUZZ_CHECK(cause == NULL);
		for (i = 0; i < out.n; i++) {
			eq = strchr(out.v[i], '=');
			FUZZ_CHECK(eq != NULL);
			FUZZ_CHECK(env_key_valid(out.v[i], eq - out.v[i]));
			env_set(&env, out.v[i]);
		}
		FUZZ_CHECK(env.n >= 1 && env.n <= out.n);
		/* The last item of a key wins. */
		for (i = 0; i < env.n; i++)
			FUZZ_CHECK(strv_has(&out, env.v[i]));
	}
	strv_free(&env);
	strv_free(&out);
	return 0;
}

/* SPDX-License-Identifier: ISC */
/* fuzz-sources: util.c values.c */
/*
 * fuzz_argv.c: split_argv (src/values.c), the POSIX-shell-like word splitter
 * behind `command` and `[health] cmd`, on the input as a string. A split
 * gives at least one word; quoting each word again with single quotes and
 * splitting that must give the same words back.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "util.h"
#include "values.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* 'word' with each ' written as '\'' -- literal to any POSIX shell. */
static void
quote_word(struct buf *b, const char *w)
{
	buf_add(b, "'", 1);
	for (; *w != '\0'; w++) {
		if (*w == '\'')
			buf_puts(b, "'\\''");
		else
			buf_add(b, w, 1);
	}
	buf_add(b, "'", 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf	  b = { 0 };
	char		 *s, **argv = NULL, **again = NULL;
	const char	 *e = NULL;
	size_t		  i;

	s = fuzz_cstr(data, size);
	if (split_argv(s, &argv, &e) == -1) {
		FUZZ_CHECK(e != NULL && argv == NULL);
		free(s);
		return 0;
	}
	FUZZ_CHECK(argv != NULL && argv[0] != NULL);
	for (i = 0; argv[i] != NULL; i++) {
		if (i > 0)
			buf_add(&b, " \t", 1 + (i & 1));
		quote_word(&b, argv[i]);
	}
	FUZZ_CHECK(split_argv(b.p, &again, &e) == 0);
	for (i = 0; argv[i] != NULL; i++)
		FUZZ_CHECK(again[i] != NULL && strcmp(argv[i], again[i]) == 0);
	FUZZ_CHECK(again[i] == NULL);
	strv_free_array(again);
	strv_free_array(argv);
	buf_free(&b);
	free(s);
	return 0;
}

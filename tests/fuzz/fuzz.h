/* SPDX-License-Identifier: ISC */
/*
 * fuzz.h: what the libFuzzer targets in tests/fuzz/ share -- a private
 * scratch directory made once per process, writing an input into a file in
 * it, and a check that aborts (so libFuzzer reports a crash with the input)
 * when an invariant of the code under test does not hold.
 *
 * Header only, all static: each target is one .c file plus the src/ files it
 * names on its "fuzz-sources:" line (see the Makefile and README.md here).
 */
#ifndef SUPD_FUZZ_H
#define SUPD_FUZZ_H

#include <ctype.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* An invariant, checked in every build (never compiled out like assert). */
#define FUZZ_CHECK(c) do {						\
	if (!(c)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s\n",	\
		    __FILE__, __LINE__, #c);				\
		abort();						\
	}								\
} while (0)

/*
 * The scratch directory, made on first use and removed at exit. Files the
 * code under test may look for next to its input live here too, so that a
 * relative path in an input never reaches the working directory.
 */
static char fuzz_dir_path[64];

static __attribute__((unused)) void
fuzz_dir_cleanup(void)
{
	char	cmd[128];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir_path);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz: could not remove %s\n", fuzz_dir_path);
}

static __attribute__((unused)) const char *
fuzz_dir(void)
{
	const char	*tmp;

	if (fuzz_dir_path[0] != '\0')
		return fuzz_dir_path;
	if ((tmp = getenv("TMPDIR")) == NULL || strlen(tmp) > 40)
		tmp = "/tmp";
	snprintf(fuzz_dir_path, sizeof fuzz_dir_path, "%s/supd-fuzz.XXXXXX",
	    tmp);
	if (mkdtemp(fuzz_dir_path) == NULL) {
		perror("fuzz: mkdtemp");
		abort();
	}
	atexit(fuzz_dir_cleanup);
	return fuzz_dir_path;
}

/* Replace dir/name with exactly these bytes; returns the path (static). */
static __attribute__((unused)) const char *
fuzz_write_file(const char *name, const void *data, size_t size)
{
	static char	path[256];
	int		fd;

	snprintf(path, sizeof path, "%s/%s", fuzz_dir(), name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1 || (size > 0 && write(fd, data, size) !=
	    (ssize_t)size) || close(fd) == -1) {
		perror(path);
		abort();
	}
	return path;
}

/* The input as a C string (cut at its first NUL); free() it. */
static __attribute__((unused)) char *
fuzz_cstr(const unsigned char *data, size_t size)
{
	char	*s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * Config errors are one line naming the file: "PATH:LINE: message", or
 * "PATH: message" for what belongs to no line. Abort on any other form.
 */
static __attribute__((unused)) void
fuzz_check_errors(const struct strv *errs, const char *path)
{
	size_t		 i, len = strlen(path);
	const char	*s;

	for (i = 0; i < errs->n; i++) {
		s = errs->v[i];
		if (strncmp(s, path, len) != 0 || s[len] != ':') {
			fprintf(stderr, "error without its file: %s\n", s);
			abort();
		}
		s += len + 1;
		if (isdigit((unsigned char)*s)) {
			FUZZ_CHECK(*s != '0');	/* lines count from 1 */
			while (isdigit((unsigned char)*s))
				s++;
			FUZZ_CHECK(*s == ':');
			s++;
		}
		FUZZ_CHECK(*s == ' ' && s[1] != '\0');
		FUZZ_CHECK(strchr(s, '\n') == NULL);
	}
}

#endif

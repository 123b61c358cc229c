/* SPDX-License-Identifier: ISC */
/*
 * unit.c: counts assertions and reports failures for the unit tests (see
 * unit.h). Failures go to stderr, the summary line to stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "util.h"

static int	passed, failed;

void
unit_check(int ok, const char *file, int line, const char *expr)
{
	if (ok) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "%s:%d: CHECK(%s) failed\n", file, line, expr);
}

void
unit_check_str(const char *a, const char *b, const char *file, int line,
    const char *ea, const char *eb)
{
	if ((a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0)) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "%s:%d: CHECK_STR(%s, %s) failed: \"%s\" != \"%s\"\n",
	    file, line, ea, eb, a ? a : "(null)", b ? b : "(null)");
}

void
unit_check_int(intmax_t a, intmax_t b, const char *file, int line,
    const char *ea, const char *eb)
{
	if (a == b) {
		passed++;
		return;
	}
	failed++;
	fprintf(stderr, "%s:%d: CHECK_INT(%s, %s) failed: %jd != %jd\n",
	    file, line, ea, eb, a, b);
}

int
unit_done(const char *name)
{
	printf("unit %s: %d passed, %d failed\n", name, passed, failed);
	fflush(stdout);
	return failed != 0;
}

char *
unit_write_file(const char *dir, const char *name, const char *text)
{
	char	*path = xasprintf("%s/%s", dir, name);
	FILE	*f = fopen(path, "w");

	if (f == NULL || fputs(text, f) == EOF || fclose(f) == EOF)
		fprintf(stderr, "%s: cannot write\n", path);
	return path;
}

void
unit_rm_rf(const char *dir)
{
	char	*cmd = xasprintf("rm -rf '%s'", dir);

	if (system(cmd) != 0)
		fprintf(stderr, "unit: could not remove %s\n", dir);
	free(cmd);
}

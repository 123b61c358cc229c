/* SPDX-License-Identifier: ISC */
/*
 * test_log.c: log.c -- each level's marker sits between the time and
 * "supd: ", so the text from "supd: " on is the same at every level (the
 * integration tests match it); errno is appended by log_warn only and is
 * never changed by logging.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "unit.h"

/* The lines written so far, each without its time stamp ("TIME "). */
static char	lines[8][512];
static int	nlines;

static void
read_lines(const char *path)
{
	FILE	*f = fopen(path, "r");
	char	 buf[512];

	nlines = 0;
	if (f == NULL)
		return;
	while (nlines < 8 && fgets(buf, sizeof buf, f) != NULL) {
		buf[strcspn(buf, "\n")] = '\0';
		/* 2026-11-27T18:30:00.123Z: 24 characters and a space. */
		CHECK(strlen(buf) > 25 && buf[23] == 'Z' && buf[24] == ' ');
		snprintf(lines[nlines++], sizeof lines[0], "%s",
		    strlen(buf) > 25 ? buf + 25 : "");
	}
	fclose(f);
}

int
main(void)
{
	char	path[] = "/tmp/supd-test-log.XXXXXX";
	int	fd, saved_err, errno_warn, errno_warnx;

	if ((fd = mkstemp(path)) == -1 || (saved_err = dup(2)) == -1) {
		perror("test_log");
		return 1;
	}
	dup2(fd, 2);
	close(fd);
	log_init();

	log_info("%s: started, pid %d", "web", 42);
	errno = ENOENT;
	log_warn("%s: %s", "web", "/srv/x");
	errno_warn = errno;
	errno = ENOENT;
	log_warnx("%s: cannot start: %s", "web", "no such user");
	errno_warnx = errno;
	log_errx("control socket: %s", "bind");

	/* Checked with stderr back: a failure is reported there. */
	dup2(saved_err, 2);
	close(saved_err);
	CHECK_INT(errno_warn, ENOENT);
	CHECK_INT(errno_warnx, ENOENT);
	read_lines(path);
	unlink(path);

	CHECK_INT(nlines, 4);
	CHECK_STR(lines[0], "supd: web: started, pid 42");
	CHECK_STR(lines[1], "warning supd: web: /srv/x: No such file or directory");
	CHECK_STR(lines[2], "warning supd: web: cannot start: no such user");
	CHECK_STR(lines[3], "error supd: control socket: bind");
	return unit_done("log");
}

/* SPDX-License-Identifier: ISC */
/*
 * test_spawn_report.c: spawn-report.c, the child's error channel -- what a
 * failing child writes on the pipe and how it exits (spawn_fail, in forked
 * children), the report supd makes for a failure of its own on the child's
 * behalf (spawn_report_pipe), and the line for humans (spawn_report_str).
 */
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spawn-report.h"
#include "unit.h"

static void
test_str(void)
{
	struct spawn_report	r = { .step = STEP_VOLUME, .err = ENOENT };
	char			line[256];

	snprintf(r.what, sizeof r.what, "/srv/data");
	spawn_report_str(&r, line, sizeof line);
	CHECK_STR(line, "volume /srv/data: No such file or directory");
	/* A lookup that found nothing has no errno. */
	r.step = STEP_USER;
	r.err = 0;
	snprintf(r.what, sizeof r.what, "app");
	spawn_report_str(&r, line, sizeof line);
	CHECK_STR(line, "user app: no such user or group");
	/* A step out of range is a "spawn" step; `what` need not end in NUL. */
	r.step = 9999;
	r.err = EPERM;
	memset(r.what, 'x', sizeof r.what);
	spawn_report_str(&r, line, sizeof line);
	CHECK(strncmp(line, "spawn xxx", 9) == 0);
	CHECK(strstr(line, ": Operation not permitted") != NULL);
}

static void
test_pipe(void)
{
	struct spawn_report	r;
	char			line[256];
	int			fd;

	fd = spawn_report_pipe(STEP_USERNS, EPERM, "uid/gid map");
	CHECK(fd >= 0);
	CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
	CHECK(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	CHECK_INT(read(fd, &r, sizeof r), sizeof r);
	spawn_report_str(&r, line, sizeof line);
	CHECK_STR(line, "user namespace uid/gid map: Operation not permitted");
	/* Then EOF: the write end is closed. */
	CHECK_INT(read(fd, &r, sizeof r), 0);
	close(fd);
}

/* A child that fails with the report going to `to` (-1: stderr, which is
 * `err`); its exit status. */
static int
fail_in_child(int to, int err_fd, enum spawn_step step, int err)
{
	pid_t	pid;
	int	st;

	if ((pid = fork()) == 0) {
		if (err_fd >= 0)
			dup2(err_fd, 2);
		spawn_report_to(to);
		spawn_fail(step, err, "/bin/nothing");
	}
	if (pid == -1 || waitpid(pid, &st, 0) != pid)
		return -1;
	return st;
}

static void
test_fail(void)
{
	struct spawn_report	r;
	char			line[256], buf[256];
	ssize_t			n;
	int			p[2], st;

	/* With the pipe: one report, exit 127. */
	CHECK_INT(pipe(p), 0);
	st = fail_in_child(p[1], -1, STEP_EXEC, EACCES);
	close(p[1]);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 127);
	CHECK_INT(read(p[0], &r, sizeof r), sizeof r);
	spawn_report_str(&r, line, sizeof line);
	CHECK_STR(line, "exec /bin/nothing: Permission denied");
	CHECK_INT(read(p[0], &r, sizeof r), 0);
	close(p[0]);
	CHECK_INT(spawn_report_fd(), -1);	/* set in the child only */

	/* Without (supctl exec): a line on stderr, a shell's exit code. */
	CHECK_INT(pipe(p), 0);
	st = fail_in_child(-1, p[1], STEP_EXEC, ENOENT);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 127);
	st = fail_in_child(-1, p[1], STEP_EXEC, EACCES);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 126);
	close(p[1]);
	n = read(p[0], buf, sizeof buf - 1);
	buf[n > 0 ? n : 0] = '\0';
	CHECK_STR(buf, "supd: exec: exec /bin/nothing: No such file or "
	    "directory\nsupd: exec: exec /bin/nothing: Permission denied\n");
	close(p[0]);
}

int
main(void)
{
	test_str();
	test_pipe();
	test_fail();
	return unit_done("spawn_report");
}

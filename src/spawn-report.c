/* SPDX-License-Identifier: ISC */
/*
 * spawn-report.c: the child's error channel (spawn-report.h) -- the report
 * a child writes before exec when a step fails, and its one line for
 * humans that supd logs and keeps as the service's reason.
 *
 * The pipe's write end is the one piece of state: spawn_fail is called at
 * every depth of the child's steps (spawn.c, isolate*.c, seccomp.c), and
 * passing the fd down through each of them would put it in every
 * signature. It is only ever set in a child (or the supctl exec process),
 * never in supd.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "spawn-report.h"

static int	report_fd = -1;

void
spawn_report_to(int fd)
{
	report_fd = fd;
}

int
spawn_report_fd(void)
{
	return report_fd;
}

/* The report of a step, `what` cut to fit. */
static void
report_fill(struct spawn_report *r, enum spawn_step step, int err,
    const char *what)
{
	memset(r, 0, sizeof *r);
	r->step = step;
	r->err = err;
	if (what != NULL)
		snprintf(r->what, sizeof r->what, "%s", what);
}

void
spawn_fail(enum spawn_step step, int err, const char *what)
{
	struct spawn_report	r;
	ssize_t			n;

	report_fill(&r, step, err, what);
	if (report_fd == -1) {
		/* supctl exec: the caller's stderr is ours. */
		char	line[256];

		spawn_report_str(&r, line, sizeof line);
		dprintf(2, "supd: exec: %s\n", line);
		/* As a shell: 127 not found, 126 found but not runnable. */
		_exit(step == STEP_EXEC && err == ENOENT ? 127 : 126);
	}
	do
		n = write(report_fd, &r, sizeof r);
	while (n == -1 && errno == EINTR);
	_exit(127);
}

int
spawn_report_pipe(enum spawn_step step, int err, const char *what)
{
	struct spawn_report	r;
	int			p[2];

	report_fill(&r, step, err, what);
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1)
		return -1;
	/* One atomic write into an empty pipe: it cannot fall short. */
	(void)write(p[1], &r, sizeof r);
	close(p[1]);
	return p[0];
}

void
spawn_report_str(const struct spawn_report *r, char *out, size_t len)
{
	static const char *const steps[] = {
		[STEP_NONE] = "spawn",
		[STEP_SETUP] = "setup",
		[STEP_USER] = "user",
		[STEP_GROUP] = "group",
		[STEP_GROUPS] = "groups",
		[STEP_SETGID] = "setgid",
		[STEP_SETUID] = "setuid",
		[STEP_WORKDIR] = "workdir",
		[STEP_EXEC] = "exec",
		[STEP_CLONE] = "namespaces",
		[STEP_USERNS] = "user namespace",
		[STEP_NETWORK] = "network",
		[STEP_HOSTNAME] = "hostname",
		[STEP_MOUNT] = "mount",
		[STEP_ROOTFS] = "rootfs",
		[STEP_OVERLAY] = "overlay",
		[STEP_PROC] = "mount /proc",
		[STEP_DEV] = "mount /dev",
		[STEP_SYS] = "mount /sys",
		[STEP_MASK] = "mask",
		[STEP_TMPFS] = "tmpfs",
		[STEP_VOLUME] = "volume",
		[STEP_PIVOT] = "pivot_root",
		[STEP_READONLY] = "read_only",
		[STEP_RLIMIT] = "rlimit",
		[STEP_CAPS] = "capabilities",
		[STEP_NNP] = "no_new_privileges",
		[STEP_INIT] = "init",
		[STEP_TTY] = "tty",
		[STEP_READY] = "ready",
		[STEP_SECCOMP] = "seccomp",
	};
	const char	*step = "spawn", *why;
	char		 what[sizeof r->what + 1];

	if (r->step >= 0 && (size_t)r->step < sizeof steps / sizeof *steps)
		step = steps[r->step];
	memcpy(what, r->what, sizeof r->what);
	what[sizeof r->what] = '\0';
	if (r->err == 0 && (r->step == STEP_USER || r->step == STEP_GROUP ||
	    r->step == STEP_GROUPS))
		why = "no such user or group";
	else
		why = strerror(r->err);
	snprintf(out, len, "%s %s: %s", step, what, why);
}

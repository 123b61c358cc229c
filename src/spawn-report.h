/* SPDX-License-Identifier: ISC */
/*
 * spawn-report.h: the child's error channel (spawn-report.c). Between
 * clone (or fork) and exec, a step that fails writes one report -- the
 * step, errno, what it concerned -- to a close-on-exec pipe and exits 127;
 * supd reads it from its loop and formats it. The pipe reaching EOF with
 * no report means exec succeeded. The child's steps are in spawn.c,
 * isolate.c, isolate-identity.c and seccomp.c; they all report here.
 */
#ifndef SUPD_SPAWN_REPORT_H
#define SUPD_SPAWN_REPORT_H

#include <stddef.h>
#include <stdint.h>

/* Steps of the child; each names what failed in a report. */
enum spawn_step {
	STEP_NONE,
	STEP_SETUP,	/* signals, session, stdio */
	STEP_USER,	/* user lookup */
	STEP_GROUP,	/* group lookup */
	STEP_GROUPS,	/* supplementary groups lookup or setgroups */
	STEP_SETGID,
	STEP_SETUID,
	STEP_WORKDIR,	/* chdir to workdir */
	STEP_EXEC,	/* execve (or no such command in PATH) */
	STEP_CLONE,	/* the namespaces (reported by supd itself) */
	STEP_USERNS,	/* uid/gid maps of the user namespace */
	STEP_NETWORK,	/* joining a network namespace, loopback */
	STEP_HOSTNAME,
	STEP_MOUNT,	/* mount propagation */
	STEP_ROOTFS,
	STEP_OVERLAY,
	STEP_PROC,
	STEP_DEV,
	STEP_SYS,
	STEP_MASK,	/* masked and read-only /proc paths */
	STEP_TMPFS,	/* private /tmp and tmpfs mounts */
	STEP_VOLUME,
	STEP_PIVOT,	/* entering the new root */
	STEP_READONLY,	/* read_only root */
	STEP_RLIMIT,
	STEP_CAPS,
	STEP_NNP,	/* no_new_privileges */
	STEP_INIT,	/* the init's fork of the command */
	STEP_TTY,	/* controlling terminal */
	STEP_READY,	/* the readiness fd or notify socket */
	STEP_SECCOMP,	/* building or loading the system call filter */
};

/* What the child writes on failure: small enough for one atomic write. */
struct spawn_report {
	int32_t	step;		/* enum spawn_step */
	int32_t	err;		/* errno, or 0 for a lookup that found nothing */
	char	what[120];	/* the path, user or group concerned */
};

/*
 * In the child: where reports go from now on, the report pipe's write end
 * (moved as the child rearranges its fds), or -1: no pipe (supctl exec),
 * a report goes to stderr as one line and the exit code is a shell's.
 */
void	spawn_report_to(int fd);
int	spawn_report_fd(void);

/*
 * In a child between clone and exec: report the failed step to supd and
 * _exit(127) (no pipe: print it, _exit 127 for a command not found, else
 * 126).
 */
void	spawn_fail(enum spawn_step, int err, const char *what)
	    __attribute__((noreturn));

/*
 * In supd, for a failure it finds itself on the child's behalf: the read
 * end (non-blocking) of a new pipe that holds that report, or -1.
 */
int	spawn_report_pipe(enum spawn_step, int err, const char *what);

/* One line for humans: "exec /usr/bin/x: No such file or directory". */
void	spawn_report_str(const struct spawn_report *, char *, size_t);

#endif

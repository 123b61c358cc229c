/* SPDX-License-Identifier: ISC */
/*
 * spawn.h: starting a service's process (spawn.c). The child applies the
 * service's steps between fork and exec; if one fails it writes a report to
 * a close-on-exec pipe and exits 127, so supd learns the step and errno. The
 * pipe reaching EOF with no report means exec succeeded.
 */
#ifndef SUPD_SPAWN_H
#define SUPD_SPAWN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "isolate.h"

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
 * Remember supd's own account (HOME, USER of services without `user`) and
 * the directories of supd's to hide from every service with a mount
 * namespace (NULL-terminated; canonical paths, missing ones skipped).
 */
void	spawn_init(char *const *hide);

/* What a spawn needs besides the definition. */
struct spawn_args {
	int	out_fd;		/* stdout (-1 = /dev/null) */
	int	err_fd;		/* stderr (-1 = /dev/null) */
	int	tty_fd;		/* tty = yes: the pty slave for 0-2, else -1 */
	int	ready_wfd;	/* ready = fd:N: the pipe's write end, else -1 */
	const char *notify;	/* ready = notify: supd's socket path, or NULL */
	struct iso_prep iso;	/* iso_prepare(): volumes, network namespace */
};

/* What supd keeps of a spawn. */
struct spawn_child {
	pid_t	pid;		/* our child: the init, or the command */
	int	report_fd;	/* EOF at exec, or a struct spawn_report */
	int	status_fd;	/* init: the command's wait status, else -1 */
};

/*
 * Clone the service's process into its namespaces. Both fds returned are
 * non-blocking. -1 with errno if the clone itself failed (nothing to reap).
 */
int	spawn_service(const struct svc_conf *, const struct spawn_args *,
	    struct spawn_child *);

/*
 * In a child between clone and exec: report the failed step to supd and
 * _exit(127). Used by isolate.c too.
 */
void	spawn_fail(enum spawn_step, int err, const char *what)
	    __attribute__((noreturn));

/*
 * supctl exec: fork a process that joins the namespaces and root of
 * `target` (the service's init, or its command without one: supd's child), applies the service's identity and runs
 * argv with fds as 0-2 (tty: fds[0] becomes the controlling terminal). Its
 * exit code is the command's (128+N for a signal; 126/127 with a message on
 * fds[2] if it could not be started). -1 with errno if fork failed.
 */
pid_t	spawn_exec(const struct svc_conf *, pid_t target, char **argv,
	    const int *fds, bool tty);
/* After SIGTERM, the exec process SIGKILLs its command this much later. */
#define SPAWN_EXEC_KILL_AFTER	2	/* seconds */

/* The command's pid seen from supd, when an init runs it (0 if unknown). */
pid_t	spawn_command_pid(pid_t init);

/* One line for humans: "exec /usr/bin/x: No such file or directory". */
void	spawn_report_str(const struct spawn_report *, char *, size_t);

#endif

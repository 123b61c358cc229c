/* SPDX-License-Identifier: ISC */
/*
 * spawn.h: starting a service's process (spawn.c). The child applies the
 * service's steps between fork and exec; if one fails it writes a report to
 * a close-on-exec pipe and exits 127, so supd learns the step and errno
 * (spawn-report.h, included here for supd's reader). The pipe reaching EOF
 * with no report means exec succeeded.
 */
#ifndef SUPD_SPAWN_H
#define SUPD_SPAWN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "isolate.h"
#include "spawn-report.h"

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
	int	in_fd;		/* supctl run -i: stdin, a pipe or socket of
				 * the caller's; 0 = /dev/null (supd's own
				 * fd 0 is never a service's) */
	int	ready_wfd;	/* ready = fd:N: the pipe's write end, else -1 */
	const char *notify;	/* ready = notify: supd's socket path, or NULL */
	struct iso_prep iso;	/* iso_prepare(): volumes, network namespace */
	bool	hold;		/* the child waits at a gate before its
				 * command until spawn_gate_open */
	int	cgroup_fd;	/* the service's cgroup directory, or -1 */
};

/* What supd keeps of a spawn. */
struct spawn_child {
	pid_t	pid;		/* our child: the init, or the command */
	int	report_fd;	/* EOF at exec, or a struct spawn_report */
	int	status_fd;	/* init: the command's wait status, else -1 */
	int	gate_fd;	/* hold: the child's gate, else -1 */
};

/*
 * Clone the service's process into its namespaces (and with a->cgroup_fd,
 * into that cgroup: clone3's CLONE_INTO_CGROUP, or where the kernel has no
 * clone3, the child's first act writes itself into its cgroup.procs). Both fds returned are
 * non-blocking. -1 with errno if the clone itself failed (nothing to reap).
 * With a->hold, the child sets up its namespaces (mounts, hostname...) and
 * then waits at a gate, before its command (or init) runs, until
 * spawn_gate_open: supd plugs its network namespace and binds its published
 * ports meanwhile, in parallel with that set-up. A held child whose gate is closed unopened exits 127
 * (the caller reports why).
 */
int	spawn_service(const struct svc_conf *, const struct spawn_args *,
	    struct spawn_child *);

/* Let a held child go on (and close the gate). */
void	spawn_gate_open(int gate_fd);

/*
 * supctl exec: fork a process that joins the namespaces and root of
 * `target` (the service's init, or its command without one: supd's child), applies the service's identity and runs
 * argv with fds as 0-2 (tty: fds[0] becomes the controlling terminal). Its
 * exit code is the command's (128+N for a signal; 126/127 with a message on
 * fds[2] if it could not be started). With cgroup_fd (the service's group,
 * else -1) it is cloned into that group as spawn_service's child is
 * (CLONE_INTO_CGROUP, or cgroup.procs where there is no clone3). -1 with
 * errno if the clone failed.
 */
pid_t	spawn_exec(const struct svc_conf *, pid_t target, char **argv,
	    const int *fds, bool tty, int cgroup_fd);
/* After SIGTERM, the exec process SIGKILLs its command this much later. */
#define SPAWN_EXEC_KILL_AFTER	2	/* seconds */

/* The command's pid seen from supd, when an init runs it (0 if unknown). */
pid_t	spawn_command_pid(pid_t init);

#endif

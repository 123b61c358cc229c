/* SPDX-License-Identifier: ISC */
/*
 * spawn-clone.c: how a service's first process (or supctl exec's) comes
 * to be, around the clone itself (spawn-clone.h): clone3 straight into
 * its cgroup, or where the kernel has no clone3 the child's own write to
 * cgroup.procs; and the maps of a new user namespace, written by supd
 * while the child waits.
 */
#include <sys/syscall.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isolate.h"
#include "log.h"
#include "spawn-clone.h"
#include "spawn-report.h"

/* supd writes the maps of a new user namespace: its root is an unprivileged
 * host range. */
int
spawn_userns_maps(pid_t pid)
{
	char	path[64], map[64];
	int	fd, i, r = 0;

	snprintf(map, sizeof map, "0 %u %u\n", ISO_USERNS_BASE,
	    ISO_USERNS_SIZE);
	for (i = 0; i < 2 && r == 0; i++) {
		snprintf(path, sizeof path, "/proc/%d/%s", (int)pid,
		    i == 0 ? "uid_map" : "gid_map");
		if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
			return -1;
		if (write(fd, map, strlen(map)) != (ssize_t)strlen(map))
			r = -1;
		close(fd);
	}
	return r;
}

#ifndef SYS_clone3
#define SYS_clone3		435
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP	0x200000000ULL
#endif

/* clone3(2)'s argument as <linux/sched.h> has it (not included: its
 * CLONE_* macros clash with <sched.h>'s). */
struct clone3_args {
	uint64_t	flags, pidfd, child_tid, parent_tid, exit_signal;
	uint64_t	stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

/*
 * clone(2) as fork does, into the namespaces of flags, and with a cgroup
 * into it at once (clone3, CLONE_INTO_CGROUP): nothing of the service ever
 * runs outside its group. A kernel without clone3 (before 5.7: ENOSYS, or
 * E2BIG for a struct it does not know) is found once; from then on
 * *procs_fd is the group's cgroup.procs, which the child writes itself
 * into before anything else, and a cgroup namespace is the child's to
 * unshare once it is there (*late_cgns).
 */
pid_t
spawn_clone_into(unsigned long flags, int cgroup_fd, int *procs_fd,
    bool *late_cgns)
{
	static bool		no_clone3, told;
	struct clone3_args	ca;
	pid_t			pid;
	int			saved;

	*procs_fd = -1;
	*late_cgns = false;
#ifdef SUPD_TEST_FAULTS
	/* Test builds only (cgroup.bats): a kernel without clone3. */
	if (getenv("SUPD_TEST_NO_CLONE3") != NULL)
		no_clone3 = true;
#endif
	if (cgroup_fd >= 0 && !no_clone3) {
		memset(&ca, 0, sizeof ca);
		ca.flags = flags | CLONE_INTO_CGROUP;
		ca.exit_signal = SIGCHLD;
		ca.cgroup = (uint64_t)cgroup_fd;
		pid = syscall(SYS_clone3, &ca, sizeof ca);
		if (pid != -1 || (errno != ENOSYS && errno != E2BIG))
			return pid;
		no_clone3 = true;
	}
	if (cgroup_fd >= 0 && !told) {
		told = true;
		log_info("cgroup: no clone3 here: each service's process "
		    "joins its group through cgroup.procs");
	}
	if (cgroup_fd >= 0) {
		if ((*procs_fd = openat(cgroup_fd, "cgroup.procs",
		    O_WRONLY | O_CLOEXEC)) == -1)
			return -1;
		*late_cgns = flags & CLONE_NEWCGROUP;
		flags &= ~(unsigned long)CLONE_NEWCGROUP;
	}
	pid = syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid != 0 && *procs_fd >= 0) {
		saved = errno;
		close(*procs_fd);	/* the child's */
		*procs_fd = -1;
		errno = saved;
	}
	return pid;
}

/* The child's first act without clone3: into its cgroup, then (if asked)
 * a cgroup namespace rooted there. */
void
spawn_child_cgroup(int procs_fd, bool late_cgns)
{
	if (procs_fd < 0)
		return;
	if (write(procs_fd, "0", 1) != 1)
		spawn_fail(STEP_SETUP, errno, "cgroup.procs");
	close(procs_fd);
	if (late_cgns && unshare(CLONE_NEWCGROUP) == -1)
		spawn_fail(STEP_CLONE, errno, "cgroup namespace");
}

/*
 * In supd, after the clone: the new user namespace's maps, then the
 * child's go on its sync pipe `up`. On failure the child reads EOF and
 * exits, and the report is supd's: *report_fd becomes a pipe holding it,
 * and the bridge gate *gate_fd is closed (nothing to plug).
 */
void
spawn_map_userns(pid_t pid, int up[2], int *report_fd, int *gate_fd)
{
	int	saved;

	close(up[0]);
	if (spawn_userns_maps(pid) == 0) {
		(void)write(up[1], "x", 1);
		close(up[1]);
		return;
	}
	saved = errno;
	close(up[1]);
	close(*report_fd);
	*report_fd = spawn_report_pipe(STEP_USERNS, saved, "uid/gid map");
	if (*gate_fd >= 0)
		close(*gate_fd);
	*gate_fd = -1;
}

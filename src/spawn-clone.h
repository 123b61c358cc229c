/* SPDX-License-Identifier: ISC */
/*
 * spawn-clone.h: what spawn.c takes from spawn-clone.c, the clone into a
 * cgroup and a new user namespace's maps (isolate-userns.c's idmap too).
 */
#ifndef SUPD_SPAWN_CLONE_H
#define SUPD_SPAWN_CLONE_H

#include <stdbool.h>
#include <sys/types.h>

/*
 * clone(2) as fork does, into the namespaces of flags, and with a cgroup
 * (cgroup_fd >= 0) into it at once (clone3, CLONE_INTO_CGROUP). Without
 * clone3, *procs_fd is the group's cgroup.procs for the child to write
 * itself into (spawn_child_cgroup), and *late_cgns says it unshares its
 * cgroup namespace then.
 */
pid_t	spawn_clone_into(unsigned long flags, int cgroup_fd, int *procs_fd,
	    bool *late_cgns);
/* The child's first act without clone3 (nothing if procs_fd < 0). */
void	spawn_child_cgroup(int procs_fd, bool late_cgns);
/* In supd, after the clone of a child in a new user namespace: its maps,
 * then the go on the sync pipe up; on failure *report_fd becomes a pipe
 * holding supd's report and the gate *gate_fd is closed. */
void	spawn_map_userns(pid_t pid, int up[2], int *report_fd, int *gate_fd);
/* The maps of pid's new user namespace, 0 -> ISO_USERNS_BASE for
 * ISO_USERNS_SIZE ids (uid and gid); -1 with errno. */
int	spawn_userns_maps(pid_t pid);

#endif

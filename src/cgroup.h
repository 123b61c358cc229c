/* SPDX-License-Identifier: ISC */
/*
 * cgroup.h: supd's cgroup v2 tree and the groups of its services (HC1's
 * module, src/cgroup.c). Only the part of the interface that the limits
 * and stats code (cgroup-limits.c, cgroup-stats.c, service-limits.c)
 * uses is declared here, as agreed in notes-helpers/issue11.md; the
 * integrator replaces this file with HC1's.
 */
#ifndef SUPD_CGROUP_H
#define SUPD_CGROUP_H

#include <stdbool.h>

/* One service's group: TREE/NAME.service and its directory fd. */
struct cgroup;

/* A tree is in use: services get groups. */
bool		 cg_enabled(void);
/* Why no tree is in use (auto on a v1 or hybrid host, `cgroup = no`, an
 * error), for messages; NULL when one is. */
const char	*cg_unavailable(void);
/* The controller ("memory", "cpu", "pids", "io") is enabled for the
 * services' groups. */
bool		 cg_has_controller(const char *);
/* The group's directory fd (O_DIRECTORY). */
int		 cg_dirfd(const struct cgroup *);
/* The group's path, for messages and inspect. */
const char	*cg_path(const struct cgroup *);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * cgroup-limits.h: the cgroup v2 keys of [limits] (struct cgl_conf of
 * config.h) as the files of a service's group: which file and controller
 * each key is, writing them, and saying why they cannot be applied here.
 */
#ifndef SUPD_CGROUP_LIMITS_H
#define SUPD_CGROUP_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct strv;

/* What a group holds of the [limits]: bit 1 << CGL_* of mask set, val[]
 * is what supd wrote (CGL_MAX: "max"); clear, the kernel's default. */
struct cgl_held {
	unsigned	mask;
	uint64_t	val[CGL_N];
};

/*
 * Write sc's limits into the group whose directory fd is dirfd: each key
 * given, and each key *held says an older definition set but sc does not
 * back to the kernel's default (skipped where the group lacks that
 * controller's file). A service without limits writes nothing. *held
 * (zeroed for a new group) says after the call what the group holds. -1
 * and *cause ("memory.max: Invalid argument") at the first file that
 * refuses.
 */
int		 cgl_apply(int dirfd, const struct svc_conf *, struct cgl_held *,
		    char **cause);
/* Key i's limit as its file reads back (memory.max in whole pages), or
 * CGL_MAX: what supd wrote, so `supctl stats` need not read it. */
uint64_t	 cgl_value(const struct cgl_held *, int i);
/* The controller that a key sc gives needs and supd's tree does not
 * have ("memory", "cpu", "pids", "io"), or NULL. */
const char	*cgl_missing(const struct svc_conf *);
/* Why sc cannot start here, allocated: "cgroup v2 memory controller not
 * available: REASON"; NULL if nothing is missing. */
char		*cgl_unavailable(const struct svc_conf *);
/* supd --check: "FILE:LINE: warning: ..." for each key of sc whose
 * controller is missing, appended to out; their number. */
size_t		 cgl_warnings(const struct svc_conf *, struct strv *out);

#endif

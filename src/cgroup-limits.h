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

struct strv;
struct svc_conf;

/*
 * Write sc's limits into the group whose directory fd is dirfd: each key
 * given, and each key not given back to the kernel's default (a reused
 * group may hold what an older definition set), skipping the files of a
 * controller the group does not have. -1 and *cause ("memory.max:
 * Invalid argument") at the first file that refuses.
 */
int		 cgl_apply(int dirfd, const struct svc_conf *, char **cause);
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

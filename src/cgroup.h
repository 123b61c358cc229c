/* SPDX-License-Identifier: ISC */
/*
 * cgroup.h: supd's cgroup v2 tree and a group per service (cgroup.c).
 *
 * `[supd] cgroup` says where the tree is (auto, no, or a directory on a
 * cgroup2 file system). supd moves itself into TREE/supd.self, enables the
 * controllers it wants in TREE/cgroup.subtree_control, and gives each
 * service a group TREE/NAME.service, reused across its restarts. Without a
 * tree (a v1 or hybrid host with `auto`, `no`, an error) every function
 * here that takes a group is never called: services have no group
 * (s->cg NULL) and run as they would without cgroups.
 *
 * One inotify fd watches every group's cgroup.events and memory.events:
 * a change calls the group's callback with what changed (CG_EMPTY,
 * CG_FROZEN, CG_OOM). No polling, no timer.
 */
#ifndef SUPD_CGROUP_H
#define SUPD_CGROUP_H

#include <stdbool.h>
#include <stdint.h>

struct cgroup;

/* The leaf supd moves itself into, a sibling of the services' groups. */
#define CG_SELF		"supd.self"
/* A service's group is NAME CG_SUFFIX (never a controller's file name). */
#define CG_SUFFIX	".service"

/* What changed in a group (bits of the callback's `what`). */
#define CG_EMPTY	0x1	/* populated went from 1 to 0 */
#define CG_FROZEN	0x2	/* frozen changed: cg_frozen() says to what */
#define CG_OOM		0x4	/* oom_kill of memory.events grew */

typedef void	cg_event_fn(void *arg, unsigned what, uint64_t new_ooms);

/*
 * [supd] cgroup's check for the configuration: NULL if v is "auto", "no"
 * or an absolute path on a cgroup2 file system (or below one, to be made),
 * else why not.
 */
const char	*cg_setting_check(const char *v);

/*
 * Find or make supd's tree for the setting, move supd into CG_SELF, enable
 * the controllers (cpu, memory, pids, io) it can, end and remove what a
 * previous supd left in the tree (its groups' processes, with a deadline),
 * and start the watcher in the default loop. Logs what it got; without a
 * tree, cg_unavailable() says why. Before any service starts.
 */
void		 cg_init(const char *setting);
/* At exit, every group closed: supd goes back where it was started and
 * removes what it made. */
void		 cg_end(void);

/*
 * supd --check: what cg_init would find, read only (nothing is made or
 * moved); cg_enabled, cg_unavailable and cg_has_controller then answer
 * for it. Instead of cg_init, never with it.
 */
void		 cg_probe(const char *setting);

/* A tree is in use. */
bool		 cg_enabled(void);
/* Why not (NULL while a tree is in use). */
const char	*cg_unavailable(void);
/* The controller ("memory", "cpu", "pids", "io") is enabled for groups. */
bool		 cg_has_controller(const char *);

/*
 * The group of service `name` (made, or reused if it exists), watched:
 * fn(arg, what) on each change. NULL with *cause.
 */
struct cgroup	*cg_open(const char *name, cg_event_fn *fn, void *arg,
		    char **cause);
/* Stop watching, close; with remove, end its processes and rmdir it. */
void		 cg_close(struct cgroup *, bool remove);

int		 cg_dirfd(const struct cgroup *);
const char	*cg_path(const struct cgroup *);
/* The last state read (cg_refresh reads it now). */
bool		 cg_populated(const struct cgroup *);
bool		 cg_frozen(const struct cgroup *);
uint64_t	 cg_oom_kills(const struct cgroup *);
/* Read cgroup.events and memory.events now; the bits of what changed
 * since the last read (the callback is not called). */
unsigned	 cg_refresh(struct cgroup *);

/* SIGKILL every process of the group: cgroup.kill, or where it is
 * missing freeze, SIGKILL each pid, thaw. -1 with *cause. */
int		 cg_kill(struct cgroup *, char **cause);
/* cgroup.freeze: 1 (pause) or 0 (go on). -1 with *cause. */
int		 cg_freeze(struct cgroup *, bool on, char **cause);

#endif

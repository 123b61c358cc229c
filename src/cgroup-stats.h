/* SPDX-License-Identifier: ISC */
/*
 * cgroup-stats.h: what a service's group uses, read from its interface
 * files (cgroup-stats.c) for `supctl stats`.
 */
#ifndef SUPD_CGROUP_STATS_H
#define SUPD_CGROUP_STATS_H

#include <stdint.h>

struct proto_stats;
struct cgs_files;		/* a group's files, kept open */

/* A number the group has no file for (its controller is not enabled). */
#define CGS_NONE	UINT64_MAX
/* A limit of "max". */
#define CGS_MAX		(UINT64_MAX - 1)

struct cg_stats {
	uint64_t	 cpu_usec;	/* cpu.stat usage_usec (always there) */
	uint64_t	 mem_current;	/* memory.current, bytes */
	uint64_t	 mem_max;	/* memory.max, bytes, or CGS_MAX (not
					   read: what supd wrote) */
	uint64_t	 pids_current;	/* pids.current */
	uint64_t	 pids_max;	/* pids.max, or CGS_MAX (the same) */
	uint64_t	 io_rbytes;	/* io.stat rbytes, every device summed */
	uint64_t	 io_wbytes;	/* io.stat wbytes, the same */
};

/* For one group, its files once opened; free before the group goes. */
struct cgs_files *cgs_files_new(void);
void	 cgs_files_free(struct cgs_files *);

/*
 * Read the group whose directory fd is dirfd, through the files kept in
 * k (NULL: open, read and close each). A file of a controller the group
 * does not have leaves its numbers CGS_NONE; so are mem_max and pids_max,
 * which are not read (the caller knows them). -1 and *cause when cpu.stat
 * (a core file) cannot be read, or a file says what it should not.
 */
int	 cgs_read(int dirfd, struct cgs_files *k, struct cg_stats *,
	    char **cause);
/* Its numbers into a stats row (all but cpu_pct100), as the protocol
 * carries them: PROTO_STATS_NONE, PROTO_STATS_MAX. */
void	 cgs_row(const struct cg_stats *, struct proto_stats *);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * cgroup-kill.h: a group by its files (cgroup-kill.c), for cgroup.c.
 */
#ifndef SUPD_CGROUP_KILL_H
#define SUPD_CGROUP_KILL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Parse the text of a cgroup.events or memory.events file: the value of
 * key (a line "KEY N"), or -1 if it has none.
 */
long long	cgk_events_value(const char *text, const char *key);
/* A whole small file of dirfd into buf (NUL-ended); its length, or -1
 * with errno. */
ssize_t	cgk_read_at(int dirfd, const char *file, char *buf, size_t len);
/* One value written to an interface file of dirfd; -1 with errno. */
int	cgk_write_at(int dirfd, const char *file, const char *v);
/* Every process of the group (cgroup.kill, or the fallback); -1 with
 * errno. */
int	cgk_kill(int dirfd);
/* rmdir parent/name and the groups under it, deepest first. */
int	cgk_remove(int parent, const char *name);
/* cgroup.events says populated 1. */
bool	cgk_populated(int dirfd);
/* Before the loop: wait on an inotify fd of its own until the group at
 * path (dirfd) is empty, at most until deadline (monotonic ms). */
bool	cgk_wait_empty(int dirfd, const char *path, uint64_t deadline);

#endif

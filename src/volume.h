/* SPDX-License-Identifier: ISC */
/*
 * volume.h: a new named volume's first contents (copy-up, volume.c):
 * started by supd before the clone, waited for by the service's child
 * before it mounts its volumes; and a volume's removal.
 */
#ifndef SUPD_VOLUME_H
#define SUPD_VOLUME_H

#include <sys/types.h>

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

/* A user namespace's ids on the host: base .. base + size - 1. */
struct vol_idmap {
	uint32_t	base, size;
};

/*
 * In supd: open the volume directory src just made and take its exclusive
 * lock (*lock), held by the copier until it ends. -1 with errno.
 */
int	vol_copyup_lock(const char *src, int *lock);
/*
 * In a service's child, before it mounts the named volume whose detached
 * mount is tree: wait until no copy-up fills it (the lock above is
 * free). A failure ends the start (spawn_fail, STEP_VOLUME, what).
 */
void	vol_copyup_settled(int tree, const char *what);
/*
 * In supd: fork the process that copies, for each volume i with fresh[i]
 * (made by supd for this start), the destination directory in the
 * service's root into the volume; with map (a rootfs seen from a user
 * namespace), each id u of the rootfs becomes base + u. *rfd is the pipe
 * its verdicts arrive on (vol_copyup_wait). The copier keeps the nlocks
 * locks (vol_copyup_lock) open until it ends; the caller closes its own.
 * -1 with *cause if it cannot be started.
 */
int	vol_copyup_start(const struct svc_conf *, const bool *fresh,
	    const struct vol_idmap *map, const int *locks, size_t nlocks,
	    int *rfd, char **cause);
/*
 * In the service's child: wait for the verdicts; a failed copy ends the
 * start (spawn_fail, STEP_VOLUME, the path that failed). empty[i] is set
 * for each volume that got nothing (a missing or empty destination): the
 * service's user is to own it. Closes rfd.
 */
void	vol_copyup_wait(const struct iso_conf *, int rfd, bool *empty);

/*
 * In supd: remove the volume `name` of dir (state_dir/volumes): renamed at
 * once to a hidden name, its tree removed by a child process, without
 * following anything in it. -1 with *cause if it cannot be renamed.
 */
int	vol_remove(const char *dir, const char *name, char **cause);
/*
 * In a child (vol_remove's, scratch.c's janitor): remove name below dfd and
 * everything under it, as the services left it: nothing is followed (a
 * symlink is removed, never what it names), no file system but dev is
 * entered. Best effort: what cannot go stays.
 */
void	vol_remove_at(int dfd, const char *name, dev_t dev);
/* The same for what the directory name holds, name itself kept. */
void	vol_empty_at(int dfd, const char *name, dev_t dev);

#endif

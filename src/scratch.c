/* SPDX-License-Identifier: ISC */
/*
 * scratch.c: the throwaway upper layers of overlays (an image's root, a
 * rootfs's with overlay = yes): state_dir/scratch/NAME, with upper/, work/
 * and root/ (the mount point), new at each start.
 *
 * state_dir/scratch is one tmpfs that supd mounts at the first layer, of
 * supd.conf's scratch_size (25% of the memory by default): every
 * service's throwaway layer shares it, so what services write in their
 * roots is bounded in total, as docker's container layers are by their
 * disk -- one service flooding its root fills scratch, not the machine's
 * memory -- and each page is charged to the memory cgroup of the service
 * that wrote it. Memory, not state_dir's disk: an overlay on a disk file
 * system makes about six inodes at each mount (its work directory, the
 * tmpfile and whiteout checks, volatile's marker), which cost a start 1 to
 * 3 ms on this project's ext4 under churn (docs/design.md, "Images").
 * Where the tmpfs cannot be mounted, the layers are on state_dir's disk,
 * and the log says so once.
 *
 * A layer is made on the start's path (four mkdirs on a tmpfs: tens of
 * microseconds), but never removed there: the last start's layer, or a
 * removed service's, is renamed into scratch/.trash and emptied by supd's
 * janitor (janitor.c: one child process kept, at the lowest priority; a
 * fork per start cost supd's loop 0.5 to 0.9 ms).
 */
#include <sys/mount.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isolate.h"
#include "janitor.h"
#include "log.h"
#include "scratch.h"
#include "util.h"
#include "values.h"
#include "volume.h"

static char	*top;		/* state_dir/scratch */
static char	*tmpfs_size;	/* supd.conf's scratch_size */
static bool	 mounted;	/* tried since supd started */
static unsigned	 trash_seq;	/* names in .trash */

static const char *const layer_dirs[] = { "upper", "work", "root" };

void
scratch_init(const char *state_dir, const char *size)
{
	free(top);
	free(tmpfs_size);
	top = xasprintf("%s/scratch", state_dir);
	tmpfs_size = xstrdup(size);
	mounted = false;
}

void
scratch_sweep(void)
{
	char	*dir = xstrdup(top), *cause = NULL, *slash;

	/* A killed supd's tmpfs, and its layers: services still using one
	 * keep it (detached) until they end. */
	while (umount2(top, MNT_DETACH) == 0)
		;
	slash = strrchr(dir, '/');
	*slash = '\0';
	if (vol_remove(dir, slash + 1, &cause) == -1 && errno != ENOENT)
		log_warnx("%s: %s", top, cause);
	free(cause);
	free(dir);
}

/* At the first layer: scratch made, a tmpfs of scratch_size mounted on it
 * (or, where it cannot be, the layers on state_dir's disk, said once). */
static void
scratch_mount(void)
{
	const char	*e = NULL;
	uint64_t	 bytes;
	char		*opts;

	mounted = true;
	if (mkdir(top, 0700) == -1 && errno != EEXIST) {
		log_warn("%s", top);
		return;
	}
	/* A share as tmpfs takes it, a size in bytes (checked already:
	 * cfgc_check_scratch_size). */
	if (tmpfs_size[strlen(tmpfs_size) - 1] == '%' ||
	    parse_size(tmpfs_size, &bytes, &e) == -1)
		opts = xasprintf("mode=0700,size=%s", tmpfs_size);
	else
		opts = xasprintf("mode=0700,size=%llu",
		    (unsigned long long)bytes);
	if (mount("tmpfs", top, "tmpfs", MS_NOSUID | MS_NODEV, opts) == -1)
		log_warn("%s: tmpfs of %s: the overlays' throwaway layers are "
		    "on state_dir's disk", top, tmpfs_size);
	free(opts);
}

void
scratch_end(void)
{
	/* What the janitor left in the trash goes at the next start. */
	if (mounted)
		(void)umount2(top, MNT_DETACH);
}

/* name's layer into .trash (made if missing): false if there is none,
 * or it could not be moved. */
static bool
to_trash(int dfd, const char *name)
{
	char	gone[32];

	snprintf(gone, sizeof gone, ".trash/%u", trash_seq++);
	if (renameat(dfd, name, dfd, gone) == 0)
		return true;
	return errno == ENOENT && mkdirat(dfd, ".trash", 0700) == 0 &&
	    renameat(dfd, name, dfd, gone) == 0;
}

void
scratch_drop(const char *name)
{
	int	dfd;

	if ((dfd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return;
	if (to_trash(dfd, name))
		janitor_empty(dfd, ".trash");
	close(dfd);
}

/* name's layer made, owned by a user namespace's root if userns (it
 * mounts the overlay); -1 with errno. */
static int
make_layer(int dfd, const char *name, bool userns)
{
	char	sub[NAME_MAX + 16];
	size_t	i;

	if (mkdirat(dfd, name, 0700) == -1 || (userns && fchownat(dfd, name,
	    ISO_USERNS_BASE, ISO_USERNS_BASE, AT_SYMLINK_NOFOLLOW) == -1))
		return -1;
	for (i = 0; i < sizeof layer_dirs / sizeof *layer_dirs; i++) {
		snprintf(sub, sizeof sub, "%s/%s", name, layer_dirs[i]);
		if (mkdirat(dfd, sub, 0700) == -1 || (userns && fchownat(dfd,
		    sub, ISO_USERNS_BASE, ISO_USERNS_BASE,
		    AT_SYMLINK_NOFOLLOW) == -1))
			return -1;
	}
	return 0;
}

char *
scratch_take(const char *name, bool userns, char **cause)
{
	int	dfd, r;

	if (!mounted)
		scratch_mount();
	if ((dfd = open(top, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		*cause = errno_cause("overlay %s", top);
		return NULL;
	}
	if (to_trash(dfd, name))
		janitor_empty(dfd, ".trash");
	if ((r = make_layer(dfd, name, userns)) == -1)
		*cause = errno_cause("overlay %s/%s", top, name);
	close(dfd);
	return r == -1 ? NULL : xasprintf("%s/%s", top, name);
}

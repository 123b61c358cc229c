/* SPDX-License-Identifier: ISC */
/*
 * isolate-image.c: in the service's first process, the root of an image
 * (or of a rootfs with overlay = yes or persist): an overlay whose lower
 * layers are the image's layer directories of the store (or the rootfs),
 * top first, reached through /proc/self/fd/N paths (a hundred layers fit
 * in the page of mount options), and whose upper and work layers are in
 * the directory supd made (iso.upper: a new throwaway one at each start,
 * scratch.c, mounted `volatile` since nothing of it must outlive a crash;
 * or the kept one of overlay = persist), which supd gives as a detached
 * mount. The overlay is mounted on its root/, in this mount namespace
 * only. supd built the paths (service-image.c); nothing here allocates (a
 * lone child shares supd's memory): the fds and the options live on the
 * stack.
 *
 * The store's layers are read-only to the service: they are lower layers,
 * whatever the service writes lands in the upper one (copied up), and once
 * the root is entered (pivot_root, isolate.c) no path leads to the store.
 */
#include <sys/mount.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "isolate.h"
#include "spawn-report.h"

#define LAYERS_MAX	500	/* overlayfs' own bound on lower layers */

const char *
iso_layers_root(const struct iso_conf *iso, int up)
{
	static char	 root[64];
	struct stat	 st;
	size_t		 n, i, len;
	char		 opts[4096];
	int		 at;

	for (n = 0; iso->layers[n] != NULL; n++)
		;
	if (n == 0 || n > LAYERS_MAX)
		spawn_fail(STEP_OVERLAY, E2BIG, "image layers");
	{
		int	fds[n];		/* no heap: spawn.c */

		for (i = 0; i < n; i++)
			if ((fds[i] = open(iso->layers[i], O_PATH |
			    O_DIRECTORY | O_CLOEXEC)) == -1)
				spawn_fail(STEP_OVERLAY, errno, iso->layers[i]);
		if (fstat(fds[0], &st) == -1 || (at = open(iso->layers[0],
		    O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
			spawn_fail(STEP_OVERLAY, errno, iso->layers[0]);
		/* The upper layer's directory joins this mount namespace
		 * (overlayfs takes layers of the mounter's namespace only),
		 * over the top layer's path, whose fd reaches beneath. */
		if (up < 0 || move_mount(up, "", at, "",
		    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) == -1)
			spawn_fail(STEP_OVERLAY, up < 0 ? EBADF : errno,
			    iso->upper);
		close(at);
		/* The root directory is the upper layer's: the top one's
		 * mode, as the image gives it. */
		if (fchmodat(up, "upper", st.st_mode & 07777, 0) == -1)
			spawn_fail(STEP_OVERLAY, errno, "upper layer mode");
		len = snprintf(opts, sizeof opts, "lowerdir=");
		for (i = 0; i < n && len < sizeof opts; i++)
			len += snprintf(opts + len, sizeof opts - len,
			    "%s/proc/self/fd/%d", i > 0 ? ":" : "", fds[i]);
		if (len < sizeof opts)
			len += snprintf(opts + len, sizeof opts - len,
			    ",upperdir=/proc/self/fd/%d/upper,"
			    "workdir=/proc/self/fd/%d/work%s%s", up, up,
			    iso->overlay == OVERLAY_PERSIST ? "" : ",volatile",
			    /* trusted.* is the init namespace's only */
			    iso->ns & CLONE_NEWUSER ? ",userxattr" : "");
		if (len >= sizeof opts)
			spawn_fail(STEP_OVERLAY, E2BIG, "image layers");
		snprintf(root, sizeof root, "/proc/self/fd/%d/root", up);
		if (mount("overlay", root, "overlay", 0, opts) == -1)
			spawn_fail(STEP_OVERLAY, errno, iso->upper);
		for (i = 0; i < n; i++)
			close(fds[i]);
	}
	/* up stays open (supd's, kept by spawn.c): root names it until the
	 * root is entered. */
	return root;
}

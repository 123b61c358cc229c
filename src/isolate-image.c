/* SPDX-License-Identifier: ISC */
/*
 * isolate-image.c: in the service's first process, the root of an image
 * (or of a rootfs with overlay = persist): an overlay whose lower layers
 * are the image's layer directories of the store, top first, reached
 * through /proc/self/fd/N paths (a hundred layers fit in the page of mount
 * options), and whose upper layer is either a throwaway tmpfs of this
 * mount namespace or the kept directory supd made (iso.upper). supd built
 * the paths (service-image.c); nothing here allocates (a lone child shares
 * supd's memory): the fds and the options live on the stack.
 *
 * The store's layers are read-only to the service: they are lower layers,
 * whatever the service writes lands in the upper one (copied up), and once
 * the root is entered (pivot_root, isolate.c) no path leads to the store.
 */
#include <sys/mount.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "isolate.h"
#include "spawn-report.h"

#define LAYERS_MAX	500	/* overlayfs' own bound on lower layers */

/* A tmpfs of this namespace attached over `at`: the mount point of the
 * root, and the throwaway layers. No size: as docker's container layer,
 * bounded by what the machine has. */
static int
layers_tmpfs(int at)
{
	int	fs, mnt;

	if ((fs = fsopen("tmpfs", FSOPEN_CLOEXEC)) == -1 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "mode", "700", 0) == -1 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == -1 ||
	    (mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID |
	    MOUNT_ATTR_NODEV)) == -1)
		spawn_fail(STEP_OVERLAY, errno, "layers tmpfs");
	close(fs);
	if (move_mount(mnt, "", at, "", MOVE_MOUNT_F_EMPTY_PATH |
	    MOVE_MOUNT_T_EMPTY_PATH) == -1)
		spawn_fail(STEP_OVERLAY, errno, "layers tmpfs");
	if (mkdirat(mnt, "root", 0755) == -1)
		spawn_fail(STEP_OVERLAY, errno, "layer directories");
	return mnt;
}

const char *
iso_layers_root(const struct iso_conf *iso)
{
	static char	 root[64];
	struct stat	 st;
	size_t		 n, i, len;
	char		 opts[4096];
	int		 tmp, up, at;

	for (n = 0; iso->layers[n] != NULL; n++)
		;
	if (n == 0 || n > LAYERS_MAX)
		spawn_fail(STEP_OVERLAY, E2BIG, "image layers");
	{
		int	fds[n];		/* no heap: spawn.c */

		/* The layers first: the tmpfs then covers the top one's
		 * path, which its fd still reaches beneath. */
		for (i = 0; i < n; i++)
			if ((fds[i] = open(iso->layers[i], O_PATH |
			    O_DIRECTORY | O_CLOEXEC)) == -1)
				spawn_fail(STEP_OVERLAY, errno, iso->layers[i]);
		if (fstat(fds[0], &st) == -1 || (at = open(iso->layers[0],
		    O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
			spawn_fail(STEP_OVERLAY, errno, iso->layers[0]);
		tmp = layers_tmpfs(at);
		close(at);
		up = tmp;
		if (iso->upper != NULL && (up = open(iso->upper, O_PATH |
		    O_DIRECTORY | O_CLOEXEC)) == -1)
			spawn_fail(STEP_OVERLAY, errno, iso->upper);
		if (iso->upper == NULL && (mkdirat(tmp, "upper", 0755) == -1 ||
		    mkdirat(tmp, "work", 0755) == -1))
			spawn_fail(STEP_OVERLAY, errno, "layer directories");
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
			    "workdir=/proc/self/fd/%d/work", up, up);
		if (len >= sizeof opts)
			spawn_fail(STEP_OVERLAY, E2BIG, "image layers");
		snprintf(root, sizeof root, "/proc/self/fd/%d/root", tmp);
		if (mount("overlay", root, "overlay", 0, opts) == -1)
			spawn_fail(STEP_OVERLAY, errno, iso->upper != NULL ?
			    iso->upper : iso->layers[0]);
		for (i = 0; i < n; i++)
			close(fds[i]);
		if (up != tmp)
			close(up);
	}
	/* tmp stays open: root names it until the root is entered. */
	return root;
}

/* SPDX-License-Identifier: ISC */
/*
 * isolate-userns.c: the root of an image for a service in a user namespace
 * (issue 13): an overlay made by supd before the clone (iso_userns_root),
 * which the child attaches and enters (iso_userns_attach).
 *
 * The store's files carry the host's ids; the service's are its
 * namespace's, ISO_USERNS_BASE on. The layers are therefore lower layers
 * through an idmapped mount -- host 0..65535 seen as ISO_USERNS_BASE on, the
 * namespace's own map -- so the image's root is the service's root and its
 * other ids are themselves, with no shifted copy of the layers (podman's
 * way where the kernel has no idmapped mounts). supd, the host's root, makes
 * the overlay rather than the child: inside the namespace overlayfs reads
 * only user.* xattrs (its userxattr option) where the store marks opaque
 * directories with trusted.overlay.opaque, and a detached mount serves as a
 * layer only to its maker's namespace (the kernel checks CAP_SYS_ADMIN
 * there). The child never resolves a path of supd's state: the store stays
 * out of its reach, as for any image.
 *
 * Writes land in the upper layer, iso->upper (state_dir/scratch/NAME, or
 * overlays/NAME kept: service-image.c made it, the namespace's root's), its
 * files owned on disk by the namespace's ids. The layers are read-only
 * mounts, never written; the overlay's superblock is the host's, so the
 * namespace's root can neither remount it nor idmap it again.
 *
 * Costs (tests/proofs/issue-13-userns.md, 2 cores): the namespace of the
 * map once, about 1 ms; each start 0.25-0.9 ms in supd's turn (an idmapped
 * clone of the layers' common directory, an fsconfig a layer, the overlay's
 * creation), where the child no longer makes an overlay of its own. Needs
 * Linux 6.15 (a detached mount as an overlay layer; lowerdir+ since 6.8).
 */
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "isolate.h"
#include "spawn-clone.h"
#include "spawn-report.h"
#include "util.h"

/* ---- supd's side, before the clone ---------------------------------------- */

/* A user namespace with the map every service's has, for idmaps: a child
 * cloned into it holds it while supd writes the maps and opens it, then
 * exits (supd's SIGCHLD watcher reaps it, as any child it does not know). */
static int
userns_make(void)
{
	char		 path[64];
	sigset_t	 all, old;
	pid_t		 pid;
	int		 p[2], fd = -1, saved;
	char		 c;

	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	/* Blocked in the child, which so runs none of supd's handlers. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL,
	    NULL);
	if (pid == 0) {
		close(p[1]);
		(void)read(p[0], &c, 1);
		_exit(0);
	}
	saved = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(p[0]);
	if (pid > 0 && spawn_userns_maps(pid) == 0) {
		snprintf(path, sizeof path, "/proc/%d/ns/user", (int)pid);
		fd = open(path, O_RDONLY | O_CLOEXEC);
	}
	if (pid > 0)
		saved = errno;
	close(p[1]);		/* the child goes */
	errno = saved;
	return fd;
}

/* The layers' longest common directory, whose length (its final '/'
 * included) is returned: one idmapped clone of it serves them all. */
static size_t
layers_common(char *const *layers)
{
	size_t	len, i, j;

	len = strrchr(layers[0], '/') - layers[0] + 1;
	for (i = 1; layers[i] != NULL; i++) {
		for (j = 0; j < len && layers[i][j] == layers[0][j]; j++)
			;
		len = j;
		while (len > 0 && layers[0][len - 1] != '/')
			len--;
	}
	return len;
}

/* dir, the layers' common directory, cloned as a detached mount, idmapped
 * through userns and read-only. */
static int
layers_idmapped(const char *dir, int userns)
{
	struct mount_attr	attr = { .attr_set = MOUNT_ATTR_IDMAP |
				    MOUNT_ATTR_RDONLY, .userns_fd = userns };
	int			fd, saved;

	if ((fd = open_tree(AT_FDCWD, dir, OPEN_TREE_CLONE |
	    OPEN_TREE_CLOEXEC)) == -1)
		return -1;
	if (mount_setattr(fd, "", AT_EMPTY_PATH, &attr, sizeof attr) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/* fsconfig's string key=value on fs, the value "/proc/self/fd/N/REST". */
static int
set_fdpath(int fs, const char *key, int fd, const char *rest)
{
	char	path[PATH_MAX + 32];

	if ((size_t)snprintf(path, sizeof path, "/proc/self/fd/%d/%s", fd,
	    rest) >= sizeof path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return fsconfig(fs, FSCONFIG_SET_STRING, key, path, 0);
}

/* The overlay of the layers (under lower, the idmapped clone of their
 * common directory, at layers[i] + skip) and up's upper/ and work/,
 * volatile unless kept (as isolate-image.c's). */
static int
overlay(char *const *layers, size_t skip, int lower, int up, bool keep,
    const char **what)
{
	size_t	i;
	int	fs, fd = -1, saved;

	if ((fs = fsopen("overlay", FSOPEN_CLOEXEC)) == -1)
		return -1;
	/* One layer at a time: no page of options to fit them in. */
	for (i = 0; layers[i] != NULL; i++) {
		*what = layers[i];
		if (set_fdpath(fs, "lowerdir+", lower, layers[i] + skip) == -1)
			goto out;
	}
	*what = "upper layer";
	if ((keep || fsconfig(fs, FSCONFIG_SET_FLAG, "volatile", NULL,
	    0) == 0) && set_fdpath(fs, "upperdir", up, "upper") == 0 &&
	    set_fdpath(fs, "workdir", up, "work") == 0 &&
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == 0)
		fd = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NODEV);
out:
	saved = errno;
	close(fs);
	errno = saved;
	return fd;
}

int
iso_userns_root(const struct iso_conf *iso, int *root, char **cause)
{
	static int	 userns = -1;
	const char	*what = "user namespace of the idmap";
	char		 dir[PATH_MAX];
	struct stat	 st;
	size_t		 skip;
	int		 lower = -1, up = -1;

	*root = -1;
	if (userns == -1 && (userns = userns_make()) == -1)
		goto fail;
	skip = layers_common(iso->layers);
	what = iso->layers[0];
	if (skip >= sizeof dir) {
		errno = ENAMETOOLONG;
		goto fail;
	}
	memcpy(dir, iso->layers[0], skip);
	dir[skip] = '\0';
	what = dir;
	if ((lower = layers_idmapped(dir, userns)) == -1)
		goto fail;
	/* supd made it, the namespace's root's (service-image.c); the root
	 * directory takes the top layer's mode, as the image gives it. */
	what = iso->upper != NULL ? iso->upper : "upper layer";
	if (iso->upper == NULL)
		errno = ENOENT;
	if (iso->upper == NULL || stat(iso->layers[0], &st) == -1 ||
	    (up = open(iso->upper, O_PATH | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1 || fchmodat(up, "upper", st.st_mode & 07777,
	    0) == -1)
		goto fail;
	*root = overlay(iso->layers, skip, lower, up,
	    iso->overlay == OVERLAY_PERSIST, &what);
	if (*root == -1)
		goto fail;
	close(lower);
	close(up);
	return 0;
fail:
	*cause = errno_cause("image root: %s", what);
	if (lower != -1)
		close(lower);
	if (up != -1)
		close(up);
	return -1;
}

/* ---- the child's side ------------------------------------------------------- */

const char *
iso_userns_attach(int fd)
{
	static char	root[64];

	/* Over the namespace's own root, which a path from / still walks
	 * (the host's /proc, /dev) until pivot_root swaps the two: no mount
	 * point of the host's tree is needed. */
	if (move_mount(fd, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) == -1)
		spawn_fail(STEP_OVERLAY, errno, "image root");
	snprintf(root, sizeof root, "/proc/self/fd/%d", fd);
	return root;
}

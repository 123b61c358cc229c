/* SPDX-License-Identifier: ISC */
/*
 * isolate.c: what a service's isolation needs from supd before the clone
 * (iso_prepare: named volumes, detached volume mounts, the network
 * namespace to join), and what the service's process does to itself
 * between clone and exec -- network, hostname, mounts, root, rlimits.
 * Identity and capabilities, the steps after these, are in
 * isolate-identity.c.
 *
 * Mounts follow an order that cannot leak to the host: propagation is made
 * private before anything is mounted; the new root is assembled under its
 * own path (a bind of rootfs, or an overlay whose upper layer supd made:
 * isolate-image.c) and only then entered with pivot_root (or, from an initramfs,
 * where pivot_root fails with EINVAL, by moving it onto / and chroot, as
 * runc's no-pivot mode does). Every path inside the root is resolved inside
 * it (openat2 RESOLVE_IN_ROOT) and mounted on through the resolved fd, so a
 * symlink in the rootfs -- even one swapped in during start-up -- cannot
 * make a mount land outside it. /proc paths docker masks are masked.
 *
 * Every step reports its failure with spawn_fail(step, errno, what).
 */
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isolate.h"
#include "netns.h"
#include "netpool.h"
#include "spawn-report.h"
#include "util.h"
#include "volume.h"

/* /proc paths hidden (files get /dev/null, directories an empty tmpfs) or
 * made read-only, as docker does. Missing ones are skipped. */
static const char *const masked[] = {
	"/proc/kcore", "/proc/keys", "/proc/timer_list", "/proc/sched_debug",
	"/proc/latency_stats", "/proc/acpi", "/proc/scsi", "/sys/firmware",
};
static const char *const readonly[] = {
	"/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus",
	"/proc/fs",
};

/* Device nodes of the minimal /dev, bind-mounted from the host's. */
static const char *const devices[] = {
	"null", "zero", "full", "random", "urandom", "tty",
};

/* ---- paths inside the root ---------------------------------------------- */

static int
open_in_root(int rootfd, const char *path, int flags, unsigned long resolve)
{
	struct open_how	how;

	memset(&how, 0, sizeof how);
	how.flags = flags | O_CLOEXEC;
	how.resolve = resolve;
	while (*path == '/')
		path++;
	if (*path == '\0')
		path = ".";
	return syscall(SYS_openat2, rootfd, path, &how, sizeof how);
}

/*
 * Make (if needed) and open the mount point `path` inside the root: a
 * directory, or an empty file when `file`. Each component is resolved in
 * the root, so ".." and symlinks stay inside it. Returns an O_PATH fd.
 */
static int
mkpoint(int rootfd, const char *path, bool file, enum spawn_step step)
{
	char	 copy[strlen(path) + 1], *s;	/* no heap: spawn.c's lone child */
	int	 fd, parent;

	memcpy(copy, path, sizeof copy);

	for (s = copy + 1; ; s++) {
		bool	last = *s == '\0';
		char	save = *s;

		if (*s != '/' && !last)
			continue;
		*s = '\0';
		fd = open_in_root(rootfd, copy, O_PATH, RESOLVE_IN_ROOT);
		if (fd == -1 && errno == ENOENT) {
			char *slash = strrchr(copy, '/');

			*slash = '\0';
			parent = open_in_root(rootfd, copy[0] ? copy : "/",
			    O_PATH | O_DIRECTORY, RESOLVE_IN_ROOT);
			*slash = '/';
			if (parent == -1)
				spawn_fail(step, errno, path);
			if (last && file) {
				fd = openat(parent, slash + 1, O_WRONLY |
				    O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
				    0644);
				if (fd == -1 && errno != EEXIST)
					spawn_fail(step, errno, path);
				if (fd != -1)
					close(fd);
			} else if (mkdirat(parent, slash + 1, 0755) == -1 &&
			    errno != EEXIST)
				spawn_fail(step, errno, path);
			close(parent);
			fd = open_in_root(rootfd, copy, O_PATH,
			    RESOLVE_IN_ROOT);
		}
		if (fd == -1)
			spawn_fail(step, errno, path);
		if (last)
			break;
		close(fd);
		*s = save;
	}
	return fd;
}

static void
fdpath(char *buf, size_t len, int fd)
{
	snprintf(buf, len, "/proc/self/fd/%d", fd);
}

/* mount() onto an fd from mkpoint(). */
static void
mount_at(int fd, const char *src, const char *type, unsigned long flags,
    const char *data, enum spawn_step step, const char *what)
{
	char	target[64];

	fdpath(target, sizeof target, fd);
	/* A bind with no source binds the target onto itself. */
	if (mount(src != NULL ? src : target, target, type, flags, data) == -1)
		spawn_fail(step, errno, what);
}

/* Read-only again after a bind: a remount keeping the flags it has. */
static void
remount_ro(const char *target, enum spawn_step step, const char *what)
{
	struct statvfs	sv;
	unsigned long	flags = MS_BIND | MS_REMOUNT | MS_RDONLY;

	if (statvfs(target, &sv) == 0) {
		/* Locked flags (in a user namespace) must be repeated. */
		if (sv.f_flag & ST_NOSUID)
			flags |= MS_NOSUID;
		if (sv.f_flag & ST_NODEV)
			flags |= MS_NODEV;
		if (sv.f_flag & ST_NOEXEC)
			flags |= MS_NOEXEC;
	}
	if (mount(NULL, target, NULL, flags, NULL) == -1)
		spawn_fail(step, errno, what);
}

static void
remount_ro_fd(int fd, enum spawn_step step, const char *what)
{
	char	target[64];

	fdpath(target, sizeof target, fd);
	remount_ro(target, step, what);
}

/* ---- the mount tree ------------------------------------------------------ */

/*
 * A mount point in the service's new /dev, through dfd: that tmpfs was
 * just made and nothing but this process can have put a name in it, so no
 * step of mkpoint's walk is needed (4 system calls a device, not 11).
 */
static int
dev_point(int dfd, const char *name, bool file)
{
	int	fd;

	if (file)
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0644);
	else if (mkdirat(dfd, name, 0755) == -1)
		fd = -1;
	else
		fd = openat(dfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
	if (fd == -1)
		spawn_fail(STEP_DEV, errno, name);
	return fd;
}

/*
 * One of devices[] in the new /dev (dfd): made with mknod from the host
 * node's number, as runc does outside a user namespace -- no mount, and no
 * path of the host's is followed into the service; where mknod is refused
 * (a user namespace, no CAP_MKNOD), the host's node bound, and only a real
 * device node (runc CVE-2025-31133).
 */
static void
dev_node(int dfd, const char *name, bool userns)
{
	char		path[64];
	struct stat	st;
	int		fd;

	snprintf(path, sizeof path, "/dev/%s", name);
	if (stat(path, &st) == -1)
		spawn_fail(STEP_DEV, errno, path);
	if (!S_ISCHR(st.st_mode))
		spawn_fail(STEP_DEV, ENODEV, path);
	if (!userns && mknodat(dfd, name, S_IFCHR | 0666, st.st_rdev) == 0)
		return;
	if (!userns && errno != EPERM)
		spawn_fail(STEP_DEV, errno, path);
	fd = dev_point(dfd, name, true);
	mount_at(fd, path, NULL, MS_BIND, NULL, STEP_DEV, path);
	close(fd);
}

static void
mount_dev(int rootfd, bool tty, bool userns)
{
	size_t		i;
	mode_t		mask;
	int		fd, dfd;

	fd = mkpoint(rootfd, "/dev", false, STEP_DEV);
	mount_at(fd, "tmpfs", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=64k",
	    STEP_DEV, "/dev");
	close(fd);
	if ((dfd = open_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY,
	    RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS)) == -1)
		spawn_fail(STEP_DEV, errno, "/dev");
	mask = umask(0);	/* the nodes are 0666, whatever the service's */
	for (i = 0; i < sizeof devices / sizeof *devices; i++)
		dev_node(dfd, devices[i], userns);
	umask(mask);
	fd = dev_point(dfd, "pts", false);
	mount_at(fd, "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
	    "newinstance,ptmxmode=0666,mode=0620", STEP_DEV, "/dev/pts");
	close(fd);
	fd = dev_point(dfd, "shm", false);
	mount_at(fd, "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	    "mode=1777,size=65536k", STEP_DEV, "/dev/shm");
	close(fd);
	if (tty) {
		/* The service's terminal (supd's pty, on 0) is its console, as
		 * runc does: ttyname() finds it there. Bound by its path, as
		 * our copy of the host's mounts has it (the fd's own mount is
		 * in supd's namespace and cannot be bound from here). */
		char	pts[64];

		if (ttyname_r(0, pts, sizeof pts) != 0)
			spawn_fail(STEP_DEV, errno, "ttyname");
		fd = dev_point(dfd, "console", true);
		mount_at(fd, pts, NULL, MS_BIND, NULL, STEP_DEV, "/dev/console");
		close(fd);
	}
	if (symlinkat("pts/ptmx", dfd, "ptmx") == -1 ||
	    symlinkat("/proc/self/fd", dfd, "fd") == -1 ||
	    symlinkat("/proc/self/fd/0", dfd, "stdin") == -1 ||
	    symlinkat("/proc/self/fd/1", dfd, "stdout") == -1 ||
	    symlinkat("/proc/self/fd/2", dfd, "stderr") == -1)
		spawn_fail(STEP_DEV, errno, "/dev symlinks");
	close(dfd);
}

/* Mask and protect /proc and /sys paths under the root. */
static void
mask_paths(int rootfd)
{
	size_t	i;
	int	fd;

	for (i = 0; i < sizeof masked / sizeof *masked; i++) {
		struct stat st;

		fd = open_in_root(rootfd, masked[i], O_PATH,
		    RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
		if (fd == -1)
			continue;	/* not there: nothing to hide */
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
			mount_at(fd, "tmpfs", "tmpfs", MS_RDONLY,
			    "size=0", STEP_MASK, masked[i]);
		else
			mount_at(fd, "/dev/null", NULL, MS_BIND, NULL,
			    STEP_MASK, masked[i]);
		close(fd);
	}
	for (i = 0; i < sizeof readonly / sizeof *readonly; i++) {
		fd = open_in_root(rootfd, readonly[i], O_PATH,
		    RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
		if (fd == -1)
			continue;
		mount_at(fd, NULL, NULL, MS_BIND | MS_REC, NULL, STEP_MASK,
		    readonly[i]);
		close(fd);
		fd = open_in_root(rootfd, readonly[i], O_PATH,
		    RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
		if (fd == -1)
			spawn_fail(STEP_MASK, errno, readonly[i]);
		remount_ro_fd(fd, STEP_MASK, readonly[i]);
		close(fd);
	}
}

/* A fresh procfs: /proc must be a real directory, never a symlink. */
static void
mount_proc(int rootfd)
{
	int	fd;

	fd = open_in_root(rootfd, "/proc", O_PATH | O_DIRECTORY,
	    RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
	if (fd == -1)
		spawn_fail(STEP_PROC, errno == ELOOP ? ELOOP : errno,
		    "/proc (must be a directory in the root)");
	mount_at(fd, "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
	    STEP_PROC, "/proc");
	close(fd);
}

static void
mount_sys(int rootfd)
{
	int	fd;

	fd = open_in_root(rootfd, "/sys", O_PATH | O_DIRECTORY,
	    RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
	if (fd == -1) {
		if (errno == ENOENT)
			return;		/* a rootfs without /sys gets none */
		spawn_fail(STEP_SYS, errno, "/sys (must be a directory)");
	}
	mount_at(fd, "/sys", NULL, MS_BIND | MS_REC, NULL, STEP_SYS, "/sys");
	close(fd);
	fd = open_in_root(rootfd, "/sys", O_PATH | O_DIRECTORY,
	    RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
	if (fd == -1 || mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE,
	    &(struct mount_attr){ .attr_set = MOUNT_ATTR_RDONLY },
	    sizeof(struct mount_attr)) == -1)
		spawn_fail(STEP_SYS, errno, "/sys read-only");
	close(fd);
}

/*
 * Volumes arrive as detached mounts that supd cloned (open_tree) in its own
 * namespace, already read-only where `:ro` says so: nothing here re-opens a
 * source by its path. A destination in the host's tree is resolved with no
 * symlink at all (a service that can write a parent could have swapped one
 * in since its last start); in a rootfs it stays inside the root. New named
 * volumes are mounted once their copy-up is done (volume.c); those that got
 * nothing to copy are kept for iso_identity to give to the user, in
 * n->owned, the caller's room for every volume (no heap here: spawn.c's
 * lone child shares supd's memory).
 */
static void
mount_volumes(const struct iso_conf *iso, int rootfd, bool host_tree,
    const struct iso_fds *f, struct iso_notify *n)
{
	const int	*trees = f->volumes;
	bool		 empty[iso->nvolumes + 1];
	size_t		 i;
	int		 fd;

	memset(empty, 0, sizeof empty);
	if (f->copyup >= 0)
		vol_copyup_wait(iso, f->copyup, empty);
	for (i = 0; i < iso->nvolumes; i++) {
		const struct volume	*v = &iso->volumes[i];
		struct stat		 st;

		if (v->name != NULL)
			vol_copyup_settled(trees[i], v->src);
		if (fstat(trees[i], &st) == -1)
			spawn_fail(STEP_VOLUME, errno, v->src);
		if (host_tree) {
			fd = open_in_root(rootfd, v->dst, O_PATH,
			    RESOLVE_NO_SYMLINKS);
			if (fd == -1)
				spawn_fail(STEP_VOLUME, errno, v->dst);
		} else
			fd = mkpoint(rootfd, v->dst, !S_ISDIR(st.st_mode),
			    STEP_VOLUME);
		if (move_mount(trees[i], "", fd, "", MOVE_MOUNT_F_EMPTY_PATH |
		    MOVE_MOUNT_T_EMPTY_PATH) == -1)
			spawn_fail(STEP_VOLUME, errno, v->dst);
		close(fd);
		/* A read-only one cannot change owner, nor be written. */
		if (empty[i] && !v->ro)
			n->owned[n->nowned++] = trees[i];
		else
			close(trees[i]);
	}
}

static void
mount_tmpfs(const struct iso_conf *iso, int rootfd, bool host_tree)
{
	char	opts[64];
	size_t	i;
	int	fd;

	for (i = 0; i < iso->ntmpfs; i++) {
		const struct tmpfs_mount *t = &iso->tmpfs[i];

		fd = host_tree ? open_in_root(rootfd, t->dst, O_PATH,
		    RESOLVE_NO_SYMLINKS) : mkpoint(rootfd, t->dst, false,
		    STEP_TMPFS);
		if (fd == -1)
			spawn_fail(STEP_TMPFS, errno, t->dst);
		if (t->size > 0)
			snprintf(opts, sizeof opts, "mode=1777,size=%llu",
			    (unsigned long long)t->size);
		else
			snprintf(opts, sizeof opts, "mode=1777");
		mount_at(fd, "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV, opts,
		    STEP_TMPFS, t->dst);
		close(fd);
	}
}

/* A new tmpfs, not yet attached anywhere: its root as an fd. */
static int
new_tmpfs(const char *mode, enum spawn_step step, const char *what)
{
	int	fs, mnt;

	if ((fs = fsopen("tmpfs", FSOPEN_CLOEXEC)) == -1 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "mode", mode, 0) == -1 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "size", "1m", 0) == -1 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == -1 ||
	    (mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID |
	    MOUNT_ATTR_NODEV)) == -1)
		spawn_fail(step, errno, what);
	close(fs);
	return mnt;
}

/* The new root's directory without an overlay: rootfs itself, bound. An
 * overlay's is iso_layers_root's (supd gives its layers: service-image.c);
 * without them the rootfs is never bound writable in its place. */
static const char *
prepare_root(const struct iso_conf *iso)
{
	struct stat	st;

	if (stat(iso->rootfs, &st) == -1)
		spawn_fail(STEP_ROOTFS, errno, iso->rootfs);
	if (!S_ISDIR(st.st_mode))
		spawn_fail(STEP_ROOTFS, ENOTDIR, iso->rootfs);
	if (iso->overlay)
		spawn_fail(STEP_OVERLAY, EINVAL, "overlay without its layers");
	if (mount(iso->rootfs, iso->rootfs, NULL, MS_BIND | MS_REC, NULL) == -1)
		spawn_fail(STEP_ROOTFS, errno, iso->rootfs);
	return iso->rootfs;
}

static void
enter_root(const char *root)
{
	if (chdir(root) == -1)
		spawn_fail(STEP_PIVOT, errno, root);
	if (syscall(SYS_pivot_root, ".", ".") == 0) {
		/* The old root is stacked under the new one: detach it. */
		if (umount2(".", MNT_DETACH) == -1)
			spawn_fail(STEP_PIVOT, errno, "detach the old root");
	} else if (errno == EINVAL) {
		/* An initramfs cannot be pivoted away from. */
		if (mount(".", "/", NULL, MS_MOVE, NULL) == -1)
			spawn_fail(STEP_PIVOT, errno, "move the root");
		if (chroot(".") == -1)
			spawn_fail(STEP_PIVOT, errno, "chroot");
	} else
		spawn_fail(STEP_PIVOT, errno, root);
	if (chdir("/") == -1)
		spawn_fail(STEP_PIVOT, errno, "/");
}

/* Bind the notify socket (srcfd) on a new empty file `name` under dirfd. */
static void
bind_notify(int dirfd, const char *name, int srcfd)
{
	char	src[64];
	int	fd;

	if ((fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0600)) == -1)
		spawn_fail(STEP_READY, errno, name);
	close(fd);
	if ((fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC)) == -1)
		spawn_fail(STEP_READY, errno, name);
	fdpath(src, sizeof src, srcfd);
	mount_at(fd, src, NULL, MS_BIND, NULL, STEP_READY, "notify socket");
	close(fd);
}

/*
 * supd's own directories -- the control socket's and state_dir -- are
 * covered by an empty read-only tmpfs in the service's mount namespace, as
 * docker masks /proc paths: a service sees neither the socket nor another
 * service's notify socket nor supd's state. Its own notify socket, which
 * lives under the socket's directory, is the one thing put back, at the
 * same path.
 */
static bool
hide_supd(const struct iso_fds *f, int rootfd, int notifyfd)
{
	bool		 placed = false;
	const char	*rel, *slash;
	size_t		 i, len;
	int		 mnt, dir;

	for (i = 0; i < f->nhide; i++) {
		struct stat	st;
		int		at;

		at = open_in_root(rootfd, f->hide[i].path, O_PATH |
		    O_DIRECTORY, RESOLVE_NO_SYMLINKS);
		if (at == -1 && errno == ENOENT)
			continue;	/* removed since: nothing to hide */
		if (at == -1 || fstat(at, &st) == -1)
			spawn_fail(STEP_MASK, errno, f->hide[i].path);
		if (st.st_dev != f->hide[i].dev || st.st_ino != f->hide[i].ino)
			spawn_fail(STEP_MASK, EXDEV, f->hide[i].path);
		/* Attached first: a mount (the notify bind) needs its target
		 * in our namespace, not in a detached tree. */
		mnt = new_tmpfs("755", STEP_MASK, f->hide[i].path);
		if (move_mount(mnt, "", at, "", MOVE_MOUNT_F_EMPTY_PATH |
		    MOVE_MOUNT_T_EMPTY_PATH) == -1)
			spawn_fail(STEP_MASK, errno, f->hide[i].path);
		len = strlen(f->hide[i].path);
		/* DIR/notify/NAME: the one level below DIR that supd makes. */
		rel = notifyfd >= 0 && strncmp(f->notify, f->hide[i].path,
		    len) == 0 && f->notify[len] == '/' ? f->notify + len + 1 :
		    NULL;
		if (rel != NULL && (slash = strchr(rel, '/')) != NULL &&
		    strchr(slash + 1, '/') == NULL) {
			char	sub[slash - rel + 1];	/* no heap: spawn.c */

			memcpy(sub, rel, slash - rel);
			sub[slash - rel] = '\0';
			if (mkdirat(mnt, sub, 0755) == -1 || (dir = openat(mnt,
			    sub, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
				spawn_fail(STEP_READY, errno, f->notify);
			bind_notify(dir, slash + 1, notifyfd);
			close(dir);
			placed = true;
		}
		if (mount_setattr(mnt, "", AT_EMPTY_PATH, &(struct mount_attr){
		    .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOEXEC },
		    sizeof(struct mount_attr)) == -1)
			spawn_fail(STEP_MASK, errno, f->hide[i].path);
		close(mnt);
		close(at);
	}
	return placed;
}

/*
 * supd's notify socket where hide_supd could not put it back (its
 * directory is under the private /tmp, or a rootfs is the root): bound on
 * /run/supd/notify in a rootfs, /tmp/.supd-notify in a private /tmp; else
 * its own path serves. Returns where the service reaches it.
 */
static const char *
mount_notify(const struct iso_conf *iso, int rootfd, int srcfd,
    const char *path)
{
	const char	*inside;
	char		 src[64];
	int		 fd;

	if (iso->rootfs != NULL)
		inside = "/run/supd/notify";
	else if (iso->private_tmp)
		inside = "/tmp/.supd-notify";
	else
		return path;
	fd = mkpoint(rootfd, inside, true, STEP_READY);
	fdpath(src, sizeof src, srcfd);
	mount_at(fd, src, NULL, MS_BIND, NULL, STEP_READY, "notify socket");
	close(fd);
	return inside;
}

/*
 * A bridge network's /etc/hosts and /etc/resolv.conf: supd's files, as
 * detached read-only mounts. In a rootfs the mount point is made inside
 * it (mkpoint); in the host's tree /etc/hosts must exist (supd does not
 * write into the host's /etc), a missing /etc/resolv.conf stays missing
 * (a host without one: an initramfs), and a symlink there (resolv.conf
 * often is one) is followed inside the root only: the bind covers its
 * target in this mount namespace alone.
 */
static void
mount_names(int rootfd, bool host_tree, const struct iso_fds *f)
{
	static const char *const dst[2] = { "/etc/hosts", "/etc/resolv.conf" };
	const int	tree[2] = { f->hosts, f->resolv };
	int		i, fd;

	for (i = 0; i < 2; i++) {
		if (tree[i] < 0)
			continue;
		if (!host_tree)
			fd = mkpoint(rootfd, dst[i], true, STEP_NETWORK);
		else if ((fd = open_in_root(rootfd, dst[i], O_PATH,
		    RESOLVE_NO_SYMLINKS)) == -1 && errno == ELOOP)
			fd = open_in_root(rootfd, dst[i], O_PATH,
			    RESOLVE_IN_ROOT);
		if (fd == -1 && host_tree && i == 1 && errno == ENOENT) {
			close(tree[i]);
			continue;
		}
		if (fd == -1)
			spawn_fail(STEP_NETWORK, errno, dst[i]);
		if (move_mount(tree[i], "", fd, "", MOVE_MOUNT_F_EMPTY_PATH |
		    MOVE_MOUNT_T_EMPTY_PATH) == -1)
			spawn_fail(STEP_NETWORK, errno, dst[i]);
		close(fd);
		close(tree[i]);
	}
}

static void
setup_mounts(const struct svc_conf *sc, const struct iso_fds *f,
    struct iso_notify *n)
{
	const struct iso_conf	*iso = &sc->iso;
	const char		*root = "/";
	int			 rootfd, fd, notifyfd = n->fd;
	bool			 host_tree = iso->rootfs == NULL, placed;

	/* Nothing mounted from now on may propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		spawn_fail(STEP_MOUNT, errno, "private propagation");
	if (f->root >= 0)
		root = iso_userns_attach(f->root);
	else if (!host_tree)
		root = iso->layers != NULL ? iso_layers_root(iso, f->upper) :
		    prepare_root(iso);
	if ((rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		spawn_fail(STEP_ROOTFS, errno, root);

	if (host_tree) {
		/* The host's tree, seen through our namespace: a fresh
		 * /proc for the pid namespace, read-only if asked. */
		if (iso->read_only && mount_setattr(rootfd, "", AT_EMPTY_PATH |
		    AT_RECURSIVE, &(struct mount_attr){ .attr_set =
		    MOUNT_ATTR_RDONLY }, sizeof(struct mount_attr)) == -1)
			spawn_fail(STEP_READONLY, errno, "/");
		if (iso->ns & CLONE_NEWPID) {
			mount_proc(rootfd);
			mask_paths(rootfd);
		}
	} else {
		mount_proc(rootfd);
		mount_dev(rootfd, sc->tty, iso->ns & CLONE_NEWUSER);
		mount_sys(rootfd);
		mask_paths(rootfd);
	}
	if (iso->private_tmp) {
		fd = host_tree ? open_in_root(rootfd, "/tmp", O_PATH |
		    O_DIRECTORY, RESOLVE_NO_SYMLINKS) : mkpoint(rootfd, "/tmp",
		    false, STEP_TMPFS);
		if (fd == -1)
			spawn_fail(STEP_TMPFS, errno, "/tmp");
		mount_at(fd, "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777",
		    STEP_TMPFS, "private /tmp");
		close(fd);
	}
	mount_tmpfs(iso, rootfd, host_tree);
	mount_volumes(iso, rootfd, host_tree, f, n);
	mount_names(rootfd, host_tree, f);
	placed = host_tree && hide_supd(f, rootfd, notifyfd);
	if (notifyfd >= 0 && !placed)
		n->path = mount_notify(iso, rootfd, notifyfd, n->path);
	close(rootfd);

	if (!host_tree) {
		enter_root(root);
		/* Only the root mount itself: /proc, /dev, volumes, tmpfs
		 * are mounts of their own and stay as declared. */
		if (iso->read_only)
			remount_ro("/", STEP_READONLY, "/");
	}
}

/* ---- network, hostname, rlimits ----------------------------------------- */

static void
loopback_up(void)
{
	const char	*what;

	if (netns_loopback_up(&what) == -1)
		spawn_fail(STEP_NETWORK, errno, what);
}

/* What services get for RLIMIT_NOFILE when supd raised its own above it
 * (supd as a machine's PID 1); has_nofile false: they inherit supd's. */
static struct rlimit	services_nofile;
static bool		has_nofile;

void
iso_services_nofile(const struct rlimit *rl)
{
	services_nofile = *rl;
	has_nofile = true;
}

void
iso_rlimits(const struct svc_conf *sc)
{
	static const int	 res[RL_N] = { RLIMIT_NOFILE, RLIMIT_NPROC,
	    RLIMIT_CORE, RLIMIT_MEMLOCK };
	static const char *const names[RL_N] = { "nofile", "nproc", "core",
	    "memlock" };
	struct rlimit		 rl;
	int			 i;

	if (has_nofile && (sc->rlimits == NULL ||
	    !sc->rlimits[RL_NOFILE].set) &&
	    setrlimit(RLIMIT_NOFILE, &services_nofile) == -1)
		spawn_fail(STEP_RLIMIT, errno, "nofile");
	for (i = 0; i < RL_N; i++) {
		if (sc->rlimits == NULL || !sc->rlimits[i].set)
			continue;
		rl.rlim_cur = sc->rlimits[i].soft;
		rl.rlim_max = sc->rlimits[i].hard;
		if (setrlimit(res[i], &rl) == -1)
			spawn_fail(STEP_RLIMIT, errno, names[i]);
	}
}

void
iso_setup(const struct svc_conf *sc, const struct iso_fds *f,
    struct iso_notify *n)
{
	const struct iso_conf	*iso = &sc->iso;
	const char		*host;

	/* Another service's, or one made ahead (netpool.c), lo up. */
	if (f->netns >= 0 && setns(f->netns, CLONE_NEWNET) == -1)
		spawn_fail(STEP_NETWORK, errno, iso->net == NET_CONTAINER ?
		    iso->net_container : "network namespace made ahead");
	if (iso->net == NET_NONE && f->netns < 0)
		loopback_up();
	if (iso->ns & CLONE_NEWUTS) {
		host = iso->hostname != NULL ? iso->hostname : sc->name;
		if (sethostname(host, strlen(host)) == -1)
			spawn_fail(STEP_HOSTNAME, errno, host);
	}
	n->path = f->notify;
	n->fd = -1;
	n->nowned = 0;		/* n->owned is the caller's */
	/* Opened before any mount can hide it; kept for iso_identity. */
	if (f->notify != NULL && (n->fd = open(f->notify, O_PATH |
	    O_NOFOLLOW | O_CLOEXEC)) == -1)
		spawn_fail(STEP_READY, errno, f->notify);
	if (iso->ns & CLONE_NEWNS)
		setup_mounts(sc, f, n);
	iso_rlimits(sc);
}

/* ---- supd's side, before the clone --------------------------------------- */

/* state_dir/volumes, made as needed. */
static int
mkdir_parent(const char *path)
{
	char	*dir = xstrdup(path);
	int	 r;

	*strrchr(dir, '/') = '\0';
	r = mkdir_p(dir, 0755);
	free(dir);
	return r;
}

/*
 * Named volumes live in state_dir/volumes; a user namespace's root owns
 * its own. One made now is new: fresh[i], for its copy-up, locked until
 * the copy is over (locks[], *nlocks of them; volume.c). -1 with *cause
 * if one cannot be made.
 */
static int
prep_named_volumes(const struct svc_conf *sc, bool *fresh, int *locks,
    size_t *nlocks, char **cause)
{
	size_t	i;

	for (i = 0; i < sc->iso.nvolumes; i++) {
		const struct volume *v = &sc->iso.volumes[i];

		if (v->name == NULL)
			continue;
		if (mkdir_parent(v->src) == -1 ||
		    (!(fresh[i] = mkdir(v->src, 0755) == 0) &&
		    errno != EEXIST) ||
		    ((sc->iso.ns & CLONE_NEWUSER) && chown(v->src,
		    ISO_USERNS_BASE, ISO_USERNS_BASE) == -1) ||
		    (fresh[i] && vol_copyup_lock(v->src,
		    &locks[(*nlocks)++]) == -1)) {
			*cause = errno_cause("volume %s", v->src);
			return -1;
		}
	}
	return 0;
}

/*
 * Each volume source cloned as a detached mount (open_tree) in supd's
 * namespace, where every source is reachable, and made read-only there for
 * `:ro`; the child attaches them. -1 with *cause naming the source.
 */
static int
prep_volumes(const struct svc_conf *sc, struct iso_prep *p, char **cause)
{
	const struct iso_conf	*iso = &sc->iso;
	size_t			 i;

	if (iso->nvolumes == 0 || !(iso->ns & CLONE_NEWNS))
		return 0;
	p->volumes = xcalloc(iso->nvolumes, sizeof *p->volumes);
	p->nvolumes = iso->nvolumes;
	for (i = 0; i < iso->nvolumes; i++)
		p->volumes[i] = -1;
	for (i = 0; i < iso->nvolumes; i++) {
		const struct volume *v = &iso->volumes[i];

		if ((p->volumes[i] = open_tree(AT_FDCWD, v->src,
		    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE)) == -1 ||
		    (v->ro && mount_setattr(p->volumes[i], "", AT_EMPTY_PATH |
		    AT_RECURSIVE, &(struct mount_attr){ .attr_set =
		    MOUNT_ATTR_RDONLY }, sizeof(struct mount_attr)) == -1)) {
			*cause = errno_cause("volume %s", v->src);
			return -1;
		}
	}
	return 0;
}

int
iso_prep_file(const char *path, int *fd, char **cause)
{
	*fd = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
	    AT_SYMLINK_NOFOLLOW);
	if (*fd == -1 || mount_setattr(*fd, "", AT_EMPTY_PATH,
	    &(struct mount_attr){ .attr_set = MOUNT_ATTR_RDONLY |
	    MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC },
	    sizeof(struct mount_attr)) == -1) {
		*cause = errno_cause("%s", path);
		if (*fd != -1)
			close(*fd);
		*fd = -1;
		return -1;
	}
	return 0;
}

/* network = container:NAME: the namespace of that service's process. */
static int
prep_netns(pid_t pid)
{
	char	path[64];

	if (pid == 0) {
		errno = ESRCH;
		return -1;
	}
	snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
	return open(path, O_RDONLY | O_CLOEXEC);
}

int
iso_prepare(const struct svc_conf *sc, pid_t net_pid, struct iso_prep *p,
    char **cause)
{
	static const struct vol_idmap idmap = { ISO_USERNS_BASE,
	    ISO_USERNS_SIZE };
	bool	*fresh = xcalloc(sc->iso.nvolumes + 1, sizeof *fresh);
	int	*locks = xcalloc(sc->iso.nvolumes + 1, sizeof *locks);
	size_t	 i, nlocks = 0;
	int	 r = -1;

	p->netns = p->hosts = p->resolv = p->copyup = p->upper = p->root = -1;
	p->volumes = NULL;
	p->nvolumes = 0;
	/* An image in a user namespace: supd mounts its overlay, on iso.upper
	 * (isolate-userns.c); any other overlay is the child's. */
	if (sc->iso.image != NULL && (sc->iso.ns & CLONE_NEWUSER)) {
		if (iso_userns_root(&sc->iso, &p->root, cause) == -1)
			goto out;
	} else if (sc->iso.upper != NULL && (p->upper = open_tree(AT_FDCWD,
	    sc->iso.upper, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
	    AT_SYMLINK_NOFOLLOW)) == -1) {
		*cause = errno_cause("overlay %s", sc->iso.upper);
		goto out;
	}
	if (prep_named_volumes(sc, fresh, locks, &nlocks, cause) == -1 ||
	    prep_volumes(sc, p, cause) == -1)
		goto out;
	for (i = 0; i < p->nvolumes && !fresh[i]; i++)
		;
	if (i < p->nvolumes && vol_copyup_start(sc, fresh, sc->iso.rootfs !=
	    NULL && (sc->iso.ns & CLONE_NEWUSER) ? &idmap : NULL, locks,
	    nlocks, &p->copyup, cause) == -1)
		goto out;
	if (sc->iso.net == NET_CONTAINER &&
	    (p->netns = prep_netns(net_pid)) == -1) {
		*cause = errno_cause("network container:%s",
		    sc->iso.net_container);
		goto out;
	}
	/* A bare one: made ahead if one is ready (spawn.c then clones
	 * without CLONE_NEWNET), and not for a user namespace's root. */
	if (sc->iso.net == NET_NONE && !(sc->iso.ns & CLONE_NEWUSER))
		p->netns = netpool_take();
	r = 0;
out:
	/* The copier holds the locks now; without one, they are free. */
	for (i = 0; i < nlocks; i++)
		if (locks[i] != -1)
			close(locks[i]);
	free(locks);
	free(fresh);
	if (r == -1)
		iso_prep_release(p);
	return r;
}

void
iso_prep_release(struct iso_prep *p)
{
	int	saved = errno;
	size_t	i;

	if (p->netns != -1)
		close(p->netns);
	if (p->hosts != -1)
		close(p->hosts);
	if (p->resolv != -1)
		close(p->resolv);
	if (p->copyup != -1)
		close(p->copyup);
	if (p->upper != -1)
		close(p->upper);
	if (p->root != -1)
		close(p->root);
	for (i = 0; i < p->nvolumes; i++)
		if (p->volumes[i] >= 0)
			close(p->volumes[i]);
	free(p->volumes);
	p->netns = p->hosts = p->resolv = p->copyup = p->upper = p->root = -1;
	p->volumes = NULL;
	p->nvolumes = 0;
	errno = saved;
}

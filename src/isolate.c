/* SPDX-License-Identifier: ISC */
/*
 * isolate.c: what a service's process does to itself between clone and
 * exec -- network, hostname, mounts, root, rlimits, identity, capabilities.
 *
 * Mounts follow an order that cannot leak to the host: propagation is made
 * private before anything is mounted; the new root is assembled under its
 * own path (a bind of rootfs, or an overlay with a throwaway tmpfs upper
 * layer) and only then entered with pivot_root (or, from an initramfs,
 * where pivot_root fails with EINVAL, by moving it onto / and chroot, as
 * runc's no-pivot mode does). Every path inside the root is resolved inside
 * it (openat2 RESOLVE_IN_ROOT) and mounted on through the resolved fd, so a
 * symlink in the rootfs -- even one swapped in during start-up -- cannot
 * make a mount land outside it. /proc paths docker masks are masked.
 *
 * Users and groups are looked up after the root is entered: through NSS on
 * the host's tree, but with a rootfs only in its /etc/passwd and
 * /etc/group (userdb.c), so that no library of the rootfs is ever loaded.
 *
 * Every step reports its failure with spawn_fail(step, errno, what).
 */
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isolate.h"
#include "spawn.h"
#include "userdb.h"
#include "util.h"
#include "values.h"

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

/* Where the service finds supd's notify socket (NOTIFY_SOCKET), and the
 * socket itself (O_PATH), to be given to the service's user. */
const char	*iso_notify_path;
static int	 notify_fd = -1;

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
	char	*copy = xstrdup(path), *s;
	int	 fd, parent;

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
	free(copy);
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

static void
mount_dev(int rootfd, bool tty)
{
	char		path[64];
	size_t		i;
	int		fd, dfd;

	fd = mkpoint(rootfd, "/dev", false, STEP_DEV);
	mount_at(fd, "tmpfs", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=755,size=64k",
	    STEP_DEV, "/dev");
	close(fd);
	if ((dfd = open_in_root(rootfd, "/dev", O_PATH | O_DIRECTORY,
	    RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS)) == -1)
		spawn_fail(STEP_DEV, errno, "/dev");
	for (i = 0; i < sizeof devices / sizeof *devices; i++) {
		struct stat st;

		snprintf(path, sizeof path, "/dev/%s", devices[i]);
		/* Only a real device node is bound (runc CVE-2025-31133). */
		if (stat(path, &st) == -1)
			spawn_fail(STEP_DEV, errno, path);
		if (!S_ISCHR(st.st_mode))
			spawn_fail(STEP_DEV, ENODEV, path);
		fd = mkpoint(rootfd, path, true, STEP_DEV);
		mount_at(fd, path, NULL, MS_BIND, NULL, STEP_DEV, path);
		close(fd);
	}
	fd = mkpoint(rootfd, "/dev/pts", false, STEP_DEV);
	mount_at(fd, "devpts", "devpts", MS_NOSUID | MS_NOEXEC,
	    "newinstance,ptmxmode=0666,mode=0620", STEP_DEV, "/dev/pts");
	close(fd);
	fd = mkpoint(rootfd, "/dev/shm", false, STEP_DEV);
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
		fd = mkpoint(rootfd, "/dev/console", true, STEP_DEV);
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
 * in since its last start); in a rootfs it stays inside the root.
 */
static void
mount_volumes(const struct iso_conf *iso, int rootfd, bool host_tree,
    const int *trees)
{
	size_t	i;
	int	fd;

	for (i = 0; i < iso->nvolumes; i++) {
		const struct volume	*v = &iso->volumes[i];
		struct stat		 st;

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

/*
 * The new root's directory: rootfs itself (bound), or an overlay on it
 * whose layers live in a tmpfs of this mount namespace only, attached over
 * the rootfs path (the lower layer is reached through an fd opened before):
 * nothing of it is on the host's disk, and no directory of supd's needs to
 * be reachable by a user namespace's root.
 */
static const char *
prepare_root(const struct iso_conf *iso)
{
	static char	root[64];
	struct stat	st;
	char		opts[256];
	int		lower, layers, at;

	if (stat(iso->rootfs, &st) == -1)
		spawn_fail(STEP_ROOTFS, errno, iso->rootfs);
	if (!S_ISDIR(st.st_mode))
		spawn_fail(STEP_ROOTFS, ENOTDIR, iso->rootfs);
	if (!iso->overlay) {
		if (mount(iso->rootfs, iso->rootfs, NULL, MS_BIND | MS_REC,
		    NULL) == -1)
			spawn_fail(STEP_ROOTFS, errno, iso->rootfs);
		return iso->rootfs;
	}
	if ((lower = open(iso->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC)) ==
	    -1 || (at = open(iso->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		spawn_fail(STEP_OVERLAY, errno, iso->rootfs);
	layers = new_tmpfs("700", STEP_OVERLAY, "layers tmpfs");
	if (move_mount(layers, "", at, "", MOVE_MOUNT_F_EMPTY_PATH |
	    MOVE_MOUNT_T_EMPTY_PATH) == -1)
		spawn_fail(STEP_OVERLAY, errno, "layers tmpfs");
	close(at);
	if (mkdirat(layers, "upper", 0755) == -1 ||
	    mkdirat(layers, "work", 0755) == -1 ||
	    mkdirat(layers, "root", 0755) == -1)
		spawn_fail(STEP_OVERLAY, errno, "layer directories");
	if (fchmodat(layers, "upper", st.st_mode & 07777, 0) == -1)
		spawn_fail(STEP_OVERLAY, errno, "upper layer mode");
	snprintf(opts, sizeof opts, "lowerdir=/proc/self/fd/%d,"
	    "upperdir=/proc/self/fd/%d/upper,workdir=/proc/self/fd/%d/work",
	    lower, layers, layers);
	snprintf(root, sizeof root, "/proc/self/fd/%d/root", layers);
	if (mount("overlay", root, "overlay", 0, opts) == -1)
		spawn_fail(STEP_OVERLAY, errno, iso->rootfs);
	/* layers stays open: root names it until enter_root. */
	return root;
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
	char		*sub;
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
			sub = xstrndup(rel, slash - rel);
			if (mkdirat(mnt, sub, 0755) == -1 || (dir = openat(mnt,
			    sub, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
				spawn_fail(STEP_READY, errno, f->notify);
			bind_notify(dir, slash + 1, notifyfd);
			close(dir);
			free(sub);
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
 * its own path serves.
 */
static void
mount_notify(const struct iso_conf *iso, int rootfd, int srcfd)
{
	const char	*inside;
	char		 src[64];
	int		 fd;

	if (iso->rootfs != NULL)
		inside = "/run/supd/notify";
	else if (iso->private_tmp)
		inside = "/tmp/.supd-notify";
	else
		return;
	fd = mkpoint(rootfd, inside, true, STEP_READY);
	fdpath(src, sizeof src, srcfd);
	mount_at(fd, src, NULL, MS_BIND, NULL, STEP_READY, "notify socket");
	close(fd);
	iso_notify_path = inside;
}

static void
setup_mounts(const struct svc_conf *sc, const struct iso_fds *f)
{
	const struct iso_conf	*iso = &sc->iso;
	const char		*root = "/";
	int			 rootfd, fd, notifyfd = notify_fd;
	bool			 host_tree = iso->rootfs == NULL, placed;

	/* Nothing mounted from now on may propagate back to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		spawn_fail(STEP_MOUNT, errno, "private propagation");
	if (!host_tree)
		root = prepare_root(iso);
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
		mount_dev(rootfd, sc->tty);
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
	mount_volumes(iso, rootfd, host_tree, f->volumes);
	placed = host_tree && hide_supd(f, rootfd, notifyfd);
	if (notifyfd >= 0 && !placed)
		mount_notify(iso, rootfd, notifyfd);
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
	struct ifreq	ifr;
	int		s;

	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		spawn_fail(STEP_NETWORK, errno, "socket");
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == -1)
		spawn_fail(STEP_NETWORK, errno, "lo");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) == -1)
		spawn_fail(STEP_NETWORK, errno, "lo up");
	close(s);
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
iso_setup(const struct svc_conf *sc, const struct iso_fds *f)
{
	const struct iso_conf	*iso = &sc->iso;
	const char		*host;

	if (iso->net == NET_CONTAINER && setns(f->netns, CLONE_NEWNET) == -1)
		spawn_fail(STEP_NETWORK, errno, iso->net_container);
	if (iso->net == NET_NONE)
		loopback_up();
	if (iso->ns & CLONE_NEWUTS) {
		host = iso->hostname != NULL ? iso->hostname : sc->name;
		if (sethostname(host, strlen(host)) == -1)
			spawn_fail(STEP_HOSTNAME, errno, host);
	}
	iso_notify_path = f->notify;
	/* Opened before any mount can hide it; kept for iso_identity. */
	if (f->notify != NULL && (notify_fd = open(f->notify, O_PATH |
	    O_NOFOLLOW | O_CLOEXEC)) == -1)
		spawn_fail(STEP_READY, errno, f->notify);
	if (iso->ns & CLONE_NEWNS)
		setup_mounts(sc, f);
	iso_rlimits(sc);
}

/* ---- identity and capabilities ------------------------------------------ */

static int
is_number(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

/*
 * The accounts of the service's root. On the host's tree, NSS, as any
 * program there. With a rootfs, only its /etc/passwd and /etc/group: NSS
 * would load a module named by nsswitch.conf from the rootfs's library
 * directories into this process, which is still root with every
 * capability (glibc keeps the host's nsswitch.conf once it was read, but
 * finds the module in whatever root it is in).
 */
struct acctdb {
	bool	 files;		/* rootfs: the files below, never NSS */
	char	*pw, *gr;	/* /etc/passwd, /etc/group, read when needed */
	size_t	 pwlen, grlen;
};

/* Read one of the root's account files; a missing one is empty. */
static void
db_load(const char *path, char **buf, size_t *len, enum spawn_step step,
    const char *name)
{
	char	*what;

	if (*buf != NULL)
		return;
	if (userdb_read(AT_FDCWD, path, buf, len) == 0)
		return;
	if (errno == ENOENT) {
		*buf = xstrdup("");
		*len = 0;
		return;
	}
	what = xasprintf("%s (%s)", name, path);
	spawn_fail(step, errno, what);
}

/*
 * The account of the configured user: by name, or for a number the account
 * with that uid, if any. true if found (*out filled); false with errno 0
 * for no such user, else why the lookup failed.
 */
static bool
db_user(struct acctdb *db, const char *user, bool by_uid, uid_t uid,
    struct userdb_pw *out)
{
	struct passwd	*pw;

	if (db->files) {
		db_load("/etc/passwd", &db->pw, &db->pwlen, STEP_USER, user);
		errno = 0;
		return by_uid ? userdb_pw_byuid(db->pw, db->pwlen, uid, out) :
		    userdb_pw_byname(db->pw, db->pwlen, user, out);
	}
	errno = 0;
	if ((pw = by_uid ? getpwuid(uid) : getpwnam(user)) == NULL)
		return false;
	out->name = xstrdup(pw->pw_name);
	out->home = xstrdup(pw->pw_dir);
	out->uid = pw->pw_uid;
	out->gid = pw->pw_gid;
	return true;
}

static gid_t
db_gid(struct acctdb *db, const char *name, enum spawn_step step)
{
	struct userdb_gr gr;
	struct group	*g;
	uint64_t	 n;
	const char	*e;

	if (is_number(name) &&
	    parse_uint(name, 0, UINT32_MAX - 1, &n, &e) == 0)
		return n;
	if (db->files) {
		db_load("/etc/group", &db->gr, &db->grlen, step, name);
		if (userdb_gr_byname(db->gr, db->grlen, name, &gr) != 1)
			spawn_fail(step, 0, name);
		n = gr.gid;
		userdb_gr_free(&gr);
		return n;
	}
	errno = 0;
	if ((g = getgrnam(name)) == NULL)
		spawn_fail(step, errno, name);
	return g->gr_gid;
}

/* The user's own groups, as login(1) gives them: gid and every group
 * whose member list names the user. */
static void
db_initgroups(struct acctdb *db, const char *user, gid_t gid,
    const char *what)
{
	uint32_t	*gids;
	size_t		 n, i;
	gid_t		*list;

	if (!db->files) {
		if (initgroups(user, gid) == -1)
			spawn_fail(STEP_GROUPS, errno, what);
		return;
	}
	db_load("/etc/group", &db->gr, &db->grlen, STEP_GROUPS, what);
	if (userdb_grouplist(db->gr, db->grlen, user, gid, &gids, &n) == -1)
		spawn_fail(STEP_GROUPS, errno, what);
	list = xcalloc(n, sizeof *list);
	for (i = 0; i < n; i++)
		list[i] = gids[i];
	if (setgroups(n, list) == -1)
		spawn_fail(STEP_GROUPS, errno, "setgroups");
	free(list);
	free(gids);
}

static void
db_free(struct acctdb *db)
{
	free(db->pw);
	free(db->gr);
}

/* Drop from the bounding set every capability not kept. */
static void
drop_bounding(uint64_t keep)
{
	cap_value_t	c;

	for (c = 0; c <= CAP_LAST_CAP; c++)
		if (!(keep & (1ULL << c)) && c < cap_max_bits() &&
		    cap_drop_bound(c) == -1)
			spawn_fail(STEP_CAPS, errno, "bounding set");
}

/* Effective, permitted, inheritable = keep; ambient = keep if not root. */
static void
set_caps(uint64_t keep, bool ambient)
{
	cap_t		caps;
	cap_value_t	c;

	if ((caps = cap_init()) == NULL)
		spawn_fail(STEP_CAPS, errno, "cap_init");
	for (c = 0; c <= CAP_LAST_CAP; c++) {
		if (!(keep & (1ULL << c)) || c >= cap_max_bits())
			continue;
		if (cap_set_flag(caps, CAP_EFFECTIVE, 1, &c, CAP_SET) == -1 ||
		    cap_set_flag(caps, CAP_PERMITTED, 1, &c, CAP_SET) == -1 ||
		    cap_set_flag(caps, CAP_INHERITABLE, 1, &c, CAP_SET) == -1)
			spawn_fail(STEP_CAPS, errno, "cap_set_flag");
	}
	if (cap_set_proc(caps) == -1)
		spawn_fail(STEP_CAPS, errno, "cap_set_proc");
	cap_free(caps);
	if (cap_reset_ambient() == -1 && errno != EINVAL)
		spawn_fail(STEP_CAPS, errno, "ambient");
	if (!ambient)
		return;
	for (c = 0; c <= CAP_LAST_CAP; c++)
		if ((keep & (1ULL << c)) && c < cap_max_bits() &&
		    cap_set_ambient(c, CAP_SET) == -1)
			spawn_fail(STEP_CAPS, errno, "ambient");
}

/*
 * uid and gid of `user`, a name or a number; true with *pw filled if it has
 * an account. A uid with no account gets the same number as gid, never
 * supd's own group.
 */
static bool
resolve_user(struct acctdb *db, const char *user, uid_t *uid, gid_t *gid,
    struct userdb_pw *pw)
{
	uint64_t	 n;
	const char	*e;

	if (is_number(user) && parse_uint(user, 0, UINT32_MAX - 1, &n, &e) ==
	    0) {
		*uid = *gid = n;
		if (!db_user(db, user, true, n, pw))
			return false;
	} else if (!db_user(db, user, false, 0, pw))
		spawn_fail(STEP_USER, errno, user);
	else
		*uid = pw->uid;
	*gid = pw->gid;
	return true;
}

void
iso_init_caps(void)
{
	/* CAP_KILL: the command may run as another user, and the init
	 * forwards signals to it. */
	drop_bounding(1ULL << CAP_KILL);
	set_caps(1ULL << CAP_KILL, false);
}

void
iso_identity(const struct svc_conf *sc, struct strv *env,
    const char *own_home, const char *own_user)
{
	const struct iso_conf	*iso = &sc->iso;
	struct acctdb		 db = { .files = iso->rootfs != NULL };
	struct userdb_pw	 pw = { 0 };
	bool			 found = false;
	uid_t			 uid = getuid();
	gid_t			 gid = getgid(), *gids;
	const char		*home = "/", *user = NULL;
	char			*kv;
	size_t			 ngids, i;

	if (sc->user != NULL)
		found = resolve_user(&db, sc->user, &uid, &gid, &pw);
	else {
		/* No lookup: the parent knows its own account (with a rootfs,
		 * the service is still root, under supd's HOME and USER). */
		if (own_home != NULL)
			home = own_home;
		user = own_user;
	}
	if (found) {
		home = pw.home;
		user = pw.name;
	}
	if (sc->group != NULL)
		gid = db_gid(&db, sc->group, STEP_GROUP);

	if (iso->caps_set) {
		drop_bounding(iso->caps);
		/* Keep the permitted set across the change of uid. */
		if (uid != 0 && prctl(PR_SET_KEEPCAPS, 1) == -1)
			spawn_fail(STEP_CAPS, errno, "keepcaps");
	}
	if (sc->groups != NULL) {
		for (ngids = 0; sc->groups[ngids] != NULL; ngids++)
			;
		gids = xcalloc(ngids + 1, sizeof *gids);
		for (i = 0; i < ngids; i++)
			gids[i] = db_gid(&db, sc->groups[i], STEP_GROUPS);
		if (setgroups(ngids, gids) == -1)
			spawn_fail(STEP_GROUPS, errno, "setgroups");
		free(gids);
	} else if (sc->user != NULL) {
		/* The user's own groups, as login(1) would give. */
		if (found)
			db_initgroups(&db, pw.name, gid, sc->user);
		else if (setgroups(0, NULL) == -1)
			spawn_fail(STEP_GROUPS, errno, sc->user);
	}
	db_free(&db);
	/* The notify socket is 0600: the service's user must own it. */
	if (notify_fd >= 0 && fchownat(notify_fd, "", uid, gid,
	    AT_EMPTY_PATH) == -1)
		spawn_fail(STEP_READY, errno, "notify socket owner");
	if ((sc->group != NULL || sc->user != NULL) && setgid(gid) == -1)
		spawn_fail(STEP_SETGID, errno, sc->group != NULL ? sc->group :
		    sc->user);
	if (sc->user != NULL && setuid(uid) == -1)
		spawn_fail(STEP_SETUID, errno, sc->user);
	if (iso->caps_set)
		set_caps(iso->caps, uid != 0);
	if (iso->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		spawn_fail(STEP_NNP, errno, "no_new_privileges");

	kv = xasprintf("HOME=%s", home);
	env_set(env, kv);
	free(kv);
	if (user != NULL) {
		kv = xasprintf("USER=%s", user);
		env_set(env, kv);
		free(kv);
	}
	userdb_pw_free(&pw);
}

/* SPDX-License-Identifier: ISC */
/*
 * volume.c: a new named volume's first contents, as docker gives them
 * (copy-up): the destination directory in the root the volume is mounted
 * into is copied into the volume, its owner and mode included.
 *
 * The copy is made by a process of its own, forked by supd before the
 * service's clone (vol_copyup_start): it is root in the host's namespaces,
 * so it reads what the destination holds whoever owns it and gives each
 * copy its owner -- with a user namespace and a rootfs, shifted into the
 * namespace's range, as the rootfs's ids are seen from inside. supd's loop
 * never waits for it: the service's child reads its verdict on a pipe
 * (vol_copyup_wait) before it mounts the volumes, so a big tree delays only
 * that service's start.
 *
 * Another service starting meanwhile on the same new volume must not see
 * it half filled: supd takes an exclusive flock on each volume it just
 * made (vol_copyup_lock) and the copier inherits it, so it is held exactly
 * while the copy runs and released by the kernel when the copier ends,
 * however it ends. Every service's child takes a shared lock on each named
 * volume before mounting it (vol_copyup_settled): it waits, in its own
 * process and never in supd's loop, until the copy is over.
 *
 * The destination belongs to the service, which may be hostile: every step
 * is relative to a directory fd. The destination itself is resolved inside
 * the root (RESOLVE_IN_ROOT, or with no symlink at all on the host's tree);
 * below it nothing is followed (O_NOFOLLOW, fstatat AT_SYMLINK_NOFOLLOW),
 * each file opened is checked to be the one stat'ed (a rename race gives an
 * error, never another file), a symlink is copied as a symlink, a hard link
 * (a name for a file that may live outside the destination) is refused,
 * FIFOs, sockets and device nodes are skipped, no other mount is entered,
 * and the depth is bounded. Nothing is written but below the volume's own
 * directory, created there with O_EXCL.
 *
 * A volume removed (supctl volume rm, prune: vol_remove) is renamed at
 * once to a hidden name and its tree removed by a child process, again
 * fd-relative and following nothing, so a huge one never stalls supd.
 */
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spawn-report.h"
#include "util.h"
#include "volume.h"

#define COPY_MAX_DEPTH	64	/* directories below the destination */

/* One verdict per volume, in the order of the service's volumes. */
struct verdict {
	int32_t	err;		/* errno of the failure, 0 if none */
	int32_t	empty;		/* 1: the service's user must own it */
	char	what[240];	/* the path that failed, inside the root */
};

struct copy {
	dev_t	dev;		/* the destination's file system */
	const struct vol_idmap *map; /* rootfs + user namespace, else NULL */
	char	path[PATH_MAX];	/* where we are, for the error */
	struct verdict *vd;
};

/* An id of the rootfs as the user namespace's processes see it. */
static uint32_t
shift_id(const struct copy *c, uint32_t id)
{
	const struct vol_idmap	*m = c->map;

	if (m == NULL)
		return id;
	if (id >= m->base && id - m->base < m->size)
		return id;		/* made from inside: already its own */
	if (id < m->size)
		return m->base + id;
	return m->base + 65534;		/* nobody */
}

static int
fail(struct copy *c, int err, const char *name)
{
	char	full[PATH_MAX + NAME_MAX + 2];
	size_t	len;

	if (c->vd->err == 0) {
		c->vd->err = err;
		snprintf(full, sizeof full, "%s%s%s", c->path,
		    name != NULL ? "/" : "", name != NULL ? name : "");
		/* A long path is cut, the verdict is one pipe write. */
		len = strnlen(full, sizeof c->vd->what - 1);
		memcpy(c->vd->what, full, len);
		c->vd->what[len] = '\0';
	}
	return -1;
}

/* Owner, mode and times of st onto fd (the owner first: chown clears the
 * set-id bits). */
static int
copy_attrs(struct copy *c, int fd, const struct stat *st, const char *name)
{
	struct timespec	ts[2] = { st->st_atim, st->st_mtim };

	if (fchown(fd, shift_id(c, st->st_uid), shift_id(c, st->st_gid)) == -1
	    || fchmod(fd, st->st_mode & 07777) == -1 || futimens(fd, ts) == -1)
		return fail(c, errno, name);
	return 0;
}

static int
copy_data(int in, int out)
{
	char	buf[65536];
	ssize_t	n, w, off;

	for (;;) {
		n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
		if (n == 0)
			return 0;
		if (n > 0)
			continue;
		if (errno != EXDEV && errno != EINVAL && errno != ENOSYS &&
		    errno != EOPNOTSUPP)
			return -1;
		break;
	}
	while ((n = read(in, buf, sizeof buf)) != 0) {
		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (off = 0; off < n; off += w)
			if ((w = write(out, buf + off, n - off)) == -1)
				return -1;
	}
	return 0;
}

/* Open name below sfd, checked to be the file fstatat saw (no symlink, no
 * swapped-in file, no FIFO to block on). */
static int
open_same(struct copy *c, int sfd, const char *name, int flags,
    const struct stat *st)
{
	struct stat	now;
	int		fd;

	fd = openat(sfd, name, flags | O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_NOCTTY | O_CLOEXEC);
	if (fd == -1)
		return fail(c, errno, name);
	if (fstat(fd, &now) == -1 || now.st_dev != st->st_dev ||
	    now.st_ino != st->st_ino || (now.st_mode & S_IFMT) !=
	    (st->st_mode & S_IFMT) || (S_ISREG(now.st_mode) &&
	    now.st_nlink != 1)) {
		close(fd);
		return fail(c, EAGAIN, name);	/* changed under us */
	}
	return fd;
}

/* A stream over directory fd, which stays open (its own dup: a dup shares
 * the offset, so it starts over). */
static DIR *
dir_read(int fd)
{
	DIR	*d;
	int	 nfd, saved;

	if ((nfd = dup(fd)) == -1)
		return NULL;
	if ((d = fdopendir(nfd)) == NULL) {
		saved = errno;
		close(nfd);
		errno = saved;
		return NULL;
	}
	rewinddir(d);
	return d;
}

static int copy_dir(struct copy *, int sfd, int dfd, int depth);

static int
copy_file(struct copy *c, int sfd, int dfd, const char *name,
    const struct stat *st)
{
	int	in, out, r = -1;

	if (st->st_nlink != 1)
		return fail(c, EMLINK, name);	/* a hard link: refused */
	if ((in = open_same(c, sfd, name, 0, st)) == -1)
		return -1;
	out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600);
	if (out == -1)
		fail(c, errno, name);
	else if (copy_data(in, out) == -1)
		fail(c, errno, name);
	else
		r = copy_attrs(c, out, st, name);
	if (out != -1)
		close(out);
	close(in);
	return r;
}

static int
copy_subdir(struct copy *c, int sfd, int dfd, const char *name,
    const struct stat *st, int depth)
{
	size_t	len = strlen(c->path);
	int	in, out = -1, r = -1;

	if (depth >= COPY_MAX_DEPTH)
		return fail(c, ELOOP, name);
	if ((in = open_same(c, sfd, name, O_DIRECTORY, st)) == -1)
		return -1;
	if (mkdirat(dfd, name, 0700) == -1 || (out = openat(dfd, name,
	    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		fail(c, errno, name);
	else if (len + strlen(name) + 2 > sizeof c->path)
		fail(c, ENAMETOOLONG, name);
	else {
		snprintf(c->path + len, sizeof c->path - len, "/%s", name);
		r = copy_dir(c, in, out, depth + 1);
		c->path[len] = '\0';
		if (r == 0)
			r = copy_attrs(c, out, st, name);
	}
	if (out != -1)
		close(out);
	close(in);
	return r;
}

static int
copy_link(struct copy *c, int sfd, int dfd, const char *name,
    const struct stat *st)
{
	char	target[PATH_MAX];
	ssize_t	n;

	if ((n = readlinkat(sfd, name, target, sizeof target - 1)) == -1)
		return fail(c, errno, name);
	target[n] = '\0';
	if (symlinkat(target, dfd, name) == -1 ||
	    fchownat(dfd, name, shift_id(c, st->st_uid), shift_id(c,
	    st->st_gid), AT_SYMLINK_NOFOLLOW) == -1)
		return fail(c, errno, name);
	return 0;
}

/* Every entry of sfd into dfd; -1 at the first failure (c->vd says). */
static int
copy_dir(struct copy *c, int sfd, int dfd, int depth)
{
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	int		 r = 0;

	if ((d = dir_read(sfd)) == NULL)
		return fail(c, errno, NULL);
	while (r == 0 && (errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(sfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == -1)
			r = fail(c, errno, de->d_name);
		else if (st.st_dev != c->dev)
			continue;	/* another mount: not ours to copy */
		else if (S_ISDIR(st.st_mode))
			r = copy_subdir(c, sfd, dfd, de->d_name, &st, depth);
		else if (S_ISREG(st.st_mode))
			r = copy_file(c, sfd, dfd, de->d_name, &st);
		else if (S_ISLNK(st.st_mode))
			r = copy_link(c, sfd, dfd, de->d_name, &st);
		/* FIFOs, sockets, device nodes: never copied. */
	}
	if (r == 0 && errno != 0)
		r = fail(c, errno, NULL);
	closedir(d);
	return r;
}

static bool
dir_empty(int fd)
{
	struct dirent	*de;
	DIR		*d;
	bool		 empty = true;

	if ((d = dir_read(fd)) == NULL)
		return false;
	while (empty && (de = readdir(d)) != NULL)
		empty = strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0;
	closedir(d);
	return empty;
}

/* The destination dst of one new volume (src) in the root rootfd. */
static void
copyup_one(const struct iso_conf *iso, const struct vol_idmap *map,
    int rootfd, const struct volume *v, struct verdict *vd)
{
	struct copy	c = { .map = map, .vd = vd };
	struct open_how	how = { .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
			    .resolve = RESOLVE_NO_MAGICLINKS |
			    (iso->rootfs != NULL ? RESOLVE_IN_ROOT :
			    RESOLVE_NO_SYMLINKS) };
	const char	*rel = v->dst;
	struct stat	 st;
	int		 sfd, dfd;

	snprintf(c.path, sizeof c.path, "%s", v->dst);
	while (*rel == '/')
		rel++;
	sfd = syscall(SYS_openat2, rootfd, rel, &how, sizeof how);
	if (sfd == -1 && (errno == ENOENT || errno == ENOTDIR)) {
		vd->empty = 1;		/* nothing to copy: made for the user */
		return;
	}
	if (sfd == -1 || fstat(sfd, &st) == -1) {
		fail(&c, errno, NULL);
		return;
	}
	c.dev = st.st_dev;
	if ((dfd = open(v->src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		fail(&c, errno, NULL);
		close(sfd);
		return;
	}
	if (dir_empty(sfd)) {
		vd->empty = 1;		/* its mode; the user, its owner */
		if (fchmod(dfd, st.st_mode & 07777) == -1)
			fail(&c, errno, NULL);
	} else if (copy_dir(&c, sfd, dfd, 0) == 0)
		copy_attrs(&c, dfd, &st, NULL);
	close(dfd);
	close(sfd);
}

/*
 * The copier's fds: the verdict pipe on 3, the locks of the new volumes on
 * 4, 5 ... (held until it exits: vol_copyup_settled), nothing else. Each
 * lock goes above them all first, so no dup2 overwrites another.
 */
static void
copier_fds(int wfd, const int *locks, size_t n)
{
	int	hi[n + 1];
	size_t	i;

	for (i = 0; i < n; i++)
		if ((hi[i] = fcntl(locks[i], F_DUPFD, (int)(4 + n))) == -1)
			_exit(1);
	if (dup2(wfd, 3) == -1)
		_exit(1);
	for (i = 0; i < n; i++)
		if (dup2(hi[i], (int)(4 + i)) == -1)
			_exit(1);
	syscall(SYS_close_range, 4 + n, ~0U, 0);
}

/*
 * The root the destinations are read in: the host's, the rootfs, or an
 * image's layers as the service sees them -- merged by a read-only
 * overlay, detached and this process's only (gone with it), so that a
 * destination a lower layer holds is copied too, whiteouts applied.
 */
static int
copy_root(const struct iso_conf *iso)
{
	char	opts[4096];
	size_t	n, i, len = 0;
	int	fs, mnt, fd;

	for (n = 0; iso->layers != NULL && iso->layers[n] != NULL; n++)
		;
	if (n < 2)
		return open(n == 1 ? iso->layers[0] : iso->rootfs != NULL ?
		    iso->rootfs : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (i = 0; i < n; i++) {
		if ((fd = open(iso->layers[i], O_PATH | O_DIRECTORY |
		    O_CLOEXEC)) == -1)
			return -1;
		len += snprintf(opts + len, sizeof opts - len,
		    "%s/proc/self/fd/%d", i > 0 ? ":" : "", fd);
		if (len >= sizeof opts) {
			errno = E2BIG;
			return -1;
		}
	}
	if ((fs = fsopen("overlay", FSOPEN_CLOEXEC)) == -1 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "lowerdir", opts, 0) == -1 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == -1 ||
	    (mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY)) == -1)
		return -1;
	close(fs);
	return mnt;
}

static void __attribute__((noreturn))
copier_main(const struct svc_conf *sc, const bool *fresh,
    const struct vol_idmap *map, int wfd, const int *locks, size_t nlocks)
{
	const struct iso_conf	*iso = &sc->iso;
	struct verdict		 vd;
	size_t			 i;
	int			 rootfd;

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	copier_fds(wfd, locks, nlocks);
	umask(0);
	rootfd = copy_root(iso);
	for (i = 0; i < iso->nvolumes; i++) {
		memset(&vd, 0, sizeof vd);
		if (fresh[i] && rootfd == -1) {
			vd.err = errno;
			snprintf(vd.what, sizeof vd.what, "%s", iso->rootfs);
		} else if (fresh[i])
			copyup_one(iso, map, rootfd, &iso->volumes[i], &vd);
		if (write(3, &vd, sizeof vd) != sizeof vd)
			_exit(1);
	}
	_exit(0);
}

int
vol_copyup_lock(const char *src, int *lock)
{
	*lock = open(src, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*lock == -1)
		return -1;
	/* Just made by us, on supd's one thread: nobody else holds it. */
	if (flock(*lock, LOCK_EX | LOCK_NB) == -1) {
		close(*lock);
		*lock = -1;
		return -1;
	}
	return 0;
}

void
vol_copyup_settled(int tree, const char *what)
{
	int	fd;

	/* The detached mount is the volume's directory: the same inode,
	 * so the same lock. */
	if ((fd = openat(tree, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		spawn_fail(STEP_VOLUME, errno, what);
	while (flock(fd, LOCK_SH) == -1)
		if (errno != EINTR)
			spawn_fail(STEP_VOLUME, errno, what);
	close(fd);
}

int
vol_copyup_start(const struct svc_conf *sc, const bool *fresh,
    const struct vol_idmap *map, const int *locks, size_t nlocks, int *rfd,
    char **cause)
{
	int	p[2];
	pid_t	pid;

	if (pipe2(p, O_CLOEXEC) == -1) {
		*cause = errno_cause("volume copy-up: pipe");
		return -1;
	}
	if ((pid = fork()) == -1) {
		*cause = errno_cause("volume copy-up: fork");
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		copier_main(sc, fresh, map, p[1], locks, nlocks);
	}
	/* Reaped by supd's SIGCHLD watcher, as any child it does not know. */
	close(p[1]);
	*rfd = p[0];
	return 0;
}

void
vol_copyup_wait(const struct iso_conf *iso, int rfd, bool *empty)
{
	struct verdict	vd;
	size_t		i;
	ssize_t		n;

	for (i = 0; i < iso->nvolumes; i++) {
		while ((n = read(rfd, &vd, sizeof vd)) == -1 && errno == EINTR)
			;
		if (n != sizeof vd)
			spawn_fail(STEP_VOLUME, n == -1 ? errno : EPIPE,
			    "copy-up ended early");
		if (vd.err != 0) {
			vd.what[sizeof vd.what - 1] = '\0';
			spawn_fail(STEP_VOLUME, vd.err, vd.what);
		}
		empty[i] = vd.empty != 0;
	}
	close(rfd);
}

/* ---- removal (supctl volume rm, prune) ----------------------------------- */

void
vol_remove_at(int dfd, const char *name, dev_t dev)
{
	struct stat	 st;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1 ||
	    st.st_dev != dev)
		return;
	if (!S_ISDIR(st.st_mode)) {
		(void)unlinkat(dfd, name, 0);
		return;
	}
	vol_empty_at(dfd, name, dev);
	(void)unlinkat(dfd, name, AT_REMOVEDIR);
}

void
vol_empty_at(int dfd, const char *name, dev_t dev)
{
	struct dirent	*de;
	DIR		*d;
	int		 fd;

	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			vol_remove_at(fd, de->d_name, dev);
	closedir(d);
}

int
vol_remove(const char *dir, const char *name, char **cause)
{
	static unsigned	 seq;
	struct stat	 st;
	char		 gone[NAME_MAX + 1];
	int		 dfd;

	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		*cause = errno_cause("%s", dir);
		return -1;
	}
	/* Gone at once under its name; its tree goes off supd's loop. */
	snprintf(gone, sizeof gone, ".rm.%d.%u", (int)getpid(), seq++);
	if (fstat(dfd, &st) == -1 || renameat(dfd, name, dfd, gone) == -1) {
		*cause = errno_cause("volume %s", name);
		close(dfd);
		return -1;
	}
	if (fork() == 0) {
		if (dup2(dfd, 3) == -1)
			_exit(1);
		syscall(SYS_close_range, 4, ~0U, 0);
		vol_remove_at(3, gone, st.st_dev);
		_exit(0);
	}
	/* No fork: the name is gone all the same, the tree stays hidden
	 * (names starting with '.' are never volumes). */
	close(dfd);
	return 0;
}

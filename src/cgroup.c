/* SPDX-License-Identifier: ISC */
/*
 * cgroup.c: supd's cgroup v2 tree and the group of each service.
 *
 * Owns where the tree is (`[supd] cgroup`: auto, no, or a path), supd's
 * move into TREE/supd.self (services are its siblings: the
 * no-internal-processes rule), the controllers enabled in the tree's
 * cgroup.subtree_control, the groups of a previous supd (ended and removed
 * before any service starts), each service's group TREE/NAME.service (made
 * before its first start, reused across restarts, removed with the
 * service), killing a group (by cgroup-kill.c), freezing it, and the one
 * inotify fd that watches every group's cgroup.events and memory.events.
 * Those two files of each group are kept open and re-read with pread at
 * offset 0 (kernfs makes the text anew), at every restart's reap and every
 * inotify event: under qemu TCG an open + read + close of one cost ten
 * times a pread.
 *
 * kernfs makes poll(2) on those files always readable, so an ev_io on the
 * file itself would spin; inotify's IN_MODIFY is what kernfs_notify raises
 * on each change. One ev_io on the inotify fd, no polling, no timer.
 *
 * Where the tree lives with `auto` (only where cgroup2 is mounted at
 * /sys/fs/cgroup, the system's own hierarchy): PID 1 of a container with a
 * cgroup namespace of its own -> /sys/fs/cgroup, the root of that
 * namespace; any other supd in the
 * root cgroup ("0::/": PID 1 of a machine, or by hand on a pure v2 host) ->
 * /sys/fs/cgroup/supd; under systemd (Delegate=yes) -> its own cgroup.
 */
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-kill.h"
#include "cgroup.h"
#include "log.h"
#include "pid1.h"
#include "util.h"

#define CG_MOUNT	"/sys/fs/cgroup"
/* How long a start waits for a previous supd's groups to empty. */
#define LEFTOVER_WAIT_MS	5000

/* The controllers supd enables for its groups (cg_has_controller). */
static const char *const wanted[] = { "cpu", "memory", "pids", "io" };
#define NWANTED	(sizeof wanted / sizeof *wanted)

struct cgroup {
	char		*path;		/* TREE/NAME.service */
	int		 dirfd;		/* the group's directory */
	int		 wd_events;	/* inotify watch of cgroup.events */
	int		 wd_memory;	/* of memory.events, or -1 */
	int		 events_fd;	/* cgroup.events, kept open, or -1 */
	int		 memory_fd;	/* memory.events, kept open, or -1 */
	bool		 populated;	/* last read of cgroup.events */
	bool		 frozen;
	uint64_t	 ooms;		/* oom_kill of memory.events */
	uint64_t	 new_ooms;	/* grown by this much at the last read */
	cg_event_fn	*fn;
	void		*arg;
};

/* A watch descriptor and its group, sorted by wd. */
struct wdent {
	int		 wd;
	struct cgroup	*g;
};

static char		*tree;		/* the tree's path, NULL: none */
static int		 tree_fd = -1;
static char		*why;		/* why there is none */
static size_t		 made_len;	/* supd made the tree's directory and
					   its parents down from this length
					   of the path, 0: none */
static int		 orig_fd = -1;	/* where supd started (a directory) */
static unsigned		 enabled;	/* bits of wanted[] */
static bool		 probed;	/* cg_probe found a usable tree */
static int		 ifd = -1;	/* the inotify fd */
static ev_io		 iw;
static struct wdent	*wds;
static size_t		 nwds, capwds;

/* ---- files ---------------------------------------------------------------- */


static bool
on_cgroup2(const char *path)
{
	struct statfs	sf;

	return statfs(path, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

const char *
cg_setting_check(const char *v)
{
	char	*p, *slash;
	bool	 ok;

	if (strcmp(v, "auto") == 0 || strcmp(v, "no") == 0)
		return NULL;
	if (v[0] != '/')
		return "expected auto, no or an absolute path";
	/* The directory may be made at start: its nearest existing
	 * ancestor must be on cgroup2. */
	p = xstrdup(v);
	while (access(p, F_OK) == -1 && (slash = strrchr(p, '/')) != NULL &&
	    slash != p)
		*slash = '\0';
	ok = on_cgroup2(p);
	free(p);
	return ok ? NULL : "not on a cgroup2 file system";
}

/* ---- a previous supd's groups ------------------------------------------ */

/* End and remove the groups of a previous supd: "*.service" only, never
 * anything else of the host's. */
static void
leftovers_end_groups(void)
{
	uint64_t	 deadline = now_ms() + LEFTOVER_WAIT_MS;
	struct dirent	*e;
	DIR		*d;
	size_t		 len;
	char		*path;
	int		 fd, n = 0;

	if ((fd = dup(tree_fd)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return;
	}
	while ((e = readdir(d)) != NULL) {
		len = strlen(e->d_name);
		if (e->d_type != DT_DIR || len <= strlen(CG_SUFFIX) ||
		    strcmp(e->d_name + len - strlen(CG_SUFFIX), CG_SUFFIX) != 0)
			continue;
		path = xasprintf("%s/%s", tree, e->d_name);
		if ((fd = openat(tree_fd, e->d_name, O_DIRECTORY |
		    O_CLOEXEC)) >= 0) {
			if (cgk_populated(fd) && cgk_kill(fd) == -1)
				log_warn("cgroup %s: kill", path);
			if (!cgk_wait_empty(fd, path, deadline))
				log_warnx("cgroup %s: still has processes "
				    "after %d ms", path, LEFTOVER_WAIT_MS);
			close(fd);
		}
		if (cgk_remove(tree_fd, e->d_name) == -1)
			log_warn("cgroup %s: left by a previous supd, not "
			    "removed", path);
		else
			n++;
		free(path);
	}
	closedir(d);
	if (n > 0)
		log_info("cgroup: removed %d group%s left by a previous supd",
		    n, n == 1 ? "" : "s");
}

/* ---- the tree ------------------------------------------------------------ */

/* Why there is no tree (taken). */
static void
set_why(char *reason)
{
	free(why);
	why = reason;
}

/* supd's cgroup as /proc/self/cgroup's "0::" line says: "/" or "/X". */
static char *
own_cgroup(void)
{
	char	line[PATH_MAX + 8], *r = NULL;
	FILE	*f;

	if ((f = fopen("/proc/self/cgroup", "re")) == NULL)
		return NULL;
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			r = xstrdup(line + 3);
			break;
		}
	fclose(f);
	return r;
}

/* The top of the cgroup2 mount that holds path (or its ancestors). */
static char *
mount_top(const char *path)
{
	char	*p = xstrdup(path), *slash;

	while ((slash = strrchr(p, '/')) != NULL && slash != p) {
		*slash = '\0';
		/* A directory still to be made is on no file system yet. */
		if (access(p, F_OK) == 0 && !on_cgroup2(p)) {
			*slash = '/';
			return p;
		}
	}
	free(p);
	return NULL;
}

/*
 * supd is in a cgroup namespace of its own: the root of its cgroup2 mount
 * is its own, not the host's (the initial namespace has a fixed inode,
 * PROC_CGROUP_INIT_INO).
 */
static bool
own_cgroupns(void)
{
	struct stat	st;

	return stat("/proc/self/ns/cgroup", &st) == 0 &&
	    st.st_ino != 0xEFFFFFFBu;
}

/* Where the tree is for `setting`; NULL with why set. */
static char *
tree_path(const char *setting, const char *self)
{
	if (strcmp(setting, "no") == 0) {
		set_why(xstrdup("cgroup = no in supd.conf"));
		return NULL;
	}
	if (strcmp(setting, "auto") != 0)
		return xstrdup(setting);
	if (!on_cgroup2(CG_MOUNT)) {
		set_why(xstrdup("cgroup v2 is not this system's hierarchy ("
		    CG_MOUNT " is not a cgroup2 mount)"));
		return NULL;
	}
	/* A container's root, never the host's: a container without a
	 * cgroup namespace sees the host's hierarchy there. */
	if (getpid() == 1 && !pid1_machine() && strcmp(self, "/") == 0 &&
	    own_cgroupns())
		return xstrdup(CG_MOUNT);
	if (strcmp(self, "/") == 0)
		return xstrdup(CG_MOUNT "/supd");
	return xasprintf("%s%s", CG_MOUNT, self);
}

/* word is one of the space-separated words of list. */
static bool
has_word(const char *list, const char *word)
{
	size_t		 len = strlen(word);
	const char	*p = list;

	while ((p = strstr(p, word)) != NULL) {
		if ((p == list || p[-1] == ' ') && (p[len] == ' ' ||
		    p[len] == '\n' || p[len] == '\0'))
			return true;
		p += len;
	}
	return false;
}

/* Enable what the tree's parent offers, then what the tree has. */
static void
controllers_enable(void)
{
	char		 buf[512], plus[16], *parent, *slash;
	struct buf	 got = { 0 }, miss = { 0 };
	size_t		 i;
	int		 pfd = -1;

	if (made_len > 0 || strcmp(tree, CG_MOUNT "/supd") == 0) {
		parent = xstrdup(tree);
		if ((slash = strrchr(parent, '/')) != NULL && slash != parent)
			*slash = '\0';
		pfd = open(parent, O_DIRECTORY | O_CLOEXEC);
		free(parent);
	}
	if (cgk_read_at(tree_fd, "cgroup.controllers", buf, sizeof buf) == -1)
		buf[0] = '\0';
	for (i = 0; i < NWANTED; i++) {
		snprintf(plus, sizeof plus, "+%s", wanted[i]);
		/* A word of the list, not a prefix ("io" of "iox"). */
		if (pfd >= 0 && !has_word(buf, wanted[i]))
			(void)cgk_write_at(pfd, "cgroup.subtree_control", plus);
		if (cgk_write_at(tree_fd, "cgroup.subtree_control", plus) == 0) {
			enabled |= 1u << i;
			buf_printf(&got, " %s", wanted[i]);
		} else
			buf_printf(&miss, " %s", wanted[i]);
	}
	if (pfd >= 0)
		close(pfd);
	log_info("cgroup: tree %s, controllers:%s%s%s%s", tree,
	    got.len ? got.p : " none", miss.len ? " (not available:" : "",
	    miss.len ? miss.p : "", miss.len ? ")" : "");
	buf_free(&got);
	buf_free(&miss);
}

/* Into TREE/supd.self; -1 with why set. */
static int
move_self(void)
{
	if (mkdirat(tree_fd, CG_SELF, 0755) == -1 && errno != EEXIST) {
		set_why(errno_cause("%s/%s", tree, CG_SELF));
		return -1;
	}
	if (cgk_write_at(tree_fd, CG_SELF "/cgroup.procs", "0") == -1) {
		set_why(errno_cause("%s/%s/cgroup.procs", tree, CG_SELF));
		return -1;
	}
	return 0;
}

static void	watch_cb(EV_P_ ev_io *, int);

/* The length of path's first missing ancestor (or of path), 0 if it
 * exists. */
static size_t
missing_from(const char *path)
{
	char	*p = xstrdup(path), *slash;
	size_t	 len = 0;

	while (access(p, F_OK) == -1) {
		len = strlen(p);
		if ((slash = strrchr(p, '/')) == NULL || slash == p)
			break;
		*slash = '\0';
	}
	free(p);
	return len;
}

/* rmdir what supd made: the tree, then its parents it made. */
static void
unmake_tree(void)
{
	char	*p = xstrdup(tree), *slash;

	while (strlen(p) >= made_len && rmdir(p) == 0 &&
	    (slash = strrchr(p, '/')) != NULL && slash != p)
		*slash = '\0';
	if (strlen(p) >= made_len && access(p, F_OK) == 0)
		log_warn("cgroup %s", p);
	free(p);
}

/* The tree at `tree`: made, cleaned, supd in it, controllers on. */
static int
tree_setup(void)
{
	made_len = missing_from(tree);
	if (mkdir_p(tree, 0755) == -1) {
		set_why(errno_cause("%s", tree));
		return -1;
	}
	if ((tree_fd = open(tree, O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    !on_cgroup2(tree)) {
		set_why(tree_fd == -1 ? errno_cause("%s", tree) :
		    xasprintf("%s: not on a cgroup2 file system", tree));
		return -1;
	}
	leftovers_end_groups();
	if (move_self() == -1)
		return -1;
	if ((ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		set_why(errno_cause("inotify"));
		return -1;
	}
	controllers_enable();
	ev_io_init(&iw, watch_cb, ifd, EV_READ);
	ev_io_start(EV_DEFAULT_UC_ &iw);
	return 0;
}

void
cg_init(const char *setting)
{
	char	*self = own_cgroup(), *top;

	if (self == NULL && strcmp(setting, "no") != 0) {
		set_why(xstrdup("no cgroup v2 line in /proc/self/cgroup"));
		log_info("cgroup: none: %s", why);
		return;
	}
	if ((tree = tree_path(setting, self)) != NULL) {
		top = strcmp(setting, "auto") == 0 ? xstrdup(CG_MOUNT) :
		    mount_top(tree);
		if (top != NULL) {
			char *o = xasprintf("%s%s", top, self);

			orig_fd = open(o, O_DIRECTORY | O_CLOEXEC);
			free(o);
			free(top);
		}
		if (tree_setup() == -1) {
			log_warnx("cgroup: none: %s", why);
			if (tree_fd != -1)
				close(tree_fd);
			tree_fd = -1;
			if (made_len > 0)
				unmake_tree();
			free(tree);
			tree = NULL;
		}
	} else
		log_info("cgroup: none: %s", why);
	free(self);
}

void
cg_end(void)
{
	if (tree == NULL)
		return;
	ev_io_stop(EV_DEFAULT_UC_ &iw);
	close(ifd);
	ifd = -1;
	/* Back where supd was started, when that is outside its leaf: then
	 * supd.self (and a tree of its own making) can go. */
	if (orig_fd >= 0 && cgk_write_at(orig_fd, "cgroup.procs", "0") == 0 &&
	    unlinkat(tree_fd, CG_SELF, AT_REMOVEDIR) == 0 && made_len > 0)
		unmake_tree();
	if (orig_fd >= 0)
		close(orig_fd);
	orig_fd = -1;
	close(tree_fd);
	tree_fd = -1;
	free(tree);
	tree = NULL;
	free(wds);
	wds = NULL;
	nwds = capwds = 0;
}

/*
 * supd --check: what cg_init would find, read only. The tree's directory,
 * or its nearest existing ancestor, must be on cgroup2; the controllers
 * its cgroup.controllers offers are those cg_has_controller reports (the
 * parent's, for a tree still to be made).
 */
void
cg_probe(const char *setting)
{
	char	*self = own_cgroup(), *p, *slash, buf[512];
	size_t	 i;
	int	 fd;

	if (self == NULL && strcmp(setting, "no") != 0)
		set_why(xstrdup("no cgroup v2 line in /proc/self/cgroup"));
	else if ((p = tree_path(setting, self)) != NULL) {
		while (access(p, F_OK) == -1 && (slash = strrchr(p, '/')) !=
		    NULL && slash != p)
			*slash = '\0';
		if (!on_cgroup2(p))
			set_why(xasprintf("%s: not on a cgroup2 file system",
			    p));
		else if ((fd = open(p, O_DIRECTORY | O_CLOEXEC)) == -1)
			set_why(errno_cause("%s", p));
		else {
			probed = true;
			if (cgk_read_at(fd, "cgroup.controllers", buf,
			    sizeof buf) == -1)
				buf[0] = '\0';
			for (i = 0; i < NWANTED; i++)
				if (has_word(buf, wanted[i]))
					enabled |= 1u << i;
			close(fd);
		}
		free(p);
	}
	free(self);
}

bool
cg_enabled(void)
{
	return tree != NULL || probed;
}

const char *
cg_unavailable(void)
{
	return cg_enabled() ? NULL : why != NULL ? why :
	    "cgroups not set up";
}

bool
cg_has_controller(const char *name)
{
	size_t	i;

	for (i = 0; i < NWANTED; i++)
		if (strcmp(wanted[i], name) == 0)
			return cg_enabled() && (enabled & (1u << i));
	return false;
}

/* ---- the watcher ---------------------------------------------------------- */

static void
wd_add(int wd, struct cgroup *g)
{
	size_t	i;

	if (nwds == capwds) {
		capwds = capwds ? capwds * 2 : 64;
		wds = xreallocarray(wds, capwds, sizeof *wds);
	}
	/* wds grow, so this is an append but after the counter wraps. */
	for (i = nwds; i > 0 && wds[i - 1].wd > wd; i--)
		wds[i] = wds[i - 1];
	wds[i] = (struct wdent){ wd, g };
	nwds++;
}

static ssize_t
wd_index(int wd)
{
	size_t	lo = 0, hi = nwds, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (wds[mid].wd == wd)
			return (ssize_t)mid;
		if (wds[mid].wd < wd)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static void
wd_del(int wd)
{
	ssize_t	i;

	if (wd < 0 || (i = wd_index(wd)) < 0)
		return;
	(void)inotify_rm_watch(ifd, wd);
	memmove(wds + i, wds + i + 1, (nwds - (size_t)i - 1) * sizeof *wds);
	nwds--;
}

/* A kept file read again from its start (NUL-ended), or, without one,
 * opened, read and closed; its length, or -1. */
static ssize_t
reread(int fd, int dirfd, const char *file, char *buf, size_t len)
{
	ssize_t	n;

	if (fd == -1)
		return cgk_read_at(dirfd, file, buf, len);
	if ((n = pread(fd, buf, len - 1, 0)) >= 0)
		buf[n] = '\0';
	return n;
}

/* cgroup.events read again: CG_EMPTY, CG_FROZEN as they changed. */
static unsigned
refresh_events(struct cgroup *g)
{
	char		buf[512];
	unsigned	what = 0;
	bool		was = g->populated, froze = g->frozen;

	if (reread(g->events_fd, g->dirfd, "cgroup.events", buf,
	    sizeof buf) > 0) {
		g->populated = cgk_events_value(buf, "populated") == 1;
		g->frozen = cgk_events_value(buf, "frozen") == 1;
	}
	if (was && !g->populated)
		what |= CG_EMPTY;
	if (froze != g->frozen)
		what |= CG_FROZEN;
	return what;
}

/* memory.events read again: CG_OOM with g->new_ooms if it grew. */
static unsigned
refresh_memory(struct cgroup *g)
{
	char		buf[512];
	long long	v;

	g->new_ooms = 0;
	if (g->wd_memory >= 0 &&
	    reread(g->memory_fd, g->dirfd, "memory.events", buf,
	    sizeof buf) > 0 &&
	    (v = cgk_events_value(buf, "oom_kill")) > (long long)g->ooms) {
		g->new_ooms = (uint64_t)v - g->ooms;
		g->ooms = (uint64_t)v;
		return CG_OOM;
	}
	return 0;
}

unsigned
cg_refresh(struct cgroup *g)
{
	unsigned	what = refresh_events(g);

	return what | refresh_memory(g);
}

/* The news of the group watched by wd, if it is still watched: looked up
 * anew every time, as a callback may close a group (a service freed once
 * stopped). */
static void
tell(int wd)
{
	struct cgroup	*g;
	ssize_t		 i;
	unsigned	 what;

	if ((i = wd_index(wd)) < 0)
		return;
	g = wds[i].g;
	/* Only the file that changed: a restart changes cgroup.events
	 * twice (empty, populated again) and memory.events never. */
	if (wd == g->wd_memory) {
		what = refresh_memory(g);
	} else {
		what = refresh_events(g);
		g->new_ooms = 0;
	}
	if (what != 0 && g->fn != NULL)
		g->fn(g->arg, what, g->new_ooms);
}

/* The kernel's queue overflowed: events were lost, every group is read. */
static void
tell_all(void)
{
	int	*all = xcalloc(nwds + 1, sizeof *all);
	size_t	 i, n = nwds;

	for (i = 0; i < n; i++)
		all[i] = wds[i].wd;
	for (i = 0; i < n; i++)
		tell(all[i]);
	free(all);
}

static void
watch_cb(EV_P_ ev_io *w, int revents)
{
	char		 buf[4096] __attribute__((aligned(__alignof__(
			    struct inotify_event))));
	const struct inotify_event *e;
	ssize_t		 n;
	char		*p;

	(void)EV_A;
	(void)revents;
	/* One read a wake-up (bounded work); the loop calls again while
	 * more is queued. */
	if ((n = read(w->fd, buf, sizeof buf)) > 0)
		for (p = buf; p < buf + n; p += sizeof *e + e->len) {
			e = (const struct inotify_event *)p;
			if (e->mask & IN_Q_OVERFLOW)
				tell_all();
			else
				tell(e->wd);
		}
}

/* ---- a service's group ---------------------------------------------------- */

struct cgroup *
cg_open(const char *name, cg_event_fn *fn, void *arg, char **cause)
{
	struct cgroup	*g;
	char		*dir = xasprintf("%s%s", name, CG_SUFFIX), *f;

	g = xcalloc(1, sizeof *g);
	g->path = xasprintf("%s/%s", tree, dir);
	g->wd_events = g->wd_memory = g->events_fd = g->memory_fd = -1;
	g->fn = fn;
	g->arg = arg;
	if ((mkdirat(tree_fd, dir, 0755) == -1 && errno != EEXIST) ||
	    (g->dirfd = openat(tree_fd, dir, O_DIRECTORY | O_CLOEXEC)) == -1) {
		*cause = errno_cause("cgroup %s", g->path);
		free(dir);
		free(g->path);
		free(g);
		return NULL;
	}
	free(dir);
	f = xasprintf("%s/cgroup.events", g->path);
	g->wd_events = inotify_add_watch(ifd, f, IN_MODIFY);
	free(f);
	if (g->wd_events == -1) {
		*cause = errno_cause("cgroup %s: inotify", g->path);
		cg_close(g, false);
		return NULL;
	}
	wd_add(g->wd_events, g);
	/* Kept if they open (else read by name each time, as before). */
	g->events_fd = openat(g->dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
	if (cg_has_controller("memory")) {
		g->memory_fd = openat(g->dirfd, "memory.events", O_RDONLY |
		    O_CLOEXEC);
		f = xasprintf("%s/memory.events", g->path);
		if ((g->wd_memory = inotify_add_watch(ifd, f, IN_MODIFY)) >= 0)
			wd_add(g->wd_memory, g);
		free(f);
	}
	(void)cg_refresh(g);
	/* A new process in a frozen group would be frozen at once. */
	if (g->frozen && cg_freeze(g, false, cause) == -1) {
		cg_close(g, false);
		return NULL;
	}
	return g;
}

void
cg_close(struct cgroup *g, bool remove)
{
	const char	*name;
	char		*cause = NULL;

	if (g == NULL)
		return;
	wd_del(g->wd_events);
	wd_del(g->wd_memory);
	if (remove && g->dirfd >= 0) {
		if (cgk_populated(g->dirfd) && cg_kill(g, &cause) == -1) {
			log_warnx("%s", cause);
			free(cause);
		}
		name = strrchr(g->path, '/') + 1;
		/* Still emptying after a kill: the kernel has not yet
		 * let go of the last process, which is rare. */
		if (cgk_remove(tree_fd, name) == -1)
			log_warn("cgroup %s: not removed", g->path);
	}
	if (g->events_fd >= 0)
		close(g->events_fd);
	if (g->memory_fd >= 0)
		close(g->memory_fd);
	if (g->dirfd >= 0)
		close(g->dirfd);
	free(g->path);
	free(g);
}

int
cg_dirfd(const struct cgroup *g)
{
	return g->dirfd;
}

const char *
cg_path(const struct cgroup *g)
{
	return g->path;
}

bool
cg_populated(const struct cgroup *g)
{
	return g->populated;
}

bool
cg_frozen(const struct cgroup *g)
{
	return g->frozen;
}

uint64_t
cg_oom_kills(const struct cgroup *g)
{
	return g->ooms;
}

int
cg_kill(struct cgroup *g, char **cause)
{
	if (cgk_kill(g->dirfd) == -1) {
		*cause = errno_cause("cgroup %s: kill", g->path);
		return -1;
	}
	return 0;
}

int
cg_freeze(struct cgroup *g, bool on, char **cause)
{
	if (cgk_write_at(g->dirfd, "cgroup.freeze", on ? "1" : "0") == -1) {
		*cause = errno_cause("cgroup %s: freeze", g->path);
		return -1;
	}
	return 0;
}

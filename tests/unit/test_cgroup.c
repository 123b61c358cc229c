/* SPDX-License-Identifier: ISC */
/*
 * test_cgroup.c: cgroup.c -- the parser (cgroup-kill.c) of cgroup.events and memory.events
 * lines (cgk_events_value), the check of `[supd] cgroup` (cg_setting_check),
 * no tree with `no`, and, where this machine has a cgroup2 mount (the
 * hybrid host's /sys/fs/cgroup/unified, or a pure v2 /sys/fs/cgroup), a
 * real tree: this process moved into supd.self and back, a group made, a
 * child placed in it, the watcher's CG_EMPTY after cg_kill, a freeze seen
 * as CG_FROZEN, the group removed and the tree gone at cg_end.
 */
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-kill.h"
#include "cgroup.h"
#include "unit.h"
#include "util.h"

static void
test_events_value(void)
{
	const char	*ev = "populated 1\nfrozen 0\n";
	const char	*mem = "low 0\nhigh 0\nmax 3\noom 2\noom_kill 1\n"
			    "oom_group_kill 0\n";

	CHECK_INT(cgk_events_value(ev, "populated"), 1);
	CHECK_INT(cgk_events_value(ev, "frozen"), 0);
	CHECK_INT(cgk_events_value(ev, "missing"), -1);
	CHECK_INT(cgk_events_value("populated 0", "populated"), 0);
	/* A key is a whole word: "oom" is not "oom_kill". */
	CHECK_INT(cgk_events_value(mem, "oom"), 2);
	CHECK_INT(cgk_events_value(mem, "oom_kill"), 1);
	CHECK_INT(cgk_events_value(mem, "oom_group_kill"), 0);
	CHECK_INT(cgk_events_value("populatedx 1\n", "populated"), -1);
	/* Garbage is no value. */
	CHECK_INT(cgk_events_value("populated x\n", "populated"), -1);
	CHECK_INT(cgk_events_value("populated 1x\n", "populated"), -1);
	CHECK_INT(cgk_events_value("populated -1\n", "populated"), -1);
	CHECK_INT(cgk_events_value("populated \n", "populated"), -1);
	CHECK_INT(cgk_events_value("", "populated"), -1);
	CHECK_INT(cgk_events_value("oom_kill 123456789012\n", "oom_kill"),
	    123456789012LL);
}

/* A cgroup2 mount of this machine, or NULL. */
static const char *
cgroup2_mount(void)
{
	static const char *const cands[] = { "/sys/fs/cgroup/unified",
	    "/sys/fs/cgroup" };
	struct statfs	sf;
	size_t		i;

	for (i = 0; i < 2; i++)
		if (statfs(cands[i], &sf) == 0 &&
		    sf.f_type == CGROUP2_SUPER_MAGIC)
			return cands[i];
	return NULL;
}

static void
test_setting_check(void)
{
	const char	*mnt = cgroup2_mount();
	char		*p;

	CHECK(cg_setting_check("auto") == NULL);
	CHECK(cg_setting_check("no") == NULL);
	CHECK_STR(cg_setting_check("relative"),
	    "expected auto, no or an absolute path");
	CHECK_STR(cg_setting_check("yes"),
	    "expected auto, no or an absolute path");
	CHECK_STR(cg_setting_check("/tmp/not/a/cgroup"),
	    "not on a cgroup2 file system");
	CHECK_STR(cg_setting_check("/"), "not on a cgroup2 file system");
	if (mnt == NULL)
		return;
	/* Missing directories below a cgroup2 mount are made at start. */
	p = xasprintf("%s/supd-unit-missing/a/b", mnt);
	CHECK(cg_setting_check(p) == NULL);
	free(p);
	CHECK(cg_setting_check(mnt) == NULL);
}

static void
test_no(void)
{
	cg_init("no");
	CHECK(!cg_enabled());
	CHECK_STR(cg_unavailable(), "cgroup = no in supd.conf");
	CHECK(!cg_has_controller("memory"));
	CHECK(!cg_has_controller("nonsense"));
	cg_end();
}

static unsigned	seen;		/* bits the callback was given */

static void
event_cb(void *arg, unsigned what, uint64_t ooms)
{
	(void)arg;
	(void)ooms;
	seen |= what;
	ev_break(EV_DEFAULT_UC_ EVBREAK_ALL);
}

static void
timeout_cb(EV_P_ ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(EV_A_ EVBREAK_ALL);
}

/* Run the loop until the callback saw bit, at most 5 s. */
static bool
wait_bit(unsigned bit)
{
	ev_timer	t;

	ev_timer_init(&t, timeout_cb, 5., 0.);
	ev_timer_start(EV_DEFAULT_UC_ &t);
	while (!(seen & bit) && ev_is_active(&t))
		ev_run(EV_DEFAULT_UC_ EVRUN_ONCE);
	ev_timer_stop(EV_DEFAULT_UC_ &t);
	return seen & bit;
}

/* The line of /proc/PID/cgroup for cgroup v2, without "0::". */
static char *
cgroup_of(pid_t pid)
{
	char	 path[64], line[512], *r = NULL;
	FILE	*f;

	snprintf(path, sizeof path, "/proc/%d/cgroup", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return NULL;
	while (r == NULL && fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, "0::", 3) == 0) {
			line[strcspn(line, "\n")] = '\0';
			r = xstrdup(line + 3);
		}
	fclose(f);
	return r;
}

/* A child in g (through cgroup.procs, as the fallback places one). */
static pid_t
child_in(struct cgroup *g)
{
	int	fd = openat(cg_dirfd(g), "cgroup.procs", O_WRONLY | O_CLOEXEC);
	pid_t	pid;

	CHECK(fd >= 0);
	if ((pid = fork()) == 0) {
		if (write(fd, "0", 1) != 1)
			_exit(1);
		pause();
		_exit(0);
	}
	close(fd);
	return pid;
}

static void
test_tree(const char *mnt)
{
	struct cgroup	*g;
	char		*tree = xasprintf("%s/supd-unit-%d", mnt, (int)getpid());
	char		*want, *got, *cause = NULL, buf[64];
	pid_t		 pid;
	int		 st;

	(void)ev_default_loop(0);
	cg_init(tree);
	CHECK(cg_enabled());
	CHECK(cg_unavailable() == NULL);
	want = xasprintf("%s/supd.self", tree + strlen(mnt));
	got = cgroup_of(getpid());
	CHECK_STR(got != NULL ? got : "?", want);
	free(want);
	free(got);
	g = cg_open("web", event_cb, NULL, &cause);
	CHECK(g != NULL);
	if (g == NULL) {
		fprintf(stderr, "cg_open: %s\n", cause);
		free(cause);
		cg_end();
		free(tree);
		return;
	}
	want = xasprintf("%s/web.service", tree);
	CHECK_STR(cg_path(g), want);
	free(want);
	pid = child_in(g);
	/* The child is in: populated (read now or told by the watcher). */
	for (st = 0; st < 500 && !cg_populated(g); st++) {
		(void)cg_refresh(g);
		usleep(10000);
	}
	CHECK(cg_populated(g));
	want = xasprintf("%s/web.service", tree + strlen(mnt));
	got = cgroup_of(pid);
	CHECK_STR(got != NULL ? got : "?", want);
	free(want);
	free(got);
	/* Frozen, then thawed: the watcher tells both. */
	seen = 0;
	CHECK_INT(cg_freeze(g, true, &cause), 0);
	CHECK(wait_bit(CG_FROZEN));
	CHECK(cg_frozen(g));
	seen = 0;
	CHECK_INT(cg_freeze(g, false, &cause), 0);
	CHECK(wait_bit(CG_FROZEN));
	CHECK(!cg_frozen(g));
	/* Killed: the child dies of SIGKILL, the watcher says empty. */
	seen = 0;
	CHECK_INT(cg_kill(g, &cause), 0);
	CHECK(wait_bit(CG_EMPTY));
	CHECK(!cg_populated(g));
	/* Dead: a zombie, or already reaped by libev's default loop. */
	CHECK((waitpid(pid, &st, 0) == pid && WIFSIGNALED(st) &&
	    WTERMSIG(st) == SIGKILL) || (kill(pid, 0) == -1 && errno == ESRCH));
	CHECK_INT(cg_oom_kills(g), 0);
	/* Reopened (a restart): the same group. */
	cg_close(g, false);
	want = xasprintf("%s/web.service", tree);
	CHECK(access(want, F_OK) == 0);
	g = cg_open("web", event_cb, NULL, &cause);
	CHECK(g != NULL);
	cg_close(g, true);
	CHECK(access(want, F_OK) == -1);
	free(want);
	cg_end();
	/* Back where it was, the tree gone. */
	CHECK(access(tree, F_OK) == -1);
	got = cgroup_of(getpid());
	snprintf(buf, sizeof buf, "%s", got != NULL ? got : "?");
	CHECK(strstr(buf, "supd-unit-") == NULL);
	free(got);
	free(tree);
}

/* supd --check: nothing made, nothing moved; the answers of a tree. */
static void
test_probe(const char *mnt)
{
	char	*tree, *self = cgroup_of(getpid());

	cg_probe("/tmp/not/a/cgroup");
	CHECK(!cg_enabled());
	CHECK_STR(cg_unavailable(), "/tmp: not on a cgroup2 file system");
	if (mnt == NULL) {
		free(self);
		return;
	}
	tree = xasprintf("%s/supd-unit-probe-%d/a", mnt, (int)getpid());
	cg_probe(tree);
	CHECK(cg_enabled());
	CHECK(cg_unavailable() == NULL);
	CHECK(access(tree, F_OK) == -1);
	free(tree);
	tree = cgroup_of(getpid());
	CHECK_STR(tree != NULL ? tree : "?", self != NULL ? self : "?");
	free(tree);
	free(self);
}

int
main(void)
{
	const char	*mnt = cgroup2_mount();

	test_events_value();
	test_setting_check();
	test_no();
	if (mnt != NULL && geteuid() == 0)
		test_tree(mnt);
	else
		fprintf(stderr, "test_cgroup: no cgroup2 mount (or not root): "
		    "no real tree\n");
	test_probe(geteuid() == 0 ? mnt : NULL);
	return unit_done("cgroup");
}

/* SPDX-License-Identifier: ISC */
/*
 * test_service_limits.c: src/service-limits.c, the service's side of the
 * cgroup limits and stats, against a fake cgroup.c (this file's cg_*: a
 * tree or none, controllers on or off, a group that is a directory of
 * plain files) -- what the host cannot show, having no usable tree:
 *
 * - svc_limits_start: the one reason when a controller is missing (before
 *   any group is looked at), the limits written to the group otherwise,
 *   and the CPU baseline taken at the group's first start;
 * - svc_limits_reload: a running service whose new definition differs only
 *   in cgroup keys gets them written in place and the definition swapped;
 *   any other change, no group, no process, a pending definition or a
 *   missing controller leaves it to the restart;
 * - svc_stats: the numbers of the group, "max" as such, the CPU % since the
 *   previous sample (which the next is measured from), and a note instead
 *   of numbers without a group or with a group that cannot be read.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-stats.h"
#include "cgroup.h"
#include "service-private.h"
#include "unit.h"
#include "util.h"

static char	tmpdir[] = "/tmp/test_service_limits.XXXXXX";

/* ---- the fake cgroup.c ------------------------------------------------ */

static bool	fake_tree;		/* cg_enabled */
static bool	fake_ctrl = true;	/* every controller, or none */
static int	fake_fd = -1;		/* the one group's directory */

bool
cg_enabled(void)
{
	return fake_tree;
}

const char *
cg_unavailable(void)
{
	return fake_tree ? NULL : "fake: no tree";
}

bool
cg_has_controller(const char *name)
{
	(void)name;
	return fake_ctrl;
}

int
cg_dirfd(const struct cgroup *cg)
{
	(void)cg;
	return fake_fd;
}

const char *
cg_path(const struct cgroup *cg)
{
	(void)cg;
	return tmpdir;
}

/* The [supd] cgroup key's check, which the config loader links: every
 * setting is accepted here (test_cgroup.c tests the real one). */
const char *
cg_setting_check(const char *v)
{
	(void)v;
	return NULL;
}

/* service.c's, which this test does not link. */
const char *
svc_state_name(enum svc_state st)
{
	return st == SVC_RUNNING ? "running" : "other";
}

/* ---- helpers ------------------------------------------------------------ */

static void
put(const char *file, const char *text)
{
	free(unit_write_file(tmpdir, file, text));
}

static const char *
text_of(const char *file)
{
	static char	buf[128];
	ssize_t		n;
	int		fd;

	if ((fd = openat(fake_fd, file, O_RDONLY)) == -1)
		return "(none)";
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* Empty limit files, as a fresh group of a tree with every controller. */
static void
fresh_group(void)
{
	static const char *const files[] = { "memory.max", "memory.high",
	    "memory.swap.max", "cpu.max", "cpu.weight", "pids.max",
	    "io.weight" };
	size_t	i;

	for (i = 0; i < sizeof files / sizeof *files; i++)
		put(files[i], "");
}

static struct svc_conf *
load(const char *body)
{
	struct supd_conf	 mc;
	struct strv		 errs = { 0 };
	struct svc_conf		*sc;
	char			*text, *path;

	cfg_load_main("/nonexistent", false, &mc, &errs);
	text = xasprintf("[service]\ncommand = /bin/true\n%s", body);
	path = unit_write_file(tmpdir, "web.ini", text);
	sc = cfg_load_service(path, &mc, &errs);
	CHECK(sc != NULL);
	CHECK_INT(errs.n, 0);
	strv_free(&errs);
	cfg_main_free(&mc);
	free(path);
	free(text);
	return sc;
}

/* ---- tests -------------------------------------------------------------- */

static void
test_start(void)
{
	struct service	 s = { 0 };
	char		*cause = NULL;

	s.conf = load("[limits]\nmemory = 64M\ncpus = 0.25\n");
	/* No tree: the one reason, no group needed to say it. */
	fake_tree = false;
	CHECK_INT(svc_limits_start(&s, &cause), -1);
	CHECK_STR(cause, "cgroup v2 memory controller not available: "
	    "fake: no tree");
	free(cause);
	/* A tree without the controllers. */
	fake_tree = true;
	fake_ctrl = false;
	CHECK_INT(svc_limits_start(&s, &cause), -1);
	CHECK_STR(cause, "cgroup v2 memory controller not available: "
	    "not enabled in supd's cgroup tree");
	free(cause);
	/* With them, and a group: written, the CPU baseline taken once. */
	fake_ctrl = true;
	fresh_group();
	s.cg = (struct cgroup *)&s;	/* any non-NULL: the fake has one */
	cause = NULL;
	CHECK_INT(svc_limits_start(&s, &cause), 0);
	CHECK(cause == NULL);
	CHECK_STR(text_of("memory.max"), "67108864");
	CHECK_STR(text_of("cpu.max"), "25000 100000");
	CHECK(s.cpu_at_ms != 0 && s.cpu_usec == 0);
	s.cpu_at_ms = 1;
	CHECK_INT(svc_limits_start(&s, &cause), 0);
	CHECK_INT(s.cpu_at_ms, 1);	/* a restart keeps the group's */
	/* A limit the group refuses: the start fails, the file named. */
	if (unlinkat(fake_fd, "cpu.max", 0) == -1)
		perror("cpu.max");
	CHECK_INT(svc_limits_start(&s, &cause), -1);
	CHECK_STR(cause, "cgroup limits: cpu.max: No such file or directory");
	free(cause);
	put("cpu.max", "");
	cfg_svc_free(s.conf);
}

static void
test_reload(void)
{
	struct service	 s = { 0 };
	struct svc_conf	*sc, *first;

	fake_tree = true;
	fake_ctrl = true;
	fresh_group();
	s.conf = first = load("[limits]\nmemory = 64M\n");
	s.cg = (struct cgroup *)&s;
	s.pid = 1234;

	/* Only limits: written in place, the definition taken. */
	sc = load("[limits]\nmemory = 128M\npids = 10\n");
	CHECK(svc_limits_reload(&s, sc));
	CHECK(s.conf == sc);
	CHECK_STR(text_of("memory.max"), "134217728");
	CHECK_STR(text_of("pids.max"), "10");

	/* Something else too: left to the restart, nothing written. */
	fresh_group();
	sc = load("restart = always\n[limits]\nmemory = 1G\n");
	CHECK(!svc_limits_reload(&s, sc));
	CHECK_STR(text_of("memory.max"), "");
	cfg_svc_free(sc);

	/* No process, no group, a pending definition, no controller. */
	sc = load("[limits]\nmemory = 1G\n");
	s.pid = 0;
	CHECK(!svc_limits_reload(&s, sc));
	s.pid = 1234;
	s.cg = NULL;
	CHECK(!svc_limits_reload(&s, sc));
	s.cg = (struct cgroup *)&s;
	s.next_conf = first;	/* only its being there counts */
	CHECK(!svc_limits_reload(&s, sc));
	s.next_conf = NULL;
	fake_ctrl = false;
	CHECK(!svc_limits_reload(&s, sc));
	fake_ctrl = true;
	CHECK_STR(text_of("memory.max"), "");
	/* A group that refuses: not applied, left to the restart. */
	if (unlinkat(fake_fd, "memory.max", 0) == -1)
		perror("memory.max");
	CHECK(!svc_limits_reload(&s, sc));
	CHECK(s.conf != sc);
	put("memory.max", "");
	/* And a limit dropped goes back to the kernel's default. */
	cfg_svc_free(sc);
	sc = load("");
	CHECK(svc_limits_reload(&s, sc));
	CHECK_STR(text_of("memory.max"), "max");
	CHECK_STR(text_of("pids.max"), "max");
	cfg_svc_free(s.conf);
}

static void
test_stats(void)
{
	struct service		s = { 0 };
	struct proto_stats	st;

	fake_tree = true;
	s.conf = load("");
	s.state = SVC_RUNNING;

	/* No group yet: a note, no numbers. */
	svc_stats(&s, &st);
	CHECK_STR(st.name, "web");
	CHECK_STR(st.state, "running");
	CHECK_STR(st.note, "no group yet (never started)");
	CHECK(st.cpu_pct100 == PROTO_STATS_NONE &&
	    st.mem_current == PROTO_STATS_NONE);

	/* A group: its numbers; CPU % since the previous sample. */
	s.cg = (struct cgroup *)&s;
	put("cpu.stat", "usage_usec 500000\nuser_usec 1\n");
	put("memory.current", "1048576\n");
	put("memory.max", "max\n");
	put("pids.current", "2\n");
	/* The limits are what supd wrote, not read back. */
	s.cgl_held.mask = 1u << CGL_PIDS;
	s.cgl_held.val[CGL_PIDS] = 64;
	put("io.stat", "8:0 rbytes=10 wbytes=20 rios=1 wios=1\n");
	s.cpu_at_ms = now_ms() - 1000;
	s.cpu_usec = 0;
	svc_stats(&s, &st);
	CHECK_STR(st.note, "");
	CHECK(st.cpu_pct100 >= 4900 && st.cpu_pct100 <= 5000);
	CHECK_INT(st.cpu_usec, 500000);
	CHECK_INT(st.mem_current, 1048576);
	CHECK_INT(st.mem_max, PROTO_STATS_MAX);
	CHECK_INT(st.pids_current, 2);
	CHECK_INT(st.pids_max, 64);
	CHECK_INT(st.io_rbytes, 10);
	CHECK_INT(st.io_wbytes, 20);
	CHECK_INT(s.cpu_usec, 500000);	/* the next is measured from it */
	s.cpu_at_ms = now_ms() - 500;
	put("cpu.stat", "usage_usec 1500000\n");
	svc_stats(&s, &st);
	CHECK(st.cpu_pct100 >= 19600 && st.cpu_pct100 <= 20000);

	/* A group made before any start: measured from this sample on. */
	s.cpu_at_ms = 0;
	svc_stats(&s, &st);
	CHECK_INT(st.cpu_pct100, PROTO_STATS_NONE);
	CHECK(s.cpu_at_ms != 0 && s.cpu_usec == 1500000);

	/* A group that cannot be read: why, and no numbers. (The files
	 * kept open would still read an unlinked regular file; a removed
	 * group's kernfs files answer ENODEV, test_cgroup_stats.c.) */
	cgs_files_free(s.cgs);
	s.cgs = NULL;
	if (unlinkat(fake_fd, "cpu.stat", 0) == -1)
		perror("cpu.stat");
	svc_stats(&s, &st);
	CHECK_STR(st.note, "cpu.stat: No such file or directory");
	CHECK_INT(st.mem_current, PROTO_STATS_NONE);
	cgs_files_free(s.cgs);
	cfg_svc_free(s.conf);
}

int
main(void)
{
	char	*cmd;

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	fake_fd = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	test_start();
	test_reload();
	test_stats();
	close(fake_fd);
	cmd = xasprintf("rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "%s failed\n", cmd);
	free(cmd);
	return unit_done("service_limits");
}

/* SPDX-License-Identifier: ISC */
/*
 * test_cgroup_limits.c: src/cgroup-limits.c against a group made of plain
 * files in a temporary directory -- each key written to its file in the
 * form the kernel takes, the keys not given reset to the kernel's default
 * where their file exists and skipped where it does not, a key given
 * whose file is missing refused with the file named -- and the reason a
 * service with limits cannot start where a controller is missing (here:
 * no tree, cgroup.c says why); and cfg_svc_limits_only, which decides
 * whether a reload applies limits in place.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-limits.h"
#include "cgroup.h"
#include "config.h"
#include "unit.h"
#include "util.h"

static char	tmpdir[] = "/tmp/test_cgroup_limits.XXXXXX";

static const char *const all_files[] = { "memory.max", "memory.high",
    "memory.swap.max", "cpu.max", "cpu.weight", "pids.max", "io.weight",
    NULL };

/* A fresh group directory holding the files named (each empty). */
static int
group(const char *name, const char *const *files)
{
	char	*dir = xasprintf("%s/%s", tmpdir, name), *p;
	int	 fd;

	if (mkdir(dir, 0755) == -1)
		perror(dir);
	for (; *files != NULL; files++) {
		p = unit_write_file(dir, *files, "");
		free(p);
	}
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	return fd;
}

/* The text of a file of the group ("" if empty, "(none)" if absent). */
static const char *
text_of(int dfd, const char *file)
{
	static char	buf[128];
	ssize_t		n;
	int		fd;

	if ((fd = openat(dfd, file, O_RDONLY)) == -1)
		return "(none)";
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static struct svc_conf *
load(const char *name, const char *limits)
{
	struct supd_conf	 mc;
	struct strv		 errs = { 0 };
	struct svc_conf		*sc;
	char			*text, *path;

	cfg_load_main("/nonexistent", false, &mc, &errs);
	text = xasprintf("[service]\ncommand = /bin/true\n[limits]\n%s",
	    limits);
	path = unit_write_file(tmpdir, name, text);
	sc = cfg_load_service(path, &mc, &errs);
	CHECK(sc != NULL);
	CHECK_INT(errs.n, 0);
	strv_free(&errs);
	cfg_main_free(&mc);
	free(path);
	free(text);
	return sc;
}

/* Every key given: each file holds its value as the kernel takes it. */
static void
test_apply_all(void)
{
	struct svc_conf	*sc = load("all.ini", "memory = 64M\n"
			    "memory_high = 48M\nmemory_swap = 0\ncpus = 0.5\n"
			    "cpu_weight = 200\npids = 64\nio_weight = 50\n");
	char		*cause = NULL;
	struct cgl_held	 w = { 0 };
	int		 dfd = group("all", all_files);

	CHECK_INT(cgl_apply(dfd, sc, &w, &cause), 0);
	CHECK_INT(w.mask, sc->cgl.set);
	CHECK(cause == NULL);
	CHECK_STR(text_of(dfd, "memory.max"), "67108864");
	CHECK_STR(text_of(dfd, "memory.high"), "50331648");
	CHECK_STR(text_of(dfd, "memory.swap.max"), "0");
	CHECK_STR(text_of(dfd, "cpu.max"), "50000 100000");
	CHECK_STR(text_of(dfd, "cpu.weight"), "200");
	CHECK_STR(text_of(dfd, "pids.max"), "64");
	CHECK_STR(text_of(dfd, "io.weight"), "default 50");
	/* What stats shows without reading the files back. */
	CHECK_INT(cgl_value(&w, CGL_MEMORY), 67108864);
	CHECK_INT(cgl_value(&w, CGL_PIDS), 64);
	close(dfd);
	cfg_svc_free(sc);

	/* "max" is written as the kernel spells it, cpus with its period. */
	sc = load("max.ini", "memory = max\ncpus = max\npids = max\n");
	dfd = group("max", all_files);
	w.mask = 0;
	CHECK_INT(cgl_apply(dfd, sc, &w, &cause), 0);
	CHECK_STR(text_of(dfd, "memory.max"), "max");
	CHECK_STR(text_of(dfd, "cpu.max"), "max 100000");
	CHECK_STR(text_of(dfd, "pids.max"), "max");
	CHECK(cgl_value(&w, CGL_MEMORY) == CGL_MAX);
	CHECK(cgl_value(&w, CGL_PIDS) == CGL_MAX);
	close(dfd);
	cfg_svc_free(sc);

	/* memory.max reads back in whole pages, as the kernel keeps it. */
	sc = load("odd.ini", "memory = 10001\n");
	dfd = group("odd", all_files);
	w.mask = 0;
	CHECK_INT(cgl_apply(dfd, sc, &w, &cause), 0);
	CHECK_INT(cgl_value(&w, CGL_MEMORY), 10001 / sysconf(_SC_PAGESIZE) *
	    sysconf(_SC_PAGESIZE));
	CHECK(cgl_value(&w, CGL_PIDS) == CGL_MAX);	/* not given */
	close(dfd);
	cfg_svc_free(sc);
}

/*
 * Keys an older definition wrote and this one does not give go back to the
 * kernel's defaults (a reload that drops a key must lift its limit), and a
 * controller the group lacks (no file) is skipped for them: a service that
 * asks for nothing never fails here. A new group without limits is not
 * written at all.
 */
static void
test_apply_defaults(void)
{
	static const char *const some[] = { "memory.max", "cpu.max",
	    "cpu.weight", "io.weight", NULL };
	struct svc_conf	*sc = load("pids.ini", "pids = 10\n");
	char		*cause = NULL;
	struct cgl_held	 w = { (1u << CGL_N) - 1, { 0 } };	/* an older
							   definition's */
	int		 dfd = group("defaults", all_files);

	CHECK_INT(cgl_apply(dfd, sc, &w, &cause), 0);
	CHECK_INT(w.mask, sc->cgl.set);
	CHECK(cgl_value(&w, CGL_MEMORY) == CGL_MAX);	/* back to max */
	CHECK_STR(text_of(dfd, "pids.max"), "10");
	CHECK_STR(text_of(dfd, "memory.max"), "max");
	CHECK_STR(text_of(dfd, "memory.high"), "max");
	CHECK_STR(text_of(dfd, "memory.swap.max"), "max");
	CHECK_STR(text_of(dfd, "cpu.max"), "max 100000");
	CHECK_STR(text_of(dfd, "cpu.weight"), "100");
	CHECK_STR(text_of(dfd, "io.weight"), "default 100");
	close(dfd);
	cfg_svc_free(sc);

	sc = load("none.ini", "");
	dfd = group("fresh", all_files);
	w.mask = 0;
	CHECK_INT(cgl_apply(dfd, sc, &w, &cause), 0);
	CHECK_STR(text_of(dfd, "memory.max"), "");	/* not written */
	CHECK_STR(text_of(dfd, "pids.max"), "");
	CHECK_INT(w.mask, 0);
	close(dfd);
	dfd = group("some", some);
	w.mask = (1u << CGL_N) - 1;
	CHECK_INT(cgl_apply(dfd, sc, &w, &cause), 0);
	CHECK(cause == NULL);
	CHECK_STR(text_of(dfd, "memory.max"), "max");
	CHECK_STR(text_of(dfd, "pids.max"), "(none)");
	CHECK_STR(text_of(dfd, "memory.swap.max"), "(none)");

	/* A key given whose file is not there: refused, the file named. */
	cfg_svc_free(sc);
	sc = load("swap.ini", "memory_swap = 1G\n");
	CHECK_INT(cgl_apply(dfd, sc, &w, &cause), -1);
	CHECK_STR(cause, "memory.swap.max: No such file or directory");
	free(cause);
	close(dfd);
	cfg_svc_free(sc);
}

/* No tree here (cgroup.c says why): the first key's controller is named,
 * and --check warns once per key (in the keys' order), on its line. */
static void
test_missing(void)
{
	struct svc_conf	*sc = load("miss.ini", "nofile = 100\npids = 5\n"
			    "memory = 1G\n");
	struct strv	 w = { 0 };
	char		*cause, *want;

	CHECK(!cg_enabled());
	CHECK_STR(cgl_missing(sc), "memory");
	cause = cgl_unavailable(sc);
	want = xasprintf("cgroup v2 memory controller not available: %s",
	    cg_unavailable());
	CHECK_STR(cause, want);
	free(want);
	free(cause);
	CHECK_INT(cgl_warnings(sc, &w), 2);
	CHECK_INT(w.n, 2);
	if (w.n == 2) {
		want = xasprintf("%s/miss.ini:6: warning: memory: cgroup v2 "
		    "memory controller not available: %s (the service will "
		    "not start here)", tmpdir, cg_unavailable());
		CHECK_STR(w.v[0], want);
		free(want);
		CHECK(strncmp(w.v[1], tmpdir, strlen(tmpdir)) == 0 &&
		    strstr(w.v[1], "/miss.ini:5: warning: pids: cgroup v2 "
		    "pids controller not available: ") != NULL);
	}
	strv_free(&w);
	cfg_svc_free(sc);

	/* rlimits are not cgroup limits: nothing is missing. */
	sc = load("rl.ini", "nofile = 100\n");
	CHECK(cgl_missing(sc) == NULL);
	CHECK(cgl_unavailable(sc) == NULL);
	CHECK_INT(cgl_warnings(sc, &w), 0);
	cfg_svc_free(sc);
}

/* A reload applies in place only what differs in cgroup limits alone. */
static void
test_limits_only(void)
{
	struct svc_conf	*a = load("r.ini", "memory = 64M\n");
	struct svc_conf	*b = load("r.ini", "memory = 128M\npids = 9\n");
	struct svc_conf	*c = load("r.ini", "memory = 64M\nnofile = 10\n");
	struct svc_conf	*d = load("r.ini", "");
	struct svc_conf	*e = load("r.ini", "memory = 64M\n");

	CHECK(cfg_svc_limits_only(a, b));
	CHECK(cfg_svc_limits_only(a, d));	/* a limit dropped */
	CHECK(cfg_svc_limits_only(d, a));	/* one added */
	CHECK(!cfg_svc_limits_only(a, c));	/* an rlimit: restart */
	CHECK(!cfg_svc_limits_only(b, c));
	CHECK(!cfg_svc_limits_only(a, e));	/* no change at all */
	CHECK(!cfg_svc_limits_only(a, NULL));
	cfg_svc_free(a);
	cfg_svc_free(b);
	cfg_svc_free(c);
	cfg_svc_free(d);
	cfg_svc_free(e);
}

int
main(void)
{
	char	*cmd;

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_apply_all();
	test_apply_defaults();
	test_missing();
	test_limits_only();
	cmd = xasprintf("rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "%s failed\n", cmd);
	free(cmd);
	return unit_done("cgroup_limits");
}

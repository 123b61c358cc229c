/* SPDX-License-Identifier: ISC */
/*
 * test_cgroup_stats.c: src/cgroup-stats.c on groups made of files this
 * test writes, in the kernel's formats: every number read, io.stat summed
 * over its devices, "max" limits, the files of a controller the group
 * lacks left CGS_NONE, and what is refused (no cpu.stat, a file that is
 * not a number, io.stat without rbytes); and those numbers as a STATS row.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-stats.h"
#include "proto.h"
#include "unit.h"
#include "util.h"

static char	tmpdir[] = "/tmp/test_cgroup_stats.XXXXXX";

/* A group directory with the files given as name, text, ..., NULL. */
static int
group(const char *name, const char *const *files)
{
	char	*dir = xasprintf("%s/%s", tmpdir, name);
	int	 fd;

	if (mkdir(dir, 0755) == -1)
		perror(dir);
	for (; *files != NULL; files += 2)
		free(unit_write_file(dir, files[0], files[1]));
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	return fd;
}

static const char cpu_stat[] = "usage_usec 1234567\nuser_usec 1000000\n"
    "system_usec 234567\nnr_periods 0\nnr_throttled 0\n"
    "throttled_usec 0\n";

static void
test_full(void)
{
	const char *const files[] = {
		"cpu.stat", cpu_stat,
		"memory.current", "52428800\n",
		"memory.max", "67108864\n",
		"pids.current", "3\n",
		"pids.max", "max\n",
		"io.stat", "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 "
		    "dbytes=0 dios=0\n253:1 rbytes=100 wbytes=0 rios=1 wios=0 "
		    "dbytes=0 dios=0\n",
		NULL };
	struct cg_stats	 st;
	struct proto_stats row;
	char		*cause = NULL;
	int		 dfd = group("full", files);

	CHECK_INT(cgs_read(dfd, NULL, &st, &cause), 0);
	CHECK(cause == NULL);
	CHECK_INT(st.cpu_usec, 1234567);
	CHECK_INT(st.mem_current, 52428800);
	CHECK(st.mem_max == CGS_NONE);	/* not read: what supd wrote */
	CHECK_INT(st.pids_current, 3);
	CHECK(st.pids_max == CGS_NONE);
	st.mem_max = 67108864;		/* as the caller gives them */
	st.pids_max = CGS_MAX;
	CHECK_INT(st.io_rbytes, 4196);
	CHECK_INT(st.io_wbytes, 8192);
	close(dfd);

	/* As the STATS row carries them: "max" is -2, not a number. */
	memset(&row, 0, sizeof row);
	cgs_row(&st, &row);
	CHECK_INT(row.cpu_usec, 1234567);
	CHECK_INT(row.mem_current, 52428800);
	CHECK_INT(row.mem_max, 67108864);
	CHECK_INT(row.pids_current, 3);
	CHECK_INT(row.pids_max, PROTO_STATS_MAX);
	CHECK_INT(row.io_rbytes, 4196);
	CHECK_INT(row.io_wbytes, 8192);
}

/* Only the core file: every controller's numbers are CGS_NONE. An empty
 * io.stat (no I/O yet) is zero, not none. */
static void
test_core_only(void)
{
	const char *const core[] = { "cpu.stat", "usage_usec 0\n", NULL };
	const char *const noio[] = { "cpu.stat", cpu_stat, "io.stat", "",
	    NULL };
	struct cg_stats	 st;
	struct proto_stats row;
	char		*cause = NULL;
	int		 dfd = group("core", core);

	CHECK_INT(cgs_read(dfd, NULL, &st, &cause), 0);
	CHECK_INT(st.cpu_usec, 0);
	CHECK(st.mem_current == CGS_NONE && st.mem_max == CGS_NONE);
	CHECK(st.pids_current == CGS_NONE && st.pids_max == CGS_NONE);
	CHECK(st.io_rbytes == CGS_NONE && st.io_wbytes == CGS_NONE);
	cgs_row(&st, &row);
	CHECK_INT(row.cpu_usec, 0);
	CHECK(row.mem_current == PROTO_STATS_NONE &&
	    row.mem_max == PROTO_STATS_NONE &&
	    row.pids_current == PROTO_STATS_NONE &&
	    row.pids_max == PROTO_STATS_NONE &&
	    row.io_rbytes == PROTO_STATS_NONE &&
	    row.io_wbytes == PROTO_STATS_NONE);
	close(dfd);
	dfd = group("noio", noio);
	CHECK_INT(cgs_read(dfd, NULL, &st, &cause), 0);
	CHECK_INT(st.io_rbytes, 0);
	CHECK_INT(st.io_wbytes, 0);
	close(dfd);
}

static void
bad(const char *name, const char *const *files, const char *want)
{
	struct cg_stats	 st;
	char		*cause = NULL;
	int		 dfd = group(name, files);

	CHECK_INT(cgs_read(dfd, NULL, &st, &cause), -1);
	CHECK_STR(cause, want);
	free(cause);
	close(dfd);
}

static void
test_bad(void)
{
	const char *const none[] = { "memory.current", "1\n", NULL };
	const char *const nousage[] = { "cpu.stat", "user_usec 5\n"
	    "xusage_usec 4\n", NULL };
	const char *const word[] = { "cpu.stat", cpu_stat, "memory.current",
	    "lots\n", NULL };
	const char *const neg[] = { "cpu.stat", cpu_stat, "pids.current",
	    "-1\n", NULL };
	const char *const huge[] = { "cpu.stat", "usage_usec "
	    "99999999999999999999999\n", NULL };
	const char *const io[] = { "cpu.stat", cpu_stat, "io.stat",
	    "8:0 rios=1 wios=2\n", NULL };

	bad("none", none, "cpu.stat: No such file or directory");
	bad("nousage", nousage, "cpu.stat: no usage_usec");
	bad("word", word, "memory.current: not a number");
	bad("neg", neg, "pids.current: not a number");
	bad("huge", huge, "cpu.stat: no usage_usec");
	bad("io", io, "io.stat: a line without rbytes or wbytes");
}

/*
 * Kept files: the first read opens and keeps them, later reads see what
 * the files say then (pread at 0, as kernfs makes the text anew at each
 * read), and a group whose files went away is an error, not a stale
 * number; the files are opened again once they are back.
 */
static void
test_kept(void)
{
	const char *const files[] = { "cpu.stat", "usage_usec 1\n",
	    "memory.current", "4096\n", "pids.current", "1\n", NULL };
	struct cgs_files *k = cgs_files_new();
	struct cg_stats	 st;
	char		*cause = NULL, *dir = xasprintf("%s/kept", tmpdir);
	char		*path = xasprintf("%s/cpu.stat", dir);
	int		 dfd = group("kept", files), fd, before, first;

	first = dup(0);		/* where cpu.stat will be kept */
	close(first);
	CHECK_INT(cgs_read(dfd, k, &st, &cause), 0);
	CHECK_INT(st.cpu_usec, 1);
	before = dup(0);	/* the next free descriptor number */
	close(before);
	CHECK_INT(before, first + 3);	/* 3 kept: no io.stat here */
	/* In place (same inode), a longer text than before. */
	CHECK((fd = open(path, O_WRONLY | O_TRUNC)) != -1);
	CHECK(write(fd, "usage_usec 123456\n", 18) == 18);
	close(fd);
	CHECK_INT(cgs_read(dfd, k, &st, &cause), 0);
	CHECK_INT(st.cpu_usec, 123456);
	CHECK_INT(st.mem_current, 4096);
	/* Nothing more opened and left open by the second read. */
	fd = dup(0);
	CHECK_INT(fd, before);
	close(fd);
	/* A kept file that fails (here a directory in its place: EISDIR;
	 * a removed group's files: ENODEV) is an error, then let go and
	 * opened again at the next read. */
	CHECK(dup2(dfd, first) == first);
	CHECK_INT(cgs_read(dfd, k, &st, &cause), -1);
	CHECK_STR(cause, "cpu.stat: Is a directory");
	free(cause);
	cause = NULL;
	CHECK_INT(cgs_read(dfd, k, &st, &cause), 0);
	CHECK_INT(st.cpu_usec, 123456);
	cgs_files_free(k);
	/* Without kept files, nothing stays open either. */
	CHECK_INT(cgs_read(dfd, NULL, &st, &cause), 0);
	fd = dup(0);
	CHECK(fd <= before);
	close(fd);
	close(dfd);
	free(path);
	free(dir);
}

int
main(void)
{
	char	*cmd;

	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_full();
	test_core_only();
	test_bad();
	test_kept();
	cmd = xasprintf("rm -rf %s", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "%s failed\n", cmd);
	free(cmd);
	return unit_done("cgroup_stats");
}

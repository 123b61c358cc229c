/* SPDX-License-Identifier: ISC */
/*
 * cgroup-stats.c: reading what a group uses from its interface files --
 * cpu.stat's usage_usec, memory.current, pids.current, io.stat's rbytes
 * and wbytes summed over its devices -- for `supctl stats`, and those
 * numbers as a row of the STATS reply. The limits (memory.max, pids.max)
 * are what supd wrote (cgroup-limits.c: cgl_value), not read.
 *
 * The files are kept open (struct cgs_files, one per service, from its
 * first stats on) and re-read with pread at offset 0, where kernfs
 * generates the text anew: under qemu TCG, where the bar was measured,
 * an open + read + close of one file cost 0.1-0.25 ms and a pread of a
 * kept one a tenth of that, so opening 6 files a group at each call made
 * stats of 1000 services 6x `status`. The price: 4 descriptors a group
 * and the kernel's buffer of each (a page). They are kept only while
 * the descriptor's number is below half the open files limit, so the
 * services' pipes and the clients always have the other half; past it a
 * file is opened, read and closed at each call as before.
 */
#include <sys/resource.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-stats.h"
#include "proto.h"
#include "util.h"

/* io.stat holds a line per device; more than this many bytes of it are
 * not read (a machine with hundreds of disks loses the last ones). */
#define STAT_FILE_MAX	(64 * 1024)

enum { F_CPU, F_MEMORY, F_PIDS, F_IO, F_N };

static const char *const file_name[F_N] = {
	[F_CPU] = "cpu.stat", [F_MEMORY] = "memory.current",
	[F_PIDS] = "pids.current", [F_IO] = "io.stat",
};

struct cgs_files {
	int	fd[F_N];	/* -1: not kept (not yet, or over budget) */
};

struct cgs_files *
cgs_files_new(void)
{
	struct cgs_files	*k = xcalloc(1, sizeof *k);
	int			 i;

	for (i = 0; i < F_N; i++)
		k->fd[i] = -1;
	return k;
}

void
cgs_files_free(struct cgs_files *k)
{
	int	i;

	if (k == NULL)
		return;
	for (i = 0; i < F_N; i++)
		if (k->fd[i] != -1)
			close(k->fd[i]);
	free(k);
}

/* The first descriptor number not kept: half the open files limit. */
static int
keep_below(void)
{
	struct rlimit	rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1 || rl.rlim_cur == RLIM_INFINITY)
		return 512;
	return rl.rlim_cur / 2 > INT_MAX ? INT_MAX : (int)(rl.rlim_cur / 2);
}

/* The whole text of fd from offset 0 into b: 0, or -1 with errno. */
static int
pread_all(int fd, struct buf *b)
{
	char	chunk[4096];
	ssize_t	n;

	buf_reset(b);
	while (b->len < STAT_FILE_MAX &&
	    (n = pread(fd, chunk, sizeof chunk, (off_t)b->len)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		buf_add(b, chunk, n);
		/* kernfs hands out the whole text a read can hold: a
		 * shorter read was the end (no read only to see 0). */
		if ((size_t)n < sizeof chunk)
			break;
	}
	buf_add(b, "", 0);	/* a NUL after the text, even when empty */
	return 0;
}

/*
 * File i of the group into b, through its kept descriptor in k (NULL:
 * none kept), opening it from dirfd when there is none and keeping it if
 * the budget allows. -1 with errno (ENOENT: no such controller).
 */
static int
read_file(int dirfd, struct cgs_files *k, int i, int below, struct buf *b)
{
	bool	kept = k != NULL && k->fd[i] != -1;
	int	fd, saved, r;

	fd = kept ? k->fd[i] : openat(dirfd, file_name[i], O_RDONLY |
	    O_CLOEXEC);
	if (fd == -1)
		return -1;
	r = pread_all(fd, b);
	saved = errno;
	if (kept && r == -1) {
		k->fd[i] = -1;	/* gone from under us: opened anew next time */
		close(fd);
	} else if (!kept && k != NULL && r == 0 && fd < below)
		k->fd[i] = fd;
	else if (!kept)
		close(fd);
	errno = saved;
	return r;
}

/* A decimal number ending at a space, a newline or the end; "max" is
 * CGS_MAX. -1 if it is neither. */
static int
scan_num(const char *s, uint64_t *v)
{
	uint64_t	n = 0;
	const char	*p = s;

	if (strncmp(s, "max", 3) == 0 && strchr(" \n", s[3]) != NULL) {
		*v = CGS_MAX;
		return 0;
	}
	for (; *p >= '0' && *p <= '9'; p++) {
		if (n > (UINT64_MAX - 2 - (uint64_t)(*p - '0')) / 10)
			return -1;
		n = n * 10 + (uint64_t)(*p - '0');
	}
	if (p == s || (*p != '\0' && *p != ' ' && *p != '\n'))
		return -1;
	*v = n;
	return 0;
}

/* The value of "KEY N" lines (cpu.stat) or "KEY=N" words (io.stat). */
static int
find_key(const char *text, const char *key, char sep, uint64_t *v)
{
	size_t		 len = strlen(key);
	const char	*p;

	for (p = text; (p = strstr(p, key)) != NULL; p += len)
		if ((p == text || p[-1] == '\n' || p[-1] == ' ') &&
		    p[len] == sep)
			return scan_num(p + len + 1, v);
	return -1;
}

/* A file of one number (or "max"): 0, 1 for a controller not there, -1
 * with *cause. */
static int
one_number(int dirfd, struct cgs_files *k, int i, int below, struct buf *b,
    uint64_t *v, char **cause)
{
	*v = CGS_NONE;
	if (read_file(dirfd, k, i, below, b) == -1) {
		if (errno == ENOENT)
			return 1;
		*cause = errno_cause("%s", file_name[i]);
		return -1;
	}
	if (scan_num(b->p, v) == -1) {
		*v = CGS_NONE;
		*cause = xasprintf("%s: not a number", file_name[i]);
		return -1;
	}
	return 0;
}

/* io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N ..." a line per device. */
static int
io_bytes(int dirfd, struct cgs_files *k, int below, struct buf *b,
    struct cg_stats *st, char **cause)
{
	char		*line, *save = NULL;
	uint64_t	 r, w;

	st->io_rbytes = st->io_wbytes = CGS_NONE;
	if (read_file(dirfd, k, F_IO, below, b) == -1) {
		if (errno == ENOENT)
			return 0;
		*cause = errno_cause("io.stat");
		return -1;
	}
	st->io_rbytes = st->io_wbytes = 0;
	for (line = strtok_r(b->p, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (find_key(line, "rbytes", '=', &r) == -1 ||
		    find_key(line, "wbytes", '=', &w) == -1) {
			*cause = xstrdup("io.stat: a line without rbytes or "
			    "wbytes");
			return -1;
		}
		st->io_rbytes += r;
		st->io_wbytes += w;
	}
	return 0;
}

int
cgs_read(int dirfd, struct cgs_files *k, struct cg_stats *st, char **cause)
{
	struct buf	b = { 0 };
	int		r = -1, below = keep_below();

	st->cpu_usec = CGS_NONE;
	st->mem_max = st->pids_max = CGS_NONE;	/* the caller's to give */
	if (read_file(dirfd, k, F_CPU, below, &b) == -1)
		*cause = errno_cause("cpu.stat");
	else if (find_key(b.p, "usage_usec", ' ', &st->cpu_usec) == -1) {
		st->cpu_usec = CGS_NONE;
		*cause = xstrdup("cpu.stat: no usage_usec");
	} else if (one_number(dirfd, k, F_MEMORY, below, &b,
	    &st->mem_current, cause) != -1 && one_number(dirfd, k, F_PIDS,
	    below, &b, &st->pids_current, cause) != -1)
		r = io_bytes(dirfd, k, below, &b, st, cause);
	buf_free(&b);
	return r;
}

/* A number as the protocol carries it. */
static int64_t
wire(uint64_t v)
{
	if (v == CGS_MAX)
		return PROTO_STATS_MAX;
	return v == CGS_NONE || v > INT64_MAX ? PROTO_STATS_NONE : (int64_t)v;
}

void
cgs_row(const struct cg_stats *cs, struct proto_stats *st)
{
	st->cpu_usec = wire(cs->cpu_usec);
	st->mem_current = wire(cs->mem_current);
	st->mem_max = wire(cs->mem_max);
	st->pids_current = wire(cs->pids_current);
	st->pids_max = wire(cs->pids_max);
	st->io_rbytes = wire(cs->io_rbytes);
	st->io_wbytes = wire(cs->io_wbytes);
}

/* SPDX-License-Identifier: ISC */
/*
 * cgroup-stats.c: reading what a group uses from its interface files --
 * cpu.stat's usage_usec, memory.current and memory.max, pids.current and
 * pids.max, io.stat's rbytes and wbytes summed over its devices -- for
 * `supctl stats`. Each file is small (io.stat: a line per device) and
 * read whole with one openat and one or two reads from the group's
 * directory fd: no path is resolved again, and the loop does not wait (a
 * cgroup file is generated in memory). And those numbers as a row of the
 * STATS reply.
 */
#include <errno.h>
#include <fcntl.h>
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

/* file of dirfd into b; -1 with errno (ENOENT: no such controller). */
static int
read_file(int dirfd, const char *file, struct buf *b)
{
	char	chunk[4096];
	ssize_t	n;
	int	fd, saved;

	buf_reset(b);
	if ((fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	while (b->len < STAT_FILE_MAX &&
	    (n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		buf_add(b, chunk, n);
		/* kernfs hands out the whole text a read can hold: a
		 * shorter read was the end (no read only to see 0). */
		if ((size_t)n < sizeof chunk)
			break;
	}
	close(fd);
	buf_add(b, "", 0);	/* a NUL after the text, even when empty */
	return 0;
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
one_number(int dirfd, const char *file, struct buf *b, uint64_t *v,
    char **cause)
{
	*v = CGS_NONE;
	if (read_file(dirfd, file, b) == -1) {
		if (errno == ENOENT)
			return 1;
		*cause = errno_cause("%s", file);
		return -1;
	}
	if (scan_num(b->p, v) == -1) {
		*v = CGS_NONE;
		*cause = xasprintf("%s: not a number", file);
		return -1;
	}
	return 0;
}

/* io.stat: "MAJ:MIN rbytes=N wbytes=N rios=N ..." a line per device. */
static int
io_bytes(int dirfd, struct buf *b, struct cg_stats *st, char **cause)
{
	char		*line, *save = NULL;
	uint64_t	 r, w;

	st->io_rbytes = st->io_wbytes = CGS_NONE;
	if (read_file(dirfd, "io.stat", b) == -1) {
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
cgs_read(int dirfd, struct cg_stats *st, char **cause)
{
	struct buf	b = { 0 };
	int		r = -1;

	st->cpu_usec = CGS_NONE;
	if (read_file(dirfd, "cpu.stat", &b) == -1)
		*cause = errno_cause("cpu.stat");
	else if (find_key(b.p, "usage_usec", ' ', &st->cpu_usec) == -1) {
		st->cpu_usec = CGS_NONE;
		*cause = xstrdup("cpu.stat: no usage_usec");
	} else if (one_number(dirfd, "memory.current", &b, &st->mem_current,
	    cause) != -1 && one_number(dirfd, "memory.max", &b, &st->mem_max,
	    cause) != -1 && one_number(dirfd, "pids.current", &b,
	    &st->pids_current, cause) != -1 && one_number(dirfd, "pids.max",
	    &b, &st->pids_max, cause) != -1)
		r = io_bytes(dirfd, &b, st, cause);
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

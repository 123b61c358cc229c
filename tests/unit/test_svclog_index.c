/* SPDX-License-Identifier: ISC */
/*
 * test_svclog_index.c: unit tests for the time index reader and writer of
 * svclog-index.c: lookups by offset (before the first record, between
 * records, equal offsets, in order across blocks, going back), and files
 * that are not an index -- empty, a torn header, a wrong magic or version,
 * a torn record, an offset past the end of the log, records out of order --
 * each an error, never a crash; the writer's header, its reset of a
 * foreign or stale file and its bound, and what it refuses to open: a
 * symlink or a hard link planted at its name.
 */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "svclog-private.h"
#include "unit.h"

static char	path[64];

static void
put_hdr(int fd, const char *magic, uint32_t version)
{
	char		h[16] = { 0 };
	uint32_t	v = htole32(version);

	memcpy(h, magic, 8);
	memcpy(h + 8, &v, 4);
	CHECK(write(fd, h, 16) == 16);
}

static void
put_rec(int fd, uint64_t off, int64_t ms)
{
	uint64_t	r[2] = { htole64(off), htole64((uint64_t)ms) };

	CHECK(write(fd, r, 16) == 16);
}

/* A fresh file at path, opened for writing, then reading. */
static int
fresh(void)
{
	int	fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);

	CHECK(fd != -1);
	return fd;
}

static void
test_lookup(void)
{
	struct svclog_cur	c;
	int64_t			ms = 0;
	uint64_t		i;
	int			fd = fresh();

	put_hdr(fd, "supdlidx", 1);
	put_rec(fd, 10, 1000);
	put_rec(fd, 20, 2000);
	put_rec(fd, 20, 2500);		/* same offset: the later counts */
	put_rec(fd, 40, 4000);
	CHECK_INT(svclog_cur_open(&c, fd, 100), 0);
	CHECK_INT(c.n, 4);
	CHECK_INT(svclog_cur_time(&c, 0, &ms), 1);	/* before the first */
	CHECK_INT(svclog_cur_time(&c, 10, &ms), 0);
	CHECK_INT(ms, 1000);
	CHECK_INT(svclog_cur_time(&c, 19, &ms), 0);
	CHECK_INT(ms, 1000);
	CHECK_INT(svclog_cur_time(&c, 20, &ms), 0);
	CHECK_INT(ms, 2500);
	CHECK_INT(svclog_cur_time(&c, 99, &ms), 0);
	CHECK_INT(ms, 4000);
	/* Going back seeks again. */
	CHECK_INT(svclog_cur_time(&c, 15, &ms), 0);
	CHECK_INT(ms, 1000);
	close(fd);

	/* Many records: blocks of 256, read in order and by bisection. */
	fd = fresh();
	put_hdr(fd, "supdlidx", 1);
	for (i = 0; i < 1000; i++)
		put_rec(fd, i * 10, (int64_t)i);
	CHECK_INT(svclog_cur_open(&c, fd, 10000), 0);
	for (i = 0; i < 1000; i += 7) {
		CHECK_INT(svclog_cur_time(&c, i * 10 + 5, &ms), 0);
		CHECK_INT(ms, (int64_t)i);
	}
	CHECK_INT(svclog_cur_open(&c, fd, 10000), 0);
	CHECK_INT(svclog_cur_time(&c, 7777, &ms), 0);
	CHECK_INT(ms, 777);
	close(fd);
}

/* open must fail with EINVAL on what fd holds. */
static void
bad_open(int fd, uint64_t logsize)
{
	struct svclog_cur	c;

	errno = 0;
	CHECK_INT(svclog_cur_open(&c, fd, logsize), -1);
	CHECK_INT(errno, EINVAL);
	close(fd);
}

static void
test_corrupt(void)
{
	struct svclog_cur	c;
	int64_t			ms;
	int			fd;

	bad_open(fresh(), 10);				/* empty */
	fd = fresh();
	CHECK(write(fd, "supdli", 6) == 6);		/* torn header */
	bad_open(fd, 10);
	fd = fresh();
	put_hdr(fd, "notindex", 1);
	bad_open(fd, 10);
	fd = fresh();
	put_hdr(fd, "supdlidx", 2);			/* a later version */
	bad_open(fd, 10);
	fd = fresh();
	put_hdr(fd, "supdlidx", 1);
	put_rec(fd, 0, 1);
	CHECK(write(fd, "abc", 3) == 3);		/* torn record */
	bad_open(fd, 10);

	/* An offset past its log. */
	fd = fresh();
	put_hdr(fd, "supdlidx", 1);
	put_rec(fd, 0, 1);
	put_rec(fd, 1000, 2);
	CHECK_INT(svclog_cur_open(&c, fd, 10), 0);
	errno = 0;
	CHECK_INT(svclog_cur_time(&c, 5, &ms), -1);
	CHECK_INT(errno, EINVAL);
	close(fd);

	/* Out of order, met walking forward. */
	fd = fresh();
	put_hdr(fd, "supdlidx", 1);
	put_rec(fd, 0, 1);
	put_rec(fd, 8, 2);
	put_rec(fd, 4, 3);
	CHECK_INT(svclog_cur_open(&c, fd, 100), 0);
	CHECK_INT(svclog_cur_time(&c, 0, &ms), 0);
	errno = 0;
	CHECK_INT(svclog_cur_time(&c, 50, &ms), -1);
	CHECK_INT(errno, EINVAL);
	close(fd);

	/* Shrunk under the reader: an error, not stale memory. */
	fd = fresh();
	put_hdr(fd, "supdlidx", 1);
	put_rec(fd, 0, 1);
	put_rec(fd, 5, 2);
	CHECK_INT(svclog_cur_open(&c, fd, 100), 0);
	CHECK(ftruncate(fd, 16) == 0);
	errno = 0;
	CHECK_INT(svclog_cur_time(&c, 5, &ms), -1);
	close(fd);
}

/* A stream of a log of max_size 1024 named base in a fresh directory d
 * (64 bytes), with no file open: the index writer's caller. */
static void
writer_stream(struct svclog *sl, struct svclog_stream *st, char *d,
    const char *base)
{
	snprintf(d, 64, "/tmp/supd-idx.XXXXXX");
	CHECK(mkdtemp(d) != NULL);
	memset(sl, 0, sizeof *sl);
	memset(st, 0, sizeof *st);
	sl->conf.max_size = 1024;
	st->sl = sl;
	st->base = base;
	st->dirfd = open(d, O_PATH | O_DIRECTORY);
	st->idx_fd = -1;
}

static void
test_writer(void)
{
	struct svclog		sl;
	struct svclog_stream	st;
	struct svclog_cur	c;
	char			d[64];
	int64_t			ms;
	int			fd;
	uint64_t		i;

	writer_stream(&sl, &st, d, "w.log");
	CHECK_INT(svclog_idx_open(&st), 0);
	CHECK_INT(svclog_idx_note(&st, 111), 0);
	st.size = 30;
	CHECK_INT(svclog_idx_note(&st, 222), 0);
	svclog_idx_close(&st);
	fd = openat(st.dirfd, ".w.log.idx", O_RDONLY);
	CHECK(fd != -1);
	CHECK_INT(svclog_cur_open(&c, fd, 30), 0);
	CHECK_INT(c.n, 2);
	CHECK_INT(svclog_cur_time(&c, 29, &ms), 0);
	CHECK_INT(ms, 111);
	close(fd);

	/* Reopened with its log (30 bytes): kept; with a shorter log, or
	 * an empty one: not this log's, begun again. */
	CHECK_INT(svclog_idx_open(&st), 0);
	CHECK_INT(st.idx_n, 2);
	svclog_idx_close(&st);
	st.size = 10;
	CHECK_INT(svclog_idx_open(&st), 0);
	CHECK_INT(st.idx_n, 0);
	svclog_idx_close(&st);

	/* Full: at least 4096 records, then the log must rotate. */
	st.size = 1;
	CHECK_INT(svclog_idx_open(&st), 0);
	CHECK_INT(svclog_idx_max(&st), 4096);
	for (i = 0; i < 4096; i++)
		CHECK_INT(svclog_idx_note(&st, (int64_t)i), 0);
	CHECK_INT(svclog_idx_note(&st, 5000), 1);
	svclog_idx_close(&st);

	/* A hard link planted at its name is neither written nor emptied. */
	CHECK(unlinkat(st.dirfd, ".w.log.idx", 0) == 0);
	fd = openat(st.dirfd, "other", O_WRONLY | O_CREAT, 0600);
	CHECK(fd != -1 && write(fd, "precious", 8) == 8);
	close(fd);
	CHECK(linkat(st.dirfd, "other", st.dirfd, ".w.log.idx", 0) == 0);
	errno = 0;
	CHECK_INT(svclog_idx_open(&st), -1);
	CHECK_INT(errno, EMLINK);
	fd = openat(st.dirfd, "other", O_RDONLY);
	CHECK(fd != -1);
	{
		char	b[16] = { 0 };

		CHECK(read(fd, b, sizeof b) == 8);
		CHECK_STR(b, "precious");
	}
	close(fd);

	/* A symlink planted at its name is not followed. */
	CHECK(unlinkat(st.dirfd, ".w.log.idx", 0) == 0);
	CHECK(symlinkat("/etc/passwd", st.dirfd, ".w.log.idx") == 0);
	errno = 0;
	CHECK_INT(svclog_idx_open(&st), -1);
	CHECK_INT(errno, ELOOP);
	close(st.dirfd);
	unit_rm_rf(d);
}

/* A file cut at a line end for rotation: its index loses the records
 * from the cut on and says the time of the byte at the cut. */
static void
test_cut(void)
{
	struct svclog		sl;
	struct svclog_stream	st;
	struct svclog_cur	c;
	char			d[64];
	int64_t			ms;
	int			fd;

	writer_stream(&sl, &st, d, "c.log");
	CHECK_INT(svclog_idx_open(&st), 0);
	for (st.size = 0; st.size <= 300; st.size += 100)
		CHECK_INT(svclog_idx_note(&st, (int64_t)st.size + 1), 0);
	st.size = 350;
	/* Inside the record at 200: it stays, 300 goes. */
	CHECK_INT(svclog_idx_cut(&st, 250, &ms), 0);
	CHECK_INT(ms, 201);
	CHECK_INT(st.idx_n, 3);
	/* At a record's offset: that record goes too, its time is said. */
	st.size = 250;
	CHECK_INT(svclog_idx_cut(&st, 200, &ms), 0);
	CHECK_INT(ms, 201);
	CHECK_INT(st.idx_n, 2);
	svclog_idx_close(&st);
	fd = openat(st.dirfd, ".c.log.idx", O_RDONLY);
	CHECK(fd != -1);
	CHECK_INT(svclog_cur_open(&c, fd, 200), 0);
	CHECK_INT(c.n, 2);
	CHECK_INT(svclog_cur_time(&c, 199, &ms), 0);
	CHECK_INT(ms, 101);
	close(fd);
	/* Before the first record: no time, every record goes. */
	st.size = 0;
	CHECK_INT(svclog_idx_open(&st), 0);
	st.size = 200;
	CHECK_INT(svclog_idx_note(&st, 7), 0);
	CHECK_INT(svclog_idx_cut(&st, 100, &ms), 0);
	CHECK(ms == INT64_MIN);
	CHECK_INT(st.idx_n, 0);
	svclog_idx_close(&st);
	close(st.dirfd);
	unit_rm_rf(d);
}

int
main(void)
{
	int	fd;

	snprintf(path, sizeof path, "/tmp/supd-idx-test.XXXXXX");
	CHECK((fd = mkstemp(path)) != -1);
	close(fd);
	test_lookup();
	test_corrupt();
	test_writer();
	test_cut();
	unlink(path);
	return unit_done("svclog_index");
}

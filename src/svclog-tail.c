/* SPDX-License-Identifier: ISC */
/*
 * svclog-tail.c: the last lines of a service's main log, for `supctl logs
 * -n N`, read back from NAME.log and its rotated files NAME.log.1, .2 ...
 *
 * Read with pread() by block from the end, from the log's directory fd
 * (never through a symlink), never more than SVCLOG_TAIL_MAX bytes: a
 * client cannot make supd hold a whole log in memory. Only supd appends
 * and rotates, and both passes run within one call: the files cannot move
 * between them.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <unistd.h>

#include "svclog-private.h"

#define SVCLOG_TAIL_MAX	(1024 * 1024)	/* most bytes svclog_tail returns */
#define SVCLOG_TAIL_BLK	(64 * 1024)	/* svclog_tail reads backwards by this */

/* The state of one svclog_tail: where each file's share starts. */
struct tail {
	const struct svclog_stream *st;	/* the main stream */
	char		*blk;		/* SVCLOG_TAIL_BLK bytes read at a time */
	uint64_t	*start;		/* file i's share begins at start[i] */
	uint64_t	*size;		/* ... and ends at size[i] */
	unsigned	 nf;		/* files with a share: 0 .. nf-1 */
	uint64_t	 total;		/* bytes scanned, up to SVCLOG_TAIL_MAX */
	uint64_t	 need;		/* line starts still to find */
	bool		 first;		/* the next byte is the log's last */
	bool		 have_bnd;	/* a line start has been seen: */
	unsigned	 bnd_file;	/* the newest one, in this file */
	uint64_t	 bnd_off;	/* at this offset */
	bool		 done;		/* the scan is over */
	int		 ret;		/* -1: a file could not be read */
};

static int
pread_full(int fd, char *p, size_t n, off_t off)
{
	ssize_t	r;

	while (n > 0) {
		r = pread(fd, p, n, off);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;	/* shrank under us */
			return -1;
		}
		p += r;
		n -= (size_t)r;
		off += r;
	}
	return 0;
}

static int
tail_open(const struct svclog_stream *st, unsigned i, uint64_t *size)
{
	char		name[PATH_MAX];
	struct stat	sb;
	int		fd;

	if (st->dirfd == -1) {
		errno = ENOENT;
		return -1;
	}
	if (i == 0)
		fd = openat(st->dirfd, st->base, O_RDONLY | O_CLOEXEC |
		    O_NOFOLLOW | O_NONBLOCK);
	else {
		if (svclog_rot_name(name, sizeof name, st->base, i) == -1)
			return -1;
		fd = openat(st->dirfd, name, O_RDONLY | O_CLOEXEC |
		    O_NOFOLLOW | O_NONBLOCK);
	}
	if (fd == -1)
		return -1;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	*size = (uint64_t)sb.st_size;
	return fd;
}

/*
 * Count the block of file i that starts at off (len bytes, in t->blk)
 * backwards into the tail, and stop the scan once `lines` lines or the
 * byte cap are covered.
 */
static void
tail_scan_block(struct tail *t, unsigned i, uint64_t off, size_t len)
{
	size_t	j;

	for (j = len; j-- > 0;) {
		if (t->total == SVCLOG_TAIL_MAX) {
			/* Keep the newest whole lines. */
			if (t->have_bnd) {
				t->nf = t->bnd_file + 1;
				t->start[t->bnd_file] = t->bnd_off;
			} else
				t->start[i] = off + j + 1;
			t->done = true;
			return;
		}
		t->total++;
		if (t->blk[j] != '\n') {
			t->first = false;
			continue;
		}
		if (t->first) {
			/* The newline ending the last line. */
			t->first = false;
			continue;
		}
		if (--t->need == 0) {
			t->start[i] = off + j + 1;
			t->done = true;
			return;
		}
		t->have_bnd = true;
		t->bnd_file = i;
		t->bnd_off = off + j + 1;
	}
}

/* Scan file i (0: NAME.log, i: NAME.log.i) from its end; the scan ends
 * where there is no such file, or it cannot be read (t->ret -1). */
static void
tail_scan_file(struct tail *t, unsigned i)
{
	uint64_t	sz, pos, off, len;
	int		fd;

	if ((fd = tail_open(t->st, i, &sz)) == -1) {
		if (i > 0) {
			t->done = true;
			return;
		}
		sz = 0;	/* between rotation and reopen */
	}
	t->start = xreallocarray(t->start, i + 1, sizeof *t->start);
	t->size = xreallocarray(t->size, i + 1, sizeof *t->size);
	t->start[i] = 0;
	t->size[i] = sz;
	t->nf = i + 1;
	for (pos = sz; pos > 0 && !t->done; pos = off) {
		len = pos < SVCLOG_TAIL_BLK ? pos : SVCLOG_TAIL_BLK;
		off = pos - len;
		if (pread_full(fd, t->blk, (size_t)len, (off_t)off) == -1) {
			t->ret = -1;
			t->done = true;
			break;
		}
		tail_scan_block(t, i, off, (size_t)len);
	}
	if (fd != -1)
		close(fd);
}

/* Append each file's share, oldest first; -1 with errno. */
static int
tail_copy(struct tail *t, struct buf *out)
{
	uint64_t	sz, pos, len;
	unsigned	i;
	int		fd, ret = 0;

	for (i = t->nf; ret == 0 && i-- > 0;) {
		if (t->start[i] >= t->size[i])
			continue;
		if ((fd = tail_open(t->st, i, &sz)) == -1)
			return -1;
		for (pos = t->start[i]; pos < t->size[i]; pos += len) {
			len = t->size[i] - pos;
			if (len > SVCLOG_TAIL_BLK)
				len = SVCLOG_TAIL_BLK;
			if (pread_full(fd, t->blk, (size_t)len, (off_t)pos) == -1) {
				ret = -1;
				break;
			}
			buf_add(out, t->blk, (size_t)len);
		}
		close(fd);
	}
	return ret;
}

/*
 * Two passes: scan backwards from the end of NAME.log through NAME.log.1,
 * .2 ... counting newlines until `lines` lines (or the byte cap) are
 * covered, remembering where each file's share starts; then append the
 * shares oldest first.
 */
int
svclog_tail(const struct svclog *sl, unsigned lines, struct buf *out)
{
	struct tail	t = { .st = &sl->out, .need = lines, .first = true };
	unsigned	i;

	if (sl->out.path == NULL || lines == 0)
		return 0;
	t.blk = xmalloc(SVCLOG_TAIL_BLK);
	for (i = 0; i <= sl->conf.max_files && !t.done; i++)
		tail_scan_file(&t, i);
	if (t.ret == 0)
		t.ret = tail_copy(&t, out);
	free(t.start);
	free(t.size);
	free(t.blk);
	return t.ret;
}

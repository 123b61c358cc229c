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
 *
 * svclog_tail_times runs the same passes and then reads, for each file's
 * share, that file's time index (svclog-index.c) at each line's offset.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
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
	size_t		*seg_out;	/* if not NULL: where file i's share */
};					/* begins in out (svclog_tail_times) */

int
svclog_pread_full(int fd, char *p, size_t n, off_t off)
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
		if (svclog_pread_full(fd, t->blk, (size_t)len,
		    (off_t)off) == -1) {
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
		if (t->seg_out != NULL)
			t->seg_out[i] = out->len;
		if (t->start[i] >= t->size[i])
			continue;
		if ((fd = tail_open(t->st, i, &sz)) == -1)
			return -1;
		for (pos = t->start[i]; pos < t->size[i]; pos += len) {
			len = t->size[i] - pos;
			if (len > SVCLOG_TAIL_BLK)
				len = SVCLOG_TAIL_BLK;
			if (svclog_pread_full(fd, t->blk, (size_t)len,
			    (off_t)pos) == -1) {
				ret = -1;
				break;
			}
			buf_add(out, t->blk, (size_t)len);
		}
		close(fd);
	}
	return ret;
}

/* Both passes (see svclog_tail); t->ret. */
static void
tail_run(struct tail *t, const struct svclog *sl, struct buf *out)
{
	unsigned	i;
	int		saved;

	t->blk = xmalloc(SVCLOG_TAIL_BLK);
	for (i = 0; i <= sl->conf.max_files && !t->done; i++)
		tail_scan_file(t, i);
	if (t->ret == 0 && t->seg_out != NULL)
		t->seg_out = xreallocarray(t->seg_out, t->nf + 1,
		    sizeof *t->seg_out);
	if (t->ret == 0)
		t->ret = tail_copy(t, out);
	saved = errno;
	free(t->blk);
	t->blk = NULL;
	errno = saved;
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

	if (sl->out.path == NULL || lines == 0)
		return 0;
	tail_run(&t, sl, out);
	free(t.start);
	free(t.size);
	return t.ret;
}

/* "NAME.log" or "NAME.log.I", for messages. */
static char *
file_label(const struct svclog_stream *st, unsigned i)
{
	return i == 0 ? xstrdup(st->base) : xasprintf("%s.%u", st->base, i);
}

/* The time index of file i, opened for reading; -1 with errno (ENOENT:
 * there is none). */
static int
times_open(const struct svclog_stream *st, unsigned i, struct svclog_cur *c,
    uint64_t logsize)
{
	char	log[PATH_MAX], idx[PATH_MAX];
	int	fd, saved;

	if ((i == 0 ? svclog_idx_name(idx, sizeof idx, st->base) :
	    svclog_rot_name(log, sizeof log, st->base, i) == -1 ? -1 :
	    svclog_idx_name(idx, sizeof idx, log)) == -1)
		return -1;
	/* O_NOFOLLOW | O_NONBLOCK: never a planted symlink or FIFO. */
	fd = openat(st->dirfd, idx, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK | O_NOCTTY);
	if (fd == -1)
		return -1;
	if (svclog_cur_open(c, fd, logsize) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	return fd;
}

/*
 * The times of the lines of out that begin in file i's share (out bytes
 * [from, to), file offsets from t->start[i]): line k begins at out offset
 * starts[k]. *k advances past them. -1 with *cause.
 */
static int
times_file(const struct tail *t, unsigned i, const size_t *starts,
    size_t nl, size_t *k, size_t to, int64_t *times, char **cause,
    char **unknown)
{
	struct svclog_cur	 c;
	char			*label;
	int			 fd, r = 0;

	if (*k >= nl || starts[*k] >= to)
		return 0;
	label = file_label(t->st, i);
	if ((fd = times_open(t->st, i, &c, t->size[i])) == -1 &&
	    errno != ENOENT) {
		*cause = errno == EINVAL ? xasprintf(".%s.idx: not a time "
		    "index (corrupt or truncated)", label) :
		    errno_cause(".%s.idx", label);
		free(label);
		return -1;
	}
	for (; *k < nl && starts[*k] < to; (*k)++) {
		r = fd == -1 ? 1 : svclog_cur_time(&c, t->start[i] +
		    (starts[*k] - t->seg_out[i]), &times[*k]);
		if (r == -1) {
			*cause = errno == EINVAL ? xasprintf(".%s.idx: corrupt "
			    "time index", label) : errno_cause(".%s.idx", label);
			break;
		}
		if (r == 1) {
			times[*k] = INT64_MIN;
			if (*unknown == NULL)
				*unknown = xasprintf("%s %s", label, fd == -1 ?
				    "has no time index" : "has lines from "
				    "before its time index");
		}
	}
	if (fd != -1)
		close(fd);
	free(label);
	return r == -1 ? -1 : 0;
}

int
svclog_tail_times(const struct svclog *sl, unsigned lines, struct buf *out,
    int64_t **times, size_t *ntimes, char **cause, char **unknown)
{
	struct tail	 t = { .st = &sl->out, .need = lines, .first = true };
	size_t		*starts = NULL, nl = 0, k = 0, p, to;
	unsigned	 i;
	int		 r = 0;

	*times = NULL;
	*ntimes = 0;
	*cause = *unknown = NULL;
	if (sl->out.path == NULL || lines == 0)
		return 0;
	t.seg_out = xcalloc(1, sizeof *t.seg_out);
	tail_run(&t, sl, out);
	if (t.ret == -1) {
		*cause = errno_cause("%s: cannot read log", sl->name);
		r = -1;
		goto out;
	}
	/* Where each line begins in out. */
	for (p = 0; p < out->len; p++)
		if (p == 0 || out->p[p - 1] == '\n') {
			starts = xreallocarray(starts, nl + 1, sizeof *starts);
			starts[nl++] = p;
		}
	*times = xcalloc(nl + 1, sizeof **times);
	*ntimes = nl;
	/* Oldest file first, as out holds them. */
	for (i = t.nf; r == 0 && i-- > 0;) {
		to = i > 0 ? t.seg_out[i - 1] : out->len;
		r = times_file(&t, i, starts, nl, &k, to, *times, cause,
		    unknown);
	}
out:
	free(starts);
	free(t.seg_out);
	free(t.start);
	free(t.size);
	return r;
}

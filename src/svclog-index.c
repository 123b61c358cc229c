/* SPDX-License-Identifier: ISC */
/*
 * svclog-index.c: the time index kept next to each log file, so that
 * `supctl logs --since/--until/-t` work for every service, as docker's do,
 * whether its lines carry a stamp (timestamps = yes) or not.
 *
 * .NAME.log.idx (.NAME.log.N.idx for a rotated file; hidden, so that the
 * log directory lists the logs) is a 16-byte header
 * ("supdlidx", version 1) and records of 16 bytes, {offset in the log file,
 * CLOCK_REALTIME in ms}, both little-endian 64-bit: the bytes of the log
 * from that offset on were written at that time, up to the next record's
 * offset. A record is appended before a write whose time (that of the
 * chunk read from the service, svclog_chunk_ms) differs from the last
 * record's, so a line's time is that of the chunk it arrived in. Only
 * offsets and times: the index never looks at line content (a later
 * splice(2) capture keeps it as is).
 *
 * The writer (svclog_idx_*, called by svclog-file.c) opens the index with
 * its log file, by name within the log's directory fd, never through a
 * symlink and never blocking; a failed index write is a failed log write
 * (when_full applies). An index holds at most svclog_idx_max() records:
 * a full one rotates the log early, so the index of a file stays under a
 * quarter of max_size past a small floor. Rotation renames, removal and
 * pruning treat the index with its log file (svclog-file.c).
 *
 * The reader (svclog_tail_times) walks a file's records with a cursor that
 * reads them by block (pread), for the lines `logs` returns. A missing
 * index, or lines before its first record (a log written by an older
 * supd), leaves those lines without a time; a header, size or order that
 * is not an index's is an error naming the file, never a crash.
 */
#include <sys/stat.h>

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "svclog-private.h"

#define IDX_MAGIC	"supdlidx"
#define IDX_VERSION	1
#define IDX_HDR		16		/* bytes before the first record */
#define IDX_REC		16		/* bytes of a record */
#define IDX_MIN_RECS	4096		/* an index may always hold this many */
#define IDX_BLK		256		/* records read at a time */

static void
rec_pack(unsigned char out[IDX_REC], uint64_t off, int64_t ms)
{
	uint64_t	a = htole64(off), b = htole64((uint64_t)ms);

	memcpy(out, &a, 8);
	memcpy(out + 8, &b, 8);
}

static void
rec_unpack(const unsigned char in[IDX_REC], struct svclog_rec *r)
{
	uint64_t	a, b;

	memcpy(&a, in, 8);
	memcpy(&b, in + 8, 8);
	r->off = le64toh(a);
	r->ms = (int64_t)le64toh(b);
}

int
svclog_idx_name(char *out, size_t len, const char *log)
{
	int	r = snprintf(out, len, ".%s.idx", log);

	if (r < 0 || (size_t)r >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

uint64_t
svclog_idx_max(const struct svclog_stream *st)
{
	uint64_t	n = st->sl->conf.max_size / 64;

	return n > IDX_MIN_RECS ? n : IDX_MIN_RECS;
}

/* Is the header at fd an index's? */
static bool
hdr_ok(int fd)
{
	unsigned char	h[IDX_HDR];
	uint32_t	v;

	if (pread(fd, h, sizeof h, 0) != (ssize_t)sizeof h ||
	    memcmp(h, IDX_MAGIC, 8) != 0)
		return false;
	memcpy(&v, h + 8, 4);
	return le32toh(v) == IDX_VERSION;
}

/* Empty the index (a fresh or foreign file): the header alone. */
static int
idx_reset(int fd)
{
	unsigned char	h[IDX_HDR] = IDX_MAGIC;
	uint32_t	v = htole32(IDX_VERSION);

	memcpy(h + 8, &v, 4);
	ssize_t		w;

	if (ftruncate(fd, 0) == -1)
		return -1;
	if ((w = write(fd, h, sizeof h)) != (ssize_t)sizeof h) {
		if (w >= 0)
			errno = ENOSPC;
		return -1;
	}
	return 0;
}

/* The offset of the last record, or -1 if there is none. */
static int64_t
last_off(int fd, uint64_t n)
{
	unsigned char	b[IDX_REC];
	struct svclog_rec r;

	if (n == 0 || pread(fd, b, sizeof b, (off_t)(IDX_HDR +
	    (n - 1) * IDX_REC)) != (ssize_t)sizeof b)
		return -1;
	rec_unpack(b, &r);
	return r.off > INT64_MAX ? INT64_MAX : (int64_t)r.off;
}

int
svclog_idx_open(struct svclog_stream *st)
{
	char		name[PATH_MAX];
	struct stat	sb;
	uint64_t	n;
	int		fd, saved;

	if (svclog_idx_name(name, sizeof name, st->base) == -1)
		return -1;
	fd = openat(st->dirfd, name, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, 0640);
	if (fd == -1)
		return -1;
	if (fstat(fd, &sb) == -1)
		goto fail;
	if (!S_ISREG(sb.st_mode)) {
		errno = EINVAL;
		goto fail;
	}
	if (sb.st_nlink != 1) {
		/* A second name for another file, planted where the log's
		 * directory is writable: never truncated or written. */
		errno = EMLINK;
		goto fail;
	}
	n = sb.st_size >= IDX_HDR ? (uint64_t)(sb.st_size - IDX_HDR) /
	    IDX_REC : 0;
	/* Not an index, or not this file's (the log is new, or shorter than
	 * where the index has got to): start it afresh. A torn last record
	 * goes. */
	if (sb.st_size < IDX_HDR || !hdr_ok(fd) || st->size == 0 ||
	    last_off(fd, n) > (int64_t)st->size) {
		if (idx_reset(fd) == -1)
			goto fail;
		n = 0;
	} else if ((uint64_t)sb.st_size != IDX_HDR + n * IDX_REC &&
	    ftruncate(fd, (off_t)(IDX_HDR + n * IDX_REC)) == -1)
		goto fail;
	st->idx_fd = fd;
	st->idx_n = n;
	st->idx_ms = INT64_MIN;
	return 0;
fail:
	saved = errno;
	close(fd);
	errno = saved;
	return -1;
}

void
svclog_idx_close(struct svclog_stream *st)
{
	if (st->idx_fd != -1)
		close(st->idx_fd);
	st->idx_fd = -1;
	st->idx_n = 0;
}

int
svclog_idx_note(struct svclog_stream *st, int64_t ms)
{
	unsigned char	b[IDX_REC];
	ssize_t		w;

	if (st->idx_n >= svclog_idx_max(st))
		return 1;
	rec_pack(b, st->size, ms);
	while ((w = write(st->idx_fd, b, sizeof b)) == -1 && errno == EINTR)
		;
	if (w != (ssize_t)sizeof b) {
		if (w >= 0) {
			/* A torn record would shift every later one. */
			(void)ftruncate(st->idx_fd, (off_t)(IDX_HDR +
			    st->idx_n * IDX_REC));
			errno = ENOSPC;
		}
		return -1;
	}
	st->idx_n++;
	st->idx_ms = ms;
	return 0;
}

int
svclog_idx_cut(struct svclog_stream *st, uint64_t cut, int64_t *ms)
{
	struct svclog_cur c;
	uint64_t	keep;
	int		r;

	*ms = INT64_MIN;
	if (st->idx_fd == -1 || st->idx_n == 0)
		return 0;
	if (svclog_cur_open(&c, st->idx_fd, st->size) == -1 ||
	    (r = svclog_cur_time(&c, cut, ms)) == -1)
		return -1;
	if (r == 1) {
		*ms = INT64_MIN;	/* no record at or before cut */
		keep = 0;
	} else
		keep = c.at.off == cut ? (uint64_t)c.cur :
		    (uint64_t)c.cur + 1;
	if (keep < st->idx_n && ftruncate(st->idx_fd, (off_t)(IDX_HDR +
	    keep * IDX_REC)) == -1)
		return -1;
	st->idx_n = keep;
	return 0;
}

/* ---- reading ------------------------------------------------------------ */

int
svclog_cur_open(struct svclog_cur *c, int fd, uint64_t logsize)
{
	struct stat	sb;

	memset(c, 0, sizeof *c);
	c->fd = fd;
	c->logsize = logsize;
	c->cur = -1;
	if (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode) ||
	    sb.st_size < IDX_HDR || (sb.st_size - IDX_HDR) % IDX_REC != 0 ||
	    !hdr_ok(fd)) {
		errno = EINVAL;
		return -1;
	}
	c->n = (uint64_t)(sb.st_size - IDX_HDR) / IDX_REC;
	return 0;
}

/* Record i into *r (read by block); -1 with errno. */
static int
cur_get(struct svclog_cur *c, uint64_t i, struct svclog_rec *r)
{
	unsigned char	b[IDX_BLK * IDX_REC];
	uint64_t	k, want;
	ssize_t		got;

	if (i < c->first || i >= c->first + c->len) {
		want = c->n - i < IDX_BLK ? c->n - i : IDX_BLK;
		got = pread(c->fd, b, (size_t)(want * IDX_REC), (off_t)(IDX_HDR +
		    i * IDX_REC));
		if (got != (ssize_t)(want * IDX_REC)) {
			errno = got == -1 ? errno : EINVAL;	/* shrank */
			return -1;
		}
		for (k = 0; k < want; k++)
			rec_unpack(b + k * IDX_REC, &c->blk[k]);
		c->first = i;
		c->len = want;
	}
	*r = c->blk[i - c->first];
	if (r->off > c->logsize) {
		errno = EINVAL;		/* past the end of its log */
		return -1;
	}
	return 0;
}

/* The last record at or before off, by bisection: c->cur (-1: none). */
static int
cur_seek(struct svclog_cur *c, uint64_t off)
{
	struct svclog_rec r;
	uint64_t	lo = 0, hi = c->n, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cur_get(c, mid, &r) == -1)
			return -1;
		if (r.off <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	c->cur = (int64_t)lo - 1;
	if (c->cur >= 0 && cur_get(c, (uint64_t)c->cur, &c->at) == -1)
		return -1;
	c->seeked = true;
	return 0;
}

int
svclog_cur_time(struct svclog_cur *c, uint64_t off, int64_t *ms)
{
	struct svclog_rec r;

	if (!c->seeked || (c->cur >= 0 && off < c->at.off)) {
		if (cur_seek(c, off) == -1)
			return -1;
	}
	/* Forward from where the last lookup ended: lines come in order. */
	while ((uint64_t)(c->cur + 1) < c->n) {
		if (cur_get(c, (uint64_t)(c->cur + 1), &r) == -1)
			return -1;
		if (c->cur >= 0 && r.off < c->at.off) {
			errno = EINVAL;		/* out of order */
			return -1;
		}
		if (r.off > off)
			break;
		c->cur++;
		c->at = r;
	}
	if (c->cur < 0)
		return 1;
	*ms = c->at.ms;
	return 0;
}

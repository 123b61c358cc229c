/* SPDX-License-Identifier: ISC */
/*
 * svclog.c: a service's output, from the pipes supd keeps for the service's
 * whole life into rotating log files.
 *
 * A struct svclog owns one stream for stdout (which also carries stderr when
 * stderr = merge) and, with stderr = separate, a second one. A stream owns
 * both ends of its pipe (so a restart never loses data and a read never sees
 * EOF), made before the service's first start (svclog_open; a start that
 * cannot have them, out of fds, fails and is retried) and kept from then on,
 * its log file descriptor, a held partial line, and while its log
 * cannot be written either the bytes waiting (when_full = block) or a count
 * of the bytes dropped (when_full = drop). The read buffer and the output
 * buffers are static and shared by every service: an idle service costs a
 * few hundred bytes, heap grows only for a partial line or a blocked log.
 *
 * Data path: read() -> complete lines (a partial line is held until its
 * newline, or written as-is once it reaches the line cap) -> console copy
 * and optional timestamp prefix -> append to the log file, rotating before a
 * write would pass max_size -> followers get exactly the bytes appended.
 *
 * Rotation invariant: supd alone appends to NAME.log. Before a write would
 * pass max_size it writes the complete lines that still fit, renames
 * NAME.log.N-1 -> .N ... NAME.log -> NAME.log.1 (or unlinks NAME.log when
 * max_files = 0) and opens a fresh NAME.log; it never copies or truncates.
 * Every byte is written once, to one file, in order: no line is lost or
 * duplicated by rotation. A rotated file ends with '\n' unless a line had to
 * be split: one longer than max_size (split at max_size), or one longer than
 * the line cap that was already being written in pieces.
 */
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "log.h"
#include "svclog.h"

#define SVCLOG_RBUF	(128 * 1024)	/* shared read buffer */
#define SVCLOG_OBUF	(256 * 1024)	/* shared timestamped output */
#define SVCLOG_CBUF	(32 * 1024)	/* shared console copy */
#define SVCLOG_LINE_CAP	(64 * 1024)	/* longest partial line held */
#define SVCLOG_TAIL_MAX	(1024 * 1024)	/* most bytes svclog_tail returns */
#define SVCLOG_TAIL_BLK	(64 * 1024)	/* svclog_tail reads backwards by this */
#define SVCLOG_DRAIN	64		/* reads per pipe at most when closing */
#define SVCLOG_RETRY	1.0		/* seconds between tries of a bad log */
#define SVCLOG_RETRY_MS	1000		/* the same, for drop's own clock */
#define SVCLOG_CHECK_MS	1000		/* ms between checks of the path */
#define SVCLOG_TS_LEN	(RFC3339_LEN)	/* "2026-11-27T18:30:00.123Z " */

struct svclog_stream {
	struct svclog	*sl;
	ev_io		 io;		/* read end; stopped while blocked */
	ev_timer	 retry;		/* armed only while something must be retried */
	int		 rfd;		/* pipe read end (non-blocking), -1 if unused */
	int		 wfd;		/* pipe write end, for the child */
	bool		 is_main;	/* the stdout stream: followers see it */
	char		*path;		/* log file, NULL = read and discard */
	int		 dirfd;		/* its directory, opened once (O_PATH) */
	const char	*base;		/* its name in there (within path) */
	int		 fd;		/* open log file, -1 = open at next write */
	dev_t		 dev;		/* identity of the open file, to notice */
	ino_t		 ino;		/* it being removed or renamed by others */
	uint64_t	 checked;	/* when the identity was last checked
					   (now_ms: monotonic, never ev_now,
					   which follows the wall clock) */
	uint64_t	 size;		/* bytes in the open file */
	bool		 midline;	/* the file does not end with '\n' */
	bool		 bol;		/* the next byte read starts a line */
	struct buf	 hold;		/* partial line waiting for its newline */
	struct buf	 pend;		/* block: output not yet written */
	uint64_t	 dropped;	/* drop: bytes discarded, not yet reported */
	bool		 failing;	/* in a cannot-write episode (warned once) */
	bool		 read_err;	/* read end failed, io stopped until retry */
	uint64_t	 retry_at;	/* drop: no write attempt before this
					   (now_ms) */
};

struct svclog_follower {
	svclog_follow_cb cb;		/* NULL: removed during a call */
	void		*arg;
};

struct svclog {
	char		*name;
	struct log_conf	 conf;		/* own copy */
	struct svclog_stream out;	/* stdout, and stderr when merged */
	struct svclog_stream *err;	/* stderr = separate, else NULL (most
					   services: kept small) */
	struct svclog_follower *fl;
	size_t		 nfl;
	size_t		 capfl;
	int		 fl_busy;	/* > 0 while followers are called */
	bool		 fl_dirty;	/* entries removed while busy */
	bool		 tty;		/* out is a pty: rfd master, wfd slave */
	struct svclog_follower *taps;	/* raw output, for attach */
	size_t		 ntaps;
};

static char	rbuf[SVCLOG_RBUF];
static char	obuf[SVCLOG_OBUF];
static size_t	olen;
static char	cbuf[SVCLOG_CBUF];
static size_t	clen;
static bool	cfail;			/* console write failed: skip the batch */
static char	stamp[RFC3339_LEN];	/* time of the batch being handled */
static int	console_fd = -1;

static int	file_write(struct svclog_stream *, const char *, size_t,
		    size_t *);

static void
conf_copy(struct log_conf *dst, const struct log_conf *src)
{
	*dst = *src;
	dst->file = src->file != NULL ? xstrdup(src->file) : NULL;
	dst->err_file = src->err_file != NULL ? xstrdup(src->err_file) : NULL;
}

static void
conf_clear(struct log_conf *c)
{
	free(c->file);
	free(c->err_file);
	c->file = c->err_file = NULL;
}

static bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static size_t
line_cap(const struct svclog *sl)
{
	if (sl->conf.max_size < SVCLOG_LINE_CAP)
		return sl->conf.max_size > 0 ? (size_t)sl->conf.max_size : 1;
	return SVCLOG_LINE_CAP;
}

static void
notify(struct svclog *sl, const char *p, size_t n)
{
	size_t	i, j, count = sl->nfl;

	sl->fl_busy++;
	for (i = 0; i < count && i < sl->nfl; i++) {
		if (sl->fl[i].cb != NULL)
			sl->fl[i].cb(sl->fl[i].arg, p, n);
	}
	if (--sl->fl_busy == 0 && sl->fl_dirty) {
		for (i = j = 0; i < sl->nfl; i++) {
			if (sl->fl[i].cb != NULL)
				sl->fl[j++] = sl->fl[i];
		}
		sl->nfl = j;
		sl->fl_dirty = false;
	}
}

/* Console copies: best effort, one write per buffer, never retried. */
static void
cons_flush(void)
{
	if (clen > 0 && !cfail && write(console_fd, cbuf, clen) != (ssize_t)clen)
		cfail = true;
	clen = 0;
}

static void
cons_add(const char *p, size_t n)
{
	size_t	take;

	while (n > 0 && !cfail) {
		take = SVCLOG_CBUF - clen < n ? SVCLOG_CBUF - clen : n;
		memcpy(cbuf + clen, p, take);
		clen += take;
		p += take;
		n -= take;
		if (clen == SVCLOG_CBUF)
			cons_flush();
	}
}

/* Copy each line (or piece of one) as "NAME | line\n". */
static void
cons_copy(const struct svclog *sl, const char *p, size_t n)
{
	size_t		 nlen = strlen(sl->name), seg, len;
	const char	*nl;

	cfail = false;
	clen = 0;
	while (n > 0 && !cfail) {
		nl = memchr(p, '\n', n);
		seg = nl != NULL ? (size_t)(nl - p) + 1 : n;
		len = nl != NULL ? seg - 1 : seg;
		if (clen + nlen + 3 + len + 1 > SVCLOG_CBUF)
			cons_flush();
		cons_add(sl->name, nlen);
		cons_add(" | ", 3);
		cons_add(p, len);
		cons_add("\n", 1);
		p += seg;
		n -= seg;
	}
	cons_flush();
}

static void
stream_ok(struct svclog_stream *st)
{
	if (!st->failing)
		return;
	st->failing = false;
	log_info("svc %s: log %s writable again", st->sl->name, st->path);
}

/* Write the "bytes dropped" line before anything else. */
static int
write_marker(struct svclog_stream *st)
{
	char	m[160];
	size_t	done;
	int	len;

	if (st->sl->conf.timestamps)
		fmt_rfc3339(stamp);
	len = snprintf(m, sizeof m, "%s%s%ssupd: dropped %llu bytes "
	    "(log not writable)\n", st->midline ? "\n" : "",
	    st->sl->conf.timestamps ? stamp : "",
	    st->sl->conf.timestamps ? " " : "",
	    (unsigned long long)st->dropped);
	if (file_write(st, m, (size_t)len, &done) == -1)
		return -1;
	st->dropped = 0;
	return 0;
}

/* Write the drop marker and the bytes kept while blocked. */
static int
flush_pending(struct svclog_stream *st)
{
	size_t	done;
	int	r;

	if (st->dropped > 0 && write_marker(st) == -1)
		return -1;
	while (st->pend.len > 0) {
		r = file_write(st, st->pend.p, st->pend.len, &done);
		buf_consume(&st->pend, done);
		if (r == -1)
			return -1;
	}
	buf_free(&st->pend);
	return 0;
}

/* A write failed with errno: apply when_full to the n bytes not written. */
static void
stream_fail(struct svclog_stream *st, const char *p, size_t n)
{
	struct ev_loop	*loop = EV_DEFAULT;

	if (!st->failing) {
		log_warn("svc %s: log %s", st->sl->name, st->path);
		st->failing = true;
	}
	if (st->sl->conf.when_full == LOG_FULL_BLOCK) {
		buf_add(&st->pend, p, n);
		ev_io_stop(loop, &st->io);
		if (!ev_is_active(&st->retry))
			ev_timer_again(loop, &st->retry);
	} else {
		st->dropped += n;
		st->retry_at = now_ms() + SVCLOG_RETRY_MS;
	}
}

/* Append output (whole lines, or a piece of a long line) to the log. */
static void
stream_write(struct svclog_stream *st, const char *p, size_t n)
{
	size_t	done = 0;

	if (n == 0 || st->path == NULL)
		return;
	if (st->pend.len > 0) {
		/* Blocked: keep order behind what is waiting. */
		buf_add(&st->pend, p, n);
		return;
	}
	if (st->failing && st->sl->conf.when_full == LOG_FULL_DROP &&
	    now_ms() < st->retry_at) {
		st->dropped += n;
		return;
	}
	if ((st->dropped > 0 && write_marker(st) == -1) ||
	    file_write(st, p, n, &done) == -1) {
		stream_fail(st, p + done, n - done);
		return;
	}
	stream_ok(st);
}

static void
out_flush(struct svclog_stream *st)
{
	if (olen > 0)
		stream_write(st, obuf, olen);
	olen = 0;
}

/* Bytes of the stream: complete lines, then at most one piece of a line. */
static void
stream_emit(struct svclog_stream *st, const char *p, size_t n)
{
	const struct log_conf	*c = &st->sl->conf;
	const char		*nl;
	size_t			 seg, take;

	if (n == 0)
		return;
	if (c->console && console_fd >= 0)
		cons_copy(st->sl, p, n);
	if (st->path == NULL || !c->timestamps) {
		stream_write(st, p, n);
		st->bol = p[n - 1] == '\n';
		return;
	}
	olen = 0;
	while (n > 0) {
		nl = memchr(p, '\n', n);
		seg = nl != NULL ? (size_t)(nl - p) + 1 : n;
		/* Keep a line in one write when it fits at all. */
		if (olen + seg + (st->bol ? SVCLOG_TS_LEN : 0) > SVCLOG_OBUF)
			out_flush(st);
		if (st->bol) {
			memcpy(obuf + olen, stamp, SVCLOG_TS_LEN - 1);
			obuf[olen + SVCLOG_TS_LEN - 1] = ' ';
			olen += SVCLOG_TS_LEN;
		}
		while (seg > 0) {
			take = SVCLOG_OBUF - olen < seg ? SVCLOG_OBUF - olen : seg;
			memcpy(obuf + olen, p, take);
			olen += take;
			p += take;
			n -= take;
			seg -= take;
			if (olen == SVCLOG_OBUF)
				out_flush(st);
		}
		st->bol = p[-1] == '\n';
	}
	out_flush(st);
}

/* Split what was read into lines; hold a partial line up to the cap. */
static void
stream_input(struct svclog_stream *st, const char *p, size_t n)
{
	size_t		 cap = line_cap(st->sl), k, take;
	const char	*nl;

	if (st->hold.len > 0) {
		if ((nl = memchr(p, '\n', n)) != NULL) {
			k = (size_t)(nl - p) + 1;
			buf_add(&st->hold, p, k);
			stream_emit(st, st->hold.p, st->hold.len);
			buf_free(&st->hold);
			p += k;
			n -= k;
		} else {
			take = st->hold.len < cap ? cap - st->hold.len : 0;
			if (take > n)
				take = n;
			buf_add(&st->hold, p, take);
			p += take;
			n -= take;
			if (st->hold.len < cap)
				return;
			stream_emit(st, st->hold.p, st->hold.len);
			buf_free(&st->hold);
		}
	}
	if ((nl = memrchr(p, '\n', n)) != NULL) {
		k = (size_t)(nl - p) + 1;
		stream_emit(st, p, k);
		p += k;
		n -= k;
	}
	for (; n >= cap; p += cap, n -= cap)
		stream_emit(st, p, cap);
	if (n > 0)
		buf_add(&st->hold, p, n);
}

/*
 * The log file's directory, opened once (when the path is set, or at the
 * first write if it did not exist then) and used for every operation on
 * the file and its rotated copies, by name within it and never through a
 * symlink: a directory on the way that a service can write (a volume)
 * cannot redirect the log once supd holds it.
 */
static int
stream_dir(struct svclog_stream *st)
{
	char	*dir;

	if (st->dirfd != -1 || st->path == NULL)
		return st->dirfd;
	dir = xstrndup(st->path, st->base - st->path > 1 ?
	    (size_t)(st->base - st->path - 1) : 1);
	st->dirfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	free(dir);
	return st->dirfd;
}

static int
file_open(struct svclog_stream *st)
{
	struct stat	sb;
	int		fd, saved;

	if (stream_dir(st) == -1)
		return -1;
	/* O_NONBLOCK: a FIFO planted at the path must not hang the loop. */
	fd = openat(st->dirfd, st->base, O_WRONLY | O_APPEND | O_CREAT |
	    O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK, 0640);
	if (fd == -1)
		return -1;
	if (fstat(fd, &sb) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		/* Rotation renames the path: only ever a regular file. */
		close(fd);
		errno = EINVAL;
		return -1;
	}
	st->fd = fd;
	st->dev = sb.st_dev;
	st->ino = sb.st_ino;
	st->size = (uint64_t)sb.st_size;
	st->midline = false;
	st->checked = now_ms();
	return 0;
}

static void
file_close(struct svclog_stream *st)
{
	if (st->fd != -1)
		close(st->fd);
	st->fd = -1;
	st->size = 0;
	st->midline = false;
}

/* Reopen when someone removed or renamed the file under us. */
static void
file_check(struct svclog_stream *st)
{
	struct stat	sb;
	uint64_t	now = now_ms();

	if (st->fd == -1 || now - st->checked < SVCLOG_CHECK_MS)
		return;
	st->checked = now;
	if (fstatat(st->dirfd, st->base, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		if (sb.st_dev == st->dev && sb.st_ino == st->ino)
			return;
	} else if (errno != ENOENT)
		return;
	file_close(st);
}

static int
rot_name(char *out, size_t len, const char *path, unsigned n)
{
	int	r;

	r = snprintf(out, len, "%s.%u", path, n);
	if (r < 0 || (size_t)r >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Close the file and shift it into NAME.log.1; the next write reopens. */
static int
file_rotate(struct svclog_stream *st)
{
	char		from[PATH_MAX], to[PATH_MAX];
	struct stat	sb;
	unsigned	max = st->sl->conf.max_files, last, i;

	file_close(st);
	if (stream_dir(st) == -1)
		return -1;
	if (max == 0) {
		if (unlinkat(st->dirfd, st->base, 0) == -1 && errno != ENOENT)
			return -1;
		return 0;
	}
	/* Shift only up to the first free slot; .max is overwritten. */
	for (last = 1; last < max; last++) {
		if (rot_name(from, sizeof from, st->base, last) == -1)
			return -1;
		if (fstatat(st->dirfd, from, &sb, AT_SYMLINK_NOFOLLOW) == -1 &&
		    errno == ENOENT)
			break;
	}
	for (i = last; i > 1; i--) {
		if (rot_name(from, sizeof from, st->base, i - 1) == -1 ||
		    rot_name(to, sizeof to, st->base, i) == -1)
			return -1;
		if (renameat(st->dirfd, from, st->dirfd, to) == -1 &&
		    errno != ENOENT)
			return -1;
	}
	if (rot_name(to, sizeof to, st->base, 1) == -1)
		return -1;
	if (renameat(st->dirfd, st->base, st->dirfd, to) == -1 &&
	    errno != ENOENT)
		return -1;
	if (rot_name(from, sizeof from, st->base, max + 1) == 0)
		(void)unlinkat(st->dirfd, from, 0);
	return 0;
}

/*
 * Append n bytes, rotating at line ends. *done is what reached the file;
 * -1 with errno when the rest cannot be written now.
 */
static int
file_write(struct svclog_stream *st, const char *p, size_t n, size_t *done)
{
	uint64_t	 max = st->sl->conf.max_size, room;
	const char	*nl;
	size_t		 k;
	ssize_t		 w;

	*done = 0;
	if (max == 0)
		max = 1;
	file_check(st);
	while (n > 0) {
		if (st->fd == -1 && file_open(st) == -1)
			return -1;
		room = st->size >= max ? 0 : max - st->size;
		if (n <= room)
			k = n;
		else {
			nl = room > 0 ? memrchr(p, '\n', (size_t)room) : NULL;
			k = nl != NULL ? (size_t)(nl - p) + 1 : 0;
			if (k == 0) {
				/*
				 * No line end fits. Rotate, unless the file is
				 * empty or already mid-line: then this line is
				 * longer than a file and is split at the size.
				 */
				if (room == 0 || (st->size > 0 && !st->midline)) {
					if (file_rotate(st) == -1)
						return -1;
					continue;
				}
				k = (size_t)room;
			}
		}
		while (k > 0) {
			w = write(st->fd, p, k);
			if (w == -1 && errno == EINTR)
				continue;
			if (w <= 0) {
				if (w == 0)
					errno = EIO;
				return -1;
			}
			st->size += (uint64_t)w;
			st->midline = p[w - 1] != '\n';
			if (st->is_main)
				notify(st->sl, p, (size_t)w);
			p += w;
			n -= (size_t)w;
			k -= (size_t)w;
			*done += (size_t)w;
		}
	}
	return 0;
}

/* Attached terminals get the bytes as read, prompts and all. */
static void
tap_raw(struct svclog *sl, const char *p, size_t n)
{
	size_t	i;

	/* Backwards: a tap may remove itself (swapping the last into its
	 * place) from inside its callback. */
	for (i = sl->ntaps; i-- > 0;)
		if (i < sl->ntaps)
			sl->taps[i].cb(sl->taps[i].arg, p, n);
}

/* A terminal's "\r\n" is a plain "\n" in the log. */
static ssize_t
strip_cr(char *p, ssize_t n)
{
	ssize_t	i, o = 0;

	for (i = 0; i < n; i++)
		if (!(p[i] == '\r' && i + 1 < n && p[i + 1] == '\n'))
			p[o++] = p[i];
	return o;
}

static void
svclog_read_cb(EV_P_ ev_io *w, int revents)
{
	struct svclog_stream	*st = w->data;
	ssize_t			 n;

	(void)revents;
	n = read(st->rfd, rbuf, sizeof rbuf);
	if (n > 0 && st->is_main && st->sl->tty) {
		tap_raw(st->sl, rbuf, n);
		n = strip_cr(rbuf, n);
	}
	if (n > 0) {
		if (st->path == NULL && st->hold.len == 0 && st->bol &&
		    (!st->sl->conf.console || console_fd == -1))
			return;		/* file = none: read and discard */
		if (st->sl->conf.timestamps)
			fmt_rfc3339(stamp);
		stream_input(st, rbuf, (size_t)n);
		return;
	}
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n == 0)
		errno = EPIPE;	/* cannot happen while we hold the write end */
	log_warn("svc %s: read output", st->sl->name);
	st->read_err = true;
	ev_io_stop(EV_A_ w);
	if (!ev_is_active(&st->retry))
		ev_timer_again(EV_A_ &st->retry);
}

static void
svclog_retry_cb(EV_P_ ev_timer *w, int revents)
{
	struct svclog_stream	*st = w->data;

	(void)revents;
	if (st->pend.len > 0 || (st->failing && st->dropped > 0 &&
	    st->sl->conf.when_full == LOG_FULL_BLOCK)) {
		if (flush_pending(st) == -1) {
			if (st->sl->conf.when_full == LOG_FULL_BLOCK)
				return;		/* the timer repeats */
			/* Switched to drop by a reload: drop and read on. */
			st->dropped += st->pend.len;
			buf_free(&st->pend);
			st->retry_at = now_ms() + SVCLOG_RETRY_MS;
		} else
			stream_ok(st);
	}
	st->read_err = false;
	ev_timer_stop(EV_A_ w);
	ev_io_start(EV_A_ &st->io);
}

static void
stream_init(struct svclog_stream *st, struct svclog *sl, bool is_main)
{
	memset(st, 0, sizeof *st);
	st->sl = sl;
	st->is_main = is_main;
	st->rfd = st->wfd = st->fd = st->dirfd = -1;
	st->bol = true;
	ev_init(&st->io, svclog_read_cb);
	st->io.data = st;
	ev_init(&st->retry, svclog_retry_cb);
	st->retry.repeat = SVCLOG_RETRY;
	st->retry.data = st;
}

/* A pseudo-terminal in place of the pipe: the master is read, the slave
 * is the service's 0-2 and stays open in supd, so reads never see EIO.
 * -1 with errno. */
static int
stream_pty(struct svclog_stream *st)
{
	int	m, sl, saved;

	if (pty_open(&m, &sl, O_CLOEXEC) == -1)
		return -1;
	if (set_nonblock(m) == -1) {
		saved = errno;
		close(m);
		close(sl);
		errno = saved;
		return -1;
	}
	st->rfd = m;
	st->wfd = sl;
	ev_io_set(&st->io, st->rfd, EV_READ);
	return 0;
}

/* -1 with errno. */
static int
stream_pipe(struct svclog_stream *st)
{
	int	fds[2], saved;

	if (pipe2(fds, O_CLOEXEC) == -1)
		return -1;
	if (set_nonblock(fds[0]) == -1) {
		saved = errno;
		close(fds[0]);
		close(fds[1]);
		errno = saved;
		return -1;
	}
	st->rfd = fds[0];
	st->wfd = fds[1];
	ev_io_set(&st->io, st->rfd, EV_READ);
	return 0;
}

static void
stream_start(struct svclog_stream *st)
{
	if (st->rfd != -1 && st->pend.len == 0 && !st->read_err)
		ev_io_start(EV_DEFAULT, &st->io);
}

static void
stream_set_path(struct svclog_stream *st, const char *path)
{
	if (str_eq(st->path, path))
		return;
	file_close(st);
	if (st->dirfd != -1)
		close(st->dirfd);
	st->dirfd = -1;
	free(st->path);
	st->path = path != NULL ? xstrdup(path) : NULL;
	st->base = st->path != NULL ? strrchr(st->path, '/') + 1 : NULL;
	(void)stream_dir(st);
	st->retry_at = 0;
	if (st->path == NULL) {
		/* Discarding now: what waited for the old file goes. */
		buf_free(&st->pend);
		st->dropped = 0;
		st->failing = false;
	}
}

/*
 * Read what the writers left in the pipe (at most SVCLOG_DRAIN reads, so a
 * writer still going cannot hold the loop) and end a partial last line with
 * a newline. `always` even while blocked (the stream is closing); otherwise
 * a blocked stream is left alone: it holds what it could not write.
 */
static void
stream_drain(struct svclog_stream *st, bool always)
{
	ssize_t	n;
	int	i;

	if (st->rfd == -1 || (!always && !ev_is_active(&st->io)))
		return;
	for (i = 0; i < SVCLOG_DRAIN; i++) {
		if (!always && !ev_is_active(&st->io))
			return;		/* became blocked while draining */
		n = read(st->rfd, rbuf, sizeof rbuf);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (st->sl->conf.timestamps)
			fmt_rfc3339(stamp);
		stream_input(st, rbuf, (size_t)n);
	}
	if (st->hold.len > 0) {
		buf_add(&st->hold, "\n", 1);
		stream_emit(st, st->hold.p, st->hold.len);
		buf_free(&st->hold);
	} else if (!st->bol)
		stream_emit(st, "\n", 1);
}

/*
 * Read what is left, write it (a final partial line gets a newline), make
 * one last attempt at what is waiting, then close everything.
 */
static void
stream_close(struct svclog_stream *st)
{
	struct ev_loop	*loop = EV_DEFAULT;

	if (st->rfd != -1) {
		stream_drain(st, true);
		if (st->path != NULL && (st->pend.len > 0 ||
		    st->dropped > 0) && flush_pending(st) == -1 &&
		    st->pend.len > 0)
			log_warn("svc %s: log %s: %zu bytes lost",
			    st->sl->name, st->path, st->pend.len);
		close(st->rfd);
		close(st->wfd);
		st->rfd = st->wfd = -1;
	}
	ev_io_stop(loop, &st->io);
	ev_timer_stop(loop, &st->retry);
	file_close(st);
	buf_free(&st->hold);
	buf_free(&st->pend);
	if (st->dirfd != -1)
		close(st->dirfd);
	st->dirfd = -1;
	free(st->path);
	st->path = NULL;
	st->base = NULL;
	st->dropped = 0;
	st->failing = st->read_err = false;
	st->bol = true;
}

/* After max_files went down: delete the files beyond it. */
static void
prune_rotated(struct svclog_stream *st, unsigned from, unsigned to)
{
	char		name[PATH_MAX];
	unsigned	i;

	if (st->path == NULL || stream_dir(st) == -1)
		return;
	for (i = from + 1; i <= to; i++) {
		if (rot_name(name, sizeof name, st->base, i) == 0)
			(void)unlinkat(st->dirfd, name, 0);
	}
}

struct svclog *
svclog_new(const char *name, const struct log_conf *conf, bool tty)
{
	struct svclog	*sl;

	sl = xcalloc(1, sizeof *sl);
	sl->name = xstrdup(name);
	sl->tty = tty;
	conf_copy(&sl->conf, conf);
	stream_init(&sl->out, sl, true);
	if (!tty && conf->stderr_mode == LOG_STDERR_SEPARATE) {
		sl->err = xcalloc(1, sizeof *sl->err);
		stream_init(sl->err, sl, false);
		stream_set_path(sl->err, conf->err_file);
	}
	stream_set_path(&sl->out, conf->file);
	return sl;
}

int
svclog_open(struct svclog *sl, const char **what)
{
	if (sl->out.rfd == -1) {
		*what = sl->tty ? "pseudo-terminal" : "log pipe";
		if ((sl->tty ? stream_pty(&sl->out) :
		    stream_pipe(&sl->out)) == -1)
			return -1;
		stream_start(&sl->out);
	}
	if (sl->err != NULL && sl->err->rfd == -1) {
		*what = "log pipe";
		if (stream_pipe(sl->err) == -1)
			return -1;
		stream_start(sl->err);
	}
	return 0;
}

void
svclog_configure(struct svclog *sl, const struct log_conf *conf)
{
	struct log_conf		 old = sl->conf;
	struct svclog_stream	*st;
	bool			 sep = conf->stderr_mode == LOG_STDERR_SEPARATE;
	int			 i;

	/* Written under the old settings, into the old file. */
	if (!sep && sl->err != NULL) {
		stream_close(sl->err);
		free(sl->err);
		sl->err = NULL;
	}
	/* Its pipe comes with the next start (svclog_open). */
	if (sep && sl->err == NULL) {
		sl->err = xcalloc(1, sizeof *sl->err);
		stream_init(sl->err, sl, false);
	}

	conf_copy(&sl->conf, conf);
	stream_set_path(&sl->out, conf->file);
	if (sep)
		stream_set_path(sl->err, conf->err_file);
	if (conf->max_files < old.max_files) {
		prune_rotated(&sl->out, conf->max_files, old.max_files);
		if (sep)
			prune_rotated(sl->err, conf->max_files, old.max_files);
	}
	conf_clear(&old);

	/* A reload is when a fixed log gets tried again: at once. */
	for (i = 0; i < 2; i++) {
		st = i == 0 ? &sl->out : sl->err;
		if (st == NULL || st->rfd == -1)
			continue;
		st->retry_at = 0;
		if (ev_is_active(&st->retry))
			svclog_retry_cb(EV_DEFAULT, &st->retry, EV_TIMER);
	}
}

void
svclog_child_fds(const struct svclog *sl, int *out, int *err)
{
	*out = sl->out.wfd;
	if (sl->tty) {
		*err = sl->out.wfd;	/* a terminal is 0, 1 and 2 */
		return;
	}
	switch (sl->conf.stderr_mode) {
	case LOG_STDERR_MERGE:
		*err = sl->out.wfd;
		break;
	case LOG_STDERR_SEPARATE:
		*err = sl->err != NULL ? sl->err->wfd : -1;
		break;
	default:
		*err = -1;
		break;
	}
}

void
svclog_run_ended(struct svclog *sl)
{
	stream_drain(&sl->out, false);
	if (sl->err != NULL)
		stream_drain(sl->err, false);
}

void
svclog_free(struct svclog *sl)
{
	size_t	i;

	if (sl == NULL)
		return;
	if (sl->err != NULL)
		stream_close(sl->err);
	free(sl->err);
	stream_close(&sl->out);
	while (sl->ntaps > 0) {
		/* An attached client learns the service is gone. */
		sl->ntaps--;
		sl->taps[sl->ntaps].cb(sl->taps[sl->ntaps].arg, NULL, 0);
	}
	free(sl->taps);
	sl->fl_busy++;		/* a follower leaving now must not move others */
	for (i = 0; i < sl->nfl; i++) {
		if (sl->fl[i].cb != NULL)
			sl->fl[i].cb(sl->fl[i].arg, NULL, 0);
	}
	free(sl->fl);
	conf_clear(&sl->conf);
	free(sl->name);
	free(sl);
}

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
		if (rot_name(name, sizeof name, st->base, i) == -1)
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
 * Two passes: scan backwards from the end of NAME.log through NAME.log.1,
 * .2 ... counting newlines until `lines` lines (or the byte cap) are
 * covered, remembering where each file's share starts; then append the
 * shares oldest first.
 */
int
svclog_tail(const struct svclog *sl, unsigned lines, struct buf *out)
{
	const char	*path = sl->out.path;
	uint64_t	*start = NULL, *size = NULL, sz, pos, off, len;
	uint64_t	 total = 0, need = lines, bnd_off = 0;
	unsigned	 nf = 0, i, bnd_file = 0;
	bool		 first = true, done = false, have_bnd = false;
	char		*blk;
	size_t		 j;
	int		 fd, ret = 0;

	if (path == NULL || lines == 0)
		return 0;
	blk = xmalloc(SVCLOG_TAIL_BLK);
	for (i = 0; i <= sl->conf.max_files && !done; i++) {
		if ((fd = tail_open(&sl->out, i, &sz)) == -1) {
			if (i == 0)
				sz = 0;	/* between rotation and reopen */
			else
				break;
		}
		start = xreallocarray(start, i + 1, sizeof *start);
		size = xreallocarray(size, i + 1, sizeof *size);
		start[i] = 0;
		size[i] = sz;
		nf = i + 1;
		for (pos = sz; pos > 0 && !done; pos = off) {
			len = pos < SVCLOG_TAIL_BLK ? pos : SVCLOG_TAIL_BLK;
			off = pos - len;
			if (pread_full(fd, blk, (size_t)len, (off_t)off) == -1) {
				ret = -1;
				done = true;
				break;
			}
			for (j = (size_t)len; j-- > 0;) {
				if (total == SVCLOG_TAIL_MAX) {
					/* Keep the newest whole lines. */
					if (have_bnd) {
						nf = bnd_file + 1;
						start[bnd_file] = bnd_off;
					} else
						start[i] = off + j + 1;
					done = true;
					break;
				}
				total++;
				if (blk[j] != '\n') {
					first = false;
					continue;
				}
				if (first) {
					/* The newline ending the last line. */
					first = false;
					continue;
				}
				if (--need == 0) {
					start[i] = off + j + 1;
					done = true;
					break;
				}
				have_bnd = true;
				bnd_file = i;
				bnd_off = off + j + 1;
			}
		}
		if (fd != -1)
			close(fd);
	}
	for (i = nf; ret == 0 && i-- > 0;) {
		if (start[i] >= size[i])
			continue;
		if ((fd = tail_open(&sl->out, i, &sz)) == -1) {
			ret = -1;
			break;
		}
		for (pos = start[i]; pos < size[i]; pos += len) {
			len = size[i] - pos;
			if (len > SVCLOG_TAIL_BLK)
				len = SVCLOG_TAIL_BLK;
			if (pread_full(fd, blk, (size_t)len, (off_t)pos) == -1) {
				ret = -1;
				break;
			}
			buf_add(out, blk, (size_t)len);
		}
		close(fd);
	}
	free(start);
	free(size);
	free(blk);
	return ret;
}

void
svclog_follow(struct svclog *sl, svclog_follow_cb cb, void *arg)
{
	if (sl->nfl == sl->capfl) {
		sl->capfl = sl->capfl == 0 ? 4 : sl->capfl * 2;
		sl->fl = xreallocarray(sl->fl, sl->capfl, sizeof *sl->fl);
	}
	sl->fl[sl->nfl].cb = cb;
	sl->fl[sl->nfl].arg = arg;
	sl->nfl++;
}

void
svclog_unfollow(struct svclog *sl, svclog_follow_cb cb, void *arg)
{
	size_t	i;

	for (i = 0; i < sl->nfl; i++) {
		if (sl->fl[i].cb != cb || sl->fl[i].arg != arg)
			continue;
		if (sl->fl_busy > 0) {
			sl->fl[i].cb = NULL;
			sl->fl_dirty = true;
		} else {
			memmove(&sl->fl[i], &sl->fl[i + 1],
			    (sl->nfl - i - 1) * sizeof *sl->fl);
			sl->nfl--;
		}
		return;
	}
}

void
svclog_set_console(int fd)
{
	console_fd = fd;
}

bool
svclog_is_tty(const struct svclog *sl)
{
	return sl->tty;
}

void
svclog_tap(struct svclog *sl, svclog_follow_cb cb, void *arg)
{
	sl->taps = xreallocarray(sl->taps, sl->ntaps + 1, sizeof *sl->taps);
	sl->taps[sl->ntaps].cb = cb;
	sl->taps[sl->ntaps].arg = arg;
	sl->ntaps++;
}

void
svclog_untap(struct svclog *sl, svclog_follow_cb cb, void *arg)
{
	size_t	i;

	for (i = 0; i < sl->ntaps; i++)
		if (sl->taps[i].cb == cb && sl->taps[i].arg == arg) {
			sl->taps[i] = sl->taps[--sl->ntaps];
			return;
		}
}

ssize_t
svclog_tty_input(struct svclog *sl, const char *p, size_t len)
{
	if (!sl->tty)
		return -1;
	/* Never waits: what the terminal cannot take now is dropped. */
	return write(sl->out.rfd, p, len);
}

int
svclog_tty_winsize(struct svclog *sl, unsigned rows, unsigned cols)
{
	struct winsize	ws = { .ws_row = rows, .ws_col = cols };

	if (!sl->tty)
		return -1;
	return ioctl(sl->out.rfd, TIOCSWINSZ, &ws);
}

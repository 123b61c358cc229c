/* SPDX-License-Identifier: ISC */
/*
 * svclog.c: a service's output, from the pipes supd keeps for the service's
 * whole life to its log writer (svclog-file.c), the console, followers and
 * attached terminals.
 *
 * A struct svclog owns one stream for stdout (which also carries stderr when
 * stderr = merge) and, with stderr = separate, a second one. A stream owns
 * both ends of its pipe (so a restart never loses data and a read never sees
 * EOF), made before the service's first start (svclog_open; a start that
 * cannot have them, out of fds, fails and is retried) and kept from then on,
 * and a held partial line; its file side is svclog-file.c's. The read
 * buffer and the output buffers are static and shared by every service: an
 * idle service costs a few hundred bytes, heap grows only for a partial
 * line or a blocked log.
 *
 * Fast path (stream_splice): a busy stream whose bytes nothing in supd
 * needs (no timestamps, console copy, follower or terminal) is spliced
 * from the pipe into the file. Otherwise:
 *
 * Data path: read() -> complete lines (a partial line is held until its
 * newline, or written as-is once it reaches the line cap) -> console copy
 * and optional timestamp prefix -> svclog_write (append to the log file,
 * rotating before a write would pass max_size) -> followers get exactly
 * the bytes appended. A tty service's attached clients (taps) get the
 * bytes as read, before any of that.
 */
#include <sys/ioctl.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "log.h"
#include "svclog.h"
#include "svclog-private.h"

#define SVCLOG_RBUF	SVCLOG_PIPE_BIG	/* shared read buffer: a busy pipe's
					   whole content (pages are touched
					   only by busy services' reads) */
#define SVCLOG_OBUF	(512 * 1024)	/* shared timestamped output */
#define SVCLOG_CBUF	(32 * 1024)	/* shared console copy */
#define SVCLOG_DRAIN	64		/* reads per pipe at most when closing */
#define SVCLOG_TS_LEN	(RFC3339_LEN)	/* "2026-11-27T18:30:00.123Z " */
#define SVCLOG_BUSY	(32 * 1024)	/* this much waiting: splice it */

static char	rbuf[SVCLOG_RBUF];
static char	obuf[SVCLOG_OBUF];
static size_t	olen;
static char	cbuf[SVCLOG_CBUF];
static size_t	clen;
static bool	cfail;			/* console write failed: skip the batch */
static char	stamp[RFC3339_LEN];	/* time of the batch being handled */
static int64_t	chunk_ms;		/* the same, for the time index */
static int	console_fd = -1;

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

size_t
svclog_line_cap(const struct svclog *sl)
{
	if (sl->conf.max_size < SVCLOG_LINE_CAP)
		return sl->conf.max_size > 0 ? (size_t)sl->conf.max_size : 1;
	return SVCLOG_LINE_CAP;
}

void
svclog_notify(struct svclog *sl, const char *p, size_t n)
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

const char *
svclog_stamp_now(void)
{
	fmt_rfc3339(stamp);
	return stamp;
}

void
svclog_chunk_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	chunk_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
svclog_chunk_ms(void)
{
	if (chunk_ms == 0)
		svclog_chunk_now();
	return chunk_ms;
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
out_flush(struct svclog_stream *st)
{
	if (olen > 0)
		svclog_write(st, obuf, olen);
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
		svclog_write(st, p, n);
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
	size_t		 cap = svclog_line_cap(st->sl), k, take;
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

/* A busy stream's pipe grows (within pipe-max-size, or stays as it is):
 * fewer wake-ups, bigger splices and reads. */
static void
stream_big(struct svclog_stream *st)
{
	if (!st->big) {
		st->big = true;
		(void)fcntl(st->rfd, F_SETPIPE_SZ, SVCLOG_PIPE_BIG);
	}
}

/* Nothing in supd needs the stream's bytes: none to stamp, copy to the
 * console or to followers, no terminal to clean up, nothing waiting. */
static bool
stream_fast(const struct svclog_stream *st)
{
	const struct svclog	*sl = st->sl;

	return st->path != NULL && !sl->tty && !sl->conf.timestamps &&
	    !(sl->conf.console && console_fd >= 0) &&
	    (!st->is_main || sl->nfl == 0) && st->pend.len == 0 &&
	    !st->failing && st->dropped == 0;
}

/*
 * The fast path: a busy stream (SVCLOG_BUSY waiting) that nothing in supd
 * needs to see goes from the pipe into the file by splice(2), without a
 * copy through supd; a held partial line goes first, and the file then
 * ends mid-line until the rest comes (rotation cuts at a line end: see
 * svclog-file.c). A quiet stream takes the slow path, so that a line is
 * in the file only once whole, as before. Switching costs nothing either
 * way: the fast path keeps no bytes in supd. true if done (or the pipe is
 * empty); false: read the slow way.
 */
static bool
stream_splice(struct svclog_stream *st)
{
	int	avail = SVCLOG_PIPE_BIG;
	ssize_t	n;

	if (!stream_fast(st) || (!st->busy && (ioctl(st->rfd, FIONREAD,
	    &avail) == -1 || avail < SVCLOG_BUSY)))
		return false;
	svclog_chunk_now();
	if (st->hold.len > 0) {
		svclog_write(st, st->hold.p, st->hold.len);
		buf_free(&st->hold);
		st->bol = false;
		if (!stream_fast(st))
			return false;	/* it failed: when_full applies */
	}
	stream_big(st);
	/* Busy: no FIONREAD next time; the file's end is looked at only
	 * when it matters (svclog_file_settle). */
	n = svclog_file_splice(st, (size_t)avail);
	st->busy = n >= SVCLOG_BUSY;
	return n > 0 || errno == EAGAIN;
}

static void
svclog_read_cb(EV_P_ ev_io *w, int revents)
{
	struct svclog_stream	*st = w->data;
	ssize_t			 n;

	(void)revents;
	if (stream_splice(st))
		return;
	n = read(st->rfd, rbuf, sizeof rbuf);
	if (n > 0 && st->is_main && st->sl->tty) {
		tap_raw(st->sl, rbuf, n);
		n = strip_cr(rbuf, n);
	}
	if (n >= SVCLOG_BUSY)
		stream_big(st);
	if (n > 0) {
		if (st->path == NULL && st->hold.len == 0 && st->bol &&
		    (!st->sl->conf.console || console_fd == -1))
			return;		/* file = none: read and discard */
		if (st->sl->conf.timestamps)
			fmt_rfc3339(stamp);
		svclog_chunk_now();
		svclog_file_settle(st);
		stream_input(st, rbuf, (size_t)n);
		return;
	}
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n == 0)
		errno = EPIPE;	/* cannot happen while we hold the write end */
	log_warn("%s: read output", st->sl->name);
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
		if (svclog_flush_pending(st) == -1) {
			if (st->sl->conf.when_full == LOG_FULL_BLOCK)
				return;		/* the timer repeats */
			/* Switched to drop by a reload: drop and read on. */
			st->dropped += st->pend.len;
			svclog_lost(st->sl, st->pend.p, st->pend.len);
			buf_free(&st->pend);
			st->retry_at = now_ms() + SVCLOG_RETRY_MS;
		} else
			svclog_stream_ok(st);
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
	st->rfd = st->wfd = st->fd = st->dirfd = st->idx_fd = -1;
	st->idx_ms = INT64_MIN;
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
	st->big = false;
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
	svclog_file_close(st);
	if (st->dirfd != -1)
		close(st->dirfd);
	st->dirfd = -1;
	free(st->path);
	st->path = path != NULL ? xstrdup(path) : NULL;
	st->base = st->path != NULL ? strrchr(st->path, '/') + 1 : NULL;
	(void)svclog_dir(st);
	st->retry_at = 0;
	if (st->path == NULL) {
		/* Discarding now: what waited for the old file goes. */
		svclog_lost(st->sl, st->pend.p, st->pend.len);
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
		svclog_chunk_now();
		svclog_file_settle(st);
		stream_input(st, rbuf, (size_t)n);
	}
	svclog_file_settle(st);
	if (st->hold.len > 0) {
		buf_add(&st->hold, "\n", 1);
		stream_emit(st, st->hold.p, st->hold.len);
		buf_free(&st->hold);
	} else if (!st->bol)
		stream_emit(st, "\n", 1);
}

/*
 * Read what is left, write it (a final partial line gets a newline), make
 * one last attempt at what is waiting, then close everything; with rm,
 * remove the stream's files too (their fds go into rm).
 */
static void
stream_close(struct svclog_stream *st, struct svclog_held *rm)
{
	struct ev_loop	*loop = EV_DEFAULT;

	if (st->rfd != -1) {
		stream_drain(st, true);
		if (st->path != NULL && (st->pend.len > 0 ||
		    st->dropped > 0) && svclog_flush_pending(st) == -1 &&
		    st->pend.len > 0) {
			log_warn("%s: log %s: %zu bytes lost",
			    st->sl->name, st->path, st->pend.len);
			svclog_lost(st->sl, st->pend.p, st->pend.len);
		}
		close(st->rfd);
		close(st->wfd);
		st->rfd = st->wfd = -1;
	}
	ev_io_stop(loop, &st->io);
	ev_timer_stop(loop, &st->retry);
	svclog_file_close(st);
	if (rm != NULL)
		svclog_remove_files(st, rm);
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
svclog_open(struct svclog *sl, char **cause)
{
	if (sl->out.rfd == -1) {
		if ((sl->tty ? stream_pty(&sl->out) :
		    stream_pipe(&sl->out)) == -1) {
			*cause = errno_cause("%s", sl->tty ?
			    "pseudo-terminal" : "log pipe");
			return -1;
		}
		stream_start(&sl->out);
	}
	if (sl->err != NULL && sl->err->rfd == -1) {
		if (stream_pipe(sl->err) == -1) {
			*cause = errno_cause("log pipe");
			return -1;
		}
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
		stream_close(sl->err, NULL);
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
		svclog_prune(&sl->out, conf->max_files, old.max_files);
		if (sep)
			svclog_prune(sl->err, conf->max_files, old.max_files);
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
	struct svclog_held	 held = { 0 };
	size_t			 i;

	if (sl == NULL)
		return;
	if (sl->err != NULL)
		stream_close(sl->err, sl->discard ? &held : NULL);
	free(sl->err);
	stream_close(&sl->out, sl->discard ? &held : NULL);
	svclog_release_held(&held);
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

int
svclog_partial(struct svclog *sl, struct buf *out)
{
	struct svclog_stream	*st = &sl->out;
	const char		*part;
	ssize_t			 n;

	svclog_file_settle(st);
	if (st->fd == -1 || !st->midline)
		return 0;
	if ((n = svclog_file_tail(st->fd, st->size, svclog_line_cap(sl),
	    &part)) <= 0)
		return 0;	/* a line longer than the cap: as before */
	buf_add(out, part, (size_t)n);
	return 1;
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
svclog_discard(struct svclog *sl)
{
	sl->discard = true;
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
svclog_counters(const struct svclog *sl, struct svclog_counters *c)
{
	c->written = sl->written;
	c->lost_bytes = sl->lost_bytes;
	c->lost_lines = sl->lost_lines;
}

bool
svclog_has_stamps(const struct svclog *sl)
{
	return sl->conf.timestamps;
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

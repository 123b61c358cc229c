/* SPDX-License-Identifier: ISC */
/*
 * svclog-file.c: the service's log files, written only by supd.
 *
 * A stream's file is opened by name within its directory, held as a
 * directory fd (svclog_dir), never through a symlink, and reopened when
 * someone removed or renamed it. While it cannot be written, when_full
 * decides: block keeps the bytes (and stops reading the pipe, so the
 * service's writes block in turn), drop counts them and writes a
 * "supd: dropped N bytes" line once the log takes bytes again.
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
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "log.h"
#include "svclog-private.h"

#define SVCLOG_CHECK_MS	1000		/* ms between checks of the path */

static int	file_write(struct svclog_stream *, const char *, size_t,
		    size_t *);

void
svclog_stream_ok(struct svclog_stream *st)
{
	if (!st->failing)
		return;
	st->failing = false;
	log_info("%s: log %s writable again", st->sl->name, st->path);
}

void
svclog_lost(struct svclog *sl, const char *p, size_t n)
{
	const char	*end = p + n;

	if (n == 0)
		return;		/* p may be NULL (an empty buffer) */
	sl->lost_bytes += n;
	while ((p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		sl->lost_lines++;
		p++;
	}
}

/* Write the "bytes dropped" line before anything else. */
static int
write_marker(struct svclog_stream *st)
{
	const char	*ts;
	char		 m[160];
	size_t		 done;
	int		 len;

	ts = st->sl->conf.timestamps ? svclog_stamp_now() : NULL;
	len = snprintf(m, sizeof m, "%s%s%ssupd: dropped %llu bytes "
	    "(log not writable)\n", st->midline ? "\n" : "",
	    ts != NULL ? ts : "", ts != NULL ? " " : "",
	    (unsigned long long)st->dropped);
	if (file_write(st, m, (size_t)len, &done) == -1)
		return -1;
	st->dropped = 0;
	return 0;
}

/* Write the drop marker and the bytes kept while blocked. */
int
svclog_flush_pending(struct svclog_stream *st)
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
		log_warn("%s: log %s", st->sl->name, st->path);
		st->failing = true;
	}
	if (st->sl->conf.when_full == LOG_FULL_BLOCK) {
		buf_add(&st->pend, p, n);
		ev_io_stop(loop, &st->io);
		if (!ev_is_active(&st->retry))
			ev_timer_again(loop, &st->retry);
	} else {
		st->dropped += n;
		svclog_lost(st->sl, p, n);
		st->retry_at = now_ms() + SVCLOG_RETRY_MS;
	}
}

/* Append output (whole lines, or a piece of a long line) to the log. */
void
svclog_write(struct svclog_stream *st, const char *p, size_t n)
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
		svclog_lost(st->sl, p, n);
		return;
	}
	if ((st->dropped > 0 && write_marker(st) == -1) ||
	    file_write(st, p, n, &done) == -1) {
		stream_fail(st, p + done, n - done);
		return;
	}
	svclog_stream_ok(st);
}

/*
 * The log file's directory, opened once (when the path is set, or at the
 * first write if it did not exist then) and used for every operation on
 * the file and its rotated copies, by name within it and never through a
 * symlink: a directory on the way that a service can write (a volume)
 * cannot redirect the log once supd holds it.
 */
int
svclog_dir(struct svclog_stream *st)
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

	if (svclog_dir(st) == -1)
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

void
svclog_file_close(struct svclog_stream *st)
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
	svclog_file_close(st);
}

int
svclog_rot_name(char *out, size_t len, const char *path, unsigned n)
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

	svclog_file_close(st);
	if (svclog_dir(st) == -1)
		return -1;
	if (max == 0) {
		if (unlinkat(st->dirfd, st->base, 0) == -1 && errno != ENOENT)
			return -1;
		return 0;
	}
	/* Shift only up to the first free slot; .max is overwritten. */
	for (last = 1; last < max; last++) {
		if (svclog_rot_name(from, sizeof from, st->base, last) == -1)
			return -1;
		if (fstatat(st->dirfd, from, &sb, AT_SYMLINK_NOFOLLOW) == -1 &&
		    errno == ENOENT)
			break;
	}
	for (i = last; i > 1; i--) {
		if (svclog_rot_name(from, sizeof from, st->base, i - 1) == -1 ||
		    svclog_rot_name(to, sizeof to, st->base, i) == -1)
			return -1;
		if (renameat(st->dirfd, from, st->dirfd, to) == -1 &&
		    errno != ENOENT)
			return -1;
	}
	if (svclog_rot_name(to, sizeof to, st->base, 1) == -1)
		return -1;
	if (renameat(st->dirfd, st->base, st->dirfd, to) == -1 &&
	    errno != ENOENT)
		return -1;
	if (svclog_rot_name(from, sizeof from, st->base, max + 1) == 0)
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
			st->sl->written += (uint64_t)w;
			st->midline = p[w - 1] != '\n';
			if (st->is_main)
				svclog_notify(st->sl, p, (size_t)w);
			p += w;
			n -= (size_t)w;
			k -= (size_t)w;
			*done += (size_t)w;
		}
	}
	return 0;
}

/* After max_files went down: delete the files beyond it. */
void
svclog_prune(struct svclog_stream *st, unsigned from, unsigned to)
{
	char		name[PATH_MAX];
	unsigned	i;

	if (st->path == NULL || svclog_dir(st) == -1)
		return;
	for (i = from + 1; i <= to; i++) {
		if (svclog_rot_name(name, sizeof name, st->base, i) == 0)
			(void)unlinkat(st->dirfd, name, 0);
	}
}

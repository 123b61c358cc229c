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
 * Rotation invariant: supd alone appends to NAME.log, at the offset it
 * keeps (no O_APPEND: splice(2) refuses it; file_shrunk follows a
 * truncation by someone else). Before a write would pass max_size it
 * writes the complete lines that still fit and rotates: renames
 * NAME.log.N-1 -> .N ... NAME.log -> NAME.log.1 (or unlinks NAME.log when
 * max_files = 0) and opens a fresh NAME.log. A file that ends inside a
 * line -- the fast path splices bytes without looking at them -- rotates
 * at its last line end (rotate_at_line): only the window of the line cap
 * at its end is read back, the line's start is written to the fresh file,
 * then cut from the old one. Every byte is in one file, in order: no line
 * is lost or duplicated by rotation. A rotated file ends with '\n' unless
 * a line had to be split: one longer than max_size (split at max_size),
 * or one longer than the line cap (no line end in the window).
 *
 * The fast path (svclog_file_splice): pipe -> relay pipe -> file, both by
 * splice(2); the relay because splicing into a file holds the source
 * pipe's lock for the whole file write, which would stop the service's
 * writes meanwhile, while pipe to pipe only moves page references. The
 * file's last byte is read only when it matters (svclog_file_settle).
 *
 * The oldest file goes by doom(): opened, unlinked, and its last fd
 * dropped by supd's janitor (svclog_release_held, janitor.c), never by a
 * rename over it: on ext4 mounted `discard`, freeing 10 MiB took 10-17 ms
 * in the loop.
 *
 * Removal (supctl rm: svclog_remove_files): each file of the stream is
 * opened, then unlinked, in the loop -- both take microseconds -- and its
 * blocks are freed when the last fd goes. Freeing a big file's page cache
 * and extents is what takes long (687 ms for 1 GiB just written, on ext4):
 * the janitor is handed the fds (svclog_release_held) and drops them after
 * supd's copies are closed, so that cost is the janitor's, never the
 * loop's.
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

#include "janitor.h"
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

	svclog_file_settle(st);
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

	svclog_chunk_now();	/* written now: their time */
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

/* More allocated than the size and the block rounding explain: a room
 * reserved by file_reserve (or left by a supd that was killed). */
static bool
past_end(const struct stat *sb)
{
	return (uint64_t)sb->st_blocks * 512 > (uint64_t)sb->st_size +
	    SVCLOG_RESERVE_SLACK;
}

/* The room given back: truncating a file to its own size frees the
 * blocks past its end. */
static void
file_unreserve(int fd)
{
	struct stat	sb;

	if (fstat(fd, &sb) == 0 && past_end(&sb))
		(void)ftruncate(fd, sb.st_size);
}

/*
 * A busy stream's file gets its room up to max_size allocated at once,
 * beyond its end (FALLOC_FL_KEEP_SIZE: readers see the size written). On
 * ext4 each page then lands in an allocated extent, instead of going
 * through delayed allocation's reservation, extent cache and quota on
 * every write: 17 % of supd's profile during a 1 GiB capture, 5 % with
 * the room (bench/README.md, "the busy file's room").
 * Once per file; a file system that cannot (ENOSPC, EOPNOTSUPP) just
 * writes as before.
 */
static void
file_reserve(struct svclog_stream *st, uint64_t max)
{
	st->reserved = true;
	if (st->size < max)
		(void)fallocate(st->fd, FALLOC_FL_KEEP_SIZE, (off_t)st->size,
		    (off_t)(max - st->size));
}

static int
file_open(struct svclog_stream *st)
{
	struct stat	sb;
	int		fd, saved;

	if (svclog_dir(st) == -1)
		return -1;
	/*
	 * O_NONBLOCK: a FIFO planted at the path must not hang the loop.
	 * Read and write, without O_APPEND: splice(2) refuses a file opened
	 * for appending, and a rotation reads back the end of the file. supd
	 * alone writes it, at its end (lseek below; file_check follows a
	 * truncation by someone else).
	 */
	fd = openat(st->dirfd, st->base, O_RDWR | O_CREAT |
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
	if (lseek(fd, 0, SEEK_END) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	if (past_end(&sb))
		(void)ftruncate(fd, sb.st_size);	/* a killed supd's room */
	st->fd = fd;
	st->dev = sb.st_dev;
	st->ino = sb.st_ino;
	st->size = (uint64_t)sb.st_size;
	st->midline = false;
	st->checked = now_ms();
	if (svclog_idx_open(st) == -1) {
		/* No write without its time: when_full applies. Named once
		 * per episode, as the log's own failure is (stream_fail). */
		saved = errno;
		if (!st->failing)
			log_warn("%s: time index of %s", st->sl->name, st->path);
		svclog_file_close(st);
		errno = saved;
		return -1;
	}
	return 0;
}

void
svclog_file_settle(struct svclog_stream *st)
{
	char	c;

	if (!st->unsettled)
		return;
	st->unsettled = false;
	/* Unreadable: assume mid-line, the safe side for a rotation (which
	 * looks for itself) and for a run's end (an empty line at worst). */
	if (st->fd != -1 && st->size == 0)
		st->midline = false;
	else
		st->midline = st->fd == -1 || svclog_pread_full(st->fd, &c, 1,
		    (off_t)st->size - 1) == -1 || c != '\n';
	st->bol = !st->midline;
}

void
svclog_file_close(struct svclog_stream *st)
{
	svclog_file_settle(st);
	if (st->fd != -1 && st->reserved)
		file_unreserve(st->fd);
	st->reserved = false;
	if (st->fd != -1)
		close(st->fd);
	st->fd = -1;
	st->size = 0;
	st->midline = false;
	svclog_idx_close(st);
}

/*
 * Someone else truncated the open file (logrotate's copytruncate): write
 * on at its new end, as O_APPEND would, leaving no hole. supd writes at
 * its own offset (no O_APPEND: splice refuses it), so this is looked at
 * before every write or splice, an fstat.
 */
static void
file_shrunk(struct svclog_stream *st)
{
	struct stat	sb;
	int64_t		ms;

	if (st->fd == -1 || fstat(st->fd, &sb) == -1 ||
	    (uint64_t)sb.st_size >= st->size)
		return;
	if (lseek(st->fd, 0, SEEK_END) == -1 ||
	    svclog_idx_cut(st, (uint64_t)sb.st_size, &ms) == -1) {
		svclog_file_close(st);
		return;
	}
	st->size = (uint64_t)sb.st_size;
	st->midline = false;
	st->unsettled = st->size > 0;
}

/* Reopen when someone removed or renamed the file under us. */
static void
file_check(struct svclog_stream *st)
{
	struct stat	sb;
	uint64_t	now = now_ms();

	file_shrunk(st);
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

/* Remove the time index of the log file `log` (gone with it). */
static void
unlink_idx(struct svclog_stream *st, const char *log)
{
	char	idx[PATH_MAX];

	if (svclog_idx_name(idx, sizeof idx, log) == 0)
		(void)unlinkat(st->dirfd, idx, 0);
}

/* Rename the log file `from` to `to`, and its time index with it. */
static int
rename_pair(struct svclog_stream *st, const char *from, const char *to)
{
	char	fi[PATH_MAX], ti[PATH_MAX];

	if (renameat(st->dirfd, from, st->dirfd, to) == -1 && errno != ENOENT)
		return -1;
	if (svclog_idx_name(fi, sizeof fi, from) == -1 ||
	    svclog_idx_name(ti, sizeof ti, to) == -1)
		return -1;
	if (renameat(st->dirfd, fi, st->dirfd, ti) == -1 && errno != ENOENT)
		return -1;
	return 0;
}

/*
 * Take the name `name` away from the directory, keeping the file open in h
 * if it is a regular file, so that freeing its blocks happens off the loop
 * (svclog_release_held): with a disk mounted `discard`, dropping the last
 * name of a 10 MiB file takes 10-17 ms. -1 with errno if it stays.
 */
static int
doom(struct svclog_stream *st, const char *name, struct svclog_held *h)
{
	struct stat	sb;
	int		fd;

	fd = openat(st->dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK | O_NOCTTY);
	if (fd != -1 && (fstat(fd, &sb) == -1 || !S_ISREG(sb.st_mode))) {
		close(fd);
		fd = -1;
	}
	if (unlinkat(st->dirfd, name, 0) == -1 && errno != ENOENT) {
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (fd != -1) {
		h->fd = xreallocarray(h->fd, h->n + 1, sizeof *h->fd);
		h->fd[h->n++] = fd;
	}
	return 0;
}

/*
 * Shift the names: NAME.log.N-1 -> .N ... NAME.log -> NAME.log.1, the
 * oldest (or NAME.log itself when max_files = 0) doomed into h first, so
 * that no rename replaces a file (freeing its blocks in the loop).
 */
static int
rotate_names(struct svclog_stream *st, struct svclog_held *h)
{
	char		from[PATH_MAX], to[PATH_MAX];
	struct stat	sb;
	unsigned	max = st->sl->conf.max_files, last, i;

	if (svclog_dir(st) == -1)
		return -1;
	if (max == 0) {
		if (doom(st, st->base, h) == -1)
			return -1;
		unlink_idx(st, st->base);
		return 0;
	}
	/* Shift only up to the first free slot. */
	for (last = 1; last < max; last++) {
		if (svclog_rot_name(from, sizeof from, st->base, last) == -1)
			return -1;
		if (fstatat(st->dirfd, from, &sb, AT_SYMLINK_NOFOLLOW) == -1 &&
		    errno == ENOENT)
			break;
	}
	if (last == max) {
		if (svclog_rot_name(to, sizeof to, st->base, max) == -1 ||
		    doom(st, to, h) == -1)
			return -1;
		unlink_idx(st, to);
	}
	for (i = last; i > 1; i--) {
		if (svclog_rot_name(from, sizeof from, st->base, i - 1) == -1 ||
		    svclog_rot_name(to, sizeof to, st->base, i) == -1)
			return -1;
		if (rename_pair(st, from, to) == -1)
			return -1;
	}
	if (svclog_rot_name(to, sizeof to, st->base, 1) == -1)
		return -1;
	if (rename_pair(st, st->base, to) == -1)
		return -1;
	if (svclog_rot_name(from, sizeof from, st->base, max + 1) == 0) {
		(void)unlinkat(st->dirfd, from, 0);
		unlink_idx(st, from);
	}
	return 0;
}

/* Close the file and shift it into NAME.log.1; the next write reopens. */
static int
file_rotate(struct svclog_stream *st)
{
	struct svclog_held	h = { 0 };
	int			r, saved;

	svclog_file_close(st);
	r = rotate_names(st, &h);
	saved = errno;
	svclog_release_held(&h);
	errno = saved;
	return r;
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t	w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = ENOSPC;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

ssize_t
svclog_file_tail(int fd, uint64_t size, size_t cap, const char **part)
{
	static char	 win[SVCLOG_LINE_CAP];
	const char	*nl;
	size_t		 len = cap < sizeof win ? cap : sizeof win;

	if (len > size)
		len = (size_t)size;
	*part = win + len;
	if (len == 0)
		return 0;
	if (svclog_pread_full(fd, win, len, (off_t)(size - len)) == -1)
		return -1;
	if ((nl = memrchr(win, '\n', len)) == NULL) {
		errno = ENOENT;
		return -1;
	}
	*part = nl + 1;
	return win + len - (nl + 1);
}

/*
 * The open file ends mid-line and must rotate: rotate at its last line
 * end instead. Only the window at its end (the line cap) is read back; the
 * bytes after the line end, the start of a line, are written to the fresh
 * NAME.log, and only then cut from the old file, so a failure anywhere
 * leaves every byte in one file (the line split, as a full disk may). 0
 * done; 1 when the window holds no line end (a line longer than the cap:
 * it is split at max_size, as a line written in pieces always was); -1
 * with errno.
 */
static int
rotate_at_line(struct svclog_stream *st)
{
	struct svclog_held	 h = { 0 };
	const char		*part;
	ssize_t			 len;
	uint64_t		 cut;
	int64_t			 ms;
	int			 old, r = -1, saved;

	len = svclog_file_tail(st->fd, st->size, svclog_line_cap(st->sl),
	    &part);
	if (len <= 0)
		return len == -1 && errno != ENOENT ? -1 : 1;
	cut = st->size - (uint64_t)len;
	if (svclog_idx_cut(st, cut, &ms) == -1)
		return -1;
	old = st->fd;
	st->fd = -1;
	svclog_file_close(st);
	if (rotate_names(st, &h) == -1 || file_open(st) == -1)
		goto out;
	if ((ms != INT64_MIN && svclog_idx_note(st, ms) == -1) ||
	    write_all(st->fd, part, (size_t)len) == -1) {
		saved = errno;
		/* The old file is whole: start the new one afresh. */
		if (ftruncate(st->fd, 0) == -1)
			log_warn("%s: log %s", st->sl->name, st->path);
		svclog_file_close(st);
		errno = saved;
		goto out;
	}
	st->size = (uint64_t)len;
	st->midline = true;
	if (st->sl->conf.max_files > 0 && ftruncate(old, (off_t)cut) == -1)
		log_warn("%s: cut rotated log of %s", st->sl->name, st->path);
	r = 0;
out:
	saved = errno;
	close(old);		/* before its blocks go to a child */
	svclog_release_held(&h);
	errno = saved;
	return r;
}

/* The file (or its index) is full: rotate, at a line end. -1 with errno. */
static int
file_next(struct svclog_stream *st)
{
	int	r;

	svclog_file_settle(st);
	if (st->midline && (r = rotate_at_line(st)) != 1)
		return r;
	return file_rotate(st);
}

/*
 * Before bytes go to the file: open it if need be, and record the time of
 * what follows in its index unless the last record says it. 0 ready; 1
 * the index was full and the file rotated (look again); -1 with errno.
 */
static int
file_ready(struct svclog_stream *st)
{
	int64_t	ms;
	int	r;

	if (st->fd == -1 && file_open(st) == -1)
		return -1;
	if (st->idx_ms == (ms = svclog_chunk_ms()) ||
	    (r = svclog_idx_note(st, ms)) == 0)
		return 0;
	if (r == -1 || file_next(st) == -1)
		return -1;
	return 1;
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
	int		 r;

	*done = 0;
	if (max == 0)
		max = 1;
	file_check(st);
	svclog_file_settle(st);
	while (n > 0) {
		if ((r = file_ready(st)) != 0) {
			if (r == -1)
				return -1;
			continue;	/* a full index: a new file */
		}
		room = st->size >= max ? 0 : max - st->size;
		if (n <= room)
			k = n;
		else {
			nl = room > 0 ? memrchr(p, '\n', (size_t)room) : NULL;
			k = nl != NULL ? (size_t)(nl - p) + 1 : 0;
			/* Mid-line (a splice left a line's start): rotate
			 * at the file's last line end, when it is near. */
			if (k == 0 && st->midline && st->size > 0 &&
			    (r = rotate_at_line(st)) != 1) {
				if (r == -1)
					return -1;
				continue;
			}
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

/*
 * The relay: a pipe of supd's own between the service's pipe and the
 * file. splice(2) into a file holds the source pipe's lock while it writes
 * the file, so the service could not write into its pipe meanwhile; a
 * pipe-to-pipe splice only moves page references, so the service's pipe
 * is held for that alone, and the file write goes on from the relay,
 * which nobody else waits on. Made at first use; -1: splice directly.
 */
static int	relay[2] = { -1, -1 };
static bool	relay_tried;

static int
relay_fd(void)
{
	if (!relay_tried) {
		relay_tried = true;
		if (pipe2(relay, O_CLOEXEC | O_NONBLOCK) == 0)
			(void)fcntl(relay[1], F_SETPIPE_SZ, SVCLOG_PIPE_BIG);
		else
			relay[0] = relay[1] = -1;
	}
	return relay[1];
}

/*
 * What is left in the relay after a failed file write goes the slow way
 * (svclog_write: when_full applies), so the relay is empty for the next.
 */
static void
relay_drain(struct svclog_stream *st)
{
	char	b[16384];
	ssize_t	r;

	while ((r = read(relay[0], b, sizeof b)) > 0 ||
	    (r == -1 && errno == EINTR))
		if (r > 0)
			svclog_write(st, b, (size_t)r);
}

/* One step of up to k bytes from the pipe into the file: the bytes taken
 * from the pipe, or -1 with errno (nothing taken). */
static ssize_t
splice_step(struct svclog_stream *st, size_t k)
{
	ssize_t	w, t, done = 0;

	if (relay_fd() == -1) {
		w = splice(st->rfd, NULL, st->fd, NULL, k,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (w > 0) {
			st->size += (uint64_t)w;
			st->sl->written += (uint64_t)w;
			st->unsettled = true;
		}
		return w;
	}
	if ((w = splice(st->rfd, NULL, relay[1], NULL, k,
	    SPLICE_F_MOVE | SPLICE_F_NONBLOCK)) <= 0)
		return w;
	while (done < w) {
		t = splice(relay[0], NULL, st->fd, NULL, (size_t)(w - done),
		    SPLICE_F_MOVE);
		if (t == -1 && errno == EINTR)
			continue;
		if (t <= 0) {
			relay_drain(st);
			break;
		}
		st->size += (uint64_t)t;
		st->sl->written += (uint64_t)t;
		st->unsettled = true;
		done += t;
	}
	return w;
}

ssize_t
svclog_file_splice(struct svclog_stream *st, size_t n)
{
	uint64_t	max = st->sl->conf.max_size, room;
	size_t		moved = 0, k;
	ssize_t		w;
	int		r;

	if (max == 0)
		max = 1;
	file_check(st);
	while (moved < n) {
		if (st->pend.len > 0 || st->failing) {
			errno = EAGAIN;	/* the slow way took over */
			break;
		}
		if ((r = file_ready(st)) != 0) {
			if (r == -1)
				break;
			continue;	/* a full index: a new file */
		}
		room = st->size >= max ? 0 : max - st->size;
		if (room == 0) {
			if (file_next(st) == -1)
				break;
			continue;
		}
		if (st->big && !st->reserved && st->sl->conf.max_size > 0)
			file_reserve(st, max);
		k = n - moved < room ? n - moved : (size_t)room;
		if ((w = splice_step(st, k)) == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EAGAIN;
			break;
		}
		moved += (size_t)w;
	}
	return moved > 0 ? (ssize_t)moved : -1;
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
		if (svclog_rot_name(name, sizeof name, st->base, i) == 0) {
			(void)unlinkat(st->dirfd, name, 0);
			unlink_idx(st, name);
		}
	}
}

/* Unlink name in the stream's directory, holding its blocks in h. */
static void
remove_one(struct svclog_stream *st, const char *name, struct svclog_held *h)
{
	if (doom(st, name, h) == -1)
		log_warn("%s: remove log %s", st->sl->name, name);
}

void
svclog_remove_files(struct svclog_stream *st, struct svclog_held *h)
{
	char		name[PATH_MAX], idx[PATH_MAX];
	unsigned	i;

	if (st->path == NULL || svclog_dir(st) == -1)
		return;
	svclog_file_close(st);
	for (i = 0; i <= st->sl->conf.max_files; i++) {
		if (i == 0)
			snprintf(name, sizeof name, "%s", st->base);
		else if (svclog_rot_name(name, sizeof name, st->base, i) == -1)
			continue;
		remove_one(st, name, h);
		if (svclog_idx_name(idx, sizeof idx, name) == 0)
			remove_one(st, idx, h);
	}
}

void
svclog_release_held(struct svclog_held *h)
{
	if (h->n > 0)
		janitor_close(h->fd, h->n);
	free(h->fd);
	h->fd = NULL;
	h->n = 0;
}

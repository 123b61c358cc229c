/* SPDX-License-Identifier: ISC */
/*
 * svclog-private.h: what the files of the service-log writer share, and
 * nothing outside them includes (the rest of supd sees svclog.h):
 *
 *   svclog.c       the struct svclog: pipes or a pty kept across restarts,
 *                  reading them, lines, timestamps, the console copy,
 *                  followers and attach taps, the svclog_* API
 *   svclog-file.c  the log files: append, splice (the fast path), rotate at
 *                  a line end, notice a file moved away or truncated,
 *                  when_full (block or drop) while one cannot be written
 *   svclog-tail.c  reading the files back: the last lines for `logs -n`,
 *                  with their times for --since/--until/-t
 *   svclog-index.c the time index beside each log file: written with it,
 *                  read by a cursor
 *
 * A stream's file side (path, dirfd, fd, pend, dropped ...) is
 * svclog-file.c's to change; svclog.c sets the path and closes it.
 */
#ifndef SUPD_SVCLOG_PRIVATE_H
#define SUPD_SVCLOG_PRIVATE_H

#include <sys/types.h>

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "svclog.h"
#include "util.h"

#define SVCLOG_RETRY	1.0		/* seconds between tries of a bad log */
#define SVCLOG_RETRY_MS	1000		/* the same, for drop's own clock */
#define SVCLOG_LINE_CAP	(64 * 1024)	/* longest partial line held */
#define SVCLOG_PIPE_BIG	(1024 * 1024)	/* a busy stream's pipe; the relay */
#define SVCLOG_RESERVE_SLACK (64 * 1024) /* allocated past a file's end
					   that is not a room of ours */

/* One pipe (or the pty) of a service and the log file it goes to. */
struct svclog_stream {
	struct svclog	*sl;		/* whose stream */
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
	bool		 big;		/* its pipe was made bigger (busy) */
	bool		 busy;		/* the last splice was big: splice on
					   without asking how much waits */
	bool		 reserved;	/* the open file has its room up to
					   max_size allocated beyond its end
					   (svclog_file_splice), released at
					   close */
	bool		 unsettled;	/* the file's end came by splice:
					   midline and bol unknown until
					   svclog_file_settle */
	struct buf	 hold;		/* partial line waiting for its newline */
	struct buf	 pend;		/* block: output not yet written */
	uint64_t	 dropped;	/* drop: bytes discarded, not yet reported */
	bool		 failing;	/* in a cannot-write episode (warned once) */
	bool		 read_err;	/* read end failed, io stopped until retry */
	uint64_t	 retry_at;	/* drop: no write attempt before this
					   (now_ms) */
	int		 idx_fd;	/* the open file's time index, -1 */
	uint64_t	 idx_n;		/* records in it */
	int64_t		 idx_ms;	/* time of its last record this open
					   (INT64_MIN: none yet) */
};

/* A follower of the main log, or an attach tap. */
struct svclog_follower {
	svclog_follow_cb cb;		/* NULL: removed during a call */
	void		*arg;		/* its argument */
};

/* A service's output: one per service, for its whole life. */
struct svclog {
	char		*name;		/* the service's */
	struct log_conf	 conf;		/* own copy */
	struct svclog_stream out;	/* stdout, and stderr when merged */
	struct svclog_stream *err;	/* stderr = separate, else NULL (most
					   services: kept small) */
	struct svclog_follower *fl;	/* followers of the main log */
	size_t		 nfl;		/* in fl */
	size_t		 capfl;		/* fl's room */
	int		 fl_busy;	/* > 0 while followers are called */
	bool		 fl_dirty;	/* entries removed while busy */
	bool		 tty;		/* out is a pty: rfd master, wfd slave */
	struct svclog_follower *taps;	/* raw output, for attach */
	size_t		 ntaps;		/* in taps */
	/* Since supd started, every stream (metrics): kept here, not in a
	 * stream, so a reload that drops the stderr stream keeps them. */
	uint64_t	 written;	/* bytes that reached a log file */
	uint64_t	 lost_bytes;	/* bytes dropped (when_full = drop, or
					   lost at a close or path change) */
	uint64_t	 lost_lines;	/* line ends among them */
	bool		 discard;	/* its files go with it (supctl rm) */
};

/* svclog.c */
/* Tell the followers of sl's main log about n bytes just appended. */
void	svclog_notify(struct svclog *, const char *p, size_t n);
/* The time now, as the timestamp of the batch being handled (RFC 3339). */
const char *svclog_stamp_now(void);
/* The output being handled was read now (its time index records). */
void	svclog_chunk_now(void);
/* The longest line held whole: SVCLOG_LINE_CAP, or max_size if smaller. */
size_t	svclog_line_cap(const struct svclog *);

/* Files removed but still open: their blocks, freed when the fds go. */
struct svclog_held {
	int		*fd;
	size_t		 n;
};

/* A time index record: the log's bytes from off on came at ms. */
struct svclog_rec {
	uint64_t	 off;
	int64_t		 ms;		/* CLOCK_REALTIME, ms since the epoch */
};

/* Reads an index's records for lookups in order (svclog_cur_time). */
struct svclog_cur {
	int		 fd;		/* the index, the caller's */
	uint64_t	 logsize;	/* its log file's size: no offset past */
	uint64_t	 n;		/* records */
	struct svclog_rec blk[256];	/* records first .. first + len - 1 */
	uint64_t	 first, len;
	bool		 seeked;	/* cur and at are set */
	int64_t		 cur;		/* the record in force, -1: none */
	struct svclog_rec at;		/* its value */
};

/* svclog-file.c */
/* n bytes at p will never reach the log: count them (metrics). */
void	svclog_lost(struct svclog *, const char *p, size_t n);
/* Append output (whole lines, or a piece of a long line) to the log,
 * applying when_full if it cannot be written. */
void	svclog_write(struct svclog_stream *, const char *p, size_t n);
/* Write the drop marker and the bytes kept while blocked; -1 with errno
 * while the log still cannot take them. */
int	svclog_flush_pending(struct svclog_stream *);
/* The log is written again after failing: say so once. */
void	svclog_stream_ok(struct svclog_stream *);
/* The log file's directory, opened once: its fd, or -1 with errno. */
int	svclog_dir(struct svclog_stream *);
/* Close the open log file; the next write opens it again. */
void	svclog_file_close(struct svclog_stream *);
/* After max_files went down from `to` to `from`: delete the files beyond. */
void	svclog_prune(struct svclog_stream *, unsigned from, unsigned to);
/* "BASE.N" into out; -1 with ENAMETOOLONG if it does not fit. */
int	svclog_rot_name(char *out, size_t len, const char *base, unsigned n);
/* Remove the stream's files, rotated ones and time indexes included
 * (supctl rm), keeping each open in h. */
void	svclog_remove_files(struct svclog_stream *, struct svclog_held *h);
/* Close h's fds in supd's janitor (janitor.c), off the loop: the blocks
 * of big files are freed there. */
void	svclog_release_held(struct svclog_held *h);

/* Move up to n bytes from the stream's pipe into its log file (splice(2),
 * no copy through supd), rotating at line ends: the bytes moved (> 0), or
 * -1 with errno (EAGAIN: the pipe is empty; else read them the slow way,
 * where when_full applies). */
ssize_t	svclog_file_splice(struct svclog_stream *, size_t n);

/* The start of a line that ends the file at fd (size bytes), after its
 * last newline: its length (0: the file ends with a newline, or is empty)
 * and *part (a static buffer); -1 with errno: ENOENT when the last cap
 * bytes hold no newline (a line longer than the cap, written in pieces). */
ssize_t	svclog_file_tail(int fd, uint64_t size, size_t cap,
	    const char **part);
/* After splices: learn whether the file ends mid-line (midline, bol). */
void	svclog_file_settle(struct svclog_stream *);

/* svclog-tail.c */
/* pread exactly n bytes; -1 with errno (EIO: the file is shorter). */
int	svclog_pread_full(int fd, char *p, size_t n, off_t off);

/* svclog-index.c */
/* ".LOG.idx" (LOG: a file name in the log's directory) into out; -1
 * with ENAMETOOLONG. */
int	svclog_idx_name(char *out, size_t len, const char *log);
/* The most records the index of one of st's files holds. */
uint64_t svclog_idx_max(const struct svclog_stream *);
/* Open (or make) the index of st's open log file (size st->size); -1
 * with errno. */
int	svclog_idx_open(struct svclog_stream *);
void	svclog_idx_close(struct svclog_stream *);
/* Record that the bytes from st->size on are written at ms: 0; 1 when the
 * index is full (rotate the log first); -1 with errno. */
int	svclog_idx_note(struct svclog_stream *, int64_t ms);
/* The open file is cut to cut bytes (the rest moves to the next file):
 * drop the records from cut on, and give the time of the byte at cut
 * (INT64_MIN: none); -1 with errno. */
int	svclog_idx_cut(struct svclog_stream *, uint64_t cut, int64_t *ms);
/* Start reading the index at fd, of a log file of logsize bytes; -1 with
 * EINVAL if it is not one (header, size). */
int	svclog_cur_open(struct svclog_cur *, int fd, uint64_t logsize);
/* The time of the byte at off: 0 and *ms; 1 if it is before the first
 * record (no time); -1 with errno (EINVAL: corrupt). Offsets asked in
 * increasing order are read once. */
int	svclog_cur_time(struct svclog_cur *, uint64_t off, int64_t *ms);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * svclog.h: a service's output. supd creates the pipes before the service's
 * first start and keeps both ends from then on, so a restart never loses or
 * cuts what was written; the read ends are watched by the libev default loop
 * and copied into rotating log files (svclog.c).
 */
#ifndef SUPD_SVCLOG_H
#define SUPD_SVCLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "util.h"

struct svclog;

/*
 * Called with each chunk of bytes appended to the service's main log file
 * (whole lines, already timestamped if configured), and once with data NULL
 * when the svclog is freed.
 */
typedef void (*svclog_follow_cb)(void *arg, const char *data, size_t len);

/* The log of a service, with no pipe yet (svclog_open makes them). */
struct svclog	*svclog_new(const char *name, const struct log_conf *,
		    bool tty);
/*
 * Make the pipes (tty: a pseudo-terminal, which also carries stderr and
 * stdin) that do not exist yet and start watching them; called before
 * every start. -1 with *cause ("log pipe: Too many open files"; errno
 * kept): out of fds, that start fails and the restart policy tries again.
 */
int		 svclog_open(struct svclog *, char **cause);
/*
 * Apply a new [log] configuration (reload, the service stopped). Keeps the
 * stdout pipe; drains and closes the stderr pipe, or makes room for one
 * (created by the next svclog_open), as stderr mode demands.
 */
void		 svclog_configure(struct svclog *, const struct log_conf *);
/*
 * The fds a new child dups onto 1 and 2 (write ends of the pipes); -1 means
 * "open /dev/null". They are close-on-exec in supd.
 */
void		 svclog_child_fds(const struct svclog *, int *out, int *err);
/*
 * The service's process group ended: take what is left in the pipes and end
 * a partial last line with a newline, so the next run starts a fresh line.
 */
void		 svclog_run_ended(struct svclog *);
/*
 * Read what is left in the pipes, write it out (a final partial line gets a
 * newline), stop watching, close everything, tell followers, free.
 */
void		 svclog_free(struct svclog *);

/* svclog_free is to remove its log files, rotated ones and time indexes
 * included (supctl rm, as docker rm does), off supd's loop. */
void		 svclog_discard(struct svclog *);

/* Append the last `lines` lines of the main log (rotated files included). */
int		 svclog_tail(const struct svclog *, unsigned lines, struct buf *);

/*
 * The start of a line at the end of the main log (a splice leaves one:
 * the rest is still to come) appended to out: 1, or 0 if the log ends at a
 * line end. For logs -f -n 0, so that a follower starts at a line.
 */
int		 svclog_partial(struct svclog *, struct buf *);

/* Register or remove a follower of the main log. */
void		 svclog_follow(struct svclog *, svclog_follow_cb, void *arg);
void		 svclog_unfollow(struct svclog *, svclog_follow_cb, void *arg);

/* What its log writer did since supd started (supctl metrics). */
struct svclog_counters {
	uint64_t	 written;	/* bytes written to its log files */
	uint64_t	 lost_bytes;	/* bytes that never reached them */
	uint64_t	 lost_lines;	/* line ends among those */
};
void		 svclog_counters(const struct svclog *,
		    struct svclog_counters *);

/*
 * For logs --since/--until/-t: the last `lines` lines of the main log as
 * svclog_tail gives them, and the time each was written (ms since the
 * epoch; INT64_MIN where the log has none: written by an older supd, then
 * *unknown says which file, allocated). -1 with *cause (allocated) if a
 * log or index cannot be read or an index is corrupt.
 */
int		 svclog_tail_times(const struct svclog *, unsigned lines,
		    struct buf *out, int64_t **times, size_t *ntimes,
		    char **cause, char **unknown);
/* The time (CLOCK_REALTIME ms) of the output being handled: what a log
 * follower's bytes were written at. */
int64_t		 svclog_chunk_ms(void);
/* Its lines start with their time (timestamps = yes): logs --since. */
bool		 svclog_has_stamps(const struct svclog *);
/* A tty service's terminal, for attach. */
bool		 svclog_is_tty(const struct svclog *);
/* Raw output as read (not line by line); data NULL when the log ends. */
void		 svclog_tap(struct svclog *, svclog_follow_cb, void *arg);
void		 svclog_untap(struct svclog *, svclog_follow_cb, void *arg);
/* Input for the terminal; never blocks (-1 with EAGAIN when full). */
ssize_t		 svclog_tty_input(struct svclog *, const char *, size_t);
int		 svclog_tty_winsize(struct svclog *, unsigned rows, unsigned cols);

/* Where console = yes copies go: a non-blocking fd (default -1 = nowhere). */
void		 svclog_set_console(int fd);

#endif

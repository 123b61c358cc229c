/* SPDX-License-Identifier: ISC */
/*
 * imgrun.h: supd-image runs as supd's child, watched from the loop
 * (imgrun.c): its output read as it comes, its end told by the SIGCHLD
 * watcher, its result handed to the one who started it. supd never waits
 * for it and never links what it links (docs/design.md, "Images").
 */
#ifndef SUPD_IMGRUN_H
#define SUPD_IMGRUN_H

#include <stdbool.h>
#include <sys/types.h>

struct imgrun;

/*
 * A run's end: ok (exit 0), its stdout, and its error -- the first line
 * of its stderr, or what ended it ("supd-image: killed by signal 9").
 * Both strings live until the callback returns; the run is freed after.
 */
typedef void imgrun_done_fn(void *arg, bool ok, const char *out,
    const char *err);

/*
 * Run `supd-image ARGS...` (args NULL-terminated): the program beside
 * supd's own executable. NULL and *cause if it cannot be started; else
 * done is called once, from the loop, when it has been reaped.
 */
struct imgrun	*imgrun_start(char *const *args, imgrun_done_fn *done,
		    void *arg, char **cause);
pid_t		 imgrun_pid(const struct imgrun *);
/* The one who started it is gone: done will not be called. */
void		 imgrun_forget(struct imgrun *);
/* A child was reaped: true if it was a run of supd-image (its done
 * called). */
bool		 imgrun_reaped(pid_t, int status);
/* supd ends: each run still going is killed and ends as a failure
 * ("supd-image: supd is ending"), its starter told. */
void		 imgrun_end(void);

#endif

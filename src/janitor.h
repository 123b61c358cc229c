/* SPDX-License-Identifier: ISC */
/* janitor.c: supd's janitor, the child that frees what would hold the loop
 * (big files' blocks, the scratch's trash) and makes network namespaces
 * ahead (netpool.c). */
#ifndef SUPD_JANITOR_H
#define SUPD_JANITOR_H

#include <sys/types.h>

#include <stdbool.h>
#include <stddef.h>

/* Close the n fds in the janitor: the last reference to an unlinked file,
 * and the freeing of its blocks, is the janitor's. They are closed in supd
 * either way (in the loop if the janitor cannot take them). */
void	janitor_close(const int *fd, size_t n);
/* Empty the directory `name` under dfd (kept itself), one file system
 * only, in the janitor; nothing if it cannot be asked now (the next ask
 * empties it too). */
void	janitor_empty(int dfd, const char *name);
/* Ask for a network namespace (netns.c's netns_make): answered later, from
 * the loop, answer(fd, 0), or answer(-1, errno) if it could not be made,
 * or answer(-1, 0) if the janitor ended first; false if it could not be
 * asked now. */
typedef void janitor_netns_fn(int fd, int err);
bool	janitor_ask_netns(janitor_netns_fn *answer);
/* supd ending: the janitor killed and reaped. */
void	janitor_end(void);
/* A child reaped: true if it was the janitor (started again at the next
 * need). */
bool	janitor_reaped(pid_t);

#endif

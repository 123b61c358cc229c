/* SPDX-License-Identifier: ISC */
/*
 * leftovers.h: what a previous supd left running (leftovers.c). Each
 * spawned service is recorded in state_dir/run/NAME (pid, start time, boot)
 * until it is reaped; a supd that starts ends whatever the records of a
 * dead one still name, before it starts anything.
 */
#ifndef SUPD_LEFTOVERS_H
#define SUPD_LEFTOVERS_H

#include <sys/types.h>

/* The records' directory (state_dir/run, 0700); returns the number of
 * process groups found alive and killed. */
int	leftovers_end(const char *state_dir);
/* A service's process (our child, a session leader) was spawned. */
void	leftovers_record(const char *name, pid_t pid);
/* It was reaped. */
void	leftovers_forget(const char *name);

#endif

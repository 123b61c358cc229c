/* SPDX-License-Identifier: ISC */
/*
 * leftovers.h: what a previous supd left running (leftovers.c). Each
 * spawn of a service without a pid namespace is recorded in a slot of
 * state_dir/run/records (pid, start time, boot, name) until it is reaped;
 * a supd that starts ends whatever the records of a dead one still name,
 * before it starts anything.
 */
#ifndef SUPD_LEFTOVERS_H
#define SUPD_LEFTOVERS_H

#include <sys/types.h>

/* The records' directory (state_dir/run, 0700); returns the number of
 * process groups found alive and killed. */
int	leftovers_end(const char *state_dir);
/* A service's process (our child, a session leader) was spawned; *slot
 * (0: none yet) is the service's, kept for leftovers_forget. */
void	leftovers_record(unsigned *slot, const char *name, pid_t pid);
/* It was reaped: the slot is emptied and given back (*slot = 0). */
void	leftovers_forget(unsigned *slot, const char *name);

#endif

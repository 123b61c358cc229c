/* SPDX-License-Identifier: ISC */
/*
 * spawn-steps.h: what spawn.c takes from spawn-steps.c, the child's steps
 * that allocate nothing (a child sharing supd's memory until its exec
 * would leave every allocation behind in supd).
 */
#ifndef SUPD_SPAWN_STEPS_H
#define SUPD_SPAWN_STEPS_H

#include <stdbool.h>
#include <stddef.h>

#define SPAWN_DEFAULT_PATH \
	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* In supd, before a clone: learn supd's non-default signal dispositions
 * unless known (once, and again after an optional library was loaded). */
void	spawn_signals_prepare(void);

/* In the child: those dispositions back to the default (and only those:
 * one system call each), and an empty signal mask. */
void	spawn_child_signals(void);

/* In the child: close every fd from 3 up but report_fd (if >= 0) and
 * *keep[0..nkeep). With at_exec, they are only marked close-on-exec, for a
 * child that execs with no other step run on its behalf. */
void	spawn_close_except(int report_fd, int **keep, size_t nkeep,
	    bool at_exec);

/* In the child: execve, looking the command up in env's PATH (else the
 * default one) when it has no '/'; reports STEP_EXEC if it fails. */
void	spawn_child_exec(char *const *argv, char *const *env)
	    __attribute__((noreturn));

/* In the child, in its root and still root: the workdir made with its
 * parents (0755) when missing, as docker's engine does for an image's;
 * reports STEP_WORKDIR if it cannot be. */
void	spawn_make_workdir(const char *dir);

/* After a CLONE_VM child on `stack` has exec'd or ended: under
 * AddressSanitizer, the redzones its frames left in the shared shadow
 * cleared (they would be taken for overflows by the frames of the parent
 * that reuse that memory); nothing otherwise. */
void	spawn_stack_reclaim(void *stack, size_t size);

#endif

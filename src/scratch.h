/* SPDX-License-Identifier: ISC */
/* scratch.c: the throwaway upper layers of overlays, state_dir/scratch. */
#ifndef SUPD_SCRATCH_H
#define SUPD_SCRATCH_H

#include <sys/types.h>

#include <stdbool.h>

/* Where the layers live: state_dir/scratch, a tmpfs of size (supd.conf's
 * scratch_size) mounted at the first layer. */
void	 scratch_init(const char *state_dir, const char *size);
/* supd starting, before any start: what a killed supd left goes. */
void	 scratch_sweep(void);
/* A new layer for a start of service `name` (the last one goes): its
 * directory, with upper/, work/ and root/, owned by a user namespace's
 * root if userns; NULL with *cause. */
char	*scratch_take(const char *name, bool userns, char **cause);
/* The service is gone (or has no overlay any more): its layer goes. */
void	 scratch_drop(const char *name);
/* supd ending (after janitor_end): the tmpfs detached. */
void	 scratch_end(void);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * seccomp.h: the system call filter of [isolation] seccomp (seccomp.c):
 * building it in supd and loading it in the service's process, the last
 * step before exec. Its profile files are seccomp-profile.h's.
 */
#ifndef SUPD_SECCOMP_H
#define SUPD_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "seccomp-profile.h"

/*
 * In supd, before each spawn of a service or exec process: have the filters
 * its command (and its init, with_init) will most likely load built (they
 * are kept and reused), so that loading one costs one system call.
 */
void	 sfilter_prepare(const struct svc_conf *, bool with_init);

/* A filter built in supd and loaded by an init, as its command knows it. */
struct sfilter_prog;

/*
 * In the command's process: load the filter of iso->seccomp (nothing for
 * SFILTER_UNCONFINED). The default profile's denials are lifted by the
 * capabilities the process can still hold after exec: its permitted set
 * with no_new_privileges, else its bounding set (limited to `capabilities`
 * when set), read when called. Loads what sfilter_prepare() built if it
 * fits, else builds the filter. The same program as `inherited` (what its
 * init loaded, or NULL) is not loaded again. Reports failures with
 * spawn_fail().
 */
void	 sfilter_apply(const struct iso_conf *,
	    const struct sfilter_prog *inherited);

/*
 * In the init of a service or exec process, once it has forked the
 * command: the same profile for itself (keeping the capabilities it holds),
 * so that a command allowed to ptrace its PID 1 (root in a user namespace
 * of its own can) gains no call its filter denies. A profile file's
 * denials of the few calls an init makes are left out of the init's.
 * Returns the program it loaded for the command's sfilter_apply(), or NULL.
 */
const struct sfilter_prog *sfilter_apply_init(const struct iso_conf *);

#endif

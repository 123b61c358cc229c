/* SPDX-License-Identifier: ISC */
/*
 * isolate.h: the child-side steps of [isolation] and [limits] (isolate.c),
 * run between clone and exec. Every failure is reported to supd through
 * spawn_fail() with its step and errno; none returns on failure.
 */
#ifndef SUPD_ISOLATE_H
#define SUPD_ISOLATE_H

#include <sys/types.h>

#include "config.h"

/*
 * A directory of supd's hidden from services: its canonical path and its
 * identity when supd started. The child resolves the path in its own mount
 * namespace (a mount needs a target there), with no symlink, and checks it
 * is still the same directory.
 */
struct iso_hide {
	const char	*path;
	dev_t		 dev;
	ino_t		 ino;
};

/*
 * What supd prepared for the child before the clone: the volumes are
 * detached mounts made in supd's namespace, where every source is
 * reachable (state_dir is 0700, and a user namespace's root is nobody to
 * it), so the child never resolves a source path.
 */
struct iso_fds {
	int			 netns;	/* network = container:NAME, else -1 */
	const int		*volumes; /* one O_PATH fd per volume source */
	const char		*notify; /* ready = notify: supd's socket, or NULL */
	const struct iso_hide	*hide;	/* supd's own directories */
	size_t			 nhide;
};

/*
 * In the first process of the new namespaces (the init, or the command
 * with init = no): network, hostname, the whole mount tree and the switch
 * into the root, rlimits. The notify socket, if any, is made reachable
 * inside; supd's own directories are hidden.
 */
void	iso_setup(const struct svc_conf *, const struct iso_fds *);
/* After iso_setup: where the service reaches the notify socket. */
extern const char *iso_notify_path;

/* [limits] rlimits (part of iso_setup; alone for supctl exec). */
void	iso_rlimits(const struct svc_conf *);

/*
 * In the service's init, once the command is forked: no capability but
 * CAP_KILL (to signal a command of another user) left in any set, the
 * bounding set included, so none returns at the exec of the reaper. A
 * command that may ptrace its PID 1 gains nothing by it.
 */
void	iso_init_caps(void);

/*
 * In the command's process, after iso_setup: bounding set, user, groups,
 * capabilities (ambient for non-root), no_new_privs. Fills HOME and USER
 * of env from the user's account.
 */
void	iso_identity(const struct svc_conf *, struct strv *env,
	    const char *own_home, const char *own_user);

#endif

/*
 * isolate.h: the child-side steps of [isolation] and [limits] (isolate.c),
 * run between clone and exec. Every failure is reported to supd through
 * spawn_fail() with its step and errno; none returns on failure.
 */
#ifndef SUPD_ISOLATE_H
#define SUPD_ISOLATE_H

#include "config.h"

/*
 * In the first process of the new namespaces (the init, or the command
 * with init = no): network, hostname, the whole mount tree and the switch
 * into the root, rlimits. netns_fd is the namespace to join for
 * network = container:NAME, else -1. notify is supd's notify socket for
 * this service (ready = notify), or NULL: it is made reachable inside.
 */
void	iso_setup(const struct svc_conf *, int netns_fd, const char *notify);
/* After iso_setup: where the service reaches the notify socket. */
extern const char *iso_notify_path;

/* [limits] rlimits (part of iso_setup; alone for supctl exec). */
void	iso_rlimits(const struct svc_conf *);

/*
 * In the command's process, after iso_setup: bounding set, user, groups,
 * capabilities (ambient for non-root), no_new_privs. Fills HOME and USER
 * of env from the user's account.
 */
void	iso_identity(const struct svc_conf *, struct strv *env,
	    const char *own_home, const char *own_user);

#endif

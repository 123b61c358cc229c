/* SPDX-License-Identifier: ISC */
/* netpool.c: network namespaces made ahead by the janitor, loopback up,
 * for the services whose network is a bare namespace of their own. */
#ifndef SUPD_NETPOOL_H
#define SUPD_NETPOOL_H

/* A fresh network namespace (an fd of it, its owner's) or -1 when none
 * is ready (the spawn makes its own, CLONE_NEWNET, as before); the pool
 * is filled again in the background either way. */
int	netpool_take(void);
/* supd ending: the namespaces not given out are freed. */
void	netpool_end(void);

#endif

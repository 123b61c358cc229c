/* SPDX-License-Identifier: ISC */
/* netns.c: a bare network namespace, its loopback up. */
#ifndef SUPD_NETNS_H
#define SUPD_NETNS_H

/* lo up in the caller's network namespace: 0, or -1 and errno, *what the
 * step that failed. */
int	netns_loopback_up(const char **what);
/* A new network namespace with its loopback up: its fd (-1 and errno if
 * not); the caller's own stays `home` (an fd of it). */
int	netns_make(int home);

#endif

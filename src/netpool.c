/* SPDX-License-Identifier: ISC */
/*
 * netpool.c: network namespaces made ahead, loopback up, for the services
 * whose network is a bare namespace of their own (`net` in namespaces, no
 * bridge network, no user namespace: a namespace made outside one would
 * not be its root's).
 *
 * Making a network namespace is the largest single step of an isolated
 * start: its clone with `net` cost 0.4-0.5 ms more than without, and the
 * loopback's bringing up 0.15 ms (bench/README.md, "Network namespaces
 * made ahead"). The janitor (janitor.c, netns.c) makes them, at its lowest
 * priority and so mostly on a core supd is not using, and supd keeps up
 * to NETPOOL_MAX ready: a spawn takes one (the child joins it, setns,
 * instead of CLONE_NEWNET) and asks for another. An empty pool is a spawn
 * as before, CLONE_NEWNET, the pool filled meanwhile; a janitor that
 * cannot make one (no CAP_SYS_ADMIN) is never asked again, said once.
 *
 * A namespace is handed out once and is never given back: each run has
 * a fresh one, as with CLONE_NEWNET. Nothing is made before a service
 * asks for one, and nothing is kept but that many fds.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "janitor.h"
#include "log.h"
#include "netpool.h"

#define NETPOOL_MAX	2

static int	ready[NETPOOL_MAX];
static size_t	nready;
static size_t	asked;		/* requests the janitor has not answered */
static bool	broken;		/* it cannot make them */

static void	answer(int fd, int err);

static void
refill(void)
{
	while (!broken && nready + asked < NETPOOL_MAX &&
	    janitor_ask_netns(answer))
		asked++;
}

int
netpool_take(void)
{
	int	fd = -1;

	if (nready > 0)
		fd = ready[--nready];
	refill();
	return fd;
}

/* The janitor's answer: a namespace made, why not (err), or nothing
 * (the janitor ended: what was asked is asked again at the next take). */
static void
answer(int fd, int err)
{
	if (fd == -1 && err == 0) {
		asked = 0;
		return;
	}
	if (asked > 0)
		asked--;
	if (fd != -1) {
		if (nready < NETPOOL_MAX)
			ready[nready++] = fd;
		else
			close(fd);
		return;
	}
	asked = 0;
	if (broken)
		return;
	broken = true;
	log_warnx("network namespaces cannot be made ahead (%s): each is made "
	    "at its service's start", strerror(err));
}

void
netpool_end(void)
{
	while (nready > 0)
		close(ready[--nready]);
	asked = 0;
}

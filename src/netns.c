/* SPDX-License-Identifier: ISC */
/*
 * netns.c: a bare network namespace, its loopback up -- in a service's
 * child (isolate.c) or ahead of it, in the janitor (netpool.c).
 */
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <net/if.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "netns.h"

int
netns_loopback_up(const char **what)
{
	struct ifreq	ifr;
	const char	*w = "socket";
	int		s, saved;

	if ((s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		goto fail;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "lo");
	w = "lo";
	if (ioctl(s, SIOCGIFFLAGS, &ifr) == -1)
		goto fail;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	w = "lo up";
	if (ioctl(s, SIOCSIFFLAGS, &ifr) == -1)
		goto fail;
	close(s);
	return 0;
fail:
	saved = errno;
	if (s != -1)
		close(s);
	if (what != NULL)
		*what = w;
	errno = saved;
	return -1;
}

int
netns_make(int home)
{
	int	fd = -1, saved;

	if (unshare(CLONE_NEWNET) == -1)
		return -1;
	if (netns_loopback_up(NULL) == 0)
		fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	saved = errno;
	/* Back home: the new one lives on through fd only. */
	if (setns(home, CLONE_NEWNET) == -1)
		log_warn("janitor: back to its network namespace");
	errno = saved;
	return fd;
}

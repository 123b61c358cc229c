/* SPDX-License-Identifier: ISC */
/*
 * ctl-peer.c: who is on the other end of a control connection, asked
 * before anything is read from it (ctl.c's accept).
 *
 * SO_PEERCRED gives the uid: root and supd's own uid may do everything,
 * members of socket_group (primary or supplementary, SO_PEERGROUPS) may
 * look. A process inside a service is refused whatever its uid: a service
 * must not steer its supervisor. Every answer that needs an fd (a pidfd,
 * a /proc file) and cannot have one refuses the peer, with a reply saying
 * so: a peer is never let in because supd could not check it.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl-private.h"
#include "log.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD	77
#endif

/* supd's own pid and mount namespaces, by identity (ctl_peer_init). */
static struct stat	own_ns[2];
static bool		own_ns_known;
static const char *const ns_names[2] = { "pid", "mnt" };
/* socket_group, if there is one. */
static gid_t		sock_gid;
static bool		has_group;

static void
own_ns_init(void)
{
	char	path[64];
	int	i;

	own_ns_known = true;
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "/proc/self/ns/%s", ns_names[i]);
		if (stat(path, &own_ns[i]) == -1) {
			log_warn("control: %s (clients in supd's pid "
			    "namespace will be refused)", path);
			own_ns_known = false;
		}
	}
}

/* The parent of pid as supd sees it (field 4 of /proc/PID/stat), or -1
 * (errno EINVAL if the file made no sense). */
static pid_t
parent_of(pid_t pid)
{
	unsigned long long	ppid;

	return proc_stat_field(pid, 4, &ppid) == -1 ? -1 : (pid_t)ppid;
}

/* Out of file descriptors: a question that needs one cannot be answered. */
static bool
no_fds(void)
{
	return errno == EMFILE || errno == ENFILE;
}

/* Is pid one of supd's descendants (every service process is: supd is
 * their subreaper)? 1 yes, 0 no, -1 cannot tell (out of fds); any other
 * unknown counts as yes. */
static int
descendant(pid_t pid)
{
	pid_t	me = getpid();
	int	depth;

	for (depth = 0; depth < 4096 && pid > 1; depth++) {
		if ((pid = parent_of(pid)) == me)
			return 1;
		if (pid == -1)
			return no_fds() ? -1 : 1;
	}
	return 0;
}

/*
 * Is the peer inside a service? Every process of a service descends from
 * supd (supd reaps its orphans), so a peer is a service's when it is
 * supd's descendant and its pid or mount namespace is not supd's: a
 * service with namespaces = none, or supctl exec's namespaces-free
 * commands, are supd's equals; a client that is not supd's descendant
 * (an admin's shell, even in a mount namespace of its own) is outside
 * every service, as is one supd cannot see (pid 0: the host of supd's
 * container). The peer is held by a pidfd while its /proc entries are
 * read, and checked alive after: a recycled pid cannot pass for it.
 * 1 inside, 0 outside, -1 out of fds to tell (refused too, but not
 * taken for a service).
 */
static int
peer_in_service(int fd, pid_t pid)
{
	socklen_t	len = sizeof(int);
	struct stat	st;
	char		path[64];
	bool		same = own_ns_known;
	int		pidfd, i, in;

	if (pid == 0)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) == -1 &&
	    (pidfd = syscall(SYS_pidfd_open, pid, 0)) == -1)
		return no_fds() ? -1 : 1;
	for (i = 0; i < 2 && same; i++) {
		snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid,
		    ns_names[i]);
		same = stat(path, &st) == 0 && st.st_dev == own_ns[i].st_dev &&
		    st.st_ino == own_ns[i].st_ino;
	}
	in = same ? 0 : descendant(pid);
	if (in == 0 && syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == -1)
		in = 1;
	close(pidfd);
	return in;
}

/* Is the peer a member of socket_group (primary or supplementary)? */
static bool
peer_in_group(int fd, const struct ucred *cred)
{
	gid_t		 small[64], *groups = small;
	socklen_t	 glen = sizeof small;
	size_t		 i;
	bool		 ok = false;

	if (cred->gid == sock_gid)
		return true;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen) == -1) {
		/* ERANGE tells the size needed. */
		if (errno != ERANGE || glen > 65536 * sizeof *groups)
			return false;
		groups = xmalloc(glen);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups,
		    &glen) == -1)
			glen = 0;
	}
	for (i = 0; i < glen / sizeof *groups; i++)
		if (groups[i] == sock_gid)
			ok = true;
	if (groups != small)
		free(groups);
	return ok;
}

const char	ctl_peer_no_fds[] = "out of file descriptors to check "
		    "the peer, try again";

enum peer_access
ctl_peer_access(int fd, struct ucred *cred, const char **why)
{
	socklen_t	len = sizeof *cred;

	*why = "not root, supd's user or in socket_group";
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, &len) == -1) {
		memset(cred, 0, sizeof *cred);
		*why = "no peer credentials";
		return PEER_NONE;
	}
	switch (peer_in_service(fd, cred->pid)) {
	case 1:
		*why = "a process inside a service (supd's descendant, not in "
		    "its pid and mount namespaces)";
		return PEER_NONE;
	case -1:
		*why = ctl_peer_no_fds;
		return PEER_NONE;
	}
	if (cred->uid == 0 || cred->uid == geteuid())
		return PEER_ALL;
	return has_group && peer_in_group(fd, cred) ? PEER_READ : PEER_NONE;
}

void
ctl_peer_init(const struct supd_conf *mc)
{
	own_ns_init();
	has_group = mc->socket_group != NULL;
	sock_gid = mc->socket_gid;
}

/* SPDX-License-Identifier: ISC */
/*
 * notify.c: the sd_notify protocol on supd's side.
 *
 * A service with ready = notify gets a datagram socket of its own under the
 * control socket's directory (notify/NAME). It is made private three ways:
 * the directory is 0711 and must be supd's (never followed through a
 * symlink), the socket is 0600 and owned by the service's user, and a
 * datagram counts only if SO_PASSCRED shows its sender inside the service
 * -- reaching the socket (a host process of the right uid, a volume that
 * exposes it) is not enough. supd reads at most NOTIFY_BATCH datagrams per
 * wake-up, so a flood costs the loop a bounded slice.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "notify.h"
#include "util.h"

/* DIR as a directory of supd's own, 0711: anyone may pass, nobody list. */
static int
notify_dir(const char *dir, char **cause)
{
	struct stat	st;
	int		fd;

	if (mkdir(dir, 0711) == -1 && errno != EEXIST) {
		*cause = errno_cause("%s", dir);
		return -1;
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1 || fstat(fd, &st) == -1) {
		*cause = errno_cause("%s", dir);
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (st.st_uid != geteuid()) {
		*cause = xasprintf("%s: not owned by supd's user", dir);
		close(fd);
		return -1;
	}
	if ((st.st_mode & 07777) != 0711 && fchmod(fd, 0711) == -1) {
		*cause = errno_cause("%s", dir);
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
notify_bind(const char *dir, const char *name, uid_t owner, char **cause)
{
	struct sockaddr_un	 sun;
	mode_t			 old;
	int			 fd, pfd, one = 1;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if ((size_t)snprintf(sun.sun_path, sizeof sun.sun_path, "%s/%s", dir,
	    name) >= sizeof sun.sun_path) {
		*cause = xasprintf("%s/%s: path too long", dir, name);
		return -1;
	}
	if (notify_dir(dir, cause) == -1)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		*cause = errno_cause("socket");
		return -1;
	}
	(void)unlink(sun.sun_path);
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		umask(old);
		*cause = errno_cause("%s: bind", sun.sun_path);
		close(fd);
		return -1;
	}
	umask(old);
	if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) == -1 ||
	    (owner != geteuid() && ((pfd = open(sun.sun_path, O_PATH |
	    O_NOFOLLOW | O_CLOEXEC)) == -1 || fchownat(pfd, "", owner, -1,
	    AT_EMPTY_PATH) == -1 || close(pfd) == -1))) {
		*cause = errno_cause("%s", sun.sun_path);
		(void)unlink(sun.sun_path);
		close(fd);
		return -1;
	}
	return fd;
}

int
notify_recv(int fd, char *buf, size_t len, pid_t *sender)
{
	union {
		struct cmsghdr	h;
		char		b[CMSG_SPACE(sizeof(struct ucred)) +
				    CMSG_SPACE(16 * sizeof(int))];
	}		 ctl;
	struct iovec	 iov = { buf, len - 1 };
	struct msghdr	 msg = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = ctl.b,
			    .msg_controllen = sizeof ctl.b };
	struct cmsghdr	*c;
	ssize_t		 n;
	size_t		 i, nfd;

	*sender = 0;
	n = recvmsg(fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n == -1)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	for (c = CMSG_FIRSTHDR(&msg); c != NULL; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
			struct ucred u;

			memcpy(&u, CMSG_DATA(c), sizeof u);
			*sender = u.pid;
		} else if (c->cmsg_type == SCM_RIGHTS) {
			/* Nobody's fds stay with supd. */
			nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (i = 0; i < nfd; i++) {
				int f;

				memcpy(&f, CMSG_DATA(c) + i * sizeof f,
				    sizeof f);
				close(f);
			}
		}
	}
	buf[n] = '\0';
	return 1;
}

/* Same namespace of kind `ns` (pid, mnt) for both processes? */
static bool
same_ns(pid_t a, pid_t b, const char *ns)
{
	struct stat	sa, sb;
	char		path[64];

	snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)a, ns);
	if (stat(path, &sa) == -1)
		return false;
	snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)b, ns);
	if (stat(path, &sb) == -1)
		return false;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* The session of pid (field 6 of /proc/PID/stat), or -1. */
static pid_t
session_of(pid_t pid)
{
	unsigned long long	sid;

	return proc_stat_field(pid, 6, &sid) == -1 ? -1 : (pid_t)sid;
}

bool
notify_sender_ok(pid_t sender, pid_t svc, bool pid_ns, bool mnt_ns)
{
	if (sender <= 0 || svc <= 0)
		return false;
	if (pid_ns)
		return same_ns(sender, svc, "pid");
	if (mnt_ns)
		return same_ns(sender, svc, "mnt");
	return session_of(sender) == svc;
}

void
notify_parse(char *msg, bool *ready, char **status)
{
	char	*line, *nl;

	/* Every line, empty ones included (skipped, as systemd does). */
	for (line = msg; line != NULL; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		if (strcmp(line, "READY=1") == 0)
			*ready = true;
		else if (strncmp(line, "STATUS=", 7) == 0) {
			free(*status);
			*status = xstrdup(line + 7);
		}
		/* MAINPID and the rest: not trusted, not needed. */
	}
}

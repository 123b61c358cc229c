/* SPDX-License-Identifier: ISC */
/*
 * janitor.c: supd's janitor, one child process that frees what would hold
 * supd's loop: the blocks of big unlinked files (a rotated-out log: on
 * ext4 mounted `discard`, dropping the last reference to 10 MiB took
 * 10-17 ms; a removed service's 1 GiB log 687 ms) and the scratch's trash
 * (the throwaway layers of past starts, scratch.c); it also makes network
 * namespaces ahead of the services that will join them (netpool.c).
 *
 * It is forked at the first need and kept, at the lowest priority, named
 * supd-janitor, and it dies with supd (PR_SET_PDEATHSIG). supd talks to it
 * over a SOCK_SEQPACKET pair it never blocks on: one message per request,
 * the fds in SCM_RIGHTS. A fork per request, as before, cost supd more
 * than the freeing: on a guest with shadow page tables each fork's copy of
 * supd's page tables and the copy-on-write faults after it were 15-20 % of
 * supd's CPU while capturing logs (bench/README.md, "Log capture").
 *
 * Ordering: the janitor's close must be the file's last, so it holds the
 * fds of a batch ('C' and its '+' messages) until supd, having closed its
 * own copies, says 'G' (go); if that message is lost (the socket's queue
 * full), at the next batch or after a second without news. A request that
 * cannot be sent is done by supd itself: fds are closed in the loop (said
 * once), a trash is emptied at the next ask.
 *
 * 'N' asks for a network namespace: the janitor makes it (netns_make)
 * and answers on the same socket, 'N' with its fd or 'n' with the errno;
 * supd reads the answers from its loop (answers_cb).
 *
 * It ends when supd closes its end or dies; janitor_end kills it,
 * janitor_reaped forgets it, and the next need starts another.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <ev.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "janitor.h"
#include "log.h"
#include "netns.h"
#include "volume.h"

#define JAN_FDS		64	/* fds in one message */
#define JAN_HELD	1024	/* fds the janitor holds before a 'G' */
#define JAN_WAIT_MS	1000	/* a lost 'G': close after this */

/* Room for one message's fds, aligned for a cmsghdr. */
union jan_cmsg {
	struct cmsghdr	hdr;
	char		buf[CMSG_SPACE(JAN_FDS * sizeof(int))];
};

struct jan_msg {
	char	op;		/* 'C' close (a batch's first message, '+'
				 * the others), 'G' go, 'E' empty, 'N' a
				 * network namespace (answered 'N' or 'n') */
	char	name[NAME_MAX + 1];	/* 'E': the directory under the fd */
	int	err;		/* 'n': why not */
};

static pid_t	 janitor;	/* running, or 0 */
static int	 jfd = -1;	/* supd's end, non-blocking */
static ev_io	 answers;	/* on it */
static janitor_netns_fn *netns_answer;	/* 'N''s */
static bool	 said;		/* "closed in the loop", said once */

/* ---- the janitor's side ----------------------------------------------- */

static int	 held[JAN_HELD];
static size_t	 nheld;
static int	 home = -1;	/* the janitor's network namespace */

static void
drop_held(void)
{
	while (nheld > 0)
		close(held[--nheld]);
}

/* 'N': a network namespace made and sent, or why not. */
static void
answer_netns(void)
{
	union jan_cmsg	 cm;
	struct jan_msg	 a = { .op = 'N' };
	struct iovec	 iov = { &a, sizeof a };
	struct msghdr	 mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr	*c;
	int		 fd;

	errno = ENOENT;
	fd = home == -1 ? -1 : netns_make(home);
#ifdef SUPD_TEST_FAULTS
	/* Test builds only (netpool.bats): a janitor that cannot make one. */
	if (fd != -1 && getenv("SUPD_TEST_NO_NETNS_AHEAD") != NULL) {
		close(fd);
		fd = -1;
		errno = EPERM;
	}
#endif
	if (fd == -1) {
		a.op = 'n';
		a.err = errno;
	} else {
		memset(&cm, 0, sizeof cm);
		mh.msg_control = cm.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof fd);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof fd);
		memcpy(CMSG_DATA(c), &fd, sizeof fd);
	}
	(void)sendmsg(3, &mh, MSG_NOSIGNAL);
	if (fd != -1)
		close(fd);
}

/* One message's fds: held ('C'), or the directory to empty ('E'). */
static void
take(const struct jan_msg *m, const int *fd, size_t n)
{
	struct stat	st;
	size_t		i;

	if (m->op == 'N')
		answer_netns();
	if (m->op == 'E') {
		if (n == 1 && memchr(m->name, '\0', sizeof m->name) != NULL &&
		    fstat(fd[0], &st) == 0)
			vol_empty_at(fd[0], m->name, st.st_dev);
		for (i = 0; i < n; i++)
			close(fd[i]);
		return;
	}
	/* Go, or a new batch: supd closed the last one's copies long ago. */
	if (m->op == 'G' || m->op == 'C')
		drop_held();
	for (i = 0; i < n; i++) {
		if (m->op != 'C' && m->op != '+')
			close(fd[i]);	/* none are sent with anything else */
		else {
			if (nheld == JAN_HELD)
				drop_held();
			held[nheld++] = fd[i];
		}
	}
}

/* Wait for a message (or JAN_WAIT_MS while holding fds) and act on it:
 * false at supd's end. */
static bool
serve_one(void)
{
	union jan_cmsg	 cm;
	struct jan_msg	 m;
	struct iovec	 iov = { &m, sizeof m };
	struct msghdr	 mh = { .msg_iov = &iov, .msg_iovlen = 1,
			    .msg_control = cm.buf,
			    .msg_controllen = sizeof cm.buf };
	struct pollfd	 pfd = { 3, POLLIN, 0 };
	struct cmsghdr	*c;
	ssize_t		 r;
	size_t		 n = 0;
	int		 fd[JAN_FDS];

	r = poll(&pfd, 1, nheld > 0 ? JAN_WAIT_MS : -1);
	if (r == 0)
		drop_held();
	if (r <= 0)
		return r == 0 || errno == EINTR;
	memset(&m, 0, sizeof m);
	if ((r = recvmsg(3, &mh, MSG_CMSG_CLOEXEC)) <= 0)
		return r == -1 && errno == EINTR;
	for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			memcpy(fd, CMSG_DATA(c), n * sizeof(int));
		}
	take(&m, fd, n);
	return true;
}

static void __attribute__((noreturn))
janitor_main(int sock, pid_t parent)
{
	if (dup2(sock, 3) == -1 || prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 ||
	    getppid() != parent)
		_exit(1);
	syscall(SYS_close_range, 4, ~0U, 0);
	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	(void)prctl(PR_SET_NAME, "supd-janitor", 0, 0, 0);
	/* Behind every service: what it does is never urgent. */
	(void)setpriority(PRIO_PROCESS, 0, 19);
	while (serve_one())
		;
	_exit(0);
}

/* ---- supd's side ------------------------------------------------------ */

static void	forget(void);

/* The janitor's answers ('N', 'n'), read until none is left. */
static void
answers_cb(EV_P_ ev_io *w, int revents)
{
	union jan_cmsg	 cm;
	struct jan_msg	 m;
	struct iovec	 iov = { &m, sizeof m };
	struct msghdr	 mh;
	struct cmsghdr	*c;
	ssize_t		 r;
	int		 fd;

	(void)EV_A;
	(void)w;
	(void)revents;
	for (;;) {
		memset(&mh, 0, sizeof mh);
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof cm.buf;
		if ((r = recvmsg(jfd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC)) <= 0)
			break;
		fd = -1;
		for (c = CMSG_FIRSTHDR(&mh); c != NULL; c = CMSG_NXTHDR(&mh, c))
			if (c->cmsg_level == SOL_SOCKET &&
			    c->cmsg_type == SCM_RIGHTS &&
			    c->cmsg_len == CMSG_LEN(sizeof fd) && fd == -1)
				memcpy(&fd, CMSG_DATA(c), sizeof fd);
		if (r == sizeof m && m.op == 'N' && fd != -1 &&
		    netns_answer != NULL)
			netns_answer(fd, 0);
		else {
			if (fd != -1)
				close(fd);
			if (r == sizeof m && m.op == 'n' && netns_answer != NULL)
				netns_answer(-1, m.err != 0 ? m.err : EIO);
		}
	}
	/* Its end closed: it is gone (janitor_reaped says so too). */
	if (r == 0)
		forget();
}

static bool
start(void)
{
	pid_t	supd = getpid();
	int	sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1) {
		log_warn("janitor: socketpair");
		return false;
	}
	if ((janitor = fork()) == -1) {
		log_warn("janitor: fork");
		janitor = 0;
		close(sv[0]);
		close(sv[1]);
		return false;
	}
	if (janitor == 0)
		janitor_main(sv[1], supd);
	close(sv[1]);
	(void)fcntl(sv[0], F_SETFL, O_NONBLOCK);
	jfd = sv[0];
	ev_io_init(&answers, answers_cb, jfd, EV_READ);
	ev_io_start(EV_DEFAULT_UC_ &answers);
	return true;
}

/* The janitor is gone (or going): its socket closed, its answers lost. */
static void
forget(void)
{
	if (jfd == -1)
		return;
	ev_io_stop(EV_DEFAULT_UC_ &answers);
	close(jfd);
	jfd = -1;
	if (netns_answer != NULL)
		netns_answer(-1, 0);
}

/* One request, never waiting: false if it could not be sent. */
static bool
send_msg(char op, const char *name, const int *fd, size_t n)
{
	union jan_cmsg	 cm;
	struct jan_msg	 m = { .op = op };
	struct iovec	 iov = { &m, sizeof m };
	struct msghdr	 mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr	*c;

	if (janitor == 0 && !start())
		return false;
	if (name != NULL)
		snprintf(m.name, sizeof m.name, "%s", name);
	if (n > 0) {
		memset(&cm, 0, sizeof cm);
		mh.msg_control = cm.buf;
		mh.msg_controllen = CMSG_SPACE(n * sizeof(int));
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(n * sizeof(int));
		memcpy(CMSG_DATA(c), fd, n * sizeof(int));
	}
	return sendmsg(jfd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL) != -1;
}

void
janitor_close(const int *fd, size_t n)
{
	size_t	i, k;
	bool	sent = false, lost = false;

	for (i = 0; i < n; i += k) {
		k = n - i < JAN_FDS ? n - i : JAN_FDS;
		if (send_msg(i == 0 ? 'C' : '+', NULL, fd + i, k))
			sent = true;
		else
			lost = true;
	}
	for (i = 0; i < n; i++)
		close(fd[i]);
	if (sent)
		(void)send_msg('G', NULL, NULL, 0);
	if (lost && !said) {
		log_warnx("janitor: unreachable, files freed in supd's loop");
		said = true;
	}
}

void
janitor_empty(int dfd, const char *name)
{
	(void)send_msg('E', name, &dfd, 1);
}

bool
janitor_ask_netns(janitor_netns_fn *answer)
{
	netns_answer = answer;
	return send_msg('N', NULL, NULL, 0);
}

void
janitor_end(void)
{
	if (janitor == 0)
		return;
	/* What it held or had queued is freed by its exit, not by supd. */
	(void)kill(janitor, SIGKILL);
	while (waitpid(janitor, NULL, 0) == -1 && errno == EINTR)
		;
	janitor = 0;
	forget();
}

bool
janitor_reaped(pid_t pid)
{
	if (pid == 0 || pid != janitor)
		return false;
	log_warnx("janitor: ended; started again when needed");
	janitor = 0;
	forget();
	return true;
}

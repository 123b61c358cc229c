/* SPDX-License-Identifier: ISC */
/*
 * test_notify.c: notify.c -- what a datagram says (notify_parse), who may
 * say it (notify_sender_ok, against this very process), and the socket
 * notify_bind makes (modes, owner, a directory that is not supd's).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "notify.h"
#include "unit.h"
#include "util.h"

static void
parse(const char *msg, bool ready, const char *status)
{
	char	*m = xstrdup(msg), *st = NULL;
	bool	 r = false;

	notify_parse(m, &r, &st);
	CHECK_INT(r, ready);
	if (status == NULL)
		CHECK(st == NULL);
	else
		CHECK_STR(st != NULL ? st : "(null)", status);
	free(st);
	free(m);
}

static void
test_parse(void)
{
	parse("READY=1", true, NULL);
	parse("READY=1\n", true, NULL);
	parse("STATUS=serving\nREADY=1\n", true, "serving");
	/* An empty line does not end the datagram. */
	parse("\n\nREADY=1\n", true, NULL);
	parse("STATUS=a\n\nSTATUS=b", false, "b");
	parse("STATUS=", false, "");
	/* Near misses. */
	parse("READY=10\nXREADY=1\nREADY=1 \nready=1", false, NULL);
	parse("MAINPID=1\nBARRIER=1\nWATCHDOG=1", false, NULL);
	parse("", false, NULL);
}

static void
test_sender(void)
{
	pid_t	me = getpid();

	/* Ourselves: in our own namespaces and session. */
	CHECK(notify_sender_ok(me, me, true, false));
	CHECK(notify_sender_ok(me, me, false, true));
	/* Unknown senders and services never pass. */
	CHECK(!notify_sender_ok(0, me, true, false));
	CHECK(!notify_sender_ok(me, 0, true, false));
	CHECK(!notify_sender_ok(-1, me, false, false));
	/* Not our session (pid 1 leads its own). */
	CHECK(!notify_sender_ok(me, 1, false, false));
}

/*
 * A member of a service's session passes; the test makes that session
 * itself, since the one it runs in may be led from outside its pid
 * namespace (getsid(0) is 0 in CI's container).
 */
static void
test_sender_session(void)
{
	int	 rep[2], go[2];
	pid_t	 leader, member = 0;
	char	 c;

	if (pipe(rep) == -1 || pipe(go) == -1) {
		CHECK(!"pipe");
		return;
	}
	if ((leader = fork()) == 0) {
		close(rep[0]);
		close(go[1]);
		if (setsid() == -1)
			_exit(1);
		if ((member = fork()) == 0) {
			(void)read(go[0], &c, 1);
			_exit(0);
		}
		(void)write(rep[1], &member, sizeof(member));
		(void)read(go[0], &c, 1);
		waitpid(member, NULL, 0);
		_exit(0);
	}
	close(rep[1]);
	close(go[0]);
	CHECK(leader > 0 && read(rep[0], &member, sizeof(member)) ==
	    (ssize_t)sizeof(member));
	CHECK(notify_sender_ok(member, leader, false, false));
	CHECK(notify_sender_ok(leader, leader, false, false));
	/* We are not in that session. */
	CHECK(!notify_sender_ok(getpid(), leader, false, false));
	close(go[1]);
	close(rep[0]);
	if (leader > 0)
		waitpid(leader, NULL, 0);
}

static void
test_bind(void)
{
	char		 dir[] = "/tmp/test_notify.XXXXXX", *sub, *sock, *cause;
	struct stat	 st;
	int		 fd;

	if (mkdtemp(dir) == NULL) {
		CHECK(!"mkdtemp");
		return;
	}
	sub = xasprintf("%s/notify", dir);
	sock = xasprintf("%s/svc", sub);
	fd = notify_bind(sub, "svc", geteuid(), &cause);
	CHECK(fd >= 0);
	CHECK(stat(sub, &st) == 0 && (st.st_mode & 07777) == 0711);
	CHECK(lstat(sock, &st) == 0 && S_ISSOCK(st.st_mode) &&
	    (st.st_mode & 07777) == 0600 && st.st_uid == geteuid());
	if (fd >= 0)
		close(fd);
	/* A directory that is a symlink is refused. */
	unlink(sock);
	rmdir(sub);
	CHECK(symlink("/tmp", sub) == 0);
	cause = NULL;
	CHECK(notify_bind(sub, "svc", geteuid(), &cause) == -1);
	CHECK(cause != NULL);
	free(cause);
	unlink(sub);
	rmdir(dir);
	free(sock);
	free(sub);
}

int
main(void)
{
	test_parse();
	test_sender();
	test_sender_session();
	test_bind();
	return unit_done("notify");
}

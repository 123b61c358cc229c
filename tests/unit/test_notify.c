/* SPDX-License-Identifier: ISC */
/*
 * test_notify.c: notify.c -- what a datagram says (notify_parse), who may
 * say it (notify_sender_ok, against this very process), and the socket
 * notify_bind makes (modes, owner, a directory that is not supd's).
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

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
	CHECK(notify_sender_ok(me, getsid(0), false, false));
	/* Unknown senders and services never pass. */
	CHECK(!notify_sender_ok(0, me, true, false));
	CHECK(!notify_sender_ok(me, 0, true, false));
	CHECK(!notify_sender_ok(-1, me, false, false));
	/* Not our session (pid 1 leads its own). */
	CHECK(!notify_sender_ok(me, 1, false, false));
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
	test_bind();
	return unit_done("notify");
}

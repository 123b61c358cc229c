/* SPDX-License-Identifier: ISC */
/*
 * iso_ctty OUTFILE PROG [ARG]...: run PROG (supd) with a fresh pseudo-
 * terminal as its controlling terminal and standard input, as an
 * interactive console would give it, and copy everything that appears on
 * that terminal to OUTFILE. Used by the TIOCSTI test (docs/reliability.md I11):
 * a service that could reach supd's terminal would push characters into
 * its input queue, and the terminal would echo them to OUTFILE.
 *
 * PROG keeps this process's pid (exec), so $! in the test is supd's pid. A
 * forked copier child holds the master side and ends when every slave fd
 * is closed.
 */
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
	int	master, slave, out;
	pid_t	pid;

	if (argc < 3) {
		fprintf(stderr, "usage: iso_ctty OUTFILE PROG [ARG]...\n");
		return 2;
	}
	if ((out = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1 || openpty(&master, &slave, NULL, NULL, NULL) == -1) {
		perror("iso_ctty");
		return 1;
	}
	if ((pid = fork()) == -1) {
		perror("iso_ctty: fork");
		return 1;
	}
	if (pid == 0) {
		char	buf[4096];
		ssize_t	n;

		close(slave);
		setsid();	/* out of the test's process group */
		for (;;) {
			n = read(master, buf, sizeof buf);
			if (n == -1 && errno == EINTR)
				continue;
			if (n <= 0)
				_exit(0);
			if (write(out, buf, (size_t)n) != n)
				_exit(1);
		}
	}
	close(master);
	close(out);
	if (setsid() == -1 && getsid(0) != getpid()) {
		perror("iso_ctty: setsid");
		return 1;
	}
	if (ioctl(slave, TIOCSCTTY, 0) == -1) {
		perror("iso_ctty: TIOCSCTTY");
		return 1;
	}
	if (dup2(slave, 0) == -1) {
		perror("iso_ctty: dup2");
		return 1;
	}
	if (slave != 0)
		close(slave);
	execv(argv[2], argv + 2);
	perror("iso_ctty: exec");
	return 127;
}

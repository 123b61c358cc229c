/* SPDX-License-Identifier: ISC */
/*
 * lc_doublefork: a service that double-forks, leaving an orphan behind.
 *
 *   lc_doublefork PIDFILE GOFILE
 *
 * The main process forks a child, which forks a grandchild and exits at once;
 * the main process reaps the child, so the grandchild is orphaned while the
 * service keeps running (pause()). The grandchild writes its pid to PIDFILE
 * (atomically, via rename), waits until GOFILE exists (at most 30 s), then
 * exits 0 -- someone other than the main process (the subreaper: supd) must
 * reap it.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void
write_pid(const char *path)
{
	char	tmp[4096], buf[32];
	int	fd, n;

	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	n = snprintf(buf, sizeof buf, "%d\n", (int)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1 ||
	    write(fd, buf, n) != n || close(fd) == -1 || rename(tmp, path) == -1)
		_exit(2);
}

static void
grandchild(pid_t parent, const char *pidfile, const char *gofile)
{
	struct timespec	ts = { 0, 10 * 1000 * 1000 };
	int		i;

	/* Report only once orphaned: the parent exits right after fork. */
	for (i = 0; i < 1000 && getppid() == parent; i++)
		nanosleep(&ts, NULL);
	write_pid(pidfile);
	for (i = 0; i < 3000; i++) {
		if (access(gofile, F_OK) == 0)
			_exit(0);
		nanosleep(&ts, NULL);
	}
	_exit(0);
}

int
main(int argc, char *argv[])
{
	pid_t	child;
	int	status;

	if (argc != 3) {
		fprintf(stderr, "usage: lc_doublefork PIDFILE GOFILE\n");
		return 2;
	}
	switch ((child = fork())) {
	case -1:
		perror("fork");
		return 1;
	case 0:
		child = getpid();
		switch (fork()) {
		case -1:
			_exit(1);
		case 0:
			grandchild(child, argv[1], argv[2]);
		}
		_exit(0);
	}
	while (waitpid(child, &status, 0) == -1 && errno == EINTR)
		;
	for (;;)
		pause();
}

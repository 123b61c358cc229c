/*
 * spawn_floor.c: the floor for start-1000.sh -- a minimal C parent that
 * fork+execs N copies of `sleep infinity` and waits until every one has
 * exec'd (a close-on-exec pipe per child reaches EOF at exec), then kills
 * and reaps them all. Prints the time to "all exec'd" in ns.
 *
 *   spawn_floor N
 */
#define _GNU_SOURCE
#include <sys/types.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static long long
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int
main(int argc, char *argv[])
{
	int		 n = argc > 1 ? atoi(argv[1]) : 1000, i, p[2], *rfd;
	pid_t		*pid;
	long long	 t0, t1;
	char		 c;

	rfd = calloc(n, sizeof *rfd);
	pid = calloc(n, sizeof *pid);
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		if (pipe2(p, O_CLOEXEC) == -1) {
			perror("pipe2");
			return 1;
		}
		if ((pid[i] = fork()) == 0) {
			setsid();
			execlp("sleep", "sleep", "infinity", (char *)NULL);
			_exit(127);
		}
		close(p[1]);
		rfd[i] = p[0];
	}
	for (i = 0; i < n; i++) {
		while (read(rfd[i], &c, 1) > 0)
			;
		close(rfd[i]);
	}
	t1 = now_ns();
	for (i = 0; i < n; i++)
		kill(pid[i], SIGKILL);
	for (i = 0; i < n; i++)
		waitpid(pid[i], NULL, 0);
	printf("%lld\n", t1 - t0);
	return 0;
}

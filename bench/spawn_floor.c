/* SPDX-License-Identifier: ISC */
/*
 * spawn_floor.c: the floor for start-1000.sh -- a minimal C parent that
 * fork+execs N copies of `sleep infinity` and waits until every one has
 * exec'd (a close-on-exec pipe per child reaches EOF at exec), then kills
 * and reaps them all. Prints the time to "all exec'd" in ns.
 *
 *   spawn_floor N        fork
 *   spawn_floor N ns     clone(2) into new mount, pid, ipc, uts and net
 *                        namespaces instead of fork (the kernel's share of
 *                        start-500-isolated.sh; nothing is set up inside)
 *   spawn_floor N default
 *                        the same with supd's default namespaces: mount,
 *                        pid, ipc and uts (start-1000.sh's floor for
 *                        services with the default isolation)
 *   spawn_floor N [ns|default] -- CMD ARG...
 *                        the same with CMD instead of `sleep infinity`
 *                        (bench/peers: the same payload as the services);
 *                        CMD must run until killed
 */
#define _GNU_SOURCE
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
	unsigned long	 ns = 0;
	pid_t		*pid;
	long long	 t0, t1;
	char		 c, *sleep_argv[] = { "sleep", "infinity", NULL };
	char		**cmd = sleep_argv;

	if (argc > 2 && strcmp(argv[2], "ns") == 0)
		ns = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS |
		    CLONE_NEWNET;
	if (argc > 2 && strcmp(argv[2], "default") == 0)
		ns = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS;
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0 && i + 1 < argc) {
			cmd = argv + i + 1;
			break;
		}

	rfd = calloc(n, sizeof *rfd);
	pid = calloc(n, sizeof *pid);
	t0 = now_ns();
	for (i = 0; i < n; i++) {
		if (pipe2(p, O_CLOEXEC) == -1) {
			perror("pipe2");
			return 1;
		}
		pid[i] = ns ? syscall(SYS_clone, ns | SIGCHLD, NULL, NULL, NULL,
		    NULL) : fork();
		if (pid[i] == -1) {
			perror("clone");
			return 1;
		}
		if (pid[i] == 0) {
			setsid();
			execvp(cmd[0], cmd);
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

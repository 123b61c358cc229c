/* SPDX-License-Identifier: ISC */
/*
 * stamp.c: the service of bench/restart-latency.sh. Its first action is to
 * read CLOCK_MONOTONIC; it then writes "PID NS\n" to the FIFO (or stdout) named
 * by argv[1] and waits for a signal forever (SIGTERM and SIGKILL end it).
 *
 *   stamp FIFO     service mode: write the line to FIFO, then pause()
 *   stamp -        write the line to stdout and exit (restart_probe's baseline)
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	struct timespec	ts;
	char		line[64];
	int		fd, n;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	n = snprintf(line, sizeof line, "%ld %lld\n", (long)getpid(),
	    (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	if (argc < 2 || strcmp(argv[1], "-") == 0) {
		if (write(1, line, n) != n)
			return 1;
		return 0;
	}
	if ((fd = open(argv[1], O_WRONLY | O_CLOEXEC)) == -1) {
		perror(argv[1]);
		return 1;
	}
	if (write(fd, line, n) != n)
		perror("write");
	close(fd);
	for (;;)
		pause();
}

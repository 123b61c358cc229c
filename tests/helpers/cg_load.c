/* SPDX-License-Identifier: ISC */
/*
 * cg_load: the loads of the VM's cgroup boot (tests/vm/cgroup/), whose
 * limits only a kernel with cgroup v2 controllers can hold.
 *
 *   cg_load bomb           fork forever, every process (children too); a
 *                          failed fork (the pids limit) is retried after
 *                          200 ms, so the bomb keeps pushing at the limit
 *                          without eating the VM's one CPU
 *   cg_load hog MARK       the first run (MARK missing: made) touches 1 MiB
 *                          after 1 MiB until the kernel kills it (memory);
 *                          a later run (MARK there) only waits: the run
 *                          its restart policy made
 *   cg_load hold MIB READY touch MIB MiB, then write READY and wait
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void
nap_ms(long ms)
{
	struct timespec	ts = { ms / 1000, ms % 1000 * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void *
touched(size_t len)
{
	char	*p;

	if ((p = malloc(len)) == NULL) {
		perror("cg_load: malloc");
		exit(1);
	}
	memset(p, 0xa5, len);
	return p;
}

static void
bomb(void)
{
	for (;;) {
		if (fork() == -1)
			nap_ms(200);
	}
}

static void
hog(const char *mark)
{
	int	fd;

	if ((fd = open(mark, O_WRONLY | O_CREAT | O_EXCL, 0644)) == -1) {
		for (;;)
			pause();
	}
	close(fd);
	for (;;)
		(void)touched(1 << 20);
}

static void
hold(long mib, const char *ready)
{
	int	fd;

	(void)touched((size_t)mib << 20);
	if ((fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1) {
		perror(ready);
		exit(1);
	}
	close(fd);
	for (;;)
		pause();
}

int
main(int argc, char *argv[])
{
	if (argc == 2 && strcmp(argv[1], "bomb") == 0)
		bomb();
	else if (argc == 3 && strcmp(argv[1], "hog") == 0)
		hog(argv[2]);
	else if (argc == 4 && strcmp(argv[1], "hold") == 0)
		hold(atol(argv[2]), argv[3]);
	fprintf(stderr, "usage: cg_load bomb | hog MARK | hold MIB READY\n");
	return 2;
}

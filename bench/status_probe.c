/* SPDX-License-Identifier: ISC */
/*
 * status_probe.c: supd's own answer time to a status request, without the
 * start-up of a supctl process (soak.sh runs it next to the supctl clients,
 * so that the two can be told apart on a loaded machine).
 *
 *   status_probe SOCK INTERVAL_MS
 *
 * Until SIGTERM: every INTERVAL_MS, connect to SOCK, send a STATUS request
 * (every service), read the reply up to its END, and print one line
 * "START_REALTIME_S LATENCY_MS OK" (OK 1 if the END says ok), from connect
 * to END. Speaks the protocol of src/proto.h directly (little-endian host).
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROTO_MAGIC	0x44505553u
#define PROTO_VERSION	1
#define PROTO_STATUS	1
#define PROTO_END	102

static volatile sig_atomic_t	stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static double
clock_s(clockid_t id)
{
	struct timespec	ts;

	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
read_full(int fd, void *p, size_t n)
{
	ssize_t	r;

	while (n > 0) {
		r = read(fd, p, n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		p = (char *)p + r;
		n -= (size_t)r;
	}
	return 0;
}

/* One request; 1 if the reply ended ok, 0 if not, -1 if it broke off. */
static int
one(const char *path)
{
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	unsigned char		 hdr[12], *pl = NULL;
	uint32_t		 u32, len;
	uint16_t		 u16, type;
	int			 fd, ok = -1;

	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	u32 = PROTO_MAGIC;
	memcpy(hdr, &u32, 4);
	u16 = PROTO_VERSION;
	memcpy(hdr + 4, &u16, 2);
	u16 = PROTO_STATUS;
	memcpy(hdr + 6, &u16, 2);
	u32 = 0;
	memcpy(hdr + 8, &u32, 4);
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1 ||
	    write(fd, hdr, sizeof hdr) != (ssize_t)sizeof hdr)
		goto out;
	for (;;) {
		if (read_full(fd, hdr, sizeof hdr) == -1)
			goto out;
		memcpy(&type, hdr + 6, 2);
		memcpy(&len, hdr + 8, 4);
		free(pl);
		if ((pl = malloc(len + 1)) == NULL ||
		    read_full(fd, pl, len) == -1)
			goto out;
		if (type == PROTO_END) {
			ok = len >= 3 && memcmp(pl, "ok", 3) == 0;
			break;
		}
	}
out:
	free(pl);
	close(fd);
	return ok;
}

int
main(int argc, char *argv[])
{
	struct sigaction	sa;
	struct timespec		nap;
	double			t0, m0;
	long			ms;
	int			ok;

	if (argc != 3) {
		fprintf(stderr, "usage: status_probe SOCK INTERVAL_MS\n");
		return 2;
	}
	ms = atol(argv[2]);
	nap.tv_sec = ms / 1000;
	nap.tv_nsec = (ms % 1000) * 1000000L;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (!stop) {
		t0 = clock_s(CLOCK_REALTIME);
		m0 = clock_s(CLOCK_MONOTONIC);
		ok = one(argv[1]);
		printf("%.6f %.3f %d\n", t0, (clock_s(CLOCK_MONOTONIC) - m0) * 1e3,
		    ok == 1);
		nanosleep(&nap, NULL);
	}
	return 0;
}

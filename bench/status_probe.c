/* SPDX-License-Identifier: ISC */
/*
 * status_probe.c: supd's own answer time to a status request, without the
 * start-up of a supctl process (soak.sh runs it next to the supctl clients,
 * so that the two can be told apart on a loaded machine;
 * status-during-start.sh runs it while supd starts 1000 services).
 *
 *   status_probe SOCK INTERVAL_MS
 *	Until SIGTERM: every INTERVAL_MS, connect to SOCK, send a STATUS
 *	request (every service), read the reply up to its END, and print
 *	one line "START_REALTIME_S LATENCY_MS OK" (OK 1 if the END says
 *	ok), from connect to END.
 *   status_probe SOCK INTERVAL_MS N [NAME]
 *	From the moment SOCK answers (connect is retried every 1 ms until
 *	then, those tries untimed and not printed) until a reply shows N
 *	services `running` (or SIGTERM): requests INTERVAL_MS apart (0:
 *	back to back), each printed as "KIND START_REALTIME_S LATENCY_MS
 *	OK RUNNING" (RUNNING: the rows of the reply in state running).
 *	KIND "all" is a status of every service; with NAME the timed
 *	requests are `status NAME` (KIND "one": what a fleet's health probe
 *	asks), and every 100 ms a status of every service (KIND "all") says
 *	how many run. At the end: "done END_REALTIME_S", the moment the
 *	reply showing N running was read whole.
 *
 * Speaks the protocol of src/proto.h directly (little-endian host).
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define PROTO_MAGIC	0x44505553u
#define PROTO_VERSION	1
#define PROTO_STATUS	1
#define PROTO_ROW	100
#define PROTO_END	102
#define CHECK_EVERY	0.1	/* s between full statuses with NAME */

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

/*
 * Connect to path; -2 if nothing listens there yet (no socket file, or
 * refused), -1 on any other error, else the fd.
 */
static int
dial(const char *path)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };
	int			fd, e;

	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0)
		return fd;
	e = errno;
	close(fd);
	return e == ENOENT || e == ECONNREFUSED ? -2 : -1;
}

/*
 * One request (name NULL: every service) on a connected fd, which it
 * closes; 1 if the reply ended ok, 0 if not, -1 if it broke off.
 * *running: the rows in state running.
 */
static int
one(int fd, const char *name, long *running)
{
	unsigned char	 hdr[12], *pl = NULL;
	uint32_t	 u32, len;
	uint16_t	 u16, type;
	size_t		 nlen = name != NULL ? strlen(name) + 1 : 0;
	int		 ok = -1;

	*running = 0;
	u32 = PROTO_MAGIC;
	memcpy(hdr, &u32, 4);
	u16 = PROTO_VERSION;
	memcpy(hdr + 4, &u16, 2);
	u16 = PROTO_STATUS;
	memcpy(hdr + 6, &u16, 2);
	u32 = (uint32_t)nlen;
	memcpy(hdr + 8, &u32, 4);
	if (write(fd, hdr, sizeof hdr) != (ssize_t)sizeof hdr ||
	    (nlen > 0 && write(fd, name, nlen) != (ssize_t)nlen))
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
		pl[len] = '\0';
		/* A row: NAME\0STATE\0... */
		if (type == PROTO_ROW) {
			size_t	n = strnlen((char *)pl, len);

			if (n + 1 < len && strcmp((char *)pl + n + 1,
			    "running") == 0)
				(*running)++;
		}
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

static void
nap_ms(long ms)
{
	struct timespec	nap = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&nap, NULL);
}

/* The first mode: every INTERVAL_MS until SIGTERM. */
static int
periodic(const char *path, long ms)
{
	double	t0, m0;
	long	running;
	int	ok, fd;

	while (!stop) {
		t0 = clock_s(CLOCK_REALTIME);
		m0 = clock_s(CLOCK_MONOTONIC);
		fd = dial(path);
		ok = fd < 0 ? -1 : one(fd, NULL, &running);
		printf("%.6f %.3f %d\n", t0, (clock_s(CLOCK_MONOTONIC) - m0) *
		    1e3, ok == 1);
		nap_ms(ms);
	}
	return 0;
}

/* The second: from the first answer until n services run. */
static int
until_running(const char *path, long ms, long n, const char *name)
{
	double	 t0, m0, m1, last_check = -1e9;
	long	 running;
	int	 ok, fd;
	bool	 check;

	/* The socket's first moment: tries, untimed; that connection
	 * carries the first request. */
	while (!stop && (fd = dial(path)) == -2)
		nap_ms(1);
	t0 = clock_s(CLOCK_REALTIME);
	m0 = clock_s(CLOCK_MONOTONIC);
	while (!stop) {
		check = name == NULL || m0 - last_check >= CHECK_EVERY;
		ok = fd < 0 ? -1 : one(fd, check ? NULL : name, &running);
		m1 = clock_s(CLOCK_MONOTONIC);
		if (check)
			last_check = m0;
		printf("%s %.6f %.3f %d %ld\n", check ? "all" : "one", t0,
		    (m1 - m0) * 1e3, ok == 1, running);
		if (check && ok == 1 && running >= n) {
			printf("done %.6f\n", t0 + (m1 - m0));
			return 0;
		}
		if (ms > 0)
			nap_ms(ms);
		t0 = clock_s(CLOCK_REALTIME);
		m0 = clock_s(CLOCK_MONOTONIC);
		fd = dial(path);
	}
	return 1;
}

int
main(int argc, char *argv[])
{
	struct sigaction	sa;

	if (argc < 3 || argc > 5) {
		fprintf(stderr, "usage: status_probe SOCK INTERVAL_MS "
		    "[N [NAME]]\n");
		return 2;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	if (argc == 3) {
		setvbuf(stdout, NULL, _IOLBF, 0);
		return periodic(argv[1], atol(argv[2]));
	}
	/* Printed at the end: no write(2) between requests. */
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	return until_running(argv[1], atol(argv[2]), atol(argv[3]),
	    argc == 5 ? argv[4] : NULL);
}

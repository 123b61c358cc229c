/* SPDX-License-Identifier: ISC */
/*
 * fwd_probe: the servers and clients of bench/forward-*.sh, one program so a
 * direct path and a forwarded one are driven by the same code.
 *
 *   fwd_probe sink PORT          server: each connection read to EOF, then
 *                                the byte count (8 bytes) written back
 *   fwd_probe rrserver PORT [W]  server: 100 bytes in, the same 100 out, to EOF;
 *                                W processes (1) take connections in turn
 *   fwd_probe holdserver PORT    server: accept and keep every connection
 *   fwd_probe send PORT BYTES    client: one stream of BYTES; prints the ns
 *                                from connect to the count received
 *   fwd_probe rr PORT N [C]      client: N times connect, 100 bytes out, 100
 *                                in, close, by C processes at once (1, each
 *                                one connection at a time); prints
 *                                "TOTAL_NS P50_NS P99_NS" (wall time of all)
 *   fwd_probe hold PORT N        client: N connections left idle; prints
 *                                "held" and waits for a signal to end it
 *
 * Servers listen on 127.0.0.1 and print "listening"; sink serves one
 * connection at a time, rrserver one per process, holdserver all at once.
 */
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char	buf[1 << 20];

static int64_t
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static struct sockaddr_in
addr(int port)
{
	struct sockaddr_in	sin = { .sin_family = AF_INET };

	sin.sin_port = htons((uint16_t)port);
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sin;
}

static int
server(int port)
{
	struct sockaddr_in	sin = addr(port);
	int			fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		err(1, "socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    listen(fd, 4096) == -1)
		err(1, "bind %d", port);
	printf("listening\n");
	fflush(stdout);
	return fd;
}

static int
client(int port)
{
	struct sockaddr_in	sin = addr(port);
	int			fd, one = 1;

	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1)
		err(1, "socket");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) == -1)
		err(1, "connect %d", port);
	return fd;
}

static int
readn(int fd, char *p, size_t n)
{
	ssize_t	r;

	while (n > 0) {
		if ((r = read(fd, p, n)) <= 0)
			return -1;
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

static void
writen(int fd, const char *p, size_t n)
{
	ssize_t	w;

	while (n > 0) {
		if ((w = write(fd, p, n)) <= 0)
			err(1, "write");
		p += w;
		n -= (size_t)w;
	}
}

static void
sink(int port)
{
	int		ls = server(port), c;
	uint64_t	total;
	ssize_t		r;

	for (;;) {
		if ((c = accept(ls, NULL, NULL)) == -1)
			continue;
		total = 0;
		while ((r = read(c, buf, sizeof buf)) > 0)
			total += (uint64_t)r;
		writen(c, (char *)&total, sizeof total);
		close(c);
	}
}

static void
rrserver(int port, int workers)
{
	int	ls = server(port), c, one = 1;

	while (--workers > 0 && fork() > 0)
		;
	for (;;) {
		if ((c = accept(ls, NULL, NULL)) == -1)
			continue;
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		while (readn(c, buf, 100) == 0)
			writen(c, buf, 100);
		close(c);
	}
}

static void
holdserver(int port)
{
	int	ls = server(port);

	for (;;)
		(void)accept(ls, NULL, NULL);	/* kept open, never read */
}

static void
send_stream(int port, uint64_t bytes)
{
	int64_t		t0 = now_ns();
	int		fd = client(port);
	uint64_t	left = bytes, got;
	size_t		n;

	while (left > 0) {
		n = left < sizeof buf ? (size_t)left : sizeof buf;
		writen(fd, buf, n);
		left -= n;
	}
	shutdown(fd, SHUT_WR);
	if (readn(fd, (char *)&got, sizeof got) == -1 || got != bytes)
		errx(1, "the sink counted %llu of %llu bytes",
		    (unsigned long long)got, (unsigned long long)bytes);
	printf("%lld\n", (long long)(now_ns() - t0));
}

static int
cmp64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Connections k, k + c, k + 2c, ... of n, one at a time; lat[i] each. */
static void
rr_part(int port, int n, int c, int k, int64_t *lat)
{
	int64_t	t;
	int	i, fd;

	for (i = k; i < n; i += c) {
		t = now_ns();
		fd = client(port);
		writen(fd, buf, 100);
		if (readn(fd, buf, 100) == -1)
			errx(1, "no answer");
		close(fd);
		lat[i] = now_ns() - t;
	}
}

static void
rr(int port, int n, int c)
{
	int64_t	*lat, t0 = now_ns(), t;
	int	 k, st, bad = 0;

	lat = mmap(NULL, (size_t)n * sizeof *lat, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (lat == MAP_FAILED)
		err(1, "mmap");
	for (k = 0; k < c; k++) {
		switch (fork()) {
		case -1:
			err(1, "fork");
		case 0:
			rr_part(port, n, c, k, lat);
			_exit(0);
		}
	}
	while (wait(&st) > 0)
		bad |= !WIFEXITED(st) || WEXITSTATUS(st) != 0;
	if (bad)
		errx(1, "a client failed");
	t = now_ns() - t0;
	qsort(lat, (size_t)n, sizeof *lat, cmp64);
	printf("%lld %lld %lld\n", (long long)t, (long long)lat[n / 2],
	    (long long)lat[(n * 99) / 100]);
}

static void
hold(int port, int n)
{
	int	i;

	for (i = 0; i < n; i++)
		(void)client(port);
	printf("held\n");
	fflush(stdout);
	for (;;)
		pause();
}

int
main(int argc, char **argv)
{
	struct rlimit	rl;

	if (argc < 3)
		errx(2, "usage: see the head comment of fwd_probe.c");
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (strcmp(argv[1], "sink") == 0)
		sink(atoi(argv[2]));
	else if (strcmp(argv[1], "rrserver") == 0)
		rrserver(atoi(argv[2]), argc > 3 ? atoi(argv[3]) : 1);
	else if (strcmp(argv[1], "holdserver") == 0)
		holdserver(atoi(argv[2]));
	else if (strcmp(argv[1], "send") == 0 && argc == 4)
		send_stream(atoi(argv[2]), strtoull(argv[3], NULL, 10));
	else if (strcmp(argv[1], "rr") == 0 && (argc == 4 || argc == 5))
		rr(atoi(argv[2]), atoi(argv[3]), argc == 5 ? atoi(argv[4]) : 1);
	else if (strcmp(argv[1], "hold") == 0 && argc == 4)
		hold(atoi(argv[2]), atoi(argv[3]));
	else
		errx(2, "usage: see the head comment of fwd_probe.c");
	return 0;
}

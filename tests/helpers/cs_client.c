/* SPDX-License-Identifier: ISC */
/*
 * cs_client: a deliberately misbehaving control-socket client for the
 * control.bats tests. It speaks raw bytes, so it can send what supctl never
 * would (bad headers, truncated frames, huge length claims) and can stall,
 * hang up early or hold connections open.
 *
 * usage: cs_client [-n CONNS] [-c CYCLES] [-v] SOCK OP...
 *
 * Opens CONNS connections (default 1) to the unix socket SOCK and runs the
 * ops, in order, on every connection; with -c the whole thing (connect, ops,
 * close) repeats CYCLES times. Ops:
 *
 *	hdr MAGIC VERSION TYPE LEN	a 12-byte header (numbers: C syntax)
 *	strv TYPE N S1..SN		a whole message: header + strv payload
 *	hex HEXBYTES			raw bytes, e.g. 5355504401
 *	rep N BYTE			N copies of one byte (BYTE: C syntax)
 *	stdin				all of standard input (read once)
 *	sleep MS			pause (between sends, not for waiting)
 *	shut				shutdown(SHUT_WR)
 *	close				close every connection
 *	reply SECS			read messages until END, EOF, reset or
 *					SECS pass; tally the outcome
 *	eof SECS			read (discarding) until every connection
 *					sees EOF or reset; exit 1 if some did not
 *					within SECS. Prints "eof_max_ms=N".
 *	ready FILE			create FILE (the test waits for it)
 *	hold				wait until SIGTERM/SIGINT, then exit 0
 *
 * At the end it prints one summary line:
 *	connected=N end_ok=N end_error=N eof=N reset=N timeout=N send_err=N
 * and, with -v, each END message as "END ok|error MSG" (first connection
 * only unless -v is given twice). Exit 0, or 1 (eof timeout), 2 (usage),
 * 3 (cannot connect).
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define HDR	12
#define T_END	102

static int	*fds;
static int	 nconn = 1;
static int	 verbose;
static const char *sock;
static long	 n_conn, n_ok, n_err, n_eof, n_reset, n_tmo, n_senderr;
static long	 eof_max_ms;
static uint8_t	*stdin_buf;
static size_t	 stdin_len;
static int	 stdin_read;
static volatile sig_atomic_t stop;

static void
die(int code, const char *what)
{
	fprintf(stderr, "cs_client: %s: %s\n", what, strerror(errno));
	exit(code);
}

static void
usage(void)
{
	fprintf(stderr, "usage: cs_client [-n CONNS] [-c CYCLES] [-v] SOCK OP...\n");
	exit(2);
}

static long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static unsigned long long
num(const char *s)
{
	char			*end;
	unsigned long long	 v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno != 0 || *end != '\0' || *s == '\0') {
		fprintf(stderr, "cs_client: bad number %s\n", s);
		exit(2);
	}
	return v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}

static void
send_one(int fd, const void *p, size_t len)
{
	const uint8_t	*b = p;
	ssize_t		 n;

	if (fd == -1)
		return;
	while (len > 0) {
		n = send(fd, b, len, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			struct pollfd pfd = { fd, POLLOUT, 0 };

			/* A peer that will not take bytes: give up after 2 s. */
			if (poll(&pfd, 1, 2000) <= 0) {
				n_senderr++;
				return;
			}
			continue;
		}
		if (n <= 0) {
			n_senderr++;
			return;
		}
		b += n;
		len -= n;
	}
}

static void
send_all(const void *p, size_t len)
{
	int	i;

	for (i = 0; i < nconn; i++)
		send_one(fds[i], p, len);
}

static void
connect_all(void)
{
	struct sockaddr_un	sun;
	int			i, fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(sock) >= sizeof sun.sun_path) {
		fprintf(stderr, "cs_client: socket path too long\n");
		exit(2);
	}
	strcpy(sun.sun_path, sock);
	for (i = 0; i < nconn; i++) {
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
			die(3, "socket");
		if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1)
			die(3, sock);
		/* Non-blocking, so that one silent peer cannot hang us. */
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
		fds[i] = fd;
		n_conn++;
	}
}

static void
close_all(void)
{
	int	i;

	for (i = 0; i < nconn; i++)
		if (fds[i] != -1) {
			close(fds[i]);
			fds[i] = -1;
		}
}

/* Per-connection reply parser state. */
struct rd {
	uint8_t		 hdr[HDR];
	size_t		 hgot;
	uint8_t		*pay;
	size_t		 plen, pgot;
	int		 done;
};

static void
show_end(int idx, const uint8_t *p, size_t len)
{
	size_t	i;

	if (!(verbose > 1 || (verbose == 1 && idx == 0)))
		return;
	printf("END");
	for (i = 0; i < len; ) {
		size_t l = strnlen((const char *)p + i, len - i);

		printf(" %.*s", (int)l, (const char *)p + i);
		i += l + 1;
	}
	printf("\n");
	fflush(stdout);
}

/* Feed bytes; returns 1 when END was seen. */
static int
rd_feed(struct rd *r, int idx, const uint8_t *p, size_t len)
{
	while (len > 0) {
		if (r->hgot < HDR) {
			size_t k = HDR - r->hgot < len ? HDR - r->hgot : len;

			memcpy(r->hdr + r->hgot, p, k);
			r->hgot += k;
			p += k;
			len -= k;
			if (r->hgot < HDR)
				return 0;
			r->plen = (uint32_t)r->hdr[8] | (uint32_t)r->hdr[9] << 8 |
			    (uint32_t)r->hdr[10] << 16 |
			    (uint32_t)r->hdr[11] << 24;
			if (r->plen > (1u << 20)) {
				fprintf(stderr, "cs_client: reply too large\n");
				exit(1);
			}
			free(r->pay);
			r->pay = malloc(r->plen + 1);
			r->pgot = 0;
		}
		{
			size_t k = r->plen - r->pgot < len ? r->plen - r->pgot :
			    len;

			memcpy(r->pay + r->pgot, p, k);
			r->pgot += k;
			p += k;
			len -= k;
		}
		if (r->pgot == r->plen) {
			unsigned type = r->hdr[6] | r->hdr[7] << 8;

			r->hgot = 0;
			if (type == T_END) {
				if (r->plen >= 3 && memcmp(r->pay, "ok", 3) == 0)
					n_ok++;
				else
					n_err++;
				show_end(idx, r->pay, r->plen);
				return 1;
			}
		}
	}
	return 0;
}

/* mode 0: reply (stop at END); mode 1: eof (read to EOF). */
static int
read_all(double secs, int mode)
{
	struct rd	*rs = calloc(nconn, sizeof *rs);
	struct pollfd	*pf = calloc(nconn, sizeof *pf);
	long		 start = now_ms(), deadline = start + (long)(secs * 1000);
	int		 i, left = 0, ret = 0;
	uint8_t		 buf[65536];

	for (i = 0; i < nconn; i++)
		if (fds[i] != -1)
			left++;
		else
			rs[i].done = 1;
	while (left > 0) {
		long	 t = now_ms();
		int	 r;

		if (t >= deadline)
			break;
		for (i = 0; i < nconn; i++) {
			pf[i].fd = rs[i].done ? -1 : fds[i];
			pf[i].events = POLLIN;
			pf[i].revents = 0;
		}
		r = poll(pf, nconn, (int)(deadline - t));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			continue;
		for (i = 0; i < nconn; i++) {
			ssize_t n;

			if (rs[i].done || pf[i].revents == 0)
				continue;
			n = recv(fds[i], buf, sizeof buf, 0);
			if (n == -1 && (errno == EAGAIN || errno == EINTR))
				continue;
			if (n > 0) {
				if (rd_feed(&rs[i], i, buf, n) && mode == 0) {
					rs[i].done = 1;
					left--;
				}
				continue;
			}
			if (n == 0)
				n_eof++;
			else
				n_reset++;
			if (now_ms() - start > eof_max_ms)
				eof_max_ms = now_ms() - start;
			rs[i].done = 1;
			left--;
		}
	}
	if (left > 0) {
		n_tmo += left;
		if (mode == 1)
			ret = 1;
	}
	for (i = 0; i < nconn; i++)
		free(rs[i].pay);
	free(rs);
	free(pf);
	return ret;
}

static void
on_sig(int sig)
{
	(void)sig;
	stop = 1;
}

static int
run_ops(int argc, char **argv)
{
	int	i = 0, ret = 0;

	while (i < argc) {
		const char *op = argv[i++];

#define NEED(k)	do { if (i + (k) > argc) usage(); } while (0)
		if (strcmp(op, "hdr") == 0) {
			uint8_t h[HDR];

			NEED(4);
			put32(h, num(argv[i]));
			h[4] = num(argv[i + 1]);
			h[5] = num(argv[i + 1]) >> 8;
			h[6] = num(argv[i + 2]);
			h[7] = num(argv[i + 2]) >> 8;
			put32(h + 8, num(argv[i + 3]));
			i += 4;
			send_all(h, HDR);
		} else if (strcmp(op, "strv") == 0) {
			uint8_t	*m;
			size_t	 len = 0, off = HDR;
			int	 k, n;

			NEED(2);
			n = num(argv[i + 1]);
			NEED(2 + n);
			for (k = 0; k < n; k++)
				len += strlen(argv[i + 2 + k]) + 1;
			m = malloc(HDR + len);
			put32(m, 0x44505553u);
			m[4] = 1; m[5] = 0;
			m[6] = num(argv[i]);
			m[7] = num(argv[i]) >> 8;
			put32(m + 8, len);
			for (k = 0; k < n; k++) {
				size_t l = strlen(argv[i + 2 + k]) + 1;

				memcpy(m + off, argv[i + 2 + k], l);
				off += l;
			}
			i += 2 + n;
			send_all(m, HDR + len);
			free(m);
		} else if (strcmp(op, "hex") == 0) {
			const char	*h;
			uint8_t		*b;
			size_t		 k, n;

			NEED(1);
			h = argv[i++];
			n = strlen(h) / 2;
			b = malloc(n + 1);
			for (k = 0; k < n; k++) {
				char two[3] = { h[2 * k], h[2 * k + 1], 0 };

				b[k] = strtoul(two, NULL, 16);
			}
			send_all(b, n);
			free(b);
		} else if (strcmp(op, "rep") == 0) {
			size_t	 n;
			uint8_t	*b;

			NEED(2);
			n = num(argv[i]);
			b = malloc(n + 1);
			memset(b, (int)num(argv[i + 1]), n);
			i += 2;
			send_all(b, n);
			free(b);
		} else if (strcmp(op, "stdin") == 0) {
			if (!stdin_read) {
				size_t	cap = 65536;
				ssize_t	n;

				stdin_buf = malloc(cap);
				while ((n = read(0, stdin_buf + stdin_len,
				    cap - stdin_len)) > 0) {
					stdin_len += n;
					if (stdin_len == cap)
						stdin_buf = realloc(stdin_buf,
						    cap *= 2);
				}
				stdin_read = 1;
			}
			send_all(stdin_buf, stdin_len);
		} else if (strcmp(op, "sleep") == 0) {
			NEED(1);
			usleep(num(argv[i++]) * 1000);
		} else if (strcmp(op, "shut") == 0) {
			int k;

			for (k = 0; k < nconn; k++)
				if (fds[k] != -1)
					shutdown(fds[k], SHUT_WR);
		} else if (strcmp(op, "close") == 0) {
			close_all();
		} else if (strcmp(op, "reply") == 0) {
			NEED(1);
			read_all(atof(argv[i++]), 0);
		} else if (strcmp(op, "eof") == 0) {
			NEED(1);
			if (read_all(atof(argv[i++]), 1))
				ret = 1;
		} else if (strcmp(op, "ready") == 0) {
			int fd;

			NEED(1);
			if ((fd = open(argv[i++], O_WRONLY | O_CREAT, 0644)) != -1)
				close(fd);
		} else if (strcmp(op, "hold") == 0) {
			while (!stop)
				pause();
		} else {
			fprintf(stderr, "cs_client: unknown op %s\n", op);
			usage();
		}
	}
	return ret;
}

int
main(int argc, char **argv)
{
	struct sigaction	sa;
	struct rlimit		rl;
	long			cycles = 1, c;
	int			ch, ret = 0;

	while ((ch = getopt(argc, argv, "+n:c:v")) != -1) {
		switch (ch) {
		case 'n':
			nconn = num(optarg);
			break;
		case 'c':
			cycles = num(optarg);
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || nconn < 1)
		usage();
	sock = argv[0];
	argc--;
	argv++;

	/* Room for many connections. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur < (rlim_t)nconn + 32) {
		rl.rlim_cur = rl.rlim_max < (rlim_t)nconn + 32 ? rl.rlim_max :
		    (rlim_t)nconn + 32;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sig;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	fds = malloc(nconn * sizeof *fds);
	for (c = 0; c < cycles && !stop; c++) {
		connect_all();
		ret |= run_ops(argc, argv);
		close_all();
	}
	printf("connected=%ld end_ok=%ld end_error=%ld eof=%ld reset=%ld "
	    "timeout=%ld send_err=%ld eof_max_ms=%ld\n", n_conn, n_ok, n_err,
	    n_eof, n_reset, n_tmo, n_senderr, eof_max_ms);
	return ret;
}

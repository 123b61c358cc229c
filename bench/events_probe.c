/* SPDX-License-Identifier: ISC */
/*
 * events_probe.c: supctl events' bars (bench/events.sh), speaking the
 * protocol of src/proto.h directly (little-endian host), no supctl process
 * in any timed part.
 *
 *   events_probe latency SOCK NAME PID N
 *	Subscribe to every event (the ring's replay, drained, says when);
 *	N times: SIGKILL NAME's pid (PID, then the one its "started" event
 *	says), read until its "exited" and then the next "started". For
 *	each of those two events, the delivery delay: arrival
 *	(CLOCK_REALTIME read as its row is read whole) - the event's own
 *	stamp (CLOCK_REALTIME taken by supd when the state changed). Also
 *	kill -> arrival of "exited" (reaping included). The kills
 *	alternate (2N in all) between a probe spinning on a non-blocking
 *	read (what supd takes to deliver) and one asleep in read(2), as a
 *	supctl is (which adds the waking of its idle CPU: on a VM, the
 *	hypervisor's). Prints, in us:
 *	  deliver n=.. median=.. p90=.. max=..   (spinning, both kinds)
 *	  deliver-exited ..., deliver-started ..., kill-to-exited ...
 *	  blocking-deliver ..., blocking-deliver-exited ..., -started ...
 *   events_probe clients SOCK N
 *	N events clients (all services), each a process of its own asleep
 *	in read(2) as a supctl is; prints "ready" once every one has read
 *	an event, and at SIGTERM "dropped D of N" (D: connections supd
 *	closed), exit 1 if D > 0.
 *   events_probe status SOCK N
 *	N status requests one after the other, 2 ms apart; prints
 *	  status n=N median=.. p90=.. max=..   (us, connect to END)
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <poll.h>
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
#define PROTO_EVENTS	23
#define PROTO_ROW	100
#define PROTO_END	102
#define MAXC		1000	/* clients */

static volatile sig_atomic_t	stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static int64_t
clock_us(clockid_t id)
{
	struct timespec	ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
cmp64(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *what, int64_t *v, int n)
{
	if (n == 0) {
		printf("%s n=0\n", what);
		return;
	}
	qsort(v, n, sizeof *v, cmp64);
	printf("%s n=%d median=%lld p90=%lld max=%lld\n", what, n,
	    (long long)(n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2),
	    (long long)v[n * 9 / 10], (long long)v[n - 1]);
	fflush(stdout);
}

/* Spin on a non-blocking read instead of sleeping in read(2). */
static int	spin;

static int
read_full(int fd, void *p, size_t n)
{
	ssize_t	r;

	while (n > 0) {
		r = recv(fd, p, n, spin ? MSG_DONTWAIT : 0);
		if (r == -1 && (errno == EINTR || (spin && errno == EAGAIN)))
			continue;
		if (r <= 0)
			return -1;
		p = (char *)p + r;
		n -= (size_t)r;
	}
	return 0;
}

/* A request of type with a strv payload of n strings. */
static int
request(const char *path, uint16_t type, const char *const *v, int n)
{
	struct sockaddr_un	sun = { .sun_family = AF_UNIX };
	unsigned char		msg[4096];
	uint32_t		u32, len = 0;
	uint16_t		u16;
	int			fd, i;

	for (i = 0; i < n; i++) {
		memcpy(msg + 12 + len, v[i], strlen(v[i]) + 1);
		len += strlen(v[i]) + 1;
	}
	u32 = PROTO_MAGIC;
	memcpy(msg, &u32, 4);
	u16 = PROTO_VERSION;
	memcpy(msg + 4, &u16, 2);
	memcpy(msg + 6, &type, 2);
	memcpy(msg + 8, &len, 4);
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1 ||
	    write(fd, msg, 12 + len) != (ssize_t)(12 + len)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* One message: its type, its payload's strings in f (up to 9). */
static int
message(int fd, uint16_t *type, char *pl, size_t size, char **f)
{
	unsigned char	hdr[12];
	uint32_t	len;
	size_t		i, k = 0;

	if (read_full(fd, hdr, sizeof hdr) == -1)
		return -1;
	memcpy(type, hdr + 6, 2);
	memcpy(&len, hdr + 8, 4);
	if (len >= size || read_full(fd, pl, len) == -1)
		return -1;
	pl[len] = '\0';
	for (i = 0; i < len && k < 9; i += strlen(pl + i) + 1)
		f[k++] = pl + i;
	while (k < 9)
		f[k++] = "";
	return 0;
}

static int
latency(const char *sock, const char *name, pid_t pid, int n)
{
	const char	*req[1] = { "1" };	/* every service, the ring too */
	int64_t		*dx = calloc(n, 8), *ds = calloc(n, 8), *dall = calloc(
			    2 * n, 8), *ke = calloc(n, 8), *bx = calloc(n, 8),
			*bs = calloc(n, 8), *ball = calloc(2 * n, 8), t_kill,
			 now, stamp;
	struct pollfd	 pfd;
	char		 pl[4096], *f[9];
	uint16_t	 type;
	int		 fd, i, nall = 0, nball = 0, k;

	if ((fd = request(sock, PROTO_EVENTS, req, 1)) == -1)
		return 1;
	pfd.fd = fd;
	pfd.events = POLLIN;
	/* The replay of the ring (never empty: the boot's events) says we
	 * are subscribed; it is drained, not timed. */
	do {
		if (message(fd, &type, pl, sizeof pl, f) == -1 ||
		    type != PROTO_ROW)
			return 1;
	} while (poll(&pfd, 1, 0) > 0);
	for (i = 0; i < 2 * n; i++) {
		/* Kills alternate: spinning, then sleeping in read(2). */
		spin = i % 2 == 0;
		k = i / 2;
		usleep(20000);		/* running a while, not just started */
		t_kill = clock_us(CLOCK_REALTIME);
		if (kill(pid, SIGKILL) == -1)
			return 1;
		for (;;) {
			if (message(fd, &type, pl, sizeof pl, f) == -1 ||
			    type != PROTO_ROW)
				return 1;
			now = clock_us(CLOCK_REALTIME);
			stamp = atoll(f[0]);
			/* Others', and any of the replay's left. */
			if (strcmp(f[1], name) != 0 || stamp < t_kill)
				continue;
			if (strcmp(f[2], "exited") == 0) {
				(spin ? dx : bx)[k] = now - stamp;
				if (spin)
					ke[k] = now - t_kill;
				if (spin)
					dall[nall++] = dx[k];
				else
					ball[nball++] = bx[k];
			} else if (strcmp(f[2], "started") == 0) {
				(spin ? ds : bs)[k] = now - stamp;
				if (spin)
					dall[nall++] = ds[k];
				else
					ball[nball++] = bs[k];
				pid = atoi(f[3]);
				break;
			}
		}
	}
	report("deliver", dall, nall);
	report("deliver-exited", dx, n);
	report("deliver-started", ds, n);
	report("kill-to-exited", ke, n);
	report("blocking-deliver", ball, nball);
	report("blocking-deliver-exited", bx, n);
	report("blocking-deliver-started", bs, n);
	return 0;
}

/* One events client (a child): read every row until SIGTERM; exit 0 if
 * supd kept it, 1 if it closed the connection. */
static void
client_child(const char *sock, int ready_fd)
{
	const char	*req[1] = { "" };
	char		 buf[65536];
	int		 fd, first = 1;

	if ((fd = request(sock, PROTO_EVENTS, req, 1)) == -1)
		_exit(1);
	while (!stop) {
		if (read(fd, buf, sizeof buf) <= 0 && !stop)
			_exit(1);
		if (first && write(ready_fd, "x", 1) == 1)
			first = 0;
	}
	_exit(0);
}

static int
clients(const char *sock, int n)
{
	static pid_t		 pids[MAXC];
	struct sigaction	 sa = { .sa_handler = on_term };
	char			 c;
	int			 i, p[2], st, dropped = 0;

	if (n > MAXC || pipe(p) == -1)
		return 1;
	sigaction(SIGTERM, &sa, NULL);
	for (i = 0; i < n; i++)
		if ((pids[i] = fork()) == 0) {
			close(p[0]);
			client_child(sock, p[1]);
		}
	close(p[1]);
	for (i = 0; i < n; i++)
		if (read(p[0], &c, 1) != 1)
			return 1;
	printf("ready\n");
	fflush(stdout);
	while (!stop)
		pause();
	for (i = 0; i < n; i++)
		kill(pids[i], SIGTERM);
	for (i = 0; i < n; i++)
		if (waitpid(pids[i], &st, 0) == -1 || !WIFEXITED(st) ||
		    WEXITSTATUS(st) != 0)
			dropped++;
	printf("dropped %d of %d\n", dropped, n);
	return dropped > 0;
}

static int
status(const char *sock, int n)
{
	int64_t		*v = calloc(n, 8), t0;
	char		 pl[65536], *f[9];
	uint16_t	 type;
	int		 i, fd;

	for (i = 0; i < n; i++) {
		t0 = clock_us(CLOCK_MONOTONIC);
		if ((fd = request(sock, PROTO_STATUS, NULL, 0)) == -1)
			return 1;
		do {
			if (message(fd, &type, pl, sizeof pl, f) == -1)
				return 1;
		} while (type != PROTO_END);
		v[i] = clock_us(CLOCK_MONOTONIC) - t0;
		close(fd);
		usleep(2000);
	}
	report("status", v, n);
	return 0;
}

int
main(int argc, char *argv[])
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 6 && strcmp(argv[1], "latency") == 0)
		return latency(argv[2], argv[3], atoi(argv[4]), atoi(argv[5]));
	if (argc == 4 && strcmp(argv[1], "clients") == 0)
		return clients(argv[2], atoi(argv[3]));
	if (argc == 4 && strcmp(argv[1], "status") == 0)
		return status(argv[2], atoi(argv[3]));
	fprintf(stderr, "usage: events_probe latency SOCK NAME PID N | "
	    "clients SOCK N | status SOCK N\n");
	return 2;
}

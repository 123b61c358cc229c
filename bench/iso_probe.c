/* SPDX-License-Identifier: ISC */
/*
 * iso_probe.c: the probe of bench/isolation-start.sh. It measures, in one
 * run and interleaved round by round (so that a noisy neighbour hits every
 * method alike), the latency from "start it" to the first instruction of
 * bench/stamp (which writes its CLOCK_MONOTONIC start time as its first
 * action), N times each:
 *
 *   kill_iso    kill -9 of supd service ISO (restart = always, restart_delay
 *               = 0) -> first instruction of the new stamp
 *   kill_plain  the same for service PLAIN (namespaces = none)
 *   start_iso   a START request on supd's socket (spoken directly, no supctl
 *               process) -> first instruction; the service was stopped
 *               (STOP with wait, untimed) just before
 *   start_plain the same for PLAIN
 *   fork        fork + execve(stamp) from this process -> first instruction
 *   clone       clone(CLONE_NEWNS|NEWPID|NEWIPC|NEWUTS|NEWNET) + execve(stamp)
 *               -> first instruction (the kernel's namespace cost, nothing
 *               set up inside them)
 *   unshare     fork + execve("unshare -mpinu --fork stamp -") -> stamp's
 *               first instruction
 *   true        fork + execve("/bin/true") + waitpid (the yardstick)
 *
 *   iso_probe SUPCTL SOCKET STAMP N ISO ISO_FIFO PLAIN PLAIN_FIFO
 *
 * Before each supd measurement the probe waits (untimed) until supd reports
 * the service running with a new pid (supctl --json status), plus 5 ms.
 *
 * Output (stdout), one line per method, values in ns:
 *   kill_iso n=N median=.. min=.. p10=.. p90=.. max=..
 */
#define _GNU_SOURCE
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The control protocol (src/proto.h): 12-byte header, strv payload. */
#define PROTO_MAGIC	0x44505553u
#define PROTO_VERSION	1
#define PROTO_START	2
#define PROTO_STOP	3
#define PROTO_END	102

static const char *supctl, *sock_path, *stamp;

struct svc {
	const char	*name;
	int		 fd;		/* its FIFO, O_RDWR */
	char		 buf[4096];
	size_t		 len;
};

static long long
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long	x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *what, long long *v, int n)
{
	qsort(v, n, sizeof *v, cmp_ll);
	printf("%s n=%d median=%lld min=%lld p10=%lld p90=%lld max=%lld\n", what,
	    n, n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2, v[0],
	    v[n / 10], v[n * 9 / 10], v[n - 1]);
	fflush(stdout);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
fail(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "iso_probe: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

/* The service's pid and whether it is running, from supctl --json status. */
static pid_t
status_pid(const char *name, int *running)
{
	char	 cmd[4096], buf[8192], *p;
	FILE	*fp;
	size_t	 len;
	pid_t	 pid = 0;

	snprintf(cmd, sizeof cmd, "'%s' -s '%s' --json status '%s'", supctl,
	    sock_path, name);
	if ((fp = popen(cmd, "r")) == NULL)
		return 0;
	len = fread(buf, 1, sizeof buf - 1, fp);
	buf[len] = '\0';
	pclose(fp);
	if ((p = strstr(buf, "\"pid\"")) != NULL &&
	    (p = strchr(p, ':')) != NULL)
		pid = strtol(p + 1, NULL, 10);
	*running = strstr(buf, "\"state\":\"running\"") != NULL ||
	    strstr(buf, "\"state\": \"running\"") != NULL;
	return pid;
}

/* Wait until the service runs with a pid other than `old`; return it. */
static pid_t
settle(const char *name, pid_t old)
{
	long long	deadline = now_ns() + 10000000000LL;
	pid_t		pid;
	int		running;

	for (;;) {
		pid = status_pid(name, &running);
		if (running && pid > 0 && pid != old)
			return pid;
		if (now_ns() > deadline)
			fail("%s not running again after 10 s", name);
		usleep(2000);
	}
}

/* One "PID NS" line from the service's FIFO within timeout_ms. */
static int
read_stamp(struct svc *s, long long *ns, int timeout_ms)
{
	struct pollfd	pfd = { .fd = s->fd, .events = POLLIN };
	char		*nl;
	ssize_t		 n;
	long		 p;

	for (;;) {
		if ((nl = memchr(s->buf, '\n', s->len)) != NULL) {
			*nl = '\0';
			if (sscanf(s->buf, "%ld %lld", &p, ns) != 2)
				return -1;
			s->len -= nl + 1 - s->buf;
			memmove(s->buf, nl + 1, s->len);
			return 0;
		}
		if (poll(&pfd, 1, timeout_ms) <= 0)
			return -1;
		n = read(s->fd, s->buf + s->len, sizeof s->buf - 1 - s->len);
		if (n <= 0)
			return -1;
		s->len += n;
	}
}

/* Connect and send one request whose payload is WAIT, NAME. */
static int
request(int type, const char *wait, const char *name)
{
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	unsigned char		 msg[512];
	size_t			 plen, wl = strlen(wait) + 1,
				 nl = strlen(name) + 1;
	uint32_t		 u32;
	uint16_t		 u16;
	int			 fd;

	plen = wl + nl;
	if (12 + plen > sizeof msg)
		return -1;
	u32 = PROTO_MAGIC;		/* little-endian host assumed (x86) */
	memcpy(msg, &u32, 4);
	u16 = PROTO_VERSION;
	memcpy(msg + 4, &u16, 2);
	u16 = type;
	memcpy(msg + 6, &u16, 2);
	u32 = plen;
	memcpy(msg + 8, &u32, 4);
	memcpy(msg + 12, wait, wl);
	memcpy(msg + 12 + wl, name, nl);
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", sock_path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == -1 ||
	    write(fd, msg, 12 + plen) != (ssize_t)(12 + plen)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Read the reply up to END; 0 if it says "ok". */
static int
reply(int fd)
{
	unsigned char	hdr[12], *pl = NULL;
	uint32_t	len;
	uint16_t	type;
	size_t		got;
	ssize_t		n;
	int		ok = -1;

	for (;;) {
		for (got = 0; got < 12; got += n)
			if ((n = read(fd, hdr + got, 12 - got)) <= 0)
				goto out;
		memcpy(&type, hdr + 6, 2);
		memcpy(&len, hdr + 8, 4);
		free(pl);
		if ((pl = malloc(len + 1)) == NULL)
			goto out;
		for (got = 0; got < len; got += n)
			if ((n = read(fd, pl + got, len - got)) <= 0)
				goto out;
		pl[len] = '\0';
		if (type == PROTO_END) {
			ok = len >= 3 && memcmp(pl, "ok", 3) == 0 ? 0 : -1;
			if (ok == -1)
				fprintf(stderr, "iso_probe: supd: %s %s\n", pl,
				    len > strlen((char *)pl) + 1 ?
				    (char *)pl + strlen((char *)pl) + 1 : "");
			break;
		}
	}
out:
	free(pl);
	close(fd);
	return ok;
}

/* kill -9 the running service, time until the new one's first instruction. */
static long long
one_kill(struct svc *s)
{
	long long	t0, ns;
	pid_t		pid;
	int		running;

	pid = status_pid(s->name, &running);
	if (pid <= 0 || !running)
		fail("%s: not running", s->name);
	t0 = now_ns();
	if (kill(pid, SIGKILL) == -1)
		fail("%s: kill %d: %s", s->name, (int)pid, strerror(errno));
	if (read_stamp(s, &ns, 10000) == -1)
		fail("%s: no restart within 10 s after kill %d", s->name, (int)pid);
	settle(s->name, pid);
	usleep(5000);
	return ns - t0;
}

/* Stop (with wait, untimed), then time START -> first instruction. */
static long long
one_start(struct svc *s)
{
	long long	t0, ns;
	int		fd;

	if ((fd = request(PROTO_STOP, "1", s->name)) == -1 || reply(fd) == -1)
		fail("%s: stop failed", s->name);
	usleep(5000);
	t0 = now_ns();
	if ((fd = request(PROTO_START, "0", s->name)) == -1)
		fail("%s: start request failed", s->name);
	if (read_stamp(s, &ns, 10000) == -1)
		fail("%s: no start within 10 s", s->name);
	if (reply(fd) == -1)
		fail("%s: start failed", s->name);
	settle(s->name, 0);
	usleep(5000);
	return ns - t0;
}

/* Run argv with stdout on a pipe; time until stamp's line comes back. */
static long long
one_exec(char *const argv[], unsigned long clone_flags)
{
	long long	t0, ns;
	char		line[128];
	ssize_t		r;
	pid_t		c;
	int		p[2], st;

	if (pipe2(p, O_CLOEXEC) == -1)
		fail("pipe: %s", strerror(errno));
	t0 = now_ns();
	c = clone_flags ? syscall(SYS_clone, clone_flags | SIGCHLD, NULL, NULL,
	    NULL, NULL) : fork();
	if (c == -1)
		fail("fork/clone: %s", strerror(errno));
	if (c == 0) {
		dup2(p[1], 1);
		execv(argv[0], argv);
		_exit(127);
	}
	close(p[1]);
	r = read(p[0], line, sizeof line - 1);
	close(p[0]);
	waitpid(c, &st, 0);
	if (r <= 0)
		fail("%s printed nothing", argv[0]);
	line[r] = '\0';
	if (sscanf(line, "%*d %lld", &ns) != 1)
		fail("%s: bad line", argv[0]);
	return ns - t0;
}

static long long
one_true(void)
{
	long long	t0;
	pid_t		c;
	int		st;

	t0 = now_ns();
	if ((c = fork()) == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	waitpid(c, &st, 0);
	return now_ns() - t0;
}

static const char *unshare_path(void)
{
	static const char *const cand[] = { "/usr/bin/unshare", "/bin/unshare" };
	size_t	i;

	for (i = 0; i < sizeof cand / sizeof *cand; i++)
		if (access(cand[i], X_OK) == 0)
			return cand[i];
	return NULL;
}

enum { KILL_ISO, KILL_PLAIN, START_ISO, START_PLAIN, FORK, CLONE, UNSHARE,
	TRUE_, NM };
static const char *const mname[NM] = { "kill_iso", "kill_plain", "start_iso",
	"start_plain", "fork", "clone", "unshare", "true" };

int
main(int argc, char *argv[])
{
	struct svc	 iso = { 0 }, plain = { 0 }, *s;
	long long	*lat[NM], ns;
	const char	*un;
	int		 n, i, m;

	if (argc != 9) {
		fprintf(stderr, "usage: iso_probe SUPCTL SOCKET STAMP N ISO "
		    "ISO_FIFO PLAIN PLAIN_FIFO\n");
		return 2;
	}
	supctl = argv[1];
	sock_path = argv[2];
	stamp = argv[3];
	n = atoi(argv[4]);
	if (n < 1)
		n = 1;
	iso.name = argv[5];
	plain.name = argv[7];
	if ((un = unshare_path()) == NULL)
		fail("no unshare program");
	char *const fork_argv[] = { (char *)stamp, "-", NULL };
	char *const unshare_argv[] = { (char *)un, "-mpinu", "--fork",
	    (char *)stamp, "-", NULL };
	for (m = 0; m < NM; m++)
		lat[m] = calloc(n, sizeof **lat);
	/* O_RDWR: never EOF between two writers, and open does not block. */
	if ((iso.fd = open(argv[6], O_RDWR | O_CLOEXEC)) == -1 ||
	    (plain.fd = open(argv[8], O_RDWR | O_CLOEXEC)) == -1)
		fail("cannot open the FIFOs: %s", strerror(errno));
	/* The first stamps (from supd's start) may have been waiting for us. */
	for (s = &iso; s != NULL; s = s == &iso ? &plain : NULL) {
		if (read_stamp(s, &ns, 10000) == -1)
			fail("%s: no first stamp", s->name);
		settle(s->name, 0);
	}
	for (i = 0; i < n; i++) {
		lat[KILL_ISO][i] = one_kill(&iso);
		lat[KILL_PLAIN][i] = one_kill(&plain);
		lat[START_ISO][i] = one_start(&iso);
		lat[START_PLAIN][i] = one_start(&plain);
		lat[FORK][i] = one_exec(fork_argv, 0);
		lat[CLONE][i] = one_exec(fork_argv, CLONE_NEWNS | CLONE_NEWPID |
		    CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET);
		lat[UNSHARE][i] = one_exec(unshare_argv, 0);
		lat[TRUE_][i] = one_true();
	}
	for (m = 0; m < NM; m++)
		report(mname[m], lat[m], n);
	return 0;
}

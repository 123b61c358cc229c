/* SPDX-License-Identifier: ISC */
/*
 * restart_probe.c: kill -9 a supd service N times and measure, each time,
 * the delay from just before kill(2) to the first instruction of the new
 * process (bench/stamp writes its CLOCK_MONOTONIC start time to a FIFO).
 * In the same run it measures, as baselines:
 *   - fork + execve("/bin/true") + waitpid, from a plain C parent;
 *   - fork + execve(stamp) up to stamp's first instruction (the floor for
 *     what any supervisor could achieve with the same binary).
 *
 *   restart_probe SUPCTL SOCKET NAME FIFO STAMP N
 *
 * The service's pid comes from `supctl --json status NAME` (the pid as seen
 * from supd's pid namespace), so this works whether or not the service runs
 * in its own pid namespace. Before each kill the probe waits until supd
 * reports the service running with a new pid (untimed).
 *
 * With SUPCTL "-" (bench/peers: another supervisor, no supctl), the pid is
 * the one stamp wrote on its line (the service must share the probe's pid
 * namespace), SOCKET and NAME are ignored, and before each kill the probe
 * waits RESTART_PROBE_SETTLE_MS (default 5) after the new stamp instead.
 *
 * Output (stdout), one key=value line per measurement, values in ns:
 *   restart n=N median=.. min=.. p90=.. max=..
 * (with RESTART_PROBE_RAW in the environment, first a line "raw NS" per
 * kill, and no baselines: bench/cgroup-vm.sh pools kills of two runs)
 *   true n=N median=.. ...
 *   stamp n=N median=.. ...
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *supctl, *sock, *name;

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

/* The service's pid and whether it is running, from supctl --json status. */
static pid_t
status_pid(int *running)
{
	char	 cmd[4096], buf[8192], *p;
	FILE	*fp;
	size_t	 len;
	pid_t	 pid = 0;

	snprintf(cmd, sizeof cmd, "'%s' -s '%s' --json status '%s'", supctl,
	    sock, name);
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

/* One "PID NS" line from fd within timeout_ms; -1 on timeout. */
static int
read_stamp(int fd, long long *ns, pid_t *pid, int timeout_ms)
{
	static char	buf[4096];
	static size_t	len;
	char		*nl;
	struct pollfd	pfd = { .fd = fd, .events = POLLIN };
	ssize_t		n;
	long		p;

	for (;;) {
		if ((nl = memchr(buf, '\n', len)) != NULL) {
			*nl = '\0';
			if (sscanf(buf, "%ld %lld", &p, ns) != 2)
				return -1;
			*pid = p;
			len -= nl + 1 - buf;
			memmove(buf, nl + 1, len);
			return 0;
		}
		if (poll(&pfd, 1, timeout_ms) <= 0)
			return -1;
		if ((n = read(fd, buf + len, sizeof buf - 1 - len)) <= 0)
			return -1;
		len += n;
	}
}

static void
settle(pid_t old)
{
	long long	deadline = now_ns() + 10000000000LL;
	const char	*ms;
	pid_t		pid;
	int		running;

	if (strcmp(supctl, "-") == 0) {	/* no status to ask: a fixed pause */
		ms = getenv("RESTART_PROBE_SETTLE_MS");
		usleep((ms != NULL ? atoi(ms) : 5) * 1000);
		return;
	}
	for (;;) {
		pid = status_pid(&running);
		if (running && pid > 0 && pid != old)
			return;
		if (now_ns() > deadline) {
			fprintf(stderr, "restart_probe: %s not running again "
			    "after 10 s (pid %d)\n", name, (int)pid);
			exit(1);
		}
		usleep(2000);
	}
}

int
main(int argc, char *argv[])
{
	long long	*lat, t0, ns;
	pid_t		 pid, spid, c;
	int		 fd, n, i, running, p[2], st;
	char		 line[128];
	ssize_t		 r;

	if (argc != 7) {
		fprintf(stderr, "usage: restart_probe SUPCTL SOCKET NAME FIFO "
		    "STAMP N\n");
		return 2;
	}
	supctl = argv[1];
	sock = argv[2];
	name = argv[3];
	n = atoi(argv[6]);
	if (n < 1)
		n = 1;
	lat = calloc(n, sizeof *lat);
	/* O_RDWR: never EOF between two writers, and open does not block. */
	if ((fd = open(argv[4], O_RDWR | O_CLOEXEC)) == -1) {
		perror(argv[4]);
		return 1;
	}
	/* The first stamp (from supd's start) may have been waiting for us. */
	if (read_stamp(fd, &ns, &spid, 10000) == -1) {
		fprintf(stderr, "restart_probe: no first stamp\n");
		return 1;
	}
	settle(0);
	for (i = 0; i < n; i++) {
		pid = strcmp(supctl, "-") == 0 ? spid : status_pid(&running);
		if (pid <= 0) {
			fprintf(stderr, "restart_probe: no pid\n");
			return 1;
		}
		t0 = now_ns();
		if (kill(pid, SIGKILL) == -1) {
			perror("kill");
			return 1;
		}
		if (read_stamp(fd, &ns, &spid, 10000) == -1) {
			fprintf(stderr, "restart_probe: no restart within 10 s "
			    "after kill %d (iteration %d)\n", (int)pid, i);
			return 1;
		}
		lat[i] = ns - t0;
		if (getenv("RESTART_PROBE_RAW") != NULL)
			printf("raw %lld\n", lat[i]);
		settle(pid);
		if (strcmp(supctl, "-") != 0)
			usleep(5000);
	}
	report("restart", lat, n);
	if (getenv("RESTART_PROBE_RAW") != NULL)
		return 0;

	/* Baseline 1: fork + exec /bin/true + wait. */
	for (i = 0; i < n; i++) {
		t0 = now_ns();
		if ((c = fork()) == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		waitpid(c, &st, 0);
		lat[i] = now_ns() - t0;
	}
	report("true", lat, n);

	/* Baseline 2: fork + exec stamp, up to its first instruction. */
	for (i = 0; i < n; i++) {
		if (pipe(p) == -1)
			return 1;
		t0 = now_ns();
		if ((c = fork()) == 0) {
			dup2(p[1], 1);
			execl(argv[5], "stamp", "-", (char *)NULL);
			_exit(127);
		}
		close(p[1]);
		r = read(p[0], line, sizeof line - 1);
		close(p[0]);
		waitpid(c, &st, 0);
		if (r <= 0 || sscanf(line, "%*d %lld", &ns) != 1)
			return 1;
		lat[i] = ns - t0;
	}
	report("stamp", lat, n);
	return 0;
}

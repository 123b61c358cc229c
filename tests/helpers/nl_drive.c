/* SPDX-License-Identifier: ISC */
/*
 * nl_drive: src/netlink.c's API from the command line, for
 * tests/integration/net-link.bats and bench/netlink-attach.sh. Run it in a
 * network namespace the test made (unshare --net): it changes that one.
 *
 *   nl_drive [-n NSPATH] bridge NAME ADDR/PREFIX
 *   nl_drive [-n NSPATH] addr NAME ADDR/PREFIX
 *   nl_drive [-n NSPATH] route NAME GATEWAY
 *   nl_drive [-n NSPATH] up NAME | del NAME | list PREFIX
 *   nl_drive [-n NSPATH] overlap SUBNET/PREFIX [SKIP]
 *   nl_drive attach NSPATH BRIDGE HOST INNER ADDR/PREFIX GATEWAY|-
 *   nl_drive detach HOST
 *   nl_drive bench N NSPATH BRIDGE ADDR/PREFIX GATEWAY
 *   nl_drive bench-ip N NSPATH BRIDGE
 *
 * -n NSPATH works in that namespace (/proc/PID/ns/net) instead of this
 * one. attach's GATEWAY "-" is no default route. list prints one name a
 * line; overlap prints the route that collides, or nothing. bench times N
 * nl_attach + nl_detach pairs, each step alone, and prints the median and
 * 90th percentile in microseconds of each and of their sum
 * ("attach_median_us N", "detach_p90_us N", "both_median_us N", ...);
 * bench-ip the same ("add_", "del_", "both_") for N runs of `ip link add
 * sv-bench master BRIDGE up type veth peer name eth0 netns NSPATH` then
 * `ip link del sv-bench`.
 * A failure prints "nl_drive: CAUSE" (netlink.c's cause) and exits 1.
 */
#include <sys/wait.h>

#include <arpa/inet.h>

#include <err.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "netlink.h"
#include "util.h"

static void
cidr(const char *s, struct in_addr *addr, int *prefix)
{
	char	 a[INET_ADDRSTRLEN];
	char	*end;
	const char *slash = strchr(s, '/');
	long	 n;

	if (slash == NULL || (size_t)(slash - s) >= sizeof a)
		errx(2, "%s: not ADDR/PREFIX", s);
	memcpy(a, s, slash - s);
	a[slash - s] = '\0';
	n = strtol(slash + 1, &end, 10);
	if (inet_pton(AF_INET, a, addr) != 1 || *end != '\0' || end == slash + 1)
		errx(2, "%s: not ADDR/PREFIX", s);
	*prefix = (int)n;	/* out of range: netlink.c's to refuse */
}

static struct in_addr
ip(const char *s)
{
	struct in_addr	a;

	if (inet_pton(AF_INET, s, &a) != 1)
		errx(2, "%s: not an IPv4 address", s);
	return a;
}

static int
nsfd(const char *path)
{
	int	fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		err(2, "%s", path);
	return fd;
}

static int
cmp_ll(const void *a, const void *b)
{
	long long	x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static long long
now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* "WHAT_median_us N" and "WHAT_p90_us N" of t[0..n-1] (sorted here). */
static void
report(const char *what, long long *t, int n)
{
	qsort(t, n, sizeof *t, cmp_ll);
	printf("%s_median_us %lld\n%s_p90_us %lld\n", what, t[n / 2] / 1000,
	    what, t[n * 9 / 10] / 1000);
}

/* Each of the n rounds' times: the two steps and their sum. */
static void
report3(const char *a, const char *b, long long *t, int n)
{
	long long	*sum = xcalloc(n, sizeof *sum);
	int		 i;

	for (i = 0; i < n; i++)
		sum[i] = t[i] + t[n + i];
	report(a, t, n);
	report(b, t + n, n);
	report("both", sum, n);
	free(sum);
	free(t);
}

/* N attach + detach pairs of one veth, timed one by one. */
static int
bench(struct nl *nl, int n, struct nl_attach *a, char **cause)
{
	long long	*t, t0;
	int		 i;

	if (n < 1)
		errx(2, "bench: N must be positive");
	t = xcalloc(2 * n, sizeof *t);
	for (i = 0; i < n; i++) {
		t0 = now_ns();
		if (nl_attach(nl, a, cause) == -1) {
			free(t);
			return -1;
		}
		t[i] = now_ns() - t0;
		t0 = now_ns();
		if (nl_detach(nl, a->host, cause) == -1) {
			free(t);
			return -1;
		}
		t[n + i] = now_ns() - t0;
	}
	report3("attach", "detach", t, n);
	return 0;
}

/* Run argv (found in PATH), wait; exit if it fails. */
static void
spawn_wait(char **argv)
{
	pid_t	pid;
	int	st;

	if (posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ) != 0 ||
	    waitpid(pid, &st, 0) == -1 || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 0)
		errx(1, "bench-ip: %s %s failed", argv[0], argv[1]);
}

/* The same as bench, by the ip command: a veth pair into the namespace,
 * then deleted. */
static void
bench_ip(int n, char *nspath, char *bridge)
{
	char		*add[] = { "ip", "link", "add", "sv-bench", "master",
			    bridge, "up", "type", "veth", "peer", "name", "eth0",
			    "netns", nspath, NULL };
	char		*del[] = { "ip", "link", "del", "sv-bench", NULL };
	long long	*t, t0;
	int		 i;

	if (n < 1)
		errx(2, "bench-ip: N must be positive");
	t = xcalloc(2 * n, sizeof *t);
	for (i = 0; i < n; i++) {
		t0 = now_ns();
		spawn_wait(add);
		t[i] = now_ns() - t0;
		t0 = now_ns();
		spawn_wait(del);
		t[n + i] = now_ns() - t0;
	}
	report3("add", "del", t, n);
}

static int
attach(struct nl *nl, char **av, char **cause)
{
	struct nl_attach	a = { 0 };

	a.netns_fd = nsfd(av[0]);
	a.bridge = av[1];
	a.host = av[2];
	a.inner = av[3];
	cidr(av[4], &a.addr, &a.prefix);
	if (strcmp(av[5], "-") == 0)
		a.no_route = true;
	else
		a.gateway = ip(av[5]);
	return nl_attach(nl, &a, cause);
}

static int
run(struct nl *nl, int ac, char **av, char **cause)
{
	struct nl_attach	 a = { 0 };
	struct strv		 names = { 0 };
	struct in_addr		 addr;
	char			*route;
	const char		*cmd = av[0];
	int			 prefix;
	size_t			 i;

#define ARGS(n) if (ac != (n) + 1) errx(2, "%s: %d arguments", cmd, (n))
	if (strcmp(cmd, "bridge") == 0 || strcmp(cmd, "addr") == 0) {
		ARGS(2);
		cidr(av[2], &addr, &prefix);
		return cmd[0] == 'b' ? nl_bridge(nl, av[1], addr, prefix,
		    cause) : nl_addr_add(nl, av[1], addr, prefix, cause);
	}
	if (strcmp(cmd, "route") == 0) {
		ARGS(2);
		return nl_route_default(nl, av[1], ip(av[2]), cause);
	}
	if (strcmp(cmd, "up") == 0 || strcmp(cmd, "del") == 0 ||
	    strcmp(cmd, "detach") == 0) {
		ARGS(1);
		if (cmd[0] == 'u')
			return nl_link_up(nl, av[1], cause);
		return cmd[1] == 'e' && cmd[2] == 'l' ?
		    nl_link_del(nl, av[1], cause) : nl_detach(nl, av[1], cause);
	}
	if (strcmp(cmd, "list") == 0) {
		ARGS(1);
		if (nl_links(nl, av[1], &names, cause) == -1)
			return -1;
		for (i = 0; i < names.n; i++)
			printf("%s\n", names.v[i]);
		strv_free(&names);
		return 0;
	}
	if (strcmp(cmd, "overlap") == 0) {
		if (ac != 2 && ac != 3)
			errx(2, "overlap: 1 or 2 arguments");
		cidr(av[1], &addr, &prefix);
		if (nl_route_overlap(nl, addr, prefix, ac == 3 ? av[2] : NULL,
		    &route, cause) == -1)
			return -1;
		if (route != NULL)
			printf("%s\n", route);
		free(route);
		return 0;
	}
	if (strcmp(cmd, "attach") == 0) {
		ARGS(6);
		return attach(nl, av + 1, cause);
	}
	if (strcmp(cmd, "bench") == 0) {
		ARGS(5);
		a.netns_fd = nsfd(av[2]);
		a.bridge = av[3];
		a.host = "sv-bench";
		a.inner = "eth0";
		cidr(av[4], &a.addr, &a.prefix);
		a.gateway = ip(av[5]);
		return bench(nl, atoi(av[1]), &a, cause);
	}
	if (strcmp(cmd, "bench-ip") == 0) {
		ARGS(3);
		bench_ip(atoi(av[1]), av[2], av[3]);
		return 0;
	}
	errx(2, "%s: unknown command", cmd);
}

int
main(int argc, char **argv)
{
	struct nl	*nl;
	char		*cause = NULL;
	int		 fd = -1, rc;

	if (argc > 2 && strcmp(argv[1], "-n") == 0) {
		fd = nsfd(argv[2]);
		argc -= 2;
		argv += 2;
	}
	if (argc < 2)
		errx(2, "usage: nl_drive [-n NSPATH] COMMAND ARGS...");
	if ((nl = nl_open(fd, &cause)) == NULL)
		errx(1, "%s", cause);
	rc = run(nl, argc - 1, argv + 1, &cause);
	nl_close(nl);
	if (rc == -1) {
		fprintf(stderr, "nl_drive: %s\n", cause);
		free(cause);
		return 1;
	}
	return 0;
}

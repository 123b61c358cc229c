/* SPDX-License-Identifier: ISC */
/*
 * test_netlink.c: netlink.c against the real kernel, in network namespaces
 * this test makes at its start (it runs as root): A, where it lives, and
 * B, a second one kept alive by its fd alone, playing a service's. What
 * each nl_ function made is read back another way: /sys/class/net (sysfs
 * mounted again in a private mount namespace, so it shows A's links),
 * /proc/net/route, and SIOCGIF* ioctls -- never through netlink.c itself.
 */
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <net/if.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netlink.h"
#include "unit.h"
#include "util.h"

static int	ns_a = -1, ns_b = -1;

static struct in_addr
ip(const char *s)
{
	struct in_addr	a;

	if (inet_pton(AF_INET, s, &a) != 1)
		abort();
	return a;
}

/* This thread's network namespace, as an inode number. */
static ino_t
ns_ino(void)
{
	struct stat	st;

	return stat("/proc/thread-self/ns/net", &st) == 0 ? st.st_ino : 0;
}

static void
enter(int fd)
{
	if (setns(fd, CLONE_NEWNET) == -1) {
		perror("setns");
		abort();
	}
}

/* The flags of link NAME in namespace fd, or -1 if it has none there. */
static int
ifflags(int fd, const char *name)
{
	struct ifreq	ifr = { 0 };
	int		s, r;

	enter(fd);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	r = ioctl(s, SIOCGIFFLAGS, &ifr) == 0 ? ifr.ifr_flags : -1;
	close(s);
	enter(ns_a);
	return r;
}

/* The first IPv4 address of NAME in namespace fd as "A/PREFIX", or "". */
static const char *
ifaddr(int fd, const char *name)
{
	static char	out[64];
	struct ifreq	ifr = { 0 };
	struct in_addr	a, m;
	int		s;

	out[0] = '\0';
	enter(fd);
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	if (ioctl(s, SIOCGIFADDR, &ifr) == 0) {
		a = ((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr;
		if (ioctl(s, SIOCGIFNETMASK, &ifr) == 0) {
			m = ((struct sockaddr_in *)&ifr.ifr_netmask)->sin_addr;
			snprintf(out, sizeof out, "%s/%d", inet_ntoa(a),
			    __builtin_popcount(m.s_addr));
		}
	}
	close(s);
	enter(ns_a);
	return out;
}

/* Namespace fd's main-table default route, "GATEWAY dev IFACE", or "". */
static const char *
default_route(int fd)
{
	static char	out[64];
	char		line[256], dev[IFNAMSIZ];
	unsigned int	dst, gw, mask;
	struct in_addr	g;
	FILE		*f;

	out[0] = '\0';
	enter(fd);
	if ((f = fopen("/proc/net/route", "re")) != NULL) {
		while (fgets(line, sizeof line, f) != NULL)
			if (sscanf(line, "%15s %x %x %*x %*d %*d %*d %x", dev,
			    &dst, &gw, &mask) == 4 && dst == 0 && mask == 0) {
				g.s_addr = gw;
				snprintf(out, sizeof out, "%s dev %s",
				    inet_ntoa(g), dev);
			}
		fclose(f);
	}
	enter(ns_a);
	return out;
}

/* Is there a route to NET/PREFIX out of DEV in /proc/net/route (A)? */
static int
has_route(const char *net, int prefix, const char *dev)
{
	char		line[256], d[IFNAMSIZ];
	unsigned int	dst, mask;
	int		found = 0;
	FILE		*f;

	if ((f = fopen("/proc/net/route", "re")) == NULL)
		return 0;
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "%15s %x %*x %*x %*d %*d %*d %x", d, &dst,
		    &mask) == 3 && dst == ip(net).s_addr &&
		    __builtin_popcount(mask) == prefix && strcmp(d, dev) == 0)
			found = 1;
	fclose(f);
	return found;
}

/* The bridge a link of A is attached to ("" for none), from sysfs. */
static const char *
master_of(const char *name)
{
	static char	out[PATH_MAX];
	char		path[PATH_MAX], link[PATH_MAX];
	ssize_t		n;

	snprintf(path, sizeof path, "/sys/class/net/%s/master", name);
	if ((n = readlink(path, link, sizeof link - 1)) == -1)
		return "";
	link[n] = '\0';
	snprintf(out, sizeof out, "%s", basename(link));
	return out;
}

static int
sys_has(const char *name, const char *what)
{
	char	path[PATH_MAX];

	snprintf(path, sizeof path, "/sys/class/net/%s%s", name, what);
	return access(path, F_OK) == 0;
}

/* The cause for a bad namespace fd. */
static const char *
nsfail(int fd)
{
	static char	out[64];

	snprintf(out, sizeof out, "network namespace (fd %d): Invalid argument",
	    fd);
	return out;
}

/* The call failed with errno e and a cause that is exactly want. */
#define FAILS(call, e, want) do {					\
		char	*cause_ = NULL;					\
		int	 r_ = (call);					\
		CHECK_INT(r_, -1);					\
		CHECK_INT(errno, (e));					\
		CHECK_STR(cause_ != NULL ? cause_ : "(none)", (want));	\
		free(cause_);						\
	} while (0)

static void
test_open(void)
{
	struct nl	*nl;
	char		*c = NULL;
	ino_t		 me = ns_ino();
	int		 fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	CHECK((nl = nl_open(-1, &c)) != NULL);
	nl_close(nl);
	CHECK((nl = nl_open(ns_b, &c)) != NULL);
	nl_close(nl);
	CHECK_INT(ns_ino(), me);
	/* Not a namespace: said so, and we stay where we were. */
	FAILS(nl_open(fd, &cause_) == NULL ? -1 : 0, EINVAL,
	    nsfail(fd));
	CHECK_INT(ns_ino(), me);
	close(fd);
}

static void
test_bridge(struct nl *nl)
{
	struct strv	 names = { 0 };
	char		*c = NULL, *route = (char *)"x";
	size_t		 i, n;

	CHECK_INT(nl_bridge(nl, "br-u", ip("10.77.0.1"), 24, &c), 0);
	CHECK(sys_has("br-u", "/bridge"));
	CHECK(ifflags(ns_a, "br-u") & IFF_UP);
	CHECK_STR(ifaddr(ns_a, "br-u"), "10.77.0.1/24");
	CHECK(has_route("10.77.0.0", 24, "br-u"));
	/* Again: nothing to do, not an error. */
	CHECK_INT(nl_bridge(nl, "br-u", ip("10.77.0.1"), 24, &c), 0);
	FAILS(nl_bridge(nl, "lo", ip("10.1.0.1"), 24, &cause_), EEXIST,
	    "bridge lo: exists and is not a bridge (no kind)");
	FAILS(nl_bridge(nl, "supd-abcdefghijk", ip("10.1.0.1"), 24, &cause_),
	    EINVAL, "bridge supd-abcdefghijk: name longer than 15 characters");
	FAILS(nl_bridge(nl, "a/b", ip("10.1.0.1"), 24, &cause_), EINVAL,
	    "bridge a/b: not a valid interface name");
	FAILS(nl_bridge(nl, "br-v", ip("10.1.0.1"), 33, &cause_), EINVAL,
	    "bridge address 10.1.0.1/33: prefix length out of 0..32");
	CHECK(!sys_has("br-v", ""));

	CHECK_INT(nl_addr_add(nl, "br-u", ip("10.78.0.1"), 16, &c), 0);
	CHECK(has_route("10.78.0.0", 16, "br-u"));
	FAILS(nl_addr_add(nl, "br-u", ip("10.78.0.1"), 16, &cause_), EEXIST,
	    "address 10.78.0.1/16 on br-u: File exists "
	    "(ipv4: Address already assigned)");
	FAILS(nl_addr_add(nl, "nosuch", ip("10.78.0.1"), 16, &cause_), ENODEV,
	    "link nosuch: No such device");

	CHECK_INT(nl_links(nl, "br-", &names, &c), 0);
	CHECK_INT(names.n, 1);
	CHECK_STR(names.n > 0 ? names.v[0] : "", "br-u");
	/* Pushed after what names holds; "" is every link (a kernel may
	 * add tunnels of its own to a new namespace: not counted). */
	CHECK_INT(nl_links(nl, "", &names, &c), 0);
	CHECK(strv_has(&names, "lo"));
	for (i = n = 0; i < names.n; i++)
		n += strcmp(names.v[i], "br-u") == 0;
	CHECK_INT(n, 2);
	strv_free(&names);

	CHECK_INT(nl_route_overlap(nl, ip("10.77.0.0"), 16, NULL, &route, &c),
	    0);
	CHECK_STR(route, "10.77.0.0/24 dev br-u");
	free(route);
	CHECK_INT(nl_route_overlap(nl, ip("10.77.0.128"), 25, NULL, &route,
	    &c), 0);
	CHECK_STR(route, "10.77.0.0/24 dev br-u");
	free(route);
	/* supd's own bridges do not count; a disjoint subnet never does. */
	CHECK_INT(nl_route_overlap(nl, ip("10.77.0.0"), 16, "br-", &route,
	    &c), 0);
	CHECK(route == NULL);
	CHECK_INT(nl_route_overlap(nl, ip("10.79.0.0"), 16, NULL, &route, &c),
	    0);
	CHECK(route == NULL);
	CHECK_INT(nl_route_overlap(nl, ip("10.74.0.0"), 15, NULL, &route, &c),
	    0);
	CHECK(route == NULL);
	/* A wider subnet holding the route collides too. */
	CHECK_INT(nl_route_overlap(nl, ip("10.76.0.0"), 15, NULL, &route, &c),
	    0);
	CHECK_STR(route, "10.77.0.0/24 dev br-u");
	free(route);
}

static void
test_attach(struct nl *nl)
{
	struct nl_attach a = {
		.netns_fd = ns_b, .bridge = "br-u", .host = "sv-u1",
		.inner = "eth0", .addr = ip("10.77.0.2"), .prefix = 24,
		.gateway = ip("10.77.0.1"),
	};
	struct strv	 names = { 0 };
	char		*c = NULL;
	int		 bad = open("/dev/null", O_RDONLY | O_CLOEXEC);

	CHECK_INT(nl_attach(nl, &a, &c), 0);
	CHECK_STR(master_of("sv-u1"), "br-u");
	CHECK(ifflags(ns_a, "sv-u1") & IFF_UP);
	CHECK_INT(ifflags(ns_a, "eth0"), -1);
	CHECK(ifflags(ns_b, "eth0") & IFF_UP);
	CHECK(ifflags(ns_b, "lo") & IFF_UP);
	CHECK_STR(ifaddr(ns_b, "eth0"), "10.77.0.2/24");
	CHECK_STR(default_route(ns_b), "10.77.0.1 dev eth0");
	CHECK_INT(nl_links(nl, "sv-", &names, &c), 0);
	CHECK_INT(names.n, 1);
	strv_free(&names);

	/* The host name taken: refused, and the first pair is untouched. */
	FAILS(nl_attach(nl, &a, &cause_), EEXIST,
	    "veth sv-u1 (eth0 in the namespace): File exists");
	CHECK(ifflags(ns_b, "eth0") & IFF_UP);

	/* A failure inside (B has its default route already) undoes it all. */
	a.host = "sv-u2";
	a.inner = "eth1";
	a.addr = ip("10.77.0.3");
	FAILS(nl_attach(nl, &a, &cause_), EEXIST,
	    "default route via 10.77.0.1: File exists");
	CHECK(!sys_has("sv-u2", ""));
	CHECK_INT(ifflags(ns_b, "eth1"), -1);
	/* Without a default route (an internal network) it works. */
	a.no_route = true;
	CHECK_INT(nl_attach(nl, &a, &c), 0);
	CHECK_STR(ifaddr(ns_b, "eth1"), "10.77.0.3/24");
	CHECK_STR(default_route(ns_b), "10.77.0.1 dev eth0");

	/* No such namespace: nothing is made. */
	a.netns_fd = bad;
	a.host = "sv-u3";
	FAILS(nl_attach(nl, &a, &cause_), EINVAL,
	    nsfail(bad));
	CHECK(!sys_has("sv-u3", ""));
	close(bad);
	a.netns_fd = ns_b;
	a.bridge = "br-nosuch";
	FAILS(nl_attach(nl, &a, &cause_), ENODEV,
	    "bridge br-nosuch: No such device");
	CHECK(!sys_has("sv-u3", ""));

	/* Detach takes both ends; detaching again is fine. */
	CHECK_INT(nl_detach(nl, "sv-u1", &c), 0);
	CHECK(!sys_has("sv-u1", ""));
	CHECK_INT(ifflags(ns_b, "eth0"), -1);
	CHECK_STR(default_route(ns_b), "");
	CHECK_INT(nl_detach(nl, "sv-u1", &c), 0);
	CHECK_INT(nl_detach(nl, "sv-u2", &c), 0);
	CHECK_INT(ifflags(ns_b, "eth1"), -1);
	FAILS(nl_link_del(nl, "sv-u1", &cause_), ENODEV,
	    "link sv-u1: No such device");
}

/* The pieces nl_attach is made of, one by one, across A and B. */
static void
test_pieces(struct nl *nl)
{
	struct nl	*in;
	char		*c = NULL;

	CHECK_INT(nl_veth(nl, "sv-u4", "br-u", ns_b, "eth4", &c), 0);
	CHECK_STR(master_of("sv-u4"), "br-u");
	CHECK(ifflags(ns_a, "sv-u4") & IFF_UP);
	CHECK_INT(ifflags(ns_b, "eth4") & IFF_UP, 0);
	FAILS(nl_veth(nl, "sv-u5", "br-u", ns_b, "eth4", &cause_), EEXIST,
	    "veth sv-u5 (eth4 in the namespace): File exists");
	CHECK(!sys_has("sv-u5", ""));
	if ((in = nl_open(ns_b, &c)) == NULL) {
		CHECK(in != NULL);
		return;
	}
	CHECK_INT(nl_link_up(in, "eth4", &c), 0);
	CHECK(ifflags(ns_b, "eth4") & IFF_UP);
	CHECK_INT(nl_addr_add(in, "eth4", ip("10.77.0.4"), 24, &c), 0);
	CHECK_STR(ifaddr(ns_b, "eth4"), "10.77.0.4/24");
	CHECK_INT(nl_route_default(in, "eth4", ip("10.77.0.1"), &c), 0);
	CHECK_STR(default_route(ns_b), "10.77.0.1 dev eth4");
	FAILS(nl_route_default(in, "eth4", ip("10.77.0.1"), &cause_), EEXIST,
	    "default route via 10.77.0.1 dev eth4: File exists");
	FAILS(nl_link_up(in, "nosuch", &cause_), ENODEV,
	    "link nosuch up: No such device");
	nl_close(in);
	CHECK_INT(nl_link_del(nl, "sv-u4", &c), 0);
	CHECK(!sys_has("sv-u4", ""));
	CHECK_INT(ifflags(ns_b, "eth4"), -1);
	CHECK_INT(nl_link_del(nl, "br-u", &c), 0);
	CHECK(!sys_has("br-u", ""));
}

/* Many links: a dump longer than one read comes back whole. */
static void
test_dump(struct nl *nl)
{
	struct nl_attach a = {
		.netns_fd = ns_b, .bridge = "br-d", .inner = "eth0",
		.prefix = 16, .no_route = true,
	};
	struct strv	 names = { 0 };
	char		*c = NULL, host[IFNAMSIZ], inner[IFNAMSIZ];
	int		 i, ok = 0;

	CHECK_INT(nl_bridge(nl, "br-d", ip("10.80.0.1"), 16, &c), 0);
	for (i = 0; i < 40; i++) {
		snprintf(host, sizeof host, "sv-d%02d", i);
		snprintf(inner, sizeof inner, "eth%d", i);
		a.host = host;
		a.inner = inner;
		a.addr.s_addr = htonl(ntohl(ip("10.80.1.0").s_addr) + i);
		ok += nl_attach(nl, &a, &c) == 0;
	}
	CHECK_INT(ok, 40);
	CHECK_INT(nl_links(nl, "sv-d", &names, &c), 0);
	CHECK_INT(names.n, 40);
	for (i = 0; i < (int)names.n; i++)
		nl_detach(nl, names.v[i], &c);
	strv_free(&names);
	CHECK_INT(nl_links(nl, "sv-", &names, &c), 0);
	CHECK_INT(names.n, 0);
	strv_free(&names);
	CHECK_INT(nl_link_del(nl, "br-d", &c), 0);
}

int
main(void)
{
	struct nl	*nl;
	char		*c = NULL;

	/* A (ours, with a sysfs of its own) and B (held by its fd only). */
	if (unshare(CLONE_NEWNET | CLONE_NEWNS) == -1 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1 ||
	    umount2("/sys", MNT_DETACH) == -1 ||
	    mount("sysfs", "/sys", "sysfs", 0, NULL) == -1 ||
	    (ns_a = open("/proc/thread-self/ns/net", O_RDONLY)) == -1 ||
	    unshare(CLONE_NEWNET) == -1 ||
	    (ns_b = open("/proc/thread-self/ns/net", O_RDONLY)) == -1 ||
	    setns(ns_a, CLONE_NEWNET) == -1) {
		perror("test_netlink: namespaces (root needed)");
		return 1;
	}
	test_open();
	if ((nl = nl_open(-1, &c)) == NULL) {
		fprintf(stderr, "test_netlink: %s\n", c);
		return 1;
	}
	test_bridge(nl);
	test_attach(nl);
	test_pieces(nl);
	test_dump(nl);
	nl_close(nl);
	return unit_done("netlink");
}

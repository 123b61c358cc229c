/* SPDX-License-Identifier: ISC */
/*
 * test_config_net.c: networks in the configuration (src/config-net.c): the
 * errors of [network NAME] sections with their FILE:LINE, the check against
 * the host's routes (a table the test writes, then the real one inside a
 * network namespace of the test's own after `ip route add`), and the errors
 * of a service's network keys against the main config.
 */
#include <arpa/inet.h>

#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "unit.h"

static char	tmpdir[] = "/tmp/test_config_net.XXXXXX";

/* Load text as supd.conf; the errors, joined by '\n' ("" if none). */
static char *
main_errs(const char *text, struct supd_conf *mc)
{
	struct supd_conf	 own;
	struct strv		 errs = { 0 };
	struct buf		 b = { 0 };
	char			*path = unit_write_file(tmpdir, "s.conf", text);
	size_t			 i;

	if (mc == NULL)
		mc = &own;
	cfg_load_main(path, true, mc, &errs);
	buf_puts(&b, "");
	for (i = 0; i < errs.n; i++) {
		/* Without the directory: "s.conf:LINE: ...". */
		buf_printf(&b, "%s%s", i ? "\n" : "",
		    strncmp(errs.v[i], tmpdir, strlen(tmpdir)) == 0 ?
		    errs.v[i] + strlen(tmpdir) + 1 : errs.v[i]);
	}
	if (mc == &own)
		cfg_main_free(&own);
	strv_free(&errs);
	free(path);
	return b.p;
}

static void
main_err(const char *text, const char *want)
{
	char	*got = main_errs(text, NULL);

	CHECK_STR(got, want);
	free(got);
}

static void
test_section_errors(void)
{
	main_err("[network a]\nsubnet = 10.99.0.0/24\n", "");
	main_err("[network a]\nsubnet = 10.99.0.1/24\n",
	    "s.conf:2: subnet '10.99.0.1/24': host bits are set (not a "
	    "network address)");
	main_err("[network a]\nsubnet = 10.99.0.0\n",
	    "s.conf:2: subnet '10.99.0.0': expected an IPv4 subnet "
	    "(a.b.c.d/N)");
	main_err("[network a]\nsubnet = 10.99.0.0/31\n",
	    "s.conf:2: subnet '10.99.0.0/31': a subnet needs room for a "
	    "gateway and a service (at most /30)");
	main_err("[network a]\nsubnet = 10.999.0.0/16\n",
	    "s.conf:2: subnet '10.999.0.0/16': expected an IPv4 subnet "
	    "(a.b.c.d/N)");
	main_err("[network a]\nbridge = x\n",
	    "s.conf:1: [network a] needs subnet");
	main_err("[network a]\nsubnet = 10.99.0.0/24\n[network a]\n"
	    "subnet = 10.98.0.0/24\n",
	    "s.conf:3: duplicate [network a] (first on line 1)");
	main_err("[network Bad]\nsubnet = 10.99.0.0/24\n",
	    "s.conf:1: [network Bad]: invalid network name (a-z, 0-9, '_', "
	    "'-', starting with a letter or digit; at most 32)");
	main_err("[network a]\nsubnet = 10.99.0.0/24\nsubnet = 10.98.0.0/24\n",
	    "s.conf:3: duplicate key 'subnet' (first set on line 2)");
	main_err("[network a]\nsubnet = 10.99.0.0/24\nmtu = 1400\n",
	    "s.conf:3: unknown key 'mtu' in [network]");
	main_err("[network a]\nsubnet = 10.99.0.0/24\ngateway = 10.98.0.1\n",
	    "s.conf:1: [network a] gateway 10.98.0.1: not a host address of "
	    "its subnet");
	main_err("[network a]\nsubnet = 10.99.0.0/24\ngateway = 10.99.0.255\n",
	    "s.conf:1: [network a] gateway 10.99.0.255: not a host address "
	    "of its subnet");
	main_err("[network a]\nsubnet = 10.99.0.0/24\nbridge = way-too-long-name\n",
	    "s.conf:3: bridge 'way-too-long-name': an interface name of 1 to "
	    "15 characters");
	main_err("[network abcdefghijk]\nsubnet = 10.99.0.0/24\n",
	    "s.conf:1: [network abcdefghijk]: bridge name "
	    "'supd-abcdefghijk' is longer than 15 characters: set bridge");
	main_err("[network a]\nsubnet = 10.99.0.0/24\ninternal = yes\n"
	    "nat = yes\n",
	    "s.conf:1: [network a]: internal and nat together (an internal "
	    "network has no route out)");
	main_err("[network a]\nsubnet = 10.88.128.0/24\n",
	    "s.conf:1: [network a] subnet overlaps network supd0's");
	main_err("[network a]\nsubnet = 10.99.0.0/24\n[network b]\n"
	    "subnet = 10.99.0.0/16\nbridge = supd-a\n",
	    "s.conf:3: [network b] subnet overlaps network a's\n"
	    "s.conf:3: [network b] bridge 'supd-a' is network a's too");
	main_err("[network a]\nsubnet = 10.99.0.0/24\nipv6 = fd00::1/64\n",
	    "s.conf:3: ipv6 'fd00::1/64': host bits are set (not a network "
	    "address)");
	main_err("[network a]\nsubnet = 10.99.0.0/24\nipv6 = fd00::/64\n"
	    "[network b]\nsubnet = 10.98.0.0/24\nipv6 = fd00::/48\n",
	    "s.conf:4: [network b] ipv6 overlaps network a's");
	/* supd0 redefined: its own subnet, no overlap with itself. */
	main_err("[network supd0]\nsubnet = 10.77.0.0/16\n"
	    "[network a]\nsubnet = 10.88.0.0/24\n", "");
	main_err("[network supd0]\nnat = no\n", "");
}

static void
test_defaults(void)
{
	struct supd_conf	 mc;
	char			*e, a[INET_ADDRSTRLEN];
	const struct net_conf	*n;

	e = main_errs("[network supd0]\nsubnet = 10.77.0.0/16\n"
	    "[network b]\nsubnet = 10.99.0.0/24\ninternal = yes\n", &mc);
	CHECK_STR(e, "");
	free(e);
	CHECK_INT(mc.nnets, 2);
	n = cfg_net_find(&mc, "supd0");
	CHECK(n == &mc.nets[0]);
	CHECK_STR(inet_ntop(AF_INET, &n->gateway, a, sizeof a), "10.77.0.1");
	CHECK(n->nat);
	n = cfg_net_find(&mc, "b");
	CHECK(n != NULL && !n->nat && n->internal);
	CHECK_STR(n->bridge, "supd-b");
	CHECK(cfg_net_find(&mc, "c") == NULL);
	cfg_main_free(&mc);
}

/* A route table of the test's own. */
static void
test_routes_table(void)
{
	struct supd_conf	 mc;
	struct strv		 errs = { 0 };
	char			*e, *rt, *want;

	e = main_errs("[network a]\nsubnet = 10.99.0.0/24\n"
	    "[network b]\nsubnet = 10.98.0.0/16\nbridge = br-b\n", &mc);
	CHECK_STR(e, "");
	free(e);
	/* Default route; 192.0.2.0/24 elsewhere; 10.99.0.128/25 on eth1
	 * (inside a); 10.98.0.0/16 on b's own bridge (not a collision). */
	rt = unit_write_file(tmpdir, "route",
	    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask"
	    "\t\tMTU\tWindow\tIRTT\n"
	    "eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
	    "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
	    "eth1\t8000630A\t00000000\t0001\t0\t0\t0\t80FFFFFF\t0\t0\t0\n"
	    "br-b\t0000620A\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n");
	CHECK_INT(cfg_net_check_routes(&mc, rt, &errs), 1);
	want = xasprintf("%s/s.conf:1: [network a] subnet collides with the "
	    "host's route 10.99.0.128/25 on eth1", tmpdir);
	CHECK_INT(errs.n, 1);
	if (errs.n == 1)
		CHECK_STR(errs.v[0], want);
	free(want);
	strv_free(&errs);
	CHECK_INT(cfg_net_check_routes(&mc, "/nonexistent/route", &errs), 1);
	strv_free(&errs);
	cfg_main_free(&mc);
	free(rt);
}

/* The real /proc/net/route, in a network namespace of the test's own. */
static void
test_routes_real(void)
{
	if (unshare(CLONE_NEWNET) == -1) {
		fprintf(stderr, "test_config_net: unshare: skipped the real "
		    "route table\n");
		return;
	}
	/* lo: no module to load for a dummy interface. */
	CHECK_INT(system("ip link set lo up && "
	    "ip route add 10.97.5.0/24 dev lo"), 0);
	main_err("[network a]\nsubnet = 10.97.0.0/16\n",
	    "s.conf:1: [network a] subnet collides with the host's route "
	    "10.97.5.0/24 on lo");
	main_err("[network a]\nsubnet = 10.96.0.0/16\n", "");
	/* Its own bridge's route is not a collision (a reload after
	 * supd made the bridge). */
	main_err("[network a]\nsubnet = 10.97.0.0/16\nbridge = lo\n",
	    "");
}

/* Load a service against text as supd.conf; its errors as main_errs. */
static char *
svc_errs(const char *main_text, const char *svc_text)
{
	struct supd_conf	 mc;
	struct strv		 errs = { 0 };
	struct buf		 b = { 0 };
	struct svc_conf		*sc;
	char			*e = main_errs(main_text, &mc), *path;
	size_t			 i;

	CHECK_STR(e, "");
	free(e);
	path = unit_write_file(tmpdir, "w.ini", svc_text);
	sc = cfg_load_service(path, &mc, &errs);
	CHECK((sc == NULL) == (errs.n > 0));
	buf_puts(&b, "");
	for (i = 0; i < errs.n; i++)
		buf_printf(&b, "%s%s", i ? "\n" : "",
		    errs.v[i] + strlen(tmpdir) + 1);
	cfg_svc_free(sc);
	cfg_main_free(&mc);
	strv_free(&errs);
	free(path);
	return b.p;
}

static void
svc_err(const char *svc, const char *want)
{
	char	*got = svc_errs("[network front]\nsubnet = 10.99.0.0/24\n",
		    svc);

	CHECK_STR(got, want);
	free(got);
}

#define S	"[service]\ncommand = /bin/true\n[isolation]\n"

static void
test_service_errors(void)
{
	char	*want;

	svc_err(S "network = front\nnetwork = bridge\nip = 10.99.0.5\n", "");
	want = xasprintf("w.ini:4: network: unknown network 'nowhere' (no "
	    "[network nowhere] in %s/s.conf)", tmpdir);
	svc_err(S "network = nowhere\n", want);
	free(want);
	svc_err(S "network = front\nnetwork = host\n",
	    "w.ini:5: network 'host': host, none and container:NAME cannot "
	    "be combined with another network");
	svc_err(S "network = none\nnetwork = front\n",
	    "w.ini:5: network 'front': host, none and container:NAME cannot "
	    "be combined with another network");
	svc_err(S "network = front\nnetwork = container:db\n",
	    "w.ini:5: network 'container:db': host, none and container:NAME "
	    "cannot be combined with another network");
	svc_err(S "network = front\nnetwork = front\n",
	    "w.ini:5: network 'front': network given twice");
	svc_err(S "network = Front!\n",
	    "w.ini:4: network 'Front!': expected host, none, container:NAME, "
	    "bridge or a network's name");
	svc_err(S "network = front\nip = 10.98.0.5\n",
	    "w.ini:5: ip 10.98.0.5: not in the subnet of one of the "
	    "service's networks");
	svc_err(S "network = front\nip = 10.99.0.1\n",
	    "w.ini:5: ip 10.99.0.1: the network, broadcast or gateway "
	    "address of network front");
	svc_err(S "network = front\nip = 10.99.0.255\n",
	    "w.ini:5: ip 10.99.0.255: the network, broadcast or gateway "
	    "address of network front");
	svc_err(S "network = front\nip = 10.99.0.7\nip = 10.99.0.7\n",
	    "w.ini:6: ip '10.99.0.7': address given twice");
	svc_err(S "network = front\nip = 10.99.0\n",
	    "w.ini:5: ip '10.99.0': expected an IPv4 address (a.b.c.d)");
	svc_err(S "ip = 10.99.0.5\n",
	    "w.ini:4: ip needs network = bridge or a network's name");
	svc_err(S "network = none\naliases = www\n",
	    "w.ini:5: aliases needs network = bridge or a network's name");
	svc_err(S "network = front\naliases = 'a b' -x\n",
	    "w.ini:5: aliases ''a b' -x': a name of letters, digits, '_', "
	    "'.', '-' (at most 64)");
	svc_err(S "network = front\ndns = 1.2.3\n",
	    "w.ini:5: dns '1.2.3': expected an IPv4 or IPv6 address");
	/* publish: with none and container:NAME, not with host. */
	svc_err(S "network = none\npublish = 8080:80\n", "");
	svc_err(S "network = container:db\npublish = 8080:80\n", "");
	svc_err(S "publish = 8080:80\n",
	    "w.ini:4: publish: with network = host the service's ports are "
	    "the host's (nothing to forward)");
	svc_err(S "network = front\npublish = 8080:80\npublish = 8080:81\n",
	    "w.ini:6: publish '8080:81': that host address, port and "
	    "protocol is published twice");
	svc_err(S "network = front\npublish = 8080:80\npublish = "
	    "127.0.0.1:8080:80\npublish = 8080:80/udp\n", "");
	svc_err(S "network = front\npublish = 0:80\n",
	    "w.ini:5: publish '0:80': too small");
	svc_err(S "network = front\npublish = 80\n",
	    "w.ini:5: publish '80': expected [HOSTIP:]HOSTPORT:PORT"
	    "[/tcp|/udp]");
	svc_err(S "network = front\npublish = 1.2.3.4:5:6:7\n",
	    "w.ini:5: publish '1.2.3.4:5:6:7': expected [HOSTIP:]HOSTPORT:"
	    "PORT[/tcp|/udp]");
	svc_err(S "network = front\npublish = 8080:80/sctp\n",
	    "w.ini:5: publish '8080:80/sctp': protocol: expected tcp or udp");
	svc_err(S "network = front\npublish = x.y:80:80\n",
	    "w.ini:5: publish 'x.y:80:80': expected an IPv4 address "
	    "(a.b.c.d)");
	svc_err(S "network = front\npublish_max_conn = 0\n",
	    "w.ini:5: publish_max_conn '0': too small");
}

int
main(void)
{

	if (mkdtemp(tmpdir) == NULL)
		return 2;
	test_section_errors();
	test_defaults();
	test_routes_table();
	test_service_errors();
	test_routes_real();

	unit_rm_rf(tmpdir);
	return unit_done("config_net");
}

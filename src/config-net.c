/* SPDX-License-Identifier: ISC */
/*
 * config-net.c: networks in the configuration. The `[network NAME]`
 * sections of supd.conf (a section that may appear once per NAME: its rows
 * are cfgk_net_keys, each instance a struct net_conf of supd_conf->nets,
 * the built-in supd0 first) and their checks together: overlapping subnets,
 * duplicate bridges, a subnet that collides with a route of the host. And a
 * service's network keys of [isolation]: network (repeatable: one interface
 * per network), ip, aliases, dns, publish, checked against the main config
 * after the service file.
 *
 * Decisions written down (also in supd.conf(5)): `nat` defaults to yes
 * unless the network is `internal` (docker's user networks masquerade
 * too); internal with nat = yes is an error. `publish` with network = host
 * is an error (the service's ports are already the host's; docker ignores
 * it silently). IPv6 subnets are parsed and validated only.
 */
#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config-custom.h"
#include "config-private.h"
#include "values.h"

#define IFNAME_MAX	15	/* IFNAMSIZ - 1 */

/* Indexed by enum net_mode; bridge networks are written by their names. */
static const char *const net_names[] = { "host", "none", "container",
    NULL };

#define NCONF(p)	((struct net_conf *)(p)->conf)
#define CNCONF(c)	((const struct net_conf *)(c))
#define SCONF(p)	((struct svc_conf *)(p)->conf)

/* Host-order mask of a prefix length. */
static uint32_t
mask_of(unsigned prefix)
{
	return prefix == 0 ? 0 : 0xffffffffu << (32 - prefix);
}

/* An IPv4 address in dotted quad; 0, or -1 and *errstr. */
static int
parse_ipv4(const char *v, struct in_addr *a, const char **errstr)
{
	if (inet_pton(AF_INET, v, a) != 1) {
		*errstr = "expected an IPv4 address (a.b.c.d)";
		return -1;
	}
	return 0;
}

/* ADDR/PREFIX with the host bits zero; family AF_INET or AF_INET6. */
static int
parse_cidr(int family, const char *v, void *addr, unsigned *prefix,
    const char **errstr)
{
	char		 buf[INET6_ADDRSTRLEN + 8], *slash;
	unsigned char	*b = addr;
	unsigned	 bits = family == AF_INET ? 32 : 128, i;
	uint64_t	 n;

	*errstr = family == AF_INET ? "expected an IPv4 subnet (a.b.c.d/N)" :
	    "expected an IPv6 subnet (x:y::/N)";
	if (strlen(v) >= sizeof buf || (slash = strchr(strcpy(buf, v), '/'))
	    == NULL)
		return -1;
	*slash = '\0';
	if (inet_pton(family, buf, addr) != 1 ||
	    parse_uint(slash + 1, 0, bits, &n, errstr) == -1)
		return -1;
	if (family == AF_INET && n > 30) {
		*errstr = "a subnet needs room for a gateway and a service "
		    "(at most /30)";
		return -1;
	}
	for (i = n; i < bits; i++)
		if (b[i / 8] & (0x80 >> (i % 8))) {
			*errstr = "host bits are set (not a network address)";
			return -1;
		}
	*prefix = n;
	return 0;
}

static void
canon_addr(int family, const void *a, struct buf *bp)
{
	char	s[INET6_ADDRSTRLEN];

	inet_ntop(family, a, s, sizeof s);
	buf_puts(bp, s);
}

/* ---- [network NAME] rows ------------------------------------------------ */

const char *
cfgn_check_ifname(const char *v)
{
	const char	*s;

	if (*v == '\0' || strlen(v) > IFNAME_MAX)
		return "an interface name of 1 to 15 characters";
	for (s = v; *s != '\0'; s++)
		if (*s <= ' ' || *s == '/' || *s == ':' || *s == 0x7f)
			return "no spaces, '/' or ':' in an interface name";
	if (strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
		return "not an interface name";
	return NULL;
}

const char *
cfgn_subnet(struct parse *p, const struct key *k, const char *v)
{
	struct net_conf	*n = NCONF(p);
	const char	*e;

	(void)k;
	n->subnet_line = p->line;	/* given, even if bad */
	if (parse_cidr(AF_INET, v, &n->subnet, &n->prefix, &e) == -1)
		return e;
	n->subnet_set = true;
	return NULL;
}

void
cfgn_subnet_canon(const struct key *k, const void *conf, struct buf *bp)
{
	(void)k;
	buf_puts(bp, "\"");
	canon_addr(AF_INET, &CNCONF(conf)->subnet, bp);
	buf_printf(bp, "/%u\"", CNCONF(conf)->prefix);
}

const char *
cfgn_gateway(struct parse *p, const struct key *k, const char *v)
{
	const char	*e;

	(void)k;
	if (parse_ipv4(v, &NCONF(p)->gateway, &e) == -1)
		return e;
	NCONF(p)->gateway_set = true;
	return NULL;
}

void
cfgn_gateway_canon(const struct key *k, const void *conf, struct buf *bp)
{
	(void)k;
	buf_puts(bp, "\"");
	canon_addr(AF_INET, &CNCONF(conf)->gateway, bp);
	buf_puts(bp, "\"");
}

const char *
cfgn_nat(struct parse *p, const struct key *k, const char *v)
{
	const char	*e;

	(void)k;
	if (parse_bool(v, &NCONF(p)->nat, &e) == -1)
		return e;
	NCONF(p)->nat_set = true;
	return NULL;
}

void
cfgn_nat_canon(const struct key *k, const void *conf, struct buf *bp)
{
	(void)k;
	buf_puts(bp, CNCONF(conf)->nat ? "true" : "false");
}

const char *
cfgn_ipv6(struct parse *p, const struct key *k, const char *v)
{
	struct net_conf	*n = NCONF(p);
	const char	*e;

	(void)k;
	if (parse_cidr(AF_INET6, v, &n->ipv6, &n->ipv6_prefix, &e) == -1)
		return e;
	if (n->ipv6_prefix > 126)
		return "a subnet needs room for a gateway and a service "
		    "(at most /126)";
	n->has_ipv6 = true;
	return NULL;
}

void
cfgn_ipv6_canon(const struct key *k, const void *conf, struct buf *bp)
{
	(void)k;
	if (!CNCONF(conf)->has_ipv6) {
		buf_puts(bp, "null");
		return;
	}
	buf_puts(bp, "\"");
	canon_addr(AF_INET6, &CNCONF(conf)->ipv6, bp);
	buf_printf(bp, "/%u\"", CNCONF(conf)->ipv6_prefix);
}

/* ---- the sections ------------------------------------------------------- */

static bool
net_name_valid(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || len > NET_NAME_MAX ||
	    !((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= '0' && s[0] <= '9')))
		return false;
	for (i = 1; i < len; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
			return false;
	return true;
}

/* supd0's subnet unless its section says otherwise: 10.88.0.0/16. */
static void
builtin_subnet(struct net_conf *n)
{
	n->subnet.s_addr = htonl(0x0a580000);
	n->prefix = 16;
	n->subnet_set = true;
}

void
cfgn_builtin(struct supd_conf *c)
{
	c->nets = xcalloc(1, sizeof *c->nets);
	c->nnets = 1;
	c->nets[0].name = xstrdup(NET_DEFAULT);
	builtin_subnet(&c->nets[0]);
}

/* "network NAME" of a section header: a new instance, or supd0 redefined. */
int
cfgn_open(struct parse *p, const char *text, size_t len)
{
	struct supd_conf	*c = p->conf;
	struct net_conf		*n = NULL;
	const char		*name;
	size_t			 i, nlen;

	p->net_cur = -1;
	if (len < 8 || strncmp(text, "network ", 8) != 0)
		return -1;
	for (name = text + 8, nlen = len - 8; nlen > 0 && *name == ' ';
	    name++, nlen--)
		;
	if (!net_name_valid(name, nlen)) {
		cfgk_perr(p, p->line, "[network %.*s]: invalid network name "
		    "(a-z, 0-9, '_', '-', starting with a letter or digit; "
		    "at most %d)", (int)nlen, name, NET_NAME_MAX);
		return -1;
	}
	for (i = 0; i < c->nnets; i++)
		if (strlen(c->nets[i].name) == nlen &&
		    strncmp(c->nets[i].name, name, nlen) == 0)
			n = &c->nets[i];
	if (n != NULL && n->line != 0) {
		cfgk_perr(p, p->line, "duplicate [network %s] (first on line "
		    "%u)", n->name, n->line);
		return -1;
	}
	if (n == NULL) {
		c->nets = xreallocarray(c->nets, c->nnets + 1, sizeof *c->nets);
		n = &c->nets[c->nnets++];
		memset(n, 0, sizeof *n);
		n->name = xstrndup(name, nlen);
	} else {
		/* supd0 redefined: only what the section says. */
		n->subnet_set = false;
	}
	n->line = p->line;
	p->net_cur = n - c->nets;
	memset(p->net_seen, 0, sizeof p->net_seen);
	return 0;
}

void
cfgn_key(struct parse *p, const char *name, const char *value)
{
	struct supd_conf	*c = p->conf;
	const struct key	*k;
	const char		*e;
	size_t			 i;

	if (p->net_cur < 0)
		return;
	if ((k = cfgk_find(cfgk_net_keys, "network", name)) == NULL) {
		cfgk_perr(p, p->line, "unknown key '%s' in [network]", name);
		return;
	}
	i = k - cfgk_net_keys;
	if (p->cont) {
		cfgk_perr(p, p->line, "indented line: only 'command' may "
		    "continue on the next line");
		return;
	}
	if (p->net_seen[i] != 0) {
		cfgk_perr(p, p->line, "duplicate key '%s' (first set on line "
		    "%u)", name, p->net_seen[i]);
		return;
	}
	p->net_seen[i] = p->line;
	p->conf = &c->nets[p->net_cur];
	e = cfgk_set(p, k, value);
	p->conf = c;
	if (e != NULL)
		cfgk_perr(p, p->line, "%s '%.60s': %s", name, value, e);
}

/* One network's defaults and own checks. */
static void
net_resolve(struct parse *p, struct net_conf *n)
{
	uint32_t	net = ntohl(n->subnet.s_addr), mask = mask_of(n->prefix);
	uint32_t	gw;

	if (!n->subnet_set) {
		if (strcmp(n->name, NET_DEFAULT) == 0)
			builtin_subnet(n);
		else if (n->subnet_line == 0)
			cfgk_perr(p, n->line, "[network %s] needs subnet",
			    n->name);
		net = ntohl(n->subnet.s_addr);
		mask = mask_of(n->prefix);
	}
	if (!n->gateway_set)
		n->gateway.s_addr = htonl(net + 1);
	gw = ntohl(n->gateway.s_addr);
	if (n->subnet_set && ((gw & mask) != net || gw == net ||
	    gw == (net | ~mask)))
		cfgk_perr(p, n->line, "[network %s] gateway %s: not a host "
		    "address of its subnet", n->name, inet_ntoa(n->gateway));
	if (n->bridge == NULL) {
		n->bridge = xasprintf("supd-%s", n->name);
		if (strlen(n->bridge) > IFNAME_MAX)
			cfgk_perr(p, n->line, "[network %s]: bridge name '%s' "
			    "is longer than 15 characters: set bridge",
			    n->name, n->bridge);
	}
	if (n->internal && n->nat && n->nat_set)
		cfgk_perr(p, n->line, "[network %s]: internal and nat "
		    "together (an internal network has no route out)",
		    n->name);
	if (!n->nat_set)
		n->nat = !n->internal;
}

/* True if two IPv4 subnets share an address. */
static bool
overlap4(struct in_addr a, unsigned pa, struct in_addr b, unsigned pb)
{
	uint32_t	m = mask_of(pa < pb ? pa : pb);

	return (ntohl(a.s_addr) & m) == (ntohl(b.s_addr) & m);
}

static bool
overlap6(const struct net_conf *a, const struct net_conf *b)
{
	unsigned	bits = a->ipv6_prefix < b->ipv6_prefix ?
			    a->ipv6_prefix : b->ipv6_prefix, i;

	for (i = 0; i < bits; i++)
		if ((a->ipv6.s6_addr[i / 8] ^ b->ipv6.s6_addr[i / 8]) &
		    (0x80 >> (i % 8)))
			return false;
	return true;
}

void
cfgn_finish(struct parse *p)
{
	struct supd_conf	*c = p->conf;
	struct net_conf		*a, *b;
	size_t			 i, j;

	p->net_cur = -1;
	for (i = 0; i < c->nnets; i++)
		net_resolve(p, &c->nets[i]);
	for (i = 0; i < c->nnets; i++)
		for (j = 0; j < i; j++) {
			a = &c->nets[j];
			b = &c->nets[i];
			if (a->subnet_set && b->subnet_set && overlap4(a->subnet, a->prefix, b->subnet, b->prefix))
				cfgk_perr(p, b->line, "[network %s] subnet "
				    "overlaps network %s's", b->name, a->name);
			if (a->has_ipv6 && b->has_ipv6 && overlap6(a, b))
				cfgk_perr(p, b->line, "[network %s] ipv6 "
				    "overlaps network %s's", b->name, a->name);
			if (strcmp(a->bridge, b->bridge) == 0)
				cfgk_perr(p, b->line, "[network %s] bridge "
				    "'%s' is network %s's too", b->name,
				    b->bridge, a->name);
		}
}

void
cfgn_free(struct supd_conf *c)
{
	size_t	i;

	for (i = 0; i < c->nnets; i++) {
		cfgk_free(cfgk_net_keys, &c->nets[i]);
		free(c->nets[i].name);
	}
	free(c->nets);
	c->nets = NULL;
	c->nnets = 0;
}

const struct net_conf *
cfg_net_find(const struct supd_conf *c, const char *name)
{
	size_t	i;

	for (i = 0; i < c->nnets; i++)
		if (strcmp(c->nets[i].name, name) == 0)
			return &c->nets[i];
	return NULL;
}

/*
 * One line of /proc/net/route: "Iface Destination Gateway Flags RefCnt Use
 * Metric Mask ...", addresses as the hex of the 32-bit value in network
 * order read as a host integer. Checked against every network of the file.
 */
static int
route_check(const struct supd_conf *c, const char *line, struct strv *errs)
{
	char		 ifname[32];
	unsigned	 dst, gw, flags, mask, prefix;
	struct in_addr	 d;
	size_t		 i;
	int		 n = 0;

	if (sscanf(line, "%31s %x %x %x %*d %*d %*d %x", ifname, &dst, &gw,
	    &flags, &mask) != 5)
		return 0;
	/* The default route (mask 0) overlaps everything: not a collision. */
	if (mask == 0)
		return 0;
	prefix = __builtin_popcount(mask);
	d.s_addr = dst;
	for (i = 0; i < c->nnets; i++) {
		const struct net_conf *nc = &c->nets[i];
		char a[INET_ADDRSTRLEN];

		if (nc->line == 0 || strcmp(nc->bridge, ifname) == 0 ||
		    !overlap4(nc->subnet, nc->prefix, d, prefix))
			continue;
		inet_ntop(AF_INET, &d, a, sizeof a);
		strv_take(errs, xasprintf("%s:%u: [network %s] subnet "
		    "collides with the host's route %s/%u on %s", c->path,
		    nc->line, nc->name, a, prefix, ifname));
		n++;
	}
	return n;
}

int
cfg_net_check_routes(const struct supd_conf *c, const char *route_file,
    struct strv *errs)
{
	FILE	*f;
	char	*line = NULL;
	size_t	 cap = 0;
	int	 n = 0, first = 1;
	size_t	 i;

	/* Nothing to check: not even open it (supd without networks). */
	for (i = 0; i < c->nnets && c->nets[i].line == 0; i++)
		;
	if (i == c->nnets)
		return 0;
	if ((f = fopen(route_file, "re")) == NULL) {
		strv_take(errs, errno_cause("%s", route_file));
		return 1;
	}
	while (getline(&line, &cap, f) != -1) {
		if (first) {	/* the header line */
			first = 0;
			continue;
		}
		n += route_check(c, line, errs);
	}
	free(line);
	fclose(f);
	return n;
}

/* ---- a service's network keys ------------------------------------------- */

/* Append a copy of v to the NULL-terminated *dst; its index. */
static size_t
push(char ***dst, const char *v)
{
	size_t	n = 0;

	while (*dst != NULL && (*dst)[n] != NULL)
		n++;
	*dst = xreallocarray(*dst, n + 2, sizeof **dst);
	(*dst)[n] = xstrdup(v);
	(*dst)[n + 1] = NULL;
	return n;
}

/* host, none and container:NAME are alone; network names may repeat. */
const char *
cfgc_network(struct parse *p, const struct key *k, const char *v)
{
	struct iso_conf	*iso = &SCONF(p)->iso;
	size_t		 i;
	int		 m;

	(void)k;
	if (p->line > 0 && p->net_values++ > 0 && (iso->net != NET_BRIDGE ||
	    cfgk_enum_index(net_names, v) != -1 ||
	    strncmp(v, "container:", 10) == 0))
		return "host, none and container:NAME cannot be combined with "
		    "another network";
	if ((m = cfgk_enum_index(net_names, v)) != -1 && m != NET_CONTAINER)
		iso->net = m;
	else if (strncmp(v, "container:", 10) == 0 && name_valid(v + 10)) {
		iso->net = NET_CONTAINER;
		free(iso->net_container);
		iso->net_container = xstrdup(v + 10);
	} else if (strcmp(v, "bridge") == 0 ||
	    net_name_valid(v, strlen(v))) {
		if (strcmp(v, "bridge") == 0)
			v = NET_DEFAULT;
		for (i = 0; iso->nets != NULL && iso->nets[i] != NULL; i++)
			if (strcmp(iso->nets[i], v) == 0)
				return "network given twice";
		iso->net = NET_BRIDGE;
		i = push(&iso->nets, v);
		p->net_lines = xreallocarray(p->net_lines, i + 1,
		    sizeof *p->net_lines);
		p->net_lines[i] = p->line;
	} else
		return "expected host, none, container:NAME, bridge or a "
		    "network's name";
	return NULL;
}

void
cfgc_network_canon(const struct key *k, const void *conf, struct buf *bp)
{
	const struct iso_conf	*iso = &((const struct svc_conf *)conf)->iso;
	size_t			 i;

	(void)k;
	buf_puts(bp, "\"");
	if (iso->net == NET_BRIDGE)
		for (i = 0; iso->nets[i] != NULL; i++)
			buf_printf(bp, "%s%s", i ? " " : "", iso->nets[i]);
	else
		buf_puts(bp, net_names[iso->net]);
	if (iso->net == NET_CONTAINER)
		buf_printf(bp, ":%s", iso->net_container);
	buf_puts(bp, "\"");
}

void
cfgc_network_free(const struct key *k, void *conf)
{
	struct iso_conf	*iso = &((struct svc_conf *)conf)->iso;

	(void)k;
	free(iso->net_container);
	iso->net_container = NULL;
	strv_free_array(iso->nets);
	iso->nets = NULL;
}

const char *
cfgc_ip(struct parse *p, const struct key *k, const char *v)
{
	struct iso_conf	*iso = &SCONF(p)->iso;
	struct in_addr	 a;
	const char	*e;
	size_t		 i;

	(void)k;
	if (parse_ipv4(v, &a, &e) == -1)
		return e;
	for (i = 0; iso->ips != NULL && iso->ips[i] != NULL; i++)
		if (strcmp(iso->ips[i], v) == 0)
			return "address given twice";
	i = push(&iso->ips, v);
	p->ip_lines = xreallocarray(p->ip_lines, i + 1, sizeof *p->ip_lines);
	p->ip_lines[i] = p->line;
	return NULL;
}

const char *
cfgc_check_alias(const char *v)
{
	return name_valid(v) ? NULL : "a name of letters, digits, '_', '.', "
	    "'-' (at most 64)";
}

const char *
cfgc_check_ipaddr(const char *v)
{
	struct in6_addr	a;

	return inet_pton(AF_INET, v, &a) == 1 || inet_pton(AF_INET6, v, &a)
	    == 1 ? NULL : "expected an IPv4 or IPv6 address";
}

/* [HOSTIP:]HOSTPORT:PORT[/tcp|/udp] */
static const char *
parse_publish(const char *v, struct publish_conf *pc)
{
	char		*copy = xstrdup(v), *proto, *f[3];
	const char	*e = NULL;
	uint64_t	 port;
	size_t		 n = 0;
	char		*s = copy, *c;

	pc->proto = IPPROTO_TCP;
	if ((proto = strchr(copy, '/')) != NULL) {
		*proto++ = '\0';
		if (strcmp(proto, "udp") == 0)
			pc->proto = IPPROTO_UDP;
		else if (strcmp(proto, "tcp") != 0)
			e = "protocol: expected tcp or udp";
	}
	for (; e == NULL && n < 3; n++) {
		f[n] = s;
		if ((c = strchr(s, ':')) == NULL)
			break;
		*c = '\0';
		s = c + 1;
	}
	if (e == NULL && (n == 3 || n == 0))
		e = "expected [HOSTIP:]HOSTPORT:PORT[/tcp|/udp]";
	if (e == NULL && n == 2 && parse_ipv4(f[0], &pc->host_addr, &e) == 0)
		memmove(f, f + 1, 2 * sizeof *f);
	if (e == NULL && parse_uint(f[0], 1, 65535, &port, &e) == 0) {
		pc->host_port = port;
		if (parse_uint(f[1], 1, 65535, &port, &e) == 0)
			pc->port = port;
	}
	free(copy);
	return e;
}

const char *
cfgc_publish(struct parse *p, const struct key *k, const char *v)
{
	struct iso_conf		*iso = &SCONF(p)->iso;
	struct publish_conf	 pc = { 0 };
	const char		*e;
	size_t			 i;

	(void)k;
	if ((e = parse_publish(v, &pc)) != NULL)
		return e;
	for (i = 0; i < iso->npublish; i++)
		if (iso->publish[i].host_addr.s_addr == pc.host_addr.s_addr &&
		    iso->publish[i].host_port == pc.host_port &&
		    iso->publish[i].proto == pc.proto)
			return "that host address, port and protocol is "
			    "published twice";
	iso->publish = xreallocarray(iso->publish, iso->npublish + 1,
	    sizeof *iso->publish);
	iso->publish[iso->npublish++] = pc;
	return NULL;
}

void
cfgc_publish_canon(const struct key *k, const void *conf, struct buf *bp)
{
	const struct iso_conf	*iso = &((const struct svc_conf *)conf)->iso;
	const struct publish_conf *pc;
	size_t			 i;

	(void)k;
	buf_puts(bp, "[");
	for (i = 0; i < iso->npublish; i++) {
		pc = &iso->publish[i];
		buf_printf(bp, "%s\"", i ? "," : "");
		canon_addr(AF_INET, &pc->host_addr, bp);
		buf_printf(bp, ":%u:%u/%s\"", pc->host_port, pc->port,
		    pc->proto == IPPROTO_UDP ? "udp" : "tcp");
	}
	buf_puts(bp, "]");
}

void
cfgc_publish_free(const struct key *k, void *conf)
{
	struct iso_conf	*iso = &((struct svc_conf *)conf)->iso;

	(void)k;
	free(iso->publish);
	iso->publish = NULL;
	iso->npublish = 0;
}

/* Each ip in exactly one of the service's networks, a host address. */
static void
svc_check_ips(struct parse *p, const struct iso_conf *iso,
    const struct supd_conf *mc)
{
	const struct net_conf	*n;
	struct in_addr		 a;
	uint32_t		 h, net, mask;
	size_t			 i, j, in;

	for (i = 0; iso->ips != NULL && iso->ips[i] != NULL; i++) {
		inet_pton(AF_INET, iso->ips[i], &a);
		h = ntohl(a.s_addr);
		for (j = in = 0; iso->nets[j] != NULL; j++) {
			if ((n = cfg_net_find(mc, iso->nets[j])) == NULL)
				continue;
			net = ntohl(n->subnet.s_addr);
			mask = mask_of(n->prefix);
			if ((h & mask) != net)
				continue;
			in++;
			if (h == net || h == (net | ~mask) ||
			    a.s_addr == n->gateway.s_addr)
				cfgk_perr(p, p->ip_lines[i], "ip %s: the "
				    "network, broadcast or gateway address "
				    "of network %s", iso->ips[i], n->name);
		}
		if (in != 1)
			cfgk_perr(p, p->ip_lines[i], "ip %s: not in the subnet "
			    "of one of the service's networks", iso->ips[i]);
	}
}

void
cfgn_svc_validate(struct parse *p, struct svc_conf *sc)
{
	struct iso_conf	*iso = &sc->iso;
	size_t		 i;

	if (iso->net != NET_BRIDGE) {
		static const char *const need[] = { "ip", "aliases", "dns" };

		for (i = 0; i < sizeof need / sizeof *need; i++)
			if (cfgk_seen(p, "isolation", need[i]))
				cfgk_perr(p, cfgk_seen(p, "isolation",
				    need[i]), "%s needs network = bridge or "
				    "a network's name", need[i]);
		if (iso->net == NET_HOST && iso->npublish > 0)
			cfgk_perr(p, cfgk_seen(p, "isolation", "publish"),
			    "publish: with network = host the service's "
			    "ports are the host's (nothing to forward)");
		return;
	}
	iso->ns |= CLONE_NEWNET;
	if (p->main == NULL)
		return;
	for (i = 0; iso->nets[i] != NULL; i++)
		if (cfg_net_find(p->main, iso->nets[i]) == NULL)
			cfgk_perr(p, p->net_lines[i], "network: unknown network "
			    "'%s' (no [network %s] in %s)", iso->nets[i],
			    iso->nets[i], p->main->path != NULL ?
			    p->main->path : "supd.conf");
	svc_check_ips(p, iso, p->main);
}

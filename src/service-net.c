/* SPDX-License-Identifier: ISC */
/*
 * service-net.c: bridge networks wired into the services -- the bridges
 * and supd's nftables table while some service names a network, each
 * service's address leases, its plugging in at start, and the hosts and
 * resolv.conf files of its networks' services.
 *
 * A network's bridge and its place in supd's table are made when the
 * first service on it starts (not when supd starts: as a machine's PID 1,
 * the kernel modules they need are loaded by a service, which that first
 * service `requires`). A network no service starts on is never made, and
 * a supd whose services use none never looks at the host's links or
 * tables at all. Before the first network is made, what a previous supd
 * left goes: its table (fw_stale_clean), its `sv-` veths and `supd-`
 * bridges. libnftables exits the whole process when it cannot open its
 * netlink socket (nfnetlink not loaded), so every call into it is guarded
 * by a probe of that socket (nft_available). A subnet that overlaps a
 * route of the host (the built-in supd0 too) is refused for supd's life:
 * the services on it fail with that reason. Leases are files only: at
 * start, every bridged service gets its addresses, fixed ones first.
 * Before that, what changed while supd was down is settled: on each
 * network with a leases file, a lease whose name is no service on that
 * network now is released (stale_prune), but one of a file of conf_dir
 * that did not load (what it says is unknown until it does).
 *
 * A service is plugged in between its clone and its first step: the child
 * waits at the gate of spawn.c (the one a user namespace waits at for its
 * maps) while supd makes its veth pairs (eth0, eth1... in the order of
 * `network`; the default route on the first, none on an internal network).
 * The host side is `sv-` and 8 hex digits of a hash of (network, service,
 * try). A stopped service's pair is not deleted: its namespace's end frees
 * it in the kernel, off the loop, but not at once (nl_detach would cost
 * ~20 ms in the loop). A restart that finds the name still taken (EEXIST)
 * takes the next try's name (HOST_TRIES of them); only when all are taken
 * is the first deleted and the plug tried once more. Two services whose
 * names collide (a 32-bit hash) would take each other's next names.
 *
 * Names: a network's members are the services holding a lease on it. Each
 * start of a networked service rewrites, in place, the hosts file of every
 * running service of its networks (a new member is seen at once by running
 * programs), and its own hosts and resolv.conf files; removal of a service
 * file releases its leases and rewrites the others', and so does a new
 * definition that takes it off a network, for that network
 * (svc_net_reconf, once it is stopped: until then its veth still has the
 * address). A resolv.conf with no nameserver left (the host's were all on
 * its loopback) is warned of once per service and change, not per start.
 * All synchronous, in the loop: netlink and nftables answer at once, the
 * files are small.
 *
 * What `supctl network ls` and `network inspect` show comes from here too,
 * read-only: the configuration, whether this supd made the bridge and
 * whether it exists now, and the members with their leases, aliases and
 * (on their first network, the one they are reached through) the ports
 * published to them. Looking never makes a network.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <linux/netlink.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "firewall.h"
#include "hosts.h"
#include "leases.h"
#include "log.h"
#include "netlink.h"
#include "service-private.h"
#include "spawn.h"

#define HOST_RESOLV	"/etc/resolv.conf"
/* systemd-resolved's list of the servers its 127.0.0.53 stub asks. */
#define RESOLVED_RESOLV	"/run/systemd/resolve/resolv.conf"
#define HOST_TRIES	4	/* host-side names per (network, service) */

/* One network of supd.conf at run time. */
struct netrt {
	const struct net_conf	*conf;
	struct lease_table	*leases;	/* open while up */
	bool			 up;		/* its bridge made by this supd */
	char			*fail;		/* refused for good, or NULL */
};

static struct netrt	*rts;		/* one per svc_reg.mconf->nets */
static struct nl	*nl;		/* supd's own network namespace */
static bool		 cleaned;	/* a previous supd's leftovers gone */
static bool		 fw_dirty;	/* the table lags the networks up */
static bool		 fw_set;	/* the table is ours to remove */
static struct strv	 no_ns;		/* "SERVICE ADDR...": warned */

/* The i-th network of supd.conf (rts made at the first use). */
static struct netrt *
rt_at(size_t i)
{
	const struct supd_conf	*mc = svc_reg.mconf;
	size_t			 j;

	if (rts == NULL) {
		rts = xcalloc(mc->nnets + 1, sizeof *rts);
		for (j = 0; j < mc->nnets; j++)
			rts[j].conf = &mc->nets[j];
	}
	return &rts[i];
}

static struct netrt *
rt_find(const char *name)
{
	const struct supd_conf	*mc = svc_reg.mconf;
	size_t			 i;

	(void)rt_at(0);
	for (i = 0; i < mc->nnets; i++)
		if (strcmp(rts[i].conf->name, name) == 0)
			return &rts[i];
	return NULL;
}

static bool
bridged(const struct svc_conf *sc)
{
	return sc->iso.net == NET_BRIDGE && sc->iso.nets != NULL;
}

/* The service's fixed address (`ip`) in n's subnet, or NULL. */
static const struct in_addr *
fixed_for(const struct svc_conf *sc, const struct net_conf *n,
    struct in_addr *buf)
{
	uint32_t	mask = n->prefix == 0 ? 0 : ~0u << (32 - n->prefix);
	size_t		i;

	for (i = 0; sc->iso.ips != NULL && sc->iso.ips[i] != NULL; i++)
		if (inet_pton(AF_INET, sc->iso.ips[i], buf) == 1 &&
		    (ntohl(buf->s_addr) & mask) == ntohl(n->subnet.s_addr))
			return buf;
	return NULL;
}

/* sv- and 8 hex digits of FNV-1a over "NETWORK\0SERVICE" and the try. */
static void
host_name(const char *net, const char *svc, unsigned try, char out[16])
{
	uint32_t	h = 2166136261u;
	const char	*p;

	if (try > 0)
		h = (h ^ (try & 0xff)) * 16777619u;
	for (p = net; ; p++) {
		h = (h ^ (unsigned char)*p) * 16777619u;
		if (*p == '\0')
			break;
	}
	for (p = svc; *p != '\0'; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	snprintf(out, 16, "sv-%08x", h);
}

/*
 * Can libnftables open its socket? When it cannot (nfnetlink not loaded,
 * and nothing to load it: an initramfs has no modprobe), libnftables 1.0.6
 * calls exit() itself -- a kernel panic in PID 1 (docs/vm.md).
 */
static bool
nft_available(void)
{
	int	fd;

	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_NETFILTER)) == -1)
		return false;
	close(fd);
	return true;
}

static struct nl *
nl_get(char **cause)
{
	if (nl == NULL)
		nl = nl_open(-1, cause);
	return nl;
}

/* What a previous supd left: its table, its veths and bridges. */
static void
clean_leftovers(void)
{
	static const char *const pfx[] = { "sv-", "supd-" };
	struct strv	names = { 0 };
	char		*cause = NULL;
	size_t		i, gone = 0;

	cleaned = true;
	/* No nf_tables: no table of anyone's. */
	if (nft_available() && fw_stale_clean(&cause) == -1) {
		log_warnx("networks: a previous supd's table: %s", cause);
		free(cause);
		cause = NULL;
	}
	for (i = 0; i < sizeof pfx / sizeof *pfx; i++)
		if (nl_links(nl, pfx[i], &names, &cause) == -1) {
			log_warnx("networks: leftover links: %s", cause);
			free(cause);
			cause = NULL;
		}
	for (i = 0; i < names.n; i++) {
		if (nl_link_del(nl, names.v[i], &cause) == 0)
			gone++;
		else if (errno != ENODEV)
			log_warnx("networks: leftover %s", cause);
		free(cause);
		cause = NULL;
	}
	if (gone > 0)
		log_info("networks: removed %zu link%s left by a previous supd",
		    gone, gone == 1 ? "" : "s");
	strv_free(&names);
}

/* The table made exactly the networks up. */
static int
fw_sync(char **cause)
{
	struct fw_net	*fn;
	size_t		 i, n = 0;
	int		 r;

	if (!nft_available()) {
		*cause = errno_cause("nftables: netlink");
		return -1;
	}
	fn = xcalloc(svc_reg.mconf->nnets + 1, sizeof *fn);
	for (i = 0; i < svc_reg.mconf->nnets; i++) {
		const struct net_conf *c = rts[i].conf;

		if (!rts[i].up)
			continue;
		fn[n++] = (struct fw_net){ .name = c->name, .bridge = c->bridge,
		    .subnet = c->subnet, .prefix = c->prefix, .nat = c->nat,
		    .internal = c->internal };
	}
	r = fw_apply(fn, n, cause);
	free(fn);
	if (r == 0) {
		fw_dirty = false;
		fw_set = n > 0;
	}
	return r;
}

/* The network's leases, read once (a file: no kernel object). */
static int
leases_ready(struct netrt *rt, char **cause)
{
	struct strv	warn = { 0 };
	char		*why = NULL;
	size_t		i;

	if (rt->leases == NULL && (rt->leases = lease_open(
	    svc_reg.mconf->state_dir, rt->conf, &warn, &why)) == NULL) {
		*cause = xasprintf("network %s: %s", rt->conf->name, why);
		free(why);
	}
	for (i = 0; i < warn.n; i++)
		log_warnx("%s", warn.v[i]);
	strv_free(&warn);
	return rt->leases != NULL ? 0 : -1;
}

/* The bridge of rt and its address (the table: fw_dirty). */
static int
net_up(struct netrt *rt, char **cause)
{
	const struct net_conf	*n = rt->conf;
	char			 s[INET_ADDRSTRLEN], *route = NULL, *why = NULL;

	if (rt->up)
		return 0;
	if (rt->fail == NULL && nl_get(cause) == NULL)
		return -1;
	if (rt->fail == NULL && !cleaned)
		clean_leftovers();
	if (rt->fail == NULL && nl_route_overlap(nl, n->subnet, n->prefix,
	    n->bridge, &route, &why) == -1) {
		*cause = xasprintf("network %s: %s", n->name, why);
		free(why);
		return -1;
	}
	if (route != NULL) {
		inet_ntop(AF_INET, &n->subnet, s, sizeof s);
		rt->fail = xasprintf("network %s: subnet %s/%u overlaps the "
		    "host's route %s", n->name, s, n->prefix, route);
		log_warnx("%s", rt->fail);
		free(route);
	}
	if (rt->fail != NULL) {
		*cause = xstrdup(rt->fail);
		return -1;
	}
	if (nl_bridge(nl, n->bridge, n->gateway, n->prefix, &why) == -1) {
		*cause = xasprintf("network %s: %s", n->name, why);
		free(why);
		return -1;
	}
	rt->up = true;
	fw_dirty = true;
	return 0;
}

static int
net_ready(struct netrt *rt, char **cause)
{
	if (net_up(rt, cause) == -1)
		return -1;
	return fw_dirty ? fw_sync(cause) : 0;
}

/* The service's leases, its fixed addresses first. */
static int
lease_all(const struct svc_conf *sc, char **cause)
{
	struct in_addr	a, fx;
	struct netrt	*rt;
	size_t		i;

	for (i = 0; sc->iso.nets[i] != NULL; i++) {
		if ((rt = rt_find(sc->iso.nets[i])) == NULL)
			continue;
		if (leases_ready(rt, cause) == -1 ||
		    lease_get(rt->leases, sc->name, fixed_for(sc, rt->conf,
		    &fx), &a, cause) == -1)
			return -1;
	}
	return 0;
}

static void	stale_prune(void);

void
svc_net_boot(void)
{
	struct service	*s;
	char		*cause = NULL;
	size_t		 i, pass;

	stale_prune();
	/* Fixed addresses are reserved before any is leased. */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < svc_reg.n; i++) {
			s = svc_reg.svcs[i];
			if (!bridged(s->conf) || (s->conf->iso.ips != NULL) ==
			    (pass == 1))
				continue;
			if (lease_all(s->conf, &cause) == -1) {
				log_warnx("%s: %s", s->conf->name, cause);
				free(cause);
				cause = NULL;
			}
		}
}

/* ---- names -------------------------------------------------------------- */

static char *
names_path(const char *dir, const char *service)
{
	return xasprintf("%s/networks/%s/%s", svc_reg.mconf->state_dir, dir,
	    service);
}

/* Rewrite the hosts file of sc: every member of its networks. */
static int
hosts_update(const struct svc_conf *sc, char **cause)
{
	struct hosts_entry	*e = NULL;
	const struct service	*m;
	struct netrt		*rt;
	size_t			 i, j, n = 0;
	char			*text;
	int			 r;

	for (i = 0; sc->iso.nets[i] != NULL; i++) {
		if ((rt = rt_find(sc->iso.nets[i])) == NULL ||
		    rt->leases == NULL)
			continue;
		e = xreallocarray(e, n + lease_count(rt->leases) + 1,
		    sizeof *e);
		for (j = 0; j < lease_count(rt->leases); j++, n++) {
			e[n].name = lease_at(rt->leases, j, &e[n].addr);
			m = svc_find(e[n].name);
			e[n].aliases = m != NULL && bridged(m->conf) ?
			    m->conf->iso.aliases : NULL;
		}
	}
	text = hosts_text(e, n);
	r = hosts_write(svc_reg.mconf->state_dir, "hosts", sc->name, text,
	    cause);
	free(text);
	free(e);
	return r;
}

/* Is sc on the network net? */
static bool
on_net(const struct svc_conf *sc, const char *net)
{
	size_t	i;

	for (i = 0; bridged(sc) && sc->iso.nets[i] != NULL; i++)
		if (strcmp(sc->iso.nets[i], net) == 0)
			return true;
	return false;
}

static bool
on_any(const struct svc_conf *sc, char *const *nets)
{
	size_t	i;

	for (i = 0; nets != NULL && nets[i] != NULL; i++)
		if (on_net(sc, nets[i]))
			return true;
	return false;
}

/* The members of nets changed (self came or went): the running members'
 * files but self's. */
static void
members_update(const char *self, char *const *nets)
{
	const struct service	*m;
	char			*cause = NULL;
	size_t			 i;

	for (i = 0; i < svc_reg.n; i++) {
		m = svc_reg.svcs[i];
		if (strcmp(m->conf->name, self) == 0 || m->pid == 0 ||
		    !on_any(m->conf, nets))
			continue;
		if (hosts_update(m->conf, &cause) == -1) {
			log_warnx("%s: hosts file: %s", m->conf->name, cause);
			free(cause);
			cause = NULL;
		}
	}
}

/* The entry of no_ns for service, or NULL. */
static char **
no_ns_find(const char *service)
{
	size_t	i, n = strlen(service);

	for (i = 0; i < no_ns.n; i++)
		if (strncmp(no_ns.v[i], service, n) == 0 &&
		    no_ns.v[i][n] == ' ')
			return &no_ns.v[i];
	return NULL;
}

static void
no_ns_forget(const char *service)
{
	char	**e = no_ns_find(service);

	if (e == NULL)
		return;
	free(*e);
	*e = no_ns.v[--no_ns.n];
	no_ns.v[no_ns.n] = NULL;
}

/*
 * sc's resolv.conf has no nameserver, the host's being on its loopback
 * (lost): said once, again only when what was lost changes -- not at
 * every start.
 */
static void
no_ns_warn(const struct svc_conf *sc, const struct strv *lost)
{
	struct buf	 b = { 0 };
	char		**e;
	size_t		 i;

	if (lost->n == 0) {
		no_ns_forget(sc->name);
		return;
	}
	buf_puts(&b, sc->name);
	for (i = 0; i < lost->n; i++)
		buf_printf(&b, " %s", lost->v[i]);
	if ((e = no_ns_find(sc->name)) != NULL && strcmp(*e, b.p) == 0) {
		buf_free(&b);
		return;
	}
	log_warnx("%s: network %s: no nameserver in its resolv.conf: %s "
	    "names only the host's loopback (%s), out of the service's "
	    "network namespace's reach, and %s gives none; set dns",
	    sc->name, sc->iso.nets[0], HOST_RESOLV,
	    b.p + strlen(sc->name) + 1, RESOLVED_RESOLV);
	no_ns_forget(sc->name);
	strv_take(&no_ns, b.p);
}

/* Its own hosts and resolv.conf, as detached mounts for the child. */
static int
names_prepare(struct service *s, struct spawn_args *a, char **cause)
{
	const struct svc_conf	*sc = s->conf;
	struct strv		 lost = { 0 };
	char			*text, *path;
	int			 r;

	if (hosts_update(sc, cause) == -1)
		return -1;
	text = hosts_resolv_text(sc->iso.dns, HOST_RESOLV, RESOLVED_RESOLV,
	    &lost, cause);
	if (text != NULL)
		no_ns_warn(sc, &lost);
	strv_free(&lost);
	if (text == NULL)
		return -1;
	r = hosts_write(svc_reg.mconf->state_dir, "resolv", sc->name, text,
	    cause);
	free(text);
	if (r == -1 || !(sc->iso.ns & CLONE_NEWNS))
		return r;
	path = names_path("hosts", sc->name);
	r = iso_prep_file(path, &a->iso.hosts, cause);
	free(path);
	if (r == 0) {
		path = names_path("resolv", sc->name);
		r = iso_prep_file(path, &a->iso.resolv, cause);
		free(path);
	}
	return r;
}

/* ---- a service's start and end ------------------------------------------ */

int
svc_net_prepare(struct service *s, struct spawn_args *a, char **cause)
{
	const struct svc_conf	*sc = s->conf;
	size_t			 i;

	if (!bridged(sc))
		return 0;
	for (i = 0; sc->iso.nets[i] != NULL; i++)
		if (net_ready(rt_find(sc->iso.nets[i]), cause) == -1)
			return -1;
	if (lease_all(sc, cause) == -1 || names_prepare(s, a, cause) == -1)
		return -1;
	members_update(sc->name, sc->iso.nets);
	a->hold = true;
	return 0;
}

static int
plug(const struct svc_conf *sc, size_t i, int netns, char **cause)
{
	struct netrt	*rt = rt_find(sc->iso.nets[i]);
	char		 host[16], inner[16];
	unsigned	 try;
	struct nl_attach at = { .netns_fd = netns, .bridge = rt->conf->bridge,
			    .host = host, .inner = inner,
			    .prefix = rt->conf->prefix,
			    .gateway = rt->conf->gateway,
			    .no_route = i > 0 || rt->conf->internal };

	snprintf(inner, sizeof inner, "eth%zu", i);
	if (lease_find(rt->leases, sc->name, &at.addr) == -1) {
		*cause = xasprintf("network %s: no address leased",
		    rt->conf->name);
		return -1;
	}
	for (try = 0; try < HOST_TRIES; try++) {
		host_name(rt->conf->name, sc->name, try, host);
		if (nl_attach(nl, &at, cause) == 0)
			return 0;
		if (errno != EEXIST)
			return -1;
		/* The pair of a previous run, not yet freed by the
		 * kernel with its namespace: another name. */
		free(*cause);
		*cause = NULL;
	}
	/* All taken: the first goes (~20 ms in the kernel), once. */
	host_name(rt->conf->name, sc->name, 0, host);
	if (nl_detach(nl, host, cause) == -1)
		return -1;
	return nl_attach(nl, &at, cause);
}

int
svc_net_attach(struct service *s, pid_t pid, char **cause)
{
	char	path[64];
	size_t	i;
	int	fd, r = 0;

	snprintf(path, sizeof path, "/proc/%d/ns/net", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		*cause = errno_cause("network namespace");
		return -1;
	}
	for (i = 0; r == 0 && s->conf->iso.nets[i] != NULL; i++)
		r = plug(s->conf, i, fd, cause);
	close(fd);
	return r;
}

/*
 * sc's leases on the networks that now (NULL: none) is not on released,
 * and the running members of those networks told: the addresses are free
 * for others, the names gone from their hosts files.
 */
static void
leave(const struct svc_conf *sc, const struct svc_conf *now)
{
	struct strv	 left = { 0 };
	struct netrt	*rt;
	char		*cause = NULL;
	size_t		 i;

	for (i = 0; bridged(sc) && sc->iso.nets[i] != NULL; i++) {
		if ((now != NULL && on_net(now, sc->iso.nets[i])) ||
		    (rt = rt_find(sc->iso.nets[i])) == NULL)
			continue;
		if (leases_ready(rt, &cause) == -1 ||
		    lease_release(rt->leases, sc->name, &cause) == -1) {
			log_warnx("%s: lease: %s", sc->name, cause);
			free(cause);
			cause = NULL;
		}
		strv_push(&left, sc->iso.nets[i]);
	}
	members_update(sc->name, left.v);
	strv_free(&left);
}

/* Its hosts and resolv.conf files gone: it is on no network now. */
static void
names_remove(const char *service)
{
	char	*cause = NULL;
	size_t	 i;

	for (i = 0; i < 2; i++)
		if (hosts_remove(svc_reg.mconf->state_dir, i ? "resolv" :
		    "hosts", service, &cause) == -1) {
			log_warnx("%s: %s", service, cause);
			free(cause);
			cause = NULL;
		}
	no_ns_forget(service);
}

void
svc_net_forget(struct service *s)
{
	if (!bridged(s->conf))
		return;
	leave(s->conf, NULL);
	names_remove(s->conf->name);
}

void
svc_net_reconf(struct service *s, const struct svc_conf *old)
{
	if (!bridged(old))
		return;
	leave(old, s->conf);
	if (!bridged(s->conf))
		names_remove(s->conf->name);
}

/* ---- stale leases, at boot --------------------------------------------- */

/* The names of conf_dir's service files, loaded or not: -1 if unread. */
static int
conf_names(struct strv *names)
{
	struct strv	 paths = { 0 }, errs = { 0 };
	const char	*base;
	size_t		 i;
	int		 r;

	/* Its invalid names are said by the load, and lease no name. */
	if ((r = cfg_scan_dir(svc_reg.mconf->conf_dir, &paths, &errs)) == -1)
		log_warnx("networks: stale leases kept: %s", errs.n > 0 ?
		    errs.v[errs.n - 1] : svc_reg.mconf->conf_dir);
	for (i = 0; i < paths.n; i++) {
		base = strrchr(paths.v[i], '/') + 1;
		strv_take(names, xstrndup(base, strlen(base) - 4));
	}
	strv_free(&paths);
	strv_free(&errs);
	return r;
}

/*
 * Why rt's lease of name goes, or NULL: it stays for a service loaded on
 * rt, and for a file of conf_dir that did not load (files).
 */
static const char *
stale_why(const struct netrt *rt, const char *name, const struct strv *files)
{
	const struct service	*s = svc_find(name);

	if (s != NULL)
		return on_net(s->conf, rt->conf->name) ? NULL :
		    "not on this network any more";
	return strv_has(files, name) ? NULL : "no such service";
}

/* rt's stale leases released, one line each; a service gone, or on no
 * bridge network now, loses its hosts and resolv.conf files too, as at a
 * reload. */
static void
stale_release(struct netrt *rt, const struct strv *files)
{
	const struct service	*s;
	struct strv		 gone = { 0 };
	struct in_addr		 a;
	const char		*why;
	char			 t[INET_ADDRSTRLEN], *cause = NULL;
	size_t			 i;

	for (i = 0; i < lease_count(rt->leases); i++)
		if (stale_why(rt, lease_at(rt->leases, i, &a), files) != NULL)
			strv_push(&gone, lease_at(rt->leases, i, &a));
	for (i = 0; i < gone.n; i++) {
		why = stale_why(rt, gone.v[i], files);
		(void)lease_find(rt->leases, gone.v[i], &a);
		inet_ntop(AF_INET, &a, t, sizeof t);
		if (lease_release(rt->leases, gone.v[i], &cause) == -1) {
			log_warnx("network %s: lease of %s (%s) kept: %s",
			    rt->conf->name, gone.v[i], t, cause);
			free(cause);
			cause = NULL;
			continue;
		}
		log_info("network %s: lease of %s (%s) released: %s",
		    rt->conf->name, gone.v[i], t, why);
		if ((s = svc_find(gone.v[i])) == NULL || !bridged(s->conf))
			names_remove(gone.v[i]);
	}
	strv_free(&gone);
}

/*
 * Before the boot's leases: on every network of supd.conf with a leases
 * file, those held by no service on it now. A network whose file cannot
 * be looked at, read or written keeps them, said once: the boot goes on.
 * conf_dir is read again (once, and only if some network has a file): a
 * file that appeared since the load did not load, and keeps its leases.
 */
static void
stale_prune(void)
{
	struct strv	 files = { 0 };
	struct netrt	*rt;
	char		*cause = NULL;
	size_t		 i;
	bool		 scanned = false;

	for (i = 0; i < svc_reg.mconf->nnets; i++) {
		rt = rt_at(i);
		switch (lease_exists(svc_reg.mconf->state_dir, rt->conf->name,
		    &cause)) {
		case 0:
			continue;
		case -1:
			log_warnx("network %s: stale leases kept: %s",
			    rt->conf->name, cause);
			free(cause);
			cause = NULL;
			continue;
		}
		if (!scanned && conf_names(&files) == -1)
			break;
		scanned = true;
		if (leases_ready(rt, &cause) == -1) {
			log_warnx("%s; stale leases kept", cause);
			free(cause);
			cause = NULL;
			continue;
		}
		stale_release(rt, &files);
	}
	strv_free(&files);
}

void
svc_net_addrs(const struct service *s, struct buf *b, bool json)
{
	const struct svc_conf	*sc = s->conf;
	struct netrt		*rt;
	struct in_addr		 a;
	char			 t[INET_ADDRSTRLEN];
	size_t			 i, n = 0;

	if (!bridged(sc))
		return;
	if (json)
		buf_puts(b, ",\"networks\":{");
	for (i = 0; sc->iso.nets[i] != NULL; i++) {
		if ((rt = rt_find(sc->iso.nets[i])) == NULL ||
		    rt->leases == NULL || lease_find(rt->leases, sc->name, &a) == -1)
			continue;
		inet_ntop(AF_INET, &a, t, sizeof t);
		if (json) {
			buf_puts(b, n++ > 0 ? "," : "");
			buf_json_str(b, rt->conf->name);
			buf_printf(b, ":\"%s\"", t);
		} else
			buf_printf(b, "%s%s=%s", n++ > 0 ? " " : "",
			    rt->conf->name, t);
	}
	if (json)
		buf_puts(b, "}");
}

int
svc_net_addr(const struct service *s, struct in_addr *a, char **cause)
{
	struct netrt	*rt = rt_find(s->conf->iso.nets[0]);

	if (rt == NULL || rt->leases == NULL ||
	    lease_find(rt->leases, s->conf->name, a) == -1) {
		*cause = xasprintf("network %s: no address leased",
		    s->conf->iso.nets[0]);
		return -1;
	}
	return 0;
}

/* ---- supctl network ls / inspect ------------------------------------- */

size_t
svc_net_count(void)
{
	return svc_reg.mconf->nnets;
}

ssize_t
svc_net_index(const char *name)
{
	size_t	i;

	for (i = 0; i < svc_reg.mconf->nnets; i++)
		if (strcmp(svc_reg.mconf->nets[i].name, name) == 0)
			return i;
	return -1;
}

void
svc_net_row(size_t i, struct proto_net *r)
{
	static char		 sub[INET_ADDRSTRLEN + 4], gw[INET_ADDRSTRLEN];
	static char		 v6[INET6_ADDRSTRLEN + 5];
	const struct netrt	*rt = rt_at(i);
	const struct net_conf	*n = rt->conf;
	char			 t4[INET_ADDRSTRLEN], t[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET, &n->subnet, t4, sizeof t4);
	snprintf(sub, sizeof sub, "%s/%u", t4, n->prefix);
	inet_ntop(AF_INET, &n->gateway, gw, sizeof gw);
	v6[0] = '\0';
	if (n->has_ipv6) {
		inet_ntop(AF_INET6, &n->ipv6, t, sizeof t);
		snprintf(v6, sizeof v6, "%s/%u", t, n->ipv6_prefix);
	}
	*r = (struct proto_net){ .name = n->name, .bridge = n->bridge,
	    .subnet = sub, .gateway = gw, .ipv6 = v6, .nat = n->nat,
	    .internal = n->internal,
	    .exists = if_nametoindex(n->bridge) != 0,
	    .members = rt->leases != NULL ? lease_count(rt->leases) : 0 };
}

/* The j-th lease holder of rt: its address, state, aliases, and the
 * ports published to it when this is its first network (their target). */
static void
member_json(const struct netrt *rt, size_t j, struct buf *b)
{
	const struct service	*m;
	struct in_addr		 a;
	const char		*name = lease_at(rt->leases, j, &a);
	char			 t[INET_ADDRSTRLEN], **al = NULL;
	size_t			 k;

	inet_ntop(AF_INET, &a, t, sizeof t);
	buf_puts(b, j ? ",{\"name\":" : "{\"name\":");
	buf_json_str(b, name);
	buf_printf(b, ",\"address\":\"%s\",\"state\":", t);
	if ((m = svc_find(name)) != NULL && bridged(m->conf))
		al = m->conf->iso.aliases;
	buf_json_str(b, m != NULL ? svc_state_name(m->state) : NULL);
	buf_puts(b, ",\"aliases\":[");
	for (k = 0; al != NULL && al[k] != NULL; k++) {
		buf_puts(b, k ? "," : "");
		buf_json_str(b, al[k]);
	}
	buf_puts(b, "]");
	if (al != NULL && strcmp(m->conf->iso.nets[0], rt->conf->name) == 0)
		svc_pub_json(m, b);
	buf_puts(b, "}");
}

void
svc_net_json(size_t i, struct buf *b)
{
	const struct netrt	*rt = rt_at(i);
	struct proto_net	 r;
	size_t			 j;

	svc_net_row(i, &r);
	buf_puts(b, "{\"name\":");
	buf_json_str(b, r.name);
	buf_puts(b, ",\"bridge\":");
	buf_json_str(b, r.bridge);
	buf_printf(b, ",\"subnet\":\"%s\",\"gateway\":\"%s\",\"nat\":%s,"
	    "\"internal\":%s,\"ipv6\":", r.subnet, r.gateway,
	    r.nat ? "true" : "false", r.internal ? "true" : "false");
	buf_json_str(b, *r.ipv6 != '\0' ? r.ipv6 : NULL);
	buf_printf(b, ",\"created\":%s,\"bridge_exists\":%s,\"error\":",
	    rt->up ? "true" : "false", r.exists ? "true" : "false");
	buf_json_str(b, rt->fail);
	buf_puts(b, ",\"members\":[");
	for (j = 0; rt->leases != NULL && j < lease_count(rt->leases); j++)
		member_json(rt, j, b);
	buf_puts(b, "]}");
}

/* At exit, every service stopped: the table, the bridges, the veths. */
void
svc_net_end(void)
{
	struct strv	names = { 0 };
	char		*cause = NULL;
	size_t		 i;

	if (fw_set && fw_remove(&cause) == -1) {
		log_warnx("networks: %s", cause);
		free(cause);
		cause = NULL;
	}
	for (i = 0; rts != NULL && i < svc_reg.mconf->nnets; i++) {
		if (rts[i].up && nl_link_del(nl, rts[i].conf->bridge,
		    &cause) == -1) {
			log_warnx("networks: %s", cause);
			free(cause);
			cause = NULL;
		}
		lease_close(rts[i].leases);
		free(rts[i].fail);
	}
	/* A pair whose namespace is gone is freed by the kernel, later:
	 * what is still there goes now, so nothing is left at exit. */
	if (nl != NULL && nl_links(nl, "sv-", &names, &cause) == 0)
		for (i = 0; i < names.n; i++)
			if (nl_detach(nl, names.v[i], &cause) == -1) {
				log_warnx("networks: %s", cause);
				free(cause);
				cause = NULL;
			}
	free(cause);
	strv_free(&names);
	strv_free(&no_ns);
	free(rts);
	rts = NULL;
	if (nl != NULL)
		nl_close(nl);
	nl = NULL;
}

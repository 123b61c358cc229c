/* SPDX-License-Identifier: ISC */
/*
 * netlink.h: rtnetlink through libmnl (netlink.c) -- the bridges, veth pairs,
 * addresses and routes of supd's networks, made in supd's own network
 * namespace or in a service's, without running `ip`.
 *
 * The contract, for every function below:
 * - It returns 0 on success, or -1 with *cause: allocated, one line,
 *   "OBJECT: reason" (docs/style.md habit 5: `bridge supd-x: File exists`),
 *   errno kept. The caller frees *cause and reports it once.
 * - A refusal by the kernel comes from its NLMSG_ERROR ack and is errno
 *   (EEXIST, ENODEV, ...); the kernel's extended-ack message, when it
 *   gives one, follows in parentheses.
 * - Each call is one or a few synchronous requests on the handle's socket:
 *   the kernel has answered when the call returns (netlink.c's head comment
 *   says why that is fine in the loop).
 * - Interface names are checked first: 1 to 15 characters (IFNAMSIZ - 1),
 *   no '/', no whitespace, not "." or "..", else EINVAL.
 * - IPv4 only: IPv6 is not yet.
 */
#ifndef SUPD_NETLINK_H
#define SUPD_NETLINK_H

#include <netinet/in.h>

#include <stdbool.h>

#include "util.h"

/* An rtnetlink socket bound to one network namespace; opaque. */
struct nl;

/*
 * A handle on the network namespace netns_fd (an open /proc/PID/ns/net or
 * a bind mount of one), or supd's own with -1. The socket is made inside
 * that namespace (setns around socket(), then back to supd's own, opened
 * once at the first call) and keeps it; the calling thread's namespace is
 * the same before and after. Single-threaded callers only.
 */
struct nl	*nl_open(int netns_fd, char **cause);
void		 nl_close(struct nl *);

/*
 * The bridge NAME, created if missing (an existing link of that name that
 * is not a bridge is EEXIST), with addr/prefix as its address (already
 * there: fine) and up.
 */
int	nl_bridge(struct nl *, const char *name, struct in_addr addr,
	    int prefix, char **cause);

/*
 * A veth pair: HOST in nl's namespace, attached to the bridge MASTER and up;
 * its peer PEER made directly in the namespace peer_netns_fd (never visible
 * in nl's), down: nl_link_up on a handle of that namespace brings it up
 * (the kernel cannot make a veth's peer up). Either name taken: EEXIST,
 * and nothing is made.
 */
int	nl_veth(struct nl *, const char *host, const char *master,
	    int peer_netns_fd, const char *peer, char **cause);

/* Add addr/prefix to the link NAME (already there: EEXIST). */
int	nl_addr_add(struct nl *, const char *name, struct in_addr addr,
	    int prefix, char **cause);

/* The main table's default route via gw out of the link NAME (EEXIST if
 * there is one). */
int	nl_route_default(struct nl *, const char *name, struct in_addr gw,
	    char **cause);

/* Bring the link NAME up ("lo" for the loopback). */
int	nl_link_up(struct nl *, const char *name, char **cause);

/* Delete the link NAME (missing: ENODEV). Deleting one end of a veth pair
 * deletes the other, in whatever namespace it is. */
int	nl_link_del(struct nl *, const char *name, char **cause);

/* Push onto *names the name of every link whose name starts with prefix
 * ("" for all): supd's leftovers are `supd-*` bridges and `sv-*` veths.
 * A dump that links changed under is EINTR (try again, after freeing). */
int	nl_links(struct nl *, const char *prefix, struct strv *names,
	    char **cause);

/*
 * Does the subnet net/prefix overlap a route of the main table (the
 * default route, 0.0.0.0/0, does not count)? Routes out of links whose
 * name starts with skip (NULL: none) do not count either: a running supd's
 * own bridges carry its subnets. *route is NULL when none does, else the
 * first that does, allocated: "10.88.0.0/16 dev eth0". EINTR as nl_links.
 */
int	nl_route_overlap(struct nl *, struct in_addr net, int prefix,
	    const char *skip, char **route, char **cause);

/* What nl_attach plugs: one service into one network. */
struct nl_attach {
	int		 netns_fd;	/* the service's network namespace */
	const char	*bridge;	/* the network's bridge (exists, up) */
	const char	*host;		/* host-side veth name (sv-XXXXXXXX) */
	const char	*inner;		/* its name in the service (eth0) */
	struct in_addr	 addr;		/* the service's address */
	int		 prefix;	/* the subnet's prefix length */
	struct in_addr	 gateway;	/* the bridge's address */
	bool		 no_route;	/* no default route: an internal
					 * network, or not the first one */
};

/*
 * Plug a service in, all or nothing: the veth pair (host side on the
 * bridge, inner side in netns_fd), the inner side's address, lo and the
 * inner side up, the default route via the gateway unless no_route. On
 * failure the host side is deleted (which deletes its peer) and the cause
 * names the step. nl is the handle on the bridge's namespace.
 */
int	nl_attach(struct nl *, const struct nl_attach *, char **cause);

/*
 * Unplug: delete the host side veth. Already gone (its namespace died with
 * the service, taking the pair along) is success. It costs the caller
 * about 20 ms in the kernel (bench/netlink-attach.sh): a service that
 * stops needs none, its namespace's end frees the pair off the loop (the
 * kernel's cleanup_net), but not at once, so an nl_attach of the same
 * host name soon after can find it still there (EEXIST): nl_detach, then
 * attach again. nl_detach is for a namespace that outlives its network.
 */
int	nl_detach(struct nl *, const char *host, char **cause);

#endif

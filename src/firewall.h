/* SPDX-License-Identifier: ISC */
/*
 * firewall.h: supd's nftables ruleset -- isolation between supd's networks
 * and outbound NAT -- in one table, `inet supd`, that supd owns and always
 * writes as a whole. The caller (the network code) describes every network
 * it runs; fw_apply makes the kernel's table exactly that, in one
 * transaction. Nothing else on the host is read or changed, except IPv4
 * forwarding in supd's network namespace while a nat network exists.
 *
 * What the table does, per network (bridge B, subnet S):
 *   - two different supd bridges never forward to each other, in either
 *     direction and for IPv4 and IPv6 alike (the rules match interfaces);
 *     traffic within one bridge is always accepted (it only reaches the
 *     forward hook when br_netfilter is loaded);
 *   - internal: B forwards nothing, out or in;
 *   - nat: B forwards out to any interface that is not a supd bridge, the
 *     replies (ct state established,related) come back, and no connection
 *     from outside is let in (published ports are a userspace forwarder, not
 *     forwarding); S leaving through a non-supd-bridge interface is
 *     masqueraded (IPv4; IPv6 NAT is not done yet);
 *   - neither: supd isolates B from its other bridges and decides nothing
 *     else; whether B's traffic is routed is the host's own policy.
 * supd's forward chain has policy accept: it only drops. An accept in it
 * cannot override a drop in another table of the host (nftables runs every
 * base chain of a hook), so a host whose own forward policy is drop must let
 * the bridges' traffic through itself.
 */
#ifndef SUPD_FIREWALL_H
#define SUPD_FIREWALL_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

/* The name of supd's table (family inet). */
#define FW_TABLE	"supd"

/* One network as the firewall sees it; fw_apply copies nothing it keeps. */
struct fw_net {
	const char	*name;		/* [a-z0-9][a-z0-9_-]*, at most 32 chars */
	const char	*bridge;	/* its bridge: [A-Za-z0-9_.-], 1 to 15 chars */
	struct in_addr	 subnet;	/* IPv4 subnet (host bits are ignored) */
	unsigned	 prefix;	/* its prefix length, 1 to 32 */
	bool		 nat;		/* masquerade out, forward out and back */
	bool		 internal;	/* forwards nothing (not with nat) */
};

/*
 * Make `inet supd` exactly the ruleset of these n networks, replacing what
 * was there in the same transaction (the old table stays whole if anything
 * fails), and turn IPv4 forwarding on while a nat network exists
 * (remembering it was supd that did, see fw_remove). n == 0 is fw_remove.
 * Every name, bridge and subnet is checked first (a bridge named
 * `x; flush ruleset` is refused, never written). Returns 0, or -1 with an
 * allocated one-line *cause (nftables' own message when the kernel or
 * libnftables refused): "network NAME: bridge 'x': ..." or "nftables: ...".
 */
int	fw_apply(const struct fw_net *nets, size_t n, char **cause);

/*
 * Delete `inet supd` (absent is fine) and put IPv4 forwarding back off if
 * fw_apply turned it on. Once supd has removed it (or fw_stale_clean found
 * none) it knows the table is absent and sends nothing: supd is meant to be
 * its only writer. 0, or -1 with *cause.
 */
int	fw_remove(char **cause);

/*
 * At start: delete a table a previous supd left behind (forwarding is left
 * as it is: whether that supd turned it on is not known). It lists the
 * tables first, so a host without one sees no change at all (but the
 * nf_tables module is loaded if it was not). 0, or -1 with *cause.
 */
int	fw_stale_clean(char **cause);

#endif

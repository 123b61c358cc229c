/* SPDX-License-Identifier: ISC */
/*
 * firewall.c: supd's nftables table `inet supd` (isolation between supd's
 * networks, outbound NAT) and IPv4 forwarding while a nat network needs it.
 * The contract and what the rules do are in firewall.h.
 *
 * The ruleset is written as nft's own text and handed to libnftables
 * (nft_run_cmd_from_buffer), not built with libnftnl: libnftnl means
 * assembling every rule from kernel expressions by hand (payload offsets,
 * registers, set lookups, the batch begin/end messages), hundreds of lines
 * that nobody can read against `nft list table inet supd`; the text is the
 * ruleset an administrator reads, and libnftables parses it, checks it and
 * sends all of it to the kernel as one nfnetlink batch -- one transaction,
 * applied whole or not at all. The price is parsing (bench/firewall-apply.sh
 * measures it) and that text can be injected into: every name, bridge and
 * subnet is checked against a strict alphabet before it is written, and the
 * text is built only from those and from inet_ntop's output.
 *
 * The calls are synchronous request/answer with the kernel over netlink,
 * made from supd's loop like its other netlink work: the kernel answers at
 * once, there is nothing to wait for.
 *
 * libnftables is loaded at the first call (optlib.h), not linked: with its
 * libnftnl, libxtables, libjansson and libgmp it is five libraries mapped
 * in supd, which every spawn's clone would copy for a supd whose services
 * never name a network. Not loadable, every call fails with dlerror's line
 * ("nftables: libnftables.so.1: cannot open shared object file: ...").
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "firewall.h"
#include "optlib.h"
#include "util.h"

#define FW_NAME_MAX	32
#define FW_IFNAME_MAX	15	/* IFNAMSIZ - 1 */
#define FW_FORWARD	"/proc/sys/net/ipv4/ip_forward"

/* The functions of libnftables fw_run calls, reached through fn. */
#define NFT_FNS(X)	X(nft_ctx_new) X(nft_ctx_free) \
	X(nft_ctx_buffer_output) X(nft_ctx_buffer_error) \
	X(nft_run_cmd_from_buffer) X(nft_ctx_get_output_buffer) \
	X(nft_ctx_get_error_buffer)
struct nft_fns { NFT_FNS(OPTLIB_FN) };
#define NFT_SYM(f)	OPTLIB_SYM(struct nft_fns, f)
static const struct optlib_sym nft_syms[] = { NFT_FNS(NFT_SYM) };
static struct nft_fns fn;
static struct optlib nft_lib = OPTLIB(OPTLIB_NFTABLES, nft_syms, fn);

/* Whether supd turned IPv4 forwarding on (and so puts it back off). */
static bool fw_forward_ours;

/*
 * What supd knows of its table. Deleting a table costs the kernel an RCU
 * grace period (10 to 20 ms here, whatever the table holds), adding one
 * does not: when the table is known to be absent (cleaned at start or
 * removed since) fw_apply only adds it, and fw_remove does nothing.
 */
static enum {
	FW_UNKNOWN,	/* not looked yet, or a batch failed: replace it whole */
	FW_ABSENT,	/* supd deleted it or saw there was none */
	FW_PRESENT,	/* supd wrote it last */
} fw_table;

/* Delete the table, absent or not (an absent one is added first). */
static const char fw_drop_table[] =
    "add table inet " FW_TABLE "\n"
    "delete table inet " FW_TABLE "\n";

static bool
fw_name_ok(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0' || s[0] == '-' || s[0] == '_')
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= FW_NAME_MAX)
			return false;
		if (!(s[i] >= 'a' && s[i] <= 'z') &&
		    !(s[i] >= '0' && s[i] <= '9') && s[i] != '_' && s[i] != '-')
			return false;
	}
	return true;
}

/*
 * An interface name as it goes between nft's quotes: no quote, backslash,
 * space or ';' can end the string or the command, and no '*' (nft's
 * wildcard in an interface name) can match more than the one bridge.
 */
static bool
fw_ifname_ok(const char *s)
{
	size_t i;

	if (s == NULL || s[0] == '\0' || strcmp(s, ".") == 0 ||
	    strcmp(s, "..") == 0)
		return false;
	for (i = 0; s[i] != '\0'; i++) {
		if (i >= FW_IFNAME_MAX)
			return false;
		if (!(s[i] >= 'a' && s[i] <= 'z') &&
		    !(s[i] >= 'A' && s[i] <= 'Z') &&
		    !(s[i] >= '0' && s[i] <= '9') &&
		    s[i] != '_' && s[i] != '-' && s[i] != '.')
			return false;
	}
	return true;
}

/* The networks as a whole: each one's fields, then no two the same. */
static int
fw_check(const struct fw_net *nets, size_t n, char **cause)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		const struct fw_net *w = &nets[i];

		if (!fw_name_ok(w->name)) {
			*cause = xasprintf("network name '%s': not "
			    "[a-z0-9][a-z0-9_-]* of at most %d characters",
			    w->name ? w->name : "", FW_NAME_MAX);
			return -1;
		}
		if (!fw_ifname_ok(w->bridge)) {
			*cause = xasprintf("network %s: bridge '%s': not "
			    "[A-Za-z0-9_.-] of 1 to %d characters", w->name,
			    w->bridge ? w->bridge : "", FW_IFNAME_MAX);
			return -1;
		}
		if (w->prefix < 1 || w->prefix > 32) {
			*cause = xasprintf("network %s: subnet prefix /%u: "
			    "not 1 to 32", w->name, w->prefix);
			return -1;
		}
		if (w->nat && w->internal) {
			*cause = xasprintf("network %s: both nat and internal",
			    w->name);
			return -1;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(nets[j].name, w->name) == 0 ||
			    strcmp(nets[j].bridge, w->bridge) == 0) {
				*cause = xasprintf("network %s: same %s as "
				    "network %s", w->name,
				    strcmp(nets[j].name, w->name) == 0 ?
				    "name" : "bridge", nets[j].name);
				return -1;
			}
		}
	}
	return 0;
}

enum fw_pick { FW_ALL, FW_NAT, FW_INTERNAL };

static bool
fw_picked(const struct fw_net *w, enum fw_pick pick)
{
	return pick == FW_ALL || (pick == FW_NAT && w->nat) ||
	    (pick == FW_INTERNAL && w->internal);
}

/* "\t\telements = { " before the first element, ", " before the others. */
static void
fw_element_sep(struct buf *b, bool *any)
{
	buf_puts(b, *any ? ", " : "\t\telements = { ");
	*any = true;
}

/* The end of a set: its elements line's, if it has one, then the set's. */
static void
fw_set_end(struct buf *b, bool any)
{
	buf_puts(b, any ? " }\n\t}\n" : "\t}\n");
}

/* A named set of bridge names. */
static void
fw_set_bridges(struct buf *b, const char *set, const struct fw_net *nets,
    size_t n, enum fw_pick pick)
{
	bool any = false;
	size_t i;

	buf_printf(b, "\tset %s {\n\t\ttype ifname\n", set);
	for (i = 0; i < n; i++) {
		if (!fw_picked(&nets[i], pick))
			continue;
		fw_element_sep(b, &any);
		buf_printf(b, "\"%s\"", nets[i].bridge);
	}
	fw_set_end(b, any);
}

/* The pairs (B . B) of each bridge with itself: traffic within a network. */
static void
fw_set_same(struct buf *b, const struct fw_net *nets, size_t n)
{
	bool any = false;
	size_t i;

	buf_puts(b, "\tset same {\n\t\ttype ifname . ifname\n");
	for (i = 0; i < n; i++) {
		fw_element_sep(b, &any);
		buf_printf(b, "\"%s\" . \"%s\"", nets[i].bridge,
		    nets[i].bridge);
	}
	fw_set_end(b, any);
}

/* The nat networks' subnets, as intervals (masked to their prefix). */
static void
fw_set_natnets(struct buf *b, const struct fw_net *nets, size_t n)
{
	char addr[INET_ADDRSTRLEN];
	struct in_addr net;
	bool any = false;
	size_t i;

	buf_puts(b, "\tset natnets {\n\t\ttype ipv4_addr\n"
	    "\t\tflags interval\n");
	for (i = 0; i < n; i++) {
		if (!nets[i].nat)
			continue;
		net.s_addr = nets[i].subnet.s_addr &
		    htonl(0xffffffffu << (32 - nets[i].prefix));
		inet_ntop(AF_INET, &net, addr, sizeof addr);
		fw_element_sep(b, &any);
		buf_printf(b, "%s/%u", addr, nets[i].prefix);
	}
	fw_set_end(b, any);
}

/*
 * The whole batch. To replace a table that may be there, `add table` then
 * `delete table` first (replace): the delete never
 * fails on a missing table, and all of it is one transaction, so no packet
 * ever sees the host without supd's table (or with half of it). The order
 * of the forward rules is their meaning: within one bridge first, then
 * between bridges, internal, replies into nat, nothing else into nat.
 */
static void
fw_ruleset(struct buf *b, const struct fw_net *nets, size_t n, bool replace)
{
	if (replace)
		buf_puts(b, fw_drop_table);
	buf_puts(b, "table inet " FW_TABLE " {\n"
	    "\tcomment \"owned by supd, replaced as a whole\"\n");
	fw_set_bridges(b, "bridges", nets, n, FW_ALL);
	fw_set_bridges(b, "nat", nets, n, FW_NAT);
	fw_set_bridges(b, "internal", nets, n, FW_INTERNAL);
	fw_set_same(b, nets, n);
	fw_set_natnets(b, nets, n);
	buf_puts(b, "\tchain forward {\n"
	    "\t\ttype filter hook forward priority filter; policy accept;\n"
	    "\t\tiifname . oifname @same accept\n"
	    "\t\tiifname @bridges oifname @bridges drop\n"
	    "\t\tiifname @internal drop\n"
	    "\t\toifname @internal drop\n"
	    "\t\tiifname @nat accept\n"
	    "\t\toifname @nat ct state established,related accept\n"
	    "\t\toifname @nat drop\n"
	    "\t}\n"
	    "\tchain postrouting {\n"
	    "\t\ttype nat hook postrouting priority srcnat; policy accept;\n"
	    "\t\tip saddr @natnets oifname != @bridges masquerade\n"
	    "\t}\n"
	    "}\n");
}

/*
 * libnftables' error text is "Error: REASON", then a line of the input and
 * a marker under it; the cause is REASON alone: libnftables 1.0.6 quotes the
 * first line of a buffer rather than the line at fault, which would mislead.
 */
static char *
fw_nft_cause(const char *err)
{
	const char *reason, *e;
	size_t len;

	if (err == NULL || *err == '\0')
		return xstrdup("nftables: refused (no message)");
	len = strcspn(err, "\n");
	reason = err;
	if ((e = strstr(err, "Error: ")) != NULL && (size_t)(e - err) < len) {
		reason = e + 7;
		len -= (size_t)(reason - err);
	}
	return xasprintf("nftables: %.*s", (int)len, reason);
}

/*
 * Run one batch of nft commands; *out (if not NULL) gets what it printed,
 * allocated.
 */
static int
fw_run(const char *text, char **out, char **cause)
{
	struct nft_ctx *nft;
	char *why;
	int rc;

	if (optlib_load(&nft_lib, &why) == -1) {
		*cause = xasprintf("nftables: %s", why);
		free(why);
		return -1;
	}
	if ((nft = fn.nft_ctx_new(NFT_CTX_DEFAULT)) == NULL) {
		*cause = xstrdup("nftables: cannot make a context");
		return -1;
	}
	/* Buffered: libnftables never writes to supd's stdout or stderr. */
	fn.nft_ctx_buffer_output(nft);
	fn.nft_ctx_buffer_error(nft);
	rc = fn.nft_run_cmd_from_buffer(nft, text);
	if (rc != 0)
		*cause = fw_nft_cause(fn.nft_ctx_get_error_buffer(nft));
	else if (out != NULL)
		*out = xstrdup(fn.nft_ctx_get_output_buffer(nft));
	fn.nft_ctx_free(nft);
	return rc == 0 ? 0 : -1;
}

/* Whether the kernel has `inet supd`: a dump, no transaction. */
static int
fw_listed(bool *present, char **cause)
{
	char *out = NULL, *line, *next;

	if (fw_run("list tables inet\n", &out, cause) == -1)
		return -1;
	*present = false;
	for (line = out; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if (strcmp(line, "table inet " FW_TABLE) == 0)
			*present = true;
	}
	free(out);
	return 0;
}

/*
 * IPv4 forwarding in supd's network namespace (/proc/sys/net is the
 * opener's): on while a nat network exists, off again only if supd turned it
 * on -- a host that forwarded before supd keeps forwarding after it.
 */
static int
fw_forwarding(bool want, char **cause)
{
	char c = 0;
	int fd;

	if (!want && !fw_forward_ours)
		return 0;
	if (!want)
		fw_forward_ours = false;	/* tried once, whatever comes */
	if ((fd = open(FW_FORWARD, O_RDWR | O_CLOEXEC)) == -1) {
		*cause = errno_cause("%s", FW_FORWARD);
		return -1;
	}
	if (read(fd, &c, 1) != 1) {
		*cause = errno_cause("%s", FW_FORWARD);
		close(fd);
		return -1;
	}
	if ((c == '1') != want) {
		if (pwrite(fd, want ? "1\n" : "0\n", 2, 0) != 2) {
			*cause = errno_cause("%s", FW_FORWARD);
			close(fd);
			return -1;
		}
		fw_forward_ours = want;
	}
	close(fd);
	return 0;
}

int
fw_apply(const struct fw_net *nets, size_t n, char **cause)
{
	struct buf b = { 0 };
	bool nat = false;
	size_t i;
	int rc;

	if (n == 0)
		return fw_remove(cause);
	if (fw_check(nets, n, cause) == -1)
		return -1;
	for (i = 0; i < n; i++)
		nat |= nets[i].nat;
	fw_ruleset(&b, nets, n, fw_table != FW_ABSENT);
	rc = fw_run(b.p, NULL, cause);
	if (rc == -1 && fw_table == FW_ABSENT) {
		/* Someone else made a table of that name since: replace it. */
		free(*cause);
		*cause = NULL;
		buf_reset(&b);
		fw_ruleset(&b, nets, n, true);
		rc = fw_run(b.p, NULL, cause);
	}
	buf_free(&b);
	fw_table = rc == 0 ? FW_PRESENT : FW_UNKNOWN;
	if (rc == -1)
		return -1;
	/* After the rules: forwarding never starts before the isolation. */
	return fw_forwarding(nat, cause);
}

int
fw_remove(char **cause)
{
	if (fw_table != FW_ABSENT &&
	    fw_run(fw_drop_table, NULL, cause) == -1)
		return -1;
	fw_table = FW_ABSENT;
	return fw_forwarding(false, cause);
}

/* Only looks when there is nothing: no transaction on a host without one. */
int
fw_stale_clean(char **cause)
{
	bool present;

	if (fw_listed(&present, cause) == -1)
		return -1;
	if (present && fw_run(fw_drop_table, NULL, cause) == -1)
		return -1;
	fw_table = FW_ABSENT;
	return 0;
}

/* SPDX-License-Identifier: ISC */
/*
 * netlink.c: rtnetlink through libmnl -- supd's bridges, the veth pair that
 * plugs a service into one, addresses, the default route, and the dumps
 * that find supd's leftovers and routes a new subnet would collide with.
 * The contract is netlink.h's.
 *
 * Synchronous on purpose, in a loop that never blocks: rtnetlink handles a
 * request in the sender's own system call (under the rtnl lock, a bounded
 * wait), so when sendto() returns the kernel's answer is already queued on
 * the socket, and each recv() of a dump makes its next part on the spot.
 * There is nothing to wait for, so a request costs one round of system
 * calls and no state survives between two. The socket is non-blocking all
 * the same: a missing answer is EAGAIN, an error, never a hang. What the
 * kernel does inside the call is another matter: making a veth pair takes
 * it about 1 ms, deleting one about 20 ms (unregistering a device waits
 * for RCU grace periods; bench/netlink-attach.sh), hence nl_detach's
 * advice in netlink.h.
 *
 * Every answer is checked against the request's sequence number and the
 * socket's port id (mnl_cb_run2); an NLMSG_ERROR ack becomes errno, with
 * the kernel's extended-ack text when it sends one (NETLINK_EXT_ACK). A
 * failed exchange drains what is left of it, so the next one starts clean.
 *
 * A handle belongs to one network namespace: the socket is made there
 * (setns around socket(), then back to supd's, whose fd is opened once)
 * and a netlink socket keeps the namespace it was made in. A veth's peer
 * is made straight into the service's namespace (IFLA_NET_NS_FD in the
 * peer's attributes): it never exists in supd's.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "netlink.h"
#include "util.h"

struct nl {
	struct mnl_socket	*sock;
	unsigned int		 portid;	/* the socket's, checked in answers */
	unsigned int		 seq;		/* the last request's */
	char			*buf;		/* request, then each answer */
	size_t			 len;		/* MNL_SOCKET_BUFFER_SIZE */
	char			 ext[160];	/* the last error's ext-ack text */
};

/* supd's own network namespace, to come back to after making a socket in
 * another; opened at the first nl_open that needs it, kept open. */
static int	nl_self = -1;

/* One link, as a lookup by name finds it. */
struct nl_link {
	int	index;
	char	kind[16];	/* IFLA_INFO_KIND ("bridge", "veth"; "" if none) */
};

/* The links of a dump: each name and index whose name starts with prefix. */
struct nl_links {
	const char	*prefix;
	struct strv	 names;
	int		*index;		/* index[i] is names.v[i]'s */
	size_t		 cap;
};

/* An exchange in progress: the answers go to cb (NULL: none expected). */
struct nl_call {
	struct nl	*nl;
	mnl_cb_t	 cb;
	void		*data;
};

/* -1 with *cause "WHAT: strerror(errno)[ (ext-ack text)]", errno kept. */
static int ATTR_PRINTF(3, 4)
nl_fail(struct nl *nl, char **cause, const char *fmt, ...)
{
	va_list	 ap;
	char	 what[256];
	int	 saved = errno;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (nl != NULL && nl->ext[0] != '\0')
		*cause = xasprintf("%s: %s (%s)", what, strerror(saved),
		    nl->ext);
	else
		*cause = xasprintf("%s: %s", what, strerror(saved));
	errno = saved;
	return -1;
}

/* A name the kernel would take for an interface (dev_valid_name). */
static int
nl_name_ok(const char *what, const char *name, char **cause)
{
	const char	*p;

	if (name == NULL || *name == '\0') {
		errno = EINVAL;
		*cause = xasprintf("%s: no interface name", what);
		return -1;
	}
	if (strlen(name) >= IFNAMSIZ) {
		errno = EINVAL;
		*cause = xasprintf("%s %s: name longer than %d characters",
		    what, name, IFNAMSIZ - 1);
		return -1;
	}
	for (p = name; *p != '\0'; p++)
		if (*p == '/' || *p == ':' || *p == ' ' || (*p >= '\t' &&
		    *p <= '\r'))
			break;
	if (*p != '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		errno = EINVAL;
		*cause = xasprintf("%s %s: not a valid interface name", what,
		    name);
		return -1;
	}
	return 0;
}

static int
nl_prefix_ok(const char *what, struct in_addr addr, int prefix, char **cause)
{
	char	a[INET_ADDRSTRLEN];

	if (prefix >= 0 && prefix <= 32)
		return 0;
	errno = EINVAL;
	inet_ntop(AF_INET, &addr, a, sizeof a);
	*cause = xasprintf("%s %s/%d: prefix length out of 0..32", what, a,
	    prefix);
	return -1;
}

struct nl *
nl_open(int netns_fd, char **cause)
{
	struct mnl_socket	*sock;
	struct nl		*nl;
	int			 one = 1, saved;

	if (netns_fd != -1) {
		if (nl_self == -1 && (nl_self = open("/proc/thread-self/ns/net",
		    O_RDONLY | O_CLOEXEC)) == -1) {
			*cause = errno_cause("/proc/thread-self/ns/net");
			return NULL;
		}
		if (setns(netns_fd, CLONE_NEWNET) == -1) {
			*cause = errno_cause("network namespace (fd %d)",
			    netns_fd);
			return NULL;
		}
	}
	sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	saved = errno;
	if (netns_fd != -1 && setns(nl_self, CLONE_NEWNET) == -1) {
		*cause = errno_cause("back to supd's network namespace");
		if (sock != NULL)
			mnl_socket_close(sock);
		return NULL;
	}
	errno = saved;
	if (sock == NULL || mnl_socket_bind(sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		*cause = errno_cause("netlink socket");
		if (sock != NULL)
			mnl_socket_close(sock);
		return NULL;
	}
	/* Both optional (older kernels): the kernel's own words on an
	 * error, and acks without a copy of the request. */
	mnl_socket_setsockopt(sock, NETLINK_EXT_ACK, &one, sizeof one);
	mnl_socket_setsockopt(sock, NETLINK_CAP_ACK, &one, sizeof one);
	nl = xcalloc(1, sizeof *nl);
	nl->sock = sock;
	nl->portid = mnl_socket_get_portid(sock);
	nl->len = MNL_SOCKET_BUFFER_SIZE;
	nl->buf = xmalloc(nl->len);
	return nl;
}

void
nl_close(struct nl *nl)
{
	if (nl == NULL)
		return;
	mnl_socket_close(nl->sock);
	free(nl->buf);
	free(nl);
}

/* A new request of type in nl's buffer, its fixed header (hlen bytes,
 * zeroed) returned in *hdr; flags NLM_F_DUMP for a dump. */
static struct nlmsghdr *
nl_msg(struct nl *nl, int type, int flags, size_t hlen, void **hdr)
{
	struct nlmsghdr	*nlh;

	nlh = mnl_nlmsg_put_header(nl->buf);
	nlh->nlmsg_type = type;
	/* A dump ends with NLMSG_DONE, anything else with the ack asked
	 * for here (NLM_F_DUMP's bits are NLM_F_REPLACE's and NLM_F_EXCL's
	 * too: only a dump has exactly those). */
	nlh->nlmsg_flags = NLM_F_REQUEST | flags |
	    (flags == NLM_F_DUMP ? 0 : NLM_F_ACK);
	nlh->nlmsg_seq = ++nl->seq;
	*hdr = mnl_nlmsg_put_extra_header(nlh, hlen);
	return nlh;
}

static int
nl_ext_cb(const struct nlattr *attr, void *arg)
{
	struct nl	*nl = arg;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		snprintf(nl->ext, sizeof nl->ext, "%s",
		    mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

/* The ack: 0 ends the exchange; an error becomes errno, its ext-ack text
 * nl->ext. */
static int
nl_error_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nl_call		*c = arg;
	const struct nlmsgerr	*err = mnl_nlmsg_get_payload(nlh);
	size_t			 off = sizeof *err;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof *err)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (err->error == 0)
		return MNL_CB_STOP;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += err->msg.nlmsg_len - sizeof err->msg;
		if (off < nlh->nlmsg_len)
			mnl_attr_parse(nlh, off, nl_ext_cb, c->nl);
	}
	errno = err->error < 0 ? -err->error : EPROTO;
	return MNL_CB_ERROR;
}

/* The end of a dump: it may carry the dump's error. */
static int
nl_done_cb(const struct nlmsghdr *nlh, void *arg)
{
	const int	*error = mnl_nlmsg_get_payload(nlh);

	(void)arg;
	if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof *error) && *error < 0) {
		errno = -*error;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

static int
nl_overrun_cb(const struct nlmsghdr *nlh, void *arg)
{
	(void)nlh;
	(void)arg;
	errno = ENOSPC;
	return MNL_CB_ERROR;
}

static int
nl_data_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nl_call	*c = arg;

	return c->cb != NULL ? c->cb(nlh, c->data) : MNL_CB_OK;
}

static mnl_cb_t nl_ctl[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = nl_error_cb,
	[NLMSG_DONE] = nl_done_cb,
	[NLMSG_OVERRUN] = nl_overrun_cb,
};

/* Read and drop what is left of a failed exchange: a dump's next parts
 * are made by these reads, so this ends (EAGAIN) once it is all read. */
static void
nl_drain(struct nl *nl)
{
	while (recv(mnl_socket_get_fd(nl->sock), nl->buf, nl->len,
	    MSG_DONTWAIT) > 0)
		;
}

/*
 * Send the request nlh (in nl->buf) and read its answers until the ack or
 * the end of the dump; each data message goes to cb. 0, or -1 with errno
 * (and nl->ext).
 */
static int
nl_call(struct nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb, void *data)
{
	struct nl_call	 c = { nl, cb, data };
	unsigned int	 seq = nlh->nlmsg_seq;
	ssize_t		 n;
	int		 ret, saved;

	nl->ext[0] = '\0';
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -1;
	do {
		if ((n = mnl_socket_recvfrom(nl->sock, nl->buf, nl->len)) < 0)
			ret = MNL_CB_ERROR;
		else
			ret = mnl_cb_run2(nl->buf, n, seq, nl->portid,
			    nl_data_cb, &c, nl_ctl, MNL_ARRAY_SIZE(nl_ctl));
	} while (ret > MNL_CB_STOP);
	if (ret == MNL_CB_ERROR) {
		saved = errno;
		nl_drain(nl);
		errno = saved;
		return -1;
	}
	return 0;
}

static int
nl_linkinfo_cb(const struct nlattr *attr, void *arg)
{
	struct nl_link	*l = arg;

	if (mnl_attr_get_type(attr) == IFLA_INFO_KIND &&
	    mnl_attr_validate(attr, MNL_TYPE_STRING) == 0)
		snprintf(l->kind, sizeof l->kind, "%.*s",
		    (int)mnl_attr_get_payload_len(attr),
		    (const char *)mnl_attr_get_payload(attr));
	return MNL_CB_OK;
}

static int
nl_link_attr_cb(const struct nlattr *attr, void *arg)
{
	if (mnl_attr_get_type(attr) == IFLA_LINKINFO &&
	    mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
		mnl_attr_parse_nested(attr, nl_linkinfo_cb, arg);
	return MNL_CB_OK;
}

static int
nl_link_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nl_link		*l = arg;
	const struct ifinfomsg	*ifm = mnl_nlmsg_get_payload(nlh);

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	l->index = ifm->ifi_index;
	l->kind[0] = '\0';
	mnl_attr_parse(nlh, sizeof *ifm, nl_link_attr_cb, l);
	return MNL_CB_OK;
}

/* The link NAME: 0, or -1 with errno (ENODEV: none). */
static int
nl_link_get(struct nl *nl, const char *name, struct nl_link *l)
{
	struct nlmsghdr		*nlh;
	struct ifinfomsg	*ifm;

	nlh = nl_msg(nl, RTM_GETLINK, 0, sizeof *ifm, (void **)&ifm);
	ifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	l->index = 0;
	if (nl_call(nl, nlh, nl_link_cb, l) == -1)
		return -1;
	if (l->index <= 0) {
		errno = ENODEV;
		return -1;
	}
	return 0;
}

/* A request of type on the link NAME, changing the flags in change to
 * those of flags: 0, or -1 with errno. */
static int
nl_link_req(struct nl *nl, int type, const char *name, unsigned int flags,
    unsigned int change)
{
	struct nlmsghdr		*nlh;
	struct ifinfomsg	*ifm;

	nlh = nl_msg(nl, type, 0, sizeof *ifm, (void **)&ifm);
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_flags = flags;
	ifm->ifi_change = change;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	return nl_call(nl, nlh, NULL, NULL);
}

/* Set or clear IFF_UP on the link NAME: 0, or -1 with errno. */
static int
nl_link_flags(struct nl *nl, const char *name, unsigned int up)
{
	return nl_link_req(nl, RTM_SETLINK, name, up, IFF_UP);
}

int
nl_link_up(struct nl *nl, const char *name, char **cause)
{
	if (nl_name_ok("link", name, cause) == -1)
		return -1;
	if (nl_link_flags(nl, name, IFF_UP) == -1)
		return nl_fail(nl, cause, "link %s up", name);
	return 0;
}

/* Delete the link NAME: 0, or -1 with errno. */
static int
nl_del(struct nl *nl, const char *name)
{
	return nl_link_req(nl, RTM_DELLINK, name, 0, 0);
}

int
nl_link_del(struct nl *nl, const char *name, char **cause)
{
	if (nl_name_ok("link", name, cause) == -1)
		return -1;
	if (nl_del(nl, name) == -1)
		return nl_fail(nl, cause, "link %s", name);
	return 0;
}

/* addr/prefix on the link of index ifindex: 0, or -1 with errno. */
static int
nl_addr_index(struct nl *nl, int ifindex, struct in_addr addr, int prefix)
{
	struct nlmsghdr		*nlh;
	struct ifaddrmsg	*ifa;
	uint32_t		 mask;

	nlh = nl_msg(nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof *ifa,
	    (void **)&ifa);
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, sizeof addr, &addr);
	mnl_attr_put(nlh, IFA_ADDRESS, sizeof addr, &addr);
	if (prefix <= 30) {
		/* The broadcast address, as `ip addr add ... brd +` sets. */
		mask = prefix == 0 ? 0 : htonl(~0U << (32 - prefix));
		addr.s_addr |= ~mask;
		mnl_attr_put(nlh, IFA_BROADCAST, sizeof addr, &addr);
	}
	return nl_call(nl, nlh, NULL, NULL);
}

int
nl_addr_add(struct nl *nl, const char *name, struct in_addr addr, int prefix,
    char **cause)
{
	struct nl_link	l;
	char		a[INET_ADDRSTRLEN];

	if (nl_name_ok("link", name, cause) == -1 ||
	    nl_prefix_ok("address", addr, prefix, cause) == -1)
		return -1;
	if (nl_link_get(nl, name, &l) == -1)
		return nl_fail(nl, cause, "link %s", name);
	if (nl_addr_index(nl, l.index, addr, prefix) == -1) {
		inet_ntop(AF_INET, &addr, a, sizeof a);
		return nl_fail(nl, cause, "address %s/%d on %s", a, prefix,
		    name);
	}
	return 0;
}

/* The default route via gw out of the link of index ifindex. */
static int
nl_route_index(struct nl *nl, int ifindex, struct in_addr gw)
{
	struct nlmsghdr	*nlh;
	struct rtmsg	*rtm;

	nlh = nl_msg(nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof *rtm,
	    (void **)&rtm);
	rtm->rtm_family = AF_INET;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(nlh, RTA_GATEWAY, sizeof gw, &gw);
	mnl_attr_put_u32(nlh, RTA_OIF, ifindex);
	return nl_call(nl, nlh, NULL, NULL);
}

int
nl_route_default(struct nl *nl, const char *name, struct in_addr gw,
    char **cause)
{
	struct nl_link	l;
	char		a[INET_ADDRSTRLEN];

	if (nl_name_ok("link", name, cause) == -1)
		return -1;
	if (nl_link_get(nl, name, &l) == -1)
		return nl_fail(nl, cause, "link %s", name);
	if (nl_route_index(nl, l.index, gw) == -1) {
		inet_ntop(AF_INET, &gw, a, sizeof a);
		return nl_fail(nl, cause, "default route via %s dev %s", a,
		    name);
	}
	return 0;
}

int
nl_bridge(struct nl *nl, const char *name, struct in_addr addr, int prefix,
    char **cause)
{
	struct nlmsghdr		*nlh;
	struct ifinfomsg	*ifm;
	struct nlattr		*info;
	struct nl_link		 l;
	char			 a[INET_ADDRSTRLEN];

	if (nl_name_ok("bridge", name, cause) == -1 ||
	    nl_prefix_ok("bridge address", addr, prefix, cause) == -1)
		return -1;
	if (nl_link_get(nl, name, &l) == 0) {
		if (strcmp(l.kind, "bridge") != 0) {
			errno = EEXIST;
			*cause = xasprintf("bridge %s: exists and is not a "
			    "bridge (%s)", name, l.kind[0] ? l.kind : "no kind");
			return -1;
		}
		if (nl_link_flags(nl, name, IFF_UP) == -1)
			return nl_fail(nl, cause, "bridge %s up", name);
	} else if (errno != ENODEV) {
		return nl_fail(nl, cause, "bridge %s", name);
	} else {
		/* Made up at once: ifi_flags apply to a new link. */
		nlh = nl_msg(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
		    sizeof *ifm, (void **)&ifm);
		ifm->ifi_family = AF_UNSPEC;
		ifm->ifi_flags = ifm->ifi_change = IFF_UP;
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
		info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
		mnl_attr_nest_end(nlh, info);
		if (nl_call(nl, nlh, NULL, NULL) == -1 ||
		    nl_link_get(nl, name, &l) == -1)
			return nl_fail(nl, cause, "bridge %s", name);
	}
	if (nl_addr_index(nl, l.index, addr, prefix) == -1 && errno != EEXIST) {
		inet_ntop(AF_INET, &addr, a, sizeof a);
		return nl_fail(nl, cause, "address %s/%d on bridge %s", a,
		    prefix, name);
	}
	return 0;
}

/* The veth pair: 0, or -1 with errno. One request, so the kernel makes
 * both ends or neither. The host side is made up (ifi_flags apply to a new
 * link); the peer cannot be: it is opened before the pair is joined, and
 * a veth without its peer refuses to open (ENOTCONN). */
static int
nl_veth_make(struct nl *nl, const char *host, int master, int netns_fd,
    const char *peer)
{
	struct nlmsghdr		*nlh;
	struct ifinfomsg	*ifm, *pifm;
	struct nlattr		*info, *data, *pinfo;

	nlh = nl_msg(nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof *ifm,
	    (void **)&ifm);
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_flags = ifm->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, host);
	mnl_attr_put_u32(nlh, IFLA_MASTER, master);
	info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	pinfo = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	pifm = mnl_nlmsg_put_extra_header(nlh, sizeof *pifm);
	pifm->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, peer);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, netns_fd);
	mnl_attr_nest_end(nlh, pinfo);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_nest_end(nlh, info);
	return nl_call(nl, nlh, NULL, NULL);
}

int
nl_veth(struct nl *nl, const char *host, const char *master, int peer_netns_fd,
    const char *peer, char **cause)
{
	struct nl_link	br;

	if (nl_name_ok("veth", host, cause) == -1 ||
	    nl_name_ok("veth peer", peer, cause) == -1 ||
	    nl_name_ok("bridge", master, cause) == -1)
		return -1;
	if (nl_link_get(nl, master, &br) == -1)
		return nl_fail(nl, cause, "bridge %s", master);
	if (nl_veth_make(nl, host, br.index, peer_netns_fd, peer) == -1)
		return nl_fail(nl, cause, "veth %s (%s in the namespace)",
		    host, peer);
	return 0;
}

static int
nl_links_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nl_links		*ls = arg;
	const struct ifinfomsg	*ifm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr	*attr;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof *ifm) {
		if (mnl_attr_get_type(attr) != IFLA_IFNAME ||
		    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) != 0)
			continue;
		if (strncmp(mnl_attr_get_str(attr), ls->prefix,
		    strlen(ls->prefix)) != 0)
			break;
		if (ls->names.n == ls->cap) {
			ls->cap = ls->cap ? 2 * ls->cap : 16;
			ls->index = xreallocarray(ls->index, ls->cap,
			    sizeof *ls->index);
		}
		ls->index[ls->names.n] = ifm->ifi_index;
		strv_push(&ls->names, mnl_attr_get_str(attr));
		break;
	}
	return MNL_CB_OK;
}

/* Every link whose name starts with ls->prefix into ls. */
static int
nl_links_dump(struct nl *nl, struct nl_links *ls)
{
	struct nlmsghdr		*nlh;
	struct ifinfomsg	*ifm;

	nlh = nl_msg(nl, RTM_GETLINK, NLM_F_DUMP, sizeof *ifm, (void **)&ifm);
	ifm->ifi_family = AF_UNSPEC;
	/* Without the counters the kernel's parts stay small enough for
	 * the MNL_SOCKET_BUFFER_SIZE reads. */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
	return nl_call(nl, nlh, nl_links_cb, ls);
}

static void
nl_links_free(struct nl_links *ls)
{
	strv_free(&ls->names);
	free(ls->index);
}

int
nl_links(struct nl *nl, const char *prefix, struct strv *names, char **cause)
{
	struct nl_links	ls = { .prefix = prefix };
	size_t		i;

	if (nl_links_dump(nl, &ls) == -1) {
		nl_links_free(&ls);
		return nl_fail(nl, cause, "links %s*", prefix);
	}
	for (i = 0; i < ls.names.n; i++)
		strv_push(names, ls.names.v[i]);
	nl_links_free(&ls);
	return 0;
}

/* A route dump looking for the first route that overlaps net/prefix. */
struct nl_overlap {
	struct in_addr		 net;
	int			 prefix;
	const char		*skip;	/* links not to count (prefix) */
	const struct nl_links	*all;	/* every link, for the names */
	char			*route;	/* the first overlap found */
};

static const char *
nl_index_name(const struct nl_links *ls, int index)
{
	size_t	i;

	for (i = 0; i < ls->names.n; i++)
		if (ls->index[i] == index)
			return ls->names.v[i];
	return NULL;
}

static int
nl_route_cb(const struct nlmsghdr *nlh, void *arg)
{
	struct nl_overlap	*o = arg;
	const struct rtmsg	*rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr	*attr;
	struct in_addr		 dst = { 0 };
	unsigned int		 table = rtm->rtm_table;
	const char		*dev = NULL;
	char			 a[INET_ADDRSTRLEN];
	uint32_t		 mask;
	int			 len;

	if (nlh->nlmsg_type != RTM_NEWROUTE || rtm->rtm_family != AF_INET ||
	    rtm->rtm_dst_len == 0 || o->route != NULL)
		return MNL_CB_OK;
	mnl_attr_for_each(attr, nlh, sizeof *rtm) {
		if (mnl_attr_get_type(attr) == RTA_TABLE &&
		    mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			table = mnl_attr_get_u32(attr);
		else if (mnl_attr_get_type(attr) == RTA_DST &&
		    mnl_attr_get_payload_len(attr) == sizeof dst)
			memcpy(&dst, mnl_attr_get_payload(attr), sizeof dst);
		else if (mnl_attr_get_type(attr) == RTA_OIF &&
		    mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			dev = nl_index_name(o->all, mnl_attr_get_u32(attr));
	}
	if (table != RT_TABLE_MAIN || (o->skip != NULL && dev != NULL &&
	    strncmp(dev, o->skip, strlen(o->skip)) == 0))
		return MNL_CB_OK;
	/* Two prefixes overlap when they agree on the shorter one. */
	len = rtm->rtm_dst_len < o->prefix ? rtm->rtm_dst_len : o->prefix;
	mask = len == 0 ? 0 : htonl(~0U << (32 - len));
	if (((dst.s_addr ^ o->net.s_addr) & mask) != 0)
		return MNL_CB_OK;
	inet_ntop(AF_INET, &dst, a, sizeof a);
	o->route = dev != NULL ? xasprintf("%s/%d dev %s", a, rtm->rtm_dst_len,
	    dev) : xasprintf("%s/%d", a, rtm->rtm_dst_len);
	return MNL_CB_OK;
}

int
nl_route_overlap(struct nl *nl, struct in_addr net, int prefix,
    const char *skip, char **route, char **cause)
{
	struct nl_links		 all = { .prefix = "" };
	struct nl_overlap	 o = { net, prefix, skip, &all, NULL };
	struct nlmsghdr		*nlh;
	struct rtmsg		*rtm;
	char			 a[INET_ADDRSTRLEN];
	int			 ret = 0;

	*route = NULL;
	if (nl_prefix_ok("subnet", net, prefix, cause) == -1)
		return -1;
	inet_ntop(AF_INET, &net, a, sizeof a);
	if (nl_links_dump(nl, &all) == -1) {
		ret = nl_fail(nl, cause, "routes for %s/%d: links", a, prefix);
		goto out;
	}
	nlh = nl_msg(nl, RTM_GETROUTE, NLM_F_DUMP, sizeof *rtm, (void **)&rtm);
	rtm->rtm_family = AF_INET;
	if (nl_call(nl, nlh, nl_route_cb, &o) == -1) {
		free(o.route);
		ret = nl_fail(nl, cause, "routes for %s/%d", a, prefix);
		goto out;
	}
	*route = o.route;
out:
	nl_links_free(&all);
	return ret;
}

/* nl_attach's steps inside the service's namespace (handle in): lo up, the
 * address on the inner side, the default route. -1 with *cause. */
static int
nl_attach_inside(struct nl *in, const struct nl_attach *a, char **cause)
{
	struct nl_link	l;
	char		s[INET_ADDRSTRLEN];

	if (nl_link_flags(in, "lo", IFF_UP) == -1)
		return nl_fail(in, cause, "lo up in the service");
	if (nl_link_get(in, a->inner, &l) == -1 ||
	    nl_link_flags(in, a->inner, IFF_UP) == -1)
		return nl_fail(in, cause, "%s up in the service", a->inner);
	if (nl_addr_index(in, l.index, a->addr, a->prefix) == -1) {
		inet_ntop(AF_INET, &a->addr, s, sizeof s);
		return nl_fail(in, cause, "address %s/%d on %s", s, a->prefix,
		    a->inner);
	}
	if (!a->no_route && nl_route_index(in, l.index, a->gateway) == -1) {
		inet_ntop(AF_INET, &a->gateway, s, sizeof s);
		return nl_fail(in, cause, "default route via %s", s);
	}
	return 0;
}

int
nl_attach(struct nl *nl, const struct nl_attach *a, char **cause)
{
	struct nl	*in;
	int		 saved;

	if (nl_name_ok("veth", a->host, cause) == -1 ||
	    nl_name_ok("interface", a->inner, cause) == -1 ||
	    nl_prefix_ok("address", a->addr, a->prefix, cause) == -1)
		return -1;
	/* The namespace first: a bad one fails before anything is made. */
	if ((in = nl_open(a->netns_fd, cause)) == NULL)
		return -1;
	if (nl_veth(nl, a->host, a->bridge, a->netns_fd, a->inner,
	    cause) == -1) {
		nl_close(in);
		return -1;
	}
	if (nl_attach_inside(in, a, cause) == -1) {
		saved = errno;
		/* The peer goes with it: nothing of the attempt is left.
		 * This cannot fail but for the pair being gone already. */
		(void)nl_del(nl, a->host);
		nl_close(in);
		errno = saved;
		return -1;
	}
	nl_close(in);
	return 0;
}

int
nl_detach(struct nl *nl, const char *host, char **cause)
{
	if (nl_link_del(nl, host, cause) == -1) {
		if (errno != ENODEV)
			return -1;
		free(*cause);
		*cause = NULL;
	}
	return 0;
}

/* SPDX-License-Identifier: ISC */
/*
 * publish.h: a published port -- supd's userspace forwarder (publish =
 * [HOSTIP:]HOSTPORT:PORT[/tcp|/udp]). supd listens on the host side, in its
 * own network namespace; for each client it opens the service-side socket in
 * the service's network namespace and relays between the two inside supd's
 * libev loop (EV_DEFAULT): TCP with splice(2) through a pipe per direction,
 * UDP as one session per client address. No thread, no process, no iptables.
 *
 * The contract:
 * - pub_init once before the first pub_open (it opens supd's own network
 *   namespace, to come back to after each socket made in a service's);
 *   pub_exit after the last pub_close frees what pub_init and the relays
 *   kept (the namespace fd, the spare pipes).
 * - pub_open binds HOSTIP:HOSTPORT exactly (close-on-exec, non-blocking;
 *   TCP with SO_REUSEADDR, to bind again over TIME_WAIT; not UDP, where it
 *   would let a second socket share the port) and starts serving at once.
 *   It dup()s target_netns_fd: the caller keeps its own fd and may close it
 *   at once; -1, or an fd of supd's own namespace, means no setns. On
 *   failure it returns NULL and *cause, allocated, says why ("publish
 *   0.0.0.0:8080/tcp: Address already in use"); nothing is left open.
 * - The process ignores SIGPIPE (supd does): splice(2) has no MSG_NOSIGNAL.
 * - pub_close ends it all at once: the listener is closed (a new client is
 *   refused by the kernel, never left hanging), every live TCP connection is
 *   reset on both sides (SO_LINGER 0), every UDP session closed; the pub is
 *   freed.
 * - TCP: a connection the target refuses (or that fails to connect) resets
 *   the client; a half-close (EOF) passes through as shutdown(SHUT_WR) of the
 *   other side; a reset passes through as a reset of the other side; over
 *   max_conn live connections a new client is accepted and reset at once.
 *   Buffers are bounded: a side is not read while the pipe toward the other
 *   side holds data, so one slow peer only stalls its own connection. Pipes
 *   are taken from a small shared pool when data flows and given back when
 *   they are empty: an idle connection holds two sockets and ~300 bytes.
 * - UDP: one session (a socket in the target namespace, connected to the
 *   target) per client address, at most max_conn; a datagram over the limit,
 *   or that finds a socket buffer full, is dropped and counted. A session
 *   ends after udp_idle seconds without a datagram either way.
 * - Nothing is logged per connection; what went wrong is counted
 *   (pub_stats), for `supctl inspect`.
 */
#ifndef SUPD_PUBLISH_H
#define SUPD_PUBLISH_H

#include <netinet/in.h>
#include <stdint.h>

enum pub_proto {
	PUB_TCP,	/* a stream relay per accepted connection */
	PUB_UDP,	/* a datagram session per client address */
};

/* What to publish; pub_open copies it. */
struct pub_spec {
	struct in_addr	host_ip;	/* bound exactly; INADDR_ANY = 0.0.0.0 */
	uint16_t	host_port;	/* host byte order */
	struct in_addr	target_ip;	/* in the target namespace: 127.0.0.1
					   for network = none and container:
					   sharers, the address on a bridge */
	uint16_t	target_port;	/* host byte order */
	enum pub_proto	proto;
	unsigned	max_conn;	/* live connections / UDP sessions; 0 = 4096 */
	double		udp_idle;	/* seconds a UDP session lives idle; 0 = 30 */
};

/* What happened on a published port, since pub_open. */
struct pub_counts {
	uint64_t	live;		/* connections (UDP: sessions) open now */
	uint64_t	total;		/* connections (sessions) ever relayed */
	uint64_t	refused;	/* the target refused (TCP RST / ICMP) */
	uint64_t	over_limit;	/* reset (UDP: datagram dropped) at max_conn */
	uint64_t	errors;		/* anything else: accept or socket failure,
					   a failed connect, a dropped datagram */
};

struct pub;

/* 0, or -1 with *cause. Idempotent. */
int		 pub_init(char **cause);
/* Frees what pub_init and the relays kept; every pub must be closed. */
void		 pub_exit(void);
struct pub	*pub_open(const struct pub_spec *, int target_netns_fd,
		    char **cause);
void		 pub_close(struct pub *);
void		 pub_stats(const struct pub *, struct pub_counts *);
/* "0.0.0.0:8080/tcp", for messages; lives as long as the pub. */
const char	*pub_name(const struct pub *);

#endif

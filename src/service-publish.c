/* SPDX-License-Identifier: ISC */
/*
 * service-publish.c: a service's published ports (`publish`) while its
 * process lives -- src/publish.c's forwarder wired into the service's run.
 *
 * Each `publish` is bound when the process exists, in the gap between its
 * clone and its command (the child waits at spawn.c's gate, as for bridge
 * networks, after being plugged into them): the service's address is known,
 * its namespace exists. A bind that fails (the port taken, an address the
 * host lacks) fails that start, as docker fails a container's: the child is
 * let go to exit, the reason is the forwarder's (`publish
 * 0.0.0.0:8080/tcp: Address already in use`), the restart policy decides
 * what follows. Every port is closed when the process is reaped: a client
 * is then refused by the kernel (never left hanging) until the next start,
 * and the connections it had are reset.
 *
 * The target: the service's address on its first network when bridged,
 * else 127.0.0.1 in the namespace it runs in (network = none: its own;
 * container:NAME: the one it shares, which the sharer's process is in by
 * the time a client can connect).
 *
 * The forwarder (pub_init) is set up at the first publish, so a supd whose
 * services publish nothing never opens anything for it.
 */
#include <sys/types.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "publish.h"
#include "service-private.h"

static bool	pub_ready;	/* pub_init done */

/* The spec of sc's publish entry i, its target tgt. */
static void
spec_of(const struct svc_conf *sc, size_t i, struct in_addr tgt,
    struct pub_spec *sp)
{
	const struct publish_conf *pc = &sc->iso.publish[i];

	*sp = (struct pub_spec){ .host_ip = pc->host_addr,
	    .host_port = pc->host_port, .target_ip = tgt,
	    .target_port = pc->port,
	    .proto = pc->proto == IPPROTO_UDP ? PUB_UDP : PUB_TCP,
	    .max_conn = sc->iso.publish_max_conn };
}

/* Where the service is reached, in its namespace. */
static int
target_of(const struct service *s, struct in_addr *tgt, char **cause)
{
	if (s->conf->iso.net == NET_BRIDGE && s->conf->iso.nets != NULL)
		return svc_net_addr(s, tgt, cause);
	tgt->s_addr = htonl(INADDR_LOOPBACK);
	return 0;
}

int
svc_pub_open(struct service *s, pid_t netns_pid, char **cause)
{
	const struct svc_conf	*sc = s->conf;
	struct pub_spec		 sp;
	struct in_addr		 tgt;
	char			 path[64];
	size_t			 i;
	int			 fd;

	if (sc->iso.npublish == 0)
		return 0;
	if (!pub_ready && pub_init(cause) == -1)
		return -1;
	pub_ready = true;
	if (target_of(s, &tgt, cause) == -1)
		return -1;
	snprintf(path, sizeof path, "/proc/%d/ns/net", (int)netns_pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		*cause = errno_cause("publish: network namespace");
		return -1;
	}
	s->pubs = xcalloc(sc->iso.npublish, sizeof *s->pubs);
	for (i = 0; i < sc->iso.npublish; i++) {
		spec_of(sc, i, tgt, &sp);
		if ((s->pubs[i] = pub_open(&sp, fd, cause)) == NULL)
			break;
		s->npubs++;
	}
	close(fd);
	if (s->npubs == sc->iso.npublish)
		return 0;
	svc_pub_close(s);
	return -1;
}

void
svc_pub_close(struct service *s)
{
	size_t	i;

	for (i = 0; i < s->npubs; i++)
		pub_close(s->pubs[i]);
	free(s->pubs);
	s->pubs = NULL;
	s->npubs = 0;
}

/* "HOSTIP:HOSTPORT:PORT/PROTO": a `publish` as inspect and status show it. */
static void
spec_text(const struct publish_conf *pc, struct buf *b)
{
	char	ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &pc->host_addr, ip, sizeof ip);
	buf_printf(b, "%s:%u:%u/%s", ip, pc->host_port, pc->port,
	    pc->proto == IPPROTO_UDP ? "udp" : "tcp");
}

bool
svc_pub_bound(const struct service *s)
{
	/* A reload swaps the definition only once stopped. */
	return s->conf->iso.npublish > 0 && s->npubs == s->conf->iso.npublish;
}

void
svc_pub_list(const struct service *s, struct buf *b)
{
	size_t	i;

	for (i = 0; i < s->conf->iso.npublish; i++) {
		buf_puts(b, i ? " " : "");
		spec_text(&s->conf->iso.publish[i], b);
	}
}

/*
 * inspect: ,"published":[{"publish":"0.0.0.0:8080:80/tcp","bound":true,
 * "live":N,...}] -- counts while bound (since this run's start), nothing
 * for a service that publishes nothing.
 */
void
svc_pub_json(const struct service *s, struct buf *b)
{
	const struct svc_conf	*sc = s->conf;
	struct pub_counts	 n;
	size_t			 i;
	bool			 bound = svc_pub_bound(s);

	if (sc->iso.npublish == 0)
		return;
	buf_puts(b, ",\"published\":[");
	for (i = 0; i < sc->iso.npublish; i++) {
		buf_puts(b, i ? ",{\"publish\":\"" : "{\"publish\":\"");
		spec_text(&sc->iso.publish[i], b);
		buf_printf(b, "\",\"bound\":%s", bound ? "true" : "false");
		if (bound) {
			pub_stats(s->pubs[i], &n);
			buf_printf(b, ",\"live\":%llu,\"total\":%llu,"
			    "\"refused\":%llu,\"over_limit\":%llu,"
			    "\"errors\":%llu", (unsigned long long)n.live,
			    (unsigned long long)n.total,
			    (unsigned long long)n.refused,
			    (unsigned long long)n.over_limit,
			    (unsigned long long)n.errors);
		}
		buf_puts(b, "}");
	}
	buf_puts(b, "]");
}

void
svc_pub_end(void)
{
	if (pub_ready)
		pub_exit();
	pub_ready = false;
}

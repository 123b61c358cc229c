/* SPDX-License-Identifier: ISC */
/*
 * publish.c: the published-port forwarder (the contract is publish.h). It
 * owns the listening sockets of published ports, every relayed TCP
 * connection and UDP session, the spare pipes they share, and supd's own
 * network namespace fd (to come back to after a socket made in a
 * service's).
 *
 * TCP: each connection is two sockets (side 0 the client, side 1 the
 * service) and two directions; direction i carries side i to side !i through
 * a pipe with splice(2), so the bytes never enter supd's memory. The one
 * rule that bounds everything: side i is read only while direction i's pipe
 * is empty. A read fills the pipe, the pipe is spliced out at once, and what
 * the other side cannot take yet stays in the pipe while side i is left
 * unread (its EV_READ off) until the pipe drains (EV_WRITE on the other
 * side). A slow peer thus stalls only its own direction, with at most one
 * pipe's worth of data in flight, and no watcher is ever ready with nothing
 * to do. An empty pipe goes back to a small shared pool, so an idle
 * connection holds no pipe.
 *
 * Sockets in the target namespace: setns(target) around socket(), then
 * setns back (a socket keeps the namespace it was made in). Everything is
 * single-threaded in the loop, so nothing else runs in between.
 *
 * SIGPIPE must be ignored by the process (supd does): splice(2) has no
 * MSG_NOSIGNAL, and a write to a peer gone is an EPIPE we handle.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "log.h"
#include "publish.h"
#include "util.h"

#define PUB_MAX_CONN	4096	/* publish_max_conn's default */
#define PUB_UDP_IDLE	30.0	/* seconds */
#define ACCEPT_BURST	64	/* accepts per wake-up: others get their turn */
#define SPLICE_ROUNDS	16	/* pipe fills per direction per wake-up */
#define SPLICE_CHUNK	(1 << 20)	/* ask for more than a pipe holds */
#define PIPE_BYTES	(256 * 1024)	/* what a pipe holds when it can */
#define POOL_MAX	32	/* spare empty pipes kept for the next burst */
#define UDP_BURST	64	/* datagrams per wake-up per socket */
#define UDP_BUCKETS	256	/* hash chains of UDP sessions per port */
#define RESUME_SECS	0.1	/* accept paused at EMFILE retries after */
#define SPARE_BATCH	4	/* target sockets made per pair of setns */

struct pub_dir {
	int	 p[2];		/* pipe, or -1 -1: none held */
	size_t	 cap;		/* what it holds */
	size_t	 inpipe;	/* bytes in the pipe */
	bool	 eof;		/* the source side sent its FIN */
	bool	 shut;		/* ... and it was passed on (SHUT_WR) */
};

struct pub_side {
	int	 fd;
	ev_io	 r;		/* readable: feeds the direction out of it */
	ev_io	 w;		/* writable: drains the direction into it
				   (side 1: also the connect's end) */
};

struct pub_conn {
	struct pub	*pub;
	struct pub_conn	*prev, *next;
	struct pub_side	 side[2];	/* 0 the client, 1 the service */
	struct pub_dir	 dir[2];	/* dir[i]: side[i] -> side[!i] */
	bool		 connecting;	/* side 1's connect in progress */
};

struct pub_sess {
	struct pub		*pub;
	struct pub_sess		*next;		/* in its hash chain */
	struct sockaddr_in	 peer;		/* the client */
	int			 fd;		/* in the target namespace,
						   connected to the target */
	ev_io			 r;
	ev_timer		 idle;		/* re-armed lazily from last */
	ev_tstamp		 last;		/* a datagram either way */
};

struct pub {
	struct pub_spec		 spec;
	struct sockaddr_in	 target;	/* spec's target, as connect's */
	char			 name[48];	/* 0.0.0.0:8080/tcp */
	int			 fd;		/* the host-side socket */
	int			 netns;		/* the target's, or -1: ours */
	ev_io			 listen_w;
	ev_timer		 resume_w;	/* accept paused at EMFILE */
	struct pub_conn		*conns;		/* TCP */
	struct pub_sess		**buckets;	/* UDP, UDP_BUCKETS chains */
	struct pub_counts	 n;
	/* TCP sockets made in the target's namespace, not used yet */
	int			 spare[SPARE_BATCH];
	int			 nspare;
};

static int	self_ns = -1;		/* supd's own network namespace */
static struct pub_pipe {
	int	p[2];
	size_t	cap;
}		pool[POOL_MAX];		/* spare empty pipes */
static int	npool;
static char	dgram[65536];		/* one UDP datagram in transit */

/* ---- sockets and pipes ------------------------------------------------ */

/* Close with an RST instead of a FIN: what a peer sees of a reset. */
static void
sock_reset(int fd)
{
	struct linger	l = { .l_onoff = 1, .l_linger = 0 };

	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
	close(fd);
}

/* Back to supd's own namespace. Cannot fail: the fd is of the namespace
 * we were in a moment ago. */
static void
ns_return(void)
{
	if (setns(self_ns, CLONE_NEWNET) == -1)
		log_errx("publish: cannot return to supd's network namespace: %s",
		    strerror(errno));
}

/* A socket made in netns (-1: ours). */
static int
ns_socket(int netns, int type)
{
	int	fd, saved;

	type |= SOCK_NONBLOCK | SOCK_CLOEXEC;
	if (netns == -1)
		return socket(AF_INET, type, 0);
	if (setns(netns, CLONE_NEWNET) == -1)
		return -1;
	fd = socket(AF_INET, type, 0);
	saved = errno;
	ns_return();
	errno = saved;
	return fd;
}

/*
 * A TCP socket toward the target, TCP_NODELAY on (a relay must not hold
 * back the small segments the peers sent). In another namespace they are
 * made SPARE_BATCH at a time, one pair of setns(2) for the lot: the spares
 * wait in p->spare until pub_close (each holds the namespace, which lives
 * no longer than the service's process anyway: pub_close comes first).
 */
static int
target_socket(struct pub *p)
{
	int	fd, one = 1;

	if (p->nspare == 0 && p->netns != -1 &&
	    setns(p->netns, CLONE_NEWNET) == 0) {
		while (p->nspare < SPARE_BATCH && (fd = socket(AF_INET,
		    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0)) != -1)
			p->spare[p->nspare++] = fd;
		ns_return();
	}
	if (p->nspare > 0)
		fd = p->spare[--p->nspare];
	else if ((fd = ns_socket(p->netns, SOCK_STREAM)) == -1)
		return -1;
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

static void
pipe_get(struct pub_dir *d)
{
	int	cap;

	if (d->p[0] != -1)
		return;
	if (npool > 0) {
		npool--;
		d->p[0] = pool[npool].p[0];
		d->p[1] = pool[npool].p[1];
		d->cap = pool[npool].cap;
		return;
	}
	if (pipe2(d->p, O_NONBLOCK | O_CLOEXEC) == -1) {
		d->p[0] = d->p[1] = -1;
		return;
	}
	/* Fewer wake-ups per byte. Refused (the user's pipe pages are
	 * spent), the pipe keeps what it got: ask what that is. */
	if ((cap = fcntl(d->p[0], F_SETPIPE_SZ, PIPE_BYTES)) == -1)
		cap = fcntl(d->p[0], F_GETPIPE_SZ);
	d->cap = cap > 0 ? (size_t)cap : 4096;
}

/* Give a pipe back; one still holding data is closed with it. */
static void
pipe_put(struct pub_dir *d)
{
	if (d->p[0] == -1)
		return;
	if (d->inpipe == 0 && npool < POOL_MAX) {
		pool[npool].p[0] = d->p[0];
		pool[npool].p[1] = d->p[1];
		pool[npool].cap = d->cap;
		npool++;
	} else {
		close(d->p[0]);
		close(d->p[1]);
	}
	d->p[0] = d->p[1] = -1;
	d->inpipe = 0;
}

/* ---- TCP connections -------------------------------------------------- */

static void	side_read_cb(EV_P_ ev_io *, int);
static void	side_write_cb(EV_P_ ev_io *, int);

/* End a connection: reset = an RST to both sides, else an orderly close. */
static void
conn_end(struct pub_conn *c, bool reset)
{
	struct pub	*p = c->pub;
	int		 i;

	for (i = 0; i < 2; i++) {
		ev_io_stop(EV_DEFAULT_UC_ &c->side[i].r);
		ev_io_stop(EV_DEFAULT_UC_ &c->side[i].w);
		if (reset)
			sock_reset(c->side[i].fd);
		else
			close(c->side[i].fd);
		pipe_put(&c->dir[i]);
	}
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		p->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	p->n.live--;
	free(c);
}

/* Pass direction i's EOF on; -1 when that ended the connection. The
 * second direction's FIN is the close itself: both sockets have nothing
 * left unread then, so close() sends a FIN, never an RST. */
static int
dir_shut(struct pub_conn *c, int i)
{
	if (c->dir[!i].shut) {
		conn_end(c, false);
		return -1;
	}
	(void)shutdown(c->side[!i].fd, SHUT_WR);
	c->dir[i].shut = true;
	pipe_put(&c->dir[i]);
	return 0;
}

/*
 * Splice direction i's pipe out to side !i. 0 when the connection lives on
 * (the pipe empty, or side !i full and its EV_WRITE on), -1 when it ended.
 */
static int
dir_flush(struct pub_conn *c, int i)
{
	struct pub_dir	*d = &c->dir[i];
	struct pub_side	*from = &c->side[i], *to = &c->side[!i];
	ssize_t		 n;

	while (d->inpipe > 0) {
		n = splice(d->p[0], NULL, to->fd, NULL, d->inpipe,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n > 0) {
			d->inpipe -= (size_t)n;
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			ev_io_stop(EV_DEFAULT_UC_ &from->r);
			ev_io_start(EV_DEFAULT_UC_ &to->w);
			return 0;
		}
		/* EPIPE, ECONNRESET: side !i is gone; the reset passes on. */
		conn_end(c, true);
		return -1;
	}
	ev_io_stop(EV_DEFAULT_UC_ &to->w);
	if (d->eof)
		return dir_shut(c, i);
	ev_io_start(EV_DEFAULT_UC_ &from->r);
	return 0;
}

/* Move what side i has to side !i, a bounded number of pipefuls. */
static void
dir_pump(struct pub_conn *c, int i)
{
	struct pub_dir	*d = &c->dir[i];
	ssize_t		 n;
	int		 round;

	for (round = 0; round < SPLICE_ROUNDS; round++) {
		pipe_get(d);
		if (d->p[0] == -1) {	/* no fd for a pipe: give up on it */
			c->pub->n.errors++;
			conn_end(c, true);
			return;
		}
		n = splice(c->side[i].fd, NULL, d->p[1], NULL, SPLICE_CHUNK,
		    SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n > 0) {
			d->inpipe += (size_t)n;
			if (dir_flush(c, i) == -1 || d->inpipe > 0)
				return;
			/* Less than the pipe holds: the socket had no more. Asking again would only read EAGAIN; if
			 * more came meanwhile, the level-triggered watcher
			 * says so at the next turn. */
			if ((size_t)n < d->cap)
				break;
			continue;
		}
		if (n == 0) {		/* FIN: half-close passes through */
			d->eof = true;
			ev_io_stop(EV_DEFAULT_UC_ &c->side[i].r);
			dir_shut(c, i);
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {	/* ECONNRESET: the reset passes on */
			conn_end(c, true);
			return;
		}
		break;
	}
	pipe_put(d);
}

static void
side_read_cb(EV_P_ ev_io *w, int revents)
{
	struct pub_conn	*c = w->data;

	(void)loop;
	(void)revents;
	dir_pump(c, w == &c->side[1].r);
}

/* Connected: relay both ways. A client's first bytes (a request) are
 * usually waiting already: move them now rather than a loop turn later. */
static void
conn_relay(struct pub_conn *c)
{
	ev_io_start(EV_DEFAULT_UC_ &c->side[0].r);
	ev_io_start(EV_DEFAULT_UC_ &c->side[1].r);
	dir_pump(c, 0);
}

/*
 * Has the service side's connect ended? A second connect() answers in one
 * call: 0 (or EISCONN) connected, EALREADY still going, else the error the
 * handshake met. Connected: relay; failed: reset the client.
 */
static void
conn_connected(struct pub_conn *c)
{
	const struct sockaddr_in	*sin = &c->pub->target;

	if (connect(c->side[1].fd, (const struct sockaddr *)sin,
	    sizeof *sin) == -1 && errno != EISCONN) {
		if (errno == EALREADY || errno == EINPROGRESS ||
		    errno == EINTR) {
			ev_io_start(EV_DEFAULT_UC_ &c->side[1].w);
			return;
		}
		if (errno == ECONNREFUSED)
			c->pub->n.refused++;
		else
			c->pub->n.errors++;
		conn_end(c, true);
		return;
	}
	c->connecting = false;
	ev_io_stop(EV_DEFAULT_UC_ &c->side[1].w);
	conn_relay(c);
}

static void
side_write_cb(EV_P_ ev_io *w, int revents)
{
	struct pub_conn	*c = w->data;
	int		 s = w == &c->side[1].w;

	(void)loop;
	(void)revents;
	if (c->connecting)
		conn_connected(c);
	else
		dir_flush(c, !s);	/* the direction into side s */
}

static struct pub_conn *
conn_new(struct pub *p, int cfd, int sfd)
{
	struct pub_conn	*c = xcalloc(1, sizeof *c);
	int		 i, fd[2] = { cfd, sfd };

	c->pub = p;
	for (i = 0; i < 2; i++) {
		c->side[i].fd = fd[i];
		ev_io_init(&c->side[i].r, side_read_cb, fd[i], EV_READ);
		ev_io_init(&c->side[i].w, side_write_cb, fd[i], EV_WRITE);
		c->side[i].r.data = c->side[i].w.data = c;
		c->dir[i].p[0] = c->dir[i].p[1] = -1;
	}
	c->next = p->conns;
	if (p->conns != NULL)
		p->conns->prev = c;
	p->conns = c;
	p->n.live++;
	p->n.total++;
	return c;
}

/* A client accepted: its service-side socket, connected in the target.
 * TCP_NODELAY is on the client's socket already: accept(2) copies it from
 * the listening socket. */
static void
conn_start(struct pub *p, int cfd)
{
	struct pub_conn	*c;
	int		 sfd;

	if ((sfd = target_socket(p)) == -1) {
		p->n.errors++;
		sock_reset(cfd);
		return;
	}
	c = conn_new(p, cfd, sfd);
	if (connect(sfd, (struct sockaddr *)&p->target, sizeof p->target) ==
	    0) {
		conn_relay(c);
	} else if (errno == EINPROGRESS || errno == EINTR) {
		/* On loopback and a local bridge the handshake is usually
		 * done by now: asking at once saves a loop turn. */
		c->connecting = true;
		conn_connected(c);
	} else {
		if (errno == ECONNREFUSED)
			p->n.refused++;
		else
			p->n.errors++;
		conn_end(c, true);
	}
}

static void
resume_cb(EV_P_ ev_timer *w, int revents)
{
	struct pub	*p = w->data;

	(void)revents;
	ev_io_start(EV_A_ &p->listen_w);
}

static void
tcp_accept_cb(EV_P_ ev_io *w, int revents)
{
	struct pub	*p = w->data;
	int		 fd, i;

	(void)revents;
	for (i = 0; i < ACCEPT_BURST; i++) {
		fd = accept4(p->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EAGAIN)
				return;
			/* EMFILE, ENFILE, ENOBUFS, ENOMEM: the queue waits. */
			p->n.errors++;
			ev_io_stop(EV_A_ w);
			ev_timer_set(&p->resume_w, RESUME_SECS, 0);
			ev_timer_start(EV_A_ &p->resume_w);
			return;
		}
		if (p->n.live >= p->spec.max_conn) {
			p->n.over_limit++;
			sock_reset(fd);
			continue;
		}
		conn_start(p, fd);
	}
}

/* ---- UDP sessions ----------------------------------------------------- */

static struct pub_sess **
sess_chain(struct pub *p, const struct sockaddr_in *peer)
{
	uint32_t	h = peer->sin_addr.s_addr ^
			    ((uint32_t)peer->sin_port * 2654435761u);

	return &p->buckets[(h ^ (h >> 16)) % UDP_BUCKETS];
}

static void
sess_free(struct pub_sess *s)
{
	struct pub_sess	**pp = sess_chain(s->pub, &s->peer);

	while (*pp != s)
		pp = &(*pp)->next;
	*pp = s->next;
	ev_io_stop(EV_DEFAULT_UC_ &s->r);
	ev_timer_stop(EV_DEFAULT_UC_ &s->idle);
	close(s->fd);
	s->pub->n.live--;
	free(s);
}

/* Lazily re-armed: a datagram only stamps s->last. */
static void
sess_idle_cb(EV_P_ ev_timer *w, int revents)
{
	struct pub_sess	*s = w->data;
	ev_tstamp	 left = s->last + s->pub->spec.udp_idle - ev_now(EV_A);

	(void)revents;
	if (left > 0) {
		ev_timer_set(w, left, 0);
		ev_timer_start(EV_A_ w);
		return;
	}
	sess_free(s);
}

/* The target's answers, back to the client from the published port. */
static void
sess_read_cb(EV_P_ ev_io *w, int revents)
{
	struct pub_sess	*s = w->data;
	struct pub	*p = s->pub;
	ssize_t		 n;
	int		 i;

	(void)revents;
	for (i = 0; i < UDP_BURST; i++) {
		n = recv(s->fd, dgram, sizeof dgram, 0);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			if (errno == ECONNREFUSED) {	/* ICMP from the target */
				p->n.refused++;
				continue;
			}
			p->n.errors++;
			return;
		}
		s->last = ev_now(EV_A);
		if (sendto(p->fd, dgram, (size_t)n, 0,
		    (struct sockaddr *)&s->peer, sizeof s->peer) == -1)
			p->n.errors++;	/* dropped, as the network may */
	}
}

static struct pub_sess *
sess_new(struct pub *p, const struct sockaddr_in *peer)
{
	struct pub_sess		*s, **chain;
	int			 fd;

	if (p->n.live >= p->spec.max_conn) {
		p->n.over_limit++;
		return NULL;
	}
	if ((fd = ns_socket(p->netns, SOCK_DGRAM)) == -1 ||
	    connect(fd, (struct sockaddr *)&p->target, sizeof p->target) ==
	    -1) {
		if (fd != -1)
			close(fd);
		p->n.errors++;
		return NULL;
	}
	s = xcalloc(1, sizeof *s);
	s->pub = p;
	s->peer = *peer;
	s->fd = fd;
	s->last = ev_now(EV_DEFAULT_UC);
	ev_io_init(&s->r, sess_read_cb, fd, EV_READ);
	ev_timer_init(&s->idle, sess_idle_cb, p->spec.udp_idle, 0);
	s->r.data = s->idle.data = s;
	ev_io_start(EV_DEFAULT_UC_ &s->r);
	ev_timer_start(EV_DEFAULT_UC_ &s->idle);
	chain = sess_chain(p, peer);
	s->next = *chain;
	*chain = s;
	p->n.live++;
	p->n.total++;
	return s;
}

/* A client's datagrams, each to its session's socket. */
static void
udp_recv_cb(EV_P_ ev_io *w, int revents)
{
	struct pub		*p = w->data;
	struct pub_sess		*s;
	struct sockaddr_in	 from;
	socklen_t		 len;
	ssize_t			 n;
	int			 i;

	(void)revents;
	for (i = 0; i < UDP_BURST; i++) {
		len = sizeof from;
		n = recvfrom(p->fd, dgram, sizeof dgram, 0,
		    (struct sockaddr *)&from, &len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				p->n.errors++;
			return;
		}
		if (len != sizeof from || from.sin_family != AF_INET)
			continue;
		for (s = *sess_chain(p, &from); s != NULL; s = s->next)
			if (s->peer.sin_addr.s_addr == from.sin_addr.s_addr &&
			    s->peer.sin_port == from.sin_port)
				break;
		if (s == NULL && (s = sess_new(p, &from)) == NULL)
			continue;
		s->last = ev_now(EV_A);
		if (send(s->fd, dgram, (size_t)n, 0) == -1) {
			if (errno == ECONNREFUSED)
				p->n.refused++;
			else
				p->n.errors++;
		}
	}
}

/* ---- the published port ----------------------------------------------- */

int
pub_init(char **cause)
{
	if (self_ns != -1)
		return 0;
	self_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self_ns == -1) {
		*cause = errno_cause("publish: /proc/self/ns/net");
		return -1;
	}
	return 0;
}

void
pub_exit(void)
{
	while (npool > 0) {
		npool--;
		close(pool[npool].p[0]);
		close(pool[npool].p[1]);
	}
	if (self_ns != -1)
		close(self_ns);
	self_ns = -1;
}

/* The target's namespace to enter into *out, -1 when it is ours already;
 * -1 with *cause when it cannot be kept. */
static int
target_ns(const struct pub *p, int fd, int *out, char **cause)
{
	struct stat	a, b;

	*out = -1;
	if (fd == -1)
		return 0;
	if (fstat(fd, &a) == 0 && fstat(self_ns, &b) == 0 &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return 0;
	if ((*out = fcntl(fd, F_DUPFD_CLOEXEC, 3)) == -1) {
		*cause = errno_cause("publish %s: network namespace", p->name);
		return -1;
	}
	return 0;
}

/* Bind and listen; -1 with *cause, nothing left open. */
static int
pub_listen(struct pub *p, char **cause)
{
	struct sockaddr_in	sin = {
		.sin_family = AF_INET,
		.sin_addr = p->spec.host_ip,
		.sin_port = htons(p->spec.host_port),
	};
	bool			tcp = p->spec.proto == PUB_TCP;
	int			one = 1;

	p->fd = socket(AF_INET, (tcp ? SOCK_STREAM : SOCK_DGRAM) |
	    SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	/* TCP: bind again over TIME_WAIT after a restart. Not UDP, where
	 * SO_REUSEADDR would let two sockets share the port silently. */
	if (p->fd == -1 || (tcp && setsockopt(p->fd, SOL_SOCKET,
	    SO_REUSEADDR, &one, sizeof one) == -1) ||
	    (tcp && setsockopt(p->fd, IPPROTO_TCP, TCP_NODELAY, &one,
	    sizeof one) == -1) ||
	    bind(p->fd, (struct sockaddr *)&sin, sizeof sin) == -1 ||
	    (tcp && listen(p->fd, SOMAXCONN) == -1)) {
		*cause = errno_cause("publish %s", p->name);
		if (p->fd != -1)
			close(p->fd);
		return -1;
	}
	return 0;
}

struct pub *
pub_open(const struct pub_spec *spec, int target_netns_fd, char **cause)
{
	struct pub	*p = xcalloc(1, sizeof *p);
	char		 ip[INET_ADDRSTRLEN];

	p->spec = *spec;
	p->target.sin_family = AF_INET;
	p->target.sin_addr = spec->target_ip;
	p->target.sin_port = htons(spec->target_port);
	if (p->spec.max_conn == 0)
		p->spec.max_conn = PUB_MAX_CONN;
	if (p->spec.udp_idle <= 0)
		p->spec.udp_idle = PUB_UDP_IDLE;
	inet_ntop(AF_INET, &spec->host_ip, ip, sizeof ip);
	snprintf(p->name, sizeof p->name, "%s:%u/%s", ip, spec->host_port,
	    spec->proto == PUB_TCP ? "tcp" : "udp");
	if (self_ns == -1) {
		*cause = xasprintf("publish %s: pub_init was not called",
		    p->name);
		free(p);
		return NULL;
	}
	if (target_ns(p, target_netns_fd, &p->netns, cause) == -1 ||
	    pub_listen(p, cause) == -1) {
		if (p->netns != -1)
			close(p->netns);
		free(p);
		return NULL;
	}
	if (spec->proto == PUB_TCP) {
		ev_io_init(&p->listen_w, tcp_accept_cb, p->fd, EV_READ);
		/* Connections first, new clients after, in one loop turn:
		 * a relayed FIN (a server waiting for it to take its next
		 * client) must not wait behind accepts, and a flood of
		 * connects must not delay the bytes of those already in. */
		ev_set_priority(&p->listen_w, EV_MINPRI);
	} else {
		ev_io_init(&p->listen_w, udp_recv_cb, p->fd, EV_READ);
		p->buckets = xcalloc(UDP_BUCKETS, sizeof *p->buckets);
	}
	ev_timer_init(&p->resume_w, resume_cb, RESUME_SECS, 0);
	p->listen_w.data = p->resume_w.data = p;
	ev_io_start(EV_DEFAULT_UC_ &p->listen_w);
	return p;
}

void
pub_close(struct pub *p)
{
	int	i;

	if (p == NULL)
		return;
	ev_io_stop(EV_DEFAULT_UC_ &p->listen_w);
	ev_timer_stop(EV_DEFAULT_UC_ &p->resume_w);
	close(p->fd);
	while (p->conns != NULL)
		conn_end(p->conns, true);
	while (p->nspare > 0)
		close(p->spare[--p->nspare]);
	if (p->buckets != NULL) {
		for (i = 0; i < UDP_BUCKETS; i++)
			while (p->buckets[i] != NULL)
				sess_free(p->buckets[i]);
		free(p->buckets);
	}
	if (p->netns != -1)
		close(p->netns);
	free(p);
}

void
pub_stats(const struct pub *p, struct pub_counts *out)
{
	*out = p->n;
}

const char *
pub_name(const struct pub *p)
{
	return p->name;
}

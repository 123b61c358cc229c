/* SPDX-License-Identifier: ISC */
/*
 * ctl.c: the control socket server's connections.
 *
 * Non-blocking from accept to the last byte: each client has a read state
 * (header, then payload, both bounded by proto.h), an output buffer drained
 * by a write watcher, and a deadline while it owes us bytes or will not take
 * ours. The peer is checked (ctl-peer.c) before anything is read; a request
 * read whole goes to the one dispatcher (ctl-verbs.c); an attached client's
 * frames go to ctl-follow.c. This file owns the list of clients, and the
 * limits that keep a flood of them from taking supd down: at most
 * CTL_MAX_CLIENTS, out of fds handled without spinning.
 *
 * A client whose request cannot complete at once (start/stop with wait,
 * logs -f, exec, attach) stays in the list and is woken by ctl_changed()
 * or by its service's log.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "ctl-private.h"
#include "log.h"
#include "proto.h"

#define CTL_MAX_CLIENTS		512
#define CTL_REQ_TIMEOUT		5.0	/* s to send a whole request */
#define CTL_WRITE_TIMEOUT	10.0	/* s without taking any reply byte */
#define CTL_MAX_OUT		(4 * 1024 * 1024)	/* queued reply bytes */

static int		 listen_fd = -1;
static ev_io		 listen_w;
static char		*sock_path;
static struct client	*clients;
static unsigned		 nclients;
static int		 spare_fd = -1;	/* given up to accept at EMFILE */
static ev_timer		 resume_w;	/* the listener paused at EMFILE */

struct client *
ctl_first_client(void)
{
	return clients;
}

unsigned
ctl_clients(void)
{
	return nclients;
}

/* The listener paused at EMFILE takes connections again. */
static void
listen_resume(void)
{
	if (listen_fd == -1 || ev_is_active(&listen_w))
		return;
	ev_timer_stop(EV_DEFAULT_UC_ &resume_w);
	if (spare_fd == -1)
		spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ev_io_start(EV_DEFAULT_UC_ &listen_w);
}

/* ---- output ------------------------------------------------------------- */

static void
tmo_cb(EV_P_ ev_timer *w, int revents)
{
	struct client	*c = w->data;

	(void)EV_A;
	(void)revents;
	if (c->state == C_EVENTS)
		ctl_warn_rate("control: events client dropped: it did not "
		    "read for 10 s");
	ctl_client_close(c);
}

void
ctl_client_deadline(struct client *c, double secs)
{
	ev_timer_stop(EV_DEFAULT_UC_ &c->tmo);
	if (secs > 0) {
		ev_timer_set(&c->tmo, secs, 0.);
		ev_timer_start(EV_DEFAULT_UC_ &c->tmo);
	}
}

/*
 * Output is written from the write watcher only, never from the code that
 * queued it, so no request handler or hook ever sees a client freed under
 * it. A closed client is freed from the write or read callback. The
 * watcher is fed an event too: it writes as soon as the callback that
 * queued the output returns, in the same loop turn, not one poll later
 * (a turn may hold a slice of the boot's starts, src/service.c).
 */
void
ctl_client_kick(struct client *c)
{
	if (c->out.len > 0 && !ev_is_active(&c->ww)) {
		ev_io_start(EV_DEFAULT_UC_ &c->ww);
		ev_feed_event(EV_DEFAULT_UC_ &c->ww, EV_WRITE);
		ctl_client_deadline(c, CTL_WRITE_TIMEOUT);
	}
}

void
ctl_client_end(struct client *c, int ok, const char *msg)
{
	proto_put_end(&c->out, ok, msg);
	c->state = C_DONE;
	ctl_client_kick(c);
}

static void
write_cb(EV_P_ ev_io *w, int revents)
{
	struct client	*c = w->data;
	ssize_t		 n;

	(void)EV_A;
	(void)revents;
	while (c->out.len > 0) {
		n = send(c->fd, c->out.p, c->out.len, MSG_NOSIGNAL);
		if (n > 0) {
			buf_consume(&c->out, n);
			/* Progress: the deadline starts again. */
			ctl_client_deadline(c, CTL_WRITE_TIMEOUT);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		ctl_client_close(c);	/* EPIPE, ECONNRESET: gone */
		return;
	}
	ev_io_stop(EV_DEFAULT_UC_ &c->ww);
	ctl_client_deadline(c, 0);
	if (c->state == C_DONE)
		ctl_client_close(c);
}

/* ---- input -------------------------------------------------------------- */

/*
 * recv() that also takes the fds a client passes (SCM_RIGHTS, with
 * PROTO_EXEC): at most PROTO_EXEC_FDS are kept, more are closed.
 */
static ssize_t
client_recv(struct client *c, void *p, size_t len)
{
	size_t	nfd;
	ssize_t	n;

	n = fd_recv(c->fd, p, len, c->fds + c->nfds, PROTO_EXEC_FDS - c->nfds,
	    &nfd);
	if (n > 0)
		c->nfds += nfd;
	return n;
}

static void
read_cb(EV_P_ ev_io *w, int revents)
{
	struct client	*c = w->data;
	const char	*e = NULL;
	ssize_t		 n;
	char		 scratch[256];

	(void)EV_A;
	(void)revents;
	if (c->state != C_READ && c->state != C_ATTACH) {
		/* Only EOF is expected now: the client left. */
		n = recv(c->fd, scratch, sizeof scratch, 0);
		if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR))
			ctl_client_close(c);
		return;
	}
	if (c->hdr_got < PROTO_HDR_SIZE) {
		n = client_recv(c, c->hdr + c->hdr_got,
		    PROTO_HDR_SIZE - c->hdr_got);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			ctl_client_close(c);
			return;
		}
		/* An attached client's frame, once begun, must end. */
		if (c->state == C_ATTACH && c->hdr_got == 0) {
			ev_timer_set(&c->frame_tmo, CTL_REQ_TIMEOUT, 0.);
			ev_timer_start(EV_DEFAULT_UC_ &c->frame_tmo);
		}
		c->hdr_got += n;
		if (c->hdr_got < PROTO_HDR_SIZE)
			return;
		if (proto_hdr_unpack(c->hdr, &c->h, &e) == -1 ||
		    (c->state == C_READ && c->h.type >= PROTO_REQ_MAX) ||
		    (c->state == C_ATTACH && c->h.type != PROTO_INPUT &&
		    c->h.type != PROTO_WINCH)) {
			ev_io_stop(EV_DEFAULT_UC_ &c->rw);
			if (c->state == C_ATTACH)
				ctl_stream_stop(c);
			ctl_client_end(c, 0, e != NULL ? e : "bad request");
			return;
		}
		c->payload = xmalloc(c->h.len + 1);
		c->pay_got = 0;
	}
	if (c->pay_got < c->h.len) {
		n = client_recv(c, c->payload + c->pay_got,
		    c->h.len - c->pay_got);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			ctl_client_close(c);
			return;
		}
		c->pay_got += n;
		if (c->pay_got < c->h.len)
			return;
	}
	c->payload[c->h.len] = '\0';
	if (c->state == C_ATTACH) {
		ev_timer_stop(EV_DEFAULT_UC_ &c->frame_tmo);
		ctl_attach_input(c);
		return;
	}
	ev_io_stop(EV_DEFAULT_UC_ &c->rw);
	ctl_request(c);
	/* Keep watching for EOF while waiting or following. */
	if (c->state == C_WAIT || c->state == C_FOLLOW ||
	    c->state == C_EXEC || c->state == C_ATTACH || c->state == C_EVENTS ||
	    c->state == C_IMAGE)
		ev_io_start(EV_DEFAULT_UC_ &c->rw);
}

/* ---- connections -------------------------------------------------------- */

/* One warning per second at most: a flood must not flood the log too. */
void
ctl_warn_rate(const char *msg)
{
	static uint64_t		last;
	static unsigned		suppressed;
	uint64_t		now = now_ms();	/* not ev_now: the wall clock */

	if (last != 0 && now - last < 1000) {
		suppressed++;
		return;
	}
	last = now;
	if (suppressed > 0)
		log_warnx("%s (and %u more)", msg, suppressed);
	else
		log_warnx("%s", msg);
	suppressed = 0;
}

/*
 * At the client limit a new connection takes the place of the oldest one
 * that is still sending its request: idle or trickling clients cannot lock
 * everybody out. Clients waiting or following have sent theirs and stay.
 */
static bool
evict_slowest(void)
{
	struct client	*c, *oldest = NULL;

	/* New clients are pushed at the head: the last match is the oldest. */
	for (c = clients; c != NULL; c = c->next)
		if (c->state == C_READ)
			oldest = c;
	if (oldest == NULL)
		return false;
	ctl_warn_rate("control: too many clients, dropped the oldest "
	    "unfinished request");
	ctl_client_close(oldest);
	return true;
}

static void
resume_cb(EV_P_ ev_timer *w, int revents)
{
	(void)EV_A;
	(void)w;
	(void)revents;
	listen_resume();
}

/*
 * Out of fds: take the waiting connection with the spare fd and drop it,
 * so the listener does not spin. Without a spare (it could not be opened
 * again), the listener pauses until a client leaves or a second passes:
 * either way the loop never spins on a connection it cannot take.
 */
static void
accept_at_limit(void)
{
	int	fd;

	ctl_warn_rate("control: out of file descriptors, connection dropped");
	if (spare_fd != -1) {
		close(spare_fd);
		if ((fd = accept(listen_fd, NULL, NULL)) != -1)
			close(fd);
		spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (spare_fd != -1)
			return;
	}
	ev_io_stop(EV_DEFAULT_UC_ &listen_w);
	ev_timer_stop(EV_DEFAULT_UC_ &resume_w);
	ev_timer_set(&resume_w, 1., 0.);
	ev_timer_start(EV_DEFAULT_UC_ &resume_w);
}

static void
accept_cb(EV_P_ ev_io *w, int revents)
{
	struct client	*c;
	struct ucred	 cred;
	const char	*why;
	char		*m;
	int		 fd;

	(void)EV_A;
	(void)revents;
	(void)w;
	fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1) {
		if (errno == EMFILE || errno == ENFILE)
			accept_at_limit();
		else if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("control: accept");
		return;
	}
	if (nclients >= CTL_MAX_CLIENTS && !evict_slowest()) {
		close(fd);
		ctl_warn_rate("control: too many clients, connection dropped");
		return;
	}
	c = xcalloc(1, sizeof *c);
	c->fd = fd;
	ev_io_init(&c->rw, read_cb, fd, EV_READ);
	ev_io_init(&c->ww, write_cb, fd, EV_WRITE);
	ev_timer_init(&c->tmo, tmo_cb, 0., 0.);
	ev_timer_init(&c->frame_tmo, tmo_cb, 0., 0.);
	c->rw.data = c->ww.data = c->tmo.data = c->frame_tmo.data = c;
	c->next = clients;
	if (clients != NULL)
		clients->prev = c;
	clients = c;
	nclients++;
	if ((c->access = ctl_peer_access(fd, &cred, &why)) == PEER_NONE) {
		m = xasprintf("control: refused uid %d gid %d pid %d: %s",
		    (int)cred.uid, (int)cred.gid, (int)cred.pid, why);
		ctl_warn_rate(m);
		free(m);
		ctl_client_end(c, 0, why == ctl_peer_no_fds ? why :
		    "permission denied");
		return;
	}
	ev_io_start(EV_DEFAULT_UC_ &c->rw);
	/* A client sends its request as it connects: read it in this
	 * turn (read_cb takes EAGAIN in its stride). */
	ev_feed_event(EV_DEFAULT_UC_ &c->rw, EV_READ);
	ctl_client_deadline(c, CTL_REQ_TIMEOUT);
}

void
ctl_client_close(struct client *c)
{
	ev_io_stop(EV_DEFAULT_UC_ &c->rw);
	ev_io_stop(EV_DEFAULT_UC_ &c->ww);
	ev_timer_stop(EV_DEFAULT_UC_ &c->tmo);
	ev_timer_stop(EV_DEFAULT_UC_ &c->frame_tmo);
	ctl_stream_stop(c);
	close(c->fd);
	while (c->nfds > 0)
		close(c->fds[--c->nfds]);
	/* An exec whose caller left is asked to end (the init forwards). */
	if (c->state == C_EXEC && c->exec_pid > 0)
		(void)kill(c->exec_pid, SIGTERM);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		clients = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	nclients--;
	listen_resume();	/* an fd is free again */
	free(c->payload);
	free(c->wait);
	strv_free(&c->failed);
	strv_free(&c->ev_names);
	buf_free(&c->out);
	free(c);
}

/* A socket path we may take: absent, or a stale socket nobody answers on. */
static int
ctl_claim_path(const char *path, char **cause)
{
	struct sockaddr_un	sun;
	struct stat		st;
	int			fd, r;

	if (lstat(path, &st) == -1)
		return errno == ENOENT ? 0 : (*cause = errno_cause("%s", path),
		    -1);
	if (!S_ISSOCK(st.st_mode)) {
		*cause = xasprintf("%s: exists and is not a socket", path);
		return -1;
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		*cause = errno_cause("socket");
		return -1;
	}
	r = connect(fd, (struct sockaddr *)&sun, sizeof sun);
	close(fd);
	if (r == 0) {
		*cause = xasprintf("%s: another supd is listening", path);
		return -1;
	}
	if (unlink(path) == -1) {
		*cause = errno_cause("%s", path);
		return -1;
	}
	return 0;
}

int
ctl_listen(const struct supd_conf *mc, char **cause)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	char			*copy, *dir;
	mode_t			 old;

	if (strlen(mc->socket) >= sizeof sun.sun_path) {
		*cause = xasprintf("%s: socket path too long", mc->socket);
		return -1;
	}
	copy = xstrdup(mc->socket);
	dir = dirname(copy);
	if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
		*cause = errno_cause("%s", dir);
		free(copy);
		return -1;
	}
	/* Anyone who may write the directory may replace the socket. */
	if (stat(dir, &st) == 0 && (st.st_mode & S_IWOTH) &&
	    !(st.st_mode & S_ISVTX)) {
		*cause = xasprintf("%s: directory is world-writable", dir);
		free(copy);
		return -1;
	}
	free(copy);
	if (ctl_claim_path(mc->socket, cause) == -1)
		return -1;
	if ((listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, 0)) == -1) {
		*cause = errno_cause("socket");
		return -1;
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", mc->socket);
	/* Created private, then opened up to socket_mode: never wider. */
	old = umask(0177);
	if (bind(listen_fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		umask(old);
		*cause = errno_cause("%s: bind", mc->socket);
		goto fail;
	}
	umask(old);
	sock_path = xstrdup(mc->socket);
	if (mc->socket_group != NULL && chown(mc->socket, -1,
	    mc->socket_gid) == -1) {
		*cause = errno_cause("%s: chown", mc->socket);
		goto fail;
	}
	if (chmod(mc->socket, mc->socket_mode) == -1) {
		*cause = errno_cause("%s: chmod", mc->socket);
		goto fail;
	}
	if (listen(listen_fd, SOMAXCONN) == -1) {
		*cause = errno_cause("%s: listen", mc->socket);
		goto fail;
	}
	ctl_peer_init(mc);
	spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ev_timer_init(&resume_w, resume_cb, 0., 0.);
	ev_io_init(&listen_w, accept_cb, listen_fd, EV_READ);
	ev_io_start(EV_DEFAULT_UC_ &listen_w);
	return 0;
fail:
	close(listen_fd);
	listen_fd = -1;
	if (sock_path != NULL) {
		unlink(sock_path);
		free(sock_path);
		sock_path = NULL;
	}
	return -1;
}

void
ctl_close(void)
{
	/* Last words (the reply to `shutdown`): one try, never a wait. */
	while (clients != NULL) {
		if (clients->out.len > 0)
			(void)send(clients->fd, clients->out.p,
			    clients->out.len, MSG_NOSIGNAL | MSG_DONTWAIT);
		ctl_client_close(clients);
	}
	if (listen_fd != -1) {
		ev_io_stop(EV_DEFAULT_UC_ &listen_w);
		ev_timer_stop(EV_DEFAULT_UC_ &resume_w);
		close(listen_fd);
		listen_fd = -1;
	}
	if (sock_path != NULL) {
		unlink(sock_path);
		free(sock_path);
		sock_path = NULL;
	}
	if (spare_fd != -1) {
		close(spare_fd);
		spare_fd = -1;
	}
}

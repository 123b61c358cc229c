/* SPDX-License-Identifier: ISC */
/*
 * ctl.c: the control socket server.
 *
 * Non-blocking from accept to the last byte: each client has a read state
 * (header, then payload, both bounded by proto.h), an output buffer drained
 * by a write watcher, and a deadline while it owes us bytes or will not take
 * ours. The peer is checked with SO_PEERCRED before anything is read. One
 * dispatcher switches on the request type: the verb set is closed.
 *
 * A client whose request cannot complete at once (start/stop with wait,
 * logs -f) stays in the list and is woken by ctl_changed() or by its
 * service's log.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>

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
#include "log.h"
#include "proto.h"
#include "service.h"
#include "svclog.h"
#include "values.h"

#define CTL_MAX_CLIENTS		512
#define CTL_REQ_TIMEOUT		5.0	/* s to send a whole request */
#define CTL_WRITE_TIMEOUT	10.0	/* s without taking any reply byte */
#define CTL_MAX_OUT		(4 * 1024 * 1024)	/* queued reply bytes */
/* logs -f followers and attached clients: at most this many (a new one
 * evicts the oldest), each dropped past this much queued output. */
#define CTL_MAX_STREAMS		64
#define CTL_MAX_STREAM_OUT	(1024 * 1024)

/* What a peer may do. */
enum peer_access {
	PEER_NONE,	/* refused */
	PEER_READ,	/* socket_group: status, inspect, logs */
	PEER_ALL,	/* root or supd's own uid */
};

enum client_state {
	C_READ,		/* reading the request */
	C_WAIT,		/* waiting for services to settle */
	C_FOLLOW,	/* streaming a log */
	C_EXEC,		/* waiting for an exec's command to end */
	C_ATTACH,	/* relaying a tty service's terminal */
	C_DONE,		/* reply queued; close once written */
};

struct client {
	int		 fd;
	enum client_state state;
	ev_io		 rw;		/* readable: request bytes, or EOF */
	ev_io		 ww;		/* writable: output pending */
	ev_timer	 tmo;		/* request or write deadline */
	ev_timer	 frame_tmo;	/* C_ATTACH: a frame begun must end */
	uint8_t		 hdr[PROTO_HDR_SIZE];
	size_t		 hdr_got;
	struct proto_hdr h;
	char		*payload;
	size_t		 pay_got;
	struct buf	 out;
	struct service	**wait;		/* C_WAIT: services not yet settled */
	size_t		 nwait;
	bool		 want_running;	/* C_WAIT: start/restart (or stop) */
	struct strv	 failed;	/* C_WAIT: what did not work */
	struct service	*follow;	/* C_FOLLOW */
	int		 fds[PROTO_EXEC_FDS]; /* passed with the request */
	int		 nfds;
	pid_t		 exec_pid;	/* C_EXEC: the exec process */
	enum peer_access access;	/* what it may ask */
	struct client	*prev, *next;
};

static int		 listen_fd = -1;
static ev_io		 listen_w;
static char		*sock_path;
static gid_t		 sock_gid;
static bool		 has_group;
static struct client	*clients;
static unsigned		 nclients;
static int		 spare_fd = -1;	/* given up to accept at EMFILE */
static ev_timer		 resume_w;	/* the listener paused at EMFILE */
static int		(*shutdown_fn)(const char *, const char **);

static void	client_close(struct client *);
static void	ctl_warn_rate(const char *);

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
static void	attach_cb(void *, const char *, size_t);
static void	attach_input(struct client *);

void
ctl_set_shutdown(int (*fn)(const char *, const char **))
{
	shutdown_fn = fn;
}

/* ---- output ------------------------------------------------------------- */

static void
tmo_cb(EV_P_ ev_timer *w, int revents)
{
	struct client	*c = w->data;

	(void)EV_A;
	(void)revents;
	client_close(c);
}

static void
client_deadline(struct client *c, double secs)
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
 * it. A closed client is freed from the write or read callback.
 */
static void
client_kick(struct client *c)
{
	if (c->out.len > 0 && !ev_is_active(&c->ww)) {
		ev_io_start(EV_DEFAULT_UC_ &c->ww);
		client_deadline(c, CTL_WRITE_TIMEOUT);
	}
}

static void
client_end(struct client *c, int ok, const char *msg)
{
	proto_put_end(&c->out, ok, msg);
	c->state = C_DONE;
	client_kick(c);
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
			client_deadline(c, CTL_WRITE_TIMEOUT);
			continue;
		}
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return;
		client_close(c);	/* EPIPE, ECONNRESET: gone */
		return;
	}
	ev_io_stop(EV_DEFAULT_UC_ &c->ww);
	client_deadline(c, 0);
	if (c->state == C_DONE)
		client_close(c);
}

static void
follow_cb(void *arg, const char *data, size_t len)
{
	struct client	*c = arg;
	size_t		 chunk;

	if (data == NULL) {		/* the service is gone */
		c->follow = NULL;
		client_end(c, 1, NULL);
		return;
	}
	if (c->out.len + len > CTL_MAX_STREAM_OUT) {
		/* A follower that does not keep up is dropped, not waited for. */
		ctl_warn_rate("control: a log follower or attached client that "
		    "does not read was dropped");
		client_close(c);
		return;
	}
	while (len > 0) {
		chunk = len < PROTO_MAX_PAYLOAD ? len : PROTO_MAX_PAYLOAD;
		proto_put_data(&c->out, PROTO_DATA, data, chunk);
		data += chunk;
		len -= chunk;
	}
	client_kick(c);
}

/*
 * c begins to stream (logs -f, attach): at CTL_MAX_STREAMS, the oldest
 * stream makes room -- followers that never leave cannot lock out new ones.
 */
static void
stream_admit(struct client *c)
{
	struct client	*o, *oldest = NULL;
	unsigned	 n = 0;

	for (o = clients; o != NULL; o = o->next)
		if (o != c && (o->state == C_FOLLOW || o->state == C_ATTACH)) {
			n++;
			oldest = o;	/* pushed at the head: last is oldest */
		}
	if (n < CTL_MAX_STREAMS || oldest == NULL)
		return;
	ctl_warn_rate("control: too many log followers and attached clients, "
	    "dropped the oldest");
	client_close(oldest);
}

/* ---- waiting for services --------------------------------------------- */

/* Drop settled services from c's wait set; reply when none is left. */
static void
client_check_wait(struct client *c)
{
	struct buf	 msg = { 0 };
	size_t		 i = 0;
	bool		 ok;

	while (i < c->nwait) {
		struct service *s = c->wait[i];

		if (!svc_settled(s, c->want_running, &ok)) {
			i++;
			continue;
		}
		if (!ok) {
			const char *r = svc_reason(s);

			strv_take(&c->failed, r != NULL && *r != '\0' ?
			    xasprintf("%s: %s (%s)", svc_name(s),
			    svc_state_name(svc_state(s)), r) :
			    xasprintf("%s: %s", svc_name(s),
			    svc_state_name(svc_state(s))));
		}
		c->wait[i] = c->wait[--c->nwait];
	}
	if (c->nwait > 0)
		return;
	for (i = 0; i < c->failed.n; i++) {
		buf_puts(&msg, i ? "\n" : "");
		buf_puts(&msg, c->failed.v[i]);
	}
	client_end(c, c->failed.n == 0, msg.p);
	buf_free(&msg);
}

void
ctl_changed(struct service *s)
{
	struct client	*c, *next;
	size_t		 i;

	for (c = clients; c != NULL; c = next) {
		next = c->next;
		if (c->state == C_ATTACH && c->follow == s &&
		    svc_state(s) != SVC_RUNNING) {
			/* The service ended: so does the session. */
			svclog_untap(svc_log(s), attach_cb, c);
			c->follow = NULL;
			client_end(c, 1, NULL);
			continue;
		}
		if (c->state != C_WAIT)
			continue;
		for (i = 0; i < c->nwait; i++)
			if (c->wait[i] == s)
				break;
		if (i < c->nwait)
			client_check_wait(c);
	}
}

void
ctl_gone(struct service *s)
{
	struct client	*c, *next;
	size_t		 i;

	for (c = clients; c != NULL; c = next) {
		next = c->next;
		if (c->state == C_WAIT) {
			for (i = 0; i < c->nwait; i++)
				if (c->wait[i] == s) {
					c->wait[i] = c->wait[--c->nwait];
					if (c->want_running)
						strv_take(&c->failed,
						    xasprintf("%s: removed",
						    svc_name(s)));
					client_check_wait(c);
					break;
				}
		}
	}
}

/* ---- requests ----------------------------------------------------------- */

/*
 * "no such service: NAME", with NAME cut to 100 bytes and anything but
 * printable ASCII shown as \ooo: a name from a client must not forge a
 * second line or a terminal escape in the reply or in supd's log.
 */
static char *
no_such(const char *name)
{
	struct buf	b = { 0 };
	size_t		i;

	buf_puts(&b, "no such service: ");
	for (i = 0; name[i] != '\0' && i < 100; i++) {
		unsigned char ch = name[i];

		if (ch < 0x20 || ch >= 0x7f || ch == '\\')
			buf_printf(&b, "\\%03o", ch);
		else
			buf_add(&b, &name[i], 1);
	}
	return b.p;
}

/* The position of the service named in the registry (name order), or -1. */
static ssize_t
name_index(const char *name)
{
	size_t	lo = 0, hi = svc_count(), mid;
	int	r;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((r = strcmp(name, svc_name(svc_at(mid)))) == 0)
			return mid;
		if (r < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

/*
 * Resolve names ("all" = every service) into c->wait, each service once
 * whatever the names repeat, in the order first named: c->wait never holds
 * more than svc_count() entries. On an unknown name reply with an error and
 * return -1.
 */
static int
resolve_names(struct client *c, char **names, size_t n)
{
	size_t	 i, j, count = svc_count();
	bool	*seen;
	ssize_t	 k;

	if (n == 0) {
		client_end(c, 0, "no service named");
		return -1;
	}
	seen = xcalloc(count + 1, sizeof *seen);
	c->wait = xcalloc(count + 1, sizeof *c->wait);
	for (i = 0; i < n; i++) {
		if (strcmp(names[i], "all") == 0) {
			for (j = 0; j < count; j++)
				if (!seen[j]) {
					seen[j] = true;
					c->wait[c->nwait++] = svc_at(j);
				}
			continue;
		}
		if ((k = name_index(names[i])) == -1) {
			char *m = no_such(names[i]);

			client_end(c, 0, m);
			free(m);
			c->nwait = 0;
			free(seen);
			return -1;
		}
		if (!seen[k]) {
			seen[k] = true;
			c->wait[c->nwait++] = svc_at(k);
		}
	}
	free(seen);
	return 0;
}

/* The service named, or NULL after replying "no such service". */
static struct service *
find_or_end(struct client *c, const char *name)
{
	struct service	*s;
	char		*m;

	if ((s = svc_find(name)) == NULL) {
		m = no_such(name);
		client_end(c, 0, m);
		free(m);
	}
	return s;
}

static void
req_status(struct client *c, char **v, size_t n)
{
	struct proto_status	st;
	struct service		*s;
	size_t			 i;

	if (n > 0 && resolve_names(c, v, n) == -1)
		return;
	if (n == 0)
		for (i = 0; i < svc_count(); i++) {
			svc_status(svc_at(i), &st);
			proto_status_pack(&c->out, &st);
		}
	else {
		for (i = 0; i < c->nwait; i++) {
			s = c->wait[i];
			svc_status(s, &st);
			proto_status_pack(&c->out, &st);
		}
		c->nwait = 0;
	}
	client_end(c, 1, NULL);
}

#ifdef SUPD_TEST_FAULTS
/*
 * Test builds only. The Makefile compiles this file a second time with
 * -DSUPD_TEST_FAULTS into $(B)/supd-faults, which only the crash tests run;
 * the supd of `make`, `make run` and `make install` has no such code, and
 * no environment variable or request can reach it there. `supctl start
 * supd-fault:null` makes supd dereference NULL right here, in its event
 * loop: a real fault of supd's own, not a signal sent from outside. A
 * service name never holds ':', so no real service is ever taken for it.
 */
/* No sanitizer may stand in for the fault: UBSan would end supd with a
 * report of its own, where this test needs the kernel's SIGSEGV. */
static void __attribute__((no_sanitize("address", "undefined")))
test_fault(char *const *names, size_t n)
{
	static int *volatile	nowhere;	/* NULL, unknown to the compiler */
	size_t			i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], "supd-fault:null") == 0) {
			log_info("test fault: dereferencing NULL");
			*nowhere = 1;
		}
}
#endif

static void
req_action(struct client *c, uint16_t type, char **v, size_t n)
{
	bool	wait;
	size_t	i;

	if (n < 1 || (strcmp(v[0], "0") != 0 && strcmp(v[0], "1") != 0)) {
		client_end(c, 0, "bad request");
		return;
	}
#ifdef SUPD_TEST_FAULTS
	test_fault(v + 1, n - 1);
#endif
	wait = v[0][0] == '1';
	if (resolve_names(c, v + 1, n - 1) == -1)
		return;
	c->want_running = type != PROTO_STOP;
	for (i = 0; i < c->nwait; i++) {
		struct service	*s = c->wait[i];
		int		 r;

		r = type == PROTO_START ? svc_start(s) : type == PROTO_STOP ?
		    svc_stop(s) : svc_restart(s);
		if (r == -1)
			strv_take(&c->failed, xasprintf("%s: being removed or "
			    "shutting down", svc_name(s)));
	}
	/* A request may have freed a service (stop of a removed one). */
	if (!wait) {
		c->nwait = 0;
		client_end(c, c->failed.n == 0, c->failed.n ? c->failed.v[0] :
		    NULL);
		return;
	}
	c->state = C_WAIT;
	client_check_wait(c);
}

static void
req_signal(struct client *c, char **v, size_t n)
{
	struct service	*s;
	const char	*e;
	int		 sig;
	char		*m;

	if (n != 2) {
		client_end(c, 0, "bad request");
		return;
	}
	if ((s = find_or_end(c, v[0])) == NULL)
		return;
	if (parse_signal(v[1], &sig, &e) == -1 || svc_signal(s, sig, &e) == -1) {
		m = xasprintf("%s: %s", svc_name(s), e);
		client_end(c, 0, m);
		free(m);
		return;
	}
	client_end(c, 1, NULL);
}

static void
req_logs(struct client *c, char **v, size_t n)
{
	struct service	*s;
	struct buf	 b = { 0 };
	uint64_t	 lines;
	const char	*e;
	size_t		 off, chunk;
	char		*m;

	if (n != 3 || parse_uint(v[1], 0, PROTO_LOGS_MAX_LINES, &lines, &e) == -1
	    || (strcmp(v[2], "0") != 0 && strcmp(v[2], "1") != 0)) {
		client_end(c, 0, "bad request");
		return;
	}
	if ((s = find_or_end(c, v[0])) == NULL)
		return;
	if (lines > 0 && svclog_tail(svc_log(s), lines, &b) == -1) {
		m = xasprintf("%s: cannot read log: %s", svc_name(s),
		    strerror(errno));
		client_end(c, 0, m);
		free(m);
		buf_free(&b);
		return;
	}
	for (off = 0; off < b.len; off += chunk) {
		chunk = b.len - off < PROTO_MAX_PAYLOAD ? b.len - off :
		    PROTO_MAX_PAYLOAD;
		proto_put_data(&c->out, PROTO_DATA, b.p + off, chunk);
	}
	buf_free(&b);
	if (v[2][0] == '0') {
		client_end(c, 1, NULL);
		return;
	}
	stream_admit(c);
	c->state = C_FOLLOW;
	c->follow = s;
	svclog_follow(svc_log(s), follow_cb, c);
	client_kick(c);
}

static void
req_inspect(struct client *c, char **v, size_t n)
{
	struct service	*s;
	struct buf	 b = { 0 };

	if (n != 1) {
		client_end(c, 0, "bad request");
		return;
	}
	if ((s = find_or_end(c, v[0])) == NULL)
		return;
	svc_inspect(s, &b);
	if (proto_put_data(&c->out, PROTO_DATA, b.p, b.len) == -1)
		client_end(c, 0, "inspect: too large");
	else
		client_end(c, 1, NULL);
	buf_free(&b);
}

/*
 * The fds an exec hands to the service: pipes or sockets only. A process
 * of the service could reopen anything else through /proc/PID/fd -- the
 * caller's terminal, its files -- with the service's privileges.
 */
static bool
exec_fds_ok(const struct client *c)
{
	struct stat	st;
	int		i;

	for (i = 0; i < c->nfds; i++)
		if (fstat(c->fds[i], &st) == -1 || (!S_ISFIFO(st.st_mode) &&
		    !S_ISSOCK(st.st_mode)))
			return false;
	return true;
}

static void
req_exec(struct client *c, char **v, size_t n)
{
	struct service	*s;
	const char	*e;
	char		*m;

	if (n < 3 || (strcmp(v[0], "0") != 0 && strcmp(v[0], "1") != 0) ||
	    c->nfds != PROTO_EXEC_FDS) {
		client_end(c, 0, "bad request (exec needs a command and 3 fds)");
		return;
	}
	if (!exec_fds_ok(c)) {
		client_end(c, 0, "bad request (exec's stdio must be pipes or "
		    "sockets: a file or terminal of the caller's never enters "
		    "a service)");
		return;
	}
	if ((s = find_or_end(c, v[1])) == NULL)
		return;
	if ((c->exec_pid = svc_exec(s, v + 2, c->fds, v[0][0] == '1',
	    &e)) == -1) {
		m = xasprintf("%s: %s", svc_name(s), e);
		client_end(c, 0, m);
		free(m);
		return;
	}
	/* The exec process has its copies; ours go now. */
	while (c->nfds > 0)
		close(c->fds[--c->nfds]);
	c->state = C_EXEC;
}

void
ctl_reaped(pid_t pid, int status)
{
	struct client	*c;
	char		 code[16], *v[1] = { code };

	for (c = clients; c != NULL; c = c->next)
		if (c->state == C_EXEC && c->exec_pid == pid)
			break;
	if (c == NULL)
		return;		/* an orphan: reaped, nothing else to do */
	c->exec_pid = 0;
	snprintf(code, sizeof code, "%d", WIFEXITED(status) ?
	    WEXITSTATUS(status) : 128 + WTERMSIG(status));
	proto_put_strv(&c->out, PROTO_EXIT, v, 1);
	client_end(c, 1, NULL);
}

/* A tty service's raw output for an attached client. */
static void
attach_cb(void *arg, const char *data, size_t len)
{
	struct client	*c = arg;

	if (data == NULL) {		/* the service is gone */
		c->follow = NULL;
		client_end(c, 1, NULL);
		return;
	}
	follow_cb(arg, data, len);
}

static void
req_attach(struct client *c, char **v, size_t n)
{
	struct service	*s;
	char		*m;

	if (n != 1) {
		client_end(c, 0, "bad request");
		return;
	}
	if ((s = find_or_end(c, v[0])) == NULL)
		return;
	if (!svclog_is_tty(svc_log(s)) || svc_state(s) != SVC_RUNNING) {
		m = xasprintf("%s: %s", svc_name(s), !svclog_is_tty(svc_log(s)) ?
		    "not a terminal service (tty = no)" : "not running");
		client_end(c, 0, m);
		free(m);
		return;
	}
	stream_admit(c);
	c->state = C_ATTACH;
	c->follow = s;
	svclog_tap(svc_log(s), attach_cb, c);
	free(c->payload);
	c->payload = NULL;
	c->hdr_got = 0;
}

/* INPUT and WINCH from an attached client; the next message follows. */
static void
attach_input(struct client *c)
{
	char		**v;
	size_t		  n;
	const char	 *e;
	uint64_t	  rows, cols;

	while (c->nfds > 0)		/* fds are for exec only */
		close(c->fds[--c->nfds]);
	if (c->follow != NULL && c->h.type == PROTO_INPUT)
		(void)svclog_tty_input(svc_log(c->follow), c->payload,
		    c->h.len);
	else if (c->follow != NULL && c->h.type == PROTO_WINCH &&
	    proto_strv_unpack(c->payload, c->h.len, &v, &n, &e) == 0) {
		if (n == 2 && parse_uint(v[0], 1, 65535, &rows, &e) == 0 &&
		    parse_uint(v[1], 1, 65535, &cols, &e) == 0)
			(void)svclog_tty_winsize(svc_log(c->follow), rows, cols);
		free(v);
	}
	free(c->payload);
	c->payload = NULL;
	c->hdr_got = 0;
	c->pay_got = 0;
}

static void
req_reload(struct client *c)
{
	struct strv	msgs = { 0 };
	struct buf	b = { 0 };
	size_t		i;
	int		nerr;

	log_info("reload requested");
	nerr = svc_load_all(false, &msgs);
	for (i = 0; i < msgs.n; i++) {
		buf_puts(&b, i ? "\n" : "");
		buf_puts(&b, msgs.v[i]);
	}
	client_end(c, nerr == 0, b.p);
	buf_free(&b);
	strv_free(&msgs);
}

/*
 * Who may ask what (supctl(1) documents this table): socket_group members
 * may look (status, inspect, logs); changing or entering a service needs
 * root or supd's own uid.
 */
static const struct {
	const char	*name;
	enum peer_access access;	/* the least needed */
} verbs[PROTO_REQ_MAX] = {
	[PROTO_STATUS] =	{ "status",	PEER_READ },
	[PROTO_START] =		{ "start",	PEER_ALL },
	[PROTO_STOP] =		{ "stop",	PEER_ALL },
	[PROTO_RESTART] =	{ "restart",	PEER_ALL },
	[PROTO_SIGNAL] =	{ "signal",	PEER_ALL },
	[PROTO_LOGS] =		{ "logs",	PEER_READ },
	[PROTO_INSPECT] =	{ "inspect",	PEER_READ },
	[PROTO_RELOAD] =	{ "reload",	PEER_ALL },
	[PROTO_SHUTDOWN] =	{ "shutdown",	PEER_ALL },
	[PROTO_EXEC] =		{ "exec",	PEER_ALL },
	[PROTO_ATTACH] =	{ "attach",	PEER_ALL },
};

/* The one dispatcher: a closed set of request types. */
static void
client_request(struct client *c)
{
	char		**v;
	size_t		  n;
	const char	 *e;
	char		 *m;

	ev_io_stop(EV_DEFAULT_UC_ &c->rw);	/* one request per connection */
	client_deadline(c, 0);
	if (verbs[c->h.type].name == NULL) {
		client_end(c, 0, "not a request");
		return;
	}
	if (c->access < verbs[c->h.type].access) {
		m = xasprintf("permission denied: %s needs root or supd's user",
		    verbs[c->h.type].name);
		client_end(c, 0, m);
		free(m);
		return;
	}
	if (c->nfds > 0 && c->h.type != PROTO_EXEC) {
		/* Only exec takes fds: nobody else's may stay with us. */
		while (c->nfds > 0)
			close(c->fds[--c->nfds]);
		client_end(c, 0, "bad request (file descriptors are only "
		    "passed with exec)");
		return;
	}
	if (proto_strv_unpack(c->payload, c->h.len, &v, &n, &e) == -1) {
		client_end(c, 0, e);
		return;
	}
	switch (c->h.type) {
	case PROTO_STATUS:
		req_status(c, v, n);
		break;
	case PROTO_START:
	case PROTO_STOP:
	case PROTO_RESTART:
		req_action(c, c->h.type, v, n);
		break;
	case PROTO_SIGNAL:
		req_signal(c, v, n);
		break;
	case PROTO_LOGS:
		req_logs(c, v, n);
		break;
	case PROTO_INSPECT:
		req_inspect(c, v, n);
		break;
	case PROTO_RELOAD:
		req_reload(c);
		break;
	case PROTO_EXEC:
		req_exec(c, v, n);
		break;
	case PROTO_ATTACH:
		req_attach(c, v, n);
		break;
	case PROTO_SHUTDOWN:
		if (n > 1 || (n == 1 && strcmp(v[0], "poweroff") != 0 &&
		    strcmp(v[0], "reboot") != 0 && strcmp(v[0], "halt") != 0)) {
			client_end(c, 0, "bad request");
			break;
		}
		if (shutdown_fn != NULL && shutdown_fn(n == 1 ? v[0] : NULL,
		    &e) == -1) {
			client_end(c, 0, e);
			break;
		}
		log_info("%s requested", n == 1 ? v[0] : "shutdown");
		client_end(c, 1, NULL);
		break;
	default:
		client_end(c, 0, "not a request");
		break;
	}
	free(v);
	/* c may be closed here; the payload is freed with it. */
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
			client_close(c);
		return;
	}
	if (c->hdr_got < PROTO_HDR_SIZE) {
		n = client_recv(c, c->hdr + c->hdr_got,
		    PROTO_HDR_SIZE - c->hdr_got);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			client_close(c);
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
			if (c->state == C_ATTACH) {
				svclog_untap(svc_log(c->follow), attach_cb, c);
				c->follow = NULL;
			}
			client_end(c, 0, e != NULL ? e : "bad request");
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
			client_close(c);
			return;
		}
		c->pay_got += n;
		if (c->pay_got < c->h.len)
			return;
	}
	c->payload[c->h.len] = '\0';
	if (c->state == C_ATTACH) {
		ev_timer_stop(EV_DEFAULT_UC_ &c->frame_tmo);
		attach_input(c);
		return;
	}
	ev_io_stop(EV_DEFAULT_UC_ &c->rw);
	client_request(c);
	/* Keep watching for EOF while waiting or following. */
	if (c->state == C_WAIT || c->state == C_FOLLOW ||
	    c->state == C_EXEC || c->state == C_ATTACH)
		ev_io_start(EV_DEFAULT_UC_ &c->rw);
}

/* ---- connections -------------------------------------------------------- */

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD	77
#endif

/* supd's own pid and mount namespaces, by identity (ctl_listen). */
static struct stat	own_ns[2];
static bool		own_ns_known;
static const char *const ns_names[2] = { "pid", "mnt" };

static void
own_ns_init(void)
{
	char	path[64];
	int	i;

	own_ns_known = true;
	for (i = 0; i < 2; i++) {
		snprintf(path, sizeof path, "/proc/self/ns/%s", ns_names[i]);
		if (stat(path, &own_ns[i]) == -1) {
			log_warn("control: %s (clients in supd's pid "
			    "namespace will be refused)", path);
			own_ns_known = false;
		}
	}
}

/* The parent of pid as supd sees it (field 4 of /proc/PID/stat), or -1
 * (errno EINVAL if the file made no sense). */
static pid_t
parent_of(pid_t pid)
{
	unsigned long long	ppid;

	return proc_stat_field(pid, 4, &ppid) == -1 ? -1 : (pid_t)ppid;
}

/* Out of file descriptors: a question that needs one cannot be answered. */
static bool
no_fds(void)
{
	return errno == EMFILE || errno == ENFILE;
}

/* Is pid one of supd's descendants (every service process is: supd is
 * their subreaper)? 1 yes, 0 no, -1 cannot tell (out of fds); any other
 * unknown counts as yes. */
static int
descendant(pid_t pid)
{
	pid_t	me = getpid();
	int	depth;

	for (depth = 0; depth < 4096 && pid > 1; depth++) {
		if ((pid = parent_of(pid)) == me)
			return 1;
		if (pid == -1)
			return no_fds() ? -1 : 1;
	}
	return 0;
}

/*
 * Is the peer inside a service? Every process of a service descends from
 * supd (supd reaps its orphans), so a peer is a service's when it is
 * supd's descendant and its pid or mount namespace is not supd's: a
 * service with namespaces = none, or supctl exec's namespaces-free
 * commands, are supd's equals; a client that is not supd's descendant
 * (an admin's shell, even in a mount namespace of its own) is outside
 * every service, as is one supd cannot see (pid 0: the host of supd's
 * container). The peer is held by a pidfd while its /proc entries are
 * read, and checked alive after: a recycled pid cannot pass for it.
 * 1 inside, 0 outside, -1 out of fds to tell (refused too, but not
 * taken for a service).
 */
static int
peer_in_service(int fd, pid_t pid)
{
	socklen_t	len = sizeof(int);
	struct stat	st;
	char		path[64];
	bool		same = own_ns_known;
	int		pidfd, i, in;

	if (pid == 0)
		return 0;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len) == -1 &&
	    (pidfd = syscall(SYS_pidfd_open, pid, 0)) == -1)
		return no_fds() ? -1 : 1;
	for (i = 0; i < 2 && same; i++) {
		snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)pid,
		    ns_names[i]);
		same = stat(path, &st) == 0 && st.st_dev == own_ns[i].st_dev &&
		    st.st_ino == own_ns[i].st_ino;
	}
	in = same ? 0 : descendant(pid);
	if (in == 0 && syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == -1)
		in = 1;
	close(pidfd);
	return in;
}

/* Is the peer a member of socket_group (primary or supplementary)? */
static bool
peer_in_group(int fd, const struct ucred *cred)
{
	gid_t		 small[64], *groups = small;
	socklen_t	 glen = sizeof small;
	size_t		 i;
	bool		 ok = false;

	if (cred->gid == sock_gid)
		return true;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &glen) == -1) {
		/* ERANGE tells the size needed. */
		if (errno != ERANGE || glen > 65536 * sizeof *groups)
			return false;
		groups = xmalloc(glen);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups,
		    &glen) == -1)
			glen = 0;
	}
	for (i = 0; i < glen / sizeof *groups; i++)
		if (groups[i] == sock_gid)
			ok = true;
	if (groups != small)
		free(groups);
	return ok;
}

/* A peer refused for this is told so: it may well try again. */
static const char	no_fds_why[] = "out of file descriptors to check "
			    "the peer, try again";

/* *why says what refused a peer. */
static enum peer_access
peer_access(int fd, struct ucred *cred, const char **why)
{
	socklen_t	len = sizeof *cred;

	*why = "not root, supd's user or in socket_group";
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, &len) == -1) {
		memset(cred, 0, sizeof *cred);
		*why = "no peer credentials";
		return PEER_NONE;
	}
	switch (peer_in_service(fd, cred->pid)) {
	case 1:
		*why = "a process inside a service (supd's descendant, not in "
		    "its pid and mount namespaces)";
		return PEER_NONE;
	case -1:
		*why = no_fds_why;
		return PEER_NONE;
	}
	if (cred->uid == 0 || cred->uid == geteuid())
		return PEER_ALL;
	return has_group && peer_in_group(fd, cred) ? PEER_READ : PEER_NONE;
}

/* One warning per second at most: a flood must not flood the log too. */
static void
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
	client_close(oldest);
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
	if ((c->access = peer_access(fd, &cred, &why)) == PEER_NONE) {
		m = xasprintf("control: refused uid %d gid %d pid %d: %s",
		    (int)cred.uid, (int)cred.gid, (int)cred.pid, why);
		ctl_warn_rate(m);
		free(m);
		client_end(c, 0, why == no_fds_why ? why :
		    "permission denied");
		return;
	}
	ev_io_start(EV_DEFAULT_UC_ &c->rw);
	client_deadline(c, CTL_REQ_TIMEOUT);
}

static void
client_close(struct client *c)
{
	ev_io_stop(EV_DEFAULT_UC_ &c->rw);
	ev_io_stop(EV_DEFAULT_UC_ &c->ww);
	ev_timer_stop(EV_DEFAULT_UC_ &c->tmo);
	ev_timer_stop(EV_DEFAULT_UC_ &c->frame_tmo);
	if (c->follow != NULL && c->state == C_ATTACH)
		svclog_untap(svc_log(c->follow), attach_cb, c);
	else if (c->follow != NULL)
		svclog_unfollow(svc_log(c->follow), follow_cb, c);
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
		return errno == ENOENT ? 0 : (*cause = xasprintf("%s: %s",
		    path, strerror(errno)), -1);
	if (!S_ISSOCK(st.st_mode)) {
		*cause = xasprintf("%s: exists and is not a socket", path);
		return -1;
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		*cause = xasprintf("socket: %s", strerror(errno));
		return -1;
	}
	r = connect(fd, (struct sockaddr *)&sun, sizeof sun);
	close(fd);
	if (r == 0) {
		*cause = xasprintf("%s: another supd is listening", path);
		return -1;
	}
	if (unlink(path) == -1) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
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
		*cause = xasprintf("%s: %s", dir, strerror(errno));
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
		*cause = xasprintf("socket: %s", strerror(errno));
		return -1;
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", mc->socket);
	/* Created private, then opened up to socket_mode: never wider. */
	old = umask(0177);
	if (bind(listen_fd, (struct sockaddr *)&sun, sizeof sun) == -1) {
		umask(old);
		*cause = xasprintf("%s: bind: %s", mc->socket, strerror(errno));
		goto fail;
	}
	umask(old);
	sock_path = xstrdup(mc->socket);
	if (mc->socket_group != NULL && chown(mc->socket, -1,
	    mc->socket_gid) == -1) {
		*cause = xasprintf("%s: chown: %s", mc->socket, strerror(errno));
		goto fail;
	}
	if (chmod(mc->socket, mc->socket_mode) == -1) {
		*cause = xasprintf("%s: chmod: %s", mc->socket, strerror(errno));
		goto fail;
	}
	if (listen(listen_fd, SOMAXCONN) == -1) {
		*cause = xasprintf("%s: listen: %s", mc->socket,
		    strerror(errno));
		goto fail;
	}
	own_ns_init();
	has_group = mc->socket_group != NULL;
	sock_gid = mc->socket_gid;
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
		client_close(clients);
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

/* SPDX-License-Identifier: ISC */
/*
 * ctl-verbs.c: what a control request does. The verb set is closed: one
 * table says who may ask what (verbs[]), one dispatcher switches on the
 * request type (ctl_request), one small function per verb answers it.
 *
 * start/stop/restart with wait leave the client waiting (C_WAIT) on a set
 * of services until each has settled, told by the registry's hooks
 * (ctl_changed, ctl_gone); exec leaves it waiting (C_EXEC) for the exec's
 * process, told by ctl_reaped. logs -f and attach are ctl-follow.c's,
 * run and rm ctl-run.c's.
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "ctl.h"
#include "ctl-private.h"
#include "log.h"
#include "metrics.h"
#include "proto.h"
#include "service.h"
#include "values.h"

static int		(*shutdown_fn)(const char *, const char **);

void
ctl_set_shutdown(int (*fn)(const char *, const char **))
{
	shutdown_fn = fn;
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
	ctl_client_end(c, c->failed.n == 0, msg.p);
	buf_free(&msg);
}

void
ctl_changed(struct service *s)
{
	struct client	*c, *next;
	size_t		 i;

	for (c = ctl_first_client(); c != NULL; c = next) {
		next = c->next;
		if (ctl_run_changed(c, s, false))
			continue;
		if (c->state == C_ATTACH && c->follow == s &&
		    svc_state(s) != SVC_RUNNING) {
			/* The service ended: so does the session. */
			ctl_stream_stop(c);
			ctl_client_end(c, 1, NULL);
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

	for (c = ctl_first_client(); c != NULL; c = next) {
		next = c->next;
		if (ctl_run_changed(c, s, true))
			continue;
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
 * "no such service: NAME" (what: "service", "network"), with NAME cut to
 * 100 bytes and anything but printable ASCII shown as \ooo: a name from a
 * client must not forge a second line or a terminal escape in the reply or
 * in supd's log.
 */
static char *
no_such(const char *what, const char *name)
{
	struct buf	b = { 0 };
	size_t		i;

	buf_printf(&b, "no such %s: ", what);
	for (i = 0; name[i] != '\0' && i < 100; i++) {
		unsigned char ch = name[i];

		if (ch < 0x20 || ch >= 0x7f || ch == '\\')
			buf_printf(&b, "\\%03o", ch);
		else
			buf_add(&b, &name[i], 1);
	}
	return b.p;
}

bool
ctl_is_flag(const char *v)
{
	return strcmp(v, "0") == 0 || strcmp(v, "1") == 0;
}

char *
ctl_no_such(const char *what, const char *name)
{
	return no_such(what, name);
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
		ctl_client_end(c, 0, "no service named");
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
			char *m = no_such("service", names[i]);

			ctl_client_end(c, 0, m);
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

struct service *
ctl_find_or_end(struct client *c, const char *name)
{
	struct service	*s;
	char		*m;

	if ((s = svc_find(name)) == NULL) {
		m = no_such("service", name);
		ctl_client_end(c, 0, m);
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
	ctl_client_end(c, 1, NULL);
}

/* stats [NAME...]: a row per service, or why there is nothing to read. */
static void
req_stats(struct client *c, char **v, size_t n)
{
	struct proto_stats	 st;
	size_t			 i;
	char			*m;

	if (!cg_enabled()) {
		m = xasprintf("no cgroup v2 here: %s", cg_unavailable());
		ctl_client_end(c, 0, m);
		free(m);
		return;
	}
	if (n > 0 && resolve_names(c, v, n) == -1)
		return;
	for (i = 0; i < (n > 0 ? c->nwait : svc_count()); i++) {
		svc_stats(n > 0 ? c->wait[i] : svc_at(i), &st);
		proto_stats_pack(&c->out, &st);
	}
	c->nwait = 0;
	ctl_client_end(c, 1, NULL);
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

/* start | stop | restart WAIT NAME... */
static void
req_action(struct client *c, char **v, size_t n)
{
	uint16_t	type = c->h.type;
	bool		wait;
	size_t		i;

	if (n < 1 || !ctl_is_flag(v[0])) {
		ctl_client_end(c, 0, "bad request");
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
		ctl_client_end(c, c->failed.n == 0, c->failed.n ? c->failed.v[0] :
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
		ctl_client_end(c, 0, "bad request");
		return;
	}
	if ((s = ctl_find_or_end(c, v[0])) == NULL)
		return;
	if (parse_signal(v[1], &sig, &e) == -1 || svc_signal(s, sig, &e) == -1) {
		m = xasprintf("%s: %s", svc_name(s), e);
		ctl_client_end(c, 0, m);
		free(m);
		return;
	}
	ctl_client_end(c, 1, NULL);
}

/* pause | unpause NAME: its cgroup frozen or thawed. */
static void
req_pause(struct client *c, char **v, size_t n)
{
	bool		 pause = c->h.type == PROTO_PAUSE;
	struct service	*s;
	const char	*e;
	char		*m;

	if (n != 1) {
		ctl_client_end(c, 0, "bad request");
		return;
	}
	if ((s = ctl_find_or_end(c, v[0])) == NULL)
		return;
	if (svc_pause(s, pause, &e) == -1) {
		m = xasprintf("%s: %s", svc_name(s), e);
		ctl_client_end(c, 0, m);
		free(m);
		return;
	}
	ctl_client_end(c, 1, NULL);
}

static void
req_inspect(struct client *c, char **v, size_t n)
{
	struct service	*s;
	struct buf	 b = { 0 };

	if (n != 1) {
		ctl_client_end(c, 0, "bad request");
		return;
	}
	if ((s = ctl_find_or_end(c, v[0])) == NULL)
		return;
	svc_inspect(s, &b);
	if (proto_put_data(&c->out, PROTO_DATA, b.p, b.len) == -1)
		ctl_client_end(c, 0, "inspect: too large");
	else
		ctl_client_end(c, 1, NULL);
	buf_free(&b);
}

/* network ls: one row per network of supd.conf. */
static void
req_net_ls(struct client *c, char **v, size_t n)
{
	struct proto_net	r;
	size_t			i;

	(void)v;
	if (n != 0) {
		ctl_client_end(c, 0, "bad request");
		return;
	}
	for (i = 0; i < svc_net_count(); i++) {
		svc_net_row(i, &r);
		proto_net_pack(&c->out, &r);
	}
	ctl_client_end(c, 1, NULL);
}

void
ctl_put_data(struct client *c, const struct buf *b)
{
	size_t	i, len;

	for (i = 0; i < b->len; i += len) {
		len = b->len - i < PROTO_MAX_PAYLOAD ? b->len - i :
		    PROTO_MAX_PAYLOAD;
		(void)proto_put_data(&c->out, PROTO_DATA, b->p + i, len);
	}
}

/*
 * network inspect NAME...: one JSON array, a network once however often
 * named, in the order first named; nothing but the error if one is
 * unknown. The array may pass one message's size (thousands of members):
 * it goes in as many DATA messages as it needs, which supctl prints as
 * they come.
 */
static void
req_net_inspect(struct client *c, char **v, size_t n)
{
	struct buf	 b = { 0 };
	bool		*seen;
	ssize_t		 k;
	size_t		 i, nout = 0;
	char		*m;

	if (n == 0) {
		ctl_client_end(c, 0, "no network named");
		return;
	}
	seen = xcalloc(svc_net_count() + 1, sizeof *seen);
	buf_puts(&b, "[");
	for (i = 0; i < n; i++) {
		if ((k = svc_net_index(v[i])) == -1) {
			m = no_such("network", v[i]);
			ctl_client_end(c, 0, m);
			free(m);
			goto out;
		}
		if (seen[k])
			continue;
		seen[k] = true;
		buf_puts(&b, nout++ > 0 ? ",\n  " : "\n  ");
		svc_net_json(k, &b);
	}
	buf_puts(&b, "\n]\n");
	ctl_put_data(c, &b);
	ctl_client_end(c, 1, NULL);
out:
	free(seen);
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

	if (n < 3 || !ctl_is_flag(v[0]) ||
	    c->nfds != PROTO_EXEC_FDS) {
		ctl_client_end(c, 0, "bad request (exec needs a command and 3 fds)");
		return;
	}
	if (!exec_fds_ok(c)) {
		ctl_client_end(c, 0, "bad request (exec's stdio must be pipes or "
		    "sockets: a file or terminal of the caller's never enters "
		    "a service)");
		return;
	}
	if ((s = ctl_find_or_end(c, v[1])) == NULL)
		return;
	if ((c->exec_pid = svc_exec(s, v + 2, c->fds, v[0][0] == '1',
	    &e)) == -1) {
		m = xasprintf("%s: %s", svc_name(s), e);
		ctl_client_end(c, 0, m);
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

	for (c = ctl_first_client(); c != NULL; c = c->next)
		if (c->state == C_EXEC && c->exec_pid == pid)
			break;
	if (c == NULL)
		return;		/* an orphan: reaped, nothing else to do */
	c->exec_pid = 0;
	snprintf(code, sizeof code, "%d", WIFEXITED(status) ?
	    WEXITSTATUS(status) : 128 + WTERMSIG(status));
	proto_put_strv(&c->out, PROTO_EXIT, v, 1);
	ctl_client_end(c, 1, NULL);
}

static void
req_reload(struct client *c, char **v, size_t n)
{
	struct strv	msgs = { 0 };
	struct buf	b = { 0 };
	size_t		i;
	int		nerr;

	(void)v;
	(void)n;
	log_info("reload requested");
	nerr = svc_load_all(false, &msgs);
	for (i = 0; i < msgs.n; i++) {
		buf_puts(&b, i ? "\n" : "");
		buf_puts(&b, msgs.v[i]);
	}
	ctl_client_end(c, nerr == 0, b.p);
	buf_free(&b);
	strv_free(&msgs);
}

/* shutdown, or poweroff/reboot/halt (one argument): supd.c's to do. */
static void
req_shutdown(struct client *c, char **v, size_t n)
{
	const char	*e;

	if (n > 1 || (n == 1 && strcmp(v[0], "poweroff") != 0 &&
	    strcmp(v[0], "reboot") != 0 && strcmp(v[0], "halt") != 0)) {
		ctl_client_end(c, 0, "bad request");
		return;
	}
	if (shutdown_fn != NULL && shutdown_fn(n == 1 ? v[0] : NULL,
	    &e) == -1) {
		ctl_client_end(c, 0, e);
		return;
	}
	log_info("%s requested", n == 1 ? v[0] : "shutdown");
	ctl_client_end(c, 1, NULL);
}

/* metrics: the text format, in as many DATA messages as it takes. */
static void
req_metrics(struct client *c, char **v, size_t n)
{
	struct buf	b = { 0 };

	(void)v;
	if (n != 0) {
		ctl_client_end(c, 0, "bad request");
		return;
	}
	metrics_render(&b);
	ctl_put_data(c, &b);
	ctl_client_end(c, 1, NULL);
	buf_free(&b);
}

/*
 * Who may ask what (supctl(1) documents this table): socket_group members
 * may look (status, inspect, logs, network ls and inspect, events, health
 * and ready); changing or
 * entering a service needs root or supd's own uid.
 */
static const struct {
	const char	*name;
	enum peer_access access;	/* the least needed */
	void		(*handle)(struct client *, char **, size_t);
} verbs[PROTO_REQ_MAX] = {
	[PROTO_STATUS] = { "status", PEER_READ, req_status },
	[PROTO_START] = { "start", PEER_ALL, req_action },
	[PROTO_STOP] = { "stop", PEER_ALL, req_action },
	[PROTO_RESTART] = { "restart", PEER_ALL, req_action },
	[PROTO_SIGNAL] = { "signal", PEER_ALL, req_signal },
	[PROTO_LOGS] = { "logs", PEER_READ, ctl_req_logs },
	[PROTO_INSPECT] = { "inspect", PEER_READ, req_inspect },
	[PROTO_RELOAD] = { "reload", PEER_ALL, req_reload },
	[PROTO_SHUTDOWN] = { "shutdown", PEER_ALL, req_shutdown },
	[PROTO_EXEC] = { "exec", PEER_ALL, req_exec },
	[PROTO_ATTACH] = { "attach", PEER_ALL, ctl_req_attach },
	[PROTO_NET_LS] = { "network ls", PEER_READ, req_net_ls },
	[PROTO_NET_INSPECT] = { "network inspect", PEER_READ, req_net_inspect },
	[PROTO_STATS] = { "stats", PEER_READ, req_stats },
	[PROTO_PAUSE] = { "pause", PEER_ALL, req_pause },
	[PROTO_UNPAUSE] = { "unpause", PEER_ALL, req_pause },
	[PROTO_RUN] = { "run", PEER_ALL, ctl_req_run },
	[PROTO_RM] = { "rm", PEER_ALL, ctl_req_rm },
	[PROTO_VOL_LS] = { "volume ls", PEER_READ, ctl_req_vol_ls },
	[PROTO_VOL_INSPECT] = { "volume inspect", PEER_READ, ctl_req_vol_inspect },
	[PROTO_VOL_RM] = { "volume rm", PEER_ALL, ctl_req_vol_rm },
	[PROTO_VOL_PRUNE] = { "volume prune", PEER_ALL, ctl_req_vol_prune },
	[PROTO_EVENTS] = { "events", PEER_READ, ctl_req_events },
	[PROTO_HEALTH] = { "health", PEER_READ, ctl_req_health },
	[PROTO_METRICS] = { "metrics", PEER_READ, req_metrics },
	[PROTO_IMG_LS] = { "image ls", PEER_READ, ctl_req_img_ls },
	[PROTO_IMG_INSPECT] = { "image inspect", PEER_READ, ctl_req_img_inspect },
	[PROTO_IMG_RM] = { "image rm", PEER_ALL, ctl_req_img_rm },
	[PROTO_IMG_PRUNE] = { "image prune", PEER_ALL, ctl_req_img_prune },
};

/* The one dispatcher: the checks every request passes, then its row of
 * verbs[]. */
void
ctl_request(struct client *c)
{
	char		**v;
	size_t		  n;
	const char	 *e;
	char		 *m;

	ev_io_stop(EV_DEFAULT_UC_ &c->rw);	/* one request per connection */
	ctl_client_deadline(c, 0);
	if (verbs[c->h.type].name == NULL) {
		ctl_client_end(c, 0, "not a request");
		return;
	}
	if (c->access < verbs[c->h.type].access) {
		m = xasprintf("permission denied: %s needs root or supd's user",
		    verbs[c->h.type].name);
		ctl_client_end(c, 0, m);
		free(m);
		return;
	}
	if (c->nfds > 0 && c->h.type != PROTO_EXEC && c->h.type != PROTO_RUN) {
		/* Only exec and run take fds: nobody else's may stay. */
		while (c->nfds > 0)
			close(c->fds[--c->nfds]);
		ctl_client_end(c, 0, "bad request (file descriptors are only "
		    "passed with exec or run -i)");
		return;
	}
	if (proto_strv_unpack(c->payload, c->h.len, &v, &n, &e) == -1) {
		ctl_client_end(c, 0, e);
		return;
	}
	verbs[c->h.type].handle(c, v, n);
	free(v);
	/* c may be closed here; the payload is freed with it. */
}

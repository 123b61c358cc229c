/* SPDX-License-Identifier: ISC */
/*
 * ctl-follow.c: the control clients that stay to stream: `logs -f`
 * (C_FOLLOW: every byte appended to the service's main log, across
 * rotations) and `attach` (C_ATTACH: a tty service's raw output one way,
 * INPUT and WINCH frames the other).
 *
 * A stream never holds supd back: at most CTL_MAX_STREAMS of them (a new
 * one evicts the oldest), and one that does not read is dropped once
 * CTL_MAX_STREAM_OUT bytes wait for it.
 *
 * And `logs` itself: the last lines, or with --since/--until/-t the lines
 * of a window of time, each line's time being its own stamp (timestamps =
 * yes) or its log's time index's (svclog_tail_times); -t writes it in
 * docker's form, with -f on the lines that follow too.
 */
#include <sys/types.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl-private.h"
#include "proto.h"
#include "service.h"
#include "svclog.h"
#include "values.h"

/* logs -f followers and attached clients: at most this many (a new one
 * evicts the oldest), each dropped past this much queued output. */
#define CTL_MAX_STREAMS		64
#define CTL_MAX_STREAM_OUT	(1024 * 1024)

/* docker's form of a time: 2026-11-30T10:00:00.123000000Z (ms known). */
static void
docker_time(struct buf *b, int64_t ms)
{
	struct tm	tm;
	time_t		sec = (time_t)(ms / 1000);
	char		d[32];

	gmtime_r(&sec, &tm);
	strftime(d, sizeof d, "%Y-%m-%dT%H:%M:%S", &tm);
	buf_printf(b, "%s.%03d000000Z ", d, (int)(ms % 1000));
}

/* logs -f -t: the bytes just appended, each line led by their time. */
static void
follow_stamp(struct client *c, const char *data, size_t len, struct buf *b)
{
	const char	*nl;
	size_t		 seg;

	for (; len > 0; data += seg, len -= seg) {
		nl = memchr(data, '\n', len);
		seg = nl != NULL ? (size_t)(nl - data) + 1 : len;
		if (c->follow_bol)
			docker_time(b, svclog_chunk_ms());
		buf_add(b, data, seg);
		c->follow_bol = nl != NULL;
	}
}

static void
follow_cb(void *arg, const char *data, size_t len)
{
	struct client	*c = arg;
	struct buf	 b = { 0 };
	size_t		 chunk;

	if (data == NULL) {		/* the service is gone */
		c->follow = NULL;
		ctl_client_end(c, 1, NULL);
		return;
	}
	if (c->out.len + len > CTL_MAX_STREAM_OUT) {
		/* A follower that does not keep up is dropped, not waited for. */
		ctl_warn_rate("control: a log follower or attached client that "
		    "does not read was dropped");
		ctl_client_close(c);
		return;
	}
	if (c->follow_t) {
		follow_stamp(c, data, len, &b);
		data = b.p;
		len = b.len;
	}
	while (len > 0) {
		chunk = len < PROTO_MAX_PAYLOAD ? len : PROTO_MAX_PAYLOAD;
		proto_put_data(&c->out, PROTO_DATA, data, chunk);
		data += chunk;
		len -= chunk;
	}
	buf_free(&b);
	ctl_client_kick(c);
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

	for (o = ctl_first_client(); o != NULL; o = o->next)
		if (o != c && (o->state == C_FOLLOW || o->state == C_ATTACH)) {
			n++;
			oldest = o;	/* pushed at the head: last is oldest */
		}
	if (n < CTL_MAX_STREAMS || oldest == NULL)
		return;
	ctl_warn_rate("control: too many log followers and attached clients, "
	    "dropped the oldest");
	ctl_client_close(oldest);
}

/* What a logs request asks of the lines' times. */
struct window {
	int64_t		 since, until;	/* ms; 0 for no bound */
	bool		 stamps;	/* -t */
	bool		 own;		/* timestamps = yes: a stamp at the
					   start of a line is its time */
};

/* The time a line starts with (timestamps = yes), or -1. */
static int
own_stamp(const char *p, size_t len, int64_t *t)
{
	const char	*e, *after;

	if (len < RFC3339_LEN || parse_rfc3339(p, t, &after, &e) == -1 ||
	    *after != ' ')
		return -1;
	return 0;
}

/*
 * The lines of in (times[k] for line k: svclog_tail_times) within the
 * window, the last `lines` of them, onto out; -t puts each one's time in
 * front, unless it carries its own. -1 with *cause if a line's time is
 * not known (why: svclog_tail_times's *unknown).
 */
static int
logs_window(const struct buf *in, const int64_t *times, size_t nt,
    const struct window *win, uint64_t lines, const char *why,
    struct buf *out, char **cause)
{
	const char	*p = in->p, *end = in->p + in->len, *nl;
	int64_t		 t;
	size_t		 len, cut, k;
	bool		 own;

	for (k = 0; p < end && k < nt; p += len, k++) {
		nl = memchr(p, '\n', end - p);
		len = nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		own = win->own && own_stamp(p, len, &t) == 0;
		if (!own && (t = times[k]) == INT64_MIN) {
			*cause = xasprintf("%s (written by an older supd): "
			    "--since, --until and -t cannot place them (-n and "
			    "-f can)", why);
			return -1;
		}
		if ((win->since != 0 && t < win->since) ||
		    (win->until != 0 && t > win->until))
			continue;
		if (win->stamps && !own)
			docker_time(out, t);
		buf_add(out, p, len);
	}
	/* The last `lines` of them (each ends with a newline). */
	for (cut = out->len; cut > 0 && lines > 0; lines--)
		for (cut--; cut > 0 && out->p[cut - 1] != '\n'; cut--)
			;
	if (cut > 0) {
		memmove(out->p, out->p + cut, out->len - cut);
		out->len -= cut;
	}
	return 0;
}

/* The reply of a logs request with a window or -t into b; -1 with *cause. */
static int
logs_timed(struct service *s, uint64_t lines, const struct window *win,
    struct buf *b, char **cause)
{
	struct buf	 all = { 0 };
	int64_t		*times;
	size_t		 nt;
	char		*why, *m;
	int		 r;

	/* A window is cut from all there is; -n counts lines in it. */
	r = svclog_tail_times(svc_log(s), win->since != 0 || win->until != 0 ?
	    PROTO_LOGS_MAX_LINES : lines, &all, &times, &nt, &m, &why);
	if (r == 0)
		r = logs_window(&all, times, nt, win, lines, why, b, &m);
	if (r == -1) {
		*cause = xasprintf("%s: %s", svc_name(s), m);
		free(m);
	}
	free(why);
	free(times);
	buf_free(&all);
	return r;
}

/* The options of a 6-string logs request: SINCE, UNTIL (ms since the
 * epoch, "" for none), TIMESTAMPS ("0"|"1"). -1 if they are malformed. */
static int
logs_options(char **v, size_t n, int64_t *since, int64_t *until, bool *any)
{
	uint64_t	 u;
	const char	*e;

	*since = *until = 0;
	*any = false;
	if (n == 3)
		return 0;
	if (n != 6 || (strcmp(v[5], "0") != 0 && strcmp(v[5], "1") != 0) ||
	    (*v[3] != '\0' && parse_uint(v[3], 1, INT64_MAX, &u, &e) == -1))
		return -1;
	*since = *v[3] != '\0' ? (int64_t)u : 0;
	if (*v[4] != '\0' && parse_uint(v[4], 1, INT64_MAX, &u, &e) == -1)
		return -1;
	*until = *v[4] != '\0' ? (int64_t)u : 0;
	*any = *since != 0 || *until != 0 || v[5][0] == '1';
	return 0;
}

void
ctl_req_logs(struct client *c, char **v, size_t n)
{
	struct service	*s;
	struct buf	 b = { 0 };
	struct window	 win = { 0 };
	uint64_t	 lines;
	const char	*e;
	size_t		 off, chunk;
	char		*m = NULL;
	bool		 any, partial = false;
	int		 r = 0;

	if (n < 3 || parse_uint(v[1], 0, PROTO_LOGS_MAX_LINES, &lines, &e) == -1
	    || (strcmp(v[2], "0") != 0 && strcmp(v[2], "1") != 0) ||
	    logs_options(v, n, &win.since, &win.until, &any) == -1) {
		ctl_client_end(c, 0, "bad request");
		return;
	}
	if ((s = ctl_find_or_end(c, v[0])) == NULL)
		return;
	win.stamps = n == 6 && v[5][0] == '1';
	win.own = svclog_has_stamps(svc_log(s));
	if (lines > 0 && any)
		r = logs_timed(s, lines, &win, &b, &m);
	else if (lines > 0 && (r = svclog_tail(svc_log(s), lines, &b)) == -1)
		m = errno_cause("%s: cannot read log", svc_name(s));
	if (r == -1) {
		ctl_client_end(c, 0, m);
		free(m);
		buf_free(&b);
		return;
	}
	/* -f -n 0 starts at a line: with the start of the one being
	 * written, if the log ends inside it. */
	if (lines == 0 && v[2][0] == '1')
		partial = svclog_partial(svc_log(s), &b) == 1;
	for (off = 0; off < b.len; off += chunk) {
		chunk = b.len - off < PROTO_MAX_PAYLOAD ? b.len - off :
		    PROTO_MAX_PAYLOAD;
		proto_put_data(&c->out, PROTO_DATA, b.p + off, chunk);
	}
	buf_free(&b);
	if (v[2][0] == '0') {
		ctl_client_end(c, 1, NULL);
		return;
	}
	ctl_stream_begin(c, s, false);
	/* -f -t: what follows gets its time as it comes (a line that
	 * carries its own keeps it). */
	c->follow_t = win.stamps && !win.own;
	c->follow_bol = !partial;
	ctl_client_kick(c);
}

/* A tty service's raw output for an attached client. */
static void
attach_cb(void *arg, const char *data, size_t len)
{
	struct client	*c = arg;

	if (data == NULL) {		/* the service is gone */
		c->follow = NULL;
		ctl_client_end(c, 1, NULL);
		return;
	}
	follow_cb(arg, data, len);
}

void
ctl_req_attach(struct client *c, char **v, size_t n)
{
	struct service	*s;
	char		*m;

	if (n != 1) {
		ctl_client_end(c, 0, "bad request");
		return;
	}
	if ((s = ctl_find_or_end(c, v[0])) == NULL)
		return;
	if (!svclog_is_tty(svc_log(s)) || svc_state(s) != SVC_RUNNING) {
		m = xasprintf("%s: %s", svc_name(s), !svclog_is_tty(svc_log(s)) ?
		    "not a terminal service (tty = no)" : "not running");
		ctl_client_end(c, 0, m);
		free(m);
		return;
	}
	ctl_stream_begin(c, s, true);
}

void
ctl_stream_begin(struct client *c, struct service *s, bool tty)
{
	stream_admit(c);
	c->follow = s;
	if (!tty) {
		c->state = C_FOLLOW;
		svclog_follow(svc_log(s), follow_cb, c);
		return;
	}
	c->state = C_ATTACH;
	svclog_tap(svc_log(s), attach_cb, c);
	/* The request read, INPUT and WINCH frames follow. */
	free(c->payload);
	c->payload = NULL;
	c->hdr_got = 0;
}

/* INPUT and WINCH from an attached client; the next message follows. */
void
ctl_attach_input(struct client *c)
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

void
ctl_stream_stop(struct client *c)
{
	if (c->follow == NULL)
		return;
	if (c->state == C_ATTACH)
		svclog_untap(svc_log(c->follow), attach_cb, c);
	else
		svclog_unfollow(svc_log(c->follow), follow_cb, c);
	c->follow = NULL;
}

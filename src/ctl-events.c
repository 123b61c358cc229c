/* SPDX-License-Identifier: ISC */
/*
 * ctl-events.c: the clients of `supctl events` (state C_EVENTS). A new
 * client is sent the ring's events from its SINCE on (events_replay),
 * then every event as it is recorded: this file is the events module's
 * sink, which packs each event once into a ROW and appends it to every
 * client it concerns (all services, or the names it gave). A row is sent
 * at once when nothing is queued before it (send_now); else it is queued
 * and goes out through the write watcher like every reply.
 *
 * Never blocking, never growing without bound: a client whose queued
 * output would pass EVENTS_MAX_OUT (plus what its replay queued) does not
 * read, and is dropped -- its output freed, its socket shut down so that
 * its read watcher sees the end and closes it from the loop (never from
 * here, where a walk of the client list may be under way) -- and supd's
 * log says so. So is one that takes no byte for CTL_WRITE_TIMEOUT (ctl.c).
 */
#include <sys/socket.h>

#include <ev.h>
#include <stdio.h>
#include <string.h>

#include "ctl-private.h"
#include "events.h"
#include "proto.h"
#include "values.h"

/* Queued bytes past which a client is dropped: far more than a client
 * that reads ever holds (a row is ~60 bytes). Its replay of the ring,
 * queued at once (at most EVENTS_RING rows of at most ~300 bytes), comes
 * on top. */
#define EVENTS_MAX_OUT		(64 * 1024)

static struct buf	row;		/* the event being sent, packed once */

static bool
client_wants(const struct client *c, const char *name)
{
	return c->ev_names.n == 0 || strv_has(&c->ev_names, name);
}

/*
 * c does not read: it goes, from the loop. Shutting the socket down makes
 * its read watcher (on for C_EVENTS) see the end at once, and read_cb
 * closes it there.
 */
static void
client_drop(struct client *c)
{
	char	msg[128];

	snprintf(msg, sizeof msg, "control: events client dropped: it did "
	    "not read (%zu bytes queued)", c->out.len);
	ctl_warn_rate(msg);
	ev_io_stop(EV_DEFAULT_UC_ &c->ww);
	ctl_client_deadline(c, 0);
	buf_free(&c->out);
	strv_free(&c->ev_names);
	c->state = C_DONE;
	(void)shutdown(c->fd, SHUT_RDWR);
	ev_io_start(EV_DEFAULT_UC_ &c->rw);
}

/*
 * The row to c: at once when nothing is queued before it -- the next
 * loop iteration may first run a spawn (a restart with no delay), which
 * takes milliseconds -- else behind the rest, from the write watcher.
 * Only a whole send is done here; anything else (partial, EAGAIN, an
 * error) is queued for the watcher, which closes c if it must: nothing
 * here frees a client.
 */
static void
send_now(struct client *c)
{
	ssize_t	n = 0;

	if (c->out.len == 0)
		n = send(c->fd, row.p, row.len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n > 0 && (size_t)n == row.len)
		return;
	buf_add(&c->out, row.p + (n > 0 ? n : 0), row.len - (n > 0 ? n : 0));
	ctl_client_kick(c);
}

/* The events module's sink: one event, to every client it concerns. */
static void
sink_cb(const struct proto_event *pe)
{
	struct client	*c;

	row.len = 0;
	for (c = ctl_first_client(); c != NULL; c = c->next) {
		if (c->state != C_EVENTS || !client_wants(c, pe->name))
			continue;
		/* Cannot fail: every field is bounded, far below a message. */
		if (row.len == 0)
			(void)proto_event_pack(&row, pe);
		if (c->out.len + row.len > c->ev_max) {
			client_drop(c);
			continue;
		}
		send_now(c);
	}
}

static void
replay_cb(const struct proto_event *pe, void *arg)
{
	struct client	*c = arg;

	if (client_wants(c, pe->name))
		(void)proto_event_pack(&c->out, pe);
}

/* events SINCE NAME...: c stays, streaming. */
void
ctl_req_events(struct client *c, char **v, size_t n)
{
	const char	*errstr;
	uint64_t	 since = 0;
	size_t		 i;

	if (n < 1 || (*v[0] != '\0' && parse_uint(v[0], 0, INT64_MAX, &since,
	    &errstr) == -1)) {
		ctl_client_end(c, 0, "bad request");
		return;
	}
	events_set_sink(sink_cb);
	for (i = 1; i < n; i++)
		strv_push(&c->ev_names, v[i]);
	c->state = C_EVENTS;
	if (*v[0] != '\0')
		events_replay((int64_t)since, replay_cb, c);
	c->ev_max = c->out.len + EVENTS_MAX_OUT;
	ctl_client_kick(c);
}

/* SPDX-License-Identifier: ISC */
/*
 * events.c: the events of `supctl events` -- the ring of the last
 * EVENTS_RING and the clients that stream them.
 *
 * The ring is one fixed array of fixed slots, written round and round:
 * recording an event copies it into the oldest slot and allocates
 * nothing, so a flapping service cannot make supd's memory churn or grow.
 * A new client is sent the slots from its SINCE on, then every event as
 * it is recorded (the same ROW, packed once, appended to each client it
 * concerns). Clients are ctl.c's (state C_EVENTS); their output goes out
 * through the write watcher like every reply. A client whose queued
 * output passes EVENTS_MAX_OUT does not read: it is dropped -- its output
 * freed, its socket shut down so that its read watcher sees the end and
 * closes it from the loop (never from here, where another client list
 * walk may be under way) -- and supd's log says so.
 */
#include <sys/socket.h>

#include <ev.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctl-private.h"
#include "events.h"
#include "log.h"
#include "proto.h"
#include "values.h"

/* Queued bytes past which a client is dropped: far more than a client
 * that reads ever holds, and more than a full replay of the ring (a slot
 * packs to at most ~300 bytes), which is queued at once. */
#define EVENTS_MAX_OUT		(512 * 1024)
#define EVENTS_NAME_MAX		64	/* name_valid()'s limit */
#define EVENTS_REASON_MAX	120	/* longer reasons are cut */

struct event_slot {
	int64_t		time_us;
	int64_t		pid;
	int64_t		delay_ms;
	int32_t		code;
	int32_t		signal;
	uint8_t		kind;		/* enum event_kind */
	bool		oom;
	char		name[EVENTS_NAME_MAX + 1];
	char		reason[EVENTS_REASON_MAX + 1];
};

static struct event_slot ring[EVENTS_RING];
static size_t		 ring_next;	/* the slot written next */
static size_t		 ring_len;	/* slots written, at most EVENTS_RING */
static struct buf	 row;		/* one packed ROW, reused */

static const char *const kind_names[EVK_N] = {
	[EVK_ADDED] = "added",		[EVK_REMOVED] = "removed",
	[EVK_RELOADED] = "reloaded",	[EVK_STARTED] = "started",
	[EVK_READY] = "ready",		[EVK_EXITED] = "exited",
	[EVK_BACKOFF] = "backoff",	[EVK_FAILED] = "failed",
	[EVK_STOPPING] = "stopping",	[EVK_STOPPED] = "stopped",
	[EVK_PAUSED] = "paused",	[EVK_UNPAUSED] = "unpaused",
	[EVK_HEALTHY] = "healthy",	[EVK_UNHEALTHY] = "unhealthy",
};

const char *
events_kind_name(enum event_kind k)
{
	return k < EVK_N ? kind_names[k] : "?";
}

static int64_t
wall_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A slot as one ROW message in `row`. */
static void
slot_pack(const struct event_slot *e)
{
	struct proto_event	pe = {
		.time_us = e->time_us, .name = e->name,
		.event = events_kind_name(e->kind), .pid = e->pid,
		.code = e->code, .signal = e->signal,
		.delay_ms = e->delay_ms, .oom = e->oom, .reason = e->reason,
	};

	buf_reset(&row);
	/* Cannot fail: every field is bounded, far below a message. */
	(void)proto_event_pack(&row, &pe);
}

static bool
client_wants(const struct client *c, const char *name)
{
	return c->ev_names.n == 0 || strv_has(&c->ev_names, name);
}

/*
 * c does not read: it goes, from the loop. Shutting the socket down makes
 * its read watcher (always on for C_EVENTS) see the end at once, and
 * read_cb closes it there.
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
	c->state = C_DONE;
	(void)shutdown(c->fd, SHUT_RDWR);
	ev_io_start(EV_DEFAULT_UC_ &c->rw);
}

void
events_emit(const char *name, enum event_kind kind,
    const struct event_info *in)
{
	static const struct event_info none = EVENT_INFO_NONE;
	struct event_slot	*e = &ring[ring_next];
	struct client		*c, *next;

	if (in == NULL)
		in = &none;
	e->time_us = wall_us();
	e->kind = kind;
	e->pid = in->pid;
	e->code = in->code;
	e->signal = in->signal;
	e->delay_ms = in->delay_ms;
	e->oom = in->oom;
	snprintf(e->name, sizeof e->name, "%s", name);
	snprintf(e->reason, sizeof e->reason, "%s",
	    in->reason != NULL ? in->reason : "");
	ring_next = (ring_next + 1) % EVENTS_RING;
	if (ring_len < EVENTS_RING)
		ring_len++;
	row.len = 0;
	for (c = ctl_first_client(); c != NULL; c = next) {
		next = c->next;
		if (c->state != C_EVENTS || !client_wants(c, e->name))
			continue;
		if (row.len == 0)
			slot_pack(e);
		if (c->out.len + row.len > EVENTS_MAX_OUT) {
			client_drop(c);
			continue;
		}
		buf_add(&c->out, row.p, row.len);
		ctl_client_kick(c);
	}
}

void
events_req(struct client *c, char **v, size_t n)
{
	const struct event_slot	*e;
	const char		*errstr;
	uint64_t		 since = 0;
	size_t			 i;

	if (n < 1 || (*v[0] != '\0' && parse_uint(v[0], 0, INT64_MAX, &since,
	    &errstr) == -1)) {
		ctl_client_end(c, 0, "bad request");
		return;
	}
	for (i = 1; i < n; i++)
		strv_push(&c->ev_names, v[i]);
	c->state = C_EVENTS;
	if (*v[0] == '\0')
		return;
	/* The oldest slot first: the ring's order is time's. */
	for (i = 0; i < ring_len; i++) {
		e = &ring[(ring_next + EVENTS_RING - ring_len + i) %
		    EVENTS_RING];
		if (e->time_us < (int64_t)since || !client_wants(c, e->name))
			continue;
		slot_pack(e);
		buf_add(&c->out, row.p, row.len);
	}
	ctl_client_kick(c);
}

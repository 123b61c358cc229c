/* SPDX-License-Identifier: ISC */
/*
 * events.c: the events of `supctl events` -- the ring of the last
 * EVENTS_RING, and the one sink each is handed to as it is recorded (the
 * control server's, ctl-events.c, which streams them to its clients).
 *
 * The ring is one fixed array of fixed slots, written round and round:
 * recording an event copies it into the oldest slot and allocates
 * nothing, so a flapping service cannot make supd's memory churn or grow.
 * A reason longer than a slot holds is cut.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "events.h"
#include "proto.h"

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
static void		(*sink)(const struct proto_event *);

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

void
events_set_sink(void (*fn)(const struct proto_event *))
{
	sink = fn;
}

static int64_t
wall_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* A slot as the protocol's event (pointing into the slot). */
static void
slot_event(const struct event_slot *e, struct proto_event *pe)
{
	pe->time_us = e->time_us;
	pe->name = e->name;
	pe->event = events_kind_name(e->kind);
	pe->pid = e->pid;
	pe->code = e->code;
	pe->signal = e->signal;
	pe->delay_ms = e->delay_ms;
	pe->oom = e->oom;
	pe->reason = e->reason;
}

void
events_emit(const char *name, enum event_kind kind,
    const struct event_info *in)
{
	static const struct event_info none = EVENT_INFO_NONE;
	struct event_slot	*e = &ring[ring_next];
	struct proto_event	 pe;

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
	if (sink != NULL) {
		slot_event(e, &pe);
		sink(&pe);
	}
}

void
events_replay(int64_t since_us, void (*fn)(const struct proto_event *,
    void *), void *arg)
{
	const struct event_slot	*e;
	struct proto_event	 pe;
	size_t			 i;

	/* The oldest slot first: the ring's order is time's. */
	for (i = 0; i < ring_len; i++) {
		e = &ring[(ring_next + EVENTS_RING - ring_len + i) %
		    EVENTS_RING];
		if (e->time_us < since_us)
			continue;
		slot_event(e, &pe);
		fn(&pe, arg);
	}
}

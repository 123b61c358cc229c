/* SPDX-License-Identifier: ISC */
/*
 * events.h: what happens to services, as `supctl events` streams it
 * (events.c). The service module says what happened (events_emit, from
 * the one place each kind of change is made); events.c keeps the last
 * EVENTS_RING of them in a fixed ring and hands each to one sink, the
 * control server's (ctl-events.c), which writes it to the clients that
 * asked. Neither the service module nor this one knows about clients.
 */
#ifndef SUPD_EVENTS_H
#define SUPD_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto.h"

#define EVENTS_RING	1000	/* events kept for --since */

/* The kinds of event; their names are what supctl events prints. */
enum event_kind {
	EVK_ADDED,	/* a service exists: boot, reload, supctl run */
	EVK_REMOVED,	/* a removed service is gone (once stopped) */
	EVK_RELOADED,	/* a reload changed its definition */
	EVK_STARTED,	/* exec succeeded: pid */
	EVK_READY,	/* it is running (ready, per its `ready`) */
	EVK_EXITED,	/* its run ended on its own: code or signal, oom */
	EVK_BACKOFF,	/* to be started again after delay_ms */
	EVK_FAILED,	/* gave up: reason */
	EVK_STOPPING,	/* its stop signal was sent */
	EVK_STOPPED,	/* stopped by request (code or signal if it ran) */
	EVK_PAUSED,	/* its cgroup frozen */
	EVK_UNPAUSED,	/* thawed */
	EVK_HEALTHY,	/* a health check passed after none or failures */
	EVK_UNHEALTHY,	/* `retries` checks failed in a row: reason */
	EVK_N
};

/* What an event says besides its kind; -1 (false, NULL) where it does
 * not apply. */
struct event_info {
	int64_t		 pid;
	int		 code;
	int		 signal;
	int64_t		 delay_ms;
	bool		 oom;
	const char	*reason;	/* cut to fit the ring's slot */
};
#define EVENT_INFO_NONE	{ -1, -1, -1, -1, false, NULL }

/* Record an event of service name (info may be NULL) and hand it to the
 * sink. */
void		 events_emit(const char *name, enum event_kind,
		    const struct event_info *);
const char	*events_kind_name(enum event_kind);
/* Who is handed every event as it is recorded (one; NULL: nobody). The
 * event's strings live until the sink returns. */
void		 events_set_sink(void (*)(const struct proto_event *));
/* Each event of the ring stamped at or after since_us, oldest first. */
void		 events_replay(int64_t since_us,
		    void (*)(const struct proto_event *, void *), void *);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * events.h: what happens to services, as `supctl events` streams it
 * (events.c). The service module says what happened (events_emit, from
 * the one place each kind of change is made); events.c keeps the last
 * EVENTS_RING of them in a fixed ring and writes them to the control
 * clients that asked (PROTO_EVENTS).
 */
#ifndef SUPD_EVENTS_H
#define SUPD_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

struct client;

/* Record an event of service name (info may be NULL) and send it to the
 * events clients it concerns. Never blocks: a client that does not keep
 * up is dropped, and supd's log says so. */
void		 events_emit(const char *name, enum event_kind,
		    const struct event_info *);
const char	*events_kind_name(enum event_kind);
/* PROTO_EVENTS: SINCE, NAME...: c becomes an events client (C_EVENTS),
 * its names in c->ev_names (freed with c). */
void		 events_req(struct client *, char **v, size_t n);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * ctl-private.h: what the files of the control socket server share, and
 * nothing outside them includes (the rest of supd sees ctl.h):
 *
 *   ctl.c         connections: listen, accept, limits, reading a request's
 *                 frames, writing replies, deadlines, closing
 *   ctl-peer.c    who is on the other end: credentials, socket_group,
 *                 inside a service or not
 *   ctl-verbs.c   the verb table, the one dispatcher and each request,
 *                 waiting for services to settle, exec
 *   ctl-follow.c  the streams a client stays for: logs -f and attach
 *   ctl-run.c     run and rm: a service made from a request, and the
 *                 client that stays for its end
 *   ctl-events.c  events: the clients streaming them (the ring is
 *                 events.c's)
 *   ctl-health.c  health and ready: the probes of a container engine
 *
 * A client is one struct client, owned by ctl.c (the list, its fd, its
 * watchers); the other files fill its output through ctl_client_end() and
 * ctl_client_kick() and never free it.
 */
#ifndef SUPD_CTL_PRIVATE_H
#define SUPD_CTL_PRIVATE_H

#include <sys/socket.h>
#include <sys/types.h>

#include <ev.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "proto.h"
#include "util.h"

struct service;

/* What a peer may do. */
enum peer_access {
	PEER_NONE,	/* refused */
	PEER_READ,	/* socket_group: status, inspect, logs,
			   network ls and inspect, events, health */
	PEER_ALL,	/* root or supd's own uid */
};

enum client_state {
	C_READ,		/* reading the request */
	C_WAIT,		/* waiting for services to settle */
	C_FOLLOW,	/* streaming a log */
	C_EXEC,		/* waiting for an exec's command to end */
	C_ATTACH,	/* relaying a tty service's terminal */
	C_EVENTS,	/* streaming events (ctl-events.c) */
	C_IMAGE,	/* waiting for supd-image (ctl-image.c) */
	C_DONE,		/* reply queued; close once written */
};

struct client {
	int		 fd;
	enum client_state state;
	ev_io		 rw;		/* readable: request bytes, or EOF */
	ev_io		 ww;		/* writable: output pending */
	ev_timer	 tmo;		/* request or write deadline */
	ev_timer	 frame_tmo;	/* C_ATTACH: a frame begun must end */
	uint8_t		 hdr[PROTO_HDR_SIZE];	/* the frame header read so far */
	size_t		 hdr_got;	/* bytes of hdr read */
	struct proto_hdr h;		/* hdr, decoded once whole */
	char		*payload;	/* the frame's payload, NUL-ended */
	size_t		 pay_got;	/* bytes of payload read */
	struct buf	 out;		/* reply bytes not yet sent */
	struct service	**wait;		/* C_WAIT: services not yet settled */
	size_t		 nwait;
	bool		 want_running;	/* C_WAIT: start/restart (or stop) */
	struct strv	 failed;	/* C_WAIT: what did not work */
	struct service	*follow;	/* C_FOLLOW, C_ATTACH: whose log */
	bool		 follow_t;	/* logs -f -t: each line gets its time */
	bool		 follow_bol;	/* ... and the next byte begins one */
	int		 fds[PROTO_EXEC_FDS]; /* passed with the request */
	int		 nfds;
	pid_t		 exec_pid;	/* C_EXEC: the exec process */
	/* supctl run: the service it made, until the reply ends: detached
	 * (C_WAIT) until it is past starting, else (C_FOLLOW, C_ATTACH)
	 * until its run ends, when EXIT comes before END. */
	struct service	*run;
	enum peer_access access;	/* what it may ask */
	struct strv	 ev_names;	/* C_EVENTS: the services it follows
					   (none: all) */
	size_t		 ev_max;	/* C_EVENTS: queued bytes past which
					   it is dropped (ctl-events.c) */
	unsigned	 img_job;	/* C_IMAGE: the run it waits for */
	bool		 img_json;	/* ... its reply's form */
	struct client	*prev, *next;	/* the list, newest first */
};

/* ctl.c */
/* The first client of the list (newest first; follow ->next). */
struct client	*ctl_first_client(void);
/* Queue the END message (ok, msg) and close once it is written. */
void		 ctl_client_end(struct client *, int ok, const char *msg);
/* Start writing what c->out holds (from the write watcher, never now). */
void		 ctl_client_kick(struct client *);
/* Stop and free c at once; only from a callback that owns no pointer to
 * it afterwards (a hook, the write or read watcher, a stream callback). */
void		 ctl_client_close(struct client *);
/* (Re)arm c's deadline: secs from now, or none when secs is 0. */
void		 ctl_client_deadline(struct client *, double secs);
/* A warning, at most one a second: a flood must not flood the log too. */
void		 ctl_warn_rate(const char *);

/* ctl-peer.c */
/* Remember supd's namespaces and socket_group (ctl_listen). */
void		 ctl_peer_init(const struct supd_conf *);
/* What the peer on fd may do; for PEER_NONE, *why says what refused it. */
enum peer_access ctl_peer_access(int fd, struct ucred *, const char **why);
/* The *why of a peer refused for want of fds: it is told so, and may well
 * try again (every other refusal is told "permission denied"). */
extern const char ctl_peer_no_fds[];

/* ctl-verbs.c */
/* The one dispatcher: c's request has been read whole. */
void		 ctl_request(struct client *);
/* The service named, or NULL after replying "no such service". */
struct service	*ctl_find_or_end(struct client *, const char *name);
/* "no such WHAT: NAME", NAME cut and escaped for a reply (allocated). */
char		*ctl_no_such(const char *what, const char *name);
/* A request's flag argument: "0" or "1". */
bool		 ctl_is_flag(const char *);
/* b into c's output as DATA messages of at most one payload each. */
void		 ctl_put_data(struct client *, const struct buf *);

/* ctl-volume.c: supctl volume ls (JSON "0"|"1"), inspect NAME..., rm
 * NAME... (refused, naming the service, while one uses it), prune (JSON). */
void		 ctl_req_vol_ls(struct client *, char **v, size_t n);
void		 ctl_req_vol_inspect(struct client *, char **v, size_t n);
void		 ctl_req_vol_rm(struct client *, char **v, size_t n);
void		 ctl_req_vol_prune(struct client *, char **v, size_t n);

/* ctl-image.c: supctl image ls (JSON "0"|"1"), inspect REF|ID, rm
 * REF|ID... (refused, naming the service, while one uses it), prune
 * (JSON); rm and prune leave c waiting (C_IMAGE) until supd-image ends. */
void		 ctl_req_img_ls(struct client *, char **v, size_t n);
void		 ctl_req_img_inspect(struct client *, char **v, size_t n);
void		 ctl_req_img_rm(struct client *, char **v, size_t n);
void		 ctl_req_img_prune(struct client *, char **v, size_t n);

/* ctl-run.c */
/* run FLAGS NAME TEXT, rm FORCE NAME... */
void		 ctl_req_run(struct client *, char **v, size_t n);
void		 ctl_req_rm(struct client *, char **v, size_t n);
/* s changed or is going: the run clients waiting on it; true if c was
 * one of them (its reply may have ended). */
bool		 ctl_run_changed(struct client *, struct service *s, bool gone);

/* ctl-health.c: health | ready NAME...: END ok, or a line per failing
 * service. */
void		 ctl_req_health(struct client *, char **v, size_t n);

/* ctl-events.c: events SINCE NAME...: c streams events (C_EVENTS), the
 * names in c->ev_names (freed with c). */
void		 ctl_req_events(struct client *, char **v, size_t n);

/* ctl-follow.c */
/* logs NAME N F: the last N lines, then with F "1" every byte appended. */
void		 ctl_req_logs(struct client *, char **v, size_t n);
/* attach NAME: a running tty service's terminal, until either side ends. */
void		 ctl_req_attach(struct client *, char **v, size_t n);
/* An attached client's INPUT or WINCH frame, read whole. */
void		 ctl_attach_input(struct client *);
/* c streams s: its main log (C_FOLLOW), or with tty its terminal's raw
 * output, taking INPUT and WINCH frames (C_ATTACH). */
void		 ctl_stream_begin(struct client *, struct service *, bool tty);
/* c leaves the log it follows or the terminal it is attached to. */
void		 ctl_stream_stop(struct client *);

#endif

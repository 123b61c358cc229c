/* SPDX-License-Identifier: ISC */
/*
 * proto.h: the control protocol between supctl and supd, the one definition
 * both programs link (proto.c).
 *
 * Every message is a 12-byte header followed by a payload:
 *
 *	u32 magic	PROTO_MAGIC ("SUPD"), little endian
 *	u16 version	PROTO_VERSION
 *	u16 type	enum proto_type
 *	u32 len		payload bytes, at most PROTO_MAX_PAYLOAD
 *
 * A payload is a list of NUL-terminated strings (a "strv"), except for
 * PROTO_DATA which carries raw bytes. A client sends exactly one request;
 * supd answers with zero or more PROTO_ROW / PROTO_DATA messages and ends the
 * reply with exactly one PROTO_END, the explicit terminator of the reply.
 * Anything else (bad magic, version, type, length, a strv not ending in NUL,
 * too many strings) is a protocol error: supd answers with an END carrying
 * the error when it can and closes the connection.
 */
#ifndef SUPD_PROTO_H
#define SUPD_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define PROTO_MAGIC		0x44505553u	/* "SUPD" as little-endian bytes */
#define PROTO_VERSION		1
#define PROTO_HDR_SIZE		12
#define PROTO_MAX_PAYLOAD	(256 * 1024)	/* one message, either direction */
#define PROTO_MAX_ARGS		1024		/* strings in one strv payload */
#define PROTO_LOGS_MAX_LINES	100000		/* LINES of a PROTO_LOGS request */

enum proto_type {
	/* Requests, supctl -> supd. The payload is a strv as described. */
	PROTO_STATUS = 1,	/* NAME... (none = every service) */
	PROTO_START,		/* WAIT ("0"|"1"), NAME... ("all" = every service) */
	PROTO_STOP,		/* WAIT, NAME... */
	PROTO_RESTART,		/* WAIT, NAME... */
	PROTO_SIGNAL,		/* NAME, SIGNAL (name or number) */
	PROTO_LOGS,		/* NAME, LINES (decimal), FOLLOW ("0"|"1")
				   [, SINCE, UNTIL (ms since the epoch, ""
				   for none), TIMESTAMPS ("0"|"1")]: only
				   the lines written in the window */
	PROTO_INSPECT,		/* NAME */
	PROTO_RELOAD,		/* (empty) */
	PROTO_SHUTDOWN,		/* (empty), or "poweroff" | "reboot" | "halt"
				   (supd as PID 1 of a machine only) */
	PROTO_EXEC,		/* TTY ("0"|"1"), NAME, CMD, ARG...; the message
				   carries 3 fds (SCM_RIGHTS): stdin, stdout,
				   stderr of the command. Reply: EXIT, END */
	PROTO_ATTACH,		/* NAME; then the client may send INPUT and
				   WINCH, supd sends DATA until END */
	PROTO_NET_LS,		/* (empty): one ROW per network, see
				   proto_net_pack() */
	PROTO_NET_INSPECT,	/* NAME...: DATA, a JSON array */
	PROTO_STATS,		/* NAME... (none = every service); reply: a
				   stats ROW per service, see
				   proto_stats_pack(), or END error when
				   there is no cgroup v2 tree */
	PROTO_PAUSE,		/* NAME: freeze its cgroup (state paused) */
	PROTO_UNPAUSE,		/* NAME: thaw it (state running) */
	PROTO_RUN,		/* FLAGS, NAME ("" = a generated one), TEXT
				   (a service file); with 'i' in FLAGS 1 fd
				   (stdin). Reply: ROW NAME, then with 'f'
				   DATA (its log or terminal) and EXIT */
	PROTO_RM,		/* FORCE ("0"|"1"), NAME... */
	PROTO_VOL_LS,		/* JSON ("0"|"1"): DATA, a table (NAME, USED
				   BY) or a JSON array */
	PROTO_VOL_INSPECT,	/* NAME...: DATA, a JSON array */
	PROTO_VOL_RM,		/* NAME...: every one, or none (END error
				   naming the service that uses it) */
	PROTO_VOL_PRUNE,	/* JSON ("0"|"1"): DATA, the names removed, a
				   line each or a JSON array */
	PROTO_EVENTS = 23,	/* SINCE (us since the epoch, "" = only new
				   ones), NAME... (none = every service):
				   an event ROW each (proto_event_pack()),
				   the ring's from SINCE on, then as they
				   happen; no END until supd goes */
	PROTO_HEALTH = 24,	/* MODE ("health"|"ready"), NAME... (none =
				   every service meant to run): END ok, or
				   error with a line per failing service */
	PROTO_METRICS = 25,	/* (empty): DATA, the Prometheus text format
				   (metrics.c) */
	PROTO_IMG_LS = 26,	/* JSON ("0"|"1"): DATA, a table (ID, REFS,
				   SIZE, CREATED, USED BY) or a JSON array */
	PROTO_IMG_INSPECT = 27,	/* REF or ID: DATA, a JSON object */
	PROTO_IMG_RM = 28,	/* REF or ID...: every one, or none (END error
				   naming the service that uses it); END
				   once supd-image rm has ended */
	PROTO_IMG_PRUNE = 29,	/* JSON ("0"|"1"): DATA, the ids removed, a
				   line each or a JSON array; END once
				   supd-image has ended */
	PROTO_REQ_MAX,		/* first value that is not a request */

	/* After ATTACH, supctl -> supd. */
	PROTO_INPUT = 50,	/* raw bytes for the service's terminal */
	PROTO_WINCH,		/* ROWS, COLS (decimal) */

	/* Replies, supd -> supctl. */
	PROTO_ROW = 100,	/* one status (or network) row, see
				   proto_status_pack() */
	PROTO_DATA,		/* raw bytes: log text, inspect JSON */
	PROTO_END,		/* "ok" | "error", then zero or more message lines */
	PROTO_EXIT,		/* exec: CODE, the command's exit code (128+N
				   for death by signal N) */
};

#define PROTO_EXEC_FDS		3	/* fds passed with PROTO_EXEC */

struct proto_hdr {
	uint32_t	magic;
	uint16_t	version;
	uint16_t	type;		/* enum proto_type */
	uint32_t	len;		/* payload length */
};

/* One row of `status`: what supd knows about a service right now. */
struct proto_status {
	const char	*name;
	const char	*state;		/* "stopped", "running", ... (docs/design.md) */
	const char	*reason;	/* why, e.g. the spawn error; "" if none */
	int64_t		 pid;		/* main process in supd's pid ns, 0 if none */
	int64_t		 uptime_ms;	/* 0 unless running */
	int64_t		 restarts;	/* automatic restarts since last started */
	int64_t		 exit_code;	/* last exit code, -1 if none */
	int64_t		 exit_signal;	/* signal that ended the last run, 0 if none */
	const char	*health;	/* "starting", "healthy", "unhealthy"; ""
					   without [health] */
	const char	*networks;	/* "NET=ADDR ..." of bridge networks, or
					   "" (a 9-field row: "") */
	const char	*published;	/* "HOSTIP:HOSTPORT:PORT/PROTO ..." of
					   its `publish`, or "" (a 9- or
					   10-field row: "") */
	int		 bound;		/* 1: those ports are bound now */
	int64_t		 oom_kills;	/* OOM kills in its cgroup; -1 without
					   one (sent as "") */
	const char	*command;	/* its command line (ps); "" before */
	int		 transient;	/* 1: from supctl run, in memory only */
	int64_t		 ended_ago_ms;	/* since its last run ended, -1 if it
					   did not (a row before: -1) */
};
#define PROTO_STATUS_FIELDS	16

/* One row of `network ls`: a network of supd.conf and what is made of it. */
struct proto_net {
	const char	*name;
	const char	*bridge;	/* its interface */
	const char	*subnet;	/* "10.88.0.0/16" */
	const char	*gateway;	/* the bridge's address */
	const char	*ipv6;		/* "fd00::/64", or "" */
	int		 nat;		/* 1: outbound masquerade */
	int		 internal;	/* 1: no route out */
	int		 exists;	/* 1: its bridge exists now */
	int64_t		 members;	/* services holding a lease on it */
};
#define PROTO_NET_FIELDS	9

/*
 * One row of `stats`: what a service's cgroup uses right now. A number is
 * PROTO_STATS_NONE where the group has no such file (its controller is
 * not enabled) or there is no group (note says why), PROTO_STATS_MAX for
 * a limit of "max".
 */
#define PROTO_STATS_NONE	(-1)
#define PROTO_STATS_MAX		(-2)
struct proto_stats {
	const char	*name;
	const char	*state;		/* as in status */
	const char	*note;		/* why there are no numbers, or "" */
	int64_t		 cpu_pct100;	/* CPU % x 100 since supd's previous
					   sample of it (the first: since its
					   group's start) */
	int64_t		 cpu_usec;	/* cpu.stat usage_usec */
	int64_t		 mem_current;	/* bytes */
	int64_t		 mem_max;	/* bytes, or PROTO_STATS_MAX */
	int64_t		 pids_current;
	int64_t		 pids_max;	/* or PROTO_STATS_MAX */
	int64_t		 io_rbytes;	/* read, all devices */
	int64_t		 io_wbytes;	/* written, all devices */
};
#define PROTO_STATS_FIELDS	11

/*
 * One row of `events`: a state change of a service as supd saw it. A
 * number that does not apply is -1 (pid, code, signal, delay: sent as "").
 */
struct proto_event {
	int64_t		 time_us;	/* wall clock, us since the epoch */
	const char	*name;		/* the service */
	const char	*event;		/* "started", "exited", ... */
	int64_t		 pid;		/* started: its main process */
	int64_t		 code;		/* exited, stopped: the exit status */
	int64_t		 signal;	/* exited, stopped: the killing signal */
	int64_t		 delay_ms;	/* backoff: until the next start */
	int		 oom;		/* exited: its cgroup saw an OOM kill */
	const char	*reason;	/* failed, unhealthy, ...: why, or "" */
};
#define PROTO_EVENT_FIELDS	9

/* Encode a header into PROTO_HDR_SIZE bytes. */
void	 proto_hdr_pack(uint8_t *, uint16_t type, uint32_t len);
/* Decode and validate a header; -1 with *errstr on a bad one. */
int	 proto_hdr_unpack(const uint8_t *, struct proto_hdr *, const char **errstr);

/* Append a whole message (header + strv payload) to a buffer; -1 if too big. */
int	 proto_put_strv(struct buf *, uint16_t type, char *const *v, size_t n);
/* Append a whole message with a raw payload; -1 if too big. */
int	 proto_put_data(struct buf *, uint16_t type, const void *, size_t);
/* Append an END: ok (1) or error (0) with one message (may be NULL). */
void	 proto_put_end(struct buf *, int ok, const char *msg);

/*
 * Split a strv payload in place. *v points into p (no copies), has room for
 * a NULL after the last item, and is freed by the caller with free().
 */
int	 proto_strv_unpack(const char *p, size_t len, char ***v, size_t *n,
	    const char **errstr);

/* A status row as a strv message, and back. */
int	 proto_status_pack(struct buf *, const struct proto_status *);
int	 proto_status_unpack(char *const *v, size_t n, struct proto_status *,
	    const char **errstr);
/* A network row as a strv message, and back. */
int	 proto_net_pack(struct buf *, const struct proto_net *);
int	 proto_net_unpack(char *const *v, size_t n, struct proto_net *,
	    const char **errstr);

/* A stats row as a strv message, and back. */
int	 proto_stats_pack(struct buf *, const struct proto_stats *);
int	 proto_stats_unpack(char *const *v, size_t n, struct proto_stats *,
	    const char **errstr);

/* An events row as a strv message, and back. */
int	 proto_event_pack(struct buf *, const struct proto_event *);
int	 proto_event_unpack(char *const *v, size_t n, struct proto_event *,
	    const char **errstr);

#endif

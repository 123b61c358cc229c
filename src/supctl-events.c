/* SPDX-License-Identifier: ISC */
/*
 * supctl-events.c: `supctl events [--json] [--since T] [NAME...]`, the
 * state changes of services as they happen, docker events' way: one line
 * each (time, service, event, details), or a JSON object a line with
 * --json. supd keeps the last 1000 (src/events.c): --since T replays
 * those from T on (T as logs takes it: RFC 3339, unix seconds, a duration
 * back from now), then the stream goes on live. It runs until interrupted
 * (exit 0) or until supd ends the connection (exit 3, as a reply that
 * broke off: supd went away, or dropped us for not reading).
 */
#include <err.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"
#include "supctl-io.h"
#include "supctl.h"
#include "util.h"
#include "values.h"

static void
events_interrupted_cb(int sig)
{
	(void)sig;
	_exit(SUPCTL_EXIT_OK);
}

static void	events_usage(const char *, ...) ATTR_PRINTF(1, 2)
		    __attribute__((noreturn));

static void
events_usage(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "supctl: events: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: supctl events [--json] [--since T] "
	    "[NAME...]\n");
	exit(SUPCTL_EXIT_USAGE);
}

/* 2026-11-30T13:07:51.221456Z */
static void
fmt_time(int64_t us, char *out, size_t len)
{
	time_t		t = us / 1000000;
	struct tm	tm;
	char		s[24];

	gmtime_r(&t, &tm);
	strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, len, "%s.%06dZ", s, (int)(us % 1000000));
}

static const char *
sig_str(int64_t sig, char *buf, size_t len)
{
	const char	*n = signal_name((int)sig);

	if (n != NULL)
		return n;
	snprintf(buf, len, "%" PRId64, sig);
	return buf;
}

/* One event: a line, or with json an object on a line. */
static void
event_print(const struct proto_event *e, int json, struct buf *b)
{
	char	 t[40], sb[24];
	char	*safe;

	fmt_time(e->time_us, t, sizeof t);
	buf_reset(b);
	if (json) {
		buf_printf(b, "{\"time\":\"%s\",\"time_us\":%" PRId64
		    ",\"service\":", t, e->time_us);
		buf_json_str(b, e->name);
		buf_puts(b, ",\"event\":");
		buf_json_str(b, e->event);
		if (e->pid >= 0)
			buf_printf(b, ",\"pid\":%" PRId64, e->pid);
		if (e->code >= 0)
			buf_printf(b, ",\"exit_code\":%" PRId64, e->code);
		if (e->signal >= 0)
			buf_printf(b, ",\"signal\":\"%s\"",
			    sig_str(e->signal, sb, sizeof sb));
		if (e->oom)
			buf_puts(b, ",\"oom_killed\":true");
		if (e->delay_ms >= 0)
			buf_printf(b, ",\"delay_ms\":%" PRId64, e->delay_ms);
		if (*e->reason != '\0') {
			buf_puts(b, ",\"reason\":");
			buf_json_str(b, e->reason);
		}
		buf_puts(b, "}\n");
	} else {
		safe = sio_safe_str(e->name);
		buf_printf(b, "%s %s %s", t, safe, e->event);
		free(safe);
		if (e->pid >= 0)
			buf_printf(b, " pid=%" PRId64, e->pid);
		if (e->code >= 0)
			buf_printf(b, " code=%" PRId64, e->code);
		if (e->signal >= 0)
			buf_printf(b, " signal=%s", sig_str(e->signal, sb,
			    sizeof sb));
		if (e->oom)
			buf_puts(b, " oom_killed");
		if (e->delay_ms >= 0)
			buf_printf(b, " delay=%" PRId64 "ms", e->delay_ms);
		if (*e->reason != '\0') {
			safe = sio_safe_str(e->reason);
			buf_printf(b, " reason=\"%s\"", safe);
			free(safe);
		}
		buf_puts(b, "\n");
	}
	if (fwrite(b->p, 1, b->len, stdout) != b->len || fflush(stdout) == EOF)
		err(SUPCTL_EXIT_FAILED, "stdout");
}

/* Parse the options into the request: SINCE, NAME... */
static void
events_parse(int argc, char **argv, int *json, struct strv *req)
{
	static const struct option lopts[] = {
		{ "json",	no_argument,		NULL, 'j' },
		{ "since",	required_argument,	NULL, 's' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 }
	};
	struct timespec	 now;
	const char	*errstr;
	int64_t		 ms;
	char		 num[24] = "";
	int		 ch;

	optind = 0;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, ":h", lopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			*json = 1;
			break;
		case 's':
			clock_gettime(CLOCK_REALTIME, &now);
			if (parse_log_time(optarg, (int64_t)now.tv_sec * 1000 +
			    now.tv_nsec / 1000000, &ms, &errstr) == -1)
				events_usage("--since: %s", errstr);
			if (ms < 0)
				events_usage("--since %s: before 1970", optarg);
			/* (0: "", which supd takes as none: 1 us is it.) */
			snprintf(num, sizeof num, "%" PRId64,
			    ms > 0 ? ms * 1000 : 1);
			break;
		case 'h':
			printf("usage: supctl events [--json] [--since T] "
			    "[NAME...]\n  stream state changes of services as "
			    "they happen\n");
			exit(SUPCTL_EXIT_OK);
		case ':':
			events_usage("option %s needs an argument",
			    argv[optind - 1]);
		default:
			events_usage("unknown option %s", argv[optind - 1]);
		}
	}
	strv_push(req, num);
	for (; optind < argc; optind++)
		strv_push(req, argv[optind]);
}

int
events_main(int argc, char **argv, const char *sock, int json)
{
	struct strv		 req = { 0 };
	struct buf		 msg = { 0 }, line = { 0 };
	struct proto_hdr	 h;
	struct proto_event	 e;
	struct sio_end		 end;
	const char		*errstr;
	char			*payload, **v;
	size_t			 n, i;
	int			 fd;

	events_parse(argc, argv, &json, &req);
	sio_set_json(json);
	if (proto_put_strv(&msg, PROTO_EVENTS, req.v, req.n) == -1)
		events_usage("request too large");
	strv_free(&req);
	signal(SIGINT, events_interrupted_cb);
	fd = sio_connect(sock);
	(void)sio_send(fd, msg.p, msg.len);
	buf_free(&msg);
	for (;;) {
		sio_frame_read(fd, &h, &payload);
		if (h.type == PROTO_END) {
			/* Refused (permission, bad request). */
			sio_end_decode(payload, h.len, &end);
			for (i = 0; i < end.msgs.n; i++)
				warnx("%s", end.msgs.v[i]);
			return end.ok ? SUPCTL_EXIT_OK : SUPCTL_EXIT_FAILED;
		}
		if (h.type != PROTO_ROW ||
		    proto_strv_unpack(payload, h.len, &v, &n, &errstr) == -1 ||
		    proto_event_unpack(v, n, &e, &errstr) == -1)
			sio_fail(SUPCTL_EXIT_UNREACH, "protocol error: %s",
			    h.type != PROTO_ROW ? "unexpected message" :
			    errstr);
		event_print(&e, json, &line);
		free(v);
		free(payload);
	}
}

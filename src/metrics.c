/* SPDX-License-Identifier: ISC */
/*
 * metrics.c: supd and its services in Prometheus' text exposition format
 * (version 0.0.4), made by one function, metrics_render, for both
 * `supctl metrics` (ctl-verbs.c) and the HTTP endpoint of metrics_listen
 * (metrics-http.c).
 *
 * The names and what they mean are supctl(1)'s ("metrics"). A state is a
 * state set, as kube-state-metrics does it: one series per state, the
 * current one 1, the others 0, so `supd_service_state{state="running"} ==
 * 1` selects and sum() counts. What a service does not have (a cgroup, a
 * last exit) has no series rather than a made-up value.
 */
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-stats.h"
#include "metrics.h"
#include "proto.h"
#include "service.h"
#include "svclog.h"

#ifndef SUPD_VERSION
#define SUPD_VERSION	"0.1.0"
#endif

/* The control socket's clients now (ctl_clients: ctl.c includes this
 * module's header, so it is handed in rather than included). */
static unsigned	(*clients_fn)(void);

/* What one family is: its name, type and help line. */
struct family {
	const char	*name;
	const char	*type;		/* "gauge" or "counter" */
	const char	*help;
};

/* One service as read once per render: every family reads this. */
struct row {
	const char		*name;
	const char		*state;
	const char		*health;	/* "" without [health] */
	int64_t			 restarts;
	int64_t			 exit_code;	/* -1: never ended */
	double			 uptime_s;
	int64_t			 oom_kills;	/* -1: no group */
	struct svclog_counters	 log;
	bool			 has_cg;	/* cg read */
	struct cg_stats		 cg;
};

void
metrics_set_clients(unsigned (*fn)(void))
{
	clients_fn = fn;
}

void
metrics_label_value(struct buf *b, const char *v)
{
	for (; *v != '\0'; v++) {
		if (*v == '\\')
			buf_puts(b, "\\\\");
		else if (*v == '"')
			buf_puts(b, "\\\"");
		else if (*v == '\n')
			buf_puts(b, "\\n");
		else
			buf_add(b, v, 1);
	}
}

static void
family_head(struct buf *b, const struct family *f)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help,
	    f->name, f->type);
}

/* `NAME{service="S"` (the caller ends the labels). */
static void
series_open(struct buf *b, const struct family *f, const struct row *r)
{
	buf_printf(b, "%s{service=\"", f->name);
	metrics_label_value(b, r->name);
	buf_puts(b, "\"");
}

/* supd_service_state: one series per distinct state name. */
static void
render_state(struct buf *b, const struct row *rows, size_t n)
{
	static const struct family f = { "supd_service_state", "gauge",
	    "1 for the state the service is in, 0 for the others" };
	const char	*st;
	size_t		 i, j, k;

	family_head(b, &f);
	for (i = 0; i < n; i++)
		for (j = 0; j < SVC_NSTATES; j++) {
			st = svc_state_name(j);
			for (k = 0; k < j; k++)	/* starting, stopping twice */
				if (strcmp(svc_state_name(k), st) == 0)
					break;
			if (k < j)
				continue;
			series_open(b, &f, &rows[i]);
			buf_printf(b, ",state=\"%s\"} %d\n", st,
			    strcmp(rows[i].state, st) == 0);
		}
}

/* supd_service_health: healthy, unhealthy, starting, or none. */
static void
render_health(struct buf *b, const struct row *rows, size_t n)
{
	static const struct family f = { "supd_service_health", "gauge",
	    "1 for the service's health check result, 0 for the others "
	    "(none: no [health] section)" };
	static const char *const names[] = { "starting", "healthy",
	    "unhealthy", "none" };
	const char	*h;
	size_t		 i, j;

	family_head(b, &f);
	for (i = 0; i < n; i++) {
		h = *rows[i].health != '\0' ? rows[i].health : "none";
		for (j = 0; j < sizeof names / sizeof *names; j++) {
			series_open(b, &f, &rows[i]);
			buf_printf(b, ",health=\"%s\"} %d\n", names[j],
			    strcmp(h, names[j]) == 0);
		}
	}
}

/* The families of one number per service, from the row. */
enum field {
	F_RESTARTS, F_EXIT, F_UPTIME, F_LOG_BYTES, F_LOST_BYTES,
	F_LOST_LINES, F_OOM, F_CPU, F_MEM, F_PIDS, F_NFIELDS
};

static const struct family fields[F_NFIELDS] = {
	[F_RESTARTS] = { "supd_service_restarts_total", "counter",
	    "automatic restarts since the service was last started by request" },
	[F_EXIT] = { "supd_service_last_exit_code", "gauge",
	    "exit code of the last run (128+N for signal N, 127: could not "
	    "start); no series before a run ended" },
	[F_UPTIME] = { "supd_service_uptime_seconds", "gauge",
	    "seconds the service has been running, 0 when not running" },
	[F_LOG_BYTES] = { "supd_service_log_written_bytes_total", "counter",
	    "bytes written to the service's log files since supd started" },
	[F_LOST_BYTES] = { "supd_service_log_dropped_bytes_total", "counter",
	    "output bytes that never reached the log files (when_full = drop)" },
	[F_LOST_LINES] = { "supd_service_log_dropped_lines_total", "counter",
	    "line ends among the dropped bytes" },
	[F_OOM] = { "supd_service_oom_kills_total", "counter",
	    "processes of the service's cgroup killed by the OOM killer" },
	[F_CPU] = { "supd_service_cpu_seconds_total", "counter",
	    "CPU time used by the service's cgroup (cpu.stat usage_usec)" },
	[F_MEM] = { "supd_service_memory_bytes", "gauge",
	    "memory used by the service's cgroup (memory.current)" },
	[F_PIDS] = { "supd_service_pids", "gauge",
	    "tasks in the service's cgroup (pids.current)" },
};

/* Row r's value of field f into *v; false when it has none. */
static bool
field_value(const struct row *r, enum field f, double *v)
{
	uint64_t	u = CGS_NONE;

	switch (f) {
	case F_RESTARTS:
		*v = (double)r->restarts;
		return true;
	case F_EXIT:
		*v = (double)r->exit_code;
		return r->exit_code >= 0;
	case F_UPTIME:
		*v = r->uptime_s;
		return true;
	case F_LOG_BYTES:
		*v = (double)r->log.written;
		return true;
	case F_LOST_BYTES:
		*v = (double)r->log.lost_bytes;
		return true;
	case F_LOST_LINES:
		*v = (double)r->log.lost_lines;
		return true;
	case F_OOM:
		*v = (double)r->oom_kills;
		return r->oom_kills >= 0;
	case F_CPU:
		if (!r->has_cg)
			return false;
		*v = (double)r->cg.cpu_usec / 1e6;
		return true;
	case F_MEM:
		u = r->has_cg ? r->cg.mem_current : CGS_NONE;
		break;
	case F_PIDS:
		u = r->has_cg ? r->cg.pids_current : CGS_NONE;
		break;
	default:
		return false;
	}
	*v = (double)u;
	return u != CGS_NONE;
}

/* A family of one number per service: no HELP or TYPE if none has it. */
static void
render_field(struct buf *b, const struct row *rows, size_t n, enum field f)
{
	double	v;
	size_t	i;
	bool	head = false;

	for (i = 0; i < n; i++) {
		if (!field_value(&rows[i], f, &v))
			continue;
		if (!head)
			family_head(b, &fields[f]);
		head = true;
		series_open(b, &fields[f], &rows[i]);
		/* %.15g: integers as themselves up to 10^15, and seconds
		 * without binary noise (0.994, not 0.99399999999999999). */
		buf_printf(b, "} %.15g\n", v);
	}
}

static void
row_read(struct service *s, struct row *r)
{
	struct proto_status	st;

	svc_status(s, &st);
	memset(r, 0, sizeof *r);
	r->name = st.name;		/* the service's own strings */
	r->state = st.state;		/* constants */
	r->health = st.health;
	r->restarts = st.restarts;
	r->exit_code = st.exit_signal != 0 ? 128 + st.exit_signal :
	    st.exit_code;
	r->uptime_s = (double)st.uptime_ms / 1000.0;
	r->oom_kills = st.oom_kills;
	svclog_counters(svc_log(s), &r->log);
	r->has_cg = svc_cg_usage(s, &r->cg) == 0;
}

/* supd's resident set, in bytes, from /proc/self/statm; -1 if unread. */
static long long
self_rss(void)
{
	unsigned long long	size, rss;
	FILE			*f;
	int			 n;

	if ((f = fopen("/proc/self/statm", "re")) == NULL)
		return -1;
	n = fscanf(f, "%llu %llu", &size, &rss);
	fclose(f);
	return n == 2 ? (long long)(rss * (unsigned long long)
	    sysconf(_SC_PAGESIZE)) : -1;
}

/* supd's open fds (the one reading them not counted); -1 if unread. */
static long
self_fds(void)
{
	struct dirent	*e;
	DIR		*d;
	long		 n = 0;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;
}

/* supd's own numbers, with the names client libraries give them. */
static void
render_self(struct buf *b, size_t nservices)
{
	long long	rss = self_rss();
	long		fds = self_fds();

	buf_printf(b, "# HELP supd_build_info supd's version\n"
	    "# TYPE supd_build_info gauge\n"
	    "supd_build_info{version=\"");
	metrics_label_value(b, SUPD_VERSION);
	buf_printf(b, "\"} 1\n"
	    "# HELP supd_services services defined (files and supctl run)\n"
	    "# TYPE supd_services gauge\nsupd_services %zu\n"
	    "# HELP supd_control_clients connections to the control socket "
	    "now\n# TYPE supd_control_clients gauge\n"
	    "supd_control_clients %u\n", nservices,
	    clients_fn != NULL ? clients_fn() : 0);
	if (rss >= 0)
		buf_printf(b, "# HELP process_resident_memory_bytes supd's "
		    "resident memory size\n# TYPE process_resident_memory_bytes "
		    "gauge\nprocess_resident_memory_bytes %lld\n", rss);
	if (fds >= 0)
		buf_printf(b, "# HELP process_open_fds supd's open file "
		    "descriptors\n# TYPE process_open_fds gauge\n"
		    "process_open_fds %ld\n", fds);
}

void
metrics_render(struct buf *b)
{
	struct row	*rows;
	size_t		 i, n = svc_count();
	int		 f;

	rows = xcalloc(n + 1, sizeof *rows);
	for (i = 0; i < n; i++)
		row_read(svc_at(i), &rows[i]);
	render_self(b, n);
	render_state(b, rows, n);
	render_health(b, rows, n);
	for (f = 0; f < F_NFIELDS; f++)
		render_field(b, rows, n, f);
	free(rows);
}

/* SPDX-License-Identifier: ISC */
/*
 * supctl-show.c: how supctl shows supd's replies -- the status, `ps` and
 * network tables, their --json forms, and the command's data on stdout.
 * supctl.c reads the reply (struct reply) and picks what to show.
 */
#include <err.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto.h"
#include "supctl-show.h"
#include "util.h"
#include "values.h"

/* The command's data on stdout; a failed write is the exit code 1. */
void
show_data(const char *p, size_t len)
{
	if (fwrite(p, 1, len, stdout) != len || fflush(stdout) == EOF)
		err(SUPCTL_EXIT_FAILED, "stdout");
}

static void
fmt_uptime(char *out, size_t len, const struct proto_status *st)
{
	int64_t	s = st->uptime_ms / 1000;

	if (st->uptime_ms <= 0 && strcmp(st->state, "running") != 0)
		snprintf(out, len, "-");
	else if (s < 60)
		snprintf(out, len, "%" PRId64 "s", s);
	else if (s < 3600)
		snprintf(out, len, "%" PRId64 "m%02" PRId64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(out, len, "%" PRId64 "h%02" PRId64 "m", s / 3600,
		    s % 3600 / 60);
	else
		snprintf(out, len, "%" PRId64 "d%02" PRId64 "h", s / 86400,
		    s % 86400 / 3600);
}

/* "SIGKILL", or "SIG<n>" for a signal without a name. */
static void
fmt_signal(char *out, size_t len, int64_t sig)
{
	const char	*name = NULL;

	if (sig > 0 && sig < 1024)
		name = signal_name((int)sig);
	if (name != NULL)
		snprintf(out, len, "%s", name);
	else
		snprintf(out, len, "SIG%" PRId64, sig);
}

/*
 * PORTS as docker ps shows them: "0.0.0.0:8080->80/tcp, ..." from the
 * row's "0.0.0.0:8080:80/tcp ...", while they are bound; else "-".
 */
static char *
fmt_ports(const struct proto_status *st)
{
	struct buf	 b = { 0 };
	char		*copy, *w, *save = NULL, *colon;

	if (!st->bound || *st->published == '\0')
		return xstrdup("-");
	copy = xstrdup(st->published);
	for (w = strtok_r(copy, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save)) {
		buf_puts(&b, b.len > 0 ? ", " : "");
		if ((colon = strrchr(w, ':')) == NULL) {
			buf_puts(&b, w);
			continue;
		}
		buf_add(&b, w, colon - w);
		buf_printf(&b, "->%s", colon + 1);
	}
	free(copy);
	return b.p != NULL ? b.p : xstrdup("-");
}

/* sio_table's rows on stdout; frees the cells and the array. */
static void
print_table(char **cell, size_t nrows, size_t ncols)
{
	struct buf	out = { 0 };

	sio_table(cell, nrows, ncols, &out);
	free(cell);
	fputs(out.p, stdout);
	buf_free(&out);
}

/* The table; PORTS only when some service publishes a port. */
void
show_status_table(const struct reply *rp)
{
	static const char	*head[] = {
		"NAME", "STATE", "PID", "UPTIME", "RESTARTS", "EXIT", "PORTS"
	};
	const struct proto_status *st;
	char			**cell, **r, tmp[64];
	size_t			  i, c, ncols = 6;

	for (i = 0; i < rp->nrows; i++)
		if (*rp->rows[i].published != '\0')
			ncols = 7;
	cell = xcalloc((rp->nrows + 1) * ncols, sizeof *cell);
	for (c = 0; c < ncols; c++)
		cell[c] = xstrdup(head[c]);
	for (i = 0; i < rp->nrows; i++) {
		st = &rp->rows[i];
		r = cell + (i + 1) * ncols;

		r[0] = xstrdup(st->name);
		if (*st->reason != '\0')
			r[1] = xasprintf("%s (%s)", st->state, st->reason);
		else if (*st->health != '\0')
			r[1] = xasprintf("%s (%s)", st->state, st->health);
		else
			r[1] = xstrdup(st->state);
		r[2] = st->pid != 0 ? xasprintf("%" PRId64, st->pid) :
		    xstrdup("-");
		fmt_uptime(tmp, sizeof tmp, st);
		r[3] = xstrdup(tmp);
		r[4] = xasprintf("%" PRId64, st->restarts);
		if (st->exit_signal != 0) {
			fmt_signal(tmp, sizeof tmp, st->exit_signal);
			r[5] = xstrdup(tmp);
		} else if (st->exit_code >= 0)
			r[5] = xasprintf("%" PRId64, st->exit_code);
		else
			r[5] = xstrdup("-");
		if (ncols == 7)
			r[6] = fmt_ports(st);
	}
	print_table(cell, rp->nrows + 1, ncols);
}

/* "3 minutes", docker's way: the largest unit, rounded down. */
static void
fmt_ago(char *out, size_t len, int64_t ms)
{
	static const struct { int64_t secs; const char *unit; } units[] = {
		{ 86400, "day" }, { 3600, "hour" }, { 60, "minute" },
		{ 1, "second" },
	};
	int64_t	s = ms / 1000, n;
	size_t	i;

	if (s < 1) {
		snprintf(out, len, "Less than a second");
		return;
	}
	for (i = 0; s < units[i].secs; i++)
		;
	n = s / units[i].secs;
	snprintf(out, len, "%" PRId64 " %s%s", n, units[i].unit,
	    n == 1 ? "" : "s");
}

/* supctl ps [-a]: NAME, COMMAND, STATUS, PORTS as docker ps shows them;
 * without -a only the services with a process. */
void
show_ps_table(const struct reply *rp, int all)
{
	static const char	*head[] = { "NAME", "COMMAND", "STATUS", "PORTS" };
	const struct proto_status *st;
	char			**cell, **r, ago[64], code[64];
	size_t			  i, n = 0, c;

	cell = xcalloc((rp->nrows + 1) * 4, sizeof *cell);
	for (c = 0; c < 4; c++)
		cell[c] = xstrdup(head[c]);
	for (i = 0; i < rp->nrows; i++) {
		st = &rp->rows[i];
		if (!all && st->pid == 0)
			continue;
		r = cell + ++n * 4;
		r[0] = xstrdup(st->name);
		r[1] = strlen(st->command) > 30 ? xasprintf("%.27s...",
		    st->command) : xstrdup(st->command);
		if (strcmp(st->state, "running") == 0 ||
		    strcmp(st->state, "paused") == 0) {
			fmt_ago(ago, sizeof ago, st->uptime_ms);
			r[2] = xasprintf("Up %s%s", ago, *st->state == 'p' ?
			    " (Paused)" : "");
		} else if (st->ended_ago_ms >= 0) {
			fmt_ago(ago, sizeof ago, st->ended_ago_ms);
			if (st->exit_signal != 0)
				snprintf(code, sizeof code, "%" PRId64,
				    128 + st->exit_signal);
			else
				snprintf(code, sizeof code, "%" PRId64,
				    st->exit_code);
			r[2] = strcmp(st->state, "failed") == 0 ?
			    xasprintf("Failed %s ago", ago) :
			    xasprintf("%s (%s) %s ago",
			    strcmp(st->state, "exited") == 0 ||
			    strcmp(st->state, "stopped") == 0 ? "Exited" :
			    st->state, code, ago);
		} else
			r[2] = xstrdup(strcmp(st->state, "stopped") == 0 ?
			    "Created" : st->state);
		r[3] = fmt_ports(st);
		if (strcmp(r[3], "-") == 0) {
			free(r[3]);
			r[3] = xstrdup("");
		}
	}
	print_table(cell, n + 1, 4);
}

/* "NET=ADDR NET=ADDR" as {"NET":"ADDR",...}. */
static void
networks_json(struct buf *b, const char *v)
{
	char	*copy = xstrdup(v), *w, *eq, *save = NULL;
	size_t	 n = 0;

	buf_puts(b, "{");
	for (w = strtok_r(copy, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save)) {
		if ((eq = strchr(w, '=')) == NULL)
			continue;
		*eq = '\0';
		buf_puts(b, n++ > 0 ? "," : "");
		buf_json_str(b, w);
		buf_puts(b, ":");
		buf_json_str(b, eq + 1);
	}
	buf_puts(b, "}");
	free(copy);
}

/* "SPEC SPEC" as [{"publish":"SPEC","bound":B},...]: inspect's shape. */
static void
published_json(struct buf *b, const struct proto_status *st)
{
	char	*copy = xstrdup(st->published), *w, *save = NULL;
	size_t	 n = 0;

	buf_puts(b, ",\"published\":[");
	for (w = strtok_r(copy, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save)) {
		buf_puts(b, n++ > 0 ? ",{\"publish\":" : "{\"publish\":");
		buf_json_str(b, w);
		buf_printf(b, ",\"bound\":%s}", st->bound ? "true" : "false");
	}
	buf_puts(b, "]");
	free(copy);
}

void
show_status_json(const struct reply *rp)
{
	const struct proto_status *st;
	struct buf	 b = { 0 };
	char		 tmp[64];
	size_t		 i;

	buf_puts(&b, "[");
	for (i = 0; i < rp->nrows; i++) {
		st = &rp->rows[i];
		buf_puts(&b, i == 0 ? "\n  {\"name\":" : ",\n  {\"name\":");
		buf_json_str(&b, st->name);
		buf_puts(&b, ",\"state\":");
		buf_json_str(&b, st->state);
		buf_printf(&b, ",\"pid\":%" PRId64 ",\"uptime_ms\":%" PRId64
		    ",\"restarts\":%" PRId64 ",\"exit_code\":", st->pid,
		    st->uptime_ms, st->restarts);
		if (st->exit_code >= 0)
			buf_printf(&b, "%" PRId64, st->exit_code);
		else
			buf_puts(&b, "null");
		buf_puts(&b, ",\"exit_signal\":");
		if (st->exit_signal != 0) {
			fmt_signal(tmp, sizeof tmp, st->exit_signal);
			buf_json_str(&b, tmp);
		} else
			buf_puts(&b, "null");
		buf_puts(&b, ",\"reason\":");
		buf_json_str(&b, *st->reason != '\0' ? st->reason : NULL);
		buf_puts(&b, ",\"health\":");
		buf_json_str(&b, *st->health != '\0' ? st->health : NULL);
		/* Only a service in a cgroup has a count. */
		if (st->oom_kills >= 0)
			buf_printf(&b, ",\"oom_kills\":%" PRId64,
			    st->oom_kills);
		if (*st->networks != '\0') {
			buf_puts(&b, ",\"networks\":");
			networks_json(&b, st->networks);
		}
		if (*st->published != '\0')
			published_json(&b, st);
		/* Only when true: a file's service has the keys it had. */
		buf_puts(&b, st->transient ? ",\"transient\":true}" : "}");
	}
	buf_puts(&b, rp->nrows > 0 ? "\n]\n" : "]\n");
	show_data(b.p, b.len);
	buf_free(&b);
}

void
show_net_table(const struct reply *rp)
{
	static const char	*head[] = {
		"NAME", "BRIDGE", "SUBNET", "GATEWAY", "NAT", "INTERNAL",
		"MEMBERS"
	};
	const size_t		 ncols = sizeof head / sizeof *head;
	const struct proto_net	*n;
	char			**cell, **r;
	size_t			  i, c;

	cell = xcalloc((rp->nrows + 1) * ncols, sizeof *cell);
	for (c = 0; c < ncols; c++)
		cell[c] = xstrdup(head[c]);
	for (i = 0; i < rp->nrows; i++) {
		n = &rp->nets[i];
		r = cell + (i + 1) * ncols;
		r[0] = xstrdup(n->name);
		r[1] = xstrdup(n->bridge);
		r[2] = xstrdup(n->subnet);
		r[3] = xstrdup(n->gateway);
		r[4] = xstrdup(n->nat ? "yes" : "no");
		r[5] = xstrdup(n->internal ? "yes" : "no");
		r[6] = xasprintf("%" PRId64, n->members);
	}
	print_table(cell, rp->nrows + 1, ncols);
}

void
show_net_json(const struct reply *rp)
{
	const struct proto_net	*n;
	struct buf		 b = { 0 };
	size_t			 i;

	buf_puts(&b, "[");
	for (i = 0; i < rp->nrows; i++) {
		n = &rp->nets[i];
		buf_puts(&b, i == 0 ? "\n  {\"name\":" : ",\n  {\"name\":");
		buf_json_str(&b, n->name);
		buf_puts(&b, ",\"bridge\":");
		buf_json_str(&b, n->bridge);
		buf_puts(&b, ",\"subnet\":");
		buf_json_str(&b, n->subnet);
		buf_puts(&b, ",\"gateway\":");
		buf_json_str(&b, n->gateway);
		buf_printf(&b, ",\"nat\":%s,\"internal\":%s,\"ipv6\":",
		    n->nat ? "true" : "false", n->internal ? "true" : "false");
		buf_json_str(&b, *n->ipv6 != '\0' ? n->ipv6 : NULL);
		buf_printf(&b, ",\"bridge_exists\":%s,\"members\":%" PRId64
		    "}", n->exists ? "true" : "false", n->members);
	}
	buf_puts(&b, rp->nrows > 0 ? "\n]\n" : "]\n");
	show_data(b.p, b.len);
	buf_free(&b);
}

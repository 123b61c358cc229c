/* SPDX-License-Identifier: ISC */
/*
 * supctl-stats.c: `supctl stats [NAME...] [--no-stream] [--json]`, like
 * docker stats: what each service's cgroup uses -- CPU % (supd measures
 * it since its previous sample of the service), memory use / limit, pids,
 * block I/O read / written. On a terminal the table is drawn again every
 * second until interrupted; with --no-stream, --json or no terminal, one
 * snapshot. Each sample is one request over a new connection, decoded
 * only through proto.c.
 */
#include <sys/types.h>

#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proto.h"
#include "supctl-io.h"
#include "supctl.h"

#define NCOLS		7

/* One sample: the rows point into their payloads, kept until freed. */
struct sample {
	struct proto_stats	*rows;
	size_t			 nrows;
	char			**payloads;
	size_t			 npayloads;
	struct sio_end		 end;
};

static void
sample_free(struct sample *sm)
{
	size_t	i;

	for (i = 0; i < sm->npayloads; i++)
		free(sm->payloads[i]);
	free(sm->payloads);
	free(sm->rows);
	strv_free(&sm->end.msgs);
	memset(sm, 0, sizeof *sm);
}

/* Send the request, read the rows until END. */
static void
sample_take(const char *sock, const char *req, size_t len, struct sample *sm)
{
	struct proto_hdr	 h;
	const char		*errstr;
	char			*payload, **v;
	size_t			 n;
	int			 fd = sio_connect(sock);

	(void)sio_send(fd, req, len);	/* a refusal is read as END */
	for (;;) {
		sio_frame_read(fd, &h, &payload);
		if (h.type == PROTO_END) {
			sio_end_decode(payload, h.len, &sm->end);
			free(payload);
			break;
		}
		if (h.type != PROTO_ROW)
			sio_fail(SUPCTL_EXIT_UNREACH, "protocol error: "
			    "unexpected message type %u", (unsigned)h.type);
		if (proto_strv_unpack(payload, h.len, &v, &n, &errstr) == -1)
			sio_fail(SUPCTL_EXIT_UNREACH, "protocol error: %s",
			    errstr);
		sm->rows = xreallocarray(sm->rows, sm->nrows + 1,
		    sizeof *sm->rows);
		if (proto_stats_unpack(v, n, &sm->rows[sm->nrows++],
		    &errstr) == -1)
			sio_fail(SUPCTL_EXIT_UNREACH, "protocol error: %s",
			    errstr);
		free(v);
		sm->payloads = xreallocarray(sm->payloads, sm->npayloads + 1,
		    sizeof *sm->payloads);
		sm->payloads[sm->npayloads++] = payload;
	}
	close(fd);
}

/* Bytes as docker shows them: "12.5MiB". */
static void
fmt_bytes(char *out, size_t len, int64_t v)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB",
	    "PiB", "EiB" };
	double		d = (double)v;
	size_t		i = 0;

	if (v == PROTO_STATS_NONE) {
		snprintf(out, len, "-");
		return;
	}
	if (v == PROTO_STATS_MAX) {
		snprintf(out, len, "max");
		return;
	}
	for (; d >= 1024 && i < sizeof unit / sizeof *unit - 1; i++)
		d /= 1024;
	if (i == 0)
		snprintf(out, len, "%" PRId64 "B", v);
	else
		snprintf(out, len, "%.*f%s", d < 10 ? 2 : d < 100 ? 1 : 0, d,
		    unit[i]);
}

/* A row's cells: NAME STATE CPU% MEM USAGE / LIMIT MEM% PIDS BLOCK I/O. */
static void
row_cells(const struct proto_stats *st, char **r)
{
	char	a[32], b[32];

	r[0] = xstrdup(st->name);
	r[1] = *st->note != '\0' ? xasprintf("%s (%s)", st->state, st->note) :
	    xstrdup(st->state);
	r[2] = st->cpu_pct100 >= 0 ? xasprintf("%" PRId64 ".%02" PRId64 "%%",
	    st->cpu_pct100 / 100, st->cpu_pct100 % 100) : xstrdup("-");
	fmt_bytes(a, sizeof a, st->mem_current);
	fmt_bytes(b, sizeof b, st->mem_max);
	r[3] = st->mem_current >= 0 ? xasprintf("%s / %s", a, b) :
	    xstrdup("-");
	r[4] = st->mem_current >= 0 && st->mem_max > 0 ? xasprintf("%.2f%%",
	    100.0 * (double)st->mem_current / (double)st->mem_max) :
	    xstrdup("-");
	if (st->pids_current < 0)
		r[5] = xstrdup("-");
	else if (st->pids_max >= 0)
		r[5] = xasprintf("%" PRId64 " / %" PRId64, st->pids_current,
		    st->pids_max);
	else
		r[5] = xasprintf("%" PRId64, st->pids_current);
	fmt_bytes(a, sizeof a, st->io_rbytes);
	fmt_bytes(b, sizeof b, st->io_wbytes);
	r[6] = st->io_rbytes >= 0 ? xasprintf("%s / %s", a, b) :
	    xstrdup("-");
}

static void
stats_table(const struct sample *sm, struct buf *out)
{
	static const char	*head[NCOLS] = { "NAME", "STATE", "CPU %",
		"MEM USAGE / LIMIT", "MEM %", "PIDS", "BLOCK I/O" };
	char			**cell;
	size_t			  i, c;

	cell = xcalloc((sm->nrows + 1) * NCOLS, sizeof *cell);
	for (c = 0; c < NCOLS; c++)
		cell[c] = xstrdup(head[c]);
	for (i = 0; i < sm->nrows; i++)
		row_cells(&sm->rows[i], cell + (i + 1) * NCOLS);
	sio_table(cell, sm->nrows + 1, NCOLS, out);
	free(cell);
}

/* A number, "max", or null where there is none. */
static void
json_num(struct buf *b, const char *key, int64_t v)
{
	buf_printf(b, ",\"%s\":", key);
	if (v == PROTO_STATS_MAX)
		buf_puts(b, "\"max\"");
	else if (v < 0)
		buf_puts(b, "null");
	else
		buf_printf(b, "%" PRId64, v);
}

static void
stats_json(const struct sample *sm, struct buf *b)
{
	const struct proto_stats *st;
	size_t			 i;

	buf_puts(b, "[");
	for (i = 0; i < sm->nrows; i++) {
		st = &sm->rows[i];
		buf_puts(b, i == 0 ? "\n  {\"name\":" : ",\n  {\"name\":");
		buf_json_str(b, st->name);
		buf_puts(b, ",\"state\":");
		buf_json_str(b, st->state);
		buf_puts(b, ",\"note\":");
		buf_json_str(b, *st->note != '\0' ? st->note : NULL);
		buf_puts(b, ",\"cpu_percent\":");
		if (st->cpu_pct100 >= 0)
			buf_printf(b, "%" PRId64 ".%02" PRId64,
			    st->cpu_pct100 / 100, st->cpu_pct100 % 100);
		else
			buf_puts(b, "null");
		json_num(b, "cpu_usec", st->cpu_usec);
		json_num(b, "memory", st->mem_current);
		json_num(b, "memory_max", st->mem_max);
		json_num(b, "pids", st->pids_current);
		json_num(b, "pids_max", st->pids_max);
		json_num(b, "io_read_bytes", st->io_rbytes);
		json_num(b, "io_write_bytes", st->io_wbytes);
		buf_puts(b, "}");
	}
	buf_puts(b, sm->nrows > 0 ? "\n]\n" : "]\n");
}

/* supd said no: one line (JSON with --json), exit status 1. */
static int
refused(const struct sample *sm, int json)
{
	struct buf	b = { 0 };
	size_t		i;

	for (i = 0; i < sm->end.msgs.n; i++) {
		buf_puts(&b, i ? "; " : "");
		buf_puts(&b, sm->end.msgs.v[i]);
	}
	if (json)
		sio_json_error(b.len > 0 ? b.p : "request failed");
	else
		fprintf(stderr, "supctl stats: %s\n", b.len > 0 ? b.p :
		    "request failed");
	buf_free(&b);
	return SUPCTL_EXIT_FAILED;
}

static void
put_out(const struct buf *b)
{
	if (fwrite(b->p, 1, b->len, stdout) != b->len || fflush(stdout) == EOF)
		sio_fail(SUPCTL_EXIT_FAILED, "stdout: write error");
}

static void
interrupted_cb(int sig)
{
	(void)sig;
	_exit(SUPCTL_EXIT_OK);
}

int
stats_run(const char *sock, const char *req, size_t len, int json,
    int no_stream)
{
	static const struct timespec	second = { 1, 0 };
	struct sample			sm = { 0 };
	struct buf			out = { 0 };
	bool				stream = !json && !no_stream &&
					    isatty(STDOUT_FILENO);
	int				code = SUPCTL_EXIT_OK;

	if (stream)
		signal(SIGINT, interrupted_cb);
	for (;;) {
		sample_take(sock, req, len, &sm);
		if (!sm.end.ok) {
			code = refused(&sm, json);
			sample_free(&sm);
			break;
		}
		buf_reset(&out);
		if (stream)
			buf_puts(&out, "\033[H\033[2J");	/* home, clear */
		if (json)
			stats_json(&sm, &out);
		else
			stats_table(&sm, &out);
		put_out(&out);
		sample_free(&sm);
		if (!stream)
			break;
		nanosleep(&second, NULL);
	}
	buf_free(&out);
	return code;
}

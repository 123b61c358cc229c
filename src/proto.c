/* SPDX-License-Identifier: ISC */
/*
 * proto.c: encoding and decoding of control messages (see proto.h), linked
 * into both supd and supctl so that neither decodes bytes by hand.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v; p[1] = v >> 8; p[2] = v >> 16; p[3] = v >> 24;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

void
proto_hdr_pack(uint8_t *p, uint16_t type, uint32_t len)
{
	put32(p, PROTO_MAGIC);
	p[4] = PROTO_VERSION & 0xff;
	p[5] = PROTO_VERSION >> 8;
	p[6] = type & 0xff;
	p[7] = type >> 8;
	put32(p + 8, len);
}

int
proto_hdr_unpack(const uint8_t *p, struct proto_hdr *h, const char **errstr)
{
	h->magic = get32(p);
	h->version = p[4] | p[5] << 8;
	h->type = p[6] | p[7] << 8;
	h->len = get32(p + 8);
	if (h->magic != PROTO_MAGIC)
		*errstr = "not a supd message (bad magic)";
	else if (h->version != PROTO_VERSION)
		*errstr = "protocol version mismatch";
	else if (h->len > PROTO_MAX_PAYLOAD)
		*errstr = "message too large";
	else if (!(h->type >= PROTO_STATUS && h->type < PROTO_REQ_MAX) &&
	    !(h->type >= PROTO_INPUT && h->type <= PROTO_WINCH) &&
	    !(h->type >= PROTO_ROW && h->type <= PROTO_EXIT))
		*errstr = "unknown message type";
	else
		return 0;
	return -1;
}

int
proto_put_data(struct buf *b, uint16_t type, const void *data, size_t len)
{
	uint8_t	hdr[PROTO_HDR_SIZE];

	if (len > PROTO_MAX_PAYLOAD)
		return -1;
	proto_hdr_pack(hdr, type, len);
	buf_add(b, hdr, sizeof hdr);
	buf_add(b, data, len);
	return 0;
}

int
proto_put_strv(struct buf *b, uint16_t type, char *const *v, size_t n)
{
	uint8_t	hdr[PROTO_HDR_SIZE];
	size_t	i, len = 0;

	if (n > PROTO_MAX_ARGS)
		return -1;
	for (i = 0; i < n; i++)
		len += strlen(v[i]) + 1;
	if (len > PROTO_MAX_PAYLOAD)
		return -1;
	proto_hdr_pack(hdr, type, len);
	buf_add(b, hdr, sizeof hdr);
	for (i = 0; i < n; i++)
		buf_add(b, v[i], strlen(v[i]) + 1);
	return 0;
}

void
proto_put_end(struct buf *b, int ok, const char *msg)
{
	char	*v[2];
	size_t	 n = 1;
	char	 tmp[PROTO_MAX_PAYLOAD / 2];

	v[0] = ok ? "ok" : "error";
	if (msg != NULL) {
		/* An over-long message is cut, never dropped. */
		strncpy(tmp, msg, sizeof tmp - 1);
		tmp[sizeof tmp - 1] = '\0';
		v[n++] = tmp;
	}
	(void)proto_put_strv(b, PROTO_END, v, n);
}

int
proto_strv_unpack(const char *p, size_t len, char ***vp, size_t *np,
    const char **errstr)
{
	char	**v;
	size_t	  i, n = 0;

	*vp = NULL;
	*np = 0;
	if (len > 0 && p[len - 1] != '\0') {
		*errstr = "string list not terminated";
		return -1;
	}
	for (i = 0; i < len; i++)
		if (p[i] == '\0')
			n++;
	if (n > PROTO_MAX_ARGS) {
		*errstr = "too many arguments";
		return -1;
	}
	v = xcalloc(n + 1, sizeof *v);
	for (i = 0; i < n; i++) {
		v[i] = (char *)p;
		p += strlen(p) + 1;
	}
	*vp = v;
	*np = n;
	return 0;
}

/* v in decimal into buf (24 bytes): what snprintf's "%" PRId64 makes,
 * at a fraction of its cost (a status of 1000 rows makes 7000). */
static void
i64_str(char *buf, int64_t v)
{
	char		 tmp[24], *p = tmp + sizeof tmp;
	uint64_t	 u = v < 0 ? -(uint64_t)v : (uint64_t)v;

	*--p = '\0';
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	memcpy(buf, p, (size_t)(tmp + sizeof tmp - p));
}

int
proto_status_pack(struct buf *b, const struct proto_status *s)
{
	char	 num[7][24];
	char	*v[PROTO_STATUS_FIELDS];

	i64_str(num[6], s->ended_ago_ms);
	i64_str(num[0], s->pid);
	i64_str(num[1], s->uptime_ms);
	i64_str(num[2], s->restarts);
	i64_str(num[3], s->exit_code);
	i64_str(num[4], s->exit_signal);
	if (s->oom_kills >= 0)
		i64_str(num[5], s->oom_kills);
	else
		num[5][0] = '\0';
	v[0] = (char *)s->name;
	v[1] = (char *)s->state;
	v[2] = (char *)(s->reason != NULL ? s->reason : "");
	v[3] = num[0];
	v[4] = num[1];
	v[5] = num[2];
	v[6] = num[3];
	v[7] = num[4];
	v[8] = (char *)(s->health != NULL ? s->health : "");
	v[9] = (char *)(s->networks != NULL ? s->networks : "");
	v[10] = (char *)(s->published != NULL ? s->published : "");
	v[11] = (char *)(s->bound ? "1" : "0");
	v[12] = num[5];
	v[13] = (char *)(s->command != NULL ? s->command : "");
	v[14] = (char *)(s->transient ? "1" : "0");
	v[15] = num[6];
	return proto_put_strv(b, PROTO_ROW, v, PROTO_STATUS_FIELDS);
}

static int
getnum(const char *s, int64_t *out)
{
	char	*end;

	if (*s == '\0')
		return -1;
	errno = 0;
	*out = strtoll(s, &end, 10);
	return errno != 0 || *end != '\0' ? -1 : 0;
}

int
proto_status_unpack(char *const *v, size_t n, struct proto_status *s,
    const char **errstr)
{
	/* A row of a supd before networks has 9 fields, before published
	 * ports 10, before cgroups 12, before supctl run 13. */
	if (n != PROTO_STATUS_FIELDS && n != 13 && n != 12 && n != 10 &&
	    n != 9) {
		*errstr = "status row: wrong number of fields";
		return -1;
	}
	s->name = v[0];
	s->state = v[1];
	s->reason = v[2];
	s->health = v[8];
	s->networks = n >= 10 ? v[9] : "";
	s->published = n >= 12 ? v[10] : "";
	s->bound = n >= 12 && strcmp(v[11], "1") == 0;
	s->oom_kills = -1;
	if (n >= 13 && *v[12] != '\0' &&
	    getnum(v[12], &s->oom_kills) == -1) {
		*errstr = "status row: bad number";
		return -1;
	}
	s->command = n >= 16 ? v[13] : "";
	s->transient = n >= 16 && strcmp(v[14], "1") == 0;
	s->ended_ago_ms = -1;
	if (n >= 16 && getnum(v[15], &s->ended_ago_ms) == -1) {
		*errstr = "status row: bad number";
		return -1;
	}
	if (getnum(v[3], &s->pid) == -1 || getnum(v[4], &s->uptime_ms) == -1 ||
	    getnum(v[5], &s->restarts) == -1 ||
	    getnum(v[6], &s->exit_code) == -1 ||
	    getnum(v[7], &s->exit_signal) == -1) {
		*errstr = "status row: bad number";
		return -1;
	}
	return 0;
}

int
proto_net_pack(struct buf *b, const struct proto_net *r)
{
	char	 num[24];
	char	*v[PROTO_NET_FIELDS];

	snprintf(num, sizeof num, "%" PRId64, r->members);
	v[0] = (char *)r->name;
	v[1] = (char *)r->bridge;
	v[2] = (char *)r->subnet;
	v[3] = (char *)r->gateway;
	v[4] = (char *)(r->ipv6 != NULL ? r->ipv6 : "");
	v[5] = (char *)(r->nat ? "1" : "0");
	v[6] = (char *)(r->internal ? "1" : "0");
	v[7] = (char *)(r->exists ? "1" : "0");
	v[8] = num;
	return proto_put_strv(b, PROTO_ROW, v, PROTO_NET_FIELDS);
}

int
proto_net_unpack(char *const *v, size_t n, struct proto_net *r,
    const char **errstr)
{
	if (n != PROTO_NET_FIELDS) {
		*errstr = "network row: wrong number of fields";
		return -1;
	}
	r->name = v[0];
	r->bridge = v[1];
	r->subnet = v[2];
	r->gateway = v[3];
	r->ipv6 = v[4];
	r->nat = strcmp(v[5], "1") == 0;
	r->internal = strcmp(v[6], "1") == 0;
	r->exists = strcmp(v[7], "1") == 0;
	if (getnum(v[8], &r->members) == -1) {
		*errstr = "network row: bad number";
		return -1;
	}
	return 0;
}

int
proto_stats_pack(struct buf *b, const struct proto_stats *st)
{
	const int64_t	 nums[PROTO_STATS_FIELDS - 3] = { st->cpu_pct100,
			    st->cpu_usec, st->mem_current, st->mem_max,
			    st->pids_current, st->pids_max, st->io_rbytes,
			    st->io_wbytes };
	char		 num[PROTO_STATS_FIELDS - 3][24];
	char		*v[PROTO_STATS_FIELDS];
	size_t		 i;

	v[0] = (char *)st->name;
	v[1] = (char *)st->state;
	v[2] = (char *)(st->note != NULL ? st->note : "");
	for (i = 0; i < PROTO_STATS_FIELDS - 3; i++) {
		snprintf(num[i], sizeof num[i], "%" PRId64, nums[i]);
		v[3 + i] = num[i];
	}
	return proto_put_strv(b, PROTO_ROW, v, PROTO_STATS_FIELDS);
}

int
proto_stats_unpack(char *const *v, size_t n, struct proto_stats *st,
    const char **errstr)
{
	int64_t	*nums[PROTO_STATS_FIELDS - 3] = { &st->cpu_pct100,
		    &st->cpu_usec, &st->mem_current, &st->mem_max,
		    &st->pids_current, &st->pids_max, &st->io_rbytes,
		    &st->io_wbytes };
	size_t	 i;

	if (n != PROTO_STATS_FIELDS) {
		*errstr = "stats row: wrong number of fields";
		return -1;
	}
	st->name = v[0];
	st->state = v[1];
	st->note = v[2];
	for (i = 0; i < PROTO_STATS_FIELDS - 3; i++)
		if (getnum(v[3 + i], nums[i]) == -1 || *nums[i] < -2) {
			*errstr = "stats row: bad number";
			return -1;
		}
	return 0;
}

int
proto_event_pack(struct buf *b, const struct proto_event *ev)
{
	const int64_t	 nums[5] = { ev->time_us, ev->pid, ev->code,
			    ev->signal, ev->delay_ms };
	char		 num[5][24];
	char		*v[PROTO_EVENT_FIELDS];
	size_t		 i;

	for (i = 0; i < 5; i++)
		if (nums[i] >= 0)
			snprintf(num[i], sizeof num[i], "%" PRId64, nums[i]);
		else
			num[i][0] = '\0';
	v[0] = num[0];
	v[1] = (char *)ev->name;
	v[2] = (char *)ev->event;
	v[3] = num[1];
	v[4] = num[2];
	v[5] = num[3];
	v[6] = num[4];
	v[7] = (char *)(ev->oom ? "1" : "0");
	v[8] = (char *)(ev->reason != NULL ? ev->reason : "");
	return proto_put_strv(b, PROTO_ROW, v, PROTO_EVENT_FIELDS);
}

int
proto_event_unpack(char *const *v, size_t n, struct proto_event *ev,
    const char **errstr)
{
	int64_t	*nums[5] = { &ev->time_us, &ev->pid, &ev->code, &ev->signal,
		    &ev->delay_ms };
	size_t	 i;

	if (n != PROTO_EVENT_FIELDS) {
		*errstr = "events row: wrong number of fields";
		return -1;
	}
	for (i = 0; i < 5; i++) {
		const char *f = v[i == 0 ? 0 : i + 2];

		if (*f == '\0' && i > 0)
			*nums[i] = -1;
		else if (getnum(f, nums[i]) == -1 || *nums[i] < 0) {
			*errstr = "events row: bad number";
			return -1;
		}
	}
	ev->name = v[1];
	ev->event = v[2];
	ev->oom = strcmp(v[7], "1") == 0;
	ev->reason = v[8];
	return 0;
}

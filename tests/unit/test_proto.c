/* SPDX-License-Identifier: ISC */
/*
 * test_proto.c: src/proto.c's rows: a status row round-trips with its
 * networks and published ports, and rows of older supds (9 and 10 fields)
 * still read; a network row and an events row round-trip (a number that
 * does not apply as -1); rows of a wrong size or with a bad number are
 * refused; a status row's numbers are written as snprintf wrote them.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto.h"
#include "unit.h"

/* The strv of the one message in b (its header skipped). */
static char **
strv_of(const struct buf *b, size_t *n)
{
	const char	*e;
	char		**v;

	CHECK(b->len >= PROTO_HDR_SIZE);
	if (proto_strv_unpack(b->p + PROTO_HDR_SIZE, b->len - PROTO_HDR_SIZE,
	    &v, n, &e) == -1)
		return NULL;
	return v;
}

static void
test_status(void)
{
	struct proto_status	 in = { .name = "web", .state = "running",
	    .reason = "", .pid = 42, .uptime_ms = 7, .restarts = 1,
	    .exit_code = -1, .exit_signal = 0, .health = "",
	    .networks = "supd0=10.88.0.2",
	    .published = "0.0.0.0:8080:80/tcp 127.0.0.1:53:53/udp",
	    .bound = 1 }, out;
	struct buf		 b = { 0 };
	const char		*e;
	char			**v;
	size_t			 n;

	CHECK_INT(proto_status_pack(&b, &in), 0);
	v = strv_of(&b, &n);
	CHECK(v != NULL);
	CHECK_INT(n, PROTO_STATUS_FIELDS);
	CHECK_INT(proto_status_unpack(v, n, &out, &e), 0);
	CHECK_STR(out.networks, "supd0=10.88.0.2");
	CHECK_STR(out.published, "0.0.0.0:8080:80/tcp 127.0.0.1:53:53/udp");
	CHECK_INT(out.bound, 1);
	CHECK_INT(out.pid, 42);
	/* A supd before published ports (10 fields), before networks (9). */
	CHECK_INT(proto_status_unpack(v, 10, &out, &e), 0);
	CHECK_STR(out.networks, "supd0=10.88.0.2");
	CHECK_STR(out.published, "");
	CHECK_INT(out.bound, 0);
	CHECK_INT(proto_status_unpack(v, 9, &out, &e), 0);
	CHECK_STR(out.networks, "");
	CHECK_INT(proto_status_unpack(v, 11, &out, &e), -1);
	CHECK_STR(e, "status row: wrong number of fields");
	free(v);
	buf_free(&b);
}

/* The numbers of a status row, as snprintf's "%" PRId64 wrote them:
 * zero, negatives, the extremes; oom_kills -1 is an empty field. */
static void
test_status_numbers(void)
{
	struct proto_status	 in = { .name = "n", .state = "stopped",
	    .reason = "", .pid = 0, .uptime_ms = INT64_MAX, .restarts = 10,
	    .exit_code = -1, .exit_signal = INT64_MIN, .health = "",
	    .oom_kills = -1, .ended_ago_ms = 1234567890123 };
	struct buf		 b = { 0 };
	char			**v;
	size_t			 n;

	CHECK_INT(proto_status_pack(&b, &in), 0);
	v = strv_of(&b, &n);
	CHECK(v != NULL);
	CHECK_INT(n, PROTO_STATUS_FIELDS);
	CHECK_STR(v[3], "0");
	CHECK_STR(v[4], "9223372036854775807");
	CHECK_STR(v[5], "10");
	CHECK_STR(v[6], "-1");
	CHECK_STR(v[7], "-9223372036854775808");
	CHECK_STR(v[12], "");
	CHECK_STR(v[15], "1234567890123");
	free(v);
	buf_reset(&b);
	in.oom_kills = 7;
	CHECK_INT(proto_status_pack(&b, &in), 0);
	v = strv_of(&b, &n);
	CHECK(v != NULL);
	CHECK_STR(v[12], "7");
	free(v);
	buf_free(&b);
}

static void
test_net(void)
{
	struct proto_net	 in = { .name = "back", .bridge = "supd-back",
	    .subnet = "10.89.0.0/24", .gateway = "10.89.0.1", .ipv6 = NULL,
	    .nat = 0, .internal = 1, .exists = 1, .members = 3 }, out;
	struct buf		 b = { 0 };
	const char		*e;
	char			**v;
	size_t			 n;

	CHECK_INT(proto_net_pack(&b, &in), 0);
	v = strv_of(&b, &n);
	CHECK(v != NULL);
	CHECK_INT(n, PROTO_NET_FIELDS);
	CHECK_INT(proto_net_unpack(v, n, &out, &e), 0);
	CHECK_STR(out.name, "back");
	CHECK_STR(out.bridge, "supd-back");
	CHECK_STR(out.subnet, "10.89.0.0/24");
	CHECK_STR(out.gateway, "10.89.0.1");
	CHECK_STR(out.ipv6, "");
	CHECK_INT(out.nat, 0);
	CHECK_INT(out.internal, 1);
	CHECK_INT(out.exists, 1);
	CHECK_INT(out.members, 3);
	CHECK_INT(proto_net_unpack(v, n - 1, &out, &e), -1);
	CHECK_STR(e, "network row: wrong number of fields");
	v[8] = "3x";
	CHECK_INT(proto_net_unpack(v, n, &out, &e), -1);
	CHECK_STR(e, "network row: bad number");
	free(v);
	buf_free(&b);
}

static void
test_event(void)
{
	struct proto_event	 in = { .time_us = 1796044100101817,
	    .name = "web", .event = "exited", .pid = -1, .code = -1,
	    .signal = 9, .delay_ms = -1, .oom = 1, .reason = "OOM killed" },
	    out;
	struct buf		 b = { 0 };
	const char		*e;
	char			**v;
	size_t			 n;

	CHECK_INT(proto_event_pack(&b, &in), 0);
	v = strv_of(&b, &n);
	CHECK(v != NULL);
	CHECK_INT(n, PROTO_EVENT_FIELDS);
	CHECK_INT(proto_event_unpack(v, n, &out, &e), 0);
	CHECK(out.time_us == 1796044100101817);
	CHECK_STR(out.name, "web");
	CHECK_STR(out.event, "exited");
	CHECK_INT(out.pid, -1);
	CHECK_INT(out.code, -1);
	CHECK_INT(out.signal, 9);
	CHECK_INT(out.delay_ms, -1);
	CHECK_INT(out.oom, 1);
	CHECK_STR(out.reason, "OOM killed");
	CHECK_INT(proto_event_unpack(v, n - 1, &out, &e), -1);
	CHECK_STR(e, "events row: wrong number of fields");
	v[0] = "";	/* the time is always there */
	CHECK_INT(proto_event_unpack(v, n, &out, &e), -1);
	CHECK_STR(e, "events row: bad number");
	v[0] = "1";
	v[6] = "-5";
	CHECK_INT(proto_event_unpack(v, n, &out, &e), -1);
	free(v);
	buf_free(&b);
}

int
main(void)
{
	test_status();
	test_status_numbers();
	test_net();
	test_event();
	return unit_done("proto");
}

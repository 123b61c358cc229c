/* SPDX-License-Identifier: ISC */
/* fuzz-sources: proto.c util.c */
/*
 * fuzz_proto.c: the control protocol decoders of src/proto.c on arbitrary
 * bytes, as supd reads them from any local client and supctl from supd.
 *
 * The input is read as a stream of messages (header, payload, header, ...)
 * the way ctl.c does: each header is checked, each strv payload split, each
 * ROW decoded as a status row and as a stats row. What decodes must encode back to the same
 * bytes. Then the same bytes go the other way: cut at NULs into strings,
 * packed by proto_put_strv / proto_status_pack / proto_put_end, and the
 * decoders must accept what the encoders made and give it back; the input
 * as a whole goes through proto_put_data.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* A stats row that decodes packs back to one that decodes the same. */
static void
stats_again(char **v, size_t n)
{
	struct proto_stats	 st, st2;
	struct buf		 b = { 0 };
	const char		*e = NULL;
	char			**v2;
	size_t			 n2;

	if (proto_stats_unpack(v, n, &st, &e) == -1) {
		FUZZ_CHECK(e != NULL);
		return;
	}
	FUZZ_CHECK(st.cpu_usec >= -2 && st.mem_max >= -2);
	FUZZ_CHECK(proto_stats_pack(&b, &st) == 0);
	FUZZ_CHECK(proto_strv_unpack(b.p + PROTO_HDR_SIZE,
	    b.len - PROTO_HDR_SIZE, &v2, &n2, &e) == 0);
	FUZZ_CHECK(proto_stats_unpack(v2, n2, &st2, &e) == 0);
	FUZZ_CHECK(strcmp(st.name, st2.name) == 0 &&
	    strcmp(st.state, st2.state) == 0 &&
	    strcmp(st.note, st2.note) == 0 &&
	    st.cpu_pct100 == st2.cpu_pct100 && st.cpu_usec == st2.cpu_usec &&
	    st.mem_current == st2.mem_current && st.mem_max == st2.mem_max &&
	    st.pids_current == st2.pids_current &&
	    st.pids_max == st2.pids_max && st.io_rbytes == st2.io_rbytes &&
	    st.io_wbytes == st2.io_wbytes);
	free(v2);
	buf_free(&b);
}

/* Decode payload of a message of this type; re-encode and compare. */
static void
decode_payload(uint16_t type, const uint8_t *payload, size_t len)
{
	struct proto_status	 st, st2;
	struct buf		 b = { 0 };
	char			*copy, **v, **v2;
	const char		*e = NULL;
	size_t			 n, n2;

	if (type == PROTO_DATA || type == PROTO_INPUT)
		return;
	/* An exact-size copy: ASan sees a read one byte past the payload. */
	copy = malloc(len > 0 ? len : 1);
	FUZZ_CHECK(copy != NULL);
	memcpy(copy, payload, len);
	if (proto_strv_unpack(copy, len, &v, &n, &e) == -1) {
		FUZZ_CHECK(e != NULL && v == NULL && n == 0);
		free(copy);
		return;
	}
	FUZZ_CHECK(v != NULL && v[n] == NULL && n <= PROTO_MAX_ARGS);
	/* A strv re-encodes to exactly the payload it came from. */
	FUZZ_CHECK(proto_put_strv(&b, type, v, n) == 0);
	FUZZ_CHECK(b.len == PROTO_HDR_SIZE + len);
	FUZZ_CHECK(len == 0 || memcmp(b.p + PROTO_HDR_SIZE, payload, len) == 0);
	if (type == PROTO_ROW && proto_status_unpack(v, n, &st, &e) == 0) {
		/* Numbers may be spelled differently ("+1", "01"); their
		 * values and the strings must survive a round trip. */
		buf_reset(&b);
		FUZZ_CHECK(proto_status_pack(&b, &st) == 0);
		FUZZ_CHECK(proto_strv_unpack(b.p + PROTO_HDR_SIZE,
		    b.len - PROTO_HDR_SIZE, &v2, &n2, &e) == 0);
		FUZZ_CHECK(proto_status_unpack(v2, n2, &st2, &e) == 0);
		FUZZ_CHECK(strcmp(st.name, st2.name) == 0 &&
		    strcmp(st.state, st2.state) == 0 &&
		    strcmp(st.reason, st2.reason) == 0 &&
		    strcmp(st.health, st2.health) == 0 &&
		    st.pid == st2.pid && st.uptime_ms == st2.uptime_ms &&
		    st.restarts == st2.restarts &&
		    st.exit_code == st2.exit_code &&
		    st.exit_signal == st2.exit_signal);
		free(v2);
	}
	if (type == PROTO_ROW)
		stats_again(v, n);
	buf_free(&b);
	free(v);
	free(copy);
}

/* The input as a stream of messages, as a peer would send them. */
static void
decode_stream(const uint8_t *data, size_t size)
{
	struct proto_hdr	 h;
	const char		*e;
	uint8_t			 again[PROTO_HDR_SIZE];

	while (size >= PROTO_HDR_SIZE) {
		e = NULL;
		if (proto_hdr_unpack(data, &h, &e) == -1) {
			FUZZ_CHECK(e != NULL);
			return;
		}
		FUZZ_CHECK(h.len <= PROTO_MAX_PAYLOAD);
		proto_hdr_pack(again, h.type, h.len);
		FUZZ_CHECK(memcmp(again, data, PROTO_HDR_SIZE) == 0);
		data += PROTO_HDR_SIZE;
		size -= PROTO_HDR_SIZE;
		if (h.len > size)
			return;		/* a short read: wait for more */
		decode_payload(h.type, data, h.len);
		data += h.len;
		size -= h.len;
	}
}

/* Decode one whole message made by an encoder; return its strv. */
static char **
decode_made(const struct buf *b, uint16_t type, size_t *n)
{
	struct proto_hdr	 h;
	const char		*e = NULL;
	char			**v;

	FUZZ_CHECK(b->len >= PROTO_HDR_SIZE);
	FUZZ_CHECK(proto_hdr_unpack((const uint8_t *)b->p, &h, &e) == 0);
	FUZZ_CHECK(h.type == type && h.len == b->len - PROTO_HDR_SIZE);
	FUZZ_CHECK(proto_strv_unpack(b->p + PROTO_HDR_SIZE, h.len, &v, n,
	    &e) == 0);
	return v;
}

/* The input cut into strings; encoders' output must decode to them. */
static void
round_trip(const uint8_t *data, size_t size)
{
	static const uint16_t	 types[] = { PROTO_STATUS, PROTO_START,
	    PROTO_SIGNAL, PROTO_LOGS, PROTO_EXEC, PROTO_WINCH, PROTO_ROW };
	struct proto_status	 st, back;
	struct proto_hdr	 h;
	struct buf		 b = { 0 };
	char			*text, **in, **out;
	const char		*e = NULL;
	size_t			 i, n, nout;
	uint16_t		 type;

	if (size == 0)
		return;
	type = types[data[0] % (sizeof types / sizeof *types)];
	text = fuzz_cstr(data + 1, size - 1);
	/* Strings: the input's bytes between NULs, so count them first. */
	for (n = 1, i = 1; i < size; i++)
		n += data[i] == '\0';
	in = calloc(n + 1, sizeof *in);
	FUZZ_CHECK(in != NULL);
	for (i = 0, in[0] = text; i + 1 < n; i++)
		in[i + 1] = in[i] + strlen(in[i]) + 1;

	if (proto_put_strv(&b, type, in, n) == 0) {
		FUZZ_CHECK(n <= PROTO_MAX_ARGS);
		out = decode_made(&b, type, &nout);
		FUZZ_CHECK(nout == n);
		for (i = 0; i < n; i++)
			FUZZ_CHECK(strcmp(in[i], out[i]) == 0);
		free(out);
	} else
		FUZZ_CHECK(n > PROTO_MAX_ARGS || size > PROTO_MAX_PAYLOAD);

	/* Raw bytes (DATA, INPUT) come back as they went in. */
	buf_reset(&b);
	FUZZ_CHECK(proto_put_data(&b, PROTO_DATA, data, size) == 0);
	FUZZ_CHECK(proto_hdr_unpack((const uint8_t *)b.p, &h, &e) == 0);
	FUZZ_CHECK(h.type == PROTO_DATA && h.len == size &&
	    b.len == PROTO_HDR_SIZE + size &&
	    memcmp(b.p + PROTO_HDR_SIZE, data, size) == 0);

	buf_reset(&b);
	proto_put_end(&b, data[0] & 1, in[0]);
	out = decode_made(&b, PROTO_END, &nout);
	FUZZ_CHECK(nout == 2 && strcmp(out[0], data[0] & 1 ? "ok" :
	    "error") == 0 && strncmp(out[1], in[0], strlen(out[1])) == 0);
	free(out);

	if (n >= 4) {
		int64_t	*num[] = { &st.pid, &st.uptime_ms, &st.restarts,
		    &st.exit_code, &st.exit_signal };

		memset(&st, 0, sizeof st);
		st.name = in[0];
		st.state = in[1];
		st.reason = in[2];
		st.health = in[3];
		/* The numbers: any 64-bit values, from the input's tail. */
		for (i = 0; i < 5 && size >= 1 + 8 * (i + 1); i++)
			memcpy(num[i], data + size - 8 * (i + 1), 8);
		buf_reset(&b);
		if (proto_status_pack(&b, &st) == 0) {
			out = decode_made(&b, PROTO_ROW, &nout);
			FUZZ_CHECK(proto_status_unpack(out, nout, &back,
			    &e) == 0);
			FUZZ_CHECK(strcmp(back.name, st.name) == 0 &&
			    strcmp(back.state, st.state) == 0 &&
			    strcmp(back.reason, st.reason) == 0 &&
			    strcmp(back.health, st.health) == 0 &&
			    back.pid == st.pid &&
			    back.uptime_ms == st.uptime_ms &&
			    back.restarts == st.restarts &&
			    back.exit_code == st.exit_code &&
			    back.exit_signal == st.exit_signal);
			free(out);
		}
	}
	buf_free(&b);
	free(in);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	decode_stream(data, size);
	round_trip(data, size);
	return 0;
}

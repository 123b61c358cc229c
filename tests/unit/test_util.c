/* SPDX-License-Identifier: ISC */
/*
 * test_util.c: unit tests for util.c -- buffers and JSON escaping, string
 * vectors, clocks and fcntl helpers. The value parsers are test_values.c's.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "util.h"

static void
test_buf(void)
{
	struct buf	b = { NULL, 0, 0 };
	char		big[1000];

	buf_json_str(&b, "plain");
	CHECK_STR(b.p, "\"plain\"");
	buf_reset(&b);
	CHECK_INT(b.len, 0);
	CHECK_STR(b.p, "");
	buf_json_str(&b, "a\"b\\c\nd\te\rf\bg\fh\001i\037j\x7f" "caf\xc3\xa9");
	CHECK_STR(b.p, "\"a\\\"b\\\\c\\nd\\te\\rf\\bg\\fh\\u0001i\\u001fj\x7f"
	    "caf\xc3\xa9\"");
	buf_reset(&b);
	buf_json_str(&b, NULL);
	CHECK_STR(b.p, "null");
	buf_reset(&b);
	buf_json_str(&b, "");
	CHECK_STR(b.p, "\"\"");

	buf_reset(&b);
	buf_puts(&b, "hello ");
	buf_printf(&b, "%s %d", "world", 42);
	CHECK_STR(b.p, "hello world 42");
	CHECK_INT(b.len, 14);
	buf_consume(&b, 6);
	CHECK_STR(b.p, "world 42");
	CHECK_INT(b.len, 8);
	buf_consume(&b, 100);
	CHECK_INT(b.len, 0);
	CHECK_STR(b.p, "");
	memset(big, 'x', sizeof big);
	buf_add(&b, big, sizeof big);
	buf_add(&b, big, sizeof big);
	CHECK_INT(b.len, 2000);
	CHECK(b.cap > b.len && b.p[2000] == '\0');
	buf_free(&b);
	CHECK(b.p == NULL && b.len == 0);
	buf_add(&b, "", 0);
	CHECK(b.p != NULL && b.p[0] == '\0');
	buf_free(&b);
}

static void
test_strv(void)
{
	struct strv	  sv = { NULL, 0, 0 };
	char		**copy;
	int		  i;

	for (i = 0; i < 20; i++)
		strv_take(&sv, xasprintf("item%d", i));
	strv_push(&sv, "last");
	CHECK_INT(sv.n, 21);
	CHECK_STR(sv.v[19], "item19");
	CHECK_STR(sv.v[20], "last");
	CHECK(sv.v[21] == NULL);
	copy = strv_dup(sv.v);
	CHECK(copy != sv.v && copy[0] != sv.v[0]);
	CHECK_STR(copy[20], "last");
	CHECK(copy[21] == NULL);
	strv_free_array(copy);
	strv_free(&sv);
	CHECK(strv_dup(NULL) == NULL);
	strv_free_array(NULL);
}

static void
test_time_fd(void)
{
	char		 ts[RFC3339_LEN];
	uint64_t	 t0, t1;
	size_t		 i;
	int		 p[2];

	memset(ts, '#', sizeof ts);
	fmt_rfc3339(ts);
	CHECK_INT(strlen(ts), RFC3339_LEN - 1);
	for (i = 0; i < RFC3339_LEN - 1; i++) {
		const char *shape = "dddd-dd-ddTdd:dd:dd.dddZ";

		if (shape[i] == 'd')
			CHECK(ts[i] >= '0' && ts[i] <= '9');
		else
			CHECK(ts[i] == shape[i]);
	}
	CHECK(strncmp(ts, "20", 2) == 0);

	t0 = now_ms();
	usleep(20000);
	t1 = now_ms();
	CHECK(t1 >= t0 + 19 && t1 < t0 + 5000);

	CHECK_INT(pipe(p), 0);
	CHECK_INT(set_nonblock(p[0]), 0);
	CHECK_INT(set_cloexec(p[0]), 0);
	CHECK(fcntl(p[0], F_GETFL) & O_NONBLOCK);
	CHECK(fcntl(p[0], F_GETFD) & FD_CLOEXEC);
	close(p[0]);
	close(p[1]);
	CHECK_INT(set_nonblock(p[0]), -1);
	CHECK_INT(set_cloexec(-1), -1);
}

int
main(void)
{
	test_buf();
	test_strv();
	test_time_fd();
	return unit_done("util");
}

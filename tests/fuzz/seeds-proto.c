/* SPDX-License-Identifier: ISC */
/*
 * seeds-proto.c: writes the seed corpus of fuzz_proto (corpus/proto/) with
 * the real encoders of src/proto.c, so the seeds are frames supd and supctl
 * actually exchange. Not built by `make`; to regenerate:
 *
 *	cc -D_GNU_SOURCE -Isrc -o /tmp/seeds tests/fuzz/seeds-proto.c \
 *	    src/proto.c src/util.c && (cd tests/fuzz/corpus/proto && /tmp/seeds)
 */
#include <stdio.h>
#include <stdlib.h>

#include "proto.h"

int	main(void);

static void
save(const char *name, struct buf *b)
{
	FILE	*f = fopen(name, "w");

	if (f == NULL || fwrite(b->p, 1, b->len, f) != b->len ||
	    fclose(f) != 0) {
		perror(name);
		exit(1);
	}
	buf_free(b);
}

int
main(void)
{
	struct buf	b = { 0 };
	char		*status[] = { "web", "db" };
	char		*start[] = { "1", "all" };
	char		*sig[] = { "web", "SIGHUP" };
	char		*logs[] = { "web", "100", "1" };
	char		*exec[] = { "1", "web", "/bin/sh", "-c", "id" };
	char		*winch[] = { "24", "80" };
	struct proto_status st = { "web", "running", "", 4242, 123456, 2, -1,
	    0, "healthy" };
	struct proto_status dead = { "db", "failed", "exec: No such file", 0,
	    0, 5, 127, 9, "" };

	proto_put_strv(&b, PROTO_STATUS, status, 2);
	save("status", &b);
	proto_put_strv(&b, PROTO_START, start, 2);
	save("start", &b);
	proto_put_strv(&b, PROTO_SIGNAL, sig, 2);
	save("signal", &b);
	proto_put_strv(&b, PROTO_LOGS, logs, 3);
	save("logs", &b);
	proto_put_strv(&b, PROTO_RELOAD, NULL, 0);
	save("reload", &b);
	proto_put_strv(&b, PROTO_EXEC, exec, 5);
	save("exec", &b);
	proto_put_strv(&b, PROTO_WINCH, winch, 2);
	save("winch", &b);
	proto_put_data(&b, PROTO_INPUT, "ls\n", 3);
	save("input", &b);
	/* A whole status reply: rows, then the END. */
	proto_status_pack(&b, &st);
	proto_status_pack(&b, &dead);
	proto_put_end(&b, 1, NULL);
	save("status-reply", &b);
	proto_put_data(&b, PROTO_DATA, "{\"name\":\"web\"}\n", 15);
	proto_put_end(&b, 0, "web: no such service");
	save("inspect-reply", &b);
	return 0;
}

/* SPDX-License-Identifier: ISC */
/* fuzz-sources: userdb.c util.c */
/*
 * fuzz_userdb.c: libFuzzer target for userdb.c, the passwd(5) and group(5)
 * parser that reads a rootfs's account files. The input is used as both a
 * passwd and a group file; every lookup runs on it with a few fixed names
 * and ids, and the results are checked against what userdb.h promises.
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Isrc \
 *       tests/fuzz/fuzz_userdb.c src/userdb.c src/util.c -o fuzz_userdb
 *   ./fuzz_userdb tests/fuzz/corpus/userdb
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "userdb.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const char *const names[] = { "root", "app", "nobody", "", "a:b" };
static const uint32_t ids[] = { 0, 1000, 65534, 4294967294U, 4294967295U };

/* A found entry holds no byte that cannot be in its field. */
static void
check_field(const char *s)
{
	if (strpbrk(s, ":\n") != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char		*buf = (const char *)data;
	struct userdb_pw	 pw;
	struct userdb_gr	 gr;
	uint32_t		*gids;
	size_t			 i, j, n;

	for (i = 0; i < sizeof names / sizeof *names; i++) {
		if (userdb_pw_byname(buf, size, names[i], &pw) == 1) {
			if (strcmp(pw.name, names[i]) != 0 ||
			    pw.uid == UINT32_MAX || pw.gid == UINT32_MAX)
				abort();
			check_field(pw.home);
			userdb_pw_free(&pw);
		}
		if (userdb_gr_byname(buf, size, names[i], &gr) == 1) {
			if (strcmp(gr.name, names[i]) != 0 ||
			    gr.gid == UINT32_MAX)
				abort();
			userdb_gr_free(&gr);
		}
		if (userdb_grouplist(buf, size, names[i], ids[i], &gids, &n) ==
		    0) {
			if (n == 0 || n > USERDB_NGROUPS_MAX ||
			    gids[0] != ids[i])
				abort();
			for (j = 1; j < n; j++)
				if (gids[j] == gids[0] ||
				    (j > 1 && gids[j] <= gids[j - 1]))
					abort();	/* sorted, unique */
			free(gids);
		}
	}
	for (i = 0; i < sizeof ids / sizeof *ids; i++) {
		if (userdb_pw_byuid(buf, size, ids[i], &pw) == 1) {
			if (pw.uid != ids[i] || pw.name[0] == '\0')
				abort();
			check_field(pw.name);
			check_field(pw.home);
			userdb_pw_free(&pw);
		}
		if (userdb_gr_bygid(buf, size, ids[i], &gr) == 1) {
			if (gr.gid != ids[i] || gr.name[0] == '\0')
				abort();
			check_field(gr.name);
			userdb_gr_free(&gr);
		}
	}
	return 0;
}

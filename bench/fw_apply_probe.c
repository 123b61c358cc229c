/* SPDX-License-Identifier: ISC */
/*
 * fw_apply_probe: the time of fw_apply (src/firewall.c, linked in) for
 * N networks, in a network namespace of its own. For each N given: ROUNDS
 * calls, each replacing the table the previous one made (what a reload
 * does), then one fw_remove; then ROUNDS times fw_apply after fw_remove
 * (untimed), the table only added (what supd's start does); prints
 *   n=N median=NS p90=NS max=NS remove=NS add=NS (add: its median)
 * Networks cycle nat, neither, internal; subnets 10.X.Y.0/24.
 */
#include <arpa/inet.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "firewall.h"

static long long
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int
cmp(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	int rounds = atoi(argv[1]), a, r;
	long long *t = calloc((size_t)rounds, sizeof *t), t0, rm;
	char *cause = NULL;

	if (argc < 3 || rounds < 1 || unshare(CLONE_NEWNET) == -1) {
		fprintf(stderr, "usage: fw_apply_probe ROUNDS N... (as root)\n");
		return 2;
	}
	for (a = 2; a < argc; a++) {
		int n = atoi(argv[a]), i;
		struct fw_net *nets = calloc((size_t)n, sizeof *nets);
		char (*names)[16] = calloc((size_t)n, 16);
		char (*bridges)[32] = calloc((size_t)n, 32);
		long long add;

		for (i = 0; i < n; i++) {
			snprintf(names[i], 16, "n%d", i);
			snprintf(bridges[i], 32, "supd-n%d", i);
			nets[i].name = names[i];
			nets[i].bridge = bridges[i];
			nets[i].subnet.s_addr = htonl(0x0a000000u |
			    (unsigned)i << 8);
			nets[i].prefix = 24;
			nets[i].nat = i % 3 == 0;
			nets[i].internal = i % 3 == 2;
		}
		for (r = 0; r < rounds; r++) {
			t0 = now_ns();
			if (fw_apply(nets, (size_t)n, &cause) == -1) {
				fprintf(stderr, "fw_apply: %s\n", cause);
				return 1;
			}
			t[r] = now_ns() - t0;
		}
		t0 = now_ns();
		if (fw_remove(&cause) == -1) {
			fprintf(stderr, "fw_remove: %s\n", cause);
			return 1;
		}
		rm = now_ns() - t0;
		qsort(t, (size_t)rounds, sizeof *t, cmp);
		printf("n=%d median=%lld p90=%lld max=%lld remove=%lld", n,
		    t[rounds / 2], t[rounds * 9 / 10], t[rounds - 1], rm);
		for (r = 0; r < rounds; r++) {
			t0 = now_ns();
			if (fw_apply(nets, (size_t)n, &cause) == -1 ||
			    (t[r] = now_ns() - t0, fw_remove(&cause)) == -1) {
				fprintf(stderr, "fw_apply: %s\n", cause);
				return 1;
			}
		}
		qsort(t, (size_t)rounds, sizeof *t, cmp);
		add = t[rounds / 2];
		printf(" add=%lld\n", add);
		free(nets);
		free(names);
		free(bridges);
	}
	free(t);
	return 0;
}

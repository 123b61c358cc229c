/* SPDX-License-Identifier: ISC */
/*
 * mono_ns: print CLOCK_MONOTONIC in nanoseconds. Tests time durations with
 * it, not with `date +%s%N`: faults.bats sets the wall clock back and forth,
 * and a duration measured across that would be off by an hour.
 */
#include <stdio.h>
#include <time.h>

int
main(void)
{
	struct timespec	ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1) {
		perror("clock_gettime");
		return 1;
	}
	printf("%lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	return 0;
}

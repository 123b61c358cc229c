/* SPDX-License-Identifier: ISC */
/*
 * spew.c: write BYTES of 100-byte numbered lines to stdout, as fast as
 * possible, in 64 KiB write(2)s (lines straddle writes, as real output does).
 * Line i (from 0): "%09d" of i, a space, 89 'x', '\n'. The stream is fully
 * determined by BYTES, so `spew -n BYTES | cmp - CAPTURE` checks a capture
 * for lost, duplicated or reordered bytes.
 *
 *   spew [-n BYTES] [-t STARTFILE] [-e ENDFILE]
 *
 * -t / -e write CLOCK_REALTIME in ns (as `date +%s%N`) to the file before the
 * first write / after the last one. BYTES defaults to 1 GiB rounded down to
 * whole lines (1073741800).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINE	100
#define CHUNK	(64 * 1024)

static void
stamp_file(const char *path)
{
	struct timespec	 ts;
	FILE		*fp;

	if (path == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	if ((fp = fopen(path, "w")) == NULL) {
		perror(path);
		exit(1);
	}
	fprintf(fp, "%lld\n", (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec);
	fclose(fp);
}

int
main(int argc, char *argv[])
{
	static char	buf[CHUNK + LINE];
	char		line[LINE];
	long long	total = 1073741800LL, done = 0;
	const char	*tfile = NULL, *efile = NULL;
	size_t		fill = 0, off;
	ssize_t		n;
	int		ch, d;

	while ((ch = getopt(argc, argv, "n:t:e:")) != -1)
		switch (ch) {
		case 'n': total = atoll(optarg); break;
		case 't': tfile = optarg; break;
		case 'e': efile = optarg; break;
		default:
			fprintf(stderr, "usage: spew [-n BYTES] [-t FILE] [-e FILE]\n");
			return 2;
		}
	memset(line, 'x', LINE);
	memset(line, '0', 9);
	line[9] = ' ';
	line[LINE - 1] = '\n';
	stamp_file(tfile);
	while (done < total) {
		/* Fill up to CHUNK bytes: whole lines, the rest carried over. */
		while (fill < CHUNK) {
			memcpy(buf + fill, line, LINE);
			fill += LINE;
			for (d = 8; d >= 0; d--) {	/* line number += 1 */
				if (line[d] != '9') {
					line[d]++;
					break;
				}
				line[d] = '0';
			}
		}
		off = CHUNK;
		if ((long long)off > total - done)
			off = total - done;
		n = write(1, buf, off);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			perror("write");
			return 1;
		}
		done += n;
		memmove(buf, buf + n, fill - n);
		fill -= n;
	}
	stamp_file(efile);
	return 0;
}

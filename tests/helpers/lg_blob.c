/* SPDX-License-Identifier: ISC */
/*
 * lg_blob: write BYTES bytes of one character with no newline at all, in
 * 64 KiB write() calls, then (with -H FILE) write "done BYTES" into FILE
 * (atomically, by rename) and pause() forever unless -x is given.
 *
 *   lg_blob [-c CHAR] [-H FILE] [-x] BYTES
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
	static char	 buf[65536];
	const char	*hb = NULL;
	unsigned long	 total, left, k;
	char		 tmp[4096], txt[64];
	int		 ch, fill = 'x', do_exit = 0, fd, len;
	ssize_t		 w;

	while ((ch = getopt(argc, argv, "c:H:x")) != -1)
		switch (ch) {
		case 'c': fill = optarg[0]; break;
		case 'H': hb = optarg; break;
		case 'x': do_exit = 1; break;
		default: goto usage;
		}
	if (optind + 1 != argc)
		goto usage;
	total = strtoul(argv[optind], NULL, 10);
	memset(buf, fill, sizeof buf);
	for (left = total; left > 0; left -= (unsigned long)w) {
		k = left < sizeof buf ? left : sizeof buf;
		w = write(1, buf, k);
		if (w == -1 && errno == EINTR) {
			w = 0;
			continue;
		}
		if (w <= 0) {
			fprintf(stderr, "lg_blob: write: %s\n", strerror(errno));
			return 3;
		}
	}
	if (hb != NULL) {
		snprintf(tmp, sizeof tmp, "%s.tmp", hb);
		len = snprintf(txt, sizeof txt, "done %lu\n", total);
		if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644)) != -1) {
			if (write(fd, txt, (size_t)len) == len)
				(void)rename(tmp, hb);
			close(fd);
		}
	}
	if (!do_exit)
		for (;;)
			pause();
	return 0;

usage:
	fprintf(stderr, "usage: lg_blob [-c CHAR] [-H FILE] [-x] BYTES\n");
	return 2;
}

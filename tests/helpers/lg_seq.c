/* SPDX-License-Identifier: ISC */
/*
 * lg_seq: a sequenced log writer for the log tests.
 *
 * Writes lines "[TAG ]seq=N xxx...x\n", every line exactly LEN bytes
 * (newline included), numbered from START. Phases, in order:
 *
 *   pre   (-P MS with -W FILE) one line every MS ms until FILE exists
 *   main  -n COUNT lines as fast as possible, CHUNK bytes per write()
 *         (whole lines per write; -c 0 = one line per write())
 *   keep  (-k MS) then one line every MS ms, forever
 *   wait  (-w) then pause() forever; otherwise exit 0
 *
 * Without -P, -W FILE just waits for FILE before the main phase.
 * -H FILE: after every write() FILE holds the last seq number written (and
 * "done N" once the main phase is over), replaced atomically by rename.
 * -f FD writes to FD instead of 1.
 *
 * Exit codes: 0 done, 2 usage, 3 a write failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char	*hb_path;
static int		 out_fd = 1;

static void
msleep(long ms)
{
	struct timespec	ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

static void __attribute__((format(printf, 1, 2)))
heartbeat(const char *fmt, ...)
{
	char	tmp[4096], txt[64];
	va_list	ap;
	int	fd, len;

	if (hb_path == NULL)
		return;
	snprintf(tmp, sizeof tmp, "%s.tmp", hb_path);
	va_start(ap, fmt);
	len = vsnprintf(txt, sizeof txt, fmt, ap);
	va_end(ap);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) == -1)
		return;
	if (write(fd, txt, (size_t)len) != len) {
		close(fd);
		return;
	}
	close(fd);
	(void)rename(tmp, hb_path);
}

static void
write_all(const char *p, size_t n)
{
	ssize_t	w;

	while (n > 0) {
		w = write(out_fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			fprintf(stderr, "lg_seq: write: %s\n", strerror(errno));
			exit(3);
		}
		p += w;
		n -= (size_t)w;
	}
}

static size_t
fmt_line(char *p, size_t len, const char *tag, unsigned long n)
{
	int	k;

	k = snprintf(p, len + 1, "%s%sseq=%lu ", tag != NULL ? tag : "",
	    tag != NULL ? " " : "", n);
	if (k < 0 || (size_t)k >= len) {
		fprintf(stderr, "lg_seq: line length %zu too short\n", len);
		exit(2);
	}
	memset(p + k, 'x', len - 1 - (size_t)k);
	p[len - 1] = '\n';
	return len;
}

static int
exists(const char *path)
{
	return access(path, F_OK) == 0;
}

int
main(int argc, char *argv[])
{
	unsigned long	 count = 1000, start = 1, n, last;
	size_t		 len = 100, chunk = 65536, per, k;
	long		 pre_ms = -1, keep_ms = -1;
	const char	*tag = NULL, *wait_file = NULL;
	int		 ch, wait_forever = 0;
	char		*buf;

	while ((ch = getopt(argc, argv, "n:s:L:t:f:c:H:W:P:k:w")) != -1)
		switch (ch) {
		case 'n': count = strtoul(optarg, NULL, 10); break;
		case 's': start = strtoul(optarg, NULL, 10); break;
		case 'L': len = strtoul(optarg, NULL, 10); break;
		case 't': tag = optarg; break;
		case 'f': out_fd = atoi(optarg); break;
		case 'c': chunk = strtoul(optarg, NULL, 10); break;
		case 'H': hb_path = optarg; break;
		case 'W': wait_file = optarg; break;
		case 'P': pre_ms = atol(optarg); break;
		case 'k': keep_ms = atol(optarg); break;
		case 'w': wait_forever = 1; break;
		default:
			fprintf(stderr, "usage: lg_seq [-n COUNT] [-s START] "
			    "[-L LEN] [-t TAG] [-f FD] [-c CHUNK] [-H FILE] "
			    "[-W FILE [-P MS]] [-k MS] [-w]\n");
			return 2;
		}
	if (len < 2)
		len = 2;
	per = chunk / len;
	if (per == 0)
		per = 1;
	if ((buf = malloc(per * len + 1)) == NULL)
		return 2;

	n = start;
	if (wait_file != NULL) {
		while (!exists(wait_file)) {
			if (pre_ms >= 0) {
				fmt_line(buf, len, tag, n);
				write_all(buf, len);
				heartbeat("%lu\n", n);
				n++;
				msleep(pre_ms);
			} else
				msleep(10);
		}
	}
	last = n + count;	/* one past the main phase */
	while (n < last) {
		for (k = 0; k < per && n < last; k++, n++)
			fmt_line(buf + k * len, len, tag, n);
		write_all(buf, k * len);
		heartbeat("%lu\n", n - 1);
	}
	heartbeat("done %lu\n", n - 1);
	if (keep_ms >= 0) {
		for (;; n++) {
			fmt_line(buf, len, tag, n);
			write_all(buf, len);
			heartbeat("%lu\n", n);
			msleep(keep_ms);
		}
	}
	if (wait_forever)
		for (;;)
			pause();
	free(buf);
	return 0;
}

/*
 * seqlines.c: numbered lines for the soak (soak.sh), written at a steady
 * rate by a service and checked afterwards in its log files.
 *
 *   seqlines write RATE LASTFILE
 *	Lines of 100 bytes, "%020llu " + 78 'x' + '\n', numbered from 1, at
 *	RATE bytes a second (CLOCK_MONOTONIC), in write(2)s of whole lines
 *	(at most 64 KiB; a short write is completed, never left cut). On
 *	SIGTERM it completes the write under way, writes the last number to
 *	LASTFILE and exits 0.
 *
 *   seqlines scan FILE...
 *	Reads every FILE (any order) and prints each run of consecutive
 *	numbers found as "run FIRST LAST", then "bad N": lines that are not
 *	a well-formed line of the writer. soak.sh sorts the runs of all the
 *	files of a log and counts what is missing or repeated.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINE	100
#define DIGITS	20
#define CHUNK	(64 * 1024 / LINE * LINE)	/* whole lines */

static volatile sig_atomic_t	stop;

static void
on_term(int sig)
{
	(void)sig;
	stop = 1;
}

static double
mono(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* All of it, whatever signals arrive: a line is never left cut. */
static void
write_all(const char *p, size_t n)
{
	ssize_t	w;

	while (n > 0) {
		w = write(1, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w <= 0) {
			perror("seqlines: write");
			exit(1);
		}
		p += w;
		n -= (size_t)w;
	}
}

static int
do_write(double rate, const char *lastfile)
{
	static char		 buf[CHUNK];
	struct sigaction	 sa;
	unsigned long long	 n = 0;
	double			 t0 = mono(), sent = 0, allowed;
	size_t			 k, len;
	FILE			*fp;
	struct timespec		 nap = { 0, 2000000 };

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_term;	/* no SA_RESTART: a sleep ends at once */
	sigaction(SIGTERM, &sa, NULL);
	for (k = 0; k < CHUNK; k += LINE) {
		memset(buf + k, 'x', LINE);
		buf[k + DIGITS] = ' ';
		buf[k + LINE - 1] = '\n';
	}
	while (!stop) {
		allowed = rate * (mono() - t0) - sent;
		if (allowed < LINE) {
			nanosleep(&nap, NULL);
			continue;
		}
		len = allowed < CHUNK ? (size_t)allowed / LINE * LINE : CHUNK;
		for (k = 0; k < len; k += LINE) {
			char	num[DIGITS + 1];

			snprintf(num, sizeof num, "%0*llu", DIGITS, ++n);
			memcpy(buf + k, num, DIGITS);
		}
		write_all(buf, len);
		sent += len;
	}
	if ((fp = fopen(lastfile, "w")) == NULL) {
		perror(lastfile);
		return 1;
	}
	fprintf(fp, "%llu\n", n);
	return fclose(fp) == 0 ? 0 : 1;
}

/* One well-formed line: its number, or 0. */
static unsigned long long
parse(const char *p, size_t len)
{
	unsigned long long	v = 0;
	size_t			i;

	if (len != LINE - 1 || p[DIGITS] != ' ')
		return 0;
	for (i = 0; i < DIGITS; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		v = v * 10 + (unsigned long long)(p[i] - '0');
	}
	for (i = DIGITS + 1; i < len; i++)
		if (p[i] != 'x')
			return 0;
	return v;
}

static int
do_scan(int argc, char **argv)
{
	static char		 buf[1 << 20];
	unsigned long long	 first = 0, prev = 0, v, bad = 0;
	size_t			 have = 0, off;
	ssize_t			 r;
	char			*nl;
	int			 i, fd;

	for (i = 0; i < argc; i++) {
		if ((fd = open(argv[i], O_RDONLY)) == -1) {
			perror(argv[i]);
			return 1;
		}
		have = 0;
		while ((r = read(fd, buf + have, sizeof buf - have)) > 0) {
			have += (size_t)r;
			off = 0;
			while ((nl = memchr(buf + off, '\n', have - off)) != NULL) {
				v = parse(buf + off, (size_t)(nl - (buf + off)));
				off = (size_t)(nl - buf) + 1;
				if (v == 0) {
					bad++;
					continue;
				}
				if (first != 0 && v == prev + 1) {
					prev = v;
					continue;
				}
				if (first != 0)
					printf("run %llu %llu\n", first, prev);
				first = prev = v;
			}
			memmove(buf, buf + off, have - off);
			have -= off;
			if (have == sizeof buf)
				have = 0, bad++;	/* a line longer than 1 MiB */
		}
		if (have > 0)
			bad++;			/* a last line without its newline */
		close(fd);
	}
	if (first != 0)
		printf("run %llu %llu\n", first, prev);
	printf("bad %llu\n", bad);
	return 0;
}

int
main(int argc, char *argv[])
{
	if (argc == 4 && strcmp(argv[1], "write") == 0)
		return do_write(atof(argv[2]), argv[3]);
	if (argc >= 2 && strcmp(argv[1], "scan") == 0)
		return do_scan(argc - 2, argv + 2);
	fprintf(stderr, "usage: seqlines write RATE LASTFILE | "
	    "seqlines scan FILE...\n");
	return 2;
}

/* SPDX-License-Identifier: ISC */
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
 *	Reads every FILE and prints each run of consecutive numbers found in
 *	it as "run FIRST LAST", then "bad N": lines that are not a
 *	well-formed line of the writer. soak.sh sorts the runs of all the
 *	files of a log and counts what is missing or repeated.
 *
 *   seqlines claim DIR NAME RUNS STOPFILE
 *	Takes the rotated files of DIR/NAME.log away as they appear (see
 *	do_claim), scanning each into RUNS, until STOPFILE exists.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
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

/* One file's runs of consecutive numbers, and its malformed lines. */
static int
scan_file(const char *path, FILE *out, unsigned long long *bad)
{
	static char		 buf[1 << 20];
	unsigned long long	 first = 0, prev = 0, v;
	size_t			 have = 0, off;
	ssize_t			 r;
	char			*nl;
	int			 fd;

	if ((fd = open(path, O_RDONLY)) == -1) {
		perror(path);
		return -1;
	}
	while ((r = read(fd, buf + have, sizeof buf - have)) > 0) {
		have += (size_t)r;
		off = 0;
		while ((nl = memchr(buf + off, '\n', have - off)) != NULL) {
			v = parse(buf + off, (size_t)(nl - (buf + off)));
			off = (size_t)(nl - buf) + 1;
			if (v == 0) {
				(*bad)++;
				continue;
			}
			if (first != 0 && v == prev + 1) {
				prev = v;
				continue;
			}
			if (first != 0)
				fprintf(out, "run %llu %llu\n", first, prev);
			first = prev = v;
		}
		memmove(buf, buf + off, have - off);
		have -= off;
		if (have == sizeof buf)
			have = 0, (*bad)++;	/* a line longer than 1 MiB */
	}
	if (have > 0)
		(*bad)++;		/* a last line without its newline */
	close(fd);
	if (first != 0)
		fprintf(out, "run %llu %llu\n", first, prev);
	return 0;
}

static int
do_scan(int argc, char **argv)
{
	unsigned long long	bad = 0;
	int			i;

	for (i = 0; i < argc; i++)
		if (scan_file(argv[i], stdout, &bad) == -1)
			return 1;
	printf("bad %llu\n", bad);
	return 0;
}

static int
cmp_desc(const void *a, const void *b)
{
	unsigned	x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* The N of every NAME.log.N in DIR, highest (oldest) first; their count. */
static size_t
rotated(const char *dir, const char *name, unsigned **ns)
{
	static size_t	 cap;
	struct dirent	*de;
	size_t		 n = 0, len = strlen(name);
	char		*end;
	unsigned long	 v;
	DIR		*d;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, name, len) != 0 ||
		    strncmp(de->d_name + len, ".log.", 5) != 0 ||
		    de->d_name[len + 5] < '0' || de->d_name[len + 5] > '9')
			continue;
		v = strtoul(de->d_name + len + 5, &end, 10);
		if (*end != '\0')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			if ((*ns = realloc(*ns, cap * sizeof **ns)) == NULL)
				exit(1);
		}
		(*ns)[n++] = (unsigned)v;
	}
	closedir(d);
	qsort(*ns, n, sizeof **ns, cmp_desc);
	return n;
}

/*
 * Until STOPFILE exists (then one pass more): every 100 ms take every
 * rotated file NAME.log.N of DIR, oldest (highest N) first -- rename to
 * DIR/.claim.NAME (whole files only; supd never uses that name), scan,
 * delete -- appending their runs to RUNS. A rotation may shift files while
 * a pass runs, so a pass may take them out of order or leave one for the
 * next: the runs are sorted in the end. Ends with "bad N" and "lag N" (the
 * most rotated files seen waiting at once: had it reached max_files,
 * supd's retention would have deleted files before they were scanned).
 */
static int
do_claim(const char *dir, const char *name, const char *runs,
    const char *stopfile)
{
	struct timespec		 nap = { 0, 100000000 };
	unsigned long long	 bad = 0;
	unsigned		*ns = NULL, lag = 0;
	size_t			 n, i;
	char			 path[4096], claim[4096];
	bool			 last = false;
	FILE			*out;

	if ((out = fopen(runs, "a")) == NULL) {
		perror(runs);
		return 1;
	}
	snprintf(claim, sizeof claim, "%s/.claim.%s", dir, name);
	while (!last) {
		last = access(stopfile, F_OK) == 0;
		n = rotated(dir, name, &ns);
		if (n > lag)
			lag = (unsigned)n;
		for (i = 0; i < n; i++) {
			snprintf(path, sizeof path, "%s/%s.log.%u", dir, name,
			    ns[i]);
			if (rename(path, claim) == -1)
				continue;	/* moved on by a rotation */
			if (scan_file(claim, out, &bad) == -1)
				return 1;
			unlink(claim);
		}
		fflush(out);
		if (!last)
			nanosleep(&nap, NULL);
	}
	fprintf(out, "bad %llu\nlag %u\n", bad, lag);
	free(ns);
	return fclose(out) == 0 ? 0 : 1;
}

int
main(int argc, char *argv[])
{
	if (argc == 4 && strcmp(argv[1], "write") == 0)
		return do_write(atof(argv[2]), argv[3]);
	if (argc >= 2 && strcmp(argv[1], "scan") == 0)
		return do_scan(argc - 2, argv + 2);
	if (argc == 6 && strcmp(argv[1], "claim") == 0)
		return do_claim(argv[2], argv[3], argv[4], argv[5]);
	fprintf(stderr, "usage: seqlines write RATE LASTFILE | "
	    "seqlines scan FILE... | seqlines claim DIR NAME RUNS STOPFILE\n");
	return 2;
}

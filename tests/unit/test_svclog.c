/* SPDX-License-Identifier: ISC */
/*
 * test_svclog.c: unit tests for svclog.c on the real libev default loop --
 * lines through a full pipe into rotating files (every line once, in order),
 * timestamps, partial and over-long lines, retention, tail across rotation,
 * followers, console copies, when_full drop and block, stderr modes.
 */
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ev.h>

#include "janitor.h"
#include "svclog.h"
#include "unit.h"

#define NLINES	20000

static char	dir[64];

/* What a follower saw. */
struct seen {
	struct buf	data;
	int		calls;
	int		ends;		/* calls with data NULL */
	struct svclog	*leave;		/* unfollow from inside the callback */
};

static void
follow_cb(void *arg, const char *data, size_t len)
{
	struct seen	*s = arg;

	if (data == NULL) {
		CHECK_INT(len, 0);
		s->ends++;
		return;
	}
	buf_add(&s->data, data, len);
	s->calls++;
	if (s->leave != NULL)
		svclog_unfollow(s->leave, follow_cb, s);
}

static void
tick_cb(EV_P_ ev_timer *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
}

static double
now_s(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Run the loop until *len >= want or secs pass; a tick keeps it awake. */
static void
run_until(const size_t *len, size_t want, double secs)
{
	ev_timer	tick;
	double		end = now_s() + secs;

	ev_timer_init(&tick, tick_cb, 0.02, 0.02);
	ev_timer_start(EV_DEFAULT, &tick);
	while ((len == NULL || *len < want) && now_s() < end)
		ev_run(EV_DEFAULT, EVRUN_ONCE);
	ev_timer_stop(EV_DEFAULT, &tick);
}

static void
run_for(double secs)
{
	run_until(NULL, 0, secs);
}

static char *
path_of(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

static char *
rot_of(const char *name, unsigned n)
{
	return xasprintf("%s/%s.%u", dir, name, n);
}

/* The whole file, NUL-terminated; NULL if missing. */
static char *
slurp(const char *path, size_t *lenp)
{
	struct buf	b = { 0 };
	char		tmp[65536];
	ssize_t		n;
	int		fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return NULL;
	buf_add(&b, "", 0);
	while ((n = read(fd, tmp, sizeof tmp)) > 0)
		buf_add(&b, tmp, (size_t)n);
	close(fd);
	if (lenp != NULL)
		*lenp = b.len;
	return b.p;
}

static void
xwrite(int fd, const char *s)
{
	size_t	n = strlen(s);
	ssize_t	w;

	while (n > 0) {
		if ((w = write(fd, s, n)) <= 0) {
			perror("write");
			exit(2);
		}
		s += w;
		n -= (size_t)w;
	}
}

static struct log_conf
mkconf(const char *file, uint64_t max_size, unsigned max_files)
{
	struct log_conf	c;

	memset(&c, 0, sizeof c);
	c.file = file != NULL ? path_of(file) : NULL;
	c.stderr_mode = LOG_STDERR_MERGE;
	c.max_size = max_size;
	c.max_files = max_files;
	c.when_full = LOG_FULL_BLOCK;
	return c;
}

static struct svclog *
mklog(const char *name, const struct log_conf *c)
{
	struct svclog	*sl;
	char		*cause = NULL;

	sl = svclog_new(name, c, false);
	if (svclog_open(sl, &cause) == -1) {
		fprintf(stderr, "svclog_open: %s\n", cause);
		exit(1);
	}
	return sl;
}

static int
count_fds(void)
{
	DIR		*d = opendir("/proc/self/fd");
	struct dirent	*de;
	int		 n = 0;

	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return n - 1;	/* the DIR itself */
}

/* A forked writer fills the pipe in odd-sized chunks; all lines, in order. */
static void
test_bulk_rotation(void)
{
	struct log_conf	 c = mkconf("bulk.log", 4096, 1000);
	struct svclog	*sl = mklog("bulk", &c);
	struct seen	 s = { 0 };
	struct buf	 want = { 0 }, got = { 0 };
	char		*p, *name;
	size_t		 len;
	unsigned	 i, nrot = 0;
	int		 out, err, ok = 1;
	pid_t		 pid;

	for (i = 0; i < NLINES; i++)
		buf_printf(&want, "line %u\n", i);
	svclog_follow(sl, follow_cb, &s);
	svclog_child_fds(sl, &out, &err);
	CHECK_INT(out, err);
	if ((pid = fork()) == 0) {
		size_t	off = 0, n;

		srand(1);
		while (off < want.len) {
			n = 1 + (size_t)rand() % 9000;
			if (n > want.len - off)
				n = want.len - off;
			if (write(out, want.p + off, n) != (ssize_t)n)
				_exit(1);
			off += n;
		}
		_exit(0);
	}
	CHECK(pid > 0);
	run_until(&s.data.len, want.len, 30);
	waitpid(pid, NULL, 0);
	svclog_free(sl);
	CHECK_INT(s.ends, 1);

	/* Oldest first: .K ... .1, then the current file. */
	for (i = 1;; i++) {
		name = rot_of("bulk.log", i);
		if (access(name, F_OK) == -1) {
			free(name);
			break;
		}
		free(name);
		nrot = i;
	}
	CHECK(nrot >= 50);
	for (i = nrot; i >= 1; i--) {
		name = rot_of("bulk.log", i);
		p = slurp(name, &len);
		free(name);
		if (p == NULL || len == 0 || len > 4096 || p[len - 1] != '\n')
			ok = 0;
		if (p != NULL)
			buf_add(&got, p, len);
		free(p);
	}
	CHECK(ok);
	name = path_of("bulk.log");
	p = slurp(name, &len);
	free(name);
	CHECK(p != NULL && len <= 4096);
	if (p != NULL)
		buf_add(&got, p, len);
	free(p);
	CHECK_INT(got.len, want.len);
	CHECK(got.len == want.len && memcmp(got.p, want.p, want.len) == 0);
	/* The follower saw exactly what went into the files. */
	CHECK(s.data.len == want.len &&
	    memcmp(s.data.p, want.p, want.len) == 0);
	buf_free(&want);
	buf_free(&got);
	buf_free(&s.data);
	free(c.file);
}

static int
is_stamp_line(const char *l, const char *text)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:dd.dddZ ";
	size_t		  i;

	for (i = 0; i < sizeof pat - 1; i++) {
		if (pat[i] == 'd' ? (l[i] < '0' || l[i] > '9') : l[i] != pat[i])
			return 0;
	}
	return strncmp(l + i, text, strlen(text)) == 0 &&
	    l[i + strlen(text)] == '\n';
}

static void
test_timestamps(void)
{
	struct log_conf	 c = mkconf("ts.log", 1 << 20, 2);
	struct svclog	*sl;
	struct seen	 s = { 0 };
	char		*p;
	size_t		 len;
	int		 out, err;

	c.timestamps = true;
	sl = mklog("ts", &c);
	svclog_follow(sl, follow_cb, &s);
	svclog_child_fds(sl, &out, &err);
	xwrite(out, "hello\nwor");
	run_until(&s.data.len, 31, 5);
	xwrite(out, "ld\n");
	run_until(&s.data.len, 62, 5);
	svclog_free(sl);
	p = slurp(c.file, &len);
	CHECK(p != NULL && len == 62);
	if (p != NULL && len == 62) {
		CHECK(is_stamp_line(p, "hello"));
		CHECK(is_stamp_line(p + 31, "world"));
	}
	CHECK(s.data.len == len && p != NULL &&
	    memcmp(s.data.p, p, len) == 0);
	free(p);
	buf_free(&s.data);
	free(c.file);
}

static void
test_partial_at_free(void)
{
	struct log_conf	 c = mkconf("part.log", 1 << 20, 2);
	struct svclog	*sl = mklog("part", &c);
	char		*p;
	int		 out, err;

	svclog_child_fds(sl, &out, &err);
	xwrite(out, "x\ny");
	run_for(0.1);
	xwrite(out, "z");		/* still in the pipe at free */
	svclog_free(sl);
	p = slurp(c.file, NULL);
	CHECK_STR(p, "x\nyz\n");
	free(p);
	free(c.file);
}

/* A line longer than max_size is split at max_size; nothing else is. */
static void
test_long_line(void)
{
	struct log_conf	 c = mkconf("long.log", 100, 5);
	struct svclog	*sl = mklog("long", &c);
	struct seen	 s = { 0 };
	char		 line[300], *p, *name;
	int		 out, err;

	memset(line, 'a', 250);
	strcpy(line + 250, "\nend\n");
	svclog_follow(sl, follow_cb, &s);
	svclog_child_fds(sl, &out, &err);
	xwrite(out, "pre\n");
	run_until(&s.data.len, 4, 5);
	xwrite(out, line);
	run_until(&s.data.len, 4 + 255, 5);
	svclog_free(sl);

	name = rot_of("long.log", 3);
	p = slurp(name, NULL);
	CHECK_STR(p, "pre\n");
	free(p);
	free(name);
	name = rot_of("long.log", 2);
	p = slurp(name, NULL);
	CHECK(p != NULL && strlen(p) == 100 && strspn(p, "a") == 100);
	free(p);
	free(name);
	name = rot_of("long.log", 1);
	p = slurp(name, NULL);
	CHECK(p != NULL && strlen(p) == 100 && strspn(p, "a") == 100);
	free(p);
	free(name);
	p = slurp(c.file, NULL);
	CHECK(p != NULL && strlen(p) == 55 && strspn(p, "a") == 50 &&
	    strcmp(p + 50, "\nend\n") == 0);
	free(p);
	buf_free(&s.data);
	free(c.file);
}

/* A partial line that reaches the cap is written as-is, then completed. */
static void
test_partial_cap(void)
{
	struct log_conf	 c = mkconf("cap.log", 64, 5);
	struct svclog	*sl = mklog("cap", &c);
	struct seen	 s = { 0 };
	char		*p, *name;
	int		 out, err;

	svclog_follow(sl, follow_cb, &s);
	svclog_child_fds(sl, &out, &err);
	xwrite(out, "0123456789012345678901234567890123456789");
	run_for(0.05);
	xwrite(out, "0123456789012345678901234567890123456789");
	run_until(&s.data.len, 64, 5);
	CHECK_INT(s.data.len, 64);	/* the cap: min(max_size, 64K) */
	xwrite(out, "\n");
	run_until(&s.data.len, 81, 5);
	svclog_free(sl);
	name = rot_of("cap.log", 1);
	p = slurp(name, NULL);
	CHECK(p != NULL && strlen(p) == 64);
	free(p);
	free(name);
	p = slurp(c.file, NULL);
	CHECK_STR(p, "4567890123456789\n");
	free(p);
	buf_free(&s.data);
	free(c.file);
}

/* Retention, and tail across the rotation boundary. */
static void
test_max_files_tail(void)
{
	struct log_conf	 c = mkconf("keep.log", 10, 2);
	struct svclog	*sl = mklog("keep", &c);
	struct seen	 s = { 0 };
	struct buf	 t = { 0 };
	char		*p, *name;
	int		 out, err;

	svclog_follow(sl, follow_cb, &s);
	svclog_child_fds(sl, &out, &err);
	xwrite(out, "l0\nl1\nl2\nl3\nl4\nl5\nl6\nl7\nl8\nl9\n");
	run_until(&s.data.len, 30, 5);

	name = rot_of("keep.log", 3);
	CHECK(access(name, F_OK) == -1);
	free(name);
	name = rot_of("keep.log", 2);
	p = slurp(name, NULL);
	CHECK_STR(p, "l3\nl4\nl5\n");
	free(p);
	free(name);
	name = rot_of("keep.log", 1);
	p = slurp(name, NULL);
	CHECK_STR(p, "l6\nl7\nl8\n");
	free(p);
	free(name);
	p = slurp(c.file, NULL);
	CHECK_STR(p, "l9\n");
	free(p);

	CHECK_INT(svclog_tail(sl, 4, &t), 0);
	CHECK_STR(t.p, "l6\nl7\nl8\nl9\n");
	buf_reset(&t);
	CHECK_INT(svclog_tail(sl, 1, &t), 0);
	CHECK_STR(t.p, "l9\n");
	buf_reset(&t);
	CHECK_INT(svclog_tail(sl, 100, &t), 0);
	CHECK_STR(t.p, "l3\nl4\nl5\nl6\nl7\nl8\nl9\n");
	buf_reset(&t);
	CHECK_INT(svclog_tail(sl, 0, &t), 0);
	CHECK_INT(t.len, 0);

	/* A last line without its newline still counts as a line. */
	xwrite(out, "x");
	run_for(0.05);
	buf_reset(&t);
	CHECK_INT(svclog_tail(sl, 2, &t), 0);
	CHECK_STR(t.p, "l8\nl9\n");

	/* Fewer files kept after a reload: the extra ones go at once. */
	{
		c.max_files = 1;
		svclog_configure(sl, &c);
		name = rot_of("keep.log", 2);
		CHECK(access(name, F_OK) == -1);
		free(name);
		name = rot_of("keep.log", 1);
		CHECK(access(name, F_OK) == 0);
		free(name);
	}
	svclog_free(sl);
	p = slurp(c.file, NULL);
	CHECK_STR(p, "l9\nx\n");
	free(p);
	buf_free(&t);
	buf_free(&s.data);

	/* max_files = 0: the old file is simply removed. */
	free(c.file);
	c = mkconf("zero.log", 10, 0);
	sl = mklog("zero", &c);
	svclog_follow(sl, follow_cb, &s);
	svclog_child_fds(sl, &out, &err);
	xwrite(out, "m0\nm1\nm2\nm3\n");
	run_until(&s.data.len, 12, 5);
	p = slurp(c.file, NULL);
	CHECK_STR(p, "m3\n");
	free(p);
	name = rot_of("zero.log", 1);
	CHECK(access(name, F_OK) == -1);
	free(name);
	CHECK_INT(svclog_tail(sl, 5, &t), 0);
	CHECK_STR(t.p, "m3\n");
	svclog_free(sl);
	buf_free(&t);
	buf_free(&s.data);
	free(c.file);
}

static void
test_tail_partial_and_none(void)
{
	struct log_conf	 c = mkconf("tp.log", 1000, 2);
	struct svclog	*sl;
	struct buf	 t = { 0 };
	char		*p;
	int		 fd;

	/* Existing content, ending without a newline. */
	p = path_of("tp.log");
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0640);
	xwrite(fd, "a\nb\nc");
	close(fd);
	free(p);
	sl = mklog("tp", &c);
	CHECK_INT(svclog_tail(sl, 2, &t), 0);
	CHECK_STR(t.p, "b\nc");
	svclog_free(sl);
	buf_free(&t);
	free(c.file);

	c = mkconf(NULL, 1000, 2);
	sl = mklog("none", &c);
	CHECK_INT(svclog_tail(sl, 10, &t), 0);
	CHECK_INT(t.len, 0);
	svclog_free(sl);

	c = mkconf("missing.log", 1000, 2);
	sl = mklog("missing", &c);
	CHECK_INT(svclog_tail(sl, 10, &t), 0);
	CHECK_INT(t.len, 0);
	svclog_free(sl);
	free(c.file);
	buf_free(&t);
}

/* svclog_tail returns at most 1 MiB: the newest whole lines that fit. */
static void
test_tail_cap(void)
{
	struct log_conf	 c = mkconf("big.log", 64 << 20, 2);
	struct svclog	*sl = mklog("big", &c);
	struct seen	 s = { 0 };
	struct buf	 t = { 0 }, data = { 0 };
	size_t		 i;
	int		 out, err;
	pid_t		 pid;

	for (i = 0; i < (600 << 10); i++)
		buf_add(&data, "a", 1);
	buf_add(&data, "\n", 1);
	for (i = 0; i < (600 << 10); i++)
		buf_add(&data, "b", 1);
	buf_add(&data, "\n", 1);
	svclog_follow(sl, follow_cb, &s);
	svclog_child_fds(sl, &out, &err);
	if ((pid = fork()) == 0)
		_exit(write(out, data.p, data.len) != (ssize_t)data.len);
	run_until(&s.data.len, data.len, 10);
	waitpid(pid, NULL, 0);
	CHECK_INT(svclog_tail(sl, 5, &t), 0);
	CHECK_INT(t.len, (600 << 10) + 1);
	CHECK(t.len > 0 && t.p[0] == 'b' && t.p[t.len - 1] == '\n');

	/* One line longer than the cap: its last 1 MiB. */
	buf_reset(&data);
	for (i = 0; i < (1536 << 10); i++)
		buf_add(&data, i < (512 << 10) ? "c" : "d", 1);
	buf_add(&data, "\n", 1);
	buf_free(&s.data);
	if ((pid = fork()) == 0)
		_exit(write(out, data.p, data.len) != (ssize_t)data.len);
	run_until(&s.data.len, data.len, 10);
	waitpid(pid, NULL, 0);
	buf_reset(&t);
	CHECK_INT(svclog_tail(sl, 5, &t), 0);
	CHECK_INT(t.len, 1 << 20);
	CHECK(t.len == 1 << 20 && strspn(t.p, "d") == t.len - 1);
	svclog_free(sl);
	buf_free(&t);
	buf_free(&data);
	buf_free(&s.data);
	free(c.file);
}

/* A follower can leave from inside its callback; the others go on. */
static void
test_follow_unfollow(void)
{
	struct log_conf	 c = mkconf("fol.log", 1 << 20, 1);
	struct svclog	*sl = mklog("fol", &c);
	struct seen	 a = { 0 }, b = { 0 };
	int		 out, err;

	a.leave = sl;
	svclog_follow(sl, follow_cb, &a);
	svclog_follow(sl, follow_cb, &b);
	svclog_child_fds(sl, &out, &err);
	xwrite(out, "one\n");
	run_until(&b.data.len, 4, 5);
	xwrite(out, "two\n");
	run_until(&b.data.len, 8, 5);
	CHECK_INT(a.calls, 1);
	CHECK_STR(a.data.p, "one\n");
	CHECK_STR(b.data.p, "one\ntwo\n");
	svclog_free(sl);
	CHECK_INT(a.ends, 0);
	CHECK_INT(b.ends, 1);
	buf_free(&a.data);
	buf_free(&b.data);
	free(c.file);
}

static void
test_console(void)
{
	struct log_conf	 c = mkconf(NULL, 1 << 20, 1);
	struct svclog	*sl;
	char		 got[256];
	int		 cp[2], out, err;
	ssize_t		 n;

	CHECK_INT(pipe2(cp, O_NONBLOCK | O_CLOEXEC), 0);
	svclog_set_console(cp[1]);
	c.console = true;
	sl = mklog("web", &c);
	svclog_child_fds(sl, &out, &err);
	xwrite(out, "hi\nthere\npart");
	run_for(0.1);
	n = read(cp[0], got, sizeof got - 1);
	got[n > 0 ? n : 0] = '\0';
	CHECK_STR(got, "web | hi\nweb | there\n");
	svclog_free(sl);
	n = read(cp[0], got, sizeof got - 1);
	got[n > 0 ? n : 0] = '\0';
	CHECK_STR(got, "web | part\n");

	/* A console that does not take more drops copies, never blocks. */
	sl = mklog("web", &c);
	svclog_child_fds(sl, &out, &err);
	fcntl(cp[1], F_SETPIPE_SZ, 4096);
	for (n = 0; n < 200; n++)
		xwrite(out, "0123456789012345678901234567890123456789\n");
	run_for(0.2);
	{
		int	left = -1;

		CHECK_INT(ioctl(out, FIONREAD, &left), 0);
		CHECK_INT(left, 0);	/* the service's pipe was drained */
	}
	svclog_free(sl);
	svclog_set_console(-1);
	close(cp[0]);
	close(cp[1]);
}

/* when_full = drop: count, keep reading, report once writable again. */
static void
test_drop(void)
{
	struct log_conf	 c = mkconf(NULL, 1 << 20, 1);
	struct svclog	*sl;
	struct seen	 s = { 0 };
	char		*sub = path_of("sub"), *p;
	int		 out, err, left = -1;

	c.file = path_of("sub/drop.log");
	c.when_full = LOG_FULL_DROP;
	sl = mklog("drop", &c);
	svclog_follow(sl, follow_cb, &s);
	svclog_child_fds(sl, &out, &err);
	xwrite(out, "a\nb\n");
	run_for(0.1);
	xwrite(out, "c\n");		/* within the retry pause: dropped */
	run_for(0.1);
	CHECK_INT(ioctl(out, FIONREAD, &left), 0);
	CHECK_INT(left, 0);		/* still reading */
	CHECK_INT(mkdir(sub, 0755), 0);
	run_for(1.1);
	xwrite(out, "d\n");
	run_until(&s.data.len, 1, 5);
	svclog_free(sl);
	p = slurp(c.file, NULL);
	CHECK_STR(p, "supd: dropped 6 bytes (log not writable)\nd\n");
	CHECK_STR(s.data.p, p);
	free(p);
	buf_free(&s.data);
	unlink(c.file);
	unit_rm_rf(sub);	/* the log's time index too */
	free(sub);
	free(c.file);
}

/* when_full = block: stop reading, keep everything, resume. */
static void
test_block(void)
{
	struct log_conf	 c = mkconf(NULL, 1 << 20, 1);
	struct svclog	*sl;
	struct seen	 s = { 0 };
	char		*sub = path_of("sub"), *p;
	int		 out, err, left = -1;

	c.file = path_of("sub/block.log");
	c.when_full = LOG_FULL_BLOCK;
	sl = mklog("block", &c);
	svclog_follow(sl, follow_cb, &s);
	svclog_child_fds(sl, &out, &err);
	xwrite(out, "a\nb\n");
	run_for(0.1);
	xwrite(out, "c\n");
	run_for(0.1);
	CHECK_INT(ioctl(out, FIONREAD, &left), 0);
	CHECK_INT(left, 2);		/* not read while blocked */
	CHECK_INT(mkdir(sub, 0755), 0);
	run_until(&s.data.len, 6, 3);
	p = slurp(c.file, NULL);
	CHECK_STR(p, "a\nb\nc\n");
	free(p);

	/* A path that is a directory cannot be written either. */
	CHECK_INT(unlink(c.file), 0);
	CHECK_INT(mkdir(c.file, 0755), 0);
	{
		struct log_conf	c2 = c;

		c2.file = path_of("sub");	/* new path: reopened */
		svclog_configure(sl, &c2);
		xwrite(out, "d\n");
		run_for(0.1);
		CHECK_INT(s.data.len, 6);
		free(c2.file);
		c2.file = path_of("sub/other.log");
		svclog_configure(sl, &c2);
		run_until(&s.data.len, 8, 3);
		p = slurp(c2.file, NULL);
		CHECK_STR(p, "d\n");
		free(p);
		unlink(c2.file);
		free(c2.file);
	}
	svclog_free(sl);
	buf_free(&s.data);
	rmdir(c.file);
	unit_rm_rf(sub);
	free(sub);
	free(c.file);
}

/*
 * A log holds no fd before svclog_open; out of fds, svclog_open fails (the
 * start fails, supd retries it) and works once fds are back.
 */
static void
test_open_at_fd_limit(void)
{
	struct log_conf	 c = mkconf("lim.log", 1 << 20, 1);
	struct svclog	*sl;
	struct rlimit	 old, low;
	char		*cause = NULL;
	int		 n0, out, err;

	c.stderr_mode = LOG_STDERR_SEPARATE;
	c.err_file = path_of("lim.err.log");
	n0 = count_fds();
	sl = svclog_new("lim", &c, false);
	CHECK_INT(count_fds(), n0 + 2);		/* the two directories, O_PATH */
	CHECK_INT(getrlimit(RLIMIT_NOFILE, &old), 0);
	low = old;
	low.rlim_cur = (rlim_t)count_fds() + 1;	/* room for one fd, not a pipe */
	CHECK_INT(setrlimit(RLIMIT_NOFILE, &low), 0);
	CHECK_INT(svclog_open(sl, &cause), -1);
	CHECK_INT(errno, EMFILE);
	CHECK_STR(cause != NULL ? cause : "(null)",
	    "log pipe: Too many open files");
	free(cause);
	cause = NULL;
	CHECK_INT(setrlimit(RLIMIT_NOFILE, &old), 0);
	CHECK_INT(svclog_open(sl, &cause), 0);
	svclog_child_fds(sl, &out, &err);
	CHECK(out >= 0 && err >= 0 && out != err);
	xwrite(err, "made late\n");
	svclog_free(sl);
	CHECK_INT(count_fds(), n0);
	{
		char	*p = slurp(c.err_file, NULL);

		CHECK_STR(p, "made late\n");
		free(p);
	}
	free(c.file);
	free(c.err_file);
}

static void
test_stderr_modes(void)
{
	struct log_conf	 c = mkconf("se.log", 1 << 20, 1);
	struct svclog	*sl;
	char		*cause = NULL;
	char		*p;
	int		 out, err, out2, err2;

	c.stderr_mode = LOG_STDERR_SEPARATE;
	c.err_file = path_of("se.err.log");
	sl = mklog("se", &c);
	svclog_child_fds(sl, &out, &err);
	CHECK(out >= 0 && err >= 0 && out != err);
	CHECK(fcntl(out, F_GETFD) & FD_CLOEXEC);
	CHECK(!(fcntl(out, F_GETFL) & O_NONBLOCK));
	xwrite(out, "to out\n");
	xwrite(err, "to err\n");
	run_for(0.1);
	xwrite(err, "last err");
	/* Back to merge: the err pipe is drained into its file and closed. */
	c.stderr_mode = LOG_STDERR_MERGE;
	svclog_configure(sl, &c);
	svclog_child_fds(sl, &out2, &err2);
	CHECK_INT(out2, out);
	CHECK_INT(err2, out);
	CHECK(fcntl(err, F_GETFD) == -1);
	p = slurp(c.err_file, NULL);
	CHECK_STR(p, "to err\nlast err\n");
	free(p);
	c.stderr_mode = LOG_STDERR_NULL;
	svclog_configure(sl, &c);
	svclog_child_fds(sl, &out2, &err2);
	CHECK_INT(err2, -1);
	c.stderr_mode = LOG_STDERR_SEPARATE;
	svclog_configure(sl, &c);
	CHECK_INT(svclog_open(sl, &cause), 0);
	svclog_child_fds(sl, &out2, &err2);
	CHECK(err2 >= 0 && err2 != out2);
	xwrite(err2, "again\n");
	svclog_free(sl);
	p = slurp(c.err_file, NULL);
	CHECK_STR(p, "to err\nlast err\nagain\n");
	free(p);
	p = slurp(c.file, NULL);
	CHECK_STR(p, "to out\n");
	free(p);
	free(c.file);
	free(c.err_file);
}

int
main(void)
{
	char	cmd[128];
	int	fds;

	signal(SIGPIPE, SIG_IGN);
	strcpy(dir, "/tmp/test_svclog.XXXXXX");
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	umask(022);
	ev_default_loop(0);	/* its own fds are not leaks */
	fds = count_fds();
	test_bulk_rotation();
	test_timestamps();
	test_partial_at_free();
	test_long_line();
	test_partial_cap();
	test_max_files_tail();
	test_tail_partial_and_none();
	test_tail_cap();
	test_follow_unfollow();
	test_console();
	test_drop();
	test_block();
	test_stderr_modes();
	test_open_at_fd_limit();
	/* The janitor (src/janitor.c) is kept until supd ends: its socket is
	 * no leak. */
	janitor_end();
	CHECK_INT(count_fds(), fds);	/* no fd leaked */
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return unit_done("svclog");
}

/* SPDX-License-Identifier: ISC */
/*
 * test_userdb.c: unit tests for userdb.c -- passwd and group lookups by
 * name and by id, the initgroups list, and every kind of line that must
 * not count (malformed, out of range, NUL bytes, comments, NIS compat),
 * plus the guarded read of a file.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit.h"
#include "userdb.h"
#include "util.h"

/* A string literal as (buffer, length), NUL bytes included. */
#define B(s)	(s), (sizeof(s) - 1)

static const char passwd[] =
    "root:x:0:0:root:/root:/bin/sh\n"
    "app:x:1000:1000:app:/home/app:/bin/sh\n"
    "nobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";

/* Look up name in buf: the uid, or -1 if not found (and nothing kept). */
static long long
uid_of(const char *buf, size_t len, const char *name)
{
	struct userdb_pw	pw;
	long long		uid;

	memset(&pw, 0, sizeof pw);
	if (userdb_pw_byname(buf, len, name, &pw) != 1)
		return -1;
	uid = pw.uid;
	userdb_pw_free(&pw);
	return uid;
}

static long long
gid_of(const char *buf, size_t len, const char *name)
{
	struct userdb_gr	gr;
	long long		gid;

	memset(&gr, 0, sizeof gr);
	if (userdb_gr_byname(buf, len, name, &gr) != 1)
		return -1;
	gid = gr.gid;
	userdb_gr_free(&gr);
	return gid;
}

static void
test_pw_basic(void)
{
	struct userdb_pw	pw;

	memset(&pw, 0, sizeof pw);
	CHECK_INT(userdb_pw_byname(B(passwd), "app", &pw), 1);
	CHECK_STR(pw.name, "app");
	CHECK_STR(pw.home, "/home/app");
	CHECK_INT(pw.uid, 1000);
	CHECK_INT(pw.gid, 1000);
	userdb_pw_free(&pw);
	CHECK(pw.name == NULL && pw.home == NULL);

	CHECK_INT(userdb_pw_byuid(B(passwd), 65534, &pw), 1);
	CHECK_STR(pw.name, "nobody");
	CHECK_STR(pw.home, "/nonexistent");
	CHECK_INT(pw.gid, 65534);
	userdb_pw_free(&pw);
	CHECK_INT(userdb_pw_byuid(B(passwd), 0, &pw), 1);
	CHECK_STR(pw.name, "root");
	userdb_pw_free(&pw);

	CHECK_INT(userdb_pw_byname(B(passwd), "ghost", &pw), 0);
	CHECK_INT(userdb_pw_byuid(B(passwd), 4242, &pw), 0);
	/* No prefix, suffix or empty-name match. */
	CHECK_INT(uid_of(B(passwd), "ap"), -1);
	CHECK_INT(uid_of(B(passwd), "apps"), -1);
	CHECK_INT(uid_of(B(passwd), ""), -1);
	CHECK_INT(uid_of(B(passwd), "app:x"), -1);
	/* An empty buffer, and one without a final newline. */
	CHECK_INT(uid_of("", 0, "root"), -1);
	CHECK_INT(uid_of(B("app:x:7:8::/h:/bin/sh"), "app"), 7);
	/* Only len bytes count. */
	CHECK_INT(uid_of(passwd, 10, "root"), -1);
	CHECK_INT(uid_of(passwd, strlen("root:x:0:0:root:/root:/bin/sh"),
	    "root"), 0);
}

static void
test_pw_fields(void)
{
	struct userdb_pw	pw;

	/* Exactly 7 fields. */
	CHECK_INT(uid_of(B("app:x:1:1:g:/h\n"), "app"), -1);
	CHECK_INT(uid_of(B("app:x:1:1:g:/h:/bin/sh:extra\n"), "app"), -1);
	CHECK_INT(uid_of(B("app\n"), "app"), -1);
	CHECK_INT(uid_of(B("app:x:1:1\n"), "app"), -1);
	/* Empty fields other than name, uid, gid are fine. */
	memset(&pw, 0, sizeof pw);
	CHECK_INT(userdb_pw_byname(B("app::1:2:::\n"), "app", &pw), 1);
	CHECK_STR(pw.home, "");
	CHECK_INT(pw.uid, 1);
	CHECK_INT(pw.gid, 2);
	userdb_pw_free(&pw);
	CHECK_INT(uid_of(B(":x:1:1:g:/h:/bin/sh\n"), ""), -1);
	/* uid and gid: digits only, in range. */
	CHECK_INT(uid_of(B("app:x::1:g:/h:/s\n"), "app"), -1);
	CHECK_INT(uid_of(B("app:x:1::g:/h:/s\n"), "app"), -1);
	CHECK_INT(uid_of(B("app:x:abc:1:g:/h:/s\n"), "app"), -1);
	CHECK_INT(uid_of(B("app:x:-1:1:g:/h:/s\n"), "app"), -1);
	CHECK_INT(uid_of(B("app:x:+1:1:g:/h:/s\n"), "app"), -1);
	CHECK_INT(uid_of(B("app:x: 1:1:g:/h:/s\n"), "app"), -1);
	CHECK_INT(uid_of(B("app:x:1 :1:g:/h:/s\n"), "app"), -1);
	CHECK_INT(uid_of(B("app:x:0x10:1:g:/h:/s\n"), "app"), -1);
	CHECK_INT(uid_of(B("app:x:1:1x:g:/h:/s\n"), "app"), -1);
	CHECK_INT(uid_of(B("app:x:4294967294:1:g:/h:/s\n"), "app"),
	    4294967294LL);
	CHECK_INT(uid_of(B("app:x:4294967295:1:g:/h:/s\n"), "app"), -1);
	CHECK_INT(uid_of(B("app:x:1:4294967295:g:/h:/s\n"), "app"), -1);
	CHECK_INT(uid_of(B("app:x:4294967296:1:g:/h:/s\n"), "app"), -1);
	CHECK_INT(uid_of(B("app:x:99999999999999999999999:1:g:/h:/s\n"),
	    "app"), -1);
	CHECK_INT(uid_of(B("app:x:0000000000000000000042:1:g:/h:/s\n"),
	    "app"), 42);
	CHECK_INT(userdb_pw_byuid(B("app:x:4294967295:1:g:/h:/s\n"),
	    4294967295U, &pw), 0);
}

static void
test_pw_lines(void)
{
	struct userdb_pw	pw;

	/* Comments, blank lines, leading blanks. */
	CHECK_INT(uid_of(B("# app:x:1:1:g:/h:/s\n\n   \n\t\napp:x:2:2:g:/h:/s\n"),
	    "app"), 2);
	CHECK_INT(uid_of(B("  #app:x:1:1:g:/h:/s\n"), "#app"), -1);
	CHECK_INT(uid_of(B("  app:x:3:1:g:/h:/s\n"), "app"), 3);
	/* NIS compat lines never count, whatever they hold. */
	CHECK_INT(uid_of(B("+app:x:1:1:g:/h:/s\n"), "+app"), -1);
	CHECK_INT(uid_of(B("+app:x:1:1:g:/h:/s\n"), "app"), -1);
	CHECK_INT(uid_of(B("-app:x:1:1:g:/h:/s\napp:x:5:5:g:/h:/s\n"), "app"),
	    5);
	CHECK_INT(uid_of(B("+\n+::::::\napp:x:5:5:g:/h:/s\n"), "app"), 5);
	/* CRLF: the '\r' is not part of the last field. */
	memset(&pw, 0, sizeof pw);
	CHECK_INT(userdb_pw_byname(B("app:x:1:1:g:/h\r\n:/s"), "app", &pw), 0);
	CHECK_INT(userdb_pw_byname(B("app:x:1:1:g:/home/app:/s\r\n"), "app",
	    &pw), 1);
	userdb_pw_free(&pw);
	CHECK_INT(uid_of(B("a:x:1:1:g:/h:/s\r\r\napp:x:6:6:g:/h:/s\r\n"),
	    "app"), 6);
	/* A NUL byte makes the line not count, not a shorter line. */
	CHECK_INT(uid_of(B("app:x:1:1:g:/h:/s\0evil\napp:x:9:9:g:/h:/s\n"),
	    "app"), 9);
	CHECK_INT(uid_of(B("app\0:x:1:1:g:/h:/s\n"), "app"), -1);
	/* Duplicates: the first valid line wins. */
	CHECK_INT(uid_of(B("app:x:1:1:g:/h:/s\napp:x:2:2:g:/h:/s\n"), "app"), 1);
	CHECK_INT(userdb_pw_byuid(B("a:x:7:1:g:/a:/s\nb:x:7:2:g:/b:/s\n"), 7,
	    &pw), 1);
	CHECK_STR(pw.name, "a");
	userdb_pw_free(&pw);
	/* An invalid first line does not hide a valid one. */
	CHECK_INT(uid_of(B("app:x:99999999999:1:g:/h:/s\napp:x:2:2:g:/h:/s\n"),
	    "app"), 2);
}

static void
test_pw_long(void)
{
	struct userdb_pw	 pw;
	size_t			 n = 1 << 20, off = 0;
	char			*buf = xmalloc(3 * n);

	/* A 1 MiB name, a 1 MiB home, then the entry looked for. */
	memset(buf, 'a', n);
	off = n;
	off += (size_t)sprintf(buf + off, ":x:1:1:g:/");
	memset(buf + off, 'h', n);
	off += n;
	off += (size_t)sprintf(buf + off, ":/s\napp:x:3:3:g:/h:/s\n");
	CHECK_INT(uid_of(buf, off, "app"), 3);
	memset(&pw, 0, sizeof pw);
	CHECK_INT(userdb_pw_byuid(buf, off, 1, &pw), 1);
	CHECK_INT(strlen(pw.name), n);
	CHECK_INT(strlen(pw.home), n + 1);
	userdb_pw_free(&pw);
	free(buf);
}

static const char group[] =
    "root:x:0:\n"
    "app:x:1000:\n"
    "extra:x:1001:app\n"
    "staff:x:50:root,app,bob\n"
    "nogroup:x:65534:\n";

static void
test_gr(void)
{
	struct userdb_gr	gr;

	CHECK_INT(gid_of(B(group), "extra"), 1001);
	CHECK_INT(gid_of(B(group), "root"), 0);
	CHECK_INT(gid_of(B(group), "nogroup"), 65534);
	CHECK_INT(gid_of(B(group), "ghost"), -1);
	CHECK_INT(gid_of(B(group), "ext"), -1);
	CHECK_INT(gid_of(B(group), ""), -1);
	memset(&gr, 0, sizeof gr);
	CHECK_INT(userdb_gr_bygid(B(group), 50, &gr), 1);
	CHECK_STR(gr.name, "staff");
	CHECK_INT(gr.gid, 50);
	userdb_gr_free(&gr);
	CHECK(gr.name == NULL);
	CHECK_INT(userdb_gr_bygid(B(group), 51, &gr), 0);
	/* Exactly 4 fields; a gid in range. */
	CHECK_INT(gid_of(B("g:x:5\n"), "g"), -1);
	CHECK_INT(gid_of(B("g:x:5:a:b\n"), "g"), -1);
	CHECK_INT(gid_of(B("g:x::\n"), "g"), -1);
	CHECK_INT(gid_of(B("g:x:5a:\n"), "g"), -1);
	CHECK_INT(gid_of(B("g:x:4294967295:\n"), "g"), -1);
	CHECK_INT(gid_of(B("g:x:4294967294:\n"), "g"), 4294967294LL);
	CHECK_INT(gid_of(B("g::7:\n"), "g"), 7);
	/* Skipped lines; CRLF; first wins; NUL. */
	CHECK_INT(gid_of(B("#g:x:1:\n+g:x:2:\n-g:x:3:\n\ng:x:4:\r\n"), "g"), 4);
	CHECK_INT(gid_of(B("g:x:1:\ng:x:2:\n"), "g"), 1);
	CHECK_INT(gid_of(B("g:x:1:\0\ng:x:2:\n"), "g"), 2);
	CHECK_INT(userdb_gr_bygid(B("a:x:9:\nb:x:9:\n"), 9, &gr), 1);
	CHECK_STR(gr.name, "a");
	userdb_gr_free(&gr);
}

/* The grouplist of user with primary gid, as "g1 g2 ..." (or "E2BIG"). */
static char *
glist(const char *buf, size_t len, const char *user, uint32_t gid)
{
	struct buf	 b = { 0 };
	uint32_t	*gids = NULL;
	size_t		 n = 0, i;

	if (userdb_grouplist(buf, len, user, gid, &gids, &n) == -1)
		return xstrdup(errno == E2BIG ? "E2BIG" : "error");
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%u", i ? " " : "", gids[i]);
	free(gids);
	return b.p;
}

/* GLIST(buf, len, user, gid, want): the list is want, checked on the
 * caller's line. A function, so B() may make two of the arguments. */
static void
glist_check(int line, const char *buf, size_t len, const char *user,
    uint32_t gid, const char *want)
{
	char *s = glist(buf, len, user, gid);

	unit_check_str(s, want, __FILE__, line, "grouplist", want);
	free(s);
}
#define GLIST(...)	glist_check(__LINE__, __VA_ARGS__)

static void
test_grouplist(void)
{
	GLIST(B(group), "app", 1000, "1000 50 1001");
	GLIST(B(group), "root", 0, "0 50");
	GLIST(B(group), "bob", 7, "7 50");
	GLIST(B(group), "nobody", 65534, "65534");
	/* The primary gid is not repeated, even when a group lists it. */
	GLIST(B(group), "app", 50, "50 1001");
	GLIST("", 0, "app", 3, "3");
	/* Names match whole; blanks around them are ignored; empty items. */
	GLIST(B("g:x:5:apple,xapp,ap\n"), "app", 1, "1");
	GLIST(B("g:x:5:,, app ,\n"), "app", 1, "1 5");
	GLIST(B("g:x:5:bob,\tapp\r\n"), "app", 1, "1 5");
	GLIST(B("g:x:5:\n"), "", 1, "1");
	/* Invalid and skipped lines add nothing; one gid once. */
	GLIST(B("+g:x:5:app\n#g:x:6:app\ng:x:7:app:x\ng:x:bad:app\n"
	    "g:x:4294967295:app\ng:x:8:app\0\n"), "app", 1, "1");
	GLIST(B("a:x:9:app\nb:x:9:app\nc:x:3:app\na:x:9:app\n"), "app", 1,
	    "1 3 9");
}

static void
test_grouplist_big(void)
{
	struct buf	 b = { 0 };
	uint32_t	*gids = NULL;
	size_t		 n = 0, i;

	/* A huge member list: the user last of 200000 names. */
	buf_puts(&b, "big:x:77:");
	for (i = 0; i < 200000; i++)
		buf_printf(&b, "u%zu,", i);
	buf_puts(&b, "app\n");
	GLIST(b.p, b.len, "app", 1, "1 77");
	GLIST(b.p, b.len, "u199999", 1, "1 77");
	GLIST(b.p, b.len, "u200000", 1, "1");
	buf_free(&b);

	/* The most groups there may be, and one more. */
	for (i = 1; i < USERDB_NGROUPS_MAX; i++)
		buf_printf(&b, "g%zu:x:%zu:app\n", i, i + 100000);
	CHECK_INT(userdb_grouplist(b.p, b.len, "app", 1, &gids, &n), 0);
	CHECK_INT(n, USERDB_NGROUPS_MAX);
	CHECK_INT(gids[0], 1);
	CHECK_INT(gids[1], 100001);
	CHECK_INT(gids[n - 1], USERDB_NGROUPS_MAX - 1 + 100000);
	free(gids);
	buf_printf(&b, "last:x:7:app\n");
	errno = 0;
	CHECK_INT(userdb_grouplist(b.p, b.len, "app", 1, &gids, &n), -1);
	CHECK_INT(errno, E2BIG);
	/* Duplicates do not count against the limit. */
	CHECK_INT(userdb_grouplist(b.p, b.len, "app", 7, &gids, &n), 0);
	CHECK_INT(n, USERDB_NGROUPS_MAX);
	free(gids);
	buf_free(&b);
}

static void
write_file(const char *path, const char *s, size_t len)
{
	int	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	CHECK(fd != -1);
	CHECK_INT(write(fd, s, len), (long long)len);
	close(fd);
}

/* "a/b" (or "a b" for a command) in a static buffer. */
static const char *
at(const char *a, const char *b)
{
	static char	path[256];

	snprintf(path, sizeof path, "%s%s%s", a, a[0] == '/' ? "/" : " ", b);
	return path;
}

static void
test_read(void)
{
	char	 dir[] = "/tmp/test_userdb.XXXXXX", *buf = NULL, *big;
	size_t	 len = 0;
	int	 dfd;

	CHECK(mkdtemp(dir) != NULL);
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	CHECK(dfd != -1);

	write_file(at(dir, "passwd"), B("a:x:1:1:g:/h:/s\n\0tail"));
	CHECK_INT(userdb_read(dfd, "passwd", &buf, &len), 0);
	CHECK_INT(len, 21);
	CHECK(memcmp(buf, "a:x:1:1:g:/h:/s\n\0tail", 21) == 0);
	CHECK_INT(buf[len], '\0');
	free(buf);

	write_file(at(dir, "empty"), "", 0);
	CHECK_INT(userdb_read(dfd, "empty", &buf, &len), 0);
	CHECK_INT(len, 0);
	free(buf);

	/* Exactly the limit is read; one byte more is EFBIG. */
	big = xcalloc(USERDB_FILE_MAX + 1, 1);
	memset(big, '#', USERDB_FILE_MAX + 1);
	write_file(at(dir, "max"), big, USERDB_FILE_MAX);
	CHECK_INT(userdb_read(dfd, "max", &buf, &len), 0);
	CHECK_INT(len, USERDB_FILE_MAX);
	free(buf);
	write_file(at(dir, "big"), big, USERDB_FILE_MAX + 1);
	errno = 0;
	CHECK_INT(userdb_read(dfd, "big", &buf, &len), -1);
	CHECK_INT(errno, EFBIG);
	free(big);

	/* Not through a symlink; not a directory, FIFO or device. */
	CHECK_INT(symlinkat("passwd", dfd, "link"), 0);
	errno = 0;
	CHECK_INT(userdb_read(dfd, "link", &buf, &len), -1);
	CHECK_INT(errno, ELOOP);
	CHECK_INT(mkdirat(dfd, "dir", 0755), 0);
	errno = 0;
	CHECK_INT(userdb_read(dfd, "dir", &buf, &len), -1);
	CHECK_INT(errno, EINVAL);
	CHECK_INT(mkfifoat(dfd, "fifo", 0644), 0);
	errno = 0;
	CHECK_INT(userdb_read(dfd, "fifo", &buf, &len), -1);
	CHECK_INT(errno, EINVAL);
	errno = 0;
	CHECK_INT(userdb_read(AT_FDCWD, "/dev/null", &buf, &len), -1);
	CHECK_INT(errno, EINVAL);
	errno = 0;
	CHECK_INT(userdb_read(dfd, "missing", &buf, &len), -1);
	CHECK_INT(errno, ENOENT);
	/* An absolute path, with AT_FDCWD. */
	CHECK_INT(userdb_read(AT_FDCWD, at(dir, "passwd"), &buf,
	    &len), 0);
	CHECK_INT(len, 21);
	free(buf);

	close(dfd);
	CHECK_INT(system(at("rm -rf", dir)), 0);
}

int
main(void)
{
	test_pw_basic();
	test_pw_fields();
	test_pw_lines();
	test_pw_long();
	test_gr();
	test_grouplist();
	test_grouplist_big();
	test_read();
	return unit_done("userdb");
}

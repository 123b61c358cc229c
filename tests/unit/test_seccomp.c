/* SPDX-License-Identifier: ISC */
/*
 * test_seccomp.c: seccomp.c and the `seccomp` key of config.c -- profile
 * files (good lines, every kind of bad one), the key's default and its
 * canonical form, and the filter itself, loaded in a forked child both from
 * what sfilter_prepare() built and, when that does not fit, built there.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "seccomp.h"
#include "unit.h"

static char	tmpdir[] = "/tmp/test_seccomp.XXXXXX";

static char *
write_file(const char *name, const char *text)
{
	return unit_write_file(tmpdir, name, text);
}

static void
test_read_good(void)
{
	struct sfilter_deny	*d = NULL;
	struct strv		 errs = { 0 };
	size_t			 n = 0;
	char			*path, buf[32];

	path = write_file("good.prof", "# a profile\n\nuname EACCES\n"
	    "  getppid\t13   # a comment\n\t\nkeyctl\n");
	CHECK_INT(sfilter_read(path, &d, &n, &errs), 0);
	CHECK_INT(errs.n, 0);
	CHECK_INT(n, 3);
	if (n == 3) {
		CHECK_INT(d[0].nr, SYS_uname);
		CHECK_INT(d[0].err, EACCES);
		CHECK_INT(d[1].nr, SYS_getppid);
		CHECK_INT(d[1].err, 13);
		CHECK_INT(d[2].nr, SYS_keyctl);
		CHECK_INT(d[2].err, EPERM);
	}
	free(d);
	free(path);

	/* Nothing but comments: a filter that denies nothing. */
	path = write_file("empty.prof", "# nothing\n");
	d = NULL;
	CHECK_INT(sfilter_read(path, &d, &n, &errs), 0);
	CHECK_INT(n, 0);
	free(path);

	CHECK_STR(sfilter_errno_str(EACCES, buf, sizeof buf), "EACCES");
	CHECK_STR(sfilter_errno_str(4000, buf, sizeof buf), "4000");
	path = sfilter_syscall_name(SYS_mount);
	CHECK_STR(path, "mount");
	free(path);
}

static void
test_read_bad(void)
{
	struct sfilter_deny	*d = NULL;
	struct strv		 errs = { 0 };
	size_t			 n = 0, i;
	char			*path, *want[6];

	path = write_file("bad.prof", "uname\nnosuchcall\nuname EACCES\n"
	    "getpid ENOTANERRNO\ngetpid 0\ngetpid EPERM extra\n");
	CHECK_INT(sfilter_read(path, &d, &n, &errs), -1);
	want[0] = xasprintf("%s:2: unknown system call 'nosuchcall'", path);
	want[1] = xasprintf("%s:3: 'uname' is listed twice", path);
	want[2] = xasprintf("%s:4: unknown errno 'ENOTANERRNO' (a name like "
	    "EACCES or a number from 1 to 4095)", path);
	want[3] = xasprintf("%s:5: unknown errno '0' (a name like EACCES or "
	    "a number from 1 to 4095)", path);
	want[4] = xasprintf("%s:6: expected 'SYSCALL [ERRNO]'", path);
	CHECK_INT(errs.n, 5);
	for (i = 0; i < 5 && i < errs.n; i++) {
		CHECK_STR(errs.v[i], want[i]);
		free(want[i]);
	}
	strv_free(&errs);
	free(path);

	CHECK_INT(sfilter_read("/nonexistent/p", &d, &n, &errs), -1);
	CHECK_INT(errs.n, 1);
	if (errs.n == 1)
		CHECK_STR(errs.v[0], "/nonexistent/p: No such file or directory");
	strv_free(&errs);
#ifdef __x86_64__
	/* A name libseccomp knows from another architecture. */
	path = write_file("arch.prof", "umount\n");
	CHECK_INT(sfilter_read(path, &d, &n, &errs), -1);
	CHECK_INT(errs.n, 1);
	if (errs.n == 1)
		CHECK(strstr(errs.v[0], ":1: 'umount' is no system call of this "
		    "architecture") != NULL);
	strv_free(&errs);
	free(path);
#endif
}

static struct svc_conf *
load(const char *text, struct supd_conf *mc, struct strv *errs)
{
	char		*path = write_file("svc.ini", text);
	struct svc_conf	*sc = cfg_load_service(path, mc, errs);

	free(path);
	return sc;
}

static bool
canon_has(const struct svc_conf *sc, const char *s)
{
	struct buf	b = { 0 };
	bool		has;

	cfg_svc_canon(sc, &b);
	has = strstr(b.p, s) != NULL;
	buf_free(&b);
	return has;
}

static void
test_config_key(struct supd_conf *mc)
{
	struct strv	 errs = { 0 };
	struct svc_conf	*sc, *again;
	char		*prof, *want;

	/* Default: the filter with namespaces of its own, none without. */
	sc = load("[service]\ncommand = /bin/true\n", mc, &errs);
	CHECK(sc != NULL && sc->iso.seccomp == SFILTER_DEFAULT);
	CHECK(sc != NULL && canon_has(sc, "\"seccomp\":\"default\""));
	cfg_svc_free(sc);
	sc = load("[service]\ncommand = /bin/true\n[isolation]\n"
	    "namespaces = none\n", mc, &errs);
	CHECK(sc != NULL && sc->iso.seccomp == SFILTER_UNCONFINED);
	CHECK(sc != NULL && canon_has(sc, "\"seccomp\":\"unconfined\""));
	cfg_svc_free(sc);
	sc = load("[service]\ncommand = /bin/true\n[isolation]\n"
	    "namespaces = none\nseccomp = default\n", mc, &errs);
	CHECK(sc != NULL && sc->iso.seccomp == SFILTER_DEFAULT);
	cfg_svc_free(sc);
	sc = load("[service]\ncommand = /bin/true\n[isolation]\n"
	    "seccomp = unconfined\n", mc, &errs);
	CHECK(sc != NULL && sc->iso.seccomp == SFILTER_UNCONFINED);
	cfg_svc_free(sc);
	CHECK_INT(errs.n, 0);

	/* A file, relative to the service file; its content is part of the
	 * definition. */
	prof = write_file("svc.prof", "uname EACCES\n");
	sc = load("[service]\ncommand = /bin/true\n[isolation]\n"
	    "seccomp = svc.prof\n", mc, &errs);
	CHECK_INT(errs.n, 0);
	CHECK(sc != NULL && sc->iso.seccomp == SFILTER_FILE);
	if (sc != NULL) {
		CHECK_STR(sc->iso.seccomp_file, prof);
		CHECK_INT(sc->iso.seccomp_ndeny, 1);
		want = xasprintf("\"seccomp\":{\"file\":\"%s\",\"deny\":"
		    "[[\"uname\",\"EACCES\"]]}", prof);
		CHECK(canon_has(sc, want));
		free(want);
	}
	free(write_file("svc.prof", "uname EPERM\n"));
	again = load("[service]\ncommand = /bin/true\n[isolation]\n"
	    "seccomp = svc.prof\n", mc, &errs);
	CHECK(again != NULL && !cfg_svc_equal(sc, again));
	cfg_svc_free(again);
	cfg_svc_free(sc);

	/* Errors name both files and both lines. */
	free(write_file("svc.prof", "uname\nnosuch\n"));
	sc = load("[service]\ncommand = /bin/true\n[isolation]\n"
	    "seccomp = svc.prof\n", mc, &errs);
	CHECK(sc == NULL);
	CHECK_INT(errs.n, 1);
	want = xasprintf("%s/svc.ini:4: seccomp: %s:2: unknown system call "
	    "'nosuch'", tmpdir, prof);
	if (errs.n == 1)
		CHECK_STR(errs.v[0], want);
	free(want);
	strv_free(&errs);
	sc = load("[service]\ncommand = /bin/true\n[isolation]\n"
	    "seccomp =\n", mc, &errs);
	CHECK(sc == NULL);
	CHECK_INT(errs.n, 1);
	strv_free(&errs);
	free(prof);
}

/*
 * In a child: no_new_privs, the filter of sc (an init's with `init`), then
 * each call. Returns a bit per call whose errno was the expected one (-1:
 * the child failed).
 */
static int
filtered(const struct svc_conf *sc, bool prepare, bool init)
{
	pid_t	pid;
	int	st, bits;

	if (prepare)
		sfilter_prepare(sc, init);
	if ((pid = fork()) == 0) {
		bits = 0;
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
			_exit(255);
		if (init)
			(void)sfilter_apply_init(&sc->iso);
		else
			sfilter_apply(&sc->iso, NULL);
		if (syscall(SYS_keyctl, 9999L, 0L, 0L, 0L, 0L) == -1 &&
		    errno == EPERM)
			bits |= 1;
		if (syscall(SYS_uname, NULL) == -1 && errno == EACCES)
			bits |= 2;
		if (syscall(SYS_getpid) > 0)
			bits |= 4;
		if (syscall(SYS_personality, 0x0040000UL) == -1 &&
		    errno == EPERM)
			bits |= 8;
		if (syscall(SYS_kill, 0L, 0L) == -1 && errno == EPERM)
			bits |= 16;
		_exit(bits);
	}
	if (pid == -1 || waitpid(pid, &st, 0) == -1 || !WIFEXITED(st) ||
	    WEXITSTATUS(st) == 255)
		return -1;
	return WEXITSTATUS(st);
}

static void
test_filter(struct supd_conf *mc)
{
	struct strv	 errs = { 0 };
	struct svc_conf	*def, *file, *none;

	free(write_file("svc.prof", "uname EACCES\nkill\n"));
	def = load("[service]\ncommand = /bin/true\n", mc, &errs);
	file = load("[service]\ncommand = /bin/true\n[isolation]\n"
	    "seccomp = svc.prof\n", mc, &errs);
	none = load("[service]\ncommand = /bin/true\n[isolation]\n"
	    "seccomp = unconfined\n", mc, &errs);
	CHECK_INT(errs.n, 0);
	if (def == NULL || file == NULL || none == NULL)
		goto out;
	/* Loaded from what supd built, and built in the child when what
	 * supd built was for another service. */
	CHECK_INT(filtered(def, true, false), 1 | 4 | 8);
	CHECK_INT(filtered(file, false, false), 2 | 4 | 16);
	CHECK_INT(filtered(file, true, false), 2 | 4 | 16);
	CHECK_INT(filtered(def, false, false), 1 | 4 | 8);
	CHECK_INT(filtered(def, true, false), 1 | 4 | 8);	/* cached */
	CHECK_INT(filtered(none, true, false), 4);
	/* An init: the same, but a profile cannot take kill from it. */
	CHECK_INT(filtered(def, true, true), 1 | 4 | 8);
	CHECK_INT(filtered(file, true, true), 2 | 4);
	CHECK_INT(filtered(file, false, false), 2 | 4 | 16);
out:
	cfg_svc_free(def);
	cfg_svc_free(file);
	cfg_svc_free(none);
	strv_free(&errs);
}

int
main(void)
{
	struct supd_conf	 mc;
	struct strv		 errs = { 0 };

	if (mkdtemp(tmpdir) == NULL)
		return 2;
	cfg_load_main("/nonexistent", false, &mc, &errs);
	test_read_good();
	test_read_bad();
	test_config_key(&mc);
	test_filter(&mc);
	cfg_main_free(&mc);
	unit_rm_rf(tmpdir);
	return unit_done("seccomp");
}

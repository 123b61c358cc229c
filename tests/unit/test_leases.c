/* SPDX-License-Identifier: ISC */
/*
 * test_leases.c: src/leases.c against real files: an address per service,
 * the same after a "restart" (the table read again from disk), a fixed
 * address wins and is reserved, exhaustion of a /30, release, a file
 * written by hand with garbage (line by line warnings), symlinks
 * planted under state_dir/networks (refused, never followed), and
 * lease_exists, which makes nothing.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leases.h"
#include "unit.h"

static char	tmpdir[] = "/tmp/test_leases.XXXXXX";

static struct net_conf
net(const char *name, const char *subnet, unsigned prefix, const char *gw)
{
	struct net_conf	n = { .name = (char *)name, .prefix = prefix };

	inet_pton(AF_INET, subnet, &n.subnet);
	inet_pton(AF_INET, gw, &n.gateway);
	return n;
}

static struct lease_table *
open_table(const struct net_conf *n, struct strv *warn)
{
	struct lease_table	*t;
	char			*cause = NULL;

	t = lease_open(tmpdir, n, warn, &cause);
	if (t == NULL)
		fprintf(stderr, "lease_open: %s\n", cause);
	CHECK(t != NULL);
	free(cause);
	return t;
}

/* The address service gets, as text ("" and the cause on stderr if none). */
static const char *
get(struct lease_table *t, const char *service, const char *fixed)
{
	static char	 a[INET_ADDRSTRLEN];
	struct in_addr	 in, f;
	char		*cause = NULL;

	if (fixed != NULL)
		inet_pton(AF_INET, fixed, &f);
	if (lease_get(t, service, fixed != NULL ? &f : NULL, &in,
	    &cause) == -1) {
		snprintf(a, sizeof a, "%s", "");
		fprintf(stderr, "(expected?) %s: %s\n", service, cause);
		free(cause);
		return a;
	}
	return inet_ntop(AF_INET, &in, a, sizeof a);
}

static char *
slurp(const char *name)
{
	char	*path = xasprintf("%s/%s", tmpdir, name), *text = NULL;
	size_t	 cap = 0;
	FILE	*f = fopen(path, "r");

	free(path);
	if (f == NULL)
		return xstrdup("(none)");
	if (getdelim(&text, &cap, '\0', f) == -1) {
		free(text);
		text = xstrdup("");
	}
	fclose(f);
	return text;
}

static void
test_stable(void)
{
	struct net_conf		 n = net("supd0", "10.88.0.0", 16, "10.88.0.1");
	struct strv		 warn = { 0 };
	struct lease_table	*t;
	struct stat		 st;
	char			*path, *text;

	/* An existing directory too open is tightened to 0700. */
	path = xasprintf("%s/networks", tmpdir);
	CHECK(mkdir(path, 0755) == 0);
	t = open_table(&n, &warn);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0700);
	free(path);
	CHECK_STR(get(t, "web", NULL), "10.88.0.2");
	CHECK_STR(get(t, "db", NULL), "10.88.0.3");
	CHECK_STR(get(t, "web", NULL), "10.88.0.2");
	lease_close(t);
	text = slurp("networks/supd0/leases");
	CHECK_STR(text, "web 10.88.0.2\ndb 10.88.0.3\n");
	free(text);
	path = xasprintf("%s/networks/supd0", tmpdir);
	CHECK(stat(path, &st) == 0 && (st.st_mode & 07777) == 0700);
	free(path);

	/* A restart: read again from the file; order of asking is not. */
	t = open_table(&n, &warn);
	CHECK_INT(lease_count(t), 2);
	CHECK_STR(get(t, "db", NULL), "10.88.0.3");
	CHECK_STR(get(t, "cache", NULL), "10.88.0.4");
	CHECK_STR(get(t, "web", NULL), "10.88.0.2");
	CHECK_INT(warn.n, 0);

	/* Release: the address is free again, the file says so. */
	CHECK_INT(lease_release(t, "db", NULL), 0);
	CHECK_INT(lease_release(t, "nobody", NULL), 0);
	lease_close(t);
	t = open_table(&n, &warn);
	CHECK_INT(lease_count(t), 2);
	CHECK_STR(get(t, "queue", NULL), "10.88.0.3");
	lease_close(t);
	strv_free(&warn);
}

static void
test_fixed(void)
{
	struct net_conf		 n = net("fix", "10.99.0.0", 24, "10.99.0.1");
	struct strv		 warn = { 0 };
	struct lease_table	*t = open_table(&n, &warn);
	struct in_addr		 in;
	char			*text;

	CHECK_STR(get(t, "a", NULL), "10.99.0.2");
	CHECK_STR(get(t, "b", NULL), "10.99.0.3");
	/* A fixed address wins over a's lease; a gets another. */
	CHECK_STR(get(t, "f", "10.99.0.2"), "10.99.0.2");
	CHECK(lease_find(t, "a", &in) == -1);
	CHECK_STR(get(t, "a", NULL), "10.99.0.4");
	/* ...and is reserved: another service's fixed one cannot take it. */
	CHECK_STR(get(t, "g", "10.99.0.2"), "");
	/* Not a host address of the subnet, or its gateway. */
	CHECK_STR(get(t, "g", "10.99.0.1"), "");
	CHECK_STR(get(t, "g", "10.99.0.255"), "");
	CHECK_STR(get(t, "g", "10.98.0.5"), "");
	/* b's own lease moves to its fixed address. */
	CHECK_STR(get(t, "b", "10.99.0.50"), "10.99.0.50");
	CHECK_STR(get(t, "c", NULL), "10.99.0.3");
	lease_close(t);
	text = slurp("networks/fix/leases");
	CHECK_STR(text, "b 10.99.0.50\nf 10.99.0.2\na 10.99.0.4\n"
	    "c 10.99.0.3\n");
	free(text);
	strv_free(&warn);
}

static void
test_exhausted(void)
{
	struct net_conf		 n = net("tiny", "10.77.0.0", 30, "10.77.0.1");
	struct strv		 warn = { 0 };
	struct lease_table	*t = open_table(&n, &warn);

	/* A /30: .0 network, .1 gateway, .3 broadcast: one address. */
	CHECK_STR(get(t, "a", NULL), "10.77.0.2");
	CHECK_STR(get(t, "b", NULL), "");
	CHECK_INT(lease_count(t), 1);
	CHECK_STR(get(t, "a", NULL), "10.77.0.2");
	CHECK_INT(lease_release(t, "a", NULL), 0);
	CHECK_STR(get(t, "b", NULL), "10.77.0.2");
	lease_close(t);
	strv_free(&warn);
}

static void
test_corrupt(void)
{
	struct net_conf		 n = net("bad", "10.66.0.0", 24, "10.66.0.1");
	struct strv		 warn = { 0 };
	struct lease_table	*t;
	char			*dir = xasprintf("%s/networks/bad", tmpdir), *want;
	char			 longline[400];
	size_t			 i;

	CHECK(mkdir(dir, 0700) == 0);
	memset(longline, 'x', sizeof longline - 2);
	longline[sizeof longline - 2] = '\n';
	longline[sizeof longline - 1] = '\0';
	free(unit_write_file(dir, "leases", "web 10.66.0.5\n"
	    "garbage\n"
	    "db 10.66.0.300\n"
	    "x/y 10.66.0.6\n"
	    "gw 10.66.0.1\n"
	    "out 10.67.0.5\n"
	    "web 10.66.0.7\n"
	    "other 10.66.0.5\n"
	    "\n"
	    "a b c\n"
	    "ok 10.66.0.9\n"));
	free(unit_write_file(dir, "long", longline));
	t = open_table(&n, &warn);
	CHECK_INT(lease_count(t), 2);
	CHECK_INT(warn.n, 8);
	for (i = 0; i < warn.n; i++)
		CHECK(strncmp(warn.v[i], dir, strlen(dir)) == 0);
	want = xasprintf("%s/leases:2: expected 'SERVICE ADDRESS'; skipped",
	    dir);
	if (warn.n == 8) {
		CHECK_STR(warn.v[0], want);
		CHECK(strstr(warn.v[1], "leases:3: invalid IPv4") != NULL);
		CHECK(strstr(warn.v[2], "leases:4: invalid service") != NULL);
		CHECK(strstr(warn.v[3], "leases:5: not a host") != NULL);
		CHECK(strstr(warn.v[4], "leases:6: not a host") != NULL);
		CHECK(strstr(warn.v[5], "leases:7: service leased twice") !=
		    NULL);
		CHECK(strstr(warn.v[6], "leases:8: address leased twice") !=
		    NULL);
		CHECK(strstr(warn.v[7], "leases:10: expected") != NULL);
	}
	free(want);
	CHECK_STR(get(t, "web", NULL), "10.66.0.5");
	CHECK_STR(get(t, "ok", NULL), "10.66.0.9");
	CHECK_STR(get(t, "new", NULL), "10.66.0.2");
	lease_close(t);
	strv_free(&warn);

	/* A line too long is one warning, and the next line is read. */
	want = xasprintf("mv %s/long %s/leases", dir, dir);
	CHECK_INT(system(want), 0);
	free(want);
	t = open_table(&n, &warn);
	CHECK_INT(warn.n, 1);
	if (warn.n == 1)
		CHECK(strstr(warn.v[0], "leases:1: line too long; skipped") != NULL);
	CHECK_INT(lease_count(t), 0);
	lease_close(t);
	strv_free(&warn);

	/* A NUL byte: the line is refused, the next one read. */
	want = xasprintf("printf 'a\\0b 10.66.0.2\\nc 10.66.0.3\\n' "
	    ">%s/leases", dir);
	CHECK_INT(system(want), 0);
	free(want);
	t = open_table(&n, &warn);
	CHECK_INT(warn.n, 1);
	if (warn.n == 1)
		CHECK(strstr(warn.v[0], "leases:1: NUL byte in line") != NULL);
	CHECK_INT(lease_count(t), 1);
	lease_close(t);
	strv_free(&warn);
	free(dir);
}

/* Symlinks planted under state_dir/networks: refused, not followed. */
static void
test_symlinks(void)
{
	struct net_conf		 n = net("evil", "10.55.0.0", 24, "10.55.0.1");
	struct strv		 warn = { 0 };
	struct lease_table	*t;
	char			*target = xasprintf("%s/target", tmpdir);
	char			*link = xasprintf("%s/networks/evil", tmpdir);
	char			*victim = xasprintf("%s/victim", target);
	char			*cause = NULL, *text;
	struct stat		 st;

	CHECK(mkdir(target, 0755) == 0);
	CHECK(symlink(target, link) == 0);
	t = lease_open(tmpdir, &n, &warn, &cause);
	CHECK(t == NULL);
	CHECK(cause != NULL && strstr(cause, "networks/evil") != NULL);
	free(cause);
	cause = NULL;
	/* Nothing written through it, its mode untouched. */
	CHECK(stat(target, &st) == 0 && (st.st_mode & 07777) == 0755);
	text = slurp("target/leases");
	CHECK_STR(text, "(none)");
	free(text);
	unlink(link);

	/* The leases file and its tmp as symlinks: read refused, the tmp
	 * replaced, not written through. */
	CHECK(mkdir(link, 0700) == 0);
	free(unit_write_file(target, "victim", "precious\n"));
	free(link);
	link = xasprintf("%s/networks/evil/leases", tmpdir);
	CHECK(symlink(victim, link) == 0);
	t = lease_open(tmpdir, &n, &warn, &cause);
	CHECK(t == NULL);
	free(cause);
	cause = NULL;
	unlink(link);
	free(link);
	link = xasprintf("%s/networks/evil/leases.tmp", tmpdir);
	CHECK(symlink(victim, link) == 0);
	t = open_table(&n, &warn);
	CHECK_STR(get(t, "web", NULL), "10.55.0.2");
	lease_close(t);
	text = slurp("target/victim");
	CHECK_STR(text, "precious\n");
	free(text);
	text = slurp("networks/evil/leases");
	CHECK_STR(text, "web 10.55.0.2\n");
	free(text);

	/* networks itself a symlink. */
	free(link);
	link = xasprintf("%s/networks", tmpdir);
	text = xasprintf("rm -rf %s/networks && ln -s %s %s", tmpdir, target,
	    link);
	CHECK_INT(system(text), 0);
	free(text);
	t = lease_open(tmpdir, &n, &warn, &cause);
	CHECK(t == NULL);
	CHECK(cause != NULL && strstr(cause, "/networks:") != NULL);
	free(cause);
	strv_free(&warn);
	free(link);
	free(victim);
	free(target);
}

/* lease_exists(state, "net"): 1, 0 or -1 (the cause then in *why). */
static int
exists(const char *state, char **why)
{
	char	*cause = NULL;
	int	 r = lease_exists(state, "net", &cause);

	if (r == -1 && why != NULL)
		*why = cause;
	else
		free(cause);
	return r;
}

/*
 * lease_exists, asked at boot for every network: makes nothing (a supd
 * with no network leaves state_dir/networks unmade), follows no symlink.
 */
static void
test_exists(void)
{
	char		*state = xasprintf("%s/ex", tmpdir), *why = NULL, *p;
	struct stat	 st;

	CHECK(exists(state, &why) == -1);
	CHECK(why != NULL && strstr(why, "/ex:") != NULL);
	free(why);
	why = NULL;
	CHECK(mkdir(state, 0700) == 0);
	CHECK_INT(exists(state, NULL), 0);
	p = xasprintf("%s/networks", state);
	CHECK(stat(p, &st) == -1);
	CHECK(mkdir(p, 0700) == 0);
	CHECK_INT(exists(state, NULL), 0);
	free(p);
	p = xasprintf("%s/networks/net", state);
	CHECK(stat(p, &st) == -1);
	CHECK(mkdir(p, 0700) == 0);
	CHECK_INT(exists(state, NULL), 0);
	free(unit_write_file(p, "leases", ""));
	CHECK_INT(exists(state, NULL), 1);
	free(p);
	/* A symlink as leases is there (lease_open refuses it, said). */
	p = xasprintf("rm %s/networks/net/leases && ln -s /etc/passwd "
	    "%s/networks/net/leases", state, state);
	CHECK_INT(system(p), 0);
	free(p);
	CHECK_INT(exists(state, NULL), 1);
	/* The network's directory or networks a symlink: not followed. */
	p = xasprintf("mv %s/networks/net %s/real && ln -s %s/real "
	    "%s/networks/net", state, state, state, state);
	CHECK_INT(system(p), 0);
	free(p);
	CHECK(exists(state, &why) == -1);
	CHECK(why != NULL && strstr(why, "/networks/net:") != NULL);
	free(why);
	why = NULL;
	p = xasprintf("rm -r %s/networks && ln -s %s/real %s/networks", state,
	    state, state);
	CHECK_INT(system(p), 0);
	free(p);
	CHECK(exists(state, &why) == -1);
	CHECK(why != NULL && strstr(why, "/ex/networks:") != NULL);
	free(why);
	free(state);
}

int
main(void)
{

	if (mkdtemp(tmpdir) == NULL)
		return 2;
	test_stable();
	test_fixed();
	test_exhausted();
	test_corrupt();
	test_symlinks();
	test_exists();

	unit_rm_rf(tmpdir);
	return unit_done("leases");
}

/* SPDX-License-Identifier: ISC */
/*
 * test_hosts.c: src/hosts.c: the text of a service's /etc/hosts (sorted,
 * one line per address, bad names left out) and /etc/resolv.conf, and the
 * in-place rewrite: the same inode, a reader that holds the file open sees
 * the new text (shorter and longer), a symlink, a FIFO or a hard link
 * planted in its place is refused and not written through.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hosts.h"
#include "unit.h"

static char	tmpdir[] = "/tmp/test_hosts.XXXXXX";

#define NOFB	"/nonexistent/systemd/resolv.conf"
#define LOCAL	"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"

static struct hosts_entry
entry(const char *name, const char *addr, char *const *aliases)
{
	struct hosts_entry	e = { .name = name, .aliases = aliases };

	inet_pton(AF_INET, addr, &e.addr);
	return e;
}

static void
test_text(void)
{
	char *const		 web_al[] = { "www", "bad name", "front", NULL };
	char *const		 bad_al[] = { "x", NULL };
	struct hosts_entry	 e[] = {
		entry("web", "10.88.0.10", web_al),
		entry("db", "10.88.0.3", NULL),
		entry("web", "10.99.0.2", web_al),
		entry("app", "10.88.0.10", NULL),	/* same address */
		entry("-bad\n127.0.0.1 evil", "10.88.0.4", bad_al),
	};
	char			*t;

	t = hosts_text(e, sizeof e / sizeof *e);
	CHECK_STR(t, LOCAL
	    "10.88.0.3\tdb\n"
	    "10.88.0.10\tapp\n"
	    "10.88.0.10\tweb www front\n"
	    "10.99.0.2\tweb www front\n");
	free(t);
	t = hosts_text(NULL, 0);
	CHECK_STR(t, LOCAL);
	free(t);
}

static void
test_resolv(void)
{
	char *const	 dns[] = { "192.0.2.53", "2001:db8::1", NULL };
	char *const	 none[] = { NULL };
	char *const	 lo[] = { "127.0.0.1", NULL };
	char		*host = unit_write_file(tmpdir, "resolv.conf",
			    "search example.org\nnameserver 192.0.2.1\n");
	struct strv	 lost = { 0 };
	char		*t, *cause = NULL;

	t = hosts_resolv_text(dns, host, NOFB, &lost, &cause);
	CHECK_STR(t, "nameserver 192.0.2.53\nnameserver 2001:db8::1\n");
	free(t);
	t = hosts_resolv_text(NULL, host, NOFB, &lost, &cause);
	CHECK_STR(t, "search example.org\nnameserver 192.0.2.1\n");
	free(t);
	t = hosts_resolv_text(none, host, NOFB, &lost, &cause);
	CHECK_STR(t, "search example.org\nnameserver 192.0.2.1\n");
	free(t);
	/* dns is used as given, a loopback address too. */
	t = hosts_resolv_text(lo, host, NOFB, &lost, &cause);
	CHECK_STR(t, "nameserver 127.0.0.1\n");
	free(t);
	CHECK_INT(lost.n, 0);
	/* No such file on the host (an initramfs): no nameserver, no error. */
	t = hosts_resolv_text(NULL, "/nonexistent/resolv.conf", NOFB, &lost,
	    &cause);
	CHECK_STR(t != NULL ? t : "(null)", "# no nameserver: "
	    "/nonexistent/resolv.conf does not exist and the service sets no "
	    "dns\n");
	free(t);
	CHECK_INT(lost.n, 0);
	/* One that cannot be read is an error. */
	t = hosts_resolv_text(NULL, tmpdir, NOFB, &lost, &cause);
	CHECK(t == NULL);
	CHECK(cause != NULL && strstr(cause, tmpdir) != NULL);
	free(cause);
	free(host);
}

#define LEFT(a)	"# nameserver " a " left out by supd: the host's loopback, " \
		"not this network's\n"

/* The host's loopback nameservers left out, the systemd-resolved list. */
static void
test_resolv_loopback(void)
{
	char		*host = unit_write_file(tmpdir, "mixed.conf",
			    "# made by hand\nnameserver 127.0.0.53\n"
			    "search example.org\nnameserver\t192.0.2.1\n"
			    "nameserver ::1\nnameserver fe80::1%eth0\n"
			    "nameserver ::ffff:127.1.2.3\nnameservers 127.0.0.1\n"
			    "options edns0 trust-ad\nnameserver 127.9.9.9");
	char		*stub = unit_write_file(tmpdir, "stub.conf",
			    "nameserver 127.0.0.53\noptions edns0\n"
			    "search example.org\n");
	char		*sd = unit_write_file(tmpdir, "sd.conf",
			    "# systemd-resolved\nnameserver 192.0.2.7\n"
			    "nameserver 127.0.0.1\nsearch other.org\n"
			    "nameserver 2001:db8::7\n");
	char		*sdlo = unit_write_file(tmpdir, "sdlo.conf",
			    "nameserver 127.0.0.2\n");
	struct strv	 lost = { 0 };
	char		*t, *want, *cause = NULL;

	/* Others remain: no fallback, nothing lost; the rest kept as is. */
	t = hosts_resolv_text(NULL, host, sd, &lost, &cause);
	CHECK_STR(t, "# made by hand\n" LEFT("127.0.0.53")
	    "search example.org\nnameserver\t192.0.2.1\n" LEFT("::1")
	    "nameserver fe80::1%eth0\n" LEFT("::ffff:127.1.2.3")
	    "nameservers 127.0.0.1\noptions edns0 trust-ad\n"
	    LEFT("127.9.9.9"));
	free(t);
	CHECK_INT(lost.n, 0);
	/* Only the stub: systemd-resolved's servers, its loopback ones left
	 * out again; the host's search and options kept, not the list's. */
	t = hosts_resolv_text(NULL, stub, sd, &lost, &cause);
	want = xasprintf(LEFT("127.0.0.53") "options edns0\n"
	    "search example.org\n# nameservers of %s:\nnameserver 192.0.2.7\n"
	    LEFT("127.0.0.1") "nameserver 2001:db8::7\n", sd);
	CHECK_STR(t, want);
	free(want);
	free(t);
	CHECK_INT(lost.n, 0);
	/* Neither has one: none, said in the file and in lost. */
	t = hosts_resolv_text(NULL, stub, sdlo, &lost, &cause);
	want = xasprintf(LEFT("127.0.0.53") "options edns0\n"
	    "search example.org\n# nameservers of %s:\n" LEFT("127.0.0.2")
	    "# no nameserver reachable: set dns\n", sdlo);
	CHECK_STR(t, want);
	free(want);
	free(t);
	CHECK_INT(lost.n, 1);
	CHECK_STR(lost.n > 0 ? lost.v[0] : "", "127.0.0.53");
	strv_free(&lost);
	t = hosts_resolv_text(NULL, stub, NOFB, &lost, &cause);
	CHECK_STR(t, LEFT("127.0.0.53") "options edns0\nsearch example.org\n"
	    "# no nameserver reachable: set dns\n");
	free(t);
	CHECK_INT(lost.n, 1);
	strv_free(&lost);
	/* A fallback needed that cannot be read is an error. */
	t = hosts_resolv_text(NULL, stub, tmpdir, &lost, &cause);
	CHECK(t == NULL);
	CHECK(cause != NULL && strstr(cause, tmpdir) != NULL);
	CHECK_INT(lost.n, 0);
	free(cause);
	free(host);
	free(stub);
	free(sd);
	free(sdlo);
}

/* All of fd from offset 0, as a reader holding the file open would. */
static char *
read_fd(int fd)
{
	char	buf[4096];
	ssize_t	n = pread(fd, buf, sizeof buf - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	return xstrdup(buf);
}

static int
write_hosts(const char *service, const char *text)
{
	char	*cause = NULL;
	int	 r = hosts_write(tmpdir, "hosts", service, text, &cause);

	if (r == -1)
		fprintf(stderr, "(expected?) %s\n", cause);
	free(cause);
	return r;
}

static void
test_in_place(void)
{
	char		*path = xasprintf("%s/networks/hosts/web", tmpdir), *t;
	struct stat	 a, b;
	int		 fd;

	CHECK_INT(write_hosts("web", LOCAL "10.88.0.2\tweb\n10.88.0.3\tdb\n"),
	    0);
	CHECK(stat(path, &a) == 0);
	CHECK_INT(a.st_mode & 07777, 0644);
	fd = open(path, O_RDONLY);
	CHECK(fd != -1);
	t = read_fd(fd);
	CHECK_STR(t, LOCAL "10.88.0.2\tweb\n10.88.0.3\tdb\n");
	free(t);

	/* Shorter: cut to its length; same inode; the open reader sees it. */
	CHECK_INT(write_hosts("web", LOCAL "10.88.0.2\tweb\n"), 0);
	CHECK(stat(path, &b) == 0);
	CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	CHECK_INT(b.st_size, strlen(LOCAL "10.88.0.2\tweb\n"));
	t = read_fd(fd);
	CHECK_STR(t, LOCAL "10.88.0.2\tweb\n");
	free(t);

	/* Longer. */
	CHECK_INT(write_hosts("web", LOCAL "10.88.0.2\tweb\n10.88.0.3\tdb\n"
	    "10.88.0.4\tcache redis\n"), 0);
	CHECK(stat(path, &b) == 0 && a.st_ino == b.st_ino);
	t = read_fd(fd);
	CHECK_STR(t, LOCAL "10.88.0.2\tweb\n10.88.0.3\tdb\n"
	    "10.88.0.4\tcache redis\n");
	free(t);
	close(fd);

	/* resolv files live apart. */
	CHECK_INT(hosts_write(tmpdir, "resolv", "web", "nameserver 192.0.2.1\n",
	    NULL), 0);
	t = xasprintf("%s/networks/resolv/web", tmpdir);
	CHECK(access(t, R_OK) == 0);
	CHECK_INT(hosts_remove(tmpdir, "resolv", "web", NULL), 0);
	CHECK(access(t, F_OK) == -1);
	CHECK_INT(hosts_remove(tmpdir, "resolv", "web", NULL), 0);
	free(t);
	free(path);
}

/* A symlink, a FIFO or a hard link in the file's place: refused. */
static void
test_refused(void)
{
	char	*victim = unit_write_file(tmpdir, "victim", "precious\n");
	char	*dir = xasprintf("%s/networks/hosts", tmpdir), *p, *cause = NULL;
	FILE	*f;
	char	 buf[64] = "";

	p = xasprintf("%s/sym", dir);
	CHECK(symlink(victim, p) == 0);
	CHECK_INT(write_hosts("sym", "evil\n"), -1);
	free(p);
	p = xasprintf("%s/fifo", dir);
	CHECK(mkfifo(p, 0600) == 0);
	CHECK_INT(write_hosts("fifo", "evil\n"), -1);
	free(p);
	p = xasprintf("%s/hard", dir);
	CHECK(link(victim, p) == 0);
	CHECK_INT(write_hosts("hard", "evil\n"), -1);
	free(p);
	CHECK((f = fopen(victim, "r")) != NULL);
	if (f != NULL) {
		CHECK(fgets(buf, sizeof buf, f) != NULL);
		fclose(f);
	}
	CHECK_STR(buf, "precious\n");
	/* A service name that is a path. */
	CHECK_INT(hosts_write(tmpdir, "hosts", "../x", "evil\n", &cause), -1);
	free(cause);
	free(dir);
	free(victim);
}

int
main(void)
{

	if (mkdtemp(tmpdir) == NULL)
		return 2;
	test_text();
	test_resolv();
	test_resolv_loopback();
	test_in_place();
	test_refused();

	unit_rm_rf(tmpdir);
	return unit_done("hosts");
}

/* SPDX-License-Identifier: ISC */
/*
 * hosts.c: the /etc/hosts and /etc/resolv.conf files of services on bridge
 * networks (the contract is hosts.h's): their text, and writing them in
 * place under state_dir/networks/hosts and .../resolv, directories reached
 * through lease_state_dir (leases.c owns state_dir/networks) without
 * following a symlink.
 *
 * A resolv.conf copied from the host leaves out the host's loopback
 * nameservers (systemd-resolved's 127.0.0.53): the service's network
 * namespace has its own loopback, where no server listens.
 *
 * A hosts file is rewritten in place, not replaced: it is bind-mounted into
 * running services, and a bind mount pins the inode. Synchronous I/O on a
 * small file in supd's loop.
 */
#include <sys/stat.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hosts.h"
#include "leases.h"
#include "values.h"

#define RESOLV_MAX	(64 * 1024)	/* more is not a resolv.conf */

static int
cmp_entry(const void *a, const void *b)
{
	const struct hosts_entry *x = *(const struct hosts_entry *const *)a;
	const struct hosts_entry *y = *(const struct hosts_entry *const *)b;
	uint32_t	hx = ntohl(x->addr.s_addr), hy = ntohl(y->addr.s_addr);

	if (hx != hy)
		return hx < hy ? -1 : 1;
	return strcmp(x->name, y->name);
}

char *
hosts_text(const struct hosts_entry *e, size_t n)
{
	const struct hosts_entry **sorted;
	struct buf	 b = { 0 };
	char		 a[INET_ADDRSTRLEN];
	size_t		 i, j;

	buf_puts(&b, "127.0.0.1\tlocalhost\n"
	    "::1\tlocalhost ip6-localhost ip6-loopback\n");
	sorted = xcalloc(n + 1, sizeof *sorted);
	for (i = 0; i < n; i++)
		sorted[i] = &e[i];
	qsort(sorted, n, sizeof *sorted, cmp_entry);
	for (i = 0; i < n; i++) {
		if (!name_valid(sorted[i]->name))
			continue;
		buf_printf(&b, "%s\t%s", inet_ntop(AF_INET, &sorted[i]->addr,
		    a, sizeof a), sorted[i]->name);
		for (j = 0; sorted[i]->aliases != NULL &&
		    sorted[i]->aliases[j] != NULL; j++)
			if (name_valid(sorted[i]->aliases[j]))
				buf_printf(&b, " %s", sorted[i]->aliases[j]);
		buf_puts(&b, "\n");
	}
	free(sorted);
	return b.p;
}

/*
 * The address of a "nameserver ADDR" line (as glibc's res_init reads one:
 * the keyword at the start, then blanks), its length in *alen; NULL for
 * any other line.
 */
static const char *
ns_addr(const char *line, size_t len, size_t *alen)
{
	const char	*a, *end = line + len;

	if (len < 11 || strncmp(line, "nameserver", 10) != 0 ||
	    (line[10] != ' ' && line[10] != '\t'))
		return NULL;
	for (a = line + 10; a < end && (*a == ' ' || *a == '\t'); a++)
		;
	*alen = strcspn(a, " \t\r\n");
	if (a + *alen > end)
		*alen = (size_t)(end - a);
	return *alen > 0 ? a : NULL;
}

/* 127.0.0.0/8, ::1 or ::ffff:127.x.y.z (a %scope after it ignored). */
static bool
ns_loopback(const char *addr, size_t alen)
{
	char		a[INET6_ADDRSTRLEN];
	struct in_addr	v4;
	struct in6_addr	v6;

	alen = strcspn(addr, "%") < alen ? strcspn(addr, "%") : alen;
	if (alen >= sizeof a)
		return false;
	memcpy(a, addr, alen);
	a[alen] = '\0';
	if (inet_pton(AF_INET, a, &v4) == 1)
		return ntohl(v4.s_addr) >> 24 == 127;
	if (inet_pton(AF_INET6, a, &v6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&v6) ||
		    (IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127);
	return false;
}

/*
 * Copy text's lines to out, but a nameserver on the host's loopback: a
 * comment instead, its address pushed to dropped. ns_only: its nameserver
 * lines only. The nameservers copied are counted in *kept.
 */
static void
resolv_filter(const char *text, bool ns_only, struct buf *out, size_t *kept,
    struct strv *dropped)
{
	const char	*line, *a;
	size_t		 len, alen;
	char		*addr;

	for (line = text; *line != '\0'; line += len) {
		len = strcspn(line, "\n");
		len += line[len] == '\n';
		if ((a = ns_addr(line, len, &alen)) != NULL &&
		    ns_loopback(a, alen)) {
			addr = xstrndup(a, alen);
			buf_printf(out, "# nameserver %s left out by supd: the "
			    "host's loopback, not this network's\n", addr);
			strv_take(dropped, addr);
			continue;
		}
		if (ns_only && a == NULL)
			continue;
		*kept += a != NULL;
		buf_add(out, line, len);
		if (line[len - 1] != '\n')
			buf_puts(out, "\n");
	}
}

/* The file at path in *b: 0, 1 when it does not exist, -1 and *cause
 * (b freed). */
static int
resolv_read(const char *path, struct buf *b, char **cause)
{
	char	 chunk[4096];
	size_t	 n;
	FILE	*f;

	if ((f = fopen(path, "re")) == NULL && errno == ENOENT)
		return 1;
	if (f == NULL) {
		*cause = errno_cause("%s", path);
		return -1;
	}
	buf_puts(b, "");
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 &&
	    b->len < RESOLV_MAX)
		buf_add(b, chunk, n);
	if (ferror(f)) {
		*cause = errno_cause("%s", path);
		fclose(f);
		buf_free(b);
		return -1;
	}
	fclose(f);
	/* A NUL in it ends the text, as it would a resolver's line. */
	b->len = strlen(b->p);
	return 0;
}

char *
hosts_resolv_text(char *const *dns, const char *host_resolv,
    const char *fallback, struct strv *lost, char **cause)
{
	struct buf	 b = { 0 }, in = { 0 }, fb = { 0 };
	struct strv	 dropped = { 0 }, ignored = { 0 };
	size_t		 i, kept = 0;
	int		 r;

	if (dns != NULL && dns[0] != NULL) {
		for (i = 0; dns[i] != NULL; i++)
			buf_printf(&b, "nameserver %s\n", dns[i]);
		return b.p;
	}
	if ((r = resolv_read(host_resolv, &in, cause)) == 1)
		buf_printf(&b, "# no nameserver: %s does not exist and the "
		    "service sets no dns\n", host_resolv);
	if (r != 0)
		return r == 1 ? b.p : NULL;
	buf_puts(&b, "");
	resolv_filter(in.p, false, &b, &kept, &dropped);
	buf_free(&in);
	/* Only the host's loopback (systemd-resolved's 127.0.0.53 stub):
	 * the servers that stub forwards to, as docker takes them. */
	if (kept == 0 && dropped.n > 0 &&
	    (r = resolv_read(fallback, &fb, cause)) == 0) {
		buf_printf(&b, "# nameservers of %s:\n", fallback);
		resolv_filter(fb.p, true, &b, &kept, &ignored);
	}
	buf_free(&fb);
	strv_free(&ignored);
	if (r == -1) {
		buf_free(&b);
		strv_free(&dropped);
		return NULL;
	}
	if (kept == 0 && dropped.n > 0) {
		buf_puts(&b, "# no nameserver reachable: set dns\n");
		for (i = 0; i < dropped.n; i++)
			strv_push(lost, dropped.v[i]);
	}
	strv_free(&dropped);
	return b.p;
}

/* Write all of text at offset 0 of fd, then cut fd to its length. */
static int
rewrite(int fd, const char *text)
{
	size_t	len = strlen(text), off;
	ssize_t	w;

	for (off = 0; off < len; off += w)
		if ((w = pwrite(fd, text + off, len - off, off)) == -1)
			return -1;
	return ftruncate(fd, len);
}

int
hosts_write(const char *state_dir, const char *dir, const char *service,
    const char *text, char **cause)
{
	struct stat	st;
	int		dfd, fd;

	if (!name_valid(service)) {
		*cause = xasprintf("%s: invalid service name", service);
		return -1;
	}
	if ((dfd = lease_state_dir(state_dir, dir, cause)) == -1)
		return -1;
	/* No O_TRUNC: the text is written over the old, then cut.
	 * O_NONBLOCK: a FIFO planted there must not block supd. */
	fd = openat(dfd, service, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC, 0644);
	close(dfd);
	if (fd == -1) {
		*cause = errno_cause("%s/networks/%s/%s", state_dir, dir,
		    service);
		return -1;
	}
	if (fstat(fd, &st) == 0 && (!S_ISREG(st.st_mode) ||
	    st.st_nlink != 1)) {
		*cause = xasprintf("%s/networks/%s/%s: not a file of one link",
		    state_dir, dir, service);
		close(fd);
		return -1;
	}
	if (rewrite(fd, text) == -1) {
		*cause = errno_cause("%s/networks/%s/%s", state_dir, dir,
		    service);
		close(fd);
		return -1;
	}
	if (close(fd) == -1) {
		*cause = errno_cause("%s/networks/%s/%s", state_dir, dir,
		    service);
		return -1;
	}
	return 0;
}

int
hosts_remove(const char *state_dir, const char *dir, const char *service,
    char **cause)
{
	int	dfd, r;

	if (!name_valid(service)) {
		*cause = xasprintf("%s: invalid service name", service);
		return -1;
	}
	if ((dfd = lease_state_dir(state_dir, dir, cause)) == -1)
		return -1;
	r = unlinkat(dfd, service, 0);
	if (r == -1 && errno == ENOENT)
		r = 0;
	else if (r == -1)
		*cause = errno_cause("%s/networks/%s/%s", state_dir, dir,
		    service);
	close(dfd);
	return r;
}

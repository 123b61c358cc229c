/* SPDX-License-Identifier: ISC */
/*
 * hosts.c: the /etc/hosts and /etc/resolv.conf files of services on bridge
 * networks (the contract is hosts.h's): their text, and writing them in
 * place under state_dir/networks/hosts and .../resolv, directories reached
 * through lease_state_dir (leases.c owns state_dir/networks) without
 * following a symlink.
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

char *
hosts_resolv_text(char *const *dns, const char *host_resolv, char **cause)
{
	struct buf	 b = { 0 };
	char		 chunk[4096];
	size_t		 i, n;
	FILE		*f;

	if (dns != NULL && dns[0] != NULL) {
		for (i = 0; dns[i] != NULL; i++)
			buf_printf(&b, "nameserver %s\n", dns[i]);
		return b.p;
	}
	if ((f = fopen(host_resolv, "re")) == NULL && errno == ENOENT) {
		buf_printf(&b, "# no nameserver: %s does not exist and the "
		    "service sets no dns\n", host_resolv);
		return b.p;
	}
	if (f == NULL) {
		*cause = errno_cause("%s", host_resolv);
		return NULL;
	}
	buf_puts(&b, "");
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 &&
	    b.len < RESOLV_MAX)
		buf_add(&b, chunk, n);
	if (ferror(f)) {
		*cause = errno_cause("%s", host_resolv);
		fclose(f);
		buf_free(&b);
		return NULL;
	}
	fclose(f);
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

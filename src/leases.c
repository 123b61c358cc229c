/* SPDX-License-Identifier: ISC */
/*
 * leases.c: per network, an IPv4 address per service name, kept in
 * state_dir/networks/NAME/leases (the contract is leases.h's). Owns the
 * directory state_dir/networks and what is below it but the files of
 * hosts.c, which opens its directory through lease_state_dir.
 *
 * The table is small (one entry per service of the network) and read and
 * written whole; each change is written at once, atomically, before the
 * address is handed out. The directories are reached with openat from
 * state_dir, one component at a time, O_NOFOLLOW: whoever can write under
 * state_dir cannot point supd's writes elsewhere with a symlink.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leases.h"
#include "values.h"

#define LEASE_LINE_MAX	256

struct lease {
	char		*service;
	struct in_addr	 addr;
	bool		 fixed;		/* given by `ip` in this run */
};

struct lease_table {
	char		*path;		/* for messages */
	int		 dirfd;		/* state_dir/networks/NAME */
	uint32_t	 net, mask, gw;	/* host order */
	struct lease	*v;
	size_t		 n;
};

/* A subdirectory of dirfd, made 0700 if missing, opened without following a
 * symlink; an existing one is tightened to 0700 (it holds supd's state). */
static int
open_subdir(int dirfd, const char *name)
{
	int	fd;

	if (mkdirat(dirfd, name, 0700) == -1 && errno != EEXIST)
		return -1;
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1)
		return -1;
	if (fchmod(fd, 0700) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

int
lease_state_dir(const char *state_dir, const char *sub, char **cause)
{
	int	top, nets, fd;

	/* state_dir itself is the administrator's choice: followed. */
	if ((top = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		*cause = errno_cause("%s", state_dir);
		return -1;
	}
	nets = open_subdir(top, "networks");
	close(top);
	if (nets == -1) {
		*cause = errno_cause("%s/networks", state_dir);
		return -1;
	}
	fd = open_subdir(nets, sub);
	close(nets);
	if (fd == -1)
		*cause = errno_cause("%s/networks/%s", state_dir, sub);
	return fd;
}

int
lease_exists(const char *state_dir, const char *network, char **cause)
{
	struct stat	 st;
	int		 top, nets = -1, fd = -1, r = -1;

	if ((top = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		*cause = errno_cause("%s", state_dir);
		return -1;
	}
	/* Nothing made, no symlink followed: lease_open's way, read-only. */
	if ((nets = openat(top, "networks", O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) != -1 && (fd = openat(nets, network,
	    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)) != -1)
		r = fstatat(fd, "leases", &st, AT_SYMLINK_NOFOLLOW);
	if (r == 0)
		r = 1;
	else if (errno == ENOENT)
		r = 0;
	else
		*cause = errno_cause("%s/networks%s%s%s", state_dir,
		    nets == -1 ? "" : "/", nets == -1 ? "" : network,
		    fd == -1 ? "" : "/leases");
	if (fd != -1)
		close(fd);
	if (nets != -1)
		close(nets);
	close(top);
	return r;
}

/* A host address of the subnet that is not its gateway. */
static bool
addr_usable(const struct lease_table *t, uint32_t h)
{
	return (h & t->mask) == t->net && h != t->net &&
	    h != (t->net | ~t->mask) && h != t->gw;
}

static struct lease *
by_service(const struct lease_table *t, const char *service)
{
	size_t	i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->v[i].service, service) == 0)
			return &t->v[i];
	return NULL;
}

static struct lease *
by_addr(const struct lease_table *t, uint32_t h)
{
	size_t	i;

	for (i = 0; i < t->n; i++)
		if (ntohl(t->v[i].addr.s_addr) == h)
			return &t->v[i];
	return NULL;
}

static void
add(struct lease_table *t, const char *service, uint32_t h, bool fixed)
{
	t->v = xreallocarray(t->v, t->n + 1, sizeof *t->v);
	t->v[t->n].service = xstrdup(service);
	t->v[t->n].addr.s_addr = htonl(h);
	t->v[t->n].fixed = fixed;
	t->n++;
}

static void
drop(struct lease_table *t, struct lease *l)
{
	free(l->service);
	*l = t->v[--t->n];
}

/* One line of the file: NULL if taken, else why it is refused. */
static const char *
read_line(struct lease_table *t, char *line)
{
	char		 service[LEASE_LINE_MAX], addr[LEASE_LINE_MAX];
	char		 extra;
	struct in_addr	 a;
	uint32_t	 h;

	if (sscanf(line, "%255s %255s %c", service, addr, &extra) != 2)
		return "expected 'SERVICE ADDRESS'";
	if (!name_valid(service))
		return "invalid service name";
	if (inet_pton(AF_INET, addr, &a) != 1)
		return "invalid IPv4 address";
	h = ntohl(a.s_addr);
	if (!addr_usable(t, h))
		return "not a host address of the subnet (or its gateway)";
	if (by_service(t, service) != NULL)
		return "service leased twice";
	if (by_addr(t, h) != NULL)
		return "address leased twice";
	add(t, service, h, false);
	return NULL;
}

static int
read_file(struct lease_table *t, struct strv *warn, char **cause)
{
	char		*line = NULL;
	const char	*e;
	unsigned	 lineno = 0;
	size_t		 cap = 0;
	ssize_t		 n;
	FILE		*f;
	int		 fd;

	fd = openat(t->dirfd, "leases", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1 && errno == ENOENT)
		return 0;
	if (fd == -1 || (f = fdopen(fd, "r")) == NULL) {
		*cause = errno_cause("%s", t->path);
		if (fd != -1)
			close(fd);
		return -1;
	}
	while ((n = getline(&line, &cap, f)) != -1) {
		lineno++;
		if (strlen(line) != (size_t)n)
			e = "NUL byte in line";
		else if (n >= LEASE_LINE_MAX)
			e = "line too long";
		else if (line[strspn(line, " \t\r\n")] == '\0')
			continue;
		else
			e = read_line(t, line);
		if (e != NULL)
			strv_take(warn, xasprintf("%s:%u: %s; skipped", t->path,
			    lineno, e));
	}
	free(line);
	fclose(f);
	return 0;
}

struct lease_table *
lease_open(const char *state_dir, const struct net_conf *n, struct strv *warn,
    char **cause)
{
	struct lease_table	*t;
	int			 nets;

	if ((nets = lease_state_dir(state_dir, n->name, cause)) == -1)
		return NULL;
	t = xcalloc(1, sizeof *t);
	t->dirfd = nets;
	t->path = xasprintf("%s/networks/%s/leases", state_dir, n->name);
	t->net = ntohl(n->subnet.s_addr);
	t->mask = n->prefix == 0 ? 0 : 0xffffffffu << (32 - n->prefix);
	t->gw = ntohl(n->gateway.s_addr);
	if (read_file(t, warn, cause) == -1) {
		lease_close(t);
		return NULL;
	}
	return t;
}

void
lease_close(struct lease_table *t)
{
	size_t	i;

	if (t == NULL)
		return;
	for (i = 0; i < t->n; i++)
		free(t->v[i].service);
	free(t->v);
	free(t->path);
	close(t->dirfd);
	free(t);
}

/* The table v to leases.tmp, then renamed over leases. */
static int
write_file(struct lease_table *t, const struct lease *v, size_t n,
    char **cause)
{
	struct buf	 b = { 0 };
	char		 a[INET_ADDRSTRLEN];
	ssize_t		 w;
	size_t		 i, off;
	int		 fd;

	for (i = 0; i < n; i++)
		buf_printf(&b, "%s %s\n", v[i].service,
		    inet_ntop(AF_INET, &v[i].addr, a, sizeof a));
	/* A leftover leases.tmp (or a symlink planted there) goes first. */
	if (unlinkat(t->dirfd, "leases.tmp", 0) == -1 && errno != ENOENT)
		goto fail;
	fd = openat(t->dirfd, "leases.tmp", O_WRONLY | O_CREAT | O_EXCL |
	    O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd == -1)
		goto fail;
	for (off = 0; off < b.len; off += w)
		if ((w = write(fd, b.p + off, b.len - off)) == -1) {
			close(fd);
			goto fail;
		}
	if (fsync(fd) == -1 || close(fd) == -1 ||
	    renameat(t->dirfd, "leases.tmp", t->dirfd, "leases") == -1 ||
	    fsync(t->dirfd) == -1)
		goto fail;
	buf_free(&b);
	return 0;
fail:
	*cause = errno_cause("%s", t->path);
	unlinkat(t->dirfd, "leases.tmp", 0);
	buf_free(&b);
	return -1;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The lowest usable address no one holds; 0 if there is none. */
static uint32_t
lowest_free(const struct lease_table *t)
{
	uint32_t	*held, h, last = t->net | ~t->mask;
	size_t		 i;

	held = xcalloc(t->n + 1, sizeof *held);
	for (i = 0; i < t->n; i++)
		held[i] = ntohl(t->v[i].addr.s_addr);
	qsort(held, t->n, sizeof *held, cmp_u32);
	for (h = t->net + 1, i = 0; h < last; h++) {
		while (i < t->n && held[i] < h)
			i++;
		if (h != t->gw && (i == t->n || held[i] != h))
			break;
	}
	free(held);
	return h < last ? h : 0;
}

/*
 * The fixed address h for service: it wins over a lease that was not fixed
 * (that service loses it) and moves the service's own lease. The new table
 * is built aside and put in place once written: a failed write changes
 * nothing.
 */
static int
get_fixed(struct lease_table *t, const char *service, uint32_t h,
    char **cause)
{
	struct lease	*other = by_addr(t, h), *mine = by_service(t, service);
	struct lease	*nv;
	struct in_addr	 in = { htonl(h) };
	char		 a[INET_ADDRSTRLEN];
	size_t		 i, k = 0;

	inet_ntop(AF_INET, &in, a, sizeof a);
	if (!addr_usable(t, h)) {
		*cause = xasprintf("ip %s: not a host address of the subnet "
		    "(or its gateway)", a);
		return -1;
	}
	if (other != NULL && other != mine && other->fixed) {
		*cause = xasprintf("ip %s: the fixed address of %s", a,
		    other->service);
		return -1;
	}
	if (mine != NULL && other == mine) {
		mine->fixed = true;
		return 0;
	}
	nv = xcalloc(t->n + 1, sizeof *nv);
	for (i = 0; i < t->n; i++) {
		if (&t->v[i] == other)
			continue;
		nv[k] = t->v[i];
		if (&t->v[i] == mine)
			nv[k].addr = in;
		k++;
	}
	if (mine == NULL)
		nv[k++] = (struct lease){ xstrdup(service), in, true };
	if (write_file(t, nv, k, cause) == -1) {
		if (mine == NULL)
			free(nv[k - 1].service);
		free(nv);
		return -1;
	}
	if (other != NULL)
		free(other->service);
	free(t->v);
	t->v = nv;
	t->n = k;
	by_service(t, service)->fixed = true;
	return 0;
}

int
lease_get(struct lease_table *t, const char *service,
    const struct in_addr *fixed, struct in_addr *out, char **cause)
{
	struct lease	*l;
	uint32_t	 h;

	if (fixed != NULL) {
		if (get_fixed(t, service, ntohl(fixed->s_addr), cause) == -1)
			return -1;
		*out = *fixed;
		return 0;
	}
	if ((l = by_service(t, service)) != NULL) {
		if (addr_usable(t, ntohl(l->addr.s_addr))) {
			l->fixed = false;
			*out = l->addr;
			return 0;
		}
		drop(t, l);	/* the subnet changed under it */
	}
	if ((h = lowest_free(t)) == 0) {
		*cause = xasprintf("%s: no free address in the subnet",
		    t->path);
		return -1;
	}
	add(t, service, h, false);
	if (write_file(t, t->v, t->n, cause) == -1) {
		drop(t, &t->v[t->n - 1]);
		return -1;
	}
	out->s_addr = htonl(h);
	return 0;
}

int
lease_find(const struct lease_table *t, const char *service,
    struct in_addr *out)
{
	const struct lease	*l = by_service(t, service);

	if (l == NULL)
		return -1;
	*out = l->addr;
	return 0;
}

int
lease_release(struct lease_table *t, const char *service, char **cause)
{
	struct lease	*l = by_service(t, service);
	struct lease	 saved;

	if (l == NULL)
		return 0;
	saved = *l;
	*l = t->v[--t->n];
	if (write_file(t, t->v, t->n, cause) == -1) {
		t->v[t->n++] = *l;
		*l = saved;
		return -1;
	}
	free(saved.service);
	return 0;
}

size_t
lease_count(const struct lease_table *t)
{
	return t->n;
}

const char *
lease_at(const struct lease_table *t, size_t i, struct in_addr *out)
{
	*out = t->v[i].addr;
	return t->v[i].service;
}

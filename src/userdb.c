/* SPDX-License-Identifier: ISC */
/*
 * userdb.c: passwd(5) and group(5) text parsed in place, and the one read
 * of such a file. The rules a line follows are in userdb.h.
 *
 * Nothing is copied until a match is found: a line is a (pointer, length)
 * view into the caller's buffer and so are its fields, so a line of any
 * length costs nothing and a NUL byte cannot cut one short. Every loop is
 * bounded by the buffer's length.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "userdb.h"
#include "util.h"

/* Fields of a passwd and of a group line. */
enum { PW_NAME, PW_PASSWD, PW_UID, PW_GID, PW_GECOS, PW_DIR, PW_SHELL, PW_N };
enum { GR_NAME, GR_PASSWD, GR_GID, GR_MEM, GR_N };

/* A piece of the buffer: a line or a field. */
struct span {
	const char	*p;
	size_t		 len;
};

/* The next line of buf from *off, without its '\n' and one '\r' before
 * it. false at the end of the buffer. */
static bool
next_line(const char *buf, size_t len, size_t *off, struct span *line)
{
	const char	*nl;
	size_t		 left;

	if (*off >= len)
		return false;
	left = len - *off;
	line->p = buf + *off;
	nl = memchr(line->p, '\n', left);
	line->len = nl != NULL ? (size_t)(nl - line->p) : left;
	*off += line->len + (nl != NULL);
	if (line->len > 0 && line->p[line->len - 1] == '\r')
		line->len--;
	return true;
}

/*
 * Split a line into exactly n fields. false for a line that does not count
 * (blank, comment, NIS compat, a NUL byte, another number of fields, an
 * empty name).
 */
static bool
split(struct span line, struct span *f, size_t n)
{
	const char	*p = line.p, *end = line.p + line.len, *colon;
	size_t		 i;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p == '#' || *p == '+' || *p == '-' ||
	    memchr(p, '\0', end - p) != NULL)
		return false;
	for (i = 0; i < n; i++) {
		colon = memchr(p, ':', end - p);
		if ((colon == NULL) != (i == n - 1))
			return false;	/* too few fields, or too many */
		f[i].p = p;
		f[i].len = (colon != NULL ? colon : end) - p;
		p = colon != NULL ? colon + 1 : end;
	}
	return f[0].len > 0;
}

/* A uid or gid: decimal digits only, at most UINT32_MAX - 1. */
static bool
parse_id(struct span f, uint32_t *id)
{
	uint64_t	v = 0;
	size_t		i;

	if (f.len == 0)
		return false;
	for (i = 0; i < f.len; i++) {
		if (f.p[i] < '0' || f.p[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(f.p[i] - '0');
		if (v > UINT32_MAX - 1)
			return false;
	}
	*id = (uint32_t)v;
	return true;
}

static bool
span_is(struct span f, const char *s)
{
	return strlen(s) == f.len && memcmp(f.p, s, f.len) == 0;
}

/* ---- passwd -------------------------------------------------------------- */

/* The next valid passwd line: its fields, uid and gid. */
static bool
next_pw(const char *buf, size_t len, size_t *off, struct span *f,
    uint32_t *uid, uint32_t *gid)
{
	struct span	line;

	while (next_line(buf, len, off, &line))
		if (split(line, f, PW_N) && parse_id(f[PW_UID], uid) &&
		    parse_id(f[PW_GID], gid))
			return true;
	return false;
}

static int
pw_fill(const struct span *f, uint32_t uid, uint32_t gid,
    struct userdb_pw *out)
{
	out->name = xstrndup(f[PW_NAME].p, f[PW_NAME].len);
	out->home = xstrndup(f[PW_DIR].p, f[PW_DIR].len);
	out->uid = uid;
	out->gid = gid;
	return 1;
}

int
userdb_pw_byname(const char *buf, size_t len, const char *name,
    struct userdb_pw *out)
{
	struct span	f[PW_N];
	uint32_t	uid, gid;
	size_t		off = 0;

	while (next_pw(buf, len, &off, f, &uid, &gid))
		if (span_is(f[PW_NAME], name))
			return pw_fill(f, uid, gid, out);
	return 0;
}

int
userdb_pw_byuid(const char *buf, size_t len, uint32_t uid,
    struct userdb_pw *out)
{
	struct span	f[PW_N];
	uint32_t	u, gid;
	size_t		off = 0;

	while (next_pw(buf, len, &off, f, &u, &gid))
		if (u == uid)
			return pw_fill(f, u, gid, out);
	return 0;
}

void
userdb_pw_free(struct userdb_pw *pw)
{
	free(pw->name);
	free(pw->home);
	pw->name = pw->home = NULL;
}

/* ---- group --------------------------------------------------------------- */

static bool
next_gr(const char *buf, size_t len, size_t *off, struct span *f,
    uint32_t *gid)
{
	struct span	line;

	while (next_line(buf, len, off, &line))
		if (split(line, f, GR_N) && parse_id(f[GR_GID], gid))
			return true;
	return false;
}

int
userdb_gr_byname(const char *buf, size_t len, const char *name,
    struct userdb_gr *out)
{
	struct span	f[GR_N];
	uint32_t	gid;
	size_t		off = 0;

	while (next_gr(buf, len, &off, f, &gid))
		if (span_is(f[GR_NAME], name)) {
			out->name = xstrndup(f[GR_NAME].p, f[GR_NAME].len);
			out->gid = gid;
			return 1;
		}
	return 0;
}

int
userdb_gr_bygid(const char *buf, size_t len, uint32_t gid,
    struct userdb_gr *out)
{
	struct span	f[GR_N];
	uint32_t	g;
	size_t		off = 0;

	while (next_gr(buf, len, &off, f, &g))
		if (g == gid) {
			out->name = xstrndup(f[GR_NAME].p, f[GR_NAME].len);
			out->gid = g;
			return 1;
		}
	return 0;
}

void
userdb_gr_free(struct userdb_gr *gr)
{
	free(gr->name);
	gr->name = NULL;
}

/* Whether the comma-separated member list names user. Blanks around a
 * name are ignored (glibc skips those before it); empty items are. */
static bool
is_member(struct span mem, const char *user)
{
	const char	*p = mem.p, *end = mem.p + mem.len, *comma;
	struct span	 m;

	while (p < end) {
		comma = memchr(p, ',', end - p);
		m.p = p;
		m.len = (comma != NULL ? comma : end) - p;
		p = comma != NULL ? comma + 1 : end;
		while (m.len > 0 && (*m.p == ' ' || *m.p == '\t')) {
			m.p++;
			m.len--;
		}
		while (m.len > 0 && (m.p[m.len - 1] == ' ' ||
		    m.p[m.len - 1] == '\t'))
			m.len--;
		if (m.len > 0 && span_is(m, user))
			return true;
	}
	return false;
}

static int
cmp_id(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/*
 * Every gid is collected (at most one per line, so bounded by the buffer),
 * then sorted and made unique: linear in the file, where a search for
 * duplicates on each add would be quadratic in a hostile one.
 */
int
userdb_grouplist(const char *buf, size_t len, const char *user,
    uint32_t gid, uint32_t **gids, size_t *n)
{
	struct span	 f[GR_N];
	uint32_t	*v = NULL, g;
	size_t		 nv = 0, cap = 0, i, k, off = 0;

	while (next_gr(buf, len, &off, f, &g)) {
		if (g == gid || !is_member(f[GR_MEM], user))
			continue;
		if (nv == cap) {
			cap = cap != 0 ? cap * 2 : 16;
			v = xreallocarray(v, cap, sizeof *v);
		}
		v[nv++] = g;
	}
	if (nv > 0)
		qsort(v, nv, sizeof *v, cmp_id);
	for (i = k = 0; i < nv; i++)
		if (k == 0 || v[i] != v[k - 1])
			v[k++] = v[i];
	if (k + 1 > USERDB_NGROUPS_MAX) {
		free(v);
		errno = E2BIG;
		return -1;
	}
	*gids = xreallocarray(NULL, k + 1, sizeof **gids);
	(*gids)[0] = gid;
	if (k > 0)
		memcpy(*gids + 1, v, k * sizeof *v);
	*n = k + 1;
	free(v);
	return 0;
}

/* ---- reading ------------------------------------------------------------- */

static int
read_all(int fd, char **buf, size_t *len)
{
	struct stat	 st;
	char		*p;
	size_t		 have = 0, cap;
	ssize_t		 r;

	if (fstat(fd, &st) == -1)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	if (st.st_size > USERDB_FILE_MAX) {
		errno = EFBIG;
		return -1;
	}
	/* One byte more than the limit tells a file that grew past it. */
	cap = (size_t)st.st_size + 1;
	p = xmalloc(cap + 1);
	for (;;) {
		if (have == cap) {
			if (cap > USERDB_FILE_MAX) {
				free(p);
				errno = EFBIG;
				return -1;
			}
			cap = cap * 2 < USERDB_FILE_MAX + 1 ? cap * 2 :
			    USERDB_FILE_MAX + 1;
			p = xrealloc(p, cap + 1);
		}
		r = read(fd, p + have, cap - have);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			free(p);
			return -1;
		}
		if (r == 0)
			break;
		have += (size_t)r;
	}
	p[have] = '\0';
	*buf = p;
	*len = have;
	return 0;
}

int
userdb_read(int dirfd, const char *path, char **buf, size_t *len)
{
	struct stat	st;
	int		fd, r, e;

	/* Looked at first, so that a device node is never opened (opening
	 * one can act); the fstat after the open is what decides. */
	if (fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return -1;
	if (S_ISLNK(st.st_mode)) {
		errno = ELOOP;
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	fd = openat(dirfd, path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC | O_NOCTTY);
	if (fd == -1)
		return -1;
	r = read_all(fd, buf, len);
	e = errno;
	close(fd);
	errno = e;
	return r;
}

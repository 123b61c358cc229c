/* SPDX-License-Identifier: ISC */
/*
 * util.c: the small helpers shared by supd and supctl -- allocators that
 * abort on OOM, the growable byte buffer and string vector, JSON string
 * escaping, clocks, mkdir -p, /proc/PID/stat fields, fd passing over Unix
 * sockets, ptys and fcntl helpers. The value parsers of the configuration
 * live in values.c.
 *
 * Nothing here logs or keeps state.
 */
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

static void oom(void) __attribute__((noreturn));

void	(*xalloc_failed)(void);

static void
oom(void)
{
	fprintf(stderr, "%s: out of memory\n", program_invocation_short_name);
	if (xalloc_failed != NULL)
		xalloc_failed();	/* PID 1 does not abort */
	abort();
}

void *
xmalloc(size_t size)
{
	void	*p;

	if ((p = malloc(size == 0 ? 1 : size)) == NULL)
		oom();
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void	*p;

	if (nmemb == 0 || size == 0)
		nmemb = size = 1;
	if ((p = calloc(nmemb, size)) == NULL)
		oom();
	return p;
}

void *
xrealloc(void *ptr, size_t size)
{
	void	*p;

	if ((p = realloc(ptr, size == 0 ? 1 : size)) == NULL)
		oom();
	return p;
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		oom();
	return xrealloc(ptr, nmemb * size);
}

char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		oom();
	return p;
}

char *
xstrndup(const char *s, size_t n)
{
	char	*p;

	if ((p = strndup(s, n)) == NULL)
		oom();
	return p;
}

char *
xasprintf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r == -1)
		oom();
	return s;
}

char *
errno_cause(const char *fmt, ...)
{
	va_list	 ap;
	char	*what, *s;
	int	 saved = errno;

	va_start(ap, fmt);
	if (vasprintf(&what, fmt, ap) == -1)
		oom();
	va_end(ap);
	s = xasprintf("%s: %s", what, strerror(saved));
	free(what);
	errno = saved;
	return s;
}

/* Make room for n more bytes plus the terminating NUL. */
static void
buf_grow(struct buf *b, size_t n)
{
	size_t	need, cap;

	if (n > SIZE_MAX - b->len - 1)
		oom();
	need = b->len + n + 1;
	if (b->p != NULL && need <= b->cap)
		return;
	cap = b->cap < 64 ? 64 : b->cap;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

void
buf_add(struct buf *b, const void *data, size_t n)
{
	buf_grow(b, n);
	if (n != 0)
		memcpy(b->p + b->len, data, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	ap;
	int	n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
buf_consume(struct buf *b, size_t n)
{
	if (b->p == NULL)
		return;
	if (n >= b->len)
		b->len = 0;
	else {
		memmove(b->p, b->p + n, b->len - n);
		b->len -= n;
	}
	b->p[b->len] = '\0';
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->p != NULL)
		b->p[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

void
buf_json_strv(struct buf *b, char *const *v)
{
	size_t	i;

	if (v == NULL) {
		buf_puts(b, "null");
		return;
	}
	buf_puts(b, "[");
	for (i = 0; v[i] != NULL; i++) {
		buf_puts(b, i ? "," : "");
		buf_json_str(b, v[i]);
	}
	buf_puts(b, "]");
}

void
buf_json_str(struct buf *b, const char *s)
{
	const unsigned char	*u;
	const char		*start;

	if (s == NULL) {
		buf_puts(b, "null");
		return;
	}
	buf_add(b, "\"", 1);
	for (start = s, u = (const unsigned char *)s; *u != '\0'; u++) {
		const char	*esc;
		char		 hex[8];

		switch (*u) {
		case '"':  esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\t': esc = "\\t"; break;
		case '\r': esc = "\\r"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		default:
			if (*u >= 0x20)
				continue;
			snprintf(hex, sizeof hex, "\\u%04x", *u);
			esc = hex;
			break;
		}
		/* Flush the run of plain bytes before this one. */
		buf_add(b, start, (const char *)u - start);
		buf_puts(b, esc);
		start = (const char *)u + 1;
	}
	buf_add(b, start, (const char *)u - start);
	buf_add(b, "\"", 1);
}

static void
strv_grow(struct strv *sv)
{
	if (sv->n + 1 < sv->cap)
		return;
	sv->cap = sv->cap < 8 ? 8 : sv->cap * 2;
	sv->v = xreallocarray(sv->v, sv->cap, sizeof *sv->v);
}

void
strv_push(struct strv *sv, const char *s)
{
	strv_take(sv, xstrdup(s));
}

void
strv_take(struct strv *sv, char *s)
{
	strv_grow(sv);
	sv->v[sv->n++] = s;
	sv->v[sv->n] = NULL;
}

void
strv_free(struct strv *sv)
{
	size_t	i;

	for (i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

char **
strv_dup(char *const *a)
{
	char	**v;
	size_t	  i, n;

	if (a == NULL)
		return NULL;
	for (n = 0; a[n] != NULL; n++)
		;
	v = xreallocarray(NULL, n + 1, sizeof *v);
	for (i = 0; i < n; i++)
		v[i] = xstrdup(a[i]);
	v[n] = NULL;
	return v;
}

void
strv_free_array(char **a)
{
	size_t	i;

	if (a == NULL)
		return;
	for (i = 0; a[i] != NULL; i++)
		free(a[i]);
	free(a);
}

uint64_t
now_ms(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void
fmt_rfc3339(char out[RFC3339_LEN])
{
	struct timespec	ts;
	struct tm	tm;
	char		date[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	if (strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		date[0] = '\0';
	snprintf(out, RFC3339_LEN, "%.19s.%03dZ", date,
	    (int)(ts.tv_nsec / 1000000));
}

int
set_nonblock(int fd)
{
	int	flags;

	if ((flags = fcntl(fd, F_GETFL)) == -1)
		return -1;
	if (flags & O_NONBLOCK)
		return 0;
	return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

int
set_cloexec(int fd)
{
	int	flags;

	if ((flags = fcntl(fd, F_GETFD)) == -1)
		return -1;
	if (flags & FD_CLOEXEC)
		return 0;
	return fcntl(fd, F_SETFD, flags | FD_CLOEXEC);
}

int
mkdir_p(const char *path, mode_t mode)
{
	char	*p = xstrdup(path), *s, c;
	int	 r = 0;

	for (s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		c = *s;
		*s = '\0';
		if (mkdir(p, c == '\0' ? mode : 0755) == -1 &&
		    errno != EEXIST) {
			r = -1;
			break;
		}
		*s = c;
		if (c == '\0')
			break;
	}
	free(p);
	return r;
}

bool
strv_has(const struct strv *sv, const char *s)
{
	size_t	i;

	for (i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return true;
	return false;
}

#define FD_MAX	8	/* fds carried by one message, at most */

ssize_t
fd_send(int sock, const void *p, size_t len, const int *fds, size_t nfds)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) * FD_MAX)];
	}		 cbuf;
	struct iovec	 iov = { (void *)p, len };
	struct msghdr	 msg = { 0 };
	struct cmsghdr	*cm;
	ssize_t		 n;

	if (nfds > FD_MAX) {
		errno = EINVAL;
		return -1;
	}
	memset(&cbuf, 0, sizeof cbuf);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf.buf;
	msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
	memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n == -1 && errno == EINTR);
	return n;
}

ssize_t
fd_recv(int sock, void *p, size_t len, int *fds, size_t max, size_t *nfds)
{
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int) * FD_MAX)];
	}		 cbuf;
	struct iovec	 iov = { p, len };
	struct msghdr	 msg = { 0 };
	struct cmsghdr	*cm;
	ssize_t		 n;
	size_t		 i, got;
	int		 fd;

	*nfds = 0;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf.buf;
	msg.msg_controllen = sizeof cbuf.buf;
	if ((n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) <= 0)
		return n;
	for (cm = CMSG_FIRSTHDR(&msg); cm != NULL; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		got = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < got; i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof fd);
			if (*nfds < max)
				fds[(*nfds)++] = fd;
			else
				close(fd);
		}
	}
	return n;
}

int
pty_open(int *master, int *slave, int slave_flags)
{
	char	*name;
	int	 m, saved;

	if ((m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) == -1)
		return -1;
	if (grantpt(m) == -1 || unlockpt(m) == -1 ||
	    (name = ptsname(m)) == NULL ||
	    (*slave = open(name, O_RDWR | O_NOCTTY | slave_flags)) == -1) {
		saved = errno;
		close(m);
		errno = saved;
		return -1;
	}
	*master = m;
	return 0;
}

int
proc_stat_field(pid_t pid, int field, unsigned long long *out)
{
	char	path[64], buf[1024], *p;
	ssize_t	n;
	int	fd, i;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	errno = EINVAL;
	if (n <= 0 || field < 3)
		return -1;
	buf[n] = '\0';
	/* The command name (field 2) may hold anything, spaces and ')'
	 * included: count from its last ')'. */
	if ((p = strrchr(buf, ')')) == NULL)
		return -1;
	for (i = 2; i < field && p != NULL; i++)
		p = strchr(p + 1, ' ');
	if (p == NULL)
		return -1;
	*out = strtoull(p + 1, NULL, 10);
	return 0;
}

void
close_pair(int p[2])
{
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
}

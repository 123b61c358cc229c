/* SPDX-License-Identifier: ISC */
/*
 * util.c: the small helpers shared by supd and supctl -- allocators that
 * abort on OOM, the growable byte buffer and string vector, JSON string
 * escaping, the value parsers of the configuration (durations, sizes,
 * booleans, signals, modes, numbers, argv splitting, env files), service
 * name checks, clocks and fcntl helpers.
 *
 * Nothing here logs or keeps state: parsers report through a static errstr
 * (strtonum(3) style) so the caller can name the file, line and key.
 */
#include <ctype.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

/* Highest signal number accepted by number (SIGRTMAX on Linux). */
#define SIGNAL_MAX	64
/* Durations above ten years are surely a typo. */
#define DURATION_MAX_MS	(10ULL * 365 * 24 * 3600 * 1000)

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

/*
 * Read the leading decimal digits of s into *v and point *end past them.
 * Returns the number of digits (0 if none), or -1 if the value overflowed.
 * Signs and spaces are not digits.
 */
static int
scan_digits(const char *s, uint64_t *v, const char **end)
{
	uint64_t	n = 0;
	int		digits = 0;
	bool		overflow = false;

	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		if (n > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			overflow = true;
		else
			n = n * 10 + (uint64_t)(*s - '0');
	}
	*v = n;
	*end = s;
	return overflow ? -1 : digits;
}

int
parse_duration(const char *s, uint64_t *ms, const char **errstr)
{
	static const struct {
		const char	*unit;
		uint64_t	 ms;
	} units[] = {
		{ "",	1000 },
		{ "ms",	1 },
		{ "s",	1000 },
		{ "m",	60 * 1000 },
		{ "h",	3600 * 1000 },
		{ "d",	24 * 3600 * 1000 },
	};
	const char	*end;
	uint64_t	 n;
	size_t		 i;
	int		 r;

	if ((r = scan_digits(s, &n, &end)) == 0) {
		*errstr = "invalid duration";
		return -1;
	}
	for (i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (strcmp(end, units[i].unit) == 0)
			break;
	}
	if (i == sizeof units / sizeof units[0]) {
		*errstr = "invalid duration";
		return -1;
	}
	if (r == -1 || n > DURATION_MAX_MS / units[i].ms) {
		*errstr = "too large";
		return -1;
	}
	*ms = n * units[i].ms;
	return 0;
}

int
parse_size(const char *s, uint64_t *bytes, const char **errstr)
{
	const char	*end;
	uint64_t	 n;
	int		 r, shift;

	if ((r = scan_digits(s, &n, &end)) == 0) {
		*errstr = "invalid size";
		return -1;
	}
	switch (*end) {
	case '\0':		shift = 0; break;
	case 'k': case 'K':	shift = 10; break;
	case 'm': case 'M':	shift = 20; break;
	case 'g': case 'G':	shift = 30; break;
	case 't': case 'T':	shift = 40; break;
	default:
		*errstr = "invalid size";
		return -1;
	}
	if (*end != '\0' && end[1] != '\0') {
		*errstr = "invalid size";
		return -1;
	}
	if (r == -1 || n > (UINT64_MAX >> shift)) {
		*errstr = "too large";
		return -1;
	}
	*bytes = n << shift;
	return 0;
}

int
parse_bool(const char *s, bool *b, const char **errstr)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t	i;

	for (i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*b = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*b = false;
			return 0;
		}
	}
	*errstr = "invalid boolean";
	return -1;
}

/* The first entry for a number is its canonical name. */
static const struct {
	const char	*name;
	int		 signo;
} signals[] = {
	{ "SIGHUP",	SIGHUP },
	{ "SIGINT",	SIGINT },
	{ "SIGQUIT",	SIGQUIT },
	{ "SIGILL",	SIGILL },
	{ "SIGTRAP",	SIGTRAP },
	{ "SIGABRT",	SIGABRT },
	{ "SIGIOT",	SIGABRT },
	{ "SIGBUS",	SIGBUS },
	{ "SIGFPE",	SIGFPE },
	{ "SIGKILL",	SIGKILL },
	{ "SIGUSR1",	SIGUSR1 },
	{ "SIGSEGV",	SIGSEGV },
	{ "SIGUSR2",	SIGUSR2 },
	{ "SIGPIPE",	SIGPIPE },
	{ "SIGALRM",	SIGALRM },
	{ "SIGTERM",	SIGTERM },
#ifdef SIGSTKFLT
	{ "SIGSTKFLT",	SIGSTKFLT },
#endif
	{ "SIGCHLD",	SIGCHLD },
	{ "SIGCONT",	SIGCONT },
	{ "SIGSTOP",	SIGSTOP },
	{ "SIGTSTP",	SIGTSTP },
	{ "SIGTTIN",	SIGTTIN },
	{ "SIGTTOU",	SIGTTOU },
	{ "SIGURG",	SIGURG },
	{ "SIGXCPU",	SIGXCPU },
	{ "SIGXFSZ",	SIGXFSZ },
	{ "SIGVTALRM",	SIGVTALRM },
	{ "SIGPROF",	SIGPROF },
	{ "SIGWINCH",	SIGWINCH },
	{ "SIGIO",	SIGIO },
#ifdef SIGPOLL
	{ "SIGPOLL",	SIGPOLL },
#endif
#ifdef SIGPWR
	{ "SIGPWR",	SIGPWR },
#endif
	{ "SIGSYS",	SIGSYS },
};

int
parse_signal(const char *s, int *signo, const char **errstr)
{
	const char	*end;
	uint64_t	 n;
	size_t		 i;
	int		 r;

	if (*s >= '0' && *s <= '9') {
		r = scan_digits(s, &n, &end);
		if (*end != '\0') {
			*errstr = "invalid signal";
			return -1;
		}
		if (r == -1 || n < 1 || n > SIGNAL_MAX) {
			*errstr = "signal out of range";
			return -1;
		}
		*signo = (int)n;
		return 0;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (i = 0; i < sizeof signals / sizeof signals[0]; i++) {
		if (strcasecmp(s, signals[i].name + 3) == 0) {
			*signo = signals[i].signo;
			return 0;
		}
	}
	*errstr = "unknown signal";
	return -1;
}

const char *
signal_name(int signo)
{
	size_t	i;

	for (i = 0; i < sizeof signals / sizeof signals[0]; i++) {
		if (signals[i].signo == signo)
			return signals[i].name;
	}
	return NULL;
}

int
parse_mode(const char *s, mode_t *mode, const char **errstr)
{
	unsigned int	n = 0;

	if (*s == '\0') {
		*errstr = "invalid mode";
		return -1;
	}
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '7') {
			*errstr = "invalid mode";
			return -1;
		}
		n = n * 8 + (unsigned int)(*s - '0');
		if (n > 0777) {
			*errstr = "too large";
			return -1;
		}
	}
	*mode = (mode_t)n;
	return 0;
}

int
parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *v,
    const char **errstr)
{
	const char	*end;
	uint64_t	 n;
	int		 r;

	if (*s == '\0' || strspn(s, "0123456789") != strlen(s)) {
		*errstr = "invalid number";
		return -1;
	}
	r = scan_digits(s, &n, &end);
	if (r == -1 || n > max) {
		*errstr = "too large";
		return -1;
	}
	if (n < min) {
		*errstr = "too small";
		return -1;
	}
	*v = n;
	return 0;
}

/*
 * Word splitting: a small state machine over the input. A word exists once
 * any character or quote pair was seen, so '' and "" give empty words.
 */
int
split_argv(const char *s, char ***argv, const char **errstr)
{
	struct strv	 words = { NULL, 0, 0 };
	struct buf	 w = { NULL, 0, 0 };
	bool		 inword = false;

	for (;;) {
		char	c = *s;

		if (c == '\0' || c == ' ' || c == '\t' || c == '\n') {
			if (inword) {
				strv_take(&words, w.p != NULL ? w.p :
				    xstrdup(""));
				w.p = NULL;
				w.len = w.cap = 0;
				inword = false;
			}
			if (c == '\0')
				break;
			s++;
			continue;
		}
		if (c == '\\' && s[1] == '\n') {
			/* Backslash-newline is a line continuation. */
			s += 2;
			continue;
		}
		inword = true;
		if (c == '\'') {
			const char	*q = strchr(s + 1, '\'');

			if (q == NULL) {
				*errstr = "unterminated quote";
				goto fail;
			}
			buf_add(&w, s + 1, q - (s + 1));
			s = q + 1;
		} else if (c == '"') {
			for (s++; *s != '"'; s++) {
				if (*s == '\0') {
					*errstr = "unterminated quote";
					goto fail;
				}
				if (*s == '\\' && s[1] == '\n') {
					s++;
					continue;
				}
				if (*s == '\\' && s[1] != '\0' &&
				    strchr("\\\"$`", s[1]) != NULL)
					s++;
				buf_add(&w, s, 1);
			}
			s++;
		} else if (c == '\\') {
			if (s[1] == '\0') {
				*errstr = "trailing backslash";
				goto fail;
			}
			buf_add(&w, s + 1, 1);
			s += 2;
		} else {
			buf_add(&w, s, 1);
			s++;
		}
	}
	if (words.n == 0) {
		*errstr = "empty command";
		goto fail;
	}
	*argv = words.v;
	return 0;

fail:
	buf_free(&w);
	strv_free(&words);
	return -1;
}

bool
env_key_valid(const char *s, size_t len)
{
	size_t	i;

	if (len == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (i = 1; i < len; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return false;
	}
	return true;
}

int
env_parse_line(const char *line, char **out, const char **errstr)
{
	const char	*eq, *val;
	size_t		 vlen;

	*out = NULL;
	line += strspn(line, " \t");
	if (*line == '\0' || *line == '#')
		return 0;
	if (strncmp(line, "export", 6) == 0 &&
	    (line[6] == ' ' || line[6] == '\t')) {
		line += 6;
		line += strspn(line, " \t");
	}
	if ((eq = strchr(line, '=')) == NULL) {
		*errstr = "expected KEY=VALUE";
		return -1;
	}
	if (!env_key_valid(line, eq - line)) {
		*errstr = "invalid variable name";
		return -1;
	}
	val = eq + 1;
	vlen = strlen(val);
	if (vlen >= 2 && (val[0] == '"' || val[0] == '\'') &&
	    val[vlen - 1] == val[0]) {
		val++;
		vlen -= 2;
	}
	*out = xasprintf("%.*s=%.*s", (int)(eq - line), line, (int)vlen, val);
	return 0;
}

int
env_load_file(const char *path, struct strv *out, char **cause)
{
	struct strv	 items = { NULL, 0, 0 };
	struct stat	 st;
	FILE		*f;
	char		*line = NULL, *kv;
	const char	*errstr;
	size_t		 size = 0, i, total = 0;
	ssize_t		 n;
	unsigned long	 lineno = 0;
	int		 rc = -1, fd;

	/* Not through a symlink, never a FIFO that would hang the loop,
	 * nor a file big enough to eat supd's memory. */
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1 || fstat(fd, &st) == -1) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > ENV_FILE_MAX) {
		*cause = xasprintf("%s: %s", path, !S_ISREG(st.st_mode) ?
		    "not a regular file" : "larger than 1 MiB");
		close(fd);
		return -1;
	}
	if ((f = fdopen(fd, "r")) == NULL) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	while ((n = getline(&line, &size, f)) != -1) {
		lineno++;
		if ((total += n) > ENV_FILE_MAX) {	/* it grew meanwhile */
			*cause = xasprintf("%s: larger than 1 MiB", path);
			goto out;
		}
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (memchr(line, '\0', n) != NULL) {
			*cause = xasprintf("%s:%lu: NUL byte in line", path,
			    lineno);
			goto out;
		}
		if (env_parse_line(line, &kv, &errstr) == -1) {
			*cause = xasprintf("%s:%lu: %s", path, lineno, errstr);
			goto out;
		}
		if (kv != NULL)
			strv_take(&items, kv);
	}
	if (ferror(f)) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		goto out;
	}
	/* All or nothing: a bad file leaves out untouched. */
	for (i = 0; i < items.n; i++) {
		strv_take(out, items.v[i]);
		items.v[i] = NULL;
	}
	items.n = 0;
	rc = 0;
out:
	strv_free(&items);
	free(line);
	fclose(f);
	return rc;
}

void
env_set(struct strv *env, const char *kv)
{
	const char	*eq;
	size_t		 klen, i;

	eq = strchr(kv, '=');
	klen = eq != NULL ? (size_t)(eq - kv) : strlen(kv);
	for (i = 0; i < env->n; i++) {
		if (strncmp(env->v[i], kv, klen) == 0 &&
		    (env->v[i][klen] == '=' || env->v[i][klen] == '\0')) {
			free(env->v[i]);
			env->v[i] = xstrdup(kv);
			return;
		}
	}
	strv_push(env, kv);
}

bool
name_valid(const char *s)
{
	size_t	i;

	if (!isalnum((unsigned char)s[0]))
		return false;
	for (i = 1; s[i] != '\0'; i++) {
		if (i >= 64)
			return false;
		if (!isalnum((unsigned char)s[i]) && s[i] != '_' &&
		    s[i] != '.' && s[i] != '-')
			return false;
	}
	return true;
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

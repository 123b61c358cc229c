/* SPDX-License-Identifier: ISC */
/*
 * values.c: the value parsers of the configuration -- durations, sizes,
 * booleans, signals (and their names back), modes, bounded numbers, argv
 * splitting, environment variable names, env file lines and files, and
 * service names. config.c reads every key's value through these; the control
 * server (ctl-verbs.c, ctl-follow.c) and supctl reuse the signal and number
 * parsers for their arguments.
 *
 * Nothing here logs or keeps state: parsers report through a static errstr
 * (strtonum(3) style) so the caller can name the file, line and key. The
 * generic helpers they build on (allocators, buffers, string vectors) are
 * util.c's.
 */
#include <ctype.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>
#include <unistd.h>

#include "util.h"
#include "values.h"

/* Highest signal number accepted by number (SIGRTMAX on Linux). */
#define SIGNAL_MAX	64
/* Durations above ten years are surely a typo. */
#define DURATION_MAX_MS	(10ULL * 365 * 24 * 3600 * 1000)

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

/* n digits exactly at s, as a number; -1 if one is not a digit. */
static int
fixed_digits(const char *s, int n)
{
	int	v = 0;

	for (; n > 0; n--, s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

int
parse_rfc3339(const char *s, int64_t *ms, const char **end,
    const char **errstr)
{
	struct tm	tm = { 0 };
	int64_t		frac = 0, scale = 1000, off = 0;
	int		hh, mm;

	if ((tm.tm_year = fixed_digits(s, 4)) < 1970 || s[4] != '-' ||
	    (tm.tm_mon = fixed_digits(s + 5, 2)) < 1 || tm.tm_mon > 12 ||
	    s[7] != '-' || (tm.tm_mday = fixed_digits(s + 8, 2)) < 1 ||
	    tm.tm_mday > 31 || (s[10] != 'T' && s[10] != 't' &&
	    s[10] != ' ') || (tm.tm_hour = fixed_digits(s + 11, 2)) < 0 ||
	    tm.tm_hour > 23 || s[13] != ':' ||
	    (tm.tm_min = fixed_digits(s + 14, 2)) < 0 || tm.tm_min > 59 ||
	    s[16] != ':' || (tm.tm_sec = fixed_digits(s + 17, 2)) < 0 ||
	    tm.tm_sec > 60) {
		*errstr = "not an RFC 3339 time";
		return -1;
	}
	s += 19;
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++)
			if (scale > 1) {
				scale /= 10;
				frac += (*s - '0') * scale;
			}
	}
	if (*s == 'Z' || *s == 'z')
		s++;
	else if ((*s == '+' || *s == '-') && (hh = fixed_digits(s + 1, 2)) >= 0
	    && s[3] == ':' && (mm = fixed_digits(s + 4, 2)) >= 0) {
		off = (hh * 60 + mm) * 60 * (*s == '+' ? 1 : -1);
		s += 6;
	} else {
		*errstr = "RFC 3339 time without Z or an offset";
		return -1;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*ms = ((int64_t)timegm(&tm) - off) * 1000 + frac;
	if (end != NULL)
		*end = s;
	return 0;
}

int
parse_log_time(const char *s, int64_t now, int64_t *ms,
    const char **errstr)
{
	const char	*end, *e;
	uint64_t	 n, d;

	if (parse_rfc3339(s, ms, &end, &e) == 0 && *end == '\0')
		return 0;
	if (scan_digits(s, &n, &end) > 0 && n < INT64_MAX / 1000 &&
	    (*end == '\0' || *end == '.')) {
		*ms = (int64_t)n * 1000;
		if (*end == '.' && end[1] >= '0' && end[1] <= '9')
			*ms += (end[1] - '0') * 100;
		return 0;
	}
	if (*s != '\0' && parse_duration(s, &d, &e) == 0) {
		*ms = now - (int64_t)d;
		return 0;
	}
	*errstr = "not a time (RFC 3339, unix seconds, or a duration: 10m)";
	return -1;
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

/*
 * CPUs as cgroup v2's cpu.max counts them: microseconds of CPU time per
 * 100 ms period (VALUES_CPU_PERIOD_US), so "0.5" is 50000 and "2" is
 * 200000. Five decimals are a whole microsecond; the kernel refuses a
 * quota under 1 ms, hence the least value 0.01.
 */
int
parse_cpus(const char *s, uint64_t *quota_us, const char **errstr)
{
	const char	*end, *frac;
	uint64_t	 whole, part = 0;
	int		 r, digits = 0;

	if ((r = scan_digits(s, &whole, &end)) == 0 && *end != '.')
		goto bad;
	if (*end == '.') {
		frac = end + 1;
		if ((digits = scan_digits(frac, &part, &end)) <= 0 ||
		    digits > 5)
			goto bad;
		for (; digits < 5; digits++)
			part *= 10;
	}
	if (*end != '\0')
		goto bad;
	if (r == -1 || whole > VALUES_CPUS_MAX) {
		*errstr = "too large";
		return -1;
	}
	*quota_us = whole * VALUES_CPU_PERIOD_US + part;
	if (*quota_us < VALUES_CPU_PERIOD_US / 100 ||
	    *quota_us > VALUES_CPUS_MAX * VALUES_CPU_PERIOD_US) {
		*errstr = *quota_us < VALUES_CPU_PERIOD_US / 100 ?
		    "must be at least 0.01" : "too large";
		return -1;
	}
	return 0;
bad:
	*errstr = "invalid number of CPUs";
	return -1;
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
		*cause = errno_cause("%s", path);
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
		*cause = errno_cause("%s", path);
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
		*cause = errno_cause("%s", path);
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

int
parse_listen(const char *v, struct sockaddr_storage *ss, socklen_t *len,
    const char **errstr)
{
	struct sockaddr_in	*sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)ss;
	const char		*colon, *e;
	char			 host[INET6_ADDRSTRLEN + 2];
	uint64_t		 port;
	size_t			 hl;
	bool			 v6 = v[0] == '[';

	colon = strrchr(v, ':');
	if (colon == NULL || (v6 && (colon == v || colon[-1] != ']'))) {
		*errstr = "must be ADDRESS:PORT or [IPV6]:PORT";
		return -1;
	}
	hl = (size_t)(colon - v) - (v6 ? 2 : 0);
	if (hl == 0 || hl >= sizeof host) {
		*errstr = "bad address (a numeric IPv4 or [IPv6] address)";
		return -1;
	}
	memcpy(host, v + (v6 ? 1 : 0), hl);
	host[hl] = '\0';
	if (parse_uint(colon + 1, 1, 65535, &port, &e) == -1) {
		*errstr = "port must be 1-65535";
		return -1;
	}
	memset(ss, 0, sizeof *ss);
	if (!v6 && inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		*len = sizeof *sin;
	} else if (v6 && inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		*len = sizeof *sin6;
	} else {
		*errstr = "bad address (a numeric IPv4 or [IPv6] address)";
		return -1;
	}
	return 0;
}

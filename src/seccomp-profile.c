/* SPDX-License-Identifier: ISC */
/*
 * seccomp-profile.c: reading a seccomp profile file (seccomp = PATH in
 * [isolation]) when the configuration is loaded, and the names of system
 * calls and errnos the configuration shows. One "SYSCALL [ERRNO]" per
 * line, resolved for the native ABI only (the filter covers no other,
 * seccomp.c); every bad line is an error of its own, with its line number.
 *
 * Apart from the filter (seccomp.c), which builds on config.h's struct
 * svc_conf, so that the configuration and the filter do not depend on each
 * other.
 */
#include <errno.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp-profile.h"
#include "values.h"

/* "EACCES" or "13" -> 13; 0 if neither. */
static int
errno_parse(const char *s)
{
	const char	*e;
	uint64_t	 n;
	int		 i;

	if (parse_uint(s, 1, 4095, &n, &e) == 0)
		return (int)n;
	for (i = 1; i < 4096; i++)
		if ((e = strerrorname_np(i)) != NULL && strcmp(e, s) == 0)
			return i;
	return 0;
}

const char *
sfilter_errno_str(int err, char *buf, size_t len)
{
	const char	*name = strerrorname_np(err);

	if (name != NULL)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%d", err);
	return buf;
}

char *
sfilter_syscall_name(int nr)
{
	return seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
}

/*
 * One line of a profile, its comment cut off: 1 with *d filled in, 0 if
 * it is blank, -1 with an allocated *cause.
 */
static int
read_line(char *line, struct sfilter_deny *d, const struct sfilter_deny *seen,
    size_t nseen, char **cause)
{
	char	*w[3] = { NULL, NULL, NULL }, *save = NULL, *hash;
	size_t	 i;

	if ((hash = strchr(line, '#')) != NULL)
		*hash = '\0';
	for (i = 0; i < 3; i++)
		if ((w[i] = strtok_r(i == 0 ? line : NULL, " \t\r\n",
		    &save)) == NULL)
			break;
	if (w[0] == NULL)
		return 0;
	*cause = NULL;
	if (w[2] != NULL)
		*cause = xasprintf("expected 'SYSCALL [ERRNO]'");
	else if ((d->nr = seccomp_syscall_resolve_name(w[0])) ==
	    __NR_SCMP_ERROR)
		*cause = xasprintf("unknown system call '%.60s'", w[0]);
	else if (d->nr < 0)
		*cause = xasprintf("'%.60s' is no system call of this "
		    "architecture", w[0]);
	else if (w[1] != NULL && (d->err = errno_parse(w[1])) == 0)
		*cause = xasprintf("unknown errno '%.60s' (a name like EACCES "
		    "or a number from 1 to 4095)", w[1]);
	if (*cause != NULL)
		return -1;
	if (w[1] == NULL)
		d->err = EPERM;
	for (i = 0; i < nseen; i++)
		if (seen[i].nr == d->nr) {
			*cause = xasprintf("'%s' is listed twice", w[0]);
			return -1;
		}
	return 1;
}

int
sfilter_read(const char *path, struct sfilter_deny **deny, size_t *n,
    struct strv *errs)
{
	struct sfilter_deny	*v = NULL, d;
	size_t			 nv = 0, size = 0, nerrs = errs->n;
	unsigned long		 lineno = 0;
	char			*line = NULL, *cause = NULL;
	ssize_t			 len;
	int			 r;
	FILE			*f;

	if ((f = fopen(path, "re")) == NULL) {
		strv_take(errs, errno_cause("%s", path));
		return -1;
	}
	while ((len = getline(&line, &size, f)) != -1) {
		lineno++;
		if (memchr(line, '\0', len) != NULL) {
			r = -1;
			cause = xstrdup("NUL byte in line");
		} else
			r = read_line(line, &d, v, nv, &cause);
		if (r == -1) {
			strv_take(errs, xasprintf("%s:%lu: %s", path, lineno,
			    cause));
			free(cause);
		} else if (r == 1) {
			v = xreallocarray(v, nv + 1, sizeof *v);
			v[nv++] = d;
		}
	}
	if (ferror(f))
		strv_take(errs, errno_cause("%s", path));
	free(line);
	fclose(f);
	if (errs->n > nerrs) {
		free(v);
		return -1;
	}
	*deny = v;
	*n = nv;
	return 0;
}

/* SPDX-License-Identifier: ISC */
/*
 * cgroup-limits.c: the cgroup v2 keys of [limits] as the interface files
 * of a service's group -- one table says each key's file, controller and
 * the kernel's default -- written to the group's directory fd before the
 * service's process is cloned into it, and again by a reload that changed
 * only them. Where a key's controller is not there (no tree at all, a
 * hybrid host, a controller not delegated), the service that asks for it
 * does not start, for one reason said here; `supd --check` warns.
 *
 * A write that lowers memory.max below what the group uses makes the
 * kernel reclaim before it returns: bounded, and what the user asked for.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-limits.h"
#include "cgroup.h"
#include "config.h"
#include "util.h"
#include "values.h"

static const struct {
	const char	*key;		/* in [limits] */
	const char	*file;		/* in the group */
	const char	*ctrl;		/* the controller that makes the file */
	const char	*def;		/* the kernel's default */
} cgl_files[CGL_N] = {
	[CGL_MEMORY] =		{ "memory", "memory.max", "memory", "max" },
	[CGL_MEMORY_HIGH] =	{ "memory_high", "memory.high", "memory",
				  "max" },
	[CGL_MEMORY_SWAP] =	{ "memory_swap", "memory.swap.max", "memory",
				  "max" },
	[CGL_CPUS] =		{ "cpus", "cpu.max", "cpu", "max 100000" },
	[CGL_CPU_WEIGHT] =	{ "cpu_weight", "cpu.weight", "cpu", "100" },
	[CGL_PIDS] =		{ "pids", "pids.max", "pids", "max" },
	[CGL_IO_WEIGHT] =	{ "io_weight", "io.weight", "io",
				  "default 100" },
};

/* Key i's value as its file takes it. */
static void
format_value(int i, uint64_t v, char *out, size_t len)
{
	char	num[24];

	if (v == CGL_MAX)
		snprintf(num, sizeof num, "max");
	else
		snprintf(num, sizeof num, "%" PRIu64, v);
	if (i == CGL_CPUS)
		snprintf(out, len, "%s %llu", num, VALUES_CPU_PERIOD_US);
	else if (i == CGL_IO_WEIGHT)
		snprintf(out, len, "default %s", num);
	else
		snprintf(out, len, "%s", num);
}

/* One whole value in one write, as kernfs wants it: 0, or -1 with errno. */
static int
write_file(int dirfd, const char *file, const char *text)
{
	size_t	len = strlen(text);
	ssize_t	n;
	int	fd, saved;

	if ((fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	n = write(fd, text, len);
	saved = errno;
	close(fd);
	if (n == (ssize_t)len)
		return 0;
	errno = n == -1 ? saved : EIO;
	return -1;
}

int
cgl_apply(int dirfd, const struct svc_conf *sc, struct cgl_held *held,
    char **cause)
{
	char		text[64];
	bool		given;
	unsigned	bit;
	int		i;

	for (i = 0; i < CGL_N; i++) {
		bit = 1u << i;
		given = sc->cgl.set & bit;
		if (!given && !(held->mask & bit))
			continue;	/* the kernel's default already */
		if (given)
			format_value(i, sc->cgl.val[i], text, sizeof text);
		if (write_file(dirfd, cgl_files[i].file, given ? text :
		    cgl_files[i].def) == 0 ||
		    /* No file: its controller is not the group's. That
		     * is only an error for a key that asked for it. */
		    (!given && errno == ENOENT)) {
			held->mask = given ? held->mask | bit :
			    held->mask & ~bit;
			held->val[i] = given ? sc->cgl.val[i] : CGL_MAX;
			continue;
		}
		*cause = errno_cause("%s", cgl_files[i].file);
		return -1;
	}
	return 0;
}

uint64_t
cgl_value(const struct cgl_held *held, int i)
{
	uint64_t	page = (uint64_t)sysconf(_SC_PAGESIZE);

	if (!(held->mask & (1u << i)) || held->val[i] == CGL_MAX)
		return CGL_MAX;
	/* The memory files count pages (mm/page_counter.c). */
	if (i == CGL_MEMORY || i == CGL_MEMORY_HIGH || i == CGL_MEMORY_SWAP)
		return held->val[i] / page * page;
	return held->val[i];
}

const char *
cgl_missing(const struct svc_conf *sc)
{
	int	i;

	for (i = 0; i < CGL_N; i++)
		if ((sc->cgl.set & (1u << i)) &&
		    (!cg_enabled() || !cg_has_controller(cgl_files[i].ctrl)))
			return cgl_files[i].ctrl;
	return NULL;
}

/* Why ctrl is not there: no tree at all, or not enabled in it. */
static const char *
missing_reason(void)
{
	const char	*why;

	if (cg_enabled())
		return "not enabled in supd's cgroup tree";
	why = cg_unavailable();
	return why != NULL ? why : "no cgroup v2 tree";
}

char *
cgl_unavailable(const struct svc_conf *sc)
{
	const char	*ctrl = cgl_missing(sc);

	if (ctrl == NULL)
		return NULL;
	return xasprintf("cgroup v2 %s controller not available: %s", ctrl,
	    missing_reason());
}

size_t
cgl_warnings(const struct svc_conf *sc, struct strv *out)
{
	const char	*ctrl;
	size_t		 n = 0;
	int		 i;

	for (i = 0; i < CGL_N; i++) {
		if (!(sc->cgl.set & (1u << i)))
			continue;
		ctrl = cgl_files[i].ctrl;
		if (cg_enabled() && cg_has_controller(ctrl))
			continue;
		strv_take(out, xasprintf("%s:%u: warning: %s: cgroup v2 %s "
		    "controller not available: %s (the service will not "
		    "start here)", sc->file, sc->cgl.line[i],
		    cgl_files[i].key, ctrl, missing_reason()));
		n++;
	}
	return n;
}

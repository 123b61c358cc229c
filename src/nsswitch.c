/* SPDX-License-Identifier: ISC */
/*
 * nsswitch.c: whether a lookup of a user or group stays on this machine.
 *
 * A lone child (spawn.c) looks up its `user`, `group` and `groups` while
 * supd is suspended until its exec. With only local sources in
 * /etc/nsswitch.conf (files and the like) that takes microseconds; with a
 * directory service (ldap, sss, winbind, nis...) it is a network round
 * trip that may stall for its timeout, and supd's loop with it. So the
 * lone path takes a named account only when the passwd, group and
 * initgroups databases are all local. The file is read again when its
 * stamp changes; read errors count as not local (the forked path is always
 * right, only slower).
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nsswitch.h"

#define NSSWITCH_CONF	"/etc/nsswitch.conf"

/* Sources that read files or a local daemon's socket, never a network. */
static const char *const local_sources[] = {
	"files", "compat", "db", "altfiles", "systemd", "extrausers",
};

static bool
local_source(const char *s, size_t len)
{
	size_t	i;

	for (i = 0; i < sizeof local_sources / sizeof *local_sources; i++)
		if (strlen(local_sources[i]) == len &&
		    strncmp(local_sources[i], s, len) == 0)
			return true;
	return false;
}

/* Are all sources of one `database: sources` line local? Action items
 * ([NOTFOUND=return]) are not sources. */
static bool
line_local(const char *p)
{
	size_t	n;

	for (;;) {
		p += strspn(p, " \t");
		if (*p == '\0' || *p == '\n' || *p == '#')
			return true;
		if (*p == '[') {
			if ((p = strchr(p, ']')) == NULL)
				return false;
			p++;
			continue;
		}
		n = strcspn(p, " \t\n#[");
		if (!local_source(p, n))
			return false;
		p += n;
	}
}

static bool
read_local(const char *path)
{
	static const char *const dbs[] = { "passwd", "group", "initgroups" };
	char	 line[1024];
	FILE	*f;
	size_t	 i, n;
	bool	 local = true;

	if ((f = fopen(path, "re")) == NULL)
		return false;
	while (local && fgets(line, sizeof line, f) != NULL) {
		if (strchr(line, '\n') == NULL && !feof(f)) {
			local = false;	/* a line longer than we read */
			break;
		}
		for (i = 0; i < sizeof dbs / sizeof *dbs; i++) {
			n = strlen(dbs[i]);
			if (strncmp(line, dbs[i], n) == 0 &&
			    line[n + strspn(line + n, " \t")] == ':')
				local = line_local(strchr(line, ':') + 1);
		}
	}
	if (ferror(f))
		local = false;
	fclose(f);
	return local;
}

bool
nss_accounts_local(void)
{
	static struct stat	seen;
	static bool		cached, local;
	const char		*path = NSSWITCH_CONF;
	struct stat		st;

#ifdef SUPD_TEST_FAULTS
	/* Test builds only (spawn.bats): another file in its place. */
	if (getenv("SUPD_TEST_NSSWITCH") != NULL)
		path = getenv("SUPD_TEST_NSSWITCH");
#endif
	if (stat(path, &st) == -1)
		return errno == ENOENT;	/* none: glibc's defaults, local */
	if (cached && st.st_dev == seen.st_dev && st.st_ino == seen.st_ino &&
	    st.st_size == seen.st_size &&
	    st.st_mtim.tv_sec == seen.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == seen.st_mtim.tv_nsec)
		return local;
	local = read_local(path);
	seen = st;
	cached = true;
	return local;
}

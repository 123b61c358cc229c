/* SPDX-License-Identifier: ISC */
/*
 * cgroup-kill.c: a group by its files -- reading and writing an interface
 * file of a group's directory fd, ending every process of a group
 * (cgroup.kill; where the kernel has none, freeze, SIGKILL each pid of it
 * and of its subgroups, thaw), removing a group and the groups a service
 * made under it, and, before the loop runs, waiting for a group to empty.
 * cgroup.c owns the tree and the groups; this file owns no state.
 */
#include <sys/inotify.h>
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup-kill.h"
#include "util.h"

/* Rounds of the kill fallback: a fork racing the freeze is caught next. */
#define KILL_ROUNDS		8

long long
cgk_events_value(const char *text, const char *key)
{
	size_t		 klen = strlen(key);
	const char	*p = text;
	char		*end;
	long long	 v;

	while (p != NULL && *p != '\0') {
		if (strncmp(p, key, klen) == 0 && p[klen] == ' ') {
			/* Digits only: strtoll would take " +1" too. */
			if (!isdigit((unsigned char)p[klen + 1]))
				return -1;
			errno = 0;
			v = strtoll(p + klen + 1, &end, 10);
			if (errno == 0 && end != p + klen + 1 && v >= 0 &&
			    (*end == '\n' || *end == '\0'))
				return v;
			return -1;
		}
		if ((p = strchr(p, '\n')) != NULL)
			p++;
	}
	return -1;
}

/* A whole small file of dirfd; its length, or -1 with errno. */
ssize_t
cgk_read_at(int dirfd, const char *file, char *buf, size_t len)
{
	ssize_t	n;
	int	fd, saved;

	if ((fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, len - 1);
	saved = errno;
	close(fd);
	errno = saved;
	if (n >= 0)
		buf[n] = '\0';
	return n;
}

/* Write a value to an interface file of dirfd; -1 with errno. */
int
cgk_write_at(int dirfd, const char *file, const char *v)
{
	ssize_t	n;
	int	fd, saved;

	if ((fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	n = write(fd, v, strlen(v));
	saved = errno;
	close(fd);
	errno = saved;
	return n == (ssize_t)strlen(v) ? 0 : -1;
}

/* SIGKILL each pid of the group and of its subgroups; how many. */
static int
kill_listed(int dirfd)
{
	char		 buf[65536], *p, *end;
	struct dirent	*e;
	DIR		*d;
	long		 pid;
	int		 n = 0, sub;

	if (cgk_read_at(dirfd, "cgroup.procs", buf, sizeof buf) > 0)
		for (p = buf; *p != '\0'; p = end) {
			pid = strtol(p, &end, 10);
			if (end == p)
				break;
			if (pid > 0 && kill((pid_t)pid, SIGKILL) == 0)
				n++;
			while (*end == '\n')
				end++;
		}
	if ((sub = dup(dirfd)) == -1 || (d = fdopendir(sub)) == NULL) {
		if (sub != -1)
			close(sub);
		return n;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		if ((sub = openat(dirfd, e->d_name, O_DIRECTORY |
		    O_CLOEXEC)) >= 0) {
			n += kill_listed(sub);
			close(sub);
		}
	}
	closedir(d);
	return n;
}

/*
 * Kernels before 5.14 have no cgroup.kill: freeze (no fork escapes the
 * listing), SIGKILL every pid listed until a round finds none, thaw (the
 * killed then exit; a frozen task leaves the freezer for a fatal signal).
 */
static int
kill_fallback(int dirfd)
{
	int	i, saved;

	if (cgk_write_at(dirfd, "cgroup.freeze", "1") == -1)
		return -1;
	for (i = 0; i < KILL_ROUNDS && kill_listed(dirfd) > 0; i++)
		;
	saved = errno;
	(void)cgk_write_at(dirfd, "cgroup.freeze", "0");
	errno = saved;
	return 0;
}

int
cgk_kill(int dirfd)
{
	bool	no_kill = false;

#ifdef SUPD_TEST_FAULTS
	/* Test builds only (faults.bats, cgroup.bats): a kernel without
	 * cgroup.kill, for the fallback. */
	no_kill = getenv("SUPD_TEST_NO_CGROUP_KILL") != NULL;
#endif
	if (!no_kill && cgk_write_at(dirfd, "cgroup.kill", "1") == 0)
		return 0;
	if (!no_kill && errno != ENOENT)
		return -1;
	return kill_fallback(dirfd);
}

/* rmdir a group and the groups a service made under it, deepest first. */
int
cgk_remove(int parent, const char *name)
{
	struct dirent	*e;
	DIR		*d;
	int		 fd;

	if ((fd = openat(parent, name, O_DIRECTORY | O_CLOEXEC)) >= 0) {
		if ((d = fdopendir(fd)) == NULL)
			close(fd);
		else {
			while ((e = readdir(d)) != NULL)
				if (e->d_type == DT_DIR && e->d_name[0] != '.')
					(void)cgk_remove(dirfd(d),
					    e->d_name);
			closedir(d);
		}
	}
	return unlinkat(parent, name, AT_REMOVEDIR);
}

bool
cgk_populated(int dirfd)
{
	char	buf[256];

	return cgk_read_at(dirfd, "cgroup.events", buf, sizeof buf) > 0 &&
	    cgk_events_value(buf, "populated") == 1;
}

/*
 * Before the loop: wait until the group under dirfd is empty, on an
 * inotify fd of its own, until deadline (monotonic ms). true if empty.
 */
bool
cgk_wait_empty(int dirfd, const char *path, uint64_t deadline)
{
	struct pollfd	 p;
	char		*ev, buf[4096];
	uint64_t	 now;
	int		 fd;
	bool		 empty;

	if ((fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1)
		return !cgk_populated(dirfd);
	ev = xasprintf("%s/cgroup.events", path);
	(void)inotify_add_watch(fd, ev, IN_MODIFY);
	free(ev);
	p = (struct pollfd){ .fd = fd, .events = POLLIN };
	while (!(empty = !cgk_populated(dirfd)) && (now = now_ms()) < deadline)
		if (poll(&p, 1, (int)(deadline - now)) > 0)
			while (read(fd, buf, sizeof buf) > 0)
				;
	close(fd);
	return empty;
}

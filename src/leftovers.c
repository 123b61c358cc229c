/* SPDX-License-Identifier: ISC */
/*
 * leftovers.c: what a previous supd left running.
 *
 * A service's first process dies with supd (PR_SET_PDEATHSIG), and with a
 * pid namespace everything in it dies with that process. What can survive
 * a supd killed with SIGKILL is what a service without a pid namespace
 * left in its process group (supd's children are session and group
 * leaders); a pid namespace's first process checks that supd is still
 * there once it will die with it (spawn.c, die_with_parent). So each spawn
 * of a service without a pid namespace is recorded in state_dir/run/NAME
 * as
 *
 *	PID STARTTIME BOOT_ID
 *
 * (written to a temporary name and renamed, so a record is whole or
 * absent), and removed when the process is reaped. A supd that starts
 * reads the records a dead one left and SIGKILLs each group:
 *  - the record is from this boot (pids of another boot mean nothing);
 *  - if a process has the pid now, it must have the recorded start time
 *    (else the pid was reused: left alone);
 *  - if none has, the group may still exist with its leader gone: a group
 *    id stays reserved while it has members, so it can only be ours.
 * No fsync: the records describe processes, which a crash of the machine
 * ends anyway. Later, a cgroup per service makes this exact.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leftovers.h"
#include "log.h"
#include "util.h"

static int	run_dir = -1;		/* state_dir/run */
static char	boot_id[40];

static void
read_boot_id(void)
{
	ssize_t	n;
	int	fd;

	if ((fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY |
	    O_CLOEXEC)) == -1)
		return;
	n = read(fd, boot_id, sizeof boot_id - 1);
	close(fd);
	boot_id[n > 0 ? n : 0] = '\0';
	boot_id[strcspn(boot_id, "\n")] = '\0';
}

/* Field 22 of /proc/PID/stat: start time in clock ticks since boot, or 0. */
static unsigned long long
start_time(pid_t pid)
{
	unsigned long long	t;

	return proc_stat_field(pid, 22, &t) == -1 ? 0 : t;
}

/* End what one record names; true if something was alive. */
static int
end_one(const char *name, const char *rec)
{
	unsigned long long	start, now;
	char			boot[40];
	int			pid;

	if (sscanf(rec, "%d %llu %39s", &pid, &start, boot) != 3 ||
	    pid <= 1 || strcmp(boot, boot_id) != 0)
		return 0;
	now = start_time(pid);
	if (now != 0 && now != start)
		return 0;		/* the pid is someone else's now */
	if (kill(-pid, SIGKILL) == -1 && (now == 0 || kill(pid, SIGKILL) ==
	    -1))
		return 0;
	log_info("%s: process group %d left by a previous supd: killed",
	    name, pid);
	return 1;
}

int
leftovers_end(const char *state_dir)
{
	char		*dir = xasprintf("%s/run", state_dir), rec[128];
	struct dirent	*de;
	DIR		*d;
	ssize_t		 n;
	int		 fd, dfd, found = 0;

	read_boot_id();
	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		log_warn("%s", dir);
	if ((run_dir = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		log_warn("%s (leftovers of a killed supd will not be found)",
		    dir);
		free(dir);
		return 0;
	}
	free(dir);
	if ((dfd = dup(run_dir)) == -1 || (d = fdopendir(dfd)) == NULL) {
		if (dfd != -1)
			close(dfd);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		/* A record half made (.NAME) names nothing yet. */
		if (de->d_name[0] != '.' && (fd = openat(run_dir, de->d_name,
		    O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)) != -1) {
			n = read(fd, rec, sizeof rec - 1);
			close(fd);
			rec[n > 0 ? n : 0] = '\0';
			found += end_one(de->d_name, rec);
		}
		(void)unlinkat(run_dir, de->d_name, 0);
	}
	closedir(d);
	return found;
}

void
leftovers_record(const char *name, pid_t pid)
{
	char	tmp[96], rec[128];
	int	fd, len;

	if (run_dir == -1)
		return;
	len = snprintf(rec, sizeof rec, "%d %llu %s\n", (int)pid,
	    start_time(pid), boot_id);
	snprintf(tmp, sizeof tmp, ".%s", name);
	if ((fd = openat(run_dir, tmp, O_WRONLY | O_CREAT | O_TRUNC |
	    O_NOFOLLOW | O_CLOEXEC, 0600)) == -1) {
		log_warn("%s: run record", name);
		return;
	}
	if (write(fd, rec, len) != len) {
		log_warn("%s: run record", name);
		close(fd);
		(void)unlinkat(run_dir, tmp, 0);
		return;
	}
	if (close(fd) == -1 || renameat(run_dir, tmp, run_dir, name) == -1) {
		log_warn("%s: run record", name);
		(void)unlinkat(run_dir, tmp, 0);
	}
}

void
leftovers_forget(const char *name)
{
	if (run_dir != -1 && unlinkat(run_dir, name, 0) == -1 &&
	    errno != ENOENT)
		log_warn("%s: run record", name);
}

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
 * of a service without a pid namespace is recorded in a slot of one file,
 * state_dir/run/records:
 *
 *	PID STARTTIME BOOT_ID NAME\n	(padded with NULs to LO_SLOT bytes)
 *
 * written with one pwrite (a slot never straddles a page, so a reader sees
 * it whole or not at all) and emptied (NULs) when the process is reaped. One file, not one per service: creating and removing
 * a file at every start cost more than the start itself on a busy ext4
 * (its inode allocator skips every recently deleted inode; bench/README.md,
 * start-1000). A supd that starts reads the records a dead one left
 * (and the one-file-per-service records of older versions), SIGKILLs each
 * group, and empties the file:
 *  - the record is from this boot (pids of another boot mean nothing);
 *  - if a process has the pid now, it must have the recorded start time
 *    (else the pid was reused: left alone);
 *  - if none has, the group may still exist with its leader gone: a group
 *    id stays reserved while it has members, so it can only be ours.
 * No fsync: the records describe processes, which a crash of the machine
 * ends anyway. With a cgroup per service the group is the record.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "leftovers.h"
#include "log.h"
#include "util.h"

#define LO_SLOT		256		/* bytes a record */
#define LO_FILE		"records"

static int	run_dir = -1;		/* state_dir/run */
static int	rec_fd = -1;		/* state_dir/run/records */
static char	boot_id[40];
static bool	*used;			/* slots in use */
static size_t	 nused;			/* ...of that many known */

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

/* The records of the file, each slot on its own; then the file is empty. */
static int
end_slots(const char *dir)
{
	char	rec[LO_SLOT + 1], name[LO_SLOT];
	off_t	off = 0;
	int	found = 0, at;

	while (pread(rec_fd, rec, LO_SLOT, off) == LO_SLOT) {
		off += LO_SLOT;
		rec[LO_SLOT] = '\0';
		if (rec[0] == '\0')
			continue;
		name[0] = '\0';
		at = 0;
		if (sscanf(rec, "%*d %*u %*s %n", &at) >= 0 && at > 0)
			snprintf(name, sizeof name, "%.*s", (int)strcspn(rec +
			    at, "\n"), rec + at);
		found += end_one(name[0] != '\0' ? name : "?", rec);
	}
	if (ftruncate(rec_fd, 0) == -1)
		log_warn("%s/%s", dir, LO_FILE);
	return found;
}

/* Records of an older supd: one file a service, named after it. */
static int
end_files(void)
{
	char		 rec[128];
	struct dirent	*de;
	DIR		*d;
	ssize_t		 n;
	int		 fd, dfd, found = 0;

	if ((dfd = dup(run_dir)) == -1 || (d = fdopendir(dfd)) == NULL) {
		if (dfd != -1)
			close(dfd);
		return 0;
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    strcmp(de->d_name, LO_FILE) == 0)
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

int
leftovers_end(const char *state_dir)
{
	char	*dir = xasprintf("%s/run", state_dir);
	int	 found;

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
	found = end_files();
	if ((rec_fd = openat(run_dir, LO_FILE, O_RDWR | O_CREAT | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1)
		log_warn("%s/%s (leftovers of a killed supd will not be found)",
		    dir, LO_FILE);
	else
		found += end_slots(dir);
	free(dir);
	return found;
}

/* The lowest free slot, marked used. */
static size_t
slot_take(void)
{
	size_t	i, n;

	for (i = 0; i < nused && used[i]; i++)
		;
	if (i == nused) {
		n = nused == 0 ? 64 : nused * 2;
		used = xrealloc(used, n * sizeof *used);
		memset(used + nused, 0, (n - nused) * sizeof *used);
		nused = n;
	}
	used[i] = true;
	return i;
}

void
leftovers_record(unsigned *slot, const char *name, pid_t pid)
{
	char	rec[LO_SLOT];
	int	len;

	if (rec_fd == -1)
		return;
	if (*slot == 0)
		*slot = slot_take() + 1;
	memset(rec, 0, sizeof rec);
	len = snprintf(rec, sizeof rec, "%d %llu %s %s", (int)pid,
	    start_time(pid), boot_id, name);
	/* A name too long for the slot is cut: it only names the kill. */
	if (len >= LO_SLOT - 1)
		len = LO_SLOT - 2;
	rec[len] = '\n';
	if (pwrite(rec_fd, rec, LO_SLOT, (off_t)(*slot - 1) * LO_SLOT) !=
	    LO_SLOT)
		log_warn("%s: run record", name);
}

void
leftovers_forget(unsigned *slot, const char *name)
{
	static const char	empty[LO_SLOT];

	if (*slot == 0 || rec_fd == -1)
		return;
	if (pwrite(rec_fd, empty, LO_SLOT, (off_t)(*slot - 1) * LO_SLOT) !=
	    LO_SLOT)
		log_warn("%s: run record", name);
	used[*slot - 1] = false;
	*slot = 0;
}

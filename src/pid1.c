/* SPDX-License-Identifier: ISC */
/*
 * pid1.c: what supd owes the system when it is PID 1. It mounts the file
 * systems an init provides when they are missing, and it never exits: a
 * condition that would end another daemon (no memory, no event loop) ends
 * here in pid1_hang(), which logs and keeps reaping, because the kernel
 * panics when PID 1 dies (systemd learnt it in #7783: a frozen PID 1 must
 * still reap).
 */
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <mntent.h>
#include <time.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "pid1.h"
#include "util.h"
#include "values.h"

/* The inode of the initial pid namespace (include/linux/proc_ns.h). */
#define PROC_PID_INIT_INO	0xEFFFFFFCU

bool
pid1(void)
{
	return getpid() == 1;
}

bool
pid1_machine(void)
{
	struct stat	st;

	return pid1() && stat("/proc/self/ns/pid", &st) == 0 &&
	    st.st_ino == PROC_PID_INIT_INO;
}

/* A mount point already: its device differs from its parent's. */
static bool
mounted(const char *path)
{
	struct stat	st, parent;
	char		up[64];

	if (stat(path, &st) == -1)
		return false;
	snprintf(up, sizeof up, "%s/..", path);
	if (stat(up, &parent) == -1)
		return false;
	return st.st_dev != parent.st_dev || st.st_ino == parent.st_ino;
}

static bool
empty_or_missing(const char *path)
{
	DIR		*d;
	struct dirent	*de;
	bool		 empty = true;

	if ((d = opendir(path)) == NULL)
		return errno == ENOENT;
	while (empty && (de = readdir(d)) != NULL)
		empty = strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0;
	closedir(d);
	return empty;
}

void
pid1_mounts(void)
{
	static const struct {
		const char	*path, *type, *src, *data;
		unsigned long	 flags;
	} m[] = {
		{ "/proc", "proc", "proc", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC },
		{ "/sys", "sysfs", "sysfs", NULL, MS_NOSUID | MS_NODEV | MS_NOEXEC },
		{ "/dev", "devtmpfs", "devtmpfs", "mode=0755", MS_NOSUID },
		{ "/dev/pts", "devpts", "devpts", "mode=0620,ptmxmode=0666",
		    MS_NOSUID | MS_NOEXEC },
		{ "/dev/shm", "tmpfs", "shm", "mode=1777", MS_NOSUID | MS_NODEV },
		{ "/run", "tmpfs", "run", "mode=0755", MS_NOSUID | MS_NODEV },
		{ "/sys/fs/cgroup", "cgroup2", "cgroup2", NULL,
		    MS_NOSUID | MS_NODEV | MS_NOEXEC },
	};
	size_t	i;

	for (i = 0; i < sizeof m / sizeof *m; i++) {
		/* In a container, never over something: the runtime may have
		 * put files there, or this may be the host's mount namespace.
		 * A machine's PID 1 has nothing to protect (an initramfs /dev
		 * holds only the kernel's console node). /proc comes first: that
		 * is how a machine is told from a container. */
		if (mounted(m[i].path) ||
		    (!pid1_machine() && !empty_or_missing(m[i].path)))
			continue;
		if (mkdir_p(m[i].path, 0755) == -1) {
			log_warn("pid 1: mkdir %s", m[i].path);
			continue;
		}
		if (mount(m[i].src, m[i].path, m[i].type, m[i].flags,
		    m[i].data) == -1)
			log_warn("pid 1: mount %s on %s", m[i].type, m[i].path);
		else
			log_info("pid 1: mounted %s on %s", m[i].type,
			    m[i].path);
	}
}

void
pid1_hang(const char *why)
{
	sigset_t	all;
	int		sig;

	log_errx("pid 1: %s; not exiting, only reaping from now on", why);
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (;;) {
		if (waitpid(-1, NULL, 0) == -1 && errno == ECHILD)
			(void)sigwait(&all, &sig);	/* until a child exists */
	}
}

void
pid1_machine_init(void)
{
	if (reboot(RB_DISABLE_CAD) == -1)
		log_warn("pid 1: reboot(RB_DISABLE_CAD)");
}

/* Reap what has ended; true once nothing is left. */
static bool
reap_all(void)
{
	pid_t	p;

	while ((p = waitpid(-1, NULL, WNOHANG)) > 0)
		;
	return p == -1 && errno == ECHILD;
}

/* Send sig to every process but us, then reap for up to ms. */
static void
kill_everything(int sig, unsigned ms)
{
	struct timespec	ts = { 0, 20 * 1000 * 1000 };
	unsigned	waited;

	if (kill(-1, sig) == -1 && errno != ESRCH)
		log_warn("pid 1: kill(-1, %s)", signal_name(sig));
	for (waited = 0; !reap_all() && waited < ms; waited += 20)
		nanosleep(&ts, NULL);
}

/* Every file system read-only, deepest first; what is busy is left. */
static void
remount_all_ro(void)
{
	struct mntent	*m;
	FILE		*f;
	char		**dirs = NULL;
	size_t		 n = 0, i;

	if ((f = setmntent("/proc/self/mounts", "re")) == NULL)
		return;
	while ((m = getmntent(f)) != NULL) {
		dirs = xreallocarray(dirs, n + 1, sizeof *dirs);
		dirs[n++] = xstrdup(m->mnt_dir);
	}
	endmntent(f);
	for (i = n; i-- > 0;) {
		if (mount(NULL, dirs[i], NULL, MS_REMOUNT | MS_RDONLY, NULL) ==
		    -1 && errno != EINVAL && errno != EBUSY && errno != EROFS &&
		    errno != EACCES && errno != ENOENT)
			log_warn("pid 1: remount %s read-only", dirs[i]);
		free(dirs[i]);
	}
	free(dirs);
}

void
pid1_finish(enum pid1_end how)
{
	static const char *const names[] = { "exit", "power off", "reboot",
	    "halt" };
	int	cmd = how == END_REBOOT ? RB_AUTOBOOT : how == END_HALT ?
		    RB_HALT_SYSTEM : RB_POWER_OFF;

	log_info("pid 1: stopping every process left, then %s", names[how]);
	kill_everything(SIGTERM, 2000);
	kill_everything(SIGKILL, 1000);
	sync();
	remount_all_ro();
	sync();
	log_info("pid 1: %s", names[how]);
	reboot(cmd);
	pid1_hang("reboot(2) failed");
}

/*
 * A crash of PID 1 is a kernel panic. As PID 1, a fatal signal (a bug in
 * supd) is written to stderr and the process stays, reaping, for as long as
 * the machine runs: the services keep running without their supervisor, and
 * the line says why. Only async-signal-safe calls here.
 */
static void
crash_cb(int sig)
{
	static const char	msg[] = "error supd: pid 1: fatal signal; "
	    "not exiting, only reaping from now on\n";
	sigset_t		all;

	(void)sig;
	/* Where every other line goes: fd 2 itself may be a file at offset
	 * 0 (never written through, log.c appends through its own open), or
	 * a pipe to a stalled reader that would block the reaping below. */
	log_raw(msg, sizeof msg - 1);
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	for (;;)
		if (waitpid(-1, NULL, 0) == -1 && errno == ECHILD)
			pause();
}

void
pid1_crash_guard(void)
{
	static const int	sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGFPE,
	    SIGABRT, SIGSYS };
	static char		stack[16384];
	struct sigaction	sa;
	stack_t			ss = { .ss_sp = stack, .ss_size = sizeof stack };
	size_t			i;

	(void)sigaltstack(&ss, NULL);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = crash_cb;
	sa.sa_flags = SA_ONSTACK;
	sigfillset(&sa.sa_mask);
	for (i = 0; i < sizeof sigs / sizeof *sigs; i++)
		(void)sigaction(sigs[i], &sa, NULL);
}

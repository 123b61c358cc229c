/* SPDX-License-Identifier: ISC */
/*
 * spawn-steps.c: steps of a service's child between clone and exec that
 * spawn.c's paths share (spawn-steps.h) -- signal dispositions back to
 * the default, the fds closed, the exec through PATH.
 *
 * They run in a child that may share supd's memory until its exec
 * (CLONE_VM | CLONE_VFORK, spawn.c): whatever they allocate and do not free
 * before the exec stays in supd for good. So nothing here allocates: the
 * buffers are on the child's stack.
 */
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/asan_interface.h>
#endif

#include "optlib.h"
#include "spawn-report.h"
#include "spawn-steps.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC	(1U << 2)
#endif

/* The kernel's struct sigaction, for the raw system call. */
struct ksigaction {
	void		*handler;
	unsigned long	 flags;
	void		*restorer;
	uint64_t	 mask;
};

static uint64_t	sig_changed;	/* bit sig-1: not SIG_DFL in supd */
static bool	sig_known;	/* sig_changed was looked at... */
static unsigned	sig_libs;	/* ...with this many optional libraries */

/*
 * Which dispositions of supd's are not the default: SIGPIPE, which supd
 * ignores, and whatever was ignored by whoever started supd (a background
 * job has SIGINT and SIGQUIT ignored). supd installs no handler (libev
 * reads signals through signalfd), but a library may. The raw system
 * call, because glibc's sigaction() refuses the two real-time signals it
 * reserves (32 and 33), and an ignored disposition of those would
 * otherwise pass on to every service.
 */
static void
scan_signals(void)
{
	struct ksigaction	ksa;
	int			sig;

	sig_changed = 0;
	for (sig = 1; sig < NSIG && sig <= 64; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (syscall(SYS_rt_sigaction, sig, NULL, &ksa,
		    sizeof ksa.mask) == 0 && ksa.handler == SIG_DFL)
			continue;
		sig_changed |= 1ULL << (sig - 1);
	}
	sig_known = true;
	sig_libs = optlib_loaded();
}

/* Once: supd's dispositions are all set before its first spawn (SIGPIPE
 * ignored in daemon_setup, after spawn_init); again after an optional
 * library was loaded, whose constructors may have set some. */
void
spawn_signals_prepare(void)
{
	if (!sig_known || sig_libs != optlib_loaded())
		scan_signals();
}

void
spawn_child_signals(void)
{
	struct ksigaction	ksa;
	sigset_t		set;
	int			sig;

	memset(&ksa, 0, sizeof ksa);
	ksa.handler = SIG_DFL;
	for (sig = 1; sig <= 64; sig++)
		if (sig_changed & (1ULL << (sig - 1)))
			(void)syscall(SYS_rt_sigaction, sig, &ksa, NULL,
			    sizeof ksa.mask);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
}

/* Close fds lo..hi, or with at_exec mark them close-on-exec: they go at
 * the exec, after a vfork parent is released. A kernel without
 * CLOSE_RANGE_CLOEXEC (before 5.11) says EINVAL: then they close now. */
static void
range_off(unsigned lo, unsigned hi, bool at_exec)
{
	if (at_exec && (syscall(SYS_close_range, lo, hi,
	    CLOSE_RANGE_CLOEXEC) == 0 || errno != EINVAL))
		return;
	(void)syscall(SYS_close_range, lo, hi, 0);
}

static int
cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

void
spawn_close_except(int report_fd, int **keep, size_t nkeep, bool at_exec)
{
	int	fds[nkeep + 1], lo = 3;
	size_t	i, n = 0;

	if (report_fd >= 0)
		fds[n++] = report_fd;
	for (i = 0; i < nkeep; i++)
		if (*keep[i] >= 0)
			fds[n++] = *keep[i];
	qsort(fds, n, sizeof *fds, cmp_int);
	for (i = 0; i < n; i++) {
		if (fds[i] > lo)
			range_off(lo, fds[i] - 1, at_exec);
		if (fds[i] + 1 > lo)
			lo = fds[i] + 1;
	}
	range_off(lo, ~0U, at_exec);
}

static const char *
env_get(char *const *env, const char *key)
{
	size_t	len = strlen(key);

	for (; *env != NULL; env++)
		if (strncmp(*env, key, len) == 0 && (*env)[len] == '=')
			return *env + len + 1;
	return NULL;
}

void
spawn_child_exec(char *const *argv, char *const *env)
{
	const char	*path, *p, *end;
	size_t		 alen = strlen(argv[0]), dlen;
	int		 err = ENOENT;

	if (strchr(argv[0], '/') != NULL) {
		execve(argv[0], argv, env);
		spawn_fail(STEP_EXEC, errno, argv[0]);
	}
	if ((path = env_get(env, "PATH")) == NULL)
		path = SPAWN_DEFAULT_PATH;
	/* The candidates on the stack: no allocation outlives the exec. */
	char	full[strlen(path) + alen + 3];

	for (p = path; ; p = end + 1) {
		end = strchrnul(p, ':');
		/* An empty entry is the current directory. */
		dlen = end == p ? 1 : (size_t)(end - p);
		memcpy(full, end == p ? "." : p, dlen);
		full[dlen] = '/';
		memcpy(full + dlen + 1, argv[0], alen + 1);
		execve(full, argv, env);
		/* Keep the most telling error, as execvp does. */
		if (errno != ENOENT && errno != ENOTDIR)
			err = errno;
		if (*end == '\0')
			break;
	}
	spawn_fail(STEP_EXEC, err, argv[0]);
}

void
spawn_stack_reclaim(void *stack, size_t size)
{
#ifdef __SANITIZE_ADDRESS__
	__asan_unpoison_memory_region(stack, size);
#else
	(void)stack;
	(void)size;
#endif
}

void
spawn_make_workdir(const char *dir)
{
	char	p[PATH_MAX], *c;

	if (access(dir, F_OK) == 0 || errno != ENOENT)
		return;		/* there, or chdir will say why not */
	if (snprintf(p, sizeof p, "%s", dir) >= (int)sizeof p)
		spawn_fail(STEP_WORKDIR, ENAMETOOLONG, dir);
	for (c = p + 1; ; c++) {
		if (*c != '/' && *c != '\0')
			continue;
		*c = '\0';
		/* In the root just entered: a symlink of the image's is
		 * followed inside it, as any path of the service's. */
		if (mkdir(p, 0755) == -1 && errno != EEXIST)
			spawn_fail(STEP_WORKDIR, errno, dir);
		if (c == p + strlen(dir))
			break;
		*c = '/';
	}
}

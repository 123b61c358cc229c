/* SPDX-License-Identifier: ISC */
/*
 * sc_probe: try system calls the seccomp filter may deny, with harmless
 * arguments, for tests/integration/seccomp.bats. Each is made through
 * syscall(2) and printed as NAME=RESULT, RESULT being "ok", the errno's name
 * (EPERM, EINVAL ...), or for the calls made in a child that may be killed,
 * the signal that killed it (SIGSYS).
 *
 * The arguments are chosen so that the kernel itself, for root with every
 * capability, fails with something other than EPERM (a missing path, a bad
 * fd, bad flags) or succeeds without changing anything: EPERM then means the
 * filter.
 *
 *   sc_probe [-m DIR] [-s] [-c] [NAME[=RESULT]...]
 *     no NAME      every probe but mount_tmpfs and parent
 *     parent       the Seccomp field of the parent's /proc/PID/status
 *                  (0 none, 2 a filter): parent=N
 *     -m DIR       mount_tmpfs mounts a tmpfs on DIR and unmounts it
 *     -s           then sleep for ever (a service to exec into)
 *     -c           check: print nothing but mismatches; exit 1 if a probe
 *                  given as NAME=RESULT gave anything else
 *   a last line sc_probe=done follows the results.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NOPATH	"/nonexistent/sc-probe"

static const char *mount_dir;

/* Result of a call returning -1/errno: "ok" or the errno's name. */
static const char *
res(long r)
{
	static char	buf[32];
	const char	*name;

	if (r != -1)
		return "ok";
	if ((name = strerrorname_np(errno)) != NULL)
		return name;
	snprintf(buf, sizeof buf, "E%d", errno);
	return buf;
}

/* Run fn in a child: "ok" if it exits 0, the errno it exits with, or the
 * signal that killed it (another ABI's call is killed by the filter). */
static const char *
in_child(long (*fn)(void))
{
	static char	buf[32];
	int		st;
	long		r;
	pid_t		pid;

	fflush(stdout);
	if ((pid = fork()) == -1)
		return res(-1);
	if (pid == 0) {
		/* A fault kills the child, as it would unsanitized: not a
		 * sanitizer's handler, which would exit 1 (EPERM here). The
		 * kernel's struct, past libc and ASan's interceptors. */
		struct { void (*h)(int); unsigned long flags; void *restorer;
		    unsigned long mask; } dfl = { SIG_DFL, 0, NULL, 0 };

		(void)syscall(SYS_rt_sigaction, SIGSEGV, &dfl, NULL,
		    sizeof dfl.mask);
		r = fn();
		_exit(r == -1 ? errno : 0);
	}
	if (waitpid(pid, &st, 0) == -1)
		return res(-1);
	if (WIFSIGNALED(st)) {
		snprintf(buf, sizeof buf, "SIG%s", sigabbrev_np(WTERMSIG(st)));
		return buf;
	}
	if (WEXITSTATUS(st) == 0)
		return "ok";
	errno = WEXITSTATUS(st);
	return res(-1);
}

static long
x32_getpid(void)
{
	return syscall(0x40000000 | SYS_getpid);
}

static long
i386_getpid(void)
{
#if defined(__x86_64__)
	long	r = 20;		/* getpid on i386 */

	__asm__ volatile ("int $0x80" : "+a"(r) : : "memory");
	if (r < 0 && r > -4096) {
		errno = -r;
		return -1;
	}
	return 0;
#else
	errno = ENOSYS;
	return -1;
#endif
}

static long
unshare_uts(void)
{
	return syscall(SYS_unshare, CLONE_NEWUTS);
}

/* clone with flags, the child exits at once; the parent waits for it. */
static long
clone_flags(unsigned long flags)
{
	long	pid;
	int	st;

	fflush(stdout);
	pid = syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid(pid, &st, 0);
	return pid == -1 ? -1 : 0;
}

static long
mount_tmpfs(void)
{
	if (mount_dir == NULL) {
		errno = EDESTADDRREQ;
		return -1;
	}
	if (syscall(SYS_mount, "sc-probe", mount_dir, "tmpfs", 0L,
	    "size=16k") == -1)
		return -1;
	return syscall(SYS_umount2, mount_dir, 0L);
}

static long
personality_noaslr(void)
{
	long	old = syscall(SYS_personality, 0xffffffffUL), r;

	r = syscall(SYS_personality, 0x0040000UL);	/* ADDR_NO_RANDOMIZE */
	if (r != -1)
		syscall(SYS_personality, old);
	return r;
}

static long
probe(const char *name)
{
#define P(n, call)	if (strcmp(name, n) == 0) return (call)
	P("mount", syscall(SYS_mount, NULL, NOPATH, "tmpfs", 0L, NULL));
	P("mount_tmpfs", mount_tmpfs());
	P("umount2", syscall(SYS_umount2, NOPATH, 0L));
	P("pivot_root", syscall(SYS_pivot_root, NOPATH, NOPATH));
	P("open_tree", syscall(SYS_open_tree, AT_FDCWD, NOPATH, 0L));
	P("move_mount", syscall(SYS_move_mount, -1, NOPATH, -1, NOPATH, 0L));
	P("fsopen", syscall(SYS_fsopen, "sc-probe-nofs", 0L));
	P("fsconfig", syscall(SYS_fsconfig, -1, 0L, NULL, NULL, 0L));
	P("fsmount", syscall(SYS_fsmount, -1, 0L, 0L));
	P("fspick", syscall(SYS_fspick, -1, NOPATH, 0L));
	P("mount_setattr", syscall(SYS_mount_setattr, -1, NOPATH, 0L, NULL,
	    0L));
	P("unshare", syscall(SYS_unshare, CLONE_VFORK));
	P("setns", syscall(SYS_setns, -1, 0L));
	P("clone", clone_flags(CLONE_NEWNS | CLONE_FS));
	P("clone_uts", clone_flags(CLONE_NEWUTS));
	P("clone3", syscall(SYS_clone3, NULL, 0L));
	P("keyctl", syscall(SYS_keyctl, 9999L, 0L, 0L, 0L, 0L));
	P("add_key", syscall(SYS_add_key, NULL, NULL, NULL, 0L, 0L));
	P("request_key", syscall(SYS_request_key, NULL, NULL, NULL, 0L));
	P("bpf", syscall(SYS_bpf, 9999L, NULL, 0L));
	P("perf_event_open", syscall(SYS_perf_event_open, NULL, 0L, -1L, -1L,
	    0L));
	P("kexec_load", syscall(SYS_kexec_load, 0L, 0L, NULL, 0xdead0000L));
	P("init_module", syscall(SYS_init_module, NULL, 0L, ""));
	P("finit_module", syscall(SYS_finit_module, -1, "", 0L));
	P("delete_module", syscall(SYS_delete_module, "sc_probe_none", 0L));
	P("reboot", syscall(SYS_reboot, 0xdeadbeefL, 0L, 0L, NULL));
	P("swapon", syscall(SYS_swapon, NOPATH, 0L));
	P("swapoff", syscall(SYS_swapoff, NOPATH));
	P("acct", syscall(SYS_acct, NOPATH));
	P("open_by_handle_at", syscall(SYS_open_by_handle_at, -1, NULL, 0L));
	P("userfaultfd", syscall(SYS_userfaultfd, 0x7fff0000L));
	P("io_uring_setup", syscall(SYS_io_uring_setup, 0L, NULL));
	P("syslog", syscall(SYS_syslog, 9999L, NULL, 0L));
	P("settimeofday", syscall(SYS_settimeofday, NULL, NULL));
	P("clock_settime", syscall(SYS_clock_settime, 9999L, NULL));
	P("kcmp", syscall(SYS_kcmp, (long)getpid(), (long)getpid(), 9999L, 0L,
	    0L));
	P("pidfd_getfd", syscall(SYS_pidfd_getfd, -1, 0L, 0L));
	P("iopl", syscall(SYS_iopl, 4L));
	P("ioperm", syscall(SYS_ioperm, 0L, 0L, 1L));
	P("get_mempolicy", syscall(SYS_get_mempolicy, NULL, NULL, 0L, NULL,
	    0L));
	P("chroot", syscall(SYS_chroot, NOPATH));
	P("sethostname", syscall(SYS_sethostname, "x", 9999L));
	P("personality", personality_noaslr());
	P("personality_query", syscall(SYS_personality, 0xffffffffUL));
	P("uname", syscall(SYS_uname, NULL));
	P("getpid", syscall(SYS_getpid));
#undef P
	errno = ENOENT;
	return -2;
}

static const char *const all[] = {
	"mount", "umount2", "pivot_root", "open_tree", "move_mount", "fsopen",
	"fsconfig", "fsmount", "fspick", "mount_setattr", "unshare",
	"unshare_uts", "setns", "clone", "clone_uts", "clone3", "keyctl",
	"add_key", "request_key", "bpf", "perf_event_open", "kexec_load",
	"init_module", "finit_module", "delete_module", "reboot", "swapon",
	"swapoff", "acct", "open_by_handle_at", "userfaultfd",
	"io_uring_setup", "syslog", "settimeofday", "clock_settime", "kcmp",
	"pidfd_getfd", "iopl", "ioperm", "get_mempolicy", "chroot",
	"sethostname", "personality", "personality_query", "uname", "x32",
	"i386", NULL,
};

/* The Seccomp mode of our parent (an init under supd), or "none". */
static const char *
parent_seccomp(void)
{
	static char	buf[32];
	char		path[64], line[256];
	FILE		*f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)getppid());
	if ((f = fopen(path, "r")) == NULL)
		return res(-1);
	snprintf(buf, sizeof buf, "none");
	while (fgets(line, sizeof line, f) != NULL)
		if (sscanf(line, "Seccomp: %31s", buf) == 1)
			break;
	fclose(f);
	return buf;
}

/* A probe's result as printed. The calls made in a child report how the
 * child ended (its signal) rather than an errno. */
static const char *
run(const char *name)
{
	static long (*const kids[])(void) = { x32_getpid, i386_getpid,
	    unshare_uts };
	static const char *const kid_names[] = { "x32", "i386", "unshare_uts" };
	size_t	i;
	long	r;

	for (i = 0; i < sizeof kids / sizeof *kids; i++)
		if (strcmp(name, kid_names[i]) == 0)
			return in_child(kids[i]);
	if (strcmp(name, "parent") == 0)
		return parent_seccomp();
	if ((r = probe(name)) == -2)
		return "unknown-probe";
	return res(r);
}

int
main(int argc, char **argv)
{
	const char	*got, *want;
	char		*name;
	int		 opt, check = 0, sleep_after = 0, bad = 0, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((opt = getopt(argc, argv, "m:sc")) != -1) {
		switch (opt) {
		case 'm':
			mount_dir = optarg;
			break;
		case 's':
			sleep_after = 1;
			break;
		case 'c':
			check = 1;
			break;
		default:
			return 2;
		}
	}
	for (i = 0; optind + i < argc || (optind == argc && all[i] != NULL);
	    i++) {
		name = strdup(optind == argc ? all[i] : argv[optind + i]);
		want = NULL;
		if (strchr(name, '=') != NULL) {
			want = strchr(name, '=') + 1;
			*strchr(name, '=') = '\0';
		}
		got = run(name);
		if (want != NULL && strcmp(got, want) != 0) {
			bad = 1;
			printf("%s=%s (expected %s)\n", name, got, want);
		} else if (!check)
			printf("%s=%s\n", name, got);
		free(name);
	}
	if (!check)
		printf("sc_probe=done\n");
	while (sleep_after)
		pause();
	return bad;
}

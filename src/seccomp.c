/* SPDX-License-Identifier: ISC */
/*
 * seccomp.c: the system call filter of [isolation] seccomp -- building it
 * in supd and loading it in the service's process, the last step before
 * exec. A profile file is read when the configuration is loaded
 * (seccomp-profile.c).
 *
 * The filter is a deny list over an allowed default, built with libseccomp
 * for the native ABI only. A call through another ABI (i386's int 0x80 or
 * an x32 number on x86_64) kills the process (SIGSYS): none of the denials
 * would match its numbers, so letting it through would let everything
 * through.
 *
 * The default profile is docker's (moby/profiles, seccomp/default.json)
 * turned around: docker allows a list and denies the rest, and allows some
 * calls only to a container that keeps the capability governing them (mount
 * with CAP_SYS_ADMIN). Here the calls docker keeps from its containers are
 * listed with those capabilities, and a denial is left out of the filter
 * when the process keeps one of them: a service that may mount anyway gains
 * nothing from a filter refusing mount. Calls docker refuses even with every
 * capability (keyctl, userfaultfd, io_uring, swapon, kexec_load ...) are
 * always denied. Denied calls fail with EPERM, as in docker; clone3 fails
 * with ENOSYS, so that libc falls back to clone, whose flags the filter can
 * read.
 *
 * A service's init (and supctl exec's) loads the profile too, for itself,
 * before it starts the command: a command allowed to ptrace its PID 1
 * could otherwise make it run what the filter denies. The command inherits
 * that filter and loads its own on top: the init keeps at least the
 * command's capabilities, so its filter denies no more than the command's
 * (a profile file's denials spare what the command does before its own
 * filter, init_calls), and the two together are the command's.
 *
 * What the default profile denies depends on the capabilities the service's
 * process ends up with, which only that process knows for sure (a `user` is
 * looked up inside its root). supd builds the filter it expects before each
 * spawn (kept built, see struct sfilter_prog), and the process loads it if it was
 * right, or else builds its own with libseccomp, which is correct but costs
 * it ~0.6 ms.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>

#include <sys/mman.h>

#include <errno.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "seccomp.h"
#include "spawn-report.h"

#define NOCAP	-1

/*
 * The default profile: each call is denied unless the process keeps `cap`
 * or `cap2`; NOCAP for both: always denied. Names this libseccomp does not
 * know, or that are no system call of this architecture, are skipped.
 */
static const struct {
	const char	*name;
	int		 cap, cap2;
} default_denials[] = {
	/* Mounts, the new mount API, namespaces, and what else the kernel
	 * guards with CAP_SYS_ADMIN. docker never allows pivot_root; with
	 * mount allowed it adds nothing, and nested sandboxes need it. */
	{ "mount", CAP_SYS_ADMIN, NOCAP },
	{ "umount", CAP_SYS_ADMIN, NOCAP },
	{ "umount2", CAP_SYS_ADMIN, NOCAP },
	{ "pivot_root", CAP_SYS_ADMIN, NOCAP },
	{ "move_mount", CAP_SYS_ADMIN, NOCAP },
	{ "open_tree", CAP_SYS_ADMIN, NOCAP },
	{ "fsopen", CAP_SYS_ADMIN, NOCAP },
	{ "fsconfig", CAP_SYS_ADMIN, NOCAP },
	{ "fsmount", CAP_SYS_ADMIN, NOCAP },
	{ "fspick", CAP_SYS_ADMIN, NOCAP },
	{ "mount_setattr", CAP_SYS_ADMIN, NOCAP },
	{ "unshare", CAP_SYS_ADMIN, NOCAP },
	{ "setns", CAP_SYS_ADMIN, NOCAP },
	{ "fanotify_init", CAP_SYS_ADMIN, NOCAP },
	{ "lookup_dcookie", CAP_SYS_ADMIN, NOCAP },
	{ "quotactl", CAP_SYS_ADMIN, NOCAP },
	{ "quotactl_fd", CAP_SYS_ADMIN, NOCAP },
	{ "sethostname", CAP_SYS_ADMIN, NOCAP },
	{ "setdomainname", CAP_SYS_ADMIN, NOCAP },
	{ "bpf", CAP_SYS_ADMIN, CAP_BPF },
	{ "perf_event_open", CAP_SYS_ADMIN, CAP_PERFMON },
	{ "syslog", CAP_SYS_ADMIN, CAP_SYSLOG },
	/* One capability each. */
	{ "reboot", CAP_SYS_BOOT, NOCAP },
	{ "init_module", CAP_SYS_MODULE, NOCAP },
	{ "finit_module", CAP_SYS_MODULE, NOCAP },
	{ "delete_module", CAP_SYS_MODULE, NOCAP },
	{ "acct", CAP_SYS_PACCT, NOCAP },
	{ "settimeofday", CAP_SYS_TIME, NOCAP },
	{ "stime", CAP_SYS_TIME, NOCAP },
	{ "clock_settime", CAP_SYS_TIME, NOCAP },
	{ "clock_settime64", CAP_SYS_TIME, NOCAP },
	{ "kcmp", CAP_SYS_PTRACE, NOCAP },
	{ "pidfd_getfd", CAP_SYS_PTRACE, NOCAP },
	{ "process_madvise", CAP_SYS_PTRACE, NOCAP },
	{ "open_by_handle_at", CAP_DAC_READ_SEARCH, NOCAP },
	{ "iopl", CAP_SYS_RAWIO, NOCAP },
	{ "ioperm", CAP_SYS_RAWIO, NOCAP },
	{ "get_mempolicy", CAP_SYS_NICE, NOCAP },
	{ "set_mempolicy", CAP_SYS_NICE, NOCAP },
	{ "set_mempolicy_home_node", CAP_SYS_NICE, NOCAP },
	{ "mbind", CAP_SYS_NICE, NOCAP },
	{ "migrate_pages", CAP_SYS_NICE, NOCAP },
	{ "move_pages", CAP_SYS_NICE, NOCAP },
	{ "chroot", CAP_SYS_CHROOT, NOCAP },
	{ "vhangup", CAP_SYS_TTY_CONFIG, NOCAP },
	/* Always: the kernel keyring is not namespaced, userfaultfd and
	 * io_uring are favourite exploit tools, swap and kexec act on the
	 * whole machine, the rest is obsolete. */
	{ "keyctl", NOCAP, NOCAP },
	{ "add_key", NOCAP, NOCAP },
	{ "request_key", NOCAP, NOCAP },
	{ "userfaultfd", NOCAP, NOCAP },
	{ "io_uring_setup", NOCAP, NOCAP },
	{ "io_uring_enter", NOCAP, NOCAP },
	{ "io_uring_register", NOCAP, NOCAP },
	{ "swapon", NOCAP, NOCAP },
	{ "swapoff", NOCAP, NOCAP },
	{ "kexec_load", NOCAP, NOCAP },
	{ "kexec_file_load", NOCAP, NOCAP },
	{ "nfsservctl", NOCAP, NOCAP },
	{ "_sysctl", NOCAP, NOCAP },
	{ "uselib", NOCAP, NOCAP },
	{ "ustat", NOCAP, NOCAP },
	{ "sysfs", NOCAP, NOCAP },
	{ "vm86", NOCAP, NOCAP },
	{ "vm86old", NOCAP, NOCAP },
};

/* clone(2) flags that make a namespace (CLONE_NEWTIME only in clone3). */
static const uint32_t ns_flags[] = {
	CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWUSER, CLONE_NEWPID,
	CLONE_NEWNET, CLONE_NEWCGROUP,
};

/* The personas docker allows: PER_LINUX (0), PER_LINUX32, UNAME26, both;
 * and 0xffffffff, which only asks for the current one. */
#define PERSONAS	(0x0008U | 0x20000U)
#define PER_QUERY	0xffffffffU

/* ---- the filter --------------------------------------------------------- */

#define CAPBIT(c)	(1ULL << (c))

/* clone(2)'s flags are its first argument, but on s390 its second. */
#if defined(__s390__) || defined(__s390x__)
#define CLONE_FLAGS_ARG	1
#else
#define CLONE_FLAGS_ARG	0
#endif

static int
deny_name(scmp_filter_ctx ctx, const char *name, int err)
{
	int	nr = seccomp_syscall_resolve_name(name);

	if (nr < 0)
		return 0;	/* not here, or unknown to this libseccomp */
	return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err), nr, 0);
}

/* The default profile for a process that keeps `kept` (bit N: cap N). */
static int
add_default(scmp_filter_ctx ctx, uint64_t kept)
{
	const uint32_t	 hi = 0x80000000U;
	uint32_t	 bit;
	size_t		 i;
	int		 r = 0, c1, c2;

	for (i = 0; i < sizeof default_denials / sizeof *default_denials &&
	    r == 0; i++) {
		c1 = default_denials[i].cap;
		c2 = default_denials[i].cap2;
		if ((c1 == NOCAP || !(kept & CAPBIT(c1))) &&
		    (c2 == NOCAP || !(kept & CAPBIT(c2))))
			r = deny_name(ctx, default_denials[i].name, EPERM);
	}
	if (!(kept & CAPBIT(CAP_SYS_ADMIN))) {
		/* clone with any namespace flag (only the low 32 bits of
		 * the flags count); clone3 passes them in memory. */
		for (i = 0; i < sizeof ns_flags / sizeof *ns_flags && r == 0;
		    i++)
			r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
			    SCMP_SYS(clone), 1, SCMP_CMP32(CLONE_FLAGS_ARG,
			    SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]));
		if (r == 0)
			r = deny_name(ctx, "clone3", ENOSYS);
	}
	/*
	 * personality(2) outside PERSONAS and PER_QUERY. A rule compares an
	 * argument once, so "none of them" is spelled with masks on the low
	 * 32 bits (all the kernel reads): a bit outside PERSONAS set while
	 * bit 31 is clear, or bit 31 set while another bit is clear.
	 */
	for (bit = 1; bit != hi && r == 0; bit <<= 1) {
		if (!(bit & PERSONAS))
			r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
			    SCMP_SYS(personality), 1,
			    SCMP_A0_32(SCMP_CMP_MASKED_EQ, bit | hi, bit));
		if (r == 0)
			r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM),
			    SCMP_SYS(personality), 1,
			    SCMP_A0_32(SCMP_CMP_MASKED_EQ, bit | hi, hi));
	}
	return r;
}

/* The capabilities the process can hold after exec (see seccomp.h); an
 * init execs nothing but the reaper: the ones it holds. */
static uint64_t
kept_caps(const struct iso_conf *iso, bool init)
{
	struct __user_cap_header_struct	hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct	data[2];
	uint64_t			kept = 0;
	int				c;

	if (init || iso->no_new_privs) {
		if (syscall(SYS_capget, &hdr, data) == -1)
			spawn_fail(STEP_SECCOMP, errno, "capget");
		return data[0].permitted | (uint64_t)data[1].permitted << 32;
	}
	/* setuid programs and file capabilities may raise any of these. */
	for (c = 0; c < 64; c++)
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
			kept |= CAPBIT(c);
	return iso->caps_set ? kept & iso->caps : kept;
}

/* What an init does once its filter is loaded (spawn.c, reaper.c), and
 * what its command does under that filter until it loads its own (its
 * identity, workdir and exec: spawn.c's command_main): a profile file does
 * not take these from an init's filter; the command's own denies them. */
static const char *const init_calls[] = {
	"close", "write", "read", "fcntl", "dup2", "execveat", "prctl",
	"rt_sigprocmask", "rt_sigtimedwait", "rt_sigreturn", "kill", "wait4",
	"exit", "exit_group", "clone", "capget", "capset",
	"setpgid", "ioctl", "getpid", "getppid", "getuid", "getgid",
	"setgroups", "setuid", "setgid", "setresuid", "setresgid", "fchownat",
	"openat", "newfstatat", "fstat", "lseek", "mmap", "munmap", "brk",
	"dup3", "chdir", "getcwd", "seccomp", "execve",
};

static bool
init_needs(int nr)
{
	size_t	i;

	for (i = 0; i < sizeof init_calls / sizeof *init_calls; i++)
		if (seccomp_syscall_resolve_name(init_calls[i]) == nr)
			return true;
	return false;
}

/*
 * The filter for iso and a process keeping `kept` (an init's if `init`),
 * in a libseccomp context. Returns a negative errno on failure.
 */
static int
build(const struct iso_conf *iso, uint64_t kept, bool init,
    scmp_filter_ctx *out)
{
	scmp_filter_ctx	 ctx;
	size_t		 i;
	int		 r;

	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL)
		return -ENOMEM;
	/* no_new_privileges is the service's own key, set or not by
	 * iso_identity; errors as the kernel gives them; a binary tree of
	 * system call numbers rather than a list to walk on every call. */
	if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0)) == 0 &&
	    (r = seccomp_attr_set(ctx, SCMP_FLTATR_API_SYSRAWRC, 1)) == 0 &&
	    (r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) == 0 &&
	    (r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS)) == 0) {
		if (iso->seccomp == SFILTER_DEFAULT)
			r = add_default(ctx, kept);
		for (i = 0; iso->seccomp == SFILTER_FILE &&
		    i < iso->seccomp_ndeny && r == 0; i++)
			if (!init || !init_needs(iso->seccomp_deny[i].nr))
				r = seccomp_rule_add(ctx,
				    SCMP_ACT_ERRNO(iso->seccomp_deny[i].err),
				    iso->seccomp_deny[i].nr, 0);
	}
	if (r < 0) {
		seccomp_release(ctx);
		return r;
	}
	*out = ctx;
	return 0;
}

/*
 * Built filters that supd keeps, so that a start costs the child one
 * seccomp(2) call instead of the ~0.6 ms libseccomp takes to build one
 * there. Keyed by profile and, for the default one, the capabilities kept,
 * for a profile file whether it is an init's; a few slots reused in turn
 * (reloads may leave stale ones behind).
 */
struct sfilter_prog {
	enum sfilter_profile	 profile;	/* SFILTER_UNCONFINED: free slot */
	struct sfilter_deny	*deny;		/* SFILTER_FILE: a copy */
	size_t			 ndeny;
	bool			 init;		/* SFILTER_FILE: an init's */
	uint64_t		 kept;		/* SFILTER_DEFAULT: built for */
	struct sock_filter	*insns;
	unsigned short		 len;
};
#define NPROGS	16
static struct sfilter_prog	 progs[NPROGS];
static size_t		 progs_next;
/* What the command [0] and the init [1] of the coming spawn are likely to
 * need, or NULL. */
static const struct sfilter_prog *prepared[2];

static bool
prog_matches(const struct sfilter_prog *p, const struct iso_conf *iso, uint64_t kept,
    bool init)
{
	if (p->profile != iso->seccomp)
		return false;
	if (p->profile == SFILTER_DEFAULT)
		return p->kept == kept;
	return p->init == init && p->ndeny == iso->seccomp_ndeny &&
	    (p->ndeny == 0 ||
	    memcmp(p->deny, iso->seccomp_deny, p->ndeny * sizeof *p->deny) ==
	    0);
}

/* The program of ctx into p's instructions; -1 if that failed. */
static int
prog_export(scmp_filter_ctx ctx, struct sfilter_prog *p)
{
	off_t	size;
	int	fd, r = -1;

	if ((fd = memfd_create("supd-seccomp", MFD_CLOEXEC)) == -1)
		return -1;
	if (seccomp_export_bpf(ctx, fd) == 0 &&
	    (size = lseek(fd, 0, SEEK_CUR)) > 0 &&
	    size % sizeof *p->insns == 0 &&
	    size / sizeof *p->insns <= BPF_MAXINSNS) {
		p->insns = xmalloc(size);
		p->len = size / sizeof *p->insns;
		if (pread(fd, p->insns, size, 0) == size)
			r = 0;
	}
	close(fd);
	return r;
}

/* supd's own capabilities, read once: it never changes them. */
static uint64_t	own_permitted, own_bounding, all_caps;

static void
own_caps(void)
{
	struct __user_cap_header_struct	hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct	data[2];
	static bool			done;
	int				c, r;

	if (done)
		return;
	done = true;
	if (syscall(SYS_capget, &hdr, data) == 0)
		own_permitted = data[0].permitted |
		    (uint64_t)data[1].permitted << 32;
	for (c = 0; c < 64; c++)
		if ((r = prctl(PR_CAPBSET_READ, c, 0, 0, 0)) >= 0) {
			all_caps |= CAPBIT(c);
			if (r == 1)
				own_bounding |= CAPBIT(c);
		}
}

/*
 * What kept_caps() will find in the service's process. A guess for a
 * `user` given by name (one other than "root" is taken for not root):
 * the process checks, and builds its own filter when the guess was wrong.
 */
static uint64_t
predict_kept(const struct svc_conf *sc)
{
	const struct iso_conf	*iso = &sc->iso;
	uint64_t		 base;
	bool			 root;

	own_caps();
	/* A new user namespace starts with every capability in it. */
	if (iso->ns & CLONE_NEWUSER)
		base = all_caps;
	else
		base = iso->no_new_privs ? own_permitted : own_bounding;
	if (iso->caps_set)
		return base & iso->caps;
	if (!iso->no_new_privs)
		return base;
	root = sc->user == NULL || strcmp(sc->user, "0") == 0 ||
	    strcmp(sc->user, "root") == 0;
	return root ? base : 0;
}

/* The program of iso for a process keeping `kept`, built if need be. */
static const struct sfilter_prog *
prepare(const struct iso_conf *iso, uint64_t kept, bool init)
{
	scmp_filter_ctx	 ctx;
	struct sfilter_prog	*p;
	size_t		 i;

	for (i = 0; i < NPROGS; i++)
		if (prog_matches(&progs[i], iso, kept, init))
			return &progs[i];
	p = &progs[progs_next];
	progs_next = (progs_next + 1) % NPROGS;
	free(p->deny);
	free(p->insns);
	memset(p, 0, sizeof *p);
	/* On failure the child builds the filter and reports the error. */
	if (build(iso, kept, init, &ctx) < 0)
		return NULL;
	if (prog_export(ctx, p) == -1) {
		free(p->insns);
		p->insns = NULL;
		seccomp_release(ctx);
		return NULL;
	}
	seccomp_release(ctx);
	p->profile = iso->seccomp;
	p->kept = kept;
	p->init = init;
	if (iso->seccomp_ndeny > 0) {
		p->deny = xreallocarray(NULL, iso->seccomp_ndeny,
		    sizeof *p->deny);
		memcpy(p->deny, iso->seccomp_deny,
		    iso->seccomp_ndeny * sizeof *p->deny);
		p->ndeny = iso->seccomp_ndeny;
	}
	return p;
}

void
sfilter_prepare(const struct svc_conf *sc, bool with_init)
{
	const struct iso_conf	*iso = &sc->iso;

	prepared[0] = prepared[1] = NULL;
	if (iso->seccomp == SFILTER_UNCONFINED)
		return;
	prepared[0] = prepare(iso, iso->seccomp == SFILTER_DEFAULT ?
	    predict_kept(sc) : 0, false);
	/* The init is root, in the service's user namespace if any. */
	if (with_init)
		prepared[1] = prepare(iso, iso->seccomp == SFILTER_DEFAULT ?
		    (iso->ns & CLONE_NEWUSER ? all_caps : own_permitted) : 0,
		    true);
}

/*
 * Loads the filter of iso for this process (an init's if `init`); returns
 * the built program it loaded, or NULL when it built one here. One equal to
 * `inherited` (what its init loaded) is not stacked a second time: the
 * policy is the same, and a load costs a start ~0.1 ms (the kernel checks
 * and compiles the program, and runs it for every system call number).
 */
static const struct sfilter_prog *
load(const struct iso_conf *iso, bool init,
    const struct sfilter_prog *inherited)
{
	const struct sfilter_prog	*p = prepared[init];
	struct sock_fprog	 fp;
	scmp_filter_ctx		 ctx;
	uint64_t		 kept;
	int			 r;

	if (iso->seccomp == SFILTER_UNCONFINED)
		return NULL;
	kept = iso->seccomp == SFILTER_DEFAULT ? kept_caps(iso, init) : 0;
	if (p != NULL && prog_matches(p, iso, kept, init)) {
		if (p == inherited)
			return p;
		fp.len = p->len;
		fp.filter = p->insns;
		if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp) == -1)
			spawn_fail(STEP_SECCOMP, errno, "load");
		return p;
	}
	if ((r = build(iso, kept, init, &ctx)) < 0)
		spawn_fail(STEP_SECCOMP, -r, "rules");
	if ((r = seccomp_load(ctx)) < 0)
		spawn_fail(STEP_SECCOMP, -r, "load");
	seccomp_release(ctx);
	return NULL;
}

void
sfilter_apply(const struct iso_conf *iso, const struct sfilter_prog *inherited)
{
	(void)load(iso, false, inherited);
}

/* CAP_SYS_ADMIN in our effective set (in our user namespace). */
static bool
has_sys_admin(void)
{
	struct __user_cap_header_struct	hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct	data[2];

	if (syscall(SYS_capget, &hdr, data) == -1)
		spawn_fail(STEP_SECCOMP, errno, "capget");
	return data[CAP_SYS_ADMIN / 32].effective &
	    (1U << (CAP_SYS_ADMIN % 32));
}

/*
 * Without CAP_SYS_ADMIN (a default docker or podman container) a filter
 * loads only under no_new_privs, which the command inherits from its init:
 * then it must have asked for it, as it could not load its own filter
 * without it either (the error is the one it would have had). With
 * CAP_SYS_ADMIN, the init stays without, so that a command with
 * no_new_privileges = no keeps setuid programs.
 */
const struct sfilter_prog *
sfilter_apply_init(const struct iso_conf *iso)
{
	if (iso->seccomp == SFILTER_UNCONFINED)
		return NULL;
	if (!has_sys_admin()) {
		if (!iso->no_new_privs)
			spawn_fail(STEP_SECCOMP, EACCES, "load");
		(void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	}
	return load(iso, true, NULL);
}

/* SPDX-License-Identifier: ISC */
/*
 * spawn.c: starting a service's process -- clone into its namespaces, the
 * built-in init, exec.
 *
 * The child starts clean (docs/style.md habit 8): default signal
 * dispositions and an empty mask (libev blocks signals it reads through
 * signalfd), its own session, stdin on /dev/null, stdout and stderr on the
 * log pipes, no other fd but the report pipe, which closes at exec. Each
 * step that can fail reports {step, errno, what} on that pipe and exits
 * 127; supd reads the report from its loop and never waits for the child
 * here.
 *
 * With a pid namespace and init = yes, the first process is a minimal init
 * (this file's init_loop, no extra binary): it forks the command, forwards
 * every signal to the command's process group, reaps orphans, and when the
 * command ends writes its wait status to the status pipe and exits with
 * its code (128+N for a signal, as tini does). A user namespace is mapped
 * by supd, the parent, while the child waits on a sync pipe.
 *
 * A service whose spawn can be a lone one (no gate, user namespace or
 * cgroup) is cloned CLONE_VM | CLONE_VFORK, as posix_spawn's child is
 * (clone_lone), alone or among many (a boot); the others fork (lone_spawn
 * says which and why, with the numbers; docs/design.md, "The spawn
 * path").
 *
 * The command's last step before exec is its seccomp filter (seccomp.c).
 * An init loads one for itself too, before the command exists (a command
 * allowed to ptrace its PID 1 must never find it unfiltered), and makes the
 * command in its own memory (init_clone_command): no copy of supd's
 * address space is made, faulted in and torn down for it.
 */
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "isolate.h"
#include "log.h"
#include "nsswitch.h"
#include "seccomp.h"
#include "spawn.h"
#include "spawn-clone.h"
#include "spawn-steps.h"
#include "util.h"
#include "values.h"

static char	*own_home, *own_user;	/* supd's account, looked up once */
static bool	 lone_now;		/* set while a lone child runs: it
					 * shares this memory (clone_lone) */
static int	reaper_fd = -1;		/* sealed memfd holding reaper.c */
#define MAX_HIDE	4
static struct iso_hide	hide[MAX_HIDE];	/* supd's directories */
static size_t		nhide;

/* The reaper program, embedded by the Makefile (empty if not built). */
extern const unsigned char	reaper_blob[];
extern const size_t		reaper_blob_len;

/*
 * The services' PID 1 lives in a sealed memfd: executed from there it costs
 * a few pages per service instead of a copy of supd's address space, and
 * nothing can write to it. Without it (no port, no memfd), the init stays
 * in supd's image (init_loop).
 */
static void
reaper_init(void)
{
	size_t	off = 0;
	ssize_t	n;
	int	fd;

	if (reaper_blob_len == 0)
		return;
	if ((fd = memfd_create("supd-init", MFD_CLOEXEC | MFD_ALLOW_SEALING))
	    == -1)
		return;
	while (off < reaper_blob_len) {
		if ((n = write(fd, reaper_blob + off, reaper_blob_len - off))
		    <= 0) {
			close(fd);
			return;
		}
		off += n;
	}
	if (fchmod(fd, 0555) == -1 || fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL |
	    F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) == -1) {
		close(fd);
		return;
	}
	reaper_fd = fd;
}

void
spawn_init(char *const *paths)
{
	struct passwd	*pw;
	struct stat	 st;

	for (; paths != NULL && *paths != NULL && nhide < MAX_HIDE; paths++)
		if (stat(*paths, &st) == 0 && S_ISDIR(st.st_mode) &&
		    strcmp(*paths, "/") != 0) {
			hide[nhide].path = xstrdup(*paths);
			hide[nhide].dev = st.st_dev;
			hide[nhide++].ino = st.st_ino;
		}
	if ((pw = getpwuid(getuid())) != NULL) {
		own_home = xstrdup(pw->pw_dir);
		own_user = xstrdup(pw->pw_name);
	}
	reaper_init();
}

/* In the init, once the command is forked: become the embedded reaper
 * (status pipe on fd 3). Returns only if that was not possible. */
static void
exec_reaper(pid_t cmd, int status_wfd)
{
	char	 pid[24], *argv[] = { "supd-init", pid, NULL }, *envp[] = { NULL };
	int	 fd = reaper_fd;

	if (fd < 0)
		return;
	if (fd == 3 && (fd = fcntl(3, F_DUPFD_CLOEXEC, 4)) == -1)
		return;
	if (status_wfd == 3)
		(void)fcntl(3, F_SETFD, 0);
	else if (dup2(status_wfd, 3) == -1)
		return;
	snprintf(pid, sizeof pid, "%d", (int)cmd);
	syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
}

/* Move fd to at least `min` so that dup2 onto 0-2 cannot clobber it. */
static int
child_lift_fd(int fd, int min)
{
	int	nfd;

	if (fd < 0 || fd >= min)
		return fd;
	if ((nfd = fcntl(fd, F_DUPFD_CLOEXEC, min)) == -1)
		spawn_fail(STEP_SETUP, errno, "fcntl");
	return nfd;
}

/*
 * 0-2 on the service's stdio; every other fd closed but the report pipe
 * and those in keep (the status pipe, the network namespace to join, the
 * volumes...): they are moved above 2 first. With at_exec, the others are
 * closed by the exec (close-on-exec): nothing of supd's runs after it.
 */
static void
child_stdio(const struct spawn_args *a, int **keep, size_t nkeep,
    bool at_exec)
{
	int	null, out, err, in;
	size_t	i;

	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		spawn_fail(STEP_SETUP, errno, "/dev/null");
	null = child_lift_fd(null, 3);
	for (i = 0; i < nkeep; i++)
		if (*keep[i] >= 0)
			*keep[i] = child_lift_fd(*keep[i], 3);
	spawn_report_to(child_lift_fd(spawn_report_fd(), 3));
	if (a->tty_fd >= 0) {
		in = out = err = child_lift_fd(a->tty_fd, 3);
	} else {
		in = a->in_fd > 0 ? child_lift_fd(a->in_fd, 3) : null;
		out = a->out_fd >= 0 ? child_lift_fd(a->out_fd, 3) : null;
		err = a->err_fd >= 0 ? child_lift_fd(a->err_fd, 3) : null;
	}
	if (dup2(in, 0) == -1 || dup2(out, 1) == -1 || dup2(err, 2) == -1)
		spawn_fail(STEP_SETUP, errno, "dup2");
	if (a->tty_fd >= 0 && ioctl(0, TIOCSCTTY, 1) == -1)
		spawn_fail(STEP_TTY, errno, "TIOCSCTTY");
	/* Everything else goes: close the ranges between the kept fds (or
	 * leave them to the exec, if nothing runs before it but the command's
	 * own steps). */
	spawn_close_except(spawn_report_fd(), keep, nkeep, at_exec);
}

/*
 * What the command's process starts from, handed down by the process that
 * forked or cloned it (the service's first process, or the exec process).
 */
struct cmd_start {
	bool			under_init;	/* forked by an init */
	pid_t			parent;		/* its parent's pid as it sees it,
						 * 0 when out of sight (die_with_parent) */
	int			ready_wfd;	/* ready = fd:N: the pipe's write end
						 * that becomes fd N, else -1 */
	struct iso_notify	notify;		/* iso_setup()'s, or none */
	int			close_fd;	/* the init's, closed first, or -1 */
	struct strv		*env;		/* where the environment is built:
						 * supd frees it after a lone
						 * spawn (spawn_service) */
	const struct sfilter_prog *filter;	/* the init's, or NULL */
};

/*
 * Test builds only, right after the clone of a service (spawn_service).
 * SUPD_TEST_DIE_AFTER_CLONE (isolation.bats): supd ends, and its child
 * waits until it is gone. SUPD_TEST_SLOW_SPAWN_MS=N (control.bats): supd
 * takes N ms more over each start, as on a machine whose process creation
 * is slow, so that a boot of a few hundred lasts long enough to be watched.
 */
static void
fault_after_clone(pid_t pid)
{
#ifdef SUPD_TEST_FAULTS
	const char	*slow = getenv("SUPD_TEST_SLOW_SPAWN_MS");
	struct timespec	 ts;

	if (pid > 0 && getenv("SUPD_TEST_DIE_AFTER_CLONE") != NULL) {
		fprintf(stderr, "fault: supd ends after cloning %d\n", (int)pid);
		_exit(99);
	}
	if (pid > 0 && slow != NULL) {
		ts.tv_sec = atoi(slow) / 1000;
		ts.tv_nsec = atoi(slow) % 1000 * 1000000L;
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
	}
#else
	(void)pid;
#endif
}

static void
fault_wait_parent_gone(void)
{
#ifdef SUPD_TEST_FAULTS
	struct pollfd	pfd = { .fd = spawn_report_fd(), .events = POLLOUT };

	if (getenv("SUPD_TEST_DIE_AFTER_CLONE") != NULL)
		while (poll(&pfd, 1, 5000) == 1 && !(pfd.revents & POLLERR))
			pfd.revents = 0;
#endif
}

/*
 * Die with the parent (supd, the service's init, the exec process): no
 * process of a dead supd runs on unsupervised. Set after the last change
 * of credentials, which clears it. A parent already gone is caught by
 * comparing getppid() with the one we started with; as PID 1 of a
 * namespace (parent 0) ours is out of sight, but supd holds the only read
 * end of the report pipe (close-on-exec, closed by its other children
 * first thing): none left means supd is gone. That is why a service with
 * a pid namespace needs no run record (leftovers.c).
 */
static void
die_with_parent(pid_t parent)
{
	struct pollfd	pfd = { .fd = spawn_report_fd(), .events = POLLOUT };

	if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) == -1)
		spawn_fail(STEP_SETUP, errno, "PR_SET_PDEATHSIG");
	if (parent != 0 && getppid() != parent)
		_exit(127);
	if (parent == 0 && pfd.fd >= 0 && poll(&pfd, 1, 0) == 1 &&
	    (pfd.revents & POLLERR))
		_exit(127);
}

/*
 * The command's process: identity, environment, workdir, exec. In the
 * init's namespace it is a process group of its own, so that the init's
 * group (what supd signals) and the command's (what the init forwards to)
 * are distinct and no signal arrives twice.
 */
static void __attribute__((noreturn))
command_main(const struct svc_conf *sc, const struct cmd_start *st)
{
	struct strv	*env = st->env;
	sigset_t	 none;
	char		 cwd[64];
	size_t		 i;
	int		 ready_wfd = st->ready_wfd;

	if (st->close_fd >= 0)
		close(st->close_fd);
	if (st->under_init) {
		(void)setpgid(0, 0);
		/* On a terminal, the command's group is the foreground one
		 * (SIGTTOU is still blocked here, so this cannot stop us). */
		if (isatty(0))
			(void)tcsetpgrp(0, getpid());
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
	}
	env_set(env, "PATH=" SPAWN_DEFAULT_PATH);
	/* The filter is loaded last, but without no_new_privileges loading
	 * it needs CAP_SYS_ADMIN, which the identity may take away: then it
	 * comes first, as runc does. */
	if (!sc->iso.no_new_privs)
		sfilter_apply(&sc->iso, st->filter);
	iso_identity(sc, env, own_home, own_user, &st->notify);
	die_with_parent(st->parent);
	for (i = 0; sc->env[i] != NULL; i++)
		env_set(env, sc->env[i]);
	if (st->notify.path != NULL) {
		char kv[sizeof "NOTIFY_SOCKET=" + strlen(st->notify.path)];

		snprintf(kv, sizeof kv, "NOTIFY_SOCKET=%s", st->notify.path);
		env_set(env, kv);
	}
	if (ready_wfd >= 0 && ready_wfd != sc->ready_fd) {
		/* Nothing we still need may sit on fd N. */
		if (spawn_report_fd() == sc->ready_fd) {
			int fd = fcntl(sc->ready_fd, F_DUPFD_CLOEXEC,
			    sc->ready_fd + 1);

			if (fd == -1)
				spawn_fail(STEP_READY, errno, "report pipe");
			spawn_report_to(fd);
		}
		if (dup2(ready_wfd, sc->ready_fd) == -1)
			spawn_fail(STEP_READY, errno, "fd:N");
		close(ready_wfd);
	} else if (ready_wfd >= 0)
		(void)fcntl(ready_wfd, F_SETFD, 0);
	if (chdir(sc->workdir) == -1)
		spawn_fail(STEP_WORKDIR, errno, sc->workdir);
	/* A workdir outside the root (runc CVE-2024-21626) has no path. */
	if (getcwd(cwd, sizeof cwd) == NULL && errno != ERANGE)
		spawn_fail(STEP_WORKDIR, errno, sc->workdir);
	if (sc->iso.no_new_privs)
		sfilter_apply(&sc->iso, st->filter);
	spawn_child_exec(sc->argv, env->v);
}

/* The command's process as init_clone_command starts it. */
struct cmd_clone {
	const struct svc_conf	*sc;
	const struct cmd_start	*st;
};

static int
cmd_child(void *arg)
{
	const struct cmd_clone	*c = arg;

	command_main(c->sc, c->st);
}

/* Room for the command's steps before exec (libcap, NSS, a sanitizer's
 * frames), carved from the init's own stack. */
#define CMD_STACK	(256 * 1024)

/*
 * In an init (the service's, or supctl exec's), whose filter is loaded:
 * start the command. It shares the init's memory until its exec, as
 * posix_spawn's child does (CLONE_VM | CLONE_VFORK): the init is a copy of
 * supd's, made once, and the command neither copies it again nor tears
 * that copy down at its exec; the init does, once, at its exec of the
 * reaper (or at its end). The init is suspended until the command has exec'd or ended, so
 * the two never run at once in that memory; the command inherits the
 * init's filter, which allows at least what its own does (seccomp.c).
 *
 * The command's stack is an array in this frame, above clone's: a part of
 * the init's stack that the init leaves alone while it waits. What the
 * command changes in the shared memory stays in the init's copy; the
 * report fd, which it may move, is put back.
 */
static pid_t
init_clone_command(const struct svc_conf *sc, const struct cmd_start *st)
{
	char			stack[CMD_STACK] __attribute__((aligned(16)));
	struct cmd_clone	c = { .sc = sc, .st = st };
	int			report = spawn_report_fd();
	pid_t			pid;

	pid = clone(cmd_child, stack + sizeof stack, CLONE_VM | CLONE_VFORK |
	    SIGCHLD, &c);
	spawn_stack_reclaim(stack, sizeof stack);
	spawn_report_to(report);
	if (pid == -1)
		spawn_fail(STEP_INIT, errno, "clone");
	return pid;
}

/*
 * PID 1 of the service's pid namespace: every signal is blocked and taken
 * with sigwaitinfo; SIGCHLD reaps (orphans too), anything else goes to the
 * command's process group. No memory is touched in the loop: its pages stay
 * shared with supd.
 *
 * As the init of `supctl exec` and health checks (kill_after > 0), a
 * SIGTERM (the caller left, the check timed out) is followed kill_after
 * seconds later by SIGKILL to the command's group: nothing supd asked to
 * end outlives it for long, whatever it does with TERM.
 */
static void __attribute__((noreturn))
init_loop(pid_t cmd, int status_wfd, unsigned kill_after)
{
	sigset_t	all;
	siginfo_t	si;
	pid_t		p;
	int		st;
	bool		ending = false;

	(void)prctl(PR_SET_NAME, "supd-init", 0, 0, 0);
	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	sigfillset(&all);
	for (;;) {
		if (sigwaitinfo(&all, &si) == -1)
			continue;
		if (si.si_signo == SIGALRM && ending) {
			(void)kill(-cmd, SIGKILL);
			(void)kill(cmd, SIGKILL);
			continue;
		}
		if (si.si_signo != SIGCHLD) {
			if (kill(-cmd, si.si_signo) == -1)
				(void)kill(cmd, si.si_signo);
			if (si.si_signo == SIGTERM && kill_after > 0 &&
			    !ending) {
				ending = true;
				alarm(kill_after);
			}
			continue;
		}
		while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
			if (p != cmd)
				continue;
			if (status_wfd >= 0)
				(void)write(status_wfd, &st, sizeof st);
			_exit(WIFEXITED(st) ? WEXITSTATUS(st) :
			    128 + WTERMSIG(st));
		}
	}
}

/*
 * The first process in the new namespaces; `parent` is supd's pid as it
 * sees it (0 in a pid namespace of its own); the command's environment is
 * built in *env. Nothing here is allocated on the heap: a lone child
 * shares supd's memory (spawn_service).
 */
static void __attribute__((noreturn))
child_main(const struct svc_conf *sc, const struct spawn_args *a,
    int sync_rfd, int gate_rfd, int status_wfd, pid_t parent,
    struct strv *env)
{
	struct iso_fds	 f = { .netns = a->iso.netns, .notify = a->notify,
			    .hide = hide, .nhide = nhide, .hosts = a->iso.hosts,
			    .resolv = a->iso.resolv, .copyup = a->iso.copyup,
			    .upper = a->iso.upper, .root = a->iso.root };
	struct cmd_start st = { .parent = parent, .ready_wfd = a->ready_wfd,
			    .close_fd = -1, .env = env };
	int *const	 fixed[] = { &f.netns, &status_wfd, &st.ready_wfd,
			    &f.hosts, &f.resolv, &gate_rfd, &f.copyup, &f.upper,
			    &f.root };
	size_t		 nkeep = 0, i, nvol = a->iso.nvolumes;
	int		 vols[nvol + 1], *keep[nvol + 11], owned[nvol + 1];
	sigset_t	 all;
	pid_t		 cmd;
	char		 c;

	fault_wait_parent_gone();
	/* A user namespace is usable once supd has written its maps. */
	if (sync_rfd >= 0) {
		if (read(sync_rfd, &c, 1) != 1)
			_exit(127);	/* supd reported the failure */
		close(sync_rfd);
		if (setresgid(0, 0, 0) == -1 || setresuid(0, 0, 0) == -1)
			spawn_fail(STEP_USERNS, errno, "become root");
	}
	die_with_parent(parent);
	spawn_child_signals();
	if (setsid() == -1)
		spawn_fail(STEP_SETUP, errno, "setsid");
	for (i = 0; i < nvol; i++) {
		vols[i] = a->iso.volumes[i];
		keep[nkeep++] = &vols[i];
	}
	for (i = 0; i < sizeof fixed / sizeof *fixed; i++)
		keep[nkeep++] = fixed[i];
	if (sc->iso.init)
		keep[nkeep++] = &reaper_fd;
	/* Only a plain command's are left to its exec: with a mount namespace,
	 * an fd of supd's open during the set-up is a way out of the root
	 * (runc's CVE-2024-21626: workdir = /proc/self/fd/N). */
	child_stdio(a, keep, nkeep, sc->iso.ns == 0 && !sc->iso.init);
	f.volumes = vols;
	st.notify.owned = owned;
	umask(sc->umask);
	iso_setup(sc, &f, &st.notify);
	if (sc->iso.image != NULL)
		spawn_make_workdir(sc->workdir);
	if (f.netns >= 0)
		close(f.netns);
	/* Bridge networks plugged, ports published by supd meanwhile. */
	if (gate_rfd >= 0) {
		if (read(gate_rfd, &c, 1) != 1)
			_exit(127);	/* supd has the reason */
		close(gate_rfd);
	}
	if (!sc->iso.init) {
		st.close_fd = status_wfd;
		command_main(sc, &st);
	}
	/* Signals wait blocked until init_loop takes them. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	st.under_init = true;
	st.parent = getpid();	/* the command's parent is this init */
	st.close_fd = status_wfd;
	st.filter = sfilter_apply_init(&sc->iso);
	cmd = init_clone_command(sc, &st);
	iso_init_caps();
	if (st.ready_wfd >= 0)
		close(st.ready_wfd);	/* the command's, not the init's */
	if (lone_now) {
		/* In supd's memory: the init may only leave it, by its exec
		 * (the report pipe closes there). */
		exec_reaper(cmd, status_wfd);
		spawn_fail(STEP_INIT, errno, "exec of the reaper");
	}
	close(spawn_report_fd());
	exec_reaper(cmd, status_wfd);
	init_loop(cmd, status_wfd, 0);
}

/* The service's first process starts from this, spawn_service's frame
 * (which a lone child shares). */
struct child_arg {
	const struct svc_conf	*sc;
	const struct spawn_args	*a;
	int			 rp[2], sp[2], up[2], np[2];	/* report, status,
							 * userns sync, gate */
	int			 procs_fd;	/* clone_into's */
	unsigned long		 ns;		/* the clone's CLONE_NEW* */
	bool			 late_cgns;
	pid_t			 parent;
	struct strv		 env;		/* the command's environment */
};

static void __attribute__((noreturn))
child_start(struct child_arg *c)
{
	spawn_report_to(c->rp[1]);
	spawn_child_cgroup(c->procs_fd, c->late_cgns);
	close(c->rp[0]);
	if (c->sp[0] >= 0)
		close(c->sp[0]);
	if (c->up[1] >= 0)
		close(c->up[1]);
	if (c->np[1] >= 0)
		close(c->np[1]);
	child_main(c->sc, c->a, c->up[0], c->np[0], c->sp[1], c->parent,
	    &c->env);
}

static int
lone_child(void *arg)
{
	child_start(arg);
}

/*
 * Whether this spawn is a lone one (clone_lone), alone or among many. Not
 * with a gate, a user namespace or a volume being filled (the child would
 * wait for supd's plugs, maps, or copy-up process, with supd suspended
 * until the child's exec: volumes.bats' huge copy-up held supd's loop);
 * not with a cgroup (glibc's clone() cannot pass CLONE_INTO_CGROUP, clone3
 * with CLONE_VM needs a stack switch in assembly, and the cgroup.procs way
 * would move a task sharing supd's mm, which a controller acting on the
 * mm, as cpuset does, would apply to supd's); an init only if it can leave
 * supd's memory by its exec of the reaper; no user or group looked up in a
 * rootfs (its account files are read onto the heap, which a lookup that
 * fails would leave in supd: isolation.bats' bad /etc/passwd, under
 * LeakSanitizer) nor through a directory service (nsswitch.c: an LDAP
 * server that stalls would hold supd for its timeout).
 *
 * It saves the copy of supd's page tables, the faults that copy costs supd
 * and the child, and its teardown at the exec. A restart (kill -9 -> new
 * payload) took 1.5 ms forked, 1.0 ms this way. On a guest with shadow
 * page tables (PVM: faults and TLB flushes go through the hypervisor) a
 * boot of 1000 plain services took 9.4-10.5 s forked and 5.2-6.1 s this
 * way, 1000 in namespaces 12.2-13.8 s and 7.8-8.3 s, and a status's p99
 * meanwhile was lower. On the machine before (hardware paging) the boot of
 * 1000 plain ones took 1.2 s forked and 1.6-1.7 s this way: supd waits for
 * each child to reach its exec, and there a fork cost less than that wait.
 * bench/README.md, "The spawn path", has the runs.
 */
static bool
lone_spawn(const struct svc_conf *sc, const struct spawn_args *a)
{
	bool	 can = !(sc->iso.ns & CLONE_NEWUSER) && !a->hold &&
		    a->iso.copyup < 0 && a->cgroup_fd < 0 &&
		    (!sc->iso.init || reaper_fd >= 0) &&
		    ((sc->user == NULL && sc->group == NULL &&
		    sc->groups == NULL) || (sc->iso.rootfs == NULL &&
		    nss_accounts_local()));
#ifdef SUPD_TEST_FAULTS
	/* Test builds only (spawn.bats): SUPD_TEST_SPAWN=fork forks where a
	 * lone spawn could be, any value says which was taken. */
	const char	*t = getenv("SUPD_TEST_SPAWN");
	bool		 lone = can;

	if (getenv("SUPD_TEST_DIE_AFTER_CLONE") != NULL)
		return false;	/* that child waits for supd to end */
	if (t != NULL && strcmp(t, "fork") == 0)
		lone = false;
	if (t != NULL)
		fprintf(stderr, "spawn: %s %s\n", sc->name, lone ? "vfork" :
		    "fork");
	return lone;
#else
	return can;
#endif
}

/* Room for the lone child's steps (libcap, NSS, a sanitizer's frames),
 * and an init's, whose command's stack is carved from its own. */
#define LONE_STACK	(256 * 1024 + CMD_STACK)

/*
 * Clone a lone child as posix_spawn does: CLONE_VM | CLONE_VFORK, supd
 * suspended until the child's exec or exit. supd is single-threaded (no
 * thread anywhere in it): glibc's setuid, initgroups and malloc in the
 * child rely on that, as on supd being suspended -- no lock is held by
 * another thread, nothing runs in this memory while the child does. Its
 * stack is an array in this frame, a part of supd's stack that supd leaves
 * alone while it waits (as init_clone_command's). In namespaces, supd
 * waits for the whole set-up of the root, and with an init for its
 * command's exec too (made in this same memory) and the init's own exec of
 * the reaper, its way out of it (lone_now tells it it must).
 *
 * What the child changes in supd's memory: the report fd (put back), the
 * environment it builds in c->env (freed here, else lost at every
 * restart), glibc's caches (reused). A change of credentials makes the
 * shared mm non-dumpable: supd's own flag is put back.
 */
static pid_t
clone_lone(struct child_arg *c)
{
	char		stack[LONE_STACK] __attribute__((aligned(16)));
	int		report = spawn_report_fd(), saved;
	int		dumpable = prctl(PR_GET_DUMPABLE, 0, 0, 0, 0);
	pid_t		pid;

	lone_now = true;
	pid = clone(lone_child, stack + sizeof stack, CLONE_VM | CLONE_VFORK |
	    SIGCHLD | c->ns, c);
	saved = errno;
	lone_now = false;
	spawn_stack_reclaim(stack, sizeof stack);
	spawn_report_to(report);
	strv_free(&c->env);
	if (dumpable > 0 && prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != dumpable)
		(void)prctl(PR_SET_DUMPABLE, dumpable, 0, 0, 0);
	errno = saved;
	return pid;
}

int
spawn_service(const struct svc_conf *sc, const struct spawn_args *a,
    struct spawn_child *out)
{
	struct child_arg c = { .sc = sc, .a = a, .sp = { -1, -1 },
			    .up = { -1, -1 }, .np = { -1, -1 } };
	int		 saved;
	bool		 userns = sc->iso.ns & CLONE_NEWUSER;
	pid_t		 pid;

	out->gate_fd = -1;
	if (pipe2(c.rp, O_CLOEXEC) == -1)
		return -1;
	if ((sc->iso.init && pipe2(c.sp, O_CLOEXEC) == -1) ||
	    (userns && pipe2(c.up, O_CLOEXEC) == -1) ||
	    (a->hold && pipe2(c.np, O_CLOEXEC) == -1))
		goto fail;
	c.parent = sc->iso.ns & CLONE_NEWPID ? 0 : getpid();
	/* A bare network namespace made ahead is joined, not made. */
	c.ns = (unsigned long)sc->iso.ns;
	if (sc->iso.net == NET_NONE && a->iso.netns >= 0)
		c.ns &= ~(unsigned long)CLONE_NEWNET;
	sfilter_prepare(sc, sc->iso.init);
	spawn_signals_prepare();
	if (lone_spawn(sc, a)) {
		c.procs_fd = -1;
		pid = clone_lone(&c);
	} else
		pid = spawn_clone_into(c.ns, a->cgroup_fd, &c.procs_fd,
		    &c.late_cgns);
	if (pid == -1)
		goto fail;
	fault_after_clone(pid);
	if (pid == 0)
		child_start(&c);
	close(c.rp[1]);
	if (c.sp[1] >= 0)
		close(c.sp[1]);
	if (c.np[0] >= 0)
		close(c.np[0]);
	out->gate_fd = c.np[1];
	if (userns)
		spawn_map_userns(pid, c.up, &c.rp[0], &out->gate_fd);
	if (c.rp[0] >= 0)
		set_nonblock(c.rp[0]);
	if (c.sp[0] >= 0)
		set_nonblock(c.sp[0]);
	out->pid = pid;
	out->report_fd = c.rp[0];
	out->status_fd = c.sp[0];
	return 0;
fail:
	saved = errno;
	close_pair(c.rp);
	close_pair(c.sp);
	close_pair(c.up);
	close_pair(c.np);
	errno = saved;
	return -1;
}

void
spawn_gate_open(int gate_fd)
{
	(void)write(gate_fd, "x", 1);
	close(gate_fd);
}

/*
 * exec -t: a terminal of the service's own devpts, so that ttyname() works
 * inside it. fd 0 is a socket to supctl: the master goes back over it, the
 * slave becomes 0-2 and the controlling terminal.
 */
static void
exec_pty(void)
{
	int	m, sl;

	if (pty_open(&m, &sl, 0) == -1)
		spawn_fail(STEP_TTY, errno, "/dev/ptmx");
	if (fd_send(0, "t", 1, &m, 1) == -1)
		spawn_fail(STEP_TTY, errno, "pass the terminal");
	close(m);
	if (dup2(sl, 0) == -1 || dup2(sl, 1) == -1 || dup2(sl, 2) == -1)
		spawn_fail(STEP_TTY, errno, "stdio");
	if (sl > 2)
		close(sl);
	if (ioctl(0, TIOCSCTTY, 1) == -1)
		spawn_fail(STEP_TTY, errno, "TIOCSCTTY");
}

/*
 * Join every namespace of `target` that is not already ours (the user
 * namespace first) and take its root; true if that included its pid
 * namespace (which applies to our children only).
 */
static bool
exec_join(pid_t target)
{
	static const struct { const char *name; int type; } nss[] = {
		{ "user", CLONE_NEWUSER }, { "mnt", CLONE_NEWNS },
		{ "pid", CLONE_NEWPID }, { "ipc", CLONE_NEWIPC },
		{ "uts", CLONE_NEWUTS }, { "net", CLONE_NEWNET },
		{ "cgroup", CLONE_NEWCGROUP },
	};
	int		 nsfd[sizeof nss / sizeof *nss], rootfd, i;
	bool		 joined_pid = false;
	char		 path[64], self[64];
	struct stat	 mine, theirs;

	/* Open everything first: /proc is the host's until we move. */
	for (i = 0; i < (int)(sizeof nss / sizeof *nss); i++) {
		snprintf(path, sizeof path, "/proc/%d/ns/%s", (int)target,
		    nss[i].name);
		snprintf(self, sizeof self, "/proc/self/ns/%s", nss[i].name);
		nsfd[i] = -1;
		/* A kind the kernel lacks is nobody's; any other error ends
		 * the exec: never run in fewer namespaces than the service. */
		if (stat(self, &mine) == -1 && errno == ENOENT)
			continue;
		if (stat(path, &theirs) == -1 || stat(self, &mine) == -1)
			spawn_fail(STEP_CLONE, errno, path);
		if ((theirs.st_ino != mine.st_ino ||
		    theirs.st_dev != mine.st_dev) &&
		    (nsfd[i] = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			spawn_fail(STEP_CLONE, errno, path);
	}
	snprintf(path, sizeof path, "/proc/%d/root", (int)target);
	if ((rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1)
		spawn_fail(STEP_ROOTFS, errno, path);
	for (i = 0; i < (int)(sizeof nss / sizeof *nss); i++) {
		if (nsfd[i] == -1)
			continue;
		if (setns(nsfd[i], nss[i].type) == -1)
			spawn_fail(STEP_CLONE, errno, nss[i].name);
		close(nsfd[i]);
		joined_pid |= nss[i].type == CLONE_NEWPID;
		/* In the service's user namespace we are its root, as the
		 * service is (its `user`, if any, is applied below). */
		if (nss[i].type == CLONE_NEWUSER && (setresgid(0, 0, 0) == -1 ||
		    setresuid(0, 0, 0) == -1))
			spawn_fail(STEP_USERNS, errno, "become root");
	}
	if (fchdir(rootfd) == -1 || chroot(".") == -1)
		spawn_fail(STEP_ROOTFS, errno, "chroot");
	close(rootfd);
	return joined_pid;
}

/*
 * supctl exec, in the exec process: join the service (exec_join), then
 * fork the command -- a pid namespace applies to children only -- and stay
 * as its init: signals forwarded, its status as our exit code. `target` is
 * supd's unreaped child (the service's init, or its command without one),
 * so its pid cannot have been recycled.
 */
static void __attribute__((noreturn))
exec_main(const struct svc_conf *sc, pid_t target, char **argv,
    const int *fds, bool tty, pid_t supd, int procs_fd)
{
	struct svc_conf	 copy = *sc;
	struct strv	 env = { 0 };
	struct cmd_start st = { .under_init = true, .ready_wfd = -1,
			    .notify = { .path = NULL, .fd = -1 }, .close_fd = -1,
			    .env = &env };
	int		 i;
	bool		 joined_pid;
	pid_t		 cmd;
	sigset_t	 all;

	(void)prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	spawn_report_to(-1);
	spawn_child_signals();
	if (setsid() == -1)
		spawn_fail(STEP_SETUP, errno, "setsid");
	for (i = 0; i < 3; i++)
		if (dup2(fds[i], i) == -1)
			spawn_fail(STEP_SETUP, errno, "stdio");
	/* Without clone3: into the service's group before anything of the
	 * service's is joined (a failure reaches the caller's stderr). */
	spawn_child_cgroup(procs_fd, false);
	spawn_close_except(spawn_report_fd(), NULL, 0, false);
	joined_pid = exec_join(target);
	die_with_parent(supd);
	if (tty)
		exec_pty();
	iso_rlimits(sc);
	umask(sc->umask);
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	/* Our children are in the joined pid namespace, we are not. */
	st.parent = joined_pid ? 0 : getpid();
	copy.argv = argv;
	st.filter = sfilter_apply_init(&sc->iso);
	cmd = init_clone_command(&copy, &st);
	iso_init_caps();
	init_loop(cmd, -1, SPAWN_EXEC_KILL_AFTER);
}

pid_t
spawn_exec(const struct svc_conf *sc, pid_t target, char **argv,
    const int *fds, bool tty, int cgroup_fd)
{
	pid_t	pid, supd = getpid();
	int	procs_fd;
	bool	late_cgns;

	sfilter_prepare(sc, true);
	spawn_signals_prepare();
	/* Into the service's cgroup as its own process is (clone_into);
	 * without one, a plain fork as ever. */
	procs_fd = -1;
	pid = cgroup_fd >= 0 ? spawn_clone_into(0, cgroup_fd, &procs_fd,
	    &late_cgns) : fork();
	if (pid == 0)
		exec_main(sc, target, argv, fds, tty, supd, procs_fd);
	return pid;
}

pid_t
spawn_command_pid(pid_t init)
{
	char	path[64], buf[64];
	ssize_t	n;
	int	fd;

	snprintf(path, sizeof path, "/proc/%d/task/%d/children", (int)init,
	    (int)init);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return (pid_t)strtol(buf, NULL, 10);
}

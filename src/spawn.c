/*
 * spawn.c: fork and exec of a service's main process.
 *
 * The child starts clean (STYLE.md habit 8): default signal dispositions and
 * an empty mask (libev blocks signals it reads through signalfd), its own
 * session, stdin on /dev/null, stdout and stderr on the log pipes, no other
 * fd but the report pipe, which closes at exec. Each step that can fail
 * reports {step, errno, what} on that pipe and exits 127; supd reads the
 * report from its loop and never waits for the child here.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spawn.h"
#include "util.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static int	report_wfd = -1;
static char	*own_home, *own_user;	/* supd's account, looked up once */

void
spawn_init(void)
{
	struct passwd	*pw;

	if ((pw = getpwuid(getuid())) != NULL) {
		own_home = xstrdup(pw->pw_dir);
		own_user = xstrdup(pw->pw_name);
	}
}

static void __attribute__((noreturn))
child_fail(enum spawn_step step, int err, const char *what)
{
	struct spawn_report	r;
	ssize_t			n;

	memset(&r, 0, sizeof r);
	r.step = step;
	r.err = err;
	if (what != NULL)
		snprintf(r.what, sizeof r.what, "%s", what);
	do
		n = write(report_wfd, &r, sizeof r);
	while (n == -1 && errno == EINTR);
	_exit(127);
}

/* Move fd to at least `min` so that dup2 onto 0-2 cannot clobber it. */
static int
child_lift_fd(int fd, int min)
{
	int	nfd;

	if (fd < 0 || fd >= min)
		return fd;
	if ((nfd = fcntl(fd, F_DUPFD_CLOEXEC, min)) == -1)
		child_fail(STEP_SETUP, errno, "fcntl");
	return nfd;
}

static void
child_stdio(int out_fd, int err_fd)
{
	int	null;

	if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1)
		child_fail(STEP_SETUP, errno, "/dev/null");
	null = child_lift_fd(null, 3);
	out_fd = child_lift_fd(out_fd, 3);
	err_fd = child_lift_fd(err_fd, 3);
	report_wfd = child_lift_fd(report_wfd, 3);
	if (dup2(null, 0) == -1 || dup2(out_fd >= 0 ? out_fd : null, 1) == -1 ||
	    dup2(err_fd >= 0 ? err_fd : null, 2) == -1)
		child_fail(STEP_SETUP, errno, "dup2");
	/* Everything but 0-2 and the report pipe goes. */
	if (report_wfd > 3)
		syscall(SYS_close_range, 3, report_wfd - 1, 0);
	syscall(SYS_close_range, report_wfd + 1, ~0U, 0);
}

/*
 * Every disposition back to the default. The raw system call, because
 * glibc's sigaction() refuses the two real-time signals it reserves (32 and
 * 33), and an ignored disposition of those, inherited by supd from whoever
 * started it, would otherwise pass on to every service.
 */
static void
child_signals(void)
{
	struct {
		void		*handler;
		unsigned long	 flags;
		void		*restorer;
		uint64_t	 mask;
	}			ksa;
	sigset_t		set;
	int			sig;

	memset(&ksa, 0, sizeof ksa);
	ksa.handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)syscall(SYS_rt_sigaction, sig, &ksa, NULL,
			    sizeof ksa.mask);
	sigemptyset(&set);
	sigprocmask(SIG_SETMASK, &set, NULL);
}

/* A name or a number; numbers need not exist in the user database. */
static int
is_number(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return 0;
	return 1;
}

static gid_t
child_gid(const char *name, enum spawn_step step)
{
	struct group	*gr;
	uint64_t	 n;
	const char	*e;

	if (is_number(name) &&
	    parse_uint(name, 0, UINT32_MAX - 1, &n, &e) == 0)
		return n;
	errno = 0;
	if ((gr = getgrnam(name)) == NULL)
		child_fail(step, errno, name);
	return gr->gr_gid;
}

/*
 * Identity: user, group, supplementary groups. Also fills in HOME and USER
 * for the environment.
 */
static void
child_identity(const struct svc_conf *sc, struct strv *env)
{
	struct passwd	*pw = NULL;
	uid_t		 uid = getuid();
	gid_t		 gid = getgid(), *gids;
	uint64_t	 n;
	const char	*e, *home = "/", *user = NULL;
	char		*kv;
	size_t		 ngids, i;

	if (sc->user != NULL) {
		errno = 0;
		if (is_number(sc->user) &&
		    parse_uint(sc->user, 0, UINT32_MAX - 1, &n, &e) == 0) {
			uid = n;
			/* A uid with no account gets the same number as
			 * gid, never supd's own group. */
			gid = n;
			pw = getpwuid(uid);
		} else if ((pw = getpwnam(sc->user)) == NULL)
			child_fail(STEP_USER, errno, sc->user);
		else
			uid = pw->pw_uid;
		if (pw != NULL)
			gid = pw->pw_gid;
	} else {
		/* No lookup in the child: the parent knows its account. */
		if (own_home != NULL)
			home = own_home;
		user = own_user;
	}
	if (pw != NULL) {
		home = pw->pw_dir;
		user = pw->pw_name;
	}
	if (sc->group != NULL)
		gid = child_gid(sc->group, STEP_GROUP);

	if (sc->groups != NULL) {
		for (ngids = 0; sc->groups[ngids] != NULL; ngids++)
			;
		gids = xcalloc(ngids + 1, sizeof *gids);
		for (i = 0; i < ngids; i++)
			gids[i] = child_gid(sc->groups[i], STEP_GROUPS);
		if (setgroups(ngids, gids) == -1)
			child_fail(STEP_GROUPS, errno, "setgroups");
	} else if (sc->user != NULL && getuid() == 0) {
		/* The user's own groups, as login(1) would give. */
		if (pw != NULL ? initgroups(pw->pw_name, gid) == -1 :
		    setgroups(0, NULL) == -1)
			child_fail(STEP_GROUPS, errno, sc->user);
	}
	if ((sc->group != NULL || sc->user != NULL) && setgid(gid) == -1)
		child_fail(STEP_SETGID, errno, sc->group != NULL ? sc->group :
		    sc->user);
	if (sc->user != NULL && setuid(uid) == -1)
		child_fail(STEP_SETUID, errno, sc->user);

	kv = xasprintf("HOME=%s", home);
	env_set(env, kv);
	free(kv);
	if (user != NULL) {
		kv = xasprintf("USER=%s", user);
		env_set(env, kv);
		free(kv);
	}
}

static const char *
env_get(char **env, const char *key)
{
	size_t	len = strlen(key);

	for (; *env != NULL; env++)
		if (strncmp(*env, key, len) == 0 && (*env)[len] == '=')
			return *env + len + 1;
	return NULL;
}

/* execve, looking the command up in the service's PATH when it has no '/'. */
static void __attribute__((noreturn))
child_exec(char **argv, char **env)
{
	const char	*path, *p, *end;
	char		*full;
	int		 err = ENOENT;

	if (strchr(argv[0], '/') != NULL) {
		execve(argv[0], argv, env);
		child_fail(STEP_EXEC, errno, argv[0]);
	}
	if ((path = env_get(env, "PATH")) == NULL)
		path = DEFAULT_PATH;
	for (p = path; ; p = end + 1) {
		end = strchrnul(p, ':');
		full = end == p ? xasprintf("./%s", argv[0]) :
		    xasprintf("%.*s/%s", (int)(end - p), p, argv[0]);
		execve(full, argv, env);
		/* Keep the most telling error, as execvp does. */
		if (errno != ENOENT && errno != ENOTDIR)
			err = errno;
		free(full);
		if (*end == '\0')
			break;
	}
	child_fail(STEP_EXEC, err, argv[0]);
}

static void __attribute__((noreturn))
child_main(const struct svc_conf *sc, int out_fd, int err_fd)
{
	struct strv	env = { 0 };
	size_t		i;

	child_signals();
	if (setsid() == -1)
		child_fail(STEP_SETUP, errno, "setsid");
	child_stdio(out_fd, err_fd);
	umask(sc->umask);

	env_set(&env, "PATH=" DEFAULT_PATH);
	child_identity(sc, &env);
	for (i = 0; sc->env[i] != NULL; i++)
		env_set(&env, sc->env[i]);

	if (chdir(sc->workdir) == -1)
		child_fail(STEP_WORKDIR, errno, sc->workdir);
	child_exec(sc->argv, env.v);
}

pid_t
spawn_service(const struct svc_conf *sc, int out_fd, int err_fd,
    int *report_fd)
{
	int	p[2];
	pid_t	pid;

	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	switch ((pid = fork())) {
	case -1:
		close(p[0]);
		close(p[1]);
		return -1;
	case 0:
		close(p[0]);
		report_wfd = p[1];
		child_main(sc, out_fd, err_fd);
	}
	close(p[1]);
	set_nonblock(p[0]);
	*report_fd = p[0];
	return pid;
}

void
spawn_report_str(const struct spawn_report *r, char *out, size_t len)
{
	static const char *const steps[] = {
		[STEP_NONE] = "spawn",
		[STEP_SETUP] = "setup",
		[STEP_USER] = "user",
		[STEP_GROUP] = "group",
		[STEP_GROUPS] = "groups",
		[STEP_SETGID] = "setgid",
		[STEP_SETUID] = "setuid",
		[STEP_WORKDIR] = "workdir",
		[STEP_EXEC] = "exec",
	};
	const char	*step = "spawn", *why;
	char		 what[sizeof r->what + 1];

	if (r->step >= 0 && (size_t)r->step < sizeof steps / sizeof *steps)
		step = steps[r->step];
	memcpy(what, r->what, sizeof r->what);
	what[sizeof r->what] = '\0';
	if (r->err == 0 && (r->step == STEP_USER || r->step == STEP_GROUP ||
	    r->step == STEP_GROUPS))
		why = "no such user or group";
	else
		why = strerror(r->err);
	snprintf(out, len, "%s %s: %s", step, what, why);
}

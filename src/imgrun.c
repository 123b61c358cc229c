/* SPDX-License-Identifier: ISC */
/*
 * imgrun.c: supd-image as a child of supd (imgrun.h). Forked, not cloned
 * as a service is: it runs in supd's namespaces as root, with supd's
 * environment, its stdin /dev/null, its stdout and stderr pipes read by
 * ev_io watchers into bounded buffers (its output is a line; more is
 * dropped), a session of its own and PR_SET_PDEATHSIG (it ends with supd;
 * what it left in the store's tmp/ is its next run's to clean). Its end
 * comes from supd's SIGCHLD watcher (imgrun_reaped), after which the
 * pipes hold all they ever will: they are drained, and the starter told.
 */
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imgrun.h"
#include "util.h"
#include "values.h"

#define OUT_MAX		(64 * 1024)	/* kept of each stream */

struct imgrun {
	pid_t		 pid;
	int		 fd[2];		/* stdout, stderr; -1 once closed */
	ev_io		 w[2];
	struct buf	 b[2];
	imgrun_done_fn	*done;		/* NULL: forgotten */
	void		*arg;
	struct imgrun	*next;
};

static struct imgrun	*runs;

/* supd-image beside supd's executable (the build dir, or SBINDIR). */
static const char *
program(void)
{
	static char	 path[PATH_MAX];
	char		 exe[PATH_MAX];
	ssize_t		 n;

	if (path[0] != '\0')
		return path;
	if ((n = readlink("/proc/self/exe", exe, sizeof exe - 1)) <= 0)
		return NULL;
	exe[n] = '\0';
	snprintf(path, sizeof path, "%s/supd-image", dirname(exe));
	return path;
}

/* Read what is there; false at EOF or an error (the stream is over). */
static bool
drain(struct imgrun *r, int i)
{
	char	chunk[4096];
	ssize_t	n;

	while ((n = read(r->fd[i], chunk, sizeof chunk)) != 0) {
		if (n == -1)
			return errno == EAGAIN || errno == EINTR;
		if (r->b[i].len + n <= OUT_MAX)
			buf_add(&r->b[i], chunk, n);
	}
	return false;
}

static void
stream_close(struct imgrun *r, int i)
{
	if (r->fd[i] == -1)
		return;
	ev_io_stop(EV_DEFAULT_UC_ &r->w[i]);
	close(r->fd[i]);
	r->fd[i] = -1;
}

static void
out_cb(EV_P_ ev_io *w, int revents)
{
	struct imgrun	*r = w->data;
	int		 i = w == &r->w[0] ? 0 : 1;

	(void)EV_A;
	(void)revents;
	if (!drain(r, i))
		stream_close(r, i);
}

static void __attribute__((noreturn))
child(char *const *args, int out, int err)
{
	const char	*prog = program();
	struct sigaction sa = { .sa_handler = SIG_DFL };
	sigset_t	 none;
	char		**argv;
	size_t		 n;
	int		 null, sig;

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* A fork, not supd's memory: every disposition back as it is. */
	for (sig = 1; sig < NSIG; sig++)
		(void)sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	(void)setsid();
	if ((null = open("/dev/null", O_RDONLY)) == -1 || dup2(null, 0) == -1 ||
	    dup2(out, 1) == -1 || dup2(err, 2) == -1)
		_exit(126);
	(void)syscall(SYS_close_range, 3, ~0U, 0);
	/* A fork of its own: allocating here leaves nothing in supd. */
	for (n = 0; args[n] != NULL; n++)
		;
	argv = xcalloc(n + 2, sizeof *argv);
	argv[0] = "supd-image";
	memcpy(argv + 1, args, n * sizeof *args);
	execv(prog, argv);
	dprintf(2, "supd-image: %s: %s\n", prog, strerror(errno));
	_exit(127);
}

struct imgrun *
imgrun_start(char *const *args, imgrun_done_fn *done, void *arg,
    char **cause)
{
	struct imgrun	*r;
	int		 po[2], pe[2], i;

	if (program() == NULL) {
		*cause = errno_cause("supd-image: /proc/self/exe");
		return NULL;
	}
	if (pipe2(po, O_CLOEXEC) == -1) {
		*cause = errno_cause("supd-image: pipe");
		return NULL;
	}
	if (pipe2(pe, O_CLOEXEC) == -1) {
		*cause = errno_cause("supd-image: pipe");
		close_pair(po);
		return NULL;
	}
	r = xcalloc(1, sizeof *r);
	if ((r->pid = fork()) == -1) {
		*cause = errno_cause("supd-image: fork");
		close_pair(po);
		close_pair(pe);
		free(r);
		return NULL;
	}
	if (r->pid == 0)
		child(args, po[1], pe[1]);
	close(po[1]);
	close(pe[1]);
	r->fd[0] = po[0];
	r->fd[1] = pe[0];
	for (i = 0; i < 2; i++) {
		set_nonblock(r->fd[i]);
		ev_io_init(&r->w[i], out_cb, r->fd[i], EV_READ);
		r->w[i].data = r;
		ev_io_start(EV_DEFAULT_UC_ &r->w[i]);
	}
	r->done = done;
	r->arg = arg;
	r->next = runs;
	runs = r;
	return r;
}

pid_t
imgrun_pid(const struct imgrun *r)
{
	return r->pid;
}

void
imgrun_forget(struct imgrun *r)
{
	r->done = NULL;
}

/* Its error: the first line of stderr, else how it ended (allocated). */
static char *
error_line(struct imgrun *r, int status)
{
	const char	*sig;
	size_t		 len;

	if (r->b[1].len > 0) {
		len = strcspn(r->b[1].p, "\n");
		if (len > 0)
			return xstrndup(r->b[1].p, len);
	}
	if (WIFSIGNALED(status)) {
		sig = signal_name(WTERMSIG(status));
		return sig != NULL ? xasprintf("supd-image: killed by %s", sig) :
		    xasprintf("supd-image: killed by signal %d",
		    WTERMSIG(status));
	}
	return xasprintf("supd-image: exited with status %d",
	    WEXITSTATUS(status));
}

void
imgrun_end(void)
{
	struct imgrun	*r;

	while ((r = runs) != NULL) {
		(void)kill(r->pid, SIGKILL);
		/* Never reaped by supd now: ends here, killed. */
		imgrun_reaped(r->pid, SIGKILL);
	}
}

bool
imgrun_reaped(pid_t pid, int status)
{
	struct imgrun	**pp, *r;
	char		 *err = NULL;
	bool		  ok;
	int		  i;

	for (pp = &runs; *pp != NULL && (*pp)->pid != pid; pp = &(*pp)->next)
		;
	if ((r = *pp) == NULL)
		return false;
	*pp = r->next;
	for (i = 0; i < 2; i++) {
		if (r->fd[i] != -1)
			(void)drain(r, i);
		stream_close(r, i);
		buf_add(&r->b[i], "", 1);
		r->b[i].len--;
	}
	ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
	if (!ok)
		err = error_line(r, status);
	if (r->done != NULL)
		r->done(r->arg, ok, r->b[0].p, err);
	free(err);
	buf_free(&r->b[0]);
	buf_free(&r->b[1]);
	free(r);
	return true;
}

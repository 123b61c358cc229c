/* SPDX-License-Identifier: ISC */
/*
 * service-spawn.c: a service's processes, from supd's side.
 *
 * Prepares what the child needs (log pipes, volumes, a network namespace to
 * join, the readiness channel), clones it (src/spawn.c), reads its report
 * (EOF at exec, or the step that failed), finds it again by pid when it is
 * reaped, and signals it. Each turns into an event of the state table.
 * supctl exec's processes are started here too, kept by pid until reaped,
 * and killed when the main process is.
 *
 * Children are never polled: the SIGCHLD watcher in supd.c calls
 * svc_reaped(); a pid is only ever signalled while it is our unreaped child,
 * so it cannot have been reused.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <ev.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "leftovers.h"
#include "log.h"
#include "service-private.h"
#include "spawn.h"
#include "svclog.h"

#define PID_BUCKETS 1024
static struct service	*pid_hash[PID_BUCKETS];

static void
pid_add(struct service *s)
{
	struct service	**b = &pid_hash[s->pid % PID_BUCKETS];

	s->pid_next = *b;
	*b = s;
}

void
svc_pid_del(struct service *s)
{
	struct service	**b = &pid_hash[s->pid % PID_BUCKETS];

	for (; *b != NULL; b = &(*b)->pid_next)
		if (*b == s) {
			*b = s->pid_next;
			break;
		}
	s->pid_next = NULL;
}

/* Read the child's report: 1 = a failure report, 0 = EOF (exec), -1 = not yet. */
static int
read_report(struct service *s)
{
	struct spawn_report	r;
	char			msg[256];
	ssize_t			n;

	if (s->report_fd == -1)
		return s->spawn_failed ? 1 : 0;
	n = read(s->report_fd, &r, sizeof r);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return -1;
	ev_io_stop(EV_DEFAULT_UC_ &s->report_w);
	close(s->report_fd);
	s->report_fd = -1;
	if (n == (ssize_t)sizeof r) {
		spawn_report_str(&r, msg, sizeof msg);
		svc_set_reason(s, msg);
		s->spawn_failed = true;
		log_warnx("%s: cannot start: %s", s->conf->name, msg);
		return 1;
	}
	if (n != 0) {
		svc_set_reason(s, "spawn: short report from child");
		s->spawn_failed = true;
		return 1;
	}
	return 0;
}

/*
 * The process is gone: its report pipe holds all it ever will. Read it now,
 * in any state: a stop during the start leaves it unread, and the start that
 * may follow at once (a restart, a reload) must find neither its watcher
 * still active -- ev_io_init on an active watcher corrupts libev, which then
 * spins on the stale fd -- nor its fd open.
 */
static void
report_settle(struct service *s)
{
	if (s->report_fd != -1 && read_report(s) == -1) {
		/* Dead, yet no EOF: cannot happen with the pipe's only
		 * writer gone; treat as an exec that ran. */
		ev_io_stop(EV_DEFAULT_UC_ &s->report_w);
		close(s->report_fd);
		s->report_fd = -1;
	}
}

static void
report_cb(EV_P_ ev_io *w, int revents)
{
	struct service	*s = w->data;
	int		 r;

	(void)EV_A;
	(void)revents;
	if ((r = read_report(s)) == 0)
		svc_event(s, SE_EXEC);
	/* A failure report waits for the exit, which follows at once. */
}

/*
 * A spawn that failed in supd itself, for the cause a step handed up
 * (taken, freed here): logged once, kept as the reason; the caller handles
 * it as a failed run (ended_starting).
 */
static void
start_failed(struct service *s, char *cause)
{
	log_warnx("%s: cannot start: %s", s->conf->name, cause);
	svc_set_reason(s, cause);
	free(cause);
	s->spawn_failed = true;
	s->report_fd = -1;
}

/* network = container:NAME: that service's process, whose network
 * namespace iso_prepare opens (0: none, or no such service). */
static pid_t
netns_pid(const struct service *s)
{
	const struct service	*o;

	if (s->conf->iso.net != NET_CONTAINER ||
	    (o = svc_find(s->conf->iso.net_container)) == NULL)
		return 0;
	return o->pid;
}

/* What a spawn holds only until the clone is done. */
static void
spawn_args_release(struct spawn_args *a)
{
	int	saved = errno;

	if (a->ready_wfd != -1)
		close(a->ready_wfd);
	a->ready_wfd = -1;
	iso_prep_release(&a->iso);
	errno = saved;
}

/* Everything the child needs from supd (sc: what the run uses); -1
 * after reporting the failure. */
static int
spawn_prepare(struct service *s, const struct svc_conf *sc,
    struct spawn_args *a)
{
	char	*cause = NULL;
	int	 rp[2];

	if (svc_limits_start(s, &cause) == -1) {
		start_failed(s, cause);
		return -1;
	}
	if (svclog_open(s->log, &cause) == -1) {
		start_failed(s, cause);
		return -1;
	}
	svclog_child_fds(s->log, &a->out_fd, &a->err_fd);
	if (svclog_is_tty(s->log))
		a->tty_fd = a->out_fd;
	if (iso_prepare(sc, netns_pid(s), &a->iso, &cause) == -1) {
		start_failed(s, cause);
		return -1;
	}
	if (svc_net_prepare(s, a, &cause) == -1) {
		spawn_args_release(a);
		start_failed(s, cause);
		return -1;
	}
	/* Ports are bound while the child waits, as networks are plugged. */
	if (s->conf->iso.npublish > 0)
		a->hold = true;
	svc_ready_close(s);
	if (s->conf->ready != READY_EXEC && s->rd == NULL) {
		s->rd = xcalloc(1, sizeof *s->rd);
		s->rd->notify_fd = -1;
		s->rd->readyfd = -1;
	}
	if (s->conf->ready == READY_NOTIFY &&
	    (a->notify = svc_notify_open(s, &cause)) == NULL) {
		spawn_args_release(a);
		start_failed(s, cause);
		return -1;
	}
	if (s->conf->ready == READY_FD) {
		if (pipe2(rp, O_CLOEXEC) == -1) {
			start_failed(s, errno_cause("ready fd pipe"));
			spawn_args_release(a);
			return -1;
		}
		set_nonblock(rp[0]);
		s->rd->readyfd = rp[0];
		a->ready_wfd = rp[1];
		ev_io_init(&s->rd->ready_w, svc_ready_cb, rp[0], EV_READ);
		s->rd->ready_w.data = s;
		ev_io_start(EV_DEFAULT_UC_ &s->rd->ready_w);
	}
	return 0;
}

/*
 * A held child (bridge networks, published ports) plugged into its
 * networks, its ports bound, and let go; if that fails it is let go to
 * exit at once, the run a failed start (no report pipe, the reason ours).
 */
static void
gate_pass(struct service *s, struct spawn_child *c)
{
	const struct svc_conf	*sc = s->conf;
	char			*cause = NULL;
	pid_t			 shared = netns_pid(s);

	if ((sc->iso.net != NET_BRIDGE || sc->iso.nets == NULL ||
	    svc_net_attach(s, c->pid, &cause) == 0) &&
	    svc_pub_open(s, shared != 0 ? shared : c->pid, &cause) == 0) {
		spawn_gate_open(c->gate_fd);
		return;
	}
	close(c->gate_fd);	/* the child reads EOF and exits 127 */
	start_failed(s, cause);
	close(c->report_fd);
	c->report_fd = -1;
}

/* Clone the process into its namespaces: STARTING, or what a failed run
 * leads to. */
enum svc_state
svc_spawn(struct service *s)
{
	struct spawn_args	a = { .tty_fd = -1, .ready_wfd = -1,
				    .cgroup_fd = -1 };
	struct spawn_child	c = { .gate_fd = -1 };
	struct svc_conf		tmp;
	const struct svc_conf	*sc;
	char			*cause = NULL;
	int			r;

	s->spawn_failed = false;
	s->oom_run = false;
	s->exit_pending = false;
	s->exit_code = -1;
	s->exit_signal = 0;
	s->cmd_pid = 0;
	s->started_ms = now_ms();
	svc_set_reason(s, NULL);
	/* An image not stored yet: unpacked first, while s waits. */
	if ((r = svc_image_ready(s, &cause)) == 0)
		return SVC_WAITING;
	if (r == -1) {
		start_failed(s, cause);
		return svc_ended_starting(s);
	}
	sc = svc_image_conf(s, &tmp);
	if ((cause = svc_ns_missing(s->conf)) != NULL ||
	    svc_cg_prepare(s, &cause) == -1) {
		start_failed(s, cause);
		return svc_ended_starting(s);
	}
	if (s->cg != NULL)
		a.cgroup_fd = cg_dirfd(s->cg);
	if (spawn_prepare(s, sc, &a) == -1)
		return svc_ended_starting(s);
	a.in_fd = s->stdin_fd > 0 ? s->stdin_fd : 0;
	r = spawn_service(sc, &a, &c);
	spawn_args_release(&a);
	/* supctl run -i: the caller's stdin is the first run's only. */
	if (s->stdin_fd > 0) {
		close(s->stdin_fd);
		s->stdin_fd = -1;
	}
	if (r == -1) {
		start_failed(s, errno_cause("%sclone", s->conf->iso.ns ?
		    "namespaces: " : ""));
		return svc_ended_starting(s);
	}
	if (c.gate_fd != -1)
		gate_pass(s, &c);
	s->pid = c.pid;
	s->report_fd = c.report_fd;
	s->status_fd = c.status_fd;
	pid_add(s);
	/* With a pid namespace, everything dies with its first process. */
	if (!(s->conf->iso.ns & CLONE_NEWPID))
		leftovers_record(&s->rec_slot, s->conf->name, s->pid);
	if (s->report_fd == -1) {
		/* No report pipe: a failed plug (its reason given), or a
		 * failed map that could not be reported. */
		if (!s->spawn_failed)
			svc_set_reason(s, "user namespace: cannot report");
		s->spawn_failed = true;
		return SVC_STARTING;
	}
	ev_io_init(&s->report_w, report_cb, s->report_fd, EV_READ);
	s->report_w.data = s;
	ev_io_start(EV_DEFAULT_UC_ &s->report_w);
	return SVC_STARTING;
}

/*
 * supctl exec, in the service's group like its own processes: held by its
 * limits, frozen by pause, ended by stop. A paused service takes none, as
 * docker refuses an exec into a paused container: the process would hang
 * frozen before its first step.
 */
pid_t
svc_exec(struct service *s, char **argv, const int *fds, bool tty,
    const char **errstr)
{
	struct svc_conf	tmp;
	pid_t		pid;

	if (s->state == SVC_PAUSED) {
		*errstr = "paused (unpause it before exec)";
		return -1;
	}
	if (s->pid == 0 || s->state != SVC_RUNNING) {
		*errstr = "not running";
		return -1;
	}
	if ((pid = spawn_exec(svc_image_conf(s, &tmp), s->pid, argv, fds, tty,
	    s->cg != NULL ? cg_dirfd(s->cg) : -1)) == -1) {
		*errstr = strerror(errno);
		return -1;
	}
	log_info("%s: exec %s, pid %d", s->conf->name, argv[0], (int)pid);
	s->execs = xreallocarray(s->execs, s->nexecs + 1, sizeof *s->execs);
	s->execs[s->nexecs++] = pid;
	return pid;
}

/*
 * The main process is gone: so are the exec sessions, as docker's end
 * with a container's main process. SIGKILL to each exec process (still
 * our unreaped child: its pid cannot have been reused) takes its command
 * with it (PR_SET_PDEATHSIG); what they left in the group goes with the
 * group. They are forgotten as they are reaped.
 */
static void
exec_end(struct service *s)
{
	size_t	i;

	if (s->nexecs == 0)
		return;
	log_info("%s: main process gone: %zu exec process%s killed",
	    s->conf->name, s->nexecs, s->nexecs == 1 ? "" : "es");
	for (i = 0; i < s->nexecs; i++)
		(void)kill(s->execs[i], SIGKILL);
}

/* A reaped pid that is one service's exec process: forgotten. */
static void
exec_forget(pid_t pid)
{
	struct service	*s;
	size_t		 i, j;

	for (i = 0; i < svc_reg.n; i++) {
		s = svc_reg.svcs[i];
		for (j = 0; j < s->nexecs; j++)
			if (s->execs[j] == pid) {
				s->execs[j] = s->execs[--s->nexecs];
				return;
			}
	}
}

int
svc_signal(struct service *s, int sig, const char **errstr)
{
	if (s->pid == 0 || (s->state != SVC_RUNNING &&
	    s->state != SVC_STARTING && s->state != SVC_STOPPING &&
	    s->state != SVC_PAUSED)) {
		*errstr = "not running";
		return -1;
	}
	if (kill(s->pid, sig) == -1) {
		*errstr = strerror(errno);
		return -1;
	}
	return 0;
}

bool
svc_reaped(pid_t pid, int status)
{
	struct service	*s;

	for (s = pid_hash[pid % PID_BUCKETS]; s != NULL; s = s->pid_next)
		if (s->pid == pid)
			break;
	if (s == NULL) {
		if (svc_health_reaped(pid, status))
			return true;
		exec_forget(pid);	/* exec (the client answers), orphan */
		return false;
	}
	svc_pid_del(s);
	leftovers_forget(&s->rec_slot, s->conf->name);
	s->last_pid = svc_main_pid(s);
	s->pid = 0;
	s->cmd_pid = 0;
	svc_health_end(s);
	exec_end(s);
	svc_pub_close(s);
	if (s->status_fd != -1) {
		int	cst;

		/* The init wrote the command's own status before it exited. */
		if (read(s->status_fd, &cst, sizeof cst) == sizeof cst)
			status = cst;
		close(s->status_fd);
		s->status_fd = -1;
	}
	s->ended_ms = now_ms();
	if (WIFSIGNALED(status)) {
		s->exit_signal = WTERMSIG(status);
		s->exit_code = -1;
	} else {
		s->exit_code = WEXITSTATUS(status);
		s->exit_signal = 0;
	}
	/* Whatever the main process left in its group goes with it, and
	 * its last words are logged before anything else happens. */
	(void)kill(-pid, SIGKILL);
	svclog_run_ended(s->log);
	report_settle(s);
	/* With a cgroup, EXIT once nothing of the service is left. */
	if (!svc_cg_reaped(s))
		svc_event(s, SE_EXIT);
	return true;
}

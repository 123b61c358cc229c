/* SPDX-License-Identifier: ISC */
/*
 * service.c: the registry of services and their lifecycle.
 *
 * A service is its definition (struct svc_conf, never modified) plus runtime
 * state. Every change of state goes through svc_event(), which reads the
 * transition from one state x event table, as s6-supervise does; the
 * action returns the next state and svc_step() alone assigns it. What a
 * transition sets off elsewhere (dependents, the shutdown order) is queued
 * and runs after it, in order, never inside it.
 *
 * Restart policy: a run ends with a failure when the spawn failed, the
 * process died by a signal or exited non-zero. `failures` counts failures in
 * a row (on-failure:N gives up after N restarts), `streak` counts short runs
 * in a row whatever their status (the backoff doubles with it). A run that
 * lasted stable_after resets both.
 *
 * Children are never polled: the SIGCHLD watcher in supd.c calls
 * svc_reaped(); a pid is only ever signalled while it is our unreaped child,
 * so it cannot have been reused.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
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

#include "log.h"
#include "deps.h"
#include "leftovers.h"
#include "notify.h"
#include "service.h"
#include "spawn.h"
#include "svclog.h"
#include "values.h"

enum svc_ev {
	SE_START,	/* start requested (boot, supctl, a dependent) */
	SE_STOP,	/* stop requested (supctl, reload, shutdown) */
	SE_RESTART,	/* restart requested (supctl): counters reset */
	SE_RELOAD,	/* reload left a new definition in next_conf */
	SE_UNHEALTHY,	/* on_unhealthy = restart: supd's own, counted */
	SE_EXEC,	/* the report pipe closed empty: exec succeeded */
	SE_EXIT,	/* the main process was reaped */
	SE_TIMER,	/* backoff elapsed, or stop_timeout elapsed */
	SE_READY,	/* ready = notify / fd:N / health: it is ready */
	SE_DEP_READY,	/* a dependency is done (or: check the dependencies) */
	SE_DEP_GONE,	/* a dependency stopped or failed for good */
	SE_DEP_RESTART,	/* a dependency is restarting */
	SE_N
};

/* Only services with ready = notify or fd:N carry this (memory: most don't). */
struct readiness {
	int		 notify_fd;	/* ready = notify: our datagram socket */
	char		*notify_path;	/* its path */
	ev_io		 notify_w;
	int		 readyfd;	/* ready = fd:N: read end of the pipe */
	ev_io		 ready_w;
};

/* Health checking of a running service ([health]), allocated with it. */
enum health_state {
	H_NONE,		/* not checked (yet) */
	H_STARTING,	/* checks run, none passed yet */
	H_HEALTHY,
	H_UNHEALTHY,	/* `retries` failures in a row */
};

struct health {
	enum health_state state;
	pid_t		 pid;		/* the running check (an exec process) */
	ev_timer	 timer;		/* next check, the running one's timeout,
					   or the SIGKILL of a timed-out one */
	bool		 ending;	/* pid timed out: TERM sent, not reaped */
	unsigned	 fails;		/* failures in a row */
	int		 last;		/* last check's exit code (-1 timeout) */
	unsigned	 runs;		/* checks started, timeouts among them, */
	unsigned	 timeouts;	/* and those that needed SIGKILL */
	unsigned	 killed;
};

struct service {
	struct svc_conf	*conf;		/* current definition */
	struct svc_conf	*next_conf;	/* reload: definition to use once stopped */
	struct svclog	*log;		/* output pipes and log files */
	enum svc_state	 state;
	pid_t		 pid;		/* our child (the init or the command), 0 if none */
	pid_t		 cmd_pid;	/* the command under an init, 0 if unknown */
	int		 status_fd;	/* init: the command's wait status arrives here */
	uint64_t	 started_ms;	/* monotonic time of the last spawn */
	uint64_t	 running_ms;	/* monotonic time exec was confirmed */
	unsigned	 restarts;	/* automatic restarts since last started */
	unsigned	 failures;	/* failures in a row (on-failure:N) */
	unsigned	 streak;	/* short runs in a row (backoff) */
	int		 exit_code;	/* last exit code, -1 if none */
	int		 exit_signal;	/* signal that ended the last run, 0 if none */
	char		*reason;	/* why the state is what it is, or NULL */
	pid_t		 last_pid;	/* main pid of the run that just ended,
					   for its log lines */
	/*
	 * The three flags left are not the lifecycle, which is s->state:
	 * spawn_failed is an outcome of the run, like exit_code (the restart
	 * policy reads it); removed is membership of the registry (a removed
	 * service goes through the same states and is freed once STOPPED);
	 * boot_start is membership of the boot queue (the service is STOPPED
	 * until its turn, yet its dependents wait for it).
	 */
	bool		 spawn_failed;	/* the run failed to start */
	bool		 removed;	/* reload dropped it: free once stopped */
	bool		 boot_start;	/* to be started by the boot queue */
	struct readiness *rd;		/* ready = notify | fd:N, else NULL */
	struct health	*health;	/* [health] cmd set, else NULL */
	int		 report_fd;	/* read end of the spawn report pipe */
	ev_io		 report_w;
	ev_timer	 timer;
	struct service	*pid_next;	/* pid hash chain */
};

static struct service	**svcs;		/* sorted by name */
static size_t		  nsvcs;
static const struct supd_conf *mconf;
static struct svc_hooks	  hooks;
static bool		  shutting_down;
static ev_idle		  boot_w;	/* starts boot_start services, a batch
					   per idle loop turn, so the control
					   socket answers during a big boot */
static size_t		  boot_cursor;
#define BOOT_BATCH	  64

#define PID_BUCKETS 1024
static struct service	*pid_hash[PID_BUCKETS];

static void	svc_event(struct service *, enum svc_ev);
static void	svc_event_dep(struct service *, enum svc_ev, struct service *);
static void	svc_free(struct service *);
static void	deps_fanout(struct service *);
static pid_t	main_pid(const struct service *);
static void	shutdown_step(void);
static bool	any_deps;		/* some service has after/requires */

const char *
svc_state_name(enum svc_state st)
{
	static const char *const names[SVC_NSTATES] = {
		"stopped", "starting", "running", "backoff", "stopping",
		"exited", "failed",
		/* Not new names: what users see of them (docs/design.md). */
		"starting", "stopping"
	};

	return st < SVC_NSTATES ? names[st] : "?";
}

static void
pid_add(struct service *s)
{
	struct service	**b = &pid_hash[s->pid % PID_BUCKETS];

	s->pid_next = *b;
	*b = s;
}

static void
pid_del(struct service *s)
{
	struct service	**b = &pid_hash[s->pid % PID_BUCKETS];

	for (; *b != NULL; b = &(*b)->pid_next)
		if (*b == s) {
			*b = s->pid_next;
			break;
		}
	s->pid_next = NULL;
}

static void
set_reason(struct service *s, const char *reason)
{
	free(s->reason);
	s->reason = reason != NULL ? xstrdup(reason) : NULL;
}

/* An essential service that ended for good takes supd with it. */
static void
essential_check(struct service *s)
{
	int	code;

	if (!s->conf->essential || shutting_down || hooks.essential == NULL ||
	    (s->state != SVC_EXITED && s->state != SVC_FAILED))
		return;
	code = s->exit_signal != 0 ? 128 + s->exit_signal :
	    s->exit_code >= 0 ? s->exit_code : 127;
	hooks.essential(s, code);
}

static void
timer_arm(struct service *s, uint64_t ms)
{
	ev_timer_stop(EV_DEFAULT_UC_ &s->timer);
	ev_timer_set(&s->timer, ms / 1000.0, 0.);
	ev_timer_start(EV_DEFAULT_UC_ &s->timer);
}

static void
timer_cb(EV_P_ ev_timer *w, int revents)
{
	(void)EV_A;
	(void)revents;
	svc_event(w->data, SE_TIMER);
}

/*
 * unless-stopped: a manual stop persists in state_dir/stopped/NAME, made
 * whole or not at all (a temporary file synced, then renamed, then the
 * directory synced), never through a symlink.
 */
static void
persist_stopped(struct service *s, bool stopped)
{
	char	*dir, *tmp;
	int	 dfd, fd = -1;

	if (s->conf->restart != RESTART_UNLESS_STOPPED)
		return;
	dir = xasprintf("%s/stopped", mconf->state_dir);
	tmp = xasprintf(".%s.tmp", s->conf->name);
	if (stopped && mkdir(dir, 0700) == -1 && errno != EEXIST)
		log_warn("%s: %s", s->conf->name, dir);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		if (stopped || errno != ENOENT)
			log_warn("%s: %s", s->conf->name, dir);
	} else if (!stopped) {
		if (unlinkat(dfd, s->conf->name, 0) == -1 && errno != ENOENT)
			log_warn("%s: %s/%s", s->conf->name, dir,
			    s->conf->name);
	} else if ((fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC |
	    O_NOFOLLOW | O_CLOEXEC, 0600)) == -1 || fsync(fd) == -1 ||
	    renameat(dfd, tmp, dfd, s->conf->name) == -1 || fsync(dfd) == -1) {
		log_warn("%s: %s/%s", s->conf->name, dir, s->conf->name);
		(void)unlinkat(dfd, tmp, 0);
	}
	if (fd != -1)
		close(fd);
	if (dfd != -1)
		close(dfd);
	free(tmp);
	free(dir);
}

static bool
persisted_stopped(const struct svc_conf *sc)
{
	struct stat	 st;
	char		*path;
	bool		 r;

	if (sc->restart != RESTART_UNLESS_STOPPED)
		return false;
	path = xasprintf("%s/stopped/%s", mconf->state_dir, sc->name);
	r = lstat(path, &st) == 0 && S_ISREG(st.st_mode);
	free(path);
	return r;
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
		set_reason(s, msg);
		s->spawn_failed = true;
		log_warnx("%s: cannot start: %s", s->conf->name, msg);
		return 1;
	}
	if (n != 0) {
		set_reason(s, "spawn: short report from child");
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
 * A spawn that failed in supd itself: the caller handles it as a failed run
 * (ended_starting). The reason is the formatted step followed by
 * ": strerror(errno)".
 */
static void ATTR_PRINTF(2, 3)
spawn_failed_here(struct service *s, const char *fmt, ...)
{
	char	msg[256];
	va_list	ap;
	int	saved = errno, n;

	va_start(ap, fmt);
	n = vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n < sizeof msg)
		snprintf(msg + n, sizeof msg - n, ": %s", strerror(saved));
	log_warnx("%s: cannot start: %s", s->conf->name, msg);
	set_reason(s, msg);
	s->spawn_failed = true;
	s->report_fd = -1;
}

/* network = container:NAME: that service's namespace, or -1 (errno set). */
static int
open_netns(struct service *s)
{
	struct service	*o = svc_find(s->conf->iso.net_container);
	char		 path[64];

	if (o == NULL || o->pid == 0) {
		errno = ESRCH;
		return -1;
	}
	snprintf(path, sizeof path, "/proc/%d/ns/net", (int)o->pid);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* ---- readiness: sd_notify socket and fd:N pipe --------------------------- */

/* A datagram from outside the service: dropped, one line a second at most. */
static void
notify_refused(struct service *s, pid_t sender)
{
	static uint64_t	last;
	static unsigned	quiet;
	uint64_t	now = now_ms();

	if (now - last < 1000) {
		quiet++;
		return;
	}
	log_warnx("%s: notify: datagram from pid %d (not in the service) "
	    "dropped%s", s->conf->name, (int)sender, quiet ? " (and more)" :
	    "");
	last = now;
	quiet = 0;
}

static void
notify_cb(EV_P_ ev_io *w, int revents)
{
	struct service	*s = w->data;
	char		 buf[4096], *status = NULL;
	bool		 ready = false;
	pid_t		 sender;
	int		 i;

	(void)EV_A;
	(void)revents;
	for (i = 0; i < NOTIFY_BATCH; i++) {
		if (notify_recv(s->rd->notify_fd, buf, sizeof buf, &sender) <= 0)
			break;
		if (s->pid == 0)
			continue;	/* nothing runs: not for us */
		if (!notify_sender_ok(sender, s->pid, s->conf->iso.ns &
		    CLONE_NEWPID, s->conf->iso.ns & CLONE_NEWNS)) {
			notify_refused(s, sender);
			continue;
		}
		notify_parse(buf, &ready, &status);
	}
	if (ready && s->state == SVC_STARTING)
		svc_event(s, SE_READY);
	/* The service's own words, shown while it runs. */
	if (status != NULL && s->state == SVC_RUNNING)
		set_reason(s, *status != '\0' ? status : NULL);
	free(status);
}

/* ready = notify: a datagram socket next to the control socket. */
static const char *
notify_open(struct service *s)
{
	char	*dir, *cause;
	int	 fd;

	if (s->rd->notify_fd != -1)
		return s->rd->notify_path;
	/* DIR/supd.sock -> DIR/notify/NAME (the socket path is absolute). */
	dir = xasprintf("%.*s/notify", (int)(strrchr(mconf->socket, '/') -
	    mconf->socket), mconf->socket);
	free(s->rd->notify_path);
	s->rd->notify_path = xasprintf("%s/%s", dir, s->conf->name);
	fd = notify_bind(dir, s->conf->name, s->conf->iso.ns & CLONE_NEWUSER ?
	    SPAWN_USERNS_BASE : geteuid(), &cause);
	free(dir);
	if (fd == -1) {
		log_warnx("%s: notify: %s", s->conf->name, cause);
		free(cause);
		return NULL;
	}
	s->rd->notify_fd = fd;
	ev_io_init(&s->rd->notify_w, notify_cb, fd, EV_READ);
	s->rd->notify_w.data = s;
	ev_io_start(EV_DEFAULT_UC_ &s->rd->notify_w);
	return s->rd->notify_path;
}

static void
notify_close(struct service *s)
{
	if (s->rd == NULL || s->rd->notify_fd == -1)
		return;
	ev_io_stop(EV_DEFAULT_UC_ &s->rd->notify_w);
	close(s->rd->notify_fd);
	s->rd->notify_fd = -1;
	(void)unlink(s->rd->notify_path);
}

static void
ready_close(struct service *s)
{
	if (s->rd == NULL || s->rd->readyfd == -1)
		return;
	ev_io_stop(EV_DEFAULT_UC_ &s->rd->ready_w);
	close(s->rd->readyfd);
	s->rd->readyfd = -1;
}

/* ready = fd:N: a newline on the pipe means ready (s6's convention). */
static void
ready_cb(EV_P_ ev_io *w, int revents)
{
	struct service	*s = w->data;
	char		 buf[512];
	ssize_t		 n;

	(void)EV_A;
	(void)revents;
	n = read(s->rd->readyfd, buf, sizeof buf);
	if (n > 0 && memchr(buf, '\n', n) != NULL) {
		ready_close(s);
		if (s->state == SVC_STARTING)
			svc_event(s, SE_READY);
	} else if (n == 0 || (n == -1 && errno != EAGAIN && errno != EINTR))
		ready_close(s);		/* closed without a word */
}

/* Named volumes live in state_dir/volumes; a user namespace's root owns
 * its own. -1 (errno set, *what named) if one cannot be made. */
static int
named_volumes(const struct svc_conf *sc, const char **what)
{
	size_t	i;

	for (i = 0; i < sc->iso.nvolumes; i++) {
		const struct volume *v = &sc->iso.volumes[i];

		if (v->name == NULL)
			continue;
		*what = v->src;
		if (mkdir_p(v->src, 0755) == -1)
			return -1;
		if ((sc->iso.ns & CLONE_NEWUSER) && chown(v->src,
		    SPAWN_USERNS_BASE, SPAWN_USERNS_BASE) == -1)
			return -1;
	}
	return 0;
}

/* What a spawn holds only until the clone is done. */
static void
spawn_args_release(struct service *s, struct spawn_args *a)
{
	int	saved = errno;

	if (a->netns_fd != -1)
		close(a->netns_fd);
	if (a->ready_wfd != -1)
		close(a->ready_wfd);
	spawn_volumes_close(s->conf, (int *)a->volumes);
	a->netns_fd = a->ready_wfd = -1;
	a->volumes = NULL;
	errno = saved;
}

/* Everything the child needs from supd; -1 after reporting the failure. */
static int
spawn_prepare(struct service *s, struct spawn_args *a)
{
	const char	*what = "";
	int		 rp[2];

	if (svclog_open(s->log, &what) == -1) {
		spawn_failed_here(s, "%s", what);
		return -1;
	}
	svclog_child_fds(s->log, &a->out_fd, &a->err_fd);
	if (svclog_is_tty(s->log))
		a->tty_fd = a->out_fd;
	if (named_volumes(s->conf, &what) == -1 ||
	    ((a->volumes = spawn_volumes(s->conf, &what)) == NULL &&
	    errno != 0)) {
		spawn_failed_here(s, "volume %s", what);
		return -1;
	}
	if (s->conf->iso.net == NET_CONTAINER &&
	    (a->netns_fd = open_netns(s)) == -1) {
		spawn_args_release(s, a);
		spawn_failed_here(s, "network container:%s",
		    s->conf->iso.net_container);
		return -1;
	}
	ready_close(s);
	if (s->conf->ready != READY_EXEC && s->rd == NULL) {
		s->rd = xcalloc(1, sizeof *s->rd);
		s->rd->notify_fd = -1;
		s->rd->readyfd = -1;
	}
	if (s->conf->ready == READY_NOTIFY &&
	    (a->notify = notify_open(s)) == NULL) {
		spawn_args_release(s, a);
		spawn_failed_here(s, "ready notify socket");
		return -1;
	}
	if (s->conf->ready == READY_FD) {
		if (pipe2(rp, O_CLOEXEC) == -1) {
			spawn_args_release(s, a);
			spawn_failed_here(s, "ready fd pipe");
			return -1;
		}
		set_nonblock(rp[0]);
		s->rd->readyfd = rp[0];
		a->ready_wfd = rp[1];
		ev_io_init(&s->rd->ready_w, ready_cb, rp[0], EV_READ);
		s->rd->ready_w.data = s;
		ev_io_start(EV_DEFAULT_UC_ &s->rd->ready_w);
	}
	return 0;
}

static enum svc_state ended_starting(struct service *);

/* Clone the process into its namespaces: STARTING, or what a failed run
 * leads to. */
static enum svc_state
do_spawn(struct service *s)
{
	struct spawn_args	a = { .tty_fd = -1, .netns_fd = -1,
				    .ready_wfd = -1 };
	struct spawn_child	c;
	int			r;

	s->spawn_failed = false;
	s->exit_code = -1;
	s->exit_signal = 0;
	s->cmd_pid = 0;
	s->started_ms = now_ms();
	set_reason(s, NULL);
	if (spawn_prepare(s, &a) == -1)
		return ended_starting(s);
	r = spawn_service(s->conf, &a, &c);
	spawn_args_release(s, &a);
	if (r == -1) {
		spawn_failed_here(s, "%sclone", s->conf->iso.ns ?
		    "namespaces: " : "");
		return ended_starting(s);
	}
	s->pid = c.pid;
	s->report_fd = c.report_fd;
	s->status_fd = c.status_fd;
	pid_add(s);
	leftovers_record(s->conf->name, s->pid);
	if (s->report_fd == -1) {
		/* No report pipe at all: cannot happen but for a failed map. */
		s->spawn_failed = true;
		set_reason(s, "user namespace: cannot report");
		return SVC_STARTING;
	}
	ev_io_init(&s->report_w, report_cb, s->report_fd, EV_READ);
	s->report_w.data = s;
	ev_io_start(EV_DEFAULT_UC_ &s->report_w);
	return SVC_STARTING;
}

static uint64_t
backoff_ms(const struct service *s)
{
	uint64_t	d = s->conf->restart_delay_ms;
	unsigned	i;

	for (i = 1; i < s->streak && d < s->conf->restart_delay_max_ms; i++)
		d *= 2;
	return d < s->conf->restart_delay_max_ms ? d :
	    s->conf->restart_delay_max_ms;
}

static void
describe_exit(const struct service *s, char *buf, size_t len)
{
	const char	*sig;

	if (s->spawn_failed)
		snprintf(buf, len, "failed to start");
	else if (s->exit_signal != 0) {
		sig = signal_name(s->exit_signal);
		if (sig != NULL)
			snprintf(buf, len, "killed by %s", sig);
		else
			snprintf(buf, len, "killed by signal %d",
			    s->exit_signal);
	} else
		snprintf(buf, len, "exited with status %d", s->exit_code);
}

/* A run ended on its own: apply the restart policy, return where it leads. */
static enum svc_state
run_ended(struct service *s)
{
	const struct svc_conf	*c = s->conf;
	bool			 failed, restart;
	uint64_t		 lasted = now_ms() - s->started_ms, delay;
	char			 what[64];

	failed = s->spawn_failed || s->exit_signal != 0 || s->exit_code != 0;
	if (!s->spawn_failed && lasted >= c->stable_after_ms) {
		s->failures = 0;
		s->streak = 0;
	}
	s->streak++;
	s->failures = failed ? s->failures + 1 : 0;
	switch (c->restart) {
	case RESTART_NO:
		restart = false;
		break;
	case RESTART_ALWAYS:
	case RESTART_UNLESS_STOPPED:
		/* A oneshot that did its job is done, whatever the policy. */
		restart = !(c->type == TYPE_ONESHOT && !failed);
		break;
	case RESTART_ON_FAILURE:
		restart = failed;
		break;
	default:
		restart = true;
		break;
	}
	describe_exit(s, what, sizeof what);
	if (restart && c->restart_max > 0 && s->failures > c->restart_max) {
		log_warnx("%s: %s; gave up after %u restarts", c->name, what,
		    c->restart_max);
		if (!s->spawn_failed)
			set_reason(s, "restart limit reached");
		return SVC_FAILED;
	}
	if (!restart) {
		log_info("%s: %s", c->name, what);
		return s->spawn_failed ? SVC_FAILED : SVC_EXITED;
	}
	delay = backoff_ms(s);
	log_info("%s: %s; restarting in %llu ms", c->name, what,
	    (unsigned long long)delay);
	s->restarts++;
	/* Even a zero delay goes through the loop once: a spawn that fails
	 * at once must not recurse into the next. */
	timer_arm(s, delay);
	return SVC_BACKOFF;
}

static void
send_stop(struct service *s)
{
	/* The process group (the service is a session leader), then the
	 * main process only if it left its group: a second signal to it
	 * (or to an init, which forwards each one) is a second stop
	 * request, which many programs take as "now, without cleanup". */
	if (kill(-s->pid, s->conf->stop_signal) == -1 && errno != ESRCH)
		log_warn("%s: kill", s->conf->name);
	if (getpgid(s->pid) != s->pid)
		(void)kill(s->pid, s->conf->stop_signal);
	timer_arm(s, s->conf->stop_timeout_ms);
}

/* Stopped: a definition left by a reload takes effect now. */
static void
apply_next_conf(struct service *s)
{
	bool	tty_changed;

	ev_timer_stop(EV_DEFAULT_UC_ &s->timer);
	if (s->next_conf == NULL)
		return;
	tty_changed = s->next_conf->tty != s->conf->tty;
	cfg_svc_free(s->conf);
	s->conf = s->next_conf;
	s->next_conf = NULL;
	if (tty_changed) {
		/* A pipe becomes a terminal or back: a new svclog, the old
		 * one drained into the same files. */
		svclog_free(s->log);
		s->log = svclog_new(s->conf->name, &s->conf->log,
		    s->conf->tty);
	} else
		svclog_configure(s->log, &s->conf->log);
}

/* ---- health checks ------------------------------------------------------ */

static int	devnull = -1;

static const char *
health_name(enum health_state h)
{
	static const char *const names[] = { "", "starting", "healthy",
	    "unhealthy" };

	return names[h];
}

static void
health_arm(struct service *s, uint64_t ms)
{
	ev_timer_stop(EV_DEFAULT_UC_ &s->health->timer);
	ev_timer_set(&s->health->timer, ms / 1000.0, 0.);
	ev_timer_start(EV_DEFAULT_UC_ &s->health->timer);
}

/*
 * A check ended (code), or timed out (-1): count it, act on it. False if
 * it restarted the service (checks start again with it).
 */
static bool
health_result(struct service *s, int code)
{
	struct health		*h = s->health;
	const struct health_conf *hc = &s->conf->health;
	bool			 grace;
	char			*m;

	h->last = code;
	if (code == 0) {
		if (h->state != H_HEALTHY)
			log_info("%s: healthy", s->conf->name);
		h->fails = 0;
		h->state = H_HEALTHY;
		if (s->state == SVC_RUNNING && s->reason != NULL &&
		    strncmp(s->reason, "unhealthy", 9) == 0)
			set_reason(s, NULL);
		if (s->state == SVC_STARTING && s->conf->ready == READY_HEALTH)
			svc_event(s, SE_READY);
		if (hooks.changed != NULL)
			hooks.changed(s);
		return true;
	}
	/* In the start period a failure does not count. */
	grace = now_ms() - s->started_ms < hc->start_period_ms;
	if (!grace)
		h->fails++;
	if (grace || h->fails < hc->retries || h->state == H_UNHEALTHY)
		return true;
	h->state = H_UNHEALTHY;
	m = code == -1 ? xasprintf("unhealthy: check timed out %u times in a "
	    "row", h->fails) : xasprintf("unhealthy: check failed %u times in "
	    "a row (exit %d)", h->fails, code);
	log_info("%s: %s%s", s->conf->name, m, hc->restart &&
	    s->state == SVC_RUNNING ? "; restarting" : "");
	set_reason(s, m);
	free(m);
	if (hc->restart && s->state == SVC_RUNNING) {
		svc_event(s, SE_UNHEALTHY);
		return false;
	}
	return true;
}

/* The next check, one interval after the last one ended: never two at once. */
static void
health_next(struct service *s)
{
	if (s->pid != 0 && s->health->pid == 0)
		health_arm(s, s->conf->health.interval_ms);
}

/*
 * A check that outlived its timeout fails at once and gets SIGTERM; its
 * exec process SIGKILLs it SPAWN_EXEC_KILL_AFTER later, and supd kills the
 * exec process itself one second after that if it is still there. The
 * next check waits until it is reaped.
 */
static void
health_timeout(struct service *s)
{
	struct health	*h = s->health;

	if (h->ending) {
		log_warnx("%s: health check pid %d ignored SIGTERM: SIGKILL",
		    s->conf->name, (int)h->pid);
		(void)kill(h->pid, SIGKILL);
		h->killed++;
		return;
	}
	(void)kill(h->pid, SIGTERM);
	h->ending = true;
	h->timeouts++;
	health_arm(s, (SPAWN_EXEC_KILL_AFTER + 1) * 1000);
	(void)health_result(s, -1);
}

static void
health_timer_cb(EV_P_ ev_timer *w, int revents)
{
	struct service	*s = w->data;
	int		 fds[3];
	const char	*e;
	pid_t		 pid;

	(void)EV_A;
	(void)revents;
	if (s->health->pid != 0) {
		health_timeout(s);
		return;
	}
	if (s->pid == 0)
		return;
	if (devnull == -1)
		devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	fds[0] = fds[1] = fds[2] = devnull;
	/* Through the init, supd's own unreaped child: a pid that cannot
	 * have been recycled. */
	if ((pid = spawn_exec(s->conf, s->pid, s->conf->health.argv, fds,
	    false)) == -1) {
		e = strerror(errno);
		log_warnx("%s: health check: %s", s->conf->name, e);
		if (health_result(s, 126))
			health_next(s);
		return;
	}
	s->health->pid = pid;
	s->health->runs++;
	health_arm(s, s->conf->health.timeout_ms);
}

/* The process runs: checks begin, the first after one interval. */
static void
health_begin(struct service *s)
{
	if (s->conf->health.argv == NULL)
		return;
	if (s->health == NULL) {
		s->health = xcalloc(1, sizeof *s->health);
		ev_timer_init(&s->health->timer, health_timer_cb, 0., 0.);
		s->health->timer.data = s;
	}
	s->health->state = H_STARTING;
	s->health->fails = 0;
	s->health->pid = 0;
	s->health->ending = false;
	health_arm(s, s->conf->health.interval_ms);
}

/* The process is gone: no more checks; a running one is killed (its
 * command goes with it: PR_SET_PDEATHSIG) and forgotten. */
static void
health_end(struct service *s)
{
	if (s->health == NULL)
		return;
	ev_timer_stop(EV_DEFAULT_UC_ &s->health->timer);
	if (s->health->pid != 0)
		(void)kill(s->health->pid, SIGKILL);
	s->health->pid = 0;
	s->health->ending = false;
	s->health->state = H_NONE;
}

/* A reaped pid that is a health check: its result. */
static bool
health_reaped(pid_t pid, int status)
{
	struct health	*h;
	size_t		 i;

	for (i = 0; i < nsvcs; i++) {
		if ((h = svcs[i]->health) == NULL || h->pid != pid)
			continue;
		ev_timer_stop(EV_DEFAULT_UC_ &h->timer);
		h->pid = 0;
		if (h->ending)		/* its failure is counted already */
			h->ending = false;
		else if (!health_result(svcs[i], WIFEXITED(status) ?
		    WEXITSTATUS(status) : 128 + WTERMSIG(status)))
			return true;
		health_next(svcs[i]);
		return true;
	}
	return false;
}

/* ---- dependencies ------------------------------------------------------- */

/* Done, for those that wait on it: running, or a oneshot that succeeded. */
static bool
svc_done(const struct service *s)
{
	if (s->conf->type == TYPE_ONESHOT)
		return s->state == SVC_EXITED && s->exit_code == 0 &&
		    s->exit_signal == 0;
	return s->state == SVC_RUNNING;
}

/* On its way: a dependent waits for it rather than give up. */
static bool
svc_pending(const struct service *s)
{
	return s->state == SVC_STARTING || s->state == SVC_WAITING ||
	    s->state == SVC_BACKOFF || s->state == SVC_RESTARTING ||
	    s->boot_start;
}

static bool
in_list(char *const *list, const char *name)
{
	for (; list != NULL && *list != NULL; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

static bool
requires(const struct service *s, const struct service *d)
{
	return d != NULL && in_list(s->conf->requires, d->conf->name);
}

enum dep_verdict { DEP_GO, DEP_WAIT, DEP_FAIL };

/*
 * Can s start now? GO; WAIT for the first dependency still on its way
 * (*who); FAIL when a requirement cannot be had (*who). `after` only
 * orders: a dependency that is not on its way is not waited for.
 */
static enum dep_verdict
deps_verdict(const struct service *s, const char **who)
{
	char *const	*lists[2] = { s->conf->requires, s->conf->after };
	struct service	*d;
	size_t		 i;
	int		 l;

	for (l = 0; l < 2; l++)
		for (i = 0; lists[l] != NULL && lists[l][i] != NULL; i++) {
			*who = lists[l][i];
			if ((d = svc_find(lists[l][i])) == NULL || d->removed) {
				if (l == 0)
					return DEP_FAIL;
				continue;
			}
			if (svc_done(d))
				continue;
			if (svc_pending(d))
				return DEP_WAIT;
			if (l == 0)
				return DEP_FAIL;
		}
	return DEP_GO;
}

/* WAITING, or a dependency moved: spawn, keep waiting, or give up. */
static enum svc_state
deps_decide(struct service *s)
{
	const char	*who = NULL;
	char		*m;

	switch (deps_verdict(s, &who)) {
	case DEP_GO:
		return do_spawn(s);
	case DEP_WAIT:
		m = xasprintf("waiting for %s", who);
		set_reason(s, m);
		free(m);
		return SVC_WAITING;
	case DEP_FAIL:
	default:
		m = xasprintf("requirement %s failed", who);
		log_warnx("%s: not started: %s", s->conf->name, m);
		set_reason(s, m);
		free(m);
		return SVC_FAILED;
	}
}

/*
 * A start, past its counters: requirements that are not on their way are
 * started too (queued before s checks again, so it finds them on their
 * way), then s spawns, waits or fails.
 */
static enum svc_state
begin(struct service *s)
{
	struct service	*d;
	const char	*pulled = NULL;
	size_t		 i;

	if (s->conf->requires == NULL && s->conf->after == NULL)
		return do_spawn(s);
	for (i = 0; s->conf->requires != NULL &&
	    s->conf->requires[i] != NULL; i++) {
		d = svc_find(s->conf->requires[i]);
		if (d != NULL && !d->removed && !svc_done(d) &&
		    !svc_pending(d) && d->state != SVC_STOPPING &&
		    !shutting_down) {
			svc_event(d, SE_START);
			if (pulled == NULL)
				pulled = d->conf->name;
		}
	}
	if (pulled == NULL)
		return deps_decide(s);
	{
		char *m = xasprintf("waiting for %s", pulled);

		set_reason(s, m);
		free(m);
	}
	svc_event(s, SE_DEP_READY);	/* check again once they are queued */
	return SVC_WAITING;
}

/*
 * x changed state: what depends on it hears of it, as queued events run
 * once x's transition is over. A oneshot that did its job stays done when
 * it is stopped: its STOPPED is "gone" only to those still waiting.
 */
static void
deps_fanout(struct service *x)
{
	enum svc_ev	ev;
	size_t		i;

	if (svc_done(x))
		ev = SE_DEP_READY;
	else if (x->state == SVC_RESTARTING)
		ev = SE_DEP_RESTART;
	else if (x->state == SVC_FAILED || x->state == SVC_EXITED ||
	    x->state == SVC_STOPPED)
		ev = SE_DEP_GONE;
	else
		return;
	for (i = 0; i < nsvcs; i++)
		if (svcs[i] != x &&
		    (in_list(svcs[i]->conf->requires, x->conf->name) ||
		    in_list(svcs[i]->conf->after, x->conf->name)))
			svc_event_dep(svcs[i], ev, x);
}

/* ---- the state x event table ------------------------------------------ */

/* Each action returns the state its service is in afterwards: only
 * svc_step() assigns it. dep is the dependency of SE_DEP_* events. */
typedef enum svc_state action_fn(struct service *, struct service *dep);

/* A fresh start asked for (not supd's own restart): counters reset. */
static void
fresh(struct service *s)
{
	s->boot_start = false;
	s->restarts = 0;
	s->failures = 0;
	s->streak = 0;
	persist_stopped(s, false);
}

/* START from a resting state. */
static enum svc_state
a_start(struct service *s, struct service *dep)
{
	(void)dep;
	fresh(s);
	return begin(s);
}

/* START, RESTART or RELOAD while a restart is pending: now, afresh, with
 * the definition a reload left. */
static enum svc_state
a_start_now(struct service *s, struct service *dep)
{
	apply_next_conf(s);
	return a_start(s, dep);
}

/* STOPPING, and asked to start: once stopped. */
static enum svc_state
a_start_after_stop(struct service *s, struct service *dep)
{
	(void)dep;
	fresh(s);
	return SVC_RESTARTING;
}

static enum svc_state
a_stop(struct service *s, struct service *dep)
{
	(void)dep;
	send_stop(s);
	return SVC_STOPPING;
}

/* No process: stopping is just not starting (again). */
static enum svc_state
a_stop_resting(struct service *s, struct service *dep)
{
	(void)dep;
	if (s->state == SVC_WAITING)
		set_reason(s, NULL);
	apply_next_conf(s);
	return SVC_STOPPED;
}

/* RESTARTING, and asked to stop: the start that was to follow is off. */
static enum svc_state
a_stop_instead(struct service *s, struct service *dep)
{
	(void)s;
	(void)dep;
	return SVC_STOPPING;
}

static enum svc_state
a_restart(struct service *s, struct service *dep)
{
	(void)dep;
	fresh(s);
	send_stop(s);
	return SVC_RESTARTING;
}

/* on_unhealthy = restart: supd's own restart, counted, counters kept. */
static enum svc_state
a_unhealthy(struct service *s, struct service *dep)
{
	(void)dep;
	s->restarts++;
	send_stop(s);
	return SVC_RESTARTING;
}

/* WAITING, asked to restart or given a new definition: start over. */
static enum svc_state
a_rebegin(struct service *s, struct service *dep)
{
	(void)dep;
	fresh(s);
	apply_next_conf(s);
	return begin(s);
}

/* The pid users see: the command's, under an init too. */
static pid_t
main_pid(const struct service *s)
{
	return s->cmd_pid != 0 ? s->cmd_pid : s->pid;
}

static enum svc_state
a_exec(struct service *s, struct service *dep)
{
	(void)dep;
	if (s->conf->iso.init)
		s->cmd_pid = spawn_command_pid(s->pid);
	log_info("%s: started, pid %d", s->conf->name, (int)main_pid(s));
	health_begin(s);
	/* A oneshot is starting until it ends; notify and fd:N until the
	 * service says it is ready. */
	if (s->conf->type == TYPE_ONESHOT) {
		set_reason(s, "running to completion");
		return SVC_STARTING;
	}
	if (s->conf->ready != READY_EXEC) {
		set_reason(s, "waiting for readiness");
		return SVC_STARTING;
	}
	return SVC_RUNNING;
}

static enum svc_state
a_ready(struct service *s, struct service *dep)
{
	(void)dep;
	if (s->pid == 0 || s->conf->type == TYPE_ONESHOT)
		return s->state;
	log_info("%s: ready", s->conf->name);
	set_reason(s, NULL);
	return SVC_RUNNING;
}

static enum svc_state
a_exit(struct service *s, struct service *dep)
{
	(void)dep;
	return run_ended(s);
}

/* The process ended before exec was confirmed (its report is read), or
 * supd could not spawn it at all. */
static enum svc_state
ended_starting(struct service *s)
{
	if (s->spawn_failed) {
		/* The 127 was the child's, not the command's. */
		s->exit_code = -1;
		s->exit_signal = 0;
	} else if (s->conf->type == TYPE_SIMPLE &&
	    s->conf->ready == READY_EXEC)
		/* exec succeeded and the command already ended: it ran. */
		log_info("%s: started, pid %d", s->conf->name,
		    (int)s->last_pid);
	if (s->conf->type == TYPE_ONESHOT && s->reason != NULL &&
	    !s->spawn_failed)
		set_reason(s, NULL);
	return run_ended(s);
}

static enum svc_state
a_exit_starting(struct service *s, struct service *dep)
{
	(void)dep;
	return ended_starting(s);
}

static void
log_stopped(const struct service *s)
{
	char	what[64];

	describe_exit(s, what, sizeof what);
	log_info("%s: stopped (%s)", s->conf->name, what);
}

static enum svc_state
a_exit_stopping(struct service *s, struct service *dep)
{
	(void)dep;
	log_stopped(s);
	apply_next_conf(s);
	return SVC_STOPPED;
}

static enum svc_state
a_exit_restarting(struct service *s, struct service *dep)
{
	(void)dep;
	log_stopped(s);
	apply_next_conf(s);
	return shutting_down ? SVC_STOPPED : begin(s);
}

static enum svc_state
a_backoff_over(struct service *s, struct service *dep)
{
	(void)dep;
	return do_spawn(s);
}

static enum svc_state
a_kill(struct service *s, struct service *dep)
{
	(void)dep;
	log_warnx("%s: did not stop within %llu ms, sending SIGKILL",
	    s->conf->name, (unsigned long long)s->conf->stop_timeout_ms);
	(void)kill(-s->pid, SIGKILL);
	(void)kill(s->pid, SIGKILL);
	return s->state;
}

/* WAITING: a dependency moved (or begin() asks to check): go or not. */
static enum svc_state
a_deps_check(struct service *s, struct service *dep)
{
	(void)dep;
	return deps_decide(s);
}

/* A requirement stopped or failed for good: s stops too. */
static enum svc_state
a_dep_gone(struct service *s, struct service *dep)
{
	enum svc_state	 st = s->state;
	char		*m;

	if (!requires(s, dep) || (dep->conf->type == TYPE_ONESHOT &&
	    dep->state == SVC_STOPPED))
		return st;
	m = xasprintf("requirement %s %s", dep->conf->name,
	    dep->state == SVC_STOPPED ? "stopped" : "failed");
	log_info("%s: stopping: %s", s->conf->name, m);
	if (st == SVC_BACKOFF)
		st = a_stop_resting(s, dep);
	else if (st == SVC_RESTARTING)
		st = SVC_STOPPING;
	else
		st = a_stop(s, dep);
	set_reason(s, m);
	free(m);
	return st;
}

/* A requirement restarts: s restarts too, and waits for it. */
static enum svc_state
a_dep_restart(struct service *s, struct service *dep)
{
	if (!requires(s, dep))
		return s->state;
	log_info("%s: restarting: requirement %s restarted", s->conf->name,
	    dep->conf->name);
	if (s->state == SVC_BACKOFF)
		return a_start_now(s, dep);
	return a_restart(s, dep);
}

static enum svc_state
a_ignore(struct service *s, struct service *dep)
{
	(void)dep;
	return s->state;
}

/*
 * What each event does in each state. Blank (NULL) entries cannot happen:
 * EXEC and EXIT need a process; they are logged and change nothing.
 * WAITING shows as `starting`, RESTARTING as `stopping` (docs/design.md).
 */
#define X	NULL
static action_fn *const transitions[SVC_NSTATES][SE_N] = {
	/*		START		STOP		RESTART		RELOAD		UNHEALTHY	EXEC		EXIT			TIMER		READY		DEP_READY	DEP_GONE	DEP_RESTART */
	[SVC_STOPPED] =	{ a_start,	a_stop_resting,	a_start,	a_stop_resting,	a_ignore,	X,		X,			a_ignore,	a_ignore,	a_ignore,	a_ignore,	a_ignore },
	[SVC_WAITING] =	{ a_ignore,	a_stop_resting,	a_rebegin,	a_rebegin,	a_ignore,	X,		X,			a_ignore,	a_ignore,	a_deps_check,	a_deps_check,	a_deps_check },
	[SVC_STARTING] ={ a_ignore,	a_stop,		a_restart,	a_restart,	a_ignore,	a_exec,		a_exit_starting,	a_ignore,	a_ready,	a_ignore,	a_dep_gone,	a_dep_restart },
	[SVC_RUNNING] =	{ a_ignore,	a_stop,		a_restart,	a_restart,	a_unhealthy,	X,		a_exit,			a_ignore,	a_ignore,	a_ignore,	a_dep_gone,	a_dep_restart },
	[SVC_BACKOFF] =	{ a_start_now,	a_stop_resting,	a_start_now,	a_start_now,	a_ignore,	X,		X,			a_backoff_over,	a_ignore,	a_ignore,	a_dep_gone,	a_dep_restart },
	[SVC_STOPPING] ={ a_start_after_stop, a_ignore,	a_start_after_stop, a_ignore,	a_ignore,	a_ignore,	a_exit_stopping,	a_kill,		a_ignore,	a_ignore,	a_ignore,	a_ignore },
	[SVC_RESTARTING]={ a_ignore,	a_stop_instead,	a_ignore,	a_ignore,	a_ignore,	a_ignore,	a_exit_restarting,	a_kill,		a_ignore,	a_ignore,	a_dep_gone,	a_ignore },
	[SVC_EXITED] =	{ a_start,	a_stop_resting,	a_start,	a_stop_resting,	a_ignore,	X,		X,			a_ignore,	a_ignore,	a_ignore,	a_ignore,	a_ignore },
	[SVC_FAILED] =	{ a_start,	a_stop_resting,	a_start,	a_stop_resting,	a_ignore,	X,		X,			a_ignore,	a_ignore,	a_ignore,	a_ignore,	a_ignore },
};
#undef X

/*
 * One event, one transition, then its fan-out: clients waiting on s, an
 * essential service's end, services depending on s, the shutdown order.
 * The fan-out only queues events; none runs inside another's transition.
 */
static void
svc_step(struct service *s, enum svc_ev ev, struct service *dep)
{
	enum svc_state	 from = s->state;
	action_fn	*fn = transitions[from][ev];

	if (fn == NULL) {
		log_errx("%s: unexpected event %d in state %s", s->conf->name,
		    ev, svc_state_name(from));
		return;
	}
	s->state = fn(s, dep);		/* the only assignment of s->state */
	if (s->state == from)
		return;
	if (s->state == SVC_RUNNING)
		s->running_ms = now_ms();
	if (hooks.changed != NULL)
		hooks.changed(s);
	essential_check(s);
	if (!any_deps)
		return;
	if (shutting_down)
		shutdown_step();
	else
		deps_fanout(s);
}

/* ---- the queue of pending events --------------------------------------- */

struct pending {
	struct service	*s;		/* NULL once s is freed */
	struct service	*dep;
	enum svc_ev	 ev;
};

static struct pending	*queue;
static size_t		 q_head, q_len, q_cap;
static bool		 draining;

/* Reload dropped them and they have stopped: free them, now that no
 * queued event can name them. */
static void
free_removed(void)
{
	size_t	i = nsvcs;

	while (i-- > 0)
		if (i < nsvcs && svcs[i]->removed &&
		    svcs[i]->state == SVC_STOPPED)
			svc_free(svcs[i]);
}

/*
 * Queue an event; the outermost call runs the queue in order until it is
 * empty, so an event raised by a transition (a dependent's, the one after
 * a restart) runs after it, never inside it.
 */
static void
svc_event_dep(struct service *s, enum svc_ev ev, struct service *dep)
{
	struct pending	p;

	if (q_len == q_cap) {
		q_cap = q_cap ? q_cap * 2 : 64;
		queue = xreallocarray(queue, q_cap, sizeof *queue);
	}
	queue[q_len++] = (struct pending){ s, dep, ev };
	if (draining)
		return;
	draining = true;
	while (q_head < q_len) {
		p = queue[q_head++];
		if (p.s != NULL)
			svc_step(p.s, p.ev, p.dep);
	}
	q_head = q_len = 0;
	draining = false;
	free_removed();
}

static void
svc_event(struct service *s, enum svc_ev ev)
{
	svc_event_dep(s, ev, NULL);
}

/* s is being freed: queued events naming it are dropped. */
static void
queue_forget(const struct service *s)
{
	size_t	i;

	for (i = q_head; i < q_len; i++) {
		if (queue[i].s == s)
			queue[i].s = NULL;
		if (queue[i].dep == s)
			queue[i].s = NULL;
	}
}

/* ---- requests ----------------------------------------------------------- */

int
svc_start(struct service *s)
{
	if (s->removed || shutting_down)
		return -1;
	svc_event(s, SE_START);
	return 0;
}

int
svc_stop(struct service *s)
{
	persist_stopped(s, true);
	svc_event(s, SE_STOP);
	return 0;
}

int
svc_restart(struct service *s)
{
	if (s->removed || shutting_down)
		return -1;
	svc_event(s, SE_RESTART);
	return 0;
}

pid_t
svc_exec(struct service *s, char **argv, const int *fds, bool tty,
    const char **errstr)
{
	pid_t	pid;

	if (s->pid == 0 || s->state != SVC_RUNNING) {
		*errstr = "not running";
		return -1;
	}
	if ((pid = spawn_exec(s->conf, s->pid, argv, fds, tty)) == -1)
		*errstr = strerror(errno);
	else
		log_info("%s: exec %s, pid %d", s->conf->name, argv[0],
		    (int)pid);
	return pid;
}

int
svc_signal(struct service *s, int sig, const char **errstr)
{
	if (s->pid == 0 || (s->state != SVC_RUNNING &&
	    s->state != SVC_STARTING && s->state != SVC_STOPPING)) {
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
svc_settled(const struct service *s, bool want_running, bool *ok)
{
	switch (s->state) {
	case SVC_WAITING:
	case SVC_STARTING:
	case SVC_STOPPING:
	case SVC_RESTARTING:	/* a restart is still under way */
		return false;
	case SVC_RUNNING:
		*ok = want_running;
		return true;
	case SVC_EXITED:
		/* A oneshot that ran to success did what `start` asked. */
		*ok = want_running ? svc_done(s) : true;
		return true;
	default:
		/* At rest: success for a stop, failure for a start. */
		*ok = !want_running;
		return true;
	}
}

bool
svc_reaped(pid_t pid, int status)
{
	struct service	*s;

	for (s = pid_hash[pid % PID_BUCKETS]; s != NULL; s = s->pid_next)
		if (s->pid == pid)
			break;
	if (s == NULL)
		return health_reaped(pid, status);	/* else exec, orphan */
	pid_del(s);
	leftovers_forget(s->conf->name);
	s->last_pid = main_pid(s);
	s->pid = 0;
	s->cmd_pid = 0;
	health_end(s);
	if (s->status_fd != -1) {
		int	cst;

		/* The init wrote the command's own status before it exited. */
		if (read(s->status_fd, &cst, sizeof cst) == sizeof cst)
			status = cst;
		close(s->status_fd);
		s->status_fd = -1;
	}
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
	svc_event(s, SE_EXIT);
	return true;
}

/* ---- registry ----------------------------------------------------------- */

static int
svc_cmp(const void *a, const void *b)
{
	return strcmp((*(struct service *const *)a)->conf->name,
	    (*(struct service *const *)b)->conf->name);
}

static int
name_cmp(const void *key, const void *elem)
{
	return strcmp(key, (*(struct service *const *)elem)->conf->name);
}

struct service *
svc_find(const char *name)
{
	struct service	**p;

	p = bsearch(name, svcs, nsvcs, sizeof *svcs, name_cmp);
	return p != NULL ? *p : NULL;
}

size_t
svc_count(void)
{
	return nsvcs;
}

struct service *
svc_at(size_t i)
{
	return i < nsvcs ? svcs[i] : NULL;
}

static struct service *
svc_new(struct svc_conf *sc)
{
	struct service	*s;

	s = xcalloc(1, sizeof *s);
	s->conf = sc;
	s->exit_code = -1;
	s->report_fd = -1;
	s->status_fd = -1;
	s->log = svclog_new(sc->name, &sc->log, sc->tty);
	ev_timer_init(&s->timer, timer_cb, 0., 0.);
	s->timer.data = s;
	svcs = xreallocarray(svcs, nsvcs + 1, sizeof *svcs);
	svcs[nsvcs++] = s;
	qsort(svcs, nsvcs, sizeof *svcs, svc_cmp);
	boot_cursor = 0;
	return s;
}

static void
svc_free(struct service *s)
{
	size_t	i;

	if (hooks.gone != NULL)
		hooks.gone(s);
	queue_forget(s);
	for (i = 0; i < nsvcs; i++)
		if (svcs[i] == s) {
			memmove(svcs + i, svcs + i + 1,
			    (nsvcs - i - 1) * sizeof *svcs);
			nsvcs--;
			boot_cursor = 0;
			break;
		}
	ev_timer_stop(EV_DEFAULT_UC_ &s->timer);
	if (s->report_fd != -1) {
		ev_io_stop(EV_DEFAULT_UC_ &s->report_w);
		close(s->report_fd);
	}
	if (s->pid != 0)
		pid_del(s);
	if (s->status_fd != -1)
		close(s->status_fd);
	health_end(s);
	free(s->health);
	notify_close(s);
	ready_close(s);
	if (s->rd != NULL)
		free(s->rd->notify_path);
	free(s->rd);
	svclog_free(s->log);
	cfg_svc_free(s->conf);
	cfg_svc_free(s->next_conf);
	free(s->reason);
	free(s);
}

static void
boot_cb(EV_P_ ev_idle *w, int revents)
{
	unsigned	n = 0;

	(void)revents;
	while (boot_cursor < nsvcs && n < BOOT_BATCH) {
		struct service *s = svcs[boot_cursor++];

		if (s->boot_start && !shutting_down) {
			s->boot_start = false;
			svc_event(s, SE_START);
			n++;
		}
	}
	if (boot_cursor >= nsvcs)
		ev_idle_stop(EV_A_ w);
}

void
svc_init(const struct supd_conf *mc, const struct svc_hooks *h)
{
	mconf = mc;
	ev_idle_init(&boot_w, boot_cb);
	if (h != NULL)
		hooks = *h;
}

static int
conf_cmp(const void *a, const void *b)
{
	return strcmp((*(struct svc_conf *const *)a)->name,
	    (*(struct svc_conf *const *)b)->name);
}

/*
 * The dependency graph the reload would make, checked whole: a new or
 * changed definition at fault is refused (its old one, if any, stays) and
 * the check runs again with what is left, until nothing new is at fault.
 * Faults of definitions already running are reported and left alone.
 */
static void
deps_screen(const struct strv *paths, struct svc_conf **loaded,
    struct service **keep, size_t nkeep, struct strv *errs)
{
	struct svc_conf	**set;
	struct strv	  e;
	size_t		  i, j, n, dropped;
	bool		 *bad;

	set = xcalloc(paths->n + 1, sizeof *set);
	bad = xcalloc(paths->n + 1, sizeof *bad);
	do {
		n = 0;
		for (i = 0; i < paths->n; i++) {
			const char	*base = strrchr(paths->v[i], '/') + 1;
			char		*name = xstrndup(base, strlen(base) - 4);
			struct service	**old;

			old = bsearch(name, keep, nkeep, sizeof *keep, name_cmp);
			free(name);
			if (loaded[i] != NULL)
				set[n++] = loaded[i];
			else if (old != NULL)
				set[n++] = (*old)->next_conf != NULL ?
				    (*old)->next_conf : (*old)->conf;
		}
		qsort(set, n, sizeof *set, conf_cmp);
		memset(bad, 0, (paths->n + 1) * sizeof *bad);
		memset(&e, 0, sizeof e);
		dropped = 0;
		if (deps_check(set, n, bad, &e) > 0)
			for (j = 0; j < n; j++) {
				if (!bad[j])
					continue;
				for (i = 0; i < paths->n; i++)
					if (loaded[i] == set[j]) {
						cfg_svc_free(loaded[i]);
						loaded[i] = NULL;
						dropped++;
					}
			}
		/* Each fault once, whichever pass found it. */
		for (i = 0; i < e.n; i++)
			if (!strv_has(errs, e.v[i]))
				strv_push(errs, e.v[i]);
		strv_free(&e);
	} while (dropped > 0);
	free(set);
	free(bad);
}

int
svc_load_all(bool boot, struct strv *msgs)
{
	struct strv	 paths = { 0 }, errs = { 0 };
	struct svc_conf	*sc, **loaded;
	struct service	*s, **keep;
	size_t		 i, nkeep = 0, nerr;
	unsigned	 added = 0, changed = 0, removed = 0;
	bool		*seen;

	if (cfg_scan_dir(mconf->conf_dir, &paths, &errs) == -1) {
		/* An unreadable directory is not an empty one: keep all. */
		for (i = 0; i < errs.n; i++) {
			log_warnx("%s", errs.v[i]);
			strv_push(msgs, errs.v[i]);
		}
		nerr = errs.n;
		strv_free(&errs);
		return nerr;
	}
	seen = xcalloc(nsvcs + 1, sizeof *seen);
	keep = xcalloc(nsvcs + 1, sizeof *keep);
	if (nsvcs > 0)
		memcpy(keep, svcs, nsvcs * sizeof *svcs);
	nkeep = nsvcs;
	loaded = xcalloc(paths.n + 1, sizeof *loaded);
	for (i = 0; i < paths.n; i++)
		loaded[i] = cfg_load_service(paths.v[i], mconf, &errs);
	deps_screen(&paths, loaded, keep, nkeep, &errs);
	for (i = 0; i < paths.n; i++) {
		const char	*base = strrchr(paths.v[i], '/') + 1;
		char		*name = xstrndup(base, strlen(base) - 4);
		struct service	**old;

		old = bsearch(name, keep, nkeep, sizeof *keep, name_cmp);
		if (old != NULL)
			seen[old - keep] = true;
		free(name);
		if ((sc = loaded[i]) == NULL)
			continue;	/* the old definition, if any, stays */
		if (old == NULL) {
			s = svc_new(sc);
			added++;
			if (!boot)
				log_info("%s: added", sc->name);
			if (sc->autostart && !persisted_stopped(sc)) {
				s->boot_start = true;
				boot_cursor = 0;
				ev_idle_start(EV_DEFAULT_UC_ &boot_w);
			}
			continue;
		}
		s = *old;
		if (s->removed) {
			/* Removed earlier and back before it stopped. */
			s->removed = false;
			if (sc->autostart)
				svc_event(s, SE_START);
		}
		if (cfg_svc_equal(s->conf, sc) && (s->next_conf == NULL ||
		    cfg_svc_equal(s->next_conf, sc))) {
			cfg_svc_free(sc);
			continue;
		}
		changed++;
		log_info("%s: definition changed", sc->name);
		cfg_svc_free(s->next_conf);
		s->next_conf = sc;
		svc_event(s, SE_RELOAD);
	}
	for (i = 0; i < nkeep; i++) {
		if (seen[i] || keep[i]->removed)
			continue;
		removed++;
		s = keep[i];
		log_info("%s: removed", s->conf->name);
		s->removed = true;
		svc_event(s, SE_STOP);	/* frees it once stopped */
	}
	free(seen);
	free(keep);
	free(loaded);
	any_deps = false;
	for (i = 0; i < nsvcs; i++)
		if (svcs[i]->conf->after != NULL ||
		    svcs[i]->conf->requires != NULL ||
		    (svcs[i]->next_conf != NULL &&
		    (svcs[i]->next_conf->after != NULL ||
		    svcs[i]->next_conf->requires != NULL)))
			any_deps = true;
	nerr = errs.n;
	for (i = 0; i < errs.n; i++) {
		log_warnx("%s", errs.v[i]);
		strv_push(msgs, errs.v[i]);
	}
	if (!boot)
		strv_take(msgs, xasprintf("reload: %u added, %u changed, "
		    "%u removed, %zu error%s", added, changed, removed, nerr,
		    nerr == 1 ? "" : "s"));
	strv_free(&errs);
	strv_free(&paths);
	return nerr;
}

/* Has s a process, or is it on its way to one? */
static bool
svc_active(const struct service *s)
{
	return s->pid != 0 || (s->state != SVC_STOPPED &&
	    s->state != SVC_EXITED && s->state != SVC_FAILED);
}

/*
 * Shutdown in reverse dependency order: a service is stopped once nothing
 * that depends on it (after or requires) is still active; each stop that
 * completes lets the next ones go.
 */
static void
shutdown_step(void)
{
	struct service	**list;
	size_t		  i, j, n = nsvcs;
	bool		  blocked;

	list = xcalloc(n + 1, sizeof *list);
	memcpy(list, svcs, n * sizeof *list);
	for (i = 0; i < n; i++) {
		if (!svc_active(list[i]) || list[i]->state == SVC_STOPPING)
			continue;
		blocked = false;
		for (j = 0; j < n && !blocked; j++)
			blocked = j != i && svc_active(list[j]) &&
			    (in_list(list[j]->conf->requires,
			    list[i]->conf->name) ||
			    in_list(list[j]->conf->after, list[i]->conf->name));
		if (!blocked)
			svc_event(list[i], SE_STOP);
	}
	free(list);
}

void
svc_stop_all(void)
{
	struct service	**copy;
	size_t		  i, n = nsvcs;

	shutting_down = true;
	if (any_deps) {
		shutdown_step();
		return;
	}
	/* svc_event may free a removed service: walk a copy. */
	copy = xcalloc(n + 1, sizeof *copy);
	if (n > 0)
		memcpy(copy, svcs, n * sizeof *copy);
	for (i = 0; i < n; i++)
		svc_event(copy[i], SE_STOP);
	free(copy);
}

bool
svc_all_down(void)
{
	size_t	i;

	for (i = 0; i < nsvcs; i++)
		if (svcs[i]->pid != 0)
			return false;
	return true;
}

void
svc_kill_all(void)
{
	size_t	i;

	for (i = 0; i < nsvcs; i++)
		if (svcs[i]->pid != 0) {
			log_warnx("%s: shutdown timeout, sending SIGKILL",
			    svcs[i]->conf->name);
			(void)kill(-svcs[i]->pid, SIGKILL);
			(void)kill(svcs[i]->pid, SIGKILL);
		}
}

void
svc_free_all(void)
{
	ev_idle_stop(EV_DEFAULT_UC_ &boot_w);
	while (nsvcs > 0)
		svc_free(svcs[nsvcs - 1]);
	free(svcs);
	svcs = NULL;
	free(queue);
	queue = NULL;
	q_head = q_len = q_cap = 0;
}

/* ---- accessors ---------------------------------------------------------- */

enum svc_state
svc_state(const struct service *s)
{
	return s->state;
}

const char *
svc_name(const struct service *s)
{
	return s->conf->name;
}

const char *
svc_reason(const struct service *s)
{
	return s->reason;
}

struct svclog *
svc_log(const struct service *s)
{
	return s->log;
}

void
svc_status(const struct service *s, struct proto_status *st)
{
	st->name = s->conf->name;
	st->state = svc_state_name(s->state);
	st->reason = s->reason != NULL ? s->reason : "";
	st->pid = main_pid(s);
	st->uptime_ms = s->state == SVC_RUNNING ? now_ms() - s->running_ms : 0;
	st->restarts = s->restarts;
	st->exit_code = s->exit_code;
	st->exit_signal = s->exit_signal;
	st->health = s->health != NULL ? health_name(s->health->state) : "";
}

void
svc_inspect(const struct service *s, struct buf *b)
{
	struct proto_status	st;
	const char		*sig;

	svc_status(s, &st);
	buf_puts(b, "{\"name\":");
	buf_json_str(b, s->conf->name);
	buf_puts(b, ",\"file\":");
	buf_json_str(b, s->conf->file);
	buf_printf(b, ",\"state\":\"%s\",\"reason\":", st.state);
	buf_json_str(b, s->reason);
	buf_printf(b, ",\"pid\":%d,\"uptime_ms\":%lld,\"restarts\":%u,"
	    "\"failures\":%u,\"exit_code\":", (int)main_pid(s),
	    (long long)st.uptime_ms, s->restarts, s->failures);
	if (s->exit_code >= 0)
		buf_printf(b, "%d", s->exit_code);
	else
		buf_puts(b, "null");
	buf_puts(b, ",\"exit_signal\":");
	sig = s->exit_signal != 0 ? signal_name(s->exit_signal) : NULL;
	if (s->exit_signal != 0 && sig == NULL)
		buf_printf(b, "\"SIG%d\"", s->exit_signal);
	else
		buf_json_str(b, sig);
	buf_puts(b, ",\"health\":");
	buf_json_str(b, s->health != NULL && s->health->state != H_NONE ?
	    health_name(s->health->state) : NULL);
	if (s->health != NULL)
		buf_printf(b, ",\"health_checks\":{\"runs\":%u,\"timeouts\":%u,"
		    "\"killed\":%u,\"running\":%s}", s->health->runs,
		    s->health->timeouts, s->health->killed, s->health->pid != 0 ?
		    "true" : "false");
	buf_printf(b, ",\"pending_reload\":%s,\"config\":",
	    s->next_conf != NULL ? "true" : "false");
	cfg_svc_canon(s->conf, b);
	buf_puts(b, "}\n");
}

/* SPDX-License-Identifier: ISC */
/*
 * service-state.c: the lifecycle of a service, as one state x event table.
 *
 * Every change of state goes through svc_event(), which reads the action
 * from transitions[state][event], as s6-supervise does; the action returns
 * the next state and svc_step() alone assigns it. What a transition sets off
 * elsewhere (clients waiting, an essential service's end, the services that
 * depend on it, the next stops of a shutdown) runs after it: events raised
 * during a transition are queued, and the outermost svc_event() runs the
 * queue in order until it is empty. No transition runs inside another.
 *
 * Restart policy: a run ends with a failure when the spawn failed, the
 * process died by a signal or exited non-zero. `failures` counts failures in
 * a row (on-failure:N gives up after N restarts), `streak` counts short runs
 * in a row whatever their status (the backoff doubles with it). A run that
 * lasted stable_after resets both.
 *
 * The events of `supctl events` (events.h) of a lifecycle change are said
 * in svc_step() too, after the action (step_events).
 */
#include <sys/types.h>

#include <ev.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "events.h"
#include "log.h"
#include "service-private.h"
#include "spawn.h"
#include "svclog.h"
#include "values.h"

static void
timer_arm(struct service *s, uint64_t ms)
{
	ev_timer_stop(EV_DEFAULT_UC_ &s->timer);
	ev_timer_set(&s->timer, ms / 1000.0, 0.);
	ev_timer_start(EV_DEFAULT_UC_ &s->timer);
}

void
svc_timer_cb(EV_P_ ev_timer *w, int revents)
{
	(void)EV_A;
	(void)revents;
	svc_event(w->data, SE_TIMER);
}

/* An essential service that ended for good takes supd with it. */
static void
essential_check(struct service *s)
{
	int	code;

	if (!s->conf->essential || svc_reg.shutting_down || svc_reg.hooks.essential == NULL ||
	    (s->state != SVC_EXITED && s->state != SVC_FAILED))
		return;
	code = s->exit_signal != 0 ? 128 + s->exit_signal :
	    s->exit_code >= 0 ? s->exit_code : 127;
	svc_reg.hooks.essential(s, code);
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
	else if (s->oom_run)
		snprintf(buf, len, "OOM killed");
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

	/* An OOM kill fails the run even if the main process survived it. */
	failed = s->spawn_failed || s->exit_signal != 0 || s->exit_code != 0 ||
	    s->oom_run;
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
	if (s->oom_run)
		svc_set_reason(s, "OOM killed");
	if (restart && c->restart_max > 0 && s->failures > c->restart_max) {
		log_warnx("%s: %s; gave up after %u restarts", c->name, what,
		    c->restart_max);
		if (!s->spawn_failed)
			svc_set_reason(s, "restart limit reached");
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

/*
 * A paused service is thawed first: a frozen process cannot act on its
 * signal. With no main process (reaped, its group still emptying: its
 * cgroup's processes have until stop_timeout) only the timer is armed.
 */
static void
send_stop(struct service *s)
{
	svc_cg_thaw(s);
	/* The process group (the service is a session leader), then the
	 * main process only if it left its group: a second signal to it
	 * (or to an init, which forwards each one) is a second stop
	 * request, which many programs take as "now, without cleanup". */
	if (s->pid != 0 && kill(-s->pid, svc_stop_signal(s)) == -1 &&
	    errno != ESRCH)
		log_warn("%s: kill", s->conf->name);
	if (s->pid != 0 && getpgid(s->pid) != s->pid)
		(void)kill(s->pid, svc_stop_signal(s));
	timer_arm(s, s->conf->stop_timeout_ms);
}

/* Stopped: a definition left by a reload takes effect now. */
static void
apply_next_conf(struct service *s)
{
	struct svc_conf	*old = s->conf;
	bool		 tty_changed;

	ev_timer_stop(EV_DEFAULT_UC_ &s->timer);
	if (s->next_conf == NULL)
		return;
	tty_changed = s->next_conf->tty != s->conf->tty;
	s->conf = s->next_conf;
	s->next_conf = NULL;
	svc_net_reconf(s, old);
	cfg_svc_free(old);
	if (tty_changed) {
		/* A pipe becomes a terminal or back: a new svclog, the old
		 * one drained into the same files. */
		svclog_free(s->log);
		s->log = svclog_new(s->conf->name, &s->conf->log,
		    s->conf->tty);
	} else
		svclog_configure(s->log, &s->conf->log);
}

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
	svc_persist_stopped(s, false);
}

/* START from a resting state. */
static enum svc_state
a_start(struct service *s, struct service *dep)
{
	(void)dep;
	fresh(s);
	return svc_begin(s);
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
		svc_set_reason(s, NULL);
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
	return svc_begin(s);
}

/* The pid users see: the command's, under an init too. */
pid_t
svc_main_pid(const struct service *s)
{
	return s->cmd_pid != 0 ? s->cmd_pid : s->pid;
}

static enum svc_state
a_exec(struct service *s, struct service *dep)
{
	(void)dep;
	if (s->conf->iso.init)
		s->cmd_pid = spawn_command_pid(s->pid);
	log_info("%s: started, pid %d", s->conf->name, (int)svc_main_pid(s));
	svc_health_begin(s);
	/* A oneshot is starting until it ends; notify and fd:N until the
	 * service says it is ready. */
	if (s->conf->type == TYPE_ONESHOT) {
		svc_set_reason(s, "running to completion");
		return SVC_STARTING;
	}
	if (s->conf->ready != READY_EXEC) {
		svc_set_reason(s, "waiting for readiness");
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
	svc_set_reason(s, NULL);
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
enum svc_state
svc_ended_starting(struct service *s)
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
		svc_set_reason(s, NULL);
	return run_ended(s);
}

static enum svc_state
a_exit_starting(struct service *s, struct service *dep)
{
	(void)dep;
	return svc_ended_starting(s);
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
	return svc_reg.shutting_down ? SVC_STOPPED : svc_begin(s);
}

static enum svc_state
a_backoff_over(struct service *s, struct service *dep)
{
	(void)dep;
	return svc_spawn(s);
}

static enum svc_state
a_kill(struct service *s, struct service *dep)
{
	(void)dep;
	log_warnx("%s: did not stop within %llu ms, sending SIGKILL",
	    s->conf->name, (unsigned long long)s->conf->stop_timeout_ms);
	/* Its cgroup, every process of it (a daemon that left the process
	 * group too); without one, the process group and the main process. */
	if (!svc_cg_kill(s) && s->pid != 0) {
		(void)kill(-s->pid, SIGKILL);
		(void)kill(s->pid, SIGKILL);
	}
	return s->state;
}

/* RUNNING, and supctl pause: its cgroup frozen, no health check. */
static enum svc_state
a_pause(struct service *s, struct service *dep)
{
	(void)dep;
	if (s->cg == NULL || svc_cg_freeze(s, true) == -1)
		return s->state;
	svc_health_pause(s, true);
	log_info("%s: paused", s->conf->name);
	return SVC_PAUSED;
}

static enum svc_state
a_unpause(struct service *s, struct service *dep)
{
	(void)dep;
	if (svc_cg_freeze(s, false) == -1)
		return s->state;
	svc_health_pause(s, false);
	log_info("%s: unpaused", s->conf->name);
	return SVC_RUNNING;
}

/* WAITING: a dependency moved (or svc_begin() asks to check): go or not. */
static enum svc_state
a_deps_check(struct service *s, struct service *dep)
{
	(void)dep;
	return svc_deps_decide(s);
}

/* A requirement stopped or failed for good: s stops too. */
static enum svc_state
a_dep_gone(struct service *s, struct service *dep)
{
	enum svc_state	 st = s->state;
	char		*m;

	if (!svc_requires(s, dep) || (dep->conf->type == TYPE_ONESHOT &&
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
	svc_set_reason(s, m);
	free(m);
	return st;
}

/* A requirement restarts: s restarts too, and waits for it. */
static enum svc_state
a_dep_restart(struct service *s, struct service *dep)
{
	if (!svc_requires(s, dep))
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
 * PAUSED is RUNNING with its cgroup frozen: not health-checked, UNHEALTHY
 * and TIMER change nothing; a stop or restart thaws it first (send_stop).
 */
#define X	NULL
static action_fn *const transitions[SVC_NSTATES][SE_N] = {
	/*		START		STOP		RESTART		RELOAD		UNHEALTHY	EXEC		EXIT			TIMER		READY		DEP_READY	DEP_GONE	DEP_RESTART	PAUSE		UNPAUSE */
	[SVC_STOPPED] =	{ a_start,	a_stop_resting,	a_start,	a_stop_resting,	a_ignore,	X,		X,			a_ignore,	a_ignore,	a_ignore,	a_ignore,	a_ignore,	a_ignore,	a_ignore },
	[SVC_WAITING] =	{ a_ignore,	a_stop_resting,	a_rebegin,	a_rebegin,	a_ignore,	X,		X,			a_ignore,	a_ignore,	a_deps_check,	a_deps_check,	a_deps_check,	a_ignore,	a_ignore },
	[SVC_STARTING] ={ a_ignore,	a_stop,		a_restart,	a_restart,	a_ignore,	a_exec,		a_exit_starting,	a_ignore,	a_ready,	a_ignore,	a_dep_gone,	a_dep_restart,	a_ignore,	a_ignore },
	[SVC_RUNNING] =	{ a_ignore,	a_stop,		a_restart,	a_restart,	a_unhealthy,	X,		a_exit,			a_ignore,	a_ignore,	a_ignore,	a_dep_gone,	a_dep_restart,	a_pause,	a_ignore },
	[SVC_BACKOFF] =	{ a_start_now,	a_stop_resting,	a_start_now,	a_start_now,	a_ignore,	X,		X,			a_backoff_over,	a_ignore,	a_ignore,	a_dep_gone,	a_dep_restart,	a_ignore,	a_ignore },
	[SVC_STOPPING] ={ a_start_after_stop, a_ignore,	a_start_after_stop, a_ignore,	a_ignore,	a_ignore,	a_exit_stopping,	a_kill,		a_ignore,	a_ignore,	a_ignore,	a_ignore,	a_ignore,	a_ignore },
	[SVC_RESTARTING]={ a_ignore,	a_stop_instead,	a_ignore,	a_ignore,	a_ignore,	a_ignore,	a_exit_restarting,	a_kill,		a_ignore,	a_ignore,	a_dep_gone,	a_ignore,	a_ignore,	a_ignore },
	[SVC_EXITED] =	{ a_start,	a_stop_resting,	a_start,	a_stop_resting,	a_ignore,	X,		X,			a_ignore,	a_ignore,	a_ignore,	a_ignore,	a_ignore,	a_ignore,	a_ignore },
	[SVC_FAILED] =	{ a_start,	a_stop_resting,	a_start,	a_stop_resting,	a_ignore,	X,		X,			a_ignore,	a_ignore,	a_ignore,	a_ignore,	a_ignore,	a_ignore,	a_ignore },
	[SVC_PAUSED] =	{ a_ignore,	a_stop,		a_restart,	a_restart,	a_ignore,	X,		a_exit,			a_ignore,	a_ignore,	a_ignore,	a_dep_gone,	a_dep_restart,	a_ignore,	a_unpause },
};
#undef X

/* What ended the run, for an exited or stopped event. */
static void
exit_info(const struct service *s, struct event_info *in)
{
	in->code = s->exit_signal == 0 ? s->exit_code : -1;
	in->signal = s->exit_signal != 0 ? s->exit_signal : -1;
	in->oom = s->oom_run;
}

/*
 * The events of `supctl events` a transition makes (events.c), said here,
 * where every change of state is made: started and ready from EXEC and
 * READY, the end of a run from EXIT (ended: how, taken before the action,
 * which may have begun the next run; NULL for a run that never was), the
 * rest from the state reached. Called after the action, so what it set
 * (timer, reason) is what the event says.
 */
static void
step_events(struct service *s, enum svc_ev ev, enum svc_state from,
    const struct event_info *ended)
{
	struct event_info	 in = EVENT_INFO_NONE;
	const char		*name = s->conf->name;
	enum svc_state		 to = s->state;

	if (ev == SE_EXEC || (ended != NULL && from == SVC_STARTING &&
	    s->conf->type == TYPE_SIMPLE && s->conf->ready == READY_EXEC)) {
		/* (The second: it ended before its exec was confirmed.) */
		in.pid = ev == SE_EXEC ? svc_main_pid(s) : s->last_pid;
		events_emit(name, EVK_STARTED, &in);
		in.pid = -1;
	}
	if (ended != NULL)
		events_emit(name, from == SVC_STOPPING ||
		    from == SVC_RESTARTING ? EVK_STOPPED : EVK_EXITED, ended);
	if (to == from)
		return;
	switch (to) {
	case SVC_RUNNING:
		events_emit(name, from == SVC_PAUSED ? EVK_UNPAUSED :
		    EVK_READY, NULL);
		break;
	case SVC_BACKOFF:
		in.delay_ms = (int64_t)(ev_timer_remaining(EV_DEFAULT_UC_
		    &s->timer) * 1000 + 0.5);
		in.reason = s->spawn_failed ? s->reason : NULL;
		events_emit(name, EVK_BACKOFF, &in);
		break;
	case SVC_FAILED:
		in.reason = s->reason;
		events_emit(name, EVK_FAILED, &in);
		break;
	case SVC_STOPPING:
	case SVC_RESTARTING:
		if (from != SVC_STOPPING && from != SVC_RESTARTING)
			events_emit(name, EVK_STOPPING, NULL);
		break;
	case SVC_STOPPED:
		if (ev != SE_EXIT)	/* (else said above) */
			events_emit(name, EVK_STOPPED, NULL);
		break;
	case SVC_PAUSED:
		events_emit(name, EVK_PAUSED, NULL);
		break;
	default:
		break;
	}
}

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
	struct event_info ended = EVENT_INFO_NONE;
	bool		 ran;

	if (fn == NULL) {
		log_errx("%s: unexpected event %d in state %s", s->conf->name,
		    ev, svc_state_name(from));
		return;
	}
	/* How the run ended, before the action may begin the next one. */
	ran = ev == SE_EXIT && !s->spawn_failed;
	if (ran)
		exit_info(s, &ended);
	s->state = fn(s, dep);		/* the only assignment of s->state */
	step_events(s, ev, from, ran ? &ended : NULL);
	if (s->state == from)
		return;
	/* Paused and going on is the same run: its uptime goes on. */
	if (s->state == SVC_RUNNING && from != SVC_PAUSED)
		s->running_ms = now_ms();
	if (svc_reg.hooks.changed != NULL)
		svc_reg.hooks.changed(s);
	if (s->auto_rm)
		svc_run_ended(s);
	essential_check(s);
	if (!svc_reg.any_deps)
		return;
	if (svc_reg.shutting_down)
		svc_shutdown_step();
	else
		svc_deps_fanout(s);
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
static unsigned		 held;		/* svc_queue_hold() calls not released */

/* Reload dropped them and they have stopped: free them, now that no
 * queued event can name them. Only walked while some may be removed: not
 * once per event of a boot of 1000. */
static void
free_removed(void)
{
	size_t	i = svc_reg.n;
	bool	left = false;

	if (!svc_reg.any_removed)
		return;
	while (i-- > 0) {
		if (i >= svc_reg.n || !svc_reg.svcs[i]->removed)
			continue;
		if (svc_reg.svcs[i]->state == SVC_STOPPED)
			svc_free(svc_reg.svcs[i]);
		else
			left = true;
	}
	svc_reg.any_removed = left;
}

/* Run the queue in order until it is empty, unless it runs already (or
 * is held): the outermost caller does. */
static void
queue_run(void)
{
	struct pending	p;

	if (draining || held > 0)
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

/*
 * Queue an event; the outermost call runs the queue in order until it is
 * empty, so an event raised by a transition (a dependent's, the one after
 * a restart) runs after it, never inside it.
 */
void
svc_event_dep(struct service *s, enum svc_ev ev, struct service *dep)
{
	if (q_len == q_cap) {
		q_cap = q_cap ? q_cap * 2 : 64;
		queue = xreallocarray(queue, q_cap, sizeof *queue);
	}
	queue[q_len++] = (struct pending){ s, dep, ev };
	queue_run();
}

void
svc_event(struct service *s, enum svc_ev ev)
{
	svc_event_dep(s, ev, NULL);
}

/* s is being freed: queued events naming it are dropped. */
void
svc_queue_forget(const struct service *s)
{
	size_t	i;

	for (i = q_head; i < q_len; i++) {
		if (queue[i].s == s)
			queue[i].s = NULL;
		if (queue[i].dep == s)
			queue[i].s = NULL;
	}
}

void
svc_queue_free(void)
{
	free(queue);
	queue = NULL;
	q_head = q_len = q_cap = 0;
}

/* A caller walking the registry raises its events as a batch: they run at
 * the last release, so no service it holds a pointer to is freed under it. */
void
svc_queue_hold(void)
{
	held++;
}

void
svc_queue_release(void)
{
	if (--held == 0)
		queue_run();
}

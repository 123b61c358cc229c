/* SPDX-License-Identifier: ISC */
/*
 * service-health.c: health checks of a running service ([health]): one
 * check at a time, through the service's init, an interval after the last
 * one ended; a timed-out check is killed. The result is a field (`health`),
 * not a state; it raises READY (ready = health) or UNHEALTHY
 * (on_unhealthy = restart) in the state table.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <ev.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "events.h"
#include "log.h"
#include "service-private.h"
#include "spawn.h"

static int	devnull = -1;

const char *
svc_health_name(enum health_state h)
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
	struct event_info	 unhealthy = EVENT_INFO_NONE;
	bool			 grace;
	char			*m;

	h->last = code;
	if (code == 0) {
		if (h->state != H_HEALTHY) {
			log_info("%s: healthy", s->conf->name);
			events_emit(s->conf->name, EVK_HEALTHY, NULL);
		}
		h->fails = 0;
		h->state = H_HEALTHY;
		if (s->state == SVC_RUNNING && s->reason != NULL &&
		    strncmp(s->reason, "unhealthy", 9) == 0)
			svc_set_reason(s, NULL);
		if (s->state == SVC_STARTING && s->conf->ready == READY_HEALTH)
			svc_event(s, SE_READY);
		if (svc_reg.hooks.changed != NULL)
			svc_reg.hooks.changed(s);
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
	svc_set_reason(s, m);
	unhealthy.reason = m;
	events_emit(s->conf->name, EVK_UNHEALTHY, &unhealthy);
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
	struct svc_conf	 tmp;
	struct service	*s = w->data;
	int		 fds[3];
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
	 * have been recycled; in the service's group, where its limits hold
	 * the check too and a stop's cgroup.kill ends it. */
	if ((pid = spawn_exec(svc_image_conf(s, &tmp), s->pid,
	    s->conf->health.argv, fds,
	    false, s->cg != NULL ? cg_dirfd(s->cg) : -1)) == -1) {
		log_warn("%s: health check", s->conf->name);
		if (health_result(s, 126))
			health_next(s);
		return;
	}
	s->health->pid = pid;
	s->health->runs++;
	health_arm(s, s->conf->health.timeout_ms);
}

/* The process runs: checks begin, the first after one interval. */
void
svc_health_begin(struct service *s)
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

/* No more checks for now; a running one is killed (its command goes with
 * it: PR_SET_PDEATHSIG) and forgotten. */
static void
health_halt(struct service *s)
{
	ev_timer_stop(EV_DEFAULT_UC_ &s->health->timer);
	if (s->health->pid != 0)
		(void)kill(s->health->pid, SIGKILL);
	s->health->pid = 0;
	s->health->ending = false;
}

/* The process is gone: no more checks. */
void
svc_health_end(struct service *s)
{
	if (s->health == NULL)
		return;
	health_halt(s);
	s->health->state = H_NONE;
}

/* Paused (supctl pause): no check runs, the running one is killed and
 * not counted, the state is kept; unpaused: the next one an interval on. */
void
svc_health_pause(struct service *s, bool paused)
{
	if (s->health == NULL || s->health->state == H_NONE)
		return;
	if (paused)
		health_halt(s);
	else
		health_arm(s, s->conf->health.interval_ms);
}

/* A reaped pid that is a health check: its result. */
bool
svc_health_reaped(pid_t pid, int status)
{
	struct health	*h;
	size_t		 i;

	for (i = 0; i < svc_reg.n; i++) {
		if ((h = svc_reg.svcs[i]->health) == NULL || h->pid != pid)
			continue;
		ev_timer_stop(EV_DEFAULT_UC_ &h->timer);
		h->pid = 0;
		if (h->ending)		/* its failure is counted already */
			h->ending = false;
		else if (!health_result(svc_reg.svcs[i], WIFEXITED(status) ?
		    WEXITSTATUS(status) : 128 + WTERMSIG(status)))
			return true;
		health_next(svc_reg.svcs[i]);
		return true;
	}
	return false;
}

/*
 * supctl health and ready (ctl-health.c): NULL if s passes, else why not,
 * one line naming it (a static buffer, valid until the next call).
 * health: its process runs (running or paused) and no check says
 * unhealthy; ready: running -- ready per its `ready` -- and not unhealthy.
 * A service without [health] is healthy when it runs. A oneshot that
 * exited 0 is done: it passes. Asked for all (not named), a service not
 * meant to run passes too: stopped and not to be started, removed, or
 * ended with status 0 where its policy does not restart it.
 */
const char *
svc_probe(const struct service *s, bool ready, bool named)
{
	static char	 why[256];
	enum svc_state	 st = s->state;
	bool		 done;

	done = st == SVC_EXITED && s->exit_signal == 0 && s->exit_code == 0;
	if ((done && (!named || s->conf->type == TYPE_ONESHOT)) ||
	    (!named && (s->removed || (st == SVC_STOPPED && !s->boot_start))))
		return NULL;
	if (s->health != NULL && s->health->state == H_UNHEALTHY &&
	    (st == SVC_RUNNING || st == SVC_PAUSED)) {
		snprintf(why, sizeof why, "%s: %s", s->conf->name,
		    s->reason != NULL ? s->reason : "unhealthy");
		return why;
	}
	if (st == SVC_RUNNING || (!ready && st == SVC_PAUSED))
		return NULL;
	if (s->reason != NULL && *s->reason != '\0')
		snprintf(why, sizeof why, "%s: %s (%s)", s->conf->name,
		    svc_state_name(st), s->reason);
	else
		snprintf(why, sizeof why, "%s: %s", s->conf->name,
		    svc_state_name(st));
	return why;
}

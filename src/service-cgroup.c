/* SPDX-License-Identifier: ISC */
/*
 * service-cgroup.c: a service's cgroup v2 group, from the service's side
 * (cgroup.c owns the tree and the files). The group is made before the
 * service's first start and kept across its restarts (svc_free removes
 * it); the watcher's news become the service's: the group emptied (the
 * EXIT that waited for it), an OOM kill (counted, logged, the run's
 * reason); stop_timeout's SIGKILL reaches every process of the group;
 * pause and unpause freeze and thaw it.
 *
 * A service without a group (s->cg NULL: no tree on this machine) goes
 * through none of this and behaves as without cgroups.
 */
#include <ev.h>
#include <stdlib.h>

#include "cgroup.h"
#include "log.h"
#include "service-private.h"

static void
oom_seen(struct service *s, uint64_t n)
{
	if (n == 0)
		return;
	s->oom_kills += (unsigned)n;
	s->oom_run = true;
	log_warnx("%s: out of memory: %llu process%s OOM killed (%u in all)",
	    s->conf->name, (unsigned long long)n, n == 1 ? "" : "es",
	    s->oom_kills);
}

static void
group_cb(void *arg, unsigned what, uint64_t new_ooms)
{
	struct service	*s = arg;

	if (what & CG_OOM)
		oom_seen(s, new_ooms);
	if ((what & CG_EMPTY) && s->exit_pending) {
		s->exit_pending = false;
		svc_event(s, SE_EXIT);
	}
}

int
svc_cg_prepare(struct service *s, char **cause)
{
	if (s->cg != NULL || !cg_enabled())
		return 0;
	s->cgl_held.mask = 0;	/* a new group holds no limit */
	s->cg = cg_open(s->conf->name, group_cb, s, cause);
	return s->cg != NULL ? 0 : -1;
}

/*
 * The main process was reaped. What is left in the group goes with it, as
 * its process group does -- except during a stop, where it has until
 * stop_timeout (the stop's timer: a_kill). EXIT waits until the group is
 * empty: a service is stopped only when nothing of it runs.
 */
bool
svc_cg_reaped(struct service *s)
{
	uint64_t	 before;
	char		*cause = NULL;

	if (s->cg == NULL)
		return false;
	before = cg_oom_kills(s->cg);
	(void)cg_refresh(s->cg);
	oom_seen(s, cg_oom_kills(s->cg) - before);
	svc_cg_thaw(s);
	if (!cg_populated(s->cg))
		return false;
	if ((s->state != SVC_STOPPING && s->state != SVC_RESTARTING) ||
	    !ev_is_active(&s->timer)) {
		if (cg_kill(s->cg, &cause) == -1) {
			log_warnx("%s: %s", s->conf->name, cause);
			free(cause);
		}
	}
	s->exit_pending = true;
	return true;
}

void
svc_cg_thaw(struct service *s)
{
	if (s->cg != NULL && s->state == SVC_PAUSED)
		(void)svc_cg_freeze(s, false);
}

bool
svc_cg_kill(struct service *s)
{
	char	*cause = NULL;

	if (s->cg == NULL)
		return false;
	if (cg_kill(s->cg, &cause) == -1) {
		log_warnx("%s: %s", s->conf->name, cause);
		free(cause);
	}
	return true;
}

int
svc_cg_freeze(struct service *s, bool on)
{
	char	*cause = NULL;

	if (cg_freeze(s->cg, on, &cause) == -1) {
		log_warnx("%s: %s", s->conf->name, cause);
		free(cause);
		return -1;
	}
	return 0;
}

int
svc_pause(struct service *s, bool pause, const char **errstr)
{
	if (!cg_enabled()) {
		*errstr = cg_unavailable();
		return -1;
	}
	if (pause && s->state == SVC_PAUSED) {
		*errstr = "already paused";
		return -1;
	}
	if (pause ? s->state != SVC_RUNNING || s->cg == NULL :
	    s->state != SVC_PAUSED) {
		*errstr = pause ? "not running" : "not paused";
		return -1;
	}
	svc_event(s, pause ? SE_PAUSE : SE_UNPAUSE);
	if ((s->state == SVC_PAUSED) != pause) {
		*errstr = pause ? "cannot freeze its cgroup (see supd's log)" :
		    "cannot thaw its cgroup (see supd's log)";
		return -1;
	}
	return 0;
}

void
svc_cg_json(const struct service *s, struct buf *b)
{
	buf_printf(b, ",\"oom_kills\":%u,\"cgroup\":", s->oom_kills);
	if (s->cg == NULL) {
		buf_puts(b, "null");
		return;
	}
	buf_puts(b, "{\"path\":");
	buf_json_str(b, cg_path(s->cg));
	buf_printf(b, ",\"populated\":%s,\"frozen\":%s}",
	    cg_populated(s->cg) ? "true" : "false",
	    cg_frozen(s->cg) ? "true" : "false");
}

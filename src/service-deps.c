/* SPDX-License-Identifier: ISC */
/*
 * service-deps.c: dependencies at run time (deps.c checks them at load).
 * Whether a service may start (go, wait, or fail), which requirements a
 * start pulls in, and which events a change of state sends to the services
 * that depend on it (DEP_READY, DEP_GONE, DEP_RESTART).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "service-private.h"

/* Done, for those that wait on it: running, or a oneshot that succeeded. */
bool
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

bool
svc_in_list(char *const *list, const char *name)
{
	for (; list != NULL && *list != NULL; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

/* Does c name `name` in after or requires? */
static bool
conf_names(const struct svc_conf *c, const char *name)
{
	return c != NULL && (svc_in_list(c->requires, name) ||
	    svc_in_list(c->after, name));
}

const char *
svc_dependent(const struct service *s, char *const *but, size_t n)
{
	const struct service	*d;
	size_t			 i, j;

	for (i = 0; i < svc_reg.n; i++) {
		d = svc_reg.svcs[i];
		if (d == s || d->removed)
			continue;
		for (j = 0; j < n && strcmp(but[j], d->conf->name) != 0; j++)
			;
		if (j == n && (conf_names(d->conf, s->conf->name) ||
		    conf_names(d->next_conf, s->conf->name)))
			return d->conf->name;
	}
	return NULL;
}

/* Does s require d? */
bool
svc_requires(const struct service *s, const struct service *d)
{
	return d != NULL && svc_in_list(s->conf->requires, d->conf->name);
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

/* s waits for who: the reason users see. */
static enum svc_state
waiting_for(struct service *s, const char *who)
{
	char	*m = xasprintf("waiting for %s", who);

	svc_set_reason(s, m);
	free(m);
	return SVC_WAITING;
}

/* WAITING, or a dependency moved: spawn, keep waiting, or give up. */
enum svc_state
svc_deps_decide(struct service *s)
{
	const char	*who = NULL;
	char		*m;

	switch (deps_verdict(s, &who)) {
	case DEP_GO:
		return svc_spawn(s);
	case DEP_WAIT:
		return waiting_for(s, who);
	case DEP_FAIL:
	default:
		m = xasprintf("requirement %s failed", who);
		log_warnx("%s: not started: %s", s->conf->name, m);
		svc_set_reason(s, m);
		free(m);
		return SVC_FAILED;
	}
}

/*
 * A start, past its counters: requirements that are not on their way are
 * started too (queued before s checks again, so it finds them on their
 * way), then s spawns, waits or fails.
 */
enum svc_state
svc_begin(struct service *s)
{
	struct service	*d;
	const char	*pulled = NULL;
	size_t		 i;

	if (s->conf->requires == NULL && s->conf->after == NULL)
		return svc_spawn(s);
	for (i = 0; s->conf->requires != NULL &&
	    s->conf->requires[i] != NULL; i++) {
		d = svc_find(s->conf->requires[i]);
		if (d != NULL && !d->removed && !svc_done(d) &&
		    !svc_pending(d) && d->state != SVC_STOPPING &&
		    !svc_reg.shutting_down) {
			svc_event(d, SE_START);
			if (pulled == NULL)
				pulled = d->conf->name;
		}
	}
	if (pulled == NULL)
		return svc_deps_decide(s);
	waiting_for(s, pulled);
	svc_event(s, SE_DEP_READY);	/* check again once they are queued */
	return SVC_WAITING;
}

/*
 * x changed state: what depends on it hears of it, as queued events run
 * once x's transition is over. A oneshot that did its job stays done when
 * it is stopped: its STOPPED is "gone" only to those still waiting.
 */
void
svc_deps_fanout(struct service *x)
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
	for (i = 0; i < svc_reg.n; i++)
		if (svc_reg.svcs[i] != x &&
		    (svc_in_list(svc_reg.svcs[i]->conf->requires, x->conf->name) ||
		    svc_in_list(svc_reg.svcs[i]->conf->after, x->conf->name)))
			svc_event_dep(svc_reg.svcs[i], ev, x);
}

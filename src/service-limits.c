/* SPDX-License-Identifier: ISC */
/*
 * service-limits.c: a service's cgroup v2 limits and usage, from the
 * service's side: the limits written to its group before each spawn (or
 * the one reason they cannot be), a reload that changed only them applied
 * to the running group without a restart, and its row of `supctl stats`
 * with the CPU % measured since supd's previous sample of the group,
 * and its usage for `supctl metrics`.
 *
 * The group itself (creating it, its fd, the tree) is cgroup.c's; the
 * files are cgroup-limits.c's and cgroup-stats.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup-limits.h"
#include "cgroup-stats.h"
#include "cgroup.h"
#include "log.h"
#include "service-private.h"

int
svc_limits_start(struct service *s, char **cause)
{
	char	*why;

	if ((*cause = cgl_unavailable(s->conf)) != NULL)
		return -1;
	if (s->cg == NULL)
		return 0;
	if (cgl_apply(cg_dirfd(s->cg), s->conf, &s->cgl_held, &why) ==
	    -1) {
		*cause = xasprintf("cgroup limits: %s", why);
		free(why);
		return -1;
	}
	/* A group is new at its first start: no CPU time yet. */
	if (s->cpu_at_ms == 0) {
		s->cpu_at_ms = now_ms();
		s->cpu_usec = 0;
		s->cpu_pct100 = 0;
	}
	return 0;
}

bool
svc_limits_reload(struct service *s, struct svc_conf *sc)
{
	char	*cause = NULL;

	/* Only a process that runs in its group now: otherwise the next
	 * start writes them anyway, and a waiting definition goes first. */
	if (s->cg == NULL || s->pid == 0 || s->next_conf != NULL ||
	    !cfg_svc_limits_only(s->conf, sc) || cgl_missing(sc) != NULL)
		return false;
	if (cgl_apply(cg_dirfd(s->cg), sc, &s->cgl_held, &cause) == -1) {
		log_warnx("%s: limits not applied in place, restarting: %s",
		    sc->name, cause);
		free(cause);
		return false;
	}
	cfg_svc_free(s->conf);
	s->conf = sc;
	log_info("%s: limits applied without a restart", sc->name);
	return true;
}

/* CPU % x 100 of the time since the previous sample, which st becomes. */
static int64_t
cpu_pct100(struct service *s, uint64_t usec)
{
	uint64_t	now = now_ms(), dt = now - s->cpu_at_ms;

	/* Two samples in one millisecond: the last figure stands. */
	if (dt == 0 || usec < s->cpu_usec)
		return s->cpu_pct100;
	/* usec over dt ms, as a percentage with two decimals. */
	s->cpu_pct100 = (int64_t)((usec - s->cpu_usec) * 10 / dt);
	s->cpu_usec = usec;
	s->cpu_at_ms = now;
	return s->cpu_pct100;
}

static uint64_t
held_limit(const struct cgl_held *held, int i)
{
	uint64_t	v = cgl_value(held, i);

	return v == CGL_MAX ? CGS_MAX : v;
}

void
svc_stats(struct service *s, struct proto_stats *st)
{
	static char	*note;		/* st->note, until the next call */
	struct cg_stats	 cs;

	free(note);
	note = NULL;
	memset(st, 0, sizeof *st);
	st->name = s->conf->name;
	st->state = svc_state_name(s->state);
	st->cpu_pct100 = st->cpu_usec = st->mem_current = st->mem_max =
	    st->pids_current = st->pids_max = st->io_rbytes = st->io_wbytes =
	    PROTO_STATS_NONE;
	if (s->cg == NULL) {
		st->note = "no group yet (never started)";
		return;
	}
	if (s->cgs == NULL)
		s->cgs = cgs_files_new();
	if (cgs_read(cg_dirfd(s->cg), s->cgs, &cs, &note) == -1) {
		st->note = note;
		return;
	}
	st->note = "";
	if (s->cpu_at_ms != 0)
		st->cpu_pct100 = cpu_pct100(s, cs.cpu_usec);
	else {
		/* A group made before any start: measured from now on. */
		s->cpu_at_ms = now_ms();
		s->cpu_usec = cs.cpu_usec;
	}
	/* The limits are what supd wrote, where the controller is. */
	if (cs.mem_current != CGS_NONE)
		cs.mem_max = held_limit(&s->cgl_held, CGL_MEMORY);
	if (cs.pids_current != CGS_NONE)
		cs.pids_max = held_limit(&s->cgl_held, CGL_PIDS);
	cgs_row(&cs, st);
}

int
svc_cg_usage(struct service *s, struct cg_stats *cs)
{
	char	*cause = NULL;

	if (s->cg == NULL)
		return -1;
	if (s->cgs == NULL)
		s->cgs = cgs_files_new();	/* kept, as for stats */
	if (cgs_read(cg_dirfd(s->cg), s->cgs, cs, &cause) == -1) {
		/* A scrape every few seconds: one line a failure would
		 * flood the log, and stats shows the reason. */
		free(cause);
		return -1;
	}
	return 0;
}

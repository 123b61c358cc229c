/* SPDX-License-Identifier: ISC */
/*
 * service.c: the registry of services and the requests on them.
 *
 * A service is its definition (struct svc_conf, never modified) plus runtime
 * state (struct service, src/service-private.h). This file owns the registry
 * (sorted by name), loading and reloading the service files, the boot
 * queue, the requests of supctl (start, stop, restart), the shutdown order,
 * and what status and inspect show. The lifecycle itself is the state x
 * event table of service-state.c; the rest of the module is split by
 * concern behind service-private.h: processes (service-spawn.c), readiness
 * (service-ready.c), health checks (service-health.c), runtime
 * dependencies (service-deps.c).
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <ev.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-stats.h"
#include "cgroup.h"
#include "deps.h"
#include "events.h"
#include "log.h"
#include "service-private.h"
#include "svclog.h"
#include "values.h"

struct svc_registry	  svc_reg;
/*
 * The boot queue: boot_start services are started in slices of the loop's
 * time, one slice per loop turn (boot_w, a check watcher, runs after every
 * poll), so that a client's request waits for a slice at most, not for the
 * whole boot, and a steady stream of requests cannot hold the boot back
 * either. boot_idle only keeps the loop from blocking in poll while starts
 * are waiting; both stop once the queue is empty.
 */
static ev_check		  boot_w;
static ev_idle		  boot_idle;
static size_t		  boot_cursor;
static uint64_t		  boot_end_us;	/* when the last slice ended, or 0 */
#define BOOT_SLICE_US	  5000		/* a slice's least length (a
					   turn costs: 2 ms made a boot of
					   1000 15 % longer), */
#define BOOT_SLICE_MAX_US 10000		/* and its most; a start that
					   ends it later is not cut */

const char *
svc_state_name(enum svc_state st)
{
	static const char *const names[SVC_NSTATES] = {
		"stopped", "starting", "running", "backoff", "stopping",
		"exited", "failed",
		/* Not new names: what users see of them (docs/design.md). */
		"starting", "stopping",
		"paused"
	};

	return st < SVC_NSTATES ? names[st] : "?";
}

void
svc_set_reason(struct service *s, const char *reason)
{
	free(s->reason);
	s->reason = reason != NULL ? xstrdup(reason) : NULL;
}

/*
 * unless-stopped: a manual stop persists in state_dir/stopped/NAME, made
 * whole or not at all (a temporary file synced, then renamed, then the
 * directory synced), never through a symlink.
 */
void
svc_persist_stopped(struct service *s, bool stopped)
{
	char	*dir, *tmp;
	int	 dfd, fd = -1;

	if (s->conf->restart != RESTART_UNLESS_STOPPED)
		return;
	dir = xasprintf("%s/stopped", svc_reg.mconf->state_dir);
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
	path = xasprintf("%s/stopped/%s", svc_reg.mconf->state_dir, sc->name);
	r = lstat(path, &st) == 0 && S_ISREG(st.st_mode);
	free(path);
	return r;
}

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

	if (svc_reg.n == 0)
		return NULL;	/* no array for bsearch() to be given */
	p = bsearch(name, svc_reg.svcs, svc_reg.n, sizeof *svc_reg.svcs, name_cmp);
	return p != NULL ? *p : NULL;
}

size_t
svc_count(void)
{
	return svc_reg.n;
}

struct service *
svc_at(size_t i)
{
	return i < svc_reg.n ? svc_reg.svcs[i] : NULL;
}

const char *
svc_state_dir(void)
{
	return svc_reg.mconf->state_dir;
}

const char *
svc_volume_user(const char *volume, size_t *from)
{
	const struct svc_conf	*sc;
	size_t			 j;

	while (*from < svc_reg.n) {
		sc = svc_reg.svcs[(*from)++]->conf;
		for (j = 0; j < sc->iso.nvolumes; j++)
			if (sc->iso.volumes[j].name != NULL &&
			    strcmp(sc->iso.volumes[j].name, volume) == 0)
				return sc->name;
	}
	return NULL;
}

struct service *
svc_new(struct svc_conf *sc)
{
	struct service	*s;
	size_t		 lo = 0, hi = svc_reg.n, mid;

	s = xcalloc(1, sizeof *s);
	s->conf = sc;
	s->exit_code = -1;
	s->report_fd = -1;
	s->status_fd = -1;
	s->stdin_fd = -1;
	s->log = svclog_new(sc->name, &sc->log, sc->tty);
	ev_timer_init(&s->timer, svc_timer_cb, 0., 0.);
	s->timer.data = s;
	/* Into its place, found by bisection: the registry stays sorted
	 * without a sort per service (a boot of N files, N sorts). */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (svc_cmp(&svc_reg.svcs[mid], &s) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	svc_reg.svcs = xreallocarray(svc_reg.svcs, svc_reg.n + 1, sizeof *svc_reg.svcs);
	memmove(svc_reg.svcs + lo + 1, svc_reg.svcs + lo,
	    (svc_reg.n - lo) * sizeof *svc_reg.svcs);
	svc_reg.svcs[lo] = s;
	svc_reg.n++;
	boot_cursor = 0;
	events_emit(sc->name, EVK_ADDED, NULL);
	return s;
}

void
svc_free(struct service *s)
{
	size_t	i;

	if (svc_reg.hooks.gone != NULL)
		svc_reg.hooks.gone(s);
	if (s->removed) {
		svc_net_forget(s);
		events_emit(s->conf->name, EVK_REMOVED, NULL);
	}
	svc_queue_forget(s);
	for (i = 0; i < svc_reg.n; i++)
		if (svc_reg.svcs[i] == s) {
			memmove(svc_reg.svcs + i, svc_reg.svcs + i + 1,
			    (svc_reg.n - i - 1) * sizeof *svc_reg.svcs);
			svc_reg.n--;
			boot_cursor = 0;
			break;
		}
	ev_timer_stop(EV_DEFAULT_UC_ &s->timer);
	if (s->report_fd != -1) {
		ev_io_stop(EV_DEFAULT_UC_ &s->report_w);
		close(s->report_fd);
	}
	if (s->pid != 0)
		svc_pid_del(s);
	if (s->status_fd != -1)
		close(s->status_fd);
	if (s->stdin_fd != -1)
		close(s->stdin_fd);
	svc_health_end(s);
	svc_pub_close(s);
	/* Removed from the configuration, or supd exits: its group goes. */
	cgs_files_free(s->cgs);
	cg_close(s->cg, true);
	free(s->health);
	free(s->execs);
	svc_notify_close(s);
	svc_ready_close(s);
	svc_image_free(s);
	if (s->rd != NULL)
		free(s->rd->notify_path);
	free(s->rd);
	if (s->removed && s->transient)
		svclog_discard(s->log);	/* supctl rm: its logs go too */
	svclog_free(s->log);
	cfg_svc_free(s->conf);
	cfg_svc_free(s->next_conf);
	free(s->reason);
	free(s);
}

static uint64_t
mono_us(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/*
 * A slice of starts: as long as the rest of the loop took since the last
 * one (clients' requests, the started services' reports), between
 * BOOT_SLICE_US and BOOT_SLICE_MAX_US, and at least one start. The boot
 * keeps half of supd's time whatever asks for the other half, and a
 * request waits for a slice no longer than its own turn.
 */
static void
boot_cb(EV_P_ ev_check *w, int revents)
{
	uint64_t	t0 = mono_us(), slice;

	(void)revents;
	slice = boot_end_us != 0 ? t0 - boot_end_us : 0;
	slice = slice < BOOT_SLICE_US ? BOOT_SLICE_US :
	    slice > BOOT_SLICE_MAX_US ? BOOT_SLICE_MAX_US : slice;
	while (boot_cursor < svc_reg.n) {
		struct service *s = svc_reg.svcs[boot_cursor++];

		if (s->boot_start && !svc_reg.shutting_down) {
			s->boot_start = false;
			svc_event(s, SE_START);
			if (mono_us() - t0 >= slice)
				break;
		}
	}
	boot_end_us = mono_us();
	if (boot_cursor >= svc_reg.n) {
		ev_check_stop(EV_A_ w);
		ev_idle_stop(EV_A_ &boot_idle);
	}
}

static void
boot_idle_cb(EV_P_ ev_idle *w, int revents)
{
	(void)EV_A;
	(void)w;
	(void)revents;
}

/* Something joined the boot queue: it is walked again from the start. */
static void
boot_queue_kick(void)
{
	boot_cursor = 0;
	if (!ev_is_active(&boot_w))
		boot_end_us = 0;	/* a new boot: a short first slice */
	ev_check_start(EV_DEFAULT_UC_ &boot_w);
	ev_idle_start(EV_DEFAULT_UC_ &boot_idle);
}

void
svc_init(const struct supd_conf *mc, const struct svc_hooks *h)
{
	svc_reg.mconf = mc;
	ev_check_init(&boot_w, boot_cb);
	ev_idle_init(&boot_idle, boot_idle_cb);
	if (h != NULL)
		svc_reg.hooks = *h;
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
 * Transient services (supctl run) are part of the graph: a file may name
 * one; a file of the same name as one is refused (svc_load_all) and left
 * out.
 */
static void
deps_screen(const struct strv *paths, struct svc_conf **loaded,
    struct service **keep, size_t nkeep, struct strv *errs)
{
	struct svc_conf	**set;
	struct strv	  e;
	size_t		  i, j, n, dropped;
	bool		 *bad;

	set = xcalloc(paths->n + nkeep + 1, sizeof *set);
	bad = xcalloc(paths->n + nkeep + 1, sizeof *bad);
	do {
		n = 0;
		for (i = 0; i < paths->n; i++) {
			const char	*base = strrchr(paths->v[i], '/') + 1;
			char		*name = xstrndup(base, strlen(base) - 4);
			struct service	**old;

			old = bsearch(name, keep, nkeep, sizeof *keep, name_cmp);
			free(name);
			if (old != NULL && (*old)->transient)
				continue;	/* refused: the name is taken */
			if (loaded[i] != NULL)
				set[n++] = loaded[i];
			else if (old != NULL)
				set[n++] = (*old)->next_conf != NULL ?
				    (*old)->next_conf : (*old)->conf;
		}
		/* Transient services (supctl run) are there to depend on. */
		for (i = 0; i < nkeep; i++)
			if (keep[i]->transient && !keep[i]->removed)
				set[n++] = keep[i]->conf;
		qsort(set, n, sizeof *set, conf_cmp);
		memset(bad, 0, (paths->n + nkeep + 1) * sizeof *bad);
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

/* Errors of a load, logged and handed to the one who asked. */
static size_t
load_errors(struct strv *errs, struct strv *msgs)
{
	size_t	i, n = errs->n;

	for (i = 0; i < errs->n; i++) {
		log_warnx("%s", errs->v[i]);
		strv_push(msgs, errs->v[i]);
	}
	strv_free(errs);
	return n;
}

enum load_what { LOAD_SAME, LOAD_ADDED, LOAD_CHANGED };

/* One definition that loaded: a new service, or one for a service we
 * have (old) that may have changed. */
static enum load_what
load_one(struct svc_conf *sc, struct service *old, bool boot)
{
	struct service	*s;

	if (old == NULL) {
		s = svc_new(sc);
		if (!boot)
			log_info("%s: added", sc->name);
		if (sc->autostart && !persisted_stopped(sc)) {
			s->boot_start = true;
			boot_queue_kick();
		}
		return LOAD_ADDED;
	}
	s = old;
	if (s->removed) {
		/* Removed earlier and back before it stopped. */
		s->removed = false;
		if (sc->autostart)
			svc_event(s, SE_START);
	}
	if (cfg_svc_equal(s->conf, sc) && (s->next_conf == NULL ||
	    cfg_svc_equal(s->next_conf, sc))) {
		cfg_svc_free(sc);
		return LOAD_SAME;
	}
	events_emit(sc->name, EVK_RELOADED, NULL);
	if (svc_limits_reload(s, sc))
		return LOAD_CHANGED;
	log_info("%s: definition changed", sc->name);
	cfg_svc_free(s->next_conf);
	s->next_conf = sc;
	svc_event(s, SE_RELOAD);
	return LOAD_CHANGED;
}

/* Does any service (or a definition waiting to apply) have after/requires? */
bool
svc_deps_anywhere(void)
{
	const struct service	*s;
	size_t			 i;

	for (i = 0; i < svc_reg.n; i++) {
		s = svc_reg.svcs[i];
		if (s->conf->after != NULL || s->conf->requires != NULL ||
		    (s->next_conf != NULL && (s->next_conf->after != NULL ||
		    s->next_conf->requires != NULL)))
			return true;
	}
	return false;
}

int
svc_load_all(bool boot, struct strv *msgs)
{
	struct strv	 paths = { 0 }, errs = { 0 };
	struct svc_conf	**loaded;
	struct service	**keep, **old;
	size_t		 i, nkeep, nerr;
	unsigned	 n[3] = { 0 }, removed = 0;
	bool		*seen;

	if (cfg_scan_dir(svc_reg.mconf->conf_dir, &paths, &errs) == -1)
		/* An unreadable directory is not an empty one: keep all. */
		return load_errors(&errs, msgs);
	seen = xcalloc(svc_reg.n + 1, sizeof *seen);
	keep = xcalloc(svc_reg.n + 1, sizeof *keep);
	if (svc_reg.n > 0)
		memcpy(keep, svc_reg.svcs, svc_reg.n * sizeof *svc_reg.svcs);
	nkeep = svc_reg.n;
	loaded = xcalloc(paths.n + 1, sizeof *loaded);
	for (i = 0; i < paths.n; i++)
		loaded[i] = cfg_load_service(paths.v[i], svc_reg.mconf, &errs);
	deps_screen(&paths, loaded, keep, nkeep, &errs);
	svc_queue_hold();	/* keep[] stays valid until the release */
	for (i = 0; i < paths.n; i++) {
		const char	*base = strrchr(paths.v[i], '/') + 1;
		char		*name = xstrndup(base, strlen(base) - 4);

		old = bsearch(name, keep, nkeep, sizeof *keep, name_cmp);
		if (old != NULL)
			seen[old - keep] = true;
		free(name);
		if (old != NULL && (*old)->transient && loaded[i] != NULL) {
			/* A name is one service's: the file waits for rm. */
			strv_take(&errs, xasprintf("%s: name in use by a "
			    "transient service (supctl rm it, then reload)",
			    paths.v[i]));
			cfg_svc_free(loaded[i]);
			continue;
		}
		/* Not loaded: the old definition, if any, stays. */
		if (loaded[i] != NULL)
			n[load_one(loaded[i], old != NULL ? *old : NULL,
			    boot)]++;
	}
	for (i = 0; i < nkeep; i++) {
		if (seen[i] || keep[i]->removed || keep[i]->transient)
			continue;
		removed++;
		log_info("%s: removed", keep[i]->conf->name);
		keep[i]->removed = true;
		svc_reg.any_removed = true;
		svc_event(keep[i], SE_STOP);	/* frees it once stopped */
	}
	svc_reg.any_deps = svc_deps_anywhere();
	svc_queue_release();
	free(seen);
	free(keep);
	free(loaded);
	nerr = load_errors(&errs, msgs);
	if (!boot)
		strv_take(msgs, xasprintf("reload: %u added, %u changed, "
		    "%u removed, %zu error%s", n[LOAD_ADDED], n[LOAD_CHANGED],
		    removed, nerr, nerr == 1 ? "" : "s"));
	strv_free(&paths);
	return nerr;
}

int
svc_start(struct service *s)
{
	if (s->removed || svc_reg.shutting_down)
		return -1;
	svc_event(s, SE_START);
	return 0;
}

int
svc_stop(struct service *s)
{
	svc_persist_stopped(s, true);
	svc_event(s, SE_STOP);
	return 0;
}

int
svc_restart(struct service *s)
{
	if (s->removed || svc_reg.shutting_down)
		return -1;
	svc_event(s, SE_RESTART);
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
	case SVC_PAUSED:
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
void
svc_shutdown_step(void)
{
	struct service	**list;
	size_t		  i, j, n = svc_reg.n;
	bool		  blocked;

	list = xcalloc(n + 1, sizeof *list);
	memcpy(list, svc_reg.svcs, n * sizeof *list);
	svc_queue_hold();
	for (i = 0; i < n; i++) {
		if (!svc_active(list[i]) || list[i]->state == SVC_STOPPING)
			continue;
		blocked = false;
		for (j = 0; j < n && !blocked; j++)
			blocked = j != i && svc_active(list[j]) &&
			    (svc_in_list(list[j]->conf->requires,
			    list[i]->conf->name) ||
			    svc_in_list(list[j]->conf->after, list[i]->conf->name));
		if (!blocked)
			svc_event(list[i], SE_STOP);
	}
	free(list);
	svc_queue_release();
}

void
svc_stop_all(void)
{
	struct service	**copy;
	size_t		  i, n = svc_reg.n;

	svc_reg.shutting_down = true;
	if (svc_reg.any_deps) {
		svc_shutdown_step();
		return;
	}
	/* The events run once all are raised: a removed service they free
	 * is not freed under the walk. */
	copy = xcalloc(n + 1, sizeof *copy);
	if (n > 0)
		memcpy(copy, svc_reg.svcs, n * sizeof *copy);
	svc_queue_hold();
	for (i = 0; i < n; i++)
		svc_event(copy[i], SE_STOP);
	svc_queue_release();
	free(copy);
}

bool
svc_all_down(void)
{
	size_t	i;

	/* exit_pending: its group is not empty yet. */
	for (i = 0; i < svc_reg.n; i++)
		if (svc_reg.svcs[i]->pid != 0 || svc_reg.svcs[i]->exit_pending)
			return false;
	return true;
}

void
svc_kill_all(void)
{
	size_t	i;

	struct service	*s;

	for (i = 0; i < svc_reg.n; i++) {
		s = svc_reg.svcs[i];
		if (s->pid == 0 && !s->exit_pending)
			continue;
		log_warnx("%s: shutdown timeout, sending SIGKILL",
		    s->conf->name);
		/* Its cgroup holds every process of it; a paused one is
		 * thawed (what was frozen dies all the same). */
		svc_cg_thaw(s);
		if (!svc_cg_kill(s) && s->pid != 0) {
			(void)kill(-s->pid, SIGKILL);
			(void)kill(s->pid, SIGKILL);
		}
	}
}

void
svc_free_all(void)
{
	ev_check_stop(EV_DEFAULT_UC_ &boot_w);
	ev_idle_stop(EV_DEFAULT_UC_ &boot_idle);
	while (svc_reg.n > 0)
		svc_free(svc_reg.svcs[svc_reg.n - 1]);
	free(svc_reg.svcs);
	svc_reg.svcs = NULL;
	svc_queue_free();
}

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
	static struct buf	addrs;	/* st->networks, until the next call */
	static struct buf	ports;	/* st->published, likewise */
	static struct buf	cmd;	/* st->command, likewise */
	struct svc_conf		tmp;
	char *const		*argv;
	size_t			i;

	st->name = s->conf->name;
	st->state = svc_state_name(s->state);
	st->reason = s->reason != NULL ? s->reason : "";
	st->pid = svc_main_pid(s);
	st->uptime_ms = s->state == SVC_RUNNING || s->state == SVC_PAUSED ?
	    now_ms() - s->running_ms : 0;
	st->restarts = s->restarts;
	st->exit_code = s->exit_code;
	st->exit_signal = s->exit_signal;
	st->health = s->health != NULL ? svc_health_name(s->health->state) : "";
	buf_reset(&addrs);
	buf_puts(&addrs, "");
	svc_net_addrs(s, &addrs, false);
	st->networks = addrs.p;
	buf_reset(&ports);
	buf_puts(&ports, "");
	svc_pub_list(s, &ports);
	st->published = ports.p;
	st->bound = svc_pub_bound(s);
	st->oom_kills = s->cg != NULL ? (int64_t)s->oom_kills : -1;
	buf_reset(&cmd);
	buf_puts(&cmd, "");
	/* buf_puts, not a printf per word: a status of 1000 does this
	 * 1000 times (and while a boot runs, between its slices). */
	/* With an image, what its last start ran (entrypoint and Cmd). */
	argv = svc_image_conf(s, &tmp)->argv;
	for (i = 0; argv != NULL && argv[i] != NULL; i++) {
		if (i > 0)
			buf_add(&cmd, " ", 1);
		buf_puts(&cmd, argv[i]);
	}
	st->command = cmd.p;
	st->transient = s->transient;
	st->ended_ago_ms = s->ended_ms != 0 && svc_ended(s) ?
	    (int64_t)(now_ms() - s->ended_ms) : -1;
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
	    "\"failures\":%u,\"exit_code\":", (int)svc_main_pid(s),
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
	    svc_health_name(s->health->state) : NULL);
	if (s->health != NULL)
		buf_printf(b, ",\"health_checks\":{\"runs\":%u,\"timeouts\":%u,"
		    "\"killed\":%u,\"running\":%s}", s->health->runs,
		    s->health->timeouts, s->health->killed, s->health->pid != 0 ?
		    "true" : "false");
	svc_net_addrs(s, b, true);
	svc_pub_json(s, b);
	svc_cg_json(s, b);
	svc_image_json(s, b);
	svc_ns_json(s->conf, b);
	buf_printf(b, ",\"pending_reload\":%s,\"transient\":%s,"
	    "\"config\":", s->next_conf != NULL ? "true" : "false",
	    s->transient ? "true" : "false");
	cfg_svc_canon(s->conf, b);
	buf_puts(b, "}\n");
}

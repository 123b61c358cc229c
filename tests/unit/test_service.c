/* SPDX-License-Identifier: ISC */
/*
 * test_service.c: the state x event table of service-state.c, every cell,
 * plus the fan-out that runs after a transition (dependents, restarts of
 * a requirement). Linked with the service module and the real config
 * loader, but with the small fakes below instead of spawn.c (no process is
 * ever made: pids are far above pid_max, so every kill() is ESRCH),
 * svclog.c and leftovers.c. Events are raised as their sources raise them:
 * svc_event() for requests, timers and reports, svc_reaped() for an exit.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "config.h"
#include "events.h"
#include "leftovers.h"
#include "scratch.h"
#include "service-private.h"
#include "spawn.h"
#include "svclog.h"
#include "unit.h"
#include "values.h"
#include "volume.h"

/* ---- fakes --------------------------------------------------------------- */

#define FAKE_PID0	1000000000	/* above any pid_max (at most 2^22) */

static pid_t	next_pid = FAKE_PID0;
static unsigned	spawns;			/* spawn_service calls that succeeded */
static bool	spawn_fails;		/* make the next ones fail */

int
spawn_service(const struct svc_conf *sc, const struct spawn_args *a,
    struct spawn_child *c)
{
	int	p[2];

	(void)sc;
	(void)a;
	if (spawn_fails) {
		errno = EAGAIN;
		return -1;
	}
	/* The report pipe of a child that exec'd: EOF once read. */
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1)
		return -1;
	close(p[1]);
	c->pid = next_pid++;
	c->report_fd = p[0];
	c->status_fd = -1;
	spawns++;
	return 0;
}

pid_t
spawn_exec(const struct svc_conf *sc, pid_t target, char **argv,
    const int *fds, bool tty, int cgroup_fd)
{
	(void)sc;
	(void)target;
	(void)argv;
	(void)fds;
	(void)tty;
	(void)cgroup_fd;
	return next_pid++;
}

pid_t
spawn_command_pid(pid_t init)
{
	(void)init;
	return 0;
}

void
spawn_report_str(const struct spawn_report *r, char *buf, size_t len)
{
	snprintf(buf, len, "step %d: %s", (int)r->step, strerror(r->err));
}

int
iso_prepare(const struct svc_conf *sc, pid_t net_pid, struct iso_prep *p,
    char **cause)
{
	(void)sc;
	(void)net_pid;
	(void)cause;
	memset(p, 0, sizeof *p);
	p->netns = p->upper = p->root = -1;
	return 0;
}

int
iso_prep_file(const char *path, int *fd, char **cause)
{
	(void)path;
	(void)cause;
	*fd = -1;
	return 0;
}

void
spawn_gate_open(int gate_fd)
{
	close(gate_fd);
}

/* volume.c: a kept overlay's removal (service-image.c). */
int
vol_remove(const char *dir, const char *name, char **cause)
{
	(void)dir;
	(void)name;
	(void)cause;
	return 0;
}

void
iso_prep_release(struct iso_prep *p)
{
	(void)p;
}

/* scratch.c: the throwaway layers (no service here has an overlay). */
char *
scratch_take(const char *name, bool userns, char **cause)
{
	(void)name;
	(void)userns;
	*cause = xstrdup("no scratch in test_service");
	return NULL;
}

void
scratch_drop(const char *name)
{
	(void)name;
}

/* events.c: the kinds said, in order, for the tests that read them. */
static enum event_kind	emitted[64];
static int		emitted_code[64];
static size_t		nemitted;

void
events_emit(const char *name, enum event_kind k, const struct event_info *in)
{
	(void)name;
	if (nemitted < sizeof emitted / sizeof emitted[0]) {
		emitted_code[nemitted] = in != NULL ? in->code : -1;
		emitted[nemitted++] = k;
	}
}

struct svclog *
svclog_new(const char *name, const struct log_conf *lc, bool tty)
{
	(void)name;
	(void)lc;
	(void)tty;
	return xcalloc(1, 16);
}

void
svclog_free(struct svclog *l)
{
	free(l);
}

void
svclog_discard(struct svclog *l)
{
	(void)l;
}

void
svclog_configure(struct svclog *l, const struct log_conf *lc)
{
	(void)l;
	(void)lc;
}

int
svclog_open(struct svclog *l, char **cause)
{
	(void)l;
	(void)cause;
	return 0;
}

void
svclog_child_fds(const struct svclog *l, int *out, int *err)
{
	(void)l;
	*out = *err = -1;
}

bool
svclog_is_tty(const struct svclog *l)
{
	(void)l;
	return false;
}

void
svclog_run_ended(struct svclog *l)
{
	(void)l;
}

void
leftovers_record(unsigned *slot, const char *name, pid_t pid)
{
	(void)slot;
	(void)name;
	(void)pid;
}

void
leftovers_forget(unsigned *slot, const char *name)
{
	(void)slot;
	(void)name;
}

/*
 * cgroup.c: every service gets a fake group, so the table runs through the
 * cgroup paths too. A group holds what a test sets: populated (processes
 * left after the main one), frozen; kills counts cg_kill calls.
 */
struct cgroup {
	bool		 populated;
	bool		 frozen;
	unsigned	 kills;
	uint64_t	 ooms;		/* oom_kill as last read */
	uint64_t	 oom_next;	/* oom_kill of memory.events now */
	cg_event_fn	*fn;
	void		*arg;
};

const char *
cg_setting_check(const char *v)
{
	(void)v;
	return NULL;
}

bool
cg_enabled(void)
{
	return true;
}

const char *
cg_unavailable(void)
{
	return NULL;
}

/* No controller: what uses one (the [limits] keys) is not tested here. */
bool
cg_has_controller(const char *name)
{
	(void)name;
	return false;
}

struct cgroup *
cg_open(const char *name, cg_event_fn *fn, void *arg, char **cause)
{
	struct cgroup	*g = xcalloc(1, sizeof *g);

	(void)name;
	(void)cause;
	g->fn = fn;
	g->arg = arg;
	return g;
}

void
cg_close(struct cgroup *g, bool remove)
{
	(void)remove;
	free(g);
}

int
cg_dirfd(const struct cgroup *g)
{
	(void)g;
	return -1;
}

const char *
cg_path(const struct cgroup *g)
{
	(void)g;
	return "/fake";
}

bool
cg_populated(const struct cgroup *g)
{
	return g->populated;
}

bool
cg_frozen(const struct cgroup *g)
{
	return g->frozen;
}

uint64_t
cg_oom_kills(const struct cgroup *g)
{
	return g->ooms;
}

unsigned
cg_refresh(struct cgroup *g)
{
	unsigned	what = g->oom_next > g->ooms ? CG_OOM : 0;

	g->ooms = g->oom_next;
	return what;
}

int
cg_kill(struct cgroup *g, char **cause)
{
	(void)cause;
	g->kills++;
	return 0;
}

int
cg_freeze(struct cgroup *g, bool on, char **cause)
{
	(void)cause;
	g->frozen = on;
	return 0;
}

/* The group emptied: what the watcher tells. */
static void
group_empties(struct service *s)
{
	s->cg->populated = false;
	s->cg->fn(s->cg->arg, CG_EMPTY, 0);
}

/* ---- fixture ------------------------------------------------------------- */

static char		 dir[] = "/tmp/test_service.XXXXXX";
static struct supd_conf	 mc;

/* What the changed hook saw: the state of app when db changed (the
 * fan-out must not have run yet). */
static int		 app_seen_at_db_change = -1;
static unsigned		 changes;

static void
changed_hook(struct service *s)
{
	struct service	*app = svc_find("app");

	changes++;
	if (strcmp(svc_name(s), "db") == 0 && app != NULL)
		app_seen_at_db_change = (int)app->state;
}

static void
write_file(const char *name, const char *text)
{
	free(unit_write_file(dir, name, text));
}

static void
setup(void)
{
	struct strv	 errs = { 0 };
	char		*conf;

	if (mkdtemp(dir) == NULL) {
		perror(dir);
		exit(1);
	}
	conf = xasprintf("[supd]\nconf_dir = %s/conf.d\nsocket = %s/supd.sock\n"
	    "state_dir = %s/state\nlog_dir = %s/log\n", dir, dir, dir, dir);
	write_file("supd.conf", conf);
	free(conf);
	conf = xasprintf("%s/conf.d", dir);
	mkdir(conf, 0755);
	free(conf);
	write_file("conf.d/db.ini", "[service]\ncommand = /bin/true\n"
	    "autostart = no\nrestart = always\n");
	write_file("conf.d/app.ini", "[service]\ncommand = /bin/true\n"
	    "autostart = no\nrestart = always\nrequires = db\n");
	write_file("conf.d/once.ini", "[service]\ncommand = /bin/true\n"
	    "autostart = no\nrestart = no\n");
	conf = xasprintf("%s/supd.conf", dir);
	if (cfg_load_main(conf, true, &mc, &errs) == -1) {
		fprintf(stderr, "%s\n", errs.n ? errs.v[0] : "?");
		exit(1);
	}
	free(conf);
	strv_free(&errs);
}

static void
teardown(void)
{
	char	*cmd = xasprintf("rm -rf '%s'", dir);

	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	free(cmd);
	cfg_main_free(&mc);
}

/* A fresh registry: db, app (requires db), once (restart = no). */
static void
load(void)
{
	static const struct svc_hooks	hooks = { .changed = changed_hook };
	struct strv			msgs = { 0 };

	svc_init(&mc, &hooks);
	if (svc_load_all(true, &msgs) != 0) {
		fprintf(stderr, "%s\n", msgs.n ? msgs.v[0] : "load failed");
		exit(1);
	}
	strv_free(&msgs);
	spawn_fails = false;
}

static void
reap(struct service *s, int code)
{
	CHECK(s->pid != 0);
	CHECK(svc_reaped(s->pid, W_EXITCODE(code, 0)));
}

/* ---- the table, cell by cell ----------------------------------------------- */

static const char *const ev_names[SE_N] = {
	"START", "STOP", "RESTART", "RELOAD", "UNHEALTHY", "EXEC", "EXIT",
	"TIMER", "READY", "DEP_READY", "DEP_GONE", "DEP_RESTART", "PAUSE",
	"UNPAUSE"
};

static const char *const st_names[SVC_NSTATES] = {
	"STOPPED", "STARTING", "RUNNING", "BACKOFF", "STOPPING", "EXITED",
	"FAILED", "WAITING", "RESTARTING", "PAUSED"
};

#define X	(-1)	/* cannot happen: logged, nothing changes */
#define S_STOPPED	SVC_STOPPED
#define S_STARTING	SVC_STARTING
#define S_RUNNING	SVC_RUNNING
#define S_BACKOFF	SVC_BACKOFF
#define S_STOPPING	SVC_STOPPING
#define S_EXITED	SVC_EXITED
#define S_FAILED	SVC_FAILED
#define S_WAITING	SVC_WAITING
#define S_RESTART	SVC_RESTARTING
#define S_PAUSED	SVC_PAUSED

/*
 * The state each event leads to, from each state (docs/design.md has the
 * same table with the actions). Rows STOPPED to STOPPING, WAITING,
 * RESTARTING and PAUSED are app (requires db, restart = always) with db running (or,
 * for WAITING, still starting); EXITED and FAILED are once (restart = no).
 * The dependency of DEP_* events is db.
 */
static const int expect[SVC_NSTATES][SE_N] = {
	/*		START		STOP		RESTART		RELOAD		UNHEALTHY	EXEC		EXIT		TIMER		READY		DEP_READY	DEP_GONE	DEP_RESTART	PAUSE		UNPAUSE */
	[SVC_STOPPED] =	{ S_STARTING,	S_STOPPED,	S_STARTING,	S_STOPPED,	S_STOPPED,	X,		X,		S_STOPPED,	S_STOPPED,	S_STOPPED,	S_STOPPED,	S_STOPPED,	S_STOPPED,	S_STOPPED },
	[SVC_STARTING] ={ S_STARTING,	S_STOPPING,	S_RESTART,	S_RESTART,	S_STARTING,	S_RUNNING,	S_BACKOFF,	S_STARTING,	S_RUNNING,	S_STARTING,	S_STOPPING,	S_RESTART,	S_STARTING,	S_STARTING },
	[SVC_RUNNING] =	{ S_RUNNING,	S_STOPPING,	S_RESTART,	S_RESTART,	S_RESTART,	X,		S_BACKOFF,	S_RUNNING,	S_RUNNING,	S_RUNNING,	S_STOPPING,	S_RESTART,	S_PAUSED,	S_RUNNING },
	[SVC_BACKOFF] =	{ S_STARTING,	S_STOPPED,	S_STARTING,	S_STARTING,	S_BACKOFF,	X,		X,		S_STARTING,	S_BACKOFF,	S_BACKOFF,	S_STOPPED,	S_STARTING,	S_BACKOFF,	S_BACKOFF },
	[SVC_STOPPING] ={ S_RESTART,	S_STOPPING,	S_RESTART,	S_STOPPING,	S_STOPPING,	S_STOPPING,	S_STOPPED,	S_STOPPING,	S_STOPPING,	S_STOPPING,	S_STOPPING,	S_STOPPING,	S_STOPPING,	S_STOPPING },
	[SVC_EXITED] =	{ S_STARTING,	S_STOPPED,	S_STARTING,	S_STOPPED,	S_EXITED,	X,		X,		S_EXITED,	S_EXITED,	S_EXITED,	S_EXITED,	S_EXITED,	S_EXITED,	S_EXITED },
	[SVC_FAILED] =	{ S_STARTING,	S_STOPPED,	S_STARTING,	S_STOPPED,	S_FAILED,	X,		X,		S_FAILED,	S_FAILED,	S_FAILED,	S_FAILED,	S_FAILED,	S_FAILED,	S_FAILED },
	[SVC_WAITING] =	{ S_WAITING,	S_STOPPED,	S_WAITING,	S_WAITING,	S_WAITING,	X,		X,		S_WAITING,	S_WAITING,	S_WAITING,	S_WAITING,	S_WAITING,	S_WAITING,	S_WAITING },
	[SVC_RESTARTING]={ S_RESTART,	S_STOPPING,	S_RESTART,	S_RESTART,	S_RESTART,	S_RESTART,	S_STARTING,	S_RESTART,	S_RESTART,	S_RESTART,	S_STOPPING,	S_RESTART,	S_RESTART,	S_RESTART },
	[SVC_PAUSED] =	{ S_PAUSED,	S_STOPPING,	S_RESTART,	S_RESTART,	S_PAUSED,	X,		S_BACKOFF,	S_PAUSED,	S_PAUSED,	S_PAUSED,	S_STOPPING,	S_RESTART,	S_PAUSED,	S_RUNNING },
};

/* Bring a fresh registry's subject into state st; returns the subject. */
static struct service *
reach(enum svc_state st)
{
	struct service	*db = svc_find("db"), *app = svc_find("app");
	struct service	*once = svc_find("once");

	if (st == SVC_EXITED || st == SVC_FAILED) {
		if (st == SVC_FAILED)
			spawn_fails = true;
		svc_event(once, SE_START);
		if (st == SVC_EXITED) {
			svc_event(once, SE_EXEC);
			reap(once, 0);
		}
		spawn_fails = false;
		return once;
	}
	svc_event(db, SE_START);
	if (st == SVC_WAITING) {
		svc_event(app, SE_START);
		return app;
	}
	svc_event(db, SE_EXEC);
	if (st == SVC_STOPPED)
		return app;
	svc_event(app, SE_START);
	if (st == SVC_STARTING)
		return app;
	svc_event(app, SE_EXEC);
	switch (st) {
	case SVC_BACKOFF:
		reap(app, 0);
		break;
	case SVC_STOPPING:
		svc_event(app, SE_STOP);
		break;
	case SVC_RESTARTING:
		svc_event(app, SE_RESTART);
		break;
	case SVC_PAUSED:
		svc_event(app, SE_PAUSE);
		break;
	default:
		break;
	}
	return app;
}

static void
raise_event(struct service *s, enum svc_ev ev)
{
	if (ev == SE_EXIT && s->pid != 0)
		CHECK(svc_reaped(s->pid, W_EXITCODE(0, 0)));
	else if (ev >= SE_DEP_READY && ev <= SE_DEP_RESTART)
		svc_event_dep(s, ev, svc_find("db"));
	else
		svc_event(s, ev);
}

static bool
resting(int st)
{
	return st == SVC_STOPPED || st == SVC_EXITED || st == SVC_FAILED ||
	    st == SVC_WAITING;
}

static void
test_cell(enum svc_state st, enum svc_ev ev)
{
	struct service	*s;
	unsigned	 before;
	int		 want = expect[st][ev], got;
	pid_t		 pid;

	load();
	s = reach(st);
	if (s->state != st) {
		fprintf(stderr, "cannot reach %s (at %s)\n", st_names[st],
		    st_names[s->state]);
		CHECK(s->state == st);
		svc_free_all();
		return;
	}
	before = spawns;
	pid = s->pid;
	raise_event(s, ev);
	got = s->state;
	if (got != (want == X ? (int)st : want))
		fprintf(stderr, "%s x %s: %s, expected %s\n", st_names[st],
		    ev_names[ev], st_names[got],
		    st_names[want == X ? (int)st : want]);
	CHECK_INT(got, want == X ? (int)st : want);
	/* The action, as far as it shows: a spawn on the way into STARTING
	 * from elsewhere, none otherwise; no process at rest; a timer for a
	 * backoff or a stop; the same process while it is stopped. */
	CHECK_INT(spawns - before, got == SVC_STARTING && st != SVC_STARTING);
	if (resting(got))
		CHECK_INT(s->pid, 0);
	else
		CHECK(s->pid != 0 || got == SVC_BACKOFF);
	if (got == SVC_BACKOFF || got == SVC_STOPPING ||
	    got == SVC_RESTARTING)
		CHECK(ev_is_active(&s->timer));
	if (resting(got))
		CHECK(!ev_is_active(&s->timer));
	if ((got == SVC_STOPPING || got == SVC_RESTARTING) && ev != SE_EXIT)
		CHECK_INT(s->pid, pid);
	svc_free_all();
}

static void
test_table(void)
{
	int	st, ev;

	for (st = 0; st < SVC_NSTATES; st++)
		for (ev = 0; ev < SE_N; ev++)
			test_cell(st, ev);
}

/* ---- the fan-out --------------------------------------------------------- */

/* restart db: app restarts too, and starts again only once db runs. */
static void
test_restart_propagates(void)
{
	struct service	*db, *app;
	pid_t		 old;

	load();
	app = reach(SVC_RUNNING);
	db = svc_find("db");
	old = app->pid;
	app_seen_at_db_change = -1;
	CHECK_INT(svc_restart(db), 0);
	CHECK_INT(db->state, SVC_RESTARTING);
	/* db's change was published before its dependents moved. */
	CHECK_INT(app_seen_at_db_change, SVC_RUNNING);
	CHECK_INT(app->state, SVC_RESTARTING);
	CHECK_INT(app->pid, old);
	reap(db, 0);
	CHECK_INT(db->state, SVC_STARTING);
	reap(app, 0);
	CHECK_INT(app->state, SVC_WAITING);
	CHECK_STR(svc_reason(app), "waiting for db");
	CHECK_INT(app->pid, 0);
	svc_event(db, SE_EXEC);
	CHECK_INT(db->state, SVC_RUNNING);
	CHECK_INT(app->state, SVC_STARTING);
	CHECK(app->pid != 0 && app->pid != old);
	svc_event(app, SE_EXEC);
	CHECK_INT(app->state, SVC_RUNNING);
	/* A restart by request resets the counters. */
	CHECK_INT(app->restarts, 0);
	svc_free_all();
}

/* stop db: app stops for good. */
static void
test_stop_propagates(void)
{
	struct service	*db, *app;

	load();
	app = reach(SVC_RUNNING);
	db = svc_find("db");
	CHECK_INT(svc_stop(db), 0);
	CHECK_INT(db->state, SVC_STOPPING);
	CHECK_INT(app->state, SVC_RUNNING);
	reap(db, 0);
	CHECK_INT(db->state, SVC_STOPPED);
	CHECK_INT(app->state, SVC_STOPPING);
	CHECK_STR(svc_reason(app), "requirement db stopped");
	reap(app, 0);
	CHECK_INT(app->state, SVC_STOPPED);
	CHECK_INT(db->state, SVC_STOPPED);
	svc_free_all();
}

/* Starting app pulls db in; app waits, then goes; or fails with db. */
static void
test_waiting(void)
{
	struct service	*db, *app;

	load();
	db = svc_find("db");
	app = svc_find("app");
	CHECK_INT(svc_start(app), 0);
	CHECK_INT(db->state, SVC_STARTING);
	CHECK_INT(app->state, SVC_WAITING);
	CHECK_STR(svc_state_name(app->state), "starting");
	CHECK_STR(svc_reason(app), "waiting for db");
	svc_event(db, SE_EXEC);
	CHECK_INT(app->state, SVC_STARTING);
	svc_free_all();

	load();
	db = svc_find("db");
	app = svc_find("app");
	spawn_fails = true;
	db->conf->restart = RESTART_NO;
	CHECK_INT(svc_start(app), 0);
	CHECK_INT(db->state, SVC_FAILED);
	CHECK_INT(app->state, SVC_FAILED);
	CHECK_STR(svc_reason(app), "requirement db failed");
	spawn_fails = false;
	svc_free_all();
}

/* on_unhealthy = restart is supd's own restart: counted. */
static void
test_unhealthy_counts(void)
{
	struct service	*app;

	load();
	app = reach(SVC_RUNNING);
	svc_event(app, SE_UNHEALTHY);
	CHECK_INT(app->state, SVC_RESTARTING);
	CHECK_INT(app->restarts, 1);
	reap(app, 0);
	CHECK_INT(app->state, SVC_STARTING);
	CHECK_INT(app->restarts, 1);
	svc_free_all();
}

/*
 * A command that ends before its exec report is read still "started", with
 * its own pid (svc_reaped zeroes s->pid before the EXIT transition logs).
 */
static void
test_started_pid(void)
{
	struct service	*once;
	char		*path = xasprintf("%s/stderr", dir), buf[4096], *want;
	int		 fd, saved;
	ssize_t		 n;
	pid_t		 pid;

	load();
	once = svc_find("once");
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	saved = dup(2);
	CHECK(fd != -1 && saved != -1);
	svc_event(once, SE_START);
	pid = once->pid;
	dup2(fd, 2);
	reap(once, 0);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, buf, sizeof buf - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	want = xasprintf("once: started, pid %d\n", (int)pid);
	if (strstr(buf, want) == NULL)
		fprintf(stderr, "logged: %s", buf);
	CHECK(strstr(buf, want) != NULL);
	CHECK(strstr(buf, "pid 0") == NULL);
	CHECK_INT(once->state, SVC_EXITED);
	free(want);
	free(path);
	svc_free_all();
}

/*
 * The events of supctl events come from svc_step: a run that starts, is
 * ready, exits 3 and backs off, then a stop; a restart of a running one.
 */
static void
test_events(void)
{
	static const enum event_kind want[] = { EVK_STARTED, EVK_READY,
	    EVK_EXITED, EVK_BACKOFF, EVK_STOPPED, EVK_STARTED, EVK_READY,
	    EVK_STOPPING, EVK_STOPPED, EVK_STARTED, EVK_READY };
	struct service	*db;
	size_t		 i;

	nemitted = 0;
	load();
	CHECK_INT(nemitted, 3);		/* added: db, app, once */
	CHECK_INT(emitted[0], EVK_ADDED);
	nemitted = 0;
	db = svc_find("db");
	svc_event(db, SE_START);
	svc_event(db, SE_EXEC);
	reap(db, 3);
	svc_event(db, SE_STOP);
	svc_event(db, SE_START);
	svc_event(db, SE_EXEC);
	svc_event(db, SE_RESTART);
	reap(db, 0);
	svc_event(db, SE_EXEC);
	CHECK_INT(nemitted, sizeof want / sizeof want[0]);
	for (i = 0; i < nemitted && i < sizeof want / sizeof want[0]; i++)
		CHECK_INT(emitted[i], want[i]);
	CHECK_INT(emitted_code[2], 3);		/* exited code=3 */
	CHECK_INT(emitted_code[8], 0);		/* stopped: its status */
	svc_free_all();
}

/* Every state has a name users know (the seven of `status`). */
static void
test_names(void)
{
	CHECK_STR(svc_state_name(SVC_WAITING), "starting");
	CHECK_STR(svc_state_name(SVC_RESTARTING), "stopping");
	CHECK_STR(svc_state_name(SVC_BACKOFF), "backoff");
}

/*
 * A service's group outlives its main process: a stop leaves what is left
 * until stop_timeout (then the whole group is killed), a crash kills it at
 * once; either way EXIT waits until the group is empty.
 */
static void
test_exit_waits_for_group(void)
{
	struct service	*db;

	load();
	db = svc_find("db");
	svc_event(db, SE_START);
	svc_event(db, SE_EXEC);
	CHECK_INT(db->state, SVC_RUNNING);
	svc_event(db, SE_STOP);
	db->cg->populated = true;
	reap(db, 0);
	CHECK_INT(db->state, SVC_STOPPING);
	CHECK(db->exit_pending);
	CHECK(!svc_all_down());
	CHECK_INT(db->cg->kills, 0);	/* it has until stop_timeout */
	svc_event(db, SE_TIMER);	/* stop_timeout: the whole group */
	CHECK_INT(db->cg->kills, 1);
	CHECK_INT(db->state, SVC_STOPPING);
	group_empties(db);
	CHECK_INT(db->state, SVC_STOPPED);
	CHECK(!db->exit_pending);
	CHECK(svc_all_down());
	/* A crash: what is left goes with it at once. */
	svc_event(db, SE_START);
	svc_event(db, SE_EXEC);
	db->cg->populated = true;
	reap(db, 1);
	CHECK_INT(db->cg->kills, 2);
	CHECK_INT(db->state, SVC_RUNNING);
	CHECK(db->exit_pending);
	/* A stop meanwhile signals nothing (no process), waits all the same. */
	svc_event(db, SE_STOP);
	CHECK_INT(db->state, SVC_STOPPING);
	group_empties(db);
	CHECK_INT(db->state, SVC_STOPPED);
	svc_free_all();
}

/* supctl pause / unpause: only a running service, thawed by a stop. */
static void
test_pause(void)
{
	struct service	*db;
	const char	*e = NULL;

	load();
	db = svc_find("db");
	CHECK_INT(svc_pause(db, true, &e), -1);
	CHECK_STR(e, "not running");
	svc_event(db, SE_START);
	svc_event(db, SE_EXEC);
	CHECK_INT(svc_pause(db, false, &e), -1);
	CHECK_STR(e, "not paused");
	CHECK_INT(svc_pause(db, true, &e), 0);
	CHECK_INT(db->state, SVC_PAUSED);
	CHECK(db->cg->frozen);
	CHECK_STR(svc_state_name(SVC_PAUSED), "paused");
	CHECK_INT(svc_pause(db, true, &e), -1);
	CHECK_STR(e, "already paused");
	CHECK_INT(svc_pause(db, false, &e), 0);
	CHECK_INT(db->state, SVC_RUNNING);
	CHECK(!db->cg->frozen);
	CHECK_INT(svc_pause(db, true, &e), 0);
	svc_event(db, SE_STOP);
	CHECK_INT(db->state, SVC_STOPPING);
	CHECK(!db->cg->frozen);
	reap(db, 0);
	CHECK_INT(db->state, SVC_STOPPED);
	svc_free_all();
}

/*
 * An OOM kill in the group (read at the reap, or told by the watcher) is
 * counted, fails the run and is its reason, even when the main process
 * exits 0.
 */
static void
test_oom(void)
{
	struct service	*db, *once;

	load();
	db = svc_find("db");
	svc_event(db, SE_START);
	svc_event(db, SE_EXEC);
	db->cg->oom_next = 1;
	CHECK(svc_reaped(db->pid, SIGKILL));
	CHECK_INT(db->state, SVC_BACKOFF);
	CHECK_STR(db->reason != NULL ? db->reason : "", "OOM killed");
	CHECK_INT(db->oom_kills, 1);
	CHECK_INT(db->failures, 1);
	svc_event(db, SE_TIMER);	/* the next run */
	svc_event(db, SE_EXEC);
	CHECK(!db->oom_run);
	/* Told by the watcher, while it runs: two more. */
	db->cg->fn(db->cg->arg, CG_OOM, 2);
	CHECK_INT(db->oom_kills, 3);
	CHECK_INT(db->state, SVC_RUNNING);
	/* A oneshot whose child was OOM killed, the main exits 0: failed. */
	once = svc_find("once");
	svc_event(once, SE_START);
	svc_event(once, SE_EXEC);
	once->cg->oom_next = 1;
	reap(once, 0);
	CHECK_INT(once->state, SVC_EXITED);
	CHECK_STR(once->reason != NULL ? once->reason : "", "OOM killed");
	CHECK_INT(once->failures, 1);
	svc_free_all();
}

/*
 * supctl exec: only into a running service (a paused one says so); its
 * process is kept until reaped -- a reap that is the control socket's to
 * answer (svc_reaped false) -- and outlives no main process: one still
 * there at the main process's reap is kept until reaped as well.
 */
static void
test_exec(void)
{
	struct service	*db;
	const char	*e = NULL;
	char		*argv[] = { "true", NULL };
	int		 fds[3] = { 0, 1, 2 };
	pid_t		 x1, x2;

	load();
	db = svc_find("db");
	CHECK_INT(svc_exec(db, argv, fds, false, &e), -1);
	CHECK_STR(e, "not running");
	svc_event(db, SE_START);
	CHECK_INT(svc_exec(db, argv, fds, false, &e), -1);
	CHECK_STR(e, "not running");
	svc_event(db, SE_EXEC);
	CHECK(svc_pause(db, true, &e) == 0);
	CHECK_INT(svc_exec(db, argv, fds, false, &e), -1);
	CHECK_STR(e, "paused (unpause it before exec)");
	CHECK_INT(db->nexecs, 0);
	CHECK(svc_pause(db, false, &e) == 0);
	CHECK((x1 = svc_exec(db, argv, fds, false, &e)) > 0);
	CHECK((x2 = svc_exec(db, argv, fds, false, &e)) > 0);
	CHECK_INT(db->nexecs, 2);
	CHECK(!svc_reaped(x1, 0));
	CHECK_INT(db->nexecs, 1);
	CHECK_INT(db->execs[0], x2);
	reap(db, 0);
	CHECK_INT(db->nexecs, 1);
	CHECK(!svc_reaped(x2, W_EXITCODE(0, SIGKILL)));
	CHECK_INT(db->nexecs, 0);
	svc_free_all();
}

int
main(void)
{
	(void)ev_default_loop(0);
	setup();
	test_names();
	test_table();
	test_restart_propagates();
	test_stop_propagates();
	test_waiting();
	test_unhealthy_counts();
	test_started_pid();
	test_exit_waits_for_group();
	test_pause();
	test_oom();
	test_exec();
	test_events();
	teardown();
	return unit_done("service");
}

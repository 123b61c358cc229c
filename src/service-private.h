/* SPDX-License-Identifier: ISC */
/*
 * service-private.h: what the files of the service module share, and nothing
 * outside it may use (src/service.h is the module's interface): the runtime
 * state of a service, the events of the state table, the registry, and the
 * functions each file offers the others.
 */
#ifndef SUPD_SERVICE_PRIVATE_H
#define SUPD_SERVICE_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <ev.h>

#include "cgroup-limits.h"
#include "config.h"
#include "service.h"
#include "util.h"

struct cgroup;
struct pub;
struct svc_image;
struct spawn_args;

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
	SE_PAUSE,	/* supctl pause: freeze its group */
	SE_UNPAUSE,	/* supctl unpause: thaw it */
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
	unsigned	 rec_slot;	/* leftovers.c's record of pid + 1, 0 if none */
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
	/*
	 * supctl run (service-run.c): transient is membership too -- of
	 * supd's memory rather than of conf_dir (reload leaves it alone);
	 * auto_rm (--rm) makes the service removed once its run ends.
	 */
	bool		 transient;
	bool		 auto_rm;
	int		 stdin_fd;	/* run -i: the first run's stdin, or -1 */
	uint64_t	 ended_ms;	/* monotonic time its last run ended */
	struct readiness *rd;		/* ready = notify | fd:N, else NULL */
	struct health	*health;	/* [health] cmd set, else NULL */
	pid_t		*execs;		/* its supctl exec processes not yet
					   reaped (our children), nexecs */
	size_t		 nexecs;
	struct pub	**pubs;		/* its published ports while its process
					   lives (one per `publish`), else NULL */
	size_t		 npubs;
	struct svc_image *img;		/* image or overlay = persist: what its
					   start runs with (service-image.c) */
	struct cgroup	*cg;		/* its cgroup v2 group, NULL: none */
	struct cgl_held	 cgl_held;	/* the [limits] its group holds, as
					   cgl_apply() tracks them */
	struct cgs_files *cgs;		/* its group's files `supctl stats`
					   keeps open, NULL: none yet */
	unsigned	 oom_kills;	/* OOM kills in its group, all runs */
	/*
	 * oom_run: the run had an OOM kill (its end is a failure, the reason
	 * says so); exit_pending: the main process was reaped while its group
	 * still had processes: EXIT is raised once the group is empty.
	 */
	bool		 oom_run;
	bool		 exit_pending;
	int		 report_fd;	/* read end of the spawn report pipe */
	ev_io		 report_w;
	ev_timer	 timer;
	struct service	*pid_next;	/* pid hash chain */
	/* stats: supd's previous sample of the group's CPU time, which the
	 * next one's CPU % is measured from (service-limits.c). */
	uint64_t	 cpu_usec;	/* cpu.stat usage_usec then */
	uint64_t	 cpu_at_ms;	/* when (monotonic), 0: no group yet */
	int64_t		 cpu_pct100;	/* the last CPU % x 100 reported */
};

/* The registry (service.c). */
struct svc_registry {
	struct service		**svcs;		/* sorted by name */
	size_t			  n;
	const struct supd_conf	 *mconf;
	struct svc_hooks	  hooks;
	bool			  shutting_down;
	bool			  any_deps;	/* some service has after/requires */
	bool			  any_removed;	/* some service may be removed (to
						   be freed once stopped) */
};
extern struct svc_registry	svc_reg;

/* service.c */
void		 svc_set_reason(struct service *, const char *);
void		 svc_persist_stopped(struct service *, bool stopped);
void		 svc_free(struct service *);
void		 svc_shutdown_step(void);
struct service	*svc_new(struct svc_conf *);
bool		 svc_deps_anywhere(void);

/* service-run.c */
/* s's run ended (EXITED, FAILED, or STOPPED from a run): --rm removes it. */
void		 svc_run_ended(struct service *);

/* service-state.c: the table. svc_event() inside a transition only queues. */
void		 svc_event(struct service *, enum svc_ev);
void		 svc_event_dep(struct service *, enum svc_ev, struct service *dep);
void		 svc_queue_forget(const struct service *);
void		 svc_queue_free(void);
void		 svc_queue_hold(void);
void		 svc_queue_release(void);
void		 svc_timer_cb(EV_P_ ev_timer *, int);
pid_t		 svc_main_pid(const struct service *);
enum svc_state	 svc_ended_starting(struct service *);

/* service-image.c */
/*
 * Before a spawn: 1 when the image (or the persist layer) is there and
 * what the start runs with is built; 0 when an unpack runs first (s is
 * to wait: its reason set; DEP_READY comes when it ends); -1 and *cause.
 */
int		 svc_image_ready(struct service *, char **cause);
/* The definition a run uses: s->conf, or *tmp filled as s->conf with the
 * image's defaults merged and the layers (valid until the next start). */
const struct svc_conf *svc_image_conf(const struct service *,
		    struct svc_conf *tmp);
/* The signal that stops it (the image's StopSignal when the file has
 * none). */
int		 svc_stop_signal(const struct service *);
/* inspect: ,"image":{...}, nothing without an image. */
void		 svc_image_json(const struct service *, struct buf *);
/* It is freed: what it holds, and its kept layer if it was removed. */
void		 svc_image_free(struct service *);

/* service-spawn.c */
enum svc_state	 svc_spawn(struct service *);
void		 svc_pid_del(struct service *);

/* service-net.c: bridge networks (the public part is in service.h) */
/* Networks ready, leases, names; a->hold set: -1 and *cause. */
int		 svc_net_prepare(struct service *, struct spawn_args *,
		    char **cause);
/* Plug the held child pid into its networks: -1 and *cause. */
int		 svc_net_attach(struct service *, pid_t, char **cause);
/* Its service file was removed: leases and files go. */
void		 svc_net_forget(struct service *);
/* Stopped, its definition now s->conf instead of old: its leases on the
 * networks it left go (its address on those it stays on is kept), and
 * its name from those networks' hosts files. */
void		 svc_net_reconf(struct service *,
		    const struct svc_conf *old);
/* A bridged service's addresses: "NET=ADDR ..." or ,"networks":{...}
 * (nothing for another service). */
void		 svc_net_addrs(const struct service *, struct buf *, bool json);
/* Its address on its first network: -1 and *cause if none leased. */
int		 svc_net_addr(const struct service *, struct in_addr *,
		    char **cause);

/* service-publish.c: published ports (svc_pub_end is in service.h) */
/* Bind every `publish` toward the namespace of netns_pid's process:
 * -1 and *cause, none left bound. */
int		 svc_pub_open(struct service *, pid_t netns_pid, char **cause);
/* Close them all (the process ended): clients refused, connections reset. */
void		 svc_pub_close(struct service *);
/* inspect: ,"published":[...] (nothing without publish). */
void		 svc_pub_json(const struct service *, struct buf *);
/* status: its `publish` as "HOSTIP:HOSTPORT:PORT/PROTO ..." (nothing
 * without publish), and whether they are bound now. */
void		 svc_pub_list(const struct service *, struct buf *);
bool		 svc_pub_bound(const struct service *);

/* service-limits.c: cgroup v2 limits and stats of a service */
/* Before a spawn: the limits written to its group; -1 and *cause (a
 * missing controller: "cgroup v2 memory controller not available: ..."). */
int		 svc_limits_start(struct service *, char **cause);
/* Reload: sc differs from the running definition only in its cgroup
 * limits and they were written to the group: sc is s's definition now
 * (taken). False: nothing done, sc is still the caller's. */
bool		 svc_limits_reload(struct service *, struct svc_conf *sc);

/* service-ready.c */
/* The socket's path for the child, or NULL with *cause. */
const char	*svc_notify_open(struct service *, char **cause);
void		 svc_notify_close(struct service *);
void		 svc_ready_close(struct service *);
void		 svc_ready_cb(EV_P_ ev_io *, int);

/* service-cgroup.c: its group (the public part is in service.h) */
/* Its group, made before its first start: -1 and *cause. */
int		 svc_cg_prepare(struct service *, char **cause);
/* Reaped: true if EXIT must wait until its group is empty. */
bool		 svc_cg_reaped(struct service *);
/* Stop or kill: thaw a paused group first. */
void		 svc_cg_thaw(struct service *);
/* stop_timeout passed (or shutdown's budget): SIGKILL the whole group;
 * false if it has none. */
bool		 svc_cg_kill(struct service *);
/* Freeze (pause) or thaw (unpause) it: -1 after logging why. */
int		 svc_cg_freeze(struct service *, bool on);
/* inspect: ,"cgroup":{...} (nothing without a group). */
void		 svc_cg_json(const struct service *, struct buf *);

/* service-health.c */
const char	*svc_health_name(enum health_state);
void		 svc_health_begin(struct service *);
void		 svc_health_end(struct service *);
void		 svc_health_pause(struct service *, bool paused);
bool		 svc_health_reaped(pid_t, int status);

/* service-ns.c */
char		*svc_ns_missing(const struct svc_conf *);
void		 svc_ns_json(const struct svc_conf *, struct buf *);

/* service-deps.c */
bool		 svc_done(const struct service *);
bool		 svc_in_list(char *const *, const char *);
bool		 svc_requires(const struct service *, const struct service *);
enum svc_state	 svc_begin(struct service *);
enum svc_state	 svc_deps_decide(struct service *);
void		 svc_deps_fanout(struct service *);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * service.h: the registry of services and their lifecycle (service.c).
 */
#ifndef SUPD_SERVICE_H
#define SUPD_SERVICE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "config.h"
#include "proto.h"
#include "util.h"

/* States of docs/design.md ("States"); the names are the ones `status`
 * prints (WAITING prints as starting, RESTARTING as stopping). */
enum svc_state {
	SVC_STOPPED,	/* never started, or stopped by request */
	SVC_STARTING,	/* spawned; exec not yet confirmed */
	SVC_RUNNING,	/* exec succeeded (ready = exec) */
	SVC_BACKOFF,	/* ended or failed to spawn; restart timer armed */
	SVC_STOPPING,	/* stop signal sent; waiting for the exit */
	SVC_EXITED,	/* ended; the restart policy does not restart it */
	SVC_FAILED,	/* gave up: restart limit reached or spawn impossible */
	SVC_WAITING,	/* to start once its dependencies are; no process */
	SVC_RESTARTING,	/* stop signal sent; started again once it exits */
	SVC_PAUSED,	/* running, its cgroup frozen (supctl pause) */
	SVC_NSTATES
};

struct service;

/* Everything the registry needs from the daemon around it. */
struct svc_hooks {
	/* A service changed state (ctl wakes clients waiting on it). */
	void	(*changed)(struct service *);
	/* A service is about to be freed (ctl drops references to it). */
	void	(*gone)(struct service *);
	/* An essential service ended for good, with this exit code (128+N
	 * for a signal, 127 if it could not be started). */
	void	(*essential)(struct service *, int code);
};

/* Before the first service is read: which namespaces may be made here
 * (service-ns.c); logs once what cannot. */
void		 svc_ns_probe(void);

/* Set up the registry: where persisted state lives, the hooks. */
void		 svc_init(const struct supd_conf *, const struct svc_hooks *);

/*
 * Load every service file of conf_dir (boot) or apply it again (reload):
 * new services are added (and started if autostart), removed ones stopped
 * and dropped, changed ones restarted with the new definition, unchanged
 * ones left alone; a file with errors keeps its old definition. Errors and
 * a summary of what was done are appended to msgs; returns the number of
 * errors.
 */
int		 svc_load_all(bool boot, struct strv *msgs);

struct service	*svc_find(const char *name);
/* Number of services and the i-th in name order. */
size_t		 svc_count(void);
struct service	*svc_at(size_t);

/* supctl volume: where named volumes live (state_dir), and the defined
 * services that use the volume called `volume`: each call gives the next
 * one from *from on (start at 0), NULL after the last. */
const char	*svc_state_dir(void);
const char	*svc_volume_user(const char *volume, size_t *from);

/* supctl image (service-image.c): the REF a service names (NULL: none,
 * or removed), and the image id its last start ran (NULL: none yet). */
const char	*svc_image_ref(const struct service *);
const char	*svc_image_id(const struct service *);

/* Requests; -1 with *errstr if not possible (e.g. removed service). */
int		 svc_start(struct service *);
int		 svc_stop(struct service *);
int		 svc_restart(struct service *);
int		 svc_signal(struct service *, int sig, const char **errstr);
/* supctl pause / unpause: freeze a running service's cgroup, thaw a
 * paused one; -1 with *errstr (not running, no cgroup, ...). */
int		 svc_pause(struct service *, bool pause, const char **errstr);

/* Stop everything for shutdown; true once nothing is left running. */
void		 svc_stop_all(void);
bool		 svc_all_down(void);
/* SIGKILL every process group still alive (shutdown budget spent). */
void		 svc_kill_all(void);
/* Release every service (at exit, for leak checkers). */
void		 svc_free_all(void);
/*
 * Bridge networks (service-net.c): after the boot's svc_load_all, release
 * the leases no service holds any more (its file removed or its networks
 * changed while supd was down; a file of conf_dir that did not load keeps
 * them), then lease every bridged service's addresses, fixed ones first
 * (files only; each network is made when its first service starts); at
 * exit, once every service has stopped, remove the table, bridges and
 * veths made.
 */
void		 svc_net_boot(void);
void		 svc_net_end(void);
/*
 * supctl network ls / inspect (service-net.c): the networks of supd.conf,
 * supd0 first; the i-th's row (its strings valid until the next call);
 * the index of the one named, or -1; the i-th as a JSON object, its
 * members the services holding a lease on it.
 */
size_t		 svc_net_count(void);
void		 svc_net_row(size_t, struct proto_net *);
ssize_t		 svc_net_index(const char *name);
void		 svc_net_json(size_t, struct buf *);
/* Published ports (service-publish.c): at exit, after svc_free_all, what
 * the forwarder kept. */
void		 svc_pub_end(void);

/* A child ended (from the SIGCHLD watcher); false if not a service's (an
 * exec process is the control socket's to answer for). */
bool		 svc_reaped(pid_t, int status);
/*
 * supctl exec: run argv in the running service's namespaces (and cgroup)
 * with fds as its stdio; the pid of the exec process (our child), or -1
 * with *errstr (not running, paused, ...). The exec process is killed when
 * the service's main process is reaped.
 */
pid_t		 svc_exec(struct service *, char **argv, const int *fds,
		    bool tty, const char **errstr);

/*
 * supctl run and rm (service-run.c). svc_run makes a service from a
 * service file's text (read as a file of conf_dir would be), not started;
 * NULL with errors appended to errs. stdin_fd (-1: none) is taken: the
 * first run's stdin. The name is checked (a service name, never a path)
 * and must be free: no service and no conf_dir/NAME.ini.
 */
#define SVC_RUN_SAVE	0x1	/* write conf_dir/NAME.ini, load it as a file */
#define SVC_RUN_RM	0x2	/* remove it once its run ends */
struct service	*svc_run(const char *name, const char *text, int flags,
		    int stdin_fd, struct strv *errs);
/* A free name for a run without one: "run-N", N the first free; NULL if
 * none is left. */
char		*svc_run_name(void);
/* Remove a transient service (force: stopped first); -1 with *errstr. */
int		 svc_remove(struct service *, bool force, const char **errstr);
bool		 svc_transient(const struct service *);
/* A service other than s and the n names of `but` that names s in its
 * `after` or `requires` (rm refuses while there is one): its name, or
 * NULL. */
const char	*svc_dependent(const struct service *s, char *const *but,
		    size_t n);
/* No process and none on its way (stopped, exited, failed). */
bool		 svc_ended(const struct service *);
/* Its last run's end as an exit code: the status, 128+N for signal N,
 * 127 if it could not be started. */
int		 svc_exit_status(const struct service *);

enum svc_state	 svc_state(const struct service *);
const char	*svc_name(const struct service *);
const char	*svc_state_name(enum svc_state);
/* Has the last request on this service completed, and how? */
bool		 svc_settled(const struct service *, bool want_running,
		    bool *ok);
const char	*svc_reason(const struct service *);
struct svclog	*svc_log(const struct service *);
/* st->networks and st->published stay valid until the next call. */
void		 svc_status(const struct service *, struct proto_status *);
/* inspect: resolved configuration and runtime state as one JSON object. */
void		 svc_inspect(const struct service *, struct buf *);
/* supctl health (ready false) / ready: NULL if s passes, else one line
 * saying why not (valid until the next call); named: asked by name, else
 * a service not meant to run passes (service-health.c). */
const char	*svc_probe(const struct service *, bool ready, bool named);
/* stats: what its cgroup uses now, CPU % since the previous sample
 * (which this one becomes); st's strings stay valid until the next call. */
void		 svc_stats(struct service *, struct proto_stats *);
/* metrics: what its cgroup uses now, into cs; -1 without a group (never
 * started, no cgroup v2) or when it cannot be read. */
struct cg_stats;
int		 svc_cg_usage(struct service *, struct cg_stats *cs);

#endif

/* SPDX-License-Identifier: ISC */
/*
 * config.h: the main configuration and service definitions as plain structs,
 * built from INI files by config.c. Everything here is resolved: defaults
 * applied, paths absolute, env files read. A service definition is never
 * modified after loading; reload builds a new one and compares their
 * canonical forms (cfg_svc_canon).
 */
#ifndef SUPD_CONFIG_H
#define SUPD_CONFIG_H

#include <stdbool.h>
#include <stdint.h>
#include <sched.h>
#include <stddef.h>
#include <netinet/in.h>
#include <sys/types.h>

#include "seccomp-profile.h"
#include "util.h"

#define SUPD_CONF_DEFAULT	"/etc/supd/supd.conf"
#define SUPD_SOCKET_DEFAULT	"/run/supd/supd.sock"

/*
 * One `[network NAME]` of supd.conf (config-net.c), or the built-in supd0.
 * Addresses are IPv4 in network byte order.
 */
struct net_conf {
	char		*name;		/* [a-z0-9][a-z0-9_-]*, at most 32 */
	unsigned	 line;		/* of its section header, 0 = built in */
	struct in_addr	 subnet;	/* network address, host bits zero */
	unsigned	 prefix;	/* 0..30 (a /31 or /32 has no hosts) */
	struct in_addr	 gateway;	/* the bridge's address, in the subnet */
	char		*bridge;	/* interface name, <= 15 chars */
	bool		 nat;		/* outbound masquerade and forwarding */
	bool		 internal;	/* no route out at all */
	bool		 has_ipv6;	/* ipv6 given (parsed, not used yet) */
	struct in6_addr	 ipv6;
	unsigned	 ipv6_prefix;
	/* Set while parsing (config-net.c): not part of the canonical form. */
	bool		 subnet_set, gateway_set, nat_set;
	unsigned	 subnet_line;	/* subnet given (even if bad) */
};

#define NET_DEFAULT	"supd0"		/* `network = bridge` */
#define NET_NAME_MAX	32

/* Main configuration, section [supd] of supd.conf. */
struct supd_conf {
	char		*path;		/* the file read, or NULL for built-in defaults */
	char		*conf_dir;	/* service files directory */
	char		*socket;	/* control socket path */
	mode_t		 socket_mode;	/* permission bits of the socket */
	char		*socket_group;	/* group allowed to act, or NULL */
	gid_t		 socket_gid;	/* resolved socket_group */
	char		*log_dir;	/* default home of service logs */
	char		*state_dir;	/* named volumes, persisted state */
	uint64_t	 shutdown_timeout_ms; /* budget of an orderly shutdown */
	char		*scratch_size;	/* the throwaway layers' tmpfs: a size
					   or a share of the memory ("25%") */
	char		*cgroup;	/* "auto", "no", or the tree's path */
	char		*metrics_listen; /* ADDR:PORT of the HTTP metrics, or
					   NULL/"" (off) */
	struct net_conf	*nets;		/* supd0 first, then the file's order */
	size_t		 nnets;
};

enum restart_policy {
	RESTART_NO,		/* never restart */
	RESTART_ALWAYS,		/* restart after any exit */
	RESTART_ON_FAILURE,	/* restart after non-zero exit or death by signal */
	RESTART_UNLESS_STOPPED,	/* as always; a manual stop persists in state_dir */
};

enum log_stderr {
	LOG_STDERR_MERGE,	/* stderr into the same log as stdout */
	LOG_STDERR_SEPARATE,	/* stderr into NAME.err.log */
	LOG_STDERR_NULL,	/* stderr to /dev/null */
};

enum log_when_full {
	LOG_FULL_BLOCK,		/* stop reading the pipe until the log is writable */
	LOG_FULL_DROP,		/* discard and count; write one line with the count */
};

/* Section [log] of a service file. */
struct log_conf {
	char		*file;		/* absolute path of the log, NULL = discard */
	char		*err_file;	/* stderr=separate: its path (NULL if file is NULL) */
	enum log_stderr	 stderr_mode;
	uint64_t	 max_size;	/* rotate before a file passes this size (>= 1) */
	unsigned	 max_files;	/* rotated files kept: .1 (newest) .. .N */
	bool		 timestamps;	/* prefix lines with an RFC 3339 UTC time */
	enum log_when_full when_full;
	bool		 console;	/* copy lines, prefixed "NAME | ", to supd's stdout */
};

/* Namespaces of [isolation] namespaces, as CLONE_NEW* flags. */
#define NS_DEFAULT	(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS)

enum net_mode {
	NET_HOST,	/* the host's network namespace */
	NET_NONE,	/* a new one with only loopback, up */
	NET_CONTAINER,	/* the network namespace of another service */
	NET_BRIDGE,	/* a new one with one interface per network of nets */
};

/* One `publish = [HOSTIP:]HOSTPORT:PORT[/tcp|/udp]`. */
struct publish_conf {
	struct in_addr	 host_addr;	/* bound exactly; default 0.0.0.0 */
	uint16_t	 host_port;	/* 1..65535 */
	uint16_t	 port;		/* in the service: 1..65535 */
	int		 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
};

/* One `volume = SRC:DST[:ro]`. */
struct volume {
	char		*src;		/* host path (a named volume resolved) */
	char		*name;		/* named volume: its name, else NULL */
	char		*dst;		/* absolute path inside the service */
	bool		 ro;
};

/* One `tmpfs = DST[:SIZE]`. */
struct tmpfs_mount {
	char		*dst;
	uint64_t	 size;		/* bytes, 0 = the kernel's default */
};

/* [isolation] seccomp: the system call filter the command runs under. */
enum sfilter_profile {
	SFILTER_UNCONFINED,	/* no filter */
	SFILTER_DEFAULT,	/* the built-in profile of seccomp.c */
	SFILTER_FILE,		/* the denials read from a profile file */
};

/* [isolation] overlay: the root's writable layer. */
enum overlay_mode {
	OVERLAY_NO,		/* rootfs: bound as it is; image: as yes */
	OVERLAY_YES,		/* a throwaway upper layer, new at each start
				   (state_dir/scratch/NAME) */
	OVERLAY_PERSIST,	/* the upper layer kept in
				   state_dir/overlays/NAME (supctl rm ends it) */
};

/* Section [isolation]: what the child applies between clone and exec. */
struct iso_conf {
	int		 ns;		/* CLONE_NEW* flags, effective */
	int		 ns_dropped;	/* of the default, refused here */
	char		*hostname;	/* with uts: NULL = the service name */
	char		*rootfs;	/* absolute directory, NULL = host tree */
	char		*image;		/* image = REF, absolute (its path made
					   so), NULL = none; excludes rootfs */
	int		 overlay;	/* enum overlay_mode */
	bool		 read_only;	/* root file system read-only */
	bool		 private_tmp;	/* fresh /tmp */
	bool		 no_new_privs;	/* PR_SET_NO_NEW_PRIVS */
	bool		 init;		/* with pid: a reaper is PID 1 */
	struct volume	*volumes;
	size_t		 nvolumes;
	struct tmpfs_mount *tmpfs;
	size_t		 ntmpfs;
	enum net_mode	 net;
	char		*net_container;	/* NET_CONTAINER: the service */
	char		**nets;		/* NET_BRIDGE: network names, in order
					 * (eth0, eth1...), "bridge" as supd0 */
	char		**ips;		/* fixed addresses (`ip`), IPv4 text */
	char		**aliases;	/* extra names on its networks */
	char		**dns;		/* nameservers, NULL = the host's */
	struct publish_conf *publish;
	size_t		 npublish;
	unsigned	 publish_max_conn; /* connections per published port */
	bool		 caps_set;	/* capabilities given: keep only caps */
	uint64_t	 caps;		/* bit N = capability N kept */
	enum sfilter_profile seccomp;
	char		*seccomp_file;	/* SFILTER_FILE: the profile's path */
	struct sfilter_deny *seccomp_deny; /* SFILTER_FILE: its lines, read at load */
	size_t		 seccomp_ndeny;
	/* Not keys: NULL in a loaded definition, set only in the copy a
	 * start of an image (or a rootfs with overlay) runs with
	 * (service-image.c; isolate-image.c reads them). */
	char		**layers;	/* the root's lower layers' directories,
					   top first, NULL-terminated */
	char		*upper;		/* the directory holding upper/, work/
					   and root/ (the mount point) */
};

/* The rlimits of [limits], in this order. */
enum { RL_NOFILE, RL_NPROC, RL_CORE, RL_MEMLOCK, RL_N };
struct rlim_conf {
	bool		 set;
	uint64_t	 soft, hard;	/* RLIM_INFINITY for "infinity" */
};

/*
 * The cgroup v2 limits of [limits], in this order (cgroup-limits.c knows
 * each one's file and controller). A value is CGL_MAX for "max" (no
 * limit); a key not given is not in set and leaves the kernel's default.
 */
enum {
	CGL_MEMORY,		/* memory.max, bytes */
	CGL_MEMORY_HIGH,	/* memory.high, bytes */
	CGL_MEMORY_SWAP,	/* memory.swap.max, bytes */
	CGL_CPUS,		/* cpu.max: microseconds per 100 ms period */
	CGL_CPU_WEIGHT,		/* cpu.weight, 1..10000 */
	CGL_PIDS,		/* pids.max, tasks */
	CGL_IO_WEIGHT,		/* io.weight's default, 1..10000 */
	CGL_N
};
#define CGL_MAX		UINT64_MAX
#define CGL_WEIGHT_MIN	1
#define CGL_WEIGHT_MAX	10000
struct cgl_conf {
	unsigned	 set;		/* bit 1 << CGL_*: given in the file */
	uint64_t	 val[CGL_N];
	unsigned	 line[CGL_N];	/* where each was given (--check's
					   warnings); not in the canonical form */
};

/* `ready`: when a started service counts as running. */
enum ready_mode {
	READY_EXEC,	/* once exec succeeded */
	READY_NOTIFY,	/* sd_notify READY=1 on $NOTIFY_SOCKET */
	READY_FD,	/* a newline written on fd ready_fd (s6's convention) */
	READY_HEALTH,	/* the first passing health check */
};

/* Section [health]: a command run inside the service, now and then. */
struct health_conf {
	char		**argv;		/* cmd, NULL-terminated; NULL = no checks */
	uint64_t	 interval_ms;	/* between the end of one check and the next */
	uint64_t	 timeout_ms;	/* a check that runs longer has failed */
	unsigned	 retries;	/* failures in a row that make it unhealthy */
	uint64_t	 start_period_ms; /* failures after a start do not count */
	bool		 restart;	/* on_unhealthy = restart */
};

/* `type`. */
enum svc_type {
	TYPE_SIMPLE,	/* runs until stopped */
	TYPE_ONESHOT,	/* runs to completion; done = exit 0 */
};

/* One service file, conf_dir/NAME.ini, sections [service] and [log]. */
struct svc_conf {
	char		*name;		/* file name without .ini */
	char		*file;		/* path of the service file */
	char		**argv;		/* command split into words, NULL-terminated;
					   NULL: none given (an image's Cmd) */
	char		**entrypoint;	/* entrypoint: NULL unset, an empty
					   array clears the image's */
	enum restart_policy restart;
	unsigned	 restart_max;	/* on-failure:N; 0 = unlimited */
	uint64_t	 restart_delay_ms;	/* first backoff */
	uint64_t	 restart_delay_max_ms;	/* backoff ceiling */
	uint64_t	 stable_after_ms;	/* a run this long resets the backoff */
	int		 stop_signal;	/* 0 with an image: the image's, or
					   SIGTERM (service-image.c) */
	uint64_t	 stop_timeout_ms;	/* then SIGKILL to the process group */
	char		*user;		/* name or number, NULL = supd's */
	char		*group;		/* name or number, NULL = the user's (or supd's) */
	char		**groups;	/* supplementary groups, NULL-terminated, NULL if unset */
	char		*workdir;	/* absolute; NULL with an image and
					   none given: the image's, or / */
	char		**env;		/* env_file items then env items, NULL-terminated */
	mode_t		 umask;
	bool		 autostart;
	bool		 tty;		/* run on a pseudo-terminal */
	char		**after;	/* start after these are ready (NULL-terminated) */
	char		**requires;	/* as after, and start/stop with them */
	unsigned	 deps_line;	/* first after/requires line, for errors */
	enum ready_mode	 ready;
	int		 ready_fd;	/* READY_FD: the fd number in the service */
	enum svc_type	 type;
	bool		 essential;	/* its end for good ends supd */
	struct health_conf health;
	struct log_conf	 log;
	struct iso_conf	 iso;
	struct rlim_conf *rlimits;	/* RL_N of them, or NULL if none is set */
	struct cgl_conf	 cgl;		/* cgroup v2 limits of [limits] */
};

/*
 * Load the main configuration. A missing file at the default path gives the
 * built-in defaults; at an explicit path it is an error. Errors are appended
 * to errs as "FILE:LINE: message"; returns 0 if none, -1 otherwise.
 */
int	 cfg_load_main(const char *path, bool explicit_path, struct supd_conf *,
	    struct strv *errs);
void	 cfg_main_free(struct supd_conf *);
/* The main config as JSON, networks included: equal text = equal config. */
void	 cfg_main_canon(const struct supd_conf *, struct buf *);
/* The network called name, or NULL. */
const struct net_conf *cfg_net_find(const struct supd_conf *,
	    const char *name);
/*
 * Check c's networks of the file (not the built-in supd0) against the IPv4
 * routes of route_file (/proc/net/route's format): a route of another
 * interface than the network's own bridge that overlaps its subnet is an
 * error "FILE:LINE: ..." appended to errs. cfg_load_main calls it with
 * /proc/net/route (supd's own network namespace). Returns the number of
 * errors; a route file that cannot be read is one error.
 */
int	 cfg_net_check_routes(const struct supd_conf *, const char *route_file,
	    struct strv *errs);

/*
 * List conf_dir/\*.ini in name order (appended to paths). Files whose names
 * are not valid service names are reported in errs and skipped.
 */
int	 cfg_scan_dir(const char *dir, struct strv *paths, struct strv *errs);

/* Load one service file; NULL with every error appended to errs. */
struct svc_conf *cfg_load_service(const char *path, const struct supd_conf *,
	    struct strv *errs);
/*
 * Load a service definition given as text (supctl run): the same keys and
 * checks as a file of conf_dir (relative paths are conf_dir's), errors
 * "LABEL:LINE: message"; sc->file is NULL.
 */
struct svc_conf *cfg_load_service_text(const char *label, const char *text,
	    const char *name, const struct supd_conf *, struct strv *errs);
void	 cfg_svc_free(struct svc_conf *);
/* Append every resolved key as one JSON object: equal text = equal config. */
void	 cfg_svc_canon(const struct svc_conf *, struct buf *);
/* True if two definitions mean the same (NULL equals only NULL). */
bool	 cfg_svc_equal(const struct svc_conf *, const struct svc_conf *);
/* True if two definitions differ only in [limits]' cgroup keys (a
 * reload applies them to the running group). */
bool	 cfg_svc_limits_only(const struct svc_conf *, const struct svc_conf *);
/* The namespaces this machine lets supd make (service-ns.c's probe): a
 * service that does not ask for one of the others runs without it
 * (iso.ns_dropped). Until set: all. */
void	 cfg_set_ns_available(int ns);

#endif

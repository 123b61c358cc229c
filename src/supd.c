/* SPDX-License-Identifier: ISC */
/*
 * supd.c: the daemon's main -- options, start-up, signal watchers, the
 * loop and the orderly shutdown.
 *
 * Before the loop runs, errors are fatal (err/errx); once it runs, nothing a
 * service or a client does can end supd: only SIGTERM/SIGINT or `supctl
 * shutdown`, which stop every service and exit 0.
 */
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <libgen.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "cgroup-limits.h"
#include "config.h"
#include "ctl.h"
#include "deps.h"
#include "imgrun.h"
#include "isolate.h"
#include "janitor.h"
#include "leftovers.h"
#include "log.h"
#include "netpool.h"
#include "metrics.h"
#include "pid1.h"
#include "scratch.h"
#include "service.h"
#include "spawn.h"
#include "svclog.h"
#include "values.h"

#ifndef SUPD_VERSION
#define SUPD_VERSION "0.1.0"
#endif

static struct supd_conf	conf;
static bool		shutting_down;
static int		exit_code;	/* an essential service's, else 0 */
static enum pid1_end	end_how = END_POWEROFF;	/* a machine's PID 1 */
static ev_signal	sighup_w, sigterm_w, sigint_w;
/* Signals with no meaning for supd: logged and ignored, never fatal. */
static const int	ignored_sigs[] = { SIGUSR1, SIGUSR2, SIGQUIT, SIGALRM,
			    SIGPWR, SIGTSTP, SIGTTIN, SIGTTOU, SIGVTALRM,
			    SIGPROF, SIGWINCH, SIGURG };
#define NIGNORED	(sizeof ignored_sigs / sizeof *ignored_sigs)
static ev_signal	ignored_w[NIGNORED];
static ev_child		child_w;
static ev_timer		shutdown_w;
static ev_periodic	far_w;		/* see watchers_start() */

static void __attribute__((noreturn))
usage(int code)
{
	fprintf(code ? stderr : stdout,
	    "usage: supd [-c FILE] [-d DIR] [-s SOCKET] [--check]\n"
	    "\n"
	    "  -c, --config FILE   main configuration (default %s;\n"
	    "                      a missing default file means built-in defaults)\n"
	    "  -d, --conf-dir DIR  service files directory (overrides conf_dir)\n"
	    "  -s, --socket PATH   control socket (overrides socket)\n"
	    "      --check         check every file, print each error as\n"
	    "                      FILE:LINE: message, exit 0 if all are valid\n"
	    "  -h, --help          this text\n"
	    "  -V, --version       print the version\n",
	    SUPD_CONF_DEFAULT);
	exit(code);
}

static void
shutdown_done_check(void)
{
	if (shutting_down && svc_all_down())
		ev_break(EV_DEFAULT_UC_ EVBREAK_ALL);
}

static void	begin_shutdown(void);

/* An essential service ended for good: everything goes, with its code. */
static void
essential_hook(struct service *s, int code)
{
	log_info("%s: essential service ended (code %d): shutting down",
	    svc_name(s), code);
	exit_code = code;
	begin_shutdown();
}

static void
oom_hook(void)
{
	if (pid1())
		pid1_hang("out of memory");
}

static void
svc_changed_hook(struct service *s)
{
	ctl_changed(s);
	shutdown_done_check();
}

static void
far_cb(EV_P_ ev_periodic *w, int revents)
{
	(void)EV_A;
	(void)w;
	(void)revents;
}

static void
shutdown_timeout_cb(EV_P_ ev_timer *w, int revents)
{
	(void)EV_A;
	(void)w;
	(void)revents;
	log_warnx("shutdown: %llu ms budget spent, killing what is left",
	    (unsigned long long)conf.shutdown_timeout_ms);
	svc_kill_all();
}

/* supctl shutdown | poweroff | reboot | halt. */
static int
ctl_shutdown(const char *mode, const char **errstr)
{
	if (mode != NULL && *mode != '\0') {
		if (!pid1_machine()) {
			*errstr = "poweroff, reboot and halt are for supd as "
			    "PID 1 of a machine; use shutdown";
			return -1;
		}
		end_how = strcmp(mode, "reboot") == 0 ? END_REBOOT :
		    strcmp(mode, "halt") == 0 ? END_HALT : END_POWEROFF;
	}
	begin_shutdown();
	return 0;
}

static void
begin_shutdown(void)
{
	if (shutting_down)
		return;
	shutting_down = true;
	log_info("shutting down");
	ev_timer_init(&shutdown_w, shutdown_timeout_cb,
	    conf.shutdown_timeout_ms / 1000.0, 0.);
	ev_timer_start(EV_DEFAULT_UC_ &shutdown_w);
	svc_stop_all();
	shutdown_done_check();
}

static void
signal_cb(EV_P_ ev_signal *w, int revents)
{
	struct strv	msgs = { 0 };

	(void)EV_A;
	(void)revents;
	switch (w->signum) {
	case SIGHUP:
		log_info("SIGHUP: reloading %s", conf.conf_dir);
		if (!shutting_down)
			svc_load_all(false, &msgs);
		if (msgs.n > 0)
			log_info("%s", msgs.v[msgs.n - 1]);
		strv_free(&msgs);
		break;
	case SIGTERM:
	case SIGINT:
		log_info("%s received", w->signum == SIGTERM ? "SIGTERM" :
		    "SIGINT");
		/* A machine's PID 1: busybox init's meanings. */
		end_how = w->signum == SIGINT ? END_REBOOT : END_POWEROFF;
		begin_shutdown();
		break;
	case SIGUSR1:
	case SIGUSR2:
		if (pid1_machine()) {
			log_info("%s received", signal_name(w->signum));
			end_how = w->signum == SIGUSR1 ? END_HALT :
			    END_POWEROFF;
			begin_shutdown();
			break;
		}
		/* FALLTHROUGH */
	default:
		log_info("%s ignored", signal_name(w->signum));
		break;
	}
}

static void
child_cb(EV_P_ ev_child *w, int revents)
{
	(void)EV_A;
	(void)revents;
	/* libev reaps every child, orphans included; stops are not exits. */
	if ((WIFEXITED(w->rstatus) || WIFSIGNALED(w->rstatus)) &&
	    !imgrun_reaped(w->rpid, w->rstatus) && !janitor_reaped(w->rpid) &&
	    !svc_reaped(w->rpid, w->rstatus))
		ctl_reaped(w->rpid, w->rstatus);
}

/* fds 0-2 must exist, or the first pipe would become someone's stdout. */
static void
sane_fds(void)
{
	int	fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd > 2)
		close(fd);
}

/*
 * Open files: supd holds up to six descriptors a service (its log file,
 * the two ends of its output it reads, its cgroup directory and that
 * group's cgroup.events and memory.events) and, once `supctl stats`
 * asked, four more (cgroup-stats.c), so the soft limit goes
 * up to the hard one. As a machine's PID 1, whose limits are the kernel's
 * 1024:4096 -- some 700 services' worth -- supd raises both to
 * fs.nr_open as systemd does, and its services keep what they would have
 * had (isolate.c: iso_rlimits), 4096:4096.
 */
static void
raise_nofile(void)
{
	struct rlimit	rl, own;
	unsigned long	nr_open;
	char		buf[32];
	FILE		*f;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (!pid1_machine() || (f = fopen("/proc/sys/fs/nr_open", "re")) ==
	    NULL)
		return;
	if (fgets(buf, sizeof buf, f) != NULL &&
	    (nr_open = strtoul(buf, NULL, 10)) > rl.rlim_max) {
		own.rlim_cur = own.rlim_max = nr_open;
		if (setrlimit(RLIMIT_NOFILE, &own) == 0)
			iso_services_nofile(&rl);
		else
			log_warn("pid 1: open files limit %lu", nr_open);
	}
	fclose(f);
}

/*
 * A raised priority is supd's own. Run as `nice -n -10 supd` (or under
 * chrt), supd answers its socket and drains logs while the services keep
 * every CPU busy; with SCHED_RESET_ON_FORK its services (and exec, health
 * commands) still start at the default: a negative nice or a real-time
 * policy is not inherited, a positive nice is.
 */
static void
priority_not_inherited(void)
{
	struct sched_param	sp;
	int			policy;

	if ((policy = sched_getscheduler(0)) == -1 ||
	    sched_getparam(0, &sp) == -1 ||
	    sched_setscheduler(0, policy | SCHED_RESET_ON_FORK, &sp) == -1)
		log_warn("SCHED_RESET_ON_FORK (services inherit supd's "
		    "priority)");
}

/*
 * supd's private directories: state_dir (named volumes, markers) is 0700,
 * so nothing a service's root leaves in a volume -- a setuid file -- can be
 * reached by a host user. Both it and the control socket's directory are
 * hidden from every service with a mount namespace (spawn_init); their
 * paths are made canonical here, as services will resolve them with no
 * symlink.
 */
static void
private_dirs(void)
{
	char		*dirs[3] = { NULL }, *real, *copy, *vol, *sock;
	char		*sockdir;
	struct stat	 st;
	size_t		 n = 0;

	if (mkdir_p(conf.state_dir, 0700) == -1)
		log_warn("%s", conf.state_dir);
	else if (stat(conf.state_dir, &st) == 0 && (st.st_mode & 077) != 0) {
		log_info("%s: made private (mode 0700)", conf.state_dir);
		if (chmod(conf.state_dir, 0700) == -1)
			log_warn("%s: chmod", conf.state_dir);
	}
	vol = xasprintf("%s/volumes", conf.state_dir);
	if (mkdir(vol, 0700) == -1 && errno != EEXIST)
		log_warn("%s", vol);
	free(vol);
	if ((real = realpath(conf.state_dir, NULL)) != NULL) {
		free(conf.state_dir);
		conf.state_dir = real;
		dirs[n++] = real;
	}
	/* The socket's path is absolute (cfg_load_main, main). */
	copy = xstrdup(conf.socket);
	if ((sockdir = realpath(dirname(copy), NULL)) != NULL) {
		sock = xasprintf("%s%s", strcmp(sockdir, "/") == 0 ? "" :
		    sockdir, strrchr(conf.socket, '/'));
		free(conf.socket);
		conf.socket = sock;
		dirs[n++] = sockdir;
	}
	free(copy);
	spawn_init(dirs);
	free(sockdir);
}

static int
conf_cmp(const void *a, const void *b)
{
	return strcmp((*(struct svc_conf *const *)a)->name,
	    (*(struct svc_conf *const *)b)->name);
}

static int
check_only(void)
{
	struct strv	 paths = { 0 }, errs = { 0 }, warns = { 0 };
	struct svc_conf	*sc, **set;
	size_t		 i, n = 0;
	bool		*bad;

	cfg_scan_dir(conf.conf_dir, &paths, &errs);
	set = xcalloc(paths.n + 1, sizeof *set);
	for (i = 0; i < paths.n; i++)
		if ((sc = cfg_load_service(paths.v[i], &conf, &errs)) != NULL)
			set[n++] = sc;
	qsort(set, n, sizeof *set, conf_cmp);
	bad = xcalloc(n + 1, sizeof *bad);
	deps_check(set, n, bad, &errs);
	/* Valid files that will not start here: warned of, not errors. What
	 * this machine's cgroups allow, read without making or moving
	 * anything. */
	cg_probe(conf.cgroup);
	for (i = 0; i < n; i++) {
		cgl_warnings(set[i], &warns);
		cfg_svc_free(set[i]);
	}
	free(set);
	free(bad);
	for (i = 0; i < warns.n; i++)
		fprintf(stderr, "%s\n", warns.v[i]);
	strv_free(&warns);
	for (i = 0; i < errs.n; i++)
		fprintf(stderr, "%s\n", errs.v[i]);
	if (errs.n == 0)
		printf("%zu service%s OK\n", paths.n, paths.n == 1 ? "" : "s");
	i = errs.n;
	strv_free(&paths);
	strv_free(&errs);
	return i == 0 ? 0 : 1;
}

/* What the command line asked. */
struct options {
	const char	*cfile;		/* -c, or NULL: the default file */
	const char	*cdir;		/* -d, or NULL: conf_dir's */
	const char	*csock;		/* -s, or NULL: socket's */
	bool		 check;		/* --check */
};

static void
parse_options(int argc, char *argv[], struct options *o)
{
	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "conf-dir", required_argument, NULL, 'd' },
		{ "socket", required_argument, NULL, 's' },
		{ "check", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int	ch;

	while ((ch = getopt_long(argc, argv, "c:d:s:hV", longopts, NULL)) != -1)
		switch (ch) {
		case 'c':
			o->cfile = optarg;
			break;
		case 'd':
			o->cdir = optarg;
			break;
		case 's':
			o->csock = optarg;
			break;
		case 'C':
			o->check = true;
			break;
		case 'h':
			usage(0);
		case 'V':
			printf("supd %s\n", SUPD_VERSION);
			exit(0);
		default:
			usage(2);
		}
	if (optind != argc)
		usage(2);
}

/* Before anything else, even the configuration. */
static void
early_setup(bool check)
{
	sane_fds();
	/* A burst (a slow follower's 1 MiB, a 4 MiB reply) goes back to the
	 * system when freed: with glibc's dynamic threshold, every big buffer
	 * after the first freed one comes from the heap and stays in it. */
	(void)mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	if (pid1() && !check) {
		/* Before anything reads /proc. */
		xalloc_failed = oom_hook;
		pid1_crash_guard();
		pid1_mounts();
	}
}

/*
 * The main configuration into conf, with the command line's paths over it.
 * Its errors are printed; -1 when --check must stop there (a plain supd
 * exits here, PID 1 runs on what was valid, with defaults for the rest).
 */
static int
load_conf(const struct options *o)
{
	struct strv	 errs = { 0 };
	char		*abs;
	size_t		 i;

	if (cfg_load_main(o->cfile, o->cfile != NULL, &conf, &errs) == -1) {
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.v[i]);
		if (o->check || !pid1()) {
			strv_free(&errs);	/* LeakSanitizer checks exits */
			if (o->check)
				return -1;
			errx(1, "%s: invalid configuration", o->cfile != NULL ?
			    o->cfile : SUPD_CONF_DEFAULT);
		}
	}
	strv_free(&errs);
	/* Command-line paths are relative to where supd was started. */
	if (o->cdir != NULL) {
		abs = realpath(o->cdir, NULL);
		free(conf.conf_dir);
		conf.conf_dir = abs != NULL ? abs : xstrdup(o->cdir);
	}
	if (o->csock != NULL) {
		free(conf.socket);
		conf.socket = o->csock[0] == '/' ? xstrdup(o->csock) :
		    xasprintf("%s/%s", getcwd(NULL, 0), o->csock);
	}
	return 0;
}

/* supd's own process, the loop and the control socket: fatal errors up
 * to the loop, except as PID 1, which goes on with what it can. */
static void
daemon_setup(void)
{
	char	*cause;

	log_init();
	raise_nofile();
	priority_not_inherited();
	signal(SIGPIPE, SIG_IGN);
	if (getpid() != 1 && prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		log_warn("PR_SET_CHILD_SUBREAPER (orphans will not be reaped)");
	if (!ev_default_loop(EVFLAG_SIGNALFD)) {
		if (pid1())
			pid1_hang("cannot initialise the event loop");
		errx(1, "cannot initialise the event loop");
	}
	if (mkdir_p(conf.log_dir, 0755) == -1)
		log_warn("%s", conf.log_dir);
	if (ctl_listen(&conf, &cause) == -1) {
		/* PID 1 goes on without: its services matter more. */
		if (!pid1())
			errx(1, "control socket: %s", cause);
		log_errx("control socket: %s", cause);
		free(cause);
	}
	ctl_set_shutdown(ctl_shutdown);
	metrics_set_clients(ctl_clients);
	if (pid1_machine())
		pid1_machine_init();
	svclog_set_console(log_open_nonblock(1));
}

/* Signals and children: what wakes the loop besides services and clients. */
static void
watchers_start(void)
{
	size_t	i;

	ev_signal_init(&sighup_w, signal_cb, SIGHUP);
	ev_signal_init(&sigterm_w, signal_cb, SIGTERM);
	ev_signal_init(&sigint_w, signal_cb, SIGINT);
	ev_signal_start(EV_DEFAULT_UC_ &sighup_w);
	ev_signal_start(EV_DEFAULT_UC_ &sigterm_w);
	ev_signal_start(EV_DEFAULT_UC_ &sigint_w);
	/*
	 * libev wakes up every 60 s to notice clock jumps unless a periodic
	 * watcher makes it keep a timerfd for that; with this one, never due,
	 * an idle supd makes no system call at all.
	 */
	ev_periodic_init(&far_w, far_cb, ev_time() + 1e9, 0., NULL);
	ev_periodic_start(EV_DEFAULT_UC_ &far_w);
	ev_unref(EV_DEFAULT_UC);
	for (i = 0; i < NIGNORED; i++) {
		ev_signal_init(&ignored_w[i], signal_cb, ignored_sigs[i]);
		ev_signal_start(EV_DEFAULT_UC_ &ignored_w[i]);
	}
	ev_child_init(&child_w, child_cb, 0, 0);
	ev_child_start(EV_DEFAULT_UC_ &child_w);
}

/* The registry, and every service loaded (and started) from conf_dir. */
static void
services_start(void)
{
	static const struct svc_hooks hooks = {
		.changed = svc_changed_hook,
		.gone = ctl_gone,
		.essential = essential_hook,
	};
	struct strv	errs = { 0 };
	int		n;

	log_info("supd %s starting, pid %d, services from %s, socket %s",
	    SUPD_VERSION, (int)getpid(), conf.conf_dir, conf.socket);
	private_dirs();
	/* Before anything starts: what a killed supd left goes. */
	if ((n = leftovers_end(conf.state_dir)) > 0)
		log_info("ended %d process group%s left by a previous supd", n,
		    n == 1 ? "" : "s");
	/* The cgroup tree, its leftovers ended and removed, supd in it. */
	cg_init(conf.cgroup);
	svc_ns_probe();
	svc_init(&conf, &hooks);
	/* What a killed supd left of the overlays' throwaway layers goes. */
	scratch_init(conf.state_dir, conf.scratch_size);
	scratch_sweep();
	svc_load_all(true, &errs);
	strv_free(&errs);
	svc_net_boot();
	log_info("%zu service%s loaded", svc_count(), svc_count() == 1 ?
	    "" : "s");
}

int
main(int argc, char *argv[])
{
	struct options	o = { 0 };

	parse_options(argc, argv, &o);
	early_setup(o.check);
	if (load_conf(&o) == -1)
		return 1;
	if (o.check)
		return check_only();

	daemon_setup();
	watchers_start();
	services_start();
	metrics_http_start(&conf);

	ev_run(EV_DEFAULT_UC_ 0);

	ctl_close();
	metrics_http_stop();
	svc_free_all();
	imgrun_end();
	netpool_end();
	janitor_end();
	scratch_end();
	cg_end();
	svc_pub_end();
	svc_net_end();
	if (pid1_machine())
		pid1_finish(end_how);
	log_info("all services stopped, exiting%s", exit_code != 0 ?
	    " with the essential service's code" : "");
	cfg_main_free(&conf);
	ev_loop_destroy(EV_DEFAULT_UC);
	return exit_code;
}

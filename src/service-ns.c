/* SPDX-License-Identifier: ISC */
/*
 * service-ns.c: which namespaces the services may get here -- probed once
 * at start, before any service is read (what a user namespace adds: once
 * the start's services are spawned, or when one asks for it) -- and what a
 * service that asks for one this machine refuses is told.
 *
 * In an ordinary container (docker's, podman's or Kubernetes's defaults:
 * no CAP_SYS_ADMIN) no namespace can be made, and a service with the
 * default isolation (mount pid ipc uts) could never start. So the default
 * adapts: the configuration drops what is missing from a service that did
 * not ask for it (cfg_set_ns_available, config.c), supd says once what it
 * cannot give and why, and a service whose file asks for a namespace
 * (`namespaces`, or a key that needs one) fails with that reason.
 *
 * The probe clones children into the types (clone(2) with CLONE_NEW*, as
 * spawn.c makes a service's process; each child exits at once), so supd
 * itself never enters one: all but user at once first, then each type
 * that failed, and user alone; if a user namespace can be made, the types
 * refused alone are tried again with it (its root may make the others).
 *
 * A user namespace is not a silent fallback for the default: its root is
 * an unprivileged range of the host's ids (spawn.c), so a service that ran
 * as root would lose the files and the network of the container it is in.
 * It is reported, and a file may ask for it (namespaces = user ...).
 */
#include <sys/capability.h>

#include <errno.h>
#include <ev.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "service-private.h"
#include "util.h"

static const struct {
	const char	*name;
	int		 flag;
} ns_types[] = {
	{ "mount", CLONE_NEWNS }, { "pid", CLONE_NEWPID },
	{ "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS },
	{ "net", CLONE_NEWNET }, { "cgroup", CLONE_NEWCGROUP },
	{ "user", CLONE_NEWUSER },
};
#define NTYPES	(sizeof ns_types / sizeof *ns_types)
#define NS_ALL	(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS | \
		 CLONE_NEWNET | CLONE_NEWCGROUP | CLONE_NEWUSER)

/* What the probe found; never probed (tests, --check): everything. */
static int	avail = NS_ALL;		/* alone */
static int	avail_user = NS_ALL;	/* together with a user namespace */
static int	errs[NTYPES];		/* why a type was refused alone */
static bool	no_sys_admin;		/* supd lacks CAP_SYS_ADMIN */
static bool	user_pending;		/* avail_user still to be probed */
static long	probe_us;		/* the probes' time, for the log */
static ev_idle	report_w;		/* the rest, after the first starts */

static int
probe_child(void *arg)
{
	(void)arg;
	return 0;
}

/*
 * 0 when a child could be cloned into flags, else its errno. The child
 * shares supd's memory and exits at once (CLONE_VM | CLONE_VFORK: no page
 * table to copy, and supd goes on as its memory is let go, before its
 * namespaces are torn down); supd's loop reaps it (libev's watcher of
 * every pid).
 */
static int
try_clone(int flags)
{
	static char	stack[4096] __attribute__((aligned(16)));

	if (clone(probe_child, stack + sizeof stack, flags | CLONE_VM |
	    CLONE_VFORK | SIGCHLD, NULL) == -1)
		return errno;
	return 0;
}

static bool
lacks_sys_admin(void)
{
	cap_t			c = cap_get_proc();
	cap_flag_value_t	v = CAP_SET;

	if (c != NULL) {
		(void)cap_get_flag(c, CAP_SYS_ADMIN, CAP_EFFECTIVE, &v);
		cap_free(c);
	}
	return v != CAP_SET;
}

/* "mount pid" for flags, into b. */
static void
names(struct buf *b, int flags, const char *sep)
{
	size_t	i;
	bool	first = true;

	for (i = 0; i < NTYPES; i++)
		if (flags & ns_types[i].flag) {
			buf_printf(b, "%s%s", first ? "" : sep,
			    ns_types[i].name);
			first = false;
		}
}

/* Why a type is refused: its errno, and the capability when it is that. */
static void
why(struct buf *b, int err)
{
	buf_printf(b, "%s", strerror(err));
	if (err == EPERM && no_sys_admin)
		buf_puts(b, ": supd lacks CAP_SYS_ADMIN");
}

/* The one line at start saying what cannot be given, and why. */
static void
report(long us)
{
	struct buf	b = { 0 };
	size_t		i, j;
	bool		done;

	buf_puts(&b, "namespaces: cannot make ");
	for (i = 0; i < NTYPES; i++) {
		if (errs[i] == 0)
			continue;
		/* Each errno once, after the types it refused. */
		for (done = false, j = 0; j < i && !done; j++)
			done = errs[j] == errs[i];
		if (done)
			continue;
		if (b.len > strlen("namespaces: cannot make "))
			buf_puts(&b, "; ");
		for (j = i; j < NTYPES; j++)
			if (errs[j] == errs[i])
				buf_printf(&b, "%s%s", j == i ? "" : " ",
				    ns_types[j].name);
		buf_puts(&b, " (");
		why(&b, errs[i]);
		buf_puts(&b, ")");
	}
	if ((avail & CLONE_NEWUSER) && (avail_user & ~avail) != 0) {
		buf_puts(&b, "; with 'user' in namespaces: ");
		names(&b, avail_user & ~avail, " ");
	}
	if ((NS_DEFAULT & ~avail) != 0) {
		buf_puts(&b, "; services with the default isolation run "
		    "without ");
		names(&b, NS_DEFAULT & ~avail, " ");
	}
	buf_printf(&b, "; a service asking for one fails (probed in %ld us)",
	    us);
	log_warnx("%s", b.p);
	buf_free(&b);
}

static long
us_since(const struct timespec *t0)
{
	struct timespec	t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000000L +
	    (t1.tv_nsec - t0->tv_nsec) / 1000;
}

/*
 * The types refused alone that a user namespace makes possible (its root
 * may make the others). It makes them all at once, a network namespace
 * among them: 1 ms on an idle machine, up to 10 under load, which is why
 * it is not in the way of the first starts (report_cb) unless a
 * service that asks for a user namespace needs it first.
 */
static void
probe_user(void)
{
	struct timespec	t0;
	size_t		i;

	if (!user_pending)
		return;
	user_pending = false;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (try_clone(NS_ALL) == 0)
		avail_user = NS_ALL;
	else
		for (i = 0; i < NTYPES; i++)
			if (!(avail & ns_types[i].flag) &&
			    try_clone(ns_types[i].flag | CLONE_NEWUSER) == 0)
				avail_user |= ns_types[i].flag;
	probe_us += us_since(&t0);
}

/*
 * Once the start's services are spawned (the loop's first idle turn after
 * service.c's boot starts, which idle at a higher priority): what a user
 * namespace adds, and the one line saying what cannot be given.
 */
static void
report_cb(EV_P_ ev_idle *w, int revents)
{
	(void)revents;
	ev_idle_stop(EV_A_ w);
	probe_user();
	if (avail != NS_ALL)
		report(probe_us);
}

/*
 * Probe each type alone (supd still single-threaded, no service started)
 * and tell the configuration what a default may keep. What a user
 * namespace adds is probed later (probe_user), out of the way of the
 * first services' start, and the log line said then (report_cb).
 */
void
svc_ns_probe(void)
{
	struct timespec	t0;
	size_t		i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	no_sys_admin = lacks_sys_admin();
	/* One child in every type but user at once: where supd may make
	 * them (root on a host, a privileged container), all it takes. A
	 * user namespace alone, last: with it the others would pass.
	 * Without CAP_SYS_ADMIN (a default container) the kernel refuses
	 * every type but user with EPERM before anything else (clone(2):
	 * ns_capable(CAP_SYS_ADMIN) in supd's own user namespace), so
	 * those are not tried. */
	avail = 0;
	if (!no_sys_admin && try_clone(NS_ALL & ~CLONE_NEWUSER) == 0)
		avail = NS_ALL & ~CLONE_NEWUSER;
	for (i = 0; i < NTYPES; i++)
		if (ns_types[i].flag != CLONE_NEWUSER && no_sys_admin)
			errs[i] = EPERM;
		else if (ns_types[i].flag == CLONE_NEWUSER ||
		    (avail & ns_types[i].flag) == 0)
			if ((errs[i] = try_clone(ns_types[i].flag)) == 0)
				avail |= ns_types[i].flag;
	avail_user = avail;
	user_pending = (avail & CLONE_NEWUSER) && avail != NS_ALL;
	probe_us = us_since(&t0);
	cfg_set_ns_available(avail);
	ev_idle_init(&report_w, report_cb);
	ev_set_priority(&report_w, EV_MINPRI);
	ev_idle_start(EV_DEFAULT_UC_ &report_w);
}

/*
 * The namespaces of sc that cannot be made here, as a start's failure
 * ("namespaces: pid: cannot be made here (...)"), or NULL when all can.
 */
char *
svc_ns_missing(const struct svc_conf *sc)
{
	struct buf	b = { 0 };
	int		can, miss;
	size_t		i;

	if (sc->iso.ns & CLONE_NEWUSER)
		probe_user();
	can = sc->iso.ns & CLONE_NEWUSER && avail & CLONE_NEWUSER ?
	    avail_user : avail;
	if ((miss = sc->iso.ns & ~can) == 0)
		return NULL;
	buf_puts(&b, "namespaces: ");
	names(&b, miss, " ");
	buf_puts(&b, ": cannot be made here (");
	for (i = 0; i < NTYPES && !(miss & ns_types[i].flag); i++)
		;
	why(&b, errs[i] != 0 ? errs[i] : EPERM);
	buf_puts(&b, ")");
	return b.p;
}

/* inspect: "namespaces_effective" and "namespaces_unavailable" (what the
 * default would have had and this machine refuses). */
void
svc_ns_json(const struct svc_conf *sc, struct buf *b)
{
	int	lists[2] = { sc->iso.ns, sc->iso.ns_dropped };
	size_t	i, k;
	bool	first;

	for (k = 0; k < 2; k++) {
		buf_puts(b, k == 0 ? ",\"namespaces_effective\":[" :
		    "],\"namespaces_unavailable\":[");
		for (first = true, i = 0; i < NTYPES; i++)
			if (lists[k] & ns_types[i].flag) {
				buf_printf(b, "%s\"%s\"", first ? "" : ",",
				    ns_types[i].name);
				first = false;
			}
	}
	buf_puts(b, "]");
}

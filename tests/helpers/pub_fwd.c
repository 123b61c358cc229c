/* SPDX-License-Identifier: ISC */
/*
 * pub_fwd: src/publish.c alone in a libev loop, the way supd runs it, for
 * net-publish.bats and bench/forward-*.sh.
 *
 *   pub_fwd [-u] [-i IDLE_SECS] HOSTIP:HOSTPORT TARGETIP:PORT NETNS_PATH [MAXCONN]
 *
 * -u publishes UDP; NETNS_PATH is the target's /proc/PID/ns/net ("-": our
 * own). It prints "ready" once listening; on SIGUSR1 one line of counts
 * ("live=N total=N refused=N over_limit=N errors=N"); on SIGUSR2 it closes
 * the published port (pub_close) and prints "closed", running on; SIGTERM or
 * SIGINT end it. The soft fd limit is raised to the hard one (a benchmark
 * holds thousands of connections).
 */
#include <sys/resource.h>
#include <arpa/inet.h>

#include <err.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ev.h>

#include "log.h"
#include "publish.h"

static struct pub	*pub;

static void
addr_parse(const char *arg, struct in_addr *ip, uint16_t *port)
{
	char		*s = strdup(arg), *colon, *end;
	unsigned long	 n;

	if (s == NULL || (colon = strrchr(s, ':')) == NULL)
		errx(2, "%s: not IP:PORT", arg);
	*colon = '\0';
	n = strtoul(colon + 1, &end, 10);
	if (inet_pton(AF_INET, s, ip) != 1 || *end != '\0' || n == 0 ||
	    n > 65535)
		errx(2, "%s: not IP:PORT", arg);
	*port = (uint16_t)n;
	free(s);
}

static void
sig_cb(EV_P_ ev_signal *w, int revents)
{
	struct pub_counts	n;

	(void)revents;
	if (w->signum == SIGUSR1 && pub != NULL) {
		pub_stats(pub, &n);
		printf("live=%" PRIu64 " total=%" PRIu64 " refused=%" PRIu64
		    " over_limit=%" PRIu64 " errors=%" PRIu64 "\n", n.live,
		    n.total, n.refused, n.over_limit, n.errors);
	} else if (w->signum == SIGUSR2 && pub != NULL) {
		pub_close(pub);
		pub = NULL;
		printf("closed\n");
	} else if (w->signum == SIGTERM || w->signum == SIGINT) {
		ev_break(EV_A_ EVBREAK_ALL);
	}
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct pub_spec	 spec = { .proto = PUB_TCP };
	struct rlimit	 rl;
	ev_signal	 sigs[4];
	int		 signums[4] = { SIGUSR1, SIGUSR2, SIGTERM, SIGINT };
	int		 c, i, ns = -1;
	char		*cause = NULL;

	while ((c = getopt(argc, argv, "ui:")) != -1) {
		if (c == 'u')
			spec.proto = PUB_UDP;
		else if (c == 'i')
			spec.udp_idle = atof(optarg);
		else
			return 2;
	}
	argc -= optind;
	argv += optind;
	if (argc < 3 || argc > 4)
		errx(2, "usage: pub_fwd [-u] [-i IDLE] HOSTIP:HOSTPORT "
		    "TARGETIP:PORT NETNS_PATH [MAXCONN]");
	addr_parse(argv[0], &spec.host_ip, &spec.host_port);
	addr_parse(argv[1], &spec.target_ip, &spec.target_port);
	if (argc == 4)
		spec.max_conn = (unsigned)strtoul(argv[3], NULL, 10);
	if (strcmp(argv[2], "-") != 0 &&
	    (ns = open(argv[2], O_RDONLY | O_CLOEXEC)) == -1)
		err(1, "%s", argv[2]);
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
	signal(SIGPIPE, SIG_IGN);
	log_init();
	ev_default_loop(EVFLAG_AUTO);
	if (pub_init(&cause) == -1 ||
	    (pub = pub_open(&spec, ns, &cause)) == NULL)
		errx(1, "%s", cause);
	if (ns != -1)
		close(ns);	/* pub keeps its own */
	for (i = 0; i < 4; i++) {
		ev_signal_init(&sigs[i], sig_cb, signums[i]);
		ev_signal_start(EV_DEFAULT_UC_ &sigs[i]);
	}
	printf("ready\n");
	fflush(stdout);
	ev_run(EV_DEFAULT_UC_ 0);
	pub_close(pub);
	pub_exit();
	return 0;
}

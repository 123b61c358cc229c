/* SPDX-License-Identifier: ISC */
/*
 * test_config.c: config.c -- defaults, every key of every section (and
 * its effect on the parsed structs), the canonical form, and the exact
 * FILE:LINE message of each bad-config fixture.
 *
 * Fixtures live in tests/unit/bad-config/NAME.ini; each carries one or more
 * "# expect: NAME.ini:LINE: message" or "# expect-re: REGEX" lines, and
 * loading it must produce exactly those errors.
 */
#include <sys/capability.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include <dirent.h>
#include <errno.h>
#include <regex.h>
#include <sched.h>
#include <signal.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "config-private.h"
#include "unit.h"

static char	tmpdir[] = "/tmp/test_config.XXXXXX";

static char *
write_file(const char *name, const char *text)
{
	return unit_write_file(tmpdir, name, text);
}

static struct svc_conf *
load(const char *name, const char *text, struct supd_conf *mc,
    struct strv *errs)
{
	char		*path = write_file(name, text);
	struct svc_conf	*sc = cfg_load_service(path, mc, errs);

	free(path);
	return sc;
}

static void
test_defaults(struct supd_conf *mc)
{
	struct strv	 errs = { 0 };
	struct svc_conf	*sc;

	sc = load("web.ini", "[service]\ncommand = /bin/echo 'a b' c\n", mc,
	    &errs);
	CHECK(sc != NULL);
	CHECK_INT(errs.n, 0);
	if (sc == NULL)
		return;
	CHECK_STR(sc->name, "web");
	CHECK_STR(sc->argv[0], "/bin/echo");
	CHECK_STR(sc->argv[1], "a b");
	CHECK_STR(sc->argv[2], "c");
	CHECK(sc->argv[3] == NULL);
	CHECK_INT(sc->restart, RESTART_ON_FAILURE);
	CHECK_INT(sc->restart_max, 0);
	CHECK_INT(sc->restart_delay_ms, 100);
	CHECK_INT(sc->restart_delay_max_ms, 30000);
	CHECK_INT(sc->stable_after_ms, 10000);
	CHECK_INT(sc->stop_signal, SIGTERM);
	CHECK_INT(sc->stop_timeout_ms, 10000);
	CHECK_STR(sc->workdir, "/");
	CHECK_INT(sc->umask, 022);
	CHECK(sc->autostart);
	CHECK(sc->user == NULL && sc->group == NULL && sc->groups == NULL);
	CHECK(sc->env != NULL && sc->env[0] == NULL);
	CHECK_STR(sc->log.file, "/var/log/test/web.log");
	CHECK(sc->log.err_file == NULL);
	CHECK_INT(sc->log.stderr_mode, LOG_STDERR_MERGE);
	CHECK_INT(sc->log.max_size, 10 * 1024 * 1024);
	CHECK_INT(sc->log.max_files, 5);
	CHECK(!sc->log.timestamps && !sc->log.console);
	CHECK_INT(sc->log.when_full, LOG_FULL_BLOCK);
	cfg_svc_free(sc);
	strv_free(&errs);
}

/*
 * "section.key" of every key set by an INI text (lines "[section]" and
 * "key = value"; comments and indented continuations skipped).
 */
static void
keys_of(const char *text, struct strv *out)
{
	char	section[64] = "", key[64];
	const char *line, *end;

	for (line = text; *line != '\0'; line = *end ? end + 1 : end) {
		end = strchrnul(line, '\n');
		if (sscanf(line, "[%63[^]]]", section) == 1)
			continue;
		if (*line == '#' || *line == ' ' || *line == '\t' ||
		    sscanf(line, "%63[a-z_] =", key) != 1)
			continue;
		strv_take(out, xasprintf("%s.%s", section, key));
	}
}

/*
 * Every key config.c knows -- every row of the key tables of
 * src/config-keys.c -- must be in `set`: a key added there without a check
 * here fails this test.
 */
static void
check_all_keys_set(const struct strv *set)
{
	const struct key *const tables[] = { cfgk_main_keys, cfgk_svc_keys,
	    cfgk_net_keys };
	const struct key	*k;
	size_t			 t, i, nkeys = 0;

	for (t = 0; t < 3; t++)
		for (k = tables[t]; k->name != NULL; k++) {
			char	*want;
			bool	 found = false;

			nkeys++;
			want = xasprintf("%s.%s", k->section, k->name);
			for (i = 0; i < set->n && !found; i++)
				found = strcmp(set->v[i], want) == 0;
			if (!found)
				fprintf(stderr, "test_every_key: [%s] %s is not "
				    "covered\n", k->section, k->name);
			CHECK(found);
			free(want);
		}
	/* The tables were found at all: 7 keys of [supd], 50-odd others. */
	CHECK(nkeys > 60);
}

/* [supd]: every key of the main configuration, and its effect. */
static void
every_main_key(struct strv *set)
{
	struct supd_conf	 mc;
	struct strv		 errs = { 0 };
	const char		*text =
	    "[supd]\n"
	    "conf_dir = services\n"
	    "socket = run/s.sock\n"
	    "socket_mode = 0660\n"
	    "socket_group = 4321\n"
	    "log_dir = /abs/log\n"
	    "state_dir = /abs/state\n"
	    "shutdown_timeout = 5s\n"
	    "cgroup = no\n"
	    "metrics_listen = [::1]:9100\n"
	    "scratch_size = 10%\n";
	char			*path = write_file("every.conf", text), *want;

	keys_of(text, set);
	CHECK_INT(cfg_load_main(path, true, &mc, &errs), 0);
	CHECK_INT(errs.n, 0);
	want = xasprintf("%s/services", tmpdir);
	CHECK_STR(mc.conf_dir, want);
	free(want);
	want = xasprintf("%s/run/s.sock", tmpdir);
	CHECK_STR(mc.socket, want);
	free(want);
	CHECK_INT(mc.socket_mode, 0660);
	CHECK_STR(mc.socket_group, "4321");
	CHECK_INT(mc.socket_gid, 4321);
	CHECK_STR(mc.log_dir, "/abs/log");
	CHECK_STR(mc.state_dir, "/abs/state");
	CHECK_INT(mc.shutdown_timeout_ms, 5000);
	CHECK_STR(mc.cgroup, "no");
	CHECK_STR(mc.metrics_listen, "[::1]:9100");
	CHECK_STR(mc.scratch_size, "10%");
	cfg_main_free(&mc);
	strv_free(&errs);
	free(path);
}

/*
 * [network NAME] of supd.conf and a service's network keys: every key, and
 * its effect (the errors are tests/unit/test_config_net.c's).
 */
static void
every_net_key(struct strv *set)
{
	struct supd_conf	 mc;
	struct strv		 errs = { 0 };
	struct svc_conf		*sc;
	const struct net_conf	*n;
	const char		*text =
	    "[supd]\n"
	    "[network front]\n"
	    "subnet = 10.99.0.0/24\n"
	    "gateway = 10.99.0.254\n"
	    "bridge = br-front\n"
	    "nat = no\n"
	    "internal = yes\n"
	    "ipv6 = fd00:99::/64\n";
	const char		*svc =
	    "[service]\ncommand = /bin/true\n"
	    "[isolation]\n"
	    "network = bridge\n"
	    "network = front\n"
	    "ip = 10.99.0.9\n"
	    "ip = 10.88.3.4\n"
	    "aliases = www web2\n"
	    "dns = 192.0.2.53 2001:db8::1\n"
	    "publish = 8080:80\n"
	    "publish = 127.0.0.1:5353:53/udp\n"
	    "publish_max_conn = 10\n";
	char			*path = write_file("net.conf", text);
	char			 a[INET_ADDRSTRLEN];

	CHECK_INT(cfg_load_main(path, true, &mc, &errs), 0);
	CHECK_INT(errs.n, 0);
	CHECK_INT(mc.nnets, 2);
	CHECK_STR(mc.nets[0].name, "supd0");
	CHECK_STR(mc.nets[0].bridge, "supd-supd0");
	CHECK(mc.nets[0].nat && !mc.nets[0].internal);
	CHECK_STR(inet_ntop(AF_INET, &mc.nets[0].gateway, a, sizeof a),
	    "10.88.0.1");
	n = cfg_net_find(&mc, "front");
	CHECK(n != NULL);
	if (n != NULL) {
		CHECK_STR(inet_ntop(AF_INET, &n->subnet, a, sizeof a),
		    "10.99.0.0");
		CHECK_INT(n->prefix, 24);
		CHECK_STR(inet_ntop(AF_INET, &n->gateway, a, sizeof a),
		    "10.99.0.254");
		CHECK_STR(n->bridge, "br-front");
		CHECK(!n->nat && n->internal && n->has_ipv6);
		CHECK_INT(n->ipv6_prefix, 64);
		CHECK_INT(n->line, 2);
	}
	strv_push(set, "network.subnet");
	strv_push(set, "network.gateway");
	strv_push(set, "network.bridge");
	strv_push(set, "network.nat");
	strv_push(set, "network.internal");
	strv_push(set, "network.ipv6");

	keys_of(svc, set);
	sc = load("netsvc.ini", svc, &mc, &errs);
	CHECK(sc != NULL);
	CHECK_INT(errs.n, 0);
	if (sc != NULL) {
		CHECK_INT(sc->iso.net, NET_BRIDGE);
		CHECK(sc->iso.ns & CLONE_NEWNET);
		CHECK_STR(sc->iso.nets[0], "supd0");
		CHECK_STR(sc->iso.nets[1], "front");
		CHECK(sc->iso.nets[2] == NULL);
		CHECK_STR(sc->iso.ips[0], "10.99.0.9");
		CHECK_STR(sc->iso.ips[1], "10.88.3.4");
		CHECK_STR(sc->iso.aliases[1], "web2");
		CHECK_STR(sc->iso.dns[1], "2001:db8::1");
		CHECK_INT(sc->iso.npublish, 2);
		CHECK_INT(sc->iso.publish[0].host_addr.s_addr, 0);
		CHECK_INT(sc->iso.publish[0].host_port, 8080);
		CHECK_INT(sc->iso.publish[0].port, 80);
		CHECK_INT(sc->iso.publish[0].proto, IPPROTO_TCP);
		CHECK_INT(sc->iso.publish[1].host_addr.s_addr,
		    htonl(0x7f000001));
		CHECK_INT(sc->iso.publish[1].proto, IPPROTO_UDP);
		CHECK_INT(sc->iso.publish_max_conn, 10);
	}
	cfg_svc_free(sc);
	cfg_main_free(&mc);
	strv_free(&errs);
	free(path);
}

/*
 * The cgroup v2 keys of [limits]: each value read into sc->cgl (with its
 * line, for --check), "max" where it means something, and every bad value
 * refused as FILE:LINE naming the key (they were all refused once, as not
 * supported yet: that is gone).
 */
static void
every_cgroup_key(struct supd_conf *mc, struct strv *set)
{
	static const struct {
		const char	*line;
		int		 key;
		uint64_t	 want;
	} good[] = {
		{ "memory = 64M", CGL_MEMORY, 64 << 20 },
		{ "memory = max", CGL_MEMORY, CGL_MAX },
		{ "memory_high = 1G", CGL_MEMORY_HIGH, 1 << 30 },
		{ "memory_swap = 0", CGL_MEMORY_SWAP, 0 },
		{ "memory_swap = max", CGL_MEMORY_SWAP, CGL_MAX },
		{ "cpus = 0.5", CGL_CPUS, 50000 },
		{ "cpus = 2", CGL_CPUS, 200000 },
		{ "cpus = max", CGL_CPUS, CGL_MAX },
		{ "cpu_weight = 10000", CGL_CPU_WEIGHT, 10000 },
		{ "pids = 100", CGL_PIDS, 100 },
		{ "pids = max", CGL_PIDS, CGL_MAX },
		{ "io_weight = 1", CGL_IO_WEIGHT, 1 },
	};
	static const struct {
		const char	*line, *err;
	} bad[] = {
		{ "memory = 0", "must be at least 1" },
		{ "memory = lots", "invalid size (or max)" },
		{ "memory_high = -1", "invalid size (or max)" },
		{ "memory_swap = 1X", "invalid size (or max)" },
		{ "cpus = 0", "must be at least 0.01" },
		{ "cpus = 50%", "invalid number of CPUs (or max)" },
		{ "cpu_weight = 0", "must be between 1 and 10000" },
		{ "cpu_weight = 10001", "must be between 1 and 10000" },
		{ "cpu_weight = max", "invalid number" },
		{ "pids = 0", "too small" },
		{ "pids = many", "invalid number (or max)" },
		{ "io_weight = 20000", "must be between 1 and 10000" },
	};
	struct strv	 errs = { 0 };
	struct svc_conf	*sc;
	char		*text, *want;
	size_t		 i;

	for (i = 0; i < sizeof good / sizeof *good; i++) {
		text = xasprintf("[service]\ncommand = /bin/true\n[limits]\n"
		    "%s\n", good[i].line);
		keys_of(text, set);
		sc = load("cg.ini", text, mc, &errs);
		CHECK(sc != NULL);
		CHECK_INT(errs.n, 0);
		if (sc != NULL) {
			CHECK_INT(sc->cgl.set, 1u << good[i].key);
			CHECK(sc->cgl.val[good[i].key] == good[i].want);
			CHECK_INT(sc->cgl.line[good[i].key], 4);
		}
		cfg_svc_free(sc);
		strv_free(&errs);
		free(text);
	}
	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		text = xasprintf("[service]\ncommand = /bin/true\n[limits]\n"
		    "%s\n", bad[i].line);
		sc = load("cg.ini", text, mc, &errs);
		CHECK(sc == NULL);
		CHECK_INT(errs.n, 1);
		want = xasprintf("%s/cg.ini:4: %.*s '%s': %s", tmpdir,
		    (int)strcspn(bad[i].line, " "), bad[i].line,
		    strchr(bad[i].line, '=') + 2, bad[i].err);
		if (errs.n == 1)
			CHECK_STR(errs.v[0], want);
		free(want);
		cfg_svc_free(sc);
		strv_free(&errs);
		free(text);
	}
}

/*
 * Every key of every section, each set to something other than its
 * default, and each checked for its effect on the parsed structs -- not
 * only that the file loads. check_all_keys_set() proves none is left out.
 * Long on purpose: one text and one check per key, section by section, in
 * the same order, so that a missing one shows.
 */
/*
 * image, entrypoint, overlay = persist (issue 13): REF made absolute
 * against the file's directory, command optional with an image, an empty
 * entrypoint kept as "clears" (not as "unset"), workdir and stop_signal
 * left to the image; the errors that tie them to other keys.
 */
static void
every_image_key(struct supd_conf *mc, struct strv *set)
{
	static const char *const bad[][2] = {
		{ "[isolation]\nimage = /i\nrootfs = /r\n",
		    "image and rootfs exclude each other" },
		{ "[isolation]\noverlay = sometimes\n",
		    "overlay 'sometimes': expected yes, no or persist" },
		{ "[service]\nentrypoint =\n", "[service] command is required" },
	};
	const char	*text = "[service]\nentrypoint =\n[isolation]\n"
			    "image = oci-archive:imgs/a.tar:v1\noverlay = persist\n";
	struct strv	 errs = { 0 };
	struct svc_conf	*sc, *other;
	char		*want;
	size_t		 i;

	keys_of(text, set);
	sc = load("img.ini", text, mc, &errs);
	CHECK(sc != NULL);
	CHECK_INT(errs.n, 0);
	if (sc != NULL) {
		want = xasprintf("oci-archive:%s/imgs/a.tar:v1", tmpdir);
		CHECK_STR(sc->iso.image, want);
		free(want);
		CHECK(sc->argv == NULL);
		CHECK(sc->entrypoint != NULL && sc->entrypoint[0] == NULL);
		CHECK(sc->workdir == NULL);
		CHECK_INT(sc->stop_signal, 0);
		CHECK_INT(sc->iso.overlay, OVERLAY_PERSIST);
		/* No entrypoint line: unset, a different definition. */
		other = load("img.ini", "[isolation]\nimage = /x\n", mc, &errs);
		CHECK(other != NULL && other->entrypoint == NULL);
		CHECK(!cfg_svc_equal(sc, other));
		cfg_svc_free(other);
	}
	cfg_svc_free(sc);
	/* Without an image, entrypoint goes in front of command. */
	sc = load("ep.ini", "[service]\nentrypoint = /bin/sh -c\n"
	    "command = 'echo hi'\n", mc, &errs);
	CHECK(sc != NULL && sc->argv != NULL && sc->argv[2] != NULL);
	if (sc != NULL && sc->argv != NULL && sc->argv[2] != NULL) {
		CHECK_STR(sc->argv[0], "/bin/sh");
		CHECK_STR(sc->argv[2], "echo hi");
		CHECK_STR(sc->workdir, "/");
		CHECK_INT(sc->stop_signal, SIGTERM);
	}
	cfg_svc_free(sc);
	/* With a user namespace too (its root an idmapped overlay). */
	sc = load("u.ini", "[isolation]\nimage = /i\nnamespaces = mount pid "
	    "user\n", mc, &errs);
	CHECK(sc != NULL && (sc->iso.ns & CLONE_NEWUSER));
	CHECK_INT(errs.n, 0);
	cfg_svc_free(sc);
	strv_free(&errs);
	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		sc = load("bad.ini", bad[i][0], mc, &errs);
		CHECK(sc == NULL);
		CHECK(errs.n >= 1);
		if (errs.n >= 1 && strstr(errs.v[0], bad[i][1]) == NULL) {
			fprintf(stderr, "want '%s', got '%s'\n", bad[i][1],
			    errs.v[0]);
			CHECK(false);
		}
		cfg_svc_free(sc);
		strv_free(&errs);
	}
}

static void
test_every_key(struct supd_conf *mc)
{
	struct strv	 errs = { 0 }, set = { 0 };
	struct svc_conf	*sc, *same, *other;
	char		*envf, *prof, *want;
	const char	*text =
	    "# a comment\n"
	    "[service]\n"
	    "command = /usr/bin/env\n"
	    "   -i FOO=1\n"		/* indented: continues command */
	    "restart = on-failure:4\n"
	    "restart_delay = 250ms\n"
	    "restart_delay_max = 5s\n"
	    "stable_after = 1m\n"
	    "stop_signal = INT\n"
	    "stop_timeout = 2s\n"
	    "user = nobody\n"
	    "group = nogroup\n"
	    "groups = adm tty\n"
	    "groups = 27\n"
	    "workdir = /tmp\n"
	    "env_file = app.env\n"
	    "env = B=from-env\n"
	    "env = D=4\n"
	    "umask = 0077\n"
	    "autostart = no\n"
	    "after = db cache\n"
	    "after = queue\n"
	    "requires = db\n"
	    "ready = fd:5\n"
	    "type = oneshot\n"
	    "essential = yes\n"
	    "tty = yes\n"
	    "[log]\n"
	    "file = app.log\n"
	    "stderr = separate\n"
	    "max_size = 64K\n"
	    "max_files = 0\n"
	    "timestamps = on\n"
	    "when_full = drop\n"
	    "console = true\n"
	    "[isolation]\n"
	    "namespaces = mount pid uts cgroup user\n"
	    "hostname = box-1\n"
	    "rootfs = /srv/rootfs\n"
	    "overlay = yes\n"
	    "read_only = yes\n"
	    "volume = /srv/data:/data:ro\n"
	    "volume = cache:/var/cache\n"
	    "tmpfs = /run:1M\n"
	    "tmpfs = /scratch\n"
	    "private_tmp = no\n"
	    "network = container:db\n"
	    "capabilities = CAP_NET_BIND_SERVICE\n"
	    "capabilities = chown\n"
	    "no_new_privileges = no\n"
	    "init = no\n"
	    "seccomp = app.prof\n"
	    "[limits]\n"
	    "nofile = 1024:4096\n"
	    "nproc = 100\n"
	    "core = infinity\n"
	    "memlock = 64K:1M\n"
	    "[health]\n"
	    "cmd = /bin/check --deep\n"
	    "interval = 2s\n"
	    "timeout = 1500ms\n"
	    "retries = 7\n"
	    "start_period = 30s\n"
	    "on_unhealthy = none\n";

	keys_of(text, &set);
	envf = write_file("app.env", "# env\nA=1\nB=from-file\nexport C='3 3'\n");
	prof = write_file("app.prof", "# denied\nptrace EPERM\nuname EACCES\n");
	sc = load("app.ini", text, mc, &errs);
	CHECK(sc != NULL);
	CHECK_INT(errs.n, 0);
	if (sc == NULL) {
		size_t i;
		for (i = 0; i < errs.n; i++)
			fprintf(stderr, "%s\n", errs.v[i]);
		goto out;
	}
	/* [service] */
	CHECK_STR(sc->argv[0], "/usr/bin/env");
	CHECK_STR(sc->argv[1], "-i");
	CHECK_STR(sc->argv[2], "FOO=1");
	CHECK(sc->argv[3] == NULL);
	CHECK_INT(sc->restart, RESTART_ON_FAILURE);
	CHECK_INT(sc->restart_max, 4);
	CHECK_INT(sc->restart_delay_ms, 250);
	CHECK_INT(sc->restart_delay_max_ms, 5000);
	CHECK_INT(sc->stable_after_ms, 60000);
	CHECK_INT(sc->stop_signal, SIGINT);
	CHECK_INT(sc->stop_timeout_ms, 2000);
	CHECK_STR(sc->user, "nobody");
	CHECK_STR(sc->group, "nogroup");
	CHECK_STR(sc->groups[0], "adm");
	CHECK_STR(sc->groups[1], "tty");
	CHECK_STR(sc->groups[2], "27");
	CHECK(sc->groups[3] == NULL);
	CHECK_STR(sc->workdir, "/tmp");
	/* env_file first, env overrides. */
	CHECK_STR(sc->env[0], "A=1");
	CHECK_STR(sc->env[1], "B=from-env");
	CHECK_STR(sc->env[2], "C=3 3");
	CHECK_STR(sc->env[3], "D=4");
	CHECK(sc->env[4] == NULL);
	CHECK_INT(sc->umask, 077);
	CHECK(!sc->autostart);
	CHECK(sc->after != NULL);
	if (sc->after != NULL) {
		CHECK_STR(sc->after[0], "db");
		CHECK_STR(sc->after[1], "cache");
		CHECK_STR(sc->after[2], "queue");
		CHECK(sc->after[3] == NULL);
	}
	CHECK(sc->requires != NULL);
	if (sc->requires != NULL) {
		CHECK_STR(sc->requires[0], "db");
		CHECK(sc->requires[1] == NULL);
	}
	CHECK_INT(sc->deps_line, 21);
	CHECK_INT(sc->ready, READY_FD);
	CHECK_INT(sc->ready_fd, 5);
	CHECK_INT(sc->type, TYPE_ONESHOT);
	CHECK(sc->essential);
	CHECK(sc->tty);
	/* [log] */
	CHECK_STR(sc->log.file, "/var/log/test/app.log");
	CHECK_STR(sc->log.err_file, "/var/log/test/app.err.log");
	CHECK_INT(sc->log.stderr_mode, LOG_STDERR_SEPARATE);
	CHECK_INT(sc->log.max_size, 65536);
	CHECK_INT(sc->log.max_files, 0);
	CHECK(sc->log.timestamps);
	CHECK(sc->log.console);
	CHECK_INT(sc->log.when_full, LOG_FULL_DROP);
	/* [isolation] */
	CHECK_INT(sc->iso.ns, CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS |
	    CLONE_NEWCGROUP | CLONE_NEWUSER);
	CHECK_STR(sc->iso.hostname, "box-1");
	CHECK_STR(sc->iso.rootfs, "/srv/rootfs");
	CHECK(sc->iso.overlay);
	CHECK(sc->iso.read_only);
	CHECK_INT(sc->iso.nvolumes, 2);
	if (sc->iso.nvolumes == 2) {
		CHECK_STR(sc->iso.volumes[0].src, "/srv/data");
		CHECK(sc->iso.volumes[0].name == NULL);
		CHECK_STR(sc->iso.volumes[0].dst, "/data");
		CHECK(sc->iso.volumes[0].ro);
		want = xasprintf("%s/volumes/cache", mc->state_dir);
		CHECK_STR(sc->iso.volumes[1].src, want);
		free(want);
		CHECK_STR(sc->iso.volumes[1].name, "cache");
		CHECK_STR(sc->iso.volumes[1].dst, "/var/cache");
		CHECK(!sc->iso.volumes[1].ro);
	}
	CHECK_INT(sc->iso.ntmpfs, 2);
	if (sc->iso.ntmpfs == 2) {
		CHECK_STR(sc->iso.tmpfs[0].dst, "/run");
		CHECK_INT(sc->iso.tmpfs[0].size, 1024 * 1024);
		CHECK_STR(sc->iso.tmpfs[1].dst, "/scratch");
		CHECK_INT(sc->iso.tmpfs[1].size, 0);
	}
	CHECK(!sc->iso.private_tmp);
	CHECK_INT(sc->iso.net, NET_CONTAINER);
	CHECK_STR(sc->iso.net_container, "db");
	CHECK(sc->iso.caps_set);
	CHECK_INT(sc->iso.caps, (1ULL << CAP_NET_BIND_SERVICE) |
	    (1ULL << CAP_CHOWN));
	CHECK(!sc->iso.no_new_privs);
	CHECK(!sc->iso.init);
	CHECK_INT(sc->iso.seccomp, SFILTER_FILE);
	CHECK_STR(sc->iso.seccomp_file, prof);
	CHECK_INT(sc->iso.seccomp_ndeny, 2);
	if (sc->iso.seccomp_ndeny == 2) {
		CHECK_INT(sc->iso.seccomp_deny[0].nr, SYS_ptrace);
		CHECK_INT(sc->iso.seccomp_deny[0].err, EPERM);
		CHECK_INT(sc->iso.seccomp_deny[1].nr, SYS_uname);
		CHECK_INT(sc->iso.seccomp_deny[1].err, EACCES);
	}
	/* [limits] */
	CHECK(sc->rlimits != NULL);
	if (sc->rlimits != NULL) {
		CHECK(sc->rlimits[RL_NOFILE].set);
		CHECK_INT(sc->rlimits[RL_NOFILE].soft, 1024);
		CHECK_INT(sc->rlimits[RL_NOFILE].hard, 4096);
		CHECK(sc->rlimits[RL_NPROC].set);
		CHECK_INT(sc->rlimits[RL_NPROC].soft, 100);
		CHECK_INT(sc->rlimits[RL_NPROC].hard, 100);
		CHECK(sc->rlimits[RL_CORE].set);
		CHECK(sc->rlimits[RL_CORE].soft == RLIM_INFINITY);
		CHECK(sc->rlimits[RL_CORE].hard == RLIM_INFINITY);
		CHECK(sc->rlimits[RL_MEMLOCK].set);
		CHECK_INT(sc->rlimits[RL_MEMLOCK].soft, 64 * 1024);
		CHECK_INT(sc->rlimits[RL_MEMLOCK].hard, 1024 * 1024);
	}
	/* [health] */
	CHECK(sc->health.argv != NULL);
	if (sc->health.argv != NULL) {
		CHECK_STR(sc->health.argv[0], "/bin/check");
		CHECK_STR(sc->health.argv[1], "--deep");
		CHECK(sc->health.argv[2] == NULL);
	}
	CHECK_INT(sc->health.interval_ms, 2000);
	CHECK_INT(sc->health.timeout_ms, 1500);
	CHECK_INT(sc->health.retries, 7);
	CHECK_INT(sc->health.start_period_ms, 30000);
	CHECK(!sc->health.restart);

	/* The canonical form: equal for equal meaning, different otherwise. */
	same = load("app.ini", text, mc, &errs);
	CHECK(cfg_svc_equal(same, sc));
	free(write_file("app.env", "A=1\nB=from-file\nC='3 3'\nE=new\n"));
	other = load("app.ini", text, mc, &errs);
	CHECK(other != NULL && !cfg_svc_equal(other, sc));
	cfg_svc_free(same);
	cfg_svc_free(other);
	cfg_svc_free(sc);
out:
	every_main_key(&set);
	every_net_key(&set);
	every_cgroup_key(mc, &set);
	every_image_key(mc, &set);
	check_all_keys_set(&set);
	free(envf);
	free(prof);
	strv_free(&errs);
	strv_free(&set);
}

/* key = each bad[i][0] in [supd]: refused at its line with bad[i][1]. */
static void
bad_main_values(const char *key, const char *const (*bad)[2], size_t n)
{
	struct supd_conf	 mc;
	struct strv		 errs = { 0 };
	char			*path, *text, *w;
	size_t			 i;

	for (i = 0; i < n; i++) {
		text = xasprintf("[supd]\nlog_dir = /l\n%s = %s\n", key,
		    bad[i][0]);
		path = write_file("bad-main.conf", text);
		w = xasprintf("%s:3: %s '%s': %s", path, key, bad[i][0],
		    bad[i][1]);
		CHECK_INT(cfg_load_main(path, true, &mc, &errs), -1);
		CHECK_INT(errs.n, 1);
		if (errs.n == 1)
			CHECK_STR(errs.v[0], w);
		cfg_main_free(&mc);
		strv_free(&errs);
		free(path);
		free(text);
		free(w);
	}
}

static void
test_main_conf(void)
{
	struct supd_conf	 mc;
	struct strv		 errs = { 0 };
	char			*path;

	/* Missing default file: defaults. An explicit one must exist. */
	CHECK_INT(cfg_load_main("/nonexistent/supd.conf", false, &mc, &errs), 0);
	CHECK_STR(mc.socket, "/run/supd/supd.sock");
	CHECK_STR(mc.conf_dir, "/etc/supd/conf.d");
	CHECK_INT(mc.socket_mode, 0600);
	CHECK_INT(mc.shutdown_timeout_ms, 30000);
	CHECK_STR(mc.cgroup, "auto");
	cfg_main_free(&mc);
	CHECK_INT(cfg_load_main("/nonexistent/supd.conf", true, &mc, &errs), -1);
	CHECK_INT(errs.n, 1);
	if (errs.n == 1)
		CHECK_STR(errs.v[0], "/nonexistent/supd.conf: No such file or "
		    "directory");
	cfg_main_free(&mc);
	strv_free(&errs);

	/* Relative paths are relative to the file's directory. */
	path = write_file("supd.conf", "[supd]\nconf_dir = services\n"
	    "socket = run/s.sock\nsocket_mode = 0660\nsocket_group = root\n"
	    "log_dir = /abs/log\nshutdown_timeout = 5s\n");
	CHECK_INT(cfg_load_main(path, true, &mc, &errs), 0);
	CHECK_INT(errs.n, 0);
	CHECK(strncmp(mc.conf_dir, tmpdir, strlen(tmpdir)) == 0 &&
	    strcmp(mc.conf_dir + strlen(tmpdir), "/services") == 0);
	CHECK(strcmp(mc.socket + strlen(tmpdir), "/run/s.sock") == 0);
	CHECK_STR(mc.log_dir, "/abs/log");
	CHECK_INT(mc.socket_mode, 0660);
	CHECK_INT(mc.socket_gid, 0);
	CHECK_INT(mc.shutdown_timeout_ms, 5000);
	cfg_main_free(&mc);
	free(path);

	path = write_file("bad.conf", "[supd]\nsocket_mode = 999\nlog = x\n"
	    "[other]\n");
	CHECK_INT(cfg_load_main(path, true, &mc, &errs), -1);
	CHECK_INT(errs.n, 3);
	if (errs.n == 3) {
		char *e3 = xasprintf("%s:4: unknown section [other]", path);

		CHECK_STR(errs.v[2], e3);
		free(e3);
		char *e1 = xasprintf("%s:2: socket_mode '999': invalid mode",
		    path);
		char *e2 = xasprintf("%s:3: unknown key 'log' in [supd]", path);

		CHECK_STR(errs.v[0], e1);
		CHECK_STR(errs.v[1], e2);
		free(e1);
		free(e2);
	}
	cfg_main_free(&mc);
	strv_free(&errs);
	free(path);

	/* metrics_listen: a bad one refused at its line, with why. */
	{
		static const char *const bad[][2] = {
		    { "localhost:9100", "bad address (a numeric IPv4 or "
		      "[IPv6] address)" },
		    { "127.0.0.1:0", "port must be 1-65535" },
		    { "127.0.0.1:65536", "port must be 1-65535" },
		    { "::1:9100", "bad address (a numeric IPv4 or [IPv6] "
		      "address)" },
		    { "9100", "must be ADDRESS:PORT or [IPV6]:PORT" },
		};

		bad_main_values("metrics_listen", bad, sizeof bad / sizeof *bad);
	}
}

/* scratch_size: 25% by default; a size of at least 1M or a share of 1% to
 * 100%, else an error at its line saying which. */
static void
test_main_scratch_size(void)
{
	static const char *const bad[][2] = {
	    { "0%", "expected a share of the memory from 1% to 100%" },
	    { "101%", "expected a share of the memory from 1% to 100%" },
	    { "%", "expected a share of the memory from 1% to 100%" },
	    { "12345678901234567%", "expected a size (64M) or a share of "
	      "the memory (25%)" },
	    { "512K", "expected at least 1M" },
	    { "lots", "invalid size" },
	};
	struct supd_conf	 mc;
	struct strv		 errs = { 0 };
	char			*path;

	path = write_file("scratch.conf", "[supd]\nlog_dir = /l\n");
	CHECK_INT(cfg_load_main(path, true, &mc, &errs), 0);
	CHECK_STR(mc.scratch_size, "25%");
	cfg_main_free(&mc);
	free(path);
	path = write_file("scratch.conf", "[supd]\nscratch_size = 64M\n");
	CHECK_INT(cfg_load_main(path, true, &mc, &errs), 0);
	CHECK_STR(mc.scratch_size, "64M");
	cfg_main_free(&mc);
	free(path);
	bad_main_values("scratch_size", bad, sizeof bad / sizeof *bad);
}

/*
 * Every fixture yields exactly the errors its "# expect: TEXT" (exact) and
 * "# expect-re: REGEX" lines name, matched against the error with the
 * fixture directory taken off the front ("NAME.ini:LINE: message").
 */
static void
test_fixtures(struct supd_conf *mc, const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	int		 nfix = 0;

	if ((d = opendir(dir)) == NULL) {
		fprintf(stderr, "%s: cannot open\n", dir);
		CHECK(d != NULL);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		struct strv	 want = { 0 }, errs = { 0 };
		struct svc_conf	*sc;
		char		*path, *line = NULL;
		size_t		 cap = 0, i, j, len = strlen(de->d_name);
		FILE		*f;

		if (len < 5 || strcmp(de->d_name + len - 4, ".ini") != 0)
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		if ((f = fopen(path, "r")) == NULL) {
			free(path);
			continue;
		}
		/* Kept as "=TEXT" or "~REGEX". */
		while (getline(&line, &cap, f) != -1) {
			char	*p;

			line[strcspn(line, "\r\n")] = '\0';
			if ((p = strstr(line, "# expect: ")) != NULL)
				strv_take(&want, xasprintf("=%s", p + 10));
			else if ((p = strstr(line, "# expect-re: ")) != NULL)
				strv_take(&want, xasprintf("~%s", p + 13));
		}
		free(line);
		fclose(f);
		if (want.n == 0) {
			free(path);
			continue;
		}
		nfix++;
		sc = cfg_load_service(path, mc, &errs);
		CHECK(sc == NULL);
		cfg_svc_free(sc);
		for (i = 0; i < want.n; i++) {
			int	found = 0;
			regex_t	re;

			if (want.v[i][0] == '~' && regcomp(&re, want.v[i] + 1,
			    REG_EXTENDED | REG_NOSUB) != 0) {
				fprintf(stderr, "%s: bad regex\n", want.v[i]);
				CHECK(0);
				continue;
			}
			for (j = 0; j < errs.n && !found; j++) {
				const char *rel = errs.v[j];

				if (strncmp(rel, dir, strlen(dir)) == 0 &&
				    rel[strlen(dir)] == '/')
					rel += strlen(dir) + 1;
				if (want.v[i][0] == '=')
					found = strcmp(rel, want.v[i] + 1) == 0;
				else
					found = regexec(&re, rel, 0, NULL, 0) == 0;
			}
			if (want.v[i][0] == '~')
				regfree(&re);
			if (!found) {
				fprintf(stderr, "missing error: %s\n", want.v[i] + 1);
				for (j = 0; j < errs.n; j++)
					fprintf(stderr, "   got: %s\n", errs.v[j]);
			}
			CHECK(found);
		}
		CHECK_INT(errs.n, want.n);
		strv_free(&want);
		strv_free(&errs);
		free(path);
	}
	closedir(d);
	CHECK(nfix > 0);
}

/*
 * supctl run's text: the same loader as a file, errors labelled "run:LINE",
 * no file named, the name checked as a file's.
 */
static void
test_text(struct supd_conf *mc)
{
	struct strv	 errs = { 0 };
	struct svc_conf	*sc;
	char		*old = mc->conf_dir, *want;

	mc->conf_dir = xstrdup("/etc/supd/conf.d");
	sc = cfg_load_service_text("run", "[service]\ncommand = 'a b' c\n"
	    "[isolation]\nvolume = data:/d\n", "t1", mc, &errs);
	CHECK(sc != NULL);
	CHECK_INT(errs.n, 0);
	if (sc != NULL) {
		CHECK_STR(sc->name, "t1");
		CHECK(sc->file == NULL);
		CHECK_STR(sc->argv[0], "a b");
		CHECK_STR(sc->argv[1], "c");
		want = xasprintf("%s/t1.log", mc->log_dir);
		CHECK_STR(sc->log.file, want);
		free(want);
	}
	cfg_svc_free(sc);
	strv_free(&errs);
	sc = cfg_load_service_text("run", "[service]\ncommand = x\n"
	    "[isolation]\nbogus = 1\n", "t2", mc, &errs);
	CHECK(sc == NULL);
	CHECK_INT(errs.n, 1);
	if (errs.n == 1)
		CHECK_STR(errs.v[0], "run:4: unknown key 'bogus' in [isolation]");
	strv_free(&errs);
	/* The name is checked as a file's would be: never a path. */
	sc = cfg_load_service_text("run", "[service]\ncommand = x\n", "../x",
	    mc, &errs);
	CHECK(sc == NULL);
	CHECK_INT(errs.n, 1);
	strv_free(&errs);
	free(mc->conf_dir);
	mc->conf_dir = old;
}

int
main(void)
{
	struct supd_conf	mc;
	struct strv		errs = { 0 };
	const char		*fixtures = "tests/unit/bad-config";
	const char		*top = ".";

	/* Run from the repository top or with SUPD_TOP set. */
	if (getenv("SUPD_TOP") != NULL) {
		top = getenv("SUPD_TOP");
		fixtures = xasprintf("%s/tests/unit/bad-config", top);
	}
	if (mkdtemp(tmpdir) == NULL)
		return 2;
	cfg_load_main("/nonexistent", false, &mc, &errs);
	free(mc.log_dir);
	mc.log_dir = xstrdup("/var/log/test");

	test_defaults(&mc);
	test_every_key(&mc);
	test_main_conf();
	test_main_scratch_size();
	test_fixtures(&mc, fixtures);
	test_text(&mc);

	cfg_main_free(&mc);
	unit_rm_rf(tmpdir);
	return unit_done("config");
}

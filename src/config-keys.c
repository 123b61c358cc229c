/* SPDX-License-Identifier: ISC */
/*
 * config-keys.c: the key tables of supd.conf and of a service file -- the
 * one place a key is written (see config-private.h for what a row carries) --
 * and what is done with a row by its type: set its default, parse a value
 * into its struct, write it into the canonical form, free it.
 *
 * Adding a key that is one plain value is one row here plus its field in
 * config.h (and its line in man/supd.conf.5 and README.md, which
 * tests/unit/test_config.c checks). Keys that need more than one value's
 * parser name theirs from config-custom.c. What ties keys together (network
 * and namespaces, overlay needs rootfs, ...) is config.c's, after the file.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cgroup.h"
#include "config-custom.h"
#include "config-private.h"
#include "values.h"

#define MAX_LOG_FILES		1000
#define MAX_HEALTH_RETRIES	1000
#define MAX_PUBLISH_CONN	1000000

/*
 * [supd] of supd.conf. Defaults are docs/design.md's ("Configuration") and
 * supd.conf(5)'s.
 */
const struct key cfgk_main_keys[] = {
	{ "supd", "conf_dir", KT_PATH, MAIN(conf_dir),
	    .def = "/etc/supd/conf.d", .sample = "/srv/conf.d" },
	{ "supd", "socket", KT_PATH, MAIN(socket),
	    .def = SUPD_SOCKET_DEFAULT, .sample = "/run/other.sock" },
	{ "supd", "socket_mode", KT_MODE, MAIN(socket_mode), .def = "0600",
	    .sample = "0660" },
	/* Also sets socket_gid, resolved now. */
	{ "supd", "socket_group", KT_STRING, MAIN(socket_group),
	    .parse = cfgc_socket_group, .sample = "4321" },
	{ "supd", "log_dir", KT_PATH, MAIN(log_dir), .def = "/var/log/supd",
	    .sample = "/srv/log" },
	{ "supd", "state_dir", KT_PATH, MAIN(state_dir),
	    .def = "/var/lib/supd", .sample = "/srv/state" },
	{ "supd", "shutdown_timeout", KT_DURATION, MAIN(shutdown_timeout_ms),
	    .def = "30s", .sample = "5s" },
	/* The tmpfs of the overlays' throwaway layers (scratch.c). */
	{ "supd", "scratch_size", KT_STRING, MAIN(scratch_size), .def = "25%",
	    .check = cfgc_check_scratch_size, .sample = "64M" },
	/* auto, no, or the tree's directory on cgroup2 (cgroup.h). */
	{ "supd", "cgroup", KT_STRING, MAIN(cgroup), .def = "auto",
	    .check = cg_setting_check, .sample = "no" },
	/* Off unless set (metrics-http.c); read at start only. */
	{ "supd", "metrics_listen", KT_STRING, MAIN(metrics_listen),
	    .check = cfgc_check_listen, .sample = "127.0.0.1:9100" },
	{ .name = NULL }
};

/*
 * [network NAME] of supd.conf, one struct net_conf per NAME (config-net.c
 * reads the sections). No defaults here: they depend on the name and on
 * each other (supd0's subnet, gateway = first address, bridge supd-NAME,
 * nat = not internal), set by cfgn_finish. CFGK_NET_NKEYS counts the rows.
 */
const struct key cfgk_net_keys[] = {
	{ "network", "subnet", KT_CUSTOM, NET(subnet), .parse = cfgn_subnet,
	    .canon = cfgn_subnet_canon, .sample = "10.98.0.0/24" },
	{ "network", "gateway", KT_CUSTOM, NET(gateway), .parse = cfgn_gateway,
	    .canon = cfgn_gateway_canon, .sample = "10.99.0.254" },
	{ "network", "bridge", KT_STRING, NET(bridge),
	    .check = cfgn_check_ifname, .sample = "br-other" },
	{ "network", "nat", KT_CUSTOM, NET(nat), .parse = cfgn_nat,
	    .canon = cfgn_nat_canon, .sample = "no" },
	{ "network", "internal", KT_BOOL, NET(internal), .sample = "yes" },
	{ "network", "ipv6", KT_CUSTOM, NET(ipv6), .parse = cfgn_ipv6,
	    .canon = cfgn_ipv6_canon, .sample = "fd00:99::/64" },
	{ .name = NULL }
};

/*
 * A service file, section by section (each section's rows together: the
 * first section is the canonical form's top level, each other one an object
 * of its own).
 */
const struct key cfgk_svc_keys[] = {
	/* Kept raw (continuation lines join it), split after the file. */
	{ "service", "command", KT_ARGV, SVC(argv), .parse = cfgc_command,
	    .cont = true, .sample = "/bin/echo other" },
	/* Empty clears an image's Entrypoint: NULL and empty differ. */
	{ "service", "entrypoint", KT_ARGV, SVC(entrypoint),
	    .parse = cfgc_entrypoint, .canon = cfgc_entrypoint_canon,
	    .sample = "/bin/sh -c" },
	/* Also sets restart_max (on-failure:N). */
	{ "service", "restart", KT_CUSTOM, SVC(restart), .def = "on-failure",
	    .parse = cfgc_restart, .canon = cfgc_restart_canon,
	    .sample = "on-failure:3" },
	{ "service", "restart_delay", KT_DURATION, SVC(restart_delay_ms),
	    .def = "100ms", .sample = "1s" },
	/* Below restart_delay it is raised to it (config.c). */
	{ "service", "restart_delay_max", KT_DURATION,
	    SVC(restart_delay_max_ms), .def = "30s", .sample = "1m" },
	{ "service", "stable_after", KT_DURATION, SVC(stable_after_ms),
	    .def = "10s", .sample = "1m" },
	/* Default TERM, set after the file: with an image, the image's. */
	{ "service", "stop_signal", KT_SIGNAL, SVC(stop_signal),
	    .sample = "INT" },
	{ "service", "stop_timeout", KT_DURATION, SVC(stop_timeout_ms),
	    .def = "10s", .sample = "3s" },
	{ "service", "user", KT_STRING, SVC(user),
	    .check = cfgc_check_ident, .sample = "nobody" },
	{ "service", "group", KT_STRING, SVC(group),
	    .check = cfgc_check_ident, .sample = "nogroup" },
	{ "service", "groups", KT_STRV, SVC(groups), .repeat = true,
	    .check = cfgc_check_ident, .sample = "adm" },
	/* Default /, set after the file: with an image, the image's. */
	{ "service", "workdir", KT_STRING, SVC(workdir),
	    .check = cfgc_check_abs, .sample = "/tmp" },
	/* Kept; merged over the env files' items after the file. */
	{ "service", "env", KT_STRV, SVC(env), .repeat = true,
	    .parse = cfgc_env, .sample = "SAMPLE=1" },
	/* Not written: its items are in env's. The test writes the sample. */
	{ "service", "env_file", KT_CUSTOM, SVC(env), .repeat = true,
	    .parse = cfgc_env_file, .no_canon = true, .sample = "sample.env" },
	{ "service", "umask", KT_MODE, SVC(umask), .def = "022",
	    .sample = "077" },
	{ "service", "autostart", KT_BOOL, SVC(autostart), .def = "yes",
	    .sample = "no" },
	{ "service", "tty", KT_BOOL, SVC(tty), .sample = "yes" },
	/* Also note deps_line, the first line of either, for deps.c. */
	{ "service", "after", KT_STRV, SVC(after), .repeat = true,
	    .parse = cfgc_deps, .sample = "db" },
	{ "service", "requires", KT_STRV, SVC(requires), .repeat = true,
	    .parse = cfgc_deps, .sample = "db" },
	/* Also sets ready_fd (fd:N). */
	{ "service", "ready", KT_CUSTOM, SVC(ready), .def = "exec",
	    .parse = cfgc_ready, .canon = cfgc_ready_canon,
	    .sample = "fd:3" },
	{ "service", "type", KT_ENUM, SVC(type), .names = cfgc_type_names,
	    .def = "simple", .sample = "oneshot" },
	{ "service", "essential", KT_BOOL, SVC(essential), .sample = "yes" },

	/* Resolved against log_dir after the file (none, or NAME.log). */
	{ "log", "file", KT_STRING, SVC(log.file), .parse = cfgc_log_file,
	    .sample = "other.log" },
	{ "log", "stderr", KT_ENUM, SVC(log.stderr_mode), .def = "merge",
	    .names = cfgc_stderr_names, .sample = "separate" },
	{ "log", "max_size", KT_SIZE, SVC(log.max_size), .def = "10M",
	    .min = 1, .max = UINT64_MAX, .sample = "1M" },
	{ "log", "max_files", KT_UINT, SVC(log.max_files), .def = "5",
	    .min = 0, .max = MAX_LOG_FILES, .sample = "2" },
	{ "log", "timestamps", KT_BOOL, SVC(log.timestamps), .sample = "yes" },
	{ "log", "when_full", KT_ENUM, SVC(log.when_full), .def = "block",
	    .names = cfgc_when_full_names, .sample = "drop" },
	{ "log", "console", KT_BOOL, SVC(log.console), .sample = "yes" },

	{ "isolation", "namespaces", KT_CUSTOM, SVC(iso.ns),
	    .def = "mount pid ipc uts", .parse = cfgc_namespaces,
	    .canon = cfgc_namespaces_canon, .sample = "mount pid ipc" },
	{ "isolation", "hostname", KT_STRING, SVC(iso.hostname),
	    .check = cfgc_check_hostname, .sample = "box" },
	{ "isolation", "rootfs", KT_STRING, SVC(iso.rootfs),
	    .check = cfgc_check_rootfs, .sample = "/srv/other-root" },
	/* Relative to the file's directory; with rootfs an error. */
	{ "isolation", "image", KT_STRING, SVC(iso.image),
	    .parse = cfgc_image, .sample = "/srv/other-image:1" },
	/* yes, no or persist. */
	{ "isolation", "overlay", KT_CUSTOM, SVC(iso.overlay),
	    .parse = cfgc_overlay, .canon = cfgc_overlay_canon,
	    .sample = "persist" },
	{ "isolation", "read_only", KT_BOOL, SVC(iso.read_only),
	    .sample = "yes" },
	{ "isolation", "volume", KT_CUSTOM, SVC(iso.volumes), .repeat = true,
	    .parse = cfgc_volume, .canon = cfgc_volume_canon,
	    .free = cfgc_volume_free, .sample = "/srv:/data:ro" },
	{ "isolation", "tmpfs", KT_CUSTOM, SVC(iso.tmpfs), .repeat = true,
	    .parse = cfgc_tmpfs, .canon = cfgc_tmpfs_canon,
	    .free = cfgc_tmpfs_free, .sample = "/scratch:1M" },
	/* Without the mount namespace it is off (config.c). */
	{ "isolation", "private_tmp", KT_BOOL, SVC(iso.private_tmp),
	    .def = "yes", .sample = "no" },
	/* Also sets net_container or nets (repeats: one network each). */
	{ "isolation", "network", KT_CUSTOM, SVC(iso.net), .def = "host",
	    .repeat = true, .parse = cfgc_network,
	    .canon = cfgc_network_canon, .free = cfgc_network_free,
	    .sample = "container:db" },
	/* Checked against the networks' subnets after the file (config-net.c). */
	{ "isolation", "ip", KT_STRV, SVC(iso.ips), .repeat = true,
	    .parse = cfgc_ip, .sample = "10.88.0.7" },
	{ "isolation", "aliases", KT_STRV, SVC(iso.aliases), .repeat = true,
	    .check = cfgc_check_alias, .sample = "www" },
	{ "isolation", "dns", KT_STRV, SVC(iso.dns), .repeat = true,
	    .check = cfgc_check_ipaddr, .sample = "192.0.2.53" },
	{ "isolation", "publish", KT_CUSTOM, SVC(iso.publish), .repeat = true,
	    .parse = cfgc_publish, .canon = cfgc_publish_canon,
	    .free = cfgc_publish_free, .sample = "127.0.0.1:8080:80/udp" },
	{ "isolation", "publish_max_conn", KT_UINT, SVC(iso.publish_max_conn),
	    .def = "4096", .min = 1, .max = MAX_PUBLISH_CONN, .sample = "100" },
	/* Also sets caps_set. */
	{ "isolation", "capabilities", KT_CUSTOM, SVC(iso.caps),
	    .repeat = true, .parse = cfgc_caps, .canon = cfgc_caps_canon,
	    .sample = "net_bind_service" },
	{ "isolation", "no_new_privileges", KT_BOOL, SVC(iso.no_new_privs),
	    .def = "yes", .sample = "no" },
	/* Without the pid namespace it is off (config.c). */
	{ "isolation", "init", KT_BOOL, SVC(iso.init), .def = "yes",
	    .sample = "no" },
	/* Default: by the namespaces (config.c). Also sets the profile. */
	{ "isolation", "seccomp", KT_CUSTOM, SVC(iso.seccomp),
	    .parse = cfgc_seccomp, .canon = cfgc_seccomp_canon,
	    .free = cfgc_seccomp_free, .sample = "unconfined" },

	/* The four share sc->rlimits, freed by cfg_svc_free. */
	{ "limits", "nofile", KT_CUSTOM, SVC(rlimits), .arg = RL_NOFILE,
	    .parse = cfgc_rlimit, .canon = cfgc_rlimit_canon,
	    .sample = "1024" },
	{ "limits", "nproc", KT_CUSTOM, SVC(rlimits), .arg = RL_NPROC,
	    .parse = cfgc_rlimit, .canon = cfgc_rlimit_canon,
	    .sample = "100:200" },
	{ "limits", "core", KT_CUSTOM, SVC(rlimits), .arg = RL_CORE,
	    .parse = cfgc_rlimit, .canon = cfgc_rlimit_canon,
	    .sample = "0" },
	{ "limits", "memlock", KT_CUSTOM, SVC(rlimits), .arg = RL_MEMLOCK,
	    .parse = cfgc_rlimit, .canon = cfgc_rlimit_canon,
	    .sample = "64K:infinity" },
	/* cgroup v2: the seven share sc->cgl (cgroup-limits.c writes them). */
	{ "limits", "memory", KT_CUSTOM, SVC(cgl), .arg = CGL_MEMORY,
	    .parse = cfgc_cglimit, .canon = cfgc_cglimit_canon,
	    .sample = "64M" },
	{ "limits", "memory_high", KT_CUSTOM, SVC(cgl), .arg = CGL_MEMORY_HIGH,
	    .parse = cfgc_cglimit, .canon = cfgc_cglimit_canon,
	    .sample = "48M" },
	{ "limits", "memory_swap", KT_CUSTOM, SVC(cgl), .arg = CGL_MEMORY_SWAP,
	    .parse = cfgc_cglimit, .canon = cfgc_cglimit_canon,
	    .sample = "0" },
	{ "limits", "cpus", KT_CUSTOM, SVC(cgl), .arg = CGL_CPUS,
	    .parse = cfgc_cglimit, .canon = cfgc_cglimit_canon,
	    .sample = "0.5" },
	{ "limits", "cpu_weight", KT_CUSTOM, SVC(cgl), .arg = CGL_CPU_WEIGHT,
	    .parse = cfgc_cglimit, .canon = cfgc_cglimit_canon,
	    .sample = "200" },
	{ "limits", "pids", KT_CUSTOM, SVC(cgl), .arg = CGL_PIDS,
	    .parse = cfgc_cglimit, .canon = cfgc_cglimit_canon,
	    .sample = "64" },
	{ "limits", "io_weight", KT_CUSTOM, SVC(cgl), .arg = CGL_IO_WEIGHT,
	    .parse = cfgc_cglimit, .canon = cfgc_cglimit_canon,
	    .sample = "50" },

	/* The other [health] keys need cmd (config.c). */
	{ "health", "cmd", KT_ARGV, SVC(health.argv),
	    .sample = "/bin/check --other" },
	{ "health", "interval", KT_DURATION, SVC(health.interval_ms),
	    .def = "30s", .min = 1, .max = UINT64_MAX, .sample = "10s" },
	{ "health", "timeout", KT_DURATION, SVC(health.timeout_ms),
	    .def = "5s", .min = 1, .max = UINT64_MAX, .sample = "2s" },
	{ "health", "retries", KT_UINT, SVC(health.retries), .def = "3",
	    .min = 1, .max = MAX_HEALTH_RETRIES, .sample = "5" },
	{ "health", "start_period", KT_DURATION, SVC(health.start_period_ms),
	    .sample = "1m" },
	{ "health", "on_unhealthy", KT_CUSTOM, SVC(health.restart),
	    .def = "restart", .parse = cfgc_on_unhealthy,
	    .canon = cfgc_on_unhealthy_canon, .sample = "none" },
	{ .name = NULL }
};

void
cfgk_perr(struct parse *p, unsigned line, const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	if (vasprintf(&msg, fmt, ap) == -1)
		msg = NULL;
	va_end(ap);
	if (line > 0)
		strv_take(p->errs, xasprintf("%s:%u: %s", p->file, line,
		    msg != NULL ? msg : "error"));
	else
		strv_take(p->errs, xasprintf("%s: %s", p->file,
		    msg != NULL ? msg : "error"));
	free(msg);
	p->nerrs++;
}

char *
cfgk_abs_path(const char *base, const char *v)
{
	if (v[0] == '/')
		return xstrdup(v);
	return xasprintf("%s/%s", base, v);
}

size_t
cfgk_count(const struct key *keys)
{
	size_t	n;

	for (n = 0; keys[n].name != NULL; n++)
		;
	return n;
}

const struct key *
cfgk_find(const struct key *keys, const char *section, const char *name)
{
	for (; keys->name != NULL; keys++)
		if (strcmp(keys->section, section) == 0 &&
		    strcmp(keys->name, name) == 0)
			return keys;
	return NULL;
}

unsigned
cfgk_seen(const struct parse *p, const char *section, const char *name)
{
	const struct key	*k = cfgk_find(p->keys, section, name);

	return k != NULL ? p->seen[k - p->keys] : 0;
}

int
cfgk_enum_index(const char *const *names, const char *v)
{
	int	i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(v, names[i]) == 0)
			return i;
	return -1;
}

/* "expected a, b or c", built in p->msg from the names. */
const char *
cfgk_expected(struct parse *p, const char *const *names)
{
	size_t	i, len;

	len = snprintf(p->msg, sizeof p->msg, "expected");
	for (i = 0; names[i] != NULL && len < sizeof p->msg; i++)
		len += snprintf(p->msg + len, sizeof p->msg - len, "%s%s",
		    i == 0 ? " " : names[i + 1] == NULL ? " or " : ", ",
		    names[i]);
	return p->msg;
}

/* A number below the row's min, in the words the tests and users know. */
static const char *
below_min(struct parse *p, const struct key *k, uint64_t n)
{
	if (n >= k->min)
		return NULL;
	if (k->type == KT_DURATION)
		snprintf(p->msg, sizeof p->msg, "must be more than %llu",
		    (unsigned long long)k->min - 1);
	else
		snprintf(p->msg, sizeof p->msg, "must be at least %llu",
		    (unsigned long long)k->min);
	return p->msg;
}

/* Words of v, each checked, appended to the NULL-terminated array *dst. */
static const char *
strv_append(const struct key *k, char ***dst, const char *v)
{
	char		**w;
	const char	 *e = NULL;
	size_t		  n = 0, i;

	if (split_argv(v, &w, &e) == -1)
		return e;
	while (*dst != NULL && (*dst)[n] != NULL)
		n++;
	for (i = 0; w[i] != NULL && e == NULL; i++) {
		if (k->check != NULL && (e = k->check(w[i])) != NULL)
			break;
		*dst = xreallocarray(*dst, n + 2, sizeof **dst);
		(*dst)[n++] = xstrdup(w[i]);
		(*dst)[n] = NULL;
	}
	strv_free_array(w);
	return e;
}

/* One value of a plain row, parsed by its type into val. */
static const char *
set_plain(struct parse *p, const struct key *k, void *val, const char *v)
{
	const char	*e = NULL;
	uint64_t	 n;
	int		 i;

	switch (k->type) {
	case KT_BOOL:
		parse_bool(v, val, &e);
		break;
	case KT_DURATION:
	case KT_SIZE:
		if ((k->type == KT_DURATION ? parse_duration(v, &n, &e) :
		    parse_size(v, &n, &e)) == 0 &&
		    (e = below_min(p, k, n)) == NULL)
			*(uint64_t *)val = n;
		break;
	case KT_UINT:
		if (parse_uint(v, k->min, k->max, &n, &e) == 0)
			*(unsigned *)val = n;
		break;
	case KT_ENUM:
		if ((i = cfgk_enum_index(k->names, v)) == -1)
			e = cfgk_expected(p, k->names);
		else
			*(int *)val = i;
		break;
	case KT_PATH:
		if (*v == '\0') {
			/* Said so without the value, as it always was. */
			cfgk_perr(p, p->line, "empty path");
			break;
		}
		free(*(char **)val);
		*(char **)val = cfgk_abs_path(p->dir, v);
		break;
	case KT_STRING:
		if (k->check != NULL && (e = k->check(v)) != NULL)
			break;
		free(*(char **)val);
		*(char **)val = xstrdup(v);
		break;
	case KT_STRV:
		e = strv_append(k, val, v);
		break;
	case KT_ARGV:
		strv_free_array(*(char ***)val);
		*(char ***)val = NULL;
		split_argv(v, val, &e);
		break;
	case KT_MODE:
		parse_mode(v, val, &e);
		break;
	case KT_SIGNAL:
		parse_signal(v, val, &e);
		break;
	case KT_CUSTOM:
		e = "not handled";
		break;
	}
	return e;
}

const char *
cfgk_set(struct parse *p, const struct key *k, const char *v)
{
	if (k->parse != NULL)
		return k->parse(p, k, v);
	return set_plain(p, k, KEY_VAL(p->conf, k), v);
}

/* A row whose value holds memory: a copy of it cannot be shared. */
static bool
owns_memory(const struct key *k)
{
	return k->free != NULL || k->type == KT_PATH ||
	    k->type == KT_STRING || k->type == KT_STRV || k->type == KT_ARGV;
}

/* Read the default of every row (owning or not: owning is set) into
 * p->conf; -1 if one is bad (a bug in the row, reported). */
static int
read_defaults(struct parse *p, bool owning)
{
	const struct key	*k;
	const char		*e;
	int			 r = 0;

	for (k = p->keys; k->name != NULL; k++) {
		if (k->def == NULL || owns_memory(k) != owning)
			continue;
		if ((e = cfgk_set(p, k, k->def)) != NULL) {
			cfgk_perr(p, 0, "default of [%s] %s '%s': %s",
			    k->section, k->name, k->def, e);
			r = -1;
		}
	}
	return r;
}

/*
 * The rows' parsers are most of what loading a thousand service files
 * costs, and the defaults are the same text every time: they are read
 * once per table into a template, each parse starts from a copy of it, and
 * only the rows whose value holds memory are read again into the copy.
 * The templates are kept for supd's lifetime (two tables, two templates).
 */
void
cfgk_defaults(struct parse *p, size_t size)
{
	static struct {
		const struct key	*keys;
		void			*conf;
	}			 cache[2];
	void			*conf = p->conf;
	size_t			 i;

	for (i = 0; i < 2 && cache[i].keys != NULL &&
	    cache[i].keys != p->keys; i++)
		;
	if (i == 2 || cache[i].keys == NULL) {
		p->conf = xcalloc(1, size);
		if (read_defaults(p, false) == -1 || i == 2) {
			/* Not kept: every file reports the bad row. */
			memcpy(conf, p->conf, size);
			free(p->conf);
			p->conf = conf;
			read_defaults(p, true);
			return;
		}
		cache[i].keys = p->keys;
		cache[i].conf = p->conf;
		p->conf = conf;
	}
	memcpy(conf, cache[i].conf, size);
	read_defaults(p, true);
}

static void
canon_strv(char *const *v, struct buf *bp)
{
	size_t	i;

	buf_puts(bp, "[");
	for (i = 0; v != NULL && v[i] != NULL; i++) {
		buf_puts(bp, i ? "," : "");
		buf_json_str(bp, v[i]);
	}
	buf_puts(bp, "]");
}

/* The value of a plain row, as JSON. */
static void
canon_plain(const struct key *k, const void *val, struct buf *bp)
{
	const char	*sig;

	switch (k->type) {
	case KT_BOOL:
		buf_puts(bp, *(const bool *)val ? "true" : "false");
		break;
	case KT_DURATION:
	case KT_SIZE:
		buf_printf(bp, "%llu",
		    (unsigned long long)*(const uint64_t *)val);
		break;
	case KT_UINT:
		buf_printf(bp, "%u", *(const unsigned *)val);
		break;
	case KT_ENUM:
		buf_json_str(bp, k->names[*(const int *)val]);
		break;
	case KT_PATH:
	case KT_STRING:
		buf_json_str(bp, *(char *const *)val);
		break;
	case KT_STRV:
	case KT_ARGV:
		canon_strv(*(char **const *)val, bp);
		break;
	case KT_MODE:
		buf_printf(bp, "\"%04o\"", (unsigned)*(const mode_t *)val);
		break;
	case KT_SIGNAL:
		if ((sig = signal_name(*(const int *)val)) != NULL)
			buf_json_str(bp, sig);
		else
			buf_printf(bp, "%d", *(const int *)val);
		break;
	case KT_CUSTOM:
		buf_puts(bp, "null");
		break;
	}
}

/*
 * {"key":value,...,"section":{"key":value,...},...}: the first section's
 * rows at the top, each other section an object. Every row is written
 * (unset ones as their zero or null) but those marked no_canon.
 */
void
cfgk_canon(const struct key *keys, const void *conf, struct buf *bp)
{
	const struct key	*k;
	const char		*section = keys->section;
	bool			 first = true;

	buf_puts(bp, "{");
	for (k = keys; k->name != NULL; k++) {
		if (k->no_canon)
			continue;
		if (strcmp(k->section, section) != 0) {
			if (section != keys->section)
				buf_puts(bp, "}");
			section = k->section;
			buf_printf(bp, ",\"%s\":{", section);
			first = true;
		}
		buf_printf(bp, "%s\"%s%s\":", first ? "" : ",", k->name,
		    k->type == KT_DURATION ? "_ms" : "");
		first = false;
		if (k->canon != NULL)
			k->canon(k, conf, bp);
		else
			canon_plain(k, KEY_VAL(conf, k), bp);
	}
	if (section != keys->section)
		buf_puts(bp, "}");
	buf_puts(bp, "}");
}

void
cfgk_free(const struct key *keys, void *conf)
{
	const struct key	*k;
	void			*val;

	for (k = keys; k->name != NULL; k++) {
		val = KEY_VAL(conf, k);
		if (k->free != NULL)
			k->free(k, conf);
		else if (k->type == KT_PATH || k->type == KT_STRING) {
			free(*(char **)val);
			*(char **)val = NULL;
		} else if (k->type == KT_STRV || k->type == KT_ARGV) {
			strv_free_array(*(char ***)val);
			*(char ***)val = NULL;
		}
	}
}

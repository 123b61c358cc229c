/* SPDX-License-Identifier: ISC */
/*
 * config.c: INI files -> struct supd_conf and struct svc_conf.
 *
 * inih does the INI syntax; the keys are config-keys.c's table (one row per
 * key: its default, parser, canonical form and free). This file reads the
 * files, hands each "key = value" to its row, checks what ties keys together
 * (network and namespaces, overlay needs rootfs...), resolves what needs the
 * whole file (command, environment, log file), and owns the FILE:LINE of
 * every error. All errors of a file are collected before it is refused
 * (docs/style.md habit 6).
 *
 * inih's handler is not told line numbers, so lines reach inih through our
 * own reader, which counts them, refuses lines inih would cut (it reads at
 * most INI lines of 199 characters) or that hold a NUL byte, and notes
 * whether a line is an indented continuation of the previous value.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "config-private.h"
#include "values.h"

static bool
section_known(const struct key *keys, const char *name, size_t len)
{
	for (; keys->name != NULL; keys++)
		if (strlen(keys->section) == len &&
		    strncmp(keys->section, name, len) == 0)
			return true;
	return false;
}

/*
 * Check what inih would accept silently or report without a message: a
 * section header (known to this kind of file, even if no key follows), a
 * "key = value" line, a continuation, a comment.
 */
static void
cfg_check_line(struct parse *p, const char *line)
{
	const char	*s = line, *end;

	/* inih skips a UTF-8 byte order mark on the first line. */
	if (p->line == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3;
	while (*s == ' ' || *s == '\t')
		s++;
	if (*s == '\0' || *s == '\n' || *s == '\r' || *s == '#' || *s == ';')
		return;
	if (p->cont)
		return;
	if (*s == '[') {
		if ((end = strchr(s, ']')) == NULL) {
			cfgk_perr(p, p->line, "expected ']' to end the section "
			    "name");
			p->section_bad = 1;
		} else if (section_known(p->keys, s + 1, end - s - 1)) {
			p->section_bad = 0;
			p->net_cur = -1;
		} else if (p->keys == cfgk_main_keys &&
		    strncmp(s + 1, "network ", 8) == 0)
			p->section_bad = cfgn_open(p, s + 1, end - s - 1) == -1;
		else {
			cfgk_perr(p, p->line, "unknown section [%.*s]",
			    (int)(end - s - 1), s + 1);
			p->section_bad = 1;
		}
		return;
	}
	if (strpbrk(s, "=:") == NULL) {
		cfgk_perr(p, p->line, "expected 'key = value'");
		p->reader_err = 1;
	}
}

/*
 * inih's reader. Hands over one line at a time, so p->line is the line of
 * the handler call that follows; refuses over-long lines and NUL bytes.
 */
static char *
cfg_reader(char *str, int num, void *arg)
{
	struct parse	*p = arg;
	char		*line = NULL;
	size_t		 cap = 0;
	ssize_t		 n;
	const char	*s;

	n = getline(&line, &cap, p->fp);
	if (n == -1) {
		free(line);
		return NULL;
	}
	p->line++;
	p->reader_err = 0;
	if (strlen(line) != (size_t)n) {
		cfgk_perr(p, p->line, "NUL byte in line");
		p->reader_err = 1;
		line[0] = '\0';
	} else if (n >= num - 1 && !(n == num - 1 && line[n - 1] == '\n')) {
		cfgk_perr(p, p->line, "line too long (at most %d characters; "
		    "continue a command on an indented line)", num - 2);
		p->reader_err = 1;
		line[0] = '\0';
	}
	/* An indented, non-empty, non-comment line continues a value. */
	for (s = line; *s == ' ' || *s == '\t'; s++)
		;
	p->cont = s != line && *s != '\0' && *s != '\n' && *s != '\r' &&
	    *s != '#' && *s != ';' && p->have_key;
	if (!p->reader_err)
		cfg_check_line(p, line);
	if (*s == '[')
		p->have_key = 0;
	else if (!p->cont && *s != '\0' && *s != '\n' && *s != '#' &&
	    *s != ';')
		p->have_key = 1;
	snprintf(str, num, "%s", line);
	free(line);
	return str;
}

static int
cfg_handler(void *arg, const char *section, const char *name,
    const char *value)
{
	struct parse		*p = arg;
	const struct key	*k;
	const char		*e;
	int			 known_section = 0;

	if (p->reader_err || p->section_bad)
		return 1;
	if (p->keys == cfgk_main_keys && strncmp(section, "network ", 8) == 0) {
		cfgn_key(p, name, value);
		return 1;
	}
	for (k = p->keys; k->name != NULL; k++) {
		if (strcmp(k->section, section) != 0)
			continue;
		known_section = 1;
		if (strcmp(k->name, name) == 0)
			break;
	}
	if (*section == '\0') {
		cfgk_perr(p, p->line, "key '%s' outside of a section", name);
		return 1;
	}
	if (!known_section) {
		cfgk_perr(p, p->line, "unknown section [%s]", section);
		return 1;
	}
	if (k->name == NULL) {
		cfgk_perr(p, p->line, "unknown key '%s' in [%s]", name,
		    section);
		return 1;
	}
	/* An indented line continues a key that may (command) and was set;
	 * elsewhere it is an error, as a value never spans lines. */
	if (p->cont && !(k->cont && p->seen[k - p->keys] != 0)) {
		cfgk_perr(p, p->line, "indented line: only 'command' may "
		    "continue on the next line");
		return 1;
	}
	if (!p->cont && p->seen[k - p->keys] != 0 && !k->repeat) {
		cfgk_perr(p, p->line, "duplicate key '%s' (first set on line "
		    "%u)", name, p->seen[k - p->keys]);
		return 1;
	}
	if (!p->cont)
		p->seen[k - p->keys] = p->line;
	if ((e = cfgk_set(p, k, value)) != NULL)
		cfgk_perr(p, p->line, "%s '%.60s': %s", name, value, e);
	return 1;
}

/* Run inih over a file through our reader; 0 if the file was read. */
static int
cfg_parse_file(struct parse *p)
{
	char	*copy, cwd[PATH_MAX];
	int	 r;

	/* A text (supctl run) is read as the file it becomes with --save:
	 * p->dir was set to conf_dir by the caller. */
	p->fp = p->text != NULL ? fmemopen((void *)p->text, strlen(p->text),
	    "r") : fopen(p->file, "re");
	if (p->fp == NULL) {
		cfgk_perr(p, 0, "%s", strerror(errno));
		return -1;
	}
	/* Relative paths in the file are relative to its directory, made
	 * absolute now: supd's working directory is not theirs. */
	if (p->text == NULL) {
		copy = p->file[0] == '/' ? xstrdup(p->file) :
		    xasprintf("%s/%s", getcwd(cwd, sizeof cwd) != NULL ? cwd :
		    ".", p->file);
		p->dir = xstrdup(dirname(copy));
		free(copy);
	}
	r = ini_parse_stream(cfg_reader, p, cfg_handler, p);
	if (ferror(p->fp))
		cfgk_perr(p, 0, "read error");
	fclose(p->fp);
	p->fp = NULL;
	/* inih reports the first line it could not parse; the reader has
	 * already named every such line, this is a safety net. */
	if (r > 0 && p->nerrs == 0)
		cfgk_perr(p, r, "syntax error");
	return 0;
}

/* A parse of file with the rows of keys into conf, defaults set. */
static void
parse_init(struct parse *p, const char *file, const struct key *keys,
    void *conf, size_t conf_size, struct strv *errs)
{
	memset(p, 0, sizeof *p);
	p->file = file;
	p->keys = keys;
	p->seen = xcalloc(cfgk_count(keys), sizeof *p->seen);
	p->errs = errs;
	p->conf = conf;
	p->net_cur = -1;
	cfgk_defaults(p, conf_size);
}

int
cfg_load_main(const char *path, bool explicit_path, struct supd_conf *c,
    struct strv *errs)
{
	struct parse	p;

	memset(c, 0, sizeof *c);
	if (path == NULL)
		path = SUPD_CONF_DEFAULT;
	parse_init(&p, path, cfgk_main_keys, c, sizeof *c, errs);
	cfgn_builtin(c);
	if (explicit_path || access(path, F_OK) == 0 || errno != ENOENT) {
		c->path = xstrdup(path);
		cfg_parse_file(&p);
	}
	cfgn_finish(&p);
	/* The host's routes, in supd's own network namespace. */
	if (p.nerrs == 0)
		p.nerrs += cfg_net_check_routes(c, "/proc/net/route", errs);
	free(p.dir);
	free(p.seen);
	return p.nerrs == 0 ? 0 : -1;
}

void
cfg_main_free(struct supd_conf *c)
{
	free(c->path);
	cfgk_free(cfgk_main_keys, c);
	cfgn_free(c);
	memset(c, 0, sizeof *c);
}

/* {"supd":{...},"networks":{"NAME":{...},...}}, networks by name order of
 * the file (supd0 first): a reload that changes a network changes this. */
void
cfg_main_canon(const struct supd_conf *c, struct buf *bp)
{
	size_t	i;

	buf_puts(bp, "{\"supd\":");
	cfgk_canon(cfgk_main_keys, c, bp);
	buf_puts(bp, ",\"networks\":{");
	for (i = 0; i < c->nnets; i++) {
		buf_printf(bp, "%s", i ? "," : "");
		buf_json_str(bp, c->nets[i].name);
		buf_puts(bp, ":");
		cfgk_canon(cfgk_net_keys, &c->nets[i], bp);
	}
	buf_puts(bp, "}}");
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
cfg_scan_dir(const char *dir, struct strv *paths, struct strv *errs)
{
	DIR		*d;
	struct dirent	*de;
	size_t		 len, first = paths->n;
	char		 name[256];

	if ((d = opendir(dir)) == NULL) {
		strv_take(errs, errno_cause("%s", dir));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 5 || strcmp(de->d_name + len - 4, ".ini") != 0)
			continue;
		snprintf(name, sizeof name, "%.*s", (int)len - 4, de->d_name);
		if (!name_valid(name)) {
			strv_take(errs, xasprintf("%s/%s: invalid service name "
			    "'%s' (letters, digits, '_', '.', '-'; at most 64)",
			    dir, de->d_name, name));
			continue;
		}
		strv_take(paths, xasprintf("%s/%s", dir, de->d_name));
	}
	closedir(d);
	if (paths->n > first)
		qsort(paths->v + first, paths->n - first, sizeof *paths->v,
		    cmp_str);
	return 0;
}

/* NAME.log -> NAME.err.log; anything else gets ".err" appended. */
static char *
err_path(const char *file)
{
	size_t	len = strlen(file);

	if (len > 4 && strcmp(file + len - 4, ".log") == 0)
		return xasprintf("%.*s.err.log", (int)len - 4, file);
	return xasprintf("%s.err", file);
}


/*
 * Everything resolved, as JSON, from the rows: the canonical form (equal
 * text = equal effective configuration) and `inspect`'s "config". Built on
 * demand, not kept: with a thousand services the copies would cost more
 * than the rest of the definition.
 */
void
cfg_svc_canon(const struct svc_conf *sc, struct buf *bp)
{
	cfgk_canon(cfgk_svc_keys, sc, bp);
}

#define ISO_SEEN(name)	cfgk_seen(p, "isolation", (name))

/* What service-ns.c's probe found this machine lets supd make. */
static int	ns_available = -1;
/* The keys of [isolation] that need the mount namespace. */
static const char *const need_mount[] = { "rootfs", "volume", "tmpfs",
    "read_only", "overlay", "image" };

void
cfg_set_ns_available(int ns)
{
	ns_available = ns;
}

/*
 * The default namespaces this machine refuses go, unless the file asks for
 * them: by `namespaces`, or by a key that needs one (the start then fails
 * saying why, service-ns.c). Before the checks of what needs what, which
 * then see the effective set (private_tmp and init follow it).
 */
static void
iso_adapt(struct parse *p, struct iso_conf *iso)
{
	int	asked;
	size_t	i;

	if (ISO_SEEN("namespaces"))
		return;
	asked = iso->ns & ~NS_DEFAULT;		/* net, from network */
	for (i = 0; i < sizeof need_mount / sizeof *need_mount; i++)
		if (ISO_SEEN(need_mount[i]))
			asked |= CLONE_NEWNS;
	if (ISO_SEEN("private_tmp") && iso->private_tmp)
		asked |= CLONE_NEWNS;
	if (iso->hostname != NULL)
		asked |= CLONE_NEWUTS;
	if (ISO_SEEN("init") && iso->init)
		asked |= CLONE_NEWPID;
	iso->ns_dropped = iso->ns & ~ns_available & ~asked;
	iso->ns &= ~iso->ns_dropped;
}

/* What needs what in [isolation]; effective values filled in. */
static void
iso_validate(struct parse *p, struct svc_conf *sc)
{
	struct iso_conf	*iso = &sc->iso;

	switch (iso->net) {
	case NET_NONE:
		iso->ns |= CLONE_NEWNET;
		break;
	case NET_CONTAINER:
		if (iso->ns & CLONE_NEWNET)
			cfgk_perr(p, ISO_SEEN("namespaces"), "namespaces: "
			    "'net' conflicts with network = container:%s",
			    iso->net_container);
		if (strcmp(iso->net_container, sc->name) == 0)
			cfgk_perr(p, ISO_SEEN("network"), "network: a service "
			    "cannot join its own network");
		break;
	case NET_BRIDGE:
		break;		/* cfgn_svc_validate */
	case NET_HOST:
		if ((iso->ns & CLONE_NEWNET) && ISO_SEEN("network"))
			cfgk_perr(p, ISO_SEEN("network"), "network = host "
			    "conflicts with 'net' in namespaces");
		else if (iso->ns & CLONE_NEWNET)
			iso->net = NET_NONE;	/* a bare net namespace */
		break;
	}
	iso_adapt(p, iso);
	if (!(iso->ns & CLONE_NEWNS)) {
		size_t i;

		if (ISO_SEEN("private_tmp") && iso->private_tmp)
			cfgk_perr(p, ISO_SEEN("private_tmp"), "private_tmp "
			    "needs the mount namespace ('mount' in "
			    "namespaces)");
		for (i = 0; i < sizeof need_mount / sizeof *need_mount; i++)
			if (ISO_SEEN(need_mount[i]))
				cfgk_perr(p, ISO_SEEN(need_mount[i]), "%s needs "
				    "the mount namespace ('mount' in "
				    "namespaces)", need_mount[i]);
		iso->private_tmp = false;
	}
	if (iso->image != NULL && iso->rootfs != NULL)
		cfgk_perr(p, ISO_SEEN("image"), "image and rootfs exclude each "
		    "other");
	if (iso->overlay && iso->rootfs == NULL && iso->image == NULL)
		cfgk_perr(p, ISO_SEEN("overlay"), "overlay needs rootfs");
	if (iso->hostname != NULL && !(iso->ns & CLONE_NEWUTS))
		cfgk_perr(p, ISO_SEEN("hostname"), "hostname needs the uts "
		    "namespace ('uts' in namespaces)");
	if (!(iso->ns & CLONE_NEWPID))
		iso->init = false;
	/* A service in namespaces of its own is a container: docker's
	 * filter; a plain one is as it was without supd. */
	if (!ISO_SEEN("seccomp"))
		iso->seccomp = (iso->ns | iso->ns_dropped) != 0 ?
		    SFILTER_DEFAULT : SFILTER_UNCONFINED;
}


/* Environment: env files in order, then env keys override. */
static void
svc_resolve_env(struct parse *p, struct svc_conf *sc)
{
	struct strv	 env = { 0 }, fe;
	char		*cause;
	size_t		 i, j;

	for (i = 0; i < p->env_files.n; i++) {
		memset(&fe, 0, sizeof fe);
		if (env_load_file(p->env_files.v[i], &fe, &cause) == -1) {
			cfgk_perr(p, p->env_file_lines[i], "env_file: %s",
			    cause);
			free(cause);
		}
		for (j = 0; j < fe.n; j++)
			env_set(&env, fe.v[j]);
		strv_free(&fe);
	}
	for (i = 0; i < p->env.n; i++)
		env_set(&env, p->env.v[i]);
	sc->env = env.v != NULL ? env.v : xcalloc(1, sizeof *sc->env);
}

/* Log files live in log_dir unless an absolute path is given. */
static void
svc_resolve_log(struct parse *p, struct svc_conf *sc,
    const struct supd_conf *mc)
{
	if (p->log_file != NULL && strcmp(p->log_file, "none") == 0)
		sc->log.file = NULL;
	else if (p->log_file != NULL && *p->log_file != '\0')
		sc->log.file = p->log_file[0] == '/' ? xstrdup(p->log_file) :
		    xasprintf("%s/%s", mc->log_dir, p->log_file);
	else if (p->log_file != NULL)
		cfgk_perr(p, cfgk_seen(p, "log", "file"), "file: empty path");
	else
		sc->log.file = xasprintf("%s/%s.log", mc->log_dir, sc->name);
	if (sc->log.file != NULL && sc->log.stderr_mode == LOG_STDERR_SEPARATE)
		sc->log.err_file = err_path(sc->log.file);
}

/*
 * Without an image: entrypoint (if any) then command make argv, which must
 * not be empty; the defaults of workdir and stop_signal. With one, what
 * the file leaves unset is the image's, merged at each start
 * (service-image.c).
 */
static void
svc_resolve_command(struct parse *p, struct svc_conf *sc)
{
	struct strv	argv = { 0 };
	size_t		i;

	for (i = 0; sc->entrypoint != NULL && sc->entrypoint[i] != NULL; i++)
		strv_push(&argv, sc->entrypoint[i]);
	for (i = 0; sc->argv != NULL && sc->argv[i] != NULL; i++)
		strv_push(&argv, sc->argv[i]);
	strv_free_array(sc->argv);
	sc->argv = argv.v;
	if (argv.n == 0)
		cfgk_perr(p, 0, "[service] command is required");
	if (sc->workdir == NULL)
		sc->workdir = xstrdup("/");
	if (sc->stop_signal == 0)
		sc->stop_signal = SIGTERM;
}

/* What the whole file decides: the command, values that depend on others. */
static void
svc_resolve(struct parse *p, struct svc_conf *sc, const struct supd_conf *mc)
{
	const struct key	*k;
	const char		*e;
	bool			 health_keys = false;

	if (p->command != NULL && split_argv(p->command, &sc->argv, &e) == -1)
		cfgk_perr(p, cfgk_seen(p, "service", "command"),
		    "command: %s", e);
	else if (sc->iso.image == NULL)
		svc_resolve_command(p, sc);
	if (sc->restart_delay_max_ms < sc->restart_delay_ms)
		sc->restart_delay_max_ms = sc->restart_delay_ms;
	svc_resolve_env(p, sc);
	cfgn_svc_validate(p, sc);
	iso_validate(p, sc);
	if (sc->ready == READY_HEALTH && sc->health.argv == NULL)
		cfgk_perr(p, cfgk_seen(p, "service", "ready"),
		    "ready = health needs [health] cmd");
	for (k = p->keys; k->name != NULL; k++)
		if (strcmp(k->section, "health") == 0 &&
		    strcmp(k->name, "cmd") != 0 && p->seen[k - p->keys] != 0)
			health_keys = true;
	if (sc->health.argv == NULL && health_keys)
		cfgk_perr(p, 0, "[health] needs cmd");
	svc_resolve_log(p, sc, mc);
}

/*
 * One service definition, from the file at path or from text (labelled
 * path in errors, its relative paths those of a file of conf_dir): name is
 * the service's, file what sc->file says (NULL for a text kept in memory).
 */
static struct svc_conf *
load_service(const char *path, const char *text, const char *name,
    const char *file, const struct supd_conf *mc, struct strv *errs)
{
	struct parse	 p;
	struct svc_conf	*sc;

	sc = xcalloc(1, sizeof *sc);
	/* First: the defaults start from a copy of the whole struct. */
	parse_init(&p, path, cfgk_svc_keys, sc, sizeof *sc, errs);
	p.main = mc;
	p.text = text;
	if (text != NULL)
		p.dir = xstrdup(mc->conf_dir);
	sc->name = xstrdup(name);
	sc->file = file != NULL ? xstrdup(file) : NULL;
	if (!name_valid(sc->name))
		cfgk_perr(&p, 0, "invalid service name '%s'", sc->name);
	if (cfg_parse_file(&p) == 0)
		svc_resolve(&p, sc, mc);

	strv_free(&p.env);
	strv_free(&p.env_files);
	free(p.env_file_lines);
	free(p.command);
	free(p.log_file);
	free(p.net_lines);
	free(p.ip_lines);
	free(p.dir);
	free(p.seen);
	if (p.nerrs > 0) {
		cfg_svc_free(sc);
		return NULL;
	}
	return sc;
}

struct svc_conf *
cfg_load_service(const char *path, const struct supd_conf *mc,
    struct strv *errs)
{
	struct svc_conf	*sc;
	const char	*base;
	char		*name;
	size_t		 len;

	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	len = strlen(base);
	if (len > 4 && strcmp(base + len - 4, ".ini") == 0)
		len -= 4;
	name = xstrndup(base, len);
	sc = load_service(path, NULL, name, path, mc, errs);
	free(name);
	return sc;
}

struct svc_conf *
cfg_load_service_text(const char *label, const char *text, const char *name,
    const struct supd_conf *mc, struct strv *errs)
{
	return load_service(label, text, name, NULL, mc, errs);
}

bool
cfg_svc_equal(const struct svc_conf *a, const struct svc_conf *b)
{
	struct buf	ca = { 0 }, cb = { 0 };
	bool		eq;

	if (a == NULL || b == NULL)
		return a == b;
	cfg_svc_canon(a, &ca);
	cfg_svc_canon(b, &cb);
	eq = ca.len == cb.len && memcmp(ca.p, cb.p, ca.len) == 0;
	buf_free(&ca);
	buf_free(&cb);
	return eq;
}

/*
 * The two differ, and only in the cgroup keys of [limits]: a copy of b
 * holding a's limits (a shallow one: the canonical writer only reads)
 * means the same as a.
 */
bool
cfg_svc_limits_only(const struct svc_conf *a, const struct svc_conf *b)
{
	struct svc_conf	bl;

	if (a == NULL || b == NULL || cfg_svc_equal(a, b))
		return false;
	bl = *b;
	bl.cgl = a->cgl;
	return cfg_svc_equal(a, &bl);
}

/* The rows free what they own; here what is not one row's. */
void
cfg_svc_free(struct svc_conf *sc)
{
	if (sc == NULL)
		return;
	free(sc->name);
	free(sc->file);
	free(sc->log.err_file);	/* derived from file and stderr */
	free(sc->rlimits);	/* shared by the rows of [limits] */
	cfgk_free(cfgk_svc_keys, sc);
	free(sc);
}

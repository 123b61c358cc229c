/* SPDX-License-Identifier: ISC */
/*
 * config.c: INI files -> struct supd_conf and struct svc_conf.
 *
 * inih does the INI syntax; this file owns the keys: a table of them per
 * section, their defaults, validation, and the FILE:LINE of every error. All
 * errors of a file are collected before it is refused (docs/style.md habit 6).
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
#include <grp.h>
#include <ini.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/resource.h>
#include <unistd.h>

#include "config.h"
#include "seccomp-profile.h"
#include "values.h"

/* Defaults of docs/design.md ("Configuration") and supd.conf(5). */
#define DEF_CONF_DIR		"/etc/supd/conf.d"
#define DEF_LOG_DIR		"/var/log/supd"
#define DEF_STATE_DIR		"/var/lib/supd"
#define DEF_SHUTDOWN_MS		30000
#define DEF_RESTART_DELAY_MS	100
#define DEF_RESTART_MAX_MS	30000
#define DEF_STABLE_MS		10000
#define DEF_STOP_TIMEOUT_MS	10000
#define DEF_LOG_MAX_SIZE	(10 * 1024 * 1024)
#define DEF_LOG_MAX_FILES	5
#define MAX_LOG_FILES		1000
#define MAX_RESTARTS		1000000

enum key_id {
	/* [supd] */
	K_CONF_DIR, K_SOCKET, K_SOCKET_MODE, K_SOCKET_GROUP, K_LOG_DIR,
	K_STATE_DIR, K_SHUTDOWN_TIMEOUT,
	/* [service] */
	K_COMMAND, K_RESTART, K_RESTART_DELAY, K_RESTART_DELAY_MAX,
	K_STABLE_AFTER, K_STOP_SIGNAL, K_STOP_TIMEOUT, K_USER, K_GROUP,
	K_GROUPS, K_WORKDIR, K_ENV, K_ENV_FILE, K_UMASK, K_AUTOSTART,
	K_AFTER, K_REQUIRES, K_READY, K_TYPE, K_ESSENTIAL,
	/* [log] */
	K_LOG_FILE, K_LOG_STDERR, K_LOG_MAX_SIZE, K_LOG_MAX_FILES,
	K_LOG_TIMESTAMPS, K_LOG_WHEN_FULL, K_LOG_CONSOLE,
	K_TTY,
	/* [isolation] */
	K_NAMESPACES, K_HOSTNAME, K_ROOTFS, K_OVERLAY, K_READ_ONLY, K_VOLUME,
	K_TMPFS, K_PRIVATE_TMP, K_NETWORK, K_CAPABILITIES, K_NO_NEW_PRIVS,
	K_INIT, K_SECCOMP,
	/* [limits] */
	K_NOFILE, K_NPROC, K_CORE, K_MEMLOCK, K_CGROUP_LIMIT,
	/* [health] */
	K_HEALTH_CMD, K_HEALTH_INTERVAL, K_HEALTH_TIMEOUT, K_HEALTH_RETRIES,
	K_HEALTH_START, K_HEALTH_ON,
	K_MAX
};

struct key {
	const char	*section;
	const char	*name;
	enum key_id	 id;
	int		 repeat;	/* may appear more than once */
};

static const struct key main_keys[] = {
	{ "supd", "conf_dir", K_CONF_DIR, 0 },
	{ "supd", "socket", K_SOCKET, 0 },
	{ "supd", "socket_mode", K_SOCKET_MODE, 0 },
	{ "supd", "socket_group", K_SOCKET_GROUP, 0 },
	{ "supd", "log_dir", K_LOG_DIR, 0 },
	{ "supd", "state_dir", K_STATE_DIR, 0 },
	{ "supd", "shutdown_timeout", K_SHUTDOWN_TIMEOUT, 0 },
	{ NULL, NULL, K_MAX, 0 }
};

static const struct key svc_keys[] = {
	{ "service", "command", K_COMMAND, 0 },
	{ "service", "restart", K_RESTART, 0 },
	{ "service", "restart_delay", K_RESTART_DELAY, 0 },
	{ "service", "restart_delay_max", K_RESTART_DELAY_MAX, 0 },
	{ "service", "stable_after", K_STABLE_AFTER, 0 },
	{ "service", "stop_signal", K_STOP_SIGNAL, 0 },
	{ "service", "stop_timeout", K_STOP_TIMEOUT, 0 },
	{ "service", "user", K_USER, 0 },
	{ "service", "group", K_GROUP, 0 },
	{ "service", "groups", K_GROUPS, 1 },
	{ "service", "workdir", K_WORKDIR, 0 },
	{ "service", "env", K_ENV, 1 },
	{ "service", "env_file", K_ENV_FILE, 1 },
	{ "service", "umask", K_UMASK, 0 },
	{ "service", "autostart", K_AUTOSTART, 0 },
	{ "service", "after", K_AFTER, 1 },
	{ "service", "requires", K_REQUIRES, 1 },
	{ "service", "ready", K_READY, 0 },
	{ "service", "type", K_TYPE, 0 },
	{ "service", "essential", K_ESSENTIAL, 0 },
	{ "log", "file", K_LOG_FILE, 0 },
	{ "log", "stderr", K_LOG_STDERR, 0 },
	{ "log", "max_size", K_LOG_MAX_SIZE, 0 },
	{ "log", "max_files", K_LOG_MAX_FILES, 0 },
	{ "log", "timestamps", K_LOG_TIMESTAMPS, 0 },
	{ "log", "when_full", K_LOG_WHEN_FULL, 0 },
	{ "log", "console", K_LOG_CONSOLE, 0 },
	{ "service", "tty", K_TTY, 0 },
	{ "isolation", "namespaces", K_NAMESPACES, 0 },
	{ "isolation", "hostname", K_HOSTNAME, 0 },
	{ "isolation", "rootfs", K_ROOTFS, 0 },
	{ "isolation", "overlay", K_OVERLAY, 0 },
	{ "isolation", "read_only", K_READ_ONLY, 0 },
	{ "isolation", "volume", K_VOLUME, 1 },
	{ "isolation", "tmpfs", K_TMPFS, 1 },
	{ "isolation", "private_tmp", K_PRIVATE_TMP, 0 },
	{ "isolation", "network", K_NETWORK, 0 },
	{ "isolation", "capabilities", K_CAPABILITIES, 1 },
	{ "isolation", "no_new_privileges", K_NO_NEW_PRIVS, 0 },
	{ "isolation", "init", K_INIT, 0 },
	{ "isolation", "seccomp", K_SECCOMP, 0 },
	{ "limits", "nofile", K_NOFILE, 0 },
	{ "limits", "nproc", K_NPROC, 0 },
	{ "limits", "core", K_CORE, 0 },
	{ "limits", "memlock", K_MEMLOCK, 0 },
	{ "limits", "memory", K_CGROUP_LIMIT, 0 },
	{ "limits", "cpus", K_CGROUP_LIMIT, 0 },
	{ "limits", "pids", K_CGROUP_LIMIT, 0 },
	{ "limits", "io_weight", K_CGROUP_LIMIT, 0 },
	{ "health", "cmd", K_HEALTH_CMD, 0 },
	{ "health", "interval", K_HEALTH_INTERVAL, 0 },
	{ "health", "timeout", K_HEALTH_TIMEOUT, 0 },
	{ "health", "retries", K_HEALTH_RETRIES, 0 },
	{ "health", "start_period", K_HEALTH_START, 0 },
	{ "health", "on_unhealthy", K_HEALTH_ON, 0 },
	{ NULL, NULL, K_MAX, 0 }
};

/* State of one file's parse. */
struct parse {
	const char		*file;
	FILE			*fp;
	unsigned		 line;		/* line just handed to inih */
	int			 cont;		/* that line continues a value */
	int			 reader_err;	/* the reader reported this line */
	int			 section_bad;	/* in a bad or unknown section */
	int			 have_key;	/* a key line precedes (continuations) */
	unsigned		 seen[K_MAX];	/* line a key was set on, 0 = unset */
	const struct key	*keys;
	struct strv		*errs;
	int			 nerrs;		/* errors of this file */
	char			*dir;		/* the file's directory */
	struct supd_conf	*mc;		/* main config being built, or */
	struct svc_conf		*sc;		/* service being built */
	const struct supd_conf	*main;		/* (service files) the main config */
	struct strv		 env;		/* env items */
	struct strv		 env_files;	/* env files, resolved */
	unsigned		*env_file_lines; /* line of each env_file */
	struct strv		 groups;
	struct strv		 after;
	struct strv		 requires;
	char			*command;	/* raw, continuations joined */
	char			*log_file;	/* raw [log] file */
};

static void ATTR_PRINTF(3, 4)
perr(struct parse *p, unsigned line, const char *fmt, ...)
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

/*
 * inih's reader. Hands over one line at a time, so p->line is the line of
 * the handler call that follows; refuses over-long lines and NUL bytes.
 */
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
			perr(p, p->line, "expected ']' to end the section "
			    "name");
			p->section_bad = 1;
		} else if (!section_known(p->keys, s + 1, end - s - 1)) {
			perr(p, p->line, "unknown section [%.*s]",
			    (int)(end - s - 1), s + 1);
			p->section_bad = 1;
		} else
			p->section_bad = 0;
		return;
	}
	if (strpbrk(s, "=:") == NULL) {
		perr(p, p->line, "expected 'key = value'");
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
		perr(p, p->line, "NUL byte in line");
		p->reader_err = 1;
		line[0] = '\0';
	} else if (n >= num - 1 && !(n == num - 1 && line[n - 1] == '\n')) {
		perr(p, p->line, "line too long (at most %d characters; "
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

static char *
abs_path(struct parse *p, const char *base, const char *v)
{
	(void)p;
	if (v[0] == '/')
		return xstrdup(v);
	return xasprintf("%s/%s", base, v);
}

static void
set_path(struct parse *p, char **dst, const char *v)
{
	if (*v == '\0') {
		perr(p, p->line, "empty path");
		return;
	}
	free(*dst);
	*dst = abs_path(p, p->dir, v);
}

static const char *
main_key(struct parse *p, enum key_id id, const char *v)
{
	struct supd_conf	*c = p->mc;
	const char		*e = NULL;
	struct group		*gr;

	switch (id) {
	case K_CONF_DIR:
		set_path(p, &c->conf_dir, v);
		break;
	case K_SOCKET:
		set_path(p, &c->socket, v);
		break;
	case K_LOG_DIR:
		set_path(p, &c->log_dir, v);
		break;
	case K_STATE_DIR:
		set_path(p, &c->state_dir, v);
		break;
	case K_SOCKET_MODE:
		parse_mode(v, &c->socket_mode, &e);
		break;
	case K_SOCKET_GROUP:
		if ((gr = getgrnam(v)) == NULL) {
			uint64_t gid;

			if (parse_uint(v, 0, UINT32_MAX - 1, &gid, &e) == -1) {
				e = "unknown group";
				break;
			}
			c->socket_gid = gid;
		} else
			c->socket_gid = gr->gr_gid;
		free(c->socket_group);
		c->socket_group = xstrdup(v);
		break;
	case K_SHUTDOWN_TIMEOUT:
		parse_duration(v, &c->shutdown_timeout_ms, &e);
		break;
	default:
		e = "not handled";
		break;
	}
	return e;
}

static int
parse_restart(struct svc_conf *sc, const char *v, const char **e)
{
	uint64_t n;

	sc->restart_max = 0;
	if (strcmp(v, "no") == 0)
		sc->restart = RESTART_NO;
	else if (strcmp(v, "always") == 0)
		sc->restart = RESTART_ALWAYS;
	else if (strcmp(v, "unless-stopped") == 0)
		sc->restart = RESTART_UNLESS_STOPPED;
	else if (strcmp(v, "on-failure") == 0)
		sc->restart = RESTART_ON_FAILURE;
	else if (strncmp(v, "on-failure:", 11) == 0) {
		if (parse_uint(v + 11, 1, MAX_RESTARTS, &n, e) == -1)
			return -1;
		sc->restart = RESTART_ON_FAILURE;
		sc->restart_max = n;
	} else {
		*e = "expected no, always, on-failure[:N] or unless-stopped";
		return -1;
	}
	return 0;
}

/* A user, group or supplementary group: a name or a number. */
static int
check_ident(const char *v, const char **e)
{
	const char	*s;

	if (*v == '\0' || strlen(v) > 32) {
		*e = "expected a name or a number";
		return -1;
	}
	for (s = v; *s != '\0'; s++)
		if (!(*s == '_' || *s == '-' || *s == '.' ||
		    (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || (*s == '$' && s[1] == '\0'))) {
			*e = "expected a name or a number";
			return -1;
		}
	return 0;
}

static int
enum_value(const char *v, const char *const *names, int *out)
{
	int	i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(v, names[i]) == 0) {
			*out = i;
			return 0;
		}
	return -1;
}

static const char *const stderr_names[] = { "merge", "separate", "null", NULL };
static const char *const when_full_names[] = { "block", "drop", NULL };

static const struct {
	const char	*name;
	int		 flag;
} ns_names[] = {
	{ "mount", CLONE_NEWNS }, { "pid", CLONE_NEWPID },
	{ "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS },
	{ "net", CLONE_NEWNET }, { "cgroup", CLONE_NEWCGROUP },
	{ "user", CLONE_NEWUSER },
};

static const char *
parse_namespaces(const char *v, int *out)
{
	char		**w;
	const char	 *e = NULL;
	size_t		  i, j;

	if (split_argv(v, &w, &e) == -1)
		return e;
	*out = 0;
	for (i = 0; w[i] != NULL && e == NULL; i++) {
		if (strcmp(w[i], "none") == 0) {
			if (i > 0 || w[1] != NULL)
				e = "'none' stands alone";
			continue;
		}
		for (j = 0; j < sizeof ns_names / sizeof *ns_names; j++)
			if (strcmp(w[i], ns_names[j].name) == 0)
				break;
		if (j == sizeof ns_names / sizeof *ns_names)
			e = "expected mount, pid, ipc, uts, net, cgroup, user "
			    "or none";
		else
			*out |= ns_names[j].flag;
	}
	strv_free_array(w);
	return e;
}

/* An absolute path inside the service: no "..", not relative. */
static const char *
check_inner_path(const char *v)
{
	const char	*s;

	if (v[0] != '/')
		return "must be an absolute path";
	for (s = v; (s = strstr(s, "..")) != NULL; s += 2)
		if ((s == v || s[-1] == '/') && (s[2] == '/' || s[2] == '\0'))
			return "'..' is not allowed";
	if (strlen(v) >= 4096)
		return "path too long";
	return NULL;
}

static const char *
parse_volume(struct parse *p, const char *v)
{
	struct iso_conf	*iso = &p->sc->iso;
	struct volume	 vol = { 0 };
	char		*copy = xstrdup(v), *dst, *opt;
	const char	*e = NULL;

	if ((dst = strchr(copy, ':')) == NULL) {
		free(copy);
		return "expected SRC:DST[:ro]";
	}
	*dst++ = '\0';
	if ((opt = strchr(dst, ':')) != NULL) {
		*opt++ = '\0';
		if (strcmp(opt, "ro") == 0)
			vol.ro = true;
		else if (strcmp(opt, "rw") != 0)
			e = "options are ro or rw";
	}
	if (e == NULL && (e = check_inner_path(dst)) == NULL &&
	    strcmp(dst, "/") == 0)
		e = "cannot mount over /";
	if (e == NULL) {
		if (copy[0] == '/') {
			if (check_inner_path(copy) != NULL)
				e = "source: an absolute path without '..', "
				    "or a volume name";
			else
				vol.src = xstrdup(copy);
		} else if (name_valid(copy)) {
			vol.name = xstrdup(copy);
			vol.src = xasprintf("%s/volumes/%s",
			    p->main->state_dir, copy);
		} else
			e = "source: an absolute path or a volume name";
	}
	if (e == NULL) {
		vol.dst = xstrdup(dst);
		iso->volumes = xreallocarray(iso->volumes, iso->nvolumes + 1,
		    sizeof *iso->volumes);
		iso->volumes[iso->nvolumes++] = vol;
	} else {
		free(vol.src);
		free(vol.name);
	}
	free(copy);
	return e;
}

static const char *
parse_tmpfs(struct parse *p, const char *v)
{
	struct iso_conf		*iso = &p->sc->iso;
	struct tmpfs_mount	 t = { 0 };
	char			*copy = xstrdup(v), *size;
	const char		*e = NULL;

	if ((size = strchr(copy, ':')) != NULL) {
		*size++ = '\0';
		parse_size(size, &t.size, &e);
	}
	if (e == NULL)
		e = check_inner_path(copy);
	if (e == NULL && strcmp(copy, "/") == 0)
		e = "cannot mount over /";
	if (e == NULL) {
		t.dst = xstrdup(copy);
		iso->tmpfs = xreallocarray(iso->tmpfs, iso->ntmpfs + 1,
		    sizeof *iso->tmpfs);
		iso->tmpfs[iso->ntmpfs++] = t;
	}
	free(copy);
	return e;
}

static const char *
parse_caps(struct parse *p, const char *v)
{
	char		**w, *name;
	const char	 *e = NULL;
	cap_value_t	  cap;
	size_t		  i;

	if (split_argv(v, &w, &e) == -1)
		return e;
	p->sc->iso.caps_set = true;
	for (i = 0; w[i] != NULL && e == NULL; i++) {
		if (strcasecmp(w[i], "none") == 0)
			continue;
		name = strncasecmp(w[i], "cap_", 4) == 0 ? xstrdup(w[i]) :
		    xasprintf("cap_%s", w[i]);
		if (cap_from_name(name, &cap) == -1 || cap < 0 || cap > 63)
			e = "unknown capability";
		else
			p->sc->iso.caps |= 1ULL << cap;
		free(name);
	}
	strv_free_array(w);
	return e;
}

/* default, unconfined, or a profile file read now (its errors name both
 * files); NULL, as the errors are reported here. */
static const char *
parse_seccomp(struct parse *p, const char *v)
{
	struct iso_conf	*iso = &p->sc->iso;
	struct strv	 errs = { 0 };
	size_t		 i;

	if (strcmp(v, "default") == 0)
		iso->seccomp = SFILTER_DEFAULT;
	else if (strcmp(v, "unconfined") == 0)
		iso->seccomp = SFILTER_UNCONFINED;
	else if (*v == '\0')
		return "expected default, unconfined or a profile file";
	else {
		iso->seccomp = SFILTER_FILE;
		iso->seccomp_file = abs_path(p, p->dir, v);
		if (sfilter_read(iso->seccomp_file, &iso->seccomp_deny,
		    &iso->seccomp_ndeny, &errs) == -1)
			for (i = 0; i < errs.n; i++)
				perr(p, p->line, "seccomp: %s", errs.v[i]);
		strv_free(&errs);
	}
	return NULL;
}

static struct rlim_conf *
rlim(struct svc_conf *sc, int which)
{
	if (sc->rlimits == NULL)
		sc->rlimits = xcalloc(RL_N, sizeof *sc->rlimits);
	return &sc->rlimits[which];
}

/* "N", "SOFT:HARD", "infinity"; sizes when `size` is set. */
static const char *
parse_rlimit(struct rlim_conf *rl, const char *v, bool size)
{
	char		*copy = xstrdup(v), *hard;
	const char	*e = NULL;
	uint64_t	 n[2];
	int		 i;

	if ((hard = strchr(copy, ':')) != NULL)
		*hard++ = '\0';
	for (i = 0; i < 2 && e == NULL; i++) {
		const char *t = i == 0 ? copy : hard != NULL ? hard : copy;

		if (strcmp(t, "infinity") == 0 || strcmp(t, "unlimited") == 0)
			n[i] = RLIM_INFINITY;
		else if (size)
			parse_size(t, &n[i], &e);
		else
			parse_uint(t, 0, UINT64_MAX - 1, &n[i], &e);
	}
	if (e == NULL && n[0] > n[1])
		e = "soft limit above hard limit";
	if (e == NULL) {
		rl->set = true;
		rl->soft = n[0];
		rl->hard = n[1];
	}
	free(copy);
	return e;
}

static const char *
svc_key(struct parse *p, enum key_id id, const char *v)
{
	struct svc_conf	*sc = p->sc;
	const char	*e = NULL;
	uint64_t	 n;
	bool		 b;
	int		 i;

	switch (id) {
	case K_COMMAND:
		free(p->command);
		p->command = xstrdup(v);
		break;
	case K_RESTART:
		parse_restart(sc, v, &e);
		break;
	case K_RESTART_DELAY:
		parse_duration(v, &sc->restart_delay_ms, &e);
		break;
	case K_RESTART_DELAY_MAX:
		parse_duration(v, &sc->restart_delay_max_ms, &e);
		break;
	case K_STABLE_AFTER:
		parse_duration(v, &sc->stable_after_ms, &e);
		break;
	case K_STOP_SIGNAL:
		parse_signal(v, &sc->stop_signal, &e);
		break;
	case K_STOP_TIMEOUT:
		parse_duration(v, &sc->stop_timeout_ms, &e);
		break;
	case K_USER:
		if (check_ident(v, &e) == 0)
			sc->user = xstrdup(v);
		break;
	case K_GROUP:
		if (check_ident(v, &e) == 0)
			sc->group = xstrdup(v);
		break;
	case K_GROUPS: {
		char	**w;

		/* "groups = a b c" or repeated "groups = a" lines. */
		if (split_argv(v, &w, &e) == -1)
			break;
		for (i = 0; w[i] != NULL; i++) {
			if (check_ident(w[i], &e) == -1)
				break;
			strv_push(&p->groups, w[i]);
		}
		strv_free_array(w);
		break;
	}
	case K_WORKDIR:
		if (v[0] != '/')
			e = "must be an absolute path";
		else {
			free(sc->workdir);
			sc->workdir = xstrdup(v);
		}
		break;
	case K_ENV: {
		char	*item = NULL, *unq = NULL;
		size_t	 len = strlen(v);

		/* "KEY=VALUE" wholly quoted loses its quotes, as systemd's
		 * Environment= does; then as a line of an env file. */
		if (len >= 2 && (v[0] == '"' || v[0] == '\'') &&
		    v[len - 1] == v[0])
			v = unq = xstrndup(v + 1, len - 2);
		if (env_parse_line(v, &item, &e) == 0 && item == NULL)
			e = "expected KEY=VALUE";
		if (item != NULL)
			strv_take(&p->env, item);
		free(unq);
		break;
	}
	case K_ENV_FILE:
		if (*v == '\0')
			e = "empty path";
		else
		{
			p->env_file_lines = xreallocarray(p->env_file_lines,
			    p->env_files.n + 1, sizeof *p->env_file_lines);
			p->env_file_lines[p->env_files.n] = p->line;
			strv_take(&p->env_files, abs_path(p, p->dir, v));
		}
		break;
	case K_UMASK:
		parse_mode(v, &sc->umask, &e);
		break;
	case K_AFTER:
	case K_REQUIRES: {
		char	**w;

		if (sc->deps_line == 0)
			sc->deps_line = p->line;
		/* Space-separated names, or one per repeated line. */
		if (split_argv(v, &w, &e) == -1)
			break;
		for (i = 0; w[i] != NULL && e == NULL; i++) {
			if (!name_valid(w[i]))
				e = "not a service name";
			else if (strcmp(w[i], sc->name) == 0)
				e = "a service cannot depend on itself";
			else
				strv_push(id == K_AFTER ? &p->after :
				    &p->requires, w[i]);
		}
		strv_free_array(w);
		break;
	}
	case K_READY:
		if (strcmp(v, "exec") == 0)
			sc->ready = READY_EXEC;
		else if (strcmp(v, "notify") == 0)
			sc->ready = READY_NOTIFY;
		else if (strncmp(v, "fd:", 3) == 0 &&
		    parse_uint(v + 3, 3, 1023, &n, &e) == 0) {
			sc->ready = READY_FD;
			sc->ready_fd = n;
		} else if (strcmp(v, "health") == 0)
			sc->ready = READY_HEALTH;
		else if (e == NULL)
			e = "expected exec, notify, fd:N (N from 3) or health";
		break;
	case K_TYPE:
		if (strcmp(v, "simple") == 0)
			sc->type = TYPE_SIMPLE;
		else if (strcmp(v, "oneshot") == 0)
			sc->type = TYPE_ONESHOT;
		else
			e = "expected simple or oneshot";
		break;
	case K_ESSENTIAL:
		if (parse_bool(v, &b, &e) == 0)
			sc->essential = b;
		break;
	case K_AUTOSTART:
		if (parse_bool(v, &b, &e) == 0)
			sc->autostart = b;
		break;
	case K_LOG_FILE:
		free(p->log_file);
		p->log_file = xstrdup(v);
		break;
	case K_LOG_STDERR:
		if (enum_value(v, stderr_names, &i) == -1)
			e = "expected merge, separate or null";
		else
			sc->log.stderr_mode = i;
		break;
	case K_LOG_MAX_SIZE:
		if (parse_size(v, &n, &e) == 0) {
			if (n < 1)
				e = "must be at least 1";
			else
				sc->log.max_size = n;
		}
		break;
	case K_LOG_MAX_FILES:
		if (parse_uint(v, 0, MAX_LOG_FILES, &n, &e) == 0)
			sc->log.max_files = n;
		break;
	case K_LOG_TIMESTAMPS:
		if (parse_bool(v, &b, &e) == 0)
			sc->log.timestamps = b;
		break;
	case K_LOG_WHEN_FULL:
		if (enum_value(v, when_full_names, &i) == -1)
			e = "expected block or drop";
		else
			sc->log.when_full = i;
		break;
	case K_LOG_CONSOLE:
		if (parse_bool(v, &b, &e) == 0)
			sc->log.console = b;
		break;
	case K_TTY:
		if (parse_bool(v, &b, &e) == 0)
			sc->tty = b;
		break;
	case K_NAMESPACES:
		e = parse_namespaces(v, &sc->iso.ns);
		break;
	case K_HOSTNAME:
		if (*v == '\0' || strlen(v) > 64)
			e = "1 to 64 characters";
		else
			sc->iso.hostname = xstrdup(v);
		break;
	case K_ROOTFS:
		if (v[0] != '/' || check_inner_path(v) != NULL)
			e = "must be an absolute path without '..'";
		else if (strcmp(v, "/") == 0)
			e = "the host's root is not a rootfs";
		else
			sc->iso.rootfs = xstrdup(v);
		break;
	case K_OVERLAY:
		if (parse_bool(v, &b, &e) == 0)
			sc->iso.overlay = b;
		break;
	case K_READ_ONLY:
		if (parse_bool(v, &b, &e) == 0)
			sc->iso.read_only = b;
		break;
	case K_VOLUME:
		e = parse_volume(p, v);
		break;
	case K_TMPFS:
		e = parse_tmpfs(p, v);
		break;
	case K_PRIVATE_TMP:
		if (parse_bool(v, &b, &e) == 0)
			sc->iso.private_tmp = b;
		break;
	case K_NETWORK:
		if (strcmp(v, "host") == 0)
			sc->iso.net = NET_HOST;
		else if (strcmp(v, "none") == 0)
			sc->iso.net = NET_NONE;
		else if (strncmp(v, "container:", 10) == 0 &&
		    name_valid(v + 10)) {
			sc->iso.net = NET_CONTAINER;
			sc->iso.net_container = xstrdup(v + 10);
		} else if (strcmp(v, "bridge") == 0)
			e = "bridge is not supported yet";
		else
			e = "expected host, none or container:NAME";
		break;
	case K_CAPABILITIES:
		e = parse_caps(p, v);
		break;
	case K_NO_NEW_PRIVS:
		if (parse_bool(v, &b, &e) == 0)
			sc->iso.no_new_privs = b;
		break;
	case K_INIT:
		if (parse_bool(v, &b, &e) == 0)
			sc->iso.init = b;
		break;
	case K_SECCOMP:
		e = parse_seccomp(p, v);
		break;
	case K_NOFILE:
		e = parse_rlimit(rlim(sc, RL_NOFILE), v, false);
		break;
	case K_NPROC:
		e = parse_rlimit(rlim(sc, RL_NPROC), v, false);
		break;
	case K_CORE:
		e = parse_rlimit(rlim(sc, RL_CORE), v, true);
		break;
	case K_MEMLOCK:
		e = parse_rlimit(rlim(sc, RL_MEMLOCK), v, true);
		break;
	case K_HEALTH_CMD:
		strv_free_array(sc->health.argv);
		sc->health.argv = NULL;
		split_argv(v, &sc->health.argv, &e);
		break;
	case K_HEALTH_INTERVAL:
		if (parse_duration(v, &sc->health.interval_ms, &e) == 0 &&
		    sc->health.interval_ms == 0)
			e = "must be more than 0";
		break;
	case K_HEALTH_TIMEOUT:
		if (parse_duration(v, &sc->health.timeout_ms, &e) == 0 &&
		    sc->health.timeout_ms == 0)
			e = "must be more than 0";
		break;
	case K_HEALTH_RETRIES:
		if (parse_uint(v, 1, 1000, &n, &e) == 0)
			sc->health.retries = n;
		break;
	case K_HEALTH_START:
		parse_duration(v, &sc->health.start_period_ms, &e);
		break;
	case K_HEALTH_ON:
		if (strcmp(v, "restart") == 0)
			sc->health.restart = true;
		else if (strcmp(v, "none") == 0)
			sc->health.restart = false;
		else
			e = "expected restart or none";
		break;
	case K_CGROUP_LIMIT:
		e = "cgroup limits (memory, cpus, pids, io_weight) are not "
		    "supported yet";
		break;
	default:
		e = "not handled";
		break;
	}
	return e;
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
	for (k = p->keys; k->name != NULL; k++) {
		if (strcmp(k->section, section) != 0)
			continue;
		known_section = 1;
		if (strcmp(k->name, name) == 0)
			break;
	}
	if (*section == '\0') {
		perr(p, p->line, "key '%s' outside of a section", name);
		return 1;
	}
	if (!known_section) {
		perr(p, p->line, "unknown section [%s]", section);
		return 1;
	}
	if (k->name == NULL) {
		perr(p, p->line, "unknown key '%s' in [%s]", name, section);
		return 1;
	}
	if (p->cont) {
		/* An indented line continues the command; elsewhere it is
		 * an error, as a value never spans lines. */
		if (k->id == K_COMMAND && p->command != NULL) {
			char *joined = xasprintf("%s %s", p->command, value);

			free(p->command);
			p->command = joined;
			return 1;
		}
		perr(p, p->line, "indented line: only 'command' may continue "
		    "on the next line");
		return 1;
	}
	if (p->seen[k->id] != 0 && !k->repeat) {
		perr(p, p->line, "duplicate key '%s' (first set on line %u)",
		    name, p->seen[k->id]);
		return 1;
	}
	p->seen[k->id] = p->line;
	e = p->mc != NULL ? main_key(p, k->id, value) :
	    svc_key(p, k->id, value);
	if (e != NULL)
		perr(p, p->line, "%s '%.60s': %s", name, value, e);
	return 1;
}

/* Run inih over a file through our reader; 0 if the file was read. */
static int
cfg_parse_file(struct parse *p)
{
	char	*copy, cwd[PATH_MAX];
	int	 r;

	if ((p->fp = fopen(p->file, "re")) == NULL) {
		perr(p, 0, "%s", strerror(errno));
		return -1;
	}
	/* Relative paths in the file are relative to its directory, made
	 * absolute now: supd's working directory is not theirs. */
	copy = p->file[0] == '/' ? xstrdup(p->file) :
	    xasprintf("%s/%s", getcwd(cwd, sizeof cwd) != NULL ? cwd : ".",
	    p->file);
	p->dir = xstrdup(dirname(copy));
	free(copy);
	r = ini_parse_stream(cfg_reader, p, cfg_handler, p);
	if (ferror(p->fp))
		perr(p, 0, "read error");
	fclose(p->fp);
	p->fp = NULL;
	/* inih reports the first line it could not parse; the reader has
	 * already named every such line, this is a safety net. */
	if (r > 0 && p->nerrs == 0)
		perr(p, r, "syntax error");
	return 0;
}

static void
main_defaults(struct supd_conf *c)
{
	memset(c, 0, sizeof *c);
	c->conf_dir = xstrdup(DEF_CONF_DIR);
	c->socket = xstrdup(SUPD_SOCKET_DEFAULT);
	c->socket_mode = 0600;
	c->log_dir = xstrdup(DEF_LOG_DIR);
	c->state_dir = xstrdup(DEF_STATE_DIR);
	c->shutdown_timeout_ms = DEF_SHUTDOWN_MS;
}

int
cfg_load_main(const char *path, bool explicit_path, struct supd_conf *c,
    struct strv *errs)
{
	struct parse	p;

	main_defaults(c);
	if (path == NULL)
		path = SUPD_CONF_DEFAULT;
	if (!explicit_path && access(path, F_OK) == -1 && errno == ENOENT)
		return 0;
	memset(&p, 0, sizeof p);
	p.file = path;
	p.keys = main_keys;
	p.errs = errs;
	p.mc = c;
	c->path = xstrdup(path);
	cfg_parse_file(&p);
	free(p.dir);
	return p.nerrs == 0 ? 0 : -1;
}

void
cfg_main_free(struct supd_conf *c)
{
	free(c->path);
	free(c->conf_dir);
	free(c->socket);
	free(c->socket_group);
	free(c->log_dir);
	free(c->state_dir);
	memset(c, 0, sizeof *c);
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
		strv_take(errs, xasprintf("%s: %s", dir, strerror(errno)));
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

static void
svc_defaults(struct svc_conf *sc)
{
	sc->restart = RESTART_ON_FAILURE;
	sc->restart_delay_ms = DEF_RESTART_DELAY_MS;
	sc->restart_delay_max_ms = DEF_RESTART_MAX_MS;
	sc->stable_after_ms = DEF_STABLE_MS;
	sc->stop_signal = SIGTERM;
	sc->stop_timeout_ms = DEF_STOP_TIMEOUT_MS;
	sc->workdir = xstrdup("/");
	sc->umask = 022;
	sc->autostart = true;
	sc->log.stderr_mode = LOG_STDERR_MERGE;
	sc->log.max_size = DEF_LOG_MAX_SIZE;
	sc->log.max_files = DEF_LOG_MAX_FILES;
	sc->log.when_full = LOG_FULL_BLOCK;
	sc->iso.ns = NS_DEFAULT;
	sc->health.interval_ms = 30000;
	sc->health.timeout_ms = 5000;
	sc->health.retries = 3;
	sc->health.restart = true;
	sc->iso.private_tmp = true;
	sc->iso.no_new_privs = true;
	sc->iso.init = true;
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

/* "default", "unconfined", or the file and what it denies: a change of
 * the file is a change of the service. */
static void
canon_seccomp(const struct iso_conf *iso, struct buf *bp)
{
	char	*name, err[32];
	size_t	 i;

	buf_puts(bp, ",\"seccomp\":");
	if (iso->seccomp != SFILTER_FILE) {
		buf_json_str(bp, iso->seccomp == SFILTER_DEFAULT ? "default" :
		    "unconfined");
		return;
	}
	buf_puts(bp, "{\"file\":");
	buf_json_str(bp, iso->seccomp_file);
	buf_puts(bp, ",\"deny\":[");
	for (i = 0; i < iso->seccomp_ndeny; i++) {
		name = sfilter_syscall_name(iso->seccomp_deny[i].nr);
		buf_puts(bp, i ? ",[" : "[");
		if (name != NULL)
			buf_json_str(bp, name);
		else
			buf_printf(bp, "%d", iso->seccomp_deny[i].nr);
		buf_puts(bp, ",");
		buf_json_str(bp, sfilter_errno_str(iso->seccomp_deny[i].err,
		    err, sizeof err));
		buf_puts(bp, "]");
		free(name);
	}
	buf_puts(bp, "]}");
}

static void
canon_iso(const struct svc_conf *sc, struct buf *bp)
{
	static const char *const rl_names[RL_N] = { "nofile", "nproc",
	    "core", "memlock" };
	static const char *const net_names[] = { "host", "none", "container" };
	const struct iso_conf	*iso = &sc->iso;
	size_t			 i;
	int			 first = 1;

	static const char *const ready_names[] = { "exec", "notify", "fd",
	    "health" };
	char *const	*lists[2] = { sc->after, sc->requires };
	int		 l;

	for (l = 0; l < 2; l++) {
		buf_printf(bp, ",\"%s\":[", l == 0 ? "after" : "requires");
		for (i = 0; lists[l] != NULL && lists[l][i] != NULL; i++) {
			buf_puts(bp, i ? "," : "");
			buf_json_str(bp, lists[l][i]);
		}
		buf_puts(bp, "]");
	}
	buf_printf(bp, ",\"ready\":\"%s", ready_names[sc->ready]);
	if (sc->ready == READY_FD)
		buf_printf(bp, ":%d", sc->ready_fd);
	buf_printf(bp, "\",\"type\":\"%s\",\"essential\":%s",
	    sc->type == TYPE_ONESHOT ? "oneshot" : "simple",
	    sc->essential ? "true" : "false");
	buf_puts(bp, ",\"health\":");
	if (sc->health.argv == NULL)
		buf_puts(bp, "null");
	else {
		buf_puts(bp, "{\"cmd\":[");
		for (i = 0; sc->health.argv[i] != NULL; i++) {
			buf_puts(bp, i ? "," : "");
			buf_json_str(bp, sc->health.argv[i]);
		}
		buf_printf(bp, "],\"interval_ms\":%llu,\"timeout_ms\":%llu,"
		    "\"retries\":%u,\"start_period_ms\":%llu,"
		    "\"on_unhealthy\":\"%s\"}",
		    (unsigned long long)sc->health.interval_ms,
		    (unsigned long long)sc->health.timeout_ms,
		    sc->health.retries,
		    (unsigned long long)sc->health.start_period_ms,
		    sc->health.restart ? "restart" : "none");
	}
	buf_printf(bp, ",\"tty\":%s,\"isolation\":{\"namespaces\":[",
	    sc->tty ? "true" : "false");
	for (i = 0; i < sizeof ns_names / sizeof *ns_names; i++)
		if (iso->ns & ns_names[i].flag) {
			buf_printf(bp, "%s\"%s\"", first ? "" : ",",
			    ns_names[i].name);
			first = 0;
		}
	buf_puts(bp, "],\"hostname\":");
	buf_json_str(bp, iso->hostname);
	buf_puts(bp, ",\"rootfs\":");
	buf_json_str(bp, iso->rootfs);
	buf_printf(bp, ",\"overlay\":%s,\"read_only\":%s,\"private_tmp\":%s,"
	    "\"no_new_privileges\":%s,\"init\":%s,\"network\":\"%s",
	    iso->overlay ? "true" : "false", iso->read_only ? "true" : "false",
	    iso->private_tmp ? "true" : "false",
	    iso->no_new_privs ? "true" : "false", iso->init ? "true" : "false",
	    net_names[iso->net]);
	if (iso->net == NET_CONTAINER)
		buf_printf(bp, ":%s", iso->net_container);
	buf_puts(bp, "\",\"volumes\":[");
	for (i = 0; i < iso->nvolumes; i++) {
		buf_puts(bp, i ? ",{\"src\":" : "{\"src\":");
		buf_json_str(bp, iso->volumes[i].src);
		buf_puts(bp, ",\"name\":");
		buf_json_str(bp, iso->volumes[i].name);
		buf_puts(bp, ",\"dst\":");
		buf_json_str(bp, iso->volumes[i].dst);
		buf_printf(bp, ",\"ro\":%s}", iso->volumes[i].ro ? "true" :
		    "false");
	}
	buf_puts(bp, "],\"tmpfs\":[");
	for (i = 0; i < iso->ntmpfs; i++) {
		buf_puts(bp, i ? ",{\"dst\":" : "{\"dst\":");
		buf_json_str(bp, iso->tmpfs[i].dst);
		buf_printf(bp, ",\"size\":%llu}",
		    (unsigned long long)iso->tmpfs[i].size);
	}
	buf_puts(bp, "],\"capabilities\":");
	if (!iso->caps_set)
		buf_puts(bp, "null");
	else {
		buf_puts(bp, "[");
		first = 1;
		for (i = 0; i < 64; i++)
			if (iso->caps & (1ULL << i)) {
				char *n = cap_to_name(i);

				buf_puts(bp, first ? "" : ",");
				buf_json_str(bp, n);
				cap_free(n);
				first = 0;
			}
		buf_puts(bp, "]");
	}
	canon_seccomp(iso, bp);
	buf_puts(bp, "},\"limits\":{");
	first = 1;
	for (i = 0; sc->rlimits != NULL && i < RL_N; i++) {
		const struct rlim_conf *rl = &sc->rlimits[i];

		if (!rl->set)
			continue;
		buf_printf(bp, "%s\"%s\":[", first ? "" : ",", rl_names[i]);
		if (rl->soft == RLIM_INFINITY)
			buf_puts(bp, "\"infinity\",");
		else
			buf_printf(bp, "%llu,", (unsigned long long)rl->soft);
		if (rl->hard == RLIM_INFINITY)
			buf_puts(bp, "\"infinity\"]");
		else
			buf_printf(bp, "%llu]", (unsigned long long)rl->hard);
		first = 0;
	}
	buf_puts(bp, "}");
}

/*
 * Everything resolved, as JSON: the canonical form (equal text = equal
 * effective configuration) and `inspect`'s "config". Built on demand, not
 * kept: with a thousand services the copies would cost more than the rest
 * of the definition.
 */
void
cfg_svc_canon(const struct svc_conf *sc, struct buf *out)
{
	static const char *const restart_names[] = { "no", "always",
	    "on-failure", "unless-stopped" };
	struct buf	*bp = out;
	const char	*sig = signal_name(sc->stop_signal);
	char		 mode[8];
	size_t		 i;

	buf_puts(bp, "{\"command\":[");
	for (i = 0; sc->argv[i] != NULL; i++) {
		buf_puts(bp, i ? "," : "");
		buf_json_str(bp, sc->argv[i]);
	}
	buf_printf(bp, "],\"restart\":\"%s", restart_names[sc->restart]);
	if (sc->restart_max > 0)
		buf_printf(bp, ":%u", sc->restart_max);
	buf_printf(bp, "\",\"restart_delay_ms\":%llu,"
	    "\"restart_delay_max_ms\":%llu,\"stable_after_ms\":%llu,",
	    (unsigned long long)sc->restart_delay_ms,
	    (unsigned long long)sc->restart_delay_max_ms,
	    (unsigned long long)sc->stable_after_ms);
	buf_puts(bp, "\"stop_signal\":");
	if (sig != NULL)
		buf_json_str(bp, sig);
	else
		buf_printf(bp, "%d", sc->stop_signal);
	buf_printf(bp, ",\"stop_timeout_ms\":%llu,\"user\":",
	    (unsigned long long)sc->stop_timeout_ms);
	buf_json_str(bp, sc->user);
	buf_puts(bp, ",\"group\":");
	buf_json_str(bp, sc->group);
	buf_puts(bp, ",\"groups\":[");
	for (i = 0; sc->groups != NULL && sc->groups[i] != NULL; i++) {
		buf_puts(bp, i ? "," : "");
		buf_json_str(bp, sc->groups[i]);
	}
	buf_puts(bp, "],\"workdir\":");
	buf_json_str(bp, sc->workdir);
	buf_puts(bp, ",\"env\":[");
	for (i = 0; sc->env[i] != NULL; i++) {
		buf_puts(bp, i ? "," : "");
		buf_json_str(bp, sc->env[i]);
	}
	snprintf(mode, sizeof mode, "%04o", (unsigned)sc->umask);
	buf_printf(bp, "],\"umask\":\"%s\",\"autostart\":%s,\"log\":{\"file\":",
	    mode, sc->autostart ? "true" : "false");
	buf_json_str(bp, sc->log.file);
	buf_puts(bp, ",\"err_file\":");
	buf_json_str(bp, sc->log.err_file);
	buf_printf(bp, ",\"stderr\":\"%s\",\"max_size\":%llu,\"max_files\":%u,"
	    "\"timestamps\":%s,\"when_full\":\"%s\",\"console\":%s}}",
	    stderr_names[sc->log.stderr_mode],
	    (unsigned long long)sc->log.max_size, sc->log.max_files,
	    sc->log.timestamps ? "true" : "false",
	    when_full_names[sc->log.when_full],
	    sc->log.console ? "true" : "false");
	bp->len--;	/* reopen the object for the sections below */
	canon_iso(sc, bp);
	buf_puts(bp, "}");
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
			perr(p, p->seen[K_NAMESPACES], "namespaces: 'net' "
			    "conflicts with network = container:%s",
			    iso->net_container);
		if (strcmp(iso->net_container, sc->name) == 0)
			perr(p, p->seen[K_NETWORK], "network: a service cannot "
			    "join its own network");
		break;
	case NET_HOST:
		if ((iso->ns & CLONE_NEWNET) && p->seen[K_NETWORK])
			perr(p, p->seen[K_NETWORK], "network = host conflicts "
			    "with 'net' in namespaces");
		else if (iso->ns & CLONE_NEWNET)
			iso->net = NET_NONE;	/* a bare net namespace */
		break;
	}
	if (!(iso->ns & CLONE_NEWNS)) {
		static const struct { enum key_id id; const char *name; } need[] = {
			{ K_ROOTFS, "rootfs" }, { K_VOLUME, "volume" },
			{ K_TMPFS, "tmpfs" }, { K_READ_ONLY, "read_only" },
			{ K_OVERLAY, "overlay" },
		};
		size_t i;

		if (p->seen[K_PRIVATE_TMP] && iso->private_tmp)
			perr(p, p->seen[K_PRIVATE_TMP], "private_tmp needs the "
			    "mount namespace ('mount' in namespaces)");
		for (i = 0; i < sizeof need / sizeof *need; i++)
			if (p->seen[need[i].id])
				perr(p, p->seen[need[i].id], "%s needs the mount "
				    "namespace ('mount' in namespaces)",
				    need[i].name);
		iso->private_tmp = false;
	}
	if (iso->overlay && iso->rootfs == NULL)
		perr(p, p->seen[K_OVERLAY], "overlay needs rootfs");
	if (iso->hostname != NULL && !(iso->ns & CLONE_NEWUTS))
		perr(p, p->seen[K_HOSTNAME], "hostname needs the uts namespace "
		    "('uts' in namespaces)");
	if (!(iso->ns & CLONE_NEWPID))
		iso->init = false;
	/* A service in namespaces of its own is a container: docker's
	 * filter; a plain one is as it was without supd. */
	if (!p->seen[K_SECCOMP])
		iso->seccomp = iso->ns != 0 ? SFILTER_DEFAULT :
		    SFILTER_UNCONFINED;
}

struct svc_conf *
cfg_load_service(const char *path, const struct supd_conf *mc,
    struct strv *errs)
{
	struct parse	 p;
	struct svc_conf	*sc;
	const char	*base, *e;
	char		*name, *cause;
	struct strv	 env = { 0 };
	size_t		 i, len;

	sc = xcalloc(1, sizeof *sc);
	svc_defaults(sc);
	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	len = strlen(base);
	if (len > 4 && strcmp(base + len - 4, ".ini") == 0)
		len -= 4;
	name = xstrndup(base, len);
	sc->name = name;
	sc->file = xstrdup(path);

	memset(&p, 0, sizeof p);
	p.file = path;
	p.keys = svc_keys;
	p.errs = errs;
	p.sc = sc;
	p.main = mc;
	if (!name_valid(name))
		perr(&p, 0, "invalid service name '%s'", name);
	if (cfg_parse_file(&p) == -1)
		goto out;

	if (p.command == NULL)
		perr(&p, 0, "[service] command is required");
	else if (split_argv(p.command, &sc->argv, &e) == -1)
		perr(&p, p.seen[K_COMMAND], "command: %s", e);
	if (sc->restart_delay_max_ms < sc->restart_delay_ms)
		sc->restart_delay_max_ms = sc->restart_delay_ms;

	/* Environment: env files in order, then env keys override. */
	for (i = 0; i < p.env_files.n; i++) {
		struct strv fe = { 0 };
		size_t j;

		if (env_load_file(p.env_files.v[i], &fe, &cause) == -1) {
			perr(&p, p.env_file_lines[i], "env_file: %s", cause);
			free(cause);
		}
		for (j = 0; j < fe.n; j++)
			env_set(&env, fe.v[j]);
		strv_free(&fe);
	}
	for (i = 0; i < p.env.n; i++)
		env_set(&env, p.env.v[i]);
	sc->env = env.v != NULL ? env.v : xcalloc(1, sizeof *sc->env);
	if (p.after.n > 0) {
		sc->after = p.after.v;
		memset(&p.after, 0, sizeof p.after);
	}
	if (p.requires.n > 0) {
		sc->requires = p.requires.v;
		memset(&p.requires, 0, sizeof p.requires);
	}
	if (p.groups.n > 0) {
		sc->groups = p.groups.v;
		memset(&p.groups, 0, sizeof p.groups);
	}

	iso_validate(&p, sc);
	if (sc->ready == READY_HEALTH && sc->health.argv == NULL)
		perr(&p, p.seen[K_READY], "ready = health needs [health] cmd");
	if (sc->health.argv == NULL && (p.seen[K_HEALTH_INTERVAL] ||
	    p.seen[K_HEALTH_TIMEOUT] || p.seen[K_HEALTH_RETRIES] ||
	    p.seen[K_HEALTH_START] || p.seen[K_HEALTH_ON]))
		perr(&p, 0, "[health] needs cmd");

	/* Log files live in log_dir unless an absolute path is given. */
	if (p.log_file != NULL && strcmp(p.log_file, "none") == 0)
		sc->log.file = NULL;
	else if (p.log_file != NULL && *p.log_file != '\0')
		sc->log.file = p.log_file[0] == '/' ? xstrdup(p.log_file) :
		    xasprintf("%s/%s", mc->log_dir, p.log_file);
	else if (p.log_file != NULL)
		perr(&p, p.seen[K_LOG_FILE], "file: empty path");
	else
		sc->log.file = xasprintf("%s/%s.log", mc->log_dir, name);
	if (sc->log.file != NULL && sc->log.stderr_mode == LOG_STDERR_SEPARATE)
		sc->log.err_file = err_path(sc->log.file);

out:
	strv_free(&p.env);
	strv_free(&p.env_files);
	free(p.env_file_lines);
	strv_free(&p.groups);
	strv_free(&p.after);
	strv_free(&p.requires);
	free(p.command);
	free(p.log_file);
	free(p.dir);
	if (p.nerrs > 0) {
		cfg_svc_free(sc);
		return NULL;
	}
	return sc;
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

void
cfg_svc_free(struct svc_conf *sc)
{
	size_t	i;

	if (sc == NULL)
		return;
	free(sc->name);
	free(sc->file);
	strv_free_array(sc->argv);
	free(sc->user);
	free(sc->group);
	strv_free_array(sc->groups);
	free(sc->workdir);
	strv_free_array(sc->env);
	free(sc->log.file);
	free(sc->log.err_file);
	for (i = 0; i < sc->iso.nvolumes; i++) {
		free(sc->iso.volumes[i].src);
		free(sc->iso.volumes[i].name);
		free(sc->iso.volumes[i].dst);
	}
	free(sc->iso.volumes);
	for (i = 0; i < sc->iso.ntmpfs; i++)
		free(sc->iso.tmpfs[i].dst);
	free(sc->iso.tmpfs);
	free(sc->iso.hostname);
	free(sc->iso.rootfs);
	free(sc->iso.net_container);
	free(sc->iso.seccomp_file);
	free(sc->iso.seccomp_deny);
	strv_free_array(sc->after);
	strv_free_array(sc->requires);
	free(sc->rlimits);
	strv_free_array(sc->health.argv);
	free(sc);
}

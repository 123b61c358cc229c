/* SPDX-License-Identifier: ISC */
/*
 * config-custom.c: the keys whose value is not one plain value -- a policy
 * with a count (restart = on-failure:N), a mode with an argument (ready =
 * fd:N), a set of flags (namespaces,
 * capabilities), a list of records (volume, tmpfs), a file read now
 * (seccomp), a limit pair (nofile...), or a value resolved after the whole
 * file (command, env, env_file, log file). Each has a parser, and where the
 * type's own will not do, a canonical writer and a free, named by its row in
 * config-keys.c. Enum names are written once here and used both ways.
 */
#include <sys/resource.h>
#include <sys/socket.h>

#include <grp.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>

#include "config-custom.h"
#include "image-ref.h"
#include "seccomp-profile.h"
#include "values.h"

#define MAX_RESTARTS	1000000

/* Indexed by enum restart_policy, log_stderr, log_when_full, svc_type. */
const char *const cfgc_restart_names[] = { "no", "always", "on-failure",
    "unless-stopped", NULL };
const char *const cfgc_stderr_names[] = { "merge", "separate", "null", NULL };
const char *const cfgc_when_full_names[] = { "block", "drop", NULL };
const char *const cfgc_type_names[] = { "simple", "oneshot", NULL };
/* Indexed by enum ready_mode. */
static const char *const ready_names[] = { "exec", "notify", "fd", "health",
    NULL };
/* Indexed by enum sfilter_profile; a file is written as itself. */
static const char *const seccomp_names[] = { "unconfined", "default", NULL };
/* [health] on_unhealthy: index 0 sets health.restart. */
static const char *const unhealthy_names[] = { "restart", "none", NULL };

static const struct {
	const char	*name;
	int		 flag;
} ns_names[] = {
	{ "mount", CLONE_NEWNS }, { "pid", CLONE_NEWPID },
	{ "ipc", CLONE_NEWIPC }, { "uts", CLONE_NEWUTS },
	{ "net", CLONE_NEWNET }, { "cgroup", CLONE_NEWCGROUP },
	{ "user", CLONE_NEWUSER },
};

#define CONF(p)		((struct svc_conf *)(p)->conf)
#define CCONF(c)	((const struct svc_conf *)(c))

/* A user, group or supplementary group: a name or a number. */
const char *
cfgc_check_ident(const char *v)
{
	const char	*s;

	if (*v == '\0' || strlen(v) > 32)
		return "expected a name or a number";
	for (s = v; *s != '\0'; s++)
		if (!(*s == '_' || *s == '-' || *s == '.' ||
		    (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || (*s == '$' && s[1] == '\0')))
			return "expected a name or a number";
	return NULL;
}

const char *
cfgc_check_abs(const char *v)
{
	return v[0] != '/' ? "must be an absolute path" : NULL;
}

const char *
cfgc_check_hostname(const char *v)
{
	return *v == '\0' || strlen(v) > 64 ? "1 to 64 characters" : NULL;
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

const char *
cfgc_check_rootfs(const char *v)
{
	if (v[0] != '/' || check_inner_path(v) != NULL)
		return "must be an absolute path without '..'";
	if (strcmp(v, "/") == 0)
		return "the host's root is not a rootfs";
	return NULL;
}

const char *
cfgc_socket_group(struct parse *p, const struct key *k, const char *v)
{
	struct supd_conf	*c = p->conf;
	struct group		*gr;
	const char		*e = NULL;
	uint64_t		 gid;

	(void)k;
	if ((gr = getgrnam(v)) == NULL) {
		if (parse_uint(v, 0, UINT32_MAX - 1, &gid, &e) == -1)
			return "unknown group";
		c->socket_gid = gid;
	} else
		c->socket_gid = gr->gr_gid;
	free(c->socket_group);
	c->socket_group = xstrdup(v);
	return NULL;
}

/* metrics_listen: ADDRESS:PORT, or empty (off). */
const char *
cfgc_check_listen(const char *v)
{
	struct sockaddr_storage	ss;
	socklen_t		len;
	const char		*e = NULL;

	if (*v != '\0' && parse_listen(v, &ss, &len, &e) == -1)
		return e;
	return NULL;
}

/* scratch_size: a size (64M, 1G; at least 1M) or a share of the memory
 * (1% to 100%), as scratch.c gives it to the tmpfs. */
const char *
cfgc_check_scratch_size(const char *v)
{
	char		 num[16];
	uint64_t	 n;
	const char	*e = NULL;
	size_t		 len = strlen(v);

	if (len == 0 || v[len - 1] != '%') {
		if (parse_size(v, &n, &e) == -1)
			return e;
		return n < 1024 * 1024 ? "expected at least 1M" : NULL;
	}
	if (len > sizeof num)
		return "expected a size (64M) or a share of the memory (25%)";
	memcpy(num, v, len - 1);
	num[len - 1] = '\0';
	if (parse_uint(num, 1, 100, &n, &e) == -1)
		return "expected a share of the memory from 1% to 100%";
	return NULL;
}

/* Kept raw: an indented line continues it; split after the file. */
const char *
cfgc_command(struct parse *p, const struct key *k, const char *v)
{
	char	*joined;

	(void)k;
	if (p->cont) {
		joined = xasprintf("%s %s", p->command, v);
		free(p->command);
		p->command = joined;
	} else {
		free(p->command);
		p->command = xstrdup(v);
	}
	return NULL;
}

const char *
cfgc_restart(struct parse *p, const struct key *k, const char *v)
{
	struct svc_conf	*sc = CONF(p);
	const char	*e = NULL;
	uint64_t	 n;
	int		 i;

	(void)k;
	sc->restart_max = 0;
	if ((i = cfgk_enum_index(cfgc_restart_names, v)) != -1)
		sc->restart = i;
	else if (strncmp(v, "on-failure:", 11) == 0) {
		if (parse_uint(v + 11, 1, MAX_RESTARTS, &n, &e) == -1)
			return e;
		sc->restart = RESTART_ON_FAILURE;
		sc->restart_max = n;
	} else
		return "expected no, always, on-failure[:N] or unless-stopped";
	return NULL;
}

void
cfgc_restart_canon(const struct key *k, const void *conf, struct buf *bp)
{
	const struct svc_conf	*sc = CCONF(conf);

	(void)k;
	buf_printf(bp, "\"%s", cfgc_restart_names[sc->restart]);
	if (sc->restart_max > 0)
		buf_printf(bp, ":%u", sc->restart_max);
	buf_puts(bp, "\"");
}

const char *
cfgc_env(struct parse *p, const struct key *k, const char *v)
{
	char		*item = NULL, *unq = NULL;
	const char	*e = NULL;
	size_t		 len = strlen(v);

	(void)k;
	/* "KEY=VALUE" wholly quoted loses its quotes, as systemd's
	 * Environment= does; then as a line of an env file. */
	if (len >= 2 && (v[0] == '"' || v[0] == '\'') && v[len - 1] == v[0])
		v = unq = xstrndup(v + 1, len - 2);
	if (env_parse_line(v, &item, &e) == 0 && item == NULL)
		e = "expected KEY=VALUE";
	if (item != NULL)
		strv_take(&p->env, item);
	free(unq);
	return e;
}

/* Read after the file, so that its errors come with the others. */
const char *
cfgc_env_file(struct parse *p, const struct key *k, const char *v)
{
	(void)k;
	if (*v == '\0')
		return "empty path";
	p->env_file_lines = xreallocarray(p->env_file_lines, p->env_files.n + 1,
	    sizeof *p->env_file_lines);
	p->env_file_lines[p->env_files.n] = p->line;
	strv_take(&p->env_files, cfgk_abs_path(p->dir, v));
	return NULL;
}

/* after, requires: space-separated names, or one per repeated line. */
const char *
cfgc_deps(struct parse *p, const struct key *k, const char *v)
{
	struct svc_conf	  *sc = CONF(p);
	char		***dst = KEY_VAL(sc, k), **w;
	const char	  *e = NULL;
	size_t		   n = 0, i;

	if (sc->deps_line == 0)
		sc->deps_line = p->line;
	if (split_argv(v, &w, &e) == -1)
		return e;
	while (*dst != NULL && (*dst)[n] != NULL)
		n++;
	for (i = 0; w[i] != NULL && e == NULL; i++) {
		if (!name_valid(w[i]))
			e = "not a service name";
		else if (strcmp(w[i], sc->name) == 0)
			e = "a service cannot depend on itself";
		else {
			*dst = xreallocarray(*dst, n + 2, sizeof **dst);
			(*dst)[n++] = xstrdup(w[i]);
			(*dst)[n] = NULL;
		}
	}
	strv_free_array(w);
	return e;
}

const char *
cfgc_ready(struct parse *p, const struct key *k, const char *v)
{
	struct svc_conf	*sc = CONF(p);
	const char	*e = NULL;
	uint64_t	 n;
	int		 i;

	(void)k;
	if ((i = cfgk_enum_index(ready_names, v)) != -1 && i != READY_FD)
		sc->ready = i;
	else if (strncmp(v, "fd:", 3) == 0) {
		if (parse_uint(v + 3, 3, 1023, &n, &e) == -1)
			return e;
		sc->ready = READY_FD;
		sc->ready_fd = n;
	} else
		return "expected exec, notify, fd:N (N from 3) or health";
	return NULL;
}

void
cfgc_ready_canon(const struct key *k, const void *conf, struct buf *bp)
{
	const struct svc_conf	*sc = CCONF(conf);

	(void)k;
	buf_printf(bp, "\"%s", ready_names[sc->ready]);
	if (sc->ready == READY_FD)
		buf_printf(bp, ":%d", sc->ready_fd);
	buf_puts(bp, "\"");
}

/* entrypoint: a command line, or empty: an empty array (clears an
 * image's Entrypoint; NULL is "not given"). */
const char *
cfgc_entrypoint(struct parse *p, const struct key *k, const char *v)
{
	char		***out = KEY_VAL(p->conf, k);
	const char	  *e = NULL, *s;

	strv_free_array(*out);
	*out = NULL;
	for (s = v; *s == ' ' || *s == '\t'; s++)
		;
	if (*s == '\0') {
		*out = xcalloc(1, sizeof **out);
		return NULL;
	}
	split_argv(v, out, &e);
	return e;
}

void
cfgc_entrypoint_canon(const struct key *k, const void *conf, struct buf *bp)
{
	char *const	*v = *(char **const *)KEY_VAL(conf, k);
	size_t		 i;

	if (v == NULL) {
		buf_puts(bp, "null");
		return;
	}
	buf_puts(bp, "[");
	for (i = 0; v[i] != NULL; i++) {
		buf_puts(bp, i ? "," : "");
		buf_json_str(bp, v[i]);
	}
	buf_puts(bp, "]");
}

/*
 * image = [oci-archive:|docker-archive:|oci:]PATH[:TAG]: PATH made absolute
 * against the file's directory, as every path of a file. The store keys
 * REF by its text (one line of a ref record): no newline.
 */
const char *
cfgc_image(struct parse *p, const struct key *k, const char *v)
{
	char		**out = KEY_VAL(p->conf, k);
	size_t		  pre = imgref_prefix_len(v);
	const char	 *path = v + pre;

	if (*path == '\0' || *path == ':')
		return "expected [oci-archive:|docker-archive:|oci:]PATH[:TAG]";
	if (strpbrk(v, "\n\r") != NULL || strlen(v) >= 4096)
		return "not a reference";
	free(*out);
	*out = path[0] == '/' ? xstrdup(v) : xasprintf("%.*s%s/%s", (int)pre,
	    v, p->dir, path);
	return NULL;
}

/* Indexed by enum overlay_mode; a boolean is no or yes too. */
static const char *const overlay_names[] = { "no", "yes", "persist", NULL };

const char *
cfgc_overlay(struct parse *p, const struct key *k, const char *v)
{
	int	*out = KEY_VAL(p->conf, k);
	bool	 b;
	const char *e = NULL;

	if (strcmp(v, "persist") == 0) {
		*out = OVERLAY_PERSIST;
		return NULL;
	}
	if (parse_bool(v, &b, &e) == -1)
		return "expected yes, no or persist";
	*out = b ? OVERLAY_YES : OVERLAY_NO;
	return NULL;
}

/* Written as it always was for yes and no (a boolean), "persist". */
void
cfgc_overlay_canon(const struct key *k, const void *conf, struct buf *bp)
{
	int	v = *(const int *)KEY_VAL(conf, k);

	if (v == OVERLAY_PERSIST)
		buf_json_str(bp, overlay_names[v]);
	else
		buf_puts(bp, v == OVERLAY_YES ? "true" : "false");
}

/* Kept raw: resolved against log_dir once the file is read. */
const char *
cfgc_log_file(struct parse *p, const struct key *k, const char *v)
{
	(void)k;
	free(p->log_file);
	p->log_file = xstrdup(v);
	return NULL;
}

const char *
cfgc_namespaces(struct parse *p, const struct key *k, const char *v)
{
	int		 *out = KEY_VAL(p->conf, k);
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

void
cfgc_namespaces_canon(const struct key *k, const void *conf, struct buf *bp)
{
	const int	*ns = KEY_VAL(conf, k);
	size_t		 i;
	bool		 first = true;

	buf_puts(bp, "[");
	for (i = 0; i < sizeof ns_names / sizeof *ns_names; i++)
		if (*ns & ns_names[i].flag) {
			buf_printf(bp, "%s\"%s\"", first ? "" : ",",
			    ns_names[i].name);
			first = false;
		}
	buf_puts(bp, "]");
}

/* volume = SRC:DST[:ro|rw]; SRC a host path or a named volume. */
static const char *
volume_source(struct parse *p, const char *src, struct volume *vol)
{
	if (src[0] == '/') {
		if (check_inner_path(src) != NULL)
			return "source: an absolute path without '..', or a "
			    "volume name";
		vol->src = xstrdup(src);
	} else if (name_valid(src)) {
		vol->name = xstrdup(src);
		vol->src = xasprintf("%s/volumes/%s", p->main->state_dir, src);
	} else
		return "source: an absolute path or a volume name";
	return NULL;
}

const char *
cfgc_volume(struct parse *p, const struct key *k, const char *v)
{
	struct iso_conf	*iso = &CONF(p)->iso;
	struct volume	 vol = { 0 };
	char		*copy = xstrdup(v), *dst, *opt;
	const char	*e = NULL;

	(void)k;
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
	if (e == NULL)
		e = volume_source(p, copy, &vol);
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

void
cfgc_volume_canon(const struct key *k, const void *conf, struct buf *bp)
{
	const struct iso_conf	*iso = &CCONF(conf)->iso;
	size_t			 i;

	(void)k;
	buf_puts(bp, "[");
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
	buf_puts(bp, "]");
}

void
cfgc_volume_free(const struct key *k, void *conf)
{
	struct iso_conf	*iso = &((struct svc_conf *)conf)->iso;
	size_t		 i;

	(void)k;
	for (i = 0; i < iso->nvolumes; i++) {
		free(iso->volumes[i].src);
		free(iso->volumes[i].name);
		free(iso->volumes[i].dst);
	}
	free(iso->volumes);
	iso->volumes = NULL;
	iso->nvolumes = 0;
}

const char *
cfgc_tmpfs(struct parse *p, const struct key *k, const char *v)
{
	struct iso_conf		*iso = &CONF(p)->iso;
	struct tmpfs_mount	 t = { 0 };
	char			*copy = xstrdup(v), *size;
	const char		*e = NULL;

	(void)k;
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

void
cfgc_tmpfs_canon(const struct key *k, const void *conf, struct buf *bp)
{
	const struct iso_conf	*iso = &CCONF(conf)->iso;
	size_t			 i;

	(void)k;
	buf_puts(bp, "[");
	for (i = 0; i < iso->ntmpfs; i++) {
		buf_puts(bp, i ? ",{\"dst\":" : "{\"dst\":");
		buf_json_str(bp, iso->tmpfs[i].dst);
		buf_printf(bp, ",\"size\":%llu}",
		    (unsigned long long)iso->tmpfs[i].size);
	}
	buf_puts(bp, "]");
}

void
cfgc_tmpfs_free(const struct key *k, void *conf)
{
	struct iso_conf	*iso = &((struct svc_conf *)conf)->iso;
	size_t		 i;

	(void)k;
	for (i = 0; i < iso->ntmpfs; i++)
		free(iso->tmpfs[i].dst);
	free(iso->tmpfs);
	iso->tmpfs = NULL;
	iso->ntmpfs = 0;
}

const char *
cfgc_caps(struct parse *p, const struct key *k, const char *v)
{
	struct iso_conf	 *iso = &CONF(p)->iso;
	char		**w, *name;
	const char	 *e = NULL;
	cap_value_t	  cap;
	size_t		  i;

	(void)k;
	if (split_argv(v, &w, &e) == -1)
		return e;
	iso->caps_set = true;
	for (i = 0; w[i] != NULL && e == NULL; i++) {
		if (strcasecmp(w[i], "none") == 0)
			continue;
		name = strncasecmp(w[i], "cap_", 4) == 0 ? xstrdup(w[i]) :
		    xasprintf("cap_%s", w[i]);
		if (cap_from_name(name, &cap) == -1 || cap < 0 || cap > 63)
			e = "unknown capability";
		else
			iso->caps |= 1ULL << cap;
		free(name);
	}
	strv_free_array(w);
	return e;
}

/* null when not given (the bounding set is left alone), else the list. */
void
cfgc_caps_canon(const struct key *k, const void *conf, struct buf *bp)
{
	const struct iso_conf	*iso = &CCONF(conf)->iso;
	bool			 first = true;
	char			*n;
	int			 i;

	(void)k;
	if (!iso->caps_set) {
		buf_puts(bp, "null");
		return;
	}
	buf_puts(bp, "[");
	for (i = 0; i < 64; i++)
		if (iso->caps & (1ULL << i)) {
			n = cap_to_name(i);
			buf_puts(bp, first ? "" : ",");
			buf_json_str(bp, n);
			cap_free(n);
			first = false;
		}
	buf_puts(bp, "]");
}

/* default, unconfined, or a profile file read now (its errors name both
 * files); NULL, as the errors are reported here. */
const char *
cfgc_seccomp(struct parse *p, const struct key *k, const char *v)
{
	struct iso_conf	*iso = &CONF(p)->iso;
	struct strv	 errs = { 0 };
	size_t		 i;
	int		 named;

	(void)k;
	if ((named = cfgk_enum_index(seccomp_names, v)) != -1)
		iso->seccomp = named;
	else if (*v == '\0')
		return "expected default, unconfined or a profile file";
	else {
		iso->seccomp = SFILTER_FILE;
		iso->seccomp_file = cfgk_abs_path(p->dir, v);
		if (sfilter_read(iso->seccomp_file, &iso->seccomp_deny,
		    &iso->seccomp_ndeny, &errs) == -1)
			for (i = 0; i < errs.n; i++)
				cfgk_perr(p, p->line, "seccomp: %s", errs.v[i]);
		strv_free(&errs);
	}
	return NULL;
}

/* "default", "unconfined", or the file and what it denies: a change of
 * the file is a change of the service. */
void
cfgc_seccomp_canon(const struct key *k, const void *conf, struct buf *bp)
{
	const struct iso_conf	*iso = &CCONF(conf)->iso;
	char			*name, err[32];
	size_t			 i;

	(void)k;
	if (iso->seccomp != SFILTER_FILE) {
		buf_json_str(bp, seccomp_names[iso->seccomp]);
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

void
cfgc_seccomp_free(const struct key *k, void *conf)
{
	struct iso_conf	*iso = &((struct svc_conf *)conf)->iso;

	(void)k;
	free(iso->seccomp_file);
	free(iso->seccomp_deny);
	iso->seccomp_file = NULL;
	iso->seccomp_deny = NULL;
}

/* "N", "SOFT:HARD", "infinity"; sizes for core and memlock. */
const char *
cfgc_rlimit(struct parse *p, const struct key *k, const char *v)
{
	struct svc_conf	*sc = CONF(p);
	char		*copy = xstrdup(v), *hard;
	const char	*e = NULL;
	bool		 size = k->arg == RL_CORE || k->arg == RL_MEMLOCK;
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
		if (sc->rlimits == NULL)
			sc->rlimits = xcalloc(RL_N, sizeof *sc->rlimits);
		sc->rlimits[k->arg].set = true;
		sc->rlimits[k->arg].soft = n[0];
		sc->rlimits[k->arg].hard = n[1];
	}
	free(copy);
	return e;
}

/* null when unset, else [soft, hard], each a number or "infinity". */
void
cfgc_rlimit_canon(const struct key *k, const void *conf, struct buf *bp)
{
	const struct svc_conf	*sc = CCONF(conf);
	const struct rlim_conf	*rl;
	uint64_t		 n;
	int			 i;

	if (sc->rlimits == NULL || !sc->rlimits[k->arg].set) {
		buf_puts(bp, "null");
		return;
	}
	rl = &sc->rlimits[k->arg];
	for (i = 0; i < 2; i++) {
		n = i == 0 ? rl->soft : rl->hard;
		buf_puts(bp, i == 0 ? "[" : ",");
		if (n == RLIM_INFINITY)
			buf_puts(bp, "\"infinity\"");
		else
			buf_printf(bp, "%llu", (unsigned long long)n);
	}
	buf_puts(bp, "]");
}

/*
 * memory, memory_high, memory_swap: a size or "max"; cpus: fractional
 * CPUs or "max"; pids: a count or "max"; cpu_weight, io_weight: 1..10000.
 * Whether the machine has the controller is not the file's business: a
 * service whose controller is missing fails to start (cgroup-limits.c).
 */
const char *
cfgc_cglimit(struct parse *p, const struct key *k, const char *v)
{
	struct cgl_conf	*cgl = &CONF(p)->cgl;
	const char	*e = NULL;
	uint64_t	 n = CGL_MAX;
	bool		 max_ok = k->arg != CGL_CPU_WEIGHT &&
			    k->arg != CGL_IO_WEIGHT;

	if (max_ok && strcmp(v, "max") == 0)
		;
	else if (k->arg == CGL_CPUS)
		parse_cpus(v, &n, &e);
	else if (k->arg == CGL_CPU_WEIGHT || k->arg == CGL_IO_WEIGHT)
		parse_uint(v, CGL_WEIGHT_MIN, CGL_WEIGHT_MAX, &n, &e);
	else if (k->arg == CGL_PIDS)
		parse_uint(v, 1, CGL_MAX - 1, &n, &e);
	else if (parse_size(v, &n, &e) == 0 && n == 0 &&
	    k->arg != CGL_MEMORY_SWAP)
		e = "must be at least 1";
	if (e != NULL && !max_ok && strcmp(e, "invalid number") != 0)
		return "must be between 1 and 10000";
	if (e != NULL && max_ok && (strcmp(e, "invalid size") == 0 ||
	    strcmp(e, "invalid number") == 0 ||
	    strcmp(e, "invalid number of CPUs") == 0)) {
		/* Say what else it could have been. */
		snprintf(p->msg, sizeof p->msg, "%s (or max)", e);
		return p->msg;
	}
	if (e != NULL)
		return e;
	cgl->set |= 1u << k->arg;
	cgl->val[k->arg] = n;
	cgl->line[k->arg] = p->line;
	return NULL;
}

/* null when unset, else the number, or "max". */
void
cfgc_cglimit_canon(const struct key *k, const void *conf, struct buf *bp)
{
	const struct cgl_conf	*cgl = &CCONF(conf)->cgl;

	if (!(cgl->set & (1u << k->arg)))
		buf_puts(bp, "null");
	else if (cgl->val[k->arg] == CGL_MAX)
		buf_puts(bp, "\"max\"");
	else
		buf_printf(bp, "%llu", (unsigned long long)cgl->val[k->arg]);
}

const char *
cfgc_on_unhealthy(struct parse *p, const struct key *k, const char *v)
{
	bool	*restart = KEY_VAL(p->conf, k);
	int	 i;

	if ((i = cfgk_enum_index(unhealthy_names, v)) == -1)
		return cfgk_expected(p, unhealthy_names);
	*restart = i == 0;
	return NULL;
}

void
cfgc_on_unhealthy_canon(const struct key *k, const void *conf,
    struct buf *bp)
{
	const bool	*restart = KEY_VAL(conf, k);

	buf_json_str(bp, unhealthy_names[*restart ? 0 : 1]);
}

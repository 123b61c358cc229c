/* SPDX-License-Identifier: ISC */
/*
 * ctl-volume.c: supctl volume ls | inspect | rm | prune -- the named
 * volumes of state_dir/volumes and the defined services that use them.
 * A volume some defined service names (running or not) is never removed:
 * the refusal names that service. The removal itself is volume.c's.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl-private.h"
#include "log.h"
#include "service.h"
#include "util.h"
#include "values.h"
#include "volume.h"

/* state_dir/volumes (allocated). */
static char *
vol_dir(void)
{
	return xasprintf("%s/volumes", svc_state_dir());
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The volumes there, sorted; hidden names (removals under way) are not. */
static void
vol_names(struct strv *out)
{
	struct dirent	*de;
	struct stat	 st;
	char		*dir = vol_dir();
	DIR		*d;

	if ((d = opendir(dir)) == NULL) {
		free(dir);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.' && name_valid(de->d_name) &&
		    fstatat(dirfd(d), de->d_name, &st,
		    AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode))
			strv_push(out, de->d_name);
	closedir(d);
	free(dir);
	qsort(out->v, out->n, sizeof *out->v, cmp_str);
}

static bool
vol_exists(const char *name)
{
	struct stat	 st;
	char		*path;
	bool		 r;

	if (!name_valid(name) || name[0] == '.')
		return false;
	path = xasprintf("%s/volumes/%s", svc_state_dir(), name);
	r = lstat(path, &st) == 0 && S_ISDIR(st.st_mode);
	free(path);
	return r;
}

/* The services using name, as "a, b", or NULL if none (allocated). */
static char *
vol_users(const char *name)
{
	struct buf	 b = { 0 };
	const char	*u;
	size_t		 from = 0;

	while ((u = svc_volume_user(name, &from)) != NULL)
		buf_printf(&b, "%s%s", b.len > 0 ? ", " : "", u);
	if (b.len == 0)
		return NULL;
	buf_add(&b, "", 1);
	return b.p;
}

static void
vol_json(struct buf *b, const char *name)
{
	const char	*u;
	struct stat	 st;
	struct tm	 tm;
	char		*path, when[32] = "";
	size_t		 from = 0, n = 0;

	path = xasprintf("%s/volumes/%s", svc_state_dir(), name);
	buf_puts(b, "{\"name\":");
	buf_json_str(b, name);
	buf_puts(b, ",\"mountpoint\":");
	buf_json_str(b, path);
	if (lstat(path, &st) == 0) {
		gmtime_r(&st.st_mtime, &tm);
		strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
		buf_printf(b, ",\"owner\":\"%u:%u\",\"mode\":\"%04o\","
		    "\"modified\":\"%s\"", (unsigned)st.st_uid,
		    (unsigned)st.st_gid, (unsigned)(st.st_mode & 07777), when);
	}
	buf_puts(b, ",\"used_by\":[");
	while ((u = svc_volume_user(name, &from)) != NULL) {
		buf_puts(b, n++ > 0 ? "," : "");
		buf_json_str(b, u);
	}
	buf_puts(b, "]}");
	free(path);
}

/* volume ls JSON: a table (NAME, USED BY), or a JSON array for "1". */
void
ctl_req_vol_ls(struct client *c, char **v, size_t n)
{
	struct strv	 names = { 0 };
	struct buf	 b = { 0 };
	char		*u;
	size_t		 i;
	bool		 json;

	if (n != 1 || !ctl_is_flag(v[0])) {
		ctl_client_end(c, 0, "bad request");
		return;
	}
	json = v[0][0] == '1';
	vol_names(&names);
	buf_puts(&b, json ? "[" : "NAME                USED BY\n");
	for (i = 0; i < names.n; i++) {
		if (json) {
			buf_puts(&b, i > 0 ? ",\n  " : "\n  ");
			vol_json(&b, names.v[i]);
			continue;
		}
		u = vol_users(names.v[i]);
		buf_printf(&b, "%-19s %s\n", names.v[i], u != NULL ? u : "-");
		free(u);
	}
	if (json)
		buf_puts(&b, names.n > 0 ? "\n]\n" : "]\n");
	ctl_put_data(c, &b);
	buf_free(&b);
	strv_free(&names);
	ctl_client_end(c, 1, NULL);
}

/* volume inspect NAME...: a JSON array; nothing but the error if one is
 * unknown. */
void
ctl_req_vol_inspect(struct client *c, char **v, size_t n)
{
	struct buf	 b = { 0 };
	char		*m;
	size_t		 i;

	if (n == 0) {
		ctl_client_end(c, 0, "no volume named");
		return;
	}
	buf_puts(&b, "[");
	for (i = 0; i < n; i++) {
		if (!vol_exists(v[i])) {
			m = ctl_no_such("volume", v[i]);
			ctl_client_end(c, 0, m);
			free(m);
			buf_free(&b);
			return;
		}
		buf_puts(&b, i > 0 ? ",\n  " : "\n  ");
		vol_json(&b, v[i]);
	}
	buf_puts(&b, "\n]\n");
	ctl_put_data(c, &b);
	buf_free(&b);
	ctl_client_end(c, 1, NULL);
}

/* Why name cannot be removed (allocated), or NULL. */
static char *
vol_refuse(const char *name)
{
	char	*u, *m;

	if (!vol_exists(name))
		return ctl_no_such("volume", name);
	if ((u = vol_users(name)) == NULL)
		return NULL;
	m = xasprintf("volume %s is in use by service %s", name, u);
	free(u);
	return m;
}

/* volume rm NAME...: all of them, or none if one cannot go. */
void
ctl_req_vol_rm(struct client *c, char **v, size_t n)
{
	char	*dir, *m, *cause = NULL;
	size_t	 i;

	if (n == 0) {
		ctl_client_end(c, 0, "no volume named");
		return;
	}
	for (i = 0; i < n; i++)
		if ((m = vol_refuse(v[i])) != NULL) {
			ctl_client_end(c, 0, m);
			free(m);
			return;
		}
	dir = vol_dir();
	for (i = 0; i < n && cause == NULL; i++)
		if (vol_exists(v[i]) && vol_remove(dir, v[i], &cause) == 0)
			log_info("volume %s removed", v[i]);
	free(dir);
	ctl_client_end(c, cause == NULL, cause);
	free(cause);
}

/* volume prune JSON: every volume no defined service uses; their names,
 * a line each or a JSON array for "1". */
void
ctl_req_vol_prune(struct client *c, char **v, size_t n)
{
	struct strv	 names = { 0 };
	struct buf	 b = { 0 };
	char		*dir, *u, *cause = NULL;
	size_t		 i, nout = 0;
	bool		 json;

	if (n != 1 || !ctl_is_flag(v[0])) {
		ctl_client_end(c, 0, "bad request");
		return;
	}
	json = v[0][0] == '1';
	if (json)
		buf_puts(&b, "[");
	vol_names(&names);
	dir = vol_dir();
	for (i = 0; i < names.n && cause == NULL; i++) {
		if ((u = vol_users(names.v[i])) != NULL) {
			free(u);
			continue;
		}
		if (vol_remove(dir, names.v[i], &cause) == 0) {
			log_info("volume %s removed (prune)", names.v[i]);
			if (json) {
				buf_puts(&b, nout++ > 0 ? "," : "");
				buf_json_str(&b, names.v[i]);
			} else
				buf_printf(&b, "%s\n", names.v[i]);
		}
	}
	if (json)
		buf_puts(&b, "]\n");
	ctl_put_data(c, &b);
	buf_free(&b);
	free(dir);
	strv_free(&names);
	ctl_client_end(c, cause == NULL, cause);
	free(cause);
}

/* SPDX-License-Identifier: ISC */
/*
 * imgdb.c: the image store as supd reads it (imgdb.h). Every file
 * read here is small and complete when it appears (supd-image writes it to
 * tmp/ and renames it), so it is read at once in the loop, without the
 * store's lock: a start of a stored image costs a stat of its source and
 * three small reads, never a run of supd-image.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image-ref.h"
#include "imgdb.h"
#include "sha256.h"

#define STORE_FILE_MAX	(1024 * 1024)	/* defaults, layers, info, refs */

char *
imgdb_dir(const char *state_dir)
{
	return xasprintf("%s/images", state_dir);
}

/* A small file whole, NUL-ended; NULL with errno. */
static char *
read_small(const char *path)
{
	struct buf	 b = { 0 };
	char		 chunk[4096];
	ssize_t		 n;
	int		 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) == -1)
		return NULL;
	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 || b.len + n > STORE_FILE_MAX) {
			if (n != -1)
				errno = EFBIG;
			close(fd);
			buf_free(&b);
			return NULL;
		}
		buf_add(&b, chunk, n);
	}
	close(fd);
	buf_add(&b, "", 1);
	return b.p;
}

/* "sha256:HEX" or "HEX" -> HEX, if 64 hex digits; else NULL. */
static const char *
id_hex(const char *id)
{
	size_t	i;

	if (strncmp(id, "sha256:", 7) == 0)
		id += 7;
	for (i = 0; i < SHA256_HEX_LEN; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' &&
		    id[i] <= 'f')))
			return NULL;
	return id[i] == '\0' ? id : NULL;
}

/*
 * The file whose stat is REF's stamp (supd-image's rule, image-ref.h): the
 * path follows a kind's prefix and ends at the first ':' after its last
 * '/' (for docker-archive: at the first ':', a docker name has slashes);
 * a directory's stamp is its index.json. Allocated, NULL if not a path.
 */
static char *
stamp_path(const char *ref)
{
	struct imgref	 r;
	struct stat	 st;
	const char	*why;
	char		*path;

	if (imgref_parse(ref, &r, &why) == -1)
		return NULL;
	path = imgref_stamp_path(&r, r.kind == IMGREF_AUTO &&
	    stat(r.path, &st) == 0 && S_ISDIR(st.st_mode));
	imgref_free(&r);
	return path;
}

/* REF's record: its three lines (REF, id, stamp), NULL if none. */
static char *
ref_record(const char *store, const char *ref, char **id, char **stamp)
{
	char	 hex[SHA256_HEX_LEN + 1], *path, *text, *nl1, *nl2, *nl3;

	sha256_hex(ref, strlen(ref), hex);
	path = xasprintf("%s/refs/%s", store, hex);
	text = read_small(path);
	free(path);
	if (text == NULL || (nl1 = strchr(text, '\n')) == NULL ||
	    (nl2 = strchr(nl1 + 1, '\n')) == NULL) {
		free(text);
		return NULL;
	}
	*nl1 = *nl2 = '\0';
	if ((nl3 = strchr(nl2 + 1, '\n')) != NULL)
		*nl3 = '\0';
	if (strcmp(text, ref) != 0 || id_hex(nl1 + 1) == NULL) {
		free(text);
		return NULL;
	}
	*id = nl1 + 1;
	*stamp = nl2 + 1;
	return text;
}

int
imgdb_current(const char *store, const char *ref, char **id)
{
	struct stat	 st;
	uintmax_t	 dev, ino, size, mtime;
	char		*text, *rid, *stamp, *src, *dir;
	int		 r = 0;

	if ((text = ref_record(store, ref, &rid, &stamp)) == NULL)
		return 0;
	if ((src = stamp_path(ref)) != NULL && stat(src, &st) == 0 &&
	    sscanf(stamp, "%ju %ju %ju %ju", &dev, &ino, &size, &mtime) == 4 &&
	    dev == (uintmax_t)st.st_dev && ino == (uintmax_t)st.st_ino &&
	    size == (uintmax_t)st.st_size && mtime ==
	    (uintmax_t)st.st_mtim.tv_sec * 1000000000u + st.st_mtim.tv_nsec) {
		/* The image itself still there (an rm may have taken it). */
		dir = xasprintf("%s/images/%s", store, id_hex(rid));
		if (stat(dir, &st) == 0) {
			*id = xstrdup(rid);
			r = 1;
		}
		free(dir);
	}
	free(src);
	free(text);
	return r;
}

/* One VALUE of the defaults file: \\, \t, \n undone, in place. */
static void
unescape(char *v)
{
	char	*w = v;

	for (; *v != '\0'; v++) {
		if (*v == '\\' && v[1] != '\0') {
			v++;
			*w++ = *v == 't' ? '\t' : *v == 'n' ? '\n' : *v;
		} else
			*w++ = *v;
	}
	*w = '\0';
}

static void
defaults_line(struct img_defaults *d, const char *key, char *val)
{
	struct {
		const char	*key;
		char		***list;
		char		**one;
	} keys[] = {
		{ "entrypoint", &d->entrypoint, NULL }, { "cmd", &d->cmd, NULL },
		{ "env", &d->env, NULL }, { "port", &d->ports, NULL },
		{ "workdir", NULL, &d->workdir }, { "user", NULL, &d->user },
		{ "stop_signal", NULL, &d->stop_signal },
	};
	size_t	 i, n;

	unescape(val);
	for (i = 0; i < sizeof keys / sizeof *keys; i++) {
		if (strcmp(key, keys[i].key) != 0)
			continue;
		if (keys[i].one != NULL) {
			free(*keys[i].one);
			*keys[i].one = xstrdup(val);
			return;
		}
		for (n = 0; *keys[i].list != NULL && (*keys[i].list)[n] != NULL;
		    n++)
			;
		*keys[i].list = xreallocarray(*keys[i].list, n + 2,
		    sizeof **keys[i].list);
		(*keys[i].list)[n] = xstrdup(val);
		(*keys[i].list)[n + 1] = NULL;
		return;
	}
	/* A key of a later supd-image: not this supd's. */
}

static void
parse_defaults(struct img_defaults *d, char *text)
{
	char	*line, *next, *tab;

	for (line = text; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((tab = strchr(line, '\t')) == NULL)
			continue;
		*tab = '\0';
		defaults_line(d, line, tab + 1);
	}
}

int
imgdb_load(const char *store, const char *id, struct img *im,
    char **cause)
{
	const char	*hex = id_hex(id);
	char		*path, *text, *line, *next;

	memset(im, 0, sizeof *im);
	if (hex == NULL) {
		*cause = xasprintf("image %s: not an image id", id);
		return -1;
	}
	im->id = xasprintf("sha256:%s", hex);
	path = xasprintf("%s/images/%s/layers", store, hex);
	if ((text = read_small(path)) == NULL) {
		*cause = errno_cause("image %s: layers", im->id);
		free(path);
		imgdb_free(im);
		return -1;
	}
	free(path);
	for (line = text; *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (id_hex(line) == NULL)
			continue;
		im->layers = xreallocarray(im->layers, im->nlayers + 1,
		    sizeof *im->layers);
		im->layers[im->nlayers++] = xstrdup(id_hex(line));
	}
	free(text);
	if (im->nlayers == 0) {
		*cause = xasprintf("image %s: no layers", im->id);
		imgdb_free(im);
		return -1;
	}
	path = xasprintf("%s/images/%s/defaults", store, hex);
	if ((text = read_small(path)) != NULL)
		parse_defaults(&im->d, text);
	free(text);
	free(path);
	return 0;
}

void
imgdb_free(struct img *im)
{
	size_t	i;

	for (i = 0; i < im->nlayers; i++)
		free(im->layers[i]);
	free(im->layers);
	free(im->id);
	strv_free_array(im->d.entrypoint);
	strv_free_array(im->d.cmd);
	strv_free_array(im->d.env);
	strv_free_array(im->d.ports);
	free(im->d.workdir);
	free(im->d.user);
	free(im->d.stop_signal);
	memset(im, 0, sizeof *im);
}

char *
imgdb_layer_root(const char *store, const char *hex)
{
	return xasprintf("%s/layers/%s/root", store, hex);
}

void
imgdb_refs(const char *store, struct strv *refs, struct strv *ids)
{
	struct dirent	*de;
	char		*dir = xasprintf("%s/refs", store), *path, *text, *nl;
	DIR		*d;

	if ((d = opendir(dir)) == NULL) {
		free(dir);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (id_hex(de->d_name) == NULL)
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		text = read_small(path);
		free(path);
		if (text != NULL && (nl = strchr(text, '\n')) != NULL) {
			*nl = '\0';
			nl++;
			nl[strcspn(nl, "\n")] = '\0';
			if (id_hex(nl) != NULL) {
				strv_push(refs, text);
				strv_push(ids, nl);
			}
		}
		free(text);
	}
	closedir(d);
	free(dir);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void
imgdb_ids(const char *store, struct strv *ids)
{
	struct dirent	*de;
	char		*dir = xasprintf("%s/images", store);
	DIR		*d;

	if ((d = opendir(dir)) == NULL) {
		free(dir);
		return;
	}
	while ((de = readdir(d)) != NULL)
		if (id_hex(de->d_name) != NULL)
			strv_take(ids, xasprintf("sha256:%s", de->d_name));
	closedir(d);
	free(dir);
	if (ids->n > 1)
		qsort(ids->v, ids->n, sizeof *ids->v, cmp_str);
}

char *
imgdb_file(const char *store, const char *id, const char *file)
{
	const char	*hex = id_hex(id);
	char		*path, *text;

	if (hex == NULL)
		return NULL;
	path = xasprintf("%s/images/%s/%s", store, hex, file);
	text = read_small(path);
	free(path);
	return text;
}

char *
imgdb_info(const char *store, const char *id, const char *key)
{
	char	*text = imgdb_file(store, id, "info"), *line, *next, *v = NULL;
	size_t	 klen = strlen(key);

	for (line = text; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (strncmp(line, key, klen) == 0 && line[klen] == ' ') {
			v = xstrdup(line + klen + 1);
			break;
		}
	}
	free(text);
	return v;
}

char *
imgdb_find_id(const char *store, const char *given)
{
	struct strv	 ids = { 0 };
	const char	*g = strncmp(given, "sha256:", 7) == 0 ? given + 7 : given;
	char		*found = NULL;
	size_t		 i, len = strlen(g);

	if (len < 4)
		return NULL;	/* too short to be meant as an id */
	imgdb_ids(store, &ids);
	for (i = 0; i < ids.n; i++) {
		if (strncmp(ids.v[i] + 7, g, len) != 0)
			continue;
		if (found != NULL) {
			free(found);
			found = NULL;
			break;		/* two: the prefix names neither */
		}
		found = xstrdup(ids.v[i]);
	}
	strv_free(&ids);
	return found;
}

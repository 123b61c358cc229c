/* SPDX-License-Identifier: ISC */
/*
 * image-store.c: the image store of supd-image (docs/design.md "Images"):
 *   DIR/lock  DIR/tmp/  DIR/layers/HEX/{root/,size,skipped_nodes}
 *   DIR/images/HEX/{manifest.json,config.json,layers,defaults,info}
 *   DIR/refs/KEY
 * Everything is built under tmp/ and appears by one rename, so a reader
 * (supd, without the lock) sees a file or directory complete or not at
 * all; what a killed unpack leaves is under tmp/, which prune empties.
 * Removal is a rename into tmp/ first, for the same reason.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image-private.h"

static const char *const subdirs[] = { "tmp", "layers", "images", "refs" };

int
imgstore_open(struct imgstore *st, const char *dir, char **cause)
{
	size_t i;

	memset(st, 0, sizeof *st);
	st->dirfd = st->lockfd = -1;
	st->dir = xstrdup(dir);
	if (mkdir_p(dir, 0700) == -1 ||
	    (st->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		*cause = errno_cause("store %s", dir);
		return -1;
	}
	for (i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++)
		if (mkdirat(st->dirfd, subdirs[i], 0700) == -1 &&
		    errno != EEXIST) {
			*cause = errno_cause("store %s/%s", dir, subdirs[i]);
			return -1;
		}
	st->lockfd = openat(st->dirfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC,
	    0600);
	if (st->lockfd == -1 || flock(st->lockfd, LOCK_EX) == -1) {
		*cause = errno_cause("store %s/lock", dir);
		return -1;
	}
	return 0;
}

void
imgstore_close(struct imgstore *st)
{
	if (st->lockfd != -1)
		close(st->lockfd);	/* and the lock with it */
	if (st->dirfd != -1)
		close(st->dirfd);
	free(st->dir);
	st->dir = NULL;
	st->dirfd = st->lockfd = -1;
}

int
imgstore_mktmp(struct imgstore *st, const char *what, char **path,
    char **cause)
{
	*path = xasprintf("%s/tmp/%s-XXXXXX", st->dir, what);
	if (mkdtemp(*path) == NULL) {
		*cause = errno_cause("%s", *path);
		free(*path);
		*path = NULL;
		return -1;
	}
	return 0;
}

int
imgstore_has(struct imgstore *st, const char *sub, const char *hex)
{
	char *p = xasprintf("%s/%s", sub, hex);
	int r = faccessat(st->dirfd, p, F_OK, AT_SYMLINK_NOFOLLOW) == 0;

	free(p);
	return r;
}

int
imgstore_publish(struct imgstore *st, const char *tmp, const char *sub,
    const char *hex, char **cause)
{
	char *dst = xasprintf("%s/%s/%s", st->dir, sub, hex);
	int r = 0;

	if (rename(tmp, dst) == -1) {
		if (errno == EEXIST || errno == ENOTEMPTY)
			imgstore_rm_rf(tmp);	/* the same content */
		else {
			*cause = errno_cause("%s", dst);
			r = -1;
		}
	}
	free(dst);
	return r;
}

int
imgstore_write(const char *dir, const char *name, const void *p, size_t n,
    char **cause)
{
	char *path = xasprintf("%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	ssize_t w = 0;
	size_t done = 0;

	while (fd != -1 && done < n && (w = write(fd, (const char *)p + done,
	    n - done)) > 0)
		done += (size_t)w;
	if (fd == -1 || w == -1 || (fd != -1 && close(fd) == -1)) {
		*cause = errno_cause("%s", path);
		free(path);
		return -1;
	}
	free(path);
	return 0;
}

/* A small file of the store: its first line, without the newline. */
static char *
read_line(int dirfd, const char *path, int nth)
{
	char buf[4096], *s, *e;
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC), i;
	ssize_t n;

	if (fd == -1)
		return NULL;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	for (s = buf, i = 0; i < nth && s != NULL; i++)
		if ((s = strchr(s, '\n')) != NULL)
			s++;
	if (s == NULL)
		return NULL;
	if ((e = strchr(s, '\n')) != NULL)
		*e = '\0';
	return xstrdup(s);
}

int
imgstore_read_layer(struct imgstore *st, const char *hex,
    struct imglayer_stats *ls)
{
	char *p = xasprintf("layers/%s/size", hex), *v;

	memset(ls, 0, sizeof *ls);
	if ((v = read_line(st->dirfd, p, 0)) != NULL)
		ls->size = strtoull(v, NULL, 10);
	free(v);
	free(p);
	p = xasprintf("layers/%s/skipped_nodes", hex);
	if ((v = read_line(st->dirfd, p, 0)) != NULL)
		ls->skipped = strtoul(v, NULL, 10);
	free(v);
	free(p);
	return 0;
}

int
imgstore_write_ref(struct imgstore *st, const char *ref, const char *id,
    const char *stamp, char **cause)
{
	char key[IMG_HEX_LEN + 1], *tmp, *dst, *text;
	int r;

	imgdig_buf(ref, strlen(ref), key);
	if (imgstore_mktmp(st, "ref", &tmp, cause) == -1)
		return -1;
	text = xasprintf("%s\nsha256:%s\n%s\n", ref, id, stamp);
	r = imgstore_write(tmp, "ref", text, strlen(text), cause);
	free(text);
	dst = xasprintf("%s/refs/%s", st->dir, key);
	text = xasprintf("%s/ref", tmp);
	if (r == 0 && (r = rename(text, dst)) == -1)
		*cause = errno_cause("%s", dst);
	imgstore_rm_rf(tmp);
	free(text);
	free(dst);
	free(tmp);
	return r;
}

static int
rm_cb(const char *path, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)f;
	if (flag == FTW_DP)
		return rmdir(path) == -1 && errno != ENOENT ? -1 : 0;
	return unlink(path) == -1 && errno != ENOENT ? -1 : 0;
}

int
imgstore_rm_rf(const char *path)
{
	return nftw(path, rm_cb, 64, FTW_DEPTH | FTW_PHYS);
}

/* sub/name out of sight (renamed into tmp/), then removed. */
static int
remove_entry(struct imgstore *st, const char *sub, const char *name,
    char **cause)
{
	char *tmp, *src = xasprintf("%s/%s/%s", st->dir, sub, name);
	int r = -1;

	if (imgstore_mktmp(st, "gone", &tmp, cause) == 0) {
		char *dst = xasprintf("%s/x", tmp);

		if (rename(src, dst) == -1)
			*cause = errno_cause("%s", src);
		else
			r = 0;
		imgstore_rm_rf(tmp);
		free(dst);
		free(tmp);
	}
	free(src);
	return r;
}

/* Each entry name of sub (no dot files) to fn; stops at the first -1. */
static int
each_entry(struct imgstore *st, const char *sub,
    int (*fn)(struct imgstore *, const char *, void *), void *arg,
    char **cause)
{
	int fd = openat(st->dirfd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *d;
	struct strv names = { 0 };
	DIR *dp;
	size_t i;
	int r = 0;

	if (fd == -1 || (dp = fdopendir(fd)) == NULL) {
		*cause = errno_cause("%s/%s", st->dir, sub);
		if (fd != -1)
			close(fd);
		return -1;
	}
	while ((d = readdir(dp)) != NULL)
		if (d->d_name[0] != '.')
			strv_push(&names, d->d_name);
	closedir(dp);
	for (i = 0; i < names.n && r == 0; i++)
		r = fn(st, names.v[i], arg);
	strv_free(&names);
	return r;
}

struct sweep {
	struct strv	 keep;	/* ids or layers still named */
	const char	*sub;
	char		**cause;
};

static int
collect_layers_cb(struct imgstore *st, const char *id, void *arg)
{
	struct sweep *sw = arg;
	char *p = xasprintf("images/%s/layers", id), *l;
	int i;

	for (i = 0; (l = read_line(st->dirfd, p, i)) != NULL; i++) {
		if (*l == '\0') {
			free(l);
			break;
		}
		strv_take(&sw->keep, l);
	}
	free(p);
	return 0;
}

static int
drop_unnamed_cb(struct imgstore *st, const char *name, void *arg)
{
	struct sweep *sw = arg;

	if (strv_has(&sw->keep, name))
		return 0;
	return remove_entry(st, sw->sub, name, sw->cause);
}

/* A ref whose image is gone goes too. */
static int
drop_ref_cb(struct imgstore *st, const char *key, void *arg)
{
	struct sweep *sw = arg;
	char *p = xasprintf("refs/%s", key), *id = read_line(st->dirfd, p, 1);
	int r = 0;

	if (id == NULL || strncmp(id, "sha256:", 7) != 0 ||
	    !imgstore_has(st, "images", id + 7))
		r = remove_entry(st, "refs", key, sw->cause);
	free(id);
	free(p);
	return r;
}

static int
drop_tmp_cb(struct imgstore *st, const char *name, void *arg)
{
	char *p = xasprintf("%s/tmp/%s", st->dir, name);

	(void)arg;
	imgstore_rm_rf(p);
	free(p);
	return 0;
}

/* Refs without an image, then layers no image names. */
static int
sweep(struct imgstore *st, char **cause)
{
	struct sweep sw = { .cause = cause };
	int r;

	r = each_entry(st, "refs", drop_ref_cb, &sw, cause);
	if (r == 0)
		r = each_entry(st, "images", collect_layers_cb, &sw, cause);
	sw.sub = "layers";
	if (r == 0)
		r = each_entry(st, "layers", drop_unnamed_cb, &sw, cause);
	strv_free(&sw.keep);
	return r;
}

int
imgstore_prune(struct imgstore *st, char **cause)
{
	if (each_entry(st, "tmp", drop_tmp_cb, NULL, cause) == -1)
		return -1;
	return sweep(st, cause);
}

int
imgstore_rm_images(struct imgstore *st, char **ids, int n, char **cause)
{
	char hex[IMG_HEX_LEN + 1];
	int i;

	for (i = 0; i < n; i++)
		if ((imgdig_parse(ids[i], hex) == -1 && (strlen(ids[i]) !=
		    IMG_HEX_LEN || !imgdig_is_hex(ids[i]))) ||
		    !imgstore_has(st, "images", imgdig_parse(ids[i], hex) ?
		    ids[i] : hex)) {
			*cause = xasprintf("no such image %s", ids[i]);
			return -1;
		}
	for (i = 0; i < n; i++)
		if (remove_entry(st, "images", imgdig_parse(ids[i], hex) ?
		    ids[i] : hex, cause) == -1)
			return -1;
	return sweep(st, cause);
}

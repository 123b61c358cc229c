/* SPDX-License-Identifier: ISC */
/*
 * image-src.c: where supd-image reads an image from -- an OCI layout
 * directory (its files read directly) or an archive (oci-archive, docker
 * save output) whose members are found by reading the tar's headers
 * again for each blob. libarchive seeks over the data of the members in
 * between, so every byte of a blob is read once and streamed: nothing is
 * copied to disk first, and the order of the members does not matter.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "image-private.h"

#define BLOB_CHUNK	(256 * 1024)

struct imgsrc {
	enum imgref_kind kind;
	char	*path;
	int	 dirfd;		/* a layout's directory, else -1 */
	char	 stamp[128];
};

struct imgblob {
	int	 fd;		/* a layout's file, else -1 */
	struct archive *a;	/* an archive positioned at the member */
	char	*name;
	char	*buf;
};

/* A member's name without "./" or "/" in front. */
static const char *
member_name(const char *n)
{
	for (;;) {
		if (n[0] == '.' && n[1] == '/')
			n += 2;
		else if (n[0] == '/')
			n++;
		else
			return n;
	}
}

static struct archive *
archive_open(const char *path, char **cause)
{
	struct archive *a = archive_read_new();

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (archive_read_open_filename(a, path, BLOB_CHUNK) != ARCHIVE_OK) {
		*cause = xasprintf("%s: %s", path, archive_error_string(a));
		archive_read_free(a);
		return NULL;
	}
	return a;
}

/*
 * Move a to the member called name (regular file); 1 if found, 0 if not,
 * -1 on a read error. With name NULL, report in *kind which format the
 * archive's members say it is.
 */
static int
archive_seek_member(struct archive *a, const char *name,
    enum imgref_kind *kind, char **cause)
{
	struct archive_entry *e;
	int r, docker = 0;

	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK ||
	    r == ARCHIVE_WARN) {
		const char *n = member_name(archive_entry_pathname(e));

		if (name == NULL) {
			if (strcmp(n, "oci-layout") == 0) {
				*kind = IMGREF_OCI_ARCHIVE;
				return 1;
			}
			docker |= strcmp(n, "manifest.json") == 0;
		} else if (strcmp(n, name) == 0 &&
		    archive_entry_filetype(e) == AE_IFREG)
			return 1;
	}
	if (r != ARCHIVE_EOF) {
		*cause = xasprintf("archive: %s", archive_error_string(a));
		return -1;
	}
	if (name == NULL && docker) {
		*kind = IMGREF_DOCKER_ARCHIVE;
		return 1;
	}
	return 0;
}

static int
take_stamp(struct imgsrc *s, const char *path, char **cause)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		*cause = errno_cause("%s", path);
		return -1;
	}
	snprintf(s->stamp, sizeof s->stamp, "%ju %ju %jd %lld",
	    (uintmax_t)st.st_dev, (uintmax_t)st.st_ino, (intmax_t)st.st_size,
	    (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec);
	return 0;
}

static int
detect_archive(struct imgsrc *s, char **cause)
{
	struct archive *a = archive_open(s->path, cause);
	int r;

	if (a == NULL)
		return -1;
	r = archive_seek_member(a, NULL, &s->kind, cause);
	archive_read_free(a);
	if (r == 0)
		*cause = xasprintf("%s: neither an oci-archive (no oci-layout) "
		    "nor a docker archive (no manifest.json)", s->path);
	return r == 1 ? 0 : -1;
}

int
imgsrc_open(const struct imgref *r, struct imgsrc **out, char **cause)
{
	struct imgsrc *s = xcalloc(1, sizeof *s);
	struct stat st;
	char *sp;
	int rc;

	s->kind = r->kind;
	s->path = xstrdup(r->path);
	s->dirfd = -1;
	if (stat(s->path, &st) == -1) {
		*cause = errno_cause("%s", s->path);
		goto fail;
	}
	if (s->kind == IMGREF_AUTO)
		s->kind = S_ISDIR(st.st_mode) ? IMGREF_LAYOUT : IMGREF_AUTO;
	if (s->kind == IMGREF_LAYOUT) {
		s->dirfd = open(s->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (s->dirfd == -1) {
			*cause = errno_cause("%s", s->path);
			goto fail;
		}
	} else if (!S_ISREG(st.st_mode)) {
		*cause = xasprintf("%s: not a regular file", s->path);
		goto fail;
	}
	sp = imgref_stamp_path(r, s->kind == IMGREF_LAYOUT);
	rc = take_stamp(s, sp, cause);
	free(sp);
	if (rc == -1 || (s->kind == IMGREF_AUTO && detect_archive(s, cause) == -1))
		goto fail;
	*out = s;
	return 0;
fail:
	imgsrc_close(s);
	return -1;
}

void
imgsrc_close(struct imgsrc *s)
{
	if (s == NULL)
		return;
	if (s->dirfd != -1)
		close(s->dirfd);
	free(s->path);
	free(s);
}

enum imgref_kind
imgsrc_kind(const struct imgsrc *s)
{
	return s->kind;
}

const char *
imgsrc_stamp(const struct imgsrc *s)
{
	return s->stamp;
}

int
imgsrc_blob(struct imgsrc *s, const char *name, struct imgblob **out,
    char **cause)
{
	struct imgblob *b = xcalloc(1, sizeof *b);
	int r;

	b->fd = -1;
	b->name = xstrdup(name);
	b->buf = xmalloc(BLOB_CHUNK);
	if (s->dirfd != -1) {
		if (strstr(name, "..") != NULL || name[0] == '/') {
			*cause = xasprintf("%s: not a name inside the layout", name);
			goto fail;
		}
		b->fd = openat(s->dirfd, name, O_RDONLY | O_CLOEXEC);
		if (b->fd == -1) {
			*cause = errno_cause("%s/%s", s->path, name);
			goto fail;
		}
		posix_fadvise(b->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	} else {
		if ((b->a = archive_open(s->path, cause)) == NULL)
			goto fail;
		r = archive_seek_member(b->a, member_name(name), NULL, cause);
		if (r == 0)
			*cause = xasprintf("%s: no member %s", s->path, name);
		if (r != 1)
			goto fail;
	}
	*out = b;
	return 0;
fail:
	imgblob_close(b);
	return -1;
}

ssize_t
imgblob_read(struct imgblob *b, const void **buf, char **cause)
{
	ssize_t n;

	if (b->fd != -1) {
		do
			n = read(b->fd, b->buf, BLOB_CHUNK);
		while (n == -1 && errno == EINTR);
		if (n == -1)
			*cause = errno_cause("%s", b->name);
		*buf = b->buf;
		return n;
	}
	n = archive_read_data(b->a, b->buf, BLOB_CHUNK);
	if (n < 0) {
		*cause = xasprintf("%s: %s", b->name, archive_error_string(b->a));
		return -1;
	}
	*buf = b->buf;
	return n;
}

void
imgblob_close(struct imgblob *b)
{
	if (b == NULL)
		return;
	if (b->fd != -1)
		close(b->fd);
	if (b->a != NULL)
		archive_read_free(b->a);
	free(b->name);
	free(b->buf);
	free(b);
}

int
imgsrc_slurp(struct imgsrc *s, const char *name, struct buf *out,
    char hex[IMG_HEX_LEN + 1], char **cause)
{
	struct imgblob *b;
	const void *p;
	ssize_t n;

	buf_reset(out);
	if (imgsrc_blob(s, name, &b, cause) == -1)
		return -1;
	while ((n = imgblob_read(b, &p, cause)) > 0) {
		if (out->len + (size_t)n > IMG_JSON_MAX) {
			*cause = xasprintf("%s: larger than %d bytes", name,
			    IMG_JSON_MAX);
			n = -1;
			break;
		}
		buf_add(out, p, (size_t)n);
	}
	imgblob_close(b);
	if (n == -1)
		return -1;
	buf_add(out, "", 0);
	imgdig_buf(out->p != NULL ? out->p : "", out->len, hex);
	return 0;
}

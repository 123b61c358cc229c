/* SPDX-License-Identifier: ISC */
/*
 * image-layer.c: one layer's blob into a directory, streamed once: the
 * blob's bytes are hashed as they are read (its digest), decompressed by
 * one libarchive reader (format raw: gzip, zstd or none) whose output is
 * hashed (the diff_id) and fed to a second reader (tar), whose entries go
 * to disk through archive_write_disk with its SECURE flags.
 *
 * Docker's rules (supd-image(8)): a member's leading "/" is dropped, a ".."
 * component or a path through a symlink refuses the layer; .wh.NAME becomes
 * an overlayfs whiteout (char 0/0), .wh..wh..opq makes its directory opaque
 * (trusted.overlay.opaque=y); char and block devices are skipped and
 * counted; owners, modes (setuid kept), mtimes and xattrs are kept, except
 * trusted.overlay.* xattrs of the tar, which would be overlayfs's own.
 */
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <archive.h>
#include <archive_entry.h>

#include "image-private.h"

#define WH_PREFIX	".wh."
#define WH_OPAQUE	".wh..wh..opq"
#define OVL_XATTR	"trusted.overlay."

struct stream {
	struct imgblob	*blob;
	struct imgdig	 blobdig;	/* of the blob as stored */
	struct imgdig	 diffdig;	/* of the uncompressed tar */
	struct archive	*raw;		/* decompresses the blob */
	char		*cause;		/* the blob's read error */
	int		 raw_eof;
};

/* The raw reader's input: the blob, hashed. */
static ssize_t
blob_read_cb(struct archive *a, void *arg, const void **buf)
{
	struct stream *s = arg;
	ssize_t n = imgblob_read(s->blob, buf, &s->cause);

	if (n < 0) {
		archive_set_error(a, EIO, "%s", s->cause);
		return -1;
	}
	imgdig_update(&s->blobdig, *buf, (size_t)n);
	return n;
}

/* The tar reader's input: the raw reader's output, hashed. */
static ssize_t
raw_read_cb(struct archive *a, void *arg, const void **buf)
{
	struct stream *s = arg;
	size_t n;
	la_int64_t off;
	int r;

	if (s->raw_eof)
		return 0;
	r = archive_read_data_block(s->raw, buf, &n, &off);
	if (r == ARCHIVE_EOF) {
		s->raw_eof = 1;
		return 0;
	}
	if (r != ARCHIVE_OK) {
		archive_set_error(a, EIO, "%s", archive_error_string(s->raw));
		return -1;
	}
	imgdig_update(&s->diffdig, *buf, n);
	return (ssize_t)n;
}

static int
stream_open(struct stream *s, char **cause)
{
	struct archive_entry *e;
	int r;

	imgdig_init(&s->blobdig);
	imgdig_init(&s->diffdig);
	s->raw = archive_read_new();
	archive_read_support_filter_all(s->raw);
	archive_read_support_format_raw(s->raw);
	if (archive_read_open(s->raw, s, NULL, blob_read_cb, NULL) != ARCHIVE_OK)
		goto fail;
	r = archive_read_next_header(s->raw, &e);
	if (r == ARCHIVE_EOF)
		s->raw_eof = 1;		/* an empty blob */
	else if (r != ARCHIVE_OK)
		goto fail;
	return 0;
fail:
	*cause = xstrdup(archive_error_string(s->raw));
	return -1;
}

/*
 * Read what the tar reader left (its padding, the blob's tail, or all the
 * rest when it failed) through both hashes and compare them with the
 * digests: a mismatch is the reason, whatever else failed (a corrupt blob
 * usually fails gzip or tar first). failed: *cause is set already.
 */
static int
stream_verify(struct stream *s, const struct imglayer_ref *l, int failed,
    char **cause)
{
	char hex[IMG_HEX_LEN + 1], *why = NULL;
	const void *p;
	ssize_t n, rn;
	int mismatch = 0;

	while ((rn = raw_read_cb(s->raw, s, &p)) > 0)
		;
	while ((n = imgblob_read(s->blob, &p, &why)) > 0)
		imgdig_update(&s->blobdig, p, (size_t)n);
	imgdig_hex(&s->blobdig, hex);
	if (n == 0 && l->blob[0] != '\0' && strcmp(hex, l->blob) != 0) {
		why = xasprintf("layer sha256:%s: digest mismatch", l->blob);
		mismatch = 1;
	} else if (n == 0 && rn == 0) {
		imgdig_hex(&s->diffdig, hex);
		if ((mismatch = strcmp(hex, l->diff) != 0))
			why = xasprintf("layer sha256:%s: digest mismatch "
			    "(uncompressed, its diff_id)", l->diff);
	} else if (n == 0)
		why = xasprintf("layer sha256:%s: %s", l->diff,
		    archive_error_string(s->raw));
	if (failed && !mismatch) {
		free(why);	/* the first reason stands */
		return -1;
	}
	if (why == NULL)
		return 0;
	if (failed)
		free(*cause);
	*cause = why;
	return -1;
}

/* path without "/" and "./" in front; NULL when it has a ".." component. */
static const char *
clean_path(const char *p)
{
	const char *c;

	while (*p == '/' || (p[0] == '.' && p[1] == '/'))
		p += *p == '/' ? 1 : 2;
	for (c = p; c != NULL; c = strchr(c, '/'), c = c ? c + 1 : NULL)
		if (c[0] == '.' && c[1] == '.' && (c[2] == '/' || c[2] == '\0'))
			return NULL;
	return p;
}

/*
 * The directory dir (relative to rootfd, cleaned), its missing components
 * created 0755, opened walking one component at a time with O_NOFOLLOW: a
 * symlink anywhere on the way fails (ELOOP, ENOTDIR).
 */
static int
open_dir_beneath(int rootfd, const char *dir)
{
	char *copy = xstrdup(dir), *comp, *save = NULL;
	int fd = dup(rootfd), next;

	for (comp = strtok_r(copy, "/", &save); comp != NULL && fd != -1;
	    comp = strtok_r(NULL, "/", &save)) {
		if (strcmp(comp, ".") == 0)
			continue;
		if (mkdirat(fd, comp, 0755) == -1 && errno != EEXIST)
			next = -1;
		else
			next = openat(fd, comp, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
	}
	free(copy);
	return fd;
}

/* .wh.NAME or .wh..wh..opq at path (cleaned): the overlayfs form. */
static int
whiteout(int rootfd, const char *path, const char *base, char **cause)
{
	char *dir = xstrndup(path, (size_t)(base - path));
	int fd = open_dir_beneath(rootfd, dir), r = -1;

	if (fd == -1)
		*cause = errno_cause("whiteout %s", path);
	else if (strcmp(base, WH_OPAQUE) == 0) {
		if ((r = fsetxattr(fd, OVL_XATTR "opaque", "y", 1, 0)) == -1)
			*cause = errno_cause("opaque %s", path);
	} else if ((r = mknodat(fd, base + strlen(WH_PREFIX), S_IFCHR,
	    makedev(0, 0))) == -1 && errno == EEXIST)
		r = 0;		/* the layer's own entry of that name wins */
	else if (r == -1)
		*cause = errno_cause("whiteout %s", path);
	if (fd != -1)
		close(fd);
	free(dir);
	return r;
}

/* Drop the entry's trusted.overlay.* xattrs. */
static void
drop_overlay_xattrs(struct archive_entry *e)
{
	struct { char *name; void *v; size_t n; } keep[64];
	const char *name;
	const void *v;
	size_t n, i, k = 0;
	int bad = 0;

	if (archive_entry_xattr_reset(e) == 0)
		return;
	while (archive_entry_xattr_next(e, &name, &v, &n) == ARCHIVE_OK) {
		if (strncmp(name, OVL_XATTR, strlen(OVL_XATTR)) == 0)
			bad = 1;
		else if (k < sizeof keep / sizeof keep[0]) {
			keep[k].name = xstrdup(name);
			keep[k].v = xmalloc(n + 1);
			memcpy(keep[k].v, v, n);
			keep[k++].n = n;
		}
	}
	if (bad) {
		archive_entry_xattr_clear(e);
		for (i = 0; i < k; i++)
			archive_entry_xattr_add_entry(e, keep[i].name, keep[i].v,
			    keep[i].n);
	}
	for (i = 0; i < k; i++) {
		free(keep[i].name);
		free(keep[i].v);
	}
}

static int
copy_data(struct archive *in, struct archive *out)
{
	const void *p;
	size_t n;
	la_int64_t off;
	int r;

	while ((r = archive_read_data_block(in, &p, &n, &off)) == ARCHIVE_OK)
		if (archive_write_data_block(out, p, n, off) < ARCHIVE_WARN)
			return -1;
	return r == ARCHIVE_EOF ? 0 : -1;
}

/*
 * One entry of the tar: rewritten to a clean path, then a whiteout, a
 * skipped device node or written. 1 when skipped as a device.
 */
static int
entry(struct archive *tar, struct archive *disk, int rootfd,
    struct archive_entry *e, char **cause)
{
	const char *raw = archive_entry_pathname(e), *path, *base, *hl;
	mode_t type = archive_entry_filetype(e);

	if (raw == NULL || (path = clean_path(raw)) == NULL) {
		*cause = xasprintf("member %s: a \"..\" in its path",
		    raw ? raw : "(no name)");
		return -1;
	}
	if ((hl = archive_entry_hardlink(e)) != NULL) {
		const char *h = clean_path(hl);

		if (h == NULL || *h == '\0') {
			*cause = xasprintf("member %s: hard link to %s, outside "
			    "the layer", raw, hl);
			return -1;
		}
		if (h != hl)
			archive_entry_set_hardlink(e, h);
	}
	if (*path == '\0' || strcmp(path, ".") == 0)
		return 0;	/* the root itself: the layer's directory */
	base = strrchr(path, '/');
	base = base != NULL ? base + 1 : path;
	if (strncmp(base, WH_PREFIX, strlen(WH_PREFIX)) == 0)
		return whiteout(rootfd, path, base, cause);
	if (hl == NULL && (type == AE_IFCHR || type == AE_IFBLK))
		return 1;
	if (path != raw)
		archive_entry_set_pathname(e, path);
	drop_overlay_xattrs(e);
	if (archive_write_header(disk, e) < ARCHIVE_WARN ||
	    (archive_entry_size(e) > 0 && copy_data(tar, disk) == -1) ||
	    archive_write_finish_entry(disk) < ARCHIVE_WARN) {
		*cause = xasprintf("member %s: %s", raw,
		    archive_error_string(disk) ?: archive_error_string(tar));
		return -1;
	}
	return 0;
}

static struct archive *
disk_new(void)
{
	struct archive *disk = archive_write_disk_new();

	archive_write_disk_set_options(disk, ARCHIVE_EXTRACT_OWNER |
	    ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR |
	    ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
	    ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
	return disk;
}

/* Every entry of the tar (the current directory is the layer's root). */
static int
extract_all(struct stream *s, struct imglayer_stats *st, char **cause)
{
	struct archive *tar = archive_read_new(), *disk = disk_new();
	struct archive_entry *e;
	int r, rootfd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	archive_read_support_format_tar(tar);
	if (rootfd == -1 || archive_read_open(tar, s, NULL, raw_read_cb,
	    NULL) != ARCHIVE_OK) {
		*cause = rootfd == -1 ? errno_cause("layer directory") :
		    xstrdup(archive_error_string(tar));
		r = -1;
		goto out;
	}
	while ((r = archive_read_next_header(tar, &e)) == ARCHIVE_OK ||
	    r == ARCHIVE_WARN) {
		if ((r = entry(tar, disk, rootfd, e, cause)) == -1)
			goto out;
		st->skipped += (unsigned long)r;
	}
	if (r != ARCHIVE_EOF) {
		*cause = xasprintf("tar: %s", archive_error_string(tar));
		r = -1;
	} else if ((r = archive_write_close(disk)) < ARCHIVE_WARN)
		*cause = xasprintf("tar: %s", archive_error_string(disk));
	r = r < ARCHIVE_WARN ? -1 : 0;
out:
	archive_read_free(tar);
	archive_write_free(disk);
	if (rootfd != -1)
		close(rootfd);
	return r;
}

/* nftw has no argument for its callback: the sum of one walk at a time. */
static uint64_t tree_size;

static int
size_cb(const char *path, const struct stat *sb, int flag, struct FTW *f)
{
	(void)path;
	(void)flag;
	(void)f;
	tree_size += (uint64_t)sb->st_blocks * 512;
	return 0;
}

int
imglayer_extract(struct imgblob *blob, const struct imglayer_ref *l,
    const char *root, struct imglayer_stats *st, char **cause)
{
	struct stream s = { .blob = blob };
	int cwd, r = -1;

	memset(st, 0, sizeof *st);
	if (mkdir(root, 0755) == -1 ||
	    (cwd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		*cause = errno_cause("%s", root);
		return -1;
	}
	if (chdir(root) == -1)
		*cause = errno_cause("%s", root);
	else if (stream_open(&s, cause) == 0) {
		r = extract_all(&s, st, cause);
		r = stream_verify(&s, l, r == -1, cause);
	} else		/* gzip refused its first bytes: the digest says why */
		r = stream_verify(&s, l, 1, cause);
	if (fchdir(cwd) == -1 && r == 0) {
		*cause = errno_cause("back to the working directory");
		r = -1;
	}
	close(cwd);
	if (s.raw != NULL)
		archive_read_free(s.raw);
	free(s.cause);
	tree_size = 0;
	if (r == 0 && nftw(root, size_cb, 64, FTW_PHYS) == 0)
		st->size = tree_size;
	return r;
}

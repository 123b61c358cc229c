/* SPDX-License-Identifier: ISC */
/*
 * image-private.h: what the files of supd-image share (src/image*.c, see
 * supd-image(8) and docs/design.md "Images"):
 *   image.c         main and the commands unpack, rm, prune
 *   image-ref.c     REF parsing (image-ref.h)
 *   image-src.c     the sources: a layout directory or an archive's members
 *   image-oci.c     index, manifest and config JSON (json-c)
 *   image-config.c  the config's defaults and info files for supd
 *   image-layer.c   one layer's extraction (libarchive), whiteouts
 *   image-store.c   the store: lock, tmp, publication, refs, rm, prune
 *   image-digest.c  sha256 (nettle)
 * Functions that can fail return -1 and hand an allocated one-line reason
 * up through `char **cause`; main prints it as `supd-image: REF: reason`.
 */
#ifndef SUPD_IMAGE_PRIVATE_H
#define SUPD_IMAGE_PRIVATE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <nettle/sha2.h>

#include "image-ref.h"
#include "util.h"

#define IMG_HEX_LEN	64
/* Index, manifest and config: read whole, at most this (docker's limit). */
#define IMG_JSON_MAX	(4 << 20)

/* image-digest.c */
struct imgdig {
	struct sha256_ctx ctx;
};
void	 imgdig_init(struct imgdig *);
void	 imgdig_update(struct imgdig *, const void *, size_t);
void	 imgdig_hex(struct imgdig *, char out[IMG_HEX_LEN + 1]);
void	 imgdig_buf(const void *, size_t, char out[IMG_HEX_LEN + 1]);
/* "sha256:" and 64 lowercase hex digits: the hex in out; -1 otherwise. */
int	 imgdig_parse(const char *, char out[IMG_HEX_LEN + 1]);
int	 imgdig_is_hex(const char *);

/* image-src.c */
struct imgsrc;
struct imgblob;
int	 imgsrc_open(const struct imgref *, struct imgsrc **, char **cause);
void	 imgsrc_close(struct imgsrc *);
/* IMGREF_LAYOUT, IMGREF_OCI_ARCHIVE or IMGREF_DOCKER_ARCHIVE */
enum imgref_kind imgsrc_kind(const struct imgsrc *);
/* "DEV INO SIZE MTIME_NS" of the archive or of the layout's index.json,
 * taken when it was opened. */
const char *imgsrc_stamp(const struct imgsrc *);
/* name: a path in the layout or a member of the archive. */
int	 imgsrc_blob(struct imgsrc *, const char *name, struct imgblob **,
	    char **cause);
/* Bytes of the blob in *buf: > 0, 0 at its end, -1 with *cause. */
ssize_t	 imgblob_read(struct imgblob *, const void **buf, char **cause);
void	 imgblob_close(struct imgblob *);
/* The whole of a small blob (at most IMG_JSON_MAX), NUL-terminated, and
 * its sha256 in hex. */
int	 imgsrc_slurp(struct imgsrc *, const char *name, struct buf *,
	    char hex[IMG_HEX_LEN + 1], char **cause);

/* image-oci.c: a resolved image. */
struct imglayer_ref {
	char	*member;		/* its blob: path in the source */
	char	 blob[IMG_HEX_LEN + 1];	/* blob digest, "" when none (docker) */
	char	 diff[IMG_HEX_LEN + 1];	/* diff_id: the uncompressed tar's */
};
struct imgimage {
	char	 id[IMG_HEX_LEN + 1];	/* manifest digest */
	struct buf manifest;
	struct buf config;
	struct imglayer_ref *layers;	/* bottom first */
	size_t	 nlayers;
};
int	 imgoci_resolve(struct imgsrc *, const char *tag, struct imgimage *,
	    char **cause);
void	 imgoci_free(struct imgimage *);
/* image-config.c: the defaults and info files (docs/design.md "Images"). */
int	 imgcfg_defaults(const struct buf *config, struct buf *out,
	    char **cause);
int	 imgcfg_info(const struct buf *config, uint64_t size,
	    unsigned long skipped, struct buf *out, char **cause);
/* VALUE of a defaults line: \\, \t, \n escaped. */
void	 imgcfg_escape(struct buf *, const char *);

/* image-layer.c */
struct imglayer_stats {
	uint64_t size;		/* sum of st_blocks * 512 of the tree */
	unsigned long skipped;	/* device nodes not created */
};
/* Extract the blob of l into the directory root (created), checking its
 * digest and diff_id. */
int	 imglayer_extract(struct imgblob *, const struct imglayer_ref *l,
	    const char *root, struct imglayer_stats *, char **cause);

/* image-store.c */
struct imgstore {
	char	*dir;
	int	 dirfd;
	int	 lockfd;
};
int	 imgstore_open(struct imgstore *, const char *dir, char **cause);
void	 imgstore_close(struct imgstore *);
/* A new directory under tmp/ (path allocated). */
int	 imgstore_mktmp(struct imgstore *, const char *what, char **path,
	    char **cause);
int	 imgstore_has(struct imgstore *, const char *sub, const char *hex);
/* rename tmp path to sub/hex (an existing one is kept: same content). */
int	 imgstore_publish(struct imgstore *, const char *tmp, const char *sub,
	    const char *hex, char **cause);
int	 imgstore_write(const char *dir, const char *name, const void *,
	    size_t, char **cause);
int	 imgstore_read_layer(struct imgstore *, const char *hex,
	    struct imglayer_stats *);
int	 imgstore_write_ref(struct imgstore *, const char *ref, const char *id,
	    const char *stamp, char **cause);
int	 imgstore_rm_images(struct imgstore *, char **ids, int n, char **cause);
int	 imgstore_prune(struct imgstore *, char **cause);
int	 imgstore_rm_rf(const char *path);

#endif

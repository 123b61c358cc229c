/* SPDX-License-Identifier: ISC */
/*
 * image-ref.h: an image reference (REF) as supd-image(8) and docs/design.md
 * "Images" write it, split into its kind, its absolute path and its tag.
 * Only libc and util.c: supd may compile image-ref.c to find the file a REF names (its
 * stamp) without running supd-image.
 */
#ifndef SUPD_IMAGE_REF_H
#define SUPD_IMAGE_REF_H

#include <stddef.h>

enum imgref_kind {
	IMGREF_AUTO,		/* no prefix: a directory is a layout, a file an archive */
	IMGREF_LAYOUT,		/* an OCI image layout directory */
	IMGREF_OCI_ARCHIVE,	/* oci-archive: a tar of a layout */
	IMGREF_DOCKER_ARCHIVE	/* docker-archive: `docker save` output */
};

struct imgref {
	enum imgref_kind kind;
	char	*path;	/* absolute, as given */
	char	*tag;	/* NULL when the REF has none */
};

/*
 * Split ref. The path ends at the first ':' after its last '/' (what follows
 * is the tag); for docker-archive: it ends at the first ':' after the
 * prefix, since a docker tag's name has slashes (supd/app:1). -1 with a
 * constant reason in *errstr (not absolute, empty tag, ...).
 */
int	 imgref_parse(const char *ref, struct imgref *, const char **errstr);

/* The length of ref's kind prefix ("oci-archive:", "docker-archive:",
 * "oci:"), 0 without one: what precedes the path. */
size_t	 imgref_prefix_len(const char *ref);
void	 imgref_free(struct imgref *);

/*
 * The file whose stat is the source's stamp: the archive itself, or a
 * layout's index.json. Allocated.
 */
char	*imgref_stamp_path(const struct imgref *, int is_dir);

#endif

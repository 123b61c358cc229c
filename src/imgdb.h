/* SPDX-License-Identifier: ISC */
/*
 * imgdb.h: supd's reading of the image store supd-image writes
 * (state_dir/images, docs/design.md "Images"): a REF's record and whether
 * its source is unchanged since, an image's layers and defaults, the
 * listing for supctl image. supd never writes the store (supd-image does,
 * under its lock, each file by a rename) and reads it without the lock.
 */
#ifndef SUPD_IMGDB_H
#define SUPD_IMGDB_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

/* The defaults of an image's config (the store's `defaults` file); a key
 * the config has not is NULL. */
struct img_defaults {
	char	**entrypoint;	/* Entrypoint, NULL-terminated */
	char	**cmd;		/* Cmd */
	char	**env;		/* Env, NAME=VALUE each */
	char	**ports;	/* ExposedPorts, "80/tcp" each */
	char	 *workdir;	/* WorkingDir */
	char	 *user;		/* User */
	char	 *stop_signal;	/* StopSignal, as the config says it */
};

/* One stored image. */
struct img {
	char		*id;		/* sha256:HEX, the manifest's digest */
	char		**layers;	/* HEX each (a diff_id), bottom first */
	size_t		 nlayers;
	struct img_defaults d;
};

/* state_dir/images (allocated). */
char	*imgdb_dir(const char *state_dir);
/*
 * REF's record names an image and its source is the one it was made
 * from (same device, inode, size, mtime): 1 and *id (allocated); 0 when
 * it must be unpacked (no record, another source, no such image).
 */
int	 imgdb_current(const char *store, const char *ref, char **id);
/* The image id's layers and defaults: -1 and *cause when unreadable. */
int	 imgdb_load(const char *store, const char *id, struct img *,
	    char **cause);
void	 imgdb_free(struct img *);
/* store/layers/HEX/root (allocated). */
char	*imgdb_layer_root(const char *store, const char *hex);

/* Every ref record: refs->v[i] names the image ids->v[i]. */
void	 imgdb_refs(const char *store, struct strv *refs,
	    struct strv *ids);
/* Every stored image's id (sha256:HEX), sorted. */
void	 imgdb_ids(const char *store, struct strv *ids);
/* A line `KEY VALUE` of the image's info file: VALUE (allocated), or
 * NULL. */
char	*imgdb_info(const char *store, const char *id, const char *key);
/* The file FILE of the image's directory, whole (allocated), or NULL. */
char	*imgdb_file(const char *store, const char *id, const char *file);
/* An id given as sha256:HEX, HEX, or a prefix of HEX that names one image
 * alone: its full id (allocated), or NULL. */
char	*imgdb_find_id(const char *store, const char *given);

#endif

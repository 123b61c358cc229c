/* SPDX-License-Identifier: ISC */
/*
 * image-ref.c: parsing an image reference (REF) of supd-image(8):
 *   /abs/layout[:tag] (or oci:/abs/layout[:tag])  oci-archive:/abs/x.tar[:tag]
 *   docker-archive:/abs/x.tar[:name:tag]  /abs/x.tar[:tag] (by its content)
 * Only libc and util.c, so that supd can link it to find the source's file.
 */
#include <stdlib.h>
#include <string.h>

#include "image-ref.h"
#include "util.h"

static const struct {
	const char	*prefix;
	enum imgref_kind kind;
} prefixes[] = {
	{ "oci-archive:", IMGREF_OCI_ARCHIVE },
	{ "docker-archive:", IMGREF_DOCKER_ARCHIVE },
	{ "oci:", IMGREF_LAYOUT },	/* skopeo's name for a layout */
};

size_t
imgref_prefix_len(const char *ref)
{
	size_t	i, n;

	for (i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		n = strlen(prefixes[i].prefix);
		if (strncmp(ref, prefixes[i].prefix, n) == 0)
			return n;
	}
	return 0;
}

int
imgref_parse(const char *ref, struct imgref *r, const char **errstr)
{
	const char *p = ref, *slash, *colon;
	size_t i;

	memset(r, 0, sizeof *r);
	r->kind = IMGREF_AUTO;
	for (i = 0; i < sizeof prefixes / sizeof prefixes[0]; i++) {
		size_t n = strlen(prefixes[i].prefix);

		if (strncmp(p, prefixes[i].prefix, n) == 0) {
			r->kind = prefixes[i].kind;
			p += n;
			break;
		}
	}
	if (*p != '/') {
		*errstr = "not an absolute path";
		return -1;
	}
	if (r->kind == IMGREF_DOCKER_ARCHIVE)
		colon = strchr(p, ':');
	else {
		slash = strrchr(p, '/');
		colon = strchr(slash, ':');
	}
	if (colon != NULL && colon[1] == '\0') {
		*errstr = "empty tag";
		return -1;
	}
	if (colon == p + 1 || (colon != NULL && colon[-1] == '/')) {
		*errstr = "no file name before the tag";
		return -1;
	}
	r->path = colon != NULL ? xstrndup(p, (size_t)(colon - p)) : xstrdup(p);
	r->tag = colon != NULL ? xstrdup(colon + 1) : NULL;
	return 0;
}

void
imgref_free(struct imgref *r)
{
	free(r->path);
	free(r->tag);
	r->path = r->tag = NULL;
}

char *
imgref_stamp_path(const struct imgref *r, int is_dir)
{
	if (r->kind == IMGREF_LAYOUT || (r->kind == IMGREF_AUTO && is_dir))
		return xasprintf("%s/index.json", r->path);
	return xstrdup(r->path);
}

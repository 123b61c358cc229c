/* SPDX-License-Identifier: ISC */
/*
 * image-oci.c: the JSON of an image (json-c) -- from a layout's index.json
 * (through nested indexes, for this machine's architecture) or a docker
 * archive's manifest.json to the manifest, the config and the layers,
 * each blob checked against the digest naming it; and the config's
 * defaults and info files for supd (docs/design.md "Images").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "image-private.h"

#define REF_NAME	"org.opencontainers.image.ref.name"
#define MAX_NESTING	4

#if defined(__x86_64__)
#define MACHINE_ARCH	"amd64"
#elif defined(__aarch64__)
#define MACHINE_ARCH	"arm64"
#elif defined(__i386__)
#define MACHINE_ARCH	"386"
#elif defined(__arm__)
#define MACHINE_ARCH	"arm"
#elif defined(__riscv) && __riscv_xlen == 64
#define MACHINE_ARCH	"riscv64"
#elif defined(__s390x__)
#define MACHINE_ARCH	"s390x"
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define MACHINE_ARCH	"ppc64le"
#else
#define MACHINE_ARCH	"unknown"
#endif

static json_object *
parse_json(const struct buf *b, const char *what, char **cause)
{
	struct json_tokener *tok = json_tokener_new();
	json_object *o;

	o = json_tokener_parse_ex(tok, b->p != NULL ? b->p : "", (int)b->len);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    (size_t)json_tokener_get_parse_end(tok) != b->len) {
		*cause = xasprintf("%s: not valid JSON (%s)", what,
		    json_tokener_error_desc(json_tokener_get_error(tok)));
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

/* o[key] as a string, NULL when absent or not a string. */
static const char *
get_str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static json_object *
get_typed(json_object *o, const char *key, json_type t)
{
	json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, t))
		return NULL;
	return v;
}

static int
is_index_type(const char *mt)
{
	return mt != NULL &&
	    (strcmp(mt, "application/vnd.oci.image.index.v1+json") == 0 ||
	    strcmp(mt, "application/vnd.docker.distribution.manifest.list.v2+json") == 0);
}

/* The tags of an index's manifests, ", "-separated, for an error. */
static char *
index_tags(json_object *ms)
{
	struct buf b = { 0 };
	size_t i, n = json_object_array_length(ms);

	for (i = 0; i < n; i++) {
		const char *t = get_str(get_typed(json_object_array_get_idx(ms,
		    i), "annotations", json_type_object), REF_NAME);

		buf_printf(&b, "%s%s", b.len ? ", " : "", t ? t : "(untagged)");
	}
	buf_add(&b, "", 0);
	return b.p;
}

/* The descriptor of index's manifests that tag (or, for a nested index,
 * the platform) selects. */
static json_object *
pick_descriptor(json_object *index, const char *tag, int nested,
    char **cause)
{
	json_object *ms = get_typed(index, "manifests", json_type_array);
	size_t i, n = ms ? json_object_array_length(ms) : 0;
	char *tags;

	for (i = 0; i < n && (tag != NULL || nested); i++) {
		json_object *d = json_object_array_get_idx(ms, i);
		json_object *p = get_typed(d, "platform", json_type_object);
		const char *t = get_str(get_typed(d, "annotations",
		    json_type_object), REF_NAME);

		if (nested ? p != NULL &&
		    strcmp(get_str(p, "architecture") ?: "", MACHINE_ARCH) == 0 &&
		    strcmp(get_str(p, "os") ?: "", "linux") == 0 :
		    t != NULL && strcmp(t, tag) == 0)
			return d;
	}
	if (n == 1 && tag == NULL && !nested)
		return json_object_array_get_idx(ms, 0);
	if (n == 0) {
		*cause = xstrdup("the index names no manifest");
		return NULL;
	}
	if (nested) {
		*cause = xstrdup("no manifest for linux/" MACHINE_ARCH);
		return NULL;
	}
	tags = index_tags(ms);
	if (tag != NULL)
		*cause = xasprintf("no manifest tagged %s (tags: %s)", tag, tags);
	else
		*cause = xasprintf("%zu manifests, name one by its tag: %s", n,
		    tags);
	free(tags);
	return NULL;
}

/* Read the blob d describes into out, checked against its digest. */
static int
read_verified(struct imgsrc *src, json_object *d, const char *what,
    struct buf *out, char hex[IMG_HEX_LEN + 1], char **cause)
{
	const char *dg = get_str(d, "digest");
	char want[IMG_HEX_LEN + 1], *name;
	int r;

	if (imgdig_parse(dg, want) == -1) {
		*cause = xasprintf("%s: bad digest %s", what, dg ? dg : "(none)");
		return -1;
	}
	name = xasprintf("blobs/sha256/%s", want);
	r = imgsrc_slurp(src, name, out, hex, cause);
	free(name);
	if (r == 0 && strcmp(hex, want) != 0) {
		*cause = xasprintf("%s sha256:%s: digest mismatch", what, want);
		r = -1;
	}
	return r;
}

static int
layer_type_ok(const char *mt)
{
	return mt == NULL || strstr(mt, ".tar") != NULL ||
	    strstr(mt, "+tar") != NULL || strstr(mt, "layer.v1.tar") != NULL;
}

/* The config's rootfs.diff_ids into the layers (n of them). */
static int
take_diff_ids(struct imgimage *im, json_object *cfg, char **cause)
{
	json_object *ids = get_typed(get_typed(cfg, "rootfs", json_type_object),
	    "diff_ids", json_type_array);
	size_t i;

	if (ids == NULL || json_object_array_length(ids) != im->nlayers) {
		*cause = xasprintf("config: %zu layers but %zu diff_ids",
		    im->nlayers, ids ? json_object_array_length(ids) : 0);
		return -1;
	}
	for (i = 0; i < im->nlayers; i++) {
		const char *s = json_object_get_string(
		    json_object_array_get_idx(ids, i));

		if (imgdig_parse(s, im->layers[i].diff) == -1) {
			*cause = xasprintf("config: bad diff_id %s", s ? s : "");
			return -1;
		}
	}
	return 0;
}

static int
read_config(struct imgsrc *src, struct imgimage *im, json_object *d,
    char **cause)
{
	char hex[IMG_HEX_LEN + 1];
	json_object *cfg;
	int r;

	if (read_verified(src, d, "config", &im->config, hex, cause) == -1)
		return -1;
	if ((cfg = parse_json(&im->config, "config", cause)) == NULL)
		return -1;
	r = take_diff_ids(im, cfg, cause);
	json_object_put(cfg);
	return r;
}

/* An OCI or docker v2 manifest (already checked) into im. */
static int
take_manifest(struct imgsrc *src, struct imgimage *im, char **cause)
{
	json_object *m, *ls, *cd;
	size_t i;
	int r = -1;

	if ((m = parse_json(&im->manifest, "manifest", cause)) == NULL)
		return -1;
	ls = get_typed(m, "layers", json_type_array);
	cd = get_typed(m, "config", json_type_object);
	if (ls == NULL || cd == NULL) {
		*cause = xstrdup("manifest: no config or no layers");
		goto out;
	}
	im->nlayers = json_object_array_length(ls);
	im->layers = xcalloc(im->nlayers + 1, sizeof *im->layers);
	for (i = 0; i < im->nlayers; i++) {
		json_object *l = json_object_array_get_idx(ls, i);
		const char *mt = get_str(l, "mediaType");

		if (!layer_type_ok(mt)) {
			*cause = xasprintf("layer %zu: media type %s is not a "
			    "tar", i, mt);
			goto out;
		}
		if (imgdig_parse(get_str(l, "digest"), im->layers[i].blob) == -1) {
			*cause = xasprintf("layer %zu: bad digest", i);
			goto out;
		}
		im->layers[i].member = xasprintf("blobs/sha256/%s",
		    im->layers[i].blob);
	}
	r = read_config(src, im, cd, cause);
out:
	json_object_put(m);
	return r;
}

static int
resolve_oci(struct imgsrc *src, const char *tag, struct imgimage *im,
    char **cause)
{
	char hex[IMG_HEX_LEN + 1];
	json_object *index, *d;
	int depth, r = -1;

	if (imgsrc_slurp(src, "index.json", &im->manifest, hex, cause) == -1 ||
	    (index = parse_json(&im->manifest, "index.json", cause)) == NULL)
		return -1;
	for (depth = 0; depth < MAX_NESTING; depth++) {
		const char *mt;

		if ((d = pick_descriptor(index, tag, depth > 0, cause)) == NULL)
			goto out;
		mt = get_str(d, "mediaType");
		if (read_verified(src, d, is_index_type(mt) ? "index" :
		    "manifest", &im->manifest, im->id, cause) == -1)
			goto out;
		if (!is_index_type(mt))
			break;
		json_object_put(index);
		if ((index = parse_json(&im->manifest, "index", cause)) == NULL)
			return -1;
	}
	if (depth == MAX_NESTING)
		*cause = xstrdup("indexes nested too deep");
	else
		r = take_manifest(src, im, cause);
out:
	json_object_put(index);
	return r;
}

/* A docker tag with its default registry and namespace dropped. */
static const char *
short_tag(const char *t)
{
	if (strncmp(t, "docker.io/", 10) == 0)
		t += 10;
	if (strncmp(t, "library/", 8) == 0)
		t += 8;
	return t;
}

static json_object *
pick_docker(json_object *all, const char *tag, char **cause)
{
	size_t i, j, n = json_object_array_length(all);

	if (tag == NULL && n == 1)
		return json_object_array_get_idx(all, 0);
	for (i = 0; i < n && tag != NULL; i++) {
		json_object *ts = get_typed(json_object_array_get_idx(all, i),
		    "RepoTags", json_type_array);

		for (j = 0; ts != NULL && j < json_object_array_length(ts); j++) {
			const char *t = json_object_get_string(
			    json_object_array_get_idx(ts, j));

			if (t != NULL && strcmp(short_tag(t), short_tag(tag)) == 0)
				return json_object_array_get_idx(all, i);
		}
	}
	if (tag != NULL)
		*cause = xasprintf("no image tagged %s in manifest.json", tag);
	else
		*cause = xasprintf("%zu images in manifest.json, name one by "
		    "its tag", n);
	return NULL;
}

/* A member named by its digest (HEX.json, HEX.tar, blobs/sha256/HEX):
 * that digest, else "". */
static void
member_digest(const char *name, char hex[IMG_HEX_LEN + 1])
{
	const char *base = strrchr(name, '/');

	base = base != NULL ? base + 1 : name;
	hex[0] = '\0';
	if (strlen(base) >= IMG_HEX_LEN) {
		memcpy(hex, base, IMG_HEX_LEN);
		hex[IMG_HEX_LEN] = '\0';
		if ((base[IMG_HEX_LEN] != '\0' && base[IMG_HEX_LEN] != '.') ||
		    !imgdig_is_hex(hex))
			hex[0] = '\0';
	}
}

/* docker save: manifest.json's entry for tag; the image id is its config's
 * digest (docker's image id: there is no manifest blob). */
static int
resolve_docker(struct imgsrc *src, const char *tag, struct imgimage *im,
    char **cause)
{
	char hex[IMG_HEX_LEN + 1], want[IMG_HEX_LEN + 1];
	json_object *all, *e, *ls, *cfg;
	const char *cname;
	size_t i;
	int r = -1;

	if (imgsrc_slurp(src, "manifest.json", &im->manifest, hex, cause) == -1 ||
	    (all = parse_json(&im->manifest, "manifest.json", cause)) == NULL)
		return -1;
	if (!json_object_is_type(all, json_type_array)) {
		*cause = xstrdup("manifest.json: not an array");
		goto out;
	}
	if ((e = pick_docker(all, tag, cause)) == NULL)
		goto out;
	ls = get_typed(e, "Layers", json_type_array);
	if ((cname = get_str(e, "Config")) == NULL || ls == NULL) {
		*cause = xstrdup("manifest.json: no Config or no Layers");
		goto out;
	}
	buf_reset(&im->manifest);
	buf_puts(&im->manifest, json_object_to_json_string_ext(e,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	if (imgsrc_slurp(src, cname, &im->config, im->id, cause) == -1)
		goto out;
	member_digest(cname, want);
	if (want[0] != '\0' && strcmp(want, im->id) != 0) {
		*cause = xasprintf("config sha256:%s: digest mismatch", want);
		goto out;
	}
	im->nlayers = json_object_array_length(ls);
	im->layers = xcalloc(im->nlayers + 1, sizeof *im->layers);
	for (i = 0; i < im->nlayers; i++) {
		const char *n = json_object_get_string(
		    json_object_array_get_idx(ls, i));

		im->layers[i].member = xstrdup(n ? n : "");
		if (strncmp(im->layers[i].member, "blobs/sha256/", 13) == 0)
			member_digest(n, im->layers[i].blob);
	}
	if ((cfg = parse_json(&im->config, "config", cause)) == NULL)
		goto out;
	r = take_diff_ids(im, cfg, cause);
	json_object_put(cfg);
out:
	json_object_put(all);
	return r;
}

int
imgoci_resolve(struct imgsrc *src, const char *tag, struct imgimage *im,
    char **cause)
{
	memset(im, 0, sizeof *im);
	if (imgsrc_kind(src) == IMGREF_DOCKER_ARCHIVE)
		return resolve_docker(src, tag, im, cause);
	return resolve_oci(src, tag, im, cause);
}

void
imgoci_free(struct imgimage *im)
{
	size_t i;

	for (i = 0; i < im->nlayers; i++)
		free(im->layers[i].member);
	free(im->layers);
	buf_free(&im->manifest);
	buf_free(&im->config);
	memset(im, 0, sizeof *im);
}

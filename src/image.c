/* SPDX-License-Identifier: ISC */
/*
 * image.c: supd-image, the program supd runs to put an image into its
 * store (supd-image(8), docs/design.md "Images"): main and the commands
 *   unpack --store DIR REF   rm --store DIR ID...   prune --store DIR
 * supd never links libarchive, json-c or nettle: it runs this as a child
 * and reads only the small text files it leaves in the store.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image-private.h"

/* supd's version (src/supd.c): the two are built and installed together. */
#ifndef SUPD_VERSION
#define SUPD_VERSION	"0.1.0"
#endif

static void
usage(void)
{
	fprintf(stderr, "usage: supd-image unpack --store DIR REF\n"
	    "       supd-image rm --store DIR ID...\n"
	    "       supd-image prune --store DIR\n"
	    "       supd-image --version\n");
	exit(2);
}

struct pending {
	char	*tmp;		/* tmp/layer-XXXXXX, its root/ the tree */
	const char *diff;	/* its name in layers/ */
};

/* The layers of im not in the store yet, each into tmp/; published only
 * when every one is verified, so a bad one leaves nothing in layers/. */
static int
unpack_layers(struct imgsrc *src, struct imgstore *st,
    const struct imgimage *im, char **cause)
{
	struct pending *p = xcalloc(im->nlayers + 1, sizeof *p);
	size_t i, j, np = 0;
	int r = 0;

	for (i = 0; i < im->nlayers && r == 0; i++) {
		const struct imglayer_ref *l = &im->layers[i];
		struct imglayer_stats ls;
		struct imgblob *b;
		char *root, num[32];

		for (j = 0; j < np && strcmp(p[j].diff, l->diff) != 0; j++)
			;
		if (j < np || imgstore_has(st, "layers", l->diff))
			continue;
		if ((r = imgstore_mktmp(st, "layer", &p[np].tmp, cause)) == -1)
			break;
		p[np].diff = l->diff;
		root = xasprintf("%s/root", p[np++].tmp);
		if ((r = imgsrc_blob(src, l->member, &b, cause)) == 0) {
			r = imglayer_extract(b, l, root, &ls, cause);
			imgblob_close(b);
		}
		free(root);
		if (r == -1 && strncmp(*cause, "layer ", 6) != 0) {
			char *c = xasprintf("layer sha256:%s: %s", l->diff,
			    *cause);

			free(*cause);
			*cause = c;
		}
		if (r == 0) {
			snprintf(num, sizeof num, "%ju\n", (uintmax_t)ls.size);
			r = imgstore_write(p[np - 1].tmp, "size", num,
			    strlen(num), cause);
		}
		if (r == 0) {
			snprintf(num, sizeof num, "%lu\n", ls.skipped);
			r = imgstore_write(p[np - 1].tmp, "skipped_nodes", num,
			    strlen(num), cause);
		}
	}
	for (j = 0; j < np; j++) {
		if (r == 0)
			r = imgstore_publish(st, p[j].tmp, "layers", p[j].diff,
			    cause);
		else
			imgstore_rm_rf(p[j].tmp);
		free(p[j].tmp);
	}
	free(p);
	return r;
}

/*
 * Whether layer i comes again higher up. overlayfs refuses a lowerdir named
 * twice, and only the topmost copy counts: what it adds is there whatever
 * lay between, what lay between whited out of it comes back. So the
 * layers file names each layer once, at its topmost place.
 */
static int
layer_again(const struct imgimage *im, size_t i)
{
	size_t j;

	for (j = i + 1; j < im->nlayers; j++)
		if (strcmp(im->layers[j].diff, im->layers[i].diff) == 0)
			return 1;
	return 0;
}

/* images/ID: the verified blobs and the files supd reads. */
static int
write_image(struct imgstore *st, const struct imgimage *im, char **cause)
{
	struct buf layers = { 0 }, defaults = { 0 }, info = { 0 };
	struct imglayer_stats ls;
	uint64_t size = 0;
	unsigned long skipped = 0;
	char *tmp;
	size_t i;
	int r;

	for (i = 0; i < im->nlayers; i++) {
		if (layer_again(im, i))
			continue;
		imgstore_read_layer(st, im->layers[i].diff, &ls);
		size += ls.size;
		skipped += ls.skipped;
		buf_printf(&layers, "%s\n", im->layers[i].diff);
	}
	buf_add(&layers, "", 0);
	if (imgcfg_defaults(&im->config, &defaults, cause) == -1 ||
	    imgcfg_info(&im->config, size, skipped, &info, cause) == -1 ||
	    imgstore_mktmp(st, "image", &tmp, cause) == -1) {
		r = -1;
		goto out;
	}
	r = imgstore_write(tmp, "manifest.json", im->manifest.p,
	    im->manifest.len, cause);
	if (r == 0)
		r = imgstore_write(tmp, "config.json", im->config.p,
		    im->config.len, cause);
	if (r == 0)
		r = imgstore_write(tmp, "layers", layers.p, layers.len, cause);
	if (r == 0)
		r = imgstore_write(tmp, "defaults", defaults.p, defaults.len,
		    cause);
	if (r == 0)
		r = imgstore_write(tmp, "info", info.p, info.len, cause);
	if (r == 0)
		r = imgstore_publish(st, tmp, "images", im->id, cause);
	else
		imgstore_rm_rf(tmp);
	free(tmp);
out:
	buf_free(&layers);
	buf_free(&defaults);
	buf_free(&info);
	return r;
}

static int
cmd_unpack(const char *store, const char *ref, char **cause)
{
	struct imgref r;
	struct imgsrc *src = NULL;
	struct imgstore st;
	struct imgimage im = { 0 };
	const char *errstr;
	int rc = -1;

	if (imgref_parse(ref, &r, &errstr) == -1) {
		*cause = xstrdup(errstr);
		return -1;
	}
	if (imgsrc_open(&r, &src, cause) == -1)
		goto out;
	if (imgstore_open(&st, store, cause) == -1)
		goto close;
	if (imgoci_resolve(src, r.tag, &im, cause) == 0 &&
	    (imgstore_has(&st, "images", im.id) ||
	    (unpack_layers(src, &st, &im, cause) == 0 &&
	    write_image(&st, &im, cause) == 0)) &&
	    imgstore_write_ref(&st, ref, im.id, imgsrc_stamp(src), cause) == 0) {
		printf("sha256:%s\n", im.id);
		rc = 0;
	}
	imgoci_free(&im);
close:
	imgstore_close(&st);
out:
	imgsrc_close(src);
	imgref_free(&r);
	return rc;
}

int
main(int argc, char **argv)
{
	struct imgstore st;
	const char *cmd, *store, *what;
	char *cause = NULL;
	int r;

	/* The parents a tar does not list are made 0755, as docker makes
	 * them, whatever umask supd-image was started with: a layer's
	 * directory is the mode of its overlay's directory. */
	umask(022);
	if (argc == 2 && strcmp(argv[1], "--version") == 0) {
		printf("supd-image %s\n", SUPD_VERSION);
		return 0;
	}
	if (argc < 4 || strcmp(argv[2], "--store") != 0)
		usage();
	cmd = argv[1];
	store = argv[3];
	what = store;
	if (strcmp(cmd, "unpack") == 0 && argc == 5) {
		what = argv[4];
		r = cmd_unpack(store, argv[4], &cause);
	} else if ((strcmp(cmd, "rm") == 0 && argc > 4) ||
	    (strcmp(cmd, "prune") == 0 && argc == 4)) {
		if ((r = imgstore_open(&st, store, &cause)) == 0) {
			if (cmd[0] == 'r')
				r = imgstore_rm_images(&st, argv + 4, argc - 4,
				    &cause);
			else
				r = imgstore_prune(&st, &cause);
			imgstore_close(&st);
		}
	} else
		usage();
	if (r == -1) {
		fprintf(stderr, "supd-image: %s: %s\n", what, cause);
		free(cause);
		return 1;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}

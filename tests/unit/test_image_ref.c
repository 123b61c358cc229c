/* SPDX-License-Identifier: ISC */
/*
 * test_image_ref.c: unit tests for image-ref.c -- supd-image's REF syntax:
 * kinds by prefix, where the path ends and the tag starts (a layout's
 * and oci-archive's after the path's last '/', a docker archive's at the
 * first ':', its name having slashes), bad REFs, the stamp's file.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "image-ref.h"

static void
ok(const char *ref, enum imgref_kind kind, const char *path, const char *tag)
{
	struct imgref r;
	const char *e = NULL;

	CHECK_INT(imgref_parse(ref, &r, &e), 0);
	CHECK_INT(r.kind, kind);
	CHECK_STR(r.path, path);
	if (tag == NULL)
		CHECK(r.tag == NULL);
	else
		CHECK_STR(r.tag, tag);
	imgref_free(&r);
}

static void
bad(const char *ref, const char *err)
{
	struct imgref r;
	const char *e = NULL;

	CHECK_INT(imgref_parse(ref, &r, &e), -1);
	CHECK_STR(e, err);
}

int
main(void)
{
	struct imgref r;
	const char *e;
	char *p;

	ok("/srv/images/alpine", IMGREF_AUTO, "/srv/images/alpine", NULL);
	ok("/srv/images/alpine:3.20", IMGREF_AUTO, "/srv/images/alpine", "3.20");
	ok("/srv/a:b/img", IMGREF_AUTO, "/srv/a:b/img", NULL);
	ok("/srv/a:b/img:t:u", IMGREF_AUTO, "/srv/a:b/img", "t:u");
	ok("/x.tar", IMGREF_AUTO, "/x.tar", NULL);
	ok("oci:/srv/img:t", IMGREF_LAYOUT, "/srv/img", "t");
	ok("oci-archive:/x.tar", IMGREF_OCI_ARCHIVE, "/x.tar", NULL);
	ok("oci-archive:/d/x.tar:v1", IMGREF_OCI_ARCHIVE, "/d/x.tar", "v1");
	ok("docker-archive:/x.tar", IMGREF_DOCKER_ARCHIVE, "/x.tar", NULL);
	ok("docker-archive:/d/x.tar:supd/test:derived", IMGREF_DOCKER_ARCHIVE,
	    "/d/x.tar", "supd/test:derived");
	ok("docker-archive:/d/x.tar:app:1", IMGREF_DOCKER_ARCHIVE, "/d/x.tar",
	    "app:1");

	bad("relative/img", "not an absolute path");
	bad("", "not an absolute path");
	bad("oci-archive:x.tar", "not an absolute path");
	bad("docker:/x.tar", "not an absolute path");
	bad("/srv/img:", "empty tag");
	bad("docker-archive:/x.tar:", "empty tag");
	bad("/srv/:tag", "no file name before the tag");
	bad("/:tag", "no file name before the tag");

	/* What precedes the path, as supd and supctl skip it. */
	CHECK_INT(imgref_prefix_len("oci:rel/img:t"), 4);
	CHECK_INT(imgref_prefix_len("oci-archive:/x.tar"), 12);
	CHECK_INT(imgref_prefix_len("docker-archive:x.tar:a:b"), 15);
	CHECK_INT(imgref_prefix_len("/srv/oci:img"), 0);
	CHECK_INT(imgref_prefix_len("docker:/x.tar"), 0);

	CHECK_INT(imgref_parse("/srv/img:1", &r, &e), 0);
	p = imgref_stamp_path(&r, 1);
	CHECK_STR(p, "/srv/img/index.json");
	free(p);
	p = imgref_stamp_path(&r, 0);
	CHECK_STR(p, "/srv/img");
	free(p);
	imgref_free(&r);
	CHECK_INT(imgref_parse("oci:/srv/img", &r, &e), 0);
	p = imgref_stamp_path(&r, 0);
	CHECK_STR(p, "/srv/img/index.json");
	free(p);
	imgref_free(&r);
	CHECK_INT(imgref_parse("oci-archive:/x.tar:1", &r, &e), 0);
	p = imgref_stamp_path(&r, 0);
	CHECK_STR(p, "/x.tar");
	free(p);
	imgref_free(&r);
	return unit_done("image_ref");
}

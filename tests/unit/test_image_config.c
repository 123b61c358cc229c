/* SPDX-License-Identifier: ISC */
/*
 * test_image_config.c: unit tests for image-config.c -- the defaults file
 * supd reads (keys, order, escaping of \\ \t \n, empty and absent lists,
 * a NUL refused) and the info file.
 */
#include <stdlib.h>
#include <string.h>

#include "unit.h"
#include "image-private.h"

/* The defaults of config JSON text, or NULL with the cause in *why. */
static char *
defaults(const char *json, char **why)
{
	struct buf in = { 0 }, out = { 0 };

	*why = NULL;
	buf_puts(&in, json);
	if (imgcfg_defaults(&in, &out, why) == -1) {
		buf_free(&out);
		out.p = NULL;
	}
	buf_free(&in);
	return out.p;
}

int
main(void)
{
	struct buf b = { 0 }, in = { 0 };
	char *d, *why;

	imgcfg_escape(&b, "a\\b\tc\nd");
	CHECK_STR(b.p, "a\\\\b\\tc\\nd");
	buf_free(&b);

	d = defaults("{\"config\":{\"Entrypoint\":[\"/bin/sh\",\"-c\"],"
	    "\"Cmd\":[\"echo\\ta\\nb\\\\\"],\"Env\":[\"A=1\",\"B=x y\"],"
	    "\"WorkingDir\":\"/w\",\"User\":\"1:2\",\"StopSignal\":\"SIGINT\","
	    "\"ExposedPorts\":{\"80/tcp\":{},\"53/udp\":{}}}}", &why);
	CHECK_STR(d, "entrypoint\t/bin/sh\nentrypoint\t-c\n"
	    "cmd\techo\\ta\\nb\\\\\nenv\tA=1\nenv\tB=x y\nworkdir\t/w\n"
	    "user\t1:2\nstop_signal\tSIGINT\nport\t80/tcp\nport\t53/udp\n");
	free(d);

	/* Absent, null and empty are the same: no line. */
	d = defaults("{\"config\":{\"Entrypoint\":[],\"Cmd\":null,"
	    "\"WorkingDir\":\"\"}}", &why);
	CHECK_STR(d, "");
	free(d);
	d = defaults("{\"architecture\":\"amd64\"}", &why);
	CHECK_STR(d, "");
	free(d);

	/* A NUL anywhere refuses the image. */
	d = defaults("{\"config\":{\"Cmd\":[\"a\\u0000b\"]}}", &why);
	CHECK(d == NULL);
	CHECK_STR(why, "config: Cmd: not a string or a list of strings "
	    "without NUL");
	free(why);
	d = defaults("{\"config\":{\"Env\":[1]}}", &why);
	CHECK(d == NULL);
	free(why);
	d = defaults("not json", &why);
	CHECK(d == NULL);
	CHECK_STR(why, "config: not a JSON object");
	free(why);

	buf_puts(&in, "{\"created\":\"2024-01-02T03:04:05Z\","
	    "\"architecture\":\"amd64\",\"os\":\"linux\"}");
	CHECK_INT(imgcfg_info(&in, 4096, 2, &b, &why), 0);
	CHECK_STR(b.p, "created 2024-01-02T03:04:05Z\narch amd64\nos linux\n"
	    "size 4096\nskipped_nodes 2\n");
	buf_free(&b);
	buf_free(&in);
	return unit_done("image_config");
}

/* SPDX-License-Identifier: ISC */
/*
 * test_imgdb.c: unit tests for sha256.c (FIPS 180-4's vectors: a REF's
 * record is named by its hash, which supd-image computes with nettle) and
 * imgdb.c on a store written here as supd-image writes it: a ref record
 * current only while its source is unchanged, an image's layers (bottom
 * first) and its escaped defaults, ids by prefix.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imgdb.h"
#include "sha256.h"
#include "unit.h"
#include "util.h"

static void
test_sha256(void)
{
	char	hex[SHA256_HEX_LEN + 1];
	char	a1000[1000];

	sha256_hex("", 0, hex);
	CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	sha256_hex("abc", 3, hex);
	CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 56,
	    hex);
	CHECK_STR(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	memset(a1000, 'a', sizeof a1000);
	sha256_hex(a1000, sizeof a1000, hex);
	CHECK_STR(hex, "41edece42d63e8d9bf515a9ba6932e1c20cbc9f5a5d134645adb5db1b9737ea3");
}

#define ID1	"1111111111111111111111111111111111111111111111111111111111111111"
#define L1	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define L2	"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

/* The record of ref naming ID1 with the stamp of the file src. */
static void
write_ref(const char *store, const char *ref, const char *src)
{
	struct stat	 st;
	char		 hex[SHA256_HEX_LEN + 1], *text, *dir;

	CHECK(stat(src, &st) == 0);
	sha256_hex(ref, strlen(ref), hex);
	text = xasprintf("%s\nsha256:%s\n%ju %ju %jd %lld\n", ref, ID1,
	    (uintmax_t)st.st_dev, (uintmax_t)st.st_ino, (intmax_t)st.st_size,
	    (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec);
	dir = xasprintf("%s/refs", store);
	CHECK(mkdir_p(dir, 0700) == 0);
	free(unit_write_file(dir, hex, text));
	free(dir);
	free(text);
}

static void
test_store(void)
{
	char		 tmpl[] = "/tmp/test_imgdb.XXXXXX", *dir, *store, *img,
			*ref, *id = NULL, *cause = NULL, *archive;
	struct img	 im;

	CHECK((dir = mkdtemp(tmpl)) != NULL);
	store = xasprintf("%s/images", dir);
	img = xasprintf("%s/images/%s", store, ID1);
	CHECK(mkdir_p(img, 0700) == 0);
	free(unit_write_file(img, "layers", L1 "\n" L2 "\n"));
	free(unit_write_file(img, "defaults", "entrypoint\t/bin/sh\n"
	    "entrypoint\t-c\ncmd\techo a\\tb\\nc \\\\ d\nenv\tA=1\nenv\tB=2\n"
	    "workdir\t/srv\nuser\t1000:1000\nstop_signal\tSIGUSR1\n"
	    "port\t80/tcp\nlater_key\tignored\n"));
	free(unit_write_file(img, "info", "created 2024-01-01T00:00:00Z\n"
	    "size 1234\n"));
	archive = unit_write_file(dir, "x.tar", "not really a tar");
	ref = xasprintf("docker-archive:%s:supd/app:1", archive);

	CHECK_INT(imgdb_current(store, ref, &id), 0);	/* no record */
	write_ref(store, ref, archive);
	CHECK_INT(imgdb_current(store, ref, &id), 1);
	CHECK_STR(id, "sha256:" ID1);
	free(id);
	id = NULL;
	/* The source changed (size, mtime): unpack again. */
	free(unit_write_file(dir, "x.tar", "another archive, longer"));
	CHECK_INT(imgdb_current(store, ref, &id), 0);

	CHECK_INT(imgdb_load(store, "sha256:" ID1, &im, &cause), 0);
	CHECK_INT(im.nlayers, 2);
	CHECK_STR(im.layers[0], L1);
	CHECK_STR(im.d.entrypoint[1], "-c");
	CHECK(im.d.entrypoint[2] == NULL);
	CHECK_STR(im.d.cmd[0], "echo a\tb\nc \\ d");
	CHECK_STR(im.d.env[1], "B=2");
	CHECK_STR(im.d.workdir, "/srv");
	CHECK_STR(im.d.user, "1000:1000");
	CHECK_STR(im.d.stop_signal, "SIGUSR1");
	CHECK_STR(im.d.ports[0], "80/tcp");
	imgdb_free(&im);
	CHECK_INT(imgdb_load(store, "sha256:" L2, &im, &cause), -1);
	CHECK(cause != NULL && strstr(cause, ": layers: No such file") != NULL);
	free(cause);

	id = imgdb_info(store, ID1, "size");
	CHECK_STR(id, "1234");
	free(id);
	id = imgdb_find_id(store, "1111");
	CHECK_STR(id, "sha256:" ID1);
	free(id);
	CHECK(imgdb_find_id(store, "111") == NULL);	/* too short */
	CHECK(imgdb_find_id(store, "2222") == NULL);

	unit_rm_rf(dir);
	free(ref);
	free(archive);
	free(img);
	free(store);
}

int
main(void)
{
	test_sha256();
	test_store();
	return unit_done("imgdb");
}

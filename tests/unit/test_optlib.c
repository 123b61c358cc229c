/* SPDX-License-Identifier: ISC */
/*
 * test_optlib.c: src/optlib.c -- a library loaded at its first use only
 * (not mapped before, mapped after, its functions callable through the
 * typed struct), and one that cannot be loaded, or lacks a function, fails
 * with dlerror's one line, the same line every later call, never retried.
 * This test is not linked with libnftables (see the Makefile): what maps it
 * is optlib_load.
 */
#include <nftables/libnftables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optlib.h"
#include "unit.h"
#include "util.h"

/* Not in any library: its lookup must fail. */
void	supd_test_absent_fn(void);

#define NFT_FNS(X)	X(nft_ctx_new) X(nft_ctx_free)
struct nft_fns { NFT_FNS(OPTLIB_FN) };
#define NFT_SYM(f)	OPTLIB_SYM(struct nft_fns, f)
static const struct optlib_sym nft_syms[] = { NFT_FNS(NFT_SYM) };
static struct nft_fns nft_fn;

#define BAD_FNS(X)	X(nft_ctx_new) X(supd_test_absent_fn)
struct bad_fns { BAD_FNS(OPTLIB_FN) };
#define BAD_SYM(f)	OPTLIB_SYM(struct bad_fns, f)
static const struct optlib_sym bad_syms[] = { BAD_FNS(BAD_SYM) };
static struct bad_fns bad_fn;

/* Whether this process maps a file whose name contains s. */
static int
mapped(const char *s)
{
	char	 line[512];
	FILE	*f;
	int	 found = 0;

	if ((f = fopen("/proc/self/maps", "r")) == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL)
		if (strstr(line, s) != NULL)
			found = 1;
	fclose(f);
	return found;
}

static void
test_load(void)
{
	struct optlib	 l = OPTLIB(OPTLIB_NFTABLES, nft_syms, nft_fn);
	struct nft_ctx	*ctx;
	char		*cause = NULL;

	CHECK_INT(mapped("/libnftables.so"), 0);
	CHECK_INT(optlib_load(&l, &cause), 0);
	CHECK(cause == NULL);
	CHECK_INT(mapped("/libnftables.so"), 1);
	CHECK(nft_fn.nft_ctx_new != NULL && nft_fn.nft_ctx_free != NULL);
	if (nft_fn.nft_ctx_new != NULL) {
		ctx = nft_fn.nft_ctx_new(NFT_CTX_DEFAULT);
		CHECK(ctx != NULL);
		nft_fn.nft_ctx_free(ctx);
	}
	/* Loaded once: the second call only says so. */
	CHECK_INT(optlib_load(&l, &cause), 0);
	CHECK(cause == NULL);
}

static void
test_absent(void)
{
	struct optlib	 l = OPTLIB("libsupd-absent.so.0", nft_syms, nft_fn);
	char		*cause = NULL;

	CHECK_INT(optlib_load(&l, &cause), -1);
	CHECK_STR(cause, "libsupd-absent.so.0: cannot open shared object "
	    "file: No such file or directory");
	free(cause);
	cause = NULL;
	/* Not tried again: the same line, from what was kept. */
	l.soname = OPTLIB_NFTABLES;
	CHECK_INT(optlib_load(&l, &cause), -1);
	CHECK_STR(cause, "libsupd-absent.so.0: cannot open shared object "
	    "file: No such file or directory");
	free(cause);
	free(l.error);	/* kept for supd's life in a static one */
}

static void
test_no_symbol(void)
{
	struct optlib	 l = OPTLIB(OPTLIB_NFTABLES, bad_syms, bad_fn);
	char		*cause = NULL;

	CHECK_INT(optlib_load(&l, &cause), -1);
	CHECK(cause != NULL && strstr(cause, "libnftables.so.1: undefined "
	    "symbol: supd_test_absent_fn") != NULL);
	CHECK(cause != NULL && strchr(cause, '\n') == NULL);
	free(cause);
	free(l.error);
}

int
main(void)
{
	test_load();
	test_absent();
	test_no_symbol();
	return unit_done("optlib");
}

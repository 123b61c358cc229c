/* SPDX-License-Identifier: ISC */
/*
 * optlib.h: a shared library supd loads with dlopen(3) at its first use
 * instead of linking it, for the optional features whose libraries are
 * large: every service start clones supd's address space, so each library
 * linked is copied (VMAs, page tables) at every spawn, used or not
 * (docs/design.md, "Dependencies").
 *
 * A user keeps, next to the code that calls them, a struct of typed
 * function pointers, each field named and typed after the library's own
 * declaration (OPTLIB_FN), and the table saying where each goes
 * (OPTLIB_SYM): the name looked up is the field's name, so name and type
 * cannot drift apart, and no caller casts. As in firewall.c:
 *
 *	#define NFT_FNS(X) X(nft_ctx_new) X(nft_ctx_free)
 *	struct nft_fns { NFT_FNS(OPTLIB_FN) };
 *	#define NFT_SYM(f) OPTLIB_SYM(struct nft_fns, f)
 *	static const struct optlib_sym nft_syms[] = { NFT_FNS(NFT_SYM) };
 *	static struct nft_fns fn;
 *	static struct optlib nft_lib = OPTLIB(OPTLIB_NFTABLES, nft_syms, fn);
 *	...
 *	if (optlib_load(&nft_lib, cause) == -1)
 *		return -1;
 *	ctx = fn.nft_ctx_new(NFT_CTX_DEFAULT);
 *
 * Loading runs once, on the loop, at the feature's first use (dlopen
 * reads and maps the library and its dependencies: a few milliseconds,
 * once in supd's life, against a fraction of one at every spawn for as
 * long as they would be mapped). A library that cannot be loaded fails the
 * feature that needs it, with dlerror's line, and nothing else.
 */
#ifndef SUPD_OPTLIB_H
#define SUPD_OPTLIB_H

#include <stddef.h>

/* The sonames Debian 12 ships (libnftables1, libmicrohttpd12).
 * tests/vm/copy-libs.sh reads these lines to put them into an image. */
#define OPTLIB_NFTABLES		"libnftables.so.1"
#define OPTLIB_MICROHTTPD	"libmicrohttpd.so.12"

/* One function of the library: its name and where its pointer goes. */
struct optlib_sym {
	const char	*name;		/* as the library exports it */
	size_t		 off;		/* offset of its pointer in the struct */
};

/* One library: what to load, and what became of it (set once). */
struct optlib {
	const char		 *soname;	/* dlopen's argument */
	const struct optlib_sym	 *syms;		/* every function needed */
	size_t			  nsyms;
	void			 *fns;		/* the struct the pointers go to */
	enum { OPTLIB_UNTRIED, OPTLIB_LOADED, OPTLIB_FAILED } state;
	char			 *error;	/* why it failed (FAILED) */
};

/* A field: a pointer of the type of the library's function F, named F. */
#define OPTLIB_FN(f)		__typeof__(f) *f;
/* A table row for the field F of the struct type T. */
#define OPTLIB_SYM(T, f)	{ #f, offsetof(T, f) },
/* A library's initializer: its soname, its table, its struct of pointers. */
#define OPTLIB(so, syms, fns)	\
	{ (so), (syms), sizeof (syms) / sizeof *(syms), &(fns), OPTLIB_UNTRIED, NULL }

/*
 * Load the library and every function of its table into its struct, the
 * first time; afterwards only say how that went (a library that could not
 * be loaded is not tried again). 0, or -1 with an allocated one-line *cause
 * as dlerror(3) gives it: "libmicrohttpd.so.12: cannot open shared object
 * file: No such file or directory", or "...: undefined symbol: NAME".
 */
int	optlib_load(struct optlib *, char **cause);

/* How many libraries have been loaded so far: their constructors may have
 * changed what supd set up before (spawn.c looks at its signal
 * dispositions again when this moves). */
unsigned	optlib_loaded(void);

#endif

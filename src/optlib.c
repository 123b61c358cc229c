/* SPDX-License-Identifier: ISC */
/*
 * optlib.c: loads an optional shared library and the functions of its
 * table, once, at its first use (the why and the how to use it: optlib.h).
 *
 * RTLD_NOW: every symbol the library needs is bound at dlopen, so a broken
 * install fails here, in one line, and not later inside a call. RTLD_LOCAL:
 * its symbols stay out of supd's global scope. It is never closed: once a
 * feature is used it stays in use for supd's life, and libnftables and
 * libmicrohttpd keep state in their own globals.
 */
#include <dlfcn.h>
#include <string.h>

#include "optlib.h"
#include "util.h"

/*
 * dlsym returns a void * that POSIX guarantees converts to a function
 * pointer, which ISO C does not: copying its bytes is the conversion
 * without the warning, and needs both the same size.
 */
static unsigned	nloaded;	/* optlib_loaded() */

_Static_assert(sizeof(void *) == sizeof(void (*)(void)),
    "dlsym's result cannot hold a function pointer");

static int
optlib_fail(struct optlib *l, void *h, char **cause)
{
	const char *e = dlerror();

	l->error = xstrdup(e != NULL ? e : "dlopen failed (no message)");
	l->state = OPTLIB_FAILED;
	if (h != NULL)
		dlclose(h);
	*cause = xstrdup(l->error);
	return -1;
}

int
optlib_load(struct optlib *l, char **cause)
{
	void	*h, *p;
	size_t	 i;

	if (l->state == OPTLIB_LOADED)
		return 0;
	if (l->state == OPTLIB_FAILED) {
		*cause = xstrdup(l->error);
		return -1;
	}
	if ((h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL)) == NULL)
		return optlib_fail(l, NULL, cause);
	for (i = 0; i < l->nsyms; i++) {
		(void)dlerror();
		if ((p = dlsym(h, l->syms[i].name)) == NULL)
			return optlib_fail(l, h, cause);
		memcpy((char *)l->fns + l->syms[i].off, &p, sizeof p);
	}
	l->state = OPTLIB_LOADED;
	nloaded++;
	return 0;
}

unsigned
optlib_loaded(void)
{
	return nloaded;
}

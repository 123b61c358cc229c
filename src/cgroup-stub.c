/* SPDX-License-Identifier: ISC */
/*
 * cgroup-stub.c: TEMPORARY stand-in for HC1's src/cgroup.c, so that the
 * limits and stats code builds and runs before the two are merged: no
 * tree is ever in use. The integrator deletes this file (and its name in
 * the Makefile) when merging HC1's branch.
 */
#include <stddef.h>

#include "cgroup.h"

bool
cg_enabled(void)
{
	return false;
}

const char *
cg_unavailable(void)
{
	return "not built yet";
}

bool
cg_has_controller(const char *name)
{
	(void)name;
	return false;
}

int
cg_dirfd(const struct cgroup *cg)
{
	(void)cg;
	return -1;
}

const char *
cg_path(const struct cgroup *cg)
{
	(void)cg;
	return NULL;
}

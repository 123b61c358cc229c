/* SPDX-License-Identifier: ISC */
/*
 * deps.h: the dependency graph of `after` and `requires` (deps.c).
 */
#ifndef SUPD_DEPS_H
#define SUPD_DEPS_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "util.h"

/*
 * Check a set of definitions, sorted by name, as it would run: every name
 * in after/requires must be one of them, and no chain of them may lead
 * back to where it started. bad[i] is set for each definition at fault, and
 * one error per fault is appended ("FILE:LINE: requires: unknown service
 * 'db'", "FILE:LINE: dependency cycle: a -> b -> a"). Returns the number of
 * definitions at fault.
 */
size_t	deps_check(struct svc_conf *const *, size_t n, bool *bad,
	    struct strv *errs);

#endif

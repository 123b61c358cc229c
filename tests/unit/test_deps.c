/* SPDX-License-Identifier: ISC */
/*
 * test_deps.c: deps.c -- unknown names, cycles (with the path named), and
 * sets without either.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deps.h"
#include "unit.h"
#include "values.h"

/* A definition with just what deps.c reads. "a b" lists are split. */
static struct svc_conf *
conf(const char *name, const char *after, const char *requires)
{
	struct svc_conf	*c = xcalloc(1, sizeof *c);
	const char	*e;

	c->name = xstrdup(name);
	c->file = xasprintf("%s.ini", name);
	c->deps_line = 3;
	if (after != NULL)
		split_argv(after, &c->after, &e);
	if (requires != NULL)
		split_argv(requires, &c->requires, &e);
	return c;
}

static void
set_free(struct svc_conf **c, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		cfg_svc_free(c[i]);
}

static int
has(const struct strv *errs, const char *s)
{
	size_t	i;

	for (i = 0; i < errs->n; i++)
		if (strcmp(errs->v[i], s) == 0)
			return 1;
	for (i = 0; i < errs->n; i++)
		fprintf(stderr, "  got: %s\n", errs->v[i]);
	return 0;
}

int
main(void)
{
	struct svc_conf	*c[6];
	struct strv	 errs = { 0 };
	bool		 bad[6];

	/* A tree: nothing wrong. */
	c[0] = conf("app", "cache", "db");
	c[1] = conf("cache", NULL, NULL);
	c[2] = conf("db", NULL, "migrate");
	c[3] = conf("migrate", NULL, NULL);
	memset(bad, 0, sizeof bad);
	CHECK_INT(deps_check(c, 4, bad, &errs), 0);
	CHECK_INT(errs.n, 0);
	set_free(c, 4);

	/* An unknown name, in either list. */
	c[0] = conf("a", "ghost", NULL);
	c[1] = conf("b", NULL, "nobody");
	c[2] = conf("c", NULL, NULL);
	memset(bad, 0, sizeof bad);
	CHECK_INT(deps_check(c, 3, bad, &errs), 2);
	CHECK(bad[0] && bad[1] && !bad[2]);
	CHECK(has(&errs, "a.ini:3: after: unknown service 'ghost'"));
	CHECK(has(&errs, "b.ini:3: requires: unknown service 'nobody'"));
	set_free(c, 3);
	strv_free(&errs);

	/* A cycle of three through both kinds of edges, beside a clean
	 * service with several edges (the report must not disturb the walk of
	 * the remaining ones). */
	c[0] = conf("a", NULL, "b");
	c[1] = conf("b", "c", NULL);
	c[2] = conf("c", "d", "a");
	c[3] = conf("d", NULL, NULL);
	c[4] = conf("e", "a b c", "d");
	memset(bad, 0, sizeof bad);
	CHECK_INT(deps_check(c, 5, bad, &errs), 3);
	CHECK(bad[0] && bad[1] && bad[2] && !bad[3] && !bad[4]);
	CHECK_INT(errs.n, 1);
	CHECK(has(&errs, "a.ini:3: dependency cycle: a -> b -> c -> a"));
	set_free(c, 5);
	strv_free(&errs);

	/* Two services requiring each other. */
	c[0] = conf("x", NULL, "y");
	c[1] = conf("y", NULL, "x");
	memset(bad, 0, sizeof bad);
	CHECK_INT(deps_check(c, 2, bad, &errs), 2);
	CHECK(has(&errs, "x.ini:3: dependency cycle: x -> y -> x"));
	set_free(c, 2);
	strv_free(&errs);

	return unit_done("deps");
}

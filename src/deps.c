/* SPDX-License-Identifier: ISC */
/*
 * deps.c: the dependency graph of `after` and `requires` -- names that must
 * exist, and no cycles. The graph is checked on a whole prospective set of
 * definitions before a boot or a reload applies it, so a cycle never
 * reaches the lifecycle in service.c, which only follows the edges.
 */
#include <stdlib.h>
#include <string.h>

#include "deps.h"

enum { WHITE, GREY, BLACK };	/* not seen, on the current path, done */

struct graph {
	struct svc_conf *const	*c;
	size_t			 n;
	int			*color;
	size_t			*path;		/* the current DFS path */
	size_t			 depth;
	bool			*bad;
	struct strv		*errs;
	size_t			 nbad;
};

static int
cmp_name(const void *key, const void *elem)
{
	return strcmp(key, (*(struct svc_conf *const *)elem)->name);
}

static long
find(const struct graph *g, const char *name)
{
	struct svc_conf *const	*p;

	p = bsearch(name, g->c, g->n, sizeof *g->c, cmp_name);
	return p != NULL ? p - g->c : -1;
}

static void
mark(struct graph *g, size_t i, char *msg)
{
	strv_take(g->errs, msg);
	if (!g->bad[i]) {
		g->bad[i] = true;
		g->nbad++;
	}
}

/* Depth first; a grey neighbour closes a cycle, reported from it. */
static void
visit(struct graph *g, size_t i)
{
	char *const	*lists[2] = { g->c[i]->after, g->c[i]->requires };
	struct buf	 b = { 0 };
	size_t		 k, p, from;
	long		 j;
	int		 l;

	g->color[i] = GREY;
	g->path[g->depth++] = i;
	for (l = 0; l < 2; l++)
		for (k = 0; lists[l] != NULL && lists[l][k] != NULL; k++) {
			if ((j = find(g, lists[l][k])) == -1)
				continue;	/* reported by deps_check */
			if (g->color[j] == WHITE) {
				visit(g, j);
				continue;
			}
			if (g->color[j] != GREY)
				continue;
			for (from = 0; g->path[from] != (size_t)j; from++)
				;
			for (p = from; p < g->depth; p++)
				buf_printf(&b, "%s -> ", g->c[g->path[p]]->name);
			buf_puts(&b, g->c[j]->name);
			mark(g, j, xasprintf("%s:%u: dependency cycle: %s",
			    g->c[j]->file, g->c[j]->deps_line, b.p));
			for (p = from; p < g->depth; p++)
				if (!g->bad[g->path[p]]) {
					g->bad[g->path[p]] = true;
					g->nbad++;
				}
			buf_free(&b);
		}
	g->depth--;
	g->color[i] = BLACK;
}

size_t
deps_check(struct svc_conf *const *c, size_t n, bool *bad, struct strv *errs)
{
	struct graph	 g = { .c = c, .n = n, .bad = bad, .errs = errs };
	size_t		 i, k;
	int		 l;

	for (i = 0; i < n; i++) {
		char *const	*lists[2] = { c[i]->after, c[i]->requires };

		for (l = 0; l < 2; l++)
			for (k = 0; lists[l] != NULL && lists[l][k] != NULL;
			    k++)
				if (find(&g, lists[l][k]) == -1)
					mark(&g, i, xasprintf("%s:%u: %s: "
					    "unknown service '%s'", c[i]->file,
					    c[i]->deps_line, l == 0 ? "after" :
					    "requires", lists[l][k]));
	}
	g.color = xcalloc(n + 1, sizeof *g.color);
	g.path = xcalloc(n + 1, sizeof *g.path);
	for (i = 0; i < n; i++)
		if (g.color[i] == WHITE) {
			g.depth = 0;
			visit(&g, i);
		}
	free(g.color);
	free(g.path);
	return g.nbad;
}

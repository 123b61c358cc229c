#!/bin/sh
# SPDX-License-Identifier: ISC
# lint-includes.sh [DIR]: reject an #include cycle among the modules of DIR
# (default: the src/ next to tests/). A module is a file name without its
# .c or .h: foo.c and foo.h are one module, and foo depends on bar when
# foo.c or foo.h has `#include "bar.h"` (a header not in DIR is not
# followed). A module split into files behind a private header is still
# one module: when foo-private.h exists, every foo-*.c and foo-*.h belongs
# to foo (svclog-file.c, svclog-private.h and svclog.c are svclog). A cycle -- spawn.c includes isolate.h and isolate.c includes
# spawn.h, say -- means neither file can be read, changed or tested
# without the other (docs/style.md: one job per file). Each cycle (a
# strongly connected set of modules) is printed as one line per module,
# with the includes that lead from it to others of the cycle:
#   include cycle: a: a.c:12 includes b.h (cycle: a b c)
# then one line "includes: N passed, M failed" (one check per module: M
# is the number of modules in a cycle); exits non-zero if there is one.
dir=${1:-$(dirname "$0")/../src}
if [ ! -d "$dir" ]; then
	echo "usage: $0 [DIR]" >&2
	exit 2
fi
# "FILE LINE HEADER" for each #include "HEADER" of a .c or .h in DIR, then
# the graph's components.
headers=$(cd "$dir" && ls -- *.h 2>/dev/null | tr '\n' ' ')
for f in "$dir"/*.c "$dir"/*.h; do
	[ -e "$f" ] || continue
	awk -v f="${f##*/}" 'match($0, /^[ \t]*#[ \t]*include[ \t]*"[^"]+"/) {
		h = substr($0, RSTART, RLENGTH)
		sub(/^[^"]*"/, "", h)
		sub(/"$/, "", h)
		print f, FNR, h
	}' "$f"
done | awk -v headers="$headers" '
function module(file,    p) {
	sub(/\.[ch]$/, "", file)
	p = file
	sub(/-.*/, "", p)
	if (p != file && ((p "-private.h") in ours))
		return p
	return file
}
# Tarjan: the strongly connected components of the include graph.
function visit(v,    i, w) {
	index_of[v] = next_index
	low[v] = next_index++
	stack[++sp] = v
	on_stack[v] = 1
	for (i = 1; i <= nout[v]; i++) {
		w = out[v, i]
		if (!(w in index_of)) {
			visit(w)
			if (low[w] < low[v])
				low[v] = low[w]
		} else if (on_stack[w] && index_of[w] < low[v])
			low[v] = index_of[w]
	}
	if (low[v] != index_of[v])
		return
	ncomp++
	size[ncomp] = 0
	do {
		w = stack[sp--]
		on_stack[w] = 0
		members[ncomp] = size[ncomp]++ ? members[ncomp] " " w : w
	} while (w != v)
}
{
	from = module($1)
	nodes[from] = 1
	# Only the headers of DIR, and an edge once (its first include).
	if (!($3 in ours) || module($3) == from || (from, module($3)) in why)
		next
	to = module($3)
	out[from, ++nout[from]] = to
	why[from, to] = $1 ":" $2 " includes " $3
}
BEGIN {
	n = split(headers, h, " ")
	for (i = 1; i <= n; i++)
		ours[h[i]] = 1
}
END {
	next_index = 0
	for (v in nodes)
		if (!(v in index_of))
			visit(v)
	bad = 0
	total = 0
	for (v in nodes)
		total++
	for (c = 1; c <= ncomp; c++) {
		if (size[c] < 2)
			continue
		bad += size[c]
		n = split(members[c], m, " ")
		for (i = 1; i <= n; i++) {
			reasons = ""
			for (j = 1; j <= n; j++)
				if ((m[i], m[j]) in why)
					reasons = reasons (reasons == "" ? "" : "; ") why[m[i], m[j]]
			print "include cycle: " m[i] ": " reasons " (cycle: " members[c] ")"
		}
	}
	printf "includes: %d passed, %d failed\n", total - bad, bad
	exit bad > 0
}'

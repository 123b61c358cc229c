#!/bin/bash
# SPDX-License-Identifier: ISC
# deps-200.sh [BUILD_DIR]: a dependency tree of 200 services, depth 5 (each
# `requires` its parent, 4 children per node: 1 + 4 + 16 + 64 + 115), every
# service `sleep infinity` and ready at exec. Time from supd's launch until
# all 200 are running, median of RUNS (3); then checks, from supd's log, that
# every service started after its parent (dependency order) and that the
# services of one level started together (independent branches in
# parallel: the spread of a level's start times against the whole start).
# Bar: all ready in under 1 s.
. "$(dirname "$0")/common.sh"
bench_init "$@"
N=200
RUNS=${RUNS:-3}

parent=()
level=()
parent[0]=-1
level[0]=0
n=1
for ((p = 0; n < N; p++)); do
	for ((c = 0; c < 4 && n < N; c++)); do
		parent[n]=$p
		level[n]=$((level[p] + 1))
		n=$((n + 1))
	done
done
for ((i = 0; i < N; i++)); do
	{
		printf '[service]\ncommand = sleep infinity\n'
		[ "${parent[i]}" -lt 0 ] || printf 'requires = d%03d\n' "${parent[i]}"
	} >"$T/conf.d/d$(printf %03d "$i").ini"
done
note "tree: $N services, depth $((level[N - 1] + 1))"

times=()
for run in $(seq 1 "$RUNS"); do
	rm -f "$T/run/supd.sock"
	start_supd
	t0=$SUPD_T0
	wait_count running "$N" 60 || die "not all $N running"
	times+=($(($(now_ns) - t0)))
	note "run $run: all $N running after $(ns2s "${times[-1]}") s"
	cp "$T/supd.err" "$T/run$run.err"
	stop_supd
done

# Order and parallelism, from the last run's "NAME: started" lines.
awk -v n="$N" '
	/: started, pid/ {
		split($1, t, "T"); split(t[2], h, ":"); sub("Z", "", h[3]);
		s = h[1] * 3600 + h[2] * 60 + h[3];
		name = $3; sub(":", "", name);
		at[name] = s; order[name] = NR
	}
	END { for (k in at) printf "%s %.3f %d\n", k, at[k], order[k] }' \
    "$T/run$RUNS.err" | sort >"$T/starts"
bad=0
for ((i = 1; i < N; i++)); do
	me=$(printf d%03d "$i")
	pa=$(printf d%03d "${parent[i]}")
	mo=$(awk -v k="$me" '$1 == k { print $3 }' "$T/starts")
	po=$(awk -v k="$pa" '$1 == k { print $3 }' "$T/starts")
	[ -n "$mo" ] && [ -n "$po" ] && [ "$mo" -gt "$po" ] || bad=$((bad + 1))
done
spread=$(awk '{ print $2 }' "$T/starts" | sort -n | awk 'NR == 1 { a = $1 } { b = $1 } END { printf "%.0f", (b - a) * 1000 }')
lvl4=$(for ((i = 0; i < N; i++)); do [ "${level[i]}" -eq 4 ] && printf 'd%03d\n' "$i"; done |
    while read -r k; do awk -v k="$k" '$1 == k { print $2 }' "$T/starts"; done |
    sort -n | awk 'NR == 1 { a = $1 } { b = $1 } END { printf "%.0f", (b - a) * 1000 }')
m=$(median "${times[@]}")
echo "deps-200: median $(ns2s "$m") s until all $N services of a depth-5 tree running ($RUNS runs; bar < 1 s: $([ "$m" -lt 1000000000 ] && echo met || echo MISSED)); $bad started before their parent; the 115 leaves started within $lvl4 ms of each other, all 200 within $spread ms"

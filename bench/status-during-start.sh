#!/bin/bash
# SPDX-License-Identifier: ISC
# status-during-start.sh [BUILD_DIR]: does the control socket keep answering
# while supd starts 1000 services ($SERVICES, `sleep infinity`)? From the
# moment supd's socket answers until a reply shows all of them `running`,
# status_probe.c sends status requests back to back on the socket itself
# (no supctl process: its start would dominate) and times each, connect to
# END. Two kinds of request, each in a fresh start of its own: a status of
# every service (a reply of 1000 rows), and `status NAME` of one (what a
# fleet's health probes ask; a status of all every 100 ms, in between, says
# when all run). Per kind: the count of requests, their median, p99 and
# max, and the time from just before supd's launch to the reply that showed
# all running. Two cases: `namespaces = none` ("plain") and supd's default
# isolation; with $BENCH_NAMESPACES set, that one case only. Medians over
# $RUNS (3) starts of each kind. Bar (issue 15): p99 <= 50 ms.
. "$(dirname "$0")/common.sh"
bench_init "$@"
N=${SERVICES:-1000}
RUNS=${RUNS:-3}
if [ -n "${BENCH_NAMESPACES:-}" ]; then CASES=env; else CASES="plain default"; fi

bench_cc status_probe

# The services of a case: "plain" says namespaces = none itself; the
# others take supd's default (or $BENCH_NAMESPACES, from start_supd).
services() {
	local i
	rm -f "$T"/conf.d/*.ini
	for i in $(seq -w 1 "$N"); do
		printf '[service]\ncommand = sleep infinity\n' >"$T/conf.d/s$i.ini"
		[ "$1" != plain ] || printf '[isolation]\nnamespaces = none\n' >>"$T/conf.d/s$i.ini"
	done
}

# One start: the probe (KIND all, or one NAME) waits for the socket, supd
# starts, the probe ends at all running. Prints "COUNT MEDIAN P99 MAX
# FAILED SECS" (ms; SECS: launch to all running).
one_start() {
	local kind=$1 out=$T/probe.$2.$kind.$3 pid deadline
	rm -f "$T/run/supd.sock"
	if [ "$kind" = one ]; then
		"$BIN/status_probe" "$T/run/supd.sock" 0 "$N" "s$N" >"$out" &
	else
		"$BIN/status_probe" "$T/run/supd.sock" 0 "$N" >"$out" &
	fi
	pid=$!
	BENCH_PIDS="${BENCH_PIDS:-} $pid"
	start_supd
	deadline=$(($(now_ns) + 120000000000))
	while kill -0 "$pid" 2>/dev/null; do
		[ "$(now_ns)" -lt "$deadline" ] || { kill -TERM "$pid"; die "not all $N running after 120 s"; }
		sleep 0.05
	done
	wait "$pid" || die "status_probe failed (see $out)"
	stop_supd
	secs=$(awk -v t0="$SUPD_T0" '$1 == "done" { printf "%.3f", $2 - t0 / 1e9 }' "$out")
	awk -v kind="$kind" '$1 == kind { print $3, $4 }' "$out" | sort -g |
		awk -v secs="$secs" '
		{ v[++n] = $1; if (!$2) f++ }
		END {
			p99 = int(n * 0.99); if (p99 < n * 0.99) p99++
			printf "%d %.3f %.3f %.3f %d %s\n", n,
			    n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2,
			    v[p99], v[n], f, secs
		}'
}

load() { cut -d' ' -f1-3 /proc/loadavg; }

note "load average at the start: $(load) ($(nproc) cores)"
for c in $CASES; do
	services "$c"
	declare -A col=()
	for run in $(seq 1 "$RUNS"); do
		for kind in all one; do
			r=$(one_start "$kind" "$c" "$run")
			note "$c, status of $kind, run $run: requests, median ms, p99 ms, max ms, failed, s to all running: $r"
			read -r cnt med p99 max fail secs <<<"$r"
			col[$kind.cnt]+=" $cnt" col[$kind.med]+=" $med" col[$kind.p99]+=" $p99"
			col[$kind.max]+=" $max" col[$kind.fail]+=" $fail" col[$kind.secs]+=" $secs"
		done
	done
	for kind in all one; do
		what=$([ "$kind" = all ] && echo "\`status\` of all $N" || echo "\`status s$N\` (one service)")
		p=$(median ${col[$kind.p99]})
		echo "status-during-start-$c-$kind: $what while $N start: median of $RUNS starts: $(median ${col[$kind.cnt]}) requests back to back, median $(median ${col[$kind.med]}) ms, p99 $p ms, max $(median ${col[$kind.max]}) ms ($(awk -v p="$p" 'BEGIN { print (p <= 50 ? "met" : "missed") }') p99 <= 50 ms), $(echo ${col[$kind.fail]} | awk '{ for (i = 1; i <= NF; i++) s += $i; print s + 0 }') failed; all running after $(median ${col[$kind.secs]}) s (p99 per start:${col[$kind.p99]}; load $(load))"
	done
	unset col
done

#!/bin/bash
# SPDX-License-Identifier: ISC
# start-1000.sh [BUILD_DIR]: 1000 services ($SERVICES) running `sleep
# infinity`: the time from supd's start (just before the script launches it)
# until every service is `running` per `supctl --json status`, polled every
# 20 ms (the poll interval and one status round trip bound the resolution).
# Median of $RUNS (default 3) fresh supd starts. Then, with all 1000 running,
# supd's memory: VmRSS (/proc/PID/status) and Pss (/proc/PID/smaps_rollup).
# Bar: < 4 MiB. Floor in the same run: bench/spawn_floor, a minimal C parent
# that fork+execs the same 1000 `sleep infinity` and waits until all exec'd;
# with supd's default isolation (BENCH_NAMESPACES unset) also the same 1000
# cloned into the default namespaces (mount pid ipc uts). Issue 15's bars:
# <= 1.3x the fork floor for plain services, <= 1.5x the namespaces floor
# for isolated ones.
. "$(dirname "$0")/common.sh"
bench_init "$@"
N=${SERVICES:-1000}
RUNS=${RUNS:-3}

for i in $(seq -w 1 "$N"); do
	printf '[service]\ncommand = sleep infinity\n' >"$T/conf.d/s$i.ini"
done

bench_cc spawn_floor
times=() rss=() pss=() floor=() nsfloor=()
for run in $(seq 1 "$RUNS"); do
	rm -f "$T/run/supd.sock"
	start_supd
	t0=$SUPD_T0
	wait_count running "$N" 120 || die "not all $N services running after 120 s"
	t1=$(now_ns)
	times+=($((t1 - t0)))
	sleep 1	# let the start-up settle before reading memory
	rss+=($(awk '/^VmRSS:/ { print $2 }' "/proc/$SUPD_PID/status"))
	pss+=($(awk '/^Pss:/ { print $2 }' "/proc/$SUPD_PID/smaps_rollup"))
	note "run $run: all $N running after $(ns2s "${times[-1]}") s; VmRSS ${rss[-1]} KiB, Pss ${pss[-1]} KiB;" \
		"$(awk '/^(VmHWM|VmData|Pss_Anon|Pss_File)/ { printf "%s %s KiB ", $1, $2 }' \
		"/proc/$SUPD_PID/status" "/proc/$SUPD_PID/smaps_rollup")"
	fds=$(ls "/proc/$SUPD_PID/fd" | wc -l)
	note "run $run: supd has $fds open fds"
	t2=$(now_ns)
	stop_supd
	note "run $run: supd stopped $N services and exited in $(ns2s $(($(now_ns) - t2))) s"
	floor+=($("$BIN/spawn_floor" "$N"))
	note "run $run: spawn_floor: $N fork+exec in $(ns2s "${floor[-1]}") s"
	if [ -z "${BENCH_NAMESPACES:-}" ]; then
		nsfloor+=($("$BIN/spawn_floor" "$N" default))
		note "run $run: spawn_floor: $N clone into mount+pid+ipc+uts namespaces+exec in $(ns2s "${nsfloor[-1]}") s"
	fi
done

m=$(median "${times[@]}")
r=$(median "${rss[@]}")
p=$(median "${pss[@]}")
f=$(median "${floor[@]}")
echo "start-1000: median $(ns2s "$m") s until all $N services running (runs: $(for t in "${times[@]}"; do printf '%s ' "$(ns2s "$t")"; done | sed 's/ $//'); plain fork+exec of $N: $(ns2s "$f") s, ratio $(ratio "$m" "$f"))"
if [ -n "${nsfloor[*]}" ]; then
	fn=$(median "${nsfloor[@]}")
	echo "start-1000-default-isolation: clone into the default namespaces (mount pid ipc uts) + exec of $N from a minimal parent: $(ns2s "$fn") s; supd / that floor: $(ratio "$m" "$fn") (issue 15's bar <= 1.5)"
fi
echo "memory-1000: VmRSS $(awk -v k="$r" 'BEGIN { printf "%.2f", k / 1024 }') MiB, Pss $(awk -v k="$p" 'BEGIN { printf "%.2f", k / 1024 }') MiB with $N services running (bar < 4 MiB: $(awk -v k="$p" -v r="$r" 'BEGIN { print (r < 4096 ? "met" : (k < 4096 ? "Pss met, RSS missed" : "missed")) }'))"

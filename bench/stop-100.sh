#!/bin/bash
# SPDX-License-Identifier: ISC
# stop-100.sh [BUILD_DIR]: 100 services ($SERVICES) running `sleep 1000`,
# which exits on SIGTERM (it is not PID 1; supd's init, where there is one,
# forwards the signal). The wall time of `supctl stop all` (which waits until
# every service is stopped), median of 5 ($RUNS); between runs `supctl start
# all` and a wait until all are running again (untimed).
. "$(dirname "$0")/common.sh"
bench_init "$@"
N=${SERVICES:-100}
RUNS=${RUNS:-5}

for i in $(seq -w 1 "$N"); do
	printf '[service]\ncommand = sleep 1000\nstop_timeout = 30s\n' >"$T/conf.d/s$i.ini"
done
start_supd
times=() starts=()
for run in $(seq 1 "$RUNS"); do
	if [ "$run" -gt 1 ]; then
		t0=$(now_ns)
		ctl start all >/dev/null || note "supctl start all failed"
		starts+=($(($(now_ns) - t0)))
	fi
	wait_count running "$N" 60 || die "services did not start"
	sleep 0.5
	t0=$(now_ns)
	ctl stop all >/dev/null || note "run $run: supctl stop all exited $?"
	t1=$(now_ns)
	times+=($((t1 - t0)))
	left=$(($(count_state stopped)))
	[ "$left" -eq "$N" ] || note "run $run: after stop all, only $left of $N services are stopped"
	note "run $run: stop all took $(ns2s "${times[-1]}") s"
done
m=$(median "${times[@]}")
extra=
[ "${#starts[@]}" -gt 0 ] && extra="; \`supctl start all\` median $(ns2s "$(median "${starts[@]}")") s"
echo "stop-100: median $(ns2s "$m") s for \`supctl stop all\` of $N services (runs: $(for t in "${times[@]}"; do printf '%s ' "$(ns2s "$t")"; done | sed 's/ $//')$extra)"

#!/bin/bash
# SPDX-License-Identifier: ISC
# forward-throughput.sh [BUILD_DIR]: one TCP stream of 1 GiB (SIZE) through
# the published-port forwarder (src/publish.c, run alone by pub_fwd) vs the
# same stream direct, and vs socat, side by side, RUNS (3) rounds, medians.
#
# The sink (fwd_probe sink: read to EOF, answer the count) listens on
# 127.0.0.1:8000 in the service's namespace. Three paths, each two loopback
# hops except direct:
#   forwarder  client in the host namespace -> pub_fwd 127.0.0.1:8080 ->
#              (socket made in the service's namespace) -> the sink
#   direct     client in the service's namespace -> the sink
#   socat      client in the service's namespace -> `socat
#              TCP-LISTEN:8081,fork,reuseaddr TCP:127.0.0.1:8000` -> the sink
#              (socat cannot enter another namespace: it runs beside the sink)
# Time: connect to the sink's count received (every byte arrived).
# Bars (issue 10): forwarder >= 0.6x direct, >= 2x socat.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/forward-common.sh"
fwd_init "$@"
SIZE=${SIZE:-1073741824}
RUNS=${RUNS:-3}

bg_wait listening "$T/sink.out" $IN_SVC "$BIN/fwd_probe" sink 8000
pub_fwd 8080 8000
FWD_PID=$BG_PID
$IN_SVC socat TCP-LISTEN:8081,bind=127.0.0.1,fork,reuseaddr TCP:127.0.0.1:8000 \
    2>"$T/socat.err" &
BENCH_PIDS="$BENCH_PIDS $!"
deadline=$(($(now_ns) + 5000000000))
until in_svc ss -Hltn 'sport = :8081' | grep -q .; do
	[ "$(now_ns)" -lt "$deadline" ] || die "socat did not listen"
	sleep 0.01
done

mibs() { awk -v b="$SIZE" -v ns="$1" 'BEGIN { printf "%.0f\n", b / 1048576 / (ns / 1e9) }'; }
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
fwd_ns=() dir_ns=() socat_ns=() cpu=0
for r in $(seq "$RUNS"); do
	t0=$(ticks "$FWD_PID")
	f=$("$BIN/fwd_probe" send 8080 "$SIZE") || die "forwarded stream failed"
	cpu=$((cpu + $(ticks "$FWD_PID") - t0))
	d=$(in_svc "$BIN/fwd_probe" send 8000 "$SIZE") || die "direct stream failed"
	s=$(in_svc "$BIN/fwd_probe" send 8081 "$SIZE") || die "socat stream failed"
	fwd_ns+=("$f") dir_ns+=("$d") socat_ns+=("$s")
	note "round $r: forwarder $(mibs "$f") MiB/s, direct $(mibs "$d") MiB/s, socat $(mibs "$s") MiB/s"
done
F=$(mibs "$(median "${fwd_ns[@]}")")
D=$(mibs "$(median "${dir_ns[@]}")")
S=$(mibs "$(median "${socat_ns[@]}")")
CPU=$(awk -v t="$cpu" -v hz="$(getconf CLK_TCK)" -v r="$RUNS" -v b="$SIZE" \
    'BEGIN { printf "%.2f\n", t / hz / r / (b / 1073741824) }')
note "pub_fwd: $(fwd_counts "$FWD_PID")"
echo "forward-throughput: $F MiB/s through the forwarder ($CPU CPU s per GiB); direct $D MiB/s (ratio $(ratio "$F" "$D"), bar >= 0.6); socat $S MiB/s (ratio $(ratio "$F" "$S"), bar >= 2)"

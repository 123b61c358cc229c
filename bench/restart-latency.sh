#!/bin/bash
# SPDX-License-Identifier: ISC
# restart-latency.sh [BUILD_DIR]: restart_delay = 0, restart = always; the
# service is bench/stamp, which writes its CLOCK_MONOTONIC start time to a FIFO
# as its first action. bench/restart_probe kills its pid with SIGKILL N times
# (default 100, $KILLS) and takes, each time, new-process-start - time-of-kill.
# In the same run it measures a plain fork+exec+wait of /bin/true, and
# fork+exec of stamp up to its first instruction, from a minimal C parent.
. "$(dirname "$0")/common.sh"
bench_init "$@"
KILLS=${KILLS:-100}

bench_cc stamp
bench_cc restart_probe
mkfifo "$T/stamp.fifo"
svc stamp <<EOF
[service]
command = $BIN/stamp $T/stamp.fifo
restart = always
restart_delay = 0
$(iso_visible_tmp)
EOF
start_supd

out=$("$BIN/restart_probe" "$SUPCTL" "$T/run/supd.sock" stamp "$T/stamp.fifo" \
	"$BIN/stamp" "$KILLS") || die "restart_probe failed"
printf '%s\n' "$out" | sed 's/^/# /' >&2
get() { printf '%s\n' "$out" | awk -v w="$1" -v k="$2" '$1 == w {
	for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }'; }
r=$(get restart median); t=$(get true median); s=$(get stamp median)
echo "restart-latency: median $(ns2ms "$r") ms over $KILLS kills (p90 $(ns2ms "$(get restart p90)") ms, max $(ns2ms "$(get restart max)") ms; fork+exec+wait /bin/true: $(ns2ms "$t") ms, ratio $(ratio "$r" "$t"); fork+exec to first instruction: $(ns2ms "$s") ms)"

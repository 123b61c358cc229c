#!/bin/bash
# SPDX-License-Identifier: ISC
# isolation-start.sh [BUILD_DIR]: what starting a service in its own
# namespaces costs. Bar: a start in mount+pid+ipc+uts+net namespaces costs at
# most 1.5x a plain fork+exec of the same command, and less than
# `unshare -mpinu --fork` (median of 100 starts, all measured in one run).
#
# The command is bench/stamp, whose first action is to read CLOCK_MONOTONIC
# and write it to a FIFO (or stdout). One supd runs two services of it,
# restart = always, restart_delay = 0:
#   iso    [isolation] namespaces = mount pid ipc uts net (init = yes and
#          private_tmp = yes by default, a bare net namespace = loopback only)
#   plain  [isolation] namespaces = none (for reference)
# bench/iso_probe measures, round by round (interleaved, $STARTS rounds,
# default 100), the time to stamp's first instruction from:
#   - kill -9 of the running service (restart-latency.sh's measure);
#   - a START request on supd's socket, the service stopped just before
#     (spoken by the probe itself: no supctl process in the timed part);
#   - fork+exec of stamp from the probe (the "plain fork+exec");
#   - clone(2) with the same five CLONE_NEW* flags + exec of stamp (the
#     kernel's share, nothing set up inside);
#   - fork+exec of `unshare -mpinu --fork stamp`;
#   - fork+exec+wait of /bin/true (the issue's yardstick).
#
# Because private_tmp hides /tmp from the isolated service, this script's
# temp dir (stamp's binary and FIFOs) is under /var/tmp unless $BENCH_TMP
# names a directory outside /tmp.
. "$(dirname "$0")/common.sh"
case ${BENCH_TMP:-/tmp} in
/tmp | /tmp/*) BENCH_TMP=/var/tmp ;;
esac
bench_init "$@"
STARTS=${STARTS:-100}
command -v unshare >/dev/null || die "unshare (util-linux) is needed"

bench_cc stamp
bench_cc iso_probe
chmod 0755 "$T"
mkfifo "$T/iso.fifo" "$T/plain.fifo"
svc iso <<EOF
[service]
command = $BIN/stamp $T/iso.fifo
restart = always
restart_delay = 0
[isolation]
namespaces = mount pid ipc uts net
EOF
svc plain <<EOF
[service]
command = $BIN/stamp $T/plain.fifo
restart = always
restart_delay = 0
[isolation]
namespaces = none
EOF
"$SUPD" --check -d "$T/conf.d" >/dev/null 2>&1 ||
	die "this supd does not accept [isolation] namespaces: $("$SUPD" --check -d "$T/conf.d" 2>&1 | head -3)"
start_supd

out=$("$BIN/iso_probe" "$SUPCTL" "$T/run/supd.sock" "$BIN/stamp" "$STARTS" \
	iso "$T/iso.fifo" plain "$T/plain.fifo") || die "iso_probe failed"
printf '%s\n' "$out" | sed 's/^/# /' >&2
get() { printf '%s\n' "$out" | awk -v w="$1" -v k="$2" '$1 == w {
	for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }'; }
ms() { ns2ms "$(get "$1" median)"; }
ki=$(get kill_iso median) kp=$(get kill_plain median)
si=$(get start_iso median) sp=$(get start_plain median)
f=$(get fork median) c=$(get clone median) u=$(get unshare median)
verdict() { # X: met if X <= 1.5 fork and X < unshare
	awk -v x="$1" -v f="$f" -v u="$u" 'BEGIN {
		a = x <= 1.5 * f; b = x < u
		print (a && b ? "met" : a ? "missed: not below unshare" : b ? "missed: > 1.5x fork+exec" : "missed") }'
}
echo "isolation-start: supd mount+pid+ipc+uts+net median $(ms kill_iso) ms (kill -9 -> first instruction, $STARTS restarts; p90 $(ns2ms "$(get kill_iso p90)") ms); plain fork+exec $(ms fork) ms (ratio $(ratio "$ki" "$f")); unshare -mpinu --fork $(ms unshare) ms; supd namespaces=none $(ms kill_plain) ms; clone(2) with the 5 namespaces + exec $(ms clone) ms; fork+exec+wait /bin/true $(ms true) ms (bar: $(verdict "$ki"))"
echo "isolation-start-req: supd mount+pid+ipc+uts+net median $(ms start_iso) ms (START request -> first instruction, $STARTS starts; p90 $(ns2ms "$(get start_iso p90)") ms); ratio to plain fork+exec $(ratio "$si" "$f"); supd namespaces=none $(ms start_plain) ms (ratio $(ratio "$sp" "$f")) (bar: $(verdict "$si"))"

#!/bin/bash
# SPDX-License-Identifier: ISC
# net-start.sh [BUILD_DIR]: what a bridge network adds to a service's start
# (issue 10, src/service-net.c). Bar: a start on network = bridge (veth pair
# plugged while the child waits at its gate, address, route, its hosts and
# resolv.conf files written and bound) costs at most 2 ms more than the same
# service on network = none, median of 100 restarts.
#
# The whole script runs inside its own `unshare --net`: supd's bridge,
# veths and nftables table live there and go with it. One supd runs two
# services of bench/stamp (restart = always, restart_delay = 0, supd's
# default namespaces):
#   net   network = bridge (supd0: its bridge and table made at start)
#   none  network = none
# bench/iso_probe (isolation-start.sh's probe) measures, interleaved round
# by round, $STARTS (100) times each, the time to stamp's first instruction
# from kill -9 of the running service (a restart), and from a START request
# on supd's socket (the service stopped just before, untimed). A restart of
# net finds its previous veth pair still there when the kernel has not yet
# freed it with the old namespace; supd then deletes it (~20 ms, netlink.h)
# before plugging the new one: such restarts show in the p90, not the median.
. "$(dirname "$0")/common.sh"
if [ -z "${NET_START_INNER:-}" ]; then
	command -v unshare >/dev/null || die "unshare (util-linux) is needed"
	exec unshare --net env NET_START_INNER=1 "$0" "$@"
fi
case ${BENCH_TMP:-/tmp} in
/tmp | /tmp/*) BENCH_TMP=/var/tmp ;;
esac
bench_init "$@"
STARTS=${STARTS:-100}

bench_cc stamp
bench_cc iso_probe
chmod 0755 "$T"
mkfifo "$T/net.fifo" "$T/none.fifo"
svc net <<EOF2
[service]
command = $BIN/stamp $T/net.fifo
restart = always
restart_delay = 0
[isolation]
network = bridge
EOF2
svc none <<EOF2
[service]
command = $BIN/stamp $T/none.fifo
restart = always
restart_delay = 0
[isolation]
network = none
EOF2
start_supd

out=$("$BIN/iso_probe" "$SUPCTL" "$T/run/supd.sock" "$BIN/stamp" "$STARTS" \
	net "$T/net.fifo" none "$T/none.fifo") || die "iso_probe failed"
printf '%s\n' "$out" | sed 's/^/# /' >&2
get() { printf '%s\n' "$out" | awk -v w="$1" -v k="$2" '$1 == w {
	for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }'; }
ms() { ns2ms "$(get "$1" "${2:-median}")"; }
verdict() { # NET NONE: met if NET - NONE <= 2 ms
	awk -v a="$1" -v b="$2" 'BEGIN { print (a - b <= 2e6 ? "met" : "missed") }'
}
kn=$(get kill_iso median) k0=$(get kill_plain median)
sn=$(get start_iso median) s0=$(get start_plain median)
echo "net-start: network = bridge median $(ms kill_iso) ms (kill -9 -> first instruction, $STARTS restarts; p90 $(ms kill_iso p90) ms); network = none $(ms kill_plain) ms (p90 $(ms kill_plain p90) ms); added $(ns2ms $((kn - k0))) ms (bar <= 2 ms: $(verdict "$kn" "$k0"))"
echo "net-start-req: network = bridge median $(ms start_iso) ms (START request -> first instruction; p90 $(ms start_iso p90) ms); network = none $(ms start_plain) ms; added $(ns2ms $((sn - s0))) ms (bar <= 2 ms: $(verdict "$sn" "$s0"))"

# SPDX-License-Identifier: ISC
# forward-common.sh: what bench/forward-*.sh share, sourced after common.sh.
#
#   fwd_init "$@"     re-run the script in a network namespace of its own
#                     (`unshare --net`, loopback up: "the host"), bench_init,
#                     a second namespace playing the service ($SNS, a
#                     `sleep infinity` holding it), the fd limit raised to
#                     the hard one, fwd_probe compiled, $FWD = pub_fwd
#   in_svc CMD...     run CMD in the service's namespace ($IN_SVC CMD... for
#                     bg_wait: a command prefix, so $BG_PID is CMD's own pid)
#   bg_wait WORD OUT CMD...  start CMD in the background, its output in OUT,
#                     and wait until OUT holds WORD; its pid in $BG_PID
#   fwd_counts PID    a pub_fwd's counters now (SIGUSR1, read from its output)
#   rss_kb PID        VmRSS in KiB
#
# No packet leaves the two namespaces: every address is 127.0.0.1 in one of
# them, and they have no other interface.

fwd_init() {
	if [ -z "${FWD_IN_NS:-}" ]; then
		FWD_IN_NS=1 exec unshare --net bash "$0" "$@"
	fi
	bench_init "$@"
	FWD=$B/helpers/pub_fwd
	[ -x "$FWD" ] || die "no $FWD (make $B/helpers/pub_fwd)"
	command -v socat >/dev/null || die "socat is needed (apt-get install socat)"
	ulimit -n "$(ulimit -Hn)"
	ip link set lo up
	local me deadline
	me=$(readlink /proc/self/ns/net)
	unshare --net sleep infinity &
	SNS=$!
	BENCH_PIDS="${BENCH_PIDS:-} $SNS"
	deadline=$(($(now_ns) + 5000000000))
	while [ "$(readlink "/proc/$SNS/ns/net")" = "$me" ]; do
		[ "$(now_ns)" -lt "$deadline" ] || die "no service namespace"
		sleep 0.01
	done
	IN_SVC="nsenter --net=/proc/$SNS/ns/net"
	in_svc ip link set lo up
	bench_cc fwd_probe
}

in_svc() { nsenter --net="/proc/$SNS/ns/net" "$@"; }

bg_wait() {
	local word=$1 out=$2 deadline
	shift 2
	"$@" >"$out" 2>&1 &
	BG_PID=$!
	BENCH_PIDS="$BENCH_PIDS $BG_PID"
	deadline=$(($(now_ns) + 30000000000))
	until grep -q "$word" "$out"; do
		kill -0 "$BG_PID" 2>/dev/null || { cat "$out" >&2; die "$1 died"; }
		[ "$(now_ns)" -lt "$deadline" ] || die "$1: no '$word' in 30 s"
		sleep 0.01
	done
}

fwd_counts() {
	local out=$T/fwd-$1.out n deadline
	n=$(grep -c live= "$out")
	kill -USR1 "$1"
	deadline=$(($(now_ns) + 5000000000))
	until [ "$(grep -c live= "$out")" -gt "$n" ]; do
		[ "$(now_ns)" -lt "$deadline" ] || die "pub_fwd $1 gave no counts"
		sleep 0.01
	done
	grep live= "$out" | tail -n 1
}

# pub_fwd HOSTPORT TARGETPORT: a forwarder toward the service's namespace;
# its pid in $BG_PID, its output in $T/fwd-PID.out (for fwd_counts).
pub_fwd() {
	bg_wait ready "$T/fwd.tmp" "$FWD" "127.0.0.1:$1" "127.0.0.1:$2" \
	    "/proc/$SNS/ns/net"
	ln -f "$T/fwd.tmp" "$T/fwd-$BG_PID.out"
	rm -f "$T/fwd.tmp"
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

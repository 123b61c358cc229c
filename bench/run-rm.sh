#!/bin/bash
# SPDX-License-Identifier: ISC
# run-rm.sh [BUILD_DIR]: what `supctl run --rm --rootfs DIR true` costs, from
# the caller's side: supctl connects, supd parses the service text, creates
# the service, starts it in mount+pid+ipc+uts namespaces (supd's default)
# with DIR as its root, streams its (empty) output, waits for its end,
# removes it, and supctl exits with its code. Bar (issue 12): at most 1.5x
# `unshare -mpiu --fork --root DIR true`, median of $RUNS (default 20) of
# each, interleaved, wall clock of the whole command (read from bash's
# EPOCHREALTIME: until 2026-11-30 each window also held the start of a
# `date` process, ~1-2 ms on both sides, which pulled the ratio towards 1).
#
# DIR is a busybox rootfs made by tests/integration/mkrootfs.sh. The
# temp dir is under /var/tmp: a service's private /tmp would hide it.
. "$(dirname "$0")/common.sh"
case ${BENCH_TMP:-/tmp} in
/tmp | /tmp/*) BENCH_TMP=/var/tmp ;;
esac
bench_init "$@"
RUNS=${RUNS:-20}
command -v unshare >/dev/null || die "unshare (util-linux) is needed"
chmod 0755 "$T"
"$BENCH_DIR/../tests/integration/mkrootfs.sh" "$T/rootfs" >&2 ||
	die "cannot build the rootfs"
start_supd

# One warm-up of each (page cache, the rootfs's dentries).
ctl run --rm --rootfs "$T/rootfs" true || die "supctl run failed"
unshare -mpiu --fork --root "$T/rootfs" true || die "unshare failed"

run_ns=() unshare_ns=()
for i in $(seq 1 "$RUNS"); do
	stamp t0
	ctl run --rm --rootfs "$T/rootfs" true
	stamp t1
	unshare -mpiu --fork --root "$T/rootfs" true
	stamp t2
	run_ns+=($((t1 - t0)))
	unshare_ns+=($((t2 - t1)))
done
[ "$(ctl --json status | jq length)" = 0 ] || die "a run was not removed"
r=$(median "${run_ns[@]}")
u=$(median "${unshare_ns[@]}")
echo "run-rm: supctl run --rm median $(ns2ms "$r") ms, unshare median $(ns2ms "$u") ms, ratio $(ratio "$r" "$u") (bar <= 1.50, $RUNS runs)"
stop_supd

#!/bin/bash
# SPDX-License-Identifier: ISC
# run-image.sh [BUILD_DIR]: what an image costs a start (issue 13's bar):
# `supctl run --rm --image REF true` with the image already unpacked
# against `supctl run --rm --rootfs DIR true` where DIR is the same
# unpacked tree (the store's layer directory itself), median of $RUNS
# (default 20) of each, interleaved, wall clock of the whole command (bash's
# EPOCHREALTIME). Bar: <= 1.2x. The image's root is an overlay of its
# layers, its throwaway upper layer on supd's scratch tmpfs; the rootfs's
# a bind mount.
#
# The image: mkrootfs.sh's busybox tree in one layer, made with umoci (an
# OCI layout). Everything under /var/tmp: a service's private /tmp would
# hide it.
. "$(dirname "$0")/common.sh"
case ${BENCH_TMP:-/tmp} in
/tmp | /tmp/*) BENCH_TMP=/var/tmp ;;
esac
bench_init "$@"
RUNS=${RUNS:-20}
command -v umoci >/dev/null || die "umoci is needed (contrib/ensure-deps.sh test)"
chmod 0755 "$T"
L=$T/layout
"$BENCH_DIR/../tests/integration/mkrootfs.sh" "$T/rootfs" >&2 ||
	die "cannot build the rootfs"
{ umoci init --layout "$L" && umoci new --image "$L:img" &&
	umoci unpack --image "$L:img" "$T/b" && cp -a "$T/rootfs/." "$T/b/rootfs/" &&
	umoci repack --image "$L:img" "$T/b"; } >&2 || die "umoci failed"
rm -rf "$T/b"
start_supd

# The first run unpacks; then one warm-up of each.
ctl run --rm --image "$L:img" true || die "supctl run --image failed"
set -- "$T"/state/images/layers/*/root
[ $# -eq 1 ] && [ -d "$1" ] || die "not one layer in the store: $*"
DIR=$1
ctl run --rm --image "$L:img" true || die "supctl run --image failed"
ctl run --rm --rootfs "$DIR" true || die "supctl run --rootfs failed"

img_ns=() dir_ns=()
for i in $(seq 1 "$RUNS"); do
	stamp t0
	ctl run --rm --image "$L:img" true
	stamp t1
	ctl run --rm --rootfs "$DIR" true
	stamp t2
	img_ns+=($((t1 - t0)))
	dir_ns+=($((t2 - t1)))
done
[ "$(ctl --json status | jq length)" = 0 ] || die "a run was not removed"
r=$(median "${img_ns[@]}")
u=$(median "${dir_ns[@]}")
echo "run-image: --image median $(ns2ms "$r") ms, --rootfs median $(ns2ms "$u") ms, ratio $(ratio "$r" "$u") (bar <= 1.20, $RUNS runs)"
stop_supd

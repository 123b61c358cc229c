#!/bin/bash
# SPDX-License-Identifier: ISC
# image-unpack.sh [BUILD_DIR]: the first use of a ~30 MB image (issue 13's
# bar): `supd-image unpack` of an OCI layout into an empty store against
# `tar -xzf` of the same layer blobs into an empty directory, median of
# $RUNS (default 5) of each, interleaved, wall clock. Bar: supd-image's
# throughput >= 0.7x tar's, i.e. tar_ms / unpack_ms >= 0.7. supd-image also
# hashes every blob and every uncompressed stream, which tar does not.
#
# The image (umoci, gzip layers): mkrootfs.sh's busybox tree, then a layer
# of copies of /usr/lib/x86_64-linux-gnu's shared objects up to ~30 MB
# (uncompressed). Everything under /var/tmp.
. "$(dirname "$0")/common.sh"
BENCH_TMP=${BENCH_TMP:-/var/tmp}
bench_init "$@"
RUNS=${RUNS:-5}
IMG=$B/supd-image
[ -x "$IMG" ] || die "$B has no supd-image (run make)"
command -v umoci >/dev/null || die "umoci is needed (contrib/ensure-deps.sh test)"

L=$T/layout
"$BENCH_DIR/../tests/integration/mkrootfs.sh" "$T/rootfs" >&2 ||
	die "cannot build the rootfs"
umoci init --layout "$L" && umoci new --image "$L:img" &&
	umoci unpack --image "$L:img" "$T/b" >&2 || die "umoci failed"
cp -a "$T/rootfs/." "$T/b/rootfs/"
umoci repack --image "$L:img" "$T/b" >&2 || die "umoci repack failed"
umoci unpack --image "$L:img" "$T/c" >&2 || die "umoci unpack failed"
mkdir -p "$T/c/rootfs/usr/lib"
total=0
for f in /usr/lib/x86_64-linux-gnu/*.so* /usr/lib/*/*.so*; do
	[ -f "$f" ] && [ ! -L "$f" ] && [ "$(stat -c %s "$f")" -lt 4194304 ] || continue
	[ -e "$T/c/rootfs/usr/lib/${f##*/}" ] && continue
	cp "$f" "$T/c/rootfs/usr/lib/"
	total=$((total + $(stat -c %s "$f")))
	[ "$total" -lt 31457280 ] || break
done
umoci repack --image "$L:img" "$T/c" >&2 || die "umoci repack failed"
rm -rf "$T/b" "$T/c"
man=$(jq -r '.manifests[0].digest' "$L/index.json" | cut -d: -f2)
blobs=$(jq -r '.layers[].digest' "$L/blobs/sha256/$man" | cut -d: -f2)
note "image: $(du -sb "$L" | cut -f1) bytes in the layout, $total bytes of libraries"

unpack_ms=()
tar_ms=()
for i in $(seq 0 "$RUNS"); do
	rm -rf "$T/store" "$T/tar"
	sync
	stamp t0
	"$IMG" unpack --store "$T/store" "$L:img" >/dev/null || die "unpack failed"
	stamp t1
	mkdir "$T/tar"
	for b in $blobs; do
		mkdir "$T/tar/$b"
		tar -xzf "$L/blobs/sha256/$b" -C "$T/tar/$b" || die "tar failed"
	done
	stamp t2
	# Run 0 warms the page cache for both.
	[ "$i" -eq 0 ] && continue
	unpack_ms+=($(((t1 - t0) / 1000000)))
	tar_ms+=($(((t2 - t1) / 1000000)))
done
u=$(median "${unpack_ms[@]}")
t=$(median "${tar_ms[@]}")
note "supd-image unpack: ${unpack_ms[*]} ms; tar -xzf: ${tar_ms[*]} ms"
echo "image-unpack: supd-image ${u} ms, tar -xzf ${t} ms, throughput $(ratio "$t" "$u")x tar's (bar >= 0.7)"

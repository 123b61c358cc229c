#!/bin/sh
# SPDX-License-Identifier: ISC
# mkimage.sh DIR [big]: build the image fixtures of the image tests (issue 13)
# in DIR with real tools only -- umoci, skopeo, tar, python3's tarfile -- from
# mkrootfs.sh's busybox tree. Every image is valid (umoci and skopeo read it);
# only the content of some layers is hostile. What DIR then holds:
#
#   DIR/rootfs/            mkrootfs.sh's tree (busybox, /probe, ...)
#   DIR/layout/            an OCI image layout with these tags:
#     base     one layer: rootfs plus /etc/lower-file ("lower"),
#              /data/opq/old-file ("old"), /data/keep/kept ("kept")
#     derived  base + a umoci layer removing /etc/lower-file (a whiteout
#              .wh.lower-file) and adding /etc/top-file ("top"), + a layer
#              (umoci raw add-layer of a python tar) making /data/opq opaque
#              (.wh..wh..opq) with /data/opq/new-file ("new"); its config:
#                Entrypoint ["/bin/sh","-c"]  Cmd ["echo hello from image"]
#                Env PATH=/usr/sbin:/usr/bin:/sbin:/bin GREETING=hello
#                WorkingDir /data  User 1000:1000  ExposedPorts 8080/tcp
#                StopSignal SIGUSR1
#     other    base + a layer adding /etc/other-file ("other")
#     hostile-dotdot    base + a python tar: ok-before, ../escape-dotdot
#     hostile-abslink   ... a symlink link -> DIR/canary, then link/through-link
#     hostile-rellink   ... a symlink up -> ../../../../../../../.., then
#                       up/DIR/canary/through-up
#     hostile-hardlink  ... a hard link hl to ../../../../../../../../etc/hostname
#     hostile-hlsym     ... a symlink l -> DIR/canary, a hard link x to l/f
#     hostile-whsym     ... a symlink l -> DIR/canary, then l/.wh.f
#     symreplace        ... symlinks d -> DIR/canary and f -> DIR/canary/f,
#                       then a directory d (0777) and a file f: they replace
#                       the symlinks, DIR/canary stays as it was
#     xattrs            ... ovl/ with xattrs trusted.overlay.opaque=y and
#                       user.dir=d, ovl/file with user.keep=yes
#     abspath           ... a member /abs-file (absolute: lands at /abs-file
#                       inside the image, as docker does)
#     devices  base + a python tar: dev/null2 (char 1:3), dev/sda9 (block
#              8:9), dev/fifo (a fifo), bin/suidfile (mode 4755, root)
#     dup      base + a layer adding /etc/dupfile ("dup"), one whiting it out,
#              and the first again
#     zstd     derived, its top layer recompressed with zstd (tar+zstd)
#     nested   an index (in an index) naming base for linux/arm64 and derived
#              for linux/amd64
#   DIR/canary/            the directory the hostile layers aim at: f ("canary")
#   DIR/single/            an OCI layout holding only `derived` (skopeo copy)
#   DIR/derived.oci.tar    oci-archive: tar of DIR/single
#   DIR/derived.docker.tar docker-archive (skopeo), RepoTags supd/test:derived
#   DIR/big/               with `big`: an OCI layout, tag big, whose second
#                          layer is a 256 MiB file of random bytes (gzip)
#
# Idempotent: DIR/.done (DIR/.done-big) says it was built; remove DIR to
# rebuild. Needs umoci, skopeo, python3, zstd (contrib/ensure-deps.sh test).
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
	echo "usage: $0 DIR [big]" >&2
	exit 2
fi
case $1 in
/*) dir=$1 ;;
*) dir=$(pwd)/$1 ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
die() {
	echo "mkimage: $*" >&2
	exit 1
}
for t in umoci skopeo python3 tar zstd; do
	command -v "$t" >/dev/null 2>&1 || die "no $t (contrib/ensure-deps.sh test)"
done
mkdir -p "$dir"
L=$dir/layout
W=$dir/work

# pytar OUT: the python3 program on stdin writes a tar to OUT (tarfile, with
# `tf` open for writing and the helpers add_file/add_link/add_node).
pytar() {
	python3 - "$1" "$dir" 3<&0 <<'EOF'
import io, os, sys, tarfile
out, top = sys.argv[1], sys.argv[2]
tf = tarfile.open(out, "w", format=tarfile.PAX_FORMAT)
def info(name, kind, mode=0o644):
    ti = tarfile.TarInfo(name)
    ti.type, ti.mode, ti.uid, ti.gid, ti.mtime = kind, mode, 0, 0, 1700000000
    return ti
def add_file(name, data, mode=0o644):
    ti = info(name, tarfile.REGTYPE, mode)
    ti.size = len(data)
    tf.addfile(ti, io.BytesIO(data))
def add_link(name, target, kind=tarfile.SYMTYPE):
    ti = info(name, kind, 0o777)
    ti.linkname = target
    tf.addfile(ti)
def add_node(name, kind, major=0, minor=0, mode=0o644):
    ti = info(name, kind, mode)
    ti.devmajor, ti.devminor = major, minor
    tf.addfile(ti)
def add_dir(name, mode=0o755):
    tf.addfile(info(name, tarfile.DIRTYPE, mode))
exec(os.fdopen(3).read())
tf.close()
EOF
}

# layout_extra L: two tags umoci cannot make, written by python3 computing
# the digests: zstd (derived with its top layer recompressed by zstd, media
# type tar+zstd) and nested (an index blob naming base for linux/arm64 and
# derived for linux/amd64, tagged in index.json).
layout_extra() {
	python3 - "$1" <<'EOF'
import gzip, hashlib, json, os, subprocess, sys
L = sys.argv[1]
def blob(d): return os.path.join(L, "blobs", d.replace(":", "/"))
def put(data):
    d = "sha256:" + hashlib.sha256(data).hexdigest()
    open(blob(d), "wb").write(data)
    return d
idx = json.load(open(os.path.join(L, "index.json")))
def desc(tag):
    return [m for m in idx["manifests"]
            if m["annotations"]["org.opencontainers.image.ref.name"] == tag][0]
der, base = desc("derived"), desc("base")
m = json.load(open(blob(der["digest"])))
top = m["layers"][-1]
tar = gzip.decompress(open(blob(top["digest"]), "rb").read())
z = subprocess.run(["zstd", "-q", "-c"], input=tar, capture_output=True,
                   check=True).stdout
m["layers"][-1] = {"mediaType": "application/vnd.oci.image.layer.v1.tar+zstd",
                   "digest": put(z), "size": len(z)}
mb = json.dumps(m).encode()
idx["manifests"].append({"mediaType": der["mediaType"], "digest": put(mb),
    "size": len(mb),
    "annotations": {"org.opencontainers.image.ref.name": "zstd"}})
nested = {"schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.index.v1+json",
    "manifests": [
        dict(base, annotations={}, platform={"architecture": "arm64", "os": "linux"}),
        dict(der, annotations={}, platform={"architecture": "amd64", "os": "linux"})]}
for e in nested["manifests"]: del e["annotations"]
nb = json.dumps(nested).encode()
idx["manifests"].append({"mediaType": "application/vnd.oci.image.index.v1+json",
    "digest": put(nb), "size": len(nb),
    "annotations": {"org.opencontainers.image.ref.name": "nested"}})
json.dump(idx, open(os.path.join(L, "index.json"), "w"))
EOF
}

if [ ! -e "$dir/.done" ]; then
	rm -rf "$L" "$W" "$dir/single" "$dir"/*.tar "$dir/canary"
	mkdir -p "$W" "$dir/canary"
	echo canary >"$dir/canary/f"
	"$here/mkrootfs.sh" "$dir/rootfs" || die "mkrootfs.sh failed"

	umoci init --layout "$L"
	umoci new --image "$L:base"
	umoci unpack --image "$L:base" "$W/b"
	cp -a "$dir/rootfs/." "$W/b/rootfs/"
	echo lower >"$W/b/rootfs/etc/lower-file"
	mkdir -p "$W/b/rootfs/data/opq" "$W/b/rootfs/data/keep"
	echo old >"$W/b/rootfs/data/opq/old-file"
	echo kept >"$W/b/rootfs/data/keep/kept"
	umoci repack --image "$L:base" "$W/b"

	# derived: a whiteout by umoci (a removed file), then an opaque dir.
	umoci unpack --image "$L:base" "$W/d"
	rm "$W/d/rootfs/etc/lower-file"
	echo top >"$W/d/rootfs/etc/top-file"
	umoci repack --image "$L:derived" "$W/d"
	pytar "$W/opq.tar" <<'EOF'
add_dir("data/opq")
add_file("data/opq/.wh..wh..opq", b"")
add_file("data/opq/new-file", b"new\n")
EOF
	umoci raw add-layer --image "$L:derived" "$W/opq.tar"
	umoci config --image "$L:derived" \
		--config.entrypoint /bin/sh --config.entrypoint -c \
		--config.cmd "echo hello from image" \
		--config.env PATH=/usr/sbin:/usr/bin:/sbin:/bin \
		--config.env GREETING=hello \
		--config.workingdir /data --config.user 1000:1000 \
		--config.exposedports 8080/tcp --config.stopsignal SIGUSR1

	umoci unpack --image "$L:base" "$W/o"
	echo other >"$W/o/rootfs/etc/other-file"
	umoci repack --image "$L:other" "$W/o"

	# hostile-*: valid images whose one extra layer aims outside it, one
	# way each; abspath: an absolute member name, which lands inside.
	rel=${dir#/}
	hostile() {
		# hostile TAG: the python lines on stdin make its layer
		CANARY=$dir/canary REL=$rel pytar "$W/$1.tar"
		umoci raw add-layer --image "$L:base" --tag "$1" "$W/$1.tar"
	}
	hostile hostile-dotdot <<'EOF'
add_file("ok-before", b"ok\n")
add_file("../escape-dotdot", b"escaped\n")
EOF
	hostile hostile-abslink <<'EOF'
add_link("link", os.environ["CANARY"])
add_file("link/through-link", b"through an absolute symlink\n")
EOF
	hostile hostile-rellink <<'EOF'
add_link("up", "../../../../../../../..")
add_file("up/" + os.environ["REL"] + "/canary/through-up", b"relative\n")
EOF
	hostile hostile-hardlink <<'EOF'
add_link("hl", "../../../../../../../../etc/hostname", tarfile.LNKTYPE)
EOF
	hostile hostile-hlsym <<'EOF'
add_link("l", os.environ["CANARY"])
add_link("x", "l/f", tarfile.LNKTYPE)
EOF
	hostile hostile-whsym <<'EOF'
add_link("l", os.environ["CANARY"])
add_file("l/.wh.f", b"")
EOF
	# Accepted: entries that replace a symlink replace it, not its target.
	hostile symreplace <<'EOF'
add_link("d", os.environ["CANARY"])
add_dir("d", 0o777)
add_link("f", os.environ["CANARY"] + "/f")
add_file("f", b"replaced\n", 0o666)
EOF
	hostile abspath <<'EOF'
add_file("/abs-file", b"absolute\n")
EOF
	# xattrs: a file's user.* kept, a directory's trusted.overlay.* dropped
	# (that one is overlayfs's own word, not the image's).
	hostile xattrs <<'EOF'
ti = info("ovl", tarfile.DIRTYPE, 0o755)
ti.pax_headers = {"SCHILY.xattr.trusted.overlay.opaque": "y",
                  "SCHILY.xattr.user.dir": "d"}
tf.addfile(ti)
ti = info("ovl/file", tarfile.REGTYPE, 0o644)
ti.size = 2
ti.pax_headers = {"SCHILY.xattr.user.keep": "yes"}
tf.addfile(ti, io.BytesIO(b"x\n"))
EOF

	# dup: one layer twice, a whiteout of its file between.
	pytar "$W/dupadd.tar" <<'EOF'
add_file("etc/dupfile", b"dup\n")
EOF
	pytar "$W/dupwh.tar" <<'EOF'
add_file("etc/.wh.dupfile", b"")
EOF
	umoci raw add-layer --image "$L:base" --tag dup "$W/dupadd.tar"
	umoci raw add-layer --image "$L:dup" "$W/dupwh.tar"
	umoci raw add-layer --image "$L:dup" "$W/dupadd.tar"

	pytar "$W/devices.tar" <<'EOF'
add_dir("dev")
add_node("dev/null2", tarfile.CHRTYPE, 1, 3, 0o666)
add_node("dev/sda9", tarfile.BLKTYPE, 8, 9, 0o660)
add_node("dev/fifo", tarfile.FIFOTYPE, 0, 0, 0o644)
add_file("bin/suidfile", b"#!/bin/sh\n", 0o4755)
EOF
	umoci raw add-layer --image "$L:base" --tag devices "$W/devices.tar"
	umoci gc --layout "$L"
	layout_extra "$L"

	skopeo copy -q "oci:$L:derived" "oci:$dir/single:derived"
	tar -C "$dir/single" -cf "$dir/derived.oci.tar" .
	skopeo copy -q "oci:$L:derived" \
		"docker-archive:$dir/derived.docker.tar:supd/test:derived"
	# Both readers accept every image.
	for t in base derived other hostile-dotdot hostile-abslink \
		hostile-rellink hostile-hardlink hostile-hlsym hostile-whsym \
		symreplace abspath xattrs devices dup zstd nested; do
		skopeo inspect -n "oci:$L:$t" >/dev/null ||
			die "skopeo does not read $L:$t"
	done
	rm -rf "$W"
	: >"$dir/.done"
fi

if [ "${2:-}" = big ] && [ ! -e "$dir/.done-big" ]; then
	rm -rf "$dir/big" "$W"
	mkdir -p "$W"
	umoci init --layout "$dir/big"
	umoci new --image "$dir/big:big"
	umoci unpack --image "$dir/big:big" "$W/g"
	cp -a "$dir/rootfs/." "$W/g/rootfs/"
	umoci repack --image "$dir/big:big" "$W/g"
	umoci unpack --image "$dir/big:big" "$W/h"
	head -c 268435456 /dev/urandom >"$W/h/rootfs/big-file"
	umoci repack --image "$dir/big:big" "$W/h"
	umoci gc --layout "$dir/big"
	rm -rf "$W"
	: >"$dir/.done-big"
fi
exit 0

#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# image-tool.bats: supd-image (man/supd-image.8) on images made by real
# tools (tests/integration/mkimage.sh: umoci, skopeo, tar, python3's
# tarfile): an OCI layout, an oci-archive and a docker archive unpack to the
# expected trees and store files; tags; whiteouts and opaque directories
# work in a real overlay mount; shared layers are stored once; a corrupt
# blob and hostile layers are refused leaving nothing; device nodes are
# skipped and counted; rm, prune, concurrent and interrupted unpacks.
#
# The fixtures are built once per file under /var/tmp ($FX); each test has
# its store $S in its own directory $T.

bats_require_minimum_version 1.5.0

load common

IMG_TOOL=$B/supd-image

setup_file() {
	FX=$(mktemp -d /var/tmp/supd-imgtool.XXXXXX)
	chmod 0755 "$FX"
	"$BATS_TEST_DIRNAME/mkimage.sh" "$FX" big >&2
	export FX
}

teardown_file() {
	[ -z "${FX:-}" ] || rm -rf --one-file-system "$FX"
}

setup() {
	T=$(mktemp -d /var/tmp/supd-imgtool-t.XXXXXX)
	S=$T/store
	mkdir -m 1777 "$T/sanitizer"
	export ASAN_OPTIONS=${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}log_path=$T/sanitizer/asan
	export UBSAN_OPTIONS=print_stacktrace=1
	BG=
}

teardown() {
	local bad=0
	[ -z "$BG" ] || kill -9 "$BG" 2>/dev/null || true
	if [ -n "$(ls "$T/sanitizer")" ]; then
		cat "$T"/sanitizer/* >&2
		bad=1
	fi
	rm -rf --one-file-system "$T"
	return "$bad"
}

# unpack REF: supd-image unpack into $S; $status, $output (stdout) and
# $stderr as bats's run --separate-stderr gives them.
unpack() {
	run --separate-stderr "$IMG_TOOL" unpack --store "$S" "$1"
}

# The manifest digest of a tag in a layout's index.json.
tag_digest() {
	jq -r --arg t "$2" '.manifests[] |
	    select(.annotations["org.opencontainers.image.ref.name"] == $t) |
	    .digest' "$1/index.json"
}

# The root of the Nth layer (1 = bottom) of image ID (sha256:HEX).
layer_root() {
	echo "$S/layers/$(sed -n "${2}p" "$S/images/${1#sha256:}/layers")/root"
}

# A source's stamp: DEV INO SIZE MTIME_NS.
stamp() {
	python3 -c 'import os, sys
s = os.stat(sys.argv[1])
print(s.st_dev, s.st_ino, s.st_size, s.st_mtime_ns)' "$1"
}

# What a tree holds: each path's type, mode, owner, size, link target,
# device numbers and xattrs, and its regular files' contents.
tree_sum() {
	(cd "$1" && find . -printf '%p %y %m %U:%G %s %l\n' | sort &&
	    find . -type f -print0 | sort -z | xargs -0r sha256sum &&
	    find . -type c -printf '%p ' -exec stat -c '%t:%T' {} \; | sort &&
	    python3 -c 'import os
for d, ds, fs in sorted(os.walk(".")):
    for n in sorted(ds + fs):
        p = os.path.join(d, n)
        for x in sorted(os.listxattr(p, follow_symlinks=False)):
            print(p, x, os.getxattr(p, x, follow_symlinks=False))')
}

count() {
	find "$1" -mindepth 1 -maxdepth 1 | wc -l
}

@test "an OCI layout unpacks to the expected layers and store files" {
	unpack "$FX/layout:derived"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	id=$(tag_digest "$FX/layout" derived)
	[ "$output" = "$id" ]
	h=${id#sha256:}
	[ "$(stat -c %a "$S")" = 700 ]
	[ "$(wc -l <"$S/images/$h/layers")" -eq 3 ]
	[ "$(count "$S/layers")" -eq 3 ]
	[ "$(count "$S/tmp")" -eq 0 ]
	# The layer dirs are named by the config's diff_ids, in order.
	cfg=$(jq -r .config.digest "$FX/layout/blobs/sha256/$h" | cut -d: -f2)
	[ "$(jq -r '.rootfs.diff_ids[]' "$FX/layout/blobs/sha256/$cfg" |
	    cut -d: -f2)" = "$(cat "$S/images/$h/layers")" ]
	cmp "$S/images/$h/manifest.json" "$FX/layout/blobs/sha256/$h"
	cmp "$S/images/$h/config.json" "$FX/layout/blobs/sha256/$cfg"
	# The bottom layer is the busybox tree plus the base's files.
	run diff -r --no-dereference "$FX/rootfs" "$(layer_root "$id" 1)"
	[ "$output" = "Only in $(layer_root "$id" 1)/data: keep
Only in $(layer_root "$id" 1)/data: opq
Only in $(layer_root "$id" 1)/etc: lower-file" ]
	[ "$(cat "$(layer_root "$id" 1)/data/keep/kept")" = kept ]
	[ "$(stat -c %a "$(layer_root "$id" 1)/bin/iso_suid")" = 4755 ]
	# The second: the whiteout of etc/lower-file and etc/top-file.
	[ "$(stat -c '%F %t:%T' "$(layer_root "$id" 2)/etc/lower-file")" = \
	    "character special file 0:0" ]
	[ "$(cat "$(layer_root "$id" 2)/etc/top-file")" = top ]
	# The third: data/opq opaque, with new-file.
	[ "$(python3 -c 'import os, sys
print(os.getxattr(sys.argv[1], "trusted.overlay.opaque").decode())' \
	    "$(layer_root "$id" 3)/data/opq")" = y ]
	[ "$(ls -A "$(layer_root "$id" 3)/data/opq")" = new-file ]
	[ "$(printf '%s\n' "entrypoint	/bin/sh" "entrypoint	-c" \
	    "cmd	echo hello from image" \
	    "env	PATH=/usr/sbin:/usr/bin:/sbin:/bin" "env	GREETING=hello" \
	    "workdir	/data" "user	1000:1000" "stop_signal	SIGUSR1" \
	    "port	8080/tcp")" = "$(cat "$S/images/$h/defaults")" ]
	grep -qx "arch amd64" "$S/images/$h/info"
	grep -qx "os linux" "$S/images/$h/info"
	grep -qx "skipped_nodes 0" "$S/images/$h/info"
	grep -qx "created $(jq -r .created "$FX/layout/blobs/sha256/$cfg")" \
	    "$S/images/$h/info"
	sizes=0
	for l in $(cat "$S/images/$h/layers"); do
		sizes=$((sizes + $(cat "$S/layers/$l/size")))
	done
	grep -qx "size $sizes" "$S/images/$h/info"
	# The ref's record: REF, id, index.json's stamp.
	key=$(printf '%s' "$FX/layout:derived" | sha256sum | cut -d' ' -f1)
	[ "$(cat "$S/refs/$key")" = "$FX/layout:derived
$id
$(stamp "$FX/layout/index.json")" ]
}

@test "directories a tar does not list are 0755 whatever the umask" {
	umask 077
	unpack "$FX/layout:derived"
	[ "$status" -eq 0 ]
	# Each layer's root; etc/ of the whiteout layer (made for the whiteout),
	# data/ of the opaque one (made by libarchive for data/opq).
	[ "$(stat -c %a "$(layer_root "$output" 1)" "$(layer_root "$output" 2)" \
	    "$(layer_root "$output" 3)" "$(layer_root "$output" 2)/etc" \
	    "$(layer_root "$output" 3)/data")" = "755
755
755
755
755" ]
	[ "$(stat -c %a "$S/images/${output#sha256:}/defaults")" = 644 ]
}

@test "an image already stored is not unpacked again: its layers are not read" {
	cp -a "$FX/layout" "$T/l"
	unpack "$T/l:derived"
	[ "$status" -eq 0 ]
	id=$output
	ino=$(stat -c %i "$(layer_root "$id" 1)")
	# Its layer blobs garbage now: only manifest and config are read.
	for b in $(jq -r '.layers[].digest' "$T/l/blobs/sha256/${id#sha256:}" |
	    cut -d: -f2); do
		chmod u+w "$T/l/blobs/sha256/$b"
		echo garbage >"$T/l/blobs/sha256/$b"
	done
	unpack "$T/l:derived"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$output" = "$id" ]
	[ "$(stat -c %i "$(layer_root "$id" 1)")" = "$ino" ]
	# Another image of the same layers reads none of them either.
	umoci config --image "$T/l:derived" --tag again --config.env X=1
	unpack "$T/l:again"
	[ "$status" -eq 0 ]
	[ "$(count "$S/layers")" -eq 3 ]
}

@test "an oci-archive, by prefix and by content, is the same image as its layout" {
	unpack "$FX/layout:derived"
	id=$output
	unpack "oci-archive:$FX/derived.oci.tar:derived"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$output" = "$id" ]
	unpack "$FX/derived.oci.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "$id" ]
	[ "$(count "$S/layers")" -eq 3 ]
	[ "$(count "$S/refs")" -eq 3 ]
	# An archive's stamp is the archive's.
	key=$(printf '%s' "$FX/derived.oci.tar" | sha256sum | cut -d' ' -f1)
	[ "$(sed -n 3p "$S/refs/$key")" = "$(stamp "$FX/derived.oci.tar")" ]
	# A fresh store from the archive alone has the same trees.
	S=$T/store2 unpack "oci-archive:$FX/derived.oci.tar"
	[ "$status" -eq 0 ]
	[ "$(tree_sum "$S/layers")" = "$(tree_sum "$T/store2/layers")" ]
}

@test "a docker archive unpacks to the same layers, its id the config's digest" {
	unpack "$FX/layout:derived"
	lid=$output
	unpack "docker-archive:$FX/derived.docker.tar:supd/test:derived"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	cfg=$(tar -xOf "$FX/derived.docker.tar" manifest.json | jq -r '.[0].Config')
	[ "$output" = "sha256:${cfg%.json}" ]
	did=$output
	# The same diff_ids: the layers are shared with the layout's image.
	[ "$(count "$S/layers")" -eq 3 ]
	cmp "$S/images/${lid#sha256:}/layers" "$S/images/${did#sha256:}/layers"
	cmp "$S/images/${lid#sha256:}/defaults" "$S/images/${did#sha256:}/defaults"
	# Unpacked alone, its trees are the layout's.
	S=$T/store2 unpack "docker-archive:$FX/derived.docker.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "$did" ]
	[ "$(tree_sum "$S/layers")" = "$(tree_sum "$T/store2/layers")" ]
	S=$T/store2 unpack "$FX/derived.docker.tar"
	[ "$output" = "$did" ]
	S=$T/store2 unpack "docker-archive:$FX/derived.docker.tar:docker.io/supd/test:derived"
	[ "$output" = "$did" ]
	S=$T/store2 unpack "docker-archive:$FX/derived.docker.tar:supd/test:nope"
	[ "$status" -eq 1 ]
	[ "$stderr" = "supd-image: docker-archive:$FX/derived.docker.tar:supd/test:nope: no image tagged supd/test:nope in manifest.json" ]
}

@test "a tag picks its manifest; none with many manifests is an error naming them" {
	unpack "$FX/layout:base"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tag_digest "$FX/layout" base)" ]
	[ "$(wc -l <"$S/images/${output#sha256:}/layers")" -eq 1 ]
	unpack "$FX/layout"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "supd-image: $FX/layout: 16 manifests, name one by its tag: base, derived, other, hostile-dotdot, hostile-abslink, hostile-rellink, hostile-hardlink, hostile-hlsym, hostile-whsym, symreplace, abspath, xattrs, dup, devices, zstd, nested" ]
	unpack "$FX/layout:nope"
	[ "$status" -eq 1 ]
	[ "$stderr" = "supd-image: $FX/layout:nope: no manifest tagged nope (tags: base, derived, other, hostile-dotdot, hostile-abslink, hostile-rellink, hostile-hardlink, hostile-hlsym, hostile-whsym, symreplace, abspath, xattrs, dup, devices, zstd, nested)" ]
	unpack "oci:$FX/layout:base"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tag_digest "$FX/layout" base)" ]
	# A layout of one manifest needs no tag.
	unpack "$FX/single"
	[ "$status" -eq 0 ]
	[ "$output" = "$(tag_digest "$FX/layout" derived)" ]
	unpack "relative/layout:derived"
	[ "$status" -eq 1 ]
	[ "$stderr" = "supd-image: relative/layout:derived: not an absolute path" ]
	unpack "$FX/nothing-here:x"
	[ "$status" -eq 1 ]
	[ "$stderr" = "supd-image: $FX/nothing-here:x: $FX/nothing-here: No such file or directory" ]
}

@test "a zstd layer and an index inside an index (this machine's platform)" {
	unpack "$FX/layout:derived"
	[ "$status" -eq 0 ]
	d=$output
	S=$T/z unpack "$FX/layout:zstd"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$output" = "$(tag_digest "$FX/layout" zstd)" ]
	[ "$(jq -r '.layers[-1].mediaType' "$FX/layout/blobs/sha256/${output#sha256:}")" = \
	    application/vnd.oci.image.layer.v1.tar+zstd ]
	# The same diff_ids, the same trees.
	cmp "$S/images/${d#sha256:}/layers" "$T/z/images/${output#sha256:}/layers"
	[ "$(tree_sum "$S/layers")" = "$(tree_sum "$T/z/layers")" ]
	# nested: the amd64 entry of its index is derived's manifest.
	unpack "$FX/layout:nested"
	[ "$status" -eq 0 ]
	[ "$output" = "$d" ]
}

# overlay_run ID CMD: run the shell code CMD with $M the overlay of the
# image's layers (read-only, top first), in a private mount namespace.
overlay_run() {
	local lower= l
	for l in $(tac "$S/images/${1#sha256:}/layers"); do
		lower=$lower${lower:+:}$S/layers/$l/root
	done
	mkdir -p "$T/mnt"
	M=$T/mnt LOWER=$lower unshare -m sh -c \
	    'mount -t overlay overlay -o "lowerdir=$LOWER" "$M" && '"$2"
}

@test "a whiteout hides the lower layer's file in an overlay mount" {
	unpack "$FX/layout:derived"
	[ "$status" -eq 0 ]
	[ -e "$(layer_root "$output" 1)/etc/lower-file" ]
	run overlay_run "$output" 'ls -A "$M/etc"; cat "$M/etc/top-file"'
	[ "$status" -eq 0 ]
	[[ $output == *top-file* ]]
	[[ $output != *lower-file* ]]
	[[ $output == *passwd* ]]
	[ "${lines[-1]}" = top ]
	# The other image of the same base still has it.
	unpack "$FX/layout:other"
	run overlay_run "$output" 'cat "$M/etc/lower-file"'
	[ "$output" = lower ]
}

@test "an opaque directory hides everything below it in an overlay mount" {
	unpack "$FX/layout:derived"
	[ "$status" -eq 0 ]
	[ -e "$(layer_root "$output" 1)/data/opq/old-file" ]
	run overlay_run "$output" 'ls -A "$M/data/opq"; ls -A "$M/data/keep"'
	[ "$status" -eq 0 ]
	[ "$output" = "new-file
kept" ]
}

@test "a layer twice in an image is named once, at its topmost place" {
	unpack "$FX/layout:dup"
	[ "$status" -eq 0 ]
	h=${output#sha256:}
	[ "$(jq '.layers | length' "$FX/layout/blobs/sha256/$h")" -eq 4 ]
	[ "$(wc -l <"$S/images/$h/layers")" -eq 3 ]
	[ "$(sort -u "$S/images/$h/layers" | wc -l)" -eq 3 ]
	# base, the whiteout, the file: the file is there, as docker has it.
	run overlay_run "$output" 'cat "$M/etc/dupfile"'
	[ "$status" -eq 0 ]
	[ "$output" = dup ]
	sizes=0
	for l in $(cat "$S/images/$h/layers"); do
		sizes=$((sizes + $(cat "$S/layers/$l/size")))
	done
	grep -qx "size $sizes" "$S/images/$h/info"
}

@test "images sharing layers store them once; ten images, one copy" {
	unpack "$FX/layout:derived"
	d=$output
	unpack "$FX/layout:other"
	o=$output
	[ "$(count "$S/layers")" -eq 4 ]
	[ "$(layer_root "$d" 1)" = "$(layer_root "$o" 1)" ]
	# Ten images (ten manifests, configs differing) of the same layer.
	cp -a "$FX/layout" "$T/ten"
	for i in 0 1 2 3 4 5 6 7 8 9; do
		umoci config --image "$T/ten:base" --tag "t$i" --config.env "N=$i"
	done
	S=$T/s10
	for i in 0 1 2 3 4 5 6 7 8 9; do
		unpack "$T/ten:t$i"
		[ "$status" -eq 0 ]
	done
	[ "$(count "$S/images")" -eq 10 ]
	[ "$(count "$S/layers")" -eq 1 ]
	[ "$(sort -u "$S"/images/*/layers | wc -l)" -eq 1 ]
	# On disk: one tree, about one layer's size.
	one=$(cat "$S"/layers/*/size)
	all=$(du -sB1 "$S" | cut -f1)
	[ "$all" -lt $((one * 2)) ]
}

@test "a corrupt layer blob is refused with one line and leaves nothing" {
	cp -a "$FX/layout" "$T/bad"
	id=$(tag_digest "$T/bad" derived)
	# The top layer: the two below it are good and must not be stored.
	blob=$(jq -r '.layers[-1].digest' "$T/bad/blobs/sha256/${id#sha256:}")
	f=$T/bad/blobs/sha256/${blob#sha256:}
	# One byte flipped in the middle of the gzip stream.
	python3 -c 'import sys
f = open(sys.argv[1], "r+b"); f.seek(int(sys.argv[2]) // 2)
b = f.read(1); f.seek(-1, 1); f.write(bytes([b[0] ^ 0x40]))' "$f" "$(stat -c %s "$f")"
	unpack "$T/bad:derived"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "supd-image: $T/bad:derived: layer $blob: digest mismatch" ]
	[ "$(count "$S/layers")" -eq 0 ]
	[ "$(count "$S/images")" -eq 0 ]
	[ "$(count "$S/refs")" -eq 0 ]
	[ "$(count "$S/tmp")" -eq 0 ]
	# A corrupt config too.
	cp -a "$FX/layout" "$T/bad2"
	cfg=$(jq -r .config.digest "$T/bad2/blobs/sha256/${id#sha256:}")
	chmod u+w "$T/bad2/blobs/sha256/${cfg#sha256:}"
	sed -i 's/SIGUSR1/SIGUSR2/' "$T/bad2/blobs/sha256/${cfg#sha256:}"
	unpack "$T/bad2:derived"
	[ "$status" -eq 1 ]
	[ "$stderr" = "supd-image: $T/bad2:derived: config $cfg: digest mismatch" ]
	[ "$(count "$S/images")" -eq 0 ]
}

@test "a docker archive's layer changed is refused by its diff_id" {
	cp "$FX/derived.docker.tar" "$T/bad.tar"
	# One byte of busybox's data flipped, inside the first layer member:
	# the outer and inner tars stay valid, only the hash can tell.
	python3 -c 'import sys, tarfile
t = tarfile.open(sys.argv[1]); m = t.getmember(t.getnames()[0])
inner = tarfile.open(fileobj=t.extractfile(m))
b = inner.getmember("bin/busybox")
off = m.offset_data + b.offset_data + b.size // 2
f = open(sys.argv[1], "r+b"); f.seek(off); c = f.read(1)
f.seek(off); f.write(bytes([c[0] ^ 1]))' "$T/bad.tar"
	diff=$(tar -xOf "$T/bad.tar" manifest.json | jq -r '.[0].Layers[0]')
	unpack "docker-archive:$T/bad.tar"
	[ "$status" -eq 1 ]
	[ "$stderr" = "supd-image: docker-archive:$T/bad.tar: layer sha256:${diff%.tar}: digest mismatch (uncompressed, its diff_id)" ]
	[ "$(count "$S/layers")" -eq 0 ]
	[ "$(count "$S/images")" -eq 0 ]
	[ "$(count "$S/tmp")" -eq 0 ]
}

# DIR/canary as mkimage.sh made it: f alone, "canary", one link, no xattr.
canary_intact() {
	[ "$(ls -A "$FX/canary")" = f ]
	[ "$(cat "$FX/canary/f")" = canary ]
	[ "$(stat -c '%a %u %h' "$FX/canary" "$FX/canary/f")" = "755 0 2
644 0 1" ]
	[ -z "$(python3 -c 'import os, sys; print(os.listxattr(sys.argv[1]) or "")' "$FX/canary")" ]
}

# hostile TAG MESSAGE: the layer is refused with MESSAGE, nothing written
# outside the store nor left in it.
hostile() {
	local before
	before=$(stat -c %h /etc/hostname)
	unpack "$FX/layout:$1"
	[ "$status" -eq 1 ]
	[[ $stderr == "supd-image: $FX/layout:$1: layer sha256:"*": $2" ]]
	[ "$(echo "$stderr" | wc -l)" -eq 1 ]
	canary_intact
	[ "$(count "$S/layers")" -eq 0 ]
	[ "$(count "$S/images")" -eq 0 ]
	[ "$(count "$S/tmp")" -eq 0 ]
	[ "$(stat -c %h /etc/hostname)" = "$before" ]
	[ -z "$(find "$T" "$FX" -name 'escape-*' -print -quit)" ]
	[ -z "$(find /var/tmp -maxdepth 2 -name 'escape-*' -print -quit)" ]
}

@test "hostile layers: ../, symlinks out, hard links out, whiteouts through a symlink" {
	hostile hostile-dotdot 'member ../escape-dotdot: a ".." in its path'
	hostile hostile-abslink 'member link/through-link: Cannot extract through symlink link/through-link'
	hostile hostile-rellink "member up/${FX#/}/canary/through-up: Cannot extract through symlink up/${FX#/}/canary/through-up"
	hostile hostile-hardlink 'member hl: hard link to ../../../../../../../../etc/hostname, outside the layer'
	hostile hostile-hlsym 'member x: Cannot extract through symlink l/f'
	hostile hostile-whsym 'whiteout l/.wh.f: Not a directory'
	# Entries over a symlink replace it, its target is untouched.
	unpack "$FX/layout:symreplace"
	[ "$status" -eq 0 ]
	r=$(layer_root "$output" 2)
	[ -d "$r/d" ]
	[ ! -L "$r/d" ]
	[ "$(stat -c %a "$r/d")" = 777 ]
	[ -f "$r/f" ]
	[ ! -L "$r/f" ]
	[ "$(cat "$r/f")" = replaced ]
	canary_intact
	# An absolute member lands inside the layer.
	unpack "$FX/layout:abspath"
	[ "$status" -eq 0 ]
	[ "$(cat "$(layer_root "$output" 2)/abs-file")" = absolute ]
	[ ! -e /abs-file ]
}

@test "xattrs are kept, a tar's trusted.overlay.* are not" {
	unpack "$FX/layout:xattrs"
	[ "$status" -eq 0 ]
	r=$(layer_root "$output" 2)
	run python3 -c 'import os, sys
for p in sys.argv[1:]:
    print(p.rsplit("/", 1)[1], sorted((x, os.getxattr(p, x).decode())
        for x in os.listxattr(p)))' "$r/ovl" "$r/ovl/file"
	[ "$status" -eq 0 ]
	[ "$output" = "ovl [('user.dir', 'd')]
file [('user.keep', 'yes')]" ]
}

@test "device nodes are skipped and counted; fifos and setuid kept" {
	unpack "$FX/layout:devices"
	[ "$status" -eq 0 ]
	r=$(layer_root "$output" 2)
	[ ! -e "$r/dev/null2" ]
	[ ! -e "$r/dev/sda9" ]
	[ -p "$r/dev/fifo" ]
	[ "$(stat -c %a "$r/bin/suidfile")" = 4755 ]
	grep -qx "skipped_nodes 2" "$S/images/${output#sha256:}/info"
	[ "$(cat "$(dirname "$r")/skipped_nodes")" = 2 ]
}

@test "rm removes images, their refs and the layers no image names" {
	unpack "$FX/layout:derived"
	d=$output
	unpack "$FX/layout:other"
	o=$output
	base=$(sed -n 1p "$S/images/${d#sha256:}/layers")
	run --separate-stderr "$IMG_TOOL" rm --store "$S" "$d"
	[ "$status" -eq 0 ]
	[ -z "$stderr$output" ]
	[ ! -e "$S/images/${d#sha256:}" ]
	[ "$(count "$S/refs")" -eq 1 ]
	[ "$(count "$S/layers")" -eq 2 ]
	[ -d "$S/layers/$base/root/bin" ]
	run --separate-stderr "$IMG_TOOL" rm --store "$S" "$d"
	[ "$status" -eq 1 ]
	[ "$stderr" = "supd-image: $S: no such image $d" ]
	run "$IMG_TOOL" rm --store "$S" "${o#sha256:}"
	[ "$status" -eq 0 ]
	[ "$(count "$S/layers")" -eq 0 ]
	[ "$(count "$S/images")" -eq 0 ]
	[ "$(count "$S/refs")" -eq 0 ]
	[ "$(count "$S/tmp")" -eq 0 ]
}

@test "prune removes tmp leftovers and layers no image names" {
	unpack "$FX/layout:derived"
	d=$output
	unpack "$FX/layout:other"
	o=$output
	mkdir -p "$S/tmp/layer-abcdef/root/x"
	# other's image gone behind supd-image's back: its layer is unnamed.
	rm -rf "$S/images/${o#sha256:}"
	run --separate-stderr "$IMG_TOOL" prune --store "$S"
	[ "$status" -eq 0 ]
	[ -z "$stderr$output" ]
	[ "$(count "$S/tmp")" -eq 0 ]
	[ "$(count "$S/layers")" -eq 3 ]
	[ "$(count "$S/refs")" -eq 1 ]
	[ -d "$S/images/${d#sha256:}" ]
}

@test "two unpacks of one image at once both succeed, one copy stored" {
	"$IMG_TOOL" unpack --store "$S" "$FX/layout:derived" >"$T/a.out" 2>"$T/a.err" &
	a=$!
	"$IMG_TOOL" unpack --store "$S" "$FX/derived.oci.tar" >"$T/b.out" 2>"$T/b.err" &
	b=$!
	wait "$a"
	wait "$b"
	[ ! -s "$T/a.err" ]
	[ ! -s "$T/b.err" ]
	cmp "$T/a.out" "$T/b.out"
	[ "$(count "$S/images")" -eq 1 ]
	[ "$(count "$S/layers")" -eq 3 ]
	[ "$(count "$S/refs")" -eq 2 ]
	[ "$(count "$S/tmp")" -eq 0 ]
}

@test "an unpack killed mid-way leaves only tmp/, which prune empties" {
	"$IMG_TOOL" unpack --store "$S" "$FX/big:big" >/dev/null 2>&1 &
	BG=$!
	# Killed once its big layer is being written.
	wait_for "the big layer being written" \
	    sh -c '[ -n "$(find "$1"/tmp/*/root/big-file -size +1M 2>/dev/null)" ]' _ "$S"
	kill -9 "$BG"
	wait "$BG" || true
	BG=
	[ "$(count "$S/layers")" -eq 0 ]
	[ "$(count "$S/images")" -eq 0 ]
	[ "$(count "$S/refs")" -eq 0 ]
	[ "$(count "$S/tmp")" -ge 1 ]
	run "$IMG_TOOL" prune --store "$S"
	[ "$status" -eq 0 ]
	[ "$(count "$S/tmp")" -eq 0 ]
	unpack "$FX/big:big"
	[ "$status" -eq 0 ]
	[ "$(stat -c %s "$(layer_root "$output" 2)/big-file")" -eq 268435456 ]
}

@test "--version and usage" {
	run "$IMG_TOOL" --version
	[ "$status" -eq 0 ]
	v=$("$B/supd" --version)
	[ "$output" = "supd-image ${v#supd }" ]
	run "$IMG_TOOL" unpack "$FX/layout:base"
	[ "$status" -eq 2 ]
	[[ $output == usage:* ]]
}

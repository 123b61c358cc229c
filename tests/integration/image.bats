#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# image.bats: services whose root is an image (issue 13; man/supd.conf.5
# "image"; src/service-image.c, src/isolate-image.c, src/isolate-userns.c):
# run from an OCI layout and from archives, the image's defaults applied and
# overridden, whiteouts, one copy of the layers for many services and one
# unpack for many starts, the overlay thrown away or kept, a corrupt image
# failing only its service, the supctl image commands, in a user namespace
# (the layers idmapped: owners, writes, exec; tests/proofs/issue-13-userns.md),
# and what a hostile service can do to the store (nothing).
#
# The fixtures are built once per file by mkimage.sh (umoci, skopeo, tar,
# python3's tarfile) under /var/tmp: real images, never a hand-made store.

bats_require_minimum_version 1.5.0

load common

setup_file() {
	IMG=$(mktemp -d "${ISO_TMPDIR:-/var/tmp}/supd-img.XXXXXX")
	chmod 0755 "$IMG"
	"$BATS_TEST_DIRNAME/mkimage.sh" "$IMG" >&2
	export IMG L=$IMG/layout
}

teardown_file() {
	[ -z "${IMG:-}" ] || rm -rf --one-file-system "$IMG"
}

setup() {
	setup_supd
	STORE=$T/state/images
	HOLDER=
}

teardown() {
	if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -n "${T:-}" ]; then
		dump_supd_and_logs 25 >&3 2>/dev/null || true
	fi
	# A holder of the store's lock left by a test that failed.
	[ -z "$HOLDER" ] || kill "$HOLDER" 2>/dev/null || true
	teardown_supd
}

# isvc NAME REF [LINES...]: a service of image REF; each LINE goes in
# [service] until a line "[isolation]", then there.
isvc() {
	local name=$1 ref=$2 l sec=service
	shift 2
	{
		printf '[service]\nrestart = no\n'
		for l in "$@"; do
			if [ "$l" = "[isolation]" ]; then
				printf '[isolation]\nimage = %s\n' "$ref"
				sec=isolation
				continue
			fi
			printf '%s\n' "$l"
		done
		[ "$sec" = isolation ] || printf '[isolation]\nimage = %s\n' "$ref"
	} >"$T/conf.d/$name.ini"
}

# unpacks: how many times supd ran supd-image unpack (its log line).
unpacks() {
	grep -c 'supd-image unpack, pid' "$T/supd.err" || true
}

# services_are N: supd has N services.
services_are() {
	[ "$(ctl --json status | jq length)" -eq "$1" ]
}

logged() {
	grep -q -- "$2" "$T/log/$1.log" 2>/dev/null
}

@test "image from an OCI layout: Entrypoint + Cmd, Env, User, WorkingDir applied; a whiteout hides a lower file, an opaque dir its lower contents" {
	isvc plain "$L:derived"
	# The command goes after the image's Entrypoint (sh -c).
	isvc look "$L:derived" "command = 'echo uid=\$(id -u):\$(id -g) pwd=\$(pwd) g=\$GREETING; ls /etc/lower-file; cat /etc/top-file; ls /data/opq; exec sleep 1000'"
	start_supd
	wait_for "plain exited" field_is plain state exited
	logged plain 'hello from image'
	# ps shows what ran: the image's Entrypoint and Cmd.
	run ctl ps -a
	echo "$output"
	[[ "$output" == *'plain  /bin/sh -c echo hello from ...'* ]]
	wait_for "look's output" logged look 'new-file'
	cat "$T/log/look.log"
	logged look 'uid=1000:1000 pwd=/data g=hello'
	logged look "ls: /etc/lower-file: No such file or directory"
	logged look '^top$'
	# /data/opq is opaque in the top layer: the lower old-file is gone.
	refute logged look 'old-file'
	# supctl exec runs as docker exec does: the image's user, workdir, env.
	run ctl exec look /bin/sh -c 'echo $(id -u) $(pwd) $GREETING'
	[ "$status" -eq 0 ]
	[ "$output" = "1000 /data hello" ]
	run ctl inspect look
	[[ "$output" == *'"stop_signal":"SIGUSR1"'* ]]
	[[ "$output" == *'"workdir":"/data"'* ]]
	[[ "$output" == *'"id":"sha256:'* ]]
	# The image's StopSignal stops it.
	run ctl stop look
	[ "$status" -eq 0 ]
	grep -q 'look: stopped (killed by SIGUSR1)' "$T/supd.err"
}

@test "image: a health check runs as supctl exec does, with the image's env, user and workdir" {
	cat >"$T/conf.d/h.ini" <<EOF
[service]
command = 'exec sleep 1000'
ready = health
[isolation]
image = $L:derived
[health]
cmd = /bin/sh -c 'test "\$GREETING:\$(id -u):\$(pwd)" = hello:1000:/data'
interval = 200ms
EOF
	start_supd
	wait_for "h running (healthy)" field_is h state running
	[ "$(field h health)" = healthy ]
}

@test "image: each default overridden by the service file (entrypoint, command, env, user, workdir, stop_signal)" {
	isvc over "$L:derived" "entrypoint = /bin/sh" \
		"command = -c 'echo uid=\$(id -u) pwd=\$(pwd) g=\$GREETING; exec sleep 1000'" \
		"user = 0" "workdir = /etc" "env = GREETING=bye" "stop_signal = INT"
	# An empty entrypoint clears the image's: command alone.
	isvc bare "$L:derived" "entrypoint =" "command = /bin/echo bare-run"
	# entrypoint without command drops the image's Cmd (docker's rule).
	isvc ep "$L:derived" "entrypoint = /bin/echo ep-only"
	start_supd
	wait_for "over's output" logged over 'uid='
	cat "$T/log/over.log"
	logged over '^uid=0 pwd=/etc g=bye$'
	wait_for "bare exited" field_is bare state exited
	logged bare '^bare-run$'
	wait_for "ep exited" field_is ep state exited
	logged ep '^ep-only$'
	run ctl inspect over
	[[ "$output" == *'"stop_signal":"SIGINT"'* ]]
	# The stop signal is the file's: SIGINT ends sh's sleep's group.
	run ctl stop over
	[ "$status" -eq 0 ]
	grep -q 'over: stopped (killed by SIGINT)' "$T/supd.err"
}

@test "image: a workdir missing from the image is made (root's, 0755), as docker's engine makes it; a path through .. stays inside the root" {
	isvc wd "$L:derived" "workdir = /made/by/supd" \
		"command = -c 'pwd; stat -c \"%U %a\" /made /made/by/supd'"
	isvc ln "$L:derived" "workdir = /etc/../made/../etc" \
		"command = -c 'pwd'"
	start_supd
	wait_for "wd exited" field_is wd state exited
	cat "$T/log/wd.log"
	logged wd '^/made/by/supd$'
	[ "$(grep -c '^root 755$' "$T/log/wd.log")" = 2 ]
	wait_for "ln exited" field_is ln state exited
	logged ln '^/etc$'
	# Nothing of it on the host or in the store.
	[ ! -e /made ]
	run find "$T/state/images" -name made
	[ -z "$output" ]
}

@test "image from archives: oci-archive, docker-archive, and a bare archive path (by its contents)" {
	isvc oa "oci-archive:$IMG/derived.oci.tar"
	isvc da "docker-archive:$IMG/derived.docker.tar:supd/test:derived"
	isvc bare "$IMG/derived.docker.tar"
	start_supd
	for s in oa da bare; do
		wait_for "$s exited" field_is $s state exited
		logged $s 'hello from image'
	done
}

@test "supctl run --rm --image REF CMD: the command runs in the image, supctl exits with its code, the service is gone" {
	start_supd
	run ctl run --rm --image "$L:derived" -- 'cat /etc/top-file; exit 7'
	echo "$output"
	[ "$status" -eq 7 ]
	[[ "$output" == *top* ]]
	run ctl status --json
	[ "$output" = "[]" ]
	run ctl run --rm --image "$L:derived" --entrypoint /bin/false
	[ "$status" -eq 1 ]
}

@test "ten services from one image: one unpack for all, one copy of the layers (the same inodes seen from two services), none at a restart" {
	local i
	for i in 0 1 2 3 4 5 6 7 8 9; do
		isvc s$i "$L:derived" "command = 'stat -c %i /bin/busybox /etc/top-file; exec sleep 1000'"
	done
	start_supd
	for i in 0 1 2 3 4 5 6 7 8 9; do
		wait_for "s$i running" field_is s$i state running
	done
	[ "$(unpacks)" -eq 1 ]
	# One image, its three layers, each once.
	[ "$(ls "$STORE/images" | wc -l)" -eq 1 ]
	[ "$(ls "$STORE/layers" | wc -l)" -eq 3 ]
	wait_for "s0 output" logged s0 '^[0-9]'
	wait_for "s9 output" logged s9 '^[0-9]'
	[ "$(cat "$T/log/s0.log")" = "$(cat "$T/log/s9.log")" ]
	# What they see is the store's file itself.
	local top
	top=$(stat -c %i "$STORE"/layers/*/root/etc/top-file)
	[ "$(sed -n 2p "$T/log/s0.log")" = "$top" ]
	# A restart finds the image stored: no unpack.
	run ctl restart s3
	[ "$status" -eq 0 ]
	[ "$(unpacks)" -eq 1 ]
}

@test "overlay: a file written is gone at the next start (throwaway, in state_dir/scratch), kept with overlay = persist, removed with the service" {
	local cmd="command = 'echo run >> /data/runs; wc -l < /data/runs; exec sleep 1000'"
	isvc tmp "$L:derived" "$cmd" "user = 0"
	isvc keep "$L:derived" "$cmd" "user = 0" "[isolation]" "overlay = persist"
	# A throwaway layer a killed supd left: gone when supd starts.
	mkdir -p "$T/state/scratch/ghost/upper"
	echo old >"$T/state/scratch/ghost/upper/f"
	start_supd
	wait_for "tmp first run" logged tmp '^1$'
	wait_for "keep first run" logged keep '^1$'
	[ ! -e "$T/state/scratch/ghost" ]
	# The throwaway layer is state_dir/scratch/NAME, on scratch's tmpfs.
	[ "$(cat "$T/state/scratch/tmp/upper/data/runs")" = run ]
	[ "$(findmnt -n -o FSTYPE --target "$T/state/scratch/tmp")" = tmpfs ]
	echo mark >"$T/state/scratch/tmp/upper/mark"
	run ctl restart tmp keep
	[ "$status" -eq 0 ]
	wait_for "keep second run" logged keep '^2$'
	wait_for "tmp second run" lines_are "$T/log/tmp.log" 2
	[ "$(sed -n 2p "$T/log/tmp.log")" = 1 ]
	# A new layer for the new start.
	[ ! -e "$T/state/scratch/tmp/upper/mark" ]
	[ -f "$T/state/overlays/keep/upper/data/runs" ]
	[ ! -e "$T/state/scratch/keep" ]
	# The store never saw the write.
	run ls "$STORE"/layers/*/root/data/runs
	[ "$status" -ne 0 ]
	# Its file gone, the service goes, its kept layer with it; a
	# removed service's throwaway layer goes too (emptied off the loop).
	rm "$T/conf.d/keep.ini" "$T/conf.d/tmp.ini"
	run ctl reload
	[ "$status" -eq 0 ]
	wait_for "keep's overlay removed" test ! -e "$T/state/overlays/keep"
	wait_for "tmp's layer removed" test ! -e "$T/state/scratch/tmp"
	wait_for --show "ls -A $T/state/scratch $T/state/scratch/.trash" \
		"the trash emptied" _only_trash "$T/state/scratch"
	[ -z "$(ls -A "$T/state/overlays")" ]
	# supd gone, its tmpfs is gone.
	end_supd
	run mountpoint -q "$T/state/scratch"
	[ "$status" -ne 0 ]
}

# _only_trash DIR: DIR holds nothing but an empty .trash (if any).
_only_trash() {
	[ "$(ls -A "$1" | grep -v -x -e .trash)" = "" ] &&
		{ [ ! -e "$1/.trash" ] || [ -z "$(ls -A "$1/.trash")" ]; }
}

@test "services flooding their roots fill scratch_size in all, not the memory: the writes fail (ENOSPC), supd and running services go on, the flooder's removal gives the room back" {
	printf 'scratch_size = 16M\n' >>"$T/supd.conf"
	isvc calm "$L:derived" "command = 'exec sleep 1000'"
	start_supd
	wait_for "calm running" field_is calm state running
	local pid
	pid=$(field calm pid)
	[ "$(findmnt -n -o FSTYPE --target "$T/state/scratch")" = tmpfs ]
	[ "$(df -m --output=size "$T/state/scratch" | tail -n 1)" -eq 16 ]
	isvc flood "$L:derived" "user = 0" "command = 'dd if=/dev/zero of=/big bs=1M count=64 2>&1; echo dd=\$?; exec sleep 1000'"
	run ctl reload
	[ "$status" -eq 0 ]
	wait_for "flood's scratch full" logged flood '^dd=1$'
	logged flood 'No space left on device'
	# What it wrote is in its layer, on scratch's tmpfs.
	[ "$(du -sm "$T/state/scratch/flood/upper" | cut -f1)" -ge 12 ]
	# Nothing already running is disturbed, supd answers.
	[ "$(field calm state)" = running ]
	[ "$(field calm pid)" = "$pid" ]
	# The bound is shared: another service starts, its write fails.
	isvc late "$L:derived" "user = 0" "command = 'if echo x > /w; then echo wrote; else echo nowrite; fi; exec sleep 1000'"
	run ctl reload
	[ "$status" -eq 0 ]
	wait_for "late's write to fail" logged late '^nowrite$'
	# The flooder removed, its layer goes (off supd's loop) and the room
	# comes back.
	rm "$T/conf.d/flood.ini"
	run ctl reload
	[ "$status" -eq 0 ]
	wait_for "the room back" _scratch_used_below 4
	run ctl restart late
	[ "$status" -eq 0 ]
	wait_for "late's write" logged late '^wrote$'
	[ "$(field calm pid)" = "$pid" ]
}

# _scratch_used_below MIB: scratch's tmpfs holds less than MIB MiB.
_scratch_used_below() {
	[ "$(df -m --output=used "$T/state/scratch" | tail -n 1)" -lt "$1" ]
}

@test "a new named volume takes its destination's contents from the image's layers, a lower one's included (docker's copy-up)" {
	# /data/keep is in the bottom layer only; /etc in several, with a
	# whiteout in the top one.
	isvc vol "$L:derived" "user = 0" \
		"command = 'cat /data/keep/kept; ls /vetc; exec sleep 1000'" \
		"[isolation]" "volume = keep:/data/keep" "volume = etc:/vetc"
	# /vetc: missing in the image, an empty volume.
	start_supd
	wait_for "vol's output" logged vol '^kept$'
	cat "$T/log/vol.log"
	[ "$(cat "$T/state/volumes/keep/kept")" = kept ]
	[ -z "$(ls "$T/state/volumes/etc")" ]
	isvc vol2 "$L:derived" "user = 0" "command = 'ls /etc; exec sleep 1000'" \
		"[isolation]" "volume = etc2:/etc"
	run ctl reload
	wait_for "vol2's output" logged vol2 '^top-file$'
	# The lower layer's file, hidden by the top's whiteout, is not copied.
	[ -f "$T/state/volumes/etc2/top-file" ]
	[ -f "$T/state/volumes/etc2/passwd" ]
	[ ! -e "$T/state/volumes/etc2/lower-file" ]
}

@test "a corrupt image fails its service with supd-image's line as the reason; supd and the others run on" {
	local bad=$IMG/t$BATS_TEST_NUMBER
	rm -rf "$bad"
	cp -a "$IMG/single" "$bad"
	# The biggest blob is a layer: one byte changed, its digest no longer
	# names it.
	local blob
	blob=$(ls -S "$bad"/blobs/sha256/* | head -n 1)
	printf 'X' | dd of="$blob" bs=1 seek=100 conv=notrunc 2>/dev/null
	isvc bad "$bad"
	# Started once bad has failed: a layer already stored is not read
	# again, and good shares bad's layers.
	isvc good "$L:derived" "command = 'exec sleep 1000'" "autostart = no"
	start_supd
	wait_for "bad failed" field_is bad state failed
	run ctl start good
	[ "$status" -eq 0 ]
	run field bad reason
	echo "$output"
	# (A changed byte breaks the gzip stream or the digest, whichever
	# supd-image meets first: either way its one line, naming the layer.)
	[[ "$output" == "supd-image: $bad: layer sha256:"* ]]
	wait_for "good running" field_is good state running
	run ctl status bad
	[[ "$output" == *"failed (supd-image: "* ]]
	rm -rf "$bad"
}

@test "a service starting on an image being unpacked waits for the same unpack (starting, with the reason)" {
	isvc a "$L:other" "command = sleep 1000"
	isvc b "$L:other" "command = sleep 1000" "autostart = no"
	# The store's lock held: supd-image waits for it, so the unpack is
	# under way for as long as the test needs.
	mkdir -p "$T/state/images"
	chmod 0700 "$T/state" "$T/state/images"
	(flock 9 && touch "$T/locked" && exec sleep 1000) 9>"$T/state/images/lock" &
	HOLDER=$!
	wait_for "the store locked" test -e "$T/locked"
	start_supd
	wait_for "a's unpack" grep -q 'supd-image unpack, pid' "$T/supd.err"
	run ctl start --no-wait b
	[ "$status" -eq 0 ]
	run ctl status b
	echo "$output"
	[[ "$output" == *"starting (unpacking image $L:other)"* ]]
	[ "$(field a state)" = starting ]
	kill "$HOLDER"
	wait "$HOLDER" || true
	HOLDER=
	wait_for "a running" field_is a state running
	wait_for "b running" field_is b state running
	[ "$(field b state)" = running ]
	[ "$(unpacks)" -eq 1 ]
}

@test "a hostile service: the layers are read-only to it (a write lands in its upper layer), the store is out of its reach" {
	isvc evil "$L:derived" "user = 0" \
		"command = 'echo owned > /etc/top-file; echo owned >> /etc/passwd;" \
		"   cat /etc/top-file; ls $STORE 2>&1;" \
		"   ls /proc/1/root$STORE 2>&1; exec sleep 1000'"
	start_supd
	wait_for "evil's output" logged evil 'owned'
	cat "$T/log/evil.log"
	logged evil "ls: $STORE: No such file or directory"
	# In the store, both files are as unpacked.
	[ "$(cat "$STORE"/layers/*/root/etc/top-file)" = top ]
	run grep -l owned "$STORE"/layers/*/root/etc/passwd
	[ "$output" = "" ]
	run grep -c owned "$T/log/evil.log"
	[ "$output" -ge 1 ]
	# Another service of the image sees the image, not evil's writes.
	isvc other "$L:derived" "command = 'cat /etc/top-file; exec sleep 1000'"
	run ctl reload
	wait_for "other's output" logged other '^top$'
}

# store_sums: sha256 of every file of the store's layers, sorted.
store_sums() {
	find "$STORE/layers" -type f -exec sha256sum {} + | sort
}

USERNS="namespaces = mount pid ipc uts user"

# runs_copy NAME: NAME's process runs /tmp/busybox (its command, without
# an init).
runs_copy() {
	[ "$(readlink "/proc/$(field "$1" pid)/exe")" = /tmp/busybox ]
}

@test "image in a user namespace: the image's root owns its files inside, its USER runs as itself; whiteouts and opaque dirs hide; exec, health and a volume's copy-up work" {
	cat >"$T/conf.d/un.ini" <<EOF
[service]
command = 'stat -c %u:%g /bin/busybox /home/app; id -u; ls /etc/lower-file;
   ls /data/opq; cat /proc/self/uid_map; echo w > /home/app/written;
   stat -c w=%u /home/app/written; echo t > /var/tmp/t; echo end;
   exec sleep 1000'
ready = health
[isolation]
image = $L:derived
$USERNS
volume = home:/home
[health]
cmd = /bin/sh -c 'test \$(stat -c %u /bin/busybox):\$(id -u) = 0:1000'
interval = 200ms
EOF
	start_supd
	wait_for "un's output" logged un '^end$'
	cat "$T/log/un.log"
	# The store's root-owned files are root's inside, 1000's are 1000's.
	[ "$(sed -n 1p "$T/log/un.log")" = 0:0 ]
	[ "$(sed -n 2p "$T/log/un.log")" = 1000:1000 ]
	# As the image's USER, in a namespace mapped on the host's range.
	[ "$(sed -n 3p "$T/log/un.log")" = 1000 ]
	logged un '^ *0 *1000000 *65536$'
	logged un "ls: /etc/lower-file: No such file or directory"
	logged un '^new-file$'
	refute logged un 'old-file'
	# The volume's copy of /home: its ids in the namespace's range.
	[ "$(stat -c %u:%g "$T/state/volumes/home/app")" = 1001000:1001000 ]
	logged un '^w=1000$'
	[ "$(stat -c %u "$T/state/volumes/home/app/written")" = 1001000 ]
	# A write to its root is in its scratch layer, its ids shifted.
	[ "$(stat -c %u "$T/state/scratch/un/upper/var/tmp/t")" = 1001000 ]
	run ls "$STORE"/layers/*/root/var/tmp/t
	[ "$status" -ne 0 ]
	wait_for "un running (healthy)" field_is un state running
	[ "$(field un health)" = healthy ]
	run ctl exec un /bin/sh -c 'echo $(id -u) $(stat -c %u /bin/busybox) $(pwd)'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "1000 0 /data" ]
}

@test "image in a user namespace, overlay = persist: its root writes its root; the upper layer holds the write, owned by the namespace's ids on disk; the store does not; read_only holds" {
	isvc keep "$L:derived" "user = 0" \
		"command = 'echo run >> /data/runs; echo w > /etc/top-file;" \
		"   stat -c %u:%g /; wc -l < /data/runs; exec sleep 1000'" \
		"[isolation]" "$USERNS" "overlay = persist"
	isvc ro "$L:derived" "user = 0" \
		"command = 'touch /etc/x 2>&1; echo ro=\$?; exec sleep 1000'" \
		"[isolation]" "$USERNS" "read_only = yes"
	start_supd
	wait_for "keep's first run" logged keep '^1$'
	cat "$T/log/keep.log"
	logged keep '^0:0$'
	# read_only = yes: the root is read-only to its root too.
	wait_for "ro's output" logged ro '^ro='
	logged ro 'Read-only file system'
	logged ro '^ro=1$'
	local up=$T/state/overlays/keep/upper
	[ "$(stat -c %u:%g "$up" "$up/data/runs" "$up/etc/top-file" | sort -u)" = 1000000:1000000 ]
	[ "$(cat "$STORE"/layers/*/root/etc/top-file)" = top ]
	run ls "$STORE"/layers/*/root/data/runs
	[ "$status" -ne 0 ]
	run ctl restart keep
	[ "$status" -eq 0 ]
	wait_for "keep's second run" logged keep '^2$'
}

@test "a hostile root of a user namespace: no write through /proc/self/fd, a symlink of the image or a mount reaches the store" {
	# The store exists once the image is unpacked: a first service.
	isvc first "$L:derived" "command = 'exec sleep 1000'"
	start_supd
	wait_for "first running" field_is first state running
	local before
	before=$(store_sums)
	[ -n "$before" ]
	# Its command runs from a copy of busybox: the image's is not busy.
	isvc evil "$L:derived" "user = 0" \
		"command = 'cp /bin/busybox /tmp/busybox; exec /tmp/busybox sleep 1000'" \
		"[isolation]" "$USERNS"
	run ctl reload
	[ "$status" -eq 0 ]
	wait_for "evil running" field_is evil state running
	wait_for "evil's sleep from its copy" runs_copy evil
	run ctl exec evil /tmp/busybox sh -c '{ echo fd >> /proc/self/fd/3; } 3</etc/top-file
		echo link >> /bin/cat; echo pw >> /etc/passwd
		mount -o remount,ro / 2>&1; echo remount=$?
		umount -l / 2>&1; echo umount=$?
		ls /proc/1/root'"$STORE"' 2>&1
		cat /etc/top-file; tail -c 5 /bin/busybox; tail -n 1 /etc/passwd'
	echo "$output"
	# Not a byte of the store changed ...
	[ "$(store_sums)" = "$before" ]
	[ "$status" -eq 0 ]
	# ... its writes are its own (its upper layer) ...
	[[ "$output" == *$'\nfd\nlink\npw' ]]
	# ... its root's superblock is the host's: no remount.
	[[ "$output" == *"remount=1"* ]]
	[[ "$output" == *"ls: /proc/1/root$STORE: No such file or directory"* ]]
	isvc other "$L:derived" "command = 'cat /etc/top-file; exec sleep 1000'" \
		"[isolation]" "$USERNS"
	run ctl reload
	wait_for "other's output" logged other '^top$'
}

@test "supctl image ls, inspect; rm refused while a service uses the image (named), then rm and prune" {
	isvc a "$L:other" "command = sleep 1000"
	isvc b "$L:derived" "command = 'exec sleep 1000'"
	start_supd
	wait_for "a running" field_is a state running
	wait_for "b running" field_is b state running
	run ctl image ls --json
	echo "$output"
	[ "$(jq length <<<"$output")" -eq 2 ]
	local oid did
	oid=$(jq -r --arg r "$L:other" '.[] | select(.refs[0] == $r) | .id' <<<"$output")
	did=$(jq -r --arg r "$L:derived" '.[] | select(.refs[0] == $r) | .id' <<<"$output")
	[ "$(jq -r --arg i "$oid" '.[] | select(.id == $i) | .services[0]' <<<"$output")" = a ]
	run ctl image inspect "$L:derived"
	echo "$output"
	[ "$(jq -r .id <<<"$output")" = "$did" ]
	[ "$(jq -r '.layers | length' <<<"$output")" -eq 3 ]
	[ "$(jq -r '.defaults.exposed_ports[0]' <<<"$output")" = 8080/tcp ]
	[ "$(jq -r '.defaults.user' <<<"$output")" = 1000:1000 ]
	[ "$(jq -r '.services[0]' <<<"$output")" = b ]
	# A relative REF is the caller's: made absolute by supctl.
	run bash -c "cd '$IMG' && '$SUPCTL' -s '$SOCK' image inspect layout:derived"
	echo "$output"
	[ "$(jq -r .id <<<"$output")" = "$did" ]
	# inspect of the service: its image's id and what it runs.
	run ctl inspect b
	[ "$(jq -r .image.id <<<"$output")" = "$did" ]
	[ "$(jq -r '.image.command[0]' <<<"$output")" = /bin/sh ]
	# In use: refused, naming the service, by REF and by a short id.
	run ctl image rm "$L:other"
	[ "$status" -eq 1 ]
	[[ "$output" == *"image $L:other is in use by service a"* ]]
	run ctl image rm "${did:7:12}"
	[ "$status" -eq 1 ]
	[[ "$output" == *"in use by service b"* ]]
	run ctl image rm nosuch
	[ "$status" -eq 1 ]
	[[ "$output" == *"no such image: nosuch"* ]]
	# b's file gone: derived is unused; rm removes it, its own layers
	# too, not those other still has.
	rm "$T/conf.d/b.ini"
	run ctl reload
	wait_for "b gone" services_are 1
	run ctl image rm "$L:derived"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "$did" ]
	[ ! -e "$STORE/images/${did#sha256:}" ]
	[ "$(ls "$STORE/layers" | wc -l)" -eq 2 ]
	# prune: a is the last user of other; once it is gone, other goes.
	run ctl image prune
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	rm "$T/conf.d/a.ini"
	run ctl reload
	wait_for "a gone" services_are 0
	run ctl image prune --json
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0]' <<<"$output")" = "$oid" ]
	[ "$(ls "$STORE/images" | wc -l)" -eq 0 ]
	[ "$(ls "$STORE/layers" | wc -l)" -eq 0 ]
	grep -q "image $oid removed (prune)" "$T/supd.err"
}

@test "config: image with rootfs is a FILE:LINE error of supd --check; an oci: REF's relative path is the file's directory's; a reload that changes the REF restarts the service on the new image" {
	isvc bad "$L:derived" "[isolation]" "rootfs = /srv"
	run "$SUPD" -c "$T/supd.conf" --check
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"bad.ini:4: image and rootfs exclude each other"* ]]
	rm "$T/conf.d/bad.ini"
	# oci: with a relative path: the path after the prefix is made
	# absolute against the file's directory, as with the other kinds.
	ln -s "$L" "$T/lay"
	isvc rel "oci:../lay:derived"
	run "$SUPD" -c "$T/supd.conf" --check
	[ "$status" -eq 0 ]
	start_supd
	wait_for "rel exited" field_is rel state exited
	logged rel 'hello from image'
	run ctl inspect rel
	[[ "$output" == *"\"oci:$T/conf.d/../lay:derived\""* ]]
	stop_supd
	rm "$T/conf.d/rel.ini"
	# Only the REF changes (entrypoint set: the two images' differ).
	local cmd="command = -c 'cat /etc/top-file /etc/other-file; exec sleep 1000'"
	isvc r "$L:derived" "entrypoint = /bin/sh" "$cmd"
	start_supd
	wait_for "r on derived" logged r '^top$'
	isvc r "$L:other" "entrypoint = /bin/sh" "$cmd"
	run ctl reload
	echo "$output"
	[[ "$output" == *"1 changed"* ]]
	wait_for "r on other" logged r '^other$'
	[ "$(unpacks)" -eq 2 ]
}

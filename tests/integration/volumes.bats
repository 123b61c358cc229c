#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# volumes.bats: named volumes as docker makes them (man/supd.conf.5
# "volume"; src/volume.c): a new volume takes the contents, owners and
# modes of its destination in the service's root (copy-up); an empty or
# missing destination gives a volume owned by the service's user; with a
# user namespace the ids are shifted into its range. Then what a hostile
# service can leave in a destination (symlinks, hard links, FIFOs, device
# nodes, a huge tree, a rename race) must not make supd copy or change
# anything outside it, nor stall supd. And the `supctl volume` commands.
#
# The rootfs is built once per file (mkrootfs.sh) under /var/tmp; each test
# seeds its own destination in it ($RFS/srv/tN) and its scratch directory
# $V outside it, on the same file system (hard links need that).

bats_require_minimum_version 1.5.0

load common

setup_file() {
	VOL=$(mktemp -d "${ISO_TMPDIR:-/var/tmp}/supd-vol.XXXXXX")
	chmod 0755 "$VOL"
	"$BATS_TEST_DIRNAME/mkrootfs.sh" "$VOL/rootfs" >&2
	export VOL RFS=$VOL/rootfs
}

teardown_file() {
	[ -z "${VOL:-}" ] || rm -rf --one-file-system "$VOL"
}

setup() {
	setup_supd
	V=$VOL/t$BATS_TEST_NUMBER
	D=/srv/t$BATS_TEST_NUMBER
	rm -rf --one-file-system "$V" "$RFS$D"
	mkdir -p "$V"
	BG=
}

teardown() {
	if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -n "${T:-}" ]; then
		dump_supd_and_logs 25 >&3 2>/dev/null || true
	fi
	[ -z "$BG" ] || kill "$BG" 2>/dev/null || true
	local rc=0
	teardown_supd || rc=1
	rm -rf --one-file-system "$V" "$RFS$D" "$RFS$VOL"
	return $rc
}

# vsvc NAME [LINES...]: a service in the rootfs running `sh -c "$CMD"`
# (default: report and pause), with the extra [isolation] lines given.
vsvc() {
	local name=$1 l
	shift
	{
		printf '[service]\ncommand = /bin/sh -c %s\n' "'${CMD:-echo up; exec /probe pause}'"
		[ -z "${USR:-}" ] || printf 'user = %s\n' "$USR"
		printf '[isolation]\nrootfs = %s\n' "$RFS"
		for l in "$@"; do printf '%s\n' "$l"; done
	} >"$T/conf.d/$name.ini"
}

# owner PATH: "UID:GID MODE" (octal, no type bits).
owner() {
	stat -c '%u:%g %a' "$1"
}

has_line() { grep -qxF -- "$2" "$T/log/$1.log" 2>/dev/null; }
# _reason_has NAME TEXT: NAME's reason holds TEXT; it is left in $REASON.
_reason_has() { REASON=$(field "$1" reason) && [[ "$REASON" == *"$2"* ]]; }
wait_line() { wait_for "$1 to log '$2'" has_line "$1" "$2"; }
# ups NAME N: NAME has logged "up" at least N times.
ups() { [ "$(grep -cx up "$T/log/$1.log")" -ge "$2" ]; }

# ---- copy-up ---------------------------------------------------------------

@test "copy-up: a new volume takes the destination's files, owners and modes; later starts keep its contents" {
	mkdir -p "$RFS$D/sub"
	echo hello >"$RFS$D/greeting"
	echo deep >"$RFS$D/sub/deep"
	ln -s greeting "$RFS$D/link"
	chown 1000:1000 "$RFS$D" "$RFS$D/greeting"
	chown 1000:1001 "$RFS$D/sub/deep"
	chown 0:1000 "$RFS$D/sub"
	chmod 0750 "$RFS$D"
	chmod 0640 "$RFS$D/greeting"
	chmod 0710 "$RFS$D/sub"
	chmod 4755 "$RFS$D/sub/deep"
	CMD="cat $D/greeting $D/sub/deep; echo written >$D/new; echo up; exec /probe pause" \
		USR=app vsvc cu "volume = seed:$D"
	start_supd
	wait_line cu up
	has_line cu hello
	has_line cu deep
	local vol=$T/state/volumes/seed
	[ "$(owner "$vol")" = "1000:1000 750" ]
	[ "$(owner "$vol/greeting")" = "1000:1000 640" ]
	[ "$(owner "$vol/sub")" = "0:1000 710" ]
	[ "$(owner "$vol/sub/deep")" = "1000:1001 4755" ]
	[ "$(readlink "$vol/link")" = greeting ]
	[ "$(cat "$vol/new")" = written ]
	# The rootfs is untouched: the service wrote into the volume.
	[ ! -e "$RFS$D/new" ]
	# Not copied again: the next start sees what the service left.
	echo changed >"$RFS$D/greeting"
	ctl restart cu
	wait_for "the second run" ups cu 2
	[ "$(cat "$vol/greeting")" = hello ]
	[ -e "$vol/new" ]
}

@test "an empty destination, or a missing one, gives a volume owned by the service's user and group" {
	mkdir -p "$RFS$D/empty"
	chmod 0700 "$RFS$D/empty"
	CMD="echo mine >$D/empty/f && echo mine >$D/missing/f && echo up; exec /probe pause" \
		USR=app vsvc em "volume = ev:$D/empty" "volume = mv:$D/missing"
	start_supd
	wait_line em up
	[ "$(owner "$T/state/volumes/ev")" = "1000:1000 700" ]
	[ "$(owner "$T/state/volumes/mv")" = "1000:1000 755" ]
	[ "$(owner "$T/state/volumes/ev/f")" = "1000:1000 644" ]
	[ "$(cat "$T/state/volumes/mv/f")" = mine ]
}

@test "user namespace: copied ids are shifted into its range; a new empty volume is its user's" {
	# (A missing destination cannot be made there: the namespace's root
	# may not write the rootfs.)
	mkdir -p "$RFS$D/seed" "$RFS$D/new"
	echo s >"$RFS$D/seed/f"
	chown 1000:1000 "$RFS$D/seed/f"
	CMD="cat $D/seed/f; echo x >$D/new/f && echo up; exec /probe pause" \
		USR=app vsvc un "namespaces = mount pid ipc uts user" \
		"volume = useed:$D/seed" "volume = unew:$D/new"
	start_supd
	wait_line un up
	has_line un s
	[ "$(owner "$T/state/volumes/useed")" = "1000000:1000000 755" ]
	[ "$(owner "$T/state/volumes/useed/f")" = "1001000:1001000 644" ]
	[ "$(owner "$T/state/volumes/unew")" = "1001000:1001000 755" ]
	[ "$(owner "$T/state/volumes/unew/f")" = "1001000:1001000 644" ]
}

@test "redis as user redis writes its data into a named volume on /var/lib/redis" {
	command -v redis-server >/dev/null || {
		echo "redis-server missing: contrib/ensure-deps.sh test installs it"
		return 1
	}
	local dir port
	dir=$(getent passwd redis | cut -d: -f6)
	[ -d "$dir" ]
	port=$((20000 + RANDOM % 20000))
	cat >"$T/conf.d/redis.ini" <<EOF
[service]
command = redis-server --port $port --bind 127.0.0.1 --dir $dir --appendonly yes --save ""
user = redis
[isolation]
namespaces = mount pid ipc uts
volume = redisdata:$dir
EOF
	start_supd
	wait_for --show "tail -n 3 $T/log/redis.log" "redis to write its append-only file" \
		sh -c "ls $T/state/volumes/redisdata/appendonlydir/*.aof"
	[ "$(stat -c %U "$T/state/volumes/redisdata")" = redis ]
	redis-cli -p "$port" set k v
	[ "$(redis-cli -p "$port" get k)" = v ]
	wait_for "the write in the AOF" grep -q k -r "$T/state/volumes/redisdata/appendonlydir"
	refute grep -q "Permission denied" "$T/log/redis.log"
}

# ---- a hostile destination ------------------------------------------------

# outside: a directory on the host, out of the rootfs, that the service must
# never get a copy of nor change: root's, 0700, a secret 0600 inside.
outside() {
	mkdir -p "$V/outside/sub"
	echo SECRET >"$V/outside/secret"
	echo SECRET >"$V/outside/sub/deeper"
	chmod 0700 "$V/outside"
	chmod 0600 "$V/outside/secret"
}

# untouched: outside is as it was made, and no copy of the secret is in
# volume $1.
untouched() {
	[ "$(owner "$V/outside")" = "0:0 700" ]
	[ "$(owner "$V/outside/secret")" = "0:0 600" ]
	[ "$(owner "$V/outside/sub/deeper")" = "0:0 644" ]
	[ "$(owner /etc/shadow)" = "$SHADOW_OWNER" ]
	refute grep -rq SECRET "$T/state/volumes/$1"
}

@test "hostile: symlinks in the destination (to the host, out of the root, as the destination itself) are copied as links, never followed" {
	outside
	SHADOW_OWNER=$(owner /etc/shadow)
	mkdir -p "$RFS$D/dst"
	echo mine >"$RFS$D/dst/own"
	ln -s "$V/outside/secret" "$RFS$D/dst/abs"
	ln -s ../../../../../../../.."$V/outside" "$RFS$D/dst/rel"
	ln -s /etc/shadow "$RFS$D/dst/shadow"
	ln -s / "$RFS$D/dst/root"
	# The destination itself a link to the host's directory: resolved in
	# the rootfs, where that path is an empty directory.
	ln -s "$V/outside" "$RFS$D/link"
	mkdir -p "$RFS$V/outside"
	USR=app vsvc sy "volume = sl:$D/dst" "volume = sd:$D/link"
	start_supd
	wait_line sy up
	local vol=$T/state/volumes/sl
	[ "$(cat "$vol/own")" = mine ]
	[ "$(readlink "$vol/abs")" = "$V/outside/secret" ]
	[ "$(readlink "$vol/shadow")" = /etc/shadow ]
	[ "$(readlink "$vol/root")" = / ]
	[ -L "$vol/rel" ]
	untouched sl
	untouched sd
	# Nothing copied for the link, and the volume is the user's (empty).
	[ -z "$(ls -A "$T/state/volumes/sd")" ]
	[ "$(owner "$T/state/volumes/sd")" = "1000:1000 755" ]
	# The links the volume holds were made as the rootfs had them, owned
	# as there: nothing of the host got the service's owner.
	[ "$(stat -c %u:%g "$vol/abs")" = 0:0 ]
}

@test "hostile: a hard link in the destination is refused (the start fails naming it); nothing of it is copied" {
	outside
	SHADOW_OWNER=$(owner /etc/shadow)
	mkdir -p "$RFS$D"
	echo fine >"$RFS$D/a"
	ln "$V/outside/secret" "$RFS$D/hl"
	USR=app vsvc hl "volume = hv:$D"
	start_supd
	# The reason as it was then: the restart policy starts hl again
	# 100 ms later, and that start (on a volume no longer new) clears it.
	wait_for --show "field hl reason" "the start to fail on the hard link" \
		_reason_has hl 'Too many links'
	[[ "$REASON" == *"$D/hl"* ]]
	[ ! -e "$T/state/volumes/hv/hl" ]
	untouched hv
}

@test "hostile: FIFOs, sockets and device nodes are skipped (nothing blocks, no device reaches the volume)" {
	mkdir -p "$RFS$D"
	echo fine >"$RFS$D/a"
	mkfifo "$RFS$D/fifo"
	mknod "$RFS$D/mem" c 1 1
	mknod "$RFS$D/disk" b 7 0
	python3 -c 'import socket,sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$RFS$D/sock"
	vsvc fi "volume = fv:$D"
	start_supd
	wait_line fi up
	[ "$(ls -A "$T/state/volumes/fv")" = a ]
}

@test "hostile: a huge tree is copied off supd's loop: supd answers while the copy runs" {
	mkdir -p "$RFS$D/big"
	(cd "$RFS$D/big" && seq 1 60000 | xargs touch)
	vsvc hu "volume = big:$D"
	start_supd
	# While the copy runs the service is starting; each status answer
	# comes at once.
	local t0 t1 seen=0
	while [ "$(state hu)" = starting ]; do
		t0=$(mono_ms)
		ctl status hu >/dev/null
		t1=$(mono_ms)
		[ $((t1 - t0)) -lt 500 ] || {
			echo "status took $((t1 - t0)) ms during the copy"
			return 1
		}
		seen=$((seen + 1))
	done
	echo "answered $seen times during the copy"
	[ "$seen" -ge 3 ]
	WAIT_SECS=60 wait_line hu up
	[ "$(ls "$T/state/volumes/big/big" | wc -l)" -eq 60000 ]
}

@test "two services starting together on one new volume: the second waits for the first's copy-up and sees all of it" {
	mkdir -p "$RFS$D/big"
	(cd "$RFS$D/big" && seq 1 20000 | xargs touch)
	# Both list the volume as soon as they run; one of them made the
	# volume and its copy, the other must not see it half filled.
	CMD="echo n=\$(ls $D/big | wc -l); echo up; exec /probe pause" \
		vsvc sa "volume = shared:$D"
	CMD="echo n=\$(ls $D/big | wc -l); echo up; exec /probe pause" \
		vsvc sb "volume = shared:$D"
	start_supd
	WAIT_SECS=60 wait_line sa up
	WAIT_SECS=60 wait_line sb up
	has_line sa n=20000
	has_line sb n=20000
	# And with one `supctl start a b`, on a volume made by that start.
	ctl stop sa sb
	rm -rf --one-file-system "$T/state/volumes/shared"
	ctl start sa sb
	WAIT_SECS=60 wait_for "both up again" sh -c "[ \$(grep -cx up $T/log/sa.log) -ge 2 ] && [ \$(grep -cx up $T/log/sb.log) -ge 2 ]"
	[ "$(grep -c '^n=' "$T/log/sa.log")" -eq 2 ]
	[ "$(grep -cx n=20000 "$T/log/sa.log")" -eq 2 ]
	[ "$(grep -cx n=20000 "$T/log/sb.log")" -eq 2 ]
}

@test "hostile: directories swapped for symlinks out of the root during the copy: nothing outside is copied or changed" {
	outside
	SHADOW_OWNER=$(owner /etc/shadow)
	local i
	mkdir -p "$RFS$D"
	# 400 directories, each with a symlink to outside beside it; a
	# swapper exchanges each pair (renameat2 RENAME_EXCHANGE, atomic)
	# as fast as it can while the copy runs, so that a name seen as a
	# directory is a symlink a moment later.
	for i in $(seq -w 1 400); do
		mkdir "$RFS$D/s$i"
		: >"$RFS$D/s$i/f"
		ln -s "$V/outside" "$RFS$D/l$i"
	done
	python3 - "$RFS$D" >/dev/null 2>&1 <<'PY' &
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
d = os.open(sys.argv[1], os.O_RDONLY)
names = [(("s%03d" % i).encode(), ("l%03d" % i).encode()) for i in range(1, 401)]
while True:
    for a, b in names:
        libc.renameat2(d, a, d, b, 2)	# RENAME_EXCHANGE
PY
	BG=$!
	USR=app vsvc ra "volume = rv:$D"
	start_supd
	# Up, or failed on a file that changed under the copy: either way
	# the outside is untouched.
	wait_for --show "state ra" "the start to be decided" \
		sh -c "! $(printf %q "$SUPCTL") -s $(printf %q "$SOCK") status ra | grep -q starting"
	kill "$BG"
	wait "$BG" 2>/dev/null || true
	BG=
	echo "state: $(state ra) ($(field ra reason))"
	untouched rv
}

# ---- supctl volume ----------------------------------------------------------

@test "supctl volume ls | inspect | rm | prune; rm refused while a defined service uses the volume, naming it" {
	mkdir -p "$RFS$D"
	vsvc web "volume = webdata:$D"
	start_supd
	wait_line web up
	# Volumes no service names: left by services since removed.
	mkdir -p "$T/state/volumes/old1/sub" "$T/state/volumes/old2"
	echo x >"$T/state/volumes/old1/sub/f"
	run -0 ctl volume ls
	[ "${lines[0]}" = "NAME                USED BY" ]
	[[ "${lines[1]}" =~ ^old1\ +-$ ]]
	[[ "${lines[2]}" =~ ^old2\ +-$ ]]
	[[ "${lines[3]}" =~ ^webdata\ +web$ ]]
	[ "${#lines[@]}" -eq 4 ]
	run -0 ctl volume ls --json
	[ "$(echo "$output" | jq -r '.[2].name')" = webdata ]
	[ "$(echo "$output" | jq -r '.[2].used_by[0]')" = web ]
	[ "$(echo "$output" | jq -r '.[0].used_by | length')" = 0 ]
	run -0 ctl volume inspect webdata
	[ "$(echo "$output" | jq -r '.[0].mountpoint')" = "$T/state/volumes/webdata" ]
	[ "$(echo "$output" | jq -r '.[0].owner')" = 0:0 ]
	run -1 ctl volume inspect nosuch
	[[ "$output" == *"no such volume: nosuch"* ]]

	# In use by a defined service, running or stopped: refused, named.
	run -1 ctl volume rm webdata
	[[ "$output" == *"volume webdata is in use by service web"* ]]
	ctl stop web
	run -1 ctl volume rm old1 webdata
	[[ "$output" == *"in use by service web"* ]]
	[ -d "$T/state/volumes/webdata" ]
	[ -d "$T/state/volumes/old1" ]	# all or none
	run -1 ctl volume rm nosuch
	[[ "$output" == *"no such volume: nosuch"* ]]
	run -1 ctl volume rm ../state
	[[ "$output" == *"no such volume"* ]]

	run -0 ctl volume rm old1
	[ ! -e "$T/state/volumes/old1" ]
	mkdir "$T/state/volumes/old3"
	run -0 ctl volume prune --json
	[ "$output" = '["old2","old3"]' ]
	[ ! -e "$T/state/volumes/old2" ]
	run -0 ctl volume prune
	[ "$output" = "" ]
	[ -d "$T/state/volumes/webdata" ]
	run -0 ctl volume ls
	[ "${#lines[@]}" -eq 2 ]
	# The service gone from conf_dir: its volume is free to go.
	rm "$T/conf.d/web.ini"
	ctl reload
	run -0 ctl volume rm webdata
	[ ! -e "$T/state/volumes/webdata" ]
	# A removed tree goes off the loop; nothing of it is left.
	wait_for "the removal to finish" sh -c "[ -z \"\$(ls -A $T/state/volumes)\" ]"
}

@test "supctl volume rm: a symlink a service left in its volume is removed, never followed" {
	outside
	SHADOW_OWNER=$(owner /etc/shadow)
	mkdir -p "$T/state/volumes/evil/d"
	ln -s "$V/outside" "$T/state/volumes/evil/link"
	ln -s "$V/outside" "$T/state/volumes/evil/d/link2"
	ln -s / "$T/state/volumes/evil/root"
	start_supd
	run -0 ctl volume rm evil
	wait_for "the removal to finish" sh -c "[ -z \"\$(ls -A $T/state/volumes)\" ]"
	[ -f "$V/outside/secret" ]
	[ -f "$V/outside/sub/deeper" ]
	untouched evil
}

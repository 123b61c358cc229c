#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# pid1.bats: supd as PID 1 of a container's pid namespace (unshare --pid
# --fork --mount-proc): orphans reaped, SIGTERM = stop all in reverse
# dependency order and exit 0, an essential service's exit code passed
# through (128+N for a signal, as tini does), missing mounts provided but
# never over a directory with something in it, bad configuration and a
# control socket that cannot be made survived. The VM test (a machine's
# PID 1) is separate.

load common

setup() {
	setup_supd
	W=$(mktemp -d /var/tmp/supd-pid1.XXXXXX)
	chmod 0755 "$W"
	UNSHARE_PID=
	FAULT_PID=
}

# supd as PID 1 exits 0 on SIGTERM (unless the test set
# SUPD_EXIT_EXPECTED): unshare passes its status on.
teardown() {
	local rc=0 st
	if [ -n "$FAULT_PID" ]; then
		kill "$FAULT_PID" 2>/dev/null
		wait "$FAULT_PID" 2>/dev/null
	fi
	if [ -n "$UNSHARE_PID" ]; then
		kill -TERM "$(supd_pid)" 2>/dev/null
		WAIT_SECS=15 wait_for "the container to end" _gone "$UNSHARE_PID" ||
			kill -KILL "$UNSHARE_PID" 2>/dev/null
		st=0
		wait "$UNSHARE_PID" 2>/dev/null || st=$?
		check_supd_exit "$st" "(the container) after SIGTERM in teardown" || true
	fi
	teardown_supd || rc=1
	rm -rf "$W"
	return $rc
}

# Start supd as PID 1 of a new pid namespace (and mount namespace, with a
# /proc of its own); $UNSHARE_PID is the unshare process outside.
start_container() {
	unshare --pid --fork --mount --mount-proc "$@" "$SUPD" -c "$T/supd.conf" \
	    >"$T/supd.out" 2>"$T/supd.err" &
	UNSHARE_PID=$!
	wait_for "supd socket" test -S "$SOCK"
}

# supd's pid outside: unshare's only child.
supd_pid() {
	pgrep -P "$UNSHARE_PID" | head -n 1
}

# Wait for the container to end; its exit status in $CSTATUS. (Not in a
# $(...): a subshell cannot wait for this shell's children.)
container_wait() {
	WAIT_SECS=20 wait_for "the container to end" _gone "$UNSHARE_PID"
	CSTATUS=0
	wait "$UNSHARE_PID" || CSTATUS=$?
	UNSHARE_PID=
}

@test "as PID 1 of a container: orphans of services are reaped, no zombie remains" {
	cat >"$T/conf.d/orphans.ini" <<EOF
[service]
command = sh -c 'for i in 1 2 3 4 5 6 7 8 9 10; do ( (sleep 0.2; echo x >>$W/orphans) & ); done; exec sleep 100'
[isolation]
namespaces = none
EOF
	start_container
	local p
	p=$(supd_pid)
	[ "$(awk '/^NSpid:/ { print $NF }' "/proc/$p/status")" = 1 ]
	wait_for "10 orphans done" lines_are "$W/orphans" 10 || { ps -ef --forest | grep -A5 "supd -c $T" | head -30; false; }
	wait_for --show "zombies_under --tree $p" "no zombie under supd" \
		no_zombies_under --tree "$p"
	# Each writer's parent subshell exited at once: orphans, reparented
	# to supd (PID 1 here), which reaped them; the service is untouched.
	[ "$(ctl --json status | jq -r '.[0].state')" = running ]
}

@test "as PID 1 of a container: SIGTERM stops all in reverse dependency order, exit 0" {
	local n
	for n in db app; do
		cat >"$T/conf.d/$n.ini" <<EOF
[service]
command = sh -c 'trap "echo stop-$n >>$W/order; exit 0" TERM; echo start-$n >>$W/order; while :; do sleep 0.05; done'
EOF
	done
	printf 'requires = db\n' | sed -i '/^command/r /dev/stdin' "$T/conf.d/app.ini"
	start_container
	wait_for "app started" grep -qx start-app "$W/order"
	kill -TERM "$(supd_pid)"
	container_wait
	[ "$CSTATUS" = 0 ]
	cat "$W/order"
	[ "$(grep -nx stop-app "$W/order" | cut -d: -f1)" -lt \
	    "$(grep -nx stop-db "$W/order" | cut -d: -f1)" ]
}

@test "essential: its exit code is the container's; 128+N when a signal ended it" {
	cat >"$T/conf.d/job.ini" <<EOF
[service]
command = sh -c 'while [ ! -e $W/go ]; do sleep 0.05; done; exit 42'
restart = no
essential = yes
EOF
	cat >"$T/conf.d/other.ini" <<EOF
[service]
command = sleep 100
EOF
	start_container
	wait_state other running
	: >"$W/go"
	container_wait
	[ "$CSTATUS" = 42 ]
	grep -q "job: essential service ended (code 42)" "$T/supd.err"

	rm -f "$W/go" "$SOCK"
	cat >"$T/conf.d/job.ini" <<EOF
[service]
command = sh -c 'while [ ! -e $W/go ]; do sleep 0.05; done; kill -KILL \$\$'
restart = no
essential = yes
EOF
	start_container
	wait_state job running
	: >"$W/go"
	container_wait
	[ "$CSTATUS" = 137 ]
}

@test "as PID 1: a missing /dev/shm is mounted; a bad main config still runs the services" {
	printf '[supd]\nconf_dir = %s/conf.d\nsocket = %s/run/supd.sock\nlog_dir = %s/log\nstate_dir = %s/state\nbogus = 1\n' \
	    "$T" "$T" "$T" "$T" >"$T/supd.conf"
	cat >"$T/conf.d/probe.ini" <<EOF
[service]
command = sh -c 'grep " /dev/shm " /proc/self/mounts >$W/shm; exec sleep 100'
[isolation]
namespaces = none
EOF
	unshare --pid --fork --mount --mount-proc sh -c \
	    "umount /dev/shm 2>/dev/null; exec $SUPD -c $T/supd.conf" \
	    >"$T/supd.out" 2>"$T/supd.err" &
	UNSHARE_PID=$!
	wait_for "supd socket" test -S "$SOCK"
	wait_for "the probe" test -s "$W/shm"
	cat "$W/shm"
	grep -q tmpfs "$W/shm"
	grep -q "supd.conf:6: unknown key 'bogus' in \[supd\]" "$T/supd.err"
	[ "$(field probe state)" = running ]
}

@test "as PID 1: a fatal signal (a crash) is logged and supd keeps reaping, never exits" {
	# The crash is a real one: supd-faults (the test build of supd, see
	# the Makefile) dereferences NULL in its own loop when asked to start
	# "supd-fault:null" -- a SIGSEGV raised by supd's own code, not one
	# sent from outside.
	local faults=$B/supd-faults
	[ -x "$faults" ] || make -s -C "$BATS_TEST_DIRNAME/../.." B="$B" \
	    "$faults" >&2
	cat >"$T/conf.d/later.ini" <<EOF
[service]
command = sh -c 'while [ ! -e $W/go ]; do sleep 0.05; done; ( (sleep 0.2; echo x >>$W/orphans) & ); exec sleep 100'
[isolation]
namespaces = none
EOF
	SUPD=$faults start_container
	wait_state later running
	local p
	p=$(supd_pid)
	[ "$(readlink "/proc/$p/exe")" = "$(readlink -f "$faults")" ]
	# No answer ever comes: supctl waits in the background.
	ctl start supd-fault:null >"$T/fault.out" 2>&1 3>&- &
	FAULT_PID=$!
	wait_for "the crash line" grep -q "pid 1: fatal signal" "$T/supd.err"
	head -n 20 "$T/supd.err"
	# It came from inside, right after the request reached the fault.
	[ "$(grep -n -m 1 'test fault: dereferencing NULL' "$T/supd.err" | cut -d: -f1)" -lt \
	    "$(grep -n -m 1 'pid 1: fatal signal' "$T/supd.err" | cut -d: -f1)" ]
	kill -0 "$p"
	# What it started goes on, and a new orphan is still reaped.
	: >"$W/go"
	wait_for "the orphan ran" lines_are "$W/orphans" 1
	wait_for --show "zombies_under --tree $p" "no zombie under supd" \
		no_zombies_under --tree "$p"
	kill -0 "$p"
	# Killed, not stopped: how unshare reports that is its business.
	SUPD_EXIT_EXPECTED=any
	kill -KILL "$p"
}

# ---- mounts over what is there; no control socket ---------------------------

TOP=$BATS_TEST_DIRNAME/../..

# The paths supd as PID 1 mounts when they are missing: the first column
# of pid1_mounts()'s table in src/pid1.c.
_pid1_paths() {
	awk '/^pid1_mounts\(void\)/ { f = 1 } f && /^}/ { exit }
		f && /^\t\t\{ "\// { s = $0; sub(/^[^"]*"/, "", s); sub(/".*/, "", s); print s }' \
		"$TOP/src/pid1.c"
}

# The same list as README.md ("As PID 1") and supd(8) ("PID 1") give it.
_pid1_doc_paths() {
	if [ "$1" = readme ]; then
		awk '/mounts what an init provides when it is missing/ { on = 1 }
			on { buf = buf " " $0 }
			on && /\)/ { exit }
			END { print buf }' "$TOP/README.md" |
			sed 's/.*when it is missing (//; s/).*//' | grep -o '`/[^`]*`' | tr -d '`'
	else
		awk '/^mounts what an init provides when it is missing/ { on = 1; next }
			on && /^never over/ { exit }
			on { for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }' \
			"$TOP/man/supd.8"
	fi
}

# _mounts_at PID PATH: how many mounts the process sees on PATH (as its
# root shows it).
_mounts_at() {
	awk -v m="$2" '$5 == m { n++ } END { print n + 0 }' "/proc/$1/mountinfo"
}

# start_chroot_container full|missing: supd as PID 1 of new pid and mount
# namespaces, chrooted into a tmpfs ($W/root) made inside them, with the
# host's /usr, /etc (and /bin, /lib... as the host has them) and the test
# and build directories bound in. With full, every path of _pid1_paths is
# an ordinary directory holding a file (and /dev the host's /dev/null,
# which services need); with missing, none of them exists.
start_chroot_container() {
	local paths
	paths=$(_pid1_paths | xargs)
	cat >"$W/enter.sh" <<EOF
set -e
R=$W/root
mkdir -p \$R
mount -t tmpfs -o mode=0755 croot \$R
for d in usr etc; do
	mkdir \$R/\$d
	mount --rbind /\$d \$R/\$d
done
for l in bin sbin lib lib32 lib64 libx32; do
	if [ -L /\$l ]; then
		cp -P /\$l \$R/\$l
	elif [ -d /\$l ]; then
		mkdir \$R/\$l
		mount --rbind /\$l \$R/\$l
	fi
done
for d in $T $B; do
	mkdir -p \$R\$d
	mount --bind \$d \$R\$d
done
if [ $1 = full ]; then
	for p in $paths; do
		mkdir -p \$R\$p
		echo keep >\$R\$p/supd-test-keep
	done
	: >\$R/dev/null
	mount --bind /dev/null \$R/dev/null
fi
exec chroot \$R $SUPD -c $T/supd.conf
EOF
	unshare --pid --fork --mount sh "$W/enter.sh" >"$T/supd.out" 2>"$T/supd.err" &
	UNSHARE_PID=$!
	wait_for "supd socket" test -S "$SOCK"
}

@test "as PID 1 of a container: a directory with something in it is never mounted over (each path supd would mount)" {
	local paths p path
	paths=$(_pid1_paths)
	echo "pid1.c: $(xargs <<<"$paths")"
	[ "$(wc -l <<<"$paths")" -ge 7 ]
	# The docs name the same list: a path added to the code is checked
	# here, and said there.
	[ "$(sort <<<"$paths")" = "$(_pid1_doc_paths readme | sort)" ]
	[ "$(sort <<<"$paths")" = "$(_pid1_doc_paths man | sort)" ]
	cat >"$T/conf.d/s.ini" <<EOF
[service]
command = sleep 100
[isolation]
namespaces = none
EOF
	start_chroot_container full
	wait_state s running
	p=$(supd_pid)
	[ "$(awk '/^NSpid:/ { print $NF }' "/proc/$p/status")" = 1 ]
	for path in $paths; do
		echo "$path: $(_mounts_at "$p" "$path") mounts, keep=$(cat "/proc/$p/root$path/supd-test-keep")"
		[ "$(_mounts_at "$p" "$path")" -eq 0 ]
		[ "$(cat "/proc/$p/root$path/supd-test-keep")" = keep ]
	done
	[ "$(grep -c 'pid 1: mounted' "$T/supd.err")" -eq 0 ]
	kill -TERM "$p"
	container_wait
	grep -q "all services stopped, exiting" "$T/supd.err"
	# Under ASan, LeakSanitizer's check at exit needs /proc (it reads
	# even its options there), which this container has not: it fails
	# the exit. The second half runs with it.
	[ -n "${SUPD_ASAN:-}" ] || [ "$CSTATUS" = 0 ]

	# The same paths missing: each one is mounted (what the first half
	# would have seen, had supd mounted over them).
	start_chroot_container missing
	wait_state s running
	p=$(supd_pid)
	for path in $paths; do
		echo "$path: $(_mounts_at "$p" "$path") mounts"
		[ "$(_mounts_at "$p" "$path")" -ge 1 ]
		grep -q "pid 1: mounted [a-z0-9]* on $path\$" "$T/supd.err"
	done
}

@test "as PID 1: a control socket that cannot be made is reported; services are still supervised; SIGTERM ends it" {
	# Fails twice, then stays up.
	cat >"$W/flappy.sh" <<EOF
echo run >>$W/runs
[ \$(wc -l <$W/runs) -ge 3 ] || exit 1
trap 'echo stop >>$W/stop; exit 0' TERM
: >$W/up
while :; do sleep 0.05; done
EOF
	cat >"$T/conf.d/flappy.ini" <<EOF
[service]
command = /bin/sh $W/flappy.sh
restart_delay = 50ms
[isolation]
namespaces = none
EOF
	# The socket's directory is read-only in the container.
	unshare --pid --fork --mount --mount-proc sh -c \
	    "mount -t tmpfs -o ro nosock $T/run && exec $SUPD -c $T/supd.conf" \
	    >"$T/supd.out" 2>"$T/supd.err" &
	UNSHARE_PID=$!
	wait_for "the socket error" grep -q "control socket: " "$T/supd.err"
	grep "control socket: " "$T/supd.err"
	grep -q "control socket: $SOCK: bind: Read-only file system" "$T/supd.err"
	# Restarted twice by its policy, then it stays up.
	wait_for "flappy up after 3 runs" test -e "$W/up"
	[ "$(wc -l <"$W/runs")" -eq 3 ]
	[ ! -e "$SOCK" ]
	run ctl status
	[ "$status" -eq 3 ]
	kill -TERM "$(supd_pid)"
	container_wait
	[ "$CSTATUS" = 0 ]
	[ "$(cat "$W/stop")" = stop ]
}

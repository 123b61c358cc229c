#!/usr/bin/env bats
# pid1.bats: supd as PID 1 of a container's pid namespace (unshare --pid
# --fork --mount-proc): orphans reaped, SIGTERM = stop all in reverse
# dependency order and exit 0, an essential service's exit code passed
# through (128+N for a signal, as tini does), missing mounts provided, bad
# configuration survived. The VM test (a machine's PID 1) is separate.

load common

setup() {
	setup_supd
	W=$(mktemp -d /var/tmp/supd-pid1.XXXXXX)
	chmod 0755 "$W"
	UNSHARE_PID=
}

# supd as PID 1 exits 0 on SIGTERM (unless the test set
# SUPD_EXIT_EXPECTED): unshare passes its status on.
teardown() {
	local rc=0 st
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
	cat >"$T/conf.d/later.ini" <<EOF
[service]
command = sh -c 'while [ ! -e $W/go ]; do sleep 0.05; done; ( (sleep 0.2; echo x >>$W/orphans) & ); exec sleep 100'
[isolation]
namespaces = none
EOF
	start_container
	wait_state later running
	local p
	p=$(supd_pid)
	kill -SEGV "$p"
	wait_for "the crash line" grep -q "pid 1: fatal signal" "$T/supd.err"
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

#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# netpool.bats: network namespaces made ahead (src/netpool.c). The janitor
# makes them, loopback up, supd holds up to two ready, and a service whose
# network is a bare namespace of its own (network = none) joins one
# instead of making it. What must still hold: each run gets a fresh one,
# its own, lo up; a user-namespaced service gets none of them; with the
# janitor stopped, killed or unable to make them, every start goes on.

load common

setup() {
	setup_supd
}

teardown() {
	teardown_supd
}

# A network = none service that sleeps (the host's file system).
# bare NAME [EXTRA [isolation] LINES]
bare() {
	local name=$1
	shift
	{
		printf '[service]\ncommand = sleep 1000\n[isolation]\nnetwork = none\n'
		printf '%s\n' "$@"
	} >"$T/conf.d/$name.ini"
}

pid_of() {
	local p
	p=$(field "$1" pid)
	[ -n "$p" ] && [ "$p" != null ] && [ "$p" -gt 0 ] && echo "$p"
}

netns_of() {
	readlink "/proc/$1/ns/net"
}

# The network namespaces process PID holds as fds, one a line, sorted.
held_netns() {
	local f
	for f in "/proc/$1/fd/"*; do
		readlink "$f"
	done 2>/dev/null | grep '^net:' | sort
}

# Process PID's network namespace kept alive by an fd of the test's, and
# added to $had: a namespace's inode is reused once it is freed, a kept
# one's cannot be, so a namespace made later is a new one if its inode
# is none of $had.
pin() {
	local fd
	exec {fd}<"/proc/$1/ns/net"
	had="$had $(netns_of "$1")"
}

_supd_holds() {
	[ "$(held_netns "$SUPD_PID" | wc -l)" -eq "$1" ]
}

# supd started, NAME... running, two namespaces ready.
start_ready() {
	local name
	start_supd
	for name in "$@"; do
		wait_state "$name" running
	done
	wait_for "two namespaces ready in supd" _supd_holds 2
}

janitor_pid() {
	ps -o pid=,comm= --ppid "$SUPD_PID" | awk '$2 == "supd-janitor" { print $1 }'
}

# lo is up in process PID's network namespace.
lo_up() {
	local out
	out=$(nsenter --net="/proc/$1/ns/net" ip -o link show lo)
	echo "$out"
	[[ "$out" == *"<LOOPBACK,UP,"* ]]
}

_runs_anew() {
	local p
	p=$(pid_of "$1") && [ "$p" != "$2" ] && [ "$(state "$1")" = running ]
}

# NAME restarted; its new pid printed once it runs.
restart() {
	local old
	old=$(pid_of "$1")
	ctl restart "$1" >/dev/null
	wait_for "$1 to run anew" _runs_anew "$1" "$old"
	pid_of "$1"
}

@test "network = none joins a namespace made ahead: each run a fresh one, its own, lo up, taken from supd's two" {
	bare a
	bare b
	start_ready a b
	local j p n pool had i
	j=$(janitor_pid)
	[ -n "$j" ]
	# The janitor made them and went back home: it is in supd's.
	[ "$(netns_of "$j")" = "$(netns_of "$SUPD_PID")" ]
	# The namespaces a process has had: a ready one is none of them.
	had=
	pin "$SUPD_PID"
	pin "$(pid_of a)"
	pin "$(pid_of b)"
	[ "$(netns_of "$(pid_of a)")" != "$(netns_of "$(pid_of b)")" ]
	for i in 1 2 3 4; do
		pool=$(held_netns "$SUPD_PID")
		for n in $pool; do
			[[ " $had " != *" $n "* ]]
		done
		p=$(restart a)
		n=$(netns_of "$p")
		echo "run $i of a: $n; ready were: $(echo $pool)"
		# One of the two ready, b's not.
		echo "$pool" | grep -qxF "$n"
		[ "$n" != "$(netns_of "$(pid_of b)")" ]
		pin "$p"
		lo_up "$p"
		[ "$(nsenter --net="/proc/$p/ns/net" ip -o link | wc -l)" -eq 1 ]
		# Handed out once: supd holds it no more, and makes another.
		wait_for "two namespaces ready again" _supd_holds 2
		[ -z "$(held_netns "$SUPD_PID" | grep -xF "$n")" ]
	done
}

@test "hostile: a service cannot reach another's loopback listener, both in namespaces made ahead" {
	cat >"$T/conf.d/web.ini" <<EOF
[service]
command = /usr/bin/python3 -m http.server --bind 127.0.0.1 8765
[isolation]
network = none
EOF
	bare b
	start_ready web b
	local pw pb pool
	pool=$(held_netns "$SUPD_PID")
	pw=$(restart web)
	wait_for "two namespaces ready again" _supd_holds 2
	pool="$pool
$(held_netns "$SUPD_PID")"
	pb=$(restart b)
	echo "$pool" | grep -qxF "$(netns_of "$pw")"
	echo "$pool" | grep -qxF "$(netns_of "$pb")"
	wait_for "web to listen" nsenter --net="/proc/$pw/ns/net" \
		curl -sf -o /dev/null http://127.0.0.1:8765/
	# From inside b, the same address is b's own loopback: nothing there.
	run ctl exec b curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8765/
	echo "b's curl: status $status, '$output'"
	[ "$status" -eq 7 ]
}

@test "the janitor stopped, then continued or killed: starts go on, each in a fresh namespace; supd holds at most two and leaks no fd" {
	bare a
	start_ready a
	local j j2 p n had= fds i
	j=$(janitor_pid)
	[ -n "$j" ]
	fds=$(ls "/proc/$SUPD_PID/fd" | wc -l)
	pin "$SUPD_PID"
	pin "$(pid_of a)"
	kill -STOP "$j"
	# Two from the pool, then CLONE_NEWNET: the asks wait unanswered.
	for i in 1 2 3 4; do
		p=$(restart a)
		n=$(netns_of "$p")
		echo "run $i of a: $n"
		[[ " $had " != *" $n "* ]]
		pin "$p"
		lo_up "$p"
		ctl_within 5 status a >/dev/null
	done
	_supd_holds 0
	kill -CONT "$j"
	wait_for "two namespaces ready again" _supd_holds 2
	# Killed with two asks unanswered: they are asked of the next one.
	kill -STOP "$j"
	for i in 1 2 3; do
		p=$(restart a)
		[[ " $had " != *" $(netns_of "$p") "* ]]
		pin "$p"
	done
	kill -KILL "$j"
	wait_for "supd to say the janitor ended" \
		grep -q "supd: janitor: ended; started again when needed" "$T/supd.err"
	p=$(restart a)
	n=$(netns_of "$p")
	[[ " $had " != *" $n "* ]]
	lo_up "$p"
	wait_for "two namespaces ready again" _supd_holds 2
	j2=$(janitor_pid)
	echo "janitors: $j, then '$j2'"
	[ -n "$j2" ]
	[ "$j2" != "$j" ]
	echo "supd's fds: $fds, then $(ls "/proc/$SUPD_PID/fd" | wc -l)"
	[ "$(ls "/proc/$SUPD_PID/fd" | wc -l)" -eq "$fds" ]
}

@test "a user-namespaced service makes its own network namespace: its root owns it; the ready ones stay ready" {
	bare a
	bare u "namespaces = mount pid ipc uts user" "capabilities = CAP_NET_ADMIN"
	start_ready a u
	local pool p owner
	pool=$(held_netns "$SUPD_PID")
	p=$(restart u)
	[ -z "$(echo "$pool" | grep -xF "$(netns_of "$p")")" ]
	[ "$(held_netns "$SUPD_PID")" = "$pool" ]
	lo_up "$p"
	# Its owner (NS_GET_USERNS) is the service's user namespace ...
	owner=$(/usr/bin/python3 -c 'import fcntl, os, sys
ns = os.open("/proc/%s/ns/net" % sys.argv[1], os.O_RDONLY)
print(os.fstat(fcntl.ioctl(ns, 0xb701)).st_ino)' "$p")
	echo "owner $owner, its user namespace $(stat -L -c %i "/proc/$p/ns/user")"
	[ "$owner" = "$(stat -L -c %i "/proc/$p/ns/user")" ]
	# ... so its root may configure it.
	run ctl exec u ip addr add 127.0.0.2/8 dev lo
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "a janitor that cannot make them (faults build): said once, and every start makes its own" {
	bare a
	SUPD=$B/supd-faults SUPD_TEST_NO_NETNS_AHEAD=1 start_supd
	wait_state a running
	wait_for "supd to say why" grep -q "supd: network namespaces cannot be made ahead (Operation not permitted): each is made at its service's start" "$T/supd.err"
	local p n had= i
	pin "$SUPD_PID"
	pin "$(pid_of a)"
	for i in 1 2 3; do
		p=$(restart a)
		n=$(netns_of "$p")
		[[ " $had " != *" $n "* ]]
		pin "$p"
		lo_up "$p"
	done
	_supd_holds 0
	[ "$(grep -c "network namespaces cannot be made ahead" "$T/supd.err")" -eq 1 ]
}

#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# net-fw.bats: src/firewall.c's table with real traffic (issue 10), driven
# by tests/helpers/fw_drive. Every namespace is the test's own: "host"
# (unshare --net, where the bridges and supd's table live), one namespace
# per service on a veth to its bridge, and "outside" on a veth to host,
# playing the rest of the world. No packet leaves them.
#
#   supd-a  10.88.0.0/24  nat       a1 10.88.0.2, a2 10.88.0.3 (server)
#   supd-b  10.89.0.0/24  neither   b1 10.89.0.2 (server)
#   supd-i  10.90.0.0/24  internal  i1 10.90.0.2 (server)
#   ext0    192.0.2.1/24 -- outside 192.0.2.2 (server), which routes
#           10.0.0.0/8 back to host: only masquerade changes the source it
#           sees, only supd's rules keep it out of the networks
#
# The servers are python3 -m http.server, the clients curl and ping. When
# br_netfilter is loaded (its per-namespace bridge-nf-call-iptables is on),
# traffic within one bridge passes the forward hook too, and the first test
# checks the rule that lets it through.

load common

FW_NETS=(a:supd-a:10.88.0.0/24:nat b:supd-b:10.89.0.0/24 i:supd-i:10.90.0.0/24:internal)

# ns NS CMD...: run CMD in the network namespace of NS's holder process.
ns() {
	local pid
	pid=$(cat "$BATS_FILE_TMPDIR/ns.$1")
	shift
	nsenter -t "$pid" -n -- "$@"
}

# A namespace held by a sleeping process (gone when the test file ends).
# Nothing runs in it before the holder is in it: until unshare(2) returns,
# nsenter -t PID would enter this shell's namespace (the host's), and an
# address meant for the namespace's eth0 would land on the host's eth0.
new_ns() {
	local p me
	me=$(readlink /proc/self/ns/net)
	unshare --net sleep 1000 </dev/null >/dev/null 2>&1 3>&- &
	p=$!
	wait_for "pid $p in a network namespace of its own" _ns_made "$p" "$me"
	echo "$p" >"$BATS_FILE_TMPDIR/ns.$1"
	ns "$1" ip link set lo up
}

# _ns_made PID NS: PID's network namespace exists and is not NS.
_ns_made() {
	local n
	n=$(readlink "/proc/$1/ns/net") && [ "$n" != "$2" ]
}

# attach NS ADDR BRIDGE GATEWAY: NS's eth0 on BRIDGE in host.
attach() {
	ns host ip link add "v-$1" type veth peer name eth0 netns \
	    "$(cat "$BATS_FILE_TMPDIR/ns.$1")"
	ns host ip link set "v-$1" master "$3" up
	ns "$1" ip addr add "$2/24" dev eth0
	ns "$1" ip link set eth0 up
	ns "$1" ip route add default via "$4"
}

# serve NS ADDR: an HTTP server on ADDR:8000 (nsenter execs it: $! is its
# pid), its log in $BATS_FILE_TMPDIR. Debian's python3 where there is one:
# a wrapper's start-up (pyenv's) is slow.
serve() {
	local py=python3
	[ -x /usr/bin/python3 ] && py=/usr/bin/python3
	nsenter -t "$(cat "$BATS_FILE_TMPDIR/ns.$1")" -n -- "$py" -u -m \
	    http.server --bind "$2" --directory "$BATS_FILE_TMPDIR/www" 8000 \
	    </dev/null >"$BATS_FILE_TMPDIR/http.$1" 2>&1 3>&- &
	echo $! >"$BATS_FILE_TMPDIR/http.$1.pid"
}

setup_file() {
	local n br
	new_ns host
	for n in a1 a2 b1 i1 outside; do new_ns "$n"; done
	for br in a:10.88 b:10.89 i:10.90; do
		ns host ip link add "supd-${br%%:*}" type bridge
		ns host ip addr add "${br#*:}.0.1/24" dev "supd-${br%%:*}"
		ns host ip link set "supd-${br%%:*}" up
	done
	attach a1 10.88.0.2 supd-a 10.88.0.1
	attach a2 10.88.0.3 supd-a 10.88.0.1
	attach b1 10.89.0.2 supd-b 10.89.0.1
	attach i1 10.90.0.2 supd-i 10.90.0.1
	ns host ip link add ext0 type veth peer name eth0 netns \
	    "$(cat "$BATS_FILE_TMPDIR/ns.outside")"
	ns host ip addr add 192.0.2.1/24 dev ext0
	ns host ip link set ext0 up
	ns outside ip addr add 192.0.2.2/24 dev eth0
	ns outside ip link set eth0 up
	ns outside ip route add 10.0.0.0/8 via 192.0.2.1
	# supd's host starts without forwarding (a new namespace may inherit it).
	ns host sh -c 'echo 0 >/proc/sys/net/ipv4/ip_forward'
	mkdir "$BATS_FILE_TMPDIR/www"
	echo hello >"$BATS_FILE_TMPDIR/www/index.html"
	serve a2 10.88.0.3
	serve b1 10.89.0.2
	serve i1 10.90.0.2
	serve outside 192.0.2.2
}

teardown_file() {
	local f
	for f in "$BATS_FILE_TMPDIR"/http.*.pid "$BATS_FILE_TMPDIR"/ns.*; do
		[ -e "$f" ] && kill "$(cat "$f")" 2>/dev/null
	done
	return 0
}

setup() {
	FW_DRIVE=$HELPERS/fw_drive
	local n WAIT_SECS=20
	# Each server answers in its own namespace before any test relies on it.
	for n in a2:10.88.0.3 b1:10.89.0.2 i1:10.90.0.2 outside:192.0.2.2; do
		wait_for "the server of ${n%%:*}" ns "${n%%:*}" curl -sf \
		    -o /dev/null --max-time 1 "http://${n#*:}:8000/"
	done
}

teardown() {
	[ -z "${FW_PID:-}" ] || release_fw
}

# hold_fw NET...: fw_drive hold in host, until release_fw.
hold_fw() {
	rm -f "$BATS_TEST_TMPDIR/fw.in"
	mkfifo "$BATS_TEST_TMPDIR/fw.in"
	ns host "$FW_DRIVE" hold "$@" <"$BATS_TEST_TMPDIR/fw.in" \
	    >"$BATS_TEST_TMPDIR/fw.out" 2>&1 3>&- &
	FW_PID=$!
	exec 8>"$BATS_TEST_TMPDIR/fw.in"
	wait_for --show "cat $BATS_TEST_TMPDIR/fw.out" "the rules applied" \
	    grep -qx applied "$BATS_TEST_TMPDIR/fw.out"
}

# release_fw: EOF to fw_drive: it calls fw_remove and exits.
release_fw() {
	local rc=0
	exec 8>&-
	wait "$FW_PID" || rc=$?
	FW_PID=
	[ "$rc" -eq 0 ] && grep -qx removed "$BATS_TEST_TMPDIR/fw.out"
}

# reaches FROM ADDR [PATH]: an HTTP answer from ADDR:8000 within 1 s (one
# that works takes a millisecond here: the namespaces share one kernel).
reaches() {
	ns "$1" curl -s -o /dev/null --max-time 1 "http://$2:8000/${3:-}"
}

# pings FROM ADDR: one echo answered within 1 s.
pings() {
	ns "$1" ping -c1 -W1 -q "$2" >/dev/null
}

@test "net-fw: within one network traffic flows; between two networks none, either way" {
	hold_fw "${FW_NETS[@]}"
	reaches a1 10.88.0.3
	pings a1 10.88.0.3
	refute reaches a1 10.89.0.2
	refute pings a1 10.89.0.2
	refute reaches b1 10.88.0.3
	refute pings b1 10.88.0.3
	refute reaches i1 10.88.0.3
	refute reaches a1 10.90.0.2
}

@test "net-fw: a nat network reaches the outside, which sees the host's address, and cannot connect in" {
	hold_fw "${FW_NETS[@]}"
	reaches a1 192.0.2.2 from-a1
	pings a1 192.0.2.2
	# The outside saw the host's address on ext0, never 10.88.0.2.
	run grep 'GET /from-a1 ' "$BATS_FILE_TMPDIR/http.outside"
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == "192.0.2.1 - - "* ]]
	# The outside has a route to 10.88.0.0/24, and supd's rules refuse it.
	refute reaches outside 10.88.0.3
	refute pings outside 10.88.0.3
}

@test "net-fw: an internal network reaches nothing off its bridge, and nothing reaches it" {
	hold_fw "${FW_NETS[@]}"
	refute reaches i1 192.0.2.2
	refute pings i1 192.0.2.2
	refute reaches outside 10.90.0.2
	refute reaches i1 10.89.0.2
	refute reaches b1 10.90.0.2
	# Its own gateway (the host, on its bridge) still answers.
	pings i1 10.90.0.1
}

@test "net-fw: forwarding on while a nat network exists, back off after fw_remove, which leaves no table" {
	local fwd=/proc/sys/net/ipv4/ip_forward
	[ "$(ns host cat $fwd)" = 0 ]
	hold_fw "${FW_NETS[@]}"
	[ "$(ns host cat $fwd)" = 1 ]
	run ns host nft list tables
	[ "$output" = "table inet supd" ]
	release_fw
	[ "$(ns host cat $fwd)" = 0 ]
	run ns host nft list tables
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	refute reaches a1 192.0.2.2
	# Without a nat network, forwarding stays off.
	hold_fw b:supd-b:10.89.0.0/24 i:supd-i:10.90.0.0/24:internal
	[ "$(ns host cat $fwd)" = 0 ]
}

@test "net-fw: a table left by a killed supd is cleaned at start; a bridge name that is nft syntax is refused" {
	ns host nft add table inet other
	ns host "$FW_DRIVE" apply "${FW_NETS[@]}"
	run ns host "$FW_DRIVE" apply 'a:x; flush ruleset:10.88.0.0/24:nat'
	[ "$status" -eq 1 ]
	[[ "$output" == *"bridge 'x; flush ruleset': not [A-Za-z0-9_.-]"* ]]
	# Refused before anything ran: both tables are as they were.
	run ns host nft list tables
	[ "${lines[*]}" = "table inet other table inet supd" ]
	run ns host nft list table inet supd
	[[ "$output" == *'"supd-a"'* ]]
	ns host "$FW_DRIVE" clean
	run ns host nft list tables
	[ "$output" = "table inet other" ]
	# Clean with nothing to clean is fine too.
	ns host "$FW_DRIVE" clean
	ns host nft delete table inet other
	ns host sh -c 'echo 0 >/proc/sys/net/ipv4/ip_forward'
}

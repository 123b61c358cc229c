#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# net-publish.bats: the published-port forwarder (src/publish.c) against the
# real kernel, driven alone by tests/helpers/pub_fwd. Every test makes two
# network namespaces of its own (`unshare --net` holders, loopback up): "host",
# where the forwarder listens and the clients run, and "service", where the
# servers listen on 127.0.0.1 -- what a service with network = none or a
# container: sharer is. No packet leaves them. The servers and clients are
# tests/integration/net-publish.py (python3, standard library) and curl
# against `python3 -m http.server`. The integrator's tests drive it through
# supd's publish key.

bats_require_minimum_version 1.5.0

load common

TOOL=$BATS_TEST_DIRNAME/net-publish.py
FWD=$HELPERS/pub_fwd

setup() {
	setup_supd	# $T, the sanitizer's log_path; no supd is started
	PIDS=
	local me
	me=$(readlink /proc/self/ns/net)
	unshare --net sleep infinity 3>&- &
	HNS=$!
	unshare --net sleep infinity 3>&- &
	SNS=$!
	PIDS="$HNS $SNS"
	wait_for "the host namespace" _new_ns "$HNS" "$me"
	wait_for "the service namespace" _new_ns "$SNS" "$me"
	in_host ip link set lo up
	in_svc ip link set lo up
}

teardown() {
	local p bad=
	if [ -n "${FWD_PID:-}" ] && kill -TERM "$FWD_PID" 2>/dev/null; then
		wait_for "pub_fwd to exit" _gone "$FWD_PID" || bad=1
	fi
	for p in $PIDS; do kill -KILL "$p" 2>/dev/null; done
	wait 2>/dev/null
	if grep -q -E 'Sanitizer|runtime error:' "$T"/*.err 2>/dev/null; then
		grep -E -A 30 'Sanitizer|runtime error:' "$T"/*.err | head -60
		bad=1
	fi
	teardown_supd || bad=1
	[ -z "$bad" ]
}

_new_ns() { [ "$(readlink "/proc/$1/ns/net" 2>/dev/null)" != "$2" ]; }
_gone() { ! kill -0 "$1" 2>/dev/null; }
in_host() { nsenter --net="/proc/$HNS/ns/net" "$@"; }
in_svc() { nsenter --net="/proc/$SNS/ns/net" "$@"; }
# What runs in the background is nsenter itself, not a function's subshell:
# it execs the program, so $! is the program's pid. 3>&-: bats waits for
# its fd 3 to close.

# server KIND PORT: a net-publish.py server in the service namespace.
server() {
	nsenter --net="/proc/$SNS/ns/net" python3 "$TOOL" "$1" "$2" \
		>"$T/srv.out" 2>"$T/srv.err" 3>&- &
	PIDS="$PIDS $!"
	wait_for --show "cat $T/srv.err" "the $1 server" grep -q listening "$T/srv.out"
}

# fwd [-u] HOSTIP:PORT TARGETIP:PORT [MAXCONN]: pub_fwd in the host
# namespace toward the service namespace; $FWD_PID. UDP sessions end after
# $UDP_IDLE seconds (30).
fwd() {
	local opt=
	if [ "$1" = -u ]; then
		opt="-u -i ${UDP_IDLE:-30}"
		shift
	fi
	nsenter --net="/proc/$HNS/ns/net" "$FWD" $opt "$1" "$2" \
		"/proc/$SNS/ns/net" ${3:-} >"$T/fwd.out" 2>"$T/fwd.err" 3>&- &
	FWD_PID=$!
	PIDS="$PIDS $FWD_PID"
	wait_for --show "cat $T/fwd.err" "pub_fwd ready" grep -q ready "$T/fwd.out"
}

# counts: pub_fwd's counters now (SIGUSR1), one line.
counts() {
	local n
	n=$(grep -c live= "$T/fwd.out")
	kill -USR1 "$FWD_PID"
	wait_for "pub_fwd's counts" _more_lines "$n"
	grep live= "$T/fwd.out" | tail -n 1
}
_more_lines() { [ "$(grep -c live= "$T/fwd.out")" -gt "$1" ]; }

# counts_are PATTERN: wait until the counts match PATTERN (a glob): the
# forwarder sees a close on its next turn, after the client has moved on.
counts_are() {
	wait_for --show "grep live= $T/fwd.out | tail -n 1" "counts $1" _counts_match "$1"
}
_counts_match() { [[ "$(counts)" == $1 ]]; }

client() { in_host python3 "$TOOL" "$@"; }

@test "a real HTTP server in the service's namespace answers curl through the published port" {
	nsenter --net="/proc/$SNS/ns/net" python3 -m http.server 8000 \
		--bind 127.0.0.1 --directory "$BATS_TEST_DIRNAME" >"$T/http.out" 2>&1 3>&- &
	PIDS="$PIDS $!"
	wait_for "http.server" in_svc curl -sf -o /dev/null http://127.0.0.1:8000/
	# Nothing listens on 8000 on the host side: the forwarder is the way.
	run -7 in_host curl -sS -o /dev/null http://127.0.0.1:8000/
	fwd 127.0.0.1:8080 127.0.0.1:8000
	run in_host curl -sSf http://127.0.0.1:8080/net-publish.bats
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$BATS_TEST_DIRNAME/net-publish.bats")" ]
	counts_are "live=0 total=1 refused=0 over_limit=0 errors=0"
}

@test "the target is the service's address on its own interface (a bridge network's veth)" {
	# The service's side of a veth, as a bridge network gives it; the
	# socket made in its namespace reaches that address.
	ip link add pubh0 netns "$HNS" type veth peer name eth0 netns "$SNS"
	in_svc ip addr add 10.99.0.2/24 dev eth0
	in_svc ip link set eth0 up
	in_host ip link set pubh0 up
	nsenter --net="/proc/$SNS/ns/net" python3 -m http.server 8000 \
		--bind 10.99.0.2 --directory "$BATS_TEST_DIRNAME" >"$T/http.out" 2>&1 3>&- &
	PIDS="$PIDS $!"
	wait_for "http.server" in_svc curl -sf -o /dev/null http://10.99.0.2:8000/
	fwd 127.0.0.1:8080 10.99.0.2:8000
	run in_host curl -sSf http://127.0.0.1:8080/net-publish.py
	[ "$status" -eq 0 ]
	[ "$output" = "$(cat "$BATS_TEST_DIRNAME/net-publish.py")" ]
}

@test "a bind conflict is one clear error naming the port" {
	fwd 127.0.0.1:8080 127.0.0.1:8000
	# A second forwarder that did bind would run on: timeout ends it (124).
	run timeout 5 nsenter --net="/proc/$HNS/ns/net" "$FWD" 127.0.0.1:8080 \
		127.0.0.1:8000 "/proc/$SNS/ns/net"
	[ "$status" -eq 1 ]
	[[ "$output" == *"publish 127.0.0.1:8080/tcp: Address already in use" ]]
}

@test "200 concurrent connections, 1 MiB each way, byte for byte (sha256)" {
	server echo 8000
	fwd 0.0.0.0:8080 127.0.0.1:8000
	run client many 8080 200 1048576
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "ok 200" ]
	counts_are "live=0 total=200 refused=0 over_limit=0 errors=0"
}

@test "half-close passes through: the client shuts down writing and still gets the whole answer" {
	server sum 8000
	fwd 127.0.0.1:8080 127.0.0.1:8000
	run client halfclose 8080
	echo "$output"
	[ "$status" -eq 0 ]
	# socat, a client the tests did not write: half-close by its EOF on stdin.
	run in_host sh -c "head -c 4096 /dev/zero | socat -t 10 - TCP:127.0.0.1:8080 | sed -n 1p"
	[ "$output" = "$(head -c 4096 /dev/zero | sha256sum | cut -d' ' -f1)" ]
}

@test "a connection the target refuses resets the client at once, never hangs" {
	fwd 127.0.0.1:8080 127.0.0.1:8000	# nothing listens on 8000
	run client reset 8080
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = reset ]
	counts_are "live=0 total=1 refused=1 over_limit=0 errors=0"
}

@test "a target slow to answer the SYN: the connect completes later and relays" {
	server late 8000	# its accept queue full until a SYN is dropped
	fwd 127.0.0.1:8080 127.0.0.1:8000
	run client once 8080
	echo "$output"
	[ "$status" -eq 0 ]
	grep -q dropped "$T/srv.out"	# the connect really was in progress
	counts_are "live=0 total=1 refused=0 over_limit=0 errors=0"
}

@test "over max_conn a client is reset and counted; a freed slot takes the next" {
	server echo 8000
	fwd 127.0.0.1:8080 127.0.0.1:8000 2
	run client maxconn 8080 2
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "ok resets="* ]]
	counts_are "live=0 total=3 refused=0 over_limit=${output#ok resets=} errors=0"
}

@test "pub_close resets every live connection, and a new connect is refused" {
	server echo 8000
	fwd 127.0.0.1:8080 127.0.0.1:8000
	run client hold 8080 3 "$FWD_PID" 12	# SIGUSR2: pub_close
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = refused ]
	grep -q closed "$T/fwd.out"
}

@test "a client that never reads does not hold up another" {
	server echo 8000
	fwd 127.0.0.1:8080 127.0.0.1:8000
	run client slow 8080
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == "ok A stalled after "* ]]
	# Both relayed to their end (A reset when the client exited), no error.
	counts_are "live=0 total=2 refused=0 over_limit=0 errors=0"
}

@test "UDP: datagrams are echoed through a session per client address" {
	server udp-echo 8053
	fwd -u 127.0.0.1:8053 127.0.0.1:8053
	run client udp 8053
	echo "$output"
	[ "$status" -eq 0 ]
	counts_are "live=2 total=2 refused=0 over_limit=0 errors=0"
}

@test "UDP: a session ends after its idle timeout, and a new datagram makes a new one" {
	server udp-echo 8053
	UDP_IDLE=1 fwd -u 127.0.0.1:8053 127.0.0.1:8053
	run client udp 8053
	[ "$status" -eq 0 ]
	counts_are "live=0 total=2 refused=0 over_limit=0 errors=0"
	run client udp 8053
	[ "$status" -eq 0 ]
	counts_are "live=0 total=4 refused=0 over_limit=0 errors=0"
}

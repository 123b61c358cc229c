#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# net-link.bats: src/netlink.c (rtnetlink through libmnl) against the real
# kernel, driven by tests/helpers/nl_drive, the module's API on a command
# line (issue 10: bridges, veths, addresses, routes made without `ip`).
#
# Nothing here touches the machine's own network. Each test makes its
# namespaces: "the host" (a network namespace held by a sleeping process,
# where the bridge lives and nl_drive runs, through nsenter) and one more
# per "service" (`unshare --net sleep`). Teardown kills the sleepers, and
# with them go the namespaces and every link in them. What nl_drive made is
# read back with `ip -j` (parsed with jq) and proven with a real ping
# across the bridge, between two service namespaces.

bats_require_minimum_version 1.5.0

load common

setup_file() {
	make -s -C "$BATS_TEST_DIRNAME/../.." B="$SUPD_BUILD" \
		"$SUPD_BUILD/helpers/nl_drive" "$SUPD_BUILD/helpers/mono_ns" >&2
}

# netns VAR: start a process in a new network namespace, its pid in VAR
# (and in $SLEEPERS for teardown); wait until it is in it.
netns() {
	local p
	unshare --net sleep 1000 &
	p=$!
	SLEEPERS="$SLEEPERS $p"
	wait_for "pid $p in a network namespace of its own" own_netns "$p"
	printf -v "$1" %s "$p"
}

# own_netns PID: is PID in another network namespace than this shell?
own_netns() {
	[ "$(readlink "/proc/$1/ns/net")" != "$(readlink /proc/self/ns/net)" ]
}

setup() {
	SLEEPERS=
	netns H
	NLD=$SUPD_BUILD/helpers/nl_drive
}

teardown() {
	local p
	for p in $SLEEPERS; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	return 0
}

# inns PID CMD...: run CMD in the network namespace of PID
inns() {
	local p=$1
	shift
	nsenter --net="/proc/$p/ns/net" "$@"
}

# host CMD...: in the test's "host" namespace
host() { inns "$H" "$@"; }

nld() { host "$NLD" "$@"; }

# the ip -j view of link $2 in the namespace of pid $1
link_json() { inns "$1" ip -j -d link show dev "$2"; }

@test "bridge: made as a bridge, up, with its address; a second call changes nothing" {
	run nld bridge br-t 10.89.0.1/24
	[ "$status" -eq 0 ]
	[ "$(link_json "$H" br-t | jq -r '.[0].linkinfo.info_kind')" = bridge ]
	link_json "$H" br-t | jq -e '.[0].flags | index("UP")'
	[ "$(host ip -j -4 addr show dev br-t | jq -r '.[0].addr_info[] | "\(.local)/\(.prefixlen)"')" = 10.89.0.1/24 ]
	run nld bridge br-t 10.89.0.1/24
	[ "$status" -eq 0 ]
	[ "$(host ip -j -4 addr show dev br-t | jq '.[0].addr_info | length')" -eq 1 ]
}

@test "attach: the veth on the bridge, the address, lo and the route inside; two services ping each other across the bridge" {
	netns A
	netns B
	nld bridge br-t 10.89.0.1/24
	run nld attach "/proc/$A/ns/net" br-t sv-aaaa eth0 10.89.0.2/24 10.89.0.1
	[ "$status" -eq 0 ]
	run nld attach "/proc/$B/ns/net" br-t sv-bbbb eth0 10.89.0.3/24 10.89.0.1
	[ "$status" -eq 0 ]
	# The host side: on the bridge, up; the inner side is not in the host.
	[ "$(link_json "$H" sv-aaaa | jq -r '.[0].master')" = br-t ]
	[ "$(link_json "$H" sv-bbbb | jq -r '.[0].master')" = br-t ]
	link_json "$H" sv-aaaa | jq -e '.[0].flags | index("UP")'
	run -1 host ip link show dev eth0
	# Inside A: eth0 up with its address, lo up, the default route.
	link_json "$A" eth0 | jq -e '.[0].flags | index("UP")'
	link_json "$A" lo | jq -e '.[0].flags | index("UP")'
	[ "$(inns "$A" ip -j -4 addr show dev eth0 | jq -r '.[0].addr_info[0] | "\(.local)/\(.prefixlen)"')" = 10.89.0.2/24 ]
	[ "$(inns "$A" ip -j route show default | jq -r '.[0] | "\(.gateway) \(.dev)"')" = "10.89.0.1 eth0" ]
	# The plumbing works: service to service across the bridge, and to
	# the gateway (the bridge's address in the host namespace).
	run inns "$A" ping -c1 -W5 10.89.0.3
	[ "$status" -eq 0 ]
	run inns "$B" ping -c1 -W5 10.89.0.2
	[ "$status" -eq 0 ]
	run inns "$B" ping -c1 -W5 10.89.0.1
	[ "$status" -eq 0 ]
	run inns "$A" ping -c1 -W5 127.0.0.1
	[ "$status" -eq 0 ]
}

@test "attach with - as the gateway (an internal network): no default route" {
	netns A
	nld bridge br-t 10.89.0.1/24
	run nld attach "/proc/$A/ns/net" br-t sv-aaaa eth0 10.89.0.2/24 -
	[ "$status" -eq 0 ]
	[ "$(inns "$A" ip -j route show default | jq length)" -eq 0 ]
	run inns "$A" ping -c1 -W5 10.89.0.1
	[ "$status" -eq 0 ]
}

@test "detach: both ends of the veth are gone, the service is cut off; detaching again is fine" {
	netns A
	nld bridge br-t 10.89.0.1/24
	nld attach "/proc/$A/ns/net" br-t sv-aaaa eth0 10.89.0.2/24 10.89.0.1
	run inns "$A" ping -c1 -W5 10.89.0.1
	[ "$status" -eq 0 ]
	run nld detach sv-aaaa
	[ "$status" -eq 0 ]
	run -1 host ip link show dev sv-aaaa
	run -1 inns "$A" ip link show dev eth0
	run ! inns "$A" ping -c1 -W1 10.89.0.1
	run nld detach sv-aaaa
	[ "$status" -eq 0 ]
	# The bridge stays.
	host ip link show dev br-t
}

@test "list PREFIX: the links a start-up would clean as leftovers" {
	netns A
	netns B
	nld bridge supd-one 10.89.0.1/24
	nld bridge supd-two 10.90.0.1/24
	nld attach "/proc/$A/ns/net" supd-one sv-00000001 eth0 10.89.0.2/24 -
	nld attach "/proc/$B/ns/net" supd-two sv-00000002 eth0 10.90.0.2/24 -
	run nld list supd-
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | sort | tr '\n' ' ')" = "supd-one supd-two " ]
	run nld list sv-
	[ "$(echo "$output" | sort | tr '\n' ' ')" = "sv-00000001 sv-00000002 " ]
	# Cleaning them as a start-up would leaves the host namespace bare.
	for l in $(nld list sv-) $(nld list supd-); do
		nld del "$l"
	done
	[ "$(host ip -j link | jq -r '.[].ifname' | tr '\n' ' ')" = "lo " ]
	run -1 inns "$A" ip link show dev eth0
}

@test "overlap: a subnet against the routes of the main table, supd's own bridges skipped" {
	nld bridge br-t 10.89.0.1/24
	run nld overlap 10.89.0.0/16
	[ "$output" = "10.89.0.0/24 dev br-t" ]
	run nld overlap 10.89.0.0/16 br-
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
	run nld overlap 10.90.0.0/16
	[ "$status" -eq 0 ]
	[ "$output" = "" ]
}

@test "errors come back as causes naming the object: name too long, not a bridge, address already there, no such namespace, no such bridge" {
	netns A
	run nld bridge supd-abcdefghijk 10.89.0.1/24
	[ "$status" -eq 1 ]
	[ "$output" = "nl_drive: bridge supd-abcdefghijk: name longer than 15 characters" ]
	run -1 host ip link show dev supd-abcdefghij
	run nld bridge lo 10.89.0.1/24
	[ "$status" -eq 1 ]
	[ "$output" = "nl_drive: bridge lo: exists and is not a bridge (no kind)" ]
	nld bridge br-t 10.89.0.1/24
	run nld addr br-t 10.89.0.1/24
	[ "$status" -eq 1 ]
	[ "$output" = "nl_drive: address 10.89.0.1/24 on br-t: File exists (ipv4: Address already assigned)" ]
	# Not a network namespace: refused before anything is made.
	run nld attach /dev/null br-t sv-aaaa eth0 10.89.0.2/24 10.89.0.1
	[ "$status" -eq 1 ]
	[[ "$output" =~ ^"nl_drive: network namespace (fd "[0-9]+"): Invalid argument"$ ]]
	run -1 host ip link show dev sv-aaaa
	run nld attach "/proc/$A/ns/net" br-nosuch sv-aaaa eth0 10.89.0.2/24 10.89.0.1
	[ "$status" -eq 1 ]
	[ "$output" = "nl_drive: bridge br-nosuch: No such device" ]
	# The host name taken: the first pair is left as it was.
	nld attach "/proc/$A/ns/net" br-t sv-aaaa eth0 10.89.0.2/24 10.89.0.1
	run nld attach "/proc/$A/ns/net" br-t sv-aaaa eth1 10.89.0.3/24 -
	[ "$status" -eq 1 ]
	[ "$output" = "nl_drive: veth sv-aaaa (eth1 in the namespace): File exists" ]
	run -1 inns "$A" ip link show dev eth1
	inns "$A" ip link show dev eth0
}

@test "attach is all or nothing: a failure inside the service's namespace takes the new veth away" {
	netns A
	nld bridge br-t 10.89.0.1/24
	nld attach "/proc/$A/ns/net" br-t sv-aaaa eth0 10.89.0.2/24 10.89.0.1
	# A second network with a default route again: the route step fails.
	run nld attach "/proc/$A/ns/net" br-t sv-bbbb eth1 10.89.0.3/24 10.89.0.1
	[ "$status" -eq 1 ]
	[ "$output" = "nl_drive: default route via 10.89.0.1: File exists" ]
	run -1 host ip link show dev sv-bbbb
	run -1 inns "$A" ip link show dev eth1
	[ "$(inns "$A" ip -j -4 addr | jq '[.[].addr_info[] | select(.local == "10.89.0.3")] | length')" -eq 0 ]
}

@test "a service's namespace that ends takes its veth pair along, with no detach" {
	netns A
	nld bridge br-t 10.89.0.1/24
	nld attach "/proc/$A/ns/net" br-t sv-aaaa eth0 10.89.0.2/24 10.89.0.1
	host ip link show dev sv-aaaa
	kill "$A"
	wait "$A" || :
	wait_for "sv-aaaa gone with its namespace" refute host ip link show dev sv-aaaa
	# The host name is free again for the next start.
	netns A2
	run nld attach "/proc/$A2/ns/net" br-t sv-aaaa eth0 10.89.0.2/24 10.89.0.1
	[ "$status" -eq 0 ]
}

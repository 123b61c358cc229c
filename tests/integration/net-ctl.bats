#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# net-ctl.bats: what supctl shows of networks (issue 10): status's and
# inspect's addresses and published ports, `supctl network ls` and
# `supctl network inspect` (src/ctl-verbs.c, src/service-net.c). supd runs
# inside a network namespace the test makes, as in net.bats: its bridges,
# veths and table live there; every packet stays in it or in the services'
# own namespaces. The addresses shown are checked against what the
# services themselves see (`ip -4 -o addr` inside them).

bats_require_minimum_version 1.5.0

load common
load net-common

setup() {
	setup_supd
	WWW=$T/www
	mkdir -p "$WWW"
	echo "hello from web" >"$WWW/hello.txt"
	net_ns
	cat >>"$T/supd.conf" <<'EOF'
[network back]
subnet = 10.89.0.0/24
internal = yes
EOF
}

teardown() {
	net_teardown
}

# web: python3's http.server on supd0 and back, published on 8080 (to its
# supd0 address), alias www. app: sleep on supd0 and back. db: sleep on
# back only.
three_services() {
	svc web <<EOF
[service]
command = python3 -m http.server -d $WWW 8000
restart = no
[isolation]
private_tmp = no
$NODNS
network = bridge
network = back
aliases = www
publish = 8080:8000
EOF
	for s in app db; do
		{
			printf '[service]\ncommand = sleep 3600\nrestart = no\n'
			printf '[isolation]\nprivate_tmp = no\n%s\n' "$NODNS"
			[ "$s" = db ] || echo 'network = bridge'
			echo 'network = back'
		} | svc "$s"
	done
	$IN ip link set lo up
	start_supd
	wait_state web running
	wait_state app running
	wait_state db running
}

# The address the service $1 has on its interface $2, as it sees it.
inner_addr() {
	ctl exec "$1" ip -4 -o addr show dev "$2" |
		awk '{ sub(/\/.*/, "", $4); print $4 }'
}

# The member $2 of network $1 in `network inspect`: its key $3.
member() {
	ctl network inspect "$1" |
		jq -r --arg m "$2" ".[0].members[] | select(.name == \$m) | .$3"
}

pub_fetch() {
	[ "$($IN curl -sf --max-time 2 http://127.0.0.1:8080/hello.txt)" = "hello from web" ]
}

@test "network ls: supd0 and a custom network, their bridges, subnets and member counts" {
	three_services
	run --separate-stderr ctl network ls
	[ "$status" -eq 0 ]
	echo "$output"
	[ "$(echo "${lines[0]}" | tr -s ' ')" = \
		"NAME BRIDGE SUBNET GATEWAY NAT INTERNAL MEMBERS" ]
	[ "$(echo "${lines[1]}" | tr -s ' ')" = \
		"supd0 supd-supd0 10.88.0.0/16 10.88.0.1 yes no 2" ]
	[ "$(echo "${lines[2]}" | tr -s ' ')" = \
		"back supd-back 10.89.0.0/24 10.89.0.1 no yes 3" ]
	[ "${#lines[@]}" -eq 3 ]
	# The alias of ls, and --json.
	[ "$(ctl network list | tr -s ' ')" = "$(echo "$output" | tr -s ' ')" ]
	run ctl network ls --json
	[ "$(echo "$output" | jq -c '[.[] | [.name, .members, .nat, .internal, .bridge_exists]]')" = \
		'[["supd0",2,true,false,true],["back",3,false,true,true]]' ]
	# A member more once one more service leases an address.
	printf '[service]\ncommand = sleep 3600\n[isolation]\n%s\nnetwork = back\n' \
		"$NODNS" | svc late
	ctl reload
	wait_state late running
	[ "$(ctl network ls --json | jq '.[1].members')" = 4 ]
}

@test "network inspect: members with the addresses they see inside, aliases, published ports" {
	three_services
	run ctl network inspect supd0 back
	[ "$status" -eq 0 ]
	echo "$output"
	[ "$(echo "$output" | jq -r '[.[].name] | join(" ")')" = "supd0 back" ]
	[ "$(echo "$output" | jq -r '.[0] | [.bridge, .subnet, .gateway, .nat, .internal, .bridge_exists, .created] | join(" ")')" = \
		"supd-supd0 10.88.0.0/16 10.88.0.1 true false true true" ]
	[ "$(echo "$output" | jq -r '[.[0].members[].name] | sort | join(" ")')" = "app web" ]
	[ "$(echo "$output" | jq -r '[.[1].members[].name] | sort | join(" ")')" = "app db web" ]
	# Each address is the one the service has on its interface.
	[ "$(member supd0 web address)" = "$(inner_addr web eth0)" ]
	[ "$(member supd0 app address)" = "$(inner_addr app eth0)" ]
	[ "$(member back app address)" = "$(inner_addr app eth1)" ]
	[ "$(member back db address)" = "$(inner_addr db eth0)" ]
	[[ $(member back db address) == 10.89.0.* ]]
	[ "$(member supd0 web state)" = running ]
	[ "$(member supd0 web 'aliases | join(" ")')" = www ]
	# web's port is published to it on supd0, and works.
	wait_for "web through 8080" pub_fetch
	[ "$(member supd0 web 'published[0].publish')" = 0.0.0.0:8080:8000/tcp ]
	[ "$(member supd0 web 'published[0].bound')" = true ]
	[ "$(member supd0 web 'published[0].total')" -ge 1 ]
	[ "$(member supd0 app published)" = null ]
	# Not on back: the port forwards to web's supd0 address only.
	[ "$(member back web published)" = null ]
	[ "$(member back web address)" = "$(inner_addr web eth1)" ]
	# The same addresses in status --json and in inspect.
	[ "$(ctl --json status app | jq -c '.[0].networks')" = \
		"{\"supd0\":\"$(inner_addr app eth0)\",\"back\":\"$(inner_addr app eth1)\"}" ]
	[ "$(ctl inspect app | jq -r .networks.back)" = "$(inner_addr app eth1)" ]
	# A network named twice is shown once.
	[ "$(ctl network inspect back back supd0 back | jq -r '[.[].name] | join(" ")')" = "back supd0" ]
}

@test "status: published ports in --json (inspect's shape) and a docker-like PORTS column" {
	three_services
	wait_for "web through 8080" pub_fetch
	[ "$(ctl --json status web | jq -c '.[0].published')" = \
		'[{"publish":"0.0.0.0:8080:8000/tcp","bound":true}]' ]
	[ "$(ctl --json status app | jq -c '.[0].published')" = null ]
	[ "$(ctl inspect web | jq -r '.published[0].publish')" = 0.0.0.0:8080:8000/tcp ]
	run ctl status
	echo "$output"
	[ "$(echo "${lines[0]}" | tr -s ' ')" = "NAME STATE PID UPTIME RESTARTS EXIT PORTS" ]
	[[ $(echo "$output" | grep '^web ') == *' 0.0.0.0:8080->8000/tcp' ]]
	[[ $(echo "$output" | grep '^app ') == *' -' ]]
	# Stopped: the ports are not bound, and say so.
	ctl stop web
	[ "$(ctl --json status web | jq -c '.[0].published')" = \
		'[{"publish":"0.0.0.0:8080:8000/tcp","bound":false}]' ]
	[[ $(ctl status web | tail -n 1) == *' -' ]]
	# Without any publish, no PORTS column: the table of before.
	[ "$(ctl status app db | head -n 1 | tr -s ' ')" = \
		"NAME STATE PID UPTIME RESTARTS EXIT" ]
}

@test "network inspect: an unknown, huge, repeated or odd name is one clear error; supd unaffected" {
	three_services
	run --separate-stderr ctl network inspect nope
	[ "$status" -eq 1 ]
	[ "$stderr" = "supctl: no such network: nope" ]
	[ -z "$output" ]
	# Known ones before it: still nothing but the error.
	run --separate-stderr ctl network inspect supd0 nope
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[ "$stderr" = "supctl: no such network: nope" ]
	run ctl --json network inspect nope
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | jq -r .error)" = "no such network: nope" ]
	# A name of 100000 bytes (near the most one argument may be): cut to 100 in the error.
	big=$(head -c 100000 /dev/zero | tr '\0' x)
	run --separate-stderr ctl network inspect "$big"
	[ "$status" -eq 1 ]
	[ "$stderr" = "supctl: no such network: $(head -c 100 /dev/zero | tr '\0' x)" ]
	# A newline and an escape cannot forge a line or reach the terminal.
	run --separate-stderr ctl network inspect $'a\nb\e[2J'
	[ "$status" -eq 1 ]
	[ "$stderr" = 'supctl: no such network: a\012b\033[2J' ]
	# The most names a request holds, all one network: once.
	mapfile -t many < <(yes back | head -n 1023)
	[ "$(ctl network inspect "${many[@]}" | jq length)" = 1 ]
	# Usage errors never reach supd.
	run ctl network inspect
	[ "$status" -eq 2 ]
	[[ $output == *"missing network name"* ]]
	run ctl network ls extra
	[ "$status" -eq 2 ]
	run ctl network
	[ "$status" -eq 2 ]
	run ctl network frob
	[ "$status" -eq 2 ]
	[[ $output == *"unknown command 'network frob'"* ]]
	# supd is unaffected.
	kill -0 "$SUPD_PID"
	[ "$(ctl network ls --json | jq length)" = 2 ]
	[ "$(ctl --json status web | jq -r '.[0].state')" = running ]
}

@test "network ls and inspect are read-only: a socket_group member may run them" {
	groupadd -f supdtest
	# 0666: a non-member reaches supd, whose peer check refuses it.
	sed -i '/^\[supd\]$/a socket_mode = 0666\nsocket_group = supdtest' \
		"$T/supd.conf"
	three_services
	chmod 755 "$T"
	as_member() {
		setpriv --reuid=nobody --regid=nogroup --groups=supdtest \
			"$SUPCTL" -s "$SOCK" "$@"
	}
	run as_member network ls
	[ "$status" -eq 0 ]
	[[ ${lines[1]} == 'supd0 '* ]]
	run as_member network inspect back
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '.[0].name')" = back ]
	# Not a member: refused by supd, like every verb.
	for v in "network ls" "network inspect back"; do
		run setpriv --reuid=nobody --regid=nogroup --clear-groups \
			"$SUPCTL" -s "$SOCK" $v
		echo "# $v: $status $output"
		[ "$status" -eq 1 ]
		[ "$output" = "supctl: permission denied" ]
	done
}

@test "network ls without bridged services: supd0 with no member, no bridge made" {
	svc lone <<'EOF'
[service]
command = sleep 3600
EOF
	start_supd
	wait_state lone running
	[ "$(ctl network ls --json | jq -c '[.[] | [.name, .members, .bridge_exists]]')" = \
		'[["supd0",0,false],["back",0,false]]' ]
	[ "$(ctl network inspect supd0 | jq -c '.[0] | [.members, .created]')" = '[[],false]' ]
	# Nothing was made: looking does not make a network.
	[ -z "$($IN ip -br link show type bridge)" ]
}

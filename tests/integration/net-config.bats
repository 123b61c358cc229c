#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# net-config.bats: networks in the configuration (issue 10, src/config-net.c):
# bad [network NAME] sections and a service's bad network keys are reported
# by supd with FILE:LINE and nothing starts; a subnet on a route of the host
# is refused (checked inside a network namespace of the test's own: the
# route is added there, never on the machine).

load common

bats_require_minimum_version 1.5.0

setup() {
	setup_supd
}

teardown() {
	teardown_supd
}

# supd --check with the config $T/supd.conf plus the lines on stdin, run by
# $NETNS_WRAP if set; sets $rc.
check_net() {
	cat >>"$T/supd.conf"
	rc=0
	timeout 10 ${NETNS_WRAP:-} "$SUPD" --check -c "$T/supd.conf" \
	    >"$T/check.out" 2>"$T/check.err" || rc=$?
	cat "$T/check.err"
}

@test "bad [network] sections: each error with FILE:LINE, supd does not start" {
	check_net <<'EOF'
[network front]
subnet = 10.99.0.1/24
[network back]
subnet = 10.98.0.0/16
bridge = supd-front
[network back]
subnet = 10.97.0.0/16
[network other]
subnet = 10.98.128.0/24
gateway = 10.1.1.1
mtu = 9000
[network Bad!]
[network inner]
subnet = 10.96.0.0/24
internal = yes
nat = yes
EOF
	C=$T/supd.conf
	[ "$rc" -eq 1 ]
	grep -Fx "$C:8: subnet '10.99.0.1/24': host bits are set (not a network address)" "$T/check.err"
	grep -Fx "$C:12: duplicate [network back] (first on line 9)" "$T/check.err"
	grep -Fx "$C:17: unknown key 'mtu' in [network]" "$T/check.err"
	grep -Fx "$C:18: [network Bad!]: invalid network name (a-z, 0-9, '_', '-', starting with a letter or digit; at most 32)" "$T/check.err"
	grep -Fx "$C:14: [network other] gateway 10.1.1.1: not a host address of its subnet" "$T/check.err"
	grep -Fx "$C:14: [network other] subnet overlaps network back's" "$T/check.err"
	grep -Fx "$C:19: [network inner]: internal and nat together (an internal network has no route out)" "$T/check.err"
	grep -Fx "$C:9: [network back] bridge 'supd-front' is network front's too" "$T/check.err"
	# And supd itself refuses to start on it.
	rc=0
	timeout 10 "$SUPD" -c "$T/supd.conf" >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" -ne 0 ]
	[ "$rc" -ne 124 ]
	grep -F "$C:12: duplicate [network back]" "$T/err"
	[ ! -e "$SOCK" ]
}

@test "a subnet on a route of the host is refused; the same without the route passes" {
	# A network namespace of the test's own, with a route on lo.
	printf '%s\n' '#!/bin/sh' 'ip link set lo up' \
	    'ip route add 10.95.7.0/24 dev lo' 'exec "$@"' >"$T/netns.sh"
	chmod +x "$T/netns.sh"
	NETNS_WRAP="unshare --net $T/netns.sh"
	check_net <<'EOF'
[network front]
subnet = 10.95.0.0/16
EOF
	[ "$rc" -eq 1 ]
	grep -Fx "$T/supd.conf:7: [network front] subnet collides with the host's route 10.95.7.0/24 on lo" "$T/check.err"
	NETNS_WRAP="unshare --net"
	check_net </dev/null
	[ "$rc" -eq 0 ]
	grep -F "0 services OK" "$T/check.out"
}

@test "a service's network keys: unknown network, ip outside, combinations, publish on host" {
	cat >>"$T/supd.conf" <<'EOF'
[network front]
subnet = 10.99.0.0/24
EOF
	svc good <<'EOF'
[service]
command = /bin/true
[isolation]
network = bridge
network = front
ip = 10.99.0.20
aliases = www
dns = 192.0.2.53
publish = 127.0.0.1:8080:80
EOF
	svc bad <<'EOF'
[service]
command = /bin/true
[isolation]
network = front
network = nowhere
ip = 10.98.0.2
network = host
publish = 8080:80
publish = 8080:81
EOF
	svc onhost <<'EOF'
[service]
command = /bin/true
[isolation]
publish = 8080:80
EOF
	rc=0
	timeout 10 "$SUPD" --check -c "$T/supd.conf" >"$T/check.out" 2>"$T/check.err" || rc=$?
	cat "$T/check.err"
	[ "$rc" -eq 1 ]
	F=$T/conf.d/bad.ini
	grep -Fx "$F:7: network 'host': host, none and container:NAME cannot be combined with another network" "$T/check.err"
	grep -Fx "$F:9: publish '8080:81': that host address, port and protocol is published twice" "$T/check.err"
	grep -Fx "$F:5: network: unknown network 'nowhere' (no [network nowhere] in $T/supd.conf)" "$T/check.err"
	grep -Fx "$F:6: ip 10.98.0.2: not in the subnet of one of the service's networks" "$T/check.err"
	grep -Fx "$T/conf.d/onhost.ini:4: publish: with network = host the service's ports are the host's (nothing to forward)" "$T/check.err"
	run ! grep -F good.ini "$T/check.err"
}

#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# net-resolv.bats: the /etc/resolv.conf of a service on a bridge network
# (src/hosts.c, hosts_resolv_text; src/service-net.c, names_prepare). The
# host's nameservers on its loopback (systemd-resolved's 127.0.0.53) are
# left out, /run/systemd/resolve/resolv.conf stands in when none remain,
# and a service left with none is warned of once. supd runs in a network
# namespace the test made (as in net.bats) and in a mount namespace of its
# own where the test's files are /etc/resolv.conf and /run (a tmpfs): the
# host's files are never touched. Nothing is looked up: the services' files
# are read with cat.

bats_require_minimum_version 1.5.0

load common
load net-common

setup() {
	setup_supd
	net_ns
	# The host's resolv.conf as supd sees it; rewritten in place (the
	# bind mount pins the inode), never replaced.
	HOSTRC=$T/host-resolv.conf
	: >"$HOSTRC"
	# systemd-resolved's list, if the test writes it before supd starts.
	SDRC=$T/sd-resolv.conf
	cat >"$T/wrap" <<'EOF'
#!/bin/sh
# wrap HOSTRC SDRC CMD...: CMD with HOSTRC bound on /etc/resolv.conf and a
# tmpfs on /run holding SDRC, if it exists, as systemd/resolve/resolv.conf.
exec unshare --mount --propagation private sh -c '
mount --bind "$0" /etc/resolv.conf || exit 1
mount -t tmpfs -o mode=0755 supd-test /run || exit 1
if [ -e "$1" ]; then
	mkdir -p /run/systemd/resolve &&
	    cp "$1" /run/systemd/resolve/resolv.conf || exit 1
fi
shift
exec "$@"' "$@"
EOF
	chmod +x "$T/wrap"
	SUPD_WRAP="nsenter --net=/proc/$NSPID/ns/net $T/wrap $HOSTRC $SDRC"
}

teardown() {
	net_teardown
}

# A sleeping service on supd0, with the lines given.
sleeper() {
	local name=$1
	shift
	{
		printf '[service]\ncommand = sleep 3600\nrestart = no\n'
		printf '[isolation]\nnetwork = bridge\n'
		printf '%s\n' "$@"
	} | svc "$name"
}

# The nameserver, search and options lines of the service's resolv.conf.
resolv() {
	ctl exec "$1" cat /etc/resolv.conf | grep -v '^#'
}

warnings() {
	grep -c "warning supd: $1: network supd0: no nameserver in its resolv.conf" \
	    "$T/supd.err" || true
}

@test "the host's loopback nameservers are left out; the others, search and options kept" {
	cat >"$HOSTRC" <<'EOF'
search example.org
nameserver 127.0.0.53
nameserver 192.0.2.1
nameserver ::1
options ndots:2 edns0
EOF
	sleeper web
	start_supd
	wait_state web running
	[ "$(resolv web)" = "search example.org
nameserver 192.0.2.1
options ndots:2 edns0" ]
	run ctl exec web cat /etc/resolv.conf
	[[ $output == *"# nameserver 127.0.0.53 left out by supd"* ]]
	[ "$(warnings web)" = 0 ]
}

@test "dns is used as given, a loopback address too" {
	printf 'search example.org\nnameserver 192.0.2.1\n' >"$HOSTRC"
	sleeper web 'dns = 192.0.2.53 127.0.0.1'
	start_supd
	wait_state web running
	[ "$(ctl exec web cat /etc/resolv.conf)" = "nameserver 192.0.2.53
nameserver 127.0.0.1" ]
}

@test "only systemd-resolved's stub on the host: its servers from /run/systemd/resolve/resolv.conf" {
	printf 'nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch example.org\n' >"$HOSTRC"
	printf 'nameserver 192.0.2.7\nnameserver 127.0.0.1\nsearch other.org\n' >"$SDRC"
	sleeper web
	start_supd
	wait_state web running
	[ "$(resolv web)" = "options edns0 trust-ad
search example.org
nameserver 192.0.2.7" ]
	[ "$(warnings web)" = 0 ]
}

@test "no nameserver left: the file has none, one warning per change, not per start" {
	printf 'search example.org\nnameserver 127.0.0.53\n' >"$HOSTRC"
	sleeper web
	sleeper db
	start_supd
	wait_state web running
	wait_state db running
	[ "$(resolv web)" = "search example.org" ]
	grep -q "warning supd: web: network supd0: no nameserver in its resolv.conf: /etc/resolv.conf names only the host's loopback (127.0.0.53), out of the service's network namespace's reach, and /run/systemd/resolve/resolv.conf gives none; set dns" "$T/supd.err"
	[ "$(warnings web)" = 1 ]
	[ "$(warnings db)" = 1 ]
	# Restarts, the same host file: no more.
	ctl restart web
	wait_state web running
	ctl restart web
	wait_state web running
	[ "$(warnings web)" = 1 ]
	# Another loopback: a change, said again.
	printf 'search example.org\nnameserver 127.0.0.1\n' >"$HOSTRC"
	ctl restart web
	wait_state web running
	[ "$(warnings web)" = 2 ]
	grep -q "warning supd: web: .*names only the host's loopback (127.0.0.1)" "$T/supd.err"
	# A reachable one: nothing to say; then the stub alone again: said.
	printf 'nameserver 192.0.2.1\n' >"$HOSTRC"
	ctl restart web
	wait_state web running
	[ "$(resolv web)" = "nameserver 192.0.2.1" ]
	printf 'nameserver 127.0.0.53\n' >"$HOSTRC"
	ctl restart web
	wait_state web running
	[ "$(warnings web)" = 3 ]
	[ "$(warnings db)" = 1 ]
}

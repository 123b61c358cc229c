# SPDX-License-Identifier: ISC
# net-common.bash: what the suites of supd's bridge networks share (net,
# net-ctl, net-leases, net-resolv), loaded after common. supd runs inside a
# network namespace the test makes, held by a sleeping process ($NSPID) so
# that what supd leaves there can be looked at after it exits: its bridges,
# veths and nftables table live there, and every packet stays in it or in
# the services' own namespaces.

# The test's namespace; $IN runs a command in it, and supd is started in it
# (SUPD_WRAP, which a suite may change after this).
net_ns() {
	unshare --net sleep 3600 &
	NSPID=$!
	wait_for "the test's namespace" _net_ns_made
	IN="nsenter --net=/proc/$NSPID/ns/net"
	SUPD_WRAP=$IN
}

_net_ns_made() {
	[ "$(readlink /proc/$NSPID/ns/net)" != "$(readlink /proc/self/ns/net)" ]
}

net_teardown() {
	teardown_supd
	[ -z "${NSPID:-}" ] || kill "$NSPID" 2>/dev/null || true
}

# A name /etc/hosts lacks (or lacks for IPv6) goes on to the nameserver,
# which no namespace of the test reaches: a query sent, and a 5 s timeout.
# The test's services ask their own loopback, which refuses at once.
NODNS='dns = 127.0.0.1'

# The address of service $1 on network $2 (supd0), from status --json.
addr() {
	ctl --json status "$1" | jq -r ".[0].networks.${2:-supd0}"
}

#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# net-leases.bats: leases of services that changed while supd was down
# (issue 10, stale_prune in src/service-net.c, lease_exists in
# src/leases.c). A service file removed, or its `network` keys changed,
# between two supds: the next one releases what no service holds any more
# before the first service starts, and keeps what a file that did not
# load may still need. supd runs inside a network namespace the test
# makes, as in net.bats: its bridges, veths and table live there; every
# packet stays in it or in the services' own namespaces.

bats_require_minimum_version 1.5.0

load common
load net-common

setup() {
	setup_supd
	net_ns
	cat >>"$T/supd.conf" <<'EOF'
[network back]
subnet = 10.89.0.0/24
EOF
}

teardown() {
	net_teardown
}

# sleep on the networks given ("bridge" = supd0); names not in /etc/hosts
# are refused at once by the service's own loopback.
sleeper() {
	local name=$1
	shift
	{
		printf '[service]\ncommand = sleep 3600\nrestart = no\n'
		printf '[isolation]\nprivate_tmp = no\ndns = 127.0.0.1\n'
		printf 'network = %s\n' "$@"
	} | svc "$name"
}

leases() {
	cat "$T/state/networks/$1/leases"
}

# Has network $1 no lease for $2?
unleased() {
	refute grep -q "^$2 " "$T/state/networks/$1/leases"
}

# The members of network $1 in `network inspect`, space-separated, sorted.
members() {
	ctl network inspect "$1" | jq -r '.[0].members[].name' | sort |
		tr '\n' ' '
}

resolves_not() {
	refute ctl exec "$1" getent hosts "$2"
}

# supd stopped and started again (the test changes conf.d in between).
restart_supd() {
	stop_supd
	[ "$SUPD_STATUS" -eq 0 ]
	"$@"
	start_supd
}

said() {
	grep -qF "supd: $1" "$T/supd.err"
}

@test "a service removed while supd was down: its leases released at start, the others keep theirs" {
	sleeper a bridge
	sleeper b bridge back
	sleeper c back
	start_supd
	for n in a b c; do wait_state $n running; done
	a0=$(addr a) b0=$(addr b) bb0=$(addr b back) c0=$(addr c back)
	grep -qx "b $b0" "$T/state/networks/supd0/leases"
	grep -qx "b $bb0" "$T/state/networks/back/leases"
	[ -e "$T/state/networks/hosts/b" ]
	# b goes, d comes, while no supd runs.
	restart_supd eval 'rm "$T/conf.d/b.ini"; sleeper d bridge'
	for n in a c d; do wait_state $n running; done
	[ "$(addr a)" = "$a0" ]
	[ "$(addr c back)" = "$c0" ]
	unleased supd0 b
	unleased back b
	said "network supd0: lease of b ($b0) released: no such service"
	said "network back: lease of b ($bb0) released: no such service"
	[ "$(grep -c 'lease of .* released' "$T/supd.err")" = 2 ]
	# Released before any lease of the boot: the new service gets b's
	# address (the lowest free one).
	[ "$(addr d)" = "$b0" ]
	[ "$(leases supd0 | sort)" = "$(printf 'a %s\nd %s' "$a0" "$b0" | sort)" ]
	[ "$(leases back)" = "c $c0" ]
	# Nowhere to be seen: not a member, not a name; its files gone.
	[ "$(members supd0)" = "a d " ]
	[ "$(members back)" = "c " ]
	resolves_not c b
	[ "$(ctl exec a getent hosts d | awk '{ print $1 }')" = "$b0" ]
	[ ! -e "$T/state/networks/hosts/b" ]
	[ ! -e "$T/state/networks/resolv/b" ]
	# A start with nothing stale releases nothing.
	restart_supd true
	for n in a c d; do wait_state $n running; done
	run ! grep -q 'lease of' "$T/supd.err"
	[ "$(addr d)" = "$b0" ]
}

@test "a service moved to another network while supd was down: released on the old, kept on the one it stays on" {
	sleeper mover bridge
	sleeper two bridge back
	sleeper gone bridge
	sleeper stay bridge
	start_supd
	for n in mover two gone stay; do wait_state $n running; done
	m0=$(addr mover) t0=$(addr two) tb0=$(addr two back) g0=$(addr gone)
	s0=$(addr stay)
	# mover: supd0 -> back; two: leaves supd0, stays on back; gone: on
	# no bridge network now.
	restart_supd eval 'sleeper mover back; sleeper two back
		sed -i "s/^network = bridge$/network = none/; /^dns = /d" \
		    "$T/conf.d/gone.ini"'
	for n in mover two gone stay; do wait_state $n running; done
	unleased supd0 mover
	unleased supd0 two
	unleased supd0 gone
	unleased back gone
	said "network supd0: lease of mover ($m0) released: not on this network any more"
	said "network supd0: lease of two ($t0) released: not on this network any more"
	said "network supd0: lease of gone ($g0) released: not on this network any more"
	[ "$(grep -c 'lease of .* released' "$T/supd.err")" = 3 ]
	[ "$(addr stay)" = "$s0" ]
	[ "$(addr two back)" = "$tb0" ]
	[ "$(addr two)" = null ]
	[[ $(addr mover back) == 10.89.0.* ]]
	[ "$(addr mover)" = null ]
	[ "$(leases supd0)" = "stay $s0" ]
	[ "$(members supd0)" = "stay " ]
	[ "$(members back)" = "mover two " ]
	resolves_not stay mover
	resolves_not stay gone
	# On no bridge network: its hosts and resolv.conf files gone too.
	[ ! -e "$T/state/networks/hosts/gone" ]
	[ ! -e "$T/state/networks/resolv/gone" ]
}

@test "a service file that does not load at start keeps its leases; fixed, it gets them back" {
	sleeper broken bridge back
	sleeper cyclic bridge
	sleeper removed bridge
	sleeper ok bridge
	start_supd
	for n in broken cyclic removed ok; do wait_state $n running; done
	k0=$(addr broken) kb0=$(addr broken back) y0=$(addr cyclic)
	r0=$(addr removed)
	# broken: a syntax error; cyclic: parses, but requires a service that
	# does not exist (refused by the dependency check); removed: gone.
	restart_supd eval 'echo "no equals sign" >>"$T/conf.d/broken.ini"
		echo "requires = nosuch" >>"$T/conf.d/cyclic.ini"
		rm "$T/conf.d/removed.ini"
		sleeper late bridge'
	wait_state ok running
	wait_state late running
	run ctl status broken
	[ "$status" -ne 0 ]
	run ctl status cyclic
	[ "$status" -ne 0 ]
	grep -qx "broken $k0" "$T/state/networks/supd0/leases"
	grep -qx "broken $kb0" "$T/state/networks/back/leases"
	grep -qx "cyclic $y0" "$T/state/networks/supd0/leases"
	unleased supd0 removed
	said "network supd0: lease of removed ($r0) released: no such service"
	[ "$(grep -c 'lease of' "$T/supd.err")" = 1 ]
	# The new service took removed's address, not one of theirs.
	[ "$(addr late)" = "$r0" ]
	# Mended and reloaded: the same addresses.
	sed -i '/^no equals sign$/d' "$T/conf.d/broken.ini"
	sed -i '/^requires = nosuch$/d' "$T/conf.d/cyclic.ini"
	ctl reload
	wait_state broken running
	wait_state cyclic running
	[ "$(addr broken)" = "$k0" ]
	[ "$(addr broken back)" = "$kb0" ]
	[ "$(addr cyclic)" = "$y0" ]
}

@test "a network whose leases cannot be looked at, read or written: said, kept; the boot goes on, the next network pruned" {
	cat >>"$T/supd.conf" <<'EOF'
[network side]
subnet = 10.90.0.0/24
[network far]
subnet = 10.91.0.0/24
EOF
	sleeper a far
	sleeper x bridge back side far
	start_supd
	wait_state a running
	wait_state x running
	x0=$(addr x) xb0=$(addr x back) xs0=$(addr x side) xf0=$(addr x far)
	a0=$(addr a far)
	# supd0's directory is a symlink and side's file is one (neither is
	# followed); back's file cannot be rewritten (its temporary name is
	# taken by a directory). far, after them, is fine.
	N=$T/state/networks
	restart_supd eval 'rm "$T/conf.d/x.ini"
		mv "$N/supd0" "$T/supd0-dir"
		ln -s "$T/supd0-dir" "$N/supd0"
		mkdir -p "$N/back/leases.tmp/full"
		mv "$N/side/leases" "$T/side-leases"
		ln -s "$T/side-leases" "$N/side/leases"'
	wait_state a running
	said "network supd0: stale leases kept: $N/supd0: "
	said "network back: lease of x ($xb0) kept: $N/back/leases: "
	grep -F "network side: $N/side/leases: " "$T/supd.err" |
		grep -q 'stale leases kept$'
	said "network far: lease of x ($xf0) released: no such service"
	[ "$(grep -c 'lease of .* released' "$T/supd.err")" = 1 ]
	[ "$(leases far)" = "a $a0" ]
	[ "$(addr a far)" = "$a0" ]
	grep -qx "x $x0" "$T/supd0-dir/leases"
	grep -qx "x $xb0" "$N/back/leases"
	[ "$(cat "$T/side-leases")" = "x $xs0" ]
}

@test "conf_dir unreadable at start: no lease released" {
	sleeper a bridge
	start_supd
	wait_state a running
	a0=$(addr a)
	restart_supd eval 'mv "$T/conf.d" "$T/conf.saved"; touch "$T/conf.d"'
	[ "$(ctl --json status | jq length)" = 0 ]
	said "networks: stale leases kept: $T/conf.d: "
	grep -qx "a $a0" "$T/state/networks/supd0/leases"
	rm "$T/conf.d"
	mv "$T/conf.saved" "$T/conf.d"
	ctl reload
	wait_state a running
	[ "$(addr a)" = "$a0" ]
}

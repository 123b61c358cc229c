#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# net.bats: bridge networks wired into supd (issue 10, src/service-net.c).
# supd runs inside a network namespace the test makes (held by a sleeping
# process, so that what supd leaves there can be looked at after it exits):
# its bridges, veths and nftables table live there, and every packet stays
# in it or in the services' own namespaces. Real clients and servers:
# python3 -m http.server, curl, getent.

bats_require_minimum_version 1.5.0

load common
load net-common

setup() {
	setup_supd
	# The services see $T (served by python3): no private /tmp.
	WWW=$T/www
	mkdir -p "$WWW"
	echo "hello from db" >"$WWW/hello.txt"
	net_ns
}

teardown() {
	net_teardown
}

# A service on the networks given ("bridge" = supd0), python3's http.server
# on port 8000 over $WWW, or sleep.
server() {
	local name=$1
	shift
	{
		printf '[service]\ncommand = python3 -m http.server -d %s 8000\n' "$WWW"
		printf 'restart = no\n[isolation]\nprivate_tmp = no\n%s\n' "$NODNS"
		printf 'network = %s\n' "$@"
	} | svc "$name"
}

sleeper() {
	local name=$1
	shift
	{
		printf '[service]\ncommand = sleep 3600\nrestart = no\n'
		printf '[isolation]\nprivate_tmp = no\n'
		printf '%s\n' "$@"
		case " $* " in
		*' dns = '*) ;;
		*' network=bridge '* | *' network=back '*) echo "$NODNS" ;;
		esac
	} | svc "$name"
}

# A service on supd0 that supd does not start by itself: "later".
later_on_bridge() {
	svc later <<'EOF'
[service]
command = sleep 3600
autostart = no
[isolation]
network = bridge
dns = 127.0.0.1
EOF
}

# Does the running service $1 resolve the name $2 (through /etc/hosts)?
resolves() {
	ctl exec "$1" getent hosts "$2"
}

resolves_not() {
	refute ctl exec "$1" getent hosts "$2"
}

fetch_ok() {
	[ "$(ctl exec "$1" curl -sf --max-time 2 "$2")" = "hello from db" ]
}

links() {
	$IN ip -br link | awk '{ print $1 }' | sed 's/@.*//' | sort | tr '\n' ' '
}

@test "two services on supd0 reach each other by name; a service on another network cannot" {
	cat >>"$T/supd.conf" <<'EOF'
[network back]
subnet = 10.89.0.0/24
EOF
	server db bridge
	echo 'aliases = database' >>"$T/conf.d/db.ini"
	sleeper web network=bridge
	sleeper other network=back
	start_supd
	wait_state db running
	wait_state web running
	wait_state other running
	dbip=$(addr db)
	[[ $dbip == 10.88.0.* ]]
	[[ $(addr other back) == 10.89.0.* ]]
	# The name, an alias, and the HTTP server behind it.
	run resolves web db
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = "$dbip db database" ]
	resolves web database
	wait_for "db's http.server" fetch_ok web http://db:8000/hello.txt
	# From another network: no name, no route through supd's table.
	resolves_not other db
	run ! ctl exec other curl -s --max-time 2 "http://$dbip:8000/hello.txt"
	# Each has its own /etc/resolv.conf (the host's), read-only.
	ctl exec web cat /etc/resolv.conf | grep -q '^nameserver'
	run ! ctl exec web sh -c 'echo x >>/etc/hosts'
	# inspect shows the same address.
	[ "$(ctl inspect db | jq -r .networks.supd0)" = "$dbip" ]
	# eth0 with the address and the default route via the gateway.
	ctl exec web ip route | grep -q '^default via 10.88.0.1 dev eth0 *$'
}

@test "several networks: eth0 and eth1, the default route on the first only; internal has none" {
	cat >>"$T/supd.conf" <<'EOF'
[network back]
subnet = 10.89.0.0/24
internal = yes
EOF
	sleeper two network=bridge network=back
	sleeper inner network=back
	start_supd
	wait_state two running
	wait_state inner running
	run ctl exec two ip -4 -o addr show
	[[ $output == *"eth0    inet $(addr two)/16"* ]]
	[[ $output == *"eth1    inet $(addr two back)/24"* ]]
	[ "$(ctl exec two ip route | grep -c '^default')" = 1 ]
	ctl exec two ip route | grep -q '^default via 10.88.0.1 dev eth0 *$'
	[ -z "$(ctl exec inner ip route show default)" ]
	# Both see each other on back.
	resolves inner two
	resolves two inner
}

@test "leases: stable across restart, reload and a new supd; a fixed ip; released when the file goes" {
	sleeper fixed network=bridge ip=10.88.0.50
	sleeper a network=bridge
	sleeper b network=bridge
	start_supd
	wait_state a running
	wait_state b running
	wait_state fixed running
	[ "$(addr fixed)" = 10.88.0.50 ]
	a1=$(addr a) b1=$(addr b)
	[ "$a1" != "$b1" ]
	ctl restart a
	wait_state a running
	[ "$(addr a)" = "$a1" ]
	# A changed definition restarts it on reload: same address.
	old=$(field a pid)
	sed -i 's/^restart = no$/&\nstop_signal = SIGINT/' "$T/conf.d/a.ini"
	ctl reload
	wait_for "a's new definition" field_isnt a pid "$old"
	wait_state a running
	[ "$(addr a)" = "$a1" ]
	stop_supd
	start_supd
	wait_state a running
	wait_state b running
	[ "$(addr a)" = "$a1" ]
	[ "$(addr b)" = "$b1" ]
	grep -qx "a $a1" "$T/state/networks/supd0/leases"
	# The file removed: the lease and its hosts file go, the lease first
	# (svc_net_forget), so the hosts file is what to wait for.
	rm "$T/conf.d/b.ini"
	ctl reload
	wait_for "b's hosts file removed" test ! -e "$T/state/networks/hosts/b"
	refute grep -q '^b ' "$T/state/networks/supd0/leases"
	wait_for "b gone from a's hosts" resolves_not a b
}

# Does the leases file of network $1 have no line for $2?
unleased() {
	refute grep -q "^$2 " "$T/state/networks/$1/leases"
}

@test "reload: a service leaving a network loses that lease and its name there, keeps its address on the others; a removed file frees all" {
	cat >>"$T/supd.conf" <<'EOF'
[network back]
subnet = 10.89.0.0/24
EOF
	sleeper two network=bridge network=back
	sleeper both network=bridge network=back
	sleeper solo network=bridge
	sleeper front network=bridge
	sleeper rear network=back
	start_supd
	for n in two both solo front rear; do wait_state $n running; done
	a0=$(addr two) b0=$(addr two back) s0=$(addr solo)
	[[ $b0 == 10.89.0.* ]]
	resolves rear two
	resolves front two
	resolves front solo
	grep -qx "two $b0" "$T/state/networks/back/leases"
	# two leaves back, solo leaves every bridge network.
	old=$(field two pid) olds=$(field solo pid)
	sed -i '/^network=back$/d' "$T/conf.d/two.ini"
	sed -i 's/^network=bridge$/network = none/; /^dns = /d' "$T/conf.d/solo.ini"
	ctl reload
	wait_for "two's new definition" field_isnt two pid "$old"
	wait_for "solo's new definition" field_isnt solo pid "$olds"
	wait_state two running
	wait_state solo running
	wait_for "two's lease on back released" unleased back two
	[ "$(addr two)" = "$a0" ]
	grep -qx "two $a0" "$T/state/networks/supd0/leases"
	[ "$(addr two back)" = null ]
	[ -z "$(ctl exec two ip -4 -o addr show dev eth1 2>/dev/null)" ]
	# back's members no longer list it; supd0's still do, at a0.
	wait_for "two gone from rear's hosts" resolves_not rear two
	run ctl exec rear cat /etc/hosts
	[[ $output != *"$b0"* ]]
	[ "$(ctl exec front getent hosts two | awk '{ print $1 }')" = "$a0" ]
	[ "$(ctl exec both getent hosts two | awk '{ print $1 }')" = "$a0" ]
	# solo: no lease, no files of supd's, no name.
	unleased supd0 solo
	[ ! -e "$T/state/networks/hosts/solo" ]
	[ ! -e "$T/state/networks/resolv/solo" ]
	wait_for "solo gone from front's hosts" resolves_not front solo
	run ctl exec front cat /etc/hosts
	[[ $output != *"$s0"* ]]
	# A removed file: its leases on both networks go.
	grep -q '^both ' "$T/state/networks/supd0/leases"
	grep -q '^both ' "$T/state/networks/back/leases"
	rm "$T/conf.d/both.ini"
	ctl reload
	wait_for "both's lease on supd0 released" unleased supd0 both
	# Released network by network, then its files: each waited for.
	wait_for "both's lease on back released" unleased back both
	wait_for "both's hosts file gone" test ! -e "$T/state/networks/hosts/both"
	wait_for "both gone from rear's hosts" resolves_not rear both
	resolves_not front both
}

@test "a service added on reload is seen by a running service without restart" {
	server db bridge
	sleeper web network=bridge
	start_supd
	wait_state web running
	pid=$(field web pid)
	resolves_not web late
	sleeper late network=bridge 'aliases = later'
	ctl reload
	wait_state late running
	wait_for "web resolves late" resolves web late
	resolves web later
	[ "$(field web pid)" = "$pid" ]
	# Its own file lists it too.
	resolves late web
}

@test "shutdown leaves no bridge, veth or nft table; forwarding back as it was" {
	[ "$($IN cat /proc/sys/net/ipv4/ip_forward)" = 0 ]
	server db bridge
	svc web <<'EOF'
[service]
command = sleep 3600
[isolation]
network = bridge
EOF
	start_supd
	wait_state db running
	wait_state web running
	# No dns: the host's resolv.conf (nothing looked up).
	[ "$(ctl exec web cat /etc/resolv.conf)" = "$(cat /etc/resolv.conf)" ]
	[[ $(links) == *supd-supd0* ]]
	[[ $(links) == *sv-* ]]
	$IN nft list table inet supd >/dev/null
	[ "$($IN cat /proc/sys/net/ipv4/ip_forward)" = 1 ]
	stop_supd
	[ "$SUPD_STATUS" -eq 0 ]
	[ "$(links)" = "lo " ]
	[ -z "$($IN nft list tables)" ]
	[ "$($IN cat /proc/sys/net/ipv4/ip_forward)" = 0 ]
}

@test "stale state of a previous supd is cleaned at start" {
	$IN ip link add supd-x type bridge
	$IN ip link add sv-deadbeef type veth peer name sv-deadbeee
	$IN nft add table inet supd
	$IN nft add chain inet supd stale
	sleeper web network=bridge
	start_supd
	wait_state web running
	run links
	[[ $output != *supd-x* ]]
	[[ $output != *sv-deadbee* ]]
	[[ $output == *supd-supd0* ]]
	run ! $IN nft list chain inet supd stale
	$IN nft list set inet supd bridges | grep -q supd-supd0
	grep -q 'links* left by a previous supd' "$T/supd.err"
}

@test "a supd with only host and none services touches no network: no table, no link" {
	# Leftovers a supd with networks would clean stay untouched.
	$IN ip link add supd-x type bridge
	sleeper alone network=none
	sleeper onhost
	start_supd
	wait_state alone running
	wait_state onhost running
	ctl status
	[ "$(links)" = "lo supd-x " ]
	[ -z "$($IN nft list tables)" ]
	[ "$($IN cat /proc/sys/net/ipv4/ip_forward)" = 0 ]
	[ ! -e "$T/state/networks" ]
	stop_supd
	[ "$(links)" = "lo supd-x " ]
	[ -z "$($IN nft list tables)" ]
}

@test "a network is made when its first service starts: leased at start, no bridge before" {
	later_on_bridge
	start_supd
	wait_state later stopped
	grep -q '^later 10\.88\.0\.' "$T/state/networks/supd0/leases"
	[ "$(links)" = "lo " ]
	[ -z "$($IN nft list tables)" ]
	ctl start later
	wait_state later running
	[[ $(links) == *supd-supd0* ]]
	$IN nft list table inet supd >/dev/null
}

@test "libnftables is mapped from the first bridged start, not before (dlopen at first use)" {
	later_on_bridge
	sleeper alone network=none
	start_supd
	wait_state alone running
	wait_state later stopped
	refute supd_maps libnftables.so
	refute supd_maps libnftnl.so
	ctl start later
	wait_state later running
	supd_maps libnftables.so.1
	$IN nft list table inet supd >/dev/null
}

@test "a libnftables that cannot be loaded: bridged services fail with the reason, supd and the rest run" {
	SUPD_WRAP="$IN $(without_libs 'libnftables*')"
	sleeper web network=bridge
	sleeper alone network=none
	start_supd
	wait_state alone running
	wait_for "web's failure" field_is web reason \
	    "nftables: libnftables.so.1: cannot open shared object file: No such file or directory"
	[ "$(state web)" != running ]
	# The previous supd's table could not be looked for: said once.
	[ "$(cat "$T/supd.out" "$T/supd.err" | grep -c "networks: a previous supd's table: nftables: libnftables.so.1: cannot open shared object file")" = 1 ]
	[ -z "$($IN nft list tables)" ]
	kill -0 "$SUPD_PID"
}

@test "a subnet on a host route (supd0 too): its services fail with the reason, supd and the rest run" {
	$IN ip link add h0 type veth peer name h1
	$IN ip addr add 10.88.5.1/24 dev h0
	$IN ip link set h0 up
	$IN ip link set h1 up
	sleeper web network=bridge
	sleeper alone network=none
	start_supd
	wait_state alone running
	wait_for "web's failure" field_is web reason \
	    "network supd0: subnet 10.88.0.0/16 overlaps the host's route 10.88.5.0/24 dev h0"
	[ "$(state web)" != running ]
	run links
	[[ $output != *supd-supd0* ]]
	kill -0 "$SUPD_PID"
}

@test "a rootfs gets the hosts and resolv.conf files in its own /etc" {
	ROOTFS=$(mktemp -d /var/tmp/supd-net-root.XXXXXX)
	"$BATS_TEST_DIRNAME/mkrootfs.sh" "$ROOTFS/r" >&2
	rm -f "$ROOTFS/r/etc/hosts" "$ROOTFS/r/etc/resolv.conf"
	sleeper web network=bridge
	sleeper boxed network=bridge "rootfs = $ROOTFS/r" 'dns = 192.0.2.53'
	sed -i 's,sleep 3600,/bin/sleep 3600,' "$T/conf.d/boxed.ini"
	start_supd
	wait_state boxed running
	wait_state web running
	run ctl exec boxed cat /etc/hosts
	[[ $output == *"$(addr web)	web"* ]]
	[ "$(ctl exec boxed cat /etc/resolv.conf)" = "nameserver 192.0.2.53" ]
	stop_supd
	rm -rf --one-file-system "$ROOTFS"
}

# ---- published ports (src/service-publish.c) --------------------------------
# Clients run in supd's namespace (the test's): its loopback is up for them.

lo_up() {
	$IN ip link set lo up
}

# curl through the published port $1 of supd's namespace.
pub_fetch() {
	[ "$($IN curl -sf --max-time 2 "http://127.0.0.1:$1/hello.txt")" = "hello from db" ]
}

pub_json() {
	ctl inspect "$1" | jq -r ".published[${3:-0}].$2"
}

@test "publish reaches a service on a bridge network and one on network = none; inspect counts" {
	lo_up
	server db bridge
	echo 'publish = 8080:8000' >>"$T/conf.d/db.ini"
	server lonely none
	sed -i "/^$NODNS\$/d" "$T/conf.d/lonely.ini"
	echo 'publish = 127.0.0.1:8081:8000' >>"$T/conf.d/lonely.ini"
	start_supd
	wait_state db running
	wait_state lonely running
	wait_for "db through 8080" pub_fetch 8080
	wait_for "lonely through 8081" pub_fetch 8081
	# lonely's port is bound on 127.0.0.1 only.
	[ -n "$($IN ss -Hltn 'sport = :8081' | grep '127.0.0.1:8081')" ]
	[ -n "$($IN ss -Hltn 'sport = :8080' | grep '0.0.0.0:8080')" ]
	[ "$(pub_json db publish)" = 0.0.0.0:8080:8000/tcp ]
	[ "$(pub_json db bound)" = true ]
	[ "$(pub_json db total)" -ge 1 ]
	[ "$(pub_json db live)" = 0 ]
	[ "$(pub_json db errors)" = 0 ]
	[ "$(pub_json db over_limit)" = 0 ]
	# The target is the service's address on its network (as docker's):
	# a server on its loopback only is not reached; the client is reset,
	# the refusal counted.
	server deaf bridge
	sed -i 's/8000$/--bind 127.0.0.1 8000/' "$T/conf.d/deaf.ini"
	echo 'publish = 8082:8000' >>"$T/conf.d/deaf.ini"
	ctl reload
	wait_state deaf running
	wait_for "deaf's server on its loopback" ctl exec deaf curl -sf http://127.0.0.1:8000/hello.txt
	run $IN curl -s --max-time 2 http://127.0.0.1:8082/
	[ "$status" -ne 0 ]
	[ "$status" -ne 28 ]
	wait_for "deaf's refusal counted" test "$(pub_json deaf refused)" -ge 1
}

# Holds a connection to 127.0.0.1:$1 open (a request begun, never ended)
# and says how it ended: reset, eof+reset, eof or timeout. A service that
# dies closes its end, which passes on as it came (a FIN when it had read
# everything); then supd resets what is left when it reaps the process: the
# client, sending nothing, sees the RST arrive as an error on its socket
# (EPIPE once it has read the FIN, ECONNRESET before).
held_client() {
	$IN python3 -c '
import errno, select, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=2)
s.sendall(b"GET /hello.txt HTTP/1.0\r\n")
open(sys.argv[2], "w").close()
s.settimeout(20)
try:
    if s.recv(100) != b"":
        sys.exit(print("data"))
except ConnectionResetError:
    sys.exit(print("reset"))
except socket.timeout:
    sys.exit(print("timeout"))
p = select.poll()
p.register(s, select.POLLERR | select.POLLHUP)
p.poll(5000)
err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
print("eof+reset" if err in (errno.EPIPE, errno.ECONNRESET) else "eof")
' "$1" "$2"
}

@test "publish across a restart: a connected client is reset, refused at once while stopped, served again" {
	lo_up
	server db bridge
	echo 'publish = 8080:8000' >>"$T/conf.d/db.ini"
	start_supd
	wait_state db running
	wait_for "db through 8080" pub_fetch 8080
	held_client 8080 "$T/held" >"$T/held.out" &
	hpid=$!
	wait_for "the client connected" test -e "$T/held"
	wait_for "its connection relayed" test "$(pub_json db live)" = 1
	ctl stop db
	wait_state db stopped
	wait "$hpid"
	run cat "$T/held.out"
	[[ $output == reset || $output == eof+reset ]]
	[ "$(pub_json db bound)" = false ]
	# Refused by the kernel, at once: curl's 7, well under its 5 s.
	t0=$(mono_ms)
	run $IN curl -s --max-time 5 http://127.0.0.1:8080/hello.txt
	[ "$status" -eq 7 ]
	[ $(($(mono_ms) - t0)) -lt 2000 ]
	[ -z "$($IN ss -Hltn 'sport = :8080')" ]
	ctl start db
	wait_state db running
	wait_for "db through 8080 again" pub_fetch 8080
}

@test "publish: a port already taken fails only that service, with the reason" {
	lo_up
	server db bridge
	echo 'publish = 8080:8000' >>"$T/conf.d/db.ini"
	server twin none
	sed -i "/^$NODNS\$/d" "$T/conf.d/twin.ini"
	echo 'publish = 8080:8000' >>"$T/conf.d/twin.ini"
	sed -i 's/^command = .*/&\nautostart = no/' "$T/conf.d/twin.ini"
	start_supd
	wait_state db running
	wait_for "db through 8080" pub_fetch 8080
	run ctl start twin
	wait_for "twin's failure" field_is twin reason \
	    "publish 0.0.0.0:8080/tcp: Address already in use"
	[ "$(state twin)" != running ]
	[ "$(field twin pid)" = 0 ]
	grep -q 'twin: cannot start: publish 0.0.0.0:8080/tcp: Address already in use' "$T/supd.err"
	# db and supd unharmed.
	[ "$(state db)" = running ]
	pub_fetch 8080
	kill -0 "$SUPD_PID"
}

@test "publish on a container:NAME sharer reaches the shared namespace's loopback" {
	lo_up
	server db none
	sed -i "/^$NODNS\$/d" "$T/conf.d/db.ini"
	sleeper share network=container:db 'publish = 8083:8000'
	sed -i 's/^restart = no$/&\nafter = db/' "$T/conf.d/share.ini"
	start_supd
	wait_state db running
	wait_state share running
	wait_for "db through share's 8083" pub_fetch 8083
}

# One datagram through the published udp port $1: its echo back?
udp_echo() {
	[ "$($IN python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
s.sendto(b"ping 42", ("127.0.0.1", int(sys.argv[1])))
print(s.recv(100).decode())
' "$1")" = "ping 42" ]
}

@test "publish udp: a datagram echoed through the published port" {
	lo_up
	cat >"$T/echo.py" <<'PY'
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("0.0.0.0", 9000))
while True:
    d, a = s.recvfrom(2048)
    s.sendto(d, a)
PY
	sleeper echo network=bridge 'publish = 9001:9000/udp'
	sed -i "s,^command = .*,command = python3 $T/echo.py," "$T/conf.d/echo.ini"
	start_supd
	wait_state echo running
	wait_for "an echo through 9001/udp" udp_echo 9001
	[ "$(pub_json echo live)" = 1 ]
}

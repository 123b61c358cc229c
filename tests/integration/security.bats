#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# security.bats: the findings of the security review ("Make isolation a
# boundary"), each as an attack tried against the real supd: a request that
# crashed it, a confined service reaching supd's socket, state or another
# service, a file that lies about what it is. Each test failed on the code
# before its fix.

bats_require_minimum_version 1.5.0
load common

setup() {
	setup_supd
}

teardown() {
	local rc=0
	[ -n "${BATS_TEST_COMPLETED:-}" ] || dump_supd
	teardown_supd || rc=1
	# What a failed test may have left outside $T.
	[ -z "${N1:-}" ] || pkill -KILL -f "^sleep ($N1|$((N1 + 1)))\$" || true
	[ -z "${V:-}" ] || { pkill -KILL -f "$V" || true; rm -rf --one-file-system "$V"; }
	return $rc
}

supd_alive() {
	local st
	st=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$SUPD_PID/status" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

states() {
	ctl --json status | jq -r '[.[].state] | unique | join(",")'
}

# ---- 1. names repeated -------------------------------------------------------

@test "1: every name-taking verb with 'all' and names repeated acts once per service; supd lives" {
	local n
	for n in a b c; do
		svc $n <<EOF
[service]
command = sleep 1000
[isolation]
namespaces = none
EOF
	done
	start_supd
	wait_state a running
	wait_state c running

	run ctl --json status all all all
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.[].name]' <<<"$output")" = '["a","b","c"]' ]
	run ctl --json status c all a c all b b
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.[].name]' <<<"$output")" = '["c","a","b"]' ]
	# A long list of repeats: still one row each, in first-named order.
	run ctl --json status $(for i in $(seq 300); do echo b all; done)
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.[].name]' <<<"$output")" = '["b","a","c"]' ]
	supd_alive

	run ctl stop all all all a a
	[ "$status" -eq 0 ]
	[ "$(states)" = stopped ]
	run ctl start all b all b all
	[ "$status" -eq 0 ]
	[ "$(states)" = running ]
	run ctl restart all all c c all
	[ "$status" -eq 0 ]
	[ "$(states)" = running ]
	run ctl stop --no-wait a a all all
	[ "$status" -eq 0 ]
	wait_state b stopped
	# An unknown name among repeats is refused and changes nothing.
	run ctl start all nosuch all
	[ "$status" -eq 1 ]
	[[ "$output" == *"no such service: nosuch"* ]]
	[ "$(state a)" = stopped ]
	supd_alive
}

# ---- 2. a confined service reaches nothing of supd ----------------------------

# attacker NAME EXTRA: a root service with no capabilities, read-only, no
# rootfs (the host's tree in its own namespaces) and the host's /tmp (where
# $T is), that runs $V/attack.sh.
attacker() {
	svc "$1" <<EOF
[service]
command = /bin/sh $V/attack.sh
restart = no
[isolation]
capabilities = none
read_only = yes
private_tmp = no
$2
EOF
}

@test "2: a confined root service sees no control socket, no notify socket, no state; exposed, the socket refuses it" {
	# Its script lives outside $T, which holds supd's directories.
	V=$(mktemp -d /var/tmp/supd-sec.XXXXXX)
	chmod 755 "$V"
	cat >"$V/attack.sh" <<EOF
echo "run: \$(ls -A $T/run 2>&1 | tr '\n' ' ')"
echo "state: \$(ls -A $T/state 2>&1 | tr '\n' ' ')"
test -S $SOCK && echo "socket: visible" || echo "socket: hidden"
test -e $T/run/notify/waiter && echo "notify: visible" || echo "notify: hidden"
$SUPCTL -s $SOCK status >/dev/null 2>&1; echo "status direct: \$?"
$SUPCTL -s /mnt/supd.sock status >/dev/null 2>&1; echo "status via volume: \$?"
$SUPCTL -s /mnt/supd.sock exec victim id -u 2>&1; echo "exec via volume: \$?"
$SUPCTL -s /mnt/supd.sock shutdown 2>&1; echo "shutdown via volume: \$?"
echo done
EOF
	svc victim <<EOF
[service]
command = sleep 1000
EOF
	svc waiter <<EOF
[service]
command = sleep 1000
ready = notify
EOF
	mkdir -p "$T/state/stopped"
	echo secret >"$T/state/stopped/marker"
	attacker spy
	attacker spy2 "volume = $T/run:/mnt"
	start_supd
	wait_for "spy done" grep -q '^done' "$T/log/spy.log"
	wait_for "spy2 done" grep -q '^done' "$T/log/spy2.log"
	cat "$T/log/spy.log" "$T/log/spy2.log"
	grep -qx 'run: ' "$T/log/spy.log"
	grep -qx 'state: ' "$T/log/spy.log"
	grep -qx 'socket: hidden' "$T/log/spy.log"
	grep -qx 'notify: hidden' "$T/log/spy.log"
	grep -qx 'status direct: 3' "$T/log/spy.log"
	# The socket bound in on purpose: the peer check refuses the service.
	grep -qx 'status via volume: 1' "$T/log/spy2.log"
	grep -q 'permission denied' "$T/log/spy2.log"
	grep -qx 'exec via volume: 1' "$T/log/spy2.log"
	grep -qx 'shutdown via volume: 1' "$T/log/spy2.log"
	run grep -cx '0' "$T/log/spy2.log"
	[ "$output" = 0 ]
	grep -q "a process inside a service" "$T/supd.err"
	# supd and the victim are untouched.
	supd_alive
	[ "$(state victim)" = running ]
	ctl status >/dev/null
}

# ---- 3. socket_group may look, not act -----------------------------------------

@test "3: socket_group members may status, inspect and logs; every changing or entering verb is refused" {
	groupadd -f supdtest
	cat >>"$T/supd.conf" <<EOF
socket_mode = 0660
socket_group = supdtest
EOF
	svc web <<EOF
[service]
command = sleep 1000
tty = yes
EOF
	start_supd
	wait_state web running
	chmod 755 "$T"
	local pid0 v
	pid0=$(field web pid)
	member() {
		setpriv --reuid=nobody --regid=nogroup --groups=supdtest \
			"$SUPCTL" -s "$SOCK" "$@"
	}
	run member status
	[ "$status" -eq 0 ]
	run member inspect web
	[ "$status" -eq 0 ]
	run member logs web
	[ "$status" -eq 0 ]
	for v in "stop web" "start web" "restart web" "signal web KILL" reload \
		"exec web true" "attach web" shutdown; do
		run --separate-stderr member $v </dev/null
		echo "# $v: $status $stderr"
		[ "$status" -eq 1 ]
		[[ "$stderr" == *"permission denied: ${v%% *} needs root or supd's user"* ]]
	done
	[ "$(field web pid)" = "$pid0" ]
	[ "$(state web)" = running ]
	supd_alive
}

# ---- 4. state_dir is private ---------------------------------------------------

@test "4: state_dir is 0700 (an older 0755 one is tightened): a setuid file in a named volume is out of host users' reach" {
	chmod 0755 "$T" "$T/state"
	svc maker <<EOF
[service]
command = sh -c 'cp /bin/true /mnt/suid && chmod 4755 /mnt/suid && echo made'
restart = no
[isolation]
volume = data:/mnt
EOF
	start_supd
	wait_for "the setuid file" grep -qx made "$T/log/maker.log"
	[ -u "$T/state/volumes/data/suid" ]
	[ "$(stat -c %a "$T/state")" = 700 ]
	grep -q "state: made private (mode 0700)" "$T/supd.err"
	run setpriv --reuid=nobody --regid=nogroup --clear-groups \
		sh -c "$T/state/volumes/data/suid; echo rc=\$?"
	echo "# nobody runs it: $output"
	[[ "$output" == *"Permission denied"*"rc=126" ]]
	run setpriv --reuid=nobody --regid=nogroup --clear-groups \
		ls "$T/state"
	[ "$status" -ne 0 ]
}

# ---- 6. host-tree destinations through symlinks --------------------------------

@test "6: a volume or tmpfs destination swapped for a symlink between starts is refused, never followed" {
	V=$(mktemp -d /var/tmp/supd-sec.XXXXXX)
	mkdir -p "$V/src" "$V/w/mnt" "$V/w/tmp" "$V/victim"
	echo from-volume >"$V/src/file"
	echo precious >"$V/victim/file"
	svc a <<EOF
[service]
command = sh -c 'cat $V/victim/file; echo ran; exec sleep 1000'
restart = no
[isolation]
volume = $V/src:$V/w/mnt
EOF
	svc b <<EOF
[service]
command = sh -c 'ls -A $V/victim; echo ran; exec sleep 1000'
restart = no
[isolation]
tmpfs = $V/w/tmp
EOF
	start_supd
	wait_state a running
	wait_state b running
	ctl stop a b
	# Between starts, something that may write $V/w swaps in links.
	rmdir "$V/w/mnt" "$V/w/tmp"
	ln -s "$V/victim" "$V/w/mnt"
	ln -s "$V/victim" "$V/w/tmp"
	: >"$T/log/a.log"
	: >"$T/log/b.log"
	run ctl start a
	[ "$status" -eq 1 ]
	run ctl start b
	[ "$status" -eq 1 ]
	field a reason | grep -q "volume $V/w/mnt: Too many levels of symbolic links"
	field b reason | grep -q "tmpfs $V/w/tmp: Too many levels of symbolic links"
	run grep -c ran "$T/log/a.log"
	[ "$output" = 0 ]
	run grep -c ran "$T/log/b.log"
	[ "$output" = 0 ]
	[ "$(cat "$V/victim/file")" = precious ]
}

# ---- 7. notify sockets ----------------------------------------------------------

# send_notify PATH TEXT [NFDS]: one datagram from this (host) process, with
# NFDS file descriptors attached.
send_notify() {
	python3 - "$@" <<'PY'
import os, socket, sys
path, text = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 0
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
fds = [os.open("/dev/null", os.O_RDONLY) for _ in range(n)]
anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, bytes().join(f.to_bytes(4, "little") for f in fds))] if n else []
s.sendmsg([text.encode()], anc, 0, path)
PY
}

@test "7: notify sockets are private: 0600 for the service's user, 0711 directory, senders outside the service and their fds dropped" {
	svc n <<EOF
[service]
command = sh -c 'while [ ! -e $T/go ]; do sleep 0.05; done; systemd-notify --ready --status=inside; exec sleep 1000'
ready = notify
user = nobody
[isolation]
private_tmp = no
EOF
	chmod 755 "$T"
	start_supd
	wait_for "n started" field_isnt n pid 0
	local sock=$T/run/notify/n nfd0 i
	[ "$(stat -c '%a %U' "$sock")" = "600 nobody" ]
	[ "$(stat -c '%a' "$T/run/notify")" = 711 ]
	# Root on the host is not the service: its word does not count.
	send_notify "$sock" "READY=1
STATUS=forged"
	wait_for "the refusal logged" grep -q "n: notify: datagram from pid .* (not in the service) dropped" "$T/supd.err"
	[ "$(state n)" = starting ]
	[ "$(field n reason)" = "waiting for readiness" ]
	# Fds sent along are closed at once; a burst leaves supd responsive.
	nfd0=$(ls /proc/$SUPD_PID/fd | wc -l)
	for i in $(seq 20); do send_notify "$sock" "STATUS=x" 8; done
	[ "$(ls /proc/$SUPD_PID/fd | wc -l)" -le "$nfd0" ]
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setblocking(False)
for i in range(20000):
    try: s.sendto(b"READY=1", sys.argv[1])
    except BlockingIOError: pass
' "$sock" &
	local flood=$!
	ctl status >/dev/null
	wait "$flood"
	[ "$(state n)" = starting ]
	# The service itself is heard.
	: >"$T/go"
	wait_state n running
	wait_for "its status" field_is n reason inside
}

@test "7: a notify directory that is not supd's own is refused" {
	svc n <<EOF
[service]
command = sleep 1000
ready = notify
restart = no
EOF
	mkdir -p "$T/run/notify"
	chown nobody "$T/run/notify"
	start_supd
	wait_state n failed
	field n reason | grep -q "notify socket"
	grep -q "notify/: not owned by supd's user\|notify: not owned by supd's user" "$T/supd.err"
}

# ---- 8. exec and health checks join the service through its init --------------

@test "8: exec and health checks join the service's namespaces (its init's), not those its command moved to" {
	# The command moves itself into a mount namespace of its own making,
	# where a tmpfs on /mnt holds a file: what the service is, is what
	# its init's namespaces are, not wherever its command went.
	svc s <<EOF
[service]
command = unshare --mount --propagation private sh -c 'mount -t tmpfs moved /mnt && touch /mnt/moved && exec sleep 1000'
[health]
cmd = sh -c 'test ! -e /mnt/moved'
interval = 200ms
timeout = 5s
retries = 1
EOF
	start_supd
	wait_state s running
	local pid
	pid=$(field s pid)
	[ -e "/proc/$pid/root/mnt/moved" ]
	run ctl exec s sh -c 'test -e /mnt/moved && echo moved || echo service'
	echo "# exec sees: $output"
	[ "$output" = service ]
	wait_for "healthy" field_is s health healthy
}

# ---- 9. timed-out health checks -------------------------------------------------

# The most check processes seen at once, kept in $T/max.
_checks_counted() {
	local n
	n=$(pgrep -f "^sleep $N1\$" | wc -l)
	[ "$n" -le "$(cat "$T/max" 2>/dev/null || echo 0)" ] || echo "$n" >"$T/max"
	[ "$(ctl inspect s | jq .health_checks.timeouts)" -ge 3 ] &&
		[ "$(ctl inspect s | jq .health_checks.running)" = false ]
}

@test "9: a health check that ignores SIGTERM is killed after its timeout; checks never overlap; inspect counts them" {
	N1=$((100000 + RANDOM))
	svc s <<EOF
[service]
command = sleep 1000
[health]
cmd = sh -c 'trap "" TERM; exec sleep $N1'
interval = 100ms
timeout = 200ms
retries = 100
EOF
	start_supd
	wait_state s running
	WAIT_SECS=40 wait_for "3 timed-out checks, each gone" _checks_counted
	echo "# most check processes at once: $(cat "$T/max")"
	[ "$(cat "$T/max")" -le 1 ]
	run ctl inspect s
	echo "$output" | jq -c .health_checks
	[ "$(jq .health_checks.runs <<<"$output")" -ge 3 ]
	[ "$(jq .health_checks.timeouts <<<"$output")" -ge 3 ]
	# Every timed-out check is gone, none left behind.
	wait_for "no check process left" _no_check
}

_no_check() {
	[ "$(ctl inspect s | jq .health_checks.running)" = true ] ||
		[ "$(pgrep -f "^sleep $N1\$" | wc -l)" -le 1 ]
}

# ---- 10. exec relays through pipes ----------------------------------------------

@test "10: exec without -t gives the command pipes, never the caller's files; data and exit codes pass" {
	svc s <<EOF
[service]
command = sleep 1000
EOF
	start_supd
	wait_state s running
	echo input >"$T/in"
	ctl exec s sh -c 'readlink /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2' \
		<"$T/in" >"$T/out" 2>"$T/err"
	cat "$T/out"
	[ "$(grep -c '^pipe:' "$T/out")" = 3 ]
	run grep -c "$T" "$T/out"
	[ "$output" = 0 ]
	# Data both ways, stdout and stderr apart, the exit code.
	head -c 3000000 /dev/urandom >"$T/blob"
	ctl exec s sh -c 'cat; echo to-stderr >&2' <"$T/blob" >"$T/copy" 2>"$T/err"
	cmp "$T/blob" "$T/copy"
	[ "$(cat "$T/err")" = to-stderr ]
	run ctl exec s sh -c 'exit 7'
	[ "$status" -eq 7 ]
	# A client that passes a file anyway is refused.
	run python3 - "$SOCK" "$T/in" <<'PY'
import os, socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
body = b"0\0s\0true\0"
hdr = struct.pack("<IHHI", 0x44505553, 1, 10, len(body))
f = os.open(sys.argv[2], os.O_RDONLY)
s.sendmsg([hdr + body], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack("iii", f, f, f))])
print(s.recv(4096))
PY
	echo "# raw client: $output"
	[[ "$output" == *"must be pipes or sockets"* ]]
}

# ---- 12. supd killed -------------------------------------------------------------

_port_serves() {
	curl -fsS --max-time 2 "http://127.0.0.1:$PORT/mark" | grep -qx "$1"
}

# The plain service's children, by their unique arguments.
_sleeps_are() {
	[ "$(pgrep -f "^sleep ($N1|$((N1 + 1)))\$" | wc -l)" = "$1" ]
}

_old_gone() {
	local p
	for p in $OLD; do
		[ ! -e "/proc/$p" ] || return 1
	done
}

@test "12: after kill -9 of supd, a new supd ends everything the old one left and serves the port" {
	V=$(mktemp -d /var/tmp/supd-sec.XXXXXX)
	chmod 755 "$V"
	echo one >"$V/mark"
	PORT=$((20000 + RANDOM % 10000))
	N1=$((100000 + RANDOM))
	svc web <<EOF
[service]
command = python3 -m http.server $PORT --bind 127.0.0.1 --directory $V
EOF
	svc plain <<EOF
[service]
command = sh -c 'sleep $N1 & sleep $((N1 + 1)) & wait'
[isolation]
namespaces = none
EOF
	start_supd
	wait_state web running
	wait_state plain running
	wait_for "web serves" _port_serves one
	wait_for "plain's two children" _sleeps_are 2
	OLD="$(field web pid) $(field plain pid) $(pgrep -f "^sleep ($N1|$((N1 + 1)))\$" | tr '\n' ' ')"
	echo "# old processes: $OLD"
	kill -KILL "$SUPD_PID"
	wait "$SUPD_PID" || true
	SUPD_PID=
	mv "$T/supd.err" "$T/supd.err.old"
	start_supd
	wait_for "every old process gone" _old_gone
	wait_for "the new web serves" _port_serves one
	_port_serves one
	wait_for "the new plain's two children" _sleeps_are 2
	grep -q "left by a previous supd" "$T/supd.err"
}

# ---- 11. smaller ones ------------------------------------------------------------

@test "11: env_file must be a regular file of at most 1 MiB, not a symlink; a FIFO cannot hang supd" {
	V=$(mktemp -d /var/tmp/supd-sec.XXXXXX)
	echo A=1 >"$V/real.env"
	ln -s "$V/real.env" "$V/link.env"
	mkfifo "$V/fifo.env"
	head -c $((1024 * 1024 + 1)) /dev/zero | tr '\0' '#' >"$V/big.env"
	local f
	for f in link fifo big; do
		svc "s$f" <<EOF
[service]
command = true
env_file = $V/$f.env
EOF
	done
	run timeout 10 "$SUPD" -c "$T/supd.conf" --check
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"slink.ini:3: env_file: $V/link.env: Too many levels of symbolic links"* ]]
	[[ "$output" == *"sfifo.ini:3: env_file: $V/fifo.env: not a regular file"* ]]
	[[ "$output" == *"sbig.ini:3: env_file: $V/big.env: larger than 1 MiB"* ]]
}

@test "11: a log directory a service can write cannot redirect its log: supd keeps writing where it opened it" {
	V=$(mktemp -d /var/tmp/supd-sec.XXXXXX)
	mkdir -p "$V/data/logs" "$V/victim"
	chmod 755 "$V"
	# The service swaps its log directory for a link to elsewhere.
	cat >"$V/w.sh" <<EOF
echo before
while [ ! -e /mnt/go ]; do sleep 0.05; done
mv /mnt/logs /mnt/logs.old
ln -s $V/victim /mnt/logs
touch /mnt/swapped
while [ ! -e /mnt/go2 ]; do sleep 0.05; done
sleep 1.2
seq 1 3000
echo after
exec sleep 1000
EOF
	svc w <<EOF
[service]
command = sh $V/w.sh
[isolation]
volume = $V/data:/mnt
[log]
file = $V/data/logs/w.log
max_size = 2K
max_files = 50
EOF
	start_supd
	wait_for "first line" grep -qx before "$V/data/logs/w.log"
	: >"$V/data/go"
	wait_for "the swap" test -e "$V/data/swapped"
	: >"$V/data/go2"
	wait_for "the last line, where supd opened the log" \
		grep -qx after "$V/data/logs.old/w.log"
	ls -la "$V/victim" "$V/data/logs.old" | head -20
	[ -z "$(ls -A "$V/victim")" ]
}

# raw_client SOCKET TYPE "ARG..." NFDS: one request (strv payload) with NFDS
# copies of /dev/null attached; prints supd's reply bytes.
raw_client() {
	python3 - "$@" <<'PY'
import os, socket, struct, sys
path, typ, args, nfd = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
body = b"".join(a.encode() + b"\0" for a in args.split()) if args else b""
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
fds = [os.open("/dev/null", os.O_RDONLY) for _ in range(nfd)]
anc = [(socket.SOL_SOCKET, socket.SCM_RIGHTS, struct.pack("%di" % nfd, *fds))] if nfd else []
s.sendmsg([struct.pack("<IHHI", 0x44505553, 1, typ, len(body)) + body], anc)
out = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    out += b
print(out)
PY
}

_nfds_le() {
	[ "$(ls "/proc/$SUPD_PID/fd" | wc -l)" -le "$1" ]
}

@test "11: fds are taken only with exec; any other request passing them is refused and keeps none" {
	svc s <<EOF
[service]
command = sleep 1000
EOF
	start_supd
	wait_state s running
	local base
	ctl status >/dev/null
	base=$(ls "/proc/$SUPD_PID/fd" | wc -l)
	run raw_client "$SOCK" 1 "" 3
	echo "$output"
	[[ "$output" == *"file descriptors are only passed with exec"* ]]
	run raw_client "$SOCK" 7 "s" 3
	[[ "$output" == *"file descriptors are only passed with exec"* ]]
	wait_for --show 'ls "/proc/$SUPD_PID/fd" | wc -l' \
		"supd's fds back to $base" _nfds_le "$base"
}

@test "11: an attached client that stalls inside a frame is dropped; log followers are bounded, the oldest evicted" {
	svc t <<EOF
[service]
command = sh -c 'while :; do sleep 1; done'
tty = yes
EOF
	start_supd
	wait_state t running
	# ATTACH, then 5 bytes of an INPUT header, then nothing.
	run timeout 20 python3 - "$SOCK" <<'PY'
import socket, struct, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sys.argv[1])
s.sendall(struct.pack("<IHHI", 0x44505553, 1, 11, 2) + b"t\0")
time.sleep(0.5)
s.sendall(struct.pack("<IHHI", 0x44505553, 1, 50, 100)[:5])
t0 = time.time()
s.settimeout(15)
while True:
    b = s.recv(65536)
    if not b:
        break
print("dropped after %.1f s" % (time.time() - t0))
PY
	echo "$output"
	[[ "$output" == *"dropped after"* ]]
	# 70 followers: the first ones make room for the last.
	local i pids=()
	for i in $(seq 70); do
		"$SUPCTL" -s "$SOCK" logs -f -n 0 t >/dev/null 2>&1 3>&- &
		pids+=($!)
	done
	wait_for "the log saying it" grep -q "dropped the oldest" "$T/supd.err"
	wait_for "at most 64 followers left" _alive_at_most 64 "${pids[@]}"
	# ... and the others still follow.
	run _alive_at_most 59 "${pids[@]}"
	[ "$status" -eq 1 ]
	kill "${pids[@]}" 2>/dev/null || true
	grep -q "too many log followers and attached clients, dropped the oldest" "$T/supd.err"
}

# _alive_at_most N PID...: at most N of the processes still run.
_alive_at_most() {
	local n=$1 p alive=0
	shift
	for p in "$@"; do
		if kill -0 "$p" 2>/dev/null; then
			alive=$((alive + 1))
		fi
	done
	[ "$alive" -le "$n" ]
}

@test "11: the stopped marker of unless-stopped is made whole, replacing (never following) a symlink planted there" {
	V=$(mktemp -d /var/tmp/supd-sec.XXXXXX)
	svc u <<EOF
[service]
command = sleep 1000
restart = unless-stopped
EOF
	mkdir -p "$T/state/stopped"
	ln -s "$V/target" "$T/state/stopped/u"
	start_supd
	wait_state u running
	ctl stop u
	[ -f "$T/state/stopped/u" ]
	[ ! -L "$T/state/stopped/u" ]
	[ ! -e "$V/target" ]
	run ls -A "$T/state/stopped"
	[ "$output" = u ]
}

@test "the init of a service and of exec keeps no capability but CAP_KILL: a command that may ptrace its PID 1 gains nothing" {
	svc p <<EOF
[service]
command = sleep 1000
[isolation]
capabilities = CAP_SYS_PTRACE
EOF
	start_supd
	wait_state p running
	run ctl exec p sh -c 'grep -E "^Cap(Eff|Prm|Bnd)" /proc/1/status'
	echo "$output"
	[ "$(grep -c '0000000000000020$' <<<"$output")" = 3 ]
}

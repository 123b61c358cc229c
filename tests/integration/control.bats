#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# control.bats: the control socket under load and abuse (docs/reliability.md
# section C, rows b#1-b#4, b#26) and supctl's exit codes and --json output
# (docs/design.md "supctl commands").
#
# Raw protocol bytes come from tests/helpers/cs_client.c (see its header for
# the ops it understands); it prints one summary line
#   connected=N end_ok=N end_error=N eof=N reset=N timeout=N send_err=N eof_max_ms=N

bats_require_minimum_version 1.5.0
load common

CS=$HELPERS/cs_client
FAKE=$HELPERS/cs_fakesupd
MAGIC=0x44505553
MAXPAY=$((256 * 1024))	# PROTO_MAX_PAYLOAD
# Request types (proto.h).
T_STATUS=1
T_LOGS=6

setup_file() {
	local top
	top=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	if [ ! -x "$CS" ] || [ "$top/tests/helpers/cs_client.c" -nt "$CS" ]; then
		make -s -C "$top" B="$B" "$B/helpers/cs_client" >&2
	fi
	if [ ! -x "$FAKE" ] || [ "$top/tests/helpers/cs_fakesupd.c" -nt "$FAKE" ]; then
		make -s -C "$top" B="$B" "$B/helpers/cs_fakesupd" >&2
	fi
}

setup() {
	setup_supd
}

teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] || dump_supd
	teardown_supd
}

# ---- helpers -----------------------------------------------------------------

cs() {
	"$CS" "$@"
}

# supd's process exists and is not a zombie.
supd_alive() {
	local st
	st=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$SUPD_PID/status" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

nfds() {
	ls "/proc/$SUPD_PID/fd" | wc -l
}

rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$SUPD_PID/status"
}

vm_peak_kb() {
	awk '/^VmPeak:/ { print $2 }' "/proc/$SUPD_PID/status"
}

# utime + stime of supd, in clock ticks.
cpu_ticks() {
	# Field 2 (comm) is "(supd)": no spaces, so plain field numbers work.
	awk '{ print $14 + $15 }' "/proc/$SUPD_PID/stat"
}

_fds_are() {
	[ "$(nfds)" -eq "$1" ]
}

_fds_at_least() {
	[ "$(nfds)" -ge "$1" ]
}

# Parse cs_client's summary line (the last line of FILE, or of $output)
# into variables S_connected, S_end_ok, S_end_error, S_eof, S_reset,
# S_timeout, S_send_err, S_eof_max_ms.
summary() {
	local line kvp
	S_connected= S_end_ok= S_end_error= S_eof= S_reset= S_timeout=
	S_send_err= S_eof_max_ms=
	if [ -n "${1:-}" ]; then
		line=$(tail -n 1 "$1")
	else
		line=${output##*$'\n'}
	fi
	for kvp in $line; do
		[[ $kvp == *=* ]] && printf -v "S_${kvp%%=*}" '%s' "${kvp#*=}"
	done
	[ -n "$S_connected" ] || { echo "no cs_client summary in: $line"; return 1; }
}

_status_ok() {
	ctl status
}

# supd is alive and answers a plain status, promptly.
assert_supd_ok() {
	supd_alive || { echo "supd (pid $SUPD_PID) is gone"; return 1; }
	run timeout 3 "$SUPCTL" -s "$SOCK" status
	[ "$status" -eq 0 ] || { echo "status after abuse: exit $status: $output"; return 1; }
}

sleeper() {
	svc "$1" <<EOF
[service]
command = sleep 1000
EOF
}

# ---- 1. concurrency ------------------------------------------------------------

@test "100 concurrent status requests all succeed with every service listed" {
	local i pids=() fails=0
	for i in 1 2 3 4 5; do sleeper "s$i"; done
	start_supd
	for i in 1 2 3 4 5; do wait_state "s$i" running; done

	for i in $(seq 1 100); do
		"$SUPCTL" -s "$SOCK" --json status >"$T/out.$i" 2>"$T/err.$i" 3>&- &
		pids+=($!)
	done
	for i in $(seq 1 100); do
		if ! wait "${pids[$((i - 1))]}"; then
			echo "client $i failed: $(cat "$T/err.$i")"
			fails=$((fails + 1))
		fi
	done
	[ "$fails" -eq 0 ]
	# Every output is one JSON array listing the 5 running services.
	run jq -n '[inputs] | length as $n | map(select(type == "array" and
	    length == 5 and ([.[].name] | sort) == ["s1","s2","s3","s4","s5"] and
	    all(.[]; .state == "running" and .pid > 0))) | [$n, length]' -c \
	    "$T"/out.*
	echo "# [outputs, good outputs]: $output"
	[ "$status" -eq 0 ]
	[ "$output" = "[100,100]" ]
	supd_alive
}

# Of a status of all: how many services have started (any state but
# stopped: the boot queue's are stopped until their turn), and the state
# of the last one (b300, the boot's last).
_boot_progress() {
	jq -r '[(map(select(.state != "stopped")) | length),
	    (map(select(.name == "b300"))[0].state)] | @tsv'
}

_more_started_than() {
	local n
	n=$(ctl --json status | _boot_progress | cut -f1)
	[ "$n" -gt "$1" ]
}

_all_running() {
	[ "$(ctl --json status | jq '[.[] | select(.state == "running")] | length')" -eq "$1" ]
}

@test "a boot of 300 slow starts: status answers all along, before the last service has started" {
	local i first started last
	for i in $(seq -w 1 300); do
		printf '[service]\ncommand = sleep 1000\n[isolation]\nnamespaces = none\n' \
			>"$T/conf.d/b$i.ini"
	done
	# Each start takes 20 ms more in supd's loop, as where process
	# creation is slow: the boot lasts 6 s at least.
	SUPD=$B/supd-faults SUPD_TEST_SLOW_SPAWN_MS=20 start_supd
	run timeout 60 "$SUPCTL" -s "$SOCK" --json status
	[ "$status" -eq 0 ]
	first=$(_boot_progress <<<"$output")
	echo "# first status: started, b300's state: $first"
	read -r started last <<<"$first"
	[ "$last" = stopped ]
	[ "$started" -lt 300 ]
	# The boot goes on meanwhile, and the socket keeps answering.
	wait_for "more started than $started" _more_started_than "$started"
	run timeout 60 "$SUPCTL" -s "$SOCK" --json status
	[ "$status" -eq 0 ]
	echo "# a later status: $(_boot_progress <<<"$output")"
	read -r i last <<<"$(_boot_progress <<<"$output")"
	[ "$i" -gt "$started" ]
	[ "$last" = stopped ]
	WAIT_SECS=120 wait_for --show "ctl status | grep -cw running" \
		"all 300 running" _all_running 300
	supd_alive
}

# ---- 2. garbage ----------------------------------------------------------------

# Run cs_client with OPS on one connection; it must get an error END or be
# closed (EOF/reset) within 3 s -- never an ok, never silence.
garbage() {
	run cs -v "$SOCK" "$@" reply 3
	echo "# $*: $output"
	[ "$status" -eq 0 ]
	summary
	[ "$S_end_ok" -eq 0 ]
	[ "$S_timeout" -eq 0 ]
	[ $((S_end_error + S_eof + S_reset)) -eq 1 ]
}

@test "garbage on the socket gets an error or a hang-up, supd carries on (C2, C3)" {
	local i many=() rss0 rss1 vm0 vm1
	sleeper web
	start_supd
	wait_state web running
	local pid0
	pid0=$(field web pid)

	# Random bytes, some starting with a valid magic and version.
	for i in $(seq 1 30); do
		head -c 4096 /dev/urandom >"$T/rand"
		garbage stdin <"$T/rand"
		{ printf 'SUPD\001\000'; head -c 4090 /dev/urandom; } >"$T/rand"
		garbage stdin <"$T/rand"
	done
	# Wrong magic, wrong versions.
	garbage hdr 0x12345678 1 $T_STATUS 0
	garbage hdr 0 0 0 0
	garbage hdr $MAGIC 2 $T_STATUS 0
	garbage hdr $MAGIC 0 $T_STATUS 0
	garbage hdr $MAGIC 0xffff $T_STATUS 0
	# Unknown types, and reply types sent as requests.
	garbage hdr $MAGIC 1 0 0
	garbage hdr $MAGIC 1 50 0
	garbage hdr $MAGIC 1 100 0
	garbage hdr $MAGIC 1 101 0
	garbage hdr $MAGIC 1 102 0
	garbage hdr $MAGIC 1 0xffff 0
	garbage strv 77 1 web
	# Lengths past the cap.
	garbage hdr $MAGIC 1 $T_STATUS $((MAXPAY + 1)) rep 4096 0x61
	# A strv without its terminating NUL, and one cut short by a hang-up.
	garbage hdr $MAGIC 1 $T_STATUS 3 hex 776562
	garbage hdr $MAGIC 1 $T_STATUS 100 hex 77656200 shut
	# Too many strings (PROTO_MAX_ARGS is 1024).
	for i in $(seq 1 2000); do many+=(x); done
	garbage strv $T_STATUS 2000 "${many[@]}"
	garbage strv $T_STATUS 1025 "${many[@]:0:1025}"
	assert_supd_ok

	# A length past the cap is refused from the header alone: at once, not
	# after the 5 s request timeout spent waiting for the payload.
	garbage hdr $MAGIC 1 $T_STATUS $((MAXPAY + 1))
	garbage hdr $MAGIC 1 $T_STATUS 0xffffffff
	# The cap itself is allowed: a MAXPAY-byte name is read whole and is
	# simply no service.
	run cs -v "$SOCK" hdr $MAGIC 1 $T_STATUS $MAXPAY \
		rep $((MAXPAY - 1)) 0x61 hex 00 reply 3
	echo "# exactly PROTO_MAX_PAYLOAD: ${output:0:200}"
	summary
	[ "$S_end_error" -eq 1 ]
	[[ "$output" == *"no such service"* ]]

	# A 4 GiB length claim must not be believed: no allocation (resident
	# or merely reserved), no wait for 4 GiB to arrive.
	rss0=$(rss_kb)
	vm0=$(vm_peak_kb)
	garbage hdr $MAGIC 1 $T_STATUS 0xffffffff rep 65536 0x61
	run cs -n 20 "$SOCK" hdr $MAGIC 1 $T_STATUS 0xffffffff rep 4096 0x61 reply 3
	echo "# 20 x 4 GiB: $output"
	[ "$status" -eq 0 ]
	summary
	[ "$S_timeout" -eq 0 ]
	[ "$S_end_ok" -eq 0 ]
	garbage hdr $MAGIC 1 $T_STATUS 0x80000000
	garbage hdr $MAGIC 1 $T_STATUS $((MAXPAY + 1)) rep $((MAXPAY + 1)) 0x61
	rss1=$(rss_kb)
	vm1=$(vm_peak_kb)
	echo "# RSS before ${rss0} kB, after ${rss1} kB; VmPeak before ${vm0} kB, after ${vm1} kB"
	[ "$rss1" -le $((rss0 + 1024)) ]
	[ "$vm1" -le $((vm0 + 65536)) ]

	assert_supd_ok
	# Nothing the garbage said reached the service.
	[ "$(field web pid)" = "$pid0" ]
	[ "$(state web)" = running ]
}

# ---- 3. stalled clients ----------------------------------------------------------

@test "stalled clients do not block others and are dropped after the request timeout (C4)" {
	local base p1 p2 p3 t0 t1
	sleeper web
	start_supd
	wait_state web running
	base=$(nfds)

	# 50 send half a header, 50 a header and half the payload it announced,
	# then nothing.
	"$CS" -n 50 "$SOCK" hex 535550440100 ready "$T/r1" eof 9 \
		>"$T/stall1.out" 2>&1 3>&- &
	p1=$!
	"$CS" -n 50 "$SOCK" hdr $MAGIC 1 $T_STATUS 100 rep 50 0x61 ready "$T/r2" eof 9 \
		>"$T/stall2.out" 2>&1 3>&- &
	p2=$!
	# One trickles a byte every 0.7 s: the deadline is for the whole
	# request, so it must be cut off (a send fails) before its 10th byte.
	"$CS" "$SOCK" hex 53 sleep 700 hex 55 sleep 700 hex 50 sleep 700 \
		hex 44 sleep 700 hex 01 sleep 700 hex 00 sleep 700 hex 01 \
		sleep 700 hex 00 sleep 700 hex 00 sleep 700 hex 00 eof 3 \
		>"$T/trickle.out" 2>&1 3>&- &
	p3=$!
	wait_for "stalled clients connected" test -e "$T/r1" -a -e "$T/r2"
	wait_for --show nfds "supd to hold the stalled clients" _fds_at_least $((base + 100))

	# A normal client is served at once while they hang.
	t0=$("$MONO_NS")
	run timeout 3 "$SUPCTL" -s "$SOCK" --json status
	t1=$("$MONO_NS")
	echo "# status with 100 stalled clients took $(((t1 - t0) / 1000000)) ms: $output"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].state' <<<"$output")" = running ]
	[ "$(((t1 - t0) / 1000000))" -lt 2000 ]

	# Every stalled client sees EOF from supd within ~8 s.
	wait "$p1" || { cat "$T/stall1.out"; false; }
	wait "$p2" || { cat "$T/stall2.out"; false; }
	echo "# half header: $(cat "$T/stall1.out")"
	echo "# half payload: $(cat "$T/stall2.out")"
	summary "$T/stall1.out"
	[ $((S_eof + S_reset)) -eq 50 ]
	[ "$S_eof_max_ms" -le 8000 ]
	summary "$T/stall2.out"
	[ $((S_eof + S_reset)) -eq 50 ]
	[ "$S_eof_max_ms" -le 8000 ]
	wait "$p3" || { echo "trickler was not cut off: $(cat "$T/trickle.out")"; false; }
	echo "# trickle: $(cat "$T/trickle.out")"
	summary "$T/trickle.out"
	[ "$S_send_err" -ge 1 ]

	WAIT_SECS=5 wait_for --show nfds "fd count back to $base" _fds_are "$base"
	assert_supd_ok
}

@test "1000 slowloris clients: a fresh client is still served (C4)" {
	local p
	sleeper web
	start_supd
	wait_state web running

	"$CS" -n 1000 "$SOCK" hex 53 ready "$T/r" hold >"$T/slow.out" 2>&1 3>&- &
	p=$!
	wait_for "1000 clients connected" test -e "$T/r"
	# Within supd's 5 s request timeout, while all 1000 hang.
	run timeout 3 "$SUPCTL" -s "$SOCK" status
	kill -TERM "$p"
	wait "$p" || true
	echo "# status with 1000 slow clients: exit $status: $output"
	[ "$status" -eq 0 ]
	assert_supd_ok
}

# ---- 4. clients that leave early ------------------------------------------------

spewer() {
	svc spew <<'EOF'
[service]
command = sh -c 'seq -f "spew line %06g ..............................................." 1 20000; exec sleep 1000'
restart = no
EOF
}

_log_has() {
	grep -q -- "$2" "$T/log/$1.log"
}

# At least N lines of service $1's log match $2.
_log_count() {
	[ "$(cat "$T/log/$1.log"* | grep -c -- "$2")" -ge "$3" ]
}

@test "clients that hang up before the reply and killed log followers leave no trace (C6)" {
	local base i pids=()
	spewer
	svc tick <<'EOF'
[service]
command = sh -c 'while :; do echo tick; sleep 0.02; done'
EOF
	start_supd
	wait_state spew running
	wait_state tick running
	wait_for "spew's 20000 lines in its log" _log_has spew "spew line 020000"
	base=$(nfds)

	# Ask for ~1.3 MB of log and hang up without reading a byte: supd's
	# writes hit EPIPE / ECONNRESET.
	run cs -n 20 "$SOCK" strv $T_LOGS 3 spew 20000 0 sleep 300 close
	[ "$status" -eq 0 ]
	# Requests followed by an immediate close, or a half-close first.
	run cs -n 50 "$SOCK" strv $T_STATUS 0 close
	[ "$status" -eq 0 ]
	run cs -n 20 "$SOCK" strv $T_STATUS 0 shut close
	[ "$status" -eq 0 ]
	run cs -n 20 -c 20 "$SOCK" strv $T_LOGS 3 spew 20000 0 close
	[ "$status" -eq 0 ]
	supd_alive

	# `logs -f` followers killed mid-stream (SIGKILL) or interrupted.
	for i in $(seq 1 10); do
		"$SUPCTL" -s "$SOCK" logs -f -n 5 tick >"$T/f.$i" 2>&1 3>&- &
		pids+=($!)
	done
	for i in $(seq 1 10); do
		wait_for "follower $i to stream" grep -q tick "$T/f.$i"
	done
	wait_for --show nfds "supd to hold the 10 followers" _fds_at_least $((base + 10))
	for i in $(seq 0 4); do kill -KILL "${pids[$i]}"; done
	for i in $(seq 5 9); do kill -INT "${pids[$i]}"; done
	for i in $(seq 0 9); do wait "${pids[$i]}" || true; done

	supd_alive
	WAIT_SECS=5 wait_for --show nfds "fd count back to $base" _fds_are "$base"
	assert_supd_ok
	[ "$(state tick)" = running ]
	[ "$(state spew)" = running ]
}

@test "a log follower that stops reading is dropped, others are served" {
	local base fpid
	spewer
	start_supd
	wait_state spew running
	wait_for "spew's 20000 lines in its log" _log_has spew "spew line 020000"
	base=$(nfds)

	"$SUPCTL" -s "$SOCK" logs -f -n 0 spew >/dev/null 2>&1 3>&- &
	fpid=$!
	wait_for --show nfds "follower connected" _fds_are $((base + 1))
	kill -STOP "$fpid"
	# Another 1.3 MB for a follower that reads nothing.
	ctl restart spew
	wait_for "second run logged" _log_count spew "spew line 020000" 2
	run timeout 3 "$SUPCTL" -s "$SOCK" status
	[ "$status" -eq 0 ]
	# supd gives up on it (write timeout 10 s, or its output cap).
	WAIT_SECS=15 wait_for --show nfds "stopped follower dropped (base $base)" \
		_fds_are "$base"
	kill -KILL "$fpid"
	wait "$fpid" || true
	assert_supd_ok
}

# ---- 5. socket permissions -----------------------------------------------------

as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$SUPCTL" -s "$SOCK" "$@"
}

@test "socket is 0600 root by default; others cannot connect (C1, b#4)" {
	sleeper web
	start_supd
	wait_state web running
	[ "$(stat -c '%a %U' "$SOCK")" = "600 root" ]
	chmod 755 "$T"
	run --separate-stderr as_nobody status
	echo "# nobody: exit $status, stderr: $stderr"
	[ "$status" -eq 3 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *"ermission denied"* ]]
	assert_supd_ok
}

@test "socket_mode 0666: a stranger connects but supd refuses it (SO_PEERCRED)" {
	local pid0
	echo "socket_mode = 0666" >>"$T/supd.conf"
	sleeper web
	start_supd
	wait_state web running
	pid0=$(field web pid)
	[ "$(stat -c '%a %U' "$SOCK")" = "666 root" ]
	chmod 755 "$T"

	run --separate-stderr as_nobody status
	echo "# nobody status: exit $status, stdout: $output, stderr: $stderr"
	[ "$status" -eq 1 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "${stderr,,}" == *"permission denied"* ]]
	[ -z "$output" ]
	run --separate-stderr as_nobody --json stop web
	echo "# nobody --json stop: exit $status, stdout: $output"
	[ "$status" -eq 1 ]
	jq -e '.ok == false and (.error | ascii_downcase | contains("permission denied"))' <<<"$output"
	run as_nobody shutdown
	[ "$status" -eq 1 ]
	# Refused before anything was done.
	[ "$(field web pid)" = "$pid0" ]
	assert_supd_ok
}

@test "socket_group + 0660: members are allowed, others are not" {
	groupadd -f supdtest
	cat >>"$T/supd.conf" <<EOF
socket_mode = 0660
socket_group = supdtest
EOF
	sleeper web
	start_supd
	wait_state web running
	[ "$(stat -c '%a %U %G' "$SOCK")" = "660 root supdtest" ]
	chmod 755 "$T"

	run setpriv --reuid=nobody --regid=nogroup --groups=supdtest \
		"$SUPCTL" -s "$SOCK" --json status
	echo "# supplementary member: exit $status: $output"
	[ "$status" -eq 0 ]
	jq -e '.[0].name == "web"' <<<"$output"
	run setpriv --reuid=nobody --regid=supdtest --clear-groups \
		"$SUPCTL" -s "$SOCK" status
	echo "# primary-group member: exit $status: $output"
	[ "$status" -eq 0 ]
	run as_nobody status
	echo "# non-member: exit $status: $output"
	[ "$status" -eq 3 ]
	assert_supd_ok
}

@test "socket_group + 0666: a non-member connects and is refused" {
	groupadd -f supdtest
	cat >>"$T/supd.conf" <<EOF
socket_mode = 0666
socket_group = supdtest
EOF
	sleeper web
	start_supd
	wait_state web running
	chmod 755 "$T"
	run --separate-stderr as_nobody status
	echo "# non-member: exit $status, stderr: $stderr"
	[ "$status" -eq 1 ]
	[[ "${stderr,,}" == *"permission denied"* ]]
	run setpriv --reuid=nobody --regid=nogroup --groups=supdtest \
		"$SUPCTL" -s "$SOCK" status
	[ "$status" -eq 0 ]
	assert_supd_ok
}

# ---- 6. the socket path --------------------------------------------------------

@test "a regular file at the socket path: supd refuses and leaves it alone (C8)" {
	echo precious >"$SOCK"
	run --separate-stderr timeout 10 "$SUPD" -c "$T/supd.conf"
	echo "# exit $status, stderr: $stderr"
	[ "$status" -ne 0 ]
	[ "$status" -ne 124 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *"$SOCK"* ]]
	[ -f "$SOCK" ]
	[ ! -L "$SOCK" ]
	[ "$(cat "$SOCK")" = precious ]
}

@test "a symlink at the socket path: refused, not followed, not removed (C8)" {
	echo precious >"$T/target"
	ln -s "$T/target" "$SOCK"
	run --separate-stderr timeout 10 "$SUPD" -c "$T/supd.conf"
	echo "# exit $status, stderr: $stderr"
	[ "$status" -ne 0 ]
	[ "$status" -ne 124 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[ -L "$SOCK" ]
	[ "$(cat "$T/target")" = precious ]
	[ -f "$T/target" ] && [ ! -S "$T/target" ]
}

@test "a stale socket left by a killed supd is replaced" {
	local orphan
	sleeper web
	start_supd
	wait_state web running
	orphan=$(field web pid)
	kill -KILL "$SUPD_PID"
	wait "$SUPD_PID" || true
	SUPD_PID=
	kill -KILL "$orphan" 2>/dev/null || true
	[ -S "$SOCK" ]
	start_supd
	wait_state web running
	assert_supd_ok
}

@test "a second supd on the same socket refuses, the first keeps working" {
	local ino
	sleeper web
	start_supd
	wait_state web running
	ino=$(stat -c %i "$SOCK")
	run --separate-stderr timeout 10 "$SUPD" -c "$T/supd.conf"
	echo "# second supd: exit $status, stderr: $stderr"
	[ "$status" -ne 0 ]
	[ "$status" -ne 124 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *"another supd is listening"* ]]
	# Same socket file, same daemon.
	[ "$(stat -c %i "$SOCK")" = "$ino" ]
	assert_supd_ok
	[ "$(state web)" = running ]
}

@test "a world-writable socket directory is refused (C8)" {
	mkdir "$T/ww"
	chmod 0777 "$T/ww"
	run --separate-stderr timeout 10 "$SUPD" -c "$T/supd.conf" -s "$T/ww/supd.sock"
	echo "# exit $status, stderr: $stderr"
	[ "$status" -ne 0 ]
	[ "$status" -ne 124 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == *"$T/ww"* ]]
	[ ! -e "$T/ww/supd.sock" ]
}

# ---- 7. supctl exit codes and --json --------------------------------------------

@test "supctl exit codes: usage 2, unknown service 1, unreachable 3" {
	local v
	sleeper web
	start_supd
	wait_state web running

	for v in "frobnicate" "start" "stop" "restart" "signal" "signal web" \
		"logs" "inspect" "logs -n abc web" "logs web extra" "inspect a b" \
		"reload now" "status --bogus" "--bogus status" ""; do
		# shellcheck disable=SC2086
		run --separate-stderr "$SUPCTL" -s "$SOCK" $v
		echo "# supctl $v: exit $status"
		[ "$status" -eq 2 ]
		[ -n "$stderr" ]
	done

	for v in "status nosuch" "start nosuch" "stop nosuch" "restart nosuch" \
		"signal nosuch TERM" "logs nosuch" "inspect nosuch" \
		"start --no-wait nosuch"; do
		# shellcheck disable=SC2086
		run --separate-stderr "$SUPCTL" -s "$SOCK" $v
		echo "# supctl $v: exit $status, stderr: $stderr"
		[ "$status" -eq 1 ]
		[ "${#stderr_lines[@]}" -eq 1 ]
		[[ "$stderr" == *nosuch* ]]
	done
	# A bad signal for a known service is the daemon's failure too.
	run --separate-stderr ctl signal web NOTASIGNAL
	echo "# signal web NOTASIGNAL: exit $status, stderr: $stderr"
	[ "$status" -eq 1 ] || [ "$status" -eq 2 ]

	run --separate-stderr "$SUPCTL" -s /nonexistent.sock status
	echo "# unreachable: exit $status, stderr: $stderr"
	[ "$status" -eq 3 ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	run --separate-stderr env SUPD_SOCKET=/nonexistent.sock "$SUPCTL" status
	[ "$status" -eq 3 ]

	run --separate-stderr ctl --json start nosuch
	echo "# --json start nosuch: exit $status, stdout: $output"
	[ "$status" -eq 1 ]
	jq -e '(keys == ["error", "ok"]) and .ok == false and
	    (.error | type == "string" and contains("nosuch"))' <<<"$output"
	run --separate-stderr ctl start nosuch --json
	[ "$status" -eq 1 ]
	jq -e '.ok == false' <<<"$output"
	run --separate-stderr ctl --json start web
	echo "# --json start web: exit $status, stdout: $output"
	[ "$status" -eq 0 ]
	jq -e '.ok == true' <<<"$output"
}

@test "supctl --json status: the documented keys with the documented types" {
	sleeper run
	svc ex <<'EOF'
[service]
command = sh -c 'exit 3'
restart = no
EOF
	svc kl <<'EOF'
[service]
command = sh -c 'kill -KILL $$'
restart = no
EOF
	svc off <<'EOF'
[service]
command = sleep 1000
autostart = no
EOF
	start_supd
	wait_state run running
	wait_for "ex to exit 3" field_is ex exit_code 3
	wait_for "kl to die of SIGKILL" field_is kl exit_signal SIGKILL

	run --separate-stderr ctl --json status
	echo "$output"
	[ "$status" -eq 0 ]
	jq -e 'type == "array" and length == 4 and
	    all(.[];
		(keys - ["reason", "health"]) == ["exit_code", "exit_signal", "name", "pid",
		    "restarts", "state", "uptime_ms"] and
		(.name | type) == "string" and
		(.state | IN("stopped", "starting", "running", "backoff",
		    "stopping", "exited", "failed")) and
		(.pid | type == "number" and . == floor and . >= 0) and
		(.uptime_ms | type == "number" and . == floor and . >= 0) and
		(.restarts | type == "number" and . == floor and . >= 0) and
		(.exit_code == null or (.exit_code | type == "number" and . == floor)) and
		(.exit_signal == null or (.exit_signal | type == "string" and startswith("SIG"))) and
		((has("reason") | not) or .reason == null or (.reason | type) == "string") and
		((has("health") | not) or .health == null or (.health | IN("starting", "healthy", "unhealthy"))))' \
		<<<"$output"
	jq -e '([.[].name] | sort) == ["ex", "kl", "off", "run"]' <<<"$output"
	jq -e '.[] | select(.name == "run") | .pid > 0 and .exit_code == null and .exit_signal == null' <<<"$output"
	jq -e '.[] | select(.name == "ex") | .pid == 0 and .uptime_ms == 0 and .exit_code == 3 and .exit_signal == null and .state != "running"' <<<"$output"
	jq -e '.[] | select(.name == "kl") | .pid == 0 and .uptime_ms == 0 and .exit_signal == "SIGKILL" and .state != "running"' <<<"$output"
	jq -e '.[] | select(.name == "off") | .state == "stopped" and .pid == 0 and .uptime_ms == 0 and .exit_code == null and .exit_signal == null and .restarts == 0' <<<"$output"
	# A named subset, in the same shape.
	run ctl --json status run off
	[ "$status" -eq 0 ]
	jq -e 'type == "array" and ([.[].name] | sort) == ["off", "run"]' <<<"$output"
}

# ---- 8. names that are not service names ------------------------------------------

@test "names that are paths, globs or huge are unknown services; nothing happens (C7)" {
	local name v pid0 logs0 long
	sleeper a
	svc b <<'EOF'
[service]
command = sleep 1000
autostart = no
EOF
	start_supd
	wait_state a running
	pid0=$(field a pid)
	logs0=$(ls -A "$T/log")
	long=$(head -c 4096 /dev/zero | tr '\0' a)

	for name in "../x" "a/b" "*" "?" "../a" "./a" "a/" "/a" "a " " a" \
		"%s%n%s" "system.multicall" "$long" "../../../../etc/passwd" "b*"; do
		for v in status start stop restart signal logs inspect; do
			if [ "$v" = signal ]; then
				run --separate-stderr ctl signal "$name" TERM
			else
				run --separate-stderr ctl "$v" "$name"
			fi
			[ "$status" -eq 1 ] || { echo "supctl $v '${name:0:40}': exit $status: $stderr"; false; }
			[ "${#stderr_lines[@]}" -eq 1 ] || { echo "supctl $v '${name:0:40}': $stderr"; false; }
			[[ "$stderr" == *"no such service"* ]] || { echo "supctl $v '${name:0:40}': $stderr"; false; }
		done
	done
	# A bad name anywhere in a request rejects all of it.
	run ctl restart a ../x
	[ "$status" -eq 1 ]
	run ctl start b "*"
	[ "$status" -eq 1 ]
	run ctl stop a '*'
	[ "$status" -eq 1 ]

	assert_supd_ok
	[ "$(field a pid)" = "$pid0" ]
	[ "$(field a restarts)" = 0 ]
	[ "$(state a)" = running ]
	[ "$(state b)" = stopped ]
	[ "$(ls -A "$T/log")" = "$logs0" ]
	[ ! -e "$T/x" ] && [ ! -e "$T/x.log" ]
}

@test "a name with a newline or control characters still gets a one-line error (C7)" {
	local name bad=0
	sleeper a
	start_supd
	wait_state a running
	# A name is echoed back in the error: it must not forge a second line
	# ("supctl: status: ok") or reach the terminal as an escape sequence.
	for name in $'x\ny' $'x\r\nstatus: ok' $'\n' $'a\tb' $'\e[2Jx' $'x\ry'; do
		run --separate-stderr ctl start "$name"
		echo "# start $(printf %q "$name"): exit $status, stderr: $(printf %q "$stderr")"
		if [ "$status" -ne 1 ] || [ "${#stderr_lines[@]}" -ne 1 ] ||
		    [[ "$stderr" != *"no such service"* ]] ||
		    [[ "$stderr" == *[$'\r\e']* ]]; then
			echo "#   ^ not a one-line, control-free error"
			bad=$((bad + 1))
		fi
	done
	[ "$bad" -eq 0 ]
	assert_supd_ok
}

# ---- 9. many short connections --------------------------------------------------

@test "2000 connect/status/disconnect cycles leak neither fds nor memory (C5)" {
	local base rss0 rss1
	sleeper web
	start_supd
	wait_state web running
	# Warm up allocator arenas, then take the baseline.
	run cs -c 200 "$SOCK" strv $T_STATUS 0 reply 2
	summary
	[ "$S_end_ok" -eq 200 ]
	base=$(nfds)
	rss0=$(rss_kb)

	run cs -c 2000 "$SOCK" strv $T_STATUS 0 reply 2
	echo "# sequential: $output"
	[ "$status" -eq 0 ]
	summary
	[ "$S_end_ok" -eq 2000 ]
	[ "$S_timeout" -eq 0 ]
	# 16 at a time, hanging up in different places.
	run cs -n 16 -c 100 "$SOCK" strv $T_STATUS 1 web reply 2
	echo "# parallel: $output"
	summary
	[ "$S_end_ok" -eq 1600 ]
	run cs -n 16 -c 50 "$SOCK" strv $T_STATUS 0 close
	run cs -n 16 -c 50 "$SOCK" hex 5355 close
	run cs -n 16 -c 50 "$SOCK" close

	WAIT_SECS=5 wait_for --show nfds "fd count back to $base" _fds_are "$base"
	rss1=$(rss_kb)
	echo "# RSS before ${rss0} kB, after ${rss1} kB"
	# AddressSanitizer keeps freed memory in quarantine, so RSS only says
	# something in a normal build; there LeakSanitizer checks at exit.
	[ -n "${SUPD_ASAN:-}" ] || [ "$rss1" -le $((rss0 + 512)) ]
	assert_supd_ok
}

# ---- 10. fd exhaustion -----------------------------------------------------------

@test "at RLIMIT_NOFILE supd does not spin and recovers when clients leave (C10)" {
	local base p c0 c1 hz
	sleeper web
	prlimit --nofile=64:64 "$SUPD" -c "$T/supd.conf" >"$T/supd.out" 2>"$T/supd.err" 3>&- &
	SUPD_PID=$!
	wait_for "supd socket" test -S "$SOCK"
	[ "$(cat "/proc/$SUPD_PID/comm")" = supd ]
	wait_state web running
	base=$(nfds)

	"$CS" -n 100 "$SOCK" ready "$T/r" hold >"$T/hold.out" 2>&1 3>&- &
	p=$!
	wait_for "100 clients connected" test -e "$T/r"
	wait_for --show nfds "supd at its fd limit" _fds_at_least 63
	hz=$(getconf CLK_TCK)
	c0=$(cpu_ticks)
	sleep 2	# the measuring window, not a wait for a condition
	c1=$(cpu_ticks)
	echo "# supd CPU over 2 s at the fd limit: $((c1 - c0)) ticks (CLK_TCK $hz)"
	[ $((c1 - c0)) -lt $((hz / 2)) ]
	supd_alive

	kill -TERM "$p"
	wait "$p" || true
	# Served again as soon as the clients are gone (before supd's own 5 s
	# request timeout would have freed their fds).
	WAIT_SECS=2 wait_for "supd to answer again" _status_ok
	WAIT_SECS=5 wait_for --show nfds "fd count back to $base" _fds_are "$base"
	assert_supd_ok
	[ "$(state web)" = running ]
}

# supd escapes what a client sent before quoting it, so a fake supd
# (tests/helpers/cs_fakesupd.c) sends the END: its message carries an OSC
# title, a bell, a clear-screen and a newline. supctl must show the
# control bytes as \ooo and split the line, on the request/reply path and on
# the terminal paths (exec, attach) alike: no raw ESC reaches stderr.
@test "supctl prints supd's END message sanitised on every path, exec and attach included" {
	local cmd pid esc=$'\e'
	for cmd in "status web" "exec web true" "attach web"; do
		rm -f "$T/ready" "$T/fake.sock"
		"$FAKE" "$T/fake.sock" "$T/ready" \
		    $'evil \e]0;owned\a\e[2J\nsecond line' &
		pid=$!
		wait_for "fake supd for $cmd" test -e "$T/ready"
		# shellcheck disable=SC2086 # cmd is words on purpose
		run --separate-stderr "$SUPCTL" -s "$T/fake.sock" $cmd </dev/null
		wait "$pid"
		echo "$cmd: status=$status stderr=$(printf %q "$stderr")"
		[ "$status" -eq 1 ]
		[[ "$stderr" != *"$esc"* ]]
		[[ "$stderr" != *$'\a'* ]]
		[[ "$stderr" == *'supctl: evil \033]0;owned\007\033[2J'* ]]
		[[ "$stderr" == *'supctl: second line'* ]]
	done
}

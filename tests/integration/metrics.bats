#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# metrics.bats: `supctl metrics` (the Prometheus text format, checked by
# promtool and against known states) and `metrics_listen`, its HTTP
# endpoint, scraped with curl inside a network namespace the test makes
# (lo only: nothing here touches the host's interfaces). The endpoint's
# bounds: connections held, per address, a slow client, and the loop
# answering `supctl status` all along.

load common
load net-common

PORT=9100

setup() {
	setup_supd
	NSPID=
	FLOOD=
	W=
}

teardown() {
	local rc=0
	[ -z "$FLOOD" ] || kill "$FLOOD" 2>/dev/null || true
	[ -z "$FLOOD" ] || wait "$FLOOD" 2>/dev/null || true
	net_teardown || rc=1
	[ -z "$W" ] || rm -rf "$W"
	return $rc
}

# supd with metrics_listen on 127.0.0.1:$PORT, in a namespace of the
# test's own with lo up.
start_http() {
	echo "metrics_listen = 127.0.0.1:$PORT" >>"$T/supd.conf"
	net_ns
	$IN ip link set lo up
	start_supd
	wait_for "the endpoint" $IN curl -sf -o /dev/null \
		"http://127.0.0.1:$PORT/metrics"
}

sleeper() {
	svc "$1" <<EOF
[service]
command = sleep 1000
EOF
}

# The value of the series written exactly as $1 (name and labels).
metric() {
	ctl metrics | awk -v s="$1" '$1 == s { print $2; found = 1 }
		END { exit !found }'
}

metric_is() {
	[ "$(metric "$1")" = "$2" ]
}

metric_ge() {
	[ "$(metric "$1")" -ge "$2" ]
}

# supd's sockets now (the control socket, the endpoint's, connections).
supd_sockets() {
	find "/proc/$SUPD_PID/fd" -lname 'socket:*' 2>/dev/null | wc -l
}

sockets_at_least() {
	[ "$(supd_sockets)" -ge "$1" ]
}

no_connection() {
	[ -z "$($IN ss -tnH state established "( sport = :$PORT )")" ]
}

sockets_at_most() {
	[ "$(supd_sockets)" -le "$1" ]
}

# `supctl status` answers within $1 ms (4 times that under ASan).
status_within() {
	local t0 t1
	t0=$($MONO_NS)
	timeout 5 "$SUPCTL" -s "$SOCK" status >/dev/null || return 1
	t1=$($MONO_NS)
	echo "# status: $(((t1 - t0) / 1000000)) ms"
	[ $(((t1 - t0) / 1000000)) -lt $(($1 * ${SUPD_ASAN:+4}${SUPD_ASAN:-1})) ]
}

# A python3 client in the namespace, in the background ($FLOOD): $1 is
# its program (below), the rest its arguments. It writes "ready" to
# $T/flood.ready once its connections are made.
flood() {
	$IN python3 - "$T/flood.ready" "$@" <<'PY' 3>&- &
import socket, sys, time
ready, mode = sys.argv[1], sys.argv[2]
held = []
if mode == "hold":
	# hold ADDRS PER: PER connections from each of 127.0.0.1..ADDRS,
	# none sending a byte.
	addrs, per = int(sys.argv[3]), int(sys.argv[4])
	for a in range(1, addrs + 1):
		for _ in range(per):
			s = socket.socket()
			s.bind(("127.0.0.%d" % a, 0))
			s.setblocking(False)
			try:
				s.connect(("127.0.0.1", 9100))
			except BlockingIOError:
				pass
			held.append(s)
	open(ready, "w").write("ready\n")
	time.sleep(600)
else:
	# slow N: N connections from 127.0.0.2, each sending a request's
	# headers one byte a second.
	n = int(sys.argv[3])
	for _ in range(n):
		s = socket.socket()
		s.bind(("127.0.0.2", 0))
		s.connect(("127.0.0.1", 9100))
		held.append(s)
	open(ready, "w").write("ready\n")
	req = b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"y" * 600
	for i in range(len(req)):
		for s in held:
			try:
				s.send(req[i:i + 1])
			except OSError:
				pass
		time.sleep(1)
PY
	FLOOD=$!
	wait_for "the client's connections" test -s "$T/flood.ready"
}

# ------------------------------------------------------------------ text

@test "supctl metrics: promtool accepts it; states, exit code, restarts and health are the services' own" {
	sleeper up
	svc ex <<EOF
[service]
command = sh -c 'exit 3'
restart = no
EOF
	svc killed <<EOF
[service]
command = sleep 1000
restart = no
EOF
	svc crash <<EOF
[service]
command = sleep 1000
restart = always
restart_delay = 10ms
EOF
	svc checked <<EOF
[service]
command = sleep 1000
[health]
cmd = true
interval = 200ms
EOF
	start_supd
	wait_state up running
	wait_state ex exited
	wait_for "healthy" field_is checked health healthy
	# Killed 3 times, each time running again: 3 restarts.
	local i pid
	for i in 1 2 3; do
		wait_state crash running
		pid=$(field crash pid)
		kill -KILL "$pid"
		wait_for "crash restarted ($i)" field_isnt crash pid "$pid"
	done
	wait_state crash running
	wait_state killed running
	kill -KILL "$(field killed pid)"
	wait_state killed exited

	run ctl metrics
	[ "$status" -eq 0 ]
	echo "$output" >"$T/m.txt"
	run promtool check metrics <"$T/m.txt"
	echo "# promtool: $output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]

	metric_is 'supd_service_restarts_total{service="crash"}' 3
	metric_is 'supd_service_restarts_total{service="up"}' 0
	metric_is 'supd_service_last_exit_code{service="ex"}' 3
	metric_is 'supd_service_last_exit_code{service="killed"}' $((128 + 9))
	# Not ended (or running again, as status shows it): no series.
	refute metric 'supd_service_last_exit_code{service="up"}'
	refute metric 'supd_service_last_exit_code{service="crash"}'
	metric_is 'supd_service_state{service="up",state="running"}' 1
	metric_is 'supd_service_state{service="up",state="exited"}' 0
	metric_is 'supd_service_state{service="ex",state="exited"}' 1
	metric_is 'supd_service_state{service="ex",state="running"}' 0
	metric_is 'supd_service_health{service="checked",health="healthy"}' 1
	metric_is 'supd_service_health{service="checked",health="none"}' 0
	metric_is 'supd_service_health{service="up",health="none"}' 1
	metric_is 'supd_services' 5
	# Exactly one state and one health per service.
	[ "$(awk '/^supd_service_state\{/ { n += $2 } END { print n }' "$T/m.txt")" = 5 ]
	[ "$(awk '/^supd_service_health\{/ { n += $2 } END { print n }' "$T/m.txt")" = 5 ]
	# Uptime: running about as long as status says, exited 0.
	metric_is 'supd_service_uptime_seconds{service="ex"}' 0
	awk '$1 == "supd_service_uptime_seconds{service=\"up\"}" && $2 > 0 { ok = 1 }
		END { exit !ok }' "$T/m.txt"
	# supd itself: a client following a log is counted, with the one
	# asking (a client just served may still be closing: at least 2).
	ctl logs -f up >/dev/null 3>&- &
	local follower=$!
	wait_for --show "metric supd_control_clients" "the follower counted" \
		metric_ge supd_control_clients 2
	kill "$follower"
	wait "$follower" 2>/dev/null || true
	awk '$1 == "process_resident_memory_bytes" && $2 > 1000000 { ok = 1 }
		END { exit !ok }' "$T/m.txt"
	awk '$1 == "process_open_fds" && $2 >= 3 && $2 < 1000 { ok = 1 }
		END { exit !ok }' "$T/m.txt"
	# No cgroup v2 here (a v1/hybrid host) or none for it: no series.
	if [ "$(field up oom_kills)" = null ]; then
		refute grep -q '^supd_service_cpu_seconds_total' "$T/m.txt"
		refute grep -q '^supd_service_oom_kills_total' "$T/m.txt"
	fi
	# No operands.
	run ctl metrics extra
	[ "$status" -eq 2 ]
}

@test "supctl metrics: log bytes written are the log file's bytes, and grow with each write" {
	# The service's /tmp is its own: the trigger is in /var/tmp.
	W=$(mktemp -d /var/tmp/supd-metrics.XXXXXX)
	svc talk <<EOF
[service]
command = sh -c 'echo first; while :; do [ ! -e $W/go ] || { rm $W/go; echo more-output; }; sleep 0.05; done'
EOF
	start_supd
	wait_for "first line" grep -q first "$T/log/talk.log"
	metric_is 'supd_service_log_written_bytes_total{service="talk"}' 6
	touch "$W/go"
	wait_for --show "metric 'supd_service_log_written_bytes_total{service=\"talk\"}'" \
		"bytes after the write" \
		metric_is 'supd_service_log_written_bytes_total{service="talk"}' 18
	[ "$(stat -c %s "$T/log/talk.log")" = 18 ]
	metric_is 'supd_service_log_dropped_bytes_total{service="talk"}' 0
	metric_is 'supd_service_log_dropped_lines_total{service="talk"}' 0
}

@test "supctl metrics: when_full = drop on a full file system counts every byte and line dropped" {
	SMALL=$T/small
	mkdir -p "$SMALL"
	mount -t tmpfs -o size=256k tmpfs "$SMALL"
	dd if=/dev/zero of="$SMALL/ballast" bs=4k 2>/dev/null || true
	# 100 lines of 10 bytes, none of which fits.
	svc full <<EOF
[service]
command = sh -c 'i=0; while [ \$i -lt 100 ]; do echo 123456789; i=\$((i+1)); done; exec sleep 1000'
[log]
file = $SMALL/full.log
when_full = drop
EOF
	start_supd
	wait_for --show "ctl metrics | grep dropped" "100 lines dropped" \
		metric_is 'supd_service_log_dropped_lines_total{service="full"}' 100
	metric_is 'supd_service_log_dropped_bytes_total{service="full"}' 1000
	metric_is 'supd_service_log_written_bytes_total{service="full"}' 0
	end_supd
	umount "$SMALL" || umount -l "$SMALL"
}

@test "supctl metrics: socket_group members may read it" {
	groupadd -f supdtest
	cat >>"$T/supd.conf" <<EOF
socket_mode = 0660
socket_group = supdtest
EOF
	sleeper up
	start_supd
	wait_state up running
	chmod 755 "$T"
	run setpriv --reuid=nobody --regid=nogroup --groups=supdtest \
		"$SUPCTL" -s "$SOCK" metrics
	[ "$status" -eq 0 ]
	[[ "$output" == *'supd_service_state{service="up",state="running"} 1'* ]]
}

# ------------------------------------------------------------------ HTTP

@test "metrics_listen: GET /metrics is supctl metrics' text, promtool accepts it; 404 elsewhere, 405 for other methods" {
	sleeper up
	start_http
	wait_state up running
	run $IN curl -sS -D "$T/h" "http://127.0.0.1:$PORT/metrics"
	[ "$status" -eq 0 ]
	echo "$output" >"$T/m.txt"
	grep -qi '^content-type: text/plain; version=0.0.4' "$T/h"
	run promtool check metrics <"$T/m.txt"
	echo "# promtool: $output"
	[ "$status" -eq 0 ]
	grep -qx 'supd_service_state{service="up",state="running"} 1' "$T/m.txt"
	# The same families as the control socket's.
	diff <(grep '^# TYPE' "$T/m.txt") <(ctl metrics | grep '^# TYPE')

	[ "$($IN curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")" = 404 ]
	[ "$($IN curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/metrics/x")" = 404 ]
	[ "$($IN curl -s -o /dev/null -w '%{http_code}' -X POST -d a=b "http://127.0.0.1:$PORT/metrics")" = 405 ]
	[ "$($IN curl -s -o /dev/null -w '%{http_code}' -X DELETE "http://127.0.0.1:$PORT/metrics")" = 405 ]
	$IN curl -s -D - -o /dev/null -X PUT "http://127.0.0.1:$PORT/metrics" |
		grep -qi '^allow: GET'
	# A query string is still /metrics.
	[ "$($IN curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/metrics?x=1")" = 200 ]
	status_within 1000
}

@test "metrics_listen: its sockets are close-on-exec, and an idle endpoint keeps no timer" {
	start_http
	local fd flags n=0
	for fd in $(find "/proc/$SUPD_PID/fd" -lname 'socket:*' -printf '%f\n') \
	    $(find "/proc/$SUPD_PID/fd" -lname 'anon_inode:\[eventpoll\]' -printf '%f\n'); do
		flags=$(awk '/^flags:/ { print $2 }' "/proc/$SUPD_PID/fdinfo/$fd")
		echo "# fd $fd flags $flags"
		[ $((8#$flags & 8#2000000)) -ne 0 ]
		n=$((n + 1))
	done
	# The control socket, the endpoint's, supd's and MHD's epoll.
	[ "$n" -ge 4 ]
	# No connection left (start_http's scrape is over): the loop waits
	# as an idle supd does, with no deadline of MHD's. The wait that a
	# SIGHUP ends is the idle one; its timeout is libev's longest
	# (1500001070 ms), not MHD's connection timeout (10000 ms).
	wait_for "the scrape's connection closed" no_connection
	strace -qq -p "$SUPD_PID" -e trace=epoll_wait -o "$T/st" 3>&- &
	local st=$!
	wait_for "strace attached" grep -q 'TracerPid:.[1-9]' "/proc/$SUPD_PID/status"
	kill -HUP "$SUPD_PID"
	wait_for "the wait ended" grep -q epoll_wait "$T/st"
	kill "$st"
	wait "$st" 2>/dev/null || true
	head -3 "$T/st"
	head -1 "$T/st" | grep -Eq ', [0-9]+, [0-9]{7,}\) = '
}

@test "metrics_listen: a bad value is FILE:LINE; a port that cannot be bound is one log line and supd runs on" {
	cp "$T/supd.conf" "$T/bad.conf"
	echo "metrics_listen = 127.0.0.1:99999" >>"$T/bad.conf"
	run "$SUPD" -c "$T/bad.conf" --check
	echo "# $output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"$T/bad.conf:7: metrics_listen '127.0.0.1:99999': port must be 1-65535"* ]]

	# Taken by someone else in the namespace.
	echo "metrics_listen = 127.0.0.1:$PORT" >>"$T/supd.conf"
	net_ns
	$IN ip link set lo up
	$IN python3 -c 'import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 9100)); s.listen()
open("'"$T"'/taken", "w").write("x"); time.sleep(600)' 3>&- &
	FLOOD=$!
	wait_for "the port taken" test -e "$T/taken"
	sleeper up
	start_supd
	wait_state up running
	wait_for "the log line" grep -q 'metrics_listen: 127.0.0.1:9100: Address already in use' "$T/supd.out" "$T/supd.err"
	[ "$(cat "$T/supd.out" "$T/supd.err" | grep -c metrics_listen)" = 1 ]
	run ctl metrics
	[ "$status" -eq 0 ]
	status_within 1000
}

@test "metrics_listen: libmicrohttpd is mapped only with it, libnftables not at all (dlopen at first use)" {
	sleeper up
	start_supd
	wait_state up running
	cat "/proc/$SUPD_PID/maps" >"$T/maps.none"
	refute grep -q '/libmicrohttpd\.so' "$T/maps.none"
	refute grep -q '/libnftables\.so' "$T/maps.none"
	# Nor what only they pull in.
	refute grep -q -E '/lib(gnutls|nettle|hogweed|gmp|p11-kit|nftnl|xtables|jansson)\.so' "$T/maps.none"
	stop_supd

	start_http
	supd_maps libmicrohttpd.so.12
	refute supd_maps libnftables.so
}

@test "metrics_listen: a libmicrohttpd that cannot be loaded is one log line and supd runs on" {
	echo "metrics_listen = 127.0.0.1:$PORT" >>"$T/supd.conf"
	net_ns
	$IN ip link set lo up
	SUPD_WRAP="$IN $(without_libs 'libmicrohttpd*')"
	sleeper up
	start_supd
	wait_state up running
	wait_for "the log line" grep -q 'metrics_listen: libmicrohttpd.so.12: cannot open shared object file: No such file or directory (no HTTP metrics)' "$T/supd.out" "$T/supd.err"
	[ "$(cat "$T/supd.out" "$T/supd.err" | grep -c metrics_listen)" = 1 ]
	run $IN curl -s -o /dev/null "http://127.0.0.1:$PORT/metrics"
	[ "$status" -ne 0 ]
	run ctl metrics
	[ "$status" -eq 0 ]
	[[ "$output" == *'supd_service_state{service="up",state="running"} 1'* ]]
	status_within 1000
}

@test "metrics_listen: 500 connections held open from 100 addresses: at most 16 taken, 4 per address; status answers at once" {
	start_http
	local base
	base=$(supd_sockets)
	flood hold 100 5
	# supd takes what its limit allows, and no more.
	wait_for --show supd_sockets "the endpoint's connections" \
		sockets_at_least $((base + 16))
	status_within 500
	status_within 500
	ctl metrics >/dev/null
	echo "# supd's sockets: $(supd_sockets), before: $base"
	[ "$(supd_sockets)" -le $((base + 16)) ]
	kill "$FLOOD"
	wait "$FLOOD" 2>/dev/null || true
	FLOOD=
	# Connections from one address: 4 kept.
	wait_for "the flood's connections gone" sockets_at_most "$base"
	# At its limit MHD stopped listening; it listens again now.
	$IN curl -sf --max-time 5 -o /dev/null "http://127.0.0.1:$PORT/metrics"
	rm -f "$T/flood.ready"
	flood hold 1 20
	wait_for --show supd_sockets "the 4 of one address" \
		sockets_at_least $((base + 4))
	status_within 500
	echo "# supd's sockets: $(supd_sockets), before: $base"
	[ "$(supd_sockets)" -le $((base + 4)) ]
	# Another address still gets its answer.
	$IN curl -sf --max-time 5 --interface 127.0.0.3 -o /dev/null \
		"http://127.0.0.1:$PORT/metrics"
}

@test "metrics_listen: clients sending their request a byte a second do not hold the loop or other scrapers" {
	start_http
	flood slow 3
	local i
	for i in 1 2 3 4 5; do
		status_within 300
		$IN curl -sf --max-time 2 --interface 127.0.0.3 -o /dev/null \
			"http://127.0.0.1:$PORT/metrics"
		# Pacing, not waiting for anything: the checks span
		# several of the slow clients' bytes.
		sleep 0.5
	done
	kill -0 "$FLOOD"
}

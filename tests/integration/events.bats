#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# events.bats: supctl events (docs/design.md "Events") -- every kind of
# event with its details, --json, --since and the ring of the last 1000,
# the NAME filter, a client that does not read is dropped without slowing
# supd, a flood of events clients; and supctl health / ready, the probes
# of a container engine.
#
# An events client runs in the background, its output in a file; a test
# waits on what the file holds, never on time. Those clients and the
# helpers of events.py are killed in teardown.

bats_require_minimum_version 1.5.0
load common

PY=$BATS_TEST_DIRNAME/events.py

setup() {
	setup_supd
	BG=()
	W=
}

teardown() {
	local p
	for p in "${BG[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	teardown_supd
	local rc=$?
	[ -n "$W" ] && rm -rf "$W"
	return $rc
}

# events_bg FILE ARGS...: `supctl events ARGS` in the background into FILE.
events_bg() {
	local f=$1
	shift
	ctl events "$@" >"$f" 2>"$f.err" &
	BG+=($!)
}

# has FILE REGEX: a line of FILE matches (grep -E).
has() {
	grep -qE "$2" "$1"
}

# count_ge FILE REGEX N: at least N lines match.
count_ge() {
	[ "$(grep -cE "$2" "$1")" -ge "$3" ]
}

wait_line() {
	wait_for --show "tail -n 5 $(printf %q "$1")" "$2 in $1" has "$1" "$2"
}

@test "events: started, ready, exited with its code, backoff with its delay, failed with its reason" {
	svc ok <<EOF
[service]
command = sleep 100
EOF
	svc bad <<EOF
[service]
command = sh -c 'exit 3'
restart = on-failure:2
restart_delay = 50ms
EOF
	start_supd
	events_bg "$T/ev" --since 1h
	wait_state ok running
	wait_state bad failed
	local pid
	pid=$(field ok pid)
	wait_line "$T/ev" "Z ok started pid=$pid\$"
	has "$T/ev" "Z ok ready\$"
	has "$T/ev" "Z ok added\$"
	wait_line "$T/ev" "Z bad failed reason=\"restart limit reached\"\$"
	[ "$(grep -c 'Z bad exited code=3$' "$T/ev")" = 3 ]
	has "$T/ev" "Z bad backoff delay=50ms\$"
	has "$T/ev" "Z bad backoff delay=100ms\$"
	# In the order they happened.
	run bash -c "grep -E ' bad (started|exited|backoff|failed)' '$T/ev' | awk '{print \$3}' | tr '\n' ' '"
	echo "$output"
	[ "$output" = "started exited backoff started exited backoff started exited failed " ]
}

@test "events: only new ones without --since; killed by a signal; stopping and stopped" {
	svc k <<EOF
[service]
command = sleep 100
restart = always
restart_delay = 0
EOF
	start_supd
	wait_state k running
	events_bg "$T/ev" k
	# Subscribed once a restart shows: until then, restart again.
	local n=0
	until has "$T/ev" "Z k started"; do
		ctl restart k
		[ $((n += 1)) -lt 100 ]
	done
	wait_state k running
	ctl signal k KILL
	wait_line "$T/ev" "Z k exited signal=SIGKILL\$"
	wait_line "$T/ev" "Z k backoff delay=0ms\$"
	wait_state k running
	ctl stop k
	wait_line "$T/ev" "Z k stopped signal=SIGTERM\$"
	has "$T/ev" "Z k stopping\$"
	# The boot's events were not replayed.
	run grep -c ' added$' "$T/ev"
	[ "$output" = 0 ]
}

@test "events: reloaded, added and removed by a reload" {
	svc a <<EOF
[service]
command = sleep 100
EOF
	svc gone <<EOF
[service]
command = sleep 100
EOF
	start_supd
	wait_state gone running
	events_bg "$T/ev" --since 1h
	sed -i 's/sleep 100/sleep 101/' "$T/conf.d/a.ini"
	svc new <<EOF
[service]
command = sleep 100
EOF
	rm "$T/conf.d/gone.ini"
	ctl reload
	wait_line "$T/ev" "Z gone removed\$"
	wait_line "$T/ev" "Z a reloaded\$"
	wait_line "$T/ev" "Z new added\$"
	wait_line "$T/ev" "Z new started pid="
	# removed comes once the service has stopped.
	run bash -c "grep -E ' gone (stopping|stopped|removed)' '$T/ev' | awk '{print \$3}' | tr '\n' ' '"
	[ "$output" = "stopping stopped removed " ]
}

@test "events: healthy, and unhealthy with the check's reason" {
	W=$(mktemp -d /var/tmp/supd-events.XXXXXX)
	chmod 0755 "$W"
	: >"$W/ok"
	svc h <<EOF
[service]
command = sleep 100
[health]
cmd = test -e $W/ok
interval = 100ms
retries = 2
on_unhealthy = none
EOF
	start_supd
	events_bg "$T/ev" --since 1h h
	wait_line "$T/ev" "Z h healthy\$"
	rm "$W/ok"
	wait_line "$T/ev" 'Z h unhealthy reason="unhealthy: check failed 2 times in a row \(exit 1\)"$'
	: >"$W/ok"
	wait_for "healthy again" count_ge "$T/ev" 'Z h healthy$' 2
}

@test "events: paused and unpaused (a cgroup tree of its own)" {
	if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
		CG=/sys/fs/cgroup/unified/supd-bats-${T##*.}
	elif [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then
		CG=/sys/fs/cgroup/supd-bats-${T##*.}
	else
		skip "no cgroup2 mount on this host"
	fi
	echo "cgroup = $CG" >>"$T/supd.conf"
	svc p <<EOF
[service]
command = sleep 100
[isolation]
namespaces = none
EOF
	start_supd
	wait_state p running
	events_bg "$T/ev" --since 1h p
	ctl pause p
	wait_line "$T/ev" "Z p paused\$"
	ctl unpause p
	wait_line "$T/ev" "Z p unpaused\$"
	ctl stop p
	wait_line "$T/ev" "Z p stopped"
	stop_supd
	rmdir "$CG"/*/ "$CG" 2>/dev/null || true
}

@test "events --json: one object a line, each parses, with typed details" {
	svc j <<EOF
[service]
command = sh -c 'exit 4'
restart = on-failure:1
restart_delay = 10ms
EOF
	start_supd
	wait_state j failed
	events_bg "$T/ev" --json --since 1h
	wait_line "$T/ev" '"event":"failed"'
	python3 -c '
import json, sys
evs = [json.loads(l) for l in open(sys.argv[1])]
assert len(evs) >= 6, evs
assert all(set(("time", "time_us", "service", "event")) <= set(e) for e in evs)
ex = [e for e in evs if e["event"] == "exited"]
assert ex and all(e["exit_code"] == 4 and "signal" not in e for e in ex), ex
st = [e for e in evs if e["event"] == "started"]
assert st and all(isinstance(e["pid"], int) and e["pid"] > 0 for e in st), st
bo = [e for e in evs if e["event"] == "backoff"]
assert bo and bo[0]["delay_ms"] == 10, bo
fa = [e for e in evs if e["event"] == "failed"]
assert fa[0]["reason"] == "restart limit reached", fa
' "$T/ev"
}

@test "events --since: the history from then on, then live; NAME keeps only those services" {
	svc a <<EOF
[service]
command = sleep 100
EOF
	svc b <<EOF
[service]
command = sleep 100
EOF
	start_supd
	wait_state a running
	wait_state b running
	local mid
	mid=$(date -u +%Y-%m-%dT%H:%M:%S.%NZ)
	ctl restart b
	# History: everything since the boot, only b's since mid.
	events_bg "$T/all" --since 1h
	events_bg "$T/mid" --since "$mid"
	events_bg "$T/b" --since 1h b
	wait_line "$T/all" "Z a ready\$"
	wait_line "$T/all" "Z b stopping\$"
	wait_line "$T/mid" "Z b stopping\$"
	run grep -c ' added$' "$T/mid"
	[ "$output" = 0 ]
	# Then live: a restart of a reaches all but b's.
	ctl restart a
	wait_for "a restarted, live" count_ge "$T/all" 'Z a started' 2
	wait_for "a restarted, live" count_ge "$T/mid" 'Z a started' 1
	ctl restart b
	wait_for "b restarted, live" count_ge "$T/b" 'Z b started' 3
	run grep -c ' a ' "$T/b"
	[ "$output" = 0 ]
}

_flap_conf() {
	svc flap <<EOF
[service]
command = true
restart = always
restart_delay = 0
restart_delay_max = 0
[isolation]
namespaces = none
EOF
}

@test "events: the ring keeps the last 1000: --since after more shows at most 1000" {
	_flap_conf
	start_supd
	events_bg "$T/live" --since 1h
	# Each run of flap is 4 events: started, ready, exited, backoff.
	wait_for "1200 events" count_ge "$T/live" . 1200
	ctl stop flap
	wait_line "$T/live" "Z flap stopped"
	events_bg "$T/ring" --since 1h
	wait_line "$T/ring" "Z flap stopped"
	run wc -l <"$T/ring"
	echo "$output lines"
	[ "$output" -le 1000 ]
	[ "$output" -ge 990 ]
	# The oldest went: the boot's "added" is no longer there.
	run grep -c ' added$' "$T/ring"
	[ "$output" = 0 ]
	# The ring holds the newest: the last line is the last event.
	[ "$(tail -n 1 "$T/ring" | cut -d' ' -f2-)" = "$(tail -n 1 "$T/live" | cut -d' ' -f2-)" ]
}

# Two flapping services with long names: each row is ~150 bytes, so that
# the slow client's queue fills within seconds even under a sanitizer.
LONG=flap-with-a-name-long-enough-to-make-each-event-row-weigh-more

@test "events: a client that never reads is dropped; supd answers status and other clients still get events" {
	local f
	for f in "$LONG-1" "$LONG-2"; do
		svc "$f" <<EOF
[service]
command = true
restart = always
restart_delay = 0
restart_delay_max = 0
[isolation]
namespaces = none
EOF
	done
	start_supd
	python3 "$PY" slow "$SOCK" >"$T/slow" &
	BG+=($!)
	wait_line "$T/slow" subscribed
	events_bg "$T/ev" "$LONG-1"
	# Dropped for its queue (64 KiB), not the 10 s without progress.
	WAIT_SECS=60 wait_for --show "tail -n 3 $T/supd.err" "the slow client dropped" \
		grep -q "events client dropped: it did not read (" "$T/supd.err"
	# supd goes on: status answers, the reading client still gets events.
	ctl status "$LONG-1"
	local n
	n=$(grep -c "Z $LONG-1 started" "$T/ev")
	wait_for "more events after the drop" count_ge "$T/ev" "Z $LONG-1 started" $((n + 10))
	ctl stop "$LONG-1" "$LONG-2"
	wait_line "$T/ev" "Z $LONG-1 stopped"
	# supd hung up on it (it still has not read a byte).
	wait_line "$T/slow" "^hung up\$"
}

@test "events: 200 events clients at once all get the event, and status still answers" {
	svc a <<EOF
[service]
command = sleep 100
[isolation]
namespaces = none
EOF
	start_supd
	wait_state a running
	run python3 "$PY" flood "$SUPCTL" "$SOCK" 200 a
	echo "$output"
	[ "$status" = 0 ]
	[ "$output" = "200 of 200 got started" ]
	ctl status a
	wait_state a running
}

@test "health and ready: exit 0 when healthy / ready, 1 saying why when unhealthy, not running or unknown" {
	W=$(mktemp -d /var/tmp/supd-events.XXXXXX)
	chmod 0755 "$W"
	: >"$W/ok"
	svc plain <<EOF
[service]
command = sleep 100
EOF
	svc checked <<EOF
[service]
command = sleep 100
[health]
cmd = test -e $W/ok
interval = 100ms
retries = 1
on_unhealthy = none
EOF
	svc off <<EOF
[service]
command = sleep 100
autostart = no
EOF
	svc once <<EOF
[service]
command = true
type = oneshot
EOF
	start_supd
	wait_state plain running
	wait_for "healthy" field_is checked health healthy
	wait_state once exited
	# No check: healthy when running. A oneshot that exited 0 is done.
	ctl health plain
	ctl ready plain
	ctl health checked
	ctl ready checked
	ctl health once
	# All: the stopped (not started) service is not meant to run.
	ctl health
	ctl ready
	# Not running, asked by name.
	run ctl health off
	echo "$output"
	[ "$status" = 1 ]
	[ "$output" = "supctl: off: stopped" ]
	run ctl ready off plain
	[ "$status" = 1 ]
	[ "$output" = "supctl: off: stopped" ]
	# Unknown.
	run ctl health nope
	[ "$status" = 1 ]
	[ "$output" = "supctl: no such service: nope" ]
	# Unhealthy: named, and all.
	rm "$W/ok"
	wait_for "unhealthy" field_is checked health unhealthy
	run ctl health checked
	echo "$output"
	[ "$status" = 1 ]
	[ "$output" = "supctl: checked: unhealthy: check failed 1 times in a row (exit 1)" ]
	run ctl ready
	[ "$status" = 1 ]
	[ "$output" = "supctl: checked: unhealthy: check failed 1 times in a row (exit 1)" ]
	run ctl --json health checked
	[ "$status" = 1 ]
	echo "$output" | jq -e '.ok == false'
	ctl health plain
	# Stopped by request: named, it fails; all, it is not meant to run.
	: >"$W/ok"
	wait_for "healthy" field_is checked health healthy
	ctl stop plain
	run ctl health plain
	[ "$status" = 1 ]
	ctl health
}

@test "ready: a service that is not ready yet (ready = notify, no READY=1) is not ready, nor healthy" {
	svc n <<EOF
[service]
command = sleep 100
ready = notify
EOF
	start_supd
	wait_state n starting
	run ctl ready n
	echo "$output"
	[ "$status" = 1 ]
	[ "$output" = "supctl: n: starting (waiting for readiness)" ]
	run ctl health
	[ "$status" = 1 ]
}

@test "events, health and ready are read-only verbs: a socket_group member may use them" {
	groupadd -f supdtest
	cat >>"$T/supd.conf" <<EOF
socket_mode = 0660
socket_group = supdtest
EOF
	svc a <<EOF
[service]
command = sleep 100
EOF
	start_supd
	wait_state a running
	chmod 755 "$T"
	local as=(setpriv --reuid=nobody --regid=nogroup --groups=supdtest)
	run "${as[@]}" "$SUPCTL" -s "$SOCK" health a
	echo "$output"
	[ "$status" = 0 ]
	run "${as[@]}" "$SUPCTL" -s "$SOCK" ready
	[ "$status" = 0 ]
	"${as[@]}" "$SUPCTL" -s "$SOCK" events --since 1h a >"$T/ev" 2>&1 &
	BG+=($!)
	wait_line "$T/ev" "Z a started pid="
	# And nothing that changes a service.
	run "${as[@]}" "$SUPCTL" -s "$SOCK" restart a
	[ "$status" = 1 ]
	[[ "$output" == *"permission denied"* ]]
}

@test "events: the stream ends with supd: supctl exits 3, saying the connection was lost" {
	svc a <<EOF
[service]
command = sleep 100
EOF
	start_supd
	events_bg "$T/ev" --since 1h
	local p=${BG[-1]}
	wait_line "$T/ev" "Z a started pid="
	stop_supd
	# It ends on its own: wait for it, then its status.
	wait_for "supctl events to end" _gone "$p"
	run wait "$p"
	[ "$status" = 3 ]
	grep -q "connection to supd lost" "$T/ev.err"
	# What supd said while stopping came first.
	grep -q "Z a stopped signal=SIGTERM$" "$T/ev"
}

#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# health.bats: [health] -- a command run inside the service's namespaces
# every interval; healthy / unhealthy in status; on_unhealthy = restart after
# `retries` failures in a row; timeouts; start_period; ready = health.

load common

setup() {
	setup_supd
	W=$(mktemp -d /var/tmp/supd-health.XXXXXX)
	chmod 0755 "$W"
}

teardown() {
	teardown_supd
	# A check that outlived supd (a failed test) goes too.
	pkill -KILL -f "$W/" 2>/dev/null || true
	rm -rf "$W"
}

@test "a passing check inside the service's namespaces makes it healthy" {
	# The check sees the service's hostname and its private /tmp, so it
	# runs inside its namespaces, not on the host.
	svc h <<EOF
[service]
command = sh -c 'echo ok >/tmp/ready; exec sleep 100'
[isolation]
hostname = inside
[health]
cmd = sh -c 'test "\$(hostname)" = inside && test -e /tmp/ready'
interval = 200ms
EOF
	start_supd
	wait_for "healthy" field_is h health healthy
	run ctl status h
	echo "$output"
	[[ "$output" == *"running (healthy)"* ]]
	[ "$(ctl inspect h | jq -r .health)" = healthy ]
}

@test "retries failures in a row: unhealthy, then restarted (on_unhealthy = restart)" {
	svc u <<EOF
[service]
command = sleep 100
[health]
cmd = sh -c 'echo x >>$W/checks; test -e $W/healthy'
interval = 100ms
retries = 3
EOF
	start_supd
	wait_state u running
	local p n
	p=$(field u pid)
	wait_for "restarted after unhealthy" field_isnt u pid "$p"
	grep -q "u: unhealthy: check failed 3 times in a row (exit 1); restarting" "$T/supd.err"
	[ "$(field u restarts)" -ge 1 ]
	# Once the check passes it is healthy again and stays put.
	: >"$W/healthy"
	wait_for "healthy" field_is u health healthy
	p=$(field u pid)
	n=$(wc -l <"$W/checks")
	wait_for "three more checks" _more_lines "$W/checks" $((n + 3))
	[ "$(field u pid)" = "$p" ]
	[ "$(field u health)" = healthy ]
}

_more_lines() {
	[ "$(wc -l <"$1")" -ge "$2" ]
}

@test "retries counts failures in a row: a pass resets it (fail, fail, pass, fail, fail stays healthy)" {
	# Check N (counted in $W/n) fails for N = 1, 2, 4, 5 and passes for
	# N = 3 and from 6 on. With retries = 3 that is never three failures
	# in a row -- unless a pass fails to reset the count.
	cat >"$W/check" <<EOF
n=\$((\$(cat $W/n 2>/dev/null || echo 0) + 1))
echo \$n >$W/n
case \$n in 1|2|4|5) exit 1 ;; esac
exit 0
EOF
	svc r <<EOF
[service]
command = sleep 100
[health]
cmd = sh $W/check
interval = 100ms
retries = 3
EOF
	start_supd
	wait_state r running
	local p
	p=$(field r pid)
	# The 7th check started: the 6th (and every one before) was counted,
	# as checks never overlap.
	WAIT_SECS=30 wait_for "seven checks" _count_at_least "$W/n" 7
	grep health "$T/supd.err" || true
	run grep -c unhealthy "$T/supd.err"
	[ "$output" = 0 ]
	[ "$(field r health)" = healthy ]
	[ "$(field r pid)" = "$p" ]
	[ "$(field r restarts)" = 0 ]
}

_count_at_least() {
	[ "$(cat "$1" 2>/dev/null || echo 0)" -ge "$2" ]
}

@test "on_unhealthy = none: marked unhealthy, left running; a timed-out check is a failure" {
	svc n <<EOF
[service]
command = sleep 100
[health]
cmd = sleep 10
interval = 100ms
timeout = 100ms
retries = 2
on_unhealthy = none
EOF
	start_supd
	wait_state n running
	local p
	p=$(field n pid)
	wait_for "unhealthy" field_is n health unhealthy
	[[ "$(field n reason)" == "unhealthy: check timed out 2 times in a row" ]]
	[ "$(field n pid)" = "$p" ]
	[ "$(state n)" = running ]
}

@test "a timed-out check is ended: its process, and what it left in the background, are gone" {
	# The first check hangs ignoring SIGTERM, in two processes whose
	# command lines name $W/hang: the check itself and a child it put in
	# the background (same process group). Later checks pass at once.
	cat >"$W/hang" <<EOF
while :; do sleep 0.1; done
EOF
	cat >"$W/check" <<EOF
[ -e $W/hung ] && exit 0
: >$W/hung
trap '' TERM
sh $W/hang &
exec sh $W/hang
EOF
	svc t <<EOF
[service]
command = sleep 100
[health]
cmd = sh $W/check
interval = 100ms
timeout = 300ms
on_unhealthy = none
EOF
	start_supd
	wait_state t running
	wait_for "the hung check's two processes" _hang_procs 2
	# SIGTERM is ignored: only the SIGKILL that follows it (the exec
	# process's, SPAWN_EXEC_KILL_AFTER = 2 s later) ends them, both.
	WAIT_SECS=20 wait_for "the hung check's processes to be gone" _hang_procs 0 ||
	    { pgrep -a -f "$W/hang"; false; }
	# The checks go on after it: the next one passed.
	wait_for "healthy" field_is t health healthy
	[ "$(_hang_procs_n)" = 0 ]
	[ "$(state t)" = running ]
}

# Processes whose command line holds $W/hang, counted (pgrep skips itself).
_hang_procs_n() {
	pgrep -f -c "$W/hang" || true
}

_hang_procs() {
	[ "$(_hang_procs_n)" = "$1" ]
}

@test "start_period: failures right after a start do not count" {
	svc sp <<EOF
[service]
command = sleep 100
[health]
cmd = sh -c 'echo x >>$W/checks; false'
interval = 100ms
retries = 1
start_period = 2s
on_unhealthy = none
EOF
	start_supd
	wait_state sp running
	# Checks run (and fail) inside the period, yet it is not unhealthy.
	wait_for "two failed checks" _more_lines "$W/checks" 2
	[ "$(field sp health)" = starting ]
	wait_for "unhealthy after the period" field_is sp health unhealthy
}

@test "ready = health: starting until the first passing check; after waits for it" {
	svc db <<EOF
[service]
command = sleep 100
ready = health
[health]
cmd = test -e $W/up
interval = 100ms
EOF
	svc app <<EOF
[service]
command = sleep 100
after = db
EOF
	start_supd
	wait_for "db spawned" field_isnt db pid 0
	[ "$(state db)" = starting ]
	[ "$(field app reason)" = "waiting for db" ]
	: >"$W/up"
	wait_state db running
	wait_state app running
}

@test "[health] keys are checked: no cmd, bad values, ready = health without cmd" {
	svc a <<EOF
[service]
command = /bin/true
[health]
interval = 0
EOF
	svc b <<EOF
[service]
command = /bin/true
ready = health
EOF
	svc c <<EOF
[service]
command = /bin/true
[health]
cmd = true
retries = 0
on_unhealthy = reboot
EOF
	run "$SUPD" --check -c "$T/supd.conf"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -q "a.ini:4: interval '0': must be more than 0"
	echo "$output" | grep -q "a.ini: \[health\] needs cmd"
	echo "$output" | grep -q "b.ini:3: ready = health needs \[health\] cmd"
	echo "$output" | grep -q "c.ini:5: retries '0': too small"
	echo "$output" | grep -q "c.ini:6: on_unhealthy 'reboot': expected restart or none"
}

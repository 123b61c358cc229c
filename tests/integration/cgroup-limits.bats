#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# cgroup-limits.bats: the cgroup v2 keys of [limits] and `supctl stats` on a
# host where cgroup v2 is not the system's (this machine and CI: cgroup v1
# hybrid, so `cgroup = auto` means no tree). What this host can show: a
# service with limits fails to start with one clear reason while the others
# run, a bad value is a config error FILE:LINE, `supd --check` warns and
# still passes, a reload that adds a limit restarts the service into that
# same reason, and `supctl stats` says why it has nothing. Limits applied,
# OOM and the numbers of stats are the VM's checks (tests/vm).

load common

bats_require_minimum_version 1.5.0

setup() {
	# On a pure cgroup v2 machine `auto` uses the system's tree and these
	# services would start: what is checked here does not apply there.
	if [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then
		skip "cgroup v2 is this machine's own: the VM checks cover it"
	fi
	setup_supd
}

teardown() {
	teardown_supd
}

REASON='cgroup v2 memory controller not available: '

# A reason of NAME's status that names the missing controller.
_reason_has() {
	[[ $(field "$1" reason) == *"$2"* ]]
}

@test "a service with memory = 64M fails to start with the clear reason; the others run" {
	svc plain <<EOF
[service]
command = /bin/sleep 1000
EOF
	# An rlimit is not a cgroup limit: this one runs.
	svc rlim <<EOF
[service]
command = /bin/sleep 1000
[limits]
nofile = 256
EOF
	svc capped <<EOF
[service]
command = /bin/sleep 1000
[limits]
memory = 64M
EOF
	start_supd
	wait_state plain running
	wait_state rlim running
	wait_for --show "field capped reason" "capped's reason" \
	    _reason_has capped "$REASON"
	[ "$(field capped pid)" = 0 ]
	grep -q "warning supd: capped: cannot start: $REASON" "$T/supd.err"

	# Asked for by name: refused with the same one reason, exit 1.
	run ctl start capped
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == "supctl: capped: "*"($REASON"*")" ]]
	[[ $output != *$'\n'* ]]

	# The others were never touched.
	local pplain
	pplain=$(field plain pid)
	[ "$(state plain)" = running ]
	[ "$(field plain restarts)" = 0 ]
	kill -0 "$pplain"
}

@test "bad [limits] values are config errors FILE:LINE, all of them, each naming its key" {
	svc bad <<EOF
[service]
command = /bin/sleep 1000
[limits]
memory = lots
memory_high = 0
memory_swap = -1
cpus = 150%
cpu_weight = 0
pids = 0
io_weight = 10001
EOF
	run "$SUPD" --check -c "$T/supd.conf"
	echo "$output"
	[ "$status" -eq 1 ]
	local f=$T/conf.d/bad.ini
	[[ $output == *"$f:4: memory 'lots': invalid size (or max)"* ]]
	[[ $output == *"$f:5: memory_high '0': must be at least 1"* ]]
	[[ $output == *"$f:6: memory_swap '-1': invalid size (or max)"* ]]
	[[ $output == *"$f:7: cpus '150%': invalid number of CPUs (or max)"* ]]
	[[ $output == *"$f:8: cpu_weight '0': must be between 1 and 10000"* ]]
	[[ $output == *"$f:9: pids '0': too small"* ]]
	[[ $output == *"$f:10: io_weight '10001': must be between 1 and 10000"* ]]
	[ "$(grep -c "^$f:" <<<"$output")" -eq 7 ]

	# The same through a reload: refused, the running one stays.
	svc bad <<EOF
[service]
command = /bin/sleep 1000
EOF
	start_supd
	wait_state bad running
	local pid
	pid=$(field bad pid)
	svc bad <<EOF
[service]
command = /bin/sleep 1000
[limits]
cpus = 0.001
EOF
	run ctl reload
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"$f:4: cpus '0.001': must be at least 0.01"* ]]
	[ "$(field bad pid)" = "$pid" ]
}

@test "supd --check warns of limits this machine cannot apply, and passes" {
	svc capped <<EOF
[service]
command = /bin/sleep 1000
[limits]
nofile = 100
memory = 64M
pids = max
EOF
	svc plain <<EOF
[service]
command = /bin/sleep 1000
EOF
	run --separate-stderr "$SUPD" --check -c "$T/supd.conf"
	echo "stdout: $output"
	echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	[ "$output" = "2 services OK" ]
	local f=$T/conf.d/capped.ini
	[ "${#stderr_lines[@]}" -eq 2 ]
	[[ ${stderr_lines[0]} == "$f:5: warning: memory: $REASON"*" (the service will not start here)" ]]
	[[ ${stderr_lines[1]} == "$f:6: warning: pids: cgroup v2 pids controller not available: "*" (the service will not start here)" ]]
}

@test "supctl stats says why it has nothing: no cgroup v2 here, exit 1" {
	svc plain <<EOF
[service]
command = /bin/sleep 1000
EOF
	start_supd
	wait_state plain running

	run --separate-stderr ctl stats
	echo "stdout: $output"
	echo "stderr: $stderr"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ $stderr == "supctl stats: no cgroup v2 here: "?* ]]
	[ "${#stderr_lines[@]}" -eq 1 ]

	# One snapshot, named services: the same answer, at once.
	run --separate-stderr timeout 5 "$SUPCTL" -s "$SOCK" stats --no-stream plain
	[ "$status" -eq 1 ]
	[[ $stderr == "supctl stats: no cgroup v2 here: "?* ]]

	# --json: the error as JSON on stdout.
	run --separate-stderr ctl stats --json
	echo "stdout: $output"
	[ "$status" -eq 1 ]
	jq -e '.ok == false and (.error | startswith("no cgroup v2 here: "))' \
	    <<<"$output"

	# A usage error is still one (exit 2), before anything is asked.
	run ctl stats --follow
	[ "$status" -eq 2 ]
	[[ $output == *"usage: supctl stats"* ]]
	[ "$(state plain)" = running ]
}

@test "reload that adds a limit to a running service here: restarted into the clear reason, not applied in place" {
	svc web <<EOF
[service]
command = /bin/sleep 1000
EOF
	start_supd
	wait_state web running
	local pid
	pid=$(field web pid)

	svc web <<EOF
[service]
command = /bin/sleep 1000
[limits]
memory = 64M
EOF
	run ctl reload
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"reload: 0 added, 1 changed, 0 removed, 0 errors"* ]]
	wait_for --show "field web reason" "web's reason" _reason_has web "$REASON"
	run kill -0 "$pid"
	[ "$status" -ne 0 ]
	grep -q "web: definition changed" "$T/supd.err"
	run grep "limits applied without a restart" "$T/supd.err"
	[ "$status" -eq 1 ]
}

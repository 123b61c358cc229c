#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# ns-adapt.bats: the default isolation adapts to what supd may make (issue
# 14; src/service-ns.c). supd runs as root without CAP_SYS_ADMIN -- the
# capability docker, podman and Kubernetes leave out by default -- so no
# namespace but a user namespace can be made: a service with the default
# isolation runs without them, supd says so once, inspect shows what each
# service got, and a service that asks for a namespace fails saying why.

bats_require_minimum_version 1.5.0

load common

NO_ADMIN="setpriv --bounding-set -sys_admin --inh-caps -sys_admin"
LINE='namespaces: cannot make mount pid ipc uts net cgroup'

setup() {
	setup_supd
}

teardown() {
	teardown_supd
}

# The pid namespace of a process, as the kernel names it.
pidns() {
	readlink "/proc/$1/ns/pid"
}

@test "without CAP_SYS_ADMIN a default service runs in supd's namespaces" {
	svc plain <<EOF
[service]
command = sleep 1000
EOF
	SUPD_WRAP=$NO_ADMIN start_supd
	wait_for --show "state plain" "plain running" field_is plain state \
		running
	pid=$(field plain pid)
	[ "$(pidns "$pid")" = "$(pidns "$SUPD_PID")" ]
	[ "$(readlink "/proc/$pid/ns/mnt")" = \
		"$(readlink "/proc/$SUPD_PID/ns/mnt")" ]
	[ "$(field plain restarts)" = 0 ]
}

@test "supd says once what it cannot make and why" {
	svc plain <<EOF
[service]
command = sleep 1000
EOF
	SUPD_WRAP=$NO_ADMIN start_supd
	wait_for "plain running" field_is plain state running
	# A reload and a restart do not probe or say it again.
	old=$(field plain pid)
	ctl reload
	ctl restart plain
	wait_for "plain running again" field_isnt plain pid "$old"
	wait_for "plain running" field_is plain state running
	run grep -c "$LINE" "$T/supd.err"
	[ "$output" = 1 ]
	line=$(grep "$LINE" "$T/supd.err")
	[[ $line == *"(Operation not permitted: supd lacks CAP_SYS_ADMIN)"* ]]
	[[ $line == *"services with the default isolation run without mount pid ipc uts"* ]]
}

@test "with every capability nothing is said and the default is whole" {
	svc plain <<EOF
[service]
command = sleep 1000
EOF
	start_supd
	wait_for "plain running" field_is plain state running
	refute grep -q "namespaces: cannot make" "$T/supd.err"
	run ctl inspect plain
	[ "$status" -eq 0 ]
	[ "$(jq -c .namespaces_effective <<<"$output")" = \
		'["mount","pid","ipc","uts"]' ]
	[ "$(jq -c .namespaces_unavailable <<<"$output")" = '[]' ]
	pid=$(field plain pid)
	[ "$(pidns "$pid")" != "$(pidns "$SUPD_PID")" ]
}

@test "inspect shows the effective isolation of each service" {
	svc plain <<EOF
[service]
command = sleep 1000
EOF
	svc some <<EOF
[service]
command = sleep 1000
[isolation]
hostname = box
EOF
	svc none <<EOF
[service]
command = sleep 1000
[isolation]
namespaces = none
EOF
	SUPD_WRAP=$NO_ADMIN start_supd
	wait_for "plain running" field_is plain state running
	run ctl inspect plain
	[ "$status" -eq 0 ]
	[ "$(jq -c .namespaces_effective <<<"$output")" = '[]' ]
	[ "$(jq -c .namespaces_unavailable <<<"$output")" = \
		'["mount","pid","ipc","uts"]' ]
	# hostname needs uts: kept (and refused), the rest dropped.
	run ctl inspect some
	[ "$(jq -c .namespaces_effective <<<"$output")" = '["uts"]' ]
	[ "$(jq -c .namespaces_unavailable <<<"$output")" = \
		'["mount","pid","ipc"]' ]
	run ctl inspect none
	[ "$(jq -c .namespaces_effective <<<"$output")" = '[]' ]
	[ "$(jq -c .namespaces_unavailable <<<"$output")" = '[]' ]
}

@test "a service that asks for a namespace fails with the reason, others run" {
	svc plain <<EOF
[service]
command = sleep 1000
EOF
	svc wantpid <<EOF
[service]
command = sleep 1000
[isolation]
namespaces = pid
EOF
	svc wanttmp <<EOF
[service]
command = sleep 1000
[isolation]
private_tmp = yes
EOF
	SUPD_WRAP=$NO_ADMIN start_supd
	wait_for "plain running" field_is plain state running
	want='namespaces: pid: cannot be made here (Operation not permitted: supd lacks CAP_SYS_ADMIN)'
	wait_for --show "field wantpid reason" "wantpid's reason" \
		field_is wantpid reason "$want"
	[ "$(field wantpid pid)" = 0 ] || [ "$(field wantpid pid)" = null ]
	grep -q "wantpid: cannot start: $want" "$T/supd.err"
	# private_tmp set in the file needs the mount namespace.
	wait_for --show "field wanttmp reason" "wanttmp's reason" \
		field_is wanttmp reason \
		'namespaces: mount: cannot be made here (Operation not permitted: supd lacks CAP_SYS_ADMIN)'
	[ "$(field plain state)" = running ]
}

@test "without CAP_SYS_ADMIN supctl exec and health checks work" {
	svc web <<EOF
[service]
command = sleep 1000
[health]
cmd = sh -c 'test -d /proc'
interval = 200ms
EOF
	SUPD_WRAP=$NO_ADMIN start_supd
	wait_for "web running" field_is web state running
	run ctl exec web sh -c 'echo in-web'
	[ "$status" -eq 0 ]
	[ "$output" = in-web ]
	wait_for --show "field web health" "web healthy" field_is web health \
		healthy
}

@test "a service asking for user and the others runs from the start" {
	# What a user namespace adds is probed after the start's services
	# are spawned, or as soon as one asks for it: this one, at boot.
	svc withuser <<EOF
[service]
command = sleep 1000
[isolation]
namespaces = user mount pid ipc uts
EOF
	SUPD_WRAP=$NO_ADMIN start_supd
	wait_for --show "state withuser" "withuser running" field_is withuser \
		state running
	pid=$(field withuser pid)
	[ "$(readlink "/proc/$pid/ns/user")" != \
		"$(readlink "/proc/$SUPD_PID/ns/user")" ]
	[ "$(pidns "$pid")" != "$(pidns "$SUPD_PID")" ]
	[ "$(field withuser restarts)" = 0 ]
	wait_for "the line" grep -q "$LINE" "$T/supd.err"
	line=$(grep "$LINE" "$T/supd.err")
	[[ $line == *"; with 'user' in namespaces: mount pid ipc uts net cgroup;"* ]]
}

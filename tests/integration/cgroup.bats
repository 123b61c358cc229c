#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# cgroup.bats: a cgroup v2 group per service, on the host's own kernel
# (docs/design.md "cgroups", supd.conf(5) [supd] cgroup). This host is a
# cgroup v1 hybrid: its cgroup2 hierarchy (/sys/fs/cgroup/unified) has no
# controllers, but the core of cgroup v2 works there -- groups, cgroup.procs,
# cgroup.kill, cgroup.freeze, cgroup.events, clone3(CLONE_INTO_CGROUP) -- so
# each test gives its supd a tree of its own there (`cgroup = PATH`):
# placement, a stop that kills a daemon that left its process group, a stop
# that waits until the group is empty, pause/unpause, the leftovers of a
# supd killed with SIGKILL, the clone3 and cgroup.kill fallbacks (the faults
# build), exec and health checks in the group, and `auto` where cgroup v2 is
# not the system's. Limits, OOM kills, stats need controllers: the VM (vm.md).
#
# Services run without namespaces, so that pids and /proc are the host's
# (a pid namespace would take a double-forked daemon down with its PID 1),
# and write what the test reads under $H (/var/tmp: not hidden).

bats_require_minimum_version 1.5.0
load common

setup_file() {
	local top
	top=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	[ -x "$B/supd-faults" ] || make -s -C "$top" B="$B" "$B/supd-faults" >&2
}

setup() {
	setup_supd
	# A cgroup2 mount of the host: the hybrid one, or a pure v2 root.
	if [ "$(stat -f -c %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ]; then
		CGMNT=/sys/fs/cgroup/unified
	elif [ "$(stat -f -c %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then
		CGMNT=/sys/fs/cgroup
	else
		skip "no cgroup2 mount on this host"
	fi
	CG=$CGMNT/supd-bats-${T##*.}
	echo "cgroup = $CG" >>"$T/supd.conf"
	H=$(mktemp -d /var/tmp/supd-cgroup.XXXXXX)
	chmod 0755 "$H"
}

# Whatever a failed test left: its processes killed, its groups removed.
cg_cleanup() {
	local d
	[ -n "${CG:-}" ] && [ -d "$CG" ] || return 0
	for d in "$CG"/*/ "$CG"; do
		[ -f "$d/cgroup.kill" ] && echo 1 >"$d/cgroup.kill" 2>/dev/null
	done
	WAIT_SECS=5 wait_for "$CG to empty" _cg_empty "$CG" || true
	for d in "$CG"/*/; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null
	done
	rmdir "$CG" 2>/dev/null || true
}

_cg_empty() {
	grep -q '^populated 0$' "$1/cgroup.events"
}

teardown() {
	local rc=0
	[ -n "${BATS_TEST_COMPLETED:-}" ] || dump_supd
	teardown_supd || rc=$?
	cg_cleanup
	[ -n "${H:-}" ] && rm -rf "$H"
	return $rc
}

# The line of /proc/PID/cgroup for cgroup v2: "/supd-bats-X/web.service".
cg_of() {
	sed -n 's/^0:://p' "/proc/$1/cgroup"
}

# A service whose main process starts a daemon that leaves its session and
# process group (setsid) and writes its pid to $H/NAME.daemon.
daemon_svc() {
	local name=$1 timeout=$2
	cat >"$H/$name.sh" <<EOF
#!/bin/sh
setsid sh -c 'echo \$\$ >$H/$name.daemon.tmp; mv $H/$name.daemon.tmp $H/$name.daemon; exec sleep 1000' &
exec sleep 1000
EOF
	chmod 0755 "$H/$name.sh"
	svc "$name" <<EOF
[service]
command = $H/$name.sh
stop_timeout = $timeout
[isolation]
namespaces = none
EOF
}

# A stop that never completes fails the test: supctl stop is run under
# `timeout 10`.

@test "cgroup: each service runs in TREE/NAME.service, supd in TREE/supd.self" {
	svc web <<'EOF'
[service]
command = sleep 1000
[isolation]
namespaces = none
EOF
	start_supd
	wait_state web running
	local pid rel
	pid=$(field web pid)
	rel=${CG#"$CGMNT"}
	[ "$(cg_of "$pid")" = "$rel/web.service" ]
	[ "$(cg_of "$SUPD_PID")" = "$rel/supd.self" ]
	grep -qx "$pid" "$CG/web.service/cgroup.procs"
	grep -q "supd: cgroup: tree $CG" "$T/supd.err"
	# inspect and --json status show the group.
	ctl inspect web | jq -e --arg p "$CG/web.service" \
		'.cgroup.path == $p and .cgroup.populated == true and .oom_kills == 0'
	ctl --json status web | jq -e '.[0].oom_kills == 0'
	# A restart reuses the group.
	ctl restart web
	pid=$(field web pid)
	[ "$(cg_of "$pid")" = "$rel/web.service" ]
}

@test "cgroup: stop kills a daemon that left the process group (cgroup.kill), nothing is left (F11)" {
	daemon_svc web 1s
	start_supd
	wait_state web running
	wait_for "the daemon's pid" test -s "$H/web.daemon"
	local d
	d=$(cat "$H/web.daemon")
	[ "$(cg_of "$d")" = "${CG#"$CGMNT"}/web.service" ]
	# Not in the service's process group: signals to it miss the daemon.
	[ "$(ps -o pgid= -p "$d" | tr -d ' ')" != "$(field web pid)" ]
	run timeout 10 "$SUPCTL" -s "$SOCK" stop web
	[ "$status" -eq 0 ]
	# The moment stop returns: nothing of the service runs.
	grep -q '^populated 0$' "$CG/web.service/cgroup.events"
	[ -z "$(cat "$CG/web.service/cgroup.procs")" ]
	_dead "$d"
	[ "$(state web)" = stopped ]
	grep -q "web: did not stop within 1000 ms, sending SIGKILL" "$T/supd.err"
}

@test "cgroup: a stop waits until the group is empty, not only for the main process" {
	daemon_svc web 60s
	start_supd
	wait_state web running
	wait_for "the daemon's pid" test -s "$H/web.daemon"
	ctl stop --no-wait web
	# The main process is reaped (pid 0), the daemon still runs: stopping.
	wait_for --show "field web pid" "web's main process to be reaped" \
		field_is web pid 0
	[ "$(state web)" = stopping ]
	grep -q '^populated 1$' "$CG/web.service/cgroup.events"
	kill -KILL "$(cat "$H/web.daemon")"
	wait_state web stopped
	grep -q '^populated 0$' "$CG/web.service/cgroup.events"
}

@test "cgroup: pause freezes every process (a counter stands still), unpause lets it go on, stop thaws" {
	local svcname
	for svcname in count ref; do
		svc "$svcname" <<EOF
[service]
command = sh -c 'i=0; while :; do i=\$((i+1)); echo \$i >$H/$svcname.tmp; mv $H/$svcname.tmp $H/$svcname; sleep 0.02; done'
stop_timeout = 60s
[isolation]
namespaces = none
EOF
	done
	start_supd
	wait_state count running
	wait_for "count to count" test -s "$H/count"
	run ctl pause count
	[ "$status" -eq 0 ]
	[ "$(state count)" = paused ]
	wait_for "count's group to be frozen" \
		grep -q '^frozen 1$' "$CG/count.service/cgroup.events"
	local c r
	c=$(cat "$H/count")
	# Time passes for ref (20 more steps), not for count.
	wait_for "ref to count" test -s "$H/ref"
	r=$(cat "$H/ref")
	wait_for "ref to go 20 further" \
		sh -c "[ \"\$(cat $H/ref)\" -ge $((r + 20)) ]"
	[ "$(cat "$H/count")" = "$c" ]
	ctl --json status count | jq -e '.[0].state == "paused"'
	run ctl pause count
	[ "$status" -eq 1 ]
	[[ "$output" == *"count: already paused"* ]]
	run ctl unpause count
	[ "$status" -eq 0 ]
	[ "$(state count)" = running ]
	wait_for "count to go on" sh -c "[ \"\$(cat $H/count)\" -gt $c ]"
	run ctl unpause count
	[ "$status" -eq 1 ]
	[[ "$output" == *"count: not paused"* ]]
	# A paused service stops at once (stop_timeout is 60 s): thawed first.
	ctl pause count
	local t0
	t0=$(mono_ms)
	run timeout 10 "$SUPCTL" -s "$SOCK" stop count
	[ "$status" -eq 0 ]
	[ "$(state count)" = stopped ]
	[ $(($(mono_ms) - t0)) -lt 5000 ]
	grep -q '^frozen 0$' "$CG/count.service/cgroup.events"
	# Not running: nothing to pause.
	run ctl pause count
	[ "$status" -eq 1 ]
	[[ "$output" == *"count: not running"* ]]
}

_runs() {
	ctl inspect web | jq -r '.health_checks.runs'
}

_runs_above() {
	[ "$(_runs)" -gt "$1" ]
}

_past() {
	[ "$(mono_ms)" -ge "$1" ]
}

@test "cgroup: a paused service is not health-checked, its uptime goes on; the checks resume after unpause" {
	svc web <<'EOF'
[service]
command = sleep 1000
[isolation]
namespaces = none
[health]
cmd = true
interval = 100ms
EOF
	start_supd
	wait_state web running
	wait_for --show _runs "two health checks" _runs_above 1
	ctl pause web
	local n t
	n=$(_runs)
	# Ten intervals pass: no check runs.
	t=$(($(mono_ms) + 1000))
	wait_for "1 s to pass" _past "$t"
	[ "$(_runs)" = "$n" ]
	[ "$(state web)" = paused ]
	ctl unpause web
	# The same run: its uptime counts the paused second.
	[ "$(field web uptime_ms)" -ge 1000 ]
	wait_for --show _runs "the checks to resume" _runs_above "$n"
	[ "$(field web health)" = healthy ]
}

@test "cgroup: the groups of a supd killed with SIGKILL are emptied and removed at the next start" {
	daemon_svc web 1s
	start_supd
	wait_state web running
	wait_for "the daemon's pid" test -s "$H/web.daemon"
	local d
	d=$(cat "$H/web.daemon")
	mkdir "$CG/web.service/sub"	# a group the service made itself
	kill -KILL "$SUPD_PID"
	wait "$SUPD_PID" || true
	SUPD_PID=
	# The daemon outlived supd, in the old group.
	kill -0 "$d"
	rm -f "$H/web.daemon"
	start_supd
	wait_state web running
	_dead "$d"
	grep -q "supd: cgroup: removed 1 group left by a previous supd" "$T/supd.err"
	[ ! -d "$CG/web.service/sub" ]
	# The new run has a fresh group of its own.
	[ "$(cg_of "$(field web pid)")" = "${CG#"$CGMNT"}/web.service" ]
}

@test "cgroup: supd leaves nothing in the host's hierarchy when it exits, a removed service's group goes at reload" {
	svc web <<'EOF'
[service]
command = sleep 1000
[isolation]
namespaces = none
EOF
	svc other <<'EOF'
[service]
command = sleep 1000
[isolation]
namespaces = none
EOF
	start_supd
	wait_state web running
	wait_state other running
	[ -d "$CG/other.service" ]
	rm "$T/conf.d/other.ini"
	ctl reload
	wait_for "other's group to go" test ! -d "$CG/other.service"
	[ -d "$CG/web.service" ]
	stop_supd
	[ "$SUPD_STATUS" = 0 ]
	[ ! -d "$CG" ]
}

# How many of supd's descriptors name FILE (a path).
fds_to() {
	local f n=0
	for f in /proc/"$SUPD_PID"/fd/*; do
		[ "$(readlink "$f" 2>/dev/null)" = "$1" ] && n=$((n + 1))
	done
	echo "$n"
}

@test "cgroup: stats keeps a group's files open (one each, however many calls) until the service goes" {
	svc web <<'EOF'
[service]
command = sleep 1000
[isolation]
namespaces = none
EOF
	svc other <<'EOF'
[service]
command = sleep 1000
[isolation]
namespaces = none
EOF
	start_supd
	wait_state web running
	wait_state other running
	# Not before stats asks: no file of the group is open.
	[ "$(fds_to "$CG/web.service/cpu.stat")" = 0 ]
	local n0 i
	n0=$(ls /proc/"$SUPD_PID"/fd | wc -l)
	for i in 1 2 3; do
		ctl stats --no-stream --json | jq -e 'length == 2 and
		    (.[] | select(.name == "web") | .cpu_usec >= 0)'
	done
	# This hybrid host's tree has no controllers: cpu.stat is the one
	# file of each group (memory.current and the others are not there).
	[ "$(fds_to "$CG/web.service/cpu.stat")" = 1 ]
	[ "$(fds_to "$CG/other.service/cpu.stat")" = 1 ]
	[ "$(ls /proc/"$SUPD_PID"/fd | wc -l)" = $((n0 + 2)) ]
	# A removed service's kept file is closed with its group.
	rm "$T/conf.d/other.ini"
	ctl reload
	wait_for "other's group to go" test ! -d "$CG/other.service"
	[ "$(fds_to "$CG/other.service/cpu.stat")" = 0 ]
	[ "$(fds_to "$CG/web.service/cpu.stat")" = 1 ]
	n0=$(ls /proc/"$SUPD_PID"/fd | wc -l)
	for i in 1 2 3; do
		ctl stats --no-stream --json web | jq -e '.[0].name == "web"'
	done
	[ "$(ls /proc/"$SUPD_PID"/fd | wc -l)" = "$n0" ]
}

@test "cgroup: without clone3 the child joins its group through cgroup.procs (faults build), a cgroup namespace rooted there" {
	svc web <<EOF
[service]
command = sh -c 'cat /proc/self/cgroup >$H/inside; exec sleep 1000'
[isolation]
namespaces = mount cgroup
EOF
	SUPD=$B/supd-faults SUPD_TEST_NO_CLONE3=1 start_supd
	wait_state web running
	[ "$(cg_of "$(field web pid)")" = "${CG#"$CGMNT"}/web.service" ]
	grep -q "cgroup: no clone3 here" "$T/supd.err"
	wait_for "the service's view" test -s "$H/inside"
	grep -qx '0::/' "$H/inside"
}

@test "cgroup: without cgroup.kill a stop freezes, kills each process, thaws (faults build)" {
	daemon_svc web 1s
	SUPD=$B/supd-faults SUPD_TEST_NO_CGROUP_KILL=1 start_supd
	wait_state web running
	wait_for "the daemon's pid" test -s "$H/web.daemon"
	local d
	d=$(cat "$H/web.daemon")
	run timeout 10 "$SUPCTL" -s "$SOCK" stop web
	[ "$status" -eq 0 ]
	grep -q '^populated 0$' "$CG/web.service/cgroup.events"
	grep -q '^frozen 0$' "$CG/web.service/cgroup.events"
	_dead "$d"
}

# ---- supctl exec and health checks: in the service's group -------------------

# $H/session.sh TAG [daemon]: an exec session that records its pid in
# $H/TAG.e (and with `daemon` first starts one that leaves its session, pid
# in $H/TAG.d, its stdio away from supctl's pipes), then stays.
# $H/check.sh: a health check that records its own and its exec process's
# cgroup ($H/check.cg) and its pid ($H/check.pid), then stays.
session_sh() {
	cat >"$H/session.sh" <<EOF
#!/bin/sh
if [ "\$2" = daemon ]; then
	setsid sh -c 'echo \$\$ >$H/\$0.d.tmp; mv $H/\$0.d.tmp $H/\$0.d; exec sleep 1000' "\$1" </dev/null >/dev/null 2>&1 &
fi
echo \$\$ >$H/\$1.e.tmp; mv $H/\$1.e.tmp $H/\$1.e
exec sleep 1000
EOF
	cat >"$H/check.sh" <<EOF
#!/bin/sh
cat /proc/\$\$/cgroup /proc/\$PPID/cgroup >$H/check.tmp
mv $H/check.tmp $H/check.cg
echo \$\$ >$H/check.pid
exec sleep 1000
EOF
	chmod 0755 "$H/session.sh" "$H/check.sh"
}

# An exec session of NAME's in the background (supctl's pid in $EPID),
# once it runs.
exec_session() {
	local name=$1 tag=$2
	"$SUPCTL" -s "$SOCK" exec "$name" "$H/session.sh" "$tag" ${3:-} \
		</dev/null >/dev/null 2>"$H/$tag.err" &
	EPID=$!
	wait_for "exec session $tag" test -s "$H/$tag.e"
	[ -z "${3:-}" ] || wait_for "exec session $tag's daemon" test -s "$H/$tag.d"
}

# supctl's exit status for the session in $EPID, which must have ended.
exec_status() {
	local rc=0
	_dead "$EPID" || { echo running; return 0; }
	wait "$EPID" || rc=$?
	echo "$rc"
}

# The placement of exec and health processes (clone3, or the fallback):
# their /proc/PID/cgroup, and a stop's cgroup.kill ends them all.
exec_health_placed() {
	local rel=${CG#"$CGMNT"}/web.service out p
	session_sh
	svc web <<EOF
[service]
command = sleep 1000
stop_timeout = 1s
[isolation]
namespaces = none
[health]
cmd = $H/check.sh
interval = 100ms
timeout = 60s
EOF
	start_supd
	wait_state web running
	# A short exec: its command and its exec process (the parent).
	out=$(ctl exec web sh -c 'cat /proc/$$/cgroup /proc/$PPID/cgroup')
	echo "$out"
	[ "$(echo "$out" | grep -cx "0::$rel")" = 2 ]
	# A long one seen from the host, with the daemon it started.
	exec_session web s1 daemon
	[ "$(cg_of "$(cat "$H/s1.e")")" = "$rel" ]
	[ "$(cg_of "$(cat "$H/s1.d")")" = "$rel" ]
	grep -qx "$(cat "$H/s1.e")" "$CG/web.service/cgroup.procs"
	# The health check and its exec process.
	wait_for "the health check" test -s "$H/check.pid"
	cat "$H/check.cg"
	[ "$(grep -cx "0::$rel" "$H/check.cg")" = 2 ]
	[ "$(cg_of "$(cat "$H/check.pid")")" = "$rel" ]
	# stop: the session's daemon had no signal, the group's kill ends
	# it after stop_timeout; then nothing is left, and supctl exec
	# exits as its killed command did (128 + SIGKILL).
	run timeout 10 "$SUPCTL" -s "$SOCK" stop web
	[ "$status" -eq 0 ]
	grep -q '^populated 0$' "$CG/web.service/cgroup.events"
	for p in "$(cat "$H/s1.e")" "$(cat "$H/s1.d")" "$(cat "$H/check.pid")"; do
		_dead "$p"
	done
	wait_for "supctl exec to end" _dead "$EPID"
	[ "$(exec_status)" = 137 ]
}

@test "cgroup: supctl exec and health checks run in the service's group; a stop's cgroup.kill ends them and what they started" {
	exec_health_placed
}

@test "cgroup: without clone3, exec and health checks join the group through cgroup.procs (faults build)" {
	SUPD=$B/supd-faults SUPD_TEST_NO_CLONE3=1 exec_health_placed
	grep -q "cgroup: no clone3 here" "$T/supd.err"
}

@test "cgroup: a stop does not wait stop_timeout for an exec session: it ends with the main process (supctl exec exits 137)" {
	session_sh
	svc web <<'EOF'
[service]
command = sleep 1000
stop_timeout = 60s
[isolation]
namespaces = none
EOF
	start_supd
	wait_state web running
	exec_session web s1
	local t0 e
	e=$(cat "$H/s1.e")
	t0=$(mono_ms)
	run timeout 10 "$SUPCTL" -s "$SOCK" stop web
	[ "$status" -eq 0 ]
	[ $(($(mono_ms) - t0)) -lt 5000 ]
	[ "$(state web)" = stopped ]
	grep -q '^populated 0$' "$CG/web.service/cgroup.events"
	_dead "$e"
	wait_for "supctl exec to end" _dead "$EPID"
	[ "$(exec_status)" = 137 ]
	grep -q "web: main process gone: 1 exec process killed" "$T/supd.err"
}

@test "cgroup: a main process that ends on its own ends the exec sessions and what they started; exited once the group is empty" {
	session_sh
	svc web <<EOF
[service]
command = sh -c 'while [ ! -e $H/quit ]; do sleep 0.05; done'
restart = no
stop_timeout = 60s
[isolation]
namespaces = none
EOF
	start_supd
	wait_state web running
	exec_session web s1 daemon
	local e d
	e=$(cat "$H/s1.e")
	d=$(cat "$H/s1.d")
	touch "$H/quit"
	wait_state web exited
	# The moment it is exited, nothing of it runs.
	grep -q '^populated 0$' "$CG/web.service/cgroup.events"
	_dead "$e"
	_dead "$d"
	[ "$(field web exit_code)" = 0 ]
	wait_for "supctl exec to end" _dead "$EPID"
	[ "$(exec_status)" = 137 ]
}

@test "cgroup: exec into a paused service is refused with the reason; a running session is frozen with the service" {
	svc web <<'EOF'
[service]
command = sleep 1000
stop_timeout = 60s
[isolation]
namespaces = none
EOF
	start_supd
	wait_state web running
	"$SUPCTL" -s "$SOCK" exec web sh -c "i=0; while :; do i=\$((i+1)); echo \$i >$H/n.tmp; mv $H/n.tmp $H/n; sleep 0.02; done" \
		</dev/null >/dev/null 2>&1 &
	EPID=$!
	wait_for "the session to count" test -s "$H/n"
	ctl pause web
	wait_for "the group to be frozen" \
		grep -q '^frozen 1$' "$CG/web.service/cgroup.events"
	local c t
	c=$(cat "$H/n")
	# Half a second (25 steps) passes: the session stands still.
	t=$(($(mono_ms) + 500))
	wait_for "0.5 s to pass" _past "$t"
	[ "$(cat "$H/n")" = "$c" ]
	run timeout 10 "$SUPCTL" -s "$SOCK" exec web true
	[ "$status" -eq 1 ]
	[[ "$output" == *"web: paused (unpause it before exec)"* ]]
	ctl unpause web
	wait_for "the session to go on" sh -c "[ \"\$(cat $H/n)\" -gt $c ]"
	run timeout 10 "$SUPCTL" -s "$SOCK" exec web true
	[ "$status" -eq 0 ]
	# Paused again, a stop thaws: the session ends with the service.
	ctl pause web
	run timeout 10 "$SUPCTL" -s "$SOCK" stop web
	[ "$status" -eq 0 ]
	wait_for "supctl exec to end" _dead "$EPID"
	[ "$(exec_status)" = 137 ]
}

@test "cgroup = auto where cgroup v2 is not the system's: services run as without, pause says why" {
	[ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] ||
		skip "cgroup v2 is this host's hierarchy"
	sed -i '/^cgroup = /d' "$T/supd.conf"
	svc web <<'EOF'
[service]
command = sleep 1000
[isolation]
namespaces = none
EOF
	start_supd
	wait_state web running
	grep -q "supd: cgroup: none: cgroup v2 is not this system's hierarchy" "$T/supd.err"
	ctl inspect web | jq -e '.cgroup == null'
	ctl --json status web | jq -e '.[0] | has("oom_kills") | not'
	run ctl pause web
	[ "$status" -eq 1 ]
	[[ "$output" == *"web: cgroup v2 is not this system's hierarchy"* ]]
	[ ! -d "$CG" ]
}

@test "cgroup: a tree not on cgroup2 is a configuration error FILE:LINE" {
	sed -i "s|^cgroup = .*|cgroup = $T/not-a-cgroup|" "$T/supd.conf"
	run "$SUPD" -c "$T/supd.conf" --check
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/supd.conf:7: cgroup '$T/not-a-cgroup': not on a cgroup2 file system"* ]]
	sed -i "s|^cgroup = .*|cgroup = relative/path|" "$T/supd.conf"
	run "$SUPD" -c "$T/supd.conf" --check
	[ "$status" -eq 1 ]
	[[ "$output" == *"supd.conf:7: cgroup 'relative/path': expected auto, no or an absolute path"* ]]
}

#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# deps.bats: after, requires, type = oneshot, ready = notify | fd:N, and the
# shutdown in reverse dependency order. Services record what they do in
# $W/order (under /var/tmp: a service's private /tmp would hide /tmp).

load common

setup() {
	setup_supd
	W=$(mktemp -d /var/tmp/supd-deps.XXXXXX)
	chmod 0755 "$W"
}

teardown() {
	local rc=0
	teardown_supd || rc=1
	rm -rf "$W"
	return $rc
}

# A service that logs "start-NAME" and, on SIGTERM, "stop-NAME" to $W/order.
# rec NAME [EXTRA [service] LINES]
rec() {
	local name=$1
	shift
	{
		printf '[service]\n'
		printf "command = sh -c 'trap \"echo stop-%s >>%s/order; exit 0\" TERM; echo start-%s >>%s/order; while :; do sleep 0.05; done'\n" \
		    "$name" "$W" "$name" "$W"
		printf '%s\n' "$@"
	} >"$T/conf.d/$name.ini"
}

_order_has() {
	grep -qx "$1" "$W/order" 2>/dev/null
}

# line number of an entry in $W/order
pos() {
	grep -nx "$1" "$W/order" | cut -d: -f1
}

# app1 and app2 each become ready only once the other one has started: if
# supd waited for one dependent to be ready before it started the next,
# neither would ever be (ready = fd:3: a newline once the other's
# start-NAME line is in $W/order). Parallel starts proven by construction,
# not by timing.
# peer_app NAME OTHER
peer_app() {
	cat >"$W/$1.sh" <<EOF
echo start-$1 >>$W/order
until grep -qx start-$2 $W/order; do sleep 0.02; done
echo ready-$1 >>$W/order
echo >&3
exec sleep 100
EOF
	cat >"$T/conf.d/$1.ini" <<EOF
[service]
command = sh $W/$1.sh
requires = db
ready = fd:3
EOF
}

@test "oneshot migration, then db, then two apps: order observed, apps in parallel" {
	cat >"$T/conf.d/migrate.ini" <<EOF
[service]
command = sh -c 'echo start-migrate >>$W/order; while [ ! -e $W/go ]; do sleep 0.02; done; echo done-migrate >>$W/order'
type = oneshot
EOF
	# db is ready once its start-db line is written: with no readiness
	# its dependents would start as soon as it was forked, and their
	# lines could come first (seen in CI).
	cat >"$T/conf.d/db.ini" <<EOF
[service]
command = sh -c 'echo start-db >>$W/order; echo >&3; exec sleep 100'
requires = migrate
ready = fd:3
EOF
	peer_app app1 app2
	peer_app app2 app1
	# A third app that never becomes ready (first in name order): the
	# others are not serialized behind it.
	cat >"$T/conf.d/app-stuck.ini" <<EOF
[service]
command = sh -c 'echo start-app-stuck >>$W/order; exec sleep 100'
requires = db
ready = fd:3
EOF
	WAIT_SECS=30 start_supd
	# While migrate runs, everything else says what it waits for.
	wait_for "db waiting" field_is db reason "waiting for migrate"
	[ "$(state db)" = starting ]
	[ "$(field app1 reason)" = "waiting for db" ]
	[ "$(field app1 pid)" = 0 ]
	run ctl status
	echo "$output"
	[[ "$output" == *"starting (waiting for db)"* ]]
	: >"$W/go"
	WAIT_SECS=30 wait_state app1 running
	WAIT_SECS=30 wait_state app2 running
	wait_for "app-stuck started" _order_has start-app-stuck
	cat "$W/order"
	[ "$(state migrate)" = exited ]
	[ "$(field migrate exit_code)" = 0 ]
	[ "$(pos done-migrate)" -lt "$(pos start-db)" ]
	[ "$(pos start-db)" -lt "$(pos start-app1)" ]
	[ "$(pos start-db)" -lt "$(pos start-app2)" ]
	[ "$(pos start-db)" -lt "$(pos start-app-stuck)" ]
	# Both were started before either was ready: in parallel.
	[ "$(pos start-app1)" -lt "$(pos ready-app2)" ]
	[ "$(pos start-app2)" -lt "$(pos ready-app1)" ]
	# The one that never became ready runs, still starting, unwaited for.
	[ "$(state app-stuck)" = starting ]
	[ "$(field app-stuck pid)" -gt 0 ]
}

@test "a failing requirement stops its dependents; a failed one keeps them from starting" {
	cat >"$T/conf.d/db.ini" <<EOF
[service]
command = sh -c 'while [ ! -e $W/crash ]; do sleep 0.05; done; exit 3'
restart = no
EOF
	rec app "requires = db"
	start_supd
	wait_state app running
	local p
	p=$(field app pid)
	: >"$W/crash"
	wait_state db exited
	wait_state app stopped
	[ "$(field app reason)" = "requirement db failed" ]
	_gone "$p"
	# A requirement that cannot even be spawned fails the dependent's
	# start, and the dependent never runs.
	cat >"$T/conf.d/broken.ini" <<EOF
[service]
command = /nonexistent/broken
restart = no
EOF
	rec app2 "requires = broken"
	ctl reload || true
	run ctl start app2
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"requirement broken failed"* ]]
	[ "$(state app2)" = failed ]
	[ "$(state broken)" = failed ]
	! _order_has start-app2
}

@test "stopping a requirement stops its dependents; starting a dependent starts its requirement" {
	rec db
	rec app "requires = db"
	start_supd
	wait_state app running
	ctl stop db
	wait_state app stopped
	[ "$(field app reason)" = "requirement db stopped" ]
	ctl start app
	[ "$(state db)" = running ]
	[ "$(state app)" = running ]
}

@test "a dependency cycle and an unknown name are config errors naming them" {
	rec a "requires = b"
	rec b "after = c"
	rec c "requires = a"
	rec d "requires = nosuch"
	rec e
	run "$SUPD" --check -c "$T/supd.conf"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -Eq "\.ini:3: dependency cycle: (a -> b -> c -> a|b -> c -> a -> b|c -> a -> b -> c)$"
	echo "$output" | grep -q "d.ini:3: requires: unknown service 'nosuch'"
	# supd runs what is valid and reports the rest.
	start_supd
	wait_state e running
	run ctl status a
	[ "$status" -eq 1 ]
	grep -q "dependency cycle" "$T/supd.err"
}

@test "reload that would make a cycle is refused; the old definitions keep running" {
	rec a
	rec b "requires = a"
	start_supd
	wait_state b running
	local pa pb
	pa=$(field a pid)
	pb=$(field b pid)
	rec a "requires = b"
	run ctl reload
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"dependency cycle"* ]]
	[ "$(field a pid)" = "$pa" ]
	[ "$(field b pid)" = "$pb" ]
}

@test "ready = notify: systemd-notify --ready makes it running; after waits for it" {
	command -v systemd-notify
	cat >"$T/conf.d/n.ini" <<EOF
[service]
command = sh -c 'while [ ! -e $W/go ]; do sleep 0.05; done; systemd-notify --ready --status="serving"; exec sleep 100'
ready = notify
EOF
	rec app "after = n"
	start_supd
	wait_for "n started" field_isnt n pid 0
	[ "$(state n)" = starting ]
	[ "$(field app reason)" = "waiting for n" ]
	: >"$W/go"
	wait_state n running
	wait_state app running
	wait_for "n's status" field_is n reason serving
	# NOTIFY_SOCKET is in the service's environment (a path of its own
	# view: its private /tmp here).
	tr '\0' '\n' <"/proc/$(field n pid)/environ" | grep '^NOTIFY_SOCKET=/'

}

@test "ready = fd:3: a newline on fd 3 makes it running; requires waits for it" {
	cat >"$T/conf.d/f.ini" <<EOF
[service]
command = sh -c 'while [ ! -e $W/go ]; do sleep 0.05; done; echo >&3; exec sleep 100'
ready = fd:3
EOF
	rec app "requires = f"
	start_supd
	wait_for "f started" field_isnt f pid 0
	[ "$(state f)" = starting ]
	[ "$(state app)" = starting ]
	refute _order_has start-app
	: >"$W/go"
	wait_state f running
	wait_state app running
	wait_for "app started" _order_has start-app
}

# A service that takes a second to stop: on SIGTERM it logs "term-NAME",
# works for a second, then logs "stopped-NAME" and exits.
# slow_stop NAME [EXTRA [service] LINES]
slow_stop() {
	local name=$1
	shift
	cat >"$W/$name.sh" <<EOF
trap 'echo term-$name >>$W/order; sleep 1; echo stopped-$name >>$W/order; exit 0' TERM
echo start-$name >>$W/order
while :; do sleep 0.05; done
EOF
	{
		printf '[service]\ncommand = sh %s\n' "$W/$name.sh"
		printf '%s\n' "$@"
	} >"$T/conf.d/$name.ini"
}

@test "shutdown stops services in reverse dependency order, then supd exits 0" {
	# Each dependent takes a second to stop: supd must wait for it to
	# have exited, not only for its SIGTERM to be sent, before it stops
	# what it requires (or comes after).
	slow_stop db
	slow_stop app1 "requires = db"
	slow_stop app2 "requires = db" "after = app1"
	start_supd
	wait_state app2 running
	wait_for "all started" lines_are "$W/order" 3
	WAIT_SECS=30 stop_supd
	[ "$SUPD_STATUS" = 0 ]
	cat "$W/order"
	# One SIGTERM each (a second one is a second stop request, one that
	# many programs take as "now").
	[ "$(grep -c '^term-' "$W/order")" = 3 ]
	[ "$(pos stopped-app2)" -lt "$(pos term-app1)" ]
	[ "$(pos stopped-app1)" -lt "$(pos term-db)" ]
	[ "$(pos stopped-app2)" -lt "$(pos term-db)" ]
	[ "$(grep -c '^stopped-' "$W/order")" = 3 ]
}

# ---- issue 8, item 3: what requires and after promise (supd.conf(5)) -------

# NAME runs with a pid other than OLD.
_runs_anew() {
	local p
	p=$(field "$1" pid)
	[ "$(state "$1")" = running ] && [ "$p" != 0 ] && [ "$p" != "$2" ]
}

@test "requires: a crash that the restart policy restarts does not stop the dependent" {
	cat >"$T/conf.d/db.ini" <<EOF
[service]
command = sh -c 'echo run-db >>$W/order; exec sleep 1000'
restart = on-failure
restart_delay = 3s
EOF
	rec app "requires = db"
	start_supd
	wait_state app running
	local pdb papp
	pdb=$(field db pid)
	papp=$(field app pid)
	kill -KILL "$pdb"
	wait_state db backoff
	[ "$(field db exit_signal)" = SIGKILL ]
	# Down, with a restart pending: the dependent runs on ...
	[ "$(state app)" = running ]
	[ "$(field app pid)" = "$papp" ]
	wait_for "db to run again" _runs_anew db "$pdb"
	[ "$(field db restarts)" = 1 ]
	# ... and was never stopped or started again.
	[ "$(state app)" = running ]
	[ "$(field app pid)" = "$papp" ]
	[ "$(field app restarts)" = 0 ]
	[ "$(field app reason)" = null ]
	kill -0 "$papp"
	cat "$W/order"
	run _order_has stop-app
	[ "$status" -ne 0 ]
	[ "$(grep -cx start-app "$W/order")" = 1 ]
	[ "$(grep -cx run-db "$W/order")" = 2 ]
}

@test "after: a service that is stopped or failed is not waited for, nor started" {
	rec x "autostart = no"
	cat >"$T/conf.d/f.ini" <<EOF
[service]
command = /nonexistent/f
restart = no
EOF
	rec y "after = x" "after = f"
	start_supd
	wait_state f failed
	wait_state y running
	wait_for "y to start" _order_has start-y
	[ "$(field y reason)" = null ]
	# after only orders: x was not started for y.
	[ "$(state x)" = stopped ]
	[ "$(field x pid)" = 0 ]
	run _order_has start-x
	[ "$status" -ne 0 ]
	# Nor does x starting and stopping touch y.
	local py
	py=$(field y pid)
	ctl start x
	ctl stop x
	[ "$(state y)" = running ]
	[ "$(field y pid)" = "$py" ]
	run _order_has stop-y
	[ "$status" -ne 0 ]
}

_pid_anew() {
	local p
	p=$(field "$1" pid)
	[ "$p" != 0 ] && [ "$p" != "$2" ]
}

@test "restarting a requirement restarts its dependents once it is ready again; stopping it stops them" {
	# db is ready (fd 3) only while $W/go exists.
	cat >"$W/db.sh" <<EOF
echo start-db >>$W/order
until [ -e $W/go ]; do sleep 0.02; done
echo ready-db >>$W/order
echo >&3
exec sleep 1000
EOF
	cat >"$T/conf.d/db.ini" <<EOF
[service]
command = sh $W/db.sh
ready = fd:3
EOF
	rec app "requires = db"
	touch "$W/go"
	start_supd
	wait_state app running
	local pdb papp
	pdb=$(field db pid)
	papp=$(field app pid)
	rm "$W/go"
	ctl restart --no-wait db
	# db runs anew, not ready yet: app was stopped and waits for it.
	wait_for "db to be spawned anew" _pid_anew db "$pdb"
	wait_for "app to wait for db" field_is app reason "waiting for db"
	[ "$(state app)" = starting ]
	[ "$(field app pid)" = 0 ]
	wait_for "the old app to be gone" _gone "$papp"
	run _order_has start-app
	[ "$(grep -cx start-app "$W/order")" = 1 ]
	touch "$W/go"
	wait_state db running
	wait_state app running
	wait_for "app to run anew" _pid_anew app "$papp"
	kill -0 "$(field app pid)"
	[ "$(field app reason)" = null ]
	cat "$W/order"
	# Started again only after db said it was ready again.
	[ "$(grep -cx start-app "$W/order")" = 2 ]
	[ "$(grep -nx start-app "$W/order" | tail -1 | cut -d: -f1)" -gt \
	    "$(grep -nx ready-db "$W/order" | tail -1 | cut -d: -f1)" ]
	# A stop still stops what requires it, for good.
	papp=$(field app pid)
	ctl stop db
	wait_state app stopped
	[ "$(field app reason)" = "requirement db stopped" ]
	wait_for "app to be gone" _gone "$papp"
	[ "$(state db)" = stopped ]
	[ "$(grep -cx start-app "$W/order")" = 2 ]
}

#!/usr/bin/env bats
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

@test "oneshot migration, then db, then two apps: order observed, apps in parallel" {
	cat >"$T/conf.d/migrate.ini" <<EOF
[service]
command = sh -c 'echo start-migrate >>$W/order; while [ ! -e $W/go ]; do sleep 0.02; done; echo done-migrate >>$W/order'
type = oneshot
EOF
	rec db "requires = migrate"
	rec app1 "requires = db"
	rec app2 "requires = db"
	start_supd
	# While migrate runs, everything else says what it waits for.
	wait_for "db waiting" field_is db reason "waiting for migrate"
	[ "$(state db)" = starting ]
	[ "$(field app1 reason)" = "waiting for db" ]
	[ "$(field app1 pid)" = 0 ]
	run ctl status
	echo "$output"
	[[ "$output" == *"starting (waiting for db)"* ]]
	: >"$W/go"
	wait_state app1 running
	wait_state app2 running
	[ "$(state migrate)" = exited ]
	[ "$(field migrate exit_code)" = 0 ]
	cat "$W/order"
	[ "$(pos done-migrate)" -lt "$(pos start-db)" ]
	[ "$(pos start-db)" -lt "$(pos start-app1)" ]
	[ "$(pos start-db)" -lt "$(pos start-app2)" ]
	# In parallel: both apps were started in the same moment, right after
	# db, not one after the other's readiness.
	grep -q 'app1: started' "$T/supd.err"
	local t1 t2
	t1=$(grep 'app1: started' "$T/supd.err" | cut -c12-23)
	t2=$(grep 'app2: started' "$T/supd.err" | cut -c12-23)
	echo "app1 at $t1, app2 at $t2"
	awk -v a="$t1" -v b="$t2" 'BEGIN {
		split(a, x, ":"); split(b, y, ":");
		d = (x[1]*3600 + x[2]*60 + x[3]) - (y[1]*3600 + y[2]*60 + y[3]);
		exit !(d < 0.1 && d > -0.1) }'
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

@test "shutdown stops services in reverse dependency order, then supd exits 0" {
	rec db
	rec app1 "requires = db"
	rec app2 "requires = db" "after = app1"
	start_supd
	wait_state app2 running
	stop_supd
	[ "$SUPD_STATUS" = 0 ]
	cat "$W/order"
	[ "$(pos stop-app2)" -lt "$(pos stop-app1)" ]
	[ "$(pos stop-app1)" -lt "$(pos stop-db)" ]
}

#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# config.bats: configuration errors and reload (docs/design.md "Configuration",
# `supd --check`, `supctl reload`; docs/reliability.md section B).
#
# Fixtures: tests/unit/bad-config/NAME.ini. A fixture's leading comment lines
# say what `supd --check` must report for it, one directive per error, with
# the directory prefix left out of the path:
#   # expect: EXACT LINE          the line, exactly
#   # expect-re: REGEX            an extended regex matching the line
# good-*.ini must pass. A companion file NAME.* (e.g. an env file) is copied
# along with NAME.ini.

load common

FIX=$BATS_TEST_DIRNAME/../unit/bad-config

setup() {
	setup_supd
}

teardown() {
	teardown_supd
}

# check FILE... : supd --check on a fresh directory holding FILEs; sets
# $D (the directory, as supd names it), $rc, $out, $err (stderr lines).
check_dir() {
	D=$(mktemp -d "$T/check.XXXXXX")
	D=$(realpath "$D")
	local f
	for f in "$@"; do
		cp "$f" "$D/"
	done
	rc=0
	timeout 10 "$SUPD" --check -c "$T/supd.conf" -d "$D" >"$T/check.out" \
	    2>"$T/check.err" || rc=$?
	out=$(cat "$T/check.out")
	err=$(cat "$T/check.err")
}

# The directives of a fixture (leading '# expect' lines).
directives() {
	sed -n 's/^\(\xef\xbb\xbf\)\{0,1\}# \(expect\(-re\)\{0,1\}\): /\2 /p' "$1"
}

# Verify one bad fixture; print what is wrong and return 1 if anything is.
verify_bad() {
	local ini=$1 name stem kind want line ok=0 matched nd
	name=$(basename "$ini")
	stem=${name%.ini}
	check_dir "$FIX/$stem".*
	nd=0
	if [ "$rc" -ne 1 ]; then
		echo "$name: exit $rc, expected 1"
		ok=1
	fi
	# Every error line names this file: FILE:LINE: message or FILE: message.
	while IFS= read -r line; do
		[ -n "$line" ] || continue
		case $line in
		"$D/$name:"*) ;;
		*) echo "$name: error line without its FILE prefix: $line"; ok=1; continue ;;
		esac
		line=${line#"$D/$name"}
		[[ $line =~ ^(:[0-9]+)?:\ [^\ ] ]] ||
			{ echo "$name: not FILE:LINE: message: $line"; ok=1; }
	done <<<"$err"
	# Each directive is matched by an error line (directory prefix removed).
	local stripped=${err//"$D/"/}
	while read -r kind want; do
		nd=$((nd + 1))
		matched=
		while IFS= read -r line; do
			if [ "$kind" = expect ] && [ "$line" = "$want" ]; then
				matched=1
			elif [ "$kind" = expect-re ] && [[ $line =~ $want ]]; then
				matched=1
			fi
		done <<<"$stripped"
		[ -n "$matched" ] || { echo "$name: no error matching ($kind) $want"; ok=1; }
	done < <(directives "$ini")
	# ...and nothing else is reported.
	if [ "$(grep -c . <<<"$err")" -ne "$nd" ]; then
		echo "$name: $nd errors expected, got:"
		echo "$stripped"
		ok=1
	fi
	return $ok
}

@test "--check: every bad fixture exits 1 with its errors as FILE:LINE: message" {
	local f n=0 bad=0
	for f in "$FIX"/*.ini; do
		[ -n "$(directives "$f")" ] || continue
		n=$((n + 1))
		verify_bad "$f" || bad=$((bad + 1))
	done
	echo "$n fixtures, $bad wrong"
	[ "$n" -ge 15 ]
	[ "$bad" -eq 0 ]
}

@test "--check: exact messages for an unknown key and a missing command" {
	check_dir "$FIX/unknown-key.ini"
	[ "$rc" -eq 1 ]
	[ "$err" = "$D/unknown-key.ini:3: unknown key 'restrt' in [service]" ]

	check_dir "$FIX/no-command.ini"
	[ "$rc" -eq 1 ]
	[ "$err" = "$D/no-command.ini: [service] command is required" ]
}

@test "--check: an empty file needs a command" {
	check_dir "$FIX/empty.ini"
	[ ! -s "$FIX/empty.ini" ]
	[ "$rc" -eq 1 ]
	[ "$err" = "$D/empty.ini: [service] command is required" ]
}

@test "--check: all errors of all files are reported, not only the first" {
	check_dir "$FIX"/*
	[ "$rc" -eq 1 ]
	local f name
	for f in "$FIX"/*.ini; do
		name=$(basename "$f")
		case $name in
		good-*) refute grep -qF "$D/$name" <<<"$err" ;;
		# (an unknown section without keys: its own case in the first test)
		empty-unknown-section.ini) ;;
		*) grep -qF "$D/$name" <<<"$err" ||
			{ echo "no error for $name"; false; } ;;
		esac
	done
	# multi-error.ini alone has three.
	[ "$(grep -c "^$D/multi-error.ini:" <<<"$err")" -eq 3 ]
}

@test "--check: good files (CRLF, BOM, every key) pass with -d and with -c" {
	local f
	for f in "$FIX"/good-*.ini; do
		check_dir "$f" "${f%.ini}".*
		[ "$rc" -eq 0 ] || { echo "$(basename "$f"): exit $rc: $err"; false; }
		[ -z "$err" ] || { echo "$err"; false; }
	done
	# All of them at once, the directory from supd.conf's conf_dir.
	cp "$FIX"/good-* "$T/conf.d/"
	rc=0
	"$SUPD" --check -c "$T/supd.conf" >"$T/out" 2>"$T/err" || rc=$?
	cat "$T/err"
	[ "$rc" -eq 0 ]
	[ ! -s "$T/err" ]
	# --check starts nothing.
	[ ! -e "$SOCK" ]
	[ -z "$(ls -A "$T/log")" ]
}

@test "CRLF and BOM files run with the right command (no stray \\r)" {
	cp "$FIX/good-crlf.ini" "$FIX/good-bom.ini" "$T/conf.d/"
	start_supd
	wait_state good-crlf exited
	wait_state good-bom exited
	[ "$(field good-crlf exit_code)" = 0 ]
	ctl inspect good-crlf | jq -e '.config.command == ["/bin/echo", "crlf-ok"]'
	ctl inspect good-crlf | jq -e '.config.log.max_size == 65536'
	ctl inspect good-bom | jq -e '.config.command == ["/bin/echo", "bom-ok"]'
	wait_for "crlf log" grep -qx crlf-ok "$T/log/good-crlf.log"
	wait_for "bom log" grep -qx bom-ok "$T/log/good-bom.log"
}

@test "a bad service file never stops the others" {
	svc one <<EOF
[service]
command = /bin/sleep 1000
EOF
	svc two <<EOF
[service]
command = /bin/sleep 1000
EOF
	svc bad <<EOF
[service]
command = /bin/sleep 1000
restrt = always
EOF
	cp "$FIX/bad name.ini" "$T/conf.d/"
	start_supd
	wait_state one running
	wait_state two running
	run ctl --json status
	[ "$status" -eq 0 ]
	[ "$(jq -r '[.[].name] | sort | join(",")' <<<"$output")" = "one,two" ]
	run ctl status bad
	[ "$status" -eq 1 ]
	grep -F "$T/conf.d/bad.ini:3: unknown key 'restrt' in [service]" "$T/supd.err"
	grep -F "$T/conf.d/bad name.ini" "$T/supd.err"
	kill -0 "$SUPD_PID"
}

_absent() {
	! ctl --json status | jq -e --arg n "$1" 'any(.[]; .name == $n)'
}

_gone() {
	! kill -0 "$1" 2>/dev/null
}

_pid_changed() {
	local p
	p=$(field "$1" pid)
	[ "$(state "$1")" = running ] && [ "$p" != "$2" ] && [ "$p" != 0 ]
}

@test "reload: add, remove, change; unchanged services keep their pid" {
	for n in keep change gone; do
		svc $n <<EOF
[service]
command = /bin/sleep 1000
EOF
	done
	start_supd
	wait_state keep running
	wait_state change running
	wait_state gone running
	local pkeep pchange pgone
	pkeep=$(field keep pid)
	pchange=$(field change pid)
	pgone=$(field gone pid)

	svc new <<EOF
[service]
command = /bin/sleep 1000
EOF
	svc change <<EOF
[service]
command = /bin/sleep 2000
EOF
	rm "$T/conf.d/gone.ini"
	run ctl reload
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output =~ reload:\ 1\ added,\ 1\ changed,\ 1\ removed ]]

	wait_state new running
	wait_for "change to restart" _pid_changed change "$pchange"
	ctl inspect change | jq -e '.config.command == ["/bin/sleep", "2000"]'
	wait_for "the old change process to end" _gone "$pchange"
	wait_for "gone to leave status" _absent gone
	wait_for "gone's process to end" _gone "$pgone"
	[ "$(field keep pid)" = "$pkeep" ]
	[ "$(field keep restarts)" = 0 ]

	# A reload with nothing changed touches nothing.
	local pnew
	pchange=$(field change pid)
	pnew=$(field new pid)
	run ctl reload
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output =~ reload:\ 0\ added,\ 0\ changed,\ 0\ removed ]]
	[ "$(field keep pid)" = "$pkeep" ]
	[ "$(field change pid)" = "$pchange" ]
	[ "$(field new pid)" = "$pnew" ]
	kill -0 "$pkeep"

	# Comments and blank lines only: the effective config is the same.
	svc keep <<EOF
# same service, reformatted
[service]

command = /bin/sleep   1000
EOF
	run ctl reload
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output =~ 0\ changed ]]
	[ "$(field keep pid)" = "$pkeep" ]
}

@test "reload: a broken file is refused with FILE:LINE, the old one keeps running" {
	svc stable <<EOF
[service]
command = /bin/sleep 1000
EOF
	svc other <<EOF
[service]
command = /bin/sleep 1000
EOF
	start_supd
	wait_state stable running
	wait_state other running
	local pstable pother
	pstable=$(field stable pid)
	pother=$(field other pid)

	svc stable <<EOF
[service]
command = /bin/sleep 3000
restart = sometimes
EOF
	run ctl reload
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"$T/conf.d/stable.ini:3: "*restart* ]]
	[ "$(state stable)" = running ]
	[ "$(field stable pid)" = "$pstable" ]
	[ "$(field other pid)" = "$pother" ]
	ctl inspect stable | jq -e '.config.command == ["/bin/sleep", "1000"]'
	kill -0 "$pstable"

	# Fixed: now the change applies.
	svc stable <<EOF
[service]
command = /bin/sleep 3000
EOF
	run ctl reload
	echo "$output"
	[ "$status" -eq 0 ]
	wait_for "stable to restart" _pid_changed stable "$pstable"
	ctl inspect stable | jq -e '.config.command == ["/bin/sleep", "3000"]'
	[ "$(field other pid)" = "$pother" ]
}

@test "SIGHUP reloads like supctl reload" {
	svc a <<EOF
[service]
command = /bin/sleep 1000
EOF
	start_supd
	wait_state a running
	local pa
	pa=$(field a pid)
	svc b <<EOF
[service]
command = /bin/sleep 1000
EOF
	kill -HUP "$SUPD_PID"
	wait_state b running
	[ "$(field a pid)" = "$pa" ]
}

@test "main config: an unknown key or bad value is FILE:LINE, nothing starts" {
	svc x <<EOF
[service]
command = /bin/sleep 1000
EOF
	cat >"$T/bad.conf" <<EOF
[supd]
conf_dir = $T/conf.d
bogus_key = 1
socket = $T/bad.sock
shutdown_timeout = soon
EOF
	rc=0
	timeout 10 "$SUPD" -c "$T/bad.conf" >"$T/out" 2>"$T/err" || rc=$?
	cat "$T/err"
	[ "$rc" -ne 0 ]
	[ "$rc" -ne 124 ]	# it did not start and run
	grep -E "^$T/bad.conf:3: .*bogus_key" "$T/err"
	grep -E "^$T/bad.conf:5: .*shutdown_timeout" "$T/err"
	[ ! -e "$T/bad.sock" ]
	[ -z "$(ls -A "$T/log")" ]

	rc=0
	timeout 10 "$SUPD" --check -c "$T/bad.conf" >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" -eq 1 ]
	grep -E "^$T/bad.conf:3: .*bogus_key" "$T/err"

	printf '[supd]\nsocket = %s\n[sup]\nlog_dir = /x\n' "$T/bad.sock" >"$T/bad2.conf"
	rc=0
	timeout 10 "$SUPD" -c "$T/bad2.conf" >"$T/out" 2>"$T/err" || rc=$?
	cat "$T/err"
	[ "$rc" -ne 0 ]
	[ "$rc" -ne 124 ]
	grep -E "^$T/bad2.conf:[34]: .*sup" "$T/err"
	[ ! -e "$T/bad.sock" ]
}

@test "main config: a missing explicit -c file is an error" {
	rc=0
	timeout 10 "$SUPD" -c "$T/nope.conf" -s "$T/nope.sock" >"$T/out" 2>"$T/err" || rc=$?
	cat "$T/err"
	[ "$rc" -ne 0 ]
	[ "$rc" -ne 124 ]
	grep -F "$T/nope.conf" "$T/err"
	[ ! -e "$T/nope.sock" ]
	rc=0
	timeout 10 "$SUPD" --check -c "$T/nope.conf" >"$T/out" 2>"$T/err" || rc=$?
	[ "$rc" -eq 1 ]
	grep -F "$T/nope.conf" "$T/err"
}

# Start supd from directory $1 with config $2 (as given), socket $3.
start_in() {
	(cd "$1" && exec "$SUPD" -c "$2" >"$T/supd.out" 2>"$T/supd.err") &
	SUPD_PID=$!
	wait_for "supd socket $3" test -S "$3"
}

# _rel_up SOCK: rel is running or starting.
_rel_up() {
	local st
	st=$("$SUPCTL" -s "$1" --json status rel | jq -r '.[0].state')
	[ "$st" = running ] || [ "$st" = starting ]
}

@test "relative paths in supd.conf are relative to the config file's directory" {
	mkdir -p "$T/etc/services" "$T/etc/run" "$T/elsewhere"
	cat >"$T/etc/supd.conf" <<EOF
[supd]
conf_dir = services
socket = run/supd.sock
log_dir = logs
state_dir = state
EOF
	cat >"$T/etc/services/rel.ini" <<EOF
[service]
command = /bin/sh -c 'echo relative-ok; exec /bin/sleep 1000'
EOF
	# An absolute -c, started from somewhere else.
	start_in "$T/elsewhere" "$T/etc/supd.conf" "$T/etc/run/supd.sock"
	local S=$T/etc/run/supd.sock
	# The socket may answer before the boot queue has started rel.
	wait_for "rel started" _rel_up "$S"
	wait_for "the log" grep -qx relative-ok "$T/etc/logs/rel.log"
	[ -z "$(ls -A "$T/elsewhere")" ]
	"$SUPCTL" -s "$S" inspect rel |
		jq -e --arg f "$T/etc/logs/rel.log" '.config.log.file == $f'
	stop_supd
	[ "$SUPD_STATUS" -eq 0 ]

	# A relative -c: the paths follow the file, not the current directory.
	rm -rf "$T/etc/logs"
	start_in "$T" etc/supd.conf "$T/etc/run/supd.sock"
	wait_for "the log" grep -qx relative-ok "$T/etc/logs/rel.log"
	[ ! -e "$T/logs" ]
	[ ! -e "$T/services" ]
	"$SUPCTL" -s "$S" inspect rel |
		jq -e --arg f "$T/etc/logs/rel.log" '.config.log.file == $f'
	# Still right after a reload (no dependence on the cwd at start).
	"$SUPCTL" -s "$S" reload
	[ "$("$SUPCTL" -s "$S" --json status rel | jq -r '.[0].state')" = running ]
}

# ---- issue 8, item 3: reload of services at rest, in backoff, env_file -----

@test "reload of services at rest (exited, never started, stopped): the change applies at the next start, nothing starts" {
	svc ex <<'EOF'
[service]
command = sh -c 'echo ex-v1'
restart = no
EOF
	svc off <<'EOF'
[service]
command = sh -c 'echo off-v1; exec sleep 1000'
autostart = no
EOF
	svc st <<'EOF'
[service]
command = sh -c 'echo st-v1; exec sleep 1000'
EOF
	start_supd
	wait_state ex exited
	wait_state st running
	ctl stop st
	[ "$(state off)" = stopped ]
	local n
	for n in ex off st; do
		sed -i "s/$n-v1/$n-v2/" "$T/conf.d/$n.ini"
	done
	run ctl reload
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output =~ reload:\ 0\ added,\ 3\ changed,\ 0\ removed ]]
	# The new definition is theirs at once, none waits for a stop.
	for n in ex off st; do
		ctl inspect $n | jq -e --arg n $n \
		    '(.config.command[2] | contains($n + "-v2")) and
		    .pending_reload == false'
	done
	# Nothing is started by the reload: watched for half a second, the
	# time a wrongly started one takes to log (a window to prove that
	# something does not happen).
	sleep 0.5
	for n in ex off st; do
		[ "$(state $n)" = stopped ]
		[ "$(field $n pid)" = 0 ]
	done
	run grep -h -- -v2 "$T/log/ex.log" "$T/log/st.log"
	[ "$status" -eq 1 ]
	[ ! -e "$T/log/off.log" ]
	# The next start runs the new definition.
	ctl start off st
	ctl start --no-wait ex
	wait_for "ex-v2 logged" grep -qx ex-v2 "$T/log/ex.log"
	wait_for "off-v2 logged" grep -qx off-v2 "$T/log/off.log"
	wait_for "st-v2 logged" grep -qx st-v2 "$T/log/st.log"
	[ "$(grep -c ex-v1 "$T/log/ex.log")" = 1 ]
	[ "$(grep -c st-v1 "$T/log/st.log")" = 1 ]
}

@test "reload of a service in backoff: it starts at once with the new definition" {
	# An hour of backoff: only the reload can start it within the test.
	svc bo <<'EOF'
[service]
command = sh -c 'echo bo-v1; exit 1'
restart_delay = 1h
EOF
	start_supd
	wait_state bo backoff
	[ "$(field bo restarts)" = 1 ]
	svc bo <<'EOF'
[service]
command = sh -c 'echo bo-v2; exec sleep 1000'
restart_delay = 1h
EOF
	run ctl reload
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output =~ reload:\ 0\ added,\ 1\ changed,\ 0\ removed ]]
	wait_state bo running
	wait_for "bo-v2 logged" grep -qx bo-v2 "$T/log/bo.log"
	[ "$(grep -c bo-v1 "$T/log/bo.log")" = 1 ]
	ctl inspect bo | jq -e \
	    '.config.command[2] == "echo bo-v2; exec sleep 1000" and
	    .pending_reload == false'
	# Started by the reload, as by a request: no automatic restart counted.
	[ "$(field bo restarts)" = 0 ]
}

@test "reload sees a changed env_file: the running service is restarted with the new contents" {
	printf 'V=one\n' >"$T/conf.d/e.env"
	svc e <<'EOF'
[service]
command = sh -c 'echo "V=$V"; exec sleep 1000'
env_file = e.env
EOF
	start_supd
	wait_state e running
	wait_for "V=one logged" grep -qx V=one "$T/log/e.log"
	local p
	p=$(field e pid)
	# Only the env file changes, not the service file.
	printf '# now\nV=two\n' >"$T/conf.d/e.env"
	run ctl reload
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output =~ reload:\ 0\ added,\ 1\ changed,\ 0\ removed ]]
	wait_for "e to restart" _pid_changed e "$p"
	wait_for "V=two logged" grep -qx V=two "$T/log/e.log"
	wait_for "the old process to end" _gone "$p"
	tr '\0' '\n' <"/proc/$(field e pid)/environ" | grep -x V=two
	ctl inspect e | jq -e '.config.env | index("V=two") != null'
	# Rewritten with the same contents: nothing changed, nothing restarts.
	p=$(field e pid)
	printf 'V=two\n' >"$T/conf.d/e.env"
	run ctl reload
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output =~ reload:\ 0\ added,\ 0\ changed,\ 0\ removed ]]
	[ "$(field e pid)" = "$p" ]
}

# k_base: the service file of the test below, with its keys' values as
# arguments (stop_timeout, max_files, hostname, nofile, interval).
k_base() {
	svc k <<EOF
[service]
command = /bin/sleep 1000
stop_timeout = $1
[log]
max_files = $2
[isolation]
hostname = $3
[limits]
nofile = $4
[health]
cmd = /bin/true
interval = $5
EOF
}

# k_reload DESC JQ: reload after one key changed; k restarts and inspect
# shows JQ true of its config.
k_reload() {
	local p
	p=$(field k pid)
	run ctl reload
	echo "$1: $output"
	[ "$status" -eq 0 ]
	[[ $output =~ reload:\ 0\ added,\ 1\ changed,\ 0\ removed ]]
	wait_for "k to restart after $1" _pid_changed k "$p"
	ctl inspect k | jq -e ".config | $2"
}

@test "reload sees a change of any one key, in every section (the key table's canonical form)" {
	k_base 5s 5 one 1000 30s
	start_supd
	wait_state k running
	grep -E '^Max open files +1000 +1000 ' "/proc/$(field k pid)/limits"

	k_base 7s 5 one 1000 30s
	k_reload "[service] stop_timeout" '.stop_timeout_ms == 7000'
	k_base 7s 3 one 1000 30s
	k_reload "[log] max_files" '.log.max_files == 3'
	k_base 7s 3 two 1000 30s
	k_reload "[isolation] hostname" '.isolation.hostname == "two"'
	[ "$(ctl exec k hostname)" = two ]
	k_base 7s 3 two 1001 30s
	k_reload "[limits] nofile" '.limits.nofile == [1001, 1001]'
	grep -E '^Max open files +1001 +1001 ' "/proc/$(field k pid)/limits"
	k_base 7s 3 two 1001 20s
	k_reload "[health] interval" '.health.interval_ms == 20000'

	# The same values again: nothing changed, nothing restarts.
	local p
	p=$(field k pid)
	run ctl reload
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output =~ reload:\ 0\ added,\ 0\ changed,\ 0\ removed ]]
	[ "$(field k pid)" = "$p" ]
}

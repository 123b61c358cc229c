#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# lifecycle.bats: restart policies, backoff, stop escalation, reaping, the
# service's execution context (user, group, groups), spawn errors, supctl
# wait semantics, unless-stopped persistence, supd's own signals, essential
# services outside PID 1 (docs/design.md "States",
# "[service]", "supctl commands"; docs/reliability.md F10, F11, P1, P3, P8).
#
# Every service runs without namespaces when this supd knows the
# [isolation] section (LC_ISO), so that pids, /proc and the files a
# service writes under $T are the host's: the tests look at kernel state.

load common

setup_file() {
	local probe
	# The double-fork helper; `make` alone does not build helpers.
	make -s -C "$BATS_TEST_DIRNAME/../.." B="$SUPD_BUILD" \
		"$SUPD_BUILD/helpers/lc_doublefork" >&2
	# Does this supd accept `[isolation] namespaces = none`? Then use it.
	probe=$(mktemp -d /tmp/supd-lc-probe.XXXXXX)
	mkdir "$probe/conf.d"
	printf '[service]\ncommand = true\n[isolation]\nnamespaces = none\n' \
		>"$probe/conf.d/p.ini"
	if "$SUPD_BUILD/supd" -d "$probe/conf.d" --check >/dev/null 2>&1; then
		export LC_ISO=$'[isolation]\nnamespaces = none'
	else
		export LC_ISO=
	fi
	rm -rf "$probe"
}

setup() {
	setup_supd
}

teardown() {
	if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -n "${T:-}" ]; then
		dump_supd >&3 2>/dev/null || true
	fi
	teardown_supd
}

# ---- helpers ------------------------------------------------------------

# lc_svc NAME <<EOF: a service file, plus the no-namespaces section.
lc_svc() {
	{
		cat
		[ -z "$LC_ISO" ] || printf '%s\n' "$LC_ISO"
	} >"$T/conf.d/$1.ini"
}

# lc_script NAME <<'EOF': $T/NAME.sh, run as `/bin/sh $T/NAME.sh $T`.
lc_script() {
	cat >"$T/$1.sh"
	chmod 0644 "$T/$1.sh"
}

now_ms() {
	echo $(($("$MONO_NS") / 1000000))
}

# Number of lines in $T/FILE (0 when missing).
nlines() {
	if [ -f "$T/$1" ]; then
		wc -l <"$T/$1" | tr -d ' '
	else
		echo 0
	fi
}

_nlines_is() { [ "$(nlines "$1")" -eq "$2" ]; }
_nlines_ge() { [ "$(nlines "$1")" -ge "$2" ]; }
_file_has() { [ -s "$1" ]; }
_alive() { kill -0 "$1" 2>/dev/null; }

# NAME runs with a pid other than OLD.
_new_pid() {
	local p
	p=$(field "$1" pid)
	[ "$(state "$1")" = running ] && [ "$p" -gt 0 ] && [ "$p" != "$2" ]
}

# proc_stat PID state|ppid|pgrp|session: from /proc/PID/stat.
proc_stat() {
	local what=$2 line rest
	line=$(cat "/proc/$1/stat") || return 1
	rest=${line##*) }
	# shellcheck disable=SC2086
	set -- $rest
	case $what in
	state) echo "$1" ;;
	ppid) echo "$2" ;;
	pgrp) echo "$3" ;;
	session) echo "$4" ;;
	esac
}

status_line() {
	grep "^$2:" "/proc/$1/status" | awk '{print $2}'
}

# ---- 1-4: restart policies ---------------------------------------------

@test "restart=no: exit 3 ends exited with exit_code 3, never restarted" {
	lc_script s <<'EOF'
echo $$ >>"$1/runs"
exit 3
EOF
	lc_svc s <<EOF
[service]
command = /bin/sh $T/s.sh $T
restart = no
restart_delay = 50ms
EOF
	start_supd
	wait_state s exited
	[ "$(field s exit_code)" = 3 ]
	[ "$(field s exit_signal)" = null ]
	[ "$(field s restarts)" = 0 ]
	[ "$(field s pid)" = 0 ]
	# Proving an absence needs time: ten restart delays for a wrong restart.
	sleep 0.5
	[ "$(state s)" = exited ]
	[ "$(nlines runs)" -eq 1 ]
	[ "$(field s restarts)" = 0 ]
}

@test "restart=always: restarted after exit 0 and after a failure; restarts grows" {
	# Run 1 exits 0, run 2 exits 1, run 3 stays up.
	lc_script s <<'EOF'
n=$(($(cat "$1/runs" 2>/dev/null | wc -l) + 1))
echo $$ >>"$1/runs"
case $n in
1) exit 0 ;;
2) exit 1 ;;
esac
exec sleep 30
EOF
	lc_svc s <<EOF
[service]
command = /bin/sh $T/s.sh $T
restart = always
restart_delay = 50ms
EOF
	# Always exits 0: restarted for ever.
	lc_script g <<'EOF'
echo $$ >>"$1/gruns"
exit 0
EOF
	lc_svc g <<EOF
[service]
command = /bin/sh $T/g.sh $T
restart = always
restart_delay = 20ms
restart_delay_max = 20ms
EOF
	start_supd
	wait_for "3 runs of s" _nlines_is runs 3
	wait_state s running
	[ "$(field s restarts)" = 2 ]
	# The running process is the third run (sh exec'd sleep: same pid).
	[ "$(field s pid)" = "$(tail -n 1 "$T/runs")" ]
	[ "$(cat "/proc/$(field s pid)/comm")" = sleep ]

	wait_for "g to run 5 times" _nlines_ge gruns 5
	[ "$(field g restarts)" -ge 4 ]
	ctl stop g
	[ "$(state g)" = stopped ]
	local n r
	n=$(nlines gruns)
	r=$(field g restarts)
	# A restart is counted per run that ended and was followed by another
	# (one may have been pending when the stop came).
	[ "$r" -ge $((n - 1)) ]
	[ "$r" -le "$n" ]
	[ "$(nlines runs)" -eq 3 ]
}

@test "restart=on-failure: exit 0 ends exited, exit 1 is restarted" {
	lc_script ok <<'EOF'
echo $$ >>"$1/okruns"
exit 0
EOF
	lc_svc ok <<EOF
[service]
command = /bin/sh $T/ok.sh $T
restart = on-failure
restart_delay = 50ms
EOF
	lc_script bad <<'EOF'
n=$(($(cat "$1/badruns" 2>/dev/null | wc -l) + 1))
echo $$ >>"$1/badruns"
[ "$n" -gt 1 ] || exit 1
exec sleep 30
EOF
	lc_svc bad <<EOF
[service]
command = /bin/sh $T/bad.sh $T
restart = on-failure
restart_delay = 50ms
EOF
	start_supd
	wait_state ok exited
	[ "$(field ok exit_code)" = 0 ]
	[ "$(field ok restarts)" = 0 ]
	wait_for "bad to run twice" _nlines_is badruns 2
	wait_state bad running
	[ "$(field bad restarts)" = 1 ]
	[ "$(field bad pid)" = "$(tail -n 1 "$T/badruns")" ]
	sleep 0.3
	[ "$(state ok)" = exited ]
	[ "$(nlines okruns)" -eq 1 ]
	[ "$(nlines badruns)" -eq 2 ]
}

@test "restart=on-failure:3: an always-failing service ends failed after exactly 3 restarts (4 runs)" {
	lc_script f <<'EOF'
echo $$ >>"$1/runs"
exit 1
EOF
	lc_svc f <<EOF
[service]
command = /bin/sh $T/f.sh $T
restart = on-failure:3
restart_delay = 20ms
restart_delay_max = 40ms
EOF
	start_supd
	wait_state f failed
	[ "$(field f restarts)" = 3 ]
	[ "$(field f exit_code)" = 1 ]
	[ "$(field f pid)" = 0 ]
	sleep 0.3
	[ "$(state f)" = failed ]
	[ "$(nlines runs)" -eq 4 ]
	# A manual start resets the count: 4 more runs, failed again.
	# (It did reach running, so 0 and 1 are both fair answers.)
	local rc=0
	ctl start f || rc=$?
	[ "$rc" -le 1 ]
	wait_for "4 more runs" _nlines_ge runs 8
	wait_state f failed
	[ "$(nlines runs)" -eq 8 ]
	[ "$(field f restarts)" = 3 ]
}

# ---- 5: backoff ---------------------------------------------------------

@test "backoff doubles from restart_delay up to restart_delay_max" {
	# Each run records its start and, just before failing, its end: the
	# delay supd waits is (start of run i+1) - (end of run i), and never less.
	lc_script b <<'EOF'
"$2" >>"$1/starts"
"$2" >>"$1/ends"
exit 1
EOF
	lc_svc b <<EOF
[service]
command = /bin/sh $T/b.sh $T $MONO_NS
restart = always
restart_delay = 100ms
restart_delay_max = 400ms
EOF
	start_supd
	wait_for "6 runs" _nlines_ge starts 6
	ctl stop b
	local s e g i
	mapfile -t s <"$T/starts"
	mapfile -t e <"$T/ends"
	for i in 0 1 2 3 4; do
		g[i]=$(((s[i + 1] - e[i]) / 1000000))
	done
	echo "gaps: ${g[*]}"
	# The delays supd chose, from its log: doubling from 100 ms, capped at
	# 400 (doubling on would give 800 and 1600).
	local d
	d=$(grep -oE "b: exited with status 1; restarting in [0-9]+ ms" "$T/supd.err" |
		head -n 5 | grep -oE "[0-9]+ ms" | tr -d ' ms' | tr '\n' ' ')
	echo "delays: $d"
	[ "$d" = "100 200 400 400 400 " ]
	# Each one waited, never less: the gap also holds the script's own exit
	# and the next one's exec, which only add (100 ms of it under ASan on a
	# loaded machine), so only the lower bound is exact.
	[ "${g[0]}" -ge 95 ]
	[ "${g[1]}" -ge 190 ]
	[ "${g[2]}" -ge 380 ]
	[ "${g[3]}" -ge 380 ]
	[ "${g[4]}" -ge 380 ]
	# The cap is the timer's too, not only the log's.
	[ "${g[3]}" -lt 700 ]
	[ "${g[4]}" -lt 700 ]
}

@test "backoff resets after a run that lasted stable_after" {
	# Runs 1-3 fail at once (backoff 100, 200, 400 ms); run 4 lives 500 ms
	# (> stable_after) then fails: the next delay is restart_delay again.
	lc_script r <<'EOF'
n=$(($(cat "$1/starts" 2>/dev/null | wc -l) + 1))
"$2" >>"$1/starts"
[ "$n" -ne 4 ] || sleep 0.5
"$2" >>"$1/ends"
exit 1
EOF
	lc_svc r <<EOF
[service]
command = /bin/sh $T/r.sh $T $MONO_NS
restart = always
restart_delay = 100ms
restart_delay_max = 2s
stable_after = 300ms
EOF
	start_supd
	wait_for "6 runs" _nlines_ge starts 6
	ctl stop r
	local s e gap i
	mapfile -t s <"$T/starts"
	mapfile -t e <"$T/ends"
	# gap[i]: end of run i+1 to start of run i+2, in ms.
	for i in 0 1 2 3 4; do
		gap[i]=$(((s[i + 1] - e[i]) / 1000000))
	done
	echo "gaps: ${gap[*]}"
	[ "${gap[0]}" -ge 95 ]
	[ "${gap[1]}" -ge 190 ]
	[ "${gap[2]}" -ge 380 ]
	# Reset: back to ~100 ms, where no reset would give 800 ms.
	[ "${gap[3]}" -ge 95 ]
	[ "${gap[3]}" -lt 400 ]
	# And doubling starts over.
	[ "${gap[4]}" -ge 190 ]
}

# ---- 6-8: kills, stops, reaping ------------------------------------------

@test "kill -9 of the main process: restarted with a new pid, restarts 1" {
	lc_svc k <<EOF
[service]
command = sleep 30
restart = on-failure
restart_delay = 50ms
EOF
	start_supd
	wait_state k running
	local old new
	old=$(field k pid)
	[ "$old" -gt 0 ]
	[ "$(cat "/proc/$old/comm")" = sleep ]
	kill -KILL "$old"
	wait_for "k to run again with a new pid" _new_pid k "$old"
	new=$(field k pid)
	[ "$(field k restarts)" = 1 ]
	_gone "$old"
	[ "$(cat "/proc/$new/comm")" = sleep ]
	[ "$(proc_stat "$new" ppid)" = "$SUPD_PID" ]
}

@test "stop of a service ignoring SIGTERM: SIGKILL after stop_timeout, its children go too" {
	lc_script t <<'EOF'
trap '' TERM
sleep 30 &
echo $! >"$1/child.tmp"
mv "$1/child.tmp" "$1/child"
wait
EOF
	lc_svc t <<EOF
[service]
command = /bin/sh $T/t.sh $T
stop_timeout = 1s
restart_delay = 50ms
EOF
	start_supd
	wait_state t running
	wait_for "child pid file" _file_has "$T/child"
	local main child t0 t1
	main=$(field t pid)
	child=$(cat "$T/child")
	_alive "$main"
	_alive "$child"
	[ "$(proc_stat "$child" pgrp)" = "$main" ]
	t0=$(now_ms)
	ctl stop t
	t1=$(now_ms)
	echo "stop took $((t1 - t0)) ms"
	[ "$((t1 - t0))" -ge 950 ]
	[ "$((t1 - t0))" -lt 5000 ]
	[ "$(state t)" = stopped ]
	[ "$(field t exit_signal)" = SIGKILL ]
	[ "$(field t pid)" = 0 ]
	_gone "$main"
	wait_for "the service's child $child to be gone" _gone "$child"
	# Not restarted.
	sleep 0.2
	[ "$(state t)" = stopped ]
}

@test "double fork: the orphan is adopted by supd (subreaper) and reaped, no zombie" {
	lc_svc d <<EOF
[service]
command = $HELPERS/lc_doublefork $T/gc.pid $T/go
restart = no
EOF
	start_supd
	wait_state d running
	wait_for "grandchild pid" _file_has "$T/gc.pid"
	local gc main
	gc=$(cat "$T/gc.pid")
	main=$(field d pid)
	[ "$gc" != "$main" ]
	_alive "$gc"
	# Its parent exited: supd, the child subreaper, adopted it.
	[ "$(status_line "$gc" PPid)" = "$SUPD_PID" ]
	touch "$T/go"
	# kill -0 still succeeds on a zombie: gone means reaped.
	wait_for "grandchild $gc to be reaped" _gone "$gc"
	no_zombies_under "$SUPD_PID"
	# The service itself was not disturbed.
	[ "$(state d)" = running ]
	[ "$(field d pid)" = "$main" ]
	[ "$(field d restarts)" = 0 ]
}

@test "many orphans are adopted by supd and all reaped" {
	# 20 orphans that live until $T/go exists.
	lc_script o <<'EOF'
i=0
while [ $i -lt 20 ]; do
	(
		while [ ! -e "$1/go" ]; do sleep 0.05; done &
		echo $! >>"$1/orphans"
	)
	i=$((i + 1))
done
touch "$1/spawned"
exec sleep 30
EOF
	lc_svc o <<EOF
[service]
command = /bin/sh $T/o.sh $T
restart = no
EOF
	start_supd
	wait_for "orphans spawned" test -e "$T/spawned"
	[ "$(nlines orphans)" -eq 20 ]
	local p
	for p in $(cat "$T/orphans"); do
		[ "$(status_line "$p" PPid)" = "$SUPD_PID" ]
	done
	touch "$T/go"
	for p in $(cat "$T/orphans"); do
		wait_for "orphan $p to be reaped" _gone "$p"
	done
	no_zombies_under "$SUPD_PID"
	[ "$(state o)" = running ]
	[ "$(field o restarts)" = 0 ]
}

# ---- 9-10: execution context and spawn errors ------------------------------

@test "user, workdir, umask and a clean environment reach the service" {
	chmod 0755 "$T"
	mkdir -m 0777 "$T/out"
	printf 'C=3\n' >"$T/envfile"
	lc_script e <<'EOF'
out=$1
id -un >"$out/id"
pwd >"$out/pwd"
umask >"$out/umask"
: >"$out/made"
env | sort >"$out/env.tmp"
mv "$out/env.tmp" "$out/env"
EOF
	lc_svc e <<EOF
[service]
command = /bin/sh $T/e.sh $T/out
restart = no
user = nobody
workdir = /tmp
umask = 027
env = A=1
env = B=two words
env_file = $T/envfile
EOF
	export SUPD_LC_CANARY=leak
	start_supd
	wait_state e exited
	[ "$(field e exit_code)" = 0 ]
	[ "$(cat "$T/out/id")" = nobody ]
	[ "$(cat "$T/out/pwd")" = /tmp ]
	[ "$((8#$(cat "$T/out/umask")))" -eq "$((8#027))" ]
	[ "$(stat -c '%a %U' "$T/out/made")" = "640 nobody" ]
	cat "$T/out/env"
	grep -qx 'A=1' "$T/out/env"
	grep -qx 'B=two words' "$T/out/env"
	grep -qx 'C=3' "$T/out/env"
	grep -qx 'USER=nobody' "$T/out/env"
	grep -qx "HOME=$(getent passwd nobody | cut -d: -f6)" "$T/out/env"
	grep -qx 'PATH=/.*' "$T/out/env"
	# Nothing of supd's own environment: only these keys.
	local extra
	extra=$(cut -d= -f1 "$T/out/env" |
		grep -vxE 'PATH|HOME|USER|A|B|C|PWD|OLDPWD|SHLVL|_' || true)
	echo "unexpected variables: $extra"
	[ -z "$extra" ]
	[ -z "$(grep -E '^(BATS_|SUPD_)' "$T/out/env" || true)" ]
}

# "NICE POLICY" of a process: fields 19 and 41 of /proc/PID/stat (the 17th
# and 39th after the command name).
_prio_of() {
	local s
	read -r s <"/proc/$1/stat"
	s=${s##*) }
	set -- $s
	echo "${17} ${39}"
}

@test "a raised priority is supd's own: services start at nice 0, a lowered one is inherited" {
	lc_svc p <<EOF
[service]
command = sleep 100
EOF
	nice -n -7 "$SUPD" -c "$T/supd.conf" >"$T/supd.out" 2>"$T/supd.err" &
	SUPD_PID=$!
	wait_for "supd socket" test -S "$SOCK"
	wait_state p running
	[ "$(_prio_of "$SUPD_PID")" = "-7 0" ]
	[ "$(_prio_of "$(field p pid)")" = "0 0" ]
	# and what supctl exec starts
	[ "$(ctl exec p sh -c 'cut -d" " -f19 /proc/self/stat')" = 0 ]
	stop_supd
	[ "$SUPD_STATUS" -eq 0 ]

	nice -n 3 "$SUPD" -c "$T/supd.conf" >"$T/supd.out" 2>"$T/supd.err" &
	SUPD_PID=$!
	wait_for "supd socket" test -S "$SOCK"
	wait_state p running
	[ "$(_prio_of "$(field p pid)")" = "3 0" ]
}

# _ids PID KEY: the numbers of KEY (Uid, Gid, Groups) in /proc/PID/status,
# blank-separated; Groups sorted.
_ids() {
	local v
	v=$(awk -v k="$2:" '$1 == k { $1 = ""; print }' "/proc/$1/status" |
		xargs -n1)
	[ "$2" != Groups ] || v=$(sort -n <<<"$v")
	echo $v
}

# _ids_are PID GID "GROUPS": the process runs with gid GID (real,
# effective, saved, fs) and exactly the supplementary groups GROUPS.
_ids_are() {
	echo "pid $1: Gid $(_ids "$1" Gid), Groups $(_ids "$1" Groups)"
	[ "$(_ids "$1" Gid)" = "$2 $2 $2 $2" ] &&
		[ "$(_ids "$1" Groups)" = "$3" ]
}

@test "group and groups at run time: /proc/PID/status shows that gid and exactly those groups" {
	local dg ag tg nob n p
	dg=$(getent group daemon | cut -d: -f3)
	ag=$(getent group adm | cut -d: -f3)
	tg=$(getent group tty | cut -d: -f3)
	[ -n "$dg" ]
	[ -n "$ag" ]
	[ -n "$tg" ]
	nob=$(id -G nobody | xargs -n1 | sort -n | xargs)
	# Numbers with no group entry; names through NSS; without user.
	lc_svc num <<EOF
[service]
command = sleep 300
user = nobody
group = 4321
groups = 4322 4323
EOF
	# The same in the default namespaces (the command is PID 2 there).
	svc numns <<EOF
[service]
command = sleep 300
user = nobody
group = 4321
groups = 4323
groups = 4322
EOF
	lc_svc names <<EOF
[service]
command = sleep 300
group = daemon
groups = adm tty
EOF
	# user alone: its primary group and its groups from the database.
	lc_svc user <<EOF
[service]
command = sleep 300
user = nobody
EOF
	# Neither: supd's own, here 0 and the two it was started with.
	lc_svc keep <<EOF
[service]
command = sleep 300
EOF
	SUPD_WRAP="setpriv --groups=4444,4445" start_supd
	_ids_are "$SUPD_PID" 0 "4444 4445"
	for n in num numns names user keep; do
		wait_state "$n" running
	done
	_ids_are "$(field num pid)" 4321 "4322 4323"
	_ids_are "$(field numns pid)" 4321 "4322 4323"
	_ids_are "$(field names pid)" "$dg" "$(printf '%s\n' "$ag" "$tg" | sort -n | xargs)"
	_ids_are "$(field user pid)" 65534 "$nob"
	_ids_are "$(field keep pid)" 0 "4444 4445"
	p=$(field num pid)
	[ "$(_ids "$p" Uid)" = "65534 65534 65534 65534" ]
	# supctl exec applies them too.
	ctl exec num cat /proc/self/status >"$T/exec.status"
	grep -E '^(Gid|Groups):' "$T/exec.status"
	[ "$(awk '$1 == "Gid:" { print $2, $3, $4, $5 }' "$T/exec.status")" = "4321 4321 4321 4321" ]
	[ "$(awk '$1 == "Groups:" { $1 = ""; print }' "$T/exec.status" | xargs -n1 | sort -n | xargs)" = "4322 4323" ]
}

@test "env = \"B=two words\": quotes around an env item are removed" {
	mkdir -m 0777 "$T/out"
	lc_script q <<'EOF'
env | sort >"$1/env.tmp"
mv "$1/env.tmp" "$1/env"
EOF
	lc_svc q <<EOF
[service]
command = /bin/sh $T/q.sh $T/out
restart = no
env = "B=two words"
EOF
	run "$SUPD" -c "$T/supd.conf" --check
	echo "$output"
	[ "$status" -eq 0 ]
	start_supd
	wait_state q exited
	grep -qx 'B=two words' "$T/out/env"
}

@test "spawn errors: missing binary, bad workdir, unknown user are reported and end failed" {
	lc_svc nobin <<EOF
[service]
command = /nonexistent
restart = no
EOF
	lc_svc badwd <<EOF
[service]
command = sleep 30
workdir = /nonexistent-dir
restart = no
EOF
	lc_svc baduser <<EOF
[service]
command = sleep 30
user = no-such-user-xyz
restart = no
EOF
	start_supd
	local n want
	for n in nobin badwd baduser; do
		wait_state "$n" failed
		[ "$(field "$n" pid)" = 0 ]
	done
	for n in "nobin:exec /nonexistent" "badwd:workdir /nonexistent-dir" \
		"baduser:user no-such-user-xyz"; do
		want=${n#*:}
		n=${n%%:*}
		echo "$n reason: $(field "$n" reason)"
		[[ "$(field "$n" reason)" == *"$want"* ]]
		grep -qF "$want" "$T/supd.err"
	done
	# The 127 is the spawner's, not the command's.
	[ "$(field nobin exit_code)" != 127 ]

	# supctl start waits, fails with 1 and says why on stderr.
	for n in "nobin:exec /nonexistent" "badwd:workdir /nonexistent-dir" \
		"baduser:user no-such-user-xyz"; do
		want=${n#*:}
		n=${n%%:*}
		local rc=0
		ctl start "$n" >"$T/start.out" 2>"$T/start.err" || rc=$?
		echo "start $n: rc=$rc stderr=$(cat "$T/start.err")"
		[ "$rc" -eq 1 ]
		grep -qF "$want" "$T/start.err"
		[ "$(state "$n")" = failed ]
	done
}

# ---- 11: supctl start/stop/restart/signal --------------------------------

@test "supctl start/stop/restart wait for the result; signal reaches the service" {
	lc_script w <<'EOF'
trap 'echo usr1 >>"$1/usr1"' USR1
echo $$ >>"$1/runs"
while :; do
	sleep 1 &
	wait $!
done
EOF
	lc_svc w <<EOF
[service]
command = /bin/sh $T/w.sh $T
autostart = no
stop_timeout = 2s
EOF
	start_supd
	[ "$(state w)" = stopped ]
	[ "$(field w pid)" = 0 ]
	[ "$(nlines runs)" -eq 0 ]

	ctl start w
	# No waiting here: start returned, so it is running.
	[ "$(state w)" = running ]
	local p1 p2
	p1=$(field w pid)
	[ "$p1" -gt 0 ]
	_alive "$p1"

	ctl restart w
	[ "$(state w)" = running ]
	p2=$(field w pid)
	[ "$p2" -gt 0 ]
	[ "$p2" != "$p1" ]
	_gone "$p1"
	_alive "$p2"
	wait_for "second run recorded" _nlines_is runs 2
	[ "$(tail -n 1 "$T/runs")" = "$p2" ]

	ctl signal w USR1
	wait_for "USR1 handled" _nlines_is usr1 1
	ctl signal w "$(kill -l USR1)"
	wait_for "signal by number handled" _nlines_is usr1 2
	[ "$(state w)" = running ]
	[ "$(field w pid)" = "$p2" ]

	ctl stop w
	[ "$(state w)" = stopped ]
	[ "$(field w pid)" = 0 ]
	_gone "$p2"

	run ctl signal w USR1
	[ "$status" -eq 1 ]
	run ctl start no-such-service
	[ "$status" -eq 1 ]
}

@test "--no-wait returns at once; stop/restart without it wait" {
	lc_script slow <<'EOF'
trap '' TERM
echo $$ >>"$1/runs"
while :; do
	sleep 1 &
	wait $!
done
EOF
	lc_svc slow <<EOF
[service]
command = /bin/sh $T/slow.sh $T
stop_timeout = 1s
restart_delay = 50ms
EOF
	start_supd
	wait_state slow running
	local p1 p2 t0 t1
	p1=$(field slow pid)

	t0=$(now_ms)
	ctl stop --no-wait slow
	t1=$(now_ms)
	echo "stop --no-wait took $((t1 - t0)) ms"
	[ "$((t1 - t0))" -lt 700 ]
	[ "$(state slow)" = stopping ]
	wait_state slow stopped
	_gone "$p1"

	ctl start --no-wait slow
	wait_state slow running
	p1=$(field slow pid)

	t0=$(now_ms)
	ctl restart --no-wait slow
	t1=$(now_ms)
	echo "restart --no-wait took $((t1 - t0)) ms"
	[ "$((t1 - t0))" -lt 700 ]
	[ "$(state slow)" = stopping ]
	wait_for "slow to run again" _new_pid slow "$p1"

	# restart without --no-wait: returns once running again (≥ 1 s here).
	p2=$(field slow pid)
	t0=$(now_ms)
	ctl restart slow
	t1=$(now_ms)
	echo "restart took $((t1 - t0)) ms"
	[ "$((t1 - t0))" -ge 950 ]
	[ "$(state slow)" = running ]
	[ "$(field slow pid)" != "$p2" ]
	_gone "$p2"
}

@test "restart all: every service gets a new pid" {
	lc_svc a <<EOF
[service]
command = sleep 30
EOF
	lc_svc b <<EOF
[service]
command = sleep 31
EOF
	start_supd
	wait_state a running
	wait_state b running
	local a1 b1 a2 b2
	a1=$(field a pid)
	b1=$(field b pid)
	ctl restart all
	[ "$(state a)" = running ]
	[ "$(state b)" = running ]
	a2=$(field a pid)
	b2=$(field b pid)
	[ "$a2" -gt 0 ]
	[ "$a2" != "$a1" ]
	[ "$b2" -gt 0 ]
	[ "$b2" != "$b1" ]
	_gone "$a1"
	_gone "$b1"
	_alive "$a2"
	_alive "$b2"
}

# ---- 12-14: persistence and supd's own signals ---------------------------

# Start supd again on the same $T; it answers once it has loaded.
restart_supd() {
	stop_supd
	[ "$SUPD_STATUS" -eq 0 ]
	start_supd
	wait_for "supd to answer" ctl status
}

@test "unless-stopped: a manual stop persists across a supd restart; start clears it" {
	lc_svc u <<EOF
[service]
command = sleep 30
restart = unless-stopped
EOF
	lc_svc al <<EOF
[service]
command = sleep 31
restart = always
EOF
	start_supd
	wait_state u running
	wait_state al running
	ctl stop u
	ctl stop al
	[ "$(state u)" = stopped ]
	[ "$(state al)" = stopped ]

	restart_supd
	wait_state al running
	[ "$(state u)" = stopped ]
	[ "$(field u pid)" = 0 ]
	# Give a wrong autostart time to show.
	sleep 0.3
	[ "$(state u)" = stopped ]

	ctl start u
	[ "$(state u)" = running ]

	restart_supd
	wait_state u running
	wait_state al running
}

@test "SIGTERM to supd stops every service, children included, and supd exits 0" {
	lc_script p <<'EOF'
sleep 30 &
echo $! >"$1/child.tmp"
mv "$1/child.tmp" "$1/child"
wait
EOF
	lc_svc p <<EOF
[service]
command = /bin/sh $T/p.sh $T
EOF
	lc_svc q <<EOF
[service]
command = sleep 30
EOF
	start_supd
	wait_state p running
	wait_state q running
	wait_for "child pid" _file_has "$T/child"
	local pp qp child
	pp=$(field p pid)
	qp=$(field q pid)
	child=$(cat "$T/child")
	_alive "$child"
	stop_supd
	[ "$SUPD_STATUS" -eq 0 ]
	wait_for "p's process to be gone" _gone "$pp"
	wait_for "q's process to be gone" _gone "$qp"
	wait_for "p's child to be gone" _gone "$child"
}

@test "supctl shutdown stops every service and supd exits 0" {
	lc_svc a <<EOF
[service]
command = sleep 30
EOF
	lc_svc b <<EOF
[service]
command = sleep 31
EOF
	start_supd
	wait_state a running
	wait_state b running
	local ap bp st=0
	ap=$(field a pid)
	bp=$(field b pid)
	ctl shutdown
	wait_for "supd to exit" _gone "$SUPD_PID"
	wait "$SUPD_PID" || st=$?
	SUPD_PID=
	[ "$st" -eq 0 ]
	_gone "$ap"
	_gone "$bp"
}

@test "SIGINT to supd (not PID 1) stops every service in reverse dependency order; supd exits 0" {
	local n
	for n in db app; do
		lc_script "$n" <<EOF
trap 'echo stop-$n >>"\$1/order"; exit 0' TERM
echo start-$n >>"\$1/order"
while :; do sleep 0.05; done
EOF
	done
	lc_svc db <<EOF
[service]
command = /bin/sh $T/db.sh $T
EOF
	lc_svc app <<EOF
[service]
command = /bin/sh $T/app.sh $T
requires = db
EOF
	start_supd
	wait_for "app started" grep -qx start-app "$T/order"
	local dp ap st=0
	dp=$(field db pid)
	ap=$(field app pid)
	kill -INT "$SUPD_PID"
	wait_for "supd to exit" _gone "$SUPD_PID"
	wait "$SUPD_PID" || st=$?
	SUPD_PID=
	cat "$T/order"
	[ "$st" -eq 0 ]
	grep -q "SIGINT received" "$T/supd.err"
	# Each got its stop signal (its trap ran), app before db.
	[ "$(grep -nx stop-app "$T/order" | cut -d: -f1)" -lt \
	    "$(grep -nx stop-db "$T/order" | cut -d: -f1)" ]
	_gone "$dp"
	_gone "$ap"
	[ ! -e "$SOCK" ]
}

# start_supd without waiting for the socket: a supd that ends at once
# may remove it before anyone sees it.
_start_supd_nowait() {
	"$SUPD" -c "$T/supd.conf" >"$T/supd.out" 2>"$T/supd.err" &
	SUPD_PID=$!
}

# supd ended on its own (not by a signal of ours): its status in
# $SUPD_STATUS.
_supd_ended() {
	WAIT_SECS=30 wait_for "supd to exit on its own" _gone "$SUPD_PID"
	SUPD_STATUS=0
	wait "$SUPD_PID" || SUPD_STATUS=$?
	SUPD_PID=
}

@test "essential (not PID 1): once on-failure:2 gives up, every service is stopped and supd exits with its code" {
	lc_script other <<'EOF'
trap 'echo term >"$1/other.term"; exit 0' TERM
: >"$1/other.ready"
while :; do sleep 0.05; done
EOF
	lc_svc other <<EOF
[service]
command = /bin/sh $T/other.sh $T
EOF
	# The first run waits until other is ready; the next ones fail at once.
	lc_svc job <<EOF
[service]
command = sh -c 'echo run >>$T/job.runs; while [ ! -e $T/go ]; do sleep 0.05; done; exit 3'
restart = on-failure:2
restart_delay = 50ms
essential = yes
EOF
	start_supd
	wait_for "other ready" test -e "$T/other.ready"
	wait_state job running
	: >"$T/go"
	_supd_ended
	cat "$T/job.runs"
	[ "$SUPD_STATUS" -eq 3 ]
	# It ended after the policy gave up (3 runs), not at the first exit.
	[ "$(wc -l <"$T/job.runs")" -eq 3 ]
	grep -q "job: exited with status 3; gave up after 2 restarts" "$T/supd.err"
	grep -q "job: essential service ended (code 3): shutting down" "$T/supd.err"
	# The others were stopped as in any shutdown.
	[ "$(cat "$T/other.term")" = term ]
	[ ! -e "$SOCK" ]
}

@test "essential (not PID 1): a command that cannot be started makes supd exit 127; a signal 128+N" {
	# restart = no: the spawn failure ends it at once.
	lc_svc job <<EOF
[service]
command = /nonexistent/command
restart = no
essential = yes
EOF
	_start_supd_nowait
	_supd_ended
	[ "$SUPD_STATUS" -eq 127 ]
	grep -q "job: essential service ended (code 127)" "$T/supd.err"

	# on-failure:1: after one retry of the spawn.
	lc_svc job <<EOF
[service]
command = /nonexistent/command
restart = on-failure:1
restart_delay = 50ms
essential = yes
EOF
	_start_supd_nowait
	_supd_ended
	[ "$SUPD_STATUS" -eq 127 ]
	grep -q "job: failed to start; gave up after 1 restarts" "$T/supd.err"

	# Death by SIGUSR1 (10): 138.
	lc_svc job <<EOF
[service]
command = sh -c 'while [ ! -e $T/go ]; do sleep 0.05; done; kill -USR1 \$\$'
restart = no
essential = yes
EOF
	start_supd
	wait_state job running
	: >"$T/go"
	_supd_ended
	[ "$SUPD_STATUS" -eq 138 ]
}

@test "SIGHUP reloads: a new service file is started, the others are left alone" {
	lc_svc a <<EOF
[service]
command = sleep 30
EOF
	start_supd
	wait_state a running
	local ap
	ap=$(field a pid)
	lc_script n <<'EOF'
echo $$ >"$1/n.tmp"
mv "$1/n.tmp" "$1/n.pid"
exec sleep 30
EOF
	lc_svc n <<EOF
[service]
command = /bin/sh $T/n.sh $T
EOF
	kill -HUP "$SUPD_PID"
	wait_state n running
	wait_for "n to run" _file_has "$T/n.pid"
	[ "$(field n pid)" = "$(cat "$T/n.pid")" ]
	_alive "$(cat "$T/n.pid")"
	[ "$(field a pid)" = "$ap" ]
	[ "$(field a restarts)" = 0 ]
	_alive "$SUPD_PID"
}

# ---- 15: how the process starts ----------------------------------------

@test "a service is a session leader with no blocked or ignored signals" {
	lc_svc s <<EOF
[service]
command = sleep 30
EOF
	# Started in the background by a non-interactive shell, supd itself
	# inherits SIGINT and SIGQUIT ignored, and here also 32-34 (glibc's
	# reserved ones among them): none of that may reach the service.
	[ -x "$HELPERS/lc_ignsig" ] || make -C "$BATS_TEST_DIRNAME/../.." \
	    B="$B" "$HELPERS/lc_ignsig" >&2
	SUPD_WRAP=$HELPERS/lc_ignsig start_supd
	wait_state s running
	local p
	p=$(field s pid)
	[ "$(proc_stat "$p" ppid)" = "$SUPD_PID" ]
	[ "$(proc_stat "$p" pgrp)" = "$p" ]
	[ "$(proc_stat "$p" session)" = "$p" ]
	echo "SigBlk $(status_line "$p" SigBlk) SigIgn $(status_line "$p" SigIgn)"
	[ "$((16#$(status_line "$p" SigBlk)))" -eq 0 ]
	[ "$((16#$(status_line "$p" SigIgn)))" -eq 0 ]
	# No controlling terminal either (tty_nr 0).
	local line rest
	line=$(cat "/proc/$p/stat")
	rest=${line##*) }
	set -- $rest
	[ "$5" = 0 ]
}

# ---- P9, P7: many exits at once, a storm of signals -----------------------

_count_state() {
	ctl --json status | jq "[.[] | select(.state == \"$1\")] | length"
}

_n_in_state() {
	[ "$(_count_state "$1")" = "$2" ]
}

@test "200 services that exit in the same instant are all reaped and accounted" {
	local i
	# Each service blocks reading one line from a FIFO (no polling: 200
	# pollers forking sleep overload 2 cores); one write of 200 lines
	# releases them all at once. The test holds the FIFO open read-write,
	# so a service that opens it late still finds its line.
	mkfifo "$T/go"
	for i in $(seq 1 200); do
		lc_svc "x$i" <<EOF
[service]
command = sh -c 'read -r x <$T/go; exit 7'
restart = no
EOF
	done
	start_supd
	exec 7<>"$T/go"
	WAIT_SECS=60 wait_for --show "_count_state running" "200 running" \
		_n_in_state running 200
	printf '%.0s\n' $(seq 1 200) >&7
	WAIT_SECS=60 wait_for --show "_count_state exited" "200 exited" \
		_n_in_state exited 200
	exec 7>&-
	[ "$(ctl --json status | jq '[.[] | select(.exit_code == 7)] | length')" = 200 ]
	wait_for --show "zombies_under --tree $SUPD_PID" "no zombie under supd" \
		no_zombies_under --tree "$SUPD_PID"
	_alive "$SUPD_PID"
}

@test "a storm of signals to supd: reloads, ignored signals, child exits; supd stays correct" {
	lc_svc churn <<EOF
[service]
command = sh -c 'exit 1'
restart = always
restart_delay = 0
EOF
	lc_svc steady <<EOF
[service]
command = sleep 60
EOF
	start_supd
	wait_state steady running
	local p i
	p=$(field steady pid)
	for i in $(seq 1 300); do
		kill -HUP "$SUPD_PID"
		kill -USR1 "$SUPD_PID"
		kill -USR2 "$SUPD_PID"
		kill -WINCH "$SUPD_PID"
	done
	_alive "$SUPD_PID"
	# Still answering, nothing restarted that should not be.
	wait_state steady running
	[ "$(field steady pid)" = "$p" ]
	[ "$(field churn restarts)" -gt 10 ]
	# churn restarts at once, every time: a try may see its zombie of the
	# moment, one that supd lost stays on every try.
	wait_for --show "zombies_under --tree $SUPD_PID" "no zombie under supd" \
		no_zombies_under --tree "$SUPD_PID"
	grep -q "SIGUSR1 ignored" "$T/supd.err"
}

# ---- issue 8, item 3: promises of supd.conf(5), supd(8), README "Behaviour"

@test "shutdown_timeout: a service ignoring SIGTERM is SIGKILLed once the budget is spent, and supd exits 0" {
	sed -i 's/^shutdown_timeout = .*/shutdown_timeout = 2s/' "$T/supd.conf"
	# Main and child ignore SIGTERM (an ignored signal stays ignored
	# across fork and exec).
	lc_script t <<'EOF'
trap '' TERM
sleep 300 &
echo $! >"$1/child.tmp"
mv "$1/child.tmp" "$1/child"
wait
EOF
	# stop_timeout far beyond the budget: only shutdown_timeout can end it.
	lc_svc t <<EOF
[service]
command = /bin/sh $T/t.sh $T
stop_timeout = 1h
EOF
	start_supd
	wait_state t running
	wait_for "child pid file" _file_has "$T/child"
	local main child t0 t1 st=0
	main=$(field t pid)
	child=$(cat "$T/child")
	[ "$(proc_stat "$child" pgrp)" = "$main" ]
	t0=$(mono_ms)
	kill -TERM "$SUPD_PID"
	# 30 s: far above the 2 s budget, far below the 1 h stop_timeout.
	WAIT_SECS=30 wait_for "supd to exit" _gone "$SUPD_PID"
	t1=$(mono_ms)
	wait "$SUPD_PID" || st=$?
	SUPD_PID=
	echo "supd exited with $st after $((t1 - t0)) ms"
	[ "$st" -eq 0 ]
	# It gave the service the whole budget first.
	[ $((t1 - t0)) -ge 1900 ]
	wait_for "the main process to be dead" _dead "$main"
	wait_for "its child to be dead" _dead "$child"
	grep -q "shutdown: 2000 ms budget spent, killing what is left" "$T/supd.err"
	grep -q "t: shutdown timeout, sending SIGKILL" "$T/supd.err"
}

@test "when a plain service's main process ends, what is left in its process group is killed" {
	lc_script g <<'EOF'
sleep 300 &
echo $! >"$1/child.tmp"
mv "$1/child.tmp" "$1/child"
while [ ! -e "$1/go" ]; do sleep 0.05; done
exit 0
EOF
	lc_svc g <<EOF
[service]
command = /bin/sh $T/g.sh $T
restart = no
EOF
	start_supd
	wait_state g running
	wait_for "child pid file" _file_has "$T/child"
	local main child
	main=$(field g pid)
	child=$(cat "$T/child")
	# A plain background child: in the main process's group, its child.
	_alive "$child"
	[ "$(proc_stat "$child" pgrp)" = "$main" ]
	[ "$(proc_stat "$child" ppid)" = "$main" ]
	touch "$T/go"
	wait_state g exited
	[ "$(field g exit_code)" = 0 ]
	# Orphaned, it is supd's (the subreaper's) to kill and reap.
	wait_for "the child $child to be killed and reaped" _gone "$child"
	wait_for --show "zombies_under $SUPD_PID" "no zombie under supd" \
		no_zombies_under "$SUPD_PID"
}

@test "stop_signal is what a stop sends: USR1 to a plain service, INT through a service's init" {
	# Each traps every likely signal and says which one it got.
	lc_script s1 <<'EOF'
for s in USR1 INT TERM HUP QUIT USR2; do
	trap "echo got $s; exit 0" "$s"
done
echo ready
while :; do sleep 0.05; done
EOF
	lc_svc s1 <<EOF
[service]
command = /bin/sh $T/s1.sh $T
stop_signal = USR1
stop_timeout = 20s
EOF
	# This one keeps the default namespaces, unlike the rest of this file:
	# with a pid namespace the init passes the signal on to the command.
	# It records to its log (supd writes it): its private /tmp hides $T.
	svc s2 <<'EOF'
[service]
command = sh -c 'for s in USR1 INT TERM HUP QUIT USR2; do trap "echo got $s; exit 0" $s; done; echo ready; while :; do sleep 0.05; done'
stop_signal = INT
stop_timeout = 20s
EOF
	start_supd
	wait_state s1 running
	wait_state s2 running
	wait_for "s1's traps" grep -qx ready "$T/log/s1.log"
	wait_for "s2's traps" grep -qx ready "$T/log/s2.log"
	ctl stop s1 s2
	cat "$T/log/s1.log" "$T/log/s2.log"
	[ "$(grep '^got ' "$T/log/s1.log")" = "got USR1" ]
	[ "$(grep '^got ' "$T/log/s2.log")" = "got INT" ]
	# Each ended through its trap, not by a SIGKILL after stop_timeout.
	local n
	for n in s1 s2; do
		[ "$(state $n)" = stopped ]
		[ "$(field $n exit_code)" = 0 ]
		[ "$(field $n exit_signal)" = null ]
	done
}

# _stalled_line out|err ERE: a line matching ERE has come through that FIFO
# (what is read accumulates in $T/out.2 or $T/err.2).
_stalled_line() {
	stalled_read "$1" >>"$T/$1.2"
	grep -Eq "$2" "$T/$1.2"
}

@test "supd's stderr on a pipe nobody reads: lines are dropped and counted, supd never blocks and answers status" {
	# A long name and path: every failed start logs two lines of 150
	# bytes or more; 500 of them fill a 64 KiB pipe twice over.
	local name path
	name=flood$(printf 'x%.0s' $(seq 1 55))
	path=/nonexistent/$(printf 'p%.0s' $(seq 1 120))
	lc_svc "$name" <<EOF
[service]
command = $path
restart = on-failure:500
restart_delay = 0
EOF
	start_supd_stalled
	# Status answers all along the flood, each time within 5 s.
	local out st deadline=$(($(mono_ms) + 60000))
	while :; do
		out=$(ctl_within 5 --json status "$name") ||
			{ echo "status did not answer within 5 s"; false; }
		st=$(jq -r '.[0].state' <<<"$out")
		[ "$st" != failed ] || break
		[ "$(mono_ms)" -lt "$deadline" ] ||
			{ echo "still $st after 60 s"; false; }
		sleep 0.05
	done
	[ "$(jq -r '.[0].restarts' <<<"$out")" = 500 ]
	# The pipe was full: most of its 64 KiB waits there ...
	stalled_read err >"$T/err.1"
	echo "$(wc -c <"$T/err.1") bytes were waiting"
	[ "$(wc -c <"$T/err.1")" -ge 32768 ]
	grep -q "$name: cannot start: exec" "$T/err.1"
	# ... and, room made, the next line counts what was dropped.
	kill -USR1 "$SUPD_PID"
	wait_for "the next line" _stalled_line err "SIGUSR1 ignored"
	grep -E "supd: \([0-9]+ log lines dropped\) " "$T/err.2"
	stalled_drain
	stop_supd
	[ "$SUPD_STATUS" -eq 0 ]
}

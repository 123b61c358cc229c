#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# run.bats: `supctl run` (a service from the command line, docker's way),
# transient services, --save, --rm, `supctl rm` and `supctl ps` (supctl(1)
# "run"). Each option is checked from inside the service: the command
# prints what it sees (tests/helpers/probe.c in a busybox rootfs, or a
# shell on the host tree) and the test reads it from supctl's output or
# the log.

bats_require_minimum_version 1.5.0

load common

setup_file() {
	RUNISO=$(mktemp -d "${ISO_TMPDIR:-/var/tmp}/supd-run.XXXXXX")
	chmod 0755 "$RUNISO"
	"$BATS_TEST_DIRNAME/mkrootfs.sh" "$RUNISO/rootfs" >&2
	export RUNISO ROOTFS=$RUNISO/rootfs
}

teardown_file() {
	[ -z "${RUNISO:-}" ] || rm -rf --one-file-system "$RUNISO"
}

setup() {
	setup_supd
	TMUX_SOCK=
}

teardown() {
	if [ -n "$TMUX_SOCK" ]; then
		tmux -S "$TMUX_SOCK" kill-server 2>/dev/null || true
	fi
	teardown_supd
}

_no_services() {
	[ "$(ctl --json status | jq length)" = 0 ]
}

_gone_svc() {
	run ctl status "$1"
	[ "$status" -eq 1 ]
}

# ---- options, each seen from inside ------------------------------------------

@test "run: -e, --env-file, -u, -w, --hostname, -v, --tmpfs, --cap-drop, --no-init seen inside; exit code and both streams come back" {
	start_supd
	mkdir -p "$T/data"
	echo from-host >"$T/data/f"
	printf 'FROMFILE=yes\n' >"$T/envf"
	# The script lives where a private /tmp does not hide it.
	cat >"$RUNISO/opts.sh" <<'EOF'
echo "A=$A B=$B F=$FROMFILE"
echo "uid=$(id -u) gid=$(id -g) pwd=$PWD host=$(hostname)"
echo "data=$(cat /mnt/f)"
touch /mnt/x 2>/dev/null || echo data-ro
grep " /srv " /proc/mounts | cut -d" " -f3
grep CapEff /proc/self/status
echo "pid=$$"
echo to-stderr >&2
exit 5
EOF
	chmod 0644 "$RUNISO/opts.sh"
	run --separate-stderr ctl run --name opts -e A=one -e 'B=two words' \
		--env-file "$T/envf" -u nobody:nogroup -w /tmp --hostname box-9 \
		-v "$T/data:/mnt:ro" --tmpfs /srv:size=1m --cap-drop ALL \
		--cap-add NET_BIND_SERVICE --no-init -- sh "$RUNISO/opts.sh"
	echo "$output"
	echo "stderr: $stderr"
	[ "$status" -eq 5 ]
	[[ "$output" == *"A=one B=two words F=yes"* ]]
	[[ "$output" == *"uid=65534 gid=65534 pwd=/tmp host=box-9"* ]]
	[[ "$output" == *"data=from-host"* ]]
	[[ "$output" == *"data-ro"* ]]
	[[ "$output" == *"tmpfs"* ]]
	[[ "$output" == *"CapEff:	0000000000000400"* ]]
	[[ "$output" == *"pid=1"* ]]
	# stderr of the service is in the log stream too (merged, as logs -f).
	[[ "$output" == *"to-stderr"* ]]
	[ "$(ctl inspect opts | jq -r .transient)" = true ]
	[ "$(ctl --json status opts | jq -r '.[0].transient')" = true ]
}

@test "run --rootfs: /dev's nodes are made with mknod (no mount, no host path followed), 0666, usable by a user; in a user namespace they are bound" {
	# In the rootfs itself: a user namespace's root may not reach $RUNISO.
	cat >"$ROOTFS/devs.sh" <<'EOF'
for d in null zero full random urandom tty; do
	echo "$d $(stat -c '%F %t:%T %a' /dev/$d)"
done
echo "mounts at nodes: $(grep -c ' /dev/\(null\|zero\|full\|random\|urandom\|tty\) ' /proc/self/mountinfo)"
echo x >/dev/null && head -c 4 /dev/zero | wc -c && echo usable
EOF
	# A user namespace may not mknod: the host's nodes are bound there.
	svc u <<EOF
[service]
command = /bin/sh /devs.sh
restart = no
[isolation]
namespaces = mount pid ipc uts user
rootfs = $ROOTFS
EOF
	start_supd
	run ctl run --rm --rootfs "$ROOTFS" -u 1000 sh /devs.sh
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"null character special file 1:3 666"* ]]
	[[ "$output" == *"zero character special file 1:5 666"* ]]
	[[ "$output" == *"urandom character special file 1:9 666"* ]]
	[[ "$output" == *"tty character special file 5:0 666"* ]]
	[[ "$output" == *"mounts at nodes: 0"* ]]
	[[ "$output" == *"usable"* ]]
	wait_state u exited
	ctl logs u
	ctl logs u | grep -q "null character special file 1:3 666"
	ctl logs u | grep -q "mounts at nodes: 6"
	ctl logs u | grep -q "usable"
	rm -f "$ROOTFS/devs.sh"
}

@test "run: --rootfs, --read-only, --init, --stop-signal, --stop-timeout, --restart, health and network options reach the service" {
	start_supd
	run ctl run --name rf --rootfs "$ROOTFS" --read-only --init \
		sh -c 'cat /etc/rootfs-marker >/dev/null && echo in-rootfs; touch /x 2>/dev/null || echo ro-root; cat /proc/1/comm'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *in-rootfs* ]]
	[[ "$output" == *ro-root* ]]
	# With an init, PID 1 is not the command.
	[[ "$output" != *$'\nsh'* ]]
	ctl run -d --name keys --stop-signal INT --stop-timeout 7 \
		--restart on-failure:3 --health-cmd true --health-interval 2s \
		--network none -p 8080:80 sleep 1000 || true
	run ctl inspect keys
	[ "$(echo "$output" | jq -r .config.stop_signal)" = SIGINT ]
	[ "$(echo "$output" | jq -r .config.stop_timeout_ms)" = 7000 ]
	[ "$(echo "$output" | jq -r .config.restart)" = on-failure:3 ]
	[ "$(echo "$output" | jq -c .config.health.cmd)" = '["true"]' ]
	[ "$(echo "$output" | jq -r .config.health.interval_ms)" = 2000 ]
	[ "$(echo "$output" | jq -r .config.isolation.network)" = none ]
	[ "$(echo "$output" | jq -r '.config.isolation.publish[0]')" = "0.0.0.0:8080:80/tcp" ]
	ctl rm -f keys
}

_http_ok() {
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$1")" = 200 ]
}

@test "run -p with --network: a published port reaches the service's server; ps shows it" {
	command -v curl >/dev/null
	start_supd
	ctl run -d --name web --network none -p 127.0.0.1:18431:8000 \
		python3 -m http.server 8000 --bind 127.0.0.1
	wait_for "an answer through 127.0.0.1:18431" _http_ok http://127.0.0.1:18431/
	run ctl ps
	echo "$output"
	[[ "$output" == *"127.0.0.1:18431->8000/tcp"* ]]
	ctl rm -f web
}

@test "run --print: the service file, one key per option; --image and --entrypoint too (issue 13)" {
	run ctl run --print --name p -e K=V -u app:grp -w /srv -v data:/d \
		--tmpfs /t:size=4m -p 8080:80 --network bridge --hostname h \
		--read-only --init --rootfs /r --stop-signal HUP --stop-timeout 3 \
		--health-cmd 'true' --health-interval 5s --restart always \
		--cap-add NET_ADMIN --cap-drop ALL -t echo "it's ; x"
	echo "$output"
	[ "$status" -eq 0 ]
	local want
	want="# supctl run
[service]
command = 'echo' 'it'\"'\"'s '\";\"' x'
env = K=V
user = app
group = grp
workdir = /srv
stop_signal = HUP
stop_timeout = 3s
restart = always
tty = yes

[isolation]
volume = data:/d
tmpfs = /t:4m
publish = 8080:80
network = bridge
hostname = h
read_only = yes
init = yes
rootfs = /r
capabilities = NET_ADMIN

[health]
cmd = true
interval = 5s"
	[ "$output" = "$want" ]
	# --image (its path made absolute, COMMAND optional), --entrypoint
	# (one word; empty clears the image's).
	run ctl run --print --image oci-archive:img.tar:v1 --entrypoint '/bin/sh -x'
	[ "$status" -eq 0 ]
	[[ "$output" == *"image = oci-archive:$PWD/img.tar:v1"* ]]
	[[ "$output" == *"entrypoint = '/bin/sh -x'"* ]]
	[[ "$output" != *"command ="* ]]
	run ctl run --print --image /i --entrypoint '' true
	[ "$status" -eq 0 ]
	[[ "$output" == *$'\nentrypoint =\n'* ]]
	run ctl run --print --rootfs /r
	[ "$status" -eq 2 ]
	[[ "$output" == *"missing command"* ]]
}

# ---- foreground, detached, --rm ------------------------------------------------

@test "run: Ctrl-C (SIGINT to supctl) reaches the service, supctl exits with its code; SIGTERM too" {
	start_supd
	# supctl itself in the background (a function would be a subshell,
	# and bash's background jobs ignore SIGINT).
	"$SUPCTL" -s "$SOCK" run --name trap sh -c 'trap "echo got-int; exit 9" INT; echo ready; while :; do sleep 0.1; done' \
		>"$T/out" 2>&1 &
	local p=$!
	wait_for "the service ready" grep -q ready "$T/out"
	kill -INT "$p"
	local rc=0
	wait "$p" || rc=$?
	cat "$T/out"
	[ "$rc" -eq 9 ]
	grep -q got-int "$T/out"
	"$SUPCTL" -s "$SOCK" run --name term sh -c 'echo ready; exec sleep 1000' >"$T/out2" 2>&1 &
	p=$!
	wait_for "the second ready" grep -q ready "$T/out2"
	kill -TERM "$p"
	rc=0
	wait "$p" || rc=$?
	[ "$rc" -eq 143 ]
	[ "$(state term)" = stopped ] || [ "$(state term)" = exited ]
}

@test "run --rm: removed once it ends, foreground and detached; -d prints the name; a generated name is run-N" {
	start_supd
	run ctl run --rm sh -c 'echo hi; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = hi ]
	_gone_svc run-1
	run ctl run -d --rm --name bg sh -c 'sleep 0.3'
	[ "$status" -eq 0 ]
	[ "$output" = bg ]
	wait_for "bg removed" _gone_svc bg
	run ctl run -d sleep 1000
	[ "$output" = run-1 ]
	run ctl run -d sleep 1000
	[ "$output" = run-2 ]
	run -127 ctl run /nonexistent/cmd
	echo "$output"
	[ "$status" -eq 127 ]
	[[ "$output" == *"run-3: failed (exec /nonexistent/cmd"* ]]
	run ctl run --rm --restart always true
	[ "$status" -eq 2 ]
}

@test "run -i: the caller's stdin reaches the service (a pipe, never the caller's file)" {
	start_supd
	run ctl run -i sh -c 'cat; ls -l /proc/self/fd/0'
	echo "$output"
	[ "$status" -eq 0 ]
	printf 'line-a\nline-b\n' >"$T/in"
	run ctl run -i sh -c 'cat; readlink /proc/self/fd/0' <"$T/in"
	echo "$output"
	[[ "$output" == *"line-a"*"line-b"*"pipe:"* ]]
}

_pane_has() {
	tmux -S "$TMUX_SOCK" capture-pane -p -t "$1" | grep -qF -- "$2"
}

@test "run -it: a terminal, through tmux: input, output, the exit code" {
	start_supd
	TMUX_SOCK=$T/tmux.sock
	tmux -S "$TMUX_SOCK" new-session -d -s r1 -x 120 -y 30 \
		"$SUPCTL -s $SOCK run -it --name tt sh; echo \$? >$T/r1.rc"
	wait_for "tt running" _state_is tt running
	wait_for "a prompt" _pane_has r1 '#'
	tmux -S "$TMUX_SOCK" send-keys -t r1 'tty; echo v-$((6*7))' Enter
	wait_for "v-42 on the screen" _pane_has r1 v-42
	_pane_has r1 /dev/pts/
	tmux -S "$TMUX_SOCK" send-keys -t r1 'exit 6' Enter
	wait_for "supctl to end" test -s "$T/r1.rc"
	[ "$(cat "$T/r1.rc")" = 6 ]
	[ "$(ctl inspect tt | jq -r .config.tty)" = true ]
}

# ---- transient vs saved --------------------------------------------------------

@test "run: a transient service survives reload, vanishes with supd; --save writes conf_dir/NAME.ini and survives a restart" {
	start_supd
	ctl run -d --name tr sleep 1000
	ctl run -d --save --name kept sleep 1000
	[ -f "$T/conf.d/kept.ini" ]
	[ "$(stat -c %a "$T/conf.d/kept.ini")" = 644 ]
	[ ! -e "$T/conf.d/tr.ini" ]
	[ "$(ctl inspect kept | jq -r .transient)" = false ]
	[ "$(ctl inspect kept | jq -r .file)" = "$T/conf.d/kept.ini" ]
	ctl reload
	[ "$(state tr)" = running ]
	# A file of a transient's name waits: reload says why.
	printf '[service]\ncommand = sleep 1\n' >"$T/conf.d/tr.ini"
	run ctl reload
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"tr.ini: name in use by a transient service"* ]]
	[ "$(ctl inspect tr | jq -r .transient)" = true ]
	rm "$T/conf.d/tr.ini"
	stop_supd
	start_supd
	wait_state kept running
	_gone_svc tr
	# rm of a saved service is refused: it is its file's.
	run ctl rm -f kept
	[ "$status" -eq 1 ]
	[[ "$output" == *"kept: defined by a file of conf_dir"* ]]
}

@test "rm: refused while running, -f stops first, several names, unknown names change nothing" {
	start_supd
	ctl run -d --name a sleep 1000
	ctl run -d --name b sleep 1000
	ctl run --name c true
	run ctl rm a
	[ "$status" -eq 1 ]
	[[ "$output" == *"a: running (stop it first, or rm -f)"* ]]
	run ctl rm c nosuch
	[ "$status" -eq 1 ]
	[[ "$output" == *"no such service: nosuch"* ]]
	[ "$(state c)" = exited ]
	ctl rm c
	_gone_svc c
	ctl rm -f a b a
	wait_for "a removed" _gone_svc a
	wait_for "b removed" _gone_svc b
}

@test "a service file may depend on a transient service; rm refuses while it does, naming it; rm -f; gone at supd's restart" {
	start_supd
	ctl run -d --name db sleep 1000
	ctl run -d --name cache sleep 1000
	printf '[service]\ncommand = sleep 1000\nrequires = db\nafter = cache\n' >"$T/conf.d/web.ini"
	run -0 ctl reload
	[[ "$output" == *"1 added"*"0 errors"* ]]
	wait_state web running
	# A dependent holds it, running or not; the message names it.
	run -1 ctl rm db
	[[ "$output" == *"db: web depends on it"*"rm -f"* ]]
	ctl stop cache
	run -1 ctl rm cache
	[[ "$output" == *"cache: web depends on it"* ]]
	[ "$(state db)" = running ]
	[ "$(state cache)" = stopped ]
	# rm -f removes it all the same: web, which requires db, is stopped.
	ctl rm -f db
	wait_for "db removed" _gone_svc db
	wait_for --show "state web" "web stopped with its requirement" \
		sh -c "[ \"\$($(printf %q "$SUPCTL") -s $(printf %q "$SOCK") --json status web | jq -r '.[0].state')\" != running ]"
	run -1 ctl start web
	[[ "$output" == *"web: failed (requirement db failed)"* ]]
	# A transient the file does not name goes without a word.
	ctl run -d --name free sleep 1000
	ctl rm -f free
	# supd restarted: transients are gone, the file's dependency on one
	# is an unknown service, a config error naming it.
	stop_supd
	start_supd
	wait_for "the load error" grep -q "web.ini:[0-9]*: requires: unknown service 'db'" "$T/supd.err"
	_gone_svc web
}

@test "rm and run --rm remove the service's log files (active, rotated, time indexes); a logs -f of it ends cleanly" {
	start_supd
	ctl run -d --name rot sh -c 'i=0; while [ $i -lt 40 ]; do echo line-$i; i=$((i+1)); done; exec sleep 1000'
	wait_for "rot's last line" grep -qx line-39 "$T/log/rot.log"
	[ -f "$T/log/.rot.log.idx" ]
	# Rotated files as an earlier run of the name left them (max_files
	# is 5); a file of another service stays.
	local f
	for f in rot.log.1 .rot.log.1.idx rot.log.5 .rot.log.5.idx rotx.log; do
		echo old >"$T/log/$f"
	done
	ctl logs -f rot >"$T/follow.out" 2>&1 &
	local fpid=$! rc=0
	wait_for "the follower" grep -qx line-39 "$T/follow.out"
	ctl rm -f rot
	wait_for "rot removed" _gone_svc rot
	wait "$fpid" || rc=$?
	[ "$rc" -eq 0 ]
	run ls -A "$T/log"
	[ "$output" = rotx.log ]

	# run --rm: gone with its logs when it ends.
	run -0 ctl run --rm --name once sh -c 'echo bye'
	[ "$output" = bye ]
	wait_for "once removed" _gone_svc once
	[ ! -e "$T/log/once.log" ]
	[ ! -e "$T/log/.once.log.idx" ]
	# A transient stopped by supd's end keeps its logs (only rm removes).
	ctl run -d --name kept sh -c 'echo here; exec sleep 1000'
	wait_for "kept's line" grep -qx here "$T/log/kept.log"
	stop_supd
	[ -f "$T/log/kept.log" ]
}

@test "ps: running only; -a all, with docker's COMMAND, STATUS and PORTS columns" {
	start_supd
	ctl run -d --name up sleep 1000
	ctl run --name done sh -c 'exit 3' || true
	run ctl ps
	echo "$output"
	[ "$(echo "$output" | head -n 1 | tr -s ' ')" = "NAME COMMAND STATUS PORTS" ]
	[[ "$output" == *"up"*"sleep 1000"*"Up "* ]]
	[[ "$output" != *done* ]]
	run ctl ps -a
	echo "$output"
	[[ "$output" == *"done"*"sh -c exit 3"*"Exited (3) "*" ago"* ]]
	[[ "$output" == *"up"*"Up "* ]]
}

# ---- what an attacker tries --------------------------------------------------

@test "run, security: a name that is a path or huge, --save never writes outside conf_dir, nothing of a value becomes a key" {
	start_supd
	local n
	for n in ../evil /etc/passwd a/b .hidden "$(head -c 300 /dev/zero | tr '\0' a)" "x y"; do
		run ctl run --save --name "$n" true
		echo "# $n: $status $output"
		[ "$status" -eq 1 ]
		[[ "$output" == *"invalid service name"* ]]
	done
	[ -z "$(ls -A "$T/conf.d")" ]
	[ ! -e "$T/evil.ini" ]
	# A newline in a value would be a new key or section: refused by supctl.
	run ctl run -e $'A=1\n[isolation]\nnamespaces = none' true
	[ "$status" -eq 2 ]
	[[ "$output" == *"newline"* ]]
	run ctl run sh -c $'echo a\nnamespaces = none'
	[ "$status" -eq 2 ]
	# Sent raw, the text is a service file like any other: the loader's
	# errors, named run:LINE, and nothing made.
	printf '[service]\ncommand = true\n[isolation]\nrootfs = relative\nbogus = 1\n' >"$T/text"
	run "$HELPERS/cs_client" -v "$SOCK" strv 17 3 f evil "$(cat "$T/text")" reply 5
	echo "$output"
	[[ "$output" == *"run:5: unknown key 'bogus' in [isolation]"* ]]
	_gone_svc evil
	# A file appearing meanwhile is never replaced by --save.
	printf '[service]\ncommand = sleep 1\n' >"$T/conf.d/taken.ini"
	run ctl run --save --name taken true
	[ "$status" -eq 1 ]
	[[ "$output" == *"name in use: taken"* ]]
	grep -q 'sleep 1' "$T/conf.d/taken.ini"
}

@test "run, security: only root or supd's user may run and rm; socket_group members are refused" {
	groupadd -f supdtest
	cat >>"$T/supd.conf" <<EOF
socket_mode = 0660
socket_group = supdtest
EOF
	start_supd
	chmod 755 "$T"
	ctl run -d --name mine sleep 1000
	member() {
		setpriv --reuid=nobody --regid=nogroup --groups=supdtest \
			"$SUPCTL" -s "$SOCK" "$@"
	}
	run --separate-stderr member run -d --name theirs true
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"permission denied: run needs root or supd's user"* ]]
	run --separate-stderr member rm -f mine
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"permission denied: rm needs root or supd's user"* ]]
	_gone_svc theirs
	[ "$(state mine)" = running ]
}

@test "run, security: a flood of 200 runs at once: each gets a name of its own, supd answers throughout" {
	start_supd
	local i pids=()
	for i in $(seq 1 200); do
		"$SUPCTL" -s "$SOCK" run -d sh -c 'sleep 0.2' >"$T/flood.$i" 2>&1 &
		pids+=($!)
	done
	ctl status >/dev/null
	for i in "${pids[@]}"; do
		wait "$i"
	done
	cat "$T"/flood.* | sort >"$T/names"
	[ "$(sort -u "$T/names" | grep -c '^run-[0-9]*$')" -eq 200 ]
	ctl rm -f $(cat "$T/names")
	wait_for "every run removed" _no_services
}

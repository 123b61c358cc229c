#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# spawn.bats: the two ways a service is started (src/spawn.c): a lone
# spawn is cloned CLONE_VM | CLONE_VFORK, alone or among others (the boot,
# a batch of events); one that cannot be (a directory service's accounts,
# a user namespace, a gate, a cgroup) forks. A plain service (namespaces =
# none) first, then one in namespaces with an init. Both must give the
# service the same things. The faults build (supd-faults) says which path
# each spawn took on its stderr when SUPD_TEST_SPAWN is set, and
# SUPD_TEST_SPAWN=fork forces a fork.

load common

setup_file() {
	make -s -C "$BATS_TEST_DIRNAME/../.." B="$SUPD_BUILD" \
		"$SUPD_BUILD/supd-faults" "$SUPD_BUILD/helpers/lc_ignsig" >&2
}

setup() {
	setup_supd
	SUPD=$B/supd-faults
}

teardown() {
	if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -n "${T:-}" ]; then
		dump_supd >&3 2>/dev/null || true
	fi
	local rc=0
	teardown_supd || rc=$?
	# iso_dir's, kept by a test that failed before its own rm.
	[ -z "${D:-}" ] || rm -rf --one-file-system "$D"
	return "$rc"
}

plain() {
	{
		cat
		printf '[isolation]\nnamespaces = none\n'
	} >"$T/conf.d/$1.ini"
}

# The path of each spawn of NAME, in order, one a line.
paths_of() {
	sed -n "s/^spawn: $1 \(v\{0,1\}fork\)\$/\1/p" "$T/supd.err"
}

_nspawns_is() { [ "$(paths_of "$1" | wc -l)" -eq "$2" ]; }

_new_pid() {
	local p
	p=$(field "$1" pid)
	[ "$p" != 0 ] && [ "$p" != "$2" ] && [ "$(state "$1")" = running ]
}

@test "a boot of 20 plain services is 20 lone spawns (vfork), a restart too" {
	local i
	for i in $(seq -w 1 20); do
		plain "s$i" <<EOF
[service]
command = sleep 1000
restart_delay = 0
EOF
	done
	SUPD_TEST_SPAWN=1 start_supd
	for i in $(seq -w 1 20); do
		wait_state "s$i" running
	done
	local lone
	lone=$(grep -c '^spawn: s[0-9]* vfork$' "$T/supd.err")
	echo "boot: $lone of 20 lone; $(grep '^spawn:' "$T/supd.err" | tr '\n' ' ')"
	# Many in one turn or not: no copy of supd's memory for any.
	[ "$lone" -eq 20 ]
	local p
	p=$(field s07 pid)
	kill -9 "$p"
	wait_for "s07 restarted" _new_pid s07 "$p"
	_nspawns_is s07 2
	[ "$(paths_of s07 | tail -n 1)" = vfork ]
}

@test "a named account behind a directory service (ldap in nsswitch.conf) forks even alone; local sources vfork; the file is read again when it changes" {
	printf 'passwd:  files ldap\ngroup:   files\n' >"$T/nss-remote"
	printf 'passwd: files systemd\ngroup: files [NOTFOUND=return] db\n' \
	    >"$T/nss-local"
	cp "$T/nss-remote" "$T/nsswitch.conf"
	plain u <<EOF
[service]
command = sleep 1000
user = nobody
restart_delay = 0
EOF
	plain n <<EOF
[service]
command = sleep 1000
restart_delay = 0
EOF
	SUPD_TEST_NSSWITCH=$T/nsswitch.conf SUPD_TEST_SPAWN=1 start_supd
	wait_state u running
	wait_state n running
	local p
	# Alone (a restart), with ldap: forked; no account to look up: vfork.
	p=$(field u pid)
	kill -9 "$p"
	wait_for "u restarted" _new_pid u "$p"
	[ "$(paths_of u | tail -n 1)" = fork ]
	p=$(field n pid)
	kill -9 "$p"
	wait_for "n restarted" _new_pid n "$p"
	[ "$(paths_of n | tail -n 1)" = vfork ]
	# Local sources only: the lone path.
	cp "$T/nss-local" "$T/nsswitch.conf"
	p=$(field u pid)
	kill -9 "$p"
	wait_for "u restarted" _new_pid u "$p"
	[ "$(paths_of u | tail -n 1)" = vfork ]
	[ "$(ctl exec u id -un)" = nobody ]
	# And back: the change is seen.
	cp "$T/nss-remote" "$T/nsswitch.conf"
	p=$(field u pid)
	kill -9 "$p"
	wait_for "u restarted" _new_pid u "$p"
	[ "$(paths_of u | tail -n 1)" = fork ]
}

# _facts_both OUT CONF [CHECK]: for each path, CONF PATH writes service f,
# which writes its facts to OUT/PATH/facts; supd starts it on that path,
# with fd 9 (a directory) and SIGINT, SIGQUIT and 32-34 ignored inherited
# (none of it may reach the service); CHECK PATH, if given, looks at more
# once the facts are there. The caller compares the two.
_facts_both() {
	local path
	for path in fork vfork; do
		"$2" "$path"
		SUPD_TEST_SPAWN=$path SUPD_WRAP=$HELPERS/lc_ignsig \
			start_supd 9<"$T"
		wait_for "f's facts ($path)" test -s "$1/$path/facts"
		[ -z "${3:-}" ] || "$3" "$path"
		[ "$(paths_of f)" = "$path" ]
		echo "--- $path:"
		cat "$1/$path/facts"
		stop_supd
		rm -rf "$T/supd.err" "$T/log" && mkdir "$T/log"
	done
}

# The service of the plain facts, started on path $1.
_plain_conf() {
	plain f <<EOF
[service]
command = /bin/sh $T/facts.sh $T/out $1
user = nobody
group = nogroup
groups = daemon adm
workdir = /tmp
umask = 027
env = A=1
env_file = $T/envfile
[limits]
nofile = 123:456
core = 0
EOF
}

_plain_logs() {
	wait_for "f's log ($1)" eval 'ctl logs f | grep -q "to stderr"'
	ctl logs f | grep -q "to stdout"
}

@test "a plain service gets the same on both paths: stdio, env, user, groups, workdir, umask, rlimits, no supd fd, default signals" {
	chmod 0755 "$T"
	printf 'FROM_FILE=x\n' >"$T/envfile"
	cat >"$T/facts.sh" <<'EOF'
out=$1/$2
mkdir -p "$out"
{
	id -u; id -g; id -G
	pwd; umask; ulimit -n; ulimit -c
	ls /proc/self/fd | sort -n | tr '\n' ' '; echo
	grep -E '^Sig(Blk|Ign):' /proc/self/status
	env | grep -v '^PWD=\|^SHLVL=\|^_=' | sort
} >"$out/facts.tmp"
mv "$out/facts.tmp" "$out/facts"
echo "to stdout"
echo "to stderr" >&2
exec sleep 1000
EOF
	chmod 0644 "$T/facts.sh"
	mkdir -m 0777 "$T/out"
	_facts_both "$T/out" _plain_conf _plain_logs
	diff "$T/out/fork/facts" "$T/out/vfork/facts"
	local want
	want="65534
$(getent group nogroup | cut -d: -f3)
$(getent group nogroup | cut -d: -f3) $(getent group daemon | cut -d: -f3) $(getent group adm | cut -d: -f3)
/tmp
0027
123
0
0 1 2 3 
SigBlk:	0000000000000000
SigIgn:	0000000000000000
A=1
FROM_FILE=x
HOME=/nonexistent
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
USER=nobody"
	# fd 3 is ls's own directory fd, as in any shell.
	[ "$(cat "$T/out/vfork/facts")" = "$want" ]
}

@test "a lone spawn that fails is reported as a forked one is, and the restart policy goes on" {
	plain badwd <<EOF
[service]
command = sleep 30
workdir = /nonexistent-dir
restart = on-failure:2
restart_delay = 0
EOF
	plain nocmd <<EOF
[service]
command = no-such-command-xyz
restart = on-failure:2
restart_delay = 0
EOF
	plain badgrp <<EOF
[service]
command = sleep 30
user = nobody
groups = daemon no-such-group-xyz
restart = on-failure:2
restart_delay = 0
EOF
	SUPD_TEST_SPAWN=vfork start_supd
	wait_state badwd failed
	wait_state nocmd failed
	wait_state badgrp failed
	local n
	for n in badwd nocmd badgrp; do
		echo "$n: $(field "$n" reason), restarts $(field "$n" restarts)," \
			"paths $(paths_of "$n" | tr '\n' ' ')"
		[ "$(field "$n" restarts)" = 2 ]
		[ "$(paths_of "$n" | sort -u)" = vfork ]
	done
	[[ "$(field badwd reason)" == *"workdir /nonexistent-dir: No such file or directory"* ]]
	[[ "$(field nocmd reason)" == *"exec no-such-command-xyz: No such file or directory"* ]]
	[[ "$(field badgrp reason)" == *"groups no-such-group-xyz: no such user or group"* ]]
	grep -q "badwd: .*workdir /nonexistent-dir: No such file or directory" \
		"$T/supd.err"
}

@test "a lone child dies with supd: kill -9 of supd ends the service (PR_SET_PDEATHSIG)" {
	plain d <<EOF
[service]
command = sleep 1000
EOF
	SUPD_TEST_SPAWN=vfork start_supd
	wait_state d running
	local p
	p=$(field d pid)
	[ "$(paths_of d)" = vfork ]
	SUPD_EXIT_EXPECTED=any
	kill -9 "$SUPD_PID"
	wait_for "the service to die with supd" _dead "$p"
}

# supd's data segment and resident set, in kB.
_mem() {
	awk '/^(VmData|VmRSS):/ { printf "%s ", $2 }' "/proc/$SUPD_PID/status"
}

_restarts_ge() { [ "$(field "$1" restarts)" -ge "$2" ]; }

# supd started, NAME (restart = always, restart_delay = 0) restarted 350
# times, 300 of them at least on the lone path: supd's VmData and VmRSS may
# not grow by more than 1 MiB from the 50th to the 350th.
_restarts_leave_nothing() {
	SUPD_TEST_SPAWN=1 start_supd
	wait_for "50 restarts" _restarts_ge "$1" 50
	local m0 m1
	m0=$(_mem)
	wait_for "350 restarts" _restarts_ge "$1" 350
	m1=$(_mem)
	echo "supd VmData VmRSS (kB): after 50 restarts $m0, after 350 $m1"
	ctl stop "$1"
	[ "$(paths_of "$1" | sort | uniq -c | awk '$2 == "vfork" { print $1 }')" -ge 300 ]
	# Under a sanitizer, freed memory sits in its quarantine: its
	# LeakSanitizer, at supd's end (teardown), is the check there.
	[ -z "${SUPD_ASAN:-}" ] || return 0
	set -- $m0 $m1
	[ $(($3 - $1)) -le 1024 ]
	[ $(($4 - $2)) -le 1024 ]
}

@test "300 lone restarts with user, groups, env and workdir leave nothing behind in supd's memory" {
	local i
	# 20 variables of 2 KiB: a leaked environment is 40 KiB a restart.
	for i in $(seq 1 20); do
		printf 'BIG%s=%s\n' "$i" "$(head -c 2048 /dev/zero | tr '\0' x)"
	done >"$T/envfile"
	plain r <<EOF
[service]
command = true
restart = always
restart_delay = 0
restart_delay_max = 0
user = nobody
group = nogroup
groups = daemon
workdir = /tmp
env = A=1
env_file = $T/envfile
EOF
	WAIT_SECS=60
	_restarts_leave_nothing r
}

# A service in namespaces (the default ones, an init, a private /tmp) takes
# the lone path too when it can: its init leaves supd's memory by its exec
# of the reaper. Its files live under /var/tmp: /tmp is private inside.
iso_dir() {
	D=$(mktemp -d /var/tmp/supd-spawn.XXXXXX)
	chmod 0755 "$D"
}

@test "in namespaces with an init: a boot's spawns and a restart are lone (vfork); the init leaves supd's memory" {
	local i
	for i in 1 2 3; do
		svc "n$i" <<EOF
[service]
command = sleep 1000
restart_delay = 0
EOF
	done
	SUPD_TEST_SPAWN=1 start_supd
	for i in 1 2 3; do
		wait_state "n$i" running
	done
	[ "$(grep -c '^spawn: n[0-9] vfork$' "$T/supd.err")" -eq 3 ]
	local p
	p=$(field n2 pid)
	kill -9 "$p"
	wait_for "n2 restarted" _new_pid n2 "$p"
	_nspawns_is n2 2
	[ "$(paths_of n2 | tail -n 1)" = vfork ]
	# Each init (the command's parent), the boot's and the restart's,
	# became the reaper, out of supd's memory.
	for i in 1 2 3; do
		p=$(awk '{ print $4 }' "/proc/$(field "n$i" pid)/stat")
		[ "$(tr '\0' ' ' <"/proc/$p/cmdline" | cut -d' ' -f1)" = supd-init ]
	done
}

# The service of the namespaced facts (iso_dir D).
_ns_conf() {
	svc f <<EOF
[service]
command = /bin/sh $D/facts.sh $D/out $1
user = nobody
group = nogroup
workdir = /var/tmp
umask = 027
env = A=1
[isolation]
volume = spawn-both-$$:$D/srv
[limits]
nofile = 123:456
EOF
}

@test "a service in namespaces gets the same on both paths: pid 1, hostname, /tmp, volume, user, caps, filter, fds, signals" {
	iso_dir
	cat >"$D/facts.sh" <<EOF
out=\$1/\$2
mkdir -p "\$out"
{
	id -u; id -g; id -G; hostname; echo "pid \$\$"
	tr '\0' '\n' </proc/1/cmdline | head -n 1
	stat -f -c %T /tmp; stat -c '%u %g %a' $D/srv
	touch $D/srv/\$2 && echo "volume writable"
	pwd; umask; ulimit -n
	ls /proc/self/fd | sort -n | tr '\n' ' '; echo
	grep -E '^(Sig(Blk|Ign)|CapEff|NoNewPrivs|Seccomp):' /proc/self/status
	env | grep -v '^PWD=\|^SHLVL=\|^_=' | sort
} >"\$out/facts.tmp"
mv "\$out/facts.tmp" "\$out/facts"
exec sleep 1000
EOF
	mkdir -m 0777 "$D/out"
	mkdir "$D/srv"
	# One volume for both: new at the first start (its copy-up, which
	# the child waits for, makes that start fork), then reused.
	_facts_both "$D/out" _ns_conf
	diff "$D/out/fork/facts" "$D/out/vfork/facts"
	local f=$D/out/vfork/facts nogroup
	nogroup=$(getent group nogroup | cut -d: -f3)
	[ "$(sed -n 4p "$f")" = f ]
	[ "$(sed -n 5p "$f")" = "pid 2" ]
	[ "$(sed -n 6p "$f")" = supd-init ]
	[ "$(sed -n 7p "$f")" = tmpfs ]
	[[ "$(sed -n 8p "$f")" == "65534 $nogroup "[0-7]* ]]
	[ "$(sed -n 9p "$f")" = "volume writable" ]
	[ "$(sed -n 13p "$f")" = "0 1 2 3 " ]
	grep -qx 'SigBlk:	0000000000000000' "$f"
	grep -qx 'SigIgn:	0000000000000000' "$f"
	grep -qx 'Seccomp:	2' "$f"
	grep -qx 'NoNewPrivs:	1' "$f"
	grep -qx 'CapEff:	0000000000000000' "$f"
	grep -qx 'A=1' "$f"
	grep -qx 'USER=nobody' "$f"
	rm -rf "$D"
}

@test "300 lone restarts of a service in namespaces with a volume and a user leave nothing behind in supd's memory" {
	iso_dir
	mkdir "$D/data"
	svc r <<EOF
[service]
command = true
restart = always
restart_delay = 0
restart_delay_max = 0
user = nobody
env = A=1
[isolation]
volume = spawn-mem-$$:$D/data
EOF
	WAIT_SECS=120
	_restarts_leave_nothing r
	rm -rf "$D"
}

#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# seccomp.bats: [isolation] seccomp -- the default profile (docker's, each
# denial lifted by the capability that governs the call), unconfined, profile
# files, their errors, and the filter in supctl exec and health checks.
#
# Services run tests/helpers/sc_probe.c, which makes each call with harmless
# arguments and logs NAME=RESULT (ok, an errno name, or SIGSYS for a call
# through another ABI made in a child). Its arguments make the kernel itself
# answer anything but EPERM for root, so EPERM is the filter's -- and where
# the kernel would say EPERM for want of a capability anyway, the tests
# compare with the same service unconfined.

bats_require_minimum_version 1.5.0

load common

PROBE=$HELPERS/sc_probe

# Every call the default profile denies that the probe makes, as RESULT of
# a service that keeps no capability.
ALL_DENIED="mount=EPERM umount2=EPERM pivot_root=EPERM open_tree=EPERM
move_mount=EPERM fsopen=EPERM fsconfig=EPERM fsmount=EPERM fspick=EPERM
mount_setattr=EPERM unshare=EPERM unshare_uts=EPERM setns=EPERM clone=EPERM
clone_uts=EPERM clone3=ENOSYS keyctl=EPERM add_key=EPERM request_key=EPERM
bpf=EPERM perf_event_open=EPERM kexec_load=EPERM init_module=EPERM
finit_module=EPERM delete_module=EPERM reboot=EPERM swapon=EPERM swapoff=EPERM
acct=EPERM open_by_handle_at=EPERM userfaultfd=EPERM io_uring_setup=EPERM
syslog=EPERM settimeofday=EPERM clock_settime=EPERM kcmp=EPERM
pidfd_getfd=EPERM iopl=EPERM ioperm=EPERM get_mempolicy=EPERM chroot=EPERM
sethostname=EPERM personality=EPERM personality_query=ok uname=EFAULT
x32=SIGSYS i386=SIGSYS"

# Denied whatever the capabilities.
ALWAYS_DENIED="keyctl=EPERM add_key=EPERM request_key=EPERM userfaultfd=EPERM
io_uring_setup=EPERM swapon=EPERM swapoff=EPERM kexec_load=EPERM
personality=EPERM personality_query=ok x32=SIGSYS i386=SIGSYS"

# Lifted for root with every capability: whatever the kernel says, not EPERM
# from the filter (the probe's arguments make root's answer never EPERM).
LIFTED="mount=!EPERM umount2=!EPERM pivot_root=!EPERM open_tree=!EPERM
move_mount=!EPERM fsopen=!EPERM fsconfig=!EPERM fsmount=!EPERM fspick=!EPERM
mount_setattr=!EPERM unshare=!EPERM unshare_uts=ok setns=!EPERM
clone=!EPERM clone_uts=ok clone3=!ENOSYS bpf=!EPERM perf_event_open=!EPERM
reboot=!EPERM acct=!EPERM open_by_handle_at=!EPERM syslog=!EPERM
settimeofday=ok clock_settime=!EPERM kcmp=!EPERM pidfd_getfd=!EPERM
iopl=!EPERM ioperm=!EPERM get_mempolicy=!EPERM chroot=!EPERM
sethostname=!EPERM"

# What the kernel answers root and a process without capabilities alike,
# when nothing filters: a missing path, a bad fd or flag, or success.
KERNEL_ANY="mount=ENOENT umount2=ENOENT open_tree=ENOENT unshare=EINVAL
setns=EBADF clone=EINVAL clone3=EINVAL chroot=ENOENT
personality=ok"

setup_file() {
	# A machine whose kernel has no 32-bit entry (int 0x80 faults before
	# any filter sees it: ia32 emulation off, or a guest without it)
	# answers i386 with SIGSEGV filtered or not; expect then takes that
	# for the filter's SIGSYS. Unfiltered, here and now:
	local got
	got=$("$PROBE" i386 | head -n 1)
	case $got in
	i386=SIGSEGV)
		export NO_I386=1
		echo "# no 32-bit system calls on this machine: i386 is SIGSEGV unfiltered" >&3
		;;
	i386=ok) export NO_I386=0 ;;
	*)
		echo "unexpected unfiltered answer: $got"
		return 1
		;;
	esac
}

setup() {
	setup_supd
	# Not under /tmp: the services' private /tmp would hide it.
	V=$(mktemp -d /var/tmp/supd-seccomp.XXXXXX)
	chmod 0755 "$V"
}

teardown() {
	if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -n "${T:-}" ]; then
		dump_supd_and_logs 60 >&3 2>/dev/null || true
	fi
	local rc=0
	teardown_supd || rc=1
	rm -rf --one-file-system "$V"
	return $rc
}

_probed() {
	grep -q '^sc_probe=done$' "$T/log/$1.log"
}

# wait_probe NAME: until NAME's probe has printed everything.
wait_probe() {
	wait_for "the probe of $1" _probed "$1"
}

# expect NAME KEY=VALUE...: NAME's probe printed each KEY=VALUE; VALUE
# "!X" means any result but X. Every mismatch is named. i386=SIGSYS is
# i386=SIGSEGV where the machine has no 32-bit entry (setup_file).
expect() {
	local name=$1 kv key want got bad=0
	shift
	for kv in $*; do
		key=${kv%%=*}
		want=${kv#*=}
		[ "$key/$want/$NO_I386" != i386/SIGSYS/1 ] || want=SIGSEGV
		got=$(grep "^$key=" "$T/log/$name.log" | tail -n 1 | cut -d= -f2-)
		case $want in
		!*) [ -n "$got" ] && [ "$got" != "${want#!}" ] ;;
		*) [ "$got" = "$want" ] ;;
		esac || {
			echo "$name: $key=${got:-(none)}, expected $want"
			bad=1
		}
	done
	return $bad
}

# seccomp_of PID: the Seccomp line of /proc/PID/status (0 none, 2 filter).
seccomp_of() {
	awk '/^Seccomp:/ { print $2 }' "/proc/$1/status"
}

# filters_of PID: how many filters the process runs under.
filters_of() {
	awk '/^Seccomp_filters:/ { print $2 }' "/proc/$1/status"
}

# probe_svc NAME [ISOLATION LINE...]: a one-shot probe service.
probe_svc() {
	local name=$1 line
	shift
	{
		printf '[service]\ncommand = %s\nrestart = no\n' "$PROBE"
		printf '[isolation]\n'
		for line in "$@"; do
			printf '%s\n' "$line"
		done
	} >"$T/conf.d/$name.ini"
}

@test "default profile, root with every capability: only what no capability lifts is denied" {
	probe_svc root
	start_supd
	wait_probe root
	expect root "$ALWAYS_DENIED"
	expect root "$LIFTED"
	[ "$(ctl inspect root | jq -r .config.isolation.seccomp)" = default ]
}

@test "default profile, capabilities = none: every call of the profile is denied" {
	probe_svc none "capabilities = none"
	start_supd
	wait_probe none
	expect none "$ALL_DENIED"
}

@test "default profile, user = nobody without capabilities: denied as with none" {
	probe_svc nobody
	sed -i 's/^restart = no$/restart = no\nuser = nobody/' "$T/conf.d/nobody.ini"
	start_supd
	wait_probe nobody
	expect nobody "$ALL_DENIED"
}

@test "unconfined: the same calls reach the kernel, for root and without capabilities" {
	probe_svc root "seccomp = unconfined"
	probe_svc none "seccomp = unconfined" "capabilities = none"
	cat >"$T/conf.d/sleeper.ini" <<EOF
[service]
command = $PROBE -s getpid
[isolation]
seccomp = unconfined
EOF
	start_supd
	wait_probe root
	wait_probe none
	wait_probe sleeper
	expect root "keyctl=!EPERM add_key=!EPERM request_key=!EPERM
	    userfaultfd=!EPERM swapon=ENOENT swapoff=ENOENT personality=ok
	    x32=!SIGSYS i386=!SIGSYS $LIFTED"
	# The calls the default profile denied with EPERM to `none` above.
	expect none "$KERNEL_ANY"
	[ "$(seccomp_of "$(field sleeper pid)")" = 0 ]
	[ "$(ctl inspect sleeper | jq -r .config.isolation.seccomp)" = unconfined ]
}

@test "CAP_SYS_ADMIN kept: a tmpfs mount, unshare and clone into a namespace work" {
	mkdir "$V/mnt"
	cat >"$T/conf.d/admin.ini" <<EOF
[service]
command = $PROBE -m $V/mnt mount_tmpfs unshare_uts clone_uts clone3 mount
	setns keyctl reboot acct chroot settimeofday personality x32
restart = no
[isolation]
capabilities = CAP_SYS_ADMIN
EOF
	probe_svc none "capabilities = none"
	sed -i "s|^command = .*|command = $PROBE -m $V/mnt mount_tmpfs|" \
		"$T/conf.d/none.ini"
	start_supd
	wait_probe admin
	wait_probe none
	expect admin "mount_tmpfs=ok unshare_uts=ok clone_uts=ok clone3=EINVAL
	    mount=ENOENT setns=EBADF"
	# What CAP_SYS_ADMIN does not govern stays denied.
	expect admin "keyctl=EPERM reboot=EPERM acct=EPERM chroot=EPERM
	    settimeofday=EPERM personality=EPERM x32=SIGSYS"
	expect none "mount_tmpfs=EPERM"
	# The mount was the service's own.
	! grep -q " $V/mnt " /proc/self/mountinfo
}

@test "the filter is in place before exec: Seccomp 2 in the service's status, NoNewPrivs 1" {
	cat >"$T/conf.d/s.ini" <<EOF
[service]
command = $PROBE -s getpid
EOF
	start_supd
	wait_probe s
	local pid
	pid=$(field s pid)
	[ "$(seccomp_of "$pid")" = 2 ]
	grep -q '^NoNewPrivs:[[:space:]]*1$' "/proc/$pid/status"
}

@test "the service's init and supctl exec's init are filtered too (a command may ptrace its PID 1)" {
	cat >"$T/conf.d/s.ini" <<EOF
[service]
command = $PROBE -s parent
EOF
	cat >"$T/conf.d/u.ini" <<EOF
[service]
command = $PROBE -s parent
[isolation]
seccomp = unconfined
EOF
	start_supd
	wait_probe s
	wait_probe u
	expect s "parent=2"
	expect u "parent=0"
	# supctl exec's own init (a child of supd named supd-init) too.
	ctl exec s sleep 30 >/dev/null 2>&1 &
	local bg=$! ipid
	wait_for "exec's init" pgrep -P "$SUPD_PID" -x supd-init
	ipid=$(pgrep -P "$SUPD_PID" -x supd-init)
	wait_for "exec's command" pgrep -P "$ipid" -x sleep
	[ "$(seccomp_of "$ipid")" = 2 ]
	kill "$bg"
	wait "$bg" || true
}

@test "the init's filter is loaded before its command exists: the command carries it, under its own only if that differs" {
	cat >"$T/conf.d/s.ini" <<EOF
[service]
command = $PROBE -s getpid
EOF
	cat >"$T/conf.d/n.ini" <<EOF
[service]
command = $PROBE -s getpid
user = nobody
EOF
	start_supd
	wait_probe s
	wait_probe n
	local pid cpid ipid epid
	# The service's pid is its command's; its parent is the init. Root
	# keeps what its init keeps: the same filter, not stacked twice.
	cpid=$(field s pid)
	pid=$(awk '/^PPid:/ { print $2 }' "/proc/$cpid/status")
	grep -q supd-init "/proc/$pid/comm"
	[ "$(filters_of "$pid")" = 1 ]
	[ "$(filters_of "$cpid")" = 1 ]
	# nobody keeps no capability: its own filter denies more, stacked.
	cpid=$(field n pid)
	pid=$(awk '/^PPid:/ { print $2 }' "/proc/$cpid/status")
	[ "$(filters_of "$pid")" = 1 ]
	[ "$(filters_of "$cpid")" = 2 ]
	# supctl exec's command too.
	ctl exec s sleep 30 >/dev/null 2>&1 &
	local bg=$!
	wait_for "exec's init" pgrep -P "$SUPD_PID" -x supd-init
	ipid=$(pgrep -P "$SUPD_PID" -x supd-init)
	wait_for "exec's command" pgrep -P "$ipid" -x sleep
	epid=$(pgrep -P "$ipid" -x sleep)
	[ "$(filters_of "$ipid")" = 1 ]
	[ "$(filters_of "$epid")" = 1 ]
	kill "$bg"
	wait "$bg" || true
}

@test "a profile file: its denials with their errno, nothing else; other ABIs still killed" {
	cat >"$V/web.prof" <<EOF
# no uname for this one
uname   EACCES
getppid 13   # the same errno by number
EOF
	cat >"$T/conf.d/f.ini" <<EOF
[service]
command = $PROBE uname keyctl mount personality x32
restart = no
[isolation]
capabilities = none
seccomp = $V/web.prof
EOF
	start_supd
	wait_probe f
	expect f "uname=EACCES keyctl=!EPERM mount=ENOENT personality=ok x32=SIGSYS"
	ctl inspect f | jq -e '.config.isolation.seccomp ==
	    {"file": "'"$V"'/web.prof",
	     "deny": [["uname", "EACCES"], ["getppid", "EACCES"]]}'
}

@test "a profile file denying the command's own steps (user, groups, workdir): they run under the init's filter, then are denied" {
	cat >"$V/steps.prof" <<EOF
setgroups EPERM
setgid    EPERM
setuid    EPERM
capset    EPERM
chdir     EPERM
uname     EACCES
EOF
	cat >"$T/conf.d/st.ini" <<EOF
[service]
command = $PROBE uname chroot
restart = no
user = nobody
workdir = /
[isolation]
seccomp = $V/steps.prof
EOF
	start_supd
	wait_probe st
	expect st "uname=EACCES chroot=!EACCES"
	[ "$(field st exit_code)" = 0 ]
}

@test "a relative profile path is relative to the service file" {
	printf 'uname ENOSYS\n' >"$T/conf.d/rel.prof"
	probe_svc r "seccomp = rel.prof"
	start_supd
	wait_probe r
	expect r "uname=ENOSYS keyctl=!EPERM"
}

@test "a bad profile: supd --check names the service file and the profile's line" {
	cat >"$V/bad.prof" <<EOF
uname EACCES
nosuchcall
keyctl ENOTANERRNO
uname
EOF
	probe_svc b "seccomp = $V/bad.prof"
	probe_svc m "seccomp = $V/missing.prof"
	probe_svc good
	run "$SUPD" --check -c "$T/supd.conf"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/conf.d/b.ini:5: seccomp: $V/bad.prof:2: unknown system call 'nosuchcall'"* ]]
	[[ "$output" == *"$T/conf.d/b.ini:5: seccomp: $V/bad.prof:3: unknown errno 'ENOTANERRNO'"* ]]
	[[ "$output" == *"$T/conf.d/b.ini:5: seccomp: $V/bad.prof:4: 'uname' is listed twice"* ]]
	[[ "$output" == *"$T/conf.d/m.ini:5: seccomp: $V/missing.prof: No such file or directory"* ]]
	[ "$(echo "$output" | grep -c .)" -eq 4 ]
	# supd runs the good one and skips the bad ones.
	start_supd
	wait_probe good
	run ctl status b
	[ "$status" -ne 0 ]
}

@test "supctl exec and health checks run under the service's filter" {
	cat >"$T/conf.d/h.ini" <<EOF
[service]
command = $PROBE -s getpid
[isolation]
capabilities = none
[health]
cmd = $PROBE -c keyctl=EPERM mount=EPERM unshare=EPERM x32=SIGSYS
interval = 200ms
EOF
	cat >"$T/conf.d/u.ini" <<EOF
[service]
command = $PROBE -s getpid
[isolation]
capabilities = none
seccomp = unconfined
EOF
	start_supd
	wait_for "h healthy" field_is h health healthy
	wait_state u running
	run ctl exec h "$PROBE" keyctl mount unshare x32
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"keyctl=EPERM"* && "$output" == *"mount=EPERM"* ]]
	[[ "$output" == *"unshare=EPERM"* && "$output" == *"x32=SIGSYS"* ]]
	run ctl exec u "$PROBE" mount unshare
	[[ "$output" == *"mount=ENOENT"* && "$output" == *"unshare=EINVAL"* ]]
	# The health check's own process was filtered: a check that
	# expects the kernel's answers fails in h.
	run ctl exec h "$PROBE" -c mount=ENOENT
	[ "$status" -eq 1 ]
}

@test "no_new_privileges = no: the filter comes before the user change and still holds" {
	probe_svc nn "no_new_privileges = no" "capabilities = none"
	probe_svc nb "no_new_privileges = no"
	sed -i 's/^restart = no$/restart = no\nuser = nobody/' \
		"$T/conf.d/nn.ini" "$T/conf.d/nb.ini"
	cat >"$T/conf.d/nsleep.ini" <<EOF
[service]
command = $PROBE -s getpid
user = nobody
[isolation]
no_new_privileges = no
EOF
	start_supd
	wait_probe nn
	wait_probe nb
	wait_probe nsleep
	expect nn "$ALL_DENIED"
	# Without capabilities, a setuid program could raise the bounding
	# set's: only what no capability lifts is denied.
	expect nb "$ALWAYS_DENIED mount=ENOENT unshare=EINVAL setns=EBADF
	    clone3=EINVAL"
	local pid
	pid=$(field nsleep pid)
	[ "$(seccomp_of "$pid")" = 2 ]
	grep -q '^NoNewPrivs:[[:space:]]*0$' "/proc/$pid/status"
}

@test "namespaces = none: unconfined by default; seccomp = default filters it too" {
	probe_svc plain "namespaces = none"
	probe_svc pf "namespaces = none" "seccomp = default" "capabilities = none"
	start_supd
	wait_probe plain
	wait_probe pf
	expect plain "keyctl=!EPERM x32=!SIGSYS"
	expect pf "$ALL_DENIED"
	[ "$(ctl inspect plain | jq -r .config.isolation.seccomp)" = unconfined ]
}

@test "reload: a changed profile file restarts the service, an unchanged one does not" {
	printf 'uname EACCES\n' >"$V/p.prof"
	for n in p q; do
		cat >"$T/conf.d/$n.ini" <<EOF
[service]
command = $PROBE -s uname
[isolation]
seccomp = $V/$n.prof
EOF
	done
	cp "$V/p.prof" "$V/q.prof"
	start_supd
	wait_probe p
	wait_probe q
	expect p "uname=EACCES"
	local pp qp
	pp=$(field p pid)
	qp=$(field q pid)
	printf 'uname ENOSYS\n' >"$V/p.prof"
	ctl reload
	wait_for "p restarted" field_isnt p pid "$pp"
	wait_state p running
	[ "$(field q pid)" = "$qp" ]
	wait_for "p's new probe" grep -q '^uname=ENOSYS$' "$T/log/p.log"
	# A profile made bad keeps the old definition running.
	pp=$(field p pid)
	printf 'nosuchcall\n' >"$V/p.prof"
	run ctl reload
	[ "$(field p pid)" = "$pp" ]
}

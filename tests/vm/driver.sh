#!/bin/sh
# SPDX-License-Identifier: ISC
# driver.sh: the VM test's checks, run as a supd service inside the VM (busybox
# sh). Each result is a line "VMTEST ok|fail WHAT" on ttyS1; then "VMTEST
# done" and `supctl poweroff`. Waits poll a condition with a deadline.
out=/dev/ttyS1
stty -F "$out" raw -echo 2>/dev/null

# The reboot scenario: only the signal, Ctrl-Alt-Del's.
if [ "$(cat /etc/vm-end 2>/dev/null)" = reboot ]; then
	echo "VMTEST done" >"$out"
	kill -INT 1
	exit 0
fi

report() {
	if [ "$1" = 0 ]; then
		echo "VMTEST ok $2" >"$out"
	else
		echo "VMTEST fail $2" >"$out"
	fi
}

check() {
	what=$1
	shift
	"$@" >/dev/null 2>&1
	report $? "$what"
}

# until CMD... succeeds, at most 5 s
until_ok() {
	i=0
	until "$@" >/dev/null 2>&1; do
		i=$((i + 1))
		[ "$i" -ge 100 ] && return 1
		sleep 0.05
	done
}

# The nosocket scenario: supd.conf names a socket under a regular file, so
# supd runs without one; it must still supervise, and SIGTERM (no supctl)
# must power the machine off.
if [ "$(cat /etc/vm-end 2>/dev/null)" = nosocket ]; then
	supctl status >/dev/null 2>&1
	report "$([ $? = 3 ] && echo 0 || echo 1)" "supctl cannot reach supd (exit 3)"
	check "supd is PID 1" sh -c '[ "$(readlink /proc/1/exe)" = /sbin/supd ]'
	until_ok test -e /run/orphan-done
	report $? "the orphan service ran"
	until_ok sh -c 'ps -o args | grep -qx "sleep 1000"'
	report $? "the ns service runs"
	until_ok sh -c '! grep -q "^State:.*Z" /proc/[0-9]*/status'
	report $? "no zombie left"
	echo "VMTEST done" >"$out"
	kill -TERM 1
	exit 0
fi

# The net boot: supd's networks, in tests/vm/net/checks.sh.
if [ "$(cat /etc/vm-end 2>/dev/null)" = net ]; then
	. /bin/vm-net-checks
	echo "VMTEST done" >"$out"
	supctl poweroff
	exit 0
fi

# The cgroup boot: limits, stop, pause and stats, in tests/vm/cgroup/checks.sh.
if [ "$(cat /etc/vm-end 2>/dev/null)" = cgroup ]; then
	. /bin/vm-cgroup-checks
	echo "VMTEST done" >"$out"
	supctl poweroff
	exit 0
fi

for m in /proc /sys /dev /dev/pts /dev/shm /run /sys/fs/cgroup; do
	check "supd mounted $m" grep -q " $m " /proc/mounts
done
check "supd is PID 1" sh -c '[ "$(readlink /proc/1/exe)" = /sbin/supd ]'
check "/dev/null is a device" test -c /dev/null

# The orphan's parent shell is long gone: supd reaped it when it ended.
until_ok test -e /run/orphan-done
report $? "the orphan ran"
until_ok sh -c '! grep -q "^State:.*Z" /proc/[0-9]*/status'
report $? "no zombie left (supd reaps orphans)"

check "supctl status answers" supctl status
check "ns service running" sh -c 'supctl --json status ns | grep -q "\"state\":\"running\""'
check "ns service has its own hostname" sh -c '[ "$(supctl exec ns hostname)" = ns ]'
check "ns service sees only its own processes" \
    sh -c '[ "$(supctl exec ns ls /proc | grep -c "^[0-9]")" -le 4 ]'
check "ns service's init is PID 1 in its namespace" \
    sh -c 'supctl exec ns cat /proc/1/cmdline | grep -q supd-init'
# The kernel gives init 1024:4096 open files, about 1000 services' worth
# to supd: it raises its own to fs.nr_open, its services keep 4096.
check "supd's open files limit is fs.nr_open" \
    sh -c 'grep "^Max open files" /proc/1/limits | grep -qw "$(cat /proc/sys/fs/nr_open)"'
check "a service's open files limit is 4096:4096, not supd's" \
    sh -c 'supctl exec ns cat /proc/self/limits | grep -q "^Max open files  *4096  *4096 "'

echo "VMTEST done" >"$out"
supctl poweroff

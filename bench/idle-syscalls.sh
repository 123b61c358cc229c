#!/bin/bash
# SPDX-License-Identifier: ISC
# idle-syscalls.sh [BUILD_DIR]: supd with 100 running services (`sleep
# infinity`), left alone: how many system calls does it make in 10 s
# ($IDLE_SECS)? Counted with `strace -c -p SUPD_PID` (supd only, no -f: the
# services are not counted). Cross-checked without ptrace: the change in
# supd's context switches and CPU time (/proc/PID/status, /proc/PID/stat)
# over a second window of the same length. Expected: 0.
#
# Note: strace attaching interrupts the blocked epoll_wait once; the kernel
# restarts it, and strace may show that as one call. The summary reports
# the raw count and the list of calls.
. "$(dirname "$0")/common.sh"
bench_init "$@"
N=${SERVICES:-100}
IDLE_SECS=${IDLE_SECS:-10}
command -v strace >/dev/null || die "strace is needed (apt-get install strace)"

for i in $(seq -w 1 "$N"); do
	printf '[service]\ncommand = sleep infinity\n' >"$T/conf.d/s$i.ini"
done
start_supd
wait_count running "$N" 60 || die "services did not start"
sleep 1	# let start-up work (reports, first log writes) finish

ctxsw() { awk '/ctxt_switches/ { s += $2 } END { print s }' "/proc/$SUPD_PID/status"; }
cputicks() { awk '{ print $14 + $15 }' "/proc/$SUPD_PID/stat"; }

# Window 1: no tracer attached.
c0=$(ctxsw); u0=$(cputicks)
sleep "$IDLE_SECS"
c1=$(ctxsw); u1=$(cputicks)
wakeups=$((c1 - c0)); ticks=$((u1 - u0))

# Window 2: strace -c.
timeout -s INT "$IDLE_SECS" strace -c -o "$T/strace.out" -p "$SUPD_PID" 2>"$T/strace.err"
total=$(awk '$NF == "total" { print $4; found = 1 } END { if (!found) print 0 }' "$T/strace.out")
# Rows: "% time seconds usecs/call calls [errors] syscall"
calls=$(awk '/^-/ { sec++; next } sec == 1 && NF >= 5 { printf "%s%s=%s", sep, $NF, $4; sep = ", " }' "$T/strace.out")
sed 's/^/# /' "$T/strace.out" >&2

echo "idle-syscalls: $total system calls in ${IDLE_SECS} s with $N services (strace -c -p supd)${calls:+: $calls}"
echo "idle-wakeups: $wakeups context switches, $ticks CPU ticks of supd in ${IDLE_SECS} s without tracer"

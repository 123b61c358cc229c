#!/bin/sh
# SPDX-License-Identifier: ISC
# cgroup-vm.sh [BUILD_DIR]: issue 11's three bars, measured where cgroup v2
# controllers are real: Debian's cloud kernel under qemu (TCG), supd as
# /init (its tree /sys/fs/cgroup/supd), a driver service that measures
# and prints "BENCH ..." lines on ttyS1. The clock in the VM is cg_timer.c
# (CLOCK_MONOTONIC around fork + exec + wait); the restarts are timed by
# restart_probe.c and stamp.c as in restart-latency.sh. All three are built
# here with `cc -static`. Two boots:
#
#   stats   SERVICES (1000) services `sleep 100000`, namespaces = none,
#           -m 1536 (1000 groups and their sleepers); once all run, STATS_CALLS
#           (21) calls each of `supctl stats --no-stream --json` and
#           `supctl --json status` (every service, the driver's row
#           included), alternating; medians. Bar: stats <= 2x status.
#           Also, to see where the time goes: 5 passes of a C loop that
#           opens, reads and closes the 6 files supd reads for each group
#           (the kernel's share; then 3 passes per file), and supctl
#           --version (its start-up).
#   pair    supd as PID 1 with cgroup = auto runs `stamp` and k000..k099,
#           each in its group, placed by clone3(CLONE_INTO_CGROUP); its
#           service `inner` is a second supd with cgroup = no (its own
#           socket and directories) running `stamp` and k100..k199 as supd
#           does without cgroups. Alternating between the two in one boot
#           keeps the shared host's changing load (TCG's speed follows it)
#           out of the ratios; one boot per mode moved fork+exec baselines
#           by 2x between boots. (1) start: stamp (namespaces = none,
#           restart = always, restart_delay = 0) killed with SIGKILL by
#           restart_probe (RESTART_PROBE_RAW: every kill), 10 at a time,
#           alternating, RESTARTS (100) each; kill -> the new stamp's first
#           instruction (its CLOCK_MONOTONIC); medians. Bar: cg <= 1.1x
#           nocg. Then the kernel's share: clone3 into a group + exec
#           /bin/true + wait vs fork + exec + wait (cg_timer clone3).
#           (2) forced stop: 100 services each
#           `sh -c 'trap "" TERM; sleep & sleep & sleep & wait'` (SIGTERM
#           ignored by all four processes, inherited), stop_timeout = 0,
#           namespaces = none: the stop's SIGTERM does nothing and its
#           timer fires at once, so what is timed is the kill path --
#           cgroup.kill of each group and the wait for the groups to empty
#           (cg), SIGKILL to each process group and the reaping (nocg) --
#           plus the STOP request itself, the same in both. Timed: wall
#           time of one `supctl stop` of the 100 (it returns when all are
#           stopped), STOPS (7) rounds each, alternating, each after
#           `supctl start` of the 100 and a wait until all 400 processes
#           run; medians. Bar: cg <= 0.5x nocg.
# Uses the kernel and the supd that tests/vm/run.sh fetches and builds (it
# runs it first if needed). Not in run-all.sh or make test: about 5
# minutes under TCG (2 boots).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "${1:-$top/build}" && pwd)
SERVICES=${SERVICES:-1000}
STATS_CALLS=${STATS_CALLS:-21}
RESTARTS=${RESTARTS:-100}
STOPS=${STOPS:-7}
if ! ls "$top"/tests/vm/.cache/*/boot/vmlinuz-* >/dev/null 2>&1 ||
    [ ! -x "$B/vm/build/supd" ]; then
	"$top/tests/vm/run.sh" "$B" >&2
fi
kernel=$(ls "$top"/tests/vm/.cache/*/boot/vmlinuz-* | head -n 1)
T=$(mktemp -d /var/tmp/supd-cgvm.XXXXXX)
trap 'rm -rf "$T"' EXIT

for p in cg_timer restart_probe stamp; do
	cc -static -O2 -o "$T/$p" "$top/bench/$p.c"
done

base() {	# DIR: busybox, supd, supctl, the timers
	mkdir -p "$1/bin" "$1/sbin" "$1/proc" "$1/sys" "$1/dev" "$1/run" \
	    "$1/tmp" "$1/etc/supd/conf.d" "$1/var/log" "$1/var/lib"
	cp /bin/busybox "$1/bin/busybox"
	for a in $("$1/bin/busybox" --list); do
		[ "$a" = busybox ] || ln -sf busybox "$1/bin/$a"
	done
	cp "$B/vm/build/supd" "$1/sbin/supd"
	cp "$B/vm/build/supctl" "$1/bin/supctl"
	"$top/tests/vm/copy-libs.sh" "$1" "$B/vm/build/supd" \
	    "$B/vm/build/supctl"
	ln -s /sbin/supd "$1/init"
	cp "$T/cg_timer" "$T/restart_probe" "$T/stamp" "$1/bin/"
	cat >"$1/etc/supd/conf.d/zz-driver.ini" <<'INI'
[service]
command = /bin/bench-driver
restart = no
[isolation]
namespaces = none
INI
}
pack() {	# DIR OUT
	(cd "$1" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$2"
}

# ---- stats: SERVICES sleepers ---------------------------------------------
base "$T/stats"
i=0
while [ "$i" -lt "$SERVICES" ]; do
	printf '[service]\ncommand = sleep 100000\n[isolation]\nnamespaces = none\n' \
	    >"$T/stats/etc/supd/conf.d/s$(printf %04d "$i").ini"
	i=$((i + 1))
done
cat >"$T/stats/bin/bench-driver" <<EOF
#!/bin/sh
out=/dev/ttyS1
stty -F \$out raw -echo 2>/dev/null
say() { echo "BENCH \$*" >\$out; }
# every service running (the driver's own row too), at most 15 minutes
i=0
until [ "\$(supctl --json status | grep -c '"state":"running"')" -ge $((SERVICES + 1)) ]; do
	i=\$((i + 1))
	if [ "\$i" -ge 900 ]; then
		say fail not all running
		supctl poweroff
		exit 0
	fi
	sleep 1
done
say running $((SERVICES + 1)) after \$(cut -d' ' -f1 /proc/uptime) s of uptime
say rows stats \$(supctl stats --no-stream --json | grep -c '"name"') status \$(supctl --json status | grep -c '"name"')
say supd \$(grep VmRSS /proc/1/status)
say load \$(cat /proc/loadavg)
cg_timer alt $STATS_CALLS supctl stats --no-stream --json -- supctl --json status |
    while read -r line; do say "\$line"; done
# Where stats' time goes: the kernel's share (what supd reads, read by a
# C loop), and supctl's start-up.
cg_timer files 5 /sys/fs/cgroup/supd cpu.stat memory.current memory.max \
    pids.current pids.max io.stat | while read -r line; do say "\$line"; done
cg_timer alt 11 supctl --version -- /bin/true |
    while read -r line; do say "startup \$line"; done
for f in cpu.stat memory.current memory.max pids.current pids.max io.stat; do
	cg_timer files 3 /sys/fs/cgroup/supd \$f |
	    while read -r line; do say "file \$f \$line"; done
	cg_timer kept 3 /sys/fs/cgroup/supd \$f |
	    while read -r line; do say "file \$f \$line"; done
done
say done
supctl poweroff
EOF
chmod 0755 "$T/stats/bin/bench-driver"
pack "$T/stats" "$T/stats.gz"

# ---- pair: restarts of stamp, forced stops of 100, with and without -------
# supd as PID 1 (cgroup = auto) runs stamp and k000..k099 in groups of
# their own; its service `inner`, a second supd (cgroup = no, its own
# socket and directories), runs stamp2 and k100..k199 the way supd does
# without cgroups. The driver alternates between the two.
P=$T/pair
base "$P"
printf '[supd]\ncgroup = auto\n' >"$P/etc/supd/supd.conf"
mkdir -p "$P/etc/inner/conf.d"
printf '[supd]\ncgroup = no\nsocket = /run/inner.sock\nconf_dir = /etc/inner/conf.d\nlog_dir = /var/log/inner\nstate_dir = /var/lib/inner\n' \
    >"$P/etc/inner/supd.conf"
cat >"$P/etc/supd/conf.d/inner.ini" <<'INI'
[service]
command = /sbin/supd -c /etc/inner/supd.conf
[isolation]
namespaces = none
INI
stamp_ini() {	# FILE FIFO
	cat >"$1" <<INI
[service]
command = /bin/stamp $2
autostart = no
restart = always
restart_delay = 0
[isolation]
namespaces = none
INI
}
stamp_ini "$P/etc/supd/conf.d/stamp.ini" /run/stamp.fifo
stamp_ini "$P/etc/inner/conf.d/stamp.ini" /run/stamp2.fifo
i=0
while [ "$i" -lt 200 ]; do
	n=k$(printf %03d "$i")
	if [ "$i" -lt 100 ]; then
		d=$P/etc/supd/conf.d
	else
		d=$P/etc/inner/conf.d
	fi
	cat >"$d/$n.ini" <<'INI'
[service]
command = sh -c 'trap "" TERM; sleep 100000 & sleep 100000 & sleep 100000 & wait'
autostart = no
restart = no
stop_timeout = 0
[isolation]
namespaces = none
INI
	i=$((i + 1))
done
outer_names=$(seq -f 'k%03g' 0 99 | tr '\n' ' ')
inner_names=$(seq -f 'k%03g' 100 199 | tr '\n' ' ')
chunks=$(((RESTARTS + 9) / 10))
cat >"$P/bin/bench-driver" <<EOF
#!/bin/sh
out=/dev/ttyS1
stty -F \$out raw -echo 2>/dev/null
say() { echo "BENCH \$*" >\$out; }
sleeps() { ps -o args | grep -c '^sleep 100000\$'; }
# ctl MODE ARGS: supctl of the outer supd (cg) or of inner (nocg)
ctl() {
	m=\$1
	shift
	if [ "\$m" = cg ]; then
		supctl "\$@"
	else
		supctl -s /run/inner.sock "\$@"
	fi
}
i=0
until supctl -s /run/inner.sock status >/dev/null 2>&1; do
	i=\$((i + 1))
	[ "\$i" -ge 600 ] && { say fail inner supd; supctl poweroff; exit 0; }
	sleep 0.1
done
mkfifo /run/stamp.fifo /run/stamp2.fifo
say load \$(cat /proc/loadavg)
# kills in chunks of 10, alternating; stamp restarted (untimed) before a
# chunk, so that restart_probe finds its first line
c=0
while [ "\$c" -lt $chunks ]; do
	for m in cg nocg; do
		if [ \$m = cg ]; then f=/run/stamp.fifo; s=/run/supd/supd.sock
		else f=/run/stamp2.fifo; s=/run/inner.sock; fi
		ctl \$m stop stamp >/dev/null 2>&1
		ctl \$m start stamp >/dev/null 2>&1
		RESTART_PROBE_RAW=1 restart_probe /bin/supctl \$s stamp \$f /bin/stamp 10 |
		    while read -r w v; do [ "\$w" = raw ] && say "restart \$m \$v"; done
	done
	c=\$((c + 1))
done
for m in cg nocg; do
	pid=\$(ctl \$m --json status stamp | sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
	say placed \$m \$(cat /proc/\$pid/cgroup)
	ctl \$m stop stamp >/dev/null 2>&1
done
r=0
while [ "\$r" -lt $STOPS ]; do
	for m in cg nocg; do
		if [ \$m = cg ]; then names="$outer_names"; else names="$inner_names"; fi
		ctl \$m start \$names >/dev/null 2>&1
		i=0
		until [ "\$(sleeps)" -ge 300 ]; do
			i=\$((i + 1))
			[ "\$i" -ge 600 ] && { say fail the 100 did not start; break; }
			sleep 0.1
		done
		if [ \$m = cg ]; then
			t=\$(cg_timer once supctl stop \$names)
		else
			t=\$(cg_timer once supctl -s /run/inner.sock stop \$names)
		fi
		say stop \$m \$t left \$(sleeps)
	done
	r=\$((r + 1))
done
# the kernel's share of the forced stop: the same 100 x 4 processes in
# groups, killed by cgroup.kill or by kill(-pgid), reaped by cg_timer
cg_timer killfloor $STOPS /sys/fs/cgroup/supd/killfloor |
    while read -r line; do say "\$line"; done
# the kernel's share of a start in a group of its own
cg_timer clone3 100 /sys/fs/cgroup/supd/probe |
    while read -r line; do say "kernel \$line"; done
say done
supctl poweroff
EOF
chmod 0755 "$P/bin/bench-driver"
pack "$P" "$T/pair.gz"

boot() {	# NAME MEM: boot NAME.gz, its ttyS1 lines to NAME.out
	local rc=0 start
	start=$(date +%s)
	rm -f "$T/results" "$T/console"
	timeout -k 5 1500 qemu-system-x86_64 -accel tcg -m "$2" -smp 1 \
	    -nodefaults -no-user-config -nographic -no-reboot \
	    -serial "file:$T/console" -serial "file:$T/results" -nic none \
	    -kernel "$kernel" -initrd "$T/$1.gz" \
	    -append 'console=ttyS0 quiet panic=-1' </dev/null >/dev/null 2>&1 || rc=$?
	tr -d '\r' <"$T/results" | sed -n 's/^BENCH //p' >>"$T/$1.out"
	echo "# $1: boot took $(($(date +%s) - start)) s, status $rc" >&2
	sed 's/^/# '"$1"': /' "$T/results" | tr -d '\r' >&2
	if [ "$rc" -ne 0 ] || ! grep -q 'reboot: Power down' "$T/console" ||
	    ! grep -q '^done' "$T/$1.out"; then
		echo "cgroup-vm: $1: the boot did not finish cleanly" >&2
		tail -n 20 "$T/console" >&2
		exit 1
	fi
}
median() {	# of the numbers on stdin; of an even count, the middle two's mean
	sort -n | awk '{ a[NR] = $1 } END {
	    print NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
field() {	# FILE PREFIX KEY: KEY=value of the lines starting PREFIX
	awk -v w="$2" -v k="$3" '$1 == w { for (i = 2; i <= NF; i++) {
	    split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$1"
}
ms() { awk -v n="$1" 'BEGIN { printf "%.2f", n / 1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
verdict() {	# RATIO BAR
	awk -v r="$1" -v b="$2" 'BEGIN { print (r <= b ? "met" : "MISSED") }'
}
col() {	# FILE WHAT MODE: the numbers of lines "WHAT MODE NS ..."
	awk -v w="$2" -v m="$3" '$1 == w && $2 == m { print $3 }' "$1"
}

: >"$T/stats.out" >"$T/pair.out"
if [ "${BOOTS:-stats pair}" = stats ]; then	# the stats boot alone
	boot stats 1536
	cat "$T/stats.out"
	exit 0
fi
boot stats 1536
boot pair 768

st=$(field "$T/stats.out" a median)
ss=$(field "$T/stats.out" b median)
r=$(ratio "$st" "$ss")
echo "cgroup-vm stats: $SERVICES services: supctl stats --no-stream --json median $(ms "$st") ms, supctl --json status median $(ms "$ss") ms, ratio $r (bar <= 2: $(verdict "$r" 2); $STATS_CALLS calls each; the 6 files of every group opened, read and closed by a C loop: $(ms "$(field "$T/stats.out" files median)") ms a pass; supctl --version: $(ms "$(awk '$1 == "startup" && $2 == "a" { $1 = ""; print }' "$T/stats.out" | field /dev/stdin a median)") ms)"
rc=$(col "$T/pair.out" restart cg | median)
rn=$(col "$T/pair.out" restart nocg | median)
r=$(ratio "$rc" "$rn")
echo "cgroup-vm stats: where one pass of the C loop goes (ms):$(for f in cpu.stat memory.current memory.max pids.current pids.max io.stat; do printf ' %s %s' "$f" "$(ms "$(awk -v f="$f" '$1 == "file" && $2 == f { $1 = $2 = ""; print }' "$T/stats.out" | field /dev/stdin files median)")"; done)"
echo "cgroup-vm start: kill -9 -> first instruction, in its cgroup (clone3) median $(ms "$rc") ms, without cgroups $(ms "$rn") ms, ratio $r (bar <= 1.1: $(verdict "$r" 1.1); $(col "$T/pair.out" restart cg | wc -l) restarts each, alternating in chunks of 10; the kernel's share, clone3 into a group + exec /bin/true + wait: $(ms "$(field "$T/pair.out" kernel median)") ms, fork + exec + wait: $(ms "$(awk '$1 == "kernel" && $2 == "fork" { $1 = ""; print }' "$T/pair.out" | field /dev/stdin fork median)") ms)"
sc=$(col "$T/pair.out" stop cg | median)
sn=$(col "$T/pair.out" stop nocg | median)
r=$(ratio "$sc" "$sn")
echo "cgroup-vm stop: forced stop of 100 (4 processes each, SIGTERM ignored, stop_timeout 0): cgroup.kill median $(ms "$sc") ms, SIGKILL to process groups $(ms "$sn") ms, ratio $r (bar <= 0.5: $(verdict "$r" 0.5); $STOPS stops each, alternating); the kernel's share, 100 groups of 4 processes killed and reaped by a C loop: cgroup.kill $(ms "$(awk '$1 == "killfloor" { $1 = ""; print }' "$T/pair.out" | field /dev/stdin cgkill median)") ms, kill(-pgid) $(ms "$(awk '$1 == "killfloor" { $1 = ""; print }' "$T/pair.out" | field /dev/stdin pgkill median)") ms"

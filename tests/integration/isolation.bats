#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# isolation.bats: what a service sees of itself and of the host once supd has
# put it in its namespaces (docs/design.md "[isolation]", "[limits]", `tty`,
# `supctl exec`, `supctl attach`; docs/reliability.md I1-I14).
#
# Every test looks from inside: the service runs tests/helpers/probe.c (built
# statically into a busybox rootfs by mkrootfs.sh), which prints KEY=VALUE
# lines into the service's log, and the test asserts on those and on the
# kernel state seen from the host (/proc/PID/..., mountinfo, file owners).
#
# Feature guards: a test first calls `require NAME...`, which FAILS the test
# (never skips it) with "FEATURE NOT IMPLEMENTED: ..." while `supd --check`
# rejects the configuration the feature needs, or supctl lacks the verb.
#
# The rootfs (built once in setup_file) and each test's scratch directory $V
# live under /var/tmp, not /tmp: a service with a private /tmp (the
# default) must still see the probe when it runs without a rootfs.

bats_require_minimum_version 1.5.0

load common

setup_file() {
	make -s -C "$BATS_TEST_DIRNAME/../.." B="$SUPD_BUILD" \
		"$SUPD_BUILD/helpers/iso_ctty" >&2
	ISO=$(mktemp -d "${ISO_TMPDIR:-/var/tmp}/supd-iso.XXXXXX")
	chmod 0755 "$ISO"
	"$BATS_TEST_DIRNAME/mkrootfs.sh" "$ISO/rootfs" >&2
	export ISO ROOTFS=$ISO/rootfs
}

teardown_file() {
	# --one-file-system: never follow a mount a failed test left behind
	# into anything that is not ours.
	[ -z "${ISO:-}" ] || rm -rf --one-file-system "$ISO"
}

setup() {
	setup_supd
	V=$ISO/t$BATS_TEST_NUMBER
	rm -rf --one-file-system "$V"
	mkdir -p "$V"
	HOSTTMP=
	TMUX_SOCK=
	ORPHAN=
}

teardown() {
	if [ -z "${BATS_TEST_COMPLETED:-}" ] && [ -n "${T:-}" ]; then
		dump_supd_and_logs 25 >&3 2>/dev/null || true
	fi
	if [ -n "$TMUX_SOCK" ]; then
		tmux -S "$TMUX_SOCK" kill-server 2>/dev/null || true
	fi
	# A first process a dead supd left (only if its test failed).
	[ -z "$ORPHAN" ] || kill -KILL "$ORPHAN" 2>/dev/null || true
	local rc=0
	teardown_supd || rc=1
	[ -z "$HOSTTMP" ] || rm -f "$HOSTTMP"
	rm -rf --one-file-system "$V"
	return $rc
}

# ---- guards --------------------------------------------------------------

# require FEATURE...: fail (not skip) the test while supd lacks a feature.
# A config feature is tested with `supd --check` on a service file holding
# `[service] command = /bin/true` plus the feature's lines; a verb by asking
# supctl for it (3 = known verb, cannot reach supd; 2 = unknown command).
require() {
	local f snippet d out rc
	for f in "$@"; do
		case $f in
		exec | attach)
			rc=0
			if [ "$f" = exec ]; then
				out=$("$SUPCTL" -s "$T/no-such.sock" exec x true 2>&1) || rc=$?
			else
				out=$("$SUPCTL" -s "$T/no-such.sock" attach x 2>&1) || rc=$?
			fi
			if [ "$rc" -ne 3 ]; then
				echo "FEATURE NOT IMPLEMENTED: supctl $f (exit $rc: $(echo "$out" | head -n 1))"
				return 1
			fi
			continue
			;;
		isolation) snippet=$'[isolation]\nnamespaces = mount pid ipc uts' ;;
		namespaces-none) snippet=$'[isolation]\nnamespaces = none' ;;
		init) snippet=$'[isolation]\ninit = no' ;;
		hostname) snippet=$'[isolation]\nhostname = box-7' ;;
		rootfs) snippet=$'[isolation]\nrootfs = '$ROOTFS ;;
		read_only) snippet=$'[isolation]\nrootfs = '$ROOTFS$'\nread_only = yes' ;;
		overlay) snippet=$'[isolation]\nrootfs = '$ROOTFS$'\noverlay = yes' ;;
		volume) snippet=$'[isolation]\nvolume = '$V$':/data\nvolume = '$V$':/mnt:ro' ;;
		named-volume) snippet=$'[isolation]\nvolume = cache:/data' ;;
		tmpfs) snippet=$'[isolation]\ntmpfs = /srv:4M\ntmpfs = /mnt' ;;
		private_tmp) snippet=$'[isolation]\nprivate_tmp = yes' ;;
		network-none) snippet=$'[isolation]\nnetwork = none' ;;
		network-container) snippet=$'[isolation]\nnetwork = container:other' ;;
		capabilities) snippet=$'[isolation]\ncapabilities = CAP_NET_BIND_SERVICE CAP_CHOWN' ;;
		no_new_privileges) snippet=$'[isolation]\nno_new_privileges = no' ;;
		userns) snippet=$'[isolation]\nnamespaces = mount pid ipc uts user' ;;
		limits) snippet=$'[limits]\nnofile = 123:456\nnproc = 500\ncore = 1M\nmemlock = 64K' ;;
		tty) snippet='tty = yes' ;;
		*)
			echo "require: unknown feature $f"
			return 1
			;;
		esac
		d=$(mktemp -d "$T/req.XXXXXX")
		printf '[service]\ncommand = /bin/true\n%s\n' "$snippet" >"$d/req.ini"
		# container:other needs an "other" to name.
		printf '[service]\ncommand = /bin/true\n' >"$d/other.ini"
		rc=0
		out=$("$SUPD" -c "$T/supd.conf" -d "$d" --check 2>&1) || rc=$?
		rm -rf "$d"
		if [ "$rc" -ne 0 ]; then
			echo "FEATURE NOT IMPLEMENTED: $f -- supd --check rejects:"
			printf '%s\n' "$snippet" | sed 's/^/    /'
			echo "$out" | sed 's/^/  supd: /'
			return 1
		fi
	done
}

# ---- helpers ------------------------------------------------------------

# pv NAME KEY: the value of the last "KEY=..." line in NAME's log (a tty's
# \r removed); fails if there is none.
pv() {
	[ -f "$T/log/$1.log" ] || return 1
	awk -v k="$2=" '
		{ sub(/\r$/, "") }
		index($0, k) == 1 { v = substr($0, length(k) + 1); found = 1 }
		END { if (!found) exit 1; print v }' "$T/log/$1.log"
}

# count NAME KEY=VALUE: how many log lines are exactly KEY=VALUE.
count() {
	if [ -f "$T/log/$1.log" ]; then
		tr -d '\r' <"$T/log/$1.log" | grep -cxF -- "$2" || true
	else
		echo 0
	fi
}

_has_line() { [ "$(count "$1" "$2")" -ge "${3:-1}" ]; }

# wait_line NAME KEY=VALUE [N]: until NAME's log has that line (N times).
wait_line() {
	wait_for "$1 to log '$2' ${3:-1} time(s)" _has_line "$1" "$2" "${3:-1}"
}

# wait_probe NAME [N]: until the probe has reported N times (default 1).
wait_probe() {
	wait_line "$1" probe=done "${2:-1}"
}

# expect NAME KEY VALUE: pv NAME KEY is VALUE, with a readable failure.
expect() {
	local got
	got=$(pv "$1" "$2") || {
		echo "$1: no '$2=' line in the log"
		return 1
	}
	if [ "$got" != "$3" ]; then
		echo "$1: $2 is '$got', expected '$3'"
		return 1
	fi
}

# expect_not NAME KEY VALUE: pv NAME KEY exists and is not VALUE.
expect_not() {
	local got
	got=$(pv "$1" "$2") || {
		echo "$1: no '$2=' line in the log"
		return 1
	}
	if [ "$got" = "$3" ]; then
		echo "$1: $2 is '$got', which it must not be"
		return 1
	fi
}

status_line() {
	awk -v k="$2:" '$1 == k { $1 = ""; sub(/^ /, ""); print; exit }' "/proc/$1/status"
}

ppid_of() {
	status_line "$1" PPid
}

# The pid of NAME's command as seen from the host, once it runs.
svc_pid() {
	local p
	p=$(field "$1" pid)
	[ -n "$p" ] && [ "$p" != null ] && [ "$p" -gt 0 ] && echo "$p"
}

# A start refused before exec: state backoff or failed, a reason, no pid.
_refused() {
	local st r
	st=$(state "$1")
	r=$(field "$1" reason)
	[ "$st" = backoff ] || [ "$st" = failed ] || return 1
	[ -n "$r" ] && [ "$r" != null ]
}

wait_refused() {
	wait_for --show "state $(printf %q "$1")" \
		"$1 to be refused (backoff/failed with a reason)" _refused "$1"
}

# A private copy of the rootfs, for tests that tamper with it.
copy_rootfs() {
	cp -a "$ROOTFS" "$1"
}

# Host mount points under a path (or exactly it), one a line.
host_mounts_at() {
	awk -v p="$1" '$5 == p || index($5, p "/") == 1 { print $5 }' /proc/self/mountinfo
}

# ---- I1: pid namespace, init --------------------------------------------

@test "pid ns with init: the command is PID 2 under a reaper PID 1 and sees no host process" {
	require isolation
	# No rootfs: the host tree through a private mount namespace, and still
	# a fresh /proc for the service's pid namespace.
	# supd first, so the service can be told supd's own pid; then reload.
	start_supd
	svc p <<EOF
[service]
command = $ROOTFS/probe kill $SUPD_PID kill $$ sleep
[isolation]
namespaces = mount pid ipc uts
EOF
	ctl reload
	wait_state p running
	wait_probe p
	expect p pid 2
	expect p ppid 1
	expect p procs 1,2
	# Host pids (supd's, the test's) do not exist in its namespace.
	expect p "kill[$SUPD_PID]" ESRCH
	expect p "kill[$$]" ESRCH
	[[ "$(pv p 'mount[/proc]')" == "proc "* ]]
	# From the host: status pid is the command in supd's namespace; its
	# parent is the init, PID 1 of the same new namespace.
	local P I
	P=$(svc_pid p)
	echo "NSpid of $P: $(status_line "$P" NSpid)"
	[ "$(status_line "$P" NSpid | awk '{print $NF}')" = 2 ]
	I=$(ppid_of "$P")
	[ "$(status_line "$I" NSpid | awk '{print $NF}')" = 1 ]
	[ "$(readlink "/proc/$P/ns/pid")" = "$(readlink "/proc/$I/ns/pid")" ]
	[ "$(readlink "/proc/$P/ns/pid")" != "$(readlink /proc/self/ns/pid)" ]
	[ "$(readlink "/proc/$P/ns/mnt")" != "$(readlink /proc/self/ns/mnt)" ]
	[ "$(readlink "/proc/$P/ns/ipc")" != "$(readlink /proc/self/ns/ipc)" ]
	# The defaults do not include net: the host network.
	[ "$(readlink "/proc/$P/ns/net")" = "$(readlink /proc/self/ns/net)" ]
	# The init is the small embedded reaper, run from a sealed memfd, not
	# a copy of supd: a few pages of its own.
	echo "init exe: $(readlink "/proc/$I/exe"), $(grep VmRSS "/proc/$I/status")"
	[[ "$(readlink "/proc/$I/exe")" == /memfd:supd-init* ]]
	[ "$(awk '/^VmRSS:/ { print $2 }' "/proc/$I/status")" -lt 256 ]
	# Its page tables (issue 15): once on its stack in .bss it unmaps the
	# kernel's stack, vdso and vvar, so its image is its only mapping (a
	# PUD, a PMD and a PTE page), and /proc/PID/cmdline shows its copy.
	echo "init: $(grep VmPTE "/proc/$I/status"), maps: $(cat "/proc/$I/maps")"
	[ "$(tr '\0' ' ' <"/proc/$I/cmdline")" = "supd-init 2 " ]
	run ! grep -E '\[(stack|vdso|vvar)' "/proc/$I/maps"
	[ "$(awk '/^VmPTE:/ { print $2 }' "/proc/$I/status")" -le 12 ]
}

@test "pid ns: a first process whose supd died before it could die with it ends at once (faults build)" {
	svc p <<EOF
[service]
command = sh -c 'touch $V/ran; exec sleep 1000'
EOF
	run timeout 20 env SUPD_TEST_DIE_AFTER_CLONE=1 "$B/supd-faults" \
		-c "$T/supd.conf"
	echo "# $output"
	[ "$status" -eq 99 ]
	ORPHAN=$(sed -n 's/^fault: supd ends after cloning \([0-9]*\)$/\1/p' \
		<<<"$output")
	[ -n "$ORPHAN" ]
	wait_for "the orphaned first process to end" _dead "$ORPHAN"
	[ ! -e "$V/ran" ]
}

# records: state_dir/run/records, its slots one a line (NUL padding gone).
_records() {
	tr -d '\0' <"$T/state/run/records"
}

@test "a run record (a slot of state_dir/run/records) for a service without a pid namespace only" {
	svc iso <<EOF
[service]
command = sleep 1000
EOF
	svc plain <<EOF
[service]
command = sleep 1000
[isolation]
namespaces = none
EOF
	start_supd
	wait_state iso running
	wait_state plain running
	_records | grep -q "^$(field plain pid) [0-9]* [-0-9a-f]* plain\$"
	[ "$(_records | wc -l)" = 1 ]
	# Emptied at the reap; a new run takes a slot again.
	ctl stop plain
	[ -z "$(_records)" ]
	ctl start plain
	wait_state plain running
	_records | grep -q "^$(field plain pid) [0-9]* [-0-9a-f]* plain\$"
	[ "$(stat -c %s "$T/state/run/records")" = 256 ]
	[ ! -e "$T/state/run/plain" ]
}

@test "records of an older supd (one file a service) are still ended at start, then removed" {
	local pid start
	setsid sleep 1000 </dev/null >/dev/null 2>&1 &
	pid=$!
	ORPHAN=$pid
	wait_for "the old group's leader" test -e "/proc/$pid/stat"
	start=$(sed 's/.*) //' "/proc/$pid/stat" | cut -d' ' -f20)
	mkdir -p "$T/state/run"
	printf '%s %s %s\n' "$pid" "$start" \
		"$(cat /proc/sys/kernel/random/boot_id)" >"$T/state/run/old"
	start_supd
	wait_for "the old group ended" _dead "$pid"
	grep -q "old: process group $pid left by a previous supd: killed" \
		"$T/supd.err"
	[ ! -e "$T/state/run/old" ]
}

@test "init = no: the command is PID 1 of its namespace (and gets no default SIGTERM action)" {
	require isolation init
	svc p <<EOF
[service]
command = $ROOTFS/probe sleep
stop_timeout = 1s
[isolation]
init = no
EOF
	start_supd
	wait_state p running
	wait_probe p
	expect p pid 1
	expect p ppid 0
	expect p procs 1
	local P t0 t1
	P=$(svc_pid p)
	[ "$(status_line "$P" NSpid | awk '{print $NF}')" = 1 ]
	# PID 1 without a handler ignores SIGTERM: only the SIGKILL after
	# stop_timeout ends it -- proof it really is its namespace's init.
	t0=$("$MONO_NS")
	ctl stop p
	t1=$("$MONO_NS")
	echo "stop took $(((t1 - t0) / 1000000)) ms"
	[ "$(((t1 - t0) / 1000000))" -ge 900 ]
	[ "$(field p exit_signal)" = SIGKILL ]
}

@test "init reaps orphans inside the namespace and forwards SIGTERM to the command" {
	require isolation rootfs
	svc o <<EOF
[service]
command = /probe orphan 5 sleep
stop_timeout = 5s
[isolation]
rootfs = $ROOTFS
EOF
	start_supd
	wait_state o running
	wait_probe o
	# The 5 grandchildren lost their parent, were adopted by PID 1 (the
	# init) and reaped: the probe saw every one of them disappear.
	[ "$(pv o orphan_pids | tr ',' '\n' | wc -l)" -eq 5 ]
	expect o orphans reaped
	local P I t0 t1
	P=$(svc_pid o)
	I=$(ppid_of "$P")
	[ "$(status_line "$I" NSpid | awk '{print $NF}')" = 1 ]
	no_zombies_under --tree "$I"
	expect o procs 1,2
	# The init passes SIGTERM on: the probe dies of it well before the
	# 5 s stop_timeout would bring SIGKILL.
	t0=$("$MONO_NS")
	ctl stop o
	t1=$("$MONO_NS")
	echo "stop took $(((t1 - t0) / 1000000)) ms"
	[ "$(((t1 - t0) / 1000000))" -lt 3000 ]
	[ "$(state o)" = stopped ]
	[ ! -e "/proc/$I" ] || [ "$(status_line "$I" NSpid | awk '{print $NF}')" != 1 ]
}

# ---- uts ------------------------------------------------------------------

@test "hostname: the service name by default, hostname = sets it, the host's is untouched" {
	require isolation hostname
	local host
	host=$(hostname)
	svc web1 <<EOF
[service]
command = $ROOTFS/probe sleep
[isolation]
namespaces = mount pid ipc uts
EOF
	svc h2 <<EOF
[service]
command = $ROOTFS/probe sleep
[isolation]
hostname = box-7
EOF
	start_supd
	wait_probe web1
	wait_probe h2
	expect web1 hostname web1
	expect h2 hostname box-7
	[ "$(hostname)" = "$host" ]
	[ "$(readlink "/proc/$(svc_pid h2)/ns/uts")" != "$(readlink /proc/self/ns/uts)" ]
}

# ---- rootfs, read-only root, volumes, tmpfs, overlay, /tmp ---------------

@test "rootfs: pivot_root into it, fresh /proc, minimal /dev with pts and shm, /sys read-only" {
	require isolation rootfs
	svc r <<EOF
[service]
command = /probe cat /etc/rootfs-marker ls /dev ls / sleep
[isolation]
rootfs = $ROOTFS
EOF
	start_supd
	wait_state r running
	wait_probe r
	expect r "cat[/etc/rootfs-marker]" supd-isolation-rootfs
	expect r cwd /
	expect r procs 1,2
	# The root is the rootfs: its top level, nothing of the host's.
	local top dev d
	top=$(pv r "ls[/]")
	echo "ls / = $top"
	[[ ",$top," == *,probe,* ]]
	[[ ",$top," != *,work,* ]]
	[[ ",$top," != *,usr,* ]]
	[[ "$(pv r 'mount[/proc]')" == "proc "* ]]
	[[ "$(pv r 'mount[/sys]')" == "sysfs ro"* ]]
	[[ "$(pv r 'mount[/dev/pts]')" == "devpts "* ]]
	[[ "$(pv r 'mount[/dev/shm]')" == "tmpfs "* ]]
	dev=$(pv r "ls[/dev]")
	echo "ls /dev = $dev"
	for d in null zero full random urandom tty pts shm; do
		[[ ",$dev," == *",$d,"* ]]
	done
	# Minimal: none of the host's disks, memory or kernel log.
	for d in vda sda nvme0n1 mem kmem port kmsg; do
		[[ ",$dev," != *",$d,"* ]]
	done
	# The host's /dev is not what the service mounted there.
	[[ "$(pv r 'mount[/dev]')" != devtmpfs* ]]
}

@test "read_only = yes: / and /etc give EROFS; declared tmpfs, rw volume and /tmp stay writable" {
	require isolation rootfs read_only volume tmpfs
	mkdir "$V/rw"
	svc ro <<EOF
[service]
command = /probe write /etc/svc-x write /srv/f write /data/f write /tmp/f report pause
[isolation]
rootfs = $ROOTFS
read_only = yes
tmpfs = /srv
volume = $V/rw:/data
EOF
	start_supd
	wait_probe ro
	expect ro can_write_root EROFS
	expect ro "write[/etc/svc-x]" EROFS
	expect ro "write[/srv/f]" ok
	expect ro "write[/data/f]" ok
	expect ro "write[/tmp/f]" ok
	[[ "$(pv ro 'mount[/]')" == *" ro"* ]]
	[ -f "$V/rw/f" ]
	[ ! -e "$ROOTFS/etc/svc-x" ]
	[ ! -e "$ROOTFS/srv/f" ]
	[ ! -e "$ROOTFS/probe-write-test" ]
}

@test "volume SRC:DST binds read-write, SRC:DST:ro read-only" {
	require isolation rootfs volume
	mkdir "$V/ro" "$V/rw"
	echo from-host >"$V/ro/in"
	svc v <<EOF
[service]
command = /probe cat /mnt/in write /mnt/x write /data/y mnt /mnt mnt /data report pause
[isolation]
rootfs = $ROOTFS
volume = $V/ro:/mnt:ro
volume = $V/rw:/data
EOF
	start_supd
	wait_probe v
	expect v "cat[/mnt/in]" from-host
	expect v "write[/mnt/x]" EROFS
	expect v "write[/data/y]" ok
	[[ "$(pv v 'mount[/mnt]')" == *" ro,"* ]]
	[[ "$(pv v 'mount[/data]')" == *" rw,"* ]]
	[ ! -e "$V/ro/x" ]
	[ "$(cat "$V/rw/y")" = probe ]
	# Written through the bind, not into the rootfs underneath.
	[ ! -e "$ROOTFS/data/y" ]
}

@test "named volume: kept under state_dir/volumes/NAME across restarts of the service and of supd" {
	require isolation rootfs named-volume
	svc nv <<'EOF'
[service]
command = /bin/sh -c 'echo run >>/data/runs; echo runs=$(wc -l </data/runs); exec /probe pause'
[isolation]
rootfs = ROOTFS
volume = cache:/data
EOF
	sed -i "s|^rootfs = ROOTFS|rootfs = $ROOTFS|" "$T/conf.d/nv.ini"
	start_supd
	wait_line nv runs=1
	[ -d "$T/state/volumes/cache" ]
	[ "$(wc -l <"$T/state/volumes/cache/runs")" -eq 1 ]
	ctl restart nv
	wait_line nv runs=2
	stop_supd
	start_supd
	wait_line nv runs=3
	[ "$(wc -l <"$T/state/volumes/cache/runs")" -eq 3 ]
	[ ! -e "$ROOTFS/data/runs" ]
}

@test "overlay = yes: writes go to a throwaway layer, gone at the next start; the rootfs is untouched" {
	require isolation rootfs overlay
	svc ov <<'EOF'
[service]
command = /bin/sh -c 'if [ -e /etc/ovl-mark ]; then echo seen=yes; else echo seen=no; fi; echo x >/etc/ovl-mark && echo wrote=ok; exec /probe pause'
[isolation]
rootfs = ROOTFS
overlay = yes
EOF
	sed -i "s|^rootfs = ROOTFS|rootfs = $ROOTFS|" "$T/conf.d/ov.ini"
	start_supd
	wait_line ov wrote=ok
	[ "$(count ov seen=no)" -eq 1 ]
	[ ! -e "$ROOTFS/etc/ovl-mark" ]
	ctl restart ov
	wait_line ov wrote=ok 2
	[ "$(count ov seen=no)" -eq 2 ]
	[ "$(count ov seen=yes)" -eq 0 ]
	[ ! -e "$ROOTFS/etc/ovl-mark" ]
}

@test "overlay = yes with a user namespace: its root writes the new root; the layer is on state_dir, owned by the mapped root; the rootfs is untouched" {
	require isolation rootfs overlay userns
	svc ovu <<'EOF'
[service]
command = /bin/sh -c 'echo x >/ovl-mark && echo wrote=ok; echo id=$(id -u); exec /probe pause'
[isolation]
rootfs = ROOTFS
overlay = yes
namespaces = mount pid ipc uts user
EOF
	sed -i "s|^rootfs = ROOTFS|rootfs = $ROOTFS|" "$T/conf.d/ovu.ini"
	start_supd
	wait_line ovu wrote=ok
	wait_line ovu id=0
	[ ! -e "$ROOTFS/ovl-mark" ]
	[ "$(stat -c %u:%g "$T/state/scratch/ovu/upper/ovl-mark")" = 1000000:1000000 ]
}

@test "private /tmp (default): the host's /tmp files are not visible, the service's stay inside" {
	require isolation private_tmp
	HOSTTMP=$(mktemp /tmp/supd-iso-host.XXXXXX)
	local svcfile=supd-iso-svc.$$.$BATS_TEST_NUMBER
	rm -f "/tmp/$svcfile"
	# No rootfs: the host's tree, with only /tmp replaced.
	svc pt <<EOF
[service]
command = $ROOTFS/probe ls /tmp write /tmp/$svcfile ls /tmp mnt /tmp cat /etc/hostname report pause
[isolation]
namespaces = mount pid ipc uts
EOF
	start_supd
	wait_probe pt
	# The first listing is of an empty, fresh /tmp.
	grep -qxF "ls[/tmp]=" "$T/log/pt.log"
	expect pt "ls[/tmp]" "$svcfile"
	expect pt "write[/tmp/$svcfile]" ok
	[[ "$(pv pt 'mount[/tmp]')" == "tmpfs "* ]]
	expect pt "cat[/etc/hostname]" "$(head -n 1 /etc/hostname)"
	[ ! -e "/tmp/$svcfile" ]
	[ -e "$HOSTTMP" ]
}

@test "tmpfs = DST:SIZE is a tmpfs of that size; tmpfs = DST without size is a tmpfs" {
	require isolation rootfs tmpfs
	svc tf <<EOF
[service]
command = /probe mnt /srv mnt /mnt write /srv/f write /mnt/g report pause
[isolation]
rootfs = $ROOTFS
tmpfs = /srv:4M
tmpfs = /mnt
EOF
	start_supd
	wait_probe tf
	echo "srv: $(pv tf 'mount[/srv]')"
	[[ "$(pv tf 'mount[/srv]')" == "tmpfs "* ]]
	[[ "$(pv tf 'mount[/srv]')" == *size=4096k* ]]
	[[ "$(pv tf 'mount[/mnt]')" == "tmpfs "* ]]
	expect tf "write[/srv/f]" ok
	expect tf "write[/mnt/g]" ok
	[ ! -e "$ROOTFS/srv/f" ]
	[ ! -e "$ROOTFS/mnt/g" ]
}

# ---- I8, B4: volume destinations ------------------------------------------

@test "a volume destination that is a symlink out of the rootfs does not escape (I8)" {
	require isolation rootfs volume
	local payload=supd-iso-payload.$$.$BATS_TEST_NUMBER n r
	copy_rootfs "$V/root"
	ln -s /etc "$V/root/mnt/evil"
	ln -s ../../../../../../../../../../etc "$V/root/srv/up"
	mkdir "$V/src"
	echo gotcha >"$V/src/$payload"
	local etc_before mounts_before
	etc_before=$(ls -A /etc | sha256sum)
	mounts_before=$(awk '{ print $5 }' /proc/self/mountinfo | sort)
	svc abs <<EOF
[service]
command = /probe ls /etc sleep
restart_delay = 5s
[isolation]
rootfs = $V/root
volume = $V/src:/mnt/evil
EOF
	svc rel <<EOF
[service]
command = /probe ls /etc sleep
restart_delay = 5s
[isolation]
rootfs = $V/root
volume = $V/src:/srv/up
EOF
	start_supd
	for n in abs rel; do
		# Either refused with a reason, or the bind landed inside the rootfs.
		wait_for "$n refused or started" eval "_refused $n || _has_line $n probe=done"
		r=$(field "$n" reason)
		echo "$n: state $(state "$n"), reason: $r"
		if _has_line "$n" probe=done; then
			# Inside the rootfs: its own /etc now shows the payload.
			[[ ",$(pv "$n" 'ls[/etc]')," == *",$payload,"* ]]
		fi
	done
	# The host is untouched: no payload in /etc, same /etc, no new mount.
	[ ! -e "/etc/$payload" ]
	[ "$(ls -A /etc | sha256sum)" = "$etc_before" ]
	[ -z "$(host_mounts_at /etc)" ]
	[ -z "$(host_mounts_at "$V")" ]
	diff <(echo "$mounts_before") <(awk '{ print $5 }' /proc/self/mountinfo | sort)
	[ -L "$V/root/mnt/evil" ]
	[ -L "$V/root/srv/up" ]
	kill -0 "$SUPD_PID"
}

@test "'..' in a volume or tmpfs destination is refused by supd --check with FILE:LINE" {
	require isolation volume tmpfs
	mkdir "$V/src"
	svc dots <<EOF
[service]
command = /bin/true
[isolation]
volume = $V/src:/data/../../etc
EOF
	svc dots2 <<EOF
[service]
command = /bin/true
[isolation]
tmpfs = /srv/../etc
EOF
	svc fine <<EOF
[service]
command = /bin/true
[isolation]
volume = $V/src:/data
EOF
	run "$SUPD" -c "$T/supd.conf" --check
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/conf.d/dots.ini:4: "* ]]
	[[ "$output" == *"$T/conf.d/dots2.ini:4: "* ]]
	[[ "$output" != *"fine.ini"* ]]
}

# ---- I10, failure paths ---------------------------------------------------

@test "a rootfs whose /proc is a symlink is refused; supd and other services go on" {
	require isolation rootfs
	copy_rootfs "$V/root"
	rmdir "$V/root/proc"
	ln -s /sys "$V/root/proc"
	svc sym <<EOF
[service]
command = /probe sleep
restart_delay = 5s
[isolation]
rootfs = $V/root
EOF
	svc good <<EOF
[service]
command = /probe sleep
[isolation]
rootfs = $ROOTFS
EOF
	start_supd
	wait_refused sym
	echo "reason: $(field sym reason)"
	[[ "$(field sym reason)" == *proc* ]]
	[ "$(field sym pid)" = 0 ]
	[ "$(count sym probe=done)" -eq 0 ]
	wait_state good running
	wait_probe good
	[ -L "$V/root/proc" ]
	kill -0 "$SUPD_PID"
}

@test "failures before exec: missing rootfs, missing volume source are reported; supd and others untouched" {
	require isolation rootfs volume
	svc norootfs <<EOF
[service]
command = /probe sleep
restart_delay = 5s
[isolation]
rootfs = $V/no-such-rootfs
EOF
	svc novol <<EOF
[service]
command = /probe sleep
restart_delay = 5s
[isolation]
rootfs = $ROOTFS
volume = $V/no-such-src:/data
EOF
	svc good <<EOF
[service]
command = /probe sleep
[isolation]
rootfs = $ROOTFS
EOF
	start_supd
	wait_state good running
	wait_probe good
	local gp
	gp=$(svc_pid good)
	wait_refused norootfs
	wait_refused novol
	echo "norootfs: $(state norootfs) ($(field norootfs reason))"
	echo "novol: $(state novol) ($(field novol reason))"
	[[ "$(field norootfs reason)" == *rootfs* ]]
	[[ "$(field novol reason)" == *volume* ]]
	[ "$(field norootfs pid)" = 0 ]
	[ "$(field novol pid)" = 0 ]
	# The failure is supd's, not a command's exit 127.
	[ "$(field norootfs exit_code)" != 127 ]
	# supd answers, the good service kept its process.
	kill -0 "$SUPD_PID"
	[ "$(state good)" = running ]
	[ "$(field good pid)" = "$gp" ]
	[ "$(field good restarts)" = 0 ]
	[ ! -e "$V/no-such-rootfs" ]
	[ ! -e "$V/no-such-src" ]
}

@test "masked /proc: kcore gives nothing, /proc/sys is read-only, sysrq-trigger not writable (I10)" {
	require isolation rootfs
	local host
	host=$(hostname)
	svc m <<EOF
[service]
command = /probe read /proc/kcore write /proc/sys/kernel/hostname openw /proc/sysrq-trigger openw /proc/sys/kernel/core_pattern report pause
[isolation]
rootfs = $ROOTFS
EOF
	start_supd
	wait_probe m
	local k
	k=$(pv m "read[/proc/kcore]")
	echo "kcore: $k"
	[ "$k" = 0 ] || [[ "$k" == E* ]]
	expect_not m "write[/proc/sys/kernel/hostname]" ok
	expect_not m "openw[/proc/sysrq-trigger]" ok
	expect_not m "openw[/proc/sys/kernel/core_pattern]" ok
	expect m hostname m
	[ "$(hostname)" = "$host" ]
}

# ---- every masked /proc path ---------------------------------------------------

TOP=$BATS_TEST_DIRNAME/../..

# _code_paths ARRAY: the strings of `static const char *const ARRAY[]` in
# src/isolate.c (masked, readonly), sorted.
_code_paths() {
	awk -v a="$1" '
		index($0, "static const char *const " a "[] = {") == 1 { on = 1; next }
		on && /^};/ { exit }
		on {
			s = $0
			while (match(s, /"[^"]*"/)) {
				print substr(s, RSTART + 1, RLENGTH - 2)
				s = substr(s, RSTART + RLENGTH)
			}
		}' "$TOP/src/isolate.c" | sort
}

# _man_paths masked|readonly: the lists of supd.conf(5), step 5 of the
# mounts, sorted.
_man_paths() {
	awk -v want="$1" '
		/^the paths docker masks:/ { st = "masked"; next }
		st == "" { next }
		/^are made read-only/ { exit }
		/^are hidden/ { st = "skip"; next }
		st == "skip" && /tmpfs\);$/ { st = "readonly"; next }
		st == want && /^\.IR? / { p = $2; gsub(/\\-/, "-", p); print p }
	' "$TOP/man/supd.conf.5" | sort
}

# _readme_paths masked|readonly: the lists of README.md's Mounts, step 3
# (a bare name is under /proc), sorted.
_readme_paths() {
	local text key
	text=$(awk '/the paths docker masks hidden/ { on = 1 }
		on { $1 = $1; buf = buf " " $0 }
		on && /\);$/ { exit }
		END { print buf }' "$TOP/README.md")
	[ "$1" = masked ] && key='masks hidden (' || key='read-only ('
	text=${text#*"$key"}
	text=${text%%)*}
	tr -d '` ' <<<"$text" | tr ',' '\n' | grep . |
		sed 's,^\([^/]\),/proc/\1,' | sort
}

# _ro "FSTYPE OPTS SUPEROPTS" (probe's mount[...]): a read-only mount.
_ro() {
	local o
	o=$(cut -d' ' -f2 <<<"$1")
	[[ ",$o," == *,ro,* ]]
}

@test "every masked and read-only path, as the code lists it, is so inside a service, with and without a rootfs" {
	require isolation rootfs
	local m r p w n got
	m=$(_code_paths masked)
	r=$(_code_paths readonly)
	echo "code masked: $(xargs <<<"$m")"
	echo "code readonly: $(xargs <<<"$r")"
	[ "$(wc -l <<<"$m")" -ge 8 ]
	[ "$(wc -l <<<"$r")" -ge 5 ]
	# The docs list exactly what the code does: a path added to one
	# and not the other fails here.
	[ "$m" = "$(_man_paths masked)" ]
	[ "$r" = "$(_man_paths readonly)" ]
	[ "$m" = "$(_readme_paths masked)" ]
	[ "$r" = "$(_readme_paths readonly)" ]

	# What to look at, from what the host has: one probe command per
	# line (a service file's line is at most 198 characters; indented
	# lines continue the command).
	local lines=
	for p in $m; do
		if [ -d "$p" ]; then
			lines+=$'\n'"	mnt $p ls $p"
		elif [ -e "$p" ]; then
			lines+=$'\n'"	mnt $p read $p"
		else
			lines+=$'\n'"	read $p"
		fi
	done
	declare -A wr
	for p in $r; do
		if [ ! -e "$p" ]; then
			lines+=$'\n'"	read $p"
			continue
		fi
		lines+=$'\n'"	mnt $p"
		# A file root may open for writing there, if there is one.
		if [ -f "$p" ]; then
			w=$p
		else
			w=$(find "$p" -maxdepth 3 -type f -perm -u=w 2>/dev/null | head -n 1)
		fi
		if [ -n "$w" ]; then
			wr[$p]=$w
			lines+=$'\n'"	openw $w"
		fi
	done
	svc mr <<EOF
[service]
command = /probe$lines
	report pause
[isolation]
rootfs = $ROOTFS
EOF
	svc mh <<EOF
[service]
command = $ROOTFS/probe$lines
	report pause
EOF
	cat "$T/conf.d/mh.ini"
	start_supd
	for n in mr mh; do
		wait_probe "$n"
		for p in $m; do
			if [ -d "$p" ]; then
				got=$(pv "$n" "mount[$p]")
				echo "$n: $p: $got, ls=$(pv "$n" "ls[$p]")"
				[ "${got%% *}" = tmpfs ]
				_ro "$got"
				expect "$n" "ls[$p]" ""
			elif [ -e "$p" ]; then
				echo "$n: $p: $(pv "$n" "mount[$p]"), read=$(pv "$n" "read[$p]")"
				expect_not "$n" "mount[$p]" -
				expect "$n" "read[$p]" 0
			else
				echo "$n: $p: not on this kernel"
				expect "$n" "read[$p]" ENOENT
			fi
		done
		for p in $r; do
			if [ ! -e "$p" ]; then
				echo "$n: $p: not on this kernel"
				expect "$n" "read[$p]" ENOENT
				continue
			fi
			got=$(pv "$n" "mount[$p]")
			echo "$n: $p: $got${wr[$p]:+, openw ${wr[$p]}=$(pv "$n" "openw[${wr[$p]}]")}"
			_ro "$got"
			[ -z "${wr[$p]:-}" ] || expect "$n" "openw[${wr[$p]}]" EROFS
		done
	done
}

# ---- I6, I11, I14: what leaks in -------------------------------------------

@test "only fds 0, 1, 2 reach the service: no supd fd, no inherited host dir (I6)" {
	require isolation rootfs
	svc f <<EOF
[service]
command = /probe sleep
[isolation]
rootfs = $ROOTFS
EOF
	# supd itself inherits a host directory on fd 9 (CVE-2024-21626 shape).
	start_supd 9<"$ISO"
	wait_probe f
	expect f fds 0,1,2
	# stdin is the null device (opened before pivot_root, so its path
	# may read "/null"); stdout and stderr the log pipes.
	expect f fdtype.0 chr:1:3
	expect f fdtype.1 fifo
	expect f fdtype.2 fifo
	local n t
	for n in 0 1 2; do
		t=$(pv f "fd.$n")
		echo "fd $n -> $t ($(pv f "fdtype.$n"))"
		[[ "$t" != *supd.sock* ]]
		[[ "$t" != *"$T"* ]]
		[[ "$t" != *"$ISO"* ]]
	done
	expect f cwd /
}

@test "the service cannot open the init's (supd's) binary for writing (I5), with the fallback init in supd's own image" {
	require isolation rootfs
	# The init is normally the embedded reaper, run from a sealed memfd
	# (see "pid ns with init"). Where no sealable memfd can be made, the
	# same loop runs in supd's own image and /proc/1/exe IS supd's
	# binary: that fallback is what iso_nomemfd puts supd in.
	[ -x "$HELPERS/iso_nomemfd" ] || make -s -C "$BATS_TEST_DIRNAME/../.." \
	    B="$SUPD_BUILD" "$HELPERS/iso_nomemfd" >&2
	svc x <<EOF
[service]
command = /probe openw /proc/1/exe sleep
[isolation]
rootfs = $ROOTFS
EOF
	local sum0 P I
	sum0=$(sha256sum "$SUPD" | cut -d' ' -f1)
	SUPD_WRAP=$HELPERS/iso_nomemfd start_supd
	wait_state x running
	wait_probe x
	# The fallback ran: the service's PID 1 is supd's own image.
	P=$(svc_pid x)
	I=$(ppid_of "$P")
	echo "init $I: exe $(readlink "/proc/$I/exe"), comm $(cat "/proc/$I/comm")"
	[ "$(readlink "/proc/$I/exe")" = "$(readlink -f "$SUPD")" ]
	[ "$(cat "/proc/$I/comm")" = supd-init ]
	[ "$(status_line "$I" NSpid | awk '{print $NF}')" = 1 ]
	expect x pid 2
	# The service cannot open that binary for writing (ETXTBSY: it runs
	# as long as the service's PID 1 does; EACCES without CAP_SYS_PTRACE,
	# the init being not dumpable).
	echo "openw[/proc/1/exe]=$(pv x 'openw[/proc/1/exe]')"
	[ "$(pv x 'openw[/proc/1/exe]')" != ok ]
	[ "$(sha256sum "$SUPD" | cut -d' ' -f1)" = "$sum0" ]
	# It still does an init's job: SIGTERM reaches the command, whose
	# death by it is what supd records.
	ctl stop x
	ctl status x
	[ "$(state x)" = stopped ]
	[ "$(field x exit_signal)" = SIGTERM ]
}

@test "TIOCSTI cannot reach supd's terminal (I11)" {
	require isolation
	svc ti <<EOF
[service]
command = $ROOTFS/probe tiocsti report pause
[isolation]
namespaces = mount pid ipc uts
EOF
	# supd runs with a pty as its controlling terminal and stdin; whatever
	# appears on that terminal is copied to $T/console.
	SUPD_WRAP="$HELPERS/iso_ctty $T/console" start_supd
	wait_probe ti
	local n
	for n in 0 1 2 tty; do
		expect_not ti "tiocsti.$n" ok
	done
	expect_not ti ctty yes
	expect ti isatty.0 0
	# Proving an absence needs a little time: the copier reads the
	# terminal's echo asynchronously.
	sleep 0.2
	echo "console: $(cat -v "$T/console" 2>/dev/null)"
	refute grep -q INJECTED "$T/console"
	refute grep -qF '#' "$T/console"
}

@test "env: each service gets exactly its configured variables plus PATH, HOME, USER (I14)" {
	require isolation rootfs
	svc ea <<EOF
[service]
command = /probe sleep
env = ALPHA=1
[isolation]
rootfs = $ROOTFS
EOF
	svc eb <<EOF
[service]
command = /probe sleep
env = BETA=two words
[isolation]
rootfs = $ROOTFS
EOF
	export SUPD_ISO_CANARY=leak NOTIFY_SOCKET=/run/leak LD_PRELOAD=
	start_supd
	unset SUPD_ISO_CANARY NOTIFY_SOCKET LD_PRELOAD
	wait_probe ea
	wait_probe eb
	local n keys
	for n in ea eb; do
		keys=$(grep '^env\.' "$T/log/$n.log" | sed 's/^env\.\([^=]*\)=.*/\1/' | sort | tr '\n' ' ')
		echo "$n: $keys"
		case $n in
		ea) [ "$keys" = "ALPHA HOME PATH USER " ] ;;
		eb) [ "$keys" = "BETA HOME PATH USER " ] ;;
		esac
	done
	expect ea env.ALPHA 1
	expect eb env.BETA "two words"
	expect ea env.USER root
	expect ea env.HOME /root
}

# ---- identity, capabilities, no_new_privs, rlimits, userns ----------------

@test "user = app is looked up in the rootfs: uid, gid and supplementary groups" {
	require isolation rootfs
	# app exists only in the rootfs's /etc/passwd, extra only in its group.
	svc u <<EOF
[service]
command = /bin/sh -c 'id; exec /probe sleep'
user = app
[isolation]
rootfs = $ROOTFS
EOF
	start_supd
	wait_probe u
	grep -qxF 'uid=1000(app) gid=1000(app) groups=1000(app),1001(extra)' "$T/log/u.log"
	expect u uid 1000
	expect u euid 1000
	expect u gid 1000
	[ "$(pv u groups | tr ',' '\n' | sort -n | tr '\n' ' ')" = "1000 1001 " ]
	expect u env.USER app
	expect u env.HOME /home/app
	[ "$(status_line "$(svc_pid u)" Uid | awk '{print $1}')" = 1000 ]
}

# nss_rootfs DIR: a copy of the rootfs holding an NSS module of its own,
# libnss_evil.so.2, in every library directory glibc searches: its
# constructor creates /nss-evil-loaded in whatever root the process that
# loads it is in, so loading it at all is the breach. The rootfs's own
# /etc/nsswitch.conf names it first for every database.
nss_rootfs() {
	local d multi
	copy_rootfs "$1"
	cat >"$1/etc/nsswitch.conf" <<'EOF'
passwd: evil files
group: evil files
initgroups: evil files
shadow: evil files
EOF
	cat >"$V/evil.c" <<'EOF'
#include <fcntl.h>
#include <unistd.h>
__attribute__((constructor)) static void
evil(void)
{
	int fd = open("/nss-evil-loaded", O_WRONLY | O_CREAT | O_APPEND, 0644);

	if (fd != -1) {
		(void)write(fd, "loaded\n", 7);
		close(fd);
	}
}
EOF
	"${CC:-cc}" -shared -fPIC -Wl,-soname,libnss_evil.so.2 \
		-o "$V/libnss_evil.so.2" "$V/evil.c"
	# Debian's multiarch directories come first in glibc's search.
	multi=$("${CC:-cc}" -print-multiarch 2>/dev/null) || multi=
	for d in ${multi:+"lib/$multi" "usr/lib/$multi"} lib usr/lib lib64 usr/lib64; do
		mkdir -p "$1/$d"
		cp "$V/libnss_evil.so.2" "$1/$d/"
	done
}

@test "with a rootfs, users and groups come from its files: no NSS module in the rootfs is ever loaded" {
	require isolation rootfs
	nss_rootfs "$V/root"
	# supd sees a host nsswitch.conf naming "evil" after files, as a
	# Debian host's "files systemd" names libnss_systemd: glibc keeps the
	# host's file once read, but loads a module it needs later from the
	# library directories of whatever root the process is in by then. A
	# private mount namespace gives supd this file without touching the
	# host's.
	printf 'passwd: files evil\ngroup: files evil\n' >"$V/nsswitch.conf"
	cat >"$V/wrap" <<'EOF'
#!/bin/sh
conf=$1
shift
exec unshare --mount --propagation private \
	sh -c 'mount --bind "$0" /etc/nsswitch.conf && exec "$@"' "$conf" "$@"
EOF
	chmod +x "$V/wrap"
	# initgroups (user without groups); group and groups by name; a name
	# the root's files lack; a number with no account.
	svc nu <<EOF
[service]
command = /probe sleep
user = app
[isolation]
rootfs = $V/root
EOF
	svc ng <<EOF
[service]
command = /probe sleep
user = nobody
group = extra
groups = app nogroup
[isolation]
rootfs = $V/root
EOF
	svc nn <<EOF
[service]
command = /probe sleep
user = 4242
[isolation]
rootfs = $V/root
EOF
	svc ghost <<EOF
[service]
command = /probe sleep
user = ghost
restart = no
[isolation]
rootfs = $V/root
EOF
	SUPD_WRAP="$V/wrap $V/nsswitch.conf" start_supd
	wait_probe nu
	wait_probe ng
	wait_probe nn
	wait_refused ghost
	expect nu uid 1000
	expect nu gid 1000
	[ "$(pv nu groups | tr ',' '\n' | sort -n | tr '\n' ' ')" = "1000 1001 " ]
	expect nu env.USER app
	expect nu env.HOME /home/app
	expect ng uid 65534
	expect ng gid 1001
	[ "$(pv ng groups | tr ',' '\n' | sort -n | tr '\n' ' ')" = "1000 65534 " ]
	expect ng env.USER nobody
	expect ng env.HOME /nonexistent
	expect nn uid 4242
	expect nn gid 4242
	expect nn env.HOME /
	[[ "$(field ghost reason)" == *"user ghost: no such user or group"* ]]
	# supctl exec looks the user up again, inside the root.
	run ctl exec nu /probe report
	[ "$status" -eq 0 ]
	echo "$output" | grep -qx 'uid=1000'
	echo "$output" | grep -qx 'groups=1000,1001'
	if [ -e "$V/root/nss-evil-loaded" ]; then
		echo "supd loaded an NSS module from the rootfs:"
		cat "$V/root/nss-evil-loaded"
		return 1
	fi
}

@test "with a rootfs, an /etc/passwd or /etc/group that is a symlink, a FIFO or over 4 MiB is refused by name" {
	require isolation rootfs
	local r
	copy_rootfs "$V/r1"
	mv "$V/r1/etc/passwd" "$V/r1/etc/passwd.real"
	ln -s passwd.real "$V/r1/etc/passwd"
	copy_rootfs "$V/r2"
	rm "$V/r2/etc/group"
	mkfifo "$V/r2/etc/group"
	copy_rootfs "$V/r3"
	head -c $((4 * 1024 * 1024 + 1)) /dev/zero | tr '\0' '#' >>"$V/r3/etc/passwd"
	for r in 1 2 3; do
		svc "bad$r" <<EOF
[service]
command = /probe sleep
user = app
restart = no
[isolation]
rootfs = $V/r$r
EOF
	done
	start_supd
	for r in 1 2 3; do
		wait_refused "bad$r"
		echo "bad$r: $(field "bad$r" reason)"
	done
	[[ "$(field bad1 reason)" == *"user app (/etc/passwd): Too many levels of symbolic links"* ]]
	[[ "$(field bad2 reason)" == *"groups app (/etc/group): Invalid argument"* ]]
	[[ "$(field bad3 reason)" == *"user app (/etc/passwd): File too large"* ]]
}

@test "capabilities = CAP_NET_BIND_SERVICE: every set is 0x400; ambient for a non-root user; it works" {
	require isolation rootfs capabilities network-none
	svc cr <<EOF
[service]
command = /probe bind 80 sleep
[isolation]
rootfs = $ROOTFS
network = none
capabilities = CAP_NET_BIND_SERVICE
EOF
	svc cu <<EOF
[service]
command = /probe bind 80 sleep
user = app
[isolation]
rootfs = $ROOTFS
network = none
capabilities = CAP_NET_BIND_SERVICE
EOF
	# Control: the same user without the capability cannot bind port 80.
	svc cn <<EOF
[service]
command = /probe bind 80 sleep
user = app
[isolation]
rootfs = $ROOTFS
network = none
EOF
	start_supd
	wait_probe cr
	wait_probe cu
	wait_probe cn
	local n
	for n in cr cu; do
		expect "$n" CapEff 0000000000000400
		expect "$n" CapPrm 0000000000000400
		expect "$n" CapBnd 0000000000000400
		expect "$n" "bind[80]" ok
	done
	# Root keeps it through its uid; a non-root user through ambient.
	expect cu CapAmb 0000000000000400
	expect cu CapInh 0000000000000400
	expect cr CapAmb 0000000000000000
	[ "$((16#$(pv cr CapInh) & ~16#400))" -eq 0 ]
	# Seen from the host too.
	[ "$(status_line "$(svc_pid cu)" CapEff)" = 0000000000000400 ]
	expect cn "bind[80]" EACCES
	expect cn CapEff 0000000000000000
}

@test "no_new_privileges (default yes): a setuid-root binary does not raise user app's euid" {
	require isolation rootfs no_new_privileges
	svc nnp <<EOF
[service]
command = /bin/sh -c '/bin/iso_suid; exec /probe sleep'
user = app
[isolation]
rootfs = $ROOTFS
EOF
	svc nonnp <<EOF
[service]
command = /bin/sh -c '/bin/iso_suid; exec /probe sleep'
user = app
[isolation]
rootfs = $ROOTFS
no_new_privileges = no
EOF
	start_supd
	wait_probe nnp
	wait_probe nonnp
	expect nnp NoNewPrivs 1
	expect nnp suid_uid 1000
	expect nnp suid_euid 1000
	expect nonnp NoNewPrivs 0
	# Control: without no_new_privs the bit works (unless the rootfs is
	# mounted nosuid, which makes the control moot).
	if [ "$(pv nonnp suid_euid)" != 0 ]; then
		echo "control: setuid did not work without no_new_privs; / is: $(pv nonnp 'mount[/]')"
		[[ "$(pv nonnp 'mount[/]')" == *nosuid* ]]
	fi
}

@test "[limits] nofile = 123:456, nproc, core, memlock are the service's rlimits" {
	require isolation rootfs limits
	svc l <<EOF
[service]
command = /probe sleep
[isolation]
rootfs = $ROOTFS
[limits]
nofile = 123:456
nproc = 500
core = 1M
memlock = 64K
EOF
	svc l1 <<EOF
[service]
command = /probe sleep
[isolation]
rootfs = $ROOTFS
[limits]
nofile = 200
EOF
	start_supd
	wait_probe l
	wait_probe l1
	expect l rlimit_nofile 123:456
	expect l rlimit_nproc 500:500
	expect l rlimit_core 1048576:1048576
	expect l rlimit_memlock 65536:65536
	expect l1 rlimit_nofile 200:200
	grep -q '^Max open files *123 *456 ' "/proc/$(svc_pid l)/limits"
}

@test "user namespace: uid 0 in the service is an unprivileged host uid on a bind volume (I12)" {
	require isolation rootfs volume userns
	mkdir -m 0777 "$V/uv"
	svc un <<EOF
[service]
command = /bin/sh -c 'echo hi >/data/f; exec /probe sleep'
[isolation]
namespaces = mount pid ipc uts user
rootfs = $ROOTFS
volume = $V/uv:/data
EOF
	start_supd
	wait_probe un
	expect un uid 0
	local P base owner
	P=$(svc_pid un)
	cat "/proc/$P/uid_map"
	base=$(awk '$1 == 0 { print $2 }' "/proc/$P/uid_map")
	[ -n "$base" ]
	[ "$base" -ne 0 ]
	[ "$(readlink "/proc/$P/ns/user")" != "$(readlink /proc/self/ns/user)" ]
	[ -f "$V/uv/f" ]
	owner=$(stat -c %u "$V/uv/f")
	echo "file owner on the host: $owner, mapped base: $base"
	[ "$owner" -ne 0 ]
	[ "$owner" -eq "$base" ]
	[ "$(status_line "$P" Uid | awk '{print $1}')" -eq "$base" ]
}

# ---- network ----------------------------------------------------------------

@test "network = none: only lo, and it is up" {
	require isolation rootfs network-none
	svc nn <<EOF
[service]
command = /probe sleep
[isolation]
rootfs = $ROOTFS
network = none
EOF
	start_supd
	wait_probe nn
	expect nn netifs lo
	expect "nn" "netif[lo]" up
	local P
	P=$(svc_pid nn)
	[ "$(readlink "/proc/$P/ns/net")" != "$(readlink /proc/self/ns/net)" ]
}

@test "network = container:OTHER joins OTHER's network namespace" {
	require isolation rootfs network-none network-container
	svc other <<EOF
[service]
command = /probe sleep
[isolation]
rootfs = $ROOTFS
network = none
EOF
	svc side <<EOF
[service]
command = /probe sleep
[isolation]
rootfs = $ROOTFS
network = container:other
EOF
	start_supd
	wait_probe other
	wait_probe side
	wait_state side running
	local po ps
	po=$(svc_pid other)
	ps=$(svc_pid side)
	echo "other $(readlink "/proc/$po/ns/net"), side $(readlink "/proc/$ps/ns/net")"
	[ "$(readlink "/proc/$po/ns/net")" = "$(readlink "/proc/$ps/ns/net")" ]
	[ "$(readlink "/proc/$ps/ns/net")" != "$(readlink /proc/self/ns/net)" ]
	expect side netifs lo
	# Only the network is shared: each has its own pid namespace.
	[ "$(readlink "/proc/$po/ns/pid")" != "$(readlink "/proc/$ps/ns/pid")" ]
}

# ---- supctl exec ------------------------------------------------------------

@test "supctl exec: the service's hostname, root, user, groups, workdir, env, pid ns; exit code passes through" {
	require isolation rootfs hostname capabilities exec
	svc e <<EOF
[service]
command = /probe sleep
user = app
workdir = /home/app
env = GREETING=hi
[isolation]
rootfs = $ROOTFS
hostname = ex-host
capabilities = CAP_NET_BIND_SERVICE
EOF
	start_supd
	wait_state e running
	wait_probe e
	local P rc
	P=$(svc_pid e)
	run ctl exec e hostname
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = ex-host ]
	run ctl exec e cat /etc/rootfs-marker
	[ "$status" -eq 0 ]
	[ "$output" = supd-isolation-rootfs ]
	run ctl exec e sh -c 'exit 7'
	[ "$status" -eq 7 ]
	run ctl exec e id -u
	[ "$output" = 1000 ]
	run ctl exec e id -G
	[ "$(echo "$output" | tr ' ' '\n' | sort -n | tr '\n' ' ')" = "1000 1001 " ]
	run ctl exec e pwd
	[ "$output" = /home/app ]
	run ctl exec e sh -c 'echo "$GREETING"'
	[ "$output" = hi ]
	# The caller's stdin reaches the command.
	[ "$(echo piped-in | ctl exec e cat)" = piped-in ]
	# A probe run by exec: same namespaces and caps as the service.
	ctl exec e /probe report >"$T/exec.out"
	grep -qxF "ns.pid=$(readlink "/proc/$P/ns/pid")" "$T/exec.out"
	grep -qxF "ns.mnt=$(readlink "/proc/$P/ns/mnt")" "$T/exec.out"
	grep -qxF "ns.uts=$(readlink "/proc/$P/ns/uts")" "$T/exec.out"
	grep -qxF "CapEff=0000000000000400" "$T/exec.out"
	grep -qxF "NoNewPrivs=1" "$T/exec.out"
	grep -qxF "uid=1000" "$T/exec.out"
	grep -q '^procs=1,2,' "$T/exec.out"
	# Its own fds are only the caller's stdio.
	grep -qxF "fds=0,1,2" "$T/exec.out"
	# A command that does not exist: non-zero, said on stderr.
	rc=0
	ctl exec e /no/such/cmd 2>"$T/exec.err" || rc=$?
	[ "$rc" -ne 0 ]
	[ -s "$T/exec.err" ]
	# The service was not disturbed.
	[ "$(field e pid)" = "$P" ]
	[ "$(field e restarts)" = 0 ]
	# exec into a stopped service: supd reports a failure.
	ctl stop e
	run ctl exec e true
	[ "$status" -eq 1 ]
}

@test "supctl exec -t gives the command a terminal; without -t it has none" {
	require isolation rootfs exec
	svc et <<EOF
[service]
command = /probe pause
[isolation]
rootfs = $ROOTFS
EOF
	start_supd
	wait_state et running
	# script(1) gives supctl a terminal, as an interactive user has.
	script -qfec "$SUPCTL -s $SOCK exec -t et /probe report" /dev/null </dev/null |
		tr -d '\r' >"$T/t.out"
	cat "$T/t.out"
	grep -qxF isatty.0=1 "$T/t.out"
	grep -qxF isatty.1=1 "$T/t.out"
	grep -qxF ctty=yes "$T/t.out"
	ctl exec et /probe report </dev/null >"$T/not.out"
	grep -qxF isatty.0=0 "$T/not.out"
	grep -qxF isatty.1=0 "$T/not.out"
}

# The command of a supctl exec whose argv holds $1, by its host pid: the
# child of the exec's init, which is supd's child.
_exec_cmd_pid() {
	local p
	for p in $(pgrep -f -- "$1"); do
		if [ "$(ppid_of "$(ppid_of "$p" 2>/dev/null)" 2>/dev/null)" = "$SUPD_PID" ]; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

@test "supctl exec: when supctl goes away the command gets SIGTERM, and SIGKILL 2 s later if it stays" {
	require isolation exec
	svc e <<EOF
[service]
command = $ROOTFS/probe pause
EOF
	start_supd
	wait_state e running
	local sp cpid mark cmd
	sp=$(svc_pid e)
	# A command that ends on TERM: its trap records it. (Its stderr is
	# a pipe to the supctl we kill: the shell's "Terminated" for its
	# sleep would die of SIGPIPE before the trap runs.)
	"$SUPCTL" -s "$SOCK" exec e sh -c "exec 2>/dev/null; trap 'echo term >$V/term1; exit 0' TERM; : >$V/ready1; while :; do sleep 0.05; done" \
		</dev/null >/dev/null 2>&1 &
	cpid=$!
	wait_for "the command to run" test -e "$V/ready1"
	kill -KILL "$cpid"
	wait "$cpid" || true
	wait_for "the command's TERM trap" test -s "$V/term1"
	[ "$(cat "$V/term1")" = term ]

	# One that takes TERM and stays: SIGKILLed 2 s later.
	mark="stays-$BATS_TEST_NUMBER-$$"
	"$SUPCTL" -s "$SOCK" exec e sh -c "exec 2>/dev/null; trap 'echo term >$V/term2' TERM; : >$V/ready2; while :; do sleep 0.05; done; : $mark" \
		</dev/null >/dev/null 2>&1 &
	cpid=$!
	wait_for "the second command to run" test -e "$V/ready2"
	wait_for "its host pid" _exec_cmd_pid "$mark"
	cmd=$(_exec_cmd_pid "$mark")
	echo "supctl $cpid, command $cmd"
	kill -KILL "$cpid"
	wait "$cpid" || true
	wait_for "the second command's TERM trap" test -s "$V/term2"
	# Its handler did not end it; the SIGKILL that follows does.
	wait_for "the command to be gone" _gone "$cmd"
	# The service was not touched.
	[ "$(svc_pid e)" = "$sp" ]
	[ "$(field e restarts)" = 0 ]
}

@test "supctl exec: a command ended by signal N makes supctl exit 128+N, with and without -t" {
	require isolation exec
	svc e <<EOF
[service]
command = $ROOTFS/probe pause
EOF
	start_supd
	wait_state e running
	local rc
	run ctl exec e sh -c 'kill -USR1 $$'
	echo "USR1: $status"
	[ "$status" -eq 138 ]
	run ctl exec e sh -c 'kill -KILL $$'
	echo "KILL: $status"
	[ "$status" -eq 137 ]
	rc=0
	script -qfec "$SUPCTL -s $SOCK exec -t e sh -c 'kill -USR1 \$\$'" /dev/null \
		</dev/null >/dev/null || rc=$?
	echo "-t USR1: $rc"
	[ "$rc" -eq 138 ]
}

# ---- tty, attach -------------------------------------------------------------

@test "tty = yes: the service runs on its own pty as controlling terminal; output is logged" {
	require isolation rootfs tty
	svc tt <<EOF
[service]
command = /probe sleep
tty = yes
[isolation]
rootfs = $ROOTFS
EOF
	start_supd
	wait_probe tt
	expect tt isatty.0 1
	expect tt isatty.1 1
	expect tt ctty yes
	expect tt pid 2
}

@test "the terminal of a tty = yes service and of exec -t has a name inside the service (ttyname works)" {
	require isolation rootfs tty exec
	# tty(1), ttyname(3) and ps work inside: a tty = yes service's pty
	# (supd's, kept across restarts) is bound on its /dev/console, as runc
	# binds a container's console; exec -t's is made in the service's own
	# devpts, as docker exec -t does.
	svc tn <<EOF
[service]
command = /probe sleep
tty = yes
[isolation]
rootfs = $ROOTFS
EOF
	start_supd
	wait_probe tn
	echo "tty=yes: ttyname.0=$(pv tn ttyname.0) fd.0=$(pv tn fd.0)"
	[ "$(pv tn ttyname.0)" = /dev/console ]
	script -qfec "$SUPCTL -s $SOCK exec -t tn /probe report" /dev/null </dev/null |
		tr -d '\r' >"$T/t.out"
	grep '^ttyname.0=\|^fd.0=' "$T/t.out"
	grep -q '^ttyname.0=/dev/pts/' "$T/t.out"
}

_session_gone() {
	! tmux -S "$TMUX_SOCK" has-session -t "$1" 2>/dev/null
}

# The attach client in pane $1 has put its terminal in raw mode: it is
# connected (typed input is queued by the tty until it reads it).
_pane_raw() {
	local tty
	tty=$(tmux -S "$TMUX_SOCK" display -p -t "$1" '#{pane_tty}') || return 1
	stty -F "$tty" -a | grep -q -- '-icanon'
}

_pane_has() {
	tmux -S "$TMUX_SOCK" capture-pane -p -t "$1" | grep -qF -- "$2"
}

@test "attach: input and output round-trip through the pty; Ctrl-P Ctrl-Q detaches; attach again" {
	require isolation rootfs tty attach
	svc sh <<EOF
[service]
command = /bin/sh
tty = yes
[isolation]
rootfs = $ROOTFS
EOF
	svc notty <<EOF
[service]
command = /probe pause
[isolation]
rootfs = $ROOTFS
EOF
	start_supd
	wait_state sh running
	local P
	P=$(svc_pid sh)
	TMUX_SOCK=$T/tmux.sock
	tmux -S "$TMUX_SOCK" new-session -d -s a1 -x 120 -y 30 \
		"$SUPCTL -s $SOCK attach sh; echo \$? >$T/a1.rc"
	wait_for "attach client in raw mode" _pane_raw a1
	tmux -S "$TMUX_SOCK" send-keys -t a1 'echo hello-$((6*7))' Enter
	wait_for "hello-42 on the screen" _pane_has a1 hello-42
	# Detach: the client ends with 0, the service keeps running.
	tmux -S "$TMUX_SOCK" send-keys -t a1 C-p C-q
	wait_for "attach to end after Ctrl-P Ctrl-Q" test -s "$T/a1.rc"
	[ "$(cat "$T/a1.rc")" = 0 ]
	wait_for "tmux session a1 to end" _session_gone a1
	[ "$(state sh)" = running ]
	[ "$(field sh pid)" = "$P" ]
	kill -0 "$P"
	# The tty's output is in the service's log too.
	wait_for "hello-42 in the log" grep -q hello-42 "$T/log/sh.log"

	tmux -S "$TMUX_SOCK" new-session -d -s a2 -x 120 -y 30 \
		"$SUPCTL -s $SOCK attach sh; echo \$? >$T/a2.rc"
	wait_for "attach client in raw mode" _pane_raw a2
	tmux -S "$TMUX_SOCK" send-keys -t a2 'echo again-$((2+3))' Enter
	wait_for "again-5 on the screen" _pane_has a2 again-5
	tmux -S "$TMUX_SOCK" send-keys -t a2 C-p C-q
	wait_for "second attach to end" test -s "$T/a2.rc"
	[ "$(cat "$T/a2.rc")" = 0 ]
	[ "$(field sh pid)" = "$P" ]
	[ "$(field sh restarts)" = 0 ]

	# attach to a service without a tty is an error from supd.
	run ctl attach notty </dev/null
	echo "$output"
	[ "$status" -eq 1 ]
}

# _attach SESSION SERVICE [W H]: supctl attach in a new tmux session
# (window W x H), its exit status to $T/SESSION.rc; waits until it is
# connected.
_attach() {
	TMUX_SOCK=$T/tmux.sock
	tmux -S "$TMUX_SOCK" new-session -d -s "$1" -x "${3:-120}" -y "${4:-30}" \
		"$SUPCTL -s $SOCK attach $2; echo \$? >$T/$1.rc"
	wait_for "attach client $1 in raw mode" _pane_raw "$1"
}

_pane_size() {
	tmux -S "$TMUX_SOCK" display -p -t "$1" '#{pane_height} #{pane_width}'
}

@test "attach: two clients at once both see the output, and input from either reaches the service" {
	require isolation rootfs tty attach
	svc sh <<EOF
[service]
command = /bin/sh
tty = yes
[isolation]
rootfs = $ROOTFS
EOF
	start_supd
	wait_state sh running
	_attach a1 sh
	_attach a2 sh
	# $((...)) is only worked out by the shell: the result on a screen
	# is the service's output, not the echo of what was typed.
	tmux -S "$TMUX_SOCK" send-keys -t a1 'echo one-$((6*7))' Enter
	wait_for "one-42 on a1" _pane_has a1 one-42
	wait_for "one-42 on a2" _pane_has a2 one-42
	tmux -S "$TMUX_SOCK" send-keys -t a2 'echo two-$((5*5))' Enter
	wait_for "two-25 on a2" _pane_has a2 two-25
	wait_for "two-25 on a1" _pane_has a1 two-25
	# Each detaches on its own; the other stays attached.
	tmux -S "$TMUX_SOCK" send-keys -t a1 C-p C-q
	wait_for "a1 to detach" test -s "$T/a1.rc"
	[ "$(cat "$T/a1.rc")" = 0 ]
	tmux -S "$TMUX_SOCK" send-keys -t a2 'echo three-$((1+2))' Enter
	wait_for "three-3 on a2" _pane_has a2 three-3
	tmux -S "$TMUX_SOCK" send-keys -t a2 C-p C-q
	wait_for "a2 to detach" test -s "$T/a2.rc"
	[ "$(cat "$T/a2.rc")" = 0 ]
	[ "$(state sh)" = running ]
	[ "$(field sh restarts)" = 0 ]
}

_pane_size_isnt() {
	[ "$(_pane_size "$1")" != "$2" ]
}

@test "attach: the client's window size is the service's terminal's, and a resize is forwarded (SIGWINCH)" {
	require isolation rootfs tty attach
	# The service prints its terminal's size at each SIGWINCH: the kernel
	# sends one when supd sets a new size on the pty.
	svc sh <<EOF
[service]
command = /bin/sh -c 'trap "echo winch; stty size" WINCH; echo up; while :; do sleep 0.05; done'
tty = yes
[isolation]
rootfs = $ROOTFS
EOF
	start_supd
	wait_state sh running
	wait_line sh up
	local size
	_attach a1 sh 111 33
	size=$(_pane_size a1)
	echo "client terminal: $size"
	wait_for "'$size' in the service's log" _has_line sh "$size"
	tmux -S "$TMUX_SOCK" resize-window -t a1 -x 97 -y 27
	wait_for "the pane resized" _pane_size_isnt a1 "$size"
	size=$(_pane_size a1)
	echo "resized: $size"
	wait_for "'$size' in the service's log" _has_line sh "$size"
	[ "$(count sh winch)" -ge 2 ]
}

@test "attach: the session ends (status 0) when the service stops, by supctl stop or on its own" {
	require isolation rootfs tty attach
	svc sh <<EOF
[service]
command = /bin/sh
tty = yes
restart = no
# An interactive shell ignores SIGTERM: the stop ends with SIGKILL.
stop_timeout = 1s
[isolation]
rootfs = $ROOTFS
EOF
	start_supd
	wait_state sh running
	_attach a1 sh
	ctl stop sh
	wait_for "attach to end on stop" test -s "$T/a1.rc"
	[ "$(cat "$T/a1.rc")" = 0 ]

	ctl start sh
	_attach a2 sh
	tmux -S "$TMUX_SOCK" send-keys -t a2 'exit 0' Enter
	wait_state sh exited
	wait_for "attach to end when the service exits" test -s "$T/a2.rc"
	[ "$(cat "$T/a2.rc")" = 0 ]
}

# ---- regressions: what review found ----------------------------------------

@test "without rootfs: a volume source under /tmp is not hidden by the private /tmp" {
	require isolation volume
	local src
	src=$(mktemp -d /tmp/supd-iso-src.XXXXXX)
	HOSTTMP=$src/f
	echo from-host-tmp >"$src/f"
	mkdir -p "$V/mnt"
	svc vt <<EOF
[service]
command = $ROOTFS/probe cat $V/mnt/f sleep
[isolation]
volume = $src:$V/mnt
EOF
	start_supd
	wait_probe vt
	expect vt "cat[$V/mnt/f]" from-host-tmp
	rm -rf "$src"
}

@test "without rootfs: read_only = yes leaves a rw volume writable and a ro one read-only" {
	require isolation volume
	mkdir -p "$V/rw" "$V/ro" "$V/mrw" "$V/mro"
	svc ro <<EOF
[service]
command = $ROOTFS/probe write $V/mrw/x write $V/mro/x write $V/y sleep
[isolation]
read_only = yes
volume = $V/rw:$V/mrw
volume = $V/ro:$V/mro:ro
EOF
	start_supd
	wait_probe ro
	expect ro "write[$V/mrw/x]" ok
	expect ro "write[$V/mro/x]" EROFS
	expect ro "write[$V/y]" EROFS
	[ -f "$V/rw/x" ]
	[ ! -e "$V/ro/x" ]
}

@test "exec into a user-namespaced service without user runs as its root (uid 0 inside)" {
	require isolation rootfs userns exec
	svc ue <<EOF
[service]
command = /probe sleep
[isolation]
namespaces = mount pid ipc uts user
rootfs = $ROOTFS
EOF
	start_supd
	wait_probe ue
	expect ue uid 0
	run ctl exec ue /probe report
	echo "$output" | grep -E '^(uid|CapEff)='
	[ "$status" -eq 0 ]
	echo "$output" | grep -qx 'uid=0'
	! echo "$output" | grep -qx 'CapEff=0000000000000000'
}

@test "tmpfs = / and private_tmp without the mount namespace are config errors" {
	svc t1 <<EOF
[service]
command = /bin/true
[isolation]
tmpfs = /
EOF
	svc t2 <<EOF
[service]
command = /bin/true
[isolation]
namespaces = pid
private_tmp = yes
EOF
	run "$SUPD" --check -c "$T/supd.conf"
	echo "$output"
	[ "$status" -eq 1 ]
	echo "$output" | grep -q "t1.ini:4: tmpfs '/': cannot mount over /"
	echo "$output" | grep -q "t2.ini:5: private_tmp needs the mount namespace"
}

@test "exec: a command that is not executable exits 126, a missing one 127" {
	require isolation rootfs exec
	svc ec <<EOF
[service]
command = /probe sleep
[isolation]
rootfs = $ROOTFS
EOF
	start_supd
	wait_probe ec
	run -126 ctl exec ec /etc/passwd
	run -127 ctl exec ec /no/such/command
	[[ "$output" == *"supd: exec: exec /no/such/command: No such file or directory"* ]]
}

@test "workdir through /proc/self/fd or a symlink out of the rootfs does not escape (I7)" {
	require isolation rootfs
	ln -sfn / "$V/link-out"
	svc w1 <<EOF
[service]
command = /probe sleep
workdir = /proc/self/fd/3
restart = no
[isolation]
rootfs = $ROOTFS
EOF
	svc w2 <<EOF
[service]
command = /probe sleep
workdir = /escape/etc
[isolation]
rootfs = $ROOTFS
volume = $V:/vol
EOF
	# A symlink in the rootfs that points at "/" means the rootfs's own root.
	ln -sfn / "$ROOTFS/escape"
	start_supd
	wait_state w1 failed
	echo "w1: $(field w1 reason)"
	[[ "$(field w1 reason)" == "workdir /proc/self/fd/3: "* ]]
	wait_probe w2
	expect w2 cwd /etc
	# The cwd it got is the rootfs's /etc, not the host's (same inode).
	[ "$(stat -L -c %d:%i "/proc/$(svc_pid w2)/cwd")" = "$(stat -c %d:%i "$ROOTFS/etc")" ]
	[ "$(stat -L -c %d:%i "/proc/$(svc_pid w2)/cwd")" != "$(stat -c %d:%i /etc)" ]
	rm -f "$ROOTFS/escape"
}

@test "mounts made inside a service stay inside; the host's new mounts stay outside (I9)" {
	require isolation rootfs exec
	mkdir -p "$V/hostmnt"
	svc m <<EOF
[service]
command = /probe sleep
[isolation]
rootfs = $ROOTFS
EOF
	start_supd
	wait_probe m
	ctl exec m mount -t tmpfs inside /mnt
	ctl exec m grep -q ' /mnt ' /proc/self/mountinfo
	refute grep -q "$ROOTFS/mnt" /proc/self/mountinfo
	refute grep -q ' inside ' /proc/self/mountinfo
	mount -t tmpfs outside "$V/hostmnt"
	run ctl exec m cat /proc/self/mountinfo
	umount "$V/hostmnt"
	[ "$status" -eq 0 ]
	! echo "$output" | grep -q outside
}

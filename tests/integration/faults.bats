#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# faults.bats: real faults against the real supd ("Make isolation a
# boundary"): the log's disk full, supd at its fd limit, a follower that
# stops reading, the wall clock set back and forth, a service that closes its
# stdout, a `supctl exec` killed mid-stream, a stop that lands before a
# start's exec. Each test waits on conditions with deadlines and failed once
# against a supd broken on purpose.
#
# Related tests elsewhere, not repeated here: logs.bats ("when_full = drop:
# the service is not blocked, the loss is counted exactly", "when_full =
# block: the writer waits while the disk is full") for a [log] file on a
# full disk, control.bats ("at RLIMIT_NOFILE supd does not spin", "a log
# follower that stops reading is dropped") for clients alone.
#
# Files a service and the test both touch live in $H, under /var/tmp: a
# service gets a private /tmp.

bats_require_minimum_version 1.5.0
load common

SEQ=$HELPERS/lg_seq
CS=$HELPERS/cs_client

setup_file() {
	local top
	top=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	if [ ! -x "$SEQ" ] || [ ! -x "$CS" ]; then
		mkdir -p "$B/helpers"
		make -s -C "$top" B="$B" "$SEQ" "$CS" >&2
	fi
	[ -x "$SEQ" ] && [ -x "$CS" ]
}

setup() {
	setup_supd
	H=$(mktemp -d /var/tmp/supd-faults.XXXXXX)
	chmod 0755 "$H"
	cp "$HELPERS/lg_seq" "$H/"
	SEQ=$H/lg_seq
	SMALL=
	CLOCK_NET=0
	BG=
}

teardown() {
	local p rc=0
	# First of all: the machine's clock, if a test moved it.
	[ "$CLOCK_NET" = 0 ] || clock_shift $((-CLOCK_NET))
	[ -n "${BATS_TEST_COMPLETED:-}" ] || dump_supd
	for p in $BG; do
		kill -KILL "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [ -n "$SMALL" ]; then
		# supd holds files on the small file system: stop it first
		# (teardown_supd checks its exit status and sanitizer reports).
		end_supd
		umount "$SMALL" 2>/dev/null || umount -l "$SMALL"
	fi
	teardown_supd || rc=1
	pkill -KILL -f "$H/" 2>/dev/null || true
	rm -rf "$H"
	return $rc
}

# ---- helpers -----------------------------------------------------------------

supd_alive() {
	local st
	st=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$SUPD_PID/status" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

nfds() {
	ls "/proc/$SUPD_PID/fd" | wc -l
}

_fds_are() {
	[ "$(nfds)" -eq "$1" ]
}

_fds_at_most() {
	[ "$(nfds)" -le "$1" ]
}

_fds_at_least() {
	[ "$(nfds)" -ge "$1" ]
}

rss_kb() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$SUPD_PID/status"
}

# utime + stime of supd, in clock ticks (comm is "(supd)": no spaces).
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$SUPD_PID/stat"
}

# spin_check SECS: supd's CPU time over a window of SECS seconds (a
# measuring window, not a wait) stays under a tenth of it.
spin_check() {
	local hz c0 c1
	hz=$(getconf CLK_TCK)
	c0=$(cpu_ticks)
	sleep "$1"
	c1=$(cpu_ticks)
	echo "# supd CPU over $1 s: $((c1 - c0)) ticks (CLK_TCK $hz)"
	[ $((c1 - c0)) -le $((hz * $1 / 10)) ]
}

# The log files of a service in DIR, oldest first.
log_files() {
	local base=$2/$1.log f
	for f in "$base".*; do
		[ -e "$f" ] || continue
		case ${f##*.log.} in
		*[!0-9]*) continue ;;
		esac
		echo "${f##*.log.} $f"
	done | sort -rn | cut -d' ' -f2-
	[ ! -e "$base" ] || echo "$base"
}

cat_logs() {
	local files
	files=$(log_files "$@")
	[ -z "$files" ] || cat $files
}

# check_seq FIRST LAST LEN < lines: lg_seq lines of LEN bytes (newline
# included), numbered FIRST..LAST in order, each exactly once.
check_seq() {
	awk -v first="$1" -v last="$2" -v len=$(($3 - 1)) '
	BEGIN { want = first }
	{
		e = "seq=" want " "
		if (substr($0, 1, length(e)) != e || length($0) != len ||
		    substr($0, length(e) + 1) !~ /^x+$/) {
			printf "line %d: expected seq=%d, got: %.70s\n", NR, want, $0
			bad = 1
			exit 1
		}
		want++
	}
	END {
		if (bad)
			exit 1
		if (want != last + 1) {
			printf "got %d lines (seq %d..%d), expected seq %d..%d\n", \
			    NR, first, want - 1, first, last
			exit 1
		}
	}'
}

last_seq() {
	tail -n 1 "$1" 2>/dev/null | sed -n 's/^seq=\([0-9]*\) x*$/\1/p'
}

_last_seq_is() {
	[ "$(last_seq "$1")" = "$2" ]
}

# (lg_seq writes its heartbeat after each write: the log may be one ahead.)
_last_seq_at_least() {
	local v
	v=$(last_seq "$1")
	[ -n "$v" ] && [ "$v" -ge "$2" ]
}

# lg_seq's heartbeat: the last seq written, or "done N".
hb() {
	local v
	v=$(cat "$1" 2>/dev/null)
	echo "${v#done }"
}

_hb_at_least() {
	local v
	v=$(hb "$1")
	[ -n "$v" ] && [ "$v" -ge "$2" ]
}

_hb_done() {
	grep -q '^done' "$1" 2>/dev/null
}

# The writer has not moved for half a second (a check, not a wait: it is
# retried by wait_for until true).
_writer_stalled() {
	local a
	a=$(hb "$1")
	[ -n "$a" ] || return 1
	sleep 0.5
	[ "$a" = "$(hb "$1")" ] && ! _hb_done "$1"
}

# small_fs SIZE FREE: a tmpfs of SIZE on $T/small, filled by $SMALL/ballast
# but for FREE bytes.
small_fs() {
	SMALL=$T/small
	mkdir -p "$SMALL"
	mount -t tmpfs -o "size=$1" tmpfs "$SMALL"
	dd if=/dev/zero of="$SMALL/ballast" bs=4k 2>/dev/null || true
	truncate -s "-$2" "$SMALL/ballast"
}

# Point log_dir at DIR.
log_dir_is() {
	sed -i "s|^log_dir = .*|log_dir = $1|" "$T/supd.conf"
}

# clock_shift SECS: move the machine's wall clock (CLOCK_REALTIME) by SECS,
# negative = back, keeping the net shift in CLOCK_NET so that teardown puts
# it back whatever happened. A relative step each way restores it to within
# microseconds; nothing here may be skipped for lack of the right to do it.
clock_shift() {
	python3 -c '
import sys, time
time.clock_settime(time.CLOCK_REALTIME,
    time.clock_gettime(time.CLOCK_REALTIME) + float(sys.argv[1]))' "$1" ||
		{ echo "cannot set the clock (CAP_SYS_TIME?)"; return 1; }
	CLOCK_NET=$((CLOCK_NET + $1))
}

# until_mono MS: wait until mono_ms reaches MS (a point in time, not a
# condition: it is how long a window lasts).
until_mono() {
	while [ "$(mono_ms)" -lt "$1" ]; do
		sleep 0.01
	done
}

# ---- 1. the log's disk full --------------------------------------------------

@test "log_dir on a full tmpfs, when_full = block: the writer waits, supd idles, and after a remount every line is there once, in order, across rotations" {
	small_fs 256k 16k
	log_dir_is "$SMALL"
	svc w <<EOF
[service]
command = $SEQ -n 8000 -c 4096 -H $H/hb
restart = no
[log]
max_size = 64K
max_files = 100
when_full = block
EOF
	start_supd
	wait_for "the writer to block" _writer_stalled "$H/hb"
	local stuck
	stuck=$(hb "$H/hb")
	echo "# writer stuck at seq $stuck of 8000"
	[ "$stuck" -lt 8000 ]
	# Blocked, supd idles (one retry a second) and answers.
	spin_check 2
	[ "$(state w)" = running ]
	[ "$(hb "$H/hb")" = "$stuck" ]
	grep -q "w: log $SMALL/w.log: No space left on device" "$T/supd.err"

	# Space comes back: the file system grows.
	mount -o remount,size=4m "$SMALL"
	wait_state w exited
	[ "$(field w exit_code)" = 0 ]
	wait_for "the last line in the log" _last_seq_is "$SMALL/w.log" 8000
	cat_logs w "$SMALL" | check_seq 1 8000 100
	grep -q "w: log $SMALL/w.log writable again" "$T/supd.err"
	# Rotated at line ends, each file at most max_size.
	local f n=0
	for f in $(log_files w "$SMALL"); do
		n=$((n + 1))
		[ "$(stat -c %s "$f")" -le 65536 ]
		[ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ]
	done
	echo "# $n files"
	[ "$n" -ge 12 ]
}

# The log of a drop-mode writer, oldest file first, read as lines: every
# complete line is numbered one after the other, except where a marker
# "supd: dropped N bytes" stands, and there N is exactly the bytes of the
# lines missing between the complete lines around it, less the start of a
# line cut by the full disk (kept, ended by the newline opening the marker).
check_drops() {
	awk -v len="$1" '
	function bad(m) { printf "line %d: %s: %.70s\n", NR, m, $0; err = 1; exit 1 }
	/^supd: dropped [0-9]+ bytes \(log not writable\)$/ {
		credit += $3
		markers++
		next
	}
	length($0) == len - 1 && /^seq=[0-9]+ x+$/ {
		s = substr($0, 5) + 0
		missing = (s - last - 1) * len - partial
		if (missing != credit)
			bad(sprintf("seq %d after %d: %d bytes missing, %d reported", s, last, missing, credit))
		lost += missing
		last = s
		credit = partial = 0
		next
	}
	{
		# The start of a line cut short: only right before a marker.
		if (partial || length($0) >= len - 1 ||
		    $0 !~ /^(s|se|seq|seq=[0-9]*|seq=[0-9]+ x*)$/)
			bad("not a line of the writer")
		partial = length($0)
	}
	END {
		if (err)
			exit 1
		if (credit || partial) {
			printf "a marker or a cut line after the last line (seq %d)\n", last
			exit 1
		}
		printf "# %d markers, last seq %d, %d bytes lost and reported\n", markers, last, lost
		print last
	}'
}

@test "log_dir on a tmpfs filled by another file, when_full = drop: the writer runs on; once the file is deleted, each gap is exactly what its marker counts" {
	small_fs 256k 32k
	log_dir_is "$SMALL"
	svc d <<EOF
[service]
command = $SEQ -n 20000 -c 65536 -H $H/hb -k 20
restart = no
[log]
max_size = 64K
max_files = 100
when_full = drop
EOF
	start_supd
	# 2 MB through a log with 32K free: only possible by dropping.
	wait_for "the writer through its 2 MB" _hb_at_least "$H/hb" 20000
	[ "$(state d)" = running ]
	run ! grep -q 'supd: dropped' "$SMALL"/d.log*

	rm "$SMALL/ballast"
	wait_for "the drop marker" grep -q 'supd: dropped' "$SMALL/d.log"
	local then
	then=$(hb "$H/hb")
	wait_for "lines after the marker" _hb_at_least "$H/hb" $((then + 20))
	ctl stop d
	then=$(hb "$H/hb")
	wait_for "the writer's last line in the log" _last_seq_at_least "$SMALL/d.log" "$then"
	grep -h 'supd: dropped' $(log_files d "$SMALL")
	run check_drops 100 < <(cat_logs d "$SMALL")
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" -ge "$then" ]
}

# ---- 2. supd at its fd limit -------------------------------------------------

# Every line of supd's log about service $1 failing to start for lack of
# file descriptors, with the delay it chose.
_fd_failures() {
	grep -E "supd: $1: (cannot start: .*Too many open files|failed to start; restarting in)" "$T/supd.err"
}

# Services $@ all running.
_all_running() {
	local n
	for n in "$@"; do
		[ "$(state "$n")" = running ] || return 1
	done
}

@test "at its fd limit supd fails starts with a reason and backs off, refuses clients saying why, never spins, and recovers when fds come back" {
	local i pids p base f
	for i in 1 2 3 4 5 6 7 8; do
		svc "s$i" <<EOF
[service]
command = sleep 1000
restart = always
restart_delay = 100ms
restart_delay_max = 500ms
EOF
	done
	SUPD_WRAP="prlimit --nofile=64:64" start_supd 3>&-
	wait_for "8 running" _all_running s1 s2 s3 s4 s5 s6 s7 s8
	base=$(nfds)
	echo "# supd holds $base fds of 64"
	pids=$(ctl --json status s1 s2 s3 | jq -r '.[].pid')

	# Clients take every fd left; those beyond are taken and dropped.
	"$CS" -n 100 "$SOCK" ready "$T/r" hold >"$T/hold.out" 2>&1 3>&- &
	p=$!
	BG=$p
	wait_for "100 clients connected" test -e "$T/r"
	wait_for --show nfds "supd at its limit" _fds_at_least 63
	# Two new services while at the limit (their log pipes cannot be
	# made; n1 waits an hour before it tries again), and three running
	# ones lose their process.
	svc n1 <<EOF
[service]
command = sleep 1000
restart = always
restart_delay = 1h
EOF
	svc n2 <<EOF
[service]
command = sleep 1000
restart = always
restart_delay = 100ms
restart_delay_max = 500ms
EOF
	kill -HUP "$SUPD_PID"
	wait_for "the reload" grep -q "reloading" "$T/supd.err"
	kill -KILL $pids
	# What cannot start says why and waits longer each time (the first
	# restart may take the fds the others freed).
	wait_for "a killed service backing off to 500 ms" \
		grep -qE "s[123]: failed to start; restarting in 500 ms" "$T/supd.err"
	f=$(grep -oE "s[123]: failed to start; restarting in 500 ms" "$T/supd.err" |
		head -n 1 | cut -d: -f1)
	wait_for "n2 backing off to 500 ms" grep -q "n2: failed to start; restarting in 500 ms" "$T/supd.err"
	_fd_failures "$f" | head -n 8
	_fd_failures n2 | head -n 4
	[ "$(_fd_failures "$f" | grep -c 'cannot start')" -ge 3 ]
	grep -q "n2: cannot start: log pipe: Too many open files" "$T/supd.err"
	grep -q "n1: failed to start; restarting in 3600000 ms" "$T/supd.err"
	spin_check 2
	supd_alive
	# A client is served or refused at once, never left hanging; refused,
	# it is told why, and it is not taken for a service.
	for i in 1 2 3 4 5; do
		run timeout 5 "$SUPCTL" -s "$SOCK" status
		echo "# status at the limit: $status: ${lines[-1]}"
		[ "$status" -eq 0 ] || [ "$status" -eq 1 ] || [ "$status" -eq 3 ]
		[ "$status" -ne 1 ] || [[ "$output" == *"file descriptors"* ]]
	done
	run ! grep -q "a process inside a service" "$T/supd.err"

	# The clients leave: everything starts again, the new n2 too; n1
	# shows why it waits, and starts when asked.
	kill -TERM "$p"
	wait "$p" || true
	BG=
	wait_for "9 running" _all_running s1 s2 s3 s4 s5 s6 s7 s8 n2
	ctl status
	[ "$(state n1)" = backoff ]
	[ "$(field n1 reason)" = "log pipe: Too many open files" ]
	ctl start n1
	[ "$(state n1)" = running ]
	# What each service holds at rest, nothing more.
	wait_for --show nfds "fds back to $base + the two new services" \
		_fds_at_most $((base + 8))
	base=$(nfds)
	for i in $(seq 20); do ctl status >/dev/null; done
	[ "$(nfds)" -eq "$base" ]
	spin_check 1
}

# ---- 3. a follower stopped with SIGSTOP -----------------------------------

_lines_at_least() {
	[ "$(wc -l <"$1")" -ge "$2" ]
}

@test "a logs -f client stopped with SIGSTOP slows nobody: another follower and status keep up, the stopped one is dropped at 1 MiB, and so is a second; supd's fds and RSS come back" {
	# 2000-byte lines, one a millisecond at most: ~2 MB/s.
	svc fast <<EOF
[service]
command = $SEQ -n 0 -L 2000 -k 1 -H $H/hb
[log]
max_size = 4M
max_files = 3
EOF
	start_supd
	wait_state fast running
	wait_for "the writer writing" _hb_at_least "$H/hb" 100
	local base rss0 rss1 a stopped stopped2 t0 t1 max=0 n0 i last first
	base=$(nfds)
	rss0=$(rss_kb)
	"$SUPCTL" -s "$SOCK" logs -f -n 0 fast >"$T/good.out" 2>"$T/good.err" 3>&- &
	a=$!
	"$SUPCTL" -s "$SOCK" logs -f -n 0 fast >/dev/null 2>&1 3>&- &
	stopped=$!
	BG="$a $stopped"
	wait_for --show nfds "two followers connected" _fds_are $((base + 2))
	wait_for "the good follower's first lines" _lines_at_least "$T/good.out" 10
	kill -STOP "$stopped"
	n0=$(wc -l <"$T/good.out")
	# Meanwhile status answers at once, again and again.
	for i in $(seq 30); do
		t0=$("$MONO_NS")
		ctl status >/dev/null
		t1=$(( ($("$MONO_NS") - t0) / 1000000 ))
		[ "$t1" -le "$max" ] || max=$t1
	done
	echo "# slowest status while the stopped follower fills: $max ms"
	[ "$max" -lt 1000 ]
	# Dropped by its 1 MiB cap, well before the 10 s write timeout.
	WAIT_SECS=8 wait_for --show nfds "the stopped follower dropped (base $base)" \
		_fds_are $((base + 1))
	grep -q "a log follower or attached client that does not read was dropped" "$T/supd.err"
	# A second one after it: its 1 MiB goes back to the system too (with
	# glibc's dynamic mmap threshold, it would stay in supd's heap).
	"$SUPCTL" -s "$SOCK" logs -f -n 0 fast >/dev/null 2>&1 3>&- &
	stopped2=$!
	BG="$a $stopped $stopped2"
	wait_for --show nfds "the second one connected" _fds_are $((base + 2))
	kill -STOP "$stopped2"
	WAIT_SECS=8 wait_for --show nfds "the second stopped follower dropped" _fds_are $((base + 1))
	rss1=$(rss_kb)
	echo "# RSS ${rss0} kB before, ${rss1} kB after"
	[ -n "${SUPD_ASAN:-}" ] || [ "$rss1" -le $((rss0 + 512)) ]
	# The good one kept following: 4 MB more at least.
	wait_for "the good follower 2000 lines on" _lines_at_least "$T/good.out" $((n0 + 2000))
	ctl stop fast
	last=$(hb "$H/hb")
	wait_for "the good follower to the last line ($last)" _last_seq_at_least "$T/good.out" "$last"
	last=$(last_seq "$T/good.out")
	first=$(head -n 1 "$T/good.out" | sed -n 's/^seq=\([0-9]*\) .*/\1/p')
	echo "# the good follower saw seq $first..$last"
	check_seq "$first" "$last" 2000 <"$T/good.out"
	# The good one leaves too: its fd goes (the service's own went with
	# its stop).
	base=$(nfds)
	kill -KILL "$a" "$stopped" "$stopped2"
	wait "$a" "$stopped" "$stopped2" 2>/dev/null || true
	BG=
	wait_for --show nfds "fds back to $((base - 1))" _fds_are $((base - 1))
	supd_alive
}

# ---- 4. the wall clock set back and forth ---------------------------------

# The start times (/proc/uptime, ms) a service writes to $H/starts.
_starts_are() {
	[ "$(wc -l <"$H/starts" 2>/dev/null)" -ge "$1" ]
}

last_start_ms() {
	tail -n 1 "$H/starts" | awk '{ split($1, a, "."); print a[1] * 1000 + a[2] * 10 }'
}

# uptime_ms of service u at the same instant as mono_ms: "UPTIME MONO".
uptime_now() {
	local u m
	u=$(field u uptime_ms)
	m=$(mono_ms)
	echo "$u $m"
}

# The uptime grew as the monotonic clock did, within 500 ms.
uptime_follows() {
	local d
	d=$(( ($3 - $1) - ($4 - $2) ))
	echo "# uptime moved $(($3 - $1)) ms while $(($4 - $2)) ms passed"
	[ "${d#-}" -le 500 ]
}

@test "the wall clock set +1h and -1h: a 2 s restart_delay still waits 2 s, uptime in status moves with real time" {
	svc r <<EOF
[service]
command = sh -c 'cat /proc/uptime >>$H/starts; exec sleep 1000'
restart = always
restart_delay = 2s
restart_delay_max = 2s
EOF
	svc u <<EOF
[service]
command = sleep 1000
EOF
	start_supd
	wait_state r running
	wait_state u running
	wait_for "r's first start" _starts_are 1
	local k t0 took u0 m0 u1 m1
	read -r u0 m0 <<<"$(uptime_now)"

	# +1h, half a second into the backoff, for half a second.
	t0=$(mono_ms)
	kill -KILL "$(field r pid)"
	until_mono $((t0 + 500))
	clock_shift 3600
	read -r u1 m1 <<<"$(uptime_now)"
	until_mono $((t0 + 1000))
	clock_shift -3600
	uptime_follows "$u0" "$m0" "$u1" "$m1"
	wait_for "r restarted" _starts_are 2
	took=$(($(last_start_ms) - t0))
	echo "# restart after the jump forward: $took ms"
	[ "$took" -ge 1900 ]
	[ "$took" -le 3500 ]

	# -1h, half a second into the backoff, until the restart.
	wait_state r running
	t0=$(mono_ms)
	kill -KILL "$(field r pid)"
	until_mono $((t0 + 500))
	clock_shift -3600
	wait_for "r restarted" _starts_are 3
	read -r u1 m1 <<<"$(uptime_now)"
	clock_shift 3600
	took=$(($(last_start_ms) - t0))
	echo "# restart after the jump back: $took ms"
	[ "$took" -ge 1900 ]
	[ "$took" -le 3500 ]
	uptime_follows "$u0" "$m0" "$u1" "$m1"
	[ "$(field r restarts)" = 2 ]
	supd_alive
}

# A client supd refuses (not root, not in socket_group), to make it warn.
refused_client() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$SUPCTL" -s "$SOCK" status >/dev/null 2>&1 || true
}

_warnings_are() {
	[ "$(grep -c "control: refused uid 65534" "$T/supd.err")" -ge "$1" ]
}

# A fresh w.log, d's drop marker, the second refusal logged.
_back_after_jump() {
	grep -q tick "$T/log/w.log" && grep -q "supd: dropped" "$SMALL/d.log" &&
		_warnings_are 2
}

@test "the wall clock set back 1h: a removed log file is still reopened within a second, a dropping log resumes once space returns, warnings are not silenced" {
	small_fs 256k 16k
	chmod 755 "$T"
	sed -i 's|^socket = .*|&\nsocket_mode = 0666|' "$T/supd.conf"
	chmod 755 "$T/run"
	svc w <<EOF
[service]
command = sh -c 'i=0; while :; do i=\$((i+1)); echo "tick \$i"; sleep 0.05; done'
EOF
	svc d <<EOF
[service]
command = $SEQ -n 3000 -c 65536 -H $H/hb -k 20
[log]
file = $SMALL/d.log
when_full = drop
EOF
	start_supd
	wait_for "w's log" grep -q "tick 3" "$T/log/w.log"
	wait_for "d's writer through 300K into 16K" _hb_at_least "$H/hb" 3000
	refused_client
	wait_for "the first refusal logged" _warnings_are 1
	local t0
	t0=$(mono_ms)

	clock_shift -3600
	rm "$T/log/w.log"
	rm "$SMALL/ballast"
	until_mono $((t0 + 1100))
	refused_client
	WAIT_SECS=3 wait_for "all three" _back_after_jump || true
	clock_shift 3600
	local bad=0
	grep -q tick "$T/log/w.log" || { echo "w.log was not reopened"; bad=1; }
	grep -q "supd: dropped" "$SMALL/d.log" || { echo "d's log still drops"; bad=1; }
	_warnings_are 2 || { echo "the second refusal was not logged"; bad=1; }
	[ "$bad" = 0 ]
	supd_alive
}

# ---- 5. a service that closes its stdout -------------------------------------

@test "a service that closes its stdout early (and one that closes both) keeps running, its stderr is logged, nothing spins" {
	svc m <<EOF
[service]
command = sh -c 'echo before; exec >&-; i=0; while :; do i=\$((i+1)); echo "err \$i" >&2; sleep 0.05; done'
EOF
	svc s <<EOF
[service]
command = sh -c 'echo before; exec >&-; i=0; while :; do i=\$((i+1)); echo "err \$i" >&2; sleep 0.05; done'
[log]
stderr = separate
EOF
	svc b <<EOF
[service]
command = sh -c 'echo before; exec >&- 2>&-; exec sleep 1000'
[log]
stderr = separate
EOF
	svc p <<EOF
[service]
command = sh -c 'echo before; exec >&- 2>&-; exec sleep 1000'
[isolation]
namespaces = none
EOF
	start_supd
	local n pid0=
	for n in m s b p; do
		wait_state "$n" running
		pid0="$pid0 $(field "$n" pid)"
	done
	wait_for "m's stderr" grep -q "err 20" "$T/log/m.log"
	wait_for "s's stderr" grep -q "err 20" "$T/log/s.err.log"
	for n in m s b p; do
		wait_for "$n's first line" grep -qx before "$T/log/$n.log"
	done
	spin_check 2
	# Still the same processes, still writing.
	local pid1=
	for n in m s b p; do
		pid1="$pid1 $(field "$n" pid)"
	done
	[ "$pid0" = "$pid1" ]
	wait_for "s's stderr goes on" grep -q "err 60" "$T/log/s.err.log"
	[ "$(grep -c . "$T/log/s.log")" = 1 ]
	run ! grep -E "read output|: log " "$T/supd.err"
	ctl stop m s b p
	[ "$(field m exit_signal)" = null ] || [ "$(field m exit_signal)" = SIGTERM ]
}

# ---- 6. supctl exec killed mid-stream ---------------------------------------

_exec_gone() {
	! pgrep -f "^sh $H/x.sh" >/dev/null
}

@test "kill -9 of a supctl exec mid-stream: the command gets SIGTERM, then SIGKILL 2 s later; nothing is left, supd's fds come back, status works" {
	svc s <<EOF
[service]
command = sleep 1000
EOF
	# Streams lines, notes SIGTERM and carries on (as does a broken pipe).
	cat >"$H/x.sh" <<EOF
trap 'cat /proc/uptime >$H/term' TERM
trap '' PIPE
i=0
while :; do i=\$((i+1)); echo "line \$i"; sleep 0.01; done
EOF
	start_supd
	wait_state s running
	ctl status >/dev/null
	local base x t0 term gone
	base=$(nfds)
	"$SUPCTL" -s "$SOCK" exec s sh "$H/x.sh" >"$T/x.out" 2>&1 3>&- &
	x=$!
	BG=$x
	wait_for "the stream" grep -q "line 50" "$T/x.out"
	pgrep -f "^sh $H/x.sh" >/dev/null
	[ "$(nfds)" -gt "$base" ]
	kill -KILL "$x"
	t0=$(mono_ms)
	wait "$x" 2>/dev/null || true
	BG=
	wait_for "the command's SIGTERM" test -s "$H/term"
	term=$(awk '{ split($1, a, "."); print a[1] * 1000 + a[2] * 10 }' "$H/term")
	wait_for "no process of the exec left" _exec_gone
	gone=$(mono_ms)
	echo "# SIGTERM $((term - t0)) ms after the kill, gone $((gone - term)) ms after it"
	[ $((term - t0)) -le 1000 ]
	[ $((gone - term)) -ge 1500 ]
	[ $((gone - term)) -le 4000 ]
	wait_for --show nfds "supd's fds back to $base" _fds_are "$base"
	ctl status
	[ "$(state s)" = running ]
	supd_alive
}

# ---- 7. a stop before a start's exec (found by the soak) ---------------------

_traced() {
	[ "$(awk '/^TracerPid:/ { print $2 }' "/proc/$SUPD_PID/status")" != 0 ]
}

# (Asking for status each time keeps supd busy, so that what happens at the
# end of the held run comes in one of its delayed polls.)
_stops_are() {
	ctl status >/dev/null
	[ "$(grep -c "supd: s: stopped" "$T/supd.err")" -ge "$1" ]
}

@test "a stop that lands before a start's exec, then a start at once: nothing of the old run is left to spin on (found by the soak)" {
	svc s <<EOF
[service]
command = sleep 1000
EOF
	# Forked spawns only: a lone one (vfork) holds supd until its exec,
	# so no stop can land before it -- and a status asked meanwhile is
	# answered after the exec, when the start may be over (seen under
	# ASan on a loaded machine).
	SUPD=$B/supd-faults SUPD_TEST_SPAWN=fork start_supd
	wait_state s running
	ctl status >/dev/null
	local base st
	base=$(nfds)
	# strace holds the command's execve for a second (its start stays
	# before exec, the report pipe open) and each of supd's polls for
	# 100 ms (the end of that run and its report then come in one batch,
	# the exit first).
	strace -f -qq -o /dev/null -e trace=execve,epoll_wait \
		-e inject=execve:delay_enter=1000000 \
		-e inject=epoll_wait:delay_enter=100000 -p "$SUPD_PID" 3>&- &
	st=$!
	BG=$st
	wait_for "strace attached" _traced
	ctl restart --no-wait s
	wait_for "s starting, before its exec" _state_is s starting
	# Stopped there, and started again as soon as it is down.
	ctl restart --no-wait s
	WAIT_SECS=20 wait_for "the second stop" _stops_are 2
	# KILL, not TERM: strace detaching on TERM waits for each tracee to
	# stop, and an init waiting in vfork for the command strace holds
	# before its exec never does (docs/design.md, "Init").
	kill -KILL "$st"
	wait "$st" 2>/dev/null || true
	BG=
	wait_state s running
	spin_check 1
	run ! grep "unexpected event" "$T/supd.err"
	wait_for --show nfds "supd's fds back to $base" _fds_are "$base"
	ctl status
}

#!/bin/bash
# SPDX-License-Identifier: ISC
# soak.sh [BUILD_DIR]: supd under a long storm (not in CI, not in run-all.sh:
# 10 minutes by default, $SOAK_SECS to change). One supd runs:
#
#   - 200 services `sleep infinity` (s001..s200, default isolation);
#   - 2 writers (w1, w2): bench/seqlines writing 10 MB/s each ($SOAK_RATE)
#     of 100-byte numbered lines, [log] max_size = 1M, so each rotates ten
#     times a second;
#
# and, for a warm-up of $SOAK_WARMUP s (60) and then for $SOAK_SECS (600):
#
#   - a kill -9 storm: $SOAK_KILLS (10) a second, each to the command of a
#     random s* service (its pid from `supctl --json status`, checked to be
#     `sleep infinity` under supd's own child just before the kill);
#   - `supctl reload` every 5 s, each after changing the value of the env
#     line of one random s* service (so one service is restarted by each
#     reload);
#   - 50 clients ($SOAK_CLIENTS) looping `supctl status` (each call timed),
#     `supctl inspect` of a random service, `supctl logs -n 20` of a random
#     writer or service, then a pause of $SOAK_PAUSE s (0.5);
#   - 5 `supctl logs -f` followers of the writers (one that supd drops for
#     not keeping up reconnects; the reconnections are counted).
#
# The load makers (the writers, the clients' loops and their inspect and
# logs calls, the followers) run at nice $SOAK_NICE (10); the kill storm,
# the reloads and the timed calls at nice 0; supd itself at nice
# $SOAK_SUPD_NICE (-10), as a control plane is run on a machine its
# services saturate (its services start at nice 0 all the same: supd sets
# SCHED_RESET_ON_FORK). Beside each timed `supctl status`, a `supctl
# --version` is timed (a process's start-up alone) and status_probe, at
# nice 0, asks supd for status every 100 ms without starting a process
# (supd's own answer time: the figure the latency bar is checked on; the
# timed `supctl status` includes a process start, which on 2 cores under
# this storm takes tens of ms whatever the supervisor).
#
# Rotated log files are taken away (renamed, scanned, deleted) as they
# appear by `seqlines claim`, so the disk holds a few MB whatever the
# length; every file of a writer's log is scanned, and at the end the
# numbered runs of all of them, sorted, must cover 1..LAST (the writer's
# last line, written by itself on SIGTERM) exactly once. The most rotated
# files ever seen waiting is reported: at max_files (1000), supd's
# retention would have deleted files before they were checked.
#
# After the warm-up and after the soak, the storm stops and supd settles
# (every service running again, then 2 s); supd's RSS and fd count are taken
# then ("start" and "end"; the RSS right after the first start is reported
# as "cold"). Results: RSS and fds start/end, zombies (state Z among supd's
# descendants) at the end and the most seen in a sample during the storm,
# lines lost / duplicated / malformed per writer, supd restarts (its pid
# alive throughout, never replaced), `supctl status` latency (p50, p99, max
# over every call the clients made during the soak proper), the load
# average, and counts of what the storm did. Bars: RSS growth <= 1 %, fds
# back to start, 0 zombies, 0 lines lost or duplicated, p99 of supd's
# answer to status <= 10 ms.
. "$(dirname "$0")/common.sh"
bench_init "$@"
SOAK_SECS=${SOAK_SECS:-600}
SOAK_WARMUP=${SOAK_WARMUP:-60}
SOAK_KILLS=${SOAK_KILLS:-10}
SOAK_CLIENTS=${SOAK_CLIENTS:-50}
SOAK_FOLLOWERS=${SOAK_FOLLOWERS:-5}
SOAK_PAUSE=${SOAK_PAUSE:-0.5}
SOAK_RATE=${SOAK_RATE:-10485760}
SOAK_NICE=${SOAK_NICE:-10}
SOAK_SUPD_NICE=${SOAK_SUPD_NICE:--10}
BENCH_SUPD_WRAP="nice -n $SOAK_SUPD_NICE"
N=200
SOCK=$T/run/supd.sock
BENCH_PIDS=

bench_cc seqlines
bench_cc status_probe
# Each with an env line from the start: the reloads change its value, never
# the size of a definition, so that supd's memory has no reason to grow.
for i in $(seq -f %03g 1 "$N"); do
	printf '[service]\ncommand = sleep infinity\nenv = SOAK_GEN=000000\n' >"$T/conf.d/s$i.ini"
done
for w in w1 w2; do
	svc "$w" <<EOF
[service]
command = nice -n $SOAK_NICE $BIN/seqlines write $SOAK_RATE $T/$w.last
stop_timeout = 30s

[log]
max_size = 1M
max_files = 1000
$(iso_visible_tmp)
EOF
done
mkdir -p "$T/lat" "$T/runs"
# Loops nap by reading a FIFO nobody writes (read -t): no sleep process.
mkfifo "$T/nap"

# ---- measurements ------------------------------------------------------------

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$SUPD_PID/status"; }
nfds() { ls "/proc/$SUPD_PID/fd" | wc -l; }
# Without the writers' open log files, which a rotation closes and the next
# write opens: the count that must come back.
nfds_held() {
	ls -l "/proc/$SUPD_PID/fd" | awk -v w="-> $T/log/w" 'index($0, "-> ") && !index($0, w)' | wc -l
}
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# glibc's bytes in use on supd's heap (malloc_stats, called through gdb,
# which stops supd for a moment); empty without gdb. Unlike the RSS, it
# does not count what the allocator keeps after a burst -- but it does
# count glibc's per-thread cache (tcache: up to 7 freed chunks of each size
# up to 1 KiB), which fills slowly as more sizes are used: a growth of some
# tens of KB is that, unless it also shows with
# GLIBC_TUNABLES=glibc.malloc.tcache_count=0 in supd's environment.
heap_in_use() {
	local n
	command -v gdb >/dev/null || return 0
	n=$(wc -l <"$T/supd.err")
	# fd 2 (the shell's, not supd's own O_APPEND log fd) made O_APPEND
	# first, so the stats land at the end of supd.err.
	gdb -p "$SUPD_PID" -batch -ex 'call (int)fcntl(2, 4, 02000)' \
		-ex 'call (void)malloc_stats()' >/dev/null 2>&1 || return 0
	tail -n +$((n + 1)) "$T/supd.err" | awk '/^in use bytes/ { v = $NF } END { print v }'
}
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SUPD_PID/stat"; }

# Processes in state Z among supd's descendants.
zombies() {
	descendants "$SUPD_PID" | awk '$3 == "Z" { z++ } END { print z + 0 }'
}

supd_alive() {
	kill -0 "$SUPD_PID" 2>/dev/null &&
		[ "$(starttime "$SUPD_PID")" = "$SUPD_START" ]
}

all_running() {
	wait_count running $((N + 2)) "${1:-90}"
}

# ---- the storm ---------------------------------------------------------------

# Is pid the command of one of our services: `sleep infinity` whose parent
# (the service's init) is supd's child? (Builtins only: no fork.)
ours() {
	local -a a
	local s
	mapfile -d '' -t a 2>/dev/null <"/proc/$1/cmdline" || return 1
	[ "${#a[@]}" = 2 ] && [ "${a[0]}" = sleep ] && [ "${a[1]}" = infinity ] ||
		return 1
	read -r s 2>/dev/null <"/proc/$1/stat" || return 1
	s=${s##*) }
	set -- $s
	read -r s 2>/dev/null <"/proc/$2/stat" || return 1
	s=${s##*) }
	set -- $s
	[ "$2" = "$SUPD_PID" ]
}

# Microseconds of the wall clock, without a fork.
now_us() {
	local t=$EPOCHREALTIME
	echo $((${t%.*} * 1000000 + 10#${t#*.}))
}

# nap FD US: wait US microseconds on the FIFO fd FD.
nap() {
	[ "$2" -gt 0 ] || return 0
	read -r -t "$(printf '%d.%06d' $(($2 / 1000000)) $(($2 % 1000000)))" -u "$1" _ || true
}

# $SOAK_KILLS a second, on a schedule (behind it by more than a second, it
# starts over rather than rush); the pids refreshed every second.
killer() {
	local pids=() n=0 p next refresh=0 now fd
	exec {fd}<>"$T/nap"
	next=$(now_us)
	while [ ! -e "$T/stop" ]; do
		now=$(now_us)
		if [ "$now" -ge "$refresh" ]; then
			mapfile -t pids < <(ctl --json status 2>/dev/null |
				jq -r '.[] | select((.name | startswith("s")) and .pid > 0) | .pid')
			refresh=$((now + 1000000))
		fi
		if [ "${#pids[@]}" -gt 0 ]; then
			p=${pids[RANDOM % ${#pids[@]}]}
			if ours "$p" && kill -KILL "$p" 2>/dev/null; then
				n=$((n + 1))
				echo "$n" >"$T/kills"
			fi
		fi
		next=$((next + 1000000 / SOAK_KILLS))
		now=$(now_us)
		[ $((now - next)) -lt 1000000 ] || next=$now
		nap "$fd" $((next - now))
	done
}

reloader() {
	local n=0 bad=0 gen=0 f fd
	exec {fd}<>"$T/nap"
	while [ ! -e "$T/stop" ]; do
		nap "$fd" 5000000
		gen=$((gen + 1))
		f=$T/conf.d/s$(printf %03d $((RANDOM % N + 1))).ini
		printf '[service]\ncommand = sleep infinity\nenv = SOAK_GEN=%06d\n' "$gen" >"$f.tmp"
		mv "$f.tmp" "$f"
		if ctl reload >/dev/null 2>&1; then n=$((n + 1)); else bad=$((bad + 1)); fi
		echo "$n $bad" >"$T/reloads"
	done
}

# One client: status (timed: start and end as EPOCHREALTIME, exit code),
# supctl --version (timed the same way: a process's start-up alone, under
# the same load), inspect, logs -n 20, a pause.
client() {
	local out=$T/lat/$1 ver=$T/lat/version.$1 t0 t1 rc name fd
	exec {fd}<>"$T/nap"
	renice -n "$SOAK_NICE" -p "$BASHPID" >/dev/null
	while [ ! -e "$T/stop" ]; do
		t0=$EPOCHREALTIME
		nice -n "-$SOAK_NICE" "$SUPCTL" -s "$SOCK" status >/dev/null 2>&1
		rc=$?
		t1=$EPOCHREALTIME
		echo "$t0 $t1 $rc" >>"$out"
		t0=$EPOCHREALTIME
		nice -n "-$SOAK_NICE" "$SUPCTL" --version >/dev/null 2>&1
		t1=$EPOCHREALTIME
		echo "$t0 $t1 0" >>"$ver"
		name=s$(printf %03d $((RANDOM % N + 1)))
		"$SUPCTL" -s "$SOCK" inspect "$name" >/dev/null 2>&1
		[ $((RANDOM % 2)) -eq 0 ] && name=w$((RANDOM % 2 + 1))
		"$SUPCTL" -s "$SOCK" logs -n 20 "$name" >/dev/null 2>&1
		read -r -t "$SOAK_PAUSE" -u "$fd" _ || true
	done
}

follower() {
	local n=0
	renice -n "$SOAK_NICE" -p "$BASHPID" >/dev/null
	while [ ! -e "$T/stop" ]; do
		"$SUPCTL" -s "$SOCK" logs -f -n 0 "w$(($1 % 2 + 1))" >/dev/null 2>&1 &
		echo $! >"$T/follower.$1.pid"
		wait $!
		[ ! -e "$T/stop" ] || break
		n=$((n + 1))
		echo "$n" >"$T/follower.$1.n"
	done
}

# Every 5 s: load average, supd's CPU (% of one core), zombies, RSS, fds,
# supd alive.
monitor() {
	local z c0 c1 hz fd
	exec {fd}<>"$T/nap"
	hz=$(getconf CLK_TCK)
	c0=$(cpu_ticks)
	while [ ! -e "$T/stop" ]; do
		nap "$fd" 5000000
		supd_alive || { echo "supd died" >>"$T/monitor"; return; }
		c1=$(cpu_ticks)
		z=$(zombies)
		echo "$(date +%s) $(loadavg) supd-cpu=$(((c1 - c0) * 100 / (5 * hz)))% zombies=$z rss=$(rss_kb) fds=$(nfds)" >>"$T/monitor"
		c0=$c1
	done
}

STORM_PIDS=
storm_start() {
	local i
	rm -f "$T/stop" "$T"/follower.*.n "$T/kills" "$T/reloads"
	killer & STORM_PIDS="$STORM_PIDS $!"
	reloader & STORM_PIDS="$STORM_PIDS $!"
	monitor & STORM_PIDS="$STORM_PIDS $!"
	for i in $(seq "$SOAK_CLIENTS"); do
		client "$1.$i" & STORM_PIDS="$STORM_PIDS $!"
	done
	for i in $(seq "$SOAK_FOLLOWERS"); do
		follower "$i" & STORM_PIDS="$STORM_PIDS $!"
	done
	"$BIN/status_probe" "$SOCK" 100 >"$T/probe.$1" &
	PROBE=$!
	BENCH_PIDS="$BENCH_PIDS $STORM_PIDS $PROBE"
}

storm_stop() {
	local p i
	: >"$T/stop"
	kill -TERM "$PROBE"
	wait "$PROBE"
	for i in $(seq "$SOAK_FOLLOWERS"); do
		[ -s "$T/follower.$i.pid" ] && kill -TERM "$(cat "$T/follower.$i.pid")" 2>/dev/null
	done
	for p in $STORM_PIDS; do
		wait "$p" 2>/dev/null
	done
	STORM_PIDS=
}

# Storm stopped: every service running again, then 2 s for the rest.
settle() {
	all_running 120 || note "not all running after the storm: $(ctl status | awk 'NR > 1 && $2 != "running"' | head -3)"
	sleep 2
}

# ---- the run -----------------------------------------------------------------

start_supd
SUPD_START=$(starttime "$SUPD_PID")
all_running 120 || die "the services did not all start"
sleep 2
LOAD0=$(loadavg)
RSS_COLD=$(rss_kb)
FDS_COLD=$(nfds_held)
HEAP_COLD=$(heap_in_use)
note "all $((N + 2)) running: supd pid $SUPD_PID, RSS $RSS_COLD kB, $FDS_COLD fds, load $LOAD0"
# Rotated files are taken away as they appear (seqlines claim: renamed,
# scanned, deleted), at nice 0: behind by max_files, supd's retention would
# delete what was not yet checked.
CLAIMERS=
for w in w1 w2; do
	"$BIN/seqlines" claim "$T/log" "$w" "$T/runs/$w" "$T/stop.claim" &
	CLAIMERS="$CLAIMERS $!"
done
BENCH_PIDS="$BENCH_PIDS $CLAIMERS"

note "warm-up: ${SOAK_WARMUP} s of storm"
storm_start warm
sleep "$SOAK_WARMUP"
storm_stop
settle
supd_alive || die "supd died during the warm-up"
RSS0=$(rss_kb)
FDS0=$(nfds_held)
HEAP0=$(heap_in_use)
note "after the warm-up: RSS $RSS0 kB, $FDS0 fds"

note "soak: ${SOAK_SECS} s of storm"
: >"$T/monitor"
T0=$EPOCHREALTIME
storm_start soak
deadline=$((SECONDS + SOAK_SECS))
while [ "$SECONDS" -lt "$deadline" ]; do
	sleep 10
	supd_alive || break
	note "$(tail -n 1 "$T/monitor")"
done
T1=$EPOCHREALTIME
storm_stop
supd_alive || die "supd died during the soak (see $T/supd.err)"
LOAD1=$(loadavg)
settle
RSS1=$(rss_kb)
FDS1=$(nfds_held)
HEAP1=$(heap_in_use)
Z1=$(zombies)
ZMAX=$(sed -n 's/.* zombies=\([0-9]*\) .*/\1/p' "$T/monitor" | sort -n | tail -n 1)
LOADS=$(awk '{ s += $2; n++ } END { if (n) printf "%.2f", s / n }' "$T/monitor")
RESTARTS=$(ctl --json status | jq '[.[].restarts] | add')

# The writers end (they write their last number), the last files are taken.
ctl stop w1 w2 >/dev/null
: >"$T/stop.claim"
for p in $CLAIMERS; do
	wait "$p" || note "a claimer failed (exit $?)"
done
for w in w1 w2; do
	"$BIN/seqlines" scan "$T/log/$w.log" >>"$T/runs/$w"
done
supd_alive || die "supd died at the end"

# ---- results -----------------------------------------------------------------

# lines W: "LINES LOST DUP BAD LAST" from the runs of writer W's files,
# sorted: LAST is the writer's own last number; every one of 1..LAST must
# be in exactly one run.
lines() {
	local bad last
	bad=$(awk '$1 == "bad" { s += $2 } END { print s + 0 }' "$T/runs/$1")
	last=$(cat "$T/$1.last" 2>/dev/null || echo 0)
	awk '$1 == "run" { print $2, $3 }' "$T/runs/$1" | sort -n |
		awk -v last="$last" -v bad="$bad" '
		BEGIN { want = 1 }
		{
			f = $1; l = $2; n += l - f + 1
			if (f > want) lost += f - want
			else if (f < want) dup += (l < want ? l : want - 1) - f + 1
			if (l + 1 > want) want = l + 1
		}
		END {
			if (last >= want) lost += last - want + 1
			printf "%d %d %d %d %d\n", n, lost, dup, bad, last
		}'
}

# pcts FILE...: "N FAILED P50 P99 MAX" (ms) of the "START END RC" lines
# that fall in the soak proper.
pcts() {
	cat "$@" | awk -v t0="$T0" -v t1="$T1" '
		$1 >= t0 && $2 <= t1 { printf "%.3f %d\n", ($2 - $1) * 1000, $3 }' |
		sort -g | awk '
		{ v[NR] = $1; if ($2 != 0) bad++ }
		END {
			if (NR == 0) { print "0 0 nan nan nan"; exit }
			i50 = int(NR * 0.50 + 0.999); i99 = int(NR * 0.99 + 0.999)
			print NR, bad + 0, v[i50], v[i99], v[NR]
		}'
}

read -r ncalls nfail p50 p99 pmax < <(pcts "$T"/lat/soak.*)
read -r vcalls _ v50 v99 vmax < <(pcts "$T"/lat/version.soak.*)
# The probe's lines are "START LATENCY_MS OK": make them "START END RC".
read -r pcalls pfail q50 q99 qmax < <(awk '{ printf "%.6f %.6f %d\n", $1, $1 + $2 / 1000, !$3 }' \
	"$T/probe.soak" | pcts /dev/stdin)

growth=$(awk -v a="$RSS0" -v b="$RSS1" 'BEGIN { printf "%.2f", (b - a) * 100 / a }')
verdict() { if eval "$1"; then echo met; else echo "**missed**"; fi; }
kills=$(cat "$T/kills" 2>/dev/null || echo 0)
read -r reloads rfail < <(cat "$T/reloads" 2>/dev/null || echo 0 0)
reconn=$(cat "$T"/follower.*.n 2>/dev/null | awk '{ s += $1 } END { print s + 0 }')
read -r l1 lost1 dup1 bad1 last1 < <(lines w1)
read -r l2 lost2 dup2 bad2 last2 < <(lines w2)
lag=$(awk '$1 == "lag" && $2 > m { m = $2 } END { print m + 0 }' "$T/runs/w1" "$T/runs/w2")

echo "soak-config: ${SOAK_SECS} s (after ${SOAK_WARMUP} s of warm-up), supd at nice $SOAK_SUPD_NICE, $N services + 2 writers at $((SOAK_RATE / 1048576)) MiB/s, $SOAK_KILLS kills/s, reload every 5 s, $SOAK_CLIENTS clients (pause ${SOAK_PAUSE} s), $SOAK_FOLLOWERS followers; $(nproc) cores"
echo "soak-load: load average $LOAD0 at the start, mean of the 1-min figure $LOADS during the soak, $LOAD1 at its end"
echo "soak-rss: start $RSS0 kB (cold $RSS_COLD kB), end $RSS1 kB: growth $growth % ($(verdict "awk 'BEGIN { exit !($growth <= 1) }'") <= 1 %)"
[ -z "$HEAP1" ] || echo "soak-heap: in use (glibc malloc_stats, its tcache counted in) start $HEAP0 bytes (cold $HEAP_COLD), end $HEAP1 bytes"
echo "soak-fds: start $FDS0 (cold $FDS_COLD), end $FDS1 ($(verdict "[ $FDS1 -le $FDS0 ]") back to start)"
echo "soak-zombies: $Z1 at the end ($(verdict "[ $Z1 -eq 0 ]") 0); at most ${ZMAX:-0} in a 5 s sample during the storm"
echo "soak-lines: w1 $l1 lines of $last1 written, $lost1 lost, $dup1 duplicated, $bad1 malformed; w2 $l2 of $last2, $lost2 lost, $dup2 duplicated, $bad2 malformed ($(verdict "[ $((lost1 + dup1 + bad1 + lost2 + dup2 + bad2)) -eq 0 ]") 0); at most $lag rotated files waited to be checked (max_files 1000$([ "$lag" -lt 1000 ] || echo ': REACHED, supd deleted unchecked files'))"
echo "soak-supd-restarts: $(supd_alive && echo 0 || echo 1) (pid $SUPD_PID, alive from start to end)"
echo "soak-status-latency: supd's answer to a status request of all $((N + 2)) services (status_probe, no process start, every 100 ms, $pcalls requests, $pfail failed): p50 $q50 ms, p99 $q99 ms, max $qmax ms ($(verdict "awk 'BEGIN { exit !($q99 <= 10) }'") p99 <= 10 ms)"
echo "soak-status-latency-cli: \`supctl status\` as a command, process start included ($ncalls calls, $nfail failed): p50 $p50 ms, p99 $p99 ms, max $pmax ms; \`supctl --version\` alone under the same load ($vcalls calls): p50 $v50 ms, p99 $v99 ms, max $vmax ms"
echo "soak-storm: $kills kills, $reloads reloads ($rfail failed), $RESTARTS automatic restarts in status at the end, $reconn follower reconnections"

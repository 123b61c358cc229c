#!/bin/bash
# SPDX-License-Identifier: ISC
# run.sh [BUILD_DIR]: supd side by side with supervisord, runit and s6 (the
# Debian packages, installed by install.sh if missing), same payload, same
# scenarios, one run. "supd" = supd with its default namespaces, "plain" =
# supd with `namespaces = none`. Per system, in turn:
#
#   1. launch: N services ($N, 1000) of bench/stamp, which writes its own
#      CLOCK_MONOTONIC start to a FIFO as its first action; time from just
#      before the supervisor is started to the last of the N stamps.
#      $RUNS (1) launches, median. Floor: spawn_floor fork+execs the same N
#      stamps from a minimal C parent (median over the systems' turns).
#   2. memory, 1 s after all N stamped: Pss (/proc/PID/smaps_rollup) summed
#      over the supervisor's process tree without the payloads (supd and its
#      supd-inits; supervisord; runsvdir + runsv; s6-svscan + s6-supervise),
#      and apart, the same processes' page tables (VmPTE), which Pss omits.
#   3. status of all N with the tool's CLI, CLI process included, median of
#      $STATUS_RUNS (3): supctl status; supervisorctl status; sv status DIR/*;
#      s6-svstat DIR for each (it takes one directory).
#   4. stop of all N with the tool's CLI, until all are down: supctl stop all;
#      supervisorctl stop all; sv -w 600 stop DIR/*; s6-svc -d DIR for each
#      and one s6-svwait -D -a over all.
#   5. kill -9 of the payload -> the new payload's first instruction, one
#      service, median of $KILLS (50), by bench/restart_probe. supd: it waits
#      for `running` with a new pid; the peers: $KILL_SETTLE_MS (1100) after
#      each new stamp (both runsv and s6-supervise hold back a restart within
#      1 s of the previous start). Floor: restart_probe's fork+exec of stamp
#      to its first instruction (and fork+exec+wait of /bin/true).
#   6. log capture: bench/spew writes $BYTES (1 GiB) of 100-byte lines, the
#      logger rotates at 10M x 5 (supd max_size/max_files; supervisord
#      stdout_logfile_maxbytes/backups; svlogd s10000000 n5; s6-log
#      s10000000 n5). Time from spew's first instruction until its last line
#      is in a log file; MiB/s, and CPU seconds per GiB of the tree without
#      spew (supd; supervisord; runsv + svlogd; s6-supervise + s6-log).
#      $LOG_RUNS (3), median. Ceiling, before each: spew > FILE on the same
#      file system.
#
# Writes into $OUT (default BUILD_DIR/bench-peers): peers.tsv (one row per
# system, and `floor`), peers.md (the table, ratios to the same-run floors,
# the machine line), peers.svg (the chart, by chart.gp). $SYSTEMS (default
# "supd plain supervisord runit s6") picks the systems. Quick run:
#   N=100 KILLS=10 BYTES=104857600 LOG_RUNS=1 bench/peers/run.sh build
PEERS_DIR=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/common.sh
. "$PEERS_DIR/../common.sh"
# shellcheck source=bench/peers/lib.sh
. "$PEERS_DIR/lib.sh"
# The services' private /tmp (supd's default namespaces) would hide $T.
case ${BENCH_TMP:-/tmp} in
/tmp | /tmp/*) BENCH_TMP=/var/tmp ;;
esac
"$PEERS_DIR/install.sh" || die "cannot install the peers (run as root, or install supervisor runit s6 gnuplot-nox)"
bench_init "$@"
chmod 0755 "$T"
N=${N:-1000}
RUNS=${RUNS:-1}
STATUS_RUNS=${STATUS_RUNS:-3}
KILLS=${KILLS:-50}
KILL_SETTLE_MS=${KILL_SETTLE_MS:-1100}
BYTES=$(( ${BYTES:-1073741800} / 100 * 100 ))
LOG_RUNS=${LOG_RUNS:-3}
SYSTEMS=${SYSTEMS:-supd plain supervisord runit s6}
OUT=${OUT:-$B/bench-peers}
mkdir -p "$OUT"

S=
peers_cleanup() {
	[ -z "$S" ] || peer_end "$S"
	exec 3>&- 2>/dev/null
	bench_cleanup
}
trap peers_cleanup EXIT

for c in stamp spawn_floor restart_probe spew; do bench_cc "$c"; done
mkfifo "$T/many.fifo" "$T/k.fifo"
LAST_LINE=$(printf '%09d %s' $((BYTES / 100 - 1)) "$(printf 'x%.0s' $(seq 89))")
mono_ns() { "$BIN/stamp" - | cut -d' ' -f2; }
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
LOAD0=$(loadavg)
SUPD_VER=$(git -C "$PEERS_DIR" describe --always --dirty 2>/dev/null || echo '?')
note "load average at start: $LOAD0"

# Each turn sets globals (no command substitution: a die in a subshell would
# leave the supervisor running past the trap). Launch N, memory, status,
# stop: M_LAUNCH (ns), M_MEM ("Pss_KiB PTE_KiB processes"), M_STATUS (ns),
# M_STOP (ns).
turn_many() {
	local s=$1 t0 tl st=() t1 mem ok
	peer_many "$s" "$N" "$T/many.fifo"
	exec 3<>"$T/many.fifo"
	t0=$(mono_ns)
	peer_launch "$s"
	timeout 900 head -n "$N" <&3 >"$T/stamps" || die "$s: not all $N payloads started"
	tl=$(awk '$2 > m { m = $2 } END { print m }' "$T/stamps")
	sleep 1
	mem=$(peer_memory "$PEER_PID" stamp)
	ok=$(peer_status "$s" 2>&1 | grep -ciE 'running|^run:|^up ')
	[ "$ok" -ge "$N" ] || note "$s: status shows $ok of $N running"
	for _ in $(seq 1 "$STATUS_RUNS"); do
		t1=$(now_ns)
		peer_status "$s" >/dev/null 2>&1
		st+=($(($(now_ns) - t1)))
	done
	t1=$(now_ns)
	peer_stop_all "$s" || note "$s: the stop command failed"
	t1=$(($(now_ns) - t1))
	peer_end "$s"
	exec 3>&-
	M_LAUNCH=$((tl - t0)) M_MEM=$mem M_STATUS=$(median "${st[@]}") M_STOP=$t1
	note "$s: launch $(ns2s "$M_LAUNCH") s, memory (Pss KiB, PTE KiB, processes) $mem, status $(ns2ms "$M_STATUS") ms, stop $(ns2s "$t1") s"
}

# kill -9 -> running again: K_MEDIANS = "restart_ns stamp_floor_ns true_ns".
turn_kill() {
	local s=$1 out
	peer_one "$s" "$T/k.fifo"
	peer_launch "$s"
	if [ "$s" = supd ] || [ "$s" = plain ]; then
		out=$("$BIN/restart_probe" "$SUPCTL" "$T/run/supd.sock" k "$T/k.fifo" "$BIN/stamp" "$KILLS")
	else
		out=$(RESTART_PROBE_SETTLE_MS=$KILL_SETTLE_MS "$BIN/restart_probe" - - k "$T/k.fifo" "$BIN/stamp" "$KILLS")
	fi || die "$s: restart_probe failed"
	peer_end "$s"
	K_MEDIANS=$(echo "$out" | awk '{ for (i = 2; i <= NF; i++) if ($i ~ /^median=/) m[$1] = substr($i, 8) }
		END { print m["restart"], m["stamp"], m["true"] }')
}

# One log capture: L_RESULT = "ns ticks".
turn_log() {
	local s=$1 d=$T/$1 t1 deadline before after
	peer_log "$s" "$BYTES"
	rm -f "$T/spew.start" "$T/spew.end"
	peer_launch "$s"
	peer_idle "$s"
	sync
	before=$(peer_ticks "$PEER_PID" spew)
	peer_start_spew "$s"
	deadline=$(($(now_ns) + 600000000000))
	until [ -s "$T/spew.end" ] && tail -q -c 100 "$d"/log/* 2>/dev/null | grep -qxF "$LAST_LINE"; do
		[ "$(now_ns)" -lt "$deadline" ] || die "$s: spew's last line not logged after 600 s"
		sleep 0.005
	done
	t1=$(now_ns)
	after=$(peer_ticks "$PEER_PID" spew)
	peer_end "$s"
	L_RESULT=$(echo "$((t1 - $(cat "$T/spew.start")))" "$(printf '%s\n' "$before" | sed 's/^/b /'; printf '%s\n' "$after" | sed 's/^/a /')" |
		awk 'NR == 1 { ns = $1; next } $1 == "b" { b[$2] = $3 } $1 == "a" { t += $3 - b[$2] } END { print ns, t + 0 }')
}

# The ceiling: spew straight into a file on the same file system.
turn_ceiling() {
	local t1
	rm -f "$T/spew.start" "$T/ceiling.out"
	sync
	"$BIN/spew" -n "$BYTES" -t "$T/spew.start" >"$T/ceiling.out"
	t1=$(now_ns)
	rm -f "$T/ceiling.out"
	echo $((t1 - $(cat "$T/spew.start")))
}

floor_launch=() floor_stamp=() floor_true=() ceiling=()
declare -A R
for S in $SYSTEMS; do
	note "== $S"
	l=() p=() e=() st=() sp=()
	for _ in $(seq 1 "$RUNS"); do
		turn_many "$S"
		read -r b c _ <<<"$M_MEM"
		l+=("$M_LAUNCH") p+=("$b") e+=("$c") st+=("$M_STATUS") sp+=("$M_STOP")
		floor_launch+=("$("$BIN/spawn_floor" "$N" -- "$BIN/stamp" /dev/null)")
		note "spawn_floor: $N fork+exec of stamp in $(ns2s "${floor_launch[-1]}") s"
	done
	turn_kill "$S"
	read -r k fs ft <<<"$K_MEDIANS"
	floor_stamp+=("$fs") floor_true+=("$ft")
	note "$S: kill -9 -> running $(ns2ms "$k") ms (fork+exec of stamp $(ns2ms "$fs") ms)"
	lt=() lc=()
	for _ in $(seq 1 "$LOG_RUNS"); do
		ceiling+=("$(turn_ceiling)")
		turn_log "$S"
		read -r ns ticks <<<"$L_RESULT"
		lt+=("$ns") lc+=("$ticks")
		note "$S: log $(awk -v b="$BYTES" -v ns="$ns" 'BEGIN { printf "%.0f", b / 1048576 / (ns / 1e9) }') MiB/s, $ticks CPU ticks (ceiling $(awk -v b="$BYTES" -v ns="${ceiling[-1]}" 'BEGIN { printf "%.0f", b / 1048576 / (ns / 1e9) }') MiB/s)"
	done
	R[$S]="$(median "${p[@]}") $(median "${e[@]}") $(median "${l[@]}") $k $(median "${st[@]}") $(median "${sp[@]}") $(median "${lt[@]}") $(median "${lc[@]}")"
done
S=
LOAD1=$(loadavg)

# peers.tsv: values in the units of the header.
hz=$(getconf CLK_TCK)
{
	printf 'system\tpss_mib\tpte_mib\tlaunch_s\trestart_ms\tstatus_ms\tstop_s\tlog_mibs\tlog_cpu_s_per_gib\n'
	for s in $SYSTEMS; do
		echo "$s ${R[$s]}" | awk -v b="$BYTES" -v hz="$hz" -v OFS='\t' '{
			print $1, sprintf("%.1f", $2 / 1024), sprintf("%.1f", $3 / 1024), sprintf("%.2f", $4 / 1e9),
			    sprintf("%.2f", $5 / 1e6), sprintf("%.1f", $6 / 1e6), sprintf("%.2f", $7 / 1e9),
			    sprintf("%.0f", b / 1048576 / ($8 / 1e9)), sprintf("%.2f", $9 / hz / (b / 1073741824)) }'
	done
	printf 'floor\t-\t-\t%s\t%s\t-\t-\t%s\t-\n' \
	    "$(awk -v n="$(median "${floor_launch[@]}")" 'BEGIN { printf "%.2f", n / 1e9 }')" \
	    "$(awk -v n="$(median "${floor_stamp[@]}")" 'BEGIN { printf "%.2f", n / 1e6 }')" \
	    "$(awk -v n="$(median "${ceiling[@]}")" -v b="$BYTES" 'BEGIN { printf "%.0f", b / 1048576 / (n / 1e9) }')"
} >"$OUT/peers.tsv"

ver() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null; }
MACHINE="$(date -u '+%Y-%m-%d %H:%M UTC'); $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), $(nproc) cores, Linux $(uname -r); load average $LOAD0 at the start, $LOAD1 at the end; supd $SUPD_VER, supervisor $(ver supervisor), runit $(ver runit), s6 $(ver s6); N=$N, RUNS=$RUNS, STATUS_RUNS=$STATUS_RUNS, KILLS=$KILLS, LOG_RUNS=$LOG_RUNS, $(awk -v b="$BYTES" 'BEGIN { printf "%.2f", b / 1073741824 }') GiB logged; fork+exec+wait of /bin/true $(ns2ms "$(median "${floor_true[@]}")") ms"
"$PEERS_DIR/table.sh" "$OUT/peers.tsv" "$N" "$MACHINE" >"$OUT/peers.md"
gnuplot -e "tsv='$OUT/peers.tsv'; out='$OUT/peers.svg'; n=$N" "$PEERS_DIR/chart.gp" ||
	note "gnuplot failed: no chart"
cat "$OUT/peers.md"
note "wrote $OUT/peers.tsv, $OUT/peers.md, $OUT/peers.svg"

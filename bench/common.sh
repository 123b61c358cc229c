# SPDX-License-Identifier: ISC
# common.sh: what every benchmark shares. Source it after setting nothing;
# it reads the build directory from $1 (default ../build next to this dir).
#
#   bench_init "$@"        resolve $B, $SUPD, $SUPCTL, make private $T, trap cleanup
#   bench_cc NAME          compile bench/NAME.c into $BIN/NAME (a /tmp dir)
#   svc NAME <<EOF         write $T/conf.d/NAME.ini from stdin
#   start_supd             start supd in the background ($SUPD_PID), wait for socket
#                          (under $BENCH_SUPD_WRAP, a command prefix, if set)
#   ctl ARGS...            supctl -s $T/run/supd.sock ARGS...
#   count_state ST         how many services are in state ST (from --json status)
#   wait_count ST N [SECS] wait until N services are in state ST
#   stop_supd              SIGTERM supd, wait, then kill whatever it left behind
#   now_ns                 CLOCK_REALTIME in ns (bash's EPOCHREALTIME, us resolution)
#   stamp VAR              the same into VAR without a subshell: for timed windows,
#                          which must not hold a process creation of the timer's own
#   median NUMS...         median of numbers (one per argument), printed as is
#   ratio A B              A/B with 2 decimals
#
# Diagnostics go to stderr (prefixed with '# '); the summary lines a script
# prints on stdout look like `name: value ...` and bench/run-all.sh collects them.

set -u

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

note() { echo "# $*" >&2; }
die() { echo "$(basename "$0"): $*" >&2; exit 1; }

bench_init() {
	B=${1:-$BENCH_DIR/../build}
	B=$(cd "$B" 2>/dev/null && pwd) || die "no build directory ${1:-$BENCH_DIR/../build}"
	SUPD=$B/supd
	SUPCTL=$B/supctl
	[ -x "$SUPD" ] && [ -x "$SUPCTL" ] || die "$B has no supd/supctl (run make)"
	command -v jq >/dev/null || die "jq is needed (apt-get install jq)"
	T=$(mktemp -d "${BENCH_TMP:-/tmp}/supd-bench.XXXXXX")
	BIN=$T/bin
	mkdir -p "$T/conf.d" "$T/log" "$T/state" "$BIN"
	cat >"$T/supd.conf" <<CONF
[supd]
conf_dir = $T/conf.d
socket = $T/run/supd.sock
log_dir = $T/log
state_dir = $T/state
shutdown_timeout = 20s
CONF
	SUPD_PID=
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
}

bench_cc() {
	local name=$1
	${CC:-cc} -O2 -std=gnu11 -Wall -o "$BIN/$name" "$BENCH_DIR/$name.c" ||
		die "cannot compile $BENCH_DIR/$name.c"
}

svc() {
	cat >"$T/conf.d/$1.ini"
}

now_ns() { echo "${EPOCHREALTIME/./}000"; }
stamp() { printf -v "$1" '%s000' "${EPOCHREALTIME/./}"; }

start_supd() {
	local deadline f
	# BENCH_NAMESPACES=none (or a list) runs every service of the bench
	# with that [isolation] namespaces, e.g. to measure the supervisor
	# alone, without the cost of namespaces; unset = supd's default.
	if [ -n "${BENCH_NAMESPACES:-}" ]; then
		for f in "$T"/conf.d/*.ini; do
			grep -q '^namespaces' "$f" ||
				printf '[isolation]\nnamespaces = %s\n' \
				    "$BENCH_NAMESPACES" >>"$f"
		done
	fi
	stamp SUPD_T0	# just before supd, after any setup above
	${BENCH_SUPD_WRAP:-} "$SUPD" -c "$T/supd.conf" >"$T/supd.out" 2>"$T/supd.err" &
	SUPD_PID=$!
	deadline=$(($(now_ns) + 10000000000))
	until [ -S "$T/run/supd.sock" ]; do
		kill -0 "$SUPD_PID" 2>/dev/null || { tail -5 "$T/supd.err" >&2; die "supd died"; }
		[ "$(now_ns)" -lt "$deadline" ] || die "supd socket did not appear"
		sleep 0.005
	done
}

ctl() {
	"$SUPCTL" -s "$T/run/supd.sock" "$@"
}

count_state() {
	ctl --json status 2>/dev/null | jq --arg s "$1" '[.[] | select(.state == $s)] | length' 2>/dev/null || echo 0
}

wait_count() {
	local st=$1 n=$2 secs=${3:-60} deadline c
	deadline=$(($(now_ns) + secs * 1000000000))
	while :; do
		c=$(count_state "$st")
		[ "$c" -ge "$n" ] && return 0
		if [ "$(now_ns)" -gt "$deadline" ]; then
			note "timed out after ${secs}s: $c of $n services $st"
			ctl status 2>&1 | awk '$2 != "'"$st"'"' | head -5 >&2
			return 1
		fi
		sleep 0.02
	done
}

# Every descendant of a pid, as "pid starttime state" lines (starttime
# guards against pid reuse when they are killed later). One pass over /proc.
descendants() {
	# cat, not awk FILE...: a process may vanish between glob and open.
	cat /proc/[0-9]*/stat 2>/dev/null | awk -v root="$1" '
		{
			# pid (comm) state ppid ... ; comm may hold spaces and parens
			pid = $1; line = $0; sub(/^.*\) /, "", line); split(line, f, " ")
			st[pid] = f[1]; parent[pid] = f[2]; start[pid] = f[20]; pids[++n] = pid
		}
		END {
			want[root] = 1
			do {
				changed = 0
				for (i = 1; i <= n; i++) { p = pids[i]
					if (!(p in want) && (parent[p] in want)) { want[p] = 1; changed = 1 } }
			} while (changed)
			for (p in want) if (p != root) print p, start[p], st[p]
		}'
}

# starttime of one pid (field 22 of /proc/PID/stat), empty if gone.
starttime() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	s=${s##*) }
	set -- $s
	echo "${20}"
}

stop_supd() {
	local left p st deadline
	[ -n "$SUPD_PID" ] || return 0
	left=$(descendants "$SUPD_PID")
	kill -TERM "$SUPD_PID" 2>/dev/null
	deadline=$(($(now_ns) + 30000000000))
	while kill -0 "$SUPD_PID" 2>/dev/null && [ "$(now_ns)" -lt "$deadline" ]; do
		sleep 0.05
	done
	if kill -0 "$SUPD_PID" 2>/dev/null; then
		note "supd $SUPD_PID did not exit on SIGTERM within 30s: SIGKILL"
		kill -KILL "$SUPD_PID" 2>/dev/null
	fi
	wait "$SUPD_PID" 2>/dev/null
	SUPD_PID=
	# Whatever supd left behind: kill by pid, only if it is the same process.
	local n=0
	while read -r p st _; do
		[ -n "$p" ] || continue
		[ -d "/proc/$p" ] || continue
		if [ "$(starttime "$p")" = "$st" ]; then
			kill -KILL "$p" 2>/dev/null && n=$((n + 1))
		fi
	done <<<"$left"
	[ "$n" -eq 0 ] || note "killed $n process(es) supd left behind"
}

bench_cleanup() {
	stop_supd
	# Helpers a script started itself are listed in $BENCH_PIDS.
	local p
	for p in ${BENCH_PIDS:-}; do kill -KILL "$p" 2>/dev/null; done
	if [ -n "${KEEP:-}" ]; then note "kept $T"; else rm -rf "$T"; fi
}

median() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) { print "nan"; exit }
		if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "inf"; else printf "%.2f\n", a / b }'
}

# ns -> ms / s with a sensible number of decimals
ns2ms() { awk -v n="$1" 'BEGIN { printf "%.3f\n", n / 1e6 }'; }
ns2s() { awk -v n="$1" 'BEGIN { printf "%.3f\n", n / 1e9 }'; }

# An [isolation] section that keeps the host's /tmp visible to the service
# (our binaries and FIFOs live in $T under /tmp), printed only when this supd
# knows the key (the isolation keys are being added): `supd --check` decides.
iso_visible_tmp() {
	local d
	d=$(mktemp -d /tmp/supd-bench-check.XXXXXX)
	printf '[service]\ncommand = true\n[isolation]\nprivate_tmp = no\n' >"$d/x.ini"
	if "$SUPD" --check -d "$d" >/dev/null 2>&1; then
		printf '[isolation]\nprivate_tmp = no\n'
	fi
	rm -rf "$d"
}

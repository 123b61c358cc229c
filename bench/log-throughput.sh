#!/bin/bash
# SPDX-License-Identifier: ISC
# log-throughput.sh [BUILD_DIR]: log capture throughput. The service is
# bench/spew: 1 GiB ($BYTES) of 100-byte numbered lines in 64 KiB writes to
# stdout, as fast as it can, with [log] max_size = 100M, max_files = 20
# ($MAX_SIZE in MiB and $MAX_FILES: MAX_SIZE=10 MAX_FILES=5 is the default
# rotation; $TIMESTAMPS = yes stamps every line). supd's time: from spew's
# start (it writes CLOCK_REALTIME to a file as its first action) until the
# service has exited and spew's last line is the last line of NAME.log
# (polled every 5 ms). Baselines in the same run: the ceiling, `spew > FILE`,
# and `spew | cat > FILE`, into the same file system. Median of $RUNS
# (default 5) each, alternating, with a sync before every timed run. Bar:
# supd >= 80% of cat; issue 15's: >= 0.9x the ceiling (0.6x with stamps).
#
# The last supd run is verified: every rotated file ends with a newline and
# is at most max_size, and the files kept, concatenated oldest first (their
# stamps cut off), equal the end of spew's stream byte for byte (nothing
# lost, duplicated or reordered; all of it when the files hold it all).
. "$(dirname "$0")/common.sh"
bench_init "$@"
BYTES=${BYTES:-1073741800}
RUNS=${RUNS:-5}
LAST=$(printf '%09d %s' $((BYTES / 100 - 1)) "$(printf 'x%.0s' $(seq 89))")
MAX_MIB=${MAX_SIZE:-100}
MAX_SIZE=${MAX_MIB}M
MAX_BYTES=$((MAX_MIB * 1024 * 1024))
MAX_FILES=${MAX_FILES:-20}
TIMESTAMPS=${TIMESTAMPS:-no}

bench_cc spew
svc spew <<EOF
[service]
command = $BIN/spew -n $BYTES -t $T/spew.start -e $T/spew.end
restart = no

[log]
max_size = $MAX_SIZE
max_files = $MAX_FILES
timestamps = $TIMESTAMPS
$(iso_visible_tmp)
EOF

log_bytes() {
	stat -c %s "$T"/log/spew.log "$T"/log/spew.log.[0-9]* 2>/dev/null |
		awk '{ s += $1 } END { print s + 0 }'
}
cputicks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null; }
mibs() { awk -v b="$BYTES" -v ns="$1" 'BEGIN { printf "%.0f\n", b / 1048576 / (ns / 1e9) }'; }

run_ceiling() {
	rm -f "$T/ceil.out"
	sync
	local t0 t1
	t0=$(now_ns)
	"$BIN/spew" -n "$BYTES" >"$T/ceil.out"
	t1=$(now_ns)
	rm -f "$T/ceil.out"
	echo $((t1 - t0))
}

# spew's last line is NAME.log's last line (after a stamp).
logged_all() {
	[ -s "$T/spew.end" ] && [ "$(tail -c 100 "$T/log/spew.log" 2>/dev/null)" = "$LAST" ]
}

run_cat() {
	rm -f "$T/cat.out"
	sync
	local t0 t1
	t0=$(now_ns)
	"$BIN/spew" -n "$BYTES" | /usr/bin/time -f '%U %S' -o "$T/cat.cpu" cat >"$T/cat.out"
	t1=$(now_ns)
	awk '{ printf "%d\n", ($1 + $2) * 100 + 0.5 }' "$T/cat.cpu" >"$T/cat.ticks"
	[ "$(stat -c %s "$T/cat.out")" -eq "$BYTES" ] || die "cat copied $(stat -c %s "$T/cat.out") bytes"
	rm -f "$T/cat.out"
	echo $((t1 - t0))
}

run_supd() {
	rm -f "$T"/log/spew.log* "$T/spew.start" "$T/spew.end"
	sync
	start_supd
	local deadline t1 t0 got st ticks
	deadline=$(($(now_ns) + 300000000000))
	while :; do
		if logged_all; then
			t1=$(now_ns)
			break
		fi
		got=$(log_bytes)
		[ "$(now_ns)" -lt "$deadline" ] || die "after 300 s the logs hold $got of $BYTES bytes"
		sleep 0.005
	done
	ticks=$(cputicks "$SUPD_PID")
	echo "$ticks" >"$T/supd.ticks"
	# supd's janitor (src/janitor.c) frees the rotated-out files' blocks:
	# its CPU apart, read at the stop (0 for a build without one).
	local j jt=0
	j=$(ps -o pid=,comm= --ppid "$SUPD_PID" | awk '$2 == "supd-janitor" { print $1 }')
	st=$(count_state exited)
	[ "$st" -eq 1 ] || note "spew is not 'exited' per supctl ($(ctl status spew | tail -1))"
	t0=$(cat "$T/spew.start")
	note "supd: spew itself finished after $(ns2s $(($(cat "$T/spew.end") - t0))) s, logs complete after $(ns2s $((t1 - t0))) s; supd used $ticks CPU ticks ($(getconf CLK_TCK)/s)"
	[ -z "$j" ] || jt=$(cputicks "$j")
	echo "${jt:-0}" >"$T/janitor.ticks"
	stop_supd
	echo $((t1 - t0))
}

verify() {
	local f k bad=0 n=0 files=() content
	# Oldest first: NAME.log.N ... NAME.log.1, then NAME.log.
	for k in $(ls "$T"/log/ | sed -n 's/^spew\.log\.\([0-9][0-9]*\)$/\1/p' | sort -nr); do
		f=$T/log/spew.log.$k
		n=$((n + 1))
		files+=("$f")
		if [ "$(tail -c 1 "$f" | od -An -tx1 | tr -d ' ')" != 0a ]; then
			note "spew.log.$k does not end with a newline"
			bad=$((bad + 1))
		fi
		if [ "$(stat -c %s "$f")" -gt "$MAX_BYTES" ]; then
			note "spew.log.$k is $(stat -c %s "$f") bytes, over max_size"
			bad=$((bad + 1))
		fi
	done
	files+=("$T/log/spew.log")
	unstamp() { if [ "$TIMESTAMPS" = yes ]; then cut -d' ' -f2-; else cat; fi; }
	cat "${files[@]}" | unstamp >"$T/kept"
	if cmp -s "$T/kept" <("$BIN/spew" -n "$BYTES" | tail -c "$(stat -c %s "$T/kept")"); then
		content="identical to the last $(stat -c %s "$T/kept") bytes of spew's stream"
	else
		content="DIFFERS from spew's stream ($(cmp "$T/kept" <("$BIN/spew" -n "$BYTES" | tail -c "$(stat -c %s "$T/kept")") 2>&1 | head -1))"
		bad=$((bad + 1))
	fi
	rm -f "$T/kept"
	echo "log-rotation: $n rotated files: $([ "$bad" -eq 0 ] && echo "all end with a newline and are <= max_size" || echo "$bad problem(s), see above"); all files concatenated $content"
}

command -v /usr/bin/time >/dev/null || die "/usr/bin/time is needed (apt-get install time)"
cat_t=() supd_t=() cat_c=() supd_c=() jan_c=() ceil_t=()
for run in $(seq 1 "$RUNS"); do
	ceil_t+=($(run_ceiling))
	note "run $run: ceiling $(ns2s "${ceil_t[-1]}") s ($(mibs "${ceil_t[-1]}") MiB/s)"
	cat_t+=($(run_cat))
	cat_c+=($(cat "$T/cat.ticks"))
	note "run $run: cat $(ns2s "${cat_t[-1]}") s ($(mibs "${cat_t[-1]}") MiB/s)"
	supd_t+=($(run_supd))
	supd_c+=($(cat "$T/supd.ticks"))
	jan_c+=($(cat "$T/janitor.ticks"))
	note "run $run: supd $(ns2s "${supd_t[-1]}") s ($(mibs "${supd_t[-1]}") MiB/s)"
done
vline=$(verify)
c=$(median "${cat_t[@]}")
s=$(median "${supd_t[@]}")
cm=$(mibs "$c")
sm=$(mibs "$s")
r=$(ratio "$c" "$s")
echo "log-throughput: supd median $sm MiB/s, spew | cat > file $cm MiB/s, ratio $r ($(awk -v r="$r" 'BEGIN { print (r >= 0.8 ? "bar >= 0.80 met" : "bar >= 0.80 MISSED") }'); $(awk -v b="$BYTES" 'BEGIN { printf "%.2f", b / 1073741824 }') GiB, max_size $MAX_SIZE, $RUNS runs)"
echo "log-ceiling: spew > file median $(mibs "$(median "${ceil_t[@]}")") MiB/s; supd / ceiling $(ratio "$(median "${ceil_t[@]}")" "$s") (timestamps = $TIMESTAMPS; load average $(cut -d' ' -f1-3 /proc/loadavg))"
echo "log-cpu: CPU time per GiB captured: supd median $(awk -v t="$(median "${supd_c[@]}")" -v b="$BYTES" 'BEGIN { printf "%.2f", t / 100 / (b / 1073741824) }') s (whole process, user+sys; its janitor, freeing the rotated-out files, $(awk -v t="$(median "${jan_c[@]}")" -v b="$BYTES" 'BEGIN { printf "%.2f", t / 100 / (b / 1073741824) }') s), cat median $(awk -v t="$(median "${cat_c[@]}")" -v b="$BYTES" 'BEGIN { printf "%.2f", t / 100 / (b / 1073741824) }') s"
echo "$vline"

#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# logs-splice.bats: the log's fast path (issue 15): a busy stream whose bytes
# nothing in supd needs is spliced from the pipe into the file, and a file
# that ends mid-line rotates at its last line end (docs/design.md, [log]).
# The writers write 100 KB to 1 MB per write(), so that supd finds the pipe
# full and takes the fast path; the slow path's own tests are logs.bats.

load common
load logs-common

bats_require_minimum_version 1.5.0

# Every rotated file of NAME ends with a newline, holds at most MAX bytes
# and more than MAX - LINE (rotated only when the next line did not fit).
rotated_whole() {
	local name=$1 max=$2 k=0 f size
	while [ -e "$T/log/$name.log.$((k + 1))" ]; do
		k=$((k + 1))
		f=$T/log/$name.log.$k
		size=$(stat -c %s "$f")
		[ "$size" -le "$max" ] || { echo "$f: $size bytes > $max"; return 1; }
		[ "$size" -gt $((max - LINE)) ] ||
			{ echo "$f: $size bytes, rotated too early"; return 1; }
		[ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ] ||
			{ echo "$f does not end with a newline"; return 1; }
	done
	echo "$name: $k rotated files"
	[ "$k" -ge "${3:-1}" ]
}

_ends_with() {
	[ "$(tail -c "${#2}" "$1" 2>/dev/null)" = "$2" ]
}

@test "fast path: 40 MB at full speed into 1M files, every line exactly once, each rotated file whole and full; the time index still answers" {
	svc fast <<EOF
[service]
command = $SEQ -n 400000 -c 1000000
restart = no

[log]
max_size = 1M
max_files = 100
EOF
	start_supd
	wait_state fast exited
	wait_for "the log to be complete" _last_seq_is "$T/log/fast.log" 400000
	cat_logs fast | check_seq 1 400000
	rotated_whole fast 1048576 35
	# The time index has a record for the bytes of every file.
	[ -s "$T/log/.fast.log.idx" ]
	[ -s "$T/log/.fast.log.1.idx" ]
	run -0 ctl logs -t -n 2 fast
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[1]}" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z\ seq=400000\ x+$ ]]
	run -0 ctl logs --since 1h -n 3 fast
	[ "${#lines[@]}" -eq 3 ]
	# A rotated file's index, cut where its file was: the last lines of
	# fast.log.1 (fast.log set aside; the service is done).
	mv "$T/log/fast.log" "$T/log/fast.moved"
	run -0 ctl logs -t -n 5000 fast
	[ "${#lines[@]}" -eq 5000 ]
	[[ "${lines[4999]}" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z\ seq=$(last_seq "$T/log/fast.log.1")\ x+$ ]]
}

@test "fast path: a line's start left at the end of the file: logs -n counts it as the last line, followers (-n 1 and -n 0) get it once, then every byte once" {
	cat >"$H/part.sh" <<EOF
$SEQ -n 1000 -c 1000000
printf "%040000d" 0
$SEQ -n 0 -W $H/go
echo -end
$SEQ -n 1000 -s 1001 -c 1000000
exec sleep 1000
EOF
	svc part <<EOF
[service]
command = sh $H/part.sh
restart = no
EOF
	start_supd
	# 40000 bytes without a newline, in one write: spliced as they are.
	wait_for "the line's start in the file" _ends_with "$T/log/part.log" 00000
	run -0 ctl logs -n 1 part
	[ "$output" = "$(printf '%040000d' 0)" ]
	ctl logs -f -n 1 part >"$T/follow1.out" 2>&1 &
	FPID=$!
	ctl logs -f -n 0 part >"$T/follow0.out" 2>&1 &
	FPID2=$!
	wait_for "follower 1 to have the line's start" _ends_with "$T/follow1.out" 00000
	wait_for "follower 0 to have the line's start" _ends_with "$T/follow0.out" 00000
	touch "$H/go"
	wait_for "follower 1 to have seq 2000" _last_seq_is "$T/follow1.out" 2000
	wait_for "follower 0 to have seq 2000" _last_seq_is "$T/follow0.out" 2000
	{
		printf '%040000d-end\n' 0
		"$SEQ" -n 1000 -s 1001
	} >"$T/expected"
	cmp "$T/expected" "$T/follow1.out"
	cmp "$T/expected" "$T/follow0.out"
	# The file: every line once, the long one whole.
	wait_for "the log to be complete" _last_seq_is "$T/log/part.log" 2000
	{
		"$SEQ" -n 1000
		printf '%040000d-end\n' 0
		"$SEQ" -n 1000 -s 1001
	} >"$T/expected"
	cmp "$T/expected" "$T/log/part.log"
}

@test "fast path, stderr = merge and separate: each stream's lines exactly once, rotated at line ends" {
	svc merged <<EOF
[service]
command = sh -c '$SEQ -n 100000 -c 1000000; $SEQ -n 100000 -s 100001 -c 1000000 -f 2'
restart = no

[log]
max_size = 1M
max_files = 100
EOF
	svc split <<EOF
[service]
command = sh -c '$SEQ -n 100000 -c 1000000 & $SEQ -n 100000 -c 1000000 -t err -f 2; wait'
restart = no

[log]
max_size = 1M
max_files = 100
stderr = separate
EOF
	start_supd
	wait_state merged exited
	wait_state split exited
	wait_for "merged's log to be complete" _last_seq_is "$T/log/merged.log" 200000
	wait_for "split's log to be complete" _last_seq_is "$T/log/split.log" 100000
	wait_for "split's stderr log to be complete" _last_seq_is "$T/log/split.err.log" 100000
	cat_logs merged | check_seq 1 200000
	rotated_whole merged 1048576 15
	cat_logs split | check_seq 1 100000
	rotated_whole split 1048576 8
	cat_logs split.err | check_seq 1 100000 err
	rotated_whole split.err 1048576 8
}

@test "fast path, hostile: a huge line is split only where it passes max_size; 64 MB with no newline keeps disk and supd's memory bounded and the loop answering" {
	svc long <<EOF
[service]
command = sh -c '$SEQ -n 20000 -c 1000000; $BLOB -c y -x 3000000; echo; $SEQ -n 20000 -s 20001 -c 1000000'
restart = no

[log]
max_size = 1M
max_files = 100
EOF
	svc flood <<EOF
[service]
command = $BLOB -H $H/hb 67108864
restart = no

[log]
max_size = 1M
max_files = 3
EOF
	start_supd
	local rss0 rss f size split=0 deadline
	rss0=$(awk '/^VmRSS/ { print $2 }' "/proc/$SUPD_PID/status")
	deadline=$(($(mono_ms) + WAIT_SECS * 1000))
	until _hb_done "$H/hb"; do
		# Bounded all along: 4 files of 1M at most, and supd answers.
		for f in "$T"/log/flood.log*; do
			# Renamed away meanwhile: nothing to check.
			size=$(stat -c %s "$f" 2>/dev/null) || continue
			[ "$size" -le 1048576 ] || { echo "$f over max_size"; false; }
		done
		[ "$(ls "$T/log" | grep -c '^flood\.log')" -le 4 ]
		timeout 5 "$SUPCTL" -s "$SOCK" status flood >/dev/null
		[ "$(mono_ms)" -lt "$deadline" ] || { echo "flood never finished"; false; }
		sleep 0.05
	done
	rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$SUPD_PID/status")
	echo "supd VmRSS ${rss0} kB -> ${rss} kB"
	[ "$rss" -le $((rss0 + 8192)) ]
	for f in 1 2 3; do
		[ "$(stat -c %s "$T/log/flood.log.$f")" -eq 1048576 ]
	done
	[ "$(cat_logs flood | tr -d x | wc -c)" -eq 0 ]

	wait_state long exited
	wait_for "long's log to be complete" _last_seq_is "$T/log/long.log" 40000
	{
		"$SEQ" -n 20000
		"$BLOB" -c y -x 3000000
		echo
		"$SEQ" -n 20000 -s 20001
	} | cmp - <(cat_logs long)
	for f in $(log_files long); do
		[ "$(stat -c %s "$f")" -le 1048576 ] || { echo "$f over max_size"; false; }
		[ "$f" != "$T/log/long.log" ] || continue
		case $(tail -c 1 "$f") in
		'') ;;	# newline
		y) split=$((split + 1)) ;;
		*) echo "$f split outside the long line"; false ;;
		esac
	done
	# 3000001 bytes in files of at most 1M: split 2 or 3 times.
	[ "$split" -ge 2 ]
	cat_logs long | grep -v '^y*$' | check_seq 1 40000
}

@test "a log truncated by someone else (logrotate's copytruncate) is written on at its new end: no hole, no line lost after it" {
	svc tr <<EOF
[service]
command = $SEQ -n 0 -k 20
EOF
	start_supd
	wait_for "a few lines" _has_lines "$T/log/tr.log" 5
	truncate -s 0 "$T/log/tr.log"
	wait_for "lines after the truncation" _has_lines "$T/log/tr.log" 5
	ctl stop tr
	# No NUL byte: supd did not write at its old offset.
	[ "$(tr -d '\0' <"$T/log/tr.log" | wc -c)" -eq "$(stat -c %s "$T/log/tr.log")" ]
	# Whole, consecutive lines from the first one after the cut.
	local first
	first=$(first_seq "$T/log/tr.log")
	[ -n "$first" ]
	check_seq "$first" "$(last_seq "$T/log/tr.log")" <"$T/log/tr.log"
}

# Bytes allocated to FILE past its size.
_past_end() {
	echo $(($(stat -c '%b * %B - %s' "$1")))
}

_past_end_le() { [ "$(_past_end "$1")" -le "$2" ]; }

# FILE holds N whole bursts of 30000 lines.
_bursts_are() { [ "$(grep -c '^seq=30000 ' "$1")" -eq "$2" ]; }

@test "fast path: a busy stream's file gets its room up to max_size at once, given back at close and after a killed supd" {
	svc burst <<EOF
[service]
command = sh -c 'if [ -e $T/again ]; then echo again; else $SEQ -n 30000 -c 1000000; fi; exec sleep 1000'
restart = no

[log]
max_size = 8M
[isolation]
namespaces = none
EOF
	start_supd
	wait_for "the burst in the log" _last_seq_is "$T/log/burst.log" 30000
	local size past
	size=$(stat -c %s "$T/log/burst.log")
	past=$(_past_end "$T/log/burst.log")
	echo "burst.log: $size bytes, $past allocated past them"
	# The room: up to 8 MiB allocated, the size what was written.
	[ "$size" -lt 4000000 ]
	[ $((size + past)) -ge $((8 * 1024 * 1024 - 65536)) ]
	ctl logs -n 1 burst | grep -q '^seq=30000 '
	# A clean stop closes the file: the room is given back.
	stop_supd
	_past_end_le "$T/log/burst.log" 65536
	# A killed supd leaves the room; the next supd gives it back when it
	# opens the file, here for one line (no room for a quiet stream).
	start_supd
	# The file still ends with the first burst: wait for the second one.
	wait_for "the burst again" _bursts_are "$T/log/burst.log" 2
	past=$(_past_end "$T/log/burst.log")
	size=$(stat -c %s "$T/log/burst.log")
	[ $((size + past)) -ge $((8 * 1024 * 1024 - 65536)) ]
	local pid
	pid=$(field burst pid)
	kill -KILL "$SUPD_PID"
	wait "$SUPD_PID" || true
	SUPD_PID=
	pkill -KILL -P "$pid" 2>/dev/null || true
	kill -KILL "$pid" 2>/dev/null || true
	[ "$(_past_end "$T/log/burst.log")" -gt 65536 ]
	touch "$T/again"
	start_supd
	wait_for "the quiet line" grep -qx again "$T/log/burst.log"
	_past_end_le "$T/log/burst.log" 65536
}

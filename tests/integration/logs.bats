#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# logs.bats: service output -> rotating log files ([log] of docs/design.md, and
# docs/reliability.md section D). Writers are tests/helpers/lg_seq (numbered
# lines "[TAG ]seq=N xxx...", 100 bytes each) and lg_blob (no newline).
#
# Files a service and the test both touch (heartbeats, triggers) live in $H,
# outside /tmp: a service gets a private /tmp once isolation is on.

load common
load logs-common

# ------------------------------------------------------------------ tests

@test "rotation keeps every line exactly once, in order (200000 lines, 64K files)" {
	svc fast <<EOF
[service]
command = $SEQ -n 200000 -c 1000000
restart = no

[log]
max_size = 64K
max_files = 1000
EOF
	start_supd
	wait_state fast exited
	[ "$(field fast exit_code)" = 0 ]
	wait_for "the log to be complete" _last_seq_is "$T/log/fast.log" 200000

	cat_logs fast | check_seq 1 200000

	# Rotated files: NAME.log.1 .. NAME.log.K with no gap, each at most
	# max_size, each ending with a newline, and each full: a rotation
	# happens only when the next line would not fit.
	local k=0 f size
	while [ -e "$T/log/fast.log.$((k + 1))" ]; do
		k=$((k + 1))
	done
	echo "rotated files: $k"
	[ "$k" -ge 300 ]
	[ "$(ls "$T/log" | grep -c '^fast\.log\.')" -eq "$k" ]
	for f in $(seq 1 "$k"); do
		f=$T/log/fast.log.$f
		size=$(stat -c %s "$f")
		[ "$size" -le 65536 ] || { echo "$f: $size bytes > 64K"; false; }
		[ "$size" -gt $((65536 - LINE)) ] ||
			{ echo "$f: $size bytes, rotated too early"; false; }
		[ "$(tail -c 1 "$f" | od -An -c | tr -d ' ')" = '\n' ] ||
			{ echo "$f does not end with a newline"; false; }
	done
}

@test "max_files: only NAME.log.1..N are kept, holding the newest lines" {
	svc keep <<EOF
[service]
command = $SEQ -n 1000 -c 0
restart = no

[log]
max_size = 4K
max_files = 3
EOF
	start_supd
	wait_state keep exited
	wait_for "the log to be complete" _last_seq_is "$T/log/keep.log" 1000

	run ls "$T/log"
	echo "$output"
	[ "$output" = "$(printf 'keep.log\nkeep.log.1\nkeep.log.2\nkeep.log.3')" ]
	# 40 lines of 100 bytes fit in 4K: files hold 841-880 881-920 921-960
	# and keep.log 961-1000. Everything older was deleted.
	cat_logs keep | check_seq 841 1000
	check_seq 961 1000 <"$T/log/keep.log"
	check_seq 921 960 <"$T/log/keep.log.1"
}

@test "a line longer than max_size is split, and only that line; no byte lost" {
	svc long <<EOF
[service]
command = sh -c '$SEQ -n 300; $BLOB -c y -x 50000; echo; $SEQ -n 300 -s 301'
restart = no

[log]
max_size = 16K
max_files = 100
EOF
	{
		"$SEQ" -n 300
		"$BLOB" -c y -x 50000
		echo
		"$SEQ" -n 300 -s 301
	} >"$T/expected"
	start_supd
	wait_state long exited
	wait_for "the log to be complete" _last_seq_is "$T/log/long.log" 600

	cat_logs long >"$T/got"
	cmp "$T/expected" "$T/got"
	[ "$(stat -c %s "$T/got")" -eq $((600 * LINE + 50001)) ]
	# Every file within max_size; a rotated file may end without a newline
	# only inside the long line.
	local f split=0
	for f in $(log_files long); do
		[ "$(stat -c %s "$f")" -le 16384 ] ||
			{ echo "$f larger than 16K"; false; }
		[ "$f" != "$T/log/long.log" ] || continue
		case $(tail -c 1 "$f") in
		'') ;;	# newline
		y) split=$((split + 1)) ;;
		*) echo "$f split outside the long line"; false ;;
		esac
	done
	# 50001 bytes in files of at most 16K: split at least 3 times.
	[ "$split" -ge 3 ]
	# The ordinary lines around it are all whole lines.
	grep -v '^y*$' "$T/got" | check_seq 1 600
}

@test "stderr = separate goes to NAME.err.log, stderr = null is discarded" {
	svc sep <<EOF
[service]
command = sh -c '$SEQ -n 500 -t out -c 0; $SEQ -n 500 -t err -f 2 -c 0'
restart = no

[log]
stderr = separate
EOF
	svc nul <<EOF
[service]
command = sh -c '$SEQ -n 500 -t out -c 0; $SEQ -n 500 -t err -f 2 -c 0; $SEQ -n 1 -s 501 -t out'
restart = no

[log]
stderr = null
EOF
	start_supd
	wait_state sep exited
	wait_state nul exited
	wait_for "sep.log" _last_seq_is "$T/log/sep.log" 500
	wait_for "sep.err.log" _last_seq_is "$T/log/sep.err.log" 500
	wait_for "nul.log" _last_seq_is "$T/log/nul.log" 501

	check_seq 1 500 out <"$T/log/sep.log"
	check_seq 1 500 err <"$T/log/sep.err.log"
	check_seq 1 501 out <"$T/log/nul.log"
	[ ! -e "$T/log/nul.err.log" ]
	run grep -rl '^err ' "$T/log"
	[ "$output" = "$T/log/sep.err.log" ]
}

@test "stderr = merge: stdout and stderr lines never interleave inside a line" {
	svc mrg <<EOF
[service]
command = sh -c '$SEQ -n 20000 -t out -c 0 & $SEQ -n 20000 -t err -f 2 -c 0; wait'
restart = no
EOF
	start_supd
	wait_state mrg exited
	wait_for "40000 lines" _lines_are mrg 40000

	[ ! -e "$T/log/mrg.err.log" ]
	cat_logs mrg >"$T/all"
	grep -c '^out ' "$T/all"
	grep '^out ' "$T/all" | check_seq 1 20000 out
	grep '^err ' "$T/all" | check_seq 1 20000 err
	# Nothing else: no torn or glued line.
	[ "$(wc -l <"$T/all")" -eq 40000 ]
	# Both writers really ran at the same time (interleaved lines).
	local switches
	switches=$(cut -c1-3 "$T/all" | uniq | wc -l)
	echo "switches between out and err: $switches"
	[ "$switches" -gt 2 ]
}

@test "timestamps = yes prefixes every line with an RFC 3339 UTC time in ms" {
	svc ts <<EOF
[service]
command = $SEQ -n 3000 -c 8192
restart = no

[log]
timestamps = yes
max_size = 64K
max_files = 100
EOF
	local before after first own
	before=$(date +%s)
	# supd runs in a zone 5:30 east of UTC (a POSIX TZ string: no tzdata
	# needed): a local time would be off by 19800 s, and still say Z.
	TZ=XYZ-5:30 start_supd
	[ "$(tr '\0' '\n' <"/proc/$SUPD_PID/environ" | grep '^TZ=')" = TZ=XYZ-5:30 ]
	wait_state ts exited
	wait_for "the log to be complete" _last_seq_is "$T/log/ts.log" 3000
	after=$(date +%s)

	cat_logs ts >"$T/all"
	re='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z '
	run grep -cvE "${re}seq=" "$T/all"
	[ "$output" = 0 ]
	sed -E "s/$re//" "$T/all" | check_seq 1 3000
	# The time is now, in UTC: the Z is true.
	first=$(date -u -d "$(head -c 24 "$T/all")" +%s)
	echo "first line at $(head -c 24 "$T/all") ($first), test ran $before..$after (UTC now: $(date -u +%FT%T))"
	[ "$first" -ge $((before - 2)) ]
	[ "$first" -le $((after + 2)) ]
	# So is supd's own log's (the same clock, supd(8)).
	own=$(date -u -d "$(head -n 1 "$T/supd.err" | cut -c1-24)" +%s)
	echo "supd.err: $(head -n 1 "$T/supd.err")"
	[ "$own" -ge $((before - 2)) ]
	[ "$own" -le $((after + 2)) ]
}

@test "when_full = drop: the service is not blocked, the loss is counted exactly" {
	small_fs 512k 32k
	svc dropper <<EOF
[service]
command = $SEQ -n 20000 -c 65536 -H $H/hb -k 20
restart = no

[log]
file = $SMALL/dropper.log
max_size = 100M
when_full = drop
EOF
	start_supd
	# 2 MB written while 32K are free: only possible if supd drops.
	wait_for "the writer to get through 2 MB" _hb_at_least "$H/hb" 20000
	[ "$(state dropper)" = running ]
	[ "$(stat -c %s "$SMALL/dropper.log")" -le 32768 ]
	refute grep -q 'supd: dropped' "$SMALL/dropper.log"

	# Free the space: logging resumes with one line counting the loss.
	rm "$SMALL/ballast"
	wait_for "the drop marker" grep -q 'supd: dropped' "$SMALL/dropper.log"
	local hb_then
	hb_then=$(hb "$H/hb")
	wait_for "lines after the marker" _hb_at_least "$H/hb" $((hb_then + 20))
	ctl stop dropper
	hb_then=$(hb "$H/hb")
	wait_for "the rest of the pipe" _hb_logged "$SMALL/dropper.log" "$hb_then"

	grep 'supd: dropped' "$SMALL/dropper.log"
	# Bytes in the file + bytes reported dropped = bytes written, up to the
	# last line in the file. A line cut by the full disk is completed by
	# the newline that starts the marker.
	awk -v len=$LINE '
	/supd: dropped [0-9]+ bytes/ {
		if (partial != "") { have -= 1; partial = "" }
		match($0, /dropped [0-9]+ bytes/)
		n = substr($0, RSTART + 8, RLENGTH - 14) + 0
		if (n <= 0) { print "marker with no bytes: " $0; exit 1 }
		dropped += n
		markers++
		next
	}
	{
		have += length($0) + 1
		if ($0 ~ /^seq=[0-9]+ x+$/ && length($0) == len - 1) {
			s = substr($0, 5) + 0
			if (s <= last) { print "seq " s " out of order"; exit 1 }
			last = s
			partial = ""
		} else
			partial = $0
	}
	END {
		printf "markers %d, last seq %d, bytes kept %d, dropped %d\n",
		    markers, last, have, dropped
		if (markers < 1) exit 1
		if (have + dropped != last * len) {
			printf "kept + dropped = %d, written = %d\n", have + dropped, last * len
			exit 1
		}
	}' "$SMALL/dropper.log"
}

_hb_logged() {
	local v=${2#done }
	[ "$(last_seq "$1")" -ge "$v" ] 2>/dev/null
}

_writer_stalled() {
	local a b
	a=$(hb "$1")
	[ -n "$a" ] || return 1
	sleep 0.5
	b=$(hb "$1")
	[ "$a" = "$b" ]
}

@test "when_full = block: the writer waits while the disk is full, nothing is lost" {
	small_fs 2m 32k
	svc blocker <<EOF
[service]
command = $SEQ -n 8000 -c 4096 -H $H/hb
restart = no

[log]
file = $SMALL/blocker.log
max_size = 100M
when_full = block
EOF
	start_supd
	wait_for "the writer to block" _writer_stalled "$H/hb"
	local stuck
	stuck=$(hb "$H/hb")
	echo "writer stuck at $stuck"
	refute _hb_done "$H/hb"
	[ "$stuck" -lt 8000 ]
	# Still stuck a second later; supd answers meanwhile.
	local deadline=$(($(mono_ms) + 1000))
	while [ "$(mono_ms)" -lt "$deadline" ]; do
		[ "$(state blocker)" = running ]
		[ "$(hb "$H/hb")" = "$stuck" ]
		sleep 0.1
	done

	rm "$SMALL/ballast"
	wait_state blocker exited
	[ "$(field blocker exit_code)" = 0 ]
	wait_for "the log to be complete" _last_seq_is "$SMALL/blocker.log" 8000
	check_seq 1 8000 <"$SMALL/blocker.log"
}

@test "logs -n N prints exactly the last N lines, across rotated files" {
	svc tl <<EOF
[service]
command = $SEQ -n 1000 -c 0
restart = no

[log]
max_size = 4K
max_files = 100
EOF
	start_supd
	wait_state tl exited
	wait_for "the log to be complete" _last_seq_is "$T/log/tl.log" 1000
	[ -e "$T/log/tl.log.24" ]

	ctl logs -n 150 tl >"$T/out"
	check_seq 851 1000 <"$T/out"
	ctl logs -n 40 tl >"$T/out"		# exactly tl.log
	check_seq 961 1000 <"$T/out"
	ctl logs -n 41 tl >"$T/out"		# one line of tl.log.1
	check_seq 960 1000 <"$T/out"
	ctl logs -n 1 tl >"$T/out"
	check_seq 1000 1000 <"$T/out"
	ctl logs tl >"$T/out"			# default 50
	check_seq 951 1000 <"$T/out"
	ctl logs -n 1000 tl >"$T/out"
	check_seq 1 1000 <"$T/out"
	ctl logs -n 5000 tl >"$T/out"		# more than there is
	check_seq 1 1000 <"$T/out"
}

@test "logs -f follows across rotations: every new line exactly once" {
	svc flw <<EOF
[service]
command = $SEQ -P 20 -W $H/go -n 3000 -c 0 -H $H/hb -w
restart = no

[log]
max_size = 8K
max_files = 1000
EOF
	start_supd
	wait_for "the writer" _nonempty "$H/hb"
	"$SUPCTL" -s "$SOCK" logs -f -n 0 flw >"$T/follow.out" 2>"$T/follow.err" &
	FPID=$!
	# A second one starts with the last 5 lines: no gap, no repeat where
	# the old lines end and the new ones begin.
	"$SUPCTL" -s "$SOCK" logs -f -n 5 flw >"$T/follow5.out" 2>&1 &
	FPID2=$!
	# A follower is attached once it has seen a line.
	wait_for "the follower's first line" _nonempty "$T/follow.out"
	wait_for "the second follower's lines" _nonempty "$T/follow5.out"
	touch "$H/go"
	wait_for "the writer to finish" _hb_done "$H/hb"
	local final
	final=$(hb "$H/hb")
	final=${final#done }
	wait_for "the follower to see seq=$final" _last_seq_is "$T/follow.out" "$final"
	wait_for "the second follower to see seq=$final" _last_seq_is "$T/follow5.out" "$final"
	kill "$FPID" "$FPID2"
	wait "$FPID" || true
	wait "$FPID2" || true
	FPID=
	FPID2=

	local first n
	first=$(head -n 1 "$T/follow.out" | sed -n 's/^seq=\([0-9]*\) .*/\1/p')
	echo "follower saw $first..$final"
	check_seq "$first" "$final" <"$T/follow.out"
	first=$(head -n 1 "$T/follow5.out" | sed -n 's/^seq=\([0-9]*\) .*/\1/p')
	check_seq "$first" "$final" <"$T/follow5.out"
	# ...and the burst really went through many rotations meanwhile.
	n=$(ls "$T/log" | grep -c '^flw\.log\.')
	echo "rotations: $n"
	[ "$n" -ge 30 ]
}

@test "a service killed with SIGKILL and restarted loses no line written before" {
	# Each run writes "runR seq=1", "runR seq=2"... one line per write().
	cat >"$H/run.sh" <<EOF
n=\$((\$(cat $H/runs 2>/dev/null || echo 0) + 1))
echo \$n >$H/runs
exec $SEQ -t run\$n -n 0 -k 1 -c 0 -H $H/hb\$n
EOF
	svc rs <<EOF
[service]
command = sh $H/run.sh
restart = always
restart_delay = 100ms
EOF
	start_supd
	wait_for "run 1 to write 300 lines" _hb_at_least "$H/hb1" 300
	ctl signal rs KILL
	wait_for "run 2 to write 300 lines" _hb_at_least "$H/hb2" 300
	[ "$(field rs restarts)" = 1 ]
	ctl stop rs
	wait_state rs stopped
	local h1 h2 k1 k2
	h1=$(hb "$H/hb1")
	h2=$(hb "$H/hb2")
	wait_for "run 2's lines in the log" _hb_logged "$T/log/rs.log" "$h2"

	cat_logs rs >"$T/all"
	k1=$(grep '^run1 ' "$T/all" | tail -n 1 | sed 's/^run1 seq=\([0-9]*\) .*/\1/')
	k2=$(grep '^run2 ' "$T/all" | tail -n 1 | sed 's/^run2 seq=\([0-9]*\) .*/\1/')
	echo "run 1: wrote $h1, logged $k1; run 2: wrote $h2, logged $k2"
	grep '^run1 ' "$T/all" | check_seq 1 "$k1" run1
	grep '^run2 ' "$T/all" | check_seq 1 "$k2" run2
	# Everything written before the kill is there (a kill between write()
	# and the heartbeat can add one line).
	[ "$k1" -ge "$h1" ]
	[ "$k1" -le $((h1 + 1)) ]
	[ "$k2" -ge "$h2" ]
	[ "$k2" -le $((h2 + 1)) ]
	# In order, and no other line.
	[ "$(wc -l <"$T/all")" -eq $((k1 + k2)) ]
	[ "$(grep -n '^run1 ' "$T/all" | tail -n 1 | cut -d: -f1)" -eq "$k1" ]
}

@test "reload with a new [log] config loses and repeats no line" {
	cat >"$H/run.sh" <<EOF
n=\$((\$(cat $H/runs 2>/dev/null || echo 0) + 1))
echo \$n >$H/runs
exec $SEQ -t run\$n -n 0 -k 1 -c 0 -H $H/hb\$n
EOF
	svc rl <<EOF
[service]
command = sh $H/run.sh
restart = always

[log]
max_size = 8K
max_files = 1000
EOF
	start_supd
	wait_for "run 1 to write 300 lines" _hb_at_least "$H/hb1" 300
	svc rl <<EOF
[service]
command = sh $H/run.sh
restart = always

[log]
max_size = 4K
max_files = 1000
EOF
	ctl reload
	wait_for "run 2 to write 300 lines" _hb_at_least "$H/hb2" 300
	ctl stop rl
	local h1 h2 k1 k2 f
	h1=$(hb "$H/hb1")
	h2=$(hb "$H/hb2")
	wait_for "run 2's lines in the log" _hb_logged "$T/log/rl.log" "$h2"

	cat_logs rl >"$T/all"
	k1=$(grep '^run1 ' "$T/all" | tail -n 1 | sed 's/^run1 seq=\([0-9]*\) .*/\1/')
	k2=$(grep '^run2 ' "$T/all" | tail -n 1 | sed 's/^run2 seq=\([0-9]*\) .*/\1/')
	echo "run 1: wrote $h1, logged $k1; run 2: wrote $h2, logged $k2"
	grep '^run1 ' "$T/all" | check_seq 1 "$k1" run1
	grep '^run2 ' "$T/all" | check_seq 1 "$k2" run2
	[ "$k1" -ge "$h1" ]
	[ "$k2" -ge "$h2" ]
	[ "$(wc -l <"$T/all")" -eq $((k1 + k2)) ]
	# The new max_size applies to the files written by run 2.
	for f in $(log_files rl); do
		if grep -q '^run2 ' "$f" && ! grep -q '^run1 ' "$f"; then
			[ "$(stat -c %s "$f")" -le 4096 ] ||
				{ echo "$f: larger than the new 4K"; false; }
		fi
	done
}

@test "file = none writes nothing and never blocks the service" {
	svc quiet <<EOF
[service]
command = $SEQ -n 200000 -c 65536 -H $H/hb
restart = no

[log]
file = none
EOF
	start_supd
	wait_state quiet exited
	[ "$(field quiet exit_code)" = 0 ]
	[ "$(hb "$H/hb")" = "done 200000" ]
	run ls -A "$T/log"
	[ "$output" = "" ]
	[ -z "$(find "$T" -path "$T/conf.d" -prune -o \( -name 'quiet*' -o -name none \) -print)" ]
}

_console_lines() {
	[ "$(grep -c '^cons | ' "$T/supd.out")" -eq "$1" ]
}

@test "console = yes copies each line as 'NAME | line' to supd's stdout" {
	svc cons <<EOF
[service]
command = $SEQ -n 500 -c 1000
restart = no

[log]
console = yes
EOF
	svc silent <<EOF
[service]
command = $SEQ -n 10 -t silent
restart = no
EOF
	start_supd
	wait_state cons exited
	wait_state silent exited
	wait_for "500 console lines" _console_lines 500
	wait_for "the log to be complete" _last_seq_is "$T/log/cons.log" 500
	wait_for "silent's log" _last_seq_is "$T/log/silent.log" 10

	grep '^cons | ' "$T/supd.out" | sed 's/^cons | //' | check_seq 1 500
	# Same lines as the file, and nothing from a console = no service.
	diff <(grep '^cons | ' "$T/supd.out" | sed 's/^cons | //') "$T/log/cons.log"
	refute grep -q 'silent' "$T/supd.out"
}

_sizes() {
	local f
	for f in $(log_files blob); do
		stat -c '%n %s' "$f"
	done
}

# The bound holds: every file <= 64K, total <= 64K * (3 + 1), only .1-.3.
_bounded() {
	local total=0 name size
	while read -r name size; do
		[ "$size" -le 65536 ] || { echo "$name: $size" >&2; return 1; }
		total=$((total + size))
	done < <(_sizes)
	[ "$total" -le $((65536 * 4)) ] || { echo "total $total" >&2; return 1; }
	[ -z "$(ls "$T/log" | grep -v -x -e blob.log -e 'blob.log.[123]')" ]
}

_settled() {
	local a
	a=$(_sizes)
	sleep 0.2
	[ "$a" = "$(_sizes)" ]
}

@test "2 MiB without a newline: disk use stays bounded, supd stays up" {
	svc blob <<EOF
[service]
command = $BLOB -H $H/hb 2097152
restart = no

[log]
max_size = 64K
max_files = 3
EOF
	start_supd
	# Check the bound all along while the writer writes.
	local deadline=$(($(mono_ms) + WAIT_SECS * 1000))
	until _hb_done "$H/hb"; do
		_bounded
		kill -0 "$SUPD_PID"
		[ "$(mono_ms)" -lt "$deadline" ] ||
			{ echo "writer never finished"; false; }
		sleep 0.02
	done
	wait_for "the log to settle" _settled
	_sizes
	_bounded
	kill -0 "$SUPD_PID"
	[ "$(state blob)" = running ]
	# It was logged, not thrown away: the kept files are full.
	local i
	for i in 1 2 3; do
		[ "$(stat -c %s "$T/log/blob.log.$i")" -gt 60000 ]
	done
	# x's only (a marker line or two aside).
	[ "$(cat_logs blob | tr -d x | wc -c)" -le 1024 ]
}

_comm_is() {
	[ "$(cat "/proc/$(field "$1" pid)/comm" 2>/dev/null)" = "$2" ]
}

@test "a run's unfinished last line is ended, not joined to the next run's" {
	svc part <<INI
[service]
command = sh -c 'n=\$(cat $H/runs 2>/dev/null || echo 0); n=\$((n+1)); echo \$n > $H/runs; printf "run \$n no newline"; [ \$n -ge 3 ] && exec sleep 100; exit 1'
restart = on-failure
restart_delay = 50ms
INI
	start_supd
	wait_state part running
	# Run 3 is still running: its line is held until a newline or its end.
	wait_for "run 2's line ended" grep -qx "run 2 no newline" "$T/log/part.log"
	run cat "$T/log/part.log"
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = "run 1 no newline" ]
	[ "${lines[1]}" = "run 2 no newline" ]
	# Run 3 has printed its line: it has become `sleep`.
	wait_for "run 3 to sleep" _comm_is part sleep
	ctl stop part
	run cat "$T/log/part.log"
	[ "${lines[2]}" = "run 3 no newline" ]
}

# ---- issue 8, item 3: files under others' hands, modes, a stalled console ---

@test "a log file removed or renamed by someone else is replaced by a fresh NAME.log; a rename loses no line" {
	svc mv <<EOF
[service]
command = $SEQ -n 0 -k 50
EOF
	start_supd
	wait_for "a few lines" _has_lines "$T/log/mv.log" 5
	# Removed: what was written to it is gone with it; a new one follows.
	rm "$T/log/mv.log"
	wait_for "a fresh mv.log after rm" _has_lines "$T/log/mv.log" 5
	# Renamed: supd writes on into the renamed file until it notices,
	# then into a fresh one.
	mv "$T/log/mv.log" "$T/log/mv.moved"
	wait_for "a fresh mv.log after mv" _has_lines "$T/log/mv.log" 5
	ctl stop mv
	local first last
	first=$(first_seq "$T/log/mv.moved")
	last=$(last_seq "$T/log/mv.log")
	echo "mv.moved from seq $first, mv.log up to $last"
	[ "$first" -gt 1 ]
	cat "$T/log/mv.moved" "$T/log/mv.log" | check_seq "$first" "$last"
}

@test "logrotate (create, then nocreate) rotates a live log: supd writes on into the new NAME.log, no line lost" {
	# contrib/ensure-deps.sh test installs it.
	command -v logrotate
	svc lr <<EOF
[service]
command = $SEQ -n 0 -k 50
EOF
	cat >"$T/lr.conf" <<EOF
$T/log/lr.log {
	rotate 5
	missingok
	nocompress
	create 0640 root root
}
EOF
	start_supd
	wait_for "a few lines" _has_lines "$T/log/lr.log" 5
	# create: logrotate renames lr.log to lr.log.1 and makes an empty lr.log.
	logrotate -f -s "$T/lr.state" "$T/lr.conf"
	[ -s "$T/log/lr.log.1" ]
	wait_for "supd to write into logrotate's lr.log" \
	    _has_lines "$T/log/lr.log" 5
	# nocreate: only the rename; supd creates lr.log itself.
	sed -i 's/create 0640 root root/nocreate/' "$T/lr.conf"
	logrotate -f -s "$T/lr.state" "$T/lr.conf"
	[ -s "$T/log/lr.log.2" ]
	wait_for "supd to make a new lr.log" _has_lines "$T/log/lr.log" 5
	ctl stop lr
	ls -l "$T/log"
	[ "$(stat -c %a "$T/log/lr.log")" = 640 ]
	cat "$T/log/lr.log.2" "$T/log/lr.log.1" "$T/log/lr.log" |
	    check_seq 1 "$(last_seq "$T/log/lr.log")"
}

@test "log files are created with mode 0640 (supd under umask 0: the mode is its own): NAME.log, NAME.err.log, rotated ones" {
	svc perm <<EOF
[service]
command = sh -c 'echo to-stderr >&2; exec $SEQ -n 1000 -w'

[log]
stderr = separate
max_size = 64K
EOF
	# umask 0 for supd: the mode is supd's choice alone.
	umask 000
	start_supd
	umask 022
	wait_for "a rotation" test -s "$T/log/perm.log.1"
	wait_for "the last line" _last_seq_is "$T/log/perm.log" 1000
	wait_for "the stderr line" grep -qx to-stderr "$T/log/perm.err.log"
	ls -l "$T/log"
	[ "$(stat -c %a "$T/log/perm.log")" = 640 ]
	[ "$(stat -c %a "$T/log/perm.log.1")" = 640 ]
	[ "$(stat -c %a "$T/log/perm.err.log")" = 640 ]
}

@test "a symlink planted at the log path is refused, never followed; supd says so, runs on, and resumes once it is gone" {
	echo untouched >"$T/target"
	echo untouched >"$T/target2"
	ln -s "$T/target" "$T/log/sym.log"
	svc sym <<EOF
[service]
command = $SEQ -n 0 -k 50
EOF
	svc other <<EOF
[service]
command = $SEQ -n 0 -k 50
EOF
	start_supd
	local err="sym: log $T/log/sym.log: Too many levels of symbolic links"
	# Refused, or (wrongly) followed: whichever comes first.
	wait_for "supd to try sym.log" _tried "$err" "$T/target"
	[ "$(cat "$T/target")" = untouched ]
	[ -L "$T/log/sym.log" ]
	grep -qF "$err" "$T/supd.err"
	# supd and the other service carry on.
	[ "$(state sym)" = running ]
	wait_for "other's log" _has_lines "$T/log/other.log" 5
	# Gone: the held lines land in a real file (when_full = block).
	rm "$T/log/sym.log"
	wait_for "a real sym.log" _has_lines "$T/log/sym.log" 5
	[ ! -L "$T/log/sym.log" ]
	grep -qF "sym: log $T/log/sym.log writable again" "$T/supd.err"
	# Planted in place of the open file (renamed over it, the file kept as
	# sym.moved): noticed, refused again.
	ln "$T/log/sym.log" "$T/log/sym.moved"
	ln -s "$T/target2" "$T/log/sym.tmp"
	mv -T "$T/log/sym.tmp" "$T/log/sym.log"
	[ -L "$T/log/sym.log" ]
	wait_for "the second refusal" _count_is 2 grep -cF "$err" "$T/supd.err"
	rm "$T/log/sym.log"
	wait_for "a real sym.log again" _has_lines "$T/log/sym.log" 5
	ctl stop sym
	[ "$(cat "$T/target")" = untouched ]
	[ "$(cat "$T/target2")" = untouched ]
	# Nothing lost on the way: seq 1 on, once each, in order.
	cat "$T/log/sym.moved" "$T/log/sym.log" |
	    check_seq 1 "$(last_seq "$T/log/sym.log")"
	kill -0 "$SUPD_PID"
}

# _tried ERR TARGET: supd logged ERR, or wrote to TARGET.
_tried() {
	grep -qF "$1" "$T/supd.err" || [ "$(cat "$2")" != untouched ]
}

# _count_is N CMD...: CMD prints N.
_count_is() {
	local n=$1
	shift
	[ "$("$@")" = "$n" ]
}

@test "console = yes with supd's stdout on a pipe nobody reads: copies are dropped, never waited for; the log is whole" {
	svc cons <<EOF
[service]
command = $SEQ -n 20000 -c 1000
restart = no

[log]
console = yes
EOF
	start_supd_stalled
	# 2 MB of copies for a 64 KiB pipe: supd must drop, not wait.
	WAIT_SECS=30 wait_for "the whole log" _last_seq_is "$T/log/cons.log" 20000
	check_seq 1 20000 <"$T/log/cons.log"
	run ctl_within 5 --json status cons
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].state' <<<"$output")" = exited ]
	# The pipe was full of copies, the rest were dropped.
	stalled_read out >"$T/cons.out"
	local n
	n=$(grep -c '^cons | seq=' "$T/cons.out")
	echo "$n copies were waiting"
	[ "$n" -ge 300 ]
	[ "$n" -lt 20000 ]
	stalled_drain
	stop_supd
	[ "$SUPD_STATUS" -eq 0 ]
}

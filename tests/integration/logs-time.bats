#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# logs-time.bats: supctl logs --since / --until / -t (man/supctl.1), on the
# times timestamps = yes writes at the start of each line, and for every
# service on the time index supd keeps next to each log file (.NAME.log.idx).
# The stamped log file is seeded before supd starts with lines stamped at
# known times (supd appends to it), so each window is checked against fixed
# times, not the clock; the index's times are checked against the clock
# read between two lines.

bats_require_minimum_version 1.5.0

load common

setup() {
	setup_supd
	# lines 0..9 at 2020-01-01T00:00:0N.500Z
	local i
	for i in 0 1 2 3 4 5 6 7 8 9; do
		printf '2020-01-01T00:00:0%d.500Z old=%d\n' "$i" "$i"
	done >"$T/log/lg.log"
	cat >"$T/conf.d/lg.ini" <<'EOF2'
[service]
command = /bin/sh -c 'echo now=1; exec sleep 1000'
[log]
timestamps = yes
EOF2
	cat >"$T/conf.d/plain.ini" <<'EOF2'
[service]
command = /bin/sh -c 'echo plain; exec sleep 1000'
EOF2
	# A log an older supd wrote: no index for these lines.
	echo 'from an older supd' >"$T/log/plain.log"
}

teardown() {
	teardown_supd
}

# olds OUTPUT: the N of the old=N lines in it, space-separated.
olds() {
	printf '%s\n' "$1" | sed -n 's/.* old=\([0-9]\)$/\1/p' | tr '\n' ' '
}

has_now() { ctl logs lg | grep -q ' now=1$'; }

@test "logs --since / --until: the lines stamped in the window, whatever form the time takes" {
	start_supd
	wait_for "lg's first line" has_now
	run -0 ctl logs --since 2020-01-01T00:00:03Z lg
	[ "$(olds "$output")" = "3 4 5 6 7 8 9 " ]
	[[ "$output" == *" now=1" ]]
	run -0 ctl logs --until 2020-01-01T00:00:05.600Z lg
	[ "$(olds "$output")" = "0 1 2 3 4 5 " ]
	refute grep -q now= <<<"$output"
	run -0 ctl logs --since 2020-01-01T00:00:03Z --until 2020-01-01T00:00:05.600Z lg
	[ "$(olds "$output")" = "3 4 5 " ]
	# An offset, a unix time (seconds), a duration back from now.
	run -0 ctl logs --since 2020-01-01T01:00:06+01:00 --until 2019-12-31T19:00:07.9-05:00 lg
	[ "$(olds "$output")" = "6 7 " ]
	run -0 ctl logs --since 1577836808 lg
	[ "$(olds "$output")" = "8 9 " ]
	run -0 ctl logs --since 10m lg
	[ "$(olds "$output")" = "" ]
	[[ "$output" == *" now=1" ]]
	# -n still counts lines, from the end of the window.
	run -0 ctl logs -n 2 --until 2020-01-01T00:00:05.600Z lg
	[ "$(olds "$output")" = "4 5 " ]
	# -t: the lines with their time (here as stored).
	run -0 ctl logs -t lg
	[[ "${lines[0]}" == "2020-01-01T00:00:00.500Z old=0" ]]
}

@test "logs --since/--until/-t: refused where they cannot be honoured" {
	start_supd
	wait_for "plain's line" sh -c "$(printf %q "$SUPCTL") -s $(printf %q "$SOCK") logs plain | grep -q plain"
	# Lines of a log written without a time index: a clear error, not
	# silence; the lines supd wrote since have their time.
	run -1 ctl logs -t plain
	[[ "$output" == *"plain: plain.log has lines from before its time index (written by an older supd): --since, --until and -t cannot place them"* ]]
	run -1 ctl logs --since 1m plain
	[[ "$output" == *"plain.log has lines from before its time index"* ]]
	run -0 ctl logs -n 1 -t plain
	[[ "$output" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}000000Z\ plain$ ]]
	# A rotated file without its index.
	ctl stop plain
	mv "$T/log/plain.log" "$T/log/plain.log.1"
	ctl start plain
	wait_for "plain's line" sh -c "$(printf %q "$SUPCTL") -s $(printf %q "$SOCK") logs -n 1 plain | grep -q plain"
	run -1 ctl logs --since 2020-01-01T00:00:00Z plain
	[[ "$output" == *"plain: plain.log.1 has no time index (written by an older supd)"* ]]
	run -2 ctl logs --since yesterday lg
	[[ "$output" == *"yesterday: not a time"* ]]
	run -2 ctl logs -f --until 1m lg
	[[ "$output" == *"--until"*"not with -f"* ]]
	run -2 ctl logs --since 2020-13-01T00:00:00Z lg
	run -2 ctl logs --since 2020-01-01T00:00:00 lg
	run -2 ctl status -t
}

# ---- the time index: every service --------------------------------------

# now_ms: the wall clock in ms; iso MS: its RFC 3339 form, in ms.
now_ms() { date +%s%3N; }
iso() { date -u -d "@$(($1 / 1000)).$(printf %03d $(($1 % 1000)))" +%Y-%m-%dT%H:%M:%S.%3NZ; }
# clock_past MS: the wall clock is past MS.
clock_past() { [ "$(now_ms)" -gt "$1" ]; }
has_log() { grep -qx -- "$2" "$T/log/$1.log"; }
DOCKER_TS='[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}000000Z'

# A service without timestamps that logs "first", then "second" on
# SIGUSR1, "third" on SIGUSR2.
ev_service() {
	cat >"$T/conf.d/ev.ini" <<'EOF2'
[service]
command = /bin/sh -c 'exec 2>/dev/null; trap "echo second" USR1; trap "echo third" USR2; echo first; while :; do sleep 1000 & wait $!; kill $! 2>/dev/null; done'
EOF2
}

@test "logs --since/--until/-t for a service without timestamps: each line's time is when supd read it (.NAME.log.idx)" {
	ev_service
	start_supd
	wait_for "ev's first line" has_log ev first
	local mid t0 t1
	mid=$(now_ms)
	# The next line comes at a later millisecond than the cut.
	wait_for "the clock to pass the cut" clock_past $((mid + 20))
	ctl signal ev USR1
	wait_for "ev's second line" has_log ev second
	[ -f "$T/log/.ev.log.idx" ]
	run -0 ctl logs --since "$(iso "$mid")" ev
	[ "$output" = second ]
	run -0 ctl logs --until "$(iso "$mid")" ev
	[ "$output" = first ]
	# -t: docker's form, the time of each line, on the right side of the cut.
	run -0 ctl logs -t ev
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" =~ ^$DOCKER_TS\ first$ ]]
	[[ "${lines[1]}" =~ ^$DOCKER_TS\ second$ ]]
	t0=$(date -d "${lines[0]%% *}" +%s%3N)
	t1=$(date -d "${lines[1]%% *}" +%s%3N)
	[ "$t0" -le "$mid" ]
	[ "$t1" -gt "$mid" ]
	[ "$t1" -le "$(now_ms)" ]
	run -0 ctl logs -t -n 1 ev
	[[ "$output" =~ ^$DOCKER_TS\ second$ ]]
	# -f -t: what follows is stamped as it comes.
	ctl logs -f -t -n 0 ev >"$T/follow.out" 2>&1 &
	local fpid=$!
	wait_for "the follower to be there" sh -c "[ \$($(printf %q "$SUPCTL") -s $(printf %q "$SOCK") --json status ev | jq length) = 1 ]"
	ctl signal ev USR2
	wait_for "the followed line" grep -qE "^$DOCKER_TS third\$" "$T/follow.out"
	kill "$fpid"
	wait "$fpid" || true
}

@test "time index: rotated, pruned with its log file; read across files; whole records" {
	cat >"$T/conf.d/rot.ini" <<EOF2
[service]
command = /bin/sh -c 'i=0; while [ \$i -lt 60 ]; do echo line-\$i-padding-padding; i=\$((i+1)); done; exec sleep 1000'
[log]
max_size = 300
max_files = 3
EOF2
	start_supd
	wait_for "the last line" has_log rot line-59-padding-padding
	local f
	for f in rot.log rot.log.1 rot.log.2 rot.log.3; do
		[ -f "$T/log/$f" ]
		[ -f "$T/log/.$f.idx" ]
		# An index: the header, then whole 16-byte records, none past its log.
		[ "$(head -c 8 "$T/log/.$f.idx")" = supdlidx ]
		[ $((($(stat -c %s "$T/log/.$f.idx") - 16) % 16)) -eq 0 ]
	done
	[ ! -e "$T/log/rot.log.4" ]
	[ ! -e "$T/log/.rot.log.4.idx" ]
	run -0 ctl logs -t --since 10m rot
	[ "${#lines[@]}" -ge 20 ]
	[[ "${lines[-1]}" =~ ^$DOCKER_TS\ line-59-padding-padding$ ]]
	refute grep -qvE "^$DOCKER_TS line-[0-9]+-padding-padding\$" <<<"$output"
	# max_files down: a pruned file's index goes with it.
	sed -i 's/max_files = 3/max_files = 1/' "$T/conf.d/rot.ini"
	ctl stop rot
	ctl reload
	[ ! -e "$T/log/.rot.log.2.idx" ]
	[ ! -e "$T/log/.rot.log.3.idx" ]
	[ -f "$T/log/.rot.log.1.idx" ]
}

@test "time index, hostile: a symlink planted at the index is never followed; a corrupt or truncated index is an error, not a crash" {
	echo precious >"$T/outside"
	ln -s "$T/outside" "$T/log/.sym.log.idx"
	cat >"$T/conf.d/sym.ini" <<EOF2
[service]
command = /bin/sh -c 'echo hello; exec sleep 1000'
[log]
when_full = drop
EOF2
	ev_service
	start_supd
	wait_for "ev's first line" has_log ev first
	# supd neither writes through the link nor logs without a time.
	wait_for "supd's warning" grep -q "sym: time index of .*sym.log: Too many levels of symbolic links" "$T/supd.err"
	[ "$(cat "$T/outside")" = precious ]
	[ -L "$T/log/.sym.log.idx" ]
	# A reader never follows one either.
	ctl signal ev USR1
	wait_for "ev's second line" has_log ev second
	ctl stop ev
	mv "$T/log/.ev.log.idx" "$T/ev.idx"
	ln -s "$T/ev.idx" "$T/log/.ev.log.idx"
	run -1 ctl logs -t ev
	[[ "$output" == *".ev.log.idx: "*"symbolic links"* ]]
	rm "$T/log/.ev.log.idx"
	# Garbage, a torn header, a record past the end of its log.
	printf 'not an index at all' >"$T/log/.ev.log.idx"
	run -1 ctl logs -t ev
	[[ "$output" == *"ev: .ev.log.idx: not a time index (corrupt or truncated)"* ]]
	head -c 10 "$T/ev.idx" >"$T/log/.ev.log.idx"
	run -1 ctl logs --since 1m ev
	[[ "$output" == *".ev.log.idx: not a time index"* ]]
	{ head -c 16 "$T/ev.idx"; printf '\377\377\377\377\0\0\0\0\1\0\0\0\0\0\0\0'; } >"$T/log/.ev.log.idx"
	run -1 ctl logs -t ev
	[[ "$output" == *".ev.log.idx: corrupt time index"* ]]
	# Records out of order (offsets 0, 3, 1): found once the lookup of a
	# later line reads them.
	{ head -c 16 "$T/ev.idx"; printf '\0\0\0\0\0\0\0\0\1\0\0\0\0\0\0\0\3\0\0\0\0\0\0\0\1\0\0\0\0\0\0\0\1\0\0\0\0\0\0\0\1\0\0\0\0\0\0\0'; } >"$T/log/.ev.log.idx"
	run -1 ctl logs -t ev
	[[ "$output" == *".ev.log.idx: corrupt time index"* ]]
	ctl status ev >/dev/null
	# Started again, supd makes it an index again.
	ctl start ev
	wait_for "a fresh index" sh -c "[ \"\$(head -c 8 $T/log/.ev.log.idx)\" = supdlidx ]"
}

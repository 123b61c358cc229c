#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# janitor.bats: supd's janitor (src/janitor.c), the one child that frees
# what would hold supd's loop: here the rotated-out logs' blocks, handed
# over as fds (image.bats checks the scratch's trash). The log directory is
# a tmpfs of its own, whose used blocks count the files unlinked but still
# open: a file is freed when its last fd goes, and that fd must be the
# janitor's.

load common
load logs-common

# The service w writes $(cat $T/n) numbered lines fast, then sleeps:
# 64K files, two kept, so each 20000 lines (2 MB) doom about 30 files.
w_svc() {
	mkdir -p "$T/log"
	mount -t tmpfs -o size=64m supd-test-log "$T/log"
	SMALL=$T/log	# teardown: supd ended, then unmounted
	echo "$1" >"$T/n"
	svc w <<EOF
[service]
command = sh -c '$SEQ -n \$(cat $T/n) -c 100000; exec sleep 1000'
restart = no

[log]
max_size = 64K
max_files = 2
[isolation]
namespaces = none
EOF
}

# A new burst of N lines: w restarted, its last line awaited.
burst() {
	echo "$1" >"$T/n"
	ctl restart w >/dev/null
	wait_for "w's $1 lines" _last_seq_is "$T/log/w.log" "$1"
}

# supd's child named supd-janitor, if any.
janitor_pid() {
	ps -o pid=,comm= --ppid "$SUPD_PID" | awk '$2 == "supd-janitor" { print $1 }'
}

# Bytes used on the log tmpfs, unlinked files still open included.
used() {
	stat -f -c '%b %f %S' "$T/log" | awk '{ print ($1 - $2) * $3 }'
}

# The kept files only (w.log and two 64K ones, their indexes): under 1 MiB.
_freed() {
	local u
	u=$(used)
	echo "used on the log tmpfs: $u bytes"
	[ "$u" -lt 1048576 ]
}

# Files of the log directory, unlinked, open in process PID.
held_deleted() {
	find "/proc/$1/fd" -lname "$T/log/* (deleted)" 2>/dev/null | wc -l
}

_holds_none() { [ "$(held_deleted "$1")" -eq 0 ]; }

@test "the oldest logs go to one janitor (supd-janitor, supd's child, nice 19, kept): stopped, it keeps their blocks; continued, it frees them" {
	w_svc 20000
	start_supd
	wait_for "w's 20000 lines" _last_seq_is "$T/log/w.log" 20000
	local j
	j=$(janitor_pid)
	echo "janitor: '$j'"
	[ -n "$j" ]
	[ "$(ps -o ni= -p "$j" | tr -d ' ')" = 19 ]
	wait_for "the doomed files freed" _freed
	# Stopped, the janitor cannot drop what it is handed: the files
	# rotated out meanwhile keep their blocks (supd's close was not the
	# last), and supd holds none of them.
	kill -STOP "$j"
	burst 20001
	echo "used with the janitor stopped: $(used) bytes"
	[ "$(used)" -gt 1048576 ]
	[ "$(held_deleted "$SUPD_PID")" -eq 0 ]
	kill -CONT "$j"
	wait_for "the doomed files freed" _freed
	# The same janitor served both bursts; nothing deleted is left open.
	[ "$(janitor_pid)" = "$j" ]
	[ "$(held_deleted "$j")" -eq 0 ]
	[ "$(held_deleted "$SUPD_PID")" -eq 0 ]
}

@test "the janitor killed: supd says so, the next rotation starts another, and the files are freed" {
	w_svc 20000
	start_supd
	wait_for "w's 20000 lines" _last_seq_is "$T/log/w.log" 20000
	local j1 j2
	j1=$(janitor_pid)
	[ -n "$j1" ]
	kill -KILL "$j1"
	wait_for "supd to say the janitor ended" \
		grep -q "supd: janitor: ended; started again when needed" "$T/supd.err"
	[ -z "$(janitor_pid)" ]
	burst 20001
	j2=$(janitor_pid)
	echo "janitors: $j1, then '$j2'"
	[ -n "$j2" ]
	[ "$j2" != "$j1" ]
	wait_for "the doomed files freed" _freed
	[ "$(held_deleted "$SUPD_PID")" -eq 0 ]
	ctl status w >/dev/null
}

@test "hostile: 300 rotations with the janitor stopped: supd never waits for it, says once that it frees them itself, and all is freed once it goes on" {
	w_svc 5000
	start_supd
	wait_for "w's 5000 lines" _last_seq_is "$T/log/w.log" 5000
	local j
	j=$(janitor_pid)
	[ -n "$j" ]
	kill -STOP "$j"
	echo 200000 >"$T/n"
	ctl restart w >/dev/null
	# supd answers all along: its requests to the janitor never block.
	ctl_within 5 status w >/dev/null
	wait_for "w's 200000 lines" _last_seq_is "$T/log/w.log" 200000
	ctl_within 5 status w >/dev/null
	grep "janitor:" "$T/supd.err" || true
	[ "$(grep -c "supd: janitor: unreachable, files freed in supd's loop" "$T/supd.err")" -eq 1 ]
	[ "$(held_deleted "$SUPD_PID")" -eq 0 ]
	kill -CONT "$j"
	wait_for "the doomed files freed" _freed
	[ "$(janitor_pid)" = "$j" ]
	# The last batch's go was lost with the queue full: the janitor drops
	# it a second after its last message.
	wait_for "the janitor's last batch dropped" _holds_none "$j"
	cat_logs w | tail -n 1 | grep -q 'seq=200000 '
}

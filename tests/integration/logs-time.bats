#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# logs-time.bats: supctl logs --since / --until / -t (man/supctl.1), on the
# times timestamps = yes writes at the start of each line. The log file is
# seeded before supd starts with lines stamped at known times (supd appends
# to it), so each window is checked against fixed times, not the clock.

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
	run -1 ctl logs -t plain
	[[ "$output" == *"plain: its log lines have no time"*"timestamps = yes"* ]]
	run -1 ctl logs --since 1m plain
	[[ "$output" == *"its log lines have no time"* ]]
	run -2 ctl logs --since yesterday lg
	[[ "$output" == *"yesterday: not a time"* ]]
	run -2 ctl logs -f --until 1m lg
	[[ "$output" == *"--until"*"not with -f"* ]]
	run -2 ctl logs --since 2020-13-01T00:00:00Z lg
	run -2 ctl logs --since 2020-01-01T00:00:00 lg
	run -2 ctl status -t
}

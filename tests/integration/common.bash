# SPDX-License-Identifier: ISC
# common.bash: what every integration test shares. Each test gets a private
# supd (temp conf dir, socket, logs, state) driven only through supctl, and
# waits on conditions with deadlines -- never a bare sleep.
#
#   setup_supd            make $T with supd.conf, conf.d/, log/, state/; the
#                         socket is $SOCK, in a directory of its own ($T/run:
#                         supd hides it from services, so nothing of the
#                         test's may live there)
#   svc NAME <<EOF        write conf.d/NAME.ini from stdin
#   start_supd [ARGS]     start supd in the background (under $SUPD_WRAP, if set),
#                         wait for its socket
#   ctl ARGS...           supctl -s $SOCK ARGS...
#   state NAME            the service's state (from --json status)
#   field NAME KEY        any key of its --json status object
#   wait_for [--show SH] DESC CMD...
#                         run CMD until it succeeds; fail after $WAIT_SECS,
#                         saying DESC and what shell code SH prints then
#   mono_ms               milliseconds since boot: deadlines that a test
#                         setting the wall clock (faults.bats) cannot move
#   $MONO_NS              a command printing CLOCK_MONOTONIC in ns: time
#                         durations with it, never with `date +%s%N`
#   wait_state NAME ST    wait until NAME is in state ST
#   field_is NAME KEY V   (and field_isnt, lines_are FILE N) conditions for wait_for
#   refute CMD...         fails if CMD succeeds (never a bare "! CMD")
#   zombies_under [--tree] PID
#                         the zombies whose parent is PID (--tree: anywhere
#                         under PID), one pid a line
#   no_zombies_under [--tree] PID
#                         fails, naming them, if there is one
#   stop_supd             SIGTERM supd and wait for it to exit (status in $SUPD_STATUS)
#   end_supd              SIGTERM supd, SIGKILL after 15 s; status checked later
#   teardown_supd         end_supd and clean up; fails the test when supd did
#                         not exit 0 on SIGTERM or a sanitizer reported anything
#                         (a suite's teardown must return its status)
#
# What a test expects of supd's end (reset for each test by setup_supd):
#   SUPD_EXIT_EXPECTED    supd's exit status after SIGTERM, in stop_supd and
#                         teardown_supd: 0 unless the test sets a number, or
#                         "any" (then a supd gone on its own is fine too)
#   SUPD_SANITIZER_EXPECTED  set to 1 by a test that makes supd crash on
#                         purpose: its sanitizer report does not fail the test

B=${SUPD_BUILD:?SUPD_BUILD must name the build directory}
SUPD=$B/supd
SUPCTL=$B/supctl
HELPERS=$B/helpers
WAIT_SECS=${WAIT_SECS:-10}
MONO_NS=$HELPERS/mono_ns

setup_supd() {
	T=$(mktemp -d /tmp/supd-test.XXXXXX)
	SOCK=$T/run/supd.sock
	mkdir -p "$T/conf.d" "$T/log" "$T/state" "$T/run"
	cat >"$T/supd.conf" <<CONF
[supd]
conf_dir = $T/conf.d
socket = $SOCK
log_dir = $T/log
state_dir = $T/state
shutdown_timeout = 10s
CONF
	SUPD_PID=
	SUPD_STATUS=
	SUPD_EXIT_EXPECTED=0
	SUPD_SANITIZER_EXPECTED=
	SUPD_EXIT_ERRORS=
	# Every sanitized program the test runs (supd, supctl, the helpers)
	# writes its AddressSanitizer and LeakSanitizer reports into
	# $T/sanitizer/, where teardown_supd looks: a supctl's stderr is often
	# discarded. World-writable for the tests that run supctl as nobody.
	# UBSan ignores log_path and writes to stderr (supd.err is searched
	# too); it aborts the program (-fno-sanitize-recover), which a test
	# sees. The options are read only by a sanitized build.
	mkdir -m 1777 "$T/sanitizer"
	export ASAN_OPTIONS=${_SUPD_ASAN_OPTIONS=${ASAN_OPTIONS:-}}${_SUPD_ASAN_OPTIONS:+:}log_path=$T/sanitizer/asan
	export UBSAN_OPTIONS=${_SUPD_UBSAN_OPTIONS=${UBSAN_OPTIONS:-}}${_SUPD_UBSAN_OPTIONS:+:}print_stacktrace=1
}

svc() {
	cat >"$T/conf.d/$1.ini"
}

start_supd() {
	${SUPD_WRAP:-} "$SUPD" -c "$T/supd.conf" "$@" >"$T/supd.out" 2>"$T/supd.err" &
	SUPD_PID=$!
	wait_for "supd socket" test -S "$SOCK"
}

ctl() {
	"$SUPCTL" -s "$SOCK" "$@"
}

field() {
	ctl --json status "$1" | jq -r ".[0].$2"
}

state() {
	field "$1" state
}

# /proc/uptime (CLOCK_BOOTTIME, in 10 ms steps), read without a fork.
mono_ms() {
	local up
	read -r up _ </proc/uptime
	echo $((${up%.*} * 1000 + 10#${up#*.} * 10))
}

# wait_for [--show SH] DESC CMD...: CMD's output is discarded. SH is shell
# code (eval'd, so quote what it names: --show "state $(printf %q "$n")")
# run only on a timeout, so that the message shows the value at the end of
# the wait, not at its start: "... waiting for: DESC (now: OUTPUT)".
wait_for() {
	local show= desc deadline now
	if [ "$1" = --show ]; then
		show=$2
		shift 2
	fi
	desc=$1
	shift
	deadline=$(($(mono_ms) + WAIT_SECS * 1000))
	until "$@" >/dev/null 2>&1; do
		if [ "$(mono_ms)" -gt "$deadline" ]; then
			if [ -n "$show" ]; then
				now=$(eval "$show" 2>&1 | tr '\n' ' ')
				desc="$desc (now: ${now% })"
			fi
			echo "timed out after ${WAIT_SECS}s waiting for: $desc" >&2
			return 1
		fi
		sleep 0.02
	done
}

# refute CMD...: fail if CMD succeeds (a bare "! CMD" line never fails a
# test: bash's errexit ignores a negated command; tests/lint-bats.sh
# rejects one that is not a function's last statement).
refute() {
	if "$@"; then
		echo "unexpectedly succeeded: $*"
		return 1
	fi
	return 0
}

# For wait_for: a condition evaluated anew on each try (never write
# `wait_for D test "$(field ...)" = X`: the $(...) runs only once).
field_is() {
	[ "$(field "$1" "$2")" = "$3" ]
}

field_isnt() {
	[ "$(field "$1" "$2")" != "$3" ]
}

lines_are() {
	[ "$(wc -l <"$1" 2>/dev/null)" = "$2" ]
}

_state_is() {
	[ "$(state "$1")" = "$2" ]
}

wait_state() {
	wait_for --show "state $(printf %q "$1")" "$1 to be $2" \
		_state_is "$1" "$2"
}

_gone() {
	! kill -0 "$1" 2>/dev/null
}

# Zombies are read from each /proc/PID/stat on its own: one awk over the
# /proc/[0-9]*/stat glob exits 2 when a process ends between the glob and
# the read, and `! awk ...` took that for "no zombie". A pid that vanishes
# is skipped. The fields after the last ") " (comm may hold anything) are
# state, ppid, ...; pids are those of the test's /proc, so a supd in a pid
# namespace of its own is named by its pid outside.
zombies_under() {
	local tree= root f line pid rest st pp n
	local -A parent=()
	local -a zombies=()
	if [ "$1" = --tree ]; then
		tree=1
		shift
	fi
	root=$1
	for f in /proc/[0-9]*/stat; do
		{ read -r line <"$f"; } 2>/dev/null || continue
		pid=${line%% (*}
		rest=${line##*) }
		st=${rest%% *}
		rest=${rest#* }
		pp=${rest%% *}
		parent[$pid]=$pp
		[ "$st" = Z ] && zombies+=("$pid")
	done
	for pid in "${zombies[@]}"; do
		pp=${parent[$pid]}
		# --tree: climb from the zombie's parent towards PID 1.
		n=0
		while [ -n "$tree" ] && [ "$pp" != "$root" ] &&
			[ -n "${parent[$pp]:-}" ] && [ $((n += 1)) -lt 1000 ]; do
			pp=${parent[$pp]}
		done
		[ "$pp" = "$root" ] && echo "$pid"
	done
	return 0
}

no_zombies_under() {
	local z
	z=$(zombies_under "$@")
	[ -z "$z" ] && return 0
	echo "zombie(s) under ${*: -1}:" $z >&2
	return 1
}

# check_supd_exit STATUS WHEN: supd's exit status after a SIGTERM of ours
# against SUPD_EXIT_EXPECTED; a mismatch is kept in SUPD_EXIT_ERRORS, which
# fails the test in teardown_supd.
check_supd_exit() {
	[ "${SUPD_EXIT_EXPECTED:-0}" = any ] && return 0
	[ "$1" = "${SUPD_EXIT_EXPECTED:-0}" ] && return 0
	SUPD_EXIT_ERRORS="${SUPD_EXIT_ERRORS:+$SUPD_EXIT_ERRORS; }supd exited $1 $2 (expected ${SUPD_EXIT_EXPECTED:-0})"
	return 1
}

stop_supd() {
	SUPD_STATUS=
	[ -n "$SUPD_PID" ] || return 0
	kill -TERM "$SUPD_PID" 2>/dev/null || true
	wait_for "supd $SUPD_PID to exit" _gone "$SUPD_PID" || return 1
	wait "$SUPD_PID"
	SUPD_STATUS=$?
	SUPD_PID=
	check_supd_exit "$SUPD_STATUS" "after SIGTERM in stop_supd" || true
}

# The sanitizer reports of this test: $T/sanitizer/* (log_path, see
# setup_supd) and any in supd's stderr (a supd started with another
# environment). Prints them; fails if there is one.
_no_sanitizer_report() {
	local f found=
	for f in "$T"/sanitizer/*; do
		[ -f "$f" ] || continue
		echo "--- sanitizer report $(basename "$f") ---"
		head -n 60 "$f"
		found=1
	done
	for f in "$T"/supd.err*; do
		[ -f "$f" ] || continue
		if grep -q -E 'Sanitizer|runtime error:' "$f"; then
			echo "--- sanitizer report in $(basename "$f") ---"
			grep -E -A 40 'Sanitizer|runtime error:' "$f" | head -n 60
			found=1
		fi
	done
	[ -z "$found" ]
}

# end_supd: for a teardown that needs supd gone before teardown_supd (a
# file system to unmount): SIGTERM, SIGKILL after 15 s; its exit status
# is checked (SUPD_EXIT_EXPECTED) and SUPD_PID emptied.
end_supd() {
	[ -n "${SUPD_PID:-}" ] || return 0
	kill -TERM "$SUPD_PID" 2>/dev/null
	if ! WAIT_SECS=15 wait_for "supd to exit" _gone "$SUPD_PID"; then
		kill -KILL "$SUPD_PID" 2>/dev/null
		[ "${SUPD_EXIT_EXPECTED:-0}" = any ] ||
			SUPD_EXIT_ERRORS="${SUPD_EXIT_ERRORS:+$SUPD_EXIT_ERRORS; }supd still ran 15 s after SIGTERM"
	fi
	wait "$SUPD_PID" 2>/dev/null
	SUPD_STATUS=$?
	SUPD_PID=
	check_supd_exit "$SUPD_STATUS" "after SIGTERM in teardown" || true
}

# teardown_supd: stops supd (end_supd), removes $T, and returns
# non-zero -- which fails the test, so a suite's teardown must return it
# (call it last, or keep its status) -- when supd did not end with
# $SUPD_EXIT_EXPECTED after a SIGTERM (here or in stop_supd), or when a
# sanitizer reported anything (LeakSanitizer reports as supd exits).
teardown_supd() {
	local bad=
	end_supd
	if [ -n "${SUPD_EXIT_ERRORS:-}" ]; then
		echo "teardown: $SUPD_EXIT_ERRORS"
		bad=1
	fi
	if [ -n "${T:-}" ] && [ -z "${SUPD_SANITIZER_EXPECTED:-}" ] &&
		! _no_sanitizer_report; then
		echo "teardown: a sanitizer reported (above)"
		bad=1
	fi
	[ -n "${T:-}" ] || { [ -z "$bad" ]; return; }
	# Anything a failed test left behind in our temp dir goes too.
	pkill -KILL -f "$T/" 2>/dev/null || true
	if { [ -n "${BATS_TEST_COMPLETED:-}" ] && [ -z "$bad" ]; } ||
		[ -z "${KEEP_FAILED:-}" ]; then
		rm -rf "$T"
	else
		echo "# kept $T" >&3
	fi
	[ -z "$bad" ]
}

# Print supd's stderr when a test fails, to see why.
dump_supd() {
	echo "--- supd stderr ---"
	cat "$T/supd.err" 2>/dev/null | tail -n 40
}

# dump_supd_and_logs N: supd's stderr, then the last N lines of each
# service's log, when a test fails.
dump_supd_and_logs() {
	local f
	dump_supd
	for f in "$T"/log/*.log; do
		[ -f "$f" ] || continue
		echo "--- $(basename "$f") (tail) ---"
		tail -n "$1" "$f"
	done
}

# ---- supd writing to pipes nobody reads ------------------------------------
#
#   start_supd_stalled    as start_supd, but supd's stdout and stderr are the
#                         FIFOs $T/out.fifo and $T/err.fifo, which the test
#                         holds open and never reads (a stalled terminal or
#                         log collector): once 64 KiB wait, they are full
#   ctl_within SECS ARGS  ctl that gives up after SECS (a supd that blocked
#                         would hang a plain ctl for ever)
#   stalled_read out|err  print what waits in that FIFO now, without waiting
#   stalled_drain         from now on copy both FIFOs into supd.out and
#                         supd.err until supd exits (teardown and ASan's
#                         reports read them there)

start_supd_stalled() {
	mkfifo "$T/out.fifo" "$T/err.fifo"
	# Read-write: each FIFO has a reader, so supd's opens do not wait and
	# its writes do not fail with EPIPE -- but nothing is ever read.
	exec {STALL_OUT}<>"$T/out.fifo" {STALL_ERR}<>"$T/err.fifo"
	${SUPD_WRAP:-} "$SUPD" -c "$T/supd.conf" "$@" >"$T/out.fifo" \
	    2>"$T/err.fifo" {STALL_OUT}>&- {STALL_ERR}>&- &
	SUPD_PID=$!
	wait_for "supd socket" test -S "$SOCK"
}

ctl_within() {
	local secs=$1
	shift
	timeout "$secs" "$SUPCTL" -s "$SOCK" "$@"
}

stalled_read() {
	# O_NONBLOCK: dd stops at the first EAGAIN, once the FIFO is empty.
	dd if="$T/$1.fifo" iflag=nonblock bs=65536 status=none 2>/dev/null ||
	    true
}

stalled_drain() {
	# Neither copy may hold fd 3 (bats waits for it) nor the test's own
	# read-write ends (cat would never see EOF).
	cat "$T/out.fifo" >>"$T/supd.out" 3>&- {STALL_OUT}>&- {STALL_ERR}>&- &
	cat "$T/err.fifo" >>"$T/supd.err" 3>&- {STALL_OUT}>&- {STALL_ERR}>&- &
	exec {STALL_OUT}>&- {STALL_ERR}>&-
}

# ---------------------------------------------------- optional libraries
# supd loads libnftables and libmicrohttpd with dlopen at their feature's
# first use (src/optlib.h), so that a supd without the feature does not
# map them (every spawn's clone copies what is mapped).
#
#   supd_maps LIB       supd maps a file named LIB... (libnftables.so)
#   without_libs GLOB.. print a command for SUPD_WRAP (after $IN, if any)
#                       that runs supd in a mount namespace of its own
#                       where the multiarch library directory holds every
#                       file but those matching a GLOB: a dlopen of one
#                       says "cannot open shared object file". The host's
#                       mounts are untouched (unshare's private ones).

supd_maps() {
	grep -q "/$1" "/proc/$SUPD_PID/maps"
}

without_libs() {
	local dir f g name
	# Where supd's libc is: ld.so's cache and its default paths look there.
	dir=$(ldd "$SUPD" | awk '$1 ~ /^libc\.so/ { print $3 }')
	dir=$(dirname "$(readlink -f "$dir")")
	# The farm's links are relative, to the real directory bound at .real
	# inside it: they resolve in the services' mount namespaces too, where
	# /tmp (and $T) may be a tmpfs of their own.
	mkdir -p "$T/libs.farm/.real"
	for f in "$dir"/*; do
		name=${f##*/}
		for g in "$@"; do
			# shellcheck disable=SC2254 # a glob, on purpose
			case $name in $g) continue 2 ;; esac
		done
		ln -s ".real/$name" "$T/libs.farm/$name"
	done
	cat >"$T/without-libs" <<SH
#!/bin/sh
exec unshare -m --propagation private sh -c 'mount --bind "\$1" "\$2/.real" &&
    mount --rbind "\$2" "\$1" && shift 2 && exec "\$@"' \\
    sh "$dir" "$T/libs.farm" "\$@"
SH
	chmod +x "$T/without-libs"
	echo "$T/without-libs"
}

# _dead PID: the process is gone, or a zombie that whoever adopted it has
# yet to reap.
_dead() {
	local st
	st=$(sed -n 's/^State:\s*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null ||
		true)
	[ -z "$st" ] || [ "$st" = Z ]
}

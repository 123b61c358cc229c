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
#   wait_for DESC CMD...  run CMD until it succeeds; fail after $WAIT_SECS
#   mono_ms               milliseconds since boot: deadlines that a test
#                         setting the wall clock (faults.bats) cannot move
#   $MONO_NS              a command printing CLOCK_MONOTONIC in ns: time
#                         durations with it, never with `date +%s%N`
#   wait_state NAME ST    wait until NAME is in state ST
#   field_is NAME KEY V   (and field_isnt, lines_are FILE N) conditions for wait_for
#   stop_supd             SIGTERM supd and wait for it to exit (status in $SUPD_STATUS)

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

wait_for() {
	local desc=$1 deadline
	shift
	deadline=$(($(mono_ms) + WAIT_SECS * 1000))
	until "$@" >/dev/null 2>&1; do
		if [ "$(mono_ms)" -gt "$deadline" ]; then
			echo "timed out after ${WAIT_SECS}s waiting for: $desc" >&2
			return 1
		fi
		sleep 0.02
	done
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
	wait_for "$1 to be $2 (now $(state "$1" 2>/dev/null))" _state_is "$1" "$2"
}

_gone() {
	! kill -0 "$1" 2>/dev/null
}

stop_supd() {
	SUPD_STATUS=
	[ -n "$SUPD_PID" ] || return 0
	kill -TERM "$SUPD_PID" 2>/dev/null || true
	wait_for "supd $SUPD_PID to exit" _gone "$SUPD_PID" || return 1
	wait "$SUPD_PID"
	SUPD_STATUS=$?
	SUPD_PID=
}

teardown_supd() {
	if [ -n "${SUPD_PID:-}" ]; then
		kill -TERM "$SUPD_PID" 2>/dev/null
		WAIT_SECS=15 wait_for "supd to exit" _gone "$SUPD_PID" ||
			kill -KILL "$SUPD_PID" 2>/dev/null
		wait "$SUPD_PID" 2>/dev/null
	fi
	# Anything a failed test left behind in our temp dir goes too.
	pkill -KILL -f "$T/" 2>/dev/null || true
	if [ -n "${BATS_TEST_COMPLETED:-}" ] || [ -z "${KEEP_FAILED:-}" ]; then
		rm -rf "$T"
	else
		echo "# kept $T" >&3
	fi
}

# Print supd's stderr when a test fails, to see why.
dump_supd() {
	echo "--- supd stderr ---"
	cat "$T/supd.err" 2>/dev/null | tail -n 40
}

# ---- H3 (issue 8, item 3): supd writing to pipes nobody reads -------------
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

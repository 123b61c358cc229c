#!/bin/bash
# SPDX-License-Identifier: ISC
# events.sh [BUILD_DIR]: issue 14's bars for supctl events.
#  1. Delivery: bench/events_probe, an events client of its own, kills a
#     `sleep` service (15 others idle) (restart = always, restart_delay = 0) with SIGKILL
#     $KILLS times (100) and takes, for each "exited" and "started" event,
#     its arrival (CLOCK_REALTIME as the row is read whole) minus the
#     event's own stamp (CLOCK_REALTIME taken by supd at the state change).
#     The kills alternate between the probe spinning on a non-blocking
#     read (supd's delivery; the bar: median <= 1 ms) and the probe asleep
#     in read(2) like supctl (reported beside it: it adds the waking of an
#     idle CPU, on a VM the hypervisor's). Kill -> "exited" arrival too.
#  2. Status with events clients: 21 services `sleep`, 5 of them ending
#     every 0.5 s and restarted at once (about 40 events a second, 4000
#     rows a second to 100 clients); status latency (events_probe status:
#     $STATUS_N (300) requests, 2 ms apart, connect to END, no supctl
#     process) with 0 and with 100 connected events clients (events_probe
#     clients: 100 processes, each asleep in read(2) on all services'
#     events as a supctl is), alternating, $ROUNDS (5) rounds each; the
#     medians of the rounds' medians. Bar: 100 clients within 10 % of 0.
. "$(dirname "$0")/common.sh"
bench_init "$@"
KILLS=${KILLS:-100}
ROUNDS=${ROUNDS:-5}
STATUS_N=${STATUS_N:-300}
CLIENTS=${CLIENTS:-100}

bench_cc events_probe
svc victim <<EOF
[service]
command = sleep 1000
restart = always
restart_delay = 0
EOF
for i in $(seq 1 15); do
	svc "idle$i" <<EOF
[service]
command = sleep 1000
EOF
done
for i in $(seq 1 5); do
	svc "flap$i" <<EOF
[service]
command = sleep 0.5
restart = always
restart_delay = 0
autostart = no
EOF
done
start_supd
wait_count running 16 || die "services did not start"

# 1. delivery (the flappers not started yet)
out=$("$BIN/events_probe" latency "$T/run/supd.sock" victim \
	"$(ctl --json status victim | jq '.[0].pid')" "$KILLS") ||
	die "events_probe latency failed"
printf '%s\n' "$out" | sed 's/^/# /' >&2
get() { printf '%s\n' "$out" | awk -v w="$1" -v k="$2" '$1 == w {
	for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }'; }
us2ms() { awk -v n="$1" 'BEGIN { printf "%.3f\n", n / 1e3 }'; }
echo "events-deliver: median $(us2ms "$(get deliver median)") ms over $(get deliver n) events (p90 $(us2ms "$(get deliver p90)") ms, max $(us2ms "$(get deliver max)") ms; exited $(us2ms "$(get deliver-exited median)") ms, started $(us2ms "$(get deliver-started median)") ms; kill -9 to exited read: $(us2ms "$(get kill-to-exited median)") ms) [bar: <= 1 ms]"
echo "events-deliver-blocking: median $(us2ms "$(get blocking-deliver median)") ms over $(get blocking-deliver n) events to a client asleep in read(2) (p90 $(us2ms "$(get blocking-deliver p90)") ms; exited $(us2ms "$(get blocking-deliver-exited median)") ms, started $(us2ms "$(get blocking-deliver-started median)") ms)"

# 2. status latency, 0 vs 100 events clients, the flappers flapping
ctl start flap1 flap2 flap3 flap4 flap5 >/dev/null || die "flap did not start"
status_median() {
	"$BIN/events_probe" status "$T/run/supd.sock" "$STATUS_N" |
		awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == "median") print kv[2] } }'
}
zero=() hundred=()
for r in $(seq 1 "$ROUNDS"); do
	zero+=("$(status_median)")
	"$BIN/events_probe" clients "$T/run/supd.sock" "$CLIENTS" >"$T/clients.out" &
	cp=$!
	BENCH_PIDS="${BENCH_PIDS:-} $cp"
	deadline=$(($(now_ns) + 10000000000))
	until grep -q ready "$T/clients.out"; do
		[ "$(now_ns)" -lt "$deadline" ] || die "events clients not ready"
		sleep 0.01
	done
	hundred+=("$(status_median)")
	kill -TERM "$cp"
	wait "$cp" || die "an events client was dropped or failed"
	note "round $r: status median 0 clients ${zero[-1]} us, $CLIENTS clients ${hundred[-1]} us ($(grep dropped "$T/clients.out"))"
done
z=$(median "${zero[@]}")
h=$(median "${hundred[@]}")
echo "events-status: status median $(us2ms "$z") ms with 0 events clients, $(us2ms "$h") ms with $CLIENTS (ratio $(ratio "$h" "$z"), $ROUNDS rounds of $STATUS_N requests, ~40 events/s) [bar: <= 1.10]"

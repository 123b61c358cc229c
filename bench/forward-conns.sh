#!/bin/bash
# SPDX-License-Identifier: ISC
# forward-conns.sh [BUILD_DIR]: connections through the published-port
# forwarder (src/publish.c, run alone by pub_fwd), side by side with the same
# connections direct:
#   rate     CONNS (2000) times connect, 100-byte request, 100-byte reply,
#            close (fwd_probe rr against fwd_probe rrserver on 127.0.0.1:8000
#            in the service's namespace): through pub_fwd from the host
#            namespace vs direct from the service's own; RUNS (3) rounds,
#            alternating; medians of the rate and of each round's p50 / p99
#            latency; added latency = forwarder - direct.
#   rate, concurrent  the same with CONC (4) clients at once against a
#            server of CONC processes (rrserver 8004 CONC): the rate the
#            forwarder sustains, not bound by one client's round trips.
#   idle     IDLE (4000) connections opened through a fresh pub_fwd to a
#            server that accepts and keeps them (fwd_probe holdserver), left
#            idle: pub_fwd's VmRSS before and once its counters say all are
#            live, growth per connection; its error counters.
# Bars (issue 10): rate >= 0.5x direct, p99 added <= 200 us; idle RSS
# growth <= 2 KiB per connection, no error. One client at a time, the rate
# is the inverse of the latency; both rates are reported.
. "$(dirname "$0")/common.sh"
. "$(dirname "$0")/forward-common.sh"
fwd_init "$@"
CONNS=${CONNS:-2000}
RUNS=${RUNS:-3}
IDLE=${IDLE:-4000}
CONC=${CONC:-4}

bg_wait listening "$T/rr.out" $IN_SVC "$BIN/fwd_probe" rrserver 8000
pub_fwd 8080 8000
RR_FWD=$BG_PID
rate() { awk -v n="$CONNS" -v ns="$1" 'BEGIN { printf "%.0f\n", n / (ns / 1e9) }'; }
us() { awk -v ns="$1" 'BEGIN { printf "%.0f\n", ns / 1e3 }'; }
fr=() dr=() f50=() d50=() f99=() d99=()
for r in $(seq "$RUNS"); do
	read -r ft fp50 fp99 < <("$BIN/fwd_probe" rr 8080 "$CONNS") || die "forwarded rr failed"
	read -r dt dp50 dp99 < <(in_svc "$BIN/fwd_probe" rr 8000 "$CONNS") || die "direct rr failed"
	fr+=("$(rate "$ft")") dr+=("$(rate "$dt")")
	f50+=("$fp50") d50+=("$dp50") f99+=("$fp99") d99+=("$dp99")
	note "round $r: forwarder $(rate "$ft")/s p50 $(us "$fp50") us p99 $(us "$fp99") us; direct $(rate "$dt")/s p50 $(us "$dp50") us p99 $(us "$dp99") us"
done
note "pub_fwd: $(fwd_counts "$RR_FWD")"
FR=$(median "${fr[@]}") DR=$(median "${dr[@]}")
F99=$(median "${f99[@]}") D99=$(median "${d99[@]}")
F50=$(median "${f50[@]}") D50=$(median "${d50[@]}")
echo "forward-connrate: $FR conn/s through the forwarder, direct $DR conn/s (ratio $(ratio "$FR" "$DR"), bar >= 0.5); latency p50 $(us "$F50") us vs $(us "$D50") us, p99 $(us "$F99") us vs $(us "$D99") us: p99 added $(us "$(awk -v a="$F99" -v b="$D99" 'BEGIN { print a - b }')") us (bar <= 200)"

bg_wait listening "$T/rrc.out" $IN_SVC "$BIN/fwd_probe" rrserver 8004 "$CONC"
pub_fwd 8084 8004
RRC_FWD=$BG_PID
fr=() dr=() f99=() d99=()
for r in $(seq "$RUNS"); do
	read -r ft fp50 fp99 < <("$BIN/fwd_probe" rr 8084 "$CONNS" "$CONC") || die "forwarded rr -c failed"
	read -r dt dp50 dp99 < <(in_svc "$BIN/fwd_probe" rr 8004 "$CONNS" "$CONC") || die "direct rr -c failed"
	fr+=("$(rate "$ft")") dr+=("$(rate "$dt")") f99+=("$fp99") d99+=("$dp99")
	note "round $r, $CONC at once: forwarder $(rate "$ft")/s p99 $(us "$fp99") us; direct $(rate "$dt")/s p99 $(us "$dp99") us"
done
note "pub_fwd: $(fwd_counts "$RRC_FWD")"
FR=$(median "${fr[@]}") DR=$(median "${dr[@]}")
echo "forward-connrate-concurrent: $CONC clients at once: $FR conn/s through the forwarder, direct $DR conn/s (ratio $(ratio "$FR" "$DR"), bar >= 0.5); p99 $(us "$(median "${f99[@]}")") us vs $(us "$(median "${d99[@]}")") us"

bg_wait listening "$T/hold.out" $IN_SVC "$BIN/fwd_probe" holdserver 8002
pub_fwd 8082 8002
IDLE_FWD=$BG_PID
r0=$(rss_kb "$IDLE_FWD")
bg_wait held "$T/hold-client.out" "$BIN/fwd_probe" hold 8082 "$IDLE"
deadline=$(($(now_ns) + 60000000000))
until [[ "$(fwd_counts "$IDLE_FWD")" == "live=$IDLE "* ]]; do
	[ "$(now_ns)" -lt "$deadline" ] || die "not $IDLE live after 60 s: $(fwd_counts "$IDLE_FWD")"
	sleep 0.1
done
r1=$(rss_kb "$IDLE_FWD")
c=$(fwd_counts "$IDLE_FWD")
note "pub_fwd: VmRSS $r0 KiB -> $r1 KiB; $c"
per=$(awk -v a="$r0" -v b="$r1" -v n="$IDLE" 'BEGIN { printf "%.0f\n", (b - a) * 1024 / n }')
echo "forward-idle: $IDLE idle connections, pub_fwd VmRSS $r0 -> $r1 KiB, $per bytes per connection (bar <= 2048); ${c#* total=* }"

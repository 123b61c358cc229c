#!/bin/bash
# SPDX-License-Identifier: ISC
# status-1000.sh [BUILD_DIR]: with 1000 services ($SERVICES) running `sleep
# infinity`, the wall time of `supctl status` and of `supctl --json status`
# (output to /dev/null): median of 50 runs ($RUNS) each, with hyperfine
# (--shell=none, 3 warm-up runs) when installed, else a date +%s%N loop.
. "$(dirname "$0")/common.sh"
bench_init "$@"
N=${SERVICES:-1000}
RUNS=${RUNS:-50}

for i in $(seq -w 1 "$N"); do
	printf '[service]\ncommand = sleep infinity\n' >"$T/conf.d/s$i.ini"
done
start_supd
wait_count running "$N" 120 || die "not all $N services running"
sleep 1

rows=$(ctl status | wc -l)
bytes=$(ctl --json status | wc -c)
note "supctl status prints $rows lines; --json status $bytes bytes"

# Median wall time in ns of a command, $RUNS runs.
time_cmd() {
	if command -v hyperfine >/dev/null; then
		hyperfine --shell=none --warmup 3 --runs "$RUNS" --style none \
			--export-json "$T/hf.json" "$*" >/dev/null 2>&1 ||
			die "hyperfine failed on: $*"
		jq '.results[0].median * 1e9 | floor' "$T/hf.json"
	else
		local i t0 v=()
		for i in 1 2 3; do "$@" >/dev/null; done
		for i in $(seq 1 "$RUNS"); do
			t0=$(now_ns); "$@" >/dev/null; v+=($(($(now_ns) - t0)))
		done
		median "${v[@]}"
	fi
}

tool=$(command -v hyperfine >/dev/null && echo hyperfine || echo "date loop")
plain=$(time_cmd "$SUPCTL" -s "$T/run/supd.sock" status)
json=$(time_cmd "$SUPCTL" -s "$T/run/supd.sock" --json status)
version=$(time_cmd "$SUPCTL" --version)
echo "status-1000: median $(ns2ms "$plain") ms for \`supctl status\` of $N services ($RUNS runs, $tool; \`supctl --version\` alone: $(ns2ms "$version") ms)"
echo "status-1000-json: median $(ns2ms "$json") ms for \`supctl --json status\` of $N services ($RUNS runs, $tool)"

#!/bin/bash
# SPDX-License-Identifier: ISC
# run-all.sh [BUILD_DIR]: run every benchmark in order and print a summary
# table of their result lines. `make bench` calls this with the build dir.
# Each benchmark's diagnostics (lines starting with '# ') go to stderr as they
# run; its result lines (`name: ...`) are collected for the table.
set -u
DIR=$(cd "$(dirname "$0")" && pwd)
B=${1:-$DIR/../build}
B=$(cd "$B" 2>/dev/null && pwd) || { echo "run-all.sh: no build directory ${1:-$DIR/../build}" >&2; exit 1; }

BENCHES="idle-syscalls restart-latency start-1000 status-during-start isolation-start run-rm start-500-isolated deps-200 status-1000 stop-100 log-throughput netlink-attach firewall-apply net-start forward-throughput forward-conns events vm-boot podman image-unpack run-image"
results=$(mktemp /tmp/supd-bench-results.XXXXXX)
trap 'rm -f "$results"' EXIT
failed=

echo "supd benchmarks: build $B, $(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores, $(uname -sr)"
echo "supd: $("$B/supd" --version 2>/dev/null); git $(cd "$DIR/.." && git rev-parse --short HEAD 2>/dev/null)$(cd "$DIR/.." && git diff --quiet HEAD -- src 2>/dev/null || echo '+uncommitted src changes')"
for b in $BENCHES; do
	echo "== $b"
	t0=$(date +%s)
	if "$DIR/$b.sh" "$B" | tee -a "$results"; then
		:
	else
		failed="$failed $b"
		echo "$b: FAILED (exit ${PIPESTATUS[0]})" | tee -a "$results"
	fi
	echo "   ($(($(date +%s) - t0)) s)"
done

echo
echo "== summary"
awk -F': ' '/^[a-z0-9-]+: / {
	name = $1; sub(/^[^:]*: /, "")
	printf "| %-18s | %s |\n", name, $0 }' "$results"
[ -z "$failed" ] || { echo "failed:$failed"; exit 1; }

#!/bin/sh
# run-all.sh BUILD_DIR: every suite (unit, integration, and the VM test),
# then one line "N passed, M failed" summing them all. Exit 0 only if nothing
# failed. The VM test boots a kernel with its own static build of supd; it
# runs in the normal pass only (SUPD_ASAN set: the sanitizer pass skips it,
# a static sanitizer build cannot be PID 1 of a VM).
B=${1:-build}
dir=$(dirname "$0")
log=$(mktemp) || exit 2
trap 'rm -f "$log"' EXIT INT TERM
suites="unit integration"
"$dir"/run-unit.sh "$B" | tee -a "$log"
"$dir"/run-integration.sh "$B" | tee -a "$log"
if [ -z "${SUPD_ASAN:-}" ]; then
	suites="$suites vm"
	"$dir"/vm/run.sh "$B" | tee -a "$log"
fi
p=0; f=0
for line in $(sed -n -E 's/^(unit|integration|vm): ([0-9]+) passed, ([0-9]+) failed$/\2:\3/p' "$log"); do
	p=$((p + ${line%%:*})); f=$((f + ${line##*:}))
done
for s in $suites; do
	# a suite that printed no summary failed
	grep -q -E "^$s: [0-9]+ passed" "$log" || f=$((f + 1))
done
echo "$p passed, $f failed"
[ "$f" -eq 0 ]

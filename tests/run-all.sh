#!/bin/sh
# run-all.sh BUILD_DIR: every suite (unit, integration), then one line
# "N passed, M failed" summing them all. Exit 0 only if nothing failed.
B=${1:-build}
dir=$(dirname "$0")
log=$(mktemp) || exit 2
trap 'rm -f "$log"' EXIT INT TERM
"$dir"/run-unit.sh "$B" | tee -a "$log"
"$dir"/run-integration.sh "$B" | tee -a "$log"
p=0; f=0
for line in $(sed -n -E 's/^(unit|integration): ([0-9]+) passed, ([0-9]+) failed$/\2:\3/p' "$log"); do
	p=$((p + ${line%%:*})); f=$((f + ${line##*:}))
done
n=$(grep -c -E '^(unit|integration): [0-9]+ passed' "$log")
[ "$n" -eq 2 ] || f=$((f + 1))	# a suite that printed no summary failed
echo "$p passed, $f failed"
[ "$f" -eq 0 ]

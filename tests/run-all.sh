#!/bin/sh
# SPDX-License-Identifier: ISC
# run-all.sh BUILD_DIR: the lint of the tests themselves (lint-bats.sh), of
# the sizes of src/'s files and functions (lint-funcs.sh) and of its
# include graph (lint-includes.sh: no cycle), every suite (unit,
# integration, and the VM test), then -- because CI shows only
# the tail of the output -- the name of each failure ("FAILED: SUITE: what",
# at most 20), the number of skipped tests ("K skipped"), and last one line
# "N passed, M failed" summing them all. With CI set a skipped test counts
# as failed. Exit 0 only if nothing failed. The VM test boots a kernel with
# its own build of supd (its shared libraries copied in); it runs in the
# normal pass only (SUPD_ASAN set: the sanitizer pass skips it, a sanitizer
# build is not what runs as PID 1 of a machine).
B=${1:-build}
dir=$(dirname "$0")
logs=$(mktemp -d) || exit 2
trap 'rm -rf "$logs"' EXIT INT TERM
max_names=20

# The lint covers the bats files and the test scripts that run with errexit
# (where a "! cmd" line is as blind as in a bats test).
lint_files=$(ls "$dir"/integration/*.bats "$dir"/integration/*.bash
	grep -l -E '^[[:space:]]*set -[a-z]*e' "$dir"/*.sh "$dir"/*/*.sh 2>/dev/null)
suites="lint lint-funcs includes unit integration"
# shellcheck disable=SC2086
"$dir"/lint-bats.sh $lint_files | tee "$logs/lint"
(cd "$dir/.." && tests/lint-funcs.sh src/*.c) | tee "$logs/lint-funcs"
"$dir"/lint-includes.sh "$dir/../src" | tee "$logs/includes"
"$dir"/run-unit.sh "$B" | tee "$logs/unit"
"$dir"/run-integration.sh "$B" | tee "$logs/integration"
if [ -z "${SUPD_ASAN:-}" ]; then
	suites="$suites vm"
	"$dir"/vm/run.sh "$B" | tee "$logs/vm"
fi

# What failed in suite $1, one "FAILED: ..." line each, from its output.
failures() {
	case $1 in
	lint)
		sed -n -E 's/^([^ :]+:[0-9]+): .*/FAILED: lint: \1: a bare "! cmd" mid-test/p' "$logs/lint" ;;
	lint-funcs)
		# a "warning:" line (WARN_ONLY in lint-funcs.sh) is not a failure
		sed -n -E 's/^([^ :]+:[0-9]+): ((function|file) [^(]*\(more than [0-9]+\)).*/FAILED: lint-funcs: \1: \2/p' "$logs/lint-funcs" ;;
	includes)
		sed -n -E 's/^include cycle: ([^:]+): .*\(cycle: (.*)\)$/FAILED: includes: \1 in an #include cycle (\2)/p' "$logs/includes" ;;
	unit)
		sed -n -E 's/^(tests\/unit\/[^ :]+:[0-9]+: .*|run-unit: .*)/FAILED: unit: \1/p' "$logs/unit" ;;
	integration|vm)
		sed -n -E "s/^not ok ([0-9]+ )?/FAILED: $1: /p" "$logs/$1" ;;
	esac
	if [ "$1" = integration ] && [ -n "${CI:-}" ]; then
		sed -n -E 's/^ok [0-9]+ (.*) # skip( .*|$)/FAILED: integration: \1 (skipped, CI is set)/p' \
		    "$logs/integration"
	fi
}

p=0; f=0; k=0
: >"$logs/failed"
for s in $suites; do
	line=$(grep -E "^$s: [0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$" \
	    "$logs/$s" | tail -n 1)
	failures "$s" >"$logs/names"
	cat "$logs/names" >>"$logs/failed"
	if [ -z "$line" ]; then
		# a suite that printed no summary failed
		f=$((f + 1))
		echo "FAILED: $s: no summary line (it died?)" >>"$logs/failed"
		continue
	fi
	# shellcheck disable=SC2046
	set -- $(echo "$line" | sed -E 's/^[a-z-]+: ([0-9]+) passed, ([0-9]+) failed(, ([0-9]+) skipped)?$/\1 \2 \4/')
	sp=$1 sf=$2 sk=${3:-0}
	[ -z "${CI:-}" ] || sf=$((sf + sk))
	p=$((p + sp)); f=$((f + sf)); k=$((k + sk))
	n=$(wc -l <"$logs/names")
	if [ "$n" -lt "$sf" ]; then
		echo "FAILED: $s: $((sf - n)) more without a name (see its output)" >>"$logs/failed"
	fi
done
n=$(wc -l <"$logs/failed")
head -n "$max_names" "$logs/failed"
[ "$n" -le "$max_names" ] || echo "FAILED: ... and $((n - max_names)) more"
if [ -n "${CI:-}" ] && [ "$k" -gt 0 ]; then
	echo "$k skipped (CI is set: counted as failed)"
else
	echo "$k skipped"
fi
echo "$p passed, $f failed"
[ "$f" -eq 0 ]

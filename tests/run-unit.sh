#!/bin/sh
# SPDX-License-Identifier: ISC
# run-unit.sh BUILD_DIR: run every BUILD_DIR/tests/test_* unit test binary,
# show its output, and end with one line "unit: N passed, M failed" summed
# from their "unit X: N passed, M failed" lines. A binary that exits non-zero
# without reporting a failure (a crash) or prints no summary counts as one
# failure. Exits 0 only if everything passed.

if [ $# -ne 1 ]; then
	echo "usage: $0 BUILD_DIR" >&2
	exit 2
fi
dir=$1/tests
out=$(mktemp) || exit 2
trap 'rm -f "$out"' EXIT INT TERM

passed=0
failed=0
ran=0
for t in "$dir"/test_*; do
	if [ ! -f "$t" ] || [ ! -x "$t" ]; then continue; fi
	case $t in *.d|*.o) continue ;; esac
	ran=$((ran + 1))
	"$t" >"$out" 2>&1
	rc=$?
	cat "$out"
	line=$(grep -E '^unit [^ ]+: [0-9]+ passed, [0-9]+ failed$' "$out" | tail -n 1)
	if [ -z "$line" ]; then
		echo "run-unit: $t: no summary line (exit status $rc)"
		failed=$((failed + 1))
		continue
	fi
	p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\1/')
	f=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed$/\2/')
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "run-unit: $t: exit status $rc"
		failed=$((failed + 1))
	fi
done
if [ "$ran" -eq 0 ]; then
	echo "run-unit: no test binaries in $dir"
	failed=$((failed + 1))
fi
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

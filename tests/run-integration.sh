#!/bin/sh
# run-integration.sh BUILD_DIR [FILE.bats...]: run the bats suites against the
# binaries in BUILD_DIR and end with "integration: N passed, M failed".
if [ $# -lt 1 ]; then
	echo "usage: $0 BUILD_DIR [FILE.bats...]" >&2
	exit 2
fi
top=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "$1" && pwd)
shift
[ $# -gt 0 ] || set -- "$top"/tests/integration/*.bats
out=$(mktemp) || exit 2
trap 'rm -f "$out"' EXIT INT TERM
SUPD_BUILD=$B bats --tap "$@" | tee "$out"
passed=$(grep -c '^ok ' "$out")
failed=$(grep -c '^not ok ' "$out")
planned=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$out" | head -n 1)
# A suite that died before running everything it planned counts the rest.
if [ -n "$planned" ] && [ $((passed + failed)) -lt "$planned" ]; then
	failed=$((planned - passed))
fi
echo "integration: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

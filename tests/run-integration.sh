#!/bin/sh
# SPDX-License-Identifier: ISC
# run-integration.sh BUILD_DIR [FILE.bats...]: run the bats suites against the
# binaries in BUILD_DIR and end with "integration: N passed, M failed, K
# skipped". A skipped test ("ok N ... # skip") is not a pass; with CI set
# (where every tool can be installed) any skip fails the suite.
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
ok=$(grep -c '^ok ' "$out")
skipped=$(grep -c -E '^ok [0-9]+ .* # skip( |$)' "$out")
passed=$((ok - skipped))
failed=$(grep -c '^not ok ' "$out")
planned=$(sed -n 's/^1\.\.\([0-9]*\)$/\1/p' "$out" | head -n 1)
# A suite that died before running everything it planned counts the rest.
if [ -n "$planned" ] && [ $((ok + failed)) -lt "$planned" ]; then
	echo "integration: $((planned - ok - failed)) planned test(s) did not run"
	failed=$((planned - ok))
fi
echo "integration: $passed passed, $failed failed, $skipped skipped"
if [ -n "${CI:-}" ] && [ "$skipped" -gt 0 ]; then
	echo "integration: CI is set: $skipped skipped test(s) fail the suite"
	exit 1
fi
[ "$failed" -eq 0 ]

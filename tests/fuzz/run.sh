#!/bin/sh
# SPDX-License-Identifier: ISC
# run.sh BUILD_DIR SECONDS NAME...: run each libFuzzer target BUILD_DIR/fuzz_NAME
# for SECONDS under ASan+UBSan+LSan, on a scratch copy of its seed corpus
# (BUILD_DIR/corpus/NAME, made anew: nothing is written into the repository),
# and print one line per target:
#
#	fuzz NAME: N runs, cov X, ft Y, ok|FAILED
#
# then "fuzz: N passed, M failed". The full output of each target is in
# BUILD_DIR/fuzz_NAME.log; an input that crashed, leaked or tripped UBSan is
# saved as BUILD_DIR/artifacts/NAME-crash-* (see tests/fuzz/README.md to
# reproduce it). Exits 0 only if every target ran clean.

if [ $# -lt 2 ]; then
	echo "usage: $0 BUILD_DIR SECONDS NAME..." >&2
	exit 2
fi
# Logs hold raw input bytes: parse them as bytes, not as UTF-8.
LC_ALL=C
export LC_ALL
b=$1
t=$2
shift 2
here=$(dirname "$0")
passed=0
failed=0
mkdir -p "$b/artifacts" || exit 2
for n in "$@"; do
	bin=$b/fuzz_$n
	work=$b/corpus/$n
	log=$b/fuzz_$n.log
	rm -rf "$work" "$b/artifacts/$n-"*
	mkdir -p "$work" || exit 2
	if [ -d "$here/corpus/$n" ]; then
		cp "$here/corpus/$n"/* "$work"/ 2>/dev/null
	fi
	dict=
	[ -f "$here/$n.dict" ] && dict=-dict=$here/$n.dict
	# The run ends by timeout(1)'s SIGINT, not -max_total_time: libFuzzer
	# measures that by the wall clock, and a clock step (seen on VMs)
	# ended runs early or would stretch them by the step; timeout's timer
	# is relative. SIGINT makes libFuzzer print its final stats and exit,
	# and timeout then exits 124. No input may take seconds; stdin is
	# /dev/null so that nothing a target opens by name (/dev/stdin) can
	# wait for a terminal.
	# shellcheck disable=SC2086
	ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=0 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	timeout -s INT -k 30 "$t" \
	"$bin" -timeout=20 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix="$b/artifacts/$n-" \
	    $dict "$work" </dev/null >"$log" 2>&1
	rc=$?
	[ "$rc" -eq 124 ] && rc=0	# the time was up: the normal end
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	last=$(grep -E '^#[0-9]+' "$log" | tail -n 1)
	cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
	ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
	if [ "$rc" -eq 0 ] && ! grep -qE 'ERROR: (Address|Leak|Undefined)Sanitizer|runtime error:|invariant failed' "$log"; then
		status=ok
		passed=$((passed + 1))
	else
		status=FAILED
		failed=$((failed + 1))
	fi
	echo "fuzz $n: ${runs:-0} runs, cov ${cov:-?}, ft ${ft:-?}, $status"
	if [ "$status" = FAILED ]; then
		tail -n 40 "$log" | sed 's/^/    /'
		echo "    (whole log: $log; inputs: $b/artifacts/$n-*)"
	fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/bin/sh
# SPDX-License-Identifier: ISC
# lint-funcs.sh FILE...: hold the C sources to docs/style.md's size habits.
# A file over 1000 lines fails, and so does a function whose body (the
# lines between its opening "{" and closing "}", both in column 0 as the
# style writes them) is over 80 lines, unless the comment directly above
# it (no blank line between) says why with a line containing "long:".
# Prints FILE:LINE: message for each, then one line
# "lint-funcs: N passed, M failed" (one check per file), and exits non-zero
# if any file failed.
#
# A file named in WARN_ONLY would be reported ("FILE:LINE: warning: ...")
# without failing; the list is empty and should stay so.
WARN_ONLY=""
MAX_FILE=1000
MAX_FUNC=80

if [ $# -eq 0 ]; then
	echo "usage: $0 FILE..." >&2
	exit 2
fi
passed=0
failed=0
for f in "$@"; do
	if [ ! -r "$f" ]; then
		echo "$f: cannot read"
		failed=$((failed + 1))
		continue
	fi
	warn=0
	for w in $WARN_ONLY; do
		[ "$(basename "$f")" = "$w" ] && warn=1
	done
	if awk -v warn="$warn" -v max_file="$MAX_FILE" -v max_func="$MAX_FUNC" '
	function report(l, msg) {
		if (warn)
			printf "%s:%d: warning: %s\n", FILENAME, l, msg
		else {
			printf "%s:%d: %s\n", FILENAME, l, msg
			bad = 1
		}
	}
	# A blank line ends the comment that could stand above a function.
	/^[ \t]*$/ { marked = 0 }
	# "long:" in a comment: the reason the next function may be long.
	/long:/ && /^[ \t]*(\/\*|\*)/ { marked = 1 }
	# A definition: its name in column 0, the type on the line above.
	/^[A-Za-z_][A-Za-z0-9_]*\(/ {
		name = $0
		sub(/\(.*/, "", name)
		start = FNR
		start_marked = marked
		next
	}
	/^\{/ && start { open = FNR; next }
	/^\}/ && open {
		body = FNR - open - 1
		if (body > max_func && !start_marked)
			report(start, sprintf("function %s is %d lines (more than %d): split it, or say why in a \"long:\" line of the comment above it", name, body, max_func))
		open = start = marked = 0
	}
	END {
		if (FNR > max_file)
			report(FNR, sprintf("file is %d lines (more than %d): split it by concern", FNR, max_file))
		exit bad
	}' "$f"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done
echo "lint-funcs: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

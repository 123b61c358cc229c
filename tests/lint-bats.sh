#!/bin/sh
# SPDX-License-Identifier: ISC
# lint-bats.sh FILE...: reject a bare negated command ("! cmd", at the start
# of a line) that is not the last statement of a test or function. bash's
# errexit ignores a negated command, so such a line never fails a test:
# write `refute cmd`, `run ! cmd` or a `[ ... ]` check instead. A "! cmd"
# line (with its continuation lines, ending in a backslash) is accepted
# only when the next line that is neither blank nor a comment is "}"; one
# that continues a command (the line before ends in && || | or \) is part
# of that command, an if's condition say, and is not looked at.
# The same holds for a chain of checks, "[ a ] && [ b ]": errexit ignores
# every command of an && list but the last, so a failing "[ a ]" on a line
# that is not the test's last is passed over. A line (not continuing a
# command) that starts with [ or [[ and joins checks with && ("] && [", or
# a trailing && whose chain ends in ] or }) is held to the same rule.
# Here-documents are skipped. Prints FILE:LINE: message for each, then one
# line "lint: N passed, M failed" (one check per file), and exits non-zero
# if any file failed.
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
	if awk '
	function report(l) {
		if (l in chains)
			printf "%s:%d: a chain of checks joined by && that is not the last statement of its test or function never fails it on its first checks (bash errexit ignores them); put each check on its own line\n", FILENAME, l
		else
			printf "%s:%d: a bare \"! cmd\" that is not the last statement of its test or function never fails it (bash errexit ignores it); use refute, run ! or [ ... ]\n", FILENAME, l
		bad = 1
	}
	# In a here-document: skip up to its terminator.
	heredoc != "" {
		line = $0
		if (heredoc_tabs)
			sub(/^\t+/, "", line)
		if (line == heredoc)
			heredoc = ""
		next
	}
	{
		line = $0
		# The body of a pending "! cmd" continues on this line.
		if (cont) {
			cont = (line ~ /\\$/)
			next
		}
		# A chain of checks goes on: at its end, held like "! cmd"
		# when its last command is a check too.
		if (chain) {
			if (line ~ /(&&|\\)[ \t]*$/)
				next
			if (line ~ /(\]|})[ \t]*$/ && line !~ /\|\|/) {
				pending = chain
				chains[chain] = 1
			}
			chain = 0
			joined = 0
			next
		}
		if (pending) {
			if (line ~ /^[ \t]*(#.*)?$/)
				next
			if (line !~ /^[ \t]*}[ \t]*(#.*)?$/)
				report(pending)
			pending = 0
		}
		# Not after a line ending in && || | or a backslash: then
		# the "!" is inside a longer command (the condition of an if).
		if (line ~ /^[ \t]*![ \t]/ && !joined) {
			pending = NR
			cont = (line ~ /\\$/)
		}
		if (line ~ /^[ \t]*\[\[?[ \t]/ && !joined && line !~ /\|\|/) {
			if (line ~ /&&[ \t]*$/) {
				chain = NR
				next
			}
			if (line ~ /\][ \t]*&&[ \t]*\[/ &&
			    line ~ /(\]|})[ \t]*$/) {
				pending = NR
				chains[NR] = 1
			}
		}
		if (line !~ /^[ \t]*(#.*)?$/)
			joined = (line ~ /(&&|\|\||\||\\)[ \t]*$/)
		# A here-document starts after this line: <<WORD, <<-WORD,
		# <<"WORD", <<'\''WORD'\'' (not <<< , a here-string; not in a
		# comment, where it would hide the rest of the file).
		if (line !~ /^[ \t]*#/ &&
		    match(line, /<<-?[ \t]*["'\'']?[A-Za-z_][A-Za-z0-9_]*["'\'']?/) &&
		    substr(line, RSTART + 2, 1) != "<") {
			h = substr(line, RSTART + 2, RLENGTH - 2)
			heredoc_tabs = (substr(h, 1, 1) == "-")
			sub(/^-/, "", h)
			gsub(/[ \t"'\'']/, "", h)
			heredoc = h
		}
	}
	END {
		if (pending)
			report(pending)
		exit bad
	}' "$f"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
done
echo "lint: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/bin/bash
# SPDX-License-Identifier: ISC
# table.sh TSV N MACHINE: peers.tsv (run.sh) as a markdown table, one row per
# scenario, one column per system, and the same-run floor; launch and
# restart as value (ratio to the floor), log capture as value (ratio to the
# ceiling). MACHINE is printed under the table.
set -eu
[ $# -eq 3 ] || { echo "usage: table.sh TSV N MACHINE" >&2; exit 2; }
awk -F '\t' -v n="$2" -v machine="$3" '
	NR == 1 { for (i = 2; i <= NF; i++) col[$i] = i; next }
	$1 == "floor" { for (i = 2; i <= NF; i++) fl[i] = $i; next }
	{ sys[++ns] = $1; for (i = 2; i <= NF; i++) v[ns, i] = $i }
	function cell(k, c, unit, mode,   x, f) {
		x = v[k, col[c]]
		if (x == "-" || x == "") return "--"
		f = fl[col[c]]
		if (mode == "floor" && f > 0) return sprintf("%s %s (%.2fx)", x, unit, x / f)
		if (mode == "ceil" && f > 0) return sprintf("%s %s (%.2fx)", x, unit, x / f)
		return x " " unit
	}
	function row(title, c, unit, mode, floortext,   k, line) {
		line = "| " title
		for (k = 1; k <= ns; k++) line = line " | " cell(k, c, unit, mode)
		print line " | " floortext " |"
	}
	END {
		line = "| scenario (medians)"; sep = "|---"
		for (k = 1; k <= ns; k++) { line = line " | " sys[k]; sep = sep "|---:" }
		print line " | same-run floor |"; print sep "|---|"
		line = "| PSS with " n " services (+ page tables)"
		for (k = 1; k <= ns; k++)
			line = line " | " v[k, col["pss_mib"]] " MiB (+" v[k, col["pte_mib"]] ")"
		print line " | |"
		row("launch -> " n " payloads running", "launch_s", "s", "floor",
		    "fork+exec of " n " payloads: " fl[col["launch_s"]] " s")
		row("kill -9 -> new payload running", "restart_ms", "ms", "floor",
		    "fork+exec of the payload: " fl[col["restart_ms"]] " ms")
		row("status of " n " (CLI process included)", "status_ms", "ms", "", "")
		row("stop of " n, "stop_s", "s", "", "")
		row("**log capture, 10M x 5 rotation**", "log_mibs", "MiB/s", "ceil",
		    "payload straight to a file: " fl[col["log_mibs"]] " MiB/s")
		row("CPU per GiB logged (logger + supervisor)", "log_cpu_s_per_gib", "s", "", "")
		print ""
		print "Ratios in parentheses: to the same-run floor (launch, kill -9), to the ceiling (log capture). Machine: " machine "."
	}' "$1"

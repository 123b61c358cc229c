# SPDX-License-Identifier: ISC
# chart.gp: peers.tsv (bench/peers/run.sh) as one bar chart per scenario.
#   gnuplot -e "tsv='peers.tsv'; out='peers.svg'; n=1000" chart.gp  (or out='X.png')
# Columns: system pss_mib pte_mib launch_s restart_ms status_ms stop_s
# log_mibs log_cpu_s_per_gib; the row `floor` holds the same-run floors
# (launch, restart) and the ceiling (log), drawn as dashed lines.
# out ending in .png: a PNG (pngcairo), else SVG.
if (strlen(out) > 4 && out[strlen(out) - 2:] eq "png") {
	set terminal pngcairo size 1400,720 font "sans,10"
} else {
	set terminal svg size 1400,720 dynamic font "sans,12" background rgb "white"
}
set output out
set datafile separator "\t"
set datafile missing "-"
rows = "< awk 'NR > 1 && $1 != \"floor\"' ".tsv
ref(c) = real(system(sprintf("awk -F '\t' '$1 == \"floor\" { print $%d }' %s", c, tsv)))

set linetype 1 lc rgb "#1f5fa8"
set linetype 2 lc rgb "#6fa8dc"
set linetype 3 lc rgb "#e69138"
set linetype 4 lc rgb "#6aa84f"
set linetype 5 lc rgb "#cc4125"
set style fill solid 0.9 border rgb "#333333"
set boxwidth 0.7
set key top left reverse Left samplen 2 font ",10" nobox
set grid ytics lc rgb "#dddddd"
set xtics scale 0 rotate by 25 right
set yrange [0:*]
set offsets 0.5, 0.5, graph 0.15, 0
set format y "%g"

set multiplot layout 2,4 title sprintf("supd and its peers: %d services, same payload, same machine, one run (medians; lower is better unless marked)", n)

launch_floor = ref(4)
restart_floor = ref(5)
ceiling = ref(8)

set title "PSS, MiB (light: + page tables)"
plot rows using 0:($2 + $3):($0 + 1) with boxes lc variable fs transparent solid 0.35 notitle, \
     rows using 0:2:($0 + 1):xtic(1) with boxes lc variable notitle, \
     rows using 0:($2 + $3):(sprintf("%.0f", $2 + $3)) with labels offset 0,0.7 font ",10" notitle

set title sprintf("launch -> %d payloads running, s", n)
set yrange [0:*]
plot rows using 0:4:($0 + 1):xtic(1) with boxes lc variable notitle, \
     rows using 0:4:(sprintf("%.1f", $4)) with labels offset 0,0.7 font ",10" notitle, \
     launch_floor with lines dt 2 lw 2 lc rgb "black" title sprintf("fork+exec of %d: %.2f s", n, launch_floor)

set title "kill -9 -> new payload running, ms (log)"
set logscale y
set yrange [*:*]
plot rows using 0:5:($0 + 1):xtic(1) with boxes lc variable notitle, \
     rows using 0:5:($5 >= 100 ? sprintf("%.0f", $5) : sprintf("%.3g", $5)) with labels offset 0,0.7 font ",10" notitle, \
     restart_floor with lines dt 2 lw 2 lc rgb "black" title sprintf("fork+exec: %.2f ms", restart_floor)

set title sprintf("status of %d, CLI included, ms (log)", n)
plot rows using 0:6:($0 + 1):xtic(1) with boxes lc variable notitle, \
     rows using 0:6:($6 >= 100 ? sprintf("%.0f", $6) : sprintf("%.3g", $6)) with labels offset 0,0.7 font ",10" notitle
unset logscale y
set yrange [0:*]

set title sprintf("stop of %d, s", n)
plot rows using 0:7:($0 + 1):xtic(1) with boxes lc variable notitle, \
     rows using 0:7:(sprintf("%.2g", $7)) with labels offset 0,0.7 font ",10" notitle

set title "log capture, 10M x 5 rotation, MiB/s (higher is better)"
set yrange [0:ceiling * 1.15]
plot rows using 0:8:($0 + 1):xtic(1) with boxes lc variable notitle, \
     rows using 0:8:(sprintf("%.0f", $8)) with labels offset 0,0.7 font ",10" notitle, \
     ceiling with lines dt 2 lw 2 lc rgb "black" title sprintf("straight to a file: %.0f", ceiling)

set title "CPU s per GiB logged (log)"
set logscale y
set yrange [*:*]
plot rows using 0:9:($0 + 1):xtic(1) with boxes lc variable notitle, \
     rows using 0:9:(sprintf("%.2g", $9)) with labels offset 0,0.7 font ",10" notitle
unset multiplot

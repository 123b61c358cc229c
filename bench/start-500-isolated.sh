#!/bin/bash
# SPDX-License-Identifier: ISC
# start-500-isolated.sh [BUILD_DIR]: 500 services ($SERVICES) running `sleep
# infinity` each in its own mount, pid, ipc, uts and net namespaces ([isolation]
# namespaces = mount pid ipc uts net; init = yes and private_tmp = yes by
# default, so each has a supd-init as PID 1 of its pid namespace): the time
# from supd's start (just before the script launches it) until every service
# is `running` per `supctl --json status`, polled every 20 ms. Median of $RUNS
# (default 3) fresh supd starts. Bar: < 1 s.
# For reference, in the same run and alternating with it: the same 500 with
# namespaces = none, and bench/spawn_floor fork+exec'ing, and clone(2)ing into
# the same five namespaces, 500 `sleep infinity` from a minimal C parent.
# Memory, 1 s after all are running (isolated runs): supd's VmRSS and Pss, and
# the sum of Pss (/proc/PID/smaps_rollup) of supd's children named supd-init
# -- the per-service init's footprint. Pss splits a page shared by k processes
# k ways, so supd's own Pss shrinks by what its 500 forked inits share.
. "$(dirname "$0")/common.sh"
bench_init "$@"
N=${SERVICES:-500}
RUNS=${RUNS:-3}

write_conf() { # NAMESPACES
	local i
	rm -f "$T/conf.d/"*.ini
	for i in $(seq -w 1 "$N"); do
		printf '[service]\ncommand = sleep infinity\n[isolation]\nnamespaces = %s\n' \
			"$1" >"$T/conf.d/s$i.ini"
	done
	"$SUPD" --check -d "$T/conf.d" >/dev/null 2>&1 ||
		die "this supd does not accept namespaces = $1: $("$SUPD" --check -d "$T/conf.d" 2>&1 | head -3)"
}

# One fresh supd start (not in a subshell: $SUPD_PID must stay ours); sets
# $t to the ns until all N are running.
one_start() {
	local t0
	rm -f "$T/run/supd.sock"
	start_supd
	t0=$SUPD_T0
	wait_count running "$N" 120 || die "not all $N services running after 120 s"
	t=$(($(now_ns) - t0))
}

# The supd-init processes whose parent is supd, one pid a line.
inits() {
	local f s
	for f in /proc/[0-9]*/stat; do
		s=$(cat "$f" 2>/dev/null) || continue
		case $s in
		# The embedded reaper (comm "memfd:supd-init"), or the
		# same loop in supd's image where no memfd could be made.
		*" (supd-init) "* | *" (memfd:supd-init) "*) ;;
		*) continue ;;
		esac
		set -- ${s##*) }
		[ "$2" = "$SUPD_PID" ] && echo "${f//[^0-9]/}"
	done
}

bench_cc spawn_floor
times=() plain=() rss=() pss=() ipss=() irss=() ipriv=() ipte=() ninit=() floor=() nsfloor=()
for run in $(seq 1 "$RUNS"); do
	write_conf "mount pid ipc uts net"
	one_start
	times+=("$t")
	sleep 1	# let the start-up settle before reading memory
	rss+=($(awk '/^VmRSS:/ { print $2 }' "/proc/$SUPD_PID/status"))
	pss+=($(awk '/^Pss:/ { print $2 }' "/proc/$SUPD_PID/smaps_rollup"))
	ip=$(inits)
	ninit+=($(printf '%s\n' $ip | grep -c .))
	files=$(printf "/proc/%s/smaps_rollup " $ip)
	# shellcheck disable=SC2086
	set -- $(cat $files 2>/dev/null | awk '/^Pss:/ { p += $2 } /^Rss:/ { r += $2 }
		/^Private_(Clean|Dirty):/ { v += $2 } END { print p + 0, r + 0, v + 0 }')
	ipss+=("$1") irss+=("$2") ipriv+=("$3")
	# Page tables are not in Pss: a forked init has its own copy of supd's.
	ipte+=($(printf "/proc/%s/status " $ip | xargs cat 2>/dev/null | awk '/^VmPTE:/ { s += $2 } END { print s + 0 }'))
	note "run $run: isolated: all $N running after $(ns2s "$t") s; supd VmRSS ${rss[-1]} KiB, Pss ${pss[-1]} KiB;" \
		"${ninit[-1]} supd-init: Pss sum ${ipss[-1]} KiB, Private sum ${ipriv[-1]} KiB, Rss sum ${irss[-1]} KiB, VmPTE sum ${ipte[-1]} KiB"
	t2=$(now_ns)
	stop_supd
	note "run $run: isolated: supd stopped $N services and exited in $(ns2s $(($(now_ns) - t2))) s"

	write_conf none
	one_start
	plain+=("$t")
	note "run $run: namespaces = none: all $N running after $(ns2s "$t") s"
	stop_supd

	floor+=($("$BIN/spawn_floor" "$N"))
	nsfloor+=($("$BIN/spawn_floor" "$N" ns))
	note "run $run: spawn_floor: $N fork+exec in $(ns2s "${floor[-1]}") s, $N clone(5 namespaces)+exec in $(ns2s "${nsfloor[-1]}") s"
done

m=$(median "${times[@]}")
mp=$(median "${plain[@]}")
f=$(median "${floor[@]}")
fn=$(median "${nsfloor[@]}")
r=$(median "${rss[@]}")
p=$(median "${pss[@]}")
ips=$(median "${ipss[@]}")
ipv=$(median "${ipriv[@]}")
ni=$(median "${ninit[@]}")
ipt=$(median "${ipte[@]}")
kib2mib() { awk -v k="$1" 'BEGIN { printf "%.2f", k / 1024 }'; }
echo "start-500-isolated: median $(ns2s "$m") s until all $N services in mount+pid+ipc+uts+net namespaces running (runs: $(for t in "${times[@]}"; do printf '%s ' "$(ns2s "$t")"; done | sed 's/ $//'); bar < 1 s: $(awk -v m="$m" 'BEGIN { print (m < 1e9 ? "met" : "missed") }'); same $N with namespaces = none: $(ns2s "$mp") s; minimal C parent: fork+exec $(ns2s "$f") s, clone into the 5 namespaces+exec $(ns2s "$fn") s)"
echo "memory-500-isolated: supd VmRSS $(kib2mib "$r") MiB, Pss $(kib2mib "$p") MiB; $ni supd-init: Pss sum $(kib2mib "$ips") MiB ($(awk -v k="$ips" -v n="$ni" 'BEGIN { printf "%.1f", n ? k / n : 0 }') KiB each; private pages $(awk -v k="$ipv" -v n="$ni" 'BEGIN { printf "%.1f", n ? k / n : 0 }') KiB each); supd + inits $(kib2mib $((p + ips))) MiB; not in Pss: the inits' page tables, $(kib2mib "$ipt") MiB ($(awk -v k="$ipt" -v n="$ni" 'BEGIN { printf "%.0f", n ? k / n : 0 }') KiB each)"

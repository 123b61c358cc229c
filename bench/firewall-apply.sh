#!/bin/bash
# SPDX-License-Identifier: ISC
# firewall-apply.sh [BUILD_DIR]: the time of fw_apply (src/firewall.c: the
# whole `inet supd` table written as nft text and replaced in one libnftables
# transaction) for 1, 10 and 100 networks, median of 20 calls each ($ROUNDS),
# each replacing the previous table as a reload would; of fw_remove; and of
# fw_apply when the table is known absent (supd's start: only an add).
# bench/fw_apply_probe.c links the build's firewall.o, optlib.o (which loads
# libnftables at the first call) and util.o and runs in
# a network namespace of its own (root), so the host's ruleset is untouched.
. "$(dirname "$0")/common.sh"
bench_init "$@"
ROUNDS=${ROUNDS:-20}

[ -f "$B/firewall.o" ] && [ -f "$B/optlib.o" ] && [ -f "$B/util.o" ] ||
	die "$B has no firewall.o or optlib.o (run make)"
${CC:-cc} -O2 -std=gnu11 -Wall -D_GNU_SOURCE -I"$BENCH_DIR/../src" \
	-o "$BIN/fw_apply_probe" "$BENCH_DIR/fw_apply_probe.c" \
	"$B/firewall.o" "$B/optlib.o" "$B/util.o" || die "cannot build fw_apply_probe"
out=$("$BIN/fw_apply_probe" "$ROUNDS" 1 10 100) || die "fw_apply_probe failed"
printf '%s\n' "$out" | sed 's/^/# /' >&2
get() { printf '%s\n' "$out" | awk -v n="n=$1" -v k="$2" '$1 == n {
	for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }'; }
line="firewall-apply: median of $ROUNDS"
for n in 1 10 100; do
	line="$line, $n net(s) $(ns2ms "$(get $n median)") ms (p90 $(ns2ms "$(get $n p90)"), added to none $(ns2ms "$(get $n add)"))"
done
echo "$line; fw_remove $(ns2ms "$(get 100 remove)") ms"

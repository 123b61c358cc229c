#!/bin/sh
# SPDX-License-Identifier: ISC
# vm-boot.sh [BUILD_DIR]: what supd as /init costs a VM's boot. Two
# initramfs images on the same kernel, each booted RUNS times (default 5)
# under qemu (TCG), wall time from qemu's start to its exit, median:
#   bare  /init is busybox sh: `poweroff -f` at once
#   supd  /init is supd with 10 services (oneshots, in supd's default
#         namespaces) that start, report on ttyS1 and end, and a driver that
#         runs `supctl poweroff` once all 10 are done (after = ...)
# Bar: supd adds less than 1 s. Uses the kernel and the supd that
# tests/vm/run.sh fetches and builds (it runs it first if needed).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "${1:-$top/build}" && pwd)
RUNS=${RUNS:-5}
if ! ls "$top"/tests/vm/.cache/*/boot/vmlinuz-* >/dev/null 2>&1 ||
    [ ! -x "$B/vm/build/supd" ]; then
	"$top/tests/vm/run.sh" "$B" >&2
fi
kernel=$(ls "$top"/tests/vm/.cache/*/boot/vmlinuz-* | head -n 1)
T=$(mktemp -d /var/tmp/supd-vmboot.XXXXXX)
trap 'rm -rf "$T"' EXIT

base() {	# DIR: busybox and the usual directories
	mkdir -p "$1/bin" "$1/sbin" "$1/proc" "$1/sys" "$1/dev" "$1/run" \
	    "$1/tmp" "$1/etc/supd/conf.d" "$1/var/log" "$1/var/lib"
	cp /bin/busybox "$1/bin/busybox"
	for a in $("$1/bin/busybox" --list); do
		[ "$a" = busybox ] || ln -sf busybox "$1/bin/$a"
	done
}
pack() {	# DIR OUT
	(cd "$1" && find . | cpio -o -H newc 2>/dev/null | gzip -1) >"$2"
}

base "$T/bare"
printf '#!/bin/sh\nexec poweroff -f\n' >"$T/bare/init"
chmod 0755 "$T/bare/init"
pack "$T/bare" "$T/bare.gz"

base "$T/supd"
cp "$B/vm/build/supd" "$T/supd/sbin/supd"
cp "$B/vm/build/supctl" "$T/supd/bin/supctl"
"$top/tests/vm/copy-libs.sh" "$T/supd" "$B/vm/build/supd" "$B/vm/build/supctl"
ln -s /sbin/supd "$T/supd/init"
for i in 0 1 2 3 4 5 6 7 8 9; do
	cat >"$T/supd/etc/supd/conf.d/s$i.ini" <<INI
[service]
command = sh -c 'echo "s$i up" >/dev/ttyS1'
type = oneshot
restart = no
INI
done
cat >"$T/supd/etc/supd/conf.d/zz-driver.ini" <<'INI'
[service]
command = supctl poweroff
after = s0 s1 s2 s3 s4 s5 s6 s7 s8 s9
restart = no
[isolation]
namespaces = none
INI
pack "$T/supd" "$T/supd.gz"

boot() {	# INITRD -> wall ms on stdout; checks the power-down line
	local start rc
	start=$(date +%s%N)
	rc=0
	timeout -k 5 120 qemu-system-x86_64 -accel tcg -m 512 -smp 1 \
	    -nodefaults -no-user-config -nographic -no-reboot \
	    -serial "file:$T/console" -serial "file:$T/results" -nic none \
	    -kernel "$kernel" -initrd "$1" \
	    -append 'console=ttyS0 quiet panic=-1' </dev/null >/dev/null 2>&1 || rc=$?
	echo $((($(date +%s%N) - start) / 1000000))
	if [ "$rc" -ne 0 ] || ! grep -q 'reboot: Power down' "$T/console"; then
		echo "vm-boot: $1 did not power down cleanly (status $rc)" >&2
		tail -5 "$T/console" >&2
	fi
}
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }

: >"$T/bare.ms"
: >"$T/supd.ms"
for r in $(seq 1 "$RUNS"); do
	boot "$T/bare.gz" >>"$T/bare.ms"
	boot "$T/supd.gz" >>"$T/supd.ms"
	tr -d '\r' <"$T/results" | grep -c ' up$' | grep -qx 10 ||
		echo "vm-boot: run $r: not all 10 services reported" >&2
done
b=$(median <"$T/bare.ms")
s=$(median <"$T/supd.ms")
echo "vm-boot: /init = poweroff -f median $b ms; supd + 10 services + supctl poweroff median $s ms; supd adds $((s - b)) ms (bar < 1000 ms: $([ $((s - b)) -lt 1000 ] && echo met || echo MISSED); $RUNS boots each, TCG)"

#!/bin/sh
# SPDX-License-Identifier: ISC
# tests/vm/run.sh BUILD_DIR: boot a real kernel with supd as /init and check,
# from inside, what a machine's PID 1 owes: the mounts it provides, services
# in namespaces, orphans reaped, supctl working, and `supctl poweroff` ending
# the machine cleanly (the kernel's "reboot: Power down", no panic); then a
# second boot where SIGINT to PID 1 (Ctrl-Alt-Del's) must reboot it; then a
# third where supd has no control socket (its directory cannot be made):
# it must still supervise, and SIGTERM to PID 1 must power off. A fourth,
# net, checks supd's networks on the real kernel: its modules loaded by a
# oneshot service (modules.sh picks them from modules.dep), a bridge
# network with two services and a published port, nftables' masquerade
# (tests/vm/net/, docs/vm.md section 8). A fifth, cgroup, checks what
# only a kernel's own cgroup v2 hierarchy can show: pids, memory (OOM) and
# cpu limits held, a stop ending a daemon that left its process group,
# pause, stats, a reload changing a limit in place (tests/vm/cgroup/).
#
# Debian's cloud kernel is fetched with `apt-get download` and unpacked, not
# installed; qemu runs it under TCG (KVM here cannot run a stock kernel, see
# docs/vm.md). Results come back on the second serial port.
# Ends with "vm: N passed, M failed"; if qemu cannot run, that is a failure.
# VM_ONLY=NAME boots only that scenario (to see one boot's checks fail).
set -u

B=${1:?usage: run.sh BUILD_DIR}
top=$(cd "$(dirname "$0")/../.." && pwd)
B=$(cd "$B" && pwd)
here=$top/tests/vm
cache=$here/.cache
out=$B/vm
timeout_s=${VM_TIMEOUT:-120}
pass=0
fail=0

say() { echo "vm: $*"; }
ok() { pass=$((pass + 1)); echo "ok $*"; }
nok() { fail=$((fail + 1)); echo "not ok $*"; }
finish() {
	echo "vm: $pass passed, $fail failed"
	[ "$fail" -eq 0 ]
	exit $?
}

# ---- what it needs ------------------------------------------------------
pkgs=
command -v qemu-system-x86_64 >/dev/null || pkgs="$pkgs qemu-system-x86"
command -v cpio >/dev/null || pkgs="$pkgs cpio"
[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 ||
	pkgs="$pkgs busybox-static"
if [ -n "$pkgs" ]; then
	say "installing$pkgs"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $pkgs >/dev/null 2>&1 || {
		apt-get update -qq >/dev/null 2>&1
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
		    --no-install-recommends $pkgs >/dev/null 2>&1
	}
fi
command -v qemu-system-x86_64 >/dev/null || { nok "qemu installed"; finish; }

# ---- the kernel, unpacked into the cache ---------------------------------
kpkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
    awk '/Depends: linux-image-/ { print $2; exit }')
if [ -z "$kpkg" ]; then
	apt-get update -qq >/dev/null 2>&1
	kpkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null |
	    awk '/Depends: linux-image-/ { print $2; exit }')
fi
[ -n "$kpkg" ] || { nok "kernel package found"; finish; }
kdir=$cache/$kpkg
if ! ls "$kdir"/boot/vmlinuz-* >/dev/null 2>&1; then
	mkdir -p "$cache"
	(cd "$cache" && apt-get download "$kpkg" >/dev/null 2>&1) &&
	    dpkg-deb -x "$cache/$kpkg"_*.deb "$kdir" ||
	    { nok "kernel $kpkg fetched"; finish; }
	rm -f "$cache/$kpkg"_*.deb
fi
kernel=$(ls "$kdir"/boot/vmlinuz-* | head -n 1)
say "kernel $kernel"

# ---- supd and supctl, with their shared libraries ------------------------
# Linked dynamically: libmnl (and libnftables) have no static archive in
# Debian. copy-libs.sh puts what ldd lists, and the loader, into the
# initramfs at the same paths, and what supd loads at first use
# (libnftables, libmicrohttpd: src/optlib.h), which ldd does not list.
# nl_drive and fw_drive (tests/helpers/) for the net boot.
make -s -C "$top" B="$out/build" CFLAGS="-O2" \
    "$out/build/supd" "$out/build/supctl" "$out/build/helpers/nl_drive" \
    "$out/build/helpers/fw_drive" "$out/build/helpers/cg_load" \
    >"$out.build.log" 2>&1 ||
	{ cat "$out.build.log"; nok "supd built"; finish; }

# ---- the initramfs -------------------------------------------------------
root=$out/root
rm -rf "$root"
mkdir -p "$root/bin" "$root/sbin" "$root/etc/supd/conf.d" "$root/proc" \
    "$root/sys" "$root/dev" "$root/run" "$root/tmp" "$root/var/log" \
    "$root/var/lib" "$root/root"
# As on any machine; a bridge network's services get supd's /etc/hosts
# bound over it (there is no /etc/resolv.conf: they get none).
printf '127.0.0.1\tlocalhost\n' >"$root/etc/hosts"
cp /bin/busybox "$root/bin/busybox"
for a in $("$root/bin/busybox" --list); do
	[ "$a" = busybox ] || ln -sf busybox "$root/bin/$a"
done
cp "$out/build/supd" "$root/sbin/supd"
cp "$out/build/supctl" "$root/bin/supctl"
"$here/copy-libs.sh" "$root" "$out/build/supd" "$out/build/supctl" ||
	{ nok "supd's libraries copied"; finish; }
ln -s /sbin/supd "$root/init"
cp "$here/driver.sh" "$root/bin/vm-driver"
chmod 0755 "$root/bin/vm-driver"
cat >"$root/etc/supd/conf.d/ns.ini" <<'EOF'
# In its own mount, pid, ipc and uts namespaces (the default).
[service]
command = sleep 1000
EOF
cat >"$root/etc/supd/conf.d/orphan.ini" <<'EOF'
# Leaves an orphan behind at once: PID 1 (supd) must reap it.
[service]
command = sh -c '( (sleep 0.3; echo done >/run/orphan-done) & ); exec sleep 1000'
[isolation]
namespaces = none
EOF
cat >"$root/etc/supd/conf.d/driver.ini" <<'EOF'
# Checks everything from inside, reports on ttyS1, then powers off.
[service]
command = /bin/vm-driver
after = ns orphan
restart = no
[isolation]
namespaces = none
EOF
accel=tcg
if [ -w /dev/kvm ] && { [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; }; then
	accel=kvm
fi

# scenario NAME EXPECT: boot with /etc/vm-end = NAME (what the driver does
# at the end) and expect the kernel's line EXPECT on the console. Returns 1
# when VM_ONLY names another.
scenario() {
	name=$1
	expect=$2
	[ -z "${VM_ONLY:-}" ] || [ "$VM_ONLY" = "$name" ] || return 1
	echo "$name" >"$root/etc/vm-end"
	(cd "$root" && find . | cpio -o -H newc 2>/dev/null | gzip -1) \
	    >"$out/initramfs.cpio.gz"
	rm -f "$out/results.txt" "$out/console.txt"
	start=$(date +%s%N)
	timeout -k 5 "$timeout_s" qemu-system-x86_64 -accel "$accel" -m 512 \
	    -smp 1 -nodefaults -no-user-config -nographic -no-reboot \
	    -serial "file:$out/console.txt" -serial "file:$out/results.txt" \
	    -nic none -kernel "$kernel" -initrd "$out/initramfs.cpio.gz" \
	    -append 'console=ttyS0 quiet panic=-1' </dev/null \
	    >"$out/qemu.txt" 2>&1
	rc=$?
	ms=$((($(date +%s%N) - start) / 1000000))
	say "$name: qemu ($accel) ran $ms ms, status $rc"
	if [ ! -s "$out/results.txt" ]; then
		nok "$name: results came back on ttyS1"
		tail -n 30 "$out/console.txt" 2>/dev/null
		cat "$out/qemu.txt" 2>/dev/null
		return
	fi
	tr -d '\r' <"$out/results.txt" | grep '^VMTEST ' |
	    while read -r _ verdict what; do
		echo "$verdict $what"
	done >"$out/verdicts.txt"
	while read -r verdict what; do
		case $verdict in
		ok) ok "$name: $what" ;;
		fail) nok "$name: $what" ;;
		esac
	done <"$out/verdicts.txt"
	grep -q '^done' "$out/verdicts.txt" ||
	    nok "$name: the driver finished (VMTEST done)"
	if [ "$rc" -ne 124 ]; then
		ok "$name: no hang (qemu ended in time)"
	else
		nok "$name: no hang (timed out)"
	fi
	if grep -q 'Kernel panic' "$out/console.txt"; then
		nok "$name: no kernel panic"
		grep -A5 'Kernel panic' "$out/console.txt"
	else
		ok "$name: no kernel panic"
	fi
	if grep -q "$expect" "$out/console.txt"; then
		ok "$name: the kernel said '$expect'"
	else
		nok "$name: the kernel said '$expect'"
		tail -n 20 "$out/console.txt"
	fi
	cp "$out/console.txt" "$out/console-$name.txt"
}

# supctl poweroff after every check; then SIGINT (Ctrl-Alt-Del's signal,
# busybox init's convention) to PID 1, which must reboot.
scenario poweroff 'reboot: Power down'
scenario reboot 'reboot: Restarting system'
# No control socket (its directory is a regular file): supd says so on the
# console, supervises anyway, and SIGTERM to PID 1 powers off.
: >"$root/etc/supd/no-dir"
printf '[supd]\nsocket = /etc/supd/no-dir/supd.sock\n' >"$root/etc/supd/supd.conf"
scenario nosocket 'reboot: Power down' &&
if grep -q 'control socket: /etc/supd/no-dir/supd.sock: Not a directory' \
    "$out/console.txt" 2>/dev/null; then
	ok "nosocket: supd said why it has no socket"
else
	nok "nosocket: supd said why it has no socket"
	grep -i socket "$out/console.txt"
fi

# ---- the net boot: supd's networks (issue 10) -----------------------------
# tests/vm/net/: supd.conf with network lan, conf.d with web and client on
# it (web published on port 8080) and outside behind a bridge that is not
# supd's; tests/vm/net/checks.sh says what is checked. The kernel modules
# networks need are loaded by the oneshot service `modules` (supd loads
# none): these, and what modules.dep says they need (modules.sh).
net_modules="veth bridge nf_tables nft_ct nft_chain_nat nft_masq"
rm -f "$root/etc/supd/no-dir"
cp "$here/net/supd.conf" "$root/etc/supd/supd.conf"
cp "$here"/net/conf.d/*.ini "$root/etc/supd/conf.d/"
# shellcheck disable=SC2086
"$here/modules.sh" "$kdir" "$root" $net_modules ||
	{ nok "net: kernel modules put in the initramfs"; finish; }
cp "$out/build/helpers/nl_drive" "$out/build/helpers/fw_drive" "$root/bin/"
"$here/copy-libs.sh" "$root" "$root/bin/nl_drive" "$root/bin/fw_drive" ||
	{ nok "net: the drivers' libraries copied"; finish; }
cp "$here/load-modules.sh" "$root/bin/vm-modules"
cp "$here/net/checks.sh" "$root/bin/vm-net-checks"
cp "$here/net/wan.sh" "$root/bin/vm-wan"
mkdir -p "$root/srv/web" "$root/srv/outside/cgi-bin"
echo vm-web-page >"$root/srv/web/index.html"
cat >"$root/srv/outside/cgi-bin/addr" <<'EOF'
#!/bin/sh
# outside's CGI script: the address the client is seen at.
echo "Content-Type: text/plain"
echo
echo "$REMOTE_ADDR"
EOF
chmod 0755 "$root/srv/outside/cgi-bin/addr"
scenario net 'reboot: Power down'

# ---- the cgroup boot: limits, stop, pause, stats (issue 11) ---------------
# tests/vm/cgroup/: supd.conf (cgroup = auto: /sys/fs/cgroup/supd), conf.d
# with the loads (cg_load, sh), checks.sh. The net boot's services and
# modules are not part of it.
rm -f "$root"/etc/supd/conf.d/*.ini
rm -rf "$root/lib/modules/vm"
cp "$here/cgroup/supd.conf" "$root/etc/supd/supd.conf"
cp "$here"/cgroup/conf.d/*.ini "$root/etc/supd/conf.d/"
cp "$out/build/helpers/cg_load" "$root/bin/"
"$here/copy-libs.sh" "$root" "$root/bin/cg_load" ||
	{ nok "cgroup: cg_load's libraries copied"; finish; }
cp "$here/cgroup/checks.sh" "$root/bin/vm-cgroup-checks"
scenario cgroup 'reboot: Power down' &&
# supd's own log (the console): what it got, what it did.
for line in 'cgroup: tree /sys/fs/cgroup/supd, controllers: cpu memory pids io$' \
    'hog: out of memory: 1 process OOM killed' \
    'hold: limits applied without a restart'; do
	if tr -d '\r' <"$out/console.txt" | grep -q "supd: $line"; then
		ok "cgroup: supd logged '$line'"
	else
		nok "cgroup: supd logged '$line'"
	fi
done
finish

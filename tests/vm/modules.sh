#!/bin/sh
# SPDX-License-Identifier: ISC
# modules.sh KDIR ROOT NAME...: put the kernel modules NAME... of the
# unpacked kernel package KDIR, and every module they need, into the tree
# ROOT as ROOT/lib/modules/vm/MODULE.ko, and write ROOT/etc/vm-modules: those
# paths as seen from ROOT, one a line, each after the modules it needs (the
# order `insmod` wants: it resolves nothing itself; tests/vm/load-modules.sh
# reads the list in the guest).
#
# Nothing here names a kernel version: the only directory of KDIR/lib/modules
# is used, its modules.dep made by busybox depmod when the package ships none
# (Debian's .deb does not: depmod runs in postinst), and each NAME found by
# its file's name. A NAME built into that kernel (modules.builtin) is
# skipped; one that is neither a module nor built in is an error. The load
# order comes from modules.dep, which lists for each module ALL the modules
# it needs, directly or not: a module's list is then a strict superset of
# each of its dependencies' lists, so sorting by the length of the list puts
# every module after those it needs, whatever order depmod wrote them in.
# Compressed modules (.ko.xz, .ko.zst, .ko.gz) are decompressed here, so the
# guest's busybox insmod reads plain ELF whatever the kernel's
# CONFIG_MODULE_COMPRESS. Soft dependencies (modinfo's softdep, e.g.
# libcrc32c's on crc32c) are not followed, as busybox's modprobe does not
# follow them: name such a module here too (crc32c is built into the cloud
# kernel).
set -eu
kdir=${1:?usage: modules.sh KDIR ROOT NAME...}
root=${2:?usage: modules.sh KDIR ROOT NAME...}
shift 2
for mdir in "$kdir"/lib/modules/*/; do
	break
done
mdir=${mdir%/}
kver=${mdir##*/}
[ -s "$mdir/modules.dep" ] || /bin/busybox depmod -b "$kdir" "$kver"
[ -s "$mdir/modules.dep" ] || { echo "modules.sh: no $mdir/modules.dep" >&2; exit 1; }

# The closure of the NAMEs, as "COUNT PATH" (COUNT: the length of PATH's
# own dependency list), sorted by COUNT: a valid load order.
picked=$(awk -v want="$*" -v dep="$mdir/modules.dep" \
    -v builtin="$mdir/modules.builtin" '
function name(p) {
	sub(/.*\//, "", p)
	sub(/\.ko(\.(xz|zst|gz))?$/, "", p)
	gsub(/-/, "_", p)
	return p
}
BEGIN {
	while ((getline line < dep) > 0) {
		n = split(line, f, " ")
		key = f[1]
		sub(/:$/, "", key)
		path[name(key)] = key
		count[key] = n - 1
		deps[key] = line
	}
	while ((getline line < builtin) > 0)
		inkernel[name(line)] = 1
	n = split(want, w, " ")
	for (i = 1; i <= n; i++) {
		m = w[i]
		gsub(/-/, "_", m)
		if (m in path) {
			c = split(deps[path[m]], f, " ")
			pick[path[m]] = 1
			for (j = 2; j <= c; j++)
				pick[f[j]] = 1
		} else if (!(m in inkernel)) {
			print "modules.sh: " w[i] ": no such module in " dep > "/dev/stderr"
			bad = 1
		}
	}
	if (bad)
		exit 1
	for (k in pick)
		print count[k], k
}') || exit 1
order=$(echo "$picked" | sort -k1,1n -k2,2)

mkdir -p "$root/lib/modules/vm" "$root/etc"
: >"$root/etc/vm-modules"
echo "$order" | while read -r _ path; do
	[ -n "$path" ] || continue
	file=${path##*/}
	mod=$(echo "${file%%.ko*}" | tr - _)
	dst=$root/lib/modules/vm/$mod.ko
	case $file in
	*.ko.xz) xz -dc "$mdir/$path" >"$dst" ;;
	*.ko.zst) zstd -qdc "$mdir/$path" >"$dst" ;;
	*.ko.gz) gzip -dc "$mdir/$path" >"$dst" ;;
	*) cp "$mdir/$path" "$dst" ;;
	esac
	echo "/lib/modules/vm/$mod.ko" >>"$root/etc/vm-modules"
done

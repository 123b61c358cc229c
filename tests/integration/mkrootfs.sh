#!/bin/sh
# SPDX-License-Identifier: ISC
# mkrootfs.sh DIR: build (or bring up to date) a minimal root file system in
# DIR for the isolation tests: Debian's static busybox with an applet link
# for every command it has, /etc/passwd and /etc/group (root, nobody 65534,
# app 1000 with supplementary group extra 1001), the usual empty mount
# points, and two static test programs compiled from tests/helpers:
#   /probe           tests/helpers/probe.c (what a process sees)
#   /bin/iso_suid    tests/helpers/iso_suid.c, setuid root (mode 4755)
# and /etc/rootfs-marker, a file that exists only in this rootfs.
#
# Idempotent and fast: a second run only redoes what is missing or stale.
# Needs busybox-static (/bin/busybox, statically linked) and cc with a
# static libc (libc6-dev). Exit 0 on success, 1 with a message otherwise.
set -eu

if [ $# -ne 1 ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
case $1 in
/*) dir=$1 ;;
*) dir=$(pwd)/$1 ;;
esac
top=$(cd "$(dirname "$0")/../.." && pwd)
CC=${CC:-cc}

die() {
	echo "mkrootfs: $*" >&2
	exit 1
}

busybox=
for b in /bin/busybox /usr/bin/busybox; do
	if [ -x "$b" ]; then
		busybox=$b
		break
	fi
done
[ -n "$busybox" ] || die "no busybox (apt-get install busybox-static)"
# A dynamic busybox would not run in a rootfs without libc.
if command -v ldd >/dev/null 2>&1 && ldd "$busybox" >/dev/null 2>&1; then
	die "$busybox is not a static binary (apt-get install busybox-static)"
fi

mkdir -p "$dir"
cd "$dir"
for d in bin sbin etc proc sys dev tmp var var/tmp run root home home/app \
	mnt srv data; do
	[ -d "$d" ] || mkdir -p "$d"
done
chmod 1777 tmp var/tmp
chmod 0700 root
chown 1000:1000 home/app

# busybox and one relative link per applet, all in /bin (sbin -> same).
if ! cmp -s "$busybox" bin/busybox; then
	cp "$busybox" bin/busybox.new
	chmod 0755 bin/busybox.new
	mv -f bin/busybox.new bin/busybox
fi
if [ ! -e bin/sh ] || [ ! -e bin/.applets ] ||
	[ "$(cat bin/.applets)" != "$("$busybox" --list | wc -l)" ]; then
	for a in $("$busybox" --list); do
		[ "$a" = busybox ] || [ -L "bin/$a" ] || ln -s busybox "bin/$a"
	done
	"$busybox" --list | wc -l >bin/.applets
fi
for a in ip ifconfig route; do
	[ -L "sbin/$a" ] || ln -s ../bin/busybox "sbin/$a"
done

# Users and groups. app belongs to extra through /etc/group.
write_if_changed() {
	# write_if_changed FILE MODE: stdin to FILE, only when different.
	cat >"$1.new"
	if cmp -s "$1.new" "$1"; then
		rm -f "$1.new"
	else
		chmod "$2" "$1.new"
		mv -f "$1.new" "$1"
	fi
}
write_if_changed etc/passwd 0644 <<'EOF'
root:x:0:0:root:/root:/bin/sh
app:x:1000:1000:app:/home/app:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
EOF
write_if_changed etc/group 0644 <<'EOF'
root:x:0:
app:x:1000:
extra:x:1001:app
nogroup:x:65534:
EOF
write_if_changed etc/hostname 0644 <<'EOF'
rootfs
EOF
write_if_changed etc/rootfs-marker 0644 <<'EOF'
supd-isolation-rootfs
EOF

# Static test programs, rebuilt when their source is newer.
build_static() {
	# build_static SRC DEST MODE
	if [ ! -x "$2" ] || [ -n "$(find "$1" -newer "$2")" ]; then
		"$CC" -static -O2 -D_GNU_SOURCE -o "$2.new" "$1" ||
			die "cannot build $2 statically from $1 (libc6-dev?)"
		mv -f "$2.new" "$2"
	fi
	chown 0:0 "$2"
	chmod "$3" "$2"
}
build_static "$top/tests/helpers/probe.c" probe 0755
build_static "$top/tests/helpers/iso_suid.c" bin/iso_suid 4755
exit 0

#!/bin/sh
# SPDX-License-Identifier: ISC
# mkimage.sh [-B BUILD] DIR: the build context of contrib/Containerfile, made
# on this machine with no registry: DIR gets supd and supctl (built here,
# with the shared libraries ldd lists and the loader: libmnl and libnftables
# ship no static archive in Debian, so they cannot be static; and those
# supd loads with dlopen at a feature's first use, libnftables and
# libmicrohttpd, which ldd does not list: tests/vm/copy-libs.sh), Debian's
# static busybox with a link for each applet (a shell and the usual tools
# for services and `podman exec`), /etc/passwd and /etc/group, and
# /etc/supd/supd.conf. Then:
#
#   contrib/mkimage.sh /tmp/supd-image
#   podman build -f contrib/Containerfile -t supd /tmp/supd-image
#
# Idempotent; needs busybox-static (contrib/ensure-deps.sh test).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
B=$top/build
if [ "${1:-}" = -B ]; then
	B=$(cd "$2" && pwd)
	shift 2
fi
dir=${1:?usage: mkimage.sh [-B BUILD] DIR}
make -s -C "$top" B="$B" "$B/supd" "$B/supctl" >&2
bb=/bin/busybox
if ! [ -x "$bb" ] || ldd "$bb" >/dev/null 2>&1; then
	echo "mkimage: $bb is not Debian's static busybox (busybox-static)" >&2
	exit 1
fi
mkdir -p "$dir"
cd "$dir"
mkdir -p bin sbin usr/bin usr/sbin etc/supd/conf.d var/log/supd \
    var/lib/supd proc sys dev run tmp root
chmod 1777 tmp
cp "$B/supd" usr/sbin/supd
cp "$B/supctl" usr/bin/supctl
"$top/tests/vm/copy-libs.sh" "$dir" "$B/supd" "$B/supctl"
cp "$bb" bin/busybox
for a in $("$bb" --list); do
	[ -e "bin/$a" ] || [ "$a" = busybox ] || ln -s busybox "bin/$a"
done
printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
    'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >etc/passwd
printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >etc/group
# docker/podman stop wait 10 s before SIGKILL, Kubernetes 30 s: keep
# shutdown_timeout below the engine's grace period.
[ -e etc/supd/supd.conf ] ||
	printf '%s\n' '[supd]' 'shutdown_timeout = 8s' >etc/supd/supd.conf

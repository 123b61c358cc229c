#!/bin/sh
# SPDX-License-Identifier: ISC
# mkrootfs.sh DIR: a minimal root file system for the web server example,
# from Debian's busybox-static (apt-get install busybox-static): busybox and
# its applets, a `www` user (uid 33), an empty /srv/www for the volume.
set -eu
dir=${1:?usage: mkrootfs.sh DIR}
[ -x /bin/busybox ] || { echo "mkrootfs: install busybox-static" >&2; exit 1; }
mkdir -p "$dir/bin" "$dir/etc" "$dir/proc" "$dir/sys" "$dir/dev" "$dir/tmp" \
    "$dir/srv/www"
cp /bin/busybox "$dir/bin/busybox"
# Relative links: they must resolve inside the new root.
for a in $("$dir/bin/busybox" --list); do
	[ "$a" = busybox ] || ln -sf busybox "$dir/bin/$a"
done
cat >"$dir/etc/passwd" <<PW
root:x:0:0:root:/root:/bin/sh
www:x:33:33:www:/srv/www:/bin/false
PW
cat >"$dir/etc/group" <<GR
root:x:0:
www:x:33:
GR
echo "rootfs ready in $dir"

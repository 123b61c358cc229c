#!/bin/sh
# SPDX-License-Identifier: ISC
# copy-libs.sh ROOT BINARY...: copy into the tree ROOT every shared library
# `ldd` lists for each BINARY, and the ELF loader, at the same paths
# (dereferenced: ROOT gets the files, not the host's symlinks). supd is
# linked dynamically for the VM: libmnl (and libnftables) ship no static
# archive in Debian. A static BINARY needs nothing (ldd fails: no copy).
#
# ldd does not see what supd loads with dlopen at a feature's first use
# (src/optlib.h: libnftables, libmicrohttpd): each soname of optlib.h that
# a BINARY names is copied too, from the directory of the BINARY's libc,
# with what ldd lists for it -- without them a bridged network or
# metrics_listen would fail in ROOT.
set -eu
root=${1:?usage: copy-libs.sh ROOT BINARY...}
shift
optlib_h=$(dirname "$0")/../../src/optlib.h
sonames=$(sed -n 's/^#define[[:space:]]*OPTLIB_[A-Z0-9_]*[[:space:]]*"\(lib[^"]*\)".*/\1/p' "$optlib_h")
[ -n "$sonames" ] || { echo "copy-libs.sh: no soname in $optlib_h" >&2; exit 1; }
for bin in "$@"; do
	libs=$(ldd "$bin" 2>/dev/null |
	    awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }') || :
	echo "$libs"
	libdir=$(echo "$libs" | awk '$0 ~ /\/libc\.so/ { print; exit }')
	[ -n "$libdir" ] || continue
	libdir=$(dirname "$libdir")
	for so in $sonames; do
		grep -q -F "$so" "$bin" || continue
		[ -e "$libdir/$so" ] || {
			echo "copy-libs.sh: $bin loads $so: not in $libdir" >&2
			exit 1
		}
		echo "$libdir/$so"
		ldd "$libdir/$so" |
		    awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }'
	done
done | sed '/^$/d' | sort -u | while read -r lib; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done

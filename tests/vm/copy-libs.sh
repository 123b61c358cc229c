#!/bin/sh
# SPDX-License-Identifier: ISC
# copy-libs.sh ROOT BINARY...: copy into the tree ROOT every shared library
# `ldd` lists for each BINARY, and the ELF loader, at the same paths
# (dereferenced: ROOT gets the files, not the host's symlinks). supd is
# linked dynamically for the VM: libmnl (and libnftables) ship no static
# archive in Debian. A static BINARY needs nothing (ldd fails: no copy).
set -eu
root=${1:?usage: copy-libs.sh ROOT BINARY...}
shift
for bin in "$@"; do
	ldd "$bin" 2>/dev/null |
	    awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^\//) print $i }' || :
done | sort -u | while read -r lib; do
	mkdir -p "$root$(dirname "$lib")"
	cp -L "$lib" "$root$lib"
done

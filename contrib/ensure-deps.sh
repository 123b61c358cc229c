#!/bin/sh
# SPDX-License-Identifier: ISC
# ensure-deps.sh build|test|fuzz: install the Debian packages supd needs, only
# when something is missing, so `make run`, `make test` and `make fuzz` work on
# a fresh machine.
set -e
what=${1:-build}
pkgs=
need_hdr() { [ -e "/usr/include/$1" ] || pkgs="$pkgs $2"; }
need_cmd() { command -v "$1" >/dev/null 2>&1 || pkgs="$pkgs $2"; }

need_hdr ev.h libev-dev
need_hdr ini.h libinih-dev
need_hdr sys/capability.h libcap-dev
need_hdr seccomp.h libseccomp-dev
# rtnetlink (src/netlink.c): bridges, veths, addresses, routes.
need_hdr libmnl/libmnl.h libmnl-dev
# nftables (src/firewall.c): NAT and isolation between networks.
need_hdr nftables/libnftables.h libnftables-dev
# metrics_listen (src/metrics-http.c): the HTTP endpoint for Prometheus,
# unless the build leaves it out (make METRICS_HTTP=no).
[ "${METRICS_HTTP:-yes}" = no ] || need_hdr microhttpd.h libmicrohttpd-dev
# supd-image (src/image*.c): tar, gzip and zstd layers, the images' JSON,
# sha256 of every blob.
need_hdr archive.h libarchive-dev
need_hdr json-c/json.h libjson-c-dev
need_hdr nettle/sha2.h nettle-dev
need_cmd pkg-config pkg-config
need_cmd cc gcc
if [ "$what" = test ]; then
	need_cmd bats bats
	need_cmd strace strace
	need_cmd setpriv util-linux
	need_cmd script bsdutils
	need_cmd jq jq
	# net-link.bats: ip reads back what src/netlink.c made; ping crosses
	# the bridge it built.
	need_cmd ip iproute2
	need_cmd ping iputils-ping
	need_cmd tmux tmux
	# volumes.bats: redis as user redis writes its data to a named volume.
	need_cmd redis-server redis-server
	# logs.bats rotates a live log with the real thing.
	need_cmd logrotate logrotate
	# net-fw.bats: nft reads the table back; real traffic with curl,
	# ping and python3's http.server between namespaces it makes.
	need_cmd nft nftables
	need_cmd curl curl
	need_cmd ping iputils-ping
	need_cmd python3 python3
	# net-publish.bats and bench/forward-*.sh: socat (also the relay compared
	# with), and the namespaces and veths they make (ip, nsenter).
	need_cmd socat socat
	need_cmd ip iproute2
	need_cmd nsenter util-linux
	# metrics.bats: promtool checks supctl metrics' text format.
	need_cmd promtool prometheus
	# podman.bats: supd as PID 1 of a podman container (runc: crun
	# refuses a hybrid cgroup layout) and of a pod of `podman kube play`
	# (its pause image is built from catatonit).
	need_cmd podman podman
	need_cmd runc runc
	need_cmd catatonit catatonit
	# tests/integration/mkimage.sh: the image fixtures (OCI layouts,
	# oci-archive and docker-archive) are made by the real tools.
	need_cmd umoci umoci
	need_cmd skopeo skopeo
	need_cmd zstd zstd
	# The isolation tests build their root file system from it.
	[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 ||
		pkgs="$pkgs busybox-static"
fi
if [ "$what" = fuzz ]; then
	# Debian's clang only recommends its runtimes: libFuzzer and the
	# sanitizers are in libclang-rt-dev (libclang-rt-14-dev on Debian 12).
	# Try a link to know whether they are there.
	if ! command -v clang >/dev/null 2>&1; then
		pkgs="$pkgs clang libclang-rt-dev"
	elif ! echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)
	    { (void)d; (void)n; return 0; }' | clang -x c -o /dev/null \
	    -fsanitize=fuzzer,address,undefined - >/dev/null 2>&1; then
		pkgs="$pkgs libclang-rt-dev"
	fi
fi
[ -z "$pkgs" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "ensure-deps: missing packages:$pkgs (run as root or install them)" >&2
	exit 1
fi
echo "ensure-deps: installing$pkgs" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2 || true
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $pkgs >&2

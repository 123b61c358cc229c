#!/bin/bash
# SPDX-License-Identifier: ISC
# netlink-attach.sh [BUILD_DIR]: what plugging a service into a bridge
# network costs supd (src/netlink.c, issue 10). Inside one `unshare --net`
# (nothing touches the machine's network): a bridge supd-bench, 10.88.0.1/16,
# and a "service" network namespace held by a sleeping process. Then, ROUNDS
# times each (default 100), timed one by one with CLOCK_MONOTONIC by
# tests/helpers/nl_drive:
#   nl    nl_attach (veth pair on the bridge, its peer made in the service's
#         namespace as eth0, address, lo and eth0 up, default route), then
#         nl_detach (delete the host side, which takes the peer along)
#   ip    `ip link add sv-bench master supd-bench up type veth peer name
#         eth0 netns /proc/PID/ns/net` then `ip link del sv-bench`, each a
#         fork+exec of the ip command (less work than nl_attach: no address,
#         no route, no lo)
# Medians and 90th percentiles, in microseconds, of each step and of both.
# The issue's bar: a bridge-networked start (veth + address + hosts file) at
# most 2 ms more than network = none, i.e. nl_attach well under 2 ms.
set -u
if [ -z "${NETLINK_BENCH_INNER:-}" ]; then
	exec unshare --net env NETLINK_BENCH_INNER=1 "$0" "$@"
fi
. "$(dirname "$0")/common.sh"
bench_init "$@"
ROUNDS=${ROUNDS:-100}
NLD=$B/helpers/nl_drive
make -s -C "$BENCH_DIR/.." B="$B" "$NLD" >&2 || die "cannot build $NLD"
command -v ip >/dev/null || die "ip (iproute2) is needed"

unshare --net sleep 1000 &
svc_pid=$!
BENCH_PIDS=$svc_pid
deadline=$(($(now_ns) + 5000000000))
while [ "$(readlink /proc/$svc_pid/ns/net)" = "$(readlink /proc/self/ns/net)" ]; do
	[ "$(now_ns)" -lt "$deadline" ] || die "no service namespace"
	sleep 0.01
done
ns=/proc/$svc_pid/ns/net
"$NLD" bridge supd-bench 10.88.0.1/16 || die "no bridge"

# One warm-up round each, then the measures, nl first then ip.
"$NLD" bench 5 "$ns" supd-bench 10.88.0.2/16 10.88.0.1 >/dev/null || die "nl_attach failed"
"$NLD" bench-ip 5 "$ns" supd-bench >/dev/null || die "ip failed"
nl=$("$NLD" bench "$ROUNDS" "$ns" supd-bench 10.88.0.2/16 10.88.0.1) || die "nl_attach failed"
ip=$("$NLD" bench-ip "$ROUNDS" "$ns" supd-bench) || die "ip failed"
note "nl: $(echo $nl)"
note "ip: $(echo $ip)"
v() { echo "$1" | awk -v k="$2" '$1 == k { print $2 }'; }
echo "netlink-attach: nl_attach median $(v "$nl" attach_median_us) us (p90 $(v "$nl" attach_p90_us)), ip link add veth median $(v "$ip" add_median_us) us (p90 $(v "$ip" add_p90_us)); detach: nl_detach $(v "$nl" detach_median_us) us, ip link del $(v "$ip" del_median_us) us; both: nl $(v "$nl" both_median_us) us, ip $(v "$ip" both_median_us) us ($ROUNDS rounds)"

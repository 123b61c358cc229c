#!/bin/sh
# SPDX-License-Identifier: ISC
# SCAFFOLDING until supd wires networks (see conf.d/scaffold-net.ini): what
# supd will do for network lan of supd.conf and its services web and client,
# through the same code (src/netlink.c by tests/helpers/nl_drive,
# src/firewall.c by tests/helpers/fw_drive): the bridge supd-lan with the
# gateway's address, a veth pair into each service's network namespace
# (found by its pid) with its fixed `ip` and the default route, and supd's
# nftables table for the network (nat). Veths are named as here, not as
# supd will (sv- and a hash): nothing checks the host side's name.
set -e
pid() {
	supctl --json status "$1" | sed -n 's/.*"pid":\([0-9]*\).*/\1/p'
}
nl_drive bridge supd-lan 10.89.0.1/24
nl_drive attach "/proc/$(pid web)/ns/net" supd-lan sv-web eth0 \
    10.89.0.10/24 10.89.0.1
nl_drive attach "/proc/$(pid client)/ns/net" supd-lan sv-client eth0 \
    10.89.0.11/24 10.89.0.1
fw_drive apply lan:supd-lan:10.89.0.0/24:nat

#!/bin/sh
# SPDX-License-Identifier: ISC
# The VM's uplink for the net boot (see conf.d/wan.ini): the bridge "wan",
# not one of supd's networks, with the VM's address 192.0.2.1, and the
# service outside plugged into it as 192.0.2.2 (default route back through
# the VM). Traffic from network lan to outside leaves through a bridge that
# is not supd's: forwarded and masqueraded by supd's table.
set -e
pid=$(supctl --json status outside | sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
nl_drive bridge wan 192.0.2.1/24
nl_drive attach "/proc/$pid/ns/net" wan sv-outside eth0 192.0.2.2/24 \
    192.0.2.1

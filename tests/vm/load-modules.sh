#!/bin/sh
# SPDX-License-Identifier: ISC
# load-modules.sh: the VM's `modules` oneshot service (namespaces = none):
# insmod each module of /etc/vm-modules in the order written there (each
# after the modules it needs, see tests/vm/modules.sh). supd as /init loads
# no module, as a machine's init leaves that to udev/modprobe; this service
# plays their part, and the services that need the modules require it. A
# module already loaded is skipped; the first that fails ends the service
# with status 1, naming it (the services requiring it then fail to start).
while read -r ko; do
	mod=${ko##*/}
	mod=${mod%.ko}
	grep -q "^$mod " /proc/modules && continue
	insmod "$ko" || { echo "load-modules: insmod $ko failed" >&2; exit 1; }
done </etc/vm-modules

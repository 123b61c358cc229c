# SPDX-License-Identifier: ISC
# checks.sh: the net boot's checks, sourced by tests/vm/driver.sh (its
# report, check and until_ok) when /etc/vm-end is "net". The driver starts
# after the network services (conf.d/driver.ini). Network lan (10.89.0.0/24,
# bridge supd-lan) holds web (10.89.0.10, httpd, published on the VM's port
# 8080) and client (10.89.0.11); outside (192.0.2.2) sits behind the bridge
# wan, which is not supd's. What the checks expect is supd's networking as
# issue 10 defines it: supd makes the bridge, plugs web and client in and
# applies its table, and forwards web's published port. busybox 1.35's
# wget -T crashes (SIGSEGV), so `timeout` bounds each fetch.

# Whether oneshot $1 has ended with status 0: "exited" alone is not enough,
# a oneshot that failed with restart = no ends exited too.
exited0() {
	supctl --json status "$1" | grep -q '"state":"exited",.*"exit_code":0,'
}

# Every module of /etc/vm-modules is loaded: the modules service ran (and
# web, client and outside, which require it, started after it).
exited0 modules
report $? "the modules service exited 0"
missing=
while read -r ko; do
	mod=${ko##*/}
	mod=${mod%.ko}
	grep -q "^$mod " /proc/modules || missing="$missing $mod"
done </etc/vm-modules
report "$([ -z "$missing" ] && echo 0 || echo 1)" \
    "the $(wc -l </etc/vm-modules) modules are loaded${missing:+ (missing:$missing)}"

check "bridge supd-lan is up with the gateway 10.89.0.1/24" \
    sh -c 'ip addr show supd-lan | grep -q "inet 10.89.0.1/24" &&
	ip link show supd-lan | grep -q "[<,]UP[,>]"'
check "web has 10.89.0.10/24 on eth0 in its namespace" \
    sh -c 'supctl exec web ip addr show eth0 | grep -q "inet 10.89.0.10/24"'
check "client pings web across the bridge" \
    supctl exec client ping -c 1 -W 5 10.89.0.10
check "client fetches web's page by HTTP" \
    sh -c 'supctl exec client timeout 5 wget -q -O - http://10.89.0.10/ |
	grep -qx vm-web-page'
check "the published port 8080 answers with web's page" \
    sh -c 'timeout 5 wget -q -O - http://127.0.0.1:8080/ | grep -qx vm-web-page'
check "IPv4 forwarding is on (a nat network exists)" \
    sh -c '[ "$(cat /proc/sys/net/ipv4/ip_forward)" = 1 ]'
# outside sees the VM's address on wan, not client's: supd's table
# masqueraded it (nf_nat, nft_masq), and the replies came back (conntrack).
check "client reaches outside, masqueraded as 192.0.2.1" \
    sh -c 'supctl exec client timeout 5 wget -q -O - \
	    http://192.0.2.2/cgi-bin/addr |
	grep -q "192\.0\.2\.1\]*$"'
# No new connection from outside into lan: dropped by supd's forward chain
# (the routes would carry it: outside's default route is the VM, which
# forwards). One second of waiting.
check "outside cannot reach web (no connection in)" \
    sh -c '! supctl exec outside ping -c 1 -W 1 10.89.0.10'

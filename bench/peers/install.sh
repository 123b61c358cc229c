#!/bin/bash
# SPDX-License-Identifier: ISC
# install.sh: install the peers and the chart tool from Debian if missing:
# supervisor, runit, s6 (+ execline), gnuplot-nox. Only run.sh's own needs;
# not a build dependency of supd.
#
# Installing must not change this machine's init or start any daemon:
#   - a policy-rc.d that forbids every start is in place for the install
#     (invoke-rc.d and deb-systemd-invoke both obey it; an existing one is
#     kept aside and put back);
#   - --no-install-recommends, so runit's Recommends (runit-init, which
#     would replace /sbin/init) are never pulled in; runit-init is also
#     refused explicitly (apt-get's `runit-init-` suffix means "not this").
# The bench itself runs every peer from private directories under its temp
# dir; nothing here touches /etc/service or /etc/supervisor's config.
set -eu

want=()
command -v supervisord >/dev/null || want+=(supervisor)
command -v runsvdir >/dev/null || want+=(runit)
command -v s6-svscan >/dev/null || want+=(s6 execline)
command -v gnuplot >/dev/null || want+=(gnuplot-nox)
command -v /usr/bin/time >/dev/null || want+=(time)
command -v jq >/dev/null || want+=(jq)
[ ${#want[@]} -gt 0 ] || exit 0

[ "$(id -u)" -eq 0 ] || { echo "install.sh: need root to install ${want[*]}" >&2; exit 1; }
policy=/usr/sbin/policy-rc.d
saved=
if [ -e "$policy" ]; then
	saved=$(mktemp /var/tmp/policy-rc.d.XXXXXX)
	cp -p "$policy" "$saved"
fi
restore() {
	if [ -n "$saved" ]; then mv -f "$saved" "$policy"; else rm -f "$policy"; fi
}
trap restore EXIT
printf '#!/bin/sh\n# bench/peers/install.sh: no daemon starts during the install\nexit 101\n' >"$policy"
chmod 0755 "$policy"

echo "# installing ${want[*]} (no daemon starts: policy-rc.d exits 101)" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get -qq update >&2 || true
apt-get -y -qq --no-install-recommends install "${want[@]}" runit-init- >&2

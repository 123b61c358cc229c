#!/bin/sh
# SPDX-License-Identifier: ISC
# make-run.sh BUILD_DIR: start supd in the foreground on the demo services of
# conf.d/, with its socket, logs and state under ./run/ (git-ignored), so no
# system path is touched. Ctrl-C stops every service and supd.
set -e
top=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "$1" && pwd)
run=$top/run
mkdir -p "$run/log" "$run/state"
chmod 0700 "$run"
cat >"$run/supd.conf" <<CONF
# Written by make run.
[supd]
conf_dir = $top/conf.d
socket = $run/supd.sock
log_dir = $run/log
state_dir = $run/state
shutdown_timeout = 10s
CONF
cat <<MSG
supd: starting the demo services of conf.d/ (Ctrl-C stops them all).
In another terminal:

    $B/supctl -s $run/supd.sock status
    $B/supctl -s $run/supd.sock logs -f ticker

Logs are in $run/log/.
MSG
exec "$B/supd" -c "$run/supd.conf"

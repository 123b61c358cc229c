# shellcheck shell=bash
# SPDX-License-Identifier: ISC
# lib.sh: one interface over the five supervisors bench/peers/run.sh compares,
# sourced after ../common.sh (bench_init has made $T, $BIN, $SUPD, $SUPCTL).
# $S names the system: supd (default namespaces), plain (supd with
# `namespaces = none`), supervisord, runit, s6. Every peer runs from private
# directories under $T/$S (config, service dirs, sockets, logs); nothing of
# the host's (/etc/service, /etc/supervisor) is read or written.
#
#   peer_many S N FIFO       config: N services s0001.. running `stamp FIFO`
#   peer_one S FIFO          config: one service `k` running `stamp FIFO`
#   peer_log S BYTES         config: one service `spew` (not started), its
#                            output logged with 10M x 5 rotation into $T/$S/log
#   peer_launch S            start the supervisor in the background: $PEER_PID
#   peer_status S            the status of every service with the tool's CLI
#   peer_stop_all S          stop every service with the tool's CLI; returns
#                            once all are down
#   peer_start_spew S        start the configured spew service once
#   peer_end S               end the supervisor and all it started (by pid)
#
# The configs keep each tool's defaults except where noted in bench/README.md.

PEER_PID=

# A run script for runit and s6 (both exec ./run without arguments).
peer_run_script() {
	printf '#!/bin/sh\nexec %s\n' "$2" >"$1"
	chmod 0755 "$1"
}

peer_supervisord_conf() {
	local d=$T/$1
	mkdir -p "$d/childlogs"
	cat >"$d/supervisord.conf" <<EOF
[unix_http_server]
file = $d/supervisor.sock

[supervisorctl]
serverurl = unix://$d/supervisor.sock

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[supervisord]
nodaemon = true
logfile = $d/supervisord.log
pidfile = $d/supervisord.pid
childlogdir = $d/childlogs
minfds = 16384
EOF
}

# peer_service S NAME COMMAND [EXTRA]: one service of the system's kind.
# EXTRA = "once": configured but not started (started by peer_start_spew).
peer_service() {
	local s=$1 name=$2 cmd=$3 extra=${4:-} d=$T/$1
	case $s in
	supd | plain)
		{
			printf '[service]\ncommand = %s\n' "$cmd"
			[ "$extra" != once ] || printf 'autostart = no\nrestart = no\n'
			[ "$extra" = once ] || printf 'restart = always\nrestart_delay = 0\n'
			printf '[log]\nmax_size = 10M\nmax_files = 5\n'
			[ "$s" = supd ] || printf '[isolation]\nnamespaces = none\n'
		} >"$T/conf.d/$name.ini"
		;;
	supervisord)
		{
			printf '[program:%s]\ncommand = %s\n' "$name" "$cmd"
			if [ "$extra" = once ]; then
				printf 'autostart = false\nautorestart = false\nstartsecs = 0\n'
				printf 'stdout_logfile = %s/log/%s.log\n' "$d" "$name"
				printf 'stdout_logfile_maxbytes = 10MB\nstdout_logfile_backups = 5\n'
			else
				printf 'autorestart = true\n'
			fi
		} >>"$d/supervisord.conf"
		;;
	runit | s6)
		mkdir -p "$d/sv/$name"
		peer_run_script "$d/sv/$name/run" "$cmd"
		if [ "$extra" = once ]; then
			touch "$d/sv/$name/down"
			mkdir -p "$d/sv/$name/log" "$d/log"
			if [ "$s" = runit ]; then
				printf 's10000000\nn5\n' >"$d/log/config"
				peer_run_script "$d/sv/$name/log/run" "svlogd $d/log"
			else
				peer_run_script "$d/sv/$name/log/run" "s6-log n5 s10000000 $d/log"
			fi
		fi
		;;
	esac
}

peer_fresh() {
	rm -rf "${T:?}/$1" "$T"/conf.d/*.ini "$T/run/supd.sock"
	mkdir -p "$T/$1/log"
	[ "$1" != supervisord ] || peer_supervisord_conf "$1"
}

peer_many() {
	local s=$1 n=$2 fifo=$3 i
	peer_fresh "$s"
	for i in $(seq -w 1 "$n" | sed 's/^/s/'); do
		peer_service "$s" "$i" "$BIN/stamp $fifo"
	done
}

peer_one() {
	peer_fresh "$1"
	peer_service "$1" k "$BIN/stamp $2"
}

peer_log() {
	peer_fresh "$1"
	peer_service "$1" spew "$BIN/spew -n $2 -t $T/spew.start -e $T/spew.end" once
}

peer_launch() {
	local s=$1 d=$T/$1 deadline
	case $s in
	supd | plain)
		sed -i "s|^log_dir = .*|log_dir = $d/log|" "$T/supd.conf"
		start_supd
		PEER_PID=$SUPD_PID
		return
		;;
	supervisord) supervisord -c "$d/supervisord.conf" >"$d/out" 2>&1 & ;;
	runit) runsvdir "$d/sv" >"$d/out" 2>&1 & ;;
	s6) s6-svscan -c 8192 "$d/sv" >"$d/out" 2>&1 & ;;
	esac
	PEER_PID=$!
	[ "$s" = supervisord ] || return 0
	# supervisorctl needs the socket; the services start regardless.
	deadline=$(($(now_ns) + 60000000000))
	until [ -S "$d/supervisor.sock" ]; do
		kill -0 "$PEER_PID" 2>/dev/null || die "supervisord died: $(tail -3 "$d/supervisord.log")"
		[ "$(now_ns)" -lt "$deadline" ] || die "supervisord's socket did not appear"
		sleep 0.005
	done
}

peer_status() {
	local s=$1 d=$T/$1 f
	case $s in
	supd | plain) ctl status ;;
	supervisord) supervisorctl -c "$d/supervisord.conf" status ;;
	runit) sv status "$d"/sv/* ;;
	s6) for f in "$d"/sv/*; do s6-svstat "$f" || return; done ;;
	esac
}

peer_stop_all() {
	local s=$1 d=$T/$1 f w
	case $s in
	supd | plain) ctl stop all >/dev/null ;;
	supervisord) supervisorctl -c "$d/supervisord.conf" stop all >/dev/null ;;
	runit) sv -w 600 stop "$d"/sv/* >/dev/null ;;
	s6)
		# s6-svc takes one directory: one s6-svc -d per service, and
		# one s6-svwait for all of them (it reads the state after it
		# has subscribed, so no event before it is lost).
		s6-svwait -D -a -t 600000 "$d"/sv/* &
		w=$!
		for f in "$d"/sv/*; do s6-svc -d "$f"; done
		wait "$w"
		;;
	esac
}

peer_start_spew() {
	local s=$1 d=$T/$1
	case $s in
	supd | plain) ctl start spew >/dev/null ;;
	supervisord) supervisorctl -c "$d/supervisord.conf" start spew >/dev/null ;;
	runit) sv once "$d/sv/spew" >/dev/null ;;
	s6) s6-svc -o "$d/sv/spew" ;;
	esac
}

# Whether a process named COMM is in the tree under ROOT.
tree_has() {
	local p
	for p in $(descendants "$1" | awk '{ print $1 }'); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" != "$2" ] || return 0
	done
	return 1
}

# Wait until the supervisor can take commands and (runit, s6) its logger
# runs, so that neither start-up is in the timed part.
peer_idle() {
	local s=$1 deadline logger
	deadline=$(($(now_ns) + 20000000000))
	case $s in
	runit) logger=svlogd ;;
	s6) logger=s6-log ;;
	*) return 0 ;;
	esac
	until tree_has "$PEER_PID" "$logger" && [ -p "$T/$s/sv/spew/supervise/control" ]; do
		[ "$(now_ns)" -lt "$deadline" ] || die "$s: the logger did not start"
		sleep 0.02
	done
}

peer_end() {
	local s=$1 left prev p st
	case $s in
	supd | plain) stop_supd ;;
	*)
		[ -n "$PEER_PID" ] || return 0
		# SIGSTOP the whole tree until no new process appears (a
		# stopped runsv or s6-supervise cannot restart what is killed
		# next), then SIGKILL it, each pid only if it is the same process.
		kill -STOP "$PEER_PID" 2>/dev/null
		left='' prev=x
		while [ "$left" != "$prev" ]; do
			prev=$left
			left=$(descendants "$PEER_PID" | sort)
			while read -r p st _; do
				[ -z "$p" ] || [ "$(starttime "$p")" != "$st" ] || kill -STOP "$p" 2>/dev/null
			done <<<"$left"
		done
		kill -KILL "$PEER_PID" 2>/dev/null
		wait "$PEER_PID" 2>/dev/null
		while read -r p st _; do
			[ -z "$p" ] || [ "$(starttime "$p")" != "$st" ] || kill -KILL "$p" 2>/dev/null
		done <<<"$left"
		;;
	esac
	PEER_PID=
}

# The pids of ROOT's tree, ROOT included, without the payloads (comm $2).
tree_pids() {
	local p
	for p in "$1" $(descendants "$1" | awk '{ print $1 }'); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$2" ] || echo "$p"
	done
}

# Sum over the supervisor's process tree, payloads (comm $2) left out:
# "PSS_KiB PTE_KiB NPROCS".
peer_memory() {
	local p
	for p in $(tree_pids "$1" "$2"); do
		awk '/^Pss:/ { pss = $2 } END { printf "%d ", pss }' "/proc/$p/smaps_rollup" 2>/dev/null &&
			awk '/^VmPTE:/ { print $2 }' "/proc/$p/status" 2>/dev/null
	done | awk 'NF == 2 { pss += $1; pte += $2; n++ } END { print pss + 0, pte + 0, n + 0 }'
}

# CPU ticks (user + system) of the tree but the payload: "PID TICKS" lines.
peer_ticks() {
	local p
	for p in $(tree_pids "$1" "$2"); do
		awk -v p="$p" '{ sub(/^.*\) /, ""); print p, $12 + $13 }' "/proc/$p/stat" 2>/dev/null
	done
}

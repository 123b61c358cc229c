#!/bin/bash
# SPDX-License-Identifier: ISC
# podman.sh [BUILD_DIR]: supd as PID 1 of a podman container (issue 14's
# bars). Two result lines:
#
#   podman-start: from supd's own start ("starting" in its log) to the last
#     of SERVICES services "started", inside a default container, against
#     the same services started by supd outside one (as root with every
#     capability: in namespaces; and without CAP_SYS_ADMIN: without, as in
#     the container). Medians of RUNS. The engine's own set-up (podman run
#     invoked to supd's first line) is reported beside, not counted.
#   podman-stop: `podman stop` of a container with 20 services, whose
#     slowest takes SLOW_MS to stop on SIGTERM; wall time and exit code.
#
# podman runs with a private CONTAINERS_CONF and storage under $T, as
# tests/integration/podman.bats does; --network none. The start is timed
# from supd's log alone, on both sides the same way (wait_started).
. "$(dirname "$0")/common.sh"
bench_init "$@"
RUNS=${RUNS:-10}
SERVICES=${SERVICES:-10}
SLOW_MS=${SLOW_MS:-1000}
for t in podman runc; do
	command -v "$t" >/dev/null || die "$t is needed (contrib/ensure-deps.sh test)"
done

cat >"$T/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=4096:4096"]
netns = "none"
[engine]
cgroup_manager = "cgroupfs"
runtime = "runc"
events_logger = "file"
events_logfile_path = "$T/events.log"
# All of podman's state ours: its locks (not the machine's shared memory
# segment), its tmp_dir, its networks; podman system reset then touches
# nothing of the machine's podman.
lock_type = "file"
tmp_dir = "$T/libpod-tmp"
[network]
network_config_dir = "$T/networks"
EOF
cat >"$T/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$T/graph"
runroot = "$T/runroot"
EOF
export CONTAINERS_CONF=$T/containers.conf CONTAINERS_STORAGE_CONF=$T/storage.conf
podman_cleanup() {
	podman rm -a -f -t 0 >/dev/null 2>&1
	podman system reset -f >/dev/null 2>&1
}
trap 'podman_cleanup; bench_cleanup' EXIT
IMG=localhost/supd-bench:latest
"$BENCH_DIR/../contrib/mkimage.sh" -B "$B" "$T/image" >&2 || die "mkimage.sh"
podman build -q -f "$BENCH_DIR/../contrib/Containerfile" -t "$IMG" \
	"$T/image" >/dev/null || die "podman build"

for i in $(seq 1 "$SERVICES"); do
	svc "s$i" <<EOF
[service]
command = sleep 100000
EOF
done
# Like for like, outside without CAP_SYS_ADMIN: the same files but for
# the binary, the image's static busybox `sleep` that the container runs,
# not the machine's (coreutils, linked dynamically: ~2 ms more for 10
# first execs here), from a conf_dir of their own. (As root the services'
# private /tmp would hide $T: that row keeps the machine's sleep.)
mkdir -p "$T/conf-out.d"
for f in "$T"/conf.d/*.ini; do
	sed "s|^command = sleep |command = $T/image/bin/sleep |" "$f" \
		>"$T/conf-out.d/${f##*/}"
done
conf_dir_to() {
	sed -i "s|^conf_dir = .*|conf_dir = $1|" "$T/supd.conf"
}

# ms since midnight UTC of a supd log line's RFC 3339 time.
line_ms() {
	awk '{ split(substr($1, 12, 12), t, ":");
	       printf "%d\n", (t[1] * 3600 + t[2] * 60) * 1000 + t[3] * 1000 }'
}

# supd's start to its last "started" line, in ms, from a log on stdin.
start_to_all() {
	local log t0 t1
	log=$(cat)
	t0=$(grep -m1 ' supd: supd .* starting' <<<"$log" | line_ms)
	t1=$(grep ': started, pid ' <<<"$log" | tail -n 1 | line_ms)
	echo $((t1 - t0))
}

# Wait until the supd log in file $1 has SERVICES "started" lines. Both
# sides wait the same way, on supd's own log and with nothing heavier than
# grep: a `podman exec supctl status` poll (a Go program and a runc exec,
# ~100 ms of CPU each) inside would compete with supd's start for this
# machine's 2 cores, which supctl's poll outside does far less (it cost the
# container 5-20 ms). Deadline 30 s.
wait_started() {
	local deadline=$(($(now_ns) + 30000000000))
	until [ "$(grep -c ': started, pid ' "$1" 2>/dev/null)" -ge "$SERVICES" ]; do
		[ "$(now_ns)" -lt "$deadline" ] || return 1
		sleep 0.02
	done
}

outside_run() {
	start_supd
	wait_started "$T/supd.err" || die "not all started outside"
	# After the measured window: every service is running.
	wait_count running "$SERVICES" 30 || die "not all running outside"
	stop_supd
	start_to_all <"$T/supd.err"
}

inside=() engine=() out=() out_noadmin=()
for r in $(seq 1 "$RUNS"); do
	t0=$(now_ns)
	rm -f "$T/ctr.log"
	podman run -d --name bench --network none --log-driver k8s-file \
		--log-opt path="$T/ctr.log" \
		-v "$T/conf.d:/etc/supd/conf.d:ro" "$IMG" >/dev/null
	wait_started "$T/ctr.log" || die "not all started inside"
	# After the measured window: every service is running.
	until [ "$(podman exec bench supctl --json status 2>/dev/null |
		jq '[.[] | select(.state == "running")] | length')" = "$SERVICES" ]; do
		sleep 0.02
	done
	log=$(podman logs bench 2>&1)
	podman rm -f -t 0 bench >/dev/null
	inside+=("$(start_to_all <<<"$log")")
	# The engine: podman run invoked to supd's first line (wall clocks).
	first=$(grep -m1 ' supd: supd .* starting' <<<"$log" | line_ms)
	t0_ms=$(( (t0 / 1000000) % 86400000 ))
	engine+=("$((first - t0_ms))")
	out+=("$(outside_run)")
	conf_dir_to "$T/conf-out.d"
	out_noadmin+=("$(BENCH_SUPD_WRAP='setpriv --bounding-set -sys_admin --inh-caps -sys_admin' outside_run)")
	conf_dir_to "$T/conf.d"
	note "run $r: inside ${inside[-1]} ms (engine ${engine[-1]} ms), outside ${out[-1]} ms, outside without CAP_SYS_ADMIN ${out_noadmin[-1]} ms"
done
mi=$(median "${inside[@]}") mo=$(median "${out[@]}")
mn=$(median "${out_noadmin[@]}") me=$(median "${engine[@]}")
echo "podman-start: inside ${mi} ms, outside ${mo} ms (ratio $(ratio "$mi" "$mo")), outside without CAP_SYS_ADMIN ${mn} ms (ratio $(ratio "$mi" "$mn")), engine set-up ${me} ms, $SERVICES services, median of $RUNS"

# podman stop of 20 services; the slowest stops in SLOW_MS.
rm -f "$T"/conf.d/*.ini
for i in $(seq 1 20); do
	ms=$((i == 20 ? SLOW_MS : 100))
	svc "s$i" <<EOF
[service]
command = sh -c 'trap "sleep $(printf '%d.%03d' $((ms / 1000)) $((ms % 1000))); exit 0" TERM; while :; do sleep 0.1; done'
EOF
done
stops=()
for r in $(seq 1 3); do
	podman run -d --name bench --network none \
		-v "$T/conf.d:/etc/supd/conf.d:ro" "$IMG" >/dev/null
	until [ "$(podman exec bench supctl --json status 2>/dev/null |
		jq '[.[] | select(.state == "running")] | length')" = 20 ]; do
		sleep 0.02
	done
	t0=$(now_ns)
	podman stop -t 10 bench >/dev/null
	stops+=("$((($(now_ns) - t0) / 1000000))")
	code=$(podman inspect -f '{{.State.ExitCode}}' bench)
	podman rm -f -t 0 bench >/dev/null
	note "stop run $r: ${stops[-1]} ms, exit $code"
done
ms=$(median "${stops[@]}")
echo "podman-stop: ${ms} ms for 20 services, the slowest's own stop ${SLOW_MS} ms (over it by $((ms - SLOW_MS)) ms), exit code $code, median of 3"

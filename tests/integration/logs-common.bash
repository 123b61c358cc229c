# SPDX-License-Identifier: ISC
# logs-common.bash: what logs.bats and logs-splice.bats share: the writers
# (tests/helpers/lg_seq, lg_blob) copied into $H, and checks of the log
# files they leave (loaded after common.bash).
SEQ=$HELPERS/lg_seq
BLOB=$HELPERS/lg_blob
LINE=100	# lg_seq's default line length, newline included

# The writers are built by `make integration`; build them if a plain `make`
# left them out.
setup_file() {
	local top
	top=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	if [ ! -x "$SEQ" ] || [ ! -x "$BLOB" ]; then
		mkdir -p "$B/helpers"
		make -C "$top" B="$B" "$SEQ" "$BLOB" >&2
	fi
	[ -x "$SEQ" ] && [ -x "$BLOB" ]
}

setup() {
	setup_supd
	H=$(mktemp -d /var/tmp/supd-lg.XXXXXX)
	chmod 0755 "$H"
	# The services run the writers from $H: a build directory under /tmp
	# would be hidden by their private /tmp.
	cp "$HELPERS/lg_seq" "$HELPERS/lg_blob" "$H/"
	SEQ=$H/lg_seq
	BLOB=$H/lg_blob
	SMALL=
	FPID=
	FPID2=
}

teardown() {
	local p rc=0
	for p in $FPID $FPID2; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if [ -n "$SMALL" ]; then
		# supd holds files on the small file system: stop it first.
		end_supd
		umount "$SMALL" 2>/dev/null || umount -l "$SMALL"
	fi
	teardown_supd || rc=1
	rm -rf "$H"
	return $rc
}

# ---------------------------------------------------------------- helpers

# The log files of a service, oldest first: NAME.log.K ... NAME.log.1 NAME.log
log_files() {
	local base=${2:-$T/log}/$1.log f
	for f in "$base".*; do
		[ -e "$f" ] || continue
		case ${f##*.log.} in
		*[!0-9]*) continue ;;
		esac
		echo "${f##*.log.} $f"
	done | sort -rn | cut -d' ' -f2-
	[ ! -e "$base" ] || echo "$base"
}

cat_logs() {
	local files
	files=$(log_files "$@")
	[ -z "$files" ] || cat $files
}

# check_seq FIRST LAST [TAG] < lines: every line is a well-formed lg_seq
# line, numbered FIRST..LAST in order, each exactly once.
check_seq() {
	awk -v first="$1" -v last="$2" -v tag="${3:-}" -v len=$((LINE - 1)) '
	BEGIN { want = first; pre = (tag == "" ? "" : tag " ") }
	{
		e = pre "seq=" want " "
		if (substr($0, 1, length(e)) != e || length($0) != len ||
		    substr($0, length(e) + 1) !~ /^x+$/) {
			printf "line %d: expected %sseq=%d, got: %.70s\n", NR, pre, want, $0
			bad = 1
			exit 1
		}
		want++
	}
	END {
		if (bad)
			exit 1
		if (want != last + 1) {
			printf "got %d lines (seq %d..%d), expected seq %d..%d\n", \
			    NR, first, want - 1, first, last
			exit 1
		}
	}'
}

# The seq number of the last line of a file ("" if none).
last_seq() {
	tail -n 1 "$1" 2>/dev/null | sed -n 's/^.*seq=\([0-9]*\) x*$/\1/p'
}

_last_seq_is() {
	[ "$(last_seq "$1")" = "$2" ]
}

# Heartbeat of lg_seq/lg_blob: the last seq written, or "done N".
hb() {
	cat "$1" 2>/dev/null
}

_hb_at_least() {
	local v
	v=$(hb "$1")
	v=${v#done }
	[ -n "$v" ] && [ "$v" -ge "$2" ]
}

_hb_done() {
	case $(hb "$1") in done*) return 0 ;; esac
	return 1
}

_nonempty() {
	[ -s "$1" ]
}

_lines_are() {
	[ "$(cat_logs "$1" | wc -l)" -eq "$2" ]
}

# A small file system that fills up: mount a tmpfs of SIZE at $T/small and
# fill it, leaving FREE bytes (in pages) free; rm $SMALL/ballast frees it.
small_fs() {
	SMALL=$T/small
	mkdir -p "$SMALL"
	# The tests run as root: a mount that fails is a failure, not a skip.
	if ! mount -t tmpfs -o "size=$1" tmpfs "$SMALL"; then
		SMALL=
		echo "cannot mount a tmpfs on $T/small"
		return 1
	fi
	dd if=/dev/zero of="$SMALL/ballast" bs=4k 2>/dev/null || true
	truncate -s "-$2" "$SMALL/ballast"
}

# The first seq number in a file ("" if none).
first_seq() {
	head -n 1 "$1" 2>/dev/null | sed -n 's/^.*seq=\([0-9]*\) x*$/\1/p'
}

# At least N lines in FILE.
_has_lines() {
	[ "$(wc -l <"$1" 2>/dev/null || echo 0)" -ge "$2" ]
}

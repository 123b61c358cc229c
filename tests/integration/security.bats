#!/usr/bin/env bats
# security.bats: the findings of the security review ("Make isolation a
# boundary"), each as an attack tried against the real supd: a request that
# crashed it, a confined service reaching supd's socket, state or another
# service, a file that lies about what it is. Each test failed on the code
# before its fix.

bats_require_minimum_version 1.5.0
load common

setup() {
	setup_supd
}

teardown() {
	[ -n "${BATS_TEST_COMPLETED:-}" ] || dump_supd
	teardown_supd
}

supd_alive() {
	local st
	st=$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$SUPD_PID/status" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

states() {
	ctl --json status | jq -r '[.[].state] | unique | join(",")'
}

# ---- 1. names repeated -------------------------------------------------------

@test "1: every name-taking verb with 'all' and names repeated acts once per service; supd lives" {
	local n
	for n in a b c; do
		svc $n <<EOF
[service]
command = sleep 1000
[isolation]
namespaces = none
EOF
	done
	start_supd
	wait_state a running
	wait_state c running

	run ctl --json status all all all
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.[].name]' <<<"$output")" = '["a","b","c"]' ]
	run ctl --json status c all a c all b b
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.[].name]' <<<"$output")" = '["c","a","b"]' ]
	# A long list of repeats: still one row each, in first-named order.
	run ctl --json status $(for i in $(seq 300); do echo b all; done)
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.[].name]' <<<"$output")" = '["b","a","c"]' ]
	supd_alive

	run ctl stop all all all a a
	[ "$status" -eq 0 ]
	[ "$(states)" = stopped ]
	run ctl start all b all b all
	[ "$status" -eq 0 ]
	[ "$(states)" = running ]
	run ctl restart all all c c all
	[ "$status" -eq 0 ]
	[ "$(states)" = running ]
	run ctl stop --no-wait a a all all
	[ "$status" -eq 0 ]
	wait_state b stopped
	# An unknown name among repeats is refused and changes nothing.
	run ctl start all nosuch all
	[ "$status" -eq 1 ]
	[[ "$output" == *"no such service: nosuch"* ]]
	[ "$(state a)" = stopped ]
	supd_alive
}

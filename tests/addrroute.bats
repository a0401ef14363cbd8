#!/usr/bin/env bats
# addr and route: add --exist-ok (exactly that one there already is fine)
# and replace (NLM_F_CREATE | NLM_F_REPLACE, as ip's).
bats_require_minimum_version 1.5.0
load helpers

setup() {
	ns_setup
	t add tun0 --addr 192.0.2.1/24 --addr 2001:db8::1/64 >/dev/null
	t add tun1 >/dev/null
}
teardown() { ns_teardown; }

# The device's addresses as "LOCAL/LEN[ PEER]", sorted, link-local left out.
addrs() {
	addr_json dev "${1:-tun0}" | jq -r '.[0].addr_info[] | select(.scope != "link")
		| "\(.local)/\(.prefixlen)" + (if .address then " \(.address)" else "" end)' | sort
}
# The routes as "DST DEV GATEWAY METRIC", sorted, IPv4 and IPv6.
routes() {
	{ ip -n "$NS" -j route show table all; ip -n "$NS" -6 -j route show table all; } |
		jq -rs '[.[][] | select(.type != "local" and .type != "multicast" and .type != "broadcast"
			and (.dst | startswith("fe80") | not) and .dst != "ff00::/8")
			| "\(.dst) \(.dev) \(.gateway // "-") \(.metric // 0) \(.table // "main")"] | unique | .[]'
}

@test "addr add --exist-ok: the same address there is success, and nothing changes" {
	before=$(addrs)
	run --separate-stderr t addr add tun0 192.0.2.1/24 --exist-ok
	[ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ]
	run --separate-stderr t addr add tun0 2001:db8::1/64 --exist-ok
	[ "$status" -eq 0 ] && [ -z "$stderr" ]
	[ "$(addrs)" = "$before" ]
	# Without it, the same is an error, as before.
	run --separate-stderr t addr add tun0 192.0.2.1/24
	assert_error 1 "192.0.2.1/24"
	# One that is not there is added.
	run --separate-stderr t addr add tun0 198.51.100.1/24 --exist-ok
	[ "$status" -eq 0 ]
	addrs | grep -qx 198.51.100.1/24
}

@test "addr add --exist-ok: another prefix length in the kernel's way is still an error; the peer is part of the address" {
	run --separate-stderr t addr add tun0 2001:db8::1/56 --exist-ok
	assert_error 1 "2001:db8::1/56"
	[ "$(addrs | grep -c '^2001:db8::1/')" -eq 1 ]
	addrs | grep -qx 2001:db8::1/64
	# The peer is part of the address: the same one is success.
	t addr add tun1 192.0.2.5/32 --peer 192.0.2.6 >/dev/null
	run --separate-stderr t addr add tun1 192.0.2.5/32 --peer 192.0.2.6 --exist-ok
	[ "$status" -eq 0 ]
	[ "$(addrs tun1)" = "192.0.2.5/32 192.0.2.6" ]
}

@test "addr replace: adds one that is not there, succeeds on one that is; JSON prints nothing" {
	run --separate-stderr t -j addr replace tun0 198.51.100.1/24
	[ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ]
	addrs | grep -qx 198.51.100.1/24
	before=$(addrs)
	run --separate-stderr t addr replace tun0 198.51.100.1/24
	[ "$status" -eq 0 ]
	run --separate-stderr t addr replace tun0 2001:db8::1/64
	[ "$status" -eq 0 ]
	[ "$(addrs)" = "$before" ]
	# As ip sends it: NLM_F_CREATE | NLM_F_REPLACE, no NLM_F_EXCL.
	command -v strace >/dev/null || skip "strace is not installed"
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" in_ns strace -qq -o "$BATS_TEST_TMPDIR/trace" -e trace=sendto,sendmsg -s 64 -v \
		"$TUNCTL" addr replace tun0 198.51.100.1/24
	grep -q 'RTM_NEWADDR, nlmsg_flags=NLM_F_REQUEST|NLM_F_ACK|NLM_F_REPLACE|NLM_F_CREATE' "$BATS_TEST_TMPDIR/trace" ||
		{ cat "$BATS_TEST_TMPDIR/trace"; return 1; }
}

@test "route add --exist-ok: exactly that route there is success; another gateway or device is still 'route exists'" {
	t route add tun0 198.51.100.0/24 via 192.0.2.2 metric 5 >/dev/null
	t route add tun0 2001:db8:5::/48 >/dev/null
	before=$(routes)
	run --separate-stderr t route add tun0 198.51.100.0/24 via 192.0.2.2 metric 5 --exist-ok
	[ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ]
	run --separate-stderr t route add tun0 2001:db8:5::/48 --exist-ok
	[ "$status" -eq 0 ]
	# The kernel's default metric given or not: the same route.
	run --separate-stderr t route add tun0 2001:db8:5::/48 metric 1024 --exist-ok
	[ "$status" -eq 0 ]
	[ "$(routes)" = "$before" ]
	run --separate-stderr t route add tun0 198.51.100.0/24 via 192.0.2.2 metric 5
	assert_error 1 "route exists"
	run --separate-stderr t route add tun0 198.51.100.0/24 via 192.0.2.3 metric 5 --exist-ok
	assert_error 1 "route exists"
	t addr add tun1 203.0.113.1/24 >/dev/null
	run --separate-stderr t route add tun1 198.51.100.0/24 metric 5 --exist-ok
	assert_error 1 "route exists"
	[ "$(routes)" = "$(printf '%s\n' "$before" "203.0.113.0/24 tun1 - 0 main" | LC_ALL=C sort -u)" ]
	# Another metric is another route: added.
	run --separate-stderr t route add tun0 198.51.100.0/24 via 192.0.2.2 metric 6 --exist-ok
	[ "$status" -eq 0 ]
	routes | grep -qx "198.51.100.0/24 tun0 192.0.2.2 6 main"
}

@test "route replace: adds one that is not there, puts it in place of the one with its prefix, metric and table" {
	run --separate-stderr t route replace tun0 198.51.100.0/24 via 192.0.2.2
	[ "$status" -eq 0 ] && [ -z "$output" ] && [ -z "$stderr" ]
	routes | grep -qx "198.51.100.0/24 tun0 192.0.2.2 0 main"
	run --separate-stderr t route replace tun0 198.51.100.0/24 via 192.0.2.3
	[ "$status" -eq 0 ]
	[ "$(routes | grep -c '^198.51.100.0/24 ')" -eq 1 ]
	routes | grep -qx "198.51.100.0/24 tun0 192.0.2.3 0 main"
	# Through another device: moved there, as ip route replace does.
	t addr add tun1 203.0.113.1/24 >/dev/null
	run --separate-stderr t route replace tun1 198.51.100.0/24
	[ "$status" -eq 0 ]
	[ "$(routes | grep '^198.51.100.0/24 ')" = "198.51.100.0/24 tun1 - 0 main" ]
	run --separate-stderr t route replace tun0 "2001:db8:7::/48 table 100"
	[ "$status" -eq 0 ]
	routes | grep -qx "2001:db8:7::/48 tun0 - 1024 100"
}

@test "--exist-ok goes with add only; replace with a device that is not there fails" {
	for args in "addr del tun0 192.0.2.1/24 --exist-ok" "addr replace tun0 192.0.2.1/24 --exist-ok" \
		"addr flush tun0 --exist-ok" "route del tun0 198.51.100.0/24 --exist-ok" \
		"route replace tun0 198.51.100.0/24 --exist-ok" "addr add tun0 192.0.2.7/24 --exist-ok --exist-ok"; do
		read -r -a argv <<<"$args"
		run --separate-stderr t "${argv[@]}"
		assert_error 2 "--exist-ok" || { echo "case: $args"; return 1; }
	done
	run --separate-stderr t addr replace nope0 192.0.2.9/24
	assert_error 1 nope0
	run --separate-stderr t route replace nope0 198.51.100.0/24
	assert_error 1 nope0
	run --separate-stderr t -j route add nope0 198.51.100.0/24 --exist-ok
	assert_error 1 nope0
}

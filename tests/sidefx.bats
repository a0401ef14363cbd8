#!/usr/bin/env bats
# What the kernel drops by itself (a link down, an MTU under 1280, a primary
# or the last IPv4 address deleted): undo puts it back, apply expects it and
# converges in one run, and a file that can never hold is refused.  State
# read back with ip.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	ns_setup
	F=$BATS_TEST_TMPDIR/devices
}
teardown() {
	[ -n "${NS2:-}" ] && ip netns del "$NS2" 2>/dev/null
	ns_teardown
}

# A device's addresses (but fe80::/10) and its routes (but the kernel's
# prefix routes), sorted, one a line.
addrs() {
	addr_json dev "$1" | jq -r '.[0].addr_info[] | select(.local | startswith("fe80") | not)
		| "\(.local)/\(.prefixlen)"' | sort
}
routes() {
	for fam in -4 -6; do
		ip -n "$NS" "$fam" -j route show dev "$1" table all |
			jq -r '.[] | select(.protocol != "kernel" and .type != "local" and .type != "multicast"
			and (.dst | startswith("fe80") | not)) | "\(.dst) \(.gateway // "-") \(.table // "main")"'
	done | sort
}
snapshot() { { addrs "$1"; routes "$1"; link_json "$1" | jq -c '.[0] | [.mtu, (.flags | index("UP") != null)]'; }; }
# Plans nothing: apply --dry-run -j says changed false.
converged() {
	run --separate-stderr t -j apply --dry-run "$F"
	[ "$status" -eq 0 ] || { echo "dry-run: $status $stderr"; return 1; }
	jq -e '.changed == false' <<<"$output" >/dev/null || { echo "still plans: $output"; return 1; }
}

v6_dev() {
	t add "$1" --addr 2001:db8:0:1::1/64 --addr 192.0.2.1/24 --route "198.51.100.0/24 via 192.0.2.2" \
		--route 2001:db8:7::/48 "${@:2}" >/dev/null
}

@test "a failed add --exist-ok gives back the IPv6 address and routes an MTU under 1280 took" {
	v6_dev sk0
	before=$(snapshot sk0)
	run --separate-stderr t add sk0 --mtu 1200 --route "198.18.0.0/15 via 198.19.0.1" --exist-ok
	assert_error 1 198.18.0.0/15
	[ "$(snapshot sk0)" = "$before" ] || { echo "before: $before"; echo "after: $(snapshot sk0)"; false; }
	[ "$(addrs sk0 | grep -c 2001:db8:0:1::1/64)" = 1 ]
}

@test "a failed add --exist-ok whose undo takes the link down again keeps the IPv6 address made while down" {
	t add sk1 --down --addr 2001:db8:0:2::1/64 >/dev/null
	before=$(snapshot sk1)
	run --separate-stderr t add sk1 --route "198.51.100.0/25 via 198.51.100.250" --exist-ok
	assert_error 1 198.51.100.0/25
	[ "$(snapshot sk1)" = "$before" ] || { echo "before: $before"; echo "after: $(snapshot sk1)"; false; }
	[ "$(addrs sk1)" = 2001:db8:0:2::1/64 ]
}

@test "a failed set gives back what its MTU and state took: IPv6 addresses and routes" {
	v6_dev sk2 --mode tap
	before=$(snapshot sk2)
	run --separate-stderr t set sk2 --mtu 1200 --master lo
	assert_error 1 "lo cannot be a master"
	[ "$(snapshot sk2)" = "$before" ] || { echo "before: $before"; echo "after: $(snapshot sk2)"; false; }
	run --separate-stderr t set sk2 --down --mtu 1200 --master lo
	assert_error 1 "lo cannot be a master"
	[ "$(snapshot sk2)" = "$before" ]
	[ "$(routes sk2 | wc -l)" = 2 ]
}

@test "a failed batch line gives back what the kernel took" {
	v6_dev sk0
	before=$(snapshot sk0)
	printf '%s\n' 'add sk0 --mtu 1200 --route "198.18.0.0/15 via 198.19.0.1" --exist-ok' >"$F"
	run --separate-stderr t -b "$F"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"$F:1:"* ]]
	[ "$(snapshot sk0)" = "$before" ] || { echo "before: $before"; echo "after: $(snapshot sk0)"; false; }
}

@test "a failed apply gives back what a down link and the last IPv4 address took" {
	v6_dev sk3
	t add sk4 --addr 203.0.113.1/24 --route 198.51.100.0/25 >/dev/null
	t add bad0 >/dev/null
	b3=$(snapshot sk3) b4=$(snapshot sk4)
	# sk3 goes down (its IPv6 and routes go), sk4 loses its only IPv4
	# address (its IPv4 routes go), then bad0's route fails.
	printf '%s\n' 'add sk3 --down --addr 2001:db8:0:1::1/64 --addr 192.0.2.1/24' \
		'add sk4 --route 198.51.100.0/25' \
		'add bad0 --route "198.18.0.0/15 via 198.19.0.1"' >"$F"
	run --separate-stderr t apply "$F"
	assert_error 1 "$F:3"
	[ "$(snapshot sk3)" = "$b3" ] || { echo "sk3 before: $b3"; echo "after: $(snapshot sk3)"; false; }
	[ "$(snapshot sk4)" = "$b4" ] || { echo "sk4 before: $b4"; echo "after: $(snapshot sk4)"; false; }
}

@test "apply deletes secondaries before their primary, and adds back a secondary it keeps" {
	t add sk0 --addr 192.0.2.1/24 --addr 192.0.2.5/24 >/dev/null
	[ "$(in_ns cat /proc/sys/net/ipv4/conf/sk0/promote_secondaries)" = 0 ]
	echo 'add sk0' >"$F"
	run --separate-stderr t apply "$F"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ -z "$(addrs sk0)" ]
	t add sk0 --addr 192.0.2.1/24 --addr 192.0.2.5/24 --exist-ok >/dev/null
	echo 'add sk0 --addr 192.0.2.5/24' >"$F"
	run --separate-stderr t apply "$F"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(addrs sk0)" = 192.0.2.5/24 ]
	converged
}

@test "apply: a line that takes a device down keeps its IPv6 addresses, in one run" {
	t add sk1 --addr 2001:db8::1/64 --addr 192.0.2.1/24 >/dev/null
	echo 'add sk1 --down --addr 2001:db8::1/64 --addr 192.0.2.1/24' >"$F"
	run --separate-stderr t apply "$F"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(addrs sk1)" = "$(printf '192.0.2.1/24\n2001:db8::1/64')" ]
	link_json sk1 | jq -e '.[0].flags | index("UP") == null'
	converged
}

@test "apply: removing the last IPv4 address keeps the routes the file keeps, in one run" {
	t add sk2 --addr 192.0.2.1/24 --route 198.51.100.0/24 --route "203.0.113.0/24 via 192.0.2.7" \
		--route 2001:db8:7::/48 >/dev/null
	# Replaced: the old address goes first (and the kernel flushes the
	# IPv4 routes with it), then the new one comes.
	echo 'add sk2 --addr 192.0.2.66/24 --route 198.51.100.0/24 --route "203.0.113.0/24 via 192.0.2.7" --route 2001:db8:7::/48' >"$F"
	run --separate-stderr t apply "$F"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(routes sk2)" = "$(printf '%s\n' '198.51.100.0/24 - main' '2001:db8:7::/48 - main' '203.0.113.0/24 192.0.2.7 main' | sort)" ]
	converged
	# None left at all.
	echo 'add sk2 --route 198.51.100.0/24 --route 2001:db8:7::/48' >"$F"
	run --separate-stderr t apply "$F"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ -z "$(addrs sk2)" ]
	[ "$(routes sk2)" = "$(printf '%s\n' '198.51.100.0/24 - main' '2001:db8:7::/48 - main' | sort)" ]
	converged
}

@test "apply refuses a line that can never hold: routes on a down link, IPv6 under 1280 bytes" {
	t add sk0 --addr 2001:db8::1/64 --route 198.51.100.0/24 >/dev/null
	before=$(snapshot sk0)
	printf '%s\n' '# devices' 'add sk0 --down --addr 2001:db8::1/64 --route 198.51.100.0/24' >"$F"
	run --separate-stderr t apply "$F"
	assert_error 2 "$F:2: --route \"198.51.100.0/24\" cannot go with --down"
	printf '%s\n' 'add sk0 --mtu 1200 --route 2001:db8:5::/48' >"$F"
	run --separate-stderr t apply "$F"
	assert_error 2 "$F:1: --route \"2001:db8:5::/48\" needs an MTU of at least 1280"
	printf '%s\n' 'add sk0 --mtu 1200 --addr 2001:db8::1/64' >"$F"
	run --separate-stderr t apply "$F"
	assert_error 2 "$F:1: --addr 2001:db8::1/64 needs an MTU of at least 1280"
	[ "$(snapshot sk0)" = "$before" ]
	run --separate-stderr t add sk9 --down --route 198.51.100.0/25
	assert_error 2 "cannot go with --down"
	[ -z "$(tun_devices | grep sk9)" ]
}

@test "apply refuses a file that gives one route to two devices, naming both lines" {
	printf '%s\n' 'add sk0 --route 198.51.100.0/24' '# another' 'add sk1 --route "198.51.100.0/24 metric 0"' >"$F"
	run --separate-stderr t apply "$F"
	assert_error 2 "$F:3: sk1's route \"198.51.100.0/24\" and sk0's route \"198.51.100.0/24\" (at $F:1)"
	[ -z "$(tun_devices)" ]
	printf '%s\n' 'add sk0 --addr 192.0.2.1/24 --route "2001:db8::/64 metric 1024" --route "198.51.100.0/24 via 192.0.2.9"' \
		'add sk1 --route "2001:db8::/64 table main"' >"$F"
	run --separate-stderr t apply "$F"
	assert_error 2 "$F:2: sk1's route \"2001:db8::/64\""
	# Other metrics, other tables: other routes.
	printf '%s\n' 'add sk0 --route 198.51.100.0/24' 'add sk1 --route "198.51.100.0/24 metric 5"' \
		'add sk2 --route "198.51.100.0/24 table 100"' >"$F"
	run --separate-stderr t apply "$F"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	converged
}

@test "apply fails on a route that a device it keeps has already, and moves one a line takes away" {
	t add sk0 --addr 192.0.2.1/24 --route 198.51.100.0/25 --route "198.51.100.128/25 via 192.0.2.2" >/dev/null
	t add sk1 >/dev/null
	t add sk2 --route "198.51.100.128/25 metric 7" >/dev/null
	# sk0 is not in the file: its route stays, so sk1 cannot have it.
	printf '%s\n' 'add sk2 --route "198.51.100.128/25 metric 7"' 'add sk1 --route "198.51.100.0/25 metric 0"' >"$F"
	run --separate-stderr t apply "$F"
	assert_error 1 "$F:2: sk1's route \"198.51.100.0/25\" is one route to the kernel with sk0's \"198.51.100.0/25\""
	[[ "$stderr" == *"tunctl route del sk0 198.51.100.0/25"* ]]
	[ "$(routes sk1)" = "" ]
	[ "$(routes sk0)" = "$(printf '%s\n' '198.51.100.0/25 - main' '198.51.100.128/25 192.0.2.2 main')" ]
	run --separate-stderr t apply --dry-run "$F"
	assert_error 1 "sk1's route"
	# A new device, and one of another metric: the same.
	printf '%s\n' 'add sk3 --route "198.51.100.128/25 via 192.0.2.2 metric 0"' >"$F"
	run --separate-stderr t apply "$F"
	assert_error 1 "sk3's route \"198.51.100.128/25 via 192.0.2.2\" is one route to the kernel with sk0's"
	[ -z "$(tun_devices | grep sk3)" ]
	# sk0's line takes it away: sk1 gets it, in one run.
	printf '%s\n' 'add sk0 --addr 192.0.2.1/24' 'add sk1 --route 198.51.100.0/25' 'add sk2 --route "198.51.100.128/25 metric 7"' >"$F"
	run --separate-stderr t apply "$F"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(routes sk1)" = "198.51.100.0/25 - main" ]
	[ "$(routes sk0)" = "" ]
	converged
	# Back, the line that gets it first: still gone from sk1 before sk0 gets it.
	printf '%s\n' 'add sk0 --addr 192.0.2.1/24 --route 198.51.100.0/25' 'add sk1' 'add sk2 --route "198.51.100.128/25 metric 7"' >"$F"
	run --separate-stderr t apply "$F"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(routes sk0)" = "198.51.100.0/25 - main" ]
	[ "$(routes sk1)" = "" ]
	converged
}

@test "apply fails, changing nothing, when a route the kernel would drop could not be made again" {
	# The route's gateway was reached by 192.0.2.1/26, gone since.
	t add sk0 --addr 192.0.2.1/26 --addr 192.0.2.129/26 --route "198.51.100.128/25 via 192.0.2.2" >/dev/null
	t addr del sk0 192.0.2.1/26 >/dev/null
	before=$(snapshot sk0)
	# Deleting the last IPv4 address flushes the route; the kernel refuses it then.
	printf '%s\n' 'add sk0 --addr 2001:db8:0:1::5/64 --route "198.51.100.128/25 via 192.0.2.2"' >"$F"
	run --separate-stderr t apply "$F"
	assert_error 1 "$F:1: sk0's route \"198.51.100.128/25 via 192.0.2.2\" would be dropped by the kernel"
	[[ "$stderr" == *"reaches its gateway 192.0.2.2"* ]]
	[ "$(snapshot sk0)" = "$before" ]
	# An address the file adds reaches it: one run.
	printf '%s\n' 'add sk0 --addr 192.0.2.3/26 --route "198.51.100.128/25 via 192.0.2.2"' >"$F"
	run --separate-stderr t apply "$F"
	[ "$status" -eq 0 ] || { echo "$stderr"; false; }
	[ "$(routes sk0)" = "198.51.100.128/25 192.0.2.2 main" ]
	converged
}

@test "a failed set puts back, onlink, routes whose gateway nothing reaches any more" {
	t add sk0 --addr 2001:db8:0:1::1/64 --addr 192.0.2.1/26 --route "2001:db8:fe::/48 via 2001:db8:0:1::2" \
		--route "198.51.100.128/25 via 192.0.2.2" >/dev/null
	# The addresses that reached the gateways go; the kernel keeps the routes.
	t addr add sk0 192.0.2.129/26 >/dev/null
	t addr del sk0 192.0.2.1/26 >/dev/null
	t addr del sk0 2001:db8:0:1::1/64 >/dev/null
	before=$(routes sk0)
	[ "$before" = "$(printf '%s\n' '198.51.100.128/25 192.0.2.2 main' '2001:db8:fe::/48 2001:db8:0:1::2 main')" ]
	# Down drops them, then the MTU fails: the undo brings them back.
	run --separate-stderr t set sk0 --mtu 40 --down
	assert_error 1 "mtu 40"
	[ "$(routes sk0)" = "$before" ]
	[ "$(ip -n "$NS" -4 -j route show dev sk0 198.51.100.128/25 | jq -r '.[0].flags | index("onlink") != null')" = true ]
}

@test "a failed apply --recreate puts back, onlink, the old copy's route whose gateway nothing reaches" {
	t add sk0 --mode tap --addr 2001:db8:0:1::1/64 --route "2001:db8:fe::/48 via 2001:db8:0:1::2" >/dev/null
	t addr del sk0 2001:db8:0:1::1/64 >/dev/null
	before=$(routes sk0)
	[ "$before" = "2001:db8:fe::/48 2001:db8:0:1::2 main" ]
	# The new copy fails (its MTU), after the old one went down.
	printf '%s\n' 'add sk0 --mtu 65536' >"$F"
	run --separate-stderr t apply --recreate "$F"
	assert_error 1 "$F:1: sk0: mtu 65536"
	[ "$(link_json sk0 | jq -r '.[0].linkinfo.info_data.type')" = tap ]
	[ "$(routes sk0)" = "$before" ]
	# A route of the line whose gateway nothing of the line reaches: the
	# new copy would refuse it, so nothing is done.
	printf '%s\n' 'add sk0 --route "198.51.100.128/25 via 192.0.2.2"' >"$F"
	run --separate-stderr t apply --recreate "$F"
	assert_error 1 "$F:1: sk0's route \"198.51.100.128/25 via 192.0.2.2\": no address or route of the line reaches"
	[ "$(link_json sk0 | jq -r '.[0].linkinfo.info_data.type')" = tap ]
	[ "$(routes sk0)" = "$before" ]
}

@test "routes in table local are refused, as save and apply do not manage them" {
	t add sk0 >/dev/null
	run --separate-stderr t route add sk0 203.0.113.0/24 table local
	assert_error 2 "table \"local\" is the kernel's own"
	run --separate-stderr t route add sk0 203.0.113.0/24 table 255
	assert_error 2 "kernel's own"
	run --separate-stderr t add sk1 --route "203.0.113.0/24 table local"
	assert_error 2 "kernel's own"
	[ -z "$(ip -n "$NS" route show table local 203.0.113.0/24)" ]
	[ -z "$(tun_devices | grep sk1)" ]
}

@test "a failed set --netns moves the device back up, with its addresses and routes" {
	NS2="$NS-b"
	ip netns add "$NS2"
	v6_dev sk0
	t addr add sk0 192.0.2.5/24 >/dev/null
	before=$(snapshot sk0)
	# Moved, then the MTU is refused in the other namespace: moved back.
	run --separate-stderr t set sk0 --netns "$NS2" --mtu 99999
	assert_error 1 99999
	[ "$(ip -n "$NS2" -j link show | jq 'map(select(.ifname == "sk0")) | length')" = 0 ]
	[ "$(snapshot sk0)" = "$before" ] || { echo "before: $before"; echo "after: $(snapshot sk0)"; false; }
	[ "$(addrs sk0 | wc -l)" = 3 ]
}

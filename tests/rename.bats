#!/usr/bin/env bats
# set NAME --name NEW: the rename, with an up device taken down and brought
# back up in the same exchange, its IPv6 addresses and its routes (which the
# kernel drops with the down) put back; undone on failure.
bats_require_minimum_version 1.5.0
load helpers

setup() { ns_setup; }
teardown() {
	[ -z "${ATTACH_PID:-}" ] || kill "$ATTACH_PID" 2>/dev/null || true
	[ -z "${NS2:-}" ] || ip netns del "$NS2" 2>/dev/null || true
	ns_teardown
}

ifindex_of() { link_json "$1" | jq -r '.[0].ifindex'; }
is_up() { link_json "$1" | jq -e '.[0].flags | index("UP")' >/dev/null; }
# Addresses and routes of device $1, without the device's name, sorted:
# the same before and after a rename.
addrs_of() {
	addr_json dev "$1" | jq -c '[.[0].addr_info[] | select(.scope != "link") | "\(.local)/\(.prefixlen)"] | sort'
}
routes_of() {
	{ ip -n "$NS" -j route show dev "$1"; ip -n "$NS" -j -6 route show dev "$1"; } |
		jq -sc '[.[][] | select(.dst | startswith("fe80") | not) | "\(.dst) \(.gateway // "-") \(.protocol // "-")"] | sort'
}

# A device with IPv4 and IPv6 addresses and routes of both kinds: the
# kernel's (from the addresses) and given ones (with a gateway).
configured() {
	t add "$@" --addr 192.0.2.1/24 --addr 2001:db8::1/64 \
		--route "198.51.100.0/24 via 192.0.2.2" --route "2001:db8:1::/64 via 2001:db8::2" >/dev/null
}

@test "set --name renames a device that is down: same index, still down, old name gone" {
	t add tun0 --down
	idx=$(ifindex_of tun0)
	flags=$(sysfs tun0 tun_flags)
	run t set tun0 --name vpn0
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(ifindex_of vpn0)" = "$idx" ]
	run ! is_up vpn0
	[ "$(tun_devices)" = vpn0 ]
	[ "$(sysfs vpn0 tun_flags)" = "$flags" ]
	# Renamed and brought up in one call.
	run t set vpn0 --name vpn1 --up --mtu 1400
	[ "$status" -eq 0 ]
	is_up vpn1
	[ "$(sysfs vpn1 mtu)" = 1400 ]
	# The same name again: nothing to do.
	run t set vpn1 --name vpn1
	[ "$status" -eq 0 ]
	[ "$(tun_devices)" = vpn1 ]
}

@test "set --name on an up device: it comes back up with its IPv4 and IPv6 addresses and routes" {
	for mode in tun tap; do
		configured ${mode}0 --mode $mode
		addrs=$(addrs_of ${mode}0)
		routes=$(routes_of ${mode}0)
		[ "$addrs" = '["192.0.2.1/24","2001:db8::1/64"]' ]
		[ "$(jq length <<<"$routes")" -eq 4 ]
		idx=$(ifindex_of ${mode}0)
		run t set ${mode}0 --name vm-$mode
		[ "$status" -eq 0 ]
		[ "$(ifindex_of vm-$mode)" = "$idx" ]
		is_up vm-$mode
		[ "$(addrs_of vm-$mode)" = "$addrs" ]
		[ "$(routes_of vm-$mode)" = "$routes" ]
		run in_ns ip link show ${mode}0
		[ "$status" -ne 0 ]
		t del vm-$mode
	done
}

@test "set --name --down on an up device: renamed and left down, as asked" {
	configured tap0 --mode tap
	run t set tap0 --name tap9 --down
	[ "$status" -eq 0 ]
	run ! is_up tap9
}

@test "set --name: the name taken, invalid or too long is refused, nothing changed" {
	configured tap0 --mode tap
	t add tap1 --mode tap
	addrs=$(addrs_of tap0)
	routes=$(routes_of tap0)
	run --separate-stderr t set tap0 --name tap1
	assert_error 1 "--name tap1: a device tap1 exists already"
	run --separate-stderr t -j set tap0 --name tap1
	assert_error 1 "a device tap1 exists already"
	run --separate-stderr t set tap0 --name 0123456789abcdef
	assert_error 2 "longer than 15 bytes"
	run --separate-stderr t set tap0 --name 'vm%d'
	assert_error 2 "must not contain '%'"
	run --separate-stderr t set tap0 --name a/b
	assert_error 2 "must not contain '/'"
	run --separate-stderr t set tap0 --name ..
	assert_error 2 "not a valid interface name"
	run --separate-stderr t set tap0 --name ''
	assert_error 2 "--name"
	run --separate-stderr t set tap0 --name x --name y
	assert_error 2 "--name"
	[ "$(tun_devices | sort | tr '\n' ' ')" = "tap0 tap1 " ]
	is_up tap0
	[ "$(addrs_of tap0)" = "$addrs" ]
	[ "$(routes_of tap0)" = "$routes" ]
}

@test "set --name: a setting the kernel refuses undoes the rename; the old name, state, addresses and routes stay" {
	configured tap0 --mode tap
	idx=$(ifindex_of tap0)
	addrs=$(addrs_of tap0)
	routes=$(routes_of tap0)
	run --separate-stderr t set tap0 --name vm0 --mtu 99999999
	assert_error 1 "mtu 99999999"
	[ "$(ifindex_of tap0)" = "$idx" ]
	run in_ns ip link show vm0
	[ "$status" -ne 0 ]
	is_up tap0
	[ "$(sysfs tap0 mtu)" = 1500 ]
	[ "$(addrs_of tap0)" = "$addrs" ]
	[ "$(routes_of tap0)" = "$routes" ]
}

@test "set --name: a later step that fails (TUNSETOWNER, injected) undoes the rename" {
	configured tap0 --mode tap
	addrs=$(addrs_of tap0)
	routes=$(routes_of tap0)
	# Which ioctl is TUNSETOWNER: counted on a twin device given the same
	# command (an owner, once set, cannot be cleared).
	t add tap5 --mode tap
	when=$(in_ns env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -e trace=ioctl "$TUNCTL" set tap5 --name vm5 --user 65534 2>&1 |
		grep -n '^ioctl(' | grep TUNSETOWNER | cut -d: -f1)
	[ -n "$when" ]
	t del vm5
	run --separate-stderr in_ns env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null -e trace=ioctl \
		-e inject=ioctl:error=EPERM:when="$when" "$TUNCTL" set tap0 --name vm0 --user 65534
	assert_error 1 "setting owner"
	run in_ns ip link show vm0
	[ "$status" -ne 0 ]
	is_up tap0
	[ "$(sysfs tap0 owner)" = 0 ]
	[ "$(addrs_of tap0)" = "$addrs" ]
	[ "$(routes_of tap0)" = "$routes" ]
}

@test "set --name: lost or failed netlink answers (injected) leave the device renamed or as it was, never half" {
	configured tap0 --mode tap
	addrs=$(addrs_of tap0)
	routes=$(routes_of tap0)
	renamed=0 kept=0
	for when in 1 2 3 4 5 6 7 8; do
		for call in recvmsg sendto; do
			run in_ns env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null -e trace=$call \
				-e inject=$call:error=ENOBUFS:when="$when" "$TUNCTL" set tap0 --name vm0
			if [ "$status" -eq 0 ]; then
				dev=vm0
				renamed=$((renamed + 1))
			else
				[ "$status" -eq 1 ] || { echo "when=$when $call: status $status: $output"; return 1; }
				dev=tap0
				kept=$((kept + 1))
			fi
			[ "$(tun_devices)" = "$dev" ] || { echo "when=$when $call: status $status, devices $(tun_devices)"; return 1; }
			is_up "$dev" || { echo "when=$when $call: $dev down"; return 1; }
			[ "$(addrs_of "$dev")" = "$addrs" ] || { echo "when=$when $call: addresses $(addrs_of "$dev")"; return 1; }
			[ "$(routes_of "$dev")" = "$routes" ] || { echo "when=$when $call: routes $(routes_of "$dev")"; return 1; }
			[ "$dev" = tap0 ] || t set vm0 --name tap0
		done
	done
	# Both outcomes were seen.
	[ "$renamed" -gt 0 ] && [ "$kept" -gt 0 ]
}

@test "set --name under a holder: the attached process keeps working through the renamed device" {
	t add tun0 --addr 192.0.2.1/24 >/dev/null
	(exec ip netns exec "$NS" "$TUNCTL" attach tun0 --echo >"$BATS_TEST_TMPDIR/attach.out" 2>"$BATS_TEST_TMPDIR/attach.err") &
	ATTACH_PID=$!
	wait_until -t 5 "in_ns grep -qs 'iff:.tun0\$' /proc/$ATTACH_PID/fdinfo/*"
	run in_ns ping -c 1 -W 2 192.0.2.2
	[ "$status" -eq 0 ]
	run t set tun0 --name vpn0
	[ "$status" -eq 0 ]
	# The holder's queue is the same device, now named vpn0.
	in_ns grep -qs 'iff:.vpn0$' /proc/"$ATTACH_PID"/fdinfo/*
	run in_ns ping -c 2 -i 0.2 -W 2 -I vpn0 192.0.2.2
	[[ "$output" == *"2 packets transmitted, 2 received"* ]]
	kill -0 "$ATTACH_PID"
	[ "$(addrs_of vpn0)" = '["192.0.2.1/24"]' ]
}

@test "set --name in a batch file, as one line among others" {
	t add tap0 --mode tap --addr 2001:db8::1/64 >/dev/null
	printf '%s\n' 'set tap0 --name vm0' 'set vm0 --mtu 1400' 'add tap0 --mode tap' >"$BATS_TEST_TMPDIR/b"
	run t -b "$BATS_TEST_TMPDIR/b"
	[ "$status" -eq 0 ]
	[ "$(tun_devices | sort | tr '\n' ' ')" = "tap0 vm0 " ]
	[ "$(sysfs vm0 mtu)" = 1400 ]
	[ "$(addrs_of vm0)" = '["2001:db8::1/64"]' ]
}

@test "set --name --netns: renamed in the new namespace; a name taken there moves it back under its old name" {
	NS2="$NS-b"
	ip netns add "$NS2"
	t add tap0 --mode tap >/dev/null
	t add tap1 --mode tap >/dev/null
	ip netns exec "$NS2" "$TUNCTL" add vm1 --mode tap >/dev/null
	run t set tap0 --netns "$NS2" --name vm0 --up
	[ "$status" -eq 0 ]
	ip -n "$NS2" -j link show vm0 | jq -e '.[0].flags | index("UP")' >/dev/null
	run --separate-stderr t set tap1 --netns "$NS2" --name vm1
	assert_error 1 "a device vm1 exists already"
	[ "$(tun_devices)" = tap1 ]
}

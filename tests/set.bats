#!/usr/bin/env bats
# tunctl set, addr and route on existing devices.
bats_require_minimum_version 1.5.0
load helpers

setup() { ns_setup; }
teardown() { ns_teardown; }

@test "set --user/--group; --no-user/--no-group only where nothing is set" {
	t add tap0 --mode tap --vnet-hdr
	flags=$(sysfs tap0 tun_flags)
	[ "$flags" = 0x5802 ]   # TAP, NO_PI, PERSIST, VNET_HDR
	run t set tap0 --user nobody --group 4321 --yes
	[ "$status" -eq 0 ]
	[ "$(sysfs tap0 owner)" = 65534 ]
	[ "$(sysfs tap0 group)" = 4321 ]
	# Attaching to change the owner must not change the device's flags.
	[ "$(sysfs tap0 tun_flags)" = "$flags" ]
	# The kernel refuses to clear an owner or group (TUNSETOWNER -1 is EINVAL).
	run --separate-stderr t set tap0 --no-user
	assert_error 1 "owner (65534)"
	[ "$(sysfs tap0 owner)" = 65534 ]
	t add tap1 --mode tap --any-user
	run --separate-stderr t set tap1 --no-user --no-group
	[ "$status" -eq 0 ]
	[ "$(sysfs tap1 owner)" = -1 ]
	[ "$(sysfs tap1 group)" = -1 ]
}

@test "set --down/--up, --mtu, --mac, --txqueuelen" {
	t add tap0 --mode tap
	run t set tap0 --down --mtu 1280 --mac 02:00:5e:00:53:07 --txqueuelen 33
	[ "$status" -eq 0 ]
	j=$(link_json tap0)
	jq -e '.[0].flags | index("UP") | not' <<<"$j"
	[ "$(jq .[0].mtu <<<"$j")" = 1280 ]
	[ "$(jq -r .[0].address <<<"$j")" = 02:00:5e:00:53:07 ]
	[ "$(jq .[0].txqlen <<<"$j")" = 33 ]
	run t set tap0 --up
	link_json tap0 | jq -e '.[0].flags | index("UP")'
}

@test "set errors: refused by the kernel (1), bad input (2)" {
	t add tun0
	# A tun device has no MAC: refused as bad input, before anything is
	# sent (the MTU given with it stays as it was).
	run --separate-stderr t set tun0 --mac 02:00:5e:00:53:07 --mtu 1400
	assert_error 2 "tun0 is a tun device"
	[ "$(link_json tun0 | jq .[0].mtu)" = 1500 ]
	run --separate-stderr t set tun0 --mtu 99999
	assert_error 1 99999
	run --separate-stderr t set tun0
	assert_error 2 tun0
	run --separate-stderr t set tun0 --up --down
	assert_error 2 --up
	run --separate-stderr t set tun0 --user nobody --no-user
	assert_error 2 --no-user
	run --separate-stderr t set tun0 --user no-such-user-xyz
	assert_error 2 no-such-user-xyz
	run --separate-stderr t set nosuch0 --up
	assert_error 1 nosuch0
	[ "$(sysfs tun0 owner)" = 0 ]
}

@test "addr add, del and flush" {
	t add tun0
	run t addr add tun0 192.0.2.1/24
	[ "$status" -eq 0 ]
	run t addr add tun0 2001:db8::1/64
	run t addr add tun0 198.51.100.1 --peer 198.51.100.2
	[ "$status" -eq 0 ]
	addr_json dev tun0 | jq -e '.[0].addr_info[] | select(.local == "198.51.100.1" and .address == "198.51.100.2" and .prefixlen == 32)'
	addr_json dev tun0 | jq -e '.[0].addr_info[] | select(.local == "2001:db8::1")'
	run --separate-stderr t addr add tun0 192.0.2.1/24
	assert_error 1 192.0.2.1/24
	run t addr del tun0 192.0.2.1/24
	[ "$status" -eq 0 ]
	addr_json dev tun0 | jq -e 'all(.[0].addr_info[]; .local != "192.0.2.1")'
	run --separate-stderr t addr del tun0 192.0.2.1/24
	assert_error 1 192.0.2.1/24
	run t addr flush tun0
	[ "$status" -eq 0 ]
	[ "$(addr_json dev tun0 | jq '.[0].addr_info | length')" -eq 0 ]
	run --separate-stderr t addr add tun0 192.0.2.300/24
	assert_error 2 192.0.2.300/24
	run --separate-stderr t addr add tun0 192.0.2.1/24 --peer 2001:db8::2
	assert_error 2 2001:db8::2
	run --separate-stderr t addr move tun0 192.0.2.1/24
	assert_error 2 move
}

@test "addr flush with IPv4 secondaries: all gone, exit 0" {
	t add tun0 --addr 192.0.2.1/24 --addr 192.0.2.5/24 --addr 192.0.2.6/24 \
		--addr 198.51.100.1/24 --addr 2001:db8::1/64
	addr_json dev tun0 | jq -e '[.[0].addr_info[] | select(.secondary)] | length == 2'
	run --separate-stderr t addr flush tun0
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
	[ "$(addr_json dev tun0 | jq '.[0].addr_info | length')" -eq 0 ]
}

@test "route add and del, as one argument or as words" {
	t add tun0 --addr 192.0.2.1/24
	run t route add tun0 198.51.100.0/24 via 192.0.2.2 metric 9
	[ "$status" -eq 0 ]
	route_json dev tun0 | jq -e '.[] | select(.dst == "198.51.100.0/24" and .gateway == "192.0.2.2" and .metric == 9)'
	run t route add tun0 "203.0.113.0/24 table 300"
	[ "$status" -eq 0 ]
	ip -n "$NS" -j route show table 300 | jq -e '.[] | select(.dst == "203.0.113.0/24")'
	run t route del tun0 "198.51.100.0/24 via 192.0.2.2 metric 9"
	[ "$status" -eq 0 ]
	route_json dev tun0 | jq -e 'all(.[]; .dst != "198.51.100.0/24")'
	run --separate-stderr t route del tun0 198.51.100.0/24
	assert_error 1 198.51.100.0/24
	run --separate-stderr t route add tun0 198.51.100.0/24 via 203.0.113.77
	assert_error 1 203.0.113.77
	[[ "$stderr" == *"Nexthop has invalid gateway"* ]]
	run --separate-stderr t route add tun0 198.51.100.1/24
	assert_error 2 198.51.100.1/24
	run --separate-stderr t route add tun0 198.51.100.0/24 dev eth0
	assert_error 2 dev
}

# Administrative attaches (to set an owner or group) keep the carrier off:
# no carrier change (carrier_changes counts every one, at once), so no IPv6
# link-local address and no fe80::/64 route appear on the device.
no_link_change() {
	local dev=$1 before=$2
	[ "$(sysfs "$dev" carrier_changes)" = "$before" ] ||
		{ echo "$dev: carrier_changes $before -> $(sysfs "$dev" carrier_changes)"; return 1; }
	link_json "$dev" | jq -e '.[0].flags | index("NO-CARRIER")' >/dev/null
	settle
	[ "$(addr_json dev "$dev" | jq '[.[0].addr_info[] | select(.local | startswith("fe80"))] | length')" -eq 0 ] ||
		{ addr_json dev "$dev"; return 1; }
	[ "$(ip -n "$NS" -j -6 route show dev "$dev" | jq '[.[] | select(.dst == "fe80::/64")] | length')" -eq 0 ] ||
		{ ip -n "$NS" -6 route show dev "$dev"; return 1; }
}

@test "set --user/--group on an up device without a reader leaves its carrier off: no fe80 address or route" {
	t add s0 --addr 192.0.2.1/24 >/dev/null
	n=$(sysfs s0 carrier_changes)
	run --separate-stderr t set s0 --user nobody --group 4321 --yes
	[ "$status" -eq 0 ]
	[ "$(sysfs s0 owner)" = 65534 ]
	no_link_change s0 "$n"
	# Also when the command fails after attaching (the MTU is refused).
	run --separate-stderr t set s0 --group 4322 --mtu 70000 --yes
	assert_error 1 "mtu 70000"
	[ "$(sysfs s0 group)" = 4321 ]
	no_link_change s0 "$n"
}

@test "add --exist-ok --user that sets a missing owner leaves the carrier off: no fe80 address or route" {
	t add e0 --any-user --addr 192.0.2.1/24 >/dev/null
	n=$(sysfs e0 carrier_changes)
	run --separate-stderr t add e0 --exist-ok --user nobody --addr 192.0.2.1/24
	[ "$status" -eq 0 ]
	[ "$output" = e0 ]
	[ "$(sysfs e0 owner)" = 65534 ]
	no_link_change e0 "$n"
}

@test "a kernel that refuses IFF_NO_CARRIER (EINVAL): set attaches again without it" {
	command -v strace >/dev/null || skip "strace is not installed"
	t add s0 >/dev/null
	# The first ioctl is TUNSETIFF (the device is looked up by netlink):
	# it fails as an old kernel refusing an unknown flag would.
	run --separate-stderr in_ns env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -o /dev/null -e trace=ioctl -e inject=ioctl:error=EINVAL:when=1 \
		"$TUNCTL" set s0 --user 1234
	[ "$status" -eq 0 ] || { echo "$stderr"; return 1; }
	[ -z "$stderr" ]
	[ "$(sysfs s0 owner)" = 1234 ]
}

@test "set --user --group whose group fails after the owner: the owner put back where the kernel can" {
	command -v strace >/dev/null || skip "strace is not installed"
	# tunctl in the namespace with its third ioctl, TUNSETGROUP (after
	# TUNSETIFF and TUNSETOWNER), failing with EINVAL.
	group_fails() {
		run --separate-stderr in_ns env ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
			strace -f -qq -e signal=none -e trace=ioctl -o "$BATS_TEST_TMPDIR/trace" \
			-e inject=ioctl:error=EINVAL:when=3 "$TUNCTL" "$@"
		grep -q 'TUNSETGROUP.*INJECTED' "$BATS_TEST_TMPDIR/trace" || { cat "$BATS_TEST_TMPDIR/trace"; return 1; }
	}
	t add s0 --mtu 1400 >/dev/null
	group_fails set s0 --user nobody --group 4321 --yes --mtu 1300
	assert_error 1 "s0: setting owner and group: Invalid argument"
	[ "$(sysfs s0 owner)" = 0 ]
	[ "$(sysfs s0 group)" = -1 ]
	[ "$(link_json s0 | jq .[0].mtu)" = 1400 ]
	# Without an owner before, the kernel cannot clear the one set: said.
	t add s1 --any-user >/dev/null
	group_fails set s1 --user nobody --group 4321 --yes
	assert_error 1 "s1: setting owner and group: Invalid argument; its owner is now uid 65534 and could not be put back"
	[ "$(sysfs s1 owner)" = 65534 ]
	[ "$(sysfs s1 group)" = -1 ]
}

@test "set refuses before changing anything when an old value cannot be read" {
	command -v strace >/dev/null || skip "strace is not installed"
	t add f0
	t add tap0 --mode tap --mac 02:00:5e:00:53:01
	now() { link_json "$1" | jq -c '.[0] | [.mtu, .address, .txqlen, (.flags | index("UP") != null)]'; }
	before=$(now tap0)
	# The values undo would put back are read by the second RTM_GETLINK
	# (the first finds the device): when it fails, nothing is changed, as
	# nothing could be put back if a later step failed.
	for err in EIO ENOMEM EPERM; do
		run --separate-stderr in_ns env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null -e signal=none \
			-e inject=sendto:error=$err:when=2 "$TUNCTL" set f0 --mtu 1300 --user 65534
		assert_error 1 "reading f0"
		[ "$(link_json f0 | jq .[0].mtu)" = 1500 ]
		[ "$(sysfs f0 owner)" = 0 ]
		run --separate-stderr in_ns env ASAN_OPTIONS=detect_leaks=0 strace -f -qq -o /dev/null -e signal=none \
			-e inject=sendto:error=$err:when=2 "$TUNCTL" set tap0 --mtu 1300 --txqueuelen 7 --mac 02:00:5e:00:53:09 --down
		assert_error 1 "reading tap0"
		[ "$(now tap0)" = "$before" ]
	done
}

@test "--alias on add, set, save, apply and show: ip's ifalias; too long or control characters refused; \"\" clears" {
	ifalias() { link_json "$1" | jq -r '.[0].ifalias // "<none>"'; }
	run t add tun0 --alias 'web "front" #1'
	[ "$status" -eq 0 ]
	[ "$(ifalias tun0)" = 'web "front" #1' ]
	[ "$(t -j show tun0 | jq -r .ifalias)" = 'web "front" #1' ]
	t show tun0 | grep -qx '    alias web "front" #1'
	# 255 bytes is the kernel's limit (IFALIASZ, less the NUL).
	long=$(printf 'x%.0s' $(seq 255))
	run t set tun0 --alias "$long"
	[ "$status" -eq 0 ]
	[ "$(ifalias tun0)" = "$long" ]
	run --separate-stderr t set tun0 --alias "${long}y"
	assert_error 2 "256 bytes"
	run --separate-stderr t set tun0 --alias "$(printf 'a\tb')"
	assert_error 2 "control character"
	[ "$(ifalias tun0)" = "$long" ]
	# Refused with another setting: put back as it was.
	run --separate-stderr t set tun0 --alias other --mtu 4294967295
	[ "$status" -eq 1 ]
	[ "$(ifalias tun0)" = "$long" ]
	run t set tun0 --alias ""
	[ "$status" -eq 0 ]
	[ "$(ifalias tun0)" = "<none>" ]
	[ "$(t -j show tun0 | jq -r '.ifalias // "<none>"')" = "<none>" ]
	# save writes it back quoted; apply converges it, and "" clears.
	t set tun0 --alias 'a b'
	t save tun0 | grep -q -- ' --alias "a b"'
	t save tun0 | sed 's/"a b"/"c d"/' >"$BATS_TEST_TMPDIR/f"
	run t apply "$BATS_TEST_TMPDIR/f"
	[ "$status" -eq 0 ]
	[ "$(ifalias tun0)" = "c d" ]
	run t -j apply --dry-run - <<<'add tun0 --alias ""'
	[ "$(jq -c '.changes' <<<"$output")" = '[{"device":"tun0","op":"set","setting":"alias","from":"c d","to":""}]' ]
	run t apply - <<<'add tun0 --alias ""'
	[ "$status" -eq 0 ]
	[ "$(ifalias tun0)" = "<none>" ]
	# iproute2's word.
	run --separate-stderr t set tun0 alias x
	assert_error 2 "tunctl set tun0 --alias x"
}
